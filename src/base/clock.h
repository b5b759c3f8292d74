/* clock.h: instants, calendar days and the local zone.
 *
 * An instant (hl_time) is seconds since 1970-01-01T00:00:00Z. A day is the
 * number of days since 1970-01-01 in the hotline's local zone: the store's
 * time_zone setting (base/zone: an IANA zone with its daylight saving;
 * Asia/Shanghai by default), which app/ makes the process's zone when it
 * loads the store's settings. Every conversion between an instant and a
 * local day, hour or text goes through this zone. Working-day arithmetic
 * lives in domain/calendar. */
#ifndef HL_CLOCK_H
#define HL_CLOCK_H

#include <stdint.h>

#include "base/error.h"
#include "base/text.h"
#include "base/zone.h"

typedef int64_t hl_time;

#define HL_SECONDS_PER_DAY 86400

/* The local zone: one per process, as a process serves one store. The
 * zone must live until the process ends (hl_zone_get's and hl_zone_fixed's
 * do); setting it is atomic, so threads converting meanwhile see the old
 * zone or the new, never a mixture. Before any is set, the built-in
 * stand-in for Asia/Shanghai (hl_zone_builtin_default). */
void hl_clock_set_zone(const hl_zone *zone);
const hl_zone *hl_clock_zone(void);
/* A fixed offset from UTC in minutes, without daylight saving (tests). */
void hl_clock_set_offset_minutes(int minutes);
/* The local zone's offset from UTC at an instant, in seconds east. */
int32_t hl_clock_offset_at(hl_time instant);

/* Now, from the system clock, unless HOTLINE_NOW holds an instant in any
 * format hl_clock_parse_time accepts (used by tests and to replay history). */
hl_time hl_clock_now(void);

int32_t hl_clock_day_from_civil(int year, int month, int day);
void hl_clock_civil_from_day(int32_t day_number, int *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday. */
int hl_clock_weekday(int32_t day_number);
/* The local day an instant falls on, and the instant a local day begins
 * (its first instant: 01:00 on a day whose midnight the zone skips). */
int32_t hl_clock_day_of(hl_time instant);
hl_time hl_clock_start_of_day(int32_t day_number);
/* The month of an instant, as yyyymm (202402). */
int hl_clock_month_of(hl_time instant);

/* Parses YYYY-MM-DD into a day number. */
int hl_clock_parse_day(hl_slice text, int32_t *out);
/* Parses YYYY-MM-DD (start of day), YYYY-MM-DD HH:MM[:SS] (local zone) or
 * YYYY-MM-DDTHH:MM[:SS] with Z or ±HH:MM (kept exactly, to the second). A
 * local time the zone has twice is the first; one it skips is moved
 * forward by the gap (hl_zone_instant_of). */
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
/* "2024-02-22T23:59:59+08:00" (W3C / ISO 8601 with the zone's offset at
 * that instant: "2024-03-11T23:59:59-07:00" in Los Angeles in summer). */
void hl_clock_format_iso(hl_time instant, char *out, size_t size);

#endif
