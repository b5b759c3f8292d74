/* test_text.c: slices, buffers, UTF-8 checks, field copies and number
 * parsing in base/text. */
#include "test_support.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/i18n.h"
#include "base/text.h"

static bool is_utf8(const char *bytes, size_t length)
{
    return hl_text_is_utf8(bytes, length);
}

/* Slices and buffers. */

static void test_slice_of_null_is_empty(void **state)
{
    (void)state;
    hl_slice slice = hl_slice_of(NULL);
    assert_non_null(slice.ptr);
    assert_int_equal(slice.len, 0);
    assert_true(hl_slice_equal(slice, ""));
}

static void test_slice_equal_compares_length_and_bytes(void **state)
{
    (void)state;
    hl_slice slice = {"phone,web", 5};
    assert_true(hl_slice_equal(slice, "phone"));
    assert_false(hl_slice_equal(slice, "phon"));
    assert_false(hl_slice_equal(slice, "phone,"));
    assert_false(hl_slice_equal(slice, "Phone"));
}

static void test_slice_trim_removes_ascii_white_space_only(void **state)
{
    (void)state;
    hl_slice trimmed = hl_slice_trim(hl_slice_of(" \t\r\n 中 文 \n"));
    assert_true(hl_slice_equal(trimmed, "中 文"));
    assert_int_equal(hl_slice_trim(hl_slice_of("   ")).len, 0);
    /* An ideographic space (U+3000) is text, not ASCII white space. */
    assert_true(hl_slice_equal(hl_slice_trim(hl_slice_of("\xE3\x80\x80x")), "\xE3\x80\x80x"));
}

static void test_buffer_grows_and_stays_nul_terminated(void **state)
{
    (void)state;
    hl_buf buffer;
    hl_buf_init(&buffer);
    for (int index = 0; index < 1000; index++)
        hl_buf_append_str(&buffer, "工单");
    assert_int_equal(buffer.len, 6000);
    assert_int_equal(buffer.data[buffer.len], '\0');
    hl_buf_appendf(&buffer, "%d-%s", 42, "x");
    assert_int_equal(buffer.len, 6004);
    assert_string_equal(buffer.data + 6000, "42-x");
    hl_buf_append_char(&buffer, 'y');
    assert_string_equal(buffer.data + 6000, "42-xy");
    hl_buf_reset(&buffer);
    assert_int_equal(buffer.len, 0);
    assert_string_equal(buffer.data, "");
    hl_buf_free(&buffer);
    assert_null(buffer.data);
}

/* UTF-8. */

static void test_utf8_accepts_ascii_chinese_and_emoji(void **state)
{
    (void)state;
    assert_true(is_utf8("", 0));
    assert_true(is_utf8("hello", 5));
    assert_true(is_utf8("路灯不亮", strlen("路灯不亮")));
    assert_true(is_utf8("\xF0\x9F\x98\x80", 4)); /* U+1F600 */
    assert_true(is_utf8("\xC2\x80", 2));         /* U+0080, the smallest two-byte */
    assert_true(is_utf8("\xE0\xA0\x80", 3));     /* U+0800, the smallest three-byte */
    assert_true(is_utf8("\xED\x9F\xBF", 3));     /* U+D7FF, just below the surrogates */
    assert_true(is_utf8("\xEE\x80\x80", 3));     /* U+E000, just above them */
    assert_true(is_utf8("\xF4\x8F\xBF\xBF", 4)); /* U+10FFFF, the last code point */
}

static void test_utf8_rejects_overlong_encodings(void **state)
{
    (void)state;
    assert_false(is_utf8("\xC0\x80", 2));         /* NUL in two bytes */
    assert_false(is_utf8("\xC1\xBF", 2));         /* U+007F in two bytes */
    assert_false(is_utf8("\xC0\xAF", 2));         /* "/" in two bytes, a classic attack */
    assert_false(is_utf8("\xE0\x80\x80", 3));     /* NUL in three bytes */
    assert_false(is_utf8("\xE0\x9F\xBF", 3));     /* U+07FF in three bytes */
    assert_false(is_utf8("\xF0\x80\x80\x80", 4)); /* NUL in four bytes */
    assert_false(is_utf8("\xF0\x8F\xBF\xBF", 4)); /* U+FFFF in four bytes */
}

static void test_utf8_rejects_surrogates(void **state)
{
    (void)state;
    assert_false(is_utf8("\xED\xA0\x80", 3)); /* U+D800 */
    assert_false(is_utf8("\xED\xAF\xBF", 3)); /* U+DBFF */
    assert_false(is_utf8("\xED\xB0\x80", 3)); /* U+DC00 */
    assert_false(is_utf8("\xED\xBF\xBF", 3)); /* U+DFFF */
    /* A surrogate pair encoded as two three-byte sequences (CESU-8). */
    assert_false(is_utf8("\xED\xA0\xBD\xED\xB8\x80", 6));
}

