/* sqlite_directory.c: the settings, the directory (units, categories,
 * users), the calendar and the categories' attributes in SQLite: small
 * tables read at start and written by administrators. No orders here. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

typedef struct config_value {
    char *value;
    size_t size;
    const char *key;
} config_value;

static int copy_config_value(sqlite3_stmt *statement, void *context, hl_error *error)
{
    config_value *target = context;
    const unsigned char *text = sqlite3_column_text(statement, 0);
    size_t length = text != NULL ? (size_t)sqlite3_column_bytes(statement, 0) : 0;
    /* A cut-off setting would be read as a different setting: refuse. */
    if (length >= target->size)
        return hl_error_set(
            error, HL_EINVAL, target->key,
            HL_T("配置项 %s 的值超过 %zu 字节", "the value of setting %s is longer than %zu bytes"),
            target->key, target->size - 1);
    hl_sqlite_copy_column_text(statement, 0, target->value, target->size);
    return HL_OK;
}

static int sqlite_config_get(hl_store *base, const char *key, char *value, size_t size,
                             hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_CONFIG_GET]);
    hl_sqlite_bind_string(&binding, key);
    config_value target = {value, size, key};
    int result = hl_sqlite_get(store, &binding, "config_get", copy_config_value, &target, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_not_found("配置项", "setting", key, error);
    return result;
}

static int sqlite_config_set(hl_store *base, const char *key, const char *value, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_CONFIG_SET]);
    hl_sqlite_bind_string(&binding, key);
    hl_sqlite_bind_string(&binding, value);
    return hl_sqlite_write(store, &binding, "config_set", error);
}

typedef struct config_visit {
    int (*visit)(void *context, const char *key, const char *value);
    void *context;
} config_visit;

static int visit_config_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    config_visit *visitor = context;
    const unsigned char *key = sqlite3_column_text(statement, 0);
    const unsigned char *value = sqlite3_column_text(statement, 1);
    return visitor->visit(visitor->context, key != NULL ? (const char *)key : "",
                          value != NULL ? (const char *)value : "");
}

static int sqlite_config_each(hl_store *base,
                              int (*visit)(void *context, const char *key, const char *value),
                              void *context, hl_error *error)
{
    config_visit visitor = {visit, context};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_CONFIG_EACH, "config_each",
                               visit_config_row, &visitor, error);
}

/* Reads a row of units into the hl_unit *context. */
static int read_unit(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_unit *unit = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    READ_FIELD(&row, unit->code);
    READ_FIELD(&row, unit->name);
    READ_FIELD(&row, unit->group);
    READ_FIELD(&row, unit->parent);
    unit->active = hl_sqlite_read_int64(&row) != 0;
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(unit, hl_unit, read_unit)

static int sqlite_unit_put(hl_store *base, const hl_unit *unit, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_UNIT_PUT]);
    BIND_FIELD(&binding, unit->code);
    BIND_FIELD(&binding, unit->name);
    BIND_FIELD(&binding, unit->group);
    BIND_FIELD(&binding, unit->parent);
    hl_sqlite_bind_int64(&binding, unit->active ? 1 : 0);
    return hl_sqlite_write(store, &binding, "unit_put", error);
}

static int sqlite_unit_get(hl_store *base, const char *code, hl_unit *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_UNIT_GET]);
    hl_sqlite_bind_string(&binding, code);
    int result = hl_sqlite_get(store, &binding, "unit_get", read_unit, out, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_not_found("单位", "unit", code, error);
    return result;
}

static int sqlite_unit_each(hl_store *base, hl_unit_visitor visit, void *context, hl_error *error)
{
    hl_unit record;
    unit_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_UNIT_EACH, "unit_each",
                               visit_unit_row, &visitor, error);
}

