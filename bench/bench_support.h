/* bench_support.h: what the benchmark programs under bench/ share: clocks,
 * the work directory, child processes timed as a user sees them, numbers
 * for the printed table, the deterministic generator and the options every
 * benchmark takes. See bench_support.c for what it is and is not. */
#ifndef HOTLINE_BENCH_SUPPORT_H
#define HOTLINE_BENCH_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Big enough for every path a benchmark builds under its work directory. */
#define BENCH_PATH_BYTES 4096

#define BENCH_COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* ---- the program ---- */

/* Names the program in every message this library prints ("bench_import:
 * ..."); call it first in main. The text is kept, not copied: pass a
 * string literal. */
void bench_support_set_program(const char *name);

/* ---- time ---- */

/* Seconds on the monotonic clock, for differences only. */
double bench_monotonic_seconds(void);

/* This process's peak resident set so far, in KiB (getrusage). */
long bench_peak_rss_kib(void);

/* ---- paths and files ---- */

/* Writes "directory/name" into out; a path that does not fit ends the
 * program (exit 1): a benchmark cannot go on with a truncated path. */
void bench_join_path(char *out, size_t size, const char *directory, const char *name);

/* Creates a fresh directory "hotline-bench-<label>-XXXXXX" under $TMPDIR
 * (or /tmp) and writes its path into out. Returns 0, or -1 after saying
 * why. The caller removes it (bench_finish_directory). */
int bench_make_work_directory(const char *label, char *out, size_t size);

/* Removes the files in directory, then the directory. One level only: the
 * benchmarks write files, never subdirectories, and a directory left
 * behind is safer than a recursive delete gone wrong. */
void bench_remove_directory(const char *directory);

/* At the end of a run: prints "kept <directory>" when keep is set, else
 * removes the directory. */
void bench_finish_directory(const char *directory, bool keep);

/* Writes length bytes to path, replacing it. Returns 0, or -1 after
 * saying why. */
int bench_write_file(const char *path, const void *data, size_t length);

/* Reads up to count whitespace-separated integers a child wrote to path;
 * those it did not write are -1. Returns how many were read. */
size_t bench_read_counts(const char *path, long long *values, size_t count);

/* ---- child processes ---- */

typedef struct bench_child_run {
    double seconds;     /* wall time from spawn to reaped */
    long peak_rss_kib;  /* the child's own peak resident set */
    double cpu_seconds; /* the child's user and system CPU time */
    int status;         /* exit status; -1 when it did not start or exit normally */
} bench_child_run;

/* Runs argv (argv[0] looked up on PATH) with stdin from stdin_path (when
 * not NULL) and stdout to stdout_path (or /dev/null), waits for it, and
 * times spawn to wait, so that the peer pays its start-up and its close
 * as a user would. Returns 0 when it exited with status 0; otherwise -1,
 * after saying why on stderr unless quiet (the caller then explains from
 * run->status). */
int bench_run_child(char *const argv[], const char *stdin_path, const char *stdout_path, bool quiet,
                    bench_child_run *run);

/* ---- numbers ---- */

/* Formats value, rounded to a whole number (negative as 0), as "1,234,567":
 * figures of this size are read at a glance only with separators. */
void bench_format_grouped(double value, char *out, size_t size);

/* Sorts values in ascending order. */
void bench_sort_doubles(double *values, size_t count);

/* The value below which `share` of the sorted values fall (nearest rank);
 * 0 when there are none. */
double bench_percentile(const double *sorted, size_t count, double share);

/* The median of values; sorts them in place. */
double bench_median(double *values, size_t count);

/* ---- the result table ---- */

/* Column widths of a table "what | hotline | peer | ratio | target". */
typedef struct bench_table {
    int what_width;
    int hotline_width;
    int peer_width;
    int ratio_width;
} bench_table;

/* The header row: "what", "hotline", peer_name, "ratio", "target". */
void bench_table_header(const bench_table *table, const char *peer_name);

/* One row: what left-aligned, then hotline, peer and ratio right-aligned,
 * stopping at the first that is NULL (so that short rows carry no
 * trailing blanks); then, when note is not NULL, three blanks and note. */
void bench_table_row(const bench_table *table, const char *what, const char *hotline,
                     const char *peer, const char *ratio, const char *note);

/* A full row whose note is the target followed by "  met" or "  MISSED";
 * an empty target gets no verdict. */
void bench_table_target_row(const bench_table *table, const char *what, const char *hotline,
                            const char *peer, const char *ratio, const char *target, bool met);

/* ---- the deterministic generator ---- */

/* splitmix64: fast, and the same sequence on every machine, so that two
 * runs (or two machines) generate the same data. Initialise with a seed:
 * bench_random generator = {seed}; */
typedef struct bench_random {
    uint64_t state;
} bench_random;

uint64_t bench_random_next(bench_random *random);

/* A number from 0 to bound - 1; 0 when bound is 0. */
uint32_t bench_random_below(bench_random *random, uint32_t bound);

/* An index from 0 to count - 1, each as likely as its weight; count > 0. */
size_t bench_random_weighted(bench_random *random, const unsigned *weights, size_t count);

/* ---- options ---- */

/* The options every benchmark takes. */
typedef struct bench_common_options {
    bool keep;           /* --keep: keep the work directory */
    const char *sqlite3; /* --sqlite3 PATH: the peer's CLI; argv's text, not copied */
} bench_common_options;

void bench_common_options_init(bench_common_options *options);

/* When argv[*index] is --keep, --sqlite3 PATH, --help or -h: takes it (and
 * its value, advancing *index) and returns true. --help and -h print
 * usage to stdout and exit 0. */
bool bench_take_common_option(int argc, char **argv, int *index, bench_common_options *options,
                              void (*usage)(FILE *out));

/* When argv[*index] is name and a value follows it: advances *index to the
 * value and returns it (argv's text); otherwise NULL. */
const char *bench_option_value(int argc, char **argv, int *index, const char *name);

/* Parses text as a whole number from minimum to maximum into *value.
 * Returns 0, or -1 after saying "<name> wants a number from ... to ...". */
int bench_parse_count(const char *text, const char *name, long minimum, long maximum, long *value);

/* ---- verify ---- */

/* An hl_verify_difference_visitor: counts differences in the long that
 * context points to and prints the first ten to stderr. */
void bench_report_verify_difference(void *context, const char *line);

#endif
