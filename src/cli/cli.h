/* cli.h: what the hotline command's parts share: the command table, the
 * context a command runs in, and how failures become one line and an exit
 * code (0 done, 1 verify found differences, 2 bad input or a refused
 * action, 3 storage failure). */
#ifndef HL_CLI_H
#define HL_CLI_H

#include <stdio.h>

#include "app/app.h"
#include "base/error.h"
#include "cli/args.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_DIFFERENCES = 1, CLI_EXIT_INPUT = 2, CLI_EXIT_STORAGE = 3 };

typedef struct cli_context {
    const char *db_path;
    const char *key_path; /* --key-file, else $HOTLINE_KEY_FILE, else NULL: "<db_path>.key" */
    hl_app *app;          /* opened on first use by cli_open_app; owned */
} cli_context;

typedef struct cli_command {
    const char *name;
    const char *summary_zh;
    const char *summary_en;
    const char *usage; /* the synopsis line after "hotline " */
    const char *help_zh;
    const char *help_en;
    const cli_option_spec *options;
    int (*run)(cli_context *context, const struct cli_command *command, const cli_args *args);
    int tag; /* for commands that share one run function (the lifecycle actions) */
} cli_command;

/* Opens the store named by --db (creating it and seeding the calendar)
 * with its key file (--key-file). */
int cli_open_app(cli_context *context, hl_app **out);
/* The opening of most commands: the store opened as by cli_open_app, and
 * *error cleared for the command's own calls. CLI_EXIT_OK, or the status
 * to exit with. */
int cli_start(cli_context *context, hl_app **out, hl_error *error);
/* The actor of reads on the command line: "cli:<os user>". */
void cli_actor(char *out, size_t size);
/* Records a security event of the command line (app/audit.h): actor
 * "cli:<os user>", no address, the outcome from result. */
void cli_audit(hl_app *app, const char *action, const char *target, int result, const char *detail);
/* Records that the command gave out the full phone numbers of these orders
 * (app/audit), before it prints them; route names the command. */
int cli_record_reads(hl_app *app, const char *route, const int64_t *orders, size_t count,
                     hl_error *error);

/* Prints "hotline: <message>" on stderr and returns the exit code for it. */
int cli_fail(const hl_error *error);
/* Prints a usage problem for a command and returns CLI_EXIT_INPUT. */
int cli_usage_error(const cli_command *command, const char *message);
/* Parses the required order number argument. */
int cli_order_number(const cli_args *args, int position, int64_t *id, hl_error *error);
/* Reads a whole file named by an argument (or "-" for stdin). Caller frees *data. */
int cli_read_input(const char *path, char **data, size_t *length, hl_error *error);

/* `hotline apikey` (apikey_command.c). */
int cli_run_apikey(cli_context *context, const cli_command *command, const cli_args *args);
/* `hotline copy` (copy_command.c). */
int cli_run_copy(cli_context *context, const cli_command *command, const cli_args *args);

/* `hotline backup` and `hotline restore` (backup_command.c). */
int cli_run_backup(cli_context *context, const cli_command *command, const cli_args *args);
int cli_run_restore(cli_context *context, const cli_command *command, const cli_args *args);
/* `hotline archive` (archive_command.c). */
int cli_run_archive(cli_context *context, const cli_command *command, const cli_args *args);
/* `hotline verify --archive FILE` (archive_command.c): the exit status. */
int cli_verify_archive(hl_app *app, const char *path);

/* The command tables of each part. */
extern const cli_command cli_order_commands[];
extern const cli_command cli_admin_commands[];

#endif
