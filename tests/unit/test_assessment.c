/* test_assessment.c: each unit's measures, ranks and lists, and the pooled totals
 * (domain/assessment). */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "domain/assessment.h"

#define MONTH 202402

/* ---- helpers ---------------------------------------------------------- */

static void unit_init(hl_unit_counts *unit, const char *code, const char *group)
{
    memset(unit, 0, sizeof *unit);
    snprintf(unit->unit, sizeof unit->unit, "%s", code);
    snprintf(unit->name, sizeof unit->name, "单位%s", code);
    snprintf(unit->group, sizeof unit->group, "%s", group);
}

/* Gives a unit base surveys of which succeeded reached the citizen, rated
 * very satisfied, satisfied, basically satisfied, and the rest dissatisfied. */
static void survey(int64_t counters[HL_COUNTER_COUNT], int64_t base, int64_t succeeded,
                   int64_t very_satisfied, int64_t satisfied, int64_t basic)
{
    counters[HL_COUNTER_SURVEYED] = base;
    counters[HL_COUNTER_SURVEY_SUCCEEDED] = succeeded;
    counters[HL_COUNTER_RATED_VERY_SATISFIED] = very_satisfied;
    counters[HL_COUNTER_RATED_SATISFIED] = satisfied;
    counters[HL_COUNTER_RATED_BASIC] = basic;
    counters[HL_COUNTER_RATED_DISSATISFIED] = succeeded - very_satisfied - satisfied - basic;
}

/* A unit whose reached surveys are satisfied out of succeeded. */
static void unit_rate(hl_unit_counts *unit, const char *code, const char *group, int64_t satisfied,
                      int64_t succeeded)
{
    unit_init(unit, code, group);
    survey(unit->counters, succeeded, succeeded, satisfied, 0, 0);
}

static const hl_unit_result *find_unit(const hl_assessment *assessment, const char *code)
{
    for (size_t index = 0; index < assessment->unit_count; index++)
        if (strcmp(assessment->units[index].unit, code) == 0)
            return &assessment->units[index];
    return NULL;
}

static const hl_group_result *find_group(const hl_assessment *assessment, const char *name)
{
    for (size_t index = 0; index < assessment->group_count; index++)
        if (strcmp(assessment->groups[index].name, name) == 0)
            return &assessment->groups[index];
    return NULL;
}

static void compute_ok(const hl_unit_counts *units, size_t count,
                       const hl_assessment_policy *policy, hl_assessment *out)
{
    hl_error error;
    hl_error_clear(&error);
    int status = hl_assessment_compute(units, count, NULL, 0, policy, MONTH, out, &error);
    if (status != HL_OK)
        fail_msg("compute failed: %s", error.message);
}

static void assert_percent(hl_ratio ratio, const char *expected)
{
    char text[48];
    hl_assessment_format_percent(ratio, text, sizeof text);
    assert_string_equal(text, expected);
}

static hl_ratio ratio(int64_t numerator, int64_t denominator)
{
    hl_ratio value = {numerator, denominator};
    return value;
}

static int rank_of(const hl_assessment *assessment, const char *code)
{
    const hl_unit_result *result = find_unit(assessment, code);
    assert_non_null(result);
    return result->rank;
}

static hl_list_mark list_of(const hl_assessment *assessment, const char *code)
{
    const hl_unit_result *result = find_unit(assessment, code);
    assert_non_null(result);
    return result->list;
}

/* ---- policy ----------------------------------------------------------- */

static void test_policy_default_values(void **state)
{
    (void)state;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    assert_false(policy.basic_counts_satisfied);
    assert_int_equal(policy.method, HL_RANK_BY_RATE);
    assert_int_equal(policy.min_reached, 10);
    assert_int_equal(policy.weight_response, 30);
    assert_int_equal(policy.weight_resolution, 35);
    assert_int_equal(policy.weight_satisfaction, 35);
    assert_int_equal(policy.list_size, 3);
    hl_error error;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_OK);
}

static void test_policy_set_accepts_valid_values(void **state)
{
    (void)state;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_error error;
    assert_int_equal(hl_assessment_policy_set(&policy, "basic_counts_satisfied", "1", &error),
                     HL_OK);
    assert_true(policy.basic_counts_satisfied);
    assert_int_equal(hl_assessment_policy_set(&policy, "basic_counts_satisfied", "0", &error),
                     HL_OK);
    assert_false(policy.basic_counts_satisfied);
    assert_int_equal(hl_assessment_policy_set(&policy, "method", "wilson", &error), HL_OK);
    assert_int_equal(policy.method, HL_RANK_BY_WILSON);
    assert_int_equal(hl_assessment_policy_set(&policy, "method", " score ", &error), HL_OK);
    assert_int_equal(policy.method, HL_RANK_BY_SCORE);
    assert_int_equal(hl_assessment_policy_set(&policy, "method", "rate", &error), HL_OK);
    assert_int_equal(policy.method, HL_RANK_BY_RATE);
    assert_int_equal(hl_assessment_policy_set(&policy, "min_reached", "0", &error), HL_OK);
    assert_int_equal(policy.min_reached, 0);
    assert_int_equal(hl_assessment_policy_set(&policy, "min_reached", "100000", &error), HL_OK);
    assert_int_equal(policy.min_reached, 100000);
    assert_int_equal(hl_assessment_policy_set(&policy, "weight_response", "20", &error), HL_OK);
    assert_int_equal(hl_assessment_policy_set(&policy, "weight_resolution", "0", &error), HL_OK);
    assert_int_equal(hl_assessment_policy_set(&policy, "weight_satisfaction", "80", &error), HL_OK);
    assert_int_equal(policy.weight_response, 20);
    assert_int_equal(policy.weight_resolution, 0);
    assert_int_equal(policy.weight_satisfaction, 80);
    assert_int_equal(hl_assessment_policy_set(&policy, "list_size", "50", &error), HL_OK);
    assert_int_equal(policy.list_size, 50);
    assert_int_equal(hl_assessment_policy_set(&policy, "list_size", "0", &error), HL_OK);
    assert_int_equal(policy.list_size, 0);
}

