/* pg_directory.c: the settings, the directory (units, categories, users),
 * the calendar and the categories' attributes in PostgreSQL: small tables
 * read at start and written by administrators, with the same meaning as
 * sqlite_directory.c (puts replace, gets answer HL_ENOTFOUND, lists come in
 * key order). No orders here. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"

static const char CONFIG_GET[] = "SELECT value FROM config WHERE key = $1";
static const char CONFIG_SET[] = "INSERT INTO config(key, value) VALUES($1, $2) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char CONFIG_EACH[] = "SELECT key, value FROM config ORDER BY key";
static const char UNIT_PUT[] = "INSERT INTO units(code, name, group_name, parent, active) "
                               "VALUES($1, $2, $3, $4, $5) ON CONFLICT(code) DO UPDATE SET "
                               "name = excluded.name, group_name = excluded.group_name, "
                               "parent = excluded.parent, active = excluded.active";
static const char UNIT_GET[] =
    "SELECT code, name, group_name, parent, active FROM units WHERE code = $1";
static const char UNIT_EACH[] =
    "SELECT code, name, group_name, parent, active FROM units ORDER BY code";
static const char CATEGORY_PUT[] =
    "INSERT INTO categories(code, name, parent, default_unit, handle_days, active) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
    "parent = excluded.parent, default_unit = excluded.default_unit, "
    "handle_days = excluded.handle_days, active = excluded.active";
static const char CATEGORY_GET[] = "SELECT code, name, parent, default_unit, handle_days, active "
                                   "FROM categories WHERE code = $1";
static const char CATEGORY_EACH[] = "SELECT code, name, parent, default_unit, handle_days, "
                                    "active FROM categories ORDER BY code";
static const char USER_PUT[] = "INSERT INTO users(username, display_name, role, unit, active) "
                               "VALUES($1, $2, $3, $4, $5) ON CONFLICT(username) DO UPDATE SET "
                               "display_name = excluded.display_name, role = excluded.role, "
                               "unit = excluded.unit, active = excluded.active";
static const char USER_GET[] =
    "SELECT username, display_name, role, unit, active FROM users WHERE username = $1";
static const char USER_EACH[] =
    "SELECT username, display_name, role, unit, active FROM users ORDER BY username";
static const char CALENDAR_LOAD[] = "SELECT day, kind, festival FROM calendar ORDER BY day";
static const char CALENDAR_PUT[] = "INSERT INTO calendar(day, kind, festival) VALUES($1, $2, $3) "
                                   "ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, "
                                   "festival = excluded.festival";
#define ATTRIBUTE_COLUMNS                                                                          \
    "category, code, position, datatype, required, variable, description, datatype_description, "  \
    "choices"
static const char ATTRIBUTE_PUT[] =
    "INSERT INTO category_attributes(" ATTRIBUTE_COLUMNS ") "
    "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT(category, code) DO UPDATE SET "
    "position = excluded.position, datatype = excluded.datatype, required = excluded.required, "
    "variable = excluded.variable, description = excluded.description, "
    "datatype_description = excluded.datatype_description, choices = excluded.choices";
static const char ATTRIBUTE_CLEAR[] = "DELETE FROM category_attributes WHERE category = $1";
static const char ATTRIBUTE_OF[] = "SELECT " ATTRIBUTE_COLUMNS " FROM category_attributes "
                                   "WHERE category = $1 ORDER BY position, code";
static const char ATTRIBUTE_ALL[] = "SELECT " ATTRIBUTE_COLUMNS " FROM category_attributes "
                                    "ORDER BY category, position, code";

/* Runs a write of the parameters given and frees them. */
static int write_and_free(struct hl_pg_store *store, const char *sql, hl_pg_params *params,
                          const char *operation, hl_error *error)
{
    int result = hl_pg_write(store, sql, params, operation, NULL, error);
    hl_pg_params_free(params);
    return result;
}

/* A lookup by one text key; HL_ENOTFOUND is named by the caller. */
static int lookup_text(struct hl_pg_store *store, const char *sql, const char *key,
                       const char *operation, PGresult **out, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, key);
    int result = hl_pg_lookup(store, sql, &params, operation, out, error);
    hl_pg_params_free(&params);
    return result;
}

