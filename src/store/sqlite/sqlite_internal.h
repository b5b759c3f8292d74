/* sqlite_internal.h: what the files of the SQLite backend share, and only
 * they (src/store/sqlite/ includes it; nothing else may): the backend's
 * struct, the statement cache, the column lists, binding and reading
 * columns, error mapping, and the query builder's types. Public entry
 * points are in sqlite.h. */
#ifndef HL_SQLITE_INTERNAL_H
#define HL_SQLITE_INTERNAL_H

#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/contract.h"
#include "base/text.h"
#include "store/chain.h"
#include "store/derive.h"
#include "store/sqlite/sqlite.h"
#include "store/store.h"

/* Registration columns never change after intake; order_update writes only
 * the mutable ones. Inserts and selects list them in this same order, which
 * bind_order and hl_sqlite_read_order follow. */
#define ORDER_REGISTRATION_COLUMNS                                                                 \
    "channel, type, received_at, citizen_name, citizen_phone, address, has_location, latitude, "   \
    "longitude, category, title, content, registered_by, publish_consent"
#define ORDER_MUTABLE_COLUMNS                                                                      \
    "version, state, state_before_return, lead_unit, co_units, dispatched_at, sign_deadline, "     \
    "signed_at, return_deadline, handle_deadline, due_at, reply, completed_at, extension_count, "  \
    "extension_pending_days, return_count, reopen_count, remind_count, supervise_count, "          \
    "duplicate_of, excluded, excluded_reason, assessed_month, survey_attempts, survey_result, "    \
    "rating, resolved, survey_comment, surveyed_at, appeal_state, appeal_reason"
#define ORDER_COLUMNS "id, " ORDER_REGISTRATION_COLUMNS ", " ORDER_MUTABLE_COLUMNS
#define EVENT_COLUMNS                                                                              \
    "order_id, seq, at, actor, action, from_state, to_state, unit, other_unit, deadline, note, "   \
    "details, period, outcome, rating, resolved, flags"

#define APIKEY_COLUMNS_NO_ID                                                                       \
    "key_hash, key_prefix, name, created_by, created_at, rate_per_minute, revoked, revoked_at"
#define APIKEY_COLUMNS "id, " APIKEY_COLUMNS_NO_ID
#define ATTRIBUTE_COLUMNS                                                                          \
    "category, code, position, datatype, required, variable, description, datatype_description, "  \
    "choices"
#define OPEN311_COLUMNS "order_id, api_key_id, email, device_id, account_id, address_id, media_url"

/* The statements prepared once at open and reused (reset, never finalized)
 * until close. */
