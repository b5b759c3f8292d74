/* bench_copy.c: how fast `hotline copy` moves a big store SQLite to SQLite,
 * beside the sqlite3 CLI copying the same file in the same run: `VACUUM
 * INTO` (rewrites every table and index, as the copy does) and `.backup`
 * (copies the pages as they are: the floor of any copy).
 *
 * It reads an existing store (--store PATH, such as the one
 * `bench_bulletin --orders 1000000 --keep` leaves) and, --runs times
 * (default 1), copies it with hl_copy (the command's own function: one read
 * snapshot, one bulk transaction, the digest check after), then with each
 * peer, taking turns, each into a fresh file of a work directory removed
 * at the end (--keep keeps it, with hotline's last copy as copy.db). It prints each one's median,
 * rows per second and the ratio to each peer. It is a benchmark, not a test: it never fails on
 * speed, and it changes nothing in the store. It does not measure PostgreSQL. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "app/copy.h"
#include "bench_support.h"

typedef struct options {
    const char *store;
    long runs;
    bench_common_options common;
} options;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_copy --store PATH [--runs N] [--sqlite3 PATH] [--keep]\n"
                 "  --store PATH    the store to copy (e.g. the one bench_bulletin --keep leaves)\n"
                 "  --runs N        copies by each (default 1), taking turns\n"
                 "  --sqlite3 PATH  the peer's CLI (default: sqlite3 on PATH)\n"
                 "  --keep          keep the work directory and its copies\n");
}

static int parse_options(int argc, char **argv, options *parsed)
{
    parsed->store = NULL;
    parsed->runs = 1;
    bench_common_options_init(&parsed->common);
    for (int index = 1; index < argc; index++) {
        const char *value = NULL;
        if ((value = bench_option_value(argc, argv, &index, "--store")) != NULL) {
            parsed->store = value;
        } else if ((value = bench_option_value(argc, argv, &index, "--runs")) != NULL) {
            if (bench_parse_count(value, "--runs", 1, 100, &parsed->runs) != 0)
                return -1;
        } else if (!bench_take_common_option(argc, argv, &index, &parsed->common, usage)) {
            usage(stderr);
            return -1;
        }
    }
    if (parsed->store == NULL) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* Removes a store file and its WAL companions. */
static void remove_store(const char *path)
{
    char companion[BENCH_PATH_BYTES + 8];
    unlink(path);
    snprintf(companion, sizeof companion, "%s-wal", path);
    unlink(companion);
    snprintf(companion, sizeof companion, "%s-shm", path);
    unlink(companion);
}

/* This process's user and system CPU time so far. */
static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static int run_hotline(const char *store, const char *target, double *seconds, double *cpu,
                       hl_copy_digest *digest)
{
    hl_error error;
    hl_error_clear(&error);
    double started = bench_monotonic_seconds(), cpu_started = cpu_seconds();
    int result = hl_copy(store, target, digest, &error);
    *seconds = bench_monotonic_seconds() - started;
    *cpu = cpu_seconds() - cpu_started;
    if (result != HL_OK)
        fprintf(stderr, "bench_copy: hotline copy failed: %s\n", error.message);
    return result == HL_OK ? 0 : -1;
}

/* The sqlite3 CLI on the store with one command: command (VACUUM INTO or
 * .backup) followed by target in single quotes. */
static int run_peer(const char *sqlite3, const char *store, const char *command, const char *target,
                    double *seconds, double *cpu)
{
    char text[BENCH_PATH_BYTES + 64];
    snprintf(text, sizeof text, "%s '%s'", command, target);
    char *argv[] = {(char *)sqlite3, (char *)store, text, NULL};
    bench_child_run run;
    int result = bench_run_child(argv, NULL, NULL, false, &run);
    *seconds = run.seconds;
    *cpu = run.cpu_seconds;
    return result;
}

