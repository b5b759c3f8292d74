/* test_support.c: temporary directories, files and stores for tests. */
#include "test_support.h"

#include "app/secrets.h"
#include "app/transfer.h"

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

hl_app *test_open_store(char *directory, size_t directory_size, char *path, size_t path_size,
                        const char *units_csv, const char *categories_csv, const char *users_csv)
{
    test_make_temp_dir(directory, directory_size);
    test_path(path, path_size, directory, "hotline.db");
    hl_app *app = NULL;
    hl_error error;
    if (hl_app_open(path, &app, &error) != HL_OK || hl_app_init(app, &error) != HL_OK)
        fail_msg("opening %s: %s", path, error.message);
    load_or_fail(app, hl_transfer_load_units, units_csv, "units");
    load_or_fail(app, hl_transfer_load_categories, categories_csv, "categories");
    load_or_fail(app, hl_transfer_load_users, users_csv, "users");
    return app;
}
