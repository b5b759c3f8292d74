/* workflow.c: the transition table of the work-order lifecycle and the one
 * function that applies it.
 *
 * Every rule of the lifecycle that can be written as data is in `rules`
 * below: allowed states, roles, required fields, target state. What cannot
 * (deadlines, the return window, extension limits, merge targets) is in
 * each action's step function, named in the table's last column, each a
 * few lines. This module does no I/O: it
 * trusts the caller to have checked that named units exist and are active,
 * and to store the changed order and the event in one transaction. */
#include "domain/workflow.h"

#include <stdio.h>
#include <string.h>

#include "base/contract.h"
#include "base/i18n.h"

#define S(state) HL_STATE_BIT(HL_STATE_##state)
#define R(role) HL_ROLE_BIT(HL_ROLE_##role)

static const char *const english_labels[HL_ACTION_COUNT] = {
    "register",
    "resolve at intake",
    "dispatch",
    "sign for",
    "handle",
    "complete",
    "return",
    "reject return",
    "reassign",
    "request extension",
    "approve extension",
    "refuse extension",
    "remind",
    "supervise",
    "reopen",
    "merge",
    "mark invalid",
    "archive",
    "survey",
    "appeal",
    "uphold appeal",
    "reject appeal",
};

/* ---- checks shared by every action ---- */

static bool unit_in_list(const char *list, const char *unit)
{
    size_t length = strlen(unit);
    const char *cursor = list;
    while (*cursor != '\0') {
        const char *comma = strchr(cursor, ',');
        size_t item = comma != NULL ? (size_t)(comma - cursor) : strlen(cursor);
        if (item == length && memcmp(cursor, unit, length) == 0)
            return true;
        if (comma == NULL)
            break;
        cursor = comma + 1;
    }
    return false;
}

static int check_actor(const hl_workflow_rule *rule, const hl_order *order, const hl_user *actor,
                       hl_error *error)
{
    if (!actor->active)
        return hl_error_set(error, HL_EROLE, "actor", HL_T("用户 %s 已停用", "user %s is disabled"),
                            actor->username);
    if ((rule->roles & HL_ROLE_BIT(actor->role)) == 0)
        return hl_error_set(
            error, HL_EROLE, "actor",
            HL_T("%s无权对工单执行「%s」", "the role %s may not take the action \"%s\""),
            hl_directory_role_label(actor->role),
            HL_T(rule->name_zh, english_labels[rule->action]));
    if (actor->role != HL_ROLE_HANDLER || rule->scope == HL_SCOPE_ANY)
        return HL_OK;
    bool lead = strcmp(actor->unit, order->lead_unit) == 0;
    bool co = rule->scope == HL_SCOPE_LEAD_OR_CO && unit_in_list(order->co_units, actor->unit);
    if (lead || co)
        return HL_OK;
    return hl_error_set(error, HL_EROLE, "actor",
                        HL_T("单位 %s 不是该工单的承办单位（主办：%s）",
                             "unit %s does not handle this order (lead unit: %s)"),
                        actor->unit, order->lead_unit[0] ? order->lead_unit : HL_T("无", "none"));
}

static int check_state(const hl_workflow_rule *rule, const hl_order *order, hl_error *error)
{
    if ((rule->from_states & HL_STATE_BIT(order->state)) != 0)
        return HL_OK;
    /* The two sentences name the action and the state in opposite order. */
    if (hl_i18n_get() == HL_LANG_EN)
        return hl_error_set(error, HL_ESTATE, "state",
                            "the action \"%s\" is not allowed on an order that is %s",
                            english_labels[rule->action], hl_order_state_label(order->state));
    return hl_error_set(error, HL_ESTATE, "state", "工单处于「%s」状态，不能「%s」",
                        hl_order_state_label(order->state), rule->name_zh);
}

static int missing(const char *field, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("缺少必填项 %s", "%s is required"), field);
}

static bool blank(const char *text)
{
    return text == NULL || hl_slice_trim(hl_slice_of(text)).len == 0;
}

/* What the note of an action is called where people type it. */
static const char *note_name(hl_action action)
{
    switch (action) {
    case HL_ACTION_COMPLETE:
    case HL_ACTION_RESOLVE: return "reply";
    case HL_ACTION_HANDLE:
    case HL_ACTION_REMIND:
    case HL_ACTION_SUPERVISE: return "note";
    default: return "reason";
    }
}

