/* sqlite_throttle.c: counters in fixed windows (the throttles table), in
 * SQLite: count an event, read a window, forget a key, purge the windows
 * that ended. What a key means and which limit applies are app/throttle.c's;
 * this file only counts.
 *
 * A hit is one UPSERT ... RETURNING, atomic across the processes sharing
 * the file. It runs on the caller's connection, usually with no transaction
 * open: it is then its own small transaction, which takes SQLite's write
 * lock for the one statement and never the process's writers' queue
 * (sqlite_connection.c), and which commits with synchronous=NORMAL: its WAL
 * frames reach the disk with the next durable commit or checkpoint, not at
 * once. A power cut may forget the last few counts; no order, event or
 * session is affected, and the database stays consistent (WAL with NORMAL
 * is corruption-safe). Without that, every Open311 read would wait for a
 * sync of its own. */
#include "store/sqlite/sqlite_internal.h"

/* Relaxes the sync of a statement that is its own transaction; false
 * (nothing changed) inside a transaction, where the statement commits with
 * the caller's, and in bulk mode, which syncs less already. */
static int relax_sync(struct hl_sqlite_store *store, bool *relaxed, hl_error *error)
{
    *relaxed = false;
    if (!sqlite3_get_autocommit(store->db) || store->bulk_applied)
        return HL_OK;
    int result = hl_sqlite_run_write(store, store->statements[STMT_SYNC_NORMAL], "throttle", error);
    *relaxed = result == HL_OK;
    return result;
}

/* Puts back the durable setting for every later commit of the connection;
 * a failure here is reported, since the connection would otherwise go on
 * committing orders without syncing them. */
static int restore_sync(struct hl_sqlite_store *store, bool relaxed, int status, hl_error *error)
{
    if (!relaxed)
        return status;
    hl_error ignored;
    int result = hl_sqlite_run_write(store, store->statements[STMT_SYNC_FULL], "throttle",
                                     status == HL_OK ? error : &ignored);
    return status != HL_OK ? status : result;
}

static int read_window(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    hl_throttle *out = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    out->window_start = hl_sqlite_read_int64(&row);
    out->window_end = hl_sqlite_read_int64(&row);
    out->count = hl_sqlite_read_int64(&row);
    return HL_OK;
}

static int sqlite_throttle_hit(hl_store *base, const char *key, hl_time now, int window_seconds,
                               int64_t limit, hl_throttle *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    memset(out, 0, sizeof *out);
    bool relaxed = false;
    int result = relax_sync(store, &relaxed, error);
    if (result != HL_OK)
        return result;
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_THROTTLE_HIT]);
    hl_sqlite_bind_string(&binding, key);
    hl_sqlite_bind_int64(&binding, now);
    hl_sqlite_bind_int64(&binding, window_seconds);
    hl_sqlite_bind_int64(&binding, limit);
    /* The row comes from RETURNING; the change is made at the first step
     * and the statement's own transaction commits at its reset. */
    result = hl_sqlite_get(store, &binding, "throttle_hit", read_window, out, error);
    if (result == HL_ENOTFOUND) /* an UPSERT always returns its row */
        result = hl_sqlite_storage_error(store, "throttle_hit", error);
    return restore_sync(store, relaxed, result, error);
}

static int sqlite_throttle_get(hl_store *base, const char *key, hl_time now, hl_throttle *out,
                               hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    memset(out, 0, sizeof *out);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_THROTTLE_GET]);
    hl_sqlite_bind_string(&binding, key);
    hl_sqlite_bind_int64(&binding, now);
    int result = hl_sqlite_get(store, &binding, "throttle_get", read_window, out, error);
    if (result == HL_ENOTFOUND) { /* no window runs: zeros */
        memset(out, 0, sizeof *out);
        return HL_OK;
    }
    return result;
}

/* A delete of its own, relaxed like a hit. */
static int delete_windows(struct hl_sqlite_store *store, hl_sqlite_binder *binding,
                          const char *operation, hl_error *error)
{
    bool relaxed = false;
    int result = relax_sync(store, &relaxed, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_write(store, binding, operation, error);
    return restore_sync(store, relaxed, result, error);
}

static int sqlite_throttle_reset(hl_store *base, const char *key, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_THROTTLE_RESET]);
    hl_sqlite_bind_string(&binding, key);
    return delete_windows(store, &binding, "throttle_reset", error);
}

static int sqlite_throttle_purge(hl_store *base, hl_time now, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_THROTTLE_PURGE]);
    hl_sqlite_bind_int64(&binding, now);
    return delete_windows(store, &binding, "throttle_purge", error);
}

void hl_sqlite_throttle_ops(hl_store_ops *ops)
{
    ops->throttle_hit = sqlite_throttle_hit;
    ops->throttle_get = sqlite_throttle_get;
    ops->throttle_reset = sqlite_throttle_reset;
    ops->throttle_purge = sqlite_throttle_purge;
}
