/* test_demo.c: tests of src/demo/ (taiyuan_*.c, demo.c): February 2024 of
 * the Taiyuan hotline through the real pipeline. The plan must give the
 * published totals (25301 / 20914 / 12803) with every unit's satisfaction
 * rate strictly in the published order of its group; then, on a real
 * SQLite file, the orders are imported from the plan's CSV, driven through
 * their lifecycle, their survey calls imported from CSV (reopening the
 * dissatisfied ones), the reopened orders handled again and surveyed
 * again, two appeals decided, and the bulletin read back from the store
 * must state the published figures and list both groups exactly as
 * data/taiyuan-2024-02/units.csv does. The store must verify clean, and
 * work done on reopened orders in March must leave February's figures as
 * they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/app_internal.h"
#include "app/report.h"
#include "app/transfer.h"
#include "app/verify.h"
#include "base/csv.h"
#include "base/file.h"
#include "base/i18n.h"
#include "demo/demo.h"
#include "demo/taiyuan.h"
#include "domain/bulletin.h"
#include "report/render.h"
#include "test_support.h"

#define PARAGRAPH_FIGURES                                                                                                             \
    "对各网络单位办结事项25301件进行了电话调查，电话调查成功的共20914件（占确定基数的82.66%），" \
    "市民满意数12803件"

typedef struct published_unit {
    char group[128];
    int rank;
    char name[128];
} published_unit;

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
    hl_taiyuan_plan *plan;
    int64_t events; /* every event the pipeline wrote */
    published_unit published[64];
    size_t published_count;
} fixture;

static void must(int result, const hl_error *error, const char *what)
{
    if (result != HL_OK)
        fail_msg("%s: %s", what, error->message);
}

/* data/taiyuan-2024-02/units.csv: the two published ranking tables. */
static void read_published(fixture *fix)
{
    const char *source = getenv("HOTLINE_SOURCE_DIR");
    if (source == NULL)
        fail_msg("HOTLINE_SOURCE_DIR is not set (run the test through ctest)");
    char path[512];
    snprintf(path, sizeof path, "%s/data/taiyuan-2024-02/units.csv", source);
    char *data = NULL;
    size_t length = 0;
    hl_error error;
    must(hl_file_read_all(path, 1 << 20, &data, &length, &error), &error, path);
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, data, length);
    assert_int_equal(hl_csv_reader_next(&reader, &error), 1);
    assert_int_equal(reader.field_count, 3);
    assert_true(hl_slice_equal(reader.fields[0], "group") &&
                hl_slice_equal(reader.fields[1], "rank") &&
                hl_slice_equal(reader.fields[2], "unit"));
    while (hl_csv_reader_next(&reader, &error) == 1) {
        assert_true(fix->published_count < 64);
        published_unit *unit = &fix->published[fix->published_count++];
        snprintf(unit->group, sizeof unit->group, "%.*s", (int)reader.fields[0].len,
                 reader.fields[0].ptr);
        char rank[16];
        snprintf(rank, sizeof rank, "%.*s", (int)reader.fields[1].len, reader.fields[1].ptr);
        unit->rank = (int)strtol(rank, NULL, 10);
        snprintf(unit->name, sizeof unit->name, "%.*s", (int)reader.fields[2].len,
                 reader.fields[2].ptr);
    }
    hl_csv_reader_free(&reader);
    free(data);
    assert_int_equal(fix->published_count, 42);
}

static void keep_row_error(void *context, long line, const hl_error *row_error)
{
    (void)context;
    fprintf(stderr, "line %ld: %s\n", line, row_error->message);
}

/* The pipeline, once for the whole group: the demo directory, the plan,
 * import orders, round 1, its surveys (which reopen the dissatisfied
 * orders), round 2, its surveys, appeals. */