static void test_policy_set_refuses_bad_values_and_changes_nothing(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        const char *value;
        const char *field;
    } refused[] = {
        {"no_such_key", "1", "key"},
        {NULL, "1", "key"},
        {"method", "median", "method"},
        {"method", NULL, "method"},
        {"basic_counts_satisfied", "2", "basic_counts_satisfied"},
        {"basic_counts_satisfied", "yes", "basic_counts_satisfied"},
        {"min_reached", "-1", "min_reached"},
        {"min_reached", "100001", "min_reached"},
        {"min_reached", "ten", "min_reached"},
        {"min_reached", "", "min_reached"},
        {"weight_response", "101", "weight_response"},
        {"weight_resolution", "-5", "weight_resolution"},
        {"weight_satisfaction", "35.5", "weight_satisfaction"},
        {"list_size", "51", "list_size"},
        {"list_size", NULL, "list_size"},
    };
    for (size_t index = 0; index < sizeof refused / sizeof refused[0]; index++) {
        hl_assessment_policy policy, before;
        hl_assessment_policy_default(&policy);
        before = policy;
        hl_error error;
        hl_error_clear(&error);
        assert_int_equal(
            hl_assessment_policy_set(&policy, refused[index].key, refused[index].value, &error),
            HL_EINVAL);
        assert_string_equal(error.field, refused[index].field);
        assert_true(error.message[0] != '\0');
        assert_memory_equal(&policy, &before, sizeof policy);
    }
}

static void test_policy_messages_follow_the_language(void **state)
{
    (void)state;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_error error;
    hl_i18n_set(HL_LANG_EN);
    hl_assessment_policy_set(&policy, "colour", "red", &error);
    assert_non_null(strstr(error.message, "unknown assessment setting \"colour\""));
    hl_assessment_policy_set(&policy, "list_size", "99", &error);
    assert_string_equal(error.message, "list_size must be a whole number from 0 to 50");
    hl_i18n_set(HL_LANG_ZH);
    hl_assessment_policy_set(&policy, "colour", "red", &error);
    assert_non_null(strstr(error.message, "未知的考核配置项“colour”"));
    hl_assessment_policy_set(&policy, "list_size", "99", &error);
    assert_string_equal(error.message, "list_size 应为 0 到 50 之间的整数");
}

static void test_policy_check_refuses_weights_not_summing_to_100_for_score(void **state)
{
    (void)state;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    policy.weight_response = 40; /* 40 + 35 + 35 = 110 */
    hl_error error;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_OK); /* rate ignores weights */
    policy.method = HL_RANK_BY_SCORE;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_EINVAL);
    assert_string_equal(error.field, "weight_response");

    hl_unit_counts unit;
    unit_rate(&unit, "a", "g", 10, 10);
    hl_assessment assessment;
    assert_int_equal(hl_assessment_compute(&unit, 1, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_EINVAL);
    assert_int_equal(assessment.unit_count, 0);
    assert_null(assessment.units);

    policy.weight_response = 30;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_OK);
}

static void test_policy_check_refuses_values_out_of_range(void **state)
{
    (void)state;
    hl_assessment_policy policy;
    hl_error error;
    hl_assessment_policy_default(&policy);
    policy.list_size = 51;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_EINVAL);
    assert_string_equal(error.field, "list_size");
    hl_assessment_policy_default(&policy);
    policy.min_reached = -1;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_EINVAL);
    assert_string_equal(error.field, "min_reached");
    hl_assessment_policy_default(&policy);
    policy.method = (hl_rank_method)7;
    assert_int_equal(hl_assessment_policy_check(&policy, &error), HL_EINVAL);
    assert_string_equal(error.field, "method");
    assert_int_equal(hl_assessment_policy_check(NULL, &error), HL_EINVAL);
}

/* ---- exact ratios ----------------------------------------------------- */

static void test_format_percent_rounds_half_up_exactly(void **state)
{
    (void)state;
    assert_percent(ratio(20914, 25301), "82.66");
    assert_percent(ratio(12803, 20914), "61.22");
    assert_percent(ratio(1, 8), "12.50");
    assert_percent(ratio(1, 3), "33.33");
    assert_percent(ratio(2, 3), "66.67");
    assert_percent(ratio(0, 5), "0.00");
    assert_percent(ratio(5, 5), "100.00");
    assert_percent(ratio(0, 0), "-");
    assert_percent(ratio(7, 0), "-");
    assert_percent(ratio(-1, -8), "12.50");
}

static void test_format_percent_at_the_half_hundredth_boundary(void **state)
{
    (void)state;
    assert_percent(ratio(1, 16), "6.25");          /* exact */
    assert_percent(ratio(1, 400), "0.25");         /* exact */
    assert_percent(ratio(1, 800), "0.13");         /* 0.125 exactly: half goes up */
    assert_percent(ratio(1, 20000), "0.01");       /* 0.005 exactly */
    assert_percent(ratio(1, 20001), "0.00");       /* just under 0.005 */
    assert_percent(ratio(3, 800), "0.38");         /* 0.375 */
    assert_percent(ratio(19999, 20000), "100.00"); /* 99.995 exactly: up */
    assert_percent(ratio(39997, 40000), "99.99");  /* 99.9925 */
}

