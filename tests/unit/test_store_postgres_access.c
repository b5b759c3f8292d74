/* test_store_postgres_access.c: the PostgreSQL store's foundation and its
 * non-order half on a real server: opening (schema, reopen, another
 * program's database, an unreachable server), transactions, the settings,
 * the directory, the calendar, attributes, passwords, sessions, API keys,
 * Open311 records and the append-only audit, with the meaning the SQLite
 * tests give them (test_store_sqlite_access.c, _directory.c).
 *
 * The server: HOTLINE_TEST_PG holds the address of a maintenance database
 * (postgresql://postgres@/postgres?host=/tmp/pgtest-x); every test is
 * skipped when it is unset. Each test makes a database of its own with
 * createdb (--maintenance-db takes the address as it is) and drops it at
 * the end; the store opens it as the address with "dbname=" added to its
 * query string. The test does not link libpq: what the store cannot do
 * (insert an order before the order half exists, try to rewrite the audit
 * behind the store's back, read a role's privileges) goes through psql. */
#include "test_support.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define ORDER_BASE 20240215000000LL

typedef struct fixture {
    char server[512];  /* HOTLINE_TEST_PG */
    char name[64];     /* this test's database */
    char address[640]; /* the store's address */
    hl_store *store;
} fixture;

/* The address of the server's database name, with a query parameter added. */
static void address_of(const char *server, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s%sdbname=%s", server, strchr(server, '?') != NULL ? "&" : "?", name);
}

/* Runs a shell command; the addresses in it are quoted with single
 * quotes (setup refuses an address that holds one). */
static int run(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *format, ...)
{
    char command[2048];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(command, sizeof command, format, arguments);
    va_end(arguments);
    return system(command);
}

static int setup(void **state)
{
    fixture *context = calloc(1, sizeof *context);
    assert_non_null(context);
    *state = context;
    const char *server = getenv("HOTLINE_TEST_PG");
    if (server == NULL || server[0] == '\0')
        return 0;
    static int databases;
    assert_null(strchr(server, '\''));
    snprintf(context->server, sizeof context->server, "%s", server);
    snprintf(context->name, sizeof context->name, "hl_core_%ld_%d", (long)getpid(), ++databases);
    assert_int_equal(run("createdb --maintenance-db='%s' %s", server, context->name), 0);
    address_of(server, context->name, context->address, sizeof context->address);
    hl_error error;
    assert_int_equal(hl_store_open(context->address, &context->store, &error), HL_OK);
    return 0;
}

static int teardown(void **state)
{
    fixture *context = *state;
    if (context->store != NULL)
        hl_store_close(context->store);
    if (context->name[0] != '\0')
        run("dropdb --if-exists --force --maintenance-db='%s' %s", context->server, context->name);
    free(context);
    return 0;
}

/* The fixture of a test that needs the server: skipped without one. */
static fixture *started(void **state)
{
    fixture *context = *state;
    if (context->store == NULL)
        skip();
    return context;
}

/* Runs SQL through psql on the test's database: psql's exit status. */
static int raw_exec(const fixture *context, const char *sql)
{
    char path[] = "/tmp/hotline-sql-XXXXXX";
    int descriptor = mkstemp(path);
    assert_true(descriptor >= 0);
    assert_int_equal(write(descriptor, sql, strlen(sql)), (ssize_t)strlen(sql));
    close(descriptor);
    int status =
        run("psql -X -q -v ON_ERROR_STOP=1 '%s' -f %s >/dev/null 2>&1", context->address, path);
    unlink(path);
    return status;
}

