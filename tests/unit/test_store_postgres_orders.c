/* test_store_postgres_orders.c: orders, events, rollups, lists and phones
 * in the PostgreSQL store, on a real server: the round trip of every field,
 * conflicts and the optimistic update, order_units and the sharded
 * per-state counts kept in step, the append-only log, rollups written at
 * commit, every member of the order filter with its sorts and pages, the
 * phone search, and two concurrency checks (several connections
 * registering orders of one day at once get dense numbers; several
 * updating one order at once, exactly one wins each version).
 *
 * Registered once, with HOTLINE_TEST_BACKEND=postgres: each test runs on a
 * fresh database of the server HOTLINE_TEST_PG names (store_fixture.h's
 * setup), which the throwaway server takes with it, and reads or refuses
 * rows beside the store through raw_exec and raw_integer (psql, a
 * connection of its own). The concurrency checks' threads each open the
 * store at the same address, so every writer has a connection of its own.
 * Without HOTLINE_TEST_PG every test fails, saying so, as every _pg test
 * does. Records are filled by hand; the workflow is not involved. */
#include "store_fixture.h"

#include <pthread.h>

/* ---- Orders ---- */

static void test_order_round_trip_of_every_field(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(7, HL_STATE_RETURN_PENDING, "water-bureau");
    order->version = 9;
    order->state_before_return = HL_STATE_SIGNED;
    order->channel = HL_CHANNEL_WECHAT;
    order->type = HL_TYPE_SUGGESTION;
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "+86 138 0000 0000");
    snprintf(order->address, sizeof order->address, "浙江省杭州市西湖区文三路 90 号");
    order->has_location = true;
    order->latitude = 30.2741234567;
    order->longitude = 120.1551234567;
    size_t length = 0;
    for (int index = 0; index < HL_CONTENT_CHARS; index++) {
        memcpy(order->content + length, index % 2 == 0 ? "水" : "电", 3);
        length += 3;
    }
    order->content[length] = '\0';
    snprintf(order->co_units, sizeof order->co_units, "power,gas.co");
    snprintf(order->reply, sizeof order->reply, "已安排维修 'quoted' \"too\"\n谢谢。");
    order->due_at = 1708617599;
    order->extension_count = 1;
    order->duplicate_of = ORDER_BASE + 1;
    order->excluded = true;
    snprintf(order->excluded_reason, sizeof order->excluded_reason, "不可抗力：台风");
    order->assessed_month = 202402;
    order->survey_result = HL_SURVEY_FAILED;
    order->rating = HL_RATING_COUNT - 1;
    order->appeal_state = HL_APPEAL_REJECTED;
    snprintf(order->appeal_reason, sizeof order->appeal_reason, "理由");
    insert(context->store, order);
    reopen(context);
    hl_order *read = &scratch_read;
    memset(read, 0x5a, sizeof *read);
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, order->id, read, &error), HL_OK);
    assert_int_equal(read->version, 9);
    assert_int_equal(read->state, HL_STATE_RETURN_PENDING);
    assert_int_equal(read->state_before_return, HL_STATE_SIGNED);
    assert_int_equal(read->channel, HL_CHANNEL_WECHAT);
    assert_int_equal(read->type, HL_TYPE_SUGGESTION);
    assert_string_equal(read->citizen_phone, order->citizen_phone);
    assert_string_equal(read->address, order->address);
    assert_true(read->has_location);
    assert_true(read->latitude == order->latitude);
    assert_true(read->longitude == order->longitude);
    assert_string_equal(read->content, order->content);
    assert_string_equal(read->co_units, order->co_units);
    assert_string_equal(read->reply, order->reply);
    assert_int_equal(read->due_at, order->due_at);
    assert_int_equal(read->duplicate_of, ORDER_BASE + 1);
    assert_true(read->excluded);
    assert_string_equal(read->excluded_reason, order->excluded_reason);
    assert_int_equal(read->assessed_month, 202402);
    assert_int_equal(read->survey_result, HL_SURVEY_FAILED);
    assert_int_equal(read->rating, HL_RATING_COUNT - 1);
    assert_int_equal(read->appeal_state, HL_APPEAL_REJECTED);
    assert_string_equal(read->appeal_reason, "理由");
    /* The phone is sealed at rest, never in clear. */
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM orders WHERE position('138'::bytea IN "
                                 "citizen_phone) > 0"),
                     0);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 99, read, &error),
                     HL_ENOTFOUND);
}

