/* store_sqlite.c: the SQLite backend of the store interface (store/store.h).
 *
 * It owns the schema and its versioned migrations, maps records to rows and
 * back, and keeps prepared statements for the hot paths (import, actions,
 * lookups). It decides nothing about orders: validation and the workflow
 * live in domain/, and app/ begins and commits transactions. Enumerations
 * are stored as their stable English names, so that the file reads well in
 * the sqlite3 shell and survives a reordering of the C enums. Citizens'
 * phone numbers go through the phone codec app/secrets gives it (sealed
 * as written, opened as read, searched by their keyed hash): the store
 * holds no key and no cryptography of its own. One store is
 * one connection (opened without SQLite's mutex) and must be used by one
 * thread at a time; each thread opens its own. */
#include "store/store.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/text.h"

/* ------------------------------------------------------------------------ */
/* Schema                                                                   */
/* ------------------------------------------------------------------------ */

/* Migration N (1-based) brings the schema from version N-1 to N. Scripts are
 * only ever appended: a released script never changes, because databases in
 * the field have already run it. */
static const char *const migrations[] = {
    /* 1: the initial schema. */
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);\n"
    "CREATE TABLE config(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE units(code TEXT PRIMARY KEY, name TEXT, group_name TEXT, parent TEXT,\n"
    "                   active INTEGER);\n"
    "CREATE TABLE categories(code TEXT PRIMARY KEY, name TEXT, parent TEXT, default_unit TEXT,\n"
    "                        handle_days INTEGER, active INTEGER);\n"
    "CREATE TABLE users(username TEXT PRIMARY KEY, display_name TEXT, role TEXT, unit TEXT,\n"
    "                   active INTEGER);\n"
    "CREATE TABLE calendar(day INTEGER PRIMARY KEY, -- day number (base/clock.h)\n"
    "                      kind TEXT NOT NULL CHECK(kind IN ('off', 'work')), festival TEXT);\n"
    "CREATE TABLE orders(\n"
    "    id INTEGER PRIMARY KEY, -- the order number itself\n"
    "    version INTEGER NOT NULL, state TEXT NOT NULL, state_before_return TEXT,\n"
    "    channel TEXT NOT NULL, type TEXT NOT NULL, received_at INTEGER NOT NULL,\n"
    "    citizen_name TEXT, citizen_phone TEXT, address TEXT,\n"
    "    has_location INTEGER, latitude REAL, longitude REAL,\n"
    "    category TEXT, title TEXT, content TEXT, registered_by TEXT,\n"
    "    lead_unit TEXT, co_units TEXT, dispatched_at INTEGER, sign_deadline INTEGER,\n"
    "    signed_at INTEGER, return_deadline INTEGER, handle_deadline INTEGER, due_at INTEGER,\n"
    "    reply TEXT, completed_at INTEGER, extension_count INTEGER,\n"
    "    extension_pending_days INTEGER, return_count INTEGER, reopen_count INTEGER,\n"
    "    remind_count INTEGER, supervise_count INTEGER, duplicate_of INTEGER,\n"
    "    excluded INTEGER, excluded_reason TEXT);\n"
    "CREATE INDEX orders_by_unit_state ON orders(lead_unit, state);\n"
    "CREATE INDEX orders_by_due ON orders(due_at) WHERE due_at > 0;\n"
    "CREATE INDEX orders_by_received ON orders(received_at);\n"
    "CREATE TABLE events(order_id INTEGER, seq INTEGER, at INTEGER, actor TEXT, action TEXT,\n"
    "                    from_state TEXT, to_state TEXT, unit TEXT, other_unit TEXT,\n"
    "                    deadline INTEGER, note TEXT, details TEXT,\n"
    "                    PRIMARY KEY(order_id, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE rollups(month INTEGER, unit TEXT, counter TEXT, value INTEGER NOT NULL,\n"
    "                     PRIMARY KEY(month, unit, counter)) WITHOUT ROWID;\n"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events\n"
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n",
    /* 2: the callback survey and appeals. Small enumerations are stored as
     * their numbers (0 = none), checked for range when read. */
    "ALTER TABLE orders ADD COLUMN assessed_month INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN survey_attempts INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN survey_result INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN survey_comment TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE orders ADD COLUMN surveyed_at INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN appeal_state INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE orders ADD COLUMN appeal_reason TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE events ADD COLUMN period INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE events ADD COLUMN outcome INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE events ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE events ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE events ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;\n",
    /* 3: the bulletin names the orders excluded by upheld appeals; a partial
     * index keeps that lookup from scanning every order. */
    "CREATE INDEX orders_excluded_by_appeal ON orders(assessed_month) WHERE appeal_state = 2;\n",
    /* 4: logins. A user's argon2id password hash ('' = cannot log in) and
     * the sessions, keyed by a hash of their token (the token itself is
     * never stored). */
    "ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';\n"
    "CREATE TABLE sessions(token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,\n"
    "                      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,\n"
    "                      revoked INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;\n"
    "CREATE INDEX sessions_by_user ON sessions(username);\n",
    /* 5: citizens' phone numbers at rest. citizen_phone holds the sealed
     * number (a BLOB from the phone codec, NULL when there is none), and
     * phone_index the keyed search hash of each order's number: an index
     * of our own rather than SQLite's on a column, so that a bulk load can
     * fill it in key order at commit (see pending_phone) instead of one
     * random B-tree insert per row. Phones written in clear by older
     * versions are sealed by seal_phones, which needs the key the store
     * never holds: this script only marks that there are some.
     * personal_data_reads is the append-only audit of every full number
     * given out. */
    "CREATE TABLE phone_index(phone_hash BLOB NOT NULL, received_at INTEGER NOT NULL,\n"
    "                         order_id INTEGER NOT NULL,\n"
    "                         PRIMARY KEY(phone_hash, received_at, order_id)) WITHOUT ROWID;\n"
    "INSERT INTO meta(key, value) SELECT 'phones_unsealed', '1'\n"
    "    WHERE EXISTS (SELECT 1 FROM orders WHERE typeof(citizen_phone) = 'text' AND citizen_phone <> '');\n"
    "CREATE TABLE personal_data_reads(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,\n"
    "                                 order_id INTEGER NOT NULL, route TEXT NOT NULL);\n"
    "CREATE INDEX personal_data_reads_by_order ON personal_data_reads(order_id);\n"
    "CREATE INDEX personal_data_reads_by_actor ON personal_data_reads(actor);\n"
    "CREATE TRIGGER personal_data_reads_no_update BEFORE UPDATE ON personal_data_reads\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of personal data reads is append-only'); END;\n"
    "CREATE TRIGGER personal_data_reads_no_delete BEFORE DELETE ON personal_data_reads\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of personal data reads is append-only'); END;\n",
    /* 6: the number of orders in each state, kept by the store itself in
     * the transaction of every insert and state change (see
     * flush_state_counts), so that the server's /metrics gauges read a
     * handful of rows instead of counting millions of orders
     * (docs/ARCHITECTURE.md). Not triggers: a trigger makes every insert
     * keep a statement journal, which halved the bulk import's speed. */
    "CREATE TABLE order_state_counts(state TEXT PRIMARY KEY, orders INTEGER NOT NULL) WITHOUT ROWID;\n"
    "INSERT INTO order_state_counts(state, orders)\n"
    "SELECT state, count(*) FROM orders GROUP BY state;\n",
    /* 7: Open311. API keys (stored as hashes of the key); the attributes
     * each category asks (its service definition; a list's values as
     * "key=name|key=name"); what an Open311 request brought beyond the
     * order's fields; the answers to the attributes, one row per value;
     * and an index of events by time, for the updates since a given time. */
    "CREATE TABLE api_keys(id INTEGER PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE,\n"
    "                      key_prefix TEXT NOT NULL, name TEXT NOT NULL, created_by TEXT NOT NULL,\n"
    "                      created_at INTEGER NOT NULL, rate_per_minute INTEGER NOT NULL,\n"
    "                      revoked INTEGER NOT NULL DEFAULT 0, revoked_at INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE category_attributes(category TEXT NOT NULL, code TEXT NOT NULL,\n"
    "                      position INTEGER NOT NULL, datatype TEXT NOT NULL,\n"
    "                      required INTEGER NOT NULL, variable INTEGER NOT NULL,\n"
    "                      description TEXT NOT NULL, datatype_description TEXT NOT NULL,\n"
    "                      choices TEXT NOT NULL, PRIMARY KEY(category, code)) WITHOUT ROWID;\n"
    "CREATE TABLE open311_requests(order_id INTEGER PRIMARY KEY REFERENCES orders(id),\n"
    "                      api_key_id INTEGER NOT NULL REFERENCES api_keys(id),\n"
    "                      email TEXT NOT NULL, device_id TEXT NOT NULL, account_id TEXT NOT NULL,\n"
    "                      address_id TEXT NOT NULL, media_url TEXT NOT NULL);\n"
    "CREATE TABLE order_attributes(order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "                      code TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL,\n"
    "                      PRIMARY KEY(order_id, code, seq)) WITHOUT ROWID;\n"
    "CREATE INDEX events_by_at ON events(at);\n",
    /* 8: the API's lists. order_units holds one row per unit an order
     * concerns now (its lead unit, lead = 1, and each co-handling unit,
     * lead = 0), keyed so that a unit's orders are one range of the key in
     * received order: a handler's list pages without scanning the orders.
     * The store keeps it in step with every insert and update (see
     * keep_list_tables; not triggers, for the reason given at 6). The
     * indexes by state and by category serve the lists filtered by either,
     * newest first, and their counts. Co-handling units are
     * comma-separated codes, which hold no quote: split here as a JSON
     * array. */
    "CREATE TABLE order_units(unit TEXT NOT NULL, received INTEGER NOT NULL, order_id INTEGER NOT NULL,\n"
    "                         lead INTEGER NOT NULL,\n"
    "                         PRIMARY KEY(unit, received, order_id)) WITHOUT ROWID;\n"
    "INSERT INTO order_units(unit, received, order_id, lead)\n"
    "    SELECT lead_unit, received_at, id, 1 FROM orders WHERE lead_unit <> '';\n"
    "INSERT OR IGNORE INTO order_units(unit, received, order_id, lead)\n"
    "    SELECT codes.value, orders.received_at, orders.id, 0\n"
    "    FROM orders, json_each('[\"' || replace(orders.co_units, ',', '\",\"') || '\"]') AS codes\n"
    "    WHERE orders.co_units <> '' AND codes.value <> '';\n"
    "CREATE INDEX orders_by_state ON orders(state, received_at);\n"
    "CREATE INDEX orders_by_category ON orders(category, received_at);\n",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

#define HL_STRINGIFY_TEXT(value) #value
#define HL_STRINGIFY(value) HL_STRINGIFY_TEXT(value)

int hl_store_schema_version(void)
{
    return MIGRATION_COUNT;
}

/* Registration columns never change after intake; order_update writes only
 * the mutable ones. Inserts and selects list them in this same order, which
 * bind_order and read_order follow. */
#define ORDER_REGISTRATION_COLUMNS                                                                 \
    "channel, type, received_at, citizen_name, citizen_phone, address, has_location, latitude, "   \
    "longitude, category, title, content, registered_by"
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
typedef enum statement_id {
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
    STMT_SESSION_PUT,
    STMT_SESSION_GET,
    STMT_SESSION_REVOKE,
    STMT_SESSION_REVOKE_USER,
    STMT_SESSION_PURGE,
    STMT_AUDIT_APPEND,
    STMT_PHONE_INDEX_PUT,
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
    STMT_COUNT
} statement_id;

static const char *const statement_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    /* DEFERRED: the snapshot starts at the first read and takes no write lock. */
    [STMT_BEGIN_READ] = "BEGIN",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_CONFIG_GET] = "SELECT value FROM config WHERE key = ?",
    [STMT_CONFIG_SET] = "INSERT INTO config(key, value) VALUES(?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [STMT_CONFIG_EACH] = "SELECT key, value FROM config ORDER BY key",
    [STMT_UNIT_PUT] = "INSERT INTO units(code, name, group_name, parent, active) "
                      "VALUES(?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET "
                      "name = excluded.name, group_name = excluded.group_name, "
                      "parent = excluded.parent, active = excluded.active",
    [STMT_UNIT_GET] = "SELECT code, name, group_name, parent, active FROM units WHERE code = ?",
    [STMT_UNIT_EACH] = "SELECT code, name, group_name, parent, active FROM units ORDER BY code",
    [STMT_CATEGORY_PUT] = "INSERT INTO categories(code, name, parent, default_unit, handle_days, "
                          "active) VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET "
                          "name = excluded.name, parent = excluded.parent, "
                          "default_unit = excluded.default_unit, "
                          "handle_days = excluded.handle_days, active = excluded.active",
    [STMT_CATEGORY_GET] = "SELECT code, name, parent, default_unit, handle_days, active "
                          "FROM categories WHERE code = ?",
    [STMT_CATEGORY_EACH] = "SELECT code, name, parent, default_unit, handle_days, active "
                           "FROM categories ORDER BY code",
    [STMT_USER_PUT] = "INSERT INTO users(username, display_name, role, unit, active) "
                      "VALUES(?, ?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET "
                      "display_name = excluded.display_name, role = excluded.role, "
                      "unit = excluded.unit, active = excluded.active",
    [STMT_USER_GET] = "SELECT username, display_name, role, unit, active FROM users "
                      "WHERE username = ?",
    [STMT_USER_EACH] = "SELECT username, display_name, role, unit, active FROM users "
                       "ORDER BY username",
    [STMT_CALENDAR_LOAD] = "SELECT day, kind, festival FROM calendar ORDER BY day",
    [STMT_CALENDAR_PUT] = "INSERT INTO calendar(day, kind, festival) VALUES(?, ?, ?) "
                          "ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, "
                          "festival = excluded.festival",
    [STMT_ORDER_MAX_ID] = "SELECT max(id) FROM orders WHERE id BETWEEN ? AND ?",
    [STMT_ORDER_INSERT] = "INSERT INTO orders(" ORDER_COLUMNS ") VALUES("
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "          /* id + 13 */
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " /* 17 */
                          "?, ?, ?, ?, ?, "                                     /* 5 */
                          "?, ?, ?, ?, ?, ?, ?, ?, ?)",                         /* survey */
    [STMT_ORDER_UPDATE] = "UPDATE orders SET version = ?, state = ?, state_before_return = ?, "
                          "lead_unit = ?, co_units = ?, dispatched_at = ?, sign_deadline = ?, "
                          "signed_at = ?, return_deadline = ?, handle_deadline = ?, due_at = ?, "
                          "reply = ?, completed_at = ?, extension_count = ?, "
                          "extension_pending_days = ?, return_count = ?, reopen_count = ?, "
                          "remind_count = ?, supervise_count = ?, duplicate_of = ?, "
                          "excluded = ?, excluded_reason = ?, assessed_month = ?, "
                          "survey_attempts = ?, survey_result = ?, rating = ?, resolved = ?, "
                          "survey_comment = ?, surveyed_at = ?, appeal_state = ?, appeal_reason = ? "
                          "WHERE id = ? AND version = ?",
    [STMT_ORDER_GET] = "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ?",
    [STMT_ORDER_EXISTS] = "SELECT 1 FROM orders WHERE id = ?",
    [STMT_ORDER_HEADS] = "SELECT id, state, version FROM orders ORDER BY id",
    /* What the list tables and the per-state counts derive from an order,
     * as it stands before an update. */
    [STMT_ORDER_UNITS_OF] = "SELECT lead_unit, co_units, state, received_at FROM orders "
                            "WHERE id = ? AND version = ?",
    /* OR IGNORE: a co-handling unit that is also the lead keeps its lead row. */
    [STMT_UNIT_ROW_PUT] = "INSERT OR IGNORE INTO order_units(unit, received, order_id, lead) VALUES(?, ?, ?, ?)",
    [STMT_UNIT_ROW_DELETE] = "DELETE FROM order_units WHERE unit = ? AND received = ? AND order_id = ?",
    [STMT_ORDER_STATE_COUNTS] = "SELECT state, orders FROM order_state_counts",
    [STMT_STATE_COUNT_ADD] = "INSERT INTO order_state_counts(state, orders) VALUES(?, ?) "
                             "ON CONFLICT(state) DO UPDATE SET orders = orders + excluded.orders",
    [STMT_EVENT_APPEND] = "INSERT INTO events(" EVENT_COLUMNS ") "
                          "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [STMT_EVENT_LIST] = "SELECT " EVENT_COLUMNS " FROM events WHERE order_id = ? ORDER BY seq",
    [STMT_EVENT_SCAN] = "SELECT " EVENT_COLUMNS " FROM events ORDER BY order_id, seq",
    [STMT_ROLLUP_ADD] = "INSERT INTO rollups(month, unit, counter, value) VALUES(?, ?, ?, ?) "
                        "ON CONFLICT(month, unit, counter) DO UPDATE SET "
                        "value = value + excluded.value",
    [STMT_ROLLUP_EACH] = "SELECT month, unit, counter, value FROM rollups "
                         "ORDER BY month, unit, counter",
    /* The bulletin reads one month: a range of the primary key. */
    [STMT_ROLLUP_MONTH] = "SELECT month, unit, counter, value FROM rollups WHERE month = ? "
                          "ORDER BY unit, counter",
    [STMT_PASSWORD_GET] = "SELECT password_hash FROM users WHERE username = ?",
    [STMT_PASSWORD_SET] = "UPDATE users SET password_hash = ? WHERE username = ?",
    [STMT_SESSION_PUT] = "INSERT INTO sessions(token_hash, username, created_at, expires_at, revoked) "
                         "VALUES(?, ?, ?, ?, ?)",
    [STMT_SESSION_GET] = "SELECT token_hash, username, created_at, expires_at, revoked FROM sessions "
                         "WHERE token_hash = ?",
    [STMT_SESSION_REVOKE] = "UPDATE sessions SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
    [STMT_SESSION_REVOKE_USER] = "UPDATE sessions SET revoked = 1 WHERE username = ? AND token_hash <> ? AND revoked = 0",
    /* A scan of the sessions table: it holds only the sessions of the last
     * twelve hours, since every login purges the older ones. */
    [STMT_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?",
    [STMT_AUDIT_APPEND] = "INSERT INTO personal_data_reads(at, actor, order_id, route) VALUES(?, ?, ?, ?)",
    [STMT_PHONE_INDEX_PUT] = "INSERT INTO phone_index(phone_hash, received_at, order_id) VALUES(?, ?, ?)",
    [STMT_APIKEY_INSERT] = "INSERT INTO api_keys(" APIKEY_COLUMNS_NO_ID ") VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
    [STMT_APIKEY_GET] = "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE id = ?",
    [STMT_APIKEY_FIND] = "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE key_hash = ?",
    [STMT_APIKEY_EACH] = "SELECT " APIKEY_COLUMNS " FROM api_keys ORDER BY id",
    /* A second revocation keeps the first one's time. */
    [STMT_APIKEY_REVOKE] = "UPDATE api_keys SET revoked = 1, revoked_at = CASE WHEN revoked = 1 "
                           "THEN revoked_at ELSE ? END WHERE id = ?",
    [STMT_ATTRIBUTE_PUT] = "INSERT INTO category_attributes(" ATTRIBUTE_COLUMNS ") "
                           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(category, code) DO UPDATE SET "
                           "position = excluded.position, datatype = excluded.datatype, "
                           "required = excluded.required, variable = excluded.variable, "
                           "description = excluded.description, "
                           "datatype_description = excluded.datatype_description, choices = excluded.choices",
    [STMT_ATTRIBUTE_CLEAR] = "DELETE FROM category_attributes WHERE category = ?",
    [STMT_ATTRIBUTE_OF] = "SELECT " ATTRIBUTE_COLUMNS " FROM category_attributes WHERE category = ? "
                          "ORDER BY position, code",
    [STMT_ATTRIBUTE_ALL] = "SELECT " ATTRIBUTE_COLUMNS " FROM category_attributes "
                           "ORDER BY category, position, code",
    [STMT_OPEN311_PUT] = "INSERT INTO open311_requests(" OPEN311_COLUMNS ") VALUES(?, ?, ?, ?, ?, ?, ?)",
    [STMT_OPEN311_GET] = "SELECT " OPEN311_COLUMNS " FROM open311_requests WHERE order_id = ?",
    [STMT_ANSWER_PUT] = "INSERT INTO order_attributes(order_id, code, seq, value) VALUES(?, ?, ?, ?)",
    [STMT_ANSWER_EACH] = "SELECT code, seq, value FROM order_attributes WHERE order_id = ? ORDER BY code, seq",
    [STMT_EVENT_GET] = "SELECT " EVENT_COLUMNS " FROM events WHERE order_id = ? AND seq = ?",
};

