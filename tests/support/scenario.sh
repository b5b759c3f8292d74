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
