/* test_store_connection.c: a store's connection and transactions, on each
 * backend: missing arguments refused by the store's wrappers, rollback,
 * bulk mode and its durability, and a missing store. Records are filled by
 * hand; the workflow is not involved. SQLite's checkpoints are
 * test_store_sqlite_connection.c's. */
#include "store_fixture.h"

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

static void test_a_missing_store_is_closed(void **state)
{
    (void)state;
    hl_error error;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    int64_t count = 0;
    assert_int_equal(hl_store_begin(NULL, &error), HL_EIO);
    assert_int_equal(hl_store_order_insert(NULL, order, &error), HL_EIO);
    assert_int_equal(hl_store_order_count(NULL, NULL, &count, &error), HL_EIO);
    assert_int_equal(hl_store_rollback(NULL), HL_EIO);
    hl_store_set_bulk(NULL, true); /* does nothing */
    hl_store_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_missing_arguments_are_refused),
        STORE_TEST(test_rollback_discards),
        STORE_TEST(test_bulk_load_is_committed_and_durable),
        STORE_TEST(test_bulk_mode_may_end_inside_the_transaction),
        STORE_TEST(test_a_missing_store_is_closed),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
