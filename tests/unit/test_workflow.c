/* Tests of src/domain/workflow.c: every allowed and every forbidden
 * transition, and each rule the table cannot express (deadlines, the return
 * window, extension limits, merge targets, supervision of overdue orders).
 * The expected matrix below is written out independently of the table in
 * workflow.c, so that a change to either shows up here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/i18n.h"
#include "domain/workflow.h"
#include "test_support.h"

static hl_calendar calendar;
static hl_limits limits;

static int load_calendar(void **state)
{
    (void)state;
    const char *source = getenv("HOTLINE_SOURCE_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/data/calendar/cn-2024-2026.csv", source != NULL ? source : ".");
    char *data;
    size_t length;
    hl_error error;
    hl_calendar_init(&calendar);
    if (hl_file_read_all(path, 1 << 20, &data, &length, &error) != HL_OK)
        return -1;
    int result = hl_calendar_parse_csv(&calendar, data, length, &error);
    free(data);
    hl_limits_default(&limits);
    hl_i18n_set(HL_LANG_EN);
    return result;
}

static int free_calendar(void **state)
{
    (void)state;
    hl_calendar_free(&calendar);
    return 0;
}

static hl_time at(const char *text)
{
    hl_time instant = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &instant), HL_OK);
    return instant;
}

static hl_user user(hl_role role, const char *unit)
{
    hl_user actor;
    memset(&actor, 0, sizeof actor);
    snprintf(actor.username, sizeof actor.username, "%s", hl_directory_role_name(role));
    actor.role = role;
    snprintf(actor.unit, sizeof actor.unit, "%s", unit);
    actor.active = true;
    return actor;
}

/* A registered complaint received on Friday 2024-02-09 at 09:00. */
static hl_order *new_order(void)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->id = 20240209000001;
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_COMPLAINT;
    order->received_at = at("2024-02-09 09:00");
    snprintf(order->title, sizeof order->title, "小区供暖温度不达标");
    snprintf(order->content, sizeof order->content, "室温不足十六度。");
    return order;
}

static int apply(hl_order *order, hl_action action, hl_user actor, const hl_action_input *input,
                 hl_time now, hl_event *event)
{
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    hl_error_clear(&error);
    return hl_workflow_apply(order, action, &actor, input, &context, now, event, &error);
}

/* Brings an order to `state` through the real actions. */
static hl_order *order_in(hl_state state)
{
    hl_order *order = new_order();
    hl_event *event = hl_xmalloc(sizeof *event);
    hl_action_input dispatch = {.unit = "u1"};
    hl_action_input note = {.note = "n"};
    hl_time now = at("2024-02-09 10:00");
    if (state != HL_STATE_NONE)
        assert_int_equal(
            apply(order, HL_ACTION_REGISTER, user(HL_ROLE_AGENT, ""), NULL, now, event), HL_OK);
    switch (state) {
    case HL_STATE_NONE:
    case HL_STATE_NEW: break;
    case HL_STATE_MERGED:
    case HL_STATE_INVALID:
        assert_int_equal(
            apply(order, HL_ACTION_INVALIDATE, user(HL_ROLE_AGENT, ""), &note, now, event), HL_OK);
        order->state = state; /* merged and invalid orders behave alike for gating */
        break;
    default:
        assert_int_equal(
            apply(order, HL_ACTION_DISPATCH, user(HL_ROLE_DISPATCHER, ""), &dispatch, now, event),
            HL_OK);
        if (state == HL_STATE_DISPATCHED)
            break;
        if (state == HL_STATE_RETURN_PENDING) {
            assert_int_equal(
                apply(order, HL_ACTION_RETURN, user(HL_ROLE_HANDLER, "u1"), &note, now, event),
                HL_OK);
            break;
        }
        assert_int_equal(
            apply(order, HL_ACTION_SIGN, user(HL_ROLE_HANDLER, "u1"), NULL, now, event), HL_OK);
        if (state == HL_STATE_SIGNED)
            break;
        assert_int_equal(
            apply(order, HL_ACTION_HANDLE, user(HL_ROLE_HANDLER, "u1"), &note, now, event), HL_OK);
        if (state == HL_STATE_HANDLING)
            break;
        assert_int_equal(
            apply(order, HL_ACTION_COMPLETE, user(HL_ROLE_HANDLER, "u1"), &note, now, event),
            HL_OK);
        if (state == HL_STATE_COMPLETED)
            break;
        if (state == HL_STATE_ARCHIVED) {
            assert_int_equal(
                apply(order, HL_ACTION_ARCHIVE, user(HL_ROLE_SUPERVISOR, ""), NULL, now, event),
                HL_OK);
            break;
        }
        order->state = state; /* surveyed: set by the survey use case (next stage) */
    }
    free(event);
    return order;
}

/* The lifecycle written out again, independently of workflow.c. */
typedef struct expectation {
    hl_action action;
    hl_state from[5];
    hl_role roles[3];
    hl_state to; /* HL_STATE_NONE: unchanged */
} expectation;

