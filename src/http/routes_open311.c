/* routes_open311.c: the Open311 GeoReport v2 routes (see routes_open311.h).
 *
 * Parses the path into a resource and a format, collects and checks the
 * parameters (query arguments, and for a POST the form-encoded body, by
 * form_body.c), identifies the caller by API key, counts the request
 * against its budget (app/throttle, in the store), asks app/open311 and writes the
 * answer once through doc_out.c, which gives XML or JSON. It decides no
 * right: what the public may read, and how a request becomes an order, is
 * app/open311's business; who may hold a key, app/apikey's. */
#include "http/routes_open311.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/apikey.h"
#include "app/open311.h"
#include "app/throttle.h"
#include "base/i18n.h"
#include "http/doc_out.h"
#include "http/form_body.h"
#include "http/route_support.h"

#define XML_TYPE "text/xml; charset=utf-8"
#define SPECIFICATION "http://wiki.open311.org/GeoReport_v2"
/* When this endpoint's description (the discovery document) last changed. */
#define CHANGESET "2024-03-04T00:00:00+08:00"
#define FORM_TYPE "application/x-www-form-urlencoded"
/* The most ids or service codes one GET requests may name. */
#define LIST_ITEMS_MAX 100
#define DAY_SECONDS ((hl_time)HL_SECONDS_PER_DAY)

/* ---- Resources and formats ---- */

typedef enum resource_kind {
    RESOURCE_NONE = 0,
    RESOURCE_DISCOVERY,
    RESOURCE_SERVICES,
    RESOURCE_SERVICE, /* services/{code} */
    RESOURCE_REQUESTS,
    RESOURCE_REQUEST, /* requests/{id} */
    RESOURCE_TOKEN,   /* tokens/{token} */
    RESOURCE_UPDATES, /* servicerequestupdates */
} resource_kind;

typedef struct target {
    resource_kind kind;   /* RESOURCE_NONE: no such resource */
    hl_doc_format format; /* XML when the suffix names none */
    bool format_known;
    const char *argument; /* {code}, {id} or {token}, in the arena */
} target;

/* Reads "services/city.json": the resource, its argument, the format. */
static target parse_target(const hl_route_request *request, hl_slice rest)
{
    target result = {RESOURCE_NONE, HL_DOC_XML, false, NULL};
    const char *dot = NULL;
    for (size_t index = rest.len; index > 0; index--) {
        if (rest.ptr[index - 1] == '/')
            break;
        if (rest.ptr[index - 1] == '.') {
            dot = rest.ptr + index - 1;
            break;
        }
    }
    if (dot == NULL)
        return result;
    hl_slice suffix = {dot + 1, (size_t)(rest.ptr + rest.len - dot - 1)};
    if (hl_slice_equal(suffix, "xml"))
        result.format = HL_DOC_XML;
    else if (hl_slice_equal(suffix, "json"))
        result.format = HL_DOC_JSON;
    else
        return result;
    result.format_known = true;
    hl_slice path = {rest.ptr, (size_t)(dot - rest.ptr)};
    const char *slash = memchr(path.ptr, '/', path.len);
    hl_slice head = {path.ptr, slash != NULL ? (size_t)(slash - path.ptr) : path.len};
    hl_slice tail =
        slash != NULL ? (hl_slice){slash + 1, path.len - head.len - 1} : (hl_slice){"", 0};
    if (slash != NULL && (tail.len == 0 || memchr(tail.ptr, '/', tail.len) != NULL))
        return result;
    if (slash == NULL) {
        if (hl_slice_equal(head, "discovery"))
            result.kind = RESOURCE_DISCOVERY;
        else if (hl_slice_equal(head, "services"))
            result.kind = RESOURCE_SERVICES;
        else if (hl_slice_equal(head, "requests"))
            result.kind = RESOURCE_REQUESTS;
        else if (hl_slice_equal(head, "servicerequestupdates"))
            result.kind = RESOURCE_UPDATES;
        return result;
    }
    if (hl_slice_equal(head, "services"))
        result.kind = RESOURCE_SERVICE;
    else if (hl_slice_equal(head, "requests"))
        result.kind = RESOURCE_REQUEST;
    else if (hl_slice_equal(head, "tokens"))
        result.kind = RESOURCE_TOKEN;
    if (result.kind != RESOURCE_NONE)
        result.argument = hl_arena_strndup(request->arena, tail.ptr, tail.len);
    return result;
}

/* ---- Answers ---- */

static void begin_document(hl_route_response *response, hl_doc *doc, hl_doc_format format)
{
    hl_buf_reset(&response->body);
    hl_doc_begin(doc, &response->body, format);
    response->content_type = format == HL_DOC_XML ? XML_TYPE : HL_JSON_TYPE;
}

/* The specification's errors list: one error of the status's code. */
static void answer_error(hl_route_response *response, hl_doc_format format, int status,
                         const char *description)
{
    hl_doc doc;
    begin_document(response, &doc, format);
    hl_doc_list_begin(&doc, "errors", "error");
    hl_doc_object_begin(&doc, NULL);
    hl_doc_int(&doc, "code", status);
    hl_doc_string(&doc, "description",
                  description != NULL && description[0] != '\0' ? description : "-");
    hl_doc_object_end(&doc);
    hl_doc_list_end(&doc);
    hl_doc_end(&doc);
    response->status = status;
}

/* An error from app/: invalid input 400, a refused key 403, absent 404,
 * a store out of reach 503 (with Retry-After), anything else (the store)
 * 500. */
