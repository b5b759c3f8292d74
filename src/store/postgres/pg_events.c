/* pg_events.c: the append-only log of events in PostgreSQL: append, an
 * order's events, the full scan (streamed: a log of ten million events is
 * never held in memory), one event, and events across orders by time with
 * their count. No event is ever changed or deleted: the schema's trigger
 * refuses it (pg_schema.c), and nothing here tries. Each append extends
 * the events' hash chain (pg_chain.c). */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

#define EVENT_COLUMNS                                                                              \
    "events.order_id, events.seq, events.at, events.actor, events.action, events.from_state, "     \
    "events.to_state, events.unit, events.other_unit, events.deadline, events.note, "              \
    "events.details, events.period, events.outcome, events.rating, events.resolved, events.flags"

/* An existing (order, seq) answers HL_ECONFLICT and leaves the transaction
 * usable, as a failed statement does in SQLite. The log is partitioned by
 * the event's time (pg_schema.c, migration 3), so no unique index can hold
 * (order, seq) alone: the NOT EXISTS looks in every month's index for it.
 * Two writers of one order cannot both pass it unseen, because each also
 * writes the order under its version (pg_orders.c), and the second waits
 * for the first and then fails. ON CONFLICT DO NOTHING still catches the
 * same (order, seq, at) from a writer that has not written the order. */
static int pg_event_append(hl_store *base, const hl_event *event, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    const char *action = hl_pg_encode_enum((int)event->action, hl_pg_action_name, HL_ACTION_COUNT);
    if (action == NULL)
        return hl_pg_bad_enum("action", (int)event->action, error);
    const char *from_state =
        hl_pg_encode_enum((int)event->from_state, hl_pg_state_name, HL_STATE_COUNT);
    if (from_state == NULL)
        return hl_pg_bad_enum("from_state", (int)event->from_state, error);
    const char *to_state =
        hl_pg_encode_enum((int)event->to_state, hl_pg_state_name, HL_STATE_COUNT);
    if (to_state == NULL)
        return hl_pg_bad_enum("to_state", (int)event->to_state, error);

    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, event->order_id);
    hl_pg_param_int64(&params, event->seq);
    hl_pg_param_int64(&params, event->at);
    HL_PG_PARAM_FIELD(&params, event->actor);
    hl_pg_param_text(&params, action);
    hl_pg_param_text(&params, from_state);
    hl_pg_param_text(&params, to_state);
    HL_PG_PARAM_FIELD(&params, event->unit);
    HL_PG_PARAM_FIELD(&params, event->other_unit);
    hl_pg_param_int64(&params, event->deadline);
    HL_PG_PARAM_FIELD(&params, event->note);
    HL_PG_PARAM_FIELD(&params, event->details);
    hl_pg_param_int64(&params, event->period);
    hl_pg_param_int64(&params, event->outcome);
    hl_pg_param_int64(&params, event->rating);
    hl_pg_param_int64(&params, event->resolved);
    hl_pg_param_int64(&params, (int64_t)event->flags);
    hl_chain_link link;
    int result = hl_pg_chain_next(store, HL_CHAIN_EVENTS, &link, error);
    if (result != HL_OK) {
        hl_pg_params_free(&params);
        return result;
    }
    hl_chain_link_event(event, &link);
    hl_pg_param_int64(&params, link.seq);
    hl_pg_param_text(&params, link.prev);
    hl_pg_param_text(&params, link.hash);
    int64_t inserted = 0;
    /* An event of an order inserted through COPY goes there too (bulk
     * mode): no stored event can name a number just claimed, and the
     * claims of its events tell a repeated seq at once, as DO NOTHING
     * does. An event of any other order is an INSERT, which sends the
     * waiting rows first. */
    if (store->copy_in && hl_pg_copyin_claimed_order(store, event->order_id)) {
        if (hl_pg_copyin_claim_event(store, event->order_id, event->seq)) {
            inserted = 1;
            result = hl_pg_copyin_add(store, HL_PG_COPYIN_EVENTS, &params, error);
        }
    } else {
        result = hl_pg_write(store,
                             "INSERT INTO events(" HL_PG_EVENT_INSERT_COLUMNS ") SELECT "
                             "$1::bigint, $2::bigint, $3::bigint, $4::text, $5::text, $6::text, "
                             "$7::text, $8::text, $9::text, $10::bigint, $11::text, $12::text, "
                             "$13::integer, $14::integer, $15::integer, $16::integer, "
                             "$17::integer, $18::bigint, $19::text, $20::text WHERE NOT EXISTS "
                             "(SELECT 1 FROM events WHERE "
                             "order_id = $1::bigint AND seq = $2::bigint) ON CONFLICT DO NOTHING",
                             &params, "event_append", &inserted, error);
    }
    hl_pg_params_free(&params);
    if (result == HL_OK && inserted > 0)
        hl_pg_chain_taken(store, HL_CHAIN_EVENTS, &link);
    if (result == HL_OK && inserted == 0) {
        char number[24];
        hl_order_format_number(event->order_id, number, sizeof number);
        /* The two texts name the order and the event in their own order. */
        return hl_error_set(error, HL_ECONFLICT, NULL,
                            HL_T("工单 %1$s 的第 %2$" PRId64 " 条记录已存在",
                                 "event %2$" PRId64 " of order %1$s already exists"),
                            number, event->seq);
    }
    return result;
}

