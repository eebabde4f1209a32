# shellcheck shell=bash
# Shared helpers for the staging scripts. Sourced, never executed.
#
# Everything here runs as root without systemd: servers are started with
# setsid in their own session (so one kill of the process group stops all of
# their children), tracked by a pidfile in the server's state dir, and
# probed over HTTP on 127.0.0.1 before the script reports success.

STAGING_ROOT=${CALSHARE_STAGING_DIR:-/var/tmp/calshare-staging}
# Debian's interpreter, not whatever `python3` is first on PATH (a pyenv
# shim here): the radicale and xandikos packages live in its dist-packages.
# shellcheck disable=SC2034 # used by the scripts that source this file
SYSTEM_PYTHON=/usr/bin/python3

# parse_targets ARG...: the servers named on an up.sh/down.sh command line, in TARGETS.
# postgres comes before the servers that keep their data in it (davical, sogo).
STAGING_SERVERS=(cyrus radicale xandikos sabredav postgres davical sogo)
parse_targets() {
    TARGETS=()
    local arg s
    for arg in "${@:-all}"; do
        if [[ $arg == all ]]; then
            TARGETS+=("${STAGING_SERVERS[@]}")
            continue
        fi
        for s in "${STAGING_SERVERS[@]}"; do
            [[ $arg == "$s" ]] && { TARGETS+=("$arg"); continue 2; }
        done
        local IFS='|'
        echo "usage: $0 [${STAGING_SERVERS[*]}|all]..." >&2
        exit 2
    done
}

log() { printf '[staging] %s\n' "$*" >&2; }
die() { printf '[staging] ERROR: %s\n' "$*" >&2; exit 1; }

require_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, binds as the cyrus user)"
}

# Serialise concurrent runs for one server (two test jobs calling up.sh at
# once must not both start a server). The fd stays open until the script
# exits, which releases the lock.
lock_server() {
    local name=$1
    mkdir -p "$STAGING_ROOT"
    exec 9>"$STAGING_ROOT/.$name.lock"
    flock -w 300 9 || die "timed out waiting for the $name lock"
}

# --- packages ---------------------------------------------------------------

_APT_UPDATED=0

missing_packages() {
    # One dpkg-query for all: this runs on every `up`, also the no-op ones.
    # Packages dpkg has never heard of are missing from its answer.
    local -A ok=()
    local p st
    while read -r p st; do
        [[ $st == installed ]] && ok[${p%%:*}]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
    for p in "$@"; do
        [[ -n ${ok[$p]:-} ]] || printf '%s\n' "$p"
    done
}

apt_update_once() {
    ((_APT_UPDATED)) && return 0
    log "apt-get update"
    apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null || die "apt-get update failed"
    _APT_UPDATED=1
}

_remove_policy_rc() {
    # Only remove the file if it is the one we wrote.
    if [[ -f /usr/sbin/policy-rc.d ]] && grep -q 'calshare-staging' /usr/sbin/policy-rc.d; then
        rm -f /usr/sbin/policy-rc.d
    fi
}

