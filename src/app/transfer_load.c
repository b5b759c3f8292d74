/* transfer_load.c: CSV loads of the directory (units, categories, users,
 * category attributes) and of the working-day calendar.
 *
 * Every load is all-or-nothing: rows are read through the CSV table of
 * base/csv.h and checked first, then written in one transaction, and a bad
 * row is reported with its line number. Existing records with the same
 * code are replaced. This file reads CSV; the rules it applies live in
 * domain/. */
#include "app/transfer.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/transfer_internal.h"
#include "base/array.h"
#include "base/csv.h"
#include "base/i18n.h"

static int parse_active(hl_slice text, bool *active, hl_error *error)
{
    if (text.len == 0 || hl_slice_equal(text, "1") || hl_slice_equal(text, "true") ||
        hl_slice_equal(text, "yes") || hl_slice_equal(text, "是")) {
        *active = true;
        return HL_OK;
    }
    if (hl_slice_equal(text, "0") || hl_slice_equal(text, "false") || hl_slice_equal(text, "no") ||
        hl_slice_equal(text, "否")) {
        *active = false;
        return HL_OK;
    }
    return hl_error_set(error, HL_EINVAL, "active",
                        HL_T("active 须为 1 或 0", "active must be 1 or 0"));
}

/* ---- directory loads ---- */

typedef int (*row_parser)(hl_app *app, const hl_csv_table *table, void *record, hl_error *error);
typedef int (*record_writer)(hl_app *app, const void *record, hl_error *error);
/* Checks references between records once all rows are read. */
typedef int (*record_checker)(hl_app *app, const void *records, size_t count, size_t index,
                              hl_error *error);

/* The shared shape of the three directory loads: read and check every row,
 * then write them all in one transaction. */
static int load_records(hl_app *app, const char *text, size_t length, const hl_csv_schema *schema,
                        size_t record_size, row_parser parse, record_checker check,
                        record_writer write, int *loaded, hl_error *error)
{
    hl_csv_table table;
    size_t count = 0, record_bytes = 0, line_capacity = 0;
    char *records = NULL;
    long *lines = NULL;
    int result = hl_csv_table_open(&table, text, length, schema, error);
    while (result == HL_OK) {
        int got = hl_csv_table_next(&table, error);
        if (got <= 0) {
            result = got;
            break;
        }
        HL_ARRAY_RESERVE(records, record_bytes, (count + 1) * record_size);
        HL_ARRAY_GROW(lines, count, line_capacity);
        memset(records + count * record_size, 0, record_size);
        result = parse(app, &table, records + count * record_size, error);
        if (result != HL_OK)
            result = hl_csv_at_line(error, hl_csv_table_line(&table));
        lines[count++] = hl_csv_table_line(&table);
    }
    for (size_t index = 0; result == HL_OK && index < count; index++)
        if ((result = check(app, records, count, index, error)) != HL_OK)
            result = hl_csv_at_line(error, lines[index]);
    int attempt = 0;
    bool checked = result == HL_OK;
    while (checked) {
        result = hl_app_begin(app, error);
        if (result == HL_OK) {
            for (size_t index = 0; result == HL_OK && index < count; index++)
                result = write(app, records + index * record_size, error);
            result = hl_app_finish(app, result, error);
        }
        if (!hl_app_again(app, &attempt, &result, error))
            break;
    }
    if (result == HL_OK && loaded != NULL)
        *loaded = (int)count;
    free(records);
    free(lines);
    hl_csv_table_close(&table);
    return result;
}

static int copy_name(char *destination, size_t capacity, hl_slice text, const char *field,
                     bool required, hl_error *error)
{
    if (required && text.len == 0)
        return hl_error_set(error, HL_EINVAL, field, HL_T("缺少必填项 %s", "%s is required"),
                            field);
    return hl_text_copy(destination, capacity, text, HL_NAME_CHARS, false, field, error);
}

int hl_transfer_copy_optional_code(char *destination, hl_slice text, const char *field,
                                   hl_error *error)
{
    destination[0] = '\0';
    return text.len == 0 ? HL_OK : hl_directory_copy_code(destination, text, field, error);
}

