/* pg_queries.c: lists and counts of orders in PostgreSQL: the query
 * builder over hl_order_filter (every member, values always sent as
 * parameters, never pasted), order_query in its sorts with the same paging
 * as SQLite (limit and offset, after_id and before_id), order_count and
 * count_by_state (from the sharded per-state totals when a filter selects
 * by state alone, domain/query.h), the counts by category, and the
 * per-state totals. A unit's list reads that unit's range of order_units
 * in received order, as SQLite's plans do; the rest is left to
 * PostgreSQL's planner, which has statistics (SQLite's index hints have no
 * place here). It writes nothing. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/contract.h"
#include "base/i18n.h"
#include "base/text.h"

/* Which part of a deadline-sorted list a query reads. */
typedef enum query_part {
    PART_ALL = 0,
    PART_DEADLINE,    /* the orders whose deadline runs (due_at > 0) */
    PART_NO_DEADLINE, /* the others */
} query_part;

/* How a query reaches its rows. */
typedef struct query_plan {
    bool unit_range;       /* one unit's range of order_units (u), joined to orders when needed */
    const char *unit;      /* unit_range: the unit whose range is read */
    int lead;              /* unit_range: 1 its lead rows, 0 its co-handling rows, -1 both */
    const char *also_lead; /* an extra "lead_unit = $n" (the lead half of a scope's count) */
    query_part part;
} query_plan;

/* A WHERE clause being built: each '?' of a condition becomes the next $n,
 * and the caller adds that parameter right after, in the same order. */
typedef struct order_query {
    hl_buf where;
    hl_pg_params params;
    int marks;           /* the '?' written so far */
    bool touches_orders; /* a condition reads a column of orders (not only of order_units) */
    unsigned char phone_hash[HL_PHONE_HASH_BYTES];
} order_query;

static void query_init(order_query *query)
{
    hl_buf_init(&query->where);
    hl_pg_params_init(&query->params);
    query->marks = 0;
    query->touches_orders = false;
}

static void query_free(order_query *query)
{
    hl_buf_free(&query->where);
    hl_pg_params_free(&query->params);
}

static void condition(order_query *query, const char *text)
{
    hl_buf_append_str(&query->where, query->where.len > 0 ? " AND " : " WHERE ");
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor == '?')
            hl_buf_appendf(&query->where, "$%d", ++query->marks);
        else
            hl_buf_append_char(&query->where, *cursor);
    }
}

/* A condition on a column of orders. */
static void order_condition(order_query *query, const char *text)
{
    condition(query, text);
    query->touches_orders = true;
}

static bool filter_set(const char *text)
{
    return text != NULL && text[0] != '\0';
}

/* Appends "column IN ('name', ...)" for the values of mask (bit n: value
 * n). The names are constants of this build (lower-case words), written as
 * literals; a mask of no known value matches nothing, as it says. */
static void names_in(order_query *query, const char *column_in, unsigned mask, int count,
                     hl_pg_enum_namer namer)
{
    order_condition(query, column_in);
    int listed = 0;
    for (int value = 0; value < count; value++) {
        if ((mask & (1u << value)) == 0)
            continue;
        hl_buf_appendf(&query->where, "%s'%s'", listed++ > 0 ? ", " : "", namer(value));
    }
    hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
}

/* A unit code held in a comma-separated list of codes. strpos, not LIKE:
 * unit codes may hold '_', a LIKE wildcard. */
#define CO_UNIT_CONDITION "strpos(',' || co_units || ',', ',' || ?::text || ',') > 0"

/* The conditions of a plan's source and part. */
static void plan_where(order_query *query, const query_plan *plan)
{
    if (plan->unit_range) {
        condition(query, "u.unit = ?");
        hl_pg_param_text(&query->params, plan->unit);
        if (plan->lead >= 0)
            condition(query, plan->lead > 0 ? "u.lead = 1" : "u.lead = 0");
    }
    if (filter_set(plan->also_lead)) {
        order_condition(query, "lead_unit = ?");
        hl_pg_param_text(&query->params, plan->also_lead);
    }
    if (plan->part == PART_DEADLINE)
        order_condition(query, "due_at > 0");
    else if (plan->part == PART_NO_DEADLINE)
        order_condition(query, "due_at <= 0");
}

