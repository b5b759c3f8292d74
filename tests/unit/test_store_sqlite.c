/* test_store_sqlite.c: the SQLite store on real files in a temporary
 * directory: schema and migrations, round trips of every record, conflicts,
 * the append-only log, transactions, each member of the order filter, the
 * API's lists (scope, sorts, offset paging, counts, their query plans).
 * Records are filled by hand; the workflow is not involved. */
#include "test_support.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

#define ORDER_BASE 20240215000000LL

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_store *store;
} fixture;

/* Orders and events are large (texts of 4000 characters); tests keep them
 * in static storage rather than on the stack. */
static hl_order scratch_order, scratch_read;
static hl_event scratch_event;

static int setup(void **state)
{
    fixture *context = calloc(1, sizeof *context);
    assert_non_null(context);
    test_make_temp_dir(context->directory, sizeof context->directory);
    test_path(context->path, sizeof context->path, context->directory, "hotline.db");
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
    *state = context;
    return 0;
}

static int teardown(void **state)
{
    fixture *context = *state;
    if (context->store != NULL)
        hl_store_close(context->store);
    test_remove_tree(context->directory);
    free(context);
    return 0;
}

static void reopen(fixture *context)
{
    hl_error error;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
}

/* Runs SQL through a separate raw connection; returns SQLite's code. */
static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* The first column of the first row of a query, as an integer. */
static int64_t raw_integer(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &statement, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    int64_t value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
}

/* The first column of the first row of a query, as text, into out. */
static void raw_text(const char *path, const char *sql, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &statement, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    const unsigned char *text = sqlite3_column_text(statement, 0);
    snprintf(out, size, "%s", text != NULL ? (const char *)text : "");
    sqlite3_finalize(statement);
    sqlite3_close(db);
}

static hl_order *make_order(int64_t sequence, hl_state state, const char *lead_unit)
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

static void insert(hl_store *store, const hl_order *order)
{
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(store, order, &error), HL_OK);
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static hl_event *make_event(int64_t sequence, int64_t seq, hl_action action)
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

static void append(hl_store *store, const hl_event *event)
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

static int collect_order(void *context, const hl_order *order)
{
    id_list *list = context;
    if (list->count < 64)
        list->ids[list->count] = order->id - ORDER_BASE;
    list->count++;
    return list->stop_after > 0 && list->count >= list->stop_after ? 42 : 0;
}

static int collect_event(void *context, const hl_event *event)
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
static id_list query(hl_store *store, const hl_order_filter *filter)
{
    id_list list = {.count = 0};
    hl_error error;
    assert_int_equal(hl_store_order_query(store, filter, collect_order, &list, &error), HL_OK);
    return list;
}

static void assert_ids(const id_list *list, const int64_t *expected, int count)
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
static void insert_filter_orders(hl_store *store)
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

/* ------------------------------------------------------------------------ */

static void test_creates_schema_at_current_version(void **state)
{
    fixture *context = *state;
    assert_true(hl_store_schema_version() >= 1);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"),
        hl_store_schema_version());
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                 "name IN ('config', 'units', 'categories', 'users', 'calendar', "
                                 "'orders', 'events', 'rollups')"),
                     8);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM sqlite_master WHERE "
                                                "type = 'trigger' AND tbl_name = 'events'"),
                     2);
    char mode[16];
    raw_text(context->path, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
}

static void test_reopen_keeps_data(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    reopen(context);
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.lead_unit, "water");
    id_list list = {.count = 0};
    assert_int_equal(
        hl_store_event_list(context->store, ORDER_BASE + 1, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 1);
}

static void test_refuses_newer_schema_version(void **state)
{
    fixture *context = *state;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(
        raw_exec(context->path, "UPDATE meta SET value = '999' WHERE key = 'schema_version'"),
        SQLITE_OK);
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(context->path, &store, &error), HL_EIO);
    assert_null(store);
    assert_non_null(strstr(error.message, "999"));
}

static void test_refuses_non_database_file(void **state)
{
    fixture *context = *state;
    char path[512];
    test_path(path, sizeof path, context->directory, "notes.txt");
    test_write_file(path, "这不是数据库 — this is not an SQLite database, just a long enough "
                          "text file to hold a whole header and then some more bytes.\n");
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(path, &store, &error), HL_EIO);
    assert_null(store);
    assert_non_null(strstr(error.message, path));
}

static void test_refuses_another_programs_database(void **state)
{
    fixture *context = *state;
    char path[512];
    test_path(path, sizeof path, context->directory, "other.db");
    assert_int_equal(raw_exec(path, "CREATE TABLE photos(id INTEGER PRIMARY KEY)"), SQLITE_OK);
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(path, &store, &error), HL_EIO);
    assert_null(store);
    /* Left as it was: no hotline table was added. */
    assert_int_equal(raw_integer(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"),
                     1);
}

static void test_refuses_directory(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(context->directory, &store, &error), HL_EIO);
    assert_null(store);
    assert_true(error.message[0] != '\0');
}

static void test_order_round_trip_of_every_field(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(7, HL_STATE_RETURN_PENDING, "water-bureau");
    order->version = 9;
    order->state_before_return = HL_STATE_SIGNED;
    order->channel = HL_CHANNEL_WECHAT;
    order->type = HL_TYPE_SUGGESTION;
    order->received_at = 1707962461;
    snprintf(order->citizen_name, sizeof order->citizen_name, "欧阳娜娜");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "+86 138 0000 0000");
    snprintf(order->address, sizeof order->address, "浙江省杭州市西湖区文三路 90 号 3 幢 2 单元");
    order->has_location = true;
    order->latitude = 30.2741234567;
    order->longitude = 120.1551234567;
    snprintf(order->category, sizeof order->category, "water.supply");
    snprintf(order->title, sizeof order->title, "小区停水三天无人处理");
    /* Long UTF-8: 4000 three-byte characters fill content to its limit. */
    size_t length = 0;
    for (int index = 0; index < HL_CONTENT_CHARS; index++) {
        memcpy(order->content + length, index % 2 == 0 ? "水" : "电", 3);
        length += 3;
    }
    order->content[length] = '\0';
    snprintf(order->registered_by, sizeof order->registered_by, "agent_07");
    snprintf(order->co_units, sizeof order->co_units, "power,gas.co");
    order->dispatched_at = 1707963000;
    order->sign_deadline = 1708099199;
    order->signed_at = 1707964000;
    order->return_deadline = 1708185599;
    order->handle_deadline = 1708617599;
    order->due_at = 1708617599;
    snprintf(order->reply, sizeof order->reply, "已安排维修，预计明日恢复供水。\n谢谢。");
    order->completed_at = 1708000000;
    order->extension_count = 1;
    order->extension_pending_days = 3;
    order->return_count = 2;
    order->reopen_count = 4;
    order->remind_count = 5;
    order->supervise_count = 6;
    order->duplicate_of = ORDER_BASE + 1;
    order->excluded = true;
    snprintf(order->excluded_reason, sizeof order->excluded_reason, "不可抗力：台风");
    insert(context->store, order);
    reopen(context);

    hl_order *read = &scratch_read;
    memset(read, 0x5a, sizeof *read);
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, order->id, read, &error), HL_OK);
    assert_int_equal(read->id, order->id);
    assert_int_equal(read->version, 9);
    assert_int_equal(read->state, HL_STATE_RETURN_PENDING);
    assert_int_equal(read->state_before_return, HL_STATE_SIGNED);
    assert_int_equal(read->channel, HL_CHANNEL_WECHAT);
    assert_int_equal(read->type, HL_TYPE_SUGGESTION);
    assert_int_equal(read->received_at, order->received_at);
    assert_string_equal(read->citizen_name, order->citizen_name);
    assert_string_equal(read->citizen_phone, order->citizen_phone);
    assert_string_equal(read->address, order->address);
    assert_true(read->has_location);
    assert_true(read->latitude == order->latitude);
    assert_true(read->longitude == order->longitude);
    assert_string_equal(read->category, order->category);
    assert_string_equal(read->title, order->title);
    assert_int_equal(strlen(read->content), (size_t)HL_CONTENT_CHARS * 3);
    assert_string_equal(read->content, order->content);
    assert_string_equal(read->registered_by, order->registered_by);
    assert_string_equal(read->lead_unit, "water-bureau");
    assert_string_equal(read->co_units, order->co_units);
    assert_int_equal(read->dispatched_at, order->dispatched_at);
    assert_int_equal(read->sign_deadline, order->sign_deadline);
    assert_int_equal(read->signed_at, order->signed_at);
    assert_int_equal(read->return_deadline, order->return_deadline);
    assert_int_equal(read->handle_deadline, order->handle_deadline);
    assert_int_equal(read->due_at, order->due_at);
    assert_string_equal(read->reply, order->reply);
    assert_int_equal(read->completed_at, order->completed_at);
    assert_int_equal(read->extension_count, 1);
    assert_int_equal(read->extension_pending_days, 3);
    assert_int_equal(read->return_count, 2);
    assert_int_equal(read->reopen_count, 4);
    assert_int_equal(read->remind_count, 5);
    assert_int_equal(read->supervise_count, 6);
    assert_int_equal(read->duplicate_of, ORDER_BASE + 1);
    assert_true(read->excluded);
    assert_string_equal(read->excluded_reason, order->excluded_reason);
}

