/* Tests of the store's counters in fixed windows (hl_store_throttle_*:
 * sqlite_throttle.c, pg_throttle.c) on a real store (a file, or in the _pg
 * copy a fresh PostgreSQL database): a hit counts up to the limit and once
 * beyond; a window ends and a new one begins; a clock set back begins one
 * too; get reads without writing; reset and purge forget; two connections
 * to one store count one counter; a hit does not wait for the store's
 * writers; and, on SQLite, neither for the disk, and the counters' file
 * (their own), lost, is made again. */
#include "store_fixture.h"

#include <time.h>
#include <unistd.h>

#include "failing_vfs.h"

#define NOW ((hl_time)1709517600)

static hl_throttle hit(fixture *context, const char *key, hl_time now, int window, int64_t limit)
{
    hl_throttle out;
    hl_error error;
    assert_int_equal(hl_store_throttle_hit(context->store, key, now, window, limit, &out, &error),
                     HL_OK);
    return out;
}

static hl_throttle get(hl_store *store, const char *key, hl_time now)
{
    hl_throttle out;
    hl_error error;
    assert_int_equal(hl_store_throttle_get(store, key, now, &out, &error), HL_OK);
    return out;
}

static void test_a_hit_counts_up_to_the_limit_and_once_beyond(void **state)
{
    fixture *context = *state;
    for (int index = 1; index <= 3; index++) {
        hl_throttle window = hit(context, "k", NOW + index, 60, 3);
        assert_int_equal(window.count, index);
        assert_int_equal(window.window_start, NOW + 1);
        assert_int_equal(window.window_end, NOW + 61);
    }
    /* Over the limit: counted once (limit + 1), then no more. */
    assert_int_equal(hit(context, "k", NOW + 10, 60, 3).count, 4);
    assert_int_equal(hit(context, "k", NOW + 11, 60, 3).count, 4);
    assert_int_equal(get(context->store, "k", NOW + 12).count, 4);
}

static void test_a_window_ends_and_another_begins(void **state)
{
    fixture *context = *state;
    hit(context, "k", NOW, 60, 1);
    assert_int_equal(hit(context, "k", NOW + 59, 60, 1).count, 2);
    hl_throttle next = hit(context, "k", NOW + 60, 60, 1);
    assert_int_equal(next.count, 1);
    assert_int_equal(next.window_start, NOW + 60);
    assert_int_equal(next.window_end, NOW + 120);
    /* get sees no window once it has ended, and writes nothing. */
    assert_int_equal(get(context->store, "k", NOW + 120).count, 0);
    assert_int_equal(get(context->store, "k", NOW + 119).count, 1);
}

static void test_a_clock_set_back_begins_a_window(void **state)
{
    fixture *context = *state;
    hit(context, "k", NOW, 60, 1);
    hl_throttle back = hit(context, "k", NOW - 3600, 60, 1);
    assert_int_equal(back.count, 1);
    assert_int_equal(back.window_start, NOW - 3600);
}

static void test_a_limit_of_zero_is_over_at_once(void **state)
{
    fixture *context = *state;
    assert_int_equal(hit(context, "k", NOW, 60, 0).count, 1);
    assert_int_equal(hit(context, "k", NOW, 60, 0).count, 1);
    assert_int_equal(hit(context, "n", NOW, 60, -5).count, 1);
}

static void test_keys_count_apart(void **state)
{
    fixture *context = *state;
    hit(context, "a", NOW, 60, 10);
    hit(context, "a", NOW, 60, 10);
    assert_int_equal(hit(context, "b", NOW, 60, 10).count, 1);
    assert_int_equal(get(context->store, "a", NOW).count, 2);
    assert_int_equal(get(context->store, "absent", NOW).window_end, 0);
}

static void test_reset_and_purge_forget(void **state)
{
    fixture *context = *state;
    hl_error error;
    hit(context, "short", NOW, 10, 5);
    hit(context, "long", NOW, 600, 5);
    hit(context, "gone", NOW, 600, 5);
    assert_int_equal(hl_store_throttle_reset(context->store, "gone", &error), HL_OK);
    assert_int_equal(hl_store_throttle_reset(context->store, "never", &error), HL_OK);
    assert_int_equal(get(context->store, "gone", NOW).count, 0);
    assert_int_equal(get(context->store, "short", NOW).count, 1);
    assert_int_equal(hl_store_throttle_purge(context->store, NOW + 10, &error), HL_OK);
    /* Purged: the row is gone, not merely ended (a clock set back would
     * otherwise find its window again). */
    assert_int_equal(get(context->store, "short", NOW).count, 0);
    assert_int_equal(get(context->store, "long", NOW + 10).count, 1);
}

/* Another connection is in the middle of a write transaction (SQLite: it
 * holds the store's one write lock): a budget check neither waits for it
 * nor fails. */
