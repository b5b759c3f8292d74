# scenario.sh: the counting helpers of the scenario tests (tests/scenario/),
# sourced by each script. pass and fail count checks; finish prints the
# closing line CTest and CI read ("N passed, M failed") and exits 0 only
# when nothing failed; die is a failure that everything after depends on.
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