/* The filter's conditions on units, which a unit's range may already be. */
static void unit_where(order_query *query, const hl_order_filter *filter, const query_plan *plan)
{
    if (filter_set(filter->scope_unit) &&
        !(plan->unit_range && plan->unit == filter->scope_unit && plan->lead < 0)) {
        order_condition(query, "(lead_unit = ? OR " CO_UNIT_CONDITION ")");
        hl_pg_param_text(&query->params, filter->scope_unit);
        hl_pg_param_text(&query->params, filter->scope_unit);
    }
    if (filter_set(filter->unit) &&
        !(plan->unit_range && plan->unit == filter->unit && plan->lead > 0)) {
        order_condition(query, "lead_unit = ?");
        hl_pg_param_text(&query->params, filter->unit);
    }
    if (filter_set(filter->co_unit) &&
        !(plan->unit_range && plan->unit == filter->co_unit && plan->lead == 0)) {
        order_condition(query, CO_UNIT_CONDITION);
        hl_pg_param_text(&query->params, filter->co_unit);
    }
}

/* The conditions on time: in a unit's range the received time is part of
 * the key, a range of it. */
static void time_where(order_query *query, const hl_order_filter *filter, const query_plan *plan)
{
    if (filter->received_from != 0) {
        if (plan->unit_range)
            condition(query, "u.received >= ?");
        else
            order_condition(query, "received_at >= ?");
        hl_pg_param_int64(&query->params, filter->received_from);
    }
    if (filter->received_to != 0) {
        if (plan->unit_range)
            condition(query, "u.received < ?");
        else
            order_condition(query, "received_at < ?");
        hl_pg_param_int64(&query->params, filter->received_to);
    }
    if (filter->due_before != 0) {
        /* "due_at > 0" spelt out lets PostgreSQL use the partial index. */
        order_condition(query, "due_at > 0 AND due_at < ?");
        hl_pg_param_int64(&query->params, filter->due_before);
    }
    if (filter->due_from != 0) {
        order_condition(query, "due_at >= ?");
        hl_pg_param_int64(&query->params, filter->due_from);
    }
}

/* The condition of the orders awaiting a decision: literals, the very
 * conditions of the partial indexes (migration 11), so that the planner
 * reads the few orders that wait through them; a return is a state. */
static void pending_where(order_query *query, hl_pending pending)
{
    _Static_assert(HL_APPEAL_PENDING == 1, "the literal below is HL_APPEAL_PENDING");
    switch (pending) {
    case HL_PENDING_EXTENSION: order_condition(query, "extension_pending_days > 0"); break;
    case HL_PENDING_APPEAL: order_condition(query, "appeal_state = 1"); break;
    case HL_PENDING_RETURN:
        names_in(query, "state IN (", HL_STATE_BIT(HL_STATE_RETURN_PENDING), HL_STATE_COUNT,
                 hl_pg_state_name);
        break;
    case HL_PENDING_NONE:
    case HL_PENDING_COUNT:
        /* Not a value a filter holds: matches nothing, as a bad mask does. */
        order_condition(query, "false");
        break;
    }
}

