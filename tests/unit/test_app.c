/* Tests of src/app/app.c and src/app/verify.c on a real SQLite file: one
 * order walked through every path with its log and rollups checked, a
 * random mix of 100,000 actions that must verify clean, tampering that
 * verify must find, and refusals that must leave the store unchanged. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/auth.h"
#include "app/transfer.h"
#include "app/verify.h"
#include "base/i18n.h"
#include "test_support.h"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
} fixture;

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n"
                                "u2,市城管局,市直单位,,1\n"
                                "u3,迎泽区政府,县市区(开发区),,1\n"
                                "u4,小店区政府,县市区(开发区),,1\n"
                                "old,已撤销单位,市直单位,,0\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u2,,1\n"
                                     "heating,供暖,,u1,2,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "dispatcher,派单员,dispatcher,,1\n"
                                "surveyor,回访员,surveyor,,1\n"
                                "supervisor,督办员,supervisor,,1\n"
                                "analyst,分析员,analyst,,1\n"
                                "admin,系统管理员,sysadmin,,1\n"
                                "h-u1,承办人1,handler,u1,1\n"
                                "h-u2,承办人2,handler,u2,1\n"
                                "h-u3,承办人3,handler,u3,1\n"
                                "h-u4,承办人4,handler,u4,1\n";

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
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

static hl_time at(const char *text)
{
    hl_time instant = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &instant), HL_OK);
    return instant;
}

static int64_t register_order(hl_app *app, const char *received, hl_order_type type,
                              const char *category)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = type;
    order->received_at = at(received);
    snprintf(order->category, sizeof order->category, "%s", category);
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "并州路路灯连续三晚不亮。");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "13912345678");
    int64_t id = 0;
    hl_error error;
    int result = hl_app_register(app, "agent", order, order->received_at, &id, &error);
    if (result != HL_OK)
        fail_msg("register: %s", error.message);
    free(order);
    return id;
}

static void act_ok(hl_app *app, const char *actor, int64_t id, hl_action action,
                   const hl_app_request *request, const char *when)
{
    hl_error error;
    int result = hl_app_act(app, actor, id, action, request, at(when), NULL, &error);
    if (result != HL_OK)
        fail_msg("%s by %s: %s", hl_workflow_rule_of(action)->name, actor, error.message);
}

typedef struct event_list {
    hl_action actions[64];
    hl_state to_states[64];
    int count;
} event_list;

static int collect_event(void *context, const hl_event *event)
{
    event_list *list = context;
    assert_int_equal(event->seq, list->count + 1);
    list->actions[list->count] = event->action;
    list->to_states[list->count++] = event->to_state;
    return 0;
}

typedef struct rollup_query {
    int month;
    const char *unit;
    hl_counter counter;
    int64_t value;
} rollup_query;

static int find_rollup(void *context, const hl_rollup_delta *row)
{
    rollup_query *query = context;
    if (row->month == query->month && strcmp(row->unit, query->unit) == 0 &&
        row->counter == query->counter)
        query->value = row->amount;
    return 0;
}

/* The stored value of one rollup counter (0 when absent). */
static int64_t rollup(hl_app *app, int month, const char *unit, hl_counter counter)
{
    rollup_query query = {month, unit, counter, 0};
    hl_error error;
    assert_int_equal(hl_store_rollup_each(app->store, find_rollup, &query, &error), HL_OK);
    return query.value;
}

static void count_difference(void *context, const char *line)
{
    (void)line;
    (*(int *)context)++;
}

typedef struct collected_lines {
    char text[8][256];
    int count;
} collected_lines;

static void collect_line(void *context, const char *line)
{
    collected_lines *lines = context;
    if (lines->count < 8)
        snprintf(lines->text[lines->count], sizeof lines->text[0], "%s", line);
    lines->count++;
}

static void expect_clean(hl_app *app)
{
    hl_error error;
    int64_t events = 0;
    int result = hl_verify_run(app, NULL, NULL, &events, &error);
    if (result != HL_OK)
        fail_msg("verify: %s", error.message);
}

