/* pg_copy.c: the verbatim reads and writes that move a store whole
 * (app/copy.c), in PostgreSQL: orders with their sealed phones (never
 * opened: the copy holds no key) beside their search hashes, the phone
 * index, sessions, Open311 records and answers across orders, the audit
 * oldest first, and API keys and audited reads written with their own ids
 * (each moving its identity sequence past the id, so that the next key or
 * read the store numbers itself comes after). It decides nothing about
 * what is copied; the writes of everything else are the usual ops'. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"

/* Each order with the search hash of its phone from the index (keyed by
 * hash first: PostgreSQL joins it by hash or merge, one pass each). */
static const char order_scan_sql[] =
    "SELECT " HL_PG_ORDER_COLUMNS ", p.p_hash FROM orders LEFT JOIN "
    "(SELECT phone_hash AS p_hash, received_at AS p_received, order_id AS p_order "
    "FROM phone_index) AS p ON p.p_order = orders.id AND p.p_received = orders.received_at "
    "ORDER BY orders.id";

typedef struct sealed_scan {
    hl_sealed_order_visitor visit;
    void *context;
    hl_order order;
    hl_sealed_phone phone;
    bool too_long; /* a sealed phone longer than HL_PHONE_SEALED_MAX_BYTES */
} sealed_scan;

/* A codec whose open keeps the sealed bytes instead of opening them, so
 * that hl_pg_read_order reads every other column as order_get does. */
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

static int visit_sealed_row(PGresult *result, int row, void *context, hl_error *error)
{
    sealed_scan *scan = context;
    hl_phone_codec capture = {scan, NULL, capture_sealed, NULL, NULL, capture_text};
    scan->phone.length = 0;
    scan->phone.name.length = 0;
    scan->phone.address.length = 0;
    memset(scan->phone.hash, 0, sizeof scan->phone.hash);
    int status = hl_pg_read_order(result, row, &capture, &scan->order, error);
    if (status != HL_OK)
        return status;
    if (scan->phone.length > 0) {
        int hash_column = PQnfields(result) - 1;
        size_t length = 0;
        hl_error ignored;
        if (scan->too_long || hl_pg_is_null(result, row, hash_column) ||
            hl_pg_bytes(result, row, hash_column, scan->phone.hash, sizeof scan->phone.hash,
                        &length, &ignored) != HL_OK ||
            length != HL_PHONE_HASH_BYTES) {
            char number[24];
            hl_order_format_number(scan->order.id, number, sizeof number);
            return hl_error_set(error, HL_EIO, NULL,
                                HL_T("工单 %s 的加密电话或其检索散列不完整",
                                     "the sealed phone of order %s or its search hash is damaged"),
                                number);
        }
    }
    return scan->visit(scan->context, &scan->order, &scan->phone);
}

/* Names and addresses schema 8 kept in clear are bytea of their clear
 * bytes until the first open with the key seals them: a copy, which holds
 * no key and moves bytes as they are, must not take them for sealed. */
static const char texts_unsealed_sql[] = "SELECT 1 FROM meta WHERE key = 'texts_unsealed'";

static int pg_order_scan_sealed(hl_store *base, hl_sealed_order_visitor visit, void *context,
                                hl_error *error)
{
    PGresult *mark = NULL;
    int result = hl_pg_exec(hl_pg_store_of(base), texts_unsealed_sql, NULL, "order_scan_sealed",
                            &mark, error);
    bool unsealed = result == HL_OK && PQntuples(mark) > 0;
    PQclear(mark);
    if (result != HL_OK)
        return result;
    if (unsealed)
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            HL_T("诉求人姓名和地址尚未加密：先用密钥打开一次数据库（任一命令）",
                                 "citizens' names and addresses are still in clear: open the "
                                 "store once with its key (any command) to seal them first"));
    sealed_scan *scan = hl_xcalloc(1, sizeof *scan); /* an order is several KiB */
    scan->visit = visit;
    scan->context = context;
    result = hl_pg_visit(hl_pg_store_of(base), order_scan_sql, false, NULL, "order_scan_sealed",
                         visit_sealed_row, scan, error);
    free(scan);
    return result;
}

typedef struct phone_index_visit {
    hl_phone_index_visitor visit;
    void *context;
} phone_index_visit;

