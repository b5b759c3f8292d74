/* assessment.c: a month's measures of each network unit, their ranking and lists.
 *
 * From each unit's rollup counters this module derives every measure as an
 * exact ratio of two counts, ranks the units within their groups by the
 * policy's method, marks the red and black lists, and pools the totals by
 * summing counts (never by averaging rates). Ratios are compared and rounded
 * with integer arithmetic only, so that no unit gains or loses a place or a
 * hundredth through floating point. It does not read the store, render the
 * bulletin (domain/bulletin does) or decide which units exist (the caller
 * passes their counters). */
#include "domain/assessment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/fields.h"
#include "base/i18n.h"
#include "base/text.h"

/* Products of two 64-bit counts need 128 bits to be exact. */
__extension__ typedef __int128 wide_int;
__extension__ typedef unsigned __int128 wide_uint;

/* The 95% two-sided normal quantile used by the bulletin's Wilson interval. */
#define WILSON_Z 1.96

/* Wilson bounds and scores are ordered by their value rounded to this many
 * parts per unit: two values closer than this are the same result computed
 * along different paths, and rounding to an integer keeps the ordering
 * transitive (a tolerance comparison would not be). */
#define ORDERING_KEY_SCALE 1e9

/* ---- policy ---------------------------------------------------------- */

/* min_reached stops at 100000, more reached surveys than any unit has in a
 * month; list_size stops at 50, beyond the size of any group. */
static const hl_int_field policy_int_keys[] = {
    {"min_reached", offsetof(hl_assessment_policy, min_reached), 0, 100000},
    {"weight_response", offsetof(hl_assessment_policy, weight_response), 0, 100},
    {"weight_resolution", offsetof(hl_assessment_policy, weight_resolution), 0, 100},
    {"weight_satisfaction", offsetof(hl_assessment_policy, weight_satisfaction), 0, 100},
    {"list_size", offsetof(hl_assessment_policy, list_size), 0, 50},
};

#define POLICY_INT_KEY_COUNT HL_COUNT_OF(policy_int_keys)

/* Indexed by hl_rank_method. */
static const char *const method_names[] = {"rate", "wilson", "score"};

#define METHOD_COUNT HL_COUNT_OF(method_names)

void hl_assessment_policy_default(hl_assessment_policy *policy)
{
    policy->basic_counts_satisfied = false;
    policy->method = HL_RANK_BY_RATE;
    policy->min_reached = 10;
    policy->weight_response = 30;
    policy->weight_resolution = 35;
    policy->weight_satisfaction = 35;
    policy->list_size = 3;
}

static int set_method(hl_assessment_policy *policy, const char *value, hl_error *error)
{
    hl_slice trimmed = hl_slice_trim(hl_slice_of(value));
    for (size_t index = 0; index < METHOD_COUNT; index++) {
        if (hl_slice_equal(trimmed, method_names[index])) {
            policy->method = (hl_rank_method)index;
            return HL_OK;
        }
    }
    return hl_error_set(
        error, HL_EINVAL, "method",
        HL_T("method 应为 rate、wilson 或 score", "method must be rate, wilson or score"));
}

int hl_assessment_policy_set(hl_assessment_policy *policy, const char *key, const char *value,
                             hl_error *error)
{
    if (policy == NULL)
        return hl_error_set(error, HL_EINVAL, NULL, "%s",
                            HL_T("缺少考核规则", "no assessment policy given"));
    if (key != NULL && strcmp(key, "method") == 0)
        return set_method(policy, value, error);
    if (key != NULL && strcmp(key, "basic_counts_satisfied") == 0) {
        /* A bool, read as the whole number 0 or 1 in a scratch int. */
        int parsed = 0;
        const hl_int_field flag = {"basic_counts_satisfied", 0, 0, 1};
        if (hl_int_field_set(&parsed, &flag, value, error) != HL_OK)
            return HL_EINVAL;
        policy->basic_counts_satisfied = parsed == 1;
        return HL_OK;
    }
    const hl_int_field *found = hl_int_field_find(policy_int_keys, POLICY_INT_KEY_COUNT, key);
    if (found == NULL) {
        /* The valid keys in the message tell the user what to type; the
         * echo is cut short so a pasted paragraph does not fill it. */
        const char *shown = key != NULL ? key : "";
        return hl_error_set(error, HL_EINVAL, "key",
                            HL_T("未知的考核配置项“%.64s”（basic_counts_satisfied、method、"
                                 "min_reached、weight_response、weight_resolution、"
                                 "weight_satisfaction、list_size）",
                                 "unknown assessment setting \"%.64s\" (basic_counts_satisfied, "
                                 "method, min_reached, weight_response, weight_resolution, "
                                 "weight_satisfaction, list_size)"),
                            shown);
    }
    return hl_int_field_set(policy, found, value, error);
}

