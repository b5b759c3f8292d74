/* json_body.c: strict parsing of small JSON request bodies (see
 * json_body.h).
 *
 * jansson does the parsing and refuses invalid UTF-8, "\u0000", duplicate
 * keys (JSON_REJECT_DUPLICATES), trailing data and nesting deeper than its
 * own limit; this file checks the shape: one object, the expected keys
 * only, each of its declared kind. It does not know routes, HTTP or what the fields
 * mean. */
#include "http/json_body.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"

static int bad_body(hl_error *error, const char *field, const char *message)
{
    return hl_error_set(error, HL_EINVAL, field, "%s", message);
}

static bool expected_key(const char *key, const hl_json_field *fields, size_t count)
{
    for (size_t index = 0; index < count; index++)
        if (strcmp(key, fields[index].name) == 0)
            return true;
    return false;
}

int hl_json_body_parse(const char *body, size_t length, hl_arena *arena, hl_json_field *fields,
                       size_t count, hl_error *error)
{
    for (size_t index = 0; index < count; index++) {
        fields[index].present = false;
        fields[index].value = NULL;
        fields[index].number = 0;
        fields[index].integer = 0;
        fields[index].boolean = false;
    }
    if (body == NULL || length == 0)
        return bad_body(error, "body", HL_T("缺少请求体", "the body is missing"));
    json_error_t parse_error;
    json_t *document = json_loadb(body, length, JSON_REJECT_DUPLICATES, &parse_error);
    if (document == NULL)
        return hl_error_set(error, HL_EINVAL, "body",
                            HL_T("请求体不是有效的 JSON（第 %d 行第 %d 列）",
                                 "the body is not valid JSON (line %d, column %d)"),
                            parse_error.line, parse_error.column);
    int result = HL_OK;
    if (!json_is_object(document))
        result =
            bad_body(error, "body", HL_T("请求体须为 JSON 对象", "the body must be a JSON object"));
    const char *key;
    json_t *value;
    if (result == HL_OK) {
        json_object_foreach(document, key, value)
        {
            if (!expected_key(key, fields, count)) {
                result = bad_body(error, "body",
                                  HL_T("请求体含有未知字段", "the body has an unknown field"));
                break;
            }
        }
    }
    for (size_t index = 0; index < count && result == HL_OK; index++) {
        hl_json_field *field = &fields[index];
        json_t *member = json_object_get(document, field->name);
        if (member == NULL) {
            if (!field->optional)
                result = bad_body(error, field->name,
                                  HL_T("缺少必需的字段", "a required field is missing"));
            continue;
        }
        field->present = true;
        switch (field->kind) {
        case HL_JSON_STRING:
            if (!json_is_string(member))
                result = bad_body(error, field->name,
                                  HL_T("该字段须为字符串", "this field must be a string"));
            else
                field->value =
                    hl_arena_strndup(arena, json_string_value(member), json_string_length(member));
            break;
        case HL_JSON_NUMBER:
            if (!json_is_number(member))
                result = bad_body(error, field->name,
                                  HL_T("该字段须为数字", "this field must be a number"));
            else
                field->number = json_number_value(member);
            break;
        case HL_JSON_INTEGER:
            if (!json_is_integer(member))
                result = bad_body(error, field->name,
                                  HL_T("该字段须为整数", "this field must be an integer"));
            else
                field->integer = (long long)json_integer_value(member);
            break;
        case HL_JSON_BOOLEAN:
            if (!json_is_boolean(member))
                result =
                    bad_body(error, field->name,
                             HL_T("该字段须为 true 或 false", "this field must be true or false"));
            else
                field->boolean = json_is_true(member);
            break;
        }
    }
    json_decref(document);
    return result;
}
