/* args.h: command-line options of the hotline command.
 *
 * A command line is positional words and options: `--name value`,
 * `--name=value` or a bare `--flag`. Each command declares which options it
 * takes; anything else is refused with one clear line. */
#ifndef HL_CLI_ARGS_H
#define HL_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_ARGS_MAX 32

typedef struct cli_option_spec {
    const char *name; /* without the dashes */
    bool takes_value;
} cli_option_spec;

typedef struct cli_args {
    const char *positional[CLI_ARGS_MAX];
    int positional_count;
    const char *names[CLI_ARGS_MAX];
    const char *values[CLI_ARGS_MAX]; /* "" for flags */
    int option_count;
    bool help;
} cli_args;

/* Parses argv against the specs (a NULL-named entry ends them); --help and
 * -h are always accepted. On error writes one line into message and returns
 * a negative code. */
int cli_args_parse(int argc, char **argv, const cli_option_spec *specs, cli_args *out,
                   char *message, size_t message_size);

/* The value of an option, or NULL when absent. */
const char *cli_args_get(const cli_args *args, const char *name);
bool cli_args_has(const cli_args *args, const char *name);

#endif
