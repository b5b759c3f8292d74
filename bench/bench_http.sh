#!/usr/bin/env bash
# bench_http.sh: `hotline serve` under load on loopback, beside nginx serving
# the same bytes in the same run (the ceiling: what the machine's network
# stack and a C server that does nothing but send a file can reach).
#
#   (a) GET one order as JSON with a Bearer token (wrk, a Lua script adds
#       the header); nginx serves a static file of the same size at the same
#       path, to the same request bytes.
#   (b) POST /api/v1/orders, each a durable registration (fsync before the
#       201): bench/http_rate at a fixed 500 requests/s (open loop, latency
#       counted from when each request was due) on a quiet store; then wrk
#       at the highest rate (a burst) and, right after it, the same fixed
#       rate again: what a burst leaves behind (a long WAL, a checkpoint's
#       backlog) shows in that run's p99/p99.9/max. nginx answers the same
#       POSTs with `return 201`, in the same order. The fdatasync ceiling of
#       the disk (4 KiB writes, one thread) is printed beside them: each
#       registration needs at least one. The WAL's size is printed after
#       the burst and after the run behind it; with --keep, the per-request
#       latencies of the run after the burst stay in after-burst.log (due
#       time in seconds, latency in ms).
#   (c) The server's resident memory (VmRSS, VmHWM from /proc) after the
#       load; with --store, on that store (e.g. 10,000,000 orders from
#       bench_bulletin --keep), under GETs of random orders and /metrics.
#
# Not run by CI: the figures go, as ratios beside nginx, into
# docs/PERFORMANCE.md. Needs wrk and nginx (scripts/bootstrap.sh installs
# them), a Release build (default build-release/; --build DIR), python3.
#
# --post-only runs (b) alone (for comparing two builds back to back).
#
# --tls: both servers serve HTTPS in the same run, with the same throwaway
# certificate (ECDSA P-256, made by openssl) and comparable settings (TLS
# 1.2 and 1.3, AEAD ciphers with ECDHE; no session cache on either side;
# wrk keeps its connections, so the figures are the cost of encrypting,
# not of handshakes). The protocol and cipher each negotiates are printed.
# bench/http_rate speaks no TLS, so the fixed-rate runs of (b) are left
# out (printed as "-"); (a), (b)'s highest rate and (c) run as without it.
# Run it beside a run without --tls for the plain figures.
#
# Usage: bench/bench_http.sh [--build DIR] [--store PATH] [--duration SECONDS]
#                            [--connections N] [--rate N] [--keep] [--post-only] [--tls]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-release"
store=""
duration=10
connections=64
rate=500
keep=no
post_only=no
tls=no
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --store) store=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --keep) keep=yes; shift ;;
    --post-only) post_only=yes; shift ;;
    --tls) tls=yes; shift ;;
    *) sed -n '2,46p' "$0" >&2; exit 2 ;;
    esac
done
hotline="$build/hotline"
# The load generator comes from this checkout's Release build when there is
# one, so that two servers' builds (--build) are measured by the same client.
http_rate="$root/build-release/bench/http_rate"
[ -x "$http_rate" ] || http_rate="$build/bench/http_rate"
for tool in "$hotline" "$http_rate"; do
    [ -x "$tool" ] || { echo "bench_http: $tool is missing: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release -j2" >&2; exit 1; }
done
command -v wrk > /dev/null || { echo "bench_http: wrk is missing (scripts/bootstrap.sh)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench_http: nginx is missing (scripts/bootstrap.sh)" >&2; exit 1; }
PYTHON=/usr/bin/python3

