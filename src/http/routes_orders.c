/* routes_orders.c: the routes of work orders (see routes_orders.h).
 *
 * Reading one order and its events (each with its actor's display name),
 * the list (the caller's phone among its filters), registering, and every
 * lifecycle action with optimistic concurrency (If-Match). Parameters and bodies are
 * checked here; whether the user may read the order is app/auth's rule and
 * whether the action is allowed the workflow's, both applied by app/ in
 * the write's transaction. */
#include "http/routes_orders.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"
#include "http/route_support.h"
#include "http/routes_personal.h"

/* ---- Reads ---- */

/* An order's log as JSON, with each actor's display name (actor_name) beside
 * the login (actor): where each event's object ends in the log's buffer,
 * and its actor. */
typedef struct named_event {
    size_t end; /* the offset of the event's closing brace */
    char actor[HL_CODE_BYTES];
} named_event;

typedef struct named_events {
    hl_route_events_writer writer;
    named_event *events;
    size_t count;
    size_t capacity;
} named_events;

static int note_event(void *context, const hl_event *event)
{
    named_events *named = context;
    hl_route_event_json(&named->writer, event);
    HL_ARRAY_GROW(named->events, named->count, named->capacity);
    named_event *entry = &named->events[named->count++];
    entry->end = named->writer.out->len - 1;
    snprintf(entry->actor, sizeof entry->actor, "%s", event->actor);
    return 0;
}

/* Writes {"number":..,"events":[..]} into out from the log's buffer, each
 * event with "actor_name": the actor's display name, or null for an actor
 * that is no user (the command line's, the system's). A log names a few
 * people: each is read once. */
static int write_named_events(const hl_route_request *request, int64_t id,
                              const named_events *named, const hl_buf *log, hl_buf *out,
                              hl_error *error)
{
    char(*names)[HL_NAME_BYTES] =
        hl_arena_alloc(request->arena, (named->count + 1) * HL_NAME_BYTES);
    for (size_t index = 0; index < named->count; index++) {
        size_t same = 0;
        while (same < index && strcmp(named->events[same].actor, named->events[index].actor) != 0)
            same++;
        if (same < index) {
            memcpy(names[index], names[same], HL_NAME_BYTES);
            continue;
        }
        int result = hl_app_user_display_name(request->app, named->events[index].actor,
                                              names[index], HL_NAME_BYTES, error);
        if (result != HL_OK)
            return result;
    }
    char text[24];
    hl_order_format_number(id, text, sizeof text);
    hl_buf_append_str(out, "{\"number\":");
    hl_buf_append_json_string(out, text);
    hl_buf_append_str(out, ",\"events\":[");
    size_t start = 0;
    for (size_t index = 0; index < named->count; index++) {
        size_t end = named->events[index].end;
        hl_buf_append(out, log->data + start, end - start);
        bool first = false;
        hl_json_out_name(out, &first, "actor_name", names[index][0] != '\0', names[index]);
        hl_buf_append_char(out, '}');
        start = end + 1;
    }
    hl_buf_append_str(out, "]}\n");
    return HL_OK;
}

