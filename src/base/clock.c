/* clock.c: civil-date arithmetic and parsing of dates and instants.
 *
 * The day/civil conversion is base/civil's proleptic Gregorian algorithm
 * on day numbers, so it behaves the same on every machine; the local
 * zone's offsets come from base/zone. It knows nothing of holidays: see
 * domain/calendar. */
#include "base/clock.h"
#include "base/array.h"
#include "base/civil.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The zone is swapped whole, as a pointer to an immutable zone, so the
 * many readers (every formatted time) take no lock. */
static _Atomic(const hl_zone *) local_zone;

static const hl_zone *zone(void)
{
    const hl_zone *current = atomic_load_explicit(&local_zone, memory_order_acquire);
    return current != NULL ? current : hl_zone_builtin_default();
}

void hl_clock_set_zone(const hl_zone *zone)
{
    atomic_store_explicit(&local_zone, zone, memory_order_release);
}

const hl_zone *hl_clock_zone(void)
{
    return zone();
}

void hl_clock_set_offset_minutes(int minutes)
{
    hl_clock_set_zone(hl_zone_fixed(minutes * 60));
}

int32_t hl_clock_offset_at(hl_time instant)
{
    return hl_zone_offset_at(zone(), instant);
}

hl_time hl_clock_now(void)
{
    const char *fixed = getenv("HOTLINE_NOW");
    hl_time parsed;
    if (fixed != NULL && fixed[0] != '\0' &&
        hl_clock_parse_time(hl_slice_of(fixed), &parsed) == HL_OK)
        return parsed;
    return (hl_time)time(NULL);
}

int32_t hl_clock_day_from_civil(int year, int month, int day)
{
    return (int32_t)hl_civil_days_from(year, month, day);
}

void hl_clock_civil_from_day(int32_t day_number, int *year, int *month, int *day)
{
    int64_t full_year;
    hl_civil_from_days(day_number, &full_year, month, day);
    *year = (int)full_year;
}

int hl_clock_weekday(int32_t day_number)
{
    /* 1970-01-01 was a Thursday (index 3 with Monday = 0). */
    int remainder = (int)((day_number + 3) % 7);
    return remainder < 0 ? remainder + 7 : remainder;
}

static int64_t floor_divide(int64_t numerator, int64_t denominator)
{
    int64_t quotient = numerator / denominator;
    if ((numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)))
        quotient--;
    return quotient;
}

int32_t hl_clock_day_of(hl_time instant)
{
    return (int32_t)floor_divide(instant + hl_clock_offset_at(instant), HL_SECONDS_PER_DAY);
}

hl_time hl_clock_start_of_day(int32_t day_number)
{
    return hl_zone_instant_of(zone(), (hl_time)day_number * HL_SECONDS_PER_DAY);
}

int hl_clock_month_of(hl_time instant)
{
    int year, month, day;
    hl_clock_civil_from_day(hl_clock_day_of(instant), &year, &month, &day);
    return year * 100 + month;
}

static int days_in_month(int year, int month)
{
    static const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : lengths[month - 1];
}

/* Reads exactly count digits at text[*position]. */
static bool read_digits(hl_slice text, size_t *position, int count, int *value)
{
    if (*position + (size_t)count > text.len)
        return false;
    int result = 0;
    for (int index = 0; index < count; index++) {
        char character = text.ptr[*position + (size_t)index];
        if (character < '0' || character > '9')
            return false;
        result = result * 10 + (character - '0');
    }
    *position += (size_t)count;
    *value = result;
    return true;
}

static bool read_char(hl_slice text, size_t *position, char expected)
{
    if (*position < text.len && text.ptr[*position] == expected) {
        (*position)++;
        return true;
    }
    return false;
}

