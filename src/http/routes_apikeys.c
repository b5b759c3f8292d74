/* routes_apikeys.c: the routes of Open311 API keys (see routes_apikeys.h).
 *
 * Checks the body and the id, asks app/auth whether the user may manage
 * keys and app/apikey to do it, and writes the keys as JSON. A key's text
 * appears in one answer only, the creation's. */
#include "http/routes_apikeys.h"

#include <stdio.h>
#include <string.h>

#include "app/apikey.h"
#include "app/audit.h"
#include "base/array.h"
#include "base/i18n.h"
#include "http/route_support.h"

/* Security administrators only; false (and a 403) for anyone else. */
static bool may_manage(const hl_route_context *context, hl_route_response *response)
{
    if (hl_auth_may_manage_api_keys(context->user))
        return true;
    hl_route_error_status(
        response, 403, hl_error_code_name(HL_EROLE), NULL,
        HL_T("只有安全管理员可以管理 API 密钥", "only security administrators manage API keys"));
    return false;
}

/* One key as a JSON object (without the braces' newline); key_text, when
 * not NULL, is the key itself, given at creation only. */
static void key_json(hl_buf *out, const hl_apikey *key, const char *key_text)
{
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_int(out, &first, "id", (long long)key->id);
    hl_json_out_string(out, &first, "name", key->name);
    if (key_text != NULL)
        hl_json_out_string(out, &first, "key", key_text);
    hl_json_out_string(out, &first, "prefix", key->key_prefix);
    hl_json_out_int(out, &first, "rate_per_minute", key->rate_per_minute);
    hl_json_out_name(out, &first, "created_by", key->created_by[0] != '\0', key->created_by);
    hl_json_out_time(out, &first, "created_at", key->created_at);
    hl_json_out_bool(out, &first, "revoked", key->revoked);
    hl_json_out_time(out, &first, "revoked_at", key->revoked_at);
    hl_buf_append_char(out, '}');
}

static int list_key(void *context, const hl_apikey *key)
{
    key_json(hl_json_list_next(context), key, NULL);
    return 0;
}

void hl_routes_apikeys_list(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response)
{
    if (!may_manage(context, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_buf_append_str(&response->body, "{\"apikeys\":[");
    hl_json_list list = {&response->body, 0};
    if (!hl_route_ok(response, hl_apikey_each(request->app, list_key, &list, &error), &error))
        return;
    hl_buf_append_str(&response->body, "]}\n");
    response->status = 200;
}

void hl_routes_apikeys_create(const hl_route_request *request, const hl_route_context *context,
                              hl_route_response *response)
{
    if (!may_manage(context, response))
        return;
    hl_json_field fields[] = {
        {.name = "name"}, {.name = "rate_per_minute", .kind = HL_JSON_INTEGER, .optional = true}};
    if (!hl_route_parse_body(request, fields, HL_COUNT_OF(fields), response))
        return;
    int rate = HL_APIKEY_DEFAULT_RATE;
    if (fields[1].present) {
        if (fields[1].integer < 1 || fields[1].integer > HL_APIKEY_RATE_MAX) {
            char message[128];
            snprintf(message, sizeof message,
                     HL_T("频率须为每分钟 1 至 %d 次", "the rate is 1 to %d requests per minute"),
                     HL_APIKEY_RATE_MAX);
            hl_route_field_invalid(response, "rate_per_minute", message);
            return;
        }
        rate = (int)fields[1].integer;
    }
    hl_error error;
    hl_error_clear(&error);
    char key_text[HL_APIKEY_TEXT_BYTES];
    hl_apikey key;
    int result = hl_apikey_create(request->app, fields[0].value, rate, context->user->username,
                                  request->now, key_text, &key, &error);
    hl_audit_security(request->app, context->user->username, request->client_address,
                      "apikey.create", fields[0].value,
                      result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE,
                      result == HL_OK ? key.key_prefix : error.message);
    if (!hl_route_ok(response, result, &error))
        return;
    key_json(&response->body, &key, key_text);
    hl_buf_append_char(&response->body, '\n');
    memset(key_text, 0, sizeof key_text);
    snprintf(response->location, sizeof response->location, "/api/v1/apikeys/%lld",
             (long long)key.id);
    response->status = 201;
}

void hl_routes_apikeys_revoke(const hl_route_request *request, const hl_route_context *context,
                              hl_route_response *response)
{
    if (!may_manage(context, response))
        return;
    int64_t id = 0;
    if (hl_text_parse_int(context->parameters[0], 1, INT64_MAX, &id) != HL_OK) {
        hl_route_field_invalid(response, "id",
                               HL_T("密钥编号须为正整数", "a key's id is a positive whole number"));
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    hl_apikey key;
    int result = hl_apikey_revoke(request->app, id, request->now, &key, &error);
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)id);
    hl_audit_security(request->app, context->user->username, request->client_address,
                      "apikey.revoke", target,
                      result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE,
                      result == HL_OK ? NULL : error.message);
    if (!hl_route_ok(response, result, &error))
        return;
    key_json(&response->body, &key, NULL);
    hl_buf_append_char(&response->body, '\n');
    response->status = 200;
}
