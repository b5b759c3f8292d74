/* store.c: the dispatch from the store interface to its backend. It
 * checks what every backend would check alike (a store that is not there,
 * a required argument missing) once, here, and forwards the rest to the
 * backend's ops table; it holds no storage logic of its own but
 * hl_store_finish, which ends a transaction through commit and rollback. */
#include "store/store.h"

#include <string.h>

#include "base/i18n.h"

/* What every call checks before the backend sees it: HL_EIO for a store
 * that is not there, then HL_EINVAL, named by the operation, when given
 * (the caller's required arguments are present) is false. */
static int check_call(const hl_store *store, bool given, const char *operation, hl_error *error)
{
    if (store == NULL)
        return hl_error_set(error, HL_EIO, NULL, "%s", HL_T("数据库已关闭", "the store is closed"));
    if (!given)
        return hl_error_set(error, HL_EINVAL, NULL,
                            HL_T("%s：缺少必需的参数", "%s: a required argument is missing"),
                            operation);
    return HL_OK;
}

/* Defines int hl_store_NAME(hl_store *store, PARAMETERS, hl_error *error),
 * which checks the call (check_call with GIVEN, an expression of the
 * parameters) and forwards it as ops->NAME(store, ARGUMENTS, error). The
 * prototypes in store.h are the contract: a definition that does not
 * match its prototype does not compile. */
