/* text.c: slices, buffers and UTF-8 validation.
 *
 * UTF-8 decoding is delegated to utf8proc; this module adds the policy
 * (which control characters a field may hold, how long it may be). It does
 * no normalisation: text is stored as the citizen typed it. */
#include "base/text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/array.h"
#include "base/contract.h"
#include "base/i18n.h"

hl_slice hl_slice_of(const char *text)
{
    hl_slice slice = {text != NULL ? text : "", text != NULL ? strlen(text) : 0};
    return slice;
}

bool hl_slice_equal(hl_slice slice, const char *text)
{
    size_t length = strlen(text);
    return slice.len == length && memcmp(slice.ptr, text, length) == 0;
}

static bool is_space(char character)
{
    return character == ' ' || character == '\t' || character == '\r' || character == '\n';
}

hl_slice hl_slice_trim(hl_slice slice)
{
    while (slice.len > 0 && is_space(slice.ptr[0])) {
        slice.ptr++;
        slice.len--;
    }
    while (slice.len > 0 && is_space(slice.ptr[slice.len - 1]))
        slice.len--;
    return slice;
}

void hl_buf_init(hl_buf *buffer)
{
    buffer->data = NULL;
    buffer->len = 0;
    buffer->cap = 0;
}

void hl_buf_free(hl_buf *buffer)
{
    free(buffer->data);
    hl_buf_init(buffer);
}

void hl_buf_reset(hl_buf *buffer)
{
    buffer->len = 0;
    if (buffer->data != NULL)
        buffer->data[0] = '\0';
}

/* Room for extra more bytes and the terminating NUL; 64 at least, so
 * that the small texts of a request are allocated once. */
static void reserve(hl_buf *buffer, size_t extra)
{
    HL_REQUIRE(extra < SIZE_MAX - buffer->len - 1);
    size_t needed = buffer->len + extra + 1;
    HL_ARRAY_RESERVE(buffer->data, buffer->cap, needed > 64 ? needed : 64);
}

void hl_buf_append(hl_buf *buffer, const char *bytes, size_t length)
{
    reserve(buffer, length);
    if (length > 0)
        memcpy(buffer->data + buffer->len, bytes, length);
    buffer->len += length;
    buffer->data[buffer->len] = '\0';
}

void hl_buf_append_str(hl_buf *buffer, const char *text)
{
    hl_buf_append(buffer, text, strlen(text));
}

void hl_buf_append_char(hl_buf *buffer, char character)
{
    hl_buf_append(buffer, &character, 1);
}

void hl_buf_appendf(hl_buf *buffer, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    va_list copy;
    va_copy(copy, arguments);
    int needed = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (needed > 0) {
        reserve(buffer, (size_t)needed);
        vsnprintf(buffer->data + buffer->len, (size_t)needed + 1, format, arguments);
        buffer->len += (size_t)needed;
    }
    va_end(arguments);
}

void hl_buf_append_json_string(hl_buf *buffer, const char *text)
{
    hl_buf_append_char(buffer, '"');
    const unsigned char *run = (const unsigned char *)text;
    const unsigned char *cursor = run;
    for (;; cursor++) {
        unsigned char character = *cursor;
        /* Runs of bytes that need no escape are copied at once. */
        if (character >= 0x20 && character != '"' && character != '\\')
            continue;
        hl_buf_append(buffer, (const char *)run, (size_t)(cursor - run));
        run = cursor + 1;
        switch (character) {
        case '\0': hl_buf_append_char(buffer, '"'); return;
        case '"': hl_buf_append(buffer, "\\\"", 2); break;
        case '\\': hl_buf_append(buffer, "\\\\", 2); break;
        case '\n': hl_buf_append(buffer, "\\n", 2); break;
        case '\r': hl_buf_append(buffer, "\\r", 2); break;
        case '\t': hl_buf_append(buffer, "\\t", 2); break;
        default: hl_buf_appendf(buffer, "\\u%04x", character); break;
        }
    }
}

void hl_buf_append_int(hl_buf *buffer, long long value)
{
    char digits[24];
    size_t position = sizeof digits;
    /* In unsigned arithmetic, so that LLONG_MIN negates without overflow. */
    unsigned long long magnitude =
        value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[--position] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        digits[--position] = '-';
    hl_buf_append(buffer, digits + position, sizeof digits - position);
}

bool hl_csv_text_is_formula_like(const char *text)
{
    return text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
}