/* Appends the WHERE clause of a filter (NULL: none) read through a plan. */
static void query_where(order_query *query, const hl_order_filter *filter, const query_plan *plan)
{
    plan_where(query, plan);
    if (filter == NULL)
        return;
    if (filter->state_mask != 0)
        names_in(query, "state IN (", filter->state_mask, HL_STATE_COUNT, hl_pg_state_name);
    unit_where(query, filter, plan);
    if (filter_set(filter->category)) {
        order_condition(query, "category = ?");
        hl_pg_param_text(&query->params, filter->category);
    }
    time_where(query, filter, plan);
    if (filter_set(filter->text)) {
        order_condition(query, "(strpos(title, ?::text) > 0 OR strpos(content, ?::text) > 0)");
        hl_pg_param_text(&query->params, filter->text);
        hl_pg_param_text(&query->params, filter->text);
    }
    if (filter->assessed_month != 0) {
        order_condition(query, "assessed_month = ?");
        hl_pg_param_int64(&query->params, filter->assessed_month);
    }
    if (filter_set(filter->phone)) {
        /* A range of phone_index's primary key; the orders it names are
         * then read by number. */
        order_condition(query, "id IN (SELECT order_id FROM phone_index WHERE phone_hash = ?)");
        hl_pg_param_bytes(&query->params, query->phone_hash, HL_PHONE_HASH_BYTES);
    }
    if (filter->before_id != 0) {
        /* A row comparison: received time first, then number (none when
         * the order does not exist: the comparison with NULL is never true). */
        order_condition(query, "(received_at, id) < (SELECT anchor.received_at, anchor.id "
                               "FROM orders AS anchor WHERE anchor.id = ?)");
        hl_pg_param_int64(&query->params, filter->before_id);
    }
    if (filter->appeal_upheld) {
        /* A literal, not a parameter, so that the partial index on upheld
         * appeals applies. */
        _Static_assert(HL_APPEAL_UPHELD == 2, "the literal below is HL_APPEAL_UPHELD");
        order_condition(query, "appeal_state = 2");
    }
    if (filter->pending != HL_PENDING_NONE)
        pending_where(query, filter->pending);
    if (filter->channel_mask != 0)
        names_in(query, "channel IN (", filter->channel_mask, HL_CHANNEL_COUNT, hl_pg_channel_name);
    if (filter->consented)
        order_condition(query, "publish_consent = 1");
    if (filter_set(filter->categories)) {
        /* One parameter for the whole list; codes hold no comma. */
        order_condition(query, "strpos(',' || ?::text || ',', ',' || category || ',') > 0");
        hl_pg_param_text(&query->params, filter->categories);
    }
    if (filter->after_id != 0) {
        order_condition(query, "id > ?");
        hl_pg_param_int64(&query->params, filter->after_id);
    }
}

static const char *query_from(const query_plan *plan, bool join)
{
    if (!plan->unit_range)
        return " FROM orders";
    return join ? " FROM order_units AS u JOIN orders ON orders.id = u.order_id"
                : " FROM order_units AS u";
}

/* How a page in received order (or one part of a deadline-sorted list) is
 * read: a named unit reads that unit's range of order_units, never the
 * whole table; a filter on the running deadline reads the orders (the
 * planner finds the few open ones through orders_by_due). */
static query_plan plan_page(const hl_order_filter *filter, query_part part)
{
    query_plan plan = {
        .unit_range = false, .unit = NULL, .lead = -1, .also_lead = NULL, .part = part};
    /* The orders that wait are few: read among them, whatever the unit. */
    if (filter == NULL || filter->due_before != 0 || filter->pending != HL_PENDING_NONE)
        return plan;
    if (filter_set(filter->scope_unit)) {
        plan.unit_range = true;
        plan.unit = filter->scope_unit;
    } else if (filter_set(filter->unit)) {
        plan.unit_range = true;
        plan.unit = filter->unit;
        plan.lead = 1;
    } else if (filter_set(filter->co_unit)) {
        plan.unit_range = true;
        plan.unit = filter->co_unit;
        plan.lead = 0;
    }
    return plan;
}

static const char *page_order(const query_plan *plan, bool descending)
{
    if (plan->unit_range)
        return descending ? " ORDER BY u.received DESC, u.order_id DESC"
                          : " ORDER BY u.received, u.order_id";
    return descending ? " ORDER BY received_at DESC, id DESC" : " ORDER BY received_at, id";
}

