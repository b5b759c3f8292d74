/* pg_connection.c: one PostgreSQL connection's life: open (connect,
 * configure the session, create or migrate the schema), close, and the
 * transactions around every write (begin, begin_read, commit, rollback,
 * bulk mode), with the per-state counts written to this connection's shard
 * and the rows waiting for COPY sent at commit. Checkpoints are the
 * server's own business: both checkpoint operations do nothing. It also
 * assembles the backend's ops table from the other files. It reads and
 * writes no records itself, and never repeats the address it was given (it
 * may hold a password). */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/i18n.h"

bool hl_postgres_is_address(const char *address)
{
    return address != NULL &&
           (strncmp(address, "postgresql://", 13) == 0 || strncmp(address, "postgres://", 11) == 0);
}

/* The server's notices (a table that exists already, a cursor closed)
 * say nothing a user must read; libpq would print them on stderr. */
static void ignore_notice(void *context, const char *message)
{
    (void)context;
    (void)message;
}

static void pg_close(hl_store *base)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    /* Closing with a transaction open rolls it back, as a crash would. */
    hl_pg_drop_pending(store);
    hl_pg_copyin_drop(store);
    if (store->connection != NULL)
        PQfinish(store->connection);
    store->connection = NULL;
    free(store->prepared);
    free(store);
}

/* Bulk mode trades per-commit waits for speed during a load of many
 * transactions: synchronous_commit off lets a commit return before its WAL
 * reaches the disk. A crash may then lose the last commits, never corrupt
 * older ones (the server replays its WAL). Leaving bulk mode restores the
 * setting and commits one write, whose flush carries every earlier commit
 * to the disk, so that what was loaded is durable when set_bulk returns.
 * A SET inside a transaction would be undone by its rollback, so a change
 * asked for mid-transaction waits until the transaction ends. Best effort:
 * the interface has no error to report, and the data is committed either
 * way. */
static void apply_bulk_mode(struct hl_pg_store *store)
{
    if (store->bulk == store->bulk_applied || store->in_transaction || store->connection == NULL)
        return;
    hl_error ignored;
    if (store->bulk) {
        if (hl_pg_command(store, "SET synchronous_commit = off", "bulk", &ignored) == HL_OK)
            store->bulk_applied = true;
        return;
    }
    if (hl_pg_command(store, "SET synchronous_commit = on", "bulk", &ignored) != HL_OK)
        return;
    store->bulk_applied = false;
    hl_pg_command(store, "UPDATE meta SET value = value WHERE key = 'schema_version'", "bulk",
                  &ignored);
}

static void pg_set_bulk(hl_store *base, bool bulk)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    store->bulk = bulk;
    apply_bulk_mode(store);
}

/* The server checkpoints on its own schedule; no connection waits for it. */
static void pg_set_background_checkpoints(hl_store *base, bool on)
{
    (void)base;
    (void)on;
}

static int pg_checkpoint(hl_store *base, hl_error *error)
{
    (void)base;
    (void)error;
    return HL_OK;
}

/* A second BEGIN would only draw a warning from the server and go on in
 * the open transaction; SQLite refuses it, and so does this backend. */
static int refuse_nested(struct hl_pg_store *store, hl_error *error)
{
    if (!store->in_transaction)
        return HL_OK;
    return hl_error_set(error, HL_EIO, NULL, "%s",
                        HL_T("begin：已有事务未结束", "begin: a transaction is already open"));
}

/* Makes the partitions of the event log for this month and the next
 * (pg_schema.c, migration 3) once a month per connection, before its first
 * write transaction of the month: outside any transaction, because making
 * one locks the whole table until the transaction that made it ends, and
 * a writer's transaction may last a bulk import. Failing is no error: the
 * default partition takes the rows of a month without one. */
static void make_partitions_ahead(struct hl_pg_store *store)
{
    hl_time now = hl_clock_now();
    int year = 0, month = 0, day = 0;
    hl_clock_civil_from_day((int32_t)(now / 86400), &year, &month, &day);
    int key = year * 12 + month;
    if (key == store->partitions_month)
        return;
    store->partitions_month = key;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, now);
    hl_error ignored;
    hl_pg_exec(store, "SELECT hotline_event_partitions($1::bigint, 2)", &params, "event_partitions",
               NULL, &ignored);
    hl_pg_params_free(&params);
}

/* READ COMMITTED, named rather than left to the server's default: the
 * rules that need more (an order's version, the day's order numbers) take
 * their own locks (see pg_orders.c). */