struct sqlite_store {
    hl_store base; /* first, so that an hl_store * is a struct sqlite_store * */
    sqlite3 *db;   /* NULL once closed */
    sqlite3_stmt *statements[STMT_COUNT];
    bool bulk;         /* bulk mode as asked for by set_bulk */
    bool bulk_applied; /* bulk mode as the connection is set (see apply_bulk_mode) */
    /* Set only inside hl_store_sqlite_explain: the lists' statements are
     * explained into it instead of run. */
    hl_buf *explain;
    /* Changes to order_state_counts made by this transaction's inserts and
     * updates, written once at commit (a bulk import's 500,000 inserts
     * make one row update per state) and dropped at rollback. */
    int64_t pending_state_counts[HL_STATE_COUNT];
    bool state_counts_pending;
    bool holds_writers_lock; /* between a begin and its commit or rollback (see writers_lock) */
    bool background_checkpoints; /* commits do not checkpoint: hl_store_checkpoint does */
    hl_phone_codec codec; /* how phones are sealed; codec.seal == NULL until set */
    /* The sealed phone of the order being inserted: bound SQLITE_STATIC,
     * so it lives here until the statement has run. */
    unsigned char sealed[HL_PHONE_SEALED_MAX_BYTES];
    unsigned char sealed_hash[HL_PHONE_HASH_BYTES];
    /* phone_index entries of the open transaction not written yet (bulk
     * mode), put in key order at commit. */
    struct pending_phone *pending;
    size_t pending_count, pending_room;
};

/* How many WAL pages trigger an automatic checkpoint outside a bulk load
 * (SQLite's default). */
#define WAL_AUTOCHECKPOINT_PAGES 1000
/* The WAL is cut back to this size after a checkpoint, so that a bulk load
 * does not leave a file of gigabytes behind. */
#define WAL_SIZE_LIMIT_BYTES (64 * 1024 * 1024)
/* The page size of a new database (an existing one keeps its own). Larger
 * pages make bulk imports faster (fewer splits and frames) and smaller ones
 * make each durable action write less WAL. Measured on the 2-core machine
 * (bench_import, bench_actions): 4 KiB gave 132k orders/s and 3,950
 * actions/s; 8 KiB 153k and 3,690; 16 KiB 164k and 3,260. 8 KiB keeps the
 * durable actions well above their target while importing near the best. */
#define PAGE_SIZE_BYTES 8192

static const hl_store_ops sqlite_ops;

/* Writers of one process queue here before BEGIN IMMEDIATE: the server's
 * worker threads each have a connection, and waiting on a mutex hands the
 * write lock over the moment it is free, where SQLite's busy handler can
 * only poll. Recursive, so that a thread may hold write transactions on two
 * stores at once; other processes still meet SQLite's own lock. */
static pthread_mutex_t writers_lock;

static void init_writers_lock(void)
{
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&writers_lock, &attributes);
    pthread_mutexattr_destroy(&attributes);
}

static void release_writers_lock(struct sqlite_store *store)
{
    if (store->holds_writers_lock) {
        store->holds_writers_lock = false;
        pthread_mutex_unlock(&writers_lock);
    }
}

/* Bulk loads index phones at commit (see pending_phone, with the orders). */
static int flush_pending_phones(struct sqlite_store *store, hl_error *error);
static void drop_pending_phones(struct sqlite_store *store);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static int storage_error(struct sqlite_store *store, const char *operation, hl_error *error)
{
    const char *detail = store->db != NULL ? sqlite3_errmsg(store->db) : "no connection";
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EIO, NULL, "storage error in %s: %s", operation, detail);
    return hl_error_set(error, HL_EIO, NULL, "数据库操作 %s 失败：%s", operation, detail);
}

static int not_a_database(const char *path, const char *detail, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EIO, NULL, "%s is not a hotline database: %s", path, detail);
    return hl_error_set(error, HL_EIO, NULL, "%s 不是 hotline 数据库：%s", path, detail);
}

static int cannot_open(const char *path, const char *detail, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EIO, NULL, "cannot open database %s: %s", path, detail);
    return hl_error_set(error, HL_EIO, NULL, "无法打开数据库 %s：%s", path, detail);
}

static int missing_argument(const char *operation, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EINVAL, NULL, "%s: a required argument is missing",
                            operation);
    return hl_error_set(error, HL_EINVAL, NULL, "%s：缺少必需的参数", operation);
}

static int bad_enum(const char *field, int value, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EINVAL, field, "%s: unknown value %d", field, value);
    return hl_error_set(error, HL_EINVAL, field, "%s：未知的取值 %d", field, value);
}

/* A value the schema allows but this build cannot read: someone edited the
 * file by hand, or a newer hotline wrote a name this one does not know. */
static int corrupt_value(sqlite3_stmt *statement, int column, hl_error *error)
{
    const char *name = sqlite3_column_name(statement, column);
    const unsigned char *text = sqlite3_column_text(statement, column);
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EIO, NULL, "unreadable value '%s' in column %s",
                            text != NULL ? (const char *)text : "", name != NULL ? name : "?");
    return hl_error_set(error, HL_EIO, NULL, "数据库中 %s 列的值 '%s' 无法识别",
                        name != NULL ? name : "?", text != NULL ? (const char *)text : "");
}

static struct sqlite_store *store_of(hl_store *base)
{
    return (struct sqlite_store *)base;
}

/* ------------------------------------------------------------------------ */
/* Enumerations as text                                                     */
/* ------------------------------------------------------------------------ */

typedef const char *(*enum_namer)(int value);

static const char *state_name(int value)
{
    return hl_order_state_name((hl_state)value);
}

static const char *channel_name(int value)
{
    return hl_order_channel_name((hl_channel)value);
}

static const char *type_name(int value)
{
    return hl_order_type_name((hl_order_type)value);
}

static const char *action_name(int value)
{
    const hl_workflow_rule *rule = hl_workflow_rule_of((hl_action)value);
    return rule != NULL ? rule->name : NULL;
}

static const char *role_name(int value)
{
    return hl_directory_role_name((hl_role)value);
}

static const char *counter_name(int value)
{
    return hl_rollup_counter_name((hl_counter)value);
}

/* The exact inverse of the name we write. The domain parse functions are
 * made for people: they also accept Chinese labels and refuse values that
 * are not real choices (the state "none", the from-state of registration),
 * which the store must read back all the same. */
static bool decode_enum(const unsigned char *text, int length, enum_namer namer, int count,
                        int *out)
{
    if (text == NULL)
        return false;
    for (int value = 0; value < count; value++) {
        const char *name = namer(value);
        if (name != NULL && strncmp(name, (const char *)text, (size_t)length) == 0 &&
            name[length] == '\0') {
            *out = value;
            return true;
        }
    }
    return false;
}

/* The name to store for a value, or NULL when the value is out of range. */
static const char *encode_enum(int value, enum_namer namer, int count)
{
    if (value < 0 || value >= count)
        return NULL;
    return namer(value);
}

/* ------------------------------------------------------------------------ */
/* Binding and reading columns                                              */
/* ------------------------------------------------------------------------ */

/* Binds parameters left to right; the first failure sticks in rc. Text is
 * bound SQLITE_STATIC: every caller steps and resets the statement before
 * the record it came from can change, and rebinds every parameter before
 * the next step, so SQLite never reads a stale pointer. */
typedef struct binder {
    sqlite3_stmt *statement;
    int index;
    int rc;
} binder;

static binder binder_of(sqlite3_stmt *statement)
{
    binder result = {statement, 0, SQLITE_OK};
    return result;
}

/* A fixed-size field is bound up to its first NUL or its capacity, so that
 * an unterminated array cannot make SQLite read past it. */
static void bind_field(binder *binding, const char *text, size_t capacity)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_text(binding->statement, binding->index, text,
                                        (int)strnlen(text, capacity), SQLITE_STATIC);
}

static void bind_string(binder *binding, const char *text)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc =
            sqlite3_bind_text(binding->statement, binding->index, text, -1, SQLITE_STATIC);
}

static void bind_int64(binder *binding, int64_t value)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_int64(binding->statement, binding->index, value);
}

static void bind_double(binder *binding, double value)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_double(binding->statement, binding->index, value);
}

static void bind_blob(binder *binding, const void *bytes, size_t length)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_blob(binding->statement, binding->index, bytes, (int)length, SQLITE_STATIC);
}

static void bind_null(binder *binding)
{
    binding->index++;
    if (binding->rc == SQLITE_OK)
        binding->rc = sqlite3_bind_null(binding->statement, binding->index);
}

#define BIND_FIELD(binding, array) bind_field((binding), (array), sizeof(array))

/* Reads columns left to right; an enumeration this build cannot decode
 * marks the row bad (bad_column) and the caller reports it. */
typedef struct reader {
    sqlite3_stmt *statement;
    int column;
    int bad_column; /* -1 while every column read well */
} reader;

static reader reader_of(sqlite3_stmt *statement)
{
    reader result = {statement, 0, -1};
    return result;
}

static int64_t read_int64(reader *row)
{
    return sqlite3_column_int64(row->statement, row->column++);
}

static int read_int(reader *row)
{
    int64_t value = read_int64(row);
    return value < INT_MIN ? INT_MIN : value > INT_MAX ? INT_MAX : (int)value;
}

static double read_double(reader *row)
{
    return sqlite3_column_double(row->statement, row->column++);
}

static void copy_column_text(sqlite3_stmt *statement, int column, char *out, size_t size)
{
    const unsigned char *text = sqlite3_column_text(statement, column);
    size_t length = text != NULL ? (size_t)sqlite3_column_bytes(statement, column) : 0;
    if (length > size - 1)
        length = size - 1;
    if (length > 0)
        memcpy(out, text, length);
    out[length] = '\0';
}

static void read_text(reader *row, char *out, size_t size)
{
    copy_column_text(row->statement, row->column++, out, size);
}

#define READ_FIELD(row, array) read_text((row), (array), sizeof(array))

static int read_enum(reader *row, enum_namer namer, int count)
{
    int column = row->column++;
    const unsigned char *text = sqlite3_column_text(row->statement, column);
    int length = sqlite3_column_bytes(row->statement, column);
    int value = 0;
    if (!decode_enum(text, length, namer, count, &value) && row->bad_column < 0)
        row->bad_column = column;
    return value;
}

/* A small enumeration stored as its number: out of [0, count) is corrupt. */
static int read_small(reader *row, int count)
{
    int column = row->column;
    int64_t value = read_int64(row);
    if ((value < 0 || value >= count) && row->bad_column < 0)
        row->bad_column = column;
    return value < 0 || value >= count ? 0 : (int)value;
}

/* ------------------------------------------------------------------------ */
/* Running statements                                                       */
/* ------------------------------------------------------------------------ */

/* Runs a statement that returns no rows, then resets it for reuse. */
static int run_write(struct sqlite_store *store, sqlite3_stmt *statement, const char *operation,
                     hl_error *error)
{
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = storage_error(store, operation, error);
    sqlite3_reset(statement);
    return result;
}

/* A cached statement for a visitor loop. A visitor may call back into the
 * store and run the same query again (listing an order's events while
 * listing events); then the cached statement is still stepping and the
 * nested call gets a private copy, finalized when it is done. */
static sqlite3_stmt *borrow_statement(struct sqlite_store *store, statement_id id,
                                      const char *operation, hl_error *error)
{
    sqlite3_stmt *cached = store->statements[id];
    if (cached != NULL && !sqlite3_stmt_busy(cached))
        return cached;
    sqlite3_stmt *fresh = NULL;
    if (sqlite3_prepare_v2(store->db, statement_sql[id], -1, &fresh, NULL) != SQLITE_OK) {
        storage_error(store, operation, error);
        sqlite3_finalize(fresh);
        return NULL;
    }
    return fresh;
}

static void return_statement(struct sqlite_store *store, statement_id id, sqlite3_stmt *statement)
{
    if (statement == store->statements[id])
        sqlite3_reset(statement);
    else
        sqlite3_finalize(statement);
}

/* Decodes the current row and hands it to the caller's visitor; returns the
 * visitor's answer, or an error code after filling error. */
typedef int (*row_handler)(sqlite3_stmt *statement, void *context, hl_error *error);

/* Steps through every row, one at a time: nothing is collected, so a scan
 * of tens of millions of rows runs in constant memory. Stops at the first
 * non-zero answer of the handler and returns it. Does not reset. */
static int visit_rows(struct sqlite_store *store, sqlite3_stmt *statement, const char *operation,
                      row_handler handle, void *context, hl_error *error)
{
    for (;;) {
        int rc = sqlite3_step(statement);
        if (rc == SQLITE_DONE)
            return HL_OK;
        if (rc != SQLITE_ROW)
            return storage_error(store, operation, error);
        int answer = handle(statement, context, error);
        if (answer != 0)
            return answer;
    }
}

/* Runs a cached query with no parameters over every row. */
static int visit_all(struct sqlite_store *store, statement_id id, const char *operation,
                     row_handler handle, void *context, hl_error *error)
{
    sqlite3_stmt *statement = borrow_statement(store, id, operation, error);
    if (statement == NULL)
        return HL_EIO;
    int result = visit_rows(store, statement, operation, handle, context, error);
    return_statement(store, id, statement);
    return result;
}

/* Runs a single-row lookup whose key is already bound: HL_ENOTFOUND (error
 * left for the caller to fill) when no row matches, else the handler's
 * answer for the row. Resets the statement. */
static int lookup_row(struct sqlite_store *store, sqlite3_stmt *statement, const char *operation,
                      row_handler handle, void *context, hl_error *error)
{
    int rc = sqlite3_step(statement);
    int result;
    if (rc == SQLITE_ROW)
        result = handle(statement, context, error);
    else if (rc == SQLITE_DONE)
        result = HL_ENOTFOUND; /* the caller names what is missing */
    else
        result = storage_error(store, operation, error);
    sqlite3_reset(statement);
    return result;
}

static int exec_sql(struct sqlite_store *store, const char *sql, const char *operation,
                    hl_error *error)
{
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return storage_error(store, operation, error);
    return HL_OK;
}

/* ------------------------------------------------------------------------ */
/* Opening, migrating, closing                                              */
/* ------------------------------------------------------------------------ */

static void close_connection(struct sqlite_store *store)
{
    for (int id = 0; id < STMT_COUNT; id++) {
        sqlite3_finalize(store->statements[id]);
        store->statements[id] = NULL;
    }
    /* Closing with a transaction open rolls it back, as a crash would. */
    sqlite3_close(store->db);
    store->db = NULL;
}

static void sqlite_close(hl_store *base)
{
    struct sqlite_store *store = store_of(base);
    if (store->db != NULL)
        close_connection(store);
    free(store->pending);
    release_writers_lock(store); /* closing rolled back what was open */
    free(store);
}

/* Reads meta.schema_version: 0 for a new, empty database. */
static int read_schema_version(struct sqlite_store *store, int *out, hl_error *error)
{
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
    if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK)
        return storage_error(store, "schema", error);
    int rc = sqlite3_step(statement);
    bool has_meta = rc == SQLITE_ROW && sqlite3_column_int(statement, 0) > 0;
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW)
        return storage_error(store, "schema", error);
    *out = 0;
    if (!has_meta)
        return HL_OK;

    sql = "SELECT value FROM meta WHERE key = 'schema_version'";
    if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK)
        return storage_error(store, "schema", error);
    rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(statement, 0);
        int64_t version = 0;
        if (text == NULL ||
            hl_text_parse_int(hl_slice_of((const char *)text), 0, INT_MAX, &version) != HL_OK)
            result = hl_error_set(error, HL_EIO, NULL, "%s",
                                  HL_T("数据库的 schema_version 无法识别",
                                       "the database's schema_version is unreadable"));
        else
            *out = (int)version;
    } else if (rc != SQLITE_DONE) {
        result = storage_error(store, "schema", error);
    }
    sqlite3_finalize(statement);
    return result;
}

