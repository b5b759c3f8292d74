/* test_apikey.c: Open311 API keys (src/app/apikey.c) on a real SQLite
 * file: a key is 64 hex digits given once and stored only as a hash with
 * its first eight characters; it is found again by its text; a wrong,
 * malformed or revoked key is refused alike; names and rates are checked;
 * revoking twice keeps the first time; and only administrators may manage
 * keys (app/auth's rule). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/apikey.h"
#include "app/auth.h"
#include "base/i18n.h"
#include "test_support.h"

#define NOW ((hl_time)1709517600) /* 2024-03-04T10:00:00+08:00 */

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
} fixture;

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               NULL, NULL, NULL);
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

/* How many rows of api_keys hold text (hex digits: written into the
 * statement as they are, and no LIKE wildcard) in any column, through a
 * connection of its own on either backend. */
static int64_t rows_holding(const char *path, const char *text)
{
    assert_int_equal(strspn(text, "0123456789abcdef"), strlen(text));
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM api_keys WHERE key_hash LIKE '%%%s%%' OR key_prefix LIKE "
             "'%%%s%%' OR name LIKE '%%%s%%'",
             text, text, text);
    return test_sql_integer(path, sql);
}

static void test_a_key_is_given_once_and_stored_as_a_hash(void **state)
{
    fixture *fix = *state;
    char key[HL_APIKEY_TEXT_BYTES];
    hl_apikey record;
    hl_error error;
    assert_int_equal(
        hl_apikey_create(fix->app, "  市民通 App ", 0, "admin", NOW, key, &record, &error), HL_OK);
    assert_int_equal(strlen(key), 64);
    assert_int_equal(strspn(key, "0123456789abcdef"), 64);
    assert_true(record.id > 0);
    assert_string_equal(record.name, "市民通 App");
    assert_string_equal(record.created_by, "admin");
    assert_int_equal(record.created_at, NOW);
    assert_int_equal(record.rate_per_minute, HL_APIKEY_DEFAULT_RATE);
    assert_false(record.revoked);
    assert_int_equal(strncmp(record.key_prefix, key, 8), 0);
    assert_int_equal(strlen(record.key_prefix), 8);
    assert_string_not_equal(record.key_hash, key);
    /* The whole key is nowhere in the store, only its first eight characters. */
    assert_int_equal(rows_holding(fix->path, key), 0);
    assert_int_equal(rows_holding(fix->path, key + 8), 0);

    hl_apikey found;
    assert_int_equal(hl_apikey_check(fix->app, key, &found, &error), HL_OK);
    assert_int_equal(found.id, record.id);
}

static void test_two_keys_differ(void **state)
{
    fixture *fix = *state;
    char first[HL_APIKEY_TEXT_BYTES], second[HL_APIKEY_TEXT_BYTES];
    hl_error error;
    assert_int_equal(hl_apikey_create(fix->app, "one", 10, "", NOW, first, NULL, &error), HL_OK);
    assert_int_equal(hl_apikey_create(fix->app, "two", 10, "", NOW, second, NULL, &error), HL_OK);
    assert_string_not_equal(first, second);
}

static void test_wrong_malformed_and_revoked_keys_are_refused_alike(void **state)
{
    fixture *fix = *state;
    char key[HL_APIKEY_TEXT_BYTES];
    hl_apikey record, found;
    hl_error error;
    assert_int_equal(hl_apikey_create(fix->app, "app", 5, "", NOW, key, &record, &error), HL_OK);
    char wrong[HL_APIKEY_TEXT_BYTES];
    snprintf(wrong, sizeof wrong, "%s", key);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    const char *refused[] = {wrong, "", "short", "' OR '1'='1", NULL};
    char message[HL_ERROR_MESSAGE_MAX] = "";
    for (size_t index = 0; index < sizeof refused / sizeof refused[0]; index++) {
        hl_error_clear(&error);
        assert_int_equal(hl_apikey_check(fix->app, refused[index], &found, &error), HL_EROLE);
        assert_string_equal(error.field, "api_key");
        if (index > 0)
            assert_string_equal(error.message, message);
        snprintf(message, sizeof message, "%s", error.message);
    }
    char upper[HL_APIKEY_TEXT_BYTES];
    for (size_t index = 0; index < sizeof upper; index++)
        upper[index] =
            (char)(key[index] >= 'a' && key[index] <= 'f' ? key[index] - 32 : key[index]);
    assert_int_equal(hl_apikey_check(fix->app, upper, &found, &error), HL_EROLE);

    assert_int_equal(hl_apikey_revoke(fix->app, record.id, NOW + 60, &found, &error), HL_OK);
    assert_true(found.revoked);
    assert_int_equal(found.revoked_at, NOW + 60);
    assert_int_equal(hl_apikey_check(fix->app, key, &found, &error), HL_EROLE);
    assert_string_equal(error.message, message);
    /* Revoking again keeps the first time. */
    assert_int_equal(hl_apikey_revoke(fix->app, record.id, NOW + 120, &found, &error), HL_OK);
    assert_int_equal(found.revoked_at, NOW + 60);
    assert_int_equal(hl_apikey_revoke(fix->app, 4242, NOW, NULL, &error), HL_ENOTFOUND);
    assert_string_equal(error.field, "id");
}