/* Starts the query of a filter read through a plan: the phone hashed, the
 * WHERE clause written, and sql begun with select, the plan's FROM (with
 * the orders when needs_orders or the WHERE clause reads them) and that
 * clause. On success the query and sql are the caller's to free; on
 * failure there is nothing to free. */
static int start_query(struct hl_pg_store *store, const hl_order_filter *filter,
                       const query_plan *plan, const char *select, bool needs_orders,
                       order_query *query, hl_buf *sql, hl_error *error)
{
    query_init(query);
    if (filter != NULL && filter_set(filter->phone)) {
        int result = hl_pg_hash_phone(store, filter->phone, query->phone_hash, error);
        if (result != HL_OK) {
            query_free(query);
            return result;
        }
    }
    query_where(query, filter, plan);
    HL_REQUIRE(query->marks == query->params.count);
    hl_buf_init(sql);
    hl_buf_append_str(sql, select);
    hl_buf_append_str(sql, query_from(plan, needs_orders || query->touches_orders));
    if (query->where.len > 0)
        hl_buf_append_str(sql, query->where.data);
    return HL_OK;
}

/* Counts the orders visited, and stops where the visitor says. */
typedef struct order_visit {
    hl_order_visitor visit;
    void *context;
    const hl_phone_codec *codec;
    hl_order *order; /* one scratch record for the whole query: orders are large */
    int64_t visited;
} order_visit;

static int visit_order_row(PGresult *result, int row, void *context, hl_error *error)
{
    order_visit *visitor = context;
    int status = hl_pg_read_order(result, row, visitor->codec, visitor->order, error);
    if (status != HL_OK)
        return status;
    visitor->visited++;
    return visitor->visit(visitor->context, visitor->order);
}

/* Runs one SELECT of whole orders: the plan's rows in the given ORDER BY,
 * with a limit (0: none) and an offset, streamed to the visitor. */
static int run_page(struct hl_pg_store *store, const hl_order_filter *filter,
                    const query_plan *plan, const char *order_by, int64_t limit, int64_t offset,
                    order_visit *visitor, hl_error *error)
{
    order_query query;
    hl_buf sql;
    int result =
        start_query(store, filter, plan, "SELECT " HL_PG_ORDER_COLUMNS, true, &query, &sql, error);
    if (result != HL_OK)
        return result;
    hl_buf_append_str(&sql, order_by);
    if (limit > 0)
        hl_buf_appendf(&sql, " LIMIT %" PRId64, limit);
    if (offset > 0)
        hl_buf_appendf(&sql, " OFFSET %" PRId64, offset);
    result = hl_pg_visit(store, sql.data, true, &query.params, "order_query", visit_order_row,
                         visitor, error);
    hl_buf_free(&sql);
    query_free(&query);
    return result;
}