static int newer_schema_error(int version, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EIO, NULL,
                            "database schema version %d is newer than this hotline (%d)", version,
                            MIGRATION_COUNT);
    return hl_error_set(error, HL_EIO, NULL, "数据库结构版本 %d 比本程序支持的版本 (%d) 新",
                        version, MIGRATION_COUNT);
}

/* Applies one migration in its own transaction, so that a failure (or a
 * crash) leaves the database at the previous version, never in between.
 * The version is read again under the write lock: another process may have
 * migrated the file while we waited. */
static int apply_migration(struct sqlite_store *store, int target, hl_error *error)
{
    int result = exec_sql(store, "BEGIN IMMEDIATE", "migration", error);
    if (result != HL_OK)
        return result;
    int version = 0;
    result = read_schema_version(store, &version, error);
    if (result == HL_OK && version > MIGRATION_COUNT)
        result = newer_schema_error(version, error);
    if (result == HL_OK && version < target) {
        result = exec_sql(store, migrations[target - 1], "migration", error);
        if (result == HL_OK) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO meta(key, value) VALUES('schema_version', '%d') "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     target);
            result = exec_sql(store, sql, "migration", error);
        }
    }
    if (result == HL_OK)
        return exec_sql(store, "COMMIT", "migration", error);
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return result;
}

/* The number of tables in the database, to tell a new file from another
 * program's database. */
static int count_tables(struct sqlite_store *store, int *out, hl_error *error)
{
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
    if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK)
        return storage_error(store, "schema", error);
    int rc = sqlite3_step(statement);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(statement, 0) : 0;
    sqlite3_finalize(statement);
    return rc == SQLITE_ROW ? HL_OK : storage_error(store, "schema", error);
}

static int migrate(struct sqlite_store *store, const char *path, hl_error *error)
{
    int version = 0;
    int result = read_schema_version(store, &version, error);
    if (result != HL_OK)
        return result;
    if (version > MIGRATION_COUNT)
        return newer_schema_error(version, error);
    if (version == 0) {
        /* Tables but no schema version: some other program's database,
         * which we must not fill with ours. */
        int tables = 0;
        result = count_tables(store, &tables, error);
        if (result != HL_OK)
            return result;
        if (tables > 0)
            return not_a_database(path, HL_T("没有 schema_version", "no schema_version"), error);
    }
    for (int target = version + 1; target <= MIGRATION_COUNT && result == HL_OK; target++)
        result = apply_migration(store, target, error);
    return result;
}

/* How long a connection waits for another one's write transaction (or a
 * checkpoint) before giving up with "database is locked". */
#define BUSY_WAIT_SECONDS 5.0

static _Thread_local struct timespec busy_since;

/* SQLite's own busy timeout sleeps 1, 2, 5, 10, 15... milliseconds between
 * tries: the server's writers, which each hold the lock for well under a
 * millisecond (one fsync), waited ten times longer than the lock was held,
 * and durable registrations over HTTP ran at a few hundred a second. This
 * handler tries again after 50 microseconds, backing off to 1 ms. (Within
 * one process, writers queue on writers_lock first and rarely get here.) */
static int busy_wait(void *context, int attempts)
{
    (void)context;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (attempts == 0)
        busy_since = now;
    double waited = (double)(now.tv_sec - busy_since.tv_sec) + (double)(now.tv_nsec - busy_since.tv_nsec) / 1e9;
    if (waited >= BUSY_WAIT_SECONDS)
        return 0;
    struct timespec pause = {0, attempts < 10 ? 50 * 1000 : attempts < 100 ? 200 * 1000 : 1000 * 1000};
    nanosleep(&pause, NULL);
    return 1;
}

static int configure_connection(struct sqlite_store *store, const char *path, hl_error *error)
{
    /* The busy handler first, so that opening while another connection
     * writes waits instead of failing; then the page size: it is fixed when
     * the first page is written, and a WAL database cannot change it later.
     * Neither reads the file. */
    sqlite3_busy_handler(store->db, busy_wait, NULL);
    char sql[256];
    snprintf(sql, sizeof sql, "PRAGMA page_size=%d", PAGE_SIZE_BYTES);
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cannot_open(path, sqlite3_errmsg(store->db), error);
    /* The first statement that reads the file header: this is where a file
     * that is not a database shows itself. */
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(store->db, "PRAGMA journal_mode=WAL", -1, &statement, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(statement);
    char mode[16] = "";
    if (rc == SQLITE_ROW)
        copy_column_text(statement, 0, mode, sizeof mode);
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW) {
        int primary = sqlite3_extended_errcode(store->db) & 0xff;
        if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
            return not_a_database(path, sqlite3_errmsg(store->db), error);
        return cannot_open(path, sqlite3_errmsg(store->db), error);
    }
    /* Durability rests on WAL; only an in-memory database (tests) has none. */
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0) {
        if (hl_i18n_get() == HL_LANG_EN)
            return hl_error_set(error, HL_EIO, NULL,
                                "%s: the file system does not support write-ahead logging", path);
        return hl_error_set(error, HL_EIO, NULL, "%s：文件系统不支持预写日志 (WAL)", path);
    }
    if (sqlite3_db_readonly(store->db, "main") == 1) {
        if (hl_i18n_get() == HL_LANG_EN)
            return hl_error_set(error, HL_EIO, NULL, "%s: the database is read-only", path);
        return hl_error_set(error, HL_EIO, NULL, "%s：数据库只读", path);
    }
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
             "PRAGMA journal_size_limit=%d; PRAGMA wal_autocheckpoint=%d",
             WAL_SIZE_LIMIT_BYTES, WAL_AUTOCHECKPOINT_PAGES);
    return exec_sql(store, sql, "open", error);
}

static int prepare_statements(struct sqlite_store *store, hl_error *error)
{
    for (int id = 0; id < STMT_COUNT; id++) {
        if (sqlite3_prepare_v3(store->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &store->statements[id], NULL) != SQLITE_OK)
            return storage_error(store, "prepare", error);
    }
    return HL_OK;
}

/* SQLite keeps allocation statistics behind one process-wide mutex, taken
 * on every allocation of every connection: the server's worker threads
 * queued on it. hotline reads none of those statistics. Set once, before
 * SQLite initialises (afterwards sqlite3_config refuses, harmlessly). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int hl_store_open_sqlite(const char *path, hl_store **out, hl_error *error)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_sqlite);
    if (out != NULL)
        *out = NULL;
    if (path == NULL || path[0] == '\0' || out == NULL)
        return missing_argument("open", error);

    struct sqlite_store *store = hl_xcalloc(1, sizeof *store);
    store->base.ops = &sqlite_ops;
    /* Without SQLite's own mutex: each thread opens its own connection. */
    int rc = sqlite3_open_v2(
        path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        cannot_open(path, store->db != NULL ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc),
                    error);
        sqlite_close(&store->base);
        return HL_EIO;
    }
    sqlite3_extended_result_codes(store->db, 1);

    int result = configure_connection(store, path, error);
    if (result == HL_OK)
        result = migrate(store, path, error);
    if (result == HL_OK)
        result = prepare_statements(store, error);
    if (result != HL_OK) {
        sqlite_close(&store->base);
        return result;
    }
    *out = &store->base;
    return HL_OK;
}

/* ------------------------------------------------------------------------ */
/* Transactions and bulk mode                                               */
/* ------------------------------------------------------------------------ */

/* Makes what a bulk load wrote durable. The WAL is synced through SQLite's
 * own file handle, which works even when a reader elsewhere keeps the
 * checkpoint from finishing; then a checkpoint folds the WAL into the
 * database (syncing both) and truncates it. Both are best effort: the
 * interface has no error to report, and the data is committed either way. */
static void sync_after_bulk(struct sqlite_store *store)
{
    sqlite3_file *wal = NULL;
    if (sqlite3_file_control(store->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) == SQLITE_OK &&
        wal != NULL && wal->pMethods != NULL)
        wal->pMethods->xSync(wal, SQLITE_SYNC_FULL);
    sqlite3_wal_checkpoint_v2(store->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

/* Bulk mode trades per-commit syncs for speed during an import. It stays
 * crash-safe because the import is one transaction in a WAL database: if
 * the process or the machine dies mid-load, the WAL frames of the unfinished
 * transaction are ignored on recovery and the database shows the previous
 * committed state. Automatic checkpoints are off meanwhile, so that unsynced
 * pages are never copied into the database file itself: a power cut right
 * after an unsynced commit can lose that commit, never corrupt older data.
 * Leaving bulk mode restores synchronous=FULL and syncs what was committed.
 *
 * SQLite refuses to change synchronous inside a transaction, so a change
 * asked for mid-transaction waits until the transaction ends. */
static void apply_bulk_mode(struct sqlite_store *store)
{
    if (store->bulk == store->bulk_applied || !sqlite3_get_autocommit(store->db))
        return;
    store->bulk_applied = store->bulk;
    if (store->bulk) {
        sqlite3_exec(store->db, "PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=0", NULL, NULL,
                     NULL);
        return;
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=%d",
             store->background_checkpoints ? 0 : WAL_AUTOCHECKPOINT_PAGES);
    sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    sync_after_bulk(store);
}

static void sqlite_set_background_checkpoints(hl_store *base, bool on)
{
    struct sqlite_store *store = store_of(base);
    store->background_checkpoints = on;
    if (store->bulk_applied)
        return; /* bulk mode has them off already; leaving it applies the choice */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint=%d", on ? 0 : WAL_AUTOCHECKPOINT_PAGES);
    sqlite3_exec(store->db, sql, NULL, NULL, NULL);
}

static int sqlite_checkpoint(hl_store *base, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    int rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    /* Busy: another connection is checkpointing; the next call goes on. */
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return storage_error(store, "checkpoint", error);
    return HL_OK;
}

static void sqlite_set_bulk(hl_store *base, bool bulk)
{
    struct sqlite_store *store = store_of(base);
    store->bulk = bulk;
    apply_bulk_mode(store);
}

static int sqlite_begin(hl_store *base, hl_error *error)
{
    static pthread_once_t initialised = PTHREAD_ONCE_INIT;
    struct sqlite_store *store = store_of(base);
    pthread_once(&initialised, init_writers_lock);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)BUSY_WAIT_SECONDS;
    if (pthread_mutex_timedlock(&writers_lock, &deadline) != 0)
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            HL_T("数据库正忙（另一写入未在时限内结束）",
                                 "the database is busy (another write did not end in time)"));
    store->holds_writers_lock = true;
    /* IMMEDIATE takes the write lock now, so that a busy database is found
     * out (after busy_wait) before any work, not at the first write. */
    int result = run_write(store, store->statements[STMT_BEGIN], "begin", error);
    if (result != HL_OK)
        release_writers_lock(store);
    return result;
}

static int sqlite_begin_read(hl_store *base, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    return run_write(store, store->statements[STMT_BEGIN_READ], "begin", error);
}

static void forget_state_counts(struct sqlite_store *store)
{
    memset(store->pending_state_counts, 0, sizeof store->pending_state_counts);
    store->state_counts_pending = false;
}

/* Writes the transaction's changes of the per-state counts: one statement
 * per state that changed, inside the transaction, just before it commits. */
static int flush_state_counts(struct sqlite_store *store, hl_error *error)
{
    if (!store->state_counts_pending)
        return HL_OK;
    sqlite3_stmt *statement = store->statements[STMT_STATE_COUNT_ADD];
    for (int state = 0; state < HL_STATE_COUNT; state++) {
        if (store->pending_state_counts[state] == 0)
            continue;
        binder binding = binder_of(statement);
        bind_string(&binding, encode_enum(state, state_name, HL_STATE_COUNT));
        bind_int64(&binding, store->pending_state_counts[state]);
        if (binding.rc != SQLITE_OK)
            return storage_error(store, "order_state_counts", error);
        int result = run_write(store, statement, "order_state_counts", error);
        if (result != HL_OK)
            return result;
    }
    forget_state_counts(store);
    return HL_OK;
}

/* Counts an order into or out of a state; written at once when no
 * transaction is open (each statement is then its own). */
static int count_state_change(struct sqlite_store *store, hl_state from, hl_state to, hl_error *error)
{
    if (from == to)
        return HL_OK;
    if ((int)from > HL_STATE_NONE && from < HL_STATE_COUNT)
        store->pending_state_counts[from]--;
    if ((int)to > HL_STATE_NONE && to < HL_STATE_COUNT)
        store->pending_state_counts[to]++;
    store->state_counts_pending = true;
    return sqlite3_get_autocommit(store->db) ? flush_state_counts(store, error) : HL_OK;
}

static int sqlite_commit(hl_store *base, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    /* On failure the caller rolls back, which drops what was not written
     * (the phone index entries and the per-state counts alike). */
    int result = flush_pending_phones(store, error);
    if (result == HL_OK)
        result = flush_state_counts(store, error);
    if (result != HL_OK)
        return result;
    result = run_write(store, store->statements[STMT_COMMIT], "commit", error);
    if (result == HL_OK || sqlite3_get_autocommit(store->db))
        release_writers_lock(store);
    apply_bulk_mode(store);
    return result;
}

static int sqlite_rollback(hl_store *base)
{
    struct sqlite_store *store = store_of(base);
    drop_pending_phones(store);
    forget_state_counts(store);
    /* Rolling back nothing is fine: error paths roll back unconditionally. */
    if (sqlite3_get_autocommit(store->db)) {
        release_writers_lock(store);
        return HL_OK;
    }
    int result = run_write(store, store->statements[STMT_ROLLBACK], "rollback", NULL);
    release_writers_lock(store);
    apply_bulk_mode(store);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                            */
/* ------------------------------------------------------------------------ */

typedef struct config_value {
    char *value;
    size_t size;
    const char *key;
} config_value;

static int copy_config_value(sqlite3_stmt *statement, void *context, hl_error *error)
{
    config_value *target = context;
    const unsigned char *text = sqlite3_column_text(statement, 0);
    size_t length = text != NULL ? (size_t)sqlite3_column_bytes(statement, 0) : 0;
    /* A cut-off setting would be read as a different setting: refuse. */
    if (length >= target->size) {
        if (hl_i18n_get() == HL_LANG_EN)
            return hl_error_set(error, HL_EINVAL, target->key,
                                "the value of setting %s is longer than %zu bytes", target->key,
                                target->size - 1);
        return hl_error_set(error, HL_EINVAL, target->key, "配置项 %s 的值超过 %zu 字节",
                            target->key, target->size - 1);
    }
    copy_column_text(statement, 0, target->value, target->size);
    return HL_OK;
}

static int not_found(const char *what_zh, const char *what_en, const char *key, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s %s not found", what_en, key);
    return hl_error_set(error, HL_ENOTFOUND, NULL, "%s %s 不存在", what_zh, key);
}

static int sqlite_config_get(hl_store *base, const char *key, char *value, size_t size,
                             hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_CONFIG_GET];
    binder binding = binder_of(statement);
    bind_string(&binding, key);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "config_get", error);
    int rc = sqlite3_step(statement);
    int result;
    if (rc == SQLITE_ROW) {
        config_value target = {value, size, key};
        result = copy_config_value(statement, &target, error);
    } else if (rc == SQLITE_DONE) {
        result = not_found("配置项", "setting", key, error);
    } else {
        result = storage_error(store, "config_get", error);
    }
    sqlite3_reset(statement);
    return result;
}

static int sqlite_config_set(hl_store *base, const char *key, const char *value, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_CONFIG_SET];
    binder binding = binder_of(statement);
    bind_string(&binding, key);
    bind_string(&binding, value);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "config_set", error);
    return run_write(store, statement, "config_set", error);
}

typedef struct config_visit {
    int (*visit)(void *context, const char *key, const char *value);
    void *context;
} config_visit;

static int visit_config_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    config_visit *visitor = context;
    const unsigned char *key = sqlite3_column_text(statement, 0);
    const unsigned char *value = sqlite3_column_text(statement, 1);
    return visitor->visit(visitor->context, key != NULL ? (const char *)key : "",
                          value != NULL ? (const char *)value : "");
}

static int sqlite_config_each(hl_store *base,
                              int (*visit)(void *context, const char *key, const char *value),
                              void *context, hl_error *error)
{
    config_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_CONFIG_EACH, "config_each", visit_config_row, &visitor,
                     error);
}

/* ------------------------------------------------------------------------ */
/* Directory: units, categories, users                                      */
/* ------------------------------------------------------------------------ */

static void read_unit(sqlite3_stmt *statement, hl_unit *unit)
{
    reader row = reader_of(statement);
    READ_FIELD(&row, unit->code);
    READ_FIELD(&row, unit->name);
    READ_FIELD(&row, unit->group);
    READ_FIELD(&row, unit->parent);
    unit->active = read_int64(&row) != 0;
}

static int copy_unit_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    read_unit(statement, context);
    return HL_OK;
}

typedef struct unit_visit {
    hl_unit_visitor visit;
    void *context;
} unit_visit;

static int visit_unit_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    unit_visit *visitor = context;
    hl_unit unit;
    read_unit(statement, &unit);
    return visitor->visit(visitor->context, &unit);
}

static int sqlite_unit_put(hl_store *base, const hl_unit *unit, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_UNIT_PUT];
    binder binding = binder_of(statement);
    BIND_FIELD(&binding, unit->code);
    BIND_FIELD(&binding, unit->name);
    BIND_FIELD(&binding, unit->group);
    BIND_FIELD(&binding, unit->parent);
    bind_int64(&binding, unit->active ? 1 : 0);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "unit_put", error);
    return run_write(store, statement, "unit_put", error);
}

static int sqlite_unit_get(hl_store *base, const char *code, hl_unit *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_UNIT_GET];
    binder binding = binder_of(statement);
    bind_string(&binding, code);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "unit_get", error);
    int result = lookup_row(store, statement, "unit_get", copy_unit_row, out, error);
    if (result == HL_ENOTFOUND)
        return not_found("单位", "unit", code, error);
    return result;
}