static int pg_config_get(hl_store *base, const char *key, char *value, size_t size, hl_error *error)
{
    PGresult *result = NULL;
    int code = lookup_text(hl_pg_store_of(base), CONFIG_GET, key, "config_get", &result, error);
    if (code == HL_ENOTFOUND)
        return hl_pg_not_found("配置项", "setting", key, error);
    if (code != HL_OK)
        return code;
    /* A cut-off setting would be read as a different setting: refuse. */
    if ((size_t)PQgetlength(result, 0, 0) >= size)
        code = hl_error_set(
            error, HL_EINVAL, key,
            HL_T("配置项 %s 的值超过 %zu 字节", "the value of setting %s is longer than %zu bytes"),
            key, size - 1);
    else
        hl_pg_text(result, 0, 0, value, size);
    PQclear(result);
    return code;
}

static int pg_config_set(hl_store *base, const char *key, const char *value, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, key);
    hl_pg_param_text(&params, value);
    return write_and_free(hl_pg_store_of(base), CONFIG_SET, &params, "config_set", error);
}

typedef struct config_visit {
    int (*visit)(void *context, const char *key, const char *value);
    void *context;
} config_visit;

static int visit_config_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    config_visit *visitor = context;
    return visitor->visit(visitor->context, PQgetvalue(result, row, 0), PQgetvalue(result, row, 1));
}

static int pg_config_each(hl_store *base,
                          int (*visit)(void *context, const char *key, const char *value),
                          void *context, hl_error *error)
{
    config_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base), CONFIG_EACH, false, NULL, "config_each",
                       visit_config_row, &visitor, error);
}

static void read_unit(const PGresult *result, int row, hl_unit *unit)
{
    HL_PG_TEXT(result, row, 0, unit->code);
    HL_PG_TEXT(result, row, 1, unit->name);
    HL_PG_TEXT(result, row, 2, unit->group);
    HL_PG_TEXT(result, row, 3, unit->parent);
    unit->active = hl_pg_bool(result, row, 4);
}

static int pg_unit_put(hl_store *base, const hl_unit *unit, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    HL_PG_PARAM_FIELD(&params, unit->code);
    HL_PG_PARAM_FIELD(&params, unit->name);
    HL_PG_PARAM_FIELD(&params, unit->group);
    HL_PG_PARAM_FIELD(&params, unit->parent);
    hl_pg_param_bool(&params, unit->active);
    return write_and_free(hl_pg_store_of(base), UNIT_PUT, &params, "unit_put", error);
}

static int pg_unit_get(hl_store *base, const char *code, hl_unit *out, hl_error *error)
{
    PGresult *result = NULL;
    int status = lookup_text(hl_pg_store_of(base), UNIT_GET, code, "unit_get", &result, error);
    if (status == HL_ENOTFOUND)
        return hl_pg_not_found("单位", "unit", code, error);
    if (status != HL_OK)
        return status;
    read_unit(result, 0, out);
    PQclear(result);
    return HL_OK;
}

typedef struct unit_visit {
    hl_unit_visitor visit;
    void *context;
} unit_visit;

static int visit_unit_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    unit_visit *visitor = context;
    hl_unit unit;
    read_unit(result, row, &unit);
    return visitor->visit(visitor->context, &unit);
}

static int pg_unit_each(hl_store *base, hl_unit_visitor visit, void *context, hl_error *error)
{
    unit_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base), UNIT_EACH, false, NULL, "unit_each", visit_unit_row,
                       &visitor, error);
}

static void read_category(const PGresult *result, int row, hl_category *category)
{
    HL_PG_TEXT(result, row, 0, category->code);
    HL_PG_TEXT(result, row, 1, category->name);
    HL_PG_TEXT(result, row, 2, category->parent);
    HL_PG_TEXT(result, row, 3, category->default_unit);
    category->handle_days = hl_pg_int(result, row, 4);
    category->active = hl_pg_bool(result, row, 5);
}

static int pg_category_put(hl_store *base, const hl_category *category, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    HL_PG_PARAM_FIELD(&params, category->code);
    HL_PG_PARAM_FIELD(&params, category->name);
    HL_PG_PARAM_FIELD(&params, category->parent);
    HL_PG_PARAM_FIELD(&params, category->default_unit);
    hl_pg_param_int64(&params, category->handle_days);
    hl_pg_param_bool(&params, category->active);
    return write_and_free(hl_pg_store_of(base), CATEGORY_PUT, &params, "category_put", error);
}

static int pg_category_get(hl_store *base, const char *code, hl_category *out, hl_error *error)
{
    PGresult *result = NULL;
    int status =
        lookup_text(hl_pg_store_of(base), CATEGORY_GET, code, "category_get", &result, error);
    if (status == HL_ENOTFOUND)
        return hl_pg_not_found("诉求分类", "category", code, error);
    if (status != HL_OK)
        return status;
    read_category(result, 0, out);
    PQclear(result);
    return HL_OK;
}

