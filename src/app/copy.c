/* copy.c: hotline copy, a whole store moved from one backend to another
 * through the store interface, and the digests that show the two equal.
 *
 * One walk over the source serves both: each table is read in the
 * source's read snapshot, every row hashed, and (when copying) written
 * into the destination's one transaction. A table's digest is the sum,
 * modulo 2^256, of a BLAKE2b hash of each row's fields in a fixed layout:
 * it does not depend on the order a backend returns rows in (PostgreSQL
 * may sort text by another collation than SQLite), and two tables agree
 * when they hold the same rows, byte for byte. It reads no SQL and no
 * key, and opens no phone; it does not check the log's meaning (verify.c). */
#include "app/copy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/array.h"
#include "base/contract.h"
#include "base/i18n.h"

static const char *const table_names[HL_COPY_TABLE_COUNT] = {
    [HL_COPY_CONFIG] = "config",
    [HL_COPY_UNITS] = "units",
    [HL_COPY_CATEGORIES] = "categories",
    [HL_COPY_USERS] = "users",
    [HL_COPY_CALENDAR] = "calendar",
    [HL_COPY_API_KEYS] = "api_keys",
    [HL_COPY_ORDERS] = "orders",
    [HL_COPY_PHONE_INDEX] = "phone_index",
    [HL_COPY_STATE_COUNTS] = "order_state_counts",
    [HL_COPY_EVENTS] = "events",
    [HL_COPY_ROLLUPS] = "rollups",
    [HL_COPY_SESSIONS] = "sessions",
    [HL_COPY_ATTRIBUTES] = "category_attributes",
    [HL_COPY_OPEN311] = "open311_requests",
    [HL_COPY_ANSWERS] = "order_attributes",
    [HL_COPY_AUDIT] = "personal_data_reads",
    [HL_COPY_SECURITY] = "security_events",
    [HL_COPY_PUBLISHED] = "published_bulletins",
};

const char *hl_copy_table_name(hl_copy_table table)
{
    return (int)table >= 0 && table < HL_COPY_TABLE_COUNT ? table_names[table] : "?";
}

/* The walk over one store: what it digests, and where it writes (to NULL:
 * a digest only). */
typedef struct walk {
    hl_store *to;
    hl_error *error;
    hl_copy_digest *digest;
    hl_copy_table table;           /* the table being walked */
    crypto_generichash_state row;  /* the hash of the row being read */
    int64_t tally[HL_STATE_COUNT]; /* the orders read, by state */
} walk;

/* A row's fields, each in a layout that cannot run into the next:
 * numbers as 8 bytes little-endian, text as its length then its bytes. */
static void row_begin(walk *w)
{
    crypto_generichash_init(&w->row, NULL, 0, HL_COPY_HASH_BYTES);
}

static void put_bytes(walk *w, const void *bytes, size_t length)
{
    crypto_generichash_update(&w->row, bytes, length);
}

static void put_int(walk *w, int64_t value)
{
    unsigned char bytes[8];
    uint64_t bits = (uint64_t)value;
    for (int index = 0; index < 8; index++)
        bytes[index] = (unsigned char)(bits >> (8 * index));
    put_bytes(w, bytes, sizeof bytes);
}

static void put_double(walk *w, double value)
{
    int64_t bits;
    memcpy(&bits, &value, sizeof bits);
    put_int(w, bits);
}

static void put_text(walk *w, const char *text, size_t capacity)
{
    size_t length = strnlen(text, capacity);
    put_int(w, (int64_t)length);
    put_bytes(w, text, length);
}

#define PUT_FIELD(w, array) put_text((w), (array), sizeof(array))
#define PUT_STRING(w, text) put_text((w), (text), SIZE_MAX)

/* Adds the row's hash to its table's sum (little-endian, with carry). */
static void row_end(walk *w)
{
    unsigned char hash[HL_COPY_HASH_BYTES];
    crypto_generichash_final(&w->row, hash, sizeof hash);
    hl_copy_table_digest *table = &w->digest->tables[w->table];
    unsigned carry = 0;
    for (size_t index = 0; index < sizeof hash; index++) {
        unsigned sum = (unsigned)table->hash[index] + hash[index] + carry;
        table->hash[index] = (unsigned char)sum;
        carry = sum >> 8;
    }
    table->rows++;
}