/* Reads a row selected as EVENT_COLUMNS. */
int hl_pg_read_event(const PGresult *result, int row, hl_event *event, hl_error *error)
{
    hl_pg_row reader = hl_pg_row_of(result, row);
    event->order_id = hl_pg_row_int64(&reader);
    event->seq = hl_pg_row_int64(&reader);
    event->at = hl_pg_row_int64(&reader);
    HL_PG_ROW_FIELD(&reader, event->actor);
    event->action = (hl_action)hl_pg_row_enum(&reader, hl_pg_action_name, HL_ACTION_COUNT);
    event->from_state = (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
    event->to_state = (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
    HL_PG_ROW_FIELD(&reader, event->unit);
    HL_PG_ROW_FIELD(&reader, event->other_unit);
    event->deadline = hl_pg_row_int64(&reader);
    HL_PG_ROW_FIELD(&reader, event->note);
    HL_PG_ROW_FIELD(&reader, event->details);
    event->period = hl_pg_row_int(&reader);
    event->outcome = (hl_survey_outcome)hl_pg_row_small(&reader, HL_OUTCOME_COUNT);
    event->rating = (hl_rating)hl_pg_row_small(&reader, HL_RATING_COUNT);
    event->resolved = (hl_resolved)hl_pg_row_small(&reader, HL_RESOLVED_NO + 1);
    event->flags = (unsigned)hl_pg_row_int64(&reader);
    return hl_pg_row_status(&reader, error);
}

/* A caller's visitor, with one scratch event (events are large: from the
 * heap) that every row is read into. */
typedef struct event_visit {
    hl_event_visitor visit;
    void *context;
    hl_event *event;
} event_visit;

static int visit_event_row(PGresult *result, int row, void *context, hl_error *error)
{
    event_visit *visitor = context;
    int status = hl_pg_read_event(result, row, visitor->event, error);
    return status != HL_OK ? status : visitor->visit(visitor->context, visitor->event);
}

/* Streams the rows of sql (static text unless dynamic) to visit. */
static int visit_events(struct hl_pg_store *store, const char *sql, bool dynamic,
                        const hl_pg_params *params, const char *operation, hl_event_visitor visit,
                        void *context, hl_error *error)
{
    event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
    int result =
        hl_pg_visit(store, sql, dynamic, params, operation, visit_event_row, &visitor, error);
    free(visitor.event);
    return result;
}

static int pg_event_list(hl_store *base, int64_t order_id, hl_event_visitor visit, void *context,
                         hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, order_id);
    int result = visit_events(hl_pg_store_of(base),
                              "SELECT " EVENT_COLUMNS " FROM events WHERE order_id = $1 "
                              "ORDER BY seq",
                              false, &params, "event_list", visit, context, error);
    hl_pg_params_free(&params);
    return result;
}

/* The whole log in (order, seq) order, streamed by hl_pg_visit: verify and
 * the copy between stores read ten million events this way. */
static int pg_event_scan(hl_store *base, hl_event_visitor visit, void *context, hl_error *error)
{
    return visit_events(hl_pg_store_of(base),
                        "SELECT " EVENT_COLUMNS " FROM events ORDER BY order_id, seq", false, NULL,
                        "event_scan", visit, context, error);
}

static int pg_event_get(hl_store *base, int64_t order_id, int64_t seq, hl_event *out,
                        hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, order_id);
    hl_pg_param_int64(&params, seq);
    PGresult *rows = NULL;
    int result =
        hl_pg_exec(store, "SELECT " EVENT_COLUMNS " FROM events WHERE order_id = $1 AND seq = $2",
                   &params, "event_get", &rows, error);
    hl_pg_params_free(&params);
    if (result == HL_OK && PQntuples(rows) == 0)
        result =
            hl_pg_order_error(HL_ENOTFOUND, "没有这条记录", "has no such event", order_id, error);
    else if (result == HL_OK)
        result = hl_pg_read_event(rows, 0, out, error);
    PQclear(rows);
    return result;
}

