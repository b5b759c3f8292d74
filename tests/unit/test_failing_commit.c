/* test_failing_commit.c: when the COMMIT of a write fails, the caller gets
 * the error, nothing of the write is left in the store, the writers' lock
 * is free for the next write, and `hotline verify` finds the store clean.
 *
 * Real SQLite fails the real COMMIT: the store goes through the VFS of
 * tests/support/failing_vfs.c, which, while armed, fails every write to the
 * write-ahead log (what a COMMIT writes). One test per kind of write: an
 * action, a login (its session), the audit of phone reads (at once and
 * through the server's queue), the key's check value at open, a directory
 * load, an import of orders. Each compares a digest of every row of every
 * table before and after the failed write. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/audit.h"
#include "app/auth.h"
#include "app/transfer.h"
#include "app/verify.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "failing_vfs.h"
#include "store/store.h"
#include "test_support.h"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
    hl_auth_guard *guard;
    int64_t order;        /* registered, waiting for dispatch */
    test_vfs_fault fault; /* how the COMMIT fails in this run */
} fixture;

#define NOW ((hl_time)1709517600) /* 2024-03-04T10:00:00+08:00 */
#define PASSWORD "correct horse battery"

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n"
                                "u2,市城管局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u2,,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "dispatcher,派单员,dispatcher,,1\n"
                                "h-u1,承办人1,handler,u1,1\n";

/* The prestate of each test is the fault it runs with. */
static int setup(void **state)
{
    test_failing_vfs_install();
    test_failing_vfs_arm(TEST_VFS_OFF);
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    fix->fault = *(const test_vfs_fault *)*state;
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
    hl_error error;
    assert_int_equal(hl_auth_guard_new(0, &fix->guard, &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", PASSWORD, NOW, &error), HL_OK);

    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_REPORT;
    order->received_at = NOW - 3600;
    snprintf(order->category, sizeof order->category, "city");
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "并州路路灯连续三晚不亮。");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "13912345678");
    int result = hl_app_register(fix->app, "agent", order, order->received_at, &fix->order, &error);
    free(order);
    if (result != HL_OK)
        fail_msg("register: %s", error.message);
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    test_failing_vfs_arm(TEST_VFS_OFF);
    hl_auth_guard_free(fix->guard);
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

/* ---- What the store holds ---- */

static uint64_t mix(uint64_t hash, const void *bytes, size_t length)
{
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < length; index++)
        hash = (hash ^ byte[index]) * 1099511628211ULL;
    return hash;
}

/* A digest of every row of every table (through a connection of its own,
 * so that it sees what is committed and nothing else). */
static uint64_t store_digest(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *tables = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                           -1, &tables, NULL),
        SQLITE_OK);
    uint64_t hash = 14695981039346656037ULL;
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        hash = mix(hash, name, strlen(name) + 1);
        char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1, 2", name);
        sqlite3_stmt *rows = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK) { /* a one-column table */
            sqlite3_free(sql);
            sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1", name);
            assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
        }
        sqlite3_free(sql);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int column = 0; column < sqlite3_column_count(rows); column++) {
                int type = sqlite3_column_type(rows, column);
                const void *value = sqlite3_column_blob(rows, column);
                int length = sqlite3_column_bytes(rows, column);
                hash = mix(hash, &type, sizeof type);
                if (value != NULL)
                    hash = mix(hash, value, (size_t)length);
            }
            hash = mix(hash, "\n", 1);
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    return hash;
}

static void report_difference(void *context, const char *line)
{
    (void)context;
    print_error("verify: %s\n", line);
}

/* What `hotline verify` runs. */
static void assert_verify_clean(hl_app *app)
{
    hl_error error;
    hl_error_clear(&error);
    hl_verify_summary summary;
    int result = hl_verify_run_full(app, report_difference, NULL, &summary, &error);
    if (result != HL_OK)
        fail_msg("verify: %d %s", result, error.message);
}

/* A write from another thread, on a connection of its own: it waits for
 * the process-wide writers' lock, so it fails (after the store's busy
 * wait) when the failed write left the lock held. */
static void *write_elsewhere(void *context)
{
    const char *path = context;
    hl_app *other = NULL;
    hl_error error;
    int result = hl_app_open(path, &other, &error);
    if (result == HL_OK)
        result = hl_app_set_limit(other, "due_soon_days", "2", &error);
    if (result != HL_OK)
        print_error("write elsewhere: %s\n", error.message);
    hl_app_close(other);
    return (void *)(intptr_t)result;
}

static void assert_writers_lock_free(const char *path)
{
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, write_elsewhere, (void *)path), 0);
    void *result = NULL;
    pthread_join(thread, &result);
    assert_int_equal((int)(intptr_t)result, HL_OK);
}

/* Arms the VFS and records what the store holds; disarm_and_check then
 * asserts the call failed because of it, that the store holds exactly that,
 * and that the lock is free and the store verifies. */
