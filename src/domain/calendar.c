/* calendar.c: the working-day calendar and deadlines in working days.
 *
 * The calendar stores only the exceptions to "Monday to Friday work", sorted
 * by day, so a lookup is a binary search over a hundred or so entries and a
 * walk over consecutive days moves a cursor through the list instead of
 * searching again. It parses the State Council's notice as CSV, all or
 * nothing. It does not know which limits apply to which order (domain/limits)
 * nor store the calendar (store/). */
#include "domain/calendar.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/contract.h"
#include "base/csv.h"
#include "base/i18n.h"
#include "base/text.h"

#define FESTIVAL_BYTES ((size_t)sizeof(((hl_calendar_entry *)0)->festival))
/* How much of a bad value an error message quotes back. */
#define EXCERPT_BYTES 40

void hl_calendar_init(hl_calendar *calendar)
{
    *calendar = (hl_calendar){NULL, 0, 0};
}

void hl_calendar_free(hl_calendar *calendar)
{
    free(calendar->entries);
    hl_calendar_init(calendar);
}

/* The index of the first entry whose day is not before `day` (count when none). */
static size_t lower_bound(const hl_calendar *calendar, int32_t day)
{
    size_t low = 0, high = calendar->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (calendar->entries[middle].day < day)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* Copies a festival name, cutting at a character boundary when it is too
 * long, so that a programmatic caller cannot overflow or split a character. */
static void copy_festival(char *destination, const char *festival)
{
    size_t length = festival != NULL ? strlen(festival) : 0;
    if (length > FESTIVAL_BYTES - 1) {
        length = FESTIVAL_BYTES - 1;
        while (length > 0 && ((unsigned char)festival[length] & 0xC0) == 0x80)
            length--;
    }
    if (length > 0)
        memcpy(destination, festival, length);
    destination[length] = '\0';
}

static void reserve_entries(hl_calendar *calendar, size_t needed)
{
    HL_ARRAY_RESERVE(calendar->entries, calendar->capacity, needed);
}

void hl_calendar_set(hl_calendar *calendar, int32_t day, hl_day_kind kind, const char *festival)
{
    HL_REQUIRE(kind == HL_DAY_OFF || kind == HL_DAY_WORK);
    size_t index = lower_bound(calendar, day);
    if (index == calendar->count || calendar->entries[index].day != day) {
        reserve_entries(calendar, calendar->count + 1);
        memmove(&calendar->entries[index + 1], &calendar->entries[index],
                (calendar->count - index) * sizeof *calendar->entries);
        calendar->count++;
    }
    hl_calendar_entry *entry = &calendar->entries[index];
    entry->day = day;
    entry->kind = kind;
    copy_festival(entry->festival, festival);
}

/* The weekday rule alone, before the listed exceptions. */
static bool is_weekday(int32_t day)
{
    return hl_clock_weekday(day) < 5;
}

bool hl_calendar_is_working_day(const hl_calendar *calendar, int32_t day)
{
    size_t index = lower_bound(calendar, day);
    if (index < calendar->count && calendar->entries[index].day == day)
        return calendar->entries[index].kind == HL_DAY_WORK;
    return is_weekday(day);
}

int32_t hl_calendar_add_working_days(const hl_calendar *calendar, int32_t day, int count)
{
    /* A negative count walks backwards, which a caller undoing an extension
     * may want; the header documents only N >= 0. */
    /* The walk counts -count days when going backwards, so -count must be
     * an int. */
    HL_REQUIRE(count > INT_MIN);
    int step = count < 0 ? -1 : 1;
    int remaining = count < 0 ? -count : count;
    /* The cursor is the entry the walk will meet next (walking backwards,
     * one past it), so each day costs a comparison rather than a search. */
    size_t cursor = lower_bound(calendar, step > 0 ? day + 1 : day);
    while (remaining > 0) {
        day += step;
        bool working = is_weekday(day);
        if (step > 0) {
            if (cursor < calendar->count && calendar->entries[cursor].day == day)
                working = calendar->entries[cursor++].kind == HL_DAY_WORK;
        } else {
            if (cursor > 0 && calendar->entries[cursor - 1].day == day)
                working = calendar->entries[--cursor].kind == HL_DAY_WORK;
        }
        if (working)
            remaining--;
    }
    return day;
}

hl_time hl_calendar_deadline(const hl_calendar *calendar, hl_time start, int working_days)
{
    int32_t due_day = hl_calendar_add_working_days(calendar, hl_clock_day_of(start), working_days);
    /* 23:59:59 local time on the due day is one second before the next day begins. */
    return hl_clock_start_of_day(due_day + 1) - 1;
}

/* Monday-to-Friday days in the days after `day` up to and including `day + span`. */
static int64_t weekdays_in_span(int32_t day, int64_t span)
{
    int64_t full_weeks = span / 7;
    int64_t count = full_weeks * 5;
    int rest = (int)(span % 7);
    int weekday = hl_clock_weekday(day);
    for (int offset = 1; offset <= rest; offset++)
        if ((weekday + offset) % 7 < 5)
            count++;
    return count;
}

int hl_calendar_working_days_between(const hl_calendar *calendar, int32_t from_day, int32_t to_day)
{
    /* The count is returned as an int: a span of at most INT_MAX days. */
    HL_REQUIRE((int64_t)to_day - from_day <= INT_MAX && (int64_t)from_day - to_day <= INT_MAX);
    if (to_day < from_day)
        return -hl_calendar_working_days_between(calendar, to_day, from_day);
    /* Count by the weekday rule in constant time, then correct for each
     * listed exception in the range, so long ranges cost no more than short. */
    int64_t count = weekdays_in_span(from_day, (int64_t)to_day - from_day);
    for (size_t index = lower_bound(calendar, from_day + 1);
         index < calendar->count && calendar->entries[index].day <= to_day; index++) {
        const hl_calendar_entry *entry = &calendar->entries[index];
        bool by_rule = is_weekday(entry->day);
        bool listed = entry->kind == HL_DAY_WORK;
        count += (listed ? 1 : 0) - (by_rule ? 1 : 0);
    }
    return (int)count;
}

void hl_calendar_years(const hl_calendar *calendar, int *first_year, int *last_year)
{
    int month, day;
    *first_year = 0;
    *last_year = 0;
    if (calendar->count == 0)
        return;
    hl_clock_civil_from_day(calendar->entries[0].day, first_year, &month, &day);
    hl_clock_civil_from_day(calendar->entries[calendar->count - 1].day, last_year, &month, &day);
}

/* Parsing. */

/* A bad value is quoted back in the message only when it is short, valid
 * UTF-8 and free of control characters, so the message stays one clean line. */
static hl_slice printable_excerpt(hl_slice value)
{
    hl_slice empty = {"", 0};
    if (value.len > EXCERPT_BYTES || !hl_text_is_utf8(value.ptr, value.len))
        return empty;
    for (size_t index = 0; index < value.len; index++) {
        unsigned char character = (unsigned char)value.ptr[index];
        if (character < 0x20 || character == 0x7F)
            return empty;
    }
    return value;
}

static int fail_row(hl_error *error, long line, const char *field, const char *chinese,
                    const char *english)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("第 %ld 行：%s", "line %ld: %s"), line,
                        HL_T(chinese, english));
}

