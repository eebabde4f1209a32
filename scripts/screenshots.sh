#!/usr/bin/env bash
# `npm run screenshots`: regenerates the README's screenshots (docs/screenshots/*.png) and its
# console example from a demo account on staging Cyrus. Not part of `npm test`; it asserts nothing
# beyond "each step worked". Idempotent: the demo account is brought to one fixed state each run.
#
# The demo owner (maria) and the people she shares with (tom, lena, jonas, priya) are Cyrus users
# no test uses, so the pictures never show test debris and no test sees the demo's grants.
# Cyrus gives principals no display name of their own, so the user ids are first names.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash staging/up.sh cyrus
bash staging/cyrus.sh named maria tom lena jonas priya
node node_modules/typescript/bin/tsc -p tsconfig.json   # the build (npm run build), without a nested npm
node --import tsx scripts/screenshots.ts