work=$(mktemp -d "${TMPDIR:-/tmp}/hotline-bench-http.XXXXXX")
hotline_pid=""
nginx_pid=""
finish() {
    [ -n "$hotline_pid" ] && kill -TERM "$hotline_pid" 2> /dev/null && wait "$hotline_pid" 2> /dev/null
    [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2> /dev/null && wait "$nginx_pid" 2> /dev/null
    if [ "$keep" = yes ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
scheme=http
hotline_tls=()
if [ "$tls" = yes ]; then
    scheme=https
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" \
        -out "$work/tls.pem" -days 7 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 > /dev/null 2>&1
    chmod 600 "$work/tls.key"
    hotline_tls=(--tls-cert "$work/tls.pem" --tls-key "$work/tls.key")
fi
# A small HTTP helper in Python: login, fetch.
cat > "$work/client.py" << 'EOF'
import http.client, json, ssl, sys
command, port = sys.argv[1], int(sys.argv[2])
if sys.argv[-1] == "https":  # the benchmark's own throwaway certificate
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=60,
                                             context=ssl._create_unverified_context())
else:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
if command == "login":
    connection.request("POST", "/api/v1/login", json.dumps({"username": sys.argv[3], "password": sys.argv[4]}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"login {sys.argv[3]}: {response.status} {body[:200]!r}")
    print(json.loads(body)["token"])
elif command == "get":
    connection.request("GET", sys.argv[3], headers={"Authorization": f"Bearer {sys.argv[4]}"})
    response = connection.getresponse()
    sys.stdout.buffer.write(response.read())
EOF

if [ -z "$store" ]; then
    store="$work/demo.db"
    echo "bench_http: building the demo store (22,609 orders) in $work"
    "$hotline" --db "$store" demo > /dev/null
    order=20240201000001
    password=hotline-demo
else
    echo "bench_http: using $store as it is (the demo users' passwords are set to bench-password)"
    password=bench-password
    for user in analyst1 agent1; do
        printf '%s\n' "$password" | "$hotline" --db "$store" passwd "$user" > /dev/null
    done
    order=""
fi
# Random orders for the read load of (c): 2,000 numbers spread over the
# store's days (a number is YYYYMMDD and a serial), found by point lookups,
# never a scan of ten million rows.
"$PYTHON" - "$store" > "$work/numbers.txt" << 'EOF'
import datetime, random, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
first, last = db.execute("SELECT min(id), max(id) FROM orders").fetchone()
day, end = (datetime.datetime.strptime(str(n // 1000000), "%Y%m%d").date() for n in (first, last))
days = []
while day <= end:
    prefix = int(day.strftime("%Y%m%d")) * 1000000
    top = db.execute("SELECT max(id) FROM orders WHERE id > ? AND id < ?", (prefix, prefix + 1000000)).fetchone()[0]
    if top:
        days.append((prefix, top - prefix))
    day += datetime.timedelta(days=1)
random.seed(7)
for _ in range(2000):
    prefix, count = random.choice(days)
    print(db.execute("SELECT id FROM orders WHERE id >= ? LIMIT 1", (prefix + random.randint(1, count),)).fetchone()[0])
EOF
[ -n "$order" ] || order=$(head -1 "$work/numbers.txt")

threads=$(nproc)
hotline_port=$(free_port)
# wrk's connections all come from 127.0.0.1: the limit per address (100 by
# default) must not be what is measured.
"$hotline" --db "$store" serve --listen "127.0.0.1:$hotline_port" --max-connections-per-address 100000 \
    "${hotline_tls[@]}" > "$work/hotline.out" 2> "$work/hotline.log" &
hotline_pid=$!
for _ in $(seq 1 200); do
    grep -q started "$work/hotline.out" 2> /dev/null && break
    sleep 0.1
done
reader=$("$PYTHON" "$work/client.py" login "$hotline_port" analyst1 "$password" "$scheme")
writer=$("$PYTHON" "$work/client.py" login "$hotline_port" agent1 "$password" "$scheme")
mkdir -p "$work/www/api/v1/orders"
"$PYTHON" "$work/client.py" get "$hotline_port" "/api/v1/orders/$order" "$reader" "$scheme" > "$work/www/api/v1/orders/$order"
order_bytes=$(wc -c < "$work/www/api/v1/orders/$order")

# nginx: its own prefix and configuration, the same cores, an access log as hotline keeps one.
nginx_port=$(free_port)
mkdir -p "$work/nginx-temp"
nginx_listen="listen 127.0.0.1:$nginx_port;"
if [ "$tls" = yes ]; then
    # What hotline offers (src/http/tls.h), in OpenSSL's names.
    nginx_listen="listen 127.0.0.1:$nginx_port ssl;
        ssl_certificate $work/tls.pem;
        ssl_certificate_key $work/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256;
        ssl_prefer_server_ciphers on;
        add_header Strict-Transport-Security max-age=31536000 always;"
fi
cat > "$work/nginx.conf" << EOF
worker_processes $threads;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; use epoll; }
http {
    access_log $work/nginx-access.log;
    client_body_temp_path $work/nginx-temp;
    proxy_temp_path $work/nginx-temp;
    fastcgi_temp_path $work/nginx-temp;
    uwsgi_temp_path $work/nginx-temp;
    scgi_temp_path $work/nginx-temp;
    keepalive_requests 1000000;
    server {
        $nginx_listen
        root $work/www;
        default_type application/json;
        location = /api/v1/orders { return 201 '{"number":"20240201000001","version":1}\n'; }
    }
}
EOF
"$NGINX" -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" &
nginx_pid=$!
sleep 0.5

cat > "$work/get.lua" << EOF
wrk.headers["Authorization"] = "Bearer $reader"
EOF
cat > "$work/post.json" << 'EOF'
{"type":"complaint","title":"夜间施工噪音","content":"小区旁工地夜间施工，噪音持续到凌晨两点，影响休息。","citizen_name":"张三","citizen_phone":"13800001234","address":"小店区长风街 1 号"}
EOF
"$PYTHON" - "$work/post.json" "$writer" > "$work/post.lua" << 'EOF'
import json, sys
body = open(sys.argv[1], encoding="utf-8").read().strip()
print('wrk.method = "POST"')
print(f'wrk.body = [==[{body}]==]')  # a long bracket: the UTF-8 as it is, no escapes
print('wrk.headers["Content-Type"] = "application/json"')
print(f'wrk.headers["Authorization"] = "Bearer {sys.argv[2]}"')
EOF
{
    echo 'numbers = {}'
    sed 's/.*/table.insert(numbers, "&")/' "$work/numbers.txt" 2> /dev/null || true
    echo "wrk.headers[\"Authorization\"] = \"Bearer $reader\""
    echo 'request = function()'
    echo '  if #numbers == 0 or math.random(10) == 1 then return wrk.format("GET", "/metrics") end'
    echo '  return wrk.format("GET", "/api/v1/orders/" .. numbers[math.random(#numbers)])'
    echo 'end'
} > "$work/random.lua"

requests_per_second() { sed -n 's/^Requests\/sec: *//p' "$1"; }
requests_done() { awk '/requests in/ {print $1; exit}' "$1"; }
# CPU time (user + system, clock ticks) of a process and its children, so
# that each server's cost per request can be read beside its rate: on a
# machine shared with other work the rate moves, the cost much less.
cpu_ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null || echo 0)))
    done
    echo "$total"
}
tick=$(getconf CLK_TCK)
# Runs wrk against one server; prints nothing, leaves its output in FILE and
# the server's CPU microseconds per request in FILE.cpu.
measure() {
    local file=$1 pid=$2
    shift 2
    local before after
    before=$(cpu_ticks "$pid")
    wrk "$@" > "$file"
    after=$(cpu_ticks "$pid")
    "$PYTHON" -c "import sys; t, n = int(sys.argv[1]), int(sys.argv[2] or 0); print(f'{t * 1e6 / int(sys.argv[3]) / n:.1f}' if n else '-')" \
        "$((after - before))" "$(requests_done "$file")" "$tick" > "$file.cpu"
}
latency_of() { awk '$1 == "Latency" {print $2; exit}' "$1"; }
ratio() { "$PYTHON" -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }
rss_of() { awk -v field="$1" '$1 == field":" {print $2}' "/proc/$hotline_pid/status"; }

echo "bench_http: $threads cores, wrk -t2 -c$connections -d${duration}s; hotline on :$hotline_port, nginx on :$nginx_port ($scheme)"
if [ "$tls" = yes ]; then
    for port in "$hotline_port" "$nginx_port"; do
        echo "bench_http: :$port negotiates $(openssl s_client -connect "127.0.0.1:$port" < /dev/null 2> /dev/null | sed -n 's/^New, \(.*\)$/\1/p' | head -1)"
    done
fi
echo "bench_http: order $order, $order_bytes bytes of JSON"

wal_bytes() { stat -c %s "$store-wal" 2> /dev/null || echo 0; }
# One fixed-rate run: its http_rate line in FILE; extra arguments go to http_rate.
fixed_rate() {
    local file=$1 port=$2
    shift 2
    if [ "$tls" = yes ]; then : > "$file"; return; fi # http_rate speaks no TLS
    "$http_rate" --port "$port" --rate "$rate" --duration "$duration" --connections 32 --method POST \
        --path /api/v1/orders --header "Content-Type: application/json" \
        --header "Authorization: Bearer $writer" --body-file "$work/post.json" "$@" > "$file" || true
}
# One figure (p50, p99, p99.9, max, rate, 2xx...) out of an http_rate line.
figure() { awk -v name="$2" '{for (i = 1; i < NF; i++) if ($i == name) {print $(i + 1); exit}}' "$1"; }

# (a) GET one order.
if [ "$post_only" = no ]; then
    measure "$work/get-hotline.txt" "$hotline_pid" -t2 -c"$connections" -d"${duration}s" -s "$work/get.lua" "$scheme://127.0.0.1:$hotline_port/api/v1/orders/$order"
    measure "$work/get-nginx.txt" "$nginx_pid" -t2 -c"$connections" -d"${duration}s" -s "$work/get.lua" "$scheme://127.0.0.1:$nginx_port/api/v1/orders/$order"
    get_hotline=$(requests_per_second "$work/get-hotline.txt")
    get_nginx=$(requests_per_second "$work/get-nginx.txt")
    non2xx=$(grep -c 'Non-2xx' "$work/get-hotline.txt" || true)
fi

# (b) POST registrations: a fixed rate on a quiet store, the highest rate
# (the burst), and the fixed rate again right after it.
fixed_rate "$work/quiet-hotline.txt" "$hotline_port"
measure "$work/post-hotline.txt" "$hotline_pid" -t2 -c16 -d"${duration}s" -s "$work/post.lua" "$scheme://127.0.0.1:$hotline_port/api/v1/orders"
wal_after_burst=$(wal_bytes)
fixed_rate "$work/burst-hotline.txt" "$hotline_port" --log "$work/after-burst.log"
wal_after_run=$(wal_bytes)
fixed_rate "$work/quiet-nginx.txt" "$nginx_port"
measure "$work/post-nginx.txt" "$nginx_pid" -t2 -c16 -d"${duration}s" -s "$work/post.lua" "$scheme://127.0.0.1:$nginx_port/api/v1/orders"
fixed_rate "$work/burst-nginx.txt" "$nginx_port"
post_hotline=$(requests_per_second "$work/post-hotline.txt")
post_nginx=$(requests_per_second "$work/post-nginx.txt")
fsyncs=$("$PYTHON" - "$work/fsync.dat" << 'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
block, count, start = b"x" * 4096, 0, time.monotonic()
while time.monotonic() - start < 3:
    os.pwrite(fd, block, (count % 256) * 4096)
    os.fdatasync(fd)
    count += 1
print(f"{count / (time.monotonic() - start):.0f}")
EOF
)

# (c) Memory after a read load over the whole store.
if [ "$post_only" = no ]; then
    measure "$work/random-hotline.txt" "$hotline_pid" -t2 -c"$connections" -d"${duration}s" -s "$work/random.lua" "$scheme://127.0.0.1:$hotline_port/"
    random_hotline=$(requests_per_second "$work/random-hotline.txt")
    rss=$(rss_of VmRSS)
    hwm=$(rss_of VmHWM)
    orders=$(sqlite3 "$store" "SELECT sum(orders) FROM order_state_counts" 2> /dev/null || echo "?")
fi

echo
printf '%-52s %14s %14s %7s\n' "what" "hotline" "nginx" "ratio"
if [ "$post_only" = no ]; then
    printf '%-52s %14s %14s %7s\n' "(a) GET one order, Bearer token (req/s)" "$get_hotline" "$get_nginx" "$(ratio "$get_hotline" "$get_nginx")"
    printf '%-52s %14s %14s\n' "    average latency" "$(latency_of "$work/get-hotline.txt")" "$(latency_of "$work/get-nginx.txt")"
    printf '%-52s %14s %14s %7s\n' "    server CPU per request (us)" "$(cat "$work/get-hotline.txt.cpu")" "$(cat "$work/get-nginx.txt.cpu")" "$(ratio "$(cat "$work/get-hotline.txt.cpu")" "$(cat "$work/get-nginx.txt.cpu")")"
fi
printf '%-52s %14s %14s %7s\n' "(b) POST /api/v1/orders, highest rate (req/s)" "$post_hotline" "$post_nginx" "$(ratio "$post_hotline" "$post_nginx")"
printf '%-52s %14s %14s\n' "    average latency" "$(latency_of "$work/post-hotline.txt")" "$(latency_of "$work/post-nginx.txt")"
printf '%-52s %14s %14s\n' "    server CPU per request (us)" "$(cat "$work/post-hotline.txt.cpu")" "$(cat "$work/post-nginx.txt.cpu")"
printf '%-52s %14s\n' "    fdatasync ceiling of the disk (4 KiB, 1 thread)" "$fsyncs/s"
for run in quiet burst; do
    if [ "$run" = quiet ]; then
        echo "    at $rate req/s on a quiet store (ms):"
    else
        echo "    at $rate req/s right after the burst (ms):"
    fi
    for name in p50 p99 p99.9 max; do
        a=$(figure "$work/$run-hotline.txt" "$name")
        b=$(figure "$work/$run-nginx.txt" "$name")
        printf '%-52s %14s %14s %7s\n' "      $name" "$a" "$b" "$(ratio "${a:-0}" "${b:-0}")"
    done
    printf '%-52s %14s %14s\n' "      answered, 2xx" "$(figure "$work/$run-hotline.txt" answered), $(figure "$work/$run-hotline.txt" 2xx)" \
        "$(figure "$work/$run-nginx.txt" answered), $(figure "$work/$run-nginx.txt" 2xx)"
done
printf '%-52s %14s\n' "    WAL after the burst (bytes)" "$wal_after_burst"
printf '%-52s %14s\n' "    WAL after the run behind it (bytes)" "$wal_after_run"
if [ "$post_only" = no ]; then
    printf '%-52s %14s\n' "(c) random orders and /metrics (req/s)" "$random_hotline"
    printf '%-52s %14s\n' "    server CPU per request (us)" "$(cat "$work/random-hotline.txt.cpu")"
    printf '%-52s %14s\n' "    orders in the store" "$orders"
    printf '%-52s %14s\n' "    server VmRSS after the load (KiB)" "$rss"
    printf '%-52s %14s\n' "    server VmHWM, its peak (KiB)" "$hwm"
    [ "$non2xx" -eq 0 ] || echo "bench_http: some GETs were not 2xx: see $work/get-hotline.txt (use --keep)"
fi