static void test_format_percent_handles_the_largest_counts(void **state)
{
    (void)state;
    assert_percent(ratio(INT64_MAX, INT64_MAX), "100.00");
    assert_percent(ratio(INT64_MAX / 2, INT64_MAX), "50.00");
    assert_percent(ratio(1, INT64_MAX), "0.00");
    assert_percent(ratio(INT64_MAX, 1), "922337203685477580700.00");
    char small[8];
    hl_assessment_format_percent(ratio(1, 3), small, sizeof small);
    assert_string_equal(small, "33.33");
}

static void test_compare_is_exact_for_close_ratios(void **state)
{
    (void)state;
    assert_true(hl_assessment_compare(ratio(333333, 1000000), ratio(1, 3)) < 0);
    assert_true(hl_assessment_compare(ratio(1, 3), ratio(333333, 1000000)) > 0);
    assert_int_equal(hl_assessment_compare(ratio(1, 3), ratio(2, 6)), 0);
    assert_int_equal(hl_assessment_compare(ratio(12803, 20914), ratio(25606, 41828)), 0);
    /* (M-1)/M > (M-2)/(M-1): the products need 128 bits. */
    assert_true(hl_assessment_compare(ratio(INT64_MAX - 1, INT64_MAX),
                                      ratio(INT64_MAX - 2, INT64_MAX - 1)) > 0);
    /* No data ranks below every rate, even 0%. */
    assert_true(hl_assessment_compare(ratio(0, 5), ratio(5, 0)) > 0);
    assert_true(hl_assessment_compare(ratio(3, 0), ratio(0, 1)) < 0);
    assert_int_equal(hl_assessment_compare(ratio(0, 0), ratio(4, 0)), 0);
}

static void test_wilson_interval_values(void **state)
{
    (void)state;
    double low = -1, high = -1;
    hl_assessment_wilson(0, 0, &low, &high);
    assert_true(low == 0.0 && high == 1.0); /* nothing known: the whole range */
    hl_assessment_wilson(3, 3, &low, &high);
    assert_float_equal(low, 0.4384939196, 1e-9);
    assert_true(high == 1.0);
    hl_assessment_wilson(970, 1000, &low, &high);
    assert_float_equal(low, 0.9574963185, 1e-9);
    assert_float_equal(high, 0.9789063968, 1e-9);
    hl_assessment_wilson(5, 10, &low, &high);
    assert_float_equal(low, 0.2365895936, 1e-9);
    assert_float_equal(high, 0.7634104064, 1e-9);
    hl_assessment_wilson(0, 10, &low, &high);
    assert_true(low == 0.0);
    hl_assessment_wilson(12, 10, &low, &high); /* inconsistent counts stay in [0, 1] */
    assert_true(low >= 0.0 && high == 1.0);
}

/* ---- the assessment --------------------------------------------------- */

static void test_seed_totals_pool_counts_not_rates(void **state)
{
    (void)state;
    hl_unit_counts units[3];
    unit_init(&units[0], "u1", "区县");
    survey(units[0].counters, 10000, 8000, 3000, 2000, 500); /* 62.50% */
    unit_init(&units[1], "u2", "区县");
    survey(units[1].counters, 9000, 7500, 2500, 2000, 800); /* 60.00% */
    unit_init(&units[2], "u3", "市直部门");
    survey(units[2].counters, 6301, 5414, 3000, 303, 900); /* 61.01% */
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 3, &policy, &assessment);
    assert_int_equal(assessment.month, MONTH);
    assert_int_equal(assessment.base, 25301);
    assert_int_equal(assessment.succeeded, 20914);
    assert_int_equal(assessment.satisfied, 12803);
    assert_percent(assessment.success_rate, "82.66");
    /* The mean of the three units' rates would be 61.17. */
    assert_percent(assessment.satisfaction_rate, "61.22");
    assert_int_equal(assessment.unit_count, 3);
    hl_assessment_free(&assessment);
    assert_null(assessment.units);
}

static void test_unit_measures_are_ratios_of_their_counters(void **state)
{
    (void)state;
    hl_unit_counts unit;
    unit_init(&unit, "u1", "g");
    survey(unit.counters, 40, 32, 10, 10, 4);
    unit.counters[HL_COUNTER_SURVEY_RESOLVED] = 24;
    unit.counters[HL_COUNTER_SIGNED] = 50;
    unit.counters[HL_COUNTER_SIGNED_ON_TIME] = 45;
    unit.counters[HL_COUNTER_COMPLETED] = 48;
    unit.counters[HL_COUNTER_COMPLETED_ON_TIME] = 40;
    unit.counters[HL_COUNTER_DISPATCHED] = 55;
    unit.counters[HL_COUNTER_RETURNED] = 5;
    unit.counters[HL_COUNTER_REOPENED] = 3;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(&unit, 1, &policy, &assessment);
    const hl_unit_result *result = &assessment.units[0];
    assert_string_equal(result->name, "单位u1");
    assert_int_equal(result->base, 40);
    assert_int_equal(result->succeeded, 32);
    assert_int_equal(result->satisfied, 20);
    assert_int_equal(result->resolved, 24);
    assert_percent(result->success_rate, "80.00");
    assert_percent(result->satisfaction_rate, "62.50");
    assert_percent(result->resolved_rate, "75.00");
    assert_percent(result->sign_on_time_rate, "90.00");
    assert_percent(result->completion_on_time_rate, "83.33");
    assert_percent(result->return_rate, "9.09");
    assert_percent(result->reopen_rate, "6.25");
    assert_int_equal(result->satisfaction_rate.denominator, 32);
    assert_true(result->wilson_low < 0.625 && result->wilson_high > 0.625);
    hl_assessment_free(&assessment);
}

