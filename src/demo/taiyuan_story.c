/* taiyuan_story.c: the work orders of the Taiyuan month and their stories.
 *
 * From the per-unit counts (taiyuan_plan.c), the orders behind the
 * surveys: when each was received, dispatched (now and then to the wrong
 * unit first), signed, extended, reminded, supervised and completed, on
 * working days and within working hours, and the calls of its survey; a
 * dissatisfied survey reopens the order, which its unit signs again at
 * once and, when there is time, completes again within the month, and that
 * completion's survey is the next of the unit's counted cases. Then the
 * orders that never enter the base: answered at intake, invalid, merged
 * duplicates, still open at the end of the month, and one order excluded
 * by an upheld appeal. Instants only: the texts are drawn when the plan is
 * replayed (taiyuan_run.c). */
#include "demo/taiyuan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- working time ---- */

/* The first instant at or after `instant` within working hours. */
static hl_time next_work_instant(const hl_calendar *calendar, hl_time instant)
{
    int32_t day = hl_clock_day_of(instant);
    hl_time start = hl_clock_start_of_day(day);
    if (hl_calendar_is_working_day(calendar, day)) {
        if (instant < start + WORK_START)
            return start + WORK_START;
        if (instant < start + WORK_END)
            return instant;
    }
    do
        day++;
    while (!hl_calendar_is_working_day(calendar, day));
    return hl_clock_start_of_day(day) + WORK_START;
}

/* The working hours of `day` that fall in [from, to), as [*low, *high). */
static bool work_span(const hl_calendar *calendar, int32_t day, hl_time from, hl_time to,
                      hl_time *low, hl_time *high)
{
    if (!hl_calendar_is_working_day(calendar, day))
        return false;
    hl_time open = hl_clock_start_of_day(day) + WORK_START,
            close = hl_clock_start_of_day(day) + WORK_END;
    *low = open > from ? open : from;
    *high = close < to ? close : to;
    return *high > *low;
}

static hl_time work_seconds(const hl_calendar *calendar, hl_time from, hl_time to)
{
    hl_time total = 0, low, high;
    for (int32_t day = hl_clock_day_of(from); from < to && hl_clock_start_of_day(day) < to; day++)
        if (work_span(calendar, day, from, to, &low, &high))
            total += high - low;
    return total;
}

/* A random instant within the working hours of [from, to); false when the
 * range holds none. */
static bool random_work_within(const hl_calendar *calendar, uint64_t *random, hl_time from,
                               hl_time to, hl_time *out)
{
    hl_time total = work_seconds(calendar, from, to);
    if (total <= 0)
        return false;
    hl_time offset = random_range(random, 0, total), low, high;
    for (int32_t day = hl_clock_day_of(from);; day++) {
        if (!work_span(calendar, day, from, to, &low, &high))
            continue;
        if (offset < high - low) {
            *out = low + offset;
            return true;
        }
        offset -= high - low;
    }
}

/* As random_work_within, falling back to the first working instant from `from`. */
static hl_time random_work_instant(const hl_calendar *calendar, uint64_t *random, hl_time from,
                                   hl_time to)
{
    hl_time instant;
    return random_work_within(calendar, random, from, to, &instant)
               ? instant
               : next_work_instant(calendar, from);
}

/* Moves an instant into the survey team's calling hours. */
static hl_time call_instant(uint64_t *random, hl_time instant)
{
    hl_time start = hl_clock_start_of_day(hl_clock_day_of(instant));
    if (instant < start + CALL_START)
        return start + CALL_START + random_range(random, 0, 90 * MINUTE);
    if (instant >= start + CALL_END)
        return start + DAY + CALL_START + random_range(random, 0, 90 * MINUTE);
    return instant;
}

static int handle_days_of(const planner *planning, const hl_taiyuan_order *order)
{
    const category_days *category = category_of(planning, hl_taiyuan_topics[order->topic].category);
    if (category != NULL && category->handle_days > 0)
        return category->handle_days;
    return planning->limits->handle_days[order->type];
}

