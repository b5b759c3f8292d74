/* output.c: table cells and labelled fields for terminal output. It formats
 * only; what is printed is each command's business. */
#include "cli/output.h"

#include <string.h>

#include "base/text.h"

void cli_output_cell(FILE *out, const char *text, int width)
{
    fputs(text, out);
    for (int used = hl_text_display_width(text); used < width; used++)
        fputc(' ', out);
}

void cli_output_field(FILE *out, const char *label, const char *value)
{
    cli_output_cell(out, label, 14);
    fprintf(out, " %s\n", value != NULL && value[0] != '\0' ? value : "-");
}

void cli_output_time(hl_time instant, char *out, size_t size)
{
    if (instant == 0)
        snprintf(out, size, "-");
    else
        hl_clock_format_local(instant, out, size);
}

void cli_output_one_line(char *text)
{
    for (char *cursor = text; *cursor != '\0'; cursor++)
        if ((unsigned char)*cursor < 0x20)
            *cursor = ' ';
}