static void read_order(const hl_route_request *request, const hl_user *user, hl_slice number,
                       bool events, hl_route_response *response)
{
    if (hl_route_refuse_without_orders(user, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    int64_t id = 0;
    if (!hl_route_ok(response, hl_route_parse_order_number(number, &id, &error), &error))
        return;
    /* An order is some 40 KB: it lives in the request's arena, not the stack. */
    hl_order *order = hl_arena_alloc(request->arena, sizeof *order);
    if (!events) {
        /* An order the user may not read is "not found", as one that is absent. */
        if (!hl_route_ok(response, hl_auth_read_order(request->app, user, id, order, &error),
                         &error))
            return;
        if (!hl_routes_personal_order(request, user, order, "GET /api/v1/orders/{number}", false,
                                      response))
            return;
        hl_route_set_etag(response, order);
        response->status = 200;
        return;
    }
    /* The log is written first into a buffer of its own, each event's end
     * noted: the actors' names are read once the store has answered, and
     * each event then closes with its actor's name. */
    hl_buf log;
    hl_buf_init(&log);
    named_events named = {.writer = {&log, 0}};
    int result = hl_auth_list_events(request->app, user, id, order, note_event, &named, &error);
    if (result == HL_OK)
        result = write_named_events(request, id, &named, &log, &response->body, &error);
    hl_buf_free(&log);
    free(named.events);
    if (!hl_route_ok(response, result, &error))
        return;
    response->status = 200;
}

void hl_routes_orders_get(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    read_order(request, context->user, context->parameters[0], false, response);
}

void hl_routes_orders_events(const hl_route_request *request, const hl_route_context *context,
                             hl_route_response *response)
{
    read_order(request, context->user, context->parameters[0], true, response);
}

/* ---- Lists ---- */

#define PAGE_SIZE_DEFAULT 50
#define PAGE_SIZE_MAX 200
/* Pages beyond this would skip more rows than any store holds orders. */
#define PAGE_MAX 1000000

/* Reads a comma-separated list of state names into a mask; false, with a
 * 400 naming "state", for an unknown name or an empty item. */
static bool parse_states(const char *text, unsigned *mask, hl_route_response *response)
{
    *mask = 0;
    const char *cursor = text;
    for (;;) {
        size_t length = strcspn(cursor, ",");
        hl_state state = HL_STATE_NONE;
        if (hl_order_state_parse((hl_slice){cursor, length}, &state) != HL_OK ||
            state == HL_STATE_NONE) {
            hl_route_field_invalid(
                response, "state",
                HL_T("state 须为以逗号分隔的状态名，如 dispatched,signed",
                     "state takes state names separated by commas, e.g. dispatched,signed"));
            return false;
        }
        *mask |= HL_STATE_BIT(state);
        if (cursor[length] == '\0')
            return true;
        cursor += length + 1;
    }
}

/* A code parameter (unit, co_unit, category): a well-formed code or a 400. */
static bool code_parameter(const hl_route_request *request, const char *name, const char **out,
                           hl_route_response *response)
{
    if (!hl_route_query(request, name, out, response))
        return false;
    if (*out == NULL || hl_directory_code_valid(hl_slice_of(*out)))
        return true;
    hl_route_field_invalid(response, name,
                           HL_T("代码须为 1 至 32 个字母、数字、“-”、“_”或“.”",
                                "a code is 1 to 32 letters, digits, '-', '_' or '.'"));
    return false;
}

/* A flag parameter: absent or "0" is false, "1" true, anything else a 400. */
static bool flag_parameter(const hl_route_request *request, const char *name, bool *out,
                           hl_route_response *response)
{
    const char *text = NULL;
    if (!hl_route_query(request, name, &text, response))
        return false;
    *out = text != NULL && strcmp(text, "1") == 0;
    if (text == NULL || strcmp(text, "0") == 0 || strcmp(text, "1") == 0)
        return true;
    hl_route_field_invalid(response, name, HL_T("须为 1 或 0", "takes 1 or 0"));
    return false;
}

/* The approval queue parameter: pending=extension, return or appeal (the
 * orders awaiting that decision), else a 400. */
static bool pending_parameter(const hl_route_request *request, hl_pending *out,
                              hl_route_response *response)
{
    const char *text = NULL;
    if (!hl_route_query(request, "pending", &text, response))
        return false;
    *out = HL_PENDING_NONE;
    if (text == NULL || hl_order_pending_parse(hl_slice_of(text), out) == HL_OK)
        return true;
    hl_route_field_invalid(response, "pending",
                           HL_T("pending 须为 extension、return 或 appeal",
                                "pending takes extension, return or appeal"));
    return false;
}

/* A day parameter: the instant its local day starts (next: the day after). */
static bool day_parameter(const hl_route_request *request, const char *name, bool next,
                          hl_time *out, hl_route_response *response)
{
    const char *text = NULL;
    if (!hl_route_query(request, name, &text, response))
        return false;
    *out = 0;
    if (text == NULL)
        return true;
    int32_t day = 0;
    if (hl_clock_parse_day(hl_slice_of(text), &day) != HL_OK) {
        hl_route_field_invalid(response, name,
                               HL_T("日期须为 YYYY-MM-DD", "the date must be YYYY-MM-DD"));
        return false;
    }
    *out = hl_clock_start_of_day(next ? day + 1 : day);
    return true;
}

static bool number_parameter(const hl_route_request *request, const char *name, int64_t minimum,
                             int64_t maximum, int64_t fallback, int64_t *out,
                             hl_route_response *response)
{
    const char *text = NULL;
    if (!hl_route_query(request, name, &text, response))
        return false;
    *out = fallback;
    if (text == NULL || hl_text_parse_int(hl_slice_of(text), minimum, maximum, out) == HL_OK)
        return true;
    char message[128];
    snprintf(message, sizeof message,
             HL_T("%s 须为 %lld 至 %lld 的整数", "%s takes a whole number from %lld to %lld"), name,
             (long long)minimum, (long long)maximum);
    hl_route_field_invalid(response, name, message);
    return false;
}

/* Fills a filter from the list's query parameters (the text ones live in
 * the request); false with a 400 naming the parameter at fault. */
static bool list_filter(const hl_route_request *request, hl_order_filter *filter, int64_t *page,
                        int64_t *page_size, hl_route_response *response)
{
    const char *states = NULL, *text = NULL, *sort = NULL;
    bool overdue = false, due_soon = false;
    if (!hl_route_query(request, "state", &states, response) ||
        !code_parameter(request, "unit", &filter->unit, response) ||
        !code_parameter(request, "co_unit", &filter->co_unit, response) ||
        !code_parameter(request, "category", &filter->category, response) ||
        !hl_route_query(request, "q", &text, response) ||
        !flag_parameter(request, "overdue", &overdue, response) ||
        !flag_parameter(request, "due_soon", &due_soon, response) ||
        !pending_parameter(request, &filter->pending, response) ||
        !day_parameter(request, "received_from", false, &filter->received_from, response) ||
        !day_parameter(request, "received_to", true, &filter->received_to, response) ||
        !hl_route_query(request, "sort", &sort, response) ||
        !number_parameter(request, "page", 1, PAGE_MAX, 1, page, response) ||
        !number_parameter(request, "page_size", 1, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT, page_size,
                          response))
        return false;
    if (states != NULL && !parse_states(states, &filter->state_mask, response))
        return false;
    if (text != NULL) {
        hl_slice trimmed = hl_slice_trim(hl_slice_of(text));
        if (hl_text_char_count(trimmed.ptr, trimmed.len) > HL_TITLE_CHARS) {
            hl_route_field_invalid(response, "q",
                                   HL_T("搜索文字过长", "the search text is too long"));
            return false;
        }
        filter->text = hl_arena_strndup(request->arena, trimmed.ptr, trimmed.len);
    }
    static const struct {
        const char *name;
        hl_order_sort sort;
    } sorts[] = {
        {"-received", HL_ORDER_SORT_RECEIVED_DESC},
        {"received", HL_ORDER_SORT_RECEIVED},
        {"deadline", HL_ORDER_SORT_DEADLINE},
        {"-deadline", HL_ORDER_SORT_DEADLINE_DESC},
    };
    filter->sort = HL_ORDER_SORT_RECEIVED_DESC;
    if (sort != NULL) {
        size_t index = 0;
        while (index < HL_COUNT_OF(sorts) && strcmp(sorts[index].name, sort) != 0)
            index++;
        if (index == HL_COUNT_OF(sorts)) {
            hl_route_field_invalid(response, "sort",
                                   HL_T("sort 须为 deadline、-deadline、received 或 -received",
                                        "sort takes deadline, -deadline, received or -received"));
            return false;
        }
        filter->sort = sorts[index].sort;
    }
    if (overdue)
        filter->due_before = request->now; /* as `hotline list --overdue` */
    if (due_soon) {
        /* About to be overdue: not yet overdue, due within due_soon_days. */
        hl_time limit = hl_app_due_soon_limit(request->app, request->now);
        filter->due_from = request->now;
        filter->due_before =
            filter->due_before != 0 && filter->due_before < limit ? filter->due_before : limit;
    }
    filter->limit = (int)*page_size;
    filter->offset = (*page - 1) * *page_size;
    return true;
}

void hl_routes_orders_list(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response)
{
    if (hl_route_refuse_without_orders(context->user, response))
        return;
    hl_order_filter filter = {0};
    int64_t page = 1, page_size = PAGE_SIZE_DEFAULT;
    if (!list_filter(request, &filter, &page, &page_size, response) ||
        !hl_routes_personal_phone(request, context->user, &filter.phone, response))
        return;
    hl_buf *out = &response->body;
    hl_buf_append_str(out, "{\"orders\":[");
    int64_t total = 0;
    /* The user's filters, narrowed to what the user may read: a list can
     * never show an order that GET /api/v1/orders/{number} would not. */
    if (hl_auth_order_scope(context->user, &filter)) {
        hl_routes_personal_list list;
        hl_routes_personal_list_start(&list, request, context->user, "GET /api/v1/orders", out,
                                      (size_t)page_size);
        hl_error error;
        hl_error_clear(&error);
        int result = hl_app_list_page(request->app, &filter, hl_routes_personal_list_order, &list,
                                      &total, &error);
        if (!hl_route_ok(response, hl_routes_personal_list_result(&list, result, &error), &error))
            return;
        /* Every full number given out is recorded first, or none leaves. */
        if (!hl_routes_personal_list_end(&list, response))
            return;
    }
    hl_buf_appendf(out, "],\"page\":%lld,\"page_size\":%lld,\"total\":%lld}\n", (long long)page,
                   (long long)page_size, (long long)total);
    response->status = 200;
}

void hl_routes_orders_counts(const hl_route_request *request, const hl_route_context *context,
                             hl_route_response *response)
{
    if (hl_route_refuse_without_orders(context->user, response))
        return;
    hl_order_filter filter = {0};
    hl_app_order_counts counts;
    memset(&counts, 0, sizeof counts);
    if (hl_auth_order_scope(context->user, &filter)) {
        hl_error error;
        hl_error_clear(&error);
        if (!hl_route_ok(
                response,
                hl_app_order_counts_of(request->app, &filter, request->now, &counts, &error),
                &error))
            return;
    }
    hl_buf *out = &response->body;
    hl_buf_append_str(out, "{\"by_state\":{");
    bool first = true;
    for (int state = HL_STATE_NONE + 1; state < HL_STATE_COUNT; state++)
        hl_json_out_int(out, &first, hl_order_state_name((hl_state)state),
                        (long long)counts.by_state[state]);
    hl_buf_appendf(out, "},\"overdue\":%lld,\"due_soon\":%lld,\"pending\":{",
                   (long long)counts.overdue, (long long)counts.due_soon);
    first = true;
    for (int kind = HL_PENDING_NONE + 1; kind < HL_PENDING_COUNT; kind++)
        hl_json_out_int(out, &first, hl_order_pending_name((hl_pending)kind),
                        (long long)counts.pending[kind]);
    hl_buf_append_str(out, "}}\n");
    response->status = 200;
}

/* ---- Writes: registration and lifecycle actions ---- */

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
    REGISTER_PUBLISH_CONSENT,
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
        {REGISTER_CITIZEN_NAME, order->citizen_name, sizeof order->citizen_name, HL_NAME_CHARS,
         false},
        {REGISTER_CITIZEN_PHONE, order->citizen_phone, sizeof order->citizen_phone, HL_PHONE_CHARS,
         false},
        {REGISTER_ADDRESS, order->address, sizeof order->address, HL_ADDRESS_CHARS, false},
    };
    for (size_t index = 0; index < HL_COUNT_OF(texts); index++) {
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

void hl_routes_orders_register(const hl_route_request *request, const hl_route_context *context,
                               hl_route_response *response)
{
    const hl_user *user = context->user;
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
        [REGISTER_PUBLISH_CONSENT] = {.name = "publish_consent",
                                      .kind = HL_JSON_BOOLEAN,
                                      .optional = true},
    };
    if (!hl_route_parse_body(request, fields, REGISTER_FIELD_COUNT, response))
        return;
    /* An order is some 40 KB: the request's arena, zeroed, not the stack. */
    hl_order *order = hl_arena_alloc(request->arena, sizeof *order);
    const char *channel = fields[REGISTER_CHANNEL].value;
    if (hl_order_channel_parse(hl_slice_of(channel != NULL ? channel : "phone"), &order->channel) !=
        HL_OK) {
        hl_route_field_invalid(response, "channel",
                               HL_T("渠道须为 phone、web、app、wechat、open311 或 other",
                                    "channel takes phone, web, app, wechat, open311 or other"));
        return;
    }
    if (hl_order_type_parse(hl_slice_of(fields[REGISTER_TYPE].value), &order->type) != HL_OK) {
        hl_route_field_invalid(
            response, "type",
            HL_T("类型须为 inquiry、help、complaint、report、suggestion 或 praise",
                 "type takes inquiry, help, complaint, report, suggestion or praise"));
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    if (!hl_route_ok(response, copy_registration_texts(fields, order, &error), &error))
        return;
    bool has_latitude = fields[REGISTER_LATITUDE].present,
         has_longitude = fields[REGISTER_LONGITUDE].present;
    if (has_latitude != has_longitude) {
        hl_route_field_invalid(
            response, has_latitude ? "longitude" : "latitude",
            HL_T("latitude 与 longitude 须同时给出", "latitude and longitude go together"));
        return;
    }
    if (has_latitude) {
        order->has_location = true;
        order->latitude = fields[REGISTER_LATITUDE].number;
        order->longitude = fields[REGISTER_LONGITUDE].number;
    }
    /* Only when the agent asked and the citizen agreed: the channel named
     * in the body gives no consent (docs/security.md). */
    order->publish_consent =
        fields[REGISTER_PUBLISH_CONSENT].present && fields[REGISTER_PUBLISH_CONSENT].boolean;
    order->received_at = request->now;
    const char *received = fields[REGISTER_RECEIVED_AT].value;
    if (received != NULL &&
        hl_clock_parse_time(hl_slice_of(received), &order->received_at) != HL_OK) {
        hl_route_field_invalid(
            response, "received_at",
            HL_T("received_at 须为 ISO 8601 时间，如 2024-02-01T07:30:26+08:00",
                 "received_at takes an ISO 8601 time, e.g. 2024-02-01T07:30:26+08:00"));
        return;
    }
    /* Whether this user may register is the workflow's rule (agents and
     * dispatchers), checked by app/ in the transaction: HL_EROLE, 403. */
    int64_t id = 0;
    if (hl_app_register_recent(request->app, user->username, order, request->now, &id, &error) !=
        HL_OK) {
        hl_route_write_refused(response, &error);
        return;
    }
    if (!hl_route_ok(response, hl_auth_read_order(request->app, user, id, order, &error), &error))
        return;
    if (!hl_routes_personal_order(request, user, order, "POST /api/v1/orders", true, response))
        return;
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    snprintf(response->location, sizeof response->location, "/api/v1/orders/%s", number);
    hl_route_set_etag(response, order);
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
static bool action_request_of(const hl_json_field *fields, hl_app_request *out,
                              hl_route_response *response)
{
    const char *unit = fields[ACTION_UNIT].value, *co_units = fields[ACTION_CO_UNITS].value;
    if (unit != NULL && strlen(unit) >= HL_CODE_BYTES) {
        hl_route_field_invalid(response, "unit", HL_T("单位代码过长", "the unit code is too long"));
        return false;
    }
    if (co_units != NULL && strlen(co_units) >= HL_CO_UNITS_BYTES) {
        hl_route_field_invalid(response, "co_units",
                               HL_T("协办单位过多", "too many co-handling units"));
        return false;
    }
    out->unit = unit;
    out->co_units = co_units;
    out->note = fields[ACTION_NOTE].value;
    if (fields[ACTION_DAYS].present) {
        /* The workflow bounds the days; here only what fits an int. */
        long long days = fields[ACTION_DAYS].integer;
        if (days < INT_MIN || days > INT_MAX) {
            hl_route_field_invalid(response, "days", HL_T("天数超出范围", "days out of range"));
            return false;
        }
        out->days = (int)days;
    }
    const char *into = fields[ACTION_INTO].value;
    if (into != NULL && hl_order_parse_number(hl_slice_of(into), &out->into) != HL_OK) {
        hl_route_field_invalid(
            response, "into",
            HL_T("into 须为工单编号（14 位数字）", "into takes an order number (14 digits)"));
        return false;
    }
    const char *outcome = fields[ACTION_OUTCOME].value, *rating = fields[ACTION_RATING].value,
               *resolved = fields[ACTION_RESOLVED].value;
    if (outcome != NULL && hl_order_outcome_parse(hl_slice_of(outcome), &out->outcome) != HL_OK) {
        hl_route_field_invalid(response, "outcome",
                               HL_T("未知的回访结果", "unknown survey outcome"));
        return false;
    }
    if (rating != NULL && hl_order_rating_parse(hl_slice_of(rating), &out->rating) != HL_OK) {
        hl_route_field_invalid(response, "rating", HL_T("未知的满意度", "unknown rating"));
        return false;
    }
    if (resolved != NULL &&
        hl_order_resolved_parse(hl_slice_of(resolved), &out->resolved) != HL_OK) {
        hl_route_field_invalid(response, "resolved",
                               HL_T("resolved 须为 yes 或 no", "resolved takes yes or no"));
        return false;
    }
    return true;
}

void hl_routes_orders_act(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    const hl_user *user = context->user;
    if (hl_route_refuse_without_orders(user, response))
        return;
    hl_slice number = context->parameters[0], action_name = context->parameters[1];
    hl_error error;
    hl_error_clear(&error);
    int64_t id = 0;
    if (!hl_route_ok(response, hl_route_parse_order_number(number, &id, &error), &error))
        return;
    hl_action action = HL_ACTION_REGISTER;
    if (hl_workflow_action_parse(action_name, &action) != HL_OK || action == HL_ACTION_REGISTER) {
        hl_route_error_status(response, 404, hl_error_code_name(HL_ENOTFOUND), "action",
                              HL_T("没有这个操作", "no such action"));
        return;
    }
    /* Every check above and below depends on the request alone, never on
     * the order, so none of them reveals whether the order exists. */
    if (request->if_match == NULL) {
        hl_route_error_status(response, 428, "precondition_required", "if-match",
                              HL_T("须以 If-Match 给出工单的版本（ETag）",
                                   "send the order's version (its ETag) in If-Match"));
        return;
    }
    hl_app_request action_request = {0};
    if (!parse_if_match(request->if_match, &action_request.expected_version)) {
        hl_route_field_invalid(
            response, "if-match",
            HL_T("If-Match 须为一个版本号，如 \"7\"", "If-Match takes one version, e.g. \"7\""));
        return;
    }
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
    if (!hl_route_parse_body(request, fields, ACTION_FIELD_COUNT, response))
        return;
    if (!action_request_of(fields, &action_request, response))
        return;
    /* app/ applies the read rule inside the transaction: an order this user
     * may not read is "not found", before its version or state is looked at. */
    action_request.visible = hl_auth_may_read_order;
    hl_order *order = hl_arena_alloc(request->arena, sizeof *order);
    if (hl_app_act(request->app, user->username, id, action, &action_request, request->now, order,
                   &error) != HL_OK) {
        hl_route_write_refused(response, &error);
        return;
    }
    char route[HL_AUDIT_ROUTE_BYTES];
    snprintf(route, sizeof route, "POST /api/v1/orders/{number}/actions/%s",
             hl_workflow_rule_of(action)->name);
    if (!hl_routes_personal_order(request, user, order, route, true, response))
        return;
    hl_route_set_etag(response, order);
    response->status = 200;
}

/* ---- Dispatch ---- */
