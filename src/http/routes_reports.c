/* routes_reports.c: the monthly bulletin over HTTP (see routes_reports.h).
 *
 * Builds the month's assessment through app/report and renders it in the
 * format asked. Who may read bulletins is app/auth's rule. */
#include "http/routes_reports.h"

#include <string.h>

#include "app/report.h"
#include "base/i18n.h"
#include "domain/bulletin.h"
#include "http/route_support.h"

static const struct {
    hl_bulletin_format format;
    const char *content_type;
} report_types[] = {
    {HL_BULLETIN_TEXT, "text/plain; charset=utf-8"},
    {HL_BULLETIN_MARKDOWN, "text/markdown; charset=utf-8"},
    {HL_BULLETIN_CSV, "text/csv; charset=utf-8"},
    {HL_BULLETIN_JSON, HL_JSON_TYPE},
    {HL_BULLETIN_HTML, "text/html; charset=utf-8"},
};

void hl_routes_reports_get(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response)
{
    const hl_user *user = context->user;
    hl_slice month_text = context->parameters[0];
    hl_error error;
    hl_error_clear(&error);
    if (!hl_auth_may_read_reports(user)) {
        hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), NULL,
                               HL_T("您的角色无权查看通报", "your role may not read the bulletins"));
        return;
    }
    int month = 0;
    if (hl_clock_parse_month(month_text, &month) != HL_OK) {
        hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), "month",
                               HL_T("月份须为 YYYY-MM", "the month must be YYYY-MM"));
        return;
    }
    hl_bulletin_format format = HL_BULLETIN_JSON;
    const char *format_text = request->query(request->query_context, "format");
    if (format_text != NULL && hl_bulletin_format_parse(format_text, &format) != HL_OK) {
        hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), "format",
                               HL_T("format 须为 json、csv、html、markdown 或 text",
                                    "format takes json, csv, html, markdown or text"));
        return;
    }
    hl_assessment_policy policy;
    if (hl_report_policy(request->app, &policy, &error) != HL_OK) {
        hl_route_error(response, &error);
        return;
    }
    hl_assessment assessment;
    hl_bulletin_meta meta;
    if (hl_report_build(request->app, month, &policy, &assessment, &meta, &error) != HL_OK) {
        hl_route_error(response, &error);
        return;
    }
    int result = hl_bulletin_render(&assessment, &meta, format, &response->body, &error);
    hl_assessment_free(&assessment);
    if (result != HL_OK) {
        hl_route_error(response, &error);
        return;
    }
    response->status = 200;
    for (size_t index = 0; index < sizeof report_types / sizeof report_types[0]; index++)
        if (report_types[index].format == format)
            response->content_type = report_types[index].content_type;
}

/* ---- Sessions and bodies ---- */
