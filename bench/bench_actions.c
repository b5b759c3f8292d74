/* bench_actions.c: how many durable lifecycle actions hotline applies per
 * second, one at a time, beside the sqlite3 CLI committing the same number
 * of comparable transactions, and the disk's raw fsync rate, all measured
 * in the same run.
 *
 * It creates a fresh store (WAL, synchronous=FULL: the store's default),
 * loads one unit and three users, registers N/2 orders through an untimed
 * import, then times N calls of hl_app_act, each its own durable
 * transaction: every order is dispatched to unit u1 by dispatcher1, then
 * every order is signed for by h1. It prints actions/s and the p50, p99 and
 * p99.9 latency of one action. The peer is one sqlite3 CLI process fed a
 * script of N transactions, each an UPDATE of the order, an INSERT of its
 * event and an upsert of its counters, on a WAL database with
 * synchronous=FULL; only its throughput is known. The ceiling is a loop of
 * 4 KiB writes, each followed by fdatasync, on a file in the same directory.
 *
 * It is a benchmark, not a test: it never fails on speed. It does not
 * measure concurrency (actions are strictly one after another) nor reads.
 * Everything lives in one temporary directory under $TMPDIR (or /tmp),
 * removed at the end unless --keep is given. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "app/app.h"
#include "app/transfer.h"
#include "base/i18n.h"
#include "base/text.h"
#include "bench_support.h"

#define DEFAULT_ACTIONS 20000L
#define TARGET_ACTIONS_PER_SECOND 3000.0
#define FSYNC_BLOCK_BYTES 4096
#define FSYNC_SECONDS 1.0

/* ---- the ceiling: raw durable writes ---- */

/* Writes 4 KiB and fdatasyncs it, again and again for one second. When
 * overwrite is set the writes cycle through a preallocated 4 MiB, as a WAL
 * does once it has been checkpointed and restarts; otherwise they append,
 * and each sync must also commit the file's new size. */
static double measure_fsync_rate(const char *path, bool overwrite)
{
    int descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (descriptor < 0) {
        fprintf(stderr, "bench_actions: cannot open %s: %s\n", path, strerror(errno));
        return 0;
    }
    static char block[FSYNC_BLOCK_BYTES];
    memset(block, 'w', sizeof block);
    const long slots = 1024; /* 4 MiB */
    if (overwrite) {
        for (long slot = 0; slot < slots; slot++)
            if (pwrite(descriptor, block, sizeof block, (off_t)slot * FSYNC_BLOCK_BYTES) !=
                FSYNC_BLOCK_BYTES)
                break;
        fsync(descriptor);
    }
    long syncs = 0;
    double started = bench_monotonic_seconds(), elapsed = 0;
    while (elapsed < FSYNC_SECONDS) {
        off_t offset = (off_t)(overwrite ? syncs % slots : syncs) * FSYNC_BLOCK_BYTES;
        if (pwrite(descriptor, block, sizeof block, offset) != FSYNC_BLOCK_BYTES ||
            fdatasync(descriptor) != 0) {
            fprintf(stderr, "bench_actions: write or sync failed: %s\n", strerror(errno));
            break;
        }
        syncs++;
        elapsed = bench_monotonic_seconds() - started;
    }
    close(descriptor);
    unlink(path);
    return elapsed > 0 ? (double)syncs / elapsed : 0;
}

/* ---- hotline ---- */

typedef struct order_ref {
    int64_t id;
    hl_time received_at;
} order_ref;

typedef struct order_list {
    order_ref *items;
    size_t count;
    size_t capacity;
} order_list;

static int collect_order(void *context, const hl_order *order)
{
    order_list *list = context;
    if (list->count == list->capacity) {
        list->capacity = list->capacity == 0 ? 1024 : list->capacity * 2;
        list->items = hl_xrealloc(list->items, list->capacity * sizeof *list->items);
    }
    list->items[list->count].id = order->id;
    list->items[list->count].received_at = order->received_at;
    list->count++;
    return 0;
}

/* The orders, as an agent would have typed them: received on Thursday
 * 2024-02-01 (a working day) from 08:00, one every 2 seconds. */