static void test_one_order_walks_every_path_and_its_log_and_rollups_agree(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    int64_t id = register_order(app, "2024-02-01 09:00", HL_TYPE_COMPLAINT, "city");
    hl_app_request request = {0};
    request.unit = "u3";
    act_ok(app, "dispatcher", id, HL_ACTION_DISPATCH, &request, "2024-02-01 09:30");
    request = (hl_app_request){.note = "不属于本区职责"};
    act_ok(app, "h-u3", id, HL_ACTION_RETURN, &request, "2024-02-01 10:00");
    request = (hl_app_request){.note = "经核实属于本区"};
    act_ok(app, "dispatcher", id, HL_ACTION_RETURN_REJECT, &request, "2024-02-01 10:30");
    request = (hl_app_request){.note = "仍不属于本区"};
    act_ok(app, "h-u3", id, HL_ACTION_RETURN, &request, "2024-02-01 11:00");
    request = (hl_app_request){.unit = "u1", .co_units = "u2"};
    act_ok(app, "dispatcher", id, HL_ACTION_REASSIGN, &request, "2024-02-01 11:30");
    act_ok(app, "h-u1", id, HL_ACTION_SIGN, NULL, "2024-02-01 14:00");
    request = (hl_app_request){.note = "协办单位已到场"};
    act_ok(app, "h-u2", id, HL_ACTION_HANDLE, &request, "2024-02-02 09:00");
    request = (hl_app_request){.note = "需更换线路", .days = 3};
    act_ok(app, "h-u1", id, HL_ACTION_EXTEND_REQUEST, &request, "2024-02-02 10:00");
    request = (hl_app_request){.days = 2};
    act_ok(app, "supervisor", id, HL_ACTION_EXTEND_APPROVE, &request, "2024-02-02 11:00");
    act_ok(app, "dispatcher", id, HL_ACTION_REMIND, NULL, "2024-02-05 09:00");
    hl_order order;
    hl_error error;
    assert_int_equal(hl_app_get_order(app, id, &order, &error), HL_OK);
    /* Complaint: 13 working days from 1 February, then 2 more. */
    assert_int_equal(order.handle_deadline, at("2024-02-27 23:59:59"));
    request = (hl_app_request){.note = "请立即办理"};
    act_ok(app, "supervisor", id, HL_ACTION_SUPERVISE, &request, "2024-02-28 09:00");
    request = (hl_app_request){.note = "已更换线路，路灯恢复。"};
    act_ok(app, "h-u1", id, HL_ACTION_COMPLETE, &request, "2024-02-28 16:00");
    request = (hl_app_request){.note = "回访不满意"};
    act_ok(app, "supervisor", id, HL_ACTION_REOPEN, &request, "2024-02-29 09:00");
    act_ok(app, "h-u1", id, HL_ACTION_SIGN, NULL, "2024-02-29 10:00");
    request = (hl_app_request){.note = "再次检修完毕。"};
    act_ok(app, "h-u1", id, HL_ACTION_COMPLETE, &request, "2024-03-01 10:00");
    act_ok(app, "supervisor", id, HL_ACTION_ARCHIVE, NULL, "2024-03-04 10:00");

    event_list events = {0};
    assert_int_equal(hl_app_list_events(app, id, collect_event, &events, &error), HL_OK);
    static const hl_action expected_actions[] = {
        HL_ACTION_REGISTER,       HL_ACTION_DISPATCH, HL_ACTION_RETURN,
        HL_ACTION_RETURN_REJECT,  HL_ACTION_RETURN,   HL_ACTION_REASSIGN,
        HL_ACTION_SIGN,           HL_ACTION_HANDLE,   HL_ACTION_EXTEND_REQUEST,
        HL_ACTION_EXTEND_APPROVE, HL_ACTION_REMIND,   HL_ACTION_SUPERVISE,
        HL_ACTION_COMPLETE,       HL_ACTION_REOPEN,   HL_ACTION_SIGN,
        HL_ACTION_COMPLETE,       HL_ACTION_ARCHIVE};
    static const hl_state expected_states[] = {
        HL_STATE_NEW,        HL_STATE_DISPATCHED,     HL_STATE_RETURN_PENDING,
        HL_STATE_DISPATCHED, HL_STATE_RETURN_PENDING, HL_STATE_DISPATCHED,
        HL_STATE_SIGNED,     HL_STATE_HANDLING,       HL_STATE_HANDLING,
        HL_STATE_HANDLING,   HL_STATE_HANDLING,       HL_STATE_HANDLING,
        HL_STATE_COMPLETED,  HL_STATE_DISPATCHED,     HL_STATE_SIGNED,
        HL_STATE_COMPLETED,  HL_STATE_ARCHIVED};
    assert_int_equal(events.count, 17);
    for (int index = 0; index < 17; index++) {
        assert_int_equal(events.actions[index], expected_actions[index]);
        assert_int_equal(events.to_states[index], expected_states[index]);
    }
    assert_int_equal(hl_app_get_order(app, id, &order, &error), HL_OK);
    assert_int_equal(order.version, 17);
    assert_int_equal(order.state, HL_STATE_ARCHIVED);

    assert_int_equal(rollup(app, 202402, "", HL_COUNTER_RECEIVED), 1);
    assert_int_equal(rollup(app, 202402, "u3", HL_COUNTER_DISPATCHED), 1);
    assert_int_equal(rollup(app, 202402, "u3", HL_COUNTER_RETURNED), 2);
    assert_int_equal(rollup(app, 202402, "u3", HL_COUNTER_RETURN_REJECTED), 1);
    assert_int_equal(rollup(app, 202402, "u3", HL_COUNTER_REASSIGNED_AWAY), 1);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_DISPATCHED), 1);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_SIGNED), 2);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_SIGNED_ON_TIME), 2);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_EXTENSION_APPROVED), 1);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_SUPERVISED), 1);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_COMPLETED), 1);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_COMPLETED_ON_TIME), 0);
    assert_int_equal(rollup(app, 202402, "u1", HL_COUNTER_REOPENED), 1);
    assert_int_equal(rollup(app, 202403, "u1", HL_COUNTER_COMPLETED), 1);
    assert_int_equal(rollup(app, 202403, "u1", HL_COUNTER_COMPLETED_ON_TIME), 1);
    assert_int_equal(rollup(app, 202403, "u1", HL_COUNTER_ARCHIVED), 1);
    expect_clean(app);
}