int hl_assessment_policy_check(const hl_assessment_policy *policy, hl_error *error)
{
    if (policy == NULL)
        return hl_error_set(error, HL_EINVAL, NULL, "%s",
                            HL_T("缺少考核规则", "no assessment policy given"));
    if ((int)policy->method < 0 || (size_t)policy->method >= METHOD_COUNT)
        return hl_error_set(
            error, HL_EINVAL, "method",
            HL_T("method 应为 rate、wilson 或 score", "method must be rate, wilson or score"));
    for (size_t index = 0; index < POLICY_INT_KEY_COUNT; index++) {
        const hl_int_field *key = &policy_int_keys[index];
        int value = hl_int_field_get(policy, key);
        if (value < key->minimum || value > key->maximum)
            return hl_int_field_refuse(key, error);
    }
    /* Each weight is at most 100, so the sum cannot overflow. */
    int weight_sum =
        policy->weight_response + policy->weight_resolution + policy->weight_satisfaction;
    if (policy->method == HL_RANK_BY_SCORE && weight_sum != 100)
        return hl_error_set(
            error, HL_EINVAL, "weight_response",
            HL_T("综合得分的权重之和应为 100（现为 %d + %d + %d = %d）",
                 "the weights of the score must sum to 100 (now %d + %d + %d = %d)"),
            policy->weight_response, policy->weight_resolution, policy->weight_satisfaction,
            weight_sum);
    return HL_OK;
}

/* ---- exact ratios and the Wilson interval ---------------------------- */

/* Writes the decimal digits of value into digits (at least 40 bytes). */
static void format_wide(wide_uint value, char *digits, size_t size)
{
    char reversed[48];
    size_t length = 0;
    do {
        reversed[length++] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value != 0 && length < sizeof reversed);
    size_t written = 0;
    while (length > 0 && written + 1 < size)
        digits[written++] = reversed[--length];
    digits[written] = '\0';
}

void hl_assessment_format_percent(hl_ratio ratio, char *out, size_t size)
{
    if (out == NULL || size == 0)
        return;
    if (ratio.denominator == 0) {
        snprintf(out, size, "-");
        return;
    }
    /* In 128 bits the magnitudes of any two int64 counts, times 20000, fit
     * with room to spare, so no count can overflow the rounding. */
    wide_int numerator = ratio.numerator;
    wide_int denominator = ratio.denominator;
    if (denominator < 0) {
        numerator = -numerator;
        denominator = -denominator;
    }
    bool negative = numerator < 0;
    wide_uint magnitude = (wide_uint)(negative ? -numerator : numerator);
    /* Hundredths of a percent, rounded half up: floor(n / d * 10000 + 1/2)
     * = floor((20000 n + d) / (2 d)). A negative ratio (only inconsistent
     * counters give one) is rounded by its magnitude so that -x and x show
     * the same digits. */
    wide_uint hundredths =
        (magnitude * 20000 + (wide_uint)denominator) / (2 * (wide_uint)denominator);
    char whole[48];
    format_wide(hundredths / 100, whole, sizeof whole);
    snprintf(out, size, "%s%s.%02d", negative && hundredths != 0 ? "-" : "", whole,
             (int)(hundredths % 100));
}

void hl_assessment_append_json_percent(hl_buf *out, hl_ratio ratio)
{
    if (ratio.denominator == 0) {
        hl_buf_append_str(out, "null");
        return;
    }
    char percent[32];
    hl_assessment_format_percent(ratio, percent, sizeof percent);
    hl_buf_append_json_string(out, percent);
}