static void test_order_get_of_absent_id_is_not_found(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 99, &scratch_read, &error),
                     HL_ENOTFOUND);
}

static void test_insert_of_duplicate_id_conflicts(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, "power"), &error),
        HL_ECONFLICT);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.lead_unit, "water");
}

static void test_update_changes_mutable_fields(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    insert(context->store, order);
    order->version = 2;
    order->state = HL_STATE_DISPATCHED;
    snprintf(order->lead_unit, sizeof order->lead_unit, "water");
    order->due_at = 12345;
    snprintf(order->title, sizeof order->title, "registration never changes");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, order->id, &scratch_read, &error), HL_OK);
    assert_int_equal(scratch_read.version, 2);
    assert_int_equal(scratch_read.state, HL_STATE_DISPATCHED);
    assert_string_equal(scratch_read.lead_unit, "water");
    assert_int_equal(scratch_read.due_at, 12345);
    assert_string_equal(scratch_read.title, "工单 1");
}

static void test_update_with_stale_version_conflicts_and_changes_nothing(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    order->version = 3;
    insert(context->store, order);
    order->version = 4;
    order->state = HL_STATE_INVALID;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 2, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, order->id, &scratch_read, &error), HL_OK);
    assert_int_equal(scratch_read.version, 3);
    assert_int_equal(scratch_read.state, HL_STATE_NEW);
}

static void test_update_of_unknown_id_is_not_found(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_update(context->store, make_order(5, HL_STATE_NEW, ""), 1, &error),
        HL_ENOTFOUND);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_out_of_range_enum_is_refused(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    order->state = (hl_state)77;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_EINVAL);
    hl_event *event = make_event(1, 1, HL_ACTION_REGISTER);
    event->action = HL_ACTION_COUNT;
    assert_int_equal(hl_store_event_append(context->store, event, &error), HL_EINVAL);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_missing_arguments_are_refused(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_order_insert(context->store, NULL, &error), HL_EINVAL);
    assert_int_equal(hl_store_order_get(context->store, 1, NULL, &error), HL_EINVAL);
    assert_int_equal(hl_store_config_get(context->store, NULL, NULL, 0, &error), HL_EINVAL);
    assert_int_equal(hl_store_unit_get(context->store, NULL, NULL, &error), HL_EINVAL);
    assert_int_equal(hl_store_event_scan(context->store, NULL, NULL, &error), HL_EINVAL);
    assert_int_equal(hl_store_open(NULL, NULL, &error), HL_EINVAL);
    /* Rolling back without a transaction is harmless. */
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_events_are_append_only(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    assert_int_not_equal(raw_exec(context->path, "UPDATE events SET note = 'rewritten'"),
                         SQLITE_OK);
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM events"), SQLITE_OK);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM events WHERE note = '第 1 步'"), 1);
}

static void test_event_with_duplicate_seq_conflicts(void **state)
{
    fixture *context = *state;
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(1, 1, HL_ACTION_DISPATCH), &error),
        HL_ECONFLICT);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_event_list_in_seq_order(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    int64_t seqs[] = {3, 1, 2};
    for (int index = 0; index < 3; index++)
        assert_int_equal(hl_store_event_append(
                             context->store, make_event(1, seqs[index], HL_ACTION_HANDLE), &error),
                         HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(2, 1, HL_ACTION_REGISTER), &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    id_list list = {.count = 0};
    assert_int_equal(
        hl_store_event_list(context->store, ORDER_BASE + 1, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 3);
    for (int index = 0; index < 3; index++) {
        assert_int_equal(list.ids[index], 1);
        assert_int_equal(list.seqs[index], index + 1);
    }
    /* A visitor that stops gets its own answer back. */
    id_list stopping = {.count = 0, .stop_after = 2};
    assert_int_equal(
        hl_store_event_list(context->store, ORDER_BASE + 1, collect_event, &stopping, &error), 7);
    assert_int_equal(stopping.count, 2);
}

typedef struct event_copy {
    hl_event last;
} event_copy;

static int copy_event(void *context, const hl_event *event)
{
    event_copy *copy = context;
    copy->last = *event;
    return 0;
}

static void test_event_fields_round_trip(void **state)
{
    fixture *context = *state;
    hl_event *event = make_event(1, 1, HL_ACTION_REGISTER);
    snprintf(event->unit, sizeof event->unit, "water");
    snprintf(event->other_unit, sizeof event->other_unit, "power");
    event->deadline = 1708617599;
    append(context->store, event);
    event_copy *copy = calloc(1, sizeof *copy);
    hl_error error;
    assert_int_equal(hl_store_event_list(context->store, ORDER_BASE + 1, copy_event, copy, &error),
                     HL_OK);
    assert_int_equal(copy->last.order_id, ORDER_BASE + 1);
    assert_int_equal(copy->last.seq, 1);
    assert_int_equal(copy->last.at, event->at);
    assert_string_equal(copy->last.actor, "agent1");
    assert_int_equal(copy->last.action, HL_ACTION_REGISTER);
    assert_int_equal(copy->last.from_state, HL_STATE_NONE);
    assert_int_equal(copy->last.to_state, HL_STATE_NEW);
    assert_string_equal(copy->last.unit, "water");
    assert_string_equal(copy->last.other_unit, "power");
    assert_int_equal(copy->last.deadline, 1708617599);
    assert_string_equal(copy->last.note, "第 1 步");
    assert_string_equal(copy->last.details, "{\"seq\":1}");
    free(copy);
}

static void test_event_scan_orders_by_order_then_seq(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    int64_t pairs[][2] = {{3, 1}, {1, 2}, {2, 1}, {1, 1}, {3, 2}};
    for (int index = 0; index < 5; index++)
        assert_int_equal(
            hl_store_event_append(context->store,
                                  make_event(pairs[index][0], pairs[index][1], HL_ACTION_HANDLE),
                                  &error),
            HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    id_list list = {.count = 0};
    assert_int_equal(hl_store_event_scan(context->store, collect_event, &list, &error), HL_OK);
    int64_t expected[][2] = {{1, 1}, {1, 2}, {2, 1}, {3, 1}, {3, 2}};
    assert_int_equal(list.count, 5);
    for (int index = 0; index < 5; index++) {
        assert_int_equal(list.ids[index], expected[index][0]);
        assert_int_equal(list.seqs[index], expected[index][1]);
    }
}

/* A visitor that lists each order's events while a scan is running. */
typedef struct nested_scan {
    hl_store *store;
    int inner_total;
} nested_scan;

static int count_event(void *context, const hl_event *event)
{
    (void)event;
    (*(int *)context)++;
    return 0;
}

static int list_during_scan(void *context, const hl_event *event)
{
    nested_scan *nested = context;
    int inner = 0;
    hl_error error;
    int result = hl_store_event_list(nested->store, event->order_id, count_event, &inner, &error);
    nested->inner_total += inner;
    return result;
}

static int list_during_list(void *context, const hl_event *event)
{
    return list_during_scan(context, event);
}

static void test_visitors_may_call_back_into_the_store(void **state)
{
    fixture *context = *state;
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    append(context->store, make_event(1, 2, HL_ACTION_DISPATCH));
    append(context->store, make_event(2, 1, HL_ACTION_REGISTER));
    nested_scan nested = {context->store, 0};
    hl_error error;
    assert_int_equal(hl_store_event_scan(context->store, list_during_scan, &nested, &error), HL_OK);
    assert_int_equal(nested.inner_total, 2 + 2 + 1);
    nested.inner_total = 0;
    assert_int_equal(
        hl_store_event_list(context->store, ORDER_BASE + 1, list_during_list, &nested, &error),
        HL_OK);
    assert_int_equal(nested.inner_total, 4);
}

static void test_visitor_stop_value_is_returned(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    id_list list = {.count = 0, .stop_after = 2};
    hl_error error;
    assert_int_equal(hl_store_order_query(context->store, NULL, collect_order, &list, &error), 42);
    assert_int_equal(list.count, 2);
}

typedef struct rollup_sum {
    int rows;
    int64_t water_dispatched;
    int64_t centre_received;
} rollup_sum;

static int sum_rollup(void *context, const hl_rollup_delta *row)
{
    rollup_sum *sum = context;
    sum->rows++;
    if (row->month == 202402 && strcmp(row->unit, "water") == 0 &&
        row->counter == HL_COUNTER_DISPATCHED)
        sum->water_dispatched = row->amount;
    if (row->month == 202402 && row->unit[0] == '\0' && row->counter == HL_COUNTER_RECEIVED)
        sum->centre_received = row->amount;
    return 0;
}

static void test_rollup_add_accumulates(void **state)
{
    fixture *context = *state;
    hl_rollup_delta delta = {.month = 202402, .counter = HL_COUNTER_DISPATCHED, .amount = 1};
    snprintf(delta.unit, sizeof delta.unit, "water");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_rollup_add(context->store, &delta, &error), HL_OK);
    delta.amount = 4;
    assert_int_equal(hl_store_rollup_add(context->store, &delta, &error), HL_OK);
    delta.amount = -2;
    assert_int_equal(hl_store_rollup_add(context->store, &delta, &error), HL_OK);
    hl_rollup_delta received = {.month = 202402, .counter = HL_COUNTER_RECEIVED, .amount = 3};
    assert_int_equal(hl_store_rollup_add(context->store, &received, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    rollup_sum sum = {0, 0, 0};
    assert_int_equal(hl_store_rollup_each(context->store, sum_rollup, &sum, &error), HL_OK);
    assert_int_equal(sum.rows, 2);
    assert_int_equal(sum.water_dispatched, 3);
    assert_int_equal(sum.centre_received, 3);
}

static void test_rollback_discards(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, ""), &error),
                     HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(1, 1, HL_ACTION_REGISTER), &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "sign_days", "2", &error), HL_OK);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_ENOTFOUND);
    id_list list = {.count = 0};
    assert_int_equal(hl_store_event_scan(context->store, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 0);
    char value[16];
    assert_int_equal(hl_store_config_get(context->store, "sign_days", value, sizeof value, &error),
                     HL_ENOTFOUND);
}

