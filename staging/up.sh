#!/usr/bin/env bash
# Start the staging CalDAV servers on 127.0.0.1 (installing them first if
# needed). Idempotent: servers already up are left alone, dead ones restarted.
#
#   staging/up.sh [cyrus|radicale|xandikos|sabredav|postgres|davical|sogo|all]...   (default: all)
#
# A server that keeps its data in PostgreSQL starts it itself (postgres.sh up,
# once: a running cluster is left alone).
#
# Env: CALSHARE_STAGING_DIR (default /var/tmp/calshare-staging),
#      CYRUS_EXTRA_USERS=N (also create Cyrus users u001..uNNN).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"
parse_targets "$@"
targets=("${TARGETS[@]}")

# All missing packages in one apt-get run (one dpkg pass instead of one per
# server). --no-start: Cyrus and its MTA dependency must not start
# instances of their own.
if ((${#targets[@]} > 1)); then
    require_root
    pkgs=()
    for s in "${targets[@]}"; do
        mapfile -t -O "${#pkgs[@]}" pkgs < <("$HERE/$s.sh" packages)
    done
    ensure_packages --no-start "${pkgs[@]}"
fi

for s in "${targets[@]}"; do
    "$HERE/$s.sh" up
done
