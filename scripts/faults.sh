#!/usr/bin/env bash
# The fault matrix: how calshare behaves under each injected fault (test/helpers/fault-cases.ts,
# the same cases test/integration/faults.test.ts asserts in `npm test`). Set-up, staging Cyrus,
# build, then the report. Pass --verbose to print every error and hint in full.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash staging/up.sh cyrus
node node_modules/typescript/bin/tsc -p tsconfig.json   # the build (npm run build), without a nested npm
exec node --import tsx bench/faults.ts "$@"