/* As fail_row, quoting the bad value back when it can be shown. */
static int fail_value(hl_error *error, long line, const char *field, const char *chinese,
                      const char *english, hl_slice value)
{
    hl_slice excerpt = printable_excerpt(value);
    if (excerpt.len == 0)
        return fail_row(error, line, field, chinese, english);
    return hl_error_set(error, HL_EINVAL, field,
                        HL_T("第 %ld 行：%s：“%.*s”", "line %ld: %s: \"%.*s\""), line,
                        HL_T(chinese, english), (int)excerpt.len, excerpt.ptr);
}

static int compare_entries(const void *left, const void *right)
{
    int32_t a = ((const hl_calendar_entry *)left)->day;
    int32_t b = ((const hl_calendar_entry *)right)->day;
    return (a > b) - (a < b);
}

static bool is_header(const hl_csv_reader *reader)
{
    static const char *const names[] = {"date", "kind", "festival"};
    if (reader->field_count != 3)
        return false;
    for (size_t index = 0; index < 3; index++)
        if (!hl_slice_equal(hl_slice_trim(reader->fields[index]), names[index]))
            return false;
    return true;
}

/* Reads one data row into entry, checking every column. */
static int parse_row(const hl_csv_reader *reader, hl_calendar_entry *entry, hl_error *error)
{
    long line = reader->line;
    if (reader->field_count != 3)
        return hl_error_set(error, HL_EINVAL, NULL,
                            HL_T("第 %ld 行：应有 3 列（date,kind,festival），实有 %zu 列",
                                 "line %ld: expected 3 columns (date,kind,festival), found %zu"),
                            line, reader->field_count);
    hl_slice date = reader->fields[0];
    if (hl_clock_parse_day(date, &entry->day) != HL_OK)
        return fail_value(error, line, "date", "日期无效，应为 YYYY-MM-DD",
                          "bad date, expected YYYY-MM-DD", date);
    hl_slice kind = hl_slice_trim(reader->fields[1]);
    if (hl_slice_equal(kind, "off"))
        entry->kind = HL_DAY_OFF;
    else if (hl_slice_equal(kind, "work"))
        entry->kind = HL_DAY_WORK;
    else
        return fail_value(error, line, "kind", "类型应为 off 或 work", "kind must be off or work",
                          kind);
    hl_slice festival = hl_slice_trim(reader->fields[2]);
    if (!hl_text_is_utf8(festival.ptr, festival.len))
        return fail_row(error, line, "festival", "节日名称不是有效的 UTF-8",
                        "festival is not valid UTF-8");
    if (festival.len > FESTIVAL_BYTES - 1)
        return fail_row(error, line, "festival", "节日名称超过 63 字节",
                        "festival longer than 63 bytes");
    for (size_t index = 0; index < festival.len; index++) {
        unsigned char character = (unsigned char)festival.ptr[index];
        if (character < 0x20 || character == 0x7F)
            return fail_row(error, line, "festival", "节日名称含控制字符",
                            "festival holds a control character");
    }
    memcpy(entry->festival, festival.ptr, festival.len);
    entry->festival[festival.len] = '\0';
    return HL_OK;
}

