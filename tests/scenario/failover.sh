#!/usr/bin/env bash
# failover.sh HOTLINE SOURCE_DIR
#
# The primary dies and the standby is promoted: no acknowledged write is
# lost, the servers answer 503 with Retry-After while no primary is
# reachable, and carry on against the new primary without a restart.
#
# The script starts its own PostgreSQL pair in a temporary directory
# (tests/support/pg_cluster.sh): a primary, a standby made from it by
# pg_basebackup -R and streaming from it, made synchronous by a setting
# (synchronous_standby_names, synchronous_commit on), so that a commit is
# answered only once the standby has it. The servers' address names both,
# as libpq's multi-host form with target_session_attrs=read-write: libpq
# tries each host in turn and keeps the one that accepts writes, so the
# servers need no other way to find the new primary. Two `hotline serve`
# processes on that address; eight clients (each on one of the servers)
# register orders and take them through dispatch and sign-for with
# If-Match, recording every write answered 2xx. Under that load the
# primary is stopped the way a crash stops it (pg_ctl stop -m immediate);
# two seconds later the standby is promoted (pg_ctl promote). Then:
#   - while no primary was reachable the servers answered 503, each with
#     Retry-After, and nothing else but 2xx (no 500);
#   - writes were answered 2xx again after the promotion;
#   - every write answered 2xx before, during and after is in the new
#     primary at a version at least the one answered;
#   - the order numbers of each day are dense, and `hotline verify` finds
#     the counters equal to the log.
# Needs Debian's postgresql (the server's programs) and a binary with the
# PostgreSQL backend. Registered once, as scenario_failover_pg (label
# postgres: tests/CMakeLists.txt's HOTLINE_POSTGRES_ONLY_TESTS); it fails
# when PostgreSQL is missing. Prints "N passed, M failed"; exits 1 on a failure. Leaves nothing
# running: its trap kills the servers and stops both clusters.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
CLIENTS=8

. "$HERE/../support/scenario.sh"
. "$HERE/../support/pg_cluster.sh"

