/* sqlite_access.c: who may come in and what they left, in SQLite:
 * password hashes (with when each was set, and the history of the
 * previous ones) and sessions, API keys, what Open311 requests brought
 * and their answers to the attributes, and the append-only audit of
 * full phone-number reads. It checks no password and makes no token
 * (app/auth.c, app/apikey.c). */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

typedef struct password_row {
    hl_buf hash;
    hl_time changed_at;
} password_row;

static int copy_password_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    password_row *out = context;
    const unsigned char *text = sqlite3_column_text(statement, 0);
    hl_buf_append(&out->hash, text != NULL ? (const char *)text : "",
                  (size_t)sqlite3_column_bytes(statement, 0));
    out->changed_at = sqlite3_column_int64(statement, 1);
    return HL_OK;
}

static int sqlite_password_get(hl_store *base, const char *username, char *hash, size_t size,
                               hl_time *changed_at, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_PASSWORD_GET]);
    hl_sqlite_bind_string(&binding, username);
    password_row row = {.changed_at = 0};
    hl_buf_init(&row.hash);
    int result = hl_sqlite_get(store, &binding, "password_get", copy_password_row, &row, error);
    if (result == HL_OK && row.hash.len >= size)
        result = hl_error_set(error, HL_EIO, NULL, "%s",
                              HL_T("存储的密码散列过长", "stored password hash too long"));
    if (result == HL_OK) {
        if (row.hash.len > 0)
            memcpy(hash, row.hash.data, row.hash.len);
        hash[row.hash.len] = '\0';
        if (changed_at != NULL)
            *changed_at = row.changed_at;
    }
    hl_buf_free(&row.hash);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_not_found("用户", "user", username, error);
    return result;
}

static int sqlite_password_set(hl_store *base, const char *username, const char *hash,
                               hl_time changed_at, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder retire = hl_sqlite_binder_of(store->statements[STMT_PASSWORD_RETIRE]);
    hl_sqlite_bind_string(&retire, username);
    int result = hl_sqlite_write(store, &retire, "password_set", error);
    if (result != HL_OK)
        return result;
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_PASSWORD_SET]);
    hl_sqlite_bind_string(&binding, hash);
    hl_sqlite_bind_int64(&binding, changed_at);
    hl_sqlite_bind_string(&binding, username);
    result = hl_sqlite_write(store, &binding, "password_set", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return hl_sqlite_not_found("用户", "user", username, error);
    if (result != HL_OK)
        return result;
    hl_sqlite_binder trim = hl_sqlite_binder_of(store->statements[STMT_PASSWORD_TRIM]);
    hl_sqlite_bind_string(&trim, username);
    hl_sqlite_bind_int64(&trim, HL_STORE_PASSWORD_HISTORY);
    return hl_sqlite_write(store, &trim, "password_set", error);
}

typedef struct password_history_visit {
    hl_password_visitor visit;
    void *context;
} password_history_visit;

static int visit_password_history_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    password_history_visit *visitor = context;
    const unsigned char *text = sqlite3_column_text(statement, 0);
    return visitor->visit(visitor->context, text != NULL ? (const char *)text : "",
                          sqlite3_column_int64(statement, 1));
}

static int sqlite_password_history(hl_store *base, const char *username, hl_password_visitor visit,
                                   void *context, hl_error *error)
{
    hl_sqlite_parameter parameter = {.text = username};
    password_history_visit visitor = {visit, context};
    return hl_sqlite_visit(hl_sqlite_store_of(base), STMT_PASSWORD_HISTORY, &parameter, 1,
                           "password_history", visit_password_history_row, &visitor, error);
}

static int sqlite_session_put(hl_store *base, const hl_session *session, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_SESSION_PUT]);
    BIND_FIELD(&binding, session->token_hash);
    BIND_FIELD(&binding, session->username);
    hl_sqlite_bind_int64(&binding, session->created_at);
    hl_sqlite_bind_int64(&binding, session->expires_at);
    hl_sqlite_bind_int64(&binding, session->revoked ? 1 : 0);
    int result = hl_sqlite_insert(store, &binding, "session_put", error);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s",
                            HL_T("会话已存在", "the session exists"));
    return result;
}

