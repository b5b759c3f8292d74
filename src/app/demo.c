/* demo.c: a deterministic month of hotline work for demonstrations.
 *
 * Orders are registered and moved through the lifecycle with the same use
 * cases the CLI and the server call (hl_app_register, hl_app_act), at
 * instants chosen by a fixed-seed generator, so the demo store verifies
 * clean and shows every path: resolution at intake, dispatch, returns,
 * extensions, reminders, supervision, reopening, merging, invalid orders.
 * It is not the bulletin's reproduction of the published Taiyuan figures. */
#include "app/demo.h"

#include <stdlib.h>
#include <string.h>

#include "app/transfer.h"
#include "base/i18n.h"

extern const char hl_demo_units_csv[];
extern const size_t hl_demo_units_csv_size;
extern const char hl_demo_categories_csv[];
extern const size_t hl_demo_categories_csv_size;
extern const char hl_demo_users_csv[];
extern const size_t hl_demo_users_csv_size;

#define DEMO_ORDERS 3000
#define DEMO_SEED 20240201u

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t value = (*state += 0x9E3779B97F4A7C15ull);
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
    return value ^ (value >> 31);
}

static int random_below(uint64_t *state, int limit)
{
    return (int)(next_random(state) % (uint64_t)limit);
}

typedef struct demo_catalogue {
    hl_category categories[64];
    int category_count;
    hl_unit units[64];
    int unit_count;
    int districts[64]; /* indexes into units of the 县市区(开发区) group */
    int district_count;
} demo_catalogue;

static int collect_category(void *context, const hl_category *category)
{
    demo_catalogue *catalogue = context;
    if (category->parent[0] != '\0' && catalogue->category_count < 64)
        catalogue->categories[catalogue->category_count++] = *category;
    return 0;
}

static int collect_unit(void *context, const hl_unit *unit)
{
    demo_catalogue *catalogue = context;
    if (catalogue->unit_count == 64)
        return 0;
    if (strstr(unit->group, "县市区") != NULL)
        catalogue->districts[catalogue->district_count++] = catalogue->unit_count;
    catalogue->units[catalogue->unit_count++] = *unit;
    return 0;
}

static const char *const titles[] = {
    "小区供暖温度不达标", "公积金提取进度咨询", "道路施工噪音扰民", "公交线路调整建议", "物业费收取不合理",
    "拖欠农民工工资",     "医保报销政策咨询",   "路灯不亮",         "占道经营",         "停电原因咨询",
    "学校周边交通拥堵",   "有线电视信号中断",   "小区绿化带被毁",   "网购商品质量投诉", "社保卡办理咨询",
};
static const char *const streets[] = {"迎泽大街", "并州路", "长风街", "滨河东路", "解放路", "南内环街",
                                      "胜利街", "学府街", "建设路", "千峰南路"};

/* One action at `*now`, advancing the clock afterwards. */
static int act(hl_app *app, const char *actor, int64_t id, hl_action action, const hl_app_request *request,
               hl_time *now, hl_time step, int64_t *actions, hl_error *error)
{
    int result = hl_app_act(app, actor, id, action, request, *now, NULL, error);
    if (result == HL_OK)
        (*actions)++;
    *now += step;
    return result;
}

static const char *unit_for(const demo_catalogue *catalogue, const hl_category *category, uint64_t *random)
{
    if (category->default_unit[0] != '\0' && random_below(random, 10) < 7)
        return category->default_unit;
    /* Neighbourhood matters and orders without a default unit go to a district. */
    return catalogue->units[catalogue->districts[random_below(random, catalogue->district_count)]].code;
}

