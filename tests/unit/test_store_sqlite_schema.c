/* test_store_sqlite_schema.c: the SQLite store's schema: a new file gets
 * the current version, a reopened one keeps its data, files that are not
 * hotline databases (or are newer) are refused, and the migrations that
 * fill new tables from old rows (the per-state counts of schema 6, the unit
 * rows of schema 8). Records are filled by hand; the workflow is not
 * involved. */
#include "store_fixture.h"

#include <time.h>

#include "store/chain.h"

/* Takes a store back from schema 17 to 11 (the queues' indexes, the mark
 * of names in clear, the audits' anchors, published bulletins, password
 * history, the hash chains), for the tests that take it further back to
 * run older migrations again. Migrations 13 to 17 undone too: every test
 * that goes back before 12 does. */
#define UNDO_MIGRATION_17 "DROP INDEX orders_extension_pending; DROP INDEX orders_appeal_pending;"
#define UNDO_MIGRATION_16 UNDO_MIGRATION_17 "DELETE FROM meta WHERE key = 'texts_unsealed';"
#define UNDO_MIGRATION_15                                                                          \
    UNDO_MIGRATION_16                                                                              \
    "DROP TABLE chain_anchors; DROP INDEX personal_data_reads_by_chain;"                           \
    "DROP TRIGGER personal_data_reads_no_delete;"                                                  \
    "CREATE TRIGGER personal_data_reads_no_delete BEFORE DELETE ON personal_data_reads "           \
    "BEGIN SELECT RAISE(ABORT, 'append-only'); END;"                                               \
    "DROP TRIGGER security_events_no_delete;"                                                      \
    "CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events "                   \
    "BEGIN SELECT RAISE(ABORT, 'append-only'); END;"
#define UNDO_MIGRATION_14 UNDO_MIGRATION_15 "DROP TABLE published_bulletins;"
#define UNDO_MIGRATION_13                                                                          \
    UNDO_MIGRATION_14                                                                              \
    "DROP TABLE password_history; ALTER TABLE users DROP COLUMN password_changed_at;"
#define UNDO_MIGRATION_12                                                                          \
    UNDO_MIGRATION_13                                                                              \
    "DROP TABLE security_events; DROP TABLE chain_heads;"                                          \
    "DROP TRIGGER events_no_update; DROP TRIGGER personal_data_reads_no_update;"                   \
    "ALTER TABLE events DROP COLUMN chain_seq; ALTER TABLE events DROP COLUMN prev_hash;"          \
    "ALTER TABLE events DROP COLUMN hash;"                                                         \
    "ALTER TABLE personal_data_reads DROP COLUMN chain_seq;"                                       \
    "ALTER TABLE personal_data_reads DROP COLUMN prev_hash;"                                       \
    "ALTER TABLE personal_data_reads DROP COLUMN hash;"                                            \
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "                                     \
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"                                    \
    "CREATE TRIGGER personal_data_reads_no_update BEFORE UPDATE ON personal_data_reads "           \
    "BEGIN SELECT RAISE(ABORT, 'append-only'); END;"

static void test_creates_schema_at_current_version(void **state)
{
    fixture *context = *state;
    assert_int_equal(hl_store_schema_version(context->store), 17); /* migrations 1-17 */
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"),
        hl_store_schema_version(context->store));
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                 "name IN ('config', 'units', 'categories', 'users', 'calendar', "
                                 "'orders', 'events', 'rollups')"),
                     8);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM sqlite_master WHERE "
                                                "type = 'trigger' AND tbl_name = 'events'"),
                     2);
    char mode[16];
    raw_text(context->path, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
}

static void test_reopen_keeps_data(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    reopen(context);
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.lead_unit, "water");
    id_list list = {.count = 0};
    assert_int_equal(
        hl_store_event_list(context->store, ORDER_BASE + 1, collect_event, &list, &error), HL_OK);
    assert_int_equal(list.count, 1);
}

static void test_refuses_newer_schema_version(void **state)
{
    fixture *context = *state;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(
        raw_exec(context->path, "UPDATE meta SET value = '999' WHERE key = 'schema_version'"),
        SQLITE_OK);
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(context->path, &store, &error), HL_EIO);
    assert_null(store);
    assert_non_null(strstr(error.message, "999"));
}

