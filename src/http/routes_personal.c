/* routes_personal.c: a caller's earlier orders, the audit of full
 * phone-number reads, and writing an order with its reads recorded (see
 * routes_personal.h).
 *
 * Who sees a full number, who may read an order and who may read the
 * audit are app/auth's rules; the earlier orders come from app/ in one
 * snapshot; the reads go to the server's queue (app/audit) before the
 * answer leaves. This file parses parameters and writes JSON. */
#include "http/routes_personal.h"

#include <stdio.h>
#include <string.h>

#include "base/contract.h"
#include "base/i18n.h"
#include "domain/phone.h"
#include "http/route_support.h"

/* A HEAD is answered as GET, but libmicrohttpd sends no body: no number
 * leaves the server, so no read is recorded (issue 11). */
static bool body_goes_out(const hl_route_request *request)
{
    return strcmp(request->method, "HEAD") != 0;
}

/* The optional query parameter limit: fallback when absent, else a whole
 * number from 1 to maximum; false (with the 400 written) when it is not. */
static bool limit_parameter(const hl_route_request *request, int64_t fallback, int64_t maximum,
                            int64_t *limit, hl_route_response *response)
{
    const char *text = NULL;
    if (!hl_route_query(request, "limit", &text, response))
        return false;
    *limit = fallback;
    if (text == NULL || hl_text_parse_int(hl_slice_of(text), 1, maximum, limit) == HL_OK)
        return true;
    char message[64];
    snprintf(message, sizeof message, HL_T("limit 须为 1 到 %lld", "limit takes 1 to %lld"),
             (long long)maximum);
    hl_route_field_invalid(response, "limit", message);
    return false;
}

bool hl_routes_personal_order(const hl_route_request *request, const hl_user *user,
                              const hl_order *order, const char *route, bool written,
                              hl_route_response *response)
{
    bool full = hl_auth_sees_personal_data(user);
    if (full && order->citizen_phone[0] != '\0' && body_goes_out(request)) {
        hl_audit_read read;
        hl_audit_read_of(&read, request->now, user->username, order->id, route);
        hl_error error;
        hl_error_clear(&error);
        if (hl_audit_queue_add(request->audit, &read, 1, &error) != HL_OK) {
            if (!written) {
                hl_route_error(response, &error);
                return false;
            }
            full = false;
        }
    }
    hl_app_pending *pending = hl_arena_alloc(request->arena, sizeof *pending);
    hl_error error;
    hl_error_clear(&error);
    if (!hl_route_ok(response, hl_app_pending_of(request->app, order, pending, &error), &error))
        return false;
    hl_route_order_json(request->app, order, pending, request->now, full, &response->body);
    return true;
}

/* ---- A caller's earlier orders ---- */

void hl_routes_personal_list_start(hl_routes_personal_list *list, const hl_route_request *request,
                                   const hl_user *user, const char *route, hl_buf *out,
                                   size_t max_orders)
{
    HL_REQUIRE(request != NULL && user != NULL && route != NULL && out != NULL);
    *list = (hl_routes_personal_list){
        .request = request,
        .user = user,
        .route = route,
        .out = out,
        .full = hl_auth_sees_personal_data(user),
        .reads = hl_arena_alloc(request->arena, max_orders * sizeof(hl_audit_read)),
        .pending = hl_arena_alloc(request->arena, sizeof(hl_app_pending)),
        .status = HL_OK,
    };
    hl_error_clear(&list->error);
}

int hl_routes_personal_list_order(void *context, const hl_order *order)
{
    hl_routes_personal_list *list = context;
    list->status = hl_app_pending_of(list->request->app, order, list->pending, &list->error);
    if (list->status != HL_OK)
        return list->status;
    if (list->count++ > 0)
        hl_buf_append_char(list->out, ',');
    hl_route_order_json(list->request->app, order, list->pending, list->request->now, list->full,
                        list->out);
    if (list->full && order->citizen_phone[0] != '\0' && body_goes_out(list->request))
        hl_audit_read_of(&list->reads[list->read_count++], list->request->now, list->user->username,
                         order->id, list->route);
    return 0;
}

int hl_routes_personal_list_result(const hl_routes_personal_list *list, int result, hl_error *error)
{
    if (list->status == HL_OK)
        return result;
    *error = list->error;
    return list->status;
}

bool hl_routes_personal_list_end(const hl_routes_personal_list *list, hl_route_response *response)
{
    hl_error error;
    hl_error_clear(&error);
    return hl_route_ok(
        response, hl_audit_queue_add(list->request->audit, list->reads, list->read_count, &error),
        &error);
}