static void build_orders_csv(hl_buf *csv, long order_count)
{
    static const char *const titles[] = {"关于小区电梯频繁故障的投诉",
                                         "关于公积金提取办理流程的咨询", "关于路灯损坏的求助",
                                         "关于夜间施工噪音扰民的投诉"};
    static const char *const types[] = {"complaint", "inquiry", "help", "complaint"};
    hl_buf_append_str(
        csv, "received_at,channel,type,citizen_name,citizen_phone,address,title,content\n");
    for (long index = 0; index < order_count; index++) {
        long at = 8 * 3600 + index * 2;
        size_t kind = (size_t)index % 4;
        hl_buf_appendf(csv,
                       "2024-02-%02ld "
                       "%02ld:%02ld:%02ld,phone,%s,王先生,1380000%04ld,杭州市西湖区文三路%ld号,%s,"
                       "市民来电反映：杭州市西湖区文三路%ld号附近，%s，该问题已持续两周左右，"
                       "严重影响周边居民正常生活，希望相关部门尽快核实处理并予以答复。\n",
                       1 + at / 86400, at % 86400 / 3600, at % 3600 / 60, at % 60, types[kind],
                       index % 10000, 1 + index % 999, titles[kind], 1 + index % 999, titles[kind]);
    }
}

typedef struct hotline_figures {
    double seconds;
    long actions;
    double p50_ms, p99_ms, p999_ms, max_ms;
    double dispatch_p50_ms, sign_p50_ms;
} hotline_figures;

static int prepare_store(hl_app *app, long order_count, order_list *orders, hl_error *error)
{
    static const char units_csv[] =
        "code,name,group,parent,active\nu1,市住房公积金中心,市直单位,,1\n";
    static const char users_csv[] = "username,display_name,role,unit,active\n"
                                    "dispatcher1,派单员,dispatcher,,1\n"
                                    "h1,承办人,handler,u1,1\n"
                                    "agent1,话务员,agent,,1\n";
    int result = hl_app_init(app, error);
    if (result == HL_OK)
        result = hl_transfer_load_units(app, units_csv, sizeof units_csv - 1, NULL, error);
    if (result == HL_OK)
        result = hl_transfer_load_users(app, users_csv, sizeof users_csv - 1, NULL, error);
    hl_buf csv;
    hl_buf_init(&csv);
    build_orders_csv(&csv, order_count);
    int64_t imported = 0;
    if (result == HL_OK)
        result = hl_transfer_import_orders(app, "agent1", csv.data, csv.len, NULL, NULL, 10,
                                           &imported, error);
    hl_buf_free(&csv);
    hl_order_filter all = {0};
    if (result == HL_OK)
        result = hl_app_list_orders(app, &all, collect_order, orders, error);
    if (result == HL_OK && (long)orders->count != order_count)
        result = hl_error_set(error, HL_EIO, NULL, "registered %zu orders, expected %ld",
                              orders->count, order_count);
    return result;
}

static int run_hotline(const char *directory, long action_count, hotline_figures *figures)
{
    char store_path[BENCH_PATH_BYTES];
    bench_join_path(store_path, sizeof store_path, directory, "hotline.db");
    long order_count = (action_count + 1) / 2;
    hl_error error;
    hl_error_clear(&error);
    hl_app *app = NULL;
    order_list orders = {NULL, 0, 0};
    int result = hl_app_open(store_path, &app, &error);
    if (result == HL_OK)
        result = prepare_store(app, order_count, &orders, &error);

    double *latencies = hl_xmalloc((size_t)action_count * sizeof *latencies);
    long done = 0;
    double started = bench_monotonic_seconds();
    /* First every dispatch, then every sign-for: an order is dispatched
     * minutes after it came in and signed for within the hour. */
    for (long index = 0; result == HL_OK && index < action_count; index++) {
        bool dispatch = index < order_count;
        const order_ref *order = &orders.items[dispatch ? index : index - order_count];
        hl_app_request request = {0};
        request.unit = dispatch ? "u1" : NULL;
        double before = bench_monotonic_seconds();
        result = hl_app_act(app, dispatch ? "dispatcher1" : "h1", order->id,
                            dispatch ? HL_ACTION_DISPATCH : HL_ACTION_SIGN, &request,
                            order->received_at + (dispatch ? 600 : 1800), NULL, &error);
        latencies[index] = (bench_monotonic_seconds() - before) * 1e3;
        done++;
    }
    figures->seconds = bench_monotonic_seconds() - started;
    figures->actions = done;
    if (result == HL_OK) {
        long signs = action_count - order_count;
        bench_sort_doubles(latencies, (size_t)order_count);
        figures->dispatch_p50_ms = bench_percentile(latencies, (size_t)order_count, 0.5);
        bench_sort_doubles(latencies + order_count, (size_t)signs);
        figures->sign_p50_ms = bench_percentile(latencies + order_count, (size_t)signs, 0.5);
        bench_sort_doubles(latencies, (size_t)action_count);
        figures->p50_ms = bench_percentile(latencies, (size_t)action_count, 0.5);
        figures->p99_ms = bench_percentile(latencies, (size_t)action_count, 0.99);
        figures->p999_ms = bench_percentile(latencies, (size_t)action_count, 0.999);
        figures->max_ms = latencies[action_count - 1];
    } else {
        fprintf(stderr, "bench_actions: hotline: %s\n", error.message);
    }
    free(latencies);
    free(orders.items);
    hl_app_close(app);
    return result == HL_OK ? 0 : -1;
}