static void test_refuses_non_database_file(void **state)
{
    fixture *context = *state;
    char path[512];
    test_path(path, sizeof path, context->directory, "notes.txt");
    test_write_file(path, "这不是数据库 — this is not an SQLite database, just a long enough "
                          "text file to hold a whole header and then some more bytes.\n");
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(path, &store, &error), HL_EIO);
    assert_null(store);
    assert_non_null(strstr(error.message, path));
}

static void test_refuses_another_programs_database(void **state)
{
    fixture *context = *state;
    char path[512];
    test_path(path, sizeof path, context->directory, "other.db");
    assert_int_equal(raw_exec(path, "CREATE TABLE photos(id INTEGER PRIMARY KEY)"), SQLITE_OK);
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(path, &store, &error), HL_EIO);
    assert_null(store);
    /* Left as it was: no hotline table was added. */
    assert_int_equal(raw_integer(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"),
                     1);
}

static void test_refuses_directory(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_store *store = NULL;
    assert_int_equal(hl_store_open(context->directory, &store, &error), HL_EIO);
    assert_null(store);
    assert_true(error.message[0] != '\0');
}

static void test_state_counts_of_a_store_migrated_from_version_5(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_store_close(context->store);
    context->store = NULL;
    /* Back to version 5, then one more completed order written behind the store's back. */
    assert_int_equal(
        raw_exec(context->path, UNDO_MIGRATION_12
                 "DROP TABLE order_state_counts;"
                 "DROP TABLE order_units;"
                 "DROP INDEX orders_by_state;"
                 "DROP INDEX orders_by_category;"
                 "DROP TABLE api_keys; DROP TABLE category_attributes;"
                 "DROP TABLE open311_requests; DROP TABLE order_attributes;"
                 "DROP INDEX events_by_at;"
                 "ALTER TABLE orders DROP COLUMN publish_consent;"
                 "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
                 "CREATE TEMP TABLE copy AS SELECT * FROM orders WHERE id = 20240215000004;"
                 "UPDATE copy SET id = 20240215000009;"
                 "INSERT INTO orders SELECT * FROM copy;"),
        SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"),
        hl_store_schema_version(context->store));
    assert_state_counts_are_real(context);
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_COMPLETED], 2);
}

static void test_migration_8_builds_unit_rows_from_existing_orders(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(
        raw_exec(
            context->path, UNDO_MIGRATION_12
            "DROP TABLE order_units; DROP INDEX orders_by_state; DROP INDEX orders_by_category; "
            "ALTER TABLE orders DROP COLUMN publish_consent; "
            "UPDATE meta SET value = '7' WHERE key = 'schema_version'"),
        SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"),
        hl_store_schema_version(context->store));
    /* Five lead rows; co rows: 2 (power, gas), 3 (water_x), 4 (water), 5 (gas). */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units WHERE lead = 1"),
                     5);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units WHERE lead = 0"),
                     5);
    hl_order_filter gas = {.scope_unit = "gas", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &gas)}, (int64_t[]){2, 4, 5}, 3);
}

/* Migration 10 (consent to publication): the orders that came through an
 * Open311 POST, those with a request row, get the consent the API's terms
 * gave; an order registered elsewhere under the channel open311, and a
 * call, get none (issue 11, finding 4). */
static void test_migration_10_gives_consent_to_open311_posts_only(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    insert(context->store, make_order(2, HL_STATE_NEW, ""));
    insert(context->store, make_order(3, HL_STATE_NEW, ""));
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(
        raw_exec(context->path, UNDO_MIGRATION_12
                 "UPDATE orders SET channel = 'open311' WHERE id IN (20240215000001, "
                 "20240215000002);"
                 "INSERT INTO api_keys(id, key_hash, key_prefix, name, created_by, created_at, "
                 "rate_per_minute) VALUES(1, 'h', 'p', 'app', 'admin', 0, 60);"
                 "INSERT INTO open311_requests VALUES(20240215000001, 1, '', '', '', '', '');"
                 "ALTER TABLE orders DROP COLUMN publish_consent;"
                 "UPDATE meta SET value = '9' WHERE key = 'schema_version';"),
        SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    test_store_use_key(context->store);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 17);
    bool consent[3];
    for (int sequence = 1; sequence <= 3; sequence++) {
        assert_int_equal(
            hl_store_order_get(context->store, ORDER_BASE + sequence, &scratch_read, &error),
            HL_OK);
        consent[sequence - 1] = scratch_read.publish_consent;
    }
    assert_true(consent[0]);
    assert_false(consent[1]);
    assert_false(consent[2]);
}

