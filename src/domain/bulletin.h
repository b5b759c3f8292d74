/* bulletin.h: the monthly satisfaction bulletin (月度通报): its model.
 *
 * From an hl_assessment, the bulletin's contents in the seed's own form:
 * the notice paragraph ("2024年2月1日至2月29日，市政府12345政务服务便民热线对各网络单位办结事项
 * 25301件进行了电话调查，电话调查成功的共20914件（占确定基数的82.66%），市民满意
 * 数12803件，经调查，2月各网络单位办结事项平均满意率为61.22%。"), one ranking
 * table per group in the newspaper's two-column layout (单位 | 排名 | 单位 |
 * 排名, the first half of the ranks in the left pair of columns), the detail
 * table of every unit's counts and rates, and footnotes (the ranking rule,
 * the minimum volume, exclusions by appeal), as texts and tables of text
 * cells. Pure. Laying them out in a format (text, Markdown, HTML, CSV,
 * JSON, XLSX) is report/render.h's business, from these same texts, so
 * that no two formats word a thing differently. */
#ifndef HL_BULLETIN_H
#define HL_BULLETIN_H

#include "base/error.h"
#include "base/text.h"
#include "domain/assessment.h"

typedef struct hl_bulletin_meta {
    char title[256]; /* the notice's heading: 太原市人民政府12345政务服务便民热线 */
    char hotline_name[256]; /* as named in the paragraph: 市政府12345政务服务便民热线 */
    int month;              /* yyyymm */
    char generated_at[40];  /* ISO 8601 instant the figures were read */
} hl_bulletin_meta;

/* The month a bulletin covers, in the forms its texts print. */
typedef struct hl_bulletin_period {
    int year, month, last_day;
    char from[32], to[32]; /* YYYY-MM-DD */
    char month_text[16];   /* YYYY-MM */
} hl_bulletin_period;

/* Checks the input every rendering needs (assessment, meta and out not
 * NULL), and that meta's month, which must be the month of the figures (a
 * bulletin whose paragraph names one month and whose figures are another's
 * would be worse than none), is a yyyymm month; fills *period. HL_EINVAL
 * otherwise, in the current language. */
int hl_bulletin_check(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                      const hl_buf *out, hl_bulletin_period *period, hl_error *error);

/* ---- The model the human formats (text, Markdown, HTML) lay out ---- */

typedef enum hl_bulletin_align {
    HL_BULLETIN_ALIGN_LEFT = 0,
    HL_BULLETIN_ALIGN_RIGHT
} hl_bulletin_align;

/* A table of text cells; row 0 is the header. */
typedef struct hl_bulletin_grid {
    size_t columns;
    hl_bulletin_align *aligns; /* owned; one per column */
    char **cells;              /* owned; row-major */
    size_t count, cap;
} hl_bulletin_grid;

size_t hl_bulletin_grid_rows(const hl_bulletin_grid *table);
const char *hl_bulletin_grid_cell(const hl_bulletin_grid *table, size_t row, size_t column);

/* One group's ranking table. */
typedef struct hl_bulletin_section {
    hl_buf title;           /* 2024年2月办结事项市民满意度 */
    hl_buf subtitle;        /* 调查结果排名（一） */
    hl_bulletin_grid table; /* header only when no unit of the group was ranked: then not shown */
    char *unranked;         /* owned; the line after the table, NULL when all were ranked */
} hl_bulletin_section;

/* A group in which no unit was ranked has no table, only its unranked line:
 * a heading row over nothing would read as a missing page. */
bool hl_bulletin_section_has_table(const hl_bulletin_section *section);

typedef struct hl_bulletin_model {
    hl_bulletin_period period;
    hl_buf paragraph;
    hl_bulletin_section *sections; /* owned; one per group */
    size_t section_count;
    char detail_title[128];
    hl_bulletin_grid detail;
    char **footnotes; /* owned; in the text layout (HL_BULLETIN_LAYOUT_TEXT) */
    size_t footnote_count, footnote_capacity;
} hl_bulletin_model;

/* Builds the model of an assessment whose input hl_bulletin_check has
 * passed (period from it), in the current language. The caller frees it
 * with hl_bulletin_model_free. */
void hl_bulletin_model_build(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                             const hl_bulletin_period *period, hl_bulletin_model *model);
void hl_bulletin_model_free(hl_bulletin_model *model);

/* ---- Figures for the machine formats (CSV, JSON) ---- */

/* The Wilson interval exists only when someone was reached. */
bool hl_bulletin_has_interval(const hl_unit_result *unit);
/* A fraction in [0, 1] as a percentage to two decimals, rounded half up: "60.56". */
void hl_bulletin_format_fraction(double fraction, char *out, size_t size);
/* The unit's score (ranking by score) to two decimals. */
void hl_bulletin_format_score(const hl_unit_result *unit, char *out, size_t size);
/* "red", "black"; NULL for a unit on neither list. */
const char *hl_bulletin_list_code(hl_list_mark mark);
/* "rate", "wilson" or "score". */
const char *hl_bulletin_method_code(hl_rank_method method);

/* ---- The bulletin's texts, one by one, for other layouts (the workbook) ----
 * Each is the text the rendered bulletin prints, in the current language. */

/* Appends the notice paragraph: "2024年2月1日至2月29日，市政府12345政务服务
 * 便民热线对各网络单位办结事项25301件进行了电话调查，……平均满意率为61.22%。"
 * (a rate without data is "-"). HL_EINVAL (field "month") when meta->month
 * is not a yyyymm month or the assessment's figures are of another month,
 * with hl_bulletin_check's message; then nothing is appended. */
int hl_bulletin_paragraph(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                          hl_buf *out, hl_error *error);

/* Appends the title of the ranking table of group group_index (from 0) in
 * its two parts, "2024年2月办结事项市民满意度" to title and "调查结果排名（一）"
 * to subtitle, the tables numbered in Chinese numerals ("Citizen satisfaction
 * with matters completed in February 2024", "Survey ranking (1)"). With
 * subtitle NULL both go to title as one line: "2024年2月办结事项市民满意度
 * 调查结果排名（一）", "...February 2024: Survey ranking (1)". Appends nothing
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
    /* The model's detail table: "75.00 (15/20)", "-" without data,
     * the interval in brackets, the month-over-month change columns. */
    HL_BULLETIN_LAYOUT_TEXT = 0,
    /* A sheet of numbers: empty cells without data, the interval's bounds
     * and last month's rank and rate in columns of their own. */
    HL_BULLETIN_LAYOUT_SHEET,
} hl_bulletin_layout;

/* Calls visit once per footnote, in the bulletin's order, with a short
 * label naming it ("排名规则", "Ranking rule"; the text formats do not
 * print these) and its text. The rule, the minimum volume, what counts as
 * satisfied, the definitions, the interval, the exclusions by appeal and
 * (with lists) the red and black lists; only the clauses on how figures
 * look differ by layout. Both strings live only during the call. */
void hl_bulletin_each_footnote(const hl_assessment *assessment, hl_bulletin_layout layout,
                               void (*visit)(void *context, const char *label, const char *note),
                               void *context);

#endif
