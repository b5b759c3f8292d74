/* sqlite_events.c: the append-only log of events in SQLite: append, an
 * order's events, the full scan, one event, and events across orders by
 * time with their count. No event is ever changed or deleted (the schema's
 * triggers refuse it); each append extends the events' hash chain
 * (sqlite_chain.c). */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

static int sqlite_event_append(hl_store *base, const hl_event *event, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    const char *action =
        hl_sqlite_encode_enum((int)event->action, hl_sqlite_action_name, HL_ACTION_COUNT);
    if (action == NULL)
        return hl_sqlite_bad_enum("action", (int)event->action, error);
    const char *from_state =
        hl_sqlite_encode_enum((int)event->from_state, hl_sqlite_state_name, HL_STATE_COUNT);
    if (from_state == NULL)
        return hl_sqlite_bad_enum("from_state", (int)event->from_state, error);
    const char *to_state =
        hl_sqlite_encode_enum((int)event->to_state, hl_sqlite_state_name, HL_STATE_COUNT);
    if (to_state == NULL)
        return hl_sqlite_bad_enum("to_state", (int)event->to_state, error);

    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_EVENT_APPEND]);
    hl_sqlite_bind_int64(&binding, event->order_id);
    hl_sqlite_bind_int64(&binding, event->seq);
    hl_sqlite_bind_int64(&binding, event->at);
    BIND_FIELD(&binding, event->actor);
    hl_sqlite_bind_string(&binding, action);
    hl_sqlite_bind_string(&binding, from_state);
    hl_sqlite_bind_string(&binding, to_state);
    BIND_FIELD(&binding, event->unit);
    BIND_FIELD(&binding, event->other_unit);
    hl_sqlite_bind_int64(&binding, event->deadline);
    BIND_FIELD(&binding, event->note);
    BIND_FIELD(&binding, event->details);
    hl_sqlite_bind_int64(&binding, event->period);
    hl_sqlite_bind_int64(&binding, event->outcome);
    hl_sqlite_bind_int64(&binding, event->rating);
    hl_sqlite_bind_int64(&binding, event->resolved);
    hl_sqlite_bind_int64(&binding, event->flags);
    hl_chain_link link;
    int result = hl_sqlite_chain_next(store, HL_CHAIN_EVENTS, &link, error);
    if (result != HL_OK)
        return result;
    hl_chain_link_event(event, &link);
    hl_sqlite_bind_int64(&binding, link.seq);
    hl_sqlite_bind_string(&binding, link.prev);
    hl_sqlite_bind_string(&binding, link.hash);
    result = hl_sqlite_insert(store, &binding, "event_append", error);
    if (result == HL_OK)
        hl_sqlite_chain_taken(store, HL_CHAIN_EVENTS, &link);
    if (result == HL_ECONFLICT) {
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

/* Reads a row selected as EVENT_COLUMNS into the hl_event *context. */
int hl_sqlite_read_event(sqlite3_stmt *statement, void *context, hl_error *error)
{
    hl_event *event = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    event->order_id = hl_sqlite_read_int64(&row);
    event->seq = hl_sqlite_read_int64(&row);
    event->at = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, event->actor);
    event->action = (hl_action)hl_sqlite_read_enum(&row, hl_sqlite_action_name, HL_ACTION_COUNT);
    event->from_state = (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    event->to_state = (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    READ_FIELD(&row, event->unit);
    READ_FIELD(&row, event->other_unit);
    event->deadline = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, event->note);
    READ_FIELD(&row, event->details);
    event->period = hl_sqlite_read_int(&row);
    event->outcome = (hl_survey_outcome)hl_sqlite_read_small(&row, HL_OUTCOME_COUNT);
    event->rating = (hl_rating)hl_sqlite_read_small(&row, HL_RATING_COUNT);
    event->resolved = (hl_resolved)hl_sqlite_read_small(&row, HL_RESOLVED_NO + 1);
    event->flags = (unsigned)hl_sqlite_read_int(&row);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(event, hl_event, hl_sqlite_read_event)

static int sqlite_event_list(hl_store *base, int64_t order_id, hl_event_visitor visit,
                             void *context, hl_error *error)
{
    hl_sqlite_parameter key = {.number = order_id};
    event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
    int result = hl_sqlite_visit(hl_sqlite_store_of(base), STMT_EVENT_LIST, &key, 1, "event_list",
                                 visit_event_row, &visitor, error);
    free(visitor.record);
    return result;
}

static int sqlite_event_scan(hl_store *base, hl_event_visitor visit, void *context, hl_error *error)
{
    event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
    int result = hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_EVENT_SCAN, "event_scan",
                                     visit_event_row, &visitor, error);
    free(visitor.record);
    return result;
}

static int sqlite_event_get(hl_store *base, int64_t order_id, int64_t seq, hl_event *out,
                            hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_EVENT_GET]);
    hl_sqlite_bind_int64(&binding, order_id);
    hl_sqlite_bind_int64(&binding, seq);
    int result = hl_sqlite_get(store, &binding, "event_get", hl_sqlite_read_event, out, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_order_error(HL_ENOTFOUND, "没有这条记录", "has no such event", order_id,
                                     error);
    return result;
}

