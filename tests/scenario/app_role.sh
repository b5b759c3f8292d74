#!/usr/bin/env bash
# app_role.sh HOTLINE SOURCE_DIR
#
# The roles of docs/deploy.md ("Roles"), run: the store is created by an
# owner role that may not create roles (the DBA made hotline_app first);
# the servers' role, a member of hotline_app, runs the platform (loads,
# registers, acts, verifies) and may read and append to the two logs but
# not update, delete or truncate them (both hold rows: `show` gave the
# full number out); the owner may not either (the
# triggers). On a throwaway PostgreSQL of its own
# (tests/support/pg_cluster.sh). Registered once, as scenario_app_role_pg
# (label postgres). Prints
# "N passed, M failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)

. "$HERE/../support/scenario.sh"
. "$HERE/../support/pg_cluster.sh"

pg_bindir_found || die "PostgreSQL's server programs are missing (Debian's postgresql; HOTLINE_PG_BINDIR)"
pg_hotline_has_postgres "$HOTLINE" || die "$HOTLINE was built without the PostgreSQL backend"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-app-role.XXXXXX")
cleanup() {
    pg_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
export HOTLINE_NOW='2024-03-04 09:00'
export HOTLINE_KEY_FILE="$WORK/store.key"

pg_init "$WORK/pg" || die "initdb failed"
pg_start "$WORK/pg" || die "the server did not start"
pg_psql "$WORK/pg" postgres << 'EOF' || die "cannot create the roles"
CREATE ROLE hotline_app NOLOGIN;
CREATE ROLE hotline_owner LOGIN;
CREATE ROLE hotline_server LOGIN IN ROLE hotline_app;
CREATE DATABASE hotline OWNER hotline_owner;
EOF
owner="postgresql:///hotline?host=$WORK/pg&port=$PG_PORT&user=hotline_owner"
server="postgresql:///hotline?host=$WORK/pg&port=$PG_PORT&user=hotline_server"

if "$HOTLINE" --db "$owner" init > init.out 2>&1; then
    pass
else
    die "init as the owner: $(head -n 3 init.out)"
fi

cat > units.csv << 'EOF'
code,name,group,parent,active
xiaodian,小店区政府,县市区(开发区),,1
EOF
cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
dispatcher1,张伟,dispatcher,,1
EOF
export HOTLINE_DB=$server
if "$HOTLINE" load units units.csv > run.out 2>&1 && "$HOTLINE" load users users.csv >> run.out 2>&1 &&
    number=$("$HOTLINE" register --as agent1 --type help --title "路灯" --content "路灯不亮" --phone 13900001111 | grep -o '[0-9]\{14\}' | head -n 1) &&
    "$HOTLINE" dispatch "$number" --as dispatcher1 --unit xiaodian >> run.out 2>&1 &&
    "$HOTLINE" show "$number" >> run.out 2>&1 && "$HOTLINE" verify >> run.out 2>&1; then
    pass
else
    fail "the platform as hotline_server: $(tail -n 3 run.out)"
fi

# Password history as hotline_server (schema 7's grants on password_history):
# two passwords set, then the first again refused by the history, not by a
# missing privilege.
if printf 'app role password 1\n' | "$HOTLINE" passwd agent1 > passwd.out 2>&1 &&
    printf 'app role password 2\n' | "$HOTLINE" passwd agent1 >> passwd.out 2>&1 &&
    ! printf 'app role password 1\n' | "$HOTLINE" --lang en passwd agent1 >> passwd.out 2>&1 &&
    grep -q 'must differ from the last 5' passwd.out; then
    pass
else
    fail "password history as hotline_server: $(tail -n 3 passwd.out)"
fi

# What each role may do to the logs: "denied" (privilege), "append-only" (trigger), or "done".
attempt() {
    local role=$1 sql=$2 out
    if out=$("$PG_BIN/psql" -X -q -h "$WORK/pg" -p "$PG_PORT" -U "$role" -d hotline -v ON_ERROR_STOP=1 -c "$sql" 2>&1); then
        echo done
    elif grep -q 'permission denied' <<< "$out"; then
        echo denied
    elif grep -q 'append-only' <<< "$out"; then
        echo append-only
    else
        echo "other: $out"
    fi
}
check() {
    local role=$1 sql=$2 expected=$3 got
    got=$(attempt "$role" "$sql")
    if [ "$got" = "$expected" ]; then
        pass
    else
        fail "$role: $sql: expected $expected, got $got"
    fi
}
# The servers' role may DELETE from the audit of reads, for the audit's
# archive (docs/security.md, "Retention and archives"), but only rows at
# or below the chain's anchor: the trigger refuses every row above it.
for table in events personal_data_reads; do
    check hotline_server "SELECT count(*) FROM $table" done
    if [ "$table" = events ]; then
        check hotline_server "DELETE FROM $table" denied
    else
        check hotline_server "DELETE FROM $table" append-only
    fi
    check hotline_server "UPDATE $table SET at = at" denied
    check hotline_server "TRUNCATE $table" denied
    check hotline_owner "DELETE FROM $table" append-only
    check hotline_owner "UPDATE $table SET at = at" append-only
    check hotline_owner "TRUNCATE $table" append-only
done
# Published bulletins (docs/security.md, "Published bulletins"): the
# servers' role reads and inserts them, and changes none; the owner is
# stopped by the triggers. One row, written as the owner, for the row
# triggers to meet.
zeros=0000000000000000000000000000000000000000000000000000000000000000
check hotline_owner "INSERT INTO published_bulletins VALUES(202402, 1, 0, 'analyst1', 0, '$zeros', 1, 1, 1, '', 'x', '$zeros')" done
check hotline_server "SELECT count(*) FROM published_bulletins" done
check hotline_server "DELETE FROM published_bulletins" denied
check hotline_server "UPDATE published_bulletins SET surveyed = 2" denied
check hotline_server "TRUNCATE published_bulletins" denied
check hotline_owner "DELETE FROM published_bulletins" append-only
check hotline_owner "UPDATE published_bulletins SET surveyed = 2" append-only
check hotline_owner "TRUNCATE published_bulletins" append-only
check hotline_server "UPDATE orders SET version = version WHERE false" done
finish
