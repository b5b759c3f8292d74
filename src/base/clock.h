/* clock.h: instants, calendar days and the local zone.
 *
 * An instant (hl_time) is seconds since 1970-01-01T00:00:00Z. A day is the
 * number of days since 1970-01-01 in the hotline's local zone, which is a
 * fixed UTC offset (China Standard Time, +08:00, by default; no daylight
 * saving, as in China). Working-day arithmetic lives in domain/calendar. */
#ifndef HL_CLOCK_H
#define HL_CLOCK_H

#include <stdint.h>

#include "base/error.h"
#include "base/text.h"

typedef int64_t hl_time;

#define HL_SECONDS_PER_DAY 86400

/* The local zone's offset from UTC in minutes (default +480). */
void hl_clock_set_offset_minutes(int minutes);
int hl_clock_offset_minutes(void);

/* Now, from the system clock, unless HOTLINE_NOW holds an instant in any
 * format hl_clock_parse_time accepts (used by tests and to replay history). */
hl_time hl_clock_now(void);

int32_t hl_clock_day_from_civil(int year, int month, int day);
void hl_clock_civil_from_day(int32_t day_number, int *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday. */
int hl_clock_weekday(int32_t day_number);
/* The local day an instant falls on, and the instant a local day begins. */
int32_t hl_clock_day_of(hl_time instant);
hl_time hl_clock_start_of_day(int32_t day_number);
/* The month of an instant, as yyyymm (202402). */
int hl_clock_month_of(hl_time instant);

/* Parses YYYY-MM-DD into a day number. */
int hl_clock_parse_day(hl_slice text, int32_t *out);
/* Parses YYYY-MM-DD (start of day), YYYY-MM-DD HH:MM[:SS] (local zone) or
 * YYYY-MM-DDTHH:MM[:SS] with Z or ±HH:MM. */
int hl_clock_parse_time(hl_slice text, hl_time *out);
/* Parses the W3C profile of ISO 8601 that Open311 requires, strictly: a
 * date YYYY-MM-DD (the start of that day in the local zone) or a date and
 * time YYYY-MM-DDThh:mm[:ss[.s...]] with its zone, Z or ±hh:mm (fractions
 * of a second are dropped). No spaces, no time without a zone. */
int hl_clock_parse_w3c(hl_slice text, hl_time *out);
/* Parses YYYY-MM into yyyymm. */
int hl_clock_parse_month(hl_slice text, int *out);

/* Formats into buffers of at least 32 bytes. */
void hl_clock_format_day(int32_t day_number, char *out, size_t size);
/* "2024-02-22 23:59:59" in the local zone. */
void hl_clock_format_local(hl_time instant, char *out, size_t size);
/* "2024-02-22T23:59:59+08:00" (W3C / ISO 8601 with the zone). */
void hl_clock_format_iso(hl_time instant, char *out, size_t size);

#endif
