#!/usr/bin/env bash
# Xandikos 0.2.8 on 127.0.0.1:8300: single user, no authentication; the
# current-user-principal is fixed to /alice/ by a flag.
#
#   xandikos.sh up      install, create alice's principal + calendar, start
#   xandikos.sh down    stop what `up` started
#   xandikos.sh status  exit 0 if running and answering
#   xandikos.sh packages  the Debian packages it needs (for up.sh)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

STATE=$STAGING_ROOT/xandikos
DATA=$STATE/data
PIDFILE=$STATE/xandikos.pid
LOGFILE=$STATE/xandikos.log
PORT=8300
BASE=http://127.0.0.1:$PORT
PRINCIPAL=/alice/
PATTERN="xandikos -d $DATA"

PACKAGES=(xandikos curl)

# The principal, its calendar home and default calendar, address book and
# schedule inbox, made with xandikos' own API before the server starts (the
# server's --defaults does the same at every start; PrincipalCollection.create
# is broken in 0.2.8, the backend's create_principal works).
ensure_principal() {
    [[ -d $DATA${PRINCIPAL}calendars/calendar ]] && return 0
    log "xandikos: creating principal $PRINCIPAL with default collections"
    install -d -m 755 "$DATA"
    "$SYSTEM_PYTHON" - "$DATA" "$PRINCIPAL" <<'EOF'
import sys
from xandikos.web import XandikosBackend

backend = XandikosBackend(sys.argv[1])
# create_defaults: calendars/calendar, contacts/addressbook, inbox
# (create_principal_defaults); each step skips what already exists.
backend.create_principal(sys.argv[2], create_defaults=True)
EOF
}

running() { pid_running "$PIDFILE" "$PATTERN"; }

cmd_up() {
    require_root
    ensure_packages "${PACKAGES[@]}"
    lock_server xandikos
    ensure_principal
    if running && [[ $(http_code "$BASE/health") != 200 ]]; then
        log "xandikos: running but not answering, restarting"
        stop_pidfile xandikos "$PIDFILE" "$PATTERN"
    fi
    if ! running; then
        port_busy $PORT && die "xandikos: 127.0.0.1:$PORT is taken by another process (not ours)"
        log "xandikos: starting"
        start_bg "$PIDFILE" "$LOGFILE" "$SYSTEM_PYTHON" /usr/bin/xandikos -d "$DATA" \
            --current-user-principal "$PRINCIPAL" -l 127.0.0.1 -p "$PORT"
        wait_http xandikos "$BASE/health" "$PIDFILE" "$PATTERN" "$LOGFILE" 30
    fi
    local code
    code=$(http_code "$BASE${PRINCIPAL}calendars/calendar/" -X PROPFIND -H 'Depth: 0')
    [[ $code == 207 ]] || die "xandikos: PROPFIND ${PRINCIPAL}calendars/calendar/ -> $code (log: $LOGFILE)"
    log "xandikos: up ($BASE, principal $PRINCIPAL)"
}

cmd_down() {
    lock_server xandikos
    stop_pidfile xandikos "$PIDFILE" "$PATTERN"
}

cmd_status() {
    running && [[ $(http_code "$BASE/health") == 200 ]]
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    *) die "usage: $0 [up|down|status|packages]" ;;
esac
