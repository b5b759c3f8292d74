/* test_directory.c: codes, unit, category and user checks, and role names. */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "domain/directory.h"

static int reset_language(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_ZH);
    return 0;
}

static void fill_unit(hl_unit *unit)
{
    memset(unit, 0, sizeof *unit);
    snprintf(unit->code, sizeof unit->code, "%s", "housing-fund");
    snprintf(unit->name, sizeof unit->name, "%s", "市住房公积金中心");
    snprintf(unit->group, sizeof unit->group, "%s", "市直单位");
    unit->active = true;
}

static void fill_category(hl_category *category)
{
    memset(category, 0, sizeof *category);
    snprintf(category->code, sizeof category->code, "%s", "env.noise");
    snprintf(category->name, sizeof category->name, "%s", "噪音扰民");
    snprintf(category->parent, sizeof category->parent, "%s", "env");
    category->handle_days = 5;
    category->active = true;
}

static void fill_user(hl_user *user, hl_role role)
{
    memset(user, 0, sizeof *user);
    snprintf(user->username, sizeof user->username, "%s", "li.wei");
    snprintf(user->display_name, sizeof user->display_name, "%s", "李伟");
    user->role = role;
    if (role == HL_ROLE_HANDLER)
        snprintf(user->unit, sizeof user->unit, "%s", "housing-fund");
    user->active = true;
}

static void assert_field(int status, const hl_error *error, const char *field)
{
    assert_int_equal(status, HL_EINVAL);
    assert_int_equal(error->code, HL_EINVAL);
    assert_string_equal(error->field, field);
    assert_true(error->message[0] != '\0');
}

static void test_code_accepts_letters_digits_and_punctuation(void **state)
{
    (void)state;
    assert_true(hl_directory_code_valid(hl_slice_of("a")));
    assert_true(hl_directory_code_valid(hl_slice_of("Env.Noise_2-b")));
    assert_true(hl_directory_code_valid(hl_slice_of("12345678901234567890123456789012")));
}

static void test_code_rejects_empty_and_too_long(void **state)
{
    (void)state;
    assert_false(hl_directory_code_valid(hl_slice_of("")));
    assert_false(hl_directory_code_valid(hl_slice_of("123456789012345678901234567890123")));
}

static void test_code_rejects_other_characters(void **state)
{
    (void)state;
    assert_false(hl_directory_code_valid(hl_slice_of("env noise")));
    assert_false(hl_directory_code_valid(hl_slice_of("env/noise")));
    assert_false(hl_directory_code_valid(hl_slice_of("住建局")));
    assert_false(hl_directory_code_valid(hl_slice_of("a,b")));
}

static void test_copy_code_trims_and_copies(void **state)
{
    (void)state;
    char code[HL_CODE_BYTES];
    hl_error error;
    assert_int_equal(hl_directory_copy_code(code, hl_slice_of("  water.supply "), "unit", &error),
                     HL_OK);
    assert_string_equal(code, "water.supply");
}

static void test_copy_code_rejects_naming_field_and_leaves_empty(void **state)
{
    (void)state;
    char code[HL_CODE_BYTES] = "previous";
    hl_error error;
    assert_field(hl_directory_copy_code(code, hl_slice_of("bad code"), "unit", &error), &error,
                 "unit");
    assert_string_equal(code, "");
}

static void test_unit_accepts_complete_record(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    assert_int_equal(hl_directory_unit_validate(&unit, &error), HL_OK);
}

static void test_unit_accepts_empty_group(void **state)
{
    (void)state;
    hl_unit unit;
    fill_unit(&unit);
    unit.group[0] = '\0';
    assert_int_equal(hl_directory_unit_validate(&unit, NULL), HL_OK);
}

static void test_unit_rejects_missing_code(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    unit.code[0] = '\0';
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "code");
}

static void test_unit_rejects_malformed_code(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    snprintf(unit.code, sizeof unit.code, "%s", "住建局");
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "code");
}

static void test_unit_rejects_missing_name(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    snprintf(unit.name, sizeof unit.name, "%s", "  ");
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "name");
}

static void test_unit_accepts_name_of_64_chinese_characters(void **state)
{
    (void)state;
    hl_unit unit;
    fill_unit(&unit);
    size_t used = 0;
    for (int index = 0; index < HL_NAME_CHARS; index++) {
        memcpy(unit.name + used, "局", 3);
        used += 3;
    }
    unit.name[used] = '\0';
    assert_int_equal(hl_text_char_count(unit.name, strlen(unit.name)), HL_NAME_CHARS);
    assert_int_equal(hl_directory_unit_validate(&unit, NULL), HL_OK);
}

