/* render.h: the monthly satisfaction bulletin laid out in its formats.
 *
 * domain/bulletin.h builds what the bulletin says (the paragraph, the
 * ranking tables, the detail table, the footnotes); the renderers here
 * only lay that out: plain text, Markdown and HTML from the model; CSV
 * and JSON from the assessment, with every rate as separate numerator and
 * denominator fields; and the Excel workbook (XLSX) of three sheets:
 *   通报 (Bulletin): the heading, the notice paragraph and, per group, the
 *                    ranking table in the newspaper's two-column layout;
 *   明细 (Details):  one row per unit with its counts (numbers) and rates
 *                    (numbers of percent to two decimals, rounded half up
 *                    exactly as hl_assessment_format_percent does);
 *   说明 (Notes):    the ranking rule, the minimum volume, the 基本满意
 *                    policy, the definitions and the exclusions by appeal.
 * Texts follow the current language (hl_i18n): Chinese by default, English
 * on request; the JSON's keys are English in both. report/ includes base/
 * and domain/ only. */
#ifndef HL_RENDER_H
#define HL_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/text.h"
#include "domain/assessment.h"
#include "domain/bulletin.h"

typedef enum hl_render_format {
    HL_RENDER_TEXT = 0,
    HL_RENDER_MARKDOWN,
    HL_RENDER_CSV,  /* one row per unit: group, rank, unit, counts and rates */
    HL_RENDER_JSON, /* for other programs; schema in docs/bulletin.schema.json */
    HL_RENDER_HTML, /* printable, Chinese typography */
} hl_render_format;

/* "text", "markdown" (or "md"), "csv", "json", "html"; HL_EINVAL otherwise. */
int hl_render_format_parse(const char *text, hl_render_format *out);

/* Appends the bulletin in the chosen format to out. HL_EINVAL (with
 * hl_bulletin_check's message) when the input is incomplete or meta's
 * month is not the figures'; then nothing is appended. */
int hl_render_bulletin(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                       hl_render_format format, hl_buf *out, hl_error *error);

/* The formats one by one (hl_render_bulletin checks the input first). */
void hl_render_text(const hl_bulletin_model *model, const hl_bulletin_meta *meta, hl_buf *out);
void hl_render_markdown(const hl_bulletin_model *model, const hl_bulletin_meta *meta, hl_buf *out);
void hl_render_html(const hl_bulletin_model *model, const hl_bulletin_meta *meta, hl_buf *out);
void hl_render_csv(const hl_assessment *assessment, hl_buf *out);
/* Appends text with & < > " ' written as HTML's character references. */
void hl_render_html_escaped(hl_buf *out, const char *text);
void hl_render_json(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                    const hl_bulletin_model *model, hl_buf *out);

/* A published bulletin (app/publish) as laid out: its record and both
 * assessments, the published one and the current one (computed with the
 * published policy). Texts are borrowed. */
typedef struct hl_render_publication {
    int month; /* yyyymm */
    int edition, editions;
    const char *published_at; /* as shown: ISO 8601 with its offset */
    const char *published_by;
    const char *note; /* "" for none */
    int64_t chain_seq;
    const char *chain_hash;
    const char *digest;
    const hl_assessment *published;
    const hl_assessment *current;
    bool corrected; /* the current figures differ from the published */
} hl_render_publication;

/* Appends the published bulletin in format (meta: its frozen heading),
 * then, in text and Markdown, its record and its correction (each total
 * published, current and the difference, and each unit whose counts or
 * rank changed), in HTML the same in a section of its own before the
 * page ends, and in JSON as the member "publication"; CSV gets the
 * published bulletin alone. Errors as
 * hl_render_bulletin. */
int hl_render_published(const hl_render_publication *publication, const hl_bulletin_meta *meta,
                        hl_render_format format, hl_buf *out, hl_error *error);
/* Appends the publication's record alone (edition, who, when, the event
 * chain head, the digest, the published figures), as text or Markdown. */
void hl_render_publication_record(const hl_render_publication *publication, bool markdown,
                                  hl_buf *out);

/* Writes the workbook to path, replacing any file there. The workbook is
 * written to a temporary file beside path and renamed into place, so a
 * failure never leaves a half-written workbook at path. Returns 0; HL_EINVAL
 * when meta->month is not yyyymm or is not the assessment's month; HL_EIO
 * when the file cannot be written (error says why, in the current language). */
int hl_render_xlsx_write(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                         const char *path, hl_error *error);

/* Writes the workbook into out (appended; the caller owns out), for a
 * server that sends it: libxlsxwriter writes only files, so it goes
 * through a private temporary directory (under $TMPDIR, else /tmp) that is
 * removed before returning. Errors as hl_render_xlsx_write. */
int hl_render_xlsx_bytes(const hl_assessment *assessment, const hl_bulletin_meta *meta, hl_buf *out,
                         hl_error *error);

#endif
