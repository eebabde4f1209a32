#!/usr/bin/env bash
# Bearer-token (JWT) authentication on the staging Cyrus, for calshare's OAuth tests.
#
#   cyrus-jwt.sh up [MAX_AGE]   enable JWTs (idempotent); MAX_AGE = http_jwt_max_age seconds (default 2)
#   cyrus-jwt.sh down           stop what `up` started
#   cyrus-jwt.sh key            print the path of the HS256 key file (PEM "HMAC KEY")
#   cyrus-jwt.sh url            print the base URL of the JWT-enabled listener
#
# Facts (../shared/staging/SERVERS.md, "Cyrus and OAuth bearer tokens"; imapd.conf(5)):
# `http_jwt_key_dir` names a directory of PEM keys, a `-----BEGIN HMAC KEY-----` file holds a
# base64 secret for HS256; the JWS header may carry only alg and typ, the payload only sub and
# iat; `http_jwt_max_age` expires a token that long after its iat.
#
# Why a second listener instead of editing the staging imapd.conf and HUPing its master:
# staging/cyrus.sh rewrites imapd.conf on every `up` and restarts Cyrus when the content
# differs. Every test file calls `up` (test/helpers/staging.ts), so an edited imapd.conf would
# be reverted mid-suite, by a restart that cuts every other test's connections. Instead this
# script runs a second Cyrus master with ONE http service on 127.0.0.1:8010 whose config is
# the staging imapd.conf plus the two JWT lines: the same mailboxes, users and sasldb, but the
# staging server's own files are never touched. A change of MAX_AGE or of the staging config
# restarts only this listener.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

CYRUS=$STAGING_ROOT/cyrus
BASE_CONF=$CYRUS/etc/imapd.conf
STATE=$STAGING_ROOT/cyrus-jwt
CONF=$STATE/imapd.conf
MASTER_CONF=$STATE/cyrus.conf
KEYDIR=$STATE/keys
KEY=$KEYDIR/calshare-hs256.pem
PIDFILE=$STATE/master.pid
LOGFILE=$STATE/master.log
BIN=/usr/lib/cyrus/bin
PATTERN="$BIN/master -C $CONF"
# 8010 unless something else holds it when we start: then the first free port after it, kept in
# $PORT_FILE so `url` names the port the running master listens on.
PORT_FILE=$STATE/port
PORT=$(cat "$PORT_FILE" 2>/dev/null || echo 8010)
BASE=http://127.0.0.1:$PORT

running() { pid_running "$PIDFILE" "$PATTERN"; }

ensure_key() {
    install -d -o cyrus -g mail -m 750 "$STATE" "$KEYDIR"
    [[ -s $KEY ]] && return 0
    log "cyrus-jwt: generating an HS256 key"
    # 32 random bytes, base64: the shared secret the test's authorization server signs with.
    { echo '-----BEGIN HMAC KEY-----'; openssl rand -base64 32; echo '-----END HMAC KEY-----'; } >"$KEY.tmp"
    chown cyrus:mail "$KEY.tmp"
    chmod 640 "$KEY.tmp"
    mv -f "$KEY.tmp" "$KEY"
}

write_config() {
    local max_age=$1
    [[ -s $BASE_CONF ]] || die "cyrus-jwt: $BASE_CONF missing: run staging/up.sh cyrus first"
    # The staging config, minus anything JWT-related it may gain one day, plus ours.
    {
        echo "# Written by staging/cyrus-jwt.sh from $BASE_CONF; edits are overwritten."
        grep -v -E '^(#|http_jwt_|syslog_prefix:)' "$BASE_CONF"
        echo "syslog_prefix: calshare-cyrus-jwt"
        echo "http_jwt_key_dir: $KEYDIR"
        echo "http_jwt_max_age: $max_age"
    } | write_config_file "$CONF"
    # No START section: recovery (ctl_cyrusdb -r) belongs to the staging master alone.
    write_config_file "$MASTER_CONF" <<EOF
# Written by staging/cyrus-jwt.sh; edits are overwritten.
SERVICES {
  httpjwt cmd="$BIN/httpd -C $CONF" listen="127.0.0.1:$PORT" prefork=1
}
EOF
}

cmd_up() {
    local max_age=${1:-2}
    [[ $max_age =~ ^[0-9]+$ ]] || die "usage: $0 up [MAX_AGE seconds]"
    require_root
    "$HERE/cyrus.sh" status || die "cyrus-jwt: the staging Cyrus is not running: run staging/up.sh cyrus first"
    lock_server cyrus-jwt
    ensure_key
    write_config "$max_age"
    if running && ((CONFIG_CHANGED)); then
        log "cyrus-jwt: config changed, restarting"
        stop_pidfile cyrus-jwt "$PIDFILE" "$PATTERN"
    fi
    if ! running; then
        if port_busy "$PORT"; then
            local p
            for p in $(seq 8010 8039); do port_busy "$p" || { PORT=$p; break; }; done
            port_busy "$PORT" && die "cyrus-jwt: 127.0.0.1:8010-8039 are all taken by other processes"
            log "cyrus-jwt: the port it had is taken by another process; using 127.0.0.1:$PORT"
            BASE=http://127.0.0.1:$PORT
            write_config "$max_age"
        fi
        echo "$PORT" >"$PORT_FILE"
        log "cyrus-jwt: starting master on $BASE"
        start_bg "$PIDFILE" "$LOGFILE" \
            "$BIN/master" -C "$CONF" -M "$MASTER_CONF" -p "$STATE/master-own.pid" -L "$LOGFILE"
        wait_http cyrus-jwt "$BASE/" "$PIDFILE" "$PATTERN" "$LOGFILE" 30
    fi
    log "cyrus-jwt: up ($BASE, http_jwt_max_age $max_age s, key $KEY)"
}

cmd_down() {
    lock_server cyrus-jwt
    stop_pidfile cyrus-jwt "$PIDFILE" "$PATTERN"
}

case ${1:-up} in
    up) shift || true; cmd_up "$@" ;;
    down) cmd_down ;;
    key) echo "$KEY" ;;
    url) echo "$BASE/" ;;
    *) die "usage: $0 [up [MAX_AGE]|down|key|url]" ;;
esac