static void test_basic_satisfied_counts_only_when_the_policy_says(void **state)
{
    (void)state;
    hl_unit_counts units[2];
    unit_init(&units[0], "a", "g");
    survey(units[0].counters, 10, 10, 5, 3, 0); /* 8/10; 8/10 with 基本满意 */
    unit_init(&units[1], "b", "g");
    survey(units[1].counters, 10, 10, 2, 2, 5); /* 4/10; 9/10 with 基本满意 */
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 2, &policy, &assessment);
    assert_int_equal(find_unit(&assessment, "b")->satisfied, 4);
    assert_int_equal(rank_of(&assessment, "a"), 1);
    assert_int_equal(rank_of(&assessment, "b"), 2);
    assert_int_equal(assessment.satisfied, 12);
    hl_assessment_free(&assessment);

    policy.basic_counts_satisfied = true;
    compute_ok(units, 2, &policy, &assessment);
    assert_int_equal(find_unit(&assessment, "b")->satisfied, 9);
    assert_int_equal(rank_of(&assessment, "b"), 1);
    assert_int_equal(rank_of(&assessment, "a"), 2);
    assert_int_equal(assessment.satisfied, 17);
    hl_assessment_free(&assessment);
}

static void test_ties_share_a_rank_and_the_next_rank_skips(void **state)
{
    (void)state;
    hl_unit_counts units[4];
    unit_rate(&units[0], "d", "g", 7, 10);
    unit_rate(&units[1], "c", "g", 16, 20); /* 80%, like b */
    unit_rate(&units[2], "a", "g", 9, 10);
    unit_rate(&units[3], "b", "g", 8, 10);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 4, &policy, &assessment);
    assert_int_equal(rank_of(&assessment, "a"), 1);
    assert_int_equal(rank_of(&assessment, "b"), 2);
    assert_int_equal(rank_of(&assessment, "c"), 2);
    assert_int_equal(rank_of(&assessment, "d"), 4);
    assert_int_equal(assessment.group_count, 1);
    const hl_group_result *group = &assessment.groups[0];
    assert_int_equal(group->count, 4);
    assert_int_equal(group->ranked_count, 4);
    /* Within the tie, by code. */
    assert_string_equal(group->units[0]->unit, "a");
    assert_string_equal(group->units[1]->unit, "b");
    assert_string_equal(group->units[2]->unit, "c");
    assert_string_equal(group->units[3]->unit, "d");
    hl_assessment_free(&assessment);
}

static void test_units_below_the_minimum_volume_are_listed_apart(void **state)
{
    (void)state;
    hl_unit_counts units[4];
    unit_rate(&units[0], "perfect-but-few", "g", 9, 9);
    unit_rate(&units[1], "low", "g", 2, 10); /* exactly the minimum: ranked */
    unit_rate(&units[2], "high", "g", 9, 10);
    unit_rate(&units[3], "another-few", "g", 0, 3);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 4, &policy, &assessment);
    const hl_unit_result *few = find_unit(&assessment, "perfect-but-few");
    assert_false(few->ranked);
    assert_int_equal(few->rank, 0);
    assert_int_equal(few->list, HL_LIST_NONE);
    assert_true(find_unit(&assessment, "low")->ranked);
    assert_int_equal(rank_of(&assessment, "high"), 1);
    assert_int_equal(rank_of(&assessment, "low"), 2);
    const hl_group_result *group = &assessment.groups[0];
    assert_int_equal(group->count, 4);
    assert_int_equal(group->ranked_count, 2);
    assert_string_equal(group->units[0]->unit, "high");
    assert_string_equal(group->units[1]->unit, "low");
    assert_string_equal(group->units[2]->unit, "another-few"); /* unranked, by code */
    assert_string_equal(group->units[3]->unit, "perfect-but-few");
    /* The unranked units still count in the totals. */
    assert_int_equal(assessment.succeeded, 32);
    hl_assessment_free(&assessment);
}

static void test_wilson_keeps_a_small_perfect_unit_below_a_large_good_one(void **state)
{
    (void)state;
    hl_unit_counts units[2];
    unit_rate(&units[0], "small", "g", 3, 3);
    unit_rate(&units[1], "large", "g", 970, 1000);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    policy.min_reached = 1;
    hl_assessment assessment;
    compute_ok(units, 2, &policy, &assessment);
    assert_int_equal(rank_of(&assessment, "small"), 1); /* by rate, 3/3 beats 970/1000 */
    assert_int_equal(rank_of(&assessment, "large"), 2);
    hl_assessment_free(&assessment);

    policy.method = HL_RANK_BY_WILSON;
    compute_ok(units, 2, &policy, &assessment);
    assert_int_equal(rank_of(&assessment, "large"), 1);
    assert_int_equal(rank_of(&assessment, "small"), 2);
    assert_float_equal(find_unit(&assessment, "small")->wilson_low, 0.4384939196, 1e-9);
    hl_assessment_free(&assessment);
}