/* ---- the peer: the sqlite3 CLI ---- */

/* A schema shaped like hotline's: the order row with its indexes (the
 * UPDATE moves lead_unit, state and due_at, so those indexes change), an
 * append-only event log keyed by (order, seq), and counters keyed by
 * (month, unit, counter). The orders carry registration texts of
 * hotline's size so that rows span pages as they do there. */
static const char peer_schema_format[] =
    "PRAGMA journal_mode=WAL;\n"
    "CREATE TABLE orders(id INTEGER PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL,\n"
    "  channel TEXT, type TEXT, received_at INTEGER, citizen_name TEXT, citizen_phone TEXT,\n"
    "  address TEXT, title TEXT, content TEXT, registered_by TEXT, lead_unit TEXT,\n"
    "  dispatched_at INTEGER, sign_deadline INTEGER, signed_at INTEGER, return_deadline INTEGER,\n"
    "  handle_deadline INTEGER, due_at INTEGER);\n"
    "CREATE INDEX orders_by_unit_state ON orders(lead_unit, state);\n"
    "CREATE INDEX orders_by_due ON orders(due_at) WHERE due_at > 0;\n"
    "CREATE INDEX orders_by_received ON orders(received_at);\n"
    "CREATE TABLE events(order_id INTEGER, seq INTEGER, at INTEGER, actor TEXT, action TEXT,\n"
    "  from_state TEXT, to_state TEXT, unit TEXT, other_unit TEXT, deadline INTEGER, note TEXT,\n"
    "  details TEXT, PRIMARY KEY(order_id, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE rollups(month INTEGER, unit TEXT, counter TEXT, value INTEGER NOT NULL,\n"
    "  PRIMARY KEY(month, unit, counter)) WITHOUT ROWID;\n"
    "BEGIN;\n"
    "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < %ld)\n"
    "INSERT INTO orders SELECT 20240201000001 + k, 1, 'new', 'phone', 'complaint',\n"
    "  1706745600 + k * 2, '王先生', '13800000000', '杭州市西湖区文三路1号',\n"
    "  '关于小区电梯频繁故障的投诉', printf('%%.*c', 330, 'x'), 'agent1', '', 0, 0, 0, 0, 0, 0 "
    "FROM n;\n"
    "INSERT INTO events SELECT id, 1, received_at, 'agent1', 'register', 'none', 'new', '', '', 0, "
    "'',"
    " '{}' FROM orders;\n"
    "INSERT INTO rollups VALUES(202402, '', 'received', %ld);\n"
    "COMMIT;\n";

/* One durable transaction per action, as hotline commits them: the order
 * row, one event, the action's counters. */