static int pg_begin(hl_store *base, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    int result = refuse_nested(store, error);
    if (result == HL_OK)
        make_partitions_ahead(store);
    if (result == HL_OK)
        result = hl_pg_begin_command(store, "BEGIN ISOLATION LEVEL READ COMMITTED", "begin", error);
    if (result == HL_OK) {
        store->in_transaction = true;
        /* Fixed for the transaction, as the session's setting is: an
         * insert through COPY relies on the claims of those before it. */
        store->copy_in = store->bulk;
    }
    return result;
}

/* One snapshot for every statement of the transaction, which blocks no
 * writer and may run on a standby. */
static int pg_begin_read(hl_store *base, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    int result = refuse_nested(store, error);
    if (result == HL_OK)
        result = hl_pg_begin_command(store, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                     "begin", error);
    if (result == HL_OK)
        store->in_transaction = store->read_only = true;
    return result;
}

static void forget_state_counts(struct hl_pg_store *store)
{
    memset(store->pending_state_counts, 0, sizeof store->pending_state_counts);
    store->state_counts_pending = false;
}

/* Adds the transaction's changes of the per-state counts to this
 * connection's shard, one row per state that changed, in state order (so
 * that two connections that share a shard take its rows in the same
 * order and never deadlock). */
static int flush_state_counts(struct hl_pg_store *store, hl_error *error)
{
    static const char sql[] =
        "INSERT INTO order_state_counts(shard, state, orders) VALUES($1, $2, $3) "
        "ON CONFLICT(shard, state) DO UPDATE SET orders = order_state_counts.orders + "
        "excluded.orders";
    if (!store->state_counts_pending)
        return HL_OK;
    hl_pg_params params;
    hl_pg_params_init(&params);
    int result = HL_OK;
    for (int state = 0; state < HL_STATE_COUNT && result == HL_OK; state++) {
        if (store->pending_state_counts[state] == 0)
            continue;
        const char *name = hl_pg_encode_enum(state, hl_pg_state_name, HL_STATE_COUNT);
        if (name == NULL)
            continue;
        hl_pg_params_reset(&params);
        hl_pg_param_int64(&params, store->shard);
        hl_pg_param_text(&params, name);
        hl_pg_param_int64(&params, store->pending_state_counts[state]);
        result = hl_pg_write(store, sql, &params, "order_state_counts", NULL, error);
    }
    hl_pg_params_free(&params);
    if (result == HL_OK)
        forget_state_counts(store);
    return result;
}

int hl_pg_count_state_change(struct hl_pg_store *store, hl_state from, hl_state to, hl_error *error)
{
    if (!hl_derive_state_change(from, to, store->pending_state_counts))
        return HL_OK;
    store->state_counts_pending = true;
    return store->in_transaction ? HL_OK : flush_state_counts(store, error);
}

static int pg_commit(hl_store *base, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    if (!store->in_transaction)
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            HL_T("commit：没有未结束的事务", "commit: no transaction is open"));
    /* COMMIT of a transaction that an earlier statement failed in answers
     * ROLLBACK without an error: refuse it here, so that a caller who
     * missed the failure does not believe the work was kept. */
    if (store->connection != NULL && PQtransactionStatus(store->connection) == PQTRANS_INERROR)
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            HL_T("commit：事务已因先前的错误中止",
                                 "commit: the transaction was aborted by an earlier failure"));
    /* On failure the caller rolls back, which drops the counts, the
     * rollup additions and the rows for COPY not written. */
    int result = hl_pg_copyin_flush(store, error);
    if (result == HL_OK)
        result = flush_state_counts(store, error);
    if (result == HL_OK)
        result = hl_pg_flush_pending(store, error);
    if (result == HL_OK)
        result = hl_pg_chain_flush(store, error);
    if (result != HL_OK)
        return result;
    result = hl_pg_command(store, "COMMIT", "commit", error);
    /* Whether COMMIT succeeded or failed (a serialization failure, the
     * connection lost), the transaction is over: the server ended it. */
    if (result == HL_OK || store->connection == NULL ||
        PQtransactionStatus(store->connection) != PQTRANS_INTRANS) {
        store->in_transaction = store->read_only = store->copy_in = false;
        hl_pg_copyin_drop(store);
        hl_pg_chain_forget(store);
        apply_bulk_mode(store);
    }
    return result;
}

