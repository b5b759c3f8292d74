/* sqlite_rollups.c: the monthly counters (rollups) in SQLite: add to a
 * counter, and read them all, by month, or one counter month by month. The
 * counters' meaning is domain/rollup.c's. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

static int sqlite_rollup_add(hl_store *base, const hl_rollup_delta *delta, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    const char *counter =
        hl_sqlite_encode_enum((int)delta->counter, hl_sqlite_counter_name, HL_COUNTER_COUNT);
    if (counter == NULL)
        return hl_sqlite_bad_enum("counter", (int)delta->counter, error);
    hl_sqlite_binder binding = hl_sqlite_binder_of(store->statements[STMT_ROLLUP_ADD]);
    hl_sqlite_bind_int64(&binding, delta->month);
    BIND_FIELD(&binding, delta->unit);
    hl_sqlite_bind_string(&binding, counter);
    hl_sqlite_bind_int64(&binding, delta->amount);
    return hl_sqlite_write(store, &binding, "rollup_add", error);
}

static int read_rollup(sqlite3_stmt *statement, void *context, hl_error *error)
{
    hl_rollup_delta *delta = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    delta->month = hl_sqlite_read_int(&row);
    READ_FIELD(&row, delta->unit);
    delta->counter =
        (hl_counter)hl_sqlite_read_enum(&row, hl_sqlite_counter_name, HL_COUNTER_COUNT);
    delta->amount = hl_sqlite_read_int64(&row);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    return HL_OK;
}

HL_SQLITE_ROW_VISITOR(rollup, hl_rollup_delta, read_rollup)

static int sqlite_rollup_each(hl_store *base, hl_rollup_visitor visit, void *context,
                              hl_error *error)
{
    hl_rollup_delta record;
    rollup_visit visitor = {visit, context, &record};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_ROLLUP_EACH, "rollup_each",
                               visit_rollup_row, &visitor, error);
}

static int sqlite_rollup_month(hl_store *base, int month, hl_rollup_visitor visit, void *context,
                               hl_error *error)
{
    hl_sqlite_parameter key = {.number = month};
    hl_rollup_delta record;
    rollup_visit visitor = {visit, context, &record};
    return hl_sqlite_visit(hl_sqlite_store_of(base), STMT_ROLLUP_MONTH, &key, 1, "rollup_month",
                           visit_rollup_row, &visitor, error);
}

typedef struct month_total_visit {
    hl_month_total_visitor visit;
    void *context;
} month_total_visit;

static int visit_month_total_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    month_total_visit *visitor = context;
    return visitor->visit(visitor->context, sqlite3_column_int(statement, 0),
                          sqlite3_column_int64(statement, 1));
}

/* Sums one counter over the units, month by month: the whole rollups
 * table is small (months x units x counters), read in key order. */
static int sqlite_rollup_months(hl_store *base, hl_counter counter, hl_month_total_visitor visit,
                                void *context, hl_error *error)
{
    const char *name =
        hl_sqlite_encode_enum((int)counter, hl_sqlite_counter_name, HL_COUNTER_COUNT);
    if (name == NULL)
        return hl_sqlite_bad_enum("counter", (int)counter, error);
    const char *sql = "SELECT month, sum(value) FROM rollups WHERE counter = ? AND unit <> '' "
                      "GROUP BY month ORDER BY month";
    hl_sqlite_parameter key = {.text = name};
    month_total_visit visitor = {visit, context};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base), sql, &key, 1, "rollup_months",
                               visit_month_total_row, &visitor, error);
}

void hl_sqlite_rollups_ops(hl_store_ops *ops)
{
    ops->rollup_add = sqlite_rollup_add;
    ops->rollup_each = sqlite_rollup_each;
    ops->rollup_month = sqlite_rollup_month;
    ops->rollup_months = sqlite_rollup_months;
}
