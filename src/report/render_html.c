/* render_html.c: the bulletin as one printable HTML page.
 *
 * Lays out the model of domain/bulletin.c as the newspaper notice: the
 * heading centred, the ranking tables, the detail table on landscape pages
 * of its own, the notes; every text escaped. No script, no outside
 * resource: the page prints as it is. */
#include "report/render.h"

#include "base/i18n.h"

void hl_render_html_escaped(hl_buf *out, const char *text)
{
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        switch (*cursor) {
        case '&': hl_buf_append_str(out, "&amp;"); break;
        case '<': hl_buf_append_str(out, "&lt;"); break;
        case '>': hl_buf_append_str(out, "&gt;"); break;
        case '"': hl_buf_append_str(out, "&quot;"); break;
        case '\'': hl_buf_append_str(out, "&#39;"); break;
        default: hl_buf_append_char(out, *cursor);
        }
    }
}

static void grid_write_html(const hl_bulletin_grid *table, const char *css_class, hl_buf *out)
{
    size_t rows = hl_bulletin_grid_rows(table);
    hl_buf_appendf(out, "<table class=\"%s\">\n<thead>\n", css_class);
    for (size_t row = 0; row < rows; row++) {
        const char *tag = row == 0 ? "th" : "td";
        hl_buf_append_str(out, "<tr>");
        for (size_t column = 0; column < table->columns; column++) {
            if (table->aligns[column] == HL_BULLETIN_ALIGN_RIGHT)
                hl_buf_appendf(out, "<%s class=\"num\">", tag);
            else
                hl_buf_appendf(out, "<%s>", tag);
            hl_render_html_escaped(out, hl_bulletin_grid_cell(table, row, column));
            hl_buf_appendf(out, "</%s>", tag);
        }
        hl_buf_append_str(out, "</tr>\n");
        if (row == 0)
            hl_buf_append_str(out, "</thead>\n<tbody>\n");
    }
    hl_buf_append_str(out, "</tbody>\n</table>\n");
}

/* Printable on A4 like the newspaper notice: a serif CJK face, the heading
 * centred and spaced, the detail table on landscape pages of its own. */
static const char html_style[] =
    "@page { size: A4; margin: 18mm 15mm; }\n"
    "@page detail { size: A4 landscape; margin: 12mm 10mm; }\n"
    "body { font-family: \"Songti SC\", \"SimSun\", \"Noto Serif CJK SC\", serif; font-size: 11pt;"
    " line-height: 1.6; color: #000; background: #fff; margin: 0; }\n"
    "@media screen { body { max-width: 60em; margin: 2em auto; padding: 0 1em; } }\n"
    "header.notice { text-align: center; margin-bottom: 1em; }\n"
    "header.notice h1 { font-size: 18pt; font-weight: bold; letter-spacing: 0.05em; margin: 0; }\n"
    "header.notice h2 { font-size: 24pt; font-weight: bold; letter-spacing: 1em;"
    " text-indent: 1em; margin: 0.2em 0 0; }\n"
    "p.paragraph { text-indent: 2em; text-align: justify; }\n"
    "section.ranking { break-inside: avoid; page-break-inside: avoid; }\n"
    "h3 { text-align: center; font-size: 13pt; margin: 1.4em 0 0.5em; }\n"
    "table { border-collapse: collapse; width: 100%; }\n"
    "th, td { border: 1px solid #000; padding: 2pt 5pt; text-align: left; }\n"
    "th { font-weight: bold; }\n"
    ".num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
    "p.unranked { font-size: 10pt; }\n"
    "section.detail { page: detail; break-before: page; }\n"
    "table.detail { font-size: 8pt; }\n"
    "ol.footnotes { font-size: 9.5pt; }\n";

void hl_render_html(const hl_bulletin_model *model, const hl_bulletin_meta *meta, hl_buf *out)
{
    hl_buf_appendf(
        out,
        "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        HL_T("zh-CN", "en"));
    hl_render_html_escaped(out, meta->title);
    hl_buf_append_str(out, " ");
    hl_render_html_escaped(out, HL_T("公告", "Notice"));
    hl_buf_appendf(out, " %s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
                   model->period.month_text, html_style);
    hl_buf_append_str(out, "<header class=\"notice\">\n<h1>");
    hl_render_html_escaped(out, meta->title);
    hl_buf_append_str(out, "</h1>\n<h2>");
    hl_render_html_escaped(out, HL_T("公告", "Notice"));
    hl_buf_append_str(out, "</h2>\n</header>\n<p class=\"paragraph\">");
    hl_render_html_escaped(out, model->paragraph.data);
    hl_buf_append_str(out, "</p>\n");
    for (size_t index = 0; index < model->section_count; index++) {
        const hl_bulletin_section *section = &model->sections[index];
        hl_buf_append_str(out, "<section class=\"ranking\">\n<h3>");
        hl_render_html_escaped(out, section->title.data);
        hl_buf_append_str(out, "<br>");
        hl_render_html_escaped(out, section->subtitle.data);
        hl_buf_append_str(out, "</h3>\n");
        if (hl_bulletin_section_has_table(section))
            grid_write_html(&section->table, "ranking", out);
        if (section->unranked != NULL) {
            hl_buf_append_str(out, "<p class=\"unranked\">");
            hl_render_html_escaped(out, section->unranked);
            hl_buf_append_str(out, "</p>\n");
        }
        hl_buf_append_str(out, "</section>\n");
    }
    hl_buf_append_str(out, "<section class=\"detail\">\n<h3>");
    hl_render_html_escaped(out, model->detail_title);
    hl_buf_append_str(out, "</h3>\n");
    grid_write_html(&model->detail, "detail", out);
    hl_buf_append_str(out, "</section>\n<section class=\"notes\">\n<h3>");
    hl_render_html_escaped(out, HL_T("注", "Notes"));
    hl_buf_append_str(out, "</h3>\n<ol class=\"footnotes\">\n");
    for (size_t index = 0; index < model->footnote_count; index++) {
        hl_buf_append_str(out, "<li>");
        hl_render_html_escaped(out, model->footnotes[index]);
        hl_buf_append_str(out, "</li>\n");
    }
    hl_buf_append_str(out, "</ol>\n</section>\n</body>\n</html>\n");
}