/* Appends the condition "column IN (" with the names of the values set in
 * mask (bit n: value n). The names are constants of this build, written
 * as literals, not parameters; a mask of no known value matches nothing. */
static void names_in(hl_sqlite_query *query, const char *column_in, unsigned mask, int count,
                     hl_sqlite_enum_namer namer)
{
    hl_sqlite_query_condition(query, column_in);
    int listed = 0;
    for (int value = 0; value < count; value++) {
        if ((mask & (1u << value)) == 0)
            continue;
        hl_buf_appendf(&query->where, "%s'%s'", listed++ > 0 ? ", " : "", namer(value));
    }
    hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
}

/* The FROM (into sql) and the WHERE (into query->where) of an event
 * query; the channels need the orders. */
static void event_where(hl_sqlite_query *query, hl_buf *sql, const hl_event_filter *filter)
{
    hl_buf_append_str(sql, filter->channel_mask != 0 || filter->consented
                               ? " FROM events JOIN orders ON orders.id = events.order_id"
                               : " FROM events");
    hl_sqlite_query_condition(query, "events.at >= ?");
    hl_sqlite_query_number(query, filter->at_from);
    if (filter->at_to != 0) {
        hl_sqlite_query_condition(query, "events.at < ?");
        hl_sqlite_query_number(query, filter->at_to);
    }
    if (filter->channel_mask != 0)
        names_in(query, "orders.channel IN (", filter->channel_mask, HL_CHANNEL_COUNT,
                 hl_sqlite_channel_name);
    if (filter->consented)
        hl_sqlite_query_condition(query, "orders.publish_consent = 1");
    if (filter->action_mask != 0)
        names_in(query, "events.action IN (", filter->action_mask, HL_ACTION_COUNT,
                 hl_sqlite_action_name);
}

static int sqlite_event_query(hl_store *base, const hl_event_filter *filter, hl_event_visitor visit,
                              void *context, hl_error *error)
{
    hl_sqlite_query query;
    hl_sqlite_query_init(&query);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(
        &sql, "SELECT events.order_id, events.seq, events.at, events.actor, events.action, "
              "events.from_state, events.to_state, events.unit, events.other_unit, "
              "events.deadline, events.note, events.details, events.period, events.outcome, "
              "events.rating, events.resolved, events.flags");
    event_where(&query, &sql, filter);
    hl_buf_append(&sql, query.where.data, query.where.len);
    hl_buf_append_str(&sql, " ORDER BY events.at, events.order_id, events.seq LIMIT ? OFFSET ?");
    hl_sqlite_query_number(&query, filter->limit > 0 ? filter->limit : -1);
    hl_sqlite_query_number(&query, filter->offset > 0 ? filter->offset : 0);
    event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
    int result = hl_sqlite_visit_sql(hl_sqlite_store_of(base), sql.data, query.parameters,
                                     query.count, "event_query", visit_event_row, &visitor, error);
    free(visitor.record);
    hl_buf_free(&sql);
    hl_sqlite_query_free(&query);
    return result;
}

static int sqlite_event_count(hl_store *base, const hl_event_filter *filter, int64_t *out,
                              hl_error *error)
{
    hl_sqlite_query query;
    hl_sqlite_query_init(&query);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT count(*)");
    event_where(&query, &sql, filter);
    hl_buf_append(&sql, query.where.data, query.where.len);
    int result = hl_sqlite_select_number(hl_sqlite_store_of(base), sql.data, query.parameters,
                                         query.count, "event_count", out, error);
    hl_buf_free(&sql);
    hl_sqlite_query_free(&query);
    return result;
}

void hl_sqlite_events_ops(hl_store_ops *ops)
{
    ops->event_append = sqlite_event_append;
    ops->event_list = sqlite_event_list;
    ops->event_scan = sqlite_event_scan;
    ops->event_get = sqlite_event_get;
    ops->event_query = sqlite_event_query;
    ops->event_count = sqlite_event_count;
}
