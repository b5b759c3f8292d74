/* fuzz_open311.c: libFuzzer harness for the text Open311 takes in and
 * gives out: the strict form-encoded parser (http/form_body.c), the W3C
 * date-time parser (base/clock.c), the XML escaping (http/xml_out.c) and
 * the two-format document writer (http/doc_out.c).
 *
 * The first byte of an input picks the target, the rest is its text (in
 * an allocation of exactly its length, so that ASan sees a read past the
 * end). Each target is held to a property besides the sanitizers' "no
 * crash, no leak": every parameter the form parser accepts is UTF-8
 * without a NUL, at most as long as the input, and attribute names give a
 * code inside the name; a parsed instant formats back to the same
 * instant; escaped XML is UTF-8 with no raw markup ('<', '>', quotes) and
 * every '&' an entity, whatever the input; a document written as JSON
 * parses (jansson) and gives back the strings put in. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "http/arena.h"
#include "http/doc_out.h"
#include "http/form_body.h"
#include "http/xml_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum target { FORM_BODY, W3C_TIME, XML_ESCAPE, DOCUMENT, TARGET_COUNT };

static void expect(bool condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "fuzz_open311: %s\n", what);
        abort();
    }
}

static void form_body(const char *text, size_t length, uint8_t knobs)
{
    hl_arena arena;
    hl_arena_init(&arena, 0);
    hl_form form;
    hl_error error;
    size_t max_fields = 1 + knobs % 64;
    if (hl_form_parse(text, length, &arena, max_fields, &form, &error) == HL_OK) {
        expect(form.count <= max_fields, "more parameters than allowed");
        for (size_t index = 0; index < form.count; index++) {
            const hl_form_field *field = &form.fields[index];
            size_t name_length = strlen(field->name);
            expect(name_length > 0 && name_length <= length,
                   "a name empty or longer than the input");
            expect(field->value_length <= length && strlen(field->value) == field->value_length,
                   "a value holds a NUL or is longer than the input");
            expect(hl_text_is_utf8(field->name, name_length) &&
                       hl_text_is_utf8(field->value, field->value_length),
                   "a parameter is not UTF-8");
            hl_slice code;
            bool list = false;
            if (hl_form_attribute_name(field->name, &code, &list))
                expect(code.ptr > field->name && code.ptr + code.len < field->name + name_length,
                       "an attribute code outside its name");
            expect(hl_form_count(&form, field->name) >= 1, "a parameter not counted");
        }
    } else {
        expect(error.code == HL_EINVAL && error.field[0] != '\0', "a refusal without its field");
    }
    hl_arena_free(&arena);
}

static void w3c_time(hl_slice text)
{
    hl_time value = 0;
    if (hl_clock_parse_w3c(text, &value) != HL_OK)
        return;
    /* A time near the ends of the years parsed (1900 to 9999) may fall in
     * 1899 or 10000 in the local zone, which no parser reads back. */
    if (value < hl_clock_start_of_day(hl_clock_day_from_civil(1900, 1, 2)) ||
        value >= hl_clock_start_of_day(hl_clock_day_from_civil(9999, 12, 31)))
        return;
    char formatted[64];
    hl_clock_format_iso(value, formatted, sizeof formatted);
    hl_time again = 0;
    expect(hl_clock_parse_w3c(hl_slice_of(formatted), &again) == HL_OK && again == value,
           "an instant does not survive W3C formatting");
}

static void xml_escape(const char *text, size_t length)
{
    hl_buf out;
    hl_buf_init(&out);
    hl_xml_escape(&out, text, length);
    const char *escaped = out.data != NULL ? out.data : "";
    expect(hl_text_is_utf8(escaped, out.len), "escaped XML is not UTF-8");
    for (size_t index = 0; index < out.len; index++) {
        unsigned char byte = (unsigned char)escaped[index];
        expect(byte != '<' && byte != '>' && byte != '"' && byte != '\'',
               "raw markup in escaped XML");
        expect(byte >= 0x20 || byte == '\t' || byte == '\n', "a control character in escaped XML");
        if (byte == '&') {
            const char *end = memchr(escaped + index, ';', out.len - index);
            expect(end != NULL && end - (escaped + index) <= 6, "an '&' that starts no entity");
        }
    }
    hl_buf_free(&out);
}

/* A list of two objects with the text as a member and an item: the JSON
 * parses and gives the text back (when the text is UTF-8, as the writer
 * requires); the XML is escaped as above. */
static void document(const char *text, size_t length)
{
    bool utf8 = hl_text_is_utf8(text, length) && strlen(text) == length;
    for (int format = HL_DOC_XML; format <= HL_DOC_JSON; format++) {
        hl_buf out;
        hl_buf_init(&out);
        hl_doc doc;
        hl_doc_begin(&doc, &out, (hl_doc_format)format);
        hl_doc_list_begin(&doc, "service_requests", "request");
        for (int item = 0; item < 2; item++) {
            hl_doc_object_begin(&doc, NULL);
            hl_doc_string(&doc, "description", utf8 ? text : NULL);
            hl_doc_int(&doc, "order", (long long)length);
            hl_doc_list_begin(&doc, "values", "value");
            hl_doc_item_string(&doc, utf8 ? text : "");
            hl_doc_list_end(&doc);
            hl_doc_object_end(&doc);
        }
        hl_doc_list_end(&doc);
        hl_doc_end(&doc);
        if (format == HL_DOC_JSON) {
            json_error_t error;
            json_t *parsed = json_loadb(out.data, out.len, 0, &error);
            expect(parsed != NULL && json_array_size(parsed) == 2,
                   "a document is not the JSON written");
            if (utf8)
                expect(strcmp(json_string_value(
                                  json_object_get(json_array_get(parsed, 1), "description")),
                              text) == 0,
                       "a string reads back differently");
            json_decref(parsed);
        } else {
            expect(hl_text_is_utf8(out.data, out.len), "an XML document is not UTF-8");
        }
        hl_buf_free(&out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    enum target target = (enum target)(data[0] % TARGET_COUNT);
    uint8_t knobs = data[1];
    size_t length = size - 2;
    char *text = malloc(length + 1);
    if (text == NULL)
        abort();
    memcpy(text, data + 2, length);
    text[length] = '\0';
    switch (target) {
    case FORM_BODY: form_body(text, length, knobs); break;
    case W3C_TIME: w3c_time((hl_slice){text, length}); break;
    case XML_ESCAPE: xml_escape(text, length); break;
    case DOCUMENT: document(text, length); break;
    case TARGET_COUNT: break;
    }
    free(text);
    return 0;
}
