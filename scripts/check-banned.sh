#!/usr/bin/env bash
# Fails when project code calls a function that invites buffer overflows:
# sprintf, vsprintf, strcpy, strcat, strtok, gets. Use snprintf, hl_buf and
# length-carrying slices instead.
set -euo pipefail
root=${1:-.}
pattern='(^|[^_[:alnum:]])(sprintf|vsprintf|strcpy|strcat|strtok|gets)[[:space:]]*\('
found=$(grep -rnE "$pattern" "$root/src" "$root/tests" "$root/bench" --include='*.c' --include='*.h' || true)
if [ -n "$found" ]; then
  echo "banned functions called:" >&2
  echo "$found" >&2
  exit 1
fi
exit 0
