/* sqlite_plans.c: how a filter becomes SQL: the WHERE clause of an order
 * filter, the source a list reads (an index, a unit's range of
 * order_units), parameters always bound, never pasted; and EXPLAIN QUERY
 * PLAN for tests and benchmarks. It runs no list itself (sqlite_queries.c). */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

/* An empty query: no condition, no parameter. */
void hl_sqlite_query_init(hl_sqlite_query *query)
{
    *query = (hl_sqlite_query){.count = 0, .touches_orders = false};
    hl_buf_init(&query->where);
}

void hl_sqlite_query_free(hl_sqlite_query *query)
{
    hl_buf_free(&query->where);
}

void hl_sqlite_query_condition(hl_sqlite_query *query, const char *condition)
{
    hl_buf_append_str(&query->where, query->where.len > 0 ? " AND " : " WHERE ");
    hl_buf_append_str(&query->where, condition);
}

/* A condition on a column of orders. */
static void order_condition(hl_sqlite_query *query, const char *condition)
{
    hl_sqlite_query_condition(query, condition);
    query->touches_orders = true;
}

void hl_sqlite_query_text(hl_sqlite_query *query, const char *text)
{
    query->parameters[query->count] = (hl_sqlite_parameter){.text = text};
    query->count++;
}

void hl_sqlite_query_number(hl_sqlite_query *query, int64_t number)
{
    query->parameters[query->count] = (hl_sqlite_parameter){.number = number};
    query->count++;
}

static void query_blob(hl_sqlite_query *query, const unsigned char *blob, size_t length)
{
    query->parameters[query->count] = (hl_sqlite_parameter){.blob = blob, .blob_length = length};
    query->count++;
}

/* A filter by phone is a filter by its search hash, which only the codec
 * can compute: hashed here, before the SQL is built. */
int hl_sqlite_query_hash_phone(struct hl_sqlite_store *store, hl_sqlite_query *query,
                               const hl_order_filter *filter, hl_error *error)
{
    if (filter == NULL || filter->phone == NULL || filter->phone[0] == '\0')
        return HL_OK;
    if (store->codec.hash == NULL)
        return hl_sqlite_no_codec_error(error);
    int result = store->codec.hash(store->codec.context, filter->phone, query->phone_hash, error);
    /* A search inside a bulk load sees the load's own orders too. */
    if (result == HL_OK)
        result = hl_sqlite_flush_pending_phones(store, error);
    return result;
}

bool hl_sqlite_filter_set(const char *text)
{
    return text != NULL && text[0] != '\0';
}

static int state_count(unsigned mask)
{
    int listed = 0;
    for (int state = 0; state < HL_STATE_COUNT; state++)
        if ((mask & HL_STATE_BIT(state)) != 0)
            listed++;
    return listed;
}

/* A unit code held in a comma-separated list of codes. instr, not LIKE:
 * unit codes may hold '_', a LIKE wildcard. */
#define CO_UNIT_CONDITION "instr(',' || co_units || ',', ',' || ? || ',') > 0"

/* A named lead unit, which is never '' (hl_sqlite_filter_set). */
#define LEAD_UNIT_CONDITION "lead_unit = ? AND lead_unit <> ''"

/* The condition of the orders awaiting a decision. Literals, not
 * parameters, where a partial index (migration 17) has that very
 * condition, so that SQLite can read it; a return is a state. */
static void pending_where(hl_sqlite_query *query, hl_pending pending)
{
    _Static_assert(HL_APPEAL_PENDING == 1, "the literal below is HL_APPEAL_PENDING");
    switch (pending) {
    case HL_PENDING_EXTENSION: order_condition(query, "extension_pending_days > 0"); break;
    case HL_PENDING_APPEAL: order_condition(query, "appeal_state = 1"); break;
    case HL_PENDING_RETURN:
        order_condition(query, "state = ?");
        hl_sqlite_query_text(query, hl_sqlite_state_name(HL_STATE_RETURN_PENDING));
        break;
    case HL_PENDING_NONE:
    case HL_PENDING_COUNT:
        /* Not a value a filter holds: matches nothing, as a bad mask does. */
        order_condition(query, "0");
        break;
    }
}

const char *hl_sqlite_pending_from(const hl_order_filter *filter)
{
    if (filter == NULL)
        return NULL;
    switch (filter->pending) {
    case HL_PENDING_EXTENSION: return " FROM orders INDEXED BY orders_extension_pending";
    case HL_PENDING_APPEAL: return " FROM orders INDEXED BY orders_appeal_pending";
    case HL_PENDING_RETURN: return " FROM orders INDEXED BY orders_by_state";
    case HL_PENDING_NONE:
    case HL_PENDING_COUNT: break;
    }
    return NULL;
}

