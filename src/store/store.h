/* store.h: persistence behind one interface.
 *
 * app/ talks to a store only through these functions; a backend (SQLite in
 * store/sqlite/, PostgreSQL in store/postgres/) fills an hl_store_ops table, and
 * hl_store_open picks the backend from the address. SQL lives
 * in the backends and nowhere else. Transactions are explicit: app/ begins
 * and commits; every write below must happen inside a transaction.
 *
 * Durability: a backend makes a committed transaction survive a crash or a
 * power cut (SQLite: WAL with synchronous=FULL; PostgreSQL: the server's
 * WAL with synchronous_commit on) unless hl_store_set_bulk
 * was turned on for a bulk load, where only the final commit is synced. */
#ifndef HL_STORE_H
#define HL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "domain/attribute.h"
#include "domain/calendar.h"
#include "domain/directory.h"
#include "domain/order.h"
#include "domain/query.h"
#include "domain/rollup.h"
#include "domain/workflow.h"

typedef struct hl_store hl_store;

/* A login session. The token itself is never stored: token_hash is the
 * hex of its BLAKE2b hash (app/auth.c makes both). */
#define HL_SESSION_HASH_BYTES 65 /* 64 hex digits and NUL */
typedef struct hl_session {
    char token_hash[HL_SESSION_HASH_BYTES];
    char username[HL_CODE_BYTES];
    hl_time created_at;
    hl_time expires_at;
    bool revoked;
} hl_session;

/* An Open311 API key. The key itself is never stored: key_hash is the hex
 * of its BLAKE2b hash, key_prefix its first characters, so that an
 * administrator can tell keys apart in a list (app/apikey.c makes both). */
#define HL_APIKEY_HASH_BYTES 65  /* 64 hex digits and NUL */
#define HL_APIKEY_PREFIX_BYTES 9 /* 8 characters and NUL */
typedef struct hl_apikey {
    int64_t id; /* given by the store at insert */
    char key_hash[HL_APIKEY_HASH_BYTES];
    char key_prefix[HL_APIKEY_PREFIX_BYTES];
    char name[HL_NAME_BYTES];       /* the application it was given to */
    char created_by[HL_CODE_BYTES]; /* the administrator; "" for the command line */
    hl_time created_at;
    int rate_per_minute; /* POST requests per minute (reads: ten times as many) */
    bool revoked;
    hl_time revoked_at; /* 0 while valid */
} hl_apikey;

/* What an Open311 request brought beyond the order's registration fields:
 * the key it came with and the parameters the order has no place for.
 * Personal data (email) never leaves through the public reads. */
#define HL_EMAIL_CHARS 254
#define HL_EMAIL_BYTES (HL_EMAIL_CHARS + 1) /* ASCII */
#define HL_MEDIA_URL_CHARS 1024
#define HL_MEDIA_URL_BYTES (HL_MEDIA_URL_CHARS + 1) /* ASCII */
typedef struct hl_open311_record {
    int64_t order_id;
    int64_t api_key_id;
    char email[HL_EMAIL_BYTES];
    char device_id[HL_NAME_BYTES];
    char account_id[HL_NAME_BYTES];
    char address_id[HL_NAME_BYTES];
    char media_url[HL_MEDIA_URL_BYTES];
} hl_open311_record;

/* How the store keeps citizens' phone numbers, names and addresses
 * (app/secrets.c provides it; the store holds no key and no cryptography
 * of its own). A phone is written as its sealed form (at most
 * HL_PHONE_SEALED_MAX_BYTES) beside a search hash of HL_PHONE_HASH_BYTES,
 * and read back through open; a name or an address through seal_text and
 * open_text, without a hash. Each function returns HL_OK or fills error. */
#define HL_PHONE_SEALED_MAX_BYTES 128
#define HL_PHONE_HASH_BYTES 16
/* The personal texts of an order sealed besides its phone. */
typedef enum hl_sealed_field { HL_SEALED_NAME, HL_SEALED_ADDRESS } hl_sealed_field;
#define HL_SEALED_TEXT_MAX_BYTES 1024
typedef struct hl_phone_codec {
    void *context;
    /* Seals a phone number (never "") into sealed (*length bytes) and
     * writes its search hash. */
    int (*seal)(void *context, const char *phone, unsigned char *sealed, size_t *length,
                unsigned char hash[HL_PHONE_HASH_BYTES], hl_error *error);
    /* Opens a sealed number into phone (size bytes, NUL-terminated);
     * HL_EIO when it cannot (another key, damaged bytes). */
    int (*open)(void *context, const unsigned char *sealed, size_t length, char *phone, size_t size,
                hl_error *error);
    /* The search hash of a number as someone wrote it (the same for every
     * way of writing one number); HL_EINVAL (field "phone") when it holds
     * no digit. */
    int (*hash)(void *context, const char *phone, unsigned char hash[HL_PHONE_HASH_BYTES],
                hl_error *error);
    /* Seals a citizen's name or address (never "") into sealed (*length
     * bytes, at most HL_SEALED_TEXT_MAX_BYTES), padded so that every
     * sealed text of one field has one length. */
    int (*seal_text)(void *context, hl_sealed_field field, const char *text, unsigned char *sealed,
                     size_t *length, hl_error *error);
    /* Opens a sealed name or address into text (size bytes,
     * NUL-terminated); HL_EIO when it cannot. */
    int (*open_text)(void *context, hl_sealed_field field, const unsigned char *sealed,
                     size_t length, char *text, size_t size, hl_error *error);
} hl_phone_codec;