static int group_setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_ZH);
    read_published(fix);
    /* The embedded demo directory: its texts end with a NUL (cmake/embed.cmake). */
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               hl_demo_units_csv, hl_demo_categories_csv, hl_demo_users_csv);
    hl_error error;
    must(hl_taiyuan_configure(fix->app, &error), &error, "configure");
    must(hl_taiyuan_plan_build(&fix->app->calendar, &fix->app->limits, &fix->plan, &error), &error,
         "plan");

    hl_buf text;
    hl_buf_init(&text);
    hl_taiyuan_write_orders_csv(fix->plan, &text);
    int64_t count = 0;
    must(hl_transfer_import_orders(fix->app, "agent1", text.data, text.len, keep_row_error, NULL, 5,
                                   &count, &error),
         &error, "import orders");
    assert_int_equal(count, (int64_t)fix->plan->order_count);
    fix->events += count;

    hl_assessment_policy policy;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    must(hl_report_policy(fix->app, &policy, &error), &error, "policy");

    must(hl_taiyuan_run_lifecycle(fix->app, fix->plan, 1, &count, &error), &error, "lifecycle");
    fix->events += count;
    /* Before any survey the month has no base: nothing to publish yet. */
    assert_int_equal(
        hl_report_build(fix->app, HL_TAIYUAN_MONTH, &policy, &assessment, &meta, &error),
        HL_ENOTFOUND);

    for (int round = 1; round <= 2; round++) {
        if (round == 2) {
            /* The second round needs the reopenings the first surveys made. */
            must(hl_taiyuan_run_lifecycle(fix->app, fix->plan, 2, &count, &error), &error,
                 "second round");
            fix->events += count;
        }
        hl_buf_reset(&text);
        hl_taiyuan_write_surveys_csv(fix->plan, round, &text);
        must(hl_transfer_import_surveys(fix->app, "surveyor1", text.data, text.len, keep_row_error,
                                        NULL, 5, &count, &error),
             &error, "import surveys");
        assert_int_equal(count, fix->plan->calls[round - 1]);
        fix->events += count;
    }
    fix->events += fix->plan->dissatisfied; /* each dissatisfied survey reopened its order */

    must(hl_taiyuan_run_appeals(fix->app, fix->plan, &count, &error), &error, "appeals");
    assert_int_equal(count, 4);
    fix->events += count;
    hl_buf_free(&text);
    *state = fix;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fix = *state;
    if (fix == NULL)
        return 0;
    hl_taiyuan_plan_free(fix->plan);
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static bool rate_above(int64_t numerator_a, int64_t denominator_a, int64_t numerator_b,
                       int64_t denominator_b)
{
    return numerator_a * denominator_b > numerator_b * denominator_a;
}

static void test_plan_gives_the_published_totals_in_the_published_order(void **state)
{
    fixture *fix = *state;
    const hl_taiyuan_plan *plan = fix->plan;
    hl_error error;
    must(hl_taiyuan_plan_check(plan, &error), &error, "check");
    assert_int_equal(plan->unit_count, 42);
    int64_t base = 0, succeeded = 0, satisfied = 0;
    for (size_t unit = 0; unit < plan->unit_count; unit++) {
        const hl_taiyuan_unit *record = &plan->units[unit];
        base += record->base;
        succeeded += record->succeeded;
        satisfied += record->satisfied;
        assert_true(record->base >= record->succeeded);
        assert_true(record->succeeded >= record->satisfied);
        assert_true(record->satisfied > 0);
        assert_true(record->succeeded >= HL_TAIYUAN_MIN_REACHED);
        /* The plan's units are the published ones, in the published order. */
        assert_string_equal(record->name, fix->published[unit].name);
        assert_string_equal(record->group, fix->published[unit].group);
        assert_int_equal(record->rank, fix->published[unit].rank);
        if (unit > 0 && plan->units[unit - 1].group_index == record->group_index)
            assert_true(rate_above(plan->units[unit - 1].satisfied, plan->units[unit - 1].succeeded,
                                   record->satisfied, record->succeeded));
    }
    assert_int_equal(base, 25301);
    assert_int_equal(succeeded, 20914);
    assert_int_equal(satisfied, 12803);
    /* Orders: the base (some completed and surveyed twice), one excluded by
     * appeal, and the others outside it. */
    assert_int_equal(plan->kind_count[HL_TAIYUAN_BASE_ORDER] + plan->second_rounds, 25301);
    assert_true(plan->second_rounds > 0 && plan->second_rounds < plan->dissatisfied);
    assert_int_equal(plan->kind_count[HL_TAIYUAN_APPEALED], 1);
    assert_true(plan->kind_count[HL_TAIYUAN_INTAKE] > 0 &&
                plan->kind_count[HL_TAIYUAN_INVALID] > 0 &&
                plan->kind_count[HL_TAIYUAN_MERGED] > 0 && plan->kind_count[HL_TAIYUAN_OPEN] > 0);
    assert_true(plan->dissatisfied > 0);
}

