/* fuzz_parsers.c: libFuzzer harness for the small parsers a request's
 * text goes through on its way to the routes: order numbers, instants,
 * months and days (received_at, /reports/{month}), integers, the listen
 * address, language tags, the enumerations of a body (channel, type,
 * outcome, rating, resolved, action names), phone masking, text copied
 * into fixed fields, JSON string escaping and the CSV reader.
 *
 * The first byte of an input picks the parser, the rest is its text (as a
 * slice of exactly its length, in its own allocation, so that ASan sees a
 * read past the end). Each parser is also held to a property: what parses
 * formats back to something that parses to the same value; an escaped
 * JSON string reads back (jansson) as the text it was made from; a masked
 * phone never shows more than seven of its characters; a copied text is
 * valid UTF-8 and fits its field. If-Match and Accept-Language are parsed
 * by static functions of routes.c, fuzzed through fuzz_routes.c. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/csv.h"
#include "base/error.h"
#include "base/i18n.h"
#include "base/text.h"
#include "domain/order.h"
#include "domain/workflow.h"
#include "http/route_support.h"
#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum parser {
    PARSE_ORDER_NUMBER,
    PARSE_TIME,
    PARSE_MONTH_AND_DAY,
    PARSE_INTEGER,
    PARSE_LISTEN,
    PARSE_NAMES,
    MASK_PHONE,
    COPY_TEXT,
    ESCAPE_JSON_STRING,
    READ_CSV,
    PARSER_COUNT
};

static void expect(bool condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "fuzz_parsers: %s\n", what);
        abort();
    }
}

static void order_number(hl_slice text)
{
    int64_t id = 0;
    if (hl_order_parse_number(text, &id) != HL_OK)
        return;
    char formatted[32];
    hl_order_format_number(id, formatted, sizeof formatted);
    int64_t again = 0;
    expect(hl_order_parse_number(hl_slice_of(formatted), &again) == HL_OK && again == id,
           "an order number does not survive format and parse");
}

static void instant(hl_slice text)
{
    hl_time value = 0;
    if (hl_clock_parse_time(text, &value) != HL_OK)
        return;
    char formatted[64];
    hl_clock_format_iso(value, formatted, sizeof formatted);
    hl_time again = 0;
    expect(hl_clock_parse_time(hl_slice_of(formatted), &again) == HL_OK && again == value,
           "an instant does not survive ISO formatting");
}

static void month_and_day(hl_slice text)
{
    int month = 0;
    if (hl_clock_parse_month(text, &month) == HL_OK)
        expect(month / 100 >= 1 && month % 100 >= 1 && month % 100 <= 12,
               "a parsed month out of range");
    int32_t day = 0;
    if (hl_clock_parse_day(text, &day) == HL_OK) {
        char formatted[32];
        hl_clock_format_day(day, formatted, sizeof formatted);
        int32_t again = 0;
        expect(hl_clock_parse_day(hl_slice_of(formatted), &again) == HL_OK && again == day,
               "a day does not survive format and parse");
    }
}

static void integer(hl_slice text)
{
    int64_t value = 0;
    if (hl_text_parse_int(text, INT64_MIN, INT64_MAX, &value) == HL_OK) {
        char formatted[32];
        snprintf(formatted, sizeof formatted, "%lld", (long long)value);
        int64_t again = 0;
        expect(hl_text_parse_int(hl_slice_of(formatted), INT64_MIN, INT64_MAX, &again) == HL_OK &&
                   again == value,
               "an integer does not survive printing");
        int64_t bounded = 0;
        if (hl_text_parse_int(text, 1, 65535, &bounded) == HL_OK)
            expect(bounded >= 1 && bounded <= 65535, "a bounded integer out of its bounds");
    }
    double number = 0;
    if (hl_text_parse_double(text, &number) == HL_OK)
        expect(number == number && number - number == 0, "a parsed double is not finite");
}

static void listen_address(const char *text)
{
    char host[64];
    unsigned port = 0;
    hl_error error;
    if (hl_server_parse_listen(text, host, sizeof host, &port, &error) == HL_OK)
        expect(port >= 1 && port <= 65535 && strlen(host) < sizeof host,
               "a listen address out of range");
    else
        expect(error.code == HL_EINVAL && strcmp(error.field, "listen") == 0,
               "a listen refusal without its field");
}

static void names(hl_slice text, const char *nul_terminated)
{
    hl_channel channel;
    hl_order_type type;
    hl_state state;
    hl_survey_outcome outcome;
    hl_rating rating;
    hl_resolved resolved;
    hl_action action;
    hl_lang language;
    (void)hl_order_channel_parse(text, &channel);
    (void)hl_order_type_parse(text, &type);
    (void)hl_order_state_parse(text, &state);
    (void)hl_order_outcome_parse(text, &outcome);
    (void)hl_order_rating_parse(text, &rating);
    (void)hl_order_resolved_parse(text, &resolved);
    if (hl_workflow_action_parse(text, &action) == HL_OK)
        expect((int)action >= 0 && action < HL_ACTION_COUNT, "an action out of range");
    if (hl_i18n_parse(nul_terminated, &language))
        expect(language == HL_LANG_ZH || language == HL_LANG_EN, "a language out of range");
}

static void mask_phone(const char *phone)
{
    char masked[64];
    hl_route_mask_phone(phone, masked, sizeof masked);
    size_t length = strlen(masked);
    expect(length < sizeof masked, "a masked phone overflows");
    size_t shown = 0;
    for (size_t index = 0; index < length; index++)
        if (masked[index] != '*')
            shown++;
    expect(shown <= 7, "a masked phone shows more than seven characters");
    char tiny[3];
    hl_route_mask_phone(phone, tiny, sizeof tiny);
    expect(strlen(tiny) < sizeof tiny, "a masked phone overflows a small buffer");
}

static void copy_text(hl_slice text, uint8_t knobs)
{
    char destination[48];
    hl_error error;
    size_t max_chars = (size_t)(knobs % 50);
    bool newlines = (knobs & 0x80) != 0;
    if (hl_text_copy(destination, sizeof destination, text, max_chars, newlines, "field", &error) ==
        HL_OK) {
        size_t length = strlen(destination);
        expect(length < sizeof destination, "a copied text overflows");
        expect(hl_text_is_utf8(destination, length), "a copied text is not UTF-8");
        expect(hl_text_char_count(destination, length) <= max_chars, "a copied text is too long");
    } else {
        expect(destination[0] == '\0', "a refused copy left text behind");
        expect(strcmp(error.field, "field") == 0, "a refused copy does not name its field");
    }
}

static void escaped_string(const char *text)
{
    hl_buf out;
    hl_buf_init(&out);
    hl_buf_append_json_string(&out, text);
    if (hl_text_is_utf8(text, strlen(text))) {
        json_error_t parse_error;
        json_t *document = json_loadb(out.data, out.len, JSON_DECODE_ANY, &parse_error);
        expect(document != NULL && json_is_string(document), "an escaped string is not JSON");
        expect(strcmp(json_string_value(document), text) == 0,
               "an escaped string reads back differently");
        json_decref(document);
    }
    hl_buf_free(&out);
}

/* The reader over the text in memory, and over the same text as a stream
 * read through a window of (knobs % 16) + 1 bytes, which must give the same
 * results, records, fields, lines and messages. */
