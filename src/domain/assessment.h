/* assessment.h: a month's measures of each network unit and their ranking.
 *
 * Input: each unit's rollup counters for the month (and, when it exists,
 * for the month before). Output: per unit, every measure as an exact ratio
 * of two counts, the 95% Wilson interval of its satisfaction rate, its
 * weighted score, its rank in its group, and its change since last month;
 * pooled totals over all units. Pure: no I/O, no store.
 *
 * Definitions (the seed bulletin's):
 *   base (确定基数)        = surveyed: completed orders whose survey concluded
 *   survey success rate    = survey_succeeded / base
 *   satisfied              = rated very satisfied + satisfied (+ basically
 *                            satisfied when the policy counts it)
 *   satisfaction rate      = satisfied / survey_succeeded
 *   resolved rate          = survey_resolved / survey_succeeded
 *   on-time sign-for rate  = signed_on_time / signed
 *   on-time completion     = completed_on_time / completed
 *   return rate            = returned / dispatched
 *   reopen rate            = reopened / completed
 *   response rate (响应率)  = signed_on_time / signed (for the weighted score)
 * Rates are shown as percentages to two decimals, rounded half up, always
 * with their numerator and denominator. */
#ifndef HL_ASSESSMENT_H
#define HL_ASSESSMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/text.h"
#include "domain/limits.h"
#include "domain/rollup.h"

typedef struct hl_ratio {
    int64_t numerator;
    int64_t denominator; /* 0: no data; shown as "-" */
} hl_ratio;

typedef enum hl_rank_method {
    HL_RANK_BY_RATE = 0, /* satisfaction rate, exact */
    HL_RANK_BY_WILSON,   /* lower bound of the 95% Wilson interval of the satisfaction rate */
    HL_RANK_BY_SCORE,    /* weighted score of response, resolution and satisfaction rates */
} hl_rank_method;

typedef struct hl_assessment_policy {
    bool basic_counts_satisfied; /* 基本满意 counts as satisfied (default false) */
    hl_rank_method method;       /* default HL_RANK_BY_RATE */
    int min_reached;             /* fewer reached surveys: listed apart, not ranked (default 10) */
    int weight_response;         /* weights of the score, in percent (default 30 / 35 / 35) */
    int weight_resolution;
    int weight_satisfaction;
    int list_size; /* red and black lists: top and bottom N of each group (default 3; 0 none) */
} hl_assessment_policy;

void hl_assessment_policy_default(hl_assessment_policy *policy);
/* Sets one policy item by key: basic_counts_satisfied (0/1), method
 * (rate|wilson|score), min_reached (0-100000), weight_response,
 * weight_resolution, weight_satisfaction (0-100, summing to 100 when the
 * method is score), list_size (0-50). */
int hl_assessment_policy_set(hl_assessment_policy *policy, const char *key, const char *value,
                             hl_error *error);
/* Checks the whole policy (weights sum to 100). */
int hl_assessment_policy_check(const hl_assessment_policy *policy, hl_error *error);

/* One unit's counters for the month, as read from the rollups. */
typedef struct hl_unit_counts {
    char unit[HL_CODE_BYTES];
    char name[HL_NAME_BYTES];
    char group[HL_NAME_BYTES];
    int64_t counters[HL_COUNTER_COUNT];
    bool has_previous; /* the previous month has figures */
    int64_t previous[HL_COUNTER_COUNT];
} hl_unit_counts;

typedef enum hl_list_mark { HL_LIST_NONE = 0, HL_LIST_RED = 1, HL_LIST_BLACK = -1 } hl_list_mark;

typedef struct hl_unit_result {
    char unit[HL_CODE_BYTES];
    char name[HL_NAME_BYTES];
    char group[HL_NAME_BYTES];
    int64_t base, succeeded, satisfied, resolved, appeal_upheld;
    hl_ratio success_rate;
    hl_ratio satisfaction_rate;
    hl_ratio resolved_rate;
    hl_ratio sign_on_time_rate;
    hl_ratio completion_on_time_rate;
    hl_ratio return_rate;
    hl_ratio reopen_rate;
    double wilson_low, wilson_high; /* of the satisfaction rate, as fractions in [0, 1] */
    double score;                   /* weighted score in percent; 0 when not computable */
    bool ranked;                    /* false: fewer reached surveys than min_reached */
    int rank;                       /* 1-based within the group; ties share a rank (1, 2, 2, 4) */
    hl_list_mark list;
    /* Change since the previous month (when has_previous). */
    bool has_previous;
    hl_ratio previous_satisfaction_rate;
    int previous_rank; /* 0 when the unit was not ranked then */
} hl_unit_result;

typedef struct hl_group_result {
    char name[HL_NAME_BYTES];
    hl_unit_result *
        *units; /* ranked units in rank order, then unranked ones by code; owned array */
    size_t count;
    size_t ranked_count;
} hl_group_result;

/* An order a unit had removed from the month's measures by an upheld appeal. */
typedef struct hl_exclusion {
    int64_t order_id;
    char unit[HL_CODE_BYTES];
    char reason[HL_REASON_BYTES]; /* the unit's grounds, as upheld */
} hl_exclusion;

typedef struct hl_assessment {
    int month; /* yyyymm */
    hl_assessment_policy policy;
    hl_unit_result *units; /* owned; in input order */
    size_t unit_count;
    hl_group_result *groups; /* owned; in the given group order, then others by name */
    size_t group_count;
    /* Pooled over all units (the centre's own "" unit excluded). */
    int64_t base, succeeded, satisfied, resolved, appeal_upheld;
    hl_ratio success_rate;
    hl_ratio satisfaction_rate;
    hl_ratio resolved_rate;
    /* Why orders were excluded: filled by the caller that knows the orders
     * (app/report.c) after hl_assessment_compute; owned, freed with the rest. */
    hl_exclusion *exclusions;
    size_t exclusion_count;
} hl_assessment;

/* Computes the month's assessment. group_order names groups in the order
 * the bulletin shows them (may be NULL); groups not named follow in name
 * order. Units with no figures at all this month are left out. The caller
 * owns *out and frees it with hl_assessment_free. */
int hl_assessment_compute(const hl_unit_counts *units, size_t count, const char *const *group_order,
                          size_t group_order_count, const hl_assessment_policy *policy, int month,
                          hl_assessment *out, hl_error *error);
void hl_assessment_free(hl_assessment *assessment);

/* "82.66" (no percent sign) rounded half up from the exact ratio, or "-"
 * when the denominator is 0; out holds at least 16 bytes. */
void hl_assessment_format_percent(hl_ratio ratio, char *out, size_t size);
/* Appends that percent to out as a JSON string, or null when the
 * denominator is 0. */
void hl_assessment_append_json_percent(hl_buf *out, hl_ratio ratio);
/* Compares two ratios exactly: <0, 0, >0. A ratio with denominator 0 is
 * below every other. */
int hl_assessment_compare(hl_ratio left, hl_ratio right);
/* The 95% (z = 1.96) Wilson score interval of successes out of trials. */
void hl_assessment_wilson(int64_t successes, int64_t trials, double *low, double *high);

#endif
