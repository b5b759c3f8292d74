/* bench_bulletin_pg.c: bench_bulletin's peer when the store is a PostgreSQL
 * database: psql, the client PostgreSQL ships, summing the month's rollup
 * rows as the bulletin reads them, and recomputing the same figures from
 * the whole event log, each in a process of its own as a user would run
 * it. It also reads the database's size for the printed figures.
 *
 * It does not build the store, time hotline, or compare figures itself:
 * bench_bulletin.c does, and passes its check in. It does not touch the
 * server's caches: the server is not this program's to restart. */
#include "bench_bulletin_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text.h"
#include "bench_support.h"
#include "domain/workflow.h"

/* Runs psql on the database with one SQL text, unaligned and without
 * headers, fields split by '|' as the sqlite3 CLI prints them; ~/.psqlrc is
 * not read, so that the peer runs the same everywhere. */
static int run_psql(const char *psql, const char *address, const char *sql, const char *stdout_path,
                    bench_child_run *run)
{
    char *argv[] = {
        (char *)psql,    "-X", "-q",        "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1",
        (char *)address, "-c", (char *)sql, NULL};
    return bench_run_child(argv, NULL, stdout_path, false, run);
}

bool bulletin_pg_is_address(const char *store)
{
    return strncmp(store, "postgresql://", 13) == 0 || strncmp(store, "postgres://", 11) == 0;
}

long long bulletin_pg_database_bytes(const char *psql, const char *address, const char *directory)
{
    char path[BENCH_PATH_BYTES];
    bench_join_path(path, sizeof path, directory, "database-size.txt");
    bench_child_run run;
    long long bytes = -1;
    if (run_psql(psql, address, "SELECT pg_database_size(current_database())", path, &run) == 0)
        bench_read_counts(path, &bytes, 1);
    return bytes;
}

/* From scratch: what rollup.c counts for the month, recomputed from the
 * whole log, as the sqlite3 CLI's query does; PostgreSQL wants the
 * subquery named. */
static void events_sql(hl_buf *sql, int month, const hl_assessment_policy *policy)
{
    char ratings[16];
    if (policy->basic_counts_satisfied)
        snprintf(ratings, sizeof ratings, "%d,%d,%d", HL_RATING_VERY_SATISFIED, HL_RATING_SATISFIED,
                 HL_RATING_BASIC);
    else
        snprintf(ratings, sizeof ratings, "%d,%d", HL_RATING_VERY_SATISFIED, HL_RATING_SATISFIED);
    unsigned concluded = HL_EVENT_SURVEY_CONCLUDED,
             reached = HL_EVENT_SURVEY_CONCLUDED | HL_EVENT_SURVEY_REACHED;
    const char *survey = hl_workflow_rule_of(HL_ACTION_SURVEY)->name;
    hl_buf_appendf(
        sql,
        "SELECT unit, coalesce(sum(sign) FILTER (WHERE (flags & %u) = %u), 0),"
        " coalesce(sum(sign) FILTER (WHERE (flags & %u) = %u), 0),"
        " coalesce(sum(sign) FILTER (WHERE (flags & %u) = %u AND rating IN (%s)), 0)"
        " FROM (SELECT unit, flags, rating, CASE action WHEN '%s' THEN 1 ELSE -1 END AS sign"
        " FROM events WHERE action IN ('%s', '%s') AND period = %d AND (flags & %u) = 0)"
        " AS month_events WHERE unit <> '' GROUP BY unit ORDER BY unit;",
        concluded, concluded, reached, reached, reached, reached, ratings, survey, survey,
        hl_workflow_rule_of(HL_ACTION_APPEAL_UPHOLD)->name, month, (unsigned)HL_EVENT_EXCLUDED);
}

int bulletin_pg_run_peer(const char *psql, const char *address, const char *directory,
                         const char *rollup_sql, int runs, int month,
                         const hl_assessment_policy *policy, bool whole_log,
                         bulletin_pg_check check, void *check_context, bulletin_pg_figures *figures)
{
    char output_path[BENCH_PATH_BYTES];
    bench_join_path(output_path, sizeof output_path, directory, "psql-output.txt");
    double *start_runs = hl_xcalloc((size_t)runs, sizeof *start_runs);
    double *rollup_runs = hl_xcalloc((size_t)runs, sizeof *rollup_runs);
    bench_child_run run;
    int failed = 0;
    /* As with the sqlite3 CLI: the query and the empty statement take
     * turns, timed runs print to /dev/null, and one more run, untimed,
     * writes the figures for the check. The rollups hold one row per
     * counter and shard (pg_schema.c); the query's sum per unit adds the
     * shards up as the backend's own read does. */
    for (int index = 0; failed == 0 && index < runs; index++) {
        failed = run_psql(psql, address, "SELECT 1;", NULL, &run);
        start_runs[index] = run.seconds * 1e3;
        if (failed == 0)
            failed = run_psql(psql, address, rollup_sql, NULL, &run);
        rollup_runs[index] = run.seconds * 1e3;
    }
    if (failed == 0)
        failed = run_psql(psql, address, rollup_sql, output_path, &run);
    if (failed == 0) {
        figures->start_ms = bench_median(start_runs, (size_t)runs);
        figures->rollups_ms = bench_median(rollup_runs, (size_t)runs);
        figures->rollups_agree = check("psql rollups", output_path, check_context);
        printf("  psql, rollups: %.2f ms, `select 1`: %.2f ms (medians of %d, taking turns); "
               "figures %s\n",
               figures->rollups_ms, figures->start_ms, runs,
               figures->rollups_agree ? "agree" : "DIFFER");
        fflush(stdout);
    }
    free(start_runs);
    free(rollup_runs);
    if (failed == 0 && whole_log) {
        hl_buf sql;
        hl_buf_init(&sql);
        events_sql(&sql, month, policy);
        failed = run_psql(psql, address, sql.data, output_path, &run);
        hl_buf_free(&sql);
        figures->events_ms = run.seconds * 1e3;
        if (failed == 0) {
            figures->events_agree = check("psql events", output_path, check_context);
            printf("  psql, from the event log: %.1f s, figures %s\n", figures->events_ms / 1e3,
                   figures->events_agree ? "agree" : "DIFFER");
            fflush(stdout);
        }
    }
    return failed;
}