/* Adds the counts by state of a result of (state, count) rows to counts. */
static int add_state_counts(const PGresult *rows, int64_t *counts, hl_error *error)
{
    for (int row = 0; row < PQntuples(rows); row++) {
        hl_pg_row reader = hl_pg_row_of(rows, row);
        hl_state state = (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
        int64_t orders = hl_pg_row_int64(&reader);
        int status = hl_pg_row_status(&reader, error);
        if (status != HL_OK)
            return status;
        counts[state] += orders;
    }
    return HL_OK;
}

/* Runs "SELECT count(*)" (or "SELECT state, count(*) ... GROUP BY state"
 * into by_state) over a plan's rows, adding to *total or by_state. */
static int run_count(struct hl_pg_store *store, const hl_order_filter *filter,
                     const query_plan *plan, int64_t *total, int64_t *by_state, hl_error *error)
{
    order_query query;
    hl_buf sql;
    /* A unit's range alone is counted in order_units, without the orders. */
    int result = start_query(store, filter, plan,
                             by_state != NULL ? "SELECT state, count(*)" : "SELECT count(*)",
                             by_state != NULL, &query, &sql, error);
    if (result != HL_OK)
        return result;
    if (by_state != NULL)
        hl_buf_append_str(&sql, " GROUP BY state");
    PGresult *rows = NULL;
    result = hl_pg_exec_dynamic(store, sql.data, &query.params, "order_count", &rows, error);
    if (result == HL_OK && by_state != NULL)
        result = add_state_counts(rows, by_state, error);
    else if (result == HL_OK && PQntuples(rows) > 0)
        *total += hl_pg_int64(rows, 0, 0);
    PQclear(rows);
    hl_buf_free(&sql);
    query_free(&query);
    return result;
}

/* The whole store's orders by state: the sum of the shards' rows. */
static int read_state_totals(struct hl_pg_store *store, int64_t counts[HL_STATE_COUNT],
                             const char *operation, hl_error *error)
{
    PGresult *rows = NULL;
    int result = hl_pg_exec(store,
                            "SELECT state, sum(orders)::bigint FROM order_state_counts "
                            "GROUP BY state",
                            NULL, operation, &rows, error);
    if (result == HL_OK)
        result = add_state_counts(rows, counts, error);
    PQclear(rows);
    return result;
}

static int count_from_totals(struct hl_pg_store *store, unsigned state_mask, int64_t *total,
                             int64_t *by_state, hl_error *error)
{
    int64_t counts[HL_STATE_COUNT] = {0};
    int result = read_state_totals(store, counts, "order_count", error);
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
 * leads and those it co-handles (its co-handling rows of order_units). A
 * named co-handling unit is its co-handling rows. */
static int count_part(struct hl_pg_store *store, const hl_order_filter *filter, query_part part,
                      int64_t *total, int64_t *by_state, hl_error *error)
{
    if (part == PART_ALL && hl_order_filter_is_states_only(filter))
        return count_from_totals(store, filter != NULL ? filter->state_mask : 0, total, by_state,
                                 error);
    query_plan plan = {
        .unit_range = false, .unit = NULL, .lead = -1, .also_lead = NULL, .part = part};
    bool by_due = filter != NULL && filter->due_before != 0;
    /* The orders that wait are few: counted through their index, a scope
     * or a unit a condition on each. */
    if (filter != NULL && filter->pending != HL_PENDING_NONE)
        return run_count(store, filter, &plan, total, by_state, error);
    if (filter != NULL && filter_set(filter->scope_unit)) {
        hl_order_filter rest = *filter;
        rest.scope_unit = NULL;
        plan.also_lead = filter->scope_unit;
        int result = run_count(store, &rest, &plan, total, by_state, error);
        if (result != HL_OK)
            return result;
        query_plan co = {.unit_range = true,
                         .unit = filter->scope_unit,
                         .lead = 0,
                         .also_lead = NULL,
                         .part = part};
        return run_count(store, &rest, &co, total, by_state, error);
    }
    if (filter != NULL && filter_set(filter->co_unit) && !by_due) {
        plan.unit_range = true;
        plan.unit = filter->co_unit;
        plan.lead = 0;
    }
    return run_count(store, filter, &plan, total, by_state, error);
}

static int pg_order_query(hl_store *base, const hl_order_filter *filter, hl_order_visitor visit,
                          void *context, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    order_visit visitor = {visit, context, &store->codec, hl_xmalloc(sizeof(hl_order)), 0};
    hl_order_sort sort = filter != NULL ? filter->sort : HL_ORDER_SORT_ID;
    int64_t limit = filter != NULL && filter->limit > 0 ? filter->limit : 0;
    int64_t offset = filter != NULL && filter->offset > 0 ? filter->offset : 0;
    int result = HL_OK;
    if (sort == HL_ORDER_SORT_ID) {
        /* By number: the command line's lists and the scans, which read
         * the next page with after_id (domain/query.h). */
        query_plan plan = {.unit_range = false, .lead = -1, .part = PART_ALL};
        result = run_page(store, filter, &plan, " ORDER BY id", limit, offset, &visitor, error);
    } else if (sort == HL_ORDER_SORT_RECEIVED || sort == HL_ORDER_SORT_RECEIVED_DESC) {
        query_plan plan = plan_page(filter, PART_ALL);
        result =
            run_page(store, filter, &plan, page_order(&plan, sort == HL_ORDER_SORT_RECEIVED_DESC),
                     limit, offset, &visitor, error);
    } else {
        /* By deadline: the running deadlines (the open orders: few), then
         * the rest newest first, as one list. */
        bool descending = sort == HL_ORDER_SORT_DEADLINE_DESC;
        query_plan deadlines = {.unit_range = false, .lead = -1, .part = PART_DEADLINE};
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
            query_plan rest = plan_page(filter, PART_NO_DEADLINE);
            if (result == HL_OK)
                result = run_page(store, filter, &rest, page_order(&rest, true),
                                  limit > 0 ? limit - first_part : 0, rest_offset, &visitor, error);
        }
    }
    free(visitor.order);
    return result;
}

/* Counts what order_query would visit without its limit and offset
 * (after_id still applies): the total behind a page of results. */
static int pg_order_count(hl_store *base, const hl_order_filter *filter, int64_t *out,
                          hl_error *error)
{
    *out = 0;
    return count_part(hl_pg_store_of(base), filter, PART_ALL, out, NULL, error);
}

static int pg_order_count_by_state(hl_store *base, const hl_order_filter *filter,
                                   int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    for (int state = 0; state < HL_STATE_COUNT; state++)
        counts[state] = 0;
    return count_part(hl_pg_store_of(base), filter, PART_ALL, NULL, counts, error);
}

typedef struct category_count_visit {
    hl_category_count_visitor visit;
    void *context;
} category_count_visit;

/* Hands a row of (category, count) to the visitor, unless the count is 0. */
static int visit_category_count_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    category_count_visit *visitor = context;
    int64_t count = hl_pg_int64(result, row, 1);
    if (count == 0)
        return 0;
    char code[HL_CODE_BYTES];
    hl_pg_text(result, row, 0, code, sizeof code);
    return visitor->visit(visitor->context, code, count);
}

