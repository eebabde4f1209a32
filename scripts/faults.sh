#!/usr/bin/env bash
# The fault matrix: how calshare behaves under each injected fault (test/helpers/fault-cases.ts,
# the same cases test/integration/faults.test.ts asserts in `npm test`). Set-up, staging Cyrus,
# build, then the report. Pass --verbose to print every error and hint in full.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash staging/up.sh cyrus
npm run build --silent
exec node --import tsx bench/faults.ts "$@"
