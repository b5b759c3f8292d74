/* transfer.c: CSV loads of the directory and the calendar, and the import
 * and export of work orders.
 *
 * Every load is all-or-nothing: rows are checked first (or inside one
 * transaction that is rolled back), and a bad row is reported with its line
 * number. Imported orders are registrations: they enter the lifecycle at
 * 待派单 through the same workflow step as an order typed by an agent. This
 * module reads and writes CSV; the rules it applies live in domain/. */
#include "app/transfer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/audit.h"
#include "base/csv.h"
#include "base/i18n.h"

static bool english(void)
{
    return hl_i18n_get() == HL_LANG_EN;
}

/* ---- header mapping shared by every CSV ---- */

typedef struct column {
    const char *name;
    bool required;
} column;

#define MAX_COLUMNS 32

typedef struct header_map {
    int index[MAX_COLUMNS]; /* field position of each known column, or -1 */
    size_t field_count;     /* fields every row must have */
} header_map;

/* Prefixes an error with its line number, keeping the field. */
static int at_line(hl_error *error, long line)
{
    char message[HL_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s", error->message);
    if (english())
        snprintf(error->message, sizeof error->message, "line %ld: %.440s", line, message);
    else
        snprintf(error->message, sizeof error->message, "第 %ld 行: %.440s", line, message);
    return error->code;
}

/* Reads the header and maps the columns. Unknown columns are refused unless
 * they are listed in `ignored` (columns that export writes but import does
 * not take). */
static int read_header(hl_csv_reader *reader, const column *columns, size_t count,
                       const char *const *ignored, header_map *map, hl_error *error)
{
    int result = hl_csv_reader_next(reader, error);
    if (result < 0)
        return result;
    if (result == 0)
        return english() ? hl_error_set(error, HL_EINVAL, "file", "the file is empty")
                         : hl_error_set(error, HL_EINVAL, "file", "文件为空");
    for (size_t known = 0; known < count; known++)
        map->index[known] = -1;
    map->field_count = reader->field_count;
    for (size_t field = 0; field < reader->field_count; field++) {
        hl_slice name = hl_slice_trim(reader->fields[field]);
        bool matched = false;
        for (size_t known = 0; known < count && !matched; known++) {
            if (hl_slice_equal(name, columns[known].name)) {
                if (map->index[known] >= 0)
                    return english() ? hl_error_set(error, HL_EINVAL, columns[known].name,
                                                    "line 1: column %s appears twice", columns[known].name)
                                     : hl_error_set(error, HL_EINVAL, columns[known].name,
                                                    "第 1 行: 列 %s 重复", columns[known].name);
                map->index[known] = (int)field;
                matched = true;
            }
        }
        for (size_t skip = 0; ignored != NULL && ignored[skip] != NULL && !matched; skip++)
            matched = hl_slice_equal(name, ignored[skip]);
        if (!matched)
            return english() ? hl_error_set(error, HL_EINVAL, "header", "line 1: unknown column \"%.*s\"",
                                            (int)(name.len > 64 ? 64 : name.len), name.ptr)
                             : hl_error_set(error, HL_EINVAL, "header", "第 1 行: 未知的列「%.*s」",
                                            (int)(name.len > 64 ? 64 : name.len), name.ptr);
    }
    for (size_t known = 0; known < count; known++)
        if (columns[known].required && map->index[known] < 0)
            return english() ? hl_error_set(error, HL_EINVAL, columns[known].name,
                                            "line 1: column %s is missing", columns[known].name)
                             : hl_error_set(error, HL_EINVAL, columns[known].name,
                                            "第 1 行: 缺少列 %s", columns[known].name);
    return HL_OK;
}

/* Reads the next data row: 1 with a row, 0 at the end, negative on error. */
static int next_row(hl_csv_reader *reader, const header_map *map, hl_error *error)
{
    int result = hl_csv_reader_next(reader, error);
    if (result <= 0)
        return result;
    if (reader->field_count != map->field_count)
        return english() ? hl_error_set(error, HL_EINVAL, "row", "line %ld: %zu fields, the header has %zu",
                                        reader->line, reader->field_count, map->field_count)
                         : hl_error_set(error, HL_EINVAL, "row", "第 %ld 行: 有 %zu 个字段，表头有 %zu 个",
                                        reader->line, reader->field_count, map->field_count);
    return 1;
}

static hl_slice field_of(const hl_csv_reader *reader, const header_map *map, size_t column_index)
{
    int position = map->index[column_index];
    if (position < 0)
        return hl_slice_of("");
    return hl_slice_trim(reader->fields[position]);
}

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
    return english() ? hl_error_set(error, HL_EINVAL, "active", "active must be 1 or 0")
                     : hl_error_set(error, HL_EINVAL, "active", "active 须为 1 或 0");
}

/* ---- directory loads ---- */

typedef int (*row_parser)(hl_app *app, const hl_csv_reader *reader, const header_map *map,
                          void *record, hl_error *error);
typedef int (*record_writer)(hl_app *app, const void *record, hl_error *error);
/* Checks references between records once all rows are read. */
typedef int (*record_checker)(hl_app *app, const void *records, size_t count, size_t index,
                              hl_error *error);

/* The shared shape of the three directory loads: read and check every row,
 * then write them all in one transaction. */
static int load_records(hl_app *app, const char *text, size_t length, const column *columns,
                        size_t column_count, size_t record_size, row_parser parse,
                        record_checker check, record_writer write, int *loaded, hl_error *error)
{
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, text, length);
    header_map map;
    size_t count = 0, capacity = 16;
    char *records = hl_xmalloc(capacity * record_size);
    long *lines = hl_xmalloc(capacity * sizeof *lines);
    int result = read_header(&reader, columns, column_count, NULL, &map, error);
    while (result == HL_OK) {
        int got = next_row(&reader, &map, error);
        if (got <= 0) {
            result = got;
            break;
        }
        if (count == capacity) {
            capacity *= 2;
            records = hl_xrealloc(records, capacity * record_size);
            lines = hl_xrealloc(lines, capacity * sizeof *lines);
        }
        memset(records + count * record_size, 0, record_size);
        result = parse(app, &reader, &map, records + count * record_size, error);
        if (result != HL_OK)
            result = at_line(error, reader.line);
        lines[count++] = reader.line;
    }
    for (size_t index = 0; result == HL_OK && index < count; index++)
        if ((result = check(app, records, count, index, error)) != HL_OK)
            result = at_line(error, lines[index]);
    if (result == HL_OK)
        result = hl_store_begin(app->store, error);
    if (result == HL_OK) {
        for (size_t index = 0; result == HL_OK && index < count; index++)
            result = write(app, records + index * record_size, error);
        if (result == HL_OK)
            result = hl_store_commit(app->store, error);
        if (result != HL_OK)
            hl_store_rollback(app->store);
    }
    if (result == HL_OK && loaded != NULL)
        *loaded = (int)count;
    free(records);
    free(lines);
    hl_csv_reader_free(&reader);
    return result;
}

