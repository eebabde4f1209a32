#!/usr/bin/env bash
# Cyrus IMAP 3.6 with CalDAV, on 127.0.0.1 only, for calshare's tests.
#
#   cyrus.sh up        install, configure, start, create users (idempotent)
#   cyrus.sh down      stop what `up` started
#   cyrus.sh status    exit 0 if running and answering
#   cyrus.sh users N   create numbered users u001..uNNN (password u-pw)
#   cyrus.sh named NAME...  create named users (password <name>-pw, <name>@example.test), idempotent:
#                      owners that a single test file has to itself (no other file writes their ACLs)
#   cyrus.sh check     sanity checks of a running server
#   cyrus.sh packages  the Debian packages it needs (for up.sh)
#
# Env: CALSHARE_STAGING_DIR (state root), CYRUS_EXTRA_USERS=N (with `up`).
# Facts behind the config: /work/shared/staging/SERVERS.md (Cyrus section).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

STATE=$STAGING_ROOT/cyrus
CONF=$STATE/etc/imapd.conf
MASTER_CONF=$STATE/etc/cyrus.conf
PIDFILE=$STATE/master.pid
LOGFILE=$STATE/master.log
CERT=$STATE/tls/cert.pem
KEY=$STATE/tls/key.pem
SASLDB=$STATE/sasldb2
BIN=/usr/lib/cyrus/bin
# Matched against the master's command line to recognise our own process.
PATTERN="$BIN/master -C $CONF"

HTTP_PORT=8008
HTTPS_PORT=8443
IMAP_PORT=1143
BASE=http://127.0.0.1:$HTTP_PORT

ADMIN=cyrusadmin
ADMIN_PW='admin-pw'
USERS=(alice bob carol) # password: <user>-pw
EXTRA_PW='u-pw'

PACKAGES=(cyrus-imapd cyrus-caldav cyrus-admin cyrus-clients sasl2-bin
    libsasl2-modules openssl curl)

# Sets CONFIG_CHANGED=1 if a file changed (a running server must restart).
write_config() {
    install -d -o cyrus -g mail -m 750 "$STATE" "$STATE/lib" "$STATE/spool" \
        "$STATE/run" "$STATE/run/socket" "$STATE/run/proc" "$STATE/run/lock"
    # The subdirectories Debian's makedirs creates (recover wants lib/db).
    install -d -o cyrus -g mail -m 700 "$STATE"/lib/{db,log,msg,quota,user}
    install -d -m 755 "$STATE/etc" "$STATE/tls"

    # altnamespace/unixhierarchysep off as in Debian's own imapd.conf (the
    # upstream defaults are on): mailbox names are then user.alice, and
    # user names cannot contain dots.
    write_config_file "$CONF" <<EOF
# Written by staging/cyrus.sh; edits are overwritten.
configdirectory: $STATE/lib
partition-default: $STATE/spool
defaultpartition: default
servername: localhost
admins: $ADMIN
virtdomains: off
altnamespace: no
unixhierarchysep: no
hashimapspool: true
umask: 077
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $SASLDB
sasl_mech_list: PLAIN LOGIN
sasl_auto_transition: no
# webdav is required for share/ACL requests to accept principal hrefs.
httpmodules: caldav carddav webdav
httpallowcompress: no
calendar_user_address_set: example.test
# Else sharee hrefs read mailto:bob@internal.
defaultdomain: example.test
tls_server_cert: $CERT
tls_server_key: $KEY
proc_path: $STATE/run/proc
mboxname_lockpath: $STATE/run/lock
lmtpsocket: $STATE/run/socket/lmtp
idlesocket: $STATE/run/socket/idle
notifysocket: $STATE/run/socket/notify
syslog_prefix: calshare-cyrus
EOF

    # master does not pass -C on to its children: every command needs it.
    write_config_file "$MASTER_CONF" <<EOF
# Written by staging/cyrus.sh; edits are overwritten.
START {
  recover cmd="$BIN/ctl_cyrusdb -C $CONF -r"
}
SERVICES {
  imap  cmd="$BIN/imapd -C $CONF" listen="127.0.0.1:$IMAP_PORT" prefork=0
  http  cmd="$BIN/httpd -C $CONF" listen="127.0.0.1:$HTTP_PORT" prefork=1
  https cmd="$BIN/httpd -s -C $CONF" listen="127.0.0.1:$HTTPS_PORT" prefork=0
}
EVENTS {
  checkpoint cmd="$BIN/ctl_cyrusdb -C $CONF -c" period=30
}
EOF
}

