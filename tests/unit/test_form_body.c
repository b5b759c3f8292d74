/* test_form_body.c: the strict form-encoded parser of the Open311 routes
 * (src/http/form_body.c): decoding ("+", "%XX", UTF-8), repeated names
 * kept in order, attribute[CODE] names, and every refusal (malformed
 * escapes, NUL, invalid UTF-8, empty or nameless parameters, raw control
 * characters, too many parameters), each naming the parameter at fault. */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "http/form_body.h"

typedef struct parsed {
    hl_arena arena;
    hl_form form;
    hl_error error;
    int result;
} parsed;

static void parse(parsed *out, const char *text, size_t max_fields)
{
    hl_i18n_set(HL_LANG_EN);
    hl_arena_init(&out->arena, 0);
    hl_error_clear(&out->error);
    out->result =
        hl_form_parse(text, strlen(text), &out->arena, max_fields, &out->form, &out->error);
}

static void done(parsed *out)
{
    hl_arena_free(&out->arena);
}

static void expect_refused(const char *text, const char *field)
{
    parsed out;
    parse(&out, text, 64);
    assert_int_equal(out.result, HL_EINVAL);
    assert_string_equal(out.error.field, field);
    assert_true(out.error.message[0] != '\0');
    done(&out);
}

static void test_plain_pairs_are_decoded_in_order(void **state)
{
    (void)state;
    parsed out;
    parse(&out, "service_code=city&lat=37.8&long=112.5", 64);
    assert_int_equal(out.result, HL_OK);
    assert_int_equal(out.form.count, 3);
    assert_string_equal(out.form.fields[0].name, "service_code");
    assert_string_equal(out.form.fields[0].value, "city");
    assert_string_equal(out.form.fields[2].name, "long");
    assert_string_equal(hl_form_get(&out.form, "lat"), "37.8");
    assert_null(hl_form_get(&out.form, "missing"));
    done(&out);
}

static void test_plus_is_a_space_and_percent_a_byte(void **state)
{
    (void)state;
    parsed out;
    parse(&out, "description=a+b%2Bc%20d%0Ae&x%5By%5D=%25", 64);
    assert_int_equal(out.result, HL_OK);
    assert_string_equal(hl_form_get(&out.form, "description"), "a b+c d\ne");
    assert_int_equal(out.form.fields[0].value_length, 9);
    assert_string_equal(out.form.fields[1].name, "x[y]");
    assert_string_equal(out.form.fields[1].value, "%");
    done(&out);
}

static void test_percent_encoded_utf8_is_decoded(void **state)
{
    (void)state;
    parsed out;
    /* 路灯 in UTF-8, lower- and upper-case hexadecimal digits. */
    parse(&out, "description=%e8%b7%af%E7%81%AF", 64);
    assert_int_equal(out.result, HL_OK);
    assert_string_equal(hl_form_get(&out.form, "description"), "路灯");
    done(&out);
}

static void test_raw_utf8_bytes_are_accepted_when_well_formed(void **state)
{
    (void)state;
    parsed out;
    parse(&out, "description=路灯不亮", 64);
    assert_int_equal(out.result, HL_OK);
    assert_string_equal(hl_form_get(&out.form, "description"), "路灯不亮");
    done(&out);
}

static void test_empty_value_and_equals_in_value(void **state)
{
    (void)state;
    parsed out;
    parse(&out, "a=&b=x=y", 64);
    assert_int_equal(out.result, HL_OK);
    assert_string_equal(hl_form_get(&out.form, "a"), "");
    assert_int_equal(out.form.fields[0].value_length, 0);
    assert_string_equal(hl_form_get(&out.form, "b"), "x=y");
    done(&out);
}

static void test_repeated_names_are_kept_in_order(void **state)
{
    (void)state;
    parsed out;
    parse(&out, "attribute%5BKIND%5D%5B%5D=a&x=1&attribute[KIND][]=b", 64);
    assert_int_equal(out.result, HL_OK);
    assert_int_equal(hl_form_count(&out.form, "attribute[KIND][]"), 2);
    assert_int_equal(hl_form_count(&out.form, "x"), 1);
    assert_int_equal(hl_form_count(&out.form, "y"), 0);
    assert_string_equal(out.form.fields[0].value, "a");
    assert_string_equal(out.form.fields[2].value, "b");
    assert_string_equal(hl_form_get(&out.form, "attribute[KIND][]"), "a");
    done(&out);
}

static void test_empty_text_has_no_parameters(void **state)
{
    (void)state;
    hl_arena arena;
    hl_arena_init(&arena, 0);
    hl_form form;
    hl_error error;
    assert_int_equal(hl_form_parse(NULL, 0, &arena, 8, &form, &error), HL_OK);
    assert_int_equal(form.count, 0);
    hl_arena_free(&arena);
}

static void test_many_parameters_grow_the_array(void **state)
{
    (void)state;
    hl_buf text;
    hl_buf_init(&text);
    for (int index = 0; index < 100; index++)
        hl_buf_appendf(&text, "%sp%d=%d", index > 0 ? "&" : "", index, index * 3);
    parsed out;
    parse(&out, text.data, 100);
    assert_int_equal(out.result, HL_OK);
    assert_int_equal(out.form.count, 100);
    for (int index = 0; index < 100; index++) {
        char name[16], value[16];
        snprintf(name, sizeof name, "p%d", index);
        snprintf(value, sizeof value, "%d", index * 3);
        assert_string_equal(out.form.fields[index].name, name);
        assert_string_equal(out.form.fields[index].value, value);
    }
    done(&out);
    hl_buf_free(&text);
}

