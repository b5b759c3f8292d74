/* admin.c: the administrator's single-record writes to the directory and
 * the calendar (see admin.h).
 *
 * Each function checks the record as the CSV loads of transfer_load.c check a
 * row (the field checks of domain/directory, references looked up in the
 * store), then writes it in one transaction, inside which the references
 * are checked again, so that a concurrent change cannot slip between the
 * check and the write. It does not decide who may call it (app/auth) and
 * does not touch users (auth.c: passwords and sessions). */
#include "app/admin.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/contract.h"
#include "base/i18n.h"

/* Copies an optional code ("" for NULL or blank). */
static int copy_optional_code(char *destination, const char *text, const char *field,
                              hl_error *error)
{
    HL_REQUIRE(destination != NULL && field != NULL);
    destination[0] = '\0';
    if (text == NULL || hl_slice_trim(hl_slice_of(text)).len == 0)
        return HL_OK;
    return hl_directory_copy_code(destination, hl_slice_of(text), field, error);
}

static int copy_name(char *destination, size_t capacity, const char *text, const char *field,
                     bool required, hl_error *error)
{
    hl_slice name = hl_slice_trim(hl_slice_of(text));
    if (required && name.len == 0)
        return hl_error_set(error, HL_EINVAL, field, HL_T("缺少必填项 %s", "%s is required"),
                            field);
    return hl_text_copy(destination, capacity, name, HL_NAME_CHARS, false, field, error);
}

/* A lookup's result as an answer to whether its key exists: HL_OK with
 * *exists, or the storage failure with the lookup's message. */
static int existence(int result, const hl_error *lookup, bool *exists, hl_error *error)
{
    *exists = result == HL_OK;
    if (result != HL_OK && result != HL_ENOTFOUND) {
        *error = *lookup;
        return result;
    }
    return HL_OK;
}

static int unit_exists(hl_app *app, const char *code, bool *exists, hl_error *error)
{
    hl_unit unit;
    hl_error lookup;
    hl_error_clear(&lookup);
    return existence(hl_store_unit_get(app->store, code, &unit, &lookup), &lookup, exists, error);
}

static int category_exists(hl_app *app, const char *code, bool *exists, hl_error *error)
{
    hl_category category;
    hl_error lookup;
    hl_error_clear(&lookup);
    return existence(hl_store_category_get(app->store, code, &category, &lookup), &lookup, exists,
                     error);
}

static int no_unit(const char *field, const char *code, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("单位 %s 不存在", "no unit %s"), code);
}

/* ---- Units ---- */

int hl_admin_put_unit(hl_app *app, const hl_admin_unit_fields *fields, hl_unit *out, bool *created,
                      hl_error *error)
{
    memset(out, 0, sizeof *out);
    *created = false;
    int result = hl_directory_copy_code(out->code, hl_slice_of(fields->code), "code", error);
    if (result == HL_OK)
        result = copy_name(out->name, sizeof out->name, fields->name, "name", true, error);
    if (result == HL_OK)
        result = copy_name(out->group, sizeof out->group, fields->group, "group", false, error);
    if (result == HL_OK)
        result = copy_optional_code(out->parent, fields->parent, "parent", error);
    out->active = fields->active;
    if (result == HL_OK)
        result = hl_directory_unit_validate(out, error);
    if (result != HL_OK)
        return result;
    bool exists = false;
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        bool parent_exists = true;
        result = unit_exists(app, out->code, &exists, error);
        if (result == HL_OK && out->parent[0] != '\0')
            result = unit_exists(app, out->parent, &parent_exists, error);
        if (result == HL_OK && !parent_exists)
            result = hl_error_set(error, HL_EINVAL, "parent",
                                  HL_T("上级单位 %s 不存在", "no parent unit %s"), out->parent);
        if (result == HL_OK)
            result = hl_store_unit_put(app->store, out, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK)
        *created = !exists;
    return result;
}

/* ---- Categories ---- */

