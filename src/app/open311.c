/* open311.c: the Open311 use cases (see open311.h).
 *
 * Settings, services and definitions, the registration of a posted
 * request (one transaction: the intake account, the order through the
 * same workflow step as an agent's, the Open311 record, the answers), and
 * the public reads, which decide what of an order and its log the public
 * sees. It speaks neither HTTP nor XML: the server's open311.c turns these
 * records into documents. */
#include "app/open311.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/array.h"
#include "base/i18n.h"

#define SETTING_PREFIX "open311."

bool hl_open311_state_closed(hl_state state)
{
    return state == HL_STATE_COMPLETED || state == HL_STATE_SURVEYED ||
           state == HL_STATE_ARCHIVED || state == HL_STATE_INVALID || state == HL_STATE_MERGED;
}

/* ---- Settings ---- */

typedef struct setting {
    const char *key; /* after "open311." */
    size_t offset;   /* of the text field in hl_open311_settings; 0 for publish */
    size_t size;
} setting;

static const setting settings_table[] = {
    {"jurisdiction_id", offsetof(hl_open311_settings, jurisdiction_id),
     sizeof(((hl_open311_settings *)0)->jurisdiction_id)},
    {"contact", offsetof(hl_open311_settings, contact),
     sizeof(((hl_open311_settings *)0)->contact)},
    {"key_service", offsetof(hl_open311_settings, key_service),
     sizeof(((hl_open311_settings *)0)->key_service)},
    {"service_notice", offsetof(hl_open311_settings, service_notice),
     sizeof(((hl_open311_settings *)0)->service_notice)},
    {"publish", 0, 0},
};

#define SETTING_COUNT HL_COUNT_OF(settings_table)

static const setting *setting_of(const char *key)
{
    if (strncmp(key, SETTING_PREFIX, strlen(SETTING_PREFIX)) != 0)
        return NULL;
    for (size_t index = 0; index < SETTING_COUNT; index++)
        if (strcmp(key + strlen(SETTING_PREFIX), settings_table[index].key) == 0)
            return &settings_table[index];
    return NULL;
}

/* Checks a value for a setting and, when out is not NULL, applies it. */
static int apply_setting(const setting *entry, const char *key, const char *value,
                         hl_open311_settings *out, hl_error *error)
{
    if (entry->size == 0) {
        bool all = strcmp(value, "all") == 0;
        if (!all && strcmp(value, "open311") != 0)
            return hl_error_set(error, HL_EINVAL, key,
                                HL_T("%s 须为 open311 或 all", "%s takes open311 or all"), key);
        if (out != NULL)
            out->publish_all = all;
        return HL_OK;
    }
    char scratch[HL_REASON_BYTES];
    bool identifier = strcmp(entry->key, "jurisdiction_id") == 0;
    size_t max_chars = identifier ? HL_NAME_CHARS : HL_REASON_CHARS;
    int result = hl_text_copy(scratch, sizeof scratch, hl_slice_trim(hl_slice_of(value)), max_chars,
                              false, key, error);
    if (result != HL_OK)
        return result;
    /* A jurisdiction id travels in query strings: printable ASCII, no spaces. */
    for (const char *cursor = scratch; identifier && *cursor != '\0'; cursor++)
        if ((unsigned char)*cursor <= 0x20 || (unsigned char)*cursor >= 0x7F)
            return hl_error_set(
                error, HL_EINVAL, key,
                HL_T("%s 须为不含空格的可打印 ASCII 字符", "%s: printable ASCII without spaces"),
                key);
    if (out != NULL)
        snprintf((char *)out + entry->offset, entry->size, "%s", scratch);
    return HL_OK;
}

static int load_setting(void *context, const char *key, const char *value)
{
    const setting *entry = setting_of(key);
    hl_error ignored;
    /* A value this build no longer accepts keeps the default. */
    if (entry != NULL && value[0] != '\0')
        apply_setting(entry, key, value, context, &ignored);
    return 0;
}

int hl_open311_settings_load(hl_app *app, hl_open311_settings *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    snprintf(out->contact, sizeof out->contact, "%s",
             HL_T("12345 政务服务便民热线", "the 12345 city service hotline"));
    snprintf(
        out->key_service, sizeof out->key_service, "%s",
        HL_T("API 密钥由热线管理员发放", "API keys are given out by the hotline's administrators"));
    snprintf(out->service_notice, sizeof out->service_notice, "%s",
             HL_T("诉求已受理，热线将转交承办单位办理",
                  "Received: the hotline passes it to the unit responsible"));
    return hl_store_config_each(app->store, load_setting, out, error);
}