int hl_assessment_compare(hl_ratio left, hl_ratio right)
{
    if (left.denominator == 0 || right.denominator == 0)
        return (left.denominator != 0) - (right.denominator != 0);
    wide_int left_numerator = left.numerator, left_denominator = left.denominator;
    wide_int right_numerator = right.numerator, right_denominator = right.denominator;
    if (left_denominator < 0) {
        left_numerator = -left_numerator;
        left_denominator = -left_denominator;
    }
    if (right_denominator < 0) {
        right_numerator = -right_numerator;
        right_denominator = -right_denominator;
    }
    /* Both denominators are now positive, so cross-multiplying keeps the
     * order; each product of two int64 values fits in 128 bits. */
    wide_int left_side = left_numerator * right_denominator;
    wide_int right_side = right_numerator * left_denominator;
    return (left_side > right_side) - (left_side < right_side);
}

static double clamp_unit(double value)
{
    if (!(value > 0.0)) /* also catches NaN */
        return 0.0;
    return value < 1.0 ? value : 1.0;
}

/* With no trials nothing is known about the rate, so the interval is the
 * whole of [0, 1]: such a unit ranks below every unit with a positive lower
 * bound without being said to be at 0%. Successes outside [0, trials] come
 * only from inconsistent counters and are clamped into it. */
void hl_assessment_wilson(int64_t successes, int64_t trials, double *low, double *high)
{
    double lower = 0.0, upper = 1.0;
    if (trials > 0) {
        if (successes < 0)
            successes = 0;
        if (successes > trials)
            successes = trials;
        double count = (double)trials;
        double proportion = (double)successes / count;
        double z_squared = WILSON_Z * WILSON_Z;
        double scale = 1.0 + z_squared / count;
        double centre = (proportion + z_squared / (2.0 * count)) / scale;
        double margin =
            WILSON_Z *
            sqrt(proportion * (1.0 - proportion) / count + z_squared / (4.0 * count * count)) /
            scale;
        /* At the ends the formula's bound is exactly 0 or 1; floating point
         * would leave a crumb that could separate units with none satisfied. */
        lower = successes == 0 ? 0.0 : clamp_unit(centre - margin);
        upper = successes == trials ? 1.0 : clamp_unit(centre + margin);
    }
    if (low != NULL)
        *low = lower;
    if (high != NULL)
        *high = upper;
}

/* ---- one unit's measures --------------------------------------------- */

static hl_ratio ratio_of(int64_t numerator, int64_t denominator)
{
    hl_ratio ratio = {numerator, denominator};
    return ratio;
}

static double ratio_value(hl_ratio ratio)
{
    return ratio.denominator == 0 ? 0.0 : (double)ratio.numerator / (double)ratio.denominator;
}

static bool counters_all_zero(const int64_t counters[HL_COUNTER_COUNT])
{
    for (int counter = 0; counter < HL_COUNTER_COUNT; counter++)
        if (counters[counter] != 0)
            return false;
    return true;
}

/* Fills the counts, rates, interval and score of result from one month's
 * counters. Fails only when the satisfied count overflows. */
static int measure_unit(const int64_t counters[HL_COUNTER_COUNT],
                        const hl_assessment_policy *policy, hl_unit_result *result)
{
    result->base = counters[HL_COUNTER_SURVEYED];
    result->succeeded = counters[HL_COUNTER_SURVEY_SUCCEEDED];
    int64_t satisfied = 0;
    if (__builtin_add_overflow(counters[HL_COUNTER_RATED_VERY_SATISFIED],
                               counters[HL_COUNTER_RATED_SATISFIED], &satisfied))
        return HL_EINVAL;
    if (policy->basic_counts_satisfied &&
        __builtin_add_overflow(satisfied, counters[HL_COUNTER_RATED_BASIC], &satisfied))
        return HL_EINVAL;
    result->satisfied = satisfied;
    result->resolved = counters[HL_COUNTER_SURVEY_RESOLVED];
    result->appeal_upheld = counters[HL_COUNTER_APPEAL_UPHELD];

    result->success_rate = ratio_of(result->succeeded, result->base);
    result->satisfaction_rate = ratio_of(result->satisfied, result->succeeded);
    result->resolved_rate = ratio_of(result->resolved, result->succeeded);
    result->sign_on_time_rate =
        ratio_of(counters[HL_COUNTER_SIGNED_ON_TIME], counters[HL_COUNTER_SIGNED]);
    result->completion_on_time_rate =
        ratio_of(counters[HL_COUNTER_COMPLETED_ON_TIME], counters[HL_COUNTER_COMPLETED]);
    result->return_rate = ratio_of(counters[HL_COUNTER_RETURNED], counters[HL_COUNTER_DISPATCHED]);
    result->reopen_rate = ratio_of(counters[HL_COUNTER_REOPENED], counters[HL_COUNTER_COMPLETED]);

    hl_assessment_wilson(result->satisfied, result->succeeded, &result->wilson_low,
                         &result->wilson_high);

    /* The score is a weighted mean only when the weights make 100; under
     * the other methods they need not, and then no score is shown. A rate
     * without data (no signed orders, no reached surveys) counts as 0. */
    result->score = 0.0;
    if (policy->weight_response + policy->weight_resolution + policy->weight_satisfaction == 100)
        result->score = (policy->weight_response * ratio_value(result->sign_on_time_rate) +
                         policy->weight_resolution * ratio_value(result->resolved_rate) +
                         policy->weight_satisfaction * ratio_value(result->satisfaction_rate));
    return HL_OK;
}

