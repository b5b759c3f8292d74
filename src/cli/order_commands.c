/* order_commands.c: the work-order commands of the hotline CLI: register,
 * every lifecycle action, show, list, import and export. Each parses its
 * options, calls one use case in app/, and prints the result. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/audit.h"
#include "app/transfer.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "domain/phone.h"

/* ---- register ---- */

static const cli_option_spec register_options[] = {{"as", true},      {"channel", true},
                                                   {"type", true},    {"title", true},
                                                   {"content", true}, {"category", true},
                                                   {"name", true},    {"phone", true},
                                                   {"address", true}, {"lat", true},
                                                   {"lon", true},     {"received", true},
                                                   {"number", true},  {"publish-consent", false},
                                                   {NULL, false}};

static int copy_option(const cli_args *args, const char *option, char *destination, size_t capacity,
                       size_t max_chars, bool newlines, hl_error *error)
{
    const char *value = cli_args_get(args, option);
    if (value == NULL) {
        destination[0] = '\0';
        return HL_OK;
    }
    return hl_text_copy(destination, capacity, hl_slice_trim(hl_slice_of(value)), max_chars,
                        newlines, option, error);
}

static int fill_registration(const cli_args *args, hl_order *order, hl_error *error)
{
    const char *channel = cli_args_get(args, "channel");
    const char *type = cli_args_get(args, "type");
    if (hl_order_channel_parse(hl_slice_of(channel != NULL ? channel : "phone"), &order->channel) !=
        HL_OK)
        return hl_error_set(error, HL_EINVAL, "channel",
                            HL_T("渠道须为 电话/网站/手机应用/微信/Open311/其他",
                                 "channel: phone, web, app, wechat, open311 or other"));
    if (type == NULL || hl_order_type_parse(hl_slice_of(type), &order->type) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "type",
                            HL_T("类型须为 咨询/求助/投诉/举报/建议/表扬",
                                 "type: inquiry, help, complaint, report, suggestion or praise"));
    int result =
        copy_option(args, "title", order->title, sizeof order->title, HL_TITLE_CHARS, false, error);
    if (result == HL_OK)
        result = copy_option(args, "content", order->content, sizeof order->content,
                             HL_CONTENT_CHARS, true, error);
    if (result == HL_OK)
        result = copy_option(args, "category", order->category, sizeof order->category,
                             HL_CODE_CHARS, false, error);
    if (result == HL_OK)
        result = copy_option(args, "name", order->citizen_name, sizeof order->citizen_name,
                             HL_NAME_CHARS, false, error);
    if (result == HL_OK)
        result = copy_option(args, "phone", order->citizen_phone, sizeof order->citizen_phone,
                             HL_PHONE_CHARS, false, error);
    if (result == HL_OK)
        result = copy_option(args, "address", order->address, sizeof order->address,
                             HL_ADDRESS_CHARS, false, error);
    if (result != HL_OK)
        return result;
    const char *latitude = cli_args_get(args, "lat"), *longitude = cli_args_get(args, "lon");
    if (latitude != NULL || longitude != NULL) {
        if (latitude == NULL || longitude == NULL ||
            hl_text_parse_double(hl_slice_of(latitude), &order->latitude) != HL_OK ||
            hl_text_parse_double(hl_slice_of(longitude), &order->longitude) != HL_OK)
            return hl_error_set(error, HL_EINVAL, "lat",
                                HL_T("--lat 与 --lon 须同时给出，单位为度",
                                     "--lat and --lon take decimal degrees, both"));
        order->has_location = true;
    }
    /* Only when the citizen was asked and agreed: never from the channel. */
    order->publish_consent = cli_args_has(args, "publish-consent");
    const char *received = cli_args_get(args, "received");
    order->received_at = hl_clock_now();
    if (received != NULL &&
        hl_clock_parse_time(hl_slice_of(received), &order->received_at) != HL_OK)
        return hl_error_set(
            error, HL_EINVAL, "received",
            HL_T("--received 不是有效的日期时间", "--received: not a date and time"));
    const char *number = cli_args_get(args, "number");
    if (number != NULL && hl_order_parse_number(hl_slice_of(number), &order->id) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "number",
                            HL_T("--number 不是有效的工单编号", "--number: not an order number"));
    return HL_OK;
}

static int run_register(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)command;
    hl_error error;
    hl_error_clear(&error);
    hl_order *order = hl_xcalloc(1, sizeof *order);
    int status = CLI_EXIT_OK;
    int result = fill_registration(args, order, &error);
    hl_app *app = NULL;
    if (result != HL_OK) {
        status = cli_fail(&error);
    } else if ((status = cli_open_app(context, &app)) == CLI_EXIT_OK) {
        int64_t id = 0;
        result = hl_app_register(app, cli_args_get(args, "as"), order, hl_clock_now(), &id, &error);
        if (result != HL_OK) {
            status = cli_fail(&error);
        } else {
            char number[24];
            hl_order_format_number(id, number, sizeof number);
            printf("%s\n", number);
        }
    }
    free(order);
    return status;
}

/* ---- the lifecycle actions ---- */

