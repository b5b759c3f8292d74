/* taiyuan_plan.c: February 2024 of the Taiyuan hotline, planned.
 *
 * The plan is made in three steps, all from one fixed-seed splitmix64
 * stream so that every run gives the same store. First the per-unit
 * counts (this file): volumes from a table of realistic weights (the big
 * districts and the housing, city-management and market units receive the
 * most), scaled to the published base; survey success around the
 * published 82.66%; satisfaction rates laid out from the top of each
 * group's ranking to its bottom, shifted so that the pooled rate is the
 * published 61.22%, rounded, and then moved one citizen at a time until
 * the three totals are exact, never breaking the strict order of the
 * ranking (fractions are compared exactly, by cross-multiplication).
 * Second and third, the work orders behind those surveys and those that
 * never enter the base, with their stories (taiyuan_story.c). The plan is
 * then numbered and checked (taiyuan_check.c). This file reads the
 * embedded units and categories; it writes nothing. */
#include "demo/taiyuan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/csv.h"
#include "demo/demo.h"

enum { UNIT_CODE, UNIT_NAME, UNIT_GROUP, UNIT_COLUMN_COUNT };
static const hl_csv_column unit_columns[UNIT_COLUMN_COUNT] = {
    {"code", false}, {"name", false}, {"group", false}};
/* units.csv has more columns (the directory's); the plan reads these. */
static const hl_csv_schema unit_schema = {unit_columns, UNIT_COLUMN_COUNT, NULL, true};

/* The units of data/demo/units.csv in file order: the published rank within each group. */
static int parse_units(hl_taiyuan_plan *plan, hl_error *error)
{
    hl_csv_table table;
    int result =
        hl_csv_table_open(&table, hl_demo_units_csv, hl_demo_units_csv_size, &unit_schema, error);
    if (result == HL_OK &&
        (!hl_csv_table_has(&table, UNIT_CODE) || !hl_csv_table_has(&table, UNIT_NAME) ||
         !hl_csv_table_has(&table, UNIT_GROUP)))
        result = plan_fail(error, "units.csv needs code, name and group");
    size_t capacity = 0;
    int group_count = 0;
    while (result >= 0 && (result = hl_csv_table_next(&table, error)) == 1) {
        HL_ARRAY_GROW(plan->units, plan->unit_count, capacity);
        hl_taiyuan_unit *unit = &plan->units[plan->unit_count];
        memset(unit, 0, sizeof *unit);
        result = hl_text_copy(unit->code, sizeof unit->code, hl_csv_table_field(&table, UNIT_CODE),
                              HL_CODE_CHARS, false, "code", error);
        if (result == HL_OK)
            result =
                hl_text_copy(unit->name, sizeof unit->name, hl_csv_table_field(&table, UNIT_NAME),
                             HL_NAME_CHARS, false, "name", error);
        if (result == HL_OK)
            result = hl_text_copy(unit->group, sizeof unit->group,
                                  hl_csv_table_field(&table, UNIT_GROUP), HL_NAME_CHARS, false,
                                  "group", error);
        if (result != HL_OK)
            break;
        unit->group_index = -1;
        unit->rank = 1;
        for (size_t other = 0; other < plan->unit_count; other++) {
            if (strcmp(plan->units[other].group, unit->group) != 0)
                continue;
            unit->group_index = plan->units[other].group_index;
            unit->rank++;
        }
        if (unit->group_index < 0)
            unit->group_index = group_count++;
        plan->unit_count++;
        result = 1;
    }
    hl_csv_table_close(&table);
    if (result < 0)
        return result;
    if (plan->unit_count == 0)
        return plan_fail(error, "no units");
    return HL_OK;
}

enum { CATEGORY_CODE, CATEGORY_HANDLE_DAYS, CATEGORY_COLUMN_COUNT };
static const hl_csv_column category_columns[CATEGORY_COLUMN_COUNT] = {{"code", false},
                                                                      {"handle_days", false}};
static const hl_csv_schema category_schema = {category_columns, CATEGORY_COLUMN_COUNT, NULL, true};

