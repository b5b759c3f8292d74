/* bench_throttle.c: what counting in the store costs the hot paths.
 *
 * Login failures and Open311 request budgets are counted in the store
 * (app/throttle.c over hl_store_throttle_*), so that every server on one
 * store counts alike. This measures, on a fresh SQLite store in a
 * temporary directory:
 *   - an Open311 request's budget check (hl_throttle_take), one budget and
 *     a thousand budgets in turn, as latencies (median, p99, max);
 *   - the same while another connection commits durable write
 *     transactions back to back (each waits for the disk), the worst case
 *     of a server under write load: a check is a write and queues for
 *     SQLite's one write lock, never for the disk;
 *   - what a failed login adds: two reads of the account's and the
 *     address's counters and two hits; a whole failed login
 *     (hl_auth_login, whose password hash dominates); and a login refused
 *     while locked out (no hash: the two reads alone).
 * It prints microseconds; docs/PERFORMANCE.md records the figures beside
 * the in-memory tables they replaced. It checks no result. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/auth.h"
#include "app/throttle.h"
#include "base/i18n.h"
#include "bench_support.h"

#define NOW ((hl_time)1709517600)

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_throttle [--calls N] [--keep]\n"
                 "  --calls N  budget checks per case (default 20000)\n");
}

/* Prints the median, p99 and max of samples (seconds) in microseconds. */
static void report(const char *what, double *samples, size_t count)
{
    bench_sort_doubles(samples, count);
    printf("%-52s %8.1f %8.1f %9.1f\n", what, bench_percentile(samples, count, 0.5) * 1e6,
           bench_percentile(samples, count, 0.99) * 1e6, samples[count - 1] * 1e6);
}

static int take_many(hl_app *app, const char *what, long calls, int budgets, double *samples)
{
    char budget[32];
    hl_error error;
    for (long index = 0; index < calls; index++) {
        snprintf(budget, sizeof budget, "k:%d:post", (int)(index % budgets));
        int wait = 0;
        double start = bench_monotonic_seconds();
        if (hl_throttle_take(app, budget, 1000000, NOW, &wait, &error) != HL_OK) {
            fprintf(stderr, "bench_throttle: %s\n", error.message);
            return -1;
        }
        samples[index] = bench_monotonic_seconds() - start;
    }
    report(what, samples, (size_t)calls);
    return 0;
}

typedef struct writer {
    const char *path;
    atomic_bool stop;
    long commits;
} writer;

/* Durable write transactions back to back on a connection of its own. */
static void *write_continuously(void *context)
{
    writer *self = context;
    hl_app *app = NULL;
    hl_error error;
    if (hl_app_open(self->path, &app, &error) != HL_OK)
        return NULL;
    while (!atomic_load(&self->stop)) {
        char value[16];
        snprintf(value, sizeof value, "%ld", 1 + self->commits % 20);
        if (hl_app_set_limit(app, "sign_days", value, &error) != HL_OK)
            break;
        self->commits++;
    }
    hl_app_close(app);
    return NULL;
}