static void test_utf8_rejects_code_points_above_10ffff_and_bad_lead_bytes(void **state)
{
    (void)state;
    assert_false(is_utf8("\xF4\x90\x80\x80", 4));
    assert_false(is_utf8("\xF5\x80\x80\x80", 4));
    assert_false(is_utf8("\xF8\x88\x80\x80\x80", 5));
    assert_false(is_utf8("\xFE", 1));
    assert_false(is_utf8("\xFF", 1));
}

static void test_utf8_rejects_truncated_and_stray_sequences(void **state)
{
    (void)state;
    const char *middle = "中"; /* E4 B8 AD */
    assert_false(is_utf8(middle, 1));
    assert_false(is_utf8(middle, 2));
    assert_true(is_utf8(middle, 3));
    assert_false(is_utf8("\xF0\x9F\x98", 3));
    assert_false(is_utf8("a\xE4\xB8z", 4)); /* cut short by an ASCII byte */
    assert_false(is_utf8("\x80", 1));       /* continuation byte with no lead */
    assert_false(is_utf8("ab\xBF", 3));
    assert_false(is_utf8("\xC3\x28", 2)); /* lead byte followed by no continuation */
}

static void test_utf8_check_stops_at_the_given_length(void **state)
{
    (void)state;
    /* The invalid byte after the slice is not looked at. */
    assert_true(is_utf8("中\xFF", 3));
}

static void test_char_count_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(hl_text_char_count("", 0), 0);
    assert_int_equal(hl_text_char_count("ab", 2), 2);
    assert_int_equal(hl_text_char_count("中文ab", strlen("中文ab")), 4);
    assert_int_equal(hl_text_char_count("\xF0\x9F\x98\x80!", 5), 2);
}

static void test_display_width_counts_chinese_as_two_columns(void **state)
{
    (void)state;
    assert_int_equal(hl_text_display_width(""), 0);
    assert_int_equal(hl_text_display_width("abc"), 3);
    assert_int_equal(hl_text_display_width("中文ab"), 6);
}

/* hl_text_copy. */

static void test_copy_accepts_text_that_fits(void **state)
{
    (void)state;
    char destination[4 * 4 + 1];
    hl_error error;
    assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of("路灯不亮"), 4,
                                  false, "title", &error),
                     HL_OK);
    assert_string_equal(destination, "路灯不亮");
}

static void test_copy_counts_characters_not_bytes(void **state)
{
    (void)state;
    /* 64 Chinese characters are 192 bytes and still fit a 64-character field. */
    hl_buf name;
    hl_buf_init(&name);
    for (int index = 0; index < 64; index++)
        hl_buf_append_str(&name, "张");
    char destination[64 * 4 + 1];
    hl_error error;
    assert_int_equal(hl_text_copy(destination, sizeof destination, (hl_slice){name.data, name.len},
                                  64, false, "citizen_name", &error),
                     HL_OK);
    assert_int_equal(strlen(destination), 192);
    hl_buf_append_str(&name, "三");
    destination[0] = 'x';
    assert_int_equal(hl_text_copy(destination, sizeof destination, (hl_slice){name.data, name.len},
                                  64, false, "citizen_name", &error),
                     HL_EINVAL);
    assert_string_equal(destination, "");
    assert_string_equal(error.field, "citizen_name");
    assert_string_equal(error.message, "citizen_name: longer than 64 characters");
    hl_buf_free(&name);
}

static void test_copy_refuses_what_exceeds_the_byte_capacity(void **state)
{
    (void)state;
    char destination[8];
    hl_error error;
    assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of("1234567"), 100,
                                  false, "code", &error),
                     HL_OK);
    assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of("12345678"), 100,
                                  false, "code", &error),
                     HL_EINVAL);
    assert_string_equal(destination, "");
}

static void test_copy_refuses_invalid_utf8(void **state)
{
    (void)state;
    char destination[32] = "old";
    hl_error error;
    assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of("ab\xC0\xAF"), 10,
                                  false, "title", &error),
                     HL_EINVAL);
    assert_string_equal(destination, "");
    assert_string_equal(error.field, "title");
    assert_string_equal(error.message, "title: not valid UTF-8");
}

