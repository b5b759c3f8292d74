/* render_publication.c: a published bulletin laid out with its record and
 * its correction (see render.h, hl_render_published).
 *
 * The bulletin itself is the published one, laid out by the usual
 * renderers; after it come the publication's record (edition, who and
 * when, the event chain head, the digest) and, when the current figures
 * differ, the correction: each total published and current with the
 * difference, and each unit whose counts or rank changed. Text and
 * Markdown append these as sections, HTML as a section of preformatted
 * text before the page ends, JSON as the member "publication"; CSV gives
 * the published bulletin alone (docs/bulletin.md). It
 * computes no figure: both assessments come from app/publish. */
#include "report/render.h"

#include <string.h>

#include "base/i18n.h"

static const hl_unit_result *unit_of(const hl_assessment *assessment, const char *code)
{
    for (size_t index = 0; index < assessment->unit_count; index++)
        if (strcmp(assessment->units[index].unit, code) == 0)
            return &assessment->units[index];
    return NULL;
}

static bool unit_changed(const hl_unit_result *published, const hl_unit_result *current)
{
    if (published == NULL || current == NULL)
        return published != current;
    return published->base != current->base || published->succeeded != current->succeeded ||
           published->satisfied != current->satisfied || published->ranked != current->ranked ||
           published->rank != current->rank;
}

void hl_render_publication_record(const hl_render_publication *publication, bool markdown,
                                  hl_buf *out)
{
    const char *item = markdown ? "- " : "";
    /* A blank line parts it from a bulletin before it; alone, none. */
    if (out->len > 0)
        hl_buf_append_char(out, '\n');
    hl_buf_appendf(out, markdown ? "## %s\n\n" : "—— %s ——\n", HL_T("公布记录", "Publication"));
    hl_buf_appendf(out,
                   HL_T("%s%04d-%02d 通报第 %d 版（共 %d 版），%s 于 %s 公布\n",
                        "%s%04d-%02d bulletin, edition %d (of %d), published by %s on %s\n"),
                   item, publication->month / 100, publication->month % 100, publication->edition,
                   publication->editions, publication->published_by, publication->published_at);
    if (publication->note[0] != '\0')
        hl_buf_appendf(out, HL_T("%s新版说明：%s\n", "%sNote of this edition: %s\n"), item,
                       publication->note);
    hl_buf_appendf(
        out, HL_T("%s依据事件哈希链第 %lld 环：%s\n", "%sComputed at event chain link %lld: %s\n"),
        item, (long long)publication->chain_seq, publication->chain_hash);
    hl_buf_appendf(out, HL_T("%s摘要：%s\n", "%sDigest: %s\n"), item, publication->digest);
    const hl_assessment *published = publication->published;
    hl_buf_appendf(out,
                   HL_T("%s公布数字：确定基数 %lld，调查成功 %lld，满意 %lld\n",
                        "%sPublished figures: %lld surveyed, %lld reached, %lld satisfied\n"),
                   item, (long long)published->base, (long long)published->succeeded,
                   (long long)published->satisfied);
}

static void total_line(hl_buf *out, const char *item, const char *label, int64_t published,
                       int64_t current)
{
    hl_buf_appendf(out,
                   HL_T("%s%s：公布 %lld，现行 %lld，更正 %+lld\n",
                        "%s%s: published %lld, current %lld, correction %+lld\n"),
                   item, label, (long long)published, (long long)current,
                   (long long)(current - published));
}

static void rate_line(hl_buf *out, const char *item, const char *label, hl_ratio published,
                      hl_ratio current)
{
    char left[16], right[16];
    hl_assessment_format_percent(published, left, sizeof left);
    hl_assessment_format_percent(current, right, sizeof right);
    hl_buf_appendf(out,
                   HL_T("%s%s：公布 %s%%，现行 %s%%\n", "%s%s: published %s%%, current %s%%\n"),
                   item, label, left, right);
}

static void unit_figures(hl_buf *out, const hl_unit_result *unit)
{
    if (unit == NULL) {
        hl_buf_append_str(out, "-");
        return;
    }
    hl_buf_appendf(out, "%lld/%lld/%lld/", (long long)unit->base, (long long)unit->succeeded,
                   (long long)unit->satisfied);
    if (unit->ranked)
        hl_buf_appendf(out, "%d", unit->rank);
    else
        hl_buf_append_str(out, "-");
}

/* Calls visit for every unit whose figures or rank differ between the
 * published and the current assessment: the published units in their
 * order, then those only the current one has. */
