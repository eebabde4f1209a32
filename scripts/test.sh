#!/usr/bin/env bash
# The whole test suite: set-up, staging servers, build, then unit and integration tests in one
# node:test run (its closing lines are the suite's result).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash staging/up.sh all
node node_modules/typescript/bin/tsc -p tsconfig.json   # the build (npm run build), without a nested npm
mapfile -t files < <(find test/unit test/integration -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=2 --test-timeout=600000 "${files[@]}"
