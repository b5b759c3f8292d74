/* taiyuan_run.c: the Taiyuan plan replayed through the real use cases.
 *
 * The bulletin's settings; the registration CSV of every planned order,
 * for hl_transfer_import_orders; both rounds of the lifecycle, through
 * hl_app_act_within a batch of orders per transaction; the survey CSVs,
 * for hl_transfer_import_surveys (which also reopens dissatisfied orders);
 * and the appeals, through hl_app_act. This file computes no report figure
 * itself: the bulletin reads them from the rollups those use cases write.
 * It calls app/ only, never the store. */
#include "demo/taiyuan_internal.h"

#include <stdlib.h>
#include <string.h>

#include "app/report.h"

#include "base/array.h"

/* Orders of a lifecycle batch: one transaction each. */
#define LIFECYCLE_BATCH 500

/* ---- settings ---- */

int hl_taiyuan_configure(hl_app *app, hl_error *error)
{
    int result = hl_report_set(app, "report.group_order", "市直单位,县市区(开发区)", error);
    if (result == HL_OK)
        result = hl_report_set(app, "report.title", "太原市人民政府12345政务服务便民热线", error);
    if (result == HL_OK)
        result = hl_report_set(app, "report.hotline_name", "市政府12345政务服务便民热线", error);
    /* A dissatisfied citizen's order goes back to its unit; that reopening
     * must leave the month of the survey as it was counted. */
    if (result == HL_OK)
        result = hl_app_set_limit(app, "reopen_dissatisfied", "1", error);
    return result;
}

/* ---- the registration CSV ---- */

static void append_time(hl_buf *out, hl_time instant)
{
    char text[40];
    hl_clock_format_local(instant, text, sizeof text);
    hl_buf_append_str(out, text);
}

static void append_number(hl_buf *out, int64_t number)
{
    char text[24];
    hl_order_format_number(number, text, sizeof text);
    hl_buf_append_str(out, text);
}

/* Where the matter is: the district the unit governs, or for a municipal
 * unit one of the city's districts. */
static const hl_taiyuan_district *place_of(const hl_taiyuan_plan *plan,
                                           const hl_taiyuan_order *order, uint64_t *random)
{
    int index = order->unit >= 0 ? hl_taiyuan_district_of(plan->units[order->unit].code) : -1;
    if (index >= 0)
        return &hl_taiyuan_districts[index];
    int total = 0;
    for (size_t other = 0; other < hl_taiyuan_district_count; other++)
        total += hl_taiyuan_districts[other].weight;
    int point = (int)random_range(random, 0, total);
    for (size_t other = 0; other < hl_taiyuan_district_count; other++) {
        if (point < hl_taiyuan_districts[other].weight)
            return &hl_taiyuan_districts[other];
        point -= hl_taiyuan_districts[other].weight;
    }
    return &hl_taiyuan_districts[0];
}