static const cli_option_spec action_options[] = {
    {"as", true},     {"unit", true}, {"co", true},   {"note", true},    {"reply", true},
    {"reason", true}, {"days", true}, {"into", true}, {"version", true}, {NULL, false}};

static const cli_option_spec survey_options[] = {
    {"as", true},      {"outcome", true}, {"rating", true}, {"resolved", true},
    {"comment", true}, {"version", true}, {NULL, false}};

static int run_action(cli_context *context, const cli_command *command, const cli_args *args)
{
    hl_error error;
    hl_error_clear(&error);
    int64_t id;
    if (cli_order_number(args, 0, &id, &error) != HL_OK)
        return cli_fail(&error);
    if (args->positional_count > 1)
        return cli_usage_error(command, HL_T("每次只能处理一件工单", "one order at a time"));
    hl_app_request request = {0};
    request.unit = cli_args_get(args, "unit");
    request.co_units = cli_args_get(args, "co");
    request.note = cli_args_get(args, "note");
    if (request.note == NULL)
        request.note = cli_args_get(args, "comment");
    if (request.note == NULL)
        request.note = cli_args_get(args, "reply");
    if (request.note == NULL)
        request.note = cli_args_get(args, "reason");
    const char *days = cli_args_get(args, "days");
    int64_t number;
    if (days != NULL) {
        if (hl_text_parse_int(hl_slice_of(days), 1, 60, &number) != HL_OK)
            return cli_usage_error(command, HL_T("--days 须为 1 到 60", "--days takes 1 to 60"));
        request.days = (int)number;
    }
    const char *into = cli_args_get(args, "into");
    if (into != NULL && hl_order_parse_number(hl_slice_of(into), &request.into) != HL_OK)
        return cli_usage_error(command,
                               HL_T("--into 须为工单编号", "--into takes an order number"));
    const char *outcome = cli_args_get(args, "outcome");
    if (outcome != NULL && hl_order_outcome_parse(hl_slice_of(outcome), &request.outcome) != HL_OK)
        return cli_usage_error(
            command, HL_T("--outcome 须为 成功/无人接听/占线/拒访/空号停机/其他",
                          "--outcome: reached, no_answer, busy, refused, wrong_number or other"));
    const char *rating = cli_args_get(args, "rating");
    if (rating != NULL && hl_order_rating_parse(hl_slice_of(rating), &request.rating) != HL_OK)
        return cli_usage_error(command,
                               HL_T("--rating 须为 非常满意/满意/基本满意/不满意/非常不满意",
                                    "--rating: very_satisfied, satisfied, basically_satisfied, "
                                    "dissatisfied or very_dissatisfied"));
    const char *resolved = cli_args_get(args, "resolved");
    if (resolved != NULL &&
        hl_order_resolved_parse(hl_slice_of(resolved), &request.resolved) != HL_OK)
        return cli_usage_error(
            command, HL_T("--resolved 须为 解决 或 未解决（yes/no）", "--resolved: yes or no"));
    const char *version = cli_args_get(args, "version");
    if (version != NULL) {
        if (hl_text_parse_int(hl_slice_of(version), 1, INT64_MAX, &request.expected_version) !=
            HL_OK)
            return cli_usage_error(command, HL_T("--version 须为数字", "--version takes a number"));
    }
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    hl_order *after = hl_xmalloc(sizeof *after);
    int result = hl_app_act(app, cli_args_get(args, "as"), id, (hl_action)command->tag, &request,
                            hl_clock_now(), after, &error);
    if (result != HL_OK) {
        free(after);
        return cli_fail(&error);
    }
    char number_text[24], due[40];
    hl_order_format_number(after->id, number_text, sizeof number_text);
    cli_output_time(after->due_at, due, sizeof due);
    printf("%s %s", number_text, hl_order_state_label(after->state));
    if (after->lead_unit[0] != '\0')
        printf(" %s", after->lead_unit);
    if (after->due_at != 0)
        printf(" %s", due);
    printf("\n");
    free(after);
    return CLI_EXIT_OK;
}

/* ---- show ---- */

static int print_event(void *context, const hl_event *event)
{
    (void)context;
    char at[40];
    hl_clock_format_local(event->at, at, sizeof at);
    printf("  %3lld  %s  ", (long long)event->seq, at);
    cli_output_cell(stdout, hl_workflow_action_label(event->action), 10);
    printf(" %s → %s  %s", hl_order_state_label(event->from_state),
           hl_order_state_label(event->to_state), event->actor);
    if (event->unit[0] != '\0')
        printf("  [%s]", event->unit);
    if (event->note[0] != '\0') {
        char note[HL_CONTENT_BYTES];
        snprintf(note, sizeof note, "%s", event->note);
        cli_output_one_line(note);
        printf("  %s", note);
    }
    if (strcmp(event->details, "{}") != 0 && event->details[0] != '\0')
        printf("  %s", event->details);
    printf("\n");
    return 0;
}