static void test_wilson_equal_lower_bounds_share_a_rank(void **state)
{
    (void)state;
    hl_unit_counts units[4];
    unit_rate(&units[0], "b", "g", 5, 10);
    unit_rate(&units[1], "a", "g", 5, 10);
    unit_rate(&units[2], "none-of-20", "g", 0, 20);
    unit_rate(&units[3], "none-of-10", "g", 0, 10);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    policy.method = HL_RANK_BY_WILSON;
    hl_assessment assessment;
    compute_ok(units, 4, &policy, &assessment);
    assert_int_equal(rank_of(&assessment, "a"), 1);
    assert_int_equal(rank_of(&assessment, "b"), 1);
    /* Both lower bounds are 0: equal keys share a rank whatever the volume. */
    assert_int_equal(rank_of(&assessment, "none-of-10"), 3);
    assert_int_equal(rank_of(&assessment, "none-of-20"), 3);
    hl_assessment_free(&assessment);
}

static void test_weighted_score_and_the_order_it_gives(void **state)
{
    (void)state;
    hl_unit_counts units[3];
    /* x: response 100%, resolved 50%, satisfied 60% -> 30 + 17.5 + 21 = 68.5 */
    unit_rate(&units[0], "x", "g", 6, 10);
    units[0].counters[HL_COUNTER_SIGNED] = 10;
    units[0].counters[HL_COUNTER_SIGNED_ON_TIME] = 10;
    units[0].counters[HL_COUNTER_SURVEY_RESOLVED] = 5;
    /* y: response 50%, resolved 80%, satisfied 70% -> 15 + 28 + 24.5 = 67.5 */
    unit_rate(&units[1], "y", "g", 7, 10);
    units[1].counters[HL_COUNTER_SIGNED] = 10;
    units[1].counters[HL_COUNTER_SIGNED_ON_TIME] = 5;
    units[1].counters[HL_COUNTER_SURVEY_RESOLVED] = 8;
    /* z: nothing signed (response counts 0), resolved 100%, satisfied 100% -> 70 */
    unit_rate(&units[2], "z", "g", 10, 10);
    units[2].counters[HL_COUNTER_SURVEY_RESOLVED] = 10;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    policy.method = HL_RANK_BY_SCORE;
    hl_assessment assessment;
    compute_ok(units, 3, &policy, &assessment);
    assert_float_equal(find_unit(&assessment, "x")->score, 68.5, 1e-9);
    assert_float_equal(find_unit(&assessment, "y")->score, 67.5, 1e-9);
    assert_float_equal(find_unit(&assessment, "z")->score, 70.0, 1e-9);
    assert_int_equal(rank_of(&assessment, "z"), 1);
    assert_int_equal(rank_of(&assessment, "x"), 2);
    assert_int_equal(rank_of(&assessment, "y"), 3);
    hl_assessment_free(&assessment);

    policy.method = HL_RANK_BY_RATE; /* satisfaction alone puts y above x */
    compute_ok(units, 3, &policy, &assessment);
    assert_int_equal(rank_of(&assessment, "y"), 2);
    assert_int_equal(rank_of(&assessment, "x"), 3);
    hl_assessment_free(&assessment);
}

static void test_equal_scores_from_different_rates_share_a_rank(void **state)
{
    (void)state;
    /* Resolution and satisfaction weigh the same, so swapping their rates
     * gives the same score; added in double precision the two sums differ
     * in the last bit (26.060606060606062 and 26.06060606060606), which
     * must not split the tie. */
    hl_unit_counts units[2];
    unit_rate(&units[0], "p", "g", 1, 6);
    units[0].counters[HL_COUNTER_SURVEY_RESOLVED] = 3;
    unit_rate(&units[1], "q", "g", 3, 6);
    units[1].counters[HL_COUNTER_SURVEY_RESOLVED] = 1;
    units[0].counters[HL_COUNTER_SIGNED] = units[1].counters[HL_COUNTER_SIGNED] = 11;
    units[0].counters[HL_COUNTER_SIGNED_ON_TIME] = units[1].counters[HL_COUNTER_SIGNED_ON_TIME] = 1;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    policy.method = HL_RANK_BY_SCORE;
    policy.min_reached = 1;
    hl_assessment assessment;
    compute_ok(units, 2, &policy, &assessment);
    assert_float_equal(find_unit(&assessment, "p")->score, 26.0606060606, 1e-9);
    assert_int_equal(rank_of(&assessment, "p"), 1);
    assert_int_equal(rank_of(&assessment, "q"), 1);
    hl_assessment_free(&assessment);
}

static void test_score_is_zero_when_the_weights_do_not_make_100(void **state)
{
    (void)state;
    hl_unit_counts unit;
    unit_rate(&unit, "a", "g", 10, 10);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    policy.weight_response = 50; /* allowed: the method is rate */
    hl_assessment assessment;
    compute_ok(&unit, 1, &policy, &assessment);
    assert_true(assessment.units[0].score == 0.0);
    hl_assessment_free(&assessment);
}

