/* json_out.h: writers of JSON object members, and of the commas between an
 * array's values, into an hl_buf.
 *
 * Each appends `"key":value` to out, preceded by a comma unless *first is
 * true (then it sets *first to false): the caller writes the braces. Keys
 * and string values are escaped; nothing allocates beyond out's growth. */
#ifndef HL_JSON_OUT_H
#define HL_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/text.h"

/* The key alone, with its colon: the caller writes the value. */
void hl_json_out_key(hl_buf *out, bool *first, const char *key);
void hl_json_out_string(hl_buf *out, bool *first, const char *key, const char *value);
/* A name of an enumeration, or null when present is false (its "none"). */
void hl_json_out_name(hl_buf *out, bool *first, const char *key, bool present, const char *value);
void hl_json_out_int(hl_buf *out, bool *first, const char *key, long long value);
void hl_json_out_bool(hl_buf *out, bool *first, const char *key, bool value);
/* An instant in ISO 8601 with the zone, or null for 0 (never happened). */
void hl_json_out_time(hl_buf *out, bool *first, const char *key, hl_time value);
/* An order number as a string, or null for 0. */
void hl_json_out_number(hl_buf *out, bool *first, const char *key, int64_t id);
/* A month (yyyymm) as "YYYY-MM", or null for 0. */
void hl_json_out_month(hl_buf *out, bool *first, const char *key, int month);
/* Comma-separated codes ("a,b") as a JSON array of strings. */
void hl_json_out_code_list(hl_buf *out, bool *first, const char *key, const char *codes);

/* The values of a JSON array being written into out, by a visitor that
 * gets one record at a time: how many it holds so far. */
typedef struct hl_json_list {
    hl_buf *out;
    size_t count;
} hl_json_list;

/* Readies the list for its next value (a comma before all but the first)
 * and returns its out, where the caller writes that value. */
hl_buf *hl_json_list_next(hl_json_list *list);

#endif
