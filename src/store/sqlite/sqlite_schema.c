/* sqlite_schema.c: the SQLite backend's schema. It holds the versioned
 * migrations and the text of the statements prepared at open, and brings a
 * file's schema to this build's version; it does not open connections
 * (sqlite_connection.c) or run the statements. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"
#include "base/text.h"

/* Migration N (1-based) brings the schema from version N-1 to N. Scripts are
 * only ever appended: a released script never changes, because databases in
 * the field have already run it. */
/* The scripts keep their own layout (the SQL as a DBA reads it). */
/* clang-format off */
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
    /* 9: orders_by_unit_state holds only the orders that have a lead unit.
     * An order enters the store without one (registration and import) and
     * gets one at dispatch, so every registration paid an index insert
     * under the key ('', 'new') that no query reads: a unit's orders are
     * always asked for by a named unit, and the queries spell out
     * "lead_unit <> ''" beside "lead_unit = ?" so that SQLite may use the
     * partial index (sqlite_plans.c). Measured on the import's writing
     * thread: about 9% of its instructions per order (docs/PERFORMANCE.md).
     * Parenthesized: two literals alone in an element read to clang as a
     * missing comma. */
    ("DROP INDEX orders_by_unit_state;\n"
     "CREATE INDEX orders_by_unit_state ON orders(lead_unit, state) WHERE lead_unit <> '';\n"),
    /* 10: the citizen's consent to publication, recorded at intake
     * (docs/security.md, "Personal data at intake"). Until now the channel
     * stood for it; the orders that came through an Open311 POST (those
     * with an open311_requests row) were given by the API's terms, which
     * ask the poster's consent, and keep it. Every other order, a call or
     * one registered through /api/v1 with the channel open311, has none. */
    ("ALTER TABLE orders ADD COLUMN publish_consent INTEGER NOT NULL DEFAULT 0;\n"
     "UPDATE orders SET publish_consent = 1\n"
     "    WHERE channel = 'open311' AND id IN (SELECT order_id FROM open311_requests);\n"),
    /* 11: the three separated administrators (三员分立). The one role
     * "admin" is gone; its holders become security administrators, who
     * alone create accounts, so that a store keeps someone who can make
     * the system and audit administrators (docs/security.md). */
    "UPDATE users SET role = 'secadmin' WHERE role = 'admin';\n",
    /* 12: the hash chains (store/chain.h, docs/security.md). Each log's
     * record gets its place in its chain, the hash of the record before it
     * and its own; chain_heads holds each chain's last place and hash, one
     * row per chain, written at each commit that extends it. The records
     * already stored get their links after this script, in C (the hash is
     * not SQL): meta.chain_unlinked marks that there are some, and
     * sqlite_chain.c links them, in their order of time, in one
     * transaction. The append-only triggers now let a record without a
     * hash get one, once, and refuse any other change. security_events is
     * the audit of security events (logins, keys, exports, ...), chained
     * the same way. */
    "ALTER TABLE events ADD COLUMN chain_seq INTEGER;\n"
    "ALTER TABLE events ADD COLUMN prev_hash TEXT;\n"
    "ALTER TABLE events ADD COLUMN hash TEXT;\n"
    "ALTER TABLE personal_data_reads ADD COLUMN chain_seq INTEGER;\n"
    "ALTER TABLE personal_data_reads ADD COLUMN prev_hash TEXT;\n"
    "ALTER TABLE personal_data_reads ADD COLUMN hash TEXT;\n"
    "CREATE TABLE chain_heads(name TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)\n"
    "    WITHOUT ROWID;\n"
    "INSERT INTO chain_heads(name, seq, hash) VALUES\n"
    "    ('events', 0, '0000000000000000000000000000000000000000000000000000000000000000'),\n"
    "    ('reads', 0, '0000000000000000000000000000000000000000000000000000000000000000'),\n"
    "    ('security', 0, '0000000000000000000000000000000000000000000000000000000000000000');\n"
    "CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads\n"
    "BEGIN SELECT RAISE(ABORT, 'chain heads are never deleted'); END;\n"
    "INSERT INTO meta(key, value) SELECT 'chain_unlinked', '1'\n"
    "    WHERE EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM personal_data_reads);\n"
    "DROP TRIGGER events_no_update;\n"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
    "    WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL\n"
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n"
    "DROP TRIGGER personal_data_reads_no_update;\n"
    "CREATE TRIGGER personal_data_reads_no_update BEFORE UPDATE ON personal_data_reads\n"
    "    WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of personal data reads is append-only'); END;\n"
    "CREATE TABLE security_events(chain_seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,\n"
    "                             actor TEXT NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL,\n"
    "                             target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL,\n"
    "                             prev_hash TEXT NOT NULL, hash TEXT NOT NULL);\n"
    "CREATE INDEX security_events_by_at ON security_events(at);\n"
    "CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of security events is append-only'); END;\n"
    "CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of security events is append-only'); END;\n",
    /* 13: password history and age (app/policy: password.history,
     * password.max_age_days). users.password_changed_at is when the
     * password in use was set; the accounts that exist take the time of
     * this migration, so that an upgrade forces nobody to change at once.
     * password_history holds the argon2id hashes an account used before
     * (never the text), with the time each was set; the store keeps the
     * newest HL_STORE_PASSWORD_HISTORY of each account. */
    "ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE users SET password_changed_at = CAST(strftime('%s', 'now') AS INTEGER);\n"
    "CREATE TABLE password_history(id INTEGER PRIMARY KEY, username TEXT NOT NULL,\n"
    "                              hash TEXT NOT NULL, set_at INTEGER NOT NULL);\n"
    "CREATE INDEX password_history_by_user ON password_history(username, id);\n",
    /* 14: published bulletins (app/publish.c, docs/security.md "Published
     * bulletins"): each edition of a month's bulletin as an analyst
     * published it, with the head of the event chain its figures were
     * computed from, its headline figures, the frozen inputs of the
     * bulletin (document) and a digest over all of it. Append-only. */
    "CREATE TABLE published_bulletins(month INTEGER NOT NULL, edition INTEGER NOT NULL,\n"
    "    published_at INTEGER NOT NULL, published_by TEXT NOT NULL, chain_seq INTEGER NOT NULL,\n"
    "    chain_hash TEXT NOT NULL, surveyed INTEGER NOT NULL, reached INTEGER NOT NULL,\n"
    "    satisfied INTEGER NOT NULL, note TEXT NOT NULL, document TEXT NOT NULL,\n"
    "    digest TEXT NOT NULL, PRIMARY KEY(month, edition)) WITHOUT ROWID;\n"
    "CREATE TRIGGER published_bulletins_no_update BEFORE UPDATE ON published_bulletins\n"
    "BEGIN SELECT RAISE(ABORT, 'published bulletins are append-only'); END;\n"
    "CREATE TRIGGER published_bulletins_no_delete BEFORE DELETE ON published_bulletins\n"
    "BEGIN SELECT RAISE(ABORT, 'published bulletins are append-only'); END;\n",
    /* 15: the audits' anchors (app/archive.c, docs/security.md "Retention
     * and archives"). chain_anchors holds, for each audit chain, the seq
     * and hash of the last record archived out of the store (0 and the
     * genesis hash at first); the chain in the store starts after it.
     * The append-only rule gets one narrow exception, made here and not by
     * the program: a record at or below its chain's anchor may be deleted,
     * none above it. An anchor never goes back and moves only onto a
     * record of its chain with that hash; a chain that never held a
     * record may start from an anchor (an archive file, a copy). */
    "CREATE TABLE chain_anchors(name TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)\n"
    "    WITHOUT ROWID;\n"
    "INSERT INTO chain_anchors(name, seq, hash) VALUES\n"
    "    ('reads', 0, '0000000000000000000000000000000000000000000000000000000000000000'),\n"
    "    ('security', 0, '0000000000000000000000000000000000000000000000000000000000000000');\n"
    "CREATE TRIGGER chain_anchors_no_delete BEFORE DELETE ON chain_anchors\n"
    "BEGIN SELECT RAISE(ABORT, 'chain anchors are never deleted'); END;\n"
    "CREATE TRIGGER chain_anchors_forward BEFORE UPDATE ON chain_anchors\n"
    "    WHEN NEW.name IS NOT OLD.name OR NEW.seq <= OLD.seq OR NOT (CASE OLD.name\n"
    "        WHEN 'reads' THEN EXISTS (SELECT 1 FROM personal_data_reads\n"
    "                                  WHERE chain_seq = NEW.seq AND hash = NEW.hash)\n"
    "            OR (OLD.seq = 0 AND NOT EXISTS (SELECT 1 FROM personal_data_reads))\n"
    "        WHEN 'security' THEN EXISTS (SELECT 1 FROM security_events\n"
    "                                     WHERE chain_seq = NEW.seq AND hash = NEW.hash)\n"
    "            OR (OLD.seq = 0 AND NOT EXISTS (SELECT 1 FROM security_events))\n"
    "        ELSE 0 END)\n"
    "BEGIN SELECT RAISE(ABORT, 'a chain anchor moves only forward, onto a record of its chain'); END;\n"
    "CREATE INDEX personal_data_reads_by_chain ON personal_data_reads(chain_seq);\n"
    "DROP TRIGGER personal_data_reads_no_delete;\n"
    "CREATE TRIGGER personal_data_reads_no_delete BEFORE DELETE ON personal_data_reads\n"
    "    WHEN OLD.chain_seq IS NULL\n"
    "      OR OLD.chain_seq > (SELECT seq FROM chain_anchors WHERE name = 'reads')\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of personal data reads is append-only'); END;\n"
    "DROP TRIGGER security_events_no_delete;\n"
    "CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events\n"
    "    WHEN OLD.chain_seq > (SELECT seq FROM chain_anchors WHERE name = 'security')\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit of security events is append-only'); END;\n",
    /* 16: citizens' names and addresses sealed like phones (sqlite_sealed.c,
     * docs/ARCHITECTURE.md "Personal data at rest"): from now on each is a
     * BLOB sealed through the codec, or NULL when empty. Those written in
     * clear by older versions are sealed by seal_phones at the first open
     * with the key, which the store never holds: this script only marks
     * that there are some. */
    "INSERT INTO meta(key, value) SELECT 'texts_unsealed', '1'\n"
    "    WHERE EXISTS (SELECT 1 FROM orders WHERE typeof(citizen_name) = 'text'\n"
    "                  OR typeof(address) = 'text');\n",
    /* 17: the approval queues (docs/api.md, "Lists": pending=extension,
     * pending=appeal). The orders awaiting a decision on an extension or
     * an appeal are a few hundred or thousand among millions; each kind
     * gets a partial index in received order, so that its list and its
     * count read only those (sqlite_plans.c). The columns were always
     * kept by the workflow: building the index is the whole backfill. A
     * pending return is the state return_pending (orders_by_state). */
    ("CREATE INDEX IF NOT EXISTS orders_extension_pending ON orders(received_at)\n"
     "    WHERE extension_pending_days > 0;\n"
     "CREATE INDEX IF NOT EXISTS orders_appeal_pending ON orders(received_at) WHERE appeal_state = 1;\n"),
};
/* clang-format on */

