/* main.c: the hotline command: global options, the list of commands, help,
 * and the mapping of failures to exit codes. Each command's work is in
 * order_commands.c or admin_commands.c, which call only app/. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "app/audit.h"
#include "base/array.h"
#include "base/file.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "cli/output.h"

#define HOTLINE_VERSION "0.1.0"
#define MAX_INPUT_BYTES ((size_t)4 << 30)

int cli_open_app(cli_context *context, hl_app **out)
{
    if (context->app == NULL) {
        hl_error error;
        hl_error_clear(&error);
        hl_app *app = NULL;
        int result = hl_app_open_keyed(context->db_path, context->key_path, &app, &error);
        if (result == HL_OK)
            result = hl_app_init(app, &error);
        if (result != HL_OK) {
            hl_app_close(app);
            return cli_fail(&error);
        }
        context->app = app;
    }
    *out = context->app;
    return CLI_EXIT_OK;
}

int cli_start(cli_context *context, hl_app **out, hl_error *error)
{
    hl_error_clear(error);
    return cli_open_app(context, out);
}

void cli_actor(char *out, size_t size)
{
    struct passwd entry, *found = NULL;
    char buffer[1024];
    if (getpwuid_r(geteuid(), &entry, buffer, sizeof buffer, &found) == 0 && found != NULL)
        snprintf(out, size, "cli:%s", found->pw_name);
    else
        snprintf(out, size, "cli:%u", (unsigned)geteuid());
}

void cli_audit(hl_app *app, const char *action, const char *target, int result, const char *detail)
{
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    hl_audit_security(app, actor, NULL, action, target,
                      result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE, detail);
}

int cli_record_reads(hl_app *app, const char *route, const int64_t *orders, size_t count,
                     hl_error *error)
{
    if (count == 0)
        return HL_OK;
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    hl_time now = hl_clock_now();
    hl_audit_read *reads = hl_xmalloc(count * sizeof *reads);
    for (size_t index = 0; index < count; index++)
        hl_audit_read_of(&reads[index], now, actor, orders[index], route);
    int result = hl_audit_record(app, reads, count, error);
    free(reads);
    return result;
}

int cli_fail(const hl_error *error)
{
    char message[HL_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s", error->message[0] != '\0' ? error->message : "failed");
    cli_output_one_line(message);
    fprintf(stderr, "hotline: %s\n", message);
    switch (error->code) {
    case HL_EMISMATCH: return CLI_EXIT_DIFFERENCES;
    /* A store that cannot be reached (its server down or read-only), or
     * a transaction still meeting others after app/'s retries: storage
     * failures as well, with the store's own one line. */
    case HL_EIO:
    case HL_EUNAVAILABLE:
    case HL_ERETRY: return CLI_EXIT_STORAGE;
    default: return CLI_EXIT_INPUT;
    }
}

int cli_usage_error(const cli_command *command, const char *message)
{
    fprintf(stderr, "hotline %s: %s (%s: hotline %s)\n", command->name, message,
            HL_T("用法", "usage"), command->usage);
    return CLI_EXIT_INPUT;
}

int cli_order_number(const cli_args *args, int position, int64_t *id, hl_error *error)
{
    if (args->positional_count <= position)
        return hl_error_set(error, HL_EINVAL, "order",
                            HL_T("请给出工单编号", "which order? give its number"));
    if (hl_order_parse_number(hl_slice_of(args->positional[position]), id) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "order",
                            HL_T("工单编号格式不正确（14 位数字，如 20240201000001）",
                                 "not an order number (14 digits, e.g. 20240201000001)"));
    return HL_OK;
}

int cli_read_input(const char *path, char **data, size_t *length, hl_error *error)
{
    return hl_file_read_all(path, MAX_INPUT_BYTES, data, length, error);
}

static void print_command_help(const cli_command *command)
{
    printf("%s: hotline %s\n\n%s\n", HL_T("用法", "Usage"), command->usage,
           HL_T(command->help_zh, command->help_en));
}

static void print_table(const cli_command *table)
{
    for (const cli_command *command = table; command->name != NULL; command++) {
        printf("  ");
        cli_output_cell(stdout, command->name, 16);
        printf(" %s\n", HL_T(command->summary_zh, command->summary_en));
    }
}

static void print_main_help(void)
{
    printf(
        HL_T("hotline %s：政务服务便民热线平台（12345 / 311）\n\n"
             "用法：hotline [--db 路径] [--key-file 文件] [--lang zh|en] 命令 [参数...]\n\n"
             "  --db 路径        数据库文件（默认：$HOTLINE_DB，否则 ./hotline.db）\n"
             "  --key-file 文件  联系电话的加密密钥（默认：$HOTLINE_KEY_FILE，否则数据库旁的 "
             "路径.key；\n"
             "                   新数据库自动生成，请另行备份）\n"
             "  --lang zh|en     输出语言（默认：$HOTLINE_LANG，否则中文）\n\n"
             "工单：\n",
             "hotline %s: the city service hotline platform (12345 / 311)\n\n"
             "Usage: hotline [--db PATH] [--key-file FILE] [--lang zh|en] COMMAND [ARGS...]\n\n"
             "  --db PATH        the store (default: $HOTLINE_DB, else ./hotline.db)\n"
             "  --key-file FILE  the key of citizens' phone numbers (default: $HOTLINE_KEY_FILE,\n"
             "                   else PATH.key beside the store; made for a new store: back it up "
             "apart)\n"
             "  --lang zh|en     language of output (default: $HOTLINE_LANG, else zh)\n\n"
             "Work orders:\n"),
        HOTLINE_VERSION);
    print_table(cli_order_commands);
    printf("\n%s\n", HL_T("管理：", "Administration:"));
    print_table(cli_admin_commands);
    printf("\n%s\n", HL_T("运行 `hotline 命令 --help` 查看命令的选项。",
                          "Run `hotline COMMAND --help` for a command's options."));
}

