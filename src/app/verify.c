/* verify.c: proves that the store agrees with its event log.
 *
 * It replays every event through the same pure function that maintains the
 * rollups (domain/rollup.c) and compares the sums with the stored counters;
 * it also checks that each order's log is numbered 1..n without a gap and
 * that the order's state and version are those of its last event, and
 * that the per-state counts the store keeps (for /metrics) equal the orders
 * counted one by one. It also walks the hash chains of the logs (the
 * events, the reads of phone numbers, the security events: store/chain.h)
 * record by record, recomputing each hash, and names the first broken link
 * of each chain. It reads only; repairing is a person's decision. */
#include "app/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/archive.h"
#include "app/publish.h"
#include "app/report.h"
#include "base/array.h"
#include "base/i18n.h"
#include "domain/assessment.h"
#include "store/chain.h"

/* What the log says each order should look like. Packed: verify walks stores
 * of tens of millions of orders. */
typedef struct log_head {
    int64_t id;
    int32_t version;
    uint8_t state;
} log_head;

typedef struct verify_context {
    hl_rollup_map *from_log;
    hl_rollup_map *stored;
    log_head *heads;
    size_t head_count;
    size_t head_capacity;
    size_t next_head; /* the head the order scan compares next */
    int64_t events;
    int64_t orders_in_state[HL_STATE_COUNT]; /* from the orders themselves */
    int64_t differences;
    int publications; /* published bulletins checked */
    hl_verify_difference_visitor report;
    void *report_context;
    char line[512];
} verify_context;

static void difference(verify_context *verify)
{
    verify->differences++;
    if (verify->report != NULL)
        verify->report(verify->report_context, verify->line);
}

static int visit_event(void *context, const hl_event *event)
{
    verify_context *verify = context;
    verify->events++;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    size_t count = hl_rollup_of_event(event, deltas);
    for (size_t index = 0; index < count; index++)
        hl_rollup_map_add(verify->from_log, &deltas[index]);

    log_head *last = verify->head_count > 0 ? &verify->heads[verify->head_count - 1] : NULL;
    int64_t expected_seq = last != NULL && last->id == event->order_id ? last->version + 1 : 1;
    if (event->seq != expected_seq) {
        char number[24];
        hl_order_format_number(event->order_id, number, sizeof number);
        snprintf(verify->line, sizeof verify->line,
                 HL_T("工单 %s: 事件 %lld 紧接在事件 %lld 之后（日志有缺口）",
                      "order %s: event %lld follows event %lld (a gap in the log)"),
                 number, (long long)event->seq, (long long)expected_seq - 1);
        difference(verify);
    }
    if (last == NULL || last->id != event->order_id) {
        HL_ARRAY_GROW(verify->heads, verify->head_count, verify->head_capacity);
        last = &verify->heads[verify->head_count++];
        last->id = event->order_id;
    }
    last->version = (int32_t)event->seq;
    last->state = (uint8_t)event->to_state;
    return 0;
}

static void report_order(verify_context *verify, int64_t id, const char *english_text,
                         const char *chinese_text, long long stored, long long logged)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    snprintf(verify->line, sizeof verify->line, "%s %s: %s %lld, %s %lld", HL_T("工单", "order"),
             number, HL_T(chinese_text, english_text), stored, HL_T("日志", "log"), logged);
    difference(verify);
}

static int visit_order_head(void *context, int64_t id, hl_state state, int64_t version)
{
    verify_context *verify = context;
    if ((int)state >= 0 && state < HL_STATE_COUNT)
        verify->orders_in_state[state]++;
    /* Orders and log heads are both sorted by id: walk them side by side. */
    while (verify->next_head < verify->head_count && verify->heads[verify->next_head].id < id) {
        report_order(verify, verify->heads[verify->next_head].id, "missing from orders, events",
                     "不在工单表中，事件数", 0, verify->heads[verify->next_head].version);
        verify->next_head++;
    }
    if (verify->next_head >= verify->head_count || verify->heads[verify->next_head].id != id) {
        report_order(verify, id, "has no events; stored version", "没有事件；存储版本", version, 0);
        return 0;
    }
    const log_head *head = &verify->heads[verify->next_head++];
    if (head->version != version)
        report_order(verify, id, "stored version", "存储版本", version, head->version);
    if (head->state != state) {
        char number[24];
        hl_order_format_number(id, number, sizeof number);
        snprintf(verify->line, sizeof verify->line, "%s %s: %s %s, %s %s", HL_T("工单", "order"),
                 number, HL_T("存储状态", "stored state"), hl_order_state_name(state),
                 HL_T("日志", "log"), hl_order_state_name((hl_state)head->state));
        difference(verify);
    }
    return 0;
}