# ensure_packages [--no-start] PKG...
# Installs what is missing. apt-get update runs only when the package lists
# are absent or do not know a package, or when an install from the existing
# lists fails (stale lists point at files the mirror no longer has).
# --no-start: a policy-rc.d that denies service starts is in place during the
# install, so a package's init script does not start its own instance.
ensure_packages() {
    local no_start=0
    if [[ ${1:-} == --no-start ]]; then no_start=1; shift; fi
    local missing
    mapfile -t missing < <(missing_packages "$@")
    ((${#missing[@]})) || return 0

    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # apt has its own lock but fails instead of waiting; serialise our runs.
    exec 8>/var/lock/calshare-staging-apt.lock
    flock -w 600 8 || die "timed out waiting for the apt lock"

    local p
    for p in "${missing[@]}"; do
        if ! apt-cache show "$p" >/dev/null 2>&1; then
            apt_update_once
            break
        fi
    done

    # A policy-rc.d someone else put there (Docker images have one) is left
    # alone; one of ours left behind by a killed run is reused and removed.
    local created_policy=0
    if ((no_start)) && { [[ ! -e /usr/sbin/policy-rc.d ]] ||
        grep -q 'calshare-staging' /usr/sbin/policy-rc.d; }; then
        printf '#!/bin/sh\n# calshare-staging: keep package init scripts from starting services\nexit 101\n' \
            >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
        trap _remove_policy_rc EXIT
        trap '_remove_policy_rc; exit 130' INT TERM
    fi

    local aptlog rc=0
    aptlog=$(mktemp /tmp/calshare-apt.XXXXXX)
    # DPkg::Lock::Timeout: wait for an apt run that is not ours (setup.sh,
    # another helper's tooling) instead of failing at once on dpkg's lock.
    local -a install=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    "${install[@]}" "${missing[@]}" >"$aptlog" 2>&1 || rc=$?
    if ((rc != 0)) && ((_APT_UPDATED == 0)); then
        log "install failed from the current package lists; updating and retrying"
        apt_update_once
        rc=0
        "${install[@]}" "${missing[@]}" >"$aptlog" 2>&1 || rc=$?
    fi
    if ((created_policy)); then
        _remove_policy_rc
        trap - EXIT INT TERM
    fi
    if ((rc != 0)); then
        tail -n 30 "$aptlog" >&2
        die "apt-get install ${missing[*]} failed (full log: $aptlog)"
    fi
    rm -f "$aptlog"
    flock -u 8
}

# --- files ----------------------------------------------------------------

# write_config_file FILE: content on stdin. Replaces FILE (atomically) only
# if the content differs, and then sets CONFIG_CHANGED=1 so the caller can
# restart a running server. A global rather than an exit status, so that
# callers need not test it in a condition (which would switch off set -e).
# shellcheck disable=SC2034 # read by the scripts that source this file
CONFIG_CHANGED=0
write_config_file() {
    local file=$1 tmp
    tmp=$(mktemp "$file.XXXXXX")
    cat >"$tmp"
    if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
        return 0
    fi
    chmod 644 "$tmp"
    mv -f "$tmp" "$file"
    # shellcheck disable=SC2034
    CONFIG_CHANGED=1
}

# --- processes --------------------------------------------------------------

# proc_alive PID: the process exists and is not a zombie. A server whose
# starter has exited is reparented to pid 1, and an init that reaps slowly
# leaves it a zombie for a second or more, which kill -0 still reports.
proc_alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# group_alive PGID: some non-zombie process is still in that process group.
group_alive() {
    ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# pid_running PIDFILE PATTERN: true if the pidfile names a live process whose
# command line contains PATTERN (guards against a recycled pid).
pid_running() {
    local pidfile=$1 pattern=$2 pid
    [[ -s $pidfile ]] || return 1
    read -r pid <"$pidfile" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    proc_alive "$pid" || return 1
    tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "$pattern"
}

# start_bg PIDFILE LOGFILE CMD...: start CMD in a new session, in the
# background, detached from our stdio; records its pid (= its process group).
start_bg() {
    local pidfile=$1 logfile=$2
    shift 2
    printf '\n=== %s start: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logfile"
    # Close the lock fds (8, 9): a long-lived server inheriting them would
    # hold our locks forever.
    setsid "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &
    printf '%s\n' "$!" >"$pidfile"
}

# reap_leftovers NAME PIDFILE MARKER: if the process in PIDFILE is gone but
# members of its process group (e.g. Cyrus service children after the master
# was killed alone) still run and hold the ports, kill them. Only processes
# in that group whose command line contains MARKER (a path in our state dir)
# are touched.
reap_leftovers() {
    local name=$1 pidfile=$2 marker=$3 pid p g args victims=()
    [[ -s $pidfile ]] || return 0
    read -r pid <"$pidfile" || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    while read -r p g args; do
        [[ $g == "$pid" && $args == *"$marker"* ]] && victims+=("$p")
    done < <(ps -eo pid=,pgid=,args=)
    ((${#victims[@]})) || return 0
    log "$name: killing leftovers of a dead instance: ${victims[*]}"
    kill -KILL "${victims[@]}" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
        group_alive "$pid" || return 0
        sleep 0.1
    done
}

# stop_pidfile NAME PIDFILE PATTERN: TERM the process group, wait, then KILL.
stop_pidfile() {
    local name=$1 pidfile=$2 pattern=$3 pid i
    if ! pid_running "$pidfile" "$pattern"; then
        log "$name: not running"
        rm -f "$pidfile"
        return 0
    fi
    read -r pid <"$pidfile"
    log "$name: stopping pid $pid"
    # setsid made pid the group leader: the group holds the forked children.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        proc_alive "$pid" || break
        sleep 0.05
    done
    if proc_alive "$pid"; then
        log "$name: still alive after 5 s, sending KILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    # Leftover group members (e.g. a Cyrus service child) must go too, or
    # they keep the port busy for the next start.
    for ((i = 0; i < 100; i++)); do
        group_alive "$pid" || break
        sleep 0.05
    done
    if group_alive "$pid"; then
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

# http_code URL [CURL-ARGS...]: prints the status code, 000 if no answer.
http_code() {
    local url=$1
    shift
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$@" "$url" || true
}

# wait_http NAME URL PIDFILE PATTERN LOGFILE [TIMEOUT] [CURL-ARGS...]:
# waits until URL answers at all (any HTTP status), failing early if the
# process died and, either way, loudly with the tail of its log.
wait_http() {
    local name=$1 url=$2 pidfile=$3 pattern=$4 logfile=$5 timeout=${6:-30}
    shift 6 || shift $#
    local deadline=$((SECONDS + timeout)) code
    while :; do
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$@" "$url" || true)
        [[ $code != 000 ]] && return 0
        if ! pid_running "$pidfile" "$pattern"; then
            tail -n 40 "$logfile" >&2 || true
            die "$name exited during startup (log: $logfile)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$logfile" >&2 || true
            die "$name did not answer on $url within ${timeout}s (log: $logfile)"
        fi
        sleep 0.1
    done
}

# port_busy PORT: something already listens on 127.0.0.1:PORT.
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- PostgreSQL (shared: staging/postgres.sh starts it, servers use it) -----

PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
PG_SOCKET_DIR=/var/run/postgresql

# pg_running: the cluster's postmaster is up (pg_ctl status; exit 3 = down).
pg_running() {
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1
}

# pg_ctl_cluster ACTION [ARGS...]: pg_ctlcluster for our cluster. In a
# session of its own and without our lock fds (8, 9): the postmaster it
# forks would otherwise hold the staging locks for as long as it runs.
pg_ctl_cluster() {
    local out rc=0
    out=$(setsid pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" "$@" </dev/null 2>&1 8>&- 9>&-) || rc=$?
    if ((rc != 0)); then
        printf '%s\n' "$out" >&2
        tail -n 20 "/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log" >&2 2>/dev/null || true
        die "pg_ctlcluster $PG_VERSION $PG_CLUSTER $* failed"
    fi
}

# pg_wait_ready [TIMEOUT]: until the cluster accepts connections on the socket.
pg_wait_ready() {
    local deadline=$((SECONDS + ${1:-60}))
    until pg_isready -q -h "$PG_SOCKET_DIR" -p "$PG_PORT"; do
        ((SECONDS < deadline)) || die "postgres: not accepting connections after ${1:-60}s"
        sleep 0.2
    done
}

# pg_psql ARGS...: psql as the postgres superuser over the socket, from a
# directory that user can enter (psql complains about an unreadable cwd).
pg_psql() {
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_SOCKET_DIR" -p "$PG_PORT" "$@")
}