static void test_red_and_black_lists_include_ties_at_the_boundary(void **state)
{
    (void)state;
    /* Rates 10, 9, 8, 8, 6, 5, 5, 3, 2 of 10: ranks 1, 2, 3, 3, 5, 6, 6, 8, 9. */
    static const struct {
        const char *code;
        int satisfied;
        int rank;
        hl_list_mark list;
    } expected[] = {
        {"u1", 10, 1, HL_LIST_RED},  {"u2", 9, 2, HL_LIST_RED},   {"u3", 8, 3, HL_LIST_RED},
        {"u4", 8, 3, HL_LIST_RED},   {"u5", 6, 5, HL_LIST_NONE},  {"u6", 5, 6, HL_LIST_BLACK},
        {"u7", 5, 6, HL_LIST_BLACK}, {"u8", 3, 8, HL_LIST_BLACK}, {"u9", 2, 9, HL_LIST_BLACK},
    };
    enum { COUNT = sizeof expected / sizeof expected[0] };
    hl_unit_counts units[COUNT + 1];
    for (size_t index = 0; index < COUNT; index++)
        unit_rate(&units[index], expected[index].code, "g", expected[index].satisfied, 10);
    unit_rate(&units[COUNT], "unranked", "g", 0, 5); /* never on a list */
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, COUNT + 1, &policy, &assessment);
    for (size_t index = 0; index < COUNT; index++) {
        assert_int_equal(rank_of(&assessment, expected[index].code), expected[index].rank);
        assert_int_equal(list_of(&assessment, expected[index].code), expected[index].list);
    }
    assert_int_equal(list_of(&assessment, "unranked"), HL_LIST_NONE);
    hl_assessment_free(&assessment);

    policy.list_size = 0;
    compute_ok(units, COUNT + 1, &policy, &assessment);
    for (size_t index = 0; index < assessment.unit_count; index++)
        assert_int_equal(assessment.units[index].list, HL_LIST_NONE);
    hl_assessment_free(&assessment);
}

static void test_lists_in_small_groups_leave_units_on_both_lists_on_neither(void **state)
{
    (void)state;
    hl_unit_counts units[9];
    /* Four units, lists of three: only the ends are listed. */
    unit_rate(&units[0], "f1", "four", 10, 10);
    unit_rate(&units[1], "f2", "four", 9, 10);
    unit_rate(&units[2], "f3", "four", 8, 10);
    unit_rate(&units[3], "f4", "four", 7, 10);
    /* Two units: each is both top three and bottom three. */
    unit_rate(&units[4], "t1", "two", 10, 10);
    unit_rate(&units[5], "t2", "two", 5, 10);
    /* All tied: nobody stands out. */
    unit_rate(&units[6], "s1", "same", 9, 10);
    unit_rate(&units[7], "s2", "same", 9, 10);
    unit_rate(&units[8], "s3", "same", 18, 20);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 9, &policy, &assessment);
    assert_int_equal(list_of(&assessment, "f1"), HL_LIST_RED);
    assert_int_equal(list_of(&assessment, "f2"), HL_LIST_NONE);
    assert_int_equal(list_of(&assessment, "f3"), HL_LIST_NONE);
    assert_int_equal(list_of(&assessment, "f4"), HL_LIST_BLACK);
    assert_int_equal(list_of(&assessment, "t1"), HL_LIST_NONE);
    assert_int_equal(list_of(&assessment, "t2"), HL_LIST_NONE);
    assert_int_equal(list_of(&assessment, "s1"), HL_LIST_NONE);
    assert_int_equal(rank_of(&assessment, "s3"), 1);
    assert_int_equal(list_of(&assessment, "s3"), HL_LIST_NONE);
    hl_assessment_free(&assessment);

    policy.list_size = 1; /* now a group of two has a best and a worst */
    compute_ok(units, 9, &policy, &assessment);
    assert_int_equal(list_of(&assessment, "t1"), HL_LIST_RED);
    assert_int_equal(list_of(&assessment, "t2"), HL_LIST_BLACK);
    assert_int_equal(list_of(&assessment, "f2"), HL_LIST_NONE);
    hl_assessment_free(&assessment);
}

static void test_groups_follow_group_order_then_name(void **state)
{
    (void)state;
    hl_unit_counts units[6];
    unit_rate(&units[0], "a", "zeta", 9, 10);
    unit_rate(&units[1], "b", "乡镇", 9, 10);
    unit_rate(&units[2], "c", "企业", 9, 10);
    unit_rate(&units[3], "d", "市直部门", 9, 10);
    unit_rate(&units[4], "e", "alpha", 9, 10);
    unit_rate(&units[5], "f", "乡镇", 8, 10);
    static const char *const order[] = {"市直部门", "没有单位的分组", "乡镇", "市直部门"};
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    hl_error error;
    assert_int_equal(hl_assessment_compute(units, 6, order, 4, &policy, MONTH, &assessment, &error),
                     HL_OK);
    assert_int_equal(assessment.group_count, 5);
    assert_string_equal(assessment.groups[0].name, "市直部门");
    assert_string_equal(assessment.groups[1].name, "乡镇");
    assert_string_equal(assessment.groups[2].name, "alpha");
    assert_string_equal(assessment.groups[3].name, "zeta");
    assert_string_equal(assessment.groups[4].name, "企业");
    const hl_group_result *towns = find_group(&assessment, "乡镇");
    assert_int_equal(towns->count, 2);
    assert_int_equal(towns->ranked_count, 2);
    assert_null(find_group(&assessment, "没有单位的分组"));
    /* Ranks are per group; group members point into units, which keep input order. */
    assert_int_equal(rank_of(&assessment, "b"), 1);
    assert_int_equal(rank_of(&assessment, "f"), 2);
    assert_int_equal(rank_of(&assessment, "a"), 1);
    size_t members = 0;
    for (size_t group = 0; group < assessment.group_count; group++) {
        for (size_t index = 0; index < assessment.groups[group].count; index++) {
            const hl_unit_result *member = assessment.groups[group].units[index];
            assert_true(member >= assessment.units &&
                        member < assessment.units + assessment.unit_count);
            assert_string_equal(member->group, assessment.groups[group].name);
        }
        members += assessment.groups[group].count;
    }
    assert_int_equal(members, assessment.unit_count);
    for (size_t index = 0; index < 6; index++)
        assert_string_equal(assessment.units[index].unit, units[index].unit);
    hl_assessment_free(&assessment);

    assert_int_equal(hl_assessment_compute(units, 6, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_OK);
    assert_string_equal(assessment.groups[0].name, "alpha");
    assert_string_equal(assessment.groups[1].name, "zeta");
    hl_assessment_free(&assessment);
}

static void test_the_centre_is_skipped_and_not_pooled(void **state)
{
    (void)state;
    hl_unit_counts units[2];
    unit_init(&units[0], "", "");
    units[0].counters[HL_COUNTER_RECEIVED] = 500;
    survey(units[0].counters, 100, 90, 80, 0, 0);
    unit_rate(&units[1], "a", "g", 6, 10);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 2, &policy, &assessment);
    assert_int_equal(assessment.unit_count, 1);
    assert_string_equal(assessment.units[0].unit, "a");
    assert_int_equal(assessment.base, 10);
    assert_int_equal(assessment.satisfied, 6);
    assert_int_equal(assessment.group_count, 1);
    assert_string_equal(assessment.groups[0].name, "g");
    hl_assessment_free(&assessment);
}

