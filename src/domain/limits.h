/* limits.h: the sizes of fields and the time limits of handling.
 *
 * Field sizes bound every stored text (in characters, and the byte capacity
 * that holds that many characters of UTF-8). Time limits are configuration:
 * defaults below, overridden per installation (config table) and per
 * category (hl_category.handle_days). */
#ifndef HL_LIMITS_H
#define HL_LIMITS_H

#include <stdbool.h>

#include "base/error.h"

/* Characters allowed, and bytes reserved (4 bytes per character + NUL). */
#define HL_CODE_CHARS 32
#define HL_CODE_BYTES (HL_CODE_CHARS + 1) /* codes are ASCII */
#define HL_NAME_CHARS 64
#define HL_NAME_BYTES (HL_NAME_CHARS * 4 + 1)
#define HL_PHONE_CHARS 24
#define HL_PHONE_BYTES (HL_PHONE_CHARS + 1)
#define HL_ADDRESS_CHARS 200
#define HL_ADDRESS_BYTES (HL_ADDRESS_CHARS * 4 + 1)
#define HL_TITLE_CHARS 100
#define HL_TITLE_BYTES (HL_TITLE_CHARS * 4 + 1)
/* Open311 allows 4000 characters of description; so do we for content and reply. */
#define HL_CONTENT_CHARS 4000
#define HL_CONTENT_BYTES (HL_CONTENT_CHARS * 4 + 1)
#define HL_REASON_CHARS 500
#define HL_REASON_BYTES (HL_REASON_CHARS * 4 + 1)
#define HL_CO_UNITS_MAX 8
#define HL_CO_UNITS_BYTES (HL_CO_UNITS_MAX * HL_CODE_BYTES)
#define HL_DETAILS_BYTES 1024

/* Order types, in the order of hl_order_type (domain/order.h). */
#define HL_ORDER_TYPE_COUNT 6

typedef struct hl_limits {
    int sign_days;   /* working days from dispatch to sign for (default 1) */
    int return_days; /* working days from dispatch within which a unit may return (2) */
    int handle_days[HL_ORDER_TYPE_COUNT]; /* working days from dispatch to complete, by type */
    int extension_max_days;  /* one extension moves the deadline at most this far (10) */
    int extension_max_count; /* extensions allowed per order (1) */
    int due_soon_days;       /* "about to be overdue": due within this many working days (1) */
    int survey_max_attempts; /* unanswered calls after which a survey fails (3) */
    int appeal_days;         /* working days after the survey (or completion) to appeal (5) */
    int reopen_dissatisfied; /* 1: a dissatisfied survey reopens the order (重办) (1) */
} hl_limits;

/* The defaults real hotlines use: sign 1, return 2, handle 5 (inquiry and
 * help 3, complaint and report 13), one extension of at most 10. */
void hl_limits_default(hl_limits *limits);

/* Sets one limit by its configuration key: sign_days, return_days,
 * handle_days.<type> (inquiry, help, complaint, report, suggestion, praise),
 * extension_max_days, extension_max_count, due_soon_days, survey_max_attempts,
 * appeal_days, reopen_dissatisfied. Values are whole
 * numbers: day counts (sign, return, handle, extension_max_days) 1 to 60,
 * extension_max_count 0 to 10, due_soon_days 0 to 60, survey_max_attempts 1 to
 * 10, appeal_days 1 to 60, reopen_dissatisfied 0 or 1. */
int hl_limits_set(hl_limits *limits, const char *key, const char *value, hl_error *error);

/* Calls visit for every key with its current value, in a fixed order (the
 * order of the keys listed above). */
void hl_limits_each(const hl_limits *limits,
                    void (*visit)(void *context, const char *key, int value), void *context);

#endif