static int sqlite_unit_each(hl_store *base, hl_unit_visitor visit, void *context, hl_error *error)
{
    unit_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_UNIT_EACH, "unit_each", visit_unit_row, &visitor, error);
}

static void read_category(sqlite3_stmt *statement, hl_category *category)
{
    reader row = reader_of(statement);
    READ_FIELD(&row, category->code);
    READ_FIELD(&row, category->name);
    READ_FIELD(&row, category->parent);
    READ_FIELD(&row, category->default_unit);
    category->handle_days = read_int(&row);
    category->active = read_int64(&row) != 0;
}

static int copy_category_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    read_category(statement, context);
    return HL_OK;
}

typedef struct category_visit {
    hl_category_visitor visit;
    void *context;
} category_visit;

static int visit_category_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    category_visit *visitor = context;
    hl_category category;
    read_category(statement, &category);
    return visitor->visit(visitor->context, &category);
}

static int sqlite_category_put(hl_store *base, const hl_category *category, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_CATEGORY_PUT];
    binder binding = binder_of(statement);
    BIND_FIELD(&binding, category->code);
    BIND_FIELD(&binding, category->name);
    BIND_FIELD(&binding, category->parent);
    BIND_FIELD(&binding, category->default_unit);
    bind_int64(&binding, category->handle_days);
    bind_int64(&binding, category->active ? 1 : 0);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "category_put", error);
    return run_write(store, statement, "category_put", error);
}

static int sqlite_category_get(hl_store *base, const char *code, hl_category *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_CATEGORY_GET];
    binder binding = binder_of(statement);
    bind_string(&binding, code);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "category_get", error);
    int result = lookup_row(store, statement, "category_get", copy_category_row, out, error);
    if (result == HL_ENOTFOUND)
        return not_found("诉求分类", "category", code, error);
    return result;
}

static int sqlite_category_each(hl_store *base, hl_category_visitor visit, void *context,
                                hl_error *error)
{
    category_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_CATEGORY_EACH, "category_each", visit_category_row,
                     &visitor, error);
}

/* Returns HL_OK, or HL_EIO when the stored role is unknown to this build. */
static int read_user(sqlite3_stmt *statement, hl_user *user, hl_error *error)
{
    reader row = reader_of(statement);
    READ_FIELD(&row, user->username);
    READ_FIELD(&row, user->display_name);
    user->role = (hl_role)read_enum(&row, role_name, HL_ROLE_COUNT);
    READ_FIELD(&row, user->unit);
    user->active = read_int64(&row) != 0;
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

static int copy_user_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    return read_user(statement, context, error);
}

typedef struct user_visit {
    hl_user_visitor visit;
    void *context;
} user_visit;

static int visit_user_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    user_visit *visitor = context;
    hl_user user;
    int result = read_user(statement, &user, error);
    if (result != HL_OK)
        return result;
    return visitor->visit(visitor->context, &user);
}

static int sqlite_user_put(hl_store *base, const hl_user *user, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    const char *role = encode_enum((int)user->role, role_name, HL_ROLE_COUNT);
    if (role == NULL)
        return bad_enum("role", (int)user->role, error);
    sqlite3_stmt *statement = store->statements[STMT_USER_PUT];
    binder binding = binder_of(statement);
    BIND_FIELD(&binding, user->username);
    BIND_FIELD(&binding, user->display_name);
    bind_string(&binding, role);
    BIND_FIELD(&binding, user->unit);
    bind_int64(&binding, user->active ? 1 : 0);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "user_put", error);
    return run_write(store, statement, "user_put", error);
}

static int sqlite_user_get(hl_store *base, const char *username, hl_user *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_USER_GET];
    binder binding = binder_of(statement);
    bind_string(&binding, username);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "user_get", error);
    int result = lookup_row(store, statement, "user_get", copy_user_row, out, error);
    if (result == HL_ENOTFOUND)
        return not_found("用户", "user", username, error);
    return result;
}

static int sqlite_user_each(hl_store *base, hl_user_visitor visit, void *context, hl_error *error)
{
    user_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_USER_EACH, "user_each", visit_user_row, &visitor, error);
}

/* ------------------------------------------------------------------------ */
/* Calendar                                                                 */
/* ------------------------------------------------------------------------ */

static const char *day_kind_name(int value)
{
    return value == HL_DAY_OFF ? "off" : value == HL_DAY_WORK ? "work" : NULL;
}

static int load_calendar_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    reader row = reader_of(statement);
    int64_t day = read_int64(&row);
    hl_day_kind kind = (hl_day_kind)read_enum(&row, day_kind_name, 2);
    char festival[sizeof(((hl_calendar_entry *)NULL)->festival)];
    READ_FIELD(&row, festival);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    if (day < INT32_MIN || day > INT32_MAX)
        return corrupt_value(statement, 0, error);
    hl_calendar_set(context, (int32_t)day, kind, festival);
    return HL_OK;
}

/* Adds every stored day to `out`, which the caller has initialised. */
static int sqlite_calendar_load(hl_store *base, hl_calendar *out, hl_error *error)
{
    return visit_all(store_of(base), STMT_CALENDAR_LOAD, "calendar_load", load_calendar_row, out,
                     error);
}

static int sqlite_calendar_put(hl_store *base, const hl_calendar_entry *entry, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    const char *kind = encode_enum((int)entry->kind, day_kind_name, 2);
    if (kind == NULL)
        return bad_enum("kind", (int)entry->kind, error);
    sqlite3_stmt *statement = store->statements[STMT_CALENDAR_PUT];
    binder binding = binder_of(statement);
    bind_int64(&binding, entry->day);
    bind_string(&binding, kind);
    BIND_FIELD(&binding, entry->festival);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "calendar_put", error);
    return run_write(store, statement, "calendar_put", error);
}

/* ------------------------------------------------------------------------ */
/* Orders                                                                   */
/* ------------------------------------------------------------------------ */

/* The names of an order's enumerations, checked before anything is bound. */
typedef struct order_names {
    const char *state;
    const char *state_before_return;
    const char *channel;
    const char *type;
} order_names;

static int order_names_of(const hl_order *order, order_names *names, hl_error *error)
{
    names->state = encode_enum((int)order->state, state_name, HL_STATE_COUNT);
    if (names->state == NULL)
        return bad_enum("state", (int)order->state, error);
    names->state_before_return =
        encode_enum((int)order->state_before_return, state_name, HL_STATE_COUNT);
    if (names->state_before_return == NULL)
        return bad_enum("state_before_return", (int)order->state_before_return, error);
    names->channel = encode_enum((int)order->channel, channel_name, HL_CHANNEL_COUNT);
    if (names->channel == NULL)
        return bad_enum("channel", (int)order->channel, error);
    names->type = encode_enum((int)order->type, type_name, HL_TYPE_COUNT);
    if (names->type == NULL)
        return bad_enum("type", (int)order->type, error);
    return HL_OK;
}

/* In the order of ORDER_MUTABLE_COLUMNS. */
static void bind_order_mutable(binder *binding, const hl_order *order, const order_names *names)
{
    bind_int64(binding, order->version);
    bind_string(binding, names->state);
    bind_string(binding, names->state_before_return);
    BIND_FIELD(binding, order->lead_unit);
    BIND_FIELD(binding, order->co_units);
    bind_int64(binding, order->dispatched_at);
    bind_int64(binding, order->sign_deadline);
    bind_int64(binding, order->signed_at);
    bind_int64(binding, order->return_deadline);
    bind_int64(binding, order->handle_deadline);
    bind_int64(binding, order->due_at);
    BIND_FIELD(binding, order->reply);
    bind_int64(binding, order->completed_at);
    bind_int64(binding, order->extension_count);
    bind_int64(binding, order->extension_pending_days);
    bind_int64(binding, order->return_count);
    bind_int64(binding, order->reopen_count);
    bind_int64(binding, order->remind_count);
    bind_int64(binding, order->supervise_count);
    bind_int64(binding, order->duplicate_of);
    bind_int64(binding, order->excluded ? 1 : 0);
    BIND_FIELD(binding, order->excluded_reason);
    bind_int64(binding, order->assessed_month);
    bind_int64(binding, order->survey_attempts);
    bind_int64(binding, order->survey_result);
    bind_int64(binding, order->rating);
    bind_int64(binding, order->resolved);
    BIND_FIELD(binding, order->survey_comment);
    bind_int64(binding, order->surveyed_at);
    bind_int64(binding, order->appeal_state);
    BIND_FIELD(binding, order->appeal_reason);
}

/* ------------------------------------------------------------------------ */
/* Phone numbers at rest                                                    */
/* ------------------------------------------------------------------------ */

/* An order's phone as written: its sealed bytes and search hash, or
 * bytes == NULL when the order has no phone. */
typedef struct sealed_phone {
    const unsigned char *bytes;
    size_t length;
    const unsigned char *hash;
} sealed_phone;

static int no_codec_error(hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL, "%s",
                        HL_T("联系电话须以密钥加密存储，而此数据库连接未获得密钥",
                             "phone numbers are stored sealed, and this store connection was given no key"));
}

/* An entry of phone_index waiting for its transaction's commit. A bulk
 * load (an import of a million orders) would otherwise insert its search
 * hashes in random order, each landing on its own B-tree page: measured,
 * 3.4 µs a row on the import's writing thread; sorted first, the same
 * entries cost 1.3 µs. */
typedef struct pending_phone {
    unsigned char hash[HL_PHONE_HASH_BYTES];
    int64_t received_at;
    int64_t order_id;
} pending_phone;

/* Entries kept before they are written anyway (32 MiB). */
#define PENDING_PHONES_MAX ((size_t)1 << 20)

static int compare_pending(const void *left, const void *right)
{
    const pending_phone *a = left, *b = right;
    int order = memcmp(a->hash, b->hash, HL_PHONE_HASH_BYTES);
    if (order != 0)
        return order;
    if (a->received_at != b->received_at)
        return a->received_at < b->received_at ? -1 : 1;
    return a->order_id < b->order_id ? -1 : a->order_id > b->order_id ? 1 : 0;
}

static int put_phone_index(struct sqlite_store *store, const unsigned char *hash, int64_t received_at,
                           int64_t order_id, hl_error *error)
{
    sqlite3_stmt *statement = store->statements[STMT_PHONE_INDEX_PUT];
    binder binding = binder_of(statement);
    bind_blob(&binding, hash, HL_PHONE_HASH_BYTES);
    bind_int64(&binding, received_at);
    bind_int64(&binding, order_id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "phone_index", error);
    return run_write(store, statement, "phone_index", error);
}

/* Writes the waiting entries in key order, so that each B-tree page is
 * visited once. */
static int flush_pending_phones(struct sqlite_store *store, hl_error *error)
{
    if (store->pending_count == 0)
        return HL_OK;
    qsort(store->pending, store->pending_count, sizeof *store->pending, compare_pending);
    int result = HL_OK;
    for (size_t index = 0; index < store->pending_count && result == HL_OK; index++)
        result = put_phone_index(store, store->pending[index].hash, store->pending[index].received_at,
                                 store->pending[index].order_id, error);
    store->pending_count = 0;
    return result;
}

static void drop_pending_phones(struct sqlite_store *store)
{
    store->pending_count = 0;
}

/* Indexes an order's phone: at once, or in bulk mode at commit. */
static int index_phone(struct sqlite_store *store, const unsigned char *hash, int64_t received_at, int64_t order_id,
                       hl_error *error)
{
    if (!store->bulk)
        return put_phone_index(store, hash, received_at, order_id, error);
    if (store->pending_count == store->pending_room) {
        store->pending_room = store->pending_room > 0 ? store->pending_room * 2 : 4096;
        store->pending = hl_xrealloc(store->pending, store->pending_room * sizeof *store->pending);
    }
    pending_phone *entry = &store->pending[store->pending_count++];
    memcpy(entry->hash, hash, HL_PHONE_HASH_BYTES);
    entry->received_at = received_at;
    entry->order_id = order_id;
    return store->pending_count >= PENDING_PHONES_MAX ? flush_pending_phones(store, error) : HL_OK;
}

/* Seals an order's phone into the store's scratch space, where it stays
 * until the insert has run. */
static int seal_order_phone(struct sqlite_store *store, const hl_order *order, sealed_phone *out,
                            hl_error *error)
{
    out->bytes = NULL;
    out->length = 0;
    out->hash = NULL;
    size_t length = strnlen(order->citizen_phone, sizeof order->citizen_phone);
    if (length == 0)
        return HL_OK;
    if (store->codec.seal == NULL)
        return no_codec_error(error);
    char phone[sizeof order->citizen_phone + 1];
    memcpy(phone, order->citizen_phone, length);
    phone[length] = '\0';
    size_t sealed_length = 0;
    int result = store->codec.seal(store->codec.context, phone, store->sealed, &sealed_length,
                                   store->sealed_hash, error);
    if (result != HL_OK)
        return result;
    out->bytes = store->sealed;
    out->length = sealed_length;
    out->hash = store->sealed_hash;
    return HL_OK;
}

/* Reads a phone column: NULL is no phone; a BLOB is sealed and opened with
 * the codec; TEXT is a number an older version wrote in clear that
 * seal_phones has not reached yet. */
static int read_phone(reader *row, const hl_phone_codec *codec, int64_t id, char *out, size_t size,
                      hl_error *error)
{
    int column = row->column++;
    int type = sqlite3_column_type(row->statement, column);
    out[0] = '\0';
    if (type == SQLITE_NULL)
        return HL_OK;
    if (type != SQLITE_BLOB) {
        copy_column_text(row->statement, column, out, size);
        return HL_OK;
    }
    if (codec == NULL || codec->open == NULL)
        return no_codec_error(error);
    const void *bytes = sqlite3_column_blob(row->statement, column);
    int length = sqlite3_column_bytes(row->statement, column);
    if (codec->open(codec->context, bytes, (size_t)(length > 0 ? length : 0), out, size, error) == HL_OK)
        return HL_OK;
    out[0] = '\0';
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_EIO, NULL,
                            "the phone number of order %s cannot be opened: another key, or damaged data", number);
    return hl_error_set(error, HL_EIO, NULL, "工单 %s 的联系电话无法解密：密钥不符或数据已损坏", number);
}

/* In the order of ORDER_COLUMNS. */
static void bind_order(binder *binding, const hl_order *order, const order_names *names,
                       const sealed_phone *phone)
{
    bind_int64(binding, order->id);
    bind_string(binding, names->channel);
    bind_string(binding, names->type);
    bind_int64(binding, order->received_at);
    BIND_FIELD(binding, order->citizen_name);
    if (phone->bytes != NULL)
        bind_blob(binding, phone->bytes, phone->length);
    else
        bind_null(binding);
    BIND_FIELD(binding, order->address);
    bind_int64(binding, order->has_location ? 1 : 0);
    bind_double(binding, order->latitude);
    bind_double(binding, order->longitude);
    BIND_FIELD(binding, order->category);
    BIND_FIELD(binding, order->title);
    BIND_FIELD(binding, order->content);
    BIND_FIELD(binding, order->registered_by);
    bind_order_mutable(binding, order, names);
}

/* Reads a row selected as ORDER_COLUMNS, opening its phone with codec. */
static int read_order(sqlite3_stmt *statement, const hl_phone_codec *codec, hl_order *order,
                      hl_error *error)
{
    reader row = reader_of(statement);
    order->id = read_int64(&row);
    order->channel = (hl_channel)read_enum(&row, channel_name, HL_CHANNEL_COUNT);
    order->type = (hl_order_type)read_enum(&row, type_name, HL_TYPE_COUNT);
    order->received_at = read_int64(&row);
    READ_FIELD(&row, order->citizen_name);
    int phone_result =
        read_phone(&row, codec, order->id, order->citizen_phone, sizeof order->citizen_phone, error);
    READ_FIELD(&row, order->address);
    order->has_location = read_int64(&row) != 0;
    order->latitude = read_double(&row);
    order->longitude = read_double(&row);
    READ_FIELD(&row, order->category);
    READ_FIELD(&row, order->title);
    READ_FIELD(&row, order->content);
    READ_FIELD(&row, order->registered_by);
    order->version = read_int64(&row);
    order->state = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    order->state_before_return = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    READ_FIELD(&row, order->lead_unit);
    READ_FIELD(&row, order->co_units);
    order->dispatched_at = read_int64(&row);
    order->sign_deadline = read_int64(&row);
    order->signed_at = read_int64(&row);
    order->return_deadline = read_int64(&row);
    order->handle_deadline = read_int64(&row);
    order->due_at = read_int64(&row);
    READ_FIELD(&row, order->reply);
    order->completed_at = read_int64(&row);
    order->extension_count = read_int(&row);
    order->extension_pending_days = read_int(&row);
    order->return_count = read_int(&row);
    order->reopen_count = read_int(&row);
    order->remind_count = read_int(&row);
    order->supervise_count = read_int(&row);
    order->duplicate_of = read_int64(&row);
    order->excluded = read_int64(&row) != 0;
    READ_FIELD(&row, order->excluded_reason);
    order->assessed_month = read_int(&row);
    order->survey_attempts = read_int(&row);
    order->survey_result = (hl_survey_result)read_small(&row, HL_SURVEY_FAILED + 1);
    order->rating = (hl_rating)read_small(&row, HL_RATING_COUNT);
    order->resolved = (hl_resolved)read_small(&row, HL_RESOLVED_NO + 1);
    READ_FIELD(&row, order->survey_comment);
    order->surveyed_at = read_int64(&row);
    order->appeal_state = (hl_appeal_state)read_small(&row, HL_APPEAL_REJECTED + 1);
    READ_FIELD(&row, order->appeal_reason);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    return phone_result;
}

typedef struct order_copy {
    const hl_phone_codec *codec;
    hl_order *order;
} order_copy;

static int copy_order_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    order_copy *copy = context;
    return read_order(statement, copy->codec, copy->order, error);
}

static int order_error(int code, const char *what_zh, const char *what_en, int64_t id,
                       hl_error *error)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, code, NULL, "order %s %s", number, what_en);
    return hl_error_set(error, code, NULL, "工单 %s %s", number, what_zh);
}

