#!/usr/bin/env bash
# backup_online.sh HOTLINE SOURCE_DIR
#
# `hotline backup` is online and consistent, `hotline restore` brings it
# back (docs/deploy.md, docs/security.md "Backup, restore and faults").
# A `hotline serve` takes writes over HTTP from two writer threads (each
# registers an order, then dispatches it), and each writer appends a line
# "NANOSECONDS R|D NUMBER" to its log only once the server answered 201/200
# (acknowledged). While they write, `hotline backup` saves the store; the
# writers go on a little after it. Then the backup is restored into an empty
# place (a new SQLite file; in the _pg copy a new PostgreSQL database), and:
#   - every write acknowledged before the backup began is in the restored
#     store (the registration as an order; the dispatch as its state);
#   - writes were acknowledged while the backup ran (it stopped no writer);
#   - `hotline verify` finds the restored store agreeing with its log;
#   - the backup file is 0600 and holds no key;
#   - the restored store takes new writes (a registration, and verify again).
# Prints "N passed, M failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-backup-online.XXXXXX")
SERVER_PID=""
WRITER_PID=""
. "$HERE/../support/scenario.sh"
cleanup() {
    local pid
    for pid in "$WRITER_PID" "$SERVER_PID"; do
        if [ -n "$pid" ]; then
            kill -KILL "$pid" 2> /dev/null || true
            { wait "$pid"; } 2> /dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
unset HOTLINE_NOW # the server's clock is the real one: sessions must not be expired
export PYTHONPATH="$HERE/../support${PYTHONPATH:+:$PYTHONPATH}"

test_store_use "$WORK" || die "no store to run on"
SOURCE_DB=$HOTLINE_DB
KEY=${HOTLINE_KEY_FILE:-$WORK/hotline.db.key}
echo "backup_online: store $SOURCE_DB"

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
for user in agent1 dispatcher1; do
    printf '%s\n' 'backup-online-secret' | "$HOTLINE" passwd "$user" > /dev/null ||
        die "cannot set the password of $user"
done

port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$HOTLINE" serve --listen "127.0.0.1:$port" > server.out 2> server.log &
SERVER_PID=$!

# The writers: until the file "stop" exists; a line per acknowledged write.
cat > writers.py << 'EOF'
import json, os, sys, threading, time
from hotline_client import Client, login, wait_healthy

port = int(sys.argv[1])
if not wait_healthy(port):
    sys.exit("the server did not answer /healthz")
tokens = login(port, ("agent1", "dispatcher1"), "backup-online-secret")
open("ready", "w").close()
problems = []

def writer(index):
    connection = Client(port)
    with open(f"acked{index}.log", "a", buffering=1) as log:
        serial = 0
        while not os.path.exists("stop"):
            serial += 1
            status, _, body = connection.call("POST", "/api/v1/orders", tokens["agent1"],
                {"type": "help", "title": f"writer {index} order {serial}", "content": "路灯不亮"})
            if status != 201:
                problems.append(f"register: {status} {body[:120]!r}")
                continue
            number = json.loads(body)["number"]
            log.write(f"{time.time_ns()} R {number}\n")
            status, _, body = connection.call("POST", f"/api/v1/orders/{number}/actions/dispatch",
                tokens["dispatcher1"], {"unit": "xiaodian"}, if_match=1)
            if status != 200:
                problems.append(f"dispatch {number}: {status} {body[:120]!r}")
                continue
            log.write(f"{time.time_ns()} D {number}\n")
    connection.close()

threads = [threading.Thread(target=writer, args=(index,)) for index in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\n".join(problems[:5]))
sys.exit(1 if problems else 0)
EOF
"$PYTHON" writers.py "$port" > writers.out 2>&1 &
WRITER_PID=$!
for _ in $(seq 1 300); do
    [ -e ready ] && break
    kill -0 "$WRITER_PID" 2> /dev/null || break
    sleep 0.1
done
[ -e ready ] || die "the writers did not start: $(tail -n 3 writers.out server.log)"
sleep 3 # a store with some hundreds of orders before the backup

began=$(date +%s%N)
if "$HOTLINE" backup "$WORK/backup.db" > backup.out 2> backup.err; then
    pass
else
    die "hotline backup failed under load: $(cat backup.err)"
fi
ended=$(date +%s%N)
sleep 1
touch stop
if wait "$WRITER_PID"; then
    pass
else
    fail "the writers met errors: $(head -n 5 writers.out)"
fi
WRITER_PID=""
cat acked0.log acked1.log | sort -n > acked.log
before=$(awk -v t="$began" '$1 < t' acked.log | wc -l)
during=$(awk -v a="$began" -v b="$ended" '$1 >= a && $1 <= b' acked.log | wc -l)
after=$(awk -v t="$ended" '$1 > t' acked.log | wc -l)
echo "acknowledged writes: $before before the backup, $during while it ran ($(( (ended - began) / 1000000 )) ms), $after after"
[ "$before" -gt 0 ] || die "no write was acknowledged before the backup"
if [ "$during" -gt 0 ]; then pass; else fail "no write was acknowledged while the backup ran"; fi

mode=$(stat -c %a backup.db)
if [ "$mode" = 600 ]; then pass; else fail "the backup's mode is $mode, not 600"; fi
if [ ! -e backup.db.key ] && grep -q 'the backup holds no key' backup.out; then
    pass
else
    fail "a key file beside the backup, or no word of the key: $(cat backup.out)"
fi

# The restore, into an empty place: a new file, or a new database.
if [ "${HOTLINE_TEST_BACKEND:-sqlite}" = postgres ]; then
    TARGET=$(test_store_address "$WORK") || die "no database to restore into"
else
    TARGET=$WORK/restored.db
fi
if "$HOTLINE" --db "$TARGET" --key-file "$KEY" restore backup.db > restore.out 2> restore.err; then
    pass
else
    die "hotline restore failed: $(cat restore.err)"
fi
if "$HOTLINE" --db "$TARGET" --key-file "$KEY" verify > verify.out 2>&1; then
    pass
else
    fail "verify on the restored store: $(head -n 5 verify.out)"
fi

# Every write acknowledged before the backup began, found in the restored
# store: each registration as an order, each dispatch as a dispatched state.
"$HOTLINE" --db "$TARGET" --key-file "$KEY" export --out restored.csv > /dev/null ||
    die "cannot export the restored store"
"$PYTHON" - "$began" << 'EOF' > missing.out || true
import csv, sys
began = int(sys.argv[1])
state = {row["number"]: row["state"] for row in csv.DictReader(open("restored.csv", encoding="utf-8"))}
missing = []
for line in open("acked.log"):
    at, kind, number = line.split()
    if int(at) >= began:
        continue
    if number not in state:
        missing.append(f"{kind} {number}: no such order")
    elif kind == "D" and state[number] == "new":
        missing.append(f"D {number}: still new")
print("\n".join(missing))
sys.exit(1 if missing else 0)
EOF
if [ ! -s missing.out ] || [ "$(tr -d '\n' < missing.out)" = "" ]; then
    pass
else
    fail "acknowledged writes missing from the restored store: $(head -n 5 missing.out)"
fi

# The restored store takes new writes, and still agrees with its log.
if number=$("$HOTLINE" --db "$TARGET" --key-file "$KEY" register --as agent1 --type help \
    --title "after the restore" --content "路灯不亮" 2> register.err) && [ -n "$number" ]; then
    pass
else
    fail "the restored store refused a registration: $(cat register.err)"
fi
if "$HOTLINE" --db "$TARGET" --key-file "$KEY" verify > verify2.out 2>&1; then
    pass
else
    fail "verify after a new write: $(head -n 5 verify2.out)"
fi
if "$HOTLINE" --db "$TARGET" --key-file "$KEY" audit | grep -q ' restore$'; then
    pass
else
    fail "the restore is not in the restored store's audit"
fi
if "$HOTLINE" audit | grep -q ' backup$'; then
    pass
else
    fail "the backup is not in the source store's audit"
fi
finish
