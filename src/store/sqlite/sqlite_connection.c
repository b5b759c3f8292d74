/* sqlite_connection.c: one SQLite connection's life: open (configure,
 * migrate, prepare), close, and the transactions around every write
 * (begin, commit, rollback, bulk mode, checkpoints), with the per-state
 * counts written at commit. It also assembles the backend's ops table
 * from the other files. It reads and writes no records itself. */
#include "store/sqlite/sqlite_internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/text.h"

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

static void release_writers_lock(struct hl_sqlite_store *store)
{
    if (store->holds_writers_lock) {
        store->holds_writers_lock = false;
        pthread_mutex_unlock(&writers_lock);
    }
}

static void close_connection(struct hl_sqlite_store *store)
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
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    if (store->db != NULL)
        close_connection(store);
    hl_sqlite_close_counters(store);
    free(store->pending);
    release_writers_lock(store); /* closing rolled back what was open */
    free(store);
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
    double waited =
        (double)(now.tv_sec - busy_since.tv_sec) + (double)(now.tv_nsec - busy_since.tv_nsec) / 1e9;
    if (waited >= BUSY_WAIT_SECONDS)
        return 0;
    struct timespec pause = {0, attempts < 10    ? 50 * 1000
                                : attempts < 100 ? 200 * 1000
                                                 : 1000 * 1000};
    nanosleep(&pause, NULL);
    return 1;
}

/* For the backend's other connections (the counters'): the same patience. */
void hl_sqlite_wait_when_busy(sqlite3 *db)
{
    sqlite3_busy_handler(db, busy_wait, NULL);
}

static int configure_connection(struct hl_sqlite_store *store, const char *path, hl_error *error)
{
    /* The busy handler first, so that opening while another connection
     * writes waits instead of failing; then the page size: it is fixed when
     * the first page is written, and a WAL database cannot change it later.
     * Neither reads the file. */
    sqlite3_busy_handler(store->db, busy_wait, NULL);
    char sql[256];
    snprintf(sql, sizeof sql, "PRAGMA page_size=%d", PAGE_SIZE_BYTES);
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return hl_sqlite_cannot_open(path, sqlite3_errmsg(store->db), error);
    /* The first statement that reads the file header: this is where a file
     * that is not a database shows itself. */
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(store->db, "PRAGMA journal_mode=WAL", -1, &statement, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(statement);
    char mode[16] = "";
    if (rc == SQLITE_ROW)
        hl_sqlite_copy_column_text(statement, 0, mode, sizeof mode);
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW) {
        int primary = sqlite3_extended_errcode(store->db) & 0xff;
        if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
            return hl_sqlite_not_a_database(path, sqlite3_errmsg(store->db), error);
        return hl_sqlite_cannot_open(path, sqlite3_errmsg(store->db), error);
    }
    /* Durability rests on WAL; only an in-memory database (tests) has none. */
    if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0) {
        return hl_error_set(error, HL_EIO, NULL,
                            HL_T("%s：文件系统不支持预写日志 (WAL)",
                                 "%s: the file system does not support write-ahead logging"),
                            path);
    }
    if (sqlite3_db_readonly(store->db, "main") == 1) {
        return hl_error_set(error, HL_EIO, NULL,
                            HL_T("%s：数据库只读", "%s: the database is read-only"), path);
    }
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
             "PRAGMA journal_size_limit=%d; PRAGMA wal_autocheckpoint=%d",
             WAL_SIZE_LIMIT_BYTES, WAL_AUTOCHECKPOINT_PAGES);
    return hl_sqlite_exec_sql(store, sql, "open", error);
}

static int prepare_statements(struct hl_sqlite_store *store, hl_error *error)
{
    for (int id = 0; id < STMT_COUNT; id++) {
        if (sqlite3_prepare_v3(store->db, hl_sqlite_statement_sql[id], -1,
                               SQLITE_PREPARE_PERSISTENT, &store->statements[id],
                               NULL) != SQLITE_OK)
            return hl_sqlite_storage_error(store, "prepare", error);
    }
    return HL_OK;
}

