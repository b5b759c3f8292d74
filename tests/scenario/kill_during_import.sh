#!/usr/bin/env bash
# kill_during_import.sh HOTLINE SOURCE_DIR
#
# An import is one transaction: killed at any moment (SIGKILL, no chance to
# clean up), the store must open, agree with its log (`hotline verify`
# exits 0) and hold either none or all of the file's orders; and an import
# run to the end afterwards must succeed fully.
#
# A store with a few orders is copied for each round; a large CSV (300,000
# orders, generated deterministically) is imported in the background and
# killed after a random delay (HOTLINE_KILL_SEED fixes the random choices).
# Five delays spread over 0.3-1.5 s, kept within what one uninterrupted
# import takes so that the kills land mid-import; a sixth aims at the end of
# the import, where it commits and checkpoints. Prints "N passed, 0 failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROWS=${HOTLINE_KILL_ROWS:-300000}
ROUNDS=5
PRIOR=5 # orders in the store before each import

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-kill-import.XXXXXX")
IMPORT_PID=""
cleanup() {
    if [ -n "$IMPORT_PID" ] && kill -0 "$IMPORT_PID" 2>/dev/null; then
        kill -KILL "$IMPORT_PID" 2>/dev/null || true
        wait "$IMPORT_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
export HOTLINE_NOW='2024-03-04 09:00'
unset HOTLINE_DB

# pass, fail, finish and die: the counting helpers every scenario shares.
. "$(dirname "$0")/../support/scenario.sh"

SEED=${HOTLINE_KILL_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
echo "kill_during_import: $ROWS rows, $((ROUNDS + 1)) rounds, seed $SEED (HOTLINE_KILL_SEED)"

# Orders in a store, as the export lists them (its header aside).
count_orders() {
    local lines
    if ! lines=$("$HOTLINE" --db "$1" export | wc -l); then
        echo "-1"
        return
    fi
    echo $((lines - 1))
}

# A store is its file, its WAL and the key of its phone numbers (kept
# beside it as "<db>.key"; cp -p keeps the key's mode 0600).
copy_store() {
    local from=$1 to=$2 file
    rm -f "$to" "$to-wal" "$to-shm" "$to.key"
    for file in "$from" "$from-wal" "$from.key"; do
        [ -e "$file" ] && cp -p "$file" "${to}${file#"$from"}"
    done
    return 0
}

# ---- the store: a user who may import, and a few orders already there ----
cat > users.csv <<'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
EOF
"$HOTLINE" --db base.db load users users.csv > /dev/null || die "cannot load users into the base store"
cat > prior.csv <<'EOF'
received_at,channel,type,title,content
2024-01-05 09:00,phone,complaint,噪音,夜间施工噪音
2024-01-05 09:10,web,inquiry,公积金,如何提取公积金
2024-01-05 09:20,wechat,help,路灯,长治路路灯不亮
2024-01-05 09:30,app,report,占道,坞城路占道经营
2024-01-05 09:40,phone,suggestion,公园,增设座椅
EOF
"$HOTLINE" --db base.db import prior.csv --as agent1 > /dev/null || die "cannot import the prior orders"
[ "$(count_orders base.db)" -eq "$PRIOR" ] || die "the base store does not hold $PRIOR orders"

# ---- the large file: deterministic, a few days of orders ----
python3 - "$ROWS" > big.csv <<'EOF'
import sys
rows = int(sys.argv[1])
types = ["inquiry", "help", "complaint", "report", "suggestion", "praise"]
channels = ["phone", "web", "app", "wechat", "open311", "other"]
out = sys.stdout
out.write("received_at,channel,type,category,citizen_name,citizen_phone,address,title,content\n")
for index in range(rows):
    day, second = 1 + index // 86400, index % 86400
    out.write("2024-02-%02d %02d:%02d:%02d,%s,%s,,市民%d,138%08d,\"小店区长治路%d号, %d室\","
              "诉求 %d,\"第 %d 件诉求的内容：夜间施工噪音扰民，\"\"请尽快处理\"\"。\"\n"
              % (day, second // 3600, second // 60 % 60, second % 60, channels[index % 6],
                 types[index % 6], index, index, index % 500, index % 40, index, index))
EOF
FULL=$((PRIOR + ROWS))

# ---- one uninterrupted import: the baseline, and how long it takes ----
copy_store base.db timing.db
start_ns=$(date +%s%N)
if "$HOTLINE" --db timing.db import big.csv --as agent1 > timing.out 2> timing.err; then
    pass
else
    die "an uninterrupted import failed: $(head -3 timing.err)"
fi
import_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
if grep -qx "imported $ROWS order(s)" timing.out; then pass; else fail "the import printed: $(cat timing.out)"; fi
if [ "$(count_orders timing.db)" -eq "$FULL" ]; then pass; else fail "after an uninterrupted import the store does not hold $FULL orders"; fi
rm -f timing.db timing.db-wal timing.db-shm timing.db.key
echo "an uninterrupted import takes ${import_ms} ms"

# Kill delays: between 0.3 and 1.5 s, but within the import's own time.
high_ms=$(( import_ms * 9 / 10 ))
[ "$high_ms" -gt 1500 ] && high_ms=1500
[ "$high_ms" -lt 50 ] && high_ms=50
low_ms=300
[ "$low_ms" -gt $(( high_ms / 3 )) ] && low_ms=$(( high_ms / 3 ))

interrupted=0
last_killed=""
# The rounds spread over that range, each with a random offset; one more
# round aims at the end of the import (the commit and the checkpoint).
for round in $(seq 1 $((ROUNDS + 1))); do
    db="round$round.db"
    copy_store base.db "$db"
    span=$(( (high_ms - low_ms) / ROUNDS ))
    if [ "$round" -le "$ROUNDS" ]; then
        delay_ms=$(( low_ms + (round - 1) * span + (span > 0 ? RANDOM % (span + 1) : 0) ))
    else
        delay_ms=$(( import_ms - 300 + RANDOM % 400 ))
        [ "$delay_ms" -lt "$low_ms" ] && delay_ms=$low_ms
    fi
    delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))

    "$HOTLINE" --db "$db" import big.csv --as agent1 > "$db.out" 2> "$db.err" &
    IMPORT_PID=$!
    sleep "$delay"
    killed=no
    if kill -KILL "$IMPORT_PID" 2>/dev/null; then
        killed=yes
    fi
    status=0
    wait "$IMPORT_PID" 2>/dev/null || status=$?
    IMPORT_PID=""
    if [ "$killed" = yes ] && [ "$status" -ne 137 ] && [ "$status" -ne 0 ]; then
        fail "round $round: the import exited with $status before the kill: $(head -3 "$db.err")"
        continue
    fi

    # The store opens and agrees with its log.
    if "$HOTLINE" --db "$db" verify > "$db.verify" 2>&1; then
        pass
    else
        fail "round $round (killed after ${delay}s): verify failed: $(head -5 "$db.verify")"
    fi
    # All or nothing.
    count=$(count_orders "$db")
    if [ "$count" -eq "$PRIOR" ] || [ "$count" -eq "$FULL" ]; then
        pass
    else
        fail "round $round (killed after ${delay}s): $count orders, expected $PRIOR or $FULL"
    fi
    if [ "$count" -eq "$PRIOR" ]; then
        interrupted=$((interrupted + 1))
        last_killed=$db
    fi
    echo "round $round: killed after ${delay}s ($killed), $count orders"
done

# At least one kill must have landed mid-import, or nothing was tested.
if [ "$interrupted" -gt 0 ]; then
    pass
else
    fail "no round interrupted the import (each finished before its kill)"
fi

# An import run to the end in a store whose import was killed.
if [ -n "$last_killed" ]; then
    if "$HOTLINE" --db "$last_killed" import big.csv --as agent1 > final.out 2> final.err; then
        pass
    else
        fail "the import after a killed one failed: $(head -3 final.err)"
    fi
    if [ "$(count_orders "$last_killed")" -eq "$FULL" ]; then
        pass
    else
        fail "after the final import the store does not hold $FULL orders"
    fi
    if "$HOTLINE" --db "$last_killed" verify > final.verify 2>&1; then
        pass
    else
        fail "verify after the final import: $(head -5 final.verify)"
    fi
fi

finish
