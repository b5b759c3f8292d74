/* report.c: gathers what the monthly bulletin needs from the store.
 *
 * One read transaction: the month's rollup rows and the previous month's,
 * the directory of units (names and groups), and the report settings. The
 * measures, ranks and layout are computed in domain/ (assessment.c,
 * bulletin.c); this module neither computes rates nor formats text. */
#include "app/report.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/array.h"
#include "base/i18n.h"

#define DEFAULT_TITLE "12345政务服务便民热线"
#define DEFAULT_HOTLINE_NAME "市政府12345政务服务便民热线"

typedef struct report_context {
    hl_unit_counts *units;
    size_t count;
    size_t capacity;
    hl_assessment_policy *policy;
    hl_error *error;
    int result;
} report_context;

static int load_policy_setting(void *context, const char *key, const char *value)
{
    report_context *report = context;
    if (strncmp(key, "report.", 7) != 0)
        return 0;
    const char *name = key + 7;
    if (strcmp(name, "group_order") == 0 || strcmp(name, "title") == 0 ||
        strcmp(name, "hotline_name") == 0)
        return 0;
    hl_error ignored;
    /* A setting this build no longer accepts keeps the default. */
    hl_assessment_policy_set(report->policy, name, value, &ignored);
    return 0;
}

int hl_report_policy(hl_app *app, hl_assessment_policy *policy, hl_error *error)
{
    hl_assessment_policy_default(policy);
    report_context report = {NULL, 0, 0, policy, error, HL_OK};
    return hl_store_config_each(app->store, load_policy_setting, &report, error);
}

