/* sqlite_copy.c: the verbatim reads and writes that move a store whole
 * (app/copy.c): orders with their sealed phones (never opened: the copy
 * holds no key), the phone index, sessions, Open311 records and answers
 * across orders, the audit oldest first, and API keys and audited reads
 * written with their own ids. It decides nothing about what is copied or
 * in which order; the writes of everything else are the usual ops'. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"

/* The orders in number order, and beside them the phone index sorted by
 * order: the two are merged here as they are read (a join would look up
 * phone_index, keyed by hash first, with a scan per order). */
static const char order_scan_sql[] = "SELECT " ORDER_COLUMNS " FROM orders ORDER BY id";
static const char phone_by_order_sql[] =
    "SELECT order_id, received_at, phone_hash FROM phone_index ORDER BY order_id, received_at";

typedef struct sealed_scan {
    hl_sealed_order_visitor visit;
    void *context;
    hl_order order;
    hl_sealed_phone phone;
    bool too_long; /* a sealed phone longer than HL_PHONE_SEALED_MAX_BYTES */
    struct hl_sqlite_store *store;
    sqlite3_stmt *index; /* phone_by_order_sql, one row ahead of the orders */
    bool index_row;      /* index is on a row (false: done) */
} sealed_scan;

/* A codec whose open keeps the sealed bytes instead of opening them, so
 * that hl_sqlite_read_order reads every other column as order_get does. */
static int capture_sealed(void *context, const unsigned char *sealed, size_t length, char *phone,
                          size_t size, hl_error *error)
{
    (void)error;
    sealed_scan *scan = context;
    if (size > 0)
        phone[0] = '\0';
    if (length > sizeof scan->phone.bytes) {
        scan->too_long = true;
        length = 0;
    }
    if (length > 0)
        memcpy(scan->phone.bytes, sealed, length);
    scan->phone.length = length;
    return HL_OK;
}

/* The same for a name or an address: their sealed bytes are kept beside
 * the phone's, to be written as they are. */
static int capture_text(void *context, hl_sealed_field field, const unsigned char *sealed,
                        size_t length, char *text, size_t size, hl_error *error)
{
    (void)error;
    sealed_scan *scan = context;
    hl_sealed_text *out = field == HL_SEALED_ADDRESS ? &scan->phone.address : &scan->phone.name;
    if (size > 0)
        text[0] = '\0';
    if (length > sizeof out->bytes) {
        scan->too_long = true;
        length = 0;
    }
    if (length > 0)
        memcpy(out->bytes, sealed, length);
    out->length = length;
    return HL_OK;
}

static int visit_sealed_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    sealed_scan *scan = context;
    hl_phone_codec capture = {scan, NULL, capture_sealed, NULL, NULL, capture_text};
    scan->phone.length = 0;
    scan->phone.name.length = 0;
    scan->phone.address.length = 0;
    memset(scan->phone.hash, 0, sizeof scan->phone.hash);
    int result = hl_sqlite_read_order(statement, &capture, &scan->order, error);
    if (result != HL_OK)
        return result;
    char number[24];
    hl_order_format_number(scan->order.id, number, sizeof number);
    if (scan->order.citizen_name[0] != '\0' || scan->order.address[0] != '\0')
        return hl_error_set(
            error, HL_EIO, NULL,
            HL_T("工单 %s 的诉求人姓名或地址尚未加密：先用密钥打开一次数据库（任一命令）",
                 "the citizen's name or address of order %s is still in clear: open the store "
                 "once with its key (any command) to seal it first"),
            number);
    if (scan->order.citizen_phone[0] != '\0')
        return hl_error_set(error, HL_EIO, NULL,
                            HL_T("工单 %s 的联系电话尚未加密：先用密钥打开一次数据库（任一命令）",
                                 "the phone of order %s is still in clear: open the store once "
                                 "with its key (any command) to seal it first"),
                            number);
    /* The index's rows of orders before this one belong to none (and a
     * verify would name them): pass them by. */
    while (scan->index_row && sqlite3_column_int64(scan->index, 0) < scan->order.id) {
        int rc = sqlite3_step(scan->index);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return hl_sqlite_storage_error(scan->store, "order_scan_sealed", error);
        scan->index_row = rc == SQLITE_ROW;
    }
    bool indexed = scan->index_row && sqlite3_column_int64(scan->index, 0) == scan->order.id &&
                   sqlite3_column_int64(scan->index, 1) == scan->order.received_at;
    if (scan->phone.length > 0) {
        const void *hash = indexed ? sqlite3_column_blob(scan->index, 2) : NULL;
        if (scan->too_long || hash == NULL ||
            sqlite3_column_bytes(scan->index, 2) != HL_PHONE_HASH_BYTES)
            return hl_error_set(error, HL_EIO, NULL,
                                HL_T("工单 %s 的加密电话或其检索散列不完整",
                                     "the sealed phone of order %s or its search hash is damaged"),
                                number);
        memcpy(scan->phone.hash, hash, HL_PHONE_HASH_BYTES);
    }
    return scan->visit(scan->context, &scan->order, &scan->phone);
}