static void test_intake_merge_and_invalid_paths_are_logged_and_counted(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    int64_t first = register_order(app, "2024-02-05 09:00", HL_TYPE_INQUIRY, "");
    int64_t repeat = register_order(app, "2024-02-05 09:10", HL_TYPE_INQUIRY, "");
    int64_t prank = register_order(app, "2024-02-05 09:20", HL_TYPE_HELP, "");
    assert_int_equal(repeat, first + 1);
    hl_app_request request = {.note = "已告知办理流程"};
    act_ok(app, "agent", first, HL_ACTION_RESOLVE, &request, "2024-02-05 09:05");
    request = (hl_app_request){.into = first};
    act_ok(app, "agent", repeat, HL_ACTION_MERGE, &request, "2024-02-05 09:15");
    request = (hl_app_request){.note = "骚扰电话"};
    act_ok(app, "agent", prank, HL_ACTION_INVALIDATE, &request, "2024-02-05 09:25");
    hl_order order;
    hl_error error;
    assert_int_equal(hl_app_get_order(app, repeat, &order, &error), HL_OK);
    assert_int_equal(order.duplicate_of, first);
    assert_true(order.excluded);
    assert_int_equal(rollup(app, 202402, "", HL_COUNTER_RECEIVED), 3);
    assert_int_equal(rollup(app, 202402, "", HL_COUNTER_RESOLVED_AT_INTAKE), 1);
    assert_int_equal(rollup(app, 202402, "", HL_COUNTER_MERGED), 1);
    assert_int_equal(rollup(app, 202402, "", HL_COUNTER_INVALIDATED), 1);
    expect_clean(app);
}

/* The first column of the first row of a query beside the store (either
 * backend: test_sql_integer). */
static int64_t count_rows(const char *path, const char *sql)
{
    return test_sql_integer(path, sql);
}

/* The tables the store's triggers keep for the lists say what the orders
 * say: one unit row per lead and co-handling unit and no other, and the
 * totals by state. SQLite's SQL (instr, json_each) over SQLite's layout
 * (one order_state_counts row per state); on PostgreSQL, verify (run
 * beside it) compares the same. */
static void expect_list_tables_agree(const char *path)
{
    assert_true(count_rows(path, "SELECT count(*) FROM orders") > 0);
    if (test_store_is_postgres())
        return;
    assert_int_equal(count_rows(path,
                                "SELECT count(*) FROM orders WHERE lead_unit <> '' AND NOT EXISTS "
                                "(SELECT 1 FROM order_units u WHERE u.unit = orders.lead_unit "
                                "AND u.order_id = orders.id AND u.received = orders.received_at "
                                "AND u.lead = 1)"),
                     0);
    assert_int_equal(
        count_rows(path,
                   "SELECT count(*) FROM order_units u WHERE NOT EXISTS (SELECT 1 FROM orders o "
                   "WHERE o.id = u.order_id AND ((u.lead = 1 AND o.lead_unit = u.unit) OR "
                   "(u.lead = 0 AND o.lead_unit <> u.unit AND "
                   "instr(',' || o.co_units || ',', ',' || u.unit || ',') > 0)))"),
        0);
    int64_t co_rows = count_rows(path, "SELECT count(*) FROM order_units WHERE lead = 0");
    assert_true(co_rows > 0);
    assert_int_equal(count_rows(path,
                                "SELECT count(*) FROM orders, json_each('[\"' || "
                                "replace(orders.co_units, ',', '\",\"') || '\"]') AS codes "
                                "WHERE orders.co_units <> '' AND codes.value <> orders.lead_unit"),
                     co_rows);
    assert_int_equal(
        count_rows(path,
                   "SELECT count(*) FROM (SELECT state, count(*) AS orders FROM orders "
                   "GROUP BY state) AS actual FULL JOIN order_state_counts AS kept "
                   "USING (state) WHERE coalesce(actual.orders, 0) <> coalesce(kept.orders, 0)"),
        0);
}