int hl_report_set(hl_app *app, const char *key, const char *value, hl_error *error)
{
    if (strncmp(key, "report.", 7) != 0)
        return hl_error_set(error, HL_EINVAL, "key", "not a report setting: %.64s", key);
    const char *name = key + 7;
    bool text_setting = strcmp(name, "group_order") == 0 || strcmp(name, "title") == 0 ||
                        strcmp(name, "hotline_name") == 0;
    if (text_setting) {
        char checked[HL_REASON_BYTES];
        int result = hl_text_copy(checked, sizeof checked, hl_slice_trim(hl_slice_of(value)),
                                  HL_REASON_CHARS, false, key, error);
        if (result != HL_OK)
            return result;
    } else {
        hl_assessment_policy policy;
        int result = hl_report_policy(app, &policy, error);
        if (result == HL_OK)
            result = hl_assessment_policy_set(&policy, name, value, error);
        if (result == HL_OK)
            result = hl_assessment_policy_check(&policy, error);
        if (result != HL_OK)
            return result;
    }
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK)
            result = hl_app_finish(app, hl_store_config_set(app->store, key, value, error), error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

static hl_unit_counts *find_or_add(report_context *report, const char *unit)
{
    for (size_t index = 0; index < report->count; index++)
        if (strcmp(report->units[index].unit, unit) == 0)
            return &report->units[index];
    HL_ARRAY_GROW(report->units, report->count, report->capacity);
    hl_unit_counts *added = &report->units[report->count++];
    memset(added, 0, sizeof *added);
    snprintf(added->unit, sizeof added->unit, "%s", unit);
    return added;
}

static int add_unit(void *context, const hl_unit *unit)
{
    report_context *report = context;
    hl_unit_counts *counts = find_or_add(report, unit->code);
    snprintf(counts->name, sizeof counts->name, "%s", unit->name);
    snprintf(counts->group, sizeof counts->group, "%s", unit->group);
    return 0;
}

static int add_current(void *context, const hl_rollup_delta *row)
{
    report_context *report = context;
    if (row->unit[0] == '\0')
        return 0; /* the centre itself is not a unit of the bulletin */
    find_or_add(report, row->unit)->counters[row->counter] += row->amount;
    return 0;
}

static int add_previous(void *context, const hl_rollup_delta *row)
{
    report_context *report = context;
    if (row->unit[0] == '\0')
        return 0;
    hl_unit_counts *counts = find_or_add(report, row->unit);
    counts->previous[row->counter] += row->amount;
    counts->has_previous = true;
    return 0;
}

typedef struct texts {
    char group_order[HL_REASON_BYTES];
    hl_bulletin_meta *meta;
} texts;

static int read_text_setting(void *context, const char *key, const char *value)
{
    texts *settings = context;
    if (strcmp(key, "report.group_order") == 0)
        snprintf(settings->group_order, sizeof settings->group_order, "%s", value);
    else if (strcmp(key, "report.title") == 0)
        snprintf(settings->meta->title, sizeof settings->meta->title, "%s", value);
    else if (strcmp(key, "report.hotline_name") == 0)
        snprintf(settings->meta->hotline_name, sizeof settings->meta->hotline_name, "%s", value);
    return 0;
}

typedef struct exclusion_list {
    hl_exclusion *items;
    size_t count;
    size_t capacity;
} exclusion_list;

static int collect_exclusion(void *context, const hl_order *order)
{
    exclusion_list *list = context;
    HL_ARRAY_GROW(list->items, list->count, list->capacity);
    hl_exclusion *item = &list->items[list->count++];
    item->order_id = order->id;
    snprintf(item->unit, sizeof item->unit, "%s", order->lead_unit);
    snprintf(item->reason, sizeof item->reason, "%s", order->appeal_reason);
    return 0;
}

void hl_report_inputs_free(hl_report_inputs *inputs)
{
    free(inputs->units);
    free(inputs->exclusions);
    memset(inputs, 0, sizeof *inputs);
}

int hl_report_gather(hl_app *app, int month, hl_report_inputs *out, hl_chain_head *events_head,
                     hl_error *error)
{
    memset(out, 0, sizeof *out);
    out->month = month;
    hl_bulletin_meta *meta = &out->meta;
    snprintf(meta->title, sizeof meta->title, "%s", DEFAULT_TITLE);
    snprintf(meta->hotline_name, sizeof meta->hotline_name, "%s", DEFAULT_HOTLINE_NAME);
    meta->month = month;
    hl_clock_format_iso(hl_clock_now(), meta->generated_at, sizeof meta->generated_at);
    int previous_month = month % 100 == 1 ? (month / 100 - 1) * 100 + 12 : month - 1;

    report_context report = {NULL, 0, 0, NULL, error, HL_OK};
    texts settings = {"", meta};
    /* One snapshot: the two months, the directory and the event chain's
     * head as of the same instant. */
    int result = hl_app_read_begin(app, error);
    if (result == HL_OK)
        result = hl_store_unit_each(app->store, add_unit, &report, error);
    if (result == HL_OK)
        result = hl_store_rollup_month(app->store, month, add_current, &report, error);
    if (result == HL_OK)
        result = hl_store_rollup_month(app->store, previous_month, add_previous, &report, error);
    if (result == HL_OK)
        result = hl_store_config_each(app->store, read_text_setting, &settings, error);
    /* The orders excluded by upheld appeals, so that the bulletin can say why. */
    exclusion_list exclusions = {NULL, 0, 0};
    hl_order_filter excluded = {0};
    excluded.assessed_month = month;
    excluded.appeal_upheld = true;
    if (result == HL_OK)
        result = hl_store_order_query(app->store, &excluded, collect_exclusion, &exclusions, error);
    if (result == HL_OK && events_head != NULL)
        result = hl_store_chain_head(app->store, HL_CHAIN_EVENTS, events_head, error);
    hl_app_read_end(app);
    out->units = report.units;
    out->count = report.count;
    out->exclusions = exclusions.items;
    out->exclusion_count = exclusions.count;
    snprintf(out->group_order, sizeof out->group_order, "%s", settings.group_order);
    if (result != HL_OK)
        hl_report_inputs_free(out);
    return result;
}

int hl_report_compute(const hl_report_inputs *inputs, const hl_assessment_policy *policy,
                      hl_assessment *out, hl_error *error)
{
    /* The group order: comma-separated names. */
    char group_order[HL_REASON_BYTES];
    snprintf(group_order, sizeof group_order, "%s", inputs->group_order);
    const char *groups[32];
    size_t group_count = 0;
    char *cursor = group_order;
    while (*cursor != '\0' && group_count < 32) {
        groups[group_count++] = cursor;
        char *comma = strchr(cursor, ',');
        if (comma == NULL)
            break;
        *comma = '\0';
        cursor = comma + 1;
    }
    int month = inputs->month;
    int result = hl_assessment_compute(inputs->units, inputs->count, groups, group_count, policy,
                                       month, out, error);
    if (result == HL_OK && inputs->exclusion_count > 0) {
        out->exclusions = hl_xmalloc(inputs->exclusion_count * sizeof *out->exclusions);
        memcpy(out->exclusions, inputs->exclusions,
               inputs->exclusion_count * sizeof *out->exclusions);
        out->exclusion_count = inputs->exclusion_count;
    }
    /* The bulletin is about surveyed completions: a month without any has
     * nothing to publish, even if orders moved in it. */
    if (result == HL_OK && out->base == 0) {
        char shown[16];
        snprintf(shown, sizeof shown, "%04d-%02d", month / 100, month % 100);
        hl_assessment_free(out);
        result = hl_error_set(error, HL_ENOTFOUND, "month",
                              HL_T("%s 没有回访结果", "no survey results for %s"), shown);
    }
    return result;
}

int hl_report_build(hl_app *app, int month, const hl_assessment_policy *policy, hl_assessment *out,
                    hl_bulletin_meta *meta, hl_error *error)
{
    hl_report_inputs inputs;
    int result = hl_report_gather(app, month, &inputs, NULL, error);
    if (result != HL_OK) {
        memset(meta, 0, sizeof *meta);
        return result;
    }
    *meta = inputs.meta;
    result = hl_report_compute(&inputs, policy, out, error);
    hl_report_inputs_free(&inputs);
    return result;
}
