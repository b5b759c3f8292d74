/* pg_rollups.c: the monthly counters (rollups) in PostgreSQL: add to a
 * counter, and read them all, by month, or one counter month by month. The
 * counters' meaning is domain/rollup.c's.
 *
 * Every action of a month adds to its units' rows and the centre's, the
 * hottest rows of the store. Two things keep writers from queueing there.
 * A counter is kept in shards (pg_schema.c): a connection adds to its own
 * shard's row (store->shard, as the per-state counts do) and a read sums
 * them. And a transaction's additions wait in memory, summed per key, to
 * be written at its commit (hl_pg_flush_pending) in one statement, in key
 * order: each row lock is then held only from that statement to COMMIT,
 * and two connections that share a shard take its rows in the same order,
 * so they never deadlock. A read of the rollups on the same connection
 * writes the additions first, so that a transaction sees its own, as in
 * SQLite. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"
#include "base/text.h"

/* The additions of the open transaction, in the order they came. */
struct hl_pg_rollup_batch {
    hl_rollup_delta *deltas;
    size_t count, room;
};

static int compare_keys(const void *left, const void *right)
{
    const hl_rollup_delta *a = left, *b = right;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    int order = strncmp(a->unit, b->unit, sizeof a->unit);
    if (order != 0)
        return order;
    return a->counter < b->counter ? -1 : a->counter > b->counter ? 1 : 0;
}

void hl_pg_drop_pending(struct hl_pg_store *store)
{
    if (store->rollups == NULL)
        return;
    free(store->rollups->deltas);
    free(store->rollups);
    store->rollups = NULL;
}

/* Sorts the batch by key and sums equal keys (one statement may not
 * change a row twice); returns the rows left. A sum of 0 is still written:
 * SQLite, which adds each delta as it comes, leaves such a row too. */
static size_t fold_batch(struct hl_pg_rollup_batch *batch)
{
    qsort(batch->deltas, batch->count, sizeof *batch->deltas, compare_keys);
    size_t kept = 0;
    for (size_t index = 0; index < batch->count; index++) {
        if (kept > 0 && compare_keys(&batch->deltas[kept - 1], &batch->deltas[index]) == 0)
            batch->deltas[kept - 1].amount += batch->deltas[index].amount;
        else
            batch->deltas[kept++] = batch->deltas[index];
    }
    return kept;
}

/* Array parameters in PostgreSQL's text form ({"a","b"}): each text
 * element quoted, so that any text (a comma, a brace, a quote) stays one
 * element. */
static void array_next(hl_buf *array)
{
    hl_buf_append_char(array, array->len > 0 ? ',' : '{');
}

static void array_text(hl_buf *array, const char *text, size_t capacity)
{
    array_next(array);
    hl_buf_append_char(array, '"');
    for (size_t index = 0; index < capacity && text[index] != '\0'; index++) {
        if (text[index] == '"' || text[index] == '\\')
            hl_buf_append_char(array, '\\');
        hl_buf_append_char(array, text[index]);
    }
    hl_buf_append_char(array, '"');
}

static void array_int64(hl_buf *array, int64_t value)
{
    array_next(array);
    hl_buf_append_int(array, (long long)value);
}

static const char *array_end(hl_buf *array)
{
    hl_buf_append_str(array, array->len > 0 ? "}" : "{}");
    return array->data;
}

/* Adds rows [0, count) of deltas (sorted by key, unique) in one statement. */
static int write_rollups(struct hl_pg_store *store, const hl_rollup_delta *deltas, size_t count,
                         hl_error *error)
{
    hl_buf months, units, counters, amounts;
    hl_buf_init(&months);
    hl_buf_init(&units);
    hl_buf_init(&counters);
    hl_buf_init(&amounts);
    for (size_t index = 0; index < count; index++) {
        const hl_rollup_delta *delta = &deltas[index];
        const char *counter = hl_pg_counter_name((int)delta->counter);
        array_int64(&months, delta->month);
        array_text(&units, delta->unit, sizeof delta->unit);
        array_text(&counters, counter, strlen(counter));
        array_int64(&amounts, delta->amount);
    }
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, array_end(&months));
    hl_pg_param_text(&params, array_end(&units));
    hl_pg_param_text(&params, array_end(&counters));
    hl_pg_param_text(&params, array_end(&amounts));
    hl_pg_param_int64(&params, store->shard);
    int result =
        hl_pg_write(store,
                    "INSERT INTO rollups(month, unit, counter, shard, value) "
                    "SELECT change.month, change.unit, change.counter, $5::integer, change.value "
                    "FROM unnest($1::integer[], $2::text[], $3::text[], $4::bigint[]) "
                    "AS change(month, unit, counter, value) "
                    "ON CONFLICT (month, unit, counter, shard) DO UPDATE "
                    "SET value = rollups.value + excluded.value",
                    &params, "rollup_add", NULL, error);
    hl_pg_params_free(&params);
    hl_buf_free(&months);
    hl_buf_free(&units);
    hl_buf_free(&counters);
    hl_buf_free(&amounts);
    return result;
}

