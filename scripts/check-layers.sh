#!/usr/bin/env bash
# check-layers.sh [SOURCE_DIR]: fails the build when a file of src/ includes
# a header of a layer above its own, or of a store backend other than its
# own, or when SQLite or libpq, or SQL text, appears outside its backend.
#
# The layers, lowest first (docs/ARCHITECTURE.md draws them):
#   base -> domain -> report, store -> store backends -> app -> demo -> http, cli
# Each folder may include the folders listed for it below and nothing else.
# The CMake libraries link the same way; this check catches an include of a
# header whose functions the linker would find anyway, through a library
# linked for another reason.
set -euo pipefail
root=${1:-.}
cd "$root/src"

# Each folder, then the folders it may include (once, for both checks below).
layers='base: base
domain: base domain
report: base domain report
nlp: base nlp
store: base domain store
store/sqlite: base domain store store/sqlite
store/postgres: base domain store store/postgres
app: base domain report store app
demo: base domain report app demo
http: base domain report app http
cli: base domain report app demo http cli'

status=0
# One awk pass over every file (a process per file and per include took
# ten seconds on this tree, and the build's test runs this check six times).
find . -name '*.[ch]' | sort | xargs awk -v layers="$layers" '
function folder_of(path) {
    sub(/^\.\//, "", path)
    if (path !~ /\//) return "."
    sub(/\/[^\/]*$/, "", path)
    return path
}
BEGIN {
    count = split(layers, lines, "\n")
    for (i = 1; i <= count; i++) {
        colon = index(lines[i], ":")
        allowed[substr(lines[i], 1, colon - 1)] = substr(lines[i], colon + 2)
    }
    status = 0
}
FNR == 1 {
    folder = folder_of(FILENAME)
    permitted = (folder in allowed) ? allowed[folder] : ""
    # The one place that knows every backend: it picks one by the store\x27s address.
    if (FILENAME == "./store/store_open.c")
        permitted = permitted " store/sqlite store/postgres"
    # A folder no layer owns is reported below, once, with empty files too.
    if (permitted == "")
        nextfile
}
/^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"/ {
    included = $0
    sub(/^[^"]*"/, "", included)
    sub(/".*$/, "", included)
    target = folder_of(included)
    if (index(" " permitted " ", " " target " ") == 0) {
        printf "check-layers: src/%s (%s) includes \"%s\": not a layer below it\n", substr(FILENAME, 3), folder, included > "/dev/stderr"
        status = 1
    }
}
END { exit status }
' || status=1
while IFS= read -r folder; do
    if ! cut -d: -f1 <<< "$layers" | grep -qxF "${folder#./}"; then
        echo "check-layers: src/${folder#./} is a folder no layer owns" >&2
        status=1
    fi
done < <(find . -name '*.[ch]' -printf '%h\n' | sort -u)

# SQLite's API stays inside the SQLite backend, libpq's inside the
# PostgreSQL backend, and SQL text inside those two, so that app/ and the
# derivations in store/ cannot come to depend on one database.
outside=$(grep -rlE '(^|[^_[:alnum:]])sqlite3' --include='*.[ch]' . | grep -v '^\./store/sqlite/' || true)
if [ -n "$outside" ]; then
    echo "check-layers: SQLite named outside src/store/sqlite/: $outside" >&2
    status=1
fi
# libpq likewise stays inside the PostgreSQL backend.
outside=$(grep -rlE '(libpq-fe\.h|(^|[^_[:alnum:]])(PGconn|PGresult|PQ[a-z][A-Za-z]*)([^_[:alnum:]]|$))' --include='*.[ch]' . | grep -v '^\./store/postgres/' || true)
if [ -n "$outside" ]; then
    echo "check-layers: libpq named outside src/store/postgres/: $outside" >&2
    status=1
fi
sql='"[^"]*(SELECT [^"]* FROM |INSERT INTO |UPDATE [a-z_]+ SET |DELETE FROM |CREATE (TABLE|INDEX|TRIGGER) )'
outside=$(grep -rlE "$sql" --include='*.[ch]' . | grep -vE '^\./store/(sqlite|postgres)/' || true)
if [ -n "$outside" ]; then
    echo "check-layers: SQL text outside the store backends: $outside" >&2
    status=1
fi
exit $status
