#!/usr/bin/env bash
# SOGo 5.8 (Debian 12's sogo) on 127.0.0.1:8200, its own memcached on
# 127.0.0.1:8211, data in the shared PostgreSQL cluster (staging/postgres.sh),
# users in an SQL table with plain-text passwords.
#
#   sogo.sh up        install, configure, start, create users + their calendars
#   sogo.sh down      stop sogod and memcached (PostgreSQL stays: it is shared)
#   sogo.sh status    exit 0 if running and answering
#   sogo.sh reset     take back every share on every calendar (clean sharing state)
#   sogo.sh fresh     drop the database and start from nothing
#   sogo.sh packages  the Debian packages it needs (for up.sh)
#
# Facts behind the choices below: ../shared/staging/SOGO.md (§1 staging, §4
# acl-query). CalDAV root: http://127.0.0.1:8200/SOGo/dav/ (no /.well-known).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

STATE=$STAGING_ROOT/sogo
RUN=$STATE/run
HOMEDIR=$STATE/home
LOGFILE=$STATE/sogo.log
PIDFILE=$RUN/sogod.pid
MC_PIDFILE=$STATE/memcached.pid
MC_LOGFILE=$STATE/memcached.log
PORT=8200
MC_PORT=8211
BASE=http://127.0.0.1:$PORT
DAV=$BASE/SOGo/dav
PATTERN=/usr/sbin/sogod
MC_PATTERN="memcached -u memcache -l 127.0.0.1 -p $MC_PORT"
CONF=/etc/sogo/sogo.conf
DB=sogo
DB_ROLE=sogo
DB_PASSWORD=sogo-staging-pw
USERS=(alice bob carol dave erin frank) # password <user>-pw, mail <user>@example.test

# sogo: sogod and its tools. memcached: SOGo keeps sessions and ACL caches
# there and will not start without one. PostgreSQL comes from postgres.sh.
PACKAGES=(sogo memcached curl)

# --- database ---------------------------------------------------------------