typedef enum hl_sqlite_statement {
    STMT_BEGIN,
    STMT_BEGIN_READ,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_CONFIG_GET,
    STMT_CONFIG_SET,
    STMT_CONFIG_EACH,
    STMT_UNIT_PUT,
    STMT_UNIT_GET,
    STMT_UNIT_EACH,
    STMT_CATEGORY_PUT,
    STMT_CATEGORY_GET,
    STMT_CATEGORY_EACH,
    STMT_USER_PUT,
    STMT_USER_GET,
    STMT_USER_EACH,
    STMT_CALENDAR_LOAD,
    STMT_CALENDAR_PUT,
    STMT_ORDER_MAX_ID,
    STMT_ORDER_INSERT,
    STMT_ORDER_INSERT_FRESH,
    STMT_ORDER_UPDATE,
    STMT_ORDER_GET,
    STMT_ORDER_EXISTS,
    STMT_ORDER_HEADS,
    STMT_ORDER_UNITS_OF,
    STMT_UNIT_ROW_PUT,
    STMT_UNIT_ROW_DELETE,
    STMT_ORDER_STATE_COUNTS,
    STMT_STATE_COUNT_ADD,
    STMT_EVENT_APPEND,
    STMT_EVENT_LIST,
    STMT_EVENT_SCAN,
    STMT_ROLLUP_ADD,
    STMT_ROLLUP_EACH,
    STMT_ROLLUP_MONTH,
    STMT_PASSWORD_GET,
    STMT_PASSWORD_SET,
    STMT_PASSWORD_RETIRE,
    STMT_PASSWORD_TRIM,
    STMT_PASSWORD_HISTORY,
    STMT_SESSION_PUT,
    STMT_SESSION_GET,
    STMT_SESSION_REVOKE,
    STMT_SESSION_REVOKE_USER,
    STMT_SESSION_PURGE,
    STMT_SESSION_TOUCH,
    STMT_AUDIT_APPEND,
    STMT_PHONE_INDEX_PUT,
    STMT_PHONE_INDEX_PUT_PENDING,
    STMT_APIKEY_INSERT,
    STMT_APIKEY_GET,
    STMT_APIKEY_FIND,
    STMT_APIKEY_EACH,
    STMT_APIKEY_REVOKE,
    STMT_ATTRIBUTE_PUT,
    STMT_ATTRIBUTE_CLEAR,
    STMT_ATTRIBUTE_OF,
    STMT_ATTRIBUTE_ALL,
    STMT_OPEN311_PUT,
    STMT_OPEN311_GET,
    STMT_ANSWER_PUT,
    STMT_ANSWER_EACH,
    STMT_EVENT_GET,
    STMT_APIKEY_PUT,
    STMT_AUDIT_PUT,
    STMT_COUNT
} hl_sqlite_statement;

struct hl_sqlite_store {
    hl_store base; /* first, so that an hl_store * is a struct hl_sqlite_store * */
    sqlite3 *db;   /* NULL once closed */
    sqlite3_stmt *statements[STMT_COUNT];
    bool bulk;         /* bulk mode as asked for by set_bulk */
    bool bulk_applied; /* bulk mode as the connection is set (see apply_bulk_mode) */
    /* Set only inside hl_sqlite_explain: the lists' statements are
     * explained into it instead of run. */
    hl_buf *explain;
    /* Changes to order_state_counts made by this transaction's inserts and
     * updates, written once at commit (a bulk import's 500,000 inserts
     * make one row update per state) and dropped at rollback. */
    int64_t pending_state_counts[HL_STATE_COUNT];
    bool state_counts_pending;
    bool holds_writers_lock;     /* between a begin and its commit or rollback (see writers_lock) */
    bool background_checkpoints; /* commits do not checkpoint: hl_store_checkpoint does */
    hl_phone_codec codec;        /* how phones are sealed; codec.seal == NULL until set */
    /* The sealed phone of the order being inserted: bound SQLITE_STATIC,
     * so it lives here until the statement has run. */
    unsigned char sealed[HL_PHONE_SEALED_MAX_BYTES];
    unsigned char sealed_hash[HL_PHONE_HASH_BYTES];
    /* The order's sealed name and address, likewise (sqlite_sealed.c). */
    unsigned char sealed_name[HL_SEALED_TEXT_MAX_BYTES];
    unsigned char sealed_address[HL_SEALED_TEXT_MAX_BYTES];
    /* phone_index entries of the open transaction not written yet (bulk
     * mode), put in key order at commit. */
    hl_derive_phone_entry *pending;
    size_t pending_count, pending_room;
    /* The counters' own connection to their own file (sqlite_throttle.c),
     * opened at the first throttle call; NULL until then. */
    sqlite3 *counters;
    sqlite3_stmt *counter_statements[4];
    /* Each hash chain's head as this transaction has moved it: read at the
     * chain's first append of a transaction, written at its commit
     * (sqlite_chain.c), forgotten at its end. */
    hl_chain_head chain_heads[HL_CHAIN_COUNT];
    bool chain_loaded[HL_CHAIN_COUNT];
};

/* The statements' text, indexed by hl_sqlite_statement (sqlite_schema.c). */
extern const char *const hl_sqlite_statement_sql[STMT_COUNT];

