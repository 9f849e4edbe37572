#!/usr/bin/env bash
# Install the dev dependencies from the lockfile. npm 11 leaves the other
# platforms' optional packages (@deno/*, @rollup/*, ...) out of the lockfile
# it writes and then `npm ci` refuses that same lockfile (npm/cli#8805); when
# that happens, install with `npm install`, which reads the same lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! npm ci --no-audit --no-fund 2>/tmp/pgfleet-npm-ci.log; then
  if grep -q 'Missing: .* from lock file' /tmp/pgfleet-npm-ci.log; then
    echo "npm ci refused the lockfile (npm 11 optional-platform bug); using npm install" >&2
    npm install --no-audit --no-fund
  else
    cat /tmp/pgfleet-npm-ci.log >&2
    exit 1
  fi
fi
