/* pg_access.c: who may come in and what they left, in PostgreSQL: password
 * hashes (with when each was set, and the history of the previous ones)
 * and sessions, API keys, what Open311 requests brought and their
 * answers to the attributes, and the append-only audit of full phone-number
 * reads, with the same meaning as sqlite_access.c. It checks no password
 * and makes no token (app/auth.c, app/apikey.c).
 *
 * An insert of a key that exists answers HL_ECONFLICT and leaves the
 * transaction usable, as in SQLite: the inserts say ON CONFLICT DO NOTHING
 * and count the rows written, because a unique violation would abort the
 * whole transaction on the server. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"

static const char PASSWORD_GET[] =
    "SELECT password_hash, password_changed_at FROM users WHERE username = $1";
/* One round trip: the hash being replaced goes to the history with the
 * time it was set (the CTE reads the row as it was before the update),
 * and the history keeps its newest rows. */
static const char PASSWORD_SET[] =
    "WITH old AS (SELECT username, password_hash, password_changed_at FROM users "
    "WHERE username = $2), "
    "retired AS (INSERT INTO password_history(username, hash, set_at) "
    "SELECT username, password_hash, password_changed_at FROM old WHERE password_hash <> '') "
    "UPDATE users SET password_hash = $1, password_changed_at = $3 WHERE username = $2";
static const char PASSWORD_TRIM[] =
    "DELETE FROM password_history WHERE username = $1 AND id NOT IN "
    "(SELECT id FROM password_history WHERE username = $1 ORDER BY id DESC LIMIT $2)";
static const char PASSWORD_HISTORY[] =
    "SELECT hash, set_at FROM password_history WHERE username = $1 ORDER BY id DESC";
static const char SESSION_PUT[] =
    "INSERT INTO sessions(token_hash, username, created_at, expires_at, revoked) "
    "VALUES($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
static const char SESSION_GET[] = "SELECT token_hash, username, created_at, expires_at, revoked "
                                  "FROM sessions WHERE token_hash = $1";
static const char SESSION_REVOKE[] =
    "UPDATE sessions SET revoked = 1 WHERE token_hash = $1 AND revoked = 0";
static const char SESSION_TOUCH[] =
    "UPDATE sessions SET expires_at = $1 WHERE token_hash = $2 AND revoked = 0";
static const char SESSION_REVOKE_USER[] =
    "UPDATE sessions SET revoked = 1 WHERE username = $1 AND token_hash <> $2 AND revoked = 0";
/* A scan of the sessions table: it holds only the sessions of the last
 * twelve hours, since every login purges the older ones. */
static const char SESSION_PURGE[] = "DELETE FROM sessions WHERE expires_at <= $1";
static const char AUDIT_APPEND[] =
    "INSERT INTO personal_data_reads(at, actor, order_id, route, chain_seq, prev_hash, hash) "
    "VALUES($1, $2, $3, $4, $5, $6, $7)";
#define APIKEY_COLUMNS_NO_ID                                                                       \
    "key_hash, key_prefix, name, created_by, created_at, rate_per_minute, revoked, revoked_at"
#define APIKEY_COLUMNS "id, " APIKEY_COLUMNS_NO_ID
static const char APIKEY_INSERT[] = "INSERT INTO api_keys(" APIKEY_COLUMNS_NO_ID ") "
                                    "VALUES($1, $2, $3, $4, $5, $6, $7, $8) "
                                    "ON CONFLICT DO NOTHING RETURNING id";
static const char APIKEY_GET[] = "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE id = $1";
static const char APIKEY_FIND[] = "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE key_hash = $1";
static const char APIKEY_EACH[] = "SELECT " APIKEY_COLUMNS " FROM api_keys ORDER BY id";
/* A second revocation keeps the first one's time. */
static const char APIKEY_REVOKE[] =
    "UPDATE api_keys SET revoked = 1, revoked_at = CASE WHEN revoked = 1 "
    "THEN revoked_at ELSE $1 END WHERE id = $2";
#define OPEN311_COLUMNS "order_id, api_key_id, email, device_id, account_id, address_id, media_url"
static const char OPEN311_PUT[] = "INSERT INTO open311_requests(" OPEN311_COLUMNS ") "
                                  "VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
static const char OPEN311_GET[] =
    "SELECT " OPEN311_COLUMNS " FROM open311_requests WHERE order_id = $1";