static int sqlite_order_max_id(hl_store *base, int64_t from_id, int64_t to_id, int64_t *out,
                               hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    *out = 0;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_MAX_ID];
    binder binding = binder_of(statement);
    bind_int64(&binding, from_id);
    bind_int64(&binding, to_id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "order_max_id", error);
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(statement, 0); /* max() of nothing is NULL: 0 */
    else if (rc != SQLITE_DONE)
        result = storage_error(store, "order_max_id", error);
    sqlite3_reset(statement);
    return result;
}

/* ---- The list tables: order_units and order_state_counts ---- */

/* Writes or deletes the order_units rows of a lead unit and a list of
 * co-handling units (put: lead row first, so that it wins). */
static int unit_rows(struct sqlite_store *store, bool put, const char *lead_unit, const char *co_units,
                     hl_time received_at, int64_t id, hl_error *error)
{
    const char *operation = put ? "order_units put" : "order_units delete";
    sqlite3_stmt *statement = store->statements[put ? STMT_UNIT_ROW_PUT : STMT_UNIT_ROW_DELETE];
    int result = HL_OK;
    const char *cursor = lead_unit;
    bool lead = true;
    while (result == HL_OK) {
        size_t length = lead ? strlen(cursor) : strcspn(cursor, ",");
        if (length > 0) {
            binder binding = binder_of(statement);
            binding.index++;
            if (binding.rc == SQLITE_OK)
                binding.rc = sqlite3_bind_text(statement, binding.index, cursor, (int)length, SQLITE_STATIC);
            bind_int64(&binding, received_at);
            bind_int64(&binding, id);
            if (put)
                bind_int64(&binding, lead ? 1 : 0);
            result = binding.rc == SQLITE_OK ? run_write(store, statement, operation, error)
                                             : storage_error(store, operation, error);
        }
        if (lead) {
            lead = false;
            cursor = co_units;
        } else if (cursor[length] == ',') {
            cursor += length + 1;
        } else {
            break;
        }
    }
    return result;
}

static int sqlite_order_insert(hl_store *base, const hl_order *order, const hl_sealed_phone *sealed,
                               hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    order_names names;
    int result = order_names_of(order, &names, error);
    if (result != HL_OK)
        return result;
    /* A phone sealed by the caller is taken as it is; any other is sealed
     * here, so that no number can reach the table in clear. */
    sealed_phone phone = {NULL, 0, NULL};
    if (sealed != NULL && sealed->length > 0 && sealed->length <= sizeof sealed->bytes)
        phone = (sealed_phone){sealed->bytes, sealed->length, sealed->hash};
    else
        result = seal_order_phone(store, order, &phone, error);
    if (result != HL_OK)
        return result;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_INSERT];
    binder binding = binder_of(statement);
    bind_order(&binding, order, &names, &phone);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "order_insert", error);
    int rc = sqlite3_step(statement);
    result = HL_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        result = order_error(HL_ECONFLICT, "已存在", "already exists", order->id, error);
    else if (rc != SQLITE_DONE)
        result = storage_error(store, "order_insert", error);
    sqlite3_reset(statement);
    if (result == HL_OK && phone.bytes != NULL)
        result = index_phone(store, phone.hash, order->received_at, order->id, error);
    /* A registration has no unit yet: nothing to write but a count. */
    if (result == HL_OK && (order->lead_unit[0] != '\0' || order->co_units[0] != '\0'))
        result = unit_rows(store, true, order->lead_unit, order->co_units, order->received_at, order->id, error);
    if (result == HL_OK)
        result = count_state_change(store, HL_STATE_NONE, order->state, error);
    return result;
}

/* What the list tables and the per-state counts hold of an order before
 * an update: a point lookup of the row the update is about to change. */
typedef struct listed_order {
    bool found; /* false: no row at that version (the update will change nothing) */
    char lead_unit[HL_CODE_BYTES];
    char co_units[HL_CO_UNITS_BYTES];
    hl_state state;
    hl_time received_at;
} listed_order;

static int read_listed_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    listed_order *listed = context;
    reader row = reader_of(statement);
    READ_FIELD(&row, listed->lead_unit);
    READ_FIELD(&row, listed->co_units);
    listed->state = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    listed->received_at = read_int64(&row);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    listed->found = true;
    return HL_OK;
}

static int read_listed(struct sqlite_store *store, int64_t id, int64_t version, listed_order *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    out->state = HL_STATE_NONE;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_UNITS_OF];
    binder binding = binder_of(statement);
    bind_int64(&binding, id);
    bind_int64(&binding, version);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "order_update", error);
    int result = lookup_row(store, statement, "order_update", read_listed_row, out, error);
    return result == HL_ENOTFOUND ? HL_OK : result; /* the update finds it absent or stale */
}

/* After an update: the unit rows when the units changed, the per-state
 * counts when the state did. */
static int keep_list_tables(struct sqlite_store *store, const listed_order *before, const hl_order *after,
                            hl_error *error)
{
    int result = HL_OK;
    if (strcmp(before->lead_unit, after->lead_unit) != 0 || strcmp(before->co_units, after->co_units) != 0) {
        result = unit_rows(store, false, before->lead_unit, before->co_units, before->received_at, after->id, error);
        if (result == HL_OK)
            result = unit_rows(store, true, after->lead_unit, after->co_units, before->received_at, after->id,
                               error);
    }
    if (result == HL_OK)
        result = count_state_change(store, before->state, after->state, error);
    return result;
}

/* Whether an order exists; *exists is false also on error. */
static int order_exists(struct sqlite_store *store, int64_t id, bool *exists, hl_error *error)
{
    *exists = false;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_EXISTS];
    binder binding = binder_of(statement);
    bind_int64(&binding, id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "order_update", error);
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc == SQLITE_ROW)
        *exists = true;
    else if (rc != SQLITE_DONE)
        result = storage_error(store, "order_update", error);
    sqlite3_reset(statement);
    return result;
}

/* Optimistic concurrency: the row changes only if nobody has acted on the
 * order since the caller read it at expected_version. */
static int sqlite_order_update(hl_store *base, const hl_order *order, int64_t expected_version,
                               hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    order_names names;
    int result = order_names_of(order, &names, error);
    if (result != HL_OK)
        return result;
    listed_order before;
    result = read_listed(store, order->id, expected_version, &before, error);
    if (result != HL_OK)
        return result;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_UPDATE];
    binder binding = binder_of(statement);
    bind_order_mutable(&binding, order, &names);
    bind_int64(&binding, order->id);
    bind_int64(&binding, expected_version);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "order_update", error);
    result = run_write(store, statement, "order_update", error);
    if (result != HL_OK)
        return result;
    if (sqlite3_changes(store->db) > 0)
        return before.found ? keep_list_tables(store, &before, order, error) : HL_OK;
    bool exists;
    result = order_exists(store, order->id, &exists, error);
    if (result != HL_OK)
        return result;
    if (!exists)
        return order_error(HL_ENOTFOUND, "不存在", "not found", order->id, error);
    return order_error(HL_ECONFLICT, "已被他人更改，请重新读取后再试",
                       "was changed by someone else; reload it and try again", order->id, error);
}

static int sqlite_order_get(hl_store *base, int64_t id, hl_order *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_ORDER_GET];
    binder binding = binder_of(statement);
    bind_int64(&binding, id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "order_get", error);
    order_copy copy = {&store->codec, out};
    int result = lookup_row(store, statement, "order_get", copy_order_row, &copy, error);
    if (result == HL_ENOTFOUND)
        return order_error(HL_ENOTFOUND, "不存在", "not found", id, error);
    return result;
}

/* One parameter of a query built at run time. Values are always bound,
 * never pasted into the SQL text. */
typedef struct query_parameter {
    const char *text; /* NULL: bind blob, else number */
    const unsigned char *blob; /* with blob_length bytes; NULL: bind number */
    size_t blob_length;
    int64_t number;
} query_parameter;

/* At most: every state, every channel, a dozen single filters, two for
 * the text, two for a scope, the unit of a range, the phone, three for
 * "received before", the category list, the limit and the offset. */
#define QUERY_MAX_PARAMETERS (HL_STATE_COUNT + HL_CHANNEL_COUNT + 30)

/* Which part of a deadline-sorted list a query reads. */
typedef enum query_part {
    PART_ALL = 0,
    PART_DEADLINE,    /* the orders whose deadline runs (due_at > 0) */
    PART_NO_DEADLINE, /* the others */
} query_part;

/* How a query reaches its rows. The lists of the API choose explicitly, so
 * that a page never depends on SQLite guessing well without statistics:
 * see plan_page and plan_count. */
typedef enum query_source {
    SOURCE_ORDERS = 0, /* the orders table: SQLite picks the index */
    SOURCE_DEADLINES,  /* orders through orders_by_due, in deadline order */
    SOURCE_UNIT,       /* one unit's range of order_units, in received order, joined to orders */
} query_source;

typedef struct query_plan {
    query_source source;
    const char *unit;      /* SOURCE_UNIT: the unit whose range is read */
    int lead;              /* SOURCE_UNIT: 1 its lead rows, 0 its co-handling rows, -1 both */
    const char *also_lead; /* an extra "lead_unit = ?" (the lead half of a scope's count) */
    query_part part;
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
} query_plan;

typedef struct order_query {
    hl_buf where; /* " WHERE ..." or "" */
    query_parameter parameters[QUERY_MAX_PARAMETERS];
    int count;
    bool touches_orders; /* a condition reads a column of orders (not only of order_units) */
    unsigned char phone_hash[HL_PHONE_HASH_BYTES]; /* the filter's phone, hashed */
} order_query;

static void query_condition(order_query *query, const char *condition)
{
    hl_buf_append_str(&query->where, query->where.len > 0 ? " AND " : " WHERE ");
    hl_buf_append_str(&query->where, condition);
}

/* A condition on a column of orders. */
static void order_condition(order_query *query, const char *condition)
{
    query_condition(query, condition);
    query->touches_orders = true;
}

static void query_text(order_query *query, const char *text)
{
    query->parameters[query->count] = (query_parameter){.text = text};
    query->count++;
}

static void query_number(order_query *query, int64_t number)
{
    query->parameters[query->count] = (query_parameter){.number = number};
    query->count++;
}

static void query_blob(order_query *query, const unsigned char *blob, size_t length)
{
    query->parameters[query->count] = (query_parameter){.blob = blob, .blob_length = length};
    query->count++;
}

/* A filter by phone is a filter by its search hash, which only the codec
 * can compute: hashed here, before the SQL is built. */
static int query_hash_phone(struct sqlite_store *store, order_query *query, const hl_order_filter *filter,
                            hl_error *error)
{
    if (filter == NULL || filter->phone == NULL || filter->phone[0] == '\0')
        return HL_OK;
    if (store->codec.hash == NULL)
        return no_codec_error(error);
    int result = store->codec.hash(store->codec.context, filter->phone, query->phone_hash, error);
    /* A search inside a bulk load sees the load's own orders too. */
    if (result == HL_OK)
        result = flush_pending_phones(store, error);
    return result;
}

static bool filter_set(const char *text)
{
    return text != NULL && text[0] != '\0';
}

static int state_count(unsigned mask)
{
    int listed = 0;
    for (int state = 0; state < HL_STATE_COUNT; state++)
        if ((mask & HL_STATE_BIT(state)) != 0)
            listed++;
    return listed;
}

/* A unit code held in a comma-separated list of codes. instr, not LIKE:
 * unit codes may hold '_', a LIKE wildcard. */
#define CO_UNIT_CONDITION "instr(',' || co_units || ',', ',' || ? || ',') > 0"

/* Appends the WHERE clause of a filter (NULL: none) read through a plan. */
static void query_where(order_query *query, const hl_order_filter *filter, const query_plan *plan)
{
    bool unit_range = plan->source == SOURCE_UNIT;
    if (unit_range) {
        query_condition(query, "u.unit = ?");
        query_text(query, plan->unit);
        if (plan->lead >= 0)
            query_condition(query, plan->lead > 0 ? "u.lead = 1" : "u.lead = 0");
    }
    if (filter_set(plan->also_lead)) {
        order_condition(query, "lead_unit = ?");
        query_text(query, plan->also_lead);
    }
    if (plan->part == PART_DEADLINE)
        order_condition(query, "due_at > 0");
    else if (plan->part == PART_NO_DEADLINE)
        order_condition(query, "due_at <= 0");
    if (filter == NULL)
        return;
    if (filter->state_mask != 0) {
        int listed = state_count(filter->state_mask);
        order_condition(query, plan->spread_states && listed > 1 ? "+state IN (" : "state IN (");
        for (int state = 0, written = 0; state < HL_STATE_COUNT; state++) {
            if ((filter->state_mask & HL_STATE_BIT(state)) == 0)
                continue;
            hl_buf_append_str(&query->where, written++ > 0 ? ", ?" : "?");
            query_text(query, state_name(state));
        }
        /* A mask of unknown states only: matches nothing, as it says. */
        hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
    }
    /* Within a unit's range, the range itself is the unit's condition. */
    if (filter_set(filter->scope_unit) && !(unit_range && plan->unit == filter->scope_unit && plan->lead < 0)) {
        order_condition(query, "(lead_unit = ? OR " CO_UNIT_CONDITION ")");
        query_text(query, filter->scope_unit);
        query_text(query, filter->scope_unit);
    }
    if (filter_set(filter->unit) && !(unit_range && plan->unit == filter->unit && plan->lead > 0)) {
        order_condition(query, "lead_unit = ?");
        query_text(query, filter->unit);
    }
    if (filter_set(filter->co_unit) && !(unit_range && plan->unit == filter->co_unit && plan->lead == 0)) {
        order_condition(query, CO_UNIT_CONDITION);
        query_text(query, filter->co_unit);
    }
    if (filter_set(filter->category)) {
        order_condition(query, "category = ?");
        query_text(query, filter->category);
    }
    /* In a unit's range the received time is part of the key: a range of it. */
    if (filter->received_from != 0) {
        if (unit_range)
            query_condition(query, "u.received >= ?");
        else
            order_condition(query, "received_at >= ?");
        query_number(query, filter->received_from);
    }
    if (filter->received_to != 0) {
        if (unit_range)
            query_condition(query, "u.received < ?");
        else
            order_condition(query, "received_at < ?");
        query_number(query, filter->received_to);
    }
    if (filter->due_before != 0) {
        /* "due_at > 0" spelt out lets SQLite use the partial index. */
        order_condition(query, "due_at > 0 AND due_at < ?");
        query_number(query, filter->due_before);
    }
    if (filter->due_from != 0) {
        order_condition(query, "due_at >= ?");
        query_number(query, filter->due_from);
    }
    if (filter_set(filter->text)) {
        order_condition(query, "(instr(title, ?) > 0 OR instr(content, ?) > 0)");
        query_text(query, filter->text);
        query_text(query, filter->text);
    }
    if (filter->assessed_month != 0) {
        order_condition(query, "assessed_month = ?");
        query_number(query, filter->assessed_month);
    }
    if (filter_set(filter->phone)) {
        /* A range of phone_index's primary key; the orders it names are
         * then read by number. */
        order_condition(query, "id IN (SELECT order_id FROM phone_index WHERE phone_hash = ?)");
        query_blob(query, query->phone_hash, HL_PHONE_HASH_BYTES);
    }
    if (filter->before_id != 0) {
        order_condition(query, "(received_at < ? OR (received_at = ? AND id < ?))");
        query_number(query, filter->before_received);
        query_number(query, filter->before_received);
        query_number(query, filter->before_id);
    }
    if (filter->appeal_upheld) {
        /* A literal, not a parameter, so that SQLite can use the partial
         * index on upheld appeals (migration 3) instead of a full scan. */
        _Static_assert(HL_APPEAL_UPHELD == 2, "the literal below is HL_APPEAL_UPHELD");
        order_condition(query, "appeal_state = 2");
    }
    if (filter->channel_mask != 0) {
        order_condition(query, "channel IN (");
        int listed = 0;
        for (int channel = 0; channel < HL_CHANNEL_COUNT; channel++) {
            if ((filter->channel_mask & (1u << channel)) == 0)
                continue;
            hl_buf_append_str(&query->where, listed > 0 ? ", ?" : "?");
            query_text(query, channel_name(channel));
            listed++;
        }
        hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
    }
    if (filter_set(filter->categories)) {
        /* One parameter for the whole list; codes hold no comma. */
        order_condition(query, "instr(',' || ? || ',', ',' || category || ',') > 0");
        query_text(query, filter->categories);
    }
    /* Keyset paging belongs to the orders by number or by (due_at, id). */
    if (filter->after_id != 0 && filter->order_by_due) {
        /* Paging in (due_at, id) order resumes after the last row's pair. */
        order_condition(query, "(due_at > ? OR (due_at = ? AND id > ?))");
        query_number(query, filter->after_due);
        query_number(query, filter->after_due);
        query_number(query, filter->after_id);
    } else if (filter->after_id != 0) {
        order_condition(query, "id > ?");
        query_number(query, filter->after_id);
    }
}

static const char *query_from(const query_plan *plan, bool join)
{
    if (plan->source == SOURCE_ORDERS && plan->by_due)
        return " FROM orders INDEXED BY orders_by_due";
    switch (plan->source) {
    case SOURCE_DEADLINES: return " FROM orders INDEXED BY orders_by_due";
    case SOURCE_UNIT:
        /* CROSS JOIN keeps order_units the outer loop: the unit's range in
         * key order, each order found by its number. */
        return join ? " FROM order_units AS u CROSS JOIN orders ON orders.id = u.order_id"
                    : " FROM order_units AS u";
    case SOURCE_ORDERS: break;
    }
    return " FROM orders";
}

/* Prepares sql and binds the query's parameters; the statement is the
 * caller's to finalize. */
static int query_prepare(struct sqlite_store *store, const hl_buf *sql, const order_query *query,
                         const char *operation, sqlite3_stmt **out, hl_error *error)
{
    *out = NULL;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(store->db, sql->data, (int)sql->len, &statement, NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return storage_error(store, operation, error);
    }
    binder binding = binder_of(statement);
    for (int index = 0; index < query->count; index++) {
        if (query->parameters[index].text != NULL)
            bind_string(&binding, query->parameters[index].text);
        else if (query->parameters[index].blob != NULL)
            bind_blob(&binding, query->parameters[index].blob, query->parameters[index].blob_length);
        else
            bind_int64(&binding, query->parameters[index].number);
    }
    if (binding.rc != SQLITE_OK) {
        int result = storage_error(store, operation, error);
        sqlite3_finalize(statement);
        return result;
    }
    *out = statement;
    return HL_OK;
}

