/* test_attribute.c: category attributes (src/domain/attribute.c): the
 * datatype names, validation of definitions (codes, order, question,
 * values exactly for the list types, well-formed and distinct), the
 * values read back in order, and the answers each datatype accepts. */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "domain/attribute.h"

static hl_attribute make(hl_attribute_type type, const char *values)
{
    hl_attribute attribute;
    memset(&attribute, 0, sizeof attribute);
    snprintf(attribute.category, sizeof attribute.category, "%s", "city");
    snprintf(attribute.code, sizeof attribute.code, "%s", "KIND");
    attribute.position = 1;
    attribute.datatype = type;
    attribute.required = true;
    attribute.variable = true;
    snprintf(attribute.description, sizeof attribute.description, "%s", "哪一类问题？");
    snprintf(attribute.values, sizeof attribute.values, "%s", values);
    return attribute;
}

static void expect_invalid(const hl_attribute *attribute, const char *field)
{
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_attribute_validate(attribute, &error), HL_EINVAL);
    assert_string_equal(error.field, field);
}

static void test_type_names_round_trip(void **state)
{
    (void)state;
    for (int type = 0; type < HL_ATTRIBUTE_TYPE_COUNT; type++) {
        hl_attribute_type parsed;
        assert_int_equal(hl_attribute_type_parse(
                             hl_slice_of(hl_attribute_type_name((hl_attribute_type)type)), &parsed),
                         HL_OK);
        assert_int_equal(parsed, type);
    }
    hl_attribute_type parsed;
    assert_int_equal(hl_attribute_type_parse(hl_slice_of("integer"), &parsed), HL_EINVAL);
    assert_string_equal(hl_attribute_type_name(HL_ATTRIBUTE_MULTIVALUELIST), "multivaluelist");
    assert_true(hl_attribute_is_list(HL_ATTRIBUTE_SINGLEVALUELIST));
    assert_false(hl_attribute_is_list(HL_ATTRIBUTE_TEXT));
}

static void test_good_definitions_pass(void **state)
{
    (void)state;
    hl_error error;
    hl_attribute list =
        make(HL_ATTRIBUTE_SINGLEVALUELIST, "broken=灯不亮|flicker=闪烁|pole=灯杆倾斜");
    assert_int_equal(hl_attribute_validate(&list, &error), HL_OK);
    hl_attribute text = make(HL_ATTRIBUTE_TEXT, "");
    assert_int_equal(hl_attribute_validate(&text, &error), HL_OK);
}

static void test_bad_definitions_name_their_field(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    hl_attribute attribute = make(HL_ATTRIBUTE_STRING, "");
    snprintf(attribute.code, sizeof attribute.code, "%s", "a b");
    expect_invalid(&attribute, "code");
    attribute = make(HL_ATTRIBUTE_STRING, "");
    attribute.category[0] = '\0';
    expect_invalid(&attribute, "category");
    attribute = make(HL_ATTRIBUTE_STRING, "");
    attribute.position = 0;
    expect_invalid(&attribute, "order");
    attribute = make(HL_ATTRIBUTE_STRING, "");
    attribute.datatype = HL_ATTRIBUTE_TYPE_COUNT;
    expect_invalid(&attribute, "datatype");
    attribute = make(HL_ATTRIBUTE_STRING, "");
    attribute.description[0] = '\0';
    expect_invalid(&attribute, "description");
    attribute = make(HL_ATTRIBUTE_STRING, "");
    snprintf(attribute.description, sizeof attribute.description, "%s", "two\nlines");
    expect_invalid(&attribute, "description");
}

static void test_values_only_for_lists_and_well_formed(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    hl_attribute attribute = make(HL_ATTRIBUTE_STRING, "a=A");
    expect_invalid(&attribute, "values");
    static const char *const bad[] = {"",     "a",        "a=",    "=A",      "a=A|",
                                      "|a=A", "a=A||b=B", "a b=A", "a=A|a=B", "a=A\tB"};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        attribute = make(HL_ATTRIBUTE_MULTIVALUELIST, bad[index]);
        hl_error error;
        if (hl_attribute_validate(&attribute, &error) != HL_EINVAL ||
            strcmp(error.field, "values") != 0)
            fail_msg("values \"%s\" were accepted", bad[index]);
    }
}

static void test_too_many_values_are_refused(void **state)
{
    (void)state;
    hl_buf values;
    hl_buf_init(&values);
    for (int index = 0; index <= HL_ATTRIBUTE_VALUES_MAX; index++)
        hl_buf_appendf(&values, "%sv%d=V", index > 0 ? "|" : "", index);
    hl_attribute attribute = make(HL_ATTRIBUTE_SINGLEVALUELIST, values.data);
    expect_invalid(&attribute, "values");
    hl_buf_free(&values);
}

