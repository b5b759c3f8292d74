# scenario.sh: the helpers of the scenario tests (tests/scenario/), sourced
# by each script. pass and fail count checks; finish prints the closing
# line CTest and CI read ("N passed, M failed") and exits 0 only when
# nothing failed; die is a failure that everything after depends on. Then
# the store a test runs on (test_store_address, test_store_use), and what
# the multi-server scenarios share: their servers started and stopped,
# their load run, their store made and checked (scenario_*).
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    echo "FAIL: $*" >&2
    failed=$((failed + 1))
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && exit 0 || exit 1
}
die() {
    fail "$*"
    finish
}

# test_store_address DIRECTORY: prints the address of a fresh, empty store
# for one test, as tests/support/test_support.c's function of that name
# does: with HOTLINE_TEST_BACKEND=postgres a new database made (createdb)
# on the server HOTLINE_TEST_PG names, else DIRECTORY/hotline.db. Fails,
# saying why, when the backend is postgres and there is no server.
test_store_address() {
    if [ "${HOTLINE_TEST_BACKEND:-sqlite}" != postgres ]; then
        echo "$1/hotline.db"
        return 0
    fi
    local server=${HOTLINE_TEST_PG:-}
    if [ -z "$server" ]; then
        echo "HOTLINE_TEST_BACKEND=postgres but HOTLINE_TEST_PG is not set: run scripts/test.sh, or start a server (scripts/pg-throwaway.sh start DIR) and export HOTLINE_TEST_PG=<the address it prints>" >&2
        return 1
    fi
    case "$server" in
    postgresql://* | postgres://*) ;;
    *)
        echo "HOTLINE_TEST_PG is not a postgresql:// address: $server" >&2
        return 1
        ;;
    esac
    local name="hl_$$_${RANDOM}_$(date +%s%N)"
    if ! createdb --maintenance-db="$server" "$name" > /dev/null; then
        echo "createdb $name on $server failed" >&2
        return 1
    fi
    # postgresql://user@host/OLD?query becomes postgresql://user@host/NAME?query.
    local base=${server%%\?*}
    local query=${server#"$base"}
    local rest=${base#*://}
    echo "${base%%://*}://${rest%%/*}/$name$query"
}

# test_store_use DIRECTORY: exports HOTLINE_DB, a fresh store's address
# (test_store_address), and on PostgreSQL HOTLINE_KEY_FILE, its key file
# DIRECTORY/hotline.db.key (SQLite's default, "<path>.key", is that file).
test_store_use() {
    HOTLINE_DB=$(test_store_address "$1") || return 1
    export HOTLINE_DB
    if [ "${HOTLINE_TEST_BACKEND:-sqlite}" = postgres ]; then
        export HOTLINE_KEY_FILE="$1/hotline.db.key"
    fi
}

# ---- The servers of the multi-server scenarios (two_servers.sh,
# balancer_kill.sh, failover.sh) ----
#
# A script that uses these keeps two arrays of its own, SERVER_PIDS and
# SERVER_PORTS, and LOAD_PID, which its EXIT trap reads (scenario_kill_servers,
# LOAD_PID killed), and sets PYTHON, the interpreter of its load.

# scenario_free_port: prints a loopback TCP port free at this moment.
scenario_free_port() {
    "${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# scenario_store_sql SQL: one SQL answer from the store HOTLINE_DB, as text
# rows ("a|b"): through psql on PostgreSQL, Python's sqlite3 on a file.
scenario_store_sql() {
    if [[ $HOTLINE_DB == postgres* ]]; then
        psql -X -q -At -v ON_ERROR_STOP=1 -d "$HOTLINE_DB" -c "$1"
    else
        "${PYTHON:-python3}" -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, row)))' "$HOTLINE_DB" "$1"
    fi
}

# scenario_make_store HOTLINE SECRET USER...: creates the store of the
# environment (hotline init), loads units.csv and users.csv of the current
# directory and gives each USER the password SECRET. Dies, saying which
# step failed, on a failure.
scenario_make_store() {
    local hotline=$1 secret=$2 user
    shift 2
    "$hotline" init > /dev/null || die "cannot create the store"
    "$hotline" load units units.csv > /dev/null || die "cannot load units"
    "$hotline" load users users.csv > /dev/null || die "cannot load users"
    for user in "$@"; do
        printf '%s\n' "$secret" | "$hotline" passwd "$user" > /dev/null || die "cannot set the password of $user"
    done
}