void hl_routes_personal_earlier(const hl_route_request *request, const hl_route_context *context,
                                hl_route_response *response)
{
    const hl_user *user = context->user;
    if (hl_route_refuse_without_orders(user, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    int64_t id = 0;
    if (!hl_route_ok(response, hl_route_parse_order_number(context->parameters[0], &id, &error),
                     &error))
        return;
    int64_t limit = 0;
    if (!limit_parameter(request, HL_ROUTES_EARLIER_DEFAULT, HL_ROUTES_EARLIER_MAX, &limit,
                         response))
        return;
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    hl_buf *out = &response->body;
    hl_buf_append_str(out, "{\"number\":");
    hl_buf_append_json_string(out, number);
    hl_buf_append_str(out, ",\"orders\":[");
    hl_routes_personal_list list;
    hl_routes_personal_list_start(&list, request, user, "GET /api/v1/orders/{number}/earlier", out,
                                  (size_t)limit);
    /* The order itself and each earlier one are read under app/auth's rule:
     * one the user may not read is "not found" or left out. */
    int result = hl_app_earlier_orders(request->app, id, user, hl_auth_may_read_order, (int)limit,
                                       hl_routes_personal_list_order, &list, &error);
    if (!hl_route_ok(response, hl_routes_personal_list_result(&list, result, &error), &error))
        return;
    if (!hl_routes_personal_list_end(&list, response))
        return; /* the numbers do not leave */
    hl_buf_append_str(out, "]}\n");
    response->status = 200;
}

/* ---- Finding a caller by phone ---- */

bool hl_routes_personal_phone(const hl_route_request *request, const hl_user *user,
                              const char **phone, hl_route_response *response)
{
    if (!hl_route_query(request, "phone", phone, response))
        return false;
    if (*phone == NULL)
        return true;
    if (!hl_phone_valid(*phone, strlen(*phone))) {
        hl_route_field_invalid(
            response, "phone",
            HL_T("电话号码须为 3 至 24 个数字、空格、“+”或“-”，且至少含 3 位数字",
                 "a phone number is 3 to 24 digits, spaces, '+' or '-' with at "
                 "least 3 digits"));
        return false;
    }
    if (!hl_auth_may_search_by_phone(user)) {
        /* A role that sees numbers masked would learn them by searching. */
        hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), "phone",
                              HL_T("您的角色不能按电话号码查找工单",
                                   "your role may not find orders by phone number"));
        return false;
    }
    return true;
}

void hl_routes_personal_callers(const hl_route_request *request, const hl_route_context *context,
                                hl_route_response *response)
{
    const hl_user *user = context->user;
    if (hl_route_refuse_without_orders(user, response))
        return;
    hl_order_filter filter = {0};
    int64_t limit = 0;
    if (!limit_parameter(request, HL_ROUTES_CALLER_DEFAULT, HL_ROUTES_CALLER_MAX, &limit, response))
        return;
    if (!hl_routes_personal_phone(request, user, &filter.phone, response))
        return;
    if (filter.phone == NULL) {
        hl_route_field_invalid(response, "phone",
                               HL_T("须给出电话号码（phone）", "phone is required"));
        return;
    }
    hl_app_caller_summary summary;
    memset(&summary, 0, sizeof summary);
    hl_buf *out = &response->body;
    hl_buf_append_str(out, "{\"orders\":[");
    /* The user's scope, as a list's: a surveyor's caller has no open orders. */
    if (hl_auth_order_scope(user, &filter)) {
        hl_routes_personal_list list;
        hl_routes_personal_list_start(&list, request, user, "GET /api/v1/callers", out,
                                      (size_t)limit);
        hl_error error;
        hl_error_clear(&error);
        if (!hl_route_ok(response,
                         hl_app_caller_orders(request->app, &filter, request->now, (int)limit,
                                              hl_routes_personal_list_order, &list, &summary,
                                              &error),
                         &error))
            return;
        if (!hl_routes_personal_list_end(&list, response))
            return; /* the numbers do not leave */
    }
    hl_buf_appendf(out,
                   "],\"total\":%lld,\"open\":%lld,\"recent\":%lld,\"recent_days\":%d,"
                   "\"repeat\":%s}\n",
                   (long long)summary.total, (long long)summary.open, (long long)summary.recent,
                   HL_APP_RECENT_DAYS, summary.repeat ? "true" : "false");
    response->status = 200;
}

/* ---- The audit ---- */

