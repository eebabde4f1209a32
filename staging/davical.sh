#!/usr/bin/env bash
# DAViCal 1.1 (Debian 12) under its own Apache + mod_php, on 127.0.0.1:8100
# (https 8101), with its data in the shared PostgreSQL (staging/postgres.sh).
#
#   davical.sh up        install, configure, start, create users (idempotent)
#   davical.sh down      stop Apache (PostgreSQL stays: SOGo may use it)
#   davical.sh status    exit 0 if running and answering
#   davical.sh reset     clean sharing state: no grants, no bindings, every
#                        user's default calendar present
#   davical.sh wipe      drop the database and create it again (then `up`)
#   davical.sh packages  the Debian packages it needs (for up.sh)
#
# Facts behind this script: /work/shared/staging/DAVICAL.md (§1).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

STATE=$STAGING_ROOT/davical
CONF=$STATE/apache2.conf
PIDFILE=$STATE/apache2.pid # ours (start_bg): the foreground Apache parent
HTTPD_PIDFILE=$STATE/run/httpd.pid # Apache's own PidFile (same process)
LOGFILE=$STATE/apache2.log # Apache's stderr; DAViCal logs to error.log
CERT=$STATE/tls/cert.pem
KEY=$STATE/tls/key.pem
PATTERN="apache2 -f $CONF"

HTTP_PORT=8100
HTTPS_PORT=8101
BASE=http://127.0.0.1:$HTTP_PORT

DB=davical
ADMIN=admin
ADMIN_PW='admin-pw'
USERS=(alice bob carol dave erin frank henry) # password <user>-pw, email <user>@example.test...
# ...except where named here: a user name that is not the address's local part, as DAViCal allows
# (tests prove calshare finds people by address, not by guessing the principal URL from it).
declare -A EMAIL_OF=([henry]=hal@example.test)
email_of() { printf '%s\n' "${EMAIL_OF[$1]:-$1@example.test}"; }

# Named one by one instead of relying on `php`'s first alternative, so that
# the Apache module (not php-fpm or php-cgi) comes in.
PACKAGES=(davical libawl-php apache2 libapache2-mod-php php-pgsql php-xml php-cli php-curl
    postgresql postgresql-client libdbd-pg-perl libyaml-perl openssl curl ca-certificates)

write_config() {
    # Looked up after the install (libphp8.2.so on Debian 12).
    local PHP_MODULE
    PHP_MODULE=$(compgen -G '/usr/lib/apache2/modules/libphp8*.so' | head -n 1 || true)
    install -d -m 755 "$STATE" "$STATE/tls" "$STATE/run"
    install -d -m 750 -o www-data -g www-data "$STATE/run/mutex"
    if [[ ! -s $CERT || ! -s $KEY ]]; then
        log "davical: creating a self-signed certificate"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            -keyout "$KEY" -out "$CERT" 2>/dev/null
        chmod 600 "$KEY"
    fi
    [[ -n $PHP_MODULE ]] || die "davical: no PHP module for Apache under /usr/lib/apache2/modules"

    # DAViCal reads /etc/davical/config.php; the Debian sample stays aside.
    if [[ -f /etc/davical/config.php ]] && ! grep -q 'staging/davical.sh' /etc/davical/config.php; then
        mv -f /etc/davical/config.php /etc/davical/config.php.debian
    fi
    install -d -m 755 /etc/davical
    write_config_file /etc/davical/config.php <<EOF
<?php
// Written by staging/davical.sh; edits are overwritten.
\$c->pg_connect[] = "dbname=$DB user=davical_app port=$PG_PORT";
\$c->system_name = "DAViCal CalDAV Server";
\$c->admin_email = 'admin@example.test';
EOF

    # A standalone config instead of /etc/apache2: nothing else on the
    # machine is touched, and the system Apache (port 80) never starts.
    write_config_file "$CONF" <<EOF
# Written by staging/davical.sh; edits are overwritten.
ServerRoot "/etc/apache2"
ServerName localhost
DefaultRuntimeDir "$STATE/run"
PidFile "$HTTPD_PIDFILE"
Mutex file:$STATE/run/mutex default
User www-data
Group www-data
ErrorLog "$STATE/error.log"
LogLevel warn
LogFormat "%h %u %t \"%r\" %>s %b %Dus" timed
CustomLog "$STATE/access.log" timed

LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule php_module $PHP_MODULE

# Tests of several helpers run at once; each PHP request holds a process.
StartServers 2
MinSpareServers 2
MaxSpareServers 6
MaxRequestWorkers 32
KeepAlive On
Timeout 120

TypesConfig /etc/mime.types
<FilesMatch ".+\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>

Listen 127.0.0.1:$HTTP_PORT
Listen 127.0.0.1:$HTTPS_PORT
SSLSessionCache shmcb:$STATE/run/ssl_scache(512000)

DocumentRoot /usr/share/davical/htdocs
DirectoryIndex index.php
AcceptPathInfo On
<Directory />
    Require all denied
    AllowOverride None
</Directory>
<Directory /usr/share/davical/htdocs>
    Require all granted
</Directory>

# Debian's davical.conf rewrites, for a document root of DAViCal's htdocs.
RewriteEngine On
RewriteRule ^/\.well-known/(.*)$ /caldav.php/.well-known/\$1 [NC,PT]
RewriteRule ^/principals/users/(.*)$ /caldav.php/\$1 [NC,PT]
RewriteRule ^/principals/resources/(.*)$ /caldav.php/\$1 [NC,PT]

<VirtualHost 127.0.0.1:$HTTP_PORT>
    RewriteEngine On
    RewriteOptions Inherit
</VirtualHost>
<VirtualHost 127.0.0.1:$HTTPS_PORT>
    RewriteEngine On
    RewriteOptions Inherit
    SSLEngine on
    SSLCertificateFile $CERT
    SSLCertificateKeyFile $KEY
</VirtualHost>
EOF
}