/* A name or an address as sealed (length 0: none, or not sealed yet). */
typedef struct hl_sealed_text {
    unsigned char bytes[HL_SEALED_TEXT_MAX_BYTES];
    size_t length;
} hl_sealed_text;

/* A phone number sealed ahead of its insert (an import seals on the
 * thread that reads rows, while another writes them). length 0: no phone. */
typedef struct hl_sealed_phone {
    unsigned char bytes[HL_PHONE_SEALED_MAX_BYTES];
    size_t length;
    unsigned char hash[HL_PHONE_HASH_BYTES];
    /* The citizen's name and address sealed the same way ahead of the
     * insert; a length 0 with a text in the order: the store seals it. */
    hl_sealed_text name, address;
} hl_sealed_phone;

/* One time a citizen's full phone number was given out: when, to whom
 * (a username, or "cli:<os user>" for the command line), which order, and
 * by which route or command. Kept in the append-only personal_data_reads. */
#define HL_AUDIT_ACTOR_BYTES 80
#define HL_AUDIT_ROUTE_BYTES 96
typedef struct hl_audit_read {
    int64_t id; /* given by the store, in the order the reads were written */
    hl_time at;
    char actor[HL_AUDIT_ACTOR_BYTES];
    int64_t order_id;
    char route[HL_AUDIT_ROUTE_BYTES];
} hl_audit_read;

/* One security event (docs/security.md, "Tamper-evident audit and event
 * log"): when, who acted (a username, "cli:<os user>", or what a failed
 * login named), from which address ("" for the command line), what
 * (action: a short stable English code such as "login" or "apikey.create"),
 * on what (target: a username, a key's id, a setting; "" when none), how
 * it ended (outcome: "success", "failure" or "refused") and a detail for
 * people. Kept in the append-only security_events, in a hash chain. */
#define HL_SECURITY_ADDRESS_BYTES 64
#define HL_SECURITY_ACTION_BYTES 48
#define HL_SECURITY_OUTCOME_BYTES 16
#define HL_SECURITY_DETAIL_BYTES 256
typedef struct hl_security_event {
    int64_t seq; /* its place in the chain, given by the store */
    hl_time at;
    char actor[HL_AUDIT_ACTOR_BYTES];
    char address[HL_SECURITY_ADDRESS_BYTES];
    char action[HL_SECURITY_ACTION_BYTES];
    char target[HL_AUDIT_ACTOR_BYTES];
    char outcome[HL_SECURITY_OUTCOME_BYTES];
    char detail[HL_SECURITY_DETAIL_BYTES];
} hl_security_event;

/* The hash chains over the logs (store/chain.h says how a link is made). */
typedef enum hl_chain_kind {
    HL_CHAIN_EVENTS,   /* events */
    HL_CHAIN_READS,    /* personal_data_reads */
    HL_CHAIN_SECURITY, /* security_events */
    HL_CHAIN_COUNT
} hl_chain_kind;
#define HL_CHAIN_HEX_CHARS 64
/* A record's place in its chain: seq (0: the record has no link), the hash
 * of the record before (prev) and its own, each 64 hex digits ("" when
 * the store holds none). */
typedef struct hl_chain_link {
    int64_t seq;
    char prev[HL_CHAIN_HEX_CHARS + 1];
    char hash[HL_CHAIN_HEX_CHARS + 1];
} hl_chain_link;
/* A chain's head: the last record's seq and hash (0 and the genesis hash
 * for an empty chain). */
typedef struct hl_chain_head {
    int64_t seq;
    char hash[HL_CHAIN_HEX_CHARS + 1];
} hl_chain_head;
/* A record of any chain with its link, as a chain scan gives it. */
typedef struct hl_chain_record {
    hl_chain_kind kind;
    hl_chain_link link;
    union {
        hl_event event;
        hl_audit_read read;
        hl_security_event security;
    } as;
} hl_chain_record;
typedef int (*hl_chain_visitor)(void *context, const hl_chain_record *record);
typedef int (*hl_security_visitor)(void *context, const hl_security_event *event);

/* One published edition of a month's bulletin (app/publish.c, docs/security.md
 * "Published bulletins"), kept in the append-only published_bulletins:
 * the month and its edition (1, then 2, ... only when a new edition is
 * asked for), who published it and when, the head of the event chain its
 * figures were computed from, its headline figures, the note a new
 * edition gives, the frozen inputs of the whole bulletin (document, a CSV
 * text app/publish.c writes and reads) and the digest over all of it. */
#define HL_PUBLICATION_NOTE_BYTES 256
typedef struct hl_publication {
    int month;   /* yyyymm */
    int edition; /* 1 for the first */
    hl_time published_at;
    char published_by[HL_AUDIT_ACTOR_BYTES];
    hl_chain_head chain; /* the events chain's head the figures were computed from */
    int64_t surveyed, reached, satisfied;
    char note[HL_PUBLICATION_NOTE_BYTES];
    char digest[HL_CHAIN_HEX_CHARS + 1];
    const char *document; /* owned by whoever filled the struct; valid during a visit */
} hl_publication;
typedef int (*hl_publication_visitor)(void *context, const hl_publication *publication);

