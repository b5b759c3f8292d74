#!/usr/bin/env bash
# bench_postgres.sh: hotline on PostgreSQL beside PostgreSQL's own tools,
# measured in the same run on the same throwaway server (initdb in a
# temporary directory, Unix socket only, fsync and synchronous_commit on,
# Debian's defaults otherwise; tests/support/pg_cluster.sh):
#
#   (a) durable actions/s: POST /api/v1/orders to `hotline serve` on the
#       PostgreSQL store (each registration one transaction: the order, its
#       event, the per-state count and the month's counters, committed
#       before the 201), with wrk at 1 connection and at 16, beside
#       pgbench's simple-update script (-N: an UPDATE of an account, a SELECT of
#       it and an INSERT into the history, one transaction) at 1 client and
#       at 16 on the same server. Goal >= 0.5.
#       Then dispatches (each one transaction: the order's UPDATE with
#       If-Match, its event, the counters) of the imported orders at 16
#       connections, each on orders of its own: registrations of one day
#       queue on the day's numbering lock until they commit, actions do not.
#       The CPU time of the server and of PostgreSQL per request is printed
#       beside (pgbench's too): the capacity model of docs/deploy.md uses it.
#   (b) the import: `hotline import FILE` of N orders into the PostgreSQL
#       store beside psql's \copy of the same file into a table of the CSV's
#       columns (one COPY, one transaction). Goal >= 0.5. Run first: its
#       orders are the ones (a) dispatches.
#   (c) a GET of one order through nginx balancing two servers beside the
#       same GET on one server directly (wrk, 64 connections): what the
#       balancer's hop costs.
#
# Not run by CI: the figures go, as ratios, into docs/PERFORMANCE.md.
# Needs Debian's postgresql (server programs, pgbench, psql), nginx, wrk,
# python3, and a build with the PostgreSQL backend (default
# build-release/hotline; --build DIR). As root, PostgreSQL runs as nobody.
#
# Each server runs with --threads 16 (--threads N): on PostgreSQL a worker
# thread waits for its commit, so the default of one per core would let
# only two commits be in flight per server.
#
# --statements loads pg_stat_statements and prints, after (a), the
# statements that took PostgreSQL's time (calls, total and mean ms).
#
# Usage: bench/bench_postgres.sh [--build DIR] [--duration SECONDS] [--orders N] [--threads N]
#                                [--statements] [--keep]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-release"
duration=10
orders=100000
threads=16
statements=no
keep=no
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --orders) orders=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --statements) statements=yes; shift ;;
    --keep) keep=yes; shift ;;
    *) sed -n '2,41p' "$0" >&2; exit 2 ;;
    esac
done
hotline="$build/hotline"
PYTHON=/usr/bin/python3
. "$root/tests/support/pg_cluster.sh"
. "$root/tests/support/nginx_balancer.sh"
[ -x "$hotline" ] || { echo "bench_postgres: $hotline is missing: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release -j2" >&2; exit 1; }
pg_hotline_has_postgres "$hotline" || { echo "bench_postgres: $hotline has no PostgreSQL backend" >&2; exit 1; }
pg_bindir_found || { echo "bench_postgres: PostgreSQL's server programs are missing" >&2; exit 1; }
command -v wrk > /dev/null || { echo "bench_postgres: wrk is missing (scripts/bootstrap.sh)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hotline-bench-pg.XXXXXX")
server_pids=()
finish() {
    nginx_balancer_stop
    local pid
    for pid in "${server_pids[@]}"; do
        kill -TERM "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
    done
    pg_cleanup
    if [ "$keep" = yes ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT
cd "$work"
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ratio() { "$PYTHON" -c "import sys; a, b = float(sys.argv[1] or 0), float(sys.argv[2] or 0); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }
requests_per_second() { sed -n 's/^Requests\/sec: *//p' "$1"; }
requests_done() { awk '/requests in/ {print $1; exit}' "$1"; }
# CPU time (clock ticks) of a process tree: the root's own and its reaped
# children's (pgbench's connections end before the count), and the time of
# its children still running. Per request it is steadier than a rate on a
# machine shared with other work; the capacity model is built from it.
cpu_ticks() {
    local total pid
    total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2> /dev/null || echo 0)
    for pid in $(pgrep -P "$1" || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null || echo 0)))
    done
    echo "$total"
}
tick=$(getconf CLK_TCK)
per_request() { "$PYTHON" -c "import sys; t, n = int(sys.argv[1]), int(sys.argv[2] or 0); print(f'{t * 1e6 / int(sys.argv[3]) / n:.0f}' if n else '-')" "$1" "$2" "$tick"; }

