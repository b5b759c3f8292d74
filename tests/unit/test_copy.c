/* test_copy.c: hotline copy (app/copy.h) on real stores. The Taiyuan demo,
 * with a row in each table the demo leaves empty (the security audit and a
 * published month among them), is copied SQLite to
 * SQLite and compared: every table's digest, every event field by field,
 * verify clean on the copy, the February 2024 bulletin the same from
 * both, the phones opened with the source's key. A destination that is not
 * empty is refused and left as it was; a destination that refuses a row
 * half way, and one whose commit fails on the disk, are left empty. When
 * HOTLINE_TEST_PG names an empty PostgreSQL database, the demo also goes
 * SQLite -> PostgreSQL -> SQLite and every digest agrees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/audit.h"
#include "app/copy.h"
#include "app/publish.h"
#include "app/report.h"
#include "app/verify.h"
#include "demo/demo.h"
#include "failing_vfs.h"
#include "report/render.h"
#include "test_support.h"

#define DEMO_MONTH 202402
#define SOME_ORDER INT64_C(20240201000001)

/* The demo, built once in a directory the tests share (it takes seconds). */
static char directory[256];
static char source_path[300];
static char key_path[300];

static void fill_empty_tables(hl_app *app)
{
    hl_error error;
    hl_store *store = app->store;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    hl_session session = {.created_at = 1706745600, .expires_at = 1706788800, .revoked = false};
    memset(session.token_hash, 'a', 64);
    snprintf(session.username, sizeof session.username, "agent1");
    assert_int_equal(hl_store_session_put(store, &session, &error), HL_OK);
    hl_apikey keys[2];
    memset(keys, 0, sizeof keys);
    for (int index = 0; index < 2; index++) {
        memset(keys[index].key_hash, 'b' + index, 64);
        snprintf(keys[index].key_prefix, sizeof keys[index].key_prefix, "k%dabcdef", index);
        snprintf(keys[index].name, sizeof keys[index].name, "应用 %d", index);
        keys[index].created_at = 1706745600 + index;
        keys[index].rate_per_minute = 60;
        assert_int_equal(hl_store_apikey_insert(store, &keys[index], &error), HL_OK);
    }
    assert_int_equal(hl_store_apikey_revoke(store, keys[0].id, 1706800000, &error), HL_OK);
    hl_open311_record record;
    memset(&record, 0, sizeof record);
    record.order_id = SOME_ORDER;
    record.api_key_id = keys[1].id;
    snprintf(record.email, sizeof record.email, "citizen@example.org");
    snprintf(record.media_url, sizeof record.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_put(store, &record, &error), HL_OK);
    assert_int_equal(hl_store_answer_put(store, SOME_ORDER, "floor", 1, "3", &error), HL_OK);
    assert_int_equal(hl_store_answer_put(store, SOME_ORDER, "rooms", 1, "a", &error), HL_OK);
    assert_int_equal(hl_store_answer_put(store, SOME_ORDER, "rooms", 2, "b", &error), HL_OK);
    for (int index = 0; index < 3; index++) {
        hl_audit_read read = {.at = 1706745600 + index, .order_id = SOME_ORDER + index};
        snprintf(read.actor, sizeof read.actor, "cli:test");
        snprintf(read.route, sizeof read.route, "show");
        assert_int_equal(hl_store_audit_append(store, &read, &error), HL_OK);
    }
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
    /* The security audit and a published month: a backup or a copy that
     * left them behind would lose the audit trail and the record of what
     * was published (issue 11). Publishing records bulletin.publish too. */
    assert_int_equal(hl_audit_security(app, "cli:test", NULL, "settings.set", "sign_days",
                                       HL_AUDIT_SUCCESS, "3"),
                     HL_OK);
    hl_publication publication;
    assert_int_equal(
        hl_publish_month(app, "analyst1", NULL, DEMO_MONTH, false, NULL, &publication, &error),
        HL_OK);
}

