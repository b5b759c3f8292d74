/* order.c: order numbers, the names and labels of the order enumerations,
 * and the checks a registration must pass.
 *
 * It is pure: it neither reads nor writes the store, allocates nothing and
 * does not decide which actions are allowed (see domain/workflow). Numbers
 * are yyyymmdd of the local day times 1000000 plus the sequence of the day;
 * handing out the next sequence is the store's business. */
#include "domain/order.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "domain/directory.h"
#include "domain/phone.h"

/* An order number is always written with 14 digits: 8 of date, 6 of sequence. */
#define NUMBER_DIGITS 14

/* One value of an enumeration: its stable name and both labels. */
typedef struct enum_text {
    const char *name;
    const char *label_zh;
    const char *label_en;
} enum_text;

static const enum_text channel_texts[HL_CHANNEL_COUNT] = {
    [HL_CHANNEL_PHONE] = {"phone", "电话", "phone"},
    [HL_CHANNEL_WEB] = {"web", "网站", "web"},
    [HL_CHANNEL_APP] = {"app", "手机应用", "app"},
    [HL_CHANNEL_WECHAT] = {"wechat", "微信", "WeChat"},
    [HL_CHANNEL_OPEN311] = {"open311", "Open311", "Open311"},
    [HL_CHANNEL_OTHER] = {"other", "其他", "other"},
};

static const enum_text type_texts[HL_TYPE_COUNT] = {
    [HL_TYPE_INQUIRY] = {"inquiry", "咨询", "inquiry"},
    [HL_TYPE_HELP] = {"help", "求助", "help"},
    [HL_TYPE_COMPLAINT] = {"complaint", "投诉", "complaint"},
    [HL_TYPE_REPORT] = {"report", "举报", "report"},
    [HL_TYPE_SUGGESTION] = {"suggestion", "建议", "suggestion"},
    [HL_TYPE_PRAISE] = {"praise", "表扬", "praise"},
};

static const enum_text state_texts[HL_STATE_COUNT] = {
    [HL_STATE_NONE] = {"none", "无", "none"},
    [HL_STATE_NEW] = {"new", "待派单", "new"},
    [HL_STATE_DISPATCHED] = {"dispatched", "已派单", "dispatched"},
    [HL_STATE_SIGNED] = {"signed", "已签收", "signed"},
    [HL_STATE_HANDLING] = {"handling", "办理中", "handling"},
    [HL_STATE_RETURN_PENDING] = {"return_pending", "退单待审", "return pending"},
    [HL_STATE_COMPLETED] = {"completed", "已办结", "completed"},
    [HL_STATE_SURVEYED] = {"surveyed", "已回访", "surveyed"},
    [HL_STATE_ARCHIVED] = {"archived", "已归档", "archived"},
    [HL_STATE_INVALID] = {"invalid", "无效", "invalid"},
    [HL_STATE_MERGED] = {"merged", "已并单", "merged"},
};

static const enum_text outcome_texts[HL_OUTCOME_COUNT] = {
    [HL_OUTCOME_NONE] = {"none", "无", "none"},
    [HL_OUTCOME_REACHED] = {"reached", "成功", "reached"},
    [HL_OUTCOME_NO_ANSWER] = {"no_answer", "无人接听", "no answer"},
    [HL_OUTCOME_BUSY] = {"busy", "占线", "busy"},
    [HL_OUTCOME_REFUSED] = {"refused", "拒访", "refused"},
    [HL_OUTCOME_WRONG_NUMBER] = {"wrong_number", "空号停机", "wrong or dead number"},
    [HL_OUTCOME_OTHER] = {"other", "其他", "other"},
};

