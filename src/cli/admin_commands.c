/* admin_commands.c: the administration commands of the hotline CLI: init,
 * loading the directory and the calendar, time limits, listings of units,
 * categories and users, the workflow table, verify, the demo and users'
 * passwords (passwd); `apikey` runs in apikey_command.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/audit.h"
#include "app/auth.h"
#include "app/open311.h"
#include "app/policy.h"
#include "app/publish.h"
#include "app/report.h"
#include "app/secrets.h"
#include "app/transfer.h"
#include "app/verify.h"
#include "base/array.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "demo/demo.h"
#include "domain/setting_text.h"
#include "http/server.h"
#include "report/render.h"

static int run_init(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)command;
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    const char *zone = cli_args_get(args, "time-zone");
    if (zone != NULL) {
        hl_error error;
        hl_error_clear(&error);
        if (hl_app_set_time_zone(app, zone, &error) != HL_OK)
            return cli_fail(&error);
    }
    printf(HL_T("数据库已就绪：%s（结构版本 %d，日历例外日 %zu 天）\n",
                "store ready: %s (schema %d, %zu calendar days)\n"),
           context->db_path, hl_app_schema_version(app), hl_app_calendar(app)->count);
    /* The key matters as much as the store: say where it is. */
    char *default_key =
        context->key_path == NULL ? hl_secrets_default_key_path(context->db_path) : NULL;
    printf(HL_T("联系电话密钥：%s（请与数据库分开备份）\n",
                "key of the phone numbers: %s (back it up apart from the store)\n"),
           context->key_path != NULL ? context->key_path : default_key);
    free(default_key);
    if (zone != NULL)
        printf(HL_T("时区：%s\n", "time zone: %s\n"), hl_zone_name(hl_app_zone(app)));
    return CLI_EXIT_OK;
}

typedef int (*loader)(hl_app *app, const char *text, size_t length, int *loaded, hl_error *error);

static int run_load(cli_context *context, const cli_command *command, const cli_args *args)
{
    static const struct {
        const char *what;
        loader load;
    } loaders[] = {{"units", hl_transfer_load_units},
                   {"categories", hl_transfer_load_categories},
                   {"users", hl_transfer_load_users},
                   {"calendar", hl_transfer_load_calendar},
                   {"attributes", hl_transfer_load_attributes}};
    if (args->positional_count != 2)
        return cli_usage_error(command,
                               HL_T("请指明加载内容及文件", "what to load, and from which file"));
    loader load = NULL;
    for (size_t index = 0; index < HL_COUNT_OF(loaders); index++)
        if (strcmp(args->positional[0], loaders[index].what) == 0)
            load = loaders[index].load;
    if (load == NULL)
        return cli_usage_error(command,
                               HL_T("可加载 units、categories、users、calendar 或 attributes",
                                    "load units, categories, users, calendar or attributes"));
    hl_error error;
    hl_error_clear(&error);
    char *data = NULL;
    size_t length = 0;
    if (cli_read_input(args->positional[1], &data, &length, &error) != HL_OK)
        return cli_fail(&error);
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status == CLI_EXIT_OK) {
        int loaded = 0;
        if (load(app, data, length, &loaded, &error) != HL_OK)
            status = cli_fail(&error);
        else
            printf(HL_T("已加载 %d 条 %s\n", "loaded %d %s\n"), loaded, args->positional[0]);
    }
    free(data);
    return status;
}

/* One setting a line: its key, its value and its label (domain/setting_text.h). */
static void print_setting(const char *key, const char *value)
{
    const char *label = hl_setting_label(key);
    printf("%-28s %-20s %s\n", key, value, label != NULL ? label : "");
}

static void print_limit(void *context, const char *key, int value)
{
    (void)context;
    char text[16];
    snprintf(text, sizeof text, "%d", value);
    print_setting(key, text);
}

static int run_config(cli_context *context, const cli_command *command, const cli_args *args)
{
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    if (args->positional_count == 0) {
        hl_limits_each(hl_app_limits(app), print_limit, NULL);
        print_setting("time_zone", hl_zone_name(hl_app_zone(app)));
        hl_policy policy;
        hl_error loading;
        hl_error_clear(&loading);
        if (hl_policy_load(app, &policy, &loading) != HL_OK)
            return cli_fail(&loading);
        hl_policy_each(&policy, print_limit, NULL);
        return CLI_EXIT_OK;
    }
    if (args->positional_count != 2)
        return cli_usage_error(command, HL_T("请给出键和值", "give a key and a value"));
    hl_error error;
    hl_error_clear(&error);
    if (hl_policy_is_key(args->positional[0])) {
        /* The policy is the security administrator's: each change, and
         * each refusal, is a security event, as over the API. */
        int result = hl_policy_set(app, args->positional[0], args->positional[1], &error);
        cli_audit(app, "settings.set", args->positional[0], result,
                  result == HL_OK ? args->positional[1] : error.message);
        if (result != HL_OK)
            return cli_fail(&error);
        print_setting(args->positional[0], args->positional[1]);
        return CLI_EXIT_OK;
    }
    if (strncmp(args->positional[0], "open311.", 8) == 0) {
        if (hl_open311_setting_set(app, args->positional[0], args->positional[1], &error) != HL_OK)
            return cli_fail(&error);
        printf("%s %s\n", args->positional[0], args->positional[1]);
        return CLI_EXIT_OK;
    }
    if (strcmp(args->positional[0], "time_zone") == 0) {
        if (hl_app_set_time_zone(app, args->positional[1], &error) != HL_OK)
            return cli_fail(&error);
        print_setting("time_zone", hl_zone_name(hl_app_zone(app)));
        return CLI_EXIT_OK;
    }
    if (strncmp(args->positional[0], "report.", 7) == 0) {
        if (hl_report_set(app, args->positional[0], args->positional[1], &error) != HL_OK)
            return cli_fail(&error);
        printf("%s %s\n", args->positional[0], args->positional[1]);
        return CLI_EXIT_OK;
    }
    int result = hl_app_set_limit(app, args->positional[0], args->positional[1], &error);
    cli_audit(app, "settings.set", args->positional[0], result,
              result == HL_OK ? args->positional[1] : error.message);
    if (result != HL_OK)
        return cli_fail(&error);
    hl_limits_each(hl_app_limits(app), print_limit, NULL);
    print_setting("time_zone", hl_zone_name(hl_app_zone(app)));
    return CLI_EXIT_OK;
}

static int print_unit(void *context, const hl_unit *unit)
{
    (void)context;
    cli_output_cell(stdout, unit->code, 20);
    printf(" ");
    cli_output_cell(stdout, unit->name, 24);
    printf(" ");
    cli_output_cell(stdout, unit->group, 18);
    printf(" %s%s\n", unit->parent, unit->active ? "" : HL_T("（已撤销）", " (retired)"));
    return 0;
}

static int print_category(void *context, const hl_category *category)
{
    (void)context;
    char days[16] = "-";
    if (category->handle_days > 0)
        snprintf(days, sizeof days, "%d", category->handle_days);
    cli_output_cell(stdout, category->code, 20);
    printf(" ");
    cli_output_cell(stdout, category->name, 24);
    printf(" ");
    cli_output_cell(stdout, category->parent[0] ? category->parent : "-", 12);
    printf(" ");
    cli_output_cell(stdout, category->default_unit[0] ? category->default_unit : "-", 20);
    printf(" %s%s\n", days, category->active ? "" : HL_T("（已停用）", " (retired)"));
    return 0;
}

static int print_user(void *context, const hl_user *user)
{
    (void)context;
    cli_output_cell(stdout, user->username, 20);
    printf(" ");
    cli_output_cell(stdout, user->display_name, 16);
    printf(" ");
    cli_output_cell(stdout, hl_directory_role_label(user->role), 12);
    printf(" %s%s\n", user->unit, user->active ? "" : HL_T("（已停用）", " (disabled)"));
    return 0;
}