static int copy_name(char *destination, size_t capacity, hl_slice text, const char *field,
                     bool required, hl_error *error)
{
    if (required && text.len == 0)
        return english() ? hl_error_set(error, HL_EINVAL, field, "%s is required", field)
                         : hl_error_set(error, HL_EINVAL, field, "缺少必填项 %s", field);
    return hl_text_copy(destination, capacity, text, HL_NAME_CHARS, false, field, error);
}

static int copy_optional_code(char *destination, hl_slice text, const char *field, hl_error *error)
{
    destination[0] = '\0';
    return text.len == 0 ? HL_OK : hl_directory_copy_code(destination, text, field, error);
}

static const column unit_columns[] = {
    {"code", true}, {"name", true}, {"group", false}, {"parent", false}, {"active", false}};

static int parse_unit(hl_app *app, const hl_csv_reader *reader, const header_map *map, void *record,
                      hl_error *error)
{
    (void)app;
    hl_unit *unit = record;
    int result = hl_directory_copy_code(unit->code, field_of(reader, map, 0), "code", error);
    if (result == HL_OK)
        result = copy_name(unit->name, sizeof unit->name, field_of(reader, map, 1), "name", true, error);
    if (result == HL_OK)
        result = copy_name(unit->group, sizeof unit->group, field_of(reader, map, 2), "group", false, error);
    if (result == HL_OK)
        result = copy_optional_code(unit->parent, field_of(reader, map, 3), "parent", error);
    if (result == HL_OK)
        result = parse_active(field_of(reader, map, 4), &unit->active, error);
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
            return english() ? hl_error_set(error, HL_EINVAL, "code", "unit %s appears twice", unit->code)
                             : hl_error_set(error, HL_EINVAL, "code", "单位 %s 重复", unit->code);
    if (unit->parent[0] == '\0')
        return HL_OK;
    if (strcmp(unit->parent, unit->code) == 0 || unit_known(app, units, count, unit->parent) != HL_OK)
        return english() ? hl_error_set(error, HL_EINVAL, "parent", "no parent unit %s", unit->parent)
                         : hl_error_set(error, HL_EINVAL, "parent", "上级单位 %s 不存在", unit->parent);
    return HL_OK;
}

static int write_unit(hl_app *app, const void *record, hl_error *error)
{
    return hl_store_unit_put(app->store, record, error);
}

int hl_transfer_load_units(hl_app *app, const char *text, size_t length, int *loaded, hl_error *error)
{
    return load_records(app, text, length, unit_columns, 5, sizeof(hl_unit), parse_unit, check_unit,
                        write_unit, loaded, error);
}

static const column category_columns[] = {{"code", true},          {"name", true},
                                          {"parent", false},       {"default_unit", false},
                                          {"handle_days", false},  {"active", false}};

static int parse_category(hl_app *app, const hl_csv_reader *reader, const header_map *map,
                          void *record, hl_error *error)
{
    (void)app;
    hl_category *category = record;
    int result = hl_directory_copy_code(category->code, field_of(reader, map, 0), "code", error);
    if (result == HL_OK)
        result = copy_name(category->name, sizeof category->name, field_of(reader, map, 1), "name",
                           true, error);
    if (result == HL_OK)
        result = copy_optional_code(category->parent, field_of(reader, map, 2), "parent", error);
    if (result == HL_OK)
        result = copy_optional_code(category->default_unit, field_of(reader, map, 3), "default_unit", error);
    hl_slice days = field_of(reader, map, 4);
    int64_t handle_days = 0;
    if (result == HL_OK && days.len > 0 && hl_text_parse_int(days, 0, 60, &handle_days) != HL_OK)
        result = english() ? hl_error_set(error, HL_EINVAL, "handle_days",
                                          "handle_days must be a whole number from 0 to 60")
                           : hl_error_set(error, HL_EINVAL, "handle_days", "handle_days 须为 0 到 60 的整数");
    category->handle_days = (int)handle_days;
    if (result == HL_OK)
        result = parse_active(field_of(reader, map, 5), &category->active, error);
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
            return english() ? hl_error_set(error, HL_EINVAL, "code", "category %s appears twice",
                                            category->code)
                             : hl_error_set(error, HL_EINVAL, "code", "分类 %s 重复", category->code);
    if (category->default_unit[0] != '\0' &&
        unit_known(app, NULL, 0, category->default_unit) != HL_OK)
        return english() ? hl_error_set(error, HL_EINVAL, "default_unit", "no unit %s",
                                        category->default_unit)
                         : hl_error_set(error, HL_EINVAL, "default_unit", "单位 %s 不存在",
                                        category->default_unit);
    if (category->parent[0] == '\0')
        return HL_OK;
    bool found = false;
    for (size_t other = 0; other < count && !found; other++)
        found = other != index && strcmp(categories[other].code, category->parent) == 0;
    hl_category stored;
    hl_error ignored;
    if (!found && hl_store_category_get(app->store, category->parent, &stored, &ignored) != HL_OK)
        return english() ? hl_error_set(error, HL_EINVAL, "parent", "no parent category %s",
                                        category->parent)
                         : hl_error_set(error, HL_EINVAL, "parent", "上级分类 %s 不存在",
                                        category->parent);
    return HL_OK;
}

static int write_category(hl_app *app, const void *record, hl_error *error)
{
    return hl_store_category_put(app->store, record, error);
}

int hl_transfer_load_categories(hl_app *app, const char *text, size_t length, int *loaded,
                                hl_error *error)
{
    return load_records(app, text, length, category_columns, 6, sizeof(hl_category), parse_category,
                        check_category, write_category, loaded, error);
}

