#!/usr/bin/env bash
# server_kill.sh HOTLINE SOURCE_DIR
#
# A write the server answered 2xx is durable. `hotline serve` runs on a
# free port of 127.0.0.1; four concurrent clients (Python's http.client,
# one connection each) register orders and take them through dispatch and
# sign-for with If-Match, recording every write that was answered 2xx with
# the version the answer gave. The server is killed with SIGKILL at a random
# moment while they write, then started again on the same store: every
# recorded order must be there at a version at least the recorded one, the
# per-state gauges of /metrics must count every recorded registration, no
# write may have been refused while the server was up (each client acts on
# its own orders only), and `hotline verify` must find the store and its log
# in agreement. Three rounds on one store (HOTLINE_KILL_SEED fixes the
# random moments). Prints "N passed, M failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
ROUNDS=3
CLIENTS=4

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-server-kill.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -KILL "$SERVER_PID" 2> /dev/null || true
        { wait "$SERVER_PID"; } 2> /dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
unset HOTLINE_NOW # the server's clock is the real one: sessions must not be expired

# pass, fail, finish and die: the counting helpers every scenario shares.
. "$HERE/../support/scenario.sh"
# The store: a file here, or a fresh database in the PostgreSQL copy.
test_store_use "$WORK" || die "no store to run on"

SEED=${HOTLINE_KILL_SEED:-$(($(date +%s) % 100000))}
echo "server_kill: $ROUNDS rounds, $CLIENTS clients, seed $SEED (HOTLINE_KILL_SEED)"

# ---- the store: two units and the users who write ----
cat > units.csv << 'EOF'
code,name,group,parent,active
xiaodian,小店区政府,县市区(开发区),,1
yingze,迎泽区政府,县市区(开发区),,1
EOF
cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
dispatcher1,张伟,dispatcher,,1
h-xiaodian,小店承办人,handler,xiaodian,1
EOF
"$HOTLINE" load units units.csv > /dev/null || die "cannot load units"
"$HOTLINE" load users users.csv > /dev/null || die "cannot load users"
for user in agent1 dispatcher1 h-xiaodian; do
    printf '%s\n' 'server-kill-secret' | "$HOTLINE" passwd "$user" > /dev/null || die "cannot set the password of $user"
done

# The clients and the checks, in Python (standard library only).
cat > client.py << 'EOF'
import http.client, json, os, random, re, signal, sys, threading, time

HOST = "127.0.0.1"


