#!/usr/bin/env bash
# Stop the staging servers that up.sh started (by their pidfiles). Packages
# and state (users, calendars, certificate) stay for the next up.sh.
#
#   staging/down.sh [cyrus|radicale|xandikos|sabredav|all]...   (default: all)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"
parse_targets "$@"
targets=("${TARGETS[@]}")

for s in "${targets[@]}"; do
    # The OAuth tests' JWT listener shares Cyrus's mailboxes: it goes down with Cyrus.
    [[ $s == cyrus ]] && "$HERE/cyrus-jwt.sh" down
    "$HERE/$s.sh" down
done