/* ---- ranking ----------------------------------------------------------- */

/* One unit as the sort sees it: everything the comparison needs is stored
 * in the entry, so that qsort needs no shared state (the server assesses on
 * several threads at once). */
typedef struct rank_entry {
    hl_unit_result *result;
    size_t group_position; /* index in group_order, or group_order_count when not named */
    hl_rank_method method;
    hl_ratio rate_key;   /* HL_RANK_BY_RATE */
    int64_t rounded_key; /* HL_RANK_BY_WILSON and HL_RANK_BY_SCORE */
} rank_entry;

static int64_t ordering_key(double value)
{
    /* Scores stay within [0, 100] and bounds within [0, 1] for consistent
     * counters; the clamp only keeps llround defined for anything else. */
    double scaled = value * ORDERING_KEY_SCALE;
    if (!(scaled > -9.0e18))
        scaled = -9.0e18;
    if (scaled > 9.0e18)
        scaled = 9.0e18;
    return (int64_t)llround(scaled);
}

static void fill_entry(rank_entry *entry, hl_unit_result *result, size_t group_position,
                       hl_rank_method method)
{
    entry->result = result;
    entry->group_position = group_position;
    entry->method = method;
    entry->rate_key = result->satisfaction_rate;
    entry->rounded_key = method == HL_RANK_BY_WILSON  ? ordering_key(result->wilson_low)
                         : method == HL_RANK_BY_SCORE ? ordering_key(result->score)
                                                      : 0;
}

/* >0 when left is better than right, 0 when the ordering key is equal. */
static int compare_performance(const rank_entry *left, const rank_entry *right)
{
    if (left->method == HL_RANK_BY_RATE)
        return hl_assessment_compare(left->rate_key, right->rate_key);
    return (left->rounded_key > right->rounded_key) - (left->rounded_key < right->rounded_key);
}

/* Group by group position and name; within a group, ranked units best
 * first (ties by code), then unranked units by code. Unit codes are unique,
 * so the order is total and qsort's instability cannot show. */
static int compare_entries(const void *left_pointer, const void *right_pointer)
{
    const rank_entry *left = left_pointer;
    const rank_entry *right = right_pointer;
    if (left->group_position != right->group_position)
        return left->group_position < right->group_position ? -1 : 1;
    int by_group = strcmp(left->result->group, right->result->group);
    if (by_group != 0)
        return by_group;
    if (left->result->ranked != right->result->ranked)
        return left->result->ranked ? -1 : 1;
    if (left->result->ranked) {
        int by_performance = compare_performance(left, right);
        if (by_performance != 0)
            return -by_performance;
    }
    return strcmp(left->result->unit, right->result->unit);
}

/* The end (exclusive) of the group that starts at start. */
static size_t group_end(const rank_entry *entries, size_t count, size_t start)
{
    size_t end = start + 1;
    while (end < count && strcmp(entries[end].result->group, entries[start].result->group) == 0)
        end++;
    return end;
}

/* Assigns ranks and list marks within one sorted group; returns how many
 * of its units are ranked.
 *
 * Ranks are standard competition ranks: units with an equal ordering key
 * share the rank of the first of them and the next rank skips (1, 2, 2, 4).
 *
 * Lists: a ranked unit is a red-list candidate when fewer than list_size
 * units of its group rank strictly above it, and a black-list candidate
 * when fewer than list_size rank strictly below it. So a tie straddling
 * either boundary puts every tied unit on the list: equal results are
 * treated equally. A unit that is a candidate for both lists (a group too
 * small for two lists of that size, or a tie spanning its middle) is put on
 * neither: it is at once among the best and among the worst, which says
 * nothing either way. */
