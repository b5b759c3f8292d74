/* copy_command.c: `hotline copy --from SRC --to DST`, a whole store moved
 * into an empty one (app/copy.h), with the rows of each table and the time
 * it took. It does not use --db: the two stores are named by the options.
 * The keys of citizens' phones are not touched: the phones move sealed, and
 * the command reminds which key file the destination needs. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/copy.h"
#include "base/i18n.h"
#include "cli/cli.h"

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int cli_run_copy(cli_context *context, const cli_command *command, const cli_args *args)
{
    const char *from = cli_args_get(args, "from");
    const char *to = cli_args_get(args, "to");
    if (args->positional_count != 0)
        return cli_usage_error(command, HL_T("copy 不接受位置参数", "copy takes no arguments"));
    if (from == NULL || from[0] == '\0' || to == NULL || to[0] == '\0')
        return cli_usage_error(command, HL_T("须给出 --from 与 --to", "give --from and --to"));
    hl_error error;
    hl_error_clear(&error);
    hl_copy_digest digest;
    double started = seconds_now();
    if (hl_copy(from, to, &digest, &error) != HL_OK)
        return cli_fail(&error);
    double elapsed = seconds_now() - started;
    int64_t rows = 0;
    for (int table = 0; table < HL_COPY_TABLE_COUNT; table++) {
        printf("  %-22s %12lld\n", hl_copy_table_name((hl_copy_table)table),
               (long long)digest.tables[table].rows);
        rows += digest.tables[table].rows;
    }
    printf(HL_T("已将 %s 复制到 %s：%lld 行，%.1f 秒；每个表的摘要一致\n",
                "copied %s into %s: %lld rows in %.1f s; every table's digest agrees\n"),
           from, to, (long long)rows, elapsed);
    if (context->key_path != NULL)
        printf(HL_T("联系电话以加密形式复制：%s 须与密钥文件 %s 一起使用\n",
                    "the phones were copied sealed: use %s with the key file %s\n"),
               to, context->key_path);
    else if (strstr(from, "://") == NULL)
        printf(
            HL_T("联系电话以加密形式复制：%s 须使用 %s 的密钥文件（%s.key，用 --key-file 指定）\n",
                 "the phones were copied sealed: use %s with the key file of %s (%s.key: name "
                 "it with --key-file)\n"),
            to, from, from);
    else
        printf(HL_T("联系电话以加密形式复制：%s 须使用 %s 的密钥文件（用 --key-file 指定）\n",
                    "the phones were copied sealed: use %s with the key file of %s (name it with "
                    "--key-file)\n"),
               to, from);
    return CLI_EXIT_OK;
}