static int run_show(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)command;
    hl_error error;
    hl_error_clear(&error);
    int64_t id;
    if (cli_order_number(args, 0, &id, &error) != HL_OK)
        return cli_fail(&error);
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    hl_order *order = hl_xmalloc(sizeof *order);
    /* The full number is printed below: its read is recorded first, and
     * nothing is printed when that fails. */
    if (hl_app_get_order(app, id, order, &error) != HL_OK ||
        (order->citizen_phone[0] != '\0' &&
         cli_record_reads(app, "hotline show", &order->id, 1, &error) != HL_OK)) {
        free(order);
        return cli_fail(&error);
    }
    char text[64], number[24];
    hl_order_format_number(order->id, number, sizeof number);
    cli_output_field(stdout, HL_T("工单编号", "Number"), number);
    cli_output_field(stdout, HL_T("状态", "State"), hl_order_state_label(order->state));
    cli_output_field(stdout, HL_T("渠道", "Channel"), hl_order_channel_label(order->channel));
    cli_output_field(stdout, HL_T("类型", "Type"), hl_order_type_label(order->type));
    cli_output_time(order->received_at, text, sizeof text);
    cli_output_field(stdout, HL_T("受理时间", "Received"), text);
    cli_output_field(stdout, HL_T("受理人", "Registered by"), order->registered_by);
    cli_output_field(stdout, HL_T("诉求人", "Citizen"), order->citizen_name);
    cli_output_field(stdout, HL_T("联系电话", "Phone"), order->citizen_phone);
    cli_output_field(stdout, HL_T("地址", "Address"), order->address);
    if (order->has_location) {
        snprintf(text, sizeof text, "%.6f, %.6f", order->latitude, order->longitude);
        cli_output_field(stdout, HL_T("坐标", "Location"), text);
    }
    cli_output_field(stdout, HL_T("同意公开", "Publication"),
                     order->publish_consent ? HL_T("诉求人同意公开", "the citizen consented")
                                            : HL_T("未同意", "no consent"));
    cli_output_field(stdout, HL_T("诉求分类", "Category"), order->category);
    cli_output_field(stdout, HL_T("标题", "Title"), order->title);
    cli_output_field(stdout, HL_T("内容", "Content"), order->content);
    cli_output_field(stdout, HL_T("主办单位", "Lead unit"), order->lead_unit);
    cli_output_field(stdout, HL_T("协办单位", "Co-handling"), order->co_units);
    cli_output_time(order->sign_deadline, text, sizeof text);
    cli_output_field(stdout, HL_T("签收期限", "Sign by"), text);
    cli_output_time(order->handle_deadline, text, sizeof text);
    cli_output_field(stdout, HL_T("办结期限", "Complete by"), text);
    if (order->extension_pending_days > 0) {
        snprintf(text, sizeof text, HL_T("申请延期 %d 个工作日", "%d working days asked"),
                 order->extension_pending_days);
        cli_output_field(stdout, HL_T("延期申请", "Extension"), text);
    }
    cli_output_field(stdout, HL_T("答复", "Reply"), order->reply);
    cli_output_time(order->completed_at, text, sizeof text);
    cli_output_field(stdout, HL_T("办结时间", "Completed"), text);
    if (order->duplicate_of != 0) {
        hl_order_format_number(order->duplicate_of, text, sizeof text);
        cli_output_field(stdout, HL_T("重复于", "Duplicate of"), text);
    }
    if (order->excluded)
        cli_output_field(stdout, HL_T("不纳入考核", "Excluded"), order->excluded_reason);
    if (order->survey_attempts > 0) {
        const char *result =
            order->survey_result == HL_SURVEY_SUCCEEDED ? HL_T("回访成功", "reached")
            : order->survey_result == HL_SURVEY_FAILED  ? HL_T("回访失败", "failed")
                                                        : HL_T("回访中", "in progress");
        snprintf(text, sizeof text, HL_T("%s，共 %d 次", "%s, %d call(s)"), result,
                 order->survey_attempts);
        cli_output_field(stdout, HL_T("回访", "Survey"), text);
        if (order->survey_result == HL_SURVEY_SUCCEEDED) {
            cli_output_field(stdout, HL_T("满意度", "Rating"),
                             hl_order_rating_label(order->rating));
            cli_output_field(stdout, HL_T("是否解决", "Resolved"),
                             order->resolved == HL_RESOLVED_YES  ? HL_T("解决", "yes")
                             : order->resolved == HL_RESOLVED_NO ? HL_T("未解决", "no")
                                                                 : "-");
            cli_output_field(stdout, HL_T("回访意见", "Comment"), order->survey_comment);
        }
    }
    if (order->appeal_state != HL_APPEAL_NONE) {
        static const char *const states_zh[] = {"", "待审", "成立", "驳回"};
        static const char *const states_en[] = {"", "pending", "upheld", "rejected"};
        char appeal[HL_REASON_BYTES + 32];
        snprintf(appeal, sizeof appeal, "%s: %s",
                 HL_T(states_zh[order->appeal_state], states_en[order->appeal_state]),
                 order->appeal_reason);
        cli_output_field(stdout, HL_T("申诉", "Appeal"), appeal);
    }
    snprintf(text, sizeof text, "%lld", (long long)order->version);
    cli_output_field(stdout, HL_T("版本", "Version"), text);
    printf("\n%s\n", HL_T("处理记录：", "History:"));
    free(order);
    if (hl_app_list_events(app, id, print_event, NULL, &error) != HL_OK)
        return cli_fail(&error);
    return CLI_EXIT_OK;
}