static void test_duplicate_number_conflicts_and_the_transaction_goes_on(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, "power"), &error),
        HL_ECONFLICT);
    /* As in SQLite, the failed insert leaves the transaction usable. */
    assert_int_equal(hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, ""), &error),
                     HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.lead_unit, "water");
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 2);
}

static void test_update_is_optimistic(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    insert(context->store, order);
    order->version = 2;
    order->state = HL_STATE_DISPATCHED;
    snprintf(order->lead_unit, sizeof order->lead_unit, "water");
    snprintf(order->title, sizeof order->title, "registration never changes");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, order->id, &scratch_read, &error), HL_OK);
    assert_int_equal(scratch_read.version, 2);
    assert_string_equal(scratch_read.lead_unit, "water");
    assert_string_equal(scratch_read.title, "工单 1");
    /* A stale version conflicts and changes nothing; an absent order is not found. */
    order->version = 3;
    order->state = HL_STATE_SIGNED;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_ECONFLICT);
    order->id = ORDER_BASE + 42;
    assert_int_equal(hl_store_order_update(context->store, order, 2, &error), HL_ENOTFOUND);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_int_equal(scratch_read.state, HL_STATE_DISPATCHED);
}

static void test_unit_rows_and_state_counts_follow_writes(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    assert_state_counts_are_real(context);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units"), 5 + 5);
    /* Order 2 moves from water (co: power, gas) to gas (co: water). */
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 2, &scratch_order, &error),
                     HL_OK);
    hl_order *order = &scratch_order;
    order->version = 2;
    order->state = HL_STATE_COMPLETED;
    snprintf(order->lead_unit, sizeof order->lead_unit, "gas");
    snprintf(order->co_units, sizeof order->co_units, "water,gas");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_OK);
    /* Counts wait for the commit, as SQLite's do. */
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_state_counts_are_real(context);
    assert_int_equal(
        raw_integer(context->path,
                    "SELECT count(*) FROM order_units WHERE order_id = 20240215000002 AND "
                    "((unit = 'gas' AND lead = 1) OR (unit = 'water' AND lead = 0))"),
        2);
    assert_int_equal(
        raw_integer(context->path,
                    "SELECT count(*) FROM order_units WHERE order_id = 20240215000002"),
        2);
    /* A rollback forgets the counts of its writes. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(9, HL_STATE_NEW, "x"), &error), HL_OK);
    hl_store_rollback(context->store);
    assert_state_counts_are_real(context);
    /* Written to this connection's shard: the rows of several shards sum. */
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_COMPLETED], 2);
}

static int collect_head(void *context, int64_t id, hl_state state, int64_t version)
{
    id_list *list = context;
    (void)state;
    (void)version;
    list->ids[list->count++] = id - ORDER_BASE;
    return 0;
}

static void test_heads_and_the_largest_number_of_a_range(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(3, HL_STATE_NEW, ""));
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    insert(context->store, make_order(2, HL_STATE_NEW, ""));
    id_list heads = {.count = 0};
    hl_error error;
    assert_int_equal(hl_store_order_heads(context->store, collect_head, &heads, &error), HL_OK);
    int64_t expected[] = {1, 2, 3};
    assert_ids(&heads, expected, 3);
    int64_t highest = -1;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_max_id(context->store, ORDER_BASE + 1, ORDER_BASE + 2, &highest, &error),
        HL_OK);
    assert_int_equal(highest, ORDER_BASE + 2);
    assert_int_equal(hl_store_order_max_id(context->store, ORDER_BASE + 1000000 + 1,
                                           ORDER_BASE + 1999999, &highest, &error),
                     HL_OK);
    assert_int_equal(highest, 0);
    hl_store_rollback(context->store);
}