static void append_order_row(hl_buf *out, const hl_taiyuan_plan *plan,
                             const hl_taiyuan_order *order)
{
    uint64_t random = order->seed, place_random = order->place_seed;
    const hl_taiyuan_topic *matter = &hl_taiyuan_topics[order->topic];
    bool invalid = order->kind == HL_TAIYUAN_INVALID;
    append_number(out, order->number);
    hl_buf_append_char(out, ',');
    append_time(out, order->received_at);
    hl_buf_appendf(out, ",%s,%s,%s,", hl_order_channel_name(order->channel),
                   hl_order_type_name(order->type), matter->category);
    /* The caller. */
    if (!invalid)
        hl_buf_appendf(out, "%s%s", hl_taiyuan_pick(HL_TAIYUAN_SURNAME, &random),
                       next_random(&random) % 2 ? "先生" : "女士");
    hl_buf_appendf(out, ",%s%08d,", hl_taiyuan_pick(HL_TAIYUAN_PHONE_PREFIX, &random),
                   (int)(next_random(&random) % 100000000));
    /* The place. */
    hl_buf address;
    hl_buf_init(&address);
    const hl_taiyuan_district *area = place_of(plan, order, &place_random);
    if (!invalid)
        hl_buf_appendf(&address, "太原市%s%s%d号", area->name,
                       area->places[next_random(&place_random) % HL_COUNT_OF(area->places)],
                       (int)random_range(&place_random, 1, 400));
    const char *address_text = address.len > 0 ? address.data : "";
    hl_buf_append_csv_field(out, address_text);
    hl_buf_append_char(out, ',');
    bool located =
        !invalid && (order->channel == HL_CHANNEL_APP || order->channel == HL_CHANNEL_WECHAT);
    if (located)
        hl_buf_appendf(out, "%.6f,%.6f",
                       area->latitude + (random_fraction(&place_random) - 0.5) * 0.04,
                       area->longitude + (random_fraction(&place_random) - 0.5) * 0.05);
    else
        hl_buf_append_char(out, ',');
    hl_buf_append_char(out, ',');
    hl_buf_append_csv_field(out, matter->title);
    hl_buf_append_char(out, ',');
    /* What was said. */
    hl_buf content;
    hl_buf_init(&content);
    static const char *const openings[HL_CHANNEL_COUNT] = {
        [HL_CHANNEL_PHONE] = "市民来电反映：",
        [HL_CHANNEL_WEB] = "市民网站留言：",
        [HL_CHANNEL_APP] = "市民通过手机应用反映：",
        [HL_CHANNEL_WECHAT] = "市民通过微信公众号反映：",
        [HL_CHANNEL_OPEN311] = "市民通过开放接口反映：",
        [HL_CHANNEL_OTHER] = "市民来信反映：",
    };
    hl_buf_append_str(&content, invalid ? "" : openings[order->channel]);
    if (matter->placed && !invalid) {
        hl_buf_append_str(&content, address_text);
        hl_buf_append_str(&content, "，");
    }
    hl_buf_append_str(&content, matter->detail);
    hl_buf_append_str(&content, "。");
    if (!invalid) {
        hl_buf_append_str(&content, matter->ask);
        hl_buf_append_str(&content, "。");
    }
    hl_buf_append_csv_field(out, content.data);
    hl_buf_append_char(out, '\n');
    hl_buf_free(&content);
    hl_buf_free(&address);
}

void hl_taiyuan_write_orders_csv(const hl_taiyuan_plan *plan, hl_buf *out)
{
    hl_buf_append_str(out,
                      "number,received_at,channel,type,category,citizen_name,citizen_phone,address,"
                      "latitude,longitude,title,content\n");
    for (size_t index = 0; index < plan->order_count; index++)
        append_order_row(out, plan, &plan->orders[plan->by_number[index]]);
}

/* ---- the lifecycle ---- */

typedef struct runner {
    hl_app *app;
    const hl_taiyuan_plan *plan;
    hl_app_scratch *scratch;
    int64_t actions;
    hl_error *error;
} runner;

static int act(runner *run, const hl_taiyuan_order *order, const char *actor, hl_action action,
               const hl_app_request *request, hl_time at)
{
    static const hl_app_request no_request = {0};
    int result =
        hl_app_act_within(run->app, actor, order->number, action,
                          request != NULL ? request : &no_request, at, run->scratch, run->error);
    if (result != HL_OK) {
        /* Name the order and the step: a failure here is a bug of the plan. */
        char number[24], message[HL_ERROR_MESSAGE_MAX];
        hl_order_format_number(order->number, number, sizeof number);
        snprintf(message, sizeof message, "%s", run->error->message);
        return hl_error_set(run->error, result, "plan", "taiyuan %s %s: %s", number,
                            hl_workflow_rule_of(action)->name, message);
    }
    run->actions++;
    return HL_OK;
}

static void handler_of(const hl_taiyuan_plan *plan, int unit, char *out, size_t size)
{
    snprintf(out, size, "h-%s", plan->units[unit].code);
}