/* The per-state counts the store keeps for /metrics must equal the orders
 * counted one by one. */
static int verify_state_counts(hl_app *app, verify_context *verify, hl_error *error)
{
    int64_t kept[HL_STATE_COUNT];
    int result = hl_store_order_state_counts(app->store, kept, error);
    if (result != HL_OK)
        return result;
    for (int state = 0; state < HL_STATE_COUNT; state++) {
        if (kept[state] == verify->orders_in_state[state])
            continue;
        snprintf(verify->line, sizeof verify->line,
                 HL_T("状态 %s 的工单：%lld 件，计数表为 %lld",
                      "orders in state %s: %lld, the kept count says %lld"),
                 hl_order_state_name((hl_state)state), (long long)verify->orders_in_state[state],
                 (long long)kept[state]);
        difference(verify);
    }
    return HL_OK;
}

static int collect_stored(void *context, const hl_rollup_delta *row)
{
    verify_context *verify = context;
    hl_rollup_map_add(verify->stored, row);
    return 0;
}

static void report_counter(verify_context *verify, const hl_rollup_delta *key, int64_t stored,
                           int64_t logged)
{
    snprintf(verify->line, sizeof verify->line, "%s %04d-%02d %s %s %s: %s %lld, %s %lld",
             HL_T("汇总", "rollup"), key->month / 100, key->month % 100, HL_T("单位", "unit"),
             key->unit[0] != '\0' ? key->unit : "(centre)", hl_rollup_counter_name(key->counter),
             HL_T("存储", "stored"), (long long)stored, HL_T("日志", "log"), (long long)logged);
    difference(verify);
}

static void compare_logged(void *context, const hl_rollup_delta *entry)
{
    verify_context *verify = context;
    int64_t stored = hl_rollup_map_get(verify->stored, entry->month, entry->unit, entry->counter);
    if (stored != entry->amount)
        report_counter(verify, entry, stored, entry->amount);
}

static void compare_stored(void *context, const hl_rollup_delta *entry)
{
    verify_context *verify = context;
    /* Keys present in both maps were compared already. */
    if (hl_rollup_map_get(verify->from_log, entry->month, entry->unit, entry->counter) == 0)
        report_counter(verify, entry, entry->amount, 0);
}

/* ---- the bulletin of each month, from the log's counters and from the store's ---- */

typedef struct month_counts {
    int month;
    hl_unit_counts *units; /* one per unit of the directory, in directory order */
    size_t count;
} month_counts;

typedef struct month_list {
    int months[512];
    int count;
} month_list;

static void collect_survey_month(void *context, const hl_rollup_delta *entry)
{
    month_list *list = context;
    if (entry->counter != HL_COUNTER_SURVEYED || entry->unit[0] == '\0')
        return;
    for (int index = 0; index < list->count; index++)
        if (list->months[index] == entry->month)
            return;
    if (list->count < 512)
        list->months[list->count++] = entry->month;
}

typedef struct fill_context {
    month_counts *counts;
    bool previous;
} fill_context;

static void fill_unit_counts(void *context, const hl_rollup_delta *entry)
{
    fill_context *fill = context;
    month_counts *counts = fill->counts;
    int previous_month =
        counts->month % 100 == 1 ? (counts->month / 100 - 1) * 100 + 12 : counts->month - 1;
    int wanted = fill->previous ? previous_month : counts->month;
    if (entry->month != wanted)
        return;
    for (size_t index = 0; index < counts->count; index++) {
        hl_unit_counts *unit = &counts->units[index];
        if (strcmp(unit->unit, entry->unit) != 0)
            continue;
        if (fill->previous) {
            unit->previous[entry->counter] += entry->amount;
            unit->has_previous = true;
        } else {
            unit->counters[entry->counter] += entry->amount;
        }
        return;
    }
}