typedef struct armed_write {
    uint64_t digest;
    long failures;
} armed_write;

static armed_write arm(const fixture *fix, const char *path)
{
    armed_write before = {store_digest(path), test_failing_vfs_failures()};
    test_failing_vfs_arm(fix->fault);
    return before;
}

static void disarm_and_check(fixture *fix, const armed_write *before, int result,
                             const hl_error *error)
{
    test_failing_vfs_arm(TEST_VFS_OFF);
    assert_true(test_failing_vfs_failures() > before->failures); /* the COMMIT's writes failed */
    assert_int_not_equal(result, HL_OK);
    assert_true(error->message[0] != '\0');
    assert_true(store_digest(fix->path) == before->digest);
    assert_writers_lock_free(fix->path);
    assert_verify_clean(fix->app);
}

/* A full disk is "not now" (the server's 503 with Retry-After, the command
 * line's exit 3), said as such, not a broken store (a 500). */
static void assert_full_disk_said(const fixture *fix, int result, const hl_error *error)
{
    if (fix->fault != TEST_VFS_FULL)
        return;
    assert_int_equal(result, HL_EUNAVAILABLE);
    if (strstr(error->message, "the store's disk is full, nothing was written") == NULL)
        fail_msg("full disk said as: %s", error->message);
}

/* ---- One test per kind of write ---- */

static void an_action_whose_commit_fails_leaves_the_order_as_it_was(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_error_clear(&error);
    hl_app_request request = {.unit = "u1"};
    armed_write before = arm(fix, fix->path);
    int result = hl_app_act(fix->app, "dispatcher", fix->order, HL_ACTION_DISPATCH, &request, NOW,
                            NULL, &error);
    disarm_and_check(fix, &before, result, &error);
    assert_full_disk_said(fix, result, &error);

    hl_order *order = hl_xcalloc(1, sizeof *order);
    assert_int_equal(hl_app_get_order(fix->app, fix->order, order, &error), HL_OK);
    assert_int_equal(order->state, HL_STATE_NEW);
    assert_int_equal(order->version, 1);
    /* The same action now goes through. */
    assert_int_equal(hl_app_act(fix->app, "dispatcher", fix->order, HL_ACTION_DISPATCH, &request,
                                NOW, NULL, &error),
                     HL_OK);
    assert_int_equal(hl_app_get_order(fix->app, fix->order, order, &error), HL_OK);
    assert_int_equal(order->version, 2);
    free(order);
    assert_verify_clean(fix->app);
}

static void a_login_whose_commit_fails_grants_no_session(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_error_clear(&error);
    hl_auth_grant grant;
    armed_write before = arm(fix, fix->path);
    int result =
        hl_auth_login(fix->app, fix->guard, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error);
    disarm_and_check(fix, &before, result, &error);
    hl_user user;
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW, &user, NULL, &error),
                     HL_EROLE);

    assert_int_equal(
        hl_auth_login(fix->app, fix->guard, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error),
        HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW, &user, NULL, &error), HL_OK);
}

static void an_audit_whose_commit_fails_records_nothing(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_error_clear(&error);
    hl_audit_read reads[2];
    hl_audit_read_of(&reads[0], NOW, "agent", fix->order, "/api/v1/orders/{id}");
    hl_audit_read_of(&reads[1], NOW, "dispatcher", fix->order, "/api/v1/orders/{id}");
    armed_write before = arm(fix, fix->path);
    int result = hl_audit_record(fix->app, reads, 2, &error);
    disarm_and_check(fix, &before, result, &error);
    assert_full_disk_said(fix, result, &error);

    int64_t count = -1;
    hl_audit_filter everything = {0};
    assert_int_equal(hl_audit_count(fix->app, &everything, &count, &error), HL_OK);
    assert_int_equal(count, 0);
    assert_int_equal(hl_audit_record(fix->app, reads, 2, &error), HL_OK);
    assert_int_equal(hl_audit_count(fix->app, &everything, &count, &error), HL_OK);
    assert_int_equal(count, 2);
}

static void the_audit_queue_keeps_the_reads_whose_flush_failed(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_error_clear(&error);
    hl_audit_queue *queue = NULL;
    assert_int_equal(hl_audit_queue_start(fix->path, &queue, &error), HL_OK);
    hl_audit_read read;
    hl_audit_read_of(&read, NOW, "agent", fix->order, "/api/v1/orders/{id}");
    armed_write before = arm(fix, fix->path);
    assert_int_equal(hl_audit_queue_add(queue, &read, 1, &error), HL_OK);
    int result = hl_audit_queue_flush(queue, &error);
    disarm_and_check(fix, &before, result, &error);

    /* The read stays queued, and the next flush writes it. */
    assert_int_equal(hl_audit_queue_flush(queue, &error), HL_OK);
    hl_audit_queue_stop(queue);
    int64_t count = -1;
    hl_audit_filter everything = {0};
    assert_int_equal(hl_audit_count(fix->app, &everything, &count, &error), HL_OK);
    assert_int_equal(count, 1);
}