static int sqlite_order_scan_sealed(hl_store *base, hl_sealed_order_visitor visit, void *context,
                                    hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    sealed_scan *scan = hl_xcalloc(1, sizeof *scan); /* an order is several KiB */
    scan->visit = visit;
    scan->context = context;
    scan->store = store;
    int result = hl_sqlite_prepare(store, phone_by_order_sql, NULL, 0, "order_scan_sealed",
                                   &scan->index, error);
    if (result == HL_OK) {
        int rc = sqlite3_step(scan->index);
        scan->index_row = rc == SQLITE_ROW;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = hl_sqlite_storage_error(store, "order_scan_sealed", error);
    }
    if (result == HL_OK)
        result = hl_sqlite_visit_sql(store, order_scan_sql, NULL, 0, "order_scan_sealed",
                                     visit_sealed_row, scan, error);
    sqlite3_finalize(scan->index);
    free(scan);
    return result;
}

typedef struct phone_index_visit {
    hl_phone_index_visitor visit;
    void *context;
} phone_index_visit;

static int visit_phone_index_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    phone_index_visit *visitor = context;
    unsigned char hash[HL_PHONE_HASH_BYTES] = {0};
    const void *bytes = sqlite3_column_blob(statement, 0);
    if (bytes == NULL || sqlite3_column_bytes(statement, 0) != HL_PHONE_HASH_BYTES)
        return hl_sqlite_corrupt_value(statement, 0, error);
    memcpy(hash, bytes, sizeof hash);
    return visitor->visit(visitor->context, hash, sqlite3_column_int64(statement, 1),
                          sqlite3_column_int64(statement, 2));
}

static int sqlite_phone_index_scan(hl_store *base, hl_phone_index_visitor visit, void *context,
                                   hl_error *error)
{
    phone_index_visit visitor = {visit, context};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT phone_hash, received_at, order_id FROM phone_index "
                               "ORDER BY phone_hash, received_at, order_id",
                               NULL, 0, "phone_index_scan", visit_phone_index_row, &visitor, error);
}

static int read_session(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_session *session = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    READ_FIELD(&row, session->token_hash);
    READ_FIELD(&row, session->username);
    session->created_at = hl_sqlite_read_int64(&row);
    session->expires_at = hl_sqlite_read_int64(&row);
    session->revoked = hl_sqlite_read_int64(&row) != 0;
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(session, hl_session, read_session)

static int sqlite_session_each(hl_store *base, hl_session_visitor visit, void *context,
                               hl_error *error)
{
    hl_session record;
    session_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT token_hash, username, created_at, expires_at, revoked "
                               "FROM sessions ORDER BY token_hash",
                               NULL, 0, "session_each", visit_session_row, &visitor, error);
}

static int sqlite_apikey_put(hl_store *base, const hl_apikey *key, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_APIKEY_PUT]);
    hl_sqlite_bind_int64(&binding, key->id);
    BIND_FIELD(&binding, key->key_hash);
    BIND_FIELD(&binding, key->key_prefix);
    BIND_FIELD(&binding, key->name);
    BIND_FIELD(&binding, key->created_by);
    hl_sqlite_bind_int64(&binding, key->created_at);
    hl_sqlite_bind_int64(&binding, key->rate_per_minute);
    hl_sqlite_bind_int64(&binding, key->revoked ? 1 : 0);
    hl_sqlite_bind_int64(&binding, key->revoked_at);
    int result = hl_sqlite_insert(store, &binding, "apikey_put", error);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL,
                            HL_T("API 密钥 %" PRId64 " 已存在", "API key %" PRId64 " exists"),
                            key->id);
    return result;
}