static bool read_date(hl_slice text, size_t *position, int *year, int *month, int *day)
{
    if (!read_digits(text, position, 4, year) || !read_char(text, position, '-') ||
        !read_digits(text, position, 2, month) || !read_char(text, position, '-') ||
        !read_digits(text, position, 2, day))
        return false;
    return *year >= 1900 && *year <= 9999 && *month >= 1 && *month <= 12 && *day >= 1 &&
           *day <= days_in_month(*year, *month);
}

int hl_clock_parse_day(hl_slice text, int32_t *out)
{
    size_t position = 0;
    int year, month, day;
    text = hl_slice_trim(text);
    if (!read_date(text, &position, &year, &month, &day) || position != text.len)
        return HL_EINVAL;
    *out = hl_clock_day_from_civil(year, month, day);
    return HL_OK;
}

int hl_clock_parse_month(hl_slice text, int *out)
{
    size_t position = 0;
    int year, month;
    text = hl_slice_trim(text);
    if (!read_digits(text, &position, 4, &year) || !read_char(text, &position, '-') ||
        !read_digits(text, &position, 2, &month) || position != text.len || year < 1900 ||
        month < 1 || month > 12)
        return HL_EINVAL;
    *out = year * 100 + month;
    return HL_OK;
}

/* Reads a zone offset "+HH:MM" or "-HH:MM" at *position (the colon only
 * optional where colon_optional) as signed minutes east of UTC. */
static bool read_zone_offset(hl_slice text, size_t *position, bool colon_optional, int *minutes)
{
    if (*position >= text.len || (text.ptr[*position] != '+' && text.ptr[*position] != '-'))
        return false;
    int sign = text.ptr[*position] == '-' ? -1 : 1;
    int zone_hours, zone_rest;
    (*position)++;
    if (!read_digits(text, position, 2, &zone_hours) ||
        (!read_char(text, position, ':') && !colon_optional) ||
        !read_digits(text, position, 2, &zone_rest) || zone_hours > 14 || zone_rest > 59)
        return false;
    *minutes = sign * (zone_hours * 60 + zone_rest);
    return true;
}

/* Seconds since the epoch of a civil date and time read as UTC. */
static int64_t civil_seconds(int year, int month, int day, int hour, int minute, int second)
{
    return (int64_t)hl_clock_day_from_civil(year, month, day) * HL_SECONDS_PER_DAY + hour * 3600 +
           minute * 60 + second;
}

int hl_clock_parse_time(hl_slice text, hl_time *out)
{
    size_t position = 0;
    int year, month, day, hour = 0, minute = 0, second = 0;
    text = hl_slice_trim(text);
    if (!read_date(text, &position, &year, &month, &day))
        return HL_EINVAL;
    bool local = true;
    int zone_minutes = 0;
    if (position < text.len) {
        if (!read_char(text, &position, ' ') && !read_char(text, &position, 'T'))
            return HL_EINVAL;
        if (!read_digits(text, &position, 2, &hour) || !read_char(text, &position, ':') ||
            !read_digits(text, &position, 2, &minute))
            return HL_EINVAL;
        if (read_char(text, &position, ':') && !read_digits(text, &position, 2, &second))
            return HL_EINVAL;
        if (hour > 23 || minute > 59 || second > 59)
            return HL_EINVAL;
        if (read_char(text, &position, 'Z')) {
            local = false;
        } else if (position < text.len &&
                   (text.ptr[position] == '+' || text.ptr[position] == '-')) {
            local = false;
            if (!read_zone_offset(text, &position, true, &zone_minutes))
                return HL_EINVAL;
        }
    }
    if (position != text.len)
        return HL_EINVAL;
    int64_t seconds = civil_seconds(year, month, day, hour, minute, second);
    *out = local ? hl_zone_instant_of(zone(), seconds) : seconds - (int64_t)zone_minutes * 60;
    return HL_OK;
}