static size_t rank_group(rank_entry *entries, size_t count, int list_size)
{
    size_t ranked_count = 0;
    while (ranked_count < count && entries[ranked_count].result->ranked)
        ranked_count++;
    size_t tie_start = 0;
    while (tie_start < ranked_count) {
        size_t tie_end = tie_start + 1;
        while (tie_end < ranked_count &&
               compare_performance(&entries[tie_start], &entries[tie_end]) == 0)
            tie_end++;
        size_t above = tie_start;
        size_t below = ranked_count - tie_end;
        bool red = above < (size_t)list_size;
        bool black = below < (size_t)list_size;
        hl_list_mark mark = red && !black   ? HL_LIST_RED
                            : black && !red ? HL_LIST_BLACK
                                            : HL_LIST_NONE;
        for (size_t index = tie_start; index < tie_end; index++) {
            entries[index].result->rank = (int)(tie_start + 1);
            entries[index].result->list = mark;
        }
        tie_start = tie_end;
    }
    for (size_t index = ranked_count; index < count; index++) {
        entries[index].result->rank = 0;
        entries[index].result->list = HL_LIST_NONE;
    }
    return ranked_count;
}

static size_t group_position_of(const char *group, const char *const *group_order,
                                size_t group_order_count)
{
    for (size_t index = 0; group_order != NULL && index < group_order_count; index++)
        if (group_order[index] != NULL && strcmp(group_order[index], group) == 0)
            return index; /* the first mention counts when a group is named twice */
    return group_order_count;
}

/* ---- input checks ------------------------------------------------------ */

static bool is_terminated(const char *field, size_t capacity)
{
    return memchr(field, '\0', capacity) != NULL;
}

static int compare_codes(const void *left_pointer, const void *right_pointer)
{
    const hl_unit_counts *left = *(const hl_unit_counts *const *)left_pointer;
    const hl_unit_counts *right = *(const hl_unit_counts *const *)right_pointer;
    return strcmp(left->unit, right->unit);
}

static int refuse_negative(const char *unit, hl_counter counter, bool previous, hl_error *error)
{
    const char *name = hl_rollup_counter_name(counter);
    if (previous)
        return hl_error_set(error, HL_EINVAL, "unit",
                            HL_T("单位 %s 上月的 %s 计数为负，请先运行 hotline verify",
                                 "unit %s has a negative %s count in the previous month; run "
                                 "hotline verify"),
                            unit, name);
    return hl_error_set(error, HL_EINVAL, "unit",
                        HL_T("单位 %s 的 %s 计数为负，请先运行 hotline verify",
                             "unit %s has a negative %s count; run hotline verify"),
                        unit, name);
}

/* Refuses what would make the bulletin wrong rather than merely empty:
 * unterminated texts, a unit listed twice (its figures would count twice in
 * the totals), and negative net counters, which a consistent store never
 * holds (an upheld appeal only takes back what its survey added). */
static int check_units(const hl_unit_counts *units, size_t count, hl_error *error)
{
    for (size_t index = 0; index < count; index++) {
        const hl_unit_counts *unit = &units[index];
        if (!is_terminated(unit->unit, sizeof unit->unit) ||
            !is_terminated(unit->name, sizeof unit->name) ||
            !is_terminated(unit->group, sizeof unit->group))
            return hl_error_set(error, HL_EINVAL, "unit", "%s",
                                HL_T("单位的编码、名称或分组未以 NUL 结尾",
                                     "a unit's code, name or group is not NUL-terminated"));
        if (unit->unit[0] == '\0')
            continue;
        for (int counter = 0; counter < HL_COUNTER_COUNT; counter++) {
            if (unit->counters[counter] < 0)
                return refuse_negative(unit->unit, (hl_counter)counter, false, error);
            if (unit->has_previous && unit->previous[counter] < 0)
                return refuse_negative(unit->unit, (hl_counter)counter, true, error);
        }
    }
    if (count < 2)
        return HL_OK;
    const hl_unit_counts **by_code = hl_xcalloc(count, sizeof *by_code);
    for (size_t index = 0; index < count; index++)
        by_code[index] = &units[index];
    qsort(by_code, count, sizeof *by_code, compare_codes);
    int status = HL_OK;
    for (size_t index = 1; index < count && status == HL_OK; index++)
        if (by_code[index]->unit[0] != '\0' &&
            strcmp(by_code[index]->unit, by_code[index - 1]->unit) == 0)
            status = hl_error_set(error, HL_EINVAL, "unit",
                                  HL_T("单位 %s 重复出现", "unit %s is given twice"),
                                  by_code[index]->unit);
    free(by_code);
    return status;
}

