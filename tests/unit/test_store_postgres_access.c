/* test_store_postgres_access.c: what only the PostgreSQL store has of the
 * store's foundation and its non-order half, on a real server: the schema
 * made once, also by two servers at once, with the application role that
 * may append to the logs and never rewrite them; another program's
 * database refused; an unreachable server, a lost connection and a
 * deadlock told apart (HL_EUNAVAILABLE, a reconnect, HL_ERETRY); a
 * transaction the server aborted never committing; a long walk through a
 * cursor; and the triggers that keep the audit and the event log
 * append-only for every client, TRUNCATE included. Beside them the
 * directory's round trips as PostgreSQL must keep them where the tests of
 * both backends (test_store_directory.c) do not look: units in byte order
 * (COLLATE "C") and read again while a walk is open, attributes in their
 * position's order rather than their code's, a stored role this build
 * does not know, the values a walk of the settings visits.
 *
 * What the store keeps for access on either backend (API keys, Open311
 * records and answers, the audit of phone reads and its pages, passwords
 * and sessions) is test_store_access.c's, which runs on PostgreSQL too as
 * test_store_access_pg: it is not repeated here.
 *
 * Registered once, with HOTLINE_TEST_BACKEND=postgres: each test runs on a
 * fresh database of the server HOTLINE_TEST_PG names (store_fixture.h's
 * setup), which the throwaway server takes with it; what the store cannot
 * do (rewrite the logs behind its back, read a role's privileges, end its
 * connections) goes through raw_exec, raw_integer and raw_text (psql).
 * Without HOTLINE_TEST_PG every test fails, saying so, as every _pg test
 * does. */
#include "store_fixture.h"

#include <pthread.h>
#include <time.h>

static void test_open_creates_the_schema_once_and_reopens(void **state)
{
    fixture *context = *state;
    /* 7: password history and age, 8: published bulletins, 9: names and
     * addresses sealed (pg_schema.c). */
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 11);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'sqlite_schema_version'"),
        8);
    hl_store *second = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &second, &error), HL_OK);
    assert_int_equal(hl_store_schema_version(second), 11);
    hl_store_close(second);
    /* The second open found the schema and changed nothing. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM meta"), 2);
    /* The application role may append to the logs and never rewrite them. */
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM pg_roles WHERE rolname = 'hotline_app'"),
        1);
    char privilege[8];
    raw_text(context->path, "SELECT has_table_privilege('hotline_app', 'events', 'INSERT')",
             privilege, sizeof privilege);
    assert_string_equal(privilege, "t");
    raw_text(context->path, "SELECT has_table_privilege('hotline_app', 'events', 'UPDATE')",
             privilege, sizeof privilege);
    assert_string_equal(privilege, "f");
    /* DELETE on the audits is granted since schema 9 for archiving, and
     * the triggers allow it only at or below a chain's anchor (test_audit);
     * UPDATE and TRUNCATE stay refused. */
    raw_text(context->path,
             "SELECT has_table_privilege('hotline_app', 'personal_data_reads', 'UPDATE')",
             privilege, sizeof privilege);
    assert_string_equal(privilege, "f");
    raw_text(context->path,
             "SELECT has_table_privilege('hotline_app', 'security_events', 'TRUNCATE')", privilege,
             sizeof privilege);
    assert_string_equal(privilege, "f");
    raw_text(context->path, "SELECT has_table_privilege('hotline_app', 'chain_anchors', 'DELETE')",
             privilege, sizeof privilege);
    assert_string_equal(privilege, "f");
}

typedef struct opener {
    const char *address;
    hl_store *store;
    int result;
} opener;

static void *open_store(void *context)
{
    opener *job = context;
    hl_error error;
    job->result = hl_store_open(job->address, &job->store, &error);
    return NULL;
}

/* Migration 5: the users of the old single administrator role become
 * security administrators (三员分立), as SQLite's migration 11 does. */
