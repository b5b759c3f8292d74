/* report_xlsx.h: the monthly satisfaction bulletin as an Excel workbook.
 *
 * Hotline offices work in Excel, so the bulletin that domain/bulletin.c
 * renders as text is also written as an .xlsx workbook of three sheets:
 *   通报 (Bulletin): the heading, the notice paragraph and, per group, the
 *                    ranking table in the newspaper's two-column layout;
 *   明细 (Details):  one row per unit with its counts (numbers) and rates
 *                    (numbers of percent to two decimals, rounded half up
 *                    exactly as hl_assessment_format_percent does);
 *   说明 (Notes):    the ranking rule, the minimum volume, the 基本满意
 *                    policy, the definitions and the exclusions by appeal.
 * Sheet names and texts follow the current language (hl_i18n). */
#ifndef HL_REPORT_XLSX_H
#define HL_REPORT_XLSX_H

#include "base/error.h"
#include "base/text.h"
#include "domain/assessment.h"
#include "domain/bulletin.h"

/* Writes the workbook to path, replacing any file there. The workbook is
 * written to a temporary file beside path and renamed into place, so a
 * failure never leaves a half-written workbook at path. Returns 0; HL_EINVAL
 * when meta->month is not yyyymm or is not the assessment's month; HL_EIO
 * when the file cannot be written (error says why, in the current language). */
int hl_report_xlsx_write(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                         const char *path, hl_error *error);

/* Writes the workbook into out (appended; the caller owns out), for a
 * server that sends it: libxlsxwriter writes only files, so it goes
 * through a private temporary directory (under $TMPDIR, else /tmp) that is
 * removed before returning. Errors as hl_report_xlsx_write. */
int hl_report_xlsx_bytes(const hl_assessment *assessment, const hl_bulletin_meta *meta, hl_buf *out,
                         hl_error *error);

#endif
