#!/usr/bin/env bash
# wal_bounded.sh HOTLINE SOURCE_DIR
#
# A burst of durable writes through the server leaves no checkpoint backlog
# behind. `hotline serve` runs on a free port of 127.0.0.1; four concurrent
# clients (Python's http.client, one connection each) register 1,000 orders
# as fast as the server answers, while a sampler reads the size of the
# store's WAL file every 10 ms. Checked on the real files, without timing
# the requests:
#   - every registration was answered 201;
#   - the WAL never grew past WAL_LIMIT_MIB (1,000 registrations write some
#     60 MiB of WAL frames: the server's checkpointer copies them back into
#     the database file in small steps as they come, so the WAL restarts
#     from its start instead of growing with the burst);
#   - within a few seconds of the burst's end, the database file alone
#     (copied without its WAL and opened read-only) holds every order: the
#     backlog is gone, nothing waits for a long checkpoint.
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
CLIENTS=4
ORDERS=1000
WAL_LIMIT_MIB=32

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-wal-bounded.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2> /dev/null || true
        { wait "$SERVER_PID"; } 2> /dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
export HOTLINE_DB="$WORK/store.db"
unset HOTLINE_NOW # the server's clock is the real one: sessions must not be expired

# pass, fail, finish and die: the counting helpers every scenario shares.
. "$HERE/../support/scenario.sh"

cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
EOF
"$HOTLINE" load users users.csv > /dev/null || die "cannot load users"
printf '%s\n' 'wal-bounded-secret' | "$HOTLINE" passwd agent1 > /dev/null || die "cannot set the password of agent1"

cat > client.py << 'EOF'
import http.client, json, os, shutil, sqlite3, sys, threading, time

HOST = "127.0.0.1"
port, clients, orders, store = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]


def call(connection, method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                       headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


deadline = time.monotonic() + 20
while True:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        if call(connection, "GET", "/healthz")[0] == 200:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("the server did not answer /healthz")
    time.sleep(0.05)
connection = http.client.HTTPConnection(HOST, port, timeout=30)
status, body = call(connection, "POST", "/api/v1/login",
                    body={"username": "agent1", "password": "wal-bounded-secret"})
if status != 200:
    sys.exit(f"login: {status} {body[:200]!r}")
token = json.loads(body)["token"]

wal_peak = [0]
done = threading.Event()


def sample():
    while not done.is_set():
        try:
            wal_peak[0] = max(wal_peak[0], os.stat(store + "-wal").st_size)
        except FileNotFoundError:
            pass
        time.sleep(0.01)


answered, refused = [], []


def writer(index):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    for serial in range(index, orders, clients):
        status, body = call(connection, "POST", "/api/v1/orders", token,
                            {"type": "complaint", "title": f"burst {serial}",
                             "content": "小区旁工地夜间施工，噪音持续到凌晨两点。",
                             "citizen_name": "张三", "citizen_phone": "13800001234"})
        (answered if status == 201 else refused).append(f"{status} {body[:200]!r}")


sampler = threading.Thread(target=sample)
sampler.start()
threads = [threading.Thread(target=writer, args=(index,)) for index in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
done.set()
sampler.join()
print(f"answered {len(answered)} refused {len(refused)} wal_peak {wal_peak[0]}")
for line in refused[:5]:
    print(f"refused: {line}")

# The database file alone, without its WAL: a copy opened read-only
# (immutable, so that SQLite looks for no WAL beside it). A copy taken while
# a checkpoint writes may be torn: it is taken again, for at most ten seconds.
in_file = -1
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    shutil.copyfile(store, "alone.db")
    try:
        db = sqlite3.connect("file:alone.db?immutable=1", uri=True)
        in_file = db.execute("SELECT count(*) FROM orders").fetchone()[0]
        db.close()
    except sqlite3.DatabaseError:
        in_file = -1
    if in_file == orders:
        break
    time.sleep(0.2)
print(f"in_file {in_file}")
EOF

port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$HOTLINE" serve --listen "127.0.0.1:$port" > server.out 2> server.log &
SERVER_PID=$!
"$PYTHON" client.py "$port" "$CLIENTS" "$ORDERS" "$HOTLINE_DB" > client.out 2>&1 ||
    die "the burst did not run: $(tail -5 client.out) $(tail -5 server.log)"
cat client.out

answered=$(awk '/^answered/ {print $2}' client.out)
wal_peak=$(awk '/^answered/ {print $6}' client.out)
in_file=$(awk '/^in_file/ {print $2}' client.out)
if [ "$answered" = "$ORDERS" ]; then pass; else fail "$answered of $ORDERS registrations answered 201"; fi
if [ "$wal_peak" -le $((WAL_LIMIT_MIB * 1024 * 1024)) ]; then
    pass
else
    fail "the WAL grew to $wal_peak bytes during the burst (limit $WAL_LIMIT_MIB MiB)"
fi
if [ "$in_file" = "$ORDERS" ]; then
    pass
else
    fail "the database file alone held $in_file of $ORDERS orders ten seconds after the burst"
fi
finish