static void csv(const char *text, size_t length, uint8_t knobs)
{
    hl_csv_reader reader, streamed;
    hl_csv_reader_init(&reader, text, length);
    FILE *stream = length > 0 ? fmemopen((void *)text, length, "r") : fopen("/dev/null", "r");
    if (stream == NULL)
        abort();
    hl_csv_reader_init_stream(&streamed, stream, (size_t)(knobs % 16) + 1);
    hl_error error, stream_error;
    int result;
    int records = 0;
    for (;;) {
        result = hl_csv_reader_next(&reader, &error);
        int stream_result = hl_csv_reader_next(&streamed, &stream_error);
        expect(stream_result == result, "a stream reads differently from memory");
        expect(streamed.line == reader.line, "a stream counts lines differently");
        if (result != 1 || records++ >= 10000)
            break;
        expect(reader.field_count >= 1 && reader.field_count <= HL_CSV_MAX_FIELDS,
               "a record's field count");
        expect(streamed.field_count == reader.field_count, "a stream splits fields differently");
        for (size_t index = 0; index < reader.field_count; index++) {
            expect(reader.fields[index].len <= length, "a field longer than the input");
            expect(streamed.fields[index].len == reader.fields[index].len &&
                       memcmp(streamed.fields[index].ptr, reader.fields[index].ptr,
                              reader.fields[index].len) == 0,
                   "a stream's field differs");
        }
    }
    if (result < 0)
        expect(strcmp(error.message, stream_error.message) == 0,
               "a stream's error message differs");
    expect(result == 0 || result == 1 || result == HL_EINVAL, "an unexpected CSV result");
    hl_csv_reader_free(&reader);
    hl_csv_reader_free(&streamed);
    fclose(stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    enum parser parser = (enum parser)(data[0] % PARSER_COUNT);
    uint8_t knobs = data[1];
    size_t length = size - 2;
    /* The text alone, exactly its length, NUL-terminated after it; the
     * parsers of C strings see it up to its first NUL. */
    char *text = malloc(length + 1);
    if (text == NULL)
        abort();
    memcpy(text, data + 2, length);
    text[length] = '\0';
    hl_slice slice = {text, length};
    switch (parser) {
    case PARSE_ORDER_NUMBER: order_number(slice); break;
    case PARSE_TIME: instant(slice); break;
    case PARSE_MONTH_AND_DAY: month_and_day(slice); break;
    case PARSE_INTEGER: integer(slice); break;
    case PARSE_LISTEN: listen_address(text); break;
    case PARSE_NAMES: names(slice, text); break;
    case MASK_PHONE: mask_phone(text); break;
    case COPY_TEXT: copy_text(slice, knobs); break;
    case ESCAPE_JSON_STRING: escaped_string(text); break;
    case READ_CSV: csv(text, length, knobs); break;
    case PARSER_COUNT: break;
    }
    free(text);
    return 0;
}