static void test_refused_actions_change_nothing_in_the_store(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    int64_t id = register_order(app, "2024-02-05 09:00", HL_TYPE_COMPLAINT, "city");
    const char *fingerprint = "SELECT (SELECT count(*) FROM events) * 1000000 + "
                              "(SELECT coalesce(sum(value), 0) FROM rollups) * 1000 + "
                              "(SELECT sum(version) FROM orders)";
    int64_t before = count_rows(fix->path, fingerprint);
    hl_error error;
    hl_app_request request = {0};
    /* Wrong state, wrong role, unknown unit, retired unit, unknown order,
     * unknown actor, stale version, missing note. */
    assert_int_equal(
        hl_app_act(app, "h-u1", id, HL_ACTION_SIGN, NULL, at("2024-02-05 10:00"), NULL, &error),
        HL_ESTATE);
    request.unit = "u1";
    assert_int_equal(hl_app_act(app, "agent", id, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_EROLE);
    request.unit = "nowhere";
    assert_int_equal(hl_app_act(app, "dispatcher", id, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "unit");
    request.unit = "old";
    assert_int_equal(hl_app_act(app, "dispatcher", id, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_EINVAL);
    request.unit = "u1";
    request.co_units = "u2,ghost";
    assert_int_equal(hl_app_act(app, "dispatcher", id, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_EINVAL);
    request.co_units = NULL;
    assert_int_equal(hl_app_act(app, "dispatcher", id + 7, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_app_act(app, "nobody", id, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_EROLE);
    request.expected_version = 5;
    assert_int_equal(hl_app_act(app, "dispatcher", id, HL_ACTION_DISPATCH, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_ECONFLICT);
    request = (hl_app_request){0};
    assert_int_equal(hl_app_act(app, "agent", id, HL_ACTION_INVALIDATE, &request,
                                at("2024-02-05 10:00"), NULL, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "reason");
    assert_int_equal(count_rows(fix->path, fingerprint), before);
    /* The expected version, when right, lets the action through. */
    request = (hl_app_request){.unit = "u1", .expected_version = 1};
    act_ok(app, "dispatcher", id, HL_ACTION_DISPATCH, &request, "2024-02-05 10:00");
    expect_clean(app);
}

static void test_category_limit_applies_to_dispatch(void **state)
{
    fixture *fix = *state;
    int64_t id = register_order(fix->app, "2024-02-05 09:00", HL_TYPE_COMPLAINT, "heating");
    hl_app_request request = {.unit = "u1"};
    act_ok(fix->app, "dispatcher", id, HL_ACTION_DISPATCH, &request, "2024-02-05 10:00");
    hl_order order;
    hl_error error;
    assert_int_equal(hl_app_get_order(fix->app, id, &order, &error), HL_OK);
    assert_int_equal(order.handle_deadline, at("2024-02-07 23:59:59"));
}

static void test_configured_limit_is_stored_and_used_after_reopening(void **state)
{
    fixture *fix = *state;
    hl_error error;
    assert_int_equal(hl_app_set_limit(fix->app, "handle_days.complaint", "4", &error), HL_OK);
    assert_int_equal(hl_app_set_limit(fix->app, "handle_days.complaint", "0", &error), HL_EINVAL);
    hl_app_close(fix->app);
    assert_int_equal(test_app_open(fix->directory, fix->path, &fix->app, &error), HL_OK);
    assert_int_equal(fix->app->limits.handle_days[HL_TYPE_COMPLAINT], 4);
    int64_t id = register_order(fix->app, "2024-02-05 09:00", HL_TYPE_COMPLAINT, "city");
    hl_app_request request = {.unit = "u2"};
    act_ok(fix->app, "dispatcher", id, HL_ACTION_DISPATCH, &request, "2024-02-05 10:00");
    hl_order order;
    assert_int_equal(hl_app_get_order(fix->app, id, &order, &error), HL_OK);
    assert_int_equal(order.handle_deadline, at("2024-02-09 23:59:59"));
}

/* ---- a random mix of actions ---- */

static uint64_t next_random(uint64_t *seed)
{
    uint64_t value = (*seed += 0x9E3779B97F4A7C15ull);
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
    return value ^ (value >> 31);
}

static const char *actor_for(hl_role role, const hl_order *order, uint64_t *seed)
{
    static const char *const centre[] = {"agent",    "dispatcher", "",
                                         "surveyor", "supervisor", "analyst",
                                         "admin",    "secadmin",   "auditor"};
    static const char *const handlers[] = {"h-u1", "h-u2", "h-u3", "h-u4"};
    if (role != HL_ROLE_HANDLER)
        return centre[role];
    /* Mostly the lead unit's handler, sometimes another unit's. */
    if (order->lead_unit[0] == 'u' && next_random(seed) % 10 != 0)
        return handlers[(order->lead_unit[1] - '1') & 3];
    return handlers[next_random(seed) % 4];
}

static bool finished(hl_state state)
{
    return state == HL_STATE_INVALID || state == HL_STATE_MERGED || state == HL_STATE_ARCHIVED;
}

static void test_random_mix_of_actions_verifies_clean_and_tampering_is_found(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    /* 100,000 actions on SQLite; the logic is the same on PostgreSQL, where
     * 20,000 check that both backends agree in a fifth of the time (each
     * action is a few round trips to the server). The checking builds
     * (sanitizers, contracts: HL_CONTRACTS) look for memory and contract
     * errors, which the first thousands of actions already reach every path
     * of; there 20,000 too, at twice the normal build's cost each. */
    enum { POOL = 2000 };
#if defined(HL_CONTRACTS) && HL_CONTRACTS
    const int64_t actions = 20000;
#else
    const int64_t actions = test_store_is_postgres() ? 20000 : 100000;
#endif
    static const char *const units[] = {"u1", "u2", "u3", "u4"};
    static int64_t pool[POOL]; /* live orders; one that finishes is replaced by a new one */
    uint64_t seed = 12345;
    hl_store_set_bulk(app->store, true); /* durability is not under test here; the logic is */
    hl_time now = at("2024-02-01 08:00");
    hl_order *order = hl_xcalloc(1, sizeof *order);
    hl_error error;
    int64_t registered = 0, succeeded = 0, refused = 0, logged = 0;
    char received[32];
    for (int index = 0; index < POOL; index++) {
        now += 30;
        hl_clock_format_local(now, received, sizeof received);
        pool[index] = register_order(app, received, (hl_order_type)(index % HL_TYPE_COUNT),
                                     index % 3 ? "city" : "");
        registered++;
    }
    int64_t first = pool[0];
    while (succeeded < actions) {
        size_t slot = next_random(&seed) % POOL;
        int64_t id = pool[slot];
        assert_int_equal(hl_app_get_order(app, id, order, &error), HL_OK);
        /* Choose an action allowed from the order's state most of the time. */
        hl_action candidates[HL_ACTION_COUNT];
        int count = 0;
        for (int action = 1; action < HL_ACTION_COUNT; action++)
            if ((hl_workflow_rule_of((hl_action)action)->from_states &
                 HL_STATE_BIT(order->state)) != 0)
                candidates[count++] = (hl_action)action;
        hl_action action = count > 0 && next_random(&seed) % 10 != 0
                               ? candidates[next_random(&seed) % (uint64_t)count]
                               : (hl_action)(1 + next_random(&seed) % (HL_ACTION_COUNT - 1));
        const hl_workflow_rule *rule = hl_workflow_rule_of(action);
        hl_role role = (hl_role)(next_random(&seed) % HL_ROLE_COUNT);
        for (int tries = 0;
             tries < 8 && next_random(&seed) % 10 != 0 && (rule->roles & HL_ROLE_BIT(role)) == 0;
             tries++)
            role = (hl_role)(next_random(&seed) % HL_ROLE_COUNT);
        hl_app_request request = {0};
        request.unit = units[next_random(&seed) % 4];
        static const char *const co_units[] = {NULL, NULL, "u2", "u3,u4", "u1,u2,u3"};
        request.co_units = co_units[next_random(&seed) % 5];
        request.note = next_random(&seed) % 20 != 0 ? "处理说明" : NULL;
        request.days = 1 + (int)(next_random(&seed) % 12);
        request.into = pool[next_random(&seed) % POOL];
        request.outcome = (hl_survey_outcome)(1 + next_random(&seed) % (HL_OUTCOME_COUNT - 1));
        request.rating = (hl_rating)(next_random(&seed) % HL_RATING_COUNT);
        request.resolved = (hl_resolved)(next_random(&seed) % 3);
        now += (hl_time)(next_random(&seed) % 600);
        int64_t version_before = order->version;
        int result =
            hl_app_act(app, actor_for(role, order, &seed), id, action, &request, now, NULL, &error);
        if (result == HL_OK)
            succeeded++;
        else if (result == HL_EIO)
            fail_msg("storage failure: %s", error.message);
        else
            refused++;
        assert_int_equal(hl_app_get_order(app, id, order, &error), HL_OK);
        /* A dissatisfied survey also reopens the order: two events for one action. */
        logged += order->version - version_before;
        if (finished(order->state)) {
            hl_clock_format_local(now, received, sizeof received);
            pool[slot] = register_order(app, received, (hl_order_type)(slot % HL_TYPE_COUNT),
                                        slot % 3 ? "city" : "");
            registered++;
        }
    }
    hl_store_set_bulk(app->store, false);
    free(order);
    print_message("%lld orders, %lld actions applied, %lld refused\n", (long long)registered,
                  (long long)succeeded, (long long)refused);
    assert_true(refused > 1000);

    int64_t events = 0;
    int differences = 0;
    assert_int_equal(hl_verify_run(app, NULL, NULL, &events, &error), HL_OK);
    expect_list_tables_agree(fix->path);
    assert_true(logged >= succeeded);
    assert_int_equal(events, registered + logged);

    /* Tamper with one rollup counter and one order's state behind the
     * store's back, through a connection of its own (test_sql_exec; the
     * rows a statement changes are counted before it). */
    if (!test_store_is_postgres())
        assert_int_equal(test_sql_exec(fix->path, "UPDATE rollups SET value = value + 1 WHERE "
                                                  "rowid IN (SELECT rowid FROM rollups LIMIT 1)"),
                         SQLITE_ERROR); /* WITHOUT ROWID: no rowid */
    const char *first_rollup =
        "(month, unit, counter) = "
        "(SELECT month, unit, counter FROM rollups ORDER BY month, unit, counter LIMIT 1)";
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM rollups WHERE %s", first_rollup);
    assert_int_equal(count_rows(fix->path, sql), 1);
    snprintf(sql, sizeof sql, "UPDATE rollups SET value = value + 1 WHERE %s", first_rollup);
    assert_int_equal(test_sql_exec(fix->path, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id = %lld AND state <> 'archived'",
             (long long)first);
    int changed_orders = (int)count_rows(fix->path, sql);
    snprintf(sql, sizeof sql,
             "UPDATE orders SET state = 'archived' WHERE id = %lld AND state <> 'archived'",
             (long long)first);
    assert_int_equal(test_sql_exec(fix->path, sql), 0);
    assert_int_equal(hl_verify_run(app, count_difference, &differences, &events, &error),
                     HL_EMISMATCH);
    /* The counter; and for a changed order its state against its log, and
     * the kept per-state counts of the state it left and the one it took. */
    assert_int_equal(differences, 1 + 3 * changed_orders);
}

static void test_survey_and_upheld_appeal_count_toward_the_completion_month(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    int64_t kept = register_order(app, "2024-02-26 09:00", HL_TYPE_HELP, "city");
    int64_t appealed = register_order(app, "2024-02-26 09:10", HL_TYPE_HELP, "city");
    int64_t ids[2] = {kept, appealed};
    for (int index = 0; index < 2; index++) {
        hl_app_request request = {.unit = "u2"};
        act_ok(app, "dispatcher", ids[index], HL_ACTION_DISPATCH, &request, "2024-02-26 10:00");
        act_ok(app, "h-u2", ids[index], HL_ACTION_SIGN, NULL, "2024-02-26 11:00");
        request = (hl_app_request){.note = "已处理"};
        act_ok(app, "h-u2", ids[index], HL_ACTION_COMPLETE, &request, "2024-02-28 16:00");
    }
    /* Surveyed in March; both count in February, when they were completed. */
    hl_app_request call = {
        .outcome = HL_OUTCOME_REACHED, .rating = HL_RATING_SATISFIED, .resolved = HL_RESOLVED_YES};
    act_ok(app, "surveyor", kept, HL_ACTION_SURVEY, &call, "2024-03-01 10:00");
    call = (hl_app_request){.outcome = HL_OUTCOME_REACHED, .rating = HL_RATING_DISSATISFIED};
    act_ok(app, "surveyor", appealed, HL_ACTION_SURVEY, &call, "2024-03-01 10:30");
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_SURVEYED), 2);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_SURVEY_SUCCEEDED), 2);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_RATED_SATISFIED), 1);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_RATED_DISSATISFIED), 1);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_SURVEY_RESOLVED), 1);
    assert_int_equal(rollup(app, 202403, "u2", HL_COUNTER_SURVEYED), 0);
    /* The dissatisfied survey reopened the order (the default policy). */
    hl_order order;
    hl_error error;
    assert_int_equal(hl_app_get_order(app, appealed, &order, &error), HL_OK);
    assert_int_equal(order.state, HL_STATE_DISPATCHED);
    assert_int_equal(rollup(app, 202403, "u2", HL_COUNTER_REOPENED), 1);
    /* The unit appeals the kept order's result; upheld, it leaves February's figures. */
    hl_app_request grounds = {.note = "恶意诉求"};
    act_ok(app, "h-u2", kept, HL_ACTION_APPEAL, &grounds, "2024-03-04 09:00");
    act_ok(app, "supervisor", kept, HL_ACTION_APPEAL_UPHOLD, &grounds, "2024-03-05 09:00");
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_SURVEYED), 1);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_SURVEY_SUCCEEDED), 1);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_RATED_SATISFIED), 0);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_SURVEY_RESOLVED), 0);
    assert_int_equal(rollup(app, 202402, "u2", HL_COUNTER_APPEAL_UPHELD), 1);
    expect_clean(app);

    /* A satisfied citizen added behind the store's back changes the published
     * figures: verify names the counter and the bulletin line it changes. */
    const char *satisfied = "month = 202402 AND unit = 'u2' AND counter = 'rated_satisfied'";
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM rollups WHERE %s", satisfied);
    assert_int_equal(count_rows(fix->path, sql), 1);
    snprintf(sql, sizeof sql, "UPDATE rollups SET value = value + 1 WHERE %s", satisfied);
    assert_int_equal(test_sql_exec(fix->path, sql), 0);
    collected_lines lines = {0};
    assert_int_equal(hl_verify_run(app, collect_line, &lines, NULL, &error), HL_EMISMATCH);
    assert_int_equal(lines.count,
                     3); /* the counter, the unit's bulletin line, the month's totals */
    assert_non_null(
        strstr(lines.text[1], "bulletin 2024-02 unit u2: stored 1/1/1 rank 0, log 1/1/0 rank 0"));
    assert_non_null(strstr(lines.text[2], "bulletin 2024-02 totals: stored 1/1/1, log 1/1/0"));
}

