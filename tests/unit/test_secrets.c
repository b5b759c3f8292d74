/* Tests of src/app/secrets.c on real files: the key file (made once, mode
 * 0600, refused when wrong), phone numbers, names and addresses sealed on
 * disk and opened back,
 * a store refused without its key or with another, the search hash that
 * finds one number however it was written, and a store of schema 4 whose
 * numbers in clear are sealed when it is opened. */
#include "test_support.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "app/secrets.h"
#include "base/file.h"
#include "base/i18n.h"

typedef struct fixture {
    char directory[256];
    char path[512];     /* the store */
    char key_path[600]; /* its default key file */
    hl_app *app;
} fixture;

static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n";

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               NULL, NULL, users_csv);
    snprintf(fix->key_path, sizeof fix->key_path, "%s.key", fix->path);
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

static int64_t register_with_phone(hl_app *app, const char *received, const char *phone)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_HELP;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(received), &order->received_at), HL_OK);
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "并州路路灯连续三晚不亮。");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "%s", phone);
    int64_t id = 0;
    hl_error error;
    if (hl_app_register(app, "agent", order, order->received_at, &id, &error) != HL_OK)
        fail_msg("register: %s", error.message);
    free(order);
    return id;
}

/* Whether a file holds a text anywhere in its bytes. */
static bool file_holds(const char *path, const char *text)
{
    char *data = NULL;
    size_t length = 0;
    hl_error error;
    if (access(path, F_OK) != 0)
        return false;
    if (hl_file_read_all(path, (size_t)1 << 30, &data, &length, &error) != HL_OK)
        fail_msg("%s", error.message);
    size_t text_length = strlen(text);
    bool found = false;
    for (size_t offset = 0; !found && offset + text_length <= length; offset++)
        found = memcmp(data + offset, text, text_length) == 0;
    free(data);
    return found;
}

/* Whether the store file or its WAL holds the text. */
static bool store_holds(const char *path, const char *text)
{
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    return file_holds(path, text) || file_holds(wal, text);
}

/* Runs SQL on a raw connection of its own. */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("%s: %s", sql, message);
    sqlite3_close(db);
}

/* The first column of the first row, as text, into out. */
static void raw_text(const char *path, const char *sql, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &statement, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    const unsigned char *text = sqlite3_column_text(statement, 0);
    snprintf(out, size, "%s", text != NULL ? (const char *)text : "");
    sqlite3_finalize(statement);
    sqlite3_close(db);
}

static void write_key_file(const char *path, const char *text, mode_t mode)
{
    test_write_file(path, text);
    assert_int_equal(chmod(path, mode), 0);
}