/* ---- Events ---- */

static void test_events_append_list_scan_and_stay_append_only(void **state)
{
    fixture *context = *state;
    append(context->store, make_event(2, 1, HL_ACTION_REGISTER));
    append(context->store, make_event(1, 2, HL_ACTION_DISPATCH));
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_event_append(context->store, make_event(1, 1, HL_ACTION_REGISTER), &error),
        HL_ECONFLICT);
    hl_store_rollback(context->store);
    id_list list = {.count = 0};
    assert_int_equal(
        hl_store_event_list(context->store, ORDER_BASE + 1, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.seqs[0], 1);
    assert_int_equal(list.seqs[1], 2);
    id_list all = {.count = 0};
    assert_int_equal(hl_store_event_scan(context->store, collect_event, &all, &error), HL_OK);
    assert_int_equal(all.count, 3);
    assert_int_equal(all.ids[0] * 10 + all.seqs[0], 11);
    assert_int_equal(all.ids[1] * 10 + all.seqs[1], 12);
    assert_int_equal(all.ids[2] * 10 + all.seqs[2], 21);
    hl_event *event = &scratch_event;
    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 2, event, &error), HL_OK);
    assert_int_equal(event->action, HL_ACTION_DISPATCH);
    assert_string_equal(event->note, "第 2 步");
    assert_string_equal(event->details, "{\"seq\":2}");
    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 9, event, &error),
                     HL_ENOTFOUND);
    /* The database refuses to change or remove an event, whoever asks. */
    assert_int_not_equal(raw_exec(context->path, "UPDATE events SET note = 'x'"), 0);
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM events"), 0);
    assert_int_not_equal(raw_exec(context->path, "TRUNCATE events"), 0);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 3);
}

static void test_events_by_time_channel_and_action(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    order->channel = HL_CHANNEL_WECHAT;
    insert(context->store, order);
    insert(context->store, make_order(2, HL_STATE_NEW, ""));
    for (int64_t seq = 1; seq <= 4; seq++) {
        append(context->store,
               make_event(1, seq, seq == 1 ? HL_ACTION_REGISTER : HL_ACTION_DISPATCH));
        append(context->store,
               make_event(2, seq, seq == 1 ? HL_ACTION_REGISTER : HL_ACTION_DISPATCH));
    }
    hl_error error;
    hl_event_filter filter = {.at_from = 1707962400 + 2, .at_to = 1707962400 + 4};
    int64_t count = -1;
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 4);
    filter.limit = 2;
    filter.offset = 1;
    id_list page = {.count = 0};
    assert_int_equal(hl_store_event_query(context->store, &filter, collect_event, &page, &error),
                     HL_OK);
    /* In (at, order, seq) order: 1/2, 2/2, 1/3, 2/3; the page is the middle two. */
    assert_int_equal(page.count, 2);
    assert_int_equal(page.ids[0] * 10 + page.seqs[0], 22);
    assert_int_equal(page.ids[1] * 10 + page.seqs[1], 13);
    hl_event_filter channel = {.at_from = 0,
                               .channel_mask = 1u << HL_CHANNEL_WECHAT,
                               .action_mask = 1u << HL_ACTION_REGISTER};
    assert_int_equal(hl_store_event_count(context->store, &channel, &count, &error), HL_OK);
    assert_int_equal(count, 1);
}

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
    insert_filter_orders(context->store);
    id_list list = {.count = 0, .stop_after = 2};
    assert_int_equal(hl_store_order_query(context->store, NULL, collect_order, &list, &error), 42);
    assert_int_equal(list.count, 2);
}

/* ---- Rollups ---- */

typedef struct rollup_rows {
    int rows;
    char units[8][HL_CODE_BYTES];
    int64_t amounts[8];
} rollup_rows;

