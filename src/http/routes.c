/* routes.c: the route table and the dispatch of requests (see routes.h).
 *
 * Matches the decoded path against the table, checks the method (405 with
 * Allow), sets the language, finds the session of every route that is not
 * open (401 without one) and calls the route's handler. The handlers of
 * orders, reports and the other groups live in their own files
 * (routes_orders.c, routes_reports.c, routes_apikeys.c, routes_open311.c ...);
 * the open routes (health, metrics: the store's per-state counts and the
 * overdue count) and the session routes (login, logout, password) are
 * here. It
 * decides no right: app/auth says who may read what, app/ and the
 * workflow who may write. */
#include "http/routes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/array.h"
#include "base/i18n.h"
#include "http/route_support.h"
#include "http/routes_apikeys.h"
#include "http/routes_directory.h"
#include "http/routes_open311.h"
#include "http/routes_orders.h"
#include "http/routes_personal.h"
#include "http/routes_reports.h"
#include "http/static_files.h"

/* docs/openapi.json, embedded at build time (cmake/embed.cmake). */
extern const char hl_openapi_json[];
extern const size_t hl_openapi_json_size;

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

void hl_route_response_init(hl_route_response *response)
{
    response->status = 500;
    response->content_type = HL_JSON_TYPE;
    response->allow = NULL;
    response->www_authenticate = NULL;
    response->set_cookie = NULL;
    response->retry_after = 0;
    response->etag[0] = '\0';
    response->location[0] = '\0';
    response->content_disposition[0] = '\0';
    hl_buf_init(&response->body);
    response->file = -1;
    response->file_size = 0;
    response->last_modified[0] = '\0';
    response->cache_control = NULL;
    response->content_security_policy = NULL;
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
    if (request->accept_language != NULL &&
        !language_of_header(request->accept_language, &language))
        language = HL_LANG_ZH;
    hl_i18n_set(language);
    if (query == NULL)
        return true;
    if (!hl_i18n_parse(query, &language)) {
        hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), "lang",
                              HL_T("lang 须为 zh 或 en", "lang takes zh or en"));
        return false;
    }
    hl_i18n_set(language);
    return true;
}

/* ---- Open routes ---- */

static void handle_health(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    (void)request;
    (void)context;
    response->status = 200;
    hl_buf_append_str(&response->body, "{\"status\":\"ok\"}\n");
}

/* The gauges cost a few rows, not a count of every order: the store keeps
 * the number in each state as orders are written, and the overdue count
 * walks the partial index on running deadlines, which only open orders
 * have (docs/ARCHITECTURE.md, "Metrics"). */
/* True when the peer's address is the loopback interface's (127.0.0.0/8,
 * ::1, or 127.x written as an IPv4-mapped IPv6 address). */
static bool loopback_peer(const char *address)
{
    if (address == NULL)
        return false;
    if (strncasecmp(address, "::ffff:", 7) == 0)
        address += 7;
    return strncmp(address, "127.", 4) == 0 || strcmp(address, "::1") == 0;
}

/* Compares a sent token with the configured one in time that depends on
 * the configured one's length only, so timing tells nothing of its bytes. */
static bool token_equals(const char *sent, const char *expected)
{
    size_t sent_length = strlen(sent);
    size_t expected_length = strlen(expected);
    unsigned char difference = sent_length != expected_length;
    for (size_t index = 0; index < expected_length; index++)
        difference |= (unsigned char)(expected[index] ^ (index < sent_length ? sent[index] : 0));
    return difference == 0;
}

/* Who may read /metrics (issue 11): with a metrics token configured
 * (`hotline serve --metrics-token-file`), the request must send it as a
 * Bearer token, from anywhere, as Prometheus' `authorization` setting
 * does; without one, only a peer on the loopback interface (a scraper on
 * the same machine, or a proxy there that decides itself). Sessions are
 * not taken: they expire after 12 hours, which a scraper cannot follow.
 * False with a 401 or a 403. */
