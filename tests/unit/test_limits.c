/* test_limits.c: default time limits and their configuration keys (domain/limits). */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "domain/limits.h"
#include "domain/order.h"

static void test_defaults_are_those_real_hotlines_use(void **state)
{
    (void)state;
    hl_limits limits;
    hl_limits_default(&limits);
    assert_int_equal(limits.sign_days, 1);
    assert_int_equal(limits.return_days, 2);
    assert_int_equal(limits.handle_days[HL_TYPE_INQUIRY], 3);
    assert_int_equal(limits.handle_days[HL_TYPE_HELP], 3);
    assert_int_equal(limits.handle_days[HL_TYPE_COMPLAINT], 13);
    assert_int_equal(limits.handle_days[HL_TYPE_REPORT], 13);
    assert_int_equal(limits.handle_days[HL_TYPE_SUGGESTION], 5);
    assert_int_equal(limits.handle_days[HL_TYPE_PRAISE], 5);
    assert_int_equal(limits.extension_max_days, 10);
    assert_int_equal(limits.extension_max_count, 1);
    assert_int_equal(limits.due_soon_days, 1);
}

static void test_order_type_count_matches_order_h(void **state)
{
    (void)state;
    assert_int_equal(HL_ORDER_TYPE_COUNT, HL_TYPE_COUNT);
}

static void test_set_changes_only_the_named_limit(void **state)
{
    (void)state;
    hl_limits limits, expected;
    hl_limits_default(&limits);
    hl_limits_default(&expected);
    hl_error error;
    assert_int_equal(hl_limits_set(&limits, "sign_days", "2", &error), HL_OK);
    expected.sign_days = 2;
    assert_memory_equal(&limits, &expected, sizeof limits);
    assert_int_equal(hl_limits_set(&limits, "extension_max_count", "0", &error), HL_OK);
    expected.extension_max_count = 0;
    assert_memory_equal(&limits, &expected, sizeof limits);
}

static void test_handle_days_keys_follow_order_type_order(void **state)
{
    (void)state;
    static const char *const names[] = {"inquiry", "help",       "complaint",
                                        "report",  "suggestion", "praise"};
    static const hl_order_type types[] = {HL_TYPE_INQUIRY, HL_TYPE_HELP,       HL_TYPE_COMPLAINT,
                                          HL_TYPE_REPORT,  HL_TYPE_SUGGESTION, HL_TYPE_PRAISE};
    for (size_t index = 0; index < 6; index++) {
        hl_limits limits;
        hl_limits_default(&limits);
        char key[64], value[8];
        snprintf(key, sizeof key, "handle_days.%s", names[index]);
        snprintf(value, sizeof value, "%zu", 20 + index);
        hl_error error;
        assert_int_equal(hl_limits_set(&limits, key, value, &error), HL_OK);
        assert_int_equal(limits.handle_days[types[index]], 20 + (int)index);
    }
}

static void test_every_key_accepts_its_bounds(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        const char *minimum;
        const char *maximum;
    } bounds[] = {
        {"sign_days", "1", "60"},           {"return_days", "1", "60"},
        {"handle_days.inquiry", "1", "60"}, {"handle_days.praise", "1", "60"},
        {"extension_max_days", "1", "60"},  {"extension_max_count", "0", "10"},
        {"due_soon_days", "0", "60"},
    };
    for (size_t index = 0; index < sizeof bounds / sizeof bounds[0]; index++) {
        hl_limits limits;
        hl_limits_default(&limits);
        hl_error error;
        assert_int_equal(hl_limits_set(&limits, bounds[index].key, bounds[index].minimum, &error),
                         HL_OK);
        assert_int_equal(hl_limits_set(&limits, bounds[index].key, bounds[index].maximum, &error),
                         HL_OK);
    }
}

static void test_values_outside_the_bounds_are_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        const char *value;
    } cases[] = {
        {"sign_days", "0"},
        {"sign_days", "61"},
        {"return_days", "-1"},
        {"handle_days.complaint", "0"},
        {"extension_max_days", "0"},
        {"extension_max_count", "11"},
        {"extension_max_count", "-1"},
        {"due_soon_days", "61"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        hl_limits limits, before;
        hl_limits_default(&limits);
        before = limits;
        hl_error error;
        assert_int_equal(hl_limits_set(&limits, cases[index].key, cases[index].value, &error),
                         HL_EINVAL);
        assert_string_equal(error.field, cases[index].key);
        assert_memory_equal(&limits, &before, sizeof limits);
    }
}

static void test_values_that_are_not_whole_numbers_are_rejected(void **state)
{
    (void)state;
    static const char *const values[] = {"",    "five", "5.0", "5 days",
                                         "0x5", "+5",   "1e1", "99999999999999999999"};
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        hl_limits limits;
        hl_limits_default(&limits);
        hl_error error;
        if (hl_limits_set(&limits, "sign_days", values[index], &error) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", values[index]);
        assert_int_equal(limits.sign_days, 1);
    }
    hl_limits limits;
    hl_limits_default(&limits);
    hl_error error;
    assert_int_equal(hl_limits_set(&limits, "sign_days", NULL, &error), HL_EINVAL);
}

