/* route_support.c: what every group of routes shares (see route_support.h).
 *
 * Error answers, masking, the order and event JSON, sessions and strict
 * bodies. It routes nothing and decides no right: who may read what is
 * app/auth's decision, asked by the route files. */
#include "http/route_support.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/contract.h"
#include "base/i18n.h"
#include "domain/workflow.h"

void hl_route_error_status(hl_route_response *response, int status, const char *code,
                           const char *field, const char *message)
{
    response->status = status;
    response->content_type = HL_JSON_TYPE;
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
    case HL_EUNAVAILABLE: return 503;
    default: return 500;
    }
}

/* Seconds a client is told to wait (Retry-After) while the store is not
 * reachable: about the time a standby takes to be promoted, short enough
 * that a balancer's retry finds the new primary soon. */
#define UNAVAILABLE_RETRY_SECONDS 5

void hl_route_error(hl_route_response *response, const hl_error *error)
{
    hl_route_error_status(response, status_of_code(error->code), hl_error_code_name(error->code),
                          error->field, error->message);
    hl_route_retry_later(response, error->code);
}

void hl_route_retry_later(hl_route_response *response, int code)
{
    if (code == HL_EUNAVAILABLE)
        response->retry_after = UNAVAILABLE_RETRY_SECONDS;
}

bool hl_route_ok(hl_route_response *response, int result, const hl_error *error)
{
    if (result == HL_OK)
        return true;
    hl_route_error(response, error);
    return false;
}