pg="$work/pg"
pg_init "$pg"
if [ "$statements" = yes ]; then
    pg_start "$pg" -c max_connections=200 -c shared_preload_libraries=pg_stat_statements
else
    pg_start "$pg" -c max_connections=200
fi
pg_psql "$pg" postgres -c "CREATE DATABASE hotline" -c "CREATE DATABASE pgbench" -c "CREATE DATABASE peer"
[ "$statements" = no ] || pg_psql "$pg" postgres -c "CREATE EXTENSION pg_stat_statements"
export HOTLINE_DB
HOTLINE_DB=$(pg_address hotline "$pg")
export HOTLINE_KEY_FILE="$work/hotline.key"
export HOTLINE_LANG=en
unset HOTLINE_NOW
echo "bench_postgres: $(nproc) cores, $(uptime | sed 's/.*load average/load average/'); PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), fsync on"

# ---- the store ----
cat > units.csv << 'EOF'
code,name,group,parent,active
u1,市住房公积金中心,市直单位,,1
EOF
cat > users.csv << 'EOF'
username,display_name,role,unit,active
agent1,话务员,agent,,1
dispatcher1,派单员,dispatcher,,1
analyst1,分析员,analyst,,1
EOF
"$hotline" init > /dev/null
"$hotline" load units units.csv > /dev/null
"$hotline" load users users.csv > /dev/null
for user in agent1 dispatcher1 analyst1; do printf 'bench-password\n' | "$hotline" passwd "$user" > /dev/null; done
postmaster=$(head -n 1 "$pg/data/postmaster.pid")

# ---- (b) the import beside psql's \copy ----
"$PYTHON" - "$orders" > orders.csv << 'EOF'
import random, sys
count = int(sys.argv[1])
random.seed(11)
titles = ["关于小区电梯频繁故障的投诉", "关于公积金提取办理流程的咨询", "关于路灯损坏的求助", "关于夜间施工噪音扰民的投诉"]
types = ["complaint", "inquiry", "help", "complaint"]
print("received_at,channel,type,citizen_name,citizen_phone,address,title,content")
for index in range(count):
    at = 8 * 3600 + index * 2
    kind = index % 4
    day, rest = 1 + at // 86400 % 28, at % 86400
    print(f"2024-02-{day:02d} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d},phone,{types[kind]},王先生,"
          f"138{random.randint(0, 99999999):08d},杭州市西湖区文三路{1 + index % 999}号,{titles[kind]},"
          f"市民来电反映：杭州市西湖区文三路{1 + index % 999}号附近，{titles[kind]}，该问题已持续两周左右，"
          f"严重影响周边居民正常生活，希望相关部门尽快核实处理并予以答复。")
EOF
bytes=$(stat -c %s orders.csv)
pg_psql "$pg" peer -c "CREATE TABLE orders(received_at text, channel text, type text, citizen_name text,
    citizen_phone text, address text, title text, content text)"
seconds_since() { "$PYTHON" -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$1"; }
per_second() { "$PYTHON" -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):.0f}')" "$1" "$2"; }
started=$(date +%s.%N)
pg_psql "$pg" peer -c "\\copy orders FROM '$work/orders.csv' WITH (FORMAT csv, HEADER true)"
copy_seconds=$(seconds_since "$started")
started=$(date +%s.%N)
"$hotline" import orders.csv --as agent1 > import.out 2>&1 || { echo "bench_postgres: the import failed: $(tail -n 3 import.out)" >&2; exit 1; }
import_seconds=$(seconds_since "$started")
import_rate=$(per_second "$orders" "$import_seconds")
copy_rate=$(per_second "$orders" "$copy_seconds")
pg_psql "$pg" hotline -Atc "SELECT id FROM orders ORDER BY id" > numbers.txt

# ---- the servers ----
ports=()
for index in 1 2; do
    port=$(free_port)
    "$hotline" serve --listen "127.0.0.1:$port" --threads "$threads" > "server$index.out" 2> "server$index.log" &
    server_pids+=($!)
    ports+=("$port")
