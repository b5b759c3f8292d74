/* taiyuan.h: February 2024 of the Taiyuan 12345 hotline, reproduced.
 *
 * The published bulletin gives three totals (25301 surveyed completions in
 * the base, 20914 surveys that reached the citizen, 12803 satisfied
 * citizens) and the rank order of 42 network units in two groups; per-unit
 * counts were not published. This module plans, from a fixed seed,
 * per-unit counts whose sums are those totals and whose satisfaction rates
 * fall strictly in the published order within each group, and the work
 * orders behind them, each with a realistic story; a dissatisfied citizen's
 * order is reopened and, when there is time, completed and surveyed again
 * within the month. It then drives the plan through the real pipeline: the
 * registration CSV (import), the lifecycle actions (hl_app_act_within),
 * the survey CSV (import), the second round of reopened orders and its
 * surveys, and the appeals. The demo (demo/demo.c) and the bulletin's
 * acceptance test both use it.
 *
 * The units are those of data/demo/units.csv, whose file order within each
 * group is the published rank. */
#ifndef HL_TAIYUAN_H
#define HL_TAIYUAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "base/text.h"

/* The published totals of February 2024. */
#define HL_TAIYUAN_BASE 25301
#define HL_TAIYUAN_SUCCEEDED 20914
#define HL_TAIYUAN_SATISFIED 12803
#define HL_TAIYUAN_MONTH 202402
/* Every unit reaches at least this many citizens, so that it is ranked
 * under the default min_reached (10) with room to spare. */
#define HL_TAIYUAN_MIN_REACHED 40

typedef struct hl_taiyuan_unit {
    char code[HL_CODE_BYTES];
    char name[HL_NAME_BYTES];
    char group[HL_NAME_BYTES];
    int group_index; /* groups numbered in order of first appearance */
    int rank;        /* published rank within the group, 1-based (file order) */
    /* The survey results of the month, as the bulletin will count them. */
    int64_t base;      /* 确定基数: completed and surveyed */
    int64_t succeeded; /* reached */
    int64_t satisfied; /* very satisfied + satisfied */
    int64_t very_satisfied, satisfied_rating, basic, dissatisfied, very_dissatisfied;
    int64_t resolved; /* reached and said solved */
    int64_t failed_no_answer, failed_refused, failed_wrong_number;
} hl_taiyuan_unit;

typedef enum hl_taiyuan_kind {
    HL_TAIYUAN_BASE_ORDER = 0, /* completed in February and surveyed: in the base */
    HL_TAIYUAN_INTAKE,         /* answered by the agent: never reaches a unit */
    HL_TAIYUAN_INVALID,        /* harassment, test or empty calls */
    HL_TAIYUAN_MERGED,         /* a repeat of an earlier order */
    HL_TAIYUAN_OPEN,           /* still with its unit at the end of February */
    HL_TAIYUAN_APPEALED,       /* completed and surveyed, then excluded by an upheld appeal */
} hl_taiyuan_kind;

/* How a base or open order reached its unit. */
typedef enum hl_taiyuan_route {
    HL_TAIYUAN_DIRECT = 0,
    HL_TAIYUAN_MISROUTED,       /* first sent to wrong_unit, returned, reassigned */
    HL_TAIYUAN_RETURN_REJECTED, /* the unit returned it and the dispatcher said no */
} hl_taiyuan_route;

/* Where an open order stands at the end of the month. */
typedef enum hl_taiyuan_open_stage {
    HL_TAIYUAN_OPEN_DISPATCHED = 0, /* not signed for yet */
    HL_TAIYUAN_OPEN_RETURNED,       /* a return awaits the dispatcher */
    HL_TAIYUAN_OPEN_HANDLING,       /* signed, being handled */
    HL_TAIYUAN_OPEN_EXTENSION,      /* an extension request awaits a decision */
    HL_TAIYUAN_OPEN_OVERDUE,        /* past its deadline: reminded and supervised */
} hl_taiyuan_open_stage;

#define HL_TAIYUAN_MAX_CALLS 3

/* The callback survey of one completion: its calls and their result. */
typedef struct hl_taiyuan_survey {
    hl_rating rating; /* HL_RATING_NONE when the survey failed */
    hl_resolved resolved;
    int call_count; /* 0: no survey */
    hl_survey_outcome outcome[HL_TAIYUAN_MAX_CALLS];
    hl_time at[HL_TAIYUAN_MAX_CALLS];
} hl_taiyuan_survey;