static int pg_rollback(hl_store *base)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    forget_state_counts(store);
    hl_pg_drop_pending(store);
    hl_pg_copyin_drop(store);
    hl_pg_chain_forget(store);
    store->copy_in = false;
    /* Rolling back nothing is fine: error paths roll back unconditionally. */
    if (!store->in_transaction)
        return HL_OK;
    store->in_transaction = store->read_only = false;
    int result = HL_OK;
    if (store->connection != NULL && PQstatus(store->connection) == CONNECTION_OK &&
        PQtransactionStatus(store->connection) != PQTRANS_IDLE) {
        hl_error ignored;
        result = hl_pg_command(store, "ROLLBACK", "rollback", &ignored);
    }
    apply_bulk_mode(store);
    return result;
}

/* The backend's ops table, filled once by the files that implement it. */
static hl_store_ops pg_ops;

static void fill_ops(void)
{
    pg_ops.close = pg_close;
    pg_ops.schema_version = hl_pg_schema_version;
    pg_ops.begin = pg_begin;
    pg_ops.begin_read = pg_begin_read;
    pg_ops.commit = pg_commit;
    pg_ops.rollback = pg_rollback;
    pg_ops.set_bulk = pg_set_bulk;
    pg_ops.set_background_checkpoints = pg_set_background_checkpoints;
    pg_ops.checkpoint = pg_checkpoint;
    hl_pg_directory_ops(&pg_ops);
    hl_pg_access_ops(&pg_ops);
    hl_pg_orders_ops(&pg_ops);
    hl_pg_events_ops(&pg_ops);
    hl_pg_rollups_ops(&pg_ops);
    hl_pg_queries_ops(&pg_ops);
    hl_pg_phones_ops(&pg_ops);
    hl_pg_throttle_ops(&pg_ops);
    hl_pg_copy_ops(&pg_ops);
    hl_pg_chain_ops(&pg_ops);
    hl_pg_anchor_ops(&pg_ops);
}

/* Connections of one process take the shards in turn, starting from a
 * point that differs between processes, so that two servers' connections
 * spread over the shards too. */
static int next_shard(void)
{
    static atomic_uint opened;
    unsigned turn = atomic_fetch_add(&opened, 1u);
    return (int)((turn + (unsigned)getpid()) % HL_PG_SHARDS);
}

static int cannot_connect(PGconn *connection, hl_error *error)
{
    /* The database and host libpq resolved, never the address itself; the
     * server's message names neither the password nor the address. */
    char detail[256];
    hl_pg_one_line(connection != NULL ? PQerrorMessage(connection) : "out of memory", detail,
                   sizeof detail);
    const char *database = connection != NULL && PQdb(connection) != NULL ? PQdb(connection) : "";
    return hl_error_set(error, HL_EUNAVAILABLE, NULL,
                        HL_T("无法连接 PostgreSQL 数据库 %s：%s",
                             "cannot connect to the PostgreSQL database %s: %s"),
                        database, detail);
}

static void start_backend(void)
{
    fill_ops();
}

int hl_postgres_open(const char *address, hl_store **out, hl_error *error)
{
    static pthread_once_t started = PTHREAD_ONCE_INIT;
    pthread_once(&started, start_backend);
    if (out != NULL)
        *out = NULL;
    if (address == NULL || address[0] == '\0' || out == NULL)
        return hl_pg_missing_argument("open", error);

    /* The address is libpq's own connection string. Before it come
     * defaults that it may override: a bound on connecting, and TCP
     * keepalives that find a dead server in about a minute rather than the
     * system's two hours (a primary that failed while a statement ran).
     * After it, what hotline needs whatever the address says: text in
     * UTF-8 (kept by libpq when it resets the connection), and a name by
     * which a DBA tells hotline's sessions apart in pg_stat_activity. */
    const char *const keywords[] = {
        "connect_timeout", "keepalives_idle", "keepalives_interval",       "keepalives_count",
        "dbname",          "client_encoding", "fallback_application_name", NULL};
    const char *const values[] = {"10", "30", "10", "3", address, "UTF8", "hotline", NULL};
    PGconn *connection = PQconnectdbParams(keywords, values, 1);
    if (connection == NULL || PQstatus(connection) != CONNECTION_OK) {
        int result = cannot_connect(connection, error);
        PQfinish(connection);
        return result;
    }
    struct hl_pg_store *store = hl_xcalloc(1, sizeof *store);
    store->base.ops = &pg_ops;
    store->connection = connection;
    store->shard = next_shard();
    PQsetNoticeProcessor(store->connection, ignore_notice, NULL);
    int result = hl_pg_configure_session(store, error);
    if (result == HL_OK)
        result = hl_pg_migrate(store, error);
    if (result != HL_OK) {
        pg_close(&store->base);
        return result;
    }
    *out = &store->base;
    return HL_OK;
}