#define ROLES(...)                                                                                 \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
static const expectation expected[] = {
    {HL_ACTION_RESOLVE,
     {HL_STATE_NEW},
     ROLES(HL_ROLE_AGENT, HL_ROLE_DISPATCHER),
     HL_STATE_COMPLETED},
    {HL_ACTION_DISPATCH, {HL_STATE_NEW}, ROLES(HL_ROLE_DISPATCHER), HL_STATE_DISPATCHED},
    {HL_ACTION_SIGN, {HL_STATE_DISPATCHED}, ROLES(HL_ROLE_HANDLER), HL_STATE_SIGNED},
    {HL_ACTION_HANDLE,
     {HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_HANDLER),
     HL_STATE_HANDLING},
    {HL_ACTION_COMPLETE,
     {HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_HANDLER),
     HL_STATE_COMPLETED},
    {HL_ACTION_RETURN,
     {HL_STATE_DISPATCHED, HL_STATE_SIGNED},
     ROLES(HL_ROLE_HANDLER),
     HL_STATE_RETURN_PENDING},
    {HL_ACTION_RETURN_REJECT,
     {HL_STATE_RETURN_PENDING},
     ROLES(HL_ROLE_DISPATCHER),
     HL_STATE_DISPATCHED},
    {HL_ACTION_REASSIGN,
     {HL_STATE_RETURN_PENDING, HL_STATE_DISPATCHED, HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_DISPATCHER),
     HL_STATE_DISPATCHED},
    {HL_ACTION_EXTEND_REQUEST,
     {HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_HANDLER),
     HL_STATE_NONE},
    {HL_ACTION_EXTEND_APPROVE,
     {HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_NONE},
    {HL_ACTION_EXTEND_REFUSE,
     {HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_NONE},
    {HL_ACTION_REMIND,
     {HL_STATE_DISPATCHED, HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_DISPATCHER, HL_ROLE_SUPERVISOR),
     HL_STATE_NONE},
    {HL_ACTION_SUPERVISE,
     {HL_STATE_DISPATCHED, HL_STATE_SIGNED, HL_STATE_HANDLING},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_NONE},
    {HL_ACTION_REOPEN,
     {HL_STATE_COMPLETED, HL_STATE_SURVEYED},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_DISPATCHED},
    {HL_ACTION_MERGE, {HL_STATE_NEW}, ROLES(HL_ROLE_AGENT, HL_ROLE_DISPATCHER), HL_STATE_MERGED},
    {HL_ACTION_INVALIDATE,
     {HL_STATE_NEW, HL_STATE_DISPATCHED, HL_STATE_RETURN_PENDING},
     ROLES(HL_ROLE_AGENT, HL_ROLE_DISPATCHER, HL_ROLE_SUPERVISOR),
     HL_STATE_INVALID},
    {HL_ACTION_ARCHIVE,
     {HL_STATE_COMPLETED, HL_STATE_SURVEYED},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_ARCHIVED},
    {HL_ACTION_SURVEY, {HL_STATE_COMPLETED}, ROLES(HL_ROLE_SURVEYOR), HL_STATE_SURVEYED},
    {HL_ACTION_APPEAL,
     {HL_STATE_COMPLETED, HL_STATE_SURVEYED, HL_STATE_ARCHIVED},
     ROLES(HL_ROLE_HANDLER),
     HL_STATE_NONE},
    {HL_ACTION_APPEAL_UPHOLD,
     {HL_STATE_COMPLETED, HL_STATE_SURVEYED, HL_STATE_ARCHIVED},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_NONE},
    {HL_ACTION_APPEAL_REJECT,
     {HL_STATE_COMPLETED, HL_STATE_SURVEYED, HL_STATE_ARCHIVED},
     ROLES(HL_ROLE_SUPERVISOR),
     HL_STATE_NONE},
};

static bool listed_state(const expectation *row, hl_state state)
{
    for (size_t index = 0; index < 5; index++)
        if (row->from[index] == state && (index == 0 || row->from[index] != HL_STATE_NONE))
            return row->from[index] != HL_STATE_NONE || state == HL_STATE_NONE;
    return false;
}

static bool listed_role(const expectation *row, hl_role role)
{
    /* Unused slots are zero, which is HL_ROLE_AGENT: only the first slot may name it. */
    for (size_t index = 0; index < 3; index++)
        if (row->roles[index] == role && (index == 0 || role != HL_ROLE_AGENT))
            return true;
    return false;
}

static void test_every_action_state_and_role_is_allowed_or_refused_as_specified(void **state)
{
    (void)state;
    hl_order *merge_target = order_in(HL_STATE_NEW);
    merge_target->id = 20240208000001;
    merge_target->received_at = at("2024-02-08 09:00");
    hl_event *event = hl_xmalloc(sizeof *event);
    int checked = 0;
    for (size_t row_index = 0; row_index < sizeof expected / sizeof expected[0]; row_index++) {
        const expectation *row = &expected[row_index];
        for (int from = HL_STATE_NEW; from < HL_STATE_COUNT; from++) {
            for (int role = 0; role < HL_ROLE_COUNT; role++) {
                hl_order *order = order_in((hl_state)from);
                /* Make every per-action precondition hold, so that only the
                 * table's gates decide. */
                order->extension_pending_days = row->action == HL_ACTION_EXTEND_APPROVE ||
                                                        row->action == HL_ACTION_EXTEND_REFUSE
                                                    ? 2
                                                    : 0;
                if (row->action == HL_ACTION_APPEAL_UPHOLD ||
                    row->action == HL_ACTION_APPEAL_REJECT)
                    order->appeal_state = HL_APPEAL_PENDING;
                hl_time now = at("2024-02-09 12:00");
                if (row->action == HL_ACTION_SUPERVISE)
                    now = order->due_at + 60;
                hl_action_input input = {.unit = "u2",
                                         .note = "理由",
                                         .days = 2,
                                         .into = merge_target,
                                         .outcome = HL_OUTCOME_REACHED,
                                         .rating = HL_RATING_SATISFIED,
                                         .resolved = HL_RESOLVED_YES};
                hl_order before;
                memcpy(&before, order, sizeof before);
                int result =
                    apply(order, row->action, user((hl_role)role, "u1"), &input, now, event);
                bool state_ok = listed_state(row, (hl_state)from);
                bool role_ok = listed_role(row, (hl_role)role);
                if (!state_ok) {
                    assert_int_equal(result, HL_ESTATE);
                } else if (!role_ok) {
                    assert_int_equal(result, HL_EROLE);
                } else {
                    if (result != HL_OK)
                        fail_msg("%s from %s by %s refused (%d)",
                                 hl_workflow_rule_of(row->action)->name,
                                 hl_order_state_name((hl_state)from),
                                 hl_directory_role_name((hl_role)role), result);
                    hl_state to = row->to != HL_STATE_NONE ? row->to : (hl_state)from;
                    if (row->action == HL_ACTION_RETURN_REJECT)
                        to = before.state_before_return;
                    assert_int_equal(order->state, to);
                    assert_int_equal(order->version, before.version + 1);
                    assert_int_equal(event->seq, before.version + 1);
                    assert_int_equal(event->from_state, from);
                    assert_int_equal(event->to_state, to);
                    assert_int_equal(event->action, row->action);
                }
                if (result != HL_OK)
                    assert_memory_equal(&before, order, sizeof before);
                free(order);
                checked++;
            }
        }
    }
    assert_int_equal(checked, 21 * (HL_STATE_COUNT - 1) * HL_ROLE_COUNT);
    free(merge_target);
    free(event);
}

static void
test_register_is_allowed_only_before_registration_and_to_agents_and_dispatchers(void **state)
{
    (void)state;
    hl_event event;
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        hl_order *order = order_in(HL_STATE_NONE);
        int result = apply(order, HL_ACTION_REGISTER, user((hl_role)role, ""), NULL,
                           at("2024-02-09 09:00"), &event);
        bool allowed = role == HL_ROLE_AGENT || role == HL_ROLE_DISPATCHER;
        assert_int_equal(result, allowed ? HL_OK : HL_EROLE);
        if (allowed) {
            assert_int_equal(order->state, HL_STATE_NEW);
            assert_int_equal(order->version, 1);
            assert_string_equal(order->registered_by, hl_directory_role_name((hl_role)role));
            assert_int_equal(
                apply(order, HL_ACTION_REGISTER, user(HL_ROLE_AGENT, ""), NULL, 0, &event),
                HL_ESTATE);
        }
        free(order);
    }
}

static void test_register_refuses_an_order_without_title(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NONE);
    order->title[0] = '\0';
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    hl_user agent = user(HL_ROLE_AGENT, "");
    assert_int_equal(
        hl_workflow_apply(order, HL_ACTION_REGISTER, &agent, NULL, &context, 1, &event, &error),
        HL_EINVAL);
    assert_string_equal(error.field, "title");
    assert_int_equal(order->state, HL_STATE_NONE);
    free(order);
}