# scenario_start_servers HOTLINE COUNT: starts COUNT `hotline serve` on the
# store of the environment, each on a loopback port free at the moment,
# the Nth's output in serverN.out and serverN.log of the current
# directory; appends their process ids to SERVER_PIDS and their ports to
# SERVER_PORTS. It does not wait for them: the load does, through
# hotline_client.require_healthy.
scenario_start_servers() {
    local hotline=$1 count=$2 index port
    for index in $(seq 1 "$count"); do
        port=$(scenario_free_port)
        "$hotline" serve --listen "127.0.0.1:$port" > "server$index.out" 2> "server$index.log" &
        SERVER_PIDS+=($!)
        SERVER_PORTS+=("$port")
    done
}

# scenario_stop_servers: ends the servers of SERVER_PIDS as an operator
# would (SIGTERM), waits for each and empties the array.
scenario_stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2> /dev/null || true
        { wait "$pid"; } 2> /dev/null || true
    done
    SERVER_PIDS=()
}

# scenario_kill_servers: kills the servers of SERVER_PIDS (SIGKILL) and
# waits for each; for the EXIT traps, which must leave nothing running.
scenario_kill_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill -KILL "$pid" 2> /dev/null || true
        { wait "$pid"; } 2> /dev/null || true
    done
    SERVER_PIDS=()
}

# scenario_start_load OUTPUT SCRIPT ARGUMENT...: runs a load (a Python
# script that prints READY once its clients are logged in) in the
# background, its output into OUTPUT, its process id into LOAD_PID, and
# waits up to 30 s for READY; returns nonzero when READY did not come.
scenario_start_load() {
    local output=$1 _
    shift
    "${PYTHON:-python3}" -u "$@" > "$output" 2>&1 &
    LOAD_PID=$!
    for _ in $(seq 1 300); do
        grep -q '^READY' "$output" 2> /dev/null && break
        kill -0 "$LOAD_PID" 2> /dev/null || break
        sleep 0.1
    done
    grep -q '^READY' "$output"
}

# scenario_end_load STOP_FILE: tells the load of LOAD_PID to stop (it
# polls STOP_FILE), waits for it and returns its exit status.
scenario_end_load() {
    local status=0
    touch "$1"
    wait "$LOAD_PID" || status=$?
    LOAD_PID=""
    return "$status"
}

# The orders of each day as scenario_gaps reads them: day|count|lowest|highest.
SCENARIO_DAYS_SQL="SELECT id / 1000000, count(*), min(id % 1000000), max(id % 1000000) FROM orders GROUP BY id / 1000000"

# scenario_gaps: reads SCENARIO_DAYS_SQL's rows on its input and prints a
# line for each day whose order numbers are not dense (1..N, no gap, no
# duplicate); nothing when every day's are.
scenario_gaps() {
    awk -F'|' '$2 != $4 || $3 != 1 {print "day " $1 ": " $2 " orders numbered " $3 ".." $4}'
}

# scenario_lost_writes ACKNOWLEDGED FOUND: ACKNOWLEDGED holds a line
# "number version time" for each write answered 2xx, FOUND the store's
# "id|version" rows of its orders. Prints up to five orders missing from
# the store or at a version below the highest one answered, "none
# acknowledged" when ACKNOWLEDGED is empty, and nothing when no
# acknowledged write was lost. Writes expected.txt and found.txt into the
# current directory.
scenario_lost_writes() {
    awk '{v[$1] = $2 > v[$1] ? $2 : v[$1]} END {for (n in v) print n, v[n]}' "$1" | sort > expected.txt
    tr '|' ' ' < "$2" | sort > found.txt
    if [ ! -s expected.txt ]; then
        echo "none acknowledged"
        return 0
    fi
    join -a1 expected.txt found.txt | awk 'NF < 3 || $3 < $2' | head -n 5
}

# scenario_verify HOTLINE WHEN: `hotline verify` on the store of the
# environment must find the counters equal to the log: a pass, or a
# failure "verify WHEN: <its first lines>".
scenario_verify() {
    if "$1" verify > verify.out 2>&1; then
        pass
    else
        fail "verify $2: $(head -n 5 verify.out)"
    fi
}