typedef struct category_visit {
    hl_category_visitor visit;
    void *context;
} category_visit;

static int visit_category_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    category_visit *visitor = context;
    hl_category category;
    read_category(result, row, &category);
    return visitor->visit(visitor->context, &category);
}

static int pg_category_each(hl_store *base, hl_category_visitor visit, void *context,
                            hl_error *error)
{
    category_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base), CATEGORY_EACH, false, NULL, "category_each",
                       visit_category_row, &visitor, error);
}

/* Reads a user: HL_OK, or HL_EIO when the stored role is unknown to this
 * build. */
static int read_user(const PGresult *result, int row, hl_user *user, hl_error *error)
{
    HL_PG_TEXT(result, row, 0, user->username);
    HL_PG_TEXT(result, row, 1, user->display_name);
    int role = 0;
    if (!hl_pg_read_enum(result, row, 2, hl_pg_role_name, HL_ROLE_COUNT, &role))
        return hl_pg_corrupt_value(result, row, 2, error);
    user->role = (hl_role)role;
    HL_PG_TEXT(result, row, 3, user->unit);
    user->active = hl_pg_bool(result, row, 4);
    return HL_OK;
}

static int pg_user_put(hl_store *base, const hl_user *user, hl_error *error)
{
    const char *role = hl_pg_encode_enum((int)user->role, hl_pg_role_name, HL_ROLE_COUNT);
    if (role == NULL)
        return hl_pg_bad_enum("role", (int)user->role, error);
    hl_pg_params params;
    hl_pg_params_init(&params);
    HL_PG_PARAM_FIELD(&params, user->username);
    HL_PG_PARAM_FIELD(&params, user->display_name);
    hl_pg_param_text(&params, role);
    HL_PG_PARAM_FIELD(&params, user->unit);
    hl_pg_param_bool(&params, user->active);
    return write_and_free(hl_pg_store_of(base), USER_PUT, &params, "user_put", error);
}

static int pg_user_get(hl_store *base, const char *username, hl_user *out, hl_error *error)
{
    PGresult *result = NULL;
    int status = lookup_text(hl_pg_store_of(base), USER_GET, username, "user_get", &result, error);
    if (status == HL_ENOTFOUND)
        return hl_pg_not_found("用户", "user", username, error);
    if (status != HL_OK)
        return status;
    status = read_user(result, 0, out, error);
    PQclear(result);
    return status;
}

typedef struct user_visit {
    hl_user_visitor visit;
    void *context;
} user_visit;

static int visit_user_row(PGresult *result, int row, void *context, hl_error *error)
{
    user_visit *visitor = context;
    hl_user user;
    int status = read_user(result, row, &user, error);
    return status != HL_OK ? status : visitor->visit(visitor->context, &user);
}

static int pg_user_each(hl_store *base, hl_user_visitor visit, void *context, hl_error *error)
{
    user_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base), USER_EACH, false, NULL, "user_each", visit_user_row,
                       &visitor, error);
}

static const char *day_kind_name(int value)
{
    return value == HL_DAY_OFF ? "off" : value == HL_DAY_WORK ? "work" : NULL;
}

static int load_calendar_row(PGresult *result, int row, void *context, hl_error *error)
{
    int64_t day = hl_pg_int64(result, row, 0);
    int kind = 0;
    if (!hl_pg_read_enum(result, row, 1, day_kind_name, 2, &kind))
        return hl_pg_corrupt_value(result, row, 1, error);
    if (day < INT32_MIN || day > INT32_MAX)
        return hl_pg_corrupt_value(result, row, 0, error);
    char festival[sizeof(((hl_calendar_entry *)NULL)->festival)];
    HL_PG_TEXT(result, row, 2, festival);
    hl_calendar_set(context, (int32_t)day, (hl_day_kind)kind, festival);
    return HL_OK;
}

/* Adds every stored day to `out`, which the caller has initialised. */
static int pg_calendar_load(hl_store *base, hl_calendar *out, hl_error *error)
{
    return hl_pg_visit(hl_pg_store_of(base), CALENDAR_LOAD, false, NULL, "calendar_load",
                       load_calendar_row, out, error);
}

static int pg_calendar_put(hl_store *base, const hl_calendar_entry *entry, hl_error *error)
{
    const char *kind = hl_pg_encode_enum((int)entry->kind, day_kind_name, 2);
    if (kind == NULL)
        return hl_pg_bad_enum("kind", (int)entry->kind, error);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, entry->day);
    hl_pg_param_text(&params, kind);
    HL_PG_PARAM_FIELD(&params, entry->festival);
    return write_and_free(hl_pg_store_of(base), CALENDAR_PUT, &params, "calendar_put", error);
}

