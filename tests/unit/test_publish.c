/* Tests of src/app/publish.c on a real store (SQLite, and PostgreSQL as
 * test_publish_pg): issue 11, "Publishing a bulletin becomes an act". The
 * bulletin was computed live, so a survey that came after publication
 * changed the published month silently. Here a month is published by the
 * analyst, a late survey goes through the normal action, and the published
 * figures stay while the current ones and the correction are shown; a
 * second publication and other roles are refused; the record is
 * append-only, and verify finds a record changed behind the store's
 * triggers and a recorded chain head that is not the chain's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "app/publish.h"
#include "app/report.h"
#include "app/verify.h"
#include "base/array.h"
#include "base/i18n.h"
#include "report/render.h"
#include "test_support.h"

/* A hash no chain link has. */
#define FOREIGN_HASH "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
    int64_t late; /* a completed order of February not yet surveyed */
} fixture;

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n"
                                "u2,市城管局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u2,,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "dispatcher,派单员,dispatcher,,1\n"
                                "surveyor,回访员,surveyor,,1\n"
                                "supervisor,督办员,supervisor,,1\n"
                                "analyst,分析员,analyst,,1\n"
                                "admin,系统管理员,sysadmin,,1\n"
                                "h-u1,承办人1,handler,u1,1\n"
                                "h-u2,承办人2,handler,u2,1\n";

static hl_time at(const char *text)
{
    hl_time instant = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &instant), HL_OK);
    return instant;
}

static void act_ok(hl_app *app, const char *actor, int64_t id, hl_action action,
                   const hl_app_request *request, const char *when)
{
    hl_error error;
    if (hl_app_act(app, actor, id, action, request, at(when), NULL, &error) != HL_OK)
        fail_msg("%s by %s: %s", hl_workflow_rule_of(action)->name, actor, error.message);
}

/* An order of unit through to completion on 26 February. */
static int64_t completed_order(hl_app *app, const char *unit, const char *handler, int index)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_HELP;
    char received[32];
    snprintf(received, sizeof received, "2024-02-26 09:%02d", index);
    order->received_at = at(received);
    snprintf(order->category, sizeof order->category, "city");
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "并州路路灯连续三晚不亮。");
    int64_t id = 0;
    hl_error error;
    if (hl_app_register(app, "agent", order, order->received_at, &id, &error) != HL_OK)
        fail_msg("register: %s", error.message);
    free(order);
    hl_app_request request = {.unit = unit};
    act_ok(app, "dispatcher", id, HL_ACTION_DISPATCH, &request, "2024-02-26 10:00");
    act_ok(app, handler, id, HL_ACTION_SIGN, NULL, "2024-02-26 11:00");
    request = (hl_app_request){.note = "已处理"};
    act_ok(app, handler, id, HL_ACTION_COMPLETE, &request, "2024-02-27 16:00");
    return id;
}

static void survey_satisfied(hl_app *app, int64_t id, const char *when)
{
    hl_app_request call = {
        .outcome = HL_OUTCOME_REACHED, .rating = HL_RATING_SATISFIED, .resolved = HL_RESOLVED_YES};
    act_ok(app, "surveyor", id, HL_ACTION_SURVEY, &call, when);
}

/* February: three orders of u2 and one of u1 surveyed and satisfied, and
 * one more of u2 completed but not yet surveyed. */
static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
    for (int index = 0; index < 3; index++)
        survey_satisfied(fix->app, completed_order(fix->app, "u2", "h-u2", index),
                         "2024-02-28 10:00");
    survey_satisfied(fix->app, completed_order(fix->app, "u1", "h-u1", 3), "2024-02-28 10:00");
    fix->late = completed_order(fix->app, "u2", "h-u2", 4);
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static hl_publication publish_ok(hl_app *app, bool new_edition, const char *note)
{
    hl_publication record;
    hl_error error;
    if (hl_publish_month(app, "analyst", NULL, 202402, new_edition, note, &record, &error) != HL_OK)
        fail_msg("publish: %s", error.message);
    return record;
}