/* ---- orders and their stories ---- */

static hl_taiyuan_order *new_order(planner *planning, hl_taiyuan_kind kind, int unit)
{
    hl_taiyuan_plan *plan = planning->plan;
    hl_taiyuan_order *order = &plan->orders[plan->order_count++];
    memset(order, 0, sizeof *order);
    order->kind = kind;
    order->unit = unit;
    order->wrong_unit = -1;
    order->seed = next_random(&planning->random);
    order->place_seed = next_random(&planning->random);
    order->channel = HL_CHANNEL_PHONE;
    int channel = (int)random_range(&planning->random, 0, 100);
    if (channel >= 70)
        order->channel = channel < 80   ? HL_CHANNEL_APP
                         : channel < 90 ? HL_CHANNEL_WECHAT
                         : channel < 98 ? HL_CHANNEL_WEB
                                        : HL_CHANNEL_OTHER;
    plan->kind_count[kind]++;
    return order;
}

static void choose_topic(planner *planning, hl_taiyuan_order *order)
{
    int count = planning->unit_topic_count[order->unit];
    order->topic = planning->unit_topics[order->unit][random_range(&planning->random, 0, count)];
    order->type = hl_taiyuan_topics[order->topic].type;
}

/* A unit drawn by volume. */
static int random_unit(planner *planning)
{
    double total = 0;
    for (size_t unit = 0; unit < planning->plan->unit_count; unit++)
        total += planning->weights[unit];
    double point = random_fraction(&planning->random) * total;
    for (size_t unit = 0; unit < planning->plan->unit_count; unit++) {
        point -= planning->weights[unit];
        if (point < 0)
            return (int)unit;
    }
    return (int)planning->plan->unit_count - 1;
}

/* A day of February (0-based) drawn by weight, and a time between 07:30
 * and 22:30 not later than `latest`. */
static hl_time random_received(planner *planning, const int *day_weight, hl_time latest)
{
    for (;;) {
        int total = 0;
        for (int day = 0; day < 29; day++)
            total += day_weight[day];
        int point = (int)random_range(&planning->random, 0, total), day = 0;
        while (point >= day_weight[day]) {
            point -= day_weight[day];
            day++;
        }
        hl_time instant = hl_clock_start_of_day(planning->first_day + day) + 7 * HOUR +
                          30 * MINUTE + random_range(&planning->random, 0, 15 * HOUR);
        if (instant <= latest)
            return instant;
    }
}

/* The story of an order that its unit completes in February. `plain`
 * leaves out the detours (used for the order whose appeal is upheld). */