static const char *attribute_type_name(int value)
{
    return hl_attribute_type_name((hl_attribute_type)value);
}

static int read_attribute(const PGresult *result, int row, hl_attribute *attribute, hl_error *error)
{
    HL_PG_TEXT(result, row, 0, attribute->category);
    HL_PG_TEXT(result, row, 1, attribute->code);
    attribute->position = hl_pg_int(result, row, 2);
    int datatype = 0;
    if (!hl_pg_read_enum(result, row, 3, attribute_type_name, HL_ATTRIBUTE_TYPE_COUNT, &datatype))
        return hl_pg_corrupt_value(result, row, 3, error);
    attribute->datatype = (hl_attribute_type)datatype;
    attribute->required = hl_pg_bool(result, row, 4);
    attribute->variable = hl_pg_bool(result, row, 5);
    HL_PG_TEXT(result, row, 6, attribute->description);
    HL_PG_TEXT(result, row, 7, attribute->datatype_description);
    HL_PG_TEXT(result, row, 8, attribute->values);
    return HL_OK;
}

static int pg_attribute_put(hl_store *base, const hl_attribute *attribute, hl_error *error)
{
    const char *datatype =
        hl_pg_encode_enum((int)attribute->datatype, attribute_type_name, HL_ATTRIBUTE_TYPE_COUNT);
    if (datatype == NULL)
        return hl_pg_bad_enum("datatype", (int)attribute->datatype, error);
    hl_pg_params params;
    hl_pg_params_init(&params);
    HL_PG_PARAM_FIELD(&params, attribute->category);
    HL_PG_PARAM_FIELD(&params, attribute->code);
    hl_pg_param_int64(&params, attribute->position);
    hl_pg_param_text(&params, datatype);
    hl_pg_param_bool(&params, attribute->required);
    hl_pg_param_bool(&params, attribute->variable);
    HL_PG_PARAM_FIELD(&params, attribute->description);
    HL_PG_PARAM_FIELD(&params, attribute->datatype_description);
    HL_PG_PARAM_FIELD(&params, attribute->values);
    return write_and_free(hl_pg_store_of(base), ATTRIBUTE_PUT, &params, "attribute_put", error);
}

static int pg_attribute_clear(hl_store *base, const char *category, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, category);
    return write_and_free(hl_pg_store_of(base), ATTRIBUTE_CLEAR, &params, "attribute_clear", error);
}

/* The attribute is large (its choices run to kilobytes): one scratch
 * record from the heap serves the whole walk. */
typedef struct attribute_visit {
    hl_attribute_visitor visit;
    void *context;
    hl_attribute *record;
} attribute_visit;

static int visit_attribute_row(PGresult *result, int row, void *context, hl_error *error)
{
    attribute_visit *visitor = context;
    int status = read_attribute(result, row, visitor->record, error);
    return status != HL_OK ? status : visitor->visit(visitor->context, visitor->record);
}

static int pg_attribute_each(hl_store *base, const char *category, hl_attribute_visitor visit,
                             void *context, hl_error *error)
{
    /* A category: its attributes; none: every category's. */
    hl_pg_params params;
    hl_pg_params_init(&params);
    if (category != NULL)
        hl_pg_param_text(&params, category);
    attribute_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_attribute))};
    int result =
        hl_pg_visit(hl_pg_store_of(base), category != NULL ? ATTRIBUTE_OF : ATTRIBUTE_ALL, false,
                    &params, "attribute_each", visit_attribute_row, &visitor, error);
    free(visitor.record);
    hl_pg_params_free(&params);
    return result;
}

void hl_pg_directory_ops(hl_store_ops *ops)
{
    ops->config_get = pg_config_get;
    ops->config_set = pg_config_set;
    ops->config_each = pg_config_each;
    ops->unit_put = pg_unit_put;
    ops->unit_get = pg_unit_get;
    ops->unit_each = pg_unit_each;
    ops->category_put = pg_category_put;
    ops->category_get = pg_category_get;
    ops->category_each = pg_category_each;
    ops->user_put = pg_user_put;
    ops->user_get = pg_user_get;
    ops->user_each = pg_user_each;
    ops->calendar_load = pg_calendar_load;
    ops->calendar_put = pg_calendar_put;
    ops->attribute_put = pg_attribute_put;
    ops->attribute_clear = pg_attribute_clear;
    ops->attribute_each = pg_attribute_each;
}
