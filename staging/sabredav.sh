#!/usr/bin/env bash
# SabreDAV 1.8 (Debian 12 php-sabre-dav) on 127.0.0.1:8500: our own Apache +
# mod_php instance, PDO/SQLite storage, HTTP Basic auth.
#
#   sabredav.sh up        install, configure, start, create users + calendars
#   sabredav.sh down      stop what `up` started
#   sabredav.sh status    exit 0 if running and answering
#   sabredav.sh reset     fresh database (users, calendars; drops events and delegations)
#   sabredav.sh packages  the Debian packages it needs (for up.sh)
#
# Why Apache and not `php -S`: PHP's built-in server answers the ACL method
# itself with 501, so calshare's "this server cannot share" detection would
# see another server than the one people run. Calendar-proxy delegation is
# the only sharing SabreDAV 1.8 offers (see shared/staging/SERVERS.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

STATE=$STAGING_ROOT/sabredav
WWW=$STATE/www
DATA=$STATE/data
DB=$DATA/sabredav.sqlite
RUN=$STATE/run
CONF=$STATE/apache2.conf
PIDFILE=$STATE/apache2.pid
LOGFILE=$STATE/apache2.log
PORT=8500
BASE=http://127.0.0.1:$PORT
PATTERN="apache2 -f $CONF"
USERS=(alice bob carol dave erin frank) # password <user>-pw, email <user>@example.test

# php-sabre-dav pulls php-cli, php-xml, php-mbstring; php-sqlite3 for PDO
# SQLite; apache2 + libapache2-mod-php serve it (not `php -S`, see above).
PACKAGES=(php-sabre-dav php-sqlite3 apache2 libapache2-mod-php curl)

php_version() {
    # The mod_php module is named after the PHP version (libphp8.2.so).
    local so
    so=$(find /usr/lib/apache2/modules -maxdepth 1 -name 'libphp*.so' -print -quit)
    [[ -n $so ]] || die "sabredav: no libphp*.so in /usr/lib/apache2/modules (libapache2-mod-php missing?)"
    printf '%s\n' "$so"
}

write_config() {
    install -d -m 755 "$STATE" "$WWW" "$RUN"
    # The database and its directory must be writable by Apache's user
    # (SQLite creates a journal next to the file).
    install -d -m 750 -o www-data -g www-data "$DATA"
    local phpso
    phpso=$(php_version)
    write_config_file "$CONF" <<EOF
# Written by staging/sabredav.sh; edits are overwritten.
ServerRoot $STATE
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $RUN/httpd.pid
DefaultRuntimeDir $RUN
Mutex file:$RUN default
ErrorLog $STATE/error.log
LogLevel warn
User www-data
Group www-data

LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule php_module $phpso

StartServers 2
MinSpareServers 2
MaxSpareServers 6
MaxRequestWorkers 16

LogFormat "%h %u %t \"%r\" %>s %b %D" timed
CustomLog $STATE/access.log timed

# Every path is answered by the one SabreDAV script (it reads REQUEST_URI).
AliasMatch ^/ $WWW/server.php
<Directory $WWW>
    Require all granted
    <Files server.php>
        SetHandler application/x-httpd-php
    </Files>
</Directory>
# SabreDAV 1.8 under PHP 8.2 emits deprecation notices: keep them out of responses.
php_admin_flag display_errors off
php_admin_value error_reporting 0
php_admin_flag log_errors on
php_admin_value error_log $STATE/php.log
EOF
    write_config_file "$WWW/server.php" <<EOF
<?php
// Written by staging/sabredav.sh: SabreDAV 1.8 with CalDAV, ACL, calendar-proxy.
require_once 'Sabre/autoload.php';

// HTTP Basic against our own users table (SabreDAV 1.8's PDO auth backend is Digest only).
class StagingBasicAuth extends Sabre\DAV\Auth\Backend\AbstractBasic {
    private \$pdo;
    function __construct(PDO \$pdo) { \$this->pdo = \$pdo; }
    protected function validateUserPass(\$username, \$password) {
        \$st = \$this->pdo->prepare('SELECT password_hash FROM staging_users WHERE username = ?');
        \$st->execute(array(\$username));
        \$hash = \$st->fetchColumn();
        return is_string(\$hash) && password_verify(\$password, \$hash);
    }
}

\$pdo = new PDO('sqlite:$DB');
\$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
\$pdo->exec('PRAGMA busy_timeout = 10000');

\$principalBackend = new Sabre\DAVACL\PrincipalBackend\PDO(\$pdo);
\$calendarBackend = new Sabre\CalDAV\Backend\PDO(\$pdo);
\$tree = array(
    new Sabre\CalDAV\Principal\Collection(\$principalBackend),
    new Sabre\CalDAV\CalendarRootNode(\$principalBackend, \$calendarBackend),
);
\$server = new Sabre\DAV\Server(\$tree);
\$server->setBaseUri('/');
\$server->addPlugin(new Sabre\DAV\Auth\Plugin(new StagingBasicAuth(\$pdo), 'SabreDAV'));
\$server->addPlugin(new Sabre\CalDAV\Plugin());
\$server->addPlugin(new Sabre\DAVACL\Plugin());
// Advertises calendarserver-sharing although the PDO backend shares nothing
// (POST share -> 501): the server as SERVERS.md observed it, so calshare's
// detection must not trust the DAV header.
\$server->addPlugin(new Sabre\CalDAV\SharingPlugin());
\$server->exec();
EOF
}

