/* text.h: length-carrying strings, a growable buffer, and UTF-8 checks.
 *
 * Parsed input is handled as hl_slice (pointer + length, not NUL-terminated);
 * output is built in an hl_buf. Fixed-size fields are filled only through
 * hl_text_copy, which refuses what does not fit instead of truncating. */
#ifndef HL_TEXT_H
#define HL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct hl_slice {
    const char *ptr;
    size_t len;
} hl_slice;

/* A slice over a NUL-terminated string (NULL gives the empty slice). */
hl_slice hl_slice_of(const char *text);
bool hl_slice_equal(hl_slice slice, const char *text);
/* The slice without leading and trailing ASCII white space. */
hl_slice hl_slice_trim(hl_slice slice);

/* A growable byte buffer, always NUL-terminated after its content.
 * The buffer owns data; release it with hl_buf_free. */
typedef struct hl_buf {
    char *data;
    size_t len;
    size_t cap;
} hl_buf;

void hl_buf_init(hl_buf *buffer);
void hl_buf_free(hl_buf *buffer);
void hl_buf_reset(hl_buf *buffer);
void hl_buf_append(hl_buf *buffer, const char *bytes, size_t length);
void hl_buf_append_str(hl_buf *buffer, const char *text);
void hl_buf_append_char(hl_buf *buffer, char character);
void hl_buf_appendf(hl_buf *buffer, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Appends text as a JSON string literal, quotes included. */
void hl_buf_append_json_string(hl_buf *buffer, const char *text);
/* Appends a decimal integer (what "%lld" prints, without printf's cost). */
void hl_buf_append_int(hl_buf *buffer, long long value);
/* Appends text as one CSV field, quoted when it holds a comma, quote or
 * line break. Text that starts with = + - @, a tab or a carriage return
 * gets a leading ' so that no spreadsheet runs it as a formula, and so
 * does text that starts with apostrophes before one of those, so that the
 * importers' taking one ' off gives it back (docs/security.md). Write numbers
 * without this function. */
void hl_buf_append_csv_field(hl_buf *buffer, const char *text);
/* Whether text starts with a character a spreadsheet takes for the start of
 * a formula: = + - @, a tab or a carriage return. */
bool hl_csv_text_is_formula_like(const char *text);

/* True when the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool hl_text_is_utf8(const char *bytes, size_t length);
/* Whether text (NULL is not) is exactly digits lowercase hexadecimal
 * digits, the form of the random keys and tokens hotline hands out. */
bool hl_text_is_lower_hex(const char *text, size_t digits);
/* Number of Unicode code points in well-formed UTF-8. */
size_t hl_text_char_count(const char *bytes, size_t length);
/* Display width in terminal columns (CJK characters count 2). */
int hl_text_display_width(const char *text);

/* Copies a slice into a fixed field of capacity bytes (NUL included) after
 * checking that it is UTF-8, holds no control characters other than tab and
 * line breaks (when allow_newlines), and has at most max_chars code points.
 * On failure sets error naming field and leaves destination empty. */
int hl_text_copy(char *destination, size_t capacity, hl_slice source, size_t max_chars,
                 bool allow_newlines, const char *field, hl_error *error);

/* Parses a whole slice as a decimal integer in [minimum, maximum]. */
int hl_text_parse_int(hl_slice text, int64_t minimum, int64_t maximum, int64_t *out);
/* Parses a whole slice as a finite decimal number. */
int hl_text_parse_double(hl_slice text, double *out);

#endif