static int visit_phone_index_row(PGresult *result, int row, void *context, hl_error *error)
{
    phone_index_visit *visitor = context;
    unsigned char hash[HL_PHONE_HASH_BYTES];
    size_t length = 0;
    int status = hl_pg_bytes(result, row, 0, hash, sizeof hash, &length, error);
    if (status == HL_OK && length != HL_PHONE_HASH_BYTES)
        status = hl_pg_corrupt_value(result, row, 0, error);
    if (status != HL_OK)
        return status;
    return visitor->visit(visitor->context, hash, hl_pg_int64(result, row, 1),
                          hl_pg_int64(result, row, 2));
}

static int pg_phone_index_scan(hl_store *base, hl_phone_index_visitor visit, void *context,
                               hl_error *error)
{
    phone_index_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base),
                       "SELECT phone_hash, received_at, order_id FROM phone_index "
                       "ORDER BY phone_hash, received_at, order_id",
                       false, NULL, "phone_index_scan", visit_phone_index_row, &visitor, error);
}

typedef struct session_visit {
    hl_session_visitor visit;
    void *context;
} session_visit;

static int visit_session_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    session_visit *visitor = context;
    hl_session session;
    memset(&session, 0, sizeof session);
    HL_PG_TEXT(result, row, 0, session.token_hash);
    HL_PG_TEXT(result, row, 1, session.username);
    session.created_at = hl_pg_int64(result, row, 2);
    session.expires_at = hl_pg_int64(result, row, 3);
    session.revoked = hl_pg_bool(result, row, 4);
    return visitor->visit(visitor->context, &session);
}

static int pg_session_each(hl_store *base, hl_session_visitor visit, void *context, hl_error *error)
{
    session_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base),
                       "SELECT token_hash, username, created_at, expires_at, revoked "
                       "FROM sessions ORDER BY token_hash",
                       false, NULL, "session_each", visit_session_row, &visitor, error);
}

/* The identity sequence moves to the id written (never back): the CTE runs
 * once with the insert, in one round trip. */
static const char apikey_put_sql[] =
    "WITH bump AS (SELECT setval(pg_get_serial_sequence('api_keys', 'id'), "
    "greatest($1::bigint, (SELECT last_value FROM api_keys_id_seq)))) "
    "INSERT INTO api_keys(id, key_hash, key_prefix, name, created_by, created_at, "
    "rate_per_minute, revoked, revoked_at) "
    "SELECT $1::bigint, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::integer, "
    "$8::integer, $9::bigint FROM bump";

static int pg_apikey_put(hl_store *base, const hl_apikey *key, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, key->id);
    HL_PG_PARAM_FIELD(&params, key->key_hash);
    HL_PG_PARAM_FIELD(&params, key->key_prefix);
    HL_PG_PARAM_FIELD(&params, key->name);
    HL_PG_PARAM_FIELD(&params, key->created_by);
    hl_pg_param_int64(&params, key->created_at);
    hl_pg_param_int64(&params, key->rate_per_minute);
    hl_pg_param_bool(&params, key->revoked);
    hl_pg_param_int64(&params, key->revoked_at);
    int result =
        hl_pg_write(hl_pg_store_of(base), apikey_put_sql, &params, "apikey_put", NULL, error);
    hl_pg_params_free(&params);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL,
                            HL_T("API 密钥 %" PRId64 " 已存在", "API key %" PRId64 " exists"),
                            key->id);
    return result;
}

typedef struct open311_visit {
    hl_open311_visitor visit;
    void *context;
} open311_visit;

static int visit_open311_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    open311_visit *visitor = context;
    hl_open311_record record;
    memset(&record, 0, sizeof record);
    record.order_id = hl_pg_int64(result, row, 0);
    record.api_key_id = hl_pg_int64(result, row, 1);
    HL_PG_TEXT(result, row, 2, record.email);
    HL_PG_TEXT(result, row, 3, record.device_id);
    HL_PG_TEXT(result, row, 4, record.account_id);
    HL_PG_TEXT(result, row, 5, record.address_id);
    HL_PG_TEXT(result, row, 6, record.media_url);
    return visitor->visit(visitor->context, &record);
}