static void counts_of_month(const hl_unit_list *directory, const hl_rollup_map *map, int month,
                            month_counts *out)
{
    out->month = month;
    out->count = directory->count;
    out->units = hl_xcalloc(directory->count, sizeof *out->units);
    for (size_t index = 0; index < directory->count; index++) {
        snprintf(out->units[index].unit, sizeof out->units[index].unit, "%s",
                 directory->items[index].code);
        snprintf(out->units[index].name, sizeof out->units[index].name, "%s",
                 directory->items[index].name);
        snprintf(out->units[index].group, sizeof out->units[index].group, "%s",
                 directory->items[index].group);
    }
    fill_context fill = {out, false};
    hl_rollup_map_each(map, fill_unit_counts, &fill);
    fill.previous = true;
    hl_rollup_map_each(map, fill_unit_counts, &fill);
}

static const hl_unit_result *result_of(const hl_assessment *assessment, const char *unit)
{
    for (size_t index = 0; index < assessment->unit_count; index++)
        if (strcmp(assessment->units[index].unit, unit) == 0)
            return &assessment->units[index];
    return NULL;
}

static void compare_bulletins(verify_context *verify, int month, const hl_assessment *from_log,
                              const hl_assessment *stored)
{
    for (size_t index = 0; index < from_log->unit_count; index++) {
        const hl_unit_result *logged = &from_log->units[index];
        const hl_unit_result *kept = result_of(stored, logged->unit);
        bool same = kept != NULL && kept->base == logged->base &&
                    kept->succeeded == logged->succeeded && kept->satisfied == logged->satisfied &&
                    kept->rank == logged->rank && kept->ranked == logged->ranked;
        if (same)
            continue;
        snprintf(verify->line, sizeof verify->line,
                 HL_T("通报 %04d-%02d 单位 %s：存储 %lld/%lld/%lld 排名 %d，日志 "
                      "%lld/%lld/%lld 排名 %d",
                      "bulletin %04d-%02d unit %s: stored %lld/%lld/%lld rank %d, log "
                      "%lld/%lld/%lld rank %d"),
                 month / 100, month % 100, logged->unit, kept != NULL ? (long long)kept->base : 0LL,
                 kept != NULL ? (long long)kept->succeeded : 0LL,
                 kept != NULL ? (long long)kept->satisfied : 0LL, kept != NULL ? kept->rank : 0,
                 (long long)logged->base, (long long)logged->succeeded,
                 (long long)logged->satisfied, logged->rank);
        difference(verify);
    }
    if (stored->base != from_log->base || stored->succeeded != from_log->succeeded ||
        stored->satisfied != from_log->satisfied) {
        snprintf(verify->line, sizeof verify->line,
                 HL_T("通报 %04d-%02d 合计：存储 %lld/%lld/%lld，日志 %lld/%lld/%lld",
                      "bulletin %04d-%02d totals: stored %lld/%lld/%lld, log %lld/%lld/%lld"),
                 month / 100, month % 100, (long long)stored->base, (long long)stored->succeeded,
                 (long long)stored->satisfied, (long long)from_log->base,
                 (long long)from_log->succeeded, (long long)from_log->satisfied);
        difference(verify);
    }
}

/* Recomputes each month's bulletin from both sets of counters. */
static int verify_bulletins(hl_app *app, verify_context *verify, int *months, hl_error *error)
{
    hl_unit_list directory = {NULL, 0, 0};
    hl_assessment_policy policy;
    int result = hl_report_policy(app, &policy, error);
    if (result == HL_OK)
        result = hl_store_unit_each(app->store, hl_app_collect_unit, &directory, error);
    month_list list = {{0}, 0};
    if (result == HL_OK)
        hl_rollup_map_each(verify->from_log, collect_survey_month, &list);
    for (int index = 0; result == HL_OK && index < list.count; index++) {
        month_counts logged, kept;
        counts_of_month(&directory, verify->from_log, list.months[index], &logged);
        counts_of_month(&directory, verify->stored, list.months[index], &kept);
        hl_assessment from_log, stored;
        hl_error ignored;
        int logged_result = hl_assessment_compute(logged.units, logged.count, NULL, 0, &policy,
                                                  logged.month, &from_log, &ignored);
        int kept_result = hl_assessment_compute(kept.units, kept.count, NULL, 0, &policy,
                                                kept.month, &stored, &ignored);
        /* Counters that differ were reported already; a bulletin that cannot
         * even be computed from the stored ones is one more difference. */
        if (logged_result == HL_OK && kept_result == HL_OK) {
            compare_bulletins(verify, list.months[index], &from_log, &stored);
        } else if (logged_result != kept_result) {
            snprintf(verify->line, sizeof verify->line,
                     HL_T("通报 %04d-%02d：无法由%s计数算出",
                          "bulletin %04d-%02d: cannot be computed from the %s counters"),
                     list.months[index] / 100, list.months[index] % 100,
                     kept_result != HL_OK ? (HL_T("存储的", "stored")) : (HL_T("日志的", "log's")));
            difference(verify);
        }
        if (logged_result == HL_OK)
            hl_assessment_free(&from_log);
        if (kept_result == HL_OK)
            hl_assessment_free(&stored);
        free(logged.units);
        free(kept.units);
    }
    *months = list.count;
    free(directory.items);
    return result;
}