/* One range count per category of the directory (and ""), in code order
 * by bytes, as SQLite orders text: a month's orders by category through
 * orders_by_category, without reading the orders. */
static int pg_order_count_by_category(hl_store *base, hl_time received_from, hl_time received_to,
                                      hl_category_count_visitor visit, void *context,
                                      hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, received_from);
    hl_pg_param_int64(&params, received_to);
    category_count_visit visitor = {visit, context};
    int result = hl_pg_visit(
        hl_pg_store_of(base),
        "SELECT codes.code, (SELECT count(*) FROM orders WHERE category = codes.code "
        "AND received_at >= $1 AND received_at < $2) AS orders "
        "FROM (SELECT ''::text AS code UNION ALL SELECT code FROM categories) AS codes "
        "ORDER BY codes.code COLLATE \"C\"",
        false, &params, "order_count_by_category", visit_category_count_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

/* Reads the counts the store keeps: a few rows per shard, whatever the
 * number of orders. */
static int pg_order_state_counts(hl_store *base, int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    for (int state = 0; state < HL_STATE_COUNT; state++)
        counts[state] = 0;
    return read_state_totals(hl_pg_store_of(base), counts, "order_state_counts", error);
}

void hl_pg_queries_ops(hl_store_ops *ops)
{
    ops->order_query = pg_order_query;
    ops->order_count = pg_order_count;
    ops->order_count_by_state = pg_order_count_by_state;
    ops->order_count_by_category = pg_order_count_by_category;
    ops->order_state_counts = pg_order_state_counts;
}