static const hl_csv_column unit_columns[] = {
    {"code", true}, {"name", true}, {"group", false}, {"parent", false}, {"active", false}};

static const hl_csv_schema unit_schema = {unit_columns, 5, NULL, false};

static int parse_unit(hl_app *app, const hl_csv_table *table, void *record, hl_error *error)
{
    (void)app;
    hl_unit *unit = record;
    int result = hl_directory_copy_code(unit->code, hl_csv_table_field(table, 0), "code", error);
    if (result == HL_OK)
        result = copy_name(unit->name, sizeof unit->name, hl_csv_table_field(table, 1), "name",
                           true, error);
    if (result == HL_OK)
        result = copy_name(unit->group, sizeof unit->group, hl_csv_table_field(table, 2), "group",
                           false, error);
    if (result == HL_OK)
        result = hl_transfer_copy_optional_code(unit->parent, hl_csv_table_field(table, 3),
                                                "parent", error);
    if (result == HL_OK)
        result = parse_active(hl_csv_table_field(table, 4), &unit->active, error);
    if (result == HL_OK)
        result = hl_directory_unit_validate(unit, error);
    return result;
}

static int unit_known(hl_app *app, const hl_unit *units, size_t count, const char *code)
{
    for (size_t index = 0; index < count; index++)
        if (strcmp(units[index].code, code) == 0)
            return HL_OK;
    hl_unit stored;
    hl_error ignored;
    return hl_store_unit_get(app->store, code, &stored, &ignored);
}

static int check_unit(hl_app *app, const void *records, size_t count, size_t index, hl_error *error)
{
    const hl_unit *units = records;
    const hl_unit *unit = &units[index];
    for (size_t other = 0; other < index; other++)
        if (strcmp(units[other].code, unit->code) == 0)
            return hl_error_set(error, HL_EINVAL, "code",
                                HL_T("单位 %s 重复", "unit %s appears twice"), unit->code);
    if (unit->parent[0] == '\0')
        return HL_OK;
    if (strcmp(unit->parent, unit->code) == 0 ||
        unit_known(app, units, count, unit->parent) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "parent",
                            HL_T("上级单位 %s 不存在", "no parent unit %s"), unit->parent);
    return HL_OK;
}

static int write_unit(hl_app *app, const void *record, hl_error *error)
{
    return hl_store_unit_put(app->store, record, error);
}

int hl_transfer_load_units(hl_app *app, const char *text, size_t length, int *loaded,
                           hl_error *error)
{
    return load_records(app, text, length, &unit_schema, sizeof(hl_unit), parse_unit, check_unit,
                        write_unit, loaded, error);
}

static const hl_csv_column category_columns[] = {{"code", true},         {"name", true},
                                                 {"parent", false},      {"default_unit", false},
                                                 {"handle_days", false}, {"active", false}};

static const hl_csv_schema category_schema = {category_columns, 6, NULL, false};

static int parse_category(hl_app *app, const hl_csv_table *table, void *record, hl_error *error)
{
    (void)app;
    hl_category *category = record;
    int result =
        hl_directory_copy_code(category->code, hl_csv_table_field(table, 0), "code", error);
    if (result == HL_OK)
        result = copy_name(category->name, sizeof category->name, hl_csv_table_field(table, 1),
                           "name", true, error);
    if (result == HL_OK)
        result = hl_transfer_copy_optional_code(category->parent, hl_csv_table_field(table, 2),
                                                "parent", error);
    if (result == HL_OK)
        result = hl_transfer_copy_optional_code(
            category->default_unit, hl_csv_table_field(table, 3), "default_unit", error);
    hl_slice days = hl_csv_table_field(table, 4);
    int64_t handle_days = 0;
    if (result == HL_OK && days.len > 0 && hl_text_parse_int(days, 0, 60, &handle_days) != HL_OK)
        result = hl_error_set(error, HL_EINVAL, "handle_days",
                              HL_T("handle_days 须为 0 到 60 的整数",
                                   "handle_days must be a whole number from 0 to 60"));
    category->handle_days = (int)handle_days;
    if (result == HL_OK)
        result = parse_active(hl_csv_table_field(table, 5), &category->active, error);
    if (result == HL_OK)
        result = hl_directory_category_validate(category, error);
    return result;
}