static void test_migration_5_makes_old_administrators_security_administrators(void **state)
{
    fixture *context = *state;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path, PG_UNDO_CHAINS
                              "INSERT INTO users(username, display_name, role, unit, active) "
                              "VALUES('root', 'root', 'admin', '', 1), "
                              "('zhang', 'zhang', 'agent', '', 1); "
                              "UPDATE meta SET value = '4' WHERE key = 'schema_version';"),
                     0);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    hl_user user;
    assert_int_equal(hl_store_user_get(context->store, "root", &user, &error), HL_OK);
    assert_int_equal(user.role, HL_ROLE_SECADMIN);
    assert_int_equal(hl_store_user_get(context->store, "zhang", &user, &error), HL_OK);
    assert_int_equal(user.role, HL_ROLE_AGENT);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 11);
}

/* Migration 7, as SQLite's 13: the accounts that exist take the
 * migration's time as when their password was set, so that
 * password.max_age_days forces nobody to change at once after an upgrade. */
static void test_migration_7_dates_existing_passwords_now(void **state)
{
    fixture *context = *state;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path,
                              "DROP TABLE published_bulletins;" PG_UNDO_PASSWORD_AGE
                              "INSERT INTO users(username, display_name, role, unit, active, "
                              "password_hash) VALUES('zhang', 'zhang', 'agent', '', 1, 'h'); "
                              "UPDATE meta SET value = '6' WHERE key = 'schema_version';"),
                     0);
    hl_time before = (hl_time)time(NULL);
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    char hash[16];
    hl_time changed_at = 0;
    assert_int_equal(
        hl_store_password_get(context->store, "zhang", hash, sizeof hash, &changed_at, &error),
        HL_OK);
    assert_string_equal(hash, "h");
    assert_true(changed_at >= before - 1 && changed_at <= (hl_time)time(NULL));
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 11);
}

static void test_two_servers_creating_one_schema_at_once_both_open(void **state)
{
    fixture *context = *state;
    /* A second fresh database, which neither has opened yet. */
    char address[512];
    test_store_address(address, sizeof address, context->directory);
    opener jobs[2] = {{.address = address}, {.address = address}};
    pthread_t threads[2];
    for (int index = 0; index < 2; index++)
        assert_int_equal(pthread_create(&threads[index], NULL, open_store, &jobs[index]), 0);
    for (int index = 0; index < 2; index++) {
        pthread_join(threads[index], NULL);
        assert_int_equal(jobs[index].result, HL_OK);
        hl_store_close(jobs[index].store);
    }
}

static void test_open_refuses_another_programs_database(void **state)
{
    fixture *context = *state;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path, "DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
                                             "CREATE TABLE invoices(id int)"),
                     0);
    hl_store *store = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &store, &error), HL_EIO);
    assert_null(store);
    assert_non_null(strstr(error.message, "schema_version"));
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM pg_tables "
                                                "WHERE schemaname = 'public'"),
                     1);
}

static void test_an_unreachable_server_is_unavailable_and_no_password_shows(void **state)
{
    (void)state;
    hl_store *store = NULL;
    hl_error error;
    assert_int_equal(
        hl_store_open("postgresql://someone:s3cretpw@/nowhere?host=/nonexistent-directory", &store,
                      &error),
        HL_EUNAVAILABLE);
    assert_null(store);
    assert_null(strstr(error.message, "s3cretpw"));
    assert_string_equal(hl_error_code_name(HL_EUNAVAILABLE), "unavailable");
    assert_string_equal(hl_error_code_name(HL_ERETRY), "retry");
}

static void test_transactions_nest_not_and_an_aborted_one_does_not_commit(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_begin(context->store, &error), HL_EIO);
    assert_int_equal(hl_store_config_set(context->store, "kept", "no", &error), HL_OK);
    /* An Open311 record of an order that does not exist: the server
     * refuses it and aborts the transaction, whose commit must fail. */
    hl_open311_record record = {.order_id = ORDER_BASE + 9, .api_key_id = 1};
    assert_int_not_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_EIO);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    char value[16];
    assert_int_equal(hl_store_config_get(context->store, "kept", value, sizeof value, &error),
                     HL_ENOTFOUND);
    /* Rolling back nothing is fine; a read transaction sees one snapshot. */
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    assert_int_equal(hl_store_begin_read(context->store, &error), HL_OK);
    /* A write there is a mistake of the caller's (HL_EIO), not a standby
     * that refuses writes (HL_EUNAVAILABLE). */
    assert_int_equal(hl_store_config_set(context->store, "kept", "no", &error), HL_EIO);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    assert_int_equal(hl_store_checkpoint(context->store, &error), HL_OK);
    hl_store_set_background_checkpoints(context->store, true);
    /* Bulk mode: commits that do not wait, then durable when it ends. */
    hl_store_set_bulk(context->store, true);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "bulk", "yes", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(hl_store_config_get(context->store, "bulk", value, sizeof value, &error),
                     HL_OK);
    assert_string_equal(value, "yes");
}