/* Each category's own time limit, for the deadlines the workflow will set. */
static int parse_categories(planner *planning, hl_error *error)
{
    hl_csv_table table;
    int result = hl_csv_table_open(&table, hl_demo_categories_csv, hl_demo_categories_csv_size,
                                   &category_schema, error);
    if (result == HL_OK && !hl_csv_table_has(&table, CATEGORY_CODE))
        result = plan_fail(error, "categories.csv needs code");
    while (result >= 0 && (result = hl_csv_table_next(&table, error)) == 1) {
        if (planning->category_count == HL_COUNT_OF(planning->categories)) {
            result = plan_fail(error, "too many categories");
            break;
        }
        category_days *category = &planning->categories[planning->category_count];
        result = hl_text_copy(category->code, sizeof category->code,
                              hl_csv_table_field(&table, CATEGORY_CODE), HL_CODE_CHARS, false,
                              "code", error);
        if (result != HL_OK)
            break;
        int64_t days = 0;
        hl_slice text = hl_csv_table_field(&table, CATEGORY_HANDLE_DAYS);
        if (text.len > 0 && hl_text_parse_int(text, 0, 60, &days) != HL_OK) {
            result = plan_fail(error, "a category's handle_days is malformed");
            break;
        }
        category->handle_days = (int)days;
        planning->category_count++;
        result = 1;
    }
    hl_csv_table_close(&table);
    return result < 0 ? result : HL_OK;
}

/* Each unit's topics: its own, and the neighbourhood ones for districts. */
static int assign_topics(planner *planning, hl_error *error)
{
    hl_taiyuan_plan *plan = planning->plan;
    for (size_t index = 0; index < hl_taiyuan_topic_count; index++) {
        if (hl_taiyuan_topics[index].category[0] != '\0' &&
            category_of(planning, hl_taiyuan_topics[index].category) == NULL)
            return plan_fail(error, "a topic names a category that is not in categories.csv");
        if (strcmp(hl_taiyuan_topics[index].owner, "invalid") == 0 &&
            planning->invalid_topic_count < (int)HL_COUNT_OF(planning->invalid_topics))
            planning->invalid_topics[planning->invalid_topic_count++] = (int)index;
    }
    for (size_t unit = 0; unit < plan->unit_count; unit++) {
        const char *code = plan->units[unit].code;
        bool governs_place = hl_taiyuan_district_of(code) >= 0;
        for (size_t index = 0;
             index < hl_taiyuan_topic_count && planning->unit_topic_count[unit] < MAX_UNIT_TOPICS;
             index++)
            if (strcmp(hl_taiyuan_topics[index].owner, code) == 0 ||
                (governs_place && strcmp(hl_taiyuan_topics[index].owner, "district") == 0))
                planning->unit_topics[unit][planning->unit_topic_count[unit]++] = (int)index;
        /* A unit this table does not know takes the neighbourhood matters. */
        for (size_t index = 0;
             planning->unit_topic_count[unit] == 0 && index < hl_taiyuan_topic_count; index++)
            if (strcmp(hl_taiyuan_topics[index].owner, "district") == 0)
                planning->unit_topics[unit][planning->unit_topic_count[unit]++] = (int)index;
        if (planning->unit_topic_count[unit] == 0)
            return plan_fail(error, "no topic for a unit");
    }
    return HL_OK;
}

/* Moves values one by one, biggest units first, within [low, high], until
 * they sum to target. */
static int fix_total(int64_t *values, const int64_t *low, const int64_t *high, const size_t *order,
                     size_t count, int64_t target, const char *what, hl_error *error)
{
    int64_t sum = 0;
    for (size_t index = 0; index < count; index++)
        sum += values[index];
    while (sum != target) {
        bool moved = false;
        for (size_t step = 0; step < count && sum != target; step++) {
            size_t unit = order[step];
            if (sum < target && values[unit] < high[unit]) {
                values[unit]++;
                sum++;
                moved = true;
            } else if (sum > target && values[unit] > low[unit]) {
                values[unit]--;
                sum--;
                moved = true;
            }
        }
        if (!moved)
            return plan_fail(error, what);
    }
    return HL_OK;
}

/* Unit indexes sorted by a key, largest first (insertion sort: 42 units). */
static void sort_descending(size_t *order, const int64_t *key, size_t count)
{
    for (size_t index = 0; index < count; index++)
        order[index] = index;
    for (size_t index = 1; index < count; index++) {
        size_t moving = order[index], slot = index;
        while (slot > 0 && key[order[slot - 1]] < key[moving]) {
            order[slot] = order[slot - 1];
            slot--;
        }
        order[slot] = moving;
    }
}