static void reopen_fails_with(fixture *fix, const char *key_path, const char *expected)
{
    hl_app_close(fix->app);
    fix->app = NULL;
    hl_error error;
    hl_error_clear(&error);
    hl_app *app = NULL;
    assert_int_equal(hl_app_open_keyed(fix->path, key_path, &app, &error), HL_EIO);
    assert_null(app);
    if (strstr(error.message, expected) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", error.message, expected);
    assert_null(strchr(error.message, '\n'));
}

/* ---- The key file ---- */

static void test_new_store_gets_a_key_file_of_its_owner_alone(void **state)
{
    fixture *fix = *state;
    struct stat status;
    assert_int_equal(stat(fix->key_path, &status), 0);
    assert_int_equal(status.st_mode & 0777, 0600);
    assert_int_equal(status.st_size, 65); /* 64 hex digits and a newline */
    char *text = NULL;
    size_t length = 0;
    hl_error error;
    assert_int_equal(hl_file_read_all(fix->key_path, 1024, &text, &length, &error), HL_OK);
    for (size_t index = 0; index < 64; index++)
        assert_non_null(strchr("0123456789abcdef", text[index]));
    assert_int_equal(text[64], '\n');
    /* The store holds only the key's check value, never the key. */
    char check[128];
    raw_text(fix->path, "SELECT value FROM config WHERE key = 'secrets.key_check'", check,
             sizeof check);
    assert_int_equal(strlen(check), 64);
    text[64] = '\0';
    assert_string_not_equal(check, text);
    assert_false(store_holds(fix->path, text));
    free(text);
}

static void test_an_existing_key_is_read_and_never_replaced(void **state)
{
    fixture *fix = *state;
    char *before = NULL, *after = NULL;
    size_t length = 0;
    hl_error error;
    assert_int_equal(hl_file_read_all(fix->key_path, 1024, &before, &length, &error), HL_OK);
    bool created = true;
    hl_secrets *secrets = NULL;
    assert_int_equal(hl_secrets_load(fix->key_path, true, &secrets, &created, &error), HL_OK);
    assert_false(created);
    char check[HL_SECRETS_CHECK_HEX_BYTES], stored[128];
    hl_secrets_check_value(secrets, check);
    raw_text(fix->path, "SELECT value FROM config WHERE key = 'secrets.key_check'", stored,
             sizeof stored);
    assert_string_equal(check, stored);
    hl_secrets_free(secrets);
    assert_int_equal(hl_file_read_all(fix->key_path, 1024, &after, &length, &error), HL_OK);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_key_file_of_the_wrong_length_is_refused(void **state)
{
    fixture *fix = *state;
    char path[700];
    test_path(path, sizeof path, fix->directory, "short.key");
    write_key_file(path, "0123456789abcdef\n", 0600);
    hl_secrets *secrets = NULL;
    hl_error error;
    assert_int_equal(hl_secrets_load(path, true, &secrets, NULL, &error), HL_EIO);
    assert_null(secrets);
    assert_non_null(strstr(error.message, "wrong length"));
    /* Refused, and left as it was: a key is never replaced. */
    assert_true(file_holds(path, "0123456789abcdef\n"));
}

static void test_key_file_that_is_not_hex_is_refused(void **state)
{
    fixture *fix = *state;
    char path[700];
    test_path(path, sizeof path, fix->directory, "bad.key");
    write_key_file(path, "zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
                   0600);
    hl_secrets *secrets = NULL;
    hl_error error;
    assert_int_equal(hl_secrets_load(path, false, &secrets, NULL, &error), HL_EIO);
    assert_non_null(strstr(error.message, "not 64 hex digits"));
}

static void test_key_file_others_may_read_is_refused(void **state)
{
    fixture *fix = *state;
    assert_int_equal(chmod(fix->key_path, 0640), 0);
    reopen_fails_with(fix, NULL, "chmod 600");
    assert_int_equal(chmod(fix->key_path, 0600), 0);
    hl_error error;
    assert_int_equal(hl_app_open(fix->path, &fix->app, &error), HL_OK);
}

/* ---- Phones at rest ---- */

static void test_phone_on_disk_is_not_the_number(void **state)
{
    fixture *fix = *state;
    int64_t id = register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "13912345678");
    char type[32], length[32];
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT typeof(citizen_phone) FROM orders WHERE id = %lld",
             (long long)id);
    raw_text(fix->path, sql, type, sizeof type);
    assert_string_equal(type, "blob");
    snprintf(sql, sizeof sql, "SELECT length(citizen_phone) FROM orders WHERE id = %lld",
             (long long)id);
    raw_text(fix->path, sql, length, sizeof length);
    assert_string_equal(length, "65"); /* every number seals to one length */
    assert_false(store_holds(fix->path, "13912345678"));
    assert_false(store_holds(fix->path, "912345678"));
}

/* Issue 11: citizens' names and addresses were kept in clear in the file;
 * now neither the database nor its WAL holds either, even before a
 * checkpoint, and both read back as they were written. */
static void test_name_and_address_on_disk_are_not_in_clear(void **state)
{
    fixture *fix = *state;
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_HELP;
    assert_int_equal(
        hl_clock_parse_time(hl_slice_of("2024-03-01T09:00:00+08:00"), &order->received_at), HL_OK);
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "路灯连续三晚不亮。");
    snprintf(order->citizen_name, sizeof order->citizen_name, "司马懿");
    snprintf(order->address, sizeof order->address, "晋源区晋祠路三段 417 号");
    int64_t id = 0;
    hl_error error;
    if (hl_app_register(fix->app, "agent", order, order->received_at, &id, &error) != HL_OK)
        fail_msg("register: %s", error.message);
    assert_false(store_holds(fix->path, "司马懿"));
    assert_false(store_holds(fix->path, "晋祠路"));
    assert_false(store_holds(fix->path, "417"));
    hl_app_close(fix->app);
    assert_int_equal(hl_app_open(fix->path, &fix->app, &error), HL_OK);
    memset(order, 0, sizeof *order);
    assert_int_equal(hl_app_get_order(fix->app, id, order, &error), HL_OK);
    assert_string_equal(order->citizen_name, "司马懿");
    assert_string_equal(order->address, "晋源区晋祠路三段 417 号");
    free(order);
    assert_false(store_holds(fix->path, "司马懿"));
}

