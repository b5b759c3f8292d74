/* pg_internal.h: what the files of the PostgreSQL backend share, and only
 * they (src/store/postgres/ includes it; nothing else may): the backend's
 * struct, statement parameters, running statements through the per-
 * connection statement cache, reading columns of text-format results, the
 * enumerations' stored names and the mapping of the server's errors to the
 * error convention. Public entry points are in postgres.h. */
#ifndef HL_PG_INTERNAL_H
#define HL_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/text.h"
#include "store/chain.h"
#include "store/derive.h"
#include "store/postgres/postgres.h"
#include "store/store.h"

/* order_state_counts is kept in this many rows per state: each connection
 * adds its changes to its own shard's rows at commit, so that concurrent
 * writers seldom wait on one hot row; a read sums the shards. */
#define HL_PG_SHARDS 16

/* The class (first key) of hotline's advisory locks, "hl" in ASCII, so
 * that they do not meet another application's locks in the same database;
 * the second key tells them apart. */
#define HL_PG_LOCK_CLASS_TEXT "26732"
/* pg_advisory_xact_lock(HL_PG_LOCK_CLASS_TEXT, 0): the schema's migration. */
/* pg_advisory_xact_lock(HL_PG_LOCK_ORDER_DAYS_TEXT, <day>): one day's order numbers. */
#define HL_PG_LOCK_ORDER_DAYS_TEXT "26733"

/* One statement prepared on this connection: its text (the key: the
 * address of a string with static storage duration), whether what was
 * prepared is that text or hl_pg_visit's first page of it, and the name it
 * was prepared under. */
struct hl_pg_prepared {
    const char *sql;
    bool first_page;
    char name[16];
};

struct hl_pg_store {
    hl_store base;        /* first, so that an hl_store * is a struct hl_pg_store * */
    PGconn *connection;   /* NULL once closed */
    bool in_transaction;  /* between a begin and its commit or rollback */
    bool read_only;       /* the open transaction is begin_read's */
    bool bulk;            /* bulk mode as asked for by set_bulk */
    bool bulk_applied;    /* bulk mode as the session is set (see apply_bulk_mode) */
    hl_phone_codec codec; /* codec.seal == NULL until set */
    int shard;            /* 0..HL_PG_SHARDS-1, this connection's counter shard */
    /* Changes to order_state_counts made by this transaction's inserts and
     * updates, written to this connection's shard at commit and dropped at
     * rollback (see hl_pg_count_state_change). */
    int64_t pending_state_counts[HL_STATE_COUNT];
    bool state_counts_pending;
    /* The statement cache, emptied when the connection is reset. */
    struct hl_pg_prepared *prepared;
    size_t prepared_count, prepared_room;
    unsigned cursors; /* names hl_pg_visit's cursors apart on this connection */
    /* The rollup additions of the open transaction, written at commit
     * (pg_rollups.c); NULL until the first. */
    struct hl_pg_rollup_batch *rollups;
    /* Whether the open transaction's inserts of new orders (with their
     * events, units and phone-index entries) go through COPY: bulk mode as
     * it was at begin, like the session setting (see pg_copyin.c). */
    bool copy_in;
    /* The month (year * 12 + month, UTC) for which this connection last
     * made the event log's partitions ahead (pg_connection.c); 0: never. */
    int partitions_month;
    /* The rows waiting for their COPY and what the transaction knows of
     * the order numbers (pg_copyin.c); NULL until the first. */
    struct hl_pg_copyin *copyin;
    /* Each hash chain's head as this transaction has moved it: locked and
     * read at the chain's first append of a transaction, written at its
     * commit (pg_chain.c), forgotten at its end. */
    hl_chain_head chain_heads[HL_CHAIN_COUNT];
    bool chain_loaded[HL_CHAIN_COUNT];
};

static inline struct hl_pg_store *hl_pg_store_of(hl_store *base)
{
    return (struct hl_pg_store *)base;
}