static const char ANSWER_PUT[] = "INSERT INTO order_attributes(order_id, code, seq, value) "
                                 "VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING";
static const char ANSWER_EACH[] =
    "SELECT code, seq, value FROM order_attributes WHERE order_id = $1 ORDER BY code, seq";

/* Runs a write of the parameters given, frees them, and gives the number
 * of rows written. */
static int write_counted(struct hl_pg_store *store, const char *sql, hl_pg_params *params,
                         const char *operation, int64_t *affected, hl_error *error)
{
    int result = hl_pg_write(store, sql, params, operation, affected, error);
    hl_pg_params_free(params);
    return result;
}

static int lookup(struct hl_pg_store *store, const char *sql, hl_pg_params *params,
                  const char *operation, PGresult **out, hl_error *error)
{
    int result = hl_pg_lookup(store, sql, params, operation, out, error);
    hl_pg_params_free(params);
    return result;
}

static int pg_password_get(hl_store *base, const char *username, char *hash, size_t size,
                           hl_time *changed_at, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, username);
    PGresult *result = NULL;
    int status =
        lookup(hl_pg_store_of(base), PASSWORD_GET, &params, "password_get", &result, error);
    if (status == HL_ENOTFOUND)
        return hl_pg_not_found("用户", "user", username, error);
    if (status != HL_OK)
        return status;
    if ((size_t)PQgetlength(result, 0, 0) >= size) {
        status = hl_error_set(error, HL_EIO, NULL, "%s",
                              HL_T("存储的密码散列过长", "stored password hash too long"));
    } else {
        hl_pg_text(result, 0, 0, hash, size);
        if (changed_at != NULL)
            *changed_at = hl_pg_int64(result, 0, 1);
    }
    PQclear(result);
    return status;
}

static int pg_password_set(hl_store *base, const char *username, const char *hash,
                           hl_time changed_at, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, hash);
    hl_pg_param_text(&params, username);
    hl_pg_param_int64(&params, changed_at);
    int64_t changed = 0;
    int result =
        write_counted(hl_pg_store_of(base), PASSWORD_SET, &params, "password_set", &changed, error);
    if (result == HL_OK && changed == 0)
        return hl_pg_not_found("用户", "user", username, error);
    if (result != HL_OK)
        return result;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, username);
    hl_pg_param_int64(&params, HL_STORE_PASSWORD_HISTORY);
    return write_counted(hl_pg_store_of(base), PASSWORD_TRIM, &params, "password_set", NULL, error);
}

typedef struct password_history_visit {
    hl_password_visitor visit;
    void *context;
} password_history_visit;

static int visit_password_history_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    password_history_visit *visitor = context;
    return visitor->visit(visitor->context, PQgetvalue(result, row, 0),
                          hl_pg_int64(result, row, 1));
}

static int pg_password_history(hl_store *base, const char *username, hl_password_visitor visit,
                               void *context, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, username);
    password_history_visit visitor = {visit, context};
    int result = hl_pg_visit(hl_pg_store_of(base), PASSWORD_HISTORY, false, &params,
                             "password_history", visit_password_history_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

static int no_session(hl_error *error)
{
    /* Never repeat the key: it is a secret's hash. */
    return hl_error_set(error, HL_ENOTFOUND, NULL, "%s", HL_T("没有这个会话", "no such session"));
}

static int pg_session_put(hl_store *base, const hl_session *session, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    HL_PG_PARAM_FIELD(&params, session->token_hash);
    HL_PG_PARAM_FIELD(&params, session->username);
    hl_pg_param_int64(&params, session->created_at);
    hl_pg_param_int64(&params, session->expires_at);
    hl_pg_param_bool(&params, session->revoked);
    int64_t written = 0;
    int result =
        write_counted(hl_pg_store_of(base), SESSION_PUT, &params, "session_put", &written, error);
    if (result == HL_OK && written == 0)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s",
                            HL_T("会话已存在", "the session exists"));
    return result;
}

static int pg_session_get(hl_store *base, const char *token_hash, hl_session *out, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, token_hash);
    PGresult *result = NULL;
    int status = lookup(hl_pg_store_of(base), SESSION_GET, &params, "session_get", &result, error);
    if (status == HL_ENOTFOUND)
        return no_session(error);
    if (status != HL_OK)
        return status;
    HL_PG_TEXT(result, 0, 0, out->token_hash);
    HL_PG_TEXT(result, 0, 1, out->username);
    out->created_at = hl_pg_int64(result, 0, 2);
    out->expires_at = hl_pg_int64(result, 0, 3);
    out->revoked = hl_pg_bool(result, 0, 4);
    PQclear(result);
    return HL_OK;
}