/* ---- The hash chains ---- */

typedef struct chain_walk {
    verify_context *verify;
    hl_chain_kind kind;
    /* The event chain's heads published bulletins recorded, by seq: each
     * must be a link of the chain as it stands (app/publish). */
    hl_publish_mark *marks;
    size_t mark_count, next_mark;
    bool *mark_found;
    int64_t expected;                  /* the seq the next record must have */
    char prev[HL_CHAIN_HEX_CHARS + 1]; /* the hash the next record must name */
    int64_t records, breaks;
    char first[320]; /* the first broken link, for people */
} chain_walk;

static const char *chain_label(hl_chain_kind kind)
{
    switch (kind) {
    case HL_CHAIN_EVENTS: return HL_T("事件日志", "event log");
    case HL_CHAIN_READS: return HL_T("电话查阅审计", "audit of phone reads");
    default: return HL_T("安全事件审计", "audit of security events");
    }
}

/* Which record a link belongs to, in people's words. */
static void describe_record(const hl_chain_record *record, char *out, size_t size)
{
    switch (record->kind) {
    case HL_CHAIN_EVENTS: {
        char number[24];
        hl_order_format_number(record->as.event.order_id, number, sizeof number);
        snprintf(out, size, HL_T("工单 %s 第 %lld 条事件", "order %s event %lld"), number,
                 (long long)record->as.event.seq);
        break;
    }
    case HL_CHAIN_READS:
        snprintf(out, size, HL_T("查阅记录 %lld", "read %lld"), (long long)record->as.read.id);
        break;
    default:
        snprintf(out, size, HL_T("安全事件 %lld", "security event %lld"),
                 (long long)record->as.security.seq);
        break;
    }
}

static void chain_break(chain_walk *walk, const hl_chain_record *record, const char *why)
{
    walk->breaks++;
    if (walk->breaks > 1)
        return;
    char which[96];
    describe_record(record, which, sizeof which);
    snprintf(
        walk->first, sizeof walk->first,
        HL_T("%s哈希链在第 %lld 环断开（%s）：%s", "%s hash chain broken at link %lld (%s): %s"),
        chain_label(walk->kind), (long long)walk->expected, which, why);
}

static int visit_link(void *context, const hl_chain_record *record)
{
    chain_walk *walk = context;
    const hl_chain_link *link = &record->link;
    walk->records++;
    if (link->seq <= 0 || !hl_chain_hex_valid(link->hash) || !hl_chain_hex_valid(link->prev)) {
        chain_break(walk, record, HL_T("记录没有链接", "the record has no link"));
        return HL_OK; /* outside the chain: the next record is judged against the same place */
    }
    if (link->seq != walk->expected)
        chain_break(walk, record,
                    link->seq > walk->expected
                        ? HL_T("缺少记录（被删除）", "records are missing (deleted)")
                        : HL_T("记录重复或顺序被改动", "a record is repeated or out of order"));
    else if (strcmp(link->prev, walk->prev) != 0)
        chain_break(walk, record,
                    HL_T("所记前一哈希与前一记录不符", "the previous hash it names is not the "
                                                       "previous record's"));
    else {
        hl_chain_link computed = *link;
        hl_chain_link_record(record, &computed);
        if (strcmp(computed.hash, link->hash) != 0)
            chain_break(walk, record,
                        HL_T("内容与哈希不符（被改动）", "its content does not match its hash "
                                                         "(changed)"));
    }
    while (walk->next_mark < walk->mark_count &&
           walk->marks[walk->next_mark].chain.seq <= link->seq) {
        const hl_publish_mark *mark = &walk->marks[walk->next_mark];
        if (mark->chain.seq == link->seq && strcmp(mark->chain.hash, link->hash) == 0)
            walk->mark_found[walk->next_mark] = true;
        walk->next_mark++;
    }
    walk->expected = link->seq + 1;
    snprintf(walk->prev, sizeof walk->prev, "%s", link->hash);
    return HL_OK;
}