static int read_open311_record(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_open311_record *record = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    record->order_id = hl_sqlite_read_int64(&row);
    record->api_key_id = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, record->email);
    READ_FIELD(&row, record->device_id);
    READ_FIELD(&row, record->account_id);
    READ_FIELD(&row, record->address_id);
    READ_FIELD(&row, record->media_url);
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(open311, hl_open311_record, read_open311_record)

static int sqlite_open311_each(hl_store *base, hl_open311_visitor visit, void *context,
                               hl_error *error)
{
    hl_open311_record record;
    open311_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT " OPEN311_COLUMNS " FROM open311_requests ORDER BY order_id",
                               NULL, 0, "open311_each", visit_open311_row, &visitor, error);
}

typedef struct answer_scan_visit {
    hl_order_answer_visitor visit;
    void *context;
} answer_scan_visit;

static int visit_answer_scan_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    answer_scan_visit *visitor = context;
    const unsigned char *code = sqlite3_column_text(statement, 1);
    const unsigned char *value = sqlite3_column_text(statement, 3);
    return visitor->visit(visitor->context, sqlite3_column_int64(statement, 0),
                          code != NULL ? (const char *)code : "",
                          (int)sqlite3_column_int64(statement, 2),
                          value != NULL ? (const char *)value : "");
}

static int sqlite_answer_scan(hl_store *base, hl_order_answer_visitor visit, void *context,
                              hl_error *error)
{
    answer_scan_visit visitor = {visit, context};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT order_id, code, seq, value FROM order_attributes "
                               "ORDER BY order_id, code, seq",
                               NULL, 0, "answer_scan", visit_answer_scan_row, &visitor, error);
}

static int read_audit_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_audit_read *read = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    read->id = hl_sqlite_read_int64(&row);
    read->at = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, read->actor);
    read->order_id = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, read->route);
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(audit_row, hl_audit_read, read_audit_row)

static int sqlite_audit_each(hl_store *base, hl_audit_visitor visit, void *context, hl_error *error)
{
    hl_audit_read record;
    audit_row_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT id, at, actor, order_id, route FROM personal_data_reads "
                               "ORDER BY id",
                               NULL, 0, "audit_each", visit_audit_row_row, &visitor, error);
}

static int sqlite_audit_put(hl_store *base, const hl_audit_read *read, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_AUDIT_PUT]);
    hl_sqlite_bind_int64(&binding, read->id);
    hl_sqlite_bind_int64(&binding, read->at);
    BIND_FIELD(&binding, read->actor);
    hl_sqlite_bind_int64(&binding, read->order_id);
    BIND_FIELD(&binding, read->route);
    /* The copy keeps the read's id and gives it the next link of the
     * target's chain (a copy into an empty store rebuilds the chain). */
    hl_chain_link link;
    int result = hl_sqlite_chain_next(store, HL_CHAIN_READS, &link, error);
    if (result != HL_OK)
        return result;
    hl_chain_link_read(read, &link);
    hl_sqlite_bind_int64(&binding, link.seq);
    hl_sqlite_bind_string(&binding, link.prev);
    hl_sqlite_bind_string(&binding, link.hash);
    result = hl_sqlite_insert(store, &binding, "audit_put", error);
    if (result == HL_OK)
        hl_sqlite_chain_taken(store, HL_CHAIN_READS, &link);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL,
                            HL_T("审计记录 %" PRId64 " 已存在", "audit record %" PRId64 " exists"),
                            read->id);
    return result;
}

void hl_sqlite_copy_ops(hl_store_ops *ops)
{
    ops->order_scan_sealed = sqlite_order_scan_sealed;
    ops->phone_index_scan = sqlite_phone_index_scan;
    ops->session_each = sqlite_session_each;
    ops->apikey_put = sqlite_apikey_put;
    ops->open311_each = sqlite_open311_each;
    ops->answer_scan = sqlite_answer_scan;
    ops->audit_each = sqlite_audit_each;
    ops->audit_put = sqlite_audit_put;
}
