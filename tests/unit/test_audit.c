/* Tests of src/app/audit.c on a real SQLite file: reads recorded at once,
 * and the server's queue: written within its interval, written when asked
 * (flush) and when stopped, refusing reads it cannot hold while the store
 * is locked, and writing them all once it is free again. */
#include "test_support.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/audit.h"
#include "app/verify.h"
#include "base/i18n.h"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
} fixture;

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               NULL, NULL, NULL);
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static int64_t stored_reads(fixture *fix)
{
    int64_t count = -1;
    hl_error error;
    if (hl_audit_count(fix->app, NULL, &count, &error) != HL_OK)
        fail_msg("%s", error.message);
    return count;
}

static void sleep_ms(long milliseconds)
{
    struct timespec pause = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static int copy_one(void *context, const hl_audit_read *read)
{
    *(hl_audit_read *)context = *read;
    return 0;
}

static void test_read_of_fills_and_cuts_its_fields(void **state)
{
    (void)state;
    hl_audit_read read;
    char long_actor[200];
    memset(long_actor, 'a', sizeof long_actor - 1);
    long_actor[sizeof long_actor - 1] = '\0';
    hl_audit_read_of(&read, 1234, long_actor, 20240301000001LL, "hotline show");
    assert_int_equal(read.at, 1234);
    assert_int_equal(strlen(read.actor), HL_AUDIT_ACTOR_BYTES - 1);
    assert_int_equal(read.order_id, 20240301000001LL);
    assert_string_equal(read.route, "hotline show");
}

static void test_record_writes_every_read_at_once(void **state)
{
    fixture *fix = *state;
    hl_audit_read reads[3];
    for (int index = 0; index < 3; index++)
        hl_audit_read_of(&reads[index], 1000 + index, "cli:ops", 20240301000001LL + index,
                         "hotline export");
    hl_error error;
    assert_int_equal(hl_audit_record(fix->app, reads, 3, &error), HL_OK);
    assert_int_equal(stored_reads(fix), 3);
    hl_audit_filter filter = {.order_id = 20240301000002LL};
    int64_t count = 0;
    assert_int_equal(hl_audit_count(fix->app, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
}

static void test_queue_writes_within_its_interval(void **state)
{
    fixture *fix = *state;
    hl_audit_queue *queue = NULL;
    hl_error error;
    assert_int_equal(hl_audit_queue_start(fix->path, &queue, &error), HL_OK);
    hl_audit_read read;
    hl_audit_read_of(&read, 1000, "agent1", 20240301000001LL, "GET /api/v1/orders/{number}");
    assert_int_equal(hl_audit_queue_add(queue, &read, 1, &error), HL_OK);
    int64_t count = 0;
    for (int waited = 0; waited < 100 && (count = stored_reads(fix)) == 0; waited++)
        sleep_ms(HL_AUDIT_FLUSH_MS / 5);
    assert_int_equal(count, 1); /* without a flush: the interval alone wrote it */
    hl_audit_queue_stop(queue);
}

static void test_queue_flush_writes_everything_queued_before(void **state)
{
    fixture *fix = *state;
    hl_audit_queue *queue = NULL;
    hl_error error;
    assert_int_equal(hl_audit_queue_start(fix->path, &queue, &error), HL_OK);
    hl_audit_read reads[100];
    for (int index = 0; index < 100; index++)
        hl_audit_read_of(&reads[index], 1000, "agent1", 20240301000001LL + index,
                         "GET /api/v1/orders/{number}");
    for (int index = 0; index < 100; index++)
        assert_int_equal(hl_audit_queue_add(queue, &reads[index], 1, &error), HL_OK);
    assert_int_equal(hl_audit_queue_flush(queue, &error), HL_OK);
    assert_int_equal(stored_reads(fix), 100);
    /* In the order they were read: the newest is the last added. */
    hl_audit_filter filter = {.limit = 1};
    hl_audit_read newest;
    memset(&newest, 0, sizeof newest);
    assert_int_equal(hl_audit_list(fix->app, &filter, copy_one, &newest, &error), HL_OK);
    assert_int_equal(newest.order_id, 20240301000001LL + 99);
    hl_audit_queue_stop(queue);
}

static void test_queue_stop_writes_what_is_queued(void **state)
{
    fixture *fix = *state;
    hl_audit_queue *queue = NULL;
    hl_error error;
    assert_int_equal(hl_audit_queue_start(fix->path, &queue, &error), HL_OK);
    hl_audit_read reads[10];
    for (int index = 0; index < 10; index++)
        hl_audit_read_of(&reads[index], 1000, "agent1", 20240301000001LL,
                         "GET /api/v1/orders/{number}");
    assert_int_equal(hl_audit_queue_add(queue, reads, 10, &error), HL_OK);
    hl_audit_queue_stop(queue);
    assert_int_equal(stored_reads(fix), 10);
}

static void test_queue_refuses_reads_it_cannot_hold_and_writes_them_later(void **state)
{
    fixture *fix = *state;
    /* SQLite's one write lock, held by a connection of the test's own: on
     * PostgreSQL there is no such lock of the whole store (writers wait
     * on rows), so this test is SQLite's alone. */
    if (test_store_is_postgres())
        skip();
    /* Another connection holds the write lock: the writer waits for it. */
    sqlite3 *blocker = NULL;
    assert_int_equal(sqlite3_open(fix->path, &blocker), SQLITE_OK);
    assert_int_equal(sqlite3_exec(blocker, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    hl_audit_queue *queue = NULL;
    hl_error error;
    assert_int_equal(hl_audit_queue_start(fix->path, &queue, &error), HL_OK);
    hl_audit_read read;
    hl_audit_read_of(&read, 1000, "agent1", 20240301000001LL, "GET /api/v1/orders/{number}");
    assert_int_equal(hl_audit_queue_add(queue, &read, 1, &error), HL_OK);
    sleep_ms(HL_AUDIT_FLUSH_MS * 3); /* the writer has taken it and waits for the lock */
    size_t rest = HL_AUDIT_QUEUE_CAPACITY - 1;
    hl_audit_read *reads = hl_xmalloc(rest * sizeof *reads);
    for (size_t index = 0; index < rest; index++)
        reads[index] = read;
    assert_int_equal(hl_audit_queue_add(queue, reads, rest, &error), HL_OK);
    hl_error_clear(&error);
    assert_int_equal(hl_audit_queue_add(queue, &read, 1, &error), HL_EIO);
    assert_non_null(strstr(error.message, "not given out"));
    free(reads);
    /* Free again: everything that was taken is written. */
    assert_int_equal(sqlite3_exec(blocker, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(blocker);
    assert_int_equal(hl_audit_queue_flush(queue, &error), HL_OK);
    assert_int_equal(stored_reads(fix), HL_AUDIT_QUEUE_CAPACITY);
    hl_audit_queue_stop(queue);
}

/* Issue 11, item 3: security events are recorded with actor, address,
 * action, target and outcome, in a hash chain that verify checks, and a
 * text longer than its field is cut, not refused. */
typedef struct security_list {
    hl_security_event events[4];
    int count;
} security_list;

static int collect_security(void *context, const hl_security_event *event)
{
    security_list *list = context;
    if (list->count < 4)
        list->events[list->count++] = *event;
    return HL_OK;
}

static void test_security_events_are_recorded_in_a_chain(void **state)
{
    fixture *fix = *state;
    assert_int_equal(
        hl_audit_security(fix->app, "admin", "192.0.2.7", "login", NULL, HL_AUDIT_SUCCESS, NULL),
        HL_OK);
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(hl_audit_security(fix->app, long_name, "192.0.2.8", "login", NULL,
                                       HL_AUDIT_FAILURE, "wrong password"),
                     HL_OK);
    assert_int_equal(
        hl_audit_security(fix->app, "cli:root", NULL, "apikey.revoke", "7", HL_AUDIT_SUCCESS, NULL),
        HL_OK);
    /* A name of 100 Chinese characters (300 bytes) is cut at a character's
     * boundary: PostgreSQL refuses a text that is not UTF-8. */
    char chinese[301];
    for (int index = 0; index < 100; index++)
        memcpy(chinese + 3 * index, "中", 3);
    chinese[300] = '\0';
    assert_int_equal(hl_audit_security(fix->app, "cli:root", NULL, "apikey.create", chinese,
                                       HL_AUDIT_SUCCESS, NULL),
                     HL_OK);
    security_list list = {.count = 0};
    hl_error error;
    assert_int_equal(hl_audit_security_list(fix->app, 0, collect_security, &list, &error), HL_OK);
    assert_int_equal(list.count, 4);
    assert_int_equal(list.events[0].seq, 4);             /* newest first */
    assert_int_equal(strlen(list.events[0].target), 78); /* 26 characters of 3 bytes */
    assert_string_equal(list.events[1].action, "apikey.revoke");
    assert_string_equal(list.events[1].target, "7");
    assert_string_equal(list.events[1].address, "");
    assert_string_equal(list.events[2].outcome, "failure");
    assert_string_equal(list.events[2].address, "192.0.2.8");
    assert_int_equal(strlen(list.events[2].actor), HL_AUDIT_ACTOR_BYTES - 1);
    assert_string_equal(list.events[3].actor, "admin");
    assert_true(list.events[3].at > 0);

    hl_verify_summary summary;
    assert_int_equal(hl_verify_run_full(fix->app, NULL, NULL, &summary, &error), HL_OK);
    assert_int_equal(summary.heads[HL_CHAIN_SECURITY].seq, 4);
    list.count = 0;
    assert_int_equal(hl_audit_security_list(fix->app, 1, collect_security, &list, &error), HL_OK);
    assert_int_equal(list.count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_of_fills_and_cuts_its_fields),
        cmocka_unit_test_setup_teardown(test_record_writes_every_read_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_security_events_are_recorded_in_a_chain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_writes_within_its_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_flush_writes_everything_queued_before, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queue_stop_writes_what_is_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_queue_refuses_reads_it_cannot_hold_and_writes_them_later, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