/* Issue 11: a store of schema 15 holds names and addresses in clear, in
 * its rows and in its free pages; the first open with the key seals them
 * and rewrites the file, so that neither the file nor the WAL keeps them. */
static void test_schema_15_names_are_sealed_and_leave_no_copy(void **state)
{
    fixture *fix = *state;
    int64_t id = register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "13912345678");
    hl_app_close(fix->app);
    fix->app = NULL;
    char sql[400];
    snprintf(sql, sizeof sql,
             "UPDATE orders SET citizen_name = '诸葛亮', address = '尖草坪区卧龙岗 9 号' "
             "WHERE id = %lld; UPDATE meta SET value = '15' WHERE key = 'schema_version';",
             (long long)id);
    raw_exec(fix->path, sql);
    raw_exec(fix->path, "PRAGMA wal_checkpoint(TRUNCATE);");
    assert_true(store_holds(fix->path, "诸葛亮")); /* the test means something */
    hl_error error;
    assert_int_equal(hl_app_open(fix->path, &fix->app, &error), HL_OK);
    assert_false(store_holds(fix->path, "诸葛亮"));
    assert_false(store_holds(fix->path, "卧龙岗"));
    char unsealed[16];
    raw_text(fix->path, "SELECT count(*) FROM meta WHERE key = 'texts_unsealed'", unsealed,
             sizeof unsealed);
    assert_string_equal(unsealed, "0");
    hl_order *order = hl_xmalloc(sizeof *order);
    assert_int_equal(hl_app_get_order(fix->app, id, order, &error), HL_OK);
    assert_string_equal(order->citizen_name, "诸葛亮");
    assert_string_equal(order->address, "尖草坪区卧龙岗 9 号");
    assert_string_equal(order->citizen_phone, "13912345678");
    free(order);
}

static void test_phone_opens_back_to_the_number(void **state)
{
    fixture *fix = *state;
    int64_t id = register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "+86 139-1234-5678");
    hl_app_close(fix->app);
    hl_error error;
    assert_int_equal(hl_app_open(fix->path, &fix->app, &error), HL_OK);
    hl_order *order = hl_xmalloc(sizeof *order);
    assert_int_equal(hl_app_get_order(fix->app, id, order, &error), HL_OK);
    assert_string_equal(order->citizen_phone, "+86 139-1234-5678");
    free(order);
}

static void test_two_seals_of_one_number_differ(void **state)
{
    fixture *fix = *state;
    int64_t first = register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "13912345678");
    int64_t second = register_with_phone(fix->app, "2024-03-01T09:05:00+08:00", "13912345678");
    char sealed_first[256], sealed_second[256], sql[160];
    snprintf(sql, sizeof sql, "SELECT hex(citizen_phone) FROM orders WHERE id = %lld",
             (long long)first);
    raw_text(fix->path, sql, sealed_first, sizeof sealed_first);
    snprintf(sql, sizeof sql, "SELECT hex(citizen_phone) FROM orders WHERE id = %lld",
             (long long)second);
    raw_text(fix->path, sql, sealed_second, sizeof sealed_second);
    assert_string_not_equal(sealed_first,
                            sealed_second); /* a nonce each: equal numbers do not show */
}

static void test_store_with_another_key_is_refused_at_open(void **state)
{
    fixture *fix = *state;
    register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "13912345678");
    char other[700];
    test_path(other, sizeof other, fix->directory, "other.key");
    write_key_file(other, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
                   0600);
    reopen_fails_with(fix, other, "is not this store's key");
}

static void test_store_without_its_key_file_is_refused_at_open(void **state)
{
    fixture *fix = *state;
    register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "13912345678");
    char moved[700];
    test_path(moved, sizeof moved, fix->directory, "moved.key");
    assert_int_equal(rename(fix->key_path, moved), 0);
    reopen_fails_with(fix, NULL, "is missing");
    /* No new key was made in its place. */
    assert_int_not_equal(access(fix->key_path, F_OK), 0);
    /* The key named elsewhere opens it. */
    hl_error error;
    assert_int_equal(hl_app_open_keyed(fix->path, moved, &fix->app, &error), HL_OK);
}