static const column user_columns[] = {
    {"username", true}, {"display_name", false}, {"role", true}, {"unit", false}, {"active", false}};

static int parse_user(hl_app *app, const hl_csv_reader *reader, const header_map *map, void *record,
                      hl_error *error)
{
    (void)app;
    hl_user *user = record;
    int result = hl_directory_copy_code(user->username, field_of(reader, map, 0), "username", error);
    if (result == HL_OK)
        result = copy_name(user->display_name, sizeof user->display_name, field_of(reader, map, 1),
                           "display_name", false, error);
    if (result == HL_OK && hl_directory_role_parse(field_of(reader, map, 2), &user->role) != HL_OK)
        result = english() ? hl_error_set(error, HL_EINVAL, "role", "unknown role")
                           : hl_error_set(error, HL_EINVAL, "role", "未知的角色");
    if (result == HL_OK)
        result = copy_optional_code(user->unit, field_of(reader, map, 3), "unit", error);
    if (result == HL_OK)
        result = parse_active(field_of(reader, map, 4), &user->active, error);
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
            return english() ? hl_error_set(error, HL_EINVAL, "username", "user %s appears twice",
                                            user->username)
                             : hl_error_set(error, HL_EINVAL, "username", "用户 %s 重复", user->username);
    if (user->unit[0] != '\0' && unit_known(app, NULL, 0, user->unit) != HL_OK)
        return english() ? hl_error_set(error, HL_EINVAL, "unit", "no unit %s", user->unit)
                         : hl_error_set(error, HL_EINVAL, "unit", "单位 %s 不存在", user->unit);
    return HL_OK;
}

static int write_user(hl_app *app, const void *record, hl_error *error)
{
    return hl_store_user_put(app->store, record, error);
}

int hl_transfer_load_users(hl_app *app, const char *text, size_t length, int *loaded, hl_error *error)
{
    return load_records(app, text, length, user_columns, 5, sizeof(hl_user), parse_user, check_user,
                        write_user, loaded, error);
}

/* ---- category attributes (Open311 service definitions) ---- */

static const column attribute_columns[] = {
    {"category", true},     {"code", true},        {"order", false},
    {"datatype", false},    {"required", false},   {"variable", false},
    {"description", false}, {"datatype_description", false}, {"values", false}};

enum { ATTRIBUTE_COLUMN_COUNT = 9 };

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
        return english() ? hl_error_set(error, HL_EINVAL, field, "%s must be 1 or 0", field)
                         : hl_error_set(error, HL_EINVAL, field, "%s 须为 1 或 0", field);
    *out = value;
    return HL_OK;
}

static int parse_attribute_row(hl_app *app, const hl_csv_reader *reader, const header_map *map, attribute_row *row,
                               hl_error *error)
{
    hl_attribute *attribute = &row->attribute;
    int result = hl_directory_copy_code(attribute->category, field_of(reader, map, 0), "category", error);
    if (result != HL_OK)
        return result;
    hl_category category;
    hl_error ignored;
    if (hl_store_category_get(app->store, attribute->category, &category, &ignored) != HL_OK)
        return english() ? hl_error_set(error, HL_EINVAL, "category", "no category %s", attribute->category)
                         : hl_error_set(error, HL_EINVAL, "category", "诉求分类 %s 不存在", attribute->category);
    if (field_of(reader, map, 1).len == 0) {
        /* Only the category: it has no attributes. Anything else on the
         * row would be lost, so it must be empty. */
        for (size_t column_index = 2; column_index < ATTRIBUTE_COLUMN_COUNT; column_index++)
            if (field_of(reader, map, column_index).len > 0)
                return english() ? hl_error_set(error, HL_EINVAL, "code", "code is required")
                                 : hl_error_set(error, HL_EINVAL, "code", "缺少必填项 code");
        row->clears = true;
        return HL_OK;
    }
    result = hl_directory_copy_code(attribute->code, field_of(reader, map, 1), "code", error);
    hl_slice order = field_of(reader, map, 2);
    int64_t position = 0;
    if (result == HL_OK && order.len > 0 && hl_text_parse_int(order, 1, 1000, &position) != HL_OK)
        result = english() ? hl_error_set(error, HL_EINVAL, "order", "order must be a whole number from 1 to 1000")
                           : hl_error_set(error, HL_EINVAL, "order", "order 须为 1 到 1000 的整数");
    attribute->position = (int)position; /* 0 until numbered: its place in the file */
    if (result == HL_OK && hl_attribute_type_parse(field_of(reader, map, 3), &attribute->datatype) != HL_OK)
        result = english() ? hl_error_set(error, HL_EINVAL, "datatype",
                                          "datatype is string, number, datetime, text, singlevaluelist or "
                                          "multivaluelist")
                           : hl_error_set(error, HL_EINVAL, "datatype",
                                          "datatype 须为 string、number、datetime、text、singlevaluelist 或 "
                                          "multivaluelist");
    if (result == HL_OK)
        result = parse_flag(field_of(reader, map, 4), false, "required", &attribute->required, error);
    if (result == HL_OK)
        result = parse_flag(field_of(reader, map, 5), true, "variable", &attribute->variable, error);
    if (result == HL_OK)
        result = hl_text_copy(attribute->description, sizeof attribute->description, field_of(reader, map, 6),
                              HL_REASON_CHARS, false, "description", error);
    if (result == HL_OK)
        result = hl_text_copy(attribute->datatype_description, sizeof attribute->datatype_description,
                              field_of(reader, map, 7), HL_REASON_CHARS, false, "datatype_description", error);
    hl_slice values = field_of(reader, map, 8);
    if (result == HL_OK && values.len >= sizeof attribute->values)
        result = english() ? hl_error_set(error, HL_EINVAL, "values", "values are longer than %zu bytes",
                                          sizeof attribute->values - 1)
                           : hl_error_set(error, HL_EINVAL, "values", "values 超过 %zu 字节",
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
            return english() ? hl_error_set(error, HL_EINVAL, "code",
                                            "category %s is listed without attributes and with some",
                                            row->attribute.category)
                             : hl_error_set(error, HL_EINVAL, "code", "分类 %s 既列为无属性又列有属性",
                                            row->attribute.category);
        if (strcmp(rows[other].attribute.code, row->attribute.code) == 0)
            return english() ? hl_error_set(error, HL_EINVAL, "code", "attribute %s of %s appears twice",
                                            row->attribute.code, row->attribute.category)
                             : hl_error_set(error, HL_EINVAL, "code", "分类 %s 的属性 %s 重复",
                                            row->attribute.category, row->attribute.code);
        in_category++;
    }
    if (row->clears)
        return HL_OK;
    if (in_category >= HL_ATTRIBUTES_MAX)
        return english() ? hl_error_set(error, HL_EINVAL, "code", "category %s has more than %d attributes",
                                        row->attribute.category, HL_ATTRIBUTES_MAX)
                         : hl_error_set(error, HL_EINVAL, "code", "分类 %s 的属性超过 %d 个", row->attribute.category,
                                        HL_ATTRIBUTES_MAX);
    if (row->attribute.position == 0)
        row->attribute.position = in_category + 1;
    return hl_attribute_validate(&row->attribute, error);
}

