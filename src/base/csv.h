/* csv.h: an RFC 4180 CSV reader over text in memory.
 *
 * Fields are returned as slices: unquoted fields point into the input,
 * quoted fields (with "" unescaped) into the reader's own storage. A UTF-8
 * byte-order mark at the start is skipped; records end with LF or CRLF;
 * quoted fields may hold commas and line breaks. The reader checks syntax
 * only: what the fields mean is the caller's business. */
#ifndef HL_CSV_H
#define HL_CSV_H

#include <stddef.h>

#include "base/error.h"
#include "base/text.h"

#define HL_CSV_MAX_FIELDS 256

typedef struct hl_csv_reader {
    const char *data;
    size_t length;
    size_t position;
    long line;        /* physical line where the current record started (1-based) */
    long next_line;   /* physical line where the next record starts */
    hl_slice fields[HL_CSV_MAX_FIELDS];
    size_t field_count;
    hl_buf unquoted;  /* storage for quoted fields of the current record; owned */
} hl_csv_reader;

/* Reads from data[0..length), which must outlive the reader. */
void hl_csv_reader_init(hl_csv_reader *reader, const char *data, size_t length);
/* Frees the reader's storage (not the data). */
void hl_csv_reader_free(hl_csv_reader *reader);

/* Reads the next record into reader->fields. Returns 1 when a record was
 * read, 0 at the end of input, or HL_EINVAL for a malformed record
 * (unterminated quote, a quote inside an unquoted field, text after a
 * closing quote, more than HL_CSV_MAX_FIELDS fields), with the line number
 * in the message. Empty lines are skipped. Slices stay valid until the next call. */
int hl_csv_reader_next(hl_csv_reader *reader, hl_error *error);

#endif
