#!/usr/bin/env bash
# npm run demo: make sure PostgreSQL and the dev dependencies are there, then
# replay the smart-driver tutorial on a local 3-node cluster, then watch a pool
# heal live after a node dies and returns (scripts/demo.ts, demo-heal.ts, demo-view.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh >/dev/null
[ -d node_modules/vitest ] || bash scripts/install-deps.sh
exec node --import tsx scripts/demo.ts