static void append_peer_transaction(hl_buf *script, int64_t id, bool dispatch, long long at)
{
    long long day = 86400;
    hl_buf_append_str(script, "BEGIN;\n");
    if (dispatch) {
        hl_buf_appendf(script,
                       "UPDATE orders SET state='dispatched', version=version+1, lead_unit='u1', "
                       "dispatched_at=%lld, sign_deadline=%lld, return_deadline=%lld, "
                       "handle_deadline=%lld, due_at=%lld WHERE id=%lld;\n",
                       at, at + day, at + 2 * day, at + 13 * day, at + day, (long long)id);
        hl_buf_appendf(
            script,
            "INSERT INTO events VALUES(%lld, 2, %lld, 'dispatcher1', 'dispatch', 'new', "
            "'dispatched', 'u1', '', 0, '', '{\"sign_deadline\":\"2024-02-02T23:59:59+08:00\","
            "\"return_deadline\":\"2024-02-04T23:59:59+08:00\","
            "\"handle_deadline\":\"2024-02-23T23:59:59+08:00\",\"handle_days\":13}');\n",
            (long long)id, at);
        hl_buf_append_str(script,
                          "INSERT INTO rollups VALUES(202402, 'u1', 'dispatched', 1) "
                          "ON CONFLICT(month, unit, counter) DO UPDATE SET value=value+1;\n");
    } else {
        hl_buf_appendf(script,
                       "UPDATE orders SET state='signed', version=version+1, signed_at=%lld, "
                       "due_at=handle_deadline WHERE id=%lld;\n",
                       at, (long long)id);
        hl_buf_appendf(
            script,
            "INSERT INTO events VALUES(%lld, 3, %lld, 'h1', 'sign', 'dispatched', 'signed', "
            "'u1', '', %lld, '', '{}');\n",
            (long long)id, at, at + day);
        hl_buf_append_str(script,
                          "INSERT INTO rollups VALUES(202402, 'u1', 'signed', 1) "
                          "ON CONFLICT(month, unit, counter) DO UPDATE SET value=value+1;\n"
                          "INSERT INTO rollups VALUES(202402, 'u1', 'signed_on_time', 1) "
                          "ON CONFLICT(month, unit, counter) DO UPDATE SET value=value+1;\n");
    }
    hl_buf_append_str(script, "COMMIT;\n");
}

typedef struct peer_figures {
    double seconds;
    long transactions;
    long long events; /* counted afterwards: proves every transaction ran */
} peer_figures;

static int run_peer(const char *sqlite3, const char *directory, long action_count,
                    peer_figures *figures)
{
    char peer_path[BENCH_PATH_BYTES], schema_path[BENCH_PATH_BYTES], script_path[BENCH_PATH_BYTES],
        count_path[BENCH_PATH_BYTES];
    bench_join_path(peer_path, sizeof peer_path, directory, "peer.db");
    bench_join_path(schema_path, sizeof schema_path, directory, "peer-schema.sql");
    bench_join_path(script_path, sizeof script_path, directory, "peer-actions.sql");
    bench_join_path(count_path, sizeof count_path, directory, "count.txt");
    long order_count = (action_count + 1) / 2;

    hl_buf script;
    hl_buf_init(&script);
    hl_buf_appendf(&script, peer_schema_format, order_count, order_count);
    int failed = bench_write_file(schema_path, script.data, script.len);
    hl_buf_reset(&script);
    /* synchronous is per connection: said again here, though FULL is the
     * CLI's default, so that the peer is durable whatever the build. */
    hl_buf_append_str(&script, "PRAGMA synchronous=FULL;\n");
    for (long index = 0; index < action_count; index++) {
        bool dispatch = index < order_count;
        long order_index = dispatch ? index : index - order_count;
        long long received = 1706745600LL + order_index * 2;
        append_peer_transaction(&script, 20240201000001LL + order_index, dispatch,
                                received + (dispatch ? 600 : 1800));
    }
    if (failed == 0)
        failed = bench_write_file(script_path, script.data, script.len);
    hl_buf_free(&script);
    if (failed != 0)
        return -1;

    bench_child_run setup, count;
    char *setup_argv[] = {(char *)sqlite3, "-batch", peer_path, NULL};
    if (bench_run_child(setup_argv, schema_path, NULL, false, &setup) != 0)
        return -1;
    sync(); /* the set-up's pages must not be flushed on the peer's clock */
    bench_child_run timed;
    char *run_argv[] = {(char *)sqlite3, "-batch", "-bail", peer_path, NULL};
    if (bench_run_child(run_argv, script_path, NULL, false, &timed) != 0)
        return -1;
    figures->seconds = timed.seconds;
    figures->transactions = action_count;
    char *count_argv[] = {(char *)sqlite3, "-batch", peer_path, "SELECT count(*) FROM events;",
                          NULL};
    if (bench_run_child(count_argv, NULL, count_path, false, &count) != 0)
        return -1;
    bench_read_counts(count_path, &figures->events, 1);
    return 0;
}

/* ---- options ---- */

typedef struct options {
    long actions;
    bench_common_options common; /* --keep, --sqlite3 */
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_actions [--actions N] [--keep] [--sqlite3 PATH]\n"
            "  --actions N     durable actions to time (default %ld): N/2 orders, each\n"
            "                  dispatched and then signed for\n"
            "  --keep          keep the temporary directory (stores, peer script)\n"
            "  --sqlite3 PATH  the peer's CLI (default: sqlite3 on PATH)\n",
            DEFAULT_ACTIONS);
}

