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

allowed() {
    case $1 in
    base) echo "base" ;;
    domain) echo "base domain" ;;
    report) echo "base domain report" ;;
    nlp) echo "base nlp" ;;
    store) echo "base domain store" ;;
    store/sqlite) echo "base domain store store/sqlite" ;;
    store/postgres) echo "base domain store store/postgres" ;;
    app) echo "base domain report store app" ;;
    demo) echo "base domain report app demo" ;;
    http) echo "base domain report app http" ;;
    cli) echo "base domain report app demo http cli" ;;
    *) echo "" ;;
    esac
}

status=0
while IFS= read -r file; do
    folder=$(dirname "$file")
    folder=${folder#./}
    permitted=$(allowed "$folder")
    if [ -z "$permitted" ]; then
        echo "check-layers: src/$file is in a folder no layer owns ($folder)" >&2
        status=1
        continue
    fi
    # The one place that knows every backend: it picks one by the store's address.
    if [ "$file" = "./store/store_open.c" ]; then
        permitted="$permitted store/sqlite store/postgres"
    fi
    while IFS= read -r included; do
        target=$(dirname "$included")
        ok=no
        for layer in $permitted; do
            if [ "$target" = "$layer" ]; then
                ok=yes
                break
            fi
        done
        if [ $ok = no ]; then
            echo "check-layers: src/${file#./} ($folder) includes \"$included\": not a layer below it" >&2
            status=1
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find . -name '*.[ch]' | sort)

# SQLite's API and SQL text stay inside the SQLite backend (and a future
# backend's SQL inside its own folder), so that app/ and the derivations in
# store/ cannot come to depend on one database.
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