static int collect_rollup(void *context, const hl_rollup_delta *row)
{
    rollup_rows *rows = context;
    if (rows->rows < 8) {
        snprintf(rows->units[rows->rows], HL_CODE_BYTES, "%s", row->unit);
        rows->amounts[rows->rows] = row->amount;
    }
    rows->rows++;
    return 0;
}

static int collect_month_total(void *context, int month, int64_t total)
{
    int64_t *totals = context;
    totals[month - 202401] = total;
    return 0;
}

static void add_rollup(hl_store *store, int month, const char *unit, hl_counter counter,
                       int64_t amount)
{
    hl_rollup_delta delta = {.month = month, .counter = counter, .amount = amount};
    snprintf(delta.unit, sizeof delta.unit, "%s", unit);
    hl_error error;
    assert_int_equal(hl_store_rollup_add(store, &delta, &error), HL_OK);
}

static void test_rollups_add_at_commit_and_read_back(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    add_rollup(context->store, 202402, "water", HL_COUNTER_DISPATCHED, 1);
    add_rollup(context->store, 202402, "", HL_COUNTER_RECEIVED, 1);
    add_rollup(context->store, 202402, "water", HL_COUNTER_DISPATCHED, 2);
    add_rollup(context->store, 202401, "gas", HL_COUNTER_DISPATCHED, 5);
    /* Not yet written... */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM rollups"), 0);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    /* ...and written, summed, at commit. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM rollups"), 3);
    rollup_rows month = {.rows = 0};
    assert_int_equal(hl_store_rollup_month(context->store, 202402, collect_rollup, &month, &error),
                     HL_OK);
    assert_int_equal(month.rows, 2);
    assert_string_equal(month.units[0], "");
    assert_string_equal(month.units[1], "water");
    assert_int_equal(month.amounts[1], 3);
    /* A transaction reads its own additions; a rollback forgets them. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    add_rollup(context->store, 202402, "water", HL_COUNTER_DISPATCHED, 10);
    rollup_rows all = {.rows = 0};
    assert_int_equal(hl_store_rollup_each(context->store, collect_rollup, &all, &error), HL_OK);
    assert_int_equal(all.rows, 3);
    assert_int_equal(all.amounts[2], 13);
    hl_store_rollback(context->store);
    int64_t totals[2] = {0, 0};
    assert_int_equal(hl_store_rollup_months(context->store, HL_COUNTER_DISPATCHED,
                                            collect_month_total, totals, &error),
                     HL_OK);
    assert_int_equal(totals[0], 5);
    assert_int_equal(totals[1], 3);
    /* Outside a transaction an addition is its own. */
    add_rollup(context->store, 202401, "gas", HL_COUNTER_DISPATCHED, 1);
    assert_int_equal(raw_integer(context->path, "SELECT value FROM rollups WHERE unit = 'gas'"), 6);
}

/* ---- Lists ---- */