/* How a page in received order (or one part of a deadline-sorted list) is
 * read: a named unit reads that unit's range of order_units, newest first,
 * never the whole table; else SQLite chooses among orders_by_received,
 * orders_by_state (one state) and orders_by_category, each already in
 * received order. */
static query_plan plan_page(const hl_order_filter *filter, query_part part)
{
    query_plan plan = {.source = SOURCE_ORDERS, .unit = NULL, .lead = -1, .also_lead = NULL, .part = part,
                       .spread_states = true, .by_due = false};
    if (filter->due_before != 0) {
        /* The orders whose deadline runs, found and sorted: few. */
        plan.by_due = true;
    } else if (filter_set(filter->scope_unit)) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->scope_unit;
    } else if (filter_set(filter->unit)) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->unit;
        plan.lead = 1;
    } else if (filter_set(filter->co_unit)) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->co_unit;
        plan.lead = 0;
    }
    return plan;
}

static const char *page_order(const query_plan *plan, bool descending)
{
    if (plan->source == SOURCE_UNIT)
        return descending ? " ORDER BY u.received DESC, u.order_id DESC" : " ORDER BY u.received, u.order_id";
    return descending ? " ORDER BY received_at DESC, id DESC" : " ORDER BY received_at, id";
}

/* Counts the orders visited, and stops where the visitor says. */
typedef struct order_visit {
    hl_order_visitor visit;
    void *context;
    const hl_phone_codec *codec;
    hl_order *order; /* one scratch record for the whole query: orders are large */
    int64_t visited;
} order_visit;

static int visit_order_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    order_visit *visitor = context;
    int result = read_order(statement, visitor->codec, visitor->order, error);
    if (result != HL_OK)
        return result;
    visitor->visited++;
    return visitor->visit(visitor->context, visitor->order);
}

/* Appends "label: " and each line of a statement's EXPLAIN QUERY PLAN to
 * store->explain (hl_store_sqlite_explain). */
static int explain_statement(struct sqlite_store *store, const char *label, const hl_buf *sql,
                             const order_query *query, hl_error *error)
{
    hl_buf explained;
    hl_buf_init(&explained);
    hl_buf_append_str(&explained, "EXPLAIN QUERY PLAN ");
    hl_buf_append(&explained, sql->data, sql->len);
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &explained, query, "explain", &statement, error);
    hl_buf_free(&explained);
    if (result != HL_OK)
        return result;
    hl_buf_appendf(store->explain, "%s: %s\n", label, sql->data);
    while (sqlite3_step(statement) == SQLITE_ROW) {
        const unsigned char *detail = sqlite3_column_text(statement, 3);
        hl_buf_appendf(store->explain, "  %s\n", detail != NULL ? (const char *)detail : "");
    }
    sqlite3_finalize(statement);
    return HL_OK;
}

/* Runs one SELECT of whole orders: the plan's rows in the given ORDER BY,
 * with a limit (0: none) and an offset. */
static int run_page(struct sqlite_store *store, const hl_order_filter *filter, const query_plan *plan,
                    const char *order_by, int64_t limit, int64_t offset, order_visit *visitor, hl_error *error)
{
    order_query query = {.count = 0, .touches_orders = false};
    int hashed = query_hash_phone(store, &query, filter, error);
    if (hashed != HL_OK)
        return hashed;
    hl_buf_init(&query.where);
    query_where(&query, filter, plan);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT " ORDER_COLUMNS);
    hl_buf_append_str(&sql, query_from(plan, true));
    if (query.where.len > 0)
        hl_buf_append_str(&sql, query.where.data);
    hl_buf_append_str(&sql, order_by);
    if (limit > 0 || offset > 0) {
        /* LIMIT -1: no limit, as SQLite spells it beside an OFFSET. */
        hl_buf_append_str(&sql, " LIMIT ? OFFSET ?");
        query_number(&query, limit > 0 ? limit : -1);
        query_number(&query, offset > 0 ? offset : 0);
    }
    if (store->explain != NULL) {
        int explained = explain_statement(store, "page", &sql, &query, error);
        hl_buf_free(&sql);
        hl_buf_free(&query.where);
        return explained;
    }
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &sql, &query, "order_query", &statement, error);
    hl_buf_free(&sql);
    hl_buf_free(&query.where);
    if (result != HL_OK)
        return result;
    result = visit_rows(store, statement, "order_query", visit_order_row, visitor, error);
    sqlite3_finalize(statement);
    return result;
}

/* ---- Counting ---- */

/* Runs "SELECT count(*)" (or "SELECT state, count(*) ... GROUP BY state"
 * into by_state) over a plan's rows, adding to *total or by_state. */
static int run_count(struct sqlite_store *store, const hl_order_filter *filter, const query_plan *plan,
                     int64_t *total, int64_t *by_state, hl_error *error)
{
    order_query query = {.count = 0, .touches_orders = false};
    int hashed = query_hash_phone(store, &query, filter, error);
    if (hashed != HL_OK)
        return hashed;
    hl_buf_init(&query.where);
    query_where(&query, filter, plan);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, by_state != NULL ? "SELECT state, count(*)" : "SELECT count(*)");
    /* A unit's range alone is counted in order_units, without a lookup per order. */
    hl_buf_append_str(&sql, query_from(plan, by_state != NULL || query.touches_orders));
    if (query.where.len > 0)
        hl_buf_append_str(&sql, query.where.data);
    if (by_state != NULL)
        hl_buf_append_str(&sql, " GROUP BY state");
    if (store->explain != NULL) {
        int explained = explain_statement(store, by_state != NULL ? "count by state" : "count", &sql, &query, error);
        hl_buf_free(&sql);
        hl_buf_free(&query.where);
        return explained;
    }
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &sql, &query, "order_count", &statement, error);
    hl_buf_free(&sql);
    hl_buf_free(&query.where);
    if (result != HL_OK)
        return result;
    for (;;) {
        int rc = sqlite3_step(statement);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            result = storage_error(store, "order_count", error);
            break;
        }
        if (by_state == NULL) {
            *total += sqlite3_column_int64(statement, 0);
            continue;
        }
        int state = 0;
        const unsigned char *name = sqlite3_column_text(statement, 0);
        if (!decode_enum(name, sqlite3_column_bytes(statement, 0), state_name, HL_STATE_COUNT, &state)) {
            result = corrupt_value(statement, 0, error);
            break;
        }
        by_state[state] += sqlite3_column_int64(statement, 1);
    }
    sqlite3_finalize(statement);
    return result;
}

/* Counts what a filter selects within a part, into *total or by_state.
 * A scope counts in two halves that never overlap: the orders the unit
 * leads (orders_by_unit_state: counted in the index when only states are
 * asked) and those it co-handles (its co-handling rows of order_units). A
 * named co-handling unit is its co-handling rows; the rest is SQLite's
 * choice among the indexes. */
/* Whether a filter selects by state alone (or not at all): its limit,
 * offset and order select nothing. */
static bool states_only(const hl_order_filter *filter)
{
    return filter == NULL ||
           (!filter_set(filter->unit) && !filter_set(filter->co_unit) && !filter_set(filter->category) &&
            !filter_set(filter->text) && !filter_set(filter->scope_unit) && filter->received_from == 0 &&
            filter->received_to == 0 && filter->due_before == 0 && filter->due_from == 0 &&
            filter->after_id == 0 && filter->assessed_month == 0 && !filter->appeal_upheld &&
            !filter_set(filter->phone) && filter->before_id == 0 && filter->channel_mask == 0 &&
            !filter_set(filter->categories));
}

static int add_state_count_row(sqlite3_stmt *statement, void *context, hl_error *error);

/* Counts from order_state_counts (migration 6): the whole store's orders
 * by state, a few rows. */
static int count_from_totals(struct sqlite_store *store, unsigned state_mask, int64_t *total, int64_t *by_state,
                             hl_error *error)
{
    if (store->explain != NULL) {
        hl_buf_append_str(store->explain, "count: order_state_counts\n");
        return HL_OK;
    }
    int64_t counts[HL_STATE_COUNT] = {0};
    int result = visit_all(store, STMT_ORDER_STATE_COUNTS, "order_count", add_state_count_row, counts, error);
    for (int state = 0; result == HL_OK && state < HL_STATE_COUNT; state++) {
        if (state_mask != 0 && (state_mask & HL_STATE_BIT(state)) == 0)
            continue;
        if (by_state != NULL)
            by_state[state] += counts[state];
        else
            *total += counts[state];
    }
    return result;
}

static int count_part(struct sqlite_store *store, const hl_order_filter *filter, query_part part,
                      int64_t *total, int64_t *by_state, hl_error *error)
{
    if (part == PART_ALL && states_only(filter))
        return count_from_totals(store, filter != NULL ? filter->state_mask : 0, total, by_state, error);
    query_plan plan = {.source = SOURCE_ORDERS, .unit = NULL, .lead = -1, .also_lead = NULL, .part = part,
                       .spread_states = false, .by_due = filter != NULL && filter->due_before != 0};
    if (filter != NULL && filter_set(filter->scope_unit)) {
        hl_order_filter rest = *filter;
        rest.scope_unit = NULL;
        plan.also_lead = filter->scope_unit;
        int result = run_count(store, &rest, &plan, total, by_state, error);
        if (result != HL_OK)
            return result;
        query_plan co = {.source = SOURCE_UNIT, .unit = filter->scope_unit, .lead = 0, .also_lead = NULL,
                         .part = part, .spread_states = false, .by_due = false};
        return run_count(store, &rest, &co, total, by_state, error);
    }
    if (filter != NULL && filter_set(filter->co_unit) && !plan.by_due) {
        plan.source = SOURCE_UNIT;
        plan.unit = filter->co_unit;
        plan.lead = 0;
    }
    return run_count(store, filter, &plan, total, by_state, error);
}

/* ---- Lists ---- */

static int sqlite_order_query(hl_store *base, const hl_order_filter *filter, hl_order_visitor visit,
                              void *context, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    order_visit visitor = {visit, context, &store->codec, hl_xmalloc(sizeof(hl_order)), 0};
    hl_order_sort sort = filter != NULL ? filter->sort : HL_ORDER_SORT_ID;
    int64_t limit = filter != NULL && filter->limit > 0 ? filter->limit : 0;
    int64_t offset = filter != NULL && filter->offset > 0 ? filter->offset : 0;
    int result = HL_OK;
    if (filter == NULL || filter->order_by_due || sort == HL_ORDER_SORT_ID) {
        /* The command line's orders and keyset paging: by number, by
         * (due_at, number) or newest first (newest_first with before_id). */
        query_plan plan = {.source = SOURCE_ORDERS, .lead = -1, .part = PART_ALL,
                           .by_due = filter != NULL && filter->due_before != 0};
        const char *order_by = " ORDER BY id";
        if (filter != NULL && filter->order_by_due)
            order_by = " ORDER BY due_at, id";
        else if (filter != NULL && filter->newest_first)
            order_by = " ORDER BY received_at DESC, id DESC";
        result = run_page(store, filter, &plan, order_by, limit, offset, &visitor, error);
    } else if (sort == HL_ORDER_SORT_RECEIVED || sort == HL_ORDER_SORT_RECEIVED_DESC) {
        query_plan plan = plan_page(filter, PART_ALL);
        result = run_page(store, filter, &plan, page_order(&plan, sort == HL_ORDER_SORT_RECEIVED_DESC), limit,
                          offset, &visitor, error);
    } else {
        /* By deadline: the running deadlines through orders_by_due (the
         * open orders: few), then the rest newest first, as one list. */
        bool descending = sort == HL_ORDER_SORT_DEADLINE_DESC;
        query_plan deadlines = {.source = SOURCE_DEADLINES, .lead = -1, .part = PART_DEADLINE};
        result = run_page(store, filter, &deadlines,
                          descending ? " ORDER BY due_at DESC, id DESC" : " ORDER BY due_at, id", limit, offset,
                          &visitor, error);
        int64_t first_part = visitor.visited;
        if (result == HL_OK && (limit == 0 || first_part < limit)) {
            /* How many rows of the first part the offset skipped: all of
             * them when this page holds none of them. */
            int64_t skipped = offset;
            if (first_part == 0 && offset > 0) {
                skipped = 0;
                result = count_part(store, filter, PART_DEADLINE, &skipped, NULL, error);
            }
            int64_t rest_offset = offset > skipped ? offset - skipped : 0;
            query_plan rest = plan_page(filter, PART_NO_DEADLINE);
            if (result == HL_OK)
                result = run_page(store, filter, &rest, page_order(&rest, true),
                                  limit > 0 ? limit - first_part : 0, rest_offset, &visitor, error);
        }
    }
    free(visitor.order);
    return result;
}

/* Counts what order_query would visit without its limit and offset
 * (after_id still applies): the total behind a page of results. */
static int sqlite_order_count(hl_store *base, const hl_order_filter *filter, int64_t *out,
                              hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    *out = 0;
    return count_part(store, filter, PART_ALL, out, NULL, error);
}

static int sqlite_order_count_by_state(hl_store *base, const hl_order_filter *filter,
                                       int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    for (int state = 0; state < HL_STATE_COUNT; state++)
        counts[state] = 0;
    return count_part(store, filter, PART_ALL, NULL, counts, error);
}

/* One range count of orders_by_category per category of the directory
 * (and ""): a month's orders by category without reading the orders. */
static int sqlite_order_count_by_category(hl_store *base, hl_time received_from, hl_time received_to,
                                          hl_category_count_visitor visit, void *context, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT code, (SELECT count(*) FROM orders WHERE category = codes.code "
                      "AND received_at >= ?1 AND received_at < ?2) AS orders "
                      "FROM (SELECT '' AS code UNION ALL SELECT code FROM categories) AS codes "
                      "ORDER BY code";
    if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return storage_error(store, "order_count_by_category", error);
    }
    binder binding = binder_of(statement);
    bind_int64(&binding, received_from);
    bind_int64(&binding, received_to);
    int result = binding.rc == SQLITE_OK ? HL_OK : storage_error(store, "order_count_by_category", error);
    while (result == HL_OK) {
        int rc = sqlite3_step(statement);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            result = storage_error(store, "order_count_by_category", error);
            break;
        }
        int64_t count = sqlite3_column_int64(statement, 1);
        if (count == 0)
            continue;
        char code[HL_CODE_BYTES];
        copy_column_text(statement, 0, code, sizeof code);
        result = visit(context, code, count);
    }
    sqlite3_finalize(statement);
    return result;
}

static int ignore_order(void *context, const hl_order *order)
{
    (void)context;
    (void)order;
    return 0;
}

int hl_store_sqlite_explain(hl_store *base, const hl_order_filter *filter, hl_buf *out, hl_error *error)
{
    if (base == NULL || out == NULL || base->ops != &sqlite_ops)
        return missing_argument("explain", error);
    struct sqlite_store *store = store_of(base);
    store->explain = out;
    int64_t total = 0, by_state[HL_STATE_COUNT];
    int result = sqlite_order_query(base, filter, ignore_order, NULL, error);
    if (result == HL_OK)
        result = sqlite_order_count(base, filter, &total, error);
    if (result == HL_OK)
        result = sqlite_order_count_by_state(base, filter, by_state, error);
    store->explain = NULL;
    return result;
}

typedef struct head_visit {
    hl_order_head_visitor visit;
    void *context;
} head_visit;

static int visit_head_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    head_visit *visitor = context;
    reader row = reader_of(statement);
    int64_t id = read_int64(&row);
    hl_state state = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    int64_t version = read_int64(&row);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    return visitor->visit(visitor->context, id, state, version);
}

static int sqlite_order_heads(hl_store *base, hl_order_head_visitor visit, void *context,
                              hl_error *error)
{
    head_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_ORDER_HEADS, "order_heads", visit_head_row, &visitor,
                     error);
}

static int add_state_count_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    int64_t *counts = context;
    reader row = reader_of(statement);
    hl_state state = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    int64_t orders = read_int64(&row);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    counts[state] += orders;
    return HL_OK;
}

/* Reads the counts the store keeps (migration 6): a few rows, whatever
 * the number of orders. */
static int sqlite_order_state_counts(hl_store *base, int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    for (int state = 0; state < HL_STATE_COUNT; state++)
        counts[state] = 0;
    return visit_all(store_of(base), STMT_ORDER_STATE_COUNTS, "order_state_counts", add_state_count_row, counts,
                     error);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

static int sqlite_event_append(hl_store *base, const hl_event *event, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    const char *action = encode_enum((int)event->action, action_name, HL_ACTION_COUNT);
    if (action == NULL)
        return bad_enum("action", (int)event->action, error);
    const char *from_state = encode_enum((int)event->from_state, state_name, HL_STATE_COUNT);
    if (from_state == NULL)
        return bad_enum("from_state", (int)event->from_state, error);
    const char *to_state = encode_enum((int)event->to_state, state_name, HL_STATE_COUNT);
    if (to_state == NULL)
        return bad_enum("to_state", (int)event->to_state, error);

    sqlite3_stmt *statement = store->statements[STMT_EVENT_APPEND];
    binder binding = binder_of(statement);
    bind_int64(&binding, event->order_id);
    bind_int64(&binding, event->seq);
    bind_int64(&binding, event->at);
    BIND_FIELD(&binding, event->actor);
    bind_string(&binding, action);
    bind_string(&binding, from_state);
    bind_string(&binding, to_state);
    BIND_FIELD(&binding, event->unit);
    BIND_FIELD(&binding, event->other_unit);
    bind_int64(&binding, event->deadline);
    BIND_FIELD(&binding, event->note);
    BIND_FIELD(&binding, event->details);
    bind_int64(&binding, event->period);
    bind_int64(&binding, event->outcome);
    bind_int64(&binding, event->rating);
    bind_int64(&binding, event->resolved);
    bind_int64(&binding, event->flags);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "event_append", error);
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        char number[24];
        hl_order_format_number(event->order_id, number, sizeof number);
        if (hl_i18n_get() == HL_LANG_EN)
            result =
                hl_error_set(error, HL_ECONFLICT, NULL,
                             "event %" PRId64 " of order %s already exists", event->seq, number);
        else
            result = hl_error_set(error, HL_ECONFLICT, NULL,
                                  "工单 %s 的第 %" PRId64 " 条记录已存在", number, event->seq);
    } else if (rc != SQLITE_DONE) {
        result = storage_error(store, "event_append", error);
    }
    sqlite3_reset(statement);
    return result;
}