static void test_a_hit_does_not_wait_for_the_stores_writers(void **state)
{
    fixture *context = *state;
    hl_store *writer = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &writer, &error), HL_OK);
    assert_int_equal(hl_store_begin(writer, &error), HL_OK);
    assert_int_equal(hl_store_config_set(writer, "held", "1", &error), HL_OK);
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    for (int index = 1; index <= 20; index++)
        assert_int_equal(hit(context, "k", NOW, 60, 100).count, index);
    clock_gettime(CLOCK_MONOTONIC, &after);
    double seconds =
        (double)(after.tv_sec - before.tv_sec) + (double)(after.tv_nsec - before.tv_nsec) / 1e9;
    assert_true(seconds < 1.0); /* the store's busy wait would give up after 5 s */
    assert_int_equal(hl_store_rollback(writer), HL_OK);
    hl_store_close(writer);
}

static void test_two_connections_count_one_counter(void **state)
{
    fixture *context = *state;
    hl_store *other = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &other, &error), HL_OK);
    hl_throttle out;
    for (int index = 0; index < 3; index++) {
        hit(context, "shared", NOW, 60, 4);
        assert_int_equal(hl_store_throttle_hit(other, "shared", NOW, 60, 4, &out, &error), HL_OK);
    }
    assert_int_equal(out.count, 5); /* six hits on a limit of four: four and one over */
    assert_int_equal(get(context->store, "shared", NOW).count, 5);
    hl_store_close(other);
}

/* A hit commits without syncing a log (a counter is worth less than a
 * sync), and the store's own commits stay durable: the next write
 * transaction syncs its log, as it did before. */
static void test_a_hit_does_not_wait_for_the_disk_and_restores_durability(void **state)
{
    if (test_store_is_postgres())
        skip(); /* SQLite's log syncs (PostgreSQL: an UNLOGGED table writes no WAL) */
    fixture *context = *state;
    hl_error error;
    hit(context, "warm", NOW, 60, 5); /* the log exists and its header is synced */
    long before = test_failing_vfs_log_syncs();
    for (int index = 0; index < 5; index++)
        hit(context, "k", NOW, 60, 5);
    assert_int_equal(test_failing_vfs_log_syncs(), before);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "k", "v", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_true(test_failing_vfs_log_syncs() > before);
}

/* The counters' file is made at the first call, beside the store's, and
 * only counts are lost with it. */
static void test_the_counters_file_lost_is_made_again(void **state)
{
    if (test_store_is_postgres())
        skip(); /* SQLite's own file of counters */
    fixture *context = *state;
    char counters[600];
    snprintf(counters, sizeof counters, "%s.counters", context->path);
    struct stat info;
    assert_int_equal(stat(counters, &info), -1);
    hit(context, "k", NOW, 60, 5);
    assert_int_equal(stat(counters, &info), 0);
    hl_store_close(context->store);
    context->store = NULL;
    char wal[620], shm[620];
    snprintf(wal, sizeof wal, "%s-wal", counters);
    snprintf(shm, sizeof shm, "%s-shm", counters);
    unlink(counters);
    unlink(wal);
    unlink(shm);
    reopen(context);
    assert_int_equal(get(context->store, "k", NOW).count, 0);
    assert_int_equal(hit(context, "k", NOW, 60, 5).count, 1);
}

static void test_missing_arguments_are_refused(void **state)
{
    fixture *context = *state;
    hl_throttle out;
    hl_error error;
    assert_int_equal(hl_store_throttle_hit(context->store, NULL, NOW, 60, 1, &out, &error),
                     HL_EINVAL);
    assert_int_equal(hl_store_throttle_hit(context->store, "k", NOW, 0, 1, &out, &error),
                     HL_EINVAL);
    char key[HL_THROTTLE_KEY_BYTES + 1];
    memset(key, 'x', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_int_equal(hl_store_throttle_hit(context->store, key, NOW, 60, 1, &out, &error),
                     HL_EINVAL);
    assert_int_equal(hl_store_throttle_get(context->store, "k", NOW, NULL, &error), HL_EINVAL);
    assert_int_equal(hl_store_throttle_reset(context->store, NULL, &error), HL_EINVAL);
}

int main(void)
{
    /* Every store of this program goes through the VFS that counts syncs. */
    test_failing_vfs_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_hit_counts_up_to_the_limit_and_once_beyond, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_window_ends_and_another_begins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_clock_set_back_begins_a_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_limit_of_zero_is_over_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_count_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_and_purge_forget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_hit_does_not_wait_for_the_stores_writers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_connections_count_one_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_hit_does_not_wait_for_the_disk_and_restores_durability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_counters_file_lost_is_made_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_arguments_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