int hl_transfer_load_attributes(hl_app *app, const char *text, size_t length, int *loaded, hl_error *error)
{
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, text, length);
    header_map map;
    size_t count = 0, capacity = 8;
    attribute_row *rows = hl_xmalloc(capacity * sizeof *rows);
    int result = read_header(&reader, attribute_columns, ATTRIBUTE_COLUMN_COUNT, NULL, &map, error);
    while (result == HL_OK) {
        int got = next_row(&reader, &map, error);
        if (got <= 0) {
            result = got;
            break;
        }
        if (count == capacity) {
            capacity *= 2;
            rows = hl_xrealloc(rows, capacity * sizeof *rows);
        }
        attribute_row *row = &rows[count++];
        memset(row, 0, sizeof *row);
        row->line = reader.line;
        result = parse_attribute_row(app, &reader, &map, row, error);
        if (result == HL_OK)
            result = check_attribute_row(rows, count - 1, error);
        if (result != HL_OK)
            result = at_line(error, row->line);
    }
    /* Each category named in the file gets exactly the file's attributes:
     * its old ones are cleared first, in the same transaction. */
    if (result == HL_OK)
        result = hl_store_begin(app->store, error);
    if (result == HL_OK) {
        for (size_t index = 0; result == HL_OK && index < count; index++) {
            bool first = true;
            for (size_t other = 0; other < index && first; other++)
                first = strcmp(rows[other].attribute.category, rows[index].attribute.category) != 0;
            if (first)
                result = hl_store_attribute_clear(app->store, rows[index].attribute.category, error);
            if (result == HL_OK && !rows[index].clears)
                result = hl_store_attribute_put(app->store, &rows[index].attribute, error);
        }
        if (result == HL_OK)
            result = hl_store_commit(app->store, error);
        if (result != HL_OK)
            hl_store_rollback(app->store);
    }
    if (result == HL_OK && loaded != NULL)
        *loaded = (int)count;
    free(rows);
    hl_csv_reader_free(&reader);
    return result;
}

int hl_transfer_load_calendar(hl_app *app, const char *text, size_t length, int *loaded,
                              hl_error *error)
{
    hl_calendar notice;
    hl_calendar_init(&notice);
    int result = hl_calendar_parse_csv(&notice, text, length, error);
    if (result == HL_OK)
        result = hl_store_begin(app->store, error);
    if (result == HL_OK) {
        for (size_t index = 0; index < notice.count && result == HL_OK; index++)
            result = hl_store_calendar_put(app->store, &notice.entries[index], error);
        if (result == HL_OK)
            result = hl_app_bump_settings(app, error);
        if (result == HL_OK)
            result = hl_store_commit(app->store, error);
        if (result != HL_OK)
            hl_store_rollback(app->store);
    }
    if (result == HL_OK) {
        for (size_t index = 0; index < notice.count; index++)
            hl_calendar_set(&app->calendar, notice.entries[index].day, notice.entries[index].kind,
                            notice.entries[index].festival);
        if (loaded != NULL)
            *loaded = (int)notice.count;
    }
    hl_calendar_free(&notice);
    return result;
}

/* ---- work orders ---- */

enum {
    ORDER_NUMBER, ORDER_RECEIVED_AT, ORDER_CHANNEL, ORDER_TYPE, ORDER_CATEGORY, ORDER_CITIZEN_NAME,
    ORDER_CITIZEN_PHONE, ORDER_ADDRESS, ORDER_LATITUDE, ORDER_LONGITUDE, ORDER_TITLE, ORDER_CONTENT,
    ORDER_COLUMN_COUNT
};

static const column order_columns[ORDER_COLUMN_COUNT] = {
    {"number", false},        {"received_at", true},    {"channel", true},  {"type", true},
    {"category", false},      {"citizen_name", false},  {"citizen_phone", false},
    {"address", false},       {"latitude", false},      {"longitude", false},
    {"title", true},          {"content", true},
};

/* Columns that export writes and import leaves alone: an imported order
 * starts its lifecycle afresh at 待派单. */
static const char *const export_only_columns[] = {
    "state", "version", "lead_unit", "co_units", "dispatched_at", "sign_deadline", "signed_at",
    "return_deadline", "handle_deadline", "completed_at", "reply", "extension_count",
    "return_count", "reopen_count", "remind_count", "supervise_count", "duplicate_of", "excluded",
    "excluded_reason", "registered_by", NULL};

static int bad_field(const char *field, hl_error *error)
{
    return english() ? hl_error_set(error, HL_EINVAL, field, "%s is malformed", field)
                     : hl_error_set(error, HL_EINVAL, field, "%s 格式不正确", field);
}

/* Fills an order's registration from one CSV row. The order is reused from
 * row to row; only what registration reads is reset, since clearing the
 * whole record (tens of kilobytes of text fields) would dominate an import. */