static void test_copy_refuses_control_characters(void **state)
{
    (void)state;
    static const char *const bad[] = {"a\001b", "a\x1b[31m", "a\x7f", "a\x1f"};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        char destination[32];
        hl_error error;
        assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of(bad[index]), 10,
                                      true, "content", &error),
                         HL_EINVAL);
        assert_string_equal(error.message, "content: holds a control character");
    }
    /* A NUL inside the slice would cut the stored text short. */
    char destination[32];
    hl_slice with_nul = {"a\0b", 3};
    assert_int_equal(
        hl_text_copy(destination, sizeof destination, with_nul, 10, true, "content", NULL),
        HL_EINVAL);
}

static void test_copy_allows_line_breaks_and_tabs_only_when_asked(void **state)
{
    (void)state;
    static const char *const texts[] = {"line one\nline two", "a\r\nb", "a\tb"};
    for (size_t index = 0; index < sizeof texts / sizeof texts[0]; index++) {
        char destination[32];
        hl_error error;
        assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of(texts[index]),
                                      30, true, "content", &error),
                         HL_OK);
        assert_string_equal(destination, texts[index]);
        assert_int_equal(hl_text_copy(destination, sizeof destination, hl_slice_of(texts[index]),
                                      30, false, "title", &error),
                         HL_EINVAL);
    }
}

/* CSV fields. */

static void assert_csv_field(const char *text, const char *expected)
{
    hl_buf buffer;
    hl_buf_init(&buffer);
    hl_buf_append_csv_field(&buffer, text);
    assert_string_equal(buffer.data != NULL ? buffer.data : "", expected);
    hl_buf_free(&buffer);
}

static void test_csv_field_is_plain_when_it_can_be(void **state)
{
    (void)state;
    assert_csv_field("", "");
    assert_csv_field("路灯不亮", "路灯不亮");
    assert_csv_field(" spaced ", " spaced ");
}

static void test_csv_field_is_quoted_for_comma_quote_and_line_breaks(void **state)
{
    (void)state;
    assert_csv_field("a,b", "\"a,b\"");
    assert_csv_field("say \"hi\"", "\"say \"\"hi\"\"\"");
    assert_csv_field("\"", "\"\"\"\"");
    assert_csv_field("one\ntwo", "\"one\ntwo\"");
    assert_csv_field("one\rtwo", "\"one\rtwo\"");
}

/* issue 11: a cell a spreadsheet would run as a formula gets a leading
 * apostrophe, inside the quotes when it is quoted. */
static void test_csv_field_neutralises_formulas(void **state)
{
    (void)state;
    assert_csv_field("=HYPERLINK(\"http://x\",\"y\")",
                     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    assert_csv_field("=1+1", "'=1+1");
    assert_csv_field("+86", "'+86");
    assert_csv_field("-5", "'-5");
    assert_csv_field("@SUM(A1)", "'@SUM(A1)");
    assert_csv_field("\tcmd", "'\tcmd");
    assert_csv_field("\rcmd", "\"'\rcmd\"");
    /* Only the first character counts. */
    assert_csv_field("a=b", "a=b");
    assert_csv_field(" =b", " =b");
    /* An apostrophe already there gets one more, so the reader gives it back. */
    assert_csv_field("'=x", "''=x");
    assert_csv_field("''-1", "'''-1");
    assert_csv_field("'x", "'x");
    assert_csv_field("2024-03-01T08:00:00+08:00", "2024-03-01T08:00:00+08:00");
    assert_true(hl_csv_text_is_formula_like("-"));
    assert_false(hl_csv_text_is_formula_like(""));
    assert_false(hl_csv_text_is_formula_like("'=x"));
}

static void test_csv_fields_read_back_unchanged(void **state)
{
    (void)state;
    static const char *const fields[] = {"plain",        "",       "a,b", "\"quoted\"",
                                         "多行\r\n文本", "x\"\"y", ",",   "\n"};
    size_t count = sizeof fields / sizeof fields[0];
    hl_buf line;
    hl_buf_init(&line);
    for (size_t index = 0; index < count; index++) {
        if (index > 0)
            hl_buf_append_char(&line, ',');
        hl_buf_append_csv_field(&line, fields[index]);
    }
    hl_buf_append_str(&line, "\r\n");
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, line.data, line.len);
    hl_error error;
    assert_int_equal(hl_csv_reader_next(&reader, &error), 1);
    assert_int_equal(reader.field_count, count);
    for (size_t index = 0; index < count; index++)
        assert_true(hl_slice_equal(reader.fields[index], fields[index]));
    assert_int_equal(hl_csv_reader_next(&reader, &error), 0);
    hl_csv_reader_free(&reader);
    hl_buf_free(&line);
}

/* JSON strings. */

