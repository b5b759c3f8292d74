/* test_store_postgres_copyin.c: the PostgreSQL store's inserts through COPY
 * in bulk mode, on a real server: rows of every awkward kind (tabs, line
 * breaks, backslashes, Chinese, empty and NULL fields, sealed bytes) read
 * back exactly as after ordinary inserts; a read inside the bulk
 * transaction sees the rows still waiting; a number or an event taken
 * answers HL_ECONFLICT at once, and one only the server can see fails the
 * commit with HL_ECONFLICT and leaves the store as it was; a rollback and
 * a close forget the waiting rows; and the per-state counts, the order
 * units, the phone index and the rollups come out as on the ordinary path,
 * across the size bound that sends rows mid-transaction.
 *
 * Registered once, with HOTLINE_TEST_BACKEND=postgres: each test runs on a
 * fresh database of the server HOTLINE_TEST_PG names (store_fixture.h's
 * setup), which the throwaway server takes with it, and counts rows beside
 * the store through raw_integer (psql, a connection of its own that sees
 * only what was committed). Without HOTLINE_TEST_PG every test fails,
 * saying so, as every _pg test does. Records are filled by hand; the
 * workflow is not involved. */
#include "store_fixture.h"

/* Begins a transaction in bulk mode or not. */
static void begin(fixture *context, bool bulk)
{
    hl_error error;
    hl_store_set_bulk(context->store, bulk);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
}

static void commit(fixture *context)
{
    hl_error error;
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, false);
}

/* ---- Awkward rows ---- */

/* Order sequence (offset + variant) with texts COPY's format must escape,
 * and events of its own with the same. Variant 0 has no phone (a NULL
 * column) and empty texts; the others a phone (sealed bytes). */
static hl_order *awkward_order(int64_t offset, int variant)
{
    static const char *const texts[] = {
        "",
        "tab\there, line\nbreak, return\r, backslash \\ and \\N and \\.",
        "\\.\n\\N\t\\\\x00",
        "市民来电反映：小区\t电梯\r\n频繁故障，\\ 希望尽快处理。",
    };
    hl_order *order = make_order(offset + variant, variant == 2 ? HL_STATE_NEW : HL_STATE_HANDLING,
                                 variant == 0 ? "" : "water");
    const char *text = texts[variant % 4];
    snprintf(order->title, sizeof order->title, "%s", text);
    snprintf(order->content, sizeof order->content, "%s|%s", text, text);
    snprintf(order->citizen_name, sizeof order->citizen_name, "%s", variant == 0 ? "" : "王\t五");
    snprintf(order->address, sizeof order->address, "%s", text);
    snprintf(order->reply, sizeof order->reply, "%s", text);
    snprintf(order->survey_comment, sizeof order->survey_comment, "%s", text);
    /* A co-handling unit that is also the lead keeps one (the lead) row. */
    snprintf(order->co_units, sizeof order->co_units, "%s", variant == 3 ? "water,gas" : "");
    if (variant == 0)
        order->citizen_phone[0] = '\0';
    else
        snprintf(order->citizen_phone, sizeof order->citizen_phone, "1390000000%d", variant);
    order->has_location = variant % 2 == 1;
    order->latitude = 30.27412345678901 + variant;
    order->longitude = -120.1551234567 * variant;
    order->excluded = variant == 3;
    return order;
}

static hl_event *awkward_event(int64_t sequence, int64_t seq, int variant)
{
    hl_event *event = make_event(sequence, seq, seq == 1 ? HL_ACTION_REGISTER : HL_ACTION_DISPATCH);
    snprintf(event->note, sizeof event->note, "注\t%d\n\\行\r", variant);
    snprintf(event->details, sizeof event->details, "{\"text\":\"a\\\\tb\\n\"}");
    snprintf(event->unit, sizeof event->unit, "%s", variant == 0 ? "" : "water");
    return event;
}

#define AWKWARD 4
#define NORMAL_OFFSET 10
#define BULK_OFFSET 50

/* Inserts the awkward orders and two events each at offset, in bulk mode
 * or not, in one transaction. */
static void insert_awkward(fixture *context, int64_t offset, bool bulk)
{
    hl_error error;
    begin(context, bulk);
    for (int variant = 0; variant < AWKWARD; variant++) {
        assert_int_equal(
            hl_store_order_insert(context->store, awkward_order(offset, variant), &error), HL_OK);
        for (int64_t seq = 1; seq <= 2; seq++)
            assert_int_equal(hl_store_event_append(context->store,
                                                   awkward_event(offset + variant, seq, variant),
                                                   &error),
                             HL_OK);
    }
    commit(context);
}

static int64_t count_where(const fixture *context, const char *table, const char *column,
                           int64_t id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = %lld", table, column,
             (long long)id);
    return raw_integer(context->path, sql);
}

