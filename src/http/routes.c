/* routes.c: the server's routes (see routes.h).
 *
 * Matches the decoded path against a fixed table, checks the method, finds
 * the session (Bearer token or cookie) of every /api/v1 route but login,
 * parses the parameters (an order number, a month, a format) and JSON
 * bodies (json_body.c: strict), calls app/ (also for the /metrics gauges: the
 * store's per-state counts and the overdue count), and writes JSON or the
 * bulletin. It decides no right: app/auth says who may read an order or the reports and who sees
 * citizens' personal data; routes.c masks phone numbers and names for the
 * others. Who may register or act is the workflow's rule, applied by app/
 * in the write's transaction, with app/auth's read rule first (an order the
 * user may not read is 404 for writes too). */
#include "http/routes.h"

#include <limits.h>
#include <stdbool.h>
#include <strings.h>
#include <string.h>

#include "app/report.h"
#include "base/i18n.h"
#include "domain/bulletin.h"
#include "http/json_body.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define ALLOW_READ "GET, HEAD"
#define ALLOW_POST "POST"
#define SESSION_COOKIE "hotline_session"

typedef enum route_kind {
    ROUTE_NONE = 0,
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_ORDER,
    ROUTE_ORDER_EVENTS,
    ROUTE_REPORT,
    ROUTE_LOGIN,
    ROUTE_LOGOUT,
    ROUTE_PASSWORD,
    ROUTE_ORDERS,       /* POST: register */
    ROUTE_ORDER_ACTION, /* POST: one lifecycle action */
} route_kind;

void hl_route_response_init(hl_route_response *response)
{
    response->status = 500;
    response->content_type = JSON_TYPE;
    response->allow = NULL;
    response->www_authenticate = NULL;
    response->set_cookie = NULL;
    response->retry_after = 0;
    response->etag[0] = '\0';
    response->location[0] = '\0';
    hl_buf_init(&response->body);
}

void hl_routes_error_status(hl_route_response *response, int status, const char *code,
                            const char *field, const char *message)
{
    response->status = status;
    response->content_type = JSON_TYPE;
    hl_buf_reset(&response->body);
    hl_buf_append_str(&response->body, "{\"error\":{\"code\":");
    hl_buf_append_json_string(&response->body, code);
    hl_buf_append_str(&response->body, ",\"message\":");
    hl_buf_append_json_string(&response->body, message != NULL ? message : "");
    hl_buf_append_str(&response->body, ",\"field\":");
    if (field != NULL && field[0] != '\0')
        hl_buf_append_json_string(&response->body, field);
    else
        hl_buf_append_str(&response->body, "null");
    hl_buf_append_str(&response->body, "}}\n");
}

static int status_of_code(int code)
{
    switch (code) {
    case HL_EINVAL: return 400;
    case HL_EROLE: return 403;
    case HL_ENOTFOUND: return 404;
    case HL_ECONFLICT:
    case HL_ESTATE: return 409;
    default: return 500;
    }
}

void hl_routes_error(hl_route_response *response, const hl_error *error)
{
    hl_routes_error_status(response, status_of_code(error->code), hl_error_code_name(error->code),
                           error->field, error->message);
}

void hl_routes_mask_phone(const char *phone, char *out, size_t size)
{
    if (size == 0)
        return;
    size_t length = strlen(phone);
    bool ascii = true;
    for (size_t index = 0; index < length; index++)
        if ((unsigned char)phone[index] >= 0x80 || (unsigned char)phone[index] < 0x20)
            ascii = false;
    if (length == 0)
        out[0] = '\0';
    else if (!ascii || length < 7)
        snprintf(out, size, "****");
    else
        snprintf(out, size, "%.3s****%s", phone, phone + length - 4);
}

/* A citizen's name shows its first character only ("张**"): enough for an
 * agent to recognise a record, not enough to identify a person. */
