/* bulletin.c: the model of the monthly satisfaction bulletin (月度通报).
 *
 * Builds, from a month's assessment, what every format of the bulletin
 * shows: the notice paragraph in the seed's own sentence, one ranking
 * table per group in the newspaper's two-column layout, the detail table of
 * every unit, and the footnotes, as texts and tables of text cells; and the
 * figures the machine formats print. This module computes no measure and
 * no rank: it shows what hl_assessment_compute decided (including the
 * Wilson interval and the score), except the month-over-month change of
 * the satisfaction rate, which is a presentation of two exact ratios and is
 * computed here with integers. It lays nothing out in a format (report/
 * does), does no I/O and touches no store. */
#include "domain/bulletin.h"

#include "domain/order.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/clock.h"
#include "base/contract.h"
#include "base/i18n.h"

/* Wide enough for any percentage, count pair or interval shown in a cell. */
#define CELL_BYTES 160

/* ---- The month ---------------------------------------------------------- */

static const char *const english_months[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

/* A period's month was checked when the period was made (period_of_month). */
static const char *english_month(int month)
{
    HL_REQUIRE(month >= 1 && month <= 12);
    return english_months[month - 1];
}

static int period_of_month(int yyyymm, hl_bulletin_period *out, hl_error *error)
{
    int year = yyyymm / 100;
    int month = yyyymm % 100;
    /* The same range hl_clock_parse_month accepts. */
    if (year < 1900 || year > 9999 || month < 1 || month > 12)
        return hl_error_set(error, HL_EINVAL, "month",
                            HL_T("月份 %d 不是 yyyymm 格式", "month %d is not yyyymm"), yyyymm);
    int32_t first = hl_clock_day_from_civil(year, month, 1);
    /* The last day is the day before the next month's first: no table of
     * month lengths, and leap years come for free. */
    int32_t next = month == 12 ? hl_clock_day_from_civil(year + 1, 1, 1)
                               : hl_clock_day_from_civil(year, month + 1, 1);
    int last_year, last_month;
    hl_clock_civil_from_day(next - 1, &last_year, &last_month, &out->last_day);
    out->year = year;
    out->month = month;
    hl_clock_format_day(first, out->from, sizeof out->from);
    hl_clock_format_day(next - 1, out->to, sizeof out->to);
    snprintf(out->month_text, sizeof out->month_text, "%04d-%02d", year, month);
    return HL_OK;
}

/* The input every rendering needs, and the month of meta, which must be
 * the month of the figures: a bulletin whose paragraph names one month and
 * whose figures are another's would be worse than none. */
int hl_bulletin_check(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                      const hl_buf *out, hl_bulletin_period *period, hl_error *error)
{
    if (assessment == NULL || meta == NULL || out == NULL)
        return hl_error_set(
            error, HL_EINVAL, NULL, "%s",
            HL_T("通报缺少考核数据或抬头", "the bulletin needs an assessment and its meta"));
    int result = period_of_month(meta->month, period, error);
    if (result != HL_OK)
        return result;
    if (assessment->month != 0 && assessment->month != meta->month)
        return hl_error_set(
            error, HL_EINVAL, "month",
            HL_T("考核数据属于 %d，通报月份为 %d", "the figures are of %d, the bulletin of %d"),
            assessment->month, meta->month);
    return HL_OK;
}

/* ---- Figures as text ---------------------------------------------------- */

/* "82.66", or "-" without data (hl_assessment_format_percent's own rule). */
static void format_percent(hl_ratio ratio, char *out, size_t size)
{
    hl_assessment_format_percent(ratio, out, size);
}

/* "75.00 (15/20)": the rate with the counts it comes from, or "-". */
static void format_rate_with_counts(hl_ratio ratio, char *out, size_t size)
{
    if (ratio.denominator == 0) {
        snprintf(out, size, "-");
        return;
    }
    char percent[32];
    format_percent(ratio, percent, sizeof percent);
    snprintf(out, size, "%s (%" PRId64 "/%" PRId64 ")", percent, ratio.numerator,
             ratio.denominator);
}

/* A fraction in [0, 1] as a percentage to two decimals, rounded half up:
 * the interval's bounds are irrational, so doubles are the right tool here. */
void hl_bulletin_format_fraction(double fraction, char *out, size_t size)
{
    long long hundredths = (long long)floor(fraction * 10000.0 + 0.5);
    snprintf(out, size, "%lld.%02lld", hundredths / 100, hundredths % 100);
}

/* The Wilson interval exists only when someone was reached. */
bool hl_bulletin_has_interval(const hl_unit_result *unit)
{
    return unit->satisfaction_rate.denominator > 0;
}

/* "61.22 [60.56, 61.88]", or "-". */
static void format_satisfaction_cell(const hl_unit_result *unit, char *out, size_t size)
{
    if (!hl_bulletin_has_interval(unit)) {
        snprintf(out, size, "-");
        return;
    }
    char percent[32], low[32], high[32];
    format_percent(unit->satisfaction_rate, percent, sizeof percent);
    hl_bulletin_format_fraction(unit->wilson_low, low, sizeof low);
    hl_bulletin_format_fraction(unit->wilson_high, high, sizeof high);
    snprintf(out, size, "%s [%s, %s]", percent, low, high);
}

void hl_bulletin_format_score(const hl_unit_result *unit, char *out, size_t size)
{
    hl_bulletin_format_fraction(unit->score / 100.0, out, size);
}

/* Counts up to this bound keep every product below in int64_t range:
 * |a·d − c·b| ≤ 10^14, times 2·10^4 for the rounding, is at most 2·10^18. */
#define EXACT_CHANGE_LIMIT INT64_C(10000000)

/* The change now − before in percentage points, rounded half up (away from
 * zero, as the percentages themselves) to two decimals: "+1.23", "-0.50",
 * "0.00"; "-" when either month has no data. The difference is taken of the
 * exact ratios, (a·d − c·b) / (b·d), not of the rounded percentages, so that
 * 61.225% − 61.214% is not shown as 0.01 from 61.23 − 61.21 = 0.02. */
static void format_rate_change(hl_ratio now, hl_ratio before, char *out, size_t size)
{
    if (now.denominator <= 0 || before.denominator <= 0) {
        snprintf(out, size, "-");
        return;
    }
    int64_t hundredths;
    bool negative;
    if (now.numerator >= 0 && before.numerator >= 0 && now.numerator <= EXACT_CHANGE_LIMIT &&
        before.numerator <= EXACT_CHANGE_LIMIT && now.denominator <= EXACT_CHANGE_LIMIT &&
        before.denominator <= EXACT_CHANGE_LIMIT) {
        int64_t difference =
            now.numerator * before.denominator - before.numerator * now.denominator;
        int64_t denominator = now.denominator * before.denominator;
        negative = difference < 0;
        int64_t magnitude = negative ? -difference : difference;
        /* points to two decimals = ratio × 10^4; half up: floor(x + 1/2) = (2m·10^4 + D) / 2D */
        hundredths = (2 * magnitude * 10000 + denominator) / (2 * denominator);
    } else {
        /* Beyond any month a hotline has: long double keeps 64 bits of mantissa. */
        long double difference = (long double)now.numerator / (long double)now.denominator -
                                 (long double)before.numerator / (long double)before.denominator;
        negative = difference < 0;
        hundredths = (int64_t)floorl(fabsl(difference) * 10000.0L + 0.5L);
    }
    if (hundredths == 0)
        snprintf(out, size, "0.00");
    else
        snprintf(out, size, "%c%" PRId64 ".%02" PRId64, negative ? '-' : '+', hundredths / 100,
                 hundredths % 100);
}

/* "↑2" (moved up two places), "↓1", "0" (same place), "-" (no rank to compare). */
static void format_rank_change(const hl_unit_result *unit, char *out, size_t size)
{
    if (!unit->has_previous || !unit->ranked || unit->previous_rank <= 0) {
        snprintf(out, size, "-");
        return;
    }
    int moved = unit->previous_rank - unit->rank;
    if (moved > 0)
        snprintf(out, size, "↑%d", moved);
    else if (moved < 0)
        snprintf(out, size, "↓%d", -moved);
    else
        snprintf(out, size, "0");
}

const char *hl_bulletin_list_label(hl_list_mark mark)
{
    switch (mark) {
    case HL_LIST_RED: return HL_T("红榜", "red list");
    case HL_LIST_BLACK: return HL_T("黑榜", "black list");
    case HL_LIST_NONE: break;
    }
    return "";
}

const char *hl_bulletin_list_code(hl_list_mark mark)
{
    switch (mark) {
    case HL_LIST_RED: return "red";
    case HL_LIST_BLACK: return "black";
    case HL_LIST_NONE: break;
    }
    return NULL;
}

const char *hl_bulletin_method_code(hl_rank_method method)
{
    switch (method) {
    case HL_RANK_BY_WILSON: return "wilson";
    case HL_RANK_BY_SCORE: return "score";
    case HL_RANK_BY_RATE: break;
    }
    return "rate";
}

/* 一 ... 九十九 for the tables' numbers (调查结果排名(一)); digits beyond. */
static void chinese_numeral(size_t number, char *out, size_t size)
{
    static const char *const digits[10] = {"",   "一", "二", "三", "四",
                                           "五", "六", "七", "八", "九"};
    if (number >= 1 && number <= 9)
        snprintf(out, size, "%s", digits[number]);
    else if (number >= 10 && number <= 99)
        snprintf(out, size, "%s十%s", number >= 20 ? digits[number / 10] : "", digits[number % 10]);
    else
        snprintf(out, size, "%zu", number);
}

/* The group's name as a column heading; a unit without a group still gets one. */
const char *hl_bulletin_group_heading(const hl_group_result *group)
{
    return group->name[0] != '\0' ? group->name : HL_T("单位", "Unit");
}

/* ---- A table of text cells, laid out by each human format (report/) ---- */

static void grid_init(hl_bulletin_grid *table, size_t columns, const hl_bulletin_align *aligns)
{
    memset(table, 0, sizeof *table);
    table->columns = columns;
    table->aligns = hl_xcalloc(columns, sizeof *table->aligns);
    memcpy(table->aligns, aligns, columns * sizeof *aligns);
}

static void grid_free(hl_bulletin_grid *table)
{
    for (size_t index = 0; index < table->count; index++)
        free(table->cells[index]);
    free(table->cells);
    free(table->aligns);
    memset(table, 0, sizeof *table);
}

size_t hl_bulletin_grid_rows(const hl_bulletin_grid *table)
{
    return table->count / table->columns;
}

static void grid_push(hl_bulletin_grid *table, const char *text)
{
    HL_ARRAY_GROW(table->cells, table->count, table->cap);
    table->cells[table->count++] = hl_xstrdup(text);
}

static void grid_pushf(hl_bulletin_grid *table, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void grid_pushf(hl_bulletin_grid *table, const char *format, ...)
{
    char text[CELL_BYTES];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    grid_push(table, text);
}

const char *hl_bulletin_grid_cell(const hl_bulletin_grid *table, size_t row, size_t column)
{
    return table->cells[row * table->columns + column];
}

/* ---- The model the human formats share ---------------------------------- */

static void append_paragraph(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                             const hl_bulletin_period *period, hl_buf *out)
{
    /* The seed prints "(占确定基数的82.66%)"; without data there is no percent sign to print. */
    char success[40] = "-", satisfaction[40] = "-";
    char percent[32];
    if (assessment->success_rate.denominator != 0) {
        format_percent(assessment->success_rate, percent, sizeof percent);
        snprintf(success, sizeof success, "%s%%", percent);
    }
    if (assessment->satisfaction_rate.denominator != 0) {
        format_percent(assessment->satisfaction_rate, percent, sizeof percent);
        snprintf(satisfaction, sizeof satisfaction, "%s%%", percent);
    }
    const char *month_name = english_month(period->month);
    if (hl_i18n_get() == HL_LANG_EN)
        hl_buf_appendf(out,
                       "From 1 to %d %s %d, the %s surveyed by telephone %" PRId64
                       " matters completed by the network units; %" PRId64
                       " surveys succeeded (%s of the base), %" PRId64
                       " citizens were satisfied; the average satisfaction rate of the units' "
                       "completed matters in %s was %s.",
                       period->last_day, month_name, period->year, meta->hotline_name,
                       assessment->base, assessment->succeeded, success, assessment->satisfied,
                       month_name, satisfaction);
    else
        /* The seed's sentence, word for word. Its transcription has ASCII
         * commas and parentheses; a Chinese sentence takes the full-width
         * ones (GB/T 15834), as the printed notice does. */
        hl_buf_appendf(out,
                       "%d年%d月1日至%d月%d日，%s对各网络单位办结事项%" PRId64
                       "件进行了电话调查，电话调查成功的共%" PRId64
                       "件（占确定基数的%s），市民满意数%" PRId64
                       "件，经调查，%d月各网络单位办结事项平均满意率为%s。",
                       period->year, period->month, period->month, period->last_day,
                       meta->hotline_name, assessment->base, assessment->succeeded, success,
                       assessment->satisfied, period->month, satisfaction);
}

int hl_bulletin_paragraph(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                          hl_buf *out, hl_error *error)
{
    hl_bulletin_period period;
    int result = hl_bulletin_check(assessment, meta, out, &period, error);
    if (result != HL_OK)
        return result;
    append_paragraph(assessment, meta, &period, out);
    return HL_OK;
}

/* The ranking table's title; subtitle NULL puts both parts on one line. */
static void append_table_title(const hl_bulletin_period *period, size_t group_index, hl_buf *title,
                               hl_buf *subtitle)
{
    if (hl_i18n_get() == HL_LANG_EN) {
        hl_buf_appendf(title, "Citizen satisfaction with matters completed in %s %d",
                       english_month(period->month), period->year);
        if (subtitle == NULL)
            hl_buf_append_str(title, ": ");
        hl_buf_appendf(subtitle != NULL ? subtitle : title, "Survey ranking (%zu)",
                       group_index + 1);
    } else {
        char numeral[32];
        chinese_numeral(group_index + 1, numeral, sizeof numeral);
        hl_buf_appendf(title, "%d年%d月办结事项市民满意度", period->year, period->month);
        hl_buf_appendf(subtitle != NULL ? subtitle : title, "调查结果排名（%s）", numeral);
    }
}

void hl_bulletin_table_title(const hl_bulletin_meta *meta, size_t group_index, hl_buf *title,
                             hl_buf *subtitle)
{
    hl_bulletin_period period;
    if (meta == NULL || title == NULL || period_of_month(meta->month, &period, NULL) != HL_OK)
        return;
    append_table_title(&period, group_index, title, subtitle);
}

void hl_bulletin_unranked_line(const hl_assessment *assessment, const hl_group_result *group,
                               hl_buf *out)
{
    size_t ranked = group->ranked_count;
    if (group->count <= ranked)
        return;
    hl_buf_appendf(
        out,
        HL_T("未参加排名（回访成功不足 %d 件）：", "Not ranked (fewer than %d reached surveys): "),
        assessment->policy.min_reached);
    for (size_t index = ranked; index < group->count; index++) {
        if (index > ranked)
            hl_buf_append_str(out, HL_T("、", ", "));
        hl_buf_append_str(out, group->units[index]->name);
    }
}

/* A group in which no unit was ranked has no table, only its unranked line:
 * a heading row over nothing would read as a missing page. */
bool hl_bulletin_section_has_table(const hl_bulletin_section *section)
{
    return hl_bulletin_grid_rows(&section->table) > 1;
}

static void build_ranking_section(const hl_group_result *group, size_t group_index,
                                  const hl_assessment *assessment, const hl_bulletin_period *period,
                                  hl_bulletin_section *section)
{
    hl_buf_init(&section->title);
    hl_buf_init(&section->subtitle);
    append_table_title(period, group_index, &section->title, &section->subtitle);

    static const hl_bulletin_align aligns[4] = {HL_BULLETIN_ALIGN_LEFT, HL_BULLETIN_ALIGN_RIGHT,
                                                HL_BULLETIN_ALIGN_LEFT, HL_BULLETIN_ALIGN_RIGHT};
    grid_init(&section->table, 4, aligns);
    const char *heading = hl_bulletin_group_heading(group);
    const char *rank_heading = HL_T("排名", "Rank");
    grid_push(&section->table, heading);
    grid_push(&section->table, rank_heading);
    grid_push(&section->table, heading);
    grid_push(&section->table, rank_heading);
    /* The newspaper's layout: the first half of the ranks down the left pair
     * of columns, the rest down the right (30 units: rank 1 beside rank 16). */
    size_t ranked = group->ranked_count;
    size_t left_rows = (ranked + 1) / 2;
    for (size_t row = 0; row < left_rows; row++) {
        const hl_unit_result *left = group->units[row];
        grid_push(&section->table, left->name);
        grid_pushf(&section->table, "%d", left->rank);
        if (left_rows + row < ranked) {
            const hl_unit_result *right = group->units[left_rows + row];
            grid_push(&section->table, right->name);
            grid_pushf(&section->table, "%d", right->rank);
        } else {
            grid_push(&section->table, "");
            grid_push(&section->table, "");
        }
    }

    hl_buf line;
    hl_buf_init(&line);
    hl_bulletin_unranked_line(assessment, group, &line);
    section->unranked = line.data; /* the buffer's storage, or NULL, becomes the section's */
}

static void build_detail(const hl_assessment *assessment, hl_bulletin_grid *table)
{
    bool with_score = assessment->policy.method == HL_RANK_BY_SCORE;
    bool with_list = assessment->policy.list_size > 0;
    hl_bulletin_align aligns[17];
    const char *headings[17];
    size_t columns = 0;
#define COLUMN(chinese, english_text, align)                                                       \
    do {                                                                                           \
        headings[columns] = HL_T(chinese, english_text);                                           \
        aligns[columns++] = (align);                                                               \
    } while (0)
    COLUMN("分组", "Group", HL_BULLETIN_ALIGN_LEFT);
    COLUMN("排名", "Rank", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("单位", "Unit", HL_BULLETIN_ALIGN_LEFT);
    COLUMN("确定基数", "Base", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("调查成功", "Reached", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("调查成功率%", "Success %", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("满意数", "Satisfied", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("满意率% [95%区间]", "Satisfaction % [95% CI]", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("解决率% (n/d)", "Resolved % (n/d)", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("按时签收率% (n/d)", "Signed on time % (n/d)", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("按时办结率% (n/d)", "Completed on time % (n/d)", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("退单率% (n/d)", "Returned % (n/d)", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("重办率% (n/d)", "Reopened % (n/d)", HL_BULLETIN_ALIGN_RIGHT);
    if (with_score)
        COLUMN("得分", "Score", HL_BULLETIN_ALIGN_RIGHT);
    if (with_list)
        COLUMN("红黑榜", "List", HL_BULLETIN_ALIGN_LEFT);
    COLUMN("满意率环比", "Satisfaction change", HL_BULLETIN_ALIGN_RIGHT);
    COLUMN("排名变化", "Rank change", HL_BULLETIN_ALIGN_RIGHT);
#undef COLUMN
    grid_init(table, columns, aligns);
    for (size_t column = 0; column < columns; column++)
        grid_push(table, headings[column]);

    char cell[CELL_BYTES];
    for (size_t group_index = 0; group_index < assessment->group_count; group_index++) {
        const hl_group_result *group = &assessment->groups[group_index];
        for (size_t index = 0; index < group->count; index++) {
            const hl_unit_result *unit = group->units[index];
            grid_push(table, group->name);
            if (unit->ranked)
                grid_pushf(table, "%d", unit->rank);
            else
                grid_push(table, "-");
            grid_push(table, unit->name);
            grid_pushf(table, "%" PRId64, unit->base);
            grid_pushf(table, "%" PRId64, unit->succeeded);
            format_percent(unit->success_rate, cell, sizeof cell);
            grid_push(table, cell);
            grid_pushf(table, "%" PRId64, unit->satisfied);
            format_satisfaction_cell(unit, cell, sizeof cell);
            grid_push(table, cell);
            const hl_ratio with_counts[] = {unit->resolved_rate, unit->sign_on_time_rate,
                                            unit->completion_on_time_rate, unit->return_rate,
                                            unit->reopen_rate};
            for (size_t rate = 0; rate < HL_COUNT_OF(with_counts); rate++) {
                format_rate_with_counts(with_counts[rate], cell, sizeof cell);
                grid_push(table, cell);
            }
            if (with_score) {
                hl_bulletin_format_score(unit, cell, sizeof cell);
                grid_push(table, cell);
            }
            if (with_list)
                grid_push(table, hl_bulletin_list_label(unit->list));
            if (unit->has_previous)
                format_rate_change(unit->satisfaction_rate, unit->previous_satisfaction_rate, cell,
                                   sizeof cell);
            else
                snprintf(cell, sizeof cell, "-");
            grid_push(table, cell);
            format_rank_change(unit, cell, sizeof cell);
            grid_push(table, cell);
        }
    }
}

/* ---- Footnotes ---------------------------------------------------------- */

static void append_ranking_rule(const hl_assessment_policy *policy, hl_buf *note)
{
    switch (policy->method) {
    case HL_RANK_BY_WILSON:
        hl_buf_append_str(
            note, HL_T("排名依据：满意率（满意数 ÷ 调查成功数）95% 威尔逊（Wilson）置信区间的下限，"
                       "由高到低；调查成功件数少的单位不因偶然的高满意率排在前面。",
                       "Ranking: by the lower bound of the 95% Wilson interval of the "
                       "satisfaction rate (satisfied / reached), highest first, so that a "
                       "unit with few surveys does not rank high by chance."));
        break;
    case HL_RANK_BY_SCORE:
        hl_buf_appendf(
            note,
            HL_T("排名依据：加权得分 = 响应率（按时签收数 ÷ 签收数）× %d%% + 解决率（解决数 ÷ "
                 "调查成功数）× %d%% + 满意率（满意数 ÷ 调查成功数）× %d%%（百分制），由高到低。",
                 "Ranking: by the weighted score = response rate (signed on time / signed) "
                 "x %d%% + resolution rate (resolved / reached) x %d%% + satisfaction "
                 "rate (satisfied / reached) x %d%% (out of 100), highest first."),
            policy->weight_response, policy->weight_resolution, policy->weight_satisfaction);
        break;
    case HL_RANK_BY_RATE:
        hl_buf_append_str(note,
                          HL_T("排名依据：满意率（满意数 ÷ 调查成功数），按精确比值由高到低。",
                               "Ranking: by satisfaction rate (satisfied / reached), compared "
                               "as exact ratios, highest first."));
        break;
    }
    hl_buf_append_str(note, HL_T("并列者名次相同，其后名次顺延（如 1、2、2、4）。",
                                 " Ties share a rank and the next rank is skipped (1, 2, 2, 4)."));
}

static void append_minimum_volume(const hl_assessment_policy *policy, bool text, hl_buf *note)
{
    if (policy->min_reached <= 0) {
        hl_buf_append_str(note,
                          HL_T("不设最低调查成功件数：所有单位均参加排名。",
                               "No minimum number of reached surveys: every unit is ranked."));
        return;
    }
    hl_buf_appendf(
        note,
        HL_T("当月调查成功不足 %d 件的单位不参加排名，列于本组排名表下方，明细中排名%s",
             "A unit with fewer than %d reached surveys in the month is not ranked; it "
             "is listed below its group's table%s"),
        policy->min_reached,
        HL_T(text ? "记为“-”。" : "留空。", text ? " and in the details with rank \"-\"."
                                                 : ", and its rank is empty in the details."));
}

static void append_definitions(bool text, hl_buf *note)
{
    hl_buf_append_str(
        note,
        HL_T(
            "确定基数：当月办结且回访已有结论（成功或失败）的事项数；调查成功率 = 调查成功数 ÷ "
            "确定基数；满意率 = 满意数 ÷ 调查成功数；解决率 = 市民表示已解决数 ÷ 调查成功数；"
            "按时签收率 = 按时签收数 ÷ 签收数；按时办结率 = 按时办结数 ÷ 办结数；退单率 = 退单数 ÷ "
            "派单数；重办率 = 重办数 ÷ 办结数。百分数保留两位小数，四舍五入；",
            "Base (确定基数): matters completed in the month whose callback survey concluded "
            "(reached or not); survey success rate = reached / base; satisfaction rate = "
            "satisfied / reached; resolution rate = said resolved / reached; on-time sign-for "
            "rate = signed on time / signed; on-time completion rate = completed on time / "
            "completed; return rate = returned / dispatched; reopen rate = reopened / completed. "
            "Percentages to two decimals, rounded half up; "));
    if (text)
        hl_buf_append_str(note,
                          HL_T("括号内为分子/分母；“-”表示分母为 0（无数据）。",
                               "n/d in parentheses are numerator and denominator; \"-\" means a "
                               "zero denominator (no data)."));
    else
        hl_buf_append_str(note, HL_T("空白表示分母为 0（无数据）。",
                                     "an empty cell means a zero denominator (no data)."));
}

static void append_interval(bool text, hl_buf *note)
{
    if (text)
        hl_buf_append_str(
            note,
            HL_T(
                "满意率后方括号内为 95% 威尔逊（Wilson）置信区间（z = "
                "1.96）。满意率环比为本月与上月满意率"
                "之差（百分点，按精确比值计算后四舍五入）；排名变化中“↑”为上升、“↓”为下降的名次数，"
                "“-”表示上月无可比名次。",
                "Brackets after the satisfaction rate hold its 95% Wilson interval (z = 1.96). The "
                "satisfaction change is this month's rate minus last month's, in percentage "
                "points, "
                "computed from the exact ratios and rounded half up; in the rank change \"↑\" is "
                "places gained, \"↓\" places lost, \"-\" no rank last month to compare."));
    else
        hl_buf_append_str(
            note,
            HL_T("95%区间下限、上限为满意率的 95% 威尔逊（Wilson）置信区间（z = 1.96）。上月排名、"
                 "上月满意率为上月数据，上月未排名或无数据的留空。",
                 "The 95% CI low and high are the 95% Wilson interval (z = 1.96) of the "
                 "satisfaction "
                 "rate. Previous rank and previous satisfaction % are last month's; empty when the "
                 "unit was not ranked or had no data then."));
}

static void append_appeal_exclusions(const hl_assessment *assessment, hl_buf *note)
{
    hl_buf_appendf(
        note,
        HL_T("本月经申诉核实不纳入考核 %" PRId64 " 件",
             "Orders excluded from this month's assessment after an upheld appeal: %" PRId64),
        assessment->appeal_upheld);
    size_t listed = 0;
    for (size_t group_index = 0; group_index < assessment->group_count; group_index++) {
        const hl_group_result *group = &assessment->groups[group_index];
        for (size_t index = 0; index < group->count; index++) {
            const hl_unit_result *unit = group->units[index];
            if (unit->appeal_upheld == 0)
                continue;
            hl_buf_append_str(note, listed == 0 ? HL_T("（其中 ", " (") : HL_T("、", ", "));
            hl_buf_appendf(note, HL_T("%s %" PRId64 " 件", "%s %" PRId64), unit->name,
                           unit->appeal_upheld);
            listed++;
        }
    }
    if (listed > 0)
        hl_buf_append_str(note, HL_T("）", ")"));
    /* Why: each excluded order with the grounds that were upheld. */
    for (size_t index = 0; index < assessment->exclusion_count; index++) {
        const hl_exclusion *exclusion = &assessment->exclusions[index];
        char number[24];
        hl_order_format_number(exclusion->order_id, number, sizeof number);
        const char *unit_name = exclusion->unit;
        for (size_t unit = 0; unit < assessment->unit_count; unit++)
            if (strcmp(assessment->units[unit].unit, exclusion->unit) == 0)
                unit_name = assessment->units[unit].name;
        hl_buf_append_str(note, index == 0 ? HL_T("：", ": ") : HL_T("；", "; "));
        /* The grounds were typed as a sentence; the footnote ends its own. */
        size_t length = strlen(exclusion->reason);
        while (length >= 3 && memcmp(exclusion->reason + length - 3, "。", 3) == 0)
            length -= 3;
        while (length >= 1 && exclusion->reason[length - 1] == '.')
            length--;
        hl_buf_appendf(note, "%s %s %.*s", number, unit_name, (int)length, exclusion->reason);
    }
    hl_buf_append_str(note, HL_T("。", "."));
}

static void append_lists(const hl_assessment_policy *policy, hl_buf *note)
{
    /* The tie rules are hl_assessment_compute's (rank_group in assessment.c). */
    hl_buf_appendf(
        note,
        HL_T("红榜、黑榜：各组排名前 %d 名的单位列入红榜，后 %d 名列入黑榜；并列跨越界线的单位"
             "一并列入，同时够上两榜的单位均不列入。",
             "Red and black lists: the top %d ranked units of each group are on the red "
             "list, the bottom %d on the black list; units tied across the line are all "
             "listed, and a unit that would be on both is on neither."),
        policy->list_size, policy->list_size);
}

typedef void footnote_visit(void *context, const char *label, const char *note);

/* Hands the note written so far to the visitor and empties it for the next. */
static void pass_note(footnote_visit *visit, void *context, const char *label, hl_buf *note)
{
    visit(context, label, note->data != NULL ? note->data : "");
    hl_buf_reset(note);
}

void hl_bulletin_each_footnote(const hl_assessment *assessment, hl_bulletin_layout layout,
                               footnote_visit *visit, void *context)
{
    if (assessment == NULL || visit == NULL)
        return;
    const hl_assessment_policy *policy = &assessment->policy;
    bool text = layout == HL_BULLETIN_LAYOUT_TEXT;
    hl_buf note;
    hl_buf_init(&note);
    append_ranking_rule(policy, &note);
    pass_note(visit, context, HL_T("排名规则", "Ranking rule"), &note);
    append_minimum_volume(policy, text, &note);
    pass_note(visit, context, HL_T("最低调查量", "Minimum volume"), &note);
    hl_buf_append_str(&note,
                      policy->basic_counts_satisfied
                          ? HL_T("满意数 = 非常满意 + 满意 + 基本满意（“基本满意”计为满意）。",
                                 "Satisfied = very satisfied + satisfied + basically satisfied "
                                 "(\"basically satisfied\" counts as satisfied).")
                          : HL_T("满意数 = 非常满意 + 满意（“基本满意”不计为满意）。",
                                 "Satisfied = very satisfied + satisfied (\"basically satisfied\" "
                                 "does not count as satisfied)."));
    pass_note(visit, context, HL_T("基本满意", "Basically satisfied"), &note);
    append_definitions(text, &note);
    pass_note(visit, context, HL_T("定义", "Definitions"), &note);
    append_interval(text, &note);
    pass_note(visit, context, HL_T("区间与上月", "Interval, last month"), &note);
    append_appeal_exclusions(assessment, &note);
    pass_note(visit, context, HL_T("申诉剔除", "Appeals"), &note);
    if (policy->list_size > 0) {
        append_lists(policy, &note);
        pass_note(visit, context, HL_T("红黑榜", "Lists"), &note);
    }
    hl_buf_free(&note);
}

/* The text formats number the notes and show no labels. */
static void collect_footnote(void *context, const char *label, const char *note)
{
    (void)label;
    hl_bulletin_model *model = context;
    HL_ARRAY_GROW(model->footnotes, model->footnote_count, model->footnote_capacity);
    model->footnotes[model->footnote_count++] = hl_xstrdup(note);
}

void hl_bulletin_model_build(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                             const hl_bulletin_period *period, hl_bulletin_model *model)
{
    memset(model, 0, sizeof *model);
    model->period = *period;
    hl_buf_init(&model->paragraph);
    append_paragraph(assessment, meta, period, &model->paragraph);
    model->section_count = assessment->group_count;
    model->sections = hl_xcalloc(assessment->group_count > 0 ? assessment->group_count : 1,
                                 sizeof *model->sections);
    for (size_t index = 0; index < assessment->group_count; index++)
        build_ranking_section(&assessment->groups[index], index, assessment, period,
                              &model->sections[index]);
    if (hl_i18n_get() == HL_LANG_EN)
        snprintf(model->detail_title, sizeof model->detail_title, "Details by unit, %s %d",
                 english_month(period->month), period->year);
    else
        snprintf(model->detail_title, sizeof model->detail_title, "%d年%d月各网络单位办结事项明细",
                 period->year, period->month);
    build_detail(assessment, &model->detail);
    hl_bulletin_each_footnote(assessment, HL_BULLETIN_LAYOUT_TEXT, collect_footnote, model);
}

void hl_bulletin_model_free(hl_bulletin_model *model)
{
    hl_buf_free(&model->paragraph);
    for (size_t index = 0; index < model->section_count; index++) {
        hl_buf_free(&model->sections[index].title);
        hl_buf_free(&model->sections[index].subtitle);
        grid_free(&model->sections[index].table);
        free(model->sections[index].unranked);
    }
    free(model->sections);
    grid_free(&model->detail);
    for (size_t index = 0; index < model->footnote_count; index++)
        free(model->footnotes[index]);
    free(model->footnotes);
}