static int run_directory_list(cli_context *context, const cli_command *command,
                              const cli_args *args)
{
    (void)args;
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    int result;
    if (command->tag == 0)
        result = hl_app_each_unit(app, print_unit, NULL, &error);
    else if (command->tag == 1)
        result = hl_app_each_category(app, print_category, NULL, &error);
    else
        result = hl_app_each_user(app, print_user, NULL, &error);
    return result == HL_OK ? CLI_EXIT_OK : cli_fail(&error);
}

static const cli_option_spec calendar_options[] = {{"year", true}, {NULL, false}};

static int run_calendar(cli_context *context, const cli_command *command, const cli_args *args)
{
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    int64_t year = 0;
    const char *year_text = cli_args_get(args, "year");
    if (year_text != NULL && hl_text_parse_int(hl_slice_of(year_text), 1900, 9999, &year) != HL_OK)
        return cli_usage_error(command, HL_T("--year 须为年份", "--year takes a year"));
    for (size_t index = 0; index < hl_app_calendar(app)->count; index++) {
        const hl_calendar_entry *entry = &hl_app_calendar(app)->entries[index];
        char day[16];
        hl_clock_format_day(entry->day, day, sizeof day);
        if (year != 0 && strncmp(day, year_text, 4) != 0)
            continue;
        printf("%s  %s  %s\n", day,
               entry->kind == HL_DAY_OFF ? HL_T("放假", "off ") : HL_T("上班", "work"),
               entry->festival);
    }
    int first, last;
    hl_calendar_years(hl_app_calendar(app), &first, &last);
    printf(HL_T("（已加载 %d-%d 年的放假安排）\n", "(notices loaded for %d-%d)\n"), first, last);
    return CLI_EXIT_OK;
}

static const cli_option_spec workflow_options[] = {{"markdown", false}, {NULL, false}};

static int run_workflow(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)context;
    (void)command;
    if (cli_args_has(args, "markdown")) {
        hl_buf markdown;
        hl_buf_init(&markdown);
        hl_workflow_markdown(&markdown);
        fwrite(markdown.data, 1, markdown.len, stdout);
        hl_buf_free(&markdown);
        return CLI_EXIT_OK;
    }
    for (int action = 0; action < HL_ACTION_COUNT; action++) {
        const hl_workflow_rule *rule = hl_workflow_rule_of((hl_action)action);
        cli_output_cell(stdout, rule->name, 16);
        printf(" ");
        cli_output_cell(stdout, hl_workflow_action_label((hl_action)action), 20);
        const char *target = rule->to_state != HL_STATE_NONE ? hl_order_state_label(rule->to_state)
                             : action == HL_ACTION_RETURN_REJECT
                                 ? HL_T("（退单前的状态）", "(the state before the return)")
                                 : HL_T("（不变）", "(same)");
        printf(" → %s\n", target);
    }
    return CLI_EXIT_OK;
}

static void print_difference(void *context, const char *line)
{
    (void)context;
    printf("%s\n", line);
}

static int run_verify(cli_context *context, const cli_command *command, const cli_args *args)
{
    const char *archive = cli_args_get(args, "archive");
    if (archive != NULL && archive[0] == '\0')
        return cli_usage_error(command,
                               HL_T("--archive 需要一个文件路径", "--archive needs a file path"));
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    if (archive != NULL)
        return cli_verify_archive(app, archive);
    hl_verify_summary summary;
    int result = hl_verify_run_full(app, print_difference, NULL, &summary, &error);
    if (result != HL_OK)
        return cli_fail(&error);
    printf(HL_T("已核验 %lld 条事件：数据与日志一致\n",
                "verified %lld events: the store agrees with its log\n"),
           (long long)summary.events);
    if (summary.months > 0)
        printf(HL_T("%d 个月的通报数字与排名已由日志重算：一致\n",
                    "the bulletins of %d month(s) recomputed from the log: the same figures and "
                    "ranks\n"),
               summary.months);
    if (summary.publications > 0)
        printf(HL_T("%d 份已公布通报已核对（摘要、数字、事件哈希链链头）：一致\n",
                    "%d published bulletin(s) checked (digest, figures, event chain head): "
                    "sound\n"),
               summary.publications);
    return CLI_EXIT_OK;
}

static int run_demo(cli_context *context, const cli_command *command, const cli_args *args)
{
    (void)command;
    (void)args;
    hl_app *app;
    hl_error error;
    int status = cli_start(context, &app, &error);
    if (status != CLI_EXIT_OK)
        return status;
    hl_demo_summary summary;
    if (hl_demo_load(app, &summary, &error) != HL_OK)
        return cli_fail(&error);
    printf(HL_T("演示数据已载入 %s：%d 个单位，%d 个分类，%d 个用户，%lld 件工单，%lld "
                "次操作，%lld 次回访\n",
                "demo loaded into %s: %d units, %d categories, %d users, %lld orders, %lld "
                "actions, %lld survey calls\n"),
           context->db_path, summary.units, summary.categories, summary.users,
           (long long)summary.orders, (long long)summary.actions, (long long)summary.surveys);
    /* The demo's passwords are set at the later of the clock in force
     * (HOTLINE_NOW may hold it in the demo month) and the machine's, so
     * that password.max_age_days makes nobody change at once, whichever
     * clock the server then runs on. */
    hl_time now = hl_clock_now();
    hl_time machine = (hl_time)time(NULL);
    int accounts = 0;
    if (hl_auth_set_all_passwords(app, HL_AUTH_DEMO_PASSWORD, machine > now ? machine : now,
                                  &accounts, &error) != HL_OK)
        return cli_fail(&error);
    printf(HL_T("全部 %d 个演示账号的密码均为 %s（用 hotline passwd 用户名 修改）\n",
                "the password of all %d demo accounts is %s (hotline passwd USER changes one)\n"),
           accounts, HL_AUTH_DEMO_PASSWORD);
    return CLI_EXIT_OK;
}

/* Reads one line (the new password) from standard input, without its line
 * end. false when there is none or it is longer than the limit. */
static bool read_password_line(char *out, size_t size)
{
    if (fgets(out, (int)size, stdin) == NULL)
        return false;
    size_t length = strlen(out);
    bool whole = length > 0 && out[length - 1] == '\n';
    if (!whole && !feof(stdin))
        return false; /* longer than the buffer */
    while (length > 0 && (out[length - 1] == '\n' || out[length - 1] == '\r'))
        out[--length] = '\0';
    return true;
}

static int run_passwd(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 1)
        return cli_usage_error(command,
                               HL_T("请给出一个用户名", "whose password? give one username"));
    hl_error error;
    hl_error_clear(&error);
    char password[HL_AUTH_PASSWORD_MAX_BYTES + 2];
    if (!read_password_line(password, sizeof password)) {
        hl_error_set(
            &error, HL_EINVAL, "password", "%s",
            HL_T("请在标准输入中给出新密码（一行，最多 1024 字节）",
                 "give the new password as one line on standard input (at most 1024 bytes)"));
        return cli_fail(&error);
    }
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    int result =
        hl_auth_set_password(app, NULL, args->positional[0], password, hl_clock_now(), &error);
    memset(password, 0, sizeof password);
    cli_audit(app, "password.set", args->positional[0], result,
              result == HL_OK ? NULL : error.message);
    if (result != HL_OK)
        return cli_fail(&error);
    printf(HL_T("已设置 %s 的密码，其现有会话均已失效\n",
                "password set for %s; their sessions have ended\n"),
           args->positional[0]);
    return CLI_EXIT_OK;
}

/* The security administrator's unlock, from the machine's operator: the
 * account's login wait ends at once (app/auth hl_auth_unlock), recorded
 * in the audit under cli:<os user>. */
