/* pg_schema.c: the PostgreSQL backend's schema: the versioned migrations
 * (every table of every file of the backend) and bringing a database to
 * this build's version, in one transaction under an advisory lock. It
 * opens no connection (pg_connection.c) and holds no statement of the
 * operations: each file keeps its own SQL beside its code.
 *
 * Version 1 holds what SQLite's schema 8 holds (sqlite_schema.c), table
 * for table and column for column, so that a store copies between the
 * backends row for row: INTEGER becomes bigint for times, ids, counts and
 * versions and integer for flags and small numbers (flags stay the
 * integers 0/1 SQLite keeps), TEXT text, BLOB bytea, REAL double
 * precision. Every text column sorts and compares byte by byte (COLLATE
 * "C"), as SQLite does, whatever the database's own collation: the lists
 * come out in the same order on both backends. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"
#include "base/text.h"

/* Migration N (1-based) brings the schema from version N-1 to N. Scripts
 * are only ever appended: a released script never changes, because
 * databases in the field have already run it. */
/* The scripts keep their own layout (the SQL as a DBA reads it). */
/* clang-format off */
static const char *const migrations[] = {
    /* 1: SQLite's schema 8, and what this backend adds: the per-state
     * counts in HL_PG_SHARDS shards per state (pg_connection.c), identity
     * columns for the ids SQLite gives as rowids (a copy that writes ids
     * itself sets each sequence past the largest: setval), the append-only
     * rule of events and personal_data_reads as triggers that refuse
     * UPDATE, DELETE and TRUNCATE, and the role hotline_app (see the end). */
    "CREATE TABLE IF NOT EXISTS meta(key text COLLATE \"C\" PRIMARY KEY, value text);\n"
    "CREATE TABLE config(key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL);\n"
    "CREATE TABLE units(code text COLLATE \"C\" PRIMARY KEY, name text COLLATE \"C\",\n"
    "                   group_name text COLLATE \"C\", parent text COLLATE \"C\", active integer);\n"
    "CREATE TABLE categories(code text COLLATE \"C\" PRIMARY KEY, name text COLLATE \"C\",\n"
    "                        parent text COLLATE \"C\", default_unit text COLLATE \"C\",\n"
    "                        handle_days integer, active integer);\n"
    "CREATE TABLE users(username text COLLATE \"C\" PRIMARY KEY, display_name text COLLATE \"C\",\n"
    "                   role text COLLATE \"C\", unit text COLLATE \"C\", active integer,\n"
    "                   password_hash text COLLATE \"C\" NOT NULL DEFAULT '');\n"
    "CREATE TABLE calendar(day bigint PRIMARY KEY, -- day number (base/clock.h)\n"
    "                      kind text COLLATE \"C\" NOT NULL CHECK(kind IN ('off', 'work')),\n"
    "                      festival text COLLATE \"C\");\n"
    "CREATE TABLE orders(\n"
    "    id bigint PRIMARY KEY, -- the order number itself\n"
    "    version bigint NOT NULL, state text COLLATE \"C\" NOT NULL,\n"
    "    state_before_return text COLLATE \"C\",\n"
    "    channel text COLLATE \"C\" NOT NULL, type text COLLATE \"C\" NOT NULL,\n"
    "    received_at bigint NOT NULL,\n"
    "    citizen_name text COLLATE \"C\",\n"
    "    citizen_phone bytea, -- sealed by the phone codec; NULL: no phone\n"
    "    address text COLLATE \"C\",\n"
    "    has_location integer, latitude double precision, longitude double precision,\n"
    "    category text COLLATE \"C\", title text COLLATE \"C\", content text COLLATE \"C\",\n"
    "    registered_by text COLLATE \"C\",\n"
    "    lead_unit text COLLATE \"C\", co_units text COLLATE \"C\",\n"
    "    dispatched_at bigint, sign_deadline bigint, signed_at bigint, return_deadline bigint,\n"
    "    handle_deadline bigint, due_at bigint, reply text COLLATE \"C\", completed_at bigint,\n"
    "    extension_count integer, extension_pending_days integer, return_count integer,\n"
    "    reopen_count integer, remind_count integer, supervise_count integer,\n"
    "    duplicate_of bigint, excluded integer, excluded_reason text COLLATE \"C\",\n"
    "    assessed_month integer NOT NULL DEFAULT 0, survey_attempts integer NOT NULL DEFAULT 0,\n"
    "    survey_result integer NOT NULL DEFAULT 0, rating integer NOT NULL DEFAULT 0,\n"
    "    resolved integer NOT NULL DEFAULT 0,\n"
    "    survey_comment text COLLATE \"C\" NOT NULL DEFAULT '',\n"
    "    surveyed_at bigint NOT NULL DEFAULT 0, appeal_state integer NOT NULL DEFAULT 0,\n"
    "    appeal_reason text COLLATE \"C\" NOT NULL DEFAULT '');\n"
    "CREATE INDEX orders_by_unit_state ON orders(lead_unit, state);\n"
    "CREATE INDEX orders_by_due ON orders(due_at) WHERE due_at > 0;\n"
    "CREATE INDEX orders_by_received ON orders(received_at);\n"
    "CREATE INDEX orders_excluded_by_appeal ON orders(assessed_month) WHERE appeal_state = 2;\n"
    "CREATE INDEX orders_by_state ON orders(state, received_at);\n"
    "CREATE INDEX orders_by_category ON orders(category, received_at);\n"
    "CREATE TABLE events(order_id bigint, seq bigint, at bigint, actor text COLLATE \"C\",\n"
    "                    action text COLLATE \"C\", from_state text COLLATE \"C\",\n"
    "                    to_state text COLLATE \"C\", unit text COLLATE \"C\",\n"
    "                    other_unit text COLLATE \"C\", deadline bigint, note text COLLATE \"C\",\n"
    "                    details text COLLATE \"C\",\n"
    "                    period integer NOT NULL DEFAULT 0, outcome integer NOT NULL DEFAULT 0,\n"
    "                    rating integer NOT NULL DEFAULT 0, resolved integer NOT NULL DEFAULT 0,\n"
    "                    flags integer NOT NULL DEFAULT 0,\n"
    "                    PRIMARY KEY(order_id, seq));\n"
    "CREATE INDEX events_by_at ON events(at);\n"
    /* A counter's value is the sum of its shards' rows: each connection
     * adds to its own shard (as order_state_counts), because every action
     * of a month adds to the same few rows (its unit's, the centre's), and
     * one row per counter made writers queue on its lock until each
     * other's commit: measured with pgbench, 16 clients each inserting an
     * event and adding to two counters, 600 tps on one row, 1,500-1,800
     * on 16 shards, 3,400 without counters (pg_rollups.c). */
    "CREATE TABLE rollups(month integer, unit text COLLATE \"C\", counter text COLLATE \"C\",\n"
    "                     shard integer NOT NULL DEFAULT 0, value bigint NOT NULL,\n"
    "                     PRIMARY KEY(month, unit, counter, shard));\n"
    "CREATE TABLE sessions(token_hash text COLLATE \"C\" PRIMARY KEY,\n"
    "                      username text COLLATE \"C\" NOT NULL,\n"
    "                      created_at bigint NOT NULL, expires_at bigint NOT NULL,\n"
    "                      revoked integer NOT NULL DEFAULT 0);\n"
    "CREATE INDEX sessions_by_user ON sessions(username);\n"
    "CREATE TABLE phone_index(phone_hash bytea NOT NULL, received_at bigint NOT NULL,\n"
    "                         order_id bigint NOT NULL,\n"
    "                         PRIMARY KEY(phone_hash, received_at, order_id));\n"
    "CREATE TABLE personal_data_reads(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
    "                                 at bigint NOT NULL, actor text COLLATE \"C\" NOT NULL,\n"
    "                                 order_id bigint NOT NULL,\n"
    "                                 route text COLLATE \"C\" NOT NULL);\n"
    "CREATE INDEX personal_data_reads_by_order ON personal_data_reads(order_id);\n"
    "CREATE INDEX personal_data_reads_by_actor ON personal_data_reads(actor);\n"
    "CREATE TABLE order_state_counts(shard integer NOT NULL, state text COLLATE \"C\" NOT NULL,\n"
    "                                orders bigint NOT NULL, PRIMARY KEY(shard, state));\n"
    "CREATE TABLE api_keys(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
    "                      key_hash text COLLATE \"C\" NOT NULL UNIQUE,\n"
    "                      key_prefix text COLLATE \"C\" NOT NULL, name text COLLATE \"C\" NOT NULL,\n"
    "                      created_by text COLLATE \"C\" NOT NULL,\n"
    "                      created_at bigint NOT NULL, rate_per_minute integer NOT NULL,\n"
    "                      revoked integer NOT NULL DEFAULT 0,\n"
    "                      revoked_at bigint NOT NULL DEFAULT 0);\n"
    "CREATE TABLE category_attributes(category text COLLATE \"C\" NOT NULL,\n"
    "                      code text COLLATE \"C\" NOT NULL, position integer NOT NULL,\n"
    "                      datatype text COLLATE \"C\" NOT NULL, required integer NOT NULL,\n"
    "                      variable integer NOT NULL, description text COLLATE \"C\" NOT NULL,\n"
    "                      datatype_description text COLLATE \"C\" NOT NULL,\n"
    "                      choices text COLLATE \"C\" NOT NULL, PRIMARY KEY(category, code));\n"
    "CREATE TABLE open311_requests(order_id bigint PRIMARY KEY REFERENCES orders(id),\n"
    "                      api_key_id bigint NOT NULL REFERENCES api_keys(id),\n"
    "                      email text COLLATE \"C\" NOT NULL, device_id text COLLATE \"C\" NOT NULL,\n"
    "                      account_id text COLLATE \"C\" NOT NULL,\n"
    "                      address_id text COLLATE \"C\" NOT NULL,\n"
    "                      media_url text COLLATE \"C\" NOT NULL);\n"
    "CREATE TABLE order_attributes(order_id bigint NOT NULL REFERENCES orders(id),\n"
    "                      code text COLLATE \"C\" NOT NULL, seq integer NOT NULL,\n"
    "                      value text COLLATE \"C\" NOT NULL,\n"
    "                      PRIMARY KEY(order_id, code, seq));\n"
    "CREATE TABLE order_units(unit text COLLATE \"C\" NOT NULL, received bigint NOT NULL,\n"
    "                         order_id bigint NOT NULL, lead integer NOT NULL,\n"
    "                         PRIMARY KEY(unit, received, order_id));\n"
    /* The append-only rule, enforced by the database for every client, not
     * only for hotline: the message is the trigger's argument. */
    "CREATE FUNCTION hotline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation'; END $$;\n"
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events\n"
    "    FOR EACH ROW EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    "CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE OR DELETE ON personal_data_reads\n"
    "    FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of personal data reads is append-only');\n"
    "CREATE TRIGGER personal_data_reads_no_truncate BEFORE TRUNCATE ON personal_data_reads\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of personal data reads is append-only');\n"
    /* The application's role (docs/deploy.md): the servers log in as a
     * member of hotline_app, which may read and write every table but only
     * read and append to the two logs, so that not even a bug that drops
     * the triggers could rewrite them. Created when the migrating role
     * may create roles (a role belongs to the whole cluster: another
     * database may have made it already); skipped without an error when it
     * may not. A later migration that adds a table grants it here too. */
    "DO $$ BEGIN\n"
    "    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        CREATE ROLE hotline_app NOLOGIN;\n"
    "    END IF;\n"
    "EXCEPTION WHEN OTHERS THEN NULL;\n"
    "END $$;\n"
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, INSERT, UPDATE, DELETE ON meta, config, units, categories, users,\n"
    "            calendar, orders, rollups, sessions, phone_index, order_state_counts, api_keys,\n"
    "            category_attributes, open311_requests, order_attributes, order_units\n"
    "            TO hotline_app;\n"
    "        GRANT SELECT, INSERT ON events, personal_data_reads TO hotline_app;\n"
    "        GRANT USAGE, SELECT ON SEQUENCE api_keys_id_seq, personal_data_reads_id_seq\n"
    "            TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n"
    "INSERT INTO meta(key, value) VALUES('sqlite_schema_version', '8');\n",
    /* 2: counters in fixed windows shared by every server (login failures,
     * request budgets: pg_throttle.c). UNLOGGED: a check writes on every
     * Open311 request, reads included, and a transaction that touched only
     * unlogged tables writes no WAL, so it neither waits for the disk nor,
     * with synchronous replication, for the standby. The price, chosen: a
     * crash of the primary empties the table, and a promoted standby starts
     * with no counts (a lockout or a spent budget is forgotten at a
     * failover, never an order). SQLite keeps the same counters in a file
     * of its own (sqlite_throttle.c), not in its schema. */
    "CREATE UNLOGGED TABLE throttles(key text COLLATE \"C\" PRIMARY KEY,\n"
    "    window_start bigint NOT NULL, window_end bigint NOT NULL, count bigint NOT NULL);\n"
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, INSERT, UPDATE, DELETE ON throttles TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n",
    /* 3: events partitioned by month of their time, so that a province's
     * log (hundreds of millions of rows over the years) keeps its indexes
     * per month and an old month detaches whole (docs/deploy.md). The key
     * is the column at itself, with bounds at the first of each month in
     * UTC: a bound never moves with the deployment's time zone setting,
     * and the eight hours by which a Beijing month differs do not matter
     * to archiving months long past. The primary key must hold the key, so
     * it is (order_id, seq, at): (order_id, seq) stays unique because each
     * append checks it (pg_events.c) under the order's version, which
     * serializes an order's writers. A row of a month without a partition
     * goes to events_default, so that no insert ever fails for want of
     * one; the months ahead are made by hotline_event_partitions, outside
     * any transaction (pg_connection.c), because making a partition locks
     * the whole table and inside a writer's transaction would hold that
     * lock until its commit. Every row moves in this one transaction, the
     * columns in the same order, so a copy reads them as before. */
    "ALTER TABLE events RENAME TO events_v2;\n"
    "ALTER INDEX events_pkey RENAME TO events_v2_pkey;\n"
    "ALTER INDEX events_by_at RENAME TO events_v2_by_at;\n"
    "CREATE TABLE events(order_id bigint, seq bigint, at bigint, actor text COLLATE \"C\",\n"
    "                    action text COLLATE \"C\", from_state text COLLATE \"C\",\n"
    "                    to_state text COLLATE \"C\", unit text COLLATE \"C\",\n"
    "                    other_unit text COLLATE \"C\", deadline bigint, note text COLLATE \"C\",\n"
    "                    details text COLLATE \"C\",\n"
    "                    period integer NOT NULL DEFAULT 0, outcome integer NOT NULL DEFAULT 0,\n"
    "                    rating integer NOT NULL DEFAULT 0, resolved integer NOT NULL DEFAULT 0,\n"
    "                    flags integer NOT NULL DEFAULT 0,\n"
    "                    PRIMARY KEY(order_id, seq, at))\n"
    "    PARTITION BY RANGE (at);\n"
    "CREATE INDEX events_by_at ON events(at);\n"
    "CREATE TABLE events_default PARTITION OF events DEFAULT;\n"
    /* Row triggers on the parent are cloned to every partition, present
     * and future; a statement trigger for TRUNCATE is not, so each
     * partition gets its own. */
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events\n"
    "    FOR EACH ROW EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events_default\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    /* Makes the partitions of the given number of months from the month
     * of instant on (UTC), those missing, and answers how many it made. It
     * runs as the schema's owner (SECURITY DEFINER) because hotline_app
     * may not create tables. A month whose rows already sit in the
     * default partition keeps them there (moving them would rewrite the
     * log), and so does a month whose partition was detached, since its
     * table still exists. Any failure (a standby, a lock) makes nothing
     * and is no error: the default partition takes the rows. */
    "CREATE FUNCTION hotline_event_partitions(instant bigint, months integer)\n"
    "    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$\n"
    "DECLARE\n"
    "    first timestamp := date_trunc('month', to_timestamp(instant) AT TIME ZONE 'UTC');\n"
    "    low bigint; high bigint; name text; made integer := 0;\n"
    "BEGIN\n"
    "    FOR i IN 0 .. months - 1 LOOP\n"
    "        low := extract(epoch FROM (first + make_interval(months => i)) AT TIME ZONE 'UTC');\n"
    "        high := extract(epoch FROM (first + make_interval(months => i + 1))\n"
    "                        AT TIME ZONE 'UTC');\n"
    "        name := 'events_' || to_char(first + make_interval(months => i), 'YYYYMM');\n"
    "        CONTINUE WHEN to_regclass(name) IS NOT NULL;\n"
    "        BEGIN\n"
    "            PERFORM pg_advisory_xact_lock(" HL_PG_LOCK_CLASS_TEXT ", 1);\n"
    "            CONTINUE WHEN to_regclass(name) IS NOT NULL;\n"
    "            CONTINUE WHEN EXISTS (SELECT 1 FROM events_default\n"
    "                                  WHERE at >= low AND at < high);\n"
    "            EXECUTE format('CREATE TABLE %I PARTITION OF events '\n"
    "                           'FOR VALUES FROM (%s) TO (%s)', name, low, high);\n"
    "            EXECUTE format('CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON %I '\n"
    "                           'FOR EACH STATEMENT EXECUTE FUNCTION '\n"
    "                           'hotline_append_only(%L)', name, 'events are append-only');\n"
    "            made := made + 1;\n"
    "        EXCEPTION WHEN OTHERS THEN NULL;\n"
    "        END;\n"
    "    END LOOP;\n"
    "    RETURN made;\n"
    "END $$;\n"
    "REVOKE ALL ON FUNCTION hotline_event_partitions(bigint, integer) FROM PUBLIC;\n"
    /* A partition for every month of the rows there are, then the rows. */
    "SELECT hotline_event_partitions(month, 1)\n"
    "    FROM (SELECT DISTINCT extract(epoch FROM date_trunc('month',\n"
    "              to_timestamp(at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::bigint AS month\n"
    "          FROM events_v2 WHERE at IS NOT NULL) AS months;\n"
    "INSERT INTO events SELECT * FROM events_v2;\n"
    "DROP TABLE events_v2;\n"
    /* hotline_app reaches the partitions through the parent, whose
     * privileges are the ones checked: the partitions need no grant, and
     * get none, so that they are read and written only through it. */
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, INSERT ON events TO hotline_app;\n"
    "        GRANT EXECUTE ON FUNCTION hotline_event_partitions(bigint, integer)\n"
    "            TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n",
    /* 4: the citizen's consent to publication, as SQLite's migration 10
     * (docs/security.md, "Personal data at intake"): the orders that came
     * through an Open311 POST keep the consent the API's terms gave;
     * every other order has none. ADD COLUMN with a constant default
     * rewrites no row; the UPDATE touches only Open311's orders. */
    "ALTER TABLE orders ADD COLUMN publish_consent integer NOT NULL DEFAULT 0;\n"
    "UPDATE orders SET publish_consent = 1\n"
    "    WHERE channel = 'open311' AND id IN (SELECT order_id FROM open311_requests);\n",
    /* 5: the three separated administrators, as SQLite's migration 11:
     * the holders of the old role "admin" become security administrators. */
    "UPDATE users SET role = 'secadmin' WHERE role = 'admin';\n",
    /* 6: the hash chains (store/chain.h, docs/security.md), as SQLite's
     * schema 12: each log's record gets its place in its chain, the hash
     * of the record before it and its own; chain_heads holds each chain's
     * last place and hash, one row per chain, locked FOR UPDATE by the
     * first append of a transaction and written at its commit
     * (pg_chain.c), which serializes the writers of one chain. The records
     * already stored get their links in C (pg_chain.c) in this migration's
     * transaction, after this script, which marks that there are some.
     * The append-only triggers now let a record without a hash get one,
     * once, and refuse any other change; security_events is the audit of
     * security events, chained the same way. */
    "ALTER TABLE events ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text COLLATE \"C\",\n"
    "    ADD COLUMN hash text COLLATE \"C\";\n"
    "ALTER TABLE personal_data_reads ADD COLUMN chain_seq bigint,\n"
    "    ADD COLUMN prev_hash text COLLATE \"C\", ADD COLUMN hash text COLLATE \"C\";\n"
    "CREATE TABLE chain_heads(name text COLLATE \"C\" PRIMARY KEY, seq bigint NOT NULL,\n"
    "                         hash text COLLATE \"C\" NOT NULL);\n"
    "INSERT INTO chain_heads(name, seq, hash) VALUES\n"
    "    ('events', 0, '0000000000000000000000000000000000000000000000000000000000000000'),\n"
    "    ('reads', 0, '0000000000000000000000000000000000000000000000000000000000000000'),\n"
    "    ('security', 0, '0000000000000000000000000000000000000000000000000000000000000000');\n"
    "CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads\n"
    "    FOR EACH ROW EXECUTE FUNCTION hotline_append_only('chain heads are never deleted');\n"
    "CREATE TRIGGER chain_heads_no_truncate BEFORE TRUNCATE ON chain_heads\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION hotline_append_only('chain heads are never deleted');\n"
    "INSERT INTO meta(key, value) SELECT 'chain_unlinked', '1'\n"
    "    WHERE EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM personal_data_reads);\n"
    "DROP TRIGGER events_append_only ON events;\n"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events\n"
    "    FOR EACH ROW EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events\n"
    "    FOR EACH ROW WHEN (OLD.hash IS NOT NULL OR NEW.hash IS NULL)\n"
    "    EXECUTE FUNCTION hotline_append_only('events are append-only');\n"
    "DROP TRIGGER personal_data_reads_append_only ON personal_data_reads;\n"
    "CREATE TRIGGER personal_data_reads_no_delete BEFORE DELETE ON personal_data_reads\n"
    "    FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of personal data reads is append-only');\n"
    "CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE ON personal_data_reads\n"
    "    FOR EACH ROW WHEN (OLD.hash IS NOT NULL OR NEW.hash IS NULL) EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of personal data reads is append-only');\n"
    "CREATE TABLE security_events(chain_seq bigint PRIMARY KEY, at bigint NOT NULL,\n"
    "    actor text COLLATE \"C\" NOT NULL, address text COLLATE \"C\" NOT NULL,\n"
    "    action text COLLATE \"C\" NOT NULL, target text COLLATE \"C\" NOT NULL,\n"
    "    outcome text COLLATE \"C\" NOT NULL, detail text COLLATE \"C\" NOT NULL,\n"
    "    prev_hash text COLLATE \"C\" NOT NULL, hash text COLLATE \"C\" NOT NULL);\n"
    "CREATE INDEX security_events_by_at ON security_events(at);\n"
    "CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events\n"
    "    FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of security events is append-only');\n"
    "CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON security_events\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of security events is append-only');\n"
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, UPDATE ON chain_heads TO hotline_app;\n"
    "        GRANT SELECT, INSERT ON security_events TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n",
    /* 7: password history and age, as SQLite's migration 13: when the
     * password in use was set (the accounts that exist take the time of
     * this migration, so that an upgrade forces nobody to change at once)
     * and the argon2id hashes each account used before, never the text.
     * hotline_app deletes from the history only to keep its newest rows. */
    "ALTER TABLE users ADD COLUMN password_changed_at bigint NOT NULL DEFAULT 0;\n"
    "UPDATE users SET password_changed_at = floor(extract(epoch FROM now()))::bigint;\n"
    "CREATE TABLE password_history(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
    "    username text COLLATE \"C\" NOT NULL, hash text COLLATE \"C\" NOT NULL,\n"
    "    set_at bigint NOT NULL);\n"
    "CREATE INDEX password_history_by_user ON password_history(username, id);\n"
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, INSERT, DELETE ON password_history TO hotline_app;\n"
    "        GRANT USAGE, SELECT ON SEQUENCE password_history_id_seq TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n",
    /* 8: published bulletins, as SQLite's schema 14: append-only by
     * triggers, and hotline_app may only read and insert them. */
    "CREATE TABLE published_bulletins(month integer NOT NULL, edition integer NOT NULL,\n"
    "    published_at bigint NOT NULL, published_by text COLLATE \"C\" NOT NULL,\n"
    "    chain_seq bigint NOT NULL, chain_hash text COLLATE \"C\" NOT NULL,\n"
    "    surveyed bigint NOT NULL, reached bigint NOT NULL, satisfied bigint NOT NULL,\n"
    "    note text COLLATE \"C\" NOT NULL, document text COLLATE \"C\" NOT NULL,\n"
    "    digest text COLLATE \"C\" NOT NULL, PRIMARY KEY(month, edition));\n"
    "CREATE TRIGGER published_bulletins_append_only BEFORE UPDATE OR DELETE\n"
    "    ON published_bulletins FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_append_only('published bulletins are append-only');\n"
    "CREATE TRIGGER published_bulletins_no_truncate BEFORE TRUNCATE ON published_bulletins\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION\n"
    "    hotline_append_only('published bulletins are append-only');\n"
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, INSERT ON published_bulletins TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n",
    /* 9: the audits' anchors, as SQLite's schema 15 (docs/security.md
     * "Retention and archives"): a record of an audit chain may be
     * deleted only at or below its chain's anchor, an anchor moves only
     * forward onto a record of its chain with that hash (or starts a chain
     * that never held a record), and the rule is the database's, for every
     * client: hotline_app gets DELETE on the two audits and UPDATE on the
     * anchors, and TRUNCATE stays refused. */
    "CREATE TABLE chain_anchors(name text COLLATE \"C\" PRIMARY KEY, seq bigint NOT NULL,\n"
    "                           hash text COLLATE \"C\" NOT NULL);\n"
    "INSERT INTO chain_anchors(name, seq, hash) VALUES\n"
    "    ('reads', 0, '0000000000000000000000000000000000000000000000000000000000000000'),\n"
    "    ('security', 0, '0000000000000000000000000000000000000000000000000000000000000000');\n"
    "CREATE TRIGGER chain_anchors_no_delete BEFORE DELETE ON chain_anchors\n"
    "    FOR EACH ROW EXECUTE FUNCTION hotline_append_only('chain anchors are never deleted');\n"
    "CREATE TRIGGER chain_anchors_no_truncate BEFORE TRUNCATE ON chain_anchors\n"
    "    FOR EACH STATEMENT EXECUTE FUNCTION hotline_append_only('chain anchors are never deleted');\n"
    "CREATE OR REPLACE FUNCTION hotline_anchor_forward() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.seq <= OLD.seq OR NOT (CASE OLD.name\n"
    "        WHEN 'reads' THEN EXISTS (SELECT 1 FROM personal_data_reads\n"
    "                                  WHERE chain_seq = NEW.seq AND hash = NEW.hash)\n"
    "            OR (OLD.seq = 0 AND NOT EXISTS (SELECT 1 FROM personal_data_reads))\n"
    "        WHEN 'security' THEN EXISTS (SELECT 1 FROM security_events\n"
    "                                     WHERE chain_seq = NEW.seq AND hash = NEW.hash)\n"
    "            OR (OLD.seq = 0 AND NOT EXISTS (SELECT 1 FROM security_events))\n"
    "        ELSE false END) THEN\n"
    "        RAISE EXCEPTION 'a chain anchor moves only forward, onto a record of its chain'\n"
    "            USING ERRCODE = 'restrict_violation';\n"
    "    END IF;\n"
    "    RETURN NEW;\n"
    "END $$;\n"
    "CREATE TRIGGER chain_anchors_forward BEFORE UPDATE ON chain_anchors\n"
    "    FOR EACH ROW EXECUTE FUNCTION hotline_anchor_forward();\n"
    /* TG_ARGV: the chain's name, the refusal's message. */
    "CREATE OR REPLACE FUNCTION hotline_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "    IF OLD.chain_seq IS NULL\n"
    "       OR OLD.chain_seq > (SELECT seq FROM chain_anchors WHERE name = TG_ARGV[0]) THEN\n"
    "        RAISE EXCEPTION '%', TG_ARGV[1] USING ERRCODE = 'restrict_violation';\n"
    "    END IF;\n"
    "    RETURN OLD;\n"
    "END $$;\n"
    "CREATE INDEX personal_data_reads_by_chain ON personal_data_reads(chain_seq);\n"
    "DROP TRIGGER IF EXISTS personal_data_reads_no_delete ON personal_data_reads;\n"
    "CREATE TRIGGER personal_data_reads_no_delete BEFORE DELETE ON personal_data_reads\n"
    "    FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_audit_delete('reads', 'the audit of personal data reads is append-only');\n"
    "DROP TRIGGER IF EXISTS security_events_append_only ON security_events;\n"
    "DROP TRIGGER IF EXISTS security_events_no_delete ON security_events;\n"
    "CREATE TRIGGER security_events_append_only BEFORE UPDATE ON security_events\n"
    "    FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_append_only('the audit of security events is append-only');\n"
    "CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events\n"
    "    FOR EACH ROW EXECUTE FUNCTION\n"
    "    hotline_audit_delete('security', 'the audit of security events is append-only');\n"
    "DO $$ BEGIN\n"
    "    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotline_app') THEN\n"
    "        GRANT SELECT, UPDATE ON chain_anchors TO hotline_app;\n"
    "        GRANT DELETE ON personal_data_reads, security_events TO hotline_app;\n"
    "    END IF;\n"
    "EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
    "END $$;\n",
    /* 10: citizens' names and addresses sealed like phones, as SQLite's
     * schema 16 (pg_sealed.c): both columns become bytea, sealed through
     * the codec, NULL when empty. The texts already stored are still in
     * clear (as UTF-8 bytes) until the first open with the key seals them
     * in one transaction; the store never holds the key, so this script
     * only marks that there are some. */
    "ALTER TABLE orders\n"
    "    ALTER COLUMN citizen_name TYPE bytea USING NULLIF(convert_to(citizen_name, 'UTF8'), ''::bytea),\n"
    "    ALTER COLUMN address TYPE bytea USING NULLIF(convert_to(address, 'UTF8'), ''::bytea);\n"
    "INSERT INTO meta(key, value) SELECT 'texts_unsealed', '1'\n"
    "    WHERE EXISTS (SELECT 1 FROM orders WHERE citizen_name IS NOT NULL OR address IS NOT NULL);\n",
    /* 11: the approval queues, as SQLite's schema 17: a partial index of
     * the orders awaiting a decision on an extension, and one of those
     * awaiting a decision on an appeal, in received order. The workflow
     * always kept both columns, so building the indexes is the whole
     * backfill; a pending return is the state return_pending. */
    "CREATE INDEX IF NOT EXISTS orders_extension_pending ON orders(received_at, id)\n"
    "    WHERE extension_pending_days > 0;\n"
    "CREATE INDEX IF NOT EXISTS orders_appeal_pending ON orders(received_at, id) WHERE appeal_state = 1;\n",
};
/* clang-format on */