static void assert_json_string(const char *text, const char *expected)
{
    hl_buf buffer;
    hl_buf_init(&buffer);
    hl_buf_append_json_string(&buffer, text);
    assert_string_equal(buffer.data, expected);
    hl_buf_free(&buffer);
}

static void test_json_string_escapes_quotes_backslashes_and_controls(void **state)
{
    (void)state;
    assert_json_string("", "\"\"");
    assert_json_string("plain", "\"plain\"");
    assert_json_string("say \"hi\"", "\"say \\\"hi\\\"\"");
    assert_json_string("C:\\path", "\"C:\\\\path\"");
    assert_json_string("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    assert_json_string("\x01\x1f", "\"\\u0001\\u001f\"");
    assert_json_string("\x08\x0c", "\"\\u0008\\u000c\"");
}

static void test_append_int_writes_what_printf_writes(void **state)
{
    (void)state;
    const long long values[] = {0, 1, -1, 9, 10, -10, 20240201000001LL, LLONG_MAX, LLONG_MIN};
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        hl_buf buffer;
        hl_buf_init(&buffer);
        hl_buf_append_str(&buffer, "n=");
        hl_buf_append_int(&buffer, values[index]);
        char expected[40];
        snprintf(expected, sizeof expected, "n=%lld", values[index]);
        assert_string_equal(buffer.data, expected);
        assert_int_equal(buffer.len, strlen(expected));
        hl_buf_free(&buffer);
    }
}

static void test_json_string_keeps_utf8_as_is(void **state)
{
    (void)state;
    assert_json_string("路灯不亮", "\"路灯不亮\"");
    assert_json_string("\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\"");
    assert_json_string("</script>", "\"</script>\"");
}

static void test_json_string_parses_back_unchanged(void **state)
{
    (void)state;
    /* Every byte from 1 to 127 plus some Chinese, read back with jansson. */
    char text[160];
    size_t used = 0;
    for (int character = 1; character < 128; character++)
        text[used++] = (char)character;
    memcpy(text + used, "热线", 6);
    used += 6;
    text[used] = '\0';
    hl_buf document;
    hl_buf_init(&document);
    hl_buf_append_char(&document, '[');
    hl_buf_append_json_string(&document, text);
    hl_buf_append_char(&document, ']');
    json_error_t json_error;
    json_t *parsed = json_loads(document.data, 0, &json_error);
    if (parsed == NULL)
        fail_msg("jansson: %s", json_error.text);
    assert_string_equal(json_string_value(json_array_get(parsed, 0)), text);
    json_decref(parsed);
    hl_buf_free(&document);
}

/* Numbers. */

static int parse_int(const char *text, int64_t minimum, int64_t maximum, int64_t *out)
{
    return hl_text_parse_int(hl_slice_of(text), minimum, maximum, out);
}

static void test_parse_int_accepts_whole_numbers_in_range(void **state)
{
    (void)state;
    int64_t value = 0;
    assert_int_equal(parse_int("0", 0, 10, &value), HL_OK);
    assert_int_equal(value, 0);
    assert_int_equal(parse_int("10", 0, 10, &value), HL_OK);
    assert_int_equal(value, 10);
    assert_int_equal(parse_int("-5", -10, 10, &value), HL_OK);
    assert_int_equal(value, -5);
    assert_int_equal(parse_int("007", 0, 10, &value), HL_OK);
    assert_int_equal(value, 7);
    assert_int_equal(parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &value), HL_OK);
    assert_true(value == INT64_MAX);
    assert_int_equal(parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &value), HL_OK);
    assert_true(value == INT64_MIN);
    hl_slice part = {"12345", 2};
    assert_int_equal(hl_text_parse_int(part, 0, 100, &value), HL_OK);
    assert_int_equal(value, 12);
}

static void test_parse_int_rejects_out_of_range_and_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "-",
                                      "+1",
                                      " 1",
                                      "1 ",
                                      "1.0",
                                      "1e3",
                                      "0x10",
                                      "1-2",
                                      "--1",
                                      "abc",
                                      "１",
                                      "9223372036854775808",
                                      "-9223372036854775809",
                                      "123456789012345678901234567890123"};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        int64_t value = 77;
        if (parse_int(bad[index], INT64_MIN, INT64_MAX, &value) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", bad[index]);
        assert_int_equal(value, 77);
    }
    int64_t value = 77;
    assert_int_equal(parse_int("11", 0, 10, &value), HL_EINVAL);
    assert_int_equal(parse_int("-1", 0, 10, &value), HL_EINVAL);
    assert_int_equal(value, 77);
}