/* A counter of events in a fixed window, kept in the store so that every
 * server on it counts alike (login failures, request budgets: app/throttle).
 * A key names the counter ("login:u:zhang", "rate:k:7:post"; at most
 * HL_THROTTLE_KEY_BYTES - 1 bytes). */
#define HL_THROTTLE_KEY_BYTES 128
typedef struct hl_throttle {
    int64_t count;        /* events counted in the window; 0 when none runs */
    hl_time window_start; /* when the window began (its first event); 0 when none runs */
    hl_time window_end;   /* window_start + its length; 0 when none runs */
} hl_throttle;

/* Receives the sum of one rollup counter for one month. */
typedef int (*hl_month_total_visitor)(void *context, int month, int64_t total);

/* Visitors return 0 to go on, anything else to stop (that value is returned). */
typedef int (*hl_unit_visitor)(void *context, const hl_unit *unit);
typedef int (*hl_category_visitor)(void *context, const hl_category *category);
typedef int (*hl_user_visitor)(void *context, const hl_user *user);
typedef int (*hl_rollup_visitor)(void *context, const hl_rollup_delta *row);
typedef int (*hl_order_head_visitor)(void *context, int64_t id, hl_state state, int64_t version);
typedef int (*hl_apikey_visitor)(void *context, const hl_apikey *key);
typedef int (*hl_attribute_visitor)(void *context, const hl_attribute *attribute);
/* One answer to a category attribute (value valid during the call only). */
typedef int (*hl_answer_visitor)(void *context, const char *code, int seq, const char *value);
typedef int (*hl_audit_visitor)(void *context, const hl_audit_read *read);
/* The visitors of the verbatim reads that move a store whole (app/copy.c). */
typedef int (*hl_session_visitor)(void *context, const hl_session *session);
/* A password an account used before: its hash and when it was set. */
typedef int (*hl_password_visitor)(void *context, const char *hash, hl_time set_at);
typedef int (*hl_open311_visitor)(void *context, const hl_open311_record *record);
/* One answer of one order (code and value valid during the call only). */
typedef int (*hl_order_answer_visitor)(void *context, int64_t order_id, const char *code, int seq,
                                       const char *value);
/* An order as stored: its phone left "" in order and given as the sealed
 * bytes and search hash instead (phone->length 0: no phone). */
typedef int (*hl_sealed_order_visitor)(void *context, const hl_order *order,
                                       const hl_sealed_phone *phone);
/* One entry of the phone index: a search hash, a received time, an order. */
typedef int (*hl_phone_index_visitor)(void *context, const unsigned char hash[HL_PHONE_HASH_BYTES],
                                      hl_time received_at, int64_t order_id);

