#!/usr/bin/env bash
# bench_pg_partitions.sh: what partitioning the PostgreSQL event log by
# month (schema 3) costs, hotline before and after beside PostgreSQL doing
# the same on a plain and a partitioned table, in the same run on one
# throwaway server (tests/support/pg_cluster.sh: fsync on):
#
#   (a) `hotline import` of N orders (bench_postgres.sh's CSV, February
#       2024) into a fresh store of each build; after, with partitions
#       made for 36 months from January 2024 (three years of a store), so
#       that the rows land in their month's partition, not the default.
#   (b) `hotline show` of one order, 100 times, each a process of its own
#       (connecting and opening the store included), ms per show.
#   (c) the peer: 300,000 rows INSERT … SELECT into a plain table keyed
#       (order_id, seq) and into one partitioned by range on the time into
#       36 months and a default, keyed (order_id, seq, at); then pgbench
#       (-M prepared, 1 client) inserting one row per transaction as
#       hotline does (ON CONFLICT on the plain table; NOT EXISTS across the
#       months on the partitioned one, and without it: insert_part_key),
#       and selecting one order's rows in seq order. EXPLAIN of that
#       select on the partitioned store.
#
# Not run by CI: the figures go into docs/PERFORMANCE.md.
# Usage: bench/bench_pg_partitions.sh --before BINARY --after BINARY [--orders N] [--duration S]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
before=""
after=""
orders=100000
duration=10
while [ $# -gt 0 ]; do
    case $1 in
    --before) before=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --orders) orders=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) sed -n '2,23p' "$0" >&2; exit 2 ;;
    esac
done
[ -x "$before" ] && [ -x "$after" ] || { sed -n '2,23p' "$0" >&2; exit 2; }
before=$(realpath "$before")
after=$(realpath "$after")
PYTHON=/usr/bin/python3
. "$root/tests/support/pg_cluster.sh"
pg_bindir_found || { echo "bench_pg_partitions: PostgreSQL's server programs are missing" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hotline-bench-partitions.XXXXXX")
finish() {
    pg_cleanup
    rm -rf "$work"
}
trap finish EXIT
chmod 755 "$work"
cd "$work"
pg="$work/pg"
pg_init "$pg"
pg_start "$pg"
seconds() { "$PYTHON" -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$1"; }
echo "bench_pg_partitions: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"

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
printf 'code,name,group,parent,active\nu1,市住房公积金中心,市直单位,,1\n' > units.csv
printf 'username,display_name,role,unit,active\nagent1,话务员,agent,,1\n' > users.csv
export HOTLINE_KEY_FILE="$work/hotline.key" HOTLINE_LANG=en
unset HOTLINE_NOW

# ---- (a) and (b), each build ----
for build in before after; do
    binary=$before
    [ "$build" = before ] || binary=$after
    pg_psql "$pg" postgres -c "CREATE DATABASE $build"
    export HOTLINE_DB
    HOTLINE_DB=$(pg_address "$build" "$pg")
    "$binary" init > /dev/null
    "$binary" load units units.csv > /dev/null
    "$binary" load users users.csv > /dev/null
    [ "$build" = before ] || pg_psql "$pg" "$build" -Atc "SELECT hotline_event_partitions(1704067200, 36)" > /dev/null
    started=$(date +%s.%N)
    "$binary" import orders.csv --as agent1 > import.out 2>&1 || { tail -n 3 import.out >&2; exit 1; }
    import_seconds=$(seconds "$started")
    number=$(pg_psql "$pg" "$build" -Atc "SELECT id FROM orders ORDER BY id OFFSET $((orders / 2)) LIMIT 1")
    started=$(date +%s.%N)
    for _ in $(seq 100); do "$binary" show "$number" > /dev/null; done
    show_ms=$("$PYTHON" -c "import sys; print(f'{float(sys.argv[1]) * 10:.1f}')" "$(seconds "$started")")
    where=$(pg_psql "$pg" "$build" -Atc "SELECT string_agg(name || ' ' || rows, ', ') FROM (SELECT tableoid::regclass::text AS name, count(*) AS rows FROM events GROUP BY 1) AS t")
    printf '%-7s import of %s orders: %6s s; show: %5s ms; events in: %s\n' "$build" "$orders" "$import_seconds" "$show_ms" "$where"
done
pg_psql "$pg" after -Atc "EXPLAIN (COSTS OFF) SELECT * FROM events WHERE order_id = $number ORDER BY seq" | head -n 8

# ---- (c) the peer ----
pg_psql "$pg" postgres -c "CREATE DATABASE peer"
pg_psql "$pg" peer << 'EOF'
CREATE TABLE plain(order_id bigint, seq bigint, at bigint, note text, PRIMARY KEY(order_id, seq));
CREATE INDEX ON plain(at);
CREATE TABLE part(order_id bigint, seq bigint, at bigint, note text, PRIMARY KEY(order_id, seq, at))
    PARTITION BY RANGE(at);
CREATE INDEX ON part(at);
CREATE TABLE part_default PARTITION OF part DEFAULT;
DO $$ BEGIN FOR i IN 0 .. 35 LOOP
    EXECUTE format('CREATE TABLE part_%s PARTITION OF part FOR VALUES FROM (%s) TO (%s)', i,
        extract(epoch FROM timestamp '2024-01-01' + make_interval(months => i))::bigint,
        extract(epoch FROM timestamp '2024-01-01' + make_interval(months => i + 1))::bigint);
END LOOP; END $$;
EOF
for table in plain part; do
    started=$(date +%s.%N)
    pg_psql "$pg" peer -c "INSERT INTO $table SELECT n / 3, n % 3 + 1, 1706745600 + n * 2, 'note ' || n FROM generate_series(0, 299999) n"
    echo "peer INSERT … SELECT of 300,000 rows into $table: $(seconds "$started") s"
done
pg_psql "$pg" peer -c "VACUUM ANALYZE plain" -c "VACUUM ANALYZE part"
cat > insert_plain.sql << 'EOF'
\set id random(1000000, 900000000)
INSERT INTO plain VALUES(:id, 1, 1706745600 + :id % 1000000, 'note') ON CONFLICT (order_id, seq) DO NOTHING;
EOF
cat > insert_part.sql << 'EOF'
\set id random(1000000, 900000000)
INSERT INTO part SELECT :id, 1, 1706745600 + :id % 1000000, 'note' WHERE NOT EXISTS (SELECT 1 FROM part WHERE order_id = :id AND seq = 1) ON CONFLICT DO NOTHING;
EOF
cat > insert_part_key.sql << 'EOF'
\set id random(1000000, 900000000)
INSERT INTO part VALUES(:id, 1, 1706745600 + :id % 1000000, 'note') ON CONFLICT DO NOTHING;
EOF
cat > select_plain.sql << 'EOF'
\set id random(0, 99999)
SELECT * FROM plain WHERE order_id = :id ORDER BY seq;
EOF
cat > select_part.sql << 'EOF'
\set id random(0, 99999)
SELECT * FROM part WHERE order_id = :id ORDER BY seq;
EOF
for script in insert_plain insert_part insert_part_key select_plain select_part; do
    tps=$(pg_as_owner "$PG_BIN/pgbench" -n -M prepared -T "$duration" -f "$work/$script.sql" -h "$pg" -p "$PG_PORT" -U postgres peer 2> /dev/null |
        sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
    echo "peer pgbench $script: $tps tps"
done
