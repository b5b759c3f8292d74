/* bench_lists.c: how long the API's lists take over a big store: one page
 * (the first, and the hundredth) and its total, for the filters the web
 * pages use (the approval queues among them), the home page's counts, and a month's orders by
 * category.
 *
 * It reads an existing store (--store PATH, such as the one
 * `bench_bulletin --keep` leaves: ten million orders) through the same
 * store calls the server makes (hl_store_order_query with the filter a
 * request builds, hl_store_order_count, hl_app_order_counts_of,
 * hl_app_count_by_category), each the median of --runs runs (default 5)
 * after one warm-up run, with SQLite's page cache warm: the figures of a
 * server that has been answering for a while. With --plans it prints each
 * case's statements and SQLite's plan for them. It is a benchmark, not a
 * test: it never fails on speed, and it changes nothing in the store. It
 * does not build a store, measure HTTP (bench/ has no client) or measure
 * concurrent writers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/i18n.h"
#include "bench_support.h"
#include "store/sqlite/sqlite.h"

#define PAGE_SIZE 50

typedef struct options {
    const char *store;
    long runs;
    bool plans;
    bench_common_options common;
} options;

typedef struct list_case {
    const char *name;
    hl_order_filter filter;
} list_case;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench_lists --store PATH [--runs N] [--plans]\n"
                 "  --store PATH  the store to read (e.g. the one bench_bulletin --keep leaves)\n"
                 "  --runs N      timed runs of each case after a warm-up (default 5)\n"
                 "  --plans       print each case's statements and SQLite's plans\n");
}

static int parse_options(int argc, char **argv, options *parsed)
{
    parsed->store = NULL;
    parsed->runs = 5;
    parsed->plans = false;
    bench_common_options_init(&parsed->common);
    for (int index = 1; index < argc; index++) {
        const char *value = NULL;
        if ((value = bench_option_value(argc, argv, &index, "--store")) != NULL) {
            parsed->store = value;
        } else if ((value = bench_option_value(argc, argv, &index, "--runs")) != NULL) {
            if (bench_parse_count(value, "--runs", 1, 1000, &parsed->runs) != 0)
                return -1;
        } else if (strcmp(argv[index], "--plans") == 0) {
            parsed->plans = true;
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

static int count_order(void *context, const hl_order *order)
{
    (void)order;
    (*(int64_t *)context)++;
    return 0;
}

/* Milliseconds of one page at offset (median of runs), and its rows. */
static double time_page(hl_app *app, const hl_order_filter *base, int64_t offset, long runs,
                        int64_t *rows)
{
    double samples[1001];
    hl_order_filter filter = *base;
    filter.limit = PAGE_SIZE;
    filter.offset = offset;
    hl_error error;
    for (long run = 0; run <= runs; run++) {
        *rows = 0;
        double started = bench_monotonic_seconds();
        if (hl_store_order_query(app->store, &filter, count_order, rows, &error) != HL_OK) {
            fprintf(stderr, "bench_lists: %s\n", error.message);
            exit(1);
        }
        if (run > 0)
            samples[run - 1] = (bench_monotonic_seconds() - started) * 1000;
    }
    return bench_median(samples, (size_t)runs);
}

static double time_total(hl_app *app, const hl_order_filter *filter, long runs, int64_t *total)
{
    double samples[1001];
    hl_error error;
    for (long run = 0; run <= runs; run++) {
        double started = bench_monotonic_seconds();
        if (hl_store_order_count(app->store, filter, total, &error) != HL_OK) {
            fprintf(stderr, "bench_lists: %s\n", error.message);
            exit(1);
        }
        if (run > 0)
            samples[run - 1] = (bench_monotonic_seconds() - started) * 1000;
    }
    return bench_median(samples, (size_t)runs);
}

static int ignore_category(void *context, const char *code, int64_t count)
{
    (void)code;
    *(int64_t *)context += count;
    return 0;
}