static void test_plan_check_refuses_a_broken_order(void **state)
{
    fixture *fix = *state;
    hl_taiyuan_plan *plan = fix->plan;
    hl_error error;
    /* Swap the satisfied counts of the first two units of the first group:
     * the totals hold but the order does not. */
    hl_taiyuan_unit first = plan->units[0], second = plan->units[1];
    plan->units[0].satisfied = second.satisfied;
    plan->units[1].satisfied = first.satisfied;
    assert_int_equal(hl_taiyuan_plan_check(plan, &error), HL_EINVAL);
    plan->units[0] = first;
    plan->units[1] = second;
    /* One satisfied citizen too many. */
    plan->units[5].satisfied++;
    assert_int_equal(hl_taiyuan_plan_check(plan, &error), HL_EINVAL);
    plan->units[5].satisfied--;
    must(hl_taiyuan_plan_check(plan, &error), &error, "check after restoring");
}

static void test_plan_is_the_same_every_time(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_taiyuan_plan *again = NULL;
    must(hl_taiyuan_plan_build(&fix->app->calendar, &fix->app->limits, &again, &error), &error,
         "plan");
    hl_buf first, second;
    hl_buf_init(&first);
    hl_buf_init(&second);
    hl_taiyuan_write_orders_csv(fix->plan, &first);
    hl_taiyuan_write_surveys_csv(fix->plan, 1, &first);
    hl_taiyuan_write_surveys_csv(fix->plan, 2, &first);
    hl_taiyuan_write_orders_csv(again, &second);
    hl_taiyuan_write_surveys_csv(again, 1, &second);
    hl_taiyuan_write_surveys_csv(again, 2, &second);
    assert_int_equal(first.len, second.len);
    assert_memory_equal(first.data, second.data, first.len);
    hl_buf_free(&first);
    hl_buf_free(&second);
    hl_taiyuan_plan_free(again);
}

static void build_february(fixture *fix, hl_assessment *assessment, hl_bulletin_meta *meta)
{
    hl_error error;
    hl_assessment_policy policy;
    must(hl_report_policy(fix->app, &policy, &error), &error, "policy");
    must(hl_report_build(fix->app, HL_TAIYUAN_MONTH, &policy, assessment, meta, &error), &error,
         "report");
}

static char *render(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                    hl_render_format format)
{
    hl_buf text;
    hl_buf_init(&text);
    hl_error error;
    must(hl_render_bulletin(assessment, meta, format, &text, &error), &error, "render");
    return text.data;
}

static void test_bulletin_states_the_published_figures(void **state)
{
    fixture *fix = *state;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    build_february(fix, &assessment, &meta);
    assert_int_equal(assessment.base, 25301);
    assert_int_equal(assessment.succeeded, 20914);
    assert_int_equal(assessment.satisfied, 12803);
    assert_int_equal(assessment.appeal_upheld, 1);
    assert_string_equal(meta.title, "太原市人民政府12345政务服务便民热线");
    char *text = render(&assessment, &meta, HL_RENDER_TEXT);
    if (strstr(text, PARAGRAPH_FIGURES) == NULL || strstr(text, "平均满意率为61.22%") == NULL)
        fail_msg("the paragraph is not the published one:\n%.1200s", text);
    assert_non_null(strstr(text, "2024年2月1日至2月29日，市政府12345政务服务便民热线"));
    /* The footnote names the one order an upheld appeal took out. */
    assert_non_null(strstr(text, "不纳入考核 1 件"));
    assert_non_null(strstr(text, "小店区政府 1 件"));
    free(text);
    hl_assessment_free(&assessment);
}

