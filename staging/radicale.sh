#!/usr/bin/env bash
# Radicale 3.1 on 127.0.0.1:5232, htpasswd (bcrypt) auth, rights from a file.
#
#   radicale.sh up            install, configure, start, create users + calendars
#   radicale.sh down          stop what `up` started
#   radicale.sh status        exit 0 if running and answering
#   radicale.sh reset-rights  put back the owner-only rights file (drops shares)
#   radicale.sh packages      the Debian packages it needs (for up.sh)
#
# Radicale has no sharing over DAV; a share is a section in the rights file
# (see the comment written into it). `up` writes the rights file only when it
# is missing, so shares a test inserted survive a repeated `up`.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

STATE=$STAGING_ROOT/radicale
CONF=$STATE/config
RIGHTS=$STATE/rights
HTPASSWD=$STATE/users
PIDFILE=$STATE/radicale.pid
LOGFILE=$STATE/radicale.log
PORT=5232
BASE=http://127.0.0.1:$PORT
PATTERN="radicale --config $CONF"
USERS=(alice bob carol) # password: <user>-pw

# python3-bcrypt: htpasswd_encryption=bcrypt; apache2-utils: htpasswd -B.
PACKAGES=(radicale python3-bcrypt python3-passlib apache2-utils curl)

write_config() {
    install -d -m 755 "$STATE" "$STATE/collections"
    # With --config, /etc/radicale/config is not read: this is all of it.
    write_config_file "$CONF" <<EOF
# Written by staging/radicale.sh; edits are overwritten.
[server]
hosts = 127.0.0.1:$PORT

[auth]
type = htpasswd
htpasswd_filename = $HTPASSWD
htpasswd_encryption = bcrypt
# No sleep after a failed login: tests probe wrong passwords on purpose.
delay = 0

[rights]
type = from_file
file = $RIGHTS

[storage]
filesystem_folder = $STATE/collections

[web]
type = none

[logging]
level = info
mask_passwords = True
EOF
}

write_rights() {
    cat >"$RIGHTS.tmp" <<'EOF'
# Radicale rights (type = from_file). Written by staging/radicale.sh when
# missing; `radicale.sh reset-rights` writes it again.
#
# Radicale re-reads this file on every request. Sections are tried in file
# order; the first whose `user` regex fullmatches the login AND whose
# `collection` regex fullmatches the path (no leading/trailing slash) decides,
# and its `permissions` letters are all that user gets there:
#   r / w  read / write calendars and address books
#   R / W  read / write other collections (the root "", principals "alice")
#   i      GET only
# No matching section: no access. In `collection`, {user} is the login
# (regex-escaped), {0}.. are groups of the `user` regex; write {{ }} for
# literal braces. Section names must be unique and every regex valid, or
# EVERY request from every user fails with 500: write a new file and rename
# it over this one (atomic), never edit in place.
#
# Sharing = inserting sections at the marker near the end, e.g. alice shares
# alice/calendar with bob read-only (rw for read-write, which also lets bob
# rename and delete the calendar):
#
#   [share:bob:alice/calendar]
#   user: bob
#   collection: alice/calendar
#   permissions: r
#
#   [share:bob:alice]
#   user: bob
#   collection: alice
#   permissions: R
#
# (the second one lets bob PROPFIND alice's principal and see the calendar
# listed; leave it out for a share by URL only). `collection` is a regex:
# escape dots and the like in names. A share is revoked by removing its
# sections.

# Any logged-in user may read the root (discovery: current-user-principal).
[root]
user: .+
collection:
permissions: R

# Owner-only: the principal collection named after the user...
[principal]
user: .+
collection: {user}
permissions: RW

# ...and the calendars / address books directly inside it.
[calendars]
user: .+
collection: {user}/[^/]+
permissions: rw

# --- shares: insert share sections below this line ---
EOF
    mv -f "$RIGHTS.tmp" "$RIGHTS"
}

ensure_users() {
    touch "$HTPASSWD"
    chmod 600 "$HTPASSWD"
    local u
    for u in "${USERS[@]}"; do
        grep -q "^$u:" "$HTPASSWD" && continue
        # -i: password from stdin (not on the command line).
        printf '%s\n' "$u-pw" | htpasswd -B -i "$HTPASSWD" "$u" 2>/dev/null
    done
}

# One calendar per user, made by the user over DAV as a client would.
ensure_calendars() {
    local u code name
    for u in "${USERS[@]}"; do
        code=$(http_code "$BASE/$u/calendar/" -u "$u:$u-pw" -X PROPFIND -H 'Depth: 0')
        [[ $code == 207 ]] && continue
        name="${u^}'s calendar"
        code=$(http_code "$BASE/$u/calendar/" -u "$u:$u-pw" -X MKCALENDAR \
            -H 'Content-Type: application/xml; charset=utf-8' --data-binary @- <<EOF
<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>$name</D:displayname>
    <C:supported-calendar-component-set>
      <C:comp name="VEVENT"/><C:comp name="VTODO"/>
    </C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>
EOF
        )
        [[ $code == 201 ]] || die "radicale: MKCALENDAR /$u/calendar/ as $u -> $code (log: $LOGFILE)"
        log "radicale: created /$u/calendar/"
    done
}

running() { pid_running "$PIDFILE" "$PATTERN"; }

cmd_up() {
    require_root
    ensure_packages "${PACKAGES[@]}"
    lock_server radicale
    write_config
    [[ -f $RIGHTS ]] || write_rights
    ensure_users
    if running; then
        if ((CONFIG_CHANGED)); then
            log "radicale: config changed, restarting"
            stop_pidfile radicale "$PIDFILE" "$PATTERN"
        elif [[ $(http_code "$BASE/.well-known/caldav") == 000 ]]; then
            log "radicale: running but not answering, restarting"
            stop_pidfile radicale "$PIDFILE" "$PATTERN"
        fi
    fi
    if ! running; then
        port_busy $PORT && die "radicale: 127.0.0.1:$PORT is taken by another process (not ours)"
        log "radicale: starting"
        # Debian's python, not a PATH python3 that lacks the package.
        start_bg "$PIDFILE" "$LOGFILE" "$SYSTEM_PYTHON" -m radicale --config "$CONF"
        wait_http radicale "$BASE/.well-known/caldav" "$PIDFILE" "$PATTERN" "$LOGFILE" 30
    fi
    ensure_calendars
    log "radicale: up ($BASE)"
}

cmd_down() {
    lock_server radicale
    stop_pidfile radicale "$PIDFILE" "$PATTERN"
}

cmd_status() {
    running && [[ $(http_code "$BASE/.well-known/caldav") != 000 ]]
}

cmd_reset_rights() {
    lock_server radicale
    write_rights
    log "radicale: rights reset to owner-only ($RIGHTS)"
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    reset-rights) cmd_reset_rights ;;
    *) die "usage: $0 [up|down|status|reset-rights|packages]" ;;
esac