static void test_unit_rejects_name_longer_than_64_characters(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    memset(unit.name, 'x', HL_NAME_CHARS + 1);
    unit.name[HL_NAME_CHARS + 1] = '\0';
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "name");
}

static void test_unit_rejects_name_that_is_not_utf8(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    snprintf(unit.name, sizeof unit.name, "%s", "bad \xC3\x28 name");
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "name");
}

static void test_unit_rejects_group_that_is_not_utf8(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    snprintf(unit.group, sizeof unit.group, "%s", "\xFF");
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "group");
}

static void test_unit_rejects_itself_as_parent(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    snprintf(unit.parent, sizeof unit.parent, "%s", unit.code);
    assert_field(hl_directory_unit_validate(&unit, &error), &error, "parent");
}

static void test_category_accepts_complete_record(void **state)
{
    (void)state;
    hl_category category;
    hl_error error;
    fill_category(&category);
    assert_int_equal(hl_directory_category_validate(&category, &error), HL_OK);
}

static void test_category_rejects_missing_code(void **state)
{
    (void)state;
    hl_category category;
    hl_error error;
    fill_category(&category);
    category.code[0] = '\0';
    assert_field(hl_directory_category_validate(&category, &error), &error, "code");
}

static void test_category_rejects_missing_name(void **state)
{
    (void)state;
    hl_category category;
    hl_error error;
    fill_category(&category);
    category.name[0] = '\0';
    assert_field(hl_directory_category_validate(&category, &error), &error, "name");
}

static void test_category_accepts_handle_days_from_0_to_60(void **state)
{
    (void)state;
    hl_category category;
    fill_category(&category);
    category.handle_days = 0;
    assert_int_equal(hl_directory_category_validate(&category, NULL), HL_OK);
    category.handle_days = 60;
    assert_int_equal(hl_directory_category_validate(&category, NULL), HL_OK);
}

static void test_category_rejects_handle_days_out_of_range(void **state)
{
    (void)state;
    hl_category category;
    hl_error error;
    fill_category(&category);
    category.handle_days = 61;
    assert_field(hl_directory_category_validate(&category, &error), &error, "handle_days");
    category.handle_days = -1;
    assert_field(hl_directory_category_validate(&category, &error), &error, "handle_days");
}

static void test_category_rejects_malformed_default_unit(void **state)
{
    (void)state;
    hl_category category;
    hl_error error;
    fill_category(&category);
    snprintf(category.default_unit, sizeof category.default_unit, "%s", "no such/unit");
    assert_field(hl_directory_category_validate(&category, &error), &error, "default_unit");
}

static void test_user_accepts_every_role(void **state)
{
    (void)state;
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        hl_user user;
        hl_error error;
        fill_user(&user, (hl_role)role);
        assert_int_equal(hl_directory_user_validate(&user, &error), HL_OK);
    }
}

static void test_user_rejects_malformed_username(void **state)
{
    (void)state;
    hl_user user;
    hl_error error;
    fill_user(&user, HL_ROLE_AGENT);
    snprintf(user.username, sizeof user.username, "%s", "li wei");
    assert_field(hl_directory_user_validate(&user, &error), &error, "username");
    user.username[0] = '\0';
    assert_field(hl_directory_user_validate(&user, &error), &error, "username");
}

static void test_user_rejects_unknown_role(void **state)
{
    (void)state;
    hl_user user;
    hl_error error;
    fill_user(&user, HL_ROLE_AGENT);
    user.role = HL_ROLE_COUNT;
    assert_field(hl_directory_user_validate(&user, &error), &error, "role");
}

static void test_handler_requires_unit(void **state)
{
    (void)state;
    hl_user user;
    hl_error error;
    fill_user(&user, HL_ROLE_HANDLER);
    user.unit[0] = '\0';
    assert_field(hl_directory_user_validate(&user, &error), &error, "unit");
}

static void test_handler_rejects_malformed_unit(void **state)
{
    (void)state;
    hl_user user;
    hl_error error;
    fill_user(&user, HL_ROLE_HANDLER);
    snprintf(user.unit, sizeof user.unit, "%s", "住建局");
    assert_field(hl_directory_user_validate(&user, &error), &error, "unit");
}

