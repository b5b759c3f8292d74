/* store.c: the dispatch from the store interface to its backend. It
 * checks what every backend would check alike (a store that is not there,
 * a required argument missing) once, here, and forwards the rest to the
 * backend's ops table; it holds no storage logic of its own but
 * hl_store_finish, which ends a transaction through commit and rollback. */
#include "store/store.h"

#include "base/i18n.h"

static int closed_error(hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL, "%s", HL_T("数据库已关闭", "the store is closed"));
}

static int missing_argument(const char *operation, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, NULL,
                        HL_T("%s：缺少必需的参数", "%s: a required argument is missing"),
                        operation);
}

void hl_store_close(hl_store *store)
{
    if (store == NULL)
        return;
    store->ops->close(store);
}

int hl_store_begin(hl_store *store, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->begin(store, error);
}

int hl_store_begin_read(hl_store *store, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->begin_read(store, error);
}

int hl_store_commit(hl_store *store, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->commit(store, error);
}

int hl_store_rollback(hl_store *store)
{
    if (store == NULL)
        return HL_EIO;
    return store->ops->rollback(store);
}

int hl_store_finish(hl_store *store, int status, hl_error *error)
{
    if (status == HL_OK)
        status = hl_store_commit(store, error);
    if (status != HL_OK)
        hl_store_rollback(store);
    return status;
}

void hl_store_set_bulk(hl_store *store, bool bulk)
{
    if (store == NULL)
        return;
    store->ops->set_bulk(store, bulk);
}

void hl_store_set_background_checkpoints(hl_store *store, bool on)
{
    if (store == NULL)
        return;
    store->ops->set_background_checkpoints(store, on);
}

int hl_store_checkpoint(hl_store *store, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->checkpoint(store, error);
}

int hl_store_config_get(hl_store *store, const char *key, char *value, size_t size, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (key == NULL || value == NULL || size == 0)
        return missing_argument("config_get", error);
    return store->ops->config_get(store, key, value, size, error);
}

int hl_store_config_set(hl_store *store, const char *key, const char *value, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (key == NULL || value == NULL)
        return missing_argument("config_set", error);
    return store->ops->config_set(store, key, value, error);
}

int hl_store_config_each(hl_store *store,
                         int (*visit)(void *context, const char *key, const char *value),
                         void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("config_each", error);
    return store->ops->config_each(store, visit, context, error);
}

int hl_store_unit_put(hl_store *store, const hl_unit *unit, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (unit == NULL)
        return missing_argument("unit_put", error);
    return store->ops->unit_put(store, unit, error);
}

int hl_store_unit_get(hl_store *store, const char *code, hl_unit *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (code == NULL || out == NULL)
        return missing_argument("unit_get", error);
    return store->ops->unit_get(store, code, out, error);
}

int hl_store_unit_each(hl_store *store, hl_unit_visitor visit, void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("unit_each", error);
    return store->ops->unit_each(store, visit, context, error);
}

int hl_store_category_put(hl_store *store, const hl_category *category, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (category == NULL)
        return missing_argument("category_put", error);
    return store->ops->category_put(store, category, error);
}

int hl_store_category_get(hl_store *store, const char *code, hl_category *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (code == NULL || out == NULL)
        return missing_argument("category_get", error);
    return store->ops->category_get(store, code, out, error);
}

int hl_store_category_each(hl_store *store, hl_category_visitor visit, void *context,
                           hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("category_each", error);
    return store->ops->category_each(store, visit, context, error);
}

int hl_store_user_put(hl_store *store, const hl_user *user, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (user == NULL)
        return missing_argument("user_put", error);
    return store->ops->user_put(store, user, error);
}

int hl_store_user_get(hl_store *store, const char *username, hl_user *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (username == NULL || out == NULL)
        return missing_argument("user_get", error);
    return store->ops->user_get(store, username, out, error);
}

int hl_store_user_each(hl_store *store, hl_user_visitor visit, void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("user_each", error);
    return store->ops->user_each(store, visit, context, error);
}

int hl_store_calendar_load(hl_store *store, hl_calendar *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("calendar_load", error);
    return store->ops->calendar_load(store, out, error);
}

int hl_store_calendar_put(hl_store *store, const hl_calendar_entry *entry, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (entry == NULL)
        return missing_argument("calendar_put", error);
    return store->ops->calendar_put(store, entry, error);
}

int hl_store_order_max_id(hl_store *store, int64_t from_id, int64_t to_id, int64_t *out,
                          hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("order_max_id", error);
    return store->ops->order_max_id(store, from_id, to_id, out, error);
}