int main(int argc, char **argv)
{
    bench_support_set_program("bench_copy");
    options parsed;
    if (parse_options(argc, argv, &parsed) != 0)
        return 2;
    if (access(parsed.store, R_OK) != 0) {
        fprintf(stderr, "bench_copy: cannot read %s\n", parsed.store);
        return 1;
    }
    char directory[BENCH_PATH_BYTES];
    if (bench_make_work_directory("copy", directory, sizeof directory) != 0)
        return 1;
    char target[BENCH_PATH_BYTES];
    bench_join_path(target, sizeof target, directory, "copy.db");
    const char *sqlite3 = parsed.common.sqlite3 != NULL ? parsed.common.sqlite3 : "sqlite3";

    /* hotline last: with --keep its copy stays, for a verify afterwards. */
    enum { VACUUM = 0, BACKUP, HOTLINE, KINDS };
    static const char *const names[KINDS] = {"sqlite3 VACUUM INTO", "sqlite3 .backup",
                                             "hotline copy"};
    double *times[KINDS], *cpus[KINDS];
    for (int kind = 0; kind < KINDS; kind++) {
        times[kind] = calloc((size_t)parsed.runs, sizeof(double));
        cpus[kind] = calloc((size_t)parsed.runs, sizeof(double));
    }
    hl_copy_digest digest;
    memset(&digest, 0, sizeof digest);
    int status = 0;
    for (long run = 0; run < parsed.runs && status == 0; run++) {
        for (int kind = 0; kind < KINDS && status == 0; kind++) {
            remove_store(target);
            double seconds = 0, cpu = 0;
            if (kind == HOTLINE)
                status = run_hotline(parsed.store, target, &seconds, &cpu, &digest);
            else if (kind == VACUUM)
                status = run_peer(sqlite3, parsed.store, "VACUUM INTO", target, &seconds, &cpu);
            else
                status = run_peer(sqlite3, parsed.store, ".backup", target, &seconds, &cpu);
            times[kind][run] = seconds;
            cpus[kind][run] = cpu;
            printf("run %ld: %-20s %8.1f s, CPU %8.1f s\n", run + 1, names[kind], seconds, cpu);
            fflush(stdout);
        }
    }
    if (status == 0) {
        int64_t rows = 0;
        for (int table = 0; table < HL_COPY_TABLE_COUNT; table++)
            rows += digest.tables[table].rows;
        char orders[32], events[32], all[32];
        bench_format_grouped((double)digest.tables[HL_COPY_ORDERS].rows, orders, sizeof orders);
        bench_format_grouped((double)digest.tables[HL_COPY_EVENTS].rows, events, sizeof events);
        bench_format_grouped((double)rows, all, sizeof all);
        printf("\n%s orders, %s events, %s rows in all; medians of %ld run(s)\n", orders, events,
               all, parsed.runs);
        double medians[KINDS], cpu_medians[KINDS];
        for (int kind = 0; kind < KINDS; kind++) {
            medians[kind] = bench_median(times[kind], (size_t)parsed.runs);
            cpu_medians[kind] = bench_median(cpus[kind], (size_t)parsed.runs);
        }
        bench_table table = {32, 10, 12, 8};
        bench_table_header(&table, "sqlite3 CLI");
        for (int kind = VACUUM; kind < HOTLINE; kind++) {
            char what[64], mine[32], peer[32], ratio[32];
            snprintf(what, sizeof what, "seconds, beside %s", names[kind] + 8);
            snprintf(mine, sizeof mine, "%.1f", medians[HOTLINE]);
            snprintf(peer, sizeof peer, "%.1f", medians[kind]);
            snprintf(ratio, sizeof ratio, "%.2f", medians[HOTLINE] / medians[kind]);
            bench_table_row(&table, what, mine, peer, ratio, NULL);
            snprintf(what, sizeof what, "CPU seconds, beside %s", names[kind] + 8);
            snprintf(mine, sizeof mine, "%.1f", cpu_medians[HOTLINE]);
            snprintf(peer, sizeof peer, "%.1f", cpu_medians[kind]);
            snprintf(ratio, sizeof ratio, "%.2f", cpu_medians[HOTLINE] / cpu_medians[kind]);
            bench_table_row(&table, what, mine, peer, ratio, NULL);
        }
        char rate[32];
        bench_format_grouped((double)rows / medians[HOTLINE], rate, sizeof rate);
        printf("hotline copy: %s rows/s, digests checked after the commit\n", rate);
    }
    for (int kind = 0; kind < KINDS; kind++) {
        free(times[kind]);
        free(cpus[kind]);
    }
    if (!parsed.common.keep)
        remove_store(target);
    bench_finish_directory(directory, parsed.common.keep);
    return status == 0 ? 0 : 1;
}
