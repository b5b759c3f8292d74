/* Tests of src/app/admin.c on a real SQLite file: units and categories
 * created and replaced, refused as `hotline load` refuses a CSV row (the
 * field named, the store unchanged), the calendar's days set and listed,
 * and the settings generation that makes another connection (another
 * server thread) count with a new holiday or limit at its next refresh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/admin.h"
#include "app/app_internal.h"
#include "base/i18n.h"
#include "test_support.h"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
} fixture;

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n"
                                "u2,市城管局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u2,,1\n";

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, NULL);
    hl_error error;
    assert_int_equal(hl_app_init(fix->app, &error), HL_OK);
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

static void test_put_unit_creates_then_replaces(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_unit unit;
    bool created = false;
    hl_admin_unit_fields fields = {"u3", " 市水务局 ", "市直单位", "u1", true};
    assert_int_equal(hl_admin_put_unit(fix->app, &fields, &unit, &created, &error), HL_OK);
    assert_true(created);
    assert_string_equal(unit.name, "市水务局"); /* trimmed, as a CSV cell */
    assert_string_equal(unit.parent, "u1");
    fields.name = "市水务局（新）";
    fields.parent = NULL;
    fields.active = false;
    assert_int_equal(hl_admin_put_unit(fix->app, &fields, &unit, &created, &error), HL_OK);
    assert_false(created);
    hl_unit stored;
    assert_int_equal(hl_app_get_unit(fix->app, "u3", &stored, &error), HL_OK);
    assert_string_equal(stored.name, "市水务局（新）");
    assert_string_equal(stored.parent, "");
    assert_false(stored.active);
}