/* Reads a row selected as EVENT_COLUMNS. */
static int read_event(sqlite3_stmt *statement, hl_event *event, hl_error *error)
{
    reader row = reader_of(statement);
    event->order_id = read_int64(&row);
    event->seq = read_int64(&row);
    event->at = read_int64(&row);
    READ_FIELD(&row, event->actor);
    event->action = (hl_action)read_enum(&row, action_name, HL_ACTION_COUNT);
    event->from_state = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    event->to_state = (hl_state)read_enum(&row, state_name, HL_STATE_COUNT);
    READ_FIELD(&row, event->unit);
    READ_FIELD(&row, event->other_unit);
    event->deadline = read_int64(&row);
    READ_FIELD(&row, event->note);
    READ_FIELD(&row, event->details);
    event->period = read_int(&row);
    event->outcome = (hl_survey_outcome)read_small(&row, HL_OUTCOME_COUNT);
    event->rating = (hl_rating)read_small(&row, HL_RATING_COUNT);
    event->resolved = (hl_resolved)read_small(&row, HL_RESOLVED_NO + 1);
    event->flags = (unsigned)read_int(&row);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

typedef struct event_visit {
    hl_event_visitor visit;
    void *context;
    hl_event *event; /* one scratch record for the whole listing */
} event_visit;

static int visit_event_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    event_visit *visitor = context;
    int result = read_event(statement, visitor->event, error);
    if (result != HL_OK)
        return result;
    return visitor->visit(visitor->context, visitor->event);
}

static int sqlite_event_list(hl_store *base, int64_t order_id, hl_event_visitor visit,
                             void *context, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = borrow_statement(store, STMT_EVENT_LIST, "event_list", error);
    if (statement == NULL)
        return HL_EIO;
    binder binding = binder_of(statement);
    bind_int64(&binding, order_id);
    int result;
    if (binding.rc != SQLITE_OK) {
        result = storage_error(store, "event_list", error);
    } else {
        event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
        result = visit_rows(store, statement, "event_list", visit_event_row, &visitor, error);
        free(visitor.event);
    }
    return_statement(store, STMT_EVENT_LIST, statement);
    return result;
}

static int sqlite_event_scan(hl_store *base, hl_event_visitor visit, void *context, hl_error *error)
{
    event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
    int result =
        visit_all(store_of(base), STMT_EVENT_SCAN, "event_scan", visit_event_row, &visitor, error);
    free(visitor.event);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Rollups                                                                  */
/* ------------------------------------------------------------------------ */

static int sqlite_rollup_add(hl_store *base, const hl_rollup_delta *delta, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    const char *counter = encode_enum((int)delta->counter, counter_name, HL_COUNTER_COUNT);
    if (counter == NULL)
        return bad_enum("counter", (int)delta->counter, error);
    sqlite3_stmt *statement = store->statements[STMT_ROLLUP_ADD];
    binder binding = binder_of(statement);
    bind_int64(&binding, delta->month);
    BIND_FIELD(&binding, delta->unit);
    bind_string(&binding, counter);
    bind_int64(&binding, delta->amount);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "rollup_add", error);
    return run_write(store, statement, "rollup_add", error);
}

typedef struct rollup_visit {
    hl_rollup_visitor visit;
    void *context;
} rollup_visit;

static int visit_rollup_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    rollup_visit *visitor = context;
    reader row = reader_of(statement);
    hl_rollup_delta delta;
    delta.month = read_int(&row);
    READ_FIELD(&row, delta.unit);
    delta.counter = (hl_counter)read_enum(&row, counter_name, HL_COUNTER_COUNT);
    delta.amount = read_int64(&row);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    return visitor->visit(visitor->context, &delta);
}

static int sqlite_rollup_each(hl_store *base, hl_rollup_visitor visit, void *context,
                              hl_error *error)
{
    rollup_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_ROLLUP_EACH, "rollup_each", visit_rollup_row, &visitor,
                     error);
}

static int sqlite_rollup_month(hl_store *base, int month, hl_rollup_visitor visit, void *context,
                               hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = borrow_statement(store, STMT_ROLLUP_MONTH, "rollup_month", error);
    if (statement == NULL)
        return HL_EIO;
    rollup_visit visitor = {visit, context};
    int result = HL_OK;
    if (sqlite3_bind_int64(statement, 1, month) != SQLITE_OK)
        result = storage_error(store, "rollup_month", error);
    else
        result = visit_rows(store, statement, "rollup_month", visit_rollup_row, &visitor, error);
    return_statement(store, STMT_ROLLUP_MONTH, statement);
    return result;
}

/* Sums one counter over the units, month by month: the whole rollups
 * table is small (months x units x counters), read in key order. */
static int sqlite_rollup_months(hl_store *base, hl_counter counter, hl_month_total_visitor visit, void *context,
                                hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    const char *name = encode_enum((int)counter, counter_name, HL_COUNTER_COUNT);
    if (name == NULL)
        return bad_enum("counter", (int)counter, error);
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT month, sum(value) FROM rollups WHERE counter = ? AND unit <> '' "
                      "GROUP BY month ORDER BY month";
    if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return storage_error(store, "rollup_months", error);
    }
    binder binding = binder_of(statement);
    bind_string(&binding, name);
    int result = binding.rc == SQLITE_OK ? HL_OK : storage_error(store, "rollup_months", error);
    while (result == HL_OK) {
        int rc = sqlite3_step(statement);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            result = storage_error(store, "rollup_months", error);
            break;
        }
        result = visit(context, sqlite3_column_int(statement, 0), sqlite3_column_int64(statement, 1));
    }
    sqlite3_finalize(statement);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Passwords and sessions                                                   */
/* ------------------------------------------------------------------------ */

static int copy_password_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_buf *out = context;
    const unsigned char *text = sqlite3_column_text(statement, 0);
    hl_buf_append(out, text != NULL ? (const char *)text : "", (size_t)sqlite3_column_bytes(statement, 0));
    return HL_OK;
}

static int sqlite_password_get(hl_store *base, const char *username, char *hash, size_t size,
                               hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_PASSWORD_GET];
    binder binding = binder_of(statement);
    bind_string(&binding, username);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "password_get", error);
    hl_buf text;
    hl_buf_init(&text);
    int result = lookup_row(store, statement, "password_get", copy_password_row, &text, error);
    if (result == HL_OK && text.len >= size)
        result = hl_error_set(error, HL_EIO, NULL, "%s", HL_T("存储的密码散列过长", "stored password hash too long"));
    if (result == HL_OK) {
        if (text.len > 0)
            memcpy(hash, text.data, text.len);
        hash[text.len] = '\0';
    }
    hl_buf_free(&text);
    if (result == HL_ENOTFOUND)
        return not_found("用户", "user", username, error);
    return result;
}

static int sqlite_password_set(hl_store *base, const char *username, const char *hash, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_PASSWORD_SET];
    binder binding = binder_of(statement);
    bind_string(&binding, hash);
    bind_string(&binding, username);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "password_set", error);
    int result = run_write(store, statement, "password_set", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return not_found("用户", "user", username, error);
    return result;
}

static int sqlite_session_put(hl_store *base, const hl_session *session, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_SESSION_PUT];
    binder binding = binder_of(statement);
    BIND_FIELD(&binding, session->token_hash);
    BIND_FIELD(&binding, session->username);
    bind_int64(&binding, session->created_at);
    bind_int64(&binding, session->expires_at);
    bind_int64(&binding, session->revoked ? 1 : 0);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "session_put", error);
    int result = run_write(store, statement, "session_put", error);
    if (result != HL_OK && sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s", HL_T("会话已存在", "the session exists"));
    return result;
}

static int copy_session_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_session *session = context;
    reader row = reader_of(statement);
    READ_FIELD(&row, session->token_hash);
    READ_FIELD(&row, session->username);
    session->created_at = read_int64(&row);
    session->expires_at = read_int64(&row);
    session->revoked = read_int64(&row) != 0;
    return HL_OK;
}

static int sqlite_session_get(hl_store *base, const char *token_hash, hl_session *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_SESSION_GET];
    binder binding = binder_of(statement);
    bind_string(&binding, token_hash);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "session_get", error);
    int result = lookup_row(store, statement, "session_get", copy_session_row, out, error);
    if (result == HL_ENOTFOUND) /* never repeat the key: it is a secret's hash */
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s", HL_T("没有这个会话", "no such session"));
    return result;
}

static int sqlite_session_revoke(hl_store *base, const char *token_hash, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_SESSION_REVOKE];
    binder binding = binder_of(statement);
    bind_string(&binding, token_hash);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "session_revoke", error);
    int result = run_write(store, statement, "session_revoke", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s", HL_T("没有这个会话", "no such session"));
    return result;
}

static int sqlite_session_revoke_user(hl_store *base, const char *username, const char *except_hash,
                                      hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_SESSION_REVOKE_USER];
    binder binding = binder_of(statement);
    bind_string(&binding, username);
    bind_string(&binding, except_hash != NULL ? except_hash : "");
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "session_revoke_user", error);
    return run_write(store, statement, "session_revoke_user", error);
}

static int sqlite_session_purge(hl_store *base, hl_time now, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_SESSION_PURGE];
    binder binding = binder_of(statement);
    bind_int64(&binding, now);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "session_purge", error);
    return run_write(store, statement, "session_purge", error);
}

/* ------------------------------------------------------------------------ */
/* Sealing phones kept in clear, and the audit of full-number reads         */
/* ------------------------------------------------------------------------ */

static void sqlite_set_phone_codec(hl_store *base, const hl_phone_codec *codec)
{
    struct sqlite_store *store = store_of(base);
    if (codec != NULL)
        store->codec = *codec;
    else
        memset(&store->codec, 0, sizeof store->codec);
}

/* What meta says of phones written in clear: none ('\0'), some to seal
 * ('1', set by migration 5), or sealed with the file still to be rewritten
 * ('v'). */
static int phones_unsealed(struct sqlite_store *store, char *out, hl_error *error)
{
    sqlite3_stmt *statement = NULL;
    *out = '\0';
    if (sqlite3_prepare_v2(store->db, "SELECT value FROM meta WHERE key = 'phones_unsealed'", -1, &statement,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return storage_error(store, "seal_phones", error);
    }
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
        const unsigned char *value = sqlite3_column_text(statement, 0);
        *out = value != NULL && value[0] == 'v' ? 'v' : '1';
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return storage_error(store, "seal_phones", error);
    return HL_OK;
}

/* The connection's secure_delete setting (0 or 1). */
static int read_secure_delete(struct sqlite_store *store)
{
    sqlite3_stmt *statement = NULL;
    int value = 0;
    if (sqlite3_prepare_v2(store->db, "PRAGMA secure_delete", -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

/* Rewrites the file once its phones are sealed, so that no copy in clear
 * survives: VACUUM leaves no free space holding old rows (whatever
 * SQLite's secure_delete default), and a truncating checkpoint removes the
 * WAL's old page images. A failure leaves the mark, to try at next open. */
static int rewrite_after_sealing(struct sqlite_store *store, hl_error *error)
{
    int result = exec_sql(store, "VACUUM", "seal_phones", error);
    if (result == HL_OK)
        result = exec_sql(store, "DELETE FROM meta WHERE key = 'phones_unsealed'", "seal_phones", error);
    if (result == HL_OK &&
        sqlite3_wal_checkpoint_v2(store->db, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
        result = storage_error(store, "seal_phones", error);
    return result;
}

/* How many clear phones are read before they are sealed and written. */
#define SEAL_BATCH_ROWS 512

typedef struct clear_phone {
    int64_t id;
    int64_t received_at;
    char phone[HL_PHONE_BYTES];
} clear_phone;

/* Reads the next batch of phones kept in clear after order after_id. */
static int next_clear_phones(struct sqlite_store *store, sqlite3_stmt *select, int64_t after_id,
                             clear_phone *batch, size_t *count, hl_error *error)
{
    *count = 0;
    sqlite3_reset(select);
    if (sqlite3_bind_int64(select, 1, after_id) != SQLITE_OK)
        return storage_error(store, "seal_phones", error);
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        batch[*count].id = sqlite3_column_int64(select, 0);
        batch[*count].received_at = sqlite3_column_int64(select, 1);
        copy_column_text(select, 2, batch[*count].phone, sizeof batch[*count].phone);
        (*count)++;
    }
    sqlite3_reset(select);
    return rc == SQLITE_DONE ? HL_OK : storage_error(store, "seal_phones", error);
}

static int seal_clear_phones(struct sqlite_store *store, sqlite3_stmt *select, sqlite3_stmt *update,
                             hl_error *error)
{
    clear_phone *batch = hl_xmalloc(SEAL_BATCH_ROWS * sizeof *batch);
    int64_t after_id = 0;
    int result = HL_OK;
    for (;;) {
        size_t count = 0;
        result = next_clear_phones(store, select, after_id, batch, &count, error);
        if (result != HL_OK || count == 0)
            break;
        for (size_t index = 0; index < count && result == HL_OK; index++) {
            size_t length = 0;
            result = store->codec.seal(store->codec.context, batch[index].phone, store->sealed, &length,
                                       store->sealed_hash, error);
            if (result != HL_OK)
                break;
            binder binding = binder_of(update);
            bind_blob(&binding, store->sealed, length);
            bind_int64(&binding, batch[index].id);
            result = binding.rc == SQLITE_OK ? run_write(store, update, "seal_phones", error)
                                             : storage_error(store, "seal_phones", error);
            if (result == HL_OK)
                result = put_phone_index(store, store->sealed_hash, batch[index].received_at, batch[index].id,
                                         error);
        }
        after_id = batch[count - 1].id;
    }
    memset(batch, 0, SEAL_BATCH_ROWS * sizeof *batch);
    free(batch);
    return result;
}

/* Seals, in one transaction, every phone an older version wrote in clear,
 * a batch at a time in number order (the batch is read, then written, so
 * that no row changes under a running SELECT), and removes the mark. */
static int sqlite_seal_phones(hl_store *base, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    char pending = '\0';
    int result = phones_unsealed(store, &pending, error);
    if (result != HL_OK || pending == '\0')
        return result;
    if (pending == 'v')
        return rewrite_after_sealing(store, error);
    if (store->codec.seal == NULL)
        return no_codec_error(error);
    sqlite3_stmt *select = NULL, *update = NULL;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT id, received_at, citizen_phone FROM orders WHERE id > ? AND typeof(citizen_phone) = 'text' "
                           "AND citizen_phone <> '' ORDER BY id LIMIT " HL_STRINGIFY(SEAL_BATCH_ROWS),
                           -1, &select, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(store->db, "UPDATE orders SET citizen_phone = ? WHERE id = ?", -1,
                           &update, NULL) != SQLITE_OK) {
        result = storage_error(store, "seal_phones", error);
        sqlite3_finalize(select);
        sqlite3_finalize(update);
        return result;
    }
    /* Each number's clear bytes are overwritten where they stood; the
     * connection's own setting comes back afterwards. */
    int secure_delete = read_secure_delete(store);
    result = exec_sql(store, "PRAGMA secure_delete=ON; BEGIN IMMEDIATE", "seal_phones", error);
    if (result == HL_OK) {
        /* Another process may have sealed them while we waited for the lock. */
        result = phones_unsealed(store, &pending, error);
        if (result == HL_OK && pending == '1')
            result = seal_clear_phones(store, select, update, error);
        if (result == HL_OK && pending == '1')
            result = exec_sql(store, "UPDATE meta SET value = 'v' WHERE key = 'phones_unsealed'", "seal_phones",
                              error);
        if (result == HL_OK)
            result = exec_sql(store, "COMMIT", "seal_phones", error);
        if (result != HL_OK)
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(select);
    sqlite3_finalize(update);
    if (result == HL_OK && pending != '\0')
        result = rewrite_after_sealing(store, error);
    sqlite3_exec(store->db, secure_delete ? "PRAGMA secure_delete=ON" : "PRAGMA secure_delete=OFF", NULL, NULL,
                 NULL);
    return result;
}

static int sqlite_audit_append(hl_store *base, const hl_audit_read *read, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_AUDIT_APPEND];
    binder binding = binder_of(statement);
    bind_int64(&binding, read->at);
    BIND_FIELD(&binding, read->actor);
    bind_int64(&binding, read->order_id);
    BIND_FIELD(&binding, read->route);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "audit_append", error);
    return run_write(store, statement, "audit_append", error);
}

/* Appends the WHERE clause of an audit filter to query->where. */
static void audit_where(order_query *query, const hl_audit_filter *filter)
{
    if (filter == NULL)
        return;
    if (filter->order_id != 0) {
        query_condition(query, "order_id = ?");
        query_number(query, filter->order_id);
    }
    if (filter_set(filter->actor)) {
        query_condition(query, "actor = ?");
        query_text(query, filter->actor);
    }
    if (filter->since != 0) {
        query_condition(query, "at >= ?");
        query_number(query, filter->since);
    }
}

typedef struct audit_visit {
    hl_audit_visitor visit;
    void *context;
} audit_visit;

static int visit_audit_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    audit_visit *visitor = context;
    reader row = reader_of(statement);
    hl_audit_read read;
    read.id = read_int64(&row);
    read.at = read_int64(&row);
    READ_FIELD(&row, read.actor);
    read.order_id = read_int64(&row);
    READ_FIELD(&row, read.route);
    return visitor->visit(visitor->context, &read);
}

static int sqlite_audit_query(hl_store *base, const hl_audit_filter *filter, hl_audit_visitor visit,
                              void *context, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    order_query query = {.count = 0, .touches_orders = false};
    hl_buf_init(&query.where);
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
        query_number(&query, filter->limit > 0 ? filter->limit : -1);
        query_number(&query, filter->offset > 0 ? filter->offset : 0);
    }
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &sql, &query, "audit_query", &statement, error);
    hl_buf_free(&sql);
    hl_buf_free(&query.where);
    if (result != HL_OK)
        return result;
    audit_visit visitor = {visit, context};
    result = visit_rows(store, statement, "audit_query", visit_audit_row, &visitor, error);
    sqlite3_finalize(statement);
    return result;
}

