#!/usr/bin/env bash
# `npm test`: set up what is missing (PostgreSQL from npm, dependencies,
# build), then type-check and run every suite (unit, integration against real
# servers, other runtimes) on PostgreSQL 18 (or $TEST_PG_VERSION), then the
# version matrix: the core integration files on 13, 14, 16 and 17, one
# version after another (each starts its own servers; 2 cores hold no more).
# Safe to run on a fresh clone. Arguments go to vitest and skip the matrix;
# TEST_PG_MATRIX=0 skips it too.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/vitest ] || bash scripts/install-deps.sh
bash scripts/ensure-postgres.sh >/dev/null
npx tsup --silent
npx tsc --noEmit

# What every PostgreSQL version must pass (README, "Tested PostgreSQL versions").
core=(
  test/integration/tls-auth.test.ts          # trust, md5, password, SCRAM(-PLUS), certificates, require_auth, every sslmode
  test/integration/tls-direct.test.ts        # direct TLS on 17+, the clear error before 17
  test/integration/protocol-version.test.ts  # 3.2 on 18, the downgrade and min_protocol_version before
  test/integration/versions.test.ts          # what differs between versions
  test/integration/pipelining.test.ts        # extended query, the statement cache
  test/integration/sql-and-types.test.ts     # parameters and types
  test/integration/binary-format.test.ts     # binary results for every binary-decoded type
  test/integration/copy.test.ts              # COPY in and out
  test/integration/listen.test.ts            # LISTEN/NOTIFY
  test/integration/cancel.test.ts            # cancel and timeouts
  test/integration/balancing-spread.test.ts  # the balancing demo's scenarios
  test/integration/balancing-topology.test.ts
)
matrix=$(node -e 'console.log(require("./scripts/postgres-versions.json").matrix.join(" "))')

if [ $# -gt 0 ] || [ -n "${TEST_PG_VERSION:-}" ] || [ "${TEST_PG_MATRIX:-1}" = 0 ]; then
  exec npx vitest run "$@"
fi
npx vitest run
for v in $matrix; do
  echo "== PostgreSQL $v: core integration files =="
  bash scripts/ensure-postgres.sh "$v" >/dev/null
  TEST_PG_VERSION=$v npx vitest run --project integration "${core[@]}"
done