#define MIGRATION_COUNT ((int)HL_COUNT_OF(migrations))

int hl_sqlite_schema_version(void)
{
    return MIGRATION_COUNT;
}

const char *const hl_sqlite_statement_sql[STMT_COUNT] = {
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
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "       /* id + 14 */
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " /* 17 */
                          "?, ?, ?, ?, ?, "                                     /* 5 */
                          "?, ?, ?, ?, ?, ?, ?, ?, ?)",                         /* survey */
    /* An order as registration leaves it: what is still zero or empty is
     * written as literals, not bound (see order_is_fresh). Binding costs
     * about 130 instructions a number and 300 a text in SQLite, and a
     * bulk import writes hundreds of thousands of these rows. */
    [STMT_ORDER_INSERT_FRESH] = "INSERT INTO orders(" ORDER_COLUMNS ") VALUES("
                                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " /* id + 14 */
                                "?, ?, ?, '', '', 0, 0, 0, 0, 0, 0, '', 0, 0, 0, 0, 0, 0, 0, "
                                "0, 0, '', 0, 0, 0, 0, 0, '', 0, 0, '')",
    [STMT_ORDER_UPDATE] =
        "UPDATE orders SET version = ?, state = ?, state_before_return = ?, "
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
    [STMT_UNIT_ROW_PUT] =
        "INSERT OR IGNORE INTO order_units(unit, received, order_id, lead) VALUES(?, ?, ?, ?)",
    [STMT_UNIT_ROW_DELETE] =
        "DELETE FROM order_units WHERE unit = ? AND received = ? AND order_id = ?",
    [STMT_ORDER_STATE_COUNTS] = "SELECT state, orders FROM order_state_counts",
    [STMT_STATE_COUNT_ADD] = "INSERT INTO order_state_counts(state, orders) VALUES(?, ?) "
                             "ON CONFLICT(state) DO UPDATE SET orders = orders + excluded.orders",
    [STMT_EVENT_APPEND] = "INSERT INTO events(" EVENT_COLUMNS ", chain_seq, prev_hash, hash) "
                          "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    [STMT_PASSWORD_GET] = "SELECT password_hash, password_changed_at FROM users WHERE username = ?",
    [STMT_PASSWORD_SET] =
        "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE username = ?",
    /* The hash being replaced goes to the history with the time it was set. */
    [STMT_PASSWORD_RETIRE] = "INSERT INTO password_history(username, hash, set_at) "
                             "SELECT username, password_hash, password_changed_at FROM users "
                             "WHERE username = ? AND password_hash <> ''",
    [STMT_PASSWORD_TRIM] =
        "DELETE FROM password_history WHERE username = ?1 AND id NOT IN "
        "(SELECT id FROM password_history WHERE username = ?1 ORDER BY id DESC LIMIT ?2)",
    [STMT_PASSWORD_HISTORY] =
        "SELECT hash, set_at FROM password_history WHERE username = ? ORDER BY id DESC",
    [STMT_SESSION_PUT] =
        "INSERT INTO sessions(token_hash, username, created_at, expires_at, revoked) "
        "VALUES(?, ?, ?, ?, ?)",
    [STMT_SESSION_GET] =
        "SELECT token_hash, username, created_at, expires_at, revoked FROM sessions "
        "WHERE token_hash = ?",
    [STMT_SESSION_REVOKE] = "UPDATE sessions SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
    [STMT_SESSION_REVOKE_USER] =
        "UPDATE sessions SET revoked = 1 WHERE username = ? AND token_hash <> ? AND revoked = 0",
    /* A scan of the sessions table: it holds only the sessions of the last
     * twelve hours, since every login purges the older ones. */
    [STMT_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?",
    [STMT_SESSION_TOUCH] =
        "UPDATE sessions SET expires_at = ? WHERE token_hash = ? AND revoked = 0",
    [STMT_AUDIT_APPEND] =
        "INSERT INTO personal_data_reads(at, actor, order_id, route, chain_seq, prev_hash, hash) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)",
    [STMT_PHONE_INDEX_PUT] =
        "INSERT INTO phone_index(phone_hash, received_at, order_id) VALUES(?, ?, ?)",
    /* A bulk load's waiting entries, sorted (sqlite_phones.c). OR IGNORE:
     * an entry is its own key, so a repeat is the same entry; and a
     * statement of many rows that may abort would keep a statement journal
     * (migration 6), which one that ignores does not. */
    [STMT_PHONE_INDEX_PUT_PENDING] =
        "INSERT OR IGNORE INTO phone_index(phone_hash, received_at, order_id) "
        "SELECT phone_hash, received_at, order_id FROM hl_pending_phones",
    [STMT_APIKEY_INSERT] =
        "INSERT INTO api_keys(" APIKEY_COLUMNS_NO_ID ") VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
    [STMT_APIKEY_GET] = "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE id = ?",
    [STMT_APIKEY_FIND] = "SELECT " APIKEY_COLUMNS " FROM api_keys WHERE key_hash = ?",
    [STMT_APIKEY_EACH] = "SELECT " APIKEY_COLUMNS " FROM api_keys ORDER BY id",
    /* A second revocation keeps the first one's time. */
    [STMT_APIKEY_REVOKE] = "UPDATE api_keys SET revoked = 1, revoked_at = CASE WHEN revoked = 1 "
                           "THEN revoked_at ELSE ? END WHERE id = ?",
    [STMT_ATTRIBUTE_PUT] =
        "INSERT INTO category_attributes(" ATTRIBUTE_COLUMNS ") "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(category, code) DO UPDATE SET "
        "position = excluded.position, datatype = excluded.datatype, "
        "required = excluded.required, variable = excluded.variable, "
        "description = excluded.description, "
        "datatype_description = excluded.datatype_description, choices = excluded.choices",
    [STMT_ATTRIBUTE_CLEAR] = "DELETE FROM category_attributes WHERE category = ?",
    [STMT_ATTRIBUTE_OF] =
        "SELECT " ATTRIBUTE_COLUMNS " FROM category_attributes WHERE category = ? "
        "ORDER BY position, code",
    [STMT_ATTRIBUTE_ALL] = "SELECT " ATTRIBUTE_COLUMNS " FROM category_attributes "
                           "ORDER BY category, position, code",
    [STMT_OPEN311_PUT] =
        "INSERT INTO open311_requests(" OPEN311_COLUMNS ") VALUES(?, ?, ?, ?, ?, ?, ?)",
    [STMT_OPEN311_GET] = "SELECT " OPEN311_COLUMNS " FROM open311_requests WHERE order_id = ?",
    [STMT_ANSWER_PUT] =
        "INSERT INTO order_attributes(order_id, code, seq, value) VALUES(?, ?, ?, ?)",
    [STMT_ANSWER_EACH] =
        "SELECT code, seq, value FROM order_attributes WHERE order_id = ? ORDER BY code, seq",
    [STMT_EVENT_GET] = "SELECT " EVENT_COLUMNS " FROM events WHERE order_id = ? AND seq = ?",
    /* A copy of a store keeps each key's and each audited read's id. */
    [STMT_APIKEY_PUT] =
        "INSERT INTO api_keys(" APIKEY_COLUMNS ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [STMT_AUDIT_PUT] =
        "INSERT INTO personal_data_reads(id, at, actor, order_id, route, chain_seq, prev_hash, "
        "hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
};

/* Reads meta.schema_version: 0 for a new, empty database. */
static int read_schema_version(struct hl_sqlite_store *store, int *out, hl_error *error)
{
    int64_t meta_tables = 0;
    int result = hl_sqlite_select_number(
        store, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", NULL, 0,
        "schema", &meta_tables, error);
    if (result != HL_OK)
        return result;
    *out = 0;
    if (meta_tables == 0)
        return HL_OK;

    sqlite3_stmt *statement = NULL;
    result = hl_sqlite_prepare(store, "SELECT value FROM meta WHERE key = 'schema_version'", NULL,
                               0, "schema", &statement, error);
    if (result != HL_OK)
        return result;
    int rc = sqlite3_step(statement);
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
        result = hl_sqlite_storage_error(store, "schema", error);
    }
    sqlite3_finalize(statement);
    return result;
}

