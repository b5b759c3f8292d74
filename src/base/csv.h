/* csv.h: an RFC 4180 CSV reader over text in memory or over a stream read
 * through a bounded window, and the table every loader reads through it: a
 * header naming the columns, then rows.
 *
 * Fields are returned as slices: unquoted fields point into the input (or
 * the stream's window), quoted fields (with "" unescaped) into the
 * reader's own storage. A stream is read a window at a time, so that the
 * memory a reader holds depends on its longest record, not on the size of
 * the file; a record longer than HL_CSV_MAX_RECORD_BYTES is refused. A UTF-8
 * byte-order mark at the start is skipped; records end with LF or CRLF;
 * quoted fields may hold commas and line breaks. The reader checks syntax
 * only: what the fields mean is the caller's business. */
#ifndef HL_CSV_H
#define HL_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/text.h"

#include <stdio.h>

#define HL_CSV_MAX_FIELDS 256
/* The longest record a stream may hold (far above any loader's row). */
#define HL_CSV_MAX_RECORD_MIB 8
#define HL_CSV_MAX_RECORD_BYTES ((size_t)HL_CSV_MAX_RECORD_MIB << 20)
/* The window a stream is first read through. */
#define HL_CSV_STREAM_WINDOW_BYTES ((size_t)256 << 10)

typedef struct hl_csv_reader {
    const char *data; /* the text, or the stream's window */
    size_t length;    /* bytes in data */
    size_t position;
    FILE *stream;    /* NULL when the text is all in memory */
    char *window;    /* the stream's window (data points here); owned */
    size_t capacity; /* bytes the window can hold */
    bool at_end;     /* nothing more will come: data holds the rest of the input */
    bool started;    /* the stream's first bytes were read (and a mark skipped) */
    long line;       /* physical line where the current record started (1-based) */
    long next_line;  /* physical line where the next record starts */
    hl_slice fields[HL_CSV_MAX_FIELDS];
    size_t field_count;
    hl_buf unquoted; /* storage for quoted fields of the current record; owned */
} hl_csv_reader;

/* Reads from data[0..length), which must outlive the reader. */
void hl_csv_reader_init(hl_csv_reader *reader, const char *data, size_t length);
/* Reads from `stream` (which the caller opens, closes and keeps alive),
 * through a window of window_bytes at first (0: HL_CSV_STREAM_WINDOW_BYTES),
 * which grows only for a record longer than it. */
void hl_csv_reader_init_stream(hl_csv_reader *reader, FILE *stream, size_t window_bytes);
/* Frees the reader's storage (not the data, nor the stream). */
void hl_csv_reader_free(hl_csv_reader *reader);

/* Reads the next record into reader->fields. Returns 1 when a record was
 * read, 0 at the end of input, or HL_EINVAL for a malformed record
 * (unterminated quote, a quote inside an unquoted field, text after a
 * closing quote, more than HL_CSV_MAX_FIELDS fields), with the line number
 * in the message. Empty lines are skipped. Slices stay valid until the next call. */
int hl_csv_reader_next(hl_csv_reader *reader, hl_error *error);
/* From a stream the same, and HL_EINVAL for a record longer than
 * HL_CSV_MAX_RECORD_BYTES, HL_EIO when the stream cannot be read. */

/* ---- Tables: a header row, then rows of the header's width ---- */

/* A column a table may have. */
typedef struct hl_csv_column {
    const char *name;
    bool required;
} hl_csv_column;

#define HL_CSV_MAX_COLUMNS 32

/* The columns a loader knows, by position in `columns` (at most
 * HL_CSV_MAX_COLUMNS). A header column that is not among them is refused,
 * unless it is named in `ignored` (NULL-terminated, may be NULL: columns an
 * export writes that an import does not take) or other_columns is true (a
 * file with columns of its own, of which the loader reads a few). */
typedef struct hl_csv_schema {
    const hl_csv_column *columns;
    size_t count;
    const char *const *ignored;
    bool other_columns;
} hl_csv_schema;

typedef struct hl_csv_table {
    hl_csv_reader reader;
    const hl_csv_schema *schema;
    int index[HL_CSV_MAX_COLUMNS]; /* field position of each known column, or -1 */
    size_t field_count;            /* fields every row must have: the header's */
    long line;                     /* line of the last row read, or where reading failed */
    bool broken;                   /* the CSV is malformed: nothing more can be read */
} hl_csv_table;

/* Starts reading data[0..length) (which must outlive the table) as a table
 * of `schema` (which must too), and reads its header. HL_EINVAL when the
 * file is empty, a column is unknown or named twice, or a required one is
 * missing, with "line 1: ..." and the column as the error's field. The
 * caller closes the table with hl_csv_table_close whatever the result. */
int hl_csv_table_open(hl_csv_table *table, const char *data, size_t length,
                      const hl_csv_schema *schema, hl_error *error);
/* The same over a stream (hl_csv_reader_init_stream, default window). */
int hl_csv_table_open_stream(hl_csv_table *table, FILE *stream, const hl_csv_schema *schema,
                             hl_error *error);
void hl_csv_table_close(hl_csv_table *table);

/* Reads the next row: 1 with a row, 0 at the end, HL_EINVAL for a row of
 * another width than the header's (the table stays readable) or for a
 * malformed record (then hl_csv_table_broken is true and the table reads
 * as ended). Either message starts with the line number. */
int hl_csv_table_next(hl_csv_table *table, hl_error *error);
bool hl_csv_table_broken(const hl_csv_table *table);
/* The line of the row last read; after a malformed record, the line where
 * the next record would have started. */
long hl_csv_table_line(const hl_csv_table *table);
/* The trimmed field of known column `column` (its position in the
 * schema) in the current row; empty when the header has no such column.
 * When the field's leading apostrophes stand before = + - @, a tab or a
 * carriage return, one of them is taken off: it is the mark
 * hl_buf_append_csv_field puts against formulas. */
hl_slice hl_csv_table_field(const hl_csv_table *table, size_t column);
/* Whether the header has known column `column`. */
bool hl_csv_table_has(const hl_csv_table *table, size_t column);

/* Prefixes error's message with a line number ("第 3 行：...", "line 3:
 * ..."), keeping its code and field; returns the code. */
int hl_csv_at_line(hl_error *error, long line);

#endif