static void test_units_without_figures_are_left_out(void **state)
{
    (void)state;
    hl_unit_counts units[3];
    unit_init(&units[0], "empty", "g");
    unit_rate(&units[1], "a", "g", 6, 10);
    unit_init(&units[2], "dispatch-only", "h"); /* figures, but no survey: shown, unranked */
    units[2].counters[HL_COUNTER_DISPATCHED] = 4;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 3, &policy, &assessment);
    assert_int_equal(assessment.unit_count, 2);
    assert_null(find_unit(&assessment, "empty"));
    const hl_unit_result *dispatch_only = find_unit(&assessment, "dispatch-only");
    assert_non_null(dispatch_only);
    assert_false(dispatch_only->ranked);
    assert_percent(dispatch_only->satisfaction_rate, "-");
    assert_int_equal(assessment.group_count, 2);
    hl_assessment_free(&assessment);
}

static void test_upheld_appeal_counters_are_part_of_the_sums(void **state)
{
    (void)state;
    hl_unit_counts units[2];
    /* Twelve surveys, one of which (dissatisfied) an upheld appeal takes
     * back with negative amounts that the rollup has already summed. */
    unit_init(&units[0], "appealed", "g");
    survey(units[0].counters, 12 - 1, 11 - 1, 8, 0, 0);
    units[0].counters[HL_COUNTER_APPEALED] = 1;
    units[0].counters[HL_COUNTER_APPEAL_UPHELD] = 1;
    /* A unit whose only survey was taken back: everything nets to zero. */
    unit_init(&units[1], "cancelled", "g");
    units[1].counters[HL_COUNTER_SURVEYED] = 1 - 1;
    units[1].counters[HL_COUNTER_SURVEY_SUCCEEDED] = 1 - 1;
    units[1].counters[HL_COUNTER_RATED_DISSATISFIED] = 1 - 1;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 2, &policy, &assessment);
    assert_int_equal(assessment.unit_count, 1);
    const hl_unit_result *result = find_unit(&assessment, "appealed");
    assert_int_equal(result->base, 11);
    assert_int_equal(result->succeeded, 10);
    assert_int_equal(result->appeal_upheld, 1);
    assert_true(result->ranked);
    assert_percent(result->satisfaction_rate, "80.00");
    assert_int_equal(assessment.appeal_upheld, 1);
    assert_null(find_unit(&assessment, "cancelled"));
    hl_assessment_free(&assessment);
}

static void test_previous_month_rate_and_rank(void **state)
{
    (void)state;
    hl_unit_counts units[7];
    unit_rate(&units[0], "a", "g", 8, 10);
    unit_rate(&units[1], "b", "g", 9, 10);
    unit_rate(&units[2], "c", "g", 7, 10);
    unit_rate(&units[3], "d", "g", 6, 10); /* new this month */
    /* e had no figures this month but ranked first last month. */
    unit_init(&units[4], "e", "g");
    unit_rate(&units[5], "f", "g", 5, 10);
    unit_rate(&units[6], "other", "h", 1, 10); /* another group: does not count in g */
    units[0].has_previous = true;
    survey(units[0].previous, 10, 10, 9, 0, 0); /* 90% */
    units[1].has_previous = true;
    survey(units[1].previous, 10, 10, 7, 0, 0); /* 70% */
    units[2].has_previous = true;
    survey(units[2].previous, 20, 20, 16, 0, 0); /* 80% */
    units[4].has_previous = true;
    survey(units[4].previous, 10, 10, 10, 0, 0); /* 100% */
    units[5].has_previous = true;
    survey(units[5].previous, 4, 4, 4, 0, 0); /* too few to rank then */
    units[6].has_previous = true;
    survey(units[6].previous, 100, 100, 100, 0, 0);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    compute_ok(units, 7, &policy, &assessment);
    assert_null(find_unit(&assessment, "e"));
    const hl_unit_result *a = find_unit(&assessment, "a");
    assert_true(a->has_previous);
    assert_int_equal(a->previous_rank, 2);
    assert_percent(a->previous_satisfaction_rate, "90.00");
    assert_int_equal(a->rank, 2);
    assert_int_equal(find_unit(&assessment, "b")->previous_rank, 4);
    assert_int_equal(find_unit(&assessment, "b")->rank, 1);
    assert_int_equal(find_unit(&assessment, "c")->previous_rank, 3);
    assert_int_equal(find_unit(&assessment, "c")->previous_satisfaction_rate.denominator, 20);
    const hl_unit_result *d = find_unit(&assessment, "d");
    assert_false(d->has_previous);
    assert_int_equal(d->previous_rank, 0);
    const hl_unit_result *f = find_unit(&assessment, "f");
    assert_true(f->has_previous);
    assert_int_equal(f->previous_rank, 0);
    assert_percent(f->previous_satisfaction_rate, "100.00");
    assert_int_equal(find_unit(&assessment, "other")->previous_rank, 1);
    hl_assessment_free(&assessment);
}

