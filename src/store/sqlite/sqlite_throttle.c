/* sqlite_throttle.c: counters in fixed windows, in SQLite: count an event,
 * read a window, forget a key, purge the windows that ended. What a key
 * means and which limit applies are app/throttle.c's; this file only
 * counts.
 *
 * The counters live in a database file of their own beside the store
 * ("<store>.counters"), reached through a connection of their own, opened
 * at the first call. The reason is SQLite's one write lock per file: an
 * Open311 read checks its budget with a write, and in the store's file
 * that write would queue behind every order being written (each holding
 * the lock through its sync), so that reads, which WAL never makes wait,
 * would wait for writers. In a file of their own, a budget check waits only
 * for other budget checks, a few microseconds each. The counters' file
 * commits with synchronous=NORMAL: its log reaches the disk at its
 * checkpoints, not at each commit (a counter is worth less than a sync; a
 * power cut may forget the last counts, never corrupt the file). Each call
 * is its own transaction, whatever the caller has open on the store's
 * connection, and a hit is one UPSERT ... RETURNING, atomic across every
 * process on the file. Losing the file loses only counts: it is made
 * again, empty, at the next call. */
#include "store/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/array.h"
#include "base/i18n.h"

enum { COUNTER_HIT, COUNTER_GET, COUNTER_RESET, COUNTER_PURGE, COUNTER_STATEMENTS };

/* clang-format off */
static const char *const counter_sql[COUNTER_STATEMENTS] = {
    /* ?1 key, ?2 now, ?3 the window's length, ?4 the limit. In DO UPDATE,
     * bare column names are the stored row's, as every SET reads them
     * before any is changed. A window ends at window_end, or when now is
     * before its start (the clock was set back). */
    [COUNTER_HIT] =
        "INSERT INTO throttles(key, window_start, window_end, count) VALUES(?1, ?2, ?2 + ?3, 1) "
        "ON CONFLICT(key) DO UPDATE SET "
        "window_start = CASE WHEN ?2 >= window_end OR ?2 < window_start THEN ?2 "
        "ELSE window_start END, "
        "window_end = CASE WHEN ?2 >= window_end OR ?2 < window_start THEN ?2 + ?3 "
        "ELSE window_end END, "
        "count = CASE WHEN ?2 >= window_end OR ?2 < window_start THEN 1 "
        "WHEN count <= ?4 THEN count + 1 ELSE count END "
        "RETURNING window_start, window_end, count",
    /* Parenthesized: clang reads two literals alone as a missing comma. */
    [COUNTER_GET] = ("SELECT window_start, window_end, count FROM throttles "
                     "WHERE key = ?1 AND ?2 >= window_start AND ?2 < window_end"),
    [COUNTER_RESET] = "DELETE FROM throttles WHERE key = ?1",
    [COUNTER_PURGE] = "DELETE FROM throttles WHERE window_end <= ?1",
};

/* Keyed by the counter's name alone: no index on window_end, so that a
 * hit, the hot path, writes one b-tree; the purge scans a table that holds
 * only the keys of the last minutes. */
static const char counter_schema[] =
    "PRAGMA journal_mode=WAL;\n"
    "PRAGMA synchronous=NORMAL;\n"
    "CREATE TABLE IF NOT EXISTS throttles(key TEXT PRIMARY KEY, window_start INTEGER NOT NULL,\n"
    "    window_end INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;\n";
/* clang-format on */

static int counters_error(struct hl_sqlite_store *store, const char *operation, hl_error *error)
{
    const char *detail =
        store->counters != NULL ? sqlite3_errmsg(store->counters) : "no connection";
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("计数器操作 %s 失败：%s", "counter storage error in %s: %s"),
                        operation, detail);
}

void hl_sqlite_close_counters(struct hl_sqlite_store *store)
{
    for (int id = 0; id < COUNTER_STATEMENTS; id++) {
        sqlite3_finalize(store->counter_statements[id]);
        store->counter_statements[id] = NULL;
    }
    sqlite3_close(store->counters);
    store->counters = NULL;
}

/* Opens the counters' file beside the store's (an in-memory store gets
 * in-memory counters), creating it and its table when absent. */
