#!/usr/bin/env bash
# `npm run bench` (add `-- --quick` for a short run): start a throwaway
# PostgreSQL on 127.0.0.1 (BENCH_PORT, default 5490) and run bench/run.mjs:
# pgfleet, pg and postgres.js (and Bun.sql with BENCH_RUNTIME=bun) in one
# process, alternating in rounds, with pgbench's `select 1` as the floor.
# Server and client are pinned to CPU 0: a loopback round trip across vCPUs
# costs ~10x and swamps the driver's own cost (see the shared NOTES). Prints
# the table and writes bench/results.json and bench/chart.svg (under Bun
# results.bun.json, chart.bun.svg); on Node then bench/memory.mjs (memory.json).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--quick" ] && export BENCH_QUICK=1
port=${BENCH_PORT:-5490}
bin=$(bash scripts/ensure-postgres.sh | tail -n 1)
[ -d node_modules/vitest ] || bash scripts/install-deps.sh
npx tsup --silent
dir=$(mktemp -d /tmp/pgfleet-bench-XXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c shared_buffers=64MB -c max_connections=200" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$dir"' EXIT
pid=$(head -1 "$dir/data/postmaster.pid")
pin=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then taskset -pc 0 "$pid" >/dev/null; pin="taskset -c 0"; fi
echo "load: $(uptime | sed 's/.*load average: //')"

# pgbench's `select 1` is the floor; bench/run.mjs runs it in the same rounds as the drivers.
pgbench_script=""
if command -v pgbench >/dev/null; then
  pgbench_script="$dir/select1.sql"
  echo 'select 1;' > "$pgbench_script"
fi

runtime=(node)
[ "${BENCH_RUNTIME:-node}" = bun ] && runtime=(node_modules/.bin/bun)
BENCH_PORT=$port BENCH_PGBENCH_SCRIPT="$pgbench_script" $pin "${runtime[@]}" bench/run.mjs

# Memory (Node only; BENCH_MEMORY=0 skips it): stream() RSS over 10M rows (2M
# with --quick) and the peak heap of a 100k-row query() per driver.
if [ "${BENCH_RUNTIME:-node}" = node ] && [ "${BENCH_MEMORY:-1}" != 0 ]; then
  [ -n "${BENCH_QUICK:-}" ] && export MEMORY_STREAM_ROWS=${MEMORY_STREAM_ROWS:-2000000}
  BENCH_PORT=$port $pin node bench/memory.mjs
fi