static void test_bad_input_is_refused_and_leaves_nothing_to_free(void **state)
{
    (void)state;
    hl_unit_counts units[2];
    unit_rate(&units[0], "a", "g", 8, 10);
    unit_rate(&units[1], "a", "h", 9, 10);
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    hl_error error;
    assert_int_equal(hl_assessment_compute(units, 2, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "unit");
    assert_null(assessment.units);

    unit_rate(&units[1], "b", "g", 9, 10);
    units[1].counters[HL_COUNTER_RATED_SATISFIED] = -1;
    assert_int_equal(hl_assessment_compute(units, 2, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_EINVAL);
    assert_non_null(strstr(error.message, "b"));

    unit_rate(&units[1], "b", "g", 9, 10);
    units[1].has_previous = true;
    units[1].previous[HL_COUNTER_SURVEYED] = -2;
    assert_int_equal(hl_assessment_compute(units, 2, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_EINVAL);

    unit_rate(&units[1], "b", "g", 9, 10);
    assert_int_equal(hl_assessment_compute(units, 2, NULL, 0, &policy, 202413, &assessment, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "month");
    assert_int_equal(hl_assessment_compute(units, 2, NULL, 0, NULL, MONTH, &assessment, &error),
                     HL_EINVAL);
    assert_int_equal(hl_assessment_compute(NULL, 2, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_EINVAL);

    units[1].counters[HL_COUNTER_RATED_VERY_SATISFIED] = INT64_MAX;
    units[1].counters[HL_COUNTER_RATED_SATISFIED] = 1;
    assert_int_equal(hl_assessment_compute(units, 2, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_EINVAL);
    assert_null(assessment.units);
    assert_null(assessment.groups);
}

static void test_no_units_gives_an_empty_assessment(void **state)
{
    (void)state;
    hl_assessment_policy policy;
    hl_assessment_policy_default(&policy);
    hl_assessment assessment;
    hl_error error;
    assert_int_equal(hl_assessment_compute(NULL, 0, NULL, 0, &policy, MONTH, &assessment, &error),
                     HL_OK);
    assert_int_equal(assessment.unit_count, 0);
    assert_int_equal(assessment.group_count, 0);
    assert_percent(assessment.satisfaction_rate, "-");
    hl_assessment_free(&assessment);
    hl_assessment_free(&assessment); /* freeing twice is harmless */
}

int main(void)
{
    hl_i18n_set(HL_LANG_ZH);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_default_values),
        cmocka_unit_test(test_policy_set_accepts_valid_values),
        cmocka_unit_test(test_policy_set_refuses_bad_values_and_changes_nothing),
        cmocka_unit_test(test_policy_messages_follow_the_language),
        cmocka_unit_test(test_policy_check_refuses_weights_not_summing_to_100_for_score),
        cmocka_unit_test(test_policy_check_refuses_values_out_of_range),
        cmocka_unit_test(test_format_percent_rounds_half_up_exactly),
        cmocka_unit_test(test_format_percent_at_the_half_hundredth_boundary),
        cmocka_unit_test(test_format_percent_handles_the_largest_counts),
        cmocka_unit_test(test_compare_is_exact_for_close_ratios),
        cmocka_unit_test(test_wilson_interval_values),
        cmocka_unit_test(test_seed_totals_pool_counts_not_rates),
        cmocka_unit_test(test_unit_measures_are_ratios_of_their_counters),
        cmocka_unit_test(test_basic_satisfied_counts_only_when_the_policy_says),
        cmocka_unit_test(test_ties_share_a_rank_and_the_next_rank_skips),
        cmocka_unit_test(test_units_below_the_minimum_volume_are_listed_apart),
        cmocka_unit_test(test_wilson_keeps_a_small_perfect_unit_below_a_large_good_one),
        cmocka_unit_test(test_wilson_equal_lower_bounds_share_a_rank),
        cmocka_unit_test(test_weighted_score_and_the_order_it_gives),
        cmocka_unit_test(test_equal_scores_from_different_rates_share_a_rank),
        cmocka_unit_test(test_score_is_zero_when_the_weights_do_not_make_100),
        cmocka_unit_test(test_red_and_black_lists_include_ties_at_the_boundary),
        cmocka_unit_test(test_lists_in_small_groups_leave_units_on_both_lists_on_neither),
        cmocka_unit_test(test_groups_follow_group_order_then_name),
        cmocka_unit_test(test_the_centre_is_skipped_and_not_pooled),
        cmocka_unit_test(test_units_without_figures_are_left_out),
        cmocka_unit_test(test_upheld_appeal_counters_are_part_of_the_sums),
        cmocka_unit_test(test_previous_month_rate_and_rank),
        cmocka_unit_test(test_bad_input_is_refused_and_leaves_nothing_to_free),
        cmocka_unit_test(test_no_units_gives_an_empty_assessment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
