/* test_support.c: temporary directories, files and stores for tests, on
 * either backend. A PostgreSQL store is a fresh database on the test
 * server (HOTLINE_TEST_PG) made by running createdb, and SQL beside it
 * runs through psql: the tests never link libpq (only src/store/postgres
 * does), and the programs are Debian's postgresql-client, which the
 * throwaway server's package brings. It starts no server itself
 * (scripts/pg-throwaway.sh does). */
#include "test_support.h"

#include "app/secrets.h"
#include "app/transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void test_make_temp_dir(char *out, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(out, size, "%s/hotline-test-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(out) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

void test_path(char *out, size_t size, const char *directory, const char *name)
{
    snprintf(out, size, "%s/%s", directory, name);
}

void test_remove_tree(const char *path)
{
    char command[1024];
    snprintf(command, sizeof command, "rm -rf '%s'", path);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

void test_write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    if (file == NULL) {
        perror(path);
        abort();
    }
    fputs(text, file);
    fclose(file);
}

void test_store_use_key(struct hl_store *store)
{
    /* Kept for the whole process: a store holds its codec's context. */
    static hl_secrets *secrets;
    if (secrets == NULL) {
        unsigned char key[HL_SECRETS_KEY_BYTES];
        for (size_t index = 0; index < sizeof key; index++)
            key[index] = (unsigned char)(index * 7 + 1);
        hl_error error;
        if (hl_secrets_from_key(key, &secrets, &error) != HL_OK)
            fail_msg("test key: %s", error.message);
    }
    hl_phone_codec codec = hl_secrets_phone_codec(secrets);
    hl_store_set_phone_codec(store, &codec);
}

typedef int (*directory_loader)(hl_app *app, const char *text, size_t length, int *loaded,
                                hl_error *error);

static void load_or_fail(hl_app *app, directory_loader load, const char *text, const char *what)
{
    if (text == NULL)
        return;
    int loaded;
    hl_error error;
    if (load(app, text, strlen(text), &loaded, &error) != HL_OK)
        fail_msg("loading %s: %s", what, error.message);
}

bool test_store_is_postgres(void)
{
    const char *backend = getenv("HOTLINE_TEST_BACKEND");
    return backend != NULL && strcmp(backend, "postgres") == 0;
}

/* The test server's address, or a failed test saying how to get one. */
static const char *server_address(void)
{
    const char *server = getenv("HOTLINE_TEST_PG");
    if (server == NULL || server[0] == '\0')
        fail_msg("HOTLINE_TEST_BACKEND=postgres but HOTLINE_TEST_PG is not set: run "
                 "scripts/test.sh, or start a server (scripts/pg-throwaway.sh start DIR) and "
                 "export HOTLINE_TEST_PG=<the address it prints>; `ctest -LE postgres` leaves "
                 "the PostgreSQL copies out");
    if (strncmp(server, "postgresql://", 13) != 0 && strncmp(server, "postgres://", 11) != 0)
        fail_msg("HOTLINE_TEST_PG is not a postgresql:// address: %s", server);
    return server;
}

/* Runs argv (argv[0] looked up in PATH) and waits for it; with output, its
 * stdout is read into output (truncated to size). Returns its exit status,
 * or -1 when it could not run or died of a signal. */
