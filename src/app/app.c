/* app.c: opening the platform, registering orders and applying lifecycle
 * actions, each in its own transaction.
 *
 * A newcomer can read hl_app_act top to bottom and see every step of an
 * action: load the order and the actor, check the named units, let the
 * workflow decide, write the order, its event and its counters, commit.
 * Rules live in domain/; SQL lives in store/; this module only orders the
 * steps. It does not parse CSV (transfer_*.c) or check the log (verify.c). */
#include "app/app_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/secrets.h"
#include "base/array.h"
#include "base/contract.h"
#include "base/i18n.h"

extern const char hl_builtin_calendar[];
extern const size_t hl_builtin_calendar_size;

static int load_limit(void *context, const char *key, const char *value)
{
    hl_app *app = context;
    if (strncmp(key, "limits.", 7) != 0)
        return 0;
    hl_error ignored;
    /* A value that this build no longer accepts keeps the default; `hotline
     * config` shows what is in force. */
    hl_limits_set(&app->limits, key + 7, value, &ignored);
    return 0;
}

/* The config key of the settings generation: a count, bumped by every
 * write of the calendar or the limits. */
#define SETTINGS_GENERATION_KEY "settings.generation"

static int read_generation(hl_app *app, int64_t *out, hl_error *error)
{
    char value[32] = "";
    *out = 0;
    int result =
        hl_store_config_get(app->store, SETTINGS_GENERATION_KEY, value, sizeof value, error);
    if (result == HL_ENOTFOUND)
        return HL_OK;
    if (result == HL_OK && hl_text_parse_int(hl_slice_of(value), 0, INT64_MAX, out) != HL_OK)
        *out = 0;
    return result;
}

/* The config key of the store's time zone. */
#define TIME_ZONE_KEY "time_zone"

/* The zone the store names (within the caller's read), or the default. The
 * default falls back to its built-in stand-in on a machine without zone
 * data; a zone someone set does not: its times would silently be wrong. */
static int read_zone(hl_app *app, const hl_zone **out, hl_error *error)
{
    char name[HL_ZONE_NAME_MAX + 1] = "";
    int result = hl_store_config_get(app->store, TIME_ZONE_KEY, name, sizeof name, error);
    if (result == HL_ENOTFOUND || (result == HL_OK && name[0] == '\0')) {
        hl_error ignored;
        if (hl_zone_get(HL_ZONE_DEFAULT, out, &ignored) != HL_OK)
            *out = hl_zone_builtin_default();
        hl_error_clear(error);
        return HL_OK;
    }
    if (result != HL_OK)
        return result;
    return hl_zone_get(name, out, error);
}

/* Loads the calendar, the limits and the time zone, with the generation
 * they belong to, from one snapshot. */
static int load_settings(hl_app *app, hl_error *error)
{
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    hl_limits saved = app->limits;
    hl_limits_default(&app->limits);
    int64_t generation = 0;
    int result = hl_store_begin_read(app->store, error);
    if (result == HL_OK)
        result = read_generation(app, &generation, error);
    if (result == HL_OK)
        result = hl_store_calendar_load(app->store, &calendar, error);
    if (result == HL_OK)
        result = hl_store_config_each(app->store, load_limit, app, error);
    const hl_zone *zone = NULL;
    if (result == HL_OK)
        result = read_zone(app, &zone, error);
    hl_store_rollback(app->store);
    if (result != HL_OK) {
        app->limits = saved;
        hl_calendar_free(&calendar);
        return result;
    }
    hl_calendar_free(&app->calendar);
    app->calendar = calendar;
    app->zone = zone;
    hl_clock_set_zone(zone);
    app->settings_generation = generation;
    return HL_OK;
}

int hl_app_refresh(hl_app *app, hl_error *error)
{
    int64_t generation = 0;
    int result = read_generation(app, &generation, error);
    if (result != HL_OK || generation == app->settings_generation)
        return result;
    return load_settings(app, error);
}

int hl_app_bump_settings(hl_app *app, hl_error *error)
{
    int64_t generation = 0;
    int result = read_generation(app, &generation, error);
    if (result != HL_OK)
        return result;
    char value[32];
    snprintf(value, sizeof value, "%lld", (long long)generation + 1);
    return hl_store_config_set(app->store, SETTINGS_GENERATION_KEY, value, error);
}

int hl_app_open(const char *path, hl_app **out, hl_error *error)
{
    return hl_app_open_keyed(path, NULL, out, error);
}