static const cli_command *find_command(const char *name)
{
    const cli_command *tables[] = {cli_order_commands, cli_admin_commands};
    for (size_t table = 0; table < HL_COUNT_OF(tables); table++)
        for (const cli_command *command = tables[table]; command->name != NULL; command++)
            if (strcmp(command->name, name) == 0)
                return command;
    return NULL;
}

static bool set_language(const char *text)
{
    hl_lang language;
    if (!hl_i18n_parse(text, &language))
        return false;
    hl_i18n_set(language);
    return true;
}

int main(int argc, char **argv)
{
    /* Every file hotline writes holds citizens' data: the store and its WAL
     * and shared-memory files, exports, bulletins, the key. With this umask
     * each is created readable by its owner only (0600), whoever creates
     * it (hotline, SQLite, libxlsxwriter), whatever the shell's umask was
     * (docs/security.md). */
    umask(S_IRWXG | S_IRWXO);
    cli_context context = {NULL, NULL, NULL};
    const char *environment_language = getenv("HOTLINE_LANG");
    if (environment_language != NULL && environment_language[0] != '\0')
        set_language(environment_language);
    const char *environment_db = getenv("HOTLINE_DB");
    context.db_path =
        environment_db != NULL && environment_db[0] != '\0' ? environment_db : "hotline.db";
    const char *environment_key = getenv("HOTLINE_KEY_FILE");
    if (environment_key != NULL && environment_key[0] != '\0')
        context.key_path = environment_key;

    int index = 1;
    for (; index < argc && strncmp(argv[index], "-", 1) == 0; index++) {
        const char *word = argv[index];
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
            print_main_help();
            return CLI_EXIT_OK;
        }
        if (strcmp(word, "--version") == 0) {
            printf("hotline %s\n", HOTLINE_VERSION);
            return CLI_EXIT_OK;
        }
        const char *value = NULL;
        bool known = strcmp(word, "--db") == 0 || strcmp(word, "--lang") == 0 ||
                     strcmp(word, "--key-file") == 0;
        if (strncmp(word, "--db=", 5) == 0 || strncmp(word, "--lang=", 7) == 0 ||
            strncmp(word, "--key-file=", 11) == 0)
            value = strchr(word, '=') + 1;
        else if (known && index + 1 < argc)
            value = argv[++index];
        else if (known)
            value = ""; /* named without a value: refused below with the option's own message */
        if (value == NULL) {
            fprintf(stderr,
                    HL_T("hotline: 未知选项 %s（见 hotline --help）\n",
                         "hotline: unknown option %s (see hotline --help)\n"),
                    word);
            return CLI_EXIT_INPUT;
        }
        if (strncmp(word, "--db", 4) == 0) {
            if (value[0] == '\0') {
                fputs(HL_T("hotline: --db 需要一个路径\n", "hotline: --db needs a path\n"), stderr);
                return CLI_EXIT_INPUT;
            }
            context.db_path = value;
        } else if (strncmp(word, "--key-file", 10) == 0) {
            if (value[0] == '\0') {
                fputs(HL_T("hotline: --key-file 需要一个路径\n",
                           "hotline: --key-file needs a path\n"),
                      stderr);
                return CLI_EXIT_INPUT;
            }
            context.key_path = value;
        } else if (!set_language(value)) {
            fputs(HL_T("hotline: --lang 须为 zh 或 en\n", "hotline: --lang takes zh or en\n"),
                  stderr);
            return CLI_EXIT_INPUT;
        }
    }
    if (index >= argc) {
        print_main_help();
        return CLI_EXIT_INPUT;
    }
    const cli_command *command = find_command(argv[index]);
    if (command == NULL) {
        char name[128];
        snprintf(name, sizeof name, "%s", argv[index]);
        cli_output_one_line(name);
        fprintf(stderr,
                HL_T("hotline: 未知命令 %s（见 hotline --help）\n",
                     "hotline: unknown command %s (see hotline --help)\n"),
                name);
        return CLI_EXIT_INPUT;
    }
    cli_args args;
    char message[256];
    if (cli_args_parse(argc - index - 1, argv + index + 1, command->options, &args, message,
                       sizeof message) != 0)
        return cli_usage_error(command, message);
    if (args.help) {
        print_command_help(command);
        return CLI_EXIT_OK;
    }
    int status = command->run(&context, command, &args);
    hl_app_close(context.app);
    return status;
}
