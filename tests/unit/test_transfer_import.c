/* test_transfer_import.c: the import of work orders and survey calls from
 * a stream (hl_transfer_import_orders_file, hl_transfer_import_surveys_file)
 * on a real SQLite store: files larger than the CSV reader's window, all or
 * nothing, bad rows named by line, and the same results as from memory. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/transfer.h"
#include "base/csv.h"
#include "base/i18n.h"
#include "base/text.h"

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u1,,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "surveyor,回访员,surveyor,,1\n";

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
} fixture;

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    hl_i18n_set(HL_LANG_ZH);
    return 0;
}

/* rows orders received on 2024-03-01 from 08:00, one a second, half of
 * them with a quoted content that spans two lines; when bad_line > 0, the
 * row on that physical line has an unknown channel. */
static void write_orders(hl_buf *text, int rows, long bad_line)
{
    hl_buf_append_str(text, "received_at,channel,type,category,citizen_phone,title,content\n");
    long line = 2;
    for (int row = 0; row < rows; row++) {
        const char *channel = line == bad_line ? "pigeon" : "phone";
        int second = row % 60, minute = row / 60 % 60, hour = 8 + row / 3600;
        if (row % 2 == 0) {
            hl_buf_appendf(text,
                           "2024-03-01 %02d:%02d:%02d,%s,complaint,city,1390000%04d,噪音扰民 %d,"
                           "\"夜间施工噪音，\"\"很吵\"\"。\n第二行\"\n",
                           hour, minute, second, channel, row % 10000, row);
            line += 2;
        } else {
            hl_buf_appendf(text,
                           "2024-03-01 %02d:%02d:%02d,%s,inquiry,,,办事咨询 %d,如何办理居住证？\n",
                           hour, minute, second, channel, row);
            line++;
        }
    }
}

static FILE *stream_of(const hl_buf *text)
{
    FILE *stream = tmpfile();
    assert_non_null(stream);
    assert_int_equal(fwrite(text->data, 1, text->len, stream), text->len);
    rewind(stream);
    return stream;
}

static int64_t orders_in_store(hl_app *app)
{
    int64_t counts[HL_STATE_COUNT];
    hl_error error;
    assert_int_equal(hl_app_count_orders_by_state(app, counts, &error), HL_OK);
    int64_t total = 0;
    for (int state = 0; state < HL_STATE_COUNT; state++)
        total += counts[state];
    return total;
}

typedef struct reported {
    int count;
    long line;
    char message[HL_ERROR_MESSAGE_MAX];
} reported;

static void keep_row_error(void *context, long line, const hl_error *error)
{
    reported *seen = context;
    if (seen->count++ == 0) {
        seen->line = line;
        snprintf(seen->message, sizeof seen->message, "%s", error->message);
    }
}

/* A file several times the reader's window imports whole, streamed. */
static void a_streamed_file_imports_every_row(void **state)
{
    fixture *fix = *state;
    hl_buf text;
    hl_buf_init(&text);
    write_orders(&text, 12000, 0);
    assert_true(text.len > 3 * HL_CSV_STREAM_WINDOW_BYTES);
    FILE *stream = stream_of(&text);
    hl_error error;
    int64_t imported = -1;
    reported seen = {0};
    assert_int_equal(hl_transfer_import_orders_file(fix->app, "agent", stream, keep_row_error,
                                                    &seen, 5, &imported, &error),
                     HL_OK);
    assert_int_equal(seen.count, 0);
    assert_int_equal(imported, 12000);
    assert_int_equal(orders_in_store(fix->app), 12000);
    fclose(stream);
    hl_buf_free(&text);
}

/* A bad row near the end of a large file: nothing is imported, and the
 * row is named by its physical line, as from memory. */
static void a_bad_row_late_in_a_stream_imports_nothing(void **state)
{
    fixture *fix = *state;
    hl_buf text;
    hl_buf_init(&text);
    long bad_line = 8000; /* an odd row: 6,000 rows take 9,001 lines */
    write_orders(&text, 6000, bad_line);
    FILE *stream = stream_of(&text);
    hl_error error;
    int64_t imported = -1;
    reported seen = {0};
    assert_int_equal(hl_transfer_import_orders_file(fix->app, "agent", stream, keep_row_error,
                                                    &seen, 5, &imported, &error),
                     HL_EINVAL);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.line, bad_line);
    assert_string_equal(seen.message, "line 8000: channel is malformed");
    assert_string_equal(error.message, "1 bad row(s): nothing was imported");
    assert_int_equal(orders_in_store(fix->app), 0);

    reported from_memory = {0};
    assert_int_equal(hl_transfer_import_orders(fix->app, "agent", text.data, text.len,
                                               keep_row_error, &from_memory, 5, &imported, &error),
                     HL_EINVAL);
    assert_int_equal(from_memory.line, seen.line);
    assert_string_equal(from_memory.message, seen.message);
    assert_int_equal(orders_in_store(fix->app), 0);
    fclose(stream);
    hl_buf_free(&text);
}

/* An unterminated quote ends a streamed file at the line it opened on. */
static void a_broken_stream_imports_nothing(void **state)
{
    fixture *fix = *state;
    static const char text[] = "received_at,channel,type,title,content\n"
                               "2024-03-01 08:00,phone,inquiry,咨询,内容\n"
                               "2024-03-01 08:01,phone,inquiry,咨询,\"未闭合\n";
    FILE *stream = fmemopen((void *)text, sizeof text - 1, "r");
    assert_non_null(stream);
    hl_error error;
    int64_t imported = -1;
    reported seen = {0};
    assert_int_equal(hl_transfer_import_orders_file(fix->app, "agent", stream, keep_row_error,
                                                    &seen, 5, &imported, &error),
                     HL_EINVAL);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.message, "line 3: unterminated quoted field");
    assert_int_equal(orders_in_store(fix->app), 0);
    fclose(stream);
}

/* Survey calls stream the same way. */
static void survey_calls_import_from_a_stream(void **state)
{
    fixture *fix = *state;
    static const char orders[] = "number,received_at,channel,type,title,content\n"
                                 "20240301000001,2024-03-01 08:00,phone,inquiry,咨询,内容\n";
    hl_error error;
    int64_t imported = 0;
    assert_int_equal(hl_transfer_import_orders(fix->app, "agent", orders, strlen(orders), NULL,
                                               NULL, 5, &imported, &error),
                     HL_OK);
    static const char bad_surveys[] = "number,at,outcome\n"
                                      "20240301000001,2024-03-02 09:00,nobody-home\n";
    FILE *stream = fmemopen((void *)bad_surveys, sizeof bad_surveys - 1, "r");
    assert_non_null(stream);
    int64_t applied = -1;
    reported seen = {0};
    assert_int_equal(hl_transfer_import_surveys_file(fix->app, "surveyor", stream, keep_row_error,
                                                     &seen, 5, &applied, &error),
                     HL_EINVAL);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.line, 2);
    fclose(stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_streamed_file_imports_every_row, setup, teardown),
        cmocka_unit_test_setup_teardown(a_bad_row_late_in_a_stream_imports_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_broken_stream_imports_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(survey_calls_import_from_a_stream, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