static void test_every_filter_member(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    struct {
        hl_order_filter filter;
        int64_t expected[5];
        int count;
    } cases[] = {
        {{.state_mask = HL_STATE_BIT(HL_STATE_NEW) | HL_STATE_BIT(HL_STATE_SIGNED)}, {1, 5}, 2},
        {{.unit = "water"}, {1, 2, 5}, 3},
        {{.co_unit = "gas"}, {2, 5}, 2},
        {{.co_unit = "water"}, {4}, 1},
        {{.scope_unit = "water"}, {1, 2, 4, 5}, 4},
        {{.category = "road"}, {3, 4}, 2},
        {{.categories = "road,nothing"}, {3, 4}, 2},
        {{.received_from = 2000, .received_to = 4000}, {2, 3}, 2},
        {{.due_before = 4000}, {3, 5}, 2},
        {{.due_from = 3000}, {2, 3}, 2},
        {{.text = "停水"}, {2, 4}, 2},
        {{.text = "%"}, {0}, 0},
        {{.unit = "water' OR '1'='1"}, {0}, 0},
        {{.after_id = ORDER_BASE + 3}, {4, 5}, 2},
        {{.before_id = ORDER_BASE + 3, .sort = HL_ORDER_SORT_RECEIVED_DESC}, {2, 1}, 2},
        {{.before_id = ORDER_BASE + 99}, {0}, 0},
        {{.channel_mask = 1u << HL_CHANNEL_PHONE, .limit = 2, .offset = 1}, {2, 3}, 2},
        {{.channel_mask = 1u << HL_CHANNEL_WECHAT}, {0}, 0},
        {{.unit = "water", .sort = HL_ORDER_SORT_RECEIVED_DESC, .limit = 2}, {5, 2}, 2},
        {{.scope_unit = "water", .sort = HL_ORDER_SORT_RECEIVED}, {1, 2, 4, 5}, 4},
        {{.sort = HL_ORDER_SORT_DEADLINE}, {5, 3, 2, 4, 1}, 5},
        {{.sort = HL_ORDER_SORT_DEADLINE_DESC}, {2, 3, 5, 4, 1}, 5},
        {{.sort = HL_ORDER_SORT_DEADLINE, .limit = 2, .offset = 2}, {2, 4}, 2},
        {{.sort = HL_ORDER_SORT_DEADLINE, .limit = 2, .offset = 3}, {4, 1}, 2},
        {{.sort = HL_ORDER_SORT_DEADLINE, .offset = 4}, {1}, 1},
        {{.assessed_month = 202402}, {0}, 0},
        {{.appeal_upheld = true}, {0}, 0},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        id_list rows = query(context->store, &cases[index].filter);
        if (rows.count != cases[index].count)
            print_message("filter case %zu\n", index);
        assert_ids(&rows, cases[index].expected, cases[index].count);
    }
}

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
        assert_int_equal(hl_store_order_count(context->store, &filters[index], &total, &error),
                         HL_OK);
        assert_int_equal(total, rows.count);
        assert_int_equal(
            hl_store_order_count_by_state(context->store, &filters[index], by_state, &error),
            HL_OK);
        int64_t sum = 0;
        for (int state_index = 0; state_index < HL_STATE_COUNT; state_index++)
            sum += by_state[state_index];
        assert_int_equal(sum, rows.count);
    }
}

typedef struct category_tally {
    char codes[4][HL_CODE_BYTES];
    int64_t counts[4];
    int count;
} category_tally;

static int tally_category(void *context, const char *code, int64_t count)
{
    category_tally *tally = context;
    assert_true(tally->count < 4);
    snprintf(tally->codes[tally->count], HL_CODE_BYTES, "%s", code);
    tally->counts[tally->count++] = count;
    return 0;
}

static void test_count_by_category_and_phone_search(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    /* The directory is another file's: its rows are written directly. */
    assert_int_equal(
        raw_exec(context->path,
                 "INSERT INTO categories(code) VALUES ('road'), ('noise'), ('unused')"),
        0);
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    hl_order *order = make_order(6, HL_STATE_NEW, "");
    order->category[0] = '\0';
    order->received_at = 2500;
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "139-0000-0000");
    assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    category_tally tally = {.count = 0};
    assert_int_equal(hl_store_order_count_by_category(context->store, 2000, 5000, tally_category,
                                                      &tally, &error),
                     HL_OK);
    assert_int_equal(tally.count, 3);
    assert_string_equal(tally.codes[0], "");
    assert_string_equal(tally.codes[1], "noise");
    assert_string_equal(tally.codes[2], "road");
    assert_int_equal(tally.counts[2], 2);
    /* A number found however it is written, newest first. */
    hl_order_filter phone = {.phone = "13900000000", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    id_list found = query(context->store, &phone);
    int64_t expected[] = {6};
    assert_ids(&found, expected, 1);
    phone.phone = "138 0000 0000";
    found = query(context->store, &phone);
    int64_t all[] = {5, 4, 3, 2, 1};
    assert_ids(&found, all, 5);
    /* Without a codec nothing is sealed, opened or searched. */
    hl_store_set_phone_codec(context->store, NULL);
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &phone, &count, &error), HL_EIO);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_EIO);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(7, HL_STATE_NEW, ""), &error),
                     HL_EIO);
    hl_store_rollback(context->store);
    /* There is never anything in clear to seal. */
    assert_int_equal(hl_store_seal_phones(context->store, &error), HL_OK);
}

