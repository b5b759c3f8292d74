#!/usr/bin/env bash
# two_servers.sh HOTLINE SOURCE_DIR
#
# Two `hotline serve` processes on one store behind Debian's nginx (the
# balancer of docs/deploy.md, on loopback ports picked at run time) behave
# as one server. The store is the tests' (tests/support/scenario.sh,
# test_store_use): a SQLite file, two processes on one file, or in the
# copy two_servers_pg a fresh database on the server HOTLINE_TEST_PG names.
#
# Sixteen clients (Python threads, each its own connection to nginx) act at
# once for a few seconds on the same twelve dispatched orders: each reads an
# order and sends a reminder or a reassignment to the other unit with
# If-Match of the version it read; one in eight of their steps registers a
# new order. Then:
#   - every answer was 2xx, or 412 for a version another client took
#     first (no 5xx, nothing else);
#   - no lost update: on each order, no two 2xx answers were given for the
#     same If-Match version, its version is the number of 2xx writes on it,
#     its history holds exactly those events, and its lead unit is the one
#     of the last reassignment answered 2xx;
#   - every registration answered 201 is there; the order numbers of each
#     day are dense (1..N, no gap, no duplicate);
#   - both servers answered (their own /metrics), and a login's session is
#     honoured by both (the clients' tokens go to either);
#   - `hotline verify` finds the counters equal to the log.
# Prints "N passed, M failed"; exits 1 on a failure. Leaves nothing running.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
CLIENTS=16
ORDERS=12
SECONDS_OF_LOAD=${HOTLINE_TWO_SERVERS_SECONDS:-6}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-two-servers.XXXXXX")
SERVER_PIDS=()
SERVER_PORTS=()
. "$HERE/../support/scenario.sh"
. "$HERE/../support/nginx_balancer.sh"
cleanup() {
    nginx_balancer_stop
    scenario_kill_servers
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
unset HOTLINE_NOW # the servers' clock is the real one: sessions must not be expired
export PYTHONPATH="$HERE/../support${PYTHONPATH:+:$PYTHONPATH}"

test_store_use "$WORK" || die "no store to run on"
echo "two_servers: $CLIENTS clients, $ORDERS shared orders, ${SECONDS_OF_LOAD}s, store $HOTLINE_DB"

cat > units.csv << 'EOF'
code,name,group,parent,active
xiaodian,小店区政府,县市区(开发区),,1
yingze,迎泽区政府,县市区(开发区),,1
EOF
cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
dispatcher1,张伟,dispatcher,,1
supervisor1,李娜,supervisor,,1
EOF
scenario_make_store "$HOTLINE" two-servers-secret agent1 dispatcher1 supervisor1

scenario_start_servers "$HOTLINE" 2
balancer=$(scenario_free_port)
nginx_balancer_start "$WORK/nginx" "$balancer" "${SERVER_PORTS[@]}" || die "nginx did not start"

cat > load.py << 'EOF'
import json, random, sys, threading, time
from hotline_client import Client, login, require_healthy

balancer, clients, orders, seconds = (int(a) for a in sys.argv[1:5])
servers = [int(p) for p in sys.argv[5:]]
require_healthy(servers + [balancer])
tokens = login(balancer, ("agent1", "dispatcher1", "supervisor1"), "two-servers-secret")

# The shared orders: registered and dispatched to xiaodian before the load.
setup = Client(balancer)
shared = []
for index in range(orders):
    status, _, body = setup.call("POST", "/api/v1/orders", tokens["agent1"],
                                 {"type": "complaint", "title": f"shared order {index}", "content": "噪音扰民"})
    assert status == 201, (status, body[:200])
    number = json.loads(body)["number"]
    status, _, body = setup.call("POST", f"/api/v1/orders/{number}/actions/dispatch", tokens["dispatcher1"],
                                 {"unit": "xiaodian"}, if_match=1)
    assert status == 200, (status, body[:200])
    shared.append(number)
setup.close()

lock = threading.Lock()
writes = []        # (number, if_match, status, new version, action, unit)
registered = []    # numbers answered 201
unexpected = []    # answers that are neither 2xx nor a lost race
stop = time.monotonic() + seconds


def client(index):
    rng = random.Random(index)
    connection = Client(balancer)
    serial = 0
    while time.monotonic() < stop:
        if rng.random() < 0.125:
            serial += 1
            status, _, body = connection.call("POST", "/api/v1/orders", tokens["agent1"],
                                              {"type": "help", "title": f"client {index} order {serial}",
                                               "content": "路灯不亮"})
            with lock:
                if status == 201:
                    registered.append(json.loads(body)["number"])
                else:
                    unexpected.append(f"register: {status} {body[:200]!r}")
            continue
        number = rng.choice(shared)
        status, _, body = connection.call("GET", f"/api/v1/orders/{number}", tokens["dispatcher1"])
        if status != 200:
            with lock:
                unexpected.append(f"GET {number}: {status} {body[:200]!r}")
            continue
        order = json.loads(body)
        version = order["version"]
        if rng.random() < 0.5:
            action, user, fields = "remind", "dispatcher1", {"note": f"client {index}"}
        else:
            unit = "yingze" if order.get("lead_unit") == "xiaodian" else "xiaodian"
            action, user, fields = "reassign", "dispatcher1", {"unit": unit}
        status, _, body = connection.call("POST", f"/api/v1/orders/{number}/actions/{action}", tokens[user],
                                          fields, if_match=version)
        with lock:
            if 200 <= status < 300:
                writes.append((number, version, status, json.loads(body)["version"], action, fields.get("unit")))
            elif status == 412:
                writes.append((number, version, status, None, action, fields.get("unit")))
            else:
                unexpected.append(f"{action} {number}: {status} {body[:200]!r}")
    connection.close()


threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()

# The checks, through the balancer.
check = Client(balancer)
problems = []
won = [w for w in writes if w[3] is not None]
races = len(writes) - len(won)
print(f"writes answered 2xx {len(won)}, lost races (412) {races}, registrations {len(registered)}")
if not won or races == 0:
    problems.append(f"the load did not contend: {len(won)} writes won, {races} races lost")
for number in shared:
    mine = sorted((w for w in won if w[0] == number), key=lambda w: w[1])
    versions = [w[1] for w in mine]
    if len(set(versions)) != len(versions):
        problems.append(f"LOST UPDATE {number}: two 2xx answers for one If-Match version: {versions}")
    status, _, body = check.call("GET", f"/api/v1/orders/{number}", tokens["dispatcher1"])
    order = json.loads(body)
    expected = 2 + len(mine)
    if order["version"] != expected:
        problems.append(f"LOST UPDATE {number}: version {order['version']}, {len(mine)} writes answered 2xx after dispatch")
    status, _, body = check.call("GET", f"/api/v1/orders/{number}/events", tokens["dispatcher1"])
    events = json.loads(body)
    events = events.get("events", events.get("items", events)) if isinstance(events, dict) else events
    if len(events) != expected:
        problems.append(f"{number}: {len(events)} events in its history, {expected} expected")
    reassigns = [w for w in mine if w[4] == "reassign"]
    if reassigns and order.get("lead_unit") != reassigns[-1][5]:
        problems.append(f"LOST UPDATE {number}: lead unit {order.get('lead_unit')}, last reassignment answered 2xx to {reassigns[-1][5]}")
for number in registered:
    status, _, _ = check.call("GET", f"/api/v1/orders/{number}", tokens["dispatcher1"])
    if status != 200:
        problems.append(f"LOST registration {number}: {status}")
for port in servers:
    status, _, body = Client(port).call("GET", "/metrics")
    answered = sum(int(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
                   if line.startswith("hotline_requests_total{"))
    print(f"server on :{port} answered {answered} requests")
    if answered < 10:
        problems.append(f"the server on :{port} took no share of the load ({answered} requests)")
for line in unexpected[:10]:
    problems.append(f"UNEXPECTED {line}")
if len(unexpected) > 10:
    problems.append(f"UNEXPECTED ... {len(unexpected) - 10} more")
with open("registered.txt", "w") as out:
    out.write("\n".join(shared + registered) + "\n")
for problem in problems:
    print(problem)
print("PROBLEMS", len(problems))
EOF

if ! "$PYTHON" load.py "$balancer" "$CLIENTS" "$ORDERS" "$SECONDS_OF_LOAD" "${SERVER_PORTS[@]}" > load.out 2>&1; then
    die "the load did not run: $(tail -n 5 load.out) $(tail -n 3 server1.log server2.log)"
fi
grep -v '^PROBLEMS' load.out | sed 's/^/  /'
if grep -q '^PROBLEMS 0$' load.out; then
    pass
else
    fail "the concurrent load: $(grep -v '^PROBLEMS' load.out | grep -v '^writes\|^server on' | head -8)"
fi

# Dense numbers: each day's orders are numbered 1..N.
gaps=$(scenario_store_sql "$SCENARIO_DAYS_SQL" | scenario_gaps)
known=$(scenario_store_sql "SELECT count(*) FROM orders")
if [ -z "$gaps" ] && [ "$known" -eq "$(sort -u registered.txt | grep -c .)" ]; then
    pass
else
    fail "order numbers not dense, or not the orders registered: ${gaps:-$known in the store, $(sort -u registered.txt | grep -c .) answered 201}"
fi

nginx_balancer_stop
scenario_stop_servers
scenario_verify "$HOTLINE" "after the load"
finish