int hl_open311_setting_set(hl_app *app, const char *key, const char *value, hl_error *error)
{
    const setting *entry = setting_of(key);
    if (entry == NULL)
        return hl_error_set(error, HL_EINVAL, "key",
                            HL_T("未知的设置项 %s（open311.jurisdiction_id、open311.contact、"
                                 "open311.key_service、open311.service_notice、open311.publish）",
                                 "unknown setting %s (open311.jurisdiction_id, open311.contact, "
                                 "open311.key_service, open311.service_notice, open311.publish)"),
                            key);
    int result = apply_setting(entry, key, value, NULL, error);
    if (result != HL_OK)
        return result;
    char trimmed[HL_REASON_BYTES];
    hl_slice text = hl_slice_trim(hl_slice_of(value));
    snprintf(trimmed, sizeof trimmed, "%.*s", (int)text.len, text.ptr);
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK)
            result =
                hl_app_finish(app, hl_store_config_set(app->store, key, trimmed, error), error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

/* ---- Services and definitions ---- */

static const hl_category *find_category(const hl_category_list *list, const char *code)
{
    for (size_t index = 0; index < list->count; index++)
        if (strcmp(list->items[index].code, code) == 0)
            return &list->items[index];
    return NULL;
}

typedef struct attribute_counts {
    const hl_category_list *categories;
    int *counts; /* one per category of the list */
} attribute_counts;

static int count_attribute(void *context, const hl_attribute *attribute)
{
    attribute_counts *counting = context;
    for (size_t index = 0; index < counting->categories->count; index++)
        if (strcmp(counting->categories->items[index].code, attribute->category) == 0)
            counting->counts[index]++;
    return 0;
}

int hl_open311_each_service(hl_app *app,
                            int (*visit)(void *context, const hl_open311_service *service),
                            void *context, hl_error *error)
{
    hl_category_list list = {NULL, 0, 0};
    int result = hl_store_category_each(app->store, hl_app_collect_category, &list, error);
    int *counts = hl_xcalloc(list.count + 1, sizeof *counts);
    attribute_counts counting = {&list, counts};
    if (result == HL_OK)
        result = hl_store_attribute_each(app->store, NULL, count_attribute, &counting, error);
    for (size_t index = 0; index < list.count && result == HL_OK; index++) {
        const hl_category *category = &list.items[index];
        if (!category->active)
            continue;
        const hl_category *parent =
            category->parent[0] != '\0' ? find_category(&list, category->parent) : NULL;
        hl_open311_service service = {category, parent != NULL ? parent->name : "", counts[index]};
        result = visit(context, &service);
    }
    free(counts);
    free(list.items);
    return result;
}

static int service_not_found(const char *code, hl_error *error)
{
    return hl_error_set(error, HL_ENOTFOUND, "service_code", HL_T("没有服务 %s", "no service %s"),
                        code);
}

typedef struct attribute_list {
    hl_attribute *items;
    size_t count, capacity;
} attribute_list;

static int collect_attribute(void *context, const hl_attribute *attribute)
{
    attribute_list *list = context;
    HL_ARRAY_GROW(list->items, list->count, list->capacity);
    list->items[list->count++] = *attribute;
    return 0;
}

int hl_open311_definition_load(hl_app *app, const char *service_code, hl_open311_definition *out,
                               hl_error *error)
{
    memset(out, 0, sizeof *out);
    if (service_code == NULL || !hl_directory_code_valid(hl_slice_of(service_code)))
        return service_not_found("", error); /* not echoed: it is not even a code */
    int result = hl_store_category_get(app->store, service_code, &out->category, error);
    if (result == HL_ENOTFOUND || (result == HL_OK && !out->category.active))
        return service_not_found(service_code, error);
    if (result != HL_OK)
        return result;
    attribute_list list = {NULL, 0, 0};
    result = hl_store_attribute_each(app->store, service_code, collect_attribute, &list, error);
    if (result != HL_OK) {
        free(list.items);
        return result;
    }
    out->attributes = list.items;
    out->count = list.count;
    return HL_OK;
}

void hl_open311_definition_free(hl_open311_definition *definition)
{
    if (definition == NULL)
        return;
    free(definition->attributes);
    definition->attributes = NULL;
    definition->count = 0;
}

/* ---- Posting a request ---- */

/* The order's field names as Open311 calls them, for errors. */
static void rename_field(hl_error *error)
{
    static const struct {
        const char *order;
        const char *open311;
    } names[] = {{"citizen_phone", "phone"},     {"latitude", "lat"},
                 {"longitude", "long"},          {"content", "description"},
                 {"title", "description"},       {"address", "address_string"},
                 {"citizen_name", "first_name"}, {"category", "service_code"}};
    for (size_t index = 0; index < HL_COUNT_OF(names); index++)
        if (strcmp(error->field, names[index].order) == 0) {
            snprintf(error->field, sizeof error->field, "%s", names[index].open311);
            return;
        }
}

/* Copies an optional one-line parameter into a field. */
static int copy_parameter(char *destination, size_t capacity, const char *value, size_t max_chars,
                          const char *field, hl_error *error)
{
    destination[0] = '\0';
    if (value == NULL)
        return HL_OK;
    return hl_text_copy(destination, capacity, hl_slice_trim(hl_slice_of(value)), max_chars, false,
                        field, error);
}

static int parameter_invalid(const char *field, const char *zh, const char *en, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("%s：%s", "%s: %s"), field, HL_T(zh, en));
}