void hl_copy_digest_remove_config(hl_copy_digest *digest, const char *key, const char *value)
{
    walk w = {.digest = digest, .table = HL_COPY_CONFIG};
    row_begin(&w);
    PUT_STRING(&w, key);
    PUT_STRING(&w, value);
    unsigned char hash[HL_COPY_HASH_BYTES];
    crypto_generichash_final(&w.row, hash, sizeof hash);
    hl_copy_table_digest *table = &digest->tables[HL_COPY_CONFIG];
    unsigned borrow = 0; /* the sum's inverse: subtraction modulo 2^256 */
    for (size_t index = 0; index < sizeof hash; index++) {
        int difference = (int)table->hash[index] - (int)hash[index] - (int)borrow;
        borrow = difference < 0;
        table->hash[index] = (unsigned char)(difference + (borrow ? 256 : 0));
    }
    table->rows--;
}

static int visit_config(void *context, const char *key, const char *value)
{
    walk *w = context;
    row_begin(w);
    PUT_STRING(w, key);
    PUT_STRING(w, value);
    row_end(w);
    return w->to != NULL ? hl_store_config_set(w->to, key, value, w->error) : HL_OK;
}

static int visit_unit(void *context, const hl_unit *unit)
{
    walk *w = context;
    row_begin(w);
    PUT_FIELD(w, unit->code);
    PUT_FIELD(w, unit->name);
    PUT_FIELD(w, unit->group);
    PUT_FIELD(w, unit->parent);
    put_int(w, unit->active);
    row_end(w);
    return w->to != NULL ? hl_store_unit_put(w->to, unit, w->error) : HL_OK;
}

static int visit_category(void *context, const hl_category *category)
{
    walk *w = context;
    row_begin(w);
    PUT_FIELD(w, category->code);
    PUT_FIELD(w, category->name);
    PUT_FIELD(w, category->parent);
    PUT_FIELD(w, category->default_unit);
    put_int(w, category->handle_days);
    put_int(w, category->active);
    row_end(w);
    return w->to != NULL ? hl_store_category_put(w->to, category, w->error) : HL_OK;
}

/* Users are gathered first and their password hashes read after: a
 * backend may stream a scan, and no other statement may run on its
 * connection until the scan ends. */
typedef struct user_list {
    hl_user *users;
    size_t count, room;
} user_list;

static int gather_user(void *context, const hl_user *user)
{
    user_list *list = context;
    HL_ARRAY_GROW(list->users, list->count, list->room);
    list->users[list->count++] = *user;
    return HL_OK;
}

#define PASSWORD_HASH_BYTES 512

/* An account's previous passwords, newest first as the store gives them. */
typedef struct past_password {
    char hash[PASSWORD_HASH_BYTES];
    hl_time set_at;
} past_password;

typedef struct password_list {
    past_password *items;
    size_t count, room;
} password_list;

static int gather_password(void *context, const char *hash, hl_time set_at)
{
    password_list *list = context;
    HL_ARRAY_GROW(list->items, list->count, list->room);
    snprintf(list->items[list->count].hash, PASSWORD_HASH_BYTES, "%s", hash);
    list->items[list->count++].set_at = set_at;
    return HL_OK;
}

/* Writes an account's password history and then its password into the
 * destination: each hash set in turn, oldest first, pushes the one before
 * into the history with its time, as the source's history was made. */
static int put_passwords(walk *w, const char *username, const password_list *history,
                         const char *password, hl_time changed_at)
{
    int result = HL_OK;
    for (size_t index = history->count; index > 0 && result == HL_OK; index--)
        result = hl_store_password_set(w->to, username, history->items[index - 1].hash,
                                       history->items[index - 1].set_at, w->error);
    if (result == HL_OK)
        result = hl_store_password_set(w->to, username, password, changed_at, w->error);
    return result;
}

