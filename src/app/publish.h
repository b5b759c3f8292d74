/* publish.h: publishing a month's bulletin, and reading it back as
 * published (docs/security.md, "Published bulletins").
 *
 * A bulletin is computed live from the rollups (app/report), so that one
 * more survey of the month changes it. Publishing makes it an act: an
 * analyst publishes a month, and what its bulletin is computed from (each
 * unit's counters of the month and of the month before, names and
 * groups, the ranking policy, the heading texts, the exclusions by
 * appeal) is frozen in the append-only published_bulletins, with the
 * head of the event chain it was read at (the same snapshot), who
 * published and when, the headline figures, and a digest over all of it.
 * The published bulletin is recomputed from those frozen inputs by the
 * same pure functions (domain/assessment), so it reads the same in every
 * format, always. A month is published once; a later edition only when
 * asked for, with a note saying why; every publication, and every refusal,
 * is a security event ("bulletin.publish").
 *
 * Reading a published month gives the published figures, and the current
 * ones computed with the published policy: where they differ (a late
 * survey, an upheld appeal), the difference is shown as a correction. */
#ifndef HL_PUBLISH_H
#define HL_PUBLISH_H

#include <stdbool.h>

#include "app/app.h"
#include "app/report.h"
#include "domain/assessment.h"
#include "report/render.h"
#include "store/store.h"

/* Publishes month (yyyymm) as the user named actor, from address (the client's;
 * NULL for the command line). new_edition false: the first edition, and
 * HL_ECONFLICT when the month has been published; true: the next edition,
 * with note saying why (HL_EINVAL, field "note", when empty). HL_EROLE
 * when the actor is not an analyst; HL_ENOTFOUND when the month has no
 * survey result. On success *out (may be NULL) receives the record,
 * document NULL. Records the security event either way. */
int hl_publish_month(hl_app *app, const char *actor, const char *address, int month,
                     bool new_edition, const char *note, hl_publication *out, hl_error *error);

/* A published month as read back: the latest edition's record (document
 * NULL), how many editions there are, the published assessment (from the
 * frozen inputs) and the current one (today's inputs, the published
 * policy; all zero when no survey result is left). */
typedef struct hl_publish_view {
    hl_publication record;
    int editions;
    hl_report_inputs inputs; /* the frozen inputs; meta is the published heading */
    hl_assessment published;
    hl_assessment current;
} hl_publish_view;

/* Reads month's latest edition. HL_ENOTFOUND when the month is not
 * published; HL_EIO when its frozen document cannot be read back. The
 * caller frees *out with hl_publish_view_free (also after a failure). */
int hl_publish_view_open(hl_app *app, int month, hl_publish_view *out, hl_error *error);
void hl_publish_view_free(hl_publish_view *view);

/* Fills what report/ lays out from view; at (40 bytes) receives the
 * publication's time as shown (ISO 8601 with its offset). */
void hl_publish_view_describe(const hl_publish_view *view, hl_render_publication *out, char *at);

/* Whether the current figures differ from the published ones in any
 * total or any unit's counts or rank. */
bool hl_publish_view_corrected(const hl_publish_view *view);

/* For verify: each published edition's recorded event chain head, and
 * problems found in the record itself (a digest that does not match its
 * fields, headline figures the frozen inputs do not give), one line each
 * through report. Runs inside the caller's read transaction. The caller
 * frees *marks. */
typedef struct hl_publish_mark {
    int month, edition;
    hl_chain_head chain;
} hl_publish_mark;
typedef void (*hl_publish_problem_visitor)(void *context, const char *line);
int hl_publish_check(hl_app *app, hl_publish_problem_visitor report, void *context,
                     hl_publish_mark **marks, size_t *count, hl_error *error);

#endif
