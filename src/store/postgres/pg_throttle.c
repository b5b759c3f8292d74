/* pg_throttle.c: counters in fixed windows, in PostgreSQL, with the same
 * meaning as sqlite_throttle.c: count an event, read a window, forget a
 * key, purge the windows that ended. What a key means and which limit
 * applies are app/throttle.c's; this file only counts.
 *
 * A hit is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING: atomic
 * however many servers count one key at once (the second waits for the
 * first's row lock, then counts on what it committed), and it locks only
 * its own key's row, so that checks of different budgets never wait for
 * each other nor for the writers of orders. app/ calls it with no
 * transaction open, so that each call is its own statement and commits at
 * once, holding the row for the statement only. The table is UNLOGGED
 * (pg_schema.c, migration 2): such a commit writes no WAL and waits
 * neither for the disk nor for a synchronous standby. */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "base/i18n.h"

/* $1 key, $2 now, $3 the window's length, $4 the limit. In DO UPDATE the
 * table's name is the stored row; every SET reads the row as it was. A
 * window ends at window_end, or when now is before its start (the clock
 * was set back). The casts give the parameters their types at once. */
static const char THROTTLE_HIT[] =
    "INSERT INTO throttles AS t(key, window_start, window_end, count) "
    "VALUES($1::text, $2::bigint, $2::bigint + $3::bigint, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "window_start = CASE WHEN $2::bigint >= t.window_end OR $2::bigint < t.window_start "
    "THEN $2::bigint ELSE t.window_start END, "
    "window_end = CASE WHEN $2::bigint >= t.window_end OR $2::bigint < t.window_start "
    "THEN $2::bigint + $3::bigint ELSE t.window_end END, "
    "count = CASE WHEN $2::bigint >= t.window_end OR $2::bigint < t.window_start THEN 1 "
    "WHEN t.count <= $4::bigint THEN t.count + 1 ELSE t.count END "
    "RETURNING window_start, window_end, count";
static const char THROTTLE_GET[] =
    "SELECT window_start, window_end, count FROM throttles "
    "WHERE key = $1::text AND $2::bigint >= window_start AND $2::bigint < window_end";
static const char THROTTLE_RESET[] = "DELETE FROM throttles WHERE key = $1::text";
/* A scan of a table that holds only the keys of the last minutes. */
static const char THROTTLE_PURGE[] = "DELETE FROM throttles WHERE window_end <= $1::bigint";

/* Runs a lookup of one window into out: zeros when no row comes back. */
static int read_window(struct hl_pg_store *store, const char *sql, hl_pg_params *params,
                       const char *operation, hl_throttle *out, bool *found, hl_error *error)
{
    memset(out, 0, sizeof *out);
    *found = false;
    PGresult *result = NULL;
    int status = hl_pg_lookup(store, sql, params, operation, &result, error);
    hl_pg_params_free(params);
    if (status == HL_ENOTFOUND)
        return HL_OK;
    if (status != HL_OK)
        return status;
    *found = true;
    out->window_start = hl_pg_int64(result, 0, 0);
    out->window_end = hl_pg_int64(result, 0, 1);
    out->count = hl_pg_int64(result, 0, 2);
    PQclear(result);
    return HL_OK;
}

static int pg_throttle_hit(hl_store *base, const char *key, hl_time now, int window_seconds,
                           int64_t limit, hl_throttle *out, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, key);
    hl_pg_param_int64(&params, now);
    hl_pg_param_int64(&params, window_seconds);
    hl_pg_param_int64(&params, limit);
    bool found = false;
    int result = read_window(hl_pg_store_of(base), THROTTLE_HIT, &params, "throttle_hit", out,
                             &found, error);
    if (result == HL_OK && !found) /* an upsert always returns its row */
        result = hl_error_set(error, HL_EIO, NULL, "%s",
                              HL_T("计数器更新没有返回记录", "throttle_hit returned no row"));
    return result;
}

static int pg_throttle_get(hl_store *base, const char *key, hl_time now, hl_throttle *out,
                           hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, key);
    hl_pg_param_int64(&params, now);
    bool found = false;
    return read_window(hl_pg_store_of(base), THROTTLE_GET, &params, "throttle_get", out, &found,
                       error);
}

static int pg_throttle_reset(hl_store *base, const char *key, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, key);
    int result =
        hl_pg_write(hl_pg_store_of(base), THROTTLE_RESET, &params, "throttle_reset", NULL, error);
    hl_pg_params_free(&params);
    return result;
}

static int pg_throttle_purge(hl_store *base, hl_time now, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, now);
    int result =
        hl_pg_write(hl_pg_store_of(base), THROTTLE_PURGE, &params, "throttle_purge", NULL, error);
    hl_pg_params_free(&params);
    return result;
}

void hl_pg_throttle_ops(hl_store_ops *ops)
{
    ops->throttle_hit = pg_throttle_hit;
    ops->throttle_get = pg_throttle_get;
    ops->throttle_reset = pg_throttle_reset;
    ops->throttle_purge = pg_throttle_purge;
}
