#!/usr/bin/env bash
# `npm run bench`: start a throwaway PostgreSQL on 127.0.0.1:5490, pin it and
# the client to CPU 0 (a loopback round trip across vCPUs costs ~10x and
# swamps the driver's own cost, see shared NOTES), run the driver comparison
# pinned, the pipelining case also unpinned, pgbench as the floor, then stop.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(bash scripts/ensure-postgres.sh | tail -n 1)
[ -d node_modules/vitest ] || bash scripts/install-deps.sh
npx tsup --silent
dir=$(mktemp -d /tmp/pgfleet-bench-XXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -c port=5490 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c shared_buffers=64MB" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$dir"' EXIT
pid=$(head -1 "$dir/data/postmaster.pid")
pin=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then taskset -pc 0 "$pid" >/dev/null; pin="taskset -c 0"; fi
echo "== pinned to one CPU (CPU cost per query)"
BENCH_PORT=5490 $pin node bench/compare.mjs
echo
echo "== pgbench floor (pinned, 5 s each)"
echo 'select 1;' > "$dir/select1.sql"
for mode in simple prepared; do
  tps=$($pin pgbench -h 127.0.0.1 -p 5490 -U postgres -n -c 1 -T 5 -M $mode -f "$dir/select1.sql" postgres 2>/dev/null | grep -oE 'tps = [0-9.]+' | head -1)
  echo "pgbench -M $mode: $tps"
done
if [ -n "$pin" ]; then
  taskset -pc "0-$(($(nproc) - 1))" "$pid" >/dev/null
  echo
  echo "== unpinned (pipelining can use the second core)"
  BENCH_PORT=5490 BENCH_ONLY=concurrent node bench/compare.mjs
fi
