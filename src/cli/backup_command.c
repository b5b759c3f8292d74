/* backup_command.c: `hotline backup DEST [--key-copy PATH]` and `hotline
 * restore SOURCE` (app/backup.h): the store named by --db saved into a new
 * file while servers keep writing, and a backup brought back into the empty
 * store named by --db after it was verified. They print what they moved
 * and which key file goes with it; they decide nothing themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/backup.h"
#include "app/secrets.h"
#include "base/i18n.h"
#include "cli/cli.h"

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int64_t rows_of(const hl_copy_digest *digest)
{
    int64_t rows = 0;
    for (int table = 0; table < HL_COPY_TABLE_COUNT; table++)
        rows += digest->tables[table].rows;
    return rows;
}

int cli_run_backup(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 1 || args->positional[0][0] == '\0')
        return cli_usage_error(command,
                               HL_T("须给出一个备份文件路径", "give one backup file path"));
    const char *key_copy = cli_args_get(args, "key-copy");
    if (key_copy != NULL && key_copy[0] == '\0')
        return cli_usage_error(command, HL_T("--key-copy 需要一个路径", "--key-copy needs a path"));
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    char *default_key =
        context->key_path == NULL ? hl_secrets_default_key_path(context->db_path) : NULL;
    hl_backup_options options = {actor, context->key_path != NULL ? context->key_path : default_key,
                                 key_copy};
    hl_copy_digest digest;
    double started = seconds_now();
    int result = hl_backup(app, args->positional[0], &options, &digest, &error);
    double elapsed = seconds_now() - started;
    if (result != HL_OK) {
        free(default_key);
        return cli_fail(&error);
    }
    printf(HL_T("已备份到 %s：%lld 行，%.1f 秒；每个表的摘要与备份时的快照一致\n",
                "backed up into %s: %lld rows in %.1f s; every table's digest agrees with the "
                "snapshot\n"),
           args->positional[0], (long long)rows_of(&digest), elapsed);
    if (key_copy != NULL)
        printf(HL_T("密钥副本已写入 %s：请与备份分开保管\n",
                    "the key's copy is in %s: keep it apart from the backup\n"),
               key_copy);
    else
        printf(HL_T("备份不含密钥文件：恢复时须用 %s（请另行备份，勿与备份放在一起）\n",
                    "the backup holds no key: a restore needs %s (back it up apart, never "
                    "beside the backup)\n"),
               options.key_path);
    free(default_key);
    return CLI_EXIT_OK;
}

int cli_run_restore(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 1 || args->positional[0][0] == '\0')
        return cli_usage_error(command,
                               HL_T("须给出一个备份文件路径", "give one backup file path"));
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    char *default_key =
        context->key_path == NULL ? hl_secrets_default_key_path(context->db_path) : NULL;
    const char *key_path = context->key_path != NULL ? context->key_path : default_key;
    hl_error error;
    hl_error_clear(&error);
    hl_restore_result *outcome = hl_xcalloc(1, sizeof *outcome);
    double started = seconds_now();
    int result =
        hl_restore(args->positional[0], context->db_path, key_path, actor, outcome, &error);
    double elapsed = seconds_now() - started;
    if (result == HL_OK) {
        printf(HL_T("备份 %s 已核验（%lld 条事件与数据一致）并恢复到 %s：%lld 行，%.1f 秒\n",
                    "the backup %s was verified (%lld events agree with the data) and restored "
                    "into %s: %lld rows in %.1f s\n"),
               args->positional[0], (long long)outcome->verified.events, context->db_path,
               (long long)rows_of(&outcome->digest), elapsed);
        printf(HL_T("恢复后的数据库使用密钥文件 %s\n", "the restored store uses the key file %s\n"),
               key_path);
    }
    free(outcome);
    free(default_key);
    return result == HL_OK ? CLI_EXIT_OK : cli_fail(&error);
}
