/* test_store_sqlite_connection.c: an SQLite store's connection and
 * transactions: missing arguments refused by the store's wrappers,
 * rollback, bulk mode and its durability, and checkpoints left to
 * hl_store_checkpoint. Records are filled by hand; the workflow is not
 * involved. */
#include "store_sqlite_fixture.h"

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

static void test_store_open_chooses_the_backend_by_address(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_store *store = (hl_store *)1;
    /* A PostgreSQL address goes to that backend, never to a file: with no
     * server at it (port 1 refuses at once), the store is unavailable, and
     * no file is made; nor for the scheme's short form. */
    assert_int_equal(hl_store_open("postgresql://localhost:1/hotline", &store, &error),
                     HL_EUNAVAILABLE);
    assert_null(store);
    assert_int_equal(hl_store_open("postgres://localhost:1/hotline", &store, &error),
                     HL_EUNAVAILABLE);
    assert_null(store);
    struct stat info;
    assert_int_not_equal(stat("postgresql:", &info), 0);
    assert_int_not_equal(stat("postgres:", &info), 0);
    /* A path is an SQLite database, the fixture's own: its plans can be
     * explained, which only this backend does. */
    hl_buf plan;
    hl_buf_init(&plan);
    assert_int_equal(hl_sqlite_explain(context->store, NULL, &plan, &error), HL_OK);
    assert_non_null(strstr(plan.data, "order_state_counts"));
    hl_buf_free(&plan);
    assert_int_equal(hl_sqlite_explain(NULL, NULL, &plan, &error), HL_EINVAL);
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
        STORE_TEST(test_background_checkpoints_leave_the_wal_to_hl_store_checkpoint),
        STORE_TEST(test_store_open_chooses_the_backend_by_address),
        STORE_TEST(test_a_missing_store_is_closed),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
