/* render_json.c: the bulletin as JSON (docs/bulletin.schema.json), for
 * other programs.
 *
 * The figures from the assessment, each rate as numerator, denominator and
 * its printed percentage; the paragraph and footnotes from the model of
 * domain/bulletin.c, in the current language. Keys are English in both
 * languages. */
#include "report/render.h"

#include <inttypes.h>

#include "base/array.h"

/* Wide enough for any percentage or score. */
#define CELL_BYTES 160

static void json_ratio(hl_buf *out, hl_ratio ratio)
{
    hl_buf_appendf(out, "{\"numerator\":%" PRId64 ",\"denominator\":%" PRId64 ",\"percent\":",
                   ratio.numerator, ratio.denominator);
    hl_assessment_append_json_percent(out, ratio);
    hl_buf_append_char(out, '}');
}

static void json_unit(hl_buf *out, const hl_unit_result *unit, const hl_assessment *assessment)
{
    char text[CELL_BYTES];
    hl_buf_append_str(out, "{\"code\":");
    hl_buf_append_json_string(out, unit->unit);
    hl_buf_append_str(out, ",\"name\":");
    hl_buf_append_json_string(out, unit->name);
    if (unit->ranked)
        hl_buf_appendf(out, ",\"rank\":%d,\"ranked\":true", unit->rank);
    else
        hl_buf_append_str(out, ",\"rank\":null,\"ranked\":false");
    hl_buf_appendf(out,
                   ",\"base\":%" PRId64 ",\"survey_succeeded\":%" PRId64 ",\"satisfied\":%" PRId64
                   ",\"resolved\":%" PRId64 ",\"appeal_upheld\":%" PRId64 ",\"rates\":{",
                   unit->base, unit->succeeded, unit->satisfied, unit->resolved,
                   unit->appeal_upheld);
    const struct {
        const char *key;
        hl_ratio ratio;
    } rates[] = {
        {"survey_success", unit->success_rate},
        {"satisfaction", unit->satisfaction_rate},
        {"resolved", unit->resolved_rate},
        {"sign_on_time", unit->sign_on_time_rate},
        {"completion_on_time", unit->completion_on_time_rate},
        {"return", unit->return_rate},
        {"reopen", unit->reopen_rate},
    };
    for (size_t index = 0; index < HL_COUNT_OF(rates); index++) {
        hl_buf_appendf(out, "%s\"%s\":", index > 0 ? "," : "", rates[index].key);
        json_ratio(out, rates[index].ratio);
    }
    hl_buf_append_str(out, "},\"wilson\":");
    if (hl_bulletin_has_interval(unit)) {
        hl_buf_append_str(out, "{\"low\":");
        hl_bulletin_format_fraction(unit->wilson_low, text, sizeof text);
        hl_buf_append_json_string(out, text);
        hl_buf_append_str(out, ",\"high\":");
        hl_bulletin_format_fraction(unit->wilson_high, text, sizeof text);
        hl_buf_append_json_string(out, text);
        hl_buf_append_char(out, '}');
    } else {
        hl_buf_append_str(out, "null");
    }
    hl_buf_append_str(out, ",\"score\":");
    if (assessment->policy.method == HL_RANK_BY_SCORE) {
        hl_bulletin_format_score(unit, text, sizeof text);
        hl_buf_append_json_string(out, text);
    } else {
        hl_buf_append_str(out, "null");
    }
    hl_buf_append_str(out, ",\"list\":");
    if (hl_bulletin_list_code(unit->list) != NULL)
        hl_buf_append_json_string(out, hl_bulletin_list_code(unit->list));
    else
        hl_buf_append_str(out, "null");
    hl_buf_append_str(out, ",\"previous\":");
    if (unit->has_previous) {
        if (unit->previous_rank > 0)
            hl_buf_appendf(out, "{\"rank\":%d", unit->previous_rank);
        else
            hl_buf_append_str(out, "{\"rank\":null");
        hl_buf_append_str(out, ",\"satisfaction_rate\":");
        json_ratio(out, unit->previous_satisfaction_rate);
        hl_buf_append_char(out, '}');
    } else {
        hl_buf_append_str(out, "null");
    }
    hl_buf_append_char(out, '}');
}

void hl_render_json(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                    const hl_bulletin_model *model, hl_buf *out)
{
    const hl_bulletin_period *period = &model->period;
    hl_buf_appendf(
        out,
        "{\"schema\":\"hotline.bulletin/1\",\"month\":\"%s\",\"period\":{\"from\":\"%s\","
        "\"to\":\"%s\"},\"title\":",
        period->month_text, period->from, period->to);
    hl_buf_append_json_string(out, meta->title);
    hl_buf_append_str(out, ",\"hotline\":");
    hl_buf_append_json_string(out, meta->hotline_name);
    hl_buf_append_str(out, ",\"generated_at\":");
    hl_buf_append_json_string(out, meta->generated_at);
    hl_buf_append_str(out, ",\"paragraph\":");
    hl_buf_append_json_string(out, model->paragraph.data);
    hl_buf_appendf(out,
                   ",\"totals\":{\"base\":%" PRId64 ",\"survey_succeeded\":%" PRId64
                   ",\"satisfied\":%" PRId64 ",\"resolved\":%" PRId64 ",\"appeal_upheld\":%" PRId64
                   ",\"survey_success_rate\":",
                   assessment->base, assessment->succeeded, assessment->satisfied,
                   assessment->resolved, assessment->appeal_upheld);
    json_ratio(out, assessment->success_rate);
    hl_buf_append_str(out, ",\"satisfaction_rate\":");
    json_ratio(out, assessment->satisfaction_rate);
    hl_buf_append_str(out, ",\"resolved_rate\":");
    json_ratio(out, assessment->resolved_rate);
    const hl_assessment_policy *policy = &assessment->policy;
    hl_buf_appendf(
        out,
        "},\"policy\":{\"method\":\"%s\",\"basic_counts_satisfied\":%s,\"min_reached\":%d,"
        "\"weights\":{\"response\":%d,\"resolution\":%d,\"satisfaction\":%d},"
        "\"list_size\":%d},\"groups\":[",
        hl_bulletin_method_code(policy->method), policy->basic_counts_satisfied ? "true" : "false",
        policy->min_reached, policy->weight_response, policy->weight_resolution,
        policy->weight_satisfaction, policy->list_size);
    for (size_t group_index = 0; group_index < assessment->group_count; group_index++) {
        const hl_group_result *group = &assessment->groups[group_index];
        hl_buf_append_str(out, group_index > 0 ? ",{\"name\":" : "{\"name\":");
        hl_buf_append_json_string(out, group->name);
        hl_buf_append_str(out, ",\"units\":[");
        for (size_t index = 0; index < group->count; index++) {
            if (index > 0)
                hl_buf_append_char(out, ',');
            json_unit(out, group->units[index], assessment);
        }
        hl_buf_append_str(out, "]}");
    }
    hl_buf_append_str(out, "],\"footnotes\":[");
    for (size_t index = 0; index < model->footnote_count; index++) {
        if (index > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_json_string(out, model->footnotes[index]);
    }
    hl_buf_append_str(out, "]}\n");
}