static int make_demo(void **state)
{
    (void)state;
    test_make_temp_dir(directory, sizeof directory);
    test_path(source_path, sizeof source_path, directory, "source.db");
    test_path(key_path, sizeof key_path, directory, "source.db.key");
    hl_app *app = NULL;
    hl_error error;
    hl_error_clear(&error);
    if (hl_app_open_keyed(source_path, key_path, &app, &error) != HL_OK ||
        hl_app_init(app, &error) != HL_OK) {
        fprintf(stderr, "%s\n", error.message);
        return -1;
    }
    hl_demo_summary summary;
    if (hl_demo_load(app, &summary, &error) != HL_OK) {
        fprintf(stderr, "%s\n", error.message);
        return -1;
    }
    fill_empty_tables(app);
    hl_app_close(app);
    return 0;
}

static int remove_demo(void **state)
{
    (void)state;
    test_remove_tree(directory);
    return 0;
}

static void digest_of(const char *address, hl_copy_digest *out)
{
    hl_store *store = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(address, &store, &error), HL_OK);
    assert_int_equal(hl_copy_digest_store(store, out, &error), HL_OK);
    hl_store_close(store);
}

static void assert_empty(const hl_copy_digest *digest)
{
    for (int table = 0; table < HL_COPY_TABLE_COUNT; table++)
        if (digest->tables[table].rows != 0)
            fail_msg("%s has %lld rows", hl_copy_table_name((hl_copy_table)table),
                     (long long)digest->tables[table].rows);
}

/* Each event of the copy against the source's, field by field. */
typedef struct event_check {
    hl_store *source;
    int64_t events;
} event_check;

static int check_event(void *context, const hl_event *copy)
{
    event_check *check = context;
    hl_event original;
    hl_error error;
    assert_int_equal(
        hl_store_event_get(check->source, copy->order_id, copy->seq, &original, &error), HL_OK);
    assert_int_equal(copy->at, original.at);
    assert_string_equal(copy->actor, original.actor);
    assert_int_equal(copy->action, original.action);
    assert_int_equal(copy->from_state, original.from_state);
    assert_int_equal(copy->to_state, original.to_state);
    assert_string_equal(copy->unit, original.unit);
    assert_string_equal(copy->other_unit, original.other_unit);
    assert_int_equal(copy->deadline, original.deadline);
    assert_string_equal(copy->note, original.note);
    assert_string_equal(copy->details, original.details);
    assert_int_equal(copy->period, original.period);
    assert_int_equal(copy->outcome, original.outcome);
    assert_int_equal(copy->rating, original.rating);
    assert_int_equal(copy->resolved, original.resolved);
    assert_int_equal(copy->flags, original.flags);
    check->events++;
    return 0;
}

static int64_t check_events(const char *source_address, const char *copy_address)
{
    hl_store *source = NULL, *copy = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(source_address, &source, &error), HL_OK);
    assert_int_equal(hl_store_open(copy_address, &copy, &error), HL_OK);
    event_check check = {source, 0};
    assert_int_equal(hl_store_event_scan(copy, check_event, &check, &error), HL_OK);
    hl_store_close(copy);
    hl_store_close(source);
    return check.events;
}

static void count_difference(void *context, const char *line)
{
    fprintf(stderr, "difference: %s\n", line);
    (*(int *)context)++;
}

/* Opens a store with the source's key: verify must be clean; the
 * bulletin of the demo's month is appended to bulletin; one phone is
 * returned in phone. */
static void check_app(const char *address, hl_buf *bulletin, char *phone, size_t size)
{
    hl_app *app = NULL;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_app_open_keyed(address, key_path, &app, &error), HL_OK);
    int differences = 0;
    hl_verify_summary summary;
    assert_int_equal(hl_verify_run_full(app, count_difference, &differences, &summary, &error),
                     HL_OK);
    assert_int_equal(differences, 0);
    assert_true(summary.events > 100000);
    assert_int_equal(summary.months, 1);
    hl_assessment_policy policy;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    assert_int_equal(hl_report_policy(app, &policy, &error), HL_OK);
    assert_int_equal(hl_report_build(app, DEMO_MONTH, &policy, &assessment, &meta, &error), HL_OK);
    snprintf(meta.generated_at, sizeof meta.generated_at, "2024-03-01T00:00:00Z");
    assert_int_equal(hl_render_bulletin(&assessment, &meta, HL_RENDER_TEXT, bulletin, &error),
                     HL_OK);
    assert_int_equal(hl_render_bulletin(&assessment, &meta, HL_RENDER_JSON, bulletin, &error),
                     HL_OK);
    hl_assessment_free(&assessment);
    hl_order order;
    assert_int_equal(hl_app_get_order(app, SOME_ORDER, &order, &error), HL_OK);
    snprintf(phone, size, "%s", order.citizen_phone);
    hl_app_close(app);
}