int hl_app_open_keyed(const char *path, const char *key_path, hl_app **out, hl_error *error)
{
    hl_app *app = hl_xcalloc(1, sizeof *app);
    hl_calendar_init(&app->calendar);
    hl_limits_default(&app->limits);
    int result = hl_store_open(path, &app->store, error);
    if (result == HL_OK) {
        char *default_path = key_path == NULL ? hl_secrets_default_key_path(path) : NULL;
        result = hl_secrets_unlock_store(app, key_path != NULL ? key_path : default_path,
                                         &app->secrets, error);
        free(default_path);
    }
    if (result == HL_OK)
        result = load_settings(app, error);
    if (result != HL_OK) {
        hl_app_close(app);
        return result;
    }
    *out = app;
    return HL_OK;
}

void hl_app_close(hl_app *app)
{
    if (app == NULL)
        return;
    if (app->store != NULL)
        hl_store_close(app->store);
    hl_secrets_free(app->secrets); /* after the store, which holds its codec */
    hl_calendar_free(&app->calendar);
    free(app);
}

int hl_app_begin(hl_app *app, hl_error *error)
{
    HL_REQUIRE(app != NULL && app->store != NULL);
    app->last_prefix = 0;
    app->last_id = 0;
    return hl_store_begin(app->store, error);
}

int hl_app_finish(hl_app *app, int status, hl_error *error)
{
    return hl_store_finish(app->store, status, error);
}

/* The first pause before a retry; each further one doubles it. A deadlock
 * or a serialization failure is found out by the database within a
 * statement, so the other transaction is usually done a few milliseconds
 * later: 2, 4, 8, 16 ms on average, 45 ms at most in all. */
#define RETRY_PAUSE_MICROSECONDS 2000

bool hl_app_again(hl_app *app, int *attempt, int *result, hl_error *error)
{
    (void)app;
    if (*result != HL_ERETRY)
        return false;
    *attempt += 1;
    if (*attempt >= HL_APP_ATTEMPTS) {
        *result = hl_error_set(error, HL_EUNAVAILABLE, NULL, "%s",
                               HL_T("数据库正忙（写入冲突，已重试多次），请稍后再试",
                                    "the store is busy (conflicting writes, retried several "
                                    "times): try again shortly"));
        return false;
    }
    /* Between half and one and a half of the attempt's pause, so that the
     * transactions that met spread out. */
    uint32_t base = (uint32_t)RETRY_PAUSE_MICROSECONDS << (*attempt - 1);
    /* sodium_init is idempotent; randombytes wants it once. Without it,
     * the pause is not random but still bounded. */
    uint32_t pause = sodium_init() < 0 ? base : base / 2 + randombytes_uniform(base);
    struct timespec wait = {(time_t)(pause / 1000000), (long)(pause % 1000000) * 1000};
    while (nanosleep(&wait, &wait) != 0 && errno == EINTR)
        continue;
    hl_error_clear(error);
    return true;
}

hl_app *hl_app_of_store(hl_store *store)
{
    hl_app *app = hl_xcalloc(1, sizeof *app);
    hl_calendar_init(&app->calendar);
    hl_limits_default(&app->limits);
    app->store = store;
    return app;
}

const hl_calendar *hl_app_calendar(const hl_app *app)
{
    return &app->calendar;
}

const hl_limits *hl_app_limits(const hl_app *app)
{
    return &app->limits;
}

const hl_zone *hl_app_zone(const hl_app *app)
{
    return app->zone;
}

int hl_app_load_calendar(hl_app *app, const char *text, size_t length, size_t *loaded,
                         hl_error *error)
{
    hl_calendar notice;
    hl_calendar_init(&notice);
    int result = hl_calendar_parse_csv(&notice, text, length, error);
    int attempt = 0;
    bool parsed = result == HL_OK;
    while (parsed) {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            break;
        for (size_t index = 0; index < notice.count && result == HL_OK; index++)
            result = hl_store_calendar_put(app->store, &notice.entries[index], error);
        if (result == HL_OK)
            result = hl_app_bump_settings(app, error);
        result = hl_app_finish(app, result, error);
        if (!hl_app_again(app, &attempt, &result, error))
            break;
    }
    if (result == HL_OK) {
        for (size_t index = 0; index < notice.count; index++)
            hl_calendar_set(&app->calendar, notice.entries[index].day, notice.entries[index].kind,
                            notice.entries[index].festival);
        if (loaded != NULL)
            *loaded = notice.count;
    }
    hl_calendar_free(&notice);
    return result;
}

int hl_app_init(hl_app *app, hl_error *error)
{
    if (app->calendar.count > 0)
        return HL_OK;
    return hl_app_load_calendar(app, hl_builtin_calendar, hl_builtin_calendar_size, NULL, error);
}