/* Dispatch, returns, signing, extension, notes, reminders, supervision, completion. */
static int run_unit_steps(runner *run, const hl_taiyuan_order *order)
{
    const hl_taiyuan_plan *plan = run->plan;
    uint64_t random = order->seed ^ 0x5DEECE66Dull;
    char handler[HL_CODE_BYTES + 8], wrong_handler[HL_CODE_BYTES + 8] = "";
    handler_of(plan, order->unit, handler, sizeof handler);
    if (order->wrong_unit >= 0)
        handler_of(plan, order->wrong_unit, wrong_handler, sizeof wrong_handler);
    bool misrouted = order->route == HL_TAIYUAN_MISROUTED;
    hl_app_request request = {0};
    request.unit = plan->units[misrouted ? order->wrong_unit : order->unit].code;
    int result = act(run, order, "dispatcher1", HL_ACTION_DISPATCH, &request, order->dispatched_at);
    if (result == HL_OK && order->returned_at != 0) {
        request = (hl_app_request){0};
        request.note = hl_taiyuan_pick(HL_TAIYUAN_RETURN_NOTE, &random);
        result = act(run, order, misrouted ? wrong_handler : handler, HL_ACTION_RETURN, &request,
                     order->returned_at);
    }
    if (result == HL_OK && order->return_decided_at != 0) {
        request = (hl_app_request){0};
        if (misrouted)
            request.unit = plan->units[order->unit].code;
        else
            request.note = "经核实属于该单位职责范围，请按时办理。";
        result =
            act(run, order, "dispatcher1", misrouted ? HL_ACTION_REASSIGN : HL_ACTION_RETURN_REJECT,
                &request, order->return_decided_at);
    }
    if (result == HL_OK && order->signed_at != 0)
        result = act(run, order, handler, HL_ACTION_SIGN, NULL, order->signed_at);
    if (result == HL_OK && order->extension_at != 0) {
        request = (hl_app_request){0};
        request.days = order->extension_days;
        request.note = hl_taiyuan_pick(HL_TAIYUAN_EXTENSION_NOTE, &random);
        result = act(run, order, handler, HL_ACTION_EXTEND_REQUEST, &request, order->extension_at);
    }
    if (result == HL_OK && order->extension_decided_at != 0) {
        request = (hl_app_request){0};
        request.note = order->extension_approved ? NULL : "延期理由不充分，请按原时限办结。";
        result = act(run, order, "supervisor1",
                     order->extension_approved ? HL_ACTION_EXTEND_APPROVE : HL_ACTION_EXTEND_REFUSE,
                     &request, order->extension_decided_at);
    }
    if (result == HL_OK && order->noted_at != 0) {
        request = (hl_app_request){0};
        request.note = hl_taiyuan_pick(HL_TAIYUAN_HANDLE_NOTE, &random);
        result = act(run, order, handler, HL_ACTION_HANDLE, &request, order->noted_at);
    }
    if (result == HL_OK && order->reminded_at != 0) {
        request = (hl_app_request){0};
        request.note = "请抓紧办理，按时办结。";
        result = act(run, order, "dispatcher1", HL_ACTION_REMIND, &request, order->reminded_at);
    }
    if (result == HL_OK && order->supervised_at != 0) {
        request = (hl_app_request){0};
        request.note = "超期未办结，请于两个工作日内办结并说明原因。";
        result =
            act(run, order, "supervisor1", HL_ACTION_SUPERVISE, &request, order->supervised_at);
    }
    if (result == HL_OK && order->completed_at != 0) {
        request = (hl_app_request){0};
        request.note = hl_taiyuan_pick(HL_TAIYUAN_REPLY, &random);
        result = act(run, order, handler, HL_ACTION_COMPLETE, &request, order->completed_at);
    }
    return result;
}

