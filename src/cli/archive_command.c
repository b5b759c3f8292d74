/* archive_command.c: `hotline audit-archive [--before DATE] FILE` (app/archive.h):
 * the audits' records older than the cut-off moved out of the --db store
 * into a new sealed file. It parses, asks app/archive and prints what was
 * moved; it decides nothing itself. */
#include <stdio.h>
#include <string.h>

#include "app/archive.h"
#include "app/audit.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/text.h"
#include "cli/cli.h"

static const char *chain_label(hl_chain_kind kind)
{
    return kind == HL_CHAIN_READS ? HL_T("电话查阅审计", "audit of phone reads")
                                  : HL_T("安全事件审计", "audit of security events");
}

int cli_run_archive(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 1 || args->positional[0][0] == '\0')
        return cli_usage_error(command,
                               HL_T("须给出一个归档文件路径", "give one archive file path"));
    const char *before_text = cli_args_get(args, "before");
    hl_time before = 0;
    if (before_text != NULL &&
        (hl_clock_parse_time(hl_slice_of(before_text), &before) != HL_OK || before <= 0))
        return cli_usage_error(command, HL_T("--before 须为日期 YYYY-MM-DD 或时间",
                                             "--before takes a date YYYY-MM-DD or a time"));
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    hl_archive_summary summary;
    int result = hl_archive(app, args->positional[0], before, actor, &summary, &error);
    if (result != HL_OK) {
        cli_audit(app, HL_ARCHIVE_ACTION, args->positional[0], result, error.message);
        return cli_fail(&error);
    }
    char cutoff[40];
    hl_clock_format_local(summary.before, cutoff, sizeof cutoff);
    int64_t records = 0;
    for (int index = 0; index < HL_ARCHIVE_CHAINS; index++)
        records += summary.ranges[index].records;
    if (records == 0) {
        printf(HL_T("没有早于 %s 的审计记录：未写文件\n",
                    "no audit record is older than %s: no file was written\n"),
               cutoff);
        return CLI_EXIT_OK;
    }
    printf(HL_T("已把早于 %s 的审计记录移入 %s（封印 %.16s…）\n",
                "moved the audit records older than %s into %s (seal %.16s...)\n"),
           cutoff, args->positional[0], summary.seal);
    for (int index = 0; index < HL_ARCHIVE_CHAINS; index++) {
        const hl_archive_range *range = &summary.ranges[index];
        if (range->records == 0)
            printf(HL_T("%s：无\n", "%s: none\n"), chain_label(hl_archive_chains[index]));
        else
            printf(HL_T("%s：第 %lld 至 %lld 环，%lld 条；新锚点 %s\n",
                        "%s: links %lld to %lld, %lld record(s); new anchor %s\n"),
                   chain_label(hl_archive_chains[index]), (long long)(range->from.seq + 1),
                   (long long)range->to.seq, (long long)range->records, range->to.hash);
    }
    return CLI_EXIT_OK;
}

int cli_verify_archive(hl_app *app, const char *path)
{
    hl_error error;
    hl_error_clear(&error);
    hl_archive_summary summary;
    int result = hl_archive_check(app, path, &summary, &error);
    if (result == HL_OK)
        result = hl_archive_anchored(app, &summary, &error);
    if (result != HL_OK)
        return cli_fail(&error);
    printf(HL_T("归档 %s：封印与哈希链完好，并与此存储相接\n",
                "archive %s: its seal and hash chains are sound, and it joins this store\n"),
           path);
    for (int index = 0; index < HL_ARCHIVE_CHAINS; index++) {
        const hl_archive_range *range = &summary.ranges[index];
        if (range->records == 0)
            printf(HL_T("%s：无\n", "%s: none\n"), chain_label(hl_archive_chains[index]));
        else
            printf(HL_T("%s：第 %lld 至 %lld 环，%lld 条\n",
                        "%s: links %lld to %lld, %lld record(s)\n"),
                   chain_label(hl_archive_chains[index]), (long long)(range->from.seq + 1),
                   (long long)range->to.seq, (long long)range->records);
    }
    return CLI_EXIT_OK;
}