static int failed_logins(hl_app *app, long calls, double *samples)
{
    hl_error error;
    for (long index = 0; index < calls; index++) {
        char account[32];
        snprintf(account, sizeof account, "u:user%ld", index % 1000);
        int account_wait = 0, address_wait = 0;
        double start = bench_monotonic_seconds();
        int result = hl_throttle_blocked_for(app, account, 1, NOW, &account_wait, &error);
        if (result == HL_OK)
            result = hl_throttle_blocked_for(app, "a:10.0.0.1", HL_AUTH_ADDRESS_FAILURES, NOW,
                                             &address_wait, &error);
        if (result == HL_OK)
            result =
                hl_throttle_fail(app, account, HL_AUTH_ACCOUNT_MEMORY_SECONDS, NOW, NULL, &error);
        if (result == HL_OK)
            result = hl_throttle_fail(app, "a:10.0.0.1", HL_AUTH_FAILURE_WINDOW_SECONDS, NOW, NULL,
                                      &error);
        samples[index] = bench_monotonic_seconds() - start;
        if (result != HL_OK) {
            fprintf(stderr, "bench_throttle: %s\n", error.message);
            return -1;
        }
    }
    report("a failed login's counting (2 reads, 2 hits)", samples, (size_t)calls);
    hl_auth_guard *guard = NULL;
    if (hl_auth_guard_new(0, &guard, &error) != HL_OK)
        return -1;
    size_t whole = HL_AUTH_ADDRESS_FAILURES; /* all hashed; then the address is locked out */
    for (size_t index = 0; index < whole; index++) {
        hl_auth_grant grant;
        char username[32];
        snprintf(username, sizeof username, "nobody%zu", index);
        double start = bench_monotonic_seconds();
        hl_auth_login(app, guard, username, "wrong", "10.0.0.2", NOW, &grant, &error);
        samples[index] = bench_monotonic_seconds() - start;
    }
    report("a whole failed login (argon2id included)", samples, whole);
    /* Locked out (the loop above failed as often as one address may):
     * each attempt is refused before any hash, after the two reads of its
     * counters. */
    for (long index = 0; index < calls; index++) {
        hl_auth_grant grant;
        double start = bench_monotonic_seconds();
        hl_auth_login(app, guard, "nobody0", "wrong", "10.0.0.2", NOW, &grant, &error);
        samples[index] = bench_monotonic_seconds() - start;
        if (!grant.rate_limited) {
            fprintf(stderr, "bench_throttle: a login was not refused\n");
            hl_auth_guard_free(guard);
            return -1;
        }
    }
    report("a refused login (locked out: no hash)", samples, (size_t)calls);
    hl_auth_guard_free(guard);
    return 0;
}

int main(int argc, char **argv)
{
    bench_support_set_program("bench_throttle");
    hl_i18n_set(HL_LANG_EN);
    bench_common_options common;
    bench_common_options_init(&common);
    long calls = 20000;
    for (int index = 1; index < argc; index++) {
        const char *value = NULL;
        if (bench_take_common_option(argc, argv, &index, &common, usage))
            continue;
        if ((value = bench_option_value(argc, argv, &index, "--calls")) != NULL) {
            if (bench_parse_count(value, "--calls", 100, 10000000, &calls) != 0)
                return 2;
            continue;
        }
        usage(stderr);
        return 2;
    }
    char directory[BENCH_PATH_BYTES], path[BENCH_PATH_BYTES];
    if (bench_make_work_directory("throttle", directory, sizeof directory) != 0)
        return 1;
    bench_join_path(path, sizeof path, directory, "hotline.db");
    hl_app *app = NULL;
    hl_error error;
    if (hl_app_open(path, &app, &error) != HL_OK) {
        fprintf(stderr, "bench_throttle: %s\n", error.message);
        return 1;
    }
    double *samples = hl_xmalloc((size_t)calls * sizeof *samples);
    printf("%-52s %8s %8s %9s\n", "microseconds per call", "median", "p99", "max");
    int failed = take_many(app, "budget check, one budget", calls, 1, samples);
    if (failed == 0)
        failed = take_many(app, "budget check, 1,000 budgets in turn", calls, 1000, samples);
    writer background = {.path = path};
    pthread_t thread;
    if (failed == 0 && pthread_create(&thread, NULL, write_continuously, &background) == 0) {
        failed = take_many(app, "budget check beside durable commits", calls, 1000, samples);
        atomic_store(&background.stop, true);
        pthread_join(thread, NULL);
        printf("(the writer committed %ld durable transactions meanwhile)\n", background.commits);
    }
    if (failed == 0)
        failed = failed_logins(app, calls, samples);
    free(samples);
    hl_app_close(app);
    bench_finish_directory(directory, common.keep);
    return failed == 0 ? 0 : 1;
}