static int refuse_overflow(const char *unit, hl_error *error)
{
    return hl_error_set(
        error, HL_EINVAL, "unit",
        HL_T("单位 %s 的数字过大，无法累加", "the figures of unit %s are too large to add up"),
        unit);
}

/* Measures one month of a unit's counters into result, named and grouped
 * as the unit, and whether it reached enough surveys to be ranked. */
static int measure_named(const hl_unit_counts *unit, const int64_t counters[HL_COUNTER_COUNT],
                         const hl_assessment_policy *policy, hl_unit_result *result,
                         hl_error *error)
{
    memcpy(result->unit, unit->unit, sizeof result->unit);
    memcpy(result->group, unit->group, sizeof result->group);
    if (measure_unit(counters, policy, result) != HL_OK)
        return refuse_overflow(unit->unit, error);
    result->ranked = result->succeeded >= policy->min_reached;
    return HL_OK;
}

/* ---- the previous month ------------------------------------------------ */

/* Ranks the previous month with the same policy and grouping, among every
 * unit that had figures then, including units with none this month: they
 * held their places last month and the others' ranks must count them.
 * Writes previous_satisfaction_rate and previous_rank into the results of
 * the units included this month (result_of_input maps input to result).
 * A previous month whose counters are all zero is no previous month, by
 * the same rule that leaves such a unit out of this month. */
static int rank_previous_month(const hl_unit_counts *units, size_t count,
                               hl_unit_result *const *result_of_input,
                               const char *const *group_order, size_t group_order_count,
                               const hl_assessment_policy *policy, hl_error *error)
{
    hl_unit_result *previous = hl_xcalloc(count, sizeof *previous);
    size_t *input_of_previous = hl_xcalloc(count, sizeof *input_of_previous);
    rank_entry *entries = hl_xcalloc(count, sizeof *entries);
    size_t previous_count = 0;
    int status = HL_OK;
    for (size_t index = 0; index < count && status == HL_OK; index++) {
        const hl_unit_counts *unit = &units[index];
        if (unit->unit[0] == '\0' || !unit->has_previous || counters_all_zero(unit->previous))
            continue;
        hl_unit_result *result = &previous[previous_count];
        status = measure_named(unit, unit->previous, policy, result, error);
        if (status != HL_OK)
            break;
        fill_entry(&entries[previous_count], result,
                   group_position_of(unit->group, group_order, group_order_count), policy->method);
        input_of_previous[previous_count] = index;
        previous_count++;
    }
    if (status == HL_OK) {
        qsort(entries, previous_count, sizeof *entries, compare_entries);
        for (size_t start = 0; start < previous_count;) {
            size_t end = group_end(entries, previous_count, start);
            rank_group(entries + start, end - start, 0);
            start = end;
        }
        for (size_t index = 0; index < previous_count; index++) {
            hl_unit_result *current = result_of_input[input_of_previous[index]];
            if (current == NULL)
                continue;
            current->has_previous = true;
            current->previous_satisfaction_rate = previous[index].satisfaction_rate;
            current->previous_rank = previous[index].rank;
        }
    }
    free(entries);
    free(input_of_previous);
    free(previous);
    return status;
}

/* ---- the assessment ---------------------------------------------------- */

static int add_to_totals(hl_assessment *out, const hl_unit_result *result, hl_error *error)
{
    if (__builtin_add_overflow(out->base, result->base, &out->base) ||
        __builtin_add_overflow(out->succeeded, result->succeeded, &out->succeeded) ||
        __builtin_add_overflow(out->satisfied, result->satisfied, &out->satisfied) ||
        __builtin_add_overflow(out->resolved, result->resolved, &out->resolved) ||
        __builtin_add_overflow(out->appeal_upheld, result->appeal_upheld, &out->appeal_upheld))
        return refuse_overflow(result->unit, error);
    return HL_OK;
}