static void test_bulk_load_is_committed_and_durable(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_store_set_bulk(context->store, true);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (int64_t sequence = 1; sequence <= 100; sequence++) {
        assert_int_equal(hl_store_order_insert(context->store,
                                               make_order(sequence, HL_STATE_NEW, "water"), &error),
                         HL_OK);
        assert_int_equal(hl_store_event_append(context->store,
                                               make_event(sequence, 1, HL_ACTION_REGISTER), &error),
                         HL_OK);
    }
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 100);
    reopen(context);
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, NULL, &count, &error), HL_OK);
    assert_int_equal(count, 100);
}

static void test_bulk_mode_may_end_inside_the_transaction(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, true); /* takes effect after this transaction */
    assert_int_equal(hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, ""), &error),
                     HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, ""), &error),
                     HL_OK);
    hl_store_set_bulk(context->store, false); /* synced when the commit ends */
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 2);
    /* A rolled-back bulk load leaves nothing behind. */
    hl_store_set_bulk(context->store, true);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(3, HL_STATE_NEW, ""), &error),
                     HL_OK);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 2);
}

static void test_query_by_state_mask(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.state_mask = HL_STATES_OPEN};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 3, 5}, 3);
    filter.state_mask = HL_STATE_BIT(HL_STATE_NEW) | HL_STATE_BIT(HL_STATE_COMPLETED);
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 4}, 2);
    filter.state_mask = 1u << 30; /* no real state: nothing */
    list = query(context->store, &filter);
    assert_int_equal(list.count, 0);
}

static void test_query_by_unit(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.unit = "water"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 2, 5}, 3);
    filter.state_mask = HL_STATES_OPEN;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 5}, 2);
}

static void test_query_by_co_unit(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    /* "water" matches the whole code only: not "water_x". */
    hl_order_filter filter = {.co_unit = "water"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){4}, 1);
    filter.co_unit = "gas";
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 5}, 2);
    filter.co_unit = "water_";
    list = query(context->store, &filter);
    assert_int_equal(list.count, 0);
}

static void test_query_by_category(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.category = "road"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 4}, 2);
}

static void test_query_by_received_range(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.received_from = 2000, .received_to = 4000};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 3}, 2);
    filter.received_to = 0;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 3, 4, 5}, 4);
}

static void test_query_by_due_before(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.due_before = 3001};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 5}, 2); /* due 0 means no deadline runs */
}

static void test_query_by_text(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.text = "停水"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 4}, 2); /* title of 2, content of 4 */
    filter.text = "噪音";
    filter.unit = "water";
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 5}, 2);
}

static void test_query_pages_with_after_id_and_limit(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.limit = 2};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 2}, 2);
    filter.after_id = ORDER_BASE + 2;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 4}, 2);
    filter.after_id = ORDER_BASE + 4;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){5}, 1);
}

static void test_query_order_by_due(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.sort = HL_ORDER_SORT_DEADLINE, .due_before = 1000000};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){5, 3, 2}, 3);
    /* The orders without a running deadline come after, newest first. */
    hl_order_filter all = {.sort = HL_ORDER_SORT_DEADLINE};
    list = query(context->store, &all);
    assert_ids(&list, (int64_t[]){5, 3, 2, 4, 1}, 5);
}

static void test_order_count_uses_the_filter(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    int64_t count = -1;
    assert_int_equal(hl_store_order_count(context->store, NULL, &count, &error), HL_OK);
    assert_int_equal(count, 5);
    hl_order_filter filter = {.unit = "water", .state_mask = HL_STATES_OPEN, .limit = 1};
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
}

/* The counts each state's row says, beside a count of the orders themselves. */
static void assert_state_counts_are_real(fixture *context)
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

static void test_state_counts_follow_inserts_and_state_changes(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    assert_state_counts_are_real(context);
    hl_error error;
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 1);
    assert_int_equal(counts[HL_STATE_DISPATCHED], 1);

    /* A state change moves one order from one count to the other; an
     * update that keeps the state moves nothing. */
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error), HL_OK);
    scratch_read.version = 2;
    scratch_read.state = HL_STATE_DISPATCHED;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, &scratch_read, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    scratch_read.version = 3;
    snprintf(scratch_read.reply, sizeof scratch_read.reply, "same state");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, &scratch_read, 2, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 0);
    assert_int_equal(counts[HL_STATE_DISPATCHED], 2);
    assert_state_counts_are_real(context);
}

static void test_state_counts_roll_back_with_the_transaction(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, "water"), &error), HL_OK);
    hl_store_rollback(context->store);
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 1);
    assert_state_counts_are_real(context);
}

/* A store made before the counts existed gets them from its orders when it
 * is opened: version 5 is recreated by hand (the tables of version 6 and
 * later dropped, so that their migrations run again). */
static void test_state_counts_of_a_store_migrated_from_version_5(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_store_close(context->store);
    context->store = NULL;
    /* Back to version 5, then one more completed order written behind the store's back. */
    assert_int_equal(raw_exec(context->path, "DROP TABLE order_state_counts;"
                                             "DROP TABLE order_units;"
                                             "DROP INDEX orders_by_state;"
                                             "DROP INDEX orders_by_category;"
                                             "DROP TABLE api_keys; DROP TABLE category_attributes;"
                                             "DROP TABLE open311_requests; DROP TABLE order_attributes;"
                                             "DROP INDEX events_by_at;"
                                             "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
                                             "CREATE TEMP TABLE copy AS SELECT * FROM orders WHERE id = 20240215000004;"
                                             "UPDATE copy SET id = 20240215000009;"
                                             "INSERT INTO orders SELECT * FROM copy;"),
                     SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     hl_store_schema_version());
    assert_state_counts_are_real(context);
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_COMPLETED], 2);
}

static long long file_size(const char *path)
{
    struct stat status;
    assert_int_equal(stat(path, &status), 0);
    return (long long)status.st_size;
}

/* Inserts orders first..last, each in its own durable transaction. */
static void insert_one_by_one(hl_store *store, int first, int last)
{
    for (int sequence = first; sequence <= last; sequence++)
        insert(store, make_order(sequence, HL_STATE_NEW, "water"));
}

/* With background checkpoints, commits leave every page in the WAL (the
 * database file does not grow) until hl_store_checkpoint copies them;
 * without, SQLite's own checkpoint copies them once the WAL reaches 1000
 * pages. */
static void test_background_checkpoints_leave_the_wal_to_hl_store_checkpoint(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    hl_error error;
    assert_int_equal(hl_store_checkpoint(context->store, &error), HL_OK);
    long long before = file_size(context->path);

    hl_store_set_background_checkpoints(context->store, true);
    insert_one_by_one(context->store, 2, 400);
    assert_int_equal(file_size(context->path), before);
    assert_int_equal(hl_store_checkpoint(context->store, &error), HL_OK);
    long long checkpointed = file_size(context->path);
    assert_true(checkpointed > before);

    hl_store_set_background_checkpoints(context->store, false);
    insert_one_by_one(context->store, 401, 800);
    assert_true(file_size(context->path) > checkpointed);
}

typedef struct head_list {
    int count;
    int64_t last_id;
    hl_state last_state;
    int64_t last_version;
} head_list;

static int collect_head(void *context, int64_t id, hl_state state, int64_t version)
{
    head_list *heads = context;
    assert_true(id > heads->last_id);
    heads->count++;
    heads->last_id = id;
    heads->last_state = state;
    heads->last_version = version;
    return 0;
}

static void test_order_heads_in_id_order(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    head_list heads = {0, 0, HL_STATE_NONE, 0};
    hl_error error;
    assert_int_equal(hl_store_order_heads(context->store, collect_head, &heads, &error), HL_OK);
    assert_int_equal(heads.count, 5);
    assert_int_equal(heads.last_id, ORDER_BASE + 5);
    assert_int_equal(heads.last_state, HL_STATE_SIGNED);
    assert_int_equal(heads.last_version, 1);
}

