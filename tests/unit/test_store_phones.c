/* test_store_phones.c: citizens' phone numbers at rest in the store (on
 * each backend): no phone without a codec, orders found by a number however it is
 * written, and the phone index a bulk load writes at commit. Records are
 * filled by hand; the workflow is not involved. */
#include "store_fixture.h"

/* ---- Phones at rest and the audit of reads (schema 5) ---- */

static void test_phone_needs_a_codec(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    hl_store_set_phone_codec(context->store, NULL);
    hl_error error;
    /* Without a codec, no phone is written in clear... */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, ""), &error),
                     HL_EIO);
    hl_store_rollback(context->store);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 1);
    /* ...an order without one is, */
    hl_order *order = make_order(3, HL_STATE_NEW, "");
    order->citizen_phone[0] = '\0';
    insert(context->store, order);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM orders WHERE citizen_phone IS NULL"), 1);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"),
                     1); /* order 1's */
    /* ...and a sealed one cannot be read nor searched. */
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_EIO);
    hl_order_filter filter = {0};
    filter.phone = "13800000000";
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_EIO);
    test_store_use_key(context->store);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
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
    assert_int_equal(hl_store_order_query(context->store, &filter, collect_ids, ids, &error),
                     HL_OK);
    assert_int_equal(ids[0], ORDER_BASE + 2); /* the same instant, an earlier number */
    assert_int_equal(ids[1], ORDER_BASE + 1);
    assert_int_equal(ids[2], 0);
    /* The orders are found through phone_index, never by a walk of every
     * order newest first: SQLite's plan says so (PostgreSQL's planner has
     * no hl_sqlite_explain). */
    if (!test_store_is_postgres()) {
        hl_buf plan;
        hl_buf_init(&plan);
        assert_int_equal(hl_sqlite_explain(context->store, &filter, &plan, &error), HL_OK);
        if (strstr(plan.data, "phone_index") == NULL || strstr(plan.data, "SCAN orders") != NULL)
            fail_msg("%s", plan.data);
        hl_buf_free(&plan);
    }
    filter.before_id = 0; /* no bound: all five, newest first */
    memset(ids, 0, sizeof ids);
    assert_int_equal(hl_store_order_query(context->store, &filter, collect_ids, ids, &error),
                     HL_OK);
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
        assert_int_equal(
            hl_store_order_insert(context->store, make_order(sequence, HL_STATE_NEW, ""), &error),
            HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 0);
    hl_store_rollback(context->store);
    /* Committed: every entry is written, in one go. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (int64_t sequence = 1; sequence <= 5; sequence++) {
        hl_order *order = make_order(sequence, HL_STATE_NEW, "");
        snprintf(order->citizen_phone, sizeof order->citizen_phone, "1380000000%lld",
                 (long long)(sequence % 2));
        assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
    }
    /* A search inside the load sees the load's orders. */
    assert_int_equal(count_phone(context->store, "13800000001"), 3);
    for (int64_t sequence = 6; sequence <= 7; sequence++)
        assert_int_equal(
            hl_store_order_insert(context->store, make_order(sequence, HL_STATE_NEW, ""), &error),
            HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 7);
    assert_int_equal(count_phone(context->store, "13800000001"), 3);
    assert_int_equal(count_phone(context->store, "13800000000"),
                     4); /* 2, 4 and the two of make_order */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_phone_needs_a_codec),
        STORE_TEST(test_query_by_phone_before_an_order_newest_first),
        STORE_TEST(test_bulk_load_indexes_phones_at_commit),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