/* ---- Concurrency: one connection per thread ---- */

#define WRITERS 6
#define ORDERS_EACH 15
#define DAY_PREFIX 20240301000000LL

typedef struct writer {
    const char *address;
    int index;
    pthread_barrier_t *barrier;
    int registered;
    int retries;
    int result;
    int64_t expected_version; /* for the updaters */
    int outcome;
} writer;

static hl_store *open_own(const char *address)
{
    hl_store *store = NULL;
    hl_error error;
    if (hl_store_open(address, &store, &error) != HL_OK)
        return NULL;
    test_store_use_key(store);
    return store;
}

/* One registration as app/ makes it: the day's largest number, the next
 * one, the order, its first event and the month's counters of two units
 * (in an order that differs between writers). */
static int register_one(hl_store *store, writer *self, hl_order *order, hl_error *error)
{
    int64_t highest = 0;
    int result = hl_store_begin(store, error);
    if (result != HL_OK)
        return result;
    result = hl_store_order_max_id(store, DAY_PREFIX + 1, DAY_PREFIX + HL_ORDER_SEQUENCE_LIMIT - 1,
                                   &highest, error);
    memset(order, 0, sizeof *order);
    order->id = (highest > 0 ? highest : DAY_PREFIX) + 1;
    order->version = 1;
    order->state = HL_STATE_NEW;
    order->received_at = 1709251200 + self->index;
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "1380000%04d", self->index);
    snprintf(order->lead_unit, sizeof order->lead_unit, "unit%d", self->index % 3);
    if (result == HL_OK)
        result = hl_store_order_insert(store, order, error);
    hl_event event = {.order_id = order->id,
                      .seq = 1,
                      .at = order->received_at,
                      .action = HL_ACTION_REGISTER,
                      .to_state = HL_STATE_NEW};
    if (result == HL_OK)
        result = hl_store_event_append(store, &event, error);
    const char *units[2] = {"east", "west"};
    for (int turn = 0; turn < 2 && result == HL_OK; turn++) {
        hl_rollup_delta delta = {.month = 202403, .counter = HL_COUNTER_RECEIVED, .amount = 1};
        snprintf(delta.unit, sizeof delta.unit, "%s", units[(turn + self->index) % 2]);
        result = hl_store_rollup_add(store, &delta, error);
    }
    return hl_store_finish(store, result, error);
}

static void *register_orders(void *argument)
{
    writer *self = argument;
    hl_store *store = open_own(self->address);
    hl_order *order = calloc(1, sizeof *order);
    self->result = store != NULL && order != NULL ? HL_OK : HL_EIO;
    pthread_barrier_wait(self->barrier);
    while (self->result == HL_OK && self->registered < ORDERS_EACH) {
        hl_error error;
        int result = register_one(store, self, order, &error);
        if (result == HL_ERETRY)
            self->retries++;
        else if (result != HL_OK)
            self->result = result;
        else
            self->registered++;
    }
    free(order);
    if (store != NULL)
        hl_store_close(store);
    return NULL;
}