/* ---- list and export share their filters ---- */

static const cli_option_spec list_options[] = {
    {"state", true},     {"unit", true}, {"co-unit", true}, {"category", true}, {"overdue", false},
    {"due-soon", false}, {"from", true}, {"to", true},      {"text", true},     {"limit", true},
    {"after", true},     {"out", true},  {"phone", true},   {"pending", true},  {NULL, false}};

/* Counts what a filter selects, its page left out. */
static int count_selected(hl_app *app, const hl_order_filter *filter, int64_t *count,
                          hl_error *error)
{
    hl_order_filter all = *filter;
    all.limit = 0;
    all.offset = 0;
    return hl_app_count_orders(app, &all, count, error);
}

/* In number order, --after NUMBER selects the orders numbered after it,
 * which is the next page. A list by deadline (--overdue, --due-soon) goes
 * on after that order's place in the list instead: the store pages by
 * offset (domain/query.h), so the offset is the number of listed orders
 * due before it, and of those due at the same time with a number up to
 * its own. An order without a running deadline has no place there: the
 * list starts from its beginning. */
static int after_in_deadline_order(hl_app *app, hl_order_filter *filter, hl_error *error)
{
    hl_order *last = hl_xmalloc(sizeof *last);
    int result = hl_app_get_order(app, filter->after_id, last, error);
    hl_time due = last->due_at;
    int64_t after_id = filter->after_id;
    free(last);
    if (result != HL_OK)
        return result;
    filter->after_id = 0;
    if (due <= 0)
        return HL_OK;
    bool listed = due >= filter->due_from && (filter->due_before == 0 || due < filter->due_before);
    hl_order_filter earlier = *filter;
    if (filter->due_before == 0 || due < filter->due_before)
        earlier.due_before = due;
    int64_t before = 0, same = 0, same_after = 0;
    result = count_selected(app, &earlier, &before, error);
    if (result == HL_OK && listed) {
        hl_order_filter at_due = *filter;
        at_due.due_from = due;
        at_due.due_before = due + 1;
        result = count_selected(app, &at_due, &same, error);
        at_due.after_id = after_id;
        if (result == HL_OK)
            result = count_selected(app, &at_due, &same_after, error);
    }
    filter->offset = before + same - same_after;
    return result;
}

static int parse_filter(hl_app *app, const cli_args *args, hl_order_filter *filter, hl_error *error)
{
    memset(filter, 0, sizeof *filter);
    const char *states = cli_args_get(args, "state");
    if (states != NULL) {
        const char *cursor = states;
        for (;;) {
            const char *comma = strchr(cursor, ',');
            hl_slice item = {cursor, comma != NULL ? (size_t)(comma - cursor) : strlen(cursor)};
            hl_state state;
            if (hl_order_state_parse(hl_slice_trim(item), &state) != HL_OK)
                return hl_error_set(error, HL_EINVAL, "state",
                                    HL_T("未知状态「%.*s」", "unknown state \"%.*s\""),
                                    (int)(item.len > 40 ? 40 : item.len), item.ptr);
            filter->state_mask |= HL_STATE_BIT(state);
            if (comma == NULL)
                break;
            cursor = comma + 1;
        }
    }
    filter->unit = cli_args_get(args, "unit");
    filter->co_unit = cli_args_get(args, "co-unit");
    filter->category = cli_args_get(args, "category");
    filter->text = cli_args_get(args, "text");
    filter->phone = cli_args_get(args, "phone");
    if (filter->phone != NULL && filter->phone[0] == '\0')
        return hl_error_set(error, HL_EINVAL, "phone",
                            HL_T("--phone 须为电话号码", "--phone takes a phone number"));
    char normal[HL_PHONE_NORMAL_BYTES];
    if (filter->phone != NULL && hl_phone_normalize(filter->phone, normal) == 0)
        return hl_error_set(error, HL_EINVAL, "phone", "%s",
                            HL_T("电话号码中没有数字", "the phone number holds no digit"));
    const char *pending = cli_args_get(args, "pending");
    if (pending != NULL && hl_order_pending_parse(hl_slice_of(pending), &filter->pending) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "pending",
                            HL_T("--pending 须为 extension、return 或 appeal",
                                 "--pending takes extension, return or appeal"));
    hl_time now = hl_clock_now();
    if (cli_args_has(args, "overdue") && cli_args_has(args, "due-soon"))
        return hl_error_set(
            error, HL_EINVAL, "overdue",
            HL_T("--overdue 与 --due-soon 不能同时使用", "--overdue or --due-soon, not both"));
    if (cli_args_has(args, "overdue")) {
        filter->due_before = now;
        filter->sort = HL_ORDER_SORT_DEADLINE;
    } else if (cli_args_has(args, "due-soon")) {
        /* About to be overdue: not yet overdue, due within due_soon_days. */
        filter->due_from = now;
        filter->due_before = hl_app_due_soon_limit(app, now);
        filter->sort = HL_ORDER_SORT_DEADLINE;
    }
    const char *from = cli_args_get(args, "from"), *to = cli_args_get(args, "to");
    int32_t day;
    if (from != NULL) {
        if (hl_clock_parse_day(hl_slice_of(from), &day) != HL_OK)
            return hl_error_set(
                error, HL_EINVAL, "from",
                HL_T("--from 须为日期 YYYY-MM-DD", "--from takes a date YYYY-MM-DD"));
        filter->received_from = hl_clock_start_of_day(day);
    }
    if (to != NULL) {
        if (hl_clock_parse_day(hl_slice_of(to), &day) != HL_OK)
            return hl_error_set(error, HL_EINVAL, "to",
                                HL_T("--to 须为日期 YYYY-MM-DD", "--to takes a date YYYY-MM-DD"));
        filter->received_to = hl_clock_start_of_day(day + 1); /* --to is inclusive */
    }
    const char *limit = cli_args_get(args, "limit");
    int64_t number;
    if (limit != NULL) {
        if (hl_text_parse_int(hl_slice_of(limit), 1, 1000000, &number) != HL_OK)
            return hl_error_set(error, HL_EINVAL, "limit",
                                HL_T("--limit 须为 1 到 1000000", "--limit takes 1 to 1000000"));
        filter->limit = (int)number;
    }
    const char *after = cli_args_get(args, "after");
    if (after != NULL && hl_order_parse_number(hl_slice_of(after), &filter->after_id) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "after",
                            HL_T("--after 须为工单编号", "--after takes an order number"));
    if (filter->after_id != 0 && filter->sort == HL_ORDER_SORT_DEADLINE)
        return after_in_deadline_order(app, filter, error);
    return HL_OK;
}