typedef struct collected {
    char text[256];
    int count;
} collected;

static bool collect(void *context, hl_slice key, hl_slice name)
{
    collected *out = context;
    size_t used = strlen(out->text);
    snprintf(out->text + used, sizeof out->text - used, "[%.*s:%.*s]", (int)key.len, key.ptr,
             (int)name.len, name.ptr);
    return ++out->count < 2;
}

static void test_values_are_read_in_order_and_the_visit_can_stop(void **state)
{
    (void)state;
    hl_attribute attribute =
        make(HL_ATTRIBUTE_SINGLEVALUELIST, "broken=灯不亮|flicker=闪=烁|pole=灯杆");
    collected out = {"", 0};
    hl_attribute_each_value(&attribute, collect, &out);
    assert_string_equal(out.text, "[broken:灯不亮][flicker:闪=烁]");
    assert_true(hl_attribute_has_value(&attribute, hl_slice_of("pole")));
    assert_false(hl_attribute_has_value(&attribute, hl_slice_of("pol")));
    assert_false(hl_attribute_has_value(&attribute, hl_slice_of("灯不亮")));
}

static int answer(const hl_attribute *attribute, const char *text)
{
    hl_error error;
    hl_error_clear(&error);
    int result = hl_attribute_check_answer(attribute, hl_slice_of(text), "attribute[KIND]", &error);
    if (result != HL_OK)
        assert_string_equal(error.field, "attribute[KIND]");
    return result;
}

static void test_answers_follow_the_datatype(void **state)
{
    (void)state;
    hl_attribute string = make(HL_ATTRIBUTE_STRING, "");
    assert_int_equal(answer(&string, "一行文字"), HL_OK);
    assert_int_equal(answer(&string, "two\nlines"), HL_EINVAL);
    hl_attribute text = make(HL_ATTRIBUTE_TEXT, "");
    assert_int_equal(answer(&text, "two\nlines"), HL_OK);
    assert_int_equal(answer(&text, "bell\a"), HL_EINVAL);
    assert_int_equal(answer(&text, "\xff"), HL_EINVAL);
    hl_attribute number = make(HL_ATTRIBUTE_NUMBER, "");
    assert_int_equal(answer(&number, "12.5"), HL_OK);
    assert_int_equal(answer(&number, "-3"), HL_OK);
    assert_int_equal(answer(&number, "twelve"), HL_EINVAL);
    assert_int_equal(answer(&number, "1e999"), HL_EINVAL);
    hl_attribute datetime = make(HL_ATTRIBUTE_DATETIME, "");
    assert_int_equal(answer(&datetime, "2024-02-01T09:30:00+08:00"), HL_OK);
    assert_int_equal(answer(&datetime, "2024-02-01 09:30"), HL_EINVAL);
    hl_attribute single = make(HL_ATTRIBUTE_SINGLEVALUELIST, "broken=灯不亮|flicker=闪烁");
    assert_int_equal(answer(&single, "flicker"), HL_OK);
    assert_int_equal(answer(&single, "闪烁"), HL_EINVAL);
    assert_int_equal(answer(&single, "' OR '1'='1"), HL_EINVAL);
}

static void test_string_and_text_lengths_are_bounded(void **state)
{
    (void)state;
    char long_text[HL_ATTRIBUTE_TEXT_CHARS + 2];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    hl_attribute text = make(HL_ATTRIBUTE_TEXT, "");
    assert_int_equal(answer(&text, long_text), HL_EINVAL);
    long_text[HL_ATTRIBUTE_TEXT_CHARS] = '\0';
    assert_int_equal(answer(&text, long_text), HL_OK);
    hl_attribute string = make(HL_ATTRIBUTE_STRING, "");
    long_text[HL_ATTRIBUTE_STRING_CHARS + 1] = '\0';
    assert_int_equal(answer(&string, long_text), HL_EINVAL);
    long_text[HL_ATTRIBUTE_STRING_CHARS] = '\0';
    assert_int_equal(answer(&string, long_text), HL_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names_round_trip),
        cmocka_unit_test(test_good_definitions_pass),
        cmocka_unit_test(test_bad_definitions_name_their_field),
        cmocka_unit_test(test_values_only_for_lists_and_well_formed),
        cmocka_unit_test(test_too_many_values_are_refused),
        cmocka_unit_test(test_values_are_read_in_order_and_the_visit_can_stop),
        cmocka_unit_test(test_answers_follow_the_datatype),
        cmocka_unit_test(test_string_and_text_lengths_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