static int copy_session_row(sqlite3_stmt *statement, void *context, hl_error *error)
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

static int sqlite_session_get(hl_store *base, const char *token_hash, hl_session *out,
                              hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_SESSION_GET]);
    hl_sqlite_bind_string(&binding, token_hash);
    int result = hl_sqlite_get(store, &binding, "session_get", copy_session_row, out, error);
    if (result == HL_ENOTFOUND) /* never repeat the key: it is a secret's hash */
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s",
                            HL_T("没有这个会话", "no such session"));
    return result;
}

static int sqlite_session_revoke(hl_store *base, const char *token_hash, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_SESSION_REVOKE]);
    hl_sqlite_bind_string(&binding, token_hash);
    int result = hl_sqlite_write(store, &binding, "session_revoke", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s",
                            HL_T("没有这个会话", "no such session"));
    return result;
}

static int sqlite_session_revoke_user(hl_store *base, const char *username, const char *except_hash,
                                      hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_SESSION_REVOKE_USER]);
    hl_sqlite_bind_string(&binding, username);
    hl_sqlite_bind_string(&binding, except_hash != NULL ? except_hash : "");
    return hl_sqlite_write(store, &binding, "session_revoke_user", error);
}

static int sqlite_session_purge(hl_store *base, hl_time now, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_SESSION_PURGE]);
    hl_sqlite_bind_int64(&binding, now);
    return hl_sqlite_write(store, &binding, "session_purge", error);
}

static int sqlite_audit_append(hl_store *base, const hl_audit_read *read, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_AUDIT_APPEND]);
    hl_sqlite_bind_int64(&binding, read->at);
    BIND_FIELD(&binding, read->actor);
    hl_sqlite_bind_int64(&binding, read->order_id);
    BIND_FIELD(&binding, read->route);
    hl_chain_link link;
    int result = hl_sqlite_chain_next(store, HL_CHAIN_READS, &link, error);
    if (result != HL_OK)
        return result;
    hl_chain_link_read(read, &link);
    hl_sqlite_bind_int64(&binding, link.seq);
    hl_sqlite_bind_string(&binding, link.prev);
    hl_sqlite_bind_string(&binding, link.hash);
    result = hl_sqlite_write(store, &binding, "audit_append", error);
    if (result == HL_OK)
        hl_sqlite_chain_taken(store, HL_CHAIN_READS, &link);
    return result;
}

/* Appends the WHERE clause of an audit filter to query->where. */
static void audit_where(hl_sqlite_query *query, const hl_audit_filter *filter)
{
    if (filter == NULL)
        return;
    if (filter->order_id != 0) {
        hl_sqlite_query_condition(query, "order_id = ?");
        hl_sqlite_query_number(query, filter->order_id);
    }
    if (hl_sqlite_filter_set(filter->actor)) {
        hl_sqlite_query_condition(query, "actor = ?");
        hl_sqlite_query_text(query, filter->actor);
    }
    if (filter->since != 0) {
        hl_sqlite_query_condition(query, "at >= ?");
        hl_sqlite_query_number(query, filter->since);
    }
}

static int read_audit(sqlite3_stmt *statement, void *context, hl_error *error)
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

HL_SQLITE_ROW_VISITOR(audit, hl_audit_read, read_audit)

static int sqlite_audit_query(hl_store *base, const hl_audit_filter *filter, hl_audit_visitor visit,
                              void *context, hl_error *error)
{
    hl_sqlite_query query;
    hl_sqlite_query_init(&query);
    audit_where(&query, filter);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT id, at, actor, order_id, route FROM personal_data_reads");
    if (query.where.len > 0)
        hl_buf_append_str(&sql, query.where.data);
    /* The rowid follows the order of writing: newest first without a sort. */
    hl_buf_append_str(&sql, " ORDER BY id DESC");
    if (filter != NULL && (filter->limit > 0 || filter->offset > 0)) {
        hl_buf_append_str(&sql, " LIMIT ? OFFSET ?");
        hl_sqlite_query_number(&query, filter->limit > 0 ? filter->limit : -1);
        hl_sqlite_query_number(&query, filter->offset > 0 ? filter->offset : 0);
    }
    hl_audit_read record;
    audit_visit visitor = {visit, context, &record};
    int result = hl_sqlite_visit_sql(hl_sqlite_store_of(base), sql.data, query.parameters,
                                     query.count, "audit_query", visit_audit_row, &visitor, error);
    hl_buf_free(&sql);
    hl_sqlite_query_free(&query);
    return result;
}