/* Reads a row of categories into the hl_category *context. */
static int read_category(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_category *category = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    READ_FIELD(&row, category->code);
    READ_FIELD(&row, category->name);
    READ_FIELD(&row, category->parent);
    READ_FIELD(&row, category->default_unit);
    category->handle_days = hl_sqlite_read_int(&row);
    category->active = hl_sqlite_read_int64(&row) != 0;
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(category, hl_category, read_category)

static int sqlite_category_put(hl_store *base, const hl_category *category, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_CATEGORY_PUT]);
    BIND_FIELD(&binding, category->code);
    BIND_FIELD(&binding, category->name);
    BIND_FIELD(&binding, category->parent);
    BIND_FIELD(&binding, category->default_unit);
    hl_sqlite_bind_int64(&binding, category->handle_days);
    hl_sqlite_bind_int64(&binding, category->active ? 1 : 0);
    return hl_sqlite_write(store, &binding, "category_put", error);
}

static int sqlite_category_get(hl_store *base, const char *code, hl_category *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_CATEGORY_GET]);
    hl_sqlite_bind_string(&binding, code);
    int result = hl_sqlite_get(store, &binding, "category_get", read_category, out, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_not_found("诉求分类", "category", code, error);
    return result;
}

static int sqlite_category_each(hl_store *base, hl_category_visitor visit, void *context,
                                hl_error *error)
{
    hl_category record;
    category_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_CATEGORY_EACH, "category_each",
                               visit_category_row, &visitor, error);
}

/* Reads a row of users into the hl_user *context: HL_OK, or HL_EIO when
 * the stored role is unknown to this build. */
static int read_user(sqlite3_stmt *statement, void *context, hl_error *error)
{
    hl_user *user = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    READ_FIELD(&row, user->username);
    READ_FIELD(&row, user->display_name);
    user->role = (hl_role)hl_sqlite_read_enum(&row, hl_sqlite_role_name, HL_ROLE_COUNT);
    READ_FIELD(&row, user->unit);
    user->active = hl_sqlite_read_int64(&row) != 0;
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(user, hl_user, read_user)

static int sqlite_user_put(hl_store *base, const hl_user *user, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    const char *role = hl_sqlite_encode_enum((int)user->role, hl_sqlite_role_name, HL_ROLE_COUNT);
    if (role == NULL)
        return hl_sqlite_bad_enum("role", (int)user->role, error);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_USER_PUT]);
    BIND_FIELD(&binding, user->username);
    BIND_FIELD(&binding, user->display_name);
    hl_sqlite_bind_string(&binding, role);
    BIND_FIELD(&binding, user->unit);
    hl_sqlite_bind_int64(&binding, user->active ? 1 : 0);
    return hl_sqlite_write(store, &binding, "user_put", error);
}

static int sqlite_user_get(hl_store *base, const char *username, hl_user *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_USER_GET]);
    hl_sqlite_bind_string(&binding, username);
    int result = hl_sqlite_get(store, &binding, "user_get", read_user, out, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_not_found("用户", "user", username, error);
    return result;
}

static int sqlite_user_each(hl_store *base, hl_user_visitor visit, void *context, hl_error *error)
{
    hl_user record;
    user_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_USER_EACH, "user_each",
                               visit_user_row, &visitor, error);
}

static const char *day_kind_name(int value)
{
    return value == HL_DAY_OFF ? "off" : value == HL_DAY_WORK ? "work" : NULL;
}

static int load_calendar_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    int64_t day = hl_sqlite_read_int64(&row);
    hl_day_kind kind = (hl_day_kind)hl_sqlite_read_enum(&row, day_kind_name, 2);
    char festival[sizeof(((hl_calendar_entry *)NULL)->festival)];
    READ_FIELD(&row, festival);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    if (day < INT32_MIN || day > INT32_MAX)
        return hl_sqlite_corrupt_value(statement, 0, error);
    hl_calendar_set(context, (int32_t)day, kind, festival);
    return HL_OK;
}

/* Adds every stored day to `out`, which the caller has initialised. */
static int sqlite_calendar_load(hl_store *base, hl_calendar *out, hl_error *error)
{
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_CALENDAR_LOAD, "calendar_load",
                               load_calendar_row, out, error);
}