/* data/taiyuan-2024-02/totals.json: the published totals and rates. */
static void test_totals_are_those_of_the_published_file(void **state)
{
    fixture *fix = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/data/taiyuan-2024-02/totals.json",
             getenv("HOTLINE_SOURCE_DIR"));
    json_error_t problem;
    json_t *totals = json_load_file(path, JSON_REJECT_DUPLICATES, &problem);
    if (totals == NULL)
        fail_msg("%s: %s", path, problem.text);
    hl_assessment assessment;
    hl_bulletin_meta meta;
    build_february(fix, &assessment, &meta);
    assert_string_equal(meta.title, json_string_value(json_object_get(totals, "hotline")));
    assert_int_equal(assessment.base,
                     json_integer_value(json_object_get(totals, "completed_surveyed")));
    assert_int_equal(assessment.succeeded,
                     json_integer_value(json_object_get(totals, "survey_succeeded")));
    assert_int_equal(assessment.satisfied,
                     json_integer_value(json_object_get(totals, "satisfied")));
    char percent[24], shown[32];
    hl_assessment_format_percent(assessment.success_rate, percent, sizeof percent);
    snprintf(shown, sizeof shown, "%s%%", percent);
    assert_string_equal(shown, json_string_value(json_object_get(totals, "survey_success_rate")));
    hl_assessment_format_percent(assessment.satisfaction_rate, percent, sizeof percent);
    snprintf(shown, sizeof shown, "%s%%", percent);
    assert_string_equal(shown, json_string_value(json_object_get(totals, "satisfaction_rate")));
    json_decref(totals);
    hl_assessment_free(&assessment);
}

static void test_both_groups_rank_in_the_published_order(void **state)
{
    fixture *fix = *state;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    build_february(fix, &assessment, &meta);
    assert_int_equal(assessment.group_count, 2);
    size_t published = 0;
    for (size_t group = 0; group < assessment.group_count; group++) {
        const hl_group_result *result = &assessment.groups[group];
        assert_int_equal(result->ranked_count, result->count);
        for (size_t index = 0; index < result->count; index++, published++) {
            const hl_unit_result *unit = result->units[index];
            assert_string_equal(result->name, fix->published[published].group);
            assert_string_equal(unit->name, fix->published[published].name);
            assert_int_equal(unit->rank, fix->published[published].rank);
            assert_int_equal(unit->rank, (int)index + 1);
            assert_true(unit->ranked);
            /* The store counted exactly what the plan planned. */
            const hl_taiyuan_unit *planned =
                &fix->plan->units[hl_taiyuan_unit_index(fix->plan, unit->unit)];
            assert_int_equal(unit->base, planned->base);
            assert_int_equal(unit->succeeded, planned->succeeded);
            assert_int_equal(unit->satisfied, planned->satisfied);
            assert_int_equal(unit->resolved, planned->resolved);
            /* No January: nothing to compare with. */
            assert_false(unit->has_previous);
            assert_int_equal(unit->previous_rank, 0);
        }
    }
    assert_int_equal(published, 42);
    hl_assessment_free(&assessment);
}

static void test_csv_has_one_row_per_unit_with_group_and_rank(void **state)
{
    fixture *fix = *state;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    build_february(fix, &assessment, &meta);
    char *text = render(&assessment, &meta, HL_RENDER_CSV);
    hl_csv_reader reader;
    hl_error error;
    hl_csv_reader_init(&reader, text, strlen(text));
    assert_int_equal(hl_csv_reader_next(&reader, &error), 1);
    int group_column = -1, rank_column = -1, unit_column = -1;
    for (size_t column = 0; column < reader.field_count; column++) {
        if (hl_slice_equal(reader.fields[column], "group"))
            group_column = (int)column;
        else if (hl_slice_equal(reader.fields[column], "rank"))
            rank_column = (int)column;
        else if (hl_slice_equal(reader.fields[column], "unit"))
            unit_column = (int)column;
    }
    assert_true(group_column >= 0 && rank_column >= 0 && unit_column >= 0);
    size_t rows = 0;
    while (hl_csv_reader_next(&reader, &error) == 1) {
        assert_true(rows < fix->published_count);
        const published_unit *expected = &fix->published[rows++];
        char rank[16];
        snprintf(rank, sizeof rank, "%d", expected->rank);
        assert_true(hl_slice_equal(reader.fields[group_column], expected->group));
        assert_true(hl_slice_equal(reader.fields[rank_column], rank));
        assert_true(hl_slice_equal(reader.fields[unit_column], expected->name));
    }
    assert_int_equal(rows, 42);
    hl_csv_reader_free(&reader);
    free(text);
    hl_assessment_free(&assessment);
}