static void test_order_max_id(void **state)
{
    fixture *context = *state;
    hl_error error;
    int64_t max_id = -1;
    assert_int_equal(
        hl_store_order_max_id(context->store, ORDER_BASE, ORDER_BASE + 999999, &max_id, &error),
        HL_OK);
    assert_int_equal(max_id, 0);
    insert_filter_orders(context->store);
    insert(context->store, make_order(1000000 + 3, HL_STATE_NEW, "")); /* the next day */
    assert_int_equal(
        hl_store_order_max_id(context->store, ORDER_BASE, ORDER_BASE + 999999, &max_id, &error),
        HL_OK);
    assert_int_equal(max_id, ORDER_BASE + 5);
    assert_int_equal(hl_store_order_max_id(context->store, ORDER_BASE + 1000000,
                                           ORDER_BASE + 1999999, &max_id, &error),
                     HL_OK);
    assert_int_equal(max_id, ORDER_BASE + 1000003);
}

typedef struct code_list {
    char codes[8][2 * HL_CODE_BYTES];
    int count;
} code_list;

static int collect_unit(void *context, const hl_unit *unit)
{
    code_list *list = context;
    snprintf(list->codes[list->count++], HL_CODE_BYTES, "%s", unit->code);
    return 0;
}

static int collect_category(void *context, const hl_category *category)
{
    code_list *list = context;
    snprintf(list->codes[list->count++], HL_CODE_BYTES, "%s", category->code);
    return 0;
}

static int collect_user(void *context, const hl_user *user)
{
    code_list *list = context;
    snprintf(list->codes[list->count++], HL_CODE_BYTES, "%s", user->username);
    return 0;
}

static void test_unit_upsert_get_each(void **state)
{
    fixture *context = *state;
    hl_unit unit = {.active = true};
    snprintf(unit.code, sizeof unit.code, "water");
    snprintf(unit.name, sizeof unit.name, "市水务集团");
    snprintf(unit.group, sizeof unit.group, "市直单位");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_unit_put(context->store, &unit, &error), HL_OK);
    snprintf(unit.name, sizeof unit.name, "市水务集团有限公司");
    snprintf(unit.parent, sizeof unit.parent, "city");
    unit.active = false;
    assert_int_equal(hl_store_unit_put(context->store, &unit, &error), HL_OK);
    snprintf(unit.code, sizeof unit.code, "city");
    unit.parent[0] = '\0';
    assert_int_equal(hl_store_unit_put(context->store, &unit, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_unit read;
    assert_int_equal(hl_store_unit_get(context->store, "water", &read, &error), HL_OK);
    assert_string_equal(read.name, "市水务集团有限公司");
    assert_string_equal(read.group, "市直单位");
    assert_string_equal(read.parent, "city");
    assert_false(read.active);
    assert_int_equal(hl_store_unit_get(context->store, "gas", &read, &error), HL_ENOTFOUND);
    code_list list = {.count = 0};
    assert_int_equal(hl_store_unit_each(context->store, collect_unit, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "city");
    assert_string_equal(list.codes[1], "water");
}

static void test_category_upsert_get_each(void **state)
{
    fixture *context = *state;
    hl_category category = {.handle_days = 3, .active = true};
    snprintf(category.code, sizeof category.code, "noise");
    snprintf(category.name, sizeof category.name, "噪音扰民");
    snprintf(category.default_unit, sizeof category.default_unit, "env");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    category.handle_days = 7;
    snprintf(category.parent, sizeof category.parent, "env-all");
    assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    snprintf(category.code, sizeof category.code, "env-all");
    assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_category read;
    assert_int_equal(hl_store_category_get(context->store, "noise", &read, &error), HL_OK);
    assert_string_equal(read.name, "噪音扰民");
    assert_string_equal(read.parent, "env-all");
    assert_string_equal(read.default_unit, "env");
    assert_int_equal(read.handle_days, 7);
    assert_true(read.active);
    assert_int_equal(hl_store_category_get(context->store, "road", &read, &error), HL_ENOTFOUND);
    code_list list = {.count = 0};
    assert_int_equal(hl_store_category_each(context->store, collect_category, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "env-all");
    assert_string_equal(list.codes[1], "noise");
}

static void test_user_upsert_get_each(void **state)
{
    fixture *context = *state;
    hl_user user = {.role = HL_ROLE_AGENT, .active = true};
    snprintf(user.username, sizeof user.username, "zhang");
    snprintf(user.display_name, sizeof user.display_name, "张三");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_OK);
    user.role = HL_ROLE_HANDLER;
    snprintf(user.unit, sizeof user.unit, "water");
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_OK);
    snprintf(user.username, sizeof user.username, "admin");
    user.role = HL_ROLE_ADMIN;
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_OK);
    user.role = (hl_role)HL_ROLE_COUNT;
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_EINVAL);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_user read;
    assert_int_equal(hl_store_user_get(context->store, "zhang", &read, &error), HL_OK);
    assert_string_equal(read.display_name, "张三");
    assert_int_equal(read.role, HL_ROLE_HANDLER);
    assert_string_equal(read.unit, "water");
    assert_true(read.active);
    assert_int_equal(hl_store_user_get(context->store, "li", &read, &error), HL_ENOTFOUND);
    code_list list = {.count = 0};
    assert_int_equal(hl_store_user_each(context->store, collect_user, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "admin");
    assert_string_equal(list.codes[1], "zhang");
}

typedef struct config_list {
    int count;
    char first_key[32];
} config_list;

static int collect_config(void *context, const char *key, const char *value)
{
    (void)value;
    config_list *list = context;
    if (list->count++ == 0)
        snprintf(list->first_key, sizeof list->first_key, "%s", key);
    return 0;
}

static void test_config_set_get_each(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "sign_days", "1", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "sign_days", "2", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "centre_name", "某市12345热线", &error),
                     HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    char value[64];
    assert_int_equal(hl_store_config_get(context->store, "sign_days", value, sizeof value, &error),
                     HL_OK);
    assert_string_equal(value, "2");
    assert_int_equal(
        hl_store_config_get(context->store, "centre_name", value, sizeof value, &error), HL_OK);
    assert_string_equal(value, "某市12345热线");
    char small[4];
    assert_int_equal(
        hl_store_config_get(context->store, "centre_name", small, sizeof small, &error), HL_EINVAL);
    assert_int_equal(hl_store_config_get(context->store, "absent", value, sizeof value, &error),
                     HL_ENOTFOUND);
    config_list list = {0, ""};
    assert_int_equal(hl_store_config_each(context->store, collect_config, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.first_key, "centre_name");
}

static void test_calendar_put_and_load(void **state)
{
    fixture *context = *state;
    hl_calendar_entry spring = {.day = hl_clock_day_from_civil(2024, 2, 12), .kind = HL_DAY_OFF};
    snprintf(spring.festival, sizeof spring.festival, "春节");
    hl_calendar_entry makeup = {.day = hl_clock_day_from_civil(2024, 2, 18), .kind = HL_DAY_WORK};
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_calendar_put(context->store, &makeup, &error), HL_OK);
    spring.kind = HL_DAY_WORK;
    assert_int_equal(hl_store_calendar_put(context->store, &spring, &error), HL_OK);
    spring.kind = HL_DAY_OFF; /* the second put replaces the first */
    assert_int_equal(hl_store_calendar_put(context->store, &spring, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_calendar calendar;
    hl_calendar_init(&calendar);
    assert_int_equal(hl_store_calendar_load(context->store, &calendar, &error), HL_OK);
    assert_int_equal(calendar.count, 2);
    assert_int_equal(calendar.entries[0].day, spring.day);
    assert_int_equal(calendar.entries[0].kind, HL_DAY_OFF);
    assert_string_equal(calendar.entries[0].festival, "春节");
    assert_int_equal(calendar.entries[1].day, makeup.day);
    assert_int_equal(calendar.entries[1].kind, HL_DAY_WORK);
    assert_string_equal(calendar.entries[1].festival, "");
    assert_false(hl_calendar_is_working_day(&calendar, spring.day));
    assert_true(hl_calendar_is_working_day(&calendar, makeup.day));
    hl_calendar_free(&calendar);
}

static void test_sql_metacharacters_in_filters_are_data(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const char *hostile[] = {"'; DROP TABLE orders; --", "%", "_", "' OR '1'='1", "\"", "\\"};
    for (size_t index = 0; index < sizeof hostile / sizeof hostile[0]; index++) {
        hl_order_filter filter = {.text = hostile[index]};
        id_list list = query(context->store, &filter);
        assert_int_equal(list.count, 0);
        hl_order_filter by_unit = {.unit = hostile[index]};
        assert_int_equal(query(context->store, &by_unit).count, 0);
        hl_order_filter by_co_unit = {.co_unit = hostile[index]};
        assert_int_equal(query(context->store, &by_co_unit).count, 0);
        hl_order_filter by_category = {.category = hostile[index]};
        assert_int_equal(query(context->store, &by_category).count, 0);
    }
    hl_error error;
    char value[64];
    assert_int_equal(
        hl_store_config_get(context->store, "x' OR '1'='1", value, sizeof value, &error),
        HL_ENOTFOUND);
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, NULL, &count, &error), HL_OK);
    assert_int_equal(count, 5);
}

/* ---- The API's lists: scope, sorts, offset paging, counts ---- */