static void plan_completed_story(planner *planning, hl_taiyuan_order *order, bool plain)
{
    const hl_calendar *calendar = planning->calendar;
    const hl_limits *limits = planning->limits;
    uint64_t *random = &planning->random;
    hl_time received = order->received_at;
    hl_time dispatched = received + random_range(random, 5 * MINUTE, 60 * MINUTE);
    hl_time feb20 = hl_clock_start_of_day(planning->first_day + 19);
    hl_time feb22 = hl_clock_start_of_day(planning->first_day + 21);
    hl_time feb27 = hl_clock_start_of_day(planning->first_day + 26);
    order->dispatched_at = dispatched;
    hl_time started = dispatched; /* when the unit's deadlines start */
    hl_time cursor = dispatched;

    int route = plain || received >= feb22 ? 100 : (int)random_range(random, 0, 100);
    if (route < 4) {
        hl_time return_deadline = hl_calendar_deadline(calendar, dispatched, limits->return_days);
        hl_time sign_deadline = hl_calendar_deadline(calendar, dispatched, limits->sign_days);
        hl_time from = dispatched + 20 * MINUTE;
        /* Misrouted: returned by the wrong unit; or returned by the right one and sent back. */
        bool misrouted = route < 3;
        hl_time until = min_time(misrouted ? return_deadline : sign_deadline,
                                 next_work_instant(calendar, from) + 4 * HOUR);
        hl_time returned;
        if (random_work_within(calendar, random, from, until, &returned)) {
            order->route = misrouted ? HL_TAIYUAN_MISROUTED : HL_TAIYUAN_RETURN_REJECTED;
            order->returned_at = returned;
            order->return_decided_at = returned + random_range(random, 10 * MINUTE, 90 * MINUTE);
            cursor = order->return_decided_at;
            if (misrouted) {
                started = cursor;
                do
                    order->wrong_unit = random_unit(planning);
                while (order->wrong_unit == order->unit);
            }
        }
    }
    hl_time sign_deadline = hl_calendar_deadline(calendar, started, limits->sign_days);
    hl_time handle_deadline =
        hl_calendar_deadline(calendar, started, handle_days_of(planning, order));

    /* One in twenty-five signs late: the working day after the deadline. */
    hl_time late_sign =
        next_work_instant(calendar, sign_deadline + 1) + random_range(random, 0, 2 * HOUR);
    if (!plain && chance(random, 4) && late_sign < feb27 && late_sign > cursor) {
        order->signed_at = late_sign;
    } else {
        hl_time from = cursor + 10 * MINUTE;
        order->signed_at = random_work_instant(
            calendar, random, from,
            min_time(sign_deadline, next_work_instant(calendar, from) + 5 * HOUR));
    }
    cursor = order->signed_at;

    if (!plain && cursor < feb20 && chance(random, 3)) {
        order->extension_at =
            random_work_instant(calendar, random, cursor + 30 * MINUTE, cursor + 30 * HOUR);
        order->extension_days = (int)random_range(random, 3, 6);
        order->extension_decided_at = next_work_instant(calendar, order->extension_at + HOUR) +
                                      random_range(random, 0, 2 * HOUR);
        order->extension_approved = !chance(random, 25);
        if (order->extension_approved)
            handle_deadline =
                hl_calendar_deadline(calendar, handle_deadline, order->extension_days);
        cursor = order->extension_decided_at;
    }
    hl_time noted;
    if (chance(random, 35) && random_work_within(calendar, random, cursor + 10 * MINUTE,
                                                 min_time(min_time(handle_deadline, cursor + DAY),
                                                          planning->last_work - HOUR),
                                                 &noted)) {
        order->noted_at = noted;
        cursor = noted;
    }

    hl_time start = cursor + 30 * MINUTE;
    if (!plain && chance(random, 7) && handle_deadline > start &&
        handle_deadline + DAY < planning->last_work) {
        /* Late: reminded before the deadline, supervised after it, completed within three days. */
        hl_time reminded = handle_deadline - random_range(random, 2 * HOUR, 6 * HOUR);
        if (reminded > cursor) {
            order->reminded_at = reminded;
            cursor = reminded;
        }
        order->completed_at =
            random_work_instant(calendar, random, handle_deadline + 1,
                                min_time(handle_deadline + 3 * DAY, planning->last_work));
        hl_time supervised;
        if (random_work_within(calendar, random, handle_deadline + 1,
                               order->completed_at - 30 * MINUTE, &supervised))
            order->supervised_at = supervised;
    } else {
        hl_time span = random_range(random, 1, handle_days_of(planning, order) + 1) * DAY;
        hl_time end = min_time(min_time(handle_deadline, planning->last_work), start + span);
        hl_time completed;
        if (!random_work_within(calendar, random, start, end, &completed))
            completed = random_work_instant(calendar, random, start,
                                            min_time(handle_deadline, planning->last_work));
        order->completed_at = completed;
        if (!plain && chance(random, 2) && completed - cursor > 2 * HOUR)
            order->reminded_at = cursor + (completed - cursor) / 2;
    }
}