static int run_order(runner *run, const hl_taiyuan_order *order)
{
    uint64_t random = order->seed ^ 0x2545F4914F6CDD1Dull;
    hl_app_request request = {0};
    switch (order->kind) {
    case HL_TAIYUAN_INTAKE:
        request.note = hl_taiyuan_pick(HL_TAIYUAN_INTAKE_NOTE, &random);
        return act(run, order, order->seed % 2 ? "agent1" : "agent2", HL_ACTION_RESOLVE, &request,
                   order->closed_at);
    case HL_TAIYUAN_INVALID:
        request.note = hl_taiyuan_pick(HL_TAIYUAN_INVALID_NOTE, &random);
        return act(run, order, "dispatcher1", HL_ACTION_INVALIDATE, &request, order->closed_at);
    case HL_TAIYUAN_MERGED:
        request.into = run->plan->orders[order->merge_into].number;
        return act(run, order, "dispatcher1", HL_ACTION_MERGE, &request, order->closed_at);
    case HL_TAIYUAN_BASE_ORDER:
    case HL_TAIYUAN_OPEN:
    case HL_TAIYUAN_APPEALED: return run_unit_steps(run, order);
    }
    return hl_error_set(run->error, HL_EINVAL, "plan", "unknown kind of order");
}

/* The unit's second round on an order a dissatisfied survey reopened. */
static int run_second_round(runner *run, const hl_taiyuan_order *order)
{
    if (order->resigned_at == 0)
        return HL_OK;
    uint64_t random = order->seed ^ 0x61C8864680B583EBull;
    char handler[HL_CODE_BYTES + 8];
    handler_of(run->plan, order->unit, handler, sizeof handler);
    int result = act(run, order, handler, HL_ACTION_SIGN, NULL, order->resigned_at);
    hl_app_request request = {0};
    if (result == HL_OK && order->renoted_at != 0) {
        request.note = "已再次联系诉求人，重新核实处理。";
        result = act(run, order, handler, HL_ACTION_HANDLE, &request, order->renoted_at);
    }
    if (result == HL_OK && order->recompleted_at != 0) {
        request.note = hl_taiyuan_pick(HL_TAIYUAN_REPLY, &random);
        result = act(run, order, handler, HL_ACTION_COMPLETE, &request, order->recompleted_at);
    }
    return result;
}

int hl_taiyuan_run_lifecycle(hl_app *app, const hl_taiyuan_plan *plan, int round, int64_t *actions,
                             hl_error *error)
{
    if (actions != NULL)
        *actions = 0;
    if (round != 1 && round != 2)
        return hl_error_set(error, HL_EINVAL, "round", "the lifecycle has rounds 1 and 2");
    runner run = {app, plan, hl_app_scratch_new(), 0, error};
    /* Rebuilt at will: no fsync per batch (as the import does). */
    hl_app_set_bulk(app, true);
    int result = HL_OK;
    bool in_transaction = false;
    for (size_t index = 0; index < plan->order_count && result == HL_OK; index++) {
        if (!in_transaction) {
            result = hl_app_begin(app, error);
            in_transaction = result == HL_OK;
        }
        const hl_taiyuan_order *order = &plan->orders[plan->by_number[index]];
        if (result == HL_OK)
            result = round == 1 ? run_order(&run, order) : run_second_round(&run, order);
        if (result == HL_OK && (index + 1) % LIFECYCLE_BATCH == 0) {
            in_transaction = false;
            result = hl_app_finish(app, result, error);
        }
    }
    if (in_transaction)
        result = hl_app_finish(app, result, error);
    hl_app_set_bulk(app, false);
    hl_app_scratch_free(run.scratch);
    if (actions != NULL)
        *actions = run.actions;
    return result;
}

/* ---- the survey CSV ---- */

typedef struct call_key {
    hl_time at;
    int64_t number;
    size_t order;
    int call;
} call_key;

