/* test_backup.c: hotline backup and restore (app/backup.h) on real stores,
 * and what a full disk or a failing device does to them.
 *
 * The store is the tests' backend (SQLite, or PostgreSQL in the _pg copy);
 * a backup is always an SQLite file, so the failing VFS
 * (tests/support/failing_vfs.c), armed for one file's path only, makes the
 * backup's disk or the restore target's disk full or failing while the
 * store's own goes on. Each fault must give a clear error, leave no file
 * behind (no half-written backup, no empty target), leave the store
 * answering reads and taking writes, and the same call must succeed once
 * the fault is gone. The audit record of a backup failing (the store's own
 * disk) removes the backup: none is left unaudited. A restored store's
 * own backup is sealed anew (its seal row replaced) and restores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/audit.h"
#include "app/backup.h"
#include "app/verify.h"
#include "base/i18n.h"
#include "failing_vfs.h"
#include "test_support.h"

#define NOW ((hl_time)1709517600) /* 2024-03-04T10:00:00+08:00 */

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u1,,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "dispatcher,派单员,dispatcher,,1\n";

typedef struct fixture {
    char directory[256];
    char path[512];     /* the store's address */
    char key[600];      /* its key file */
    char backup[600];   /* DIR/backup.db */
    char restored[600]; /* DIR/restored.db */
    hl_app *app;
    int64_t order;
} fixture;

static int64_t register_order(hl_app *app, const char *title)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_REPORT;
    order->received_at = NOW - 3600;
    snprintf(order->category, sizeof order->category, "city");
    snprintf(order->title, sizeof order->title, "%s", title);
    snprintf(order->content, sizeof order->content, "并州路路灯连续三晚不亮。");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "13912345678");
    int64_t id = 0;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_app_register(app, "agent", order, order->received_at, &id, &error);
    free(order);
    if (result != HL_OK)
        fail_msg("register: %s", error.message);
    return id;
}