int hl_app_set_limit(hl_app *app, const char *key, const char *value, hl_error *error)
{
    hl_limits changed = app->limits;
    int result = hl_limits_set(&changed, key, value, error);
    if (result != HL_OK)
        return result;
    char stored_key[96];
    snprintf(stored_key, sizeof stored_key, "limits.%s", key);
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK) {
            result = hl_store_config_set(app->store, stored_key, value, error);
            if (result == HL_OK)
                result = hl_app_bump_settings(app, error);
            result = hl_app_finish(app, result, error);
        }
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK)
        app->limits = changed;
    return result;
}

int hl_app_set_time_zone(hl_app *app, const char *name, hl_error *error)
{
    const hl_zone *zone;
    int result = hl_zone_get(name, &zone, error);
    if (result != HL_OK)
        return result;
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK) {
            result = hl_store_config_set(app->store, TIME_ZONE_KEY, hl_zone_name(zone), error);
            if (result == HL_OK)
                result = hl_app_bump_settings(app, error);
            result = hl_app_finish(app, result, error);
        }
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK) {
        app->zone = zone;
        hl_clock_set_zone(zone);
    }
    return result;
}

int hl_app_user_display_name(hl_app *app, const char *username, char *out, size_t size,
                             hl_error *error)
{
    HL_REQUIRE(username != NULL && out != NULL && size > 0);
    out[0] = '\0';
    hl_user user;
    int result = hl_store_user_get(app->store, username, &user, error);
    if (result == HL_ENOTFOUND) {
        hl_error_clear(error);
        return HL_OK;
    }
    if (result != HL_OK)
        return result;
    snprintf(out, size, "%s", user.display_name);
    return HL_OK;
}

int hl_app_load_actor(hl_app *app, const char *username, hl_user *out, hl_error *error)
{
    if (username == NULL || username[0] == '\0')
        return hl_error_set(error, HL_EINVAL, "actor",
                            HL_T("未指明操作人（--as 用户名）", "who is acting? (--as USER)"));
    int result = hl_store_user_get(app->store, username, out, error);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EROLE, "actor", HL_T("用户 %s 不存在", "no user %s"),
                            username);
    if (result == HL_OK && !out->active)
        return hl_error_set(error, HL_EROLE, "actor", HL_T("用户 %s 已停用", "user %s is disabled"),
                            username);
    return result;
}

/* Checks that a unit named by a request exists and still takes orders. */
static int check_unit_active(hl_app *app, const char *code, const char *field, hl_error *error)
{
    hl_unit unit;
    int result = hl_store_unit_get(app->store, code, &unit, error);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EINVAL, field, HL_T("单位 %s 不存在", "no unit %s"), code);
    if (result == HL_OK && !unit.active)
        return hl_error_set(error, HL_EINVAL, field, HL_T("单位 %s 已撤销", "unit %s is retired"),
                            code);
    return result;
}

static int check_co_units_exist(hl_app *app, const char *list, hl_error *error)
{
    if (list == NULL)
        return HL_OK;
    const char *cursor = list;
    while (*cursor != '\0') {
        const char *comma = strchr(cursor, ',');
        hl_slice item = {cursor, comma != NULL ? (size_t)(comma - cursor) : strlen(cursor)};
        item = hl_slice_trim(item);
        char code[HL_CODE_BYTES];
        if (item.len > 0) {
            int result = hl_directory_copy_code(code, item, "co_units", error);
            if (result == HL_OK)
                result = check_unit_active(app, code, "co_units", error);
            if (result != HL_OK)
                return result;
        }
        if (comma == NULL)
            break;
        cursor = comma + 1;
    }
    return HL_OK;
}

static int write_rollups(hl_app *app, const hl_event *event, hl_rollup_map *batch, hl_error *error)
{
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    size_t count = hl_rollup_of_event(event, deltas);
    for (size_t index = 0; index < count; index++) {
        if (batch != NULL) {
            hl_rollup_map_add(batch, &deltas[index]);
            continue;
        }
        int result = hl_store_rollup_add(app->store, &deltas[index], error);
        if (result != HL_OK)
            return result;
    }
    return HL_OK;
}

struct flush_context {
    hl_app *app;
    hl_error *error;
    int result;
};

static void flush_one(void *context, const hl_rollup_delta *entry)
{
    struct flush_context *flush = context;
    if (flush->result == HL_OK)
        flush->result = hl_store_rollup_add(flush->app->store, entry, flush->error);
}

int hl_app_flush_rollups(hl_app *app, const hl_rollup_map *batch, hl_error *error)
{
    struct flush_context flush = {app, error, HL_OK};
    hl_rollup_map_each(batch, flush_one, &flush);
    return flush.result;
}

