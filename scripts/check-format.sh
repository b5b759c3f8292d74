#!/usr/bin/env bash
# check-format.sh [SOURCE_DIR]: fails when a C file of src/, tests/ or
# bench/ is not laid out as .clang-format says (clang-format 14, Debian's).
# scripts/test.sh runs it first; `clang-format -i FILE` fixes a file.
set -euo pipefail
root=${1:-.}
cd "$root"
command -v clang-format > /dev/null || { echo "check-format: clang-format is missing (scripts/bootstrap.sh)" >&2; exit 1; }
mapfile -t files < <(find src tests bench -name '*.[ch]' -not -path '*/node_modules/*' | sort)
log=$(mktemp "${TMPDIR:-/tmp}/hotline-format.XXXXXX")
trap 'rm -f "$log"' EXIT
if ! clang-format --dry-run -Werror "${files[@]}" 2> "$log"; then
    grep -E '^[^ ].*(warning|error):' "$log" | sed 's/:[0-9].*//' | sort -u | sed 's/^/check-format: not formatted: /' >&2
    echo "check-format: run clang-format -i on the files above" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