# --- database ---------------------------------------------------------------

db_exists() {
    [[ $(pg_psql -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") == 1 ]]
}

# sql ARGS...: psql on DAViCal's database as the postgres superuser.
sql() { pg_psql -d "$DB" "$@"; }

ensure_database() {
    # DAViCal (as www-data) and its scripts connect over the Unix socket as
    # their own roles; first match wins, so these go ahead of Debian's rules.
    "$HERE/postgres.sh" hba davical <<EOF
local   $DB   davical_app   trust
local   $DB   davical_dba   trust
EOF
    db_exists && return 0
    log "davical: creating database $DB"
    # Creates the roles davical_dba / davical_app, the schema and the admin user.
    (cd / && runuser -u postgres -- /usr/share/davical/dba/create-database.sh "$DB" "$ADMIN_PW") \
        >>"$STATE/create-database.log" 2>&1 ||
        { tail -n 30 "$STATE/create-database.log" >&2; die "davical: create-database.sh failed"; }
    # '**' + plain text is a password DAViCal accepts as is (known, not random).
    sql -c "UPDATE usr SET password = '**$ADMIN_PW', active = true WHERE username = '$ADMIN'"
}

drop_database() {
    db_exists || return 0
    log "davical: dropping database $DB"
    pg_psql -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB'" >/dev/null
    pg_psql -d postgres -c "DROP DATABASE $DB"
}

# --- users ------------------------------------------------------------------

# create_user NAME: through DAViCal's admin web UI, as an administrator
# would. That path runs CreateHomeCollections (calendar/, .in/, .out/,
# addresses/); direct SQL would not (DAVICAL.md §1.5).
create_user() {
    local u=$1 jar page token out
    jar=$(mktemp /tmp/calshare-davical-jar.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -f '$jar'" RETURN
    local -a c=(curl -sS -m 30 -c "$jar" -b "$jar" -A calshare-staging)
    "${c[@]}" -o /dev/null "$BASE/index.php"
    "${c[@]}" -o /dev/null --data-binary @- "$BASE/index.php" \
        <<<"username=$ADMIN&password=$ADMIN_PW&submit=GO%21"
    page=$("${c[@]}" "$BASE/admin.php?action=edit&t=principal")
    token=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$page" | head -n 1)
    [[ -n $token ]] || die "davical: no csrf_token on the admin page (admin login failed?)"
    out=$("${c[@]}" "$BASE/admin.php?action=edit&t=principal" \
        -F "xxxxusername=$u" -F "newpass1=$u-pw" -F "newpass2=$u-pw" \
        -F "fullname=${u^} Example" -F "email=$(email_of "$u")" -F "locale=" \
        -F "date_format_type=E" -F "type_id=1" -F "is_admin=off" -F "user_active=on" \
        -F "default_privileges[fake_privilege_for_input]=0" \
        -F "default_privileges[read-free-busy]=on" \
        -F "default_privileges[schedule-deliver-invite]=on" \
        -F "default_privileges[schedule-deliver-reply]=on" \
        -F "default_privileges[schedule-query-freebusy]=on" \
        -F "_editor_action[editor_1]=insert" -F "submit=Create" -F "csrf_token=$token")
    grep -q 'Home calendar added' <<<"$out" ||
        die "davical: creating $u in the admin UI did not add a home calendar (log: $STATE/error.log)"
    log "davical: created user $u"
}

ensure_users() {
    local u list
    local -A have=()
    while read -r u; do [[ -n $u ]] && have[$u]=1; done < <(sql -tA -c "SELECT username FROM usr")
    for u in "${USERS[@]}"; do
        [[ -n ${have[$u]:-} ]] || create_user "$u"
        list+="${list:+,}('$u', '**$u-pw')"
    done
    # Known passwords also after someone changed one ('**' + plain text is
    # a form DAViCal accepts as is).
    sql -c "UPDATE usr SET password = v.pw, active = true FROM (VALUES $list) AS v(name, pw)
            WHERE usr.username = v.name AND (usr.password IS DISTINCT FROM v.pw OR NOT usr.active)"
}

# Each user's default calendar, made again by the user over DAV if a test
# deleted it.
ensure_calendars() {
    local u code
    for u in "${USERS[@]}"; do
        code=$(http_code "$BASE/caldav.php/$u/calendar/" -u "$u:$u-pw" -A calshare-staging \
            -X PROPFIND -H 'Depth: 0')
        [[ $code == 207 ]] && continue
        code=$(http_code "$BASE/caldav.php/$u/calendar/" -u "$u:$u-pw" -A calshare-staging \
            -X MKCALENDAR -H 'Content-Type: application/xml; charset=utf-8' --data-binary @- <<EOF
<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>${u^} Example calendar</D:displayname></D:prop></D:set>
</C:mkcalendar>
EOF
        )
        [[ $code == 201 ]] || die "davical: MKCALENDAR /caldav.php/$u/calendar/ as $u -> $code"
        log "davical: created /caldav.php/$u/calendar/"
    done
}

# --- server -----------------------------------------------------------------

running() { pid_running "$PIDFILE" "$PATTERN"; }

answering() {
    [[ $(http_code "$BASE/caldav.php/" -u "$ADMIN:$ADMIN_PW" -A calshare-staging \
        -X PROPFIND -H 'Depth: 0') == 207 ]]
}

cmd_up() {
    require_root
    ensure_packages --no-start "${PACKAGES[@]}"
    "$HERE/postgres.sh" up
    lock_server davical
    CONFIG_CHANGED=0
    write_config
    ensure_database
    if running; then
        if ((CONFIG_CHANGED)); then
            log "davical: config changed, restarting"
            stop_pidfile davical "$PIDFILE" "$PATTERN"
        elif ! answering; then
            log "davical: running but not answering, restarting"
            stop_pidfile davical "$PIDFILE" "$PATTERN"
        fi
    fi
    if ! running; then
        reap_leftovers davical "$PIDFILE" "$CONF"
        port_busy $HTTP_PORT && die "davical: 127.0.0.1:$HTTP_PORT is taken by another process (not ours)"
        port_busy $HTTPS_PORT && die "davical: 127.0.0.1:$HTTPS_PORT is taken by another process (not ours)"
        /usr/sbin/apache2 -f "$CONF" -t >/dev/null 2>&1 ||
            { /usr/sbin/apache2 -f "$CONF" -t; die "davical: Apache config check failed ($CONF)"; }
        log "davical: starting Apache"
        # Foreground: the parent's pid is the process group start_bg records.
        start_bg "$PIDFILE" "$LOGFILE" /usr/sbin/apache2 -f "$CONF" -DFOREGROUND
        wait_http davical "$BASE/caldav.php/" "$PIDFILE" "$PATTERN" "$LOGFILE" 30
    fi
    answering || die "davical: PROPFIND /caldav.php/ as $ADMIN is not 207 (log: $STATE/error.log)"
    [[ $(http_code "https://127.0.0.1:$HTTPS_PORT/caldav.php/" --cacert "$CERT" -u "$ADMIN:$ADMIN_PW" \
        -X PROPFIND -H 'Depth: 0') == 207 ]] || die "davical: https on $HTTPS_PORT does not answer"
    ensure_users
    ensure_calendars
    log "davical: up ($BASE, https://127.0.0.1:$HTTPS_PORT)"
}

cmd_down() {
    lock_server davical
    stop_pidfile davical "$PIDFILE" "$PATTERN"
}

cmd_status() {
    running && answering
}

# Clean sharing state, without restarting anything. Grants (calendar ACEs,
# principal-level grants and the calendar-proxy memberships they back) and
# BIND mounts go; DAViCal has no DAV way to delete an empty-grant ACE
# (DAVICAL.md §5.3), so this is SQL. Calendars back to inheriting the
# owner's default privileges (an RFC-style full ACL pins them).
cmd_reset() {
    require_root
    lock_server davical
    sql -c "DELETE FROM grants" -c "DELETE FROM dav_binding" \
        -c "UPDATE collection SET default_privileges = NULL WHERE default_privileges IS NOT NULL"
    ensure_calendars
    log "davical: sharing state reset (no grants, no bindings)"
}

cmd_wipe() {
    require_root
    lock_server davical
    drop_database
    log "davical: database dropped; run 'davical.sh up' to create it again"
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    wipe) cmd_wipe ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    *) die "usage: $0 [up|down|status|reset|wipe|packages]" ;;
esac
