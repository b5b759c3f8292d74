/* bench_support.c: the helpers the benchmark programs (bench_import,
 * bench_actions, bench_bulletin) share, so that each program holds only
 * what it measures. It reads the monotonic clock and the process's peak
 * RSS; creates the work directory under $TMPDIR and removes it (one level:
 * the benchmarks write only files); runs a peer (the sqlite3 CLI, node) as
 * a child process and times it from spawn to wait; formats figures with
 * thousands separators, takes percentiles and medians, and prints the
 * aligned "hotline beside peer, ratio, target" table; draws deterministic
 * numbers (splitmix64); and parses the options every benchmark takes
 * (--keep, --sqlite3, --help) and whole-number option values.
 *
 * It does not measure anything itself, decide what a target is, or know
 * hotline's API: the programs do that. It is for benchmarks only: errors
 * are printed to stderr under the program's name (bench_support_set_program)
 * and a path too long ends the process, which library code must never do.
 * It keeps one piece of state, that name; it is not thread-safe. */
#include "bench_support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *program_name = "bench";

void bench_support_set_program(const char *name)
{
    program_name = name;
}

/* ---- time ---- */

double bench_monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

long bench_peak_rss_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/* ---- paths and files ---- */

void bench_join_path(char *out, size_t size, const char *directory, const char *name)
{
    if ((size_t)snprintf(out, size, "%s/%s", directory, name) >= size) {
        fprintf(stderr, "%s: path too long: %s/%s\n", program_name, directory, name);
        exit(1);
    }
}

int bench_make_work_directory(const char *label, char *out, size_t size)
{
    const char *temporary = getenv("TMPDIR");
    const char *base = temporary != NULL && temporary[0] != '\0' ? temporary : "/tmp";
    int written = snprintf(out, size, "%s/hotline-bench-%s-XXXXXX", base, label);
    if (written < 0 || (size_t)written >= size) {
        errno = ENAMETOOLONG;
    } else if (mkdtemp(out) != NULL) {
        return 0;
    }
    fprintf(stderr, "%s: cannot create a directory in %s: %s\n", program_name, base,
            strerror(errno));
    return -1;
}

