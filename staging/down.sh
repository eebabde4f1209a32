#!/usr/bin/env bash
# Stop the staging servers that up.sh started (by their pidfiles). Packages
# and state (users, calendars, certificate) stay for the next up.sh.
#
#   staging/down.sh [cyrus|radicale|xandikos|all]...   (default: all)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS=(cyrus radicale xandikos)

targets=()
for arg in "${@:-all}"; do
    case $arg in
        all) targets+=("${SERVERS[@]}") ;;
        cyrus | radicale | xandikos) targets+=("$arg") ;;
        *) echo "usage: $0 [cyrus|radicale|xandikos|all]..." >&2; exit 2 ;;
    esac
done

for s in "${targets[@]}"; do
    # The OAuth tests' JWT listener shares Cyrus's mailboxes: it goes down with Cyrus.
    [[ $s == cyrus ]] && "$HERE/cyrus-jwt.sh" down
    "$HERE/$s.sh" down
done
