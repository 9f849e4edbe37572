#!/usr/bin/env bash
# `npm test`: set up what is missing (PostgreSQL, dependencies, build), then
# type-check and run every suite (unit, integration against real servers,
# other runtimes). Safe to run on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh >/dev/null
[ -d node_modules/vitest ] || bash scripts/install-deps.sh
npx tsup --silent
npx tsc --noEmit
npx vitest run "$@"
