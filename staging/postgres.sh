#!/usr/bin/env bash
# PostgreSQL 15, cluster `main`, on 127.0.0.1:5432 and /var/run/postgresql,
# shared by the staging servers that keep their data in it (DAViCal, SOGo).
# It is started once and stays up while any of them runs.
#
#   postgres.sh up          install, create the cluster if missing, start
#   postgres.sh down        stop the cluster (only when no one else needs it)
#   postgres.sh status      exit 0 if it accepts connections
#   postgres.sh hba TAG     put the pg_hba.conf lines read from stdin in a
#                           block of their own (named TAG) ahead of Debian's
#                           rules, and reload if that changed anything
#   postgres.sh packages    the Debian packages it needs (for up.sh)
#
# A server script uses it like this (see davical.sh):
#   "$HERE/postgres.sh" up
#   "$HERE/postgres.sh" hba davical <<<'local davical davical_app trust'
#   pg_psql -d davical -c '...'            # from lib.sh: psql as postgres
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=staging/lib.sh
. "$HERE/lib.sh"

PACKAGES=(postgresql postgresql-client)

# The cluster's files are Debian's (/etc/postgresql/15/main,
# /var/lib/postgresql/15/main); only our own settings go into conf.d, which
# Debian's postgresql.conf includes.
CONF_D=/etc/postgresql/$PG_VERSION/$PG_CLUSTER/conf.d
HBA=/etc/postgresql/$PG_VERSION/$PG_CLUSTER/pg_hba.conf

ensure_cluster() {
    # postgresql-15's postinst creates 15/main; a machine where someone
    # dropped it gets it back.
    if [[ ! -f /etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf ]]; then
        log "postgres: creating cluster $PG_VERSION/$PG_CLUSTER"
        pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null
    fi
    install -d -m 755 "$CONF_D"
    # Loopback only (CI has no IPv6 guarantee: no '::1' either).
    write_config_file "$CONF_D/calshare-staging.conf" <<EOF
# Written by staging/postgres.sh; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
EOF
}

cmd_up() {
    require_root
    ensure_packages --no-start "${PACKAGES[@]}"
    lock_server postgres
    CONFIG_CHANGED=0
    ensure_cluster
    if pg_running && ((CONFIG_CHANGED)); then
        log "postgres: config changed, restarting"
        pg_ctl_cluster restart -m fast
    fi
    if ! pg_running; then
        port_busy "$PG_PORT" && die "postgres: 127.0.0.1:$PG_PORT is taken by another process"
        log "postgres: starting $PG_VERSION/$PG_CLUSTER"
        pg_ctl_cluster start
    fi
    pg_wait_ready 60
    log "postgres: up (127.0.0.1:$PG_PORT, $PG_SOCKET_DIR)"
}

cmd_down() {
    lock_server postgres
    if pg_running; then
        log "postgres: stopping $PG_VERSION/$PG_CLUSTER"
        pg_ctl_cluster stop -m fast
    else
        log "postgres: not running"
    fi
}

# hba TAG: the block between our markers is replaced by stdin's lines and
# kept ahead of every other rule, because pg_hba.conf's first match wins.
cmd_hba() {
    local tag=${1:?usage: postgres.sh hba TAG <lines}
    [[ $tag =~ ^[a-z0-9-]+$ ]] || die "postgres: bad hba tag '$tag'"
    local lines
    lines=$(cat)
    lock_server postgres
    CONFIG_CHANGED=0
    local begin="# calshare-staging:$tag begin" end="# calshare-staging:$tag end" new
    new=$(awk -v begin="$begin" -v end="$end" -v lines="$lines" '
        $0 == begin { skip = 1; next }
        $0 == end { skip = 0; next }
        skip { next }
        !done && $0 !~ /^[[:space:]]*(#|$)/ {
            print begin; print lines; print end; done = 1
        }
        { print }
        END { if (!done) { print begin; print lines; print end } }
    ' "$HBA")
    # Not in a pipeline: write_config_file sets CONFIG_CHANGED in this shell.
    write_config_file "$HBA" <<<"$new"
    chown postgres:postgres "$HBA"
    chmod 640 "$HBA"
    if ((CONFIG_CHANGED)) && pg_running; then
        pg_ctl_cluster reload
    fi
}

case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) pg_running ;;
    hba) shift; cmd_hba "$@" ;;
    packages) printf '%s\n' "${PACKAGES[@]}" ;;
    *) die "usage: $0 [up|down|status|hba TAG|packages]" ;;
esac