static void answer_app_error(hl_route_response *response, hl_doc_format format,
                             const hl_error *error)
{
    int status = error->code == HL_EINVAL         ? 400
                 : error->code == HL_EROLE        ? 403
                 : error->code == HL_ENOTFOUND    ? 404
                 : error->code == HL_EUNAVAILABLE ? 503
                                                  : 500;
    answer_error(response, format, status, error->message);
    hl_route_retry_later(response, error->code);
}

static void not_found(hl_route_response *response, hl_doc_format format)
{
    answer_error(response, format, 404,
                 HL_T("没有这个资源（如 services.xml、requests.json、requests/编号.json）",
                      "no such resource (e.g. services.xml, requests.json, requests/ID.json)"));
}

/* ---- Parameters ---- */

typedef struct query_collection {
    hl_form *form;
    hl_arena *arena;
    hl_error *error;
    int result;
} query_collection;

static void collect_argument(void *context, const char *name, size_t name_length, const char *value,
                             size_t value_length)
{
    query_collection *collection = context;
    if (collection->result == HL_OK)
        collection->result =
            hl_form_add(collection->form, collection->arena, HL_OPEN311_MAX_PARAMETERS, name,
                        name_length, value, value_length, collection->error);
}

/* Whether a parameter may be given: "lang" always (the router reads it),
 * the names listed, and attribute[...] names when attributes is true. */
static bool parameter_allowed(const char *name, const char *const *allowed, bool attributes)
{
    if (strcmp(name, "lang") == 0)
        return true;
    for (size_t index = 0; allowed[index] != NULL; index++)
        if (strcmp(name, allowed[index]) == 0)
            return true;
    hl_slice code;
    bool list;
    return attributes && hl_form_attribute_name(name, &code, &list);
}

/* Refuses an unknown parameter and one given twice (but the values of a
 * multivaluelist, attribute[CODE][]). */
static bool check_parameters(const hl_form *form, const char *const *allowed, bool attributes,
                             hl_doc_format format, hl_route_response *response)
{
    char message[HL_ERROR_MESSAGE_MAX];
    for (size_t index = 0; index < form->count; index++) {
        const char *name = form->fields[index].name;
        if (!parameter_allowed(name, allowed, attributes)) {
            /* At most 64 bytes of the name, cut before a character's
             * continuation bytes so that the message stays UTF-8. */
            int shown = 0;
            while (name[shown] != '\0' && shown < 64)
                shown++;
            while (shown > 0 && ((unsigned char)name[shown] & 0xC0) == 0x80)
                shown--;
            snprintf(message, sizeof message, HL_T("未知的参数 %.*s", "unknown parameter %.*s"),
                     shown, name);
            answer_error(response, format, 400, message);
            return false;
        }
        hl_slice code;
        bool list = false;
        if (hl_form_attribute_name(name, &code, &list) && list)
            continue;
        for (size_t earlier = 0; earlier < index; earlier++)
            if (strcmp(form->fields[earlier].name, name) == 0) {
                snprintf(message, sizeof message,
                         HL_T("参数 %.64s 重复给出", "parameter %.64s is given more than once"),
                         name);
                answer_error(response, format, 400, message);
                return false;
            }
    }
    return true;
}

/* A jurisdiction_id, when given and when the installation names its own,
 * must be that one. */
static bool jurisdiction_matches(const hl_open311_settings *settings, const hl_form *form)
{
    const char *given = hl_form_get(form, "jurisdiction_id");
    return given == NULL || given[0] == '\0' || settings->jurisdiction_id[0] == '\0' ||
           strcmp(given, settings->jurisdiction_id) == 0;
}

static const char *jurisdiction_unknown(void)
{
    return HL_T("jurisdiction_id 不存在", "jurisdiction_id was not found");
}

/* ---- Keys and budgets ---- */

typedef struct caller {
    bool keyed;
    hl_apikey key;
} caller;

/* The key of a request: "Authorization: Bearer KEY" or the api_key
 * parameter; both must agree. *text is NULL when neither is there. false
 * (and a 403) when the header is not a Bearer one or the two differ. */
static bool key_text(const hl_route_request *request, const hl_form *form, hl_doc_format format,
                     const char **text, hl_route_response *response)
{
    const char *parameter = hl_form_get(form, "api_key");
    const char *header = NULL;
    if (request->authorization != NULL) {
        const char *value = request->authorization;
        if (strncasecmp(value, "Bearer ", 7) != 0) {
            answer_error(
                response, format, 403,
                HL_T("Authorization 须为 Bearer API 密钥", "Authorization takes a Bearer API key"));
            return false;
        }
        header = value + 7;
        while (*header == ' ')
            header++;
    }
    if (parameter != NULL && header != NULL && strcmp(parameter, header) != 0) {
        answer_error(response, format, 403,
                     HL_T("api_key 与 Authorization 给出的密钥不同",
                          "api_key and Authorization name different keys"));
        return false;
    }
    *text = header != NULL ? header : parameter;
    return true;
}

/* Counts the request against a budget; false (and a 429 with Retry-After)
 * over it. */
