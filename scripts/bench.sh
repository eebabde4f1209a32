#!/usr/bin/env bash
# Benchmarks print figures; they assert nothing. Each bench/*.ts is a script run in turn against
# the staging servers (started here if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash staging/up.sh cyrus
node node_modules/typescript/bin/tsc -p tsconfig.json   # the build (npm run build), without a nested npm
for f in bench/*.ts; do
  echo "== ${f}"
  node --import tsx "$f"
done
