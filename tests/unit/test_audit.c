/* Tests of src/app/audit.c on a real SQLite file: reads recorded at once,
 * and the server's queue: written within its interval, written when asked
 * (flush) and when stopped, refusing reads it cannot hold while the store
 * is locked, and writing them all once it is free again. And of
 * src/app/archive.c (issue 11, item 3: retention, archiving older records
 * to a sealed file), on either backend: exactly the records older than
 * the cut-off are moved and none younger than audit.retention_days, verify
 * is clean after one archive and after a second chained to it, the
 * database refuses a delete above an anchor and an anchor moved back, the
 * audit.archive event is recorded, and a changed byte of the file fails
 * its check. These fail on main, which has neither. */
#include "test_support.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/archive.h"
#include "app/audit.h"
#include "app/backup.h"
#include "app/policy.h"
#include "app/verify.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/i18n.h"
#include "base/text.h"
#include "store/store.h"

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

/* ---- archives (app/archive.c) ---- */

static void at_time(const char *instant)
{
    assert_int_equal(setenv("HOTLINE_NOW", instant, 1), 0);
}

static void record_read(fixture *fix, const char *actor)
{
    hl_audit_read read;
    hl_audit_read_of(&read, hl_clock_now(), actor, 20240110000001LL, "hotline show");
    hl_error error;
    if (hl_audit_record(fix->app, &read, 1, &error) != HL_OK)
        fail_msg("%s", error.message);
}

/* January: reads 1-2 and security events 1-2; March: read 3 and event 3;
 * then September, when the retention (180 days) allows up to 19 March. */
static void two_months_of_audit(fixture *fix)
{
    at_time("2024-01-10T09:00:00+08:00");
    record_read(fix, "january-reader");
    record_read(fix, "january-reader");
    assert_int_equal(
        hl_audit_security(fix->app, "secadmin", "192.0.2.1", "login", NULL, HL_AUDIT_SUCCESS, NULL),
        HL_OK);
    assert_int_equal(hl_audit_security(fix->app, "secadmin", "192.0.2.1", "logout", NULL,
                                       HL_AUDIT_SUCCESS, NULL),
                     HL_OK);
    at_time("2024-03-01T09:00:00+08:00");
    record_read(fix, "march-reader");
    assert_int_equal(
        hl_audit_security(fix->app, "secadmin", "192.0.2.1", "login", NULL, HL_AUDIT_SUCCESS, NULL),
        HL_OK);
    at_time("2024-09-15T09:00:00+08:00");
}

static hl_time instant(const char *text)
{
    hl_time out = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &out), HL_OK);
    return out;
}

static void assert_verifies(fixture *fix)
{
    hl_verify_summary summary;
    hl_error error;
    if (hl_verify_run_full(fix->app, NULL, NULL, &summary, &error) != HL_OK)
        fail_msg("%s", error.message);
}

static void archive_path(const fixture *fix, const char *name, char *out, size_t size)
{
    test_path(out, size, fix->directory, name);
}

/* Archives the records before February 2024 into path, as cli:test. */
static void archive_january(fixture *fix, const char *path)
{
    hl_error error;
    hl_archive_summary summary;
    if (hl_archive(fix->app, path, instant("2024-02-01"), "cli:test", &summary, &error) != HL_OK)
        fail_msg("%s", error.message);
}