pg_bindir_found || die "PostgreSQL's server programs are missing (Debian's postgresql; HOTLINE_PG_BINDIR)"
pg_hotline_has_postgres "$HOTLINE" || die "$HOTLINE was built without the PostgreSQL backend"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-failover.XXXXXX")
SERVER_PIDS=()
SERVER_PORTS=()
LOAD_PID=""
cleanup() {
    [ -n "$LOAD_PID" ] && kill -KILL "$LOAD_PID" 2> /dev/null || true
    scenario_kill_servers
    pg_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
export HOTLINE_KEY_FILE="$WORK/store.key"
unset HOTLINE_NOW # the servers' clock is the real one: sessions must not be expired
export PYTHONPATH="$HERE/../support${PYTHONPATH:+:$PYTHONPATH}"

# ---- the pair: a primary, a synchronous streaming standby ----
PRIMARY=$WORK/primary
STANDBY=$WORK/standby
pg_init "$PRIMARY" || die "initdb failed"
pg_start "$PRIMARY" || die "the primary did not start"
pg_psql "$PRIMARY" postgres -c "CREATE DATABASE hotline" || die "cannot create the database"
pg_standby "$PRIMARY" "$STANDBY" standby1 || die "pg_basebackup failed"
pg_start "$STANDBY" || die "the standby did not start"
pg_synchronous "$PRIMARY" standby1 || die "the standby did not become synchronous"
export HOTLINE_DB
HOTLINE_DB=$(pg_address hotline "$PRIMARY" "$STANDBY")
echo "failover: $CLIENTS clients on two servers; store $HOTLINE_DB"

cat > units.csv << 'EOF'
code,name,group,parent,active
xiaodian,小店区政府,县市区(开发区),,1
EOF
cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
dispatcher1,张伟,dispatcher,,1
h-xiaodian,小店承办人,handler,xiaodian,1
EOF
scenario_make_store "$HOTLINE" failover-secret agent1 dispatcher1 h-xiaodian
# The standby has every write the primary answered (synchronous_commit on).
replayed=$(pg_psql "$STANDBY" hotline -Atc "SELECT count(*) FROM users") || die "the standby cannot be read"
[ "$replayed" -ge 3 ] && pass || fail "the standby holds $replayed users, 3 were loaded"

scenario_start_servers "$HOTLINE" 2

cat > load.py << 'EOF'
import http.client, json, os, sys, threading, time
from hotline_client import Client, login, require_healthy

clients, stop_file = int(sys.argv[1]), sys.argv[2]
servers = [int(p) for p in sys.argv[3:]]
require_healthy(servers)
tokens = login(servers[0], ("agent1", "dispatcher1", "h-xiaodian"), "failover-secret")
print("READY", flush=True)

lock = threading.Lock()
acknowledged = []   # (number, version, time answered)
unavailable = []    # (time, Retry-After or None)
unexpected = []


def step(connection, method, path, token, body=None, if_match=None):
    """Sends one write until it is answered other than 503; returns (status, body)."""
    while True:
        try:
            status, headers, payload = connection.call(method, path, token, body, if_match)
        except (OSError, http.client.HTTPException) as error:
            with lock:
                unexpected.append(f"{method} {path}: the server did not answer: {error}")
            return None, b""
        if status != 503:
            return status, payload
        with lock:
            unavailable.append((time.time(), headers.get("retry-after")))
        if os.path.exists(stop_file):
            return None, b""
        time.sleep(0.2)


def writer(index):
    connection = Client(servers[index % len(servers)], timeout=30)
    serial = 0
    while not os.path.exists(stop_file):
        serial += 1
        status, body = step(connection, "POST", "/api/v1/orders", tokens["agent1"],
                            {"type": "help", "title": f"client {index} order {serial}", "content": "路灯不亮"})
        if status is None:
            continue
        if status != 201:
            with lock:
                unexpected.append(f"register: {status} {body[:200]!r}")
            time.sleep(0.1)
            continue
        number = json.loads(body)["number"]
        with lock:
            acknowledged.append((number, 1, time.time()))
        version = 1
        for action, user, fields in (("dispatch", "dispatcher1", {"unit": "xiaodian"}), ("sign", "h-xiaodian", {})):
            status, body = step(connection, "POST", f"/api/v1/orders/{number}/actions/{action}",
                                tokens[user], fields, if_match=version)
            if status == 412:
                # A write answered 503 may have been done all the same (the
                # connection was lost after its commit): read where it is.
                status, _, body = connection.call("GET", f"/api/v1/orders/{number}", tokens["dispatcher1"])
                version = json.loads(body)["version"] if status == 200 else version
                continue
            if status is None or not 200 <= status < 300:
                if status is not None:
                    with lock:
                        unexpected.append(f"{action} {number}: {status} {body[:200]!r}")
                break
            version = json.loads(body)["version"]
            with lock:
                acknowledged.append((number, version, time.time()))
    connection.close()


threads = [threading.Thread(target=writer, args=(index,)) for index in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with open("acknowledged.txt", "w") as out:
    for number, version, at in acknowledged:
        out.write(f"{number} {version} {at:.3f}\n")
with open("unavailable.txt", "w") as out:
    for at, retry_after in unavailable:
        out.write(f"{at:.3f} {retry_after or '-'}\n")
for line in unexpected[:10]:
    print(f"UNEXPECTED {line}")
print(f"acknowledged {len(acknowledged)} writes on {len({a[0] for a in acknowledged})} orders; "
      f"{len(unavailable)} answers 503; {len(unexpected)} unexpected")
EOF

scenario_start_load load.out load.py "$CLIENTS" "$WORK/stop" "${SERVER_PORTS[@]}" ||
    die "the load did not start: $(tail -n 5 load.out) $(tail -n 3 server1.log)"

sleep 2
killed_at=$(date +%s.%N)
pg_stop "$PRIMARY" immediate || die "pg_ctl stop -m immediate failed"
sleep 2
promoted_at=$(date +%s.%N)
pg_promote "$STANDBY" || die "pg_ctl promote failed"
sleep 4
scenario_end_load "$WORK/stop" || die "the load failed: $(tail -n 5 load.out)"
grep -v '^READY' load.out | sed 's/^/  /'

# 503 with Retry-After while no primary was reachable, and nothing but 2xx otherwise.
without=$(awk '$2 == "-"' unavailable.txt | wc -l)
during=$(awk -v k="$killed_at" '$1 >= k' unavailable.txt | wc -l)
if [ "$during" -gt 0 ] && [ "$without" -eq 0 ]; then
    pass
else
    fail "while the primary was down: $during answers 503, $without of them without Retry-After"
fi
if grep -q '^UNEXPECTED' load.out; then
    fail "answers neither 2xx nor 503: $(grep '^UNEXPECTED' load.out | head -n 3)"
else
    pass
fi
before=$(awk -v k="$killed_at" '$3 < k' acknowledged.txt | wc -l)
after=$(awk -v p="$promoted_at" '$3 > p' acknowledged.txt | wc -l)
echo "  acknowledged before the crash $before, after the promotion $after"
if [ "$before" -gt 0 ] && [ "$after" -gt 0 ]; then
    pass
else
    fail "the servers did not carry on: $before writes answered before the crash, $after after the promotion"
fi

# Every acknowledged write is on the new primary.
pg_psql "$STANDBY" hotline -Atc "SELECT id, version FROM orders" > rows.txt
lost=$(scenario_lost_writes acknowledged.txt rows.txt)
[ -z "$lost" ] && pass || fail "acknowledged writes missing on the new primary: $lost"
gaps=$(pg_psql "$STANDBY" hotline -Atc "$SCENARIO_DAYS_SQL" | scenario_gaps)
[ -z "$gaps" ] && pass || fail "order numbers not dense on the new primary: $gaps"

scenario_stop_servers
scenario_verify "$HOTLINE" "on the new primary"
finish
