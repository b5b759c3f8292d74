/* test_store_directory.c: the settings, the directory (units,
 * categories, users), the calendar and the categories' attributes in the
 * store, on each backend. Records are filled by hand; the workflow is not involved. */
#include "store_fixture.h"

typedef struct code_list {
    char codes[8][2 * HL_CODE_BYTES];
    int count;
} code_list;

static int collect_unit(void *context, const hl_unit *unit)
{
    code_list *list = context;
    snprintf(list->codes[list->count++], HL_CODE_BYTES, "%s", unit->code);
    return 0;
}

static int collect_category(void *context, const hl_category *category)
{
    code_list *list = context;
    snprintf(list->codes[list->count++], HL_CODE_BYTES, "%s", category->code);
    return 0;
}

static int collect_user(void *context, const hl_user *user)
{
    code_list *list = context;
    snprintf(list->codes[list->count++], HL_CODE_BYTES, "%s", user->username);
    return 0;
}

static void test_unit_upsert_get_each(void **state)
{
    fixture *context = *state;
    hl_unit unit = {.active = true};
    snprintf(unit.code, sizeof unit.code, "water");
    snprintf(unit.name, sizeof unit.name, "市水务集团");
    snprintf(unit.group, sizeof unit.group, "市直单位");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_unit_put(context->store, &unit, &error), HL_OK);
    snprintf(unit.name, sizeof unit.name, "市水务集团有限公司");
    snprintf(unit.parent, sizeof unit.parent, "city");
    unit.active = false;
    assert_int_equal(hl_store_unit_put(context->store, &unit, &error), HL_OK);
    snprintf(unit.code, sizeof unit.code, "city");
    unit.parent[0] = '\0';
    assert_int_equal(hl_store_unit_put(context->store, &unit, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_unit read;
    assert_int_equal(hl_store_unit_get(context->store, "water", &read, &error), HL_OK);
    assert_string_equal(read.name, "市水务集团有限公司");
    assert_string_equal(read.group, "市直单位");
    assert_string_equal(read.parent, "city");
    assert_false(read.active);
    assert_int_equal(hl_store_unit_get(context->store, "gas", &read, &error), HL_ENOTFOUND);
    code_list list = {.count = 0};
    assert_int_equal(hl_store_unit_each(context->store, collect_unit, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "city");
    assert_string_equal(list.codes[1], "water");
}

static void test_category_upsert_get_each(void **state)
{
    fixture *context = *state;
    hl_category category = {.handle_days = 3, .active = true};
    snprintf(category.code, sizeof category.code, "noise");
    snprintf(category.name, sizeof category.name, "噪音扰民");
    snprintf(category.default_unit, sizeof category.default_unit, "env");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    category.handle_days = 7;
    snprintf(category.parent, sizeof category.parent, "env-all");
    assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    snprintf(category.code, sizeof category.code, "env-all");
    assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_category read;
    assert_int_equal(hl_store_category_get(context->store, "noise", &read, &error), HL_OK);
    assert_string_equal(read.name, "噪音扰民");
    assert_string_equal(read.parent, "env-all");
    assert_string_equal(read.default_unit, "env");
    assert_int_equal(read.handle_days, 7);
    assert_true(read.active);
    assert_int_equal(hl_store_category_get(context->store, "road", &read, &error), HL_ENOTFOUND);
    code_list list = {.count = 0};
    assert_int_equal(hl_store_category_each(context->store, collect_category, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "env-all");
    assert_string_equal(list.codes[1], "noise");
}

static void test_user_upsert_get_each(void **state)
{
    fixture *context = *state;
    hl_user user = {.role = HL_ROLE_AGENT, .active = true};
    snprintf(user.username, sizeof user.username, "zhang");
    snprintf(user.display_name, sizeof user.display_name, "张三");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_OK);
    user.role = HL_ROLE_HANDLER;
    snprintf(user.unit, sizeof user.unit, "water");
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_OK);
    snprintf(user.username, sizeof user.username, "admin");
    user.role = HL_ROLE_SECADMIN;
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_OK);
    user.role = (hl_role)HL_ROLE_COUNT;
    assert_int_equal(hl_store_user_put(context->store, &user, &error), HL_EINVAL);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_user read;
    assert_int_equal(hl_store_user_get(context->store, "zhang", &read, &error), HL_OK);
    assert_string_equal(read.display_name, "张三");
    assert_int_equal(read.role, HL_ROLE_HANDLER);
    assert_string_equal(read.unit, "water");
    assert_true(read.active);
    assert_int_equal(hl_store_user_get(context->store, "li", &read, &error), HL_ENOTFOUND);
    code_list list = {.count = 0};
    assert_int_equal(hl_store_user_each(context->store, collect_user, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "admin");
    assert_string_equal(list.codes[1], "zhang");
}

typedef struct config_list {
    int count;
    char first_key[32];
} config_list;

static int collect_config(void *context, const char *key, const char *value)
{
    (void)value;
    config_list *list = context;
    if (list->count++ == 0)
        snprintf(list->first_key, sizeof list->first_key, "%s", key);
    return 0;
}

static void test_config_set_get_each(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "sign_days", "1", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "sign_days", "2", &error), HL_OK);
    assert_int_equal(hl_store_config_set(context->store, "centre_name", "某市12345热线", &error),
                     HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    char value[64];
    assert_int_equal(hl_store_config_get(context->store, "sign_days", value, sizeof value, &error),
                     HL_OK);
    assert_string_equal(value, "2");
    assert_int_equal(
        hl_store_config_get(context->store, "centre_name", value, sizeof value, &error), HL_OK);
    assert_string_equal(value, "某市12345热线");
    char small[4];
    assert_int_equal(
        hl_store_config_get(context->store, "centre_name", small, sizeof small, &error), HL_EINVAL);
    assert_int_equal(hl_store_config_get(context->store, "absent", value, sizeof value, &error),
                     HL_ENOTFOUND);
    config_list list = {0, ""};
    assert_int_equal(hl_store_config_each(context->store, collect_config, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.first_key, "centre_name");
}

static void test_calendar_put_and_load(void **state)
{
    fixture *context = *state;
    hl_calendar_entry spring = {.day = hl_clock_day_from_civil(2024, 2, 12), .kind = HL_DAY_OFF};
    snprintf(spring.festival, sizeof spring.festival, "春节");
    hl_calendar_entry makeup = {.day = hl_clock_day_from_civil(2024, 2, 18), .kind = HL_DAY_WORK};
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_calendar_put(context->store, &makeup, &error), HL_OK);
    spring.kind = HL_DAY_WORK;
    assert_int_equal(hl_store_calendar_put(context->store, &spring, &error), HL_OK);
    spring.kind = HL_DAY_OFF; /* the second put replaces the first */
    assert_int_equal(hl_store_calendar_put(context->store, &spring, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_calendar calendar;
    hl_calendar_init(&calendar);
    assert_int_equal(hl_store_calendar_load(context->store, &calendar, &error), HL_OK);
    assert_int_equal(calendar.count, 2);
    assert_int_equal(calendar.entries[0].day, spring.day);
    assert_int_equal(calendar.entries[0].kind, HL_DAY_OFF);
    assert_string_equal(calendar.entries[0].festival, "春节");
    assert_int_equal(calendar.entries[1].day, makeup.day);
    assert_int_equal(calendar.entries[1].kind, HL_DAY_WORK);
    assert_string_equal(calendar.entries[1].festival, "");
    assert_false(hl_calendar_is_working_day(&calendar, spring.day));
    assert_true(hl_calendar_is_working_day(&calendar, makeup.day));
    hl_calendar_free(&calendar);
}

static hl_attribute *make_attribute(const char *category, const char *code, int position)
{
    static hl_attribute attribute;
    memset(&attribute, 0, sizeof attribute);
    snprintf(attribute.category, sizeof attribute.category, "%s", category);
    snprintf(attribute.code, sizeof attribute.code, "%s", code);
    attribute.position = position;
    attribute.datatype = HL_ATTRIBUTE_SINGLEVALUELIST;
    attribute.required = true;
    attribute.variable = true;
    snprintf(attribute.description, sizeof attribute.description, "问题 %s", code);
    snprintf(attribute.datatype_description, sizeof attribute.datatype_description, "选一项");
    snprintf(attribute.values, sizeof attribute.values, "a=甲|b=乙");
    return &attribute;
}

typedef struct attribute_list {
    char codes[8][2 * HL_CODE_BYTES];
    int count;
    hl_attribute last;
} attribute_list;

static int collect_attribute(void *context, const hl_attribute *attribute)
{
    attribute_list *list = context;
    snprintf(list->codes[list->count++], sizeof list->codes[0], "%s/%s", attribute->category,
             attribute->code);
    list->last = *attribute;
    return 0;
}

static void test_attributes_put_each_in_order_and_clear(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, make_attribute("road", "Z", 1), &error),
                     HL_OK);
    assert_int_equal(hl_store_attribute_put(context->store, make_attribute("road", "A", 2), &error),
                     HL_OK);
    assert_int_equal(
        hl_store_attribute_put(context->store, make_attribute("noise", "B", 1), &error), HL_OK);
    hl_attribute *replaced = make_attribute("road", "Z", 3); /* same key: replaces */
    replaced->datatype = HL_ATTRIBUTE_TEXT;
    replaced->values[0] = '\0';
    replaced->required = false;
    assert_int_equal(hl_store_attribute_put(context->store, replaced, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    attribute_list list = {.count = 0};
    assert_int_equal(
        hl_store_attribute_each(context->store, "road", collect_attribute, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.codes[0], "road/A");
    assert_string_equal(list.codes[1], "road/Z");
    assert_int_equal(list.last.datatype, HL_ATTRIBUTE_TEXT);
    assert_false(list.last.required);
    assert_true(list.last.variable);
    assert_int_equal(list.last.position, 3);
    assert_string_equal(list.last.description, "问题 Z");
    assert_string_equal(list.last.datatype_description, "选一项");

    list.count = 0;
    assert_int_equal(
        hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_OK);
    assert_int_equal(list.count, 3);
    assert_string_equal(list.codes[0], "noise/B");
    assert_string_equal(list.last.values, "");

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_attribute_clear(context->store, "road", &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    list.count = 0;
    assert_int_equal(
        hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(raw_exec(context->path, "UPDATE category_attributes SET datatype = 'colour'"),
                     SQLITE_OK);
    assert_int_equal(
        hl_store_attribute_each(context->store, NULL, collect_attribute, &list, &error), HL_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_unit_upsert_get_each),
        STORE_TEST(test_category_upsert_get_each),
        STORE_TEST(test_user_upsert_get_each),
        STORE_TEST(test_config_set_get_each),
        STORE_TEST(test_calendar_put_and_load),
        STORE_TEST(test_attributes_put_each_in_order_and_clear),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