/* Parameters of one statement, left to right ($1, $2, ...). Text is COPIED
 * into the params' own buffer (grown as needed; values[] is kept pointing
 * into it), so the caller's record may change after. A NULL parameter has
 * values[i] == NULL. The params own storage: release it with
 * hl_pg_params_free. A parameter beyond HL_PG_MAX_PARAMS is not added but
 * remembered (too_many), and the statement is then refused (HL_EINVAL)
 * instead of run with parameters missing. */
#define HL_PG_MAX_PARAMS 64
typedef struct hl_pg_params {
    int count;
    const char *values[HL_PG_MAX_PARAMS];
    int lengths[HL_PG_MAX_PARAMS];
    int formats[HL_PG_MAX_PARAMS];    /* 0 text, 1 binary (bytea) */
    size_t offsets[HL_PG_MAX_PARAMS]; /* where each value starts in storage */
    bool too_many;
    hl_buf storage;
} hl_pg_params;

void hl_pg_params_init(hl_pg_params *p);
void hl_pg_params_free(hl_pg_params *p);
/* Forgets every parameter, keeping the buffer, for the next statement. */
void hl_pg_params_reset(hl_pg_params *p);
void hl_pg_param_text(hl_pg_params *p, const char *text); /* NUL-terminated */
/* A fixed-size field, up to its first NUL or capacity, so that an
 * unterminated array is never read past its end. */
void hl_pg_param_field(hl_pg_params *p, const char *text, size_t capacity);
#define HL_PG_PARAM_FIELD(p, array) hl_pg_param_field((p), (array), sizeof(array))
void hl_pg_param_int64(hl_pg_params *p, int64_t value);
void hl_pg_param_double(hl_pg_params *p, double value); /* exact round trip: "%.17g" */
/* Stored as the SQLite backend stores a flag: the integer 1 or 0 (which a
 * boolean column reads as true or false too). */
void hl_pg_param_bool(hl_pg_params *p, bool value);
void hl_pg_param_bytes(hl_pg_params *p, const void *bytes, size_t length); /* bytea, binary */
void hl_pg_param_null(hl_pg_params *p);

/* Runs sql (a string with static storage duration: the cache keys on its
 * address and prepares it once per connection under a generated name).
 * params may be NULL for none. Results come in text format. *out (out may
 * be NULL: the result is cleared) is owned by the caller, who PQclears it;
 * it is NULL after a failure. Failures are mapped by hl_pg_error; operation
 * names the store operation for the message ("order_insert"). */
int hl_pg_exec(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
               const char *operation, PGresult **out, hl_error *error);
/* The same, for a write: *affected (may be NULL) gets PQcmdTuples as a number. */
int hl_pg_write(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                const char *operation, int64_t *affected, hl_error *error);
/* hl_pg_exec of a lookup of one row: HL_ENOTFOUND (error left for the
 * caller to fill: it names what is missing) when no row matches, else
 * HL_OK with the result in *out (the caller's, to PQclear). */
int hl_pg_lookup(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                 const char *operation, PGresult **out, hl_error *error);
/* Runs sql built at run time (not cached: PQexecParams). Same result rules. */
int hl_pg_exec_dynamic(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                       const char *operation, PGresult **out, hl_error *error);

/* Runs sql, a SELECT (dynamic: built at run time; else a string with
 * static storage duration, prepared once), and hands its rows one at a
 * time to handler. handler returns 0 to go on; anything else stops the
 * walk and is returned. A handler may call back into the store (list one
 * order's events while listing events). A result of up to
 * HL_PG_VISIT_BATCH_ROWS rows comes in one round trip, read whole before
 * the first row is handed over; a longer one is walked again through a
 * cursor, batch by batch, so that a scan of ten million events never
 * holds more than one batch (outside a transaction the cursor's walk runs
 * in one of its own, committed at the end). */