typedef void (*changed_unit_visitor)(void *context, const hl_unit_result *unit,
                                     const hl_unit_result *before, const hl_unit_result *after);

static void each_changed_unit(const hl_assessment *published, const hl_assessment *current,
                              changed_unit_visitor visit, void *context)
{
    for (int pass = 0; pass < 2; pass++) {
        const hl_assessment *walked = pass == 0 ? published : current;
        for (size_t index = 0; index < walked->unit_count; index++) {
            const hl_unit_result *unit = &walked->units[index];
            const hl_unit_result *before = unit_of(published, unit->unit);
            const hl_unit_result *after = unit_of(current, unit->unit);
            if ((pass == 1 && before != NULL) || !unit_changed(before, after))
                continue;
            visit(context, unit, before, after);
        }
    }
}

typedef struct text_units {
    hl_buf *out;
    const char *item;
    bool markdown;
    bool header; /* the heading of the list is written */
} text_units;

static void text_unit(void *context, const hl_unit_result *unit, const hl_unit_result *before,
                      const hl_unit_result *after)
{
    text_units *units = context;
    hl_buf *out = units->out;
    if (!units->header) {
        hl_buf_append_str(out, HL_T("变动的单位（确定基数/调查成功/满意/排名，公布 → 现行）：\n",
                                    "Units that changed (surveyed/reached/satisfied/rank, "
                                    "published → current):\n"));
        if (units->markdown)
            hl_buf_append_char(out, '\n');
        units->header = true;
    }
    hl_buf_appendf(out, "%s%s ", units->item, unit->name[0] != '\0' ? unit->name : unit->unit);
    unit_figures(out, before);
    hl_buf_append_str(out, " → ");
    unit_figures(out, after);
    hl_buf_append_char(out, '\n');
}

static void render_correction(const hl_render_publication *publication, bool markdown, hl_buf *out)
{
    const hl_assessment *published = publication->published, *current = publication->current;
    const char *item = markdown ? "- " : "";
    hl_buf_appendf(out, markdown ? "\n## %s\n\n" : "\n—— %s ——\n", HL_T("更正", "Correction"));
    if (!publication->corrected) {
        hl_buf_append_str(out, HL_T("公布后本月数字未变动。\n",
                                    "The month's figures have not changed since publication.\n"));
        return;
    }
    hl_buf_append_str(out, HL_T("公布后本月数字有变动（迟到的回访、核实的申诉等）；上文为公布数字，"
                                "不作改动，现行数字与更正如下：\n",
                                "The month's figures changed after publication (a late survey, "
                                "an upheld appeal...); the bulletin above keeps the published "
                                "figures; the current ones and the correction are:\n"));
    if (markdown)
        hl_buf_append_char(out, '\n');
    total_line(out, item, HL_T("确定基数", "Surveyed"), published->base, current->base);
    total_line(out, item, HL_T("调查成功", "Reached"), published->succeeded, current->succeeded);
    total_line(out, item, HL_T("满意数", "Satisfied"), published->satisfied, current->satisfied);
    rate_line(out, item, HL_T("调查成功率", "Survey success rate"), published->success_rate,
              current->success_rate);
    rate_line(out, item, HL_T("满意率", "Satisfaction rate"), published->satisfaction_rate,
              current->satisfaction_rate);
    text_units units = {.out = out, .item = item, .markdown = markdown, .header = false};
    each_changed_unit(published, current, text_unit, &units);
}

static void json_totals(hl_buf *out, const hl_assessment *assessment)
{
    hl_buf_appendf(out, "{\"surveyed\":%lld,\"reached\":%lld,\"satisfied\":%lld,",
                   (long long)assessment->base, (long long)assessment->succeeded,
                   (long long)assessment->satisfied);
    hl_buf_append_str(out, "\"success_rate\":");
    hl_assessment_append_json_percent(out, assessment->success_rate);
    hl_buf_append_str(out, ",\"satisfaction_rate\":");
    hl_assessment_append_json_percent(out, assessment->satisfaction_rate);
    hl_buf_append_char(out, '}');
}

static void json_unit(hl_buf *out, const hl_unit_result *unit)
{
    if (unit == NULL) {
        hl_buf_append_str(out, "null");
        return;
    }
    hl_buf_appendf(out, "{\"surveyed\":%lld,\"reached\":%lld,\"satisfied\":%lld,\"rank\":",
                   (long long)unit->base, (long long)unit->succeeded, (long long)unit->satisfied);
    if (unit->ranked)
        hl_buf_appendf(out, "%d}", unit->rank);
    else
        hl_buf_append_str(out, "null}");
}