/* The previous and next unit of the same group, in rank order (-1: none). */
static void group_neighbours(const hl_taiyuan_plan *plan, int *previous, int *next)
{
    for (size_t unit = 0; unit < plan->unit_count; unit++) {
        previous[unit] = next[unit] = -1;
        for (size_t other = unit; other-- > 0;)
            if (plan->units[other].group_index == plan->units[unit].group_index) {
                previous[unit] = (int)other;
                break;
            }
        for (size_t other = unit + 1; other < plan->unit_count; other++)
            if (plan->units[other].group_index == plan->units[unit].group_index) {
                next[unit] = (int)other;
                break;
            }
    }
}

static bool can_raise(const int64_t *satisfied, const int64_t *succeeded, const int *previous,
                      size_t unit)
{
    if (satisfied[unit] + 1 > succeeded[unit])
        return false;
    int above = previous[unit];
    return above < 0 ||
           rate_above(satisfied[above], succeeded[above], satisfied[unit] + 1, succeeded[unit]);
}

static bool can_lower(const int64_t *satisfied, const int64_t *succeeded, const int *next,
                      size_t unit)
{
    if (satisfied[unit] < 1)
        return false;
    int below = next[unit];
    return below < 0 ||
           rate_above(satisfied[unit] - 1, succeeded[unit], satisfied[below], succeeded[below]);
}

/* The satisfaction range a group's ranking spans, from its first unit to its last. */
static void group_range(int group_index, double *top, double *bottom)
{
    *top = group_index == 0 ? 0.85 : 0.80;
    *bottom = group_index == 0 ? 0.40 : 0.45;
}