#define HL_PG_VISIT_BATCH_ROWS 1000
typedef int (*hl_pg_row_handler)(PGresult *result, int row, void *context, hl_error *error);
int hl_pg_visit(struct hl_pg_store *store, const char *sql, bool dynamic,
                const hl_pg_params *params, const char *operation, hl_pg_row_handler handler,
                void *context, hl_error *error);

/* Readers of one column of one row of a text-format result. A NULL reads
 * as 0, false or "", as SQLite's readers do. */
int64_t hl_pg_int64(const PGresult *r, int row, int column);
int hl_pg_int(const PGresult *r, int row, int column); /* clamped to int's range */
double hl_pg_double(const PGresult *r, int row, int column);
bool hl_pg_bool(const PGresult *r, int row, int column); /* 't', or an integer other than 0 */
/* Copies text into out (size bytes, NUL-terminated), cut at a UTF-8
 * character boundary when it does not fit. */
void hl_pg_text(const PGresult *r, int row, int column, char *out, size_t size);
#define HL_PG_TEXT(r, row, column, array) hl_pg_text((r), (row), (column), (array), sizeof(array))
/* Decodes a bytea (text format "\x...") into out (size bytes), its length
 * in *length; HL_EIO when it is malformed or does not fit. */
int hl_pg_bytes(const PGresult *r, int row, int column, unsigned char *out, size_t size,
                size_t *length, hl_error *error);
bool hl_pg_is_null(const PGresult *r, int row, int column);

/* Enumerations are stored as the stable English names SQLite uses: a namer
 * gives the name of a value (NULL for none); decode is its exact inverse. */
typedef const char *(*hl_pg_enum_namer)(int value);
const char *hl_pg_state_name(int value);
const char *hl_pg_channel_name(int value);
const char *hl_pg_type_name(int value);
const char *hl_pg_action_name(int value);
const char *hl_pg_role_name(int value);
const char *hl_pg_counter_name(int value);
bool hl_pg_decode_enum(const char *text, hl_pg_enum_namer namer, int count, int *out);
/* The name to store for a value, or NULL when the value is out of range. */
const char *hl_pg_encode_enum(int value, hl_pg_enum_namer namer, int count);
/* Reads an enumeration column; false (and *out 0) for a name this build
 * does not know: report it with hl_pg_corrupt_value. */
bool hl_pg_read_enum(const PGresult *r, int row, int column, hl_pg_enum_namer namer, int count,
                     int *out);

/* Errors. Every failure returns a code and fills error with a two-language
 * message (HL_T):
 *  unique_violation 23505                      -> HL_ECONFLICT
 *  serialization_failure 40001, deadlock 40P01 -> HL_ERETRY
 *  connection lost, cannot connect, shutdown, read-only (25006) -> HL_EUNAVAILABLE
 *  anything else                               -> HL_EIO with the server's message
 * result may be NULL (libpq gave none: the connection's message is used).
 * After a failure inside a transaction the transaction is aborted; the
 * caller rolls back. */
int hl_pg_error(struct hl_pg_store *store, const PGresult *result, const char *operation,
                hl_error *error);
/* Copies a libpq or server message into out (size bytes) on one line, cut
 * at a character boundary. */
void hl_pg_one_line(const char *text, char *out, size_t size);
int hl_pg_not_found(const char *what_zh, const char *what_en, const char *key, hl_error *error);
int hl_pg_no_codec_error(hl_error *error);
/* "order <number> <what>" with the given code, as the SQLite backend says it. */
int hl_pg_order_error(int code, const char *what_zh, const char *what_en, int64_t id,
                      hl_error *error);
int hl_pg_missing_argument(const char *operation, hl_error *error);
int hl_pg_bad_enum(const char *field, int value, hl_error *error);
/* A stored value this build cannot read (a hand edit, or a newer hotline). */
int hl_pg_corrupt_value(const PGresult *r, int row, int column, hl_error *error);
/* Runs one statement without parameters and without a result (schema
 * scripts, SET, transaction control), not cached. */
int hl_pg_command(struct hl_pg_store *store, const char *sql, const char *operation,
                  hl_error *error);

