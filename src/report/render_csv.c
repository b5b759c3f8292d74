/* render_csv.c: the bulletin as CSV, one row per unit, for spreadsheets
 * and other programs.
 *
 * Written straight from the assessment: the bulletin's columns, then the
 * numerator and denominator of every rate whose counts are not already
 * columns, so that every published rate can be recomputed. Rates are the
 * figures hl_assessment_format_percent prints; a rate without data is an
 * empty field. */
#include "report/render.h"

#include <inttypes.h>

/* Wide enough for any percentage or score. */
#define CELL_BYTES 160

/* A rate field: "82.66", or empty without data. */
static void csv_rate(hl_buf *out, hl_ratio ratio)
{
    hl_buf_append_char(out, ',');
    if (ratio.denominator == 0)
        return;
    char percent[32];
    hl_assessment_format_percent(ratio, percent, sizeof percent);
    hl_buf_append_str(out, percent);
}

static void csv_counts(hl_buf *out, hl_ratio ratio)
{
    hl_buf_appendf(out, ",%" PRId64 ",%" PRId64, ratio.numerator, ratio.denominator);
}

void hl_render_csv(const hl_assessment *assessment, hl_buf *out)
{
    /* The first 21 columns are the bulletin's; the ones after give the
     * numerator and denominator of each rate whose counts are not already
     * columns, so that every published rate can be recomputed. */
    hl_buf_append_str(out,
                      "group,rank,unit_code,unit,base,survey_succeeded,survey_success_rate,"
                      "satisfied,satisfaction_rate,satisfaction_low,satisfaction_high,resolved,"
                      "resolved_rate,sign_on_time_rate,completion_on_time_rate,return_rate,"
                      "reopen_rate,score,list,previous_rank,previous_satisfaction_rate,"
                      "sign_on_time_numerator,sign_on_time_denominator,"
                      "completion_on_time_numerator,completion_on_time_denominator,"
                      "return_numerator,return_denominator,reopen_numerator,reopen_denominator,"
                      "previous_satisfied,previous_survey_succeeded\n");
    char text[CELL_BYTES];
    for (size_t group_index = 0; group_index < assessment->group_count; group_index++) {
        const hl_group_result *group = &assessment->groups[group_index];
        for (size_t index = 0; index < group->count; index++) {
            const hl_unit_result *unit = group->units[index];
            hl_buf_append_csv_field(out, group->name);
            hl_buf_append_char(out, ',');
            if (unit->ranked)
                hl_buf_appendf(out, "%d", unit->rank);
            hl_buf_append_char(out, ',');
            hl_buf_append_csv_field(out, unit->unit);
            hl_buf_append_char(out, ',');
            hl_buf_append_csv_field(out, unit->name);
            hl_buf_appendf(out, ",%" PRId64 ",%" PRId64, unit->base, unit->succeeded);
            csv_rate(out, unit->success_rate);
            hl_buf_appendf(out, ",%" PRId64, unit->satisfied);
            csv_rate(out, unit->satisfaction_rate);
            hl_buf_append_char(out, ',');
            if (hl_bulletin_has_interval(unit)) {
                hl_bulletin_format_fraction(unit->wilson_low, text, sizeof text);
                hl_buf_append_str(out, text);
            }
            hl_buf_append_char(out, ',');
            if (hl_bulletin_has_interval(unit)) {
                hl_bulletin_format_fraction(unit->wilson_high, text, sizeof text);
                hl_buf_append_str(out, text);
            }
            hl_buf_appendf(out, ",%" PRId64, unit->resolved);
            csv_rate(out, unit->resolved_rate);
            csv_rate(out, unit->sign_on_time_rate);
            csv_rate(out, unit->completion_on_time_rate);
            csv_rate(out, unit->return_rate);
            csv_rate(out, unit->reopen_rate);
            hl_buf_append_char(out, ',');
            if (assessment->policy.method == HL_RANK_BY_SCORE) {
                hl_bulletin_format_score(unit, text, sizeof text);
                hl_buf_append_str(out, text);
            }
            hl_buf_append_char(out, ',');
            if (hl_bulletin_list_code(unit->list) != NULL)
                hl_buf_append_str(out, hl_bulletin_list_code(unit->list));
            hl_buf_append_char(out, ',');
            if (unit->has_previous && unit->previous_rank > 0)
                hl_buf_appendf(out, "%d", unit->previous_rank);
            if (unit->has_previous)
                csv_rate(out, unit->previous_satisfaction_rate);
            else
                hl_buf_append_char(out, ',');
            csv_counts(out, unit->sign_on_time_rate);
            csv_counts(out, unit->completion_on_time_rate);
            csv_counts(out, unit->return_rate);
            csv_counts(out, unit->reopen_rate);
            if (unit->has_previous)
                csv_counts(out, unit->previous_satisfaction_rate);
            else
                hl_buf_append_str(out, ",,");
            hl_buf_append_char(out, '\n');
        }
    }
}