typedef struct list_context {
    hl_app *app;
    hl_time now;
    int64_t count;
    bool requests;           /* a queue (--pending): each row with its request */
    hl_app_pending *pending; /* scratch for that request */
    hl_error *error;
} list_context;

/* The line under a queue's row: what was asked, by whom, when and why. */
static int print_request(list_context *list, const hl_order *order)
{
    int result = hl_app_pending_of(list->app, order, list->pending, list->error);
    if (result != HL_OK || list->pending->kind == HL_PENDING_NONE)
        return result;
    const hl_app_pending *pending = list->pending;
    char at[40] = "-";
    if (pending->at != 0) {
        hl_clock_format_local(pending->at, at, sizeof at);
        at[16] = '\0';
    }
    printf("    %s", hl_order_pending_label(pending->kind));
    if (pending->kind == HL_PENDING_EXTENSION)
        printf(HL_T("（%d 个工作日）", " (%d working days)"), pending->days);
    printf(HL_T("：%s，%s；理由：%s\n", ": %s, %s; reason: %s\n"),
           pending->by[0] ? pending->by : "-", at, pending->reason);
    return HL_OK;
}

static int print_order_row(void *context, const hl_order *order)
{
    list_context *list = context;
    char number[24], due[40] = "-";
    hl_order_format_number(order->id, number, sizeof number);
    if (order->due_at != 0) {
        hl_clock_format_local(order->due_at, due, sizeof due);
        due[16] = '\0'; /* minutes are enough in a list */
    }
    printf("%s  ", number);
    cli_output_cell(stdout, hl_order_state_label(order->state), 12);
    printf(" ");
    cli_output_cell(stdout, hl_order_type_label(order->type), 10);
    printf(" ");
    cli_output_cell(stdout, order->lead_unit[0] != '\0' ? order->lead_unit : "-", 10);
    printf(" ");
    cli_output_cell(stdout, due, 16);
    printf(" %s %s\n", hl_order_is_overdue(order, list->now) ? HL_T("超期", "OVERDUE") : "  ",
           order->title);
    list->count++;
    return list->requests ? print_request(list, order) : 0;
}

/* The start of list and export: the store opened, *error cleared and the
 * filter read from the options; CLI_EXIT_OK, or the status to exit with. */
static int open_filtered(cli_context *context, const cli_args *args, hl_app **app,
                         hl_order_filter *filter, hl_error *error)
{
    int status = cli_start(context, app, error);
    if (status == CLI_EXIT_OK && parse_filter(*app, args, filter, error) != HL_OK)
        status = cli_fail(error);
    return status;
}

static int run_list(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)command;
    hl_app *app;
    hl_order_filter filter;
    hl_error error;
    int status = open_filtered(context, args, &app, &filter, &error);
    if (status != CLI_EXIT_OK)
        return status;
    if (filter.limit == 0)
        filter.limit = 100;
    list_context list = {.app = app,
                         .now = hl_clock_now(),
                         .requests = filter.pending != HL_PENDING_NONE,
                         .pending = hl_xmalloc(sizeof(hl_app_pending)),
                         .error = &error};
    printf("%s\n", HL_T("工单编号        状态         类型       主办单位   期限",
                        "Number          State        Type       Unit       Due"));
    int result = hl_app_list_orders(app, &filter, print_order_row, &list, &error);
    free(list.pending);
    if (result != HL_OK)
        return cli_fail(&error);
    printf(HL_T("（共 %lld 件%s）\n", "(%lld order%s)\n"), (long long)list.count,
           list.count != 1 ? HL_T("", "s") : "");
    return CLI_EXIT_OK;
}