static bool within_budget(const hl_route_request *request, const char *budget, int limit,
                          hl_doc_format format, hl_route_response *response)
{
    /* A request assembled without the server (a fuzzing harness) counts
     * nothing. */
    if (!request->count_budgets)
        return true;
    /* Counted in the store, so that every server spends one budget, as a
     * statement of its own before the request's reads: a read never turns
     * into a write transaction, and (SQLite: the counters' own file) never
     * waits for the writers of orders (app/throttle.h). */
    int wait = 0;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_throttle_take(request->app, budget, limit, request->now, &wait, &error);
    if (result != HL_OK) {
        answer_app_error(response, format, &error);
        return false;
    }
    if (wait == 0)
        return true;
    char message[160];
    snprintf(message, sizeof message,
             HL_T("请求过于频繁，请 %d 秒后再试", "too many requests: try again in %d seconds"),
             wait);
    answer_error(response, format, 429, message);
    response->retry_after = wait;
    return false;
}

static bool within_address_budget(const hl_route_request *request, hl_doc_format format,
                                  hl_route_response *response)
{
    char budget[HL_THROTTLE_BUDGET_BYTES];
    snprintf(budget, sizeof budget, "a:%s",
             request->client_address != NULL ? request->client_address : "");
    return within_budget(request, budget, HL_OPEN311_ANONYMOUS_RATE, format, response);
}

/* Identifies the caller and counts the request: a key's budget (POST at
 * its rate, GET at ten times it), else the address's. A key that is
 * given must be valid (403; counted against the address). required: a
 * POST needs a key. */
static bool admit(const hl_route_request *request, const hl_form *form, bool post,
                  hl_doc_format format, caller *who, hl_route_response *response)
{
    memset(who, 0, sizeof *who);
    const char *text = NULL;
    if (!key_text(request, form, format, &text, response))
        return false;
    if (text == NULL) {
        if (post) {
            answer_error(response, format, 403, HL_T("未提供 api_key", "api_key was not provided"));
            return false;
        }
        return within_address_budget(request, format, response);
    }
    hl_error error;
    hl_error_clear(&error);
    int result = hl_apikey_check(request->app, text, &who->key, &error);
    if (result == HL_EROLE) {
        if (within_address_budget(request, format, response))
            answer_error(response, format, 403, error.message);
        return false;
    }
    if (result != HL_OK) {
        answer_app_error(response, format, &error);
        return false;
    }
    who->keyed = true;
    char budget[HL_THROTTLE_BUDGET_BYTES];
    snprintf(budget, sizeof budget, "k:%lld:%s", (long long)who->key.id, post ? "post" : "get");
    int limit = post ? who->key.rate_per_minute : who->key.rate_per_minute * HL_APIKEY_READ_FACTOR;
    return within_budget(request, budget, limit, format, response);
}

/* ---- Values of parameters ---- */

