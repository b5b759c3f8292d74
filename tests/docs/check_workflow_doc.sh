#!/usr/bin/env bash
# Checks that the transition table in docs/workflow.md is the one the code
# holds (`hotline workflow --markdown`). With --update, rewrites it.
set -euo pipefail
binary=$1
doc=$2/docs/workflow.md
begin='<!-- BEGIN GENERATED: hotline workflow --markdown -->'
end='<!-- END GENERATED -->'
generated=$("$binary" workflow --markdown)
if [ "${3:-}" = "--update" ]; then
  python3 - "$doc" "$begin" "$end" "$generated" <<'PY'
import sys
path, begin, end, body = sys.argv[1:]
text = open(path, encoding='utf-8').read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, 'w', encoding='utf-8').write(head + begin + '\n' + body + '\n' + end + tail)
PY
  exit 0
fi
documented=$(awk -v b="$begin" -v e="$end" '$0==e{inside=0} inside{print} $0==b{inside=1}' "$doc")
if [ "$documented" != "$generated" ]; then
  echo "docs/workflow.md is out of date with the workflow table; run:" >&2
  echo "  bash tests/docs/check_workflow_doc.sh build/hotline . --update" >&2
  diff <(echo "$documented") <(echo "$generated") >&2 || true
  exit 1
fi
echo "1 passed, 0 failed"