static void test_dissatisfied_survey_does_not_reopen_when_the_policy_is_off(void **state)
{
    fixture *fix = *state;
    hl_app *app = fix->app;
    hl_error error;
    assert_int_equal(hl_app_set_limit(app, "reopen_dissatisfied", "0", &error), HL_OK);
    int64_t id = register_order(app, "2024-02-26 09:00", HL_TYPE_HELP, "city");
    hl_app_request request = {.unit = "u2"};
    act_ok(app, "dispatcher", id, HL_ACTION_DISPATCH, &request, "2024-02-26 10:00");
    act_ok(app, "h-u2", id, HL_ACTION_SIGN, NULL, "2024-02-26 11:00");
    request = (hl_app_request){.note = "已处理"};
    act_ok(app, "h-u2", id, HL_ACTION_COMPLETE, &request, "2024-02-28 16:00");
    hl_app_request call = {.outcome = HL_OUTCOME_REACHED, .rating = HL_RATING_VERY_DISSATISFIED};
    act_ok(app, "surveyor", id, HL_ACTION_SURVEY, &call, "2024-03-01 10:00");
    hl_order order;
    assert_int_equal(hl_app_get_order(app, id, &order, &error), HL_OK);
    assert_int_equal(order.state, HL_STATE_SURVEYED);
}

