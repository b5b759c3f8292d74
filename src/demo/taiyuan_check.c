/* taiyuan_check.c: the invariants of the Taiyuan plan.
 *
 * Before a plan is replayed it is checked against what the city
 * published and against itself: the three totals, each unit's counts
 * consistent and its satisfaction rate strictly in its group's published
 * order (compared exactly), and every order's story in the order its steps
 * are taken, within February. It reads the plan only. */
#include "demo/taiyuan_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the invariants ---- */

static int unit_fail(hl_error *error, const hl_taiyuan_unit *unit, const char *what)
{
    return hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: %s: %s", unit->code, what);
}

static int order_fail(hl_error *error, const hl_taiyuan_order *order, const char *what)
{
    char number[24];
    hl_order_format_number(order->number, number, sizeof number);
    return hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: order %s: %s", number, what);
}

/* Walks an order's story in the order its steps are taken: each step must
 * come at or after the one before, each survey call strictly after. */
typedef struct story_walk {
    hl_time previous;
    const char *fault; /* the first step out of order, or NULL */
} story_walk;

static void walk_step(story_walk *walk, hl_time at, const char *name)
{
    if (walk->fault != NULL || at == 0)
        return;
    if (at < walk->previous)
        walk->fault = name;
    else
        walk->previous = at;
}

static void walk_calls(story_walk *walk, const hl_taiyuan_survey *survey, const char *name)
{
    for (int call = 0; call < survey->call_count && walk->fault == NULL; call++) {
        if (survey->at[call] <= walk->previous)
            walk->fault = name;
        else
            walk->previous = survey->at[call];
    }
}

static const char *story_out_of_order(const hl_taiyuan_order *order)
{
    story_walk walk = {0, NULL};
    walk_step(&walk, order->received_at, "received");
    walk_step(&walk, order->dispatched_at, "dispatched");
    walk_step(&walk, order->returned_at, "returned");
    walk_step(&walk, order->return_decided_at, "return decided");
    walk_step(&walk, order->signed_at, "signed");
    walk_step(&walk, order->extension_at, "extension asked");
    walk_step(&walk, order->extension_decided_at, "extension decided");
    walk_step(&walk, order->noted_at, "noted");
    walk_step(&walk, order->reminded_at, "reminded");
    walk_step(&walk, order->supervised_at, "supervised");
    walk_step(&walk, order->completed_at, "completed");
    walk_step(&walk, order->closed_at, "closed");
    walk_calls(&walk, &order->survey, "survey call");
    walk_step(&walk, order->resigned_at, "signed again");
    walk_step(&walk, order->renoted_at, "noted again");
    walk_step(&walk, order->recompleted_at, "completed again");
    walk_calls(&walk, &order->resurvey, "second survey call");
    walk_step(&walk, order->appeal_at, "appeal");
    walk_step(&walk, order->appeal_decided_at, "appeal decided");
    return walk.fault;
}

