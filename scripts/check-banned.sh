#!/usr/bin/env bash
# Fails when project code calls a banned function (src/base/banned.h says
# which and why, in its HL_BANNED lines; this script reads them from there).
# The compiler already refuses them, since every C file of the project
# starts with banned.h; this second guard also reads the sources a given
# build does not compile (the fuzzing harnesses need clang) and code under
# #if, and runs in a second.
set -euo pipefail
root=${1:-.}
header="$root/src/base/banned.h"
names=$(sed -nE 's/^#define ([a-z_]+) HL_BANNED\(.*/\1/p' "$header" | paste -sd'|' -)
if [ -z "$names" ]; then
  echo "check-banned: no HL_BANNED lines in $header" >&2
  exit 1
fi
pattern="(^|[^_[:alnum:]])($names)[[:space:]]*\\("
found=$(grep -rnE "$pattern" "$root/src" "$root/tests" "$root/bench" --include='*.c' --include='*.h' |
          grep -v "^$header:" || true)
if [ -n "$found" ]; then
  echo "banned functions called (see src/base/banned.h):" >&2
  echo "$found" >&2
  exit 1
fi
exit 0