/* Gives an order the next number of the day it was received. */
static int assign_number(hl_app *app, hl_order *order, hl_error *error)
{
    int64_t prefix = hl_order_number_prefix(order->received_at);
    if (prefix != app->last_prefix) {
        int64_t highest = 0;
        int result = hl_store_order_max_id(app->store, prefix + 1,
                                           prefix + HL_ORDER_SEQUENCE_LIMIT - 1, &highest, error);
        if (result != HL_OK)
            return result;
        app->last_prefix = prefix;
        app->last_id = highest > 0 ? highest : prefix;
    }
    if (app->last_id + 1 >= prefix + HL_ORDER_SEQUENCE_LIMIT)
        return hl_error_set(error, HL_ECONFLICT, "number",
                            HL_T("当日工单编号已用尽", "the day's order numbers are used up"));
    order->id = ++app->last_id;
    return HL_OK;
}

int hl_app_prepare_registration(hl_app *app, const hl_user *actor, hl_order *order, hl_time now,
                                hl_event *event, hl_error *error)
{
    order->version = 0;
    order->state = HL_STATE_NONE;
    hl_workflow_context context = {&app->calendar, &app->limits, 0};
    int result =
        hl_workflow_apply(order, HL_ACTION_REGISTER, actor, NULL, &context, now, event, error);
    if (result != HL_OK || order->id == 0)
        return result;
    /* A number chosen by the caller must be one this platform could give. */
    char number[24];
    int64_t parsed;
    hl_order_format_number(order->id, number, sizeof number);
    if (hl_order_parse_number(hl_slice_of(number), &parsed) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "number",
                            HL_T("工单编号格式不正确", "malformed order number"));
    return HL_OK;
}

int hl_app_seal_phone(hl_app *app, const hl_order *order, hl_sealed_phone *out, hl_error *error)
{
    char phone[HL_PHONE_BYTES];
    size_t length = strnlen(order->citizen_phone, sizeof order->citizen_phone);
    memcpy(phone, order->citizen_phone, length < sizeof phone ? length : sizeof phone - 1);
    phone[length < sizeof phone ? length : sizeof phone - 1] = '\0';
    return hl_secrets_seal_order(app->secrets, phone, order->citizen_name, order->address, out,
                                 error);
}

int hl_app_store_registration(hl_app *app, hl_order *order, hl_event *event, hl_rollup_map *batch,
                              hl_error *error)
{
    return hl_app_store_sealed_registration(app, order, NULL, event, batch, error);
}

int hl_app_store_sealed_registration(hl_app *app, hl_order *order, const hl_sealed_phone *sealed,
                                     hl_event *event, hl_rollup_map *batch, hl_error *error)
{
    int result = HL_OK;
    if (order->id == 0)
        result = assign_number(app, order, error);
    else if (hl_order_number_prefix(order->received_at) == app->last_prefix &&
             order->id > app->last_id)
        app->last_id =
            order->id; /* a number chosen by the caller may be above the cached last one */
    if (result != HL_OK)
        return result;
    event->order_id = order->id;
    result = hl_store_order_insert_sealed(app->store, order, sealed, error);
    if (result == HL_ECONFLICT) {
        char number[24];
        hl_order_format_number(order->id, number, sizeof number);
        return hl_error_set(error, HL_ECONFLICT, "number",
                            HL_T("工单 %s 已存在", "order %s already exists"), number);
    }
    if (result == HL_OK)
        result = hl_store_event_append(app->store, event, error);
    if (result == HL_OK)
        result = write_rollups(app, event, batch, error);
    return result;
}

int hl_app_register_within(hl_app *app, const hl_user *actor, hl_order *order, hl_time now,
                           hl_event *event, hl_rollup_map *batch, hl_error *error)
{
    int result = hl_app_prepare_registration(app, actor, order, now, event, error);
    if (result == HL_OK)
        result = hl_app_store_registration(app, order, event, batch, error);
    return result;
}

int hl_app_check_category(hl_app *app, const char *code, hl_error *error)
{
    if (code[0] == '\0')
        return HL_OK;
    hl_category category;
    int result = hl_store_category_get(app->store, code, &category, error);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EINVAL, "category",
                            HL_T("诉求分类 %s 不存在", "no category %s"), code);
    if (result == HL_OK && !category.active)
        return hl_error_set(error, HL_EINVAL, "category",
                            HL_T("诉求分类 %s 已停用", "category %s is retired"), code);
    return result;
}

/* Registers within one transaction, retried on a busy store. earliest: a
 * received time before it is refused (0: none), checked after the role
 * and the fields, so that a refusal names the first real obstacle. */
