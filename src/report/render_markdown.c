/* render_markdown.c: the bulletin as Markdown.
 *
 * Lays out the model of domain/bulletin.c as headings, pipe tables and a
 * numbered list of notes, every text escaped so that a unit's name stays
 * text. Words nothing of its own beyond the headings. */
#include "report/render.h"

#include <string.h>

#include "base/i18n.h"

/* Markdown: a backslash before every ASCII punctuation mark that could start
 * markup, so that a unit named "a|b" or "<x>" stays text and in its cell. */
static void append_markdown_escaped(hl_buf *out, const char *text)
{
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (strchr("\\`*_[]<>|#", *cursor) != NULL)
            hl_buf_append_char(out, '\\');
        hl_buf_append_char(out, *cursor);
    }
}

static void grid_write_markdown(const hl_bulletin_grid *table, hl_buf *out)
{
    size_t rows = hl_bulletin_grid_rows(table);
    for (size_t row = 0; row < rows; row++) {
        hl_buf_append_char(out, '|');
        for (size_t column = 0; column < table->columns; column++) {
            hl_buf_append_char(out, ' ');
            append_markdown_escaped(out, hl_bulletin_grid_cell(table, row, column));
            hl_buf_append_str(out, " |");
        }
        hl_buf_append_char(out, '\n');
        if (row == 0) {
            hl_buf_append_char(out, '|');
            for (size_t column = 0; column < table->columns; column++)
                hl_buf_append_str(out, table->aligns[column] == HL_BULLETIN_ALIGN_RIGHT ? " ---: |"
                                                                                        : " --- |");
            hl_buf_append_char(out, '\n');
        }
    }
}

void hl_render_markdown(const hl_bulletin_model *model, const hl_bulletin_meta *meta, hl_buf *out)
{
    hl_buf_append_str(out, "# ");
    append_markdown_escaped(out, meta->title);
    hl_buf_appendf(out, "\n\n## %s\n\n", HL_T("公告", "Notice"));
    append_markdown_escaped(out, model->paragraph.data);
    hl_buf_append_str(out, "\n");
    for (size_t index = 0; index < model->section_count; index++) {
        const hl_bulletin_section *section = &model->sections[index];
        hl_buf_appendf(out, "\n### %s\n\n**%s**\n\n", section->title.data, section->subtitle.data);
        if (hl_bulletin_section_has_table(section))
            grid_write_markdown(&section->table, out);
        if (section->unranked != NULL) {
            if (hl_bulletin_section_has_table(section))
                hl_buf_append_char(out, '\n');
            append_markdown_escaped(out, section->unranked);
            hl_buf_append_char(out, '\n');
        }
    }
    hl_buf_appendf(out, "\n### %s\n\n", model->detail_title);
    grid_write_markdown(&model->detail, out);
    hl_buf_appendf(out, "\n### %s\n\n", HL_T("注", "Notes"));
    for (size_t index = 0; index < model->footnote_count; index++) {
        hl_buf_appendf(out, "%zu. ", index + 1);
        append_markdown_escaped(out, model->footnotes[index]);
        hl_buf_append_char(out, '\n');
    }
}
