#!/usr/bin/env bash
# pg-throwaway.sh: a throwaway PostgreSQL server for the tests.
#
#   scripts/pg-throwaway.sh start DIR   initdb's a cluster into DIR/data
#                                       (DIR absent or empty; made here),
#                                       starts it and prints its address
#   scripts/pg-throwaway.sh stop DIR    stops it and removes DIR entirely
#
# The server listens on no TCP port at all (listen_addresses=''): only on
# a Unix socket in DIR itself, with trust authentication for its
# superuser "postgres", and fsync on (the tests measure the real thing).
# The address printed is postgresql://postgres@/postgres?host=DIR; tests
# read it from HOTLINE_TEST_PG and make one fresh database per test on it
# (tests/support: test_store_address).
#
# The server binaries are Debian's postgresql package's
# (/usr/lib/postgresql/<version>/bin; pg_config's bindir when it holds a
# server, else the newest version installed). initdb refuses to run as
# root, so as root the cluster belongs to the unprivileged user
# "postgres" that Debian's package creates (HOTLINE_PG_USER overrides it),
# and initdb and the server run as that user through runuser.
#
# stop is safe to call at any moment (from a trap): after a failed start,
# with the server already gone, or twice. It leaves nothing behind.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
action=$1
directory=$2
case "$directory" in
/*) ;;
*) directory="$(pwd)/$directory" ;;
esac

# The directory of initdb, pg_ctl and postgres.
server_bin() {
    local candidate
    if command -v pg_config >/dev/null 2>&1; then
        candidate=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/postgres" ]; then
            echo "$candidate"
            return 0
        fi
    fi
    candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/postgres" ]; then
        echo "$candidate"
        return 0
    fi
    echo "pg-throwaway: no PostgreSQL server binaries (install Debian's postgresql: scripts/bootstrap.sh)" >&2
    return 1
}

# Runs a command as the cluster's owner: as root, the unprivileged user.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$owner" -- "$@"
    else
        "$@"
    fi
}

owner=${HOTLINE_PG_USER:-postgres}

start() {
    local bin
    bin=$(server_bin)
    mkdir -p "$directory"
    if [ -n "$(ls -A "$directory")" ]; then
        echo "pg-throwaway: $directory is not empty" >&2
        return 1
    fi
    # A Unix socket's path is limited to 107 bytes.
    if [ $((${#directory} + 18)) -gt 107 ]; then
        echo "pg-throwaway: $directory is too long a path for the server's socket" >&2
        return 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        if ! id -u "$owner" >/dev/null 2>&1; then
            echo "pg-throwaway: running as root needs the unprivileged user $owner (Debian's postgresql package makes it)" >&2
            return 1
        fi
        chown "$owner" "$directory"
        chmod 700 "$directory"
    fi
    if ! as_owner "$bin/initdb" -D "$directory/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$directory/initdb.log" 2>&1; then
        cat "$directory/initdb.log" >&2
        echo "pg-throwaway: initdb failed" >&2
        return 1
    fi
    # Enough connections for two tests at once, each a server with a
    # connection per thread.
    if ! as_owner "$bin/pg_ctl" -D "$directory/data" -l "$directory/server.log" -w -t 60 \
        -o "-k $directory -c listen_addresses='' -c fsync=on -c max_connections=200" \
        start >/dev/null; then
        cat "$directory/server.log" >&2 || true
        echo "pg-throwaway: the server did not start" >&2
        return 1
    fi
    echo "postgresql://postgres@/postgres?host=$directory"
}

stop() {
    [ -d "$directory" ] || return 0
    if [ -f "$directory/data/postmaster.pid" ]; then
        local bin
        if bin=$(server_bin) && as_owner "$bin/pg_ctl" -D "$directory/data" -m fast -w -t 60 stop \
            >/dev/null 2>&1; then
            :
        else
            # pg_ctl could not stop it: end the server by its own pid file.
            local pid
            pid=$(head -n 1 "$directory/data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                kill -QUIT "$pid" 2>/dev/null || true
                for _ in $(seq 50); do
                    kill -0 "$pid" 2>/dev/null || break
                    sleep 0.1
                done
            fi
        fi
    fi
    rm -rf "$directory"
}

case "$action" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