static int register_order(hl_app *app, const char *actor, const hl_order *registration, hl_time now,
                          hl_time earliest, int64_t *id, hl_error *error)
{
    hl_user user;
    hl_order *order = hl_xmalloc(sizeof *order);
    hl_event *event = hl_xmalloc(sizeof *event);
    int attempt = 0, result;
    do {
        /* From the registration as given: a failed attempt numbered it. */
        memcpy(order, registration, sizeof *order);
        result = hl_app_begin(app, error);
        if (result == HL_OK) {
            result = hl_app_load_actor(app, actor, &user, error);
            if (result == HL_OK)
                result = hl_app_check_category(app, order->category, error);
            if (result == HL_OK && order->received_at > now + HL_FUTURE_TOLERANCE_SECONDS)
                result = hl_error_set(
                    error, HL_EINVAL, "received_at",
                    HL_T("受理时间晚于当前时间", "the received time is in the future"));
            if (result == HL_OK)
                result = hl_app_prepare_registration(app, &user, order, now, event, error);
            if (result == HL_OK && order->received_at < earliest)
                result = hl_error_set(error, HL_EINVAL, "received_at",
                                      HL_T("受理时间早于 %d 天前：历史工单请用 hotline import 导入",
                                           "the received time is more than %d days ago: history "
                                           "is brought in with hotline import"),
                                      HL_RECEIVED_PAST_DAYS);
            if (result == HL_OK)
                result = hl_app_store_registration(app, order, event, NULL, error);
            result = hl_app_finish(app, result, error);
        }
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK && id != NULL)
        *id = order->id;
    free(order);
    free(event);
    return result;
}

int hl_app_register(hl_app *app, const char *actor, const hl_order *registration, hl_time now,
                    int64_t *id, hl_error *error)
{
    return register_order(app, actor, registration, now, 0, id, error);
}

int hl_app_register_recent(hl_app *app, const char *actor, const hl_order *registration,
                           hl_time now, int64_t *id, hl_error *error)
{
    return register_order(app, actor, registration, now,
                          now - (hl_time)HL_RECEIVED_PAST_DAYS * 86400, id, error);
}

static int not_found(int64_t id, hl_error *error)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(error, HL_ENOTFOUND, "order", HL_T("工单 %s 不存在", "no order %s"),
                        number);
}

/* The steps of one action, inside the transaction that hl_app_act opened. */
static int act_within(hl_app *app, const char *actor, int64_t id, hl_action action,
                      const hl_app_request *request, hl_time now, hl_order *order,
                      hl_order *merge_target, hl_event *event, hl_error *error)
{
    hl_user user;
    int result = hl_app_load_actor(app, actor, &user, error);
    if (result != HL_OK)
        return result;
    result = hl_store_order_get(app->store, id, order, error);
    if (result == HL_ENOTFOUND)
        return not_found(id, error);
    if (result != HL_OK)
        return result;
    if (request->visible != NULL && !request->visible(&user, order))
        return not_found(id, error);
    if (request->expected_version != 0 && request->expected_version != order->version)
        return hl_error_set(error, HL_ECONFLICT, "version",
                            HL_T("工单已被他人更新（版本 %lld，而非 %lld），请刷新后重试",
                                 "the order changed (version %lld, not %lld): reload it"),
                            (long long)order->version, (long long)request->expected_version);

    const hl_workflow_rule *rule = hl_workflow_rule_of(action);
    /* The named units are checked only where the workflow would otherwise
     * allow the action, so that a refusal names the first real obstacle. */
    if ((rule->required & HL_NEED_UNIT) != 0 && request->unit != NULL && request->unit[0] != '\0' &&
        (rule->from_states & HL_STATE_BIT(order->state)) != 0 &&
        (rule->roles & HL_ROLE_BIT(user.role)) != 0) {
        result = check_unit_active(app, request->unit, "unit", error);
        if (result == HL_OK)
            result = check_co_units_exist(app, request->co_units, error);
        if (result != HL_OK)
            return result;
    }
    hl_action_input input = {request->unit, request->co_units, request->note,   request->days,
                             NULL,          request->outcome,  request->rating, request->resolved};
    if (action == HL_ACTION_MERGE && request->into != 0) {
        result = hl_store_order_get(app->store, request->into, merge_target, error);
        if (result == HL_ENOTFOUND)
            return not_found(request->into, error);
        if (result != HL_OK)
            return result;
        input.into = merge_target;
    }
    hl_workflow_context context = {&app->calendar, &app->limits, 0};
    if (order->category[0] != '\0') {
        hl_category category;
        if (hl_store_category_get(app->store, order->category, &category, error) == HL_OK)
            context.category_handle_days = category.handle_days;
    }
    int64_t version_before = order->version;
    result = hl_workflow_apply(order, action, &user, &input, &context, now, event, error);
    if (result == HL_OK)
        result = hl_store_order_update(app->store, order, version_before, error);
    if (result == HL_OK)
        result = hl_store_event_append(app->store, event, error);
    if (result == HL_OK)
        result = write_rollups(app, event, NULL, error);
    return result;
}