static int run_export(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)command;
    const char *path = cli_args_get(args, "out");
    hl_app *app;
    hl_order_filter filter;
    hl_error error;
    int status = open_filtered(context, args, &app, &filter, &error);
    if (status != CLI_EXIT_OK)
        return status;
    FILE *out = stdout;
    if (path != NULL && strcmp(path, "-") != 0 && (out = fopen(path, "wb")) == NULL) {
        hl_error_set(&error, HL_EIO, "out", "%s: cannot write", path);
        return cli_fail(&error);
    }
    int64_t exported = 0;
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    int result = hl_transfer_export_orders_audited(app, &filter, out, actor, "hotline export",
                                                   &exported, &error);
    if (out != stdout && fclose(out) != 0 && result == HL_OK)
        result = hl_error_set(&error, HL_EIO, "out", "%s: write failed", path);
    if (result != HL_OK)
        return cli_fail(&error);
    if (out != stdout)
        fprintf(stderr, HL_T("已导出 %lld 件工单\n", "exported %lld order(s)\n"),
                (long long)exported);
    return CLI_EXIT_OK;
}

/* ---- import ---- */

static const cli_option_spec import_options[] = {{"as", true}, {NULL, false}};

static void report_bad_row(void *context, long line, const hl_error *error)
{
    (void)context;
    (void)line;
    char message[HL_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s", error->message);
    cli_output_one_line(message);
    fprintf(stderr, "hotline: %s\n", message);
}

/* Imports of orders and of survey calls share their shape: one file, all
 * rows or none, every bad row on stderr. The file is streamed (read
 * through the CSV reader's bounded window), so that a file of millions of
 * orders takes no more memory than a small one. */
typedef int (*csv_importer)(hl_app *app, const char *actor, FILE *in,
                            hl_transfer_row_error_visitor report, void *context, int max_reported,
                            int64_t *imported, hl_error *error);

static int run_csv_import(cli_context *context, const cli_command *command, const cli_args *args,
                          csv_importer import, const char *done_zh, const char *done_en)
{
    hl_error error;
    hl_error_clear(&error);
    if (args->positional_count != 1)
        return cli_usage_error(command, HL_T("请给出一个 CSV 文件", "name one CSV file"));
    const char *path = args->positional[0];
    bool standard_input = strcmp(path, "-") == 0;
    FILE *in = standard_input ? stdin : fopen(path, "rb");
    if (in == NULL) {
        hl_error_set(&error, HL_EINVAL, "file", HL_T("无法打开文件 %s：%s", "cannot open %s: %s"),
                     path, strerror(errno));
        return cli_fail(&error);
    }
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status == CLI_EXIT_OK) {
        int64_t imported = 0;
        if (import(app, cli_args_get(args, "as"), in, report_bad_row, NULL, 50, &imported,
                   &error) != HL_OK)
            status = cli_fail(&error);
        else
            printf("%s %lld %s\n", HL_T("已导入", "imported"), (long long)imported,
                   HL_T(done_zh, done_en));
    }
    if (!standard_input)
        fclose(in);
    return status;
}

static int run_import(cli_context *context, const cli_command *command, const cli_args *args)
{
    return run_csv_import(context, command, args, hl_transfer_import_orders_file, "件工单",
                          "order(s)");
}

static int run_import_surveys(cli_context *context, const cli_command *command,
                              const cli_args *args)
{
    return run_csv_import(context, command, args, hl_transfer_import_surveys_file, "次回访记录",
                          "survey call(s)");
}

#define ACTION_COMMAND(action_enum, verb, zh, en, usage_tail, help_zh_text, help_en_text)          \
    {                                                                                              \
        verb, zh, en, verb " NUMBER --as USER" usage_tail, help_zh_text, help_en_text,             \
            action_options, run_action, action_enum                                                \
    }