static int run_program(char *const argv[], char *output, size_t size)
{
    int pipe_ends[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (output != NULL) {
        if (pipe(pipe_ends) != 0) {
            perror("pipe");
            abort();
        }
        posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
        posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    }
    pid_t child;
    int spawned = posix_spawnp(&child, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (output != NULL) {
        close(pipe_ends[1]);
        size_t used = 0;
        ssize_t got;
        char discard[512];
        /* Read to the end even past size, so that the child never blocks. */
        while ((got = read(pipe_ends[0], used + 1 < size ? output + used : discard,
                           used + 1 < size ? size - 1 - used : sizeof discard)) != 0) {
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            if (used + 1 < size)
                used += (size_t)got;
        }
        output[used] = '\0';
        close(pipe_ends[0]);
    }
    if (spawned != 0) {
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(spawned));
        return -1;
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The server's address with its database replaced by name:
 * postgresql://user@host/OLD?query becomes postgresql://user@host/name?query. */
static void address_with_database(const char *server, const char *name, char *out, size_t size)
{
    const char *authority = strstr(server, "://") + 3;
    const char *path = authority + strcspn(authority, "/?");
    const char *query = path + strcspn(path, "?");
    int written = snprintf(out, size, "%.*s/%s%s", (int)(path - server), server, name, query);
    if (written < 0 || (size_t)written >= size)
        fail_msg("a store address longer than %zu bytes", size);
}

void test_store_address(char *out, size_t size, const char *directory)
{
    if (!test_store_is_postgres()) {
        test_path(out, size, directory, "hotline.db");
        return;
    }
    const char *server = server_address();
    /* Unique on the server: the process, a counter and the clock (a pid
     * is reused only long after, and never within a nanosecond). */
    static unsigned counter;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char name[64];
    snprintf(name, sizeof name, "hl_%ld_%u_%lld_%ld", (long)getpid(), ++counter,
             (long long)now.tv_sec, (long)now.tv_nsec);
    char maintenance[1200];
    snprintf(maintenance, sizeof maintenance, "--maintenance-db=%s", server);
    char *argv[] = {"createdb", maintenance, name, NULL};
    int status = run_program(argv, NULL, 0);
    if (status != 0)
        fail_msg("createdb %s on %s failed (exit %d)", name, server, status);
    address_with_database(server, name, out, size);
}

void test_store_key_path(char *out, size_t size, const char *directory)
{
    test_path(out, size, directory, "hotline.db.key");
}

int test_app_open(const char *directory, const char *address, hl_app **out, hl_error *error)
{
    char key_path[600];
    test_store_key_path(key_path, sizeof key_path, directory);
    return hl_app_open_keyed(address, key_path, out, error);
}

static bool is_postgres_address(const char *address)
{
    return strncmp(address, "postgresql://", 13) == 0 || strncmp(address, "postgres://", 11) == 0;
}

/* Runs one statement through psql; its first row's first column (unaligned,
 * tuples only) into output when given. */
static int psql(const char *address, const char *sql, char *output, size_t size)
{
    char *argv[] = {"psql",          "-X", "-q",        "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                    (char *)address, "-c", (char *)sql, NULL};
    return run_program(argv, output, size);
}

int test_sql_exec(const char *address, const char *sql)
{
    if (is_postgres_address(address))
        return psql(address, sql, NULL, 0) == 0 ? 0 : 1;
    sqlite3 *db = NULL;
    if (sqlite3_open(address, &db) != SQLITE_OK)
        fail_msg("cannot open %s", address);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

void test_sql_text(const char *address, const char *sql, char *out, size_t size)
{
    if (is_postgres_address(address)) {
        char output[4096];
        if (psql(address, sql, output, sizeof output) != 0)
            fail_msg("psql failed: %s", sql);
        size_t length = strcspn(output, "\n");
        if (length == 0 && output[0] == '\0')
            fail_msg("no row: %s", sql);
        snprintf(out, size, "%.*s", (int)length, output);
        return;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_open(address, &db) != SQLITE_OK)
        fail_msg("cannot open %s", address);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(statement) != SQLITE_ROW)
        fail_msg("no row: %s", sql);
    const unsigned char *text = sqlite3_column_text(statement, 0);
    snprintf(out, size, "%s", text != NULL ? (const char *)text : "");
    sqlite3_finalize(statement);
    sqlite3_close(db);
}

int64_t test_sql_integer(const char *address, const char *sql)
{
    char text[64];
    test_sql_text(address, sql, text, sizeof text);
    /* NULL reads as 0, as sqlite3_column_int64 reads it. */
    if (text[0] == '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        fail_msg("not an integer (%s): %s", text, sql);
    return value;
}

hl_app *test_open_store(char *directory, size_t directory_size, char *path, size_t path_size,
                        const char *units_csv, const char *categories_csv, const char *users_csv)
{
    test_make_temp_dir(directory, directory_size);
    test_store_address(path, path_size, directory);
    hl_app *app = NULL;
    hl_error error;
    if (test_app_open(directory, path, &app, &error) != HL_OK || hl_app_init(app, &error) != HL_OK)
        fail_msg("opening %s: %s", path, error.message);
    load_or_fail(app, hl_transfer_load_units, units_csv, "units");
    load_or_fail(app, hl_transfer_load_categories, categories_csv, "categories");
    load_or_fail(app, hl_transfer_load_users, users_csv, "users");
    return app;
}
