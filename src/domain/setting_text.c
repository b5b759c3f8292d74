/* setting_text.c: the label and explanation of every setting an
 * administrator changes (see setting_text.h).
 *
 * One table, keyed by the setting's key, so that the API, the pages and the
 * command line call a setting by one name. It holds words only: the ranges
 * are checked where the settings live (limits.c, app/policy.c), and the
 * ranges quoted here must follow them (test_setting_text checks that every
 * key those modules list has its words). */
#include "domain/setting_text.h"

#include <string.h>

#include "base/array.h"
#include "base/i18n.h"

typedef struct setting_words {
    const char *key;
    const char *label_zh;
    const char *label_en;
    const char *help_zh;
    const char *help_en;
} setting_words;

static const setting_words WORDS[] = {
    {"sign_days", "签收时限", "Time to sign for", "派单后须在几个工作日内签收（1–60）。",
     "Working days after dispatch within which the unit signs for the order (1–60)."},
    {"return_days", "退单时限", "Time to return", "派单后几个工作日内承办单位可以退单（1–60）。",
     "Working days after dispatch within which the unit may return the order (1–60)."},
    {"handle_days.inquiry", "咨询类办理时限", "Time limit: inquiries",
     "咨询类工单自派单起的办结期限，工作日（1–60）；分类另设时限的以分类为准。",
     "Working days from dispatch to completion for inquiries (1–60); a category's own limit comes "
     "first."},
    {"handle_days.help", "求助类办理时限", "Time limit: requests for help",
     "求助类工单自派单起的办结期限，工作日（1–60）；分类另设时限的以分类为准。",
     "Working days from dispatch to completion for requests for help (1–60); a category's own "
     "limit comes first."},
    {"handle_days.complaint", "投诉类办理时限", "Time limit: complaints",
     "投诉类工单自派单起的办结期限，工作日（1–60）；分类另设时限的以分类为准。",
     "Working days from dispatch to completion for complaints (1–60); a category's own limit comes "
     "first."},
    {"handle_days.report", "举报类办理时限", "Time limit: reports",
     "举报类工单自派单起的办结期限，工作日（1–60）；分类另设时限的以分类为准。",
     "Working days from dispatch to completion for reports (1–60); a category's own limit comes "
     "first."},
    {"handle_days.suggestion", "建议类办理时限", "Time limit: suggestions",
     "建议类工单自派单起的办结期限，工作日（1–60）；分类另设时限的以分类为准。",
     "Working days from dispatch to completion for suggestions (1–60); a category's own limit "
     "comes first."},
    {"handle_days.praise", "表扬类办理时限", "Time limit: praise",
     "表扬类工单自派单起的办结期限，工作日（1–60）；分类另设时限的以分类为准。",
     "Working days from dispatch to completion for praise (1–60); a category's own limit comes "
     "first."},
    {"extension_max_days", "单次延期上限", "Longest extension",
     "一次延期最多把期限推后几个工作日（1–60）。",
     "How many working days one extension may move the deadline at most (1–60)."},
    {"extension_max_count", "延期次数上限", "Extensions per order",
     "每件工单最多可延期几次（0–10，0 为不允许延期）。",
     "How many extensions an order may have (0–10; 0: none)."},
    {"due_soon_days", "临期提醒", "Due soon",
     "期限在几个工作日内到期的工单标为“即将超期”（0–60）。",
     "Orders due within this many working days are shown as due soon (0–60)."},
    {"survey_max_attempts", "回访拨打次数", "Survey call attempts",
     "回访电话连续几次未接通即记为调查失败（1–10）。",
     "Unanswered callback calls after which the survey is counted as failed (1–10)."},
    {"appeal_days", "申诉时限", "Time to appeal",
     "回访（或办结）后几个工作日内承办单位可以申诉（1–60）。",
     "Working days after the survey (or completion) within which the unit may appeal (1–60)."},
    {"reopen_dissatisfied", "不满意重办", "Reopen when dissatisfied",
     "1：回访不满意的工单自动重办；0：不重办。",
     "1: a dissatisfied survey reopens the order; 0: it does not."},
    {"time_zone", "本地时区", "Local time zone",
     "显示时间、本地日期与期限计算所用的时区（IANA 名称，如 Asia/Shanghai）。",
     "The zone of shown times, local dates and deadlines (an IANA name, e.g. Asia/Shanghai)."},
    {"session.idle_minutes", "会话空闲时限", "Session idle limit",
     "登录后多少分钟无操作即须重新登录（5–1440）。",
     "Minutes without activity after which a session ends (5–1440)."},
    {"session.absolute_hours", "会话最长时间", "Session lifetime",
     "无论是否操作，登录多少小时后须重新登录（1–72）。",
     "Hours after sign-in after which a session ends, active or not (1–72)."},
    {"session.max_per_user", "同一用户会话数", "Sessions per user",
     "同一账号同时保持登录的会话数上限，超出时最早的会话退出（1–20）。",
     "Sessions one account may hold at once; the oldest ends when another begins (1–20)."},
    {"password.min_length", "密码最短长度", "Shortest password", "密码至少几个字符（8–64）。",
     "Characters a password needs at least (8–64)."},
    {"password.min_classes", "密码字符种类", "Password character classes",
     "密码须包含几类字符：小写字母、大写字母、数字、其他符号（1–4）。",
     "How many of lower case, upper case, digits and other characters a password needs (1–4)."},
    {"password.history", "密码历史", "Password history",
     "最近几个用过的密码不得再用（0–12，0 为不限）。",
     "How many recent passwords may not be used again (0–12; 0: no check)."},
    {"password.max_age_days", "密码有效期", "Password lifetime",
     "密码使用多少天后须更换（0–3650，0 为永不过期）。",
     "Days after which a password must be changed (0–3650; 0: never)."},
    {"audit.retention_days", "审计保存期", "Audit retention",
     "审计记录至少在库中保存多少天，未满此期的不得归档（180–3650）。",
     "Days the audit records stay in the store at least; younger ones are not archived "
     "(180–3650)."},
};

static const setting_words *words_of(const char *key)
{
    if (key == NULL)
        return NULL;
    for (size_t i = 0; i < HL_COUNT_OF(WORDS); i++)
        if (strcmp(WORDS[i].key, key) == 0)
            return &WORDS[i];
    return NULL;
}

const char *hl_setting_label(const char *key)
{
    const setting_words *words = words_of(key);
    return words != NULL ? HL_T(words->label_zh, words->label_en) : NULL;
}

const char *hl_setting_help(const char *key)
{
    const setting_words *words = words_of(key);
    return words != NULL ? HL_T(words->help_zh, words->help_en) : NULL;
}
