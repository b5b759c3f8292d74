/* report.h: the monthly bulletin's data, read from the rollups.
 *
 * Reads one month's counters (and the previous month's) per unit from the
 * store, the units' names and groups, and the report settings, and computes
 * the assessment (domain/assessment). It costs the same for 25,000 orders
 * as for 25 million: it reads a few hundred rollup rows, never the orders. */
#ifndef HL_REPORT_H
#define HL_REPORT_H

#include "app/app.h"
#include "domain/assessment.h"
#include "domain/bulletin.h"

/* Loads the report policy: defaults, then the stored `report.*` settings. */
int hl_report_policy(hl_app *app, hl_assessment_policy *policy, hl_error *error);

/* Stores one report setting: report.<policy key> (see
 * hl_assessment_policy_set), report.group_order (comma-separated group
 * names, the order of the bulletin's tables), report.title (the notice's
 * heading) or report.hotline_name (as named in its paragraph). */
int hl_report_set(hl_app *app, const char *key, const char *value, hl_error *error);

/* Computes the assessment of `month` (yyyymm) with `policy` and fills the
 * bulletin's heading texts. The caller owns *out (hl_assessment_free). */
int hl_report_build(hl_app *app, int month, const hl_assessment_policy *policy, hl_assessment *out,
                    hl_bulletin_meta *meta, hl_error *error);

/* What a month's bulletin is computed from, read in one snapshot: each
 * unit's counters of the month and of the month before, with its name and
 * group; the group order; the heading texts; the orders upheld appeals
 * excluded. app/publish.c freezes these when a month is published. */
typedef struct hl_report_inputs {
    int month;             /* yyyymm */
    hl_unit_counts *units; /* owned */
    size_t count;
    char group_order[HL_REASON_BYTES]; /* comma-separated group names */
    hl_bulletin_meta meta;
    hl_exclusion *exclusions; /* owned */
    size_t exclusion_count;
} hl_report_inputs;

/* Reads the inputs of month (and, when events_head is not NULL, the event
 * chain's head in the same snapshot). The caller frees *out with
 * hl_report_inputs_free. */
int hl_report_gather(hl_app *app, int month, hl_report_inputs *out, hl_chain_head *events_head,
                     hl_error *error);
/* Computes the assessment of inputs with policy (as hl_report_build:
 * HL_ENOTFOUND when the month has no survey result). The caller owns *out
 * (hl_assessment_free). */
int hl_report_compute(const hl_report_inputs *inputs, const hl_assessment_policy *policy,
                      hl_assessment *out, hl_error *error);
void hl_report_inputs_free(hl_report_inputs *inputs);

#endif
