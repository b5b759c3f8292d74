/* bench_bulletin.c: how long the monthly bulletin takes over a store of ten
 * million orders, beside the same figures computed with SQL by the sqlite3
 * CLI (and by DuckDB from npm, when it is installed) in the same run, and
 * how fast `hotline verify` reads that store.
 *
 * It builds a store of N orders (default 10,000,000) received from January
 * to June 2024 and spread over the 42 demo units in their two groups, each
 * with a full log: registration, dispatch, sign-for, sometimes a progress
 * note, completion, one or two survey calls, and, when the citizen was
 * dissatisfied, the reopening and a second round, as the app does. Every
 * step goes through hl_workflow_apply, the same pure function the app
 * calls, so the orders, events and rollups agree by construction; they are
 * written straight through the store API in bulk transactions of 500,000
 * orders (going through hl_app_act would take hours at this size). Then it
 * times the bulletin of 2024-03 as a user gets it: open the store, read the
 * policy, hl_report_build, render as text and as JSON, close; the first run
 * with the store's file evicted from the page cache, then the median of
 * five. Peers: the sqlite3 CLI summing the same month's rollup rows, and
 * recomputing the figures from the whole event log; DuckDB doing both over
 * CSV exports of the same tables. Each peer's base, surveys succeeded and
 * citizens satisfied per unit are checked against hotline's. Last,
 * hl_verify_run over the whole store, beside the sqlite3 CLI recounting the
 * log.
 *
 * It is a benchmark, not a test: it never fails on speed. It does not
 * measure building the store (the build rate is printed for information),
 * concurrent writers, or the other report formats (Markdown, CSV, HTML,
 * XLSX). Everything lives in one temporary directory under $TMPDIR (or
 * /tmp), removed at the end unless --keep is given; a store given with
 * --store is used as it is and never removed.
 *
 * A --store postgresql://... (or postgres://) database is built the same
 * way (bulk mode sends the rows through COPY) when it has no orders, then
 * timed beside psql (bench_bulletin_pg.c); the sqlite3 CLI, DuckDB and
 * verify are left out, and the server's caches are not emptied first. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "app/report.h"
#include "app/transfer.h"
#include "app/verify.h"
#include "base/file.h"
#include "base/i18n.h"
#include "bench_bulletin_pg.h"
#include "bench_support.h"
#include "domain/assessment.h"
#include "domain/bulletin.h"
#include "domain/rollup.h"
#include "domain/workflow.h"
#include "report/render.h"

extern const char hl_demo_units_csv[];
extern const size_t hl_demo_units_csv_size;
extern const char hl_demo_users_csv[];
extern const size_t hl_demo_users_csv_size;

#define DEFAULT_ORDERS 10000000L
#define TARGET_BULLETIN_MS 50.0
#define BATCH_ORDERS 500000L
#define BULLETIN_MONTH 202403
#define BULLETIN_RUNS 5
#define PEER_RUNS 11
#define NOT_MEASURED (-1e9)
#define MAX_UNITS 64
#define MAX_EVENTS_PER_ORDER 32
#define MAX_ROUNDS 3
/* Received from 2024-01-01 to 2024-06-30: 182 days. */
#define FIRST_YEAR 2024
#define DAYS_OF_ORDERS 182
/* Measured at 200,000 and 10,000,000 orders (docs/PERFORMANCE.md): the
 * store takes about 1,550 bytes per order once checkpointed (about 6 events
 * each), the WAL of one batch up to about 1 GB more, the CSV exports for
 * DuckDB about 145 bytes per order. The check wants three times the sum free. */
#define STORE_BYTES_PER_ORDER 1600.0
#define EXPORT_BYTES_PER_ORDER 200.0
#define BATCH_WAL_BYTES 1.2e9

/* ---- small helpers ---- */

static long long file_bytes(const char *path)
{
    struct stat status;
    return stat(path, &status) == 0 ? (long long)status.st_size : 0;
}

/* The key of the phone numbers: NULL, the file beside an SQLite store; a
 * PostgreSQL store has none beside it: $HOTLINE_KEY_FILE, as for `hotline`. */
static const char *key_file = NULL;

/* ---- the deterministic generator ---- */

/* Seeded once, so that two runs build the same store. */
static bench_random generator = {0x20240301u};

static uint32_t random_below(uint32_t bound)
{
    return bench_random_below(&generator, bound);
}

#define PICK(array) ((array)[random_below((uint32_t)BENCH_COUNT_OF(array))])

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
static const char *const streets[] = {"迎泽大街", "并州路", "长风街", "滨河东路", "解放路",
                                      "南内环街", "胜利街", "学府街", "建设路",   "千峰南路",
                                      "府西街",   "五一路", "体育路", "晋祠路",   "和平北路"};
static const char *const titles[] = {"小区供暖温度不达标", "公积金提取进度咨询", "道路施工噪音扰民",
                                     "公交线路调整建议",   "物业费收取不合理",   "拖欠农民工工资",
                                     "医保报销政策咨询",   "路灯不亮",           "占道经营",
                                     "停电原因咨询",       "学校周边交通拥堵",   "有线电视信号中断",
                                     "小区绿化带被毁",     "网购商品质量投诉",   "社保卡办理咨询"};
static const char *const impacts[] = {"严重影响周边居民正常生活，", "给附近居民出行带来很大不便，",
                                      "存在较大的安全隐患，", "此前已多次向社区反映未果，"};
static const char *const requests[] = {"希望相关部门尽快核实处理并予以答复。",
                                       "请相关部门协调解决。", "请尽快派人到现场查看。",
                                       "希望有关部门给予明确答复。"};
static const char *const replies[] = {
    "经核实，市民反映的问题属实，已责成相关责任单位整改完毕，并电话告知市民处理结果。",
    "已安排工作人员到现场查看并处理，问题已解决，市民表示认可。",
    "已向市民详细解释相关政策规定及办理流程，市民表示理解。",
    "经协调，相关企业已于本周内完成维修，后续将加强日常巡查。"};
static const char *const progress_notes[] = {"已联系诉求人，正在现场核实。",
                                             "已转相关科室办理，正在协调。",
                                             "已约谈物业公司负责人，督促限期整改。"};

/* ---- building the store ---- */

/* Who acts in the generated store: the demo directory's units and users. */
typedef struct build_cast {
    hl_unit units[MAX_UNITS];
    size_t unit_count;
    hl_user handlers[MAX_UNITS]; /* h-<unit>, one per unit */
    unsigned unit_weights[MAX_UNITS];
    unsigned dissatisfied_permille[MAX_UNITS]; /* each unit's own share of unhappy citizens */
    hl_user agents[2];
    hl_user dispatcher;
    hl_user surveyor;
} build_cast;

typedef struct order_builder {
    hl_app *app;
    const build_cast *cast;
    hl_workflow_context context;
    hl_order *order;
    hl_event *events; /* MAX_EVENTS_PER_ORDER */
    size_t event_count;
    hl_rollup_map *rollups;
    hl_error error;
} order_builder;

static int collect_unit(void *context, const hl_unit *unit)
{
    build_cast *cast = context;
    if (cast->unit_count < MAX_UNITS)
        cast->units[cast->unit_count++] = *unit;
    return 0;
}

static int load_cast(hl_app *app, build_cast *cast, hl_error *error)
{
    memset(cast, 0, sizeof *cast);
    int result = hl_store_unit_each(app->store, collect_unit, cast, error);
    static const char *const agents[] = {"agent1", "agent2"};
    for (size_t index = 0; result == HL_OK && index < 2; index++)
        result = hl_store_user_get(app->store, agents[index], &cast->agents[index], error);
    if (result == HL_OK)
        result = hl_store_user_get(app->store, "dispatcher1", &cast->dispatcher, error);
    if (result == HL_OK)
        result = hl_store_user_get(app->store, "surveyor1", &cast->surveyor, error);
    for (size_t index = 0; result == HL_OK && index < cast->unit_count; index++) {
        char username[HL_CODE_BYTES + 8];
        snprintf(username, sizeof username, "h-%s", cast->units[index].code);
        result = hl_store_user_get(app->store, username, &cast->handlers[index], error);
        /* Districts get more orders than most city bureaus; volumes differ
         * from unit to unit, and so does how often citizens are unhappy. */
        bool district = strstr(cast->units[index].group, "县市区") != NULL;
        cast->unit_weights[index] =
            district ? 6 + (unsigned)(index * 7 % 5) : 1 + (unsigned)(index * 5 % 7);
        cast->dissatisfied_permille[index] = 30 + (unsigned)(index * 37 % 19) * 10;
    }
    if (result == HL_OK && cast->unit_count == 0)
        result = hl_error_set(error, HL_EINVAL, NULL, "the demo directory has no units");
    return result;
}

