# pg_cluster.sh: throwaway PostgreSQL clusters for the scenario tests and the
# benchmarks, sourced by each script (after it set up its own cleanup).
#
# A cluster lives in one directory: DIR/data (initdb), DIR/log, and its Unix
# socket in DIR itself; it listens on no TCP address. fsync stays on: the
# scenarios are about what survives a crash. PostgreSQL refuses to run as
# root, so when the script runs as root (CI does) every PostgreSQL program
# runs as `nobody` under runuser and the cluster's directory is handed to
# that user; the hotline processes still run as the caller and reach the
# server through the socket (mode 0777 by default).
#
# What it offers:
#   pg_bindir_found             true when the server's programs are there; sets PG_BIN
#   pg_hotline_has_postgres BIN true when the hotline binary links libpq
#   pg_init DIR                 initdb into DIR/data (superuser postgres, trust)
#   pg_start DIR [ARGS...]      starts it (ARGS are extra postgres -c settings, as "-c name=value")
#   pg_stop DIR [MODE]          pg_ctl stop (fast unless MODE given: immediate is a crash)
#   pg_standby PRIMARY DIR NAME pg_basebackup -R from PRIMARY into DIR/data; NAME is its
#                               cluster_name, which the standby sends as its application_name
#   pg_synchronous PRIMARY NAME makes the standby NAME synchronous (ALTER SYSTEM
#                               synchronous_standby_names, reload) once it streams: a
#                               commit then waits for the standby's flush. Not set at
#                               start: CREATE DATABASE would wait for a standby not there yet
#   pg_promote DIR              pg_ctl promote -w
#   pg_psql DIR DB [ARGS...]    psql on DIR's socket as postgres, quiet, stop on error
#   pg_address DB DIR...        the libpq URI hotline takes: every DIR a host, read-write only
#   pg_cleanup                  stops (immediately) every cluster pg_start started; for traps
# It does not pick TCP ports, and it never touches a cluster it did not start.

PG_PORT=5432 # only names the socket file (DIR/.s.PGSQL.5432): each cluster has its own DIR
PG_STARTED=()

pg_bindir_found() {
    local candidate
    for candidate in "${HOTLINE_PG_BINDIR:-}" "$(pg_config --bindir 2> /dev/null || true)" \
        $(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -t/ -k5 -n -r); do
        if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] &&
            [ -x "$candidate/postgres" ]; then
            PG_BIN=$candidate
            return 0
        fi
    done
    return 1
}

# (Not `ldd | grep -q`: under pipefail, grep leaving early fails the pipe.)
pg_hotline_has_postgres() {
    [[ $(ldd "$1" 2> /dev/null) == *libpq.so* ]]
}

# Runs a PostgreSQL program as the cluster's owner.
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

pg_own() {
    if [ "$(id -u)" -eq 0 ]; then
        chown -R nobody "$1"
        # nobody must be able to walk down to the directory (mktemp makes 0700 ones).
        local parent
        parent=$(dirname "$1")
        while [ "$parent" != / ]; do
            chmod o+x "$parent" 2> /dev/null || true
            parent=$(dirname "$parent")
        done
    fi
}

pg_init() {
    mkdir -p "$1"
    pg_own "$1"
    pg_as_owner "$PG_BIN/initdb" -D "$1/data" -U postgres -A trust --no-sync > "$1/initdb.log" 2>&1 || {
        cat "$1/initdb.log" >&2
        return 1
    }
}

pg_start() {
    local dir=$1
    shift
    PG_STARTED+=("$dir")
    pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/log" \
        -o "-k $dir -p $PG_PORT -c listen_addresses='' -c fsync=on $*" start > /dev/null || {
        tail -20 "$dir/log" >&2
        return 1
    }
}

pg_stop() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$1/data" -w -t 60 -m "${2:-fast}" stop > /dev/null 2>&1
}

pg_standby() {
    local primary=$1 dir=$2 name=$3
    mkdir -p "$dir"
    pg_own "$dir"
    pg_as_owner "$PG_BIN/pg_basebackup" -h "$primary" -p "$PG_PORT" -U postgres -D "$dir/data" \
        -R -X stream -c fast > "$dir/basebackup.log" 2>&1 || {
        cat "$dir/basebackup.log" >&2
        return 1
    }
    # The standby's name: the primary's synchronous_standby_names lists it.
    echo "cluster_name = '$name'" | pg_as_owner tee -a "$dir/data/postgresql.auto.conf" > /dev/null
}

pg_synchronous() {
    local primary=$1 name=$2 state="" tries
    pg_psql "$primary" postgres -c "ALTER SYSTEM SET synchronous_standby_names = '$name'" \
        -c "ALTER SYSTEM SET synchronous_commit = 'on'" -c "SELECT pg_reload_conf()" > /dev/null
    for tries in $(seq 1 100); do
        state=$(pg_psql "$primary" postgres -Atc \
            "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$name'")
        [ "$state" = sync ] && return 0
        sleep 0.1
    done
    echo "pg_synchronous: the standby $name is not synchronous (${state:-not streaming})" >&2
    return 1
}

pg_promote() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$1/data" -w -t 60 promote > /dev/null
}

pg_psql() {
    local dir=$1 db=$2
    shift 2
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$PG_PORT" -U postgres -d "$db" "$@"
}

pg_address() {
    local db=$1 hosts="" ports=""
    shift
    local dir
    for dir in "$@"; do
        hosts="${hosts:+$hosts,}$dir"
        ports="${ports:+$ports,}$PG_PORT"
    done
    if [ $# -gt 1 ]; then
        echo "postgresql:///$db?host=$hosts&port=$ports&user=postgres&target_session_attrs=read-write&connect_timeout=2"
    else
        echo "postgresql:///$db?host=$hosts&port=$ports&user=postgres"
    fi
}

pg_cleanup() {
    local dir pid
    for dir in "${PG_STARTED[@]}"; do
        if [ -f "$dir/data/postmaster.pid" ]; then
            pg_stop "$dir" immediate || true
            pid=$(head -1 "$dir/data/postmaster.pid" 2> /dev/null || true)
            if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
                kill -KILL "$pid" 2> /dev/null || true
            fi
        fi
    done
    PG_STARTED=()
}