static int check_category(hl_app *app, const void *records, size_t count, size_t index,
                          hl_error *error)
{
    const hl_category *categories = records;
    const hl_category *category = &categories[index];
    for (size_t other = 0; other < index; other++)
        if (strcmp(categories[other].code, category->code) == 0)
            return hl_error_set(error, HL_EINVAL, "code",
                                HL_T("分类 %s 重复", "category %s appears twice"), category->code);
    if (category->default_unit[0] != '\0' &&
        unit_known(app, NULL, 0, category->default_unit) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "default_unit", HL_T("单位 %s 不存在", "no unit %s"),
                            category->default_unit);
    if (category->parent[0] == '\0')
        return HL_OK;
    bool found = false;
    for (size_t other = 0; other < count && !found; other++)
        found = other != index && strcmp(categories[other].code, category->parent) == 0;
    hl_category stored;
    hl_error ignored;
    if (!found && hl_store_category_get(app->store, category->parent, &stored, &ignored) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "parent",
                            HL_T("上级分类 %s 不存在", "no parent category %s"), category->parent);
    return HL_OK;
}

static int write_category(hl_app *app, const void *record, hl_error *error)
{
    return hl_store_category_put(app->store, record, error);
}

int hl_transfer_load_categories(hl_app *app, const char *text, size_t length, int *loaded,
                                hl_error *error)
{
    return load_records(app, text, length, &category_schema, sizeof(hl_category), parse_category,
                        check_category, write_category, loaded, error);
}

static const hl_csv_column user_columns[] = {{"username", true},
                                             {"display_name", false},
                                             {"role", true},
                                             {"unit", false},
                                             {"active", false}};

static const hl_csv_schema user_schema = {user_columns, 5, NULL, false};

static int parse_user(hl_app *app, const hl_csv_table *table, void *record, hl_error *error)
{
    (void)app;
    hl_user *user = record;
    int result =
        hl_directory_copy_code(user->username, hl_csv_table_field(table, 0), "username", error);
    if (result == HL_OK)
        result = copy_name(user->display_name, sizeof user->display_name,
                           hl_csv_table_field(table, 1), "display_name", false, error);
    if (result == HL_OK &&
        hl_directory_role_parse(hl_csv_table_field(table, 2), &user->role) != HL_OK)
        result = hl_error_set(error, HL_EINVAL, "role", HL_T("未知的角色", "unknown role"));
    if (result == HL_OK)
        result =
            hl_transfer_copy_optional_code(user->unit, hl_csv_table_field(table, 3), "unit", error);
    if (result == HL_OK)
        result = parse_active(hl_csv_table_field(table, 4), &user->active, error);
    if (result == HL_OK)
        result = hl_directory_user_validate(user, error);
    return result;
}

static int check_user(hl_app *app, const void *records, size_t count, size_t index, hl_error *error)
{
    (void)count;
    const hl_user *users = records;
    const hl_user *user = &users[index];
    for (size_t other = 0; other < index; other++)
        if (strcmp(users[other].username, user->username) == 0)
            return hl_error_set(error, HL_EINVAL, "username",
                                HL_T("用户 %s 重复", "user %s appears twice"), user->username);
    if (user->unit[0] != '\0' && unit_known(app, NULL, 0, user->unit) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "unit", HL_T("单位 %s 不存在", "no unit %s"),
                            user->unit);
    return HL_OK;
}

static int write_user(hl_app *app, const void *record, hl_error *error)
{
    return hl_store_user_put(app->store, record, error);
}

int hl_transfer_load_users(hl_app *app, const char *text, size_t length, int *loaded,
                           hl_error *error)
{
    return load_records(app, text, length, &user_schema, sizeof(hl_user), parse_user, check_user,
                        write_user, loaded, error);
}

/* ---- category attributes (Open311 service definitions) ---- */