static void test_concurrent_registrations_of_one_day_get_dense_numbers(void **state)
{
    fixture *context = *state;
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, WRITERS);
    writer writers[WRITERS];
    pthread_t threads[WRITERS];
    for (int index = 0; index < WRITERS; index++) {
        writers[index] = (writer){.address = context->path, .index = index, .barrier = &barrier};
        assert_int_equal(pthread_create(&threads[index], NULL, register_orders, &writers[index]),
                         0);
    }
    int retries = 0;
    for (int index = 0; index < WRITERS; index++) {
        pthread_join(threads[index], NULL);
        assert_int_equal(writers[index].result, HL_OK);
        assert_int_equal(writers[index].registered, ORDERS_EACH);
        retries += writers[index].retries;
    }
    pthread_barrier_destroy(&barrier);
    /* Every number from 1 to the total, each once: no gap, no duplicate. */
    int64_t total = WRITERS * ORDERS_EACH;
    assert_int_equal(raw_integer(context->path, "SELECT count(DISTINCT id) FROM orders"), total);
    assert_int_equal(raw_integer(context->path, "SELECT min(id) - 20240301000000 FROM orders"), 1);
    assert_int_equal(raw_integer(context->path, "SELECT max(id) - 20240301000000 FROM orders"),
                     total);
    /* The counters and the list rows agree with the orders. */
    hl_error error;
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], total);
    assert_int_equal(raw_integer(context->path, "SELECT sum(value) FROM rollups"), 2 * total);
    /* Each counter reads as one row, the sum of the writers' shards. */
    assert_true(raw_integer(context->path, "SELECT count(DISTINCT shard) FROM rollups") > 1);
    rollup_rows month = {.rows = 0};
    assert_int_equal(hl_store_rollup_month(context->store, 202403, collect_rollup, &month, &error),
                     HL_OK);
    assert_int_equal(month.rows, 2);
    assert_string_equal(month.units[0], "east");
    assert_int_equal(month.amounts[0], total);
    assert_int_equal(month.amounts[1], total);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units"), total);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), total);
    /* The rollup rows are taken in key order, so the writers never
     * deadlock on them, whatever order their additions came in. */
    assert_int_equal(retries, 0);
}

static void *update_order(void *argument)
{
    writer *self = argument;
    hl_store *store = open_own(self->address);
    hl_order *order = calloc(1, sizeof *order);
    hl_error error;
    self->result = store != NULL && order != NULL ? HL_OK : HL_EIO;
    if (self->result == HL_OK)
        self->result = hl_store_order_get(store, ORDER_BASE + 1, order, &error);
    pthread_barrier_wait(self->barrier);
    if (self->result == HL_OK) {
        order->version = self->expected_version + 1;
        order->state = self->index % 2 == 0 ? HL_STATE_DISPATCHED : HL_STATE_SIGNED;
        snprintf(order->reply, sizeof order->reply, "writer %d", self->index);
        int result = hl_store_begin(store, &error);
        if (result == HL_OK)
            result = hl_store_order_update(store, order, self->expected_version, &error);
        self->outcome = hl_store_finish(store, result, &error);
    }
    free(order);
    if (store != NULL)
        hl_store_close(store);
    return NULL;
}

static void test_concurrent_updates_of_one_order_one_wins(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    for (int64_t version = 1; version <= 3; version++) {
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, WRITERS);
        writer writers[WRITERS];
        pthread_t threads[WRITERS];
        for (int index = 0; index < WRITERS; index++) {
            writers[index] = (writer){.address = context->path,
                                      .index = index,
                                      .barrier = &barrier,
                                      .expected_version = version};
            assert_int_equal(pthread_create(&threads[index], NULL, update_order, &writers[index]),
                             0);
        }
        int wins = 0, conflicts = 0;
        for (int index = 0; index < WRITERS; index++) {
            pthread_join(threads[index], NULL);
            assert_int_equal(writers[index].result, HL_OK);
            if (writers[index].outcome == HL_OK)
                wins++;
            else if (writers[index].outcome == HL_ECONFLICT)
                conflicts++;
        }
        pthread_barrier_destroy(&barrier);
        assert_int_equal(wins, 1);
        assert_int_equal(conflicts, WRITERS - 1);
        hl_error error;
        assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                         HL_OK);
        assert_int_equal(scratch_read.version, version + 1);
        assert_state_counts_are_real(context);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_round_trip_of_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_number_conflicts_and_the_transaction_goes_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_is_optimistic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_rows_and_state_counts_follow_writes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_heads_and_the_largest_number_of_a_range, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_append_list_scan_and_stay_append_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_by_time_channel_and_action, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visitors_may_call_back_into_the_store, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rollups_add_at_commit_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_filter_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_agree_with_the_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_by_category_and_phone_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_registrations_of_one_day_get_dense_numbers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_updates_of_one_order_one_wins, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