/* Merges sorted, unique additions into the calendar; an addition replaces an
 * existing entry for the same day, as hl_calendar_set would. */
static void merge_entries(hl_calendar *calendar, const hl_calendar_entry *additions, size_t count)
{
    size_t total = calendar->count + count;
    hl_calendar_entry *merged = hl_xmalloc((total > 0 ? total : 1) * sizeof *merged);
    size_t old_index = 0, new_index = 0, used = 0;
    while (old_index < calendar->count || new_index < count) {
        if (new_index == count || (old_index < calendar->count &&
                                   calendar->entries[old_index].day < additions[new_index].day)) {
            merged[used++] = calendar->entries[old_index++];
        } else {
            if (old_index < calendar->count &&
                calendar->entries[old_index].day == additions[new_index].day)
                old_index++;
            merged[used++] = additions[new_index++];
        }
    }
    free(calendar->entries);
    calendar->entries = merged;
    calendar->count = used;
    calendar->capacity = total > 0 ? total : 1;
}

int hl_calendar_parse_csv(hl_calendar *calendar, const char *text, size_t length, hl_error *error)
{
    hl_csv_reader reader;
    hl_csv_reader_init(&reader, text, length);
    hl_calendar_entry *rows = NULL;
    long *row_lines = NULL;
    size_t row_count = 0, row_capacity = 0, line_capacity = 0;
    int result = hl_csv_reader_next(&reader, error);
    if (result == 0 || (result == 1 && !is_header(&reader))) {
        long line = result == 1 ? reader.line : 1;
        result = hl_error_set(error, HL_EINVAL, NULL,
                              HL_T("第 %ld 行：应为表头 date,kind,festival",
                                   "line %ld: expected the header date,kind,festival"),
                              line);
    }
    while (result == 1) {
        result = hl_csv_reader_next(&reader, error);
        if (result != 1)
            break;
        HL_ARRAY_GROW(rows, row_count, row_capacity);
        HL_ARRAY_GROW(row_lines, row_count, line_capacity);
        result = parse_row(&reader, &rows[row_count], error);
        if (result == HL_OK) {
            row_lines[row_count] = reader.line;
            row_count++;
            result = 1;
        }
    }
    if (result == 0 && row_count > 1) {
        /* The rows are checked for repeated dates only once all are read:
         * sorting keeps equal days together, and a repeated date in one
         * notice is a mistake in the file, not a replacement. */
        hl_calendar_entry *sorted = hl_xmalloc(row_count * sizeof *sorted);
        memcpy(sorted, rows, row_count * sizeof *sorted);
        qsort(sorted, row_count, sizeof *sorted, compare_entries);
        for (size_t index = 1; index < row_count && result == 0; index++) {
            if (sorted[index].day != sorted[index - 1].day)
                continue;
            /* Name the later of the two lines, where a reader would look first. */
            long line = 0;
            for (size_t row = 0; row < row_count; row++)
                if (rows[row].day == sorted[index].day)
                    line = row_lines[row];
            char day_text[32];
            hl_clock_format_day(sorted[index].day, day_text, sizeof day_text);
            result = hl_error_set(error, HL_EINVAL, "date",
                                  HL_T("第 %ld 行：日期 %s 重复", "line %ld: date %s listed twice"),
                                  line, day_text);
        }
        if (result == 0) {
            free(rows);
            rows = sorted;
        } else {
            free(sorted);
        }
    }
    if (result == 0)
        merge_entries(calendar, rows, row_count);
    free(rows);
    free(row_lines);
    hl_csv_reader_free(&reader);
    return result == 0 ? HL_OK : result;
}