static void test_names_and_rates_are_checked(void **state)
{
    fixture *fix = *state;
    char key[HL_APIKEY_TEXT_BYTES];
    hl_error error;
    assert_int_equal(hl_apikey_create(fix->app, "   ", 0, "", NOW, key, NULL, &error), HL_EINVAL);
    assert_string_equal(error.field, "name");
    assert_string_equal(key, "");
    assert_int_equal(hl_apikey_create(fix->app, "two\nlines", 0, "", NOW, key, NULL, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "name");
    char long_name[HL_NAME_CHARS + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(hl_apikey_create(fix->app, long_name, 0, "", NOW, key, NULL, &error),
                     HL_EINVAL);
    assert_int_equal(hl_apikey_create(fix->app, "app", -1, "", NOW, key, NULL, &error), HL_EINVAL);
    assert_string_equal(error.field, "rate_per_minute");
    assert_int_equal(
        hl_apikey_create(fix->app, "app", HL_APIKEY_RATE_MAX + 1, "", NOW, key, NULL, &error),
        HL_EINVAL);
    hl_apikey record;
    assert_int_equal(
        hl_apikey_create(fix->app, "app", HL_APIKEY_RATE_MAX, "", NOW, key, &record, &error),
        HL_OK);
    assert_int_equal(record.rate_per_minute, HL_APIKEY_RATE_MAX);
    int rate = 0;
    assert_int_equal(hl_apikey_parse_rate("120", &rate, &error), HL_OK);
    assert_int_equal(rate, 120);
    assert_int_equal(hl_apikey_parse_rate("0", &rate, &error), HL_EINVAL);
    assert_int_equal(hl_apikey_parse_rate("12x", &rate, &error), HL_EINVAL);
    assert_int_equal(hl_apikey_parse_rate(NULL, &rate, &error), HL_EINVAL);
}

static int count_key(void *context, const hl_apikey *key)
{
    (void)key;
    (*(int *)context)++;
    return 0;
}

static void test_every_key_is_listed_revoked_or_not(void **state)
{
    fixture *fix = *state;
    char key[HL_APIKEY_TEXT_BYTES];
    hl_apikey record;
    hl_error error;
    for (int index = 0; index < 3; index++)
        assert_int_equal(hl_apikey_create(fix->app, "app", 0, "", NOW, key, &record, &error),
                         HL_OK);
    assert_int_equal(hl_apikey_revoke(fix->app, record.id, NOW, NULL, &error), HL_OK);
    int count = 0;
    assert_int_equal(hl_apikey_each(fix->app, count_key, &count, &error), HL_OK);
    assert_int_equal(count, 3);
}

static void test_only_administrators_manage_keys(void **state)
{
    (void)state;
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        hl_user user = {.role = (hl_role)role, .active = true};
        assert_int_equal(hl_auth_may_manage_api_keys(&user), role == HL_ROLE_SECADMIN);
    }
    hl_user disabled = {.role = HL_ROLE_SECADMIN, .active = false};
    assert_false(hl_auth_may_manage_api_keys(&disabled));
    assert_false(hl_auth_may_manage_api_keys(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_key_is_given_once_and_stored_as_a_hash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_keys_differ, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_malformed_and_revoked_keys_are_refused_alike,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_and_rates_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_key_is_listed_revoked_or_not, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_administrators_manage_keys, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
