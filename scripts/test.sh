#!/usr/bin/env bash
# Builds hotline and runs every test: first a normal build with warnings as
# errors, then the same tests under AddressSanitizer and
# UndefinedBehaviorSanitizer (all but the browser test). The tests that open
# a store run on both backends (labels sqlite and postgres), the PostgreSQL
# copies on a throwaway server started here and removed at the end. The
# web pages' npm packages are installed first (scripts/web-assets.sh). This
# is the README's test command and what CI runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/bootstrap.sh
./scripts/web-assets.sh --with-tests
jobs=$(nproc 2>/dev/null || echo 2)

# A throwaway PostgreSQL server (scripts/pg-throwaway.sh: a Unix socket
# in a temporary directory, no TCP port) for the tests' postgres copies
# (label postgres); stopped and removed on every exit, failed tests too.
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/hotline-pg-XXXXXX")
trap './scripts/pg-throwaway.sh stop "$pg_dir"' EXIT
trap 'exit 130' INT TERM
echo "== a throwaway PostgreSQL server in $pg_dir"
HOTLINE_TEST_PG=$(./scripts/pg-throwaway.sh start "$pg_dir")
export HOTLINE_TEST_PG

echo "== layout (clang-format)"
./scripts/check-format.sh .

echo "== build (warnings are errors)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTLINE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build with AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DHOTLINE_WERROR=ON -DHOTLINE_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j"$jobs"
echo "== tests under sanitizers"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The browser test (label e2e) ran against the normal build above; under
# the sanitizers it would only repeat the HTTP test's requests, slower.
# So did testssl.sh's outside scan (http_testssl: a minute and more of
# handshakes that http_tls already drives through the same code) and the
# layer check (label build: it reads the sources, runs nothing of ours).
# The two kill scenarios (scenario_kill_during_*) end the program with
# SIGKILL hundreds of times: a killed process never reaches the
# sanitizers' checks, and the actions and imports they drive run under the
# sanitizers in test_app, test_transfer_import and the cli cases.
# The PostgreSQL copies (label postgres) ran there too; here only the
# store's own tests on PostgreSQL (test_store_*: every backend function,
# a few seconds each), because the whole label again under the sanitizers
# would take the test command past its 30 minutes on two cores.
# test_copy's leg through PostgreSQL (the only test labelled sqlite that
# uses the server when HOTLINE_TEST_PG is set) ran in the normal build; under
# the sanitizers PostgreSQL's side of a copy is test_store_postgres_copyin's.
(cd build-sanitize && env -u HOTLINE_TEST_PG ctest --output-on-failure -j"$jobs" -LE 'e2e|postgres|build' \
    -E '^(http_testssl|scenario_kill_during_actions|scenario_kill_during_import)$')
(cd build-sanitize && ctest --output-on-failure -j"$jobs" -L postgres -R '^test_store_')

echo "== fuzzing (libFuzzer, clang, bounded time)"
unset ASAN_OPTIONS UBSAN_OPTIONS
# 20 s a harness here (the seeds and every input found so far replay in
# the fuzz_*_corpus tests above); longer runs: tests/fuzz/run.sh SECONDS.
./tests/fuzz/run.sh "${FUZZ_SECONDS:-20}"