static void test_query_by_scope_unit_reads_lead_and_co_handling_orders(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.scope_unit = "water"};
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){1, 2, 4, 5}, 4);
    filter.sort = HL_ORDER_SORT_RECEIVED_DESC;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 4, 2, 1}, 4);
    filter.state_mask = HL_STATES_OPEN;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 2}, 2);
    /* The scope intersects the other unit filters: never widens them. */
    hl_order_filter narrowed = {.scope_unit = "gas", .unit = "water", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &narrowed)}, (int64_t[]){5, 2}, 2);
    narrowed.unit = "power";
    assert_int_equal(query(context->store, &narrowed).count, 0);
    /* "water" is not "water_x". */
    hl_order_filter other = {.scope_unit = "water_x", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &other)}, (int64_t[]){3}, 1);
}

static void test_query_sorts_by_received_either_way(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 4, 3, 2, 1}, 5);
    filter.sort = HL_ORDER_SORT_RECEIVED;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){1, 2, 3, 4, 5}, 5);
    /* Through a unit's rows: its lead orders, its co-handled ones. */
    hl_order_filter lead = {.unit = "water", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &lead)}, (int64_t[]){5, 2, 1}, 3);
    hl_order_filter co = {.co_unit = "gas", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &co)}, (int64_t[]){5, 2}, 2);
    hl_order_filter ranged = {.unit = "water", .received_from = 2000, .received_to = 5000,
                              .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &ranged)}, (int64_t[]){2}, 1);
}

static void test_query_sorts_by_deadline_with_the_orders_without_one_last(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    /* Due: 5 at 1000, 3 at 3000, 2 at 5000; 1 and 4 have none (newest first). */
    hl_order_filter filter = {.sort = HL_ORDER_SORT_DEADLINE};
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 3, 2, 4, 1}, 5);
    filter.sort = HL_ORDER_SORT_DEADLINE_DESC;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){2, 3, 5, 4, 1}, 5);
    filter.scope_unit = "water";
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){2, 5, 4, 1}, 4);
}

/* Pages of every size, at every offset, in every order, add up to the
 * whole list: nothing is repeated or skipped, also across the two parts of
 * a deadline-sorted list. */
static void test_query_pages_by_offset_in_every_order(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const hl_order_sort sorts[] = {HL_ORDER_SORT_ID, HL_ORDER_SORT_RECEIVED, HL_ORDER_SORT_RECEIVED_DESC,
                                   HL_ORDER_SORT_DEADLINE, HL_ORDER_SORT_DEADLINE_DESC};
    const char *scopes[] = {NULL, "water"};
    for (size_t sort = 0; sort < sizeof sorts / sizeof sorts[0]; sort++) {
        for (size_t scope = 0; scope < 2; scope++) {
            hl_order_filter whole = {.sort = sorts[sort], .scope_unit = scopes[scope]};
            id_list expected = query(context->store, &whole);
            for (int size = 1; size <= 3; size++) {
                id_list pages = {.count = 0};
                for (int offset = 0; offset < expected.count; offset += size) {
                    hl_order_filter page = whole;
                    page.limit = size;
                    page.offset = offset;
                    id_list got = query(context->store, &page);
                    assert_true(got.count <= size);
                    for (int index = 0; index < got.count; index++)
                        pages.ids[pages.count++] = got.ids[index];
                }
                assert_ids(&pages, expected.ids, expected.count);
            }
            hl_order_filter beyond = whole;
            beyond.limit = 2;
            beyond.offset = expected.count;
            assert_int_equal(query(context->store, &beyond).count, 0);
        }
    }
}

/* Every count agrees with the rows the query visits, by state and in all. */
static void test_counts_agree_with_the_query(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filters[] = {
        {.state_mask = 0},
        {.state_mask = HL_STATES_OPEN},
        {.scope_unit = "water"},
        {.scope_unit = "gas", .state_mask = HL_STATES_OPEN},
        {.scope_unit = "water", .due_before = 4000},
        {.co_unit = "gas"},
        {.unit = "water", .category = "noise"},
        {.text = "停水"},
        {.received_from = 2000, .received_to = 5000, .state_mask = HL_STATE_BIT(HL_STATE_HANDLING)},
    };
    hl_error error;
    for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
        id_list rows = query(context->store, &filters[index]);
        int64_t total = -1, by_state[HL_STATE_COUNT];
        assert_int_equal(hl_store_order_count(context->store, &filters[index], &total, &error), HL_OK);
        assert_int_equal(total, rows.count);
        assert_int_equal(hl_store_order_count_by_state(context->store, &filters[index], by_state, &error), HL_OK);
        int64_t sum = 0;
        for (int state_index = 0; state_index < HL_STATE_COUNT; state_index++) {
            hl_order_filter one = filters[index];
            one.state_mask = (one.state_mask == 0 ? ~0u : one.state_mask) & HL_STATE_BIT(state_index);
            int64_t count = 0;
            if (one.state_mask != 0)
                assert_int_equal(hl_store_order_count(context->store, &one, &count, &error), HL_OK);
            assert_int_equal(by_state[state_index], count);
            sum += by_state[state_index];
        }
        assert_int_equal(sum, rows.count);
    }
}

/* The unit rows and the state totals follow every insert and update. */
static void test_unit_rows_and_state_totals_follow_updates(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    hl_order *order = &scratch_read;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 2, order, &error), HL_OK);
    /* Reassigned from water (co: power, gas) to road (co: water). */
    snprintf(order->lead_unit, sizeof order->lead_unit, "road");
    snprintf(order->co_units, sizeof order->co_units, "water");
    order->state = HL_STATE_HANDLING;
    order->version = 2;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_order_filter power = {.scope_unit = "power", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &power)}, (int64_t[]){3}, 1);
    hl_order_filter road = {.scope_unit = "road", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &road)}, (int64_t[]){2}, 1);
    hl_order_filter water_lead = {.unit = "water", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &water_lead)}, (int64_t[]){1, 5}, 2);
    hl_order_filter water_co = {.co_unit = "water", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &water_co)}, (int64_t[]){2, 4}, 2);
    /* 1 water; 2 road, water; 3 power, water_x; 4 gas, water; 5 water, gas. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units"), 9);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units u LEFT JOIN orders o "
                                                "ON o.id = u.order_id WHERE o.received_at <> u.received"),
                     0);
    /* The totals by state are the orders' own. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_state_counts t WHERE orders <> "
                                                "(SELECT count(*) FROM orders o WHERE o.state = t.state)"),
                     0);
    assert_int_equal(raw_integer(context->path, "SELECT orders FROM order_state_counts WHERE state = 'handling'"),
                     2);
    assert_int_equal(raw_integer(context->path, "SELECT orders FROM order_state_counts WHERE state = 'dispatched'"),
                     0);
}

/* Migration 8 builds the unit rows from the orders a store already holds:
 * undo it on a store at version 8, then reopen. */
static void test_migration_8_builds_unit_rows_from_existing_orders(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path,
                              "DROP TABLE order_units; DROP INDEX orders_by_state; DROP INDEX orders_by_category; "
                              "UPDATE meta SET value = '7' WHERE key = 'schema_version'"),
                     SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
    assert_int_equal(raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     hl_store_schema_version());
    /* Five lead rows; co rows: 2 (power, gas), 3 (water_x), 4 (water), 5 (gas). */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units WHERE lead = 1"), 5);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units WHERE lead = 0"), 5);
    hl_order_filter gas = {.scope_unit = "gas", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &gas)}, (int64_t[]){2, 4, 5}, 3);
}

typedef struct category_tally {
    char codes[8][HL_CODE_BYTES];
    int64_t counts[8];
    int count;
} category_tally;

static int tally_category(void *context, const char *code, int64_t count)
{
    category_tally *tally = context;
    assert_true(tally->count < 8);
    snprintf(tally->codes[tally->count], HL_CODE_BYTES, "%s", code);
    tally->counts[tally->count++] = count;
    return 0;
}

static void test_count_by_category_in_a_received_range(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    const char *codes[] = {"noise", "road", "unused"};
    for (size_t index = 0; index < 3; index++) {
        hl_category category = {.active = true};
        snprintf(category.code, sizeof category.code, "%s", codes[index]);
        snprintf(category.name, sizeof category.name, "分类 %zu", index);
        assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    }
    hl_order *order = make_order(6, HL_STATE_NEW, "");
    order->category[0] = '\0';
    order->received_at = 2500;
    assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    /* Received 2000 to 4999: 2 (noise), 3 (road), 4 (road), 6 (none). */
    category_tally tally = {.count = 0};
    assert_int_equal(hl_store_order_count_by_category(context->store, 2000, 5000, tally_category, &tally, &error),
                     HL_OK);
    assert_int_equal(tally.count, 3);
    assert_string_equal(tally.codes[0], "");
    assert_int_equal(tally.counts[0], 1);
    assert_string_equal(tally.codes[1], "noise");
    assert_int_equal(tally.counts[1], 1);
    assert_string_equal(tally.codes[2], "road");
    assert_int_equal(tally.counts[2], 2);
}

typedef struct month_tally {
    int months[8];
    int64_t totals[8];
    int count;
} month_tally;

static int tally_month(void *context, int month, int64_t total)
{
    month_tally *tally = context;
    assert_true(tally->count < 8);
    tally->months[tally->count] = month;
    tally->totals[tally->count++] = total;
    return 0;
}