/* Ends the server side of the test's store connections (as a restarted
 * server or a failover would). */
static void drop_connections(const fixture *context)
{
    /* psql's own connection is on the same database, under its own name. */
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND application_name = "
                                 "'hotline'"),
                     1);
}

static void test_a_lost_connection_is_unavailable_then_reset(void **state)
{
    fixture *context = *state;
    hl_error error;
    char value[16];
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "kept", "yes", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    /* Inside a transaction: the work is lost, and said to be. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    drop_connections(context);
    assert_int_equal(hl_store_config_set(context->store, "lost", "yes", &error), HL_EUNAVAILABLE);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    /* The next transaction begins on a new connection, whose statements
     * are prepared again. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_get(context->store, "kept", value, sizeof value, &error),
                     HL_OK);
    assert_int_equal(hl_store_config_get(context->store, "lost", value, sizeof value, &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    /* Between transactions: the next begin finds out and reconnects. */
    drop_connections(context);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "after", "yes", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
}

typedef struct writer {
    hl_store *store;
    pthread_mutex_t lock;
    pthread_cond_t wrote;
    bool first_written;
    int second_result;
} writer;

/* Takes k1, waits until the main thread holds k2, then wants k2. */
static void *write_crosswise(void *context)
{
    writer *job = context;
    hl_error error;
    assert_int_equal(hl_store_begin(job->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(job->store, "k1", "thread", &error), HL_OK);
    pthread_mutex_lock(&job->lock);
    job->first_written = true;
    pthread_cond_signal(&job->wrote);
    pthread_mutex_unlock(&job->lock);
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
    job->second_result = hl_store_config_set(job->store, "k2", "thread", &error);
    hl_store_finish(job->store, job->second_result, &error);
    return NULL;
}

static void test_a_deadlock_is_a_retry(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "k1", "-", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "k2", "-", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    writer job = {.first_written = false};
    assert_int_equal(hl_store_open(context->path, &job.store, &error), HL_OK);
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.wrote, NULL);
    pthread_t thread;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "k2", "main", &error), HL_OK);
    assert_int_equal(pthread_create(&thread, NULL, write_crosswise, &job), 0);
    pthread_mutex_lock(&job.lock);
    while (!job.first_written)
        pthread_cond_wait(&job.wrote, &job.lock);
    pthread_mutex_unlock(&job.lock);
    int mine = hl_store_config_set(context->store, "k1", "main", &error);
    hl_store_finish(context->store, mine, &error);
    pthread_join(thread, NULL);
    /* The server chose one of the two; the other went through. */
    assert_true((mine == HL_ERETRY) != (job.second_result == HL_ERETRY));
    assert_true(mine == HL_OK || job.second_result == HL_OK);
    hl_store_close(job.store);
    pthread_cond_destroy(&job.wrote);
    pthread_mutex_destroy(&job.lock);
}

typedef struct text_list {
    char text[512];
} text_list;

static int collect_setting(void *context, const char *key, const char *value)
{
    text_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s=%s;", key, value);
    return 0;
}

typedef struct setting_walk {
    hl_store *store;
    int seen;
    int stop_after;
} setting_walk;

/* Counts the settings, reading one through the store at every step. */
static int count_setting(void *context, const char *key, const char *value)
{
    setting_walk *walk = context;
    char again[32];
    hl_error error;
    assert_int_equal(hl_store_config_get(walk->store, key, again, sizeof again, &error), HL_OK);
    assert_string_equal(again, value);
    walk->seen++;
    return walk->stop_after > 0 && walk->seen >= walk->stop_after ? 7 : 0;
}