static int parse_degrees(const char *text, const char *field, double *out, hl_error *error)
{
    hl_slice trimmed = hl_slice_trim(hl_slice_of(text));
    if (trimmed.len == 0 || trimmed.len > 32 || hl_text_parse_double(trimmed, out) != HL_OK ||
        !isfinite(*out))
        return parameter_invalid(field, "须为十进制度数（WGS-84）",
                                 "must be decimal degrees (WGS-84)", error);
    return HL_OK;
}

/* The title: the description's first non-empty line, cut to
 * HL_OPEN311_TITLE_CHARS characters. */
static void derive_title(const char *description, char *title, size_t size)
{
    const char *line = description;
    size_t length = 0;
    while (*line != '\0') {
        length = strcspn(line, "\r\n");
        hl_slice trimmed = hl_slice_trim((hl_slice){line, length});
        if (trimmed.len > 0) {
            line = trimmed.ptr;
            length = trimmed.len;
            break;
        }
        line += length;
        line += strspn(line, "\r\n");
        length = 0;
    }
    size_t end = 0, characters = 0;
    while (end < length && characters < HL_OPEN311_TITLE_CHARS) {
        end++;
        while (end < length && ((unsigned char)line[end] & 0xC0) == 0x80)
            end++;
        characters++;
    }
    /* Tabs are allowed in a description, not in a one-line title. */
    size_t written = 0;
    for (size_t index = 0; index < end && written + 1 < size; index++)
        title[written++] = line[index] == '\t' ? ' ' : line[index];
    title[written] = '\0';
}

/* A citizen's name from first and last names: Latin names as "first
 * last", others (Chinese: 姓 + 名) as last then first without a space. */
static int join_name(const char *first, const char *last, char *out, size_t size, hl_error *error)
{
    char given[HL_NAME_BYTES], family[HL_NAME_BYTES];
    int result = copy_parameter(given, sizeof given, first, HL_NAME_CHARS, "first_name", error);
    if (result == HL_OK)
        result = copy_parameter(family, sizeof family, last, HL_NAME_CHARS, "last_name", error);
    if (result != HL_OK)
        return result;
    bool ascii = true;
    for (const char *cursor = given; *cursor != '\0'; cursor++)
        ascii = ascii && (unsigned char)*cursor < 0x80;
    for (const char *cursor = family; *cursor != '\0'; cursor++)
        ascii = ascii && (unsigned char)*cursor < 0x80;
    char joined[2 * HL_NAME_BYTES + 2];
    if (ascii)
        snprintf(joined, sizeof joined, "%s%s%s", given,
                 given[0] != '\0' && family[0] != '\0' ? " " : "", family);
    else
        snprintf(joined, sizeof joined, "%s%s", family, given);
    return hl_text_copy(out, size, hl_slice_of(joined), HL_NAME_CHARS, false, "first_name", error);
}

/* An ASCII parameter without spaces or controls (an email, a URL). */
static bool plain_ascii(const char *text)
{
    for (const char *cursor = text; *cursor != '\0'; cursor++)
        if ((unsigned char)*cursor <= 0x20 || (unsigned char)*cursor >= 0x7F)
            return false;
    return true;
}

/* Clears out and trims an optional parameter: false when there is nothing
 * to check (none given, or only white space), which passes. */
static bool optional_given(const char *value, char *out, hl_slice *text)
{
    out[0] = '\0';
    if (value == NULL)
        return false;
    *text = hl_slice_trim(hl_slice_of(value));
    return text->len > 0;
}

static int check_email(const char *value, char *out, size_t size, hl_error *error)
{
    hl_slice text;
    if (!optional_given(value, out, &text))
        return HL_OK;
    const char *at = memchr(text.ptr, '@', text.len);
    if (text.len > HL_EMAIL_CHARS || at == NULL || at == text.ptr ||
        at == text.ptr + text.len - 1 ||
        memchr(at + 1, '@', text.len - (size_t)(at - text.ptr) - 1) != NULL)
        return parameter_invalid("email", "不是有效的电子邮件地址", "not an email address", error);
    snprintf(out, size, "%.*s", (int)text.len, text.ptr);
    if (!plain_ascii(out)) {
        out[0] = '\0';
        return parameter_invalid("email", "不是有效的电子邮件地址", "not an email address", error);
    }
    return HL_OK;
}

static int check_media_url(const char *value, char *out, size_t size, hl_error *error)
{
    hl_slice text;
    if (!optional_given(value, out, &text))
        return HL_OK;
    bool scheme = (text.len > 7 && strncmp(text.ptr, "http://", 7) == 0) ||
                  (text.len > 8 && strncmp(text.ptr, "https://", 8) == 0);
    if (!scheme || text.len > HL_MEDIA_URL_CHARS)
        return parameter_invalid("media_url", "须为 http:// 或 https:// 网址，最长 1024 字符",
                                 "must be an http:// or https:// URL of at most 1024 characters",
                                 error);
    snprintf(out, size, "%.*s", (int)text.len, text.ptr);
    if (!plain_ascii(out)) {
        out[0] = '\0';
        return parameter_invalid(
            "media_url", "网址中的空格与非 ASCII 字符须经百分号编码",
            "spaces and non-ASCII characters must be percent-encoded in the URL", error);
    }
    return HL_OK;
}