/* The month's live totals, from the store as the bulletin reads it. */
static void live_totals(hl_app *app, int64_t totals[3])
{
    hl_assessment_policy policy;
    hl_assessment assessment;
    hl_bulletin_meta meta;
    hl_error error;
    assert_int_equal(hl_report_policy(app, &policy, &error), HL_OK);
    assert_int_equal(hl_report_build(app, 202402, &policy, &assessment, &meta, &error), HL_OK);
    totals[0] = assessment.base;
    totals[1] = assessment.succeeded;
    totals[2] = assessment.satisfied;
    hl_assessment_free(&assessment);
}

static void test_published_figures_stay_and_a_late_survey_is_a_correction(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    int64_t before[3];
    live_totals(app, before);
    hl_chain_head head;
    hl_error error;
    assert_int_equal(hl_store_chain_head(app->store, HL_CHAIN_EVENTS, &head, &error), HL_OK);

    hl_publication record = publish_ok(app, false, NULL);
    assert_int_equal(record.edition, 1);
    assert_int_equal(record.surveyed, 4);
    assert_int_equal(record.reached, 4);
    assert_int_equal(record.satisfied, 4);
    assert_int_equal(record.surveyed, before[0]);
    assert_string_equal(record.published_by, "analyst");
    /* The head the figures were read at: the chain's as it stood. */
    assert_int_equal(record.chain.seq, head.seq);
    assert_string_equal(record.chain.hash, head.hash);

    /* One more order of February surveyed, through the normal action. */
    survey_satisfied(app, fix->late, "2024-03-01 10:00");
    int64_t after[3];
    live_totals(app, after);
    assert_int_equal(after[0], before[0] + 1);

    hl_publish_view view;
    assert_int_equal(hl_publish_view_open(app, 202402, &view, &error), HL_OK);
    assert_int_equal(view.editions, 1);
    assert_int_equal(view.published.base, record.surveyed);
    assert_int_equal(view.published.succeeded, record.reached);
    assert_int_equal(view.published.satisfied, record.satisfied);
    assert_int_equal(view.current.base, after[0]);
    assert_int_equal(view.current.succeeded, after[1]);
    assert_int_equal(view.current.satisfied, after[2]);
    assert_true(hl_publish_view_corrected(&view));

    hl_render_publication publication;
    char when[40];
    hl_publish_view_describe(&view, &publication, when);
    hl_buf text;
    hl_buf_init(&text);
    assert_int_equal(
        hl_render_published(&publication, &view.inputs.meta, HL_RENDER_TEXT, &text, &error), HL_OK);
    hl_buf_append_char(&text, '\0');
    char expected[128];
    snprintf(expected, sizeof expected, "Surveyed: published %lld, current %lld, correction +1",
             (long long)before[0], (long long)after[0]);
    assert_non_null(strstr(text.data, expected));
    assert_non_null(strstr(text.data, "市城管局 3/3/3/"));
    assert_non_null(strstr(text.data, head.hash));
    hl_buf_free(&text);
    hl_publish_view_free(&view);

    hl_verify_summary summary;
    assert_int_equal(hl_verify_run_full(app, NULL, NULL, &summary, &error), HL_OK);
    assert_int_equal(summary.publications, 1);
}

static int count_publish_events(void *context, const hl_security_event *event)
{
    int *counts = context;
    if (strcmp(event->action, "bulletin.publish") == 0)
        counts[strcmp(event->outcome, HL_AUDIT_SUCCESS) == 0 ? 0 : 1]++;
    return 0;
}