static void test_put_unit_refuses_as_a_csv_row(void **state)
{
    fixture *fix = *state;
    struct {
        hl_admin_unit_fields fields;
        const char *field;
    } cases[] = {
        {{"bad code", "x", NULL, NULL, true}, "code"},
        {{"", "x", NULL, NULL, true}, "code"},
        {{"u9", "", NULL, NULL, true}, "name"},
        {{"u9", NULL, NULL, NULL, true}, "name"},
        {{"u9", "x\ny", NULL, NULL, true}, "name"},
        {{"u9", "x", "group\x01", NULL, true}, "group"},
        {{"u9", "x", NULL, "nowhere", true}, "parent"},
        {{"u9", "x", NULL, "u9", true}, "parent"},
        {{"u9", "x", NULL, "'; DROP TABLE units; --", true}, "parent"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        hl_error error;
        hl_unit unit;
        bool created = true;
        hl_error_clear(&error);
        assert_int_equal(hl_admin_put_unit(fix->app, &cases[index].fields, &unit, &created, &error),
                         HL_EINVAL);
        assert_string_equal(error.field, cases[index].field);
        assert_false(created);
    }
    hl_error error;
    hl_unit unit;
    assert_int_equal(hl_app_get_unit(fix->app, "u9", &unit, &error), HL_ENOTFOUND);
}

static void test_put_category_checks_its_references(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_category category;
    bool created = false;
    hl_admin_category_fields fields = {"noise", "噪音", "city", "u1", 10, true};
    assert_int_equal(hl_admin_put_category(fix->app, &fields, &category, &created, &error), HL_OK);
    assert_true(created);
    assert_int_equal(category.handle_days, 10);
    fields.handle_days = 0;
    assert_int_equal(hl_admin_put_category(fix->app, &fields, &category, &created, &error), HL_OK);
    assert_false(created);
    struct {
        hl_admin_category_fields fields;
        const char *field;
    } cases[] = {
        {{"c9", "x", "nowhere", NULL, 0, true}, "parent"},
        {{"c9", "x", NULL, "nowhere", 0, true}, "default_unit"},
        {{"c9", "x", NULL, NULL, 61, true}, "handle_days"},
        {{"c9", "x", NULL, NULL, -1, true}, "handle_days"},
        {{"c9", "x", NULL, NULL, 1LL << 40, true}, "handle_days"},
        {{"c9", "x", "c9", NULL, 0, true}, "parent"},
        {{"c 9", "x", NULL, NULL, 0, true}, "code"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        hl_error_clear(&error);
        assert_int_equal(
            hl_admin_put_category(fix->app, &cases[index].fields, &category, &created, &error),
            HL_EINVAL);
        assert_string_equal(error.field, cases[index].field);
    }
    assert_int_equal(hl_store_category_get(fix->app->store, "c9", &category, &error), HL_ENOTFOUND);
}

typedef struct day_list {
    hl_calendar_entry days[64];
    int count;
} day_list;

static int collect_day(void *context, const hl_calendar_entry *entry)
{
    day_list *list = context;
    if (list->count < 64)
        list->days[list->count] = *entry;
    list->count++;
    return 0;
}

static void test_calendar_day_set_and_listed(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_calendar_entry entry;
    bool created = false;
    assert_int_equal(hl_admin_put_calendar_day(fix->app, "2025-03-04", "holiday", "测试假日",
                                               &entry, &created, &error),
                     HL_OK);
    assert_true(created);
    assert_int_equal(entry.kind, HL_DAY_OFF);
    assert_false(hl_calendar_is_working_day(&fix->app->calendar, entry.day));
    assert_int_equal(hl_admin_put_calendar_day(fix->app, "2025-03-04", "workday", NULL, &entry,
                                               &created, &error),
                     HL_OK);
    assert_false(created);
    day_list list = {.count = 0};
    assert_int_equal(hl_admin_each_calendar_day(fix->app, 2025, collect_day, &list, &error), HL_OK);
    bool found = false;
    for (int index = 0; index < list.count; index++) {
        char date[32];
        hl_clock_format_day(list.days[index].day, date, sizeof date);
        assert_true(strncmp(date, "2025-", 5) == 0);
        if (strcmp(date, "2025-03-04") == 0)
            found = list.days[index].kind == HL_DAY_WORK && list.days[index].festival[0] == '\0';
    }
    assert_true(found);
    assert_true(list.count > 1); /* the built-in calendar's 2025 too */
    assert_int_equal(hl_admin_put_calendar_day(fix->app, "2025-02-30", "holiday", NULL, &entry,
                                               &created, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "date");
    assert_int_equal(
        hl_admin_put_calendar_day(fix->app, "2025-03-05", "off", NULL, &entry, &created, &error),
        HL_EINVAL);
    assert_string_equal(error.field, "kind");
    assert_int_equal(hl_admin_put_calendar_day(fix->app, "2025-03-05", "holiday",
                                               "一个长得超出了六十三个字节限制的节日名称啊啊啊啊",
                                               &entry, &created, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "name");
}

/* Two connections to one store, as two server threads: a change made
 * through one reaches the other at its next refresh, and not before. */
static void test_another_connection_refreshes_the_calendar_and_limits(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_app *other = NULL;
    assert_int_equal(test_app_open(fix->directory, fix->path, &other, &error), HL_OK);
    int32_t day = hl_clock_day_from_civil(2025, 3, 4);
    assert_true(hl_calendar_is_working_day(&other->calendar, day));
    hl_calendar_entry entry;
    bool created = false;
    assert_int_equal(
        hl_admin_put_calendar_day(fix->app, "2025-03-04", "holiday", "", &entry, &created, &error),
        HL_OK);
    assert_int_equal(hl_app_set_limit(fix->app, "due_soon_days", "4", &error), HL_OK);
    assert_true(hl_calendar_is_working_day(&other->calendar, day));
    assert_int_equal(other->limits.due_soon_days, 1);
    assert_int_equal(hl_app_refresh(other, &error), HL_OK);
    assert_false(hl_calendar_is_working_day(&other->calendar, day));
    assert_int_equal(other->limits.due_soon_days, 4);
    /* Nothing changed since: a refresh keeps what it has. */
    int64_t generation = other->settings_generation;
    assert_int_equal(hl_app_refresh(other, &error), HL_OK);
    assert_int_equal(other->settings_generation, generation);
    hl_app_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_unit_creates_then_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_unit_refuses_as_a_csv_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_category_checks_its_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_day_set_and_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_another_connection_refreshes_the_calendar_and_limits,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