static int parse_order_row(const hl_csv_reader *reader, const header_map *map, hl_order *order,
                           hl_error *error)
{
    order->id = 0;
    order->version = 0;
    order->state = HL_STATE_NONE;
    order->state_before_return = HL_STATE_NONE;
    order->has_location = false;
    order->latitude = order->longitude = 0;
    order->lead_unit[0] = order->co_units[0] = order->reply[0] = '\0';
    order->excluded_reason[0] = '\0';
    order->dispatched_at = order->sign_deadline = order->signed_at = 0;
    order->return_deadline = order->handle_deadline = order->due_at = order->completed_at = 0;
    order->extension_count = order->extension_pending_days = order->return_count = 0;
    order->reopen_count = order->remind_count = order->supervise_count = 0;
    order->duplicate_of = 0;
    order->excluded = false;

    hl_slice number = field_of(reader, map, ORDER_NUMBER);
    if (number.len > 0 && hl_order_parse_number(number, &order->id) != HL_OK)
        return bad_field("number", error);
    if (hl_clock_parse_time(field_of(reader, map, ORDER_RECEIVED_AT), &order->received_at) != HL_OK)
        return bad_field("received_at", error);
    if (hl_order_channel_parse(field_of(reader, map, ORDER_CHANNEL), &order->channel) != HL_OK)
        return bad_field("channel", error);
    if (hl_order_type_parse(field_of(reader, map, ORDER_TYPE), &order->type) != HL_OK)
        return bad_field("type", error);
    int result = copy_optional_code(order->category, field_of(reader, map, ORDER_CATEGORY), "category", error);
    if (result == HL_OK)
        result = hl_text_copy(order->citizen_name, sizeof order->citizen_name,
                              field_of(reader, map, ORDER_CITIZEN_NAME), HL_NAME_CHARS, false,
                              "citizen_name", error);
    if (result == HL_OK)
        result = hl_text_copy(order->citizen_phone, sizeof order->citizen_phone,
                              field_of(reader, map, ORDER_CITIZEN_PHONE), HL_PHONE_CHARS, false,
                              "citizen_phone", error);
    if (result == HL_OK)
        result = hl_text_copy(order->address, sizeof order->address, field_of(reader, map, ORDER_ADDRESS),
                              HL_ADDRESS_CHARS, false, "address", error);
    if (result == HL_OK)
        result = hl_text_copy(order->title, sizeof order->title, field_of(reader, map, ORDER_TITLE),
                              HL_TITLE_CHARS, false, "title", error);
    if (result == HL_OK)
        result = hl_text_copy(order->content, sizeof order->content, field_of(reader, map, ORDER_CONTENT),
                              HL_CONTENT_CHARS, true, "content", error);
    if (result != HL_OK)
        return result;
    hl_slice latitude = field_of(reader, map, ORDER_LATITUDE);
    hl_slice longitude = field_of(reader, map, ORDER_LONGITUDE);
    if (latitude.len > 0 || longitude.len > 0) {
        if (hl_text_parse_double(latitude, &order->latitude) != HL_OK)
            return bad_field("latitude", error);
        if (hl_text_parse_double(longitude, &order->longitude) != HL_OK)
            return bad_field("longitude", error);
        order->has_location = true;
    }
    return hl_order_validate_registration(order, error);
}

/* Category codes known to the store, sorted, so that each row is checked
 * without a query. */
typedef struct code_set {
    char (*codes)[HL_CODE_BYTES];
    size_t count;
    size_t capacity;
} code_set;

static int collect_category(void *context, const hl_category *category)
{
    code_set *set = context;
    if (!category->active)
        return 0;
    if (set->count == set->capacity) {
        set->capacity = set->capacity == 0 ? 64 : set->capacity * 2;
        set->codes = hl_xrealloc(set->codes, set->capacity * sizeof *set->codes);
    }
    memcpy(set->codes[set->count++], category->code, HL_CODE_BYTES);
    return 0;
}

static int compare_codes(const void *left, const void *right)
{
    return strcmp(left, right);
}

static bool code_set_has(const code_set *set, const char *code)
{
    return set->count > 0 &&
           bsearch(code, set->codes, set->count, sizeof *set->codes, compare_codes) != NULL;
}

/* The import runs as a pipeline of two threads, since reading and checking
 * rows and writing them to SQLite take comparable time: a reader thread
 * parses and checks batches of rows (everything up to the workflow's
 * registration step, which is pure), while the calling thread, which holds
 * the transaction, numbers and stores them. Two batches alternate. */
#define IMPORT_BATCH_ROWS 128

typedef struct import_row {
    long line;
    int result; /* HL_OK: ready to store; else error says why */
    hl_error error;
    hl_order order;
    hl_sealed_phone phone; /* sealed here, on the reading thread */
    hl_event event;
} import_row;

typedef struct import_batch {
    import_row *rows; /* IMPORT_BATCH_ROWS of them, reused */
    size_t count;
    bool last; /* no rows follow this batch */
    bool ready; /* filled by the reader, not yet stored */
} import_batch;

typedef struct import_pipeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    import_batch batches[2];
    bool stop; /* the writer failed: the reader ends early */
    hl_app *app;
    const hl_user *user;
    hl_csv_reader *reader;
    const header_map *map;
    const code_set *categories;
    hl_time now;
    hl_lang language;
} import_pipeline;

/* Reads and checks one data row into `row`; returns false at the end of input. */
static bool read_import_row(import_pipeline *pipeline, import_row *row, bool *broken)
{
    hl_csv_reader *reader = pipeline->reader;
    hl_error_clear(&row->error);
    int got = hl_csv_reader_next(reader, &row->error);
    if (got == 0)
        return false;
    if (got < 0) {
        /* The CSV itself is broken (an unterminated quote...): what follows
         * cannot be read reliably, so this is the last row. */
        row->line = reader->next_line;
        row->result = got;
        *broken = true;
        return true;
    }
    row->line = reader->line;
    hl_order *order = &row->order;
    hl_error *error = &row->error;
    int result = HL_OK;
    if (reader->field_count != pipeline->map->field_count)
        result = english() ? hl_error_set(error, HL_EINVAL, "row", "%zu fields, the header has %zu",
                                          reader->field_count, pipeline->map->field_count)
                           : hl_error_set(error, HL_EINVAL, "row", "有 %zu 个字段，表头有 %zu 个",
                                          reader->field_count, pipeline->map->field_count);
    if (result == HL_OK)
        result = parse_order_row(reader, pipeline->map, order, error);
    if (result == HL_OK && order->category[0] != '\0' && !code_set_has(pipeline->categories, order->category))
        result = english() ? hl_error_set(error, HL_EINVAL, "category", "no category %s", order->category)
                           : hl_error_set(error, HL_EINVAL, "category", "诉求分类 %s 不存在", order->category);
    if (result == HL_OK && order->received_at > pipeline->now + HL_FUTURE_TOLERANCE_SECONDS)
        result = english() ? hl_error_set(error, HL_EINVAL, "received_at", "received_at is in the future")
                           : hl_error_set(error, HL_EINVAL, "received_at", "受理时间晚于当前时间");
    if (result == HL_OK)
        result = hl_app_prepare_registration(pipeline->app, pipeline->user, order, order->received_at,
                                             &row->event, error);
    /* Sealing costs about as much as the rest of a row's checks: here it
     * runs beside the writer instead of before each insert. */
    if (result == HL_OK)
        result = hl_app_seal_phone(pipeline->app, order, &row->phone, error);
    if (result != HL_OK)
        at_line(error, row->line);
    row->result = result;
    return true;
}