static void test_other_roles_refuse_unit(void **state)
{
    (void)state;
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        if (role == HL_ROLE_HANDLER)
            continue;
        hl_user user;
        hl_error error;
        fill_user(&user, (hl_role)role);
        snprintf(user.unit, sizeof user.unit, "%s", "housing-fund");
        assert_field(hl_directory_user_validate(&user, &error), &error, "unit");
    }
}

static void test_validation_message_follows_language(void **state)
{
    (void)state;
    hl_unit unit;
    hl_error error;
    fill_unit(&unit);
    unit.name[0] = '\0';
    hl_directory_unit_validate(&unit, &error);
    assert_non_null(strstr(error.message, "名称"));
    hl_i18n_set(HL_LANG_EN);
    hl_directory_unit_validate(&unit, &error);
    assert_string_equal(error.message, "name is required");
}

static void test_role_names_and_labels_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"agent",   "dispatcher", "handler",  "surveyor", "supervisor",
                           "analyst", "sysadmin",   "secadmin", "auditor"};
    const char *labels[] = {"话务员", "派单员",     "承办人",     "回访员",    "督办员",
                            "分析员", "系统管理员", "安全管理员", "审计管理员"};
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        hl_role parsed = HL_ROLE_COUNT;
        assert_string_equal(hl_directory_role_name((hl_role)role), names[role]);
        assert_string_equal(hl_directory_role_label((hl_role)role), labels[role]);
        assert_int_equal(hl_directory_role_parse(hl_slice_of(names[role]), &parsed), HL_OK);
        assert_int_equal(parsed, role);
        parsed = HL_ROLE_COUNT;
        assert_int_equal(hl_directory_role_parse(hl_slice_of(labels[role]), &parsed), HL_OK);
        assert_int_equal(parsed, role);
    }
}

static void test_role_labels_in_english(void **state)
{
    (void)state;
    const char *labels[] = {"agent",
                            "dispatcher",
                            "unit handler",
                            "surveyor",
                            "supervisor",
                            "analyst",
                            "system administrator",
                            "security administrator",
                            "audit administrator"};
    hl_i18n_set(HL_LANG_EN);
    for (int role = 0; role < HL_ROLE_COUNT; role++)
        assert_string_equal(hl_directory_role_label((hl_role)role), labels[role]);
}

static void test_role_parse_rejects_unknown(void **state)
{
    (void)state;
    hl_role parsed = HL_ROLE_AGENT;
    assert_int_equal(hl_directory_role_parse(hl_slice_of("operator"), &parsed), HL_EINVAL);
    assert_int_equal(hl_directory_role_parse(hl_slice_of(""), &parsed), HL_EINVAL);
    /* English labels that are not names are not accepted. */
    assert_int_equal(hl_directory_role_parse(hl_slice_of("administrator"), &parsed), HL_EINVAL);
    assert_int_equal(parsed, HL_ROLE_AGENT);
}

#define TEST(function) cmocka_unit_test_setup_teardown(function, reset_language, reset_language)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_code_accepts_letters_digits_and_punctuation),
        TEST(test_code_rejects_empty_and_too_long),
        TEST(test_code_rejects_other_characters),
        TEST(test_copy_code_trims_and_copies),
        TEST(test_copy_code_rejects_naming_field_and_leaves_empty),
        TEST(test_unit_accepts_complete_record),
        TEST(test_unit_accepts_empty_group),
        TEST(test_unit_rejects_missing_code),
        TEST(test_unit_rejects_malformed_code),
        TEST(test_unit_rejects_missing_name),
        TEST(test_unit_accepts_name_of_64_chinese_characters),
        TEST(test_unit_rejects_name_longer_than_64_characters),
        TEST(test_unit_rejects_name_that_is_not_utf8),
        TEST(test_unit_rejects_group_that_is_not_utf8),
        TEST(test_unit_rejects_itself_as_parent),
        TEST(test_category_accepts_complete_record),
        TEST(test_category_rejects_missing_code),
        TEST(test_category_rejects_missing_name),
        TEST(test_category_accepts_handle_days_from_0_to_60),
        TEST(test_category_rejects_handle_days_out_of_range),
        TEST(test_category_rejects_malformed_default_unit),
        TEST(test_user_accepts_every_role),
        TEST(test_user_rejects_malformed_username),
        TEST(test_user_rejects_unknown_role),
        TEST(test_handler_requires_unit),
        TEST(test_handler_rejects_malformed_unit),
        TEST(test_other_roles_refuse_unit),
        TEST(test_validation_message_follows_language),
        TEST(test_role_names_and_labels_round_trip),
        TEST(test_role_labels_in_english),
        TEST(test_role_parse_rejects_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