static int compare_calls(const void *left, const void *right)
{
    const call_key *a = left, *b = right;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->number != b->number)
        return a->number < b->number ? -1 : 1;
    return a->call - b->call;
}

void hl_taiyuan_write_surveys_csv(const hl_taiyuan_plan *plan, int round, hl_buf *out)
{
    hl_buf_append_str(out, "number,at,outcome,rating,resolved,comment,surveyor\n");
    if (round != 1 && round != 2)
        return;
    size_t count = 0, capacity = (size_t)plan->calls[round - 1];
    call_key *keys = hl_xmalloc((capacity + 1) * sizeof *keys);
    for (size_t index = 0; index < plan->order_count; index++) {
        const hl_taiyuan_survey *survey =
            round == 1 ? &plan->orders[index].survey : &plan->orders[index].resurvey;
        for (int call = 0; call < survey->call_count && count < capacity; call++)
            keys[count++] = (call_key){survey->at[call], plan->orders[index].number, index, call};
    }
    /* One call log by time, as the survey team's system exports it. */
    qsort(keys, count, sizeof *keys, compare_calls);
    for (size_t index = 0; index < count; index++) {
        const hl_taiyuan_order *order = &plan->orders[keys[index].order];
        const hl_taiyuan_survey *survey = round == 1 ? &order->survey : &order->resurvey;
        hl_survey_outcome outcome = survey->outcome[keys[index].call];
        append_number(out, order->number);
        hl_buf_append_char(out, ',');
        append_time(out, keys[index].at);
        hl_buf_appendf(out, ",%s,", hl_order_outcome_name(outcome));
        if (outcome == HL_OUTCOME_REACHED) {
            uint64_t random =
                order->seed ^ (round == 1 ? 0x9E3779B97F4A7C15ull : 0xD1B54A32D192ED03ull);
            hl_buf_appendf(out, "%s,%s,", hl_order_rating_name(survey->rating),
                           hl_order_resolved_name(survey->resolved));
            hl_buf_append_csv_field(out, hl_taiyuan_comment(survey->rating, &random));
        } else {
            hl_buf_append_str(out, ",,");
        }
        hl_buf_append_str(out, ",surveyor1\n");
    }
    free(keys);
}

/* ---- appeals ---- */

static int run_appeal(hl_app *app, const hl_taiyuan_plan *plan, const hl_taiyuan_order *order,
                      bool upheld, int64_t *actions, hl_error *error)
{
    char handler[HL_CODE_BYTES + 8];
    handler_of(plan, order->unit, handler, sizeof handler);
    hl_app_request request = {0};
    request.note = upheld ? "市民登记的联系电话为空号，回访失败非本单位原因，申请不纳入考核。"
                          : "市民拒绝接受回访，非本单位原因，申请不纳入考核。";
    int result = hl_app_act(app, handler, order->number, HL_ACTION_APPEAL, &request,
                            order->appeal_at, NULL, error);
    if (result != HL_OK)
        return result;
    (*actions)++;
    request.note = upheld ? "经核实，市民登记的联系电话确为空号，申诉成立。"
                          : "市民拒访不属于可申诉情形，申诉驳回。";
    result = hl_app_act(app, "supervisor1", order->number,
                        upheld ? HL_ACTION_APPEAL_UPHOLD : HL_ACTION_APPEAL_REJECT, &request,
                        order->appeal_decided_at, NULL, error);
    if (result == HL_OK)
        (*actions)++;
    return result;
}

int hl_taiyuan_run_appeals(hl_app *app, const hl_taiyuan_plan *plan, int64_t *actions,
                           hl_error *error)
{
    int64_t count = 0;
    int result = run_appeal(app, plan, &plan->orders[plan->appealed_order], true, &count, error);
    if (result == HL_OK && plan->rejected_appeal_order != SIZE_MAX)
        result =
            run_appeal(app, plan, &plan->orders[plan->rejected_appeal_order], false, &count, error);
    if (actions != NULL)
        *actions = count;
    return result;
}
