/* sqlite_queries.c: lists and counts of orders in SQLite: order_query in
 * its sorts, order_count and count_by_state (from the per-state totals when
 * a filter selects by state alone, domain/query.h), the counts by category
 * and by state, and hl_sqlite_explain. The SQL itself is built by
 * sqlite_plans.c. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"
#include "base/text.h"

/* Counts the orders visited, and stops where the visitor says. */
typedef struct order_visit {
    hl_order_visitor visit;
    void *context;
    const hl_phone_codec *codec;
    hl_order *order; /* one scratch record for the whole query: orders are large */
    int64_t visited;
} order_visit;

static int visit_order_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    order_visit *visitor = context;
    int result = hl_sqlite_read_order(statement, visitor->codec, visitor->order, error);
    if (result != HL_OK)
        return result;
    visitor->visited++;
    return visitor->visit(visitor->context, visitor->order);
}

/* Starts the query of a filter read through a plan: the phone hashed, the
 * WHERE clause written, and sql begun with select, the plan's FROM (with
 * the orders table when needs_orders or the WHERE clause touches it) and
 * that clause. On success the query and sql are the caller's to free; on
 * failure there is nothing to free. */
static int start_query(struct hl_sqlite_store *store, const hl_order_filter *filter,
                       const hl_sqlite_plan *plan, const char *select, bool needs_orders,
                       hl_sqlite_query *query, hl_buf *sql, hl_error *error)
{
    hl_sqlite_query_init(query);
    int result = hl_sqlite_query_hash_phone(store, query, filter, error);
    if (result != HL_OK) {
        hl_sqlite_query_free(query);
        return result;
    }
    hl_sqlite_query_where(query, filter, plan);
    hl_buf_init(sql);
    hl_buf_append_str(sql, select);
    hl_buf_append_str(sql, hl_sqlite_query_from(plan, needs_orders || query->touches_orders));
    if (query->where.len > 0)
        hl_buf_append_str(sql, query->where.data);
    return HL_OK;
}

/* Runs one SELECT of whole orders: the plan's rows in the given ORDER BY,
 * with a limit (0: none) and an offset. */
static int run_page(struct hl_sqlite_store *store, const hl_order_filter *filter,
                    const hl_sqlite_plan *plan, const char *order_by, int64_t limit, int64_t offset,
                    order_visit *visitor, hl_error *error)
{
    hl_sqlite_query query;
    hl_buf sql;
    int result =
        start_query(store, filter, plan, "SELECT " ORDER_COLUMNS, true, &query, &sql, error);
    if (result != HL_OK)
        return result;
    hl_buf_append_str(&sql, order_by);
    if (limit > 0 || offset > 0) {
        /* LIMIT -1: no limit, as SQLite spells it beside an OFFSET. */
        hl_buf_append_str(&sql, " LIMIT ? OFFSET ?");
        hl_sqlite_query_number(&query, limit > 0 ? limit : -1);
        hl_sqlite_query_number(&query, offset > 0 ? offset : 0);
    }
    if (store->explain != NULL)
        result = hl_sqlite_explain_statement(store, "page", &sql, &query, error);
    else
        result = hl_sqlite_visit_sql(store, sql.data, query.parameters, query.count, "order_query",
                                     visit_order_row, visitor, error);
    hl_buf_free(&sql);
    hl_sqlite_query_free(&query);
    return result;
}

/* Adds a row's count (its first column) to the int64_t *context. */
static int add_count_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    *(int64_t *)context += sqlite3_column_int64(statement, 0);
    return HL_OK;
}

/* Adds a row of (state, count) to the counts by state *context. */
static int add_state_count_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    int64_t *counts = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    hl_state state = (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    int64_t orders = hl_sqlite_read_int64(&row);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    counts[state] += orders;
    return HL_OK;
}

/* Runs "SELECT count(*)" (or "SELECT state, count(*) ... GROUP BY state"
 * into by_state) over a plan's rows, adding to *total or by_state. */
static int run_count(struct hl_sqlite_store *store, const hl_order_filter *filter,
                     const hl_sqlite_plan *plan, int64_t *total, int64_t *by_state, hl_error *error)
{
    hl_sqlite_query query;
    hl_buf sql;
    /* A unit's range alone is counted in order_units, without a lookup per order. */
    int result = start_query(store, filter, plan,
                             by_state != NULL ? "SELECT state, count(*)" : "SELECT count(*)",
                             by_state != NULL, &query, &sql, error);
    if (result != HL_OK)
        return result;
    if (by_state != NULL)
        hl_buf_append_str(&sql, " GROUP BY state");
    if (store->explain != NULL)
        result = hl_sqlite_explain_statement(store, by_state != NULL ? "count by state" : "count",
                                             &sql, &query, error);
    else if (by_state != NULL)
        result = hl_sqlite_visit_sql(store, sql.data, query.parameters, query.count, "order_count",
                                     add_state_count_row, by_state, error);
    else
        result = hl_sqlite_visit_sql(store, sql.data, query.parameters, query.count, "order_count",
                                     add_count_row, total, error);
    hl_buf_free(&sql);
    hl_sqlite_query_free(&query);
    return result;
}