static size_t pick_unit(const build_cast *cast)
{
    return bench_random_weighted(&generator, cast->unit_weights, cast->unit_count);
}

/* One step of the order's life through the workflow's own rules; the event
 * it produces joins the order's pending log. */
static int apply_step(order_builder *builder, hl_action action, const hl_user *actor,
                      const hl_action_input *input, hl_time at)
{
    if (builder->event_count == MAX_EVENTS_PER_ORDER)
        return hl_error_set(&builder->error, HL_EINVAL, NULL, "too many events for one order");
    int result = hl_workflow_apply(builder->order, action, actor, input, &builder->context, at,
                                   &builder->events[builder->event_count], &builder->error);
    if (result == HL_OK)
        builder->event_count++;
    return result;
}

static hl_time last_event_at(const order_builder *builder)
{
    return builder->events[builder->event_count - 1].at;
}

/* A reached citizen's rating: a unit's own share is dissatisfied (in the
 * last round, never: the app would reopen it once more). */
static hl_rating draw_rating(unsigned dissatisfied_permille, bool allow_dissatisfied)
{
    unsigned roll = random_below(1000);
    if (allow_dissatisfied && roll < dissatisfied_permille)
        return roll < dissatisfied_permille / 3 ? HL_RATING_VERY_DISSATISFIED
                                                : HL_RATING_DISSATISFIED;
    roll = random_below(100);
    return roll < 40 ? HL_RATING_VERY_SATISFIED : roll < 85 ? HL_RATING_SATISFIED : HL_RATING_BASIC;
}

/* The callback survey: one call, or a second one a few hours later when the
 * first was not answered. Returns whether the citizen was reached and
 * dissatisfied (the app then reopens the order). */
static int run_survey(order_builder *builder, size_t unit_index, int round, bool *reopen)
{
    *reopen = false;
    hl_time at = last_event_at(builder) + 86400 + random_below(8 * 3600);
    for (int call = 0; call < 2; call++) {
        hl_action_input input = {0};
        unsigned roll = random_below(100);
        if (call == 0)
            input.outcome = roll < 72   ? HL_OUTCOME_REACHED
                            : roll < 88 ? HL_OUTCOME_NO_ANSWER
                            : roll < 92 ? HL_OUTCOME_BUSY
                            : roll < 97 ? HL_OUTCOME_REFUSED
                                        : HL_OUTCOME_WRONG_NUMBER;
        else
            input.outcome = roll < 80   ? HL_OUTCOME_REACHED
                            : roll < 92 ? HL_OUTCOME_NO_ANSWER
                                        : HL_OUTCOME_REFUSED;
        if (input.outcome == HL_OUTCOME_REACHED) {
            input.rating = draw_rating(builder->cast->dissatisfied_permille[unit_index],
                                       round + 1 < MAX_ROUNDS);
            bool content = input.rating <= HL_RATING_BASIC;
            input.resolved =
                random_below(100) < (content ? 85u : 20u) ? HL_RESOLVED_YES : HL_RESOLVED_NO;
            input.note =
                content ? "市民表示问题已解决，对处理结果满意。" : "市民表示问题未得到解决。";
        }
        int result = apply_step(builder, HL_ACTION_SURVEY, &builder->cast->surveyor, &input, at);
        if (result != HL_OK)
            return result;
        if (builder->order->state != HL_STATE_COMPLETED) {
            *reopen = builder->order->survey_result == HL_SURVEY_SUCCEEDED &&
                      (builder->order->rating == HL_RATING_DISSATISFIED ||
                       builder->order->rating == HL_RATING_VERY_DISSATISFIED);
            return HL_OK;
        }
        at += 7200 + random_below(4 * 3600);
    }
    return HL_OK; /* two unanswered calls: the survey goes on later, not in this store */
}

/* Fills the registration of order number `id`, received at `received_at`. */
static void fill_registration(hl_order *order, int64_t id, hl_time received_at)
{
    memset(order, 0, sizeof *order);
    order->id = id;
    order->received_at = received_at;
    unsigned channel_roll = random_below(100);
    order->channel = channel_roll < 70   ? HL_CHANNEL_PHONE
                     : channel_roll < 85 ? HL_CHANNEL_WECHAT
                     : channel_roll < 93 ? HL_CHANNEL_APP
                                         : HL_CHANNEL_WEB;
    unsigned type_roll = random_below(100);
    order->type = type_roll < 35   ? HL_TYPE_INQUIRY
                  : type_roll < 55 ? HL_TYPE_HELP
                  : type_roll < 83 ? HL_TYPE_COMPLAINT
                  : type_roll < 90 ? HL_TYPE_REPORT
                  : type_roll < 98 ? HL_TYPE_SUGGESTION
                                   : HL_TYPE_PRAISE;
    const char *title = PICK(titles);
    const char *street = PICK(streets);
    unsigned number = 1 + random_below(300);
    snprintf(order->citizen_name, sizeof order->citizen_name, "%s%s", PICK(surnames),
             random_below(2) == 0 ? "先生" : "女士");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "139%08u", random_below(100000000));
    snprintf(order->address, sizeof order->address, "太原市%s%u号", street, number);
    snprintf(order->title, sizeof order->title, "%s", title);
    snprintf(order->content, sizeof order->content,
             "市民来电反映：太原市%s%u号附近%s，该问题已持续%u天，%s%s", street, number, title,
             2 + random_below(20), PICK(impacts), PICK(requests));
}

/* One order's whole life, in memory: the order as it ends and its log. */
static int build_order(order_builder *builder, int64_t id, hl_time received_at)
{
    const build_cast *cast = builder->cast;
    hl_order *order = builder->order;
    builder->event_count = 0;
    fill_registration(order, id, received_at);
    int result = apply_step(builder, HL_ACTION_REGISTER, &cast->agents[id % 2], NULL, received_at);

    size_t unit_index = pick_unit(cast);
    hl_action_input dispatch = {0};
    dispatch.unit = cast->units[unit_index].code;
    if (result == HL_OK)
        result = apply_step(builder, HL_ACTION_DISPATCH, &cast->dispatcher, &dispatch,
                            received_at + 600 + random_below(3000));
    const hl_user *handler = &cast->handlers[unit_index];
    for (int round = 0; result == HL_OK && round < MAX_ROUNDS; round++) {
        /* One in twelve signs for late. */
        hl_time sign_at = random_below(12) == 0
                              ? order->sign_deadline + 3600 + random_below(3 * 3600)
                              : last_event_at(builder) + 1800 + random_below(6 * 3600);
        result = apply_step(builder, HL_ACTION_SIGN, handler, NULL, sign_at);
        if (result == HL_OK && round == 0 && random_below(3) == 0) {
            hl_action_input note = {0};
            note.note = PICK(progress_notes);
            result = apply_step(builder, HL_ACTION_HANDLE, handler, &note,
                                last_event_at(builder) + 7200 + random_below(20 * 3600));
        }
        if (result != HL_OK)
            break;
        /* Nine in ten complete within the limit. */
        hl_time signed_at = last_event_at(builder);
        hl_time complete_at;
        if (random_below(10) != 0) {
            hl_time window = order->handle_deadline - signed_at;
            complete_at =
                signed_at + 3 * 3600 +
                (window > 4 * 3600 ? (hl_time)random_below((uint32_t)(window - 4 * 3600)) : 0);
        } else {
            complete_at = order->handle_deadline + 3600 + random_below(3 * 86400);
        }
        if (complete_at <= signed_at)
            complete_at = signed_at + 600;
        hl_action_input completion = {0};
        completion.note = PICK(replies);
        result = apply_step(builder, HL_ACTION_COMPLETE, handler, &completion, complete_at);
        bool reopen = false;
        if (result == HL_OK)
            result = run_survey(builder, unit_index, round, &reopen);
        if (result != HL_OK || !reopen)
            break;
        /* What hl_app_act_within does after a dissatisfied survey
         * (limits.reopen_dissatisfied): the surveyor reopens at once. */
        hl_action_input reopening = {0};
        reopening.note = "回访不满意，自动重办";
        result = apply_step(builder, HL_ACTION_REOPEN, &cast->surveyor, &reopening,
                            last_event_at(builder));
    }
    return result;
}

