/* test_support.h: helpers shared by the unit tests. */
#ifndef HL_TEST_SUPPORT_H
#define HL_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
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
/* Opens a fresh SQLite store at <directory>/hotline.db in a new temporary
 * directory (its path written into directory and path) and loads the
 * directory CSVs given as NUL-terminated texts (NULL skips one). Fails the
 * test on any error. The caller owns the app (hl_app_close) and removes the
 * directory (test_remove_tree). */
struct hl_app;
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