int hl_verify_chain_walk(hl_store *store, hl_chain_kind kind, const hl_chain_head *anchor,
                         hl_verify_chain_result *out, hl_error *error)
{
    chain_walk *walk = hl_xcalloc(1, sizeof *walk);
    walk->kind = kind;
    walk->expected = anchor->seq + 1;
    snprintf(walk->prev, sizeof walk->prev, "%s", anchor->hash);
    int result = hl_store_chain_scan(store, kind, visit_link, walk, error);
    if (result == HL_OK) {
        out->records = walk->records;
        out->breaks = walk->breaks;
        out->last.seq = walk->expected - 1;
        snprintf(out->last.hash, sizeof out->last.hash, "%s", walk->prev);
        snprintf(out->first_break, sizeof out->first_break, "%s", walk->first);
    }
    free(walk);
    return result;
}

static int compare_marks(const void *left, const void *right)
{
    const hl_publish_mark *a = left, *b = right;
    return a->chain.seq < b->chain.seq ? -1 : a->chain.seq > b->chain.seq;
}

static void publication_problem(void *context, const char *line)
{
    verify_context *verify = context;
    snprintf(verify->line, sizeof verify->line, "%s", line);
    difference(verify);
}

/* Each published bulletin's recorded event chain head must be a link of
 * the current chain (the hash at its seq): a printed bulletin's head is
 * then checked against the store. */
static void report_marks(verify_context *verify, const chain_walk *walk)
{
    for (size_t index = 0; index < walk->mark_count; index++) {
        const hl_publish_mark *mark = &walk->marks[index];
        bool genesis = mark->chain.seq == 0 && strcmp(mark->chain.hash, hl_chain_genesis) == 0;
        if (walk->mark_found[index] || genesis)
            continue;
        snprintf(
            verify->line, sizeof verify->line,
            HL_T("已公布通报 %04d-%02d 第 %d 版所依据的事件哈希链第 %lld 环（%.16s…）不在现行链中",
                 "published bulletin %04d-%02d edition %d: the event chain head it records "
                 "(link %lld, %.16s...) is not in the current chain"),
            mark->month / 100, mark->month % 100, mark->edition, (long long)mark->chain.seq,
            mark->chain.hash);
        difference(verify);
    }
}

static int verify_chain(hl_app *app, verify_context *verify, hl_chain_kind kind,
                        hl_chain_head *head, hl_error *error)
{
    chain_walk *walk = hl_xcalloc(1, sizeof *walk);
    walk->verify = verify;
    walk->kind = kind;
    int result = HL_OK;
    if (kind == HL_CHAIN_EVENTS) {
        result = hl_publish_check(app, publication_problem, verify, &walk->marks, &walk->mark_count,
                                  error);
        if (walk->mark_count > 1)
            qsort(walk->marks, walk->mark_count, sizeof *walk->marks, compare_marks);
        walk->mark_found = hl_xcalloc(walk->mark_count + 1, sizeof *walk->mark_found);
        verify->publications = (int)walk->mark_count;
    }
    /* An audit chain starts after its anchor: the records before it were
     * archived (app/archive.c). */
    hl_chain_head anchor;
    if (result == HL_OK)
        result = hl_store_chain_anchor(app->store, kind, &anchor, error);
    if (result == HL_OK) {
        walk->expected = anchor.seq + 1;
        snprintf(walk->prev, sizeof walk->prev, "%s", anchor.hash);
        result = hl_store_chain_scan(app->store, kind, visit_link, walk, error);
    }
    if (result == HL_OK)
        result = hl_store_chain_head(app->store, kind, head, error);
    if (result == HL_OK)
        report_marks(verify, walk);
    /* Every anchor that moved has its audit.archive event: the newest one
     * names the anchors in force (app/archive.c). */
    bool named = true;
    if (result == HL_OK && kind != HL_CHAIN_EVENTS && anchor.seq > 0)
        result = hl_archive_event_names(app->store, kind, &anchor, true, &named, error);
    if (result == HL_OK && !named) {
        snprintf(verify->line, sizeof verify->line,
                 HL_T("%s哈希链从第 %lld 环之后开始，但没有归档事件（audit.archive）记下这次移动",
                      "%s hash chain starts after link %lld, but no archive event "
                      "(audit.archive) records that move"),
                 chain_label(kind), (long long)anchor.seq);
        difference(verify);
    }
    if (result == HL_OK) {
        if (walk->breaks > 0) {
            snprintf(verify->line, sizeof verify->line,
                     HL_T("%s（共 %lld 处断开）", "%s (%lld broken link(s) in all)"), walk->first,
                     (long long)walk->breaks);
            difference(verify);
        } else if (head->seq != walk->expected - 1 || strcmp(head->hash, walk->prev) != 0) {
            /* The records link well, but not to the head: records were
             * cut from the end, or the head was rewritten. */
            snprintf(verify->line, sizeof verify->line,
                     HL_T("%s哈希链的链头（第 %lld 环）与最后一条记录（第 %lld 环）不符",
                          "%s hash chain: the head (link %lld) does not match the last record "
                          "(link %lld)"),
                     chain_label(kind), (long long)head->seq, (long long)(walk->expected - 1));
            difference(verify);
        }
    }
    free(walk->marks);
    free(walk->mark_found);
    free(walk);
    return result;
}