/* The first column of the first row of a query, as text, into out. */
static void raw_text(const fixture *context, const char *sql, char *out, size_t size)
{
    assert_null(strchr(sql, '"'));
    char command[2048];
    snprintf(command, sizeof command, "psql -X -A -t '%s' -c \"%s\"", context->address, sql);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    out[0] = '\0';
    if (fgets(out, (int)size, pipe) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(pclose(pipe), 0);
}

static int64_t raw_integer(const fixture *context, const char *sql)
{
    char text[64];
    raw_text(context, sql, text, sizeof text);
    return strtoll(text, NULL, 10);
}

/* An order row as the order half will write it, for the tables that
 * refer to orders. */
static void raw_order(const fixture *context, int64_t sequence)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO orders(id, version, state, channel, type, received_at) "
             "VALUES(%lld, 1, 'new', 'phone', 'complaint', 1707962400)",
             (long long)(ORDER_BASE + sequence));
    assert_int_equal(raw_exec(context, sql), 0);
}

static void test_open_creates_the_schema_once_and_reopens(void **state)
{
    fixture *context = started(state);
    /* 4: the hash chains (pg_schema.c). */
    assert_int_equal(raw_integer(context, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     4);
    assert_int_equal(
        raw_integer(context, "SELECT value FROM meta WHERE key = 'sqlite_schema_version'"), 8);
    hl_store *second = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(context->address, &second, &error), HL_OK);
    assert_int_equal(hl_store_schema_version(second), 4);
    hl_store_close(second);
    /* The second open found the schema and changed nothing. */
    assert_int_equal(raw_integer(context, "SELECT count(*) FROM meta"), 2);
    /* The application role may append to the logs and never rewrite them. */
    assert_int_equal(
        raw_integer(context, "SELECT count(*) FROM pg_roles WHERE rolname = 'hotline_app'"), 1);
    char privilege[8];
    raw_text(context, "SELECT has_table_privilege('hotline_app', 'events', 'INSERT')", privilege,
             sizeof privilege);
    assert_string_equal(privilege, "t");
    raw_text(context, "SELECT has_table_privilege('hotline_app', 'events', 'UPDATE')", privilege,
             sizeof privilege);
    assert_string_equal(privilege, "f");
    raw_text(context, "SELECT has_table_privilege('hotline_app', 'personal_data_reads', 'DELETE')",
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

static void test_two_servers_creating_one_schema_at_once_both_open(void **state)
{
    fixture *context = started(state);
    char name[80], address[700];
    snprintf(name, sizeof name, "%s_twin", context->name);
    assert_int_equal(run("createdb --maintenance-db='%s' %s", context->server, name), 0);
    address_of(context->server, name, address, sizeof address);
    opener jobs[2] = {{.address = address}, {.address = address}};
    pthread_t threads[2];
    for (int index = 0; index < 2; index++)
        assert_int_equal(pthread_create(&threads[index], NULL, open_store, &jobs[index]), 0);
    for (int index = 0; index < 2; index++) {
        pthread_join(threads[index], NULL);
        assert_int_equal(jobs[index].result, HL_OK);
        hl_store_close(jobs[index].store);
    }
    assert_int_equal(run("dropdb --force --maintenance-db='%s' %s", context->server, name), 0);
}

static void test_open_refuses_another_programs_database(void **state)
{
    fixture *context = started(state);
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context, "DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
                                       "CREATE TABLE invoices(id int)"),
                     0);
    hl_store *store = NULL;
    hl_error error;
    assert_int_equal(hl_store_open(context->address, &store, &error), HL_EIO);
    assert_null(store);
    assert_non_null(strstr(error.message, "schema_version"));
    assert_int_equal(raw_integer(context, "SELECT count(*) FROM pg_tables "
                                          "WHERE schemaname = 'public'"),
                     1);
}

static void test_an_unreachable_server_is_unavailable_and_no_password_shows(void **state)
{
    (void)started(state);
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
    fixture *context = started(state);
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
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
             "WHERE datname = '%s' AND application_name = 'hotline'",
             context->name);
    assert_int_equal(raw_integer(context, sql), 1);
}