void bench_remove_directory(const char *directory)
{
    DIR *listing = opendir(directory);
    if (listing == NULL)
        return;
    struct dirent *entry;
    char path[BENCH_PATH_BYTES];
    while ((entry = readdir(listing)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        bench_join_path(path, sizeof path, directory, entry->d_name);
        unlink(path);
    }
    closedir(listing);
    rmdir(directory);
}

void bench_finish_directory(const char *directory, bool keep)
{
    if (keep)
        printf("kept %s\n", directory);
    else
        bench_remove_directory(directory);
}

int bench_write_file(const char *path, const void *data, size_t length)
{
    FILE *out = fopen(path, "w");
    if (out == NULL || fwrite(data, 1, length, out) != length) {
        fprintf(stderr, "%s: cannot write %s: %s\n", program_name, path, strerror(errno));
        if (out != NULL)
            fclose(out);
        return -1;
    }
    return fclose(out) == 0 ? 0 : -1;
}

size_t bench_read_counts(const char *path, long long *values, size_t count)
{
    FILE *in = fopen(path, "r");
    size_t read = 0;
    for (size_t index = 0; index < count; index++) {
        if (in != NULL && fscanf(in, "%lld", &values[index]) == 1)
            read++;
        else
            values[index] = -1;
    }
    if (in != NULL)
        fclose(in);
    return read;
}

/* ---- child processes ---- */

int bench_run_child(char *const argv[], const char *stdin_path, const char *stdout_path, bool quiet,
                    bench_child_run *run)
{
    run->status = -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdin_path != NULL)
        posix_spawn_file_actions_addopen(&actions, 0, stdin_path, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path != NULL ? stdout_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    double started = bench_monotonic_seconds();
    pid_t child;
    int spawned = posix_spawnp(&child, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        if (!quiet)
            fprintf(stderr, "%s: cannot run %s: %s\n", program_name, argv[0], strerror(spawned));
        return -1;
    }
    int status = 0;
    struct rusage usage;
    /* wait4 rather than waitpid: it also gives the child's own peak RSS. */
    if (wait4(child, &status, 0, &usage) < 0) {
        fprintf(stderr, "%s: waiting for %s: %s\n", program_name, argv[0], strerror(errno));
        return -1;
    }
    run->seconds = bench_monotonic_seconds() - started;
    run->peak_rss_kib = usage.ru_maxrss;
    run->cpu_seconds = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                       (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    run->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (run->status != 0) {
        if (!quiet)
            fprintf(stderr, "%s: %s failed (status %d)\n", program_name, argv[0], run->status);
        return -1;
    }
    return 0;
}

/* ---- numbers ---- */

void bench_format_grouped(double value, char *out, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", value < 0 ? 0 : value);
    size_t length = strlen(digits), written = 0;
    for (size_t index = 0; index < length && written + 2 < size; index++) {
        if (index > 0 && (length - index) % 3 == 0)
            out[written++] = ',';
        out[written++] = digits[index];
    }
    out[written] = '\0';
}

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;
    return (a > b) - (a < b);
}

void bench_sort_doubles(double *values, size_t count)
{
    qsort(values, count, sizeof *values, compare_doubles);
}

double bench_percentile(const double *sorted, size_t count, double share)
{
    if (count == 0)
        return 0;
    size_t rank = (size_t)(share * (double)count + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    return sorted[rank - 1];
}

double bench_median(double *values, size_t count)
{
    bench_sort_doubles(values, count);
    return count % 2 == 1 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

/* ---- the result table ---- */

void bench_table_header(const bench_table *table, const char *peer_name)
{
    bench_table_row(table, "what", "hotline", peer_name, "ratio", "target");
}

void bench_table_row(const bench_table *table, const char *what, const char *hotline,
                     const char *peer, const char *ratio, const char *note)
{
    printf("%-*s", table->what_width, what);
    const char *const cells[] = {hotline, peer, ratio};
    const int widths[] = {table->hotline_width, table->peer_width, table->ratio_width};
    for (size_t index = 0; index < BENCH_COUNT_OF(cells) && cells[index] != NULL; index++)
        printf(" %*s", widths[index], cells[index]);
    if (note != NULL)
        printf("   %s", note);
    printf("\n");
}

void bench_table_target_row(const bench_table *table, const char *what, const char *hotline,
                            const char *peer, const char *ratio, const char *target, bool met)
{
    char note[128];
    snprintf(note, sizeof note, "%s%s", target,
             target[0] == '\0' ? "" : (met ? "  met" : "  MISSED"));
    bench_table_row(table, what, hotline, peer, ratio, note);
}

/* ---- the deterministic generator ---- */

uint64_t bench_random_next(bench_random *random)
{
    uint64_t mixed = (random->state += 0x9E3779B97F4A7C15u);
    mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9u;
    mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBu;
    return mixed ^ (mixed >> 31);
}

uint32_t bench_random_below(bench_random *random, uint32_t bound)
{
    return bound == 0 ? 0 : (uint32_t)(bench_random_next(random) % bound);
}

size_t bench_random_weighted(bench_random *random, const unsigned *weights, size_t count)
{
    unsigned total = 0;
    for (size_t index = 0; index < count; index++)
        total += weights[index];
    unsigned roll = bench_random_below(random, total);
    for (size_t index = 0; index < count; index++) {
        if (roll < weights[index])
            return index;
        roll -= weights[index];
    }
    return count - 1;
}

/* ---- options ---- */

void bench_common_options_init(bench_common_options *options)
{
    options->keep = false;
    options->sqlite3 = "sqlite3";
}

bool bench_take_common_option(int argc, char **argv, int *index, bench_common_options *options,
                              void (*usage)(FILE *out))
{
    const char *argument = argv[*index];
    const char *value = NULL;
    if (strcmp(argument, "--keep") == 0) {
        options->keep = true;
    } else if ((value = bench_option_value(argc, argv, index, "--sqlite3")) != NULL) {
        options->sqlite3 = value;
    } else if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) {
        usage(stdout);
        exit(0);
    } else {
        return false;
    }
    return true;
}

const char *bench_option_value(int argc, char **argv, int *index, const char *name)
{
    if (strcmp(argv[*index], name) != 0 || *index + 1 >= argc)
        return NULL;
    return argv[++*index];
}

int bench_parse_count(const char *text, const char *name, long minimum, long maximum, long *value)
{
    char *end = NULL;
    long parsed = strtol(text, &end, 10);
    if (end == text || *end != '\0' || parsed < minimum || parsed > maximum) {
        fprintf(stderr, "%s: %s wants a number from %ld to %ld\n", program_name, name, minimum,
                maximum);
        return -1;
    }
    *value = parsed;
    return 0;
}

/* ---- verify ---- */

void bench_report_verify_difference(void *context, const char *line)
{
    long *differences = context;
    if ((*differences)++ < 10)
        fprintf(stderr, "%s: verify: %s\n", program_name, line);
}