static int walk_users(hl_store *from, walk *w)
{
    user_list list = {NULL, 0, 0};
    int result = hl_store_user_each(from, gather_user, &list, w->error);
    password_list history = {NULL, 0, 0};
    for (size_t index = 0; index < list.count && result == HL_OK; index++) {
        const hl_user *user = &list.users[index];
        char password[PASSWORD_HASH_BYTES];
        hl_time changed_at = 0;
        history.count = 0;
        result = hl_store_password_get(from, user->username, password, sizeof password, &changed_at,
                                       w->error);
        if (result == HL_OK)
            result = hl_store_password_history(from, user->username, gather_password, &history,
                                               w->error);
        if (result != HL_OK)
            break;
        row_begin(w);
        PUT_FIELD(w, user->username);
        PUT_FIELD(w, user->display_name);
        put_int(w, user->role);
        PUT_FIELD(w, user->unit);
        put_int(w, user->active);
        PUT_STRING(w, password);
        put_int(w, changed_at);
        for (size_t past = 0; past < history.count; past++) {
            PUT_STRING(w, history.items[past].hash);
            put_int(w, history.items[past].set_at);
        }
        row_end(w);
        if (w->to != NULL)
            result = hl_store_user_put(w->to, user, w->error);
        if (w->to != NULL && result == HL_OK)
            result = put_passwords(w, user->username, &history, password, changed_at);
    }
    free(history.items);
    free(list.users);
    return result;
}

static int walk_calendar(hl_store *from, walk *w)
{
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    int result = hl_store_calendar_load(from, &calendar, w->error);
    for (size_t index = 0; index < calendar.count && result == HL_OK; index++) {
        const hl_calendar_entry *entry = &calendar.entries[index];
        row_begin(w);
        put_int(w, entry->day);
        put_int(w, entry->kind);
        PUT_FIELD(w, entry->festival);
        row_end(w);
        if (w->to != NULL)
            result = hl_store_calendar_put(w->to, entry, w->error);
    }
    hl_calendar_free(&calendar);
    return result;
}

static int visit_apikey(void *context, const hl_apikey *key)
{
    walk *w = context;
    row_begin(w);
    put_int(w, key->id);
    PUT_FIELD(w, key->key_hash);
    PUT_FIELD(w, key->key_prefix);
    PUT_FIELD(w, key->name);
    PUT_FIELD(w, key->created_by);
    put_int(w, key->created_at);
    put_int(w, key->rate_per_minute);
    put_int(w, key->revoked);
    put_int(w, key->revoked_at);
    row_end(w);
    return w->to != NULL ? hl_store_apikey_put(w->to, key, w->error) : HL_OK;
}