/* A dissatisfied survey sends the order back to its unit (重办) in the same
 * transaction when the policy says so; the reopen is its own event, by the
 * surveyor, so that the log shows why it happened. */
static int reopen_if_dissatisfied(hl_app *app, const char *actor, int64_t id, hl_time now,
                                  hl_order *order, hl_order *scratch, hl_event *event,
                                  hl_error *error)
{
    bool dissatisfied =
        order->rating == HL_RATING_DISSATISFIED || order->rating == HL_RATING_VERY_DISSATISFIED;
    if (!app->limits.reopen_dissatisfied || order->survey_result != HL_SURVEY_SUCCEEDED ||
        !dissatisfied || order->lead_unit[0] == '\0' || order->excluded)
        return HL_OK;
    hl_app_request reopen = {0};
    reopen.note = HL_T("回访不满意，自动重办", "dissatisfied at the callback survey: reopened");
    return act_within(app, actor, id, HL_ACTION_REOPEN, &reopen, now, order, scratch, event, error);
}

int hl_app_act_within(hl_app *app, const char *actor, int64_t id, hl_action action,
                      const hl_app_request *request, hl_time now, hl_app_scratch *scratch,
                      hl_error *error)
{
    HL_REQUIRE(scratch != NULL && request != NULL);
    int result = act_within(app, actor, id, action, request, now, scratch->order, scratch->other,
                            scratch->event, error);
    if (result == HL_OK && action == HL_ACTION_SURVEY)
        result = reopen_if_dissatisfied(app, actor, id, now, scratch->order, scratch->other,
                                        scratch->event, error);
    return result;
}

hl_app_scratch *hl_app_scratch_new(void)
{
    hl_app_scratch *scratch = hl_xmalloc(sizeof *scratch);
    scratch->order = hl_xmalloc(sizeof *scratch->order);
    scratch->other = hl_xmalloc(sizeof *scratch->other);
    scratch->event = hl_xmalloc(sizeof *scratch->event);
    return scratch;
}

void hl_app_scratch_free(hl_app_scratch *scratch)
{
    if (scratch == NULL)
        return;
    free(scratch->order);
    free(scratch->other);
    free(scratch->event);
    free(scratch);
}

int hl_app_act(hl_app *app, const char *actor, int64_t id, hl_action action,
               const hl_app_request *request, hl_time now, hl_order *after, hl_error *error)
{
    if (action == HL_ACTION_REGISTER || hl_workflow_rule_of(action) == NULL)
        return hl_error_set(error, HL_EINVAL, "action", "not an action on an existing order");
    static const hl_app_request no_request = {0};
    if (request == NULL)
        request = &no_request;
    /* Orders are large (their texts are fixed-size fields): keep them off the stack. */
    hl_app_scratch *scratch = hl_app_scratch_new();
    int attempt = 0, result;
    do { /* each attempt reads the order anew */
        result = hl_app_begin(app, error);
        if (result == HL_OK) {
            result = hl_app_act_within(app, actor, id, action, request, now, scratch, error);
            result = hl_app_finish(app, result, error);
        }
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK && after != NULL)
        memcpy(after, scratch->order, sizeof *after);
    hl_app_scratch_free(scratch);
    return result;
}

int hl_app_get_order(hl_app *app, int64_t id, hl_order *out, hl_error *error)
{
    int result = hl_store_order_get(app->store, id, out, error);
    return result == HL_ENOTFOUND ? not_found(id, error) : result;
}

int hl_app_list_events(hl_app *app, int64_t id, hl_event_visitor visit, void *context,
                       hl_error *error)
{
    return hl_store_event_list(app->store, id, visit, context, error);
}

int hl_app_list_orders(hl_app *app, const hl_order_filter *filter, hl_order_visitor visit,
                       void *context, hl_error *error)
{
    return hl_store_order_query(app->store, filter, visit, context, error);
}

int hl_app_get_unit(hl_app *app, const char *code, hl_unit *out, hl_error *error)
{
    return hl_store_unit_get(app->store, code, out, error);
}

typedef struct earlier_visit {
    const hl_user *reader;
    bool (*visible)(const hl_user *reader, const hl_order *order);
    int limit;
    int count;
    hl_order_visitor visit;
    void *context;
} earlier_visit;