static int check_inputs(const hl_workflow_rule *rule, const hl_action_input *input,
                        const hl_workflow_context *context, hl_event *event, hl_error *error)
{
    if ((rule->required & HL_NEED_UNIT) != 0) {
        if (blank(input->unit))
            return missing("unit", error);
        if (!hl_directory_code_valid(hl_slice_of(input->unit)))
            return hl_error_set(error, HL_EINVAL, "unit",
                                HL_T("单位编码格式不正确", "unit code is malformed"));
    }
    if ((rule->required & HL_NEED_NOTE) != 0 && blank(input->note))
        return missing(note_name(rule->action), error);
    if ((rule->required & HL_NEED_DAYS) != 0 && input->days <= 0)
        return missing("days", error);
    bool uses_days =
        (rule->required & HL_NEED_DAYS) != 0 || rule->action == HL_ACTION_EXTEND_APPROVE;
    if (uses_days && (input->days < 0 || input->days > context->limits->extension_max_days))
        return hl_error_set(
            error, HL_EINVAL, "days",
            HL_T("延期天数须在 1 到 %d 个工作日之间", "days must be between 1 and %d"),
            context->limits->extension_max_days);
    if ((rule->required & HL_NEED_INTO) != 0 && input->into == NULL)
        return missing("into", error);
    if ((rule->required & HL_NEED_OUTCOME) != 0 && input->outcome == HL_OUTCOME_NONE)
        return missing("outcome", error);
    if ((rule->required & HL_NEED_OUTCOME) != 0 && input->outcome == HL_OUTCOME_REACHED &&
        input->rating == HL_RATING_NONE)
        return missing("rating", error);
    if (input->note != NULL)
        return hl_text_copy(event->note, sizeof event->note,
                            hl_slice_trim(hl_slice_of(input->note)), HL_CONTENT_CHARS, true, "note",
                            error);
    return HL_OK;
}

/* Checks a comma-separated co-unit list: valid codes, no repeats, not the lead. */
static int check_co_units(const char *list, const char *lead, char *out, size_t size,
                          hl_error *error)
{
    out[0] = '\0';
    if (list == NULL || list[0] == '\0')
        return HL_OK;
    hl_buf normalized;
    hl_buf_init(&normalized);
    int count = 0, result = HL_OK;
    const char *cursor = list;
    for (;;) {
        const char *comma = strchr(cursor, ',');
        hl_slice item = {cursor, comma != NULL ? (size_t)(comma - cursor) : strlen(cursor)};
        item = hl_slice_trim(item);
        if (item.len > 0) {
            char code[HL_CODE_BYTES];
            result = hl_directory_copy_code(code, item, "co_units", error);
            if (result != HL_OK)
                break;
            if (strcmp(code, lead) == 0 ||
                unit_in_list(normalized.data ? normalized.data : "", code)) {
                result = hl_error_set(error, HL_EINVAL, "co_units",
                                      HL_T("单位 %s 重复", "unit %s is named twice"), code);
                break;
            }
            if (++count > HL_CO_UNITS_MAX) {
                result = hl_error_set(error, HL_EINVAL, "co_units",
                                      HL_T("协办单位最多 %d 个", "at most %d co-handling units"),
                                      HL_CO_UNITS_MAX);
                break;
            }
            if (normalized.len > 0)
                hl_buf_append_char(&normalized, ',');
            hl_buf_append_str(&normalized, code);
        }
        if (comma == NULL)
            break;
        cursor = comma + 1;
    }
    if (result == HL_OK && normalized.len > 0)
        snprintf(out, size, "%s", normalized.data);
    hl_buf_free(&normalized);
    return result;
}

static void append_time(hl_buf *details, const char *key, hl_time instant)
{
    char text[40];
    hl_clock_format_iso(instant, text, sizeof text);
    hl_buf_appendf(details, "%s\"%s\":\"%s\"", details->len > 1 ? "," : "", key, text);
}

static void append_int(hl_buf *details, const char *key, int64_t value)
{
    hl_buf_appendf(details, "%s\"%s\":%lld", details->len > 1 ? "," : "", key, (long long)value);
}

static void append_text(hl_buf *details, const char *key, const char *value)
{
    hl_buf_appendf(details, "%s\"%s\":", details->len > 1 ? "," : "", key);
    hl_buf_append_json_string(details, value);
}

