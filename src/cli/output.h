/* output.h: printing for people: aligned tables with Chinese text (which
 * takes two columns per character) and labelled fields. */
#ifndef HL_CLI_OUTPUT_H
#define HL_CLI_OUTPUT_H

#include <stdio.h>

#include "base/clock.h"

/* Prints text padded with spaces to a display width (CJK counts 2). */
void cli_output_cell(FILE *out, const char *text, int width);
/* Prints "label: value" with the labels of a block aligned. */
void cli_output_field(FILE *out, const char *label, const char *value);
/* Formats an instant in local time, or "-" for 0, into out (>= 32 bytes). */
void cli_output_time(hl_time instant, char *out, size_t size);
/* Replaces control characters by spaces so a message stays one line. */
void cli_output_one_line(char *text);

#endif
