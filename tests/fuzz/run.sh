#!/usr/bin/env bash
# run.sh [SECONDS]: builds the libFuzzer harnesses with clang (ASan, UBSan,
# coverage) in build-fuzz/ and runs each one for SECONDS (default
# $FUZZ_SECONDS, else 50; five harnesses, as many at a time as there are
# processors, so about 2.5 minutes on two and the build), starting from the seeds in tests/fuzz/corpus/<harness>/ with the
# dictionary tests/fuzz/<harness>.dict. The checked-in seeds are not
# changed: the fuzzer works on a copy in a temporary directory, removed at
# the end. A crash, leak, timeout or failed check stops that harness; its
# input is kept in build-fuzz/artifacts/ and the line to replay it is
# printed. Needs no network and no server. Prints "N passed, M failed";
# exits 1 when a harness failed. scripts/test.sh runs it after the tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-50}}
build="$root/build-fuzz"
harnesses=(fuzz_json_body fuzz_routes fuzz_parsers fuzz_open311 fuzz_zone)

echo "== fuzz: building the harnesses with clang in $build"
CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTLINE_WERROR=ON \
    -DHOTLINE_FUZZ=ON > /dev/null
cmake --build "$build" -j"$(nproc 2> /dev/null || echo 2)" --target "${harnesses[@]}"

# Every kept input replayed once first (the tests labelled fuzz), so that a
# crasher found earlier fails here before any time is spent fuzzing.
(cd "$build" && ctest -L fuzz --output-on-failure)

work=$(mktemp -d "${TMPDIR:-/tmp}/hotline-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# One harness: its result in $work/$harness.result (a line for the log).
fuzz_one() {
    local harness=$1 corpus="$work/$1"
    mkdir -p "$corpus"
    cp "$root/tests/fuzz/corpus/$harness/"* "$corpus/"
    # TMPDIR for fuzz_routes' store: inside the work directory, removed with it.
    if TMPDIR="$work" "$build/tests/fuzz/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$root/tests/fuzz/$harness.dict" -artifact_prefix="$build/artifacts/$harness-" \
        -print_final_stats=1 "$corpus" > "$work/$harness.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$harness.log")
        coverage=$(grep -o 'cov: [0-9]*' "$work/$harness.log" | tail -1)
        echo "   $harness: ${runs:-?} inputs, $coverage, no failure" > "$work/$harness.result"
    else
        echo "FAIL" > "$work/$harness.result"
    fi
}

# As many harnesses at a time as there are processors: each fuzzer is one
# process, and one at a time left the other core idle.
jobs=$(nproc 2> /dev/null || echo 2)
running=0
for harness in "${harnesses[@]}"; do
    echo "== fuzz: $harness for ${seconds}s"
    fuzz_one "$harness" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

passed=0
failed=0
for harness in "${harnesses[@]}"; do
    if [ "$(cat "$work/$harness.result" 2> /dev/null)" != FAIL ] && [ -s "$work/$harness.result" ]; then
        cat "$work/$harness.result"
        passed=$((passed + 1))
    else
        tail -40 "$work/$harness.log"
        echo "FAIL: $harness found a failure; replay it with:" >&2
        echo "   $build/tests/fuzz/$harness $(ls -t "$build/artifacts/$harness-"* 2> /dev/null | head -1)" >&2
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