/* Appends the WHERE clause of a filter (NULL: none) read through a plan. */
void hl_sqlite_query_where(hl_sqlite_query *query, const hl_order_filter *filter,
                           const hl_sqlite_plan *plan)
{
    bool unit_range = plan->source == SOURCE_UNIT;
    if (unit_range) {
        hl_sqlite_query_condition(query, "u.unit = ?");
        hl_sqlite_query_text(query, plan->unit);
        if (plan->lead >= 0)
            hl_sqlite_query_condition(query, plan->lead > 0 ? "u.lead = 1" : "u.lead = 0");
    }
    /* "lead_unit <> ''" is implied by the named unit, but SQLite cannot
     * see it through a parameter: spelt out, it lets SQLite use the partial
     * index orders_by_unit_state (migration 9). */
    if (hl_sqlite_filter_set(plan->also_lead)) {
        order_condition(query, LEAD_UNIT_CONDITION);
        hl_sqlite_query_text(query, plan->also_lead);
    }
    if (plan->part == PART_DEADLINE)
        order_condition(query, "due_at > 0");
    else if (plan->part == PART_NO_DEADLINE)
        order_condition(query, "due_at <= 0");
    if (filter == NULL)
        return;
    if (filter->state_mask != 0) {
        int listed = state_count(filter->state_mask);
        order_condition(query, plan->spread_states && listed > 1 ? "+state IN (" : "state IN (");
        for (int state = 0, written = 0; state < HL_STATE_COUNT; state++) {
            if ((filter->state_mask & HL_STATE_BIT(state)) == 0)
                continue;
            hl_buf_append_str(&query->where, written++ > 0 ? ", ?" : "?");
            hl_sqlite_query_text(query, hl_sqlite_state_name(state));
        }
        /* A mask of unknown states only: matches nothing, as it says. */
        hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
    }
    /* Within a unit's range, the range itself is the unit's condition. */
    if (hl_sqlite_filter_set(filter->scope_unit) &&
        !(unit_range && plan->unit == filter->scope_unit && plan->lead < 0)) {
        order_condition(query, "(lead_unit = ? OR " CO_UNIT_CONDITION ")");
        hl_sqlite_query_text(query, filter->scope_unit);
        hl_sqlite_query_text(query, filter->scope_unit);
    }
    if (hl_sqlite_filter_set(filter->unit) &&
        !(unit_range && plan->unit == filter->unit && plan->lead > 0)) {
        order_condition(query, LEAD_UNIT_CONDITION);
        hl_sqlite_query_text(query, filter->unit);
    }
    if (hl_sqlite_filter_set(filter->co_unit) &&
        !(unit_range && plan->unit == filter->co_unit && plan->lead == 0)) {
        order_condition(query, CO_UNIT_CONDITION);
        hl_sqlite_query_text(query, filter->co_unit);
    }
    if (hl_sqlite_filter_set(filter->category)) {
        order_condition(query, "category = ?");
        hl_sqlite_query_text(query, filter->category);
    }
    /* In a unit's range the received time is part of the key: a range of it. */
    if (filter->received_from != 0) {
        if (unit_range)
            hl_sqlite_query_condition(query, "u.received >= ?");
        else
            order_condition(query, "received_at >= ?");
        hl_sqlite_query_number(query, filter->received_from);
    }
    if (filter->received_to != 0) {
        if (unit_range)
            hl_sqlite_query_condition(query, "u.received < ?");
        else
            order_condition(query, "received_at < ?");
        hl_sqlite_query_number(query, filter->received_to);
    }
    if (filter->due_before != 0) {
        /* "due_at > 0" spelt out lets SQLite use the partial index. */
        order_condition(query, "due_at > 0 AND due_at < ?");
        hl_sqlite_query_number(query, filter->due_before);
    }
    if (filter->due_from != 0) {
        order_condition(query, "due_at >= ?");
        hl_sqlite_query_number(query, filter->due_from);
    }
    if (hl_sqlite_filter_set(filter->text)) {
        order_condition(query, "(instr(title, ?) > 0 OR instr(content, ?) > 0)");
        hl_sqlite_query_text(query, filter->text);
        hl_sqlite_query_text(query, filter->text);
    }
    if (filter->assessed_month != 0) {
        order_condition(query, "assessed_month = ?");
        hl_sqlite_query_number(query, filter->assessed_month);
    }
    if (hl_sqlite_filter_set(filter->phone)) {
        /* A range of phone_index's primary key; the orders it names are
         * then read by number. */
        order_condition(query, "id IN (SELECT order_id FROM phone_index WHERE phone_hash = ?)");
        query_blob(query, query->phone_hash, HL_PHONE_HASH_BYTES);
    }
    if (filter->before_id != 0) {
        /* A row value: received time first, then number (none when the
         * order does not exist: the comparison with NULL is never true). */
        order_condition(query,
                        "(received_at, id) < (SELECT received_at, id FROM orders WHERE id = ?)");
        hl_sqlite_query_number(query, filter->before_id);
    }
    if (filter->appeal_upheld) {
        /* A literal, not a parameter, so that SQLite can use the partial
         * index on upheld appeals (migration 3) instead of a full scan. */
        _Static_assert(HL_APPEAL_UPHELD == 2, "the literal below is HL_APPEAL_UPHELD");
        order_condition(query, "appeal_state = 2");
    }
    if (filter->pending != HL_PENDING_NONE)
        pending_where(query, filter->pending);
    if (filter->channel_mask != 0) {
        order_condition(query, "channel IN (");
        int listed = 0;
        for (int channel = 0; channel < HL_CHANNEL_COUNT; channel++) {
            if ((filter->channel_mask & (1u << channel)) == 0)
                continue;
            hl_buf_append_str(&query->where, listed > 0 ? ", ?" : "?");
            hl_sqlite_query_text(query, hl_sqlite_channel_name(channel));
            listed++;
        }
        hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
    }
    if (filter->consented)
        order_condition(query, "publish_consent = 1");
    if (hl_sqlite_filter_set(filter->categories)) {
        /* One parameter for the whole list; codes hold no comma. */
        order_condition(query, "instr(',' || ? || ',', ',' || category || ',') > 0");
        hl_sqlite_query_text(query, filter->categories);
    }
    if (filter->after_id != 0) {
        order_condition(query, "id > ?");
        hl_sqlite_query_number(query, filter->after_id);
    }
}