static const enum_text rating_texts[HL_RATING_COUNT] = {
    [HL_RATING_NONE] = {"none", "无", "none"},
    [HL_RATING_VERY_SATISFIED] = {"very_satisfied", "非常满意", "very satisfied"},
    [HL_RATING_SATISFIED] = {"satisfied", "满意", "satisfied"},
    [HL_RATING_BASIC] = {"basically_satisfied", "基本满意", "basically satisfied"},
    [HL_RATING_DISSATISFIED] = {"dissatisfied", "不满意", "dissatisfied"},
    [HL_RATING_VERY_DISSATISFIED] = {"very_dissatisfied", "非常不满意", "very dissatisfied"},
};

static const enum_text resolved_texts[3] = {
    [HL_RESOLVED_UNKNOWN] = {"unknown", "未知", "unknown"},
    [HL_RESOLVED_YES] = {"yes", "解决", "resolved"},
    [HL_RESOLVED_NO] = {"no", "未解决", "unresolved"},
};

static const enum_text pending_texts[HL_PENDING_COUNT] = {
    [HL_PENDING_NONE] = {"none", "无", "none"},
    [HL_PENDING_EXTENSION] = {"extension", "延期待批", "extension request"},
    [HL_PENDING_RETURN] = {"return", "退单待审", "return"},
    [HL_PENDING_APPEAL] = {"appeal", "申诉待审", "appeal"},
};

static const char *const survey_result_names[] = {"none", "succeeded", "failed"};
static const char *const appeal_state_names[] = {"none", "pending", "upheld", "rejected"};

/* Out-of-range values come only from corrupt data or a caller's bug; a
 * visible placeholder beats a crash in a report. */
static const char *enum_name(const enum_text *texts, int count, int value)
{
    return value >= 0 && value < count ? texts[value].name : "unknown";
}

static const char *enum_label(const enum_text *texts, int count, int value)
{
    if (value < 0 || value >= count)
        return HL_T("未知", "unknown");
    return HL_T(texts[value].label_zh, texts[value].label_en);
}

/* Matches the English name or the Chinese label, whatever the current
 * language, so that CSV files and commands work the same for everyone.
 * Values below `first` are not real values and are refused. */
static int enum_parse(const enum_text *texts, int count, int first, hl_slice text, int *out)
{
    text = hl_slice_trim(text);
    for (int value = first; value < count; value++) {
        if (hl_slice_equal(text, texts[value].name) ||
            hl_slice_equal(text, texts[value].label_zh)) {
            *out = value;
            return HL_OK;
        }
    }
    return HL_EINVAL;
}

void hl_order_format_number(int64_t id, char *out, size_t size)
{
    snprintf(out, size, "%0*" PRId64, NUMBER_DIGITS, id);
}

int hl_order_parse_number(hl_slice text, int64_t *out)
{
    if (text.len != NUMBER_DIGITS)
        return HL_EINVAL;
    int64_t value = 0;
    for (size_t index = 0; index < text.len; index++) {
        char character = text.ptr[index];
        if (character < '0' || character > '9')
            return HL_EINVAL;
        value = value * 10 + (character - '0');
    }
    int64_t sequence = value % HL_ORDER_SEQUENCE_LIMIT;
    int64_t date = value / HL_ORDER_SEQUENCE_LIMIT;
    int year = (int)(date / 10000), month = (int)(date / 100 % 100), day = (int)(date % 100);
    if (sequence < 1 || year < 1900 || month < 1 || month > 12 || day < 1 || day > 31)
        return HL_EINVAL;
    /* A round trip through the day number rejects 30 February and the like
     * without a second table of month lengths. */
    int check_year, check_month, check_day;
    hl_clock_civil_from_day(hl_clock_day_from_civil(year, month, day), &check_year, &check_month,
                            &check_day);
    if (check_year != year || check_month != month || check_day != day)
        return HL_EINVAL;
    *out = value;
    return HL_OK;
}

const char *hl_order_outcome_name(hl_survey_outcome outcome)
{
    return enum_name(outcome_texts, HL_OUTCOME_COUNT, (int)outcome);
}

const char *hl_order_outcome_label(hl_survey_outcome outcome)
{
    return enum_label(outcome_texts, HL_OUTCOME_COUNT, (int)outcome);
}