/* Builds out->groups from entries sorted by compare_entries. */
static void build_groups(hl_assessment *out, rank_entry *entries, size_t count, int list_size)
{
    size_t group_count = 0;
    for (size_t start = 0; start < count; start = group_end(entries, count, start))
        group_count++;
    out->groups = hl_xcalloc(group_count, sizeof *out->groups);
    out->group_count = group_count;
    size_t group_index = 0;
    for (size_t start = 0; start < count;) {
        size_t end = group_end(entries, count, start);
        hl_group_result *group = &out->groups[group_index++];
        memcpy(group->name, entries[start].result->group, sizeof group->name);
        group->count = end - start;
        group->units = hl_xcalloc(group->count, sizeof *group->units);
        for (size_t index = start; index < end; index++)
            group->units[index - start] = entries[index].result;
        group->ranked_count = rank_group(entries + start, end - start, list_size);
        start = end;
    }
}

static bool month_is_valid(int month)
{
    return month >= 100001 && month <= 999912 && month % 100 >= 1 && month % 100 <= 12;
}

int hl_assessment_compute(const hl_unit_counts *units, size_t count, const char *const *group_order,
                          size_t group_order_count, const hl_assessment_policy *policy, int month,
                          hl_assessment *out, hl_error *error)
{
    if (out == NULL)
        return hl_error_set(error, HL_EINVAL, NULL, "%s",
                            HL_T("缺少考核结果的存放处", "no place to put the assessment"));
    memset(out, 0, sizeof *out);
    if (units == NULL && count > 0)
        return hl_error_set(error, HL_EINVAL, "unit", "%s",
                            HL_T("缺少单位数据", "no unit figures given"));
    int status = hl_assessment_policy_check(policy, error);
    if (status != HL_OK)
        return status;
    if (!month_is_valid(month))
        return hl_error_set(error, HL_EINVAL, "month",
                            HL_T("月份 %d 不是 yyyymm 格式", "month %d is not a yyyymm month"),
                            month);
    status = check_units(units, count, error);
    if (status != HL_OK)
        return status;

    out->month = month;
    out->policy = *policy;
    /* Sized for every input unit so that the pointers the groups hold into
     * it never move. */
    out->units = hl_xcalloc(count, sizeof *out->units);
    hl_unit_result **result_of_input = hl_xcalloc(count, sizeof *result_of_input);
    rank_entry *entries = hl_xcalloc(count, sizeof *entries);
    for (size_t index = 0; index < count && status == HL_OK; index++) {
        const hl_unit_counts *unit = &units[index];
        /* The centre's own "" unit registers and answers orders but is not
         * a network unit: it is neither ranked nor pooled. */
        if (unit->unit[0] == '\0' || counters_all_zero(unit->counters))
            continue;
        hl_unit_result *result = &out->units[out->unit_count];
        memcpy(result->name, unit->name, sizeof result->name);
        status = measure_named(unit, unit->counters, policy, result, error);
        if (status == HL_OK)
            status = add_to_totals(out, result, error);
        if (status != HL_OK)
            break;
        fill_entry(&entries[out->unit_count], result,
                   group_position_of(unit->group, group_order, group_order_count), policy->method);
        result_of_input[index] = result;
        out->unit_count++;
    }
    if (status == HL_OK) {
        out->success_rate = ratio_of(out->succeeded, out->base);
        out->satisfaction_rate = ratio_of(out->satisfied, out->succeeded);
        out->resolved_rate = ratio_of(out->resolved, out->succeeded);
        qsort(entries, out->unit_count, sizeof *entries, compare_entries);
        build_groups(out, entries, out->unit_count, policy->list_size);
        status = rank_previous_month(units, count, result_of_input, group_order, group_order_count,
                                     policy, error);
    }
    free(entries);
    free(result_of_input);
    if (status != HL_OK)
        hl_assessment_free(out);
    return status;
}

void hl_assessment_free(hl_assessment *assessment)
{
    if (assessment == NULL)
        return;
    for (size_t index = 0; index < assessment->group_count; index++)
        free(assessment->groups[index].units);
    free(assessment->groups);
    free(assessment->units);
    free(assessment->exclusions);
    memset(assessment, 0, sizeof *assessment);
}