const char *hl_sqlite_query_from(const hl_sqlite_plan *plan, bool join)
{
    if (plan->pending_from != NULL)
        return plan->pending_from;
    if (plan->source == SOURCE_ORDERS && plan->by_due)
        return " FROM orders INDEXED BY orders_by_due";
    switch (plan->source) {
    case SOURCE_DEADLINES: return " FROM orders INDEXED BY orders_by_due";
    case SOURCE_UNIT:
        /* CROSS JOIN keeps order_units the outer loop: the unit's range in
         * key order, each order found by its number. */
        return join ? " FROM order_units AS u CROSS JOIN orders ON orders.id = u.order_id"
                    : " FROM order_units AS u";
    case SOURCE_ORDERS: break;
    }
    return " FROM orders";
}

/* How a page in received order (or one part of a deadline-sorted list) is
 * read: a named unit reads that unit's range of order_units, newest first,
 * never the whole table; else SQLite chooses among orders_by_received,
 * orders_by_state (one state) and orders_by_category, each already in
 * received order. */
hl_sqlite_plan hl_sqlite_plan_page(const hl_order_filter *filter, hl_sqlite_part part)
{
    hl_sqlite_plan plan = {.source = SOURCE_ORDERS,
                           .unit = NULL,
                           .lead = -1,
                           .also_lead = NULL,
                           .part = part,
                           .spread_states = true,
                           .by_due = false,
                           .pending_from = hl_sqlite_pending_from(filter)};
    if (plan.pending_from != NULL) {
        /* The few orders that wait, whatever unit or deadline is asked. */
    } else if (filter->due_before != 0) {
        /* The orders whose deadline runs, found and sorted: few. */
        plan.by_due = true;
    } else if (hl_sqlite_filter_set(filter->scope_unit)) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->scope_unit;
    } else if (hl_sqlite_filter_set(filter->unit)) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->unit;
        plan.lead = 1;
    } else if (hl_sqlite_filter_set(filter->co_unit)) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->co_unit;
        plan.lead = 0;
    }
    return plan;
}

const char *hl_sqlite_page_order(const hl_sqlite_plan *plan, bool descending)
{
    if (plan->source == SOURCE_UNIT)
        return descending ? " ORDER BY u.received DESC, u.order_id DESC"
                          : " ORDER BY u.received, u.order_id";
    return descending ? " ORDER BY received_at DESC, id DESC" : " ORDER BY received_at, id";
}

/* Appends "label: " and each line of a statement's EXPLAIN QUERY PLAN to
 * store->explain (hl_sqlite_explain). */
int hl_sqlite_explain_statement(struct hl_sqlite_store *store, const char *label, const hl_buf *sql,
                                const hl_sqlite_query *query, hl_error *error)
{
    hl_buf explained;
    hl_buf_init(&explained);
    hl_buf_append_str(&explained, "EXPLAIN QUERY PLAN ");
    hl_buf_append(&explained, sql->data, sql->len);
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, explained.data, query->parameters, query->count,
                                   "explain", &statement, error);
    hl_buf_free(&explained);
    if (result != HL_OK)
        return result;
    hl_buf_appendf(store->explain, "%s: %s\n", label, sql->data);
    while (sqlite3_step(statement) == SQLITE_ROW) {
        const unsigned char *detail = sqlite3_column_text(statement, 3);
        hl_buf_appendf(store->explain, "  %s\n", detail != NULL ? (const char *)detail : "");
    }
    sqlite3_finalize(statement);
    return HL_OK;
}
