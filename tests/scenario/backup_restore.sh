#!/usr/bin/env bash
# backup_restore.sh HOTLINE SOURCE_DIR
#
# The backup and restore procedure of docs/deploy.md, run: a base backup
# (pg_basebackup) and the archived WAL (archive_mode on, an
# archive_command copying each segment) bring back every write the store
# acknowledged after the base backup, on a machine whose data directory is
# gone.
#
# The script starts its own PostgreSQL (tests/support/pg_cluster.sh) with
# WAL archiving into a directory of its own, makes the store, registers and
# dispatches orders, takes the base backup (tar format, as a backup job
# would store it), writes more (each command's exit 0 is its
# acknowledgement), switches to a new WAL segment so the last writes are
# archived, and then crashes the server (pg_ctl stop -m immediate) and
# deletes its data directory. The restore: unpack the base backup into a
# new data directory, a restore_command reading the archive,
# recovery.signal, start; PostgreSQL replays the archive to its end and
# opens for writes. Then every order and every action answered before the
# crash is there, `hotline verify` finds the counters equal to the log, and
# the restored store takes new writes. pg_verifybackup checks the backup
# first, as docs/deploy.md says to.
# Registered once, as scenario_backup_restore_pg (label postgres; SQLite's
# own backup is a copy of the file and its key). Prints "N passed, M failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ORDERS=20 # before the base backup, and as many after it

. "$HERE/../support/scenario.sh"
. "$HERE/../support/pg_cluster.sh"