done
for port in "${ports[@]}"; do
    for _ in $(seq 1 200); do
        curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
        sleep 0.1
    done
done
token() {
    curl -sf -X POST -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"bench-password\"}" \
        "http://127.0.0.1:${ports[0]}/api/v1/login" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
writer=$(token agent1)
dispatcher=$(token dispatcher1)
reader=$(token analyst1)
cat > post.lua << EOF
wrk.method = "POST"
wrk.body = [==[{"type":"complaint","title":"夜间施工噪音","content":"小区旁工地夜间施工，噪音持续到凌晨两点，影响休息。","citizen_name":"张三","citizen_phone":"13800001234","address":"小店区长风街 1 号"}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $writer"
EOF
# Dispatches: thread t of 16 takes the imported orders t, t + 16, t + 32,
# ... each once, so that no two requests act on one order.
cat > dispatch.lua << EOF
local numbers = {}
for line in io.lines("$work/numbers.txt") do numbers[#numbers + 1] = line end
local created = 0
function setup(thread) thread:set("id", created); created = created + 1 end
function init(args) index = tonumber(wrk.thread:get("id")) + 1 end
function request()
  local number = numbers[index]
  index = index + 16
  if number == nil then return wrk.format("GET", "/healthz") end
  return wrk.format("POST", "/api/v1/orders/" .. number .. "/actions/dispatch",
    {["Content-Type"] = "application/json", ["If-Match"] = '"1"', ["Authorization"] = "Bearer $dispatcher"},
    '{"unit":"u1"}')
end
EOF
cat > get.lua << EOF
wrk.headers["Authorization"] = "Bearer $reader"
EOF

# ---- (a) durable actions beside pgbench -N ----
pg_as_owner "$PG_BIN/pgbench" -h "$pg" -p "$PG_PORT" -U postgres -i -s 10 -q pgbench > pgbench-init.log 2>&1
# pgbench -N at N clients: prints its tps and the server's CPU per transaction (us).
pgbench_run() {
    local before after tps count
    before=$(cpu_ticks "$postmaster")
    pg_as_owner "$PG_BIN/pgbench" -h "$pg" -p "$PG_PORT" -U postgres -n -N -c "$1" -j "$(($1 < 2 ? 1 : 2))" \
        -T "$duration" pgbench > "pgbench-$1.txt" 2> /dev/null
    after=$(cpu_ticks "$postmaster")
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "pgbench-$1.txt")
    count=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "pgbench-$1.txt")
    echo "$tps $(per_request $((after - before)) "$count")"
}
# wrk against the first server: its output in FILE, and "server-us postgres-us",
# CPU per answered request, in FILE.cpu.
wrk_run() {
    local file=$1 app_before db_before
    shift
    app_before=$(cpu_ticks "${server_pids[0]}")
    db_before=$(cpu_ticks "$postmaster")
    wrk "$@" > "$file"
    echo "$(per_request $(($(cpu_ticks "${server_pids[0]}") - app_before)) "$(requests_done "$file")") $(per_request $(($(cpu_ticks "$postmaster") - db_before)) "$(requests_done "$file")")" > "$file.cpu"
}
[ "$statements" = no ] || pg_psql "$pg" postgres -c "SELECT pg_stat_statements_reset()" > /dev/null
wrk_run post-1.txt -t1 -c1 -d"${duration}s" -s post.lua "http://127.0.0.1:${ports[0]}/api/v1/orders"
if [ "$statements" = yes ]; then
    pg_psql "$pg" postgres -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
        round(mean_exec_time::numeric, 3) AS mean_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
        FROM pg_stat_statements JOIN pg_database d ON d.oid = dbid WHERE d.datname = 'hotline'
        ORDER BY total_exec_time DESC LIMIT 15" > statements.txt
fi
read -r peer1 peer1_cpu <<< "$(pgbench_run 1)"
wrk_run post-16.txt -t2 -c16 -d"${duration}s" -s post.lua "http://127.0.0.1:${ports[0]}/api/v1/orders"
read -r peer16 peer16_cpu <<< "$(pgbench_run 16)"
dispatched_before=$(pg_psql "$pg" hotline -Atc "SELECT count(*) FROM orders WHERE state = 'dispatched'")
wrk_run dispatch-16.txt -t16 -c16 -d"${duration}s" -s dispatch.lua "http://127.0.0.1:${ports[0]}/"
dispatched=$(($(pg_psql "$pg" hotline -Atc "SELECT count(*) FROM orders WHERE state = 'dispatched'") - dispatched_before))
seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4; exit}' dispatch-16.txt)
dispatch16=$("$PYTHON" -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$dispatched" "$seconds")
# The CPU per dispatch, not per request (a thread past its last order asks /healthz).
read -r app_cpu db_cpu < dispatch-16.txt.cpu
requests=$(requests_done dispatch-16.txt)
dispatch_cpu=$("$PYTHON" -c "import sys; a, d, r, n = map(float, sys.argv[1:]); print(f'{a * r / n:.0f} {d * r / n:.0f}' if n else '- -')" "$app_cpu" "$db_cpu" "$requests" "$dispatched" 2> /dev/null || echo "- -")
[ "$dispatched" -lt "$orders" ] || echo "bench_postgres: every imported order was dispatched before the end: the dispatch rate is a floor (--orders more)" >&2
post1=$(requests_per_second post-1.txt)
post16=$(requests_per_second post-16.txt)
non2xx=$(grep -h 'Non-2xx' post-1.txt post-16.txt dispatch-16.txt || true)
"$hotline" verify > verify.out 2>&1 && verified=clean || verified="NOT CLEAN: $(head -n 2 verify.out)"

# ---- (c) GET one order: nginx and two servers, one server direct ----
order=$(head -n 1 numbers.txt)
balancer=$(free_port)
nginx_balancer_start "$work/nginx" "$balancer" "${ports[@]}"
wrk -t2 -c64 -d"${duration}s" -s get.lua "http://127.0.0.1:${ports[0]}/api/v1/orders/$order" > get-direct.txt
wrk -t2 -c64 -d"${duration}s" -s get.lua "http://127.0.0.1:$balancer/api/v1/orders/$order" > get-nginx.txt
get_direct=$(requests_per_second get-direct.txt)
get_nginx=$(requests_per_second get-nginx.txt)

echo
printf '%-62s %12s %14s %7s %s\n' "what" "hotline" "peer" "ratio" "goal"
printf '%-62s %12s %14s %7s %s\n' "(a) durable registrations/s, 1 connection; pgbench -N -c1" "$post1" "$peer1" "$(ratio "$post1" "$peer1")" ">= 0.5"
printf '%-62s %12s %14s %7s %s\n' "    16 connections; pgbench -N -c16 -j2" "$post16" "$peer16" "$(ratio "$post16" "$peer16")" ">= 0.5"
printf '%-62s %12s %14s %7s %s\n' "    dispatches/s, 16 connections; pgbench -N -c16 -j2" "$dispatch16" "$peer16" "$(ratio "$dispatch16" "$peer16")" ">= 0.5"
printf '%-62s %12s %14s\n' "    CPU us: server, PostgreSQL per registration, 1 conn" "$(cut -d' ' -f1 post-1.txt.cpu)" "$(cut -d' ' -f2 post-1.txt.cpu)"
printf '%-62s %12s %14s\n' "    the same, 16 connections" "$(cut -d' ' -f1 post-16.txt.cpu)" "$(cut -d' ' -f2 post-16.txt.cpu)"
printf '%-62s %12s %14s\n' "    the same per dispatch, 16 connections" "${dispatch_cpu% *}" "${dispatch_cpu#* }"
printf '%-62s %12s %14s\n' "    PostgreSQL CPU us per pgbench -N transaction, 1; 16" "" "$peer1_cpu; $peer16_cpu"
printf '%-62s %s\n' "    verify after the load" "$verified"
[ -z "$non2xx" ] || printf '%-62s %s\n' "    answers not 2xx" "$non2xx"
printf '%-62s %12s %14s %7s %s\n' "(b) import of $orders orders ($bytes bytes), orders/s; \\copy" "$import_rate" "$copy_rate" "$(ratio "$import_rate" "$copy_rate")" ">= 0.5"
printf '%-62s %12s %14s\n' "    seconds" "$import_seconds" "$copy_seconds"
if [ "$statements" = yes ]; then
    echo "    PostgreSQL's time in the registrations at 1 connection (pg_stat_statements):"
    sed 's/^/    /' statements.txt
fi
printf '%-62s %12s %14s %7s\n' "(c) GET one order req/s: nginx + two servers; one direct" "$get_nginx" "$get_direct" "$(ratio "$get_nginx" "$get_direct")"