static void test_bulk_rows_round_trip_exactly_as_ordinary_inserts(void **state)
{
    fixture *context = *state;
    insert_awkward(context, NORMAL_OFFSET, false);
    insert_awkward(context, BULK_OFFSET, true);
    reopen(context);
    hl_error error;
    static hl_order normal, bulk;
    static hl_event normal_event, bulk_event;
    for (int variant = 0; variant < AWKWARD; variant++) {
        int64_t normal_id = ORDER_BASE + NORMAL_OFFSET + variant;
        int64_t bulk_id = ORDER_BASE + BULK_OFFSET + variant;
        memset(&normal, 0, sizeof normal);
        memset(&bulk, 0, sizeof bulk);
        assert_int_equal(hl_store_order_get(context->store, normal_id, &normal, &error), HL_OK);
        assert_int_equal(hl_store_order_get(context->store, bulk_id, &bulk, &error), HL_OK);
        /* Every field alike but the number and the received time it sets. */
        assert_string_equal(bulk.title, awkward_order(BULK_OFFSET, variant)->title);
        assert_string_equal(bulk.citizen_phone, scratch_order.citizen_phone);
        bulk.id = normal.id;
        bulk.received_at = normal.received_at;
        assert_memory_equal(&bulk, &normal, sizeof normal);
        for (int64_t seq = 1; seq <= 2; seq++) {
            memset(&normal_event, 0, sizeof normal_event);
            memset(&bulk_event, 0, sizeof bulk_event);
            assert_int_equal(
                hl_store_event_get(context->store, normal_id, seq, &normal_event, &error), HL_OK);
            assert_int_equal(hl_store_event_get(context->store, bulk_id, seq, &bulk_event, &error),
                             HL_OK);
            assert_string_equal(bulk_event.note, awkward_event(0, seq, variant)->note);
            bulk_event.order_id = normal_event.order_id;
            assert_memory_equal(&bulk_event, &normal_event, sizeof normal_event);
        }
        /* The rows that come with an order: its units and its phone entry. */
        assert_int_equal(count_where(context, "order_units", "order_id", bulk_id),
                         count_where(context, "order_units", "order_id", normal_id));
        assert_int_equal(count_where(context, "phone_index", "order_id", bulk_id),
                         count_where(context, "phone_index", "order_id", normal_id));
        assert_int_equal(count_where(context, "phone_index", "order_id", bulk_id),
                         variant == 0 ? 0 : 1);
    }
    assert_int_equal(count_where(context, "order_units", "order_id", ORDER_BASE + BULK_OFFSET + 3),
                     2);
    /* The phone search finds both copies through the index. */
    hl_order_filter phone = {.phone = "139 0000 0003", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    id_list found = query(context->store, &phone);
    int64_t expected[] = {BULK_OFFSET + 3, NORMAL_OFFSET + 3};
    assert_ids(&found, expected, 2);
    hl_order_filter co_unit = {.co_unit = "gas", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    found = query(context->store, &co_unit);
    assert_ids(&found, expected, 2);
    assert_state_counts_are_real(context);
}

static void test_a_read_in_the_bulk_transaction_sees_the_waiting_rows(void **state)
{
    fixture *context = *state;
    hl_error error;
    begin(context, true);
    for (int64_t sequence = 1; sequence <= 3; sequence++) {
        assert_int_equal(hl_store_order_insert(context->store,
                                               make_order(sequence, HL_STATE_NEW, "water"), &error),
                         HL_OK);
        assert_int_equal(hl_store_event_append(context->store,
                                               make_event(sequence, 1, HL_ACTION_REGISTER), &error),
                         HL_OK);
    }
    /* Nothing was sent yet: the server holds no lock on events for this
     * transaction, as it would after one INSERT. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM pg_locks l JOIN pg_class c "
                                                "ON c.oid = l.relation WHERE c.relname = 'events' "
                                                "AND l.pid <> pg_backend_pid()"),
                     0);
    /* Reads of every kind see them. */
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 2, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.title, "工单 2");
    /* (A count of states alone reads the committed per-state counts.) */
    hl_order_filter all = {.unit = "water"};
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &all, &count, &error), HL_OK);
    assert_int_equal(count, 3);
    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 3, 1, &scratch_event, &error),
                     HL_OK);
    int64_t highest = 0;
    assert_int_equal(
        hl_store_order_max_id(context->store, ORDER_BASE, ORDER_BASE + 999999, &highest, &error),
        HL_OK);
    assert_int_equal(highest, ORDER_BASE + 3);
    hl_order_filter phone = {.phone = "13800000000", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    id_list found = query(context->store, &phone);
    int64_t expected[] = {3, 2, 1};
    assert_ids(&found, expected, 3);
    /* Inserts after the read go on waiting, and the commit sends them. */
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(4, HL_STATE_NEW, "water"), &error), HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 0);
    commit(context);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 4);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 3);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 4);
    assert_state_counts_are_real(context);
}