static int visit_order(void *context, const hl_order *order, const hl_sealed_phone *phone)
{
    walk *w = context;
    row_begin(w);
    put_int(w, order->id);
    put_int(w, order->version);
    put_int(w, order->state);
    put_int(w, order->state_before_return);
    put_int(w, order->channel);
    put_int(w, order->type);
    put_int(w, order->received_at);
    /* Names and addresses, sealed, come as their sealed bytes ("" in the
     * order): the copy, like its phones, opens none. */
    PUT_FIELD(w, order->citizen_name);
    put_int(w, (int64_t)phone->name.length);
    put_bytes(w, phone->name.bytes, phone->name.length);
    put_int(w, (int64_t)phone->address.length);
    put_bytes(w, phone->address.bytes, phone->address.length);
    put_int(w, (int64_t)phone->length);
    put_bytes(w, phone->bytes, phone->length);
    if (phone->length > 0)
        put_bytes(w, phone->hash, sizeof phone->hash);
    PUT_FIELD(w, order->address);
    put_int(w, order->has_location);
    put_double(w, order->latitude);
    put_double(w, order->longitude);
    PUT_FIELD(w, order->category);
    PUT_FIELD(w, order->title);
    PUT_FIELD(w, order->content);
    PUT_FIELD(w, order->registered_by);
    put_int(w, order->publish_consent);
    PUT_FIELD(w, order->lead_unit);
    PUT_FIELD(w, order->co_units);
    put_int(w, order->dispatched_at);
    put_int(w, order->sign_deadline);
    put_int(w, order->signed_at);
    put_int(w, order->return_deadline);
    put_int(w, order->handle_deadline);
    put_int(w, order->due_at);
    PUT_FIELD(w, order->reply);
    put_int(w, order->completed_at);
    put_int(w, order->extension_count);
    put_int(w, order->extension_pending_days);
    put_int(w, order->return_count);
    put_int(w, order->reopen_count);
    put_int(w, order->remind_count);
    put_int(w, order->supervise_count);
    put_int(w, order->duplicate_of);
    put_int(w, order->excluded);
    PUT_FIELD(w, order->excluded_reason);
    put_int(w, order->assessed_month);
    put_int(w, order->survey_attempts);
    put_int(w, order->survey_result);
    put_int(w, order->rating);
    put_int(w, order->resolved);
    PUT_FIELD(w, order->survey_comment);
    put_int(w, order->surveyed_at);
    put_int(w, order->appeal_state);
    PUT_FIELD(w, order->appeal_reason);
    row_end(w);
    if ((int)order->state > 0 && order->state < HL_STATE_COUNT)
        w->tally[order->state]++;
    return w->to != NULL ? hl_store_order_insert_sealed(w->to, order, phone, w->error) : HL_OK;
}

static int visit_phone_entry(void *context, const unsigned char hash[HL_PHONE_HASH_BYTES],
                             hl_time received_at, int64_t order_id)
{
    walk *w = context;
    row_begin(w);
    put_bytes(w, hash, HL_PHONE_HASH_BYTES);
    put_int(w, received_at);
    put_int(w, order_id);
    row_end(w);
    return HL_OK;
}

/* The stored per-state counts, one row per state with orders. */
static int walk_state_counts(hl_store *from, walk *w, int64_t counts[HL_STATE_COUNT])
{
    int result = hl_store_order_state_counts(from, counts, w->error);
    for (int state = 0; state < HL_STATE_COUNT && result == HL_OK; state++) {
        if (counts[state] == 0)
            continue;
        row_begin(w);
        put_int(w, state);
        put_int(w, counts[state]);
        row_end(w);
    }
    return result;
}

static int visit_event(void *context, const hl_event *event)
{
    walk *w = context;
    row_begin(w);
    put_int(w, event->order_id);
    put_int(w, event->seq);
    put_int(w, event->at);
    PUT_FIELD(w, event->actor);
    put_int(w, event->action);
    put_int(w, event->from_state);
    put_int(w, event->to_state);
    PUT_FIELD(w, event->unit);
    PUT_FIELD(w, event->other_unit);
    put_int(w, event->deadline);
    PUT_FIELD(w, event->note);
    PUT_FIELD(w, event->details);
    put_int(w, event->period);
    put_int(w, event->outcome);
    put_int(w, event->rating);
    put_int(w, event->resolved);
    put_int(w, (int64_t)event->flags);
    row_end(w);
    return w->to != NULL ? hl_store_event_append(w->to, event, w->error) : HL_OK;
}

static int visit_rollup(void *context, const hl_rollup_delta *row)
{
    walk *w = context;
    row_begin(w);
    put_int(w, row->month);
    PUT_FIELD(w, row->unit);
    put_int(w, row->counter);
    put_int(w, row->amount);
    row_end(w);
    return w->to != NULL ? hl_store_rollup_add(w->to, row, w->error) : HL_OK;
}

static int visit_session(void *context, const hl_session *session)
{
    walk *w = context;
    row_begin(w);
    PUT_FIELD(w, session->token_hash);
    PUT_FIELD(w, session->username);
    put_int(w, session->created_at);
    put_int(w, session->expires_at);
    put_int(w, session->revoked);
    row_end(w);
    return w->to != NULL ? hl_store_session_put(w->to, session, w->error) : HL_OK;
}