static void test_a_lost_connection_is_unavailable_then_reset(void **state)
{
    fixture *context = started(state);
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
    fixture *context = started(state);
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "k1", "-", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "k2", "-", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    writer job = {.first_written = false};
    assert_int_equal(hl_store_open(context->address, &job.store, &error), HL_OK);
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
    fixture *context = started(state);
    hl_error error;
    assert_int_equal(raw_exec(context, "INSERT INTO config(key, value) SELECT 'k' || n, 'v' || n "
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
    fixture *context = started(state);
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
    fixture *context = started(state);
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
    fixture *context = started(state);
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
    assert_int_equal(raw_exec(context, "UPDATE users SET role = 'wizard' WHERE username = 'h1'"),
                     0);
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
    fixture *context = started(state);
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

static hl_apikey make_key(const char *hash, const char *name)
{
    hl_apikey key;
    memset(&key, 0, sizeof key);
    snprintf(key.key_hash, sizeof key.key_hash, "%s", hash);
    snprintf(key.key_prefix, sizeof key.key_prefix, "%.8s", hash);
    snprintf(key.name, sizeof key.name, "%s", name);
    snprintf(key.created_by, sizeof key.created_by, "admin");
    key.created_at = 1707962400;
    key.rate_per_minute = 60;
    return key;
}

typedef struct id_list {
    int64_t ids[16];
    int count;
} id_list;

static int collect_key(void *context, const hl_apikey *key)
{
    id_list *list = context;
    list->ids[list->count++] = key->id;
    return 0;
}

static void test_apikey_insert_find_each_and_revoke(void **state)
{
    fixture *context = started(state);
    hl_error error;
    hl_apikey first = make_key("aaaaaaaaaaaa", "市民通 App"),
              second = make_key("bbbbbbbbbbbb", "FixMyStreet");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &first, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &second, &error), HL_OK);
    hl_apikey duplicate = make_key("aaaaaaaaaaaa", "again");
    assert_int_equal(hl_store_apikey_insert(context->store, &duplicate, &error), HL_ECONFLICT);
    /* The conflict leaves the transaction usable, as in SQLite. */
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_true(first.id > 0 && second.id > first.id);

    hl_apikey found;
    assert_int_equal(hl_store_apikey_find(context->store, "bbbbbbbbbbbb", &found, &error), HL_OK);
    assert_int_equal(found.id, second.id);
    assert_string_equal(found.name, "FixMyStreet");
    assert_string_equal(found.key_prefix, "bbbbbbbb");
    assert_string_equal(found.created_by, "admin");
    assert_int_equal(found.rate_per_minute, 60);
    assert_false(found.revoked);
    assert_int_equal(hl_store_apikey_find(context->store, "cccc", &found, &error), HL_ENOTFOUND);
    assert_null(strstr(error.message, "cccc"));

    id_list list = {.count = 0};
    assert_int_equal(hl_store_apikey_each(context->store, collect_key, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.ids[0], first.id);

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, first.id, 1707970000, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, first.id, 1707999999, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, 999, 1707970000, &error), HL_ENOTFOUND);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_get(context->store, first.id, &found, &error), HL_OK);
    assert_true(found.revoked);
    assert_int_equal(found.revoked_at, 1707970000);
    assert_int_equal(hl_store_apikey_get(context->store, 999, &found, &error), HL_ENOTFOUND);
}

static int collect_answer(void *context, const char *code, int seq, const char *value)
{
    text_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s#%d=%s;", code, seq, value);
    return 0;
}