/* Passes on the orders the reader may see, up to the limit. */
static int visit_earlier(void *context, const hl_order *order)
{
    earlier_visit *earlier = context;
    if (earlier->visible != NULL && !earlier->visible(earlier->reader, order))
        return 0;
    int answer = earlier->visit(earlier->context, order);
    if (answer != 0)
        return answer;
    earlier->count++;
    return earlier->limit > 0 && earlier->count >= earlier->limit ? 1 : 0;
}

int hl_app_earlier_orders(hl_app *app, int64_t id, const hl_user *reader,
                          bool (*visible)(const hl_user *reader, const hl_order *order), int limit,
                          hl_order_visitor visit, void *context, hl_error *error)
{
    hl_order *order = hl_xmalloc(sizeof *order);
    int result = hl_store_begin_read(app->store, error);
    if (result == HL_OK) {
        result = hl_store_order_get(app->store, id, order, error);
        if (result == HL_ENOTFOUND ||
            (result == HL_OK && visible != NULL && !visible(reader, order)))
            result = not_found(id, error);
        if (result == HL_OK && order->citizen_phone[0] != '\0') {
            hl_order_filter filter = {0};
            filter.phone = order->citizen_phone;
            filter.before_id = order->id;
            filter.sort = HL_ORDER_SORT_RECEIVED_DESC;
            earlier_visit earlier = {reader, visible, limit, 0, visit, context};
            result = hl_store_order_query(app->store, &filter, visit_earlier, &earlier, error);
            if (result == 1 && earlier.limit > 0 && earlier.count >= earlier.limit)
                result = HL_OK; /* stopped at the limit */
        }
        hl_store_rollback(app->store);
    }
    free(order);
    return result;
}

int hl_app_each_unit(hl_app *app, hl_unit_visitor visit, void *context, hl_error *error)
{
    return hl_store_unit_each(app->store, visit, context, error);
}

int hl_app_each_category(hl_app *app, hl_category_visitor visit, void *context, hl_error *error)
{
    return hl_store_category_each(app->store, visit, context, error);
}

int hl_app_collect_unit(void *list, const hl_unit *unit)
{
    hl_unit_list *units = list;
    HL_ARRAY_GROW(units->items, units->count, units->capacity);
    units->items[units->count++] = *unit;
    return 0;
}

int hl_app_collect_category(void *list, const hl_category *category)
{
    hl_category_list *categories = list;
    HL_ARRAY_GROW(categories->items, categories->count, categories->capacity);
    categories->items[categories->count++] = *category;
    return 0;
}

int hl_app_each_user(hl_app *app, hl_user_visitor visit, void *context, hl_error *error)
{
    return hl_store_user_each(app->store, visit, context, error);
}

int hl_app_schema_version(const hl_app *app)
{
    return hl_store_schema_version(app->store);
}

int hl_app_count_orders(hl_app *app, const hl_order_filter *filter, int64_t *count, hl_error *error)
{
    return hl_store_order_count(app->store, filter, count, error);
}

void hl_app_set_background_checkpoints(hl_app *app, bool on)
{
    hl_store_set_background_checkpoints(app->store, on);
}

int hl_app_checkpoint(hl_app *app, hl_error *error)
{
    return hl_store_checkpoint(app->store, error);
}

int hl_app_read_begin(hl_app *app, hl_error *error)
{
    return hl_store_begin_read(app->store, error);
}

void hl_app_read_end(hl_app *app)
{
    hl_store_rollback(app->store);
}

int hl_app_count_orders_by_state(hl_app *app, int64_t counts[HL_STATE_COUNT], hl_error *error)
{
    return hl_store_order_state_counts(app->store, counts, error);
}

hl_time hl_app_due_soon_limit(const hl_app *app, hl_time now)
{
    return hl_calendar_deadline(&app->calendar, now, app->limits.due_soon_days) + 1;
}

int hl_app_list_page(hl_app *app, const hl_order_filter *filter, hl_order_visitor visit,
                     void *context, int64_t *total, hl_error *error)
{
    *total = 0;
    int result = hl_store_begin_read(app->store, error);
    if (result == HL_OK)
        result = hl_store_order_count(app->store, filter, total, error);
    if (result == HL_OK)
        result = hl_store_order_query(app->store, filter, visit, context, error);
    hl_store_rollback(app->store);
    return result;
}

/* What a caller may still be waiting for: an order not yet dispatched or
 * one a unit is handling (HL_STATES_OPEN). */
#define CALLER_OPEN_STATES (HL_STATE_BIT(HL_STATE_NEW) | HL_STATES_OPEN)
#define EVERY_STATE (((1u << HL_STATE_COUNT) - 1u) & ~HL_STATE_BIT(HL_STATE_NONE))

