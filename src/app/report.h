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

#endif