static int64_t count_by_phone(hl_app *app, const char *phone)
{
    hl_order_filter filter = {0};
    filter.phone = phone;
    int64_t count = -1;
    hl_error error;
    if (hl_app_count_orders(app, &filter, &count, &error) != HL_OK)
        fail_msg("%s", error.message);
    return count;
}

static void test_search_finds_one_number_however_it_was_written(void **state)
{
    fixture *fix = *state;
    register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", "+86 138-0013-8000");
    register_with_phone(fix->app, "2024-03-01T10:00:00+08:00", "13800138000");
    register_with_phone(fix->app, "2024-03-01T11:00:00+08:00", "0086 138 0013 8000");
    register_with_phone(fix->app, "2024-03-01T12:00:00+08:00", "13800138001");
    register_with_phone(fix->app, "2024-03-01T13:00:00+08:00", "0351-1234567");
    assert_int_equal(count_by_phone(fix->app, "13800138000"), 3);
    assert_int_equal(count_by_phone(fix->app, "+86 138 0013 8000"), 3);
    assert_int_equal(count_by_phone(fix->app, "13800138001"), 1);
    assert_int_equal(count_by_phone(fix->app, "+86 351 1234567"), 1);
    assert_int_equal(count_by_phone(fix->app, "13900000000"), 0);
    hl_order_filter filter = {0};
    filter.phone = "no digits";
    int64_t count = 0;
    hl_error error;
    assert_int_equal(hl_app_count_orders(fix->app, &filter, &count, &error), HL_EINVAL);
    assert_string_equal(error.field, "phone");
}

static void test_search_uses_the_phone_index(void **state)
{
    fixture *fix = *state;
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_open(fix->path, &db), SQLITE_OK);
    /* The condition the store writes for a phone, beside a time bound. */
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "EXPLAIN QUERY PLAN SELECT id FROM orders WHERE "
                           "id IN (SELECT order_id FROM phone_index WHERE phone_hash = x'00') AND "
                           "(received_at < 5 OR (received_at = 5 AND id < 9)) "
                           "ORDER BY received_at DESC, id DESC",
                           -1, &statement, NULL),
        SQLITE_OK);
    bool by_hash = false, by_number = false, scan = false;
    while (sqlite3_step(statement) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(statement, 3);
        by_hash = by_hash ||
                  strstr(detail, "SEARCH phone_index USING PRIMARY KEY (phone_hash=?)") != NULL;
        by_number = by_number ||
                    strstr(detail, "SEARCH orders USING INTEGER PRIMARY KEY (rowid=?)") != NULL;
        scan = scan || strstr(detail, "SCAN orders") != NULL;
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    assert_true(by_hash);
    assert_true(by_number);
    assert_false(scan);
}

/* ---- A store from before schema 5 ---- */

/* Turns the fixture's store back into what hotline wrote at schema 4: the
 * numbers in clear (TEXT), no phone_index, no audit table, no key, and
 * none of the later schemas' list tables. */
static void make_schema_4(fixture *fix, const int64_t *ids, const char *const *phones, size_t count)
{
    hl_app_close(fix->app);
    fix->app = NULL;
    hl_buf sql;
    hl_buf_init(&sql);
    for (size_t index = 0; index < count; index++)
        hl_buf_appendf(&sql, "UPDATE orders SET citizen_phone = '%s' WHERE id = %lld;\n",
                       phones[index], (long long)ids[index]);
    /* What later schemas added (7: Open311, 10: the hash chains, 13: password
     * history and age, 14: published bulletins, 15: the anchors) goes too, so that every
     * migration from 5 on runs again. */
    hl_buf_append_str(
        &sql, "DROP TRIGGER security_events_no_delete;\n"
              "DROP TRIGGER personal_data_reads_no_delete;\n"
              "CREATE TRIGGER personal_data_reads_no_delete BEFORE DELETE ON personal_data_reads\n"
              "BEGIN SELECT RAISE(ABORT, 'append-only'); END;\n"
              "DROP TABLE chain_anchors;\n"
              "DROP INDEX personal_data_reads_by_chain;\n"
              "DROP TABLE published_bulletins;\n"
              "DROP TABLE password_history;\n"
              "ALTER TABLE users DROP COLUMN password_changed_at;\n"
              "DROP TABLE security_events;\n"
              "DROP TABLE chain_heads;\n"
              "DROP TRIGGER events_no_update;\n"
              "ALTER TABLE events DROP COLUMN chain_seq;\n"
              "ALTER TABLE events DROP COLUMN prev_hash;\n"
              "ALTER TABLE events DROP COLUMN hash;\n"
              "CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
              "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n");
    hl_buf_append_str(&sql, "DROP TABLE order_attributes;\n"
                            "DROP TABLE open311_requests;\n"
                            "DROP TABLE category_attributes;\n"
                            "DROP TABLE api_keys;\n"
                            "DROP INDEX events_by_at;\n");
    hl_buf_append_str(&sql, "DROP TRIGGER personal_data_reads_no_update;\n"
                            "DROP TRIGGER personal_data_reads_no_delete;\n"
                            "DROP TABLE personal_data_reads;\n"
                            "DROP TABLE phone_index;\n"
                            "DROP TABLE order_units;\n"
                            "DROP TABLE order_state_counts;\n"
                            "DROP INDEX orders_by_state;\n"
                            "DROP INDEX orders_by_category;\n"
                            "ALTER TABLE orders DROP COLUMN publish_consent;\n"
                            "UPDATE meta SET value = '4' WHERE key = 'schema_version';\n"
                            "DELETE FROM config WHERE key = 'secrets.key_check';\n");
    raw_exec(fix->path, sql.data);
    hl_buf_free(&sql);
    raw_exec(fix->path, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);");
    assert_int_equal(unlink(fix->key_path), 0);
}