static void test_archive_moves_exactly_the_records_older_than_the_cutoff(void **state)
{
    fixture *fix = *state;
    two_months_of_audit(fix);
    char first[600], second[600], refused[600];
    archive_path(fix, "first.db", first, sizeof first);
    archive_path(fix, "second.db", second, sizeof second);
    archive_path(fix, "refused.db", refused, sizeof refused);
    hl_error error;
    hl_archive_summary summary;

    /* Later than now less audit.retention_days: refused, nothing written. */
    hl_time latest = 0;
    assert_int_equal(hl_archive_latest_cutoff(fix->app, hl_clock_now(), &latest, &error), HL_OK);
    assert_int_equal(latest, instant("2024-03-19T09:00:00+08:00"));
    assert_int_equal(hl_archive(fix->app, refused, latest + 1, "cli:test", &summary, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "before");
    assert_int_equal(access(refused, F_OK), -1);
    /* A longer retention moves the latest cut-off back. */
    assert_int_equal(hl_policy_set(fix->app, "audit.retention_days", "365", &error), HL_OK);
    assert_int_equal(
        hl_archive(fix->app, refused, instant("2024-02-01"), "cli:test", &summary, &error),
        HL_EINVAL);
    assert_int_equal(access(refused, F_OK), -1);
    assert_int_equal(hl_policy_set(fix->app, "audit.retention_days", "180", &error), HL_OK);

    /* Before February: the January records only, each chain's prefix. */
    if (hl_archive(fix->app, first, instant("2024-02-01"), "cli:test", &summary, &error) != HL_OK)
        fail_msg("%s", error.message);
    assert_int_equal(summary.ranges[0].from.seq, 0);
    assert_int_equal(summary.ranges[0].to.seq, 2);
    assert_int_equal(summary.ranges[0].records, 2);
    assert_int_equal(summary.ranges[1].to.seq, 2);
    assert_int_equal(summary.ranges[1].records, 2);
    struct stat status;
    assert_int_equal(stat(first, &status), 0);
    assert_int_equal(status.st_mode & 0777, 0600);
    assert_int_equal(stored_reads(fix), 1);
    assert_int_equal(
        test_sql_integer(fix->path, "SELECT seq FROM chain_anchors WHERE name = 'reads'"), 2);
    char anchor[80];
    test_sql_text(fix->path, "SELECT hash FROM chain_anchors WHERE name = 'reads'", anchor,
                  sizeof anchor);
    assert_string_equal(anchor, summary.ranges[0].to.hash);
    assert_verifies(fix);

    /* The act is recorded, naming the ranges and the anchors. */
    security_list list = {.count = 0};
    assert_int_equal(hl_audit_security_list(fix->app, 1, collect_security, &list, &error), HL_OK);
    assert_string_equal(list.events[0].action, "audit.archive");
    assert_string_equal(list.events[0].actor, "cli:test");
    assert_string_equal(list.events[0].outcome, "success");
    char expected[200];
    snprintf(expected, sizeof expected, "reads 1-2 %s; security 1-2 ", summary.ranges[0].to.hash);
    assert_non_null(strstr(list.events[0].detail, expected));

    /* A second archive, up to the latest cut-off, chains to the first: the
     * March read and login, never the audit.archive event just written. */
    hl_archive_summary next;
    if (hl_archive(fix->app, second, 0, "cli:test", &next, &error) != HL_OK)
        fail_msg("%s", error.message);
    assert_int_equal(next.before, latest);
    assert_int_equal(next.ranges[0].from.seq, 2);
    assert_string_equal(next.ranges[0].from.hash, summary.ranges[0].to.hash);
    assert_int_equal(next.ranges[0].to.seq, 3);
    assert_int_equal(next.ranges[1].from.seq, 2);
    assert_int_equal(next.ranges[1].to.seq, 3);
    assert_int_equal(stored_reads(fix), 0);
    assert_verifies(fix);
    hl_archive_summary checked;
    assert_int_equal(hl_archive_check(fix->app, first, &checked, &error), HL_OK);
    assert_int_equal(hl_archive_anchored(fix->app, &checked, &error), HL_OK);
    assert_int_equal(hl_archive_check(fix->app, second, &checked, &error), HL_OK);
    assert_int_equal(hl_archive_anchored(fix->app, &checked, &error), HL_OK);
    assert_string_equal(checked.seal, next.seal);

    /* Nothing older is left: no file. */
    assert_int_equal(hl_archive(fix->app, refused, 0, "cli:test", &summary, &error), HL_OK);
    assert_int_equal(summary.ranges[0].records + summary.ranges[1].records, 0);
    assert_int_equal(access(refused, F_OK), -1);
    assert_int_equal(unsetenv("HOTLINE_NOW"), 0);
}

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static void test_database_refuses_deletes_above_the_anchor_and_anchors_moved_back(void **state)
{
    fixture *fix = *state;
    two_months_of_audit(fix);
    char first[600];
    archive_path(fix, "first.db", first, sizeof first);
    archive_january(fix, first);
    /* Above the anchor: refused by the database itself, for any client. */
    assert_int_not_equal(test_sql_exec(fix->path, "DELETE FROM personal_data_reads"), 0);
    assert_int_not_equal(
        test_sql_exec(fix->path, "DELETE FROM security_events WHERE chain_seq = 3"), 0);
    assert_int_not_equal(test_sql_exec(fix->path, "UPDATE personal_data_reads SET actor = 'x'"), 0);
    /* An anchor never moves back, nor onto a record that is not there. */
    assert_int_not_equal(test_sql_exec(fix->path,
                                       "UPDATE chain_anchors SET seq = 0, hash = '" GENESIS
                                       "' WHERE name = 'reads'"),
                         0);
    assert_int_not_equal(test_sql_exec(fix->path,
                                       "UPDATE chain_anchors SET seq = 3, hash = '" GENESIS
                                       "' WHERE name = 'reads'"),
                         0);
    assert_int_not_equal(test_sql_exec(fix->path, "DELETE FROM chain_anchors"), 0);
    if (test_store_is_postgres())
        assert_int_not_equal(test_sql_exec(fix->path, "TRUNCATE personal_data_reads"), 0);
    assert_int_equal(stored_reads(fix), 1);
    assert_int_equal(
        test_sql_integer(fix->path, "SELECT seq FROM chain_anchors WHERE name = 'reads'"), 2);
    assert_verifies(fix);
    assert_int_equal(unsetenv("HOTLINE_NOW"), 0);
}

/* Flips one byte of the first occurrence of needle in the file. */
static void change_byte(const char *path, const char *needle)
{
    char *data = NULL;
    size_t length = 0;
    hl_error error;
    assert_int_equal(hl_file_read_all(path, 64 * 1024 * 1024, &data, &length, &error), HL_OK);
    size_t needle_length = strlen(needle);
    size_t at = 0;
    while (at + needle_length <= length && memcmp(data + at, needle, needle_length) != 0)
        at++;
    assert_true(at + needle_length <= length);
    data[at] = (char)(data[at] ^ 0x01);
    FILE *file = fopen(path, "r+b");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, length, file), length);
    assert_int_equal(fclose(file), 0);
    free(data);
}