/* Enumerations are stored as their stable English names: a namer gives
 * the name of a value (NULL for none), and decode_enum is its inverse. */
typedef const char *(*hl_sqlite_enum_namer)(int value);
bool hl_sqlite_decode_enum(const unsigned char *text, int length, hl_sqlite_enum_namer namer,
                           int count, int *out);

static inline struct hl_sqlite_store *hl_sqlite_store_of(hl_store *base)
{
    return (struct hl_sqlite_store *)base;
}

/* Binds parameters left to right; the first failure sticks in rc. Text is
 * bound SQLITE_STATIC: every caller steps and resets the statement before
 * the record it came from can change, and rebinds every parameter before
 * the next step, so SQLite never reads a stale pointer. */
typedef struct hl_sqlite_binder {
    sqlite3_stmt *statement;
    int index;
    int rc;
} hl_sqlite_binder;

static inline hl_sqlite_binder hl_sqlite_binder_of(sqlite3_stmt *statement)
{
    hl_sqlite_binder result = {statement, 0, SQLITE_OK};
    return result;
}

/* A fixed-size field is bound up to its first NUL or its capacity, so that
 * an unterminated array cannot make SQLite read past it. */
static inline void hl_sqlite_bind_field(hl_sqlite_binder *binding, const char *text,
                                        size_t capacity)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_text(binding->statement, binding->index, text,
                                        (int)strnlen(text, capacity), SQLITE_STATIC);
}

static inline void hl_sqlite_bind_string(hl_sqlite_binder *binding, const char *text)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc =
            sqlite3_bind_text(binding->statement, binding->index, text, -1, SQLITE_STATIC);
}

static inline void hl_sqlite_bind_int64(hl_sqlite_binder *binding, int64_t value)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_int64(binding->statement, binding->index, value);
}

static inline void hl_sqlite_bind_double(hl_sqlite_binder *binding, double value)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_double(binding->statement, binding->index, value);
}

static inline void hl_sqlite_bind_blob(hl_sqlite_binder *binding, const void *bytes, size_t length)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_blob(binding->statement, binding->index, bytes, (int)length,
                                        SQLITE_STATIC);
}

static inline void hl_sqlite_bind_null(hl_sqlite_binder *binding)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_null(binding->statement, binding->index);
}

#define BIND_FIELD(binding, array) hl_sqlite_bind_field((binding), (array), sizeof(array))

/* Reads columns left to right; an enumeration this build cannot decode
 * marks the row bad (bad_column) and the caller reports it. */
typedef struct hl_sqlite_reader {
    sqlite3_stmt *statement;
    int column;
    int bad_column; /* -1 while every column read well */
} hl_sqlite_reader;

static inline hl_sqlite_reader hl_sqlite_reader_of(sqlite3_stmt *statement)
{
    hl_sqlite_reader result = {statement, 0, -1};
    return result;
}

static inline int64_t hl_sqlite_read_int64(hl_sqlite_reader *row)
{
    return sqlite3_column_int64(row->statement, row->column++);
}

static inline int hl_sqlite_read_int(hl_sqlite_reader *row)
{
    int64_t value = hl_sqlite_read_int64(row);
    return value < INT_MIN ? INT_MIN : value > INT_MAX ? INT_MAX : (int)value;
}

static inline double hl_sqlite_read_double(hl_sqlite_reader *row)
{
    return sqlite3_column_double(row->statement, row->column++);
}

static inline void hl_sqlite_copy_column_text(sqlite3_stmt *statement, int column, char *out,
                                              size_t size)
{
    HL_REQUIRE(out != NULL && size > 0);
    const unsigned char *text = sqlite3_column_text(statement, column);
    size_t length = text != NULL ? (size_t)sqlite3_column_bytes(statement, column) : 0;
    if (length > size - 1)
        length = size - 1;
    if (length > 0)
        memcpy(out, text, length);
    out[length] = '\0';
}