/* Counts from order_state_counts (migration 6): the whole store's orders
 * by state, a few rows. */
static int count_from_totals(struct hl_sqlite_store *store, unsigned state_mask, int64_t *total,
                             int64_t *by_state, hl_error *error)
{
    if (store->explain != NULL) {
        hl_buf_append_str(store->explain, "count: order_state_counts\n");
        return HL_OK;
    }
    int64_t counts[HL_STATE_COUNT] = {0};
    int result = hl_sqlite_visit_all(store, STMT_ORDER_STATE_COUNTS, "order_count",
                                     add_state_count_row, counts, error);
    for (int state = 0; result == HL_OK && state < HL_STATE_COUNT; state++) {
        if (state_mask != 0 && (state_mask & HL_STATE_BIT(state)) == 0)
            continue;
        if (by_state != NULL)
            by_state[state] += counts[state];
        else
            *total += counts[state];
    }
    return result;
}

/* Counts what a filter selects within a part, into *total or by_state.
 * A scope counts in two halves that never overlap: the orders the unit
 * leads (orders_by_unit_state: counted in the index when only states are
 * asked) and those it co-handles (its co-handling rows of order_units). A
 * named co-handling unit is its co-handling rows; the rest is SQLite's
 * choice among the indexes. */
static int count_part(struct hl_sqlite_store *store, const hl_order_filter *filter,
                      hl_sqlite_part part, int64_t *total, int64_t *by_state, hl_error *error)
{
    if (part == PART_ALL && hl_order_filter_is_states_only(filter))
        return count_from_totals(store, filter != NULL ? filter->state_mask : 0, total, by_state,
                                 error);
    hl_sqlite_plan plan = {.source = SOURCE_ORDERS,
                           .unit = NULL,
                           .lead = -1,
                           .also_lead = NULL,
                           .part = part,
                           .spread_states = false,
                           .by_due = filter != NULL && filter->due_before != 0,
                           .pending_from = hl_sqlite_pending_from(filter)};
    /* The orders that wait are few: counted in their index, a scope or a
     * unit a condition on each. */
    if (plan.pending_from != NULL)
        return run_count(store, filter, &plan, total, by_state, error);
    if (filter != NULL && hl_sqlite_filter_set(filter->scope_unit)) {
        hl_order_filter rest = *filter;
        rest.scope_unit = NULL;
        plan.also_lead = filter->scope_unit;
        int result = run_count(store, &rest, &plan, total, by_state, error);
        if (result != HL_OK)
            return result;
        hl_sqlite_plan co = {.source = SOURCE_UNIT,
                             .unit = filter->scope_unit,
                             .lead = 0,
                             .also_lead = NULL,
                             .part = part,
                             .spread_states = false,
                             .by_due = false};
        return run_count(store, &rest, &co, total, by_state, error);
    }
    if (filter != NULL && hl_sqlite_filter_set(filter->co_unit) && !plan.by_due) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->co_unit;
        plan.lead = 0;
    }
    return run_count(store, filter, &plan, total, by_state, error);
}

static int sqlite_order_query(hl_store *base, const hl_order_filter *filter, hl_order_visitor visit,
                              void *context, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    order_visit visitor = {visit, context, &store->codec, hl_xmalloc(sizeof(hl_order)), 0};
    hl_order_sort sort = filter != NULL ? filter->sort : HL_ORDER_SORT_ID;
    int64_t limit = filter != NULL && filter->limit > 0 ? filter->limit : 0;
    int64_t offset = filter != NULL && filter->offset > 0 ? filter->offset : 0;
    int result = HL_OK;
    if (sort == HL_ORDER_SORT_ID) {
        /* By number: the command line's lists and the scans, which read
         * the next page with after_id (domain/query.h). */
        hl_sqlite_plan plan = {.source = SOURCE_ORDERS,
                               .lead = -1,
                               .part = PART_ALL,
                               .by_due = filter != NULL && filter->due_before != 0,
                               .pending_from = hl_sqlite_pending_from(filter)};
        result = run_page(store, filter, &plan, " ORDER BY id", limit, offset, &visitor, error);
    } else if (sort == HL_ORDER_SORT_RECEIVED || sort == HL_ORDER_SORT_RECEIVED_DESC) {
        hl_sqlite_plan plan = hl_sqlite_plan_page(filter, PART_ALL);
        result = run_page(store, filter, &plan,
                          hl_sqlite_page_order(&plan, sort == HL_ORDER_SORT_RECEIVED_DESC), limit,
                          offset, &visitor, error);
    } else {
        /* By deadline: the running deadlines through orders_by_due (the
         * open orders: few), then the rest newest first, as one list. */
        bool descending = sort == HL_ORDER_SORT_DEADLINE_DESC;
        hl_sqlite_plan deadlines = {.source = SOURCE_DEADLINES,
                                    .lead = -1,
                                    .part = PART_DEADLINE,
                                    .pending_from = hl_sqlite_pending_from(filter)};
        result = run_page(store, filter, &deadlines,
                          descending ? " ORDER BY due_at DESC, id DESC" : " ORDER BY due_at, id",
                          limit, offset, &visitor, error);
        int64_t first_part = visitor.visited;
        if (result == HL_OK && (limit == 0 || first_part < limit)) {
            /* How many rows of the first part the offset skipped: all of
             * them when this page holds none of them. */
            int64_t skipped = offset;
            if (first_part == 0 && offset > 0) {
                skipped = 0;
                result = count_part(store, filter, PART_DEADLINE, &skipped, NULL, error);
            }
            int64_t rest_offset = offset > skipped ? offset - skipped : 0;
            hl_sqlite_plan rest = hl_sqlite_plan_page(filter, PART_NO_DEADLINE);
            if (result == HL_OK)
                result = run_page(store, filter, &rest, hl_sqlite_page_order(&rest, true),
                                  limit > 0 ? limit - first_part : 0, rest_offset, &visitor, error);
        }
    }
    free(visitor.order);
    return result;
}

