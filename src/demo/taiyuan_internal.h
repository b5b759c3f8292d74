/* taiyuan_internal.h: what the files of the Taiyuan month share, and no
 * one else includes: the plan's constants, the seeded randomness, the
 * tables (taiyuan_tables.c), the planner's state, and the steps one file
 * of the plan calls in another. See taiyuan.h for the module itself. */
#ifndef HL_TAIYUAN_INTERNAL_H
#define HL_TAIYUAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "demo/taiyuan.h"

#define TAIYUAN_SEED 0x20240229C0FFEEull

/* Orders outside the base. */
#define INTAKE_ORDERS 520
#define INVALID_ORDERS 110
#define MERGED_ORDERS 140
#define OPEN_ORDERS 260
/* A unit's base is at least this, so that its reached surveys can reach
 * HL_TAIYUAN_MIN_REACHED at a plausible success rate. */
#define MIN_BASE 56
/* The unit whose extra order is excluded by an upheld appeal, and the unit
 * whose appeal is rejected. */
#define APPEAL_UPHELD_UNIT "xiaodian"
#define APPEAL_REJECTED_UNIT "city-management"

#define MINUTE 60
#define HOUR 3600
#define DAY 86400
/* Units work 08:30-17:30 on working days; the survey team calls 09:00-20:00 every day. */
#define WORK_START (8 * HOUR + 30 * MINUTE)
#define WORK_END (17 * HOUR + 30 * MINUTE)
#define CALL_START (9 * HOUR)
#define CALL_END (20 * HOUR)
#define MAX_UNIT_TOPICS 24

/* ---- randomness ---- */

/* splitmix64: small, fast, and the same on every machine. */
static inline uint64_t next_random(uint64_t *state)
{
    uint64_t value = (*state += 0x9E3779B97F4A7C15ull);
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
    return value ^ (value >> 31);
}

/* A whole number in [low, high); low when the range is empty. */
static inline int64_t random_range(uint64_t *state, int64_t low, int64_t high)
{
    if (high <= low)
        return low;
    return low + (int64_t)(next_random(state) % (uint64_t)(high - low));
}

static inline double random_fraction(uint64_t *state)
{
    return (double)(next_random(state) >> 11) * 0x1.0p-53;
}

static inline bool chance(uint64_t *state, int percent)
{
    return random_range(state, 0, 100) < percent;
}

static inline hl_time max_time(hl_time left, hl_time right)
{
    return left > right ? left : right;
}

static inline hl_time min_time(hl_time left, hl_time right)
{
    return left < right ? left : right;
}

/* ---- the tables (taiyuan_tables.c) ---- */

typedef struct hl_taiyuan_district {
    const char *code; /* the unit that governs it */
    const char *name;
    const char *places[6];
    double latitude, longitude;
    int weight; /* how often a municipal unit's order is located there (0: never) */
} hl_taiyuan_district;

extern const hl_taiyuan_district hl_taiyuan_districts[];
extern const size_t hl_taiyuan_district_count;

/* What citizens call about: the owner is a unit code, "district" (every
 * district, county and zone) or "invalid" (calls that are no request). */
typedef struct hl_taiyuan_topic {
    const char *owner;
    const char *category; /* a code of data/demo/categories.csv, or "" */
    hl_order_type type;
    bool placed; /* the address is part of the matter */
    const char *title;
    const char *detail;
    const char *ask;
} hl_taiyuan_topic;

extern const hl_taiyuan_topic hl_taiyuan_topics[];
extern const size_t hl_taiyuan_topic_count;

/* A unit's relative number of orders in the base. */
int hl_taiyuan_volume_weight(const char *unit_code);
/* The index of the district a unit governs, or -1 for a municipal unit. */
int hl_taiyuan_district_of(const char *code);

/* The short texts of the story, drawn with one random number each. */
typedef enum hl_taiyuan_text {
    HL_TAIYUAN_SURNAME = 0,
    HL_TAIYUAN_PHONE_PREFIX,
    HL_TAIYUAN_REPLY,
    HL_TAIYUAN_RETURN_NOTE,
    HL_TAIYUAN_HANDLE_NOTE,
    HL_TAIYUAN_EXTENSION_NOTE,
    HL_TAIYUAN_INTAKE_NOTE,
    HL_TAIYUAN_INVALID_NOTE,
} hl_taiyuan_text;

const char *hl_taiyuan_pick(hl_taiyuan_text kind, uint64_t *random);
/* A survey comment fitting the rating. */
const char *hl_taiyuan_comment(hl_rating rating, uint64_t *random);

/* ---- the planner (taiyuan_plan.c, taiyuan_story.c) ---- */

typedef struct category_days {
    char code[HL_CODE_BYTES];
    int handle_days;
} category_days;

typedef enum survey_case {
    CASE_VERY_SATISFIED = 0,
    CASE_SATISFIED,
    CASE_BASIC,
    CASE_DISSATISFIED,
    CASE_VERY_DISSATISFIED,
    CASE_NO_ANSWER,
    CASE_REFUSED,
    CASE_WRONG_NUMBER,
    CASE_COUNT
} survey_case;

typedef struct planner {
    const hl_calendar *calendar;
    const hl_limits *limits;
    uint64_t random;
    hl_taiyuan_plan *plan;
    category_days categories[64];
    size_t category_count;
    int (*unit_topics)[MAX_UNIT_TOPICS];
    int *unit_topic_count;
    double *weights;
    int invalid_topics[8];
    int invalid_topic_count;
    int32_t first_day; /* 1 February 2024 */
    hl_time last_work; /* 29 February 17:30: the last working instant of the month */
    int base_day_weight[30];
    int open_day_weight[30];
} planner;

/* A category of categories.csv by code, or NULL. */
static inline const category_days *category_of(const planner *planning, const char *code)
{
    for (size_t index = 0; index < planning->category_count; index++)
        if (strcmp(planning->categories[index].code, code) == 0)
            return &planning->categories[index];
    return NULL;
}

static inline int plan_fail(hl_error *error, const char *what)
{
    return hl_error_set(error, HL_EINVAL, "plan", "taiyuan plan: %s", what);
}

/* Exactly: numerator_a / denominator_a > numerator_b / denominator_b (denominators > 0). */
static inline bool rate_above(int64_t numerator_a, int64_t denominator_a, int64_t numerator_b,
                              int64_t denominator_b)
{
    return numerator_a * denominator_b > numerator_b * denominator_a;
}

static inline bool is_dissatisfied(survey_case result)
{
    return result == CASE_DISSATISFIED || result == CASE_VERY_DISSATISFIED;
}

/* The days orders arrive (taiyuan_story.c). */
void hl_taiyuan_plan_day_weights(planner *planning);
/* Every order of the plan and its story, from the per-unit counts. */
int hl_taiyuan_plan_orders(planner *planning, hl_error *error);

#endif