/* Fills the order and the Open311 record from a submission: every check
 * that needs no store. */
static int prepare_submission(const hl_open311_submission *submission, hl_time now, hl_order *order,
                              hl_open311_record *record, hl_error *error)
{
    memset(order, 0, sizeof *order);
    memset(record, 0, sizeof *record);
    order->channel = HL_CHANNEL_OPEN311;
    order->type = HL_TYPE_HELP;
    order->received_at = now;
    /* A post is made under the API's terms, which tell the poster that the
     * request is published (docs/open311.md, "Consent to publication"). */
    order->publish_consent = true;
    record->api_key_id = submission->api_key_id;
    if (submission->service_code == NULL || submission->service_code[0] == '\0')
        return hl_error_set(error, HL_EINVAL, "service_code",
                            HL_T("缺少 service_code", "service_code was not provided"));
    if (!hl_directory_code_valid(hl_slice_of(submission->service_code)))
        return hl_error_set(error, HL_EINVAL, "service_code",
                            HL_T("service_code 不存在", "service_code was not found"));
    snprintf(order->category, sizeof order->category, "%s", submission->service_code);

    bool has_lat = submission->lat != NULL && submission->lat[0] != '\0';
    bool has_lon = submission->lon != NULL && submission->lon[0] != '\0';
    if (has_lat != has_lon)
        return hl_error_set(error, HL_EINVAL, has_lat ? "long" : "lat",
                            HL_T("lat 与 long 须同时给出", "lat and long go together"));
    int result = HL_OK;
    if (has_lat) {
        result = parse_degrees(submission->lat, "lat", &order->latitude, error);
        if (result == HL_OK)
            result = parse_degrees(submission->lon, "long", &order->longitude, error);
        if (result != HL_OK)
            return result;
        order->has_location = true;
    }
    result = copy_parameter(order->address, sizeof order->address, submission->address_string,
                            HL_ADDRESS_CHARS, "address_string", error);
    if (result == HL_OK)
        result = copy_parameter(record->address_id, sizeof record->address_id,
                                submission->address_id, HL_NAME_CHARS, "address_id", error);
    if (result != HL_OK)
        return result;
    if (!has_lat && order->address[0] == '\0' && record->address_id[0] == '\0')
        return hl_error_set(
            error, HL_EINVAL, "lat",
            HL_T("须给出位置：lat 与 long、address_string 或 address_id",
                 "a location is required: lat and long, address_string or address_id"));

    const char *description = submission->description != NULL ? submission->description : "";
    hl_slice text = hl_slice_trim(hl_slice_of(description));
    result = hl_text_copy(order->content, sizeof order->content, text, HL_CONTENT_CHARS, true,
                          "description", error);
    if (result != HL_OK)
        return result;
    derive_title(order->content, order->title, sizeof order->title);

    result = join_name(submission->first_name, submission->last_name, order->citizen_name,
                       sizeof order->citizen_name, error);
    if (result == HL_OK)
        result = copy_parameter(order->citizen_phone, sizeof order->citizen_phone,
                                submission->phone, HL_PHONE_CHARS, "phone", error);
    if (result == HL_OK)
        result = check_email(submission->email, record->email, sizeof record->email, error);
    if (result == HL_OK)
        result = copy_parameter(record->device_id, sizeof record->device_id, submission->device_id,
                                HL_NAME_CHARS, "device_id", error);
    if (result == HL_OK)
        result = copy_parameter(record->account_id, sizeof record->account_id,
                                submission->account_id, HL_NAME_CHARS, "account_id", error);
    if (result == HL_OK)
        result = check_media_url(submission->media_url, record->media_url, sizeof record->media_url,
                                 error);
    return result;
}

/* The field name of an attribute parameter, "attribute[CODE]". */
static void attribute_field(const char *code, char *out, size_t size)
{
    snprintf(out, size, "attribute[%.*s]", HL_CODE_CHARS, code);
}

static const hl_attribute *find_attribute(const hl_open311_definition *definition, const char *code)
{
    for (size_t index = 0; index < definition->count; index++)
        if (strcmp(definition->attributes[index].code, code) == 0)
            return &definition->attributes[index];
    return NULL;
}

/* An answer's value as kept: without surrounding spaces, except a text's
 * (whose spaces may be its layout); one of spaces only is empty, that is
 * not given. */
static hl_slice answer_value(const hl_attribute *attribute, const hl_open311_answer *answer)
{
    hl_slice value = hl_slice_of(answer->value);
    hl_slice trimmed = hl_slice_trim(value);
    if (trimmed.len == 0 || attribute->datatype != HL_ATTRIBUTE_TEXT)
        return trimmed;
    return value;
}

/* Checks the answers against the definition: each names a variable
 * attribute, single values once, list values among the choices and not
 * repeated, every required attribute answered. Empty answers count as
 * not given. */