/* Writes the order as it ends and its log, and adds the log's counters to
 * the batch's rollups, as hl_app_store_registration and act do. */
static int write_order(order_builder *builder)
{
    int result = hl_store_order_insert(builder->app->store, builder->order, &builder->error);
    for (size_t index = 0; result == HL_OK && index < builder->event_count; index++) {
        result =
            hl_store_event_append(builder->app->store, &builder->events[index], &builder->error);
        hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
        size_t count = hl_rollup_of_event(&builder->events[index], deltas);
        for (size_t delta = 0; delta < count; delta++)
            hl_rollup_map_add(builder->rollups, &deltas[delta]);
    }
    return result;
}

typedef struct build_figures {
    double seconds;
    long long orders;
    long long events;
} build_figures;

/* Orders come in from 08:00 to 20:00 every day of the half year, evenly,
 * numbered in order of receipt within their day. */
static int build_store(const char *store_path, long order_count, build_figures *figures)
{
    hl_error error;
    hl_error_clear(&error);
    hl_app *app = NULL;
    int result = hl_app_open_keyed(store_path, key_file, &app, &error);
    if (result == HL_OK)
        result = hl_app_init(app, &error);
    if (result == HL_OK)
        result =
            hl_transfer_load_units(app, hl_demo_units_csv, hl_demo_units_csv_size, NULL, &error);
    if (result == HL_OK)
        result =
            hl_transfer_load_users(app, hl_demo_users_csv, hl_demo_users_csv_size, NULL, &error);
    build_cast *cast = hl_xcalloc(1, sizeof *cast);
    if (result == HL_OK)
        result = load_cast(app, cast, &error);
    if (result != HL_OK) {
        fprintf(stderr, "bench_bulletin: preparing the store: %s\n", error.message);
        free(cast);
        hl_app_close(app);
        return -1;
    }

    order_builder builder = {0};
    builder.app = app;
    builder.cast = cast;
    builder.context.calendar = &app->calendar;
    builder.context.limits = &app->limits;
    builder.order = hl_xmalloc(sizeof *builder.order);
    builder.events = hl_xmalloc(MAX_EVENTS_PER_ORDER * sizeof *builder.events);
    builder.rollups = hl_rollup_map_new();
    hl_error_clear(&builder.error);

    int32_t first_day = hl_clock_day_from_civil(FIRST_YEAR, 1, 1);
    double started = bench_monotonic_seconds();
    long built = 0;
    while (result == HL_OK && built < order_count) {
        long batch_end = built + BATCH_ORDERS < order_count ? built + BATCH_ORDERS : order_count;
        /* Bulk mode for the batch (one sync at its end), then out of it, so
         * that its WAL is checkpointed and cut back before the next batch. */
        hl_store_set_bulk(app->store, true);
        result = hl_app_begin(app, &builder.error);
        for (long index = built; result == HL_OK && index < batch_end; index++) {
            long day = (long)((long long)index * DAYS_OF_ORDERS / order_count);
            long long day_first =
                ((long long)day * order_count + DAYS_OF_ORDERS - 1) / DAYS_OF_ORDERS;
            long long day_next =
                ((long long)(day + 1) * order_count + DAYS_OF_ORDERS - 1) / DAYS_OF_ORDERS;
            long long of_day = day_next - day_first, within = index - day_first;
            hl_time received_at = hl_clock_start_of_day(first_day + (int32_t)day) + 8 * 3600 +
                                  (hl_time)(within * 12 * 3600 / (of_day > 0 ? of_day : 1));
            int64_t id = hl_order_number_prefix(received_at) + within + 1;
            result = build_order(&builder, id, received_at);
            if (result == HL_OK)
                result = write_order(&builder);
            figures->events += (long long)builder.event_count;
        }
        if (result == HL_OK)
            result = hl_app_flush_rollups(app, builder.rollups, &builder.error);
        result = hl_app_finish(app, result, &builder.error);
        hl_rollup_map_clear(builder.rollups);
        hl_store_set_bulk(app->store, false);
        built = batch_end;
        if (result == HL_OK) {
            char done[32], rate[32];
            bench_format_grouped((double)built, done, sizeof done);
            bench_format_grouped((double)built / (bench_monotonic_seconds() - started), rate,
                                 sizeof rate);
            printf("  built %s orders, %s orders/s\n", done, rate);
            fflush(stdout);
        }
    }
    figures->seconds = bench_monotonic_seconds() - started;
    figures->orders = built;
    if (result != HL_OK)
        fprintf(stderr, "bench_bulletin: building the store: %s\n", builder.error.message);
    hl_rollup_map_free(builder.rollups);
    free(builder.events);
    free(builder.order);
    free(cast);
    hl_app_close(app);
    return result == HL_OK ? 0 : -1;
}

/* ---- hotline's bulletin ---- */

typedef struct unit_figures {
    char unit[HL_CODE_BYTES];
    long long base, succeeded, satisfied;
} unit_figures;

typedef struct figure_list {
    unit_figures items[MAX_UNITS * 2];
    size_t count;
} figure_list;

typedef struct bulletin_run {
    double open_ms, build_ms, render_ms, close_ms, total_ms;
    long long disk_read_bytes; /* read from the disk, not the page cache; -1 when unknown */
} bulletin_run;

/* What this process has read from the disk so far (Linux: read_bytes of
 * /proc/self/io, which counts reads that missed the page cache), or -1. */
static long long disk_bytes_read(void)
{
    FILE *in = fopen("/proc/self/io", "r");
    if (in == NULL)
        return -1;
    char line[128];
    long long bytes = -1;
    while (fgets(line, sizeof line, in) != NULL)
        if (strncmp(line, "read_bytes:", 11) == 0)
            bytes = strtoll(line + 11, NULL, 10);
    fclose(in);
    return bytes;
}

static void print_bulletin_run(const char *label, const bulletin_run *run)
{
    printf("  %-26s %6.1f ms: open %.1f, report %.1f, render %.1f, close %.1f", label,
           run->total_ms, run->open_ms, run->build_ms, run->render_ms, run->close_ms);
    if (run->disk_read_bytes >= 0)
        printf("; %.0f KiB read from the disk", (double)run->disk_read_bytes / 1024);
    printf("\n");
}

/* The bulletin as a user gets it from a process that has just started:
 * open the store, read the policy, build the month, render it twice, close. */