/* Migration 11: the users of the old single administrator role become
 * security administrators (三员分立); the other roles stay. */
static void test_migration_11_makes_old_administrators_security_administrators(void **state)
{
    fixture *context = *state;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path, UNDO_MIGRATION_12
                              "INSERT INTO users(username, display_name, role, unit, active) "
                              "VALUES('root', '管理员', 'admin', '', 1), "
                              "('zhang', '张三', 'agent', '', 1); "
                              "UPDATE meta SET value = '10' WHERE key = 'schema_version'"),
                     SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    hl_user user;
    assert_int_equal(hl_store_user_get(context->store, "root", &user, &error), HL_OK);
    assert_int_equal(user.role, HL_ROLE_SECADMIN);
    assert_int_equal(hl_store_user_get(context->store, "zhang", &user, &error), HL_OK);
    assert_int_equal(user.role, HL_ROLE_AGENT);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM users WHERE role = 'admin'"),
                     0);
}

/* Schema 12 links the events a store already holds, in time order, and
 * verify's walk finds the chain whole. */
static int count_links(void *context, const hl_chain_record *record)
{
    int64_t *expected = context;
    assert_int_equal(record->link.seq, *expected);
    hl_chain_link computed = record->link;
    hl_chain_link_record(record, &computed);
    assert_string_equal(computed.hash, record->link.hash);
    (*expected)++;
    return HL_OK;
}

static void test_migration_12_links_stored_events(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    append(context->store, make_event(1, 1, HL_ACTION_REGISTER));
    append(context->store, make_event(1, 2, HL_ACTION_DISPATCH));
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path, UNDO_MIGRATION_12
                              "UPDATE meta SET value = '11' WHERE key = 'schema_version'"),
                     SQLITE_OK);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events WHERE hash IS NULL"),
                     0);
    assert_int_equal(
        raw_integer(context->path, "SELECT seq FROM chain_heads WHERE name = 'events'"), 2);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM meta WHERE key = 'chain_unlinked'"), 0);
    int64_t expected = 1;
    assert_int_equal(
        hl_store_chain_scan(context->store, HL_CHAIN_EVENTS, count_links, &expected, &error),
        HL_OK);
    assert_int_equal(expected, 3);
}

/* Migration 13: the accounts that exist take the migration's time as
 * when their password was set, so that password.max_age_days forces
 * nobody to change at once after an upgrade; their hashes stay. */
static void test_migration_13_dates_existing_passwords_now(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_user agent = {.role = HL_ROLE_AGENT, .active = true};
    snprintf(agent.username, sizeof agent.username, "agent1");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &agent, &error), HL_OK);
    assert_int_equal(hl_store_password_set(context->store, "agent1", "$argon2id$x", 1, &error),
                     HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path, UNDO_MIGRATION_13
                              "UPDATE meta SET value = '12' WHERE key = 'schema_version'"),
                     SQLITE_OK);
    hl_time before = (hl_time)time(NULL);
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    char hash[64];
    hl_time changed_at = 0;
    assert_int_equal(
        hl_store_password_get(context->store, "agent1", hash, sizeof hash, &changed_at, &error),
        HL_OK);
    assert_string_equal(hash, "$argon2id$x");
    assert_true(changed_at >= before && changed_at <= (hl_time)time(NULL));
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM password_history"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_migration_12_links_stored_events),
        STORE_TEST(test_creates_schema_at_current_version),
        STORE_TEST(test_reopen_keeps_data),
        STORE_TEST(test_refuses_newer_schema_version),
        STORE_TEST(test_refuses_non_database_file),
        STORE_TEST(test_refuses_another_programs_database),
        STORE_TEST(test_refuses_directory),
        STORE_TEST(test_migration_8_builds_unit_rows_from_existing_orders),
        STORE_TEST(test_migration_10_gives_consent_to_open311_posts_only),
        STORE_TEST(test_state_counts_of_a_store_migrated_from_version_5),
        STORE_TEST(test_migration_11_makes_old_administrators_security_administrators),
        STORE_TEST(test_migration_13_dates_existing_passwords_now),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