static int sqlite_audit_count(hl_store *base, const hl_audit_filter *filter, int64_t *out,
                              hl_error *error)
{
    hl_sqlite_query query;
    hl_sqlite_query_init(&query);
    audit_where(&query, filter);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT count(*) FROM personal_data_reads");
    if (query.where.len > 0)
        hl_buf_append_str(&sql, query.where.data);
    int result = hl_sqlite_select_number(hl_sqlite_store_of(base), sql.data, query.parameters,
                                         query.count, "audit_count", out, error);
    hl_buf_free(&sql);
    hl_sqlite_query_free(&query);
    return result;
}

static int read_apikey(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_apikey *key = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    key->id = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, key->key_hash);
    READ_FIELD(&row, key->key_prefix);
    READ_FIELD(&row, key->name);
    READ_FIELD(&row, key->created_by);
    key->created_at = hl_sqlite_read_int64(&row);
    key->rate_per_minute = hl_sqlite_read_int(&row);
    key->revoked = hl_sqlite_read_int64(&row) != 0;
    key->revoked_at = hl_sqlite_read_int64(&row);
    return HL_OK;
}

static int apikey_not_found(int64_t id, hl_error *error)
{
    return hl_error_set(error, HL_ENOTFOUND, "id",
                        HL_T("API 密钥 %" PRId64 " 不存在", "no API key %" PRId64), id);
}

static int sqlite_apikey_insert(hl_store *base, hl_apikey *key, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_APIKEY_INSERT]);
    BIND_FIELD(&binding, key->key_hash);
    BIND_FIELD(&binding, key->key_prefix);
    BIND_FIELD(&binding, key->name);
    BIND_FIELD(&binding, key->created_by);
    hl_sqlite_bind_int64(&binding, key->created_at);
    hl_sqlite_bind_int64(&binding, key->rate_per_minute);
    hl_sqlite_bind_int64(&binding, key->revoked ? 1 : 0);
    hl_sqlite_bind_int64(&binding, key->revoked_at);
    int result = hl_sqlite_insert(store, &binding, "apikey_insert", error);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s", HL_T("密钥已存在", "the key exists"));
    if (result == HL_OK)
        key->id = sqlite3_last_insert_rowid(store->db);
    return result;
}

static int sqlite_apikey_get(hl_store *base, int64_t id, hl_apikey *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_APIKEY_GET]);
    hl_sqlite_bind_int64(&binding, id);
    int result = hl_sqlite_get(store, &binding, "apikey_get", read_apikey, out, error);
    return result == HL_ENOTFOUND ? apikey_not_found(id, error) : result;
}

static int sqlite_apikey_find(hl_store *base, const char *key_hash, hl_apikey *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_APIKEY_FIND]);
    hl_sqlite_bind_string(&binding, key_hash);
    int result = hl_sqlite_get(store, &binding, "apikey_find", read_apikey, out, error);
    if (result == HL_ENOTFOUND) /* never repeat the key: it is a secret's hash */
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s",
                            HL_T("没有这个 API 密钥", "no such API key"));
    return result;
}

HL_SQLITE_ROW_VISITOR(apikey, hl_apikey, read_apikey)

static int sqlite_apikey_each(hl_store *base, hl_apikey_visitor visit, void *context,
                              hl_error *error)
{
    hl_apikey record;
    apikey_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_APIKEY_EACH, "apikey_each",
                               visit_apikey_row, &visitor, error);
}

static int sqlite_apikey_revoke(hl_store *base, int64_t id, hl_time at, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_APIKEY_REVOKE]);
    hl_sqlite_bind_int64(&binding, at);
    hl_sqlite_bind_int64(&binding, id);
    int result = hl_sqlite_write(store, &binding, "apikey_revoke", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return apikey_not_found(id, error);
    return result;
}