/* Counts what hl_sqlite_query would visit without its limit and offset
 * (after_id still applies): the total behind a page of results. */
static int sqlite_order_count(hl_store *base, const hl_order_filter *filter, int64_t *out,
                              hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    *out = 0;
    return count_part(store, filter, PART_ALL, out, NULL, error);
}

static int sqlite_order_count_by_state(hl_store *base, const hl_order_filter *filter,
                                       int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    for (int state = 0; state < HL_STATE_COUNT; state++)
        counts[state] = 0;
    return count_part(store, filter, PART_ALL, NULL, counts, error);
}

typedef struct category_count_visit {
    hl_category_count_visitor visit;
    void *context;
} category_count_visit;

/* Hands a row of (category, count) to the visitor, unless the count is 0. */
static int visit_category_count_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    category_count_visit *visitor = context;
    int64_t count = sqlite3_column_int64(statement, 1);
    if (count == 0)
        return 0;
    char code[HL_CODE_BYTES];
    hl_sqlite_copy_column_text(statement, 0, code, sizeof code);
    return visitor->visit(visitor->context, code, count);
}

/* One range count of orders_by_category per category of the directory
 * (and ""): a month's orders by category without reading the orders. */
static int sqlite_order_count_by_category(hl_store *base, hl_time received_from,
                                          hl_time received_to, hl_category_count_visitor visit,
                                          void *context, hl_error *error)
{
    const char *sql = "SELECT code, (SELECT count(*) FROM orders WHERE category = codes.code "
                      "AND received_at >= ?1 AND received_at < ?2) AS orders "
                      "FROM (SELECT '' AS code UNION ALL SELECT code FROM categories) AS codes "
                      "ORDER BY code";
    hl_sqlite_parameter range[] = {{.number = received_from}, {.number = received_to}};
    category_count_visit visitor = {visit, context};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base), sql, range, HL_COUNT_OF(range),
                               "order_count_by_category", visit_category_count_row, &visitor,
                               error);
}

static int ignore_order(void *context, const hl_order *order)
{
    (void)context;
    (void)order;
    return 0;
}

int hl_sqlite_explain(hl_store *base, const hl_order_filter *filter, hl_buf *out, hl_error *error)
{
    if (base == NULL || out == NULL || !hl_sqlite_owns(base))
        return hl_sqlite_missing_argument("explain", error);
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    store->explain = out;
    int64_t total = 0, by_state[HL_STATE_COUNT];
    int result = sqlite_order_query(base, filter, ignore_order, NULL, error);
    if (result == HL_OK)
        result = sqlite_order_count(base, filter, &total, error);
    if (result == HL_OK)
        result = sqlite_order_count_by_state(base, filter, by_state, error);
    store->explain = NULL;
    return result;
}

/* Reads the counts the store keeps (migration 6): a few rows, whatever
 * the number of orders. */
static int sqlite_order_state_counts(hl_store *base, int64_t counts[HL_STATE_COUNT],
                                     hl_error *error)
{
    for (int state = 0; state < HL_STATE_COUNT; state++)
        counts[state] = 0;
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_ORDER_STATE_COUNTS,
                               "order_state_counts", add_state_count_row, counts, error);
}

void hl_sqlite_queries_ops(hl_store_ops *ops)
{
    ops->order_query = sqlite_order_query;
    ops->order_count = sqlite_order_count;
    ops->order_count_by_state = sqlite_order_count_by_state;
    ops->order_count_by_category = sqlite_order_count_by_category;
    ops->order_state_counts = sqlite_order_state_counts;
}
