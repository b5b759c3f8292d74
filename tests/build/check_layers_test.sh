#!/usr/bin/env bash
# check_layers_test.sh SOURCE_DIR: scripts/check-layers.sh passes on the
# tree as it is, and fails on copies of it broken in each way it guards
# against: an include upward (domain/ including app/), an include of a
# backend from app/, SQLite named outside its backend, SQL text in app/,
# a folder that no layer owns.
# Prints "N passed, M failed"; exits 1 on a failure.
set -euo pipefail
source_dir=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hotline-layers.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # name, expected status (0 or 1), tree
    if "$source_dir/scripts/check-layers.sh" "$3" > "$work/out" 2>&1; then status=0; else status=1; fi
    if [ "$status" -eq "$2" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $1: check-layers exited $status, expected $2: $(head -3 "$work/out")" >&2
    fi
}
fresh() { # a copy of src/ and scripts/ to break
    rm -rf "$work/tree"
    mkdir -p "$work/tree"
    cp -r "$source_dir/src" "$source_dir/scripts" "$work/tree/"
}

fresh
check "the tree as it is" 0 "$work/tree"

fresh
printf '#include "app/app.h"\n' >> "$work/tree/src/domain/order.c"
check "domain/ includes app/" 1 "$work/tree"

fresh
printf '#include "store/sqlite/sqlite.h"\n' >> "$work/tree/src/app/verify.c"
check "app/ includes a backend" 1 "$work/tree"

fresh
printf '#include "http/server.h"\n' >> "$work/tree/src/report/render.c"
check "report/ includes http/" 1 "$work/tree"

fresh
printf 'static int sqlite3_probe;\n' >> "$work/tree/src/store/store.c"
check "SQLite named in store/" 1 "$work/tree"

fresh
printf 'static const char *q = "SELECT id FROM orders";\n' >> "$work/tree/src/app/verify.c"
check "SQL text in app/" 1 "$work/tree"

fresh
mkdir -p "$work/tree/src/extra" && : > "$work/tree/src/extra/empty.c"
check "a folder no layer owns, its file empty" 1 "$work/tree"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
