"""Ask libpq which password it takes from a password file.

Reads a JSON array of {"passfile", "host", "port", "dbname", "user"} on stdin
and prints a JSON array of what PQpass() returns right after
PQconnectStartParams() (libpq fills the per-host password from the file in
connectOptions2). Each host is dialled at hostaddr 127.0.0.1 on port 1, which
refuses at once, so nothing waits on the network.
"""
import ctypes
import ctypes.util
import json
import sys

lib = ctypes.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
lib.PQconnectStartParams.restype = ctypes.c_void_p
lib.PQconnectStartParams.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]
lib.PQpass.restype = ctypes.c_char_p
lib.PQpass.argtypes = [ctypes.c_void_p]
lib.PQfinish.argtypes = [ctypes.c_void_p]


def lookup(case):
    params = {
        "host": case["host"],
        "hostaddr": "127.0.0.1",
        "port": str(case["port"]),
        "dbname": case["dbname"],
        "user": case["user"],
        "passfile": case["passfile"],
        "connect_timeout": "1",
    }
    keys = (ctypes.c_char_p * (len(params) + 1))(*[k.encode() for k in params], None)
    values = (ctypes.c_char_p * (len(params) + 1))(*[v.encode() for v in params.values()], None)
    conn = lib.PQconnectStartParams(keys, values, 0)
    try:
        return lib.PQpass(conn).decode("utf-8", "surrogateescape")
    finally:
        lib.PQfinish(conn)


print(json.dumps([lookup(case) for case in json.load(sys.stdin)]))