static bool metrics_allowed(const hl_route_request *request, hl_route_response *response)
{
    if (request->metrics_token == NULL) {
        if (loopback_peer(request->client_address))
            return true;
        hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), "client",
                              HL_T("未配置指标令牌时，/metrics 只回答本机（回环地址）的请求",
                                   "without a metrics token, /metrics answers only the loopback "
                                   "interface"));
        return false;
    }
    const char *value = request->authorization;
    if (value != NULL && strncasecmp(value, "Bearer ", 7) == 0) {
        value += 7;
        while (*value == ' ')
            value++;
        if (token_equals(value, request->metrics_token))
            return true;
    }
    hl_route_unauthorized(response, "token",
                          HL_T("/metrics 须带指标令牌（Authorization: Bearer）",
                               "/metrics needs the metrics token (Authorization: Bearer)"));
    return false;
}

static void handle_metrics(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response)
{
    (void)context;
    if (!metrics_allowed(request, response))
        return;
    hl_buf *out = &response->body;
    hl_error error;
    hl_error_clear(&error);
    int64_t counts[HL_STATE_COUNT];
    if (!hl_route_ok(response, hl_app_count_orders_by_state(request->app, counts, &error), &error))
        return;
    hl_order_filter overdue = {0};
    overdue.due_before = request->now; /* as `hotline list --overdue` */
    int64_t overdue_count = 0;
    if (!hl_route_ok(response, hl_app_count_orders(request->app, &overdue, &overdue_count, &error),
                     &error))
        return;
    hl_metrics_render(request->metrics, out);
    hl_buf_append_str(out, "# HELP hotline_orders Work orders in the store, by state.\n"
                           "# TYPE hotline_orders gauge\n");
    for (int state = HL_STATE_NONE + 1; state < HL_STATE_COUNT; state++)
        hl_buf_appendf(out, "hotline_orders{state=\"%s\"} %lld\n",
                       hl_order_state_name((hl_state)state), (long long)counts[state]);
    hl_buf_appendf(out,
                   "# HELP hotline_orders_overdue Open orders past the deadline that runs.\n"
                   "# TYPE hotline_orders_overdue gauge\n"
                   "hotline_orders_overdue %lld\n",
                   (long long)overdue_count);
    response->status = 200;
    response->content_type = METRICS_TYPE;
}

/* The API's description, as docs/openapi.json holds it. */
static void handle_openapi(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response)
{
    (void)request;
    (void)context;
    hl_buf_append(&response->body, hl_openapi_json, hl_openapi_json_size);
    response->status = 200;
}

/* ---- Sessions ---- */

