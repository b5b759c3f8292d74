/* apikey_command.c: `hotline apikey create|list|revoke`, the command line
 * of Open311 API keys (app/apikey.h). Whoever runs the command holds the
 * store and is the machine's administrator; the keys it creates record no
 * user as their creator. A new key is printed once, on a line of its own
 * after the message, so that a script can take the last line. */
#include <stdio.h>
#include <string.h>

#include "app/apikey.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "cli/output.h"

static int create_key(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 2)
        return cli_usage_error(command, HL_T("create 须给出一个名称（密钥所给的应用）",
                                             "create takes one name (the application it is for)"));
    hl_error error;
    hl_error_clear(&error);
    int rate = 0;
    const char *rate_text = cli_args_get(args, "rate");
    if (rate_text != NULL && hl_apikey_parse_rate(rate_text, &rate, &error) != HL_OK)
        return cli_fail(&error);
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    char key[HL_APIKEY_TEXT_BYTES];
    hl_apikey record;
    int result =
        hl_apikey_create(app, args->positional[1], rate, "", hl_clock_now(), key, &record, &error);
    cli_audit(app, "apikey.create", args->positional[1], result,
              result == HL_OK ? record.key_prefix : error.message);
    if (result != HL_OK)
        return cli_fail(&error);
    printf(HL_T("已创建 API 密钥 %lld（%s，每分钟 %d 次 POST）。密钥只显示这一次，请妥善保存：\n",
                "API key %lld created (%s, %d POST requests per minute). It is shown only this "
                "once; keep it safe:\n"),
           (long long)record.id, record.name, record.rate_per_minute);
    printf("%s\n", key);
    memset(key, 0, sizeof key);
    return CLI_EXIT_OK;
}

static int print_key(void *context, const hl_apikey *key)
{
    int *count = context;
    if ((*count)++ == 0) {
        cli_output_cell(stdout, HL_T("编号", "id"), 6);
        printf(" ");
        cli_output_cell(stdout, HL_T("密钥", "key"), 12);
        printf(" ");
        cli_output_cell(stdout, HL_T("名称", "name"), 24);
        printf(" ");
        cli_output_cell(stdout, HL_T("每分钟", "per minute"), 10);
        printf(" ");
        cli_output_cell(stdout, HL_T("创建时间", "created"), 20);
        printf(" ");
        cli_output_cell(stdout, HL_T("创建人", "by"), 14);
        printf(" %s\n", HL_T("状态", "state"));
    }
    char id[24], prefix[24], rate[16], created[40];
    snprintf(id, sizeof id, "%lld", (long long)key->id);
    snprintf(prefix, sizeof prefix, "%s...", key->key_prefix);
    snprintf(rate, sizeof rate, "%d", key->rate_per_minute);
    cli_output_time(key->created_at, created, sizeof created);
    cli_output_cell(stdout, id, 6);
    printf(" ");
    cli_output_cell(stdout, prefix, 12);
    printf(" ");
    cli_output_cell(stdout, key->name, 24);
    printf(" ");
    cli_output_cell(stdout, rate, 10);
    printf(" ");
    cli_output_cell(stdout, created, 20);
    printf(" ");
    cli_output_cell(
        stdout, key->created_by[0] != '\0' ? key->created_by : HL_T("命令行", "command line"), 14);
    if (key->revoked) {
        char revoked[40];
        cli_output_time(key->revoked_at, revoked, sizeof revoked);
        printf(HL_T(" 已吊销 %s\n", " revoked %s\n"), revoked);
    } else {
        printf(" %s\n", HL_T("有效", "valid"));
    }
    return 0;
}

static int list_keys(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 1)
        return cli_usage_error(command, HL_T("list 不带参数", "list takes no arguments"));
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    int count = 0;
    if (hl_apikey_each(app, print_key, &count, &error) != HL_OK)
        return cli_fail(&error);
    if (count == 0)
        printf("%s\n", HL_T("尚无 API 密钥（hotline apikey create 名称）",
                            "no API keys yet (hotline apikey create NAME)"));
    return CLI_EXIT_OK;
}

static int revoke_key(cli_context *context, const cli_command *command, const cli_args *args)
{
    int64_t id = 0;
    if (args->positional_count != 2 ||
        hl_text_parse_int(hl_slice_of(args->positional[1]), 1, INT64_MAX, &id) != HL_OK)
        return cli_usage_error(command,
                               HL_T("revoke 须给出密钥编号（见 hotline apikey list）",
                                    "revoke takes the key's id (see hotline apikey list)"));
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    hl_apikey record;
    int result = hl_apikey_revoke(app, id, hl_clock_now(), &record, &error);
    char target[24];
    snprintf(target, sizeof target, "%lld", (long long)id);
    cli_audit(app, "apikey.revoke", target, result, result == HL_OK ? NULL : error.message);
    if (result != HL_OK)
        return cli_fail(&error);
    printf(HL_T("已吊销 API 密钥 %lld（%s），此后将被拒绝\n",
                "API key %lld (%s) revoked: it is refused from now on\n"),
           (long long)record.id, record.name);
    return CLI_EXIT_OK;
}

int cli_run_apikey(cli_context *context, const cli_command *command, const cli_args *args)
{
    const char *verb = args->positional_count > 0 ? args->positional[0] : "";
    if (strcmp(verb, "create") == 0)
        return create_key(context, command, args);
    if (cli_args_get(args, "rate") != NULL)
        return cli_usage_error(command, HL_T("--rate 只用于 create", "--rate goes with create"));
    if (strcmp(verb, "list") == 0)
        return list_keys(context, command, args);
    if (strcmp(verb, "revoke") == 0)
        return revoke_key(context, command, args);
    return cli_usage_error(
        command, HL_T("可用 apikey create、list 或 revoke", "apikey create, list or revoke"));
}