#define MIGRATION_COUNT ((int)HL_COUNT_OF(migrations))

/* Taken by every migration, so that two servers opening one new database
 * at once create its schema once: the second waits, then finds it made. */
#define SCHEMA_LOCK "SELECT pg_advisory_xact_lock(" HL_PG_LOCK_CLASS_TEXT ", 0)"

int hl_pg_schema_version(void)
{
    return MIGRATION_COUNT;
}

/* Reads meta.schema_version: 0 for a database without hotline's tables;
 * *tables the number of tables of the current schema (to tell an empty
 * database from another program's). */
static int read_schema_version(struct hl_pg_store *store, int *out, int64_t *tables,
                               hl_error *error)
{
    *out = 0;
    *tables = 0;
    PGresult *result = NULL;
    int code = hl_pg_exec_dynamic(
        store,
        "SELECT to_regclass('meta') IS NOT NULL, (SELECT count(*) FROM pg_catalog.pg_tables "
        "WHERE schemaname = current_schema())",
        NULL, "schema", &result, error);
    if (code != HL_OK)
        return code;
    bool has_meta = hl_pg_bool(result, 0, 0);
    *tables = hl_pg_int64(result, 0, 1);
    PQclear(result);
    if (!has_meta)
        return HL_OK;
    code = hl_pg_exec_dynamic(store, "SELECT value FROM meta WHERE key = 'schema_version'", NULL,
                              "schema", &result, error);
    if (code != HL_OK)
        return code;
    if (PQntuples(result) == 1) {
        int64_t version = 0;
        const char *text = PQgetisnull(result, 0, 0) ? NULL : PQgetvalue(result, 0, 0);
        if (text == NULL || hl_text_parse_int(hl_slice_of(text), 0, INT_MAX, &version) != HL_OK)
            code = hl_error_set(error, HL_EIO, NULL, "%s",
                                HL_T("数据库的 schema_version 无法识别",
                                     "the database's schema_version is unreadable"));
        else
            *out = (int)version;
    }
    PQclear(result);
    return code;
}