static void test_parse_double_accepts_decimal_numbers(void **state)
{
    (void)state;
    double value = 0;
    assert_int_equal(hl_text_parse_double(hl_slice_of("39.9042"), &value), HL_OK);
    assert_float_equal(value, 39.9042, 1e-12);
    assert_int_equal(hl_text_parse_double(hl_slice_of("-116.4074"), &value), HL_OK);
    assert_float_equal(value, -116.4074, 1e-12);
    assert_int_equal(hl_text_parse_double(hl_slice_of("0"), &value), HL_OK);
    assert_float_equal(value, 0, 0);
    assert_int_equal(hl_text_parse_double(hl_slice_of(".5"), &value), HL_OK);
    assert_float_equal(value, 0.5, 0);
    assert_int_equal(hl_text_parse_double(hl_slice_of("+2"), &value), HL_OK);
    assert_float_equal(value, 2, 0);
    hl_slice part = {"1.25,9", 4};
    assert_int_equal(hl_text_parse_double(part, &value), HL_OK);
    assert_float_equal(value, 1.25, 0);
}

static void test_parse_double_rejects_non_decimal_and_non_finite_text(void **state)
{
    (void)state;
    static const char *const bad[] = {"",      "abc", "nan", "inf", "-inf", "1e3", "0x1p3",
                                      "1.2.3", "1,5", " 1",  "1 ",  "--1",  "+",   "."};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        double value = 77;
        if (hl_text_parse_double(hl_slice_of(bad[index]), &value) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", bad[index]);
        assert_float_equal(value, 77, 0);
    }
}

static void test_is_lower_hex_takes_exactly_the_digits_asked(void **state)
{
    (void)state;
    assert_true(hl_text_is_lower_hex("0123456789abcdef", 16));
    assert_false(hl_text_is_lower_hex("0123456789abcdef", 15));
    assert_false(hl_text_is_lower_hex("0123456789ABCDEF", 16));
    assert_false(hl_text_is_lower_hex("0123456789abcdeg", 16));
    assert_false(hl_text_is_lower_hex(NULL, 0));
    assert_true(hl_text_is_lower_hex("", 0));
}

int main(void)
{
    /* The messages checked below are the English ones. */
    hl_i18n_set(HL_LANG_EN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_of_null_is_empty),
        cmocka_unit_test(test_slice_equal_compares_length_and_bytes),
        cmocka_unit_test(test_slice_trim_removes_ascii_white_space_only),
        cmocka_unit_test(test_buffer_grows_and_stays_nul_terminated),
        cmocka_unit_test(test_utf8_accepts_ascii_chinese_and_emoji),
        cmocka_unit_test(test_utf8_rejects_overlong_encodings),
        cmocka_unit_test(test_utf8_rejects_surrogates),
        cmocka_unit_test(test_utf8_rejects_code_points_above_10ffff_and_bad_lead_bytes),
        cmocka_unit_test(test_utf8_rejects_truncated_and_stray_sequences),
        cmocka_unit_test(test_utf8_check_stops_at_the_given_length),
        cmocka_unit_test(test_char_count_counts_code_points),
        cmocka_unit_test(test_display_width_counts_chinese_as_two_columns),
        cmocka_unit_test(test_copy_accepts_text_that_fits),
        cmocka_unit_test(test_copy_counts_characters_not_bytes),
        cmocka_unit_test(test_copy_refuses_what_exceeds_the_byte_capacity),
        cmocka_unit_test(test_copy_refuses_invalid_utf8),
        cmocka_unit_test(test_copy_refuses_control_characters),
        cmocka_unit_test(test_copy_allows_line_breaks_and_tabs_only_when_asked),
        cmocka_unit_test(test_csv_field_is_plain_when_it_can_be),
        cmocka_unit_test(test_csv_field_is_quoted_for_comma_quote_and_line_breaks),
        cmocka_unit_test(test_csv_field_neutralises_formulas),
        cmocka_unit_test(test_csv_fields_read_back_unchanged),
        cmocka_unit_test(test_json_string_escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(test_append_int_writes_what_printf_writes),
        cmocka_unit_test(test_json_string_keeps_utf8_as_is),
        cmocka_unit_test(test_json_string_parses_back_unchanged),
        cmocka_unit_test(test_parse_int_accepts_whole_numbers_in_range),
        cmocka_unit_test(test_parse_int_rejects_out_of_range_and_malformed_text),
        cmocka_unit_test(test_parse_double_accepts_decimal_numbers),
        cmocka_unit_test(test_parse_double_rejects_non_decimal_and_non_finite_text),
        cmocka_unit_test(test_is_lower_hex_takes_exactly_the_digits_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