static void test_schema_4_store_is_sealed_when_opened(void **state)
{
    fixture *fix = *state;
    const char *const phones[] = {"13912345678", "+86 139 1234 5678", "0351-7654321"};
    int64_t ids[3];
    for (size_t index = 0; index < 3; index++)
        ids[index] = register_with_phone(fix->app, "2024-03-01T09:00:00+08:00", phones[index]);
    make_schema_4(fix, ids, phones, 3);
    char type[32];
    raw_text(fix->path, "SELECT typeof(citizen_phone) FROM orders LIMIT 1", type, sizeof type);
    assert_string_equal(type, "text");
    assert_true(store_holds(fix->path, "0351-7654321")); /* the test means something */

    hl_error error;
    assert_int_equal(hl_app_open(fix->path, &fix->app, &error), HL_OK);
    char version[16], clear[16], unsealed[16];
    raw_text(fix->path, "SELECT value FROM meta WHERE key = 'schema_version'", version,
             sizeof version);
    char current[16];
    snprintf(current, sizeof current, "%d", hl_app_schema_version(fix->app));
    assert_string_equal(version, current);
    raw_text(fix->path, "SELECT count(*) FROM orders WHERE typeof(citizen_phone) <> 'blob'", clear,
             sizeof clear);
    assert_string_equal(clear, "0");
    char indexed[16];
    raw_text(fix->path, "SELECT count(*) FROM phone_index", indexed, sizeof indexed);
    assert_string_equal(indexed, "3");
    raw_text(fix->path, "SELECT count(*) FROM meta WHERE key = 'phones_unsealed'", unsealed,
             sizeof unsealed);
    assert_string_equal(unsealed, "0");
    for (size_t index = 0; index < 3; index++)
        assert_false(store_holds(fix->path, phones[index]));
    assert_false(store_holds(fix->path, "7654321"));
    assert_int_equal(access(fix->key_path, F_OK), 0); /* a key was made for it */

    hl_order *order = hl_xmalloc(sizeof *order);
    for (size_t index = 0; index < 3; index++) {
        assert_int_equal(hl_app_get_order(fix->app, ids[index], order, &error), HL_OK);
        assert_string_equal(order->citizen_phone, phones[index]);
    }
    free(order);
    assert_int_equal(count_by_phone(fix->app, "139-1234-5678"), 2);
    assert_int_equal(count_by_phone(fix->app, "+86 351 7654321"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_store_gets_a_key_file_of_its_owner_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_existing_key_is_read_and_never_replaced, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_key_file_of_the_wrong_length_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_key_file_that_is_not_hex_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_others_may_read_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone_on_disk_is_not_the_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone_opens_back_to_the_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_and_address_on_disk_are_not_in_clear, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_schema_15_names_are_sealed_and_leave_no_copy, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_seals_of_one_number_differ, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_with_another_key_is_refused_at_open, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_without_its_key_file_is_refused_at_open, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_finds_one_number_however_it_was_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_search_uses_the_phone_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_4_store_is_sealed_when_opened, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