static void *import_reader_thread(void *argument)
{
    import_pipeline *pipeline = argument;
    hl_i18n_set(pipeline->language);
    bool broken = false, done = false;
    for (size_t turn = 0; !done; turn ^= 1) {
        import_batch *batch = &pipeline->batches[turn];
        pthread_mutex_lock(&pipeline->lock);
        while (batch->ready && !pipeline->stop)
            pthread_cond_wait(&pipeline->changed, &pipeline->lock);
        bool stop = pipeline->stop;
        pthread_mutex_unlock(&pipeline->lock);
        batch->count = 0;
        if (!stop)
            while (batch->count < IMPORT_BATCH_ROWS && !broken &&
                   read_import_row(pipeline, &batch->rows[batch->count], &broken))
                batch->count++;
        done = stop || broken || batch->count < IMPORT_BATCH_ROWS;
        pthread_mutex_lock(&pipeline->lock);
        batch->last = done;
        batch->ready = true;
        pthread_cond_broadcast(&pipeline->changed);
        pthread_mutex_unlock(&pipeline->lock);
    }
    return NULL;
}

int hl_transfer_import_orders(hl_app *app, const char *actor, const char *text, size_t length,
                              hl_transfer_row_error_visitor report, void *context, int max_reported,
                              int64_t *imported, hl_error *error)
{
    hl_user user;
    int result = hl_app_load_actor(app, actor, &user, error);
    if (result != HL_OK)
        return result;
    code_set categories = {NULL, 0, 0};
    result = hl_store_category_each(app->store, collect_category, &categories, error);
    if (result != HL_OK)
        return result;
    if (categories.count > 0)
        qsort(categories.codes, categories.count, sizeof *categories.codes, compare_codes);

    hl_csv_reader reader;
    hl_csv_reader_init(&reader, text, length);
    header_map map;
    hl_rollup_map *batch_rollups = hl_rollup_map_new();
    int64_t count = 0, bad_rows = 0;
    import_pipeline pipeline = {.app = app, .user = &user, .reader = &reader, .map = &map,
                                .categories = &categories, .now = hl_clock_now(),
                                .language = hl_i18n_get()};

    result = read_header(&reader, order_columns, ORDER_COLUMN_COUNT, export_only_columns, &map, error);
    if (result == HL_OK) {
        hl_store_set_bulk(app->store, true);
        app->last_prefix = 0;
        result = hl_store_begin(app->store, error);
    }
    if (result == HL_OK) {
        pthread_mutex_init(&pipeline.lock, NULL);
        pthread_cond_init(&pipeline.changed, NULL);
        for (size_t index = 0; index < 2; index++)
            pipeline.batches[index].rows = hl_xcalloc(IMPORT_BATCH_ROWS, sizeof(import_row));
        pthread_t reader_thread;
        if (pthread_create(&reader_thread, NULL, import_reader_thread, &pipeline) != 0)
            abort(); /* only when out of memory or threads */
        bool last = false;
        for (size_t turn = 0; !last; turn ^= 1) {
            import_batch *batch = &pipeline.batches[turn];
            pthread_mutex_lock(&pipeline.lock);
            while (!batch->ready)
                pthread_cond_wait(&pipeline.changed, &pipeline.lock);
            pthread_mutex_unlock(&pipeline.lock);
            last = batch->last;
            for (size_t index = 0; index < batch->count && result == HL_OK; index++) {
                import_row *row = &batch->rows[index];
                /* Rows keep being stored after a bad one, inside the
                 * transaction that will be rolled back, so that one run also
                 * finds the rows that clash with earlier ones (a repeated number). */
                if (row->result == HL_OK) {
                    row->result = hl_app_store_sealed_registration(app, &row->order, &row->phone, &row->event,
                                                                   batch_rollups, &row->error);
                    if (row->result == HL_EIO) {
                        *error = row->error;
                        result = HL_EIO;
                        break;
                    }
                    if (row->result != HL_OK)
                        at_line(&row->error, row->line);
                }
                if (row->result == HL_OK) {
                    count++;
                    continue;
                }
                if (bad_rows < max_reported && report != NULL)
                    report(context, row->line, &row->error);
                bad_rows++;
            }
            pthread_mutex_lock(&pipeline.lock);
            batch->ready = false;
            if (result != HL_OK)
                pipeline.stop = true;
            pthread_cond_broadcast(&pipeline.changed);
            pthread_mutex_unlock(&pipeline.lock);
            if (result != HL_OK)
                break;
        }
        pthread_join(reader_thread, NULL);
        for (size_t index = 0; index < 2; index++)
            free(pipeline.batches[index].rows);
        pthread_cond_destroy(&pipeline.changed);
        pthread_mutex_destroy(&pipeline.lock);

        if (result == HL_OK && bad_rows > 0)
            result = english() ? hl_error_set(error, HL_EINVAL, "file",
                                              "%lld bad row(s): nothing was imported", (long long)bad_rows)
                               : hl_error_set(error, HL_EINVAL, "file", "有 %lld 行错误，未导入任何工单",
                                              (long long)bad_rows);
        if (result == HL_OK)
            result = hl_app_flush_rollups(app, batch_rollups, error);
        if (result == HL_OK)
            result = hl_store_commit(app->store, error);
        if (result != HL_OK)
            hl_store_rollback(app->store);
        hl_store_set_bulk(app->store, false);
    }
    if (result == HL_OK && imported != NULL)
        *imported = count;
    hl_rollup_map_free(batch_rollups);
    free(categories.codes);
    hl_csv_reader_free(&reader);
    return result;
}

