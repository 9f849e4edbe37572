#!/usr/bin/env python3
"""libpq's own reading of connection strings, for test/unit/libpq-differential.test.ts.

Reads a JSON array of strings on stdin and prints a JSON array with one result
per string: {"ok": {keyword: value}} (the options PQconninfoParse set, i.e.
whose val is not NULL) or {"error": message}. A value that is not UTF-8 (a
percent-encoded byte such as %FF) adds "binary": true.

With --connect, every string libpq parses is also tried with PQconnectdb
against 127.0.0.1 port 1 (nothing listens there, so no session is ever
opened): hosts become 127.0.0.1 and valid ports 1, everything else is kept.
libpq checks option values on the way (sslmode, target_session_attrs,
keepalives, ports, ...), so a failure other than "Connection refused" means
libpq refuses the values: it is reported as "refused": message.

With --keywords the output is {"keywords": [libpq's keywords], "results": [...]}.
"""
import ctypes
import json
import os
import re
import sys
import tempfile


class Option(ctypes.Structure):
    _fields_ = [
        ('keyword', ctypes.c_char_p),
        ('envvar', ctypes.c_char_p),
        ('compiled', ctypes.c_char_p),
        ('val', ctypes.c_char_p),
        ('label', ctypes.c_char_p),
        ('dispchar', ctypes.c_char_p),
        ('dispsize', ctypes.c_int),
    ]


def load():
    lib = ctypes.CDLL('libpq.so.5')
    lib.PQconninfoParse.restype = ctypes.POINTER(Option)
    lib.PQconninfoParse.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.PQconninfoFree.argtypes = [ctypes.POINTER(Option)]
    lib.PQfreemem.argtypes = [ctypes.c_void_p]
    lib.PQconnectdb.restype = ctypes.c_void_p
    lib.PQconnectdb.argtypes = [ctypes.c_char_p]
    lib.PQerrorMessage.restype = ctypes.c_char_p
    lib.PQerrorMessage.argtypes = [ctypes.c_void_p]
    lib.PQfinish.argtypes = [ctypes.c_void_p]
    return lib


def parse(lib, text):
    err = ctypes.c_void_p()
    opts = lib.PQconninfoParse(text.encode('utf-8'), ctypes.byref(err))
    if not opts:
        message = ctypes.cast(err, ctypes.c_char_p).value if err.value else b'out of memory'
        if err.value:
            lib.PQfreemem(err)
        return {'error': message.decode('utf-8', 'replace').strip()}, None
    values = {}
    i = 0
    while opts[i].keyword is not None:
        if opts[i].val is not None:
            values[opts[i].keyword.decode()] = opts[i].val
        i += 1
    lib.PQconninfoFree(opts)
    result = {'ok': {}}
    for k, v in values.items():
        try:
            result['ok'][k] = v.decode('utf-8')
        except UnicodeDecodeError:
            result['ok'][k] = v.decode('utf-8', 'replace')
            result['binary'] = True
    return result, values


def keywords(lib):
    """Every keyword this libpq knows (PQconninfoParse of "" lists them all, unset)."""
    err = ctypes.c_void_p()
    opts = lib.PQconninfoParse(b'', ctypes.byref(err))
    names = []
    i = 0
    while opts[i].keyword is not None:
        names.append(opts[i].keyword.decode())
        i += 1
    lib.PQconninfoFree(opts)
    return names


PORT = re.compile(rb'^\s*[+-]?\d+\s*$')
PREFIX = re.compile(r'^connection to server at "[^"]*"(?: \([^)]*\))?, port \S+ failed: ')


def probe(lib, values):
    """None when libpq would go on to connect, else its error message."""
    params = dict(values)
    params.pop('service', None)  # a service file lookup is not value validation
    if 'host' in params or 'hostaddr' not in params:
        hosts = params.get('host', b'').split(b',')
        params['host'] = b','.join(b'127.0.0.1' for _ in hosts)
    else:
        # hostaddr alone: an empty entry would mean libpq's default unix socket; pgfleet has none.
        params['host'] = b','.join(b'127.0.0.1' if a == b'' else b'' for a in params['hostaddr'].split(b','))
    ports = params.get('port', b'').split(b',')
    params['port'] = b','.join(
        b'1' if p == b'' or (PORT.match(p) and 1 <= int(p) <= 65535) else p for p in ports
    )
    params['connect_timeout'] = params.get('connect_timeout', b'2')
    # A conninfo string, not PQconnectdbParams: the array form drops empty values, a string keeps them.
    conninfo = b' '.join(k.encode() + b"='" + v.replace(b'\\', b'\\\\').replace(b"'", b"\\'") + b"'" for k, v in params.items())
    conn = lib.PQconnectdb(conninfo)
    message = (lib.PQerrorMessage(conn) or b'').decode('utf-8', 'replace')
    lib.PQfinish(conn)
    # Every attempt to 127.0.0.1:1 ends in "Connection refused"; any other line is libpq's verdict on a value.
    lines = [
        PREFIX.sub('', line) for line in message.splitlines()
        if line.strip() and 'Connection refused' not in line and 'Is the server running' not in line
    ]
    return '\n'.join(lines).strip() or None


def main():
    for name in list(os.environ):
        if name.startswith('PG'):
            del os.environ[name]
    home = tempfile.mkdtemp(prefix='pgfleet-libpq-')
    os.environ['HOME'] = home
    os.environ['PGPASSFILE'] = os.path.join(home, 'none')
    lib = load()
    connect = '--connect' in sys.argv[1:]
    out = []
    for text in json.load(sys.stdin):
        result, values = parse(lib, text)
        if connect and values is not None:
            refused = probe(lib, values)
            if refused is not None:
                result['refused'] = refused
        out.append(result)
    if '--keywords' in sys.argv[1:]:
        json.dump({'keywords': keywords(lib), 'results': out}, sys.stdout)
    else:
        json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
