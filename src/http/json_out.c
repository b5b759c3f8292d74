/* json_out.c: small writers of JSON members into a buffer (see json_out.h).
 *
 * They append `"key":value` pairs with the comma between them, in the
 * forms the API uses everywhere (times in ISO 8601 with the zone, order
 * numbers as strings, null for what has not happened). They do not parse
 * JSON (json_body.c does) and know nothing of requests. */
#include "http/json_out.h"

#include <string.h>

#include "domain/order.h"

void hl_json_out_key(hl_buf *out, bool *first, const char *key)
{
    if (!*first)
        hl_buf_append_char(out, ',');
    *first = false;
    hl_buf_append_json_string(out, key);
    hl_buf_append_char(out, ':');
}

void hl_json_out_string(hl_buf *out, bool *first, const char *key, const char *value)
{
    hl_json_out_key(out, first, key);
    hl_buf_append_json_string(out, value);
}

/* A name of an enumeration, or null for its "none" value. */
void hl_json_out_name(hl_buf *out, bool *first, const char *key, bool present, const char *value)
{
    hl_json_out_key(out, first, key);
    if (present)
        hl_buf_append_json_string(out, value);
    else
        hl_buf_append_str(out, "null");
}

void hl_json_out_int(hl_buf *out, bool *first, const char *key, long long value)
{
    hl_json_out_key(out, first, key);
    hl_buf_append_int(out, value);
}

void hl_json_out_bool(hl_buf *out, bool *first, const char *key, bool value)
{
    hl_json_out_key(out, first, key);
    hl_buf_append_str(out, value ? "true" : "false");
}

/* An instant in ISO 8601 with the zone, or null when 0 (never happened). */
void hl_json_out_time(hl_buf *out, bool *first, const char *key, hl_time value)
{
    char text[40] = "";
    if (value != 0)
        hl_clock_format_iso(value, text, sizeof text);
    hl_json_out_name(out, first, key, value != 0, text);
}

void hl_json_out_number(hl_buf *out, bool *first, const char *key, int64_t id)
{
    char number[24] = "";
    if (id != 0)
        hl_order_format_number(id, number, sizeof number);
    hl_json_out_name(out, first, key, id != 0, number);
}

void hl_json_out_month(hl_buf *out, bool *first, const char *key, int month)
{
    hl_json_out_key(out, first, key);
    if (month <= 0)
        hl_buf_append_str(out, "null");
    else
        hl_buf_appendf(out, "\"%04d-%02d\"", month / 100, month % 100);
}

/* Comma-separated unit codes as a JSON array. */
void hl_json_out_code_list(hl_buf *out, bool *first, const char *key, const char *codes)
{
    hl_json_out_key(out, first, key);
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

hl_buf *hl_json_list_next(hl_json_list *list)
{
    if (list->count++ > 0)
        hl_buf_append_char(list->out, ',');
    return list->out;
}