static int verify_chains(hl_app *app, verify_context *verify, hl_verify_summary *summary,
                         hl_error *error)
{
    int result = HL_OK;
    for (int kind = 0; kind < HL_CHAIN_COUNT && result == HL_OK; kind++)
        result = verify_chain(app, verify, (hl_chain_kind)kind, &summary->heads[kind], error);
    return result;
}

int hl_verify_run(hl_app *app, hl_verify_difference_visitor report, void *context,
                  int64_t *events_read, hl_error *error)
{
    hl_verify_summary summary;
    int result = hl_verify_run_full(app, report, context, &summary, error);
    if (result != HL_EIO && events_read != NULL)
        *events_read = summary.events;
    return result;
}

int hl_verify_run_full(hl_app *app, hl_verify_difference_visitor report, void *context,
                       hl_verify_summary *summary, hl_error *error)
{
    memset(summary, 0, sizeof *summary);
    verify_context *verify = hl_xcalloc(1, sizeof *verify);
    verify->from_log = hl_rollup_map_new();
    verify->stored = hl_rollup_map_new();
    verify->report = report;
    verify->report_context = context;

    /* One read transaction, so that the log, the orders and the rollups are
     * seen at the same instant while others go on writing. */
    int result = hl_app_read_begin(app, error);
    if (result == HL_OK)
        result = hl_store_event_scan(app->store, visit_event, verify, error);
    if (result == HL_OK)
        result = hl_store_order_heads(app->store, visit_order_head, verify, error);
    if (result == HL_OK) {
        while (verify->next_head < verify->head_count) {
            report_order(verify, verify->heads[verify->next_head].id, "missing from orders, events",
                         "不在工单表中，事件数", 0, verify->heads[verify->next_head].version);
            verify->next_head++;
        }
        result = hl_store_rollup_each(app->store, collect_stored, verify, error);
    }
    if (result == HL_OK)
        result = verify_state_counts(app, verify, error);
    if (result == HL_OK)
        result = verify_chains(app, verify, summary, error);
    hl_app_read_end(app);
    if (result == HL_OK) {
        hl_rollup_map_each(verify->from_log, compare_logged, verify);
        hl_rollup_map_each(verify->stored, compare_stored, verify);
        result = verify_bulletins(app, verify, &summary->months, error);
    }
    if (result == HL_OK) {
        summary->events = verify->events;
        summary->orders = (int64_t)verify->head_count;
        summary->publications = verify->publications;
        if (verify->differences > 0)
            result = hl_error_set(error, HL_EMISMATCH, "",
                                  HL_T("发现 %lld 处不一致", "%lld difference(s) found"),
                                  (long long)verify->differences);
    }
    hl_rollup_map_free(verify->from_log);
    hl_rollup_map_free(verify->stored);
    free(verify->heads);
    free(verify);
    return result;
}