static void test_more_parameters_than_allowed_are_refused(void **state)
{
    (void)state;
    parsed out;
    parse(&out, "a=1&b=2&c=3", 2);
    assert_int_equal(out.result, HL_EINVAL);
    assert_string_equal(out.error.field, "body");
    done(&out);
}

static void test_malformed_escapes_are_refused(void **state)
{
    (void)state;
    expect_refused("description=100%", "description");
    expect_refused("description=%4", "description");
    expect_refused("description=%zz", "description");
    expect_refused("description=%4g&x=1", "description");
    expect_refused("desc%ription=1", "body");
}

static void test_nul_bytes_are_refused(void **state)
{
    (void)state;
    expect_refused("description=a%00b", "description");
    expect_refused("na%00me=1", "body");
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void)state;
    expect_refused("description=%FF", "description");
    expect_refused("description=%C0%AF", "description");    /* overlong "/" */
    expect_refused("description=%ED%A0%80", "description"); /* a surrogate */
    expect_refused("description=%E8%B7", "description");    /* cut short */
    expect_refused("description=\xE8\xB7", "description");  /* raw and cut short */
    expect_refused("%FF=1", "body");
}

static void test_raw_spaces_and_control_characters_are_refused(void **state)
{
    (void)state;
    expect_refused("description=a b", "description");
    expect_refused("description=a\nb", "description");
    expect_refused("description=ab\r\n", "description");
    expect_refused("description=a\tb", "description");
    expect_refused("description=a\x7f", "description");
}

static void test_empty_and_nameless_parameters_are_refused(void **state)
{
    (void)state;
    expect_refused("a=1&&b=2", "body");
    expect_refused("&a=1", "body");
    expect_refused("a=1&", "body");
    expect_refused("=1", "body");
    expect_refused("a=1&=2", "body");
    expect_refused("&", "body");
}

static void test_parameter_without_equals_is_refused(void **state)
{
    (void)state;
    expect_refused("a=1&flag", "flag");
    expect_refused("flag", "flag");
}

static void test_add_checks_decoded_arguments(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    hl_arena arena;
    hl_arena_init(&arena, 0);
    hl_form form = {NULL, 0};
    hl_error error;
    assert_int_equal(hl_form_add(&form, &arena, 4, "status", 6, "open", 4, &error), HL_OK);
    assert_int_equal(hl_form_add(&form, &arena, 4, "flag", 4, NULL, 0, &error), HL_OK);
    assert_string_equal(hl_form_get(&form, "flag"), "");
    assert_int_equal(hl_form_add(&form, &arena, 4, "bad", 3, "a\0b", 3, &error), HL_EINVAL);
    assert_string_equal(error.field, "bad");
    assert_int_equal(hl_form_add(&form, &arena, 4, "bad", 3, "\xff", 1, &error), HL_EINVAL);
    assert_int_equal(hl_form_add(&form, &arena, 4, "", 0, "x", 1, &error), HL_EINVAL);
    assert_int_equal(hl_form_add(&form, &arena, 4, "n\0x", 3, "x", 1, &error), HL_EINVAL);
    assert_int_equal(hl_form_add(&form, &arena, 4, "c", 1, "3", 1, &error), HL_OK);
    assert_int_equal(hl_form_add(&form, &arena, 4, "d", 1, "4", 1, &error), HL_OK);
    assert_int_equal(hl_form_add(&form, &arena, 4, "e", 1, "5", 1, &error), HL_EINVAL);
    assert_int_equal(form.count, 4);
    hl_arena_free(&arena);
}

static void test_attribute_names_are_recognised(void **state)
{
    (void)state;
    hl_slice code;
    bool list = true;
    assert_true(hl_form_attribute_name("attribute[WHISETN]", &code, &list));
    assert_true(hl_slice_equal(code, "WHISETN"));
    assert_false(list);
    assert_true(hl_form_attribute_name("attribute[kinds][]", &code, &list));
    assert_true(hl_slice_equal(code, "kinds"));
    assert_true(list);
    assert_true(hl_form_attribute_name("attribute[]", &code, &list));
    assert_int_equal(code.len, 0);
    assert_false(hl_form_attribute_name("attribute", &code, &list));
    assert_false(hl_form_attribute_name("attribute[x", &code, &list));
    assert_false(hl_form_attribute_name("attribute[x]y", &code, &list));
    assert_false(hl_form_attribute_name("attribute[x][0]", &code, &list));
    assert_false(hl_form_attribute_name("attributes[x]", &code, &list));
    assert_false(hl_form_attribute_name("description", &code, &list));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_pairs_are_decoded_in_order),
        cmocka_unit_test(test_plus_is_a_space_and_percent_a_byte),
        cmocka_unit_test(test_percent_encoded_utf8_is_decoded),
        cmocka_unit_test(test_raw_utf8_bytes_are_accepted_when_well_formed),
        cmocka_unit_test(test_empty_value_and_equals_in_value),
        cmocka_unit_test(test_repeated_names_are_kept_in_order),
        cmocka_unit_test(test_empty_text_has_no_parameters),
        cmocka_unit_test(test_many_parameters_grow_the_array),
        cmocka_unit_test(test_more_parameters_than_allowed_are_refused),
        cmocka_unit_test(test_malformed_escapes_are_refused),
        cmocka_unit_test(test_nul_bytes_are_refused),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_raw_spaces_and_control_characters_are_refused),
        cmocka_unit_test(test_empty_and_nameless_parameters_are_refused),
        cmocka_unit_test(test_parameter_without_equals_is_refused),
        cmocka_unit_test(test_add_checks_decoded_arguments),
        cmocka_unit_test(test_attribute_names_are_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
