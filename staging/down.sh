#!/usr/bin/env bash
# Stop the staging servers that up.sh started (by their pidfiles). Packages
# and state (users, calendars, certificate) stay for the next up.sh.
#
#   staging/down.sh [cyrus|radicale|xandikos|sabredav|postgres|davical|sogo|all]...   (default: all)
#
# PostgreSQL is shared (DAViCal, SOGo): `down.sh davical` leaves it running;
# name postgres (or all) to stop it too.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"
parse_targets "$@"
targets=("${TARGETS[@]}")

# In reverse: servers go down before the PostgreSQL they use.
for ((i = ${#targets[@]} - 1; i >= 0; i--)); do
    s=${targets[i]}
    # The OAuth tests' JWT listener shares Cyrus's mailboxes: it goes down with Cyrus.
    [[ $s == cyrus ]] && "$HERE/cyrus-jwt.sh" down
    "$HERE/$s.sh" down
done
