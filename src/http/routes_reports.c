/* routes_reports.c: the monthly bulletin and the figures around it over
 * HTTP (see routes_reports.h).
 *
 * The months that have a bulletin, one month's bulletin in every format
 * (the workbook too), the trend of the survey's rates month by month, and a
 * month's orders by category. The figures come from app/ (the rollups
 * through app/report, the category counts through the store's index),
 * and the analyst's publication of a month (app/publish: a published
 * month answers its published bulletin and the correction since); the
 * rates are computed in domain/assessment, never here. Who may read them
 * is app/auth's rule (hl_auth_may_read_reports). */
#include "http/routes_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/auth.h"
#include "app/publish.h"
#include "app/report.h"
#include "base/array.h"
#include "base/i18n.h"
#include "domain/bulletin.h"
#include "http/route_support.h"
#include "report/render.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
/* The longest trend one request may ask for: ten years of months. */
#define TREND_MAX_MONTHS 120

static const struct {
    hl_render_format format;
    const char *content_type;
} report_types[] = {
    {HL_RENDER_TEXT, "text/plain; charset=utf-8"},
    {HL_RENDER_MARKDOWN, "text/markdown; charset=utf-8"},
    {HL_RENDER_CSV, "text/csv; charset=utf-8"},
    {HL_RENDER_JSON, HL_JSON_TYPE},
    {HL_RENDER_HTML, "text/html; charset=utf-8"},
};

static bool refuse_reports(const hl_user *user, hl_route_response *response)
{
    if (hl_auth_may_read_reports(user))
        return false;
    hl_route_forbidden(response,
                       HL_T("您的角色无权查看通报", "your role may not read the bulletins"));
    return true;
}

/* A month parameter (YYYY-MM): *month stays fallback when absent; false,
 * with a 400 naming it, when malformed. */
static bool month_parameter(const hl_route_request *request, const char *name, int fallback,
                            int *month, hl_route_response *response)
{
    const char *text = NULL;
    if (!hl_route_query(request, name, &text, response))
        return false;
    *month = fallback;
    if (text == NULL || hl_clock_parse_month(hl_slice_of(text), month) == HL_OK)
        return true;
    hl_route_field_invalid(response, name, HL_T("月份须为 YYYY-MM", "the month must be YYYY-MM"));
    return false;
}

static int next_month(int month)
{
    return month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
}

static int previous_month(int month, int count)
{
    int year = month / 100, number = month % 100 - count;
    while (number < 1) {
        number += 12;
        year--;
    }
    return year * 100 + number;
}

/* ---- The months that have a bulletin ---- */

/* Writes a month into the hl_json_list *context. */
static int write_month(void *context, int month, int64_t surveyed)
{
    if (surveyed <= 0)
        return 0; /* a month whose surveys were all taken back has nothing to publish */
    hl_buf_appendf(hl_json_list_next(context), "\"%04d-%02d\"", month / 100, month % 100);
    return 0;
}

void hl_routes_reports_months(const hl_route_request *request, const hl_route_context *context,
                              hl_route_response *response)
{
    if (refuse_reports(context->user, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_json_list writer = {&response->body, 0};
    hl_buf_append_str(&response->body, "{\"months\":[");
    if (!hl_route_ok(response, hl_app_survey_months(request->app, write_month, &writer, &error),
                     &error))
        return;
    hl_buf_append_str(&response->body, "]}\n");
    response->status = 200;
}

/* ---- One month's bulletin ---- */

void hl_routes_reports_get(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response)
{
    const hl_user *user = context->user;
    hl_slice month_text = context->parameters[0];
    hl_error error;
    hl_error_clear(&error);
    if (refuse_reports(user, response))
        return;
    int month = 0;
    if (hl_clock_parse_month(month_text, &month) != HL_OK) {
        hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), "month",
                              HL_T("月份须为 YYYY-MM", "the month must be YYYY-MM"));
        return;
    }
    hl_render_format format = HL_RENDER_JSON;
    const char *format_text = NULL;
    if (!hl_route_query(request, "format", &format_text, response))
        return;
    bool xlsx = format_text != NULL && strcmp(format_text, "xlsx") == 0;
    if (format_text != NULL && !xlsx && hl_render_format_parse(format_text, &format) != HL_OK) {
        hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), "format",
                              HL_T("format 须为 json、csv、html、markdown、text 或 xlsx",
                                   "format takes json, csv, html, markdown, text or xlsx"));
        return;
    }
    /* A published month answers its published bulletin, with its record
     * and the correction since (app/publish); another, the live one. */
    hl_publish_view view;
    int result = hl_publish_view_open(request->app, month, &view, &error);
    if (result == HL_OK) {
        hl_render_publication publication;
        char at[40];
        hl_publish_view_describe(&view, &publication, at);
        result =
            xlsx ? hl_render_xlsx_bytes(&view.published, &view.inputs.meta, &response->body, &error)
                 : hl_render_published(&publication, &view.inputs.meta, format, &response->body,
                                       &error);
    }
    hl_publish_view_free(&view);
    if (result == HL_ENOTFOUND) {
        hl_error_clear(&error);
        hl_assessment_policy policy;
        if (!hl_route_ok(response, hl_report_policy(request->app, &policy, &error), &error))
            return;
        hl_assessment assessment;
        hl_bulletin_meta meta;
        if (!hl_route_ok(response,
                         hl_report_build(request->app, month, &policy, &assessment, &meta, &error),
                         &error))
            return;
        result = xlsx ? hl_render_xlsx_bytes(&assessment, &meta, &response->body, &error)
                      : hl_render_bulletin(&assessment, &meta, format, &response->body, &error);
        hl_assessment_free(&assessment);
    }
    if (!hl_route_ok(response, result, &error))
        return;
    response->status = 200;
    if (xlsx) {
        response->content_type = XLSX_TYPE;
        snprintf(response->content_disposition, sizeof response->content_disposition,
                 "attachment; filename=\"bulletin-%04d-%02d.xlsx\"", month / 100, month % 100);
        return;
    }
    for (size_t index = 0; index < HL_COUNT_OF(report_types); index++)
        if (report_types[index].format == format)
            response->content_type = report_types[index].content_type;
}