static int run_unlock(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 1)
        return cli_usage_error(command, HL_T("请给出一个用户名", "whose login? give one username"));
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    char actor[HL_AUDIT_ACTOR_BYTES];
    cli_actor(actor, sizeof actor);
    hl_error error;
    hl_error_clear(&error);
    if (hl_auth_unlock(app, actor, args->positional[0], hl_clock_now(), &error) != HL_OK)
        return cli_fail(&error);
    printf(HL_T("已解除 %s 的登录等待，可立即登录\n",
                "%s's login wait is lifted: the account may log in at once\n"),
           args->positional[0]);
    return CLI_EXIT_OK;
}

static const cli_option_spec audit_options[] = {{"order", true},     {"user", true},
                                                {"since", true},     {"limit", true},
                                                {"security", false}, {NULL, false}};

static int print_audit_read(void *context, const hl_audit_read *read)
{
    int64_t *count = context;
    char at[40], number[24], actor[HL_AUDIT_ACTOR_BYTES], route[HL_AUDIT_ROUTE_BYTES];
    hl_clock_format_local(read->at, at, sizeof at);
    hl_order_format_number(read->order_id, number, sizeof number);
    snprintf(actor, sizeof actor, "%s", read->actor);
    snprintf(route, sizeof route, "%s", read->route);
    cli_output_one_line(actor);
    cli_output_one_line(route);
    printf("%s  %s  ", at, number);
    cli_output_cell(stdout, actor, 16);
    printf(" %s\n", route);
    (*count)++;
    return 0;
}

static int print_security_event(void *context, const hl_security_event *event)
{
    int64_t *count = context;
    char at[40], actor[HL_AUDIT_ACTOR_BYTES], address[HL_SECURITY_ADDRESS_BYTES];
    char action[HL_SECURITY_ACTION_BYTES], target[HL_AUDIT_ACTOR_BYTES];
    char outcome[HL_SECURITY_OUTCOME_BYTES], detail[HL_SECURITY_DETAIL_BYTES];
    hl_clock_format_local(event->at, at, sizeof at);
    snprintf(actor, sizeof actor, "%s", event->actor);
    snprintf(address, sizeof address, "%s", event->address[0] != '\0' ? event->address : "-");
    snprintf(action, sizeof action, "%s", event->action);
    snprintf(target, sizeof target, "%s", event->target[0] != '\0' ? event->target : "-");
    snprintf(outcome, sizeof outcome, "%s", event->outcome);
    snprintf(detail, sizeof detail, "%s", event->detail);
    /* The texts come from clients (a failed login's name): one line each. */
    cli_output_one_line(actor);
    cli_output_one_line(address);
    cli_output_one_line(action);
    cli_output_one_line(target);
    cli_output_one_line(outcome);
    cli_output_one_line(detail);
    printf("%s  ", at);
    cli_output_cell(stdout, actor, 16);
    printf(" ");
    cli_output_cell(stdout, address, 15);
    printf(" ");
    cli_output_cell(stdout, action, 16);
    printf(" ");
    cli_output_cell(stdout, target, 16);
    printf(" ");
    cli_output_cell(stdout, outcome, 8);
    printf(" %s\n", detail);
    (*count)++;
    return HL_OK;
}

/* audit --security: the newest security events, newest first. */
static int run_audit_security(cli_context *context, const cli_command *command,
                              const cli_args *args)
{
    static const char *const others[] = {"order", "user", "since"};
    for (size_t index = 0; index < HL_COUNT_OF(others); index++)
        if (cli_args_get(args, others[index]) != NULL)
            return cli_usage_error(command, HL_T("--security 只可与 --limit 同用",
                                                 "--security goes only with --limit"));
    const char *limit = cli_args_get(args, "limit");
    int64_t number = 100;
    if (limit != NULL && hl_text_parse_int(hl_slice_of(limit), 1, 1000000, &number) != HL_OK)
        return cli_usage_error(command,
                               HL_T("--limit 须为 1 到 1000000", "--limit takes 1 to 1000000"));
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    hl_error error;
    hl_error_clear(&error);
    int64_t shown = 0;
    printf("%s\n", HL_T("时间                 操作人           地址            动作             "
                        "对象             结果     说明",
                        "Time                 Actor            Address         Action           "
                        "Target           Outcome  Detail"));
    if (hl_audit_security_list(app, number, print_security_event, &shown, &error) != HL_OK)
        return cli_fail(&error);
    printf(
        HL_T("（显示 %lld 条安全事件，最近的在前）\n", "(%lld security event%s, newest first)\n"),
        (long long)shown, shown != 1 ? HL_T("", "s") : "");
    return CLI_EXIT_OK;
}

static int run_audit(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (cli_args_has(args, "security"))
        return run_audit_security(context, command, args);
    if (args->positional_count != 0)
        return cli_usage_error(command, HL_T("audit 只接受选项", "audit takes options only"));
    hl_error error;
    hl_error_clear(&error);
    hl_audit_filter filter = {0};
    filter.limit = 100;
    const char *order = cli_args_get(args, "order"), *user = cli_args_get(args, "user");
    const char *since = cli_args_get(args, "since"), *limit = cli_args_get(args, "limit");
    if (order != NULL && hl_order_parse_number(hl_slice_of(order), &filter.order_id) != HL_OK)
        return cli_usage_error(command,
                               HL_T("--order 须为工单编号", "--order takes an order number"));
    if (user != NULL && user[0] == '\0')
        return cli_usage_error(command, HL_T("--user 须为用户名", "--user takes a username"));
    filter.actor = user;
    int32_t day = 0;
    if (since != NULL) {
        if (hl_clock_parse_day(hl_slice_of(since), &day) != HL_OK)
            return cli_usage_error(
                command, HL_T("--since 须为日期 YYYY-MM-DD", "--since takes a date YYYY-MM-DD"));
        filter.since = hl_clock_start_of_day(day);
    }
    int64_t number = 0;
    if (limit != NULL) {
        if (hl_text_parse_int(hl_slice_of(limit), 1, 1000000, &number) != HL_OK)
            return cli_usage_error(command,
                                   HL_T("--limit 须为 1 到 1000000", "--limit takes 1 to 1000000"));
        filter.limit = (int)number;
    }
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    int64_t total = 0, shown = 0;
    if (hl_audit_count(app, &filter, &total, &error) != HL_OK)
        return cli_fail(&error);
    printf("%s\n", HL_T("时间                 工单编号        查阅人           途径",
                        "Time                 Order           Actor            Route"));
    if (hl_audit_list(app, &filter, print_audit_read, &shown, &error) != HL_OK)
        return cli_fail(&error);
    if (shown < total && hl_i18n_get() == HL_LANG_EN)
        printf("(%lld of %lld reads, newest first; --limit shows more)\n", (long long)shown,
               (long long)total);
    else if (shown < total)
        printf("（共 %lld 次查阅，显示最近 %lld 次；--limit 可显示更多）\n", (long long)total,
               (long long)shown);
    else
        printf(HL_T("（共 %lld 次查阅%s，最近的在前）\n", "(%lld read%s, newest first)\n"),
               (long long)total, total != 1 ? HL_T("", "s") : "");
    return CLI_EXIT_OK;
}

static const cli_option_spec report_options[] = {
    {"month", true},       {"format", true},          {"out", true},     {"method", true},
    {"min-reached", true}, {"basic-satisfied", true}, {"weights", true}, {"lists", true},
    {"published", false},  {"live", false},           {NULL, false}};

