/* limits.c: the handling time limits and their configuration keys.
 *
 * One table names every limit, where it lives in hl_limits and which values
 * it accepts, so that setting, listing and checking cannot disagree. This
 * module does not read or store configuration (store/ does) and does not
 * apply per-category overrides (the workflow does). */
#include "domain/limits.h"

#include <stddef.h>
#include <string.h>

#include "base/array.h"
#include "base/fields.h"
#include "base/i18n.h"
#include "base/text.h"

/* Day counts stop at 60 working days (about three months), beyond any
 * limit a hotline sets; a count of zero days would make orders overdue
 * the moment they are dispatched. The handle_days keys follow the order
 * of hl_order_type in domain/order.h. */
static const hl_int_field limit_keys[] = {
    {"sign_days", offsetof(hl_limits, sign_days), 1, 60},
    {"return_days", offsetof(hl_limits, return_days), 1, 60},
    {"handle_days.inquiry", offsetof(hl_limits, handle_days[0]), 1, 60},
    {"handle_days.help", offsetof(hl_limits, handle_days[1]), 1, 60},
    {"handle_days.complaint", offsetof(hl_limits, handle_days[2]), 1, 60},
    {"handle_days.report", offsetof(hl_limits, handle_days[3]), 1, 60},
    {"handle_days.suggestion", offsetof(hl_limits, handle_days[4]), 1, 60},
    {"handle_days.praise", offsetof(hl_limits, handle_days[5]), 1, 60},
    {"extension_max_days", offsetof(hl_limits, extension_max_days), 1, 60},
    {"extension_max_count", offsetof(hl_limits, extension_max_count), 0, 10},
    {"due_soon_days", offsetof(hl_limits, due_soon_days), 0, 60},
    {"survey_max_attempts", offsetof(hl_limits, survey_max_attempts), 1, 10},
    {"appeal_days", offsetof(hl_limits, appeal_days), 1, 60},
    {"reopen_dissatisfied", offsetof(hl_limits, reopen_dissatisfied), 0, 1},
};

#define LIMIT_KEY_COUNT HL_COUNT_OF(limit_keys)

_Static_assert(HL_ORDER_TYPE_COUNT == 6, "limit_keys names six handle_days entries");

void hl_limits_default(hl_limits *limits)
{
    limits->sign_days = 1;
    limits->return_days = 2;
    limits->handle_days[0] = 3;  /* inquiry */
    limits->handle_days[1] = 3;  /* help */
    limits->handle_days[2] = 13; /* complaint */
    limits->handle_days[3] = 13; /* report */
    limits->handle_days[4] = 5;  /* suggestion */
    limits->handle_days[5] = 5;  /* praise */
    limits->extension_max_days = 10;
    limits->extension_max_count = 1;
    limits->due_soon_days = 1;
    limits->survey_max_attempts = 3;
    limits->appeal_days = 5;
    limits->reopen_dissatisfied = 1;
}

int hl_limits_set(hl_limits *limits, const char *key, const char *value, hl_error *error)
{
    const hl_int_field *found = hl_int_field_find(limit_keys, LIMIT_KEY_COUNT, key);
    if (found == NULL) {
        /* The list of valid keys in the message tells the user what to type;
         * the echo is cut short so a pasted paragraph does not fill it. */
        const char *shown = key != NULL ? key : "";
        return hl_error_set(
            error, HL_EINVAL, "key",
            HL_T("未知的时限配置项“%.64s”（sign_days、return_days、"
                 "handle_days.<类型>、extension_max_days、extension_max_count、"
                 "due_soon_days、survey_max_attempts、appeal_days、reopen_dissatisfied）",
                 "unknown limit \"%.64s\" (sign_days, return_days, "
                 "handle_days.<type>, extension_max_days, extension_max_count, "
                 "due_soon_days, survey_max_attempts, appeal_days, reopen_dissatisfied)"),
            shown);
    }
    return hl_int_field_set(limits, found, value, error);
}

void hl_limits_each(const hl_limits *limits,
                    void (*visit)(void *context, const char *key, int value), void *context)
{
    for (size_t index = 0; index < LIMIT_KEY_COUNT; index++)
        visit(context, limit_keys[index].name, hl_int_field_get(limits, &limit_keys[index]));
}