static int pg_session_revoke(hl_store *base, const char *token_hash, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, token_hash);
    int64_t changed = 0;
    int result = write_counted(hl_pg_store_of(base), SESSION_REVOKE, &params, "session_revoke",
                               &changed, error);
    if (result == HL_OK && changed == 0)
        return no_session(error);
    return result;
}

static int pg_session_revoke_user(hl_store *base, const char *username, const char *except_hash,
                                  hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, username);
    hl_pg_param_text(&params, except_hash != NULL ? except_hash : "");
    return write_counted(hl_pg_store_of(base), SESSION_REVOKE_USER, &params, "session_revoke_user",
                         NULL, error);
}

static int pg_session_touch(hl_store *base, const char *token_hash, hl_time expires_at,
                            hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, expires_at);
    hl_pg_param_text(&params, token_hash);
    int64_t changed = 0;
    int result = write_counted(hl_pg_store_of(base), SESSION_TOUCH, &params, "session_touch",
                               &changed, error);
    if (result == HL_OK && changed == 0)
        return no_session(error);
    return result;
}

static int pg_session_purge(hl_store *base, hl_time now, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, now);
    return write_counted(hl_pg_store_of(base), SESSION_PURGE, &params, "session_purge", NULL,
                         error);
}

static int pg_audit_append(hl_store *base, const hl_audit_read *read, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, read->at);
    HL_PG_PARAM_FIELD(&params, read->actor);
    hl_pg_param_int64(&params, read->order_id);
    HL_PG_PARAM_FIELD(&params, read->route);
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
    result = write_counted(store, AUDIT_APPEND, &params, "audit_append", NULL, error);
    if (result == HL_OK)
        hl_pg_chain_taken(store, HL_CHAIN_READS, &link);
    return result;
}

/* Appends the WHERE clause of an audit filter to sql and its values to
 * params: only the conditions the filter sets, so that the planner sees
 * each query as it is. */
static void audit_where(hl_buf *sql, hl_pg_params *params, const hl_audit_filter *filter)
{
    if (filter == NULL)
        return;
    const char *joint = " WHERE ";
    if (filter->order_id != 0) {
        hl_pg_param_int64(params, filter->order_id);
        hl_buf_appendf(sql, "%sorder_id = $%d", joint, params->count);
        joint = " AND ";
    }
    if (filter->actor != NULL && filter->actor[0] != '\0') {
        hl_pg_param_text(params, filter->actor);
        hl_buf_appendf(sql, "%sactor = $%d", joint, params->count);
        joint = " AND ";
    }
    if (filter->since != 0) {
        hl_pg_param_int64(params, filter->since);
        hl_buf_appendf(sql, "%sat >= $%d", joint, params->count);
    }
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
    read.id = hl_pg_int64(result, row, 0);
    read.at = hl_pg_int64(result, row, 1);
    HL_PG_TEXT(result, row, 2, read.actor);
    read.order_id = hl_pg_int64(result, row, 3);
    HL_PG_TEXT(result, row, 4, read.route);
    return visitor->visit(visitor->context, &read);
}

static int pg_audit_query(hl_store *base, const hl_audit_filter *filter, hl_audit_visitor visit,
                          void *context, hl_error *error)
{
    hl_buf sql;
    hl_buf_init(&sql);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_buf_append_str(&sql, "SELECT id, at, actor, order_id, route FROM personal_data_reads");
    audit_where(&sql, &params, filter);
    /* Ids are given in the order of writing: newest first by the key. */
    hl_buf_append_str(&sql, " ORDER BY id DESC");
    if (filter != NULL && filter->limit > 0) {
        hl_pg_param_int64(&params, filter->limit);
        hl_buf_appendf(&sql, " LIMIT $%d", params.count);
    }
    if (filter != NULL && filter->offset > 0) {
        hl_pg_param_int64(&params, filter->offset);
        hl_buf_appendf(&sql, " OFFSET $%d", params.count);
    }
    audit_visit visitor = {visit, context};
    int result = hl_pg_visit(hl_pg_store_of(base), sql.data, true, &params, "audit_query",
                             visit_audit_row, &visitor, error);
    hl_pg_params_free(&params);
    hl_buf_free(&sql);
    return result;
}