/* Applies the command line's policy options over the stored ones. */
static int report_overrides(const cli_args *args, hl_assessment_policy *policy, hl_error *error)
{
    static const struct {
        const char *option;
        const char *key;
    } simple[] = {{"method", "method"},
                  {"min-reached", "min_reached"},
                  {"basic-satisfied", "basic_counts_satisfied"},
                  {"lists", "list_size"}};
    for (size_t index = 0; index < HL_COUNT_OF(simple); index++) {
        const char *value = cli_args_get(args, simple[index].option);
        if (value == NULL)
            continue;
        /* yes/no read naturally on a command line; the policy takes 1/0. */
        if (strcmp(value, "yes") == 0)
            value = "1";
        else if (strcmp(value, "no") == 0)
            value = "0";
        int result = hl_assessment_policy_set(policy, simple[index].key, value, error);
        if (result != HL_OK)
            return result;
    }
    const char *weights = cli_args_get(args, "weights");
    if (weights != NULL) {
        static const char *const keys[] = {"weight_response", "weight_resolution",
                                           "weight_satisfaction"};
        char copy[64];
        snprintf(copy, sizeof copy, "%s", weights);
        char *cursor = copy;
        for (size_t index = 0; index < HL_COUNT_OF(keys); index++) {
            char *comma = strchr(cursor, ',');
            if ((comma == NULL) != (index + 1 == HL_COUNT_OF(keys)))
                return hl_error_set(error, HL_EINVAL, "weights",
                                    HL_T("--weights 须为三个数：响应,解决,满意",
                                         "--weights takes three numbers: R,S,T"));
            if (comma != NULL)
                *comma = '\0';
            int result = hl_assessment_policy_set(policy, keys[index], cursor, error);
            if (result != HL_OK)
                return result;
            cursor = comma != NULL ? comma + 1 : cursor;
        }
    }
    return hl_assessment_policy_check(policy, error);
}

/* Whether the command line changes the ranking policy: the bulletin is
 * then an analysis with other rules, computed live, not the published one. */
static bool report_overridden(const cli_args *args)
{
    static const char *const options[] = {"method", "min-reached", "basic-satisfied", "weights",
                                          "lists"};
    for (size_t index = 0; index < HL_COUNT_OF(options); index++)
        if (cli_args_get(args, options[index]) != NULL)
            return true;
    return false;
}

/* Writes text to path ("-" or NULL: standard output). */
static int write_output(const char *path, const hl_buf *text, hl_error *error)
{
    FILE *out = stdout;
    int result = HL_OK;
    if (path != NULL && strcmp(path, "-") != 0 && (out = fopen(path, "wb")) == NULL)
        return hl_error_set(error, HL_EINVAL, "out", HL_T("无法写入 %s", "cannot write %s"), path);
    if (fwrite(text->data, 1, text->len, out) != text->len)
        result = hl_error_set(error, HL_EIO, "out", "write failed");
    if (out != stdout && fclose(out) != 0 && result == HL_OK)
        result = hl_error_set(error, HL_EIO, "out", "write failed");
    return result;
}

/* A published month: the published bulletin with its record and its
 * correction, or (--published) the record alone. */
static int report_published(hl_publish_view *view, hl_render_format format, bool xlsx,
                            bool record_only, const char *path, hl_error *error)
{
    hl_render_publication publication;
    char at[40];
    hl_publish_view_describe(view, &publication, at);
    if (xlsx)
        return hl_render_xlsx_write(&view->published, &view->inputs.meta, path, error);
    hl_buf text;
    hl_buf_init(&text);
    int result = HL_OK;
    if (record_only)
        hl_render_publication_record(&publication, format == HL_RENDER_MARKDOWN, &text);
    else
        result = hl_render_published(&publication, &view->inputs.meta, format, &text, error);
    if (result == HL_OK)
        result = write_output(path, &text, error);
    hl_buf_free(&text);
    return result;
}

static int run_report(cli_context *context, const cli_command *command, const cli_args *args)
{
    hl_error error;
    hl_error_clear(&error);
    const char *month_text = cli_args_get(args, "month");
    if (month_text == NULL && args->positional_count == 1)
        month_text = args->positional[0];
    int month = 0;
    if (month_text == NULL || hl_clock_parse_month(hl_slice_of(month_text), &month) != HL_OK)
        return cli_usage_error(command, HL_T("--month 须为 YYYY-MM", "--month takes YYYY-MM"));
    const char *format_text = cli_args_get(args, "format");
    bool xlsx = format_text != NULL && strcmp(format_text, "xlsx") == 0;
    hl_render_format format = HL_RENDER_TEXT;
    if (format_text != NULL && !xlsx && hl_render_format_parse(format_text, &format) != HL_OK)
        return cli_usage_error(command,
                               HL_T("--format 须为 text、markdown、csv、json、html 或 xlsx",
                                    "--format: text, markdown, csv, json, html or xlsx"));
    const char *path = cli_args_get(args, "out");
    if (xlsx && (path == NULL || strcmp(path, "-") == 0))
        return cli_usage_error(command,
                               HL_T("xlsx 格式须用 --out 指定文件", "xlsx needs --out FILE.xlsx"));
    bool record_only = cli_args_has(args, "published");
    bool live = cli_args_has(args, "live") || report_overridden(args);
    if (record_only && (live || xlsx))
        return cli_usage_error(command, HL_T("--published 不可与 --live、排名选项或 xlsx 同用",
                                             "--published goes without --live, the ranking "
                                             "options and xlsx"));
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    if (!live) {
        hl_publish_view view;
        int opened = hl_publish_view_open(app, month, &view, &error);
        if (opened == HL_OK)
            opened = report_published(&view, format, xlsx, record_only, path, &error);
        hl_publish_view_free(&view);
        if (opened != HL_ENOTFOUND || record_only)
            return opened == HL_OK ? CLI_EXIT_OK : cli_fail(&error);
        hl_error_clear(&error); /* not published: the live bulletin */
    }
    hl_assessment_policy policy;
    if (hl_report_policy(app, &policy, &error) != HL_OK ||
        report_overrides(args, &policy, &error) != HL_OK)
        return cli_fail(&error);
    hl_assessment assessment;
    hl_bulletin_meta meta;
    if (hl_report_build(app, month, &policy, &assessment, &meta, &error) != HL_OK)
        return cli_fail(&error);
    int result = HL_OK;
    if (xlsx) {
        result = hl_render_xlsx_write(&assessment, &meta, path, &error);
    } else {
        hl_buf text;
        hl_buf_init(&text);
        result = hl_render_bulletin(&assessment, &meta, format, &text, &error);
        if (result == HL_OK)
            result = write_output(path, &text, &error);
        hl_buf_free(&text);
    }
    hl_assessment_free(&assessment);
    return result == HL_OK ? CLI_EXIT_OK : cli_fail(&error);
}

static const cli_option_spec publish_options[] = {
    {"as", true}, {"new-edition", false}, {"note", true}, {NULL, false}};

static int run_publish(cli_context *context, const cli_command *command, const cli_args *args)
{
    hl_error error;
    hl_error_clear(&error);
    int month = 0;
    if (args->positional_count != 1 ||
        hl_clock_parse_month(hl_slice_of(args->positional[0]), &month) != HL_OK)
        return cli_usage_error(command, HL_T("请给出月份 YYYY-MM", "which month? give YYYY-MM"));
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    hl_publication record;
    if (hl_publish_month(app, cli_args_get(args, "as"), NULL, month,
                         cli_args_has(args, "new-edition"), cli_args_get(args, "note"), &record,
                         &error) != HL_OK)
        return cli_fail(&error);
    printf(HL_T("已公布 %04d-%02d 通报第 %d 版：确定基数 %lld，调查成功 %lld，满意 %lld\n",
                "published the %04d-%02d bulletin, edition %d: %lld surveyed, %lld reached, %lld "
                "satisfied\n"),
           month / 100, month % 100, record.edition, (long long)record.surveyed,
           (long long)record.reached, (long long)record.satisfied);
    printf(HL_T("依据事件哈希链第 %lld 环：%s\n", "computed at event chain link %lld: %s\n"),
           (long long)record.chain.seq, record.chain.hash);
    printf(HL_T("摘要：%s\n", "digest: %s\n"), record.digest);
    return CLI_EXIT_OK;
}