typedef struct hl_store_ops {
    void (*close)(hl_store *store);
    /* The schema version this build writes in this backend's stores. */
    int (*schema_version)(void);
    int (*begin)(hl_store *store, hl_error *error);
    int (*begin_read)(hl_store *store, hl_error *error);
    int (*commit)(hl_store *store, hl_error *error);
    int (*rollback)(hl_store *store);
    void (*set_bulk)(hl_store *store, bool bulk);
    void (*set_background_checkpoints)(hl_store *store, bool on);
    int (*checkpoint)(hl_store *store, hl_error *error);

    int (*config_get)(hl_store *store, const char *key, char *value, size_t size, hl_error *error);
    int (*config_set)(hl_store *store, const char *key, const char *value, hl_error *error);
    int (*config_each)(hl_store *store,
                       int (*visit)(void *context, const char *key, const char *value),
                       void *context, hl_error *error);

    int (*unit_put)(hl_store *store, const hl_unit *unit, hl_error *error);
    int (*unit_get)(hl_store *store, const char *code, hl_unit *out, hl_error *error);
    int (*unit_each)(hl_store *store, hl_unit_visitor visit, void *context, hl_error *error);
    int (*category_put)(hl_store *store, const hl_category *category, hl_error *error);
    int (*category_get)(hl_store *store, const char *code, hl_category *out, hl_error *error);
    int (*category_each)(hl_store *store, hl_category_visitor visit, void *context,
                         hl_error *error);
    int (*user_put)(hl_store *store, const hl_user *user, hl_error *error);
    int (*user_get)(hl_store *store, const char *username, hl_user *out, hl_error *error);
    int (*user_each)(hl_store *store, hl_user_visitor visit, void *context, hl_error *error);

    int (*calendar_load)(hl_store *store, hl_calendar *out, hl_error *error);
    int (*calendar_put)(hl_store *store, const hl_calendar_entry *entry, hl_error *error);

    int (*order_max_id)(hl_store *store, int64_t from_id, int64_t to_id, int64_t *out,
                        hl_error *error);
    int (*order_insert)(hl_store *store, const hl_order *order, const hl_sealed_phone *sealed,
                        hl_error *error);
    int (*order_update)(hl_store *store, const hl_order *order, int64_t expected_version,
                        hl_error *error);
    int (*order_get)(hl_store *store, int64_t id, hl_order *out, hl_error *error);
    int (*order_query)(hl_store *store, const hl_order_filter *filter, hl_order_visitor visit,
                       void *context, hl_error *error);
    int (*order_count)(hl_store *store, const hl_order_filter *filter, int64_t *out,
                       hl_error *error);
    int (*order_count_by_state)(hl_store *store, const hl_order_filter *filter,
                                int64_t counts[HL_STATE_COUNT], hl_error *error);
    int (*order_count_by_category)(hl_store *store, hl_time received_from, hl_time received_to,
                                   hl_category_count_visitor visit, void *context, hl_error *error);
    int (*order_heads)(hl_store *store, hl_order_head_visitor visit, void *context,
                       hl_error *error);
    int (*order_state_counts)(hl_store *store, int64_t counts[HL_STATE_COUNT], hl_error *error);

    int (*event_append)(hl_store *store, const hl_event *event, hl_error *error);
    int (*event_list)(hl_store *store, int64_t order_id, hl_event_visitor visit, void *context,
                      hl_error *error);
    int (*event_scan)(hl_store *store, hl_event_visitor visit, void *context, hl_error *error);

    int (*rollup_add)(hl_store *store, const hl_rollup_delta *delta, hl_error *error);
    int (*rollup_each)(hl_store *store, hl_rollup_visitor visit, void *context, hl_error *error);
    int (*rollup_month)(hl_store *store, int month, hl_rollup_visitor visit, void *context,
                        hl_error *error);
    int (*rollup_months)(hl_store *store, hl_counter counter, hl_month_total_visitor visit,
                         void *context, hl_error *error);

    int (*password_get)(hl_store *store, const char *username, char *hash, size_t size,
                        hl_time *changed_at, hl_error *error);
    int (*password_set)(hl_store *store, const char *username, const char *hash, hl_time changed_at,
                        hl_error *error);
    int (*password_history)(hl_store *store, const char *username, hl_password_visitor visit,
                            void *context, hl_error *error);
    int (*session_put)(hl_store *store, const hl_session *session, hl_error *error);
    int (*session_get)(hl_store *store, const char *token_hash, hl_session *out, hl_error *error);
    int (*session_revoke)(hl_store *store, const char *token_hash, hl_error *error);
    int (*session_revoke_user)(hl_store *store, const char *username, const char *except_hash,
                               hl_error *error);
    int (*session_purge)(hl_store *store, hl_time now, hl_error *error);
    int (*session_touch)(hl_store *store, const char *token_hash, hl_time expires_at,
                         hl_error *error);

    int (*apikey_insert)(hl_store *store, hl_apikey *key, hl_error *error);
    int (*apikey_get)(hl_store *store, int64_t id, hl_apikey *out, hl_error *error);
    int (*apikey_find)(hl_store *store, const char *key_hash, hl_apikey *out, hl_error *error);
    int (*apikey_each)(hl_store *store, hl_apikey_visitor visit, void *context, hl_error *error);
    int (*apikey_revoke)(hl_store *store, int64_t id, hl_time at, hl_error *error);
    int (*attribute_put)(hl_store *store, const hl_attribute *attribute, hl_error *error);
    int (*attribute_clear)(hl_store *store, const char *category, hl_error *error);
    int (*attribute_each)(hl_store *store, const char *category, hl_attribute_visitor visit,
                          void *context, hl_error *error);
    int (*open311_put)(hl_store *store, const hl_open311_record *record, hl_error *error);
    int (*open311_get)(hl_store *store, int64_t order_id, hl_open311_record *out, hl_error *error);
    int (*answer_put)(hl_store *store, int64_t order_id, const char *code, int seq,
                      const char *value, hl_error *error);
    int (*answer_each)(hl_store *store, int64_t order_id, hl_answer_visitor visit, void *context,
                       hl_error *error);
    int (*event_get)(hl_store *store, int64_t order_id, int64_t seq, hl_event *out,
                     hl_error *error);
    int (*event_query)(hl_store *store, const hl_event_filter *filter, hl_event_visitor visit,
                       void *context, hl_error *error);
    int (*event_count)(hl_store *store, const hl_event_filter *filter, int64_t *out,
                       hl_error *error);
    void (*set_phone_codec)(hl_store *store, const hl_phone_codec *codec);
    int (*seal_phones)(hl_store *store, hl_error *error);
    int (*audit_append)(hl_store *store, const hl_audit_read *read, hl_error *error);
    int (*audit_query)(hl_store *store, const hl_audit_filter *filter, hl_audit_visitor visit,
                       void *context, hl_error *error);
    int (*audit_count)(hl_store *store, const hl_audit_filter *filter, int64_t *out,
                       hl_error *error);
    int (*throttle_hit)(hl_store *store, const char *key, hl_time now, int window_seconds,
                        int64_t limit, hl_throttle *out, hl_error *error);
    int (*throttle_get)(hl_store *store, const char *key, hl_time now, hl_throttle *out,
                        hl_error *error);
    int (*throttle_reset)(hl_store *store, const char *key, hl_error *error);
    int (*throttle_purge)(hl_store *store, hl_time now, hl_error *error);

    /* Moving a store whole (app/copy.c): the reads and writes the use
     * cases never need, because they keep a row's own identity (an id, a
     * sealed phone) instead of making one. A backend that lacks them
     * leaves them NULL: the wrappers answer HL_EIO. */
    int (*order_scan_sealed)(hl_store *store, hl_sealed_order_visitor visit, void *context,
                             hl_error *error);
    int (*phone_index_scan)(hl_store *store, hl_phone_index_visitor visit, void *context,
                            hl_error *error);
    int (*session_each)(hl_store *store, hl_session_visitor visit, void *context, hl_error *error);
    int (*apikey_put)(hl_store *store, const hl_apikey *key, hl_error *error);
    int (*open311_each)(hl_store *store, hl_open311_visitor visit, void *context, hl_error *error);
    int (*answer_scan)(hl_store *store, hl_order_answer_visitor visit, void *context,
                       hl_error *error);
    int (*audit_each)(hl_store *store, hl_audit_visitor visit, void *context, hl_error *error);
    int (*audit_put)(hl_store *store, const hl_audit_read *read, hl_error *error);

    /* The hash chains (store/chain.h). */
    int (*chain_scan)(hl_store *store, hl_chain_kind kind, hl_chain_visitor visit, void *context,
                      hl_error *error);
    int (*chain_head)(hl_store *store, hl_chain_kind kind, hl_chain_head *out, hl_error *error);
    int (*chain_anchor)(hl_store *store, hl_chain_kind kind, hl_chain_head *out, hl_error *error);
    int (*chain_cut)(hl_store *store, hl_chain_kind kind, const hl_chain_head *from,
                     const hl_chain_head *anchor, hl_error *error);
    int (*chain_start)(hl_store *store, hl_chain_kind kind, const hl_chain_head *anchor,
                       hl_error *error);
    int (*security_append)(hl_store *store, const hl_security_event *event, hl_error *error);
    int (*security_each)(hl_store *store, int64_t limit, hl_security_visitor visit, void *context,
                         hl_error *error);
    int (*publication_append)(hl_store *store, const hl_publication *publication, hl_error *error);
    int (*publication_each)(hl_store *store, int month, hl_publication_visitor visit, void *context,
                            hl_error *error);
} hl_store_ops;