static const hl_csv_column attribute_columns[] = {
    {"category", true},     {"code", true},
    {"order", false},       {"datatype", false},
    {"required", false},    {"variable", false},
    {"description", false}, {"datatype_description", false},
    {"values", false}};

enum { ATTRIBUTE_COLUMN_COUNT = 9 };

static const hl_csv_schema attribute_schema = {attribute_columns, ATTRIBUTE_COLUMN_COUNT, NULL,
                                               false};

/* One row: an attribute, or (code empty) a category that has none. */
typedef struct attribute_row {
    hl_attribute attribute;
    bool clears; /* the row only names its category */
    long line;
} attribute_row;

static int parse_flag(hl_slice text, bool fallback, const char *field, bool *out, hl_error *error)
{
    if (text.len == 0) {
        *out = fallback;
        return HL_OK;
    }
    bool value = false;
    hl_error ignored;
    if (parse_active(text, &value, &ignored) != HL_OK)
        return hl_error_set(error, HL_EINVAL, field, HL_T("%s 须为 1 或 0", "%s must be 1 or 0"),
                            field);
    *out = value;
    return HL_OK;
}

static int parse_attribute_row(hl_app *app, const hl_csv_table *table, attribute_row *row,
                               hl_error *error)
{
    hl_attribute *attribute = &row->attribute;
    int result = hl_directory_copy_code(attribute->category, hl_csv_table_field(table, 0),
                                        "category", error);
    if (result != HL_OK)
        return result;
    hl_category category;
    hl_error ignored;
    if (hl_store_category_get(app->store, attribute->category, &category, &ignored) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "category",
                            HL_T("诉求分类 %s 不存在", "no category %s"), attribute->category);
    if (hl_csv_table_field(table, 1).len == 0) {
        /* Only the category: it has no attributes. Anything else on the
         * row would be lost, so it must be empty. */
        for (size_t column_index = 2; column_index < ATTRIBUTE_COLUMN_COUNT; column_index++)
            if (hl_csv_table_field(table, column_index).len > 0)
                return hl_error_set(error, HL_EINVAL, "code",
                                    HL_T("缺少必填项 code", "code is required"));
        row->clears = true;
        return HL_OK;
    }
    result = hl_directory_copy_code(attribute->code, hl_csv_table_field(table, 1), "code", error);
    hl_slice order = hl_csv_table_field(table, 2);
    int64_t position = 0;
    if (result == HL_OK && order.len > 0 && hl_text_parse_int(order, 1, 1000, &position) != HL_OK)
        result = hl_error_set(
            error, HL_EINVAL, "order",
            HL_T("order 须为 1 到 1000 的整数", "order must be a whole number from 1 to 1000"));
    attribute->position = (int)position; /* 0 until numbered: its place in the file */
    if (result == HL_OK &&
        hl_attribute_type_parse(hl_csv_table_field(table, 3), &attribute->datatype) != HL_OK)
        result =
            hl_error_set(error, HL_EINVAL, "datatype",
                         HL_T("datatype 须为 string、number、datetime、text、singlevaluelist 或 "
                              "multivaluelist",
                              "datatype is string, number, datetime, text, singlevaluelist or "
                              "multivaluelist"));
    if (result == HL_OK)
        result = parse_flag(hl_csv_table_field(table, 4), false, "required", &attribute->required,
                            error);
    if (result == HL_OK)
        result =
            parse_flag(hl_csv_table_field(table, 5), true, "variable", &attribute->variable, error);
    if (result == HL_OK)
        result = hl_text_copy(attribute->description, sizeof attribute->description,
                              hl_csv_table_field(table, 6), HL_REASON_CHARS, false, "description",
                              error);
    if (result == HL_OK)
        result = hl_text_copy(attribute->datatype_description,
                              sizeof attribute->datatype_description, hl_csv_table_field(table, 7),
                              HL_REASON_CHARS, false, "datatype_description", error);
    hl_slice values = hl_csv_table_field(table, 8);
    if (result == HL_OK && values.len >= sizeof attribute->values)
        result = hl_error_set(error, HL_EINVAL, "values",
                              HL_T("values 超过 %zu 字节", "values are longer than %zu bytes"),
                              sizeof attribute->values - 1);
    if (result == HL_OK) {
        memcpy(attribute->values, values.ptr, values.len);
        attribute->values[values.len] = '\0';
    }
    return result;
}