/* Runs a BEGIN (sql): when the connection turns out to have been lost
 * since the last statement, once more on a new one. */
int hl_pg_begin_command(struct hl_pg_store *store, const char *sql, const char *operation,
                        hl_error *error);
/* Session settings every statement relies on: bytea read back in hex
 * (hl_pg_bytes), and no statement timeout left over from a role's defaults
 * to cut a long import short. Run at open and after a reset. */
int hl_pg_configure_session(struct hl_pg_store *store, hl_error *error);

/* pg_connection.c: counts an order into or out of a state (through
 * hl_derive_state_change); written at commit, or at once when no
 * transaction is open. */
int hl_pg_count_state_change(struct hl_pg_store *store, hl_state from, hl_state to,
                             hl_error *error);

/* pg_schema.c: creates or migrates the schema in one transaction, under an
 * advisory lock so that two servers starting at once do not race. */
int hl_pg_migrate(struct hl_pg_store *store, hl_error *error);
/* The schema version this backend writes (its own numbering: version 1
 * holds SQLite's schema 8; docs/ARCHITECTURE.md). */
int hl_pg_schema_version(void);

/* Each file of the backend fills its part of the ops table. */
void hl_pg_directory_ops(hl_store_ops *ops);
void hl_pg_access_ops(hl_store_ops *ops);
void hl_pg_orders_ops(hl_store_ops *ops);
void hl_pg_events_ops(hl_store_ops *ops);
void hl_pg_rollups_ops(hl_store_ops *ops);
void hl_pg_queries_ops(hl_store_ops *ops);
void hl_pg_phones_ops(hl_store_ops *ops);
void hl_pg_throttle_ops(hl_store_ops *ops);
void hl_pg_copy_ops(hl_store_ops *ops); /* pg_copy.c */

/* ---- What the files of orders share (pg_orders.c, pg_events.c,
 * pg_rollups.c, pg_queries.c, pg_phones.c) ---- */

/* The columns of orders in the order hl_pg_read_order reads them and
 * order_insert writes them: the number, the registration (never changed
 * after intake), then the columns order_update writes. */
#define HL_PG_ORDER_COLUMNS                                                                        \
    "id, channel, type, received_at, citizen_name, citizen_phone, address, has_location, "         \
    "latitude, longitude, category, title, content, registered_by, publish_consent, version, "     \
    "state, state_before_return, lead_unit, co_units, dispatched_at, sign_deadline, signed_at, "   \
    "return_deadline, handle_deadline, due_at, reply, completed_at, extension_count, "             \
    "extension_pending_days, return_count, reopen_count, remind_count, supervise_count, "          \
    "duplicate_of, excluded, excluded_reason, assessed_month, survey_attempts, survey_result, "    \
    "rating, resolved, survey_comment, surveyed_at, appeal_state, appeal_reason"

/* Reads the columns of one row left to right; an enumeration this build
 * cannot decode, or a small one out of its range, marks the row bad
 * (bad_column), which the caller reports with hl_pg_corrupt_value. */
typedef struct hl_pg_row {
    const PGresult *result;
    int row;
    int column;
    int bad_column; /* -1 while every column read well */
} hl_pg_row;

static inline hl_pg_row hl_pg_row_of(const PGresult *result, int row)
{
    hl_pg_row reader = {result, row, 0, -1};
    return reader;
}

static inline int64_t hl_pg_row_int64(hl_pg_row *reader)
{
    return hl_pg_int64(reader->result, reader->row, reader->column++);
}

static inline int hl_pg_row_int(hl_pg_row *reader)
{
    return hl_pg_int(reader->result, reader->row, reader->column++);
}

static inline double hl_pg_row_double(hl_pg_row *reader)
{
    return hl_pg_double(reader->result, reader->row, reader->column++);
}

static inline void hl_pg_row_text(hl_pg_row *reader, char *out, size_t size)
{
    hl_pg_text(reader->result, reader->row, reader->column++, out, size);
}