/* The survey calls of a completion (at `completed`), and their result. */
static int plan_calls(planner *planning, hl_taiyuan_survey *survey, hl_time completed,
                      survey_case result, hl_taiyuan_unit *unit, int round, hl_error *error)
{
    uint64_t *random = &planning->random;
    int attempts = planning->limits->survey_max_attempts;
    if (attempts < 1 || attempts > HL_TAIYUAN_MAX_CALLS)
        return plan_fail(error, "survey_max_attempts must be 1 to 3");
    int unanswered = 0;
    hl_survey_outcome last = HL_OUTCOME_REACHED;
    survey->rating = HL_RATING_NONE;
    survey->resolved = HL_RESOLVED_UNKNOWN;
    if (result <= CASE_VERY_DISSATISFIED) {
        static const int resolved_percent[HL_RATING_COUNT] = {0, 95, 88, 55, 12, 5};
        int draw = (int)random_range(random, 0, 100);
        unanswered = draw < 72 ? 0 : draw < 92 ? 1 : 2;
        if (unanswered > attempts - 1)
            unanswered = attempts - 1;
        survey->rating = (hl_rating)(HL_RATING_VERY_SATISFIED + result);
        survey->resolved =
            chance(random, resolved_percent[survey->rating]) ? HL_RESOLVED_YES : HL_RESOLVED_NO;
        if (survey->resolved == HL_RESOLVED_YES)
            unit->resolved++;
        if (survey->rating == HL_RATING_DISSATISFIED ||
            survey->rating == HL_RATING_VERY_DISSATISFIED)
            planning->plan->dissatisfied++;
    } else if (result == CASE_NO_ANSWER) {
        unanswered = attempts - 1;
        last = chance(random, 80) ? HL_OUTCOME_NO_ANSWER : HL_OUTCOME_BUSY;
    } else if (result == CASE_REFUSED) {
        unanswered = attempts > 1 && chance(random, 30) ? 1 : 0;
        last = HL_OUTCOME_REFUSED;
    } else {
        last = HL_OUTCOME_WRONG_NUMBER;
    }
    hl_time at = call_instant(random, completed + random_range(random, HOUR, 30 * HOUR));
    for (int call = 0; call <= unanswered; call++) {
        if (call > 0)
            at = call_instant(random, at + random_range(random, 2 * HOUR, 6 * HOUR));
        survey->at[call] = at;
        survey->outcome[call] = call < unanswered
                                    ? (chance(random, 75) ? HL_OUTCOME_NO_ANSWER : HL_OUTCOME_BUSY)
                                    : last;
    }
    survey->call_count = unanswered + 1;
    planning->plan->calls[round - 1] += survey->call_count;
    return HL_OK;
}

/* After a dissatisfied survey reopened the order at `reopened`: the unit
 * signs again at once and, when the new deadline and the month allow and
 * `may_complete`, handles and completes it before the month ends. Returns
 * whether it is completed again. */
static bool plan_second_round(planner *planning, hl_taiyuan_order *order, hl_time reopened,
                              bool may_complete)
{
    const hl_calendar *calendar = planning->calendar;
    uint64_t *random = &planning->random;
    hl_time sign_deadline = hl_calendar_deadline(calendar, reopened, planning->limits->sign_days);
    hl_time handle_deadline =
        hl_calendar_deadline(calendar, reopened, handle_days_of(planning, order));
    hl_time from = reopened + 10 * MINUTE;
    order->resigned_at =
        random_work_instant(calendar, random, from,
                            min_time(sign_deadline, next_work_instant(calendar, from) + 4 * HOUR));
    hl_time cursor = order->resigned_at;
    hl_time noted = 0, completed;
    if (!may_complete || cursor + HOUR >= planning->last_work)
        return false;
    if (chance(random, 60) &&
        random_work_within(
            calendar, random, cursor + 10 * MINUTE,
            min_time(min_time(handle_deadline, cursor + DAY), planning->last_work - HOUR), &noted))
        cursor = noted;
    hl_time start = cursor + 30 * MINUTE;
    hl_time span = random_range(random, 1, handle_days_of(planning, order) + 1) * DAY;
    if (!random_work_within(calendar, random, start,
                            min_time(min_time(handle_deadline, planning->last_work), start + span),
                            &completed))
        return false;
    order->renoted_at = noted;
    order->recompleted_at = completed;
    return true;
}