static void test_dispatch_starts_three_deadlines_on_the_working_day_calendar(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    hl_action_input input = {.unit = "u1"};
    /* Friday 9 February 2024: the Spring Festival holiday runs 10-17 February
     * and Sunday 18 February is a working day. */
    assert_int_equal(apply(order, HL_ACTION_DISPATCH, user(HL_ROLE_DISPATCHER, ""), &input,
                           at("2024-02-09 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->sign_deadline, at("2024-02-18 23:59:59"));
    assert_int_equal(order->return_deadline, at("2024-02-19 23:59:59"));
    /* A complaint has 13 working days: 18-23, 26-29 February, 1, 4 and 5 March. */
    assert_int_equal(order->handle_deadline, at("2024-03-05 23:59:59"));
    assert_int_equal(order->due_at, order->sign_deadline);
    assert_string_equal(order->lead_unit, "u1");
    assert_string_equal(event.unit, "u1");
    assert_non_null(strstr(event.details, "\"handle_deadline\":\"2024-03-05T23:59:59+08:00\""));
    free(order);
}

static void test_category_time_limit_overrides_the_type_limit(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    hl_action_input input = {.unit = "u1"};
    hl_workflow_context context = {&calendar, &limits, 2};
    hl_error error;
    hl_user dispatcher = user(HL_ROLE_DISPATCHER, "");
    assert_int_equal(hl_workflow_apply(order, HL_ACTION_DISPATCH, &dispatcher, &input, &context,
                                       at("2024-02-09 10:00"), &event, &error),
                     HL_OK);
    assert_int_equal(order->handle_deadline, at("2024-02-19 23:59:59"));
    free(order);
}

static void test_inquiry_has_three_working_days(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    order->type = HL_TYPE_INQUIRY;
    hl_action_input input = {.unit = "u1"};
    assert_int_equal(apply(order, HL_ACTION_DISPATCH, user(HL_ROLE_DISPATCHER, ""), &input,
                           at("2024-02-01 10:00"), &event),
                     HL_OK);
    /* Thursday 1 February: Friday 2, Sunday 4 (a working day), Monday 5. */
    assert_int_equal(order->handle_deadline, at("2024-02-05 23:59:59"));
    free(order);
}

static void test_late_sign_is_judged_against_the_sign_deadline(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_DISPATCHED);
    hl_time deadline = order->sign_deadline;
    assert_int_equal(
        apply(order, HL_ACTION_SIGN, user(HL_ROLE_HANDLER, "u1"), NULL, deadline + 1, &event),
        HL_OK);
    assert_int_equal(event.deadline, deadline);
    assert_true(event.at > event.deadline);
    assert_int_equal(order->due_at, order->handle_deadline);
    assert_int_equal(order->signed_at, deadline + 1);
    free(order);
}

static void test_handler_of_another_unit_is_refused(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_DISPATCHED);
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    hl_user stranger = user(HL_ROLE_HANDLER, "u9");
    assert_int_equal(hl_workflow_apply(order, HL_ACTION_SIGN, &stranger, NULL, &context,
                                       at("2024-02-09 11:00"), &event, &error),
                     HL_EROLE);
    assert_non_null(strstr(error.message, "u9"));
    free(order);
}

static void test_co_handling_unit_may_record_progress_but_not_complete(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    hl_action_input dispatch = {.unit = "u1", .co_units = "u2, u3"};
    assert_int_equal(apply(order, HL_ACTION_DISPATCH, user(HL_ROLE_DISPATCHER, ""), &dispatch,
                           at("2024-02-09 10:00"), &event),
                     HL_OK);
    assert_string_equal(order->co_units, "u2,u3");
    assert_int_equal(apply(order, HL_ACTION_SIGN, user(HL_ROLE_HANDLER, "u1"), NULL,
                           at("2024-02-09 11:00"), &event),
                     HL_OK);
    hl_action_input note = {.note = "协办进展"};
    assert_int_equal(apply(order, HL_ACTION_HANDLE, user(HL_ROLE_HANDLER, "u3"), &note,
                           at("2024-02-09 12:00"), &event),
                     HL_OK);
    assert_int_equal(apply(order, HL_ACTION_COMPLETE, user(HL_ROLE_HANDLER, "u3"), &note,
                           at("2024-02-09 13:00"), &event),
                     HL_EROLE);
    free(order);
}

static void test_co_units_must_not_repeat_or_name_the_lead(void **state)
{
    (void)state;
    hl_event event;
    const char *bad_lists[] = {"u2,u2", "u1", "u2,bad code", "a,b,c,d,e,f,g,h,i"};
    for (size_t index = 0; index < 4; index++) {
        hl_order *order = order_in(HL_STATE_NEW);
        hl_action_input dispatch = {.unit = "u1", .co_units = bad_lists[index]};
        assert_int_equal(apply(order, HL_ACTION_DISPATCH, user(HL_ROLE_DISPATCHER, ""), &dispatch,
                               at("2024-02-09 10:00"), &event),
                         HL_EINVAL);
        assert_int_equal(order->state, HL_STATE_NEW);
        free(order);
    }
}

static void test_complete_requires_a_reply_and_records_it(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_SIGNED);
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    hl_user handler = user(HL_ROLE_HANDLER, "u1");
    hl_action_input blank = {.note = "   "};
    assert_int_equal(hl_workflow_apply(order, HL_ACTION_COMPLETE, &handler, &blank, &context,
                                       at("2024-02-20 10:00"), &event, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "reply");
    hl_action_input reply = {.note = "已修复供暖管道。"};
    assert_int_equal(hl_workflow_apply(order, HL_ACTION_COMPLETE, &handler, &reply, &context,
                                       at("2024-02-20 10:00"), &event, &error),
                     HL_OK);
    assert_string_equal(order->reply, "已修复供暖管道。");
    assert_int_equal(order->completed_at, at("2024-02-20 10:00"));
    assert_int_equal(order->due_at, 0);
    assert_int_equal(event.deadline, order->handle_deadline);
    free(order);
}

static void test_return_after_the_window_is_refused(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_SIGNED);
    hl_action_input note = {.note = "非本单位职责"};
    assert_int_equal(apply(order, HL_ACTION_RETURN, user(HL_ROLE_HANDLER, "u1"), &note,
                           order->return_deadline + 1, &event),
                     HL_ESTATE);
    assert_int_equal(order->state, HL_STATE_SIGNED);
    assert_int_equal(apply(order, HL_ACTION_RETURN, user(HL_ROLE_HANDLER, "u1"), &note,
                           order->return_deadline, &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_RETURN_PENDING);
    assert_int_equal(order->return_count, 1);
    assert_int_equal(order->due_at, 0);
    free(order);
}

static void test_rejected_return_goes_back_to_the_state_before_it(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_SIGNED);
    hl_action_input note = {.note = "非本单位职责"};
    assert_int_equal(apply(order, HL_ACTION_RETURN, user(HL_ROLE_HANDLER, "u1"), &note,
                           at("2024-02-09 12:00"), &event),
                     HL_OK);
    assert_int_equal(apply(order, HL_ACTION_RETURN_REJECT, user(HL_ROLE_DISPATCHER, ""), &note,
                           at("2024-02-09 13:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_SIGNED);
    assert_int_equal(event.to_state, HL_STATE_SIGNED);
    assert_int_equal(order->due_at, order->handle_deadline);
    free(order);
}

static void test_reassign_records_the_unit_it_was_taken_from_and_restarts_deadlines(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_RETURN_PENDING);
    hl_action_input same = {.unit = "u1"};
    assert_int_equal(apply(order, HL_ACTION_REASSIGN, user(HL_ROLE_DISPATCHER, ""), &same,
                           at("2024-02-19 09:00"), &event),
                     HL_EINVAL);
    hl_action_input other = {.unit = "u2"};
    assert_int_equal(apply(order, HL_ACTION_REASSIGN, user(HL_ROLE_DISPATCHER, ""), &other,
                           at("2024-02-19 09:00"), &event),
                     HL_OK);
    assert_string_equal(event.other_unit, "u1");
    assert_string_equal(event.unit, "u2");
    assert_string_equal(order->lead_unit, "u2");
    assert_int_equal(order->state, HL_STATE_DISPATCHED);
    assert_int_equal(order->sign_deadline, at("2024-02-20 23:59:59"));
    free(order);
}

static void test_extension_is_limited_in_days_and_in_number(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_SIGNED);
    hl_user handler = user(HL_ROLE_HANDLER, "u1");
    hl_user supervisor = user(HL_ROLE_SUPERVISOR, "");
    hl_action_input too_long = {.note = "需协调", .days = 11};
    assert_int_equal(
        apply(order, HL_ACTION_EXTEND_REQUEST, handler, &too_long, at("2024-02-19 09:00"), &event),
        HL_EINVAL);
    hl_action_input ask = {.note = "需协调", .days = 3};
    assert_int_equal(
        apply(order, HL_ACTION_EXTEND_REQUEST, handler, &ask, at("2024-02-19 09:00"), &event),
        HL_OK);
    assert_int_equal(order->extension_pending_days, 3);
    assert_int_equal(
        apply(order, HL_ACTION_EXTEND_REQUEST, handler, &ask, at("2024-02-19 10:00"), &event),
        HL_ESTATE);
    hl_action_input too_many = {.days = 4};
    assert_int_equal(apply(order, HL_ACTION_EXTEND_APPROVE, supervisor, &too_many,
                           at("2024-02-19 11:00"), &event),
                     HL_EINVAL);
    hl_time before = order->handle_deadline; /* 2024-03-05 */
    hl_action_input grant = {.days = 2};
    assert_int_equal(
        apply(order, HL_ACTION_EXTEND_APPROVE, supervisor, &grant, at("2024-02-19 11:00"), &event),
        HL_OK);
    assert_int_equal(before, at("2024-03-05 23:59:59"));
    assert_int_equal(order->handle_deadline, at("2024-03-07 23:59:59"));
    assert_int_equal(order->extension_count, 1);
    assert_int_equal(order->extension_pending_days, 0);
    /* One extension per order by default. */
    assert_int_equal(
        apply(order, HL_ACTION_EXTEND_REQUEST, handler, &ask, at("2024-02-20 09:00"), &event),
        HL_ESTATE);
    free(order);
}

static void test_refused_extension_keeps_the_deadline(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_HANDLING);
    hl_time deadline = order->handle_deadline;
    hl_action_input ask = {.note = "需协调", .days = 3};
    assert_int_equal(apply(order, HL_ACTION_EXTEND_REQUEST, user(HL_ROLE_HANDLER, "u1"), &ask,
                           at("2024-02-19 09:00"), &event),
                     HL_OK);
    hl_action_input reason = {.note = "理由不充分"};
    assert_int_equal(apply(order, HL_ACTION_EXTEND_REFUSE, user(HL_ROLE_SUPERVISOR, ""), &reason,
                           at("2024-02-19 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->handle_deadline, deadline);
    assert_int_equal(order->extension_pending_days, 0);
    assert_int_equal(apply(order, HL_ACTION_EXTEND_REFUSE, user(HL_ROLE_SUPERVISOR, ""), &reason,
                           at("2024-02-19 10:00"), &event),
                     HL_ESTATE);
    free(order);
}

static void test_supervision_is_only_for_overdue_orders(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_HANDLING);
    hl_action_input note = {.note = "请尽快办结"};
    assert_int_equal(apply(order, HL_ACTION_SUPERVISE, user(HL_ROLE_SUPERVISOR, ""), &note,
                           order->handle_deadline, &event),
                     HL_ESTATE);
    assert_int_equal(apply(order, HL_ACTION_SUPERVISE, user(HL_ROLE_SUPERVISOR, ""), &note,
                           order->handle_deadline + 1, &event),
                     HL_OK);
    assert_int_equal(order->supervise_count, 1);
    assert_int_equal(event.deadline, order->handle_deadline);
    free(order);
}

static void test_reopen_sends_the_order_back_to_its_unit_with_new_deadlines(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_action_input note = {.note = "回访不满意"};
    assert_int_equal(apply(order, HL_ACTION_REOPEN, user(HL_ROLE_SUPERVISOR, ""), &note,
                           at("2024-03-01 09:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_DISPATCHED);
    assert_string_equal(order->lead_unit, "u1");
    assert_int_equal(order->reopen_count, 1);
    assert_string_equal(order->reply, "");
    assert_int_equal(order->completed_at, 0);
    assert_int_equal(order->sign_deadline, at("2024-03-04 23:59:59"));
    free(order);
}

static void test_an_order_resolved_at_intake_cannot_be_reopened(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    hl_action_input answer = {.note = "已当场答复"};
    assert_int_equal(apply(order, HL_ACTION_RESOLVE, user(HL_ROLE_AGENT, ""), &answer,
                           at("2024-02-09 09:05"), &event),
                     HL_OK);
    assert_string_equal(event.unit, "");
    assert_int_equal(apply(order, HL_ACTION_REOPEN, user(HL_ROLE_SUPERVISOR, ""), &answer,
                           at("2024-02-10 09:05"), &event),
                     HL_ESTATE);
    assert_int_equal(order->state, HL_STATE_COMPLETED);
    free(order);
}

static void test_merge_goes_only_into_an_earlier_live_order(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    hl_order *later = order_in(HL_STATE_NEW);
    later->id = order->id + 1;
    later->received_at = order->received_at + 60;
    hl_action_input into_later = {.into = later};
    assert_int_equal(apply(order, HL_ACTION_MERGE, user(HL_ROLE_AGENT, ""), &into_later,
                           at("2024-02-09 10:00"), &event),
                     HL_EINVAL);
    hl_action_input into_self = {.into = order};
    assert_int_equal(apply(order, HL_ACTION_MERGE, user(HL_ROLE_AGENT, ""), &into_self,
                           at("2024-02-09 10:00"), &event),
                     HL_EINVAL);
    hl_order *earlier = order_in(HL_STATE_INVALID);
    earlier->id = order->id - 1;
    earlier->received_at = order->received_at - 60;
    hl_action_input into_invalid = {.into = earlier};
    assert_int_equal(apply(order, HL_ACTION_MERGE, user(HL_ROLE_AGENT, ""), &into_invalid,
                           at("2024-02-09 10:00"), &event),
                     HL_EINVAL);
    earlier->state = HL_STATE_DISPATCHED;
    assert_int_equal(apply(order, HL_ACTION_MERGE, user(HL_ROLE_AGENT, ""), &into_invalid,
                           at("2024-02-09 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_MERGED);
    assert_int_equal(order->duplicate_of, earlier->id);
    assert_true(order->excluded);
    free(order);
    free(later);
    free(earlier);
}

static void test_invalid_order_is_excluded_with_its_reason(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_DISPATCHED);
    hl_action_input reason = {.note = "骚扰电话"};
    assert_int_equal(apply(order, HL_ACTION_INVALIDATE, user(HL_ROLE_SUPERVISOR, ""), &reason,
                           at("2024-02-09 11:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_INVALID);
    assert_true(order->excluded);
    assert_string_equal(order->excluded_reason, "骚扰电话");
    assert_int_equal(order->due_at, 0);
    free(order);
}

static void test_disabled_user_is_refused(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_NEW);
    hl_user dispatcher = user(HL_ROLE_DISPATCHER, "");
    dispatcher.active = false;
    hl_action_input input = {.unit = "u1"};
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    assert_int_equal(hl_workflow_apply(order, HL_ACTION_DISPATCH, &dispatcher, &input, &context, 1,
                                       &event, &error),
                     HL_EROLE);
    free(order);
}

static void test_refusal_message_names_state_and_action_in_chinese(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    hl_user handler = user(HL_ROLE_HANDLER, "u1");
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(
        hl_workflow_apply(order, HL_ACTION_SIGN, &handler, NULL, &context, 1, &event, &error),
        HL_ESTATE);
    hl_i18n_set(HL_LANG_EN);
    assert_string_equal(error.message, "工单处于「已办结」状态，不能「签收」");
    free(order);
}

static hl_action_input call(hl_survey_outcome outcome, hl_rating rating)
{
    hl_action_input input = {
        .outcome = outcome, .rating = rating, .resolved = HL_RESOLVED_YES, .note = "谢谢"};
    return input;
}

static void
test_reached_survey_records_the_rating_and_counts_toward_the_completion_month(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED); /* completed 2024-02-09 */
    assert_int_equal(order->assessed_month, 202402);
    hl_action_input input = call(HL_OUTCOME_REACHED, HL_RATING_BASIC);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &input,
                           at("2024-03-01 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_SURVEYED);
    assert_int_equal(order->survey_result, HL_SURVEY_SUCCEEDED);
    assert_int_equal(order->rating, HL_RATING_BASIC);
    assert_int_equal(order->resolved, HL_RESOLVED_YES);
    assert_int_equal(event.period, 202402);
    assert_int_equal(event.flags, HL_EVENT_SURVEY_CONCLUDED | HL_EVENT_SURVEY_REACHED);
    assert_int_equal(event.rating, HL_RATING_BASIC);
    free(order);
}

static void test_reached_survey_needs_a_rating(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_action_input input = call(HL_OUTCOME_REACHED, HL_RATING_NONE);
    hl_workflow_context context = {&calendar, &limits, 0};
    hl_error error;
    hl_user surveyor = user(HL_ROLE_SURVEYOR, "");
    assert_int_equal(hl_workflow_apply(order, HL_ACTION_SURVEY, &surveyor, &input, &context,
                                       at("2024-02-10 10:00"), &event, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "rating");
    free(order);
}

static void test_survey_fails_after_the_allowed_unanswered_calls(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_action_input no_answer = call(HL_OUTCOME_NO_ANSWER, HL_RATING_NONE);
    hl_action_input busy = call(HL_OUTCOME_BUSY, HL_RATING_NONE);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &no_answer,
                           at("2024-02-10 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_COMPLETED);
    assert_int_equal(event.flags, 0);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &busy,
                           at("2024-02-10 15:00"), &event),
                     HL_OK);
    assert_int_equal(order->state, HL_STATE_COMPLETED);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &no_answer,
                           at("2024-02-11 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->survey_attempts, 3);
    assert_int_equal(order->state, HL_STATE_SURVEYED);
    assert_int_equal(order->survey_result, HL_SURVEY_FAILED);
    assert_int_equal(event.flags, HL_EVENT_SURVEY_CONCLUDED);
    free(order);
}

static void test_refusal_or_a_wrong_number_ends_the_survey_at_once(void **state)
{
    (void)state;
    hl_event event;
    hl_survey_outcome outcomes[] = {HL_OUTCOME_REFUSED, HL_OUTCOME_WRONG_NUMBER};
    for (size_t index = 0; index < 2; index++) {
        hl_order *order = order_in(HL_STATE_COMPLETED);
        hl_action_input input = call(outcomes[index], HL_RATING_NONE);
        assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &input,
                               at("2024-02-10 10:00"), &event),
                         HL_OK);
        assert_int_equal(order->survey_result, HL_SURVEY_FAILED);
        assert_int_equal(order->survey_attempts, 1);
        free(order);
    }
}

static void test_surveyor_reopens_only_after_a_dissatisfied_survey(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_action_input reason = {.note = "回访不满意"};
    hl_action_input satisfied = call(HL_OUTCOME_REACHED, HL_RATING_SATISFIED);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &satisfied,
                           at("2024-02-10 10:00"), &event),
                     HL_OK);
    assert_int_equal(apply(order, HL_ACTION_REOPEN, user(HL_ROLE_SURVEYOR, ""), &reason,
                           at("2024-02-10 10:05"), &event),
                     HL_EROLE);
    hl_order *unhappy = order_in(HL_STATE_COMPLETED);
    hl_action_input dissatisfied = call(HL_OUTCOME_REACHED, HL_RATING_VERY_DISSATISFIED);
    assert_int_equal(apply(unhappy, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &dissatisfied,
                           at("2024-02-10 10:00"), &event),
                     HL_OK);
    assert_int_equal(apply(unhappy, HL_ACTION_REOPEN, user(HL_ROLE_SURVEYOR, ""), &reason,
                           at("2024-02-10 10:05"), &event),
                     HL_OK);
    assert_int_equal(unhappy->state, HL_STATE_DISPATCHED);
    /* The next completion starts a new round of assessment. */
    assert_int_equal(unhappy->survey_result, HL_SURVEY_NONE);
    assert_int_equal(unhappy->assessed_month, 0);
    free(order);
    free(unhappy);
}

static void test_appeal_is_allowed_once_within_its_window(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_action_input failed = call(HL_OUTCOME_WRONG_NUMBER, HL_RATING_NONE);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &failed,
                           at("2024-02-19 10:00"), &event),
                     HL_OK);
    hl_action_input grounds = {.note = "诉求人留错号码"};
    /* Five working days after Monday 19 February: Monday 26 February. */
    assert_int_equal(apply(order, HL_ACTION_APPEAL, user(HL_ROLE_HANDLER, "u1"), &grounds,
                           at("2024-02-27 00:00"), &event),
                     HL_ESTATE);
    assert_int_equal(apply(order, HL_ACTION_APPEAL, user(HL_ROLE_HANDLER, "u2"), &grounds,
                           at("2024-02-26 10:00"), &event),
                     HL_EROLE);
    assert_int_equal(apply(order, HL_ACTION_APPEAL, user(HL_ROLE_HANDLER, "u1"), &grounds,
                           at("2024-02-26 10:00"), &event),
                     HL_OK);
    assert_int_equal(order->appeal_state, HL_APPEAL_PENDING);
    assert_int_equal(apply(order, HL_ACTION_APPEAL, user(HL_ROLE_HANDLER, "u1"), &grounds,
                           at("2024-02-26 11:00"), &event),
                     HL_ESTATE);
    free(order);
}

static void test_upheld_appeal_excludes_the_order_and_carries_what_it_had_counted(void **state)
{
    (void)state;
    hl_event event;
    hl_order *order = order_in(HL_STATE_COMPLETED);
    hl_action_input unhappy = call(HL_OUTCOME_REACHED, HL_RATING_DISSATISFIED);
    assert_int_equal(apply(order, HL_ACTION_SURVEY, user(HL_ROLE_SURVEYOR, ""), &unhappy,
                           at("2024-02-19 10:00"), &event),
                     HL_OK);
    hl_action_input grounds = {.note = "恶意诉求"};
    assert_int_equal(apply(order, HL_ACTION_APPEAL, user(HL_ROLE_HANDLER, "u1"), &grounds,
                           at("2024-02-20 10:00"), &event),
                     HL_OK);
    hl_action_input decision = {.note = "经核实属实"};
    assert_int_equal(apply(order, HL_ACTION_APPEAL_UPHOLD, user(HL_ROLE_SUPERVISOR, ""), &decision,
                           at("2024-02-21 10:00"), &event),
                     HL_OK);
    assert_true(order->excluded);
    assert_int_equal(order->appeal_state, HL_APPEAL_UPHELD);
    assert_non_null(strstr(order->excluded_reason, "恶意诉求"));
    assert_int_equal(event.flags, HL_EVENT_SURVEY_CONCLUDED | HL_EVENT_SURVEY_REACHED);
    assert_int_equal(event.rating, HL_RATING_DISSATISFIED);
    assert_int_equal(event.period, 202402);
    assert_int_equal(apply(order, HL_ACTION_APPEAL_REJECT, user(HL_ROLE_SUPERVISOR, ""), &decision,
                           at("2024-02-21 11:00"), &event),
                     HL_ESTATE);
    free(order);
}

static void test_action_names_parse_in_english_and_chinese(void **state)
{
    (void)state;
    hl_action action;
    assert_int_equal(hl_workflow_action_parse(hl_slice_of("extend-request"), &action), HL_OK);
    assert_int_equal(action, HL_ACTION_EXTEND_REQUEST);
    assert_int_equal(hl_workflow_action_parse(hl_slice_of("督办"), &action), HL_OK);
    assert_int_equal(action, HL_ACTION_SUPERVISE);
    assert_int_equal(hl_workflow_action_parse(hl_slice_of("fly"), &action), HL_EINVAL);
    assert_null(hl_workflow_rule_of(HL_ACTION_COUNT));
}

static void test_markdown_table_has_one_row_per_action(void **state)
{
    (void)state;
    hl_buf markdown;
    hl_buf_init(&markdown);
    hl_workflow_markdown(&markdown);
    for (int action = 0; action < HL_ACTION_COUNT; action++) {
        char cell[64];
        snprintf(cell, sizeof cell, "| `%s` |", hl_workflow_rule_of((hl_action)action)->name);
        assert_non_null(strstr(markdown.data, cell));
    }
    assert_non_null(strstr(markdown.data, "stateDiagram-v2"));
    hl_buf_free(&markdown);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_state_and_role_is_allowed_or_refused_as_specified),
        cmocka_unit_test(
            test_register_is_allowed_only_before_registration_and_to_agents_and_dispatchers),
        cmocka_unit_test(test_register_refuses_an_order_without_title),
        cmocka_unit_test(test_dispatch_starts_three_deadlines_on_the_working_day_calendar),
        cmocka_unit_test(test_category_time_limit_overrides_the_type_limit),
        cmocka_unit_test(test_inquiry_has_three_working_days),
        cmocka_unit_test(test_late_sign_is_judged_against_the_sign_deadline),
        cmocka_unit_test(test_handler_of_another_unit_is_refused),
        cmocka_unit_test(test_co_handling_unit_may_record_progress_but_not_complete),
        cmocka_unit_test(test_co_units_must_not_repeat_or_name_the_lead),
        cmocka_unit_test(test_complete_requires_a_reply_and_records_it),
        cmocka_unit_test(test_return_after_the_window_is_refused),
        cmocka_unit_test(test_rejected_return_goes_back_to_the_state_before_it),
        cmocka_unit_test(test_reassign_records_the_unit_it_was_taken_from_and_restarts_deadlines),
        cmocka_unit_test(test_extension_is_limited_in_days_and_in_number),
        cmocka_unit_test(test_refused_extension_keeps_the_deadline),
        cmocka_unit_test(test_supervision_is_only_for_overdue_orders),
        cmocka_unit_test(test_reopen_sends_the_order_back_to_its_unit_with_new_deadlines),
        cmocka_unit_test(test_an_order_resolved_at_intake_cannot_be_reopened),
        cmocka_unit_test(test_merge_goes_only_into_an_earlier_live_order),
        cmocka_unit_test(test_invalid_order_is_excluded_with_its_reason),
        cmocka_unit_test(test_disabled_user_is_refused),
        cmocka_unit_test(test_refusal_message_names_state_and_action_in_chinese),
        cmocka_unit_test(
            test_reached_survey_records_the_rating_and_counts_toward_the_completion_month),
        cmocka_unit_test(test_reached_survey_needs_a_rating),
        cmocka_unit_test(test_survey_fails_after_the_allowed_unanswered_calls),
        cmocka_unit_test(test_refusal_or_a_wrong_number_ends_the_survey_at_once),
        cmocka_unit_test(test_surveyor_reopens_only_after_a_dissatisfied_survey),
        cmocka_unit_test(test_appeal_is_allowed_once_within_its_window),
        cmocka_unit_test(test_upheld_appeal_excludes_the_order_and_carries_what_it_had_counted),
        cmocka_unit_test(test_action_names_parse_in_english_and_chinese),
        cmocka_unit_test(test_markdown_table_has_one_row_per_action),
    };
    return cmocka_run_group_tests(tests, load_calendar, free_calendar);
}