static int time_bulletin(const char *store_path, int month, bulletin_run *run, figure_list *figures,
                         hl_assessment_policy *policy_used, hl_buf *text, hl_buf *json)
{
    hl_error error;
    hl_error_clear(&error);
    hl_app *app = NULL;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    hl_assessment_policy policy;
    bool built = false;
    hl_buf_reset(text);
    hl_buf_reset(json);
    /* In the bulletin's own language, as `hotline report` writes it. */
    hl_lang saved_language = hl_i18n_get();
    hl_i18n_set(HL_LANG_ZH);

    long long read_before = disk_bytes_read();
    double started = bench_monotonic_seconds();
    int result = hl_app_open_keyed(store_path, key_file, &app, &error);
    double opened = bench_monotonic_seconds();
    if (result == HL_OK)
        result = hl_report_policy(app, &policy, &error);
    if (result == HL_OK)
        result = hl_report_build(app, month, &policy, &assessment, &meta, &error);
    built = result == HL_OK;
    double computed = bench_monotonic_seconds();
    if (result == HL_OK)
        result = hl_render_bulletin(&assessment, &meta, HL_RENDER_TEXT, text, &error);
    if (result == HL_OK)
        result = hl_render_bulletin(&assessment, &meta, HL_RENDER_JSON, json, &error);
    double rendered = bench_monotonic_seconds();
    if (built && figures != NULL) {
        figures->count = 0;
        for (size_t index = 0;
             index < assessment.unit_count && figures->count < BENCH_COUNT_OF(figures->items);
             index++) {
            const hl_unit_result *unit = &assessment.units[index];
            unit_figures *into = &figures->items[figures->count++];
            snprintf(into->unit, sizeof into->unit, "%s", unit->unit);
            into->base = unit->base;
            into->succeeded = unit->succeeded;
            into->satisfied = unit->satisfied;
        }
    }
    if (built)
        hl_assessment_free(&assessment);
    hl_app_close(app);
    double closed = bench_monotonic_seconds();
    hl_i18n_set(saved_language);

    if (result != HL_OK) {
        fprintf(stderr, "bench_bulletin: bulletin: %s\n", error.message);
        return -1;
    }
    if (policy_used != NULL)
        *policy_used = policy;
    long long read_after = disk_bytes_read();
    run->open_ms = (opened - started) * 1e3;
    run->build_ms = (computed - opened) * 1e3;
    run->render_ms = (rendered - computed) * 1e3;
    run->close_ms = (closed - rendered) * 1e3;
    run->total_ms = (closed - started) * 1e3;
    run->disk_read_bytes = read_before >= 0 && read_after >= 0 ? read_after - read_before : -1;
    return 0;
}

/* Drops the store's pages from the page cache (they are clean: the build
 * synced them), so that the first bulletin reads from the disk. Only this
 * file is touched, not the machine's whole cache. */
static void evict_from_page_cache(const char *path)
{
    int descriptor = open(path, O_RDONLY);
    if (descriptor < 0)
        return;
    fdatasync(descriptor);
    posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED);
    close(descriptor);
}

/* ---- the peers: child processes ---- */

/* Runs the sqlite3 CLI read-only on the store with one SQL text. */
static int run_sqlite3(const char *sqlite3, const char *store_path, const char *sql,
                       const char *stdout_path, bench_child_run *run)
{
    char *argv[] = {(char *)sqlite3, "-batch", "-readonly", (char *)store_path, (char *)sql, NULL};
    return bench_run_child(argv, NULL, stdout_path, false, run);
}

/* Reads "unit<separator>base<separator>succeeded<separator>satisfied" lines;
 * with a prefix, only the lines that start with it (the prefix is cut). */
static void read_figures(const char *path, const char *prefix, char separator, figure_list *figures)
{
    figures->count = 0;
    char *text = NULL;
    size_t length = 0;
    hl_error error;
    if (hl_file_read_all(path, (size_t)1 << 24, &text, &length, &error) != HL_OK)
        return;
    size_t prefix_length = prefix != NULL ? strlen(prefix) : 0;
    char *line = text;
    while (line != NULL && *line != '\0' && figures->count < BENCH_COUNT_OF(figures->items)) {
        char *end = strchr(line, '\n');
        if (end != NULL)
            *end = '\0';
        if (prefix == NULL || strncmp(line, prefix, prefix_length) == 0) {
            char *field = line + prefix_length;
            char *cut = strchr(field, separator);
            if (cut != NULL && (size_t)(cut - field) < HL_CODE_BYTES) {
                unit_figures *into = &figures->items[figures->count];
                memcpy(into->unit, field, (size_t)(cut - field));
                into->unit[cut - field] = '\0';
                char *cursor = cut + 1;
                long long *values[] = {&into->base, &into->succeeded, &into->satisfied};
                size_t parsed = 0;
                for (; parsed < 3; parsed++) {
                    char *number_end = NULL;
                    *values[parsed] = strtoll(cursor, &number_end, 10);
                    if (number_end == cursor)
                        break;
                    cursor = *number_end == separator ? number_end + 1 : number_end;
                }
                if (parsed == 3)
                    figures->count++;
            }
        }
        line = end != NULL ? end + 1 : NULL;
    }
    free(text);
}

/* Whether a peer found, for every unit, the base, surveys succeeded and
 * citizens satisfied that hotline's bulletin shows; says what differs. */
static bool figures_agree(const char *peer, const figure_list *hotline, const figure_list *other)
{
    size_t differences = 0;
    for (size_t index = 0; index < hotline->count; index++) {
        const unit_figures *mine = &hotline->items[index];
        const unit_figures *theirs = NULL;
        for (size_t search = 0; search < other->count && theirs == NULL; search++)
            if (strcmp(other->items[search].unit, mine->unit) == 0)
                theirs = &other->items[search];
        bool empty = mine->base == 0 && mine->succeeded == 0 && mine->satisfied == 0;
        if (theirs == NULL ? !empty
                           : theirs->base != mine->base || theirs->succeeded != mine->succeeded ||
                                 theirs->satisfied != mine->satisfied) {
            if (differences++ < 5)
                fprintf(
                    stderr,
                    "bench_bulletin: %s: unit %s: hotline %lld/%lld/%lld, peer %lld/%lld/%lld\n",
                    peer, mine->unit, mine->base, mine->succeeded, mine->satisfied,
                    theirs ? theirs->base : -1, theirs ? theirs->succeeded : -1,
                    theirs ? theirs->satisfied : -1);
        }
    }
    for (size_t index = 0; index < other->count; index++) {
        bool known = false;
        for (size_t search = 0; search < hotline->count && !known; search++)
            known = strcmp(hotline->items[search].unit, other->items[index].unit) == 0;
        if (!known && other->items[index].base != 0 && differences++ < 5)
            fprintf(stderr, "bench_bulletin: %s: unit %s has figures hotline does not show\n", peer,
                    other->items[index].unit);
    }
    return differences == 0 && other->count > 0;
}

/* bench_bulletin_pg.c's check: psql prints the figures as the sqlite3 CLI does. */
static bool output_agrees(const char *peer, const char *output_path, void *hotline)
{
    figure_list figures;
    read_figures(output_path, NULL, '|', &figures);
    return figures_agree(peer, hotline, &figures);
}

/* The satisfied ratings of the policy, as SQL's IN list wants them. */
static void satisfied_ratings(const hl_assessment_policy *policy, char *out, size_t size)
{
    if (policy->basic_counts_satisfied)
        snprintf(out, size, "%d,%d,%d", HL_RATING_VERY_SATISFIED, HL_RATING_SATISFIED,
                 HL_RATING_BASIC);
    else
        snprintf(out, size, "%d,%d", HL_RATING_VERY_SATISFIED, HL_RATING_SATISFIED);
}

/* The rollup path: one month's counters, summed per unit, as the bulletin reads them. */
static void rollup_sql(hl_buf *sql, int month, const hl_assessment_policy *policy)
{
    hl_buf_appendf(sql,
                   "SELECT unit, coalesce(sum(value) FILTER (WHERE counter = '%s'), 0),"
                   " coalesce(sum(value) FILTER (WHERE counter = '%s'), 0),"
                   " coalesce(sum(value) FILTER (WHERE counter IN ('%s', '%s'",
                   hl_rollup_counter_name(HL_COUNTER_SURVEYED),
                   hl_rollup_counter_name(HL_COUNTER_SURVEY_SUCCEEDED),
                   hl_rollup_counter_name(HL_COUNTER_RATED_VERY_SATISFIED),
                   hl_rollup_counter_name(HL_COUNTER_RATED_SATISFIED));
    if (policy->basic_counts_satisfied)
        hl_buf_appendf(sql, ", '%s'", hl_rollup_counter_name(HL_COUNTER_RATED_BASIC));
    hl_buf_appendf(
        sql, ")), 0) FROM rollups WHERE month = %d AND unit <> '' GROUP BY unit ORDER BY unit;",
        month);
}

/* From scratch: what rollup.c counts for the month, recomputed from the
 * whole log (no index helps: every event is read). */
