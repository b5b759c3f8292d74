/* bench_bulletin_pg.h: bench_bulletin's peer on a PostgreSQL store, psql.
 * See bench_bulletin_pg.c for what it is and is not. */
#ifndef HOTLINE_BENCH_BULLETIN_PG_H
#define HOTLINE_BENCH_BULLETIN_PG_H

#include <stdbool.h>

#include "domain/assessment.h"

/* Whether store is a PostgreSQL address, as store_open.c tells them apart. */
bool bulletin_pg_is_address(const char *store);

/* Says whether the figures a peer wrote to output_path ("unit|base|
 * succeeded|satisfied" lines) are hotline's; peer names it in messages. */
typedef bool (*bulletin_pg_check)(const char *peer, const char *output_path, void *context);

typedef struct bulletin_pg_figures {
    double start_ms;   /* `select 1`: psql's start and connection, median */
    double rollups_ms; /* median */
    double events_ms;  /* once */
    bool rollups_agree, events_agree;
} bulletin_pg_figures;

/* The database's size in bytes (pg_database_size, through psql), or -1. */
long long bulletin_pg_database_bytes(const char *psql, const char *address, const char *directory);

/* psql summing the month's rollup rows with rollup_sql (the same SQL the
 * sqlite3 CLI runs), taking turns with `select 1`, runs times; then, when
 * whole_log is set, recomputing the figures from the whole event log once.
 * Each result is checked with check. Returns 0, or -1 when psql failed. */
int bulletin_pg_run_peer(const char *psql, const char *address, const char *directory,
                         const char *rollup_sql, int runs, int month,
                         const hl_assessment_policy *policy, bool whole_log,
                         bulletin_pg_check check, void *check_context,
                         bulletin_pg_figures *figures);

#endif