static int plan_counts(planner *planning, hl_error *error)
{
    hl_taiyuan_plan *plan = planning->plan;
    size_t count = plan->unit_count;
    int64_t *base = hl_xcalloc(count, sizeof *base),
            *succeeded = hl_xcalloc(count, sizeof *succeeded);
    int64_t *satisfied = hl_xcalloc(count, sizeof *satisfied);
    int64_t *low = hl_xcalloc(count, sizeof *low), *high = hl_xcalloc(count, sizeof *high);
    int64_t *key = hl_xcalloc(count, sizeof *key);
    size_t *order = hl_xcalloc(count, sizeof *order);
    int *previous = hl_xcalloc(count, sizeof *previous), *next = hl_xcalloc(count, sizeof *next);
    double *rate = hl_xcalloc(count, sizeof *rate);
    int result = HL_OK;

    /* Volumes: each unit's weight with a tenth either way, scaled to the base. */
    double total_weight = 0;
    for (size_t unit = 0; unit < count; unit++) {
        int weight = hl_taiyuan_volume_weight(plan->units[unit].code);
        planning->weights[unit] = weight * (0.9 + 0.2 * random_fraction(&planning->random));
        total_weight += planning->weights[unit];
    }
    for (size_t unit = 0; unit < count; unit++) {
        base[unit] = (int64_t)(HL_TAIYUAN_BASE * planning->weights[unit] / total_weight);
        if (base[unit] < MIN_BASE)
            base[unit] = MIN_BASE;
        low[unit] = MIN_BASE;
        high[unit] = INT64_MAX / 4;
        key[unit] = base[unit];
    }
    sort_descending(order, key, count);
    result = fix_total(base, low, high, order, count, HL_TAIYUAN_BASE, "the base cannot be reached",
                       error);

    /* Survey success: around the published rate with six points either way,
     * shifted together so that the total is nearly exact before rounding;
     * within 70%..95%, and at least the minimum reached. */
    double expected = 0;
    for (size_t unit = 0; unit < count; unit++) {
        rate[unit] = 0.8266 + (random_fraction(&planning->random) * 2 - 1) * 0.06;
        expected += rate[unit] * (double)base[unit];
    }
    double success_shift = (HL_TAIYUAN_SUCCEEDED - expected) / HL_TAIYUAN_BASE;
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        low[unit] = (int64_t)ceil(0.70 * (double)base[unit]);
        if (low[unit] < HL_TAIYUAN_MIN_REACHED)
            low[unit] = HL_TAIYUAN_MIN_REACHED;
        high[unit] = (int64_t)floor(0.95 * (double)base[unit]);
        succeeded[unit] = llround((rate[unit] + success_shift) * (double)base[unit]);
        if (succeeded[unit] < low[unit])
            succeeded[unit] = low[unit];
        if (succeeded[unit] > high[unit])
            succeeded[unit] = high[unit];
        if (low[unit] > high[unit])
            result = plan_fail(error, "a unit is too small to be ranked");
    }
    if (result == HL_OK)
        result = fix_total(succeeded, low, high, order, count, HL_TAIYUAN_SUCCEEDED,
                           "the reached total cannot be reached", error);

    /* Satisfaction: evenly spaced from the group's top to its bottom, with a
     * little noise (less than a third of a step, so the order holds), then
     * shifted so that the pooled rate is the published one. */
    group_neighbours(plan, previous, next);
    double pooled = 0;
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        int members = 0;
        for (size_t other = 0; other < count; other++)
            members += plan->units[other].group_index == plan->units[unit].group_index;
        double top, bottom;
        group_range(plan->units[unit].group_index, &top, &bottom);
        double step = members > 1 ? (top - bottom) / (members - 1) : 0;
        double jitter = (random_fraction(&planning->random) * 2 - 1) * 0.3 * step;
        rate[unit] = top - step * (plan->units[unit].rank - 1) + jitter;
        pooled += rate[unit] * (double)succeeded[unit];
    }
    double shift = (HL_TAIYUAN_SATISFIED - pooled) / HL_TAIYUAN_SUCCEEDED;
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        rate[unit] += shift;
        if (rate[unit] < 0.05 || rate[unit] > 0.97)
            result = plan_fail(error, "a satisfaction rate falls outside 5%..97%");
        satisfied[unit] = llround(rate[unit] * (double)succeeded[unit]);
        /* Rounding may tie or cross the unit above: take the largest count below it. */
        int above = previous[unit];
        if (above >= 0 &&
            !rate_above(satisfied[above], succeeded[above], satisfied[unit], succeeded[unit]))
            satisfied[unit] = (satisfied[above] * succeeded[unit] - 1) / succeeded[above];
        if (satisfied[unit] < 0)
            result = plan_fail(error, "the ranking cannot be kept");
    }
    /* The exact total, one citizen at a time, biggest units first (a change
     * of one moves their rate least), never crossing a neighbour. */
    for (size_t unit = 0; unit < count; unit++)
        key[unit] = succeeded[unit];
    sort_descending(order, key, count);
    int64_t sum = 0;
    for (size_t unit = 0; unit < count; unit++)
        sum += satisfied[unit];
    while (result == HL_OK && sum != HL_TAIYUAN_SATISFIED) {
        bool moved = false;
        for (size_t step = 0; step < count && sum != HL_TAIYUAN_SATISFIED; step++) {
            size_t unit = order[step];
            if (sum < HL_TAIYUAN_SATISFIED && can_raise(satisfied, succeeded, previous, unit)) {
                satisfied[unit]++;
                sum++;
                moved = true;
            } else if (sum > HL_TAIYUAN_SATISFIED && can_lower(satisfied, succeeded, next, unit)) {
                satisfied[unit]--;
                sum--;
                moved = true;
            }
        }
        if (!moved)
            result =
                plan_fail(error, "the satisfied total cannot be reached in the published order");
    }

    /* How the counts split into the five ratings and the failed surveys. */
    for (size_t unit = 0; unit < count && result == HL_OK; unit++) {
        hl_taiyuan_unit *record = &plan->units[unit];
        record->base = base[unit];
        record->succeeded = succeeded[unit];
        record->satisfied = satisfied[unit];
        record->very_satisfied =
            llround((double)satisfied[unit] * (0.45 + 0.2 * random_fraction(&planning->random)));
        record->satisfied_rating = satisfied[unit] - record->very_satisfied;
        int64_t unsatisfied = succeeded[unit] - satisfied[unit];
        record->basic =
            llround((double)unsatisfied * (0.40 + 0.2 * random_fraction(&planning->random)));
        int64_t rest = unsatisfied - record->basic;
        record->dissatisfied =
            llround((double)rest * (0.6 + 0.2 * random_fraction(&planning->random)));
        record->very_dissatisfied = rest - record->dissatisfied;
        int64_t failed = base[unit] - succeeded[unit];
        record->failed_wrong_number = llround((double)failed * 0.12);
        record->failed_refused = llround((double)failed * 0.18);
        record->failed_no_answer = failed - record->failed_wrong_number - record->failed_refused;
        plan->base += record->base;
        plan->succeeded += record->succeeded;
        plan->satisfied += record->satisfied;
    }
    free(base);
    free(succeeded);
    free(satisfied);
    free(low);
    free(high);
    free(key);
    free(order);
    free(previous);
    free(next);
    free(rate);
    return result;
}