static const cli_option_spec serve_options[] = {{"listen", true},
                                                {"web", true},
                                                {"timeout", true},
                                                {"max-connections", true},
                                                {"threads", true},
                                                {"metrics-token-file", true},
                                                {"max-connections-per-address", true},
                                                {"request-timeout", true},
                                                {"min-body-rate", true},
                                                {"tls-cert", true},
                                                {"tls-key", true},
                                                {NULL, false}};

/* The longest metrics token taken; Prometheus' are a few dozen bytes. */
#define METRICS_TOKEN_MAX 256
/* The shortest: anything shorter could be guessed. */
#define METRICS_TOKEN_MIN 16

/* Reads the metrics token from the first line of path into out (size
 * METRICS_TOKEN_MAX + 1): a file, like Prometheus' credentials_file, so
 * the token shows neither in the process list nor in the environment.
 * HL_EINVAL (field "metrics-token-file") when it cannot be read or is not
 * 16 to 256 printable bytes. */
static int read_metrics_token(const char *path, char *out, hl_error *error)
{
    FILE *file = fopen(path, "r");
    bool read = file != NULL && fgets(out, METRICS_TOKEN_MAX + 2, file) != NULL;
    if (file != NULL)
        fclose(file);
    size_t length = read ? strcspn(out, "\r\n") : 0;
    bool printable = read && length >= METRICS_TOKEN_MIN && length <= METRICS_TOKEN_MAX;
    for (size_t index = 0; printable && index < length; index++)
        printable = out[index] > 0x20 && out[index] < 0x7F;
    if (!printable)
        return hl_error_set(error, HL_EINVAL, "metrics-token-file",
                            HL_T("指标令牌文件须在第一行写 16 到 256 个可打印字符（无空格）：%s",
                                 "the metrics token file must hold 16 to 256 printable characters "
                                 "(no spaces) on its first line: %s"),
                            path);
    out[length] = '\0';
    return HL_OK;
}

/* Reads a whole-number option of serve in [minimum, maximum] into *out
 * (left alone when the option is absent); false when it is not one. */
static bool serve_number(const cli_args *args, const char *name, int64_t minimum, int64_t maximum,
                         unsigned *out)
{
    const char *text = cli_args_get(args, name);
    if (text == NULL)
        return true;
    int64_t value = 0;
    if (hl_text_parse_int(hl_slice_of(text), minimum, maximum, &value) != HL_OK)
        return false;
    *out = (unsigned)value;
    return true;
}

/* The web pages' directory when --web is not given: the source tree's
 * web/ when this binary was built from a tree that still has it, else the
 * installed copy; NULL (no pages) when neither has an index.html. */
static const char *default_web_root(void)
{
    static const char *const candidates[] = {HL_WEB_SOURCE_DIR, HL_WEB_INSTALL_DIR};
    for (size_t index = 0; index < HL_COUNT_OF(candidates); index++) {
        char index_page[PATH_MAX];
        snprintf(index_page, sizeof index_page, "%s/index.html", candidates[index]);
        if (access(index_page, R_OK) == 0)
            return candidates[index];
    }
    return NULL;
}

static int run_serve(cli_context *context, const cli_command *command, const cli_args *args)
{
    if (args->positional_count != 0)
        return cli_usage_error(command, HL_T("serve 不带参数", "serve takes no arguments"));
    hl_error error;
    hl_error_clear(&error);
    const char *listen = cli_args_get(args, "listen");
    char host[64];
    unsigned port;
    if (listen != NULL && hl_server_parse_listen(listen, host, sizeof host, &port, &error) != HL_OK)
        return cli_fail(&error); /* before the store is touched */
    hl_server_options options = {0};
    if (!serve_number(args, "timeout", 1, 3600, &options.timeout_seconds))
        return cli_usage_error(command, HL_T("--timeout 须为 1 到 3600 的整秒数",
                                             "--timeout takes whole seconds from 1 to 3600"));
    if (!serve_number(args, "max-connections", 1, 100000, &options.connection_limit))
        return cli_usage_error(command, HL_T("--max-connections 须为 1 到 100000 的整数",
                                             "--max-connections takes a number from 1 to 100000"));
    if (!serve_number(args, "max-connections-per-address", 1, 100000, &options.per_address_limit))
        return cli_usage_error(
            command, HL_T("--max-connections-per-address 须为 1 到 100000 的整数",
                          "--max-connections-per-address takes a number from 1 to 100000"));
    if (!serve_number(args, "request-timeout", 1, 3600, &options.request_timeout_seconds))
        return cli_usage_error(command,
                               HL_T("--request-timeout 须为 1 到 3600 的整秒数",
                                    "--request-timeout takes whole seconds from 1 to 3600"));
    if (!serve_number(args, "min-body-rate", 1, 100000000, &options.min_body_rate))
        return cli_usage_error(command,
                               HL_T("--min-body-rate 须为 1 到 100000000 的整数（字节/秒）",
                                    "--min-body-rate takes bytes a second, 1 to 100000000"));
    if (!serve_number(args, "threads", 1, 256, &options.threads))
        return cli_usage_error(command, HL_T("--threads 须为 1 到 256 的整数",
                                             "--threads takes a number from 1 to 256"));
    options.tls_cert_path = cli_args_get(args, "tls-cert");
    options.tls_key_path = cli_args_get(args, "tls-key");
    if ((options.tls_cert_path == NULL) != (options.tls_key_path == NULL))
        return cli_usage_error(command, HL_T("--tls-cert 与 --tls-key 须同时给出",
                                             "--tls-cert and --tls-key go together"));
    char metrics_token[METRICS_TOKEN_MAX + 2];
    const char *token_path = cli_args_get(args, "metrics-token-file");
    if (token_path != NULL) {
        if (read_metrics_token(token_path, metrics_token, &error) != HL_OK)
            return cli_fail(&error);
        options.metrics_token = metrics_token;
    }
    /* Open (and create or upgrade) the store once here, so that a store the
     * server cannot use is reported before it listens; each worker thread
     * then opens its own connection. */
    hl_app *app;
    int status = cli_open_app(context, &app);
    if (status != CLI_EXIT_OK)
        return status;
    hl_app_close(context->app);
    context->app = NULL;
    options.db_path = context->db_path;
    options.key_path = context->key_path;
    options.listen = listen;
    options.web_root = cli_args_get(args, "web");
    if (options.web_root == NULL)
        options.web_root = default_web_root();
    hl_server *server = NULL;
    if (hl_server_start(&options, &server, &error) != HL_OK)
        return cli_fail(&error);
    printf(HL_T("hotline 已启动：%s\n", "hotline started: %s\n"), hl_server_url(server));
    if (hl_server_web_root(server) != NULL)
        printf(HL_T("网页目录：%s\n", "web pages: %s\n"), hl_server_web_root(server));
    else
        printf(HL_T("未提供网页（可用 --web 目录 指定）\n",
                    "no web pages (--web DIR names their directory)\n"));
    fflush(stdout); /* whoever started us waits for this line */
    hl_server_wait(server);
    hl_server_stop(server);
    printf(HL_T("hotline 已停止\n", "hotline stopped\n"));
    return CLI_EXIT_OK;
}

static const cli_option_spec init_options[] = {{"time-zone", true}, {NULL, false}};

static const cli_option_spec apikey_options[] = {{"rate", true}, {NULL, false}};
static const cli_option_spec copy_options[] = {{"from", true}, {"to", true}, {NULL, false}};
static const cli_option_spec backup_options[] = {{"key-copy", true}, {NULL, false}};
static const cli_option_spec archive_options[] = {{"before", true}, {NULL, false}};
static const cli_option_spec verify_options[] = {{"archive", true}, {NULL, false}};