/* Makes what a bulk load wrote durable. The WAL is synced through SQLite's
 * own file handle, which works even when a hl_sqlite_reader elsewhere keeps the
 * checkpoint from finishing; then a checkpoint folds the WAL into the
 * database (syncing both) and truncates it. Both are best effort: the
 * interface has no error to report, and the data is committed either way. */
static void sync_after_bulk(struct hl_sqlite_store *store)
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
static void apply_bulk_mode(struct hl_sqlite_store *store)
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
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    store->background_checkpoints = on;
    if (store->bulk_applied)
        return; /* bulk mode has them off already; leaving it applies the choice */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint=%d", on ? 0 : WAL_AUTOCHECKPOINT_PAGES);
    sqlite3_exec(store->db, sql, NULL, NULL, NULL);
}

static int sqlite_checkpoint(hl_store *base, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    int rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    /* Busy: another connection is checkpointing; the next call goes on. */
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return hl_sqlite_storage_error(store, "checkpoint", error);
    return HL_OK;
}

static void sqlite_set_bulk(hl_store *base, bool bulk)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    store->bulk = bulk;
    apply_bulk_mode(store);
}

static int sqlite_begin(hl_store *base, hl_error *error)
{
    static pthread_once_t initialised = PTHREAD_ONCE_INIT;
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
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
    int result = hl_sqlite_run_write(store, store->statements[STMT_BEGIN], "begin", error);
    if (result != HL_OK)
        release_writers_lock(store);
    return result;
}

static int sqlite_begin_read(hl_store *base, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    return hl_sqlite_run_write(store, store->statements[STMT_BEGIN_READ], "begin", error);
}

static void forget_state_counts(struct hl_sqlite_store *store)
{
    memset(store->pending_state_counts, 0, sizeof store->pending_state_counts);
    store->state_counts_pending = false;
}

/* Writes the transaction's changes of the per-state counts: one statement
 * per state that changed, inside the transaction, just before it commits. */
static int flush_state_counts(struct hl_sqlite_store *store, hl_error *error)
{
    if (!store->state_counts_pending)
        return HL_OK;
    sqlite3_stmt *statement = store->statements[STMT_STATE_COUNT_ADD];
    for (int state = 0; state < HL_STATE_COUNT; state++) {
        if (store->pending_state_counts[state] == 0)
            continue;
        hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
        hl_sqlite_bind_string(&binding,
                              hl_sqlite_encode_enum(state, hl_sqlite_state_name, HL_STATE_COUNT));
        hl_sqlite_bind_int64(&binding, store->pending_state_counts[state]);
        if (binding.rc != SQLITE_OK)
            return hl_sqlite_storage_error(store, "order_state_counts", error);
        int result = hl_sqlite_run_write(store, statement, "order_state_counts", error);
        if (result != HL_OK)
            return result;
    }
    forget_state_counts(store);
    return HL_OK;
}

/* Counts an order into or out of a state; written at once when no
 * transaction is open (each statement is then its own). */
int hl_sqlite_count_state_change(struct hl_sqlite_store *store, hl_state from, hl_state to,
                                 hl_error *error)
{
    if (!hl_derive_state_change(from, to, store->pending_state_counts))
        return HL_OK;
    store->state_counts_pending = true;
    return sqlite3_get_autocommit(store->db) ? flush_state_counts(store, error) : HL_OK;
}

static int sqlite_commit(hl_store *base, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    /* On failure the caller rolls back, which drops what was not written
     * (the phone index entries and the per-state counts alike). */
    int result = hl_sqlite_flush_pending_phones(store, error);
    if (result == HL_OK)
        result = flush_state_counts(store, error);
    if (result == HL_OK)
        result = hl_sqlite_chain_flush(store, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_run_write(store, store->statements[STMT_COMMIT], "commit", error);
    hl_sqlite_chain_forget(store);
    if (result == HL_OK || sqlite3_get_autocommit(store->db))
        release_writers_lock(store);
    apply_bulk_mode(store);
    return result;
}

static int sqlite_rollback(hl_store *base)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_drop_pending_phones(store);
    forget_state_counts(store);
    hl_sqlite_chain_forget(store);
    /* Rolling back nothing is fine: error paths roll back unconditionally. */
    if (sqlite3_get_autocommit(store->db)) {
        release_writers_lock(store);
        return HL_OK;
    }
    int result = hl_sqlite_run_write(store, store->statements[STMT_ROLLBACK], "rollback", NULL);
    release_writers_lock(store);
    apply_bulk_mode(store);
    return result;
}

