/* sqlite.h: the SQLite backend's public entry points. Callers open a store
 * with hl_store_open (store/store.h), which comes here for a path; only
 * tests and benchmarks name this backend, to look at its query plans. */
#ifndef HL_SQLITE_H
#define HL_SQLITE_H

#include "base/text.h"
#include "store/store.h"

/* Opens (creating when absent) an SQLite store at path and brings its schema
 * to the current version. The caller owns *out and closes it with
 * hl_store_close. */
int hl_sqlite_open(const char *path, hl_store **out, hl_error *error);

/* For tests and benchmarks of an SQLite store: goes through order_query,
 * order_count and order_count_by_state with filter as they run, but
 * appends each statement and the lines of its EXPLAIN QUERY PLAN to out
 * instead of running it (a deadline-sorted list shows both of its parts).
 * HL_EINVAL for a store of another backend. */
int hl_sqlite_explain(hl_store *store, const hl_order_filter *filter, hl_buf *out, hl_error *error);

#endif