int hl_admin_put_category(hl_app *app, const hl_admin_category_fields *fields, hl_category *out,
                          bool *created, hl_error *error)
{
    memset(out, 0, sizeof *out);
    *created = false;
    int result = hl_directory_copy_code(out->code, hl_slice_of(fields->code), "code", error);
    if (result == HL_OK)
        result = copy_name(out->name, sizeof out->name, fields->name, "name", true, error);
    if (result == HL_OK)
        result = copy_optional_code(out->parent, fields->parent, "parent", error);
    if (result == HL_OK)
        result = copy_optional_code(out->default_unit, fields->default_unit, "default_unit", error);
    /* Beyond int is beyond the rule's range too: domain/directory says so. */
    long long days = fields->handle_days;
    out->handle_days = days < INT_MIN ? INT_MIN : days > INT_MAX ? INT_MAX : (int)days;
    out->active = fields->active;
    if (result == HL_OK)
        result = hl_directory_category_validate(out, error);
    if (result != HL_OK)
        return result;
    bool exists = false;
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        bool parent_exists = true, unit_found = true;
        result = category_exists(app, out->code, &exists, error);
        if (result == HL_OK && out->parent[0] != '\0')
            result = category_exists(app, out->parent, &parent_exists, error);
        if (result == HL_OK && !parent_exists)
            result = hl_error_set(error, HL_EINVAL, "parent",
                                  HL_T("上级分类 %s 不存在", "no parent category %s"), out->parent);
        if (result == HL_OK && out->default_unit[0] != '\0')
            result = unit_exists(app, out->default_unit, &unit_found, error);
        if (result == HL_OK && !unit_found)
            result = no_unit("default_unit", out->default_unit, error);
        if (result == HL_OK)
            result = hl_store_category_put(app->store, out, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK)
        *created = !exists;
    return result;
}

/* ---- The calendar ---- */

const char *hl_admin_day_kind_name(hl_day_kind kind)
{
    return kind == HL_DAY_WORK ? "workday" : "holiday";
}

int hl_admin_put_calendar_day(hl_app *app, const char *date, const char *kind, const char *name,
                              hl_calendar_entry *out, bool *created, hl_error *error)
{
    memset(out, 0, sizeof *out);
    *created = false;
    if (date == NULL || hl_clock_parse_day(hl_slice_trim(hl_slice_of(date)), &out->day) != HL_OK)
        return hl_error_set(
            error, HL_EINVAL, "date", "%s",
            HL_T("date 须为 YYYY-MM-DD 格式的日期", "date takes a date as YYYY-MM-DD"));
    hl_slice kind_text = hl_slice_trim(hl_slice_of(kind));
    if (hl_slice_equal(kind_text, "holiday"))
        out->kind = HL_DAY_OFF;
    else if (hl_slice_equal(kind_text, "workday"))
        out->kind = HL_DAY_WORK;
    else
        return hl_error_set(
            error, HL_EINVAL, "kind", "%s",
            HL_T("kind 须为 holiday（放假）或 workday（调休上班）",
                 "kind takes holiday (a day off) or workday (a weekend day worked)"));
    int result = hl_text_copy(out->festival, sizeof out->festival, hl_slice_trim(hl_slice_of(name)),
                              sizeof out->festival - 1, false, "name", error);
    if (result != HL_OK)
        return result;
    bool listed = false;
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        hl_calendar stored;
        hl_calendar_init(&stored);
        result = hl_store_calendar_load(app->store, &stored, error);
        listed = false;
        for (size_t index = 0; result == HL_OK && index < stored.count; index++)
            listed = listed || stored.entries[index].day == out->day;
        hl_calendar_free(&stored);
        if (result == HL_OK)
            result = hl_store_calendar_put(app->store, out, error);
        if (result == HL_OK)
            result = hl_app_bump_settings(app, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result != HL_OK)
        return result;
    *created = !listed;
    /* This thread counts with it at once; the others at their next refresh. */
    hl_calendar_set(&app->calendar, out->day, out->kind, out->festival);
    return HL_OK;
}

int hl_admin_each_calendar_day(hl_app *app, int year,
                               int (*visit)(void *context, const hl_calendar_entry *entry),
                               void *context, hl_error *error)
{
    hl_calendar stored;
    hl_calendar_init(&stored);
    int result = hl_store_calendar_load(app->store, &stored, error);
    int32_t first = hl_clock_day_from_civil(year, 1, 1),
            after = hl_clock_day_from_civil(year + 1, 1, 1);
    for (size_t index = 0; result == HL_OK && index < stored.count; index++)
        if (stored.entries[index].day >= first && stored.entries[index].day < after)
            result = visit(context, &stored.entries[index]);
    hl_calendar_free(&stored);
    return result;
}