void hl_route_mask_phone(const char *phone, char *out, size_t size)
{
    HL_REQUIRE(phone != NULL && (out != NULL || size == 0));
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
void hl_route_mask_name(const char *name, char *out, size_t size)
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

/* The deadline running now as the pages show it: the working days from
 * today to its day by the app's calendar (0: it ends today; negative: the
 * working days since it passed), and whether it is due soon as the list's
 * ?due_soon=1 means it (hl_app_due_soon_limit). Without a running
 * deadline the days are null and nothing is due. */
static void append_time_left(const hl_app *app, const hl_order *order, hl_time now, bool *first,
                             hl_buf *out)
{
    bool runs = order->due_at > 0;
    hl_json_out_key(out, first, "working_days_left");
    if (runs)
        hl_buf_appendf(out, "%d",
                       hl_calendar_working_days_between(hl_app_calendar(app), hl_clock_day_of(now),
                                                        hl_clock_day_of(order->due_at)));
    else
        hl_buf_append_str(out, "null");
    bool soon =
        runs && !hl_order_is_overdue(order, now) && order->due_at < hl_app_due_soon_limit(app, now);
    hl_json_out_bool(out, first, "due_soon", soon);
}

void hl_route_order_json(const hl_app *app, const hl_order *order, const hl_app_pending *pending,
                         hl_time now, bool full, hl_buf *out)
{
    HL_REQUIRE(app != NULL && order != NULL && pending != NULL && out != NULL);
    char masked[HL_NAME_BYTES + HL_PHONE_BYTES];
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_number(out, &first, "number", order->id);
    hl_json_out_int(out, &first, "version", (long long)order->version);
    hl_json_out_string(out, &first, "state", hl_order_state_name(order->state));
    hl_json_out_string(out, &first, "state_label", hl_order_state_label(order->state));
    hl_json_out_string(out, &first, "channel", hl_order_channel_name(order->channel));
    hl_json_out_string(out, &first, "type", hl_order_type_name(order->type));
    hl_json_out_time(out, &first, "received_at", order->received_at);
    if (full) {
        hl_json_out_string(out, &first, "citizen_name", order->citizen_name);
        hl_json_out_string(out, &first, "citizen_phone", order->citizen_phone);
    } else {
        hl_route_mask_name(order->citizen_name, masked, sizeof masked);
        hl_json_out_string(out, &first, "citizen_name", masked);
        hl_route_mask_phone(order->citizen_phone, masked, sizeof masked);
        hl_json_out_string(out, &first, "citizen_phone", masked);
    }
    hl_json_out_string(out, &first, "address", order->address);
    hl_json_out_key(out, &first, "location");
    if (order->has_location)
        hl_buf_appendf(out, "{\"latitude\":%.6f,\"longitude\":%.6f}", order->latitude,
                       order->longitude);
    else
        hl_buf_append_str(out, "null");
    hl_json_out_name(out, &first, "category", order->category[0] != '\0', order->category);
    hl_json_out_string(out, &first, "title", order->title);
    hl_json_out_string(out, &first, "content", order->content);
    hl_json_out_string(out, &first, "registered_by", order->registered_by);
    hl_json_out_bool(out, &first, "publish_consent", order->publish_consent);
    hl_json_out_name(out, &first, "lead_unit", order->lead_unit[0] != '\0', order->lead_unit);
    hl_json_out_code_list(out, &first, "co_units", order->co_units);
    hl_json_out_time(out, &first, "dispatched_at", order->dispatched_at);
    hl_json_out_time(out, &first, "sign_deadline", order->sign_deadline);
    hl_json_out_time(out, &first, "signed_at", order->signed_at);
    hl_json_out_time(out, &first, "return_deadline", order->return_deadline);
    hl_json_out_time(out, &first, "handle_deadline", order->handle_deadline);
    hl_json_out_time(out, &first, "due_at", order->due_at);
    hl_json_out_bool(out, &first, "overdue", hl_order_is_overdue(order, now));
    append_time_left(app, order, now, &first, out);
    hl_json_out_string(out, &first, "reply", order->reply);
    hl_json_out_time(out, &first, "completed_at", order->completed_at);
    hl_json_out_int(out, &first, "extension_count", order->extension_count);
    hl_json_out_int(out, &first, "extension_pending_days", order->extension_pending_days);
    hl_json_out_int(out, &first, "return_count", order->return_count);
    hl_json_out_int(out, &first, "reopen_count", order->reopen_count);
    hl_json_out_int(out, &first, "remind_count", order->remind_count);
    hl_json_out_int(out, &first, "supervise_count", order->supervise_count);
    hl_json_out_number(out, &first, "duplicate_of", order->duplicate_of);
    hl_json_out_bool(out, &first, "excluded", order->excluded);
    hl_json_out_string(out, &first, "excluded_reason", order->excluded_reason);
    hl_json_out_month(out, &first, "assessed_month", order->assessed_month);

    hl_json_out_key(out, &first, "survey");
    bool inner = true;
    hl_buf_append_char(out, '{');
    hl_json_out_int(out, &inner, "attempts", order->survey_attempts);
    hl_json_out_name(out, &inner, "result", order->survey_result != HL_SURVEY_NONE,
                     hl_order_survey_result_name(order->survey_result));
    hl_json_out_name(out, &inner, "rating", order->rating != HL_RATING_NONE,
                     hl_order_rating_name(order->rating));
    hl_json_out_name(out, &inner, "resolved", order->resolved != HL_RESOLVED_UNKNOWN,
                     hl_order_resolved_name(order->resolved));
    hl_json_out_string(out, &inner, "comment", order->survey_comment);
    hl_json_out_time(out, &inner, "surveyed_at", order->surveyed_at);
    hl_buf_append_char(out, '}');

    hl_json_out_key(out, &first, "appeal");
    inner = true;
    hl_buf_append_char(out, '{');
    hl_json_out_name(out, &inner, "state", order->appeal_state != HL_APPEAL_NONE,
                     hl_order_appeal_state_name(order->appeal_state));
    hl_json_out_string(out, &inner, "reason", order->appeal_reason);
    hl_buf_append_char(out, '}');

    /* What awaits a decision, with the request's reason: a queue's row. */
    hl_json_out_key(out, &first, "pending");
    if (pending->kind == HL_PENDING_NONE) {
        hl_buf_append_str(out, "null");
    } else {
        inner = true;
        hl_buf_append_char(out, '{');
        hl_json_out_string(out, &inner, "kind", hl_order_pending_name(pending->kind));
        hl_json_out_string(out, &inner, "label", hl_order_pending_label(pending->kind));
        hl_json_out_time(out, &inner, "at", pending->at);
        hl_json_out_name(out, &inner, "by", pending->by[0] != '\0', pending->by);
        hl_json_out_key(out, &inner, "days");
        if (pending->kind == HL_PENDING_EXTENSION)
            hl_buf_appendf(out, "%d", pending->days);
        else
            hl_buf_append_str(out, "null");
        hl_json_out_string(out, &inner, "reason", pending->reason);
        hl_buf_append_char(out, '}');
    }
    hl_buf_append_str(out, "}\n");
}

int hl_route_event_json(void *context, const hl_event *event)
{
    hl_route_events_writer *writer = context;
    hl_buf *out = writer->out;
    if (writer->count++ > 0)
        hl_buf_append_char(out, ',');
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_int(out, &first, "seq", (long long)event->seq);
    hl_json_out_time(out, &first, "at", event->at);
    hl_json_out_string(out, &first, "actor", event->actor);
    hl_json_out_string(out, &first, "action", hl_workflow_rule_of(event->action)->name);
    hl_json_out_string(out, &first, "action_label", hl_workflow_action_label(event->action));
    hl_json_out_name(out, &first, "from_state", event->from_state != HL_STATE_NONE,
                     hl_order_state_name(event->from_state));
    hl_json_out_name(out, &first, "to_state", event->to_state != HL_STATE_NONE,
                     hl_order_state_name(event->to_state));
    hl_json_out_name(out, &first, "unit", event->unit[0] != '\0', event->unit);
    hl_json_out_name(out, &first, "other_unit", event->other_unit[0] != '\0', event->other_unit);
    hl_json_out_time(out, &first, "deadline", event->deadline);
    hl_json_out_string(out, &first, "note", event->note);
    hl_json_out_key(out, &first, "details");
    /* details is a JSON object written by domain/workflow; an empty one is {}. */
    hl_buf_append_str(out, event->details[0] == '{' ? event->details : "{}");
    hl_json_out_month(out, &first, "period", event->period);
    hl_json_out_name(out, &first, "outcome", event->outcome != HL_OUTCOME_NONE,
                     hl_order_outcome_name(event->outcome));
    hl_json_out_name(out, &first, "rating", event->rating != HL_RATING_NONE,
                     hl_order_rating_name(event->rating));
    hl_json_out_name(out, &first, "resolved", event->resolved != HL_RESOLVED_UNKNOWN,
                     hl_order_resolved_name(event->resolved));
    hl_buf_append_char(out, '}');
    return 0;
}

int hl_route_parse_order_number(hl_slice text, int64_t *id, hl_error *error)
{
    if (hl_order_parse_number(text, id) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "number", "%s",
                            HL_T("工单编号格式不正确（14 位数字，如 20240201000001）",
                                 "not an order number (14 digits, e.g. 20240201000001)"));
    return HL_OK;
}

/* The order's version as a strong entity tag: what If-Match must repeat. */
void hl_route_set_etag(hl_route_response *response, const hl_order *order)
{
    snprintf(response->etag, sizeof response->etag, "\"%lld\"", (long long)order->version);
}

void hl_route_unauthorized(hl_route_response *response, const char *field, const char *message)
{
    hl_route_error_status(response, 401, "unauthorized", field, message);
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
bool hl_route_authenticate(const hl_route_request *request, hl_user *user, const char **token,
                           bool *password_expired, hl_route_response *response)
{
    *token = request_token(request);
    if (*token == NULL || (*token)[0] == '\0') {
        hl_route_unauthorized(
            response, "token",
            request->authorization != NULL
                ? HL_T("Authorization 须为 Bearer 令牌", "Authorization takes a Bearer token")
                : HL_T("请先登录", "log in first"));
        return false;
    }
    hl_error error;
    hl_error_clear(&error);
    int result = hl_auth_authenticate_aged(request->app, *token, request->now, user,
                                           password_expired, &error);
    if (result == HL_EROLE) {
        hl_route_unauthorized(response, error.field, error.message);
        return false;
    }
    if (result != HL_OK) {
        hl_route_error(response, &error);
        return false;
    }
    return true;
}

/* True when a Content-Type header declares JSON ("application/json", any
 * parameters). */
static bool declares_json(const char *type)
{
    size_t length = strlen("application/json");
    return type != NULL && strncasecmp(type, "application/json", length) == 0 &&
           (type[length] == '\0' || type[length] == ';' || type[length] == ' ');
}

/* True when origin is "http://HOST" or "https://HOST" for the Host
 * header's value. Both schemes are taken: the server speaks plain HTTP,
 * but behind a proxy that ends TLS the browser's origin is https, and the
 * host and port are what tell this site from another. */
static bool same_origin(const char *origin, const char *host)
{
    if (host == NULL || host[0] == '\0')
        return false;
    if (strncasecmp(origin, "http://", 7) == 0)
        origin += 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        origin += 8;
    else
        return false; /* "null" (a sandboxed page, a file) and anything else */
    return strcasecmp(origin, host) == 0;
}

bool hl_route_cookie_write_allowed(const hl_route_request *request, hl_route_response *response)
{
    if (strcmp(request->method, "GET") == 0 || strcmp(request->method, "HEAD") == 0 ||
        request->authorization != NULL)
        return true;
    if (!declares_json(request->content_type)) {
        hl_route_error_status(
            response, 403, hl_error_code_name(HL_EROLE), "content-type",
            HL_T("以会话 Cookie 认证的写请求须为 application/json",
                 "a write authenticated by the session cookie must be application/json"));
        return false;
    }
    if (request->origin != NULL && !same_origin(request->origin, request->host)) {
        hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), "origin",
                              HL_T("请求来自其他站点（Origin 与本服务器不符）",
                                   "the request comes from another site (Origin is not this "
                                   "server's)"));
        return false;
    }
    return true;
}