static int visit_attribute(void *context, const hl_attribute *attribute)
{
    walk *w = context;
    row_begin(w);
    PUT_FIELD(w, attribute->category);
    PUT_FIELD(w, attribute->code);
    put_int(w, attribute->position);
    put_int(w, attribute->datatype);
    put_int(w, attribute->required);
    put_int(w, attribute->variable);
    PUT_FIELD(w, attribute->description);
    PUT_FIELD(w, attribute->datatype_description);
    PUT_FIELD(w, attribute->values);
    row_end(w);
    return w->to != NULL ? hl_store_attribute_put(w->to, attribute, w->error) : HL_OK;
}

static int visit_open311(void *context, const hl_open311_record *record)
{
    walk *w = context;
    row_begin(w);
    put_int(w, record->order_id);
    put_int(w, record->api_key_id);
    PUT_FIELD(w, record->email);
    PUT_FIELD(w, record->device_id);
    PUT_FIELD(w, record->account_id);
    PUT_FIELD(w, record->address_id);
    PUT_FIELD(w, record->media_url);
    row_end(w);
    return w->to != NULL ? hl_store_open311_put(w->to, record, w->error) : HL_OK;
}

static int visit_answer(void *context, int64_t order_id, const char *code, int seq,
                        const char *value)
{
    walk *w = context;
    row_begin(w);
    put_int(w, order_id);
    PUT_STRING(w, code);
    put_int(w, seq);
    PUT_STRING(w, value);
    row_end(w);
    return w->to != NULL ? hl_store_answer_put(w->to, order_id, code, seq, value, w->error) : HL_OK;
}

static int visit_audit(void *context, const hl_audit_read *read)
{
    walk *w = context;
    row_begin(w);
    put_int(w, read->id);
    put_int(w, read->at);
    PUT_FIELD(w, read->actor);
    put_int(w, read->order_id);
    PUT_FIELD(w, read->route);
    row_end(w);
    return w->to != NULL ? hl_store_audit_put(w->to, read, w->error) : HL_OK;
}

/* The events and the security events, in their chains' order: each
 * takes the destination's next link, so an empty destination rebuilds the
 * source's chains link for link, and what names a link (a published
 * bulletin's event chain head) names the same one in the copy. */
static int visit_security(walk *w, const hl_security_event *event)
{
    row_begin(w);
    put_int(w, event->seq);
    put_int(w, event->at);
    PUT_FIELD(w, event->actor);
    PUT_FIELD(w, event->address);
    PUT_FIELD(w, event->action);
    PUT_FIELD(w, event->target);
    PUT_FIELD(w, event->outcome);
    PUT_FIELD(w, event->detail);
    row_end(w);
    return w->to != NULL ? hl_store_security_append(w->to, event, w->error) : HL_OK;
}

static int visit_chain_record(void *context, const hl_chain_record *record)
{
    walk *w = context;
    return record->kind == HL_CHAIN_EVENTS ? visit_event(w, &record->as.event)
                                           : visit_security(w, &record->as.security);
}

/* A published edition, verbatim: its figures, the event chain's head it
 * names (the events are copied byte for byte before it, so the head is
 * the destination's too) and its digest. */
static int visit_publication(void *context, const hl_publication *publication)
{
    walk *w = context;
    row_begin(w);
    put_int(w, publication->month);
    put_int(w, publication->edition);
    put_int(w, publication->published_at);
    PUT_FIELD(w, publication->published_by);
    put_int(w, publication->chain.seq);
    PUT_FIELD(w, publication->chain.hash);
    put_int(w, publication->surveyed);
    put_int(w, publication->reached);
    put_int(w, publication->satisfied);
    PUT_FIELD(w, publication->note);
    PUT_FIELD(w, publication->digest);
    PUT_STRING(w, publication->document != NULL ? publication->document : "");
    row_end(w);
    return w->to != NULL ? hl_store_publication_append(w->to, publication, w->error) : HL_OK;
}