static int check_answers(const hl_open311_definition *definition,
                         const hl_open311_submission *submission, hl_error *error)
{
    char field[HL_CODE_BYTES + 16];
    for (size_t index = 0; index < submission->answer_count; index++) {
        const hl_open311_answer *answer = &submission->answers[index];
        attribute_field(answer->code, field, sizeof field);
        const hl_attribute *attribute = find_attribute(definition, answer->code);
        if (attribute == NULL)
            return parameter_invalid(field, "该服务没有这个属性",
                                     "the service has no such attribute", error);
        if (!attribute->variable)
            return parameter_invalid(field, "该属性仅供展示，不接受回答",
                                     "this attribute is shown only, never answered", error);
        bool multiple = attribute->datatype == HL_ATTRIBUTE_MULTIVALUELIST;
        if (answer->list && !multiple)
            return parameter_invalid(field, "只有 multivaluelist 属性可用 [] 给出多个值",
                                     "only a multivaluelist takes several values ([])", error);
        hl_slice value = answer_value(attribute, answer);
        for (size_t earlier = 0; earlier < index; earlier++) {
            const hl_open311_answer *other = &submission->answers[earlier];
            if (strcmp(other->code, answer->code) != 0)
                continue;
            if (!multiple)
                return parameter_invalid(field, "重复给出", "given more than once", error);
            hl_slice other_value = answer_value(attribute, other);
            if (value.len > 0 && other_value.len == value.len &&
                memcmp(other_value.ptr, value.ptr, value.len) == 0)
                return parameter_invalid(field, "同一个值给出了两次",
                                         "the same value is given twice", error);
        }
        if (value.len == 0)
            continue;
        int result = hl_attribute_check_answer(attribute, value, field, error);
        if (result != HL_OK)
            return result;
    }
    for (size_t index = 0; index < definition->count; index++) {
        const hl_attribute *attribute = &definition->attributes[index];
        if (!attribute->variable || !attribute->required)
            continue;
        bool answered = false;
        for (size_t given = 0; given < submission->answer_count && !answered; given++)
            answered = strcmp(submission->answers[given].code, attribute->code) == 0 &&
                       hl_slice_trim(hl_slice_of(submission->answers[given].value)).len > 0;
        if (!answered) {
            attribute_field(attribute->code, field, sizeof field);
            return parameter_invalid(field, "必须回答", "is required", error);
        }
    }
    return HL_OK;
}

/* Stores the answers, numbering the values of each attribute from 1. */
static int store_answers(hl_app *app, int64_t order_id, const hl_open311_definition *definition,
                         const hl_open311_submission *submission, hl_error *error)
{
    for (size_t index = 0; index < submission->answer_count; index++) {
        const hl_open311_answer *answer = &submission->answers[index];
        const hl_attribute *attribute = find_attribute(definition, answer->code);
        hl_slice value = answer_value(attribute, answer);
        if (value.len == 0)
            continue;
        int seq = 1;
        for (size_t earlier = 0; earlier < index; earlier++)
            if (strcmp(submission->answers[earlier].code, answer->code) == 0 &&
                answer_value(attribute, &submission->answers[earlier]).len > 0)
                seq++;
        char *copy = hl_xmalloc(value.len + 1);
        memcpy(copy, value.ptr, value.len);
        copy[value.len] = '\0';
        int result = hl_store_answer_put(app->store, order_id, answer->code, seq, copy, error);
        free(copy);
        if (result != HL_OK)
            return result;
    }
    return HL_OK;
}

/* Loads the intake account, creating it on first use. A disabled one (or
 * one an administrator gave another role) stops intake. */
static int intake_account(hl_app *app, hl_user *out, hl_error *error)
{
    int result = hl_store_user_get(app->store, HL_OPEN311_ACCOUNT, out, error);
    if (result == HL_ENOTFOUND) {
        memset(out, 0, sizeof *out);
        snprintf(out->username, sizeof out->username, "%s", HL_OPEN311_ACCOUNT);
        snprintf(out->display_name, sizeof out->display_name, "%s",
                 HL_T("Open311 接口", "Open311 intake"));
        out->role = HL_ROLE_AGENT;
        out->active = true;
        return hl_store_user_put(app->store, out, error);
    }
    if (result != HL_OK)
        return result;
    if (!out->active || (out->role != HL_ROLE_AGENT && out->role != HL_ROLE_DISPATCHER))
        return hl_error_set(error, HL_EROLE, NULL,
                            HL_T("Open311 受理已暂停（%s 账号已停用）",
                                 "Open311 intake is suspended (the %s account is disabled)"),
                            HL_OPEN311_ACCOUNT);
    return HL_OK;
}