/* An order still with its unit on 29 February. */
static void plan_open_story(planner *planning, hl_taiyuan_order *order)
{
    const hl_calendar *calendar = planning->calendar;
    const hl_limits *limits = planning->limits;
    uint64_t *random = &planning->random;
    hl_time last = planning->last_work;
    hl_time dispatched = order->received_at + random_range(random, 5 * MINUTE, 60 * MINUTE);
    order->dispatched_at = dispatched;
    hl_time sign_deadline = hl_calendar_deadline(calendar, dispatched, limits->sign_days);
    hl_time return_deadline = hl_calendar_deadline(calendar, dispatched, limits->return_days);
    hl_time handle_deadline =
        hl_calendar_deadline(calendar, dispatched, handle_days_of(planning, order));
    hl_time feb28_noon = hl_clock_start_of_day(planning->first_day + 27) + 12 * HOUR;
    int draw = (int)random_range(random, 0, 100);
    hl_time instant;

    if ((draw < 20 && dispatched >= feb28_noon) || draw < 4) {
        order->open_stage = HL_TAIYUAN_OPEN_DISPATCHED;
        if (sign_deadline < last) {
            /* Not signed for in time: reminded, then supervised. */
            order->reminded_at = dispatched + (sign_deadline - dispatched) / 2;
            if (random_work_within(calendar, random, sign_deadline + 1, last, &instant))
                order->supervised_at = instant;
        }
        return;
    }
    if (draw < 12 && random_work_within(calendar, random, dispatched + 20 * MINUTE,
                                        min_time(return_deadline, last), &instant)) {
        order->open_stage = HL_TAIYUAN_OPEN_RETURNED;
        order->returned_at = instant;
        return;
    }
    hl_time from = dispatched + 10 * MINUTE;
    if (!random_work_within(
            calendar, random, from,
            min_time(min_time(sign_deadline, last), next_work_instant(calendar, from) + 5 * HOUR),
            &instant)) {
        order->open_stage = HL_TAIYUAN_OPEN_DISPATCHED;
        return;
    }
    order->signed_at = instant;
    order->open_stage = HL_TAIYUAN_OPEN_HANDLING;
    hl_time cursor = instant;
    bool overdue = handle_deadline < last - 2 * HOUR;
    if (!overdue && chance(random, 15) &&
        random_work_within(calendar, random, cursor + 30 * MINUTE, min_time(last, handle_deadline),
                           &instant)) {
        order->open_stage = HL_TAIYUAN_OPEN_EXTENSION;
        order->extension_at = instant;
        order->extension_days = (int)random_range(random, 3, 6);
        cursor = instant;
    }
    if (chance(random, 70) && random_work_within(calendar, random, cursor + 10 * MINUTE,
                                                 min_time(last, cursor + DAY), &instant)) {
        order->noted_at = instant;
        cursor = instant;
    }
    if (overdue) {
        order->open_stage = HL_TAIYUAN_OPEN_OVERDUE;
        order->reminded_at = max_time(cursor + 10 * MINUTE,
                                      handle_deadline - random_range(random, 2 * HOUR, 6 * HOUR));
        if (random_work_within(calendar, random,
                               max_time(handle_deadline + 1, order->reminded_at + 10 * MINUTE),
                               last, &instant))
            order->supervised_at = instant;
    }
}

/* The days orders arrive: fewer on rest days and in the Spring Festival
 * week; the base thins out towards the end of the month (its orders must
 * be completed by then), while open orders are the month's last ones. */
void hl_taiyuan_plan_day_weights(planner *planning)
{
    for (int day = 0; day < 29; day++) {
        int32_t number = planning->first_day + day;
        int weight = hl_calendar_is_working_day(planning->calendar, number) ? 10 : 6;
        if (day >= 9 && day <= 16)
            weight = 4; /* 10-17 February: 春节 */
        planning->base_day_weight[day] = day >= 28   ? 0
                                         : day >= 21 ? weight * (28 - day) / 7 + 1
                                                     : weight;
        planning->open_day_weight[day] = day >= 20 ? weight * (day - 18) : 0;
    }
}