/* SQLite keeps allocation statistics behind one process-wide mutex, taken
 * on every allocation of every connection: the server's worker threads
 * queued on it. hotline reads none of those statistics. Set once, before
 * SQLite initialises (afterwards sqlite3_config refuses, harmlessly). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The backend's ops table, filled once by the files that implement it. */
static hl_store_ops sqlite_ops;

static void fill_ops(void)
{
    sqlite_ops.close = sqlite_close;
    sqlite_ops.schema_version = hl_sqlite_schema_version;
    sqlite_ops.begin = sqlite_begin;
    sqlite_ops.begin_read = sqlite_begin_read;
    sqlite_ops.commit = sqlite_commit;
    sqlite_ops.rollback = sqlite_rollback;
    sqlite_ops.set_bulk = sqlite_set_bulk;
    sqlite_ops.set_background_checkpoints = sqlite_set_background_checkpoints;
    sqlite_ops.checkpoint = sqlite_checkpoint;
    hl_sqlite_directory_ops(&sqlite_ops);
    hl_sqlite_orders_ops(&sqlite_ops);
    hl_sqlite_phones_ops(&sqlite_ops);
    hl_sqlite_queries_ops(&sqlite_ops);
    hl_sqlite_events_ops(&sqlite_ops);
    hl_sqlite_rollups_ops(&sqlite_ops);
    hl_sqlite_access_ops(&sqlite_ops);
    hl_sqlite_throttle_ops(&sqlite_ops);
    hl_sqlite_copy_ops(&sqlite_ops);
    hl_sqlite_chain_ops(&sqlite_ops);
    hl_sqlite_anchor_ops(&sqlite_ops);
}

/* Set once, before SQLite initialises and before any store exists. */
static void start_backend(void)
{
    configure_sqlite();
    fill_ops();
}

bool hl_sqlite_owns(const hl_store *store)
{
    return store != NULL && store->ops == &sqlite_ops;
}

/* Creates the database file, empty and readable by its owner only, when it
 * does not exist yet; SQLite would create it with 0644 less the umask. Its
 * WAL and shared-memory files then take the database file's permissions
 * (SQLite's unix VFS copies them), so that all three are 0600 whoever
 * opens the store: the command line, the server or a test. An existing
 * file is left as it is; O_EXCL makes a race with another creator harmless. */
static void create_private_file(const char *path)
{
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return;
    int descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (descriptor >= 0)
        close(descriptor);
    /* Any other failure (EEXIST above all) is SQLite's to report when it
     * opens the file itself. */
}

int hl_sqlite_open(const char *path, hl_store **out, hl_error *error)
{
    static pthread_once_t started = PTHREAD_ONCE_INIT;
    pthread_once(&started, start_backend);
    if (out != NULL)
        *out = NULL;
    if (path == NULL || path[0] == '\0' || out == NULL)
        return hl_sqlite_missing_argument("open", error);

    struct hl_sqlite_store *store = hl_xcalloc(1, sizeof *store);
    store->base.ops = &sqlite_ops;
    create_private_file(path);
    /* Without SQLite's own mutex: each thread opens its own connection. */
    int rc = sqlite3_open_v2(
        path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        hl_sqlite_cannot_open(
            path, store->db != NULL ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc), error);
        sqlite_close(&store->base);
        return HL_EIO;
    }
    sqlite3_extended_result_codes(store->db, 1);

    int result = configure_connection(store, path, error);
    if (result == HL_OK)
        result = hl_sqlite_migrate(store, path, error);
    if (result == HL_OK)
        result = hl_sqlite_chain_link_stored(store, error);
    if (result == HL_OK)
        result = hl_sqlite_register_pending_phones(store, error);
    if (result == HL_OK)
        result = prepare_statements(store, error);
    if (result != HL_OK) {
        sqlite_close(&store->base);
        return result;
    }
    *out = &store->base;
    return HL_OK;
}