#define HL_PG_ROW_FIELD(reader, array) hl_pg_row_text((reader), (array), sizeof(array))

static inline int hl_pg_row_enum(hl_pg_row *reader, hl_pg_enum_namer namer, int count)
{
    int column = reader->column++;
    int value = 0;
    if (!hl_pg_read_enum(reader->result, reader->row, column, namer, count, &value) &&
        reader->bad_column < 0)
        reader->bad_column = column;
    return value;
}

/* A small enumeration stored as its number: out of [0, count) is corrupt. */
static inline int hl_pg_row_small(hl_pg_row *reader, int count)
{
    int column = reader->column;
    int64_t value = hl_pg_row_int64(reader);
    if ((value < 0 || value >= count) && reader->bad_column < 0)
        reader->bad_column = column;
    return value < 0 || value >= count ? 0 : (int)value;
}

/* The error of a row marked bad, or HL_OK. */
static inline int hl_pg_row_status(const hl_pg_row *reader, hl_error *error)
{
    if (reader->bad_column < 0)
        return HL_OK;
    return hl_pg_corrupt_value(reader->result, reader->row, reader->bad_column, error);
}

/* The columns an event append writes, in its parameters' order. */
#define HL_PG_EVENT_INSERT_COLUMNS                                                                 \
    "order_id, seq, at, actor, action, from_state, to_state, unit, other_unit, deadline, note, "   \
    "details, period, outcome, rating, resolved, flags, chain_seq, prev_hash, hash"
/* The columns of an event as read (pg_events.c's read). */
#define HL_PG_EVENT_READ_COLUMNS                                                                   \
    "order_id, seq, at, actor, action, from_state, to_state, unit, other_unit, deadline, note, "   \
    "details, period, outcome, rating, resolved, flags"

/* pg_events.c */
/* Reads a row selected as HL_PG_EVENT_READ_COLUMNS from its first column. */
int hl_pg_read_event(const PGresult *result, int row, hl_event *event, hl_error *error);

/* pg_chain.c */
int hl_pg_chain_next(struct hl_pg_store *store, hl_chain_kind kind, hl_chain_link *link,
                     hl_error *error);
void hl_pg_chain_taken(struct hl_pg_store *store, hl_chain_kind kind, const hl_chain_link *link);
int hl_pg_chain_flush(struct hl_pg_store *store, hl_error *error);
void hl_pg_chain_forget(struct hl_pg_store *store);
int hl_pg_chain_link_stored(struct hl_pg_store *store, hl_error *error);
void hl_pg_chain_ops(hl_store_ops *ops);
/* pg_anchors.c */
void hl_pg_anchor_ops(hl_store_ops *ops);

/* pg_orders.c */
/* Reads a row selected as HL_PG_ORDER_COLUMNS, opening its phone with codec. */
int hl_pg_read_order(const PGresult *result, int row, const hl_phone_codec *codec, hl_order *order,
                     hl_error *error);

/* pg_rollups.c: the commit hook. A transaction's rollup additions wait in
 * memory (see pg_rollups.c); commit writes them just before COMMIT with
 * hl_pg_flush_pending (on failure the caller rolls back), and rollback and
 * close forget them with hl_pg_drop_pending, which frees their memory. */
int hl_pg_flush_pending(struct hl_pg_store *store, hl_error *error);
void hl_pg_drop_pending(struct hl_pg_store *store);

/* pg_phones.c */
/* An order's phone as written: sealed bytes and search hash, or length 0
 * when the order has none. */
typedef struct hl_pg_sealed_phone {
    const unsigned char *bytes;
    size_t length;
    const unsigned char *hash;
    /* The sealed name and address (NULL: none, written NULL). */
    const unsigned char *name, *address;
    size_t name_length, address_length;
} hl_pg_sealed_phone;
/* pg_sealed.c: names and addresses sealed like phones. Points out's name
 * and address at their sealed forms: given's when the caller sealed them
 * (given may be NULL), else sealed here into scratch. */