static void field_error(hl_route_response *response, hl_doc_format format, const char *name,
                        const char *zh, const char *en)
{
    char message[HL_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s%s%s", name, HL_T("：", ": "), HL_T(zh, en));
    answer_error(response, format, 400, message);
}

/* A W3C date or date-time. A '+' of the zone that reached us as a space
 * (an unencoded '+' in a query string) is read as the '+' it was.
 * *date_only says whether only a date was given. */
static bool parse_instant(const char *text, hl_time *out, bool *date_only)
{
    char copy[64];
    size_t length = strlen(text);
    if (length >= sizeof copy)
        return false;
    memcpy(copy, text, length + 1);
    if (length > 6 && copy[length - 6] == ' ' && copy[length - 3] == ':')
        copy[length - 6] = '+';
    *date_only = length == 10;
    return hl_clock_parse_w3c(hl_slice_of(copy), out) == HL_OK;
}

/* The window of a list: start_date and end_date (inclusive; a date alone
 * as an end means its whole day), at most HL_OPEN311_DAYS_MAX days; one
 * of them alone spans that many days from or to it; neither, the last
 * that many days. *to is exclusive (0: none). */
static bool parse_window(const hl_form *form, hl_time now, hl_doc_format format, hl_time *from,
                         hl_time *to, hl_route_response *response)
{
    const char *start = hl_form_get(form, "start_date"), *end = hl_form_get(form, "end_date");
    hl_time start_at = 0, end_at = 0, end_given = 0;
    bool date_only = false;
    const hl_time span = (hl_time)HL_OPEN311_DAYS_MAX * DAY_SECONDS;
    if (start != NULL && !parse_instant(start, &start_at, &date_only)) {
        field_error(response, format, "start_date",
                    "须为 W3C 格式的时间，如 2024-03-01T00:00:00+08:00",
                    "must be a W3C date-time, e.g. 2024-03-01T00:00:00Z");
        return false;
    }
    if (end != NULL) {
        if (!parse_instant(end, &end_at, &date_only)) {
            field_error(response, format, "end_date",
                        "须为 W3C 格式的时间，如 2024-03-31T23:59:59+08:00",
                        "must be a W3C date-time, e.g. 2024-03-31T23:59:59Z");
            return false;
        }
        end_given = end_at;
        /* A date alone ends where the next local day begins: 23 or 25
         * hours later on a day the zone changes its clocks. */
        end_at = date_only ? hl_clock_start_of_day(hl_clock_day_of(end_at) + 1) : end_at + 1;
    }
    if (start != NULL && end != NULL) {
        if (end_at <= start_at) {
            field_error(response, format, "end_date", "早于 start_date", "is before start_date");
            return false;
        }
        if (end_given - start_at > span) {
            field_error(response, format, "end_date", "与 start_date 相隔不得超过 90 天",
                        "may not be more than 90 days after start_date");
            return false;
        }
        *from = start_at;
        *to = end_at;
    } else if (start != NULL) {
        *from = start_at;
        *to = start_at + span;
    } else if (end != NULL) {
        *from = end_at - span;
        *to = end_at;
    } else {
        *from = now - span;
        *to = 0;
    }
    return true;
}

/* page (from 1) and page_size (1 to HL_OPEN311_LIST_MAX, by default that
 * many). */
static bool parse_page(const hl_form *form, hl_doc_format format, int64_t *offset, int *limit,
                       hl_route_response *response)
{
    int64_t page = 1, size = HL_OPEN311_LIST_MAX;
    const char *page_text = hl_form_get(form, "page"), *size_text = hl_form_get(form, "page_size");
    if (page_text != NULL &&
        hl_text_parse_int(hl_slice_of(page_text), 1, 1000000, &page) != HL_OK) {
        field_error(response, format, "page", "须为从 1 起的页码", "must be a page number from 1");
        return false;
    }
    if (size_text != NULL &&
        hl_text_parse_int(hl_slice_of(size_text), 1, HL_OPEN311_LIST_MAX, &size) != HL_OK) {
        field_error(response, format, "page_size", "须为 1 至 1000", "must be 1 to 1000");
        return false;
    }
    *offset = (page - 1) * size;
    *limit = (int)size;
    return true;
}

static bool parse_extensions(const hl_form *form, hl_doc_format format, bool *out,
                             hl_route_response *response)
{
    const char *text = hl_form_get(form, "extensions");
    *out = text != NULL && strcmp(text, "true") == 0;
    if (text == NULL || *out || strcmp(text, "false") == 0)
        return true;
    field_error(response, format, "extensions", "须为 true 或 false", "takes true or false");
    return false;
}

/* Splits a comma-separated list into items (slices into text); false when
 * an item is empty or there are more than max. */
static bool split_list(const char *text, hl_slice *items, size_t max, size_t *count)
{
    *count = 0;
    const char *cursor = text;
    for (;;) {
        size_t length = strcspn(cursor, ",");
        if (length == 0 || *count == max)
            return false;
        items[(*count)++] = (hl_slice){cursor, length};
        if (cursor[length] == '\0')
            return true;
        cursor += length + 1;
    }
}

/* ---- Writing requests and notes ---- */

static void write_time(hl_doc *doc, const char *key, hl_time instant)
{
    if (instant == 0) {
        hl_doc_null(doc, key);
        return;
    }
    char text[40];
    hl_clock_format_iso(instant, text, sizeof text);
    hl_doc_string(doc, key, text);
}

static const char *text_or_null(const char *text)
{
    return text != NULL && text[0] != '\0' ? text : NULL;
}

static void write_note(hl_doc *doc, const hl_open311_note *note)
{
    hl_doc_string(doc, "type", note->type);
    write_time(doc, "datetime", note->at);
    hl_doc_string(doc, "summary", note->summary);
    hl_doc_string(doc, "description", note->description);
    hl_doc_string(doc, "agency_responsible", note->agency);
    hl_doc_string(doc, "status", note->closed ? "closed" : "open");
}

static int write_note_item(void *context, const hl_open311_note *note)
{
    hl_doc *doc = context;
    hl_doc_object_begin(doc, NULL);
    write_note(doc, note);
    hl_doc_object_end(doc);
    return 0;
}

static int write_answer_item(void *context, const char *code, int seq, const char *value)
{
    (void)seq;
    hl_doc *doc = context;
    hl_doc_object_begin(doc, NULL);
    hl_doc_string(doc, "code", code);
    hl_doc_string(doc, "value", value);
    hl_doc_object_end(doc);
    return 0;
}

typedef struct request_writer {
    hl_doc *doc;
    hl_open311_reader *reader;
    bool extensions;
    hl_error *error;
} request_writer;

/* One request object of the service_requests list. */
static int write_request(void *context, const hl_open311_view *view)
{
    request_writer *writer = context;
    hl_doc *doc = writer->doc;
    const hl_order *order = view->order;
    int64_t id = order->id;
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    hl_doc_object_begin(doc, NULL);
    hl_doc_string(doc, "service_request_id", number);
    hl_doc_string(doc, "status", view->closed ? "closed" : "open");
    hl_doc_string(doc, "status_notes", view->status_notes);
    hl_doc_string(doc, "service_name", view->service_name);
    hl_doc_string(doc, "service_code", text_or_null(order->category));
    hl_doc_string(doc, "description", order->content);
    hl_doc_string(doc, "agency_responsible", view->agency);
    hl_doc_string(doc, "service_notice",
                  hl_open311_reader_settings(writer->reader)->service_notice);
    write_time(doc, "requested_datetime", order->received_at);
    write_time(doc, "updated_datetime", view->updated_at);
    write_time(doc, "expected_datetime", view->expected_at);
    hl_doc_string(doc, "address", text_or_null(order->address));
    hl_doc_string(doc, "address_id",
                  view->record != NULL ? text_or_null(view->record->address_id) : NULL);
    hl_doc_null(doc, "zipcode");
    if (order->has_location) {
        hl_doc_degrees(doc, "lat", order->latitude);
        hl_doc_degrees(doc, "long", order->longitude);
    } else {
        hl_doc_null(doc, "lat");
        hl_doc_null(doc, "long");
    }
    hl_doc_string(doc, "media_url",
                  view->record != NULL ? text_or_null(view->record->media_url) : NULL);
    int result = HL_OK;
    if (writer->extensions) {
        /* The order record may be the reader's scratch, reloaded by the
         * calls below: everything of it is written above. */
        hl_doc_list_begin(doc, "notes", "note");
        result = hl_open311_each_note(writer->reader, id, write_note_item, doc, writer->error);
        hl_doc_list_end(doc);
        hl_doc_list_begin(doc, "attributes", "attribute");
        if (result == HL_OK)
            result =
                hl_open311_each_answer(writer->reader, id, write_answer_item, doc, writer->error);
        hl_doc_list_end(doc);
    }
    hl_doc_object_end(doc);
    return result;
}

/* ---- GET handlers ---- */

typedef struct get_call {
    const hl_route_request *request;
    hl_route_response *response;
    const target *where;
    const hl_form *form;
    hl_open311_reader *reader;
} get_call;

/* Starts a document that is one list, of name holding items. */
static void begin_list(get_call *call, hl_doc *doc, const char *name, const char *item)
{
    begin_document(call->response, doc, call->where->format);
    hl_doc_list_begin(doc, name, item);
}

/* Ends a document begun with begin_list: its close and 200, or the error
 * of the visit that failed. */
static void end_list(get_call *call, hl_doc *doc, int result, const hl_error *error)
{
    if (result != HL_OK) {
        answer_app_error(call->response, call->where->format, error);
        return;
    }
    hl_doc_list_end(doc);
    hl_doc_end(doc);
    call->response->status = 200;
}

static void get_discovery(get_call *call)
{
    const hl_route_request *request = call->request;
    const hl_open311_settings *settings = hl_open311_reader_settings(call->reader);
    /* The endpoint's address as the client reached it; a Host header that
     * is not a plain host[:port] gives the path alone. */
    char url[320] = "/open311/v2/";
    const char *host = request->host;
    if (host != NULL && host[0] != '\0' && strlen(host) < 256 &&
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
            strlen(host))
        snprintf(url, sizeof url, "http://%s/open311/v2/", host);
    hl_doc doc;
    begin_document(call->response, &doc, call->where->format);
    hl_doc_object_begin(&doc, "discovery");
    hl_doc_string(&doc, "changeset", CHANGESET);
    hl_doc_string(&doc, "contact", settings->contact);
    hl_doc_string(&doc, "key_service", settings->key_service);
    hl_doc_list_begin(&doc, "endpoints", "endpoint");
    hl_doc_object_begin(&doc, NULL);
    hl_doc_string(&doc, "specification", SPECIFICATION);
    hl_doc_string(&doc, "url", url);
    hl_doc_string(&doc, "changeset", CHANGESET);
    hl_doc_string(&doc, "type", "production");
    hl_doc_list_begin(&doc, "formats", "format");
    hl_doc_item_string(&doc, "text/xml");
    hl_doc_item_string(&doc, "application/json");
    hl_doc_list_end(&doc);
    hl_doc_object_end(&doc);
    hl_doc_list_end(&doc);
    hl_doc_object_end(&doc);
    hl_doc_end(&doc);
    call->response->status = 200;
}

static int write_service(void *context, const hl_open311_service *service)
{
    hl_doc *doc = context;
    const hl_category *category = service->category;
    char description[2 * HL_NAME_BYTES + 8];
    if (service->group[0] != '\0')
        snprintf(description, sizeof description, "%s / %s", service->group, category->name);
    else
        snprintf(description, sizeof description, "%s", category->name);
    hl_doc_object_begin(doc, NULL);
    hl_doc_string(doc, "service_code", category->code);
    hl_doc_string(doc, "service_name", category->name);
    hl_doc_string(doc, "description", description);
    hl_doc_bool(doc, "metadata", service->attribute_count > 0);
    hl_doc_string(doc, "type", "realtime");
    hl_doc_string(doc, "keywords", "");
    hl_doc_string(doc, "group", service->group);
    hl_doc_object_end(doc);
    return 0;
}

static void get_services(get_call *call)
{
    hl_doc doc;
    begin_list(call, &doc, "services", "service");
    hl_error error;
    hl_error_clear(&error);
    end_list(call, &doc, hl_open311_each_service(call->request->app, write_service, &doc, &error),
             &error);
}

typedef struct values_writer {
    hl_doc *doc;
    hl_arena *arena;
} values_writer;

static bool write_value(void *context, hl_slice key, hl_slice name)
{
    values_writer *writer = context;
    hl_doc_object_begin(writer->doc, NULL);
    hl_doc_string(writer->doc, "key", hl_arena_strndup(writer->arena, key.ptr, key.len));
    hl_doc_string(writer->doc, "name", hl_arena_strndup(writer->arena, name.ptr, name.len));
    hl_doc_object_end(writer->doc);
    return true;
}

static void get_definition(get_call *call)
{
    hl_open311_definition definition;
    hl_error error;
    hl_error_clear(&error);
    int result =
        hl_open311_definition_load(call->request->app, call->where->argument, &definition, &error);
    if (result != HL_OK) {
        answer_app_error(call->response, call->where->format, &error);
        return;
    }
    hl_doc doc;
    begin_document(call->response, &doc, call->where->format);
    hl_doc_object_begin(&doc, "service_definition");
    hl_doc_string(&doc, "service_code", definition.category.code);
    hl_doc_list_begin(&doc, "attributes", "attribute");
    for (size_t index = 0; index < definition.count; index++) {
        const hl_attribute *attribute = &definition.attributes[index];
        hl_doc_object_begin(&doc, NULL);
        hl_doc_bool(&doc, "variable", attribute->variable);
        hl_doc_string(&doc, "code", attribute->code);
        hl_doc_string(&doc, "datatype", hl_attribute_type_name(attribute->datatype));
        hl_doc_bool(&doc, "required", attribute->variable && attribute->required);
        hl_doc_string(&doc, "datatype_description", text_or_null(attribute->datatype_description));
        hl_doc_int(&doc, "order", attribute->position);
        hl_doc_string(&doc, "description", attribute->description);
        if (hl_attribute_is_list(attribute->datatype)) {
            values_writer writer = {&doc, call->request->arena};
            hl_doc_list_begin(&doc, "values", "value");
            hl_attribute_each_value(attribute, write_value, &writer);
            hl_doc_list_end(&doc);
        }
        hl_doc_object_end(&doc);
    }
    hl_doc_list_end(&doc);
    hl_doc_object_end(&doc);
    hl_doc_end(&doc);
    hl_open311_definition_free(&definition);
    call->response->status = 200;
}

/* A request id in a path or a list: 14 digits. */
static bool parse_request_id(hl_slice text, int64_t *id)
{
    return hl_order_parse_number(text, id) == HL_OK;
}

static void answer_request_missing(hl_route_response *response, hl_doc_format format)
{
    answer_error(response, format, 404,
                 HL_T("没有这个服务请求", "service_request_id was not found"));
}

static void get_request(get_call *call)
{
    bool extensions = false;
    if (!parse_extensions(call->form, call->where->format, &extensions, call->response))
        return;
    int64_t id = 0;
    if (!parse_request_id(hl_slice_of(call->where->argument), &id)) {
        answer_request_missing(call->response, call->where->format);
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    hl_doc doc;
    begin_list(call, &doc, "service_requests", "request");
    request_writer writer = {&doc, call->reader, extensions, &error};
    int result = hl_open311_read_request(call->reader, id, write_request, &writer, &error);
    end_list(call, &doc, result, &error);
}

/* Fills the query of GET requests from its parameters. */
static bool requests_query(get_call *call, hl_open311_query *query, int64_t *ids)
{
    hl_doc_format format = call->where->format;
    hl_route_response *response = call->response;
    const hl_form *form = call->form;
    memset(query, 0, sizeof *query);
    hl_slice items[LIST_ITEMS_MAX];
    size_t count = 0;
    const char *id_list = hl_form_get(form, "service_request_id");
    if (id_list != NULL) {
        if (!split_list(id_list, items, LIST_ITEMS_MAX, &count)) {
            field_error(response, format, "service_request_id", "须为以逗号分隔的编号，最多 100 个",
                        "takes ids separated by commas, at most 100");
            return false;
        }
        for (size_t index = 0; index < count; index++)
            if (!parse_request_id(items[index], &ids[index])) {
                field_error(response, format, "service_request_id", "编号须为 14 位数字",
                            "an id is 14 digits");
                return false;
            }
        query->ids = ids;
        query->id_count = count;
    }
    const char *codes = hl_form_get(form, "service_code");
    if (codes != NULL) {
        if (!split_list(codes, items, LIST_ITEMS_MAX, &count)) {
            field_error(response, format, "service_code", "须为以逗号分隔的服务代码，最多 100 个",
                        "takes service codes separated by commas, at most 100");
            return false;
        }
        for (size_t index = 0; index < count; index++)
            if (!hl_directory_code_valid(items[index])) {
                field_error(response, format, "service_code", "不是服务代码", "not a service code");
                return false;
            }
        query->service_codes = codes;
    }
    const char *status = hl_form_get(form, "status");
    if (status != NULL) {
        if (!split_list(status, items, 4, &count)) {
            field_error(response, format, "status", "须为 open、closed 或 open,closed",
                        "takes open, closed or open,closed");
            return false;
        }
        for (size_t index = 0; index < count; index++) {
            if (hl_slice_equal(items[index], "open"))
                query->open = true;
            else if (hl_slice_equal(items[index], "closed"))
                query->closed = true;
            else {
                field_error(response, format, "status", "须为 open、closed 或 open,closed",
                            "takes open, closed or open,closed");
                return false;
            }
        }
    }
    return parse_window(form, call->request->now, format, &query->from, &query->to, response) &&
           parse_page(form, format, &query->offset, &query->limit, response);
}

static void get_requests(get_call *call)
{
    bool extensions = false;
    hl_open311_query query;
    int64_t *ids = hl_arena_alloc(call->request->arena, LIST_ITEMS_MAX * sizeof *ids);
    if (!parse_extensions(call->form, call->where->format, &extensions, call->response) ||
        !requests_query(call, &query, ids))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_doc doc;
    begin_list(call, &doc, "service_requests", "request");
    request_writer writer = {&doc, call->reader, extensions, &error};
    int64_t total = 0;
    end_list(call, &doc,
             hl_open311_list_requests(call->reader, &query, write_request, &writer, &total, &error),
             &error);
}

typedef struct token_writer {
    hl_doc *doc;
} token_writer;

static int write_token(void *context, const hl_open311_view *view)
{
    token_writer *writer = context;
    char number[24];
    hl_order_format_number(view->order->id, number, sizeof number);
    hl_doc_object_begin(writer->doc, NULL);
    hl_doc_string(writer->doc, "service_request_id", number);
    hl_doc_string(writer->doc, "token", number);
    hl_doc_object_end(writer->doc);
    return 0;
}

/* hotline creates requests at once and answers their id: a request's token
 * is its id, for clients that ask for one. */
static void get_token(get_call *call)
{
    int64_t id = 0;
    if (!parse_request_id(hl_slice_of(call->where->argument), &id)) {
        answer_error(call->response, call->where->format, 404,
                     HL_T("没有这个 token", "token was not found"));
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    hl_doc doc;
    begin_list(call, &doc, "service_requests", "request");
    token_writer writer = {&doc};
    int result = hl_open311_read_request(call->reader, id, write_token, &writer, &error);
    if (result == HL_ENOTFOUND) {
        answer_error(call->response, call->where->format, 404,
                     HL_T("没有这个 token", "token was not found"));
        return;
    }
    end_list(call, &doc, result, &error);
}

static int write_update(void *context, const hl_open311_note *note)
{
    hl_doc *doc = context;
    char number[24], update_id[48];
    hl_order_format_number(note->order_id, number, sizeof number);
    snprintf(update_id, sizeof update_id, "%s-%lld", number, (long long)note->seq);
    hl_doc_object_begin(doc, NULL);
    hl_doc_string(doc, "update_id", update_id);
    hl_doc_string(doc, "service_request_id", number);
    hl_doc_string(doc, "status", note->closed ? "closed" : "open");
    write_time(doc, "updated_datetime", note->at);
    hl_doc_string(doc, "description",
                  note->description != NULL ? note->description : note->summary);
    hl_doc_string(doc, "type", note->type);
    hl_doc_string(doc, "summary", note->summary);
    hl_doc_string(doc, "agency_responsible", note->agency);
    hl_doc_null(doc, "media_url");
    hl_doc_object_end(doc);
    return 0;
}

static void get_updates(get_call *call)
{
    hl_time from = 0, to = 0;
    int64_t offset = 0;
    int limit = 0;
    if (!parse_window(call->form, call->request->now, call->where->format, &from, &to,
                      call->response) ||
        !parse_page(call->form, call->where->format, &offset, &limit, call->response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_doc doc;
    begin_list(call, &doc, "service_request_updates", "request_update");
    int64_t total = 0;
    end_list(call, &doc,
             hl_open311_list_updates(call->reader, from, to, offset, limit, write_update, &doc,
                                     &total, &error),
             &error);
}

/* The parameters each resource takes besides lang. */
static const char *const common_parameters[] = {"jurisdiction_id", "api_key", NULL};
static const char *const requests_parameters[] = {
    "jurisdiction_id", "api_key", "service_request_id", "service_code", "start_date", "end_date",
    "status",          "page",    "page_size",          "extensions",   NULL};
static const char *const request_parameters[] = {"jurisdiction_id", "api_key", "extensions", NULL};
static const char *const updates_parameters[] = {
    "jurisdiction_id", "api_key", "start_date", "end_date", "page", "page_size", NULL};

static const char *const *parameters_of(resource_kind kind)
{
    switch (kind) {
    case RESOURCE_REQUESTS: return requests_parameters;
    case RESOURCE_REQUEST: return request_parameters;
    case RESOURCE_UPDATES: return updates_parameters;
    default: return common_parameters;
    }
}

/* Collects the query into a form; false (and error filled) when an
 * argument is malformed. */
static bool collect_query(const hl_route_request *request, hl_form *form, hl_error *error)
{
    form->fields = NULL;
    form->count = 0;
    query_collection collection = {form, request->arena, error, HL_OK};
    if (request->query_each != NULL)
        request->query_each(request->query_context, collect_argument, &collection);
    return collection.result == HL_OK;
}

void hl_http_open311_get(const hl_route_request *request, const hl_route_context *context,
                         hl_route_response *response)
{
    target where = parse_target(request, context->parameters[0]);
    hl_form form;
    hl_error query_error;
    hl_error_clear(&query_error);
    bool query_ok = collect_query(request, &form, &query_error);
    caller who;
    if (!admit(request, &form, false, where.format, &who, response))
        return;
    if (where.kind == RESOURCE_NONE) {
        not_found(response, where.format);
        return;
    }
    if (!query_ok) {
        answer_error(response, where.format, 400, query_error.message);
        return;
    }
    if (!check_parameters(&form, parameters_of(where.kind), false, where.format, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_open311_reader *reader = NULL;
    if (hl_open311_reader_open(request->app, &reader, &error) != HL_OK) {
        answer_app_error(response, where.format, &error);
        return;
    }
    if (!jurisdiction_matches(hl_open311_reader_settings(reader), &form)) {
        answer_error(response, where.format, 404, jurisdiction_unknown());
        hl_open311_reader_close(reader);
        return;
    }
    get_call call = {request, response, &where, &form, reader};
    switch (where.kind) {
    case RESOURCE_DISCOVERY: get_discovery(&call); break;
    case RESOURCE_SERVICES: get_services(&call); break;
    case RESOURCE_SERVICE: get_definition(&call); break;
    case RESOURCE_REQUESTS: get_requests(&call); break;
    case RESOURCE_REQUEST: get_request(&call); break;
    case RESOURCE_TOKEN: get_token(&call); break;
    case RESOURCE_UPDATES: get_updates(&call); break;
    case RESOURCE_NONE: not_found(response, where.format); break;
    }
    hl_open311_reader_close(reader);
}

/* ---- POST requests ---- */

static const char *const post_parameters[] = {
    "api_key",    "jurisdiction_id", "service_code", "lat",        "long",       "address_string",
    "address_id", "email",           "device_id",    "account_id", "first_name", "last_name",
    "phone",      "description",     "media_url",    NULL};

/* The body must be declared form-encoded, in UTF-8 when a charset is named. */
static bool form_content_type(const hl_route_request *request, hl_doc_format format,
                              hl_route_response *response)
{
    const char *type = request->content_type;
    size_t length = strlen(FORM_TYPE);
    bool form = type != NULL && strncasecmp(type, FORM_TYPE, length) == 0 &&
                (type[length] == '\0' || type[length] == ';' || type[length] == ' ');
    /* Its parameters: a charset, when named, must be UTF-8 (quoted or not). */
    const char *cursor = form ? type + length : NULL;
    while (cursor != NULL && *cursor != '\0') {
        cursor += strspn(cursor, "; ");
        size_t parameter = strcspn(cursor, ";");
        hl_slice text = hl_slice_trim((hl_slice){cursor, parameter});
        if (text.len >= 8 && strncasecmp(text.ptr, "charset=", 8) == 0) {
            hl_slice value = {text.ptr + 8, text.len - 8};
            if (value.len >= 2 && value.ptr[0] == '"' && value.ptr[value.len - 1] == '"')
                value = (hl_slice){value.ptr + 1, value.len - 2};
            form = value.len == 5 && strncasecmp(value.ptr, "utf-8", 5) == 0;
        }
        cursor += parameter;
    }
    if (form)
        return true;
    answer_error(response, format, 400,
                 HL_T("请求体须为 application/x-www-form-urlencoded（UTF-8）",
                      "the body must be application/x-www-form-urlencoded (UTF-8)"));
    return false;
}

/* Collects the attribute[...] parameters as answers (codes in the arena). */
static hl_open311_answer *answers_of(const hl_form *form, hl_arena *arena, size_t *count)
{
    hl_open311_answer *answers = hl_arena_alloc(arena, (form->count + 1) * sizeof *answers);
    *count = 0;
    for (size_t index = 0; index < form->count; index++) {
        hl_slice code;
        bool list = false;
        if (!hl_form_attribute_name(form->fields[index].name, &code, &list))
            continue;
        answers[*count].code = hl_arena_strndup(arena, code.ptr, code.len);
        answers[*count].value = form->fields[index].value;
        answers[*count].list = list;
        (*count)++;
    }
    return answers;
}

static void post_request(const hl_route_request *request, const target *where, const hl_form *form,
                         const caller *who, hl_route_response *response)
{
    hl_error error;
    hl_error_clear(&error);
    hl_open311_settings settings;
    if (hl_open311_settings_load(request->app, &settings, &error) != HL_OK) {
        answer_app_error(response, where->format, &error);
        return;
    }
    if (!jurisdiction_matches(&settings, form)) {
        answer_error(response, where->format, 400, jurisdiction_unknown());
        return;
    }
    hl_open311_submission submission;
    memset(&submission, 0, sizeof submission);
    submission.api_key_id = who->key.id;
    submission.service_code = hl_form_get(form, "service_code");
    submission.description = hl_form_get(form, "description");
    submission.lat = hl_form_get(form, "lat");
    submission.lon = hl_form_get(form, "long");
    submission.address_string = hl_form_get(form, "address_string");
    submission.address_id = hl_form_get(form, "address_id");
    submission.email = hl_form_get(form, "email");
    submission.device_id = hl_form_get(form, "device_id");
    submission.account_id = hl_form_get(form, "account_id");
    submission.first_name = hl_form_get(form, "first_name");
    submission.last_name = hl_form_get(form, "last_name");
    submission.phone = hl_form_get(form, "phone");
    submission.media_url = hl_form_get(form, "media_url");
    submission.answers = answers_of(form, request->arena, &submission.answer_count);
    int64_t id = 0;
    if (hl_open311_submit(request->app, &submission, request->now, &id, &error) != HL_OK) {
        answer_app_error(response, where->format, &error);
        return;
    }
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    hl_doc doc;
    begin_document(response, &doc, where->format);
    hl_doc_list_begin(&doc, "service_requests", "request");
    hl_doc_object_begin(&doc, NULL);
    hl_doc_string(&doc, "service_request_id", number);
    hl_doc_string(&doc, "service_notice", settings.service_notice);
    hl_doc_string(&doc, "account_id", text_or_null(submission.account_id));
    hl_doc_object_end(&doc);
    hl_doc_list_end(&doc);
    hl_doc_end(&doc);
    snprintf(response->location, sizeof response->location, "/open311/v2/requests/%s.%s", number,
             where->format == HL_DOC_XML ? "xml" : "json");
    response->status = 201;
}

void hl_http_open311_post(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    target where = parse_target(request, context->parameters[0]);
    if (where.kind == RESOURCE_NONE) {
        not_found(response, where.format);
        return;
    }
    if (where.kind != RESOURCE_REQUESTS) {
        answer_error(response, where.format, 405,
                     HL_T("此资源只接受 GET", "this resource takes GET only"));
        response->allow = "GET, HEAD";
        return;
    }
    if (!form_content_type(request, where.format, response))
        return;
    hl_form form;
    hl_error error;
    hl_error_clear(&error);
    if (hl_form_parse(request->body, request->body_length, request->arena,
                      HL_OPEN311_MAX_PARAMETERS, &form, &error) != HL_OK) {
        answer_error(response, where.format, 400, error.message);
        return;
    }
    caller who;
    if (!admit(request, &form, true, where.format, &who, response))
        return;
    /* Parameters travel in the body; the query may name the language only. */
    hl_form query;
    static const char *const none[] = {NULL};
    if (!collect_query(request, &query, &error)) {
        answer_error(response, where.format, 400, error.message);
        return;
    }
    if (!check_parameters(&query, none, false, where.format, response) ||
        !check_parameters(&form, post_parameters, true, where.format, response))
        return;
    post_request(request, &where, &form, &who, response);
}