/* ---- callback surveys ---- */

enum { SURVEY_NUMBER, SURVEY_AT, SURVEY_OUTCOME, SURVEY_RATING, SURVEY_RESOLVED, SURVEY_COMMENT,
       SURVEY_SURVEYOR, SURVEY_COLUMN_COUNT };

static const column survey_columns[SURVEY_COLUMN_COUNT] = {
    {"number", true}, {"at", true},       {"outcome", true}, {"rating", false},
    {"resolved", false}, {"comment", false}, {"surveyor", false},
};

/* Fills a survey request from one row; the comment is copied into `comment`. */
static int parse_survey_row(const hl_csv_reader *reader, const header_map *map, int64_t *id, hl_time *at,
                            char *surveyor, hl_app_request *request, char *comment, size_t comment_size,
                            hl_error *error)
{
    memset(request, 0, sizeof *request);
    if (hl_order_parse_number(field_of(reader, map, SURVEY_NUMBER), id) != HL_OK)
        return bad_field("number", error);
    if (hl_clock_parse_time(field_of(reader, map, SURVEY_AT), at) != HL_OK)
        return bad_field("at", error);
    if (hl_order_outcome_parse(field_of(reader, map, SURVEY_OUTCOME), &request->outcome) != HL_OK)
        return bad_field("outcome", error);
    hl_slice rating = field_of(reader, map, SURVEY_RATING);
    if (rating.len > 0 && hl_order_rating_parse(rating, &request->rating) != HL_OK)
        return bad_field("rating", error);
    hl_slice resolved = field_of(reader, map, SURVEY_RESOLVED);
    if (resolved.len > 0 && hl_order_resolved_parse(resolved, &request->resolved) != HL_OK)
        return bad_field("resolved", error);
    if (request->outcome != HL_OUTCOME_REACHED && (rating.len > 0 || resolved.len > 0))
        return english() ? hl_error_set(error, HL_EINVAL, "rating", "a rating needs a reached call")
                         : hl_error_set(error, HL_EINVAL, "rating", "只有回访成功才能有满意度评价");
    int result = hl_text_copy(comment, comment_size, field_of(reader, map, SURVEY_COMMENT), HL_REASON_CHARS,
                              true, "comment", error);
    if (result == HL_OK)
        result = copy_optional_code(surveyor, field_of(reader, map, SURVEY_SURVEYOR), "surveyor", error);
    request->note = comment;
    return result;
}

int hl_transfer_import_surveys(hl_app *app, const char *actor, const char *text, size_t length,
                               hl_transfer_row_error_visitor report, void *context, int max_reported,
                               int64_t *applied, hl_error *error)
{
    hl_user user;
    int result = hl_app_load_actor(app, actor, &user, error);
    if (result != HL_OK)
        return result;
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, text, length);
    header_map map;
    int64_t count = 0, bad_rows = 0;
    char *comment = hl_xmalloc(HL_REASON_BYTES);
    hl_app_scratch *scratch = hl_app_scratch_new();
    hl_time now = hl_clock_now();
    result = read_header(&reader, survey_columns, SURVEY_COLUMN_COUNT, NULL, &map, error);
    if (result == HL_OK) {
        hl_store_set_bulk(app->store, true);
        result = hl_store_begin(app->store, error);
    }
    while (result == HL_OK) {
        hl_error row_error;
        hl_error_clear(&row_error);
        int got = hl_csv_reader_next(&reader, &row_error);
        if (got == 0)
            break;
        long line = got < 0 ? reader.next_line : reader.line;
        int row_result = got < 0 ? got : HL_OK;
        if (row_result == HL_OK && reader.field_count != map.field_count)
            row_result = english() ? hl_error_set(&row_error, HL_EINVAL, "row", "%zu fields, the header has %zu",
                                                  reader.field_count, map.field_count)
                                   : hl_error_set(&row_error, HL_EINVAL, "row", "有 %zu 个字段，表头有 %zu 个",
                                                  reader.field_count, map.field_count);
        int64_t id = 0;
        hl_time at = 0;
        char surveyor[HL_CODE_BYTES] = "";
        hl_app_request request;
        if (row_result == HL_OK)
            row_result = parse_survey_row(&reader, &map, &id, &at, surveyor, &request, comment, HL_REASON_BYTES,
                                          &row_error);
        if (row_result == HL_OK && at > now + HL_FUTURE_TOLERANCE_SECONDS)
            row_result = english() ? hl_error_set(&row_error, HL_EINVAL, "at", "the call is in the future")
                                   : hl_error_set(&row_error, HL_EINVAL, "at", "回访时间晚于当前时间");
        /* Rows keep being applied after a bad one, inside the transaction
         * that will be rolled back, so that later rows are checked against
         * the state earlier rows leave. */
        if (row_result == HL_OK)
            row_result = hl_app_act_within(app, surveyor[0] != '\0' ? surveyor : actor, id, HL_ACTION_SURVEY,
                                           &request, at, scratch, &row_error);
        if (row_result == HL_EIO) {
            *error = row_error;
            result = HL_EIO;
            break;
        }
        if (row_result != HL_OK) {
            if (got > 0)
                at_line(&row_error, line);
            if (bad_rows < max_reported && report != NULL)
                report(context, line, &row_error);
            bad_rows++;
            if (got < 0)
                break; /* the CSV itself is broken: the rest cannot be read reliably */
            continue;
        }
        count++;
    }
    if (result == HL_OK && bad_rows > 0)
        result = english() ? hl_error_set(error, HL_EINVAL, "file", "%lld bad row(s): nothing was imported",
                                          (long long)bad_rows)
                           : hl_error_set(error, HL_EINVAL, "file", "有 %lld 行错误，未导入任何回访记录",
                                          (long long)bad_rows);
    if (result == HL_OK)
        result = hl_store_commit(app->store, error);
    if (result != HL_OK)
        hl_store_rollback(app->store);
    hl_store_set_bulk(app->store, false);
    if (result == HL_OK && applied != NULL)
        *applied = count;
    (void)user;
    free(comment);
    hl_app_scratch_free(scratch);
    hl_csv_reader_free(&reader);
    return result;
}

