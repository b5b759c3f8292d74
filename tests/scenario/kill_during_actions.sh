#!/usr/bin/env bash
# kill_during_actions.sh HOTLINE SOURCE_DIR
#
# Every lifecycle action is durable once hotline has exited 0 with it. A
# stream of actions (dispatch, sign, complete on a batch of orders) runs in
# a background shell, which appends "NUMBER ACTION" to a log only after the
# command exited 0 ("reported done"). The shell and the hotline process it
# is running are killed together (SIGKILL to the process group) mid-stream.
# Then the store must open, agree with its log (`hotline verify` exits 0),
# show every reported action in the order's history, and be in the state of
# its last reported action (or one step on: an action may have been done but
# killed before it was reported). The orders are then finished, to show the
# store still takes writes. Three rounds, killed early, midway and late in
# the stream (HOTLINE_KILL_SEED fixes the random choices); at least one kill
# must land before the stream finished. Prints "N passed, 0 failed";
# exits 1 on a failure.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 HOTLINE [SOURCE_DIR]" >&2
    exit 2
fi
HOTLINE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROUNDS=3
ORDERS=40 # per round

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotline-kill-actions.XXXXXX")
STREAM_PGID=""
cleanup() {
    if [ -n "$STREAM_PGID" ]; then
        kill -KILL -- "-$STREAM_PGID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

export HOTLINE_LANG=en
export HOTLINE_NOW='2024-03-04 09:00'

# pass, fail, finish and die: the counting helpers every scenario shares.
. "$(dirname "$0")/../support/scenario.sh"
# The store: a file here, or a fresh database in the PostgreSQL copy.
test_store_use "$WORK" || die "no store to run on"

SEED=${HOTLINE_KILL_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
echo "kill_during_actions: $ROUNDS rounds of $ORDERS orders, seed $SEED (HOTLINE_KILL_SEED)"

# ---- the store: units and the users who act ----
cat > units.csv <<'EOF'
code,name,group,parent,active
xiaodian,小店区政府,县市区(开发区),,1
yingze,迎泽区政府,县市区(开发区),,1
EOF
cat > users.csv <<'EOF'
username,display_name,role,unit,active
agent1,王芳,agent,,1
dispatcher1,张伟,dispatcher,,1
h-xiaodian,小店承办人,handler,xiaodian,1
EOF
"$HOTLINE" load units units.csv > /dev/null || die "cannot load units"
"$HOTLINE" load users users.csv > /dev/null || die "cannot load users"

# The stream, run by a separate shell: each order through dispatch, sign
# and complete; a line in done.log only once the command has exited 0.
cat > stream.sh <<'EOF'
HOTLINE=$1
shift
for number in "$@"; do
    for action in dispatch sign complete; do
        case $action in
        dispatch) args=(dispatch "$number" --as dispatcher1 --unit xiaodian --co yingze) ;;
        sign) args=(sign "$number" --as h-xiaodian) ;;
        complete) args=(complete "$number" --as h-xiaodian --reply "已处理 $number") ;;
        esac
        if "$HOTLINE" "${args[@]}" > /dev/null 2>> stream.err; then
            echo "$number $action" >> done.log
        else
            echo "$number $action exit $?" >> failed.log
        fi
    done
done
echo finished >> done.log
EOF

# What `show` prints in its history for each action (English), and the
# state each action leads to.
history_pattern() {
    case $1 in
    dispatch) echo ' dispatch +new → dispatched  dispatcher1  \[xiaodian\]' ;;
    sign) echo ' sign for +dispatched → signed  h-xiaodian  \[xiaodian\]' ;;
    complete) echo ' complete +signed → completed  h-xiaodian  \[xiaodian\]' ;;
    esac
}
state_after() {
    case $1 in
    none) echo new ;;
    dispatch) echo dispatched ;;
    sign) echo signed ;;
    complete) echo completed ;;
    esac
}
# The action that leads into a state (none for new).
action_into() {
    case $1 in
    dispatched) echo dispatch ;;
    signed) echo sign ;;
    completed) echo complete ;;
    *) echo none ;;
    esac
}
next_action() {
    case $1 in
    none) echo dispatch ;;
    dispatch) echo sign ;;
    sign) echo complete ;;
    complete) echo "" ;;
    esac
}