static void test_open311_record_and_answers_round_trip(void **state)
{
    fixture *context = started(state);
    hl_error error;
    raw_order(context, 1);
    hl_apikey key = make_key("dddddddddddd", "app");
    hl_open311_record record = {.order_id = ORDER_BASE + 1};
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &key, &error), HL_OK);
    record.api_key_id = key.id;
    snprintf(record.email, sizeof record.email, "citizen@example.org");
    snprintf(record.device_id, sizeof record.device_id, "device-1");
    snprintf(record.address_id, sizeof record.address_id, "A-17");
    snprintf(record.media_url, sizeof record.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    assert_int_equal(hl_store_open311_put(context->store, &record, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "KIND", 2, "b", &error),
                     HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "KIND", 1, "a", &error),
                     HL_OK);
    assert_int_equal(
        hl_store_answer_put(context->store, ORDER_BASE + 1, "AGE", 1, "' OR 1=1 --", &error),
        HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "AGE", 1, "again", &error),
                     HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_open311_record read;
    assert_int_equal(hl_store_open311_get(context->store, ORDER_BASE + 1, &read, &error), HL_OK);
    assert_int_equal(read.api_key_id, key.id);
    assert_string_equal(read.email, "citizen@example.org");
    assert_string_equal(read.device_id, "device-1");
    assert_string_equal(read.account_id, "");
    assert_string_equal(read.address_id, "A-17");
    assert_string_equal(read.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_get(context->store, ORDER_BASE + 2, &read, &error),
                     HL_ENOTFOUND);
    text_list answers = {""};
    assert_int_equal(
        hl_store_answer_each(context->store, ORDER_BASE + 1, collect_answer, &answers, &error),
        HL_OK);
    assert_string_equal(answers.text, "AGE#1=' OR 1=1 --;KIND#1=a;KIND#2=b;");
    /* A record needs its order and its key. */
    record.order_id = ORDER_BASE + 9;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_not_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    hl_store_rollback(context->store);
}

static int collect_reads(void *context, const hl_audit_read *read)
{
    hl_audit_read *reads = context;
    size_t index = 0;
    while (reads[index].id != 0)
        index++;
    reads[index] = *read;
    return 0;
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

static void test_audit_reads_are_listed_newest_first_and_filtered(void **state)
{
    fixture *context = started(state);
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "GET /api/v1/orders/{number}");
    append_read(context->store, 2000, "agent2", ORDER_BASE + 1, "GET /api/v1/orders/{number}");
    append_read(context->store, 3000, "agent1", ORDER_BASE + 2, "hotline show");
    hl_audit_read reads[8];
    memset(reads, 0, sizeof reads);
    hl_error error;
    assert_int_equal(hl_store_audit_query(context->store, NULL, collect_reads, reads, &error),
                     HL_OK);
    assert_int_equal(reads[0].order_id, ORDER_BASE + 2);
    assert_string_equal(reads[0].route, "hotline show");
    assert_int_equal(reads[0].at, 3000);
    assert_int_equal(reads[2].at, 1000);
    assert_int_equal(reads[3].id, 0);

    hl_audit_filter filter = {0};
    filter.actor = "agent1";
    int64_t count = 0;
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
    filter.order_id = ORDER_BASE + 1;
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
    filter = (hl_audit_filter){.since = 2000};
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
    /* Pages: the limit and offset of the newest-first list. */
    filter = (hl_audit_filter){.limit = 1, .offset = 1};
    memset(reads, 0, sizeof reads);
    assert_int_equal(hl_store_audit_query(context->store, &filter, collect_reads, reads, &error),
                     HL_OK);
    assert_int_equal(reads[0].at, 2000);
    assert_int_equal(reads[1].id, 0);
    filter = (hl_audit_filter){.offset = 2};
    memset(reads, 0, sizeof reads);
    assert_int_equal(hl_store_audit_query(context->store, &filter, collect_reads, reads, &error),
                     HL_OK);
    assert_int_equal(reads[0].at, 1000);
    assert_int_equal(reads[1].id, 0);
}

