#!/usr/bin/env bash
# balancer_kill.sh HOTLINE SOURCE_DIR
#
# One of two servers behind nginx is killed (SIGKILL) under write load: the
# other carries the load on, and no write answered 2xx is lost.
#
# Two `hotline serve` processes on the tests' store (test_store_use: a
# SQLite file, or in the copy balancer_kill_pg a fresh PostgreSQL database)
# behind Debian's nginx (tests/support/nginx_balancer.sh, the configuration
# of docs/deploy.md). Eight clients register orders through nginx and take
# them through dispatch and sign-for with If-Match, recording every write
# answered 2xx. After a random 1-2 s one server is killed with SIGKILL; the
# clients go on for three seconds more. Then:
#   - only the requests the killed server was working on failed (502 from
#     nginx, which never resends a POST that reached a server), at most one
#     per client; every other answer was 2xx;
#   - writes were answered 2xx after the kill (the balancer sent them to the
#     server left);
#   - every write answered 2xx is in the store at a version at least the
#     one answered, the order numbers of each day are dense, and `hotline
#     verify` finds the counters equal to the log.
# (server_kill.sh kills the only server and restarts it; this is the
# layout of docs/deploy.md.) HOTLINE_KILL_SEED fixes the moment. Prints
# "N passed, M failed"; exits 1 on a failure. Leaves nothing running.
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

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-balancer-kill.XXXXXX")
SERVER_PIDS=()
SERVER_PORTS=()
LOAD_PID=""
. "$HERE/../support/scenario.sh"
. "$HERE/../support/nginx_balancer.sh"
cleanup() {
    [ -n "$LOAD_PID" ] && kill -KILL "$LOAD_PID" 2> /dev/null || true
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

SEED=${HOTLINE_KILL_SEED:-$(($(date +%s) % 100000))}
RANDOM=$SEED
echo "balancer_kill: $CLIENTS clients through nginx, seed $SEED (HOTLINE_KILL_SEED); store $HOTLINE_DB"

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
scenario_make_store "$HOTLINE" balancer-kill-secret agent1 dispatcher1 h-xiaodian

scenario_start_servers "$HOTLINE" 2
balancer=$(scenario_free_port)
nginx_balancer_start "$WORK/nginx" "$balancer" "${SERVER_PORTS[@]}" || die "nginx did not start"

cat > load.py << 'EOF'
import http.client, json, os, sys, threading, time
from hotline_client import Client, login, require_healthy

balancer, clients, stop_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
require_healthy([int(p) for p in sys.argv[4:]] + [balancer])
tokens = login(balancer, ("agent1", "dispatcher1", "h-xiaodian"), "balancer-kill-secret")
print("READY", flush=True)

lock = threading.Lock()
acknowledged, failed, unexpected = [], [], []


def writer(index):
    connection = Client(balancer, timeout=30)
    serial = 0
    while not os.path.exists(stop_file):
        serial += 1
        try:
            status, _, body = connection.call("POST", "/api/v1/orders", tokens["agent1"],
                                              {"type": "help", "title": f"client {index} order {serial}",
                                               "content": "路灯不亮"})
        except (OSError, http.client.HTTPException) as error:
            with lock:
                unexpected.append(f"register: nginx did not answer: {error}")
            continue
        if status != 201:
            with lock:
                (failed if status == 502 else unexpected).append(f"register: {status} {body[:160]!r}")
            continue
        number = json.loads(body)["number"]
        with lock:
            acknowledged.append((number, 1, time.time()))
        version = 1
        for action, user, fields in (("dispatch", "dispatcher1", {"unit": "xiaodian"}), ("sign", "h-xiaodian", {})):
            status, _, body = connection.call("POST", f"/api/v1/orders/{number}/actions/{action}",
                                              tokens[user], fields, if_match=version)
            if status == 502:
                with lock:
                    failed.append(f"{action} {number}: 502")
                break  # done or not: the answer never came; this order is left as it is
            if not 200 <= status < 300:
                with lock:
                    unexpected.append(f"{action} {number}: {status} {body[:160]!r}")
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
for line in failed:
    print(f"FAILED {line}")
for line in unexpected[:10]:
    print(f"UNEXPECTED {line}")
print(f"acknowledged {len(acknowledged)} writes; {len(failed)} answered 502; {len(unexpected)} unexpected")
EOF

scenario_start_load load.out load.py "$balancer" "$CLIENTS" "$WORK/stop" "${SERVER_PORTS[@]}" ||
    die "the load did not start: $(tail -n 5 load.out) $(tail -n 5 nginx/nginx-error.log)"
kill_ms=$((1000 + RANDOM % 1000))
sleep "$(printf '%d.%03d' $((kill_ms / 1000)) $((kill_ms % 1000)))"
victim=$((RANDOM % 2))
killed_at=$(date +%s.%N)
kill -KILL "${SERVER_PIDS[$victim]}"
{ wait "${SERVER_PIDS[$victim]}"; } 2> /dev/null || true
unset "SERVER_PIDS[$victim]"
SERVER_PIDS=("${SERVER_PIDS[@]}")
sleep 3
scenario_end_load "$WORK/stop" || die "the load failed: $(tail -n 5 load.out)"
echo "  server $((victim + 1)) killed after ${kill_ms} ms; $(tail -n 1 load.out)"

broken=$(grep -c "^FAILED" load.out || true)
if grep -q '^UNEXPECTED' load.out; then
    fail "answers neither 2xx nor a request lost with the killed server: $(grep '^UNEXPECTED' load.out | head -n 3)"
elif [ "$broken" -gt "$CLIENTS" ]; then
    fail "$broken requests failed, more than the $CLIENTS the killed server can have been working on"
else
    pass
fi
after=$(awk -v k="$killed_at" '$3 > k + 0.5' acknowledged.txt | wc -l)
[ "$after" -gt 0 ] && pass || fail "no write was answered after the kill: the server left did not take the load"

nginx_balancer_stop
scenario_stop_servers
scenario_store_sql "SELECT id, version FROM orders" > rows.txt
lost=$(scenario_lost_writes acknowledged.txt rows.txt)
[ -z "$lost" ] && pass || fail "acknowledged writes lost: $lost"
gaps=$(scenario_store_sql "$SCENARIO_DAYS_SQL" | scenario_gaps)
[ -z "$gaps" ] && pass || fail "order numbers not dense: $gaps"
scenario_verify "$HOTLINE" "after the kill"
finish