static int newer_schema_error(int version, hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("数据库结构版本 %d 比本程序支持的版本 (%d) 新",
                             "database schema version %d is newer than this hotline (%d)"),
                        version, MIGRATION_COUNT);
}

static int not_hotline_error(hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL, "%s",
                        HL_T("该 PostgreSQL 数据库不是 hotline 数据库：有表而没有 schema_version",
                             "the PostgreSQL database is not a hotline database: it has tables "
                             "but no schema_version"));
}

/* Checks the version read and applies the scripts above it. */
static int apply_migrations(struct hl_pg_store *store, hl_error *error)
{
    int version = 0;
    int64_t tables = 0;
    int result = read_schema_version(store, &version, &tables, error);
    if (result != HL_OK)
        return result;
    if (version > MIGRATION_COUNT)
        return newer_schema_error(version, error);
    /* Tables but no schema version: some other program's database, which
     * we must not fill with ours. */
    if (version == 0 && tables > 0)
        return not_hotline_error(error);
    for (int target = version + 1; target <= MIGRATION_COUNT && result == HL_OK; target++)
        result = hl_pg_command(store, migrations[target - 1], "migration", error);
    if (result != HL_OK || version == MIGRATION_COUNT)
        return result;
    char sql[128];
    snprintf(sql, sizeof sql,
             "INSERT INTO meta(key, value) VALUES('schema_version', '%d') "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             MIGRATION_COUNT);
    return hl_pg_command(store, sql, "migration", error);
}