static void test_a_long_walk_goes_through_a_cursor(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(raw_exec(context->path,
                              "INSERT INTO config(key, value) SELECT 'k' || n, 'v' || n "
                              "FROM generate_series(1, 2500) AS n"),
                     0);
    /* Outside a transaction, inside one, and stopped halfway. */
    setting_walk walk = {.store = context->store};
    assert_int_equal(hl_store_config_each(context->store, count_setting, &walk, &error), HL_OK);
    assert_int_equal(walk.seen, 2500);
    walk = (setting_walk){.store = context->store};
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_each(context->store, count_setting, &walk, &error), HL_OK);
    assert_int_equal(walk.seen, 2500);
    walk = (setting_walk){.store = context->store, .stop_after = 1500};
    assert_int_equal(hl_store_config_each(context->store, count_setting, &walk, &error), 7);
    assert_int_equal(walk.seen, 1500);
    assert_int_equal(hl_store_config_set(context->store, "after", "walks", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    walk = (setting_walk){.store = context->store, .stop_after = 1200};
    assert_int_equal(hl_store_config_each(context->store, count_setting, &walk, &error), 7);
    /* The walk's own transaction has ended: a transaction begins. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_settings_round_trip_and_refuse_a_cut(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "zone", "Asia/Shanghai", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "centre", "太原 12345", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "centre", "太原市 12345", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    char value[32];
    assert_int_equal(hl_store_config_get(context->store, "centre", value, sizeof value, &error),
                     HL_OK);
    assert_string_equal(value, "太原市 12345");
    char small[8];
    assert_int_equal(hl_store_config_get(context->store, "centre", small, sizeof small, &error),
                     HL_EINVAL);
    assert_int_equal(hl_store_config_get(context->store, "none", value, sizeof value, &error),
                     HL_ENOTFOUND);
    text_list list = {""};
    assert_int_equal(hl_store_config_each(context->store, collect_setting, &list, &error), HL_OK);
    assert_string_equal(list.text, "centre=太原市 12345;zone=Asia/Shanghai;");
}

static hl_unit make_unit(const char *code, const char *name, bool active)
{
    hl_unit unit;
    memset(&unit, 0, sizeof unit);
    snprintf(unit.code, sizeof unit.code, "%s", code);
    snprintf(unit.name, sizeof unit.name, "%s", name);
    snprintf(unit.group, sizeof unit.group, "区县");
    unit.active = active;
    return unit;
}

typedef struct unit_walk {
    hl_store *store;
    text_list list;
    int stop_after;
    int seen;
} unit_walk;

/* Reads each unit again through the store while the walk is open. */
static int collect_unit(void *context, const hl_unit *unit)
{
    unit_walk *walk = context;
    hl_unit again;
    hl_error error;
    assert_int_equal(hl_store_unit_get(walk->store, unit->code, &again, &error), HL_OK);
    assert_string_equal(again.name, unit->name);
    size_t used = strlen(walk->list.text);
    snprintf(walk->list.text + used, sizeof walk->list.text - used, "%s:%d;", unit->code,
             unit->active ? 1 : 0);
    walk->seen++;
    return walk->stop_after > 0 && walk->seen >= walk->stop_after ? 42 : 0;
}

static void test_units_replace_and_list_in_byte_order(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_unit units[] = {make_unit("water", "自来水公司", true), make_unit("Zoo", "动物园", true),
                       make_unit("B2", "二号", false), make_unit("water", "供水集团", false)};
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (size_t index = 0; index < sizeof units / sizeof units[0]; index++)
        assert_int_equal(hl_store_unit_put(context->store, &units[index], &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_unit read;
    assert_int_equal(hl_store_unit_get(context->store, "water", &read, &error), HL_OK);
    assert_string_equal(read.name, "供水集团");
    assert_string_equal(read.group, "区县");
    assert_false(read.active);
    assert_int_equal(hl_store_unit_get(context->store, "sewer", &read, &error), HL_ENOTFOUND);
    assert_non_null(strstr(error.message, "sewer"));
    /* Byte order, as SQLite sorts: capitals before small letters. */
    unit_walk walk = {.store = context->store};
    assert_int_equal(hl_store_unit_each(context->store, collect_unit, &walk, &error), HL_OK);
    assert_string_equal(walk.list.text, "B2:0;Zoo:1;water:0;");
    /* A visitor's answer other than 0 stops the walk and is returned, also
     * inside a transaction. */
    walk = (unit_walk){.store = context->store, .stop_after = 2};
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_unit_each(context->store, collect_unit, &walk, &error), 42);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(walk.seen, 2);
}

static int collect_category(void *context, const hl_category *category)
{
    text_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s/%s/%d;", category->code,
             category->default_unit, category->handle_days);
    return 0;
}

static int collect_user(void *context, const hl_user *user)
{
    text_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s/%s/%s;", user->username,
             hl_directory_role_name(user->role), user->unit);
    return 0;
}

static void test_categories_and_users_round_trip(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_category noise = {.handle_days = 5, .active = true}, road = {.handle_days = 10};
    snprintf(noise.code, sizeof noise.code, "noise");
    snprintf(noise.name, sizeof noise.name, "噪声扰民");
    snprintf(noise.default_unit, sizeof noise.default_unit, "env");
    snprintf(road.code, sizeof road.code, "road");
    snprintf(road.name, sizeof road.name, "道路");
    snprintf(road.parent, sizeof road.parent, "city");
    hl_user agent = {.role = HL_ROLE_AGENT, .active = true}, handler = {.role = HL_ROLE_HANDLER};
    snprintf(agent.username, sizeof agent.username, "agent1");
    snprintf(agent.display_name, sizeof agent.display_name, "话务员一");
    snprintf(handler.username, sizeof handler.username, "h1");
    snprintf(handler.unit, sizeof handler.unit, "water");
    hl_user bad = handler;
    bad.role = HL_ROLE_COUNT;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_category_put(context->store, &road, &error), HL_OK);
    assert_int_equal(hl_store_category_put(context->store, &noise, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &handler, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &agent, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &bad, &error), HL_EINVAL);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_category category;
    assert_int_equal(hl_store_category_get(context->store, "road", &category, &error), HL_OK);
    assert_string_equal(category.name, "道路");
    assert_string_equal(category.parent, "city");
    assert_false(category.active);
    assert_int_equal(hl_store_category_get(context->store, "fire", &category, &error),
                     HL_ENOTFOUND);
    text_list list = {""};
    assert_int_equal(hl_store_category_each(context->store, collect_category, &list, &error),
                     HL_OK);
    assert_string_equal(list.text, "noise/env/5;road//10;");

    hl_user user;
    assert_int_equal(hl_store_user_get(context->store, "agent1", &user, &error), HL_OK);
    assert_string_equal(user.display_name, "话务员一");
    assert_int_equal(user.role, HL_ROLE_AGENT);
    assert_true(user.active);
    assert_int_equal(hl_store_user_get(context->store, "nobody", &user, &error), HL_ENOTFOUND);
    list = (text_list){""};
    assert_int_equal(hl_store_user_each(context->store, collect_user, &list, &error), HL_OK);
    assert_string_equal(list.text, "agent1/agent/;h1/handler/water;");
    /* A role this build does not know is reported, not guessed. */
    assert_int_equal(
        raw_exec(context->path, "UPDATE users SET role = 'wizard' WHERE username = 'h1'"), 0);
    assert_int_equal(hl_store_user_get(context->store, "h1", &user, &error), HL_EIO);
    assert_non_null(strstr(error.message, "wizard"));
}