/* Checks one row against the rows before it and numbers its position. */
static int check_attribute_row(attribute_row *rows, size_t index, hl_error *error)
{
    attribute_row *row = &rows[index];
    int in_category = 0;
    for (size_t other = 0; other < index; other++) {
        if (strcmp(rows[other].attribute.category, row->attribute.category) != 0)
            continue;
        if (rows[other].clears || row->clears)
            return hl_error_set(error, HL_EINVAL, "code",
                                HL_T("分类 %s 既列为无属性又列有属性",
                                     "category %s is listed without attributes and with some"),
                                row->attribute.category);
        if (strcmp(rows[other].attribute.code, row->attribute.code) == 0) {
            /* The two sentences name the category and the attribute in
             * opposite order. */
            if (hl_i18n_get() == HL_LANG_EN)
                return hl_error_set(error, HL_EINVAL, "code", "attribute %s of %s appears twice",
                                    row->attribute.code, row->attribute.category);
            return hl_error_set(error, HL_EINVAL, "code", "分类 %s 的属性 %s 重复",
                                row->attribute.category, row->attribute.code);
        }
        in_category++;
    }
    if (row->clears)
        return HL_OK;
    if (in_category >= HL_ATTRIBUTES_MAX)
        return hl_error_set(
            error, HL_EINVAL, "code",
            HL_T("分类 %s 的属性超过 %d 个", "category %s has more than %d attributes"),
            row->attribute.category, HL_ATTRIBUTES_MAX);
    if (row->attribute.position == 0)
        row->attribute.position = in_category + 1;
    return hl_attribute_validate(&row->attribute, error);
}

int hl_transfer_load_attributes(hl_app *app, const char *text, size_t length, int *loaded,
                                hl_error *error)
{
    hl_csv_table table;
    size_t count = 0, capacity = 0;
    attribute_row *rows = NULL;
    int result = hl_csv_table_open(&table, text, length, &attribute_schema, error);
    while (result == HL_OK) {
        int got = hl_csv_table_next(&table, error);
        if (got <= 0) {
            result = got;
            break;
        }
        HL_ARRAY_GROW(rows, count, capacity);
        attribute_row *row = &rows[count++];
        memset(row, 0, sizeof *row);
        row->line = hl_csv_table_line(&table);
        result = parse_attribute_row(app, &table, row, error);
        if (result == HL_OK)
            result = check_attribute_row(rows, count - 1, error);
        if (result != HL_OK)
            result = hl_csv_at_line(error, row->line);
    }
    /* Each category named in the file gets exactly the file's attributes:
     * its old ones are cleared first, in the same transaction. */
    int attempt = 0;
    bool checked = result == HL_OK;
    while (checked) {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            break;
        for (size_t index = 0; result == HL_OK && index < count; index++) {
            bool first = true;
            for (size_t other = 0; other < index && first; other++)
                first = strcmp(rows[other].attribute.category, rows[index].attribute.category) != 0;
            if (first)
                result =
                    hl_store_attribute_clear(app->store, rows[index].attribute.category, error);
            if (result == HL_OK && !rows[index].clears)
                result = hl_store_attribute_put(app->store, &rows[index].attribute, error);
        }
        result = hl_app_finish(app, result, error);
        if (!hl_app_again(app, &attempt, &result, error))
            break;
    }
    if (result == HL_OK && loaded != NULL)
        *loaded = (int)count;
    free(rows);
    hl_csv_table_close(&table);
    return result;
}

int hl_transfer_load_calendar(hl_app *app, const char *text, size_t length, int *loaded,
                              hl_error *error)
{
    size_t count = 0;
    int result = hl_app_load_calendar(app, text, length, &count, error);
    if (result == HL_OK && loaded != NULL)
        *loaded = (int)count;
    return result;
}