/* An audit chain moves with its anchor (docs/security.md, "Retention and
 * archives"): the destination's chain starts where the source's does, so
 * that every record keeps its link, and the audit.archive event that names
 * the anchor moves with the other security events. An anchor other than
 * the genesis is digested as a row of its own: a store never archived
 * digests as before. */
static int start_at_anchor(hl_store *from, walk *w, hl_chain_kind kind)
{
    hl_chain_head anchor;
    int result = hl_store_chain_anchor(from, kind, &anchor, w->error);
    if (result == HL_OK && anchor.seq > 0) {
        row_begin(w);
        put_int(w, anchor.seq);
        PUT_FIELD(w, anchor.hash);
        row_end(w);
        if (w->to != NULL)
            result = hl_store_chain_start(w->to, kind, &anchor, w->error);
    }
    return result;
}

static int walk_audit(hl_store *from, walk *w)
{
    int result = start_at_anchor(from, w, HL_CHAIN_READS);
    if (result == HL_OK)
        result = hl_store_audit_each(from, visit_audit, w, w->error);
    return result;
}

static int walk_security(hl_store *from, walk *w)
{
    int result = start_at_anchor(from, w, HL_CHAIN_SECURITY);
    if (result == HL_OK)
        result = hl_store_chain_scan(from, HL_CHAIN_SECURITY, visit_chain_record, w, w->error);
    return result;
}

/* Walks every table of from in the order of hl_copy_table (keys before the
 * Open311 records that name them, orders before what names an order), in
 * the caller's transaction. counts receives the stored per-state counts. */
static int walk_store(hl_store *from, walk *w, int64_t counts[HL_STATE_COUNT])
{
    int result = HL_OK;
    for (int table = 0; table < HL_COPY_TABLE_COUNT && result == HL_OK; table++) {
        w->table = (hl_copy_table)table;
        switch (w->table) {
        case HL_COPY_CONFIG: result = hl_store_config_each(from, visit_config, w, w->error); break;
        case HL_COPY_UNITS: result = hl_store_unit_each(from, visit_unit, w, w->error); break;
        case HL_COPY_CATEGORIES:
            result = hl_store_category_each(from, visit_category, w, w->error);
            break;
        case HL_COPY_USERS: result = walk_users(from, w); break;
        case HL_COPY_CALENDAR: result = walk_calendar(from, w); break;
        case HL_COPY_API_KEYS:
            result = hl_store_apikey_each(from, visit_apikey, w, w->error);
            break;
        case HL_COPY_ORDERS:
            result = hl_store_order_scan_sealed(from, visit_order, w, w->error);
            break;
        case HL_COPY_PHONE_INDEX:
            result = hl_store_phone_index_scan(from, visit_phone_entry, w, w->error);
            break;
        case HL_COPY_STATE_COUNTS: result = walk_state_counts(from, w, counts); break;
        case HL_COPY_EVENTS:
            result = hl_store_chain_scan(from, HL_CHAIN_EVENTS, visit_chain_record, w, w->error);
            break;
        case HL_COPY_ROLLUPS: result = hl_store_rollup_each(from, visit_rollup, w, w->error); break;
        case HL_COPY_SESSIONS:
            result = hl_store_session_each(from, visit_session, w, w->error);
            break;
        case HL_COPY_ATTRIBUTES:
            result = hl_store_attribute_each(from, NULL, visit_attribute, w, w->error);
            break;
        case HL_COPY_OPEN311:
            result = hl_store_open311_each(from, visit_open311, w, w->error);
            break;
        case HL_COPY_ANSWERS: result = hl_store_answer_scan(from, visit_answer, w, w->error); break;
        case HL_COPY_AUDIT: result = walk_audit(from, w); break;
        case HL_COPY_SECURITY: result = walk_security(from, w); break;
        case HL_COPY_PUBLISHED:
            result = hl_store_publication_each(from, 0, visit_publication, w, w->error);
            break;
        case HL_COPY_TABLE_COUNT: break;
        }
    }
    return result;
}