int hl_pg_migrate(struct hl_pg_store *store, hl_error *error)
{
    /* The usual case first, without a lock or a write: a database at this
     * version opens for a role that may not create tables (hotline_app). */
    int version = 0;
    int64_t tables = 0;
    int result = read_schema_version(store, &version, &tables, error);
    if (result != HL_OK)
        return result;
    if (version == MIGRATION_COUNT)
        return HL_OK;
    if (version > MIGRATION_COUNT)
        return newer_schema_error(version, error);
    if (version == 0 && tables > 0)
        return not_hotline_error(error);

    /* All the scripts and the new version in one transaction: a failure (or
     * a crash) leaves the database at the version before, never in
     * between. The version is read again under the lock: another server may
     * have migrated while we waited. */
    result = hl_pg_command(store, "BEGIN", "migration", error);
    if (result != HL_OK)
        return result;
    store->in_transaction = true;
    result = hl_pg_command(store, SCHEMA_LOCK, "migration", error);
    if (result == HL_OK)
        result = apply_migrations(store, error);
    if (result == HL_OK)
        result = hl_pg_chain_link_stored(store, error);
    hl_error ignored;
    if (result == HL_OK)
        result = hl_pg_command(store, "COMMIT", "migration", error);
    else
        hl_pg_command(store, "ROLLBACK", "migration", &ignored);
    store->in_transaction = false;
    return result;
}