struct hl_store {
    const hl_store_ops *ops;
};

/* Opens (creating when absent) the store at address and brings its schema
 * to the current version. The address chooses the backend: a libpq
 * connection URI ("postgresql://..." or "postgres://...") is a PostgreSQL
 * database (store/postgres/), which must exist (its tables are created);
 * anything else is the path of an SQLite database (store/sqlite/). The
 * caller owns *out and closes it with hl_store_close. */
int hl_store_open(const char *address, hl_store **out, hl_error *error);

/* The schema version this build writes in a store of store's backend (each
 * backend numbers its own migrations); 0 for a NULL store. */
int hl_store_schema_version(const hl_store *store);

/* Thin wrappers over the ops table, so that app/ reads naturally. They
 * check once for every backend what each would check alike: a NULL store
 * answers HL_EIO ("the store is closed"; the void ones do nothing) and a
 * missing required argument HL_EINVAL, before the backend is called. Getters
 * return HL_ENOTFOUND when the key is absent. order_update returns
 * HL_ECONFLICT when the stored version is not expected_version (someone
 * else acted first) and changes nothing. Inserts of an existing key return
 * HL_ECONFLICT. */
void hl_store_close(hl_store *store);
int hl_store_begin(hl_store *store, hl_error *error);
/* A read-only transaction: one consistent snapshot that does not block
 * writers. End it with hl_store_rollback. */
int hl_store_begin_read(hl_store *store, hl_error *error);
int hl_store_commit(hl_store *store, hl_error *error);
int hl_store_rollback(hl_store *store);
/* Ends a write transaction, the one way to: commits when status is HL_OK;
 * rolls back otherwise, and also when the commit itself fails, so that no
 * failure leaves the transaction open (and the writers' lock held).
 * Returns the first failure (status, else the commit's). */
int hl_store_finish(hl_store *store, int status, hl_error *error);
void hl_store_set_bulk(hl_store *store, bool bulk);
/* For a server, whose writers must not wait for a checkpoint (copying the
 * WAL back into the database file, and that file's fsync, which can take
 * a hundred milliseconds on a busy disk): with on, this connection's
 * commits no longer checkpoint; the caller runs hl_store_checkpoint from a
 * thread of its own, often, on another connection. */
void hl_store_set_background_checkpoints(hl_store *store, bool on);
/* Copies what it can of the WAL into the database file without waiting for
 * readers or writers (SQLite's PASSIVE checkpoint). */
int hl_store_checkpoint(hl_store *store, hl_error *error);
int hl_store_config_get(hl_store *store, const char *key, char *value, size_t size,
                        hl_error *error);
int hl_store_config_set(hl_store *store, const char *key, const char *value, hl_error *error);
int hl_store_config_each(hl_store *store,
                         int (*visit)(void *context, const char *key, const char *value),
                         void *context, hl_error *error);
int hl_store_unit_put(hl_store *store, const hl_unit *unit, hl_error *error);
int hl_store_unit_get(hl_store *store, const char *code, hl_unit *out, hl_error *error);
int hl_store_unit_each(hl_store *store, hl_unit_visitor visit, void *context, hl_error *error);
int hl_store_category_put(hl_store *store, const hl_category *category, hl_error *error);
int hl_store_category_get(hl_store *store, const char *code, hl_category *out, hl_error *error);
int hl_store_category_each(hl_store *store, hl_category_visitor visit, void *context,
                           hl_error *error);