int hl_app_caller_orders(hl_app *app, const hl_order_filter *filter, hl_time now, int limit,
                         hl_order_visitor visit, void *context, hl_app_caller_summary *out,
                         hl_error *error)
{
    HL_REQUIRE(filter != NULL && limit >= 1 && out != NULL);
    memset(out, 0, sizeof *out);
    /* A state mask of 0 selects every state; the two parts must not. */
    unsigned states = filter->state_mask != 0 ? filter->state_mask : EVERY_STATE;
    hl_order_filter whole = *filter, open = *filter, closed = *filter, recent = *filter;
    whole.limit = 0;
    whole.offset = 0;
    open.state_mask = states & CALLER_OPEN_STATES;
    closed.state_mask = states & ~CALLER_OPEN_STATES;
    open.sort = closed.sort = HL_ORDER_SORT_RECEIVED_DESC;
    open.offset = closed.offset = 0;
    hl_time recent_from = now - (hl_time)HL_APP_RECENT_DAYS * 86400;
    recent.received_from =
        filter->received_from > recent_from ? filter->received_from : recent_from;
    int result = hl_store_begin_read(app->store, error);
    if (result == HL_OK)
        result = hl_store_order_count(app->store, &whole, &out->total, error);
    if (result == HL_OK && open.state_mask != 0)
        result = hl_store_order_count(app->store, &open, &out->open, error);
    if (result == HL_OK)
        result = hl_store_order_count(app->store, &recent, &out->recent, error);
    if (result == HL_OK && open.state_mask != 0 && out->open > 0) {
        open.limit = limit;
        result = hl_store_order_query(app->store, &open, visit, context, error);
    }
    int64_t left = limit - (out->open < limit ? out->open : limit);
    if (result == HL_OK && closed.state_mask != 0 && left > 0) {
        closed.limit = (int)left;
        result = hl_store_order_query(app->store, &closed, visit, context, error);
    }
    hl_store_rollback(app->store);
    out->repeat = out->recent >= HL_APP_REPEAT_CALLS;
    return result;
}

int hl_app_order_counts_of(hl_app *app, const hl_order_filter *filter, hl_time now,
                           hl_app_order_counts *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    hl_order_filter overdue = *filter, due_soon = *filter;
    overdue.due_before = now; /* as `hotline list --overdue` */
    due_soon.due_from = now;  /* as `hotline list --due-soon` */
    due_soon.due_before = hl_app_due_soon_limit(app, now);
    int result = hl_store_begin_read(app->store, error);
    if (result == HL_OK)
        result = hl_store_order_count_by_state(app->store, filter, out->by_state, error);
    if (result == HL_OK)
        result = hl_store_order_count(app->store, &overdue, &out->overdue, error);
    if (result == HL_OK)
        result = hl_store_order_count(app->store, &due_soon, &out->due_soon, error);
    for (int kind = HL_PENDING_NONE + 1; result == HL_OK && kind < HL_PENDING_COUNT; kind++) {
        hl_order_filter waiting = *filter;
        waiting.pending = (hl_pending)kind;
        result = hl_store_order_count(app->store, &waiting, &out->pending[kind], error);
    }
    hl_store_rollback(app->store);
    return result;
}

/* Keeps the latest event of the request's action (the log comes in order). */
typedef struct pending_visit {
    hl_action request;
    hl_app_pending *out;
} pending_visit;

static int keep_request(void *context, const hl_event *event)
{
    pending_visit *visit = context;
    if (event->action == visit->request) {
        visit->out->at = event->at;
        snprintf(visit->out->by, sizeof visit->out->by, "%s", event->actor);
        snprintf(visit->out->reason, sizeof visit->out->reason, "%s", event->note);
    }
    return 0;
}

int hl_app_pending_of(hl_app *app, const hl_order *order, hl_app_pending *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    out->kind = hl_order_pending_of(order);
    if (out->kind == HL_PENDING_NONE)
        return HL_OK;
    if (out->kind == HL_PENDING_EXTENSION)
        out->days = order->extension_pending_days;
    pending_visit visit = {hl_workflow_pending_request(out->kind), out};
    return hl_store_event_list(app->store, order->id, keep_request, &visit, error);
}

int hl_app_count_by_category(hl_app *app, hl_time from, hl_time to, hl_category_count_visitor visit,
                             void *context, hl_error *error)
{
    return hl_store_order_count_by_category(app->store, from, to, visit, context, error);
}

int hl_app_survey_months(hl_app *app, hl_month_total_visitor visit, void *context, hl_error *error)
{
    return hl_store_rollup_months(app->store, HL_COUNTER_SURVEYED, visit, context, error);
}

void hl_app_set_bulk(hl_app *app, bool on)
{
    hl_store_set_bulk(app->store, on);
}