ensure_cert() {
    [[ -s $CERT && -s $KEY ]] && return 0
    log "cyrus: generating self-signed certificate"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
        -keyout "$KEY.tmp" -out "$CERT.tmp" 2>/dev/null
    # httpd runs as cyrus and must read the key.
    chown cyrus:mail "$KEY.tmp" "$CERT.tmp"
    chmod 640 "$KEY.tmp"
    chmod 644 "$CERT.tmp"
    mv -f "$KEY.tmp" "$KEY"
    mv -f "$CERT.tmp" "$CERT"
}

# sasl_set_users PASSWORD USER...: adds the users missing from the sasldb,
# all with one password. The sasldb is listed once per run, not per user.
declare -A SASL_HAVE=()
SASL_LISTED=0
sasl_set_users() {
    local pw=$1 u
    shift
    if ((!SASL_LISTED)) && [[ -f $SASLDB ]]; then
        while IFS= read -r u; do
            SASL_HAVE[${u%%@*}]=1
        done < <(sasldblistusers2 -f "$SASLDB" 2>/dev/null | cut -d: -f1)
    fi
    SASL_LISTED=1
    local added=0
    for u in "$@"; do
        [[ -n ${SASL_HAVE[$u]:-} ]] && continue
        printf '%s' "$pw" | saslpasswd2 -f "$SASLDB" -c -p -u localhost "$u"
        SASL_HAVE[$u]=1
        added=1
    done
    if ((added)); then
        chown cyrus:mail "$SASLDB"
        chmod 640 "$SASLDB"
    fi
}

running() { pid_running "$PIDFILE" "$PATTERN"; }

start_master() {
    local p
    for p in $HTTP_PORT $HTTPS_PORT $IMAP_PORT; do
        port_busy "$p" && die "cyrus: 127.0.0.1:$p is taken by another process (not ours)"
    done
    log "cyrus: starting master"
    # The master writes its own pidfile (-p, default /run/master.pid would
    # clash with a system instance); ours is the one start_bg writes.
    start_bg "$PIDFILE" "$LOGFILE" \
        "$BIN/master" -C "$CONF" -M "$MASTER_CONF" -p "$STATE/run/master.pid" -L "$LOGFILE"
    wait_http cyrus "$BASE/" "$PIDFILE" "$PATTERN" "$LOGFILE" 30
    wait_http cyrus-https "https://127.0.0.1:$HTTPS_PORT/" "$PIDFILE" "$PATTERN" "$LOGFILE" 30 \
        --cacert "$CERT"
    local deadline=$((SECONDS + 30))
    until port_busy $IMAP_PORT; do
        ((SECONDS < deadline)) || die "cyrus: IMAP not listening on $IMAP_PORT (log: $LOGFILE)"
        sleep 0.1
    done
}