static inline void hl_sqlite_read_text(hl_sqlite_reader *row, char *out, size_t size)
{
    hl_sqlite_copy_column_text(row->statement, row->column++, out, size);
}

#define READ_FIELD(row, array) hl_sqlite_read_text((row), (array), sizeof(array))

static inline int hl_sqlite_read_enum(hl_sqlite_reader *row, hl_sqlite_enum_namer namer, int count)
{
    int column = row->column++;
    const unsigned char *text = sqlite3_column_text(row->statement, column);
    int length = sqlite3_column_bytes(row->statement, column);
    int value = 0;
    if (!hl_sqlite_decode_enum(text, length, namer, count, &value) && row->bad_column < 0)
        row->bad_column = column;
    return value;
}

/* A small enumeration stored as its number: out of [0, count) is corrupt. */
static inline int hl_sqlite_read_small(hl_sqlite_reader *row, int count)
{
    int column = row->column;
    int64_t value = hl_sqlite_read_int64(row);
    if ((value < 0 || value >= count) && row->bad_column < 0)
        row->bad_column = column;
    return value < 0 || value >= count ? 0 : (int)value;
}

/* Decodes the current row and hands it to the caller's visitor; returns the
 * visitor's answer, or an error code after filling error. */
typedef int (*hl_sqlite_row_handler)(sqlite3_stmt *statement, void *context, hl_error *error);

/* Defines NAME_visit, a caller's visitor of TYPE records with its context
 * and a scratch record, and the row handler visit_NAME_row, which reads
 * each row into the scratch record through READ (a row handler that fills
 * a TYPE) and hands it to the visitor, whose answer other than 0 stops the
 * walk. The scratch record is the caller's: on the stack for a small TYPE,
 * from the heap for a large one. */
#define HL_SQLITE_ROW_VISITOR(name, type, read)                                                    \
    typedef struct name##_visit {                                                                  \
        int (*visit)(void *context, const type *record);                                           \
        void *context;                                                                             \
        type *record;                                                                              \
    } name##_visit;                                                                                \
    static int visit_##name##_row(sqlite3_stmt *statement, void *context, hl_error *error)         \
    {                                                                                              \
        name##_visit *visitor = context;                                                           \
        int result = read(statement, visitor->record, error);                                      \
        return result != HL_OK ? result : visitor->visit(visitor->context, visitor->record);       \
    }

/* An order's phone as written: its sealed bytes and search hash, or
 * bytes == NULL when the order has no phone. */
typedef struct hl_sqlite_sealed_phone {
    const unsigned char *bytes;
    size_t length;
    const unsigned char *hash;
    /* The sealed name and address (NULL: none, written NULL). */
    const unsigned char *name, *address;
    size_t name_length, address_length;
} hl_sqlite_sealed_phone;

/* One parameter of a query built at run time. Values are always bound,
 * never pasted into the SQL text. */
typedef struct hl_sqlite_parameter {
    const char *text;          /* NULL: bind blob, else number */
    const unsigned char *blob; /* with blob_length bytes; NULL: bind number */
    size_t blob_length;
    int64_t number;
} hl_sqlite_parameter;

/* At most: every state, every channel, a dozen single filters, two for
 * the text, two for a scope, the unit of a range, the phone, one for
 * "received before", the category list, the limit and the offset. */
#define QUERY_MAX_PARAMETERS (HL_STATE_COUNT + HL_CHANNEL_COUNT + 30)

/* Which part of a deadline-sorted list a query reads. */
typedef enum hl_sqlite_part {
    PART_ALL = 0,
    PART_DEADLINE,    /* the orders whose deadline runs (due_at > 0) */
    PART_NO_DEADLINE, /* the others */
} hl_sqlite_part;

/* How a query reaches its rows. The lists of the API choose explicitly, so
 * that a page never depends on SQLite guessing well without statistics:
 * see hl_sqlite_plan_page and count_part. */