int hl_clock_parse_w3c(hl_slice text, hl_time *out)
{
    size_t position = 0;
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!read_date(text, &position, &year, &month, &day))
        return HL_EINVAL;
    if (position == text.len) {
        *out = hl_clock_start_of_day(hl_clock_day_from_civil(year, month, day));
        return HL_OK;
    }
    if (!read_char(text, &position, 'T') || !read_digits(text, &position, 2, &hour) ||
        !read_char(text, &position, ':') || !read_digits(text, &position, 2, &minute))
        return HL_EINVAL;
    if (read_char(text, &position, ':')) {
        if (!read_digits(text, &position, 2, &second))
            return HL_EINVAL;
        if (read_char(text, &position, '.')) {
            /* Fractions of a second: at least one digit, then dropped. */
            size_t digits = position;
            while (position < text.len && text.ptr[position] >= '0' && text.ptr[position] <= '9')
                position++;
            if (position == digits)
                return HL_EINVAL;
        }
    }
    if (hour > 23 || minute > 59 || second > 59)
        return HL_EINVAL;
    int zone_minutes = 0;
    if (!read_char(text, &position, 'Z') &&
        !read_zone_offset(text, &position, false, &zone_minutes))
        return HL_EINVAL;
    if (position != text.len)
        return HL_EINVAL;
    *out = civil_seconds(year, month, day, hour, minute, second) - (int64_t)zone_minutes * 60;
    return HL_OK;
}

void hl_clock_format_day(int32_t day_number, char *out, size_t size)
{
    int year, month, day;
    hl_clock_civil_from_day(day_number, &year, &month, &day);
    snprintf(out, size, "%04d-%02d-%02d", year, month, day);
}

/* Splits the wall time that instant + offset (seconds) shows. */
static void split_local(hl_time instant, int32_t offset, int *year, int *month, int *day, int *hour,
                        int *minute, int *second)
{
    int64_t local = instant + offset;
    int32_t day_number = (int32_t)floor_divide(local, HL_SECONDS_PER_DAY);
    int64_t in_day = local - (int64_t)day_number * HL_SECONDS_PER_DAY;
    hl_clock_civil_from_day(day_number, year, month, day);
    *hour = (int)(in_day / 3600);
    *minute = (int)(in_day / 60 % 60);
    *second = (int)(in_day % 60);
}

void hl_clock_format_local(hl_time instant, char *out, size_t size)
{
    int year, month, day, hour, minute, second;
    split_local(instant, hl_clock_offset_at(instant), &year, &month, &day, &hour, &minute, &second);
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second);
}

void hl_clock_format_iso(hl_time instant, char *out, size_t size)
{
    int year, month, day, hour, minute, second;
    /* ISO 8601 offsets have whole minutes; the few zones' local mean times
     * of the 19th century with seconds are cut to the minute, with the
     * wall time to match, so that the text still names the instant. */
    int offset_minutes = hl_clock_offset_at(instant) / 60;
    split_local(instant, offset_minutes * 60, &year, &month, &day, &hour, &minute, &second);
    int magnitude = abs(offset_minutes);
    if (year < 0 || year > 9999 || magnitude >= 100 * 60 || size < 26) {
        snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, month, day, hour,
                 minute, second, offset_minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
        return;
    }
    /* The usual case by hand: the server writes some ten instants per
     * order it answers, and snprintf was a visible share of that. */
    const int fields[] = {year / 100, year % 100, month,          day,           hour,
                          minute,     second,     magnitude / 60, magnitude % 60};
    const char separators[] = {'\0', '-', '-', 'T', ':', ':', offset_minutes < 0 ? '-' : '+', ':'};
    size_t position = 0;
    for (size_t index = 0; index < HL_COUNT_OF(fields); index++) {
        if (index > 0 && separators[index - 1] != '\0')
            out[position++] = separators[index - 1];
        out[position++] = (char)('0' + fields[index] / 10);
        out[position++] = (char)('0' + fields[index] % 10);
    }
    out[position] = '\0';
}