/* The body must be declared JSON ("application/json", any parameters). */
static bool json_content_type(const hl_route_request *request, hl_route_response *response)
{
    if (declares_json(request->content_type))
        return true;
    hl_route_error_status(response, 415, "unsupported_media_type", "content-type",
                          HL_T("请求体须为 application/json", "the body must be application/json"));
    return false;
}

bool hl_route_parse_body(const hl_route_request *request, hl_json_field *fields, size_t count,
                         hl_route_response *response)
{
    if (!json_content_type(request, response))
        return false;
    hl_error error;
    hl_error_clear(&error);
    return hl_route_ok(response,
                       hl_json_body_parse(request->body, request->body_length, request->arena,
                                          fields, count, &error),
                       &error);
}

void hl_route_too_many_requests(hl_route_response *response, int retry_after, const char *message)
{
    hl_route_error_status(response, 429, "too_many_requests", "password", message);
    response->retry_after = retry_after > 0 ? retry_after : 1;
}
void hl_route_write_refused(hl_route_response *response, const hl_error *error)
{
    if (error->code == HL_ECONFLICT) {
        hl_route_error_status(response, 412, "precondition_failed", "if-match", error->message);
        return;
    }
    if (strcmp(error->field, "received") == 0) {
        hl_route_error_status(response, status_of_code(error->code),
                              hl_error_code_name(error->code), "received_at", error->message);
        return;
    }
    hl_route_error(response, error);
}