int main(int argc, char **argv)
{
    bench_support_set_program("bench_lists");
    hl_i18n_set(HL_LANG_EN);
    options opts;
    if (parse_options(argc, argv, &opts) != 0)
        return 2;
    hl_app *app = NULL;
    hl_error error;
    if (hl_app_open(opts.store, &app, &error) != HL_OK) {
        fprintf(stderr, "bench_lists: %s\n", error.message);
        return 1;
    }
    int64_t orders = 0;
    hl_order_filter everything = {0};
    hl_store_order_count(app->store, &everything, &orders, &error);
    /* "Now" for the deadlines: just after bench_bulletin's half year. */
    hl_time now = 1719763200; /* 2024-07-01T00:00:00+08:00 */
    const unsigned open = HL_STATES_OPEN;
    const unsigned finished = HL_STATE_BIT(HL_STATE_COMPLETED) | HL_STATE_BIT(HL_STATE_SURVEYED) |
                              HL_STATE_BIT(HL_STATE_ARCHIVED);
    list_case cases[] = {
        {"all, newest first", {.sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"all, by deadline", {.sort = HL_ORDER_SORT_DEADLINE}},
        {"open states, newest first", {.state_mask = open, .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"open states, by deadline", {.state_mask = open, .sort = HL_ORDER_SORT_DEADLINE}},
        {"one state (surveyed)",
         {.state_mask = HL_STATE_BIT(HL_STATE_SURVEYED), .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"surveyor's scope", {.state_mask = finished, .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"handler's scope (jinyuan)",
         {.scope_unit = "jinyuan", .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"handler's open, by deadline",
         {.scope_unit = "jinyuan", .state_mask = open, .sort = HL_ORDER_SORT_DEADLINE}},
        {"lead unit (xinghualing)", {.unit = "xinghualing", .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"co-handling unit (jinyuan)", {.co_unit = "jinyuan", .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"one day received",
         {.received_from = 1709222400,
          .received_to = 1709308800,
          .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"overdue, by deadline", {.due_before = now, .sort = HL_ORDER_SORT_DEADLINE}},
        {"text, one month",
         {.text = "噪音",
          .received_from = 1709222400,
          .received_to = 1711900800,
          .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        {"text, everything", {.text = "噪音", .sort = HL_ORDER_SORT_RECEIVED_DESC}},
        /* The approval queues: the few orders that wait, through their own index. */
        {"extension queue, by deadline",
         {.pending = HL_PENDING_EXTENSION, .sort = HL_ORDER_SORT_DEADLINE}},
        {"handler's extension queue",
         {.pending = HL_PENDING_EXTENSION,
          .scope_unit = "jinyuan",
          .sort = HL_ORDER_SORT_DEADLINE}},
        {"return queue, oldest first",
         {.pending = HL_PENDING_RETURN, .sort = HL_ORDER_SORT_RECEIVED}},
        {"appeal queue, oldest first",
         {.pending = HL_PENDING_APPEAL, .sort = HL_ORDER_SORT_RECEIVED}},
    };
    char grouped[32];
    bench_format_grouped((double)orders, grouped, sizeof grouped);
    printf("bench_lists: %s orders in %s; ms, median of %ld warm runs; pages of %d\n", grouped,
           opts.store, opts.runs, PAGE_SIZE);
    printf("%-30s %10s %10s %10s %12s\n", "list", "page 1", "page 100", "total", "orders");
    for (size_t index = 0; index < BENCH_COUNT_OF(cases); index++) {
        int64_t rows = 0, total = 0;
        double first = time_page(app, &cases[index].filter, 0, opts.runs, &rows);
        double hundredth = time_page(app, &cases[index].filter, 99 * PAGE_SIZE, opts.runs, &rows);
        double counting = time_total(app, &cases[index].filter, opts.runs, &total);
        bench_format_grouped((double)total, grouped, sizeof grouped);
        printf("%-30s %10.2f %10.2f %10.2f %12s\n", cases[index].name, first, hundredth, counting,
               grouped);
        if (opts.plans) {
            hl_buf plan;
            hl_buf_init(&plan);
            hl_sqlite_explain(app->store, &cases[index].filter, &plan, &error);
            printf("%s\n", plan.data != NULL ? plan.data : "");
            hl_buf_free(&plan);
        }
    }
    /* The home page: counts by state, overdue and due soon. */
    struct {
        const char *name;
        hl_order_filter filter;
    } scopes[] = {
        {"counts, the centre", {0}},
        {"counts, a handler (jinyuan)", {.scope_unit = "jinyuan"}},
        {"counts, a surveyor", {.state_mask = finished}},
    };
    for (size_t index = 0; index < BENCH_COUNT_OF(scopes); index++) {
        double samples[1001];
        hl_app_order_counts counts;
        for (long run = 0; run <= opts.runs; run++) {
            double started = bench_monotonic_seconds();
            if (hl_app_order_counts_of(app, &scopes[index].filter, now, &counts, &error) != HL_OK) {
                fprintf(stderr, "bench_lists: %s\n", error.message);
                return 1;
            }
            if (run > 0)
                samples[run - 1] = (bench_monotonic_seconds() - started) * 1000;
        }
        printf("%-30s %10.2f\n", scopes[index].name, bench_median(samples, (size_t)opts.runs));
    }
    double samples[1001];
    int64_t month_orders = 0;
    for (long run = 0; run <= opts.runs; run++) {
        month_orders = 0;
        double started = bench_monotonic_seconds();
        /* March 2024. */
        if (hl_app_count_by_category(app, 1709222400, 1711900800, ignore_category, &month_orders,
                                     &error) != HL_OK) {
            fprintf(stderr, "bench_lists: %s\n", error.message);
            return 1;
        }
        if (run > 0)
            samples[run - 1] = (bench_monotonic_seconds() - started) * 1000;
    }
    bench_format_grouped((double)month_orders, grouped, sizeof grouped);
    printf("%-30s %10.2f %34s\n", "a month by category", bench_median(samples, (size_t)opts.runs),
           grouped);
    hl_app_close(app);
    return 0;
}