total_done=0
interrupted=0
for round in $(seq 1 "$ROUNDS"); do
    rm -f done.log failed.log stream.err
    : > done.log
    numbers=()
    start_ns=$(date +%s%N)
    for index in $(seq 1 "$ORDERS"); do
        number=$("$HOTLINE" register --as agent1 --type help --title "第 $round 轮 $index" \
            --content "路灯不亮 $round-$index") || die "round $round: cannot register"
        numbers+=("$number")
    done
    # The stream is three actions an order, each about as long as a
    # registration: kill it early in round 1, midway in round 2, late in
    # round 3, wherever exactly at random.
    stream_ms=$(( ($(date +%s%N) - start_ns) / 1000000 * 3 ))
    case $round in
    1) low=10 high=35 ;;
    2) low=35 high=60 ;;
    *) low=60 high=90 ;;
    esac
    delay_ms=$(( stream_ms * (low + RANDOM % (high - low + 1)) / 100 ))
    [ "$delay_ms" -lt 20 ] && delay_ms=20
    delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))

    setsid bash stream.sh "$HOTLINE" "${numbers[@]}" &
    stream_pid=$!
    STREAM_PGID=$stream_pid
    # setsid made the stream's shell the leader of a new process group.
    pgid=$(ps -o pgid= -p "$stream_pid" 2> /dev/null | tr -d ' ' || true)
    if [ -n "$pgid" ] && [ "$pgid" != "$stream_pid" ]; then
        STREAM_PGID=$pgid
    fi
    sleep "$delay"
    kill -KILL -- "-$STREAM_PGID" 2> /dev/null || true
    wait "$stream_pid" 2> /dev/null || true
    # Nothing of the group may survive (a hotline still writing would race
    # with the checks).
    for _ in $(seq 1 50); do
        if ! pgrep -g "$STREAM_PGID" > /dev/null 2>&1; then break; fi
        sleep 0.1
    done
    if pgrep -g "$STREAM_PGID" > /dev/null 2>&1; then
        die "round $round: processes of the stream survived SIGKILL"
    fi
    STREAM_PGID=""

    done_count=$(grep -vc '^finished$' done.log || true)
    total_done=$((total_done + done_count))
    if grep -qx finished done.log; then
        echo "round $round: the stream finished before the kill at ${delay}s"
    else
        echo "round $round: killed after ${delay}s, $done_count actions reported done"
        interrupted=$((interrupted + 1))
    fi

    # No action failed while the stream ran.
    if [ -s failed.log ]; then
        fail "round $round: actions failed: $(head -3 failed.log) $(head -3 stream.err 2>/dev/null)"
    else
        pass
    fi

    # The store opens and agrees with its log.
    if "$HOTLINE" verify > verify.out 2>&1; then
        pass
    else
        fail "round $round: verify failed after the kill: $(head -5 verify.out)"
    fi

    # Every reported action is in the history; the state is that of the
    # last reported action, or one step on.
    for number in "${numbers[@]}"; do
        if ! "$HOTLINE" show "$number" > show.out 2> show.err; then
            fail "round $round: show $number: $(cat show.err)"
            continue
        fi
        last=none
        ok=yes
        while read -r logged action; do
            [ "$logged" = "$number" ] || continue
            if ! grep -Eq "$(history_pattern "$action")" show.out; then
                fail "round $round: $number: '$action' was reported done but is not in its history"
                ok=no
            fi
            last=$action
        done < <(grep -v '^finished$' done.log)
        state=$(sed -n 's/^State  *//p' show.out)
        expected=$(state_after "$last")
        next=$(next_action "$last")
        allowed="$expected"
        [ -n "$next" ] && allowed="$expected or $(state_after "$next")"
        if [ "$state" = "$expected" ] || { [ -n "$next" ] && [ "$state" = "$(state_after "$next")" ]; }; then
            :
        else
            fail "round $round: $number is '$state' after '$last' was reported done (expected $allowed)"
            ok=no
        fi
        [ "$ok" = yes ] && pass

        # Finish the order: the store still takes writes.
        action=$(next_action "$(action_into "$state")")
        while [ -n "$action" ]; do
            case $action in
            dispatch) args=(dispatch "$number" --as dispatcher1 --unit xiaodian --co yingze) ;;
            sign) args=(sign "$number" --as h-xiaodian) ;;
            complete) args=(complete "$number" --as h-xiaodian --reply "已处理 $number") ;;
            esac
            if ! "$HOTLINE" "${args[@]}" > /dev/null 2> act.err; then
                fail "round $round: $number: '$action' after the kill failed: $(cat act.err)"
                break
            fi
            action=$(next_action "$action")
        done
    done

    if "$HOTLINE" verify > verify.out 2>&1; then
        pass
    else
        fail "round $round: verify failed after finishing the orders: $(head -5 verify.out)"
    fi
    completed=$("$HOTLINE" list --state completed --limit 1000000 | grep -c ' completed ' || true)
    if [ "$completed" -eq $((round * ORDERS)) ]; then
        pass
    else
        fail "round $round: $completed orders completed, expected $((round * ORDERS))"
    fi
done

if [ "$total_done" -gt 0 ]; then
    pass
else
    fail "no action was reported done in any round: the stream never got going"
fi
# At least one kill must have landed mid-stream, or no crash was tested
# (as kill_during_import.sh requires of its imports).
if [ "$interrupted" -gt 0 ]; then
    pass
else
    fail "no round interrupted the stream (each finished before its kill)"
fi

finish
