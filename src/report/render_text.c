/* render_text.c: the bulletin as plain text, for a terminal or a mail.
 *
 * Lays out the model of domain/bulletin.c: the heading, the paragraph,
 * each group's ranking table, the detail table and the numbered notes.
 * Words nothing of its own beyond the headings "公告" and "注". */
#include "report/render.h"

#include <stdlib.h>

#include "base/i18n.h"

/* Plain text: columns padded to the widest cell by display width (a CJK
 * character takes two terminal columns), two spaces apart, no trailing
 * blanks. Numbers are right-aligned so that their digits line up. */
static void grid_write_text(const hl_bulletin_grid *table, hl_buf *out)
{
    int *widths = hl_xcalloc(table->columns, sizeof *widths);
    size_t rows = hl_bulletin_grid_rows(table);
    for (size_t row = 0; row < rows; row++)
        for (size_t column = 0; column < table->columns; column++) {
            int width = hl_text_display_width(hl_bulletin_grid_cell(table, row, column));
            if (width > widths[column])
                widths[column] = width;
        }
    hl_buf line;
    hl_buf_init(&line);
    for (size_t row = 0; row < rows; row++) {
        hl_buf_reset(&line);
        for (size_t column = 0; column < table->columns; column++) {
            const char *text = hl_bulletin_grid_cell(table, row, column);
            int padding = widths[column] - hl_text_display_width(text);
            if (column > 0)
                hl_buf_append_str(&line, "  ");
            if (table->aligns[column] == HL_BULLETIN_ALIGN_RIGHT)
                hl_buf_appendf(&line, "%*s", padding, "");
            hl_buf_append_str(&line, text);
            if (table->aligns[column] == HL_BULLETIN_ALIGN_LEFT)
                hl_buf_appendf(&line, "%*s", padding, "");
        }
        size_t length = line.len;
        while (length > 0 && line.data[length - 1] == ' ')
            length--;
        hl_buf_append(out, line.data, length);
        hl_buf_append_char(out, '\n');
    }
    hl_buf_free(&line);
    free(widths);
}

void hl_render_text(const hl_bulletin_model *model, const hl_bulletin_meta *meta, hl_buf *out)
{
    hl_buf_appendf(out, "%s\n%s\n\n", meta->title, HL_T("公告", "Notice"));
    hl_buf_appendf(out, "%s\n", model->paragraph.data);
    for (size_t index = 0; index < model->section_count; index++) {
        const hl_bulletin_section *section = &model->sections[index];
        hl_buf_appendf(out, "\n%s\n%s\n\n", section->title.data, section->subtitle.data);
        if (hl_bulletin_section_has_table(section))
            grid_write_text(&section->table, out);
        if (section->unranked != NULL)
            hl_buf_appendf(out, "%s\n", section->unranked);
    }
    hl_buf_appendf(out, "\n%s\n\n", model->detail_title);
    grid_write_text(&model->detail, out);
    hl_buf_appendf(out, "\n%s\n", HL_T("注：", "Notes:"));
    for (size_t index = 0; index < model->footnote_count; index++)
        hl_buf_appendf(out, "%zu. %s\n", index + 1, model->footnotes[index]);
}
