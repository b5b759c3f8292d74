/* civil.h: the proleptic Gregorian calendar on day numbers (days since
 * 1970-01-01), written once for base/clock and base/zone, which uses no
 * other part of base/clock. It knows nothing of zones or instants. */
#ifndef HL_CIVIL_H
#define HL_CIVIL_H

#include <stdint.h>

/* The day number of a date (month 1..12, day 1..31). */
int64_t hl_civil_days_from(int64_t year, int month, int day);
/* The date of a day number. */
void hl_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

#endif