static void test_rollup_months_sum_the_units_not_the_centre(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    struct {
        int month;
        const char *unit;
        hl_counter counter;
        int64_t amount;
    } rows[] = {
        {202403, "water", HL_COUNTER_SURVEYED, 4}, {202402, "water", HL_COUNTER_SURVEYED, 2},
        {202402, "gas", HL_COUNTER_SURVEYED, 3},   {202402, "", HL_COUNTER_SURVEYED, 100},
        {202401, "gas", HL_COUNTER_COMPLETED, 9},
    };
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        hl_rollup_delta delta = {.month = rows[index].month, .counter = rows[index].counter,
                                 .amount = rows[index].amount};
        snprintf(delta.unit, sizeof delta.unit, "%s", rows[index].unit);
        assert_int_equal(hl_store_rollup_add(context->store, &delta, &error), HL_OK);
    }
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    month_tally tally = {.count = 0};
    assert_int_equal(hl_store_rollup_months(context->store, HL_COUNTER_SURVEYED, tally_month, &tally, &error),
                     HL_OK);
    assert_int_equal(tally.count, 2);
    assert_int_equal(tally.months[0], 202402);
    assert_int_equal(tally.totals[0], 5);
    assert_int_equal(tally.months[1], 202403);
    assert_int_equal(tally.totals[1], 4);
}

/* No page of a list reads the whole orders table or sorts all it selects:
 * each walks an index in the order asked (SQLite's plan, checked). The one
 * sort allowed is of the orders found through orders_by_due (a running
 * deadline: the open orders, a small part of any store). */
static void test_list_pages_walk_an_index_in_order(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const hl_order_sort sorts[] = {HL_ORDER_SORT_RECEIVED_DESC, HL_ORDER_SORT_RECEIVED, HL_ORDER_SORT_DEADLINE,
                                   HL_ORDER_SORT_DEADLINE_DESC};
    hl_order_filter filters[] = {
        {.state_mask = 0},
        {.state_mask = HL_STATE_BIT(HL_STATE_NEW)},
        {.state_mask = HL_STATE_BIT(HL_STATE_COMPLETED) | HL_STATE_BIT(HL_STATE_SURVEYED) |
                       HL_STATE_BIT(HL_STATE_ARCHIVED)},
        {.scope_unit = "water"},
        {.scope_unit = "water", .state_mask = HL_STATES_OPEN, .unit = "gas", .co_unit = "power"},
        {.unit = "water"},
        {.co_unit = "water"},
        {.category = "noise"},
        {.category = "noise", .state_mask = HL_STATES_OPEN},
        {.received_from = 2000, .received_to = 4000},
        {.due_before = 3000},
        {.text = "停水"},
    };
    hl_error error;
    for (size_t sort = 0; sort < sizeof sorts / sizeof sorts[0]; sort++) {
        for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
            hl_order_filter filter = filters[index];
            filter.sort = sorts[sort];
            filter.limit = 50;
            filter.offset = 50;
            hl_buf plan;
            hl_buf_init(&plan);
            assert_int_equal(hl_sqlite_explain(context->store, &filter, &plan, &error), HL_OK);
            /* Only the page statements: the counts may read a whole index. */
            bool in_page = false, through_deadlines = false;
            for (char *line = plan.data; line != NULL && *line != '\0';) {
                char *end = strchr(line, '\n');
                size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
                char detail[512];
                snprintf(detail, sizeof detail, "%.*s", (int)length, line);
                if (line[0] != ' ') {
                    in_page = strncmp(line, "page:", 5) == 0;
                    through_deadlines = false;
                } else if (in_page) {
                    through_deadlines = through_deadlines || strstr(detail, "orders_by_due") != NULL;
                    bool table_scan = strstr(detail, "SCAN orders") != NULL && strstr(detail, "INDEX") == NULL;
                    bool sorted = strstr(detail, "TEMP B-TREE FOR ORDER BY") != NULL && !through_deadlines;
                    if (table_scan || sorted)
                        fail_msg("sort %zu, filter %zu: %s\n%s", sort, index, detail, plan.data);
                }
                line = end != NULL ? end + 1 : NULL;
            }
            hl_buf_free(&plan);
        }
    }
}

/* A filter on the running deadline counts through orders_by_due (the open
 * orders), never through a unit's or a state's every order. */
static void test_deadline_filters_count_through_the_deadline_index(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filters[] = {
        {.scope_unit = "water", .due_before = 4000},
        {.unit = "water", .due_before = 4000},
        {.state_mask = HL_STATE_BIT(HL_STATE_COMPLETED) | HL_STATE_BIT(HL_STATE_SURVEYED), .due_before = 4000},
        {.scope_unit = "water", .due_from = 100, .due_before = 4000, .sort = HL_ORDER_SORT_RECEIVED_DESC},
    };
    hl_error error;
    for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
        hl_buf plan;
        hl_buf_init(&plan);
        assert_int_equal(hl_sqlite_explain(context->store, &filters[index], &plan, &error), HL_OK);
        for (char *line = strstr(plan.data, "\n  SEARCH orders"); line != NULL;
             line = strstr(line + 1, "\n  SEARCH orders")) {
            char detail[256];
            snprintf(detail, sizeof detail, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
            if (strstr(detail, "rowid=") == NULL && strstr(detail, "orders_by_due") == NULL)
                fail_msg("filter %zu: %s\n%s", index, detail, plan.data);
        }
        hl_buf_free(&plan);
        /* And the counts are right. */
        id_list rows = query(context->store, &filters[index]);
        int64_t total = 0;
        assert_int_equal(hl_store_order_count(context->store, &filters[index], &total, &error), HL_OK);
        assert_int_equal(total, rows.count);
    }
}

/* ---- Open311: filters, API keys, attributes, requests, events by time ---- */

static void test_query_by_channel_categories_offset_and_newest_first(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    /* Order 3 came through Open311, the others by phone. */
    assert_int_equal(raw_exec(context->path, "UPDATE orders SET channel = 'open311' WHERE id = 20240215000003"),
                     SQLITE_OK);
    hl_order_filter filter = {.channel_mask = 1u << HL_CHANNEL_OPEN311};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3}, 1);
    filter = (hl_order_filter){.channel_mask = (1u << HL_CHANNEL_OPEN311) | (1u << HL_CHANNEL_PHONE)};
    assert_int_equal(query(context->store, &filter).count, 5);
    filter = (hl_order_filter){.categories = "road,nothing"};
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 4}, 2);
    filter = (hl_order_filter){.categories = "noise,road"};
    assert_int_equal(query(context->store, &filter).count, 5);
    filter = (hl_order_filter){.categories = "oad"}; /* whole codes only */
    assert_int_equal(query(context->store, &filter).count, 0);
    filter = (hl_order_filter){.sort = HL_ORDER_SORT_RECEIVED_DESC, .limit = 2, .offset = 1};
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){4, 3}, 2);
    filter = (hl_order_filter){.offset = 3};
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){4, 5}, 2);
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 5); /* the total behind the page */
}

static hl_apikey make_key(const char *hash, const char *name)
{
    hl_apikey key;
    memset(&key, 0, sizeof key);
    snprintf(key.key_hash, sizeof key.key_hash, "%s", hash);
    snprintf(key.key_prefix, sizeof key.key_prefix, "%.8s", hash);
    snprintf(key.name, sizeof key.name, "%s", name);
    snprintf(key.created_by, sizeof key.created_by, "admin");
    key.created_at = 1707962400;
    key.rate_per_minute = 60;
    return key;
}

static int collect_key(void *context, const hl_apikey *key)
{
    id_list *list = context;
    list->ids[list->count++] = key->id;
    return 0;
}

static void test_apikey_insert_find_each_and_revoke(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_apikey first = make_key("aaaaaaaaaaaa", "市民通 App"), second = make_key("bbbbbbbbbbbb", "FixMyStreet");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &first, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &second, &error), HL_OK);
    hl_apikey duplicate = make_key("aaaaaaaaaaaa", "again");
    assert_int_equal(hl_store_apikey_insert(context->store, &duplicate, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_true(first.id > 0 && second.id > first.id);

    hl_apikey found;
    assert_int_equal(hl_store_apikey_find(context->store, "bbbbbbbbbbbb", &found, &error), HL_OK);
    assert_int_equal(found.id, second.id);
    assert_string_equal(found.name, "FixMyStreet");
    assert_string_equal(found.key_prefix, "bbbbbbbb");
    assert_string_equal(found.created_by, "admin");
    assert_int_equal(found.rate_per_minute, 60);
    assert_false(found.revoked);
    assert_int_equal(hl_store_apikey_find(context->store, "cccc", &found, &error), HL_ENOTFOUND);
    assert_null(strstr(error.message, "cccc"));

    id_list list = {.count = 0};
    assert_int_equal(hl_store_apikey_each(context->store, collect_key, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.ids[0], first.id);

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, first.id, 1707970000, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, first.id, 1707999999, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, 999, 1707970000, &error), HL_ENOTFOUND);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_get(context->store, first.id, &found, &error), HL_OK);
    assert_true(found.revoked);
    assert_int_equal(found.revoked_at, 1707970000);
    assert_int_equal(hl_store_apikey_get(context->store, 999, &found, &error), HL_ENOTFOUND);
}