static void test_a_changed_byte_of_an_archive_fails_its_check(void **state)
{
    fixture *fix = *state;
    two_months_of_audit(fix);
    char first[600];
    archive_path(fix, "first.db", first, sizeof first);
    archive_january(fix, first);
    hl_error error;
    assert_int_equal(hl_archive_check(fix->app, first, NULL, &error), HL_OK);
    change_byte(first, "january-reader");
    assert_int_equal(hl_archive_check(fix->app, first, NULL, &error), HL_EMISMATCH);
    assert_non_null(strstr(error.message, "changed"));
    assert_int_equal(unsetenv("HOTLINE_NOW"), 0);
}

/* hotline backup and restore (and so hotline copy) carry the anchor of the
 * reads' chain and the audit.archive event naming it: the restored store
 * verifies, with the same anchor and the same links as the source. */
static void test_backup_and_restore_carry_the_anchor(void **state)
{
    fixture *fix = *state;
    two_months_of_audit(fix);
    char first[600], backup_path[600], restored[600], key[600];
    archive_path(fix, "first.db", first, sizeof first);
    archive_path(fix, "backup.db", backup_path, sizeof backup_path);
    archive_path(fix, "restored.db", restored, sizeof restored);
    test_store_key_path(key, sizeof key, fix->directory);
    archive_january(fix, first);
    hl_error error;
    hl_backup_options options = {"cli:test", key, NULL};
    if (hl_backup(fix->app, backup_path, &options, NULL, &error) != HL_OK)
        fail_msg("%s", error.message);
    hl_restore_result *outcome = hl_xcalloc(1, sizeof *outcome);
    if (hl_restore(backup_path, restored, key, "cli:test", outcome, &error) != HL_OK)
        fail_msg("%s", error.message);
    free(outcome);
    assert_int_equal(
        test_sql_integer(restored, "SELECT seq FROM chain_anchors WHERE name = 'reads'"), 2);
    char source_head[80], restored_head[80];
    /* The March read keeps its link (the backup and the restore are reads
     * of their own after it). */
    test_sql_text(fix->path, "SELECT hash FROM personal_data_reads WHERE chain_seq = 3",
                  source_head, sizeof source_head);
    test_sql_text(restored, "SELECT hash FROM personal_data_reads WHERE chain_seq = 3",
                  restored_head, sizeof restored_head);
    assert_string_equal(restored_head, source_head);
    hl_app *copy = NULL;
    if (hl_app_open_keyed(restored, key, &copy, &error) != HL_OK)
        fail_msg("%s", error.message);
    hl_verify_summary verified;
    if (hl_verify_run_full(copy, NULL, NULL, &verified, &error) != HL_OK)
        fail_msg("%s", error.message);
    /* The archive file joins the restored store as it joins the source. */
    hl_archive_summary checked;
    assert_int_equal(hl_archive_check(copy, first, &checked, &error), HL_OK);
    assert_int_equal(hl_archive_anchored(copy, &checked, &error), HL_OK);
    hl_app_close(copy);
    assert_int_equal(unsetenv("HOTLINE_NOW"), 0);
}

/* An anchor moved forward without its audit.archive event (as whoever may
 * write the database can do, onto a record that exists): verify says so. */
static void test_verify_reports_an_anchor_moved_without_its_event(void **state)
{
    fixture *fix = *state;
    two_months_of_audit(fix);
    char hash[80], sql[200];
    test_sql_text(fix->path, "SELECT hash FROM personal_data_reads WHERE chain_seq = 1", hash,
                  sizeof hash);
    snprintf(sql, sizeof sql,
             "UPDATE chain_anchors SET seq = 1, hash = '%s' WHERE name = 'reads';"
             "DELETE FROM personal_data_reads WHERE chain_seq = 1",
             hash);
    assert_int_equal(test_sql_exec(fix->path, sql), 0);
    hl_verify_summary summary;
    hl_error error;
    assert_int_equal(hl_verify_run_full(fix->app, NULL, NULL, &summary, &error), HL_EMISMATCH);
    assert_int_equal(unsetenv("HOTLINE_NOW"), 0);
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
        cmocka_unit_test_setup_teardown(
            test_archive_moves_exactly_the_records_older_than_the_cutoff, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_database_refuses_deletes_above_the_anchor_and_anchors_moved_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_changed_byte_of_an_archive_fails_its_check, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_and_restore_carry_the_anchor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_reports_an_anchor_moved_without_its_event,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
