/* demo.c: the demonstration store: February 2024 of the Taiyuan hotline.
 *
 * Loads the demo directory (units, categories with the attributes a few
 * of them ask, users), stores the bulletin's settings, and replays the
 * Taiyuan plan (demo/taiyuan_*.c)
 * through the same pipeline an installation uses: the month's orders are
 * imported from CSV, driven through their lifecycle by the use cases,
 * their survey calls imported from CSV (dissatisfied citizens' orders are
 * reopened), the reopened orders handled again and their second surveys
 * imported, and two appeals decided. The figures of `hotline report
 * --month 2024-02` are then those the city published; nothing here writes
 * a figure directly. It refuses a store that already holds orders, so
 * that a demo never mixes with real work. */
#include "demo/demo.h"

#include <string.h>

#include "app/transfer.h"
#include "base/i18n.h"
#include "demo/taiyuan.h"

static int count_one(void *context, const hl_order *order)
{
    (void)order;
    (*(int64_t *)context)++;
    return 1; /* one is enough to know the store is not empty */
}

/* An import reports each bad row and then fails as a whole; the first
 * row's reason says more than the count. */
static void keep_first_row_error(void *context, long line, const hl_error *row_error)
{
    hl_error *first = context;
    (void)line;
    if (first->code == HL_OK)
        *first = *row_error;
}

static int import_failed(int result, const hl_error *first_row, hl_error *error)
{
    if (result != HL_OK && first_row->code != HL_OK)
        *error = *first_row;
    return result;
}

/* Imports one round's survey calls; each dissatisfied result also
 * reopens its order, as an event of its own. */
static int import_surveys(hl_app *app, const hl_taiyuan_plan *plan, int round, hl_buf *text,
                          hl_demo_summary *summary, hl_error *error)
{
    hl_error first_row;
    hl_error_clear(&first_row);
    hl_buf_reset(text);
    hl_taiyuan_write_surveys_csv(plan, round, text);
    int64_t calls = 0;
    int result = import_failed(hl_transfer_import_surveys(app, "surveyor1", text->data, text->len,
                                                          keep_first_row_error, &first_row, 1,
                                                          &calls, error),
                               &first_row, error);
    summary->surveys += calls;
    summary->actions += calls;
    return result;
}

/* Runs the month: orders, round 1, its surveys, round 2, its surveys, appeals. */
static int load_month(hl_app *app, const hl_taiyuan_plan *plan, hl_demo_summary *summary,
                      hl_error *error)
{
    hl_error first_row;
    hl_error_clear(&first_row);
    hl_buf text;
    hl_buf_init(&text);
    hl_taiyuan_write_orders_csv(plan, &text);
    int64_t count = 0;
    int result =
        import_failed(hl_transfer_import_orders(app, "agent1", text.data, text.len,
                                                keep_first_row_error, &first_row, 1, &count, error),
                      &first_row, error);
    summary->orders = count;
    summary->actions += count; /* each registration is an event */
    for (int round = 1; round <= 2 && result == HL_OK; round++) {
        result = hl_taiyuan_run_lifecycle(app, plan, round, &count, error);
        summary->actions += count;
        if (result == HL_OK)
            result = import_surveys(app, plan, round, &text, summary, error);
    }
    if (result == HL_OK) {
        summary->actions += plan->dissatisfied; /* the reopenings */
        result = hl_taiyuan_run_appeals(app, plan, &count, error);
    }
    if (result == HL_OK)
        summary->actions += count;
    hl_buf_free(&text);
    return result;
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
        return hl_error_set(error, HL_ECONFLICT, "db",
                            HL_T("数据库中已有工单，请使用新的 --db",
                                 "the store already holds orders: use a new --db"));
    result = hl_transfer_load_units(app, hl_demo_units_csv, hl_demo_units_csv_size, &summary->units,
                                    error);
    if (result == HL_OK)
        result = hl_transfer_load_categories(
            app, hl_demo_categories_csv, hl_demo_categories_csv_size, &summary->categories, error);
    if (result == HL_OK) {
        int attributes = 0;
        result = hl_transfer_load_attributes(app, hl_demo_attributes_csv,
                                             hl_demo_attributes_csv_size, &attributes, error);
    }
    if (result == HL_OK)
        result = hl_transfer_load_users(app, hl_demo_users_csv, hl_demo_users_csv_size,
                                        &summary->users, error);
    if (result == HL_OK)
        result = hl_taiyuan_configure(app, error);
    hl_taiyuan_plan *plan = NULL;
    if (result == HL_OK)
        result = hl_taiyuan_plan_build(hl_app_calendar(app), hl_app_limits(app), &plan, error);
    if (result == HL_OK)
        result = load_month(app, plan, summary, error);
    hl_taiyuan_plan_free(plan);
    return result;
}