int hl_open311_submit(hl_app *app, const hl_open311_submission *submission, hl_time now,
                      int64_t *id, hl_error *error)
{
    hl_order *order = hl_xmalloc(sizeof *order);
    hl_event *event = hl_xmalloc(sizeof *event);
    hl_open311_record record;
    hl_open311_definition definition = {0};
    int result = prepare_submission(submission, now, order, &record, error);
    if (result == HL_OK) {
        result = hl_open311_definition_load(app, order->category, &definition, error);
        if (result == HL_ENOTFOUND)
            result = hl_error_set(error, HL_EINVAL, "service_code",
                                  HL_T("service_code 不存在", "service_code was not found"));
    }
    if (result == HL_OK && order->content[0] == '\0') {
        /* Open311 makes the description optional; an order needs a text:
         * the service's name stands for it. */
        snprintf(order->content, sizeof order->content, "%s", definition.category.name);
        derive_title(order->content, order->title, sizeof order->title);
    }
    if (result == HL_OK) {
        result = hl_order_validate_registration(order, error);
        if (result != HL_OK)
            rename_field(error);
    }
    if (result == HL_OK)
        result = check_answers(&definition, submission, error);
    /* Each attempt registers the order as prepared: a failed one numbered it. */
    hl_order *prepared = result == HL_OK ? hl_xmalloc(sizeof *prepared) : NULL;
    if (prepared != NULL)
        memcpy(prepared, order, sizeof *prepared);
    int attempt = 0;
    while (prepared != NULL) {
        memcpy(order, prepared, sizeof *order);
        result = hl_app_begin(app, error);
        if (result == HL_OK) {
            hl_user actor;
            result = intake_account(app, &actor, error);
            /* The category again, inside the transaction: it may have
             * been retired since the definition was read. */
            if (result == HL_OK) {
                result = hl_app_check_category(app, order->category, error);
                if (result == HL_EINVAL)
                    result =
                        hl_error_set(error, HL_EINVAL, "service_code", "%s",
                                     HL_T("service_code 不存在", "service_code was not found"));
            }
            if (result == HL_OK) {
                result = hl_app_register_within(app, &actor, order, now, event, NULL, error);
                if (result == HL_EINVAL)
                    rename_field(error);
            }
            if (result == HL_OK) {
                record.order_id = order->id;
                result = hl_store_open311_put(app->store, &record, error);
            }
            if (result == HL_OK)
                result = store_answers(app, order->id, &definition, submission, error);
            result = hl_app_finish(app, result, error);
        }
        if (!hl_app_again(app, &attempt, &result, error))
            break;
    }
    free(prepared);
    if (result == HL_OK && id != NULL)
        *id = order->id;
    hl_open311_definition_free(&definition);
    free(order);
    free(event);
    return result;
}

/* ---- Reading ---- */

struct hl_open311_reader {
    hl_app *app;
    hl_open311_settings settings;
    hl_category_list categories;
    hl_unit_list units;
    bool in_snapshot;
    hl_order *order; /* scratch for single reads */
    hl_event *event; /* scratch: the last event of an order */
    hl_open311_record record;
    char status_notes[160]; /* a merged order's notes */
    char summary[HL_NAME_BYTES * 2 + 128];
    /* The list being visited: its visitor, and the first failure. */
    hl_open311_view_visitor visit;
    hl_open311_note_visitor visit_note;
    void *context;
};

int hl_open311_reader_open(hl_app *app, hl_open311_reader **out, hl_error *error)
{
    *out = NULL;
    hl_open311_reader *reader = hl_xcalloc(1, sizeof *reader);
    reader->app = app;
    reader->order = hl_xmalloc(sizeof *reader->order);
    reader->event = hl_xmalloc(sizeof *reader->event);
    /* One snapshot for the whole answer: a list and the lookups it makes
     * for each order see the store at the same moment. */
    int result = hl_app_read_begin(app, error);
    reader->in_snapshot = result == HL_OK;
    if (result == HL_OK)
        result = hl_open311_settings_load(app, &reader->settings, error);
    if (result == HL_OK)
        result =
            hl_store_category_each(app->store, hl_app_collect_category, &reader->categories, error);
    if (result == HL_OK)
        result = hl_store_unit_each(app->store, hl_app_collect_unit, &reader->units, error);
    if (result != HL_OK) {
        hl_open311_reader_close(reader);
        return result;
    }
    *out = reader;
    return HL_OK;
}

void hl_open311_reader_close(hl_open311_reader *reader)
{
    if (reader == NULL)
        return;
    if (reader->in_snapshot)
        hl_app_read_end(reader->app);
    free(reader->categories.items);
    free(reader->units.items);
    free(reader->order);
    free(reader->event);
    free(reader);
}

const hl_open311_settings *hl_open311_reader_settings(const hl_open311_reader *reader)
{
    return &reader->settings;
}

static const char *unit_name(const hl_open311_reader *reader, const char *code)
{
    if (code == NULL || code[0] == '\0')
        return NULL;
    for (size_t index = 0; index < reader->units.count; index++)
        if (strcmp(reader->units.items[index].code, code) == 0)
            return reader->units.items[index].name;
    return code;
}

/* Only what the citizen agreed to publish, whatever its channel: the
 * channel says how the order came in, not what the citizen accepted.
 * open311.publish then narrows it to Open311's own orders, or not. */
static bool published(const hl_open311_reader *reader, const hl_order *order)
{
    return order->publish_consent &&
           (reader->settings.publish_all || order->channel == HL_CHANNEL_OPEN311);
}