static void test_the_logs_are_append_only_for_every_client(void **state)
{
    fixture *context = started(state);
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "hotline show");
    assert_int_not_equal(raw_exec(context, "UPDATE personal_data_reads SET actor = 'nobody'"), 0);
    assert_int_not_equal(raw_exec(context, "DELETE FROM personal_data_reads"), 0);
    assert_int_not_equal(raw_exec(context, "TRUNCATE personal_data_reads"), 0);
    assert_int_equal(
        raw_integer(context, "SELECT count(*) FROM personal_data_reads WHERE actor = 'agent1'"), 1);
    assert_int_equal(raw_exec(context, "INSERT INTO events(order_id, seq, at) VALUES(1, 1, 5)"), 0);
    assert_int_not_equal(raw_exec(context, "UPDATE events SET at = 6"), 0);
    assert_int_not_equal(raw_exec(context, "DELETE FROM events"), 0);
    assert_int_not_equal(raw_exec(context, "TRUNCATE events"), 0);
    assert_int_equal(raw_integer(context, "SELECT count(*) FROM events WHERE at = 5"), 1);
}

static void test_passwords_and_sessions(void **state)
{
    fixture *context = started(state);
    hl_error error;
    hl_user agent = {.role = HL_ROLE_AGENT, .active = true};
    snprintf(agent.username, sizeof agent.username, "agent1");
    hl_session first = {.created_at = 100, .expires_at = 200}, second = first, third = first;
    snprintf(first.token_hash, sizeof first.token_hash, "%064d", 1);
    snprintf(first.username, sizeof first.username, "agent1");
    second = first;
    snprintf(second.token_hash, sizeof second.token_hash, "%064d", 2);
    second.expires_at = 500;
    third = second;
    snprintf(third.token_hash, sizeof third.token_hash, "%064d", 3);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &agent, &error), HL_OK);
    assert_int_equal(hl_store_password_set(context->store, "agent1", "$argon2id$x", &error), HL_OK);
    assert_int_equal(hl_store_password_set(context->store, "nobody", "$argon2id$x", &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_store_session_put(context->store, &first, &error), HL_OK);
    assert_int_equal(hl_store_session_put(context->store, &first, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_session_put(context->store, &second, &error), HL_OK);
    assert_int_equal(hl_store_session_put(context->store, &third, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    char hash[64];
    assert_int_equal(hl_store_password_get(context->store, "agent1", hash, sizeof hash, &error),
                     HL_OK);
    assert_string_equal(hash, "$argon2id$x");
    char small[4];
    assert_int_equal(hl_store_password_get(context->store, "agent1", small, sizeof small, &error),
                     HL_EIO);
    assert_int_equal(hl_store_password_get(context->store, "nobody", hash, sizeof hash, &error),
                     HL_ENOTFOUND);

    hl_session read;
    assert_int_equal(hl_store_session_get(context->store, first.token_hash, &read, &error), HL_OK);
    assert_string_equal(read.username, "agent1");
    assert_int_equal(read.expires_at, 200);
    assert_false(read.revoked);
    assert_int_equal(hl_store_session_get(context->store, "ffff", &read, &error), HL_ENOTFOUND);
    assert_null(strstr(error.message, "ffff"));

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_revoke(context->store, first.token_hash, &error), HL_OK);
    assert_int_equal(hl_store_session_revoke(context->store, first.token_hash, &error),
                     HL_ENOTFOUND);
    assert_int_equal(
        hl_store_session_revoke_user(context->store, "agent1", second.token_hash, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_get(context->store, first.token_hash, &read, &error), HL_OK);
    assert_true(read.revoked);
    assert_int_equal(hl_store_session_get(context->store, second.token_hash, &read, &error), HL_OK);
    assert_false(read.revoked);
    assert_int_equal(hl_store_session_get(context->store, third.token_hash, &read, &error), HL_OK);
    assert_true(read.revoked);

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_purge(context->store, 300, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_get(context->store, first.token_hash, &read, &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_store_session_get(context->store, second.token_hash, &read, &error), HL_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_open_creates_the_schema_once_and_reopens),
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
        STORE_TEST(test_apikey_insert_find_each_and_revoke),
        STORE_TEST(test_open311_record_and_answers_round_trip),
        STORE_TEST(test_audit_reads_are_listed_newest_first_and_filtered),
        STORE_TEST(test_the_logs_are_append_only_for_every_client),
        STORE_TEST(test_passwords_and_sessions),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