static int pg_open311_each(hl_store *base, hl_open311_visitor visit, void *context, hl_error *error)
{
    open311_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base),
                       "SELECT order_id, api_key_id, email, device_id, account_id, address_id, "
                       "media_url FROM open311_requests ORDER BY order_id",
                       false, NULL, "open311_each", visit_open311_row, &visitor, error);
}

typedef struct answer_scan_visit {
    hl_order_answer_visitor visit;
    void *context;
} answer_scan_visit;

static int visit_answer_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    answer_scan_visit *visitor = context;
    return visitor->visit(visitor->context, hl_pg_int64(result, row, 0), PQgetvalue(result, row, 1),
                          hl_pg_int(result, row, 2), PQgetvalue(result, row, 3));
}

static int pg_answer_scan(hl_store *base, hl_order_answer_visitor visit, void *context,
                          hl_error *error)
{
    answer_scan_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base),
                       "SELECT order_id, code, seq, value FROM order_attributes "
                       "ORDER BY order_id, code, seq",
                       false, NULL, "answer_scan", visit_answer_row, &visitor, error);
}

typedef struct audit_visit {
    hl_audit_visitor visit;
    void *context;
} audit_visit;

static int visit_audit_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    audit_visit *visitor = context;
    hl_audit_read read;
    memset(&read, 0, sizeof read);
    read.id = hl_pg_int64(result, row, 0);
    read.at = hl_pg_int64(result, row, 1);
    HL_PG_TEXT(result, row, 2, read.actor);
    read.order_id = hl_pg_int64(result, row, 3);
    HL_PG_TEXT(result, row, 4, read.route);
    return visitor->visit(visitor->context, &read);
}

static int pg_audit_each(hl_store *base, hl_audit_visitor visit, void *context, hl_error *error)
{
    audit_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base),
                       "SELECT id, at, actor, order_id, route FROM personal_data_reads ORDER BY id",
                       false, NULL, "audit_each", visit_audit_row, &visitor, error);
}

static const char audit_put_sql[] =
    "WITH bump AS (SELECT setval(pg_get_serial_sequence('personal_data_reads', 'id'), "
    "greatest($1::bigint, (SELECT last_value FROM personal_data_reads_id_seq)))) "
    "INSERT INTO personal_data_reads(id, at, actor, order_id, route, chain_seq, prev_hash, hash) "
    "SELECT $1::bigint, $2::bigint, $3::text, $4::bigint, $5::text, $6::bigint, $7::text, "
    "$8::text FROM bump";

static int pg_audit_put(hl_store *base, const hl_audit_read *read, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, read->id);
    hl_pg_param_int64(&params, read->at);
    HL_PG_PARAM_FIELD(&params, read->actor);
    hl_pg_param_int64(&params, read->order_id);
    HL_PG_PARAM_FIELD(&params, read->route);
    /* The copy keeps the read's id and gives it the next link of the
     * target's chain (a copy into an empty store rebuilds the chain). */
    struct hl_pg_store *store = hl_pg_store_of(base);
    hl_chain_link link;
    int result = hl_pg_chain_next(store, HL_CHAIN_READS, &link, error);
    if (result != HL_OK) {
        hl_pg_params_free(&params);
        return result;
    }
    hl_chain_link_read(read, &link);
    hl_pg_param_int64(&params, link.seq);
    hl_pg_param_text(&params, link.prev);
    hl_pg_param_text(&params, link.hash);
    result = hl_pg_write(store, audit_put_sql, &params, "audit_put", NULL, error);
    hl_pg_params_free(&params);
    if (result == HL_OK)
        hl_pg_chain_taken(store, HL_CHAIN_READS, &link);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL,
                            HL_T("审计记录 %" PRId64 " 已存在", "audit record %" PRId64 " exists"),
                            read->id);
    return result;
}

void hl_pg_copy_ops(hl_store_ops *ops)
{
    ops->order_scan_sealed = pg_order_scan_sealed;
    ops->phone_index_scan = pg_phone_index_scan;
    ops->session_each = pg_session_each;
    ops->apikey_put = pg_apikey_put;
    ops->open311_each = pg_open311_each;
    ops->answer_scan = pg_answer_scan;
    ops->audit_each = pg_audit_each;
    ops->audit_put = pg_audit_put;
}