# imap_create_mailboxes USER...: as the admin, creates user.<u> for the
# given users that have none (one IMAP session for all of them), then prints
# the users whose Default calendar does not exist yet (those need a first
# DAV request). Mailboxes can only be created over IMAP.
imap_create_mailboxes() {
    printf '%s\n' "$@" | ADMIN="$ADMIN" ADMIN_PW="$ADMIN_PW" PORT="$IMAP_PORT" perl -e '
        use strict; use warnings;
        use Cyrus::IMAP::Admin;
        my $c = Cyrus::IMAP::Admin->new("127.0.0.1", $ENV{PORT})
            or die "cannot connect to IMAP\n";
        $c->authenticate(-user => $ENV{ADMIN}, -password => $ENV{ADMIN_PW},
                         -mechanism => "PLAIN")
            or die "admin login failed: " . ($c->error // "?") . "\n";
        # Two narrow LISTs (% = one level), not user.*: the tests add
        # calendars all the time and a full listing would grow with them.
        my (%box, %cal);
        for my $m ($c->listmailbox("user.%")) {
            $box{$1} = 1 if $m->[0] =~ /^user\.([^.]+)$/;
        }
        for my $m ($c->listmailbox("user.%.#calendars.Default")) {
            $cal{$1} = 1 if $m->[0] =~ /^user\.([^.]+)\.#calendars\.Default$/;
        }
        while (my $u = <STDIN>) {
            chomp $u;
            next if $u eq "";
            unless ($box{$u}) {
                $c->create("user.$u") or die "create user.$u: " . $c->error . "\n";
            }
            print "$u\n" unless $cal{$u};
        }
    '
}

# dav_provision own|PASSWORD USER...: one authenticated PROPFIND per user
# (password <user>-pw for `own`, else PASSWORD for all) makes Cyrus create the calendar home, Default, Inbox/Outbox. All
# requests go through one curl process, a few in parallel.
dav_provision() {
    local pwmode=$1
    shift
    (($#)) || return 0
    local cfg u pw out bad
    cfg=$(mktemp /tmp/calshare-cyrus-curl.XXXXXX)
    for u in "$@"; do
        if [[ $pwmode == own ]]; then pw="$u-pw"; else pw=$pwmode; fi
        # `next` separates transfers; options do not carry over past it.
        [[ -s $cfg ]] && printf 'next\n' >>"$cfg"
        printf 'url = "%s/dav/calendars/user/%s/"\nuser = "%s:%s"\nrequest = "PROPFIND"\nheader = "Depth: 0"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{url}\\n"\n' \
            "$BASE" "$u" "$u" "$pw" >>"$cfg"
    done
    out=$(curl --no-progress-meter -Z --parallel-max 4 -K "$cfg" || true)
    rm -f "$cfg"
    bad=$(grep -v '^207 ' <<<"$out" || true)
    [[ -z $bad ]] || die "cyrus: DAV provisioning failed for: $bad"
}

ensure_users() {
    sasl_set_users "$ADMIN_PW" "$ADMIN"
    local u out need=()
    for u in "${USERS[@]}"; do sasl_set_users "$u-pw" "$u"; done
    # Not `mapfile < <(...)`: a failure inside a process substitution would
    # not stop the script.
    out=$(imap_create_mailboxes "${USERS[@]}")
    [[ -z $out ]] || mapfile -t need <<<"$out"
    if ((${#need[@]})); then
        log "cyrus: provisioning DAV for ${need[*]}"
        dav_provision own "${need[@]}"
    fi
}

extra_users() {
    local n=$1 i name out names=() need=()
    [[ $n =~ ^[0-9]+$ ]] || die "users: N must be a number"
    ((n > 0)) || return 0
    local t0=$EPOCHREALTIME t1 t2
    for ((i = 1; i <= n; i++)); do
        printf -v name 'u%03d' "$i"
        names+=("$name")
    done
    sasl_set_users "$EXTRA_PW" "${names[@]}"
    t1=$EPOCHREALTIME
    out=$(imap_create_mailboxes "${names[@]}")
    [[ -z $out ]] || mapfile -t need <<<"$out"
    t2=$EPOCHREALTIME
    if ((${#need[@]})); then
        dav_provision "$EXTRA_PW" "${need[@]}"
    fi
    log "$(printf 'cyrus: %d numbered users ensured, %d newly provisioned (sasl %.1fs, imap %.1fs, dav %.1fs)' \
        "$n" "${#need[@]}" "$(elapsed "$t0" "$t1")" "$(elapsed "$t1" "$t2")" "$(elapsed "$t2" "$EPOCHREALTIME")")"
}

# named_users NAME...: like ensure_users, for accounts a test file owns alone (password <name>-pw).
named_users() {
    local u out need=()
    for u in "$@"; do
        # Safe as a sasl user, an IMAP mailbox (user.<name>) and a URL path segment.
        [[ $u =~ ^[a-z][a-z0-9-]{0,30}$ ]] || die "named: '$u' is not a user name (a-z, 0-9, -)"
        sasl_set_users "$u-pw" "$u"
    done
    out=$(imap_create_mailboxes "$@")
    [[ -z $out ]] || mapfile -t need <<<"$out"
    if ((${#need[@]})); then
        log "cyrus: provisioning DAV for ${need[*]}"
        dav_provision own "${need[@]}"
    fi
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }

cmd_up() {
    require_root
    ensure_packages --no-start "${PACKAGES[@]}"
    lock_server cyrus
    write_config
    ensure_cert
    if running; then
        if ((CONFIG_CHANGED)); then
            log "cyrus: config changed, restarting"
            stop_pidfile cyrus "$PIDFILE" "$PATTERN"
        elif [[ $(http_code "$BASE/") == 000 ]]; then
            log "cyrus: running but not answering, restarting"
            stop_pidfile cyrus "$PIDFILE" "$PATTERN"
        fi
    fi
    # Users in the sasldb before the start: harmless, and saves a round.
    if ! running; then
        reap_leftovers cyrus "$PIDFILE" "-C $CONF"
        start_master
    fi
    ensure_users
    extra_users "${CYRUS_EXTRA_USERS:-0}"
    log "cyrus: up ($BASE, https://127.0.0.1:$HTTPS_PORT, imap 127.0.0.1:$IMAP_PORT)"
}

cmd_down() {
    lock_server cyrus
    stop_pidfile cyrus "$PIDFILE" "$PATTERN"
}

cmd_status() {
    running && [[ $(http_code "$BASE/") != 000 ]]
}

cmd_users() {
    require_root
    running || die "cyrus is not running: run staging/up.sh cyrus first"
    lock_server cyrus
    extra_users "${1:?usage: cyrus.sh users N}"
}

cmd_named() {
    require_root
    (($#)) || die "usage: cyrus.sh named NAME..."
    running || die "cyrus is not running: run staging/up.sh cyrus first"
    lock_server cyrus
    named_users "$@"
}

# Sanity checks that the tests rely on.
cmd_check() {
    local code fail=0
    expect() { # WHAT EXPECTED CODE
        if [[ $3 == "$2" ]]; then log "ok   $1 -> $3"; else log "FAIL $1 -> $3 (want $2)"; fail=1; fi
    }
    code=$(http_code "$BASE/dav/calendars/user/alice/Default/" -u alice:alice-pw -X PROPFIND -H 'Depth: 0')
    expect "alice PROPFIND own Default" 207 "$code"
    code=$(http_code "https://127.0.0.1:$HTTPS_PORT/dav/calendars/user/alice/" --cacert "$CERT" -u alice:alice-pw -X PROPFIND -H 'Depth: 0')
    expect "alice PROPFIND home over https (--cacert)" 207 "$code"
    code=$(http_code "$BASE/dav/calendars/user/alice/" -u alice:wrong -X PROPFIND -H 'Depth: 0')
    expect "wrong password" 401 "$code"
    code=$(http_code "$BASE/dav/principals/user/bob/" -u alice:alice-pw -X PROPFIND -H 'Depth: 0')
    expect "alice PROPFIND bob's principal (exists)" 403 "$code"
    code=$(http_code "$BASE/dav/principals/user/nosuchuser/" -u alice:alice-pw -X PROPFIND -H 'Depth: 0')
    expect "alice PROPFIND nosuchuser principal" 404 "$code"
    if sasldblistusers2 -f "$SASLDB" 2>/dev/null | grep -q '^u001@'; then
        code=$(http_code "$BASE/dav/principals/user/u001/" -u alice:alice-pw -X PROPFIND -H 'Depth: 0')
        expect "alice PROPFIND u001 principal (exists)" 403 "$code"
    fi
    return $fail
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    users) shift; cmd_users "$@" ;;
    named) shift; cmd_named "$@" ;;
    check) cmd_check ;;
    *) die "usage: $0 [up|down|status|users N|named NAME...|check|packages]" ;;
esac