static int run_order(hl_app *app, const demo_catalogue *catalogue, uint64_t *random, int index,
                     int64_t *previous_id, hl_time *previous_received, hl_demo_summary *summary,
                     hl_error *error)
{
    hl_order *order = hl_xcalloc(1, sizeof *order);
    const hl_category *category = &catalogue->categories[random_below(random, catalogue->category_count)];
    int day = 1 + random_below(random, 29);
    hl_time now = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, day)) + 8 * 3600 +
                  random_below(random, 10 * 3600);
    order->received_at = now;
    hl_time order_received = now;
    order->channel = (hl_channel)(random_below(random, 10) < 7 ? HL_CHANNEL_PHONE : random_below(random, 5));
    order->type = (hl_order_type)random_below(random, HL_TYPE_COUNT);
    snprintf(order->category, sizeof order->category, "%s", category->code);
    snprintf(order->citizen_name, sizeof order->citizen_name, "%s先生", index % 2 ? "王" : "李");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "139%08d", (int)(next_random(random) % 100000000));
    snprintf(order->address, sizeof order->address, "太原市%s%d号", streets[random_below(random, 10)],
             1 + random_below(random, 300));
    snprintf(order->title, sizeof order->title, "%s", titles[random_below(random, 15)]);
    snprintf(order->content, sizeof order->content, "市民来电反映：%s，请相关部门尽快处理。", order->title);
    int64_t id = 0;
    int result = hl_app_register(app, index % 2 ? "agent1" : "agent2", order, now, &id, error);
    free(order);
    if (result != HL_OK)
        return result;
    summary->orders++;
    summary->actions++;
    now += 600;

    int path = random_below(random, 100);
    hl_app_request request = {0};
    if (path < 8) {
        request.note = "已按政策当场答复市民。";
        return act(app, "agent1", id, HL_ACTION_RESOLVE, &request, &now, 60, &summary->actions, error);
    }
    if (path < 10) {
        request.note = "无实质内容的骚扰来电。";
        return act(app, "dispatcher1", id, HL_ACTION_INVALIDATE, &request, &now, 60, &summary->actions, error);
    }
    if (path < 13 && *previous_id != 0 && *previous_received <= order_received) {
        request.into = *previous_id;
        result = act(app, "dispatcher1", id, HL_ACTION_MERGE, &request, &now, 60, &summary->actions, error);
        return result;
    }
    *previous_id = id;
    *previous_received = order_received;
    const char *unit = unit_for(catalogue, category, random);
    char handler[HL_CODE_BYTES + 2];
    request.unit = unit;
    result = act(app, "dispatcher1", id, HL_ACTION_DISPATCH, &request, &now, 3600, &summary->actions, error);
    if (result == HL_OK && path < 18) {
        request = (hl_app_request){0};
        request.note = "该事项不属于本单位职责范围。";
        snprintf(handler, sizeof handler, "h-%s", unit);
        result = act(app, handler, id, HL_ACTION_RETURN, &request, &now, 3600, &summary->actions, error);
        if (result == HL_OK && path < 16) {
            unit = catalogue->units[random_below(random, catalogue->unit_count)].code;
            request = (hl_app_request){0};
            request.unit = unit;
            result = act(app, "dispatcher1", id, HL_ACTION_REASSIGN, &request, &now, 3600, &summary->actions,
                         error);
            if (result == HL_ECONFLICT || result == HL_EINVAL) {
                /* The random unit was the same one: reject the return instead. */
                hl_error_clear(error);
                request = (hl_app_request){0};
                request.note = "经核实属于该单位职责。";
                result = act(app, "dispatcher1", id, HL_ACTION_RETURN_REJECT, &request, &now, 3600,
                              &summary->actions, error);
            }
        } else if (result == HL_OK) {
            request = (hl_app_request){0};
            request.note = "经核实属于该单位职责。";
            result = act(app, "dispatcher1", id, HL_ACTION_RETURN_REJECT, &request, &now, 3600,
                         &summary->actions, error);
        }
    }
    if (result != HL_OK)
        return result;
    snprintf(handler, sizeof handler, "h-%s", unit);
    hl_order current;
    if ((result = hl_app_get_order(app, id, &current, error)) != HL_OK)
        return result;
    if (current.state == HL_STATE_DISPATCHED) {
        /* One in ten signs late. */
        hl_time sign_at = random_below(random, 10) == 0 ? current.sign_deadline + 3600 : now + 1800;
        now = sign_at;
        request = (hl_app_request){0};
        result = act(app, handler, id, HL_ACTION_SIGN, &request, &now, 7200, &summary->actions, error);
    }
    if (result == HL_OK) {
        request = (hl_app_request){0};
        request.note = "已联系诉求人，正在现场核实。";
        result = act(app, handler, id, HL_ACTION_HANDLE, &request, &now, 7200, &summary->actions, error);
    }
    if (result == HL_OK && random_below(random, 10) == 0) {
        request = (hl_app_request){0};
        request.days = 1 + random_below(random, 5);
        request.note = "需协调多个部门，申请延期。";
        result = act(app, handler, id, HL_ACTION_EXTEND_REQUEST, &request, &now, 7200, &summary->actions, error);
        if (result == HL_OK) {
            bool approve = random_below(random, 3) != 0;
            request = (hl_app_request){0};
            request.note = approve ? NULL : "理由不充分。";
            result = act(app, "supervisor1", id, approve ? HL_ACTION_EXTEND_APPROVE : HL_ACTION_EXTEND_REFUSE,
                         &request, &now, 7200, &summary->actions, error);
        }
    }
    if (result != HL_OK || (result = hl_app_get_order(app, id, &current, error)) != HL_OK)
        return result;
    int outcome = random_below(random, 100);
    if (outcome < 6) {
        /* Left open: reminded and, once overdue, supervised. */
        request = (hl_app_request){0};
        result = act(app, "dispatcher1", id, HL_ACTION_REMIND, &request, &now, 0, &summary->actions, error);
        now = current.handle_deadline + 3600;
        request.note = "超期未办结，请于两个工作日内办结并说明原因。";
        if (result == HL_OK)
            result = act(app, "supervisor1", id, HL_ACTION_SUPERVISE, &request, &now, 0, &summary->actions,
                         error);
        return result;
    }
    hl_time time_left = current.handle_deadline - now;
    hl_time complete_at = outcome < 16 || time_left <= 1 ? current.handle_deadline + 7200
                                                         : now + random_below(random, (int)time_left);
    now = complete_at > now ? complete_at : now;
    request = (hl_app_request){0};
    request.note = "经核实，问题已处理完毕，并已电话告知诉求人。";
    result = act(app, handler, id, HL_ACTION_COMPLETE, &request, &now, 86400, &summary->actions, error);
    if (result == HL_OK && outcome >= 94) {
        request = (hl_app_request){0};
        request.note = "回访市民不满意，问题未解决。";
        result = act(app, "supervisor1", id, HL_ACTION_REOPEN, &request, &now, 3600, &summary->actions, error);
        request = (hl_app_request){0};
        if (result == HL_OK)
            result = act(app, handler, id, HL_ACTION_SIGN, &request, &now, 3600, &summary->actions, error);
        request.note = "重新处理完毕，市民认可。";
        if (result == HL_OK)
            result = act(app, handler, id, HL_ACTION_COMPLETE, &request, &now, 86400, &summary->actions, error);
    }
    if (result == HL_OK && outcome >= 50 && outcome < 70) {
        request = (hl_app_request){0};
        result = act(app, "supervisor1", id, HL_ACTION_ARCHIVE, &request, &now, 0, &summary->actions, error);
    }
    return result;
}

