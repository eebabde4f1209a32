#!/usr/bin/env bash
# The whole test suite: set-up, staging servers, build, then unit and integration tests in one
# node:test run.
#
# A file with a failing test is run once more on its own, at concurrency 1. The suite passes only
# if that second run passes, and such a file is then named as FLAKY in the summary so it gets
# fixed: these are end-to-end tests against real servers on a shared 2-core machine, where a real
# bug fails twice and a starved server once. On a failure the staging servers' logs are printed,
# because CI keeps nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash staging/up.sh all
node node_modules/typescript/bin/tsc -p tsconfig.json   # the build (npm run build), without a nested npm
mapfile -t files < <(find test/unit test/integration -name '*.test.ts' | sort)
# The discovery cache (src/discovery/cache.ts) of whoever runs the suite stays out of it: a cache
# directory of the run's own, and the cache off unless a test turns it on (test/helpers/staging.ts).
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME CALSHARE_CACHE=off

failed=$(mktemp)
trap 'rm -rf "$failed" "$XDG_CACHE_HOME"' EXIT
run() {
  node --import tsx --test --test-timeout=600000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./test/reporters/failed-files.mjs --test-reporter-destination="$failed" "$@"
}

if run --test-concurrency=2 "${files[@]}"; then exit 0; fi

mapfile -t again < <(sort -u "$failed")
if ((${#again[@]} == 0)); then
  echo "test: the run failed outside any test file" >&2
  exit 1
fi
echo
echo "test: ${#again[@]} file(s) failed; running them once more, one at a time:"
printf '  %s\n' "${again[@]}"
: >"$failed"
if run --test-concurrency=1 "${again[@]}"; then
  echo
  echo "test: FLAKY (failed once, passed on the second run; fix them):"
  printf '  FLAKY %s\n' "${again[@]}"
  exit 0
fi
echo
echo "test: FAILED twice:"
sort -u "$failed" | sed 's/^/  /'
echo "--- staging logs (last lines) ---"
for log in /var/tmp/calshare-staging/*/*.log; do
  [[ -f $log ]] || continue
  echo "== $log"
  tail -n 30 "$log" | cut -c1-300
done
exit 1