static int newer_schema_error(int version, hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("数据库结构版本 %d 比本程序支持的版本 (%d) 新",
                             "database schema version %d is newer than this hotline (%d)"),
                        version, MIGRATION_COUNT);
}

/* Applies one migration in its own transaction, so that a failure (or a
 * crash) leaves the database at the previous version, never in between.
 * The version is read again under the write lock: another process may have
 * migrated the file while we waited. */
static int apply_migration(struct hl_sqlite_store *store, int target, hl_error *error)
{
    int result = hl_sqlite_exec_sql(store, "BEGIN IMMEDIATE", "migration", error);
    if (result != HL_OK)
        return result;
    int version = 0;
    result = read_schema_version(store, &version, error);
    if (result == HL_OK && version > MIGRATION_COUNT)
        result = newer_schema_error(version, error);
    if (result == HL_OK && version < target) {
        result = hl_sqlite_exec_sql(store, migrations[target - 1], "migration", error);
        if (result == HL_OK) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO meta(key, value) VALUES('schema_version', '%d') "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     target);
            result = hl_sqlite_exec_sql(store, sql, "migration", error);
        }
    }
    if (result == HL_OK)
        return hl_sqlite_exec_sql(store, "COMMIT", "migration", error);
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return result;
}

/* The number of tables in the database, to tell a new file from another
 * program's database. */
static int count_tables(struct hl_sqlite_store *store, int *out, hl_error *error)
{
    int64_t tables = 0;
    int result =
        hl_sqlite_select_number(store, "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                                NULL, 0, "schema", &tables, error);
    *out = tables > INT_MAX ? INT_MAX : (int)tables;
    return result;
}

int hl_sqlite_migrate(struct hl_sqlite_store *store, const char *path, hl_error *error)
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
            return hl_sqlite_not_a_database(path, HL_T("没有 schema_version", "no schema_version"),
                                            error);
    }
    for (int target = version + 1; target <= MIGRATION_COUNT && result == HL_OK; target++)
        result = apply_migration(store, target, error);
    return result;
}