static void events_sql(hl_buf *sql, int month, const hl_assessment_policy *policy)
{
    char ratings[16];
    satisfied_ratings(policy, ratings, sizeof ratings);
    unsigned concluded = HL_EVENT_SURVEY_CONCLUDED,
             reached = HL_EVENT_SURVEY_CONCLUDED | HL_EVENT_SURVEY_REACHED;
    hl_buf_appendf(
        sql,
        "SELECT unit, coalesce(sum(sign) FILTER (WHERE (flags & %u) = %u), 0),"
        " coalesce(sum(sign) FILTER (WHERE (flags & %u) = %u), 0),"
        " coalesce(sum(sign) FILTER (WHERE (flags & %u) = %u AND rating IN (%s)), 0)"
        " FROM (SELECT unit, flags, rating, CASE action WHEN '%s' THEN 1 ELSE -1 END AS sign"
        " FROM events WHERE action IN ('%s', '%s') AND period = %d AND (flags & %u) = 0)"
        " WHERE unit <> '' GROUP BY unit ORDER BY unit;",
        concluded, concluded, reached, reached, reached, reached, ratings,
        hl_workflow_rule_of(HL_ACTION_SURVEY)->name, hl_workflow_rule_of(HL_ACTION_SURVEY)->name,
        hl_workflow_rule_of(HL_ACTION_APPEAL_UPHOLD)->name, month, (unsigned)HL_EVENT_EXCLUDED);
}

/* What verify recomputes, in SQL (as bench_import's peer): every event
 * counted by local month, unit and action (printed as the sum of those
 * counts, the events read), then the orders whose last event is not their
 * version. */
static const char peer_recount[] =
    "SELECT sum(n) FROM (SELECT strftime('%Y%m', at, 'unixepoch', '+8 hours') AS month, unit, "
    "action,"
    " count(*) AS n FROM events GROUP BY 1, 2, 3);"
    "SELECT count(*) FROM (SELECT order_id, max(seq) AS last FROM events GROUP BY order_id)"
    " JOIN orders ON orders.id = order_id WHERE last <> orders.version;";

typedef struct sqlite_figures {
    double start_ms;   /* `select 1`: process start and opening the store, median */
    double rollups_ms; /* median */
    double events_ms;  /* once */
    bool rollups_agree, events_agree;
    double recount_seconds;
    long long recounted, version_mismatches;
} sqlite_figures;

static int run_sqlite_peer(const char *sqlite3, const char *directory, const char *store_path,
                           int month, const hl_assessment_policy *policy,
                           const figure_list *hotline, bool whole_log, sqlite_figures *figures)
{
    char output_path[BENCH_PATH_BYTES];
    bench_join_path(output_path, sizeof output_path, directory, "peer-output.txt");
    double start_runs[PEER_RUNS], rollup_runs[PEER_RUNS];
    bench_child_run run;
    hl_buf sql;
    hl_buf_init(&sql);
    int failed = 0;
    /* The query and the empty statement take turns, so that both see the
     * same machine: the query's own share is about a millisecond, less than
     * the process start it is measured beside. Timed runs print to
     * /dev/null, as hotline renders to memory; one more run, untimed,
     * writes the figures for the check. */
    rollup_sql(&sql, month, policy);
    for (int index = 0; failed == 0 && index < PEER_RUNS; index++) {
        failed = run_sqlite3(sqlite3, store_path, "SELECT 1;", NULL, &run);
        start_runs[index] = run.seconds * 1e3;
        if (failed == 0)
            failed = run_sqlite3(sqlite3, store_path, sql.data, NULL, &run);
        rollup_runs[index] = run.seconds * 1e3;
    }
    if (failed == 0)
        failed = run_sqlite3(sqlite3, store_path, sql.data, output_path, &run);
    figure_list peer;
    if (failed == 0) {
        figures->start_ms = bench_median(start_runs, PEER_RUNS);
        figures->rollups_ms = bench_median(rollup_runs, PEER_RUNS);
        read_figures(output_path, NULL, '|', &peer);
        figures->rollups_agree = figures_agree("sqlite3 rollups", hotline, &peer);
        printf("  sqlite3 CLI, rollups: %.2f ms, `select 1`: %.2f ms (medians of %d, taking "
               "turns); figures %s\n",
               figures->rollups_ms, figures->start_ms, PEER_RUNS,
               figures->rollups_agree ? "agree" : "DIFFER");
        fflush(stdout);
    }
    if (failed == 0 && whole_log) {
        hl_buf_reset(&sql);
        events_sql(&sql, month, policy);
        failed = run_sqlite3(sqlite3, store_path, sql.data, output_path, &run);
        figures->events_ms = run.seconds * 1e3;
    }
    if (failed == 0 && whole_log) {
        read_figures(output_path, NULL, '|', &peer);
        figures->events_agree = figures_agree("sqlite3 events", hotline, &peer);
        printf("  sqlite3 CLI, from the event log: %.1f s, figures %s\n", figures->events_ms / 1e3,
               figures->events_agree ? "agree" : "DIFFER");
        fflush(stdout);
    }
    hl_buf_free(&sql);
    return failed;
}

/* ---- DuckDB, from npm, through node ---- */

typedef struct duckdb_figures {
    bool ran;
    char why_not[BENCH_PATH_BYTES + 128];
    char version[32];
    double export_seconds;
    long long export_bytes;
    double process_ms, startup_ms, rollups_ms, csv_ms, load_ms, table_ms;
    bool rollups_agree, csv_agree, table_agree;
} duckdb_figures;

/* The script lives beside this file; the build passes __FILE__ as an
 * absolute path, so the default needs no configuration. */
static void default_duckdb_script(char *out, size_t size)
{
    const char *slash = strrchr(__FILE__, '/');
    int directory_length = slash != NULL ? (int)(slash - __FILE__) : 1;
    snprintf(out, size, "%.*s/duckdb_bulletin.mjs", directory_length,
             slash != NULL ? __FILE__ : ".");
}

static double read_time(const char *path, const char *label)
{
    char *text = NULL;
    size_t length = 0;
    hl_error error;
    double value = -1;
    if (hl_file_read_all(path, (size_t)1 << 24, &text, &length, &error) != HL_OK)
        return value;
    char key[64];
    snprintf(key, sizeof key, "time\t%s\t", label);
    char *found = strstr(text, key);
    if (found != NULL)
        value = strtod(found + strlen(key), NULL);
    free(text);
    return value;
}

static void read_version(const char *path, char *out, size_t size)
{
    char *text = NULL;
    size_t length = 0;
    hl_error error;
    snprintf(out, size, "?");
    if (hl_file_read_all(path, (size_t)1 << 24, &text, &length, &error) != HL_OK)
        return;
    if (strncmp(text, "version\t", 8) == 0)
        snprintf(out, size, "%.*s", (int)strcspn(text + 8, "\n"), text + 8);
    free(text);
}