static const char *const export_header =
    "number,received_at,channel,type,category,citizen_name,citizen_phone,address,latitude,"
    "longitude,title,content,registered_by,state,version,lead_unit,co_units,dispatched_at,"
    "sign_deadline,signed_at,return_deadline,handle_deadline,completed_at,reply,extension_count,"
    "return_count,reopen_count,remind_count,supervise_count,duplicate_of,excluded,excluded_reason\n";

typedef struct export_context {
    FILE *out;
    hl_buf line;
    int64_t count;
    bool audited;
    int64_t *phone_orders; /* exported orders with a phone, when audited */
    size_t phone_count, phone_room;
} export_context;

static void append_time_field(hl_buf *line, hl_time instant)
{
    char text[40] = "";
    if (instant != 0)
        hl_clock_format_local(instant, text, sizeof text);
    hl_buf_appendf(line, ",%s", text);
}

static int export_one(void *context, const hl_order *order)
{
    export_context *export = context;
    hl_buf *line = &export->line;
    char number[24];
    hl_buf_reset(line);
    hl_order_format_number(order->id, number, sizeof number);
    hl_buf_append_str(line, number);
    append_time_field(line, order->received_at);
    hl_buf_appendf(line, ",%s,%s,", hl_order_channel_name(order->channel), hl_order_type_name(order->type));
    const char *texts[] = {order->category, order->citizen_name, order->citizen_phone, order->address};
    for (size_t index = 0; index < 4; index++) {
        hl_buf_append_csv_field(line, texts[index]);
        hl_buf_append_char(line, ',');
    }
    if (order->has_location)
        hl_buf_appendf(line, "%.6f,%.6f,", order->latitude, order->longitude);
    else
        hl_buf_append_str(line, ",,");
    hl_buf_append_csv_field(line, order->title);
    hl_buf_append_char(line, ',');
    hl_buf_append_csv_field(line, order->content);
    hl_buf_append_char(line, ',');
    hl_buf_append_csv_field(line, order->registered_by);
    hl_buf_appendf(line, ",%s,%lld,%s,", hl_order_state_name(order->state), (long long)order->version,
                   order->lead_unit);
    hl_buf_append_csv_field(line, order->co_units);
    append_time_field(line, order->dispatched_at);
    append_time_field(line, order->sign_deadline);
    append_time_field(line, order->signed_at);
    append_time_field(line, order->return_deadline);
    append_time_field(line, order->handle_deadline);
    append_time_field(line, order->completed_at);
    hl_buf_append_char(line, ',');
    hl_buf_append_csv_field(line, order->reply);
    hl_buf_appendf(line, ",%d,%d,%d,%d,%d,", order->extension_count, order->return_count,
                   order->reopen_count, order->remind_count, order->supervise_count);
    if (order->duplicate_of != 0) {
        hl_order_format_number(order->duplicate_of, number, sizeof number);
        hl_buf_append_str(line, number);
    }
    hl_buf_appendf(line, ",%d,", order->excluded ? 1 : 0);
    hl_buf_append_csv_field(line, order->excluded_reason);
    hl_buf_append_char(line, '\n');
    if (fwrite(line->data, 1, line->len, export->out) != line->len)
        return HL_EIO;
    export->count++;
    if (export->audited && order->citizen_phone[0] != '\0') {
        if (export->phone_count == export->phone_room) {
            export->phone_room = export->phone_room > 0 ? export->phone_room * 2 : 1024;
            export->phone_orders = hl_xrealloc(export->phone_orders, export->phone_room * sizeof *export->phone_orders);
        }
        export->phone_orders[export->phone_count++] = order->id;
    }
    return 0;
}

/* Records that the numbers of the exported orders were given out. */
static int record_export_reads(hl_app *app, const export_context *export, const char *actor, const char *route,
                               hl_error *error)
{
    if (export->phone_count == 0)
        return HL_OK;
    hl_time now = hl_clock_now();
    hl_audit_read *reads = hl_xmalloc(export->phone_count * sizeof *reads);
    for (size_t index = 0; index < export->phone_count; index++)
        hl_audit_read_of(&reads[index], now, actor, export->phone_orders[index], route);
    int result = hl_audit_record(app, reads, export->phone_count, error);
    free(reads);
    if (result == HL_OK)
        return HL_OK;
    char cause[HL_ERROR_MESSAGE_MAX];
    snprintf(cause, sizeof cause, "%s", error->message);
    return english() ? hl_error_set(error, HL_EIO, NULL, "the export was written but its reads of phone numbers "
                                                         "could not be recorded: %.300s", cause)
                     : hl_error_set(error, HL_EIO, NULL, "已导出，但联系电话的查阅未能记入审计：%.300s", cause);
}

int hl_transfer_export_orders_audited(hl_app *app, const hl_order_filter *filter, FILE *out, const char *actor,
                                      const char *route, int64_t *exported, hl_error *error)
{
    export_context export = {out, {NULL, 0, 0}, 0, actor != NULL, NULL, 0, 0};
    if (fputs(export_header, out) == EOF)
        return hl_error_set(error, HL_EIO, "file", "write failed");
    int result = hl_store_order_query(app->store, filter, export_one, &export, error);
    if (result == HL_EIO && error->message[0] == '\0')
        hl_error_set(error, HL_EIO, "file", "write failed");
    if (result == HL_OK && fflush(out) != 0)
        result = hl_error_set(error, HL_EIO, "file", "write failed");
    /* Even a failed export may have written some numbers: record those. */
    if (export.audited) {
        hl_error audit_error;
        hl_error_clear(&audit_error);
        int recorded = record_export_reads(app, &export, actor, route, &audit_error);
        if (recorded != HL_OK && result == HL_OK) {
            *error = audit_error;
            result = recorded;
        }
    }
    hl_buf_free(&export.line);
    free(export.phone_orders);
    if (result == HL_OK && exported != NULL)
        *exported = export.count;
    return result;
}

int hl_transfer_export_orders(hl_app *app, const hl_order_filter *filter, FILE *out, int64_t *exported,
                              hl_error *error)
{
    return hl_transfer_export_orders_audited(app, filter, out, NULL, NULL, exported, error);
}