static void test_surrounding_spaces_in_a_value_are_ignored(void **state)
{
    (void)state;
    hl_limits limits;
    hl_limits_default(&limits);
    hl_error error;
    assert_int_equal(hl_limits_set(&limits, "return_days", " 4 ", &error), HL_OK);
    assert_int_equal(limits.return_days, 4);
}

static void test_bad_value_message_names_the_key_and_range(void **state)
{
    (void)state;
    hl_limits limits;
    hl_limits_default(&limits);
    hl_error error;
    hl_i18n_set(HL_LANG_EN);
    assert_int_equal(hl_limits_set(&limits, "extension_max_count", "20", &error), HL_EINVAL);
    assert_string_equal(error.message, "extension_max_count must be a whole number from 0 to 10");
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(hl_limits_set(&limits, "handle_days.help", "0", &error), HL_EINVAL);
    assert_string_equal(error.message, "handle_days.help 应为 1 到 60 之间的整数");
}

static void test_unknown_key_is_rejected_naming_it(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "sign", "handle_days", "handle_days.", "handle_days.other", "Sign_days", "sign_days ", ""};
    for (size_t index = 0; index < sizeof keys / sizeof keys[0]; index++) {
        hl_limits limits, before;
        hl_limits_default(&limits);
        before = limits;
        hl_error error;
        hl_i18n_set(HL_LANG_EN);
        assert_int_equal(hl_limits_set(&limits, keys[index], "5", &error), HL_EINVAL);
        hl_i18n_set(HL_LANG_ZH);
        char quoted[80];
        snprintf(quoted, sizeof quoted, "unknown limit \"%s\"", keys[index]);
        assert_non_null(strstr(error.message, quoted));
        assert_string_equal(error.field, "key");
        assert_memory_equal(&limits, &before, sizeof limits);
    }
    hl_limits limits;
    hl_limits_default(&limits);
    hl_error error;
    assert_int_equal(hl_limits_set(&limits, NULL, "5", &error), HL_EINVAL);
}

typedef struct visited {
    char keys[16][32];
    int values[16];
    int count;
} visited;

static void record_limit(void *context, const char *key, int value)
{
    visited *seen = context;
    assert_true(seen->count < 16);
    snprintf(seen->keys[seen->count], sizeof seen->keys[0], "%s", key);
    seen->values[seen->count] = value;
    seen->count++;
}

static void test_each_visits_every_key_in_a_fixed_order(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "sign_days",
        "return_days",
        "handle_days.inquiry",
        "handle_days.help",
        "handle_days.complaint",
        "handle_days.report",
        "handle_days.suggestion",
        "handle_days.praise",
        "extension_max_days",
        "extension_max_count",
        "due_soon_days",
        "survey_max_attempts",
        "appeal_days",
        "reopen_dissatisfied",
    };
    static const int values[] = {1, 2, 3, 3, 13, 13, 5, 5, 10, 1, 1, 3, 5, 1};
    hl_limits limits;
    hl_limits_default(&limits);
    visited seen = {0};
    hl_limits_each(&limits, record_limit, &seen);
    assert_int_equal(seen.count, 14);
    for (int index = 0; index < 11; index++) {
        assert_string_equal(seen.keys[index], expected[index]);
        assert_int_equal(seen.values[index], values[index]);
    }
}

static void test_each_key_can_be_set_back_from_its_listing(void **state)
{
    (void)state;
    /* What hl_limits_each lists must be accepted by hl_limits_set, so a
     * configuration dump can be loaded again. */
    hl_limits limits;
    hl_limits_default(&limits);
    visited seen = {0};
    hl_limits_each(&limits, record_limit, &seen);
    hl_limits copy;
    memset(&copy, 0, sizeof copy);
    for (int index = 0; index < seen.count; index++) {
        char value[16];
        snprintf(value, sizeof value, "%d", seen.values[index]);
        hl_error error;
        assert_int_equal(hl_limits_set(&copy, seen.keys[index], value, &error), HL_OK);
    }
    assert_memory_equal(&copy, &limits, sizeof limits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_those_real_hotlines_use),
        cmocka_unit_test(test_order_type_count_matches_order_h),
        cmocka_unit_test(test_set_changes_only_the_named_limit),
        cmocka_unit_test(test_handle_days_keys_follow_order_type_order),
        cmocka_unit_test(test_every_key_accepts_its_bounds),
        cmocka_unit_test(test_values_outside_the_bounds_are_rejected),
        cmocka_unit_test(test_values_that_are_not_whole_numbers_are_rejected),
        cmocka_unit_test(test_surrounding_spaces_in_a_value_are_ignored),
        cmocka_unit_test(test_bad_value_message_names_the_key_and_range),
        cmocka_unit_test(test_unknown_key_is_rejected_naming_it),
        cmocka_unit_test(test_each_visits_every_key_in_a_fixed_order),
        cmocka_unit_test(test_each_key_can_be_set_back_from_its_listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