static hl_attribute *make_attribute(const char *category, const char *code, int position)
{
    static hl_attribute attribute;
    memset(&attribute, 0, sizeof attribute);
    snprintf(attribute.category, sizeof attribute.category, "%s", category);
    snprintf(attribute.code, sizeof attribute.code, "%s", code);
    attribute.position = position;
    attribute.datatype = HL_ATTRIBUTE_SINGLEVALUELIST;
    attribute.required = true;
    attribute.variable = true;
    snprintf(attribute.description, sizeof attribute.description, "问题 %s", code);
    snprintf(attribute.datatype_description, sizeof attribute.datatype_description, "选一项");
    snprintf(attribute.values, sizeof attribute.values, "a=甲|b=乙");
    return &attribute;
}

typedef struct attribute_list {
    char codes[8][2 * HL_CODE_BYTES];
    int count;
    hl_attribute last;
} attribute_list;

static int collect_attribute(void *context, const hl_attribute *attribute)
{
    attribute_list *list = context;
    snprintf(list->codes[list->count++], sizeof list->codes[0], "%s/%s", attribute->category, attribute->code);
    list->last = *attribute;
    return 0;
}

static void test_attributes_put_each_in_order_and_clear(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, make_attribute("road", "Z", 1), &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, make_attribute("road", "A", 2), &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, make_attribute("noise", "B", 1), &error), HL_OK);
    hl_attribute *replaced = make_attribute("road", "Z", 3); /* same key: replaces */
    replaced->datatype = HL_ATTRIBUTE_TEXT;
    replaced->values[0] = '\0';
    replaced->required = false;
    assert_int_equal(hl_store_attribute_put(context->store, replaced, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    attribute_list list = {.count = 0};
    assert_int_equal(hl_store_attribute_each(context->store, "road", collect_attribute, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "road/A");
    assert_string_equal(list.codes[1], "road/Z");
    assert_int_equal(list.last.datatype, HL_ATTRIBUTE_TEXT);
    assert_false(list.last.required);
    assert_true(list.last.variable);
    assert_int_equal(list.last.position, 3);
    assert_string_equal(list.last.description, "问题 Z");
    assert_string_equal(list.last.datatype_description, "选一项");

    list.count = 0;
    assert_int_equal(hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_OK);
    assert_int_equal(list.count, 3);
    assert_string_equal(list.codes[0], "noise/B");
    assert_string_equal(list.last.values, "");

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_attribute_clear(context->store, "road", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    list.count = 0;
    assert_int_equal(hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(raw_exec(context->path, "UPDATE category_attributes SET datatype = 'colour'"), SQLITE_OK);
    assert_int_equal(hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_EIO);
}

typedef struct answer_list {
    char text[256];
} answer_list;

static int collect_answer(void *context, const char *code, int seq, const char *value)
{
    answer_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s#%d=%s;", code, seq, value);
    return 0;
}

static void test_open311_record_and_answers_round_trip(void **state)
{
    fixture *context = *state;
    hl_error error;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    hl_apikey key = make_key("dddddddddddd", "app");
    hl_open311_record record = {.order_id = ORDER_BASE + 1};
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &key, &error), HL_OK);
    record.api_key_id = key.id;
    snprintf(record.email, sizeof record.email, "citizen@example.org");
    snprintf(record.device_id, sizeof record.device_id, "device-1");
    snprintf(record.address_id, sizeof record.address_id, "A-17");
    snprintf(record.media_url, sizeof record.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    assert_int_equal(hl_store_open311_put(context->store, &record, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "KIND", 2, "b", &error), HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "KIND", 1, "a", &error), HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "AGE", 1, "' OR 1=1 --", &error), HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "AGE", 1, "again", &error), HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_open311_record read;
    assert_int_equal(hl_store_open311_get(context->store, ORDER_BASE + 1, &read, &error), HL_OK);
    assert_int_equal(read.api_key_id, key.id);
    assert_string_equal(read.email, "citizen@example.org");
    assert_string_equal(read.device_id, "device-1");
    assert_string_equal(read.account_id, "");
    assert_string_equal(read.address_id, "A-17");
    assert_string_equal(read.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_get(context->store, ORDER_BASE + 2, &read, &error), HL_ENOTFOUND);
    answer_list answers = {""};
    assert_int_equal(hl_store_answer_each(context->store, ORDER_BASE + 1, collect_answer, &answers, &error), HL_OK);
    assert_string_equal(answers.text, "AGE#1=' OR 1=1 --;KIND#1=a;KIND#2=b;");
    /* A record needs its order and its key. */
    record.order_id = ORDER_BASE + 9;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_not_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    hl_store_rollback(context->store);
}

static void test_event_get_and_events_by_time(void **state)
{
    fixture *context = *state;
    hl_error error;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    hl_order *second = make_order(2, HL_STATE_NEW, "");
    second->channel = HL_CHANNEL_OPEN311;
    insert(context->store, second);
    /* Order 1: events at +1, +2, +3; order 2: at +1, +2 (make_event's times). */
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    append(context->store, make_event(1, 2, HL_ACTION_DISPATCH));
    append(context->store, make_event(1, 3, HL_ACTION_REMIND));
    append(context->store, make_event(2, 1, HL_ACTION_REGISTER));
    append(context->store, make_event(2, 2, HL_ACTION_DISPATCH));

    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 3, &scratch_event, &error), HL_OK);
    assert_int_equal(scratch_event.action, HL_ACTION_REMIND);
    assert_string_equal(scratch_event.note, "第 3 步");
    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 4, &scratch_event, &error), HL_ENOTFOUND);

    hl_event_filter filter = {.at_from = 1707962400 + 2};
    id_list list = {.count = 0};
    assert_int_equal(hl_store_event_query(context->store, &filter, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 3); /* (+2: 1/2, 2/2), (+3: 1/3), by time then order */
    assert_int_equal(list.ids[0], 1);
    assert_int_equal(list.seqs[0], 2);
    assert_int_equal(list.ids[1], 2);
    assert_int_equal(list.ids[2], 1);
    assert_int_equal(list.seqs[2], 3);

    filter = (hl_event_filter){.at_from = 0, .at_to = 1707962400 + 2};
    int64_t count = 0;
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);

    filter = (hl_event_filter){.channel_mask = 1u << HL_CHANNEL_OPEN311};
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);

    filter = (hl_event_filter){.action_mask = (1u << HL_ACTION_DISPATCH) | (1u << HL_ACTION_REMIND)};
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 3);
    filter.limit = 1;
    filter.offset = 1;
    list.count = 0;
    assert_int_equal(hl_store_event_query(context->store, &filter, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(list.ids[0], 2);
    assert_int_equal(list.seqs[0], 2);
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 3); /* the total behind the page */
}

/* ---- Phones at rest and the audit of reads (schema 5) ---- */

static void test_phone_needs_a_codec(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    hl_store_set_phone_codec(context->store, NULL);
    hl_error error;
    /* Without a codec, no phone is written in clear... */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, ""), &error), HL_EIO);
    hl_store_rollback(context->store);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 1);
    /* ...an order without one is, */
    hl_order *order = make_order(3, HL_STATE_NEW, "");
    order->citizen_phone[0] = '\0';
    insert(context->store, order);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders WHERE citizen_phone IS NULL"), 1);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 1); /* order 1's */
    /* ...and a sealed one cannot be read nor searched. */
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error), HL_EIO);
    hl_order_filter filter = {0};
    filter.phone = "13800000000";
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_EIO);
    test_store_use_key(context->store);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error), HL_OK);
    assert_string_equal(scratch_read.citizen_phone, "13800000000");
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
}

static int collect_ids(void *context, const hl_order *order)
{
    int64_t *ids = context;
    size_t index = 0;
    while (ids[index] != 0)
        index++;
    ids[index] = order->id;
    return 0;
}

static void test_query_by_phone_before_an_order_newest_first(void **state)
{
    fixture *context = *state;
    /* Orders 1..5 share a number; 2 and 3 were received at the same
     * instant; 6 has another number. */
    const hl_time received[] = {0, 100, 200, 200, 300, 400, 150};
    for (int64_t sequence = 1; sequence <= 6; sequence++) {
        hl_order *order = make_order(sequence, HL_STATE_NEW, "");
        order->received_at = 1707962400 + received[sequence];
        if (sequence == 6)
            snprintf(order->citizen_phone, sizeof order->citizen_phone, "13900000000");
        insert(context->store, order);
    }
    hl_order_filter filter = {0};
    filter.phone = "+86 138 0000 0000";
    filter.before_id = ORDER_BASE + 3;
    filter.sort = HL_ORDER_SORT_RECEIVED_DESC;
    int64_t ids[8] = {0};
    hl_error error;
    assert_int_equal(hl_store_order_query(context->store, &filter, collect_ids, ids, &error), HL_OK);
    assert_int_equal(ids[0], ORDER_BASE + 2); /* the same instant, an earlier number */
    assert_int_equal(ids[1], ORDER_BASE + 1);
    assert_int_equal(ids[2], 0);
    /* The orders are found through phone_index, never by a walk of every
     * order newest first. */
    hl_buf plan;
    hl_buf_init(&plan);
    assert_int_equal(hl_sqlite_explain(context->store, &filter, &plan, &error), HL_OK);
    if (strstr(plan.data, "phone_index") == NULL || strstr(plan.data, "SCAN orders") != NULL)
        fail_msg("%s", plan.data);
    hl_buf_free(&plan);
    filter.before_id = 0; /* no bound: all five, newest first */
    memset(ids, 0, sizeof ids);
    assert_int_equal(hl_store_order_query(context->store, &filter, collect_ids, ids, &error), HL_OK);
    assert_int_equal(ids[0], ORDER_BASE + 5);
    assert_int_equal(ids[1], ORDER_BASE + 4);
    assert_int_equal(ids[2], ORDER_BASE + 3);
    assert_int_equal(ids[3], ORDER_BASE + 2);
    assert_int_equal(ids[4], ORDER_BASE + 1);
    assert_int_equal(ids[5], 0);
}