int hl_store_user_put(hl_store *store, const hl_user *user, hl_error *error);
int hl_store_user_get(hl_store *store, const char *username, hl_user *out, hl_error *error);
int hl_store_user_each(hl_store *store, hl_user_visitor visit, void *context, hl_error *error);
int hl_store_calendar_load(hl_store *store, hl_calendar *out, hl_error *error);
int hl_store_calendar_put(hl_store *store, const hl_calendar_entry *entry, hl_error *error);
int hl_store_order_max_id(hl_store *store, int64_t from_id, int64_t to_id, int64_t *out,
                          hl_error *error);
int hl_store_order_insert(hl_store *store, const hl_order *order, hl_error *error);
/* Inserts an order whose phone the caller has sealed with the store's
 * codec (sealed describes order->citizen_phone; NULL or of length 0: the
 * store seals the phone itself). */
int hl_store_order_insert_sealed(hl_store *store, const hl_order *order,
                                 const hl_sealed_phone *sealed, hl_error *error);
int hl_store_order_update(hl_store *store, const hl_order *order, int64_t expected_version,
                          hl_error *error);
int hl_store_order_get(hl_store *store, int64_t id, hl_order *out, hl_error *error);
int hl_store_order_query(hl_store *store, const hl_order_filter *filter, hl_order_visitor visit,
                         void *context, hl_error *error);
int hl_store_order_count(hl_store *store, const hl_order_filter *filter, int64_t *out,
                         hl_error *error);
/* Counts what a filter selects (limit and offset ignored) by state:
 * counts[state] for every state, zero when none. */
int hl_store_order_count_by_state(hl_store *store, const hl_order_filter *filter,
                                  int64_t counts[HL_STATE_COUNT], hl_error *error);
/* Counts the orders received in [received_from, received_to) by category,
 * one call of visit per category of the directory with at least one order
 * (and "" for the orders without a category), in code order. */
int hl_store_order_count_by_category(hl_store *store, hl_time received_from, hl_time received_to,
                                     hl_category_count_visitor visit, void *context,
                                     hl_error *error);
int hl_store_order_heads(hl_store *store, hl_order_head_visitor visit, void *context,
                         hl_error *error);
/* The number of orders in each state (indexed by hl_state; HL_STATE_NONE
 * stays 0), from counts the store keeps as orders are written: as cheap
 * with ten million orders as with ten. */
int hl_store_order_state_counts(hl_store *store, int64_t counts[HL_STATE_COUNT], hl_error *error);
int hl_store_event_append(hl_store *store, const hl_event *event, hl_error *error);
int hl_store_event_list(hl_store *store, int64_t order_id, hl_event_visitor visit, void *context,
                        hl_error *error);
int hl_store_event_scan(hl_store *store, hl_event_visitor visit, void *context, hl_error *error);
int hl_store_rollup_add(hl_store *store, const hl_rollup_delta *delta, hl_error *error);
int hl_store_rollup_each(hl_store *store, hl_rollup_visitor visit, void *context, hl_error *error);
/* The rollup rows of one month (yyyymm), by unit and counter. */
int hl_store_rollup_month(hl_store *store, int month, hl_rollup_visitor visit, void *context,
                          hl_error *error);
/* The sum of one counter over the units (the centre's "" row left out),
 * month by month in ascending order, for every month that has a row. */
int hl_store_rollup_months(hl_store *store, hl_counter counter, hl_month_total_visitor visit,
                           void *context, hl_error *error);
/* A user's stored password hash into hash (size bytes; "" when none is
 * set) and, when changed_at is not NULL, when it was set (0: before
 * anything recorded it); HL_ENOTFOUND for an unknown user. */
int hl_store_password_get(hl_store *store, const char *username, char *hash, size_t size,
                          hl_time *changed_at, hl_error *error);
/* The previous passwords the store keeps of each account, for
 * password.history (app/policy): their argon2id hashes, never the text. */
#define HL_STORE_PASSWORD_HISTORY 12
/* Replaces a user's password hash ("" disables password login), recording
 * changed_at as when it was set. The hash it replaces, when there is one,
 * goes to the account's history with the time it was set, and the
 * history keeps only its newest HL_STORE_PASSWORD_HISTORY. HL_ENOTFOUND
 * for an unknown user. Inside the caller's transaction. */
int hl_store_password_set(hl_store *store, const char *username, const char *hash,
                          hl_time changed_at, hl_error *error);
/* Visits the account's previous passwords, newest first (the one in use
 * is not among them: hl_store_password_get). */
int hl_store_password_history(hl_store *store, const char *username, hl_password_visitor visit,
                              void *context, hl_error *error);
/* Sessions: put (HL_ECONFLICT when the hash exists), get by token hash
 * (HL_ENOTFOUND), revoke one (HL_ENOTFOUND when absent or already revoked),
 * revoke every session of a user
 * but the one whose hash is except_hash (NULL: all of them). */
int hl_store_session_put(hl_store *store, const hl_session *session, hl_error *error);
int hl_store_session_get(hl_store *store, const char *token_hash, hl_session *out, hl_error *error);
int hl_store_session_revoke(hl_store *store, const char *token_hash, hl_error *error);
int hl_store_session_revoke_user(hl_store *store, const char *username, const char *except_hash,
                                 hl_error *error);