static void mask_name(const char *name, char *out, size_t size)
{
    if (name[0] == '\0') {
        snprintf(out, size, "%s", "");
        return;
    }
    size_t first = 1;
    while (name[first] != '\0' && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    snprintf(out, size, "%.*s**", (int)first, name);
}

/* ---- Matching ---- */

static bool take_prefix(const char **cursor, const char *prefix)
{
    size_t length = strlen(prefix);
    if (strncmp(*cursor, prefix, length) != 0)
        return false;
    *cursor += length;
    return true;
}

/* Finds the route of a path; *parameter receives its first path parameter,
 * *second its second (the action's name), "" when the route has none. */
static route_kind match_route(const char *path, hl_slice *parameter, hl_slice *second)
{
    *parameter = hl_slice_of("");
    *second = hl_slice_of("");
    if (strcmp(path, "/healthz") == 0)
        return ROUTE_HEALTH;
    if (strcmp(path, "/metrics") == 0)
        return ROUTE_METRICS;
    if (strcmp(path, "/api/v1/login") == 0)
        return ROUTE_LOGIN;
    if (strcmp(path, "/api/v1/logout") == 0)
        return ROUTE_LOGOUT;
    if (strcmp(path, "/api/v1/password") == 0)
        return ROUTE_PASSWORD;
    if (strcmp(path, "/api/v1/orders") == 0)
        return ROUTE_ORDERS;
    const char *rest = path;
    if (take_prefix(&rest, "/api/v1/orders/")) {
        const char *slash = strchr(rest, '/');
        size_t length = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
        if (length == 0)
            return ROUTE_NONE;
        *parameter = (hl_slice){rest, length};
        if (slash == NULL)
            return ROUTE_ORDER;
        if (strcmp(slash, "/events") == 0)
            return ROUTE_ORDER_EVENTS;
        const char *action = slash;
        if (!take_prefix(&action, "/actions/") || action[0] == '\0' || strchr(action, '/') != NULL)
            return ROUTE_NONE;
        *second = hl_slice_of(action);
        return ROUTE_ORDER_ACTION;
    }
    if (take_prefix(&rest, "/api/v1/reports/")) {
        if (rest[0] == '\0' || strchr(rest, '/') != NULL)
            return ROUTE_NONE;
        *parameter = hl_slice_of(rest);
        return ROUTE_REPORT;
    }
    return ROUTE_NONE;
}

/* ---- Language ---- */

/* Picks the first language of an Accept-Language list that hotline speaks
 * (q-values are not weighed: browsers list their preference first). */
static bool language_of_header(const char *header, hl_lang *out)
{
    const char *cursor = header;
    while (*cursor != '\0') {
        while (*cursor == ' ' || *cursor == ',')
            cursor++;
        size_t length = strcspn(cursor, ",;");
        char tag[32];
        if (length > 0 && length < sizeof tag) {
            memcpy(tag, cursor, length);
            tag[length] = '\0';
            while (length > 0 && tag[length - 1] == ' ')
                tag[--length] = '\0';
            if (hl_i18n_parse(tag, out))
                return true;
        }
        cursor += length;
        cursor += strcspn(cursor, ","); /* skip ";q=..." */
    }
    return false;
}

/* Sets the thread's language; false (and a 400) for an unknown ?lang=. */
static bool set_language(const hl_route_request *request, hl_route_response *response)
{
    hl_lang language = HL_LANG_ZH;
    const char *query = request->query(request->query_context, "lang");
    if (request->accept_language != NULL && !language_of_header(request->accept_language, &language))
        language = HL_LANG_ZH;
    hl_i18n_set(language);
    if (query == NULL)
        return true;
    if (!hl_i18n_parse(query, &language)) {
        hl_routes_error_status(response, 400, hl_error_code_name(HL_EINVAL), "lang",
                               HL_T("lang 须为 zh 或 en", "lang takes zh or en"));
        return false;
    }
    hl_i18n_set(language);
    return true;
}

/* ---- JSON helpers ---- */

static void json_key(hl_buf *out, bool *first, const char *key)
{
    if (!*first)
        hl_buf_append_char(out, ',');
    *first = false;
    hl_buf_append_json_string(out, key);
    hl_buf_append_char(out, ':');
}

static void json_string(hl_buf *out, bool *first, const char *key, const char *value)
{
    json_key(out, first, key);
    hl_buf_append_json_string(out, value);
}

/* A name of an enumeration, or null for its "none" value. */
static void json_name(hl_buf *out, bool *first, const char *key, bool present, const char *value)
{
    json_key(out, first, key);
    if (present)
        hl_buf_append_json_string(out, value);
    else
        hl_buf_append_str(out, "null");
}

static void json_int(hl_buf *out, bool *first, const char *key, long long value)
{
    json_key(out, first, key);
    hl_buf_append_int(out, value);
}

static void json_bool(hl_buf *out, bool *first, const char *key, bool value)
{
    json_key(out, first, key);
    hl_buf_append_str(out, value ? "true" : "false");
}

/* An instant in ISO 8601 with the zone, or null when 0 (never happened). */
static void json_time(hl_buf *out, bool *first, const char *key, hl_time value)
{
    json_key(out, first, key);
    if (value == 0) {
        hl_buf_append_str(out, "null");
        return;
    }
    char text[40];
    hl_clock_format_iso(value, text, sizeof text);
    hl_buf_append_json_string(out, text);
}

static void json_number(hl_buf *out, bool *first, const char *key, int64_t id)
{
    json_key(out, first, key);
    if (id == 0) {
        hl_buf_append_str(out, "null");
        return;
    }
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    hl_buf_append_json_string(out, number);
}

static void json_month(hl_buf *out, bool *first, const char *key, int month)
{
    json_key(out, first, key);
    if (month <= 0)
        hl_buf_append_str(out, "null");
    else
        hl_buf_appendf(out, "\"%04d-%02d\"", month / 100, month % 100);
}

/* Comma-separated unit codes as a JSON array. */
static void json_code_list(hl_buf *out, bool *first, const char *key, const char *codes)
{
    json_key(out, first, key);
    hl_buf_append_char(out, '[');
    const char *cursor = codes;
    bool first_code = true;
    while (*cursor != '\0') {
        size_t length = strcspn(cursor, ",");
        if (length > 0 && length < HL_CODE_BYTES) {
            char code[HL_CODE_BYTES];
            memcpy(code, cursor, length);
            code[length] = '\0';
            if (!first_code)
                hl_buf_append_char(out, ',');
            first_code = false;
            hl_buf_append_json_string(out, code);
        }
        cursor += length;
        if (*cursor == ',')
            cursor++;
    }
    hl_buf_append_char(out, ']');
}

/* full: the reader sees citizens' personal data (app/auth decides). */
static void order_json(const hl_order *order, hl_time now, bool full, hl_buf *out)
{
    char masked[HL_NAME_BYTES + HL_PHONE_BYTES];
    bool first = true;
    hl_buf_append_char(out, '{');
    json_number(out, &first, "number", order->id);
    json_int(out, &first, "version", (long long)order->version);
    json_string(out, &first, "state", hl_order_state_name(order->state));
    json_string(out, &first, "state_label", hl_order_state_label(order->state));
    json_string(out, &first, "channel", hl_order_channel_name(order->channel));
    json_string(out, &first, "type", hl_order_type_name(order->type));
    json_time(out, &first, "received_at", order->received_at);
    if (full) {
        json_string(out, &first, "citizen_name", order->citizen_name);
        json_string(out, &first, "citizen_phone", order->citizen_phone);
    } else {
        mask_name(order->citizen_name, masked, sizeof masked);
        json_string(out, &first, "citizen_name", masked);
        hl_routes_mask_phone(order->citizen_phone, masked, sizeof masked);
        json_string(out, &first, "citizen_phone", masked);
    }
    json_string(out, &first, "address", order->address);
    json_key(out, &first, "location");
    if (order->has_location)
        hl_buf_appendf(out, "{\"latitude\":%.6f,\"longitude\":%.6f}", order->latitude, order->longitude);
    else
        hl_buf_append_str(out, "null");
    json_name(out, &first, "category", order->category[0] != '\0', order->category);
    json_string(out, &first, "title", order->title);
    json_string(out, &first, "content", order->content);
    json_string(out, &first, "registered_by", order->registered_by);
    json_name(out, &first, "lead_unit", order->lead_unit[0] != '\0', order->lead_unit);
    json_code_list(out, &first, "co_units", order->co_units);
    json_time(out, &first, "dispatched_at", order->dispatched_at);
    json_time(out, &first, "sign_deadline", order->sign_deadline);
    json_time(out, &first, "signed_at", order->signed_at);
    json_time(out, &first, "return_deadline", order->return_deadline);
    json_time(out, &first, "handle_deadline", order->handle_deadline);
    json_time(out, &first, "due_at", order->due_at);
    json_bool(out, &first, "overdue", hl_order_is_overdue(order, now));
    json_string(out, &first, "reply", order->reply);
    json_time(out, &first, "completed_at", order->completed_at);
    json_int(out, &first, "extension_count", order->extension_count);
    json_int(out, &first, "extension_pending_days", order->extension_pending_days);
    json_int(out, &first, "return_count", order->return_count);
    json_int(out, &first, "reopen_count", order->reopen_count);
    json_int(out, &first, "remind_count", order->remind_count);
    json_int(out, &first, "supervise_count", order->supervise_count);
    json_number(out, &first, "duplicate_of", order->duplicate_of);
    json_bool(out, &first, "excluded", order->excluded);
    json_string(out, &first, "excluded_reason", order->excluded_reason);
    json_month(out, &first, "assessed_month", order->assessed_month);

    json_key(out, &first, "survey");
    bool inner = true;
    hl_buf_append_char(out, '{');
    json_int(out, &inner, "attempts", order->survey_attempts);
    json_name(out, &inner, "result", order->survey_result != HL_SURVEY_NONE,
              hl_order_survey_result_name(order->survey_result));
    json_name(out, &inner, "rating", order->rating != HL_RATING_NONE, hl_order_rating_name(order->rating));
    json_name(out, &inner, "resolved", order->resolved != HL_RESOLVED_UNKNOWN,
              hl_order_resolved_name(order->resolved));
    json_string(out, &inner, "comment", order->survey_comment);
    json_time(out, &inner, "surveyed_at", order->surveyed_at);
    hl_buf_append_char(out, '}');

    json_key(out, &first, "appeal");
    inner = true;
    hl_buf_append_char(out, '{');
    json_name(out, &inner, "state", order->appeal_state != HL_APPEAL_NONE,
              hl_order_appeal_state_name(order->appeal_state));
    json_string(out, &inner, "reason", order->appeal_reason);
    hl_buf_append_char(out, '}');
    hl_buf_append_str(out, "}\n");
}

typedef struct events_writer {
    hl_buf *out;
    size_t count;
} events_writer;

static int write_event(void *context, const hl_event *event)
{
    events_writer *writer = context;
    hl_buf *out = writer->out;
    if (writer->count++ > 0)
        hl_buf_append_char(out, ',');
    bool first = true;
    hl_buf_append_char(out, '{');
    json_int(out, &first, "seq", (long long)event->seq);
    json_time(out, &first, "at", event->at);
    json_string(out, &first, "actor", event->actor);
    json_string(out, &first, "action", hl_workflow_rule_of(event->action)->name);
    json_string(out, &first, "action_label", hl_workflow_action_label(event->action));
    json_name(out, &first, "from_state", event->from_state != HL_STATE_NONE,
              hl_order_state_name(event->from_state));
    json_name(out, &first, "to_state", event->to_state != HL_STATE_NONE, hl_order_state_name(event->to_state));
    json_name(out, &first, "unit", event->unit[0] != '\0', event->unit);
    json_name(out, &first, "other_unit", event->other_unit[0] != '\0', event->other_unit);
    json_time(out, &first, "deadline", event->deadline);
    json_string(out, &first, "note", event->note);
    json_key(out, &first, "details");
    /* details is a JSON object written by domain/workflow; an empty one is {}. */
    hl_buf_append_str(out, event->details[0] == '{' ? event->details : "{}");
    json_month(out, &first, "period", event->period);
    json_name(out, &first, "outcome", event->outcome != HL_OUTCOME_NONE, hl_order_outcome_name(event->outcome));
    json_name(out, &first, "rating", event->rating != HL_RATING_NONE, hl_order_rating_name(event->rating));
    json_name(out, &first, "resolved", event->resolved != HL_RESOLVED_UNKNOWN,
              hl_order_resolved_name(event->resolved));
    hl_buf_append_char(out, '}');
    return 0;
}

/* ---- Handlers ---- */

static int parse_order_number(hl_slice text, int64_t *id, hl_error *error)
{
    if (hl_order_parse_number(text, id) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "number", "%s",
                            HL_T("工单编号格式不正确（14 位数字，如 20240201000001）",
                                 "not an order number (14 digits, e.g. 20240201000001)"));
    return HL_OK;
}

/* The order's version as a strong entity tag: what If-Match must repeat. */
static void set_etag(hl_route_response *response, const hl_order *order)
{
    snprintf(response->etag, sizeof response->etag, "\"%lld\"", (long long)order->version);
}

static void handle_health(hl_route_response *response)
{
    response->status = 200;
    hl_buf_append_str(&response->body, "{\"status\":\"ok\"}\n");
}

/* The gauges cost a few rows, not a count of every order: the store keeps
 * the number in each state as orders are written, and the overdue count
 * walks the partial index on running deadlines, which only open orders
 * have (docs/ARCHITECTURE.md, "Metrics"). */
static void handle_metrics(const hl_route_request *request, hl_route_response *response)
{
    hl_buf *out = &response->body;
    hl_error error;
    hl_error_clear(&error);
    int64_t counts[HL_STATE_COUNT];
    if (hl_app_count_orders_by_state(request->app, counts, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_order_filter overdue = {0};
    overdue.due_before = request->now; /* as `hotline list --overdue` */
    int64_t overdue_count = 0;
    if (hl_app_count_orders(request->app, &overdue, &overdue_count, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_metrics_render(request->metrics, out);
    hl_buf_append_str(out, "# HELP hotline_orders Work orders in the store, by state.\n"
                           "# TYPE hotline_orders gauge\n");
    for (int state = HL_STATE_NONE + 1; state < HL_STATE_COUNT; state++)
        hl_buf_appendf(out, "hotline_orders{state=\"%s\"} %lld\n", hl_order_state_name((hl_state)state),
                       (long long)counts[state]);
    hl_buf_appendf(out, "# HELP hotline_orders_overdue Open orders past the deadline that runs.\n"
                        "# TYPE hotline_orders_overdue gauge\n"
                        "hotline_orders_overdue %lld\n",
                   (long long)overdue_count);
    response->status = 200;
    response->content_type = METRICS_TYPE;
}

static void handle_order(const hl_route_request *request, const hl_user *user, hl_slice number, bool events,
                         hl_route_response *response)
{
    hl_error error;
    hl_error_clear(&error);
    int64_t id = 0;
    if (parse_order_number(number, &id, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    /* An order is some 40 KB: it lives in the request's arena, not the stack. */
    hl_order *order = hl_arena_alloc(request->arena, sizeof *order);
    if (!events) {
        /* An order the user may not read is "not found", as one that is absent. */
        if (hl_auth_read_order(request->app, user, id, order, &error) != HL_OK) {
            hl_routes_error(response, &error);
            return;
        }
        order_json(order, request->now, hl_auth_sees_personal_data(user), &response->body);
        set_etag(response, order);
        response->status = 200;
        return;
    }
    char text[24];
    hl_order_format_number(id, text, sizeof text);
    hl_buf_append_str(&response->body, "{\"number\":");
    hl_buf_append_json_string(&response->body, text);
    hl_buf_append_str(&response->body, ",\"events\":[");
    events_writer writer = {&response->body, 0};
    if (hl_auth_list_events(request->app, user, id, order, write_event, &writer, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_buf_append_str(&response->body, "]}\n");
    response->status = 200;
}

static const struct {
    hl_bulletin_format format;
    const char *content_type;
} report_types[] = {
    {HL_BULLETIN_TEXT, "text/plain; charset=utf-8"},
    {HL_BULLETIN_MARKDOWN, "text/markdown; charset=utf-8"},
    {HL_BULLETIN_CSV, "text/csv; charset=utf-8"},
    {HL_BULLETIN_JSON, JSON_TYPE},
    {HL_BULLETIN_HTML, "text/html; charset=utf-8"},
};

static void handle_report(const hl_route_request *request, const hl_user *user, hl_slice month_text,
                          hl_route_response *response)
{
    hl_error error;
    hl_error_clear(&error);
    if (!hl_auth_may_read_reports(user)) {
        hl_routes_error_status(response, 403, hl_error_code_name(HL_EROLE), NULL,
                               HL_T("您的角色无权查看通报", "your role may not read the bulletins"));
        return;
    }
    int month = 0;
    if (hl_clock_parse_month(month_text, &month) != HL_OK) {
        hl_routes_error_status(response, 400, hl_error_code_name(HL_EINVAL), "month",
                               HL_T("月份须为 YYYY-MM", "the month must be YYYY-MM"));
        return;
    }
    hl_bulletin_format format = HL_BULLETIN_JSON;
    const char *format_text = request->query(request->query_context, "format");
    if (format_text != NULL && hl_bulletin_format_parse(format_text, &format) != HL_OK) {
        hl_routes_error_status(response, 400, hl_error_code_name(HL_EINVAL), "format",
                               HL_T("format 须为 json、csv、html、markdown 或 text",
                                    "format takes json, csv, html, markdown or text"));
        return;
    }
    hl_assessment_policy policy;
    if (hl_report_policy(request->app, &policy, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_assessment assessment;
    hl_bulletin_meta meta;
    if (hl_report_build(request->app, month, &policy, &assessment, &meta, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    int result = hl_bulletin_render(&assessment, &meta, format, &response->body, &error);
    hl_assessment_free(&assessment);
    if (result != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    response->status = 200;
    for (size_t index = 0; index < sizeof report_types / sizeof report_types[0]; index++)
        if (report_types[index].format == format)
            response->content_type = report_types[index].content_type;
}

/* ---- Sessions and bodies ---- */

static void unauthorized(hl_route_response *response, const char *field, const char *message)
{
    hl_routes_error_status(response, 401, "unauthorized", field, message);
    response->www_authenticate = "Bearer";
}

/* The token of the request: "Authorization: Bearer TOKEN" first, else the
 * session cookie; NULL when neither is there. */
static const char *request_token(const hl_route_request *request)
{
    if (request->authorization != NULL) {
        const char *value = request->authorization;
        if (strncasecmp(value, "Bearer", 6) != 0 || value[6] != ' ')
            return NULL;
        value += 6;
        while (*value == ' ')
            value++;
        return value;
    }
    return request->session_cookie;
}

/* Finds the session's user; false (and a 401) without a valid one. */
static bool authenticate(const hl_route_request *request, hl_user *user, const char **token,
                         hl_route_response *response)
{
    *token = request_token(request);
    if (*token == NULL || (*token)[0] == '\0') {
        unauthorized(response, "token",
                     request->authorization != NULL
                         ? HL_T("Authorization 须为 Bearer 令牌", "Authorization takes a Bearer token")
                         : HL_T("请先登录", "log in first"));
        return false;
    }
    hl_error error;
    hl_error_clear(&error);
    int result = hl_auth_authenticate(request->app, *token, request->now, user, NULL, &error);
    if (result == HL_EROLE) {
        unauthorized(response, error.field, error.message);
        return false;
    }
    if (result != HL_OK) {
        hl_routes_error(response, &error);
        return false;
    }
    return true;
}

/* The body must be declared JSON ("application/json", any parameters). */
static bool json_content_type(const hl_route_request *request, hl_route_response *response)
{
    const char *type = request->content_type;
    size_t length = strlen("application/json");
    if (type != NULL && strncasecmp(type, "application/json", length) == 0 &&
        (type[length] == '\0' || type[length] == ';' || type[length] == ' '))
        return true;
    hl_routes_error_status(response, 415, "unsupported_media_type", "content-type",
                           HL_T("请求体须为 application/json", "the body must be application/json"));
    return false;
}

/* Parses the body into fields; false, with a 400, when it is not one JSON
 * object of exactly these string fields (json_body.c). */
static bool parse_body(const hl_route_request *request, hl_json_field *fields, size_t count,
                       hl_route_response *response)
{
    hl_error error;
    hl_error_clear(&error);
    if (hl_json_body_parse(request->body, request->body_length, request->arena, fields, count, &error) == HL_OK)
        return true;
    hl_routes_error(response, &error);
    return false;
}

/* ---- Login, logout, password ---- */

static void too_many_requests(hl_route_response *response, int retry_after, const char *message)
{
    hl_routes_error_status(response, 429, "too_many_requests", "password", message);
    response->retry_after = retry_after > 0 ? retry_after : 1;
}

static void handle_login(const hl_route_request *request, hl_route_response *response)
{
    if (!json_content_type(request, response))
        return;
    hl_json_field fields[] = {{.name = "username"}, {.name = "password"}};
    if (!parse_body(request, fields, 2, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_auth_grant *grant = hl_arena_alloc(request->arena, sizeof *grant);
    int result = hl_auth_login(request->app, request->guard, fields[0].value, fields[1].value,
                               request->client_address, request->now, grant, &error);
    if (result == HL_EROLE && grant->rate_limited) {
        too_many_requests(response, grant->retry_after, error.message);
        return;
    }
    if (result == HL_EROLE) {
        unauthorized(response, error.field, error.message);
        return;
    }
    if (result != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_buf *out = &response->body;
    bool first = true;
    hl_buf_append_char(out, '{');
    json_string(out, &first, "token", grant->token);
    json_string(out, &first, "username", grant->user.username);
    json_string(out, &first, "role", hl_directory_role_name(grant->user.role));
    json_name(out, &first, "unit", grant->user.unit[0] != '\0', grant->user.unit);
    json_time(out, &first, "expires_at", grant->session.expires_at);
    hl_buf_append_str(out, "}\n");
    hl_buf cookie;
    hl_buf_init(&cookie);
    hl_buf_appendf(&cookie, SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d", grant->token,
                   HL_AUTH_SESSION_SECONDS);
    response->set_cookie = hl_arena_strndup(request->arena, cookie.data, cookie.len);
    hl_buf_free(&cookie);
    response->status = 200;
}

static void handle_logout(const hl_route_request *request, hl_route_response *response)
{
    hl_user *user = hl_arena_alloc(request->arena, sizeof *user);
    const char *token = NULL;
    if (!authenticate(request, user, &token, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_auth_logout(request->app, token, &error);
    if (result == HL_EROLE) {
        unauthorized(response, error.field, error.message);
        return;
    }
    if (result != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_buf_append_str(&response->body, "{\"status\":\"logged_out\"}\n");
    response->set_cookie = SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
    response->status = 200;
}

static void handle_password(const hl_route_request *request, hl_route_response *response)
{
    hl_user *user = hl_arena_alloc(request->arena, sizeof *user);
    const char *token = NULL;
    if (!authenticate(request, user, &token, response))
        return;
    if (!json_content_type(request, response))
        return;
    hl_json_field fields[] = {{.name = "old"}, {.name = "new"}};
    if (!parse_body(request, fields, 2, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    bool rate_limited = false;
    int retry_after = 0;
    int result = hl_auth_change_password(request->app, request->guard, user->username, token, fields[0].value,
                                         fields[1].value, request->client_address, request->now, &rate_limited,
                                         &retry_after, &error);
    if (result == HL_EROLE && rate_limited) {
        too_many_requests(response, retry_after, error.message);
        return;
    }
    if (result != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_buf_append_str(&response->body, "{\"status\":\"changed\"}\n");
    response->status = 200;
}

/* ---- Writes: registration and lifecycle actions ---- */

/* A refusal of a write; the field of app/ renamed where the API calls it
 * otherwise. A stale version (HL_ECONFLICT from the expected version) is a
 * failed precondition here, not a conflict: the client's If-Match did not
 * hold. */
static void write_refused(hl_route_response *response, const hl_error *error)
{
    if (error->code == HL_ECONFLICT) {
        hl_routes_error_status(response, 412, "precondition_failed", "if-match", error->message);
        return;
    }
    if (strcmp(error->field, "received") == 0) {
        hl_routes_error_status(response, status_of_code(error->code), hl_error_code_name(error->code),
                               "received_at", error->message);
        return;
    }
    hl_routes_error(response, error);
}

static void field_invalid(hl_route_response *response, const char *field, const char *message)
{
    hl_routes_error_status(response, 400, hl_error_code_name(HL_EINVAL), field, message);
}

enum {
    REGISTER_CHANNEL,
    REGISTER_TYPE,
    REGISTER_TITLE,
    REGISTER_CONTENT,
    REGISTER_CATEGORY,
    REGISTER_CITIZEN_NAME,
    REGISTER_CITIZEN_PHONE,
    REGISTER_ADDRESS,
    REGISTER_LATITUDE,
    REGISTER_LONGITUDE,
    REGISTER_RECEIVED_AT,
    REGISTER_FIELD_COUNT
};

/* Copies the body's text fields into the registration, with the limits and
 * character checks the CLI applies (hl_text_copy names the field). */
static int copy_registration_texts(const hl_json_field *fields, hl_order *order, hl_error *error)
{
    const struct {
        int field;
        char *destination;
        size_t capacity;
        size_t max_chars;
        bool newlines;
    } texts[] = {
        {REGISTER_TITLE, order->title, sizeof order->title, HL_TITLE_CHARS, false},
        {REGISTER_CONTENT, order->content, sizeof order->content, HL_CONTENT_CHARS, true},
        {REGISTER_CATEGORY, order->category, sizeof order->category, HL_CODE_CHARS, false},
        {REGISTER_CITIZEN_NAME, order->citizen_name, sizeof order->citizen_name, HL_NAME_CHARS, false},
        {REGISTER_CITIZEN_PHONE, order->citizen_phone, sizeof order->citizen_phone, HL_PHONE_CHARS, false},
        {REGISTER_ADDRESS, order->address, sizeof order->address, HL_ADDRESS_CHARS, false},
    };
    for (size_t index = 0; index < sizeof texts / sizeof texts[0]; index++) {
        const hl_json_field *field = &fields[texts[index].field];
        texts[index].destination[0] = '\0';
        if (field->value == NULL)
            continue;
        int result = hl_text_copy(texts[index].destination, texts[index].capacity,
                                  hl_slice_trim(hl_slice_of(field->value)), texts[index].max_chars,
                                  texts[index].newlines, field->name, error);
        if (result != HL_OK)
            return result;
    }
    return HL_OK;
}

static void handle_register(const hl_route_request *request, const hl_user *user, hl_route_response *response)
{
    if (!json_content_type(request, response))
        return;
    hl_json_field fields[REGISTER_FIELD_COUNT] = {
        [REGISTER_CHANNEL] = {.name = "channel", .optional = true},
        [REGISTER_TYPE] = {.name = "type"},
        [REGISTER_TITLE] = {.name = "title"},
        [REGISTER_CONTENT] = {.name = "content"},
        [REGISTER_CATEGORY] = {.name = "category", .optional = true},
        [REGISTER_CITIZEN_NAME] = {.name = "citizen_name", .optional = true},
        [REGISTER_CITIZEN_PHONE] = {.name = "citizen_phone", .optional = true},
        [REGISTER_ADDRESS] = {.name = "address", .optional = true},
        [REGISTER_LATITUDE] = {.name = "latitude", .kind = HL_JSON_NUMBER, .optional = true},
        [REGISTER_LONGITUDE] = {.name = "longitude", .kind = HL_JSON_NUMBER, .optional = true},
        [REGISTER_RECEIVED_AT] = {.name = "received_at", .optional = true},
    };
    if (!parse_body(request, fields, REGISTER_FIELD_COUNT, response))
        return;
    /* An order is some 40 KB: the request's arena, zeroed, not the stack. */
    hl_order *order = hl_arena_alloc(request->arena, sizeof *order);
    const char *channel = fields[REGISTER_CHANNEL].value;
    if (hl_order_channel_parse(hl_slice_of(channel != NULL ? channel : "phone"), &order->channel) != HL_OK) {
        field_invalid(response, "channel",
                      HL_T("渠道须为 phone、web、app、wechat、open311 或 other",
                           "channel takes phone, web, app, wechat, open311 or other"));
        return;
    }
    if (hl_order_type_parse(hl_slice_of(fields[REGISTER_TYPE].value), &order->type) != HL_OK) {
        field_invalid(response, "type",
                      HL_T("类型须为 inquiry、help、complaint、report、suggestion 或 praise",
                           "type takes inquiry, help, complaint, report, suggestion or praise"));
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    if (copy_registration_texts(fields, order, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    bool has_latitude = fields[REGISTER_LATITUDE].present, has_longitude = fields[REGISTER_LONGITUDE].present;
    if (has_latitude != has_longitude) {
        field_invalid(response, has_latitude ? "longitude" : "latitude",
                      HL_T("latitude 与 longitude 须同时给出", "latitude and longitude go together"));
        return;
    }
    if (has_latitude) {
        order->has_location = true;
        order->latitude = fields[REGISTER_LATITUDE].number;
        order->longitude = fields[REGISTER_LONGITUDE].number;
    }
    order->received_at = request->now;
    const char *received = fields[REGISTER_RECEIVED_AT].value;
    if (received != NULL && hl_clock_parse_time(hl_slice_of(received), &order->received_at) != HL_OK) {
        field_invalid(response, "received_at",
                      HL_T("received_at 须为 ISO 8601 时间，如 2024-02-01T07:30:26+08:00",
                           "received_at takes an ISO 8601 time, e.g. 2024-02-01T07:30:26+08:00"));
        return;
    }
    /* Whether this user may register is the workflow's rule (agents and
     * dispatchers), checked by app/ in the transaction: HL_EROLE, 403. */
    int64_t id = 0;
    if (hl_app_register(request->app, user->username, order, request->now, &id, &error) != HL_OK) {
        write_refused(response, &error);
        return;
    }
    if (hl_auth_read_order(request->app, user, id, order, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    order_json(order, request->now, hl_auth_sees_personal_data(user), &response->body);
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    snprintf(response->location, sizeof response->location, "/api/v1/orders/%s", number);
    set_etag(response, order);
    response->status = 201;
}

/* Reads If-Match: exactly one strong tag of a version, "7". A weak tag, "*"
 * or a list would let a client act without naming the version it saw. */
static bool parse_if_match(const char *header, int64_t *version)
{
    size_t length = strlen(header);
    while (length > 0 && header[length - 1] == ' ')
        length--;
    while (*header == ' ') {
        header++;
        length--;
    }
    int64_t value = 0;
    if (length < 3 || header[0] != '"' || header[length - 1] != '"' ||
        hl_text_parse_int((hl_slice){header + 1, length - 2}, 1, INT64_MAX, &value) != HL_OK)
        return false;
    *version = value;
    return true;
}

enum {
    ACTION_UNIT,
    ACTION_CO_UNITS,
    ACTION_NOTE,
    ACTION_DAYS,
    ACTION_INTO,
    ACTION_OUTCOME,
    ACTION_RATING,
    ACTION_RESOLVED,
    ACTION_FIELD_COUNT
};

/* Fills an action request from the body; false with a 400 naming the field. */
static bool action_request_of(const hl_json_field *fields, hl_app_request *out, hl_route_response *response)
{
    const char *unit = fields[ACTION_UNIT].value, *co_units = fields[ACTION_CO_UNITS].value;
    if (unit != NULL && strlen(unit) >= HL_CODE_BYTES) {
        field_invalid(response, "unit", HL_T("单位代码过长", "the unit code is too long"));
        return false;
    }
    if (co_units != NULL && strlen(co_units) >= HL_CO_UNITS_BYTES) {
        field_invalid(response, "co_units", HL_T("协办单位过多", "too many co-handling units"));
        return false;
    }
    out->unit = unit;
    out->co_units = co_units;
    out->note = fields[ACTION_NOTE].value;
    if (fields[ACTION_DAYS].present) {
        /* The workflow bounds the days; here only what fits an int. */
        long long days = fields[ACTION_DAYS].integer;
        if (days < INT_MIN || days > INT_MAX) {
            field_invalid(response, "days", HL_T("天数超出范围", "days out of range"));
            return false;
        }
        out->days = (int)days;
    }
    const char *into = fields[ACTION_INTO].value;
    if (into != NULL && hl_order_parse_number(hl_slice_of(into), &out->into) != HL_OK) {
        field_invalid(response, "into",
                      HL_T("into 须为工单编号（14 位数字）", "into takes an order number (14 digits)"));
        return false;
    }
    const char *outcome = fields[ACTION_OUTCOME].value, *rating = fields[ACTION_RATING].value,
               *resolved = fields[ACTION_RESOLVED].value;
    if (outcome != NULL && hl_order_outcome_parse(hl_slice_of(outcome), &out->outcome) != HL_OK) {
        field_invalid(response, "outcome", HL_T("未知的回访结果", "unknown survey outcome"));
        return false;
    }
    if (rating != NULL && hl_order_rating_parse(hl_slice_of(rating), &out->rating) != HL_OK) {
        field_invalid(response, "rating", HL_T("未知的满意度", "unknown rating"));
        return false;
    }
    if (resolved != NULL && hl_order_resolved_parse(hl_slice_of(resolved), &out->resolved) != HL_OK) {
        field_invalid(response, "resolved", HL_T("resolved 须为 yes 或 no", "resolved takes yes or no"));
        return false;
    }
    return true;
}

static void handle_action(const hl_route_request *request, const hl_user *user, hl_slice number,
                          hl_slice action_name, hl_route_response *response)
{
    hl_error error;
    hl_error_clear(&error);
    int64_t id = 0;
    if (parse_order_number(number, &id, &error) != HL_OK) {
        hl_routes_error(response, &error);
        return;
    }
    hl_action action = HL_ACTION_REGISTER;
    if (hl_workflow_action_parse(action_name, &action) != HL_OK || action == HL_ACTION_REGISTER) {
        hl_routes_error_status(response, 404, hl_error_code_name(HL_ENOTFOUND), "action",
                               HL_T("没有这个操作", "no such action"));
        return;
    }
    /* Every check above and below depends on the request alone, never on
     * the order, so none of them reveals whether the order exists. */
    if (request->if_match == NULL) {
        hl_routes_error_status(response, 428, "precondition_required", "if-match",
                               HL_T("须以 If-Match 给出工单的版本（ETag）",
                                    "send the order's version (its ETag) in If-Match"));
        return;
    }
    hl_app_request action_request = {0};
    if (!parse_if_match(request->if_match, &action_request.expected_version)) {
        field_invalid(response, "if-match",
                      HL_T("If-Match 须为一个版本号，如 \"7\"", "If-Match takes one version, e.g. \"7\""));
        return;
    }
    if (!json_content_type(request, response))
        return;
    hl_json_field fields[ACTION_FIELD_COUNT] = {
        [ACTION_UNIT] = {.name = "unit", .optional = true},
        [ACTION_CO_UNITS] = {.name = "co_units", .optional = true},
        [ACTION_NOTE] = {.name = "note", .optional = true},
        [ACTION_DAYS] = {.name = "days", .kind = HL_JSON_INTEGER, .optional = true},
        [ACTION_INTO] = {.name = "into", .optional = true},
        [ACTION_OUTCOME] = {.name = "outcome", .optional = true},
        [ACTION_RATING] = {.name = "rating", .optional = true},
        [ACTION_RESOLVED] = {.name = "resolved", .optional = true},
    };
    if (!parse_body(request, fields, ACTION_FIELD_COUNT, response))
        return;
    if (!action_request_of(fields, &action_request, response))
        return;
    /* app/ applies the read rule inside the transaction: an order this user
     * may not read is "not found", before its version or state is looked at. */
    action_request.visible = hl_auth_may_read_order;
    hl_order *order = hl_arena_alloc(request->arena, sizeof *order);
    if (hl_app_act(request->app, user->username, id, action, &action_request, request->now, order, &error) !=
        HL_OK) {
        write_refused(response, &error);
        return;
    }
    order_json(order, request->now, hl_auth_sees_personal_data(user), &response->body);
    set_etag(response, order);
    response->status = 200;
}

/* ---- Dispatch ---- */

static bool is_read_route(route_kind route)
{
    return route == ROUTE_HEALTH || route == ROUTE_METRICS || route == ROUTE_ORDER ||
           route == ROUTE_ORDER_EVENTS || route == ROUTE_REPORT;
}

/* Every route but the open ones and login: for a logged-in user. */
static void handle_session_route(const hl_route_request *request, route_kind route, hl_slice parameter,
                                 hl_slice action_name, hl_route_response *response)
{
    hl_user *user = hl_arena_alloc(request->arena, sizeof *user);
    const char *token = NULL;
    if (!authenticate(request, user, &token, response))
        return;
    switch (route) {
    case ROUTE_ORDER: handle_order(request, user, parameter, false, response); break;
    case ROUTE_ORDER_EVENTS: handle_order(request, user, parameter, true, response); break;
    case ROUTE_REPORT: handle_report(request, user, parameter, response); break;
    case ROUTE_ORDERS: handle_register(request, user, response); break;
    case ROUTE_ORDER_ACTION: handle_action(request, user, parameter, action_name, response); break;
    default: break;
    }
}

void hl_routes_handle(const hl_route_request *request, hl_route_response *response)
{
    if (!set_language(request, response))
        return;
    /* A path that is not UTF-8 cannot name anything here; say so rather
     * than echo bytes that would make the JSON invalid. */
    if (!hl_text_is_utf8(request->path, strlen(request->path))) {
        hl_routes_error_status(response, 400, hl_error_code_name(HL_EINVAL), "path",
                               HL_T("路径不是有效的 UTF-8", "the path is not valid UTF-8"));
        return;
    }
    hl_slice parameter, action_name;
    route_kind route = match_route(request->path, &parameter, &action_name);
    if (route == ROUTE_NONE) {
        hl_routes_error_status(response, 404, hl_error_code_name(HL_ENOTFOUND), "path",
                               HL_T("没有这个地址", "no such resource"));
        return;
    }
    bool read = is_read_route(route);
    bool method_ok = read ? strcmp(request->method, "GET") == 0 || strcmp(request->method, "HEAD") == 0
                          : strcmp(request->method, "POST") == 0;
    if (!method_ok) {
        hl_routes_error_status(response, 405, "method_not_allowed", "method",
                               read ? HL_T("此地址只接受 GET", "this resource accepts GET only")
                                    : HL_T("此地址只接受 POST", "this resource accepts POST only"));
        response->allow = read ? ALLOW_READ : ALLOW_POST;
        return;
    }
    response->content_type = JSON_TYPE;
    switch (route) {
    case ROUTE_HEALTH: handle_health(response); return;
    case ROUTE_METRICS: handle_metrics(request, response); return;
    case ROUTE_LOGIN: handle_login(request, response); return;
    case ROUTE_LOGOUT: handle_logout(request, response); return;
    case ROUTE_PASSWORD: handle_password(request, response); return;
    default: break;
    }
    /* Reading one order and its log (the session, the user, the order)
     * takes one read transaction: one snapshot and one round of locks. */
    bool snapshot = route == ROUTE_ORDER || route == ROUTE_ORDER_EVENTS;
    if (snapshot) {
        hl_error error;
        hl_error_clear(&error);
        if (hl_app_read_begin(request->app, &error) != HL_OK) {
            hl_routes_error(response, &error);
            return;
        }
    }
    handle_session_route(request, route, parameter, action_name, response);
    if (snapshot)
        hl_app_read_end(request->app);
}