static int64_t count_phone(hl_store *store, const char *phone)
{
    hl_order_filter filter = {0};
    filter.phone = phone;
    int64_t count = -1;
    hl_error error;
    assert_int_equal(hl_store_order_count(store, &filter, &count, &error), HL_OK);
    return count;
}

static void test_bulk_load_indexes_phones_at_commit(void **state)
{
    fixture *context = *state;
    hl_error error;
    /* Rolled back: neither the orders nor their index entries stay. */
    hl_store_set_bulk(context->store, true);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (int64_t sequence = 1; sequence <= 3; sequence++)
        assert_int_equal(hl_store_order_insert(context->store, make_order(sequence, HL_STATE_NEW, ""), &error),
                         HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 0);
    hl_store_rollback(context->store);
    /* Committed: every entry is written, in one go. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (int64_t sequence = 1; sequence <= 5; sequence++) {
        hl_order *order = make_order(sequence, HL_STATE_NEW, "");
        snprintf(order->citizen_phone, sizeof order->citizen_phone, "1380000000%lld", (long long)(sequence % 2));
        assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
    }
    /* A search inside the load sees the load's orders. */
    assert_int_equal(count_phone(context->store, "13800000001"), 3);
    for (int64_t sequence = 6; sequence <= 7; sequence++)
        assert_int_equal(hl_store_order_insert(context->store, make_order(sequence, HL_STATE_NEW, ""), &error),
                         HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 7);
    assert_int_equal(count_phone(context->store, "13800000001"), 3);
    assert_int_equal(count_phone(context->store, "13800000000"), 4); /* 2, 4 and the two of make_order */
}

static int collect_reads(void *context, const hl_audit_read *read)
{
    hl_audit_read *reads = context;
    size_t index = 0;
    while (reads[index].id != 0)
        index++;
    reads[index] = *read;
    return 0;
}

static void append_read(hl_store *store, hl_time at, const char *actor, int64_t order_id, const char *route)
{
    hl_audit_read read = {0};
    read.at = at;
    snprintf(read.actor, sizeof read.actor, "%s", actor);
    read.order_id = order_id;
    snprintf(read.route, sizeof read.route, "%s", route);
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    assert_int_equal(hl_store_audit_append(store, &read, &error), HL_OK);
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static void test_audit_reads_are_listed_newest_first_and_filtered(void **state)
{
    fixture *context = *state;
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "GET /api/v1/orders/{number}");
    append_read(context->store, 2000, "agent2", ORDER_BASE + 1, "GET /api/v1/orders/{number}");
    append_read(context->store, 3000, "agent1", ORDER_BASE + 2, "hotline show");
    hl_audit_read reads[8];
    memset(reads, 0, sizeof reads);
    hl_error error;
    assert_int_equal(hl_store_audit_query(context->store, NULL, collect_reads, reads, &error), HL_OK);
    assert_int_equal(reads[0].order_id, ORDER_BASE + 2);
    assert_string_equal(reads[0].route, "hotline show");
    assert_int_equal(reads[0].at, 3000);
    assert_int_equal(reads[2].at, 1000);
    assert_int_equal(reads[3].id, 0);

    hl_audit_filter filter = {0};
    filter.actor = "agent1";
    int64_t count = 0;
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
    filter.order_id = ORDER_BASE + 1;
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
    filter = (hl_audit_filter){.since = 2000};
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
    /* Pages: the limit and offset of the newest-first list. */
    filter = (hl_audit_filter){.limit = 1, .offset = 1};
    memset(reads, 0, sizeof reads);
    assert_int_equal(hl_store_audit_query(context->store, &filter, collect_reads, reads, &error), HL_OK);
    assert_int_equal(reads[0].at, 2000);
    assert_int_equal(reads[1].id, 0);
}

static void test_audit_reads_are_append_only(void **state)
{
    fixture *context = *state;
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "hotline show");
    assert_int_not_equal(raw_exec(context->path, "UPDATE personal_data_reads SET actor = 'nobody'"), SQLITE_OK);
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM personal_data_reads"), SQLITE_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM personal_data_reads WHERE actor = 'agent1'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_creates_schema_at_current_version),
        STORE_TEST(test_reopen_keeps_data),
        STORE_TEST(test_refuses_newer_schema_version),
        STORE_TEST(test_refuses_non_database_file),
        STORE_TEST(test_refuses_another_programs_database),
        STORE_TEST(test_refuses_directory),
        STORE_TEST(test_order_round_trip_of_every_field),
        STORE_TEST(test_order_get_of_absent_id_is_not_found),
        STORE_TEST(test_insert_of_duplicate_id_conflicts),
        STORE_TEST(test_update_changes_mutable_fields),
        STORE_TEST(test_update_with_stale_version_conflicts_and_changes_nothing),
        STORE_TEST(test_update_of_unknown_id_is_not_found),
        STORE_TEST(test_out_of_range_enum_is_refused),
        STORE_TEST(test_missing_arguments_are_refused),
        STORE_TEST(test_events_are_append_only),
        STORE_TEST(test_event_with_duplicate_seq_conflicts),
        STORE_TEST(test_event_list_in_seq_order),
        STORE_TEST(test_event_fields_round_trip),
        STORE_TEST(test_event_scan_orders_by_order_then_seq),
        STORE_TEST(test_visitors_may_call_back_into_the_store),
        STORE_TEST(test_visitor_stop_value_is_returned),
        STORE_TEST(test_rollup_add_accumulates),
        STORE_TEST(test_rollback_discards),
        STORE_TEST(test_bulk_load_is_committed_and_durable),
        STORE_TEST(test_bulk_mode_may_end_inside_the_transaction),
        STORE_TEST(test_query_by_state_mask),
        STORE_TEST(test_query_by_unit),
        STORE_TEST(test_query_by_co_unit),
        STORE_TEST(test_query_by_category),
        STORE_TEST(test_query_by_received_range),
        STORE_TEST(test_query_by_due_before),
        STORE_TEST(test_query_by_text),
        STORE_TEST(test_query_pages_with_after_id_and_limit),
        STORE_TEST(test_query_order_by_due),
        STORE_TEST(test_order_count_uses_the_filter),
        STORE_TEST(test_query_by_scope_unit_reads_lead_and_co_handling_orders),
        STORE_TEST(test_query_sorts_by_received_either_way),
        STORE_TEST(test_query_sorts_by_deadline_with_the_orders_without_one_last),
        STORE_TEST(test_query_pages_by_offset_in_every_order),
        STORE_TEST(test_counts_agree_with_the_query),
        STORE_TEST(test_unit_rows_and_state_totals_follow_updates),
        STORE_TEST(test_migration_8_builds_unit_rows_from_existing_orders),
        STORE_TEST(test_count_by_category_in_a_received_range),
        STORE_TEST(test_rollup_months_sum_the_units_not_the_centre),
        STORE_TEST(test_list_pages_walk_an_index_in_order),
        STORE_TEST(test_deadline_filters_count_through_the_deadline_index),
        STORE_TEST(test_state_counts_follow_inserts_and_state_changes),
        STORE_TEST(test_state_counts_roll_back_with_the_transaction),
        STORE_TEST(test_state_counts_of_a_store_migrated_from_version_5),
        STORE_TEST(test_background_checkpoints_leave_the_wal_to_hl_store_checkpoint),
        STORE_TEST(test_order_heads_in_id_order),
        STORE_TEST(test_order_max_id),
        STORE_TEST(test_unit_upsert_get_each),
        STORE_TEST(test_category_upsert_get_each),
        STORE_TEST(test_user_upsert_get_each),
        STORE_TEST(test_config_set_get_each),
        STORE_TEST(test_calendar_put_and_load),
        STORE_TEST(test_sql_metacharacters_in_filters_are_data),
        STORE_TEST(test_query_by_channel_categories_offset_and_newest_first),
        STORE_TEST(test_apikey_insert_find_each_and_revoke),
        STORE_TEST(test_attributes_put_each_in_order_and_clear),
        STORE_TEST(test_open311_record_and_answers_round_trip),
        STORE_TEST(test_event_get_and_events_by_time),
        STORE_TEST(test_phone_needs_a_codec),
        STORE_TEST(test_query_by_phone_before_an_order_newest_first),
        STORE_TEST(test_bulk_load_indexes_phones_at_commit),
        STORE_TEST(test_audit_reads_are_listed_newest_first_and_filtered),
        STORE_TEST(test_audit_reads_are_append_only),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