static void test_a_taken_number_in_bulk_mode_conflicts_and_leaves_the_store_unchanged(void **state)
{
    fixture *context = *state;
    hl_error error;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    /* Taken before the transaction, or earlier in it: HL_ECONFLICT at once,
     * and the transaction goes on, as with ordinary inserts. */
    begin(context, true);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, "water"), &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, "water"), &error),
        HL_ECONFLICT);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, "water"), &error),
        HL_ECONFLICT);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(2, 1, HL_ACTION_REGISTER), &error), HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(2, 1, HL_ACTION_REGISTER), &error),
        HL_ECONFLICT);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(1, 1, HL_ACTION_REGISTER), &error),
        HL_ECONFLICT);
    hl_store_rollback(context->store);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 1);

    /* A clash only the server sees (an event left without its order, as a
     * hand edit could leave it) fails the COPY at commit: HL_ECONFLICT,
     * and after the rollback nothing of the transaction is kept. The key
     * the server holds is (order, seq, at) since the log is partitioned by
     * time, so the stray event has make_event's time. */
    assert_int_equal(raw_exec(context->path, "INSERT INTO events(order_id, seq, at) "
                                             "VALUES(20240215000005, 1, 1707962401)"),
                     0);
    begin(context, true);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(4, HL_STATE_NEW, "water"), &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(5, HL_STATE_NEW, "water"), &error), HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(5, 1, HL_ACTION_REGISTER), &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_ECONFLICT);
    hl_store_rollback(context->store);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 1);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units"), 1);
    assert_state_counts_are_real(context);
    /* The store goes on: the same numbers are free. */
    insert(context->store, make_order(4, HL_STATE_NEW, "water"));
    assert_state_counts_are_real(context);
}

static void test_rollback_and_close_drop_the_waiting_rows(void **state)
{
    fixture *context = *state;
    hl_error error;
    begin(context, true);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, "water"), &error), HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(1, 1, HL_ACTION_REGISTER), &error), HL_OK);
    hl_store_rollback(context->store);
    /* The next transaction (bulk mode still on) sends nothing of the
     * last: the same number and event are free. */
    begin(context, true);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, "gas"), &error), HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(1, 1, HL_ACTION_REGISTER), &error), HL_OK);
    commit(context);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.lead_unit, "gas");
    /* Closed with rows waiting: they are forgotten, as a crash would. */
    begin(context, true);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, "water"), &error), HL_OK);
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
    assert_state_counts_are_real(context);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 1);
}

typedef struct rollup_sum {
    int64_t total;
    int rows;
} rollup_sum;

static int sum_rollup(void *context, const hl_rollup_delta *row)
{
    rollup_sum *sum = context;
    sum->total += row->amount * (row->counter + 1);
    sum->rows++;
    return 0;
}

/* Inserts count orders of large texts (past the size bound that sends the
 * rows mid-transaction) at offset, with an event and a rollup each. */
static void insert_many(fixture *context, int64_t offset, int count, bool bulk)
{
    hl_error error;
    begin(context, bulk);
    for (int index = 0; index < count; index++) {
        static const hl_state states[] = {HL_STATE_NEW, HL_STATE_DISPATCHED, HL_STATE_HANDLING,
                                          HL_STATE_COMPLETED};
        hl_order *order = make_order(offset + index, states[index % 4], index % 3 ? "water" : "");
        memset(order->content, 'x', 10000);
        order->content[10000] = '\0';
        assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
        assert_int_equal(hl_store_event_append(context->store,
                                               make_event(offset + index, 1, HL_ACTION_REGISTER),
                                               &error),
                         HL_OK);
        hl_rollup_delta delta = {.month = 202402, .counter = (hl_counter)(index % 3), .amount = 1};
        snprintf(delta.unit, sizeof delta.unit, "%s", index % 2 ? "water" : "");
        assert_int_equal(hl_store_rollup_add(context->store, &delta, &error), HL_OK);
    }
    commit(context);
}

static void test_counts_and_rollups_in_bulk_mode_equal_the_ordinary_path(void **state)
{
    fixture *context = *state;
    hl_error error;
    enum { MANY = 600 };
    insert_many(context, 1, MANY, false);
    int64_t normal_counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, normal_counts, &error), HL_OK);
    rollup_sum normal = {0, 0};
    assert_int_equal(hl_store_rollup_month(context->store, 202402, sum_rollup, &normal, &error),
                     HL_OK);
    insert_many(context, 1 + MANY, MANY, true);
    int64_t both_counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, both_counts, &error), HL_OK);
    for (int index = 0; index < HL_STATE_COUNT; index++)
        assert_int_equal(both_counts[index], 2 * normal_counts[index]);
    assert_state_counts_are_real(context);
    rollup_sum both = {0, 0};
    assert_int_equal(hl_store_rollup_month(context->store, 202402, sum_rollup, &both, &error),
                     HL_OK);
    assert_int_equal(both.total, 2 * normal.total);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 2 * MANY);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units"),
                     2 * raw_integer(context->path,
                                     "SELECT count(*) FROM order_units WHERE order_id < "
                                     "20240215000601"));
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM orders WHERE length(content) = 10000"),
        2 * MANY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bulk_rows_round_trip_exactly_as_ordinary_inserts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_read_in_the_bulk_transaction_sees_the_waiting_rows,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_taken_number_in_bulk_mode_conflicts_and_leaves_the_store_unchanged, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_close_drop_the_waiting_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_counts_and_rollups_in_bulk_mode_equal_the_ordinary_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