static int pg_audit_count(hl_store *base, const hl_audit_filter *filter, int64_t *out,
                          hl_error *error)
{
    *out = 0;
    hl_buf sql;
    hl_buf_init(&sql);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_buf_append_str(&sql, "SELECT count(*) FROM personal_data_reads");
    audit_where(&sql, &params, filter);
    PGresult *result = NULL;
    int status =
        hl_pg_exec_dynamic(hl_pg_store_of(base), sql.data, &params, "audit_count", &result, error);
    if (status == HL_OK) {
        *out = hl_pg_int64(result, 0, 0);
        PQclear(result);
    }
    hl_pg_params_free(&params);
    hl_buf_free(&sql);
    return status;
}

static void read_apikey(const PGresult *result, int row, hl_apikey *key)
{
    key->id = hl_pg_int64(result, row, 0);
    HL_PG_TEXT(result, row, 1, key->key_hash);
    HL_PG_TEXT(result, row, 2, key->key_prefix);
    HL_PG_TEXT(result, row, 3, key->name);
    HL_PG_TEXT(result, row, 4, key->created_by);
    key->created_at = hl_pg_int64(result, row, 5);
    key->rate_per_minute = hl_pg_int(result, row, 6);
    key->revoked = hl_pg_bool(result, row, 7);
    key->revoked_at = hl_pg_int64(result, row, 8);
}

static int apikey_not_found(int64_t id, hl_error *error)
{
    return hl_error_set(error, HL_ENOTFOUND, "id",
                        HL_T("API 密钥 %" PRId64 " 不存在", "no API key %" PRId64), id);
}

static int pg_apikey_insert(hl_store *base, hl_apikey *key, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    HL_PG_PARAM_FIELD(&params, key->key_hash);
    HL_PG_PARAM_FIELD(&params, key->key_prefix);
    HL_PG_PARAM_FIELD(&params, key->name);
    HL_PG_PARAM_FIELD(&params, key->created_by);
    hl_pg_param_int64(&params, key->created_at);
    hl_pg_param_int64(&params, key->rate_per_minute);
    hl_pg_param_bool(&params, key->revoked);
    hl_pg_param_int64(&params, key->revoked_at);
    PGresult *result = NULL;
    int status =
        hl_pg_exec(hl_pg_store_of(base), APIKEY_INSERT, &params, "apikey_insert", &result, error);
    hl_pg_params_free(&params);
    if (status != HL_OK)
        return status;
    if (PQntuples(result) == 0)
        status =
            hl_error_set(error, HL_ECONFLICT, NULL, "%s", HL_T("密钥已存在", "the key exists"));
    else
        key->id = hl_pg_int64(result, 0, 0);
    PQclear(result);
    return status;
}

static int pg_apikey_get(hl_store *base, int64_t id, hl_apikey *out, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, id);
    PGresult *result = NULL;
    int status = lookup(hl_pg_store_of(base), APIKEY_GET, &params, "apikey_get", &result, error);
    if (status == HL_ENOTFOUND)
        return apikey_not_found(id, error);
    if (status != HL_OK)
        return status;
    read_apikey(result, 0, out);
    PQclear(result);
    return HL_OK;
}

static int pg_apikey_find(hl_store *base, const char *key_hash, hl_apikey *out, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, key_hash);
    PGresult *result = NULL;
    int status = lookup(hl_pg_store_of(base), APIKEY_FIND, &params, "apikey_find", &result, error);
    if (status == HL_ENOTFOUND) /* never repeat the key: it is a secret's hash */
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s",
                            HL_T("没有这个 API 密钥", "no such API key"));
    if (status != HL_OK)
        return status;
    read_apikey(result, 0, out);
    PQclear(result);
    return HL_OK;
}

typedef struct apikey_visit {
    hl_apikey_visitor visit;
    void *context;
} apikey_visit;

static int visit_apikey_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    apikey_visit *visitor = context;
    hl_apikey key;
    read_apikey(result, row, &key);
    return visitor->visit(visitor->context, &key);
}

static int pg_apikey_each(hl_store *base, hl_apikey_visitor visit, void *context, hl_error *error)
{
    apikey_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base), APIKEY_EACH, false, NULL, "apikey_each",
                       visit_apikey_row, &visitor, error);
}