static void test_publishing_twice_and_other_roles_are_refused(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    hl_error error;
    hl_publication record;
    static const char *const others[] = {"agent",      "dispatcher", "surveyor",
                                         "supervisor", "admin",      "h-u2"};
    for (size_t index = 0; index < HL_COUNT_OF(others); index++)
        assert_int_equal(
            hl_publish_month(app, others[index], NULL, 202402, false, NULL, &record, &error),
            HL_EROLE);
    assert_int_equal(hl_publish_month(app, "nobody", NULL, 202402, false, NULL, &record, &error),
                     HL_EROLE);
    /* A month without survey results has nothing to publish. */
    assert_int_equal(hl_publish_month(app, "analyst", NULL, 202401, false, NULL, &record, &error),
                     HL_ENOTFOUND);
    publish_ok(app, false, NULL);
    assert_int_equal(hl_publish_month(app, "analyst", NULL, 202402, false, NULL, &record, &error),
                     HL_ECONFLICT);
    assert_non_null(strstr(error.message, "was published on"));
    assert_int_equal(hl_publish_month(app, "analyst", NULL, 202402, true, " ", &record, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "note");
    /* A new edition, asked for with its reason. */
    survey_satisfied(app, fix->late, "2024-03-01 10:00");
    record = publish_ok(app, true, "a late survey");
    assert_int_equal(record.edition, 2);
    assert_int_equal(record.surveyed, 5);
    hl_publish_view view;
    assert_int_equal(hl_publish_view_open(app, 202402, &view, &error), HL_OK);
    assert_int_equal(view.editions, 2);
    assert_string_equal(view.record.note, "a late survey");
    assert_false(hl_publish_view_corrected(&view));
    hl_publish_view_free(&view);
    /* Each publication and each refusal is a security event. */
    int counts[2] = {0, 0};
    assert_int_equal(hl_audit_security_list(app, 0, count_publish_events, counts, &error), HL_OK);
    assert_int_equal(counts[0], 2);
    assert_int_equal(counts[1], (int)HL_COUNT_OF(others) + 4);
    assert_int_equal(hl_publish_view_open(app, 202401, &view, &error), HL_ENOTFOUND);
    hl_publish_view_free(&view);
}

static void collect_line(void *context, const char *line)
{
    char *lines = context;
    size_t used = strlen(lines);
    snprintf(lines + used, 2048 - used, "%s\n", line);
}

/* Runs sql as someone with the database's own rights, past the triggers
 * that keep the published record append-only. */
static void tamper(fixture *fix, const char *sql)
{
    char statement[512];
    if (test_store_is_postgres())
        snprintf(statement, sizeof statement, "SET session_replication_role = replica; %s", sql);
    else
        snprintf(statement, sizeof statement,
                 "DROP TRIGGER IF EXISTS published_bulletins_no_update; %s", sql);
    assert_int_equal(test_sql_exec(fix->path, statement), 0);
}

static void test_the_record_is_append_only_and_verify_finds_a_change(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    publish_ok(app, false, NULL);
    /* The store refuses a change and a deletion. */
    assert_int_not_equal(test_sql_exec(fix->path, "UPDATE published_bulletins SET surveyed = 5"),
                         0);
    assert_int_not_equal(test_sql_exec(fix->path, "DELETE FROM published_bulletins"), 0);
    assert_int_equal(test_sql_integer(fix->path, "SELECT surveyed FROM published_bulletins"), 4);

    /* Behind the triggers: a figure changed. */
    tamper(fix, "UPDATE published_bulletins SET surveyed = 5");
    char lines[2048] = "";
    hl_error error;
    assert_int_equal(hl_verify_run(app, collect_line, lines, NULL, &error), HL_EMISMATCH);
    assert_non_null(strstr(lines, "published bulletin 2024-02 edition 1: the record does not "
                                  "match its digest (changed)"));
    assert_non_null(strstr(lines, "its recorded figures are not those of its frozen bulletin"));
    tamper(fix, "UPDATE published_bulletins SET surveyed = 4");
    assert_int_equal(hl_verify_run(app, NULL, NULL, NULL, &error), HL_OK);

    /* The frozen document changed to match a changed figure. */
    tamper(fix, "UPDATE published_bulletins SET document = replace(document, '\"u1\"', '\"u9\"')");
    lines[0] = '\0';
    assert_int_equal(hl_verify_run(app, collect_line, lines, NULL, &error), HL_EMISMATCH);
    assert_non_null(strstr(lines, "does not match its digest"));

    /* A chain head that is not the chain's. */
    tamper(fix, "UPDATE published_bulletins SET document = replace(document, '\"u9\"', '\"u1\"'), "
                "chain_hash = '" FOREIGN_HASH "'");
    lines[0] = '\0';
    assert_int_equal(hl_verify_run(app, collect_line, lines, NULL, &error), HL_EMISMATCH);
    assert_non_null(strstr(lines, "is not in the current chain"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_published_figures_stay_and_a_late_survey_is_a_correction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publishing_twice_and_other_roles_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_record_is_append_only_and_verify_finds_a_change,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
