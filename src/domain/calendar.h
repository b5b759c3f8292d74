/* calendar.h: the working-day calendar and deadlines counted in working days.
 *
 * Monday to Friday are working days and weekends rest days, except for the
 * dates listed in the calendar: `off` (public holiday or day off in lieu)
 * and `work` (a weekend day made a working day). The list is loaded from the
 * State Council's yearly notice as CSV (date,kind,festival).
 *
 * Deadline rule: counting starts on the day after the start instant; a limit
 * of N working days ends at 23:59:59 local time on the Nth working day. An
 * order dispatched on Friday 2024-02-09 with 5 working days is due at
 * 2024-02-22 23:59:59 (10-17 February are the Spring Festival, 18 February
 * is a working Sunday). */
#ifndef HL_CALENDAR_H
#define HL_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/error.h"

typedef enum hl_day_kind { HL_DAY_OFF = 0, HL_DAY_WORK = 1 } hl_day_kind;

typedef struct hl_calendar_entry {
    int32_t day; /* day number (base/clock.h) */
    hl_day_kind kind;
    char festival[64]; /* e.g. 春节; may be empty */
} hl_calendar_entry;

typedef struct hl_calendar {
    hl_calendar_entry *entries; /* sorted by day, unique; owned */
    size_t count;
    size_t capacity;
} hl_calendar;

void hl_calendar_init(hl_calendar *calendar);
/* Frees the entries the calendar owns. */
void hl_calendar_free(hl_calendar *calendar);

/* Adds or replaces the exception for one day (keeps entries sorted). */
void hl_calendar_set(hl_calendar *calendar, int32_t day, hl_day_kind kind, const char *festival);

/* Parses CSV text with header `date,kind,festival` and adds every row.
 * On a bad row returns HL_EINVAL with a message naming its line, and adds
 * nothing from the text. */
int hl_calendar_parse_csv(hl_calendar *calendar, const char *text, size_t length, hl_error *error);

bool hl_calendar_is_working_day(const hl_calendar *calendar, int32_t day);

/* The Nth working day after `day` (N >= 1). For N = 0, `day` itself. */
int32_t hl_calendar_add_working_days(const hl_calendar *calendar, int32_t day, int count);

/* The deadline of a limit of `working_days` starting at `start` (see rule above). */
hl_time hl_calendar_deadline(const hl_calendar *calendar, hl_time start, int working_days);

/* Working days strictly after from_day up to and including to_day; negative
 * when to_day is before from_day (the count from to_day to from_day, negated). */
int hl_calendar_working_days_between(const hl_calendar *calendar, int32_t from_day, int32_t to_day);

/* The first and last year that has any listed exception (0 when empty). */
void hl_calendar_years(const hl_calendar *calendar, int *first_year, int *last_year);

#endif