static void a_key_whose_check_value_cannot_be_committed_does_not_open_the_store(void **state)
{
    fixture *fix = *state;
    char path[600];
    test_path(path, sizeof path, fix->directory, "keyless.db");
    /* A store without a key yet: its schema made, its check value not. */
    hl_store *store = NULL;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_store_open(path, &store, &error), HL_OK);
    hl_store_close(store);

    uint64_t digest = store_digest(path);
    long failures = test_failing_vfs_failures();
    test_failing_vfs_arm(fix->fault);
    hl_app *app = NULL;
    int result = hl_app_open(path, &app, &error);
    test_failing_vfs_arm(TEST_VFS_OFF);
    assert_true(test_failing_vfs_failures() > failures);
    assert_int_not_equal(result, HL_OK);
    assert_null(app);
    assert_true(error.message[0] != '\0');
    assert_true(store_digest(path) == digest);

    assert_int_equal(hl_app_open(path, &app, &error), HL_OK);
    assert_verify_clean(app);
    hl_app_close(app);
    assert_writers_lock_free(path);
}

static void a_directory_load_whose_commit_fails_loads_nothing(void **state)
{
    fixture *fix = *state;
    static const char more_units[] = "code,name,group,parent,active\n"
                                     "u3,迎泽区政府,县市区(开发区),,1\n"
                                     "u4,小店区政府,县市区(开发区),,1\n";
    hl_error error;
    hl_error_clear(&error);
    int loaded = -1;
    armed_write before = arm(fix, fix->path);
    int result = hl_transfer_load_units(fix->app, more_units, strlen(more_units), &loaded, &error);
    disarm_and_check(fix, &before, result, &error);

    hl_unit unit;
    assert_int_equal(hl_app_get_unit(fix->app, "u3", &unit, &error), HL_ENOTFOUND);
    assert_int_equal(
        hl_transfer_load_units(fix->app, more_units, strlen(more_units), &loaded, &error), HL_OK);
    assert_int_equal(loaded, 2);
    assert_int_equal(hl_app_get_unit(fix->app, "u3", &unit, &error), HL_OK);
}

static void an_import_whose_commit_fails_imports_nothing(void **state)
{
    fixture *fix = *state;
    static const char orders[] =
        "received_at,channel,type,category,citizen_phone,title,content\n"
        "2024-03-04 08:00,phone,complaint,city,13900000001,噪音扰民,夜间施工噪音。\n"
        "2024-03-04 08:10,web,inquiry,,,办事咨询,如何办理居住证？\n";
    hl_error error;
    hl_error_clear(&error);
    int64_t imported = -1;
    armed_write before = arm(fix, fix->path);
    int result = hl_transfer_import_orders(fix->app, "agent", orders, strlen(orders), NULL, NULL, 5,
                                           &imported, &error);
    disarm_and_check(fix, &before, result, &error);
    assert_full_disk_said(fix, result, &error);

    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_app_count_orders_by_state(fix->app, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 1); /* the fixture's order only */
    assert_int_equal(hl_transfer_import_orders(fix->app, "agent", orders, strlen(orders), NULL,
                                               NULL, 5, &imported, &error),
                     HL_OK);
    assert_int_equal(imported, 2);
    assert_int_equal(hl_app_count_orders_by_state(fix->app, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 3);
    assert_verify_clean(fix->app);
}

static const test_vfs_fault disk_error = TEST_VFS_IOERR, busy = TEST_VFS_BUSY,
                            disk_full = TEST_VFS_FULL;

/* Each test three times: SQLite rolls back a COMMIT that failed on a disk
 * error or a full disk itself, and leaves one that failed on a lock open. */
#define WITH_EACH_FAULT(test)                                                                      \
    {#test " (disk error)", test, setup, teardown, (void *)&disk_error},                           \
        {#test " (disk full)", test, setup, teardown, (void *)&disk_full},                         \
    {                                                                                              \
#test " (busy)", test, setup, teardown, (void *)&busy                                      \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_EACH_FAULT(an_action_whose_commit_fails_leaves_the_order_as_it_was),
        WITH_EACH_FAULT(a_login_whose_commit_fails_grants_no_session),
        WITH_EACH_FAULT(an_audit_whose_commit_fails_records_nothing),
        WITH_EACH_FAULT(the_audit_queue_keeps_the_reads_whose_flush_failed),
        WITH_EACH_FAULT(a_key_whose_check_value_cannot_be_committed_does_not_open_the_store),
        WITH_EACH_FAULT(a_directory_load_whose_commit_fails_loads_nothing),
        WITH_EACH_FAULT(an_import_whose_commit_fails_imports_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
