/* test_store_events.c: the append-only log and the monthly counters
 * in the store (on each backend): events refuse changes and duplicates, come back in
 * order and whole, visitors may call back into the store, events by order
 * and by time, and rollups that accumulate and sum by month. Records are
 * filled by hand; the workflow is not involved. */
#include "store_fixture.h"

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
        hl_rollup_delta delta = {.month = rows[index].month,
                                 .counter = rows[index].counter,
                                 .amount = rows[index].amount};
        snprintf(delta.unit, sizeof delta.unit, "%s", rows[index].unit);
        assert_int_equal(hl_store_rollup_add(context->store, &delta, &error), HL_OK);
    }
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    month_tally tally = {.count = 0};
    assert_int_equal(
        hl_store_rollup_months(context->store, HL_COUNTER_SURVEYED, tally_month, &tally, &error),
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

    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 3, &scratch_event, &error),
                     HL_OK);
    assert_int_equal(scratch_event.action, HL_ACTION_REMIND);
    assert_string_equal(scratch_event.note, "第 3 步");
    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 4, &scratch_event, &error),
                     HL_ENOTFOUND);

    hl_event_filter filter = {.at_from = 1707962400 + 2};
    id_list list = {.count = 0};
    assert_int_equal(hl_store_event_query(context->store, &filter, collect_event, &list, &error),
                     HL_OK);
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

    filter =
        (hl_event_filter){.action_mask = (1u << HL_ACTION_DISPATCH) | (1u << HL_ACTION_REMIND)};
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 3);
    filter.limit = 1;
    filter.offset = 1;
    list.count = 0;
    assert_int_equal(hl_store_event_query(context->store, &filter, collect_event, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(list.ids[0], 2);
    assert_int_equal(list.seqs[0], 2);
    assert_int_equal(hl_store_event_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 3); /* the total behind the page */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_events_are_append_only),
        STORE_TEST(test_event_with_duplicate_seq_conflicts),
        STORE_TEST(test_event_list_in_seq_order),
        STORE_TEST(test_event_fields_round_trip),
        STORE_TEST(test_event_scan_orders_by_order_then_seq),
        STORE_TEST(test_visitors_may_call_back_into_the_store),
        STORE_TEST(test_visitor_stop_value_is_returned),
        STORE_TEST(test_rollup_add_accumulates),
        STORE_TEST(test_rollup_months_sum_the_units_not_the_centre),
        STORE_TEST(test_event_get_and_events_by_time),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