int hl_store_order_insert(hl_store *store, const hl_order *order, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (order == NULL)
        return missing_argument("order_insert", error);
    return store->ops->order_insert(store, order, NULL, error);
}

int hl_store_order_insert_sealed(hl_store *store, const hl_order *order,
                                 const hl_sealed_phone *sealed, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (order == NULL)
        return missing_argument("order_insert", error);
    return store->ops->order_insert(store, order, sealed, error);
}

int hl_store_order_update(hl_store *store, const hl_order *order, int64_t expected_version,
                          hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (order == NULL)
        return missing_argument("order_update", error);
    return store->ops->order_update(store, order, expected_version, error);
}

int hl_store_order_get(hl_store *store, int64_t id, hl_order *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("order_get", error);
    return store->ops->order_get(store, id, out, error);
}

int hl_store_order_query(hl_store *store, const hl_order_filter *filter, hl_order_visitor visit,
                         void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("order_query", error);
    return store->ops->order_query(store, filter, visit, context, error);
}

int hl_store_order_count(hl_store *store, const hl_order_filter *filter, int64_t *out,
                         hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("order_count", error);
    return store->ops->order_count(store, filter, out, error);
}

int hl_store_order_count_by_state(hl_store *store, const hl_order_filter *filter,
                                  int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (counts == NULL)
        return missing_argument("order_count_by_state", error);
    return store->ops->order_count_by_state(store, filter, counts, error);
}

int hl_store_order_count_by_category(hl_store *store, hl_time received_from, hl_time received_to,
                                     hl_category_count_visitor visit, void *context,
                                     hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("order_count_by_category", error);
    return store->ops->order_count_by_category(store, received_from, received_to, visit, context,
                                               error);
}

int hl_store_order_heads(hl_store *store, hl_order_head_visitor visit, void *context,
                         hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("order_heads", error);
    return store->ops->order_heads(store, visit, context, error);
}

int hl_store_order_state_counts(hl_store *store, int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (counts == NULL)
        return missing_argument("order_state_counts", error);
    return store->ops->order_state_counts(store, counts, error);
}

int hl_store_event_append(hl_store *store, const hl_event *event, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (event == NULL)
        return missing_argument("event_append", error);
    return store->ops->event_append(store, event, error);
}

int hl_store_event_list(hl_store *store, int64_t order_id, hl_event_visitor visit, void *context,
                        hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("event_list", error);
    return store->ops->event_list(store, order_id, visit, context, error);
}

int hl_store_event_scan(hl_store *store, hl_event_visitor visit, void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("event_scan", error);
    return store->ops->event_scan(store, visit, context, error);
}

int hl_store_rollup_add(hl_store *store, const hl_rollup_delta *delta, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (delta == NULL)
        return missing_argument("rollup_add", error);
    return store->ops->rollup_add(store, delta, error);
}

int hl_store_rollup_each(hl_store *store, hl_rollup_visitor visit, void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("rollup_each", error);
    return store->ops->rollup_each(store, visit, context, error);
}

int hl_store_rollup_month(hl_store *store, int month, hl_rollup_visitor visit, void *context,
                          hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("rollup_month", error);
    return store->ops->rollup_month(store, month, visit, context, error);
}

int hl_store_rollup_months(hl_store *store, hl_counter counter, hl_month_total_visitor visit,
                           void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("rollup_months", error);
    return store->ops->rollup_months(store, counter, visit, context, error);
}

int hl_store_password_get(hl_store *store, const char *username, char *hash, size_t size,
                          hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (username == NULL || hash == NULL || size == 0)
        return missing_argument("password_get", error);
    return store->ops->password_get(store, username, hash, size, error);
}

int hl_store_password_set(hl_store *store, const char *username, const char *hash, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (username == NULL || hash == NULL)
        return missing_argument("password_set", error);
    return store->ops->password_set(store, username, hash, error);
}

int hl_store_session_put(hl_store *store, const hl_session *session, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (session == NULL)
        return missing_argument("session_put", error);
    return store->ops->session_put(store, session, error);
}

int hl_store_session_get(hl_store *store, const char *token_hash, hl_session *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (token_hash == NULL || out == NULL)
        return missing_argument("session_get", error);
    return store->ops->session_get(store, token_hash, out, error);
}

int hl_store_session_revoke(hl_store *store, const char *token_hash, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (token_hash == NULL)
        return missing_argument("session_revoke", error);
    return store->ops->session_revoke(store, token_hash, error);
}

