/* test_support.h: helpers shared by the unit tests. */
#ifndef HL_TEST_SUPPORT_H
#define HL_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Makes a fresh empty directory under $TMPDIR (or /tmp) and writes its path
 * into out (at least 256 bytes). */
void test_make_temp_dir(char *out, size_t size);
/* Joins a directory and a file name into out. */
void test_path(char *out, size_t size, const char *directory, const char *name);
/* Removes a directory and everything under it. */
void test_remove_tree(const char *path);
/* Writes text to a file, replacing it. */
void test_write_file(const char *path, const char *text);

#endif