/* ---- Publishing a month ---- */

void hl_routes_reports_publish(const hl_route_request *request, const hl_route_context *context,
                               hl_route_response *response)
{
    const hl_user *user = context->user;
    if (!hl_auth_may_publish_reports(user)) {
        hl_route_forbidden(
            response, HL_T("只有分析员可以公布通报", "only an analyst may publish a bulletin"));
        return;
    }
    int month = 0;
    if (hl_clock_parse_month(context->parameters[0], &month) != HL_OK) {
        hl_route_field_invalid(response, "month",
                               HL_T("月份须为 YYYY-MM", "the month must be YYYY-MM"));
        return;
    }
    hl_json_field fields[] = {{.name = "new_edition", .kind = HL_JSON_BOOLEAN, .optional = true},
                              {.name = "note", .optional = true}};
    if (!hl_route_parse_body(request, fields, HL_COUNT_OF(fields), response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_publication record;
    if (!hl_route_ok(response,
                     hl_publish_month(request->app, user->username, request->client_address, month,
                                      fields[0].present && fields[0].boolean, fields[1].value,
                                      &record, &error),
                     &error))
        return;
    char at[40];
    hl_clock_format_iso(record.published_at, at, sizeof at);
    hl_buf *out = &response->body;
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_month(out, &first, "month", month);
    hl_json_out_int(out, &first, "edition", record.edition);
    hl_json_out_string(out, &first, "published_at", at);
    hl_json_out_string(out, &first, "published_by", record.published_by);
    hl_json_out_string(out, &first, "note", record.note);
    hl_buf_appendf(out, ",\"chain\":{\"seq\":%lld,\"hash\":\"%s\"}", (long long)record.chain.seq,
                   record.chain.hash);
    hl_json_out_string(out, &first, "digest", record.digest);
    hl_json_out_int(out, &first, "surveyed", (long long)record.surveyed);
    hl_json_out_int(out, &first, "reached", (long long)record.reached);
    hl_json_out_int(out, &first, "satisfied", (long long)record.satisfied);
    hl_buf_append_str(out, "}\n");
    response->status = 201;
}

/* ---- The trend ---- */

static void append_percent(hl_buf *out, bool *first, const char *key, hl_ratio ratio)
{
    hl_json_out_key(out, first, key);
    hl_assessment_append_json_percent(out, ratio);
}

void hl_routes_reports_trend(const hl_route_request *request, const hl_route_context *context,
                             hl_route_response *response)
{
    if (refuse_reports(context->user, response))
        return;
    int this_month = hl_clock_month_of(request->now);
    int to = 0, from = 0;
    if (!month_parameter(request, "to", this_month, &to, response) ||
        !month_parameter(request, "from", previous_month(to, 11), &from, response))
        return;
    int span = (to / 100 - from / 100) * 12 + (to % 100 - from % 100) + 1;
    if (span < 1 || span > TREND_MAX_MONTHS) {
        char message[160];
        snprintf(message, sizeof message, "%s %d",
                 HL_T("from 须不晚于 to，且两者相隔不超过（月）",
                      "from must not be after to, and at most this many months apart:"),
                 TREND_MAX_MONTHS);
        hl_route_field_invalid(response, "from", message);
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    hl_assessment_policy policy;
    if (!hl_route_ok(response, hl_report_policy(request->app, &policy, &error), &error))
        return;
    hl_buf *out = &response->body;
    hl_buf_append_char(out, '[');
    for (int month = from, index = 0; index < span; month = next_month(month), index++) {
        hl_assessment assessment;
        hl_bulletin_meta meta;
        memset(&assessment, 0, sizeof assessment);
        hl_error_clear(&error);
        /* The bulletin's own figures: a month without survey results is
         * HL_ENOTFOUND there, zeros and null rates here. */
        int result = hl_report_build(request->app, month, &policy, &assessment, &meta, &error);
        if (result != HL_OK && result != HL_ENOTFOUND) {
            hl_route_error(response, &error);
            return;
        }
        if (result != HL_OK)
            memset(&assessment, 0, sizeof assessment);
        bool first = true;
        if (index > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_char(out, '{');
        hl_json_out_month(out, &first, "month", month);
        hl_json_out_int(out, &first, "surveyed", (long long)assessment.base);
        hl_json_out_int(out, &first, "reached", (long long)assessment.succeeded);
        hl_json_out_int(out, &first, "satisfied", (long long)assessment.satisfied);
        append_percent(out, &first, "success_rate", assessment.success_rate);
        append_percent(out, &first, "satisfaction_rate", assessment.satisfaction_rate);
        hl_buf_append_char(out, '}');
        if (result == HL_OK)
            hl_assessment_free(&assessment);
    }
    hl_buf_append_str(out, "]\n");
    response->status = 200;
}

/* ---- A month's orders by category ---- */

typedef struct category_count {
    char code[HL_CODE_BYTES];
    int64_t orders;
} category_count;

typedef struct category_counts {
    category_count *items;
    size_t count, capacity;
} category_counts;

static int collect_category_count(void *context, const char *code, int64_t orders)
{
    category_counts *counts = context;
    HL_ARRAY_GROW(counts->items, counts->count, counts->capacity);
    category_count *item = &counts->items[counts->count++];
    snprintf(item->code, sizeof item->code, "%s", code);
    item->orders = orders;
    return 0;
}

/* Most orders first; ties by code. */
static int compare_counts(const void *left, const void *right)
{
    const category_count *a = left, *b = right;
    if (a->orders != b->orders)
        return a->orders > b->orders ? -1 : 1;
    return strcmp(a->code, b->code);
}

typedef struct category_names {
    const category_counts *counts;
    char (*names)[HL_NAME_BYTES]; /* one per counted category */
} category_names;

static int name_category(void *context, const hl_category *category)
{
    category_names *lookup = context;
    for (size_t index = 0; index < lookup->counts->count; index++)
        if (strcmp(lookup->counts->items[index].code, category->code) == 0)
            snprintf(lookup->names[index], HL_NAME_BYTES, "%s", category->name);
    return 0;
}

void hl_routes_stats_categories(const hl_route_request *request, const hl_route_context *context,
                                hl_route_response *response)
{
    if (refuse_reports(context->user, response))
        return;
    int month = 0;
    if (!month_parameter(request, "month", hl_clock_month_of(request->now), &month, response))
        return;
    hl_time from = hl_clock_start_of_day(hl_clock_day_from_civil(month / 100, month % 100, 1));
    int after = next_month(month);
    hl_time to = hl_clock_start_of_day(hl_clock_day_from_civil(after / 100, after % 100, 1));
    category_counts counts = {NULL, 0, 0};
    hl_error error;
    hl_error_clear(&error);
    int result =
        hl_app_count_by_category(request->app, from, to, collect_category_count, &counts, &error);
    category_names lookup = {&counts, hl_xcalloc(counts.count + 1, HL_NAME_BYTES)};
    if (result == HL_OK) {
        if (counts.count > 1) /* qsort takes no NULL array, even of none */
            qsort(counts.items, counts.count, sizeof *counts.items, compare_counts);
        result = hl_app_each_category(request->app, name_category, &lookup, &error);
    }
    if (result != HL_OK) {
        free(counts.items);
        free(lookup.names);
        hl_route_error(response, &error);
        return;
    }
    hl_buf *out = &response->body;
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_month(out, &first, "month", month);
    hl_buf_append_str(out, ",\"categories\":[");
    for (size_t index = 0; index < counts.count; index++) {
        const category_count *item = &counts.items[index];
        bool inner = true;
        if (index > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_char(out, '{');
        hl_json_out_name(out, &inner, "code", item->code[0] != '\0', item->code);
        hl_json_out_string(out, &inner, "name",
                           item->code[0] == '\0' ? HL_T("未分类", "uncategorized")
                                                 : lookup.names[index]);
        hl_json_out_int(out, &inner, "orders", (long long)item->orders);
        hl_buf_append_char(out, '}');
    }
    hl_buf_append_str(out, "]}\n");
    free(counts.items);
    free(lookup.names);
    response->status = 200;
}