/* Appends " AND column IN (" with the names of the values set in mask (bit
 * n: value n) and ")". The names are constants of this build (lower-case
 * words), written as literals, not parameters; a mask of no known value
 * matches nothing. */
static void names_in(hl_buf *sql, const char *column_in, unsigned mask, int count,
                     hl_pg_enum_namer namer)
{
    hl_buf_append_str(sql, " AND ");
    hl_buf_append_str(sql, column_in);
    int listed = 0;
    for (int value = 0; value < count; value++) {
        if ((mask & (1u << value)) == 0)
            continue;
        hl_buf_appendf(sql, "%s'%s'", listed++ > 0 ? ", " : "", namer(value));
    }
    hl_buf_append_str(sql, listed > 0 ? ")" : "NULL)");
}

/* The FROM and WHERE of an event query into sql, its parameters into
 * params; the channels need the orders. */
static void event_where(hl_buf *sql, hl_pg_params *params, const hl_event_filter *filter)
{
    hl_buf_append_str(sql, filter->channel_mask != 0 || filter->consented
                               ? " FROM events JOIN orders ON orders.id = events.order_id"
                               : " FROM events");
    hl_buf_append_str(sql, " WHERE events.at >= $1");
    hl_pg_param_int64(params, filter->at_from);
    if (filter->at_to != 0) {
        hl_buf_append_str(sql, " AND events.at < $2");
        hl_pg_param_int64(params, filter->at_to);
    }
    if (filter->channel_mask != 0)
        names_in(sql, "orders.channel IN (", filter->channel_mask, HL_CHANNEL_COUNT,
                 hl_pg_channel_name);
    if (filter->consented)
        hl_buf_append_str(sql, " AND orders.publish_consent = 1");
    if (filter->action_mask != 0)
        names_in(sql, "events.action IN (", filter->action_mask, HL_ACTION_COUNT,
                 hl_pg_action_name);
}

static int pg_event_query(hl_store *base, const hl_event_filter *filter, hl_event_visitor visit,
                          void *context, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT " EVENT_COLUMNS);
    event_where(&sql, &params, filter);
    hl_buf_append_str(&sql, " ORDER BY events.at, events.order_id, events.seq");
    if (filter->limit > 0)
        hl_buf_appendf(&sql, " LIMIT %d", filter->limit);
    if (filter->offset > 0)
        hl_buf_appendf(&sql, " OFFSET %" PRId64, filter->offset);
    int result = visit_events(hl_pg_store_of(base), sql.data, true, &params, "event_query", visit,
                              context, error);
    hl_buf_free(&sql);
    hl_pg_params_free(&params);
    return result;
}

static int pg_event_count(hl_store *base, const hl_event_filter *filter, int64_t *out,
                          hl_error *error)
{
    *out = 0;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT count(*)");
    event_where(&sql, &params, filter);
    PGresult *rows = NULL;
    int result =
        hl_pg_exec_dynamic(hl_pg_store_of(base), sql.data, &params, "event_count", &rows, error);
    if (result == HL_OK && PQntuples(rows) > 0)
        *out = hl_pg_int64(rows, 0, 0);
    PQclear(rows);
    hl_buf_free(&sql);
    hl_pg_params_free(&params);
    return result;
}

void hl_pg_events_ops(hl_store_ops *ops)
{
    ops->event_append = pg_event_append;
    ops->event_list = pg_event_list;
    ops->event_scan = pg_event_scan;
    ops->event_get = pg_event_get;
    ops->event_query = pg_event_query;
    ops->event_count = pg_event_count;
}
