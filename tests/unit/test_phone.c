/* Tests of src/domain/phone.c: the normal form that makes one caller's
 * number equal however it was written. */
#include "test_support.h"

#include <string.h>

#include "domain/phone.h"

static void assert_normal(const char *written, const char *expected)
{
    char normal[HL_PHONE_NORMAL_BYTES];
    size_t digits = hl_phone_normalize(written, normal);
    if (strcmp(normal, expected) != 0)
        fail_msg("\"%s\" gave \"%s\", not \"%s\"", written, normal, expected);
    assert_int_equal(digits, strlen(expected));
}

static void test_separators_are_dropped(void **state)
{
    (void)state;
    assert_normal("138-0013-8000", "13800138000");
    assert_normal(" 138 0013 8000 ", "13800138000");
    assert_normal("0351-1234567", "03511234567");
}

static void test_china_code_is_dropped_from_a_mobile_number(void **state)
{
    (void)state;
    assert_normal("+86 138-0013-8000", "13800138000");
    assert_normal("+8613800138000", "13800138000");
    assert_normal("0086 138 0013 8000", "13800138000");
    assert_normal("86 13800138000", "13800138000");
}

static void test_landline_written_internationally_gets_its_trunk_zero_back(void **state)
{
    (void)state;
    assert_normal("+86 351 1234567", "03511234567");
    assert_normal("+86 10 1234 5678", "01012345678"); /* Beijing: starts with 1 but is no mobile */
    assert_normal("0086-351-1234567", "03511234567");
    assert_normal("+86 0351 1234567", "03511234567"); /* the 0 kept by mistake stays single */
}

static void test_digits_without_a_country_code_stay_as_they_are(void **state)
{
    (void)state;
    assert_normal("12345", "12345");
    assert_normal("8612345", "8612345"); /* not a mobile after 86: no country code */
    assert_normal("3511234567", "3511234567");
}

static void test_another_country_keeps_its_code(void **state)
{
    (void)state;
    assert_normal("+1 415 555 0100", "14155550100");
    assert_normal("001 415 555 0100", "14155550100");
    assert_normal("+44 20 7946 0958", "442079460958");
}

static void test_text_without_digits_is_empty(void **state)
{
    (void)state;
    assert_normal("", "");
    assert_normal("+ - ", "");
    assert_normal("call me", "");
}

static void test_digits_beyond_the_longest_number_are_ignored(void **state)
{
    (void)state;
    char normal[HL_PHONE_NORMAL_BYTES];
    size_t digits = hl_phone_normalize("1234567890123456789012345678901234567890", normal);
    assert_int_equal(digits, HL_PHONE_CHARS);
    assert_string_equal(normal, "123456789012345678901234");
}

static bool valid(const char *text)
{
    return hl_phone_valid(text, strlen(text));
}

/* Registrations and searches by phone take the same numbers. */
static void test_a_number_is_digits_spaces_plus_and_minus(void **state)
{
    (void)state;
    assert_true(valid("13800138000"));
    assert_true(valid("+86 138-0013-8000"));
    assert_true(valid("110"));
    assert_true(valid("123456789012345678901234"));
    assert_false(valid(""));
    assert_false(valid("12"));
    assert_false(valid("+ - 12"));
    assert_false(valid("138abc"));
    assert_false(valid("(0351) 1234567"));
    assert_false(valid("' OR '1'='1"));
    assert_false(valid("1; DROP TABLE orders; --"));
    assert_false(valid("1380013800\n"));
    assert_false(valid("1234567890123456789012345"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separators_are_dropped),
        cmocka_unit_test(test_china_code_is_dropped_from_a_mobile_number),
        cmocka_unit_test(test_landline_written_internationally_gets_its_trunk_zero_back),
        cmocka_unit_test(test_digits_without_a_country_code_stay_as_they_are),
        cmocka_unit_test(test_another_country_keeps_its_code),
        cmocka_unit_test(test_text_without_digits_is_empty),
        cmocka_unit_test(test_digits_beyond_the_longest_number_are_ignored),
        cmocka_unit_test(test_a_number_is_digits_spaces_plus_and_minus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