/* Deletes the sessions that expired before now: an expired or revoked token
 * is refused either way, and without this the table would only grow. */
int hl_store_session_purge(hl_store *store, hl_time now, hl_error *error);
/* Moves a live (unrevoked) session's expiry to expires_at: the idle limit
 * sliding forward as the session is used. HL_ENOTFOUND when the session is
 * absent or revoked. */
int hl_store_session_touch(hl_store *store, const char *token_hash, hl_time expires_at,
                           hl_error *error);
/* Citizens' phone numbers at rest. The store copies the codec (its context
 * must outlive the store); until one is set, writing an order with a
 * phone, a name or an address, reading a sealed one or searching by phone
 * fails with HL_EIO: the store never writes any of them in clear. */
void hl_store_set_phone_codec(hl_store *store, const hl_phone_codec *codec);
/* Seals the phone numbers a store of schema 4 or older kept in clear (and
 * gives them their search hashes), and the names and addresses a store of
 * SQLite schema 14 or PostgreSQL schema 8 or older kept in clear, in one
 * transaction of its own, then rewrites what still holds them (SQLite:
 * VACUUM; PostgreSQL: VACUUM FULL orders, when the role owns it); does
 * nothing, without a scan, once done. Needs the codec. */
int hl_store_seal_phones(hl_store *store, hl_error *error);
/* The audit of full phone-number reads: append one (inside a transaction;
 * read->id is ignored), list them newest first, count them (the filter's
 * limit and offset ignored). */
int hl_store_audit_append(hl_store *store, const hl_audit_read *read, hl_error *error);
int hl_store_audit_query(hl_store *store, const hl_audit_filter *filter, hl_audit_visitor visit,
                         void *context, hl_error *error);
int hl_store_audit_count(hl_store *store, const hl_audit_filter *filter, int64_t *out,
                         hl_error *error);

/* Counters in fixed windows (hl_throttle), shared by every process on the
 * store. Each call is one statement and its own small transaction, atomic
 * across processes; call them with no transaction open on the store (a
 * backend may run them on a connection or in a file of their own: SQLite
 * does, so that a budget check never waits for the store's writers). A
 * backend may commit them without waiting for the disk: a counter lost to a
 * power cut costs less than a sync on every request.
 *
 * hit counts one event of key at now. The key's window begins at its first
 * event and lasts window_seconds; an event at or after its end, or before
 * its start (the clock set back), begins a new window. The event is counted
 * while the window holds at most limit events, so out->count ends at most
 * limit + 1: the event is within the limit when out->count <= limit, and
 * over it (a refused request, which counts once and no more) otherwise. A
 * limit of 0 or less is over at once. get reads the window running at now
 * (zeros when none: absent or ended) and writes nothing. reset forgets a
 * key (a login that succeeded); forgetting an absent key is HL_OK. purge
 * deletes the windows that ended at or before now, so that keys seen once
 * (a flood of addresses) do not stay. */
int hl_store_throttle_hit(hl_store *store, const char *key, hl_time now, int window_seconds,
                          int64_t limit, hl_throttle *out, hl_error *error);
int hl_store_throttle_get(hl_store *store, const char *key, hl_time now, hl_throttle *out,
                          hl_error *error);
int hl_store_throttle_reset(hl_store *store, const char *key, hl_error *error);
int hl_store_throttle_purge(hl_store *store, hl_time now, hl_error *error);

/* API keys: insert (sets key->id; HL_ECONFLICT when the hash exists), get
 * by id and find by hash (HL_ENOTFOUND), every key in id order, revoke
 * (HL_ENOTFOUND for an unknown id; revoking a revoked key keeps its first
 * revocation time). */
int hl_store_apikey_insert(hl_store *store, hl_apikey *key, hl_error *error);
int hl_store_apikey_get(hl_store *store, int64_t id, hl_apikey *out, hl_error *error);
int hl_store_apikey_find(hl_store *store, const char *key_hash, hl_apikey *out, hl_error *error);
int hl_store_apikey_each(hl_store *store, hl_apikey_visitor visit, void *context, hl_error *error);
int hl_store_apikey_revoke(hl_store *store, int64_t id, hl_time at, hl_error *error);
/* Category attributes: put (replaces the same category and code), clear
 * every attribute of a category, and visit those of one category (NULL:
 * all) in the order (category, position, code). */
int hl_store_attribute_put(hl_store *store, const hl_attribute *attribute, hl_error *error);
int hl_store_attribute_clear(hl_store *store, const char *category, hl_error *error);
int hl_store_attribute_each(hl_store *store, const char *category, hl_attribute_visitor visit,
                            void *context, hl_error *error);
/* What an Open311 request brought (put: HL_ECONFLICT when the order has
 * one; get: HL_ENOTFOUND for an order without), and its answers to the
 * category's attributes, one row per value (seq counts the values of a
 * multivaluelist from 1), visited in (code, seq) order. */
int hl_store_open311_put(hl_store *store, const hl_open311_record *record, hl_error *error);
int hl_store_open311_get(hl_store *store, int64_t order_id, hl_open311_record *out,
                         hl_error *error);
int hl_store_answer_put(hl_store *store, int64_t order_id, const char *code, int seq,
                        const char *value, hl_error *error);