static void test_verify_finds_a_counter_the_log_does_not_explain(void **state)
{
    fixture *fix = *state;
    register_order(fix->app, "2024-02-05 09:00", HL_TYPE_COMPLAINT, "city");
    assert_int_equal(test_sql_exec(fix->path, "INSERT INTO rollups(month, unit, counter, value) "
                                              "VALUES (202401, 'u9', 'completed', 3)"),
                     0);
    int differences = 0;
    hl_error error;
    assert_int_equal(hl_verify_run(fix->app, count_difference, &differences, NULL, &error),
                     HL_EMISMATCH);
    assert_int_equal(differences, 1);
}

/* ---- A caller's earlier orders ---- */

static int64_t register_call(hl_app *app, const char *received, const char *phone)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_HELP;
    order->received_at = at(received);
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "并州路路灯不亮。");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "%s", phone);
    int64_t id = 0;
    hl_error error;
    if (hl_app_register(app, "agent", order, order->received_at, &id, &error) != HL_OK)
        fail_msg("register: %s", error.message);
    free(order);
    return id;
}

typedef struct id_list {
    int64_t ids[16];
    int count;
} id_list;

static int collect_id(void *context, const hl_order *order)
{
    id_list *list = context;
    list->ids[list->count++] = order->id;
    return 0;
}