int hl_copy_digest_store(hl_store *store, hl_copy_digest *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    int result = hl_store_begin_read(store, error);
    if (result != HL_OK)
        return result;
    walk w;
    memset(&w, 0, sizeof w);
    w.error = error;
    w.digest = out;
    int64_t counts[HL_STATE_COUNT];
    result = walk_store(store, &w, counts);
    hl_store_rollback(store);
    return result;
}

bool hl_copy_digest_equal(const hl_copy_digest *a, const hl_copy_digest *b, hl_copy_table *table)
{
    for (int index = 0; index < HL_COPY_TABLE_COUNT; index++) {
        const hl_copy_table_digest *left = &a->tables[index], *right = &b->tables[index];
        if (left->rows != right->rows || memcmp(left->hash, right->hash, sizeof left->hash) != 0) {
            if (table != NULL)
                *table = (hl_copy_table)index;
            return false;
        }
    }
    return true;
}

/* The destination's emptiness: each probe stops at the first row. */
enum { FOUND = 1 };
static int found_config(void *c, const char *k, const char *v)
{
    (void)c, (void)k, (void)v;
    return FOUND;
}
static int found_unit(void *c, const hl_unit *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_category(void *c, const hl_category *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_user(void *c, const hl_user *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_apikey(void *c, const hl_apikey *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_head(void *c, int64_t id, hl_state s, int64_t v)
{
    (void)c, (void)id, (void)s, (void)v;
    return FOUND;
}
static int found_event(void *c, const hl_event *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_rollup(void *c, const hl_rollup_delta *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_session(void *c, const hl_session *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_attribute(void *c, const hl_attribute *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_open311(void *c, const hl_open311_record *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_answer(void *c, int64_t o, const char *k, int s, const char *v)
{
    (void)c, (void)o, (void)k, (void)s, (void)v;
    return FOUND;
}
static int found_audit(void *c, const hl_audit_read *r)
{
    (void)c, (void)r;
    return FOUND;
}
static int found_phone(void *c, const unsigned char h[HL_PHONE_HASH_BYTES], hl_time t, int64_t o)
{
    (void)c, (void)h, (void)t, (void)o;
    return FOUND;
}

/* HL_OK when every table of store is empty; HL_ECONFLICT naming the first
 * that is not. */
static int check_empty(hl_store *store, hl_error *error)
{
    const char *table = NULL;
    int result = HL_OK;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
#define PROBE(name, call)                                                                          \
    if (result == HL_OK && table == NULL) {                                                        \
        result = (call);                                                                           \
        if (result == FOUND) {                                                                     \
            table = (name);                                                                        \
            result = HL_OK;                                                                        \
        }                                                                                          \
    }
    PROBE("config", hl_store_config_each(store, found_config, NULL, error))
    PROBE("units", hl_store_unit_each(store, found_unit, NULL, error))
    PROBE("categories", hl_store_category_each(store, found_category, NULL, error))
    PROBE("users", hl_store_user_each(store, found_user, NULL, error))
    PROBE("api_keys", hl_store_apikey_each(store, found_apikey, NULL, error))
    PROBE("orders", hl_store_order_heads(store, found_head, NULL, error))
    PROBE("phone_index", hl_store_phone_index_scan(store, found_phone, NULL, error))
    PROBE("events", hl_store_event_scan(store, found_event, NULL, error))
    PROBE("rollups", hl_store_rollup_each(store, found_rollup, NULL, error))
    PROBE("sessions", hl_store_session_each(store, found_session, NULL, error))
    PROBE("category_attributes", hl_store_attribute_each(store, NULL, found_attribute, NULL, error))
    PROBE("open311_requests", hl_store_open311_each(store, found_open311, NULL, error))
    PROBE("order_attributes", hl_store_answer_scan(store, found_answer, NULL, error))
    PROBE("personal_data_reads", hl_store_audit_each(store, found_audit, NULL, error))
#undef PROBE
    if (result == HL_OK && table == NULL) {
        result = hl_store_calendar_load(store, &calendar, error);
        if (result == HL_OK && calendar.count > 0)
            table = "calendar";
    }
    hl_calendar_free(&calendar);
    if (result == HL_OK && table != NULL)
        result = hl_error_set(
            error, HL_ECONFLICT, NULL,
            HL_T("目标数据库不是空的（%s 表已有数据）：只能复制到空数据库，未作任何更改",
                 "the destination is not empty (its %s table has rows): a copy "
                 "goes only into an empty store; nothing was changed"),
            table);
    return result;
}

/* The per-state counts the destination rebuilt from the orders must be
 * the source's: checked before the commit against the orders read (the
 * destination's own counts are written at its commit). */
static int check_tally(const walk *w, const int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    for (int state = 1; state < HL_STATE_COUNT; state++)
        if (w->tally[state] != counts[state])
            return hl_error_set(error, HL_EMISMATCH, NULL, "%s",
                                HL_T("源数据库各状态的工单计数与其工单不符（请先运行 hotline "
                                     "verify）：未复制",
                                     "the source's per-state order counts disagree with its "
                                     "orders (run hotline verify on it): nothing was copied"));
    return HL_OK;
}

static int copy_in_transactions(hl_store *from, hl_store *to, hl_copy_digest *digest,
                                hl_error *error)
{
    int result = hl_store_begin_read(from, error);
    if (result != HL_OK)
        return result;
    hl_store_set_bulk(to, true);
    result = hl_store_begin(to, error);
    if (result != HL_OK) {
        hl_store_set_bulk(to, false);
        hl_store_rollback(from);
        return result;
    }
    result = check_empty(to, error);
    walk *w = hl_xcalloc(1, sizeof *w);
    w->to = to;
    w->error = error;
    w->digest = digest;
    int64_t counts[HL_STATE_COUNT] = {0};
    if (result == HL_OK)
        result = walk_store(from, w, counts);
    if (result == HL_OK)
        result = check_tally(w, counts, error);
    free(w);
    hl_store_rollback(from);
    result = hl_store_finish(to, result, error);
    hl_store_set_bulk(to, false);
    return result;
}

int hl_copy_stores(hl_store *from, hl_store *to, hl_copy_digest *copied, hl_error *error)
{
    HL_REQUIRE(from != NULL && to != NULL);
    hl_copy_digest *source = hl_xcalloc(2, sizeof *source);
    hl_copy_digest *written = source + 1;
    int result = copy_in_transactions(from, to, source, error);
    if (result == HL_OK)
        result = hl_copy_digest_store(to, written, error);
    hl_copy_table table = HL_COPY_CONFIG;
    if (result == HL_OK && !hl_copy_digest_equal(source, written, &table))
        result = hl_error_set(error, HL_EMISMATCH, NULL,
                              HL_T("复制后目标数据库的 %s 表与源不同",
                                   "after the copy the destination's %s table differs from the "
                                   "source's"),
                              hl_copy_table_name(table));
    if (result == HL_OK && copied != NULL)
        *copied = *source;
    free(source);
    return result;
}

/* A path, not a server's address: PostgreSQL's begin with a scheme. */
static bool is_path(const char *address)
{
    return strstr(address, "://") == NULL;
}

int hl_copy(const char *from, const char *to, hl_copy_digest *copied, hl_error *error)
{
    HL_REQUIRE(from != NULL && to != NULL);
    if (strcmp(from, to) == 0)
        return hl_error_set(error, HL_EINVAL, "to", "%s",
                            HL_T("源与目标是同一个数据库", "the source and the destination are "
                                                           "the same store"));
    if (is_path(from) && access(from, F_OK) != 0)
        return hl_error_set(error, HL_EINVAL, "from",
                            HL_T("源数据库 %s 不存在", "the source store %s does not exist"), from);
    hl_store *source = NULL, *destination = NULL;
    int result = hl_store_open(from, &source, error);
    if (result == HL_OK)
        result = hl_store_open(to, &destination, error);
    if (result == HL_OK)
        result = hl_copy_stores(source, destination, copied, error);
    hl_store_close(destination);
    hl_store_close(source);
    return result;
}
