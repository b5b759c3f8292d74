/* test_support.h: helpers shared by the unit tests. */
#ifndef HL_TEST_SUPPORT_H
#define HL_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above first: a block of its own keeps it last. */
#include <cmocka.h>

/* Makes a fresh empty directory under $TMPDIR (or /tmp) and writes its path
 * into out (at least 256 bytes). */
void test_make_temp_dir(char *out, size_t size);
/* Joins a directory and a file name into out. */
void test_path(char *out, size_t size, const char *directory, const char *name);
/* Removes a directory and everything under it. */
void test_remove_tree(const char *path);
/* The backend a test runs on. CTest registers every test that opens a
 * store twice: as is (SQLite) and as <name>_pg with
 * HOTLINE_TEST_BACKEND=postgres, whose stores are databases on the
 * PostgreSQL server HOTLINE_TEST_PG names (scripts/pg-throwaway.sh). */
bool test_store_is_postgres(void);
/* Writes into out the address of a fresh, empty store for one test: on
 * PostgreSQL a new database made on HOTLINE_TEST_PG (by running createdb,
 * so that no test links libpq), its URL with that database's name;
 * otherwise <directory>/hotline.db. Fails the test, saying why, when the
 * backend is postgres and HOTLINE_TEST_PG is unset or createdb fails. The
 * databases are left to the throwaway server, removed with it. */
void test_store_address(char *out, size_t size, const char *directory);
/* The key file of a test's store: <directory>/hotline.db.key, which is
 * SQLite's default "<path>.key" and, for a PostgreSQL address, a file
 * beside the test's other files. */
void test_store_key_path(char *out, size_t size, const char *directory);
/* Opens the app on a test's store (test_store_address) with its key file
 * (test_store_key_path). The caller owns *out (hl_app_close). */
struct hl_app;
struct hl_error;
int test_app_open(const char *directory, const char *address, struct hl_app **out,
                  struct hl_error *error);

/* SQL run beside the store, through a connection of its own, on either
 * backend: sqlite3 for a file, the psql program for a PostgreSQL address
 * (tests do not link libpq). The statements must mean the same on both.
 * test_sql_exec returns 0 when the statement succeeded, else nonzero (the
 * server's message on stderr); the others fail the test unless the query
 * answers a row (NULL reads as "" and 0). */
int test_sql_exec(const char *address, const char *sql);
int64_t test_sql_integer(const char *address, const char *sql);
void test_sql_text(const char *address, const char *sql, char *out, size_t size);

/* Opens a fresh store at test_store_address(directory) in a new temporary
 * directory (its path written into directory, the store's address into
 * path) and loads the directory CSVs given as NUL-terminated texts (NULL
 * skips one). Fails the test on any error. The caller owns the app
 * (hl_app_close) and removes the directory (test_remove_tree). */
struct hl_app *test_open_store(char *directory, size_t directory_size, char *path, size_t path_size,
                               const char *units_csv, const char *categories_csv,
                               const char *users_csv);

/* Gives a store opened directly (hl_store_open, not through app/)
 * the phone codec of a fixed test key, made once per process, so that it
 * can write and read orders with phone numbers. */
struct hl_store;
void test_store_use_key(struct hl_store *store);

/* Writes text to a file, replacing it. */
void test_write_file(const char *path, const char *text);

#endif