const cli_command cli_order_commands[] = {
    {"register", "受理一件新工单", "register a new work order",
     "register --as USER --type TYPE --title TEXT --content TEXT [--channel CH] [--category CODE] "
     "[--name NAME] [--phone PHONE] [--address TEXT] [--lat DEG --lon DEG] [--received TIME] "
     "[--number N] [--publish-consent]",
     "受理（登记）一件工单，打印其编号。\n"
     "  --type      咨询|求助|投诉|举报|建议|表扬（或 "
     "inquiry|help|complaint|report|suggestion|praise）\n"
     "  --channel   电话|网站|手机应用|微信|Open311|其他（默认 电话）\n"
     "  --received  受理时间，默认为现在（YYYY-MM-DD HH:MM[:SS]，本地时区，见 hotline config "
     "time_zone）\n"
     "  --number    指定工单编号（导入历史工单时）；默认取当日下一个编号\n"
     "  --publish-consent  诉求人同意经 Open311 公开本诉求（内容与地址，不含姓名和电话）；"
     "默认不公开",
     "Registers (受理) a work order and prints its number.\n"
     "  --type      inquiry|help|complaint|report|suggestion|praise\n"
     "  --channel   phone|web|app|wechat|open311|other (default phone)\n"
     "  --received  when it was received (default now; YYYY-MM-DD HH:MM[:SS], local time: hotline "
     "config time_zone)\n"
     "  --number    a given order number (for historical orders); default: the day's next\n"
     "  --publish-consent  the citizen agreed that the request (content and address, never "
     "name or phone) is published through Open311; default: not published",
     register_options, run_register, 0},
    ACTION_COMMAND(HL_ACTION_RESOLVE, "resolve", "直接办结（受理时当场答复）", "resolve at intake",
                   " --reply TEXT", "话务员当场答复并办结，工单不派往单位。",
                   "The agent answers on the call; the order never reaches a unit."),
    ACTION_COMMAND(
        HL_ACTION_DISPATCH, "dispatch", "派单给主办单位", "dispatch to a lead unit",
        " --unit CODE [--co CODE,CODE]",
        "派单：指定主办单位（--unit）及协办单位（--co），开始计算签收、退单与办结期限。",
        "Dispatches to a lead unit (--unit) and co-handling units (--co); starts the sign-for, "
        "return and handling deadlines."),
    ACTION_COMMAND(HL_ACTION_SIGN, "sign", "签收", "sign for", "", "承办单位签收工单。",
                   "The lead unit signs for the order."),
    ACTION_COMMAND(HL_ACTION_HANDLE, "handle", "记录办理进展", "record handling progress",
                   " --note TEXT", "主办或协办单位记录办理进展。",
                   "The lead or a co-handling unit records progress."),
    ACTION_COMMAND(HL_ACTION_COMPLETE, "complete", "办结并答复", "complete with a reply",
                   " --reply TEXT", "承办单位答复诉求人并办结。",
                   "The lead unit replies to the citizen and completes the order."),
    ACTION_COMMAND(HL_ACTION_RETURN, "return", "退单", "return to the centre", " --reason TEXT",
                   "非本单位职责，在退单时限内退回热线中心。",
                   "Not this unit's duty: returns the order within the return window."),
    ACTION_COMMAND(HL_ACTION_RETURN_REJECT, "return-reject", "驳回退单", "reject a return",
                   " --reason TEXT", "派单员驳回退单，工单回到原单位。",
                   "The dispatcher rejects a return; the order goes back to the unit."),
    ACTION_COMMAND(HL_ACTION_REASSIGN, "reassign", "改派（含同意退单）",
                   "reassign (accepts a return)", " --unit CODE [--co CODE,CODE]",
                   "改派给另一单位；对退单待审的工单即为同意退单并改派。",
                   "Reassigns to another unit; on a returned order this accepts the return."),
    ACTION_COMMAND(HL_ACTION_EXTEND_REQUEST, "extend-request", "申请延期", "request an extension",
                   " --days N --reason TEXT", "承办单位申请延期若干工作日。",
                   "The lead unit asks for more working days."),
    ACTION_COMMAND(HL_ACTION_EXTEND_APPROVE, "extend-approve", "批准延期", "approve an extension",
                   " [--days N]", "督办员批准延期（可少于申请天数）。",
                   "A supervisor approves (possibly fewer days than asked)."),
    ACTION_COMMAND(HL_ACTION_EXTEND_REFUSE, "extend-refuse", "驳回延期", "refuse an extension",
                   " --reason TEXT", "督办员驳回延期申请。", "A supervisor refuses the extension."),
    ACTION_COMMAND(HL_ACTION_REMIND, "remind", "催办", "remind the unit", " [--note TEXT]",
                   "催促承办单位办理。", "Reminds the unit."),
    ACTION_COMMAND(HL_ACTION_SUPERVISE, "supervise", "督办超期工单", "supervise an overdue order",
                   " --note TEXT", "对超期工单督办。", "Supervises an overdue order."),
    ACTION_COMMAND(HL_ACTION_REOPEN, "reopen", "重办", "reopen", " --reason TEXT",
                   "回访不满意或督办决定，退回原单位重新办理。",
                   "After a dissatisfied survey or a supervisor's decision: back to the unit."),
    ACTION_COMMAND(HL_ACTION_MERGE, "merge", "并单（重复诉求）", "merge a repeat request",
                   " --into NUMBER", "将重复诉求并入较早的工单，不纳入考核。",
                   "Merges a repeat request into the earlier order; excluded from assessment."),
    ACTION_COMMAND(HL_ACTION_INVALIDATE, "invalidate", "标记无效", "mark invalid", " --reason TEXT",
                   "骚扰、测试、无内容等，标记为无效工单，不纳入考核。",
                   "Harassment, test, no content: invalid, excluded from assessment."),
    ACTION_COMMAND(HL_ACTION_ARCHIVE, "archive", "归档", "archive", "", "归档已办结的工单。",
                   "Archives a completed order."),
    {"survey", "回访（记录一次回访电话）", "callback survey: record one call",
     "survey NUMBER --as USER --outcome OUTCOME [--rating RATING] [--resolved yes|no] [--comment "
     "TEXT]",
     "记录一次回访电话。--outcome：成功|无人接听|占线|拒访|空号停机|其他（或 "
     "reached|no_answer|busy|refused|"
     "wrong_number|other）；回访成功须给出 "
     "--rating：非常满意|满意|基本满意|不满意|非常不满意，可给出 --resolved "
     "解决|未解决。拒访、空号即回访失败；无人接听达到 survey_max_attempts "
     "次亦为失败。回访不满意时按配置自动重办。",
     "Records one callback call. --outcome reached|no_answer|busy|refused|wrong_number|other; a "
     "reached call "
     "needs --rating very_satisfied|satisfied|basically_satisfied|dissatisfied|very_dissatisfied "
     "and may give "
     "--resolved yes|no. Refused or a wrong number fails the survey; so do survey_max_attempts "
     "unanswered "
     "calls. A dissatisfied result reopens the order when configured.",
     survey_options, run_action, HL_ACTION_SURVEY},
    ACTION_COMMAND(HL_ACTION_APPEAL, "appeal", "申诉（单位对回访结果或纳入考核提出异议）",
                   "appeal a survey result", " --reason TEXT",
                   "承办单位在申诉时限内对回访结果或工单纳入考核提出申诉。",
                   "The lead unit contests a survey result or the order's inclusion, within the "
                   "appeal window."),
    ACTION_COMMAND(
        HL_ACTION_APPEAL_UPHOLD, "appeal-uphold", "申诉成立", "uphold an appeal", " --reason TEXT",
        "督办员认定申诉成立：该工单不再计入该单位当月考核，理由留存。",
        "A supervisor upholds the appeal: the order leaves the unit's measures, the reason kept."),
    ACTION_COMMAND(HL_ACTION_APPEAL_REJECT, "appeal-reject", "申诉驳回", "reject an appeal",
                   " --reason TEXT", "督办员驳回申诉，回访结果维持。",
                   "A supervisor rejects the appeal; the result stands."),
    {"import-surveys", "从 CSV 导入回访记录", "import survey calls from CSV",
     "import-surveys FILE.csv --as USER",
     "导入回访电话记录（每行一次电话，列见 "
     "docs/csv.md），按文件顺序逐条处理。任何一行有错则全部不导入，并逐行报告错误及行号。",
     "Imports callback calls (one row per call, columns in docs/csv.md), applied in file order. "
     "One bad row and "
     "nothing is imported; every bad row is reported with its line number.",
     import_options, run_import_surveys, 0},
    {"show", "查看工单及处理记录", "show an order and its history", "show NUMBER",
     "显示工单的全部字段及完整处理记录。显示完整联系电话时，此次查阅记入审计（hotline audit）。",
     "Shows every field of an order and its whole history. Showing the full phone number records "
     "the read "
     "in the audit (hotline audit).",
     NULL, run_show, 0},
    {"list", "查询工单", "list and search orders",
     "list [--state S,S] [--unit CODE] [--co-unit CODE] [--category CODE] [--overdue|--due-soon] "
     "[--from DATE] [--to DATE] [--text WORDS] [--phone NUMBER] "
     "[--pending extension|return|appeal] [--limit N] [--after NUMBER]",
     "按条件查询工单（默认最多 100 件；--after 翻页）。--overdue 列出超期工单，--due-soon "
     "列出即将超期的工单。"
     "--phone 查找同一来电号码的工单，写法不限（+86 138-0013-8000 与 13800138000 视为同一号码）。"
     "--pending 列出待审批的延期申请（extension）、待审的退单（return）或待审核的申诉（appeal），"
     "每件下一行写明申请人、时间、理由及申请延期的工作日数。",
     "Lists orders matching the filters (at most 100 by default; page with --after). --overdue "
     "lists "
     "overdue orders, --due-soon those about to be overdue. --phone finds the orders of one "
     "caller's "
     "number however it was written (+86 138-0013-8000 and 13800138000 are one number). "
     "--pending lists the extension requests (extension), returns (return) or appeals (appeal) "
     "awaiting a decision, each with a line saying who asked, when, why and, for an extension, "
     "the working days asked.",
     list_options, run_list, 0},
    {"import", "从 CSV 导入工单", "import orders from CSV", "import FILE.csv --as USER",
     "导入工单（列见 docs/csv.md）。任何一行有错则全部不导入，并逐行报告错误及行号。"
     "文件逐块读取（FILE 为 - 时读标准输入），内存占用不随文件增大。",
     "Imports orders (columns in docs/csv.md). One bad row and nothing is imported; every bad row "
     "is reported with its line number. The file is streamed (FILE - reads standard input): "
     "memory does not grow with its size.",
     import_options, run_import, 0},
    {"export", "导出工单为 CSV", "export orders as CSV", "export [--out FILE] [list filters]",
     "按与 list 相同的条件导出工单为 CSV（列见 "
     "docs/csv.md）。导出含完整联系电话，每件工单的查阅记入审计"
     "（hotline audit）。",
     "Exports the orders the list filters select as CSV (columns in docs/csv.md). The export holds "
     "full phone "
     "numbers: each order's read is recorded in the audit (hotline audit).",
     list_options, run_export, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