typedef struct order_key {
    hl_time received_at;
    size_t index;
} order_key;

static int compare_keys(const void *left, const void *right)
{
    const order_key *a = left, *b = right;
    if (a->received_at != b->received_at)
        return a->received_at < b->received_at ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Numbers in the order of receipt: the day, then its sequence. */
static void plan_numbers(hl_taiyuan_plan *plan)
{
    order_key *keys = hl_xmalloc(plan->order_count * sizeof *keys);
    for (size_t index = 0; index < plan->order_count; index++)
        keys[index] = (order_key){plan->orders[index].received_at, index};
    qsort(keys, plan->order_count, sizeof *keys, compare_keys);
    plan->by_number = hl_xmalloc(plan->order_count * sizeof *plan->by_number);
    int64_t prefix = 0, sequence = 0;
    for (size_t index = 0; index < plan->order_count; index++) {
        hl_taiyuan_order *order = &plan->orders[keys[index].index];
        int64_t day_prefix = hl_order_number_prefix(order->received_at);
        if (day_prefix != prefix) {
            prefix = day_prefix;
            sequence = 0;
        }
        order->number = prefix + ++sequence;
        plan->by_number[index] = keys[index].index;
    }
    free(keys);
}

int hl_taiyuan_unit_index(const hl_taiyuan_plan *plan, const char *code)
{
    for (size_t unit = 0; unit < plan->unit_count; unit++)
        if (strcmp(plan->units[unit].code, code) == 0)
            return (int)unit;
    return -1;
}

int hl_taiyuan_plan_build(const hl_calendar *calendar, const hl_limits *limits,
                          hl_taiyuan_plan **out, hl_error *error)
{
    *out = NULL;
    hl_taiyuan_plan *plan = hl_xcalloc(1, sizeof *plan);
    planner *planning = hl_xcalloc(1, sizeof *planning);
    planning->calendar = calendar;
    planning->limits = limits;
    planning->random = TAIYUAN_SEED;
    planning->plan = plan;
    planning->first_day = hl_clock_day_from_civil(2024, 2, 1);
    planning->last_work = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, 29)) + WORK_END;
    hl_taiyuan_plan_day_weights(planning);
    int result = parse_units(plan, error);
    if (result == HL_OK)
        result = parse_categories(planning, error);
    if (result == HL_OK) {
        planning->unit_topics = hl_xcalloc(plan->unit_count, sizeof *planning->unit_topics);
        planning->unit_topic_count =
            hl_xcalloc(plan->unit_count, sizeof *planning->unit_topic_count);
        planning->weights = hl_xcalloc(plan->unit_count, sizeof *planning->weights);
        result = assign_topics(planning, error);
    }
    if (result == HL_OK)
        result = plan_counts(planning, error);
    if (result == HL_OK) {
        size_t capacity = (size_t)HL_TAIYUAN_BASE + INTAKE_ORDERS + INVALID_ORDERS + MERGED_ORDERS +
                          OPEN_ORDERS + 1;
        plan->orders = hl_xmalloc(capacity * sizeof *plan->orders);
        result = hl_taiyuan_plan_orders(planning, error);
    }
    if (result == HL_OK) {
        plan_numbers(plan);
        result = hl_taiyuan_plan_check(plan, error);
    }
    free(planning->unit_topics);
    free(planning->unit_topic_count);
    free(planning->weights);
    free(planning);
    if (result != HL_OK) {
        hl_taiyuan_plan_free(plan);
        return result;
    }
    *out = plan;
    return HL_OK;
}

void hl_taiyuan_plan_free(hl_taiyuan_plan *plan)
{
    if (plan == NULL)
        return;
    free(plan->units);
    free(plan->orders);
    free(plan->by_number);
    free(plan);
}