static int sqlite_open311_put(hl_store *base, const hl_open311_record *record, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_OPEN311_PUT]);
    hl_sqlite_bind_int64(&binding, record->order_id);
    hl_sqlite_bind_int64(&binding, record->api_key_id);
    BIND_FIELD(&binding, record->email);
    BIND_FIELD(&binding, record->device_id);
    BIND_FIELD(&binding, record->account_id);
    BIND_FIELD(&binding, record->address_id);
    BIND_FIELD(&binding, record->media_url);
    int result = hl_sqlite_insert(store, &binding, "open311_put", error);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s",
                            HL_T("该工单已有 Open311 记录", "the order has an Open311 record"));
    return result;
}

static int read_open311(sqlite3_stmt *statement, void *context, hl_error *error)
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

static int sqlite_open311_get(hl_store *base, int64_t order_id, hl_open311_record *out,
                              hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_OPEN311_GET]);
    hl_sqlite_bind_int64(&binding, order_id);
    int result = hl_sqlite_get(store, &binding, "open311_get", read_open311, out, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_order_error(HL_ENOTFOUND, "没有 Open311 记录", "has no Open311 record",
                                     order_id, error);
    return result;
}

static int sqlite_answer_put(hl_store *base, int64_t order_id, const char *code, int seq,
                             const char *value, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_ANSWER_PUT]);
    hl_sqlite_bind_int64(&binding, order_id);
    hl_sqlite_bind_string(&binding, code);
    hl_sqlite_bind_int64(&binding, seq);
    hl_sqlite_bind_string(&binding, value);
    int result = hl_sqlite_insert(store, &binding, "answer_put", error);
    if (result == HL_ECONFLICT)
        return hl_error_set(error, HL_ECONFLICT, code, "%s",
                            HL_T("重复的属性值", "a repeated answer"));
    return result;
}

typedef struct answer_visit {
    hl_answer_visitor visit;
    void *context;
} answer_visit;

static int visit_answer_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    answer_visit *visitor = context;
    const unsigned char *code = sqlite3_column_text(statement, 0);
    int seq = (int)sqlite3_column_int64(statement, 1);
    const unsigned char *value = sqlite3_column_text(statement, 2);
    return visitor->visit(visitor->context, code != NULL ? (const char *)code : "", seq,
                          value != NULL ? (const char *)value : "");
}

static int sqlite_answer_each(hl_store *base, int64_t order_id, hl_answer_visitor visit,
                              void *context, hl_error *error)
{
    hl_sqlite_parameter key = {.number = order_id};
    answer_visit visitor = {visit, context};
    return hl_sqlite_visit(hl_sqlite_store_of(base), STMT_ANSWER_EACH, &key, 1, "answer_each",
                           visit_answer_row, &visitor, error);
}

static int sqlite_session_touch(hl_store *base, const char *token_hash, hl_time expires_at,
                                hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_SESSION_TOUCH]);
    hl_sqlite_bind_int64(&binding, expires_at);
    hl_sqlite_bind_string(&binding, token_hash);
    int result = hl_sqlite_write(store, &binding, "session_touch", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s",
                            HL_T("没有这个会话", "no such session"));
    return result;
}

void hl_sqlite_access_ops(hl_store_ops *ops)
{
    ops->password_get = sqlite_password_get;
    ops->password_set = sqlite_password_set;
    ops->password_history = sqlite_password_history;
    ops->session_put = sqlite_session_put;
    ops->session_get = sqlite_session_get;
    ops->session_revoke = sqlite_session_revoke;
    ops->session_revoke_user = sqlite_session_revoke_user;
    ops->session_purge = sqlite_session_purge;
    ops->session_touch = sqlite_session_touch;
    ops->audit_append = sqlite_audit_append;
    ops->audit_query = sqlite_audit_query;
    ops->audit_count = sqlite_audit_count;
    ops->apikey_insert = sqlite_apikey_insert;
    ops->apikey_get = sqlite_apikey_get;
    ops->apikey_find = sqlite_apikey_find;
    ops->apikey_each = sqlite_apikey_each;
    ops->apikey_revoke = sqlite_apikey_revoke;
    ops->open311_put = sqlite_open311_put;
    ops->open311_get = sqlite_open311_get;
    ops->answer_put = sqlite_answer_put;
    ops->answer_each = sqlite_answer_each;
}