static int write_read(void *context, const hl_audit_read *read)
{
    hl_buf *out = hl_json_list_next(context);
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_time(out, &first, "at", read->at);
    hl_json_out_string(out, &first, "actor", read->actor);
    hl_json_out_number(out, &first, "order", read->order_id);
    hl_json_out_string(out, &first, "route", read->route);
    hl_buf_append_char(out, '}');
    return 0;
}

void hl_routes_personal_audit(const hl_route_request *request, const hl_route_context *context,
                              hl_route_response *response)
{
    if (!hl_auth_may_read_audit(context->user)) {
        hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), NULL,
                              HL_T("只有审计管理员可以查看联系电话的查阅记录",
                                   "only audit administrators may read the audit of phone-number "
                                   "reads"));
        return;
    }
    hl_audit_filter filter = {0};
    const char *order = NULL, *actor = NULL, *page_text = NULL;
    /* Each one UTF-8 text of bounded length before it is looked at. */
    if (!hl_route_query(request, "order", &order, response) ||
        !hl_route_query(request, "user", &actor, response) ||
        !hl_route_query(request, "page", &page_text, response))
        return;
    if (order != NULL && hl_order_parse_number(hl_slice_of(order), &filter.order_id) != HL_OK) {
        hl_route_field_invalid(
            response, "order",
            HL_T("order 须为工单编号（14 位数字）", "order takes an order number (14 digits)"));
        return;
    }
    if (actor != NULL && (actor[0] == '\0' || strlen(actor) >= HL_AUDIT_ACTOR_BYTES)) {
        hl_route_field_invalid(response, "user", HL_T("user 须为用户名", "user takes a username"));
        return;
    }
    filter.actor = actor;
    int64_t page = 1;
    if (page_text != NULL &&
        hl_text_parse_int(hl_slice_of(page_text), 1, 1000000, &page) != HL_OK) {
        hl_route_field_invalid(response, "page",
                               HL_T("page 须为 1 起的页码", "page takes a page number from 1"));
        return;
    }
    filter.limit = HL_ROUTES_AUDIT_PAGE;
    filter.offset = (page - 1) * HL_ROUTES_AUDIT_PAGE;
    hl_error error;
    hl_error_clear(&error);
    int64_t total = 0;
    /* Reads answered a moment ago may still wait in the queue: write them
     * first, so that the audit shows everything given out until now. */
    if (!hl_route_ok(response,
                     hl_audit_queue_flush(request->audit, &error) != HL_OK ||
                         hl_audit_count(request->app, &filter, &total, &error),
                     &error))
        return;
    hl_buf *out = &response->body;
    hl_buf_appendf(out, "{\"page\":%lld,\"per_page\":%d,\"total\":%lld,\"reads\":[",
                   (long long)page, HL_ROUTES_AUDIT_PAGE, (long long)total);
    hl_json_list writer = {out, 0};
    if (!hl_route_ok(response, hl_audit_list(request->app, &filter, write_read, &writer, &error),
                     &error))
        return;
    hl_buf_append_str(out, "]}\n");
    response->status = 200;
}

static int write_security_event(void *context, const hl_security_event *event)
{
    hl_buf *out = hl_json_list_next(context);
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_int(out, &first, "seq", (long long)event->seq);
    hl_json_out_time(out, &first, "at", event->at);
    hl_json_out_string(out, &first, "actor", event->actor);
    hl_json_out_string(out, &first, "address", event->address);
    hl_json_out_string(out, &first, "action", event->action);
    hl_json_out_string(out, &first, "target", event->target);
    hl_json_out_string(out, &first, "outcome", event->outcome);
    hl_json_out_string(out, &first, "detail", event->detail);
    hl_buf_append_char(out, '}');
    return 0;
}

void hl_routes_personal_security_events(const hl_route_request *request,
                                        const hl_route_context *context,
                                        hl_route_response *response)
{
    /* The same rule as the audit of reads: the audit administrator's. */
    if (!hl_auth_may_read_audit(context->user)) {
        hl_route_error_status(response, 403, hl_error_code_name(HL_EROLE), NULL,
                              HL_T("只有审计管理员可以查看安全事件",
                                   "only audit administrators may read the security events"));
        return;
    }
    int64_t limit = 0;
    if (!limit_parameter(request, HL_ROUTES_SECURITY_DEFAULT, HL_ROUTES_SECURITY_MAX, &limit,
                         response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_buf *out = &response->body;
    hl_buf_append_str(out, "{\"events\":[");
    hl_json_list writer = {out, 0};
    if (!hl_route_ok(
            response,
            hl_audit_security_list(request->app, limit, write_security_event, &writer, &error),
            &error))
        return;
    hl_buf_append_str(out, "]}\n");
    response->status = 200;
}
