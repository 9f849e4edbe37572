#!/usr/bin/env bash
# What query events cost: bench/observe.mjs against a build of the commit
# before the event hooks (BASE_REF, default: the parent of the commit that
# added src/observe/events.ts), on a throwaway PostgreSQL on 127.0.0.1:5491,
# server and client pinned to CPU 0 as in scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$(bash scripts/ensure-postgres.sh | tail -n 1)
base_ref=${BASE_REF:-$(git log --format=%H --diff-filter=A -1 -- src/observe/events.ts)^}
dir=$(mktemp -d /tmp/pgfleet-bench-observe-XXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/base"
# Both builds are copied out, so rebuilding dist/ meanwhile changes nothing here.
npx tsup --silent
cp -r dist "$dir/current"
git archive "$base_ref" | tar -x -C "$dir/base"
ln -s "$root/node_modules" "$dir/base/node_modules"
(cd "$dir/base" && npx tsup --silent)
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -c port=5491 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$dir"' EXIT
pin=""
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then taskset -pc 0 "$(head -1 "$dir/data/postmaster.pid")" >/dev/null; pin="taskset -c 0"; fi
echo "base: $(git rev-parse --short "$base_ref")"
BENCH_PORT=5491 BENCH_BASE="$dir/base/dist/index.js" BENCH_DIST="$dir/current" $pin node bench/observe.mjs