static void test_earlier_orders_of_a_caller_come_newest_first_and_limited(void **state)
{
    fixture *fix = *state;
    int64_t first = register_call(fix->app, "2024-03-01T09:00:00+08:00", "13800138000");
    register_call(fix->app, "2024-03-01T09:30:00+08:00", "13900000000");
    int64_t second = register_call(fix->app, "2024-03-02T09:00:00+08:00", "+86 138-0013-8000");
    int64_t third = register_call(fix->app, "2024-03-03T09:00:00+08:00", "0086 13800138000");
    int64_t now = register_call(fix->app, "2024-03-04T09:00:00+08:00", "138 0013 8000");
    register_call(fix->app, "2024-03-05T09:00:00+08:00", "13800138000"); /* later: not earlier */
    hl_error error;
    id_list list = {{0}, 0};
    assert_int_equal(hl_app_earlier_orders(fix->app, now, NULL, NULL, 0, collect_id, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 3);
    assert_int_equal(list.ids[0], third);
    assert_int_equal(list.ids[1], second);
    assert_int_equal(list.ids[2], first);
    list.count = 0;
    assert_int_equal(hl_app_earlier_orders(fix->app, now, NULL, NULL, 2, collect_id, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.ids[1], second);
    list.count = 0;
    assert_int_equal(
        hl_app_earlier_orders(fix->app, first, NULL, NULL, 0, collect_id, &list, &error), HL_OK);
    assert_int_equal(list.count, 0);
    assert_int_equal(
        hl_app_earlier_orders(fix->app, 20240301999999LL, NULL, NULL, 0, collect_id, &list, &error),
        HL_ENOTFOUND);
}

static void test_earlier_orders_leave_out_what_the_reader_may_not_read(void **state)
{
    fixture *fix = *state;
    int64_t mine = register_call(fix->app, "2024-03-01T09:00:00+08:00", "13800138000");
    int64_t other = register_call(fix->app, "2024-03-02T09:00:00+08:00", "13800138000");
    int64_t now = register_call(fix->app, "2024-03-03T09:00:00+08:00", "13800138000");
    hl_app_request to_u1 = {.unit = "u1"}, to_u2 = {.unit = "u2"};
    act_ok(fix->app, "dispatcher", mine, HL_ACTION_DISPATCH, &to_u1, "2024-03-03T10:00:00+08:00");
    act_ok(fix->app, "dispatcher", other, HL_ACTION_DISPATCH, &to_u2, "2024-03-03T10:00:00+08:00");
    act_ok(fix->app, "dispatcher", now, HL_ACTION_DISPATCH, &to_u1, "2024-03-03T10:00:00+08:00");
    hl_user handler;
    hl_error error;
    assert_int_equal(hl_app_load_actor(fix->app, "h-u1", &handler, &error), HL_OK);
    id_list list = {{0}, 0};
    assert_int_equal(hl_app_earlier_orders(fix->app, now, &handler, hl_auth_may_read_order, 0,
                                           collect_id, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(list.ids[0], mine);
    /* An order the reader may not read is not found, as an absent one. */
    list.count = 0;
    assert_int_equal(hl_app_earlier_orders(fix->app, other, &handler, hl_auth_may_read_order, 0,
                                           collect_id, &list, &error),
                     HL_ENOTFOUND);
    assert_int_equal(list.count, 0);
}

/* ---- A caller's orders at intake (issue 15) ---- */

static void test_caller_orders_come_open_first_with_the_counts_of_the_last_30_days(void **state)
{
    fixture *fix = *state;
    int64_t old = register_call(fix->app, "2024-01-10T09:00:00+08:00", "13800138000");
    int64_t closed = register_call(fix->app, "2024-02-20T09:00:00+08:00", "+86 138-0013-8000");
    int64_t dispatched = register_call(fix->app, "2024-02-25T09:00:00+08:00", "13800138000");
    int64_t fresh = register_call(fix->app, "2024-03-01T09:00:00+08:00", "0086 13800138000");
    register_call(fix->app, "2024-03-01T09:30:00+08:00", "13900000000"); /* another caller */
    hl_app_request reply = {.note = "已当场答复"}, to_u1 = {.unit = "u1"};
    act_ok(fix->app, "agent", old, HL_ACTION_RESOLVE, &reply, "2024-01-10T09:10:00+08:00");
    act_ok(fix->app, "agent", closed, HL_ACTION_RESOLVE, &reply, "2024-02-20T09:10:00+08:00");
    act_ok(fix->app, "dispatcher", dispatched, HL_ACTION_DISPATCH, &to_u1,
           "2024-02-25T10:00:00+08:00");
    hl_error error;
    hl_app_caller_summary summary;
    id_list list = {{0}, 0};
    hl_order_filter filter = {.phone = "138 0013 8000"};
    hl_time now = at("2024-03-02T09:00:00+08:00");
    assert_int_equal(
        hl_app_caller_orders(fix->app, &filter, now, 10, collect_id, &list, &summary, &error),
        HL_OK);
    /* Open ones (new, with a unit) newest first, then the others newest first. */
    assert_int_equal(list.count, 4);
    assert_int_equal(list.ids[0], fresh);
    assert_int_equal(list.ids[1], dispatched);
    assert_int_equal(list.ids[2], closed);
    assert_int_equal(list.ids[3], old);
    assert_int_equal(summary.total, 4);
    assert_int_equal(summary.open, 2);
    assert_int_equal(summary.recent, 3); /* January's is older than 30 days */
    assert_true(summary.repeat);
    /* The limit cuts the list, never the counts. */
    list.count = 0;
    assert_int_equal(
        hl_app_caller_orders(fix->app, &filter, now, 3, collect_id, &list, &summary, &error),
        HL_OK);
    assert_int_equal(list.count, 3);
    assert_int_equal(list.ids[2], closed);
    assert_int_equal(summary.total, 4);
    /* A scope by state (a surveyor's) keeps it: no open order, one recent. */
    list.count = 0;
    filter.state_mask = HL_STATE_BIT(HL_STATE_COMPLETED);
    assert_int_equal(
        hl_app_caller_orders(fix->app, &filter, now, 10, collect_id, &list, &summary, &error),
        HL_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.ids[0], closed);
    assert_int_equal(list.ids[1], old);
    assert_int_equal(summary.open, 0);
    assert_int_equal(summary.recent, 1);
    assert_false(summary.repeat);
    /* A caller with no orders. */
    list.count = 0;
    hl_order_filter nobody = {.phone = "13700000000"};
    assert_int_equal(
        hl_app_caller_orders(fix->app, &nobody, now, 10, collect_id, &list, &summary, &error),
        HL_OK);
    assert_int_equal(list.count, 0);
    assert_int_equal(summary.total, 0);
    assert_false(summary.repeat);
}

/* The timeline's names: a user's display name, "" for an actor who is no user. */
static void test_display_names_of_actors(void **state)
{
    fixture *fix = *state;
    char name[HL_NAME_BYTES];
    hl_error error;
    hl_user agent;
    assert_int_equal(hl_app_load_actor(fix->app, "agent", &agent, &error), HL_OK);
    assert_int_equal(hl_app_user_display_name(fix->app, "agent", name, sizeof name, &error), HL_OK);
    assert_string_equal(name, agent.display_name);
    assert_int_equal(hl_app_user_display_name(fix->app, "cli:root", name, sizeof name, &error),
                     HL_OK);
    assert_string_equal(name, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_one_order_walks_every_path_and_its_log_and_rollups_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intake_merge_and_invalid_paths_are_logged_and_counted,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_actions_change_nothing_in_the_store, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_category_limit_applies_to_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_configured_limit_is_stored_and_used_after_reopening,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_random_mix_of_actions_verifies_clean_and_tampering_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_survey_and_upheld_appeal_count_toward_the_completion_month, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_dissatisfied_survey_does_not_reopen_when_the_policy_is_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_finds_a_counter_the_log_does_not_explain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_earlier_orders_of_a_caller_come_newest_first_and_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_caller_orders_come_open_first_with_the_counts_of_the_last_30_days, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_display_names_of_actors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_orders_leave_out_what_the_reader_may_not_read,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