static int open_counters(struct hl_sqlite_store *store, const char *operation, hl_error *error)
{
    if (store->counters != NULL)
        return HL_OK;
    _Static_assert(sizeof store->counter_statements / sizeof store->counter_statements[0] ==
                       COUNTER_STATEMENTS,
                   "one prepared statement per counter statement");
    const char *main_path = sqlite3_db_filename(store->db, "main");
    char *path = NULL;
    if (main_path != NULL && main_path[0] != '\0') {
        size_t size = strlen(main_path) + sizeof ".counters";
        path = hl_xmalloc(size);
        snprintf(path, size, "%s.counters", main_path);
    }
    int rc =
        sqlite3_open_v2(path != NULL ? path : ":memory:", &store->counters,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    free(path);
    int result = HL_OK;
    if (rc != SQLITE_OK) {
        result = counters_error(store, operation, error);
    } else {
        sqlite3_extended_result_codes(store->counters, 1);
        hl_sqlite_wait_when_busy(store->counters);
        if (sqlite3_exec(store->counters, counter_schema, NULL, NULL, NULL) != SQLITE_OK)
            result = counters_error(store, operation, error);
    }
    for (int id = 0; id < COUNTER_STATEMENTS && result == HL_OK; id++)
        if (sqlite3_prepare_v3(store->counters, counter_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &store->counter_statements[id], NULL) != SQLITE_OK)
            result = counters_error(store, operation, error);
    if (result != HL_OK)
        hl_sqlite_close_counters(store);
    return result;
}

/* The prepared statement id, bound from the left with key (when not NULL)
 * and numbers; NULL after filling error. */
static sqlite3_stmt *bound(struct hl_sqlite_store *store, int id, const char *key,
                           const int64_t *numbers, int count, const char *operation,
                           hl_error *error)
{
    if (open_counters(store, operation, error) != HL_OK)
        return NULL;
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->counter_statements[id]);
    if (key != NULL)
        hl_sqlite_bind_string(&binding, key);
    for (int index = 0; index < count; index++)
        hl_sqlite_bind_int64(&binding, numbers[index]);
    if (binding.rc != SQLITE_OK) {
        counters_error(store, operation, error);
        return NULL;
    }
    return binding.statement;
}

/* Steps a bound statement once: a row is read into out (when not NULL);
 * *found says whether there was one. */
static int step(struct hl_sqlite_store *store, sqlite3_stmt *statement, const char *operation,
                hl_throttle *out, bool *found, hl_error *error)
{
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW && out != NULL) {
        hl_sqlite_reader row = hl_sqlite_reader_of(statement);
        out->window_start = hl_sqlite_read_int64(&row);
        out->window_end = hl_sqlite_read_int64(&row);
        out->count = hl_sqlite_read_int64(&row);
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        result = counters_error(store, operation, error);
    }
    /* A statement with RETURNING makes its change at the first step; its
     * own transaction commits at the reset. */
    sqlite3_reset(statement);
    return result;
}

static int sqlite_throttle_hit(hl_store *base, const char *key, hl_time now, int window_seconds,
                               int64_t limit, hl_throttle *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    memset(out, 0, sizeof *out);
    int64_t numbers[] = {now, window_seconds, limit};
    sqlite3_stmt *statement =
        bound(store, COUNTER_HIT, key, numbers, (int)HL_COUNT_OF(numbers), "throttle_hit", error);
    if (statement == NULL)
        return HL_EIO;
    bool found = false;
    int result = step(store, statement, "throttle_hit", out, &found, error);
    if (result == HL_OK && !found) /* an UPSERT always returns its row */
        result = counters_error(store, "throttle_hit", error);
    return result;
}

static int sqlite_throttle_get(hl_store *base, const char *key, hl_time now, hl_throttle *out,
                               hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    memset(out, 0, sizeof *out);
    int64_t numbers[] = {now};
    sqlite3_stmt *statement = bound(store, COUNTER_GET, key, numbers, 1, "throttle_get", error);
    if (statement == NULL)
        return HL_EIO;
    bool found = false;
    int result = step(store, statement, "throttle_get", out, &found, error);
    if (!found) /* no window runs: zeros */
        memset(out, 0, sizeof *out);
    return result;
}

static int sqlite_throttle_reset(hl_store *base, const char *key, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    sqlite3_stmt *statement = bound(store, COUNTER_RESET, key, NULL, 0, "throttle_reset", error);
    bool found = false;
    return statement == NULL ? HL_EIO
                             : step(store, statement, "throttle_reset", NULL, &found, error);
}

static int sqlite_throttle_purge(hl_store *base, hl_time now, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    int64_t numbers[] = {now};
    sqlite3_stmt *statement =
        bound(store, COUNTER_PURGE, NULL, numbers, 1, "throttle_purge", error);
    bool found = false;
    return statement == NULL ? HL_EIO
                             : step(store, statement, "throttle_purge", NULL, &found, error);
}

void hl_sqlite_throttle_ops(hl_store_ops *ops)
{
    ops->throttle_hit = sqlite_throttle_hit;
    ops->throttle_get = sqlite_throttle_get;
    ops->throttle_reset = sqlite_throttle_reset;
    ops->throttle_purge = sqlite_throttle_purge;
}