static int pg_apikey_revoke(hl_store *base, int64_t id, hl_time at, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, at);
    hl_pg_param_int64(&params, id);
    int64_t changed = 0;
    int result = write_counted(hl_pg_store_of(base), APIKEY_REVOKE, &params, "apikey_revoke",
                               &changed, error);
    if (result == HL_OK && changed == 0)
        return apikey_not_found(id, error);
    return result;
}

static int pg_open311_put(hl_store *base, const hl_open311_record *record, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, record->order_id);
    hl_pg_param_int64(&params, record->api_key_id);
    HL_PG_PARAM_FIELD(&params, record->email);
    HL_PG_PARAM_FIELD(&params, record->device_id);
    HL_PG_PARAM_FIELD(&params, record->account_id);
    HL_PG_PARAM_FIELD(&params, record->address_id);
    HL_PG_PARAM_FIELD(&params, record->media_url);
    int64_t written = 0;
    int result =
        write_counted(hl_pg_store_of(base), OPEN311_PUT, &params, "open311_put", &written, error);
    if (result == HL_OK && written == 0)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s",
                            HL_T("该工单已有 Open311 记录", "the order has an Open311 record"));
    return result;
}

static int pg_open311_get(hl_store *base, int64_t order_id, hl_open311_record *out, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, order_id);
    PGresult *result = NULL;
    int status = lookup(hl_pg_store_of(base), OPEN311_GET, &params, "open311_get", &result, error);
    if (status == HL_ENOTFOUND)
        return hl_pg_order_error(HL_ENOTFOUND, "没有 Open311 记录", "has no Open311 record",
                                 order_id, error);
    if (status != HL_OK)
        return status;
    out->order_id = hl_pg_int64(result, 0, 0);
    out->api_key_id = hl_pg_int64(result, 0, 1);
    HL_PG_TEXT(result, 0, 2, out->email);
    HL_PG_TEXT(result, 0, 3, out->device_id);
    HL_PG_TEXT(result, 0, 4, out->account_id);
    HL_PG_TEXT(result, 0, 5, out->address_id);
    HL_PG_TEXT(result, 0, 6, out->media_url);
    PQclear(result);
    return HL_OK;
}

static int pg_answer_put(hl_store *base, int64_t order_id, const char *code, int seq,
                         const char *value, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, order_id);
    hl_pg_param_text(&params, code);
    hl_pg_param_int64(&params, seq);
    hl_pg_param_text(&params, value);
    int64_t written = 0;
    int result =
        write_counted(hl_pg_store_of(base), ANSWER_PUT, &params, "answer_put", &written, error);
    if (result == HL_OK && written == 0)
        return hl_error_set(error, HL_ECONFLICT, code, "%s",
                            HL_T("重复的属性值", "a repeated answer"));
    return result;
}

typedef struct answer_visit {
    hl_answer_visitor visit;
    void *context;
} answer_visit;

static int visit_answer_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    answer_visit *visitor = context;
    return visitor->visit(visitor->context, PQgetvalue(result, row, 0), hl_pg_int(result, row, 1),
                          PQgetvalue(result, row, 2));
}

static int pg_answer_each(hl_store *base, int64_t order_id, hl_answer_visitor visit, void *context,
                          hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, order_id);
    answer_visit visitor = {visit, context};
    int result = hl_pg_visit(hl_pg_store_of(base), ANSWER_EACH, false, &params, "answer_each",
                             visit_answer_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

void hl_pg_access_ops(hl_store_ops *ops)
{
    ops->password_get = pg_password_get;
    ops->password_set = pg_password_set;
    ops->password_history = pg_password_history;
    ops->session_put = pg_session_put;
    ops->session_get = pg_session_get;
    ops->session_revoke = pg_session_revoke;
    ops->session_revoke_user = pg_session_revoke_user;
    ops->session_touch = pg_session_touch;
    ops->session_purge = pg_session_purge;
    ops->audit_append = pg_audit_append;
    ops->audit_query = pg_audit_query;
    ops->audit_count = pg_audit_count;
    ops->apikey_insert = pg_apikey_insert;
    ops->apikey_get = pg_apikey_get;
    ops->apikey_find = pg_apikey_find;
    ops->apikey_each = pg_apikey_each;
    ops->apikey_revoke = pg_apikey_revoke;
    ops->open311_put = pg_open311_put;
    ops->open311_get = pg_open311_get;
    ops->answer_put = pg_answer_put;
    ops->answer_each = pg_answer_each;
}