void hl_buf_append_csv_field(hl_buf *buffer, const char *text)
{
    /* A spreadsheet reads a cell starting with one of these as a formula
     * (OWASP's "CSV injection"): a citizen's or a unit's text such as
     * =HYPERLINK(...) would run when the file is opened. A leading
     * apostrophe makes it text; hotline's own importers take it off again
     * (hl_csv_table_field). Text that already starts with apostrophes
     * before such a character gets one more, so that taking one off gives
     * it back.
     * Numbers are not written through here, so a negative figure keeps its
     * sign unquoted. */
    bool neutralise = hl_csv_text_is_formula_like(text + strspn(text, "'"));
    if (strpbrk(text, ",\"\r\n") == NULL) {
        if (neutralise)
            hl_buf_append_char(buffer, '\'');
        hl_buf_append_str(buffer, text);
        return;
    }
    hl_buf_append_char(buffer, '"');
    if (neutralise)
        hl_buf_append_char(buffer, '\'');
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor == '"')
            hl_buf_append_char(buffer, '"');
        hl_buf_append_char(buffer, *cursor);
    }
    hl_buf_append_char(buffer, '"');
}

bool hl_text_is_lower_hex(const char *text, size_t digits)
{
    if (text == NULL || strlen(text) != digits)
        return false;
    for (const char *cursor = text; *cursor != '\0'; cursor++)
        if (!((*cursor >= '0' && *cursor <= '9') || (*cursor >= 'a' && *cursor <= 'f')))
            return false;
    return true;
}

bool hl_text_is_utf8(const char *bytes, size_t length)
{
    const utf8proc_uint8_t *cursor = (const utf8proc_uint8_t *)bytes;
    utf8proc_ssize_t remaining = (utf8proc_ssize_t)length;
    while (remaining > 0) {
        if (*cursor < 0x80) { /* ASCII fast path */
            cursor++;
            remaining--;
            continue;
        }
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t used = utf8proc_iterate(cursor, remaining, &codepoint);
        if (used < 0 || codepoint < 0)
            return false;
        cursor += used;
        remaining -= used;
    }
    return true;
}

size_t hl_text_char_count(const char *bytes, size_t length)
{
    size_t count = 0;
    for (size_t index = 0; index < length; index++)
        if (((unsigned char)bytes[index] & 0xC0) != 0x80)
            count++;
    return count;
}

int hl_text_display_width(const char *text)
{
    const utf8proc_uint8_t *cursor = (const utf8proc_uint8_t *)text;
    int width = 0;
    while (*cursor != '\0') {
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t used = utf8proc_iterate(cursor, -1, &codepoint);
        if (used <= 0)
            break;
        int columns = utf8proc_charwidth(codepoint);
        width += columns > 0 ? columns : 0;
        cursor += used;
    }
    return width;
}

int hl_text_copy(char *destination, size_t capacity, hl_slice source, size_t max_chars,
                 bool allow_newlines, const char *field, hl_error *error)
{
    HL_REQUIRE(destination != NULL && capacity > 0);
    destination[0] = '\0';
    if (!hl_text_is_utf8(source.ptr, source.len))
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s：不是有效的 UTF-8 文本", "%s: not valid UTF-8"), field);
    for (size_t index = 0; index < source.len; index++) {
        unsigned char character = (unsigned char)source.ptr[index];
        bool line_break = character == '\n' || character == '\r' || character == '\t';
        if ((character < 0x20 && !(allow_newlines && line_break)) || character == 0x7F)
            return hl_error_set(error, HL_EINVAL, field,
                                HL_T("%s：含有控制字符", "%s: holds a control character"), field);
    }
    size_t characters = hl_text_char_count(source.ptr, source.len);
    if (characters > max_chars || source.len + 1 > capacity)
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s：超过 %zu 个字符", "%s: longer than %zu characters"), field,
                            max_chars);
    memcpy(destination, source.ptr, source.len);
    destination[source.len] = '\0';
    return HL_OK;
}

/* Copies a number's text into digits (size bytes, NUL-terminated) for
 * strtoll or strtod, which need a terminator and would skip white space:
 * false when it is empty, too long or has any character other than digits,
 * a leading '-' and those of also. */
static bool number_text(hl_slice text, char *digits, size_t size, const char *also)
{
    if (text.len == 0 || text.len >= size)
        return false;
    memcpy(digits, text.ptr, text.len);
    digits[text.len] = '\0';
    for (size_t index = 0; index < text.len; index++) {
        char character = digits[index];
        if (!((character >= '0' && character <= '9') || (index == 0 && character == '-') ||
              (character != '\0' && strchr(also, character) != NULL)))
            return false;
    }
    return true;
}

int hl_text_parse_int(hl_slice text, int64_t minimum, int64_t maximum, int64_t *out)
{
    char digits[32];
    if (!number_text(text, digits, sizeof digits, ""))
        return HL_EINVAL;
    errno = 0;
    char *end = NULL;
    long long value = strtoll(digits, &end, 10);
    if (errno != 0 || end != digits + text.len || value < minimum || value > maximum)
        return HL_EINVAL;
    *out = value;
    return HL_OK;
}

int hl_text_parse_double(hl_slice text, double *out)
{
    char digits[64];
    if (!number_text(text, digits, sizeof digits, ".-+"))
        return HL_EINVAL;
    errno = 0;
    char *end = NULL;
    double value = strtod(digits, &end);
    if (errno != 0 || end != digits + text.len || !isfinite(value))
        return HL_EINVAL;
    *out = value;
    return HL_OK;
}