typedef enum hl_sqlite_source {
    SOURCE_ORDERS = 0, /* the orders table: SQLite picks the index */
    SOURCE_DEADLINES,  /* orders through orders_by_due, in deadline order */
    SOURCE_UNIT,       /* one unit's range of order_units, in received order, joined to orders */
} hl_sqlite_source;

typedef struct hl_sqlite_plan {
    hl_sqlite_source source;
    const char *unit;      /* SOURCE_UNIT: the unit whose range is read */
    int lead;              /* SOURCE_UNIT: 1 its lead rows, 0 its co-handling rows, -1 both */
    const char *also_lead; /* an extra "lead_unit = ?" (the lead half of a scope's count) */
    hl_sqlite_part part;
    /* A page read in received order: with several states listed, keep
     * SQLite off orders_by_state, which would make it sort every order in
     * those states (nearly all of them for the finished states) to return
     * fifty; the walk down orders_by_received stops at the page's end. */
    bool spread_states;
    /* Through orders_by_due: a filter on the running deadline (overdue,
     * due soon) selects among the open orders only, a small part of any
     * store, which SQLite cannot know without statistics: it would rather
     * read every order of a unit or a state to check each one's deadline. */
    bool by_due;
    /* " FROM orders INDEXED BY ..." of the orders awaiting a decision
     * (hl_sqlite_pending_from), or NULL: the few that wait, found
     * through their partial index (migration 17) whatever else the
     * filter says, where SQLite without statistics would walk a whole
     * unit, state or time range to check each order. */
    const char *pending_from;
} hl_sqlite_plan;

typedef struct hl_sqlite_query {
    hl_buf where; /* " WHERE ..." or "" */
    hl_sqlite_parameter parameters[QUERY_MAX_PARAMETERS];
    int count;
    bool touches_orders; /* a condition reads a column of orders (not only of order_units) */
    unsigned char phone_hash[HL_PHONE_HASH_BYTES]; /* the filter's phone, hashed */
} hl_sqlite_query;

/* Each file of the backend fills its part of the ops table. */
void hl_sqlite_directory_ops(hl_store_ops *ops);
void hl_sqlite_orders_ops(hl_store_ops *ops);
void hl_sqlite_phones_ops(hl_store_ops *ops);
void hl_sqlite_queries_ops(hl_store_ops *ops);
void hl_sqlite_events_ops(hl_store_ops *ops);
void hl_sqlite_rollups_ops(hl_store_ops *ops);
void hl_sqlite_access_ops(hl_store_ops *ops);
void hl_sqlite_throttle_ops(hl_store_ops *ops);
void hl_sqlite_copy_ops(hl_store_ops *ops);
/* The number of this backend's migrations: the version it writes. */
int hl_sqlite_schema_version(void);
/* Whether a store is one of this backend's. */
bool hl_sqlite_owns(const hl_store *store);

/* The functions the backend's files share, grouped by the file that
 * defines them; each is described where it is defined. */

/* sqlite_support.c */
int hl_sqlite_storage_error(struct hl_sqlite_store *store, const char *operation, hl_error *error);
int hl_sqlite_not_a_database(const char *path, const char *detail, hl_error *error);
int hl_sqlite_cannot_open(const char *path, const char *detail, hl_error *error);
int hl_sqlite_missing_argument(const char *operation, hl_error *error);
int hl_sqlite_bad_enum(const char *field, int value, hl_error *error);
int hl_sqlite_corrupt_value(sqlite3_stmt *statement, int column, hl_error *error);
const char *hl_sqlite_state_name(int value);
const char *hl_sqlite_channel_name(int value);
const char *hl_sqlite_type_name(int value);
const char *hl_sqlite_action_name(int value);
const char *hl_sqlite_role_name(int value);
const char *hl_sqlite_counter_name(int value);
const char *hl_sqlite_encode_enum(int value, hl_sqlite_enum_namer namer, int count);
int hl_sqlite_run_write(struct hl_sqlite_store *store, sqlite3_stmt *statement,
                        const char *operation, hl_error *error);