static int run_duckdb_peer(const char *sqlite3, const char *node, const char *script,
                           const char *directory, const char *store_path, int month,
                           const hl_assessment_policy *policy, const figure_list *hotline,
                           duckdb_figures *figures)
{
    if (access(script, R_OK) != 0) {
        snprintf(figures->why_not, sizeof figures->why_not, "%s not found", script);
        return 0;
    }
    /* DuckDB would read the SQLite file through its sqlite extension, which
     * it downloads at run time; this machine cannot reach DuckDB's servers,
     * so the tables go through CSV, written by the sqlite3 CLI. */
    char events_path[BENCH_PATH_BYTES], rollups_path[BENCH_PATH_BYTES],
        output_path[BENCH_PATH_BYTES];
    bench_join_path(events_path, sizeof events_path, directory, "events.csv");
    bench_join_path(rollups_path, sizeof rollups_path, directory, "rollups.csv");
    bench_join_path(output_path, sizeof output_path, directory, "duckdb-output.txt");
    bench_child_run run;
    char *events_argv[] = {(char *)sqlite3,
                           "-batch",
                           "-readonly",
                           "-csv",
                           "-header",
                           (char *)store_path,
                           "SELECT unit, action, period, flags, rating FROM events;",
                           NULL};
    char *rollups_argv[] = {(char *)sqlite3,
                            "-batch",
                            "-readonly",
                            "-csv",
                            "-header",
                            (char *)store_path,
                            "SELECT month, unit, counter, value FROM rollups;",
                            NULL};
    if (bench_run_child(events_argv, NULL, events_path, false, &run) != 0) {
        snprintf(figures->why_not, sizeof figures->why_not, "exporting the events to CSV failed");
        return 0;
    }
    figures->export_seconds = run.seconds;
    if (bench_run_child(rollups_argv, NULL, rollups_path, false, &run) != 0) {
        snprintf(figures->why_not, sizeof figures->why_not, "exporting the rollups to CSV failed");
        return 0;
    }
    figures->export_seconds += run.seconds;
    figures->export_bytes = file_bytes(events_path) + file_bytes(rollups_path);
    printf("  exported the events and rollups to CSV for DuckDB: %.0f MB in %.1f s\n",
           (double)figures->export_bytes / 1e6, figures->export_seconds);
    fflush(stdout);

    char month_text[16], ratings[16];
    snprintf(month_text, sizeof month_text, "%d", month);
    satisfied_ratings(policy, ratings, sizeof ratings);
    char *node_argv[] = {(char *)node, (char *)script, events_path, rollups_path,
                         month_text,   ratings,        NULL};
    if (bench_run_child(node_argv, NULL, output_path, true, &run) != 0) {
        if (run.status == -1)
            snprintf(figures->why_not, sizeof figures->why_not, "cannot run %s", node);
        else if (run.status == 3)
            snprintf(figures->why_not, sizeof figures->why_not,
                     "@duckdb/node-api is not installed (npm install in bench/)");
        else
            snprintf(figures->why_not, sizeof figures->why_not,
                     "the DuckDB script failed (status %d)", run.status);
        return 0;
    }
    figures->ran = true;
    figures->process_ms = run.seconds * 1e3;
    read_version(output_path, figures->version, sizeof figures->version);
    figures->startup_ms = read_time(output_path, "startup_ms");
    figures->rollups_ms = read_time(output_path, "rollups_query_ms");
    figures->csv_ms = read_time(output_path, "csv_query_ms");
    figures->load_ms = read_time(output_path, "load_ms");
    figures->table_ms = read_time(output_path, "table_query_ms");
    figure_list peer;
    read_figures(output_path, "row\trollups\t", '\t', &peer);
    figures->rollups_agree = figures_agree("DuckDB rollups", hotline, &peer);
    read_figures(output_path, "row\tcsv\t", '\t', &peer);
    figures->csv_agree = figures_agree("DuckDB events CSV", hotline, &peer);
    read_figures(output_path, "row\ttable\t", '\t', &peer);
    figures->table_agree = figures_agree("DuckDB events table", hotline, &peer);
    printf("  DuckDB %s: rollups %.1f ms, events CSV %.1f s, events table %.1f s (load %.1f s); "
           "figures %s\n",
           figures->version, figures->rollups_ms, figures->csv_ms / 1e3, figures->table_ms / 1e3,
           figures->load_ms / 1e3,
           figures->rollups_agree && figures->csv_agree && figures->table_agree ? "agree"
                                                                                : "DIFFER");
    fflush(stdout);
    return 0;
}

/* ---- verify ---- */

typedef struct verify_figures {
    double seconds;
    long long events;
    long differences;
} verify_figures;

static int run_verify(const char *store_path, verify_figures *figures)
{
    hl_error error;
    hl_error_clear(&error);
    hl_app *app = NULL;
    int result = hl_app_open_keyed(store_path, key_file, &app, &error);
    if (result == HL_OK) {
        int64_t events = 0;
        double started = bench_monotonic_seconds();
        result = hl_verify_run(app, bench_report_verify_difference, &figures->differences, &events,
                               &error);
        figures->seconds = bench_monotonic_seconds() - started;
        figures->events = events;
    }
    /* Differences are reported, and the run goes on to print them. */
    if (result == HL_EMISMATCH)
        result = HL_OK;
    if (result != HL_OK)
        fprintf(stderr, "bench_bulletin: verify: %s\n", error.message);
    hl_app_close(app);
    return result == HL_OK ? 0 : -1;
}

/* ---- options ---- */

typedef struct options {
    long orders;
    bench_common_options common; /* --keep, --sqlite3 */
    const char *store;           /* an existing store: no build, unless an empty PostgreSQL one */
    const char *psql;            /* the peer on PostgreSQL */
    const char *node;
    char duckdb_script[BENCH_PATH_BYTES];
    bool duckdb;
    bool bulletin_only; /* no peer over the whole log, no verify */
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bench_bulletin [--orders N] [--keep] [--store PATH] [--sqlite3 PATH] [--node "
            "PATH]\n"
            "                      [--duckdb-script PATH] [--no-duckdb] [--bulletin-only] "
            "[--psql PATH]\n"
            "  --orders N            orders to build the store with (default %ld)\n"
            "  --keep                keep the temporary directory (store, CSV exports, bulletins)\n"
            "  --store PATH          use this store as it is (no build; never removed); a\n"
            "                        postgresql:// address is built when it has no orders, and\n"
            "                        its peer is psql (no sqlite3, DuckDB or verify)\n"
            "  --sqlite3 PATH        the peer's CLI (default: sqlite3 on PATH)\n"
            "  --node PATH           node, for the DuckDB peer (default: node on PATH)\n"
            "  --duckdb-script PATH  the DuckDB peer (default: duckdb_bulletin.mjs beside this "
            "source)\n"
            "  --no-duckdb           skip the DuckDB peer and its CSV exports\n"
            "  --bulletin-only       time the bulletin and the sqlite3 CLI's rollup query only\n"
            "                        (no DuckDB, no query over the whole log, no verify)\n"
            "  --psql PATH           the peer on PostgreSQL (default: psql on PATH; on Debian,\n"
            "                        $(pg_config --bindir)/psql skips the Perl wrapper's start)\n"
            "HOTLINE_KEY_FILE names the key of a PostgreSQL store's phone numbers (made when\n"
            "missing).\n",
            DEFAULT_ORDERS);
}