int hl_order_outcome_parse(hl_slice text, hl_survey_outcome *out)
{
    int value;
    /* "空号" and "停机" alone are what surveyors write. */
    if (hl_slice_equal(hl_slice_trim(text), "空号") ||
        hl_slice_equal(hl_slice_trim(text), "停机")) {
        *out = HL_OUTCOME_WRONG_NUMBER;
        return HL_OK;
    }
    if (enum_parse(outcome_texts, HL_OUTCOME_COUNT, 1, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_survey_outcome)value;
    return HL_OK;
}

const char *hl_order_rating_name(hl_rating rating)
{
    return enum_name(rating_texts, HL_RATING_COUNT, (int)rating);
}

const char *hl_order_rating_label(hl_rating rating)
{
    return enum_label(rating_texts, HL_RATING_COUNT, (int)rating);
}

int hl_order_rating_parse(hl_slice text, hl_rating *out)
{
    int value;
    if (enum_parse(rating_texts, HL_RATING_COUNT, 1, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_rating)value;
    return HL_OK;
}

const char *hl_order_resolved_name(hl_resolved resolved)
{
    return enum_name(resolved_texts, 3, (int)resolved);
}

const char *hl_order_resolved_label(hl_resolved resolved)
{
    return enum_label(resolved_texts, 3, (int)resolved);
}

int hl_order_resolved_parse(hl_slice text, hl_resolved *out)
{
    int value;
    if (enum_parse(resolved_texts, 3, 1, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_resolved)value;
    return HL_OK;
}

const char *hl_order_pending_name(hl_pending pending)
{
    return enum_name(pending_texts, HL_PENDING_COUNT, (int)pending);
}

const char *hl_order_pending_label(hl_pending pending)
{
    return enum_label(pending_texts, HL_PENDING_COUNT, (int)pending);
}

int hl_order_pending_parse(hl_slice text, hl_pending *out)
{
    int value;
    if (enum_parse(pending_texts, HL_PENDING_COUNT, 1, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_pending)value;
    return HL_OK;
}

const char *hl_order_survey_result_name(hl_survey_result result)
{
    return (int)result >= 0 && result <= HL_SURVEY_FAILED ? survey_result_names[result] : "unknown";
}

const char *hl_order_appeal_state_name(hl_appeal_state state)
{
    return (int)state >= 0 && state <= HL_APPEAL_REJECTED ? appeal_state_names[state] : "unknown";
}

int64_t hl_order_number_prefix(hl_time received_at)
{
    int year, month, day;
    hl_clock_civil_from_day(hl_clock_day_of(received_at), &year, &month, &day);
    return ((int64_t)year * 10000 + month * 100 + day) * HL_ORDER_SEQUENCE_LIMIT;
}

const char *hl_order_channel_name(hl_channel channel)
{
    return enum_name(channel_texts, HL_CHANNEL_COUNT, (int)channel);
}

const char *hl_order_channel_label(hl_channel channel)
{
    return enum_label(channel_texts, HL_CHANNEL_COUNT, (int)channel);
}

int hl_order_channel_parse(hl_slice text, hl_channel *out)
{
    int value;
    if (enum_parse(channel_texts, HL_CHANNEL_COUNT, 0, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_channel)value;
    return HL_OK;
}

const char *hl_order_type_name(hl_order_type type)
{
    return enum_name(type_texts, HL_TYPE_COUNT, (int)type);
}

const char *hl_order_type_label(hl_order_type type)
{
    return enum_label(type_texts, HL_TYPE_COUNT, (int)type);
}

int hl_order_type_parse(hl_slice text, hl_order_type *out)
{
    int value;
    if (enum_parse(type_texts, HL_TYPE_COUNT, 0, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_order_type)value;
    return HL_OK;
}

const char *hl_order_state_name(hl_state state)
{
    return enum_name(state_texts, HL_STATE_COUNT, (int)state);
}

const char *hl_order_state_label(hl_state state)
{
    return enum_label(state_texts, HL_STATE_COUNT, (int)state);
}

int hl_order_state_parse(hl_slice text, hl_state *out)
{
    int value;
    /* HL_STATE_NONE is only the from-state of registration: no order is in it,
     * so a filter or an import naming it is a mistake. */
    if (enum_parse(state_texts, HL_STATE_COUNT, HL_STATE_NEW, text, &value) != HL_OK)
        return HL_EINVAL;
    *out = (hl_state)value;
    return HL_OK;
}

static bool is_blank(const char *text)
{
    return hl_slice_trim(hl_slice_of(text)).len == 0;
}

int hl_order_validate_registration(const hl_order *order, hl_error *error)
{
    if (is_blank(order->title))
        return hl_error_set(error, HL_EINVAL, "title", HL_T("标题不能为空", "title is required"));
    if (is_blank(order->content))
        return hl_error_set(error, HL_EINVAL, "content",
                            HL_T("诉求内容不能为空", "content is required"));
    if ((int)order->channel < 0 || (int)order->channel >= HL_CHANNEL_COUNT)
        return hl_error_set(error, HL_EINVAL, "channel",
                            HL_T("未知的受理渠道 %d", "unknown channel %d"), (int)order->channel);
    if ((int)order->type < 0 || (int)order->type >= HL_TYPE_COUNT)
        return hl_error_set(error, HL_EINVAL, "type",
                            HL_T("未知的诉求类型 %d", "unknown order type %d"), (int)order->type);
    if (order->received_at <= 0)
        return hl_error_set(error, HL_EINVAL, "received_at",
                            HL_T("受理时间不能为空", "received time is required"));
    /* strnlen: a field that lost its terminator must not be read past its end. */
    size_t phone_length = strnlen(order->citizen_phone, sizeof order->citizen_phone);
    if (phone_length > 0 && !hl_phone_valid(order->citizen_phone, phone_length)) {
        int shown = (int)(phone_length < HL_PHONE_CHARS ? phone_length : HL_PHONE_CHARS);
        return hl_error_set(
            error, HL_EINVAL, "citizen_phone",
            HL_T("联系电话“%.*s”须为 3 至 %d 个数字、空格、“+”或“-”，且至少含 3 位数字",
                 "phone number \"%.*s\" must be 3 to %d digits, spaces, '+' or '-' "
                 "with at least 3 digits"),
            shown, order->citizen_phone, HL_PHONE_CHARS);
    }
    if (order->has_location) {
        /* Written as negated ranges so that NaN is refused too. */
        if (!(order->latitude >= -90.0 && order->latitude <= 90.0))
            return hl_error_set(
                error, HL_EINVAL, "latitude",
                HL_T("纬度 %g 超出 -90 至 90 的范围", "latitude %g is outside -90 to 90"),
                order->latitude);
        if (!(order->longitude >= -180.0 && order->longitude <= 180.0))
            return hl_error_set(
                error, HL_EINVAL, "longitude",
                HL_T("经度 %g 超出 -180 至 180 的范围", "longitude %g is outside -180 to 180"),
                order->longitude);
    }
    if (order->category[0] != '\0' && !hl_directory_code_valid(hl_slice_of(order->category)))
        return hl_error_set(error, HL_EINVAL, "category",
                            HL_T("“%s”不是有效的分类编码", "\"%s\" is not a valid category code"),
                            order->category);
    return HL_OK;
}

hl_pending hl_order_pending_of(const hl_order *order)
{
    if (order->state == HL_STATE_RETURN_PENDING)
        return HL_PENDING_RETURN;
    if (order->extension_pending_days > 0)
        return HL_PENDING_EXTENSION;
    if (order->appeal_state == HL_APPEAL_PENDING)
        return HL_PENDING_APPEAL;
    return HL_PENDING_NONE;
}

bool hl_order_is_overdue(const hl_order *order, hl_time now)
{
    return order->due_at > 0 && now > order->due_at;
}