int hl_store_session_purge(hl_store *store, hl_time now, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->session_purge(store, now, error);
}

int hl_store_session_revoke_user(hl_store *store, const char *username, const char *except_hash,
                                 hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (username == NULL)
        return missing_argument("session_revoke_user", error);
    return store->ops->session_revoke_user(store, username, except_hash, error);
}

int hl_store_apikey_insert(hl_store *store, hl_apikey *key, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (key == NULL)
        return missing_argument("apikey_insert", error);
    return store->ops->apikey_insert(store, key, error);
}

int hl_store_apikey_get(hl_store *store, int64_t id, hl_apikey *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("apikey_get", error);
    return store->ops->apikey_get(store, id, out, error);
}

int hl_store_apikey_find(hl_store *store, const char *key_hash, hl_apikey *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (key_hash == NULL || out == NULL)
        return missing_argument("apikey_find", error);
    return store->ops->apikey_find(store, key_hash, out, error);
}

int hl_store_apikey_each(hl_store *store, hl_apikey_visitor visit, void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("apikey_each", error);
    return store->ops->apikey_each(store, visit, context, error);
}

int hl_store_apikey_revoke(hl_store *store, int64_t id, hl_time at, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->apikey_revoke(store, id, at, error);
}

int hl_store_attribute_put(hl_store *store, const hl_attribute *attribute, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (attribute == NULL)
        return missing_argument("attribute_put", error);
    return store->ops->attribute_put(store, attribute, error);
}

int hl_store_attribute_clear(hl_store *store, const char *category, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (category == NULL)
        return missing_argument("attribute_clear", error);
    return store->ops->attribute_clear(store, category, error);
}

int hl_store_attribute_each(hl_store *store, const char *category, hl_attribute_visitor visit,
                            void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("attribute_each", error);
    return store->ops->attribute_each(store, category, visit, context, error);
}

int hl_store_open311_put(hl_store *store, const hl_open311_record *record, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (record == NULL)
        return missing_argument("open311_put", error);
    return store->ops->open311_put(store, record, error);
}

int hl_store_open311_get(hl_store *store, int64_t order_id, hl_open311_record *out, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("open311_get", error);
    return store->ops->open311_get(store, order_id, out, error);
}

int hl_store_answer_put(hl_store *store, int64_t order_id, const char *code, int seq,
                        const char *value, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (code == NULL || value == NULL)
        return missing_argument("answer_put", error);
    return store->ops->answer_put(store, order_id, code, seq, value, error);
}

int hl_store_answer_each(hl_store *store, int64_t order_id, hl_answer_visitor visit, void *context,
                         hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("answer_each", error);
    return store->ops->answer_each(store, order_id, visit, context, error);
}

int hl_store_event_get(hl_store *store, int64_t order_id, int64_t seq, hl_event *out,
                       hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("event_get", error);
    return store->ops->event_get(store, order_id, seq, out, error);
}

int hl_store_event_query(hl_store *store, const hl_event_filter *filter, hl_event_visitor visit,
                         void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (filter == NULL || visit == NULL)
        return missing_argument("event_query", error);
    return store->ops->event_query(store, filter, visit, context, error);
}

int hl_store_event_count(hl_store *store, const hl_event_filter *filter, int64_t *out,
                         hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (filter == NULL || out == NULL)
        return missing_argument("event_count", error);
    return store->ops->event_count(store, filter, out, error);
}

void hl_store_set_phone_codec(hl_store *store, const hl_phone_codec *codec)
{
    if (store == NULL)
        return;
    store->ops->set_phone_codec(store, codec);
}

int hl_store_seal_phones(hl_store *store, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    return store->ops->seal_phones(store, error);
}

int hl_store_audit_append(hl_store *store, const hl_audit_read *read, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (read == NULL)
        return missing_argument("audit_append", error);
    return store->ops->audit_append(store, read, error);
}

int hl_store_audit_query(hl_store *store, const hl_audit_filter *filter, hl_audit_visitor visit,
                         void *context, hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (visit == NULL)
        return missing_argument("audit_query", error);
    return store->ops->audit_query(store, filter, visit, context, error);
}

int hl_store_audit_count(hl_store *store, const hl_audit_filter *filter, int64_t *out,
                         hl_error *error)
{
    if (store == NULL)
        return closed_error(error);
    if (out == NULL)
        return missing_argument("audit_count", error);
    return store->ops->audit_count(store, filter, out, error);
}