sqlite3_stmt *hl_sqlite_borrow_statement(struct hl_sqlite_store *store, hl_sqlite_statement id,
                                         const char *operation, hl_error *error);
void hl_sqlite_return_statement(struct hl_sqlite_store *store, hl_sqlite_statement id,
                                sqlite3_stmt *statement);
int hl_sqlite_visit_rows(struct hl_sqlite_store *store, sqlite3_stmt *statement,
                         const char *operation, hl_sqlite_row_handler handle, void *context,
                         hl_error *error);
int hl_sqlite_visit_all(struct hl_sqlite_store *store, hl_sqlite_statement id,
                        const char *operation, hl_sqlite_row_handler handle, void *context,
                        hl_error *error);
int hl_sqlite_lookup_row(struct hl_sqlite_store *store, sqlite3_stmt *statement,
                         const char *operation, hl_sqlite_row_handler handle, void *context,
                         hl_error *error);
int hl_sqlite_get(struct hl_sqlite_store *store, const hl_sqlite_binder *binding,
                  const char *operation, hl_sqlite_row_handler read, void *out, hl_error *error);
int hl_sqlite_write(struct hl_sqlite_store *store, const hl_sqlite_binder *binding,
                    const char *operation, hl_error *error);
int hl_sqlite_insert(struct hl_sqlite_store *store, const hl_sqlite_binder *binding,
                     const char *operation, hl_error *error);
void hl_sqlite_bind_parameters(hl_sqlite_binder *binding, const hl_sqlite_parameter *parameters,
                               int count);
int hl_sqlite_visit(struct hl_sqlite_store *store, hl_sqlite_statement id,
                    const hl_sqlite_parameter *parameters, int count, const char *operation,
                    hl_sqlite_row_handler handle, void *context, hl_error *error);
int hl_sqlite_prepare(struct hl_sqlite_store *store, const char *sql,
                      const hl_sqlite_parameter *parameters, int count, const char *operation,
                      sqlite3_stmt **out, hl_error *error);
int hl_sqlite_visit_sql(struct hl_sqlite_store *store, const char *sql,
                        const hl_sqlite_parameter *parameters, int count, const char *operation,
                        hl_sqlite_row_handler handle, void *context, hl_error *error);
int hl_sqlite_select_number(struct hl_sqlite_store *store, const char *sql,
                            const hl_sqlite_parameter *parameters, int count, const char *operation,
                            int64_t *out, hl_error *error);
int hl_sqlite_exec_sql(struct hl_sqlite_store *store, const char *sql, const char *operation,
                       hl_error *error);
int hl_sqlite_not_found(const char *what_zh, const char *what_en, const char *key, hl_error *error);
int hl_sqlite_no_codec_error(hl_error *error);
int hl_sqlite_order_error(int code, const char *what_zh, const char *what_en, int64_t id,
                          hl_error *error);

/* sqlite_schema.c */
int hl_sqlite_migrate(struct hl_sqlite_store *store, const char *path, hl_error *error);

/* sqlite_connection.c */
void hl_sqlite_wait_when_busy(sqlite3 *db);
int hl_sqlite_count_state_change(struct hl_sqlite_store *store, hl_state from, hl_state to,
                                 hl_error *error);

/* sqlite_events.c */
/* Reads a row selected as EVENT_COLUMNS into the hl_event *context. */
int hl_sqlite_read_event(sqlite3_stmt *statement, void *context, hl_error *error);

/* sqlite_chain.c */
int hl_sqlite_chain_next(struct hl_sqlite_store *store, hl_chain_kind kind, hl_chain_link *link,
                         hl_error *error);
void hl_sqlite_chain_taken(struct hl_sqlite_store *store, hl_chain_kind kind,
                           const hl_chain_link *link);
int hl_sqlite_chain_flush(struct hl_sqlite_store *store, hl_error *error);
void hl_sqlite_chain_forget(struct hl_sqlite_store *store);
int hl_sqlite_chain_link_stored(struct hl_sqlite_store *store, hl_error *error);
void hl_sqlite_chain_ops(hl_store_ops *ops);
/* sqlite_anchors.c */
void hl_sqlite_anchor_ops(hl_store_ops *ops);

