/* store_fixture.h: what the tests of the store share (the
 * test_store_*.c files): a fresh store opened per test, on a real
 * file in a temporary directory or, in the PostgreSQL copies, a fresh
 * database (test_store_address), and records filled by hand. Included
 * once per test program, so that its helpers are static; a program uses
 * some. */
#ifndef HL_STORE_FIXTURE_H
#define HL_STORE_FIXTURE_H

#include "test_support.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

#define ORDER_BASE 20240215000000LL

/* Takes a PostgreSQL store's schema back from 6 to 5 (the hash chains,
 * pg_schema.c), for the tests that run older migrations again: the first
 * leaves the event log alone (for a test that replaces it), the second
 * undoes its columns and triggers too. */
/* Schemas 7 to 10 undone too: every test that goes back before 6 does.
 * Schema 10 (names and addresses sealed, as bytea) undone on a store whose
 * orders hold none. */
#define PG_UNDO_SEALED_TEXTS                                                                       \
    "ALTER TABLE orders ALTER COLUMN citizen_name TYPE text COLLATE \"C\""                         \
    " USING convert_from(citizen_name, 'UTF8'),"                                                   \
    " ALTER COLUMN address TYPE text COLLATE \"C\" USING convert_from(address, 'UTF8');"
#define PG_UNDO_ANCHORS                                                                            \
    PG_UNDO_SEALED_TEXTS "DROP TABLE chain_anchors; DROP INDEX personal_data_reads_by_chain;"
#define PG_UNDO_PASSWORD_AGE                                                                       \
    PG_UNDO_ANCHORS                                                                                \
    "DROP TABLE password_history; ALTER TABLE users DROP COLUMN password_changed_at;"
#define PG_UNDO_CHAINS_BUT_EVENTS                                                                  \
    "DROP TABLE published_bulletins;" PG_UNDO_PASSWORD_AGE                                         \
    "DROP TABLE chain_heads; DROP TABLE security_events;"                                          \
    "DROP TRIGGER personal_data_reads_append_only ON personal_data_reads;"                         \
    "DROP TRIGGER personal_data_reads_no_delete ON personal_data_reads;"                           \
    "ALTER TABLE personal_data_reads DROP COLUMN chain_seq, DROP COLUMN prev_hash,"                \
    " DROP COLUMN hash;"                                                                           \
    "CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE OR DELETE"                       \
    " ON personal_data_reads FOR EACH ROW EXECUTE FUNCTION hotline_append_only('append-only');"
#define PG_UNDO_CHAINS                                                                             \
    PG_UNDO_CHAINS_BUT_EVENTS                                                                      \
    "DROP TRIGGER events_no_delete ON events; DROP TRIGGER events_append_only ON events;"          \
    "ALTER TABLE events DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN hash;"           \
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW"             \
    " EXECUTE FUNCTION hotline_append_only('events are append-only');"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_store *store;
} fixture;

/* Orders and events are large (texts of 4000 characters); tests keep them
 * in static storage rather than on the stack. */
static hl_order scratch_order __attribute__((unused)), scratch_read __attribute__((unused));
static hl_event scratch_event __attribute__((unused));

static inline int setup(void **state)
{
    fixture *context = calloc(1, sizeof *context);
    assert_non_null(context);
    test_make_temp_dir(context->directory, sizeof context->directory);
    test_store_address(context->path, sizeof context->path, context->directory);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
    *state = context;
    return 0;
}

static inline int teardown(void **state)
{
    fixture *context = *state;
    if (context->store != NULL)
        hl_store_close(context->store);
    test_remove_tree(context->directory);
    free(context);
    return 0;
}

static inline void reopen(fixture *context)
{
    hl_error error;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
}

/* SQL through a separate connection of its own, on either backend
 * (test_sql_*): raw_exec returns 0 (SQLITE_OK) when the statement ran,
 * else nonzero. */
static inline int raw_exec(const char *path, const char *sql)
{
    return test_sql_exec(path, sql);
}

/* The first column of the first row of a query, as an integer. */
static inline int64_t raw_integer(const char *path, const char *sql)
{
    return test_sql_integer(path, sql);
}

/* The first column of the first row of a query, as text, into out. */
static inline void raw_text(const char *path, const char *sql, char *out, size_t size)
{
    test_sql_text(path, sql, out, size);
}

/* Ends a test that holds only on SQLite (a file, its journal, its own
 * SQL) as skipped when it runs on PostgreSQL. */
static inline void sqlite_only(void)
{
    if (test_store_is_postgres())
        skip();
}

static inline hl_order *make_order(int64_t sequence, hl_state state, const char *lead_unit)
{
    hl_order *order = &scratch_order;
    memset(order, 0, sizeof *order);
    order->id = ORDER_BASE + sequence;
    order->version = 1;
    order->state = state;
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_COMPLAINT;
    order->received_at = 1707962400 + sequence * 60;
    snprintf(order->citizen_name, sizeof order->citizen_name, "张三");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "13800000000");
    snprintf(order->title, sizeof order->title, "工单 %lld", (long long)sequence);
    snprintf(order->content, sizeof order->content, "内容 %lld", (long long)sequence);
    snprintf(order->category, sizeof order->category, "noise");
    snprintf(order->registered_by, sizeof order->registered_by, "agent1");
    snprintf(order->lead_unit, sizeof order->lead_unit, "%s", lead_unit);
    return order;
}