static int sqlite_audit_count(hl_store *base, const hl_audit_filter *filter, int64_t *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    *out = 0;
    order_query query = {.count = 0, .touches_orders = false};
    hl_buf_init(&query.where);
    audit_where(&query, filter);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT count(*) FROM personal_data_reads");
    if (query.where.len > 0)
        hl_buf_append_str(&sql, query.where.data);
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &sql, &query, "audit_count", &statement, error);
    hl_buf_free(&sql);
    hl_buf_free(&query.where);
    if (result != HL_OK)
        return result;
    if (sqlite3_step(statement) == SQLITE_ROW)
        *out = sqlite3_column_int64(statement, 0);
    else
        result = storage_error(store, "audit_count", error);
    sqlite3_finalize(statement);
    return result;
}

/* ------------------------------------------------------------------------ */
/* API keys                                                                 */
/* ------------------------------------------------------------------------ */

static int read_apikey(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_apikey *key = context;
    reader row = reader_of(statement);
    key->id = read_int64(&row);
    READ_FIELD(&row, key->key_hash);
    READ_FIELD(&row, key->key_prefix);
    READ_FIELD(&row, key->name);
    READ_FIELD(&row, key->created_by);
    key->created_at = read_int64(&row);
    key->rate_per_minute = read_int(&row);
    key->revoked = read_int64(&row) != 0;
    key->revoked_at = read_int64(&row);
    return HL_OK;
}

static int apikey_not_found(int64_t id, hl_error *error)
{
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_ENOTFOUND, "id", "no API key %" PRId64, id);
    return hl_error_set(error, HL_ENOTFOUND, "id", "API 密钥 %" PRId64 " 不存在", id);
}

static int sqlite_apikey_insert(hl_store *base, hl_apikey *key, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_APIKEY_INSERT];
    binder binding = binder_of(statement);
    BIND_FIELD(&binding, key->key_hash);
    BIND_FIELD(&binding, key->key_prefix);
    BIND_FIELD(&binding, key->name);
    BIND_FIELD(&binding, key->created_by);
    bind_int64(&binding, key->created_at);
    bind_int64(&binding, key->rate_per_minute);
    bind_int64(&binding, key->revoked ? 1 : 0);
    bind_int64(&binding, key->revoked_at);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "apikey_insert", error);
    int result = run_write(store, statement, "apikey_insert", error);
    if (result != HL_OK && sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_UNIQUE)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s", HL_T("密钥已存在", "the key exists"));
    if (result == HL_OK)
        key->id = sqlite3_last_insert_rowid(store->db);
    return result;
}

static int sqlite_apikey_get(hl_store *base, int64_t id, hl_apikey *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_APIKEY_GET];
    binder binding = binder_of(statement);
    bind_int64(&binding, id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "apikey_get", error);
    int result = lookup_row(store, statement, "apikey_get", read_apikey, out, error);
    return result == HL_ENOTFOUND ? apikey_not_found(id, error) : result;
}

static int sqlite_apikey_find(hl_store *base, const char *key_hash, hl_apikey *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_APIKEY_FIND];
    binder binding = binder_of(statement);
    bind_string(&binding, key_hash);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "apikey_find", error);
    int result = lookup_row(store, statement, "apikey_find", read_apikey, out, error);
    if (result == HL_ENOTFOUND) /* never repeat the key: it is a secret's hash */
        return hl_error_set(error, HL_ENOTFOUND, NULL, "%s", HL_T("没有这个 API 密钥", "no such API key"));
    return result;
}

typedef struct apikey_visit {
    hl_apikey_visitor visit;
    void *context;
} apikey_visit;

static int visit_apikey_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    apikey_visit *visitor = context;
    hl_apikey key;
    int result = read_apikey(statement, &key, error);
    return result != HL_OK ? result : visitor->visit(visitor->context, &key);
}

static int sqlite_apikey_each(hl_store *base, hl_apikey_visitor visit, void *context, hl_error *error)
{
    apikey_visit visitor = {visit, context};
    return visit_all(store_of(base), STMT_APIKEY_EACH, "apikey_each", visit_apikey_row, &visitor, error);
}

static int sqlite_apikey_revoke(hl_store *base, int64_t id, hl_time at, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_APIKEY_REVOKE];
    binder binding = binder_of(statement);
    bind_int64(&binding, at);
    bind_int64(&binding, id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "apikey_revoke", error);
    int result = run_write(store, statement, "apikey_revoke", error);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        return apikey_not_found(id, error);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Category attributes                                                      */
/* ------------------------------------------------------------------------ */

static const char *attribute_type_name(int value)
{
    return hl_attribute_type_name((hl_attribute_type)value);
}

static int read_attribute(sqlite3_stmt *statement, hl_attribute *attribute, hl_error *error)
{
    reader row = reader_of(statement);
    READ_FIELD(&row, attribute->category);
    READ_FIELD(&row, attribute->code);
    attribute->position = read_int(&row);
    attribute->datatype = (hl_attribute_type)read_enum(&row, attribute_type_name, HL_ATTRIBUTE_TYPE_COUNT);
    attribute->required = read_int64(&row) != 0;
    attribute->variable = read_int64(&row) != 0;
    READ_FIELD(&row, attribute->description);
    READ_FIELD(&row, attribute->datatype_description);
    READ_FIELD(&row, attribute->values);
    if (row.bad_column >= 0)
        return corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

typedef struct attribute_visit {
    hl_attribute_visitor visit;
    void *context;
    hl_attribute *attribute; /* scratch: some 8 KB */
} attribute_visit;

static int visit_attribute_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    attribute_visit *visitor = context;
    int result = read_attribute(statement, visitor->attribute, error);
    return result != HL_OK ? result : visitor->visit(visitor->context, visitor->attribute);
}

static int sqlite_attribute_put(hl_store *base, const hl_attribute *attribute, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    const char *datatype = encode_enum((int)attribute->datatype, attribute_type_name, HL_ATTRIBUTE_TYPE_COUNT);
    if (datatype == NULL)
        return bad_enum("datatype", (int)attribute->datatype, error);
    sqlite3_stmt *statement = store->statements[STMT_ATTRIBUTE_PUT];
    binder binding = binder_of(statement);
    BIND_FIELD(&binding, attribute->category);
    BIND_FIELD(&binding, attribute->code);
    bind_int64(&binding, attribute->position);
    bind_string(&binding, datatype);
    bind_int64(&binding, attribute->required ? 1 : 0);
    bind_int64(&binding, attribute->variable ? 1 : 0);
    BIND_FIELD(&binding, attribute->description);
    BIND_FIELD(&binding, attribute->datatype_description);
    BIND_FIELD(&binding, attribute->values);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "attribute_put", error);
    return run_write(store, statement, "attribute_put", error);
}

static int sqlite_attribute_clear(hl_store *base, const char *category, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_ATTRIBUTE_CLEAR];
    binder binding = binder_of(statement);
    bind_string(&binding, category);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "attribute_clear", error);
    return run_write(store, statement, "attribute_clear", error);
}

static int sqlite_attribute_each(hl_store *base, const char *category, hl_attribute_visitor visit, void *context,
                                 hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    statement_id id = category != NULL ? STMT_ATTRIBUTE_OF : STMT_ATTRIBUTE_ALL;
    sqlite3_stmt *statement = borrow_statement(store, id, "attribute_each", error);
    if (statement == NULL)
        return HL_EIO;
    binder binding = binder_of(statement);
    if (category != NULL)
        bind_string(&binding, category);
    int result;
    if (binding.rc != SQLITE_OK) {
        result = storage_error(store, "attribute_each", error);
    } else {
        attribute_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_attribute))};
        result = visit_rows(store, statement, "attribute_each", visit_attribute_row, &visitor, error);
        free(visitor.attribute);
    }
    return_statement(store, id, statement);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Open311 requests and attribute answers                                   */
/* ------------------------------------------------------------------------ */

static int sqlite_open311_put(hl_store *base, const hl_open311_record *record, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_OPEN311_PUT];
    binder binding = binder_of(statement);
    bind_int64(&binding, record->order_id);
    bind_int64(&binding, record->api_key_id);
    BIND_FIELD(&binding, record->email);
    BIND_FIELD(&binding, record->device_id);
    BIND_FIELD(&binding, record->account_id);
    BIND_FIELD(&binding, record->address_id);
    BIND_FIELD(&binding, record->media_url);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "open311_put", error);
    int result = run_write(store, statement, "open311_put", error);
    if (result != HL_OK && sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return hl_error_set(error, HL_ECONFLICT, NULL, "%s",
                            HL_T("该工单已有 Open311 记录", "the order has an Open311 record"));
    return result;
}

static int read_open311(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_open311_record *record = context;
    reader row = reader_of(statement);
    record->order_id = read_int64(&row);
    record->api_key_id = read_int64(&row);
    READ_FIELD(&row, record->email);
    READ_FIELD(&row, record->device_id);
    READ_FIELD(&row, record->account_id);
    READ_FIELD(&row, record->address_id);
    READ_FIELD(&row, record->media_url);
    return HL_OK;
}

static int sqlite_open311_get(hl_store *base, int64_t order_id, hl_open311_record *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_OPEN311_GET];
    binder binding = binder_of(statement);
    bind_int64(&binding, order_id);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "open311_get", error);
    int result = lookup_row(store, statement, "open311_get", read_open311, out, error);
    if (result == HL_ENOTFOUND)
        return order_error(HL_ENOTFOUND, "没有 Open311 记录", "has no Open311 record", order_id, error);
    return result;
}

static int sqlite_answer_put(hl_store *base, int64_t order_id, const char *code, int seq, const char *value,
                             hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_ANSWER_PUT];
    binder binding = binder_of(statement);
    bind_int64(&binding, order_id);
    bind_string(&binding, code);
    bind_int64(&binding, seq);
    bind_string(&binding, value);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "answer_put", error);
    int result = run_write(store, statement, "answer_put", error);
    if (result != HL_OK && sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return hl_error_set(error, HL_ECONFLICT, code, "%s", HL_T("重复的属性值", "a repeated answer"));
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

static int sqlite_answer_each(hl_store *base, int64_t order_id, hl_answer_visitor visit, void *context,
                              hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = borrow_statement(store, STMT_ANSWER_EACH, "answer_each", error);
    if (statement == NULL)
        return HL_EIO;
    binder binding = binder_of(statement);
    bind_int64(&binding, order_id);
    int result;
    if (binding.rc != SQLITE_OK) {
        result = storage_error(store, "answer_each", error);
    } else {
        answer_visit visitor = {visit, context};
        result = visit_rows(store, statement, "answer_each", visit_answer_row, &visitor, error);
    }
    return_statement(store, STMT_ANSWER_EACH, statement);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Events by order and sequence, and by time                                */
/* ------------------------------------------------------------------------ */

static int copy_event_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    return read_event(statement, context, error);
}

static int sqlite_event_get(hl_store *base, int64_t order_id, int64_t seq, hl_event *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_EVENT_GET];
    binder binding = binder_of(statement);
    bind_int64(&binding, order_id);
    bind_int64(&binding, seq);
    if (binding.rc != SQLITE_OK)
        return storage_error(store, "event_get", error);
    int result = lookup_row(store, statement, "event_get", copy_event_row, out, error);
    if (result == HL_ENOTFOUND)
        return order_error(HL_ENOTFOUND, "没有这条记录", "has no such event", order_id, error);
    return result;
}

/* The FROM (into sql) and the WHERE (into query->where) of an event
 * query; the channels need the orders. */
static void event_where(order_query *query, hl_buf *sql, const hl_event_filter *filter)
{
    hl_buf_append_str(sql, filter->channel_mask != 0 ? " FROM events JOIN orders ON orders.id = events.order_id"
                                                     : " FROM events");
    query_condition(query, "events.at >= ?");
    query_number(query, filter->at_from);
    if (filter->at_to != 0) {
        query_condition(query, "events.at < ?");
        query_number(query, filter->at_to);
    }
    if (filter->channel_mask != 0) {
        /* The channels' names are constants of this build: no parameters. */
        query_condition(query, "orders.channel IN (");
        int listed = 0;
        for (int channel = 0; channel < HL_CHANNEL_COUNT; channel++) {
            if ((filter->channel_mask & (1u << channel)) == 0)
                continue;
            hl_buf_appendf(&query->where, "%s'%s'", listed++ > 0 ? ", " : "", channel_name(channel));
        }
        hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
    }
    if (filter->action_mask != 0) {
        query_condition(query, "events.action IN (");
        int listed = 0;
        for (int action = 0; action < HL_ACTION_COUNT; action++) {
            if ((filter->action_mask & (1u << action)) == 0)
                continue;
            hl_buf_appendf(&query->where, "%s'%s'", listed++ > 0 ? ", " : "", action_name(action));
        }
        hl_buf_append_str(&query->where, listed > 0 ? ")" : "NULL)");
    }
}

static int sqlite_event_query(hl_store *base, const hl_event_filter *filter, hl_event_visitor visit, void *context,
                              hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    order_query query = {.count = 0, .touches_orders = false};
    hl_buf_init(&query.where);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT events.order_id, events.seq, events.at, events.actor, events.action, "
                            "events.from_state, events.to_state, events.unit, events.other_unit, "
                            "events.deadline, events.note, events.details, events.period, events.outcome, "
                            "events.rating, events.resolved, events.flags");
    event_where(&query, &sql, filter);
    hl_buf_append(&sql, query.where.data, query.where.len);
    hl_buf_append_str(&sql, " ORDER BY events.at, events.order_id, events.seq LIMIT ? OFFSET ?");
    query_number(&query, filter->limit > 0 ? filter->limit : -1);
    query_number(&query, filter->offset > 0 ? filter->offset : 0);
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &sql, &query, "event_query", &statement, error);
    hl_buf_free(&sql);
    hl_buf_free(&query.where);
    if (result != HL_OK)
        return result;
    event_visit visitor = {visit, context, hl_xmalloc(sizeof(hl_event))};
    result = visit_rows(store, statement, "event_query", visit_event_row, &visitor, error);
    free(visitor.event);
    sqlite3_finalize(statement);
    return result;
}

static int sqlite_event_count(hl_store *base, const hl_event_filter *filter, int64_t *out, hl_error *error)
{
    struct sqlite_store *store = store_of(base);
    *out = 0;
    order_query query = {.count = 0, .touches_orders = false};
    hl_buf_init(&query.where);
    hl_buf sql;
    hl_buf_init(&sql);
    hl_buf_append_str(&sql, "SELECT count(*)");
    event_where(&query, &sql, filter);
    hl_buf_append(&sql, query.where.data, query.where.len);
    sqlite3_stmt *statement = NULL;
    int result = query_prepare(store, &sql, &query, "event_count", &statement, error);
    hl_buf_free(&sql);
    hl_buf_free(&query.where);
    if (result != HL_OK)
        return result;
    if (sqlite3_step(statement) == SQLITE_ROW)
        *out = sqlite3_column_int64(statement, 0);
    else
        result = storage_error(store, "event_count", error);
    sqlite3_finalize(statement);
    return result;
}

static const hl_store_ops sqlite_ops = {
    .close = sqlite_close,
    .begin = sqlite_begin,
    .begin_read = sqlite_begin_read,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .set_bulk = sqlite_set_bulk,
    .set_background_checkpoints = sqlite_set_background_checkpoints,
    .checkpoint = sqlite_checkpoint,
    .config_get = sqlite_config_get,
    .config_set = sqlite_config_set,
    .config_each = sqlite_config_each,
    .unit_put = sqlite_unit_put,
    .unit_get = sqlite_unit_get,
    .unit_each = sqlite_unit_each,
    .category_put = sqlite_category_put,
    .category_get = sqlite_category_get,
    .category_each = sqlite_category_each,
    .user_put = sqlite_user_put,
    .user_get = sqlite_user_get,
    .user_each = sqlite_user_each,
    .calendar_load = sqlite_calendar_load,
    .calendar_put = sqlite_calendar_put,
    .order_max_id = sqlite_order_max_id,
    .order_insert = sqlite_order_insert,
    .order_update = sqlite_order_update,
    .order_get = sqlite_order_get,
    .order_query = sqlite_order_query,
    .order_count = sqlite_order_count,
    .order_count_by_state = sqlite_order_count_by_state,
    .order_count_by_category = sqlite_order_count_by_category,
    .order_heads = sqlite_order_heads,
    .order_state_counts = sqlite_order_state_counts,
    .event_append = sqlite_event_append,
    .event_list = sqlite_event_list,
    .event_scan = sqlite_event_scan,
    .rollup_add = sqlite_rollup_add,
    .rollup_each = sqlite_rollup_each,
    .rollup_month = sqlite_rollup_month,
    .rollup_months = sqlite_rollup_months,
    .password_get = sqlite_password_get,
    .password_set = sqlite_password_set,
    .session_put = sqlite_session_put,
    .session_get = sqlite_session_get,
    .session_revoke = sqlite_session_revoke,
    .session_revoke_user = sqlite_session_revoke_user,
    .session_purge = sqlite_session_purge,
    .set_phone_codec = sqlite_set_phone_codec,
    .seal_phones = sqlite_seal_phones,
    .audit_append = sqlite_audit_append,
    .audit_query = sqlite_audit_query,
    .audit_count = sqlite_audit_count,
    .apikey_insert = sqlite_apikey_insert,
    .apikey_get = sqlite_apikey_get,
    .apikey_find = sqlite_apikey_find,
    .apikey_each = sqlite_apikey_each,
    .apikey_revoke = sqlite_apikey_revoke,
    .attribute_put = sqlite_attribute_put,
    .attribute_clear = sqlite_attribute_clear,
    .attribute_each = sqlite_attribute_each,
    .open311_put = sqlite_open311_put,
    .open311_get = sqlite_open311_get,
    .answer_put = sqlite_answer_put,
    .answer_each = sqlite_answer_each,
    .event_get = sqlite_event_get,
    .event_query = sqlite_event_query,
    .event_count = sqlite_event_count,
};