int hl_taiyuan_plan_check(const hl_taiyuan_plan *plan, hl_error *error)
{
    int64_t base = 0, succeeded = 0, satisfied = 0;
    int64_t(*counted)[CASE_COUNT] = hl_xcalloc(plan->unit_count, sizeof *counted);
    int64_t *resolved = hl_xcalloc(plan->unit_count, sizeof *resolved);
    int result = HL_OK;
    hl_time month_start = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, 1));
    hl_time month_end = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 3, 1));

    for (size_t unit = 0; unit < plan->unit_count && result == HL_OK; unit++) {
        const hl_taiyuan_unit *record = &plan->units[unit];
        if (!(record->base >= record->succeeded && record->succeeded >= record->satisfied &&
              record->satisfied >= 0))
            result = unit_fail(error, record, "not base >= succeeded >= satisfied >= 0");
        else if (record->succeeded < HL_TAIYUAN_MIN_REACHED)
            result = unit_fail(error, record, "too few reached surveys to be ranked");
        else if (record->very_satisfied + record->satisfied_rating != record->satisfied ||
                 record->satisfied + record->basic + record->dissatisfied +
                         record->very_dissatisfied !=
                     record->succeeded ||
                 record->succeeded + record->failed_no_answer + record->failed_refused +
                         record->failed_wrong_number !=
                     record->base ||
                 record->very_satisfied < 0 || record->satisfied_rating < 0 || record->basic < 0 ||
                 record->dissatisfied < 0 || record->very_dissatisfied < 0 ||
                 record->failed_no_answer < 0 || record->failed_refused < 0 ||
                 record->failed_wrong_number < 0)
            result = unit_fail(error, record, "the ratings and failures do not add up");
        /* Strictly below every unit ranked above it in its group. */
        for (size_t above = 0; above < unit && result == HL_OK; above++) {
            const hl_taiyuan_unit *higher = &plan->units[above];
            if (higher->group_index != record->group_index)
                continue;
            if (higher->rank >= record->rank || !rate_above(higher->satisfied, higher->succeeded,
                                                            record->satisfied, record->succeeded))
                result =
                    unit_fail(error, record,
                              "its satisfaction rate is not strictly below a unit ranked above");
        }
        base += record->base;
        succeeded += record->succeeded;
        satisfied += record->satisfied;
    }
    if (result == HL_OK && (base != HL_TAIYUAN_BASE || succeeded != HL_TAIYUAN_SUCCEEDED ||
                            satisfied != HL_TAIYUAN_SATISFIED || plan->base != base ||
                            plan->succeeded != succeeded || plan->satisfied != satisfied))
        result = hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: totals %lld / %lld / %lld",
                              (long long)base, (long long)succeeded, (long long)satisfied);

    int64_t kinds[HL_TAIYUAN_APPEALED + 1] = {0}, calls[2] = {0, 0}, surveys = 0, second_rounds = 0;
    for (size_t index = 0; index < plan->order_count && result == HL_OK; index++) {
        const hl_taiyuan_order *order = &plan->orders[index];
        kinds[order->kind]++;
        calls[0] += order->survey.call_count;
        calls[1] += order->resurvey.call_count;
        bool surveyed = order->kind == HL_TAIYUAN_BASE_ORDER || order->kind == HL_TAIYUAN_APPEALED;
        bool reopened = order->survey.rating == HL_RATING_DISSATISFIED ||
                        order->survey.rating == HL_RATING_VERY_DISSATISFIED;
        if (index > 0 && plan->orders[plan->by_number[index]].number <=
                             plan->orders[plan->by_number[index - 1]].number)
            result =
                order_fail(error, &plan->orders[plan->by_number[index]], "numbers out of order");
        else if (order->received_at < month_start || order->received_at >= month_end)
            result = order_fail(error, order, "not received in February");
        else if (story_out_of_order(order) != NULL)
            result = hl_error_set(error, HL_EINVAL, "plan",
                                  "taiyuan plan: order %lld: %s out of time order",
                                  (long long)order->number, story_out_of_order(order));
        else if (surveyed && (order->completed_at == 0 || order->completed_at >= month_end ||
                              order->survey.call_count < 1))
            result = order_fail(error, order, "not completed and surveyed in February");
        else if (!surveyed && (order->completed_at != 0 || order->survey.call_count != 0 ||
                               order->resigned_at != 0))
            result = order_fail(error, order, "completed or surveyed outside the base");
        else if (reopened != (order->resigned_at != 0))
            result =
                order_fail(error, order, "signed again without a dissatisfied survey, or never");
        else if ((order->recompleted_at != 0) != (order->resurvey.call_count > 0) ||
                 order->recompleted_at >= month_end)
            result =
                order_fail(error, order, "a second completion outside February or not surveyed");
        else if (order->kind == HL_TAIYUAN_OPEN &&
                 (order->dispatched_at == 0 ||
                  max_time(max_time(order->supervised_at, order->extension_at),
                           order->returned_at) >= month_end))
            result = order_fail(error, order, "an open order's steps leave February");
        else if (order->kind == HL_TAIYUAN_MERGED &&
                 plan->orders[order->merge_into].received_at > order->received_at)
            result = order_fail(error, order, "merged into a later order");
        if (result != HL_OK || order->kind != HL_TAIYUAN_BASE_ORDER)
            continue;
        /* Each survey of the base is one case of its unit's counts. */
        const hl_taiyuan_survey *rounds[2] = {&order->survey, &order->resurvey};
        for (int round = 0; round < 2 && result == HL_OK; round++) {
            const hl_taiyuan_survey *survey = rounds[round];
            if (survey->call_count == 0)
                continue;
            hl_survey_outcome last = survey->outcome[survey->call_count - 1];
            survey_case kind = last == HL_OUTCOME_REACHED
                                   ? (survey_case)(survey->rating - HL_RATING_VERY_SATISFIED)
                               : last == HL_OUTCOME_REFUSED      ? CASE_REFUSED
                               : last == HL_OUTCOME_WRONG_NUMBER ? CASE_WRONG_NUMBER
                                                                 : CASE_NO_ANSWER;
            if ((last == HL_OUTCOME_REACHED) != (survey->rating != HL_RATING_NONE))
                result = order_fail(error, order, "a rating does not match its last call");
            else if (round == 1 && is_dissatisfied(kind))
                result = order_fail(error, order,
                                    "a second survey is dissatisfied: reopening would not stop");
            counted[order->unit][kind]++;
            resolved[order->unit] += survey->resolved == HL_RESOLVED_YES;
            surveys++;
        }
        second_rounds += order->recompleted_at != 0;
    }
    for (size_t unit = 0; unit < plan->unit_count && result == HL_OK; unit++) {
        const hl_taiyuan_unit *record = &plan->units[unit];
        int64_t expected[CASE_COUNT] = {
            record->very_satisfied, record->satisfied_rating,   record->basic,
            record->dissatisfied,   record->very_dissatisfied,  record->failed_no_answer,
            record->failed_refused, record->failed_wrong_number};
        if (memcmp(expected, counted[unit], sizeof expected) != 0 ||
            resolved[unit] != record->resolved)
            result = unit_fail(error, record, "its orders do not give its counts");
    }
    for (int kind = 0; kind <= HL_TAIYUAN_APPEALED && result == HL_OK; kind++)
        if (kinds[kind] != plan->kind_count[kind])
            result = hl_error_set(error, HL_EINVAL, "plan",
                                  "taiyuan plan: orders of kind %d miscounted", kind);
    if (result == HL_OK &&
        (calls[0] != plan->calls[0] || calls[1] != plan->calls[1] || surveys != HL_TAIYUAN_BASE ||
         second_rounds != plan->second_rounds || kinds[HL_TAIYUAN_APPEALED] != 1 ||
         plan->orders[plan->appealed_order].kind != HL_TAIYUAN_APPEALED))
        result = plan_fail(error, "the order list does not match the base");
    free(counted);
    free(resolved);
    return result;
}