static int parse_options(int argc, char **argv, options *parsed)
{
    parsed->actions = DEFAULT_ACTIONS;
    bench_common_options_init(&parsed->common);
    for (int index = 1; index < argc; index++) {
        const char *value = NULL;
        if ((value = bench_option_value(argc, argv, &index, "--actions")) != NULL) {
            /* Orders come in every 2 seconds from 08:00 on 2024-02-01; two
             * million actions keep them within February. */
            if (bench_parse_count(value, "--actions", 2, 2000000L, &parsed->actions) != 0)
                return -1;
        } else if (!bench_take_common_option(argc, argv, &index, &parsed->common, usage)) {
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

static const bench_table result_table = {26, 12, 12, 8};

/* A latency of hotline's, which the peer does not measure (peer "-"), or
 * the second line of a pair (peer NULL: no column). */
static void print_latency_row(const char *what, double milliseconds, const char *peer)
{
    char hotline[32];
    snprintf(hotline, sizeof hotline, "%.3f", milliseconds);
    bench_table_row(&result_table, what, hotline, peer, NULL, NULL);
}

int main(int argc, char **argv)
{
    bench_support_set_program("bench_actions");
    options opts;
    if (parse_options(argc, argv, &opts) != 0)
        return 2;
    hl_i18n_set(HL_LANG_EN);

    char directory[BENCH_PATH_BYTES];
    if (bench_make_work_directory("actions", directory, sizeof directory) != 0)
        return 1;
    printf("bench_actions: %ld actions on %ld orders, working in %s\n", opts.actions,
           (opts.actions + 1) / 2, directory);
    fflush(stdout);

    char fsync_path[BENCH_PATH_BYTES];
    bench_join_path(fsync_path, sizeof fsync_path, directory, "fsync.bin");
    double overwrite_rate = measure_fsync_rate(fsync_path, true);
    double append_rate = measure_fsync_rate(fsync_path, false);

    hotline_figures hotline = {0};
    peer_figures peer = {0};
    int failed = run_hotline(directory, opts.actions, &hotline);
    sync();
    if (failed == 0)
        failed = run_peer(opts.common.sqlite3, directory, opts.actions, &peer);

    if (failed == 0) {
        long long expected_events = (opts.actions + 1) / 2 + opts.actions;
        if (peer.events != expected_events)
            fprintf(stderr, "bench_actions: the peer's log holds %lld events, expected %lld\n",
                    peer.events, expected_events);
        double hotline_rate = (double)hotline.actions / hotline.seconds;
        double peer_rate = (double)peer.transactions / peer.seconds;
        char left[32], right[32], ratio[32], ceiling[32], appended[32];
        bench_format_grouped(hotline_rate, left, sizeof left);
        bench_format_grouped(peer_rate, right, sizeof right);
        snprintf(ratio, sizeof ratio, "%.2f", hotline_rate / peer_rate);
        bench_format_grouped(overwrite_rate, ceiling, sizeof ceiling);
        bench_format_grouped(append_rate, appended, sizeof appended);
        printf("\n");
        bench_table_header(&result_table, "sqlite3 CLI");
        bench_table_target_row(&result_table, "durable actions/s", left, right, ratio,
                               ">= 3,000 actions/s", hotline_rate >= TARGET_ACTIONS_PER_SECOND);
        print_latency_row("latency p50 (ms)", hotline.p50_ms, "-");
        print_latency_row("latency p99 (ms)", hotline.p99_ms, "-");
        print_latency_row("latency p99.9 (ms)", hotline.p999_ms, "-");
        print_latency_row("latency max (ms)", hotline.max_ms, "-");
        print_latency_row("p50 dispatch / sign (ms)", hotline.dispatch_p50_ms, "-");
        print_latency_row("", hotline.sign_p50_ms, NULL);
        printf("\nceiling, same directory: %s fdatasync/s (4 KiB overwrites), %s (4 KiB appends)\n",
               ceiling, appended);
        printf("hotline reaches %.0f%% of the overwrite ceiling, the sqlite3 CLI %.0f%%\n",
               100.0 * hotline_rate / overwrite_rate, 100.0 * peer_rate / overwrite_rate);
    }
    bench_finish_directory(directory, opts.common.keep);
    return failed == 0 ? 0 : 1;
}