/* One planned work order and every instant of its story (0: no such step). */
typedef struct hl_taiyuan_order {
    int64_t number;
    hl_time received_at;
    uint64_t seed;       /* drives its caller and its notes */
    uint64_t place_seed; /* drives its address (a merged repeat shares its original's) */
    hl_taiyuan_kind kind;
    int unit;       /* the unit that handles it (index into plan->units); for INTAKE the unit
                       whose matter it is, though it never reaches it; -1 for INVALID */
    int wrong_unit; /* MISROUTED: the unit it was first sent to, else -1 */
    int topic;      /* index into the module's topic table */
    hl_order_type type;
    hl_channel channel;
    hl_taiyuan_route route;
    hl_taiyuan_open_stage open_stage;
    size_t merge_into; /* MERGED: index of the earlier order */
    /* Round 1: from dispatch to the first completion. */
    hl_time dispatched_at, returned_at, return_decided_at, signed_at, noted_at;
    hl_time extension_at, extension_decided_at, reminded_at, supervised_at, completed_at;
    int extension_days;
    bool extension_approved;
    hl_time closed_at;        /* INTAKE, INVALID, MERGED: when the centre closed it */
    hl_taiyuan_survey survey; /* of the first completion (BASE, APPEALED) */
    /* Round 2: a dissatisfied survey reopened the order (重办, at its last
     * call); the unit signs again, and when there is time completes it in
     * February, and that completion is surveyed too. resigned_at may fall
     * in March; then there is no second completion. */
    hl_time resigned_at, renoted_at, recompleted_at;
    hl_taiyuan_survey resurvey;
    /* An appeal by the unit after the survey (APPEALED: upheld; one base
     * order: rejected). */
    hl_time appeal_at, appeal_decided_at;
} hl_taiyuan_order;

typedef struct hl_taiyuan_plan {
    hl_taiyuan_unit *units; /* owned; in file order */
    size_t unit_count;
    hl_taiyuan_order *orders; /* owned; in the order they were planned */
    size_t order_count;
    size_t *by_number;            /* owned; indexes of orders by ascending number */
    size_t appealed_order;        /* index of the order excluded by an upheld appeal */
    size_t rejected_appeal_order; /* index of a base order whose appeal is rejected */
    /* Totals over the units (must equal the published ones). */
    int64_t base, succeeded, satisfied;
    /* Orders of each kind. */
    int64_t kind_count[HL_TAIYUAN_APPEALED + 1];
    /* Survey calls of each round; surveys that end dissatisfied (each
     * reopens its order: only first surveys do); second completions. */
    int64_t calls[2], dissatisfied, second_rounds;
} hl_taiyuan_plan;

/* Plans the month from the fixed seed. The calendar and the limits are
 * those the store will apply (deadlines are computed with them, so that
 * the story's on-time and late steps are what the workflow will judge).
 * The caller owns *out (hl_taiyuan_plan_free). Fails with HL_EINVAL when
 * the embedded units or categories cannot give the published figures. */
int hl_taiyuan_plan_build(const hl_calendar *calendar, const hl_limits *limits,
                          hl_taiyuan_plan **out, hl_error *error);
void hl_taiyuan_plan_free(hl_taiyuan_plan *plan);

/* Checks the plan's invariants: the three totals, per unit base >=
 * succeeded >= satisfied >= 0 and the rating split adds up, at least
 * HL_TAIYUAN_MIN_REACHED reached, satisfaction rates strictly decreasing
 * in rank order within each group (compared exactly), and every order of
 * the base completed in February with its calls after completion. */
int hl_taiyuan_plan_check(const hl_taiyuan_plan *plan, hl_error *error);

/* The index of a unit by code, or -1. */
int hl_taiyuan_unit_index(const hl_taiyuan_plan *plan, const char *code);

/* Stores the settings the Taiyuan bulletin needs: report.group_order,
 * report.title, report.hotline_name, and reopen_dissatisfied 1. */
int hl_taiyuan_configure(hl_app *app, hl_error *error);

/* Appends the registration CSV of every planned order (docs/csv.md, with
 * explicit numbers), by ascending number, for hl_transfer_import_orders. */
void hl_taiyuan_write_orders_csv(const hl_taiyuan_plan *plan, hl_buf *out);

/* Drives every imported order through the planned steps of a round, with
 * hl_app_act_within, a batch of orders per transaction. Round 1: dispatch,
 * returns, signing, extensions, reminders, supervision, completion, and
 * resolution, invalidation and merging at the centre. Round 2, after the
 * first surveys have reopened the dissatisfied orders: signing again,
 * handling, completing again. *actions receives the number of actions. */
int hl_taiyuan_run_lifecycle(hl_app *app, const hl_taiyuan_plan *plan, int round, int64_t *actions,
                             hl_error *error);

/* Appends the survey CSV of a round's completions: one row per call, by
 * time, for hl_transfer_import_surveys (surveyor1). */
void hl_taiyuan_write_surveys_csv(const hl_taiyuan_plan *plan, int round, hl_buf *out);

/* The appeals after the surveys: one upheld (the order leaves its unit's
 * February figures), one rejected. *actions receives the number of actions. */
int hl_taiyuan_run_appeals(hl_app *app, const hl_taiyuan_plan *plan, int64_t *actions,
                           hl_error *error);

#endif
