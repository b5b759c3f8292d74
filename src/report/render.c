/* render.c: the bulletin's formats by name, and the one entry that checks
 * the input and hands the bulletin to the renderer of a format.
 *
 * The human formats (text, Markdown, HTML) lay out one model built first
 * by domain/bulletin.c; CSV is written straight from the assessment and
 * JSON from both. This file lays nothing out itself. */
#include "report/render.h"

#include <string.h>

#include "base/array.h"
#include "base/i18n.h"

int hl_render_format_parse(const char *text, hl_render_format *out)
{
    static const struct {
        const char *name;
        hl_render_format format;
    } names[] = {
        {"text", HL_RENDER_TEXT}, {"markdown", HL_RENDER_MARKDOWN}, {"md", HL_RENDER_MARKDOWN},
        {"csv", HL_RENDER_CSV},   {"json", HL_RENDER_JSON},         {"html", HL_RENDER_HTML},
    };
    if (text == NULL || out == NULL)
        return HL_EINVAL;
    for (size_t index = 0; index < HL_COUNT_OF(names); index++) {
        if (strcmp(text, names[index].name) == 0) {
            *out = names[index].format;
            return HL_OK;
        }
    }
    return HL_EINVAL;
}

int hl_render_bulletin(const hl_assessment *assessment, const hl_bulletin_meta *meta,
                       hl_render_format format, hl_buf *out, hl_error *error)
{
    hl_bulletin_period period;
    int result = hl_bulletin_check(assessment, meta, out, &period, error);
    if (result != HL_OK)
        return result;
    if (format == HL_RENDER_CSV) {
        hl_render_csv(assessment, out);
        return HL_OK;
    }
    hl_bulletin_model model;
    hl_bulletin_model_build(assessment, meta, &period, &model);
    switch (format) {
    case HL_RENDER_TEXT: hl_render_text(&model, meta, out); break;
    case HL_RENDER_MARKDOWN: hl_render_markdown(&model, meta, out); break;
    case HL_RENDER_JSON: hl_render_json(assessment, meta, &model, out); break;
    case HL_RENDER_HTML: hl_render_html(&model, meta, out); break;
    case HL_RENDER_CSV: break;
    default:
        hl_bulletin_model_free(&model);
        return hl_error_set(error, HL_EINVAL, "format",
                            HL_T("未知的通报格式 %d", "unknown bulletin format %d"), (int)format);
    }
    hl_bulletin_model_free(&model);
    return HL_OK;
}