sabre_sql_dir() {
    local d
    for d in /usr/share/doc/php-sabre-dav/examples/sql /usr/share/php/Sabre/examples/sql; do
        [[ -f $d/sqlite.calendars.sql ]] && { printf '%s\n' "$d"; return 0; }
    done
    d=$(find /usr/share -path '*sabre*' -name 'sqlite.calendars.sql*' -printf '%h\n' -quit 2>/dev/null)
    [[ -n $d ]] || die "sabredav: SabreDAV's sqlite schema files not found"
    printf '%s\n' "$d"
}

# sql_file NAME: the schema file's text (Debian may ship it gzipped).
sql_file() {
    local dir=$1 name=$2
    if [[ -f $dir/$name ]]; then cat "$dir/$name"; else zcat "$dir/$name.gz"; fi
}

# The schema (from SabreDAV's own example files) and the users, principals
# and proxy-group principals; INSERT OR IGNORE, so `up` can run again.
ensure_database() {
    local dir
    dir=$(sabre_sql_dir)
    if [[ ! -s $DB ]]; then
        log "sabredav: creating database $DB"
        {
            sql_file "$dir" sqlite.calendars.sql
            sql_file "$dir" sqlite.principals.sql | grep -v -i '^INSERT'
            echo 'CREATE TABLE staging_users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL);'
        } | php -r '
            $pdo = new PDO("sqlite:" . $argv[1]);
            $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
            $pdo->exec(stream_get_contents(STDIN));' "$DB.tmp"
        mv -f "$DB.tmp" "$DB"
    fi
    # Passwords reach php on stdin, never in argv.
    local u
    for u in "${USERS[@]}"; do printf '%s\n' "$u"; done | php -r '
        $pdo = new PDO("sqlite:" . $argv[1]);
        $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $user = $pdo->prepare("INSERT OR IGNORE INTO staging_users (username, password_hash) VALUES (?, ?)");
        $known = $pdo->prepare("SELECT 1 FROM staging_users WHERE username = ?");
        $princ = $pdo->prepare("INSERT OR IGNORE INTO principals (uri, email, displayname) VALUES (?, ?, ?)");
        while (($u = fgets(STDIN)) !== false) {
            $u = trim($u);
            // Hashing is the slow part of a no-op `up`: only for users not there yet.
            $known->execute(array($u));
            if ($known->fetchColumn() === false) {
                $user->execute(array($u, password_hash($u . "-pw", PASSWORD_DEFAULT)));
            }
            $princ->execute(array("principals/$u", "$u@example.test", ucfirst($u) . " Example"));
            // The proxy groups exist only if their principals do (CalDAV\Principal\User::getChildren).
            $princ->execute(array("principals/$u/calendar-proxy-read", null, null));
            $princ->execute(array("principals/$u/calendar-proxy-write", null, null));
        }' "$DB"
    chown www-data:www-data "$DB"
    chmod 640 "$DB"
}

# One calendar per user, made by the user over DAV as a client would.
ensure_calendars() {
    local u code
    for u in "${USERS[@]}"; do
        code=$(http_code "$BASE/calendars/$u/default/" -u "$u:$u-pw" -X PROPFIND -H 'Depth: 0' \
            -H 'Content-Type: application/xml')
        [[ $code == 207 ]] && continue
        code=$(http_code "$BASE/calendars/$u/default/" -u "$u:$u-pw" -X MKCALENDAR \
            -H 'Content-Type: application/xml; charset=utf-8' --data-binary @- <<EOF
<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${u^}'s calendar</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>
EOF
        )
        [[ $code == 201 ]] || die "sabredav: MKCALENDAR /calendars/$u/default/ as $u -> $code (logs: $STATE/*.log)"
        log "sabredav: created /calendars/$u/default/"
    done
}

running() { pid_running "$PIDFILE" "$PATTERN"; }

answering() { [[ $(http_code "$BASE/" -u alice:alice-pw -X PROPFIND -H 'Depth: 0') == 207 ]]; }

start_server() {
    port_busy $PORT && die "sabredav: 127.0.0.1:$PORT is taken by another process (not ours)"
    log "sabredav: starting"
    # -DFOREGROUND: Apache stays the group leader start_bg records.
    start_bg "$PIDFILE" "$LOGFILE" /usr/sbin/apache2 -f "$CONF" -DFOREGROUND
    wait_http sabredav "$BASE/" "$PIDFILE" "$PATTERN" "$LOGFILE" 30
}

cmd_up() {
    require_root
    # --no-start: apache2's postinst must not start Debian's own instance on port 80.
    ensure_packages --no-start "${PACKAGES[@]}"
    lock_server sabredav
    write_config
    ensure_database
    if running; then
        if ((CONFIG_CHANGED)); then
            log "sabredav: config changed, restarting"
            stop_pidfile sabredav "$PIDFILE" "$PATTERN"
        elif ! answering; then
            log "sabredav: running but not answering, restarting"
            stop_pidfile sabredav "$PIDFILE" "$PATTERN"
        fi
    else
        reap_leftovers sabredav "$PIDFILE" "$CONF"
    fi
    running || start_server
    answering || die "sabredav: PROPFIND / as alice does not answer 207 (logs: $STATE/*.log)"
    ensure_calendars
    log "sabredav: up ($BASE)"
}

cmd_down() {
    lock_server sabredav
    stop_pidfile sabredav "$PIDFILE" "$PATTERN"
}

cmd_status() {
    running && answering
}

cmd_reset() {
    require_root
    lock_server sabredav
    # SQLite needs no server restart: the next request opens the new file.
    rm -f "$DB" "$DB-journal" "$DB-wal" "$DB-shm"
    ensure_database
    if running; then ensure_calendars; fi
    log "sabredav: fresh database"
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    *) die "usage: $0 [up|down|status|reset|packages]" ;;
esac