static void test_store_agrees_with_its_log(void **state)
{
    fixture *fix = *state;
    hl_error error;
    int64_t events = 0;
    must(hl_verify_run(fix->app, NULL, NULL, &events, &error), &error, "verify");
    assert_int_equal(events, fix->events);
}

/* A reopened order's next round counts toward the month it is completed
 * again; February keeps what its surveys counted. */
static void test_march_work_on_reopened_orders_leaves_february_as_counted(void **state)
{
    fixture *fix = *state;
    const hl_taiyuan_plan *plan = fix->plan;
    hl_error error;
    hl_assessment before, after, march;
    hl_bulletin_meta meta;
    build_february(fix, &before, &meta);
    char *text_before = render(&before, &meta, HL_RENDER_CSV);

    /* The first order a dissatisfied survey reopened too late for a second
     * completion in February: signed again, still with its unit. */
    const hl_taiyuan_order *order = NULL;
    for (size_t index = 0; index < plan->order_count && order == NULL; index++) {
        const hl_taiyuan_order *candidate = &plan->orders[plan->by_number[index]];
        if (candidate->resigned_at != 0 && candidate->recompleted_at == 0)
            order = candidate;
    }
    assert_non_null(order);
    hl_order current;
    must(hl_app_get_order(fix->app, order->number, &current, &error), &error, "get");
    assert_int_equal(current.state, HL_STATE_SIGNED);
    assert_int_equal(current.reopen_count, 1);
    hl_time at;
    must(hl_clock_parse_time(hl_slice_of("2024-03-18 09:30"), &at), &error, "time");
    assert_true(order->resigned_at < at);
    char handler[64];
    snprintf(handler, sizeof handler, "h-%s", current.lead_unit);
    hl_app_request request = {0};
    request.note = "重新处理完毕，已当面答复诉求人。";
    must(hl_app_act(fix->app, handler, order->number, HL_ACTION_COMPLETE, &request, at, NULL,
                    &error),
         &error, "complete");
    request = (hl_app_request){0};
    request.outcome = HL_OUTCOME_REACHED;
    request.rating = HL_RATING_SATISFIED;
    request.resolved = HL_RESOLVED_YES;
    must(hl_app_act(fix->app, "surveyor1", order->number, HL_ACTION_SURVEY, &request,
                    at + 26 * 3600, NULL, &error),
         &error, "survey");

    build_february(fix, &after, &meta);
    char *text_after = render(&after, &meta, HL_RENDER_CSV);
    assert_int_equal(after.base, 25301);
    assert_int_equal(after.succeeded, 20914);
    assert_int_equal(after.satisfied, 12803);
    assert_string_equal(text_before, text_after);

    hl_assessment_policy policy;
    must(hl_report_policy(fix->app, &policy, &error), &error, "policy");
    must(hl_report_build(fix->app, 202403, &policy, &march, &meta, &error), &error, "march");
    assert_int_equal(march.base, 1);
    assert_int_equal(march.satisfied, 1);
    int64_t events = 0;
    must(hl_verify_run(fix->app, NULL, NULL, &events, &error), &error, "verify");
    assert_int_equal(events, fix->events + 2);
    free(text_before);
    free(text_after);
    hl_assessment_free(&before);
    hl_assessment_free(&after);
    hl_assessment_free(&march);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_gives_the_published_totals_in_the_published_order),
        cmocka_unit_test(test_plan_check_refuses_a_broken_order),
        cmocka_unit_test(test_plan_is_the_same_every_time),
        cmocka_unit_test(test_bulletin_states_the_published_figures),
        cmocka_unit_test(test_totals_are_those_of_the_published_file),
        cmocka_unit_test(test_both_groups_rank_in_the_published_order),
        cmocka_unit_test(test_csv_has_one_row_per_unit_with_group_and_rank),
        cmocka_unit_test(test_store_agrees_with_its_log),
        cmocka_unit_test(test_march_work_on_reopened_orders_leaves_february_as_counted),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
