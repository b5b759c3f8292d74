/* test_csv.c: the RFC 4180 reader in base/csv, and the tables read
 * through it (a header mapped to named columns, rows of its width).
 *
 * Every input is copied into a buffer of exactly its length, without a NUL
 * after it, so that the sanitizer build catches any read past the end. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/i18n.h"

typedef struct csv_fixture {
    char *data;
    size_t length;
    hl_csv_reader reader;
    hl_error error;
} csv_fixture;

static void open_text(csv_fixture *fixture, const char *text, size_t length)
{
    fixture->data = malloc(length > 0 ? length : 1);
    assert_non_null(fixture->data);
    memcpy(fixture->data, text, length);
    fixture->length = length;
    hl_csv_reader_init(&fixture->reader, fixture->data, length);
    hl_error_clear(&fixture->error);
}

static void open_string(csv_fixture *fixture, const char *text)
{
    open_text(fixture, text, strlen(text));
}

static void close_fixture(csv_fixture *fixture)
{
    hl_csv_reader_free(&fixture->reader);
    free(fixture->data);
}

static int next(csv_fixture *fixture)
{
    return hl_csv_reader_next(&fixture->reader, &fixture->error);
}

/* Checks the current record's fields against NULL-terminated expectations. */
static void expect_fields(const csv_fixture *fixture, const char *const *expected)
{
    size_t count = 0;
    while (expected[count] != NULL)
        count++;
    assert_int_equal(fixture->reader.field_count, count);
    for (size_t index = 0; index < count; index++) {
        hl_slice field = fixture->reader.fields[index];
        if (field.len != strlen(expected[index]) ||
            memcmp(field.ptr, expected[index], field.len) != 0)
            fail_msg("field %zu is \"%.*s\", expected \"%s\"", index, (int)field.len, field.ptr,
                     expected[index]);
    }
}

static void expect_record(csv_fixture *fixture, long line, const char *const *expected)
{
    assert_int_equal(next(fixture), 1);
    assert_int_equal(fixture->reader.line, line);
    expect_fields(fixture, expected);
}

static void expect_error(csv_fixture *fixture, const char *english_message)
{
    hl_i18n_set(HL_LANG_EN);
    assert_int_equal(next(fixture), HL_EINVAL);
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(fixture->error.code, HL_EINVAL);
    assert_string_equal(fixture->error.message, english_message);
}