int hl_store_answer_each(hl_store *store, int64_t order_id, hl_answer_visitor visit, void *context,
                         hl_error *error);
/* One event of an order (HL_ENOTFOUND when absent): the last is the
 * order's version. */
int hl_store_event_get(hl_store *store, int64_t order_id, int64_t seq, hl_event *out,
                       hl_error *error);
/* Events across orders by time (hl_event_filter), and how many a filter
 * selects without its limit and offset. */
int hl_store_event_query(hl_store *store, const hl_event_filter *filter, hl_event_visitor visit,
                         void *context, hl_error *error);
int hl_store_event_count(hl_store *store, const hl_event_filter *filter, int64_t *out,
                         hl_error *error);

/* Moving a store whole (app/copy.c). These read and write rows verbatim,
 * for a copy into an empty store; a backend without them answers HL_EIO.
 *
 * order_scan_sealed visits every order in number order without opening its
 * phone: order->citizen_phone is "" and phone holds the sealed bytes and
 * the search hash from the phone index (length 0: no phone). HL_EIO when
 * a phone is still in clear (a store of schema 4 or older not yet sealed:
 * opening it with its key seals them). Written back through
 * hl_store_order_insert_sealed, which also rebuilds the derived rows
 * (order_units, the per-state counts, the phone index) from them.
 * phone_index_scan visits the phone index in its key order (hash,
 * received time, order), to check that rebuild. session_each visits the
 * sessions in token-hash order; open311_each the Open311 records in order
 * number order; answer_scan every answer in (order, code, seq) order;
 * audit_each the audit in id order (oldest first). apikey_put inserts a
 * key with its own id and audit_put a read with its own id (HL_ECONFLICT
 * when the id or the key's hash exists). */
int hl_store_order_scan_sealed(hl_store *store, hl_sealed_order_visitor visit, void *context,
                               hl_error *error);
int hl_store_phone_index_scan(hl_store *store, hl_phone_index_visitor visit, void *context,
                              hl_error *error);
int hl_store_session_each(hl_store *store, hl_session_visitor visit, void *context,
                          hl_error *error);
int hl_store_apikey_put(hl_store *store, const hl_apikey *key, hl_error *error);
int hl_store_open311_each(hl_store *store, hl_open311_visitor visit, void *context,
                          hl_error *error);
int hl_store_answer_scan(hl_store *store, hl_order_answer_visitor visit, void *context,
                         hl_error *error);
int hl_store_audit_each(hl_store *store, hl_audit_visitor visit, void *context, hl_error *error);
int hl_store_audit_put(hl_store *store, const hl_audit_read *read, hl_error *error);

/* The hash chains (store/chain.h). Every append of an event, a read or a
 * security event extends its chain inside the writing transaction: the
 * first append of a transaction takes the chain's head (on PostgreSQL
 * with a row lock held to the commit, which serializes the writers of
 * one chain: docs/ARCHITECTURE.md), and the commit writes the new head.
 * chain_scan visits a chain's records in chain order, those without a
 * link (seq 0) first; chain_head reads the head. */
int hl_store_chain_scan(hl_store *store, hl_chain_kind kind, hl_chain_visitor visit, void *context,
                        hl_error *error);
int hl_store_chain_head(hl_store *store, hl_chain_kind kind, hl_chain_head *out, hl_error *error);
/* The anchors of the two audit chains (reads, security: docs/security.md
 * "Retention and archives"): the seq and hash of the last record archived
 * out of the store, after which the chain in the store starts (0 and the
 * genesis hash when none was). chain_anchor reads one (the events chain,
 * never archived, answers 0 and the genesis). chain_cut, in the caller's
 * write transaction, moves the chain's anchor from *from (HL_ECONFLICT,
 * nothing changed, when it is no longer there: another archive moved it)
 * to *anchor, which must be a record of the chain with that hash, and
 * deletes the records at or below it; the database refuses anything else (HL_EIO).
 * chain_start, in the caller's write transaction, makes a chain that has
 * never held a record start after *anchor: its anchor and head both
 * become *anchor, so that records appended next get the links they had
 * in the store they came from (an archive file, a copy). HL_EINVAL for
 * the events chain. */
int hl_store_chain_anchor(hl_store *store, hl_chain_kind kind, hl_chain_head *out, hl_error *error);
int hl_store_chain_cut(hl_store *store, hl_chain_kind kind, const hl_chain_head *from,
                       const hl_chain_head *anchor, hl_error *error);
int hl_store_chain_start(hl_store *store, hl_chain_kind kind, const hl_chain_head *anchor,
                         hl_error *error);
/* Appends a security event (its seq is given by the store), and visits
 * the newest limit of them (0: all), newest first. */
int hl_store_security_append(hl_store *store, const hl_security_event *event, hl_error *error);
int hl_store_security_each(hl_store *store, int64_t limit, hl_security_visitor visit, void *context,
                           hl_error *error);
/* Published bulletins: append one (inside a transaction; HL_ECONFLICT when
 * its month already has that edition), and visit those of month (0: of
 * every month) by month, then edition. */
int hl_store_publication_append(hl_store *store, const hl_publication *publication,
                                hl_error *error);
int hl_store_publication_each(hl_store *store, int month, hl_publication_visitor visit,
                              void *context, hl_error *error);

#endif