static int collect_attribute(void *context, const hl_attribute *attribute)
{
    text_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s/%s/%d/%s/%d/%s/%s;",
             attribute->category, attribute->code, attribute->position,
             hl_attribute_type_name(attribute->datatype), attribute->required ? 1 : 0,
             attribute->values, attribute->description);
    return 0;
}

static void test_calendar_and_attributes_round_trip(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_calendar_entry holiday = {.day = 19737, .kind = HL_DAY_OFF}, swap = {.day = 19740};
    snprintf(holiday.festival, sizeof holiday.festival, "春节");
    swap.kind = HL_DAY_WORK;
    hl_attribute kind = {.position = 2,
                         .datatype = HL_ATTRIBUTE_SINGLEVALUELIST,
                         .required = true,
                         .variable = true};
    snprintf(kind.category, sizeof kind.category, "noise");
    snprintf(kind.code, sizeof kind.code, "KIND");
    snprintf(kind.description, sizeof kind.description, "噪声类型");
    snprintf(kind.values, sizeof kind.values, "a=施工|b=商业");
    hl_attribute when = {.position = 1, .datatype = HL_ATTRIBUTE_DATETIME, .variable = true};
    snprintf(when.category, sizeof when.category, "noise");
    snprintf(when.code, sizeof when.code, "WHEN");
    hl_attribute other = when;
    snprintf(other.category, sizeof other.category, "road");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_calendar_put(context->store, &swap, &error), HL_OK);
    assert_int_equal(hl_store_calendar_put(context->store, &holiday, &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, &kind, &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, &when, &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, &other, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_calendar calendar;
    hl_calendar_init(&calendar);
    assert_int_equal(hl_store_calendar_load(context->store, &calendar, &error), HL_OK);
    assert_int_equal(calendar.count, 2);
    assert_int_equal(calendar.entries[0].day, 19737);
    assert_int_equal(calendar.entries[0].kind, HL_DAY_OFF);
    assert_string_equal(calendar.entries[0].festival, "春节");
    assert_int_equal(calendar.entries[1].kind, HL_DAY_WORK);
    hl_calendar_free(&calendar);

    text_list list = {""};
    assert_int_equal(
        hl_store_attribute_each(context->store, "noise", collect_attribute, &list, &error), HL_OK);
    assert_string_equal(list.text, "noise/WHEN/1/datetime/0//;noise/KIND/2/singlevaluelist/1/"
                                   "a=施工|b=商业/噪声类型;");
    list = (text_list){""};
    assert_int_equal(
        hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_OK);
    assert_non_null(strstr(list.text, ";road/WHEN/1/"));
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_attribute_clear(context->store, "noise", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    list = (text_list){""};
    assert_int_equal(
        hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_OK);
    assert_string_equal(list.text, "road/WHEN/1/datetime/0//;");
}

static void append_read(hl_store *store, hl_time at, const char *actor, int64_t order_id,
                        const char *route)
{
    hl_audit_read read = {0};
    read.at = at;
    snprintf(read.actor, sizeof read.actor, "%s", actor);
    read.order_id = order_id;
    snprintf(read.route, sizeof read.route, "%s", route);
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    assert_int_equal(hl_store_audit_append(store, &read, &error), HL_OK);
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static void test_the_logs_are_append_only_for_every_client(void **state)
{
    fixture *context = *state;
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "hotline show");
    assert_int_not_equal(raw_exec(context->path, "UPDATE personal_data_reads SET actor = 'nobody'"),
                         0);
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM personal_data_reads"), 0);
    assert_int_not_equal(raw_exec(context->path, "TRUNCATE personal_data_reads"), 0);
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM personal_data_reads WHERE actor = 'agent1'"),
                     1);
    assert_int_equal(
        raw_exec(context->path, "INSERT INTO events(order_id, seq, at) VALUES(1, 1, 5)"), 0);
    assert_int_not_equal(raw_exec(context->path, "UPDATE events SET at = 6"), 0);
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM events"), 0);
    assert_int_not_equal(raw_exec(context->path, "TRUNCATE events"), 0);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events WHERE at = 5"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_open_creates_the_schema_once_and_reopens),
        STORE_TEST(test_migration_5_makes_old_administrators_security_administrators),
        STORE_TEST(test_migration_7_dates_existing_passwords_now),
        STORE_TEST(test_two_servers_creating_one_schema_at_once_both_open),
        STORE_TEST(test_open_refuses_another_programs_database),
        STORE_TEST(test_a_lost_connection_is_unavailable_then_reset),
        STORE_TEST(test_a_deadlock_is_a_retry),
        STORE_TEST(test_an_unreachable_server_is_unavailable_and_no_password_shows),
        STORE_TEST(test_transactions_nest_not_and_an_aborted_one_does_not_commit),
        STORE_TEST(test_settings_round_trip_and_refuse_a_cut),
        STORE_TEST(test_a_long_walk_goes_through_a_cursor),
        STORE_TEST(test_units_replace_and_list_in_byte_order),
        STORE_TEST(test_categories_and_users_round_trip),
        STORE_TEST(test_calendar_and_attributes_round_trip),
        STORE_TEST(test_the_logs_are_append_only_for_every_client),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