static void handle_login(const hl_route_request *request, const hl_route_context *context,
                         hl_route_response *response)
{
    (void)context;
    hl_json_field fields[] = {{.name = "username"}, {.name = "password"}};
    if (!hl_route_parse_body(request, fields, HL_COUNT_OF(fields), response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_auth_grant *grant = hl_arena_alloc(request->arena, sizeof *grant);
    int result = hl_auth_login(request->app, request->guard, fields[0].value, fields[1].value,
                               request->client_address, request->now, grant, &error);
    hl_audit_security(request->app, fields[0].value, request->client_address, "login", NULL,
                      result == HL_OK       ? HL_AUDIT_SUCCESS
                      : grant->rate_limited ? HL_AUDIT_LOCKED
                                            : HL_AUDIT_FAILURE,
                      result == HL_OK ? NULL : error.message);
    if (result == HL_EROLE && grant->rate_limited) {
        hl_route_too_many_requests(response, grant->retry_after, error.message);
        return;
    }
    if (result == HL_EROLE) {
        hl_route_unauthorized(response, error.field, error.message);
        return;
    }
    if (!hl_route_ok(response, result, &error))
        return;
    hl_buf *out = &response->body;
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "token", grant->token);
    hl_json_out_string(out, &first, "username", grant->user.username);
    hl_json_out_string(out, &first, "role", hl_directory_role_name(grant->user.role));
    hl_json_out_name(out, &first, "unit", grant->user.unit[0] != '\0', grant->user.unit);
    hl_json_out_time(out, &first, "expires_at", grant->session.expires_at);
    hl_json_out_bool(out, &first, "must_change_password", grant->must_change_password);
    hl_buf_append_str(out, "}\n");
    hl_buf cookie;
    hl_buf_init(&cookie);
    hl_buf_appendf(&cookie, HL_SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d",
                   grant->token, grant->session_seconds);
    response->set_cookie = hl_arena_strndup(request->arena, cookie.data, cookie.len);
    hl_buf_free(&cookie);
    response->status = 200;
}

static void handle_logout(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    const char *token = context->token;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_auth_logout(request->app, token, &error);
    hl_audit_security(request->app, context->user != NULL ? context->user->username : "",
                      request->client_address, "logout", NULL,
                      result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE, NULL);
    if (result == HL_EROLE) {
        hl_route_unauthorized(response, error.field, error.message);
        return;
    }
    if (!hl_route_ok(response, result, &error))
        return;
    hl_buf_append_str(&response->body, "{\"status\":\"logged_out\"}\n");
    response->set_cookie = HL_SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
    response->status = 200;
}

static void handle_password(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response)
{
    const hl_user *user = context->user;
    const char *token = context->token;
    hl_json_field fields[] = {{.name = "old"}, {.name = "new"}};
    if (!hl_route_parse_body(request, fields, HL_COUNT_OF(fields), response))
        return;
    hl_error error;
    hl_error_clear(&error);
    bool rate_limited = false;
    int retry_after = 0;
    int result = hl_auth_change_password(request->app, request->guard, user->username, token,
                                         fields[0].value, fields[1].value, request->client_address,
                                         request->now, &rate_limited, &retry_after, &error);
    hl_audit_security(request->app, user->username, request->client_address, "password.change",
                      user->username,
                      result == HL_OK ? HL_AUDIT_SUCCESS
                      : rate_limited  ? HL_AUDIT_LOCKED
                                      : HL_AUDIT_FAILURE,
                      result == HL_OK ? NULL : error.message);
    if (result == HL_EROLE && rate_limited) {
        hl_route_too_many_requests(response, retry_after, error.message);
        return;
    }
    if (!hl_route_ok(response, result, &error))
        return;
    hl_buf_append_str(&response->body, "{\"status\":\"changed\"}\n");
    response->status = 200;
}

/* A session whose user's password is past password.max_age_days may
 * change the password, log out and read /me (which says so), nothing
 * else: 403 password_expired. The login has told the client already
 * (must_change_password). */
static bool password_age_allows(const hl_route *route, const hl_route_context *context,
                                hl_route_response *response)
{
    if (!context->password_expired || route->handle == handle_password ||
        route->handle == handle_logout || route->handle == hl_routes_me)
        return true;
    hl_route_error_status(response, 403, "password_expired", "password",
                          HL_T("密码已过期，请先修改密码（POST /api/v1/password）",
                               "the password has expired: change it first (POST "
                               "/api/v1/password)"));
    return false;
}

/* ---- The table ---- */

/* Matched in order: a literal segment ("counts", "trend") comes before the
 * {name} pattern that would also match it. docs/openapi.json describes
 * every entry (tests/unit/test_openapi.c checks both ways). */
static const hl_route route_table[] = {
    {"GET", "/healthz", true, handle_health},
    {"GET", "/metrics", true, handle_metrics},
    {"GET", "/api/v1/openapi.json", true, handle_openapi},
    {"POST", "/api/v1/login", true, handle_login},
    {"POST", "/api/v1/logout", false, handle_logout},
    {"POST", "/api/v1/password", false, handle_password},
    {"GET", "/api/v1/me", false, hl_routes_me},
    {"GET", "/api/v1/workflow", false, hl_routes_workflow},
    {"GET", "/api/v1/orders", false, hl_routes_orders_list},
    {"POST", "/api/v1/orders", false, hl_routes_orders_register},
    {"GET", "/api/v1/orders/counts", false, hl_routes_orders_counts},
    {"GET", "/api/v1/orders/{number}", false, hl_routes_orders_get},
    {"GET", "/api/v1/orders/{number}/events", false, hl_routes_orders_events},
    {"GET", "/api/v1/orders/{number}/earlier", false, hl_routes_personal_earlier},
    {"GET", "/api/v1/callers", false, hl_routes_personal_callers},
    {"GET", "/api/v1/audit/phone-reads", false, hl_routes_personal_audit},
    {"GET", "/api/v1/audit/security-events", false, hl_routes_personal_security_events},
    {"POST", "/api/v1/orders/{number}/actions/{action}", false, hl_routes_orders_act},
    {"GET", "/api/v1/units", false, hl_routes_units_list},
    {"POST", "/api/v1/units", false, hl_routes_units_put},
    {"GET", "/api/v1/categories", false, hl_routes_categories_list},
    {"POST", "/api/v1/categories", false, hl_routes_categories_put},
    {"GET", "/api/v1/users", false, hl_routes_users_list},
    {"POST", "/api/v1/users", false, hl_routes_users_create},
    {"PUT", "/api/v1/users/{username}", false, hl_routes_users_update},
    {"GET", "/api/v1/calendar", false, hl_routes_calendar_get},
    {"POST", "/api/v1/calendar", false, hl_routes_calendar_put},
    {"GET", "/api/v1/config", false, hl_routes_config_get},
    {"PUT", "/api/v1/config/{key}", false, hl_routes_config_put},
    {"GET", "/api/v1/reports", false, hl_routes_reports_months},
    {"GET", "/api/v1/reports/trend", false, hl_routes_reports_trend},
    {"GET", "/api/v1/reports/{month}", false, hl_routes_reports_get},
    {"POST", "/api/v1/reports/{month}/publish", false, hl_routes_reports_publish},
    {"GET", "/api/v1/stats/categories", false, hl_routes_stats_categories},
    {"GET", "/api/v1/apikeys", false, hl_routes_apikeys_list},
    {"POST", "/api/v1/apikeys", false, hl_routes_apikeys_create},
    {"DELETE", "/api/v1/apikeys/{id}", false, hl_routes_apikeys_revoke},
    /* Open311 GeoReport v2: open (keys, not sessions), dispatched in routes_open311.c. */
    {"GET", "/open311/v2/*", true, hl_http_open311_get},
    {"POST", "/open311/v2/*", true, hl_http_open311_post},
};

#define ROUTE_COUNT HL_COUNT_OF(route_table)

void hl_routes_each(void (*visit)(void *context, const hl_route *route), void *context)
{
    for (size_t index = 0; index < ROUTE_COUNT; index++)
        visit(context, &route_table[index]);
}

/* Matches a path against a pattern: literal segments compare exactly, a
 * {name} segment takes any non-empty segment, a final "*" the rest of the
 * path (possibly empty). The parameters land in context. */
static bool pattern_matches(const char *pattern, const char *path, hl_route_context *context)
{
    context->parameter_count = 0;
    while (*pattern != '\0') {
        if (pattern[0] == '*' && pattern[1] == '\0') {
            if (context->parameter_count <
                sizeof context->parameters / sizeof context->parameters[0])
                context->parameters[context->parameter_count++] = hl_slice_of(path);
            return true;
        }
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++;
        path++;
        size_t pattern_length = strcspn(pattern, "/");
        size_t path_length = strcspn(path, "/");
        if (pattern_length > 0 && pattern[0] == '{') {
            if (path_length == 0 || context->parameter_count >=
                                        sizeof context->parameters / sizeof context->parameters[0])
                return false;
            context->parameters[context->parameter_count++] = (hl_slice){path, path_length};
        } else if (pattern[0] == '*' && pattern_length == 1 && pattern[1] == '\0') {
            continue;
        } else if (pattern_length != path_length || memcmp(pattern, path, path_length) != 0) {
            return false;
        }
        pattern += pattern_length;
        path += path_length;
    }
    return *path == '\0';
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

/* The Allow header of a path: the methods of every route whose pattern
 * matches it (HEAD beside GET), in the request's arena. */
static const char *allowed_methods(const hl_route_request *request)
{
    hl_buf allow;
    hl_buf_init(&allow);
    for (size_t index = 0; index < ROUTE_COUNT; index++) {
        hl_route_context scratch;
        if (!pattern_matches(route_table[index].pattern, request->path, &scratch))
            continue;
        if (allow.len > 0)
            hl_buf_append_str(&allow, ", ");
        hl_buf_append_str(&allow, route_table[index].method);
        if (strcmp(route_table[index].method, "GET") == 0)
            hl_buf_append_str(&allow, ", HEAD");
    }
    const char *result =
        hl_arena_strndup(request->arena, allow.data != NULL ? allow.data : "", allow.len);
    hl_buf_free(&allow);
    return result;
}

void hl_routes_handle(const hl_route_request *request, hl_route_response *response)
{
    if (!set_language(request, response))
        return;
    /* A path that is not UTF-8 cannot name anything here; say so rather
     * than echo bytes that would make the JSON invalid. */
    if (!hl_text_is_utf8(request->path, strlen(request->path))) {
        hl_route_error_status(response, 400, hl_error_code_name(HL_EINVAL), "path",
                              HL_T("路径不是有效的 UTF-8", "the path is not valid UTF-8"));
        return;
    }
    hl_route_context context = {0};
    const hl_route *route = NULL;
    bool path_known = false;
    for (size_t index = 0; index < ROUTE_COUNT && route == NULL; index++) {
        if (!pattern_matches(route_table[index].pattern, request->path, &context))
            continue;
        path_known = true;
        if (method_matches(route_table[index].method, request->method))
            route = &route_table[index];
    }
    if (route == NULL && !path_known && hl_static_files_claims(request->path)) {
        if (method_matches("GET", request->method)) {
            hl_static_files_answer(request->static_files, request, response);
            return;
        }
        hl_route_error_status(response, 405, "method_not_allowed", "method",
                              HL_T("网页只接受 GET 与 HEAD", "web pages take only GET and HEAD"));
        response->allow = "GET, HEAD";
        return;
    }
    if (route == NULL && !path_known) {
        hl_route_error_status(response, 404, hl_error_code_name(HL_ENOTFOUND), "path",
                              HL_T("没有这个地址", "no such resource"));
        return;
    }
    if (route == NULL) {
        hl_route_error_status(
            response, 405, "method_not_allowed", "method",
            HL_T("此地址不接受这个方法", "this resource does not accept this method"));
        response->allow = allowed_methods(request);
        return;
    }
    response->content_type = HL_JSON_TYPE;
    /* Reading one order or its log (the session, the user, the order)
     * takes one read transaction: one snapshot and one round of file locks
     * instead of three. */
    bool snapshot =
        route->handle == hl_routes_orders_get || route->handle == hl_routes_orders_events;
    hl_error error;
    hl_error_clear(&error);
    /* Another thread (or the command line) may have changed the calendar,
     * the limits or the zone since this thread's connection loaded them.
     * The reload reads in a transaction of its own, so it comes before the
     * snapshot: inside it, SQLite refused the nested BEGIN, the request
     * failed and the connection kept its snapshot (issue 9). */
    if (!route->open && !hl_route_ok(response, hl_app_refresh(request->app, &error), &error))
        return;
    if (snapshot && !hl_route_ok(response, hl_app_read_begin(request->app, &error), &error))
        return;
    if (!route->open) {
        hl_user *user = hl_arena_alloc(request->arena, sizeof *user);
        if (!hl_route_authenticate(request, user, &context.token, &context.password_expired,
                                   response)) {
            if (snapshot)
                hl_app_read_end(request->app);
            return;
        }
        context.user = user;
        /* After the session is known, so a forged cookie stays a 401. */
        if (!hl_route_cookie_write_allowed(request, response) ||
            !password_age_allows(route, &context, response)) {
            if (snapshot)
                hl_app_read_end(request->app);
            return;
        }
    }
    route->handle(request, &context, response);
    if (snapshot)
        hl_app_read_end(request->app);
}