int hl_pg_flush_pending(struct hl_pg_store *store, hl_error *error)
{
    struct hl_pg_rollup_batch *batch = store->rollups;
    if (batch == NULL || batch->count == 0)
        return HL_OK;
    size_t count = fold_batch(batch);
    int result = count > 0 ? write_rollups(store, batch->deltas, count, error) : HL_OK;
    /* Written or not, the batch is done: on failure the caller rolls back. */
    batch->count = 0;
    return result;
}

static int pg_rollup_add(hl_store *base, const hl_rollup_delta *delta, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    if (hl_pg_encode_enum((int)delta->counter, hl_pg_counter_name, HL_COUNTER_COUNT) == NULL)
        return hl_pg_bad_enum("counter", (int)delta->counter, error);
    if (!store->in_transaction)
        return write_rollups(store, delta, 1, error);
    if (store->rollups == NULL)
        store->rollups = hl_xcalloc(1, sizeof *store->rollups);
    struct hl_pg_rollup_batch *batch = store->rollups;
    HL_ARRAY_GROW(batch->deltas, batch->count, batch->room);
    batch->deltas[batch->count] = *delta;
    /* The unit is a fixed-size field: keep it terminated in the copy. */
    batch->deltas[batch->count].unit[sizeof delta->unit - 1] = '\0';
    batch->count++;
    return HL_OK;
}

static int read_rollup(const PGresult *result, int row, hl_rollup_delta *delta, hl_error *error)
{
    hl_pg_row reader = hl_pg_row_of(result, row);
    delta->month = hl_pg_row_int(&reader);
    HL_PG_ROW_FIELD(&reader, delta->unit);
    delta->counter = (hl_counter)hl_pg_row_enum(&reader, hl_pg_counter_name, HL_COUNTER_COUNT);
    delta->amount = hl_pg_row_int64(&reader);
    return hl_pg_row_status(&reader, error);
}

typedef struct rollup_visit {
    hl_rollup_visitor visit;
    void *context;
} rollup_visit;

static int visit_rollup_row(PGresult *result, int row, void *context, hl_error *error)
{
    rollup_visit *visitor = context;
    hl_rollup_delta delta;
    int status = read_rollup(result, row, &delta, error);
    return status != HL_OK ? status : visitor->visit(visitor->context, &delta);
}

/* Each counter once, the sum of its shards; units in the order of their
 * bytes (the columns are COLLATE "C"), as SQLite orders text. */
static int pg_rollup_each(hl_store *base, hl_rollup_visitor visit, void *context, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    int result = hl_pg_flush_pending(store, error);
    if (result != HL_OK)
        return result;
    rollup_visit visitor = {visit, context};
    return hl_pg_visit(store,
                       "SELECT month, unit, counter, sum(value)::bigint FROM rollups "
                       "GROUP BY month, unit, counter ORDER BY month, unit, counter",
                       false, NULL, "rollup_each", visit_rollup_row, &visitor, error);
}

/* The bulletin reads one month: a range of the primary key, summed. */
static int pg_rollup_month(hl_store *base, int month, hl_rollup_visitor visit, void *context,
                           hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    int result = hl_pg_flush_pending(store, error);
    if (result != HL_OK)
        return result;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, month);
    rollup_visit visitor = {visit, context};
    result = hl_pg_visit(store,
                         "SELECT month, unit, counter, sum(value)::bigint FROM rollups "
                         "WHERE month = $1 GROUP BY month, unit, counter ORDER BY unit, counter",
                         false, &params, "rollup_month", visit_rollup_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

typedef struct month_total_visit {
    hl_month_total_visitor visit;
    void *context;
} month_total_visit;

static int visit_month_total_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    month_total_visit *visitor = context;
    return visitor->visit(visitor->context, hl_pg_int(result, row, 0), hl_pg_int64(result, row, 1));
}

/* Sums one counter over the units (the centre's "" row left out), month by
 * month: the whole rollups table is small (months x units x counters). */
static int pg_rollup_months(hl_store *base, hl_counter counter, hl_month_total_visitor visit,
                            void *context, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    const char *name = hl_pg_encode_enum((int)counter, hl_pg_counter_name, HL_COUNTER_COUNT);
    if (name == NULL)
        return hl_pg_bad_enum("counter", (int)counter, error);
    int result = hl_pg_flush_pending(store, error);
    if (result != HL_OK)
        return result;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, name);
    month_total_visit visitor = {visit, context};
    result = hl_pg_visit(store,
                         "SELECT month, sum(value)::bigint FROM rollups "
                         "WHERE counter = $1 AND unit <> '' GROUP BY month ORDER BY month",
                         false, &params, "rollup_months", visit_month_total_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

void hl_pg_rollups_ops(hl_store_ops *ops)
{
    ops->rollup_add = pg_rollup_add;
    ops->rollup_each = pg_rollup_each;
    ops->rollup_month = pg_rollup_month;
    ops->rollup_months = pg_rollup_months;
}