int hl_pg_seal_order_texts(struct hl_pg_store *store, const hl_order *order,
                           const hl_sealed_phone *given, hl_sealed_phone *scratch,
                           hl_pg_sealed_phone *out, hl_error *error);
void hl_pg_param_sealed_text(hl_pg_params *params, const unsigned char *bytes, size_t length);
/* Reads a name or address column: NULL is "", bytea is opened with codec. */
int hl_pg_read_sealed_text(const PGresult *result, int row, int column, const hl_phone_codec *codec,
                           hl_sealed_field field, int64_t id, char *out, size_t size,
                           hl_error *error);
/* Seals the names and addresses schema 8 and before kept in clear, once
 * (meta.texts_unsealed), in a transaction of its own; needs the codec. */
int hl_pg_seal_stored_texts(struct hl_pg_store *store, hl_error *error);
/* Seals an order's phone into scratch (the caller's, which it clears after
 * use) and points out at it. */
int hl_pg_seal_order_phone(struct hl_pg_store *store, const hl_order *order,
                           hl_sealed_phone *scratch, hl_pg_sealed_phone *out, hl_error *error);
int hl_pg_index_phone(struct hl_pg_store *store, const hl_derive_phone_entry *entry,
                      hl_error *error);
/* Reads a phone column: NULL is no phone, bytea is opened with codec. */
int hl_pg_read_phone(const PGresult *result, int row, int column, const hl_phone_codec *codec,
                     int64_t id, char *out, size_t size, hl_error *error);
/* The search hash of a phone as a filter wrote it (needs the codec). */
int hl_pg_hash_phone(struct hl_pg_store *store, const char *phone,
                     unsigned char hash[HL_PHONE_HASH_BYTES], hl_error *error);

/* pg_copyin.c: in bulk mode the inserts of new orders and of what comes
 * with them wait in memory as rows of COPY's text format, and go to the
 * server in one COPY per table: before any other statement of the
 * connection (hl_pg_copyin_flush, called where every statement starts),
 * at commit, and when the rows pass a size bound. A COPY that fails
 * (23505, a number taken meanwhile by another writer: HL_ECONFLICT) fails
 * the transaction; rollback and close forget the rows with
 * hl_pg_copyin_drop. The caller checks store->copy_in before using any of
 * these. */
typedef enum hl_pg_copyin_table {
    HL_PG_COPYIN_ORDERS, /* sent first: the others name its rows */
    HL_PG_COPYIN_UNITS,
    HL_PG_COPYIN_PHONES,
    HL_PG_COPYIN_EVENTS,
    HL_PG_COPYIN_TABLES
} hl_pg_copyin_table;
/* Claims an order number for an insert through COPY: *taken is true when
 * the number is stored already (the numbers of its day are read once per
 * transaction, which sends the waiting rows first) or was claimed earlier
 * in the transaction; otherwise it is now the transaction's. */
int hl_pg_copyin_claim_order(struct hl_pg_store *store, int64_t id, bool *taken, hl_error *error);
/* Whether the order was claimed by this transaction's COPY: only its rows
 * of the other tables can go through COPY without a check of their own. */
bool hl_pg_copyin_claimed_order(const struct hl_pg_store *store, int64_t id);
/* Claims event seq of a claimed order; false when it was claimed already. */
bool hl_pg_copyin_claim_event(struct hl_pg_store *store, int64_t order_id, int64_t seq);
/* Appends row (the parameters of the table's insert: NULL as \N, binary
 * as bytea's hex) to the table's waiting rows; sends them all when they
 * pass the size bound. */
int hl_pg_copyin_add(struct hl_pg_store *store, hl_pg_copyin_table table, const hl_pg_params *row,
                     hl_error *error);
/* Sends every waiting row, orders first; HL_OK when there is none. */
int hl_pg_copyin_flush(struct hl_pg_store *store, hl_error *error);
/* Forgets the waiting rows and the claims, and frees their memory. */
void hl_pg_copyin_drop(struct hl_pg_store *store);

#endif