typedef struct json_units {
    hl_buf *out;
    bool first; /* no unit written yet */
} json_units;

static void json_changed_unit(void *context, const hl_unit_result *unit,
                              const hl_unit_result *before, const hl_unit_result *after)
{
    json_units *units = context;
    hl_buf *out = units->out;
    if (!units->first)
        hl_buf_append_char(out, ',');
    units->first = false;
    hl_buf_append_str(out, "{\"unit\":");
    hl_buf_append_json_string(out, unit->unit);
    hl_buf_append_str(out, ",\"published\":");
    json_unit(out, before);
    hl_buf_append_str(out, ",\"current\":");
    json_unit(out, after);
    hl_buf_append_char(out, '}');
}

/* The member "publication" of the bulletin's JSON object. */
static void render_json_publication(const hl_render_publication *publication, hl_buf *out)
{
    const hl_assessment *published = publication->published, *current = publication->current;
    hl_buf_appendf(out, "\"publication\":{\"edition\":%d,\"editions\":%d,\"published_at\":",
                   publication->edition, publication->editions);
    hl_buf_append_json_string(out, publication->published_at);
    hl_buf_append_str(out, ",\"published_by\":");
    hl_buf_append_json_string(out, publication->published_by);
    hl_buf_append_str(out, ",\"note\":");
    hl_buf_append_json_string(out, publication->note);
    hl_buf_appendf(out, ",\"chain\":{\"seq\":%lld,\"hash\":", (long long)publication->chain_seq);
    hl_buf_append_json_string(out, publication->chain_hash);
    hl_buf_append_str(out, "},\"digest\":");
    hl_buf_append_json_string(out, publication->digest);
    hl_buf_append_str(out, ",\"published\":");
    json_totals(out, published);
    hl_buf_append_str(out, ",\"current\":");
    json_totals(out, current);
    hl_buf_appendf(out,
                   ",\"corrected\":%s,\"correction\":{\"surveyed\":%lld,\"reached\":%lld,"
                   "\"satisfied\":%lld},\"units\":[",
                   publication->corrected ? "true" : "false",
                   (long long)(current->base - published->base),
                   (long long)(current->succeeded - published->succeeded),
                   (long long)(current->satisfied - published->satisfied));
    json_units units = {.out = out, .first = true};
    each_changed_unit(published, current, json_changed_unit, &units);
    hl_buf_append_str(out, "]}");
}

int hl_render_published(const hl_render_publication *publication, const hl_bulletin_meta *meta,
                        hl_render_format format, hl_buf *out, hl_error *error)
{
    size_t start = out->len;
    int result = hl_render_bulletin(publication->published, meta, format, out, error);
    if (result != HL_OK)
        return result;
    switch (format) {
    case HL_RENDER_TEXT:
    case HL_RENDER_MARKDOWN:
        hl_render_publication_record(publication, format == HL_RENDER_MARKDOWN, out);
        render_correction(publication, format == HL_RENDER_MARKDOWN, out);
        break;
    case HL_RENDER_HTML: {
        /* The page ends "</body>\n</html>\n": the section goes before. */
        static const char end[] = "</body>\n</html>\n";
        size_t end_length = sizeof end - 1;
        if (out->len < start + end_length ||
            memcmp(out->data + out->len - end_length, end, end_length) != 0)
            break;
        out->len -= end_length;
        hl_buf text;
        hl_buf_init(&text);
        hl_render_publication_record(publication, false, &text);
        render_correction(publication, false, &text);
        hl_buf_append_char(&text, '\0');
        hl_buf_append_str(out, "<section class=\"publication\">\n<pre>");
        hl_render_html_escaped(out, text.data);
        hl_buf_append_str(out, "</pre>\n</section>\n");
        hl_buf_append_str(out, end);
        hl_buf_free(&text);
        break;
    }
    case HL_RENDER_JSON:
        /* The object ends "}\n": the member goes before its brace. */
        if (out->len >= start + 2 && out->data[out->len - 2] == '}') {
            out->len -= 2;
            hl_buf_append_char(out, ',');
            render_json_publication(publication, out);
            hl_buf_append_str(out, "}\n");
        }
        break;
    default: break;
    }
    return HL_OK;
}