const cli_command cli_admin_commands[] = {
    {"report", "月度满意度通报", "the monthly satisfaction bulletin",
     "report --month YYYY-MM [--format text|markdown|csv|json|html|xlsx] [--out FILE] "
     "[--method rate|wilson|score] [--min-reached N] [--basic-satisfied yes|no] [--weights R,S,T] "
     "[--lists N] [--published|--live]",
     "生成月度通报：通报段落、各组排名表、明细表及注释（见 docs/bulletin.md）。排名规则默认取自配置"
     "（hotline config report.<项> 值），可用选项临时改变：--method 按满意率（rate）、Wilson "
     "区间下限（wilson）"
     "或综合得分（score）排名；--min-reached 回访成功不足 N 件不参加排名；--basic-satisfied "
     "基本满意是否计为满意；"
     "--weights 响应率,解决率,满意率 权重；--lists 红黑榜各 N 名。已公布的月份（hotline publish）"
     "显示公布的通报、公布记录（版次、公布人、事件哈希链链头、摘要）及公布后的更正（公布数字、现行"
     "数字与差）；"
     "--published 只显示公布记录，--live 或排名选项显示现行计算的通报。",
     "Renders the monthly bulletin: the notice paragraph, each group's ranking table, the detail "
     "table and "
     "footnotes (docs/bulletin.md). The ranking rules come from the settings (hotline config "
     "report.<key> "
     "value) and may be overridden: --method rate|wilson|score; --min-reached N reached surveys to "
     "be "
     "ranked; --basic-satisfied yes|no; --weights response,resolution,satisfaction; --lists N for "
     "the red "
     "and black lists. A published month (hotline publish) shows the published bulletin, its "
     "record (edition, publisher, the event chain head, the digest) and the correction since "
     "(published figures, current figures and the difference); --published prints the record "
     "alone, --live or a ranking option the bulletin computed now.",
     report_options, run_report, 0},
    {"publish", "公布月度通报", "publish a month's bulletin",
     "publish YYYY-MM --as USER [--new-edition --note TEXT]",
     "由分析员公布某月通报：通报的全部依据（各单位计数、排名规则、标题）连同计算时事件哈希链的链头"
     "、"
     "公布人与时间冻结存档，此后该月通报显示公布的数字，新到的回访或申诉只作为更正列出；"
     "hotline verify 核对每份公布记录。同一月份只公布一次；如需更正，--new-edition --note 原因 "
     "另出新版。重复公布、非分析员公布均被拒绝（退出码 2）。",
     "An analyst publishes a month's bulletin: what it is computed from (each unit's counts, the "
     "ranking rules, the heading) is frozen with the event chain's head it was read at, who "
     "published and when; the month's bulletin then shows the published figures, and later "
     "surveys or appeals appear as a correction only; hotline verify checks every publication. "
     "A month is published once; --new-edition --note WHY publishes a corrected edition. A "
     "second publication or a user who is not an analyst is refused (exit 2).",
     publish_options, run_publish, 0},
    {"init", "创建或升级数据库", "create or upgrade the store", "init [--time-zone ZONE]",
     "创建数据库（若不存在），升级结构版本，并载入内置的工作日日历。--time-zone 设置本地时区"
     "（IANA 名称，默认 Asia/Shanghai；同 hotline config time_zone ZONE）。",
     "Creates the store when absent, upgrades its schema, and seeds the built-in working-day "
     "calendar. "
     "--time-zone sets the local time zone (an IANA name, Asia/Shanghai by default; as hotline "
     "config "
     "time_zone ZONE).",
     init_options, run_init, 0},
    {"load", "从 CSV 加载单位/分类/用户/日历/属性",
     "load units, categories, users, calendar or attributes from CSV",
     "load units|categories|users|calendar|attributes FILE.csv",
     "从 CSV 加载（列见 docs/csv.md）；编码相同的记录被替换。任何一行有错则全部不加载。\n"
     "calendar 用于载入国务院办公厅每年发布的放假安排。attributes 载入诉求分类的附加问题（Open311 "
     "服务定义）：文件中出现的分类，其属性整体替换为文件中的各行。",
     "Loads from CSV (columns in docs/csv.md); records with the same code are replaced. One bad "
     "row "
     "and nothing is loaded.\n`calendar` loads the State Council's yearly holiday notice. "
     "`attributes` "
     "loads the questions categories ask (Open311 service definitions): each category in the file "
     "gets "
     "exactly the file's rows.",
     NULL, run_load, 0},
    {"config", "查看或设置办理时限、时区与通报规则",
     "show or set time limits, the time zone and bulletin rules", "config [KEY VALUE]",
     "不带参数时逐行列出办理时限、时区与账户策略（键、值与名称）；带参数时设置，例如 hotline "
     "config handle_days.complaint 10。"
     "time_zone 为本地时区（IANA 名称，默认 Asia/Shanghai，含夏令时），例如 hotline config "
     "time_zone "
     "America/Los_Angeles：此后显示的时间、本地日期与期限都按该时区计算。"
     "通报规则以 report. 开头：report.method、report.min_reached、report.basic_counts_satisfied、"
     "report.weight_response、report.weight_resolution、report.weight_satisfaction、report.list_"
     "size、"
     "report.group_order（分组顺序，逗号分隔）、report.title、report.hotline_name。"
     "Open311 设置以 open311. 开头：open311.jurisdiction_id、open311.contact、open311.key_service、"
     "open311.service_notice、open311.publish（open311 或 all，见 docs/open311.md）。"
     "账户与会话策略：session.idle_minutes、session.absolute_hours、session.max_per_user、"
     "password.min_length、password.min_classes、password.history（最近几个密码不得再用，0 "
     "为不限）、password.max_age_days（密码有效天数，0 为永不过期）；审计保存期 "
     "audit.retention_days（180 到 3650 天，未满此期的审计记录不归档）（见 docs/security.md）。",
     "Lists the time limits, the time zone and the account policy (key, value and name, one a "
     "line), or sets one, e.g. hotline config "
     "handle_days.complaint 10. "
     "time_zone is the local zone (an IANA name, Asia/Shanghai by default, daylight saving "
     "included), e.g. "
     "hotline config time_zone America/Los_Angeles: every time shown, local day and deadline "
     "follows it. "
     "Bulletin rules start "
     "with report.: report.method, report.min_reached, report.basic_counts_satisfied, "
     "report.weight_response, "
     "report.weight_resolution, report.weight_satisfaction, report.list_size, report.group_order "
     "(group "
     "names, comma-separated), report.title, report.hotline_name. Open311 settings start with "
     "open311.: "
     "open311.jurisdiction_id, open311.contact, open311.key_service, open311.service_notice, "
     "open311.publish (open311 or all; docs/open311.md). The account and session policy: "
     "session.idle_minutes, session.absolute_hours, session.max_per_user, password.min_length, "
     "password.min_classes, password.history (how many of the last passwords may not be used "
     "again; 0: any), password.max_age_days (days a password lasts; 0: forever); the audit's "
     "audit.retention_days (180 to 3650 days; no younger audit record is archived) "
     "(docs/security.md).",
     NULL, run_config, 0},
    {"units", "列出网络单位", "list network units", "units", "列出全部网络单位。",
     "Lists every network unit.", NULL, run_directory_list, 0},
    {"categories", "列出诉求分类", "list categories", "categories",
     "列出诉求分类及其默认单位和时限。", "Lists categories with their default unit and time limit.",
     NULL, run_directory_list, 1},
    {"users", "列出用户", "list users", "users", "列出用户及其角色。",
     "Lists users and their roles.", NULL, run_directory_list, 2},
    {"calendar", "查看工作日日历", "show the working-day calendar", "calendar [--year YYYY]",
     "列出节假日与调休上班日。载入新一年的安排：hotline load calendar FILE.csv。",
     "Lists holidays and working weekend days. Load a new year: hotline load calendar FILE.csv.",
     calendar_options, run_calendar, 0},
    {"workflow", "查看工单流转规则", "show the lifecycle rules", "workflow [--markdown]",
     "列出全部动作；--markdown 输出完整的状态转换表（即 docs/workflow.md 的内容）。",
     "Lists every action; --markdown prints the full transition table (the body of "
     "docs/workflow.md).",
     workflow_options, run_workflow, 0},
    {"verify", "按日志核验全部数据", "verify the store against its log", "verify [--archive FILE]",
     "由事件日志重算全部汇总计数及工单状态并与存储比对，并逐条核验事件日志与审计的哈希链（指出第一"
     "处断开；审计从其锚点起核验，每次锚点移动须有归档事件 audit.archive）；"
     "有差异时逐条列出并以 1 退出。--archive FILE 只核验 hotline audit-archive 写出的归档文件："
     "封印（需要密钥文件）、其中的哈希链，以及它与此存储相接。",
     "Rebuilds every rollup counter and order state from the event log and compares, and checks "
     "the hash chains of the event log and the audits record by record (naming the first broken "
     "link; the audits from their anchors, each move of an anchor having its audit.archive "
     "event); prints each difference and exits 1 when there is any. --archive FILE checks only "
     "an archive written by hotline audit-archive: its seal (the key file is needed), the hash "
     "chains in it, and that it joins this store.",
     verify_options, run_verify, 0},
    {"demo", "载入演示数据", "load the demo data", "demo",
     "载入演示数据：太原市 42 个网络单位、诉求分类、各角色用户，以及 2024 年 2 "
     "月的工单及其完整流转。",
     "Loads the demo: Taiyuan's 42 network units, categories, users of every role, and February "
     "2024 "
     "work orders through their whole lifecycle.",
     NULL, run_demo, 0},
    {"passwd", "设置用户密码", "set a user's password", "passwd USER",
     "从标准输入读取一行作为 USER 的新密码（至少 8 个字符，最多 1024 字节），以 argon2id 散列保存，"
     "并使该用户现有的全部会话失效。例：printf '%s\\n' 'new-secret-1' | hotline passwd agent1。"
     "演示数据的账号密码均为 " HL_AUTH_DEMO_PASSWORD "。",
     "Reads one line from standard input as USER's new password (at least 8 characters, at most "
     "1024 "
     "bytes), stores it as an argon2id hash, and ends every session of that user. E.g. "
     "printf '%s\\n' 'new-secret-1' | hotline passwd agent1. The demo accounts' password "
     "is " HL_AUTH_DEMO_PASSWORD ".",
     NULL, run_passwd, 0},
    {"unlock", "解除账号的登录等待", "lift an account's login wait", "unlock USER",
     "连续登录失败后账号须等待（第 5 次失败起等待 1 分钟，此后每次加倍，最长 15 "
     "分钟，见 docs/security.md）；unlock 立即解除，并记入审计（cli:系统用户）。"
     "安全管理员也可在网页或 PUT /api/v1/users/USER {\"unlock\":true} 解除。",
     "After failed logins an account waits (1 minute from the 5th failure, doubling with each "
     "further one, at most 15 minutes; docs/security.md); unlock lifts the wait at once and "
     "records it in the audit (cli:<system user>). A security administrator does the same with "
     "PUT /api/v1/users/USER {\"unlock\":true}.",
     NULL, run_unlock, 0},
    {"audit", "查看联系电话的查阅记录", "list the reads of citizens' phone numbers",
     "audit [--order NUMBER] [--user USER] [--since DATE] [--limit N] | audit --security [--limit "
     "N]",
     "列出完整联系电话的每次查阅（时间、工单、查阅人、途径），最近的在前，默认最多 100 "
     "条。查阅人为用户名，命令行为 "
     "cli:系统用户。--order 某件工单，--user 某个查阅人，--since "
     "某日（YYYY-MM-DD）起。--security 改为列出安全事件（时间、操作人、地址、动作、对象、结果、"
     "说明：登录、改密码、解锁、用户与设置的变更、备份与恢复等），最近的在前，默认最多 100 "
     "条。供审计管理员核查。",
     "Lists every read of a full phone number (time, order, who, by which route), newest first, at "
     "most 100 by "
     "default. Who is a username, or cli:<system user> for the command line. --order one order, "
     "--user one "
     "reader, --since from a day (YYYY-MM-DD). --security lists the security events instead "
     "(time, actor, address, action, target, outcome, detail: logins, password changes, unlocks, "
     "changes of users and settings, backups and restores, ...), newest first, at most 100 by "
     "default. For the audit administrator.",
     audit_options, run_audit, 0},
    {"serve", "启动 HTTP 服务", "run the HTTP server",
     "serve [--listen HOST:PORT] [--web DIR] [--timeout SECONDS] [--max-connections N] [--threads "
     "N] [--metrics-token-file FILE] [--max-connections-per-address N] [--request-timeout SECONDS] "
     "[--min-body-rate BYTES] [--tls-cert FILE --tls-key FILE]",
     "启动 HTTP 服务（默认 127.0.0.1:8080），直到收到 SIGTERM 或 "
     "Ctrl-C。--timeout：连接空闲多少秒后关闭，"
     "也是客户端发完请求行与请求头的时限（默认 "
     "30，防慢速攻击）；--max-connections：同时连接数上限（默认 "
     "1000）；--max-connections-per-address："
     "同一客户端地址的同时连接数上限（默认 "
     "100；在反向代理之后请调高）；--request-timeout：整个请求（含请求体）"
     "须在连接打开或上次应答后多少秒内发完（默认 60）；--min-body-rate：请求体开始 5 "
     "秒后的最低平均速率，字节/秒（默认 1024）；--threads：工作线程数"
     "（默认为 CPU 核数）；--metrics-token-file：文件第一行为 /metrics 的 Bearer 令牌（未给出时 "
     "/metrics 只回答本机回环地址）。路由：/healthz、/metrics、"
     "/api/v1/login、/api/v1/logout、/api/v1/password、/api/v1/orders/编号、/api/v1/orders/编号/"
     "events、"
     "/api/v1/orders/编号/earlier、/api/v1/callers?phone=电话、/api/v1/audit/phone-reads、"
     "/api/v1/reports/YYYY-MM、/api/v1/apikeys（见 docs/api.md），以及 Open311 GeoReport v2 接口 "
     "/open311/v2/（见 docs/open311.md）。除 /healthz、/metrics、登录与 Open311 外均须登录（Bearer "
     "令牌或会话 "
     "Cookie），可读内容按角色而定。其余路径为网页（--web 目录，默认为源代码树或安装目录中的 web/；"
     "见 docs/web.md）。--tls-cert 与 --tls-key：以 HTTPS 服务，证书链与私钥均为 PEM "
     "文件（服务器证书在前，私钥不得"
     "加密、不得对其他用户开放）；只用 TLS 1.2 与 1.3 及带前向保密的 AEAD 加密套件，每个回答带 "
     "Strict-Transport-Security，Cookie 均带 Secure；收到 SIGHUP "
     "时重新读取两个文件，不断开已有连接（新文件有误则"
     "继续用原证书并记一行日志）。未给出时为明文 HTTP：请只在本机或可信网络上监听，或置于 HTTPS "
     "反向代理之后（见 docs/deploy.md）。",
     "Runs the HTTP server (default 127.0.0.1:8080) until SIGTERM or Ctrl-C. --timeout: seconds "
     "after "
     "which an idle connection is closed, and within which a client must send a request's line and "
     "headers (default 30; cuts off slow clients); --max-connections: "
     "connections at once (default 1000); --max-connections-per-address: connections at once from "
     "one client address (default 100; raise it behind a reverse proxy); --request-timeout: "
     "seconds within which a whole request, body included, must arrive after the connection "
     "opened or its previous answer (default 60); --min-body-rate: the least average rate of a "
     "body once it has been under way for 5 s, in bytes a second (default 1024); --threads: "
     "worker threads (default: the cores); "
     "--metrics-token-file: a file whose first line is the Bearer token /metrics asks for "
     "(without it, /metrics answers only the loopback interface). Routes: "
     "/healthz, /metrics, "
     "/api/v1/login, /api/v1/logout, /api/v1/password, /api/v1/orders/NUMBER, "
     "/api/v1/orders/NUMBER/events, "
     "/api/v1/orders/NUMBER/earlier, /api/v1/callers?phone=PHONE, /api/v1/audit/phone-reads, "
     "/api/v1/reports/YYYY-MM, "
     "/api/v1/apikeys "
     "(docs/api.md), and Open311 GeoReport v2 under /open311/v2/ (docs/open311.md). All but "
     "/healthz, /metrics, "
     "login and Open311 need a session (a Bearer token or the session cookie); what a user may "
     "read depends on "
     "the role. Every other path is the web pages (--web DIR; by default web/ of the source tree "
     "or of the "
     "installed share directory; docs/web.md). --tls-cert and --tls-key: serve HTTPS with this PEM "
     "certificate chain (the server's certificate first) and PEM key (not encrypted, not open to "
     "other users); TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy only, "
     "Strict-Transport-Security on every answer, every cookie Secure; SIGHUP reads both files "
     "again without dropping a connection (a bad new file keeps the previous certificate and logs "
     "one line). Without them the server speaks plain HTTP: listen only on this machine or a "
     "trusted network, or behind an HTTPS reverse proxy (docs/deploy.md).",
     serve_options, run_serve, 0},
    {"apikey", "管理 Open311 API 密钥", "manage Open311 API keys",
     "apikey create NAME [--rate N] | list | revoke ID",
     "create 为一个应用创建 Open311 API 密钥（--rate：每分钟 POST 次数，默认 60，1 至 "
     "6000；查询为其 10 倍），"
     "密钥只显示这一次，数据库中只存其散列；list 列出全部密钥（只显示前 8 位）；revoke "
     "吊销一个密钥，"
     "此后使用它的请求一律被拒绝（403）。见 docs/open311.md。",
     "create makes an Open311 API key for an application (--rate: POST requests per minute, "
     "default 60, 1 to "
     "6000; reads get ten times as many); the key is shown only this once and the store keeps only "
     "its hash. "
     "list shows every key (its first 8 characters only); revoke revokes one: requests with it are "
     "refused "
     "(403) from then on. See docs/open311.md.",
     apikey_options, cli_run_apikey, 0},
    {"copy", "把整个数据库复制到另一个存储", "copy a whole store into another",
     "copy --from SRC --to DST",
     "把 SRC 的全部数据（配置、目录、用户及其密码散列、日历、工单及其加密电话、事件日志、汇总、"
     "会话、API 密钥、Open311 记录、查阅审计）复制到空的 DST，一个事务，要么全部完成，要么 DST "
     "不变。SRC 与 DST 是文件路径（SQLite）或 postgresql:// 地址，可任意组合。DST 不是空的则拒绝"
     "（退出码 2）。电话以加密形式原样复制：DST 必须使用 SRC 的密钥文件。复制后逐表比对摘要。"
     "见 docs/moving.md。",
     "Copies everything in SRC (config, directory, users with their password hashes, calendar, "
     "orders with their sealed phones, the event log, rollups, sessions, API keys, Open311 "
     "records, the audit of phone reads) into the empty store DST in one transaction: all of it, "
     "or DST unchanged. SRC and DST are file paths (SQLite) or postgresql:// addresses, in any "
     "pair. A DST that is not empty is refused (exit 2). Phones are copied sealed, as they are: "
     "use DST with SRC's key file. Every table's digest is compared after the copy. See "
     "docs/moving.md.",
     copy_options, cli_run_copy, 0},
    {"backup", "在线备份整个数据库", "back up the whole store, online",
     "backup DEST [--key-copy PATH]",
     "把 --db 数据库的全部数据写入新文件 DEST（SQLite 格式，权限 0600，不覆盖已有文件），取自同一"
     "个读快照：服务照常写入，备份就是开始那一刻的数据，逐表比对摘要。SQLite 与 PostgreSQL "
     "均可。备份不含密钥文件（电话在备份中仍是加密的）；--key-copy PATH 另把密钥文件复制到 "
     "PATH，PATH 不得与 DEST 在同一目录。也不含限流计数（<数据库>.counters，恢复后重新计数）。"
     "每次备份记入查阅审计（途径 backup）。见 docs/deploy.md。",
     "Writes everything in the --db store into the new file DEST (SQLite format, mode 0600, never "
     "over an existing file) from one read snapshot: servers keep writing, and the backup is the "
     "store as it was when it began, checked table by table against that snapshot. SQLite and "
     "PostgreSQL alike. The backup holds no key file (its phones stay sealed); --key-copy PATH "
     "also copies the key file to PATH, which may not be in DEST's directory. Throttle counters "
     "(<store>.counters) are not kept: they start again after a restore. Each backup is recorded "
     "in the audit of reads (route backup). See docs/deploy.md.",
     backup_options, cli_run_backup, 0},
    {"restore", "把备份恢复到空数据库", "restore a backup into an empty store", "restore SOURCE",
     "先用密钥文件（--key-file，默认 <--db>.key）打开备份 SOURCE 并按日志核验（同 hotline "
     "verify），通过后才把它复制到 --db 指定的空数据库（SQLite 文件或 postgresql:// 地址），"
     "一个事务。备份缺失、损坏、密钥不符或核验有差异，或目标不是空的，则拒绝（退出码 2），目标"
     "不变。恢复记入目标的查阅审计（途径 restore）。见 docs/deploy.md。",
     "Opens the backup SOURCE with the key file (--key-file, by default <--db>.key) and checks "
     "it against its log as hotline verify does; only then copies it into the empty store --db "
     "names (an SQLite file or a postgresql:// address), in one transaction. A backup that is "
     "missing, damaged, of another key or with differences, or a target that is not empty, is "
     "refused (exit 2) and the target left as it was. The restore is recorded in the target's "
     "audit of reads (route restore). See docs/deploy.md.",
     NULL, cli_run_restore, 0},
    {"audit-archive", "把旧的审计记录移入签封的归档文件",
     "move old audit records into a sealed archive", "audit-archive [--before DATE] FILE",
     "把电话查阅审计与安全事件审计中早于 DATE 的记录（按哈希链顺序，遇到第一条不够旧的即停）写入"
     "新文件 FILE（SQLite 格式，权限 0600，不覆盖已有文件），用备份的封印（密钥文件）签封，读回"
     "核验后，在一个事务中移动两条链的锚点、删除已归档的记录，并记入安全事件 audit.archive。"
     "DATE 默认为现在减去 audit.retention_days（默认 180 天）；更晚的 DATE 被拒绝（退出码 2，"
     "不写文件）。工单事件日志从不归档。hotline verify --archive FILE 核验归档文件。见 "
     "docs/security.md。",
     "Writes the records of the audit of phone reads and of the audit of security events older "
     "than DATE (in hash chain order, stopping at the first that is not) into the new file FILE "
     "(SQLite format, mode 0600, never over an existing file), sealed with the backup's seal "
     "(the key file); after reading it back and checking it, moves both chains' anchors, "
     "deletes the archived records and records the security event audit.archive, in one "
     "transaction. DATE is by default now less audit.retention_days (180 days by default); a "
     "later DATE is refused (exit 2, no file written). The work-order event log is never "
     "archived. hotline verify --archive FILE checks an archive. See docs/security.md.",
     archive_options, cli_run_archive, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