/* Copies text, cut at a character boundary when it does not fit. */
static void copy_whole_characters(char *destination, size_t capacity, const char *text)
{
    size_t length = strlen(text);
    if (length >= capacity) {
        length = capacity - 1;
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    memcpy(destination, text, length);
    destination[length] = '\0';
}

/* A completion starts a new round of assessment: its survey and appeal. */
static void start_assessment(hl_order *order, hl_time now)
{
    order->assessed_month = hl_clock_month_of(now);
    order->survey_attempts = 0;
    order->survey_result = HL_SURVEY_NONE;
    order->rating = HL_RATING_NONE;
    order->resolved = HL_RESOLVED_UNKNOWN;
    order->survey_comment[0] = '\0';
    order->surveyed_at = 0;
    order->appeal_state = HL_APPEAL_NONE;
    order->appeal_reason[0] = '\0';
}

/* The survey contribution an order has made, for events that undo it. */
static void copy_assessment(const hl_order *order, hl_event *event)
{
    event->period = order->assessed_month;
    event->rating = order->rating;
    event->resolved = order->resolved;
    event->flags = 0;
    if (order->survey_result != HL_SURVEY_NONE)
        event->flags |= HL_EVENT_SURVEY_CONCLUDED;
    if (order->survey_result == HL_SURVEY_SUCCEEDED)
        event->flags |= HL_EVENT_SURVEY_REACHED;
    if (order->excluded)
        event->flags |= HL_EVENT_EXCLUDED;
}

static bool dissatisfied(hl_rating rating)
{
    return rating == HL_RATING_DISSATISFIED || rating == HL_RATING_VERY_DISSATISFIED;
}

/* Starts the three deadlines of a unit's handling, as dispatch and reopen do. */
static void start_deadlines(hl_order *order, const hl_workflow_context *context, hl_time now,
                            hl_buf *details)
{
    const hl_limits *limits = context->limits;
    int handle_days = context->category_handle_days > 0 ? context->category_handle_days
                                                        : limits->handle_days[order->type];
    order->dispatched_at = now;
    order->sign_deadline = hl_calendar_deadline(context->calendar, now, limits->sign_days);
    order->return_deadline = hl_calendar_deadline(context->calendar, now, limits->return_days);
    order->handle_deadline = hl_calendar_deadline(context->calendar, now, handle_days);
    order->due_at = order->sign_deadline;
    order->signed_at = 0;
    order->extension_count = 0;
    order->extension_pending_days = 0;
    append_time(details, "sign_deadline", order->sign_deadline);
    append_time(details, "return_deadline", order->return_deadline);
    append_time(details, "handle_deadline", order->handle_deadline);
    append_int(details, "handle_days", handle_days);
}

/* ---- the per-action steps: only what the table cannot say ---- */

/* What a step is given: the order to change, who acts, what they brought,
 * the calendar and limits, the event being filled and its details (JSON
 * members). A step either refuses (the order untouched) or changes the
 * order and fills the event. */
typedef struct hl_workflow_step_call {
    hl_order *order;
    const hl_user *actor;
    const hl_action_input *input;
    const hl_workflow_context *context;
    hl_time now;
    hl_event *event;
    hl_buf *details;
    hl_error *error;
} hl_workflow_step_call;

static int step_register(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    int result = hl_order_validate_registration(order, call->error);
    if (result != HL_OK)
        return result;
    snprintf(order->registered_by, sizeof order->registered_by, "%s", call->actor->username);
    append_text(call->details, "channel", hl_order_channel_name(order->channel));
    append_text(call->details, "type", hl_order_type_name(order->type));
    return HL_OK;
}

static int step_resolve(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    snprintf(order->reply, sizeof order->reply, "%s", call->event->note);
    order->completed_at = call->now;
    start_assessment(order, call->now);
    return HL_OK;
}

/* Gives the order to the input's unit, as dispatch and reassign do. */
static int assign(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    const hl_action_input *input = call->input;
    char co_units[HL_CO_UNITS_BYTES];
    int result =
        check_co_units(input->co_units, input->unit, co_units, sizeof co_units, call->error);
    if (result != HL_OK)
        return result;
    snprintf(call->event->other_unit, sizeof call->event->other_unit, "%s", order->lead_unit);
    snprintf(order->lead_unit, sizeof order->lead_unit, "%s", input->unit);
    snprintf(order->co_units, sizeof order->co_units, "%s", co_units);
    order->state_before_return = HL_STATE_NONE;
    if (co_units[0] != '\0')
        append_text(call->details, "co_units", co_units);
    start_deadlines(order, call->context, call->now, call->details);
    return HL_OK;
}

static int step_dispatch(const hl_workflow_step_call *call)
{
    return assign(call);
}

static int step_reassign(const hl_workflow_step_call *call)
{
    const char *unit = call->input->unit;
    if (strcmp(unit, call->order->lead_unit) == 0)
        return hl_error_set(call->error, HL_EINVAL, "unit",
                            HL_T("工单已由单位 %s 承办", "the order is already with unit %s"),
                            unit);
    return assign(call);
}

static int step_sign(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    call->event->deadline = order->sign_deadline;
    order->signed_at = call->now;
    order->due_at = order->handle_deadline;
    return HL_OK;
}

static int step_handle(const hl_workflow_step_call *call)
{
    (void)call; /* a progress note: the event's note is all it records */
    return HL_OK;
}

static int step_complete(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    call->event->deadline = order->handle_deadline;
    snprintf(order->reply, sizeof order->reply, "%s", call->event->note);
    order->completed_at = call->now;
    order->due_at = 0;
    order->extension_pending_days = 0;
    start_assessment(order, call->now);
    return HL_OK;
}

/* Refuses an action after its window (the return's, the appeal's) closed. */
static int check_window(const hl_workflow_step_call *call, hl_time closes, const char *name_zh,
                        const char *name_en)
{
    if (call->now <= closes)
        return HL_OK;
    char closed[40];
    hl_clock_format_local(closes, closed, sizeof closed);
    return hl_error_set(call->error, HL_ESTATE, "state",
                        HL_T("%s时限已于 %s 截止", "the %s window closed at %s"),
                        HL_T(name_zh, name_en), closed);
}

static int step_return(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    int result = check_window(call, order->return_deadline, "退单", "return");
    if (result != HL_OK)
        return result;
    call->event->deadline = order->return_deadline;
    order->state_before_return = order->state;
    order->return_count++;
    order->due_at = 0;
    order->extension_pending_days = 0;
    return HL_OK;
}

static int step_return_reject(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    call->event->to_state = order->state_before_return;
    order->due_at = order->state_before_return == HL_STATE_DISPATCHED ? order->sign_deadline
                                                                      : order->handle_deadline;
    order->state_before_return = HL_STATE_NONE;
    return HL_OK;
}

static int step_extend_request(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    const hl_limits *limits = call->context->limits;
    if (order->extension_pending_days > 0)
        return hl_error_set(
            call->error, HL_ESTATE, "state",
            HL_T("已有延期申请待审批", "an extension request already awaits a decision"));
    if (order->extension_count >= limits->extension_max_count)
        return hl_error_set(
            call->error, HL_ESTATE, "state",
            HL_T("每件工单最多延期 %d 次", "no more extensions: %d allowed per order"),
            limits->extension_max_count);
    call->event->deadline = order->handle_deadline;
    order->extension_pending_days = call->input->days;
    append_int(call->details, "days", call->input->days);
    return HL_OK;
}

static int no_pending_extension(hl_error *error)
{
    return hl_error_set(error, HL_ESTATE, "state",
                        HL_T("没有待审批的延期申请", "no extension request awaits a decision"));
}

static int step_extend_approve(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    if (order->extension_pending_days <= 0)
        return no_pending_extension(call->error);
    int days = call->input->days > 0 ? call->input->days : order->extension_pending_days;
    if (days > order->extension_pending_days)
        return hl_error_set(
            call->error, HL_EINVAL, "days",
            HL_T("批准 %d 天，超过申请的 %d 天", "%d days granted but only %d asked"), days,
            order->extension_pending_days);
    append_time(call->details, "previous_deadline", order->handle_deadline);
    order->handle_deadline =
        hl_calendar_deadline(call->context->calendar, order->handle_deadline, days);
    order->due_at = order->handle_deadline;
    order->extension_pending_days = 0;
    order->extension_count++;
    call->event->deadline = order->handle_deadline;
    append_int(call->details, "days", days);
    append_time(call->details, "handle_deadline", order->handle_deadline);
    return HL_OK;
}

static int step_extend_refuse(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    if (order->extension_pending_days <= 0)
        return no_pending_extension(call->error);
    append_int(call->details, "days", order->extension_pending_days);
    order->extension_pending_days = 0;
    return HL_OK;
}

static int step_remind(const hl_workflow_step_call *call)
{
    call->event->deadline = call->order->due_at;
    call->order->remind_count++;
    return HL_OK;
}

static int step_supervise(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    if (!hl_order_is_overdue(order, call->now)) {
        char due[40] = "-";
        if (order->due_at > 0)
            hl_clock_format_local(order->due_at, due, sizeof due);
        return hl_error_set(call->error, HL_ESTATE, "state",
                            HL_T("工单未超期（期限 %s），不能督办",
                                 "supervision is for overdue orders; this one is due %s"),
                            due);
    }
    call->event->deadline = order->due_at;
    order->supervise_count++;
    return HL_OK;
}

static int step_reopen(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    if (call->actor->role == HL_ROLE_SURVEYOR &&
        !(order->survey_result == HL_SURVEY_SUCCEEDED && dissatisfied(order->rating)))
        return hl_error_set(call->error, HL_EROLE, "actor",
                            HL_T("回访员仅可在回访不满意后重办",
                                 "a surveyor reopens only after a dissatisfied survey"));
    if (order->lead_unit[0] == '\0')
        return hl_error_set(call->error, HL_ESTATE, "state",
                            HL_T("该工单为直接办结，请重新受理新工单",
                                 "resolved at intake: register a new order instead"));
    order->reopen_count++;
    order->reply[0] = '\0';
    order->completed_at = 0;
    start_deadlines(order, call->context, call->now, call->details);
    /* The survey that led here stays in the log and in its month's
     * figures; the next completion starts a new round. */
    start_assessment(order, call->now);
    order->assessed_month = 0;
    return HL_OK;
}

static int step_merge(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    hl_error *error = call->error;
    const hl_order *into = call->input->into;
    char number[24];
    hl_order_format_number(into->id, number, sizeof number);
    if (into->id == order->id)
        return hl_error_set(error, HL_EINVAL, "into",
                            HL_T("工单不能并入自身", "an order cannot merge into itself"));
    if (into->state == HL_STATE_MERGED || into->state == HL_STATE_INVALID)
        return hl_error_set(error, HL_EINVAL, "into",
                            HL_T("工单 %s 已是「%s」状态", "order %s is %s"), number,
                            hl_order_state_label(into->state));
    if (into->received_at > order->received_at)
        return hl_error_set(error, HL_EINVAL, "into",
                            HL_T("工单 %s 受理时间较晚，应并入较早的工单",
                                 "order %s was received later; merge into the earlier one"),
                            number);
    order->duplicate_of = into->id;
    order->excluded = true;
    snprintf(order->excluded_reason, sizeof order->excluded_reason, "%s %s",
             HL_T("重复件，并入", "duplicate of"), number);
    append_text(call->details, "into", number);
    return HL_OK;
}

static int step_invalidate(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    order->excluded = true;
    copy_whole_characters(order->excluded_reason, sizeof order->excluded_reason, call->event->note);
    order->due_at = 0;
    order->extension_pending_days = 0;
    return HL_OK;
}

static int step_archive(const hl_workflow_step_call *call)
{
    call->order->due_at = 0;
    return HL_OK;
}

static int step_survey(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    hl_event *event = call->event;
    const hl_action_input *input = call->input;
    const hl_limits *survey_limits = call->context->limits;
    order->survey_attempts++;
    event->outcome = input->outcome;
    event->period = order->assessed_month;
    event->flags = order->excluded ? HL_EVENT_EXCLUDED : 0;
    append_int(call->details, "attempt", order->survey_attempts);
    if (input->outcome == HL_OUTCOME_REACHED) {
        order->survey_result = HL_SURVEY_SUCCEEDED;
        order->rating = input->rating;
        order->resolved = input->resolved;
        copy_whole_characters(order->survey_comment, sizeof order->survey_comment, event->note);
        event->flags |= HL_EVENT_SURVEY_CONCLUDED | HL_EVENT_SURVEY_REACHED;
    } else if (input->outcome == HL_OUTCOME_REFUSED || input->outcome == HL_OUTCOME_WRONG_NUMBER ||
               order->survey_attempts >= survey_limits->survey_max_attempts) {
        order->survey_result = HL_SURVEY_FAILED;
        event->flags |= HL_EVENT_SURVEY_CONCLUDED;
    }
    event->rating = order->rating;
    event->resolved = order->resolved;
    if (order->survey_result != HL_SURVEY_NONE) {
        order->surveyed_at = call->now;
        event->to_state = HL_STATE_SURVEYED;
    }
    return HL_OK;
}

static int step_appeal(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    if (order->appeal_state != HL_APPEAL_NONE)
        /* The Chinese text leaves the appeal's state unsaid. */
        return hl_error_set(call->error, HL_ESTATE, "state",
                            HL_T("本次办结已申诉过，不能再次申诉",
                                 "this completion has been appealed already (%s)"),
                            hl_order_appeal_state_name(order->appeal_state));
    hl_time from = order->surveyed_at != 0 ? order->surveyed_at : order->completed_at;
    hl_time closes =
        hl_calendar_deadline(call->context->calendar, from, call->context->limits->appeal_days);
    int result = check_window(call, closes, "申诉", "appeal");
    if (result != HL_OK)
        return result;
    call->event->deadline = closes;
    order->appeal_state = HL_APPEAL_PENDING;
    copy_whole_characters(order->appeal_reason, sizeof order->appeal_reason, call->event->note);
    copy_assessment(order, call->event);
    return HL_OK;
}

/* The common half of an appeal's decision: a pending appeal, and the
 * order's contribution read before the exclusion, so that the counters
 * can take back exactly what the order had added. */
static int decide_appeal(const hl_workflow_step_call *call)
{
    if (call->order->appeal_state != HL_APPEAL_PENDING)
        return hl_error_set(call->error, HL_ESTATE, "state",
                            HL_T("没有待审的申诉", "no appeal awaits a decision"));
    copy_assessment(call->order, call->event);
    return HL_OK;
}

static int step_appeal_uphold(const hl_workflow_step_call *call)
{
    hl_order *order = call->order;
    int result = decide_appeal(call);
    if (result != HL_OK)
        return result;
    order->appeal_state = HL_APPEAL_UPHELD;
    order->excluded = true;
    char reason[HL_REASON_BYTES + 32];
    snprintf(reason, sizeof reason, "%s%s", HL_T("申诉成立：", "appeal upheld: "),
             order->appeal_reason);
    copy_whole_characters(order->excluded_reason, sizeof order->excluded_reason, reason);
    return HL_OK;
}

static int step_appeal_reject(const hl_workflow_step_call *call)
{
    int result = decide_appeal(call);
    if (result == HL_OK)
        call->order->appeal_state = HL_APPEAL_REJECTED;
    return result;
}

/* ---- the table ---- */

static const hl_workflow_rule rules[HL_ACTION_COUNT] = {
    [HL_ACTION_REGISTER] = {HL_ACTION_REGISTER, "register", "受理", S(NONE),
                            R(AGENT) | R(DISPATCHER), 0, HL_STATE_NEW, HL_SCOPE_ANY,
                            "channel, caller, address, category, type, title, content", "none",
                            step_register},
    [HL_ACTION_RESOLVE] = {HL_ACTION_RESOLVE, "resolve", "直接办结", S(NEW),
                           R(AGENT) | R(DISPATCHER), HL_NEED_NOTE, HL_STATE_COMPLETED, HL_SCOPE_ANY,
                           "the answer given on the call, as the reply; completion time",
                           "none: the order never reaches a unit", step_resolve},
    [HL_ACTION_DISPATCH] = {HL_ACTION_DISPATCH, "dispatch", "派单", S(NEW), R(DISPATCHER),
                            HL_NEED_UNIT, HL_STATE_DISPATCHED, HL_SCOPE_ANY,
                            "lead unit, co-handling units, dispatch time, the three deadlines",
                            "starts sign-for (sign_days), the return window (return_days) and "
                            "handling (the category's limit, else the type's)",
                            step_dispatch},
    [HL_ACTION_SIGN] = {HL_ACTION_SIGN, "sign", "签收", S(DISPATCHED), R(HANDLER), 0,
                        HL_STATE_SIGNED, HL_SCOPE_LEAD, "signing time; on time or late",
                        "stops sign-for; handling keeps running", step_sign},
    [HL_ACTION_HANDLE] = {HL_ACTION_HANDLE, "handle", "办理", S(SIGNED) | S(HANDLING), R(HANDLER),
                          HL_NEED_NOTE, HL_STATE_HANDLING, HL_SCOPE_LEAD_OR_CO,
                          "a progress note (lead or co-handling unit)", "none", step_handle},
    [HL_ACTION_COMPLETE] = {HL_ACTION_COMPLETE, "complete", "办结", S(SIGNED) | S(HANDLING),
                            R(HANDLER), HL_NEED_NOTE, HL_STATE_COMPLETED, HL_SCOPE_LEAD,
                            "the reply to the citizen; completion time; on time or late",
                            "stops handling; drops an undecided extension request", step_complete},
    [HL_ACTION_RETURN] = {HL_ACTION_RETURN, "return", "退单", S(DISPATCHED) | S(SIGNED), R(HANDLER),
                          HL_NEED_NOTE, HL_STATE_RETURN_PENDING, HL_SCOPE_LEAD,
                          "the reason (not this unit's duty)",
                          "allowed only until the return window closes; deadlines pause",
                          step_return},
    [HL_ACTION_RETURN_REJECT] = {HL_ACTION_RETURN_REJECT, "return-reject", "退单驳回",
                                 S(RETURN_PENDING), R(DISPATCHER), HL_NEED_NOTE, HL_STATE_NONE,
                                 HL_SCOPE_ANY, "the reason; back to the state before the return",
                                 "the unit's deadlines resume unchanged", step_return_reject},
    [HL_ACTION_REASSIGN] = {HL_ACTION_REASSIGN, "reassign", "改派",
                            S(RETURN_PENDING) | S(DISPATCHED) | S(SIGNED) | S(HANDLING),
                            R(DISPATCHER), HL_NEED_UNIT, HL_STATE_DISPATCHED, HL_SCOPE_ANY,
                            "the new lead unit and the unit it was taken from; accepts a "
                            "pending return",
                            "restarts sign-for, the return window and handling for the new unit",
                            step_reassign},
    [HL_ACTION_EXTEND_REQUEST] = {HL_ACTION_EXTEND_REQUEST, "extend-request", "延期申请",
                                  S(SIGNED) | S(HANDLING), R(HANDLER), HL_NEED_NOTE | HL_NEED_DAYS,
                                  HL_STATE_NONE, HL_SCOPE_LEAD, "working days asked and the reason",
                                  "none until decided; at most extension_max_days, "
                                  "extension_max_count times per assignment to a unit",
                                  step_extend_request},
    [HL_ACTION_EXTEND_APPROVE] = {HL_ACTION_EXTEND_APPROVE, "extend-approve", "延期批准",
                                  S(SIGNED) | S(HANDLING), R(SUPERVISOR), 0, HL_STATE_NONE,
                                  HL_SCOPE_ANY, "working days granted (at most those asked)",
                                  "moves the handling deadline by the days granted, counted "
                                  "from the current deadline",
                                  step_extend_approve},
    [HL_ACTION_EXTEND_REFUSE] = {HL_ACTION_EXTEND_REFUSE, "extend-refuse", "延期驳回",
                                 S(SIGNED) | S(HANDLING), R(SUPERVISOR), HL_NEED_NOTE,
                                 HL_STATE_NONE, HL_SCOPE_ANY, "the reason", "none",
                                 step_extend_refuse},
    [HL_ACTION_REMIND] = {HL_ACTION_REMIND, "remind", "催办",
                          S(DISPATCHED) | S(SIGNED) | S(HANDLING), R(DISPATCHER) | R(SUPERVISOR), 0,
                          HL_STATE_NONE, HL_SCOPE_ANY, "an optional note", "none", step_remind},
    [HL_ACTION_SUPERVISE] = {HL_ACTION_SUPERVISE, "supervise", "督办",
                             S(DISPATCHED) | S(SIGNED) | S(HANDLING), R(SUPERVISOR), HL_NEED_NOTE,
                             HL_STATE_NONE, HL_SCOPE_ANY, "the supervision note",
                             "allowed only on an overdue order", step_supervise},
    [HL_ACTION_REOPEN] = {HL_ACTION_REOPEN, "reopen", "重办", S(COMPLETED) | S(SURVEYED),
                          R(SUPERVISOR) | R(SURVEYOR), HL_NEED_NOTE, HL_STATE_DISPATCHED,
                          HL_SCOPE_ANY,
                          "the reason (a supervisor's decision; a surveyor only after a "
                          "dissatisfied survey)",
                          "back to the same lead unit: restarts sign-for, the return window "
                          "and handling",
                          step_reopen},
    [HL_ACTION_MERGE] = {HL_ACTION_MERGE, "merge", "并单", S(NEW), R(AGENT) | R(DISPATCHER),
                         HL_NEED_INTO, HL_STATE_MERGED, HL_SCOPE_ANY,
                         "the earlier order it repeats; excluded from assessment", "none",
                         step_merge},
    [HL_ACTION_INVALIDATE] = {HL_ACTION_INVALIDATE, "invalidate", "无效",
                              S(NEW) | S(DISPATCHED) | S(RETURN_PENDING),
                              R(AGENT) | R(DISPATCHER) | R(SUPERVISOR), HL_NEED_NOTE,
                              HL_STATE_INVALID, HL_SCOPE_ANY,
                              "the reason (harassment, test, no content); excluded from assessment",
                              "stops every deadline", step_invalidate},
    [HL_ACTION_ARCHIVE] = {HL_ACTION_ARCHIVE, "archive", "归档", S(COMPLETED) | S(SURVEYED),
                           R(SUPERVISOR), 0, HL_STATE_ARCHIVED, HL_SCOPE_ANY, "archiving time",
                           "none", step_archive},
    [HL_ACTION_SURVEY] = {HL_ACTION_SURVEY, "survey", "回访", S(COMPLETED), R(SURVEYOR),
                          HL_NEED_OUTCOME, HL_STATE_NONE, HL_SCOPE_ANY,
                          "one call: its outcome; when reached, the five-level rating, resolved "
                          "or not, and a comment. Reached: surveyed; refused or a wrong number: "
                          "surveyed, failed; unanswered: completed until survey_max_attempts "
                          "calls, then surveyed, failed",
                          "none; the result counts toward the month the order was completed",
                          step_survey},
    [HL_ACTION_APPEAL] = {HL_ACTION_APPEAL, "appeal", "申诉",
                          S(COMPLETED) | S(SURVEYED) | S(ARCHIVED), R(HANDLER), HL_NEED_NOTE,
                          HL_STATE_NONE, HL_SCOPE_LEAD,
                          "the unit's grounds (malicious caller, outside its duties, a wrong "
                          "number given by the citizen); one appeal per completion",
                          "allowed until appeal_days working days after the survey ended (or "
                          "after completion, before a survey)",
                          step_appeal},
    [HL_ACTION_APPEAL_UPHOLD] = {HL_ACTION_APPEAL_UPHOLD, "appeal-uphold", "申诉成立",
                                 S(COMPLETED) | S(SURVEYED) | S(ARCHIVED), R(SUPERVISOR),
                                 HL_NEED_NOTE, HL_STATE_NONE, HL_SCOPE_ANY,
                                 "the decision; the order is excluded from assessment with the "
                                 "reason kept, and leaves the unit's measures for its month",
                                 "none", step_appeal_uphold},
    [HL_ACTION_APPEAL_REJECT] = {HL_ACTION_APPEAL_REJECT, "appeal-reject", "申诉驳回",
                                 S(COMPLETED) | S(SURVEYED) | S(ARCHIVED), R(SUPERVISOR),
                                 HL_NEED_NOTE, HL_STATE_NONE, HL_SCOPE_ANY,
                                 "the decision; the result stands", "none", step_appeal_reject},
};

const hl_workflow_rule *hl_workflow_rule_of(hl_action action)
{
    if ((int)action < 0 || action >= HL_ACTION_COUNT)
        return NULL;
    return &rules[action];
}

int hl_workflow_action_parse(hl_slice text, hl_action *out)
{
    for (int action = 0; action < HL_ACTION_COUNT; action++) {
        if (hl_slice_equal(text, rules[action].name) ||
            hl_slice_equal(text, rules[action].name_zh)) {
            *out = (hl_action)action;
            return HL_OK;
        }
    }
    return HL_EINVAL;
}

hl_action hl_workflow_pending_request(hl_pending pending)
{
    switch (pending) {
    case HL_PENDING_EXTENSION: return HL_ACTION_EXTEND_REQUEST;
    case HL_PENDING_RETURN: return HL_ACTION_RETURN;
    case HL_PENDING_APPEAL: return HL_ACTION_APPEAL;
    case HL_PENDING_NONE:
    case HL_PENDING_COUNT: break;
    }
    return HL_ACTION_COUNT;
}

const char *hl_workflow_action_label(hl_action action)
{
    if ((int)action < 0 || action >= HL_ACTION_COUNT)
        return "?";
    return HL_T(rules[action].name_zh, english_labels[action]);
}

int hl_workflow_apply(hl_order *order, hl_action action, const hl_user *actor,
                      const hl_action_input *input, const hl_workflow_context *context, hl_time now,
                      hl_event *event, hl_error *error)
{
    /* The steps read the deadlines' calendar and limits from the context
     * and write the event in place; an input may be left out. */
    HL_REQUIRE(order != NULL && actor != NULL && event != NULL);
    HL_REQUIRE(context != NULL && context->calendar != NULL && context->limits != NULL);
    const hl_workflow_rule *rule = hl_workflow_rule_of(action);
    if (rule == NULL)
        return hl_error_set(error, HL_EINVAL, "action", "unknown action");
    static const hl_action_input no_input = {0};
    if (input == NULL)
        input = &no_input;

    int result = check_state(rule, order, error);
    if (result == HL_OK)
        result = check_actor(rule, order, actor, error);
    if (result != HL_OK)
        return result;

    /* Every check runs before anything is written, so a refusal leaves the
     * order untouched without the cost of copying it (imports apply this to
     * millions of orders). */
    event->order_id = order->id;
    event->seq = order->version + 1;
    event->at = now;
    snprintf(event->actor, sizeof event->actor, "%s", actor->username);
    event->action = action;
    event->from_state = order->state;
    event->to_state = rule->to_state != HL_STATE_NONE ? rule->to_state : order->state;
    event->unit[0] = '\0';
    event->other_unit[0] = '\0';
    event->deadline = 0;
    event->note[0] = '\0';
    event->period = 0;
    event->outcome = HL_OUTCOME_NONE;
    event->rating = HL_RATING_NONE;
    event->resolved = HL_RESOLVED_UNKNOWN;
    event->flags = 0;

    hl_buf details;
    hl_buf_init(&details);
    hl_buf_append_char(&details, '{');
    result = check_inputs(rule, input, context, event, error);
    if (result == HL_OK) {
        const hl_workflow_step_call call = {order, actor, input,    context,
                                            now,   event, &details, error};
        result = rule->step(&call);
    }
    if (result == HL_OK) {
        hl_buf_append_char(&details, '}');
        /* The largest details (a dispatch naming eight co-handling units) are
         * far below the limit; cutting is a guard, not a path. */
        size_t length =
            details.len < sizeof event->details ? details.len : sizeof event->details - 1;
        memcpy(event->details, details.data, length);
        event->details[length] = '\0';
        snprintf(event->unit, sizeof event->unit, "%s", order->lead_unit);
        order->state = event->to_state;
        order->version = event->seq;
    }
    hl_buf_free(&details);
    return result;
}

/* ---- documentation generated from the table ---- */

static void append_states(hl_buf *out, unsigned mask)
{
    bool first = true;
    for (int state = 0; state < HL_STATE_COUNT; state++) {
        if ((mask & HL_STATE_BIT(state)) == 0)
            continue;
        hl_buf_appendf(out, "%s%s", first ? "" : ", ", hl_order_state_name((hl_state)state));
        first = false;
    }
}

void hl_workflow_markdown(hl_buf *out)
{
    hl_lang saved = hl_i18n_get();
    hl_i18n_set(HL_LANG_ZH);
    hl_buf_append_str(out, "```mermaid\nstateDiagram-v2\n    [*] --> new: register 受理\n");
    for (int action = 1; action < HL_ACTION_COUNT; action++) {
        const hl_workflow_rule *rule = &rules[action];
        for (int state = 1; state < HL_STATE_COUNT; state++) {
            if ((rule->from_states & HL_STATE_BIT(state)) == 0)
                continue;
            const char *target = rule->to_state != HL_STATE_NONE
                                     ? hl_order_state_name(rule->to_state)
                                     : hl_order_state_name((hl_state)state);
            if (action == HL_ACTION_RETURN_REJECT) {
                /* Back to where the return came from: one edge per such state. */
                unsigned returnable = rules[HL_ACTION_RETURN].from_states;
                for (int back = 1; back < HL_STATE_COUNT; back++)
                    if ((returnable & HL_STATE_BIT(back)) != 0)
                        hl_buf_appendf(
                            out, "    %s --> %s: %s %s\n", hl_order_state_name((hl_state)state),
                            hl_order_state_name((hl_state)back), rule->name, rule->name_zh);
                continue;
            }
            hl_buf_appendf(out, "    %s --> %s: %s %s\n", hl_order_state_name((hl_state)state),
                           target, rule->name, rule->name_zh);
        }
    }
    hl_buf_append_str(out, "```\n\n");
    hl_buf_append_str(out, "| Action | 动作 | From states | Roles | Requires | To state | "
                           "Unit check | Records | Deadline |\n");
    hl_buf_append_str(out, "|---|---|---|---|---|---|---|---|---|\n");
    for (int action = 0; action < HL_ACTION_COUNT; action++) {
        const hl_workflow_rule *rule = &rules[action];
        hl_buf_appendf(out, "| `%s` | %s | ", rule->name, rule->name_zh);
        append_states(out, rule->from_states);
        hl_buf_append_str(out, " | ");
        bool first = true;
        for (int role = 0; role < HL_ROLE_COUNT; role++) {
            if ((rule->roles & HL_ROLE_BIT(role)) == 0)
                continue;
            hl_buf_appendf(out, "%s%s", first ? "" : ", ", hl_directory_role_name((hl_role)role));
            first = false;
        }
        hl_buf_append_str(out, " | ");
        static const char *const needs[] = {"unit", "note", "days", "into", "outcome"};
        first = true;
        for (unsigned bit = 0; bit < 5; bit++) {
            if ((rule->required & (1u << bit)) == 0)
                continue;
            hl_buf_appendf(out, "%s%s", first ? "" : ", ", needs[bit]);
            first = false;
        }
        if (first)
            hl_buf_append_str(out, "-");
        static const char *const scopes[] = {"-", "lead unit", "lead or co-handling unit"};
        hl_buf_appendf(out, " | %s | %s | %s | %s |\n",
                       rule->to_state != HL_STATE_NONE     ? hl_order_state_name(rule->to_state)
                       : action == HL_ACTION_RETURN_REJECT ? "(state before the return)"
                                                           : "(unchanged)",
                       scopes[rule->scope], rule->records, rule->deadline);
    }
    hl_i18n_set(saved);
}