/* sqlite_orders.c */
int hl_sqlite_read_order(sqlite3_stmt *statement, const hl_phone_codec *codec, hl_order *order,
                         hl_error *error);

/* sqlite_throttle.c */
void hl_sqlite_close_counters(struct hl_sqlite_store *store);

/* sqlite_sealed.c: names and addresses sealed like phones. */
/* Points out's name and address at their sealed forms: given's when the
 * caller sealed them (given may be NULL), else sealed here into the
 * store's scratch space, where they stay until the insert has run. */
int hl_sqlite_seal_order_texts(struct hl_sqlite_store *store, const hl_order *order,
                               const hl_sealed_phone *given, hl_sqlite_sealed_phone *out,
                               hl_error *error);
void hl_sqlite_bind_sealed_text(hl_sqlite_binder *binding, const unsigned char *bytes,
                                size_t length);
/* Reads a name or address column: NULL is "", a BLOB is opened with the
 * codec, TEXT is one an older version wrote in clear. */
int hl_sqlite_read_sealed_text(hl_sqlite_reader *row, const hl_phone_codec *codec,
                               hl_sealed_field field, int64_t id, char *out, size_t size,
                               hl_error *error);
/* Seals, inside the caller's transaction, every name and address kept in
 * clear. */
int hl_sqlite_seal_stored_texts(struct hl_sqlite_store *store, hl_error *error);

/* sqlite_phones.c */
int hl_sqlite_flush_pending_phones(struct hl_sqlite_store *store, hl_error *error);
/* Makes the waiting entries readable as the table hl_pending_phones on the
 * store's connection (before its statements are prepared). */
int hl_sqlite_register_pending_phones(struct hl_sqlite_store *store, hl_error *error);
void hl_sqlite_drop_pending_phones(struct hl_sqlite_store *store);
int hl_sqlite_index_phone(struct hl_sqlite_store *store, const hl_derive_phone_entry *entry,
                          hl_error *error);
int hl_sqlite_seal_order_phone(struct hl_sqlite_store *store, const hl_order *order,
                               hl_sqlite_sealed_phone *out, hl_error *error);
int hl_sqlite_read_phone(hl_sqlite_reader *row, const hl_phone_codec *codec, int64_t id, char *out,
                         size_t size, hl_error *error);

/* sqlite_plans.c */
void hl_sqlite_query_init(hl_sqlite_query *query);
/* The FROM clause of the filter's pending orders (hl_sqlite_plan), or NULL
 * when the filter asks for none or none has its own index. */
const char *hl_sqlite_pending_from(const hl_order_filter *filter);
void hl_sqlite_query_free(hl_sqlite_query *query);
void hl_sqlite_query_condition(hl_sqlite_query *query, const char *condition);
void hl_sqlite_query_text(hl_sqlite_query *query, const char *text);
void hl_sqlite_query_number(hl_sqlite_query *query, int64_t number);
int hl_sqlite_query_hash_phone(struct hl_sqlite_store *store, hl_sqlite_query *query,
                               const hl_order_filter *filter, hl_error *error);
bool hl_sqlite_filter_set(const char *text);
void hl_sqlite_query_where(hl_sqlite_query *query, const hl_order_filter *filter,
                           const hl_sqlite_plan *plan);
const char *hl_sqlite_query_from(const hl_sqlite_plan *plan, bool join);
hl_sqlite_plan hl_sqlite_plan_page(const hl_order_filter *filter, hl_sqlite_part part);
const char *hl_sqlite_page_order(const hl_sqlite_plan *plan, bool descending);
int hl_sqlite_explain_statement(struct hl_sqlite_store *store, const char *label, const hl_buf *sql,
                                const hl_sqlite_query *query, hl_error *error);

#endif