static int parse_options(int argc, char **argv, options *parsed)
{
    parsed->orders = DEFAULT_ORDERS;
    bench_common_options_init(&parsed->common);
    parsed->store = NULL;
    parsed->node = "node";
    parsed->psql = "psql";
    parsed->duckdb = true;
    parsed->bulletin_only = false;
    default_duckdb_script(parsed->duckdb_script, sizeof parsed->duckdb_script);
    for (int index = 1; index < argc; index++) {
        const char *value = NULL;
        if ((value = bench_option_value(argc, argv, &index, "--orders")) != NULL) {
            /* 182 days of at most 999,999 orders each. */
            if (bench_parse_count(value, "--orders", 1000, 100000000L, &parsed->orders) != 0)
                return -1;
        } else if ((value = bench_option_value(argc, argv, &index, "--store")) != NULL) {
            parsed->store = value;
        } else if ((value = bench_option_value(argc, argv, &index, "--node")) != NULL) {
            parsed->node = value;
        } else if ((value = bench_option_value(argc, argv, &index, "--psql")) != NULL) {
            parsed->psql = value;
        } else if ((value = bench_option_value(argc, argv, &index, "--duckdb-script")) != NULL) {
            snprintf(parsed->duckdb_script, sizeof parsed->duckdb_script, "%s", value);
        } else if (strcmp(argv[index], "--no-duckdb") == 0) {
            parsed->duckdb = false;
        } else if (strcmp(argv[index], "--bulletin-only") == 0) {
            parsed->bulletin_only = true;
            parsed->duckdb = false;
        } else if (!bench_take_common_option(argc, argv, &index, &parsed->common, usage)) {
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

/* Refuses politely when the disk has less than three times what the run
 * will write. */
static bool enough_disk(const char *directory, double needed_bytes)
{
    struct statvfs disk;
    if (statvfs(directory, &disk) != 0)
        return true; /* cannot tell: let the run find out */
    double available = (double)disk.f_bavail * (double)disk.f_frsize;
    if (available >= 3 * needed_bytes)
        return true;
    fprintf(
        stderr,
        "bench_bulletin: this run writes about %.1f GB in %s, and only %.1f GB are free; it wants\n"
        "three times its need free (%.1f GB). Set TMPDIR to a larger disk, or use --orders to\n"
        "build a smaller store.\n",
        needed_bytes / 1e9, directory, available / 1e9, 3 * needed_bytes / 1e9);
    return false;
}

static long long count_orders(const char *store_path)
{
    hl_error error;
    hl_app *app = NULL;
    int64_t count = -1;
    hl_order_filter all = {0};
    if (hl_app_open_keyed(store_path, key_file, &app, &error) == HL_OK &&
        hl_store_order_count(app->store, &all, &count, &error) != HL_OK)
        count = -1;
    hl_app_close(app);
    return count;
}

static void format_ms(double milliseconds, char *out, size_t size)
{
    if (milliseconds == NOT_MEASURED)
        snprintf(out, size, "-");
    else if (milliseconds <= 0)
        snprintf(out, size, "~0"); /* a difference of two noisy figures */
    else
        snprintf(out, size, milliseconds < 10 ? "%.2f" : "%.1f", milliseconds);
}

static const bench_table result_table = {44, 10, 12, 9};

/* One row of times; the ratio is hotline / peer, written "1/N" when hotline
 * is more than a hundred times faster. */
static void print_time_row(const char *what, double hotline_ms, double peer_ms, const char *target,
                           bool met)
{
    char hotline_text[32], peer_text[32], ratio_text[32] = "";
    format_ms(hotline_ms, hotline_text, sizeof hotline_text);
    format_ms(peer_ms, peer_text, sizeof peer_text);
    if (hotline_ms > 0 && peer_ms > 0) {
        double ratio = hotline_ms / peer_ms;
        if (ratio >= 0.01) {
            snprintf(ratio_text, sizeof ratio_text, "%.2f", ratio);
        } else {
            char times[24];
            bench_format_grouped(peer_ms / hotline_ms, times, sizeof times);
            snprintf(ratio_text, sizeof ratio_text, "1/%s", times);
        }
    }
    bench_table_target_row(&result_table, what, hotline_text, peer_text, ratio_text, target, met);
}

int main(int argc, char **argv)
{
    bench_support_set_program("bench_bulletin");
    options opts;
    if (parse_options(argc, argv, &opts) != 0)
        return 2;
    hl_i18n_set(HL_LANG_EN);

    char directory[BENCH_PATH_BYTES];
    if (bench_make_work_directory("bulletin", directory, sizeof directory) != 0)
        return 1;
    char store_path[BENCH_PATH_BYTES];
    if (opts.store != NULL)
        snprintf(store_path, sizeof store_path, "%s", opts.store);
    else
        bench_join_path(store_path, sizeof store_path, directory, "hotline.db");

    int failed = 0;
    long long orders = opts.orders;
    bool postgres = opts.store != NULL && bulletin_pg_is_address(opts.store);
    /* A PostgreSQL database with no orders is built, so that one command
     * measures a fresh server; one with orders is used as it is. Its
     * address may carry a password: no message repeats it. */
    key_file = postgres ? getenv("HOTLINE_KEY_FILE") : NULL;
    long long postgres_orders = postgres && key_file != NULL ? count_orders(store_path) : -1;
    if (postgres && postgres_orders < 0) {
        fprintf(stderr, "bench_bulletin: cannot read the PostgreSQL store%s\n",
                key_file == NULL ? ": set HOTLINE_KEY_FILE to its key's file (made when missing)"
                                 : "");
        failed = -1;
    } else if (postgres && postgres_orders > 0) {
        orders = postgres_orders;
        printf("bench_bulletin: using the PostgreSQL store (%lld orders, %.2f GB)\n", orders,
               (double)bulletin_pg_database_bytes(opts.psql, store_path, directory) / 1e9);
    } else if (postgres) {
        /* The database's disk is the server's, not this program's to check. */
        printf("bench_bulletin: building a store of %ld orders in the PostgreSQL database\n",
               opts.orders);
    } else if (opts.store == NULL) {
        double needed = (double)opts.orders *
                            (STORE_BYTES_PER_ORDER + (opts.duckdb ? EXPORT_BYTES_PER_ORDER : 0)) +
                        BATCH_WAL_BYTES;
        if (!enough_disk(directory, needed)) {
            bench_remove_directory(directory);
            return 1;
        }
        printf("bench_bulletin: building a store of %ld orders in %s\n", opts.orders, directory);
    }
    bool build_first = opts.store == NULL || (postgres && postgres_orders == 0);
    if (failed == 0 && build_first) {
        fflush(stdout);
        /* In a child process, so that the bulletin is timed in a process
         * that has done nothing else, as `hotline report` is. */
        pid_t builder = fork();
        if (builder == 0) {
            build_figures build = {0};
            int built = build_store(store_path, opts.orders, &build);
            if (built == 0) {
                long long bytes = postgres
                                      ? bulletin_pg_database_bytes(opts.psql, store_path, directory)
                                      : file_bytes(store_path);
                printf("built %lld orders and %lld events in %.1f s: %.0f orders/s (information, "
                       "not a target);\n"
                       "the store takes %.2f GB, %.0f bytes per order\n",
                       build.orders, build.events, build.seconds,
                       (double)build.orders / build.seconds, (double)bytes / 1e9,
                       (double)bytes / (double)build.orders);
            }
            fflush(stdout);
            _exit(built == 0 ? 0 : 1);
        }
        int status = 0;
        if (builder < 0 || waitpid(builder, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            if (builder < 0)
                fprintf(stderr, "bench_bulletin: cannot start the builder: %s\n", strerror(errno));
            failed = -1;
        }
    } else if (!postgres) {
        orders = count_orders(store_path);
        printf("bench_bulletin: using the store %s (%lld orders, %.2f GB)\n", store_path, orders,
               (double)file_bytes(store_path) / 1e9);
        if (orders < 0) {
            fprintf(stderr, "bench_bulletin: cannot read the store %s\n", store_path);
            failed = -1;
        } else if (opts.duckdb &&
                   !enough_disk(directory, (double)orders * EXPORT_BYTES_PER_ORDER)) {
            failed = -1;
        }
    }
    fflush(stdout);

    /* The bulletin: first from a store evicted from the page cache (on
     * PostgreSQL, with the server's caches as they are), then BULLETIN_RUNS
     * more, each from a freshly opened store. */
    bulletin_run cold = {0}, warm[BULLETIN_RUNS];
    figure_list hotline_figures = {.count = 0};
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_buf text, json;
    hl_buf_init(&text);
    hl_buf_init(&json);
    if (failed == 0) {
        sync();
        if (!postgres)
            evict_from_page_cache(store_path);
        failed = time_bulletin(store_path, BULLETIN_MONTH, &cold, &hotline_figures, &policy, &text,
                               &json);
    }
    for (int index = 0; failed == 0 && index < BULLETIN_RUNS; index++)
        failed = time_bulletin(store_path, BULLETIN_MONTH, &warm[index], NULL, NULL, &text, &json);
    bulletin_run median = {0};
    if (failed == 0) {
        double total_runs[BULLETIN_RUNS], open_runs[BULLETIN_RUNS], build_runs[BULLETIN_RUNS],
            render_runs[BULLETIN_RUNS], close_runs[BULLETIN_RUNS];
        for (int index = 0; index < BULLETIN_RUNS; index++) {
            total_runs[index] = warm[index].total_ms;
            open_runs[index] = warm[index].open_ms;
            build_runs[index] = warm[index].build_ms;
            render_runs[index] = warm[index].render_ms;
            close_runs[index] = warm[index].close_ms;
        }
        median.total_ms = bench_median(total_runs, BULLETIN_RUNS);
        median.open_ms = bench_median(open_runs, BULLETIN_RUNS);
        median.build_ms = bench_median(build_runs, BULLETIN_RUNS);
        median.render_ms = bench_median(render_runs, BULLETIN_RUNS);
        median.close_ms = bench_median(close_runs, BULLETIN_RUNS);
        char text_path[BENCH_PATH_BYTES], json_path[BENCH_PATH_BYTES];
        bench_join_path(text_path, sizeof text_path, directory, "bulletin-2024-03.txt");
        bench_join_path(json_path, sizeof json_path, directory, "bulletin-2024-03.json");
        bench_write_file(text_path, text.data, text.len);
        bench_write_file(json_path, json.data, json.len);
        printf("bulletin 2024-03, %zu units, text %zu bytes + JSON %zu bytes:\n",
               hotline_figures.count, text.len, json.len);
        print_bulletin_run(postgres ? "first run" : "first run, store evicted", &cold);
        print_bulletin_run("median of 5", &median);
        fflush(stdout);
    }
    hl_buf_free(&text);
    hl_buf_free(&json);

    /* On PostgreSQL, psql's figures take the sqlite3 CLI's places below. */
    sqlite_figures sqlite = {0};
    const char *peer = postgres ? "psql" : "sqlite3";
    if (failed == 0 && postgres) {
        hl_buf sql;
        hl_buf_init(&sql);
        rollup_sql(&sql, BULLETIN_MONTH, &policy);
        bulletin_pg_figures psql = {0};
        failed = bulletin_pg_run_peer(opts.psql, store_path, directory, sql.data, PEER_RUNS,
                                      BULLETIN_MONTH, &policy, !opts.bulletin_only, output_agrees,
                                      &hotline_figures, &psql);
        hl_buf_free(&sql);
        sqlite = (sqlite_figures){.start_ms = psql.start_ms,
                                  .rollups_ms = psql.rollups_ms,
                                  .events_ms = psql.events_ms,
                                  .rollups_agree = psql.rollups_agree,
                                  .events_agree = psql.events_agree};
    } else if (failed == 0) {
        failed = run_sqlite_peer(opts.common.sqlite3, directory, store_path, BULLETIN_MONTH,
                                 &policy, &hotline_figures, !opts.bulletin_only, &sqlite);
    }
    duckdb_figures duckdb = {0};
    if (postgres)
        snprintf(duckdb.why_not, sizeof duckdb.why_not, "it reads the SQLite file");
    else if (failed == 0 && opts.duckdb)
        run_duckdb_peer(opts.common.sqlite3, opts.node, opts.duckdb_script, directory, store_path,
                        BULLETIN_MONTH, &policy, &hotline_figures, &duckdb);
    else if (!opts.duckdb)
        snprintf(duckdb.why_not, sizeof duckdb.why_not, "skipped (%s)",
                 opts.bulletin_only ? "--bulletin-only" : "--no-duckdb");
    if (failed == 0 && !duckdb.ran) {
        printf("  DuckDB: not measured: %s\n", duckdb.why_not);
        fflush(stdout);
    }

    verify_figures verify = {0};
    bool verified = !opts.bulletin_only && !postgres;
    if (failed == 0 && verified)
        failed = run_verify(store_path, &verify);
    if (failed == 0 && verified) {
        char count_path[BENCH_PATH_BYTES];
        bench_join_path(count_path, sizeof count_path, directory, "count.txt");
        bench_child_run recount;
        failed = run_sqlite3(opts.common.sqlite3, store_path, peer_recount, count_path, &recount);
        sqlite.recount_seconds = recount.seconds;
        long long counts[2];
        if (bench_read_counts(count_path, counts, 2) != 2)
            counts[0] = counts[1] = -1;
        sqlite.recounted = counts[0];
        sqlite.version_mismatches = counts[1];
    }

    if (failed == 0) {
        double start_ms = sqlite.start_ms;
        char order_text[32];
        bench_format_grouped((double)orders, order_text, sizeof order_text);
        printf("\n%s orders; times in ms; ratio = hotline / peer (below 1: hotline is faster)\n",
               order_text);
        bench_table_header(&result_table, postgres ? "psql" : "sqlite3 CLI");
        print_time_row("bulletin 2024-03, median of 5", median.total_ms, sqlite.rollups_ms,
                       "< 50 ms", median.total_ms < TARGET_BULLETIN_MS);
        print_time_row(postgres ? "  first run" : "  first run, store evicted from page cache",
                       cold.total_ms, NOT_MEASURED, "< 50 ms", cold.total_ms < TARGET_BULLETIN_MS);
        print_time_row("  peer without its start (select 1)", median.total_ms,
                       sqlite.rollups_ms - start_ms, "", true);
        print_time_row("  hotline without open and close", median.build_ms + median.render_ms,
                       sqlite.rollups_ms - start_ms, "", true);
        if (!opts.bulletin_only) {
            print_time_row("same figures from the whole event log", median.total_ms,
                           sqlite.events_ms, "", true);
            print_time_row("  peer without its start (select 1)", median.total_ms,
                           sqlite.events_ms - start_ms, "", true);
        }
        print_time_row(postgres ? "psql start + connect (select 1)"
                                : "sqlite3 start + open store (select 1)",
                       NOT_MEASURED, start_ms, "", true);
        if (duckdb.ran) {
            bench_table_row(&result_table, "", "", "DuckDB", NULL, NULL);
            print_time_row("DuckDB: rollups (query only)", median.total_ms, duckdb.rollups_ms, "",
                           true);
            print_time_row("DuckDB: events CSV (query only)", median.total_ms, duckdb.csv_ms, "",
                           true);
            print_time_row("DuckDB: events table (query only)", median.total_ms, duckdb.table_ms,
                           "", true);
            print_time_row("DuckDB: loading the events CSV", NOT_MEASURED, duckdb.load_ms, "",
                           true);
            print_time_row("DuckDB: whole node process", NOT_MEASURED, duckdb.process_ms, "", true);
        }
        if (verified) {
            char hotline_rate[32], peer_rate[32], ratio[32];
            double verify_rate = (double)verify.events / verify.seconds;
            double recount_rate = (double)verify.events / sqlite.recount_seconds;
            bench_format_grouped(verify_rate, hotline_rate, sizeof hotline_rate);
            bench_format_grouped(recount_rate, peer_rate, sizeof peer_rate);
            snprintf(ratio, sizeof ratio, "%.2f", verify_rate / recount_rate);
            bench_table_row(&result_table, "verify, events/s", hotline_rate, peer_rate, ratio,
                            "(a rate: above 1, hotline is faster)");
        }
        printf("\nfigures (base, surveys succeeded, satisfied, per unit): %s rollups %s", peer,
               sqlite.rollups_agree ? "agree" : "DIFFER");
        if (!opts.bulletin_only)
            printf(", %s event log %s", peer, sqlite.events_agree ? "agree" : "DIFFER");
        if (duckdb.ran)
            printf(", DuckDB %s", duckdb.rollups_agree && duckdb.csv_agree && duckdb.table_agree
                                      ? "agree"
                                      : "DIFFER");
        printf(" with hotline's\n");
        if (!duckdb.ran)
            printf("DuckDB: not measured: %s\n", duckdb.why_not);
        else
            printf("DuckDB %s read CSV exports written by the sqlite3 CLI (%.0f MB in %.1f s, not "
                   "timed above):\n"
                   "its sqlite extension is downloaded at run time and this machine cannot reach "
                   "DuckDB's servers\n",
                   duckdb.version, (double)duckdb.export_bytes / 1e6, duckdb.export_seconds);
        if (verified) {
            printf("verify: hl_verify_run read %lld events in %.1f s (%ld differences); the "
                   "sqlite3 CLI recounted\n"
                   "%lld events by month, unit and action in %.1f s and found %lld orders whose "
                   "version is not\n"
                   "their last event\n",
                   verify.events, verify.seconds, verify.differences, sqlite.recounted,
                   sqlite.recount_seconds, sqlite.version_mismatches);
            if (verify.differences != 0 || sqlite.recounted != verify.events ||
                sqlite.version_mismatches != 0)
                fprintf(stderr, "bench_bulletin: the store does not agree with its log\n");
        }
    }
    bench_finish_directory(directory, opts.common.keep);
    return failed == 0 ? 0 : 1;
}
