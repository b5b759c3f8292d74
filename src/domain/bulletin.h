/* bulletin.h: the monthly satisfaction bulletin (月度通报) as text.
 *
 * Renders an hl_assessment in the seed's own form: the notice paragraph
 * ("2024年2月1日至2月29日,市政府12345政务服务便民热线对各网络单位办结事项
 * 25301件进行了电话调查,电话调查成功的共20914件(占确定基数的82.66%),市民满意
 * 数12803件,经调查,2月各网络单位办结事项平均满意率为61.22%。"), one ranking
 * table per group in the newspaper's two-column layout (单位 | 排名 | 单位 |
 * 排名, the first half of the ranks in the left pair of columns), the detail
 * table of every unit's counts and rates, and footnotes (the ranking rule,
 * the minimum volume, exclusions by appeal). Pure: writes into a buffer.
 * The workbook (XLSX) is written by app/report_xlsx.c from the same data,
 * with the texts below, so that the two never word a thing differently. */
#ifndef HL_BULLETIN_H
#define HL_BULLETIN_H

#include "base/error.h"
#include "base/text.h"
#include "domain/assessment.h"

typedef enum hl_bulletin_format {
    HL_BULLETIN_TEXT = 0,
    HL_BULLETIN_MARKDOWN,
    HL_BULLETIN_CSV,  /* one row per unit: group, rank, unit, counts and rates */
    HL_BULLETIN_JSON, /* for other programs; schema in docs/bulletin.schema.json */
    HL_BULLETIN_HTML, /* printable, Chinese typography */
} hl_bulletin_format;

int hl_bulletin_format_parse(const char *text, hl_bulletin_format *out);

typedef struct hl_bulletin_meta {
    char title[256];       /* the notice's heading: 太原市人民政府12345政务服务便民热线 */
    char hotline_name[256]; /* as named in the paragraph: 市政府12345政务服务便民热线 */
    int month;             /* yyyymm */
    char generated_at[40]; /* ISO 8601 instant the figures were read */
} hl_bulletin_meta;

/* Appends the bulletin in the chosen format to out. Texts follow the
 * current language (hl_i18n): Chinese by default, English on request; the
 * JSON's keys are English in both. */
int hl_bulletin_render(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                       hl_bulletin_format format, hl_buf *out, hl_error *error);

/* ---- The bulletin's texts, one by one, for other layouts (the workbook) ----
 * Each is the text hl_bulletin_render prints, in the current language. */

/* Appends the notice paragraph: "2024年2月1日至2月29日,市政府12345政务服务
 * 便民热线对各网络单位办结事项25301件进行了电话调查,...平均满意率为61.22%。"
 * (a rate without data is "-"). HL_EINVAL (field "month") when meta->month
 * is not a yyyymm month or the assessment's figures are of another month,
 * with hl_bulletin_render's message; then nothing is appended. */
int hl_bulletin_paragraph(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                          hl_buf *out, hl_error *error);

/* Appends the title of the ranking table of group group_index (from 0) in
 * its two parts, "2024年2月办结事项市民满意度" to title and "调查结果排名(一)"
 * to subtitle, the tables numbered in Chinese numerals ("Citizen satisfaction
 * with matters completed in February 2024", "Survey ranking (1)"). With
 * subtitle NULL both go to title as one line: "2024年2月办结事项市民满意度
 * 调查结果排名(一)", "...February 2024: Survey ranking (1)". Appends nothing
 * when meta->month is not a yyyymm month. */
void hl_bulletin_table_title(const hl_bulletin_meta *meta, size_t group_index, hl_buf *title,
                             hl_buf *subtitle);

/* The heading of a ranking table's name columns: the group's name, or
 * "单位" ("Unit") for units without a group. */
const char *hl_bulletin_group_heading(const hl_group_result *group);

/* Appends the line under a group's table naming its unranked units:
 * "未参加排名（回访成功不足 10 件）：市汾管委、市文物局"; nothing when every
 * unit of the group was ranked. */
void hl_bulletin_unranked_line(const hl_assessment *assessment, const hl_group_result *group,
                               hl_buf *out);

/* "红榜", "黑榜" ("red list", "black list"); "" for a unit on neither. */
const char *hl_bulletin_list_label(hl_list_mark mark);

/* Where the figures the footnotes explain are shown: the footnotes say how
 * a figure without data, its counts and its interval look. */
typedef enum hl_bulletin_layout {
    /* hl_bulletin_render's detail table: "75.00 (15/20)", "-" without data,
     * the interval in brackets, the month-over-month change columns. */
    HL_BULLETIN_LAYOUT_TEXT = 0,
    /* A sheet of numbers: empty cells without data, the interval's bounds
     * and last month's rank and rate in columns of their own. */
    HL_BULLETIN_LAYOUT_SHEET,
} hl_bulletin_layout;

/* Calls visit once per footnote, in the bulletin's order, with a short
 * label naming it ("排名规则", "Ranking rule"; hl_bulletin_render does not
 * print these) and its text. The rule, the minimum volume, what counts as
 * satisfied, the definitions, the interval, the exclusions by appeal and
 * (with lists) the red and black lists; only the clauses on how figures
 * look differ by layout. Both strings live only during the call. */
void hl_bulletin_each_footnote(const hl_assessment *assessment, hl_bulletin_layout layout,
                               void (*visit)(void *context, const char *label, const char *note),
                               void *context);

#endif