int hl_taiyuan_plan_orders(planner *planning, hl_error *error)
{
    hl_taiyuan_plan *plan = planning->plan;
    uint64_t *random = &planning->random;
    hl_time base_latest =
        hl_clock_start_of_day(planning->first_day + 27) + 12 * HOUR; /* 28 Feb noon */
    hl_time month_latest =
        hl_clock_start_of_day(planning->first_day + 28) + 16 * HOUR; /* 29 Feb 16:00 */
    int result = HL_OK;

    /* The base, unit by unit: each of its survey results becomes one order. */
    for (size_t unit = 0; unit < plan->unit_count && result == HL_OK; unit++) {
        hl_taiyuan_unit *record = &plan->units[unit];
        int64_t amounts[CASE_COUNT] = {
            record->very_satisfied, record->satisfied_rating,   record->basic,
            record->dissatisfied,   record->very_dissatisfied,  record->failed_no_answer,
            record->failed_refused, record->failed_wrong_number};
        size_t total = (size_t)record->base, filled = 0;
        unsigned char *cases = hl_xmalloc(total);
        for (int kind = 0; kind < CASE_COUNT; kind++)
            for (int64_t copy = 0; copy < amounts[kind] && filled < total; copy++)
                cases[filled++] = (unsigned char)kind;
        for (size_t index = total; index > 1; index--) {
            size_t other = (size_t)random_range(random, 0, (int64_t)index);
            unsigned char swap = cases[index - 1];
            cases[index - 1] = cases[other];
            cases[other] = swap;
        }
        /* Each case is an order's first survey; a dissatisfied one reopens
         * the order, and when its second completion fits in the month the
         * next case that is not dissatisfied is that completion's survey
         * (so that reopening stops after one round). */
        for (size_t index = 0; index < filled && result == HL_OK;) {
            hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_BASE_ORDER, (int)unit);
            choose_topic(planning, order);
            order->received_at = random_received(planning, planning->base_day_weight, base_latest);
            plan_completed_story(planning, order, false);
            survey_case first = (survey_case)cases[index++];
            result =
                plan_calls(planning, &order->survey, order->completed_at, first, record, 1, error);
            if (result != HL_OK || !is_dissatisfied(first))
                continue;
            size_t second = index;
            while (second < filled && is_dissatisfied((survey_case)cases[second]))
                second++;
            hl_time reopened = order->survey.at[order->survey.call_count - 1];
            if (!plan_second_round(planning, order, reopened, second < filled))
                continue;
            unsigned char swap = cases[second];
            cases[second] = cases[index];
            cases[index] = swap;
            result = plan_calls(planning, &order->resurvey, order->recompleted_at,
                                (survey_case)cases[index++], record, 2, error);
            plan->second_rounds++;
        }
        free(cases);
        if (result == HL_OK && filled != total)
            result = plan_fail(error, "a unit's survey results do not add up to its base");
    }
    size_t base_orders = plan->order_count;

    /* The order whose appeal is upheld: the citizen gave a number that does not exist. */
    int appeal_unit = hl_taiyuan_unit_index(plan, APPEAL_UPHELD_UNIT);
    if (result == HL_OK && appeal_unit < 0)
        result = plan_fail(error, "the unit of the upheld appeal is missing");
    if (result == HL_OK) {
        hl_taiyuan_unit scratch = {0};
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_APPEALED, appeal_unit);
        plan->appealed_order = plan->order_count - 1;
        choose_topic(planning, order);
        order->received_at =
            hl_clock_start_of_day(planning->first_day + 18) + 10 * HOUR + 12 * MINUTE;
        plan_completed_story(planning, order, true);
        result = plan_calls(planning, &order->survey, order->completed_at, CASE_WRONG_NUMBER,
                            &scratch, 1, error);
        hl_time surveyed = order->survey.at[order->survey.call_count - 1];
        order->appeal_at = next_work_instant(planning->calendar, surveyed + HOUR) +
                           random_range(random, 0, 2 * HOUR);
        order->appeal_decided_at = next_work_instant(planning->calendar, order->appeal_at + DAY);
    }
    /* A rejected appeal: a unit contests a refusal, which is no ground. */
    int rejected_unit = hl_taiyuan_unit_index(plan, APPEAL_REJECTED_UNIT);
    plan->rejected_appeal_order = SIZE_MAX;
    hl_time feb20 = hl_clock_start_of_day(planning->first_day + 19);
    for (size_t index = 0; index < base_orders && result == HL_OK && rejected_unit >= 0; index++) {
        hl_taiyuan_order *order = &plan->orders[index];
        if (order->unit != rejected_unit ||
            order->survey.outcome[order->survey.call_count - 1] != HL_OUTCOME_REFUSED ||
            order->completed_at >= feb20)
            continue;
        hl_time surveyed = order->survey.at[order->survey.call_count - 1];
        order->appeal_at = next_work_instant(planning->calendar, surveyed + 2 * HOUR);
        order->appeal_decided_at = next_work_instant(planning->calendar, order->appeal_at + DAY);
        plan->rejected_appeal_order = index;
        break;
    }

    /* Orders that never enter the base. */
    for (int index = 0; index < INTAKE_ORDERS && result == HL_OK; index++) {
        /* Questions the agent can answer on the call: a unit's inquiry topics. */
        int unit, chosen = -1;
        do {
            unit = random_unit(planning);
            int offset = (int)random_range(random, 0, planning->unit_topic_count[unit]);
            for (int step = 0; step < planning->unit_topic_count[unit] && chosen < 0; step++) {
                int candidate =
                    planning->unit_topics[unit][(offset + step) % planning->unit_topic_count[unit]];
                if (hl_taiyuan_topics[candidate].type == HL_TYPE_INQUIRY)
                    chosen = candidate;
            }
        } while (chosen < 0);
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_INTAKE, unit);
        order->topic = chosen;
        order->type = HL_TYPE_INQUIRY;
        order->received_at = random_received(planning, planning->base_day_weight, month_latest);
        order->closed_at = order->received_at + random_range(random, 3 * MINUTE, 15 * MINUTE);
    }
    for (int index = 0; index < INVALID_ORDERS && result == HL_OK; index++) {
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_INVALID, -1);
        order->topic =
            planning->invalid_topics[random_range(random, 0, planning->invalid_topic_count)];
        order->type = hl_taiyuan_topics[order->topic].type;
        order->channel = HL_CHANNEL_PHONE;
        order->received_at = random_received(planning, planning->base_day_weight, month_latest);
        order->closed_at = order->received_at + random_range(random, 10 * MINUTE, 60 * MINUTE);
    }
    hl_time feb28 = hl_clock_start_of_day(planning->first_day + 27);
    for (int index = 0; index < MERGED_ORDERS && result == HL_OK; index++) {
        size_t target;
        do
            target = (size_t)random_range(random, 0, (int64_t)base_orders);
        while (plan->orders[target].received_at >= feb28);
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_MERGED, plan->orders[target].unit);
        order->merge_into = target;
        order->topic = plan->orders[target].topic;
        order->type = plan->orders[target].type;
        order->place_seed = plan->orders[target].place_seed; /* the same place, another caller */
        order->received_at =
            plan->orders[target].received_at + random_range(random, HOUR, 36 * HOUR);
        order->closed_at = order->received_at + random_range(random, 10 * MINUTE, 40 * MINUTE);
    }
    for (int index = 0; index < OPEN_ORDERS && result == HL_OK; index++) {
        hl_taiyuan_order *order = new_order(planning, HL_TAIYUAN_OPEN, random_unit(planning));
        choose_topic(planning, order);
        order->received_at = random_received(planning, planning->open_day_weight, month_latest);
        plan_open_story(planning, order);
    }
    return result;
}