/* Copies the source into a new store at copy_address and checks the
 * copy against it in every way the header names. */
static void check_copy(const char *copy_address)
{
    hl_copy_digest source, copy;
    digest_of(source_path, &source);
    digest_of(copy_address, &copy);
    hl_copy_table table = HL_COPY_CONFIG;
    if (!hl_copy_digest_equal(&source, &copy, &table))
        fail_msg("%s differs", hl_copy_table_name(table));
    for (int index = 0; index < HL_COPY_TABLE_COUNT; index++)
        if (source.tables[index].rows == 0)
            fail_msg("the source's %s is empty", hl_copy_table_name((hl_copy_table)index));
    assert_int_equal(check_events(source_path, copy_address), source.tables[HL_COPY_EVENTS].rows);

    hl_buf source_bulletin, copy_bulletin;
    hl_buf_init(&source_bulletin);
    hl_buf_init(&copy_bulletin);
    char source_phone[64], copy_phone[64];
    check_app(source_path, &source_bulletin, source_phone, sizeof source_phone);
    check_app(copy_address, &copy_bulletin, copy_phone, sizeof copy_phone);
    assert_true(source_bulletin.len > 1000);
    assert_int_equal(source_bulletin.len, copy_bulletin.len);
    assert_memory_equal(source_bulletin.data, copy_bulletin.data, source_bulletin.len);
    assert_true(source_phone[0] != '\0');
    assert_string_equal(source_phone, copy_phone);
    hl_buf_free(&source_bulletin);
    hl_buf_free(&copy_bulletin);
}

static void test_copy_sqlite_to_sqlite(void **state)
{
    (void)state;
    char copy_path[300];
    test_path(copy_path, sizeof copy_path, directory, "copy.db");
    hl_copy_digest copied;
    hl_error error;
    hl_error_clear(&error);
    if (hl_copy(source_path, copy_path, &copied, &error) != HL_OK)
        fail_msg("%s", error.message);
    assert_true(copied.tables[HL_COPY_ORDERS].rows > 20000);
    check_copy(copy_path);

    /* Again into the copy: refused, and the copy is as it was. */
    hl_copy_digest before, after;
    digest_of(copy_path, &before);
    assert_int_equal(hl_copy(source_path, copy_path, NULL, &error), HL_ECONFLICT);
    assert_non_null(strstr(error.message, "config"));
    digest_of(copy_path, &after);
    assert_true(hl_copy_digest_equal(&before, &after, NULL));
}

static void test_copy_refuses_missing_source_and_itself(void **state)
{
    (void)state;
    char missing[300], target[300];
    test_path(missing, sizeof missing, directory, "missing.db");
    test_path(target, sizeof target, directory, "target.db");
    hl_error error;
    assert_int_equal(hl_copy(missing, target, NULL, &error), HL_EINVAL);
    assert_int_equal(hl_copy(source_path, source_path, NULL, &error), HL_EINVAL);
    FILE *file = fopen(missing, "rb");
    assert_null(file); /* the missing source was not created */
    file = fopen(target, "rb");
    assert_null(file);
}

/* A destination whose event_append refuses the 100,000th event. */
static const hl_store_ops *real_ops;
static int64_t appended;

static int refusing_event_append(hl_store *store, const hl_event *event, hl_error *error)
{
    if (++appended == 100000)
        return hl_error_set(error, HL_EIO, NULL, "the disk refused event %lld",
                            (long long)appended);
    return real_ops->event_append(store, event, error);
}

static void test_copy_refused_row_leaves_destination_empty(void **state)
{
    (void)state;
    char path[300];
    test_path(path, sizeof path, directory, "refusing.db");
    hl_store *from = NULL, *to = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(source_path, &from, &error), HL_OK);
    assert_int_equal(hl_store_open(path, &to, &error), HL_OK);
    hl_store_ops refusing = *to->ops;
    refusing.event_append = refusing_event_append;
    real_ops = to->ops;
    appended = 0;
    to->ops = &refusing;
    assert_int_equal(hl_copy_stores(from, to, NULL, &error), HL_EIO);
    assert_non_null(strstr(error.message, "refused event 100000"));
    to->ops = real_ops;
    hl_store_close(to);
    hl_store_close(from);
    hl_copy_digest digest;
    digest_of(path, &digest);
    assert_empty(&digest);
    /* and a copy into it then succeeds */
    assert_int_equal(hl_copy(source_path, path, NULL, &error), HL_OK);
}