static int count_one(void *context, const hl_order *order)
{
    (void)order;
    (*(int64_t *)context)++;
    return 1; /* one is enough to know the store is not empty */
}

int hl_demo_load(hl_app *app, hl_demo_summary *summary, hl_error *error)
{
    memset(summary, 0, sizeof *summary);
    int64_t existing = 0;
    hl_order_filter any = {0};
    any.limit = 1;
    int result = hl_app_list_orders(app, &any, count_one, &existing, error);
    if (result < 0)
        return result; /* a positive result is count_one stopping the scan */
    if (existing > 0)
        return hl_i18n_get() == HL_LANG_EN
                   ? hl_error_set(error, HL_ECONFLICT, "db", "the store already holds orders: use a new --db")
                   : hl_error_set(error, HL_ECONFLICT, "db", "数据库中已有工单，请使用新的 --db");
    result = hl_transfer_load_units(app, hl_demo_units_csv, hl_demo_units_csv_size, &summary->units, error);
    if (result == HL_OK)
        result = hl_transfer_load_categories(app, hl_demo_categories_csv, hl_demo_categories_csv_size,
                                             &summary->categories, error);
    if (result == HL_OK)
        result = hl_transfer_load_users(app, hl_demo_users_csv, hl_demo_users_csv_size, &summary->users, error);
    if (result != HL_OK)
        return result;
    demo_catalogue *catalogue = hl_xcalloc(1, sizeof *catalogue);
    result = hl_store_category_each(app->store, collect_category, catalogue, error);
    if (result == HL_OK)
        result = hl_store_unit_each(app->store, collect_unit, catalogue, error);
    if (result == HL_OK && (catalogue->district_count == 0 || catalogue->category_count == 0))
        result = hl_error_set(error, HL_EINVAL, "demo", "the demo directory did not load");
    /* The demo is rebuilt at will, so it need not pay an fsync per action. */
    hl_store_set_bulk(app->store, true);
    uint64_t random = DEMO_SEED;
    int64_t previous_id = 0;
    hl_time previous_received = 0;
    for (int index = 0; index < DEMO_ORDERS && result == HL_OK; index++)
        result = run_order(app, catalogue, &random, index, &previous_id, &previous_received, summary,
                           error);
    hl_store_set_bulk(app->store, false);
    free(catalogue);
    return result;
}
