/* test_store_sqlite_connection.c: what only the SQLite backend's
 * connection does: checkpoints left to hl_store_checkpoint (the file's
 * size shows the WAL's pages copied), and a path chosen as an SQLite
 * database. Runs on SQLite only; the transactions every backend keeps are
 * test_store_connection.c's. Records are filled by hand; the workflow is
 * not involved. */
#include "store_fixture.h"

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

static unsigned file_mode(const char *path)
{
    struct stat status;
    assert_int_equal(stat(path, &status), 0);
    return (unsigned)(status.st_mode & 0777);
}

/* issue 11: a new store's file, and the WAL and shared-memory files SQLite
 * makes beside it, are 0600 under the usual umask of 022, whoever opens the
 * store (this test has not the command line's umask). */
static void test_a_new_store_and_its_wal_are_its_owners_only(void **state)
{
    fixture *context = *state;
    mode_t saved = umask(022);
    char path[600], wal[620], shm[620];
    snprintf(path, sizeof path, "%s/private.db", context->directory);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    hl_store *store = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(path, &store, &error), HL_OK);
    test_store_use_key(store);
    insert(store, make_order(1, HL_STATE_NEW, "water"));
    /* While the store is open the three files exist. */
    assert_int_equal(file_mode(path), 0600);
    assert_int_equal(file_mode(wal), 0600);
    assert_int_equal(file_mode(shm), 0600);
    hl_store_close(store);
    /* An existing file keeps the mode its owner gave it. */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(hl_store_open(path, &store, &error), HL_OK);
    assert_int_equal(file_mode(path), 0640);
    hl_store_close(store);
    umask(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_background_checkpoints_leave_the_wal_to_hl_store_checkpoint),
        STORE_TEST(test_store_open_chooses_the_backend_by_address),
        STORE_TEST(test_a_new_store_and_its_wal_are_its_owners_only),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