static int sqlite_calendar_put(hl_store *base, const hl_calendar_entry *entry, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    const char *kind = hl_sqlite_encode_enum((int)entry->kind, day_kind_name, 2);
    if (kind == NULL)
        return hl_sqlite_bad_enum("kind", (int)entry->kind, error);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_CALENDAR_PUT]);
    hl_sqlite_bind_int64(&binding, entry->day);
    hl_sqlite_bind_string(&binding, kind);
    BIND_FIELD(&binding, entry->festival);
    return hl_sqlite_write(store, &binding, "calendar_put", error);
}

static const char *attribute_type_name(int value)
{
    return hl_attribute_type_name((hl_attribute_type)value);
}

static int read_attribute(sqlite3_stmt *statement, hl_attribute *attribute, hl_error *error)
{
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    READ_FIELD(&row, attribute->category);
    READ_FIELD(&row, attribute->code);
    attribute->position = hl_sqlite_read_int(&row);
    attribute->datatype =
        (hl_attribute_type)hl_sqlite_read_enum(&row, attribute_type_name, HL_ATTRIBUTE_TYPE_COUNT);
    attribute->required = hl_sqlite_read_int64(&row) != 0;
    attribute->variable = hl_sqlite_read_int64(&row) != 0;
    READ_FIELD(&row, attribute->description);
    READ_FIELD(&row, attribute->datatype_description);
    READ_FIELD(&row, attribute->values);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(attribute, hl_attribute, read_attribute)

static int sqlite_attribute_put(hl_store *base, const hl_attribute *attribute, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    const char *datatype = hl_sqlite_encode_enum((int)attribute->datatype, attribute_type_name,
                                                 HL_ATTRIBUTE_TYPE_COUNT);
    if (datatype == NULL)
        return hl_sqlite_bad_enum("datatype", (int)attribute->datatype, error);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_ATTRIBUTE_PUT]);
    BIND_FIELD(&binding, attribute->category);
    BIND_FIELD(&binding, attribute->code);
    hl_sqlite_bind_int64(&binding, attribute->position);
    hl_sqlite_bind_string(&binding, datatype);
    hl_sqlite_bind_int64(&binding, attribute->required ? 1 : 0);
    hl_sqlite_bind_int64(&binding, attribute->variable ? 1 : 0);
    BIND_FIELD(&binding, attribute->description);
    BIND_FIELD(&binding, attribute->datatype_description);
    BIND_FIELD(&binding, attribute->values);
    return hl_sqlite_write(store, &binding, "attribute_put", error);
}

static int sqlite_attribute_clear(hl_store *base, const char *category, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_ATTRIBUTE_CLEAR]);
    hl_sqlite_bind_string(&binding, category);
    return hl_sqlite_write(store, &binding, "attribute_clear", error);
}

static int sqlite_attribute_each(hl_store *base, const char *category, hl_attribute_visitor visit,
                                 void *context, hl_error *error)
{
    /* A category: its attributes; none: every category's. */
    hl_sqlite_parameter key = {.text = category};
    attribute_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_attribute))};
    int result = hl_sqlite_visit(
        hl_sqlite_store_of(base), category != NULL ? STMT_ATTRIBUTE_OF : STMT_ATTRIBUTE_ALL, &key,
        category != NULL ? 1 : 0, "attribute_each", visit_attribute_row, &visitor, error);
    free(visitor.record);
    return result;
}

void hl_sqlite_directory_ops(hl_store_ops *ops)
{
    ops->config_get = sqlite_config_get;
    ops->config_set = sqlite_config_set;
    ops->config_each = sqlite_config_each;
    ops->unit_put = sqlite_unit_put;
    ops->unit_get = sqlite_unit_get;
    ops->unit_each = sqlite_unit_each;
    ops->category_put = sqlite_category_put;
    ops->category_get = sqlite_category_get;
    ops->category_each = sqlite_category_each;
    ops->user_put = sqlite_user_put;
    ops->user_get = sqlite_user_get;
    ops->user_each = sqlite_user_each;
    ops->calendar_load = sqlite_calendar_load;
    ops->calendar_put = sqlite_calendar_put;
    ops->attribute_put = sqlite_attribute_put;
    ops->attribute_clear = sqlite_attribute_clear;
    ops->attribute_each = sqlite_attribute_each;
}