#define FORWARD(name, parameters, given, arguments)                                                \
    int hl_store_##name(hl_store *store, UNPARENTHESIZED parameters, hl_error *error)              \
    {                                                                                              \
        int checked = check_call(store, (given), #name, error);                                    \
        return checked != HL_OK ? checked                                                          \
                                : store->ops->name(store, UNPARENTHESIZED arguments, error);       \
    }
#define UNPARENTHESIZED(...) __VA_ARGS__

/* The calls with no argument but the store. */
#define FORWARD_PLAIN(name)                                                                        \
    int hl_store_##name(hl_store *store, hl_error *error)                                          \
    {                                                                                              \
        int checked = check_call(store, true, #name, error);                                       \
        return checked != HL_OK ? checked : store->ops->name(store, error);                        \
    }

/* The calls that return nothing do nothing on a closed store. */
void hl_store_close(hl_store *store)
{
    if (store != NULL)
        store->ops->close(store);
}

int hl_store_schema_version(const hl_store *store)
{
    return store != NULL ? store->ops->schema_version() : 0;
}

void hl_store_set_bulk(hl_store *store, bool bulk)
{
    if (store != NULL)
        store->ops->set_bulk(store, bulk);
}

void hl_store_set_background_checkpoints(hl_store *store, bool on)
{
    if (store != NULL)
        store->ops->set_background_checkpoints(store, on);
}

void hl_store_set_phone_codec(hl_store *store, const hl_phone_codec *codec)
{
    if (store != NULL)
        store->ops->set_phone_codec(store, codec);
}

/* Rollback has no error to fill: it is called on the way out of a
 * failure whose error is already set. */
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

int hl_store_config_each(hl_store *store,
                         int (*visit)(void *context, const char *key, const char *value),
                         void *context, hl_error *error)
{
    int checked = check_call(store, visit != NULL, "config_each", error);
    return checked != HL_OK ? checked : store->ops->config_each(store, visit, context, error);
}

/* The sealed insert is order_insert with a phone the caller sealed. */
int hl_store_order_insert_sealed(hl_store *store, const hl_order *order,
                                 const hl_sealed_phone *sealed, hl_error *error)
{
    int checked = check_call(store, order != NULL, "order_insert", error);
    return checked != HL_OK ? checked : store->ops->order_insert(store, order, sealed, error);
}

/* Transactions and settings. */
FORWARD_PLAIN(begin)
FORWARD_PLAIN(begin_read)
FORWARD_PLAIN(commit)
FORWARD_PLAIN(checkpoint)
FORWARD(config_get, (const char *key, char *value, size_t size),
        key != NULL && value != NULL && size != 0, (key, value, size))
FORWARD(config_set, (const char *key, const char *value), key != NULL && value != NULL,
        (key, value))

/* The directory and the calendar. */
FORWARD(unit_put, (const hl_unit *unit), unit != NULL, (unit))
FORWARD(unit_get, (const char *code, hl_unit *out), code != NULL && out != NULL, (code, out))
FORWARD(unit_each, (hl_unit_visitor visit, void *context), visit != NULL, (visit, context))
FORWARD(category_put, (const hl_category *category), category != NULL, (category))
FORWARD(category_get, (const char *code, hl_category *out), code != NULL && out != NULL,
        (code, out))
FORWARD(category_each, (hl_category_visitor visit, void *context), visit != NULL, (visit, context))
FORWARD(user_put, (const hl_user *user), user != NULL, (user))
FORWARD(user_get, (const char *username, hl_user *out), username != NULL && out != NULL,
        (username, out))
FORWARD(user_each, (hl_user_visitor visit, void *context), visit != NULL, (visit, context))
/* A lone parameter would be laid out as a product. */
/* clang-format off */
FORWARD(calendar_load, (hl_calendar *out), out != NULL, (out))
/* clang-format on */
FORWARD(calendar_put, (const hl_calendar_entry *entry), entry != NULL, (entry))

/* Orders and their lists. */
FORWARD(order_max_id, (int64_t from_id, int64_t to_id, int64_t *out), out != NULL,
        (from_id, to_id, out))
FORWARD(order_insert, (const hl_order *order), order != NULL, (order, NULL))
FORWARD(order_update, (const hl_order *order, int64_t expected_version), order != NULL,
        (order, expected_version))
FORWARD(order_get, (int64_t id, hl_order *out), out != NULL, (id, out))
FORWARD(order_query, (const hl_order_filter *filter, hl_order_visitor visit, void *context),
        visit != NULL, (filter, visit, context))
FORWARD(order_count, (const hl_order_filter *filter, int64_t *out), out != NULL, (filter, out))
FORWARD(order_count_by_state, (const hl_order_filter *filter, int64_t counts[HL_STATE_COUNT]),
        counts != NULL, (filter, counts))
FORWARD(order_count_by_category,
        (hl_time received_from, hl_time received_to, hl_category_count_visitor visit,
         void *context),
        visit != NULL, (received_from, received_to, visit, context))
FORWARD(order_heads, (hl_order_head_visitor visit, void *context), visit != NULL, (visit, context))
FORWARD(order_state_counts, (int64_t counts[HL_STATE_COUNT]), counts != NULL, (counts))

/* The event log and the monthly counters. */
FORWARD(event_append, (const hl_event *event), event != NULL, (event))
FORWARD(event_list, (int64_t order_id, hl_event_visitor visit, void *context), visit != NULL,
        (order_id, visit, context))
FORWARD(event_scan, (hl_event_visitor visit, void *context), visit != NULL, (visit, context))
FORWARD(rollup_add, (const hl_rollup_delta *delta), delta != NULL, (delta))
FORWARD(rollup_each, (hl_rollup_visitor visit, void *context), visit != NULL, (visit, context))
FORWARD(rollup_month, (int month, hl_rollup_visitor visit, void *context), visit != NULL,
        (month, visit, context))
FORWARD(rollup_months, (hl_counter counter, hl_month_total_visitor visit, void *context),
        visit != NULL, (counter, visit, context))
FORWARD(event_get, (int64_t order_id, int64_t seq, hl_event *out), out != NULL,
        (order_id, seq, out))
FORWARD(event_query, (const hl_event_filter *filter, hl_event_visitor visit, void *context),
        filter != NULL && visit != NULL, (filter, visit, context))
FORWARD(event_count, (const hl_event_filter *filter, int64_t *out), filter != NULL && out != NULL,
        (filter, out))

/* Access: passwords, sessions, API keys, the audit of phone reads, sealing phones. */
FORWARD(password_get, (const char *username, char *hash, size_t size, hl_time *changed_at),
        username != NULL && hash != NULL && size != 0, (username, hash, size, changed_at))
FORWARD(password_set, (const char *username, const char *hash, hl_time changed_at),
        username != NULL && hash != NULL, (username, hash, changed_at))
FORWARD(password_history, (const char *username, hl_password_visitor visit, void *context),
        username != NULL && visit != NULL, (username, visit, context))
FORWARD(session_put, (const hl_session *session), session != NULL, (session))
FORWARD(session_get, (const char *token_hash, hl_session *out), token_hash != NULL && out != NULL,
        (token_hash, out))
FORWARD(session_revoke, (const char *token_hash), token_hash != NULL, (token_hash))
FORWARD(session_purge, (hl_time now), true, (now))
FORWARD(session_touch, (const char *token_hash, hl_time expires_at), token_hash != NULL,
        (token_hash, expires_at))
FORWARD(throttle_hit,
        (const char *key, hl_time now, int window_seconds, int64_t limit, hl_throttle *out),
        key != NULL && out != NULL && window_seconds > 0 && strlen(key) < HL_THROTTLE_KEY_BYTES,
        (key, now, window_seconds, limit, out))
FORWARD(throttle_get, (const char *key, hl_time now, hl_throttle *out), key != NULL && out != NULL,
        (key, now, out))
FORWARD(throttle_reset, (const char *key), key != NULL, (key))
FORWARD(throttle_purge, (hl_time now), true, (now))
FORWARD(session_revoke_user, (const char *username, const char *except_hash), username != NULL,
        (username, except_hash))
/* A lone parameter would be laid out as a product. */
/* clang-format off */
FORWARD(apikey_insert, (hl_apikey *key), key != NULL, (key))
/* clang-format on */
FORWARD(apikey_get, (int64_t id, hl_apikey *out), out != NULL, (id, out))
FORWARD(apikey_find, (const char *key_hash, hl_apikey *out), key_hash != NULL && out != NULL,
        (key_hash, out))
FORWARD(apikey_each, (hl_apikey_visitor visit, void *context), visit != NULL, (visit, context))
FORWARD(apikey_revoke, (int64_t id, hl_time at), true, (id, at))
FORWARD_PLAIN(seal_phones)
FORWARD(audit_append, (const hl_audit_read *read), read != NULL, (read))
FORWARD(audit_query, (const hl_audit_filter *filter, hl_audit_visitor visit, void *context),
        visit != NULL, (filter, visit, context))
FORWARD(audit_count, (const hl_audit_filter *filter, int64_t *out), out != NULL, (filter, out))

/* Open311: the attributes of categories, the records and answers of requests. */
FORWARD(attribute_put, (const hl_attribute *attribute), attribute != NULL, (attribute))
FORWARD(attribute_clear, (const char *category), category != NULL, (category))
FORWARD(attribute_each, (const char *category, hl_attribute_visitor visit, void *context),
        visit != NULL, (category, visit, context))
FORWARD(open311_put, (const hl_open311_record *record), record != NULL, (record))
FORWARD(open311_get, (int64_t order_id, hl_open311_record *out), out != NULL, (order_id, out))
FORWARD(answer_put, (int64_t order_id, const char *code, int seq, const char *value),
        code != NULL && value != NULL, (order_id, code, seq, value))
FORWARD(answer_each, (int64_t order_id, hl_answer_visitor visit, void *context), visit != NULL,
        (order_id, visit, context))

/* Moving a store whole: a backend that has no verbatim reads and writes
 * leaves them NULL, and the copy stops with a message instead of a crash. */
static int check_copy_call(const hl_store *store, bool present, bool given, const char *operation,
                           hl_error *error)
{
    int checked = check_call(store, given, operation, error);
    if (checked == HL_OK && !present)
        return hl_error_set(
            error, HL_EIO, NULL,
            HL_T("%s：该存储后端不支持整库复制", "%s: this backend cannot copy a store"),
            operation);
    return checked;
}

#define FORWARD_COPY(name, parameters, given, arguments)                                           \
    int hl_store_##name(hl_store *store, UNPARENTHESIZED parameters, hl_error *error)              \
    {                                                                                              \
        int checked = check_copy_call(store, store != NULL && store->ops->name != NULL, (given),   \
                                      #name, error);                                               \
        return checked != HL_OK ? checked                                                          \
                                : store->ops->name(store, UNPARENTHESIZED arguments, error);       \
    }

FORWARD_COPY(order_scan_sealed, (hl_sealed_order_visitor visit, void *context), visit != NULL,
             (visit, context))
FORWARD_COPY(phone_index_scan, (hl_phone_index_visitor visit, void *context), visit != NULL,
             (visit, context))
FORWARD_COPY(session_each, (hl_session_visitor visit, void *context), visit != NULL,
             (visit, context))
/* clang-format off */
FORWARD_COPY(apikey_put, (const hl_apikey *key), key != NULL, (key))
FORWARD_COPY(audit_put, (const hl_audit_read *read), read != NULL, (read))
/* clang-format on */
FORWARD_COPY(open311_each, (hl_open311_visitor visit, void *context), visit != NULL,
             (visit, context))
FORWARD_COPY(answer_scan, (hl_order_answer_visitor visit, void *context), visit != NULL,
             (visit, context))
FORWARD_COPY(audit_each, (hl_audit_visitor visit, void *context), visit != NULL, (visit, context))

/* The hash chains and the security events. */
FORWARD(chain_scan, (hl_chain_kind kind, hl_chain_visitor visit, void *context),
        kind >= 0 && kind < HL_CHAIN_COUNT && visit != NULL, (kind, visit, context))
FORWARD(chain_head, (hl_chain_kind kind, hl_chain_head *out),
        kind >= 0 && kind < HL_CHAIN_COUNT && out != NULL, (kind, out))
FORWARD(chain_anchor, (hl_chain_kind kind, hl_chain_head *out),
        kind >= 0 && kind < HL_CHAIN_COUNT && out != NULL, (kind, out))
FORWARD(chain_cut, (hl_chain_kind kind, const hl_chain_head *from, const hl_chain_head *anchor),
        kind > HL_CHAIN_EVENTS && kind < HL_CHAIN_COUNT && from != NULL && anchor != NULL &&
            anchor->seq > from->seq,
        (kind, from, anchor))
FORWARD(chain_start, (hl_chain_kind kind, const hl_chain_head *anchor),
        kind > HL_CHAIN_EVENTS && kind < HL_CHAIN_COUNT && anchor != NULL, (kind, anchor))
FORWARD(security_append, (const hl_security_event *event), event != NULL, (event))
FORWARD(security_each, (int64_t limit, hl_security_visitor visit, void *context),
        limit >= 0 && visit != NULL, (limit, visit, context))

/* Published bulletins. */
FORWARD(publication_append, (const hl_publication *publication),
        publication != NULL && publication->document != NULL, (publication))
FORWARD(publication_each, (int month, hl_publication_visitor visit, void *context),
        month >= 0 && visit != NULL, (month, visit, context))