void hl_route_field_invalid(hl_route_response *response, const char *field, const char *message)
{
    hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), field, message);
}

void hl_route_forbidden(hl_route_response *response, const char *message)
{
    hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), NULL, message);
}

bool hl_route_refuse_without_orders(const hl_user *user, hl_route_response *response)
{
    if (hl_auth_may_read_orders(user))
        return false;
    hl_route_forbidden(response, HL_T("您的角色不查阅工单", "your role reads no work orders"));
    return true;
}

bool hl_route_query(const hl_route_request *request, const char *name, const char **value,
                    hl_route_response *response)
{
    *value = request->query(request->query_context, name);
    if (*value == NULL)
        return true;
    size_t length = strlen(*value);
    bool clean = length <= HL_ROUTE_QUERY_MAX_BYTES && hl_text_is_utf8(*value, length);
    for (size_t index = 0; clean && index < length; index++)
        clean = (unsigned char)(*value)[index] >= 0x20 && (*value)[index] != 0x7F;
    if (clean)
        return true;
    hl_route_field_invalid(
        response, name,
        length > HL_ROUTE_QUERY_MAX_BYTES
            ? HL_T("参数过长", "the parameter is too long")
            : HL_T("参数不是有效的 UTF-8 文本", "the parameter is not valid UTF-8 text"));
    return false;
}