# The role, the database and the user source table. SOGo creates every other
# table on first use (sogo_folder_info, sogo_user_profile, one per folder).
ensure_database() {
    pg_psql -d postgres -At <<EOF >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_ROLE') THEN
    CREATE ROLE $DB_ROLE LOGIN PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
EOF
    if [[ -z $(pg_psql -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]]; then
        log "sogo: creating database $DB"
        pg_psql -d postgres -c "CREATE DATABASE $DB OWNER $DB_ROLE" >/dev/null
    fi
    local u values=()
    for u in "${USERS[@]}"; do
        values+=("('$u', '$u', '$u-pw', '${u^} Example', '$u@example.test')")
    done
    # As the sogo role, so that SOGo (logging in as it) owns what it reads.
    pg_psql -d "$DB" <<EOF >/dev/null
SET client_min_messages = warning;
SET ROLE $DB_ROLE;
CREATE TABLE IF NOT EXISTS sogo_users (
  c_uid varchar(128) PRIMARY KEY, c_name varchar(128) NOT NULL,
  c_password varchar(256) NOT NULL, c_cn varchar(256), mail varchar(256));
INSERT INTO sogo_users VALUES $(IFS=,; echo "${values[*]}")
  ON CONFLICT (c_uid) DO UPDATE SET c_name = EXCLUDED.c_name, c_password = EXCLUDED.c_password,
    c_cn = EXCLUDED.c_cn, mail = EXCLUDED.mail;
EOF
}

drop_database() {
    pg_psql -d postgres <<EOF >/dev/null
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid();
DROP DATABASE IF EXISTS $DB;
EOF
}

# --- config -----------------------------------------------------------------

# sogod reads /etc/sogo/sogo.conf and nothing else we could point it at, so
# that file is ours while staging runs; Debian's is kept next to it.
write_config() {
    [[ -f $CONF.debian ]] || cp -p "$CONF" "$CONF.debian" 2>/dev/null || true
    local db="postgresql://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB"
    write_config_file "$CONF" <<EOF
/* Written by calshare's staging/sogo.sh; edits are overwritten.
   Debian's original: $CONF.debian */
{
  WOPort = "127.0.0.1:$PORT";
  WOWorkersCount = 3;
  SOGoProfileURL = "$db/sogo_user_profile";
  OCSFolderInfoURL = "$db/sogo_folder_info";
  OCSSessionsFolderURL = "$db/sogo_sessions_folder";
  OCSEMailAlarmsFolderURL = "$db/sogo_alarms_folder";
  SOGoUserSources = (
    {
      type = sql;
      id = users;
      displayName = "Users";
      viewURL = "$db/sogo_users";
      canAuthenticate = YES;
      isAddressBook = YES;
      listRequiresDot = NO;
      userPasswordAlgorithm = plain;
    }
  );
  SOGoLanguage = English;
  SOGoTimeZone = UTC;
  SOGoMailDomain = example.test;
  SOGoAppointmentSendEMailNotifications = NO;
  SOGoACLsSendEMailNotifications = NO;
  SOGoFoldersSendEMailNotifications = NO;
  SOGoMemcachedHost = "127.0.0.1:$MC_PORT";
  /* DAV needs no mail: unused ports. */
  SOGoIMAPServer = "imap://127.0.0.1:1";
  SOGoSMTPServer = "smtp://127.0.0.1:1";
  SOGoMailingMechanism = smtp;
  /* One log line per request: method, URI, status, time. */
  SOGoDebugRequests = YES;
}
EOF
    # The DB password is in it: readable by root and the sogo group only.
    chown root:sogo "$CONF"
    chmod 640 "$CONF"
}

# --- processes --------------------------------------------------------------

sogod_running() { pid_running "$PIDFILE" "$PATTERN"; }
memcached_running() { pid_running "$MC_PIDFILE" "$MC_PATTERN"; }

start_memcached() {
    port_busy $MC_PORT && die "sogo: 127.0.0.1:$MC_PORT is taken by another process (not our memcached)"
    log "sogo: starting memcached on 127.0.0.1:$MC_PORT"
    # In the foreground (no -d): start_bg tracks it; -U 0: no UDP.
    start_bg "$MC_PIDFILE" "$MC_LOGFILE" /usr/bin/memcached -u memcache -l 127.0.0.1 -p $MC_PORT -U 0 -m 64
    local i
    for ((i = 0; i < 100; i++)); do
        port_busy $MC_PORT && return 0
        memcached_running || break
        sleep 0.05
    done
    tail -n 20 "$MC_LOGFILE" >&2 || true
    die "sogo: memcached did not start (log: $MC_LOGFILE)"
}

start_sogod() {
    port_busy $PORT && die "sogo: 127.0.0.1:$PORT is taken by another process (not our sogod)"
    log "sogo: starting sogod on $BASE"
    # sogod refuses to run as root; GNUstep writes under $HOME (Debian's
    # /run/sogo, which nobody creates without systemd: ours is in the state dir).
    install -d -o sogo -g sogo -m 750 "$RUN" "$HOMEDIR"
    touch "$LOGFILE" && chown sogo:sogo "$LOGFILE"
    # WOPidFile: sogod's own (it deletes it on TERM), not the one we track.
    # WONoDetach: the watchdog stays in the foreground, so the pid start_bg
    # records is the watchdog and its process group holds every worker.
    start_bg "$PIDFILE" "$LOGFILE" setpriv --reuid=sogo --regid=sogo --init-groups \
        env HOME="$HOMEDIR" USER=sogo LOGNAME=sogo "$PATTERN" -WONoDetach YES \
        -WOPort "127.0.0.1:$PORT" -WOWorkersCount 3 -WOLogFile "$LOGFILE" \
        -WOPidFile "$RUN/sogod-own.pid"
    wait_http sogo "$DAV/" "$PIDFILE" "$PATTERN" "$LOGFILE" 60
}

# The watchdog forwards TERM to its workers, but idle workers ignore it and
# the watchdog then waits forever (SOGO.md §1.5). SOGo keeps nothing on disk
# (all is in PostgreSQL), so after a short grace the whole group is killed.
stop_sogod() {
    local pid i
    if ! sogod_running; then
        log "sogo: sogod not running"
        rm -f "$PIDFILE"
        return 0
    fi
    read -r pid <"$PIDFILE"
    log "sogo: stopping sogod (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        group_alive "$pid" || break
        sleep 0.05
    done
    group_alive "$pid" && kill -KILL -- "-$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        group_alive "$pid" || break
        sleep 0.05
    done
    rm -f "$PIDFILE"
}

# dav USER METHOD PATH [CURL-ARGS...]: the status of one request as USER.
dav() {
    local user=$1 method=$2 path=$3
    shift 3
    curl -s -o /dev/null -m 30 -w '%{http_code}' -u "$user:$user-pw" -X "$method" "$@" "$DAV$path" || true
}

# The first authenticated request on a user's Calendar folder creates it and
# the `personal` calendar in it (SOGO.md §1.4 step 5).
provision_users() {
    local u code
    for u in "${USERS[@]}"; do
        code=$(dav "$u" PROPFIND "/$u/Calendar/personal/" -H 'Depth: 0')
        [[ $code == 207 ]] || die "sogo: PROPFIND /SOGo/dav/$u/Calendar/personal/ as $u -> $code (log: $LOGFILE)"
    done
}

cmd_up() {
    require_root
    ensure_packages --no-start "${PACKAGES[@]}"
    "$HERE/postgres.sh" up
    lock_server sogo
    install -d -m 755 "$STATE"
    ensure_database
    CONFIG_CHANGED=0
    write_config
    # A config change or a new memcached (its ACL cache gone) needs a fresh sogod.
    local restart=$CONFIG_CHANGED
    if ! memcached_running; then
        reap_leftovers memcached "$MC_PIDFILE" "$MC_PORT"
        start_memcached
        restart=1
    fi
    if sogod_running && ! [[ $(http_code "$DAV/") =~ ^(401|207|200)$ ]]; then
        log "sogo: running but not answering"
        restart=1
    fi
    if sogod_running && ((restart)); then
        stop_sogod
    fi
    sogod_running || start_sogod
    provision_users
    log "sogo: up ($DAV/, users ${USERS[*]})"
}

cmd_down() {
    lock_server sogo
    stop_sogod
    stop_pidfile memcached "$MC_PIDFILE" "$MC_PATTERN"
}

cmd_status() {
    sogod_running && memcached_running && [[ $(http_code "$DAV/") == 401 ]]
}

# Every grant on every calendar, revoked the way a client would (acl-query
# remove-users as the owner), so that SOGo drops its cached ACLs and the
# sharees' subscriptions too (SOGO.md §4.3). Who holds a grant is read from
# each folder's ACL table.
cmd_reset() {
    require_root
    cmd_status || die "sogo: not running (run: staging/up.sh sogo)"
    lock_server sogo
    local owner path acl users code n=0
    while IFS='|' read -r owner path acl; do
        [[ -n $owner ]] || continue
        users=$(pg_psql -d "$DB" -At -c "SELECT string_agg(DISTINCT c_uid, ',') FROM ${acl##*/}")
        [[ -n $users ]] || continue
        code=$(dav "$owner" POST "$path" -H 'Content-Type: application/xml; charset=utf-8' --data-binary \
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><acl-query xmlns=\"urn:inverse:params:xml:ns:inverse-dav\"><remove-users users=\"$users\"/></acl-query>")
        [[ $code == 204 ]] || die "sogo: remove-users on $path as $owner -> $code"
        n=$((n + 1))
    done < <(pg_psql -d "$DB" -At -F '|' -c \
        "SELECT c_path2, '/' || c_path2 || '/Calendar/' || c_path4 || '/', c_acl_location
           FROM sogo_folder_info WHERE c_folder_type = 'Appointment' AND c_path2 IS NOT NULL AND c_path4 IS NOT NULL")
    log "sogo: reset: revoked every grant on $n calendar(s)"
}

cmd_fresh() {
    require_root
    lock_server sogo
    stop_sogod
    stop_pidfile memcached "$MC_PIDFILE" "$MC_PATTERN"
    "$HERE/postgres.sh" up
    drop_database
    exec 9>&-
    cmd_up
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    fresh) cmd_fresh ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    *) die "usage: $0 [up|down|status|reset|fresh|packages]" ;;
esac