def call(connection, method, path, token=None, body=None, if_match=None):
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body).encode()
    if if_match is not None:
        headers["If-Match"] = f'"{if_match}"'
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def wait_healthy(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            status, _ = call(connection, "GET", "/healthz")
            connection.close()
            if status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def login(port):
    tokens = {}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    for user in ("agent1", "dispatcher1", "h-xiaodian"):
        status, body = call(connection, "POST", "/api/v1/login",
                            body={"username": user, "password": "server-kill-secret"})
        if status != 200:
            sys.exit(f"login {user}: {status} {body[:200]!r}")
        tokens[user] = json.loads(body)["token"]
    connection.close()
    return tokens


def writer(port, tokens, index, stop, acknowledged, refused):
    """Registers, dispatches and signs its own orders until the server dies."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    serial = 0
    try:
        while not stop.is_set():
            serial += 1
            status, body = call(connection, "POST", "/api/v1/orders", tokens["agent1"],
                                {"type": "help", "title": f"client {index} order {serial}",
                                 "content": "路灯不亮"})
            if status != 201:
                refused.append(f"register: {status} {body[:200]!r}")
                return
            number = json.loads(body)["number"]
            acknowledged.append((number, 1))
            for action, user, fields, version in (("dispatch", "dispatcher1", {"unit": "xiaodian"}, 1),
                                                  ("sign", "h-xiaodian", {}, 2)):
                status, body = call(connection, "POST", f"/api/v1/orders/{number}/actions/{action}",
                                    tokens[user], fields, if_match=version)
                if status != 200:
                    refused.append(f"{action} {number}: {status} {body[:200]!r}")
                    return
                acknowledged.append((number, json.loads(body)["version"]))
    except (OSError, http.client.HTTPException):
        return  # the server was killed: whatever was not answered is not counted


def load_and_kill(port, server_pid, clients, kill_after, acknowledged_path, tokens_path):
    if not wait_healthy(port):
        sys.exit("the server did not answer /healthz")
    tokens = login(port)
    json.dump(tokens, open(tokens_path, "w"))
    stop = threading.Event()
    acknowledged, refused = [], []
    threads = [threading.Thread(target=writer, args=(port, tokens, index, stop, acknowledged, refused))
               for index in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(kill_after)
    os.kill(server_pid, signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    with open(acknowledged_path, "w") as out:
        for number, version in acknowledged:
            out.write(f"{number} {version}\n")
    for line in refused:
        print(f"REFUSED {line}")
    print(f"acknowledged {len(acknowledged)} writes, {len({n for n, _ in acknowledged})} orders")


def check(port, acknowledged_path, tokens_path):
    if not wait_healthy(port):
        sys.exit("the server did not come back")
    tokens = json.load(open(tokens_path))
    highest = {}
    for line in open(acknowledged_path):
        number, version = line.split()
        highest[number] = max(highest.get(number, 0), int(version))
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    missing = 0
    for number, version in sorted(highest.items()):
        status, body = call(connection, "GET", f"/api/v1/orders/{number}", tokens["dispatcher1"])
        found = json.loads(body).get("version", 0) if status == 200 else 0
        if status != 200 or found < version:
            missing += 1
            print(f"LOST {number}: acknowledged version {version}, found {status} version {found}")
    status, body = call(connection, "GET", "/metrics")
    total = sum(int(value) for value in re.findall(r'^hotline_orders\{state="[a-z_]+"\} (\d+)$',
                                                    body.decode(), re.M))
    print(f"checked {len(highest)} acknowledged orders, {missing} lost; the gauges count {total} orders")
    print(f"GAUGE_TOTAL {total}")


if __name__ == "__main__":
    command, port = sys.argv[1], int(sys.argv[2])
    if command == "load":
        load_and_kill(port, int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7])
    else:
        check(port, sys.argv[3], sys.argv[4])
EOF

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
start_server() {
    "$HOTLINE" serve --listen "127.0.0.1:$1" > server.out 2>> server.log &
    SERVER_PID=$!
}

RANDOM=$SEED
acknowledged_total=0
: > all-acknowledged.txt
for round in $(seq 1 "$ROUNDS"); do
    port=$(free_port)
    start_server "$port"
    # Killed between 0.4 s and 2.0 s into the load, at random.
    kill_ms=$((400 + RANDOM % 1600))
    kill_after=$(printf '%d.%03d' $((kill_ms / 1000)) $((kill_ms % 1000)))
    if ! "$PYTHON" client.py load "$port" "$SERVER_PID" "$CLIENTS" "$kill_after" acknowledged.txt tokens.json \
        > load.out 2>&1; then
        die "round $round: the load did not run: $(tail -5 load.out) $(tail -5 server.log)"
    fi
    { wait "$SERVER_PID"; } 2> /dev/null || true
    SERVER_PID=""
    echo "round $round: killed after ${kill_after}s; $(tail -1 load.out)"
    if grep -q '^REFUSED' load.out; then
        fail "round $round: writes refused while the server was up: $(grep '^REFUSED' load.out | head -3)"
    else
        pass
    fi
    count=$(wc -l < acknowledged.txt)
    acknowledged_total=$((acknowledged_total + count))
    cat acknowledged.txt >> all-acknowledged.txt

    # Back up on the same store: every acknowledged write is there.
    port=$(free_port)
    start_server "$port"
    "$PYTHON" client.py check "$port" all-acknowledged.txt tokens.json > check.out 2>&1 || true
    if grep -q '^LOST' check.out || ! grep -q '^checked' check.out; then
        fail "round $round: acknowledged writes lost after SIGKILL: $(grep -v GAUGE check.out | head -5)"
    else
        pass
    fi
    registered=$(awk '$2 == 1' all-acknowledged.txt | wc -l)
    gauges=$(sed -n 's/^GAUGE_TOTAL //p' check.out)
    if [ -n "$gauges" ] && [ "$gauges" -ge "$registered" ]; then
        pass
    else
        fail "round $round: the gauges count ${gauges:-nothing}, $registered registrations were acknowledged"
    fi
    kill -TERM "$SERVER_PID" 2> /dev/null || true
    { wait "$SERVER_PID"; } 2> /dev/null || true
    SERVER_PID=""

    if "$HOTLINE" verify > verify.out 2>&1; then
        pass
    else
        fail "round $round: verify after the kill: $(head -5 verify.out)"
    fi
done

if [ "$acknowledged_total" -gt 0 ]; then
    pass
else
    fail "no write was acknowledged in any round: the load never got going"
fi
finish