static void test_plain_fields_are_slices_of_the_input(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a,bc,def\n");
    expect_record(&fixture, 1, (const char *[]){"a", "bc", "def", NULL});
    assert_ptr_equal(fixture.reader.fields[0].ptr, fixture.data);
    assert_ptr_equal(fixture.reader.fields[1].ptr, fixture.data + 2);
    assert_ptr_equal(fixture.reader.fields[2].ptr, fixture.data + 5);
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_empty_input_has_no_records(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "");
    assert_int_equal(next(&fixture), 0);
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_byte_order_mark_is_skipped(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\xEF\xBB\xBF"
                          "date,kind\n2024-02-10,off\n");
    expect_record(&fixture, 1, (const char *[]){"date", "kind", NULL});
    expect_record(&fixture, 2, (const char *[]){"2024-02-10", "off", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_byte_order_mark_alone_is_empty_input(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\xEF\xBB\xBF");
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_crlf_and_lf_records_mix(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a,b\r\nc,d\ne,f\r\n");
    expect_record(&fixture, 1, (const char *[]){"a", "b", NULL});
    expect_record(&fixture, 2, (const char *[]){"c", "d", NULL});
    expect_record(&fixture, 3, (const char *[]){"e", "f", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_last_record_needs_no_line_break(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a,b\nc,d");
    expect_record(&fixture, 1, (const char *[]){"a", "b", NULL});
    expect_record(&fixture, 2, (const char *[]){"c", "d", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_last_record_may_end_with_carriage_return(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a,b\r");
    expect_record(&fixture, 1, (const char *[]){"a", "b", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_empty_lines_are_skipped_but_counted(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\n\r\na\n\n\nb\r\n\r\n");
    expect_record(&fixture, 3, (const char *[]){"a", NULL});
    expect_record(&fixture, 6, (const char *[]){"b", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_empty_fields_are_kept(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, ",\na,,b,\n");
    expect_record(&fixture, 1, (const char *[]){"", "", NULL});
    expect_record(&fixture, 2, (const char *[]){"a", "", "b", "", NULL});
    close_fixture(&fixture);
}

static void test_spaces_are_part_of_fields(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, " a , b \n");
    expect_record(&fixture, 1, (const char *[]){" a ", " b ", NULL});
    close_fixture(&fixture);
}

static void test_quoted_field_may_hold_commas(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "1,\"路灯不亮, 已三天\",x\n2,y,z\n");
    expect_record(&fixture, 1, (const char *[]){"1", "路灯不亮, 已三天", "x", NULL});
    expect_record(&fixture, 2, (const char *[]){"2", "y", "z", NULL});
    close_fixture(&fixture);
}

static void test_doubled_quotes_stand_for_one_quote(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"he said \"\"hi\"\"\",\"\"\"\",\"\"\"\"\"\"\n");
    expect_record(&fixture, 1, (const char *[]){"he said \"hi\"", "\"", "\"\"", NULL});
    close_fixture(&fixture);
}

static void test_empty_quoted_field_is_empty(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"\",a,\"\"\n\"\"\n");
    expect_record(&fixture, 1, (const char *[]){"", "a", "", NULL});
    /* A line holding only "" is a record with one empty field, not an empty line. */
    expect_record(&fixture, 2, (const char *[]){"", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_quoted_field_may_span_lines(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "id,text\n1,\"first line\nsecond line\r\nthird\"\n2,after\n");
    expect_record(&fixture, 1, (const char *[]){"id", "text", NULL});
    expect_record(&fixture, 2, (const char *[]){"1", "first line\nsecond line\r\nthird", NULL});
    /* The record above took three physical lines, so the next one starts on line 5. */
    expect_record(&fixture, 5, (const char *[]){"2", "after", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_quoted_record_ends_with_crlf(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"a\",\"b\"\r\n\"c\"\r\n");
    expect_record(&fixture, 1, (const char *[]){"a", "b", NULL});
    expect_record(&fixture, 2, (const char *[]){"c", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_quoted_field_at_end_of_input(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a,\"b\"");
    expect_record(&fixture, 1, (const char *[]){"a", "b", NULL});
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_trailing_comma_after_quoted_field_gives_empty_field(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"a\",\n\"b\",");
    expect_record(&fixture, 1, (const char *[]){"a", "", NULL});
    expect_record(&fixture, 2, (const char *[]){"b", "", NULL});
    close_fixture(&fixture);
}

static void test_lone_carriage_return_is_data(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a\rb,c\n\"q\",x\ry\n");
    expect_record(&fixture, 1, (const char *[]){"a\rb", "c", NULL});
    expect_record(&fixture, 2, (const char *[]){"q", "x\ry", NULL});
    close_fixture(&fixture);
}

static void test_quoted_fields_survive_buffer_growth(void **state)
{
    (void)state;
    /* Many long quoted fields make the reader's buffer move several times;
     * every slice must still point at its own text afterwards. */
    hl_buf text;
    hl_buf_init(&text);
    for (int index = 0; index < 100; index++) {
        if (index > 0)
            hl_buf_append_char(&text, ',');
        hl_buf_appendf(&text, "\"%03d", index);
        for (int repeat = 0; repeat < 50; repeat++)
            hl_buf_append_str(&text, "xy\"\"");
        hl_buf_append_str(&text, "\",plain");
    }
    hl_buf_append_char(&text, '\n');
    csv_fixture fixture;
    open_text(&fixture, text.data, text.len);
    assert_int_equal(next(&fixture), 1);
    assert_int_equal(fixture.reader.field_count, 200);
    for (size_t index = 0; index < 100; index++) {
        hl_slice quoted = fixture.reader.fields[index * 2];
        char prefix[8];
        snprintf(prefix, sizeof prefix, "%03zu", index);
        assert_int_equal(quoted.len, 3 + 50 * 3);
        assert_memory_equal(quoted.ptr, prefix, 3);
        assert_memory_equal(quoted.ptr + quoted.len - 3, "xy\"", 3);
        assert_true(hl_slice_equal(fixture.reader.fields[index * 2 + 1], "plain"));
    }
    close_fixture(&fixture);
    hl_buf_free(&text);
}

static void make_fields(hl_buf *text, int count, bool quote_first)
{
    for (int index = 0; index < count; index++) {
        if (index > 0)
            hl_buf_append_char(text, ',');
        hl_buf_append_str(text, index == 0 && quote_first ? "\"q\"" : "f");
    }
    hl_buf_append_char(text, '\n');
}

static void test_maximum_field_count_is_accepted(void **state)
{
    (void)state;
    hl_buf text;
    hl_buf_init(&text);
    make_fields(&text, HL_CSV_MAX_FIELDS, false);
    make_fields(&text, HL_CSV_MAX_FIELDS, true);
    csv_fixture fixture;
    open_text(&fixture, text.data, text.len);
    assert_int_equal(next(&fixture), 1);
    assert_int_equal(fixture.reader.field_count, HL_CSV_MAX_FIELDS);
    assert_int_equal(next(&fixture), 1);
    assert_int_equal(fixture.reader.field_count, HL_CSV_MAX_FIELDS);
    close_fixture(&fixture);
    hl_buf_free(&text);
}

static void test_too_many_fields_are_rejected(void **state)
{
    (void)state;
    hl_buf text;
    hl_buf_init(&text);
    hl_buf_append_str(&text, "header\n");
    make_fields(&text, HL_CSV_MAX_FIELDS + 1, false);
    csv_fixture fixture;
    open_text(&fixture, text.data, text.len);
    assert_int_equal(next(&fixture), 1);
    expect_error(&fixture, "line 2: more than 256 fields");
    close_fixture(&fixture);
    hl_buf_free(&text);
}

static void test_too_many_fields_with_quotes_are_rejected(void **state)
{
    (void)state;
    hl_buf text;
    hl_buf_init(&text);
    make_fields(&text, HL_CSV_MAX_FIELDS + 1, true);
    csv_fixture fixture;
    open_text(&fixture, text.data, text.len);
    expect_error(&fixture, "line 1: more than 256 fields");
    close_fixture(&fixture);
    hl_buf_free(&text);
}

static void test_unterminated_quote_names_its_opening_line(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a,b\n\nc,d\n1,2\n5,6\n\n7,\"open\nstill open\nend");
    for (int record = 0; record < 4; record++)
        assert_int_equal(next(&fixture), 1);
    expect_error(&fixture, "line 7: unterminated quoted field");
    close_fixture(&fixture);
}

static void test_quote_inside_unquoted_field_is_rejected(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "ok\nab\"c\",d\n");
    assert_int_equal(next(&fixture), 1);
    expect_error(&fixture, "line 2: quote inside an unquoted field");
    close_fixture(&fixture);
}

static void test_text_after_closing_quote_is_rejected(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"ab\"c,d\n");
    expect_error(&fixture, "line 1: text after closing quote");
    close_fixture(&fixture);
}

static void test_space_after_closing_quote_is_rejected(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"ab\" ,d\n");
    expect_error(&fixture, "line 1: text after closing quote");
    close_fixture(&fixture);
}

static void test_error_after_multiline_field_names_the_physical_line(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "\"one\ntwo\"x\n");
    expect_error(&fixture, "line 2: text after closing quote");
    close_fixture(&fixture);
}

static void test_error_message_is_chinese_by_default(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a\n\"open\n");
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(next(&fixture), 1);
    assert_int_equal(next(&fixture), HL_EINVAL);
    assert_string_equal(fixture.error.message, "第 2 行：引号未闭合");
    close_fixture(&fixture);
}

static void test_reader_stops_after_an_error(void **state)
{
    (void)state;
    csv_fixture fixture;
    open_string(&fixture, "a\"b\nc,d\n");
    assert_int_equal(next(&fixture), HL_EINVAL);
    assert_int_equal(next(&fixture), 0);
    close_fixture(&fixture);
}

static void test_many_rows_parse_with_correct_line_numbers(void **state)
{
    (void)state;
    hl_buf text;
    hl_buf_init(&text);
    for (int row = 0; row < 20000; row++)
        hl_buf_appendf(&text, "%d,phone,2024-02-01 10:00:00,\"地址, %d 号\",内容%s", row, row,
                       row % 2 == 0 ? "\n" : "\r\n");
    csv_fixture fixture;
    open_text(&fixture, text.data, text.len);
    long expected_line = 1;
    int result;
    while ((result = next(&fixture)) == 1) {
        assert_int_equal(fixture.reader.line, expected_line);
        assert_int_equal(fixture.reader.field_count, 5);
        expected_line++;
    }
    assert_int_equal(result, 0);
    assert_int_equal(expected_line, 20001);
    close_fixture(&fixture);
    hl_buf_free(&text);
}

/* ---- tables ---- */

enum { T_CODE, T_NAME, T_ACTIVE, T_COUNT };
static const hl_csv_column table_columns[T_COUNT] = {
    {"code", true}, {"name", true}, {"active", false}};
static const hl_csv_schema table_schema = {table_columns, T_COUNT, NULL, false};

/* issue 11: what the writer neutralises with an apostrophe, a table reads
 * back as it was; an apostrophe before anything else stays. */
static void test_table_takes_the_formula_mark_off(void **state)
{
    (void)state;
    static const char *const names[] = {"=HYPERLINK(\"http://x\",\"y\")",
                                        "+1",
                                        "-2",
                                        "@a",
                                        "'=already marked",
                                        "''+x",
                                        "'plain",
                                        "=a,b",
                                        "'"};
    size_t count = sizeof names / sizeof names[0];
    hl_buf text;
    hl_buf_init(&text);
    hl_buf_append_str(&text, "code,name\n");
    for (size_t index = 0; index < count; index++) {
        hl_buf_append_str(&text, "c,");
        hl_buf_append_csv_field(&text, names[index]);
        hl_buf_append_char(&text, '\n');
    }
    assert_non_null(strstr(text.data, "\nc,\"'=HYPERLINK("));
    assert_non_null(strstr(text.data, "\nc,'+1\n"));
    hl_csv_table table;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_table_open(&table, text.data, text.len, &table_schema, &error), HL_OK);
    for (size_t index = 0; index < count; index++) {
        assert_int_equal(hl_csv_table_next(&table, &error), 1);
        assert_true(hl_slice_equal(hl_csv_table_field(&table, T_NAME), names[index]));
    }
    assert_int_equal(hl_csv_table_next(&table, &error), 0);
    hl_csv_table_close(&table);
    hl_buf_free(&text);
}

static void test_table_maps_columns_by_name_in_any_order(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    const char *text = " name ,code\nBus, bus \nMetro,metro\n";
    hl_csv_table table;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_table_open(&table, text, strlen(text), &table_schema, &error), HL_OK);
    assert_true(hl_csv_table_has(&table, T_CODE));
    assert_false(hl_csv_table_has(&table, T_ACTIVE));
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_true(hl_slice_equal(hl_csv_table_field(&table, T_CODE), "bus"));
    assert_true(hl_slice_equal(hl_csv_table_field(&table, T_NAME), "Bus"));
    assert_int_equal(hl_csv_table_field(&table, T_ACTIVE).len, 0);
    assert_int_equal(hl_csv_table_line(&table), 2);
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_int_equal(hl_csv_table_line(&table), 3);
    assert_int_equal(hl_csv_table_next(&table, &error), 0);
    hl_csv_table_close(&table);
    hl_i18n_set(HL_LANG_ZH);
}

static void expect_header_error(const hl_csv_schema *schema, const char *text, const char *field,
                                const char *message)
{
    hl_csv_table table;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_table_open(&table, text, strlen(text), schema, &error), HL_EINVAL);
    assert_string_equal(error.field, field);
    assert_string_equal(error.message, message);
    hl_csv_table_close(&table);
}

static void test_table_header_errors_name_line_one(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    expect_header_error(&table_schema, "", "file", "the file is empty");
    expect_header_error(&table_schema, "code,name,colour\n", "header",
                        "line 1: unknown column \"colour\"");
    expect_header_error(&table_schema, "code,name,code\n", "code",
                        "line 1: column code appears twice");
    expect_header_error(&table_schema, "code,active\n", "name", "line 1: column name is missing");
    hl_i18n_set(HL_LANG_ZH);
    expect_header_error(&table_schema, "code,active\n", "name", "第 1 行：缺少列 name");
}

static void test_table_ignores_listed_or_other_columns(void **state)
{
    (void)state;
    static const char *const ignored[] = {"colour", NULL};
    const hl_csv_schema listed = {table_columns, T_COUNT, ignored, false};
    const hl_csv_schema open_schema = {table_columns, T_COUNT, NULL, true};
    const char *text = "colour,code,name\nred,a,A\n";
    hl_csv_table table;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_table_open(&table, text, strlen(text), &listed, &error), HL_OK);
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_true(hl_slice_equal(hl_csv_table_field(&table, T_NAME), "A"));
    hl_csv_table_close(&table);
    assert_int_equal(hl_csv_table_open(&table, text, strlen(text), &open_schema, &error), HL_OK);
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_true(hl_slice_equal(hl_csv_table_field(&table, T_CODE), "a"));
    hl_csv_table_close(&table);
}

static void test_table_row_of_another_width_names_its_line(void **state)
{
    (void)state;
    hl_i18n_set(HL_LANG_EN);
    const char *text = "code,name\na,A\nb\nc,C\n";
    hl_csv_table table;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_table_open(&table, text, strlen(text), &table_schema, &error), HL_OK);
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_int_equal(hl_csv_table_next(&table, &error), HL_EINVAL);
    assert_string_equal(error.message, "line 3: 1 fields, the header has 2");
    assert_false(hl_csv_table_broken(&table));
    assert_int_equal(hl_csv_table_line(&table), 3);
    /* The table stays readable after a row of the wrong width. */
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_true(hl_slice_equal(hl_csv_table_field(&table, T_CODE), "c"));
    hl_csv_table_close(&table);
    hl_i18n_set(HL_LANG_ZH);
}

static void test_table_malformed_record_ends_the_table(void **state)
{
    (void)state;
    const char *text = "code,name\na,\"A\nb,B\n";
    hl_csv_table table;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_table_open(&table, text, strlen(text), &table_schema, &error), HL_OK);
    assert_int_equal(hl_csv_table_next(&table, &error), HL_EINVAL);
    assert_true(hl_csv_table_broken(&table));
    assert_int_equal(hl_csv_table_next(&table, &error), 0);
    hl_csv_table_close(&table);
}

static void test_at_line_prefixes_the_message(void **state)
{
    (void)state;
    hl_error error;
    hl_error_set(&error, HL_EINVAL, "code", "bad");
    assert_int_equal(hl_csv_at_line(&error, 7), HL_EINVAL);
    assert_string_equal(error.message, "第 7 行：bad");
    assert_string_equal(error.field, "code");
}

/* ---- streams: the same records as in memory, through a bounded window ---- */

/* Reads text from memory and from a stream with a window of window_bytes,
 * and checks that both give the same results, records, fields, lines and
 * error messages. */
static void expect_stream_reads_as_memory(const char *text, size_t length, size_t window_bytes)
{
    char *copy = malloc(length > 0 ? length : 1);
    assert_non_null(copy);
    memcpy(copy, text, length);
    /* fmemopen refuses a size of 0. */
    FILE *stream = length > 0 ? fmemopen(copy, length, "r") : fopen("/dev/null", "r");
    assert_non_null(stream);
    hl_csv_reader memory, streamed;
    hl_csv_reader_init(&memory, text, length);
    hl_csv_reader_init_stream(&streamed, stream, window_bytes);
    for (int records = 0; records < 1000; records++) {
        hl_error memory_error, stream_error;
        hl_error_clear(&memory_error);
        hl_error_clear(&stream_error);
        int expected = hl_csv_reader_next(&memory, &memory_error);
        int got = hl_csv_reader_next(&streamed, &stream_error);
        if (got != expected)
            fail_msg("window %zu, record %d: %d, expected %d (%s)", window_bytes, records, got,
                     expected, stream_error.message);
        assert_int_equal(streamed.line, memory.line);
        assert_int_equal(streamed.next_line, memory.next_line);
        if (got < 0) {
            assert_string_equal(stream_error.message, memory_error.message);
            continue; /* both read as ended from here */
        }
        if (got == 0)
            break;
        assert_int_equal(streamed.field_count, memory.field_count);
        for (size_t index = 0; index < memory.field_count; index++) {
            assert_int_equal(streamed.fields[index].len, memory.fields[index].len);
            assert_memory_equal(streamed.fields[index].ptr, memory.fields[index].ptr,
                                memory.fields[index].len);
        }
    }
    hl_error error;
    assert_int_equal(hl_csv_reader_next(&streamed, &error), 0);
    hl_csv_reader_free(&memory);
    hl_csv_reader_free(&streamed);
    fclose(stream);
    free(copy);
}

static void test_stream_reads_as_memory_through_any_window(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "",
        "a",
        "\xEF\xBB\xBF",
        "\xEF\xBB\xBF"
        "date,kind\n2024-02-10,off\n",
        "a,bc,def\n",
        "a,b\r\nc,d\ne,f\r\n",
        "a,b\nc,d",
        "a,b\r",
        "a,b\n\n\r\nc,d\n\n",
        "\"x,y\",\"he said \"\"hi\"\"\",\"\"\n",
        "\"first\nsecond\nthird\",z\nnext,row\n",
        "\"a\"\r\n\"b\",\"c\"",
        "\"a\",\n",
        "a\rb,c\n",
        "\"unterminated,\nrow\n",
        "ab\"c,d\n",
        "\"ab\"c,d\n",
        "\"ab\" ,d\n",
        "ok,row\n\"multi\nline\"x\n",
        "\"\"\"\"\"\",\"\n\"\n\"\",\"\"\"\n",
    };
    static const size_t windows[] = {1, 2, 3, 4, 5, 7, 16, 0};
    for (size_t input = 0; input < sizeof inputs / sizeof inputs[0]; input++)
        for (size_t window = 0; window < sizeof windows / sizeof windows[0]; window++)
            expect_stream_reads_as_memory(inputs[input], strlen(inputs[input]), windows[window]);
    /* Too many fields, and many rows, cross the window's edge too. */
    hl_buf text;
    hl_buf_init(&text);
    for (int field = 0; field <= HL_CSV_MAX_FIELDS; field++)
        hl_buf_append_str(&text, field == 0 ? "f" : ",f");
    hl_buf_append_str(&text, "\n");
    for (size_t window = 0; window < sizeof windows / sizeof windows[0]; window++)
        expect_stream_reads_as_memory(text.data, text.len, windows[window]);
    hl_buf_reset(&text);
    for (int row = 0; row < 300; row++)
        hl_buf_appendf(&text, row % 7 == 0 ? "\"%d\n\",\"x\"\"y\"\r\n" : "%d,plain\n", row);
    for (size_t window = 0; window < sizeof windows / sizeof windows[0]; window++)
        expect_stream_reads_as_memory(text.data, text.len, windows[window]);
    hl_buf_free(&text);
}

/* A stream of many megabytes is read through its first window: the
 * reader's memory does not grow with the file. */
static void test_stream_window_does_not_grow_with_the_file(void **state)
{
    (void)state;
    FILE *stream = tmpfile();
    assert_non_null(stream);
    long rows = 200000;
    for (long row = 0; row < rows; row++)
        fprintf(stream, "%ld,\"a quoted, field\",plain text of a row\n", row);
    rewind(stream);
    hl_csv_reader reader;
    hl_csv_reader_init_stream(&reader, stream, 4096);
    hl_error error;
    long read = 0;
    while (hl_csv_reader_next(&reader, &error) == 1) {
        assert_int_equal(reader.line, read + 1);
        assert_int_equal(reader.field_count, 3);
        read++;
    }
    assert_int_equal(read, rows);
    assert_int_equal(reader.capacity, 4096);
    hl_csv_reader_free(&reader);
    fclose(stream);
}

/* Issue 9 (found in review): a stray quote inside an unquoted field made
 * the stream reader look for a closing quote to the end of the file (up to
 * its 8 MiB limit, then "a record longer than 8 MiB"); it is the parser's
 * error for its own line, read through the first window. */
static void test_stream_stray_quote_is_its_lines_error(void **state)
{
    (void)state;
    FILE *stream = tmpfile();
    assert_non_null(stream);
    fprintf(stream, "a,b\nab\"c,d\n");
    for (long row = 0; row < 50000; row++)
        fprintf(stream, "%ld,plain text of a row without quotes\n", row);
    rewind(stream);
    hl_csv_reader reader;
    hl_csv_reader_init_stream(&reader, stream, 4096);
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_csv_reader_next(&reader, &error), 1);
    assert_true(hl_csv_reader_next(&reader, &error) < 0);
    assert_int_equal(reader.capacity, 4096);
    hl_csv_reader memory;
    const char *text = "a,b\nab\"c,d\n";
    hl_csv_reader_init(&memory, text, strlen(text));
    hl_error memory_error;
    hl_error_clear(&memory_error);
    assert_int_equal(hl_csv_reader_next(&memory, &memory_error), 1);
    assert_true(hl_csv_reader_next(&memory, &memory_error) < 0);
    assert_string_equal(error.message, memory_error.message);
    hl_csv_reader_free(&memory);
    hl_csv_reader_free(&reader);
    fclose(stream);
}

/* A record longer than the window grows it; one longer than the limit is
 * refused with its line, and the reader reads as ended. */
static void test_stream_record_too_long_is_refused(void **state)
{
    (void)state;
    FILE *stream = tmpfile();
    assert_non_null(stream);
    fputs("a,b\n", stream);
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    for (size_t written = 0; written < 2 * 1024 * 1024; written += sizeof chunk)
        fwrite(chunk, 1, sizeof chunk, stream); /* 2 MiB: longer than the window */
    fputs(",y\n", stream);
    fputc('"', stream); /* an unterminated quote: the rest of the file is one record */
    for (size_t written = 0; written <= HL_CSV_MAX_RECORD_BYTES; written += sizeof chunk)
        fwrite(chunk, 1, sizeof chunk, stream);
    rewind(stream);
    hl_csv_reader reader;
    hl_csv_reader_init_stream(&reader, stream, 0);
    hl_error error;
    assert_int_equal(hl_csv_reader_next(&reader, &error), 1);
    assert_int_equal(hl_csv_reader_next(&reader, &error), 1);
    assert_int_equal(reader.line, 2);
    assert_int_equal(reader.fields[0].len, 2 * 1024 * 1024);
    hl_i18n_set(HL_LANG_EN);
    assert_int_equal(hl_csv_reader_next(&reader, &error), HL_EINVAL);
    hl_i18n_set(HL_LANG_ZH);
    assert_string_equal(error.message, "line 3: a record longer than 8 MiB");
    assert_int_equal(hl_csv_reader_next(&reader, &error), 0);
    assert_true(reader.capacity <= HL_CSV_MAX_RECORD_BYTES);
    hl_csv_reader_free(&reader);
    fclose(stream);
}

static void test_table_reads_a_stream(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF"
                               "name, code\nfirst,A1\n\"sec\nond\",B2\n";
    FILE *stream = fmemopen((void *)text, sizeof text - 1, "r");
    assert_non_null(stream);
    hl_csv_table table;
    hl_error error;
    assert_int_equal(hl_csv_table_open_stream(&table, stream, &table_schema, &error), HL_OK);
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_true(hl_slice_equal(hl_csv_table_field(&table, 0), "A1"));
    assert_int_equal(hl_csv_table_next(&table, &error), 1);
    assert_int_equal(hl_csv_table_line(&table), 3);
    assert_true(hl_slice_equal(hl_csv_table_field(&table, 0), "B2"));
    assert_true(hl_slice_equal(hl_csv_table_field(&table, 1), "sec\nond"));
    assert_int_equal(hl_csv_table_next(&table, &error), 0);
    hl_csv_table_close(&table);
    fclose(stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_fields_are_slices_of_the_input),
        cmocka_unit_test(test_empty_input_has_no_records),
        cmocka_unit_test(test_byte_order_mark_is_skipped),
        cmocka_unit_test(test_byte_order_mark_alone_is_empty_input),
        cmocka_unit_test(test_crlf_and_lf_records_mix),
        cmocka_unit_test(test_last_record_needs_no_line_break),
        cmocka_unit_test(test_last_record_may_end_with_carriage_return),
        cmocka_unit_test(test_empty_lines_are_skipped_but_counted),
        cmocka_unit_test(test_empty_fields_are_kept),
        cmocka_unit_test(test_spaces_are_part_of_fields),
        cmocka_unit_test(test_quoted_field_may_hold_commas),
        cmocka_unit_test(test_doubled_quotes_stand_for_one_quote),
        cmocka_unit_test(test_empty_quoted_field_is_empty),
        cmocka_unit_test(test_quoted_field_may_span_lines),
        cmocka_unit_test(test_quoted_record_ends_with_crlf),
        cmocka_unit_test(test_quoted_field_at_end_of_input),
        cmocka_unit_test(test_trailing_comma_after_quoted_field_gives_empty_field),
        cmocka_unit_test(test_lone_carriage_return_is_data),
        cmocka_unit_test(test_quoted_fields_survive_buffer_growth),
        cmocka_unit_test(test_maximum_field_count_is_accepted),
        cmocka_unit_test(test_too_many_fields_are_rejected),
        cmocka_unit_test(test_too_many_fields_with_quotes_are_rejected),
        cmocka_unit_test(test_unterminated_quote_names_its_opening_line),
        cmocka_unit_test(test_quote_inside_unquoted_field_is_rejected),
        cmocka_unit_test(test_text_after_closing_quote_is_rejected),
        cmocka_unit_test(test_space_after_closing_quote_is_rejected),
        cmocka_unit_test(test_error_after_multiline_field_names_the_physical_line),
        cmocka_unit_test(test_error_message_is_chinese_by_default),
        cmocka_unit_test(test_reader_stops_after_an_error),
        cmocka_unit_test(test_many_rows_parse_with_correct_line_numbers),
        cmocka_unit_test(test_table_takes_the_formula_mark_off),
        cmocka_unit_test(test_table_maps_columns_by_name_in_any_order),
        cmocka_unit_test(test_table_header_errors_name_line_one),
        cmocka_unit_test(test_table_ignores_listed_or_other_columns),
        cmocka_unit_test(test_table_row_of_another_width_names_its_line),
        cmocka_unit_test(test_table_malformed_record_ends_the_table),
        cmocka_unit_test(test_at_line_prefixes_the_message),
        cmocka_unit_test(test_stream_reads_as_memory_through_any_window),
        cmocka_unit_test(test_stream_window_does_not_grow_with_the_file),
        cmocka_unit_test(test_stream_record_too_long_is_refused),
        cmocka_unit_test(test_stream_stray_quote_is_its_lines_error),
        cmocka_unit_test(test_table_reads_a_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
