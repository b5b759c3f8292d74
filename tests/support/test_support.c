/* test_support.c: temporary directories and files for tests. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