static int setup(void **state)
{
    test_failing_vfs_install();
    test_failing_vfs_arm(TEST_VFS_OFF);
    hl_i18n_set(HL_LANG_EN);
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
    test_store_key_path(fix->key, sizeof fix->key, fix->directory);
    test_path(fix->backup, sizeof fix->backup, fix->directory, "backup.db");
    test_path(fix->restored, sizeof fix->restored, fix->directory, "restored.db");
    fix->order = register_order(fix->app, "路灯不亮");
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    test_failing_vfs_arm(TEST_VFS_OFF);
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static int backup(fixture *fix, hl_error *error)
{
    hl_backup_options options = {"cli:test", fix->key, NULL};
    hl_error_clear(error);
    return hl_backup(fix->app, fix->backup, &options, NULL, error);
}

static int restore(fixture *fix, hl_error *error)
{
    hl_restore_result *result = hl_xcalloc(1, sizeof *result);
    hl_error_clear(error);
    int code = hl_restore(fix->backup, fix->restored, fix->key, "cli:test", result, error);
    free(result);
    return code;
}

static bool exists(const char *path, const char *suffix)
{
    char name[700];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return access(name, F_OK) == 0;
}

static void assert_no_files(const char *path)
{
    assert_false(exists(path, ""));
    assert_false(exists(path, "-wal"));
    assert_false(exists(path, "-shm"));
}

static void report_difference(void *context, const char *line)
{
    (void)context;
    print_error("verify: %s\n", line);
}

static void assert_verify_clean(hl_app *app)
{
    hl_error error;
    hl_error_clear(&error);
    hl_verify_summary summary;
    int result = hl_verify_run_full(app, report_difference, NULL, &summary, &error);
    if (result != HL_OK)
        fail_msg("verify: %d %s", result, error.message);
}

/* The store still answers reads and takes writes. */
static void assert_store_works(fixture *fix)
{
    hl_error error;
    hl_error_clear(&error);
    hl_order *order = hl_xcalloc(1, sizeof *order);
    assert_int_equal(hl_app_get_order(fix->app, fix->order, order, &error), HL_OK);
    free(order);
    register_order(fix->app, "又一件");
}

/* Counts the security events recording a restore. */
static int count_restores(void *context, const hl_security_event *event)
{
    if (strcmp(event->action, "restore") == 0 && strcmp(event->outcome, HL_AUDIT_SUCCESS) == 0)
        (*(int64_t *)context)++;
    return HL_OK;
}

/* The restored store holds the order, opens with the key, and verifies. */
static void assert_restored(fixture *fix)
{
    hl_app *restored = NULL;
    hl_error error;
    hl_error_clear(&error);
    if (hl_app_open_keyed(fix->restored, fix->key, &restored, &error) != HL_OK)
        fail_msg("open the restored store: %s", error.message);
    hl_order *order = hl_xcalloc(1, sizeof *order);
    assert_int_equal(hl_app_get_order(restored, fix->order, order, &error), HL_OK);
    assert_string_equal(order->citizen_phone, "13912345678");
    free(order);
    assert_verify_clean(restored);
    hl_audit_filter filter = {0};
    int64_t count = 0;
    assert_int_equal(hl_audit_count(restored, &filter, &count, &error), HL_OK);
    assert_true(count >= 1); /* the restore */
    /* It is also a security event, for the audit administrator. */
    count = 0;
    assert_int_equal(hl_audit_security_list(restored, 0, count_restores, &count, &error), HL_OK);
    assert_int_equal(count, 1);
    hl_app_close(restored);
}

static void a_backup_and_its_restore_hold_the_store(void **state)
{
    fixture *fix = *state;
    hl_error error;
    if (backup(fix, &error) != HL_OK)
        fail_msg("backup: %s", error.message);
    assert_true(exists(fix->backup, ""));
    assert_false(exists(fix->backup, "-wal"));
    assert_false(exists(fix->backup, ".key"));
    if (restore(fix, &error) != HL_OK)
        fail_msg("restore: %s", error.message);
    assert_restored(fix);
    /* A second restore into the same, now full, target is refused. */
    assert_int_equal(restore(fix, &error), HL_ECONFLICT);

    /* The restored store holds the backup's seal row; its own backup is
     * sealed anew, and restores. */
    hl_app *restored = NULL;
    assert_int_equal(hl_app_open_keyed(fix->restored, fix->key, &restored, &error), HL_OK);
    char again[600], again_restored[600];
    test_path(again, sizeof again, fix->directory, "again.db");
    test_path(again_restored, sizeof again_restored, fix->directory, "again-restored.db");
    hl_backup_options options = {"cli:test", fix->key, NULL};
    if (hl_backup(restored, again, &options, NULL, &error) != HL_OK)
        fail_msg("backup of the restored store: %s", error.message);
    hl_app_close(restored);
    hl_restore_result *result = hl_xcalloc(1, sizeof *result);
    int code = hl_restore(again, again_restored, fix->key, "cli:test", result, &error);
    free(result);
    if (code != HL_OK)
        fail_msg("restore of the second backup: %s", error.message);
}

/* The backup's disk full, or failing: no backup file, the store goes on. */
static void backup_on_a_failing_disk(fixture *fix, test_vfs_fault fault)
{
    hl_error error;
    long failures = test_failing_vfs_failures();
    test_failing_vfs_arm_only(fault, "backup.db");
    int result = backup(fix, &error);
    assert_true(test_failing_vfs_failures() > failures);
    assert_int_equal(result, fault == TEST_VFS_FULL ? HL_EUNAVAILABLE : HL_EIO);
    if (fault == TEST_VFS_FULL && strstr(error.message, "disk is full") == NULL)
        fail_msg("a full disk said as: %s", error.message);
    assert_no_files(fix->backup);
    assert_store_works(fix); /* while the backup's disk is still full */
    test_failing_vfs_arm(TEST_VFS_OFF);
    if (backup(fix, &error) != HL_OK)
        fail_msg("backup once space returned: %s", error.message);
    if (restore(fix, &error) != HL_OK)
        fail_msg("restore: %s", error.message);
    assert_restored(fix);
}

static void a_backup_onto_a_full_disk_leaves_no_file(void **state)
{
    backup_on_a_failing_disk(*state, TEST_VFS_FULL);
}

static void a_backup_onto_a_failing_disk_leaves_no_file(void **state)
{
    backup_on_a_failing_disk(*state, TEST_VFS_IOERR);
}

/* The target's disk full: no target left, the backup still restorable. */
static void a_restore_onto_a_full_disk_leaves_no_target(void **state)
{
    fixture *fix = *state;
    hl_error error;
    if (backup(fix, &error) != HL_OK)
        fail_msg("backup: %s", error.message);
    long failures = test_failing_vfs_failures();
    test_failing_vfs_arm_only(TEST_VFS_FULL, "restored.db");
    int result = restore(fix, &error);
    test_failing_vfs_arm(TEST_VFS_OFF);
    assert_true(test_failing_vfs_failures() > failures);
    assert_int_equal(result, HL_EUNAVAILABLE);
    assert_no_files(fix->restored);
    if (restore(fix, &error) != HL_OK)
        fail_msg("restore once space returned: %s", error.message);
    assert_restored(fix);
}

/* The store's own disk full when the backup is to be recorded: the backup
 * is removed rather than left unaudited. */
static void a_backup_that_cannot_be_audited_is_removed(void **state)
{
    fixture *fix = *state;
    if (test_store_is_postgres())
        skip(); /* the fault is SQLite's: the store's file must be one */
    hl_error error;
    test_failing_vfs_arm_only(TEST_VFS_FULL, "hotline.db");
    int result = backup(fix, &error);
    test_failing_vfs_arm(TEST_VFS_OFF);
    assert_int_equal(result, HL_EUNAVAILABLE);
    assert_no_files(fix->backup);
    hl_audit_filter filter = {0};
    int64_t count = -1;
    assert_int_equal(hl_audit_count(fix->app, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 0);
    if (backup(fix, &error) != HL_OK)
        fail_msg("backup once space returned: %s", error.message);
    assert_int_equal(hl_audit_count(fix->app, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_backup_and_its_restore_hold_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(a_backup_onto_a_full_disk_leaves_no_file, setup, teardown),
        cmocka_unit_test_setup_teardown(a_backup_onto_a_failing_disk_leaves_no_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_restore_onto_a_full_disk_leaves_no_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_backup_that_cannot_be_audited_is_removed, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