pg_bindir_found || die "PostgreSQL's server programs are missing (Debian's postgresql; HOTLINE_PG_BINDIR)"
pg_hotline_has_postgres "$HOTLINE" || die "$HOTLINE was built without the PostgreSQL backend"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-backup.XXXXXX")
cleanup() {
    pg_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
export HOTLINE_NOW='2024-03-04 09:00'
export HOTLINE_KEY_FILE="$WORK/store.key" # backed up apart from the database, as the key must be

SERVER=$WORK/server
ARCHIVE=$WORK/archive
BACKUP=$WORK/backup
pg_init "$SERVER" || die "initdb failed"
mkdir -p "$ARCHIVE" "$BACKUP"
pg_own "$ARCHIVE"
pg_own "$BACKUP"
# The archive_command of docs/deploy.md: never overwrite a segment already archived.
pg_start "$SERVER" -c archive_mode=on \
    -c "archive_command='test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'" || die "the server did not start"
pg_psql "$SERVER" postgres -c "CREATE DATABASE hotline" || die "cannot create the database"
export HOTLINE_DB
HOTLINE_DB=$(pg_address hotline "$SERVER")

cat > units.csv << 'EOF'
code,name,group,parent,active
xiaodian,小店区政府,县市区(开发区),,1
EOF
cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
dispatcher1,张伟,dispatcher,,1
EOF
"$HOTLINE" init > /dev/null || die "cannot create the store"
"$HOTLINE" load units units.csv > /dev/null || die "cannot load units"
"$HOTLINE" load users users.csv > /dev/null || die "cannot load users"

: > acknowledged.txt
write_orders() {
    local index number
    for index in $(seq 1 "$ORDERS"); do
        number=$("$HOTLINE" register --as agent1 --type help --title "$1 $index" --content "路灯不亮" |
            grep -o '[0-9]\{14\}' | head -n 1) || return 1
        echo "$number 1" >> acknowledged.txt
        if [ $((index % 2)) -eq 0 ]; then
            "$HOTLINE" dispatch "$number" --as dispatcher1 --unit xiaodian > /dev/null || return 1
            echo "$number 2" >> acknowledged.txt
        fi
    done
}
write_orders "before the backup" || die "the writes before the backup failed"

# The base backup: tar, compressed, with a manifest; the WAL it needs
# streamed beside it (pg_wal.tar.gz), so it restores on its own.
pg_as_owner "$PG_BIN/pg_basebackup" -h "$SERVER" -p "$PG_PORT" -U postgres -D "$BACKUP/base" \
    -F tar -z -X stream -c fast > basebackup.log 2>&1 || die "pg_basebackup failed: $(tail -n 3 basebackup.log)"
if [ -x "$PG_BIN/pg_verifybackup" ]; then
    # pg_verifybackup reads plain backups: unpack a copy to check it.
    mkdir -p "$WORK/verify"
    tar -xzf "$BACKUP/base/base.tar.gz" -C "$WORK/verify"
    tar -xzf "$BACKUP/base/pg_wal.tar.gz" -C "$WORK/verify/pg_wal"
    cp "$BACKUP/base/backup_manifest" "$WORK/verify/"
    pg_own "$WORK/verify"
    if pg_as_owner "$PG_BIN/pg_verifybackup" "$WORK/verify" > verifybackup.log 2>&1; then
        pass
    else
        fail "pg_verifybackup: $(tail -n 3 verifybackup.log)"
    fi
    rm -rf "$WORK/verify"
fi

write_orders "after the backup" || die "the writes after the backup failed"
# What the archive holds when the server dies is what comes back: the
# current segment is closed and archived now (in production,
# archive_timeout bounds how long a segment stays open).
pg_psql "$SERVER" postgres -Atc "SELECT pg_switch_wal()" > /dev/null
for _ in $(seq 1 100); do
    archived=$(pg_psql "$SERVER" postgres -Atc "SELECT last_archived_wal FROM pg_stat_archiver")
    current=$(pg_psql "$SERVER" postgres -Atc "SELECT pg_walfile_name(pg_current_wal_lsn())")
    [ -n "$archived" ] && [[ $archived < $current ]] && break
    sleep 0.1
done
pg_stop "$SERVER" immediate || die "pg_ctl stop -m immediate failed"
rm -rf "$SERVER/data"
acknowledged=$(wc -l < acknowledged.txt)
echo "backup_restore: $acknowledged writes acknowledged; the server crashed and its data directory is gone"

# ---- the restore (docs/deploy.md, "Restore") ----
mkdir -p "$SERVER/data"
tar -xzf "$BACKUP/base/base.tar.gz" -C "$SERVER/data"
tar -xzf "$BACKUP/base/pg_wal.tar.gz" -C "$SERVER/data/pg_wal"
chmod 700 "$SERVER/data"
cat >> "$SERVER/data/postgresql.auto.conf" << EOF
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_timeline = 'latest'
EOF
touch "$SERVER/data/recovery.signal"
pg_own "$SERVER"
pg_start "$SERVER" || die "the restored server did not start: $(tail -n 5 "$SERVER/log")"
for _ in $(seq 1 300); do
    [ "$(pg_psql "$SERVER" postgres -Atc "SELECT pg_is_in_recovery()" 2> /dev/null)" = f ] && break
    sleep 0.1
done
[ "$(pg_psql "$SERVER" postgres -Atc "SELECT pg_is_in_recovery()")" = f ] && pass ||
    fail "the restored server is still recovering: $(tail -n 5 "$SERVER/log")"

awk '{v[$1] = $2 > v[$1] ? $2 : v[$1]} END {for (n in v) print n, v[n]}' acknowledged.txt | sort > expected.txt
pg_psql "$SERVER" hotline -Atc "SELECT id, version FROM orders" | tr '|' ' ' | sort > found.txt
lost=$(join -a1 expected.txt found.txt | awk 'NF < 3 || $3 < $2' | head -n 5)
if [ -z "$lost" ] && [ "$(wc -l < expected.txt)" -eq $((2 * ORDERS)) ]; then
    pass
else
    fail "acknowledged writes missing after the restore: ${lost:-$(wc -l < expected.txt) orders expected}"
fi
if "$HOTLINE" verify > verify.out 2>&1; then
    pass
else
    fail "verify on the restored store: $(head -n 5 verify.out)"
fi
if "$HOTLINE" register --as agent1 --type help --title "after the restore" --content "路灯不亮" > /dev/null; then
    pass
else
    fail "the restored store takes no write"
fi
finish