static void test_copy_failing_disk_leaves_destination_empty(void **state)
{
    (void)state;
    test_failing_vfs_install();
    char path[300];
    test_path(path, sizeof path, directory, "failing.db");
    hl_store *from = NULL, *to = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(source_path, &from, &error), HL_OK);
    assert_int_equal(hl_store_open(path, &to, &error), HL_OK);
    long failures = test_failing_vfs_failures();
    test_failing_vfs_arm(TEST_VFS_IOERR);
    int result = hl_copy_stores(from, to, NULL, &error);
    test_failing_vfs_arm(TEST_VFS_OFF);
    assert_int_equal(result, HL_EIO);
    assert_true(test_failing_vfs_failures() > failures);
    hl_store_close(to);
    hl_store_close(from);
    hl_copy_digest digest;
    digest_of(path, &digest);
    assert_empty(&digest);
}

/* SQLite -> PostgreSQL -> SQLite, when a server is given. */
static void copy_through_postgres(const char *address);

static void test_copy_through_postgres(void **state)
{
    (void)state;
    const char *server = getenv("HOTLINE_TEST_PG");
    if (server == NULL || server[0] == '\0')
        skip();
    assert_null(strchr(server, '\''));
    char name[64], command[1024], address[640];
    snprintf(name, sizeof name, "hl_copy_%ld", (long)getpid());
    snprintf(command, sizeof command, "createdb --maintenance-db='%s' %s", server, name);
    assert_int_equal(system(command), 0);
    snprintf(address, sizeof address, "%s%sdbname=%s", server,
             strchr(server, '?') != NULL ? "&" : "?", name);
    copy_through_postgres(address);
    snprintf(command, sizeof command, "dropdb --if-exists --force --maintenance-db='%s' %s", server,
             name);
    assert_int_equal(system(command), 0);
}

static void copy_through_postgres(const char *address)
{
    hl_error error;
    hl_error_clear(&error);
    if (hl_copy(source_path, address, NULL, &error) != HL_OK)
        fail_msg("into PostgreSQL: %s", error.message);
    hl_copy_digest source, server;
    digest_of(source_path, &source);
    digest_of(address, &server);
    hl_copy_table table = HL_COPY_CONFIG;
    if (!hl_copy_digest_equal(&source, &server, &table))
        fail_msg("PostgreSQL's %s differs", hl_copy_table_name(table));
    assert_int_equal(check_events(source_path, address), source.tables[HL_COPY_EVENTS].rows);
    hl_buf source_bulletin, server_bulletin;
    hl_buf_init(&source_bulletin);
    hl_buf_init(&server_bulletin);
    char source_phone[64], server_phone[64];
    check_app(source_path, &source_bulletin, source_phone, sizeof source_phone);
    check_app(address, &server_bulletin, server_phone, sizeof server_phone);
    assert_int_equal(source_bulletin.len, server_bulletin.len);
    assert_memory_equal(source_bulletin.data, server_bulletin.data, source_bulletin.len);
    assert_string_equal(source_phone, server_phone);
    hl_buf_free(&source_bulletin);
    hl_buf_free(&server_bulletin);

    char back[300];
    test_path(back, sizeof back, directory, "back.db");
    if (hl_copy(address, back, NULL, &error) != HL_OK)
        fail_msg("back from PostgreSQL: %s", error.message);
    check_copy(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_sqlite_to_sqlite),
        cmocka_unit_test(test_copy_refuses_missing_source_and_itself),
        cmocka_unit_test(test_copy_refused_row_leaves_destination_empty),
        cmocka_unit_test(test_copy_failing_disk_leaves_destination_empty),
        cmocka_unit_test(test_copy_through_postgres),
    };
    return cmocka_run_group_tests(tests, make_demo, remove_demo);
}