static inline void insert(hl_store *store, const hl_order *order)
{
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(store, order, &error), HL_OK);
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static inline hl_event *make_event(int64_t sequence, int64_t seq, hl_action action)
{
    hl_event *event = &scratch_event;
    memset(event, 0, sizeof *event);
    event->order_id = ORDER_BASE + sequence;
    event->seq = seq;
    event->at = 1707962400 + seq;
    event->action = action;
    event->from_state = seq == 1 ? HL_STATE_NONE : HL_STATE_NEW;
    event->to_state = seq == 1 ? HL_STATE_NEW : HL_STATE_DISPATCHED;
    snprintf(event->actor, sizeof event->actor, "agent1");
    snprintf(event->note, sizeof event->note, "第 %lld 步", (long long)seq);
    snprintf(event->details, sizeof event->details, "{\"seq\":%lld}", (long long)seq);
    return event;
}

static inline void append(hl_store *store, const hl_event *event)
{
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    assert_int_equal(hl_store_event_append(store, event, &error), HL_OK);
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

/* Collected ids of orders or events, in visiting order. */
typedef struct id_list {
    int64_t ids[64];
    int64_t seqs[64];
    int count;
    int stop_after; /* 0: never stop */
} id_list;

static inline int collect_order(void *context, const hl_order *order)
{
    id_list *list = context;
    if (list->count < 64)
        list->ids[list->count] = order->id - ORDER_BASE;
    list->count++;
    return list->stop_after > 0 && list->count >= list->stop_after ? 42 : 0;
}

static inline int collect_event(void *context, const hl_event *event)
{
    id_list *list = context;
    if (list->count < 64) {
        list->ids[list->count] = event->order_id - ORDER_BASE;
        list->seqs[list->count] = event->seq;
    }
    list->count++;
    return list->stop_after > 0 && list->count >= list->stop_after ? 7 : 0;
}

/* Runs a query and returns the order sequences it visits (ids - ORDER_BASE). */
static inline id_list query(hl_store *store, const hl_order_filter *filter)
{
    id_list list = {.count = 0};
    hl_error error;
    assert_int_equal(hl_store_order_query(store, filter, collect_order, &list, &error), HL_OK);
    return list;
}

static inline void assert_ids(const id_list *list, const int64_t *expected, int count)
{
    assert_int_equal(list->count, count);
    for (int index = 0; index < count; index++)
        assert_int_equal(list->ids[index], expected[index]);
}

/* Five orders for the filter tests:
 *  1 water   new          category noise   co ""            due 0
 *  2 water   dispatched   category noise   co "power,gas"   due 5000
 *  3 power   handling     category road    co "water_x"     due 3000
 *  4 gas     completed    category road    co "water"       due 0
 *  5 water   signed       category noise   co "gas"         due 1000 */
static inline void insert_filter_orders(hl_store *store)
{
    struct {
        hl_state state;
        const char *unit;
        const char *category;
        const char *co_units;
        hl_time due_at;
        const char *title;
        const char *content;
    } rows[] = {
        {HL_STATE_NEW, "water", "noise", "", 0, "夜间施工噪音", "工地凌晨施工"},
        {HL_STATE_DISPATCHED, "water", "noise", "power,gas", 5000, "停水", "小区停水三天"},
        {HL_STATE_HANDLING, "power", "road", "water_x", 3000, "路灯不亮", "路灯坏了"},
        {HL_STATE_COMPLETED, "gas", "road", "water", 0, "燃气表", "燃气表读数异常，停水"},
        {HL_STATE_SIGNED, "water", "noise", "gas", 1000, "噪音扰民", "广场舞"},
    };
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    for (int index = 0; index < 5; index++) {
        hl_order *order = make_order(index + 1, rows[index].state, rows[index].unit);
        snprintf(order->category, sizeof order->category, "%s", rows[index].category);
        snprintf(order->co_units, sizeof order->co_units, "%s", rows[index].co_units);
        snprintf(order->title, sizeof order->title, "%s", rows[index].title);
        snprintf(order->content, sizeof order->content, "%s", rows[index].content);
        order->due_at = rows[index].due_at;
        order->received_at = 1000 * (index + 1);
        assert_int_equal(hl_store_order_insert(store, order, &error), HL_OK);
    }
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static inline void assert_state_counts_are_real(fixture *context)
{
    hl_error error;
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NONE], 0);
    for (int state = HL_STATE_NONE + 1; state < HL_STATE_COUNT; state++) {
        hl_order_filter filter = {.state_mask = HL_STATE_BIT(state)};
        int64_t real = -1;
        assert_int_equal(hl_store_order_count(context->store, &filter, &real, &error), HL_OK);
        assert_int_equal(counts[state], real);
    }
}

#endif
