/* csv.c: the RFC 4180 CSV reader, and the tables read through it.
 *
 * A stream is read through a window: before a record is parsed, the
 * window is refilled (its unread bytes moved to the front) until it holds
 * the whole record, so that the parser below sees the same bytes it would
 * see in memory and every slice points into the window until the next
 * call. A record with a quote ends at the first line feed after an even
 * number of quotes, which is where the parser would end it.
 *
 * Most records in real exports hold no quote at all, so each record is
 * first located with memchr on the line feed and checked for a quote; a
 * quote-free record is split on commas with memchr and its fields point
 * straight into the input. Only records with a quote go through the
 * byte-level state machine, which copies quoted fields (with "" unescaped)
 * into the reader's buffer. The reader checks syntax only: it does not trim,
 * validate UTF-8 or count columns; a table (the end of this file) maps a
 * header's columns by name and checks each row's width, and the loaders
 * check the fields against their own schema. */
#include "base/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"

#define HL_CSV_STRINGIFY_VALUE(value) #value
#define HL_CSV_STRINGIFY(value) HL_CSV_STRINGIFY_VALUE(value)

void hl_csv_reader_init(hl_csv_reader *reader, const char *data, size_t length)
{
    reader->data = data;
    reader->length = length;
    reader->position = 0;
    reader->stream = NULL;
    reader->window = NULL;
    reader->capacity = 0;
    reader->at_end = true;
    reader->started = true;
    /* A UTF-8 byte-order mark is written by spreadsheet programs on Windows
     * and is not part of the first field. */
    if (length >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        reader->position = 3;
    reader->line = 1;
    reader->next_line = 1;
    reader->field_count = 0;
    hl_buf_init(&reader->unquoted);
}

void hl_csv_reader_init_stream(hl_csv_reader *reader, FILE *stream, size_t window_bytes)
{
    hl_csv_reader_init(reader, "", 0);
    reader->stream = stream;
    reader->capacity = window_bytes > 0 ? window_bytes : HL_CSV_STREAM_WINDOW_BYTES;
    if (reader->capacity > HL_CSV_MAX_RECORD_BYTES)
        reader->capacity = HL_CSV_MAX_RECORD_BYTES;
    reader->window = hl_xmalloc(reader->capacity);
    reader->data = reader->window;
    reader->at_end = false;
    reader->started = false;
}

void hl_csv_reader_free(hl_csv_reader *reader)
{
    hl_buf_free(&reader->unquoted);
    free(reader->window);
    reader->window = NULL;
    reader->data = "";
    reader->length = reader->position = 0;
    reader->field_count = 0;
}

/* Sets a syntax error for the given physical line and stops the reader, so
 * that a caller which keeps reading after an error sees the end rather than
 * records resynchronised at a guess. */
static int fail(hl_csv_reader *reader, hl_error *error, long line, const char *chinese,
                const char *english)
{
    reader->position = reader->length;
    reader->at_end = true;
    reader->field_count = 0;
    return hl_error_set(error, HL_EINVAL, NULL, HL_T("第 %ld 行：%s", "line %ld: %s"), line,
                        HL_T(chinese, english));
}

static int fail_too_many_fields(hl_csv_reader *reader, hl_error *error, long line)
{
    return fail(reader, error, line, "字段多于 " HL_CSV_STRINGIFY(HL_CSV_MAX_FIELDS) " 个",
                "more than " HL_CSV_STRINGIFY(HL_CSV_MAX_FIELDS) " fields");
}

/* Stream mode: moves the window's unread bytes to its front and reads
 * more after them, growing the window when the unread bytes fill it (one
 * record longer than the window). Sets at_end when the stream has no more. */
static int refill(hl_csv_reader *reader, hl_error *error)
{
    size_t kept = reader->length - reader->position;
    if (kept > 0 && reader->position > 0)
        memmove(reader->window, reader->window + reader->position, kept);
    reader->position = 0;
    reader->length = kept;
    if (kept == reader->capacity) {
        if (reader->capacity >= HL_CSV_MAX_RECORD_BYTES)
            return fail(reader, error, reader->next_line,
                        "记录长于 " HL_CSV_STRINGIFY(HL_CSV_MAX_RECORD_MIB) " MiB",
                        "a record longer than " HL_CSV_STRINGIFY(HL_CSV_MAX_RECORD_MIB) " MiB");
        reader->capacity *= 2;
        if (reader->capacity > HL_CSV_MAX_RECORD_BYTES)
            reader->capacity = HL_CSV_MAX_RECORD_BYTES;
        reader->window = hl_xrealloc(reader->window, reader->capacity);
    }
    size_t got = fread(reader->window + kept, 1, reader->capacity - kept, reader->stream);
    reader->data = reader->window;
    reader->length = kept + got;
    if (got == 0) {
        reader->at_end = true;
        if (ferror(reader->stream)) {
            reader->position = reader->length;
            reader->field_count = 0;
            return hl_error_set(error, HL_EIO, "file", "%s",
                                HL_T("读取文件失败", "the file cannot be read"));
        }
    }
    return HL_OK;
}

/* Stream mode: refills until the window holds the whole record that starts
 * at reader->position and holds a quote, or the input has ended. Outside
 * quotes, a line feed ends the record; a doubled quote inside a quoted
 * field flips the state twice, so that counting quotes is enough. */
static int complete_quoted_record(hl_csv_reader *reader, hl_error *error)
{
    while (!reader->at_end) {
        const char *cursor = reader->data + reader->position;
        const char *end = reader->data + reader->length;
        const char *start = cursor;
        bool inside = false;
        bool just_closed = false;
        while (cursor < end) {
            if (inside) {
                const char *closing = memchr(cursor, '"', (size_t)(end - cursor));
                if (closing == NULL)
                    break;
                inside = false;
                just_closed = true;
                cursor = closing + 1;
                continue;
            }
            /* A quote opens a field only where a field starts (or doubles
             * the one that just closed): a stray quote inside an unquoted
             * field is the parser's error for that line, and must not make
             * the window grow to its limit looking for a closing one. */
            if (*cursor == '"' && (cursor == start || cursor[-1] == ',' || just_closed)) {
                inside = true;
                just_closed = false;
                cursor++;
                continue;
            }
            just_closed = false;
            if (*cursor == '\n')
                return HL_OK;
            cursor++;
        }
        int result = refill(reader, error);
        if (result != HL_OK)
            return result;
    }
    return HL_OK;
}

/* Counts line feeds in bytes[0..length), to keep physical line numbers right
 * when a quoted field spans lines. */
static long count_line_feeds(const char *bytes, size_t length)
{
    long count = 0;
    const char *end = bytes + length;
    while (bytes < end) {
        const char *found = memchr(bytes, '\n', (size_t)(end - bytes));
        if (found == NULL)
            break;
        count++;
        bytes = found + 1;
    }
    return count;
}

/* Splits one quote-free record, bytes[0..length) without its line break, on commas. */
static int split_plain_record(hl_csv_reader *reader, const char *bytes, size_t length,
                              hl_error *error)
{
    const char *cursor = bytes;
    const char *end = bytes + length;
    size_t count = 0;
    for (;;) {
        const char *comma = memchr(cursor, ',', (size_t)(end - cursor));
        const char *field_end = comma != NULL ? comma : end;
        if (count == HL_CSV_MAX_FIELDS)
            return fail_too_many_fields(reader, error, reader->line);
        reader->fields[count].ptr = cursor;
        reader->fields[count].len = (size_t)(field_end - cursor);
        count++;
        if (comma == NULL)
            break;
        cursor = comma + 1;
    }
    reader->field_count = count;
    return 1;
}

/* True when position is at a record end: a line feed, CRLF, or the end of input. */
static bool at_record_end(const hl_csv_reader *reader, size_t position, size_t *after)
{
    const char *data = reader->data;
    if (position >= reader->length) {
        *after = reader->length;
        return true;
    }
    if (data[position] == '\n') {
        *after = position + 1;
        return true;
    }
    if (data[position] == '\r' && position + 1 < reader->length && data[position + 1] == '\n') {
        *after = position + 2;
        return true;
    }
    if (data[position] == '\r' && position + 1 == reader->length) {
        *after = reader->length;
        return true;
    }
    return false;
}

/* Parses one record that holds at least one quote, starting at
 * reader->position. Quoted fields are copied into reader->unquoted; since
 * that buffer may move while it grows, their slices are fixed up at the end. */
static int parse_quoted_record(hl_csv_reader *reader, hl_error *error)
{
    const char *data = reader->data;
    size_t length = reader->length;
    size_t position = reader->position;
    long line = reader->line;
    size_t count = 0;
    size_t quoted_offsets[HL_CSV_MAX_FIELDS];
    bool quoted[HL_CSV_MAX_FIELDS];
    size_t record_end = length;

    hl_buf_reset(&reader->unquoted);
    for (;;) {
        if (count == HL_CSV_MAX_FIELDS)
            return fail_too_many_fields(reader, error, line);
        if (position < length && data[position] == '"') {
            long opening_line = line;
            size_t start = reader->unquoted.len;
            position++;
            for (;;) {
                const char *closing = memchr(data + position, '"', length - position);
                if (closing == NULL)
                    return fail(reader, error, opening_line, "引号未闭合",
                                "unterminated quoted field");
                size_t chunk = (size_t)(closing - (data + position));
                hl_buf_append(&reader->unquoted, data + position, chunk);
                line += count_line_feeds(data + position, chunk);
                position += chunk + 1;
                if (position < length && data[position] == '"') {
                    /* A doubled quote stands for one quote inside the field. */
                    hl_buf_append_char(&reader->unquoted, '"');
                    position++;
                    continue;
                }
                break;
            }
            quoted[count] = true;
            quoted_offsets[count] = start;
            reader->fields[count].ptr = NULL;
            reader->fields[count].len = reader->unquoted.len - start;
            count++;
            if (position < length && data[position] == ',') {
                position++;
                continue;
            }
            if (at_record_end(reader, position, &record_end))
                break;
            return fail(reader, error, line, "右引号后有多余字符", "text after closing quote");
        }

        /* An unquoted field runs to the next comma or record end. A carriage
         * return that does not end the record is kept as data, as the fast
         * path keeps it; a quote is an error, since RFC 4180 allows quotes
         * only around a whole field. */
        size_t start = position;
        while (position < length && data[position] != ',' && data[position] != '\n' &&
               data[position] != '"' &&
               !(data[position] == '\r' && at_record_end(reader, position, &record_end)))
            position++;
        if (position < length && data[position] == '"')
            return fail(reader, error, line, "未加引号的字段中出现引号",
                        "quote inside an unquoted field");
        quoted[count] = false;
        reader->fields[count].ptr = data + start;
        reader->fields[count].len = position - start;
        count++;
        if (position < length && data[position] == ',') {
            position++;
            continue;
        }
        at_record_end(reader, position, &record_end);
        break;
    }

    /* The buffer no longer grows, so the quoted fields' slices can point into it. */
    const char *base = reader->unquoted.data != NULL ? reader->unquoted.data : "";
    for (size_t index = 0; index < count; index++)
        if (quoted[index])
            reader->fields[index].ptr = base + quoted_offsets[index];
    reader->field_count = count;
    reader->position = record_end;
    /* The record owns the line feed that closed it, if any. */
    reader->next_line = line + (record_end > 0 && data[record_end - 1] == '\n' ? 1 : 0);
    return 1;
}

/* Stream mode, at the first call: reads the first window and skips a
 * byte-order mark, as hl_csv_reader_init does in memory. */
static int start_stream(hl_csv_reader *reader, hl_error *error)
{
    reader->started = true;
    int result = HL_OK;
    while (result == HL_OK && reader->length < 3 && !reader->at_end)
        result = refill(reader, error);
    const char *data = reader->data;
    if (result == HL_OK && reader->length >= 3 && (unsigned char)data[0] == 0xEF &&
        (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
        reader->position = 3;
    return result;
}

int hl_csv_reader_next(hl_csv_reader *reader, hl_error *error)
{
    reader->field_count = 0;
    if (!reader->started) {
        int result = start_stream(reader, error);
        if (result != HL_OK)
            return result;
    }
    for (;;) {
        const char *data = reader->data;
        size_t position = reader->position;
        if (position >= reader->length) {
            if (reader->at_end)
                return 0;
            int result = refill(reader, error);
            if (result != HL_OK)
                return result;
            continue;
        }
        size_t remaining = reader->length - position;
        const char *line_feed = memchr(data + position, '\n', remaining);
        if (line_feed == NULL && !reader->at_end) {
            /* The record may go on past the window. */
            int result = refill(reader, error);
            if (result != HL_OK)
                return result;
            continue;
        }
        reader->line = reader->next_line;
        size_t line_length =
            line_feed != NULL ? (size_t)(line_feed - (data + position)) : remaining;
        size_t content_length = line_length;
        if (content_length > 0 && data[position + content_length - 1] == '\r')
            content_length--;
        if (content_length == 0) {
            /* An empty line is no record (RFC 4180 has none; exports end
             * with one, and people leave them between blocks). */
            reader->position = line_feed != NULL ? position + line_length + 1 : reader->length;
            reader->next_line++;
            continue;
        }
        if (memchr(data + position, '"', content_length) != NULL) {
            int result = complete_quoted_record(reader, error);
            return result == HL_OK ? parse_quoted_record(reader, error) : result;
        }
        int result = split_plain_record(reader, data + position, content_length, error);
        if (result < 0)
            return result;
        reader->position = line_feed != NULL ? position + line_length + 1 : reader->length;
        reader->next_line++;
        return result;
    }
}

/* ---- tables ---- */

int hl_csv_at_line(hl_error *error, long line)
{
    char message[HL_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s", error->message);
    snprintf(error->message, sizeof error->message, HL_T("第 %ld 行：%.440s", "line %ld: %.440s"),
             line, message);
    return error->code;
}

/* Maps the header's columns to the schema's. */
static int map_header(hl_csv_table *table, hl_error *error)
{
    const hl_csv_schema *schema = table->schema;
    const hl_csv_reader *reader = &table->reader;
    const hl_csv_column *columns = schema->columns;
    for (size_t known = 0; known < schema->count; known++)
        table->index[known] = -1;
    table->field_count = reader->field_count;
    for (size_t field = 0; field < reader->field_count; field++) {
        hl_slice name = hl_slice_trim(reader->fields[field]);
        bool matched = false;
        for (size_t known = 0; known < schema->count && !matched; known++) {
            if (hl_slice_equal(name, columns[known].name)) {
                if (table->index[known] >= 0)
                    return hl_error_set(
                        error, HL_EINVAL, columns[known].name,
                        HL_T("第 1 行：列 %s 重复", "line 1: column %s appears twice"),
                        columns[known].name);
                table->index[known] = (int)field;
                matched = true;
            }
        }
        for (size_t skip = 0; schema->ignored != NULL && schema->ignored[skip] != NULL && !matched;
             skip++)
            matched = hl_slice_equal(name, schema->ignored[skip]);
        if (!matched && !schema->other_columns)
            return hl_error_set(
                error, HL_EINVAL, "header",
                HL_T("第 1 行：未知的列「%.*s」", "line 1: unknown column \"%.*s\""),
                (int)(name.len > 64 ? 64 : name.len), name.ptr);
    }
    for (size_t known = 0; known < schema->count; known++)
        if (columns[known].required && table->index[known] < 0)
            return hl_error_set(error, HL_EINVAL, columns[known].name,
                                HL_T("第 1 行：缺少列 %s", "line 1: column %s is missing"),
                                columns[known].name);
    return HL_OK;
}

/* Reads the header of a table whose reader is set up. */
static int open_table(hl_csv_table *table, const hl_csv_schema *schema, hl_error *error)
{
    table->schema = schema;
    table->field_count = 0;
    table->line = 1;
    table->broken = false;
    for (size_t known = 0; known < HL_CSV_MAX_COLUMNS; known++)
        table->index[known] = -1;
    if (schema->count > HL_CSV_MAX_COLUMNS)
        return hl_error_set(error, HL_EINVAL, "header", "a table of more than %d columns",
                            HL_CSV_MAX_COLUMNS);
    int result = hl_csv_reader_next(&table->reader, error);
    if (result < 0) {
        table->broken = true;
        return result;
    }
    if (result == 0)
        return hl_error_set(error, HL_EINVAL, "file", HL_T("文件为空", "the file is empty"));
    return map_header(table, error);
}

int hl_csv_table_open(hl_csv_table *table, const char *data, size_t length,
                      const hl_csv_schema *schema, hl_error *error)
{
    hl_csv_reader_init(&table->reader, data, length);
    return open_table(table, schema, error);
}

int hl_csv_table_open_stream(hl_csv_table *table, FILE *stream, const hl_csv_schema *schema,
                             hl_error *error)
{
    hl_csv_reader_init_stream(&table->reader, stream, 0);
    return open_table(table, schema, error);
}

void hl_csv_table_close(hl_csv_table *table)
{
    hl_csv_reader_free(&table->reader);
}

int hl_csv_table_next(hl_csv_table *table, hl_error *error)
{
    hl_csv_reader *reader = &table->reader;
    int result = hl_csv_reader_next(reader, error);
    if (result < 0) {
        table->line = reader->next_line;
        table->broken = true;
        return result;
    }
    table->line = reader->line;
    if (result == 0)
        return 0;
    if (reader->field_count != table->field_count)
        return hl_error_set(error, HL_EINVAL, "row",
                            HL_T("第 %ld 行：有 %zu 个字段，表头有 %zu 个",
                                 "line %ld: %zu fields, the header has %zu"),
                            reader->line, reader->field_count, table->field_count);
    return 1;
}

bool hl_csv_table_broken(const hl_csv_table *table)
{
    return table->broken;
}

long hl_csv_table_line(const hl_csv_table *table)
{
    return table->line;
}

hl_slice hl_csv_table_field(const hl_csv_table *table, size_t column)
{
    int position = column < HL_CSV_MAX_COLUMNS ? table->index[column] : -1;
    if (position < 0 || (size_t)position >= table->reader.field_count)
        return hl_slice_of("");
    hl_slice field = hl_slice_trim(table->reader.fields[position]);
    /* The writer (hl_buf_append_csv_field) puts an apostrophe before text
     * a spreadsheet would run as a formula (and before apostrophes that
     * come before such text); one comes off here, so that what hotline
     * exports imports back as it was. */
    size_t marks = 0;
    while (marks < field.len && field.ptr[marks] == '\'')
        marks++;
    if (marks > 0 && marks < field.len && memchr("=+-@\t\r", field.ptr[marks], 6) != NULL) {
        field.ptr++;
        field.len--;
    }
    return field;
}

bool hl_csv_table_has(const hl_csv_table *table, size_t column)
{
    return column < HL_CSV_MAX_COLUMNS && table->index[column] >= 0;
}
