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
 * The workbook (XLSX) is written by app/report_xlsx.c from the same data. */
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

#endif