/* Builds the public view of an order and hands it to the visitor. */
static int visit_view(hl_open311_reader *reader, const hl_order *order,
                      hl_open311_view_visitor visit, void *context, hl_error *error)
{
    hl_open311_view view;
    memset(&view, 0, sizeof view);
    view.order = order;
    view.closed = hl_open311_state_closed(order->state);
    const hl_category *category =
        order->category[0] != '\0' ? find_category(&reader->categories, order->category) : NULL;
    view.service_name = category != NULL             ? category->name
                        : order->category[0] != '\0' ? order->category
                                                     : NULL;
    view.agency = unit_name(reader, order->lead_unit);
    switch (order->state) {
    case HL_STATE_COMPLETED:
    case HL_STATE_SURVEYED:
    case HL_STATE_ARCHIVED:
        view.status_notes = order->reply[0] != '\0' ? order->reply : NULL;
        break;
    case HL_STATE_INVALID:
        view.status_notes =
            HL_T("无效诉求，不予办理", "closed as invalid: not a request the hotline acts on");
        break;
    case HL_STATE_MERGED: {
        char number[24];
        hl_order_format_number(order->duplicate_of, number, sizeof number);
        snprintf(reader->status_notes, sizeof reader->status_notes,
                 HL_T("已并入工单 %s 一并办理", "merged into request %s, handled there"), number);
        view.status_notes = reader->status_notes;
        break;
    }
    default: view.status_notes = hl_order_state_label(order->state); break;
    }
    if (!view.closed && order->handle_deadline > 0)
        view.expected_at = order->handle_deadline;
    if (view.closed && order->completed_at > 0) {
        view.updated_at = order->completed_at;
    } else {
        int result =
            hl_store_event_get(reader->app->store, order->id, order->version, reader->event, error);
        if (result != HL_OK)
            return result;
        view.updated_at = reader->event->at;
    }
    int result = hl_store_open311_get(reader->app->store, order->id, &reader->record, error);
    if (result == HL_OK)
        view.record = &reader->record;
    else if (result != HL_ENOTFOUND)
        return result;
    return visit(context, &view);
}

static int request_not_found(int64_t id, hl_error *error)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(error, HL_ENOTFOUND, "service_request_id",
                        HL_T("没有服务请求 %s", "no service request %s"), number);
}

/* Reads a published order into the reader's scratch record. */
static int load_published(hl_open311_reader *reader, int64_t id, hl_error *error)
{
    int result = hl_store_order_get(reader->app->store, id, reader->order, error);
    if (result == HL_ENOTFOUND || (result == HL_OK && !published(reader, reader->order)))
        return request_not_found(id, error);
    return result;
}

int hl_open311_read_request(hl_open311_reader *reader, int64_t id, hl_open311_view_visitor visit,
                            void *context, hl_error *error)
{
    int result = load_published(reader, id, error);
    if (result != HL_OK)
        return result;
    return visit_view(reader, reader->order, visit, context, error);
}

typedef struct list_visit {
    hl_open311_reader *reader;
    hl_open311_view_visitor visit;
    void *context;
    hl_error *error;
} list_visit;

static int visit_listed(void *context, const hl_order *order)
{
    list_visit *listing = context;
    return visit_view(listing->reader, order, listing->visit, listing->context, listing->error);
}

int hl_open311_list_requests(hl_open311_reader *reader, const hl_open311_query *query,
                             hl_open311_view_visitor visit, void *context, int64_t *total,
                             hl_error *error)
{
    *total = 0;
    if (query->ids != NULL) {
        for (size_t index = 0; index < query->id_count; index++) {
            bool repeated = false;
            for (size_t earlier = 0; earlier < index && !repeated; earlier++)
                repeated = query->ids[earlier] == query->ids[index];
            if (repeated)
                continue;
            int result = load_published(reader, query->ids[index], error);
            if (result == HL_ENOTFOUND)
                continue;
            if (result == HL_OK) {
                (*total)++;
                result = visit_view(reader, reader->order, visit, context, error);
            }
            if (result != HL_OK)
                return result;
        }
        return HL_OK;
    }
    hl_order_filter filter;
    memset(&filter, 0, sizeof filter);
    filter.consented = true;
    if (!reader->settings.publish_all)
        filter.channel_mask = 1u << HL_CHANNEL_OPEN311;
    filter.categories = query->service_codes;
    unsigned closed_mask = 0, open_mask = 0;
    for (int state = HL_STATE_NEW; state < HL_STATE_COUNT; state++) {
        if (hl_open311_state_closed((hl_state)state))
            closed_mask |= HL_STATE_BIT(state);
        else
            open_mask |= HL_STATE_BIT(state);
    }
    if (query->open != query->closed)
        filter.state_mask = query->open ? open_mask : closed_mask;
    filter.received_from = query->from;
    filter.received_to = query->to;
    filter.sort = HL_ORDER_SORT_RECEIVED_DESC;
    filter.offset = query->offset;
    filter.limit = query->limit;
    int result = hl_store_order_count(reader->app->store, &filter, total, error);
    if (result != HL_OK)
        return result;
    list_visit listing = {reader, visit, context, error};
    return hl_store_order_query(reader->app->store, &filter, visit_listed, &listing, error);
}

/* ---- Notes: the public part of an order's log ---- */

/* The actions whose events the public sees. Returns, reassignments
 * inside the centre, extension requests and refusals, reminders,
 * supervision and appeals are the platform's internal business. */
static const uint32_t public_actions =
    (1u << HL_ACTION_REGISTER) | (1u << HL_ACTION_RESOLVE) | (1u << HL_ACTION_DISPATCH) |
    (1u << HL_ACTION_SIGN) | (1u << HL_ACTION_HANDLE) | (1u << HL_ACTION_COMPLETE) |
    (1u << HL_ACTION_REASSIGN) | (1u << HL_ACTION_EXTEND_APPROVE) | (1u << HL_ACTION_REOPEN) |
    (1u << HL_ACTION_MERGE) | (1u << HL_ACTION_INVALIDATE) | (1u << HL_ACTION_ARCHIVE) |
    (1u << HL_ACTION_SURVEY);

_Static_assert(HL_ACTION_COUNT <= 32, "action masks are 32 bits");

/* Fills a note from an event; false when the event is not public. */
static bool note_of(hl_open311_reader *reader, const hl_event *event, hl_open311_note *note)
{
    if ((public_actions & (1u << event->action)) == 0)
        return false;
    memset(note, 0, sizeof *note);
    note->order_id = event->order_id;
    note->seq = event->seq;
    note->at = event->at;
    note->type = hl_workflow_rule_of(event->action)->name;
    note->agency = unit_name(reader, event->unit);
    hl_state after = event->to_state != HL_STATE_NONE ? event->to_state : event->from_state;
    note->closed = hl_open311_state_closed(after);
    const char *label = hl_workflow_action_label(event->action);
    char *summary = reader->summary;
    size_t size = sizeof reader->summary;
    switch (event->action) {
    case HL_ACTION_DISPATCH:
        snprintf(summary, size, HL_T("%s至%s", "%s to %s"), label,
                 note->agency != NULL ? note->agency : "-");
        break;
    case HL_ACTION_REASSIGN: {
        const char *from = unit_name(reader, event->other_unit);
        snprintf(summary, size, HL_T("由%s改派至%s", "transferred from %s to %s"),
                 from != NULL ? from : "-", note->agency != NULL ? note->agency : "-");
        break;
    }
    case HL_ACTION_SURVEY:
        if (event->rating != HL_RATING_NONE)
            snprintf(summary, size, "%s%s%s%s%s", label, HL_T("：", ": "),
                     hl_order_outcome_label(event->outcome), HL_T("，", ", "),
                     hl_order_rating_label(event->rating));
        else
            snprintf(summary, size, "%s%s%s", label, HL_T("：", ": "),
                     hl_order_outcome_label(event->outcome));
        break;
    default: snprintf(summary, size, "%s", label); break;
    }
    note->summary = summary;
    /* Free text only where it is addressed to the citizen. */
    if ((event->action == HL_ACTION_RESOLVE || event->action == HL_ACTION_COMPLETE) &&
        event->note[0] != '\0')
        note->description = event->note;
    return true;
}

typedef struct note_visit {
    hl_open311_reader *reader;
    hl_open311_note_visitor visit;
    void *context;
} note_visit;

static int visit_event_note(void *context, const hl_event *event)
{
    note_visit *notes = context;
    hl_open311_note note;
    if (!note_of(notes->reader, event, &note))
        return 0;
    return notes->visit(notes->context, &note);
}

int hl_open311_each_note(hl_open311_reader *reader, int64_t id, hl_open311_note_visitor visit,
                         void *context, hl_error *error)
{
    int result = load_published(reader, id, error);
    if (result != HL_OK)
        return result;
    note_visit notes = {reader, visit, context};
    return hl_store_event_list(reader->app->store, id, visit_event_note, &notes, error);
}

int hl_open311_each_answer(hl_open311_reader *reader, int64_t id, hl_answer_visitor visit,
                           void *context, hl_error *error)
{
    int result = load_published(reader, id, error);
    if (result != HL_OK)
        return result;
    return hl_store_answer_each(reader->app->store, id, visit, context, error);
}

int hl_open311_list_updates(hl_open311_reader *reader, hl_time from, hl_time to, int64_t offset,
                            int limit, hl_open311_note_visitor visit, void *context, int64_t *total,
                            hl_error *error)
{
    *total = 0;
    hl_event_filter filter;
    memset(&filter, 0, sizeof filter);
    filter.at_from = from;
    filter.at_to = to;
    filter.consented = true;
    if (!reader->settings.publish_all)
        filter.channel_mask = 1u << HL_CHANNEL_OPEN311;
    filter.action_mask = public_actions;
    filter.offset = offset;
    filter.limit = limit;
    int result = hl_store_event_count(reader->app->store, &filter, total, error);
    if (result != HL_OK)
        return result;
    note_visit notes = {reader, visit, context};
    return hl_store_event_query(reader->app->store, &filter, visit_event_note, &notes, error);
}
