/* test_calendar.c: working days and deadlines in domain/calendar.
 *
 * Most tests run on the calendar the project ships
 * ($HOTLINE_SOURCE_DIR/data/calendar/cn-2024-2026.csv), whose February 2024
 * is the hard case: the Spring Festival is off from the 10th to the 17th and
 * Sundays the 4th and 18th are working days. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/file.h"
#include "base/i18n.h"
#include "base/zone.h"
#include "domain/calendar.h"

static int32_t day_of(int year, int month, int day)
{
    return hl_clock_day_from_civil(year, month, day);
}

static hl_time local_time(const char *text)
{
    hl_time instant = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &instant), HL_OK);
    return instant;
}

static void assert_deadline(const hl_calendar *calendar, const char *start, int working_days,
                            const char *expected_local)
{
    char formatted[32];
    hl_clock_format_local(hl_calendar_deadline(calendar, local_time(start), working_days),
                          formatted, sizeof formatted);
    if (strcmp(formatted, expected_local) != 0)
        fail_msg("%s + %d working days: got %s, expected %s", start, working_days, formatted,
                 expected_local);
}

static int parse_text(hl_calendar *calendar, const char *text, hl_error *error)
{
    return hl_calendar_parse_csv(calendar, text, strlen(text), error);
}

static int load_real_calendar(void **state)
{
    hl_clock_set_offset_minutes(480);
    hl_i18n_set(HL_LANG_ZH);
    const char *source = getenv("HOTLINE_SOURCE_DIR");
    if (source == NULL || source[0] == '\0') {
        fprintf(stderr, "HOTLINE_SOURCE_DIR is not set (run the test through ctest)\n");
        return -1;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/data/calendar/cn-2024-2026.csv", source);
    char *data = NULL;
    size_t length = 0;
    hl_error error;
    if (hl_file_read_all(path, 1 << 20, &data, &length, &error) != HL_OK) {
        fprintf(stderr, "%s\n", error.message);
        return -1;
    }
    hl_calendar *calendar = malloc(sizeof *calendar);
    hl_calendar_init(calendar);
    int result = hl_calendar_parse_csv(calendar, data, length, &error);
    free(data);
    if (result != HL_OK) {
        fprintf(stderr, "%s\n", error.message);
        hl_calendar_free(calendar);
        free(calendar);
        return -1;
    }
    *state = calendar;
    return 0;
}

static int free_calendar(void **state)
{
    hl_calendar *calendar = *state;
    if (calendar != NULL) {
        hl_calendar_free(calendar);
        free(calendar);
    }
    hl_i18n_set(HL_LANG_ZH);
    return 0;
}

/* The real calendar. */

static void test_real_calendar_loads_every_row(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(calendar->count, 108);
    for (size_t index = 1; index < calendar->count; index++)
        assert_true(calendar->entries[index - 1].day < calendar->entries[index].day);
    int first = 0, last = 0;
    hl_calendar_years(calendar, &first, &last);
    assert_int_equal(first, 2024);
    assert_int_equal(last, 2026);
}

static void test_spring_festival_2024_is_off_from_10_to_17_february(void **state)
{
    const hl_calendar *calendar = *state;
    for (int day = 10; day <= 17; day++)
        assert_false(hl_calendar_is_working_day(calendar, day_of(2024, 2, day)));
    assert_string_equal(calendar->entries[2].festival, "春节");
}

static void test_listed_saturday_2024_02_10_is_not_a_working_day(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(hl_clock_weekday(day_of(2024, 2, 10)), 5);
    assert_false(hl_calendar_is_working_day(calendar, day_of(2024, 2, 10)));
}

static void test_sunday_2024_02_04_is_a_working_day(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(hl_clock_weekday(day_of(2024, 2, 4)), 6);
    assert_true(hl_calendar_is_working_day(calendar, day_of(2024, 2, 4)));
}

static void test_sunday_2024_02_18_is_a_working_day(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(hl_clock_weekday(day_of(2024, 2, 18)), 6);
    assert_true(hl_calendar_is_working_day(calendar, day_of(2024, 2, 18)));
}

static void test_unlisted_days_follow_the_weekday_rule(void **state)
{
    const hl_calendar *calendar = *state;
    /* New Year's Eve 2024-02-09 is not in the notice: a Friday like any other. */
    assert_true(hl_calendar_is_working_day(calendar, day_of(2024, 2, 9)));
    assert_true(hl_calendar_is_working_day(calendar, day_of(2024, 2, 19)));
    assert_false(hl_calendar_is_working_day(calendar, day_of(2024, 2, 24)));
    assert_false(hl_calendar_is_working_day(calendar, day_of(2024, 2, 25)));
    /* Far outside the listed years only the weekday rule applies. */
    assert_true(hl_calendar_is_working_day(calendar, day_of(2030, 1, 1)));
    assert_false(hl_calendar_is_working_day(calendar, day_of(2030, 1, 5)));
}

static void test_february_2024_has_18_working_days(void **state)
{
    const hl_calendar *calendar = *state;
    int counted = 0;
    for (int day = 1; day <= 29; day++)
        counted += hl_calendar_is_working_day(calendar, day_of(2024, 2, day)) ? 1 : 0;
    assert_int_equal(counted, 18);
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 1, 31), day_of(2024, 2, 29)), 18);
}

/* Deadlines. */

static void test_deadline_skips_spring_festival(void **state)
{
    assert_deadline(*state, "2024-02-09 10:00", 5, "2024-02-22 23:59:59");
}

static void test_deadline_of_one_day_from_new_years_eve_is_the_working_sunday(void **state)
{
    assert_deadline(*state, "2024-02-09 10:00", 1, "2024-02-18 23:59:59");
}

static void test_deadline_of_one_day_before_new_years_eve_is_the_eve(void **state)
{
    /* 2024-02-09 is a working Friday, so a day's limit from the 8th ends on it. */
    assert_deadline(*state, "2024-02-08 10:00", 1, "2024-02-09 23:59:59");
    assert_deadline(*state, "2024-02-08 10:00", 2, "2024-02-18 23:59:59");
}

static void test_deadline_counts_from_the_local_day_after_the_start(void **state)
{
    const hl_calendar *calendar = *state;
    assert_deadline(calendar, "2024-02-08 23:59:59", 1, "2024-02-09 23:59:59");
    assert_deadline(calendar, "2024-02-09 00:00:00", 1, "2024-02-18 23:59:59");
    /* 16:30 UTC on the 8th is already 00:30 on the 9th in Beijing. */
    assert_deadline(calendar, "2024-02-08T16:30:00Z", 1, "2024-02-18 23:59:59");
}

static void test_deadline_ends_one_second_before_the_next_local_day(void **state)
{
    const hl_calendar *calendar = *state;
    hl_time deadline = hl_calendar_deadline(calendar, local_time("2024-02-09 10:00"), 5);
    assert_int_equal(deadline + 1, hl_clock_start_of_day(day_of(2024, 2, 23)));
    char iso[32];
    hl_clock_format_iso(deadline, iso, sizeof iso);
    assert_string_equal(iso, "2024-02-22T23:59:59+08:00");
}

static void test_deadline_of_zero_days_is_the_end_of_the_start_day(void **state)
{
    assert_deadline(*state, "2024-02-10 10:00", 0, "2024-02-10 23:59:59");
}

static void test_deadline_crosses_new_year_2025(void **state)
{
    const hl_calendar *calendar = *state;
    /* 2025-01-01 is off; 4 and 5 January are an ordinary weekend. */
    assert_deadline(calendar, "2024-12-31 09:00", 1, "2025-01-02 23:59:59");
    assert_deadline(calendar, "2024-12-31 09:00", 3, "2025-01-06 23:59:59");
    assert_deadline(calendar, "2024-12-27 17:00", 3, "2025-01-02 23:59:59");
    assert_deadline(calendar, "2024-12-27 17:00", 13, "2025-01-16 23:59:59");
}

static void test_deadline_crosses_new_year_2026_into_a_working_sunday(void **state)
{
    /* 1-3 January 2026 are off and Sunday the 4th is worked. */
    assert_deadline(*state, "2025-12-31 09:00", 1, "2026-01-04 23:59:59");
    assert_deadline(*state, "2025-12-31 09:00", 2, "2026-01-05 23:59:59");
}

static void test_deadline_crosses_national_day_2024(void **state)
{
    /* 1-7 October off, Saturday 12 October worked. */
    assert_deadline(*state, "2024-09-30 09:00", 5, "2024-10-12 23:59:59");
}

/* Working-day arithmetic. */

static void test_add_zero_working_days_returns_the_same_day(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(hl_calendar_add_working_days(calendar, day_of(2024, 2, 10), 0),
                     day_of(2024, 2, 10));
}

/* The slow, obviously right count the fast code must agree with. */
static int32_t add_working_days_slowly(const hl_calendar *calendar, int32_t day, int count)
{
    while (count > 0) {
        day++;
        if (hl_calendar_is_working_day(calendar, day))
            count--;
    }
    return day;
}

static void test_add_working_days_agrees_with_a_day_by_day_count(void **state)
{
    const hl_calendar *calendar = *state;
    static const int counts[] = {1, 2, 3, 5, 10, 13, 20, 60};
    for (int32_t day = day_of(2023, 11, 1); day <= day_of(2027, 2, 1); day++)
        for (size_t index = 0; index < sizeof counts / sizeof counts[0]; index++) {
            int32_t fast = hl_calendar_add_working_days(calendar, day, counts[index]);
            int32_t slow = add_working_days_slowly(calendar, day, counts[index]);
            if (fast != slow) {
                char text[32];
                hl_clock_format_day(day, text, sizeof text);
                fail_msg("%s + %d: %d != %d", text, counts[index], fast, slow);
            }
        }
}

static void test_negative_working_days_walk_backwards(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(hl_calendar_add_working_days(calendar, day_of(2024, 2, 22), -5),
                     day_of(2024, 2, 9));
    assert_int_equal(hl_calendar_add_working_days(calendar, day_of(2024, 2, 19), -1),
                     day_of(2024, 2, 18));
    assert_int_equal(hl_calendar_add_working_days(calendar, day_of(2024, 2, 18), -1),
                     day_of(2024, 2, 9));
}

static void test_working_days_between_counts_after_start_up_to_end(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 2, 9), day_of(2024, 2, 22)), 5);
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 2, 9), day_of(2024, 2, 18)), 1);
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 2, 9), day_of(2024, 2, 17)), 0);
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 2, 9), day_of(2024, 2, 9)), 0);
}

static void test_working_days_between_is_negative_backwards(void **state)
{
    const hl_calendar *calendar = *state;
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 2, 22), day_of(2024, 2, 9)), -5);
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2024, 2, 18), day_of(2024, 2, 9)), -1);
    assert_int_equal(
        hl_calendar_working_days_between(calendar, day_of(2025, 1, 2), day_of(2024, 12, 31)), -1);
}

static void test_working_days_between_agrees_with_a_day_by_day_count(void **state)
{
    const hl_calendar *calendar = *state;
    srand(12345);
    for (int trial = 0; trial < 3000; trial++) {
        int32_t from = day_of(2023, 6, 1) + rand() % 1400;
        int32_t to = day_of(2023, 6, 1) + rand() % 1400;
        int expected = 0;
        int32_t low = from < to ? from : to, high = from < to ? to : from;
        for (int32_t day = low + 1; day <= high; day++)
            expected += hl_calendar_is_working_day(calendar, day) ? 1 : 0;
        if (to < from)
            expected = -expected;
        assert_int_equal(hl_calendar_working_days_between(calendar, from, to), expected);
    }
}

static void test_working_days_between_inverts_add_working_days(void **state)
{
    const hl_calendar *calendar = *state;
    for (int32_t day = day_of(2024, 1, 1); day <= day_of(2026, 12, 31); day += 3)
        for (int count = 1; count <= 60; count += 7)
            assert_int_equal(hl_calendar_working_days_between(
                                 calendar, day, hl_calendar_add_working_days(calendar, day, count)),
                             count);
}

/* Building a calendar by hand. */

static void test_empty_calendar_follows_the_weekday_rule(void **state)
{
    (void)state;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    int first = -1, last = -1;
    hl_calendar_years(&calendar, &first, &last);
    assert_int_equal(first, 0);
    assert_int_equal(last, 0);
    assert_false(hl_calendar_is_working_day(&calendar, day_of(2024, 2, 4)));
    assert_true(hl_calendar_is_working_day(&calendar, day_of(2024, 2, 12)));
    assert_int_equal(hl_calendar_add_working_days(&calendar, day_of(2024, 2, 9), 1),
                     day_of(2024, 2, 12));
    assert_int_equal(
        hl_calendar_working_days_between(&calendar, day_of(2024, 2, 1), day_of(2024, 2, 29)), 20);
    hl_calendar_free(&calendar);
}

static void test_set_keeps_entries_sorted_and_replaces_a_day(void **state)
{
    (void)state;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    for (int index = 40; index >= 1; index--)
        hl_calendar_set(&calendar, day_of(2024, 3, 1) + index * 2, HL_DAY_OFF, "test");
    hl_calendar_set(&calendar, day_of(2024, 3, 1) + 10, HL_DAY_WORK, NULL);
    assert_int_equal(calendar.count, 40);
    for (size_t index = 1; index < calendar.count; index++)
        assert_true(calendar.entries[index - 1].day < calendar.entries[index].day);
    assert_int_equal(calendar.entries[4].day, day_of(2024, 3, 1) + 10);
    assert_int_equal(calendar.entries[4].kind, HL_DAY_WORK);
    assert_string_equal(calendar.entries[4].festival, "");
    assert_string_equal(calendar.entries[5].festival, "test");
    hl_calendar_free(&calendar);
}

static void test_set_cuts_a_long_festival_at_a_character_boundary(void **state)
{
    (void)state;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    /* 30 three-byte characters: 90 bytes, cut to 21 characters (63 bytes). */
    char festival[128] = "";
    size_t used = 0;
    for (int index = 0; index < 30; index++) {
        memcpy(festival + used, "节", 3);
        used += 3;
    }
    festival[used] = '\0';
    hl_calendar_set(&calendar, day_of(2024, 5, 1), HL_DAY_OFF, festival);
    assert_int_equal(strlen(calendar.entries[0].festival), 63);
    hl_calendar_set(&calendar, day_of(2024, 5, 1), HL_DAY_OFF,
                    "a节节节节节节节节节节节节节节节节节节节节节");
    assert_int_equal(strlen(calendar.entries[0].festival), 61);
    assert_true(hl_text_is_utf8(calendar.entries[0].festival, 61));
    hl_calendar_free(&calendar);
}

/* Parsing. */

static void test_parse_accepts_bom_crlf_and_empty_festival(void **state)
{
    (void)state;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    hl_error error;
    assert_int_equal(
        parse_text(&calendar,
                   "\xEF\xBB\xBF"
                   "date,kind,festival\r\n2030-01-02,off,\r\n\r\n2030-01-05,work,调休\r\n",
                   &error),
        HL_OK);
    assert_int_equal(calendar.count, 2);
    assert_false(hl_calendar_is_working_day(&calendar, day_of(2030, 1, 2)));
    assert_true(hl_calendar_is_working_day(&calendar, day_of(2030, 1, 5)));
    assert_string_equal(calendar.entries[0].festival, "");
    assert_string_equal(calendar.entries[1].festival, "调休");
    hl_calendar_free(&calendar);
}

static void test_parse_adds_to_a_calendar_and_replaces_the_same_day(void **state)
{
    (void)state;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    hl_error error;
    hl_calendar_set(&calendar, day_of(2030, 1, 1), HL_DAY_OFF, "元旦");
    hl_calendar_set(&calendar, day_of(2030, 1, 10), HL_DAY_OFF, "old");
    assert_int_equal(
        parse_text(&calendar, "date,kind,festival\n2030-01-10,work,new\n2030-01-03,off,\"x, y\"\n",
                   &error),
        HL_OK);
    assert_int_equal(calendar.count, 3);
    assert_int_equal(calendar.entries[1].day, day_of(2030, 1, 3));
    assert_string_equal(calendar.entries[1].festival, "x, y");
    assert_int_equal(calendar.entries[2].kind, HL_DAY_WORK);
    assert_string_equal(calendar.entries[2].festival, "new");
    hl_calendar_free(&calendar);
}

/* Parses text that must fail into a calendar holding one entry, and checks
 * the English message and that nothing was added. */
static void assert_rejected(const char *text, const char *expected_message)
{
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    hl_calendar_set(&calendar, day_of(2030, 1, 1), HL_DAY_OFF, "元旦");
    hl_error error;
    hl_error_clear(&error);
    hl_i18n_set(HL_LANG_EN);
    int result = parse_text(&calendar, text, &error);
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(result, HL_EINVAL);
    assert_string_equal(error.message, expected_message);
    assert_int_equal(calendar.count, 1);
    assert_int_equal(calendar.entries[0].day, day_of(2030, 1, 1));
    hl_calendar_free(&calendar);
}

static void test_bad_date_row_is_rejected_with_its_line(void **state)
{
    (void)state;
    assert_rejected("date,kind,festival\n2030-02-01,off,a\n2030-02-30,off,b\n2030-03-01,off,c\n",
                    "line 3: bad date, expected YYYY-MM-DD: \"2030-02-30\"");
    assert_rejected("date,kind,festival\n2030-13-01,off,a\n",
                    "line 2: bad date, expected YYYY-MM-DD: \"2030-13-01\"");
    assert_rejected("date,kind,festival\n2030/01/02,off,a\n",
                    "line 2: bad date, expected YYYY-MM-DD: \"2030/01/02\"");
}

static void test_bad_kind_row_is_rejected_with_its_line(void **state)
{
    (void)state;
    assert_rejected("date,kind,festival\n2030-02-01,off,a\n\n2030-02-02,holiday,b\n",
                    "line 4: kind must be off or work: \"holiday\"");
    assert_rejected("date,kind,festival\n2030-02-02,,b\n", "line 2: kind must be off or work");
}

static void test_missing_column_row_is_rejected_with_its_line(void **state)
{
    (void)state;
    assert_rejected("date,kind,festival\n2030-02-01,off,a\n2030-02-02,off\n",
                    "line 3: expected 3 columns (date,kind,festival), found 2");
    assert_rejected("date,kind,festival\n2030-02-01,off,a,extra\n",
                    "line 2: expected 3 columns (date,kind,festival), found 4");
}

static void test_missing_header_is_rejected(void **state)
{
    (void)state;
    assert_rejected("2030-02-01,off,a\n", "line 1: expected the header date,kind,festival");
    assert_rejected("", "line 1: expected the header date,kind,festival");
}

static void test_repeated_date_is_rejected(void **state)
{
    (void)state;
    assert_rejected("date,kind,festival\n2030-02-01,off,a\n2030-02-03,off,a\n2030-02-01,work,b\n",
                    "line 4: date 2030-02-01 listed twice");
}

static void test_festival_over_63_bytes_is_rejected(void **state)
{
    (void)state;
    /* 21 three-byte characters fit exactly; one more byte does not. */
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    hl_error error;
    assert_int_equal(parse_text(&calendar,
                                "date,kind,festival\n2030-02-01,off,"
                                "节节节节节节节节节节节节节节节节节节节节节\n",
                                &error),
                     HL_OK);
    assert_int_equal(strlen(calendar.entries[0].festival), 63);
    hl_calendar_free(&calendar);
    assert_rejected(
        "date,kind,festival\n2030-02-01,off,a节节节节节节节节节节节节节节节节节节节节节\n",
        "line 2: festival longer than 63 bytes");
}

static void test_festival_not_utf8_is_rejected(void **state)
{
    (void)state;
    assert_rejected("date,kind,festival\n2030-02-01,off,\xC3\x28\n",
                    "line 2: festival is not valid UTF-8");
}

static void test_csv_syntax_error_is_rejected_with_its_line(void **state)
{
    (void)state;
    assert_rejected("date,kind,festival\n2030-02-01,off,a\n2030-02-02,off,\"open\n",
                    "line 3: unterminated quoted field");
}

static void test_parse_error_message_is_chinese_by_default(void **state)
{
    (void)state;
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    hl_error error;
    hl_i18n_set(HL_LANG_ZH);
    assert_int_equal(parse_text(&calendar, "date,kind,festival\n2030-02-02,holiday,b\n", &error),
                     HL_EINVAL);
    assert_string_equal(error.message, "第 2 行：类型应为 off 或 work：“holiday”");
    assert_string_equal(error.field, "kind");
    hl_calendar_free(&calendar);
}

#define REAL(test) cmocka_unit_test_setup_teardown(test, load_real_calendar, free_calendar)

/* In a zone with daylight saving a deadline still ends at 23:59:59 local
 * time of its day: the offset of that day, not of the start. */
static void test_deadline_across_daylight_saving_in_los_angeles(void **state)
{
    (void)state;
    const hl_zone *zone = NULL;
    hl_error error;
    assert_int_equal(hl_zone_get("America/Los_Angeles", &zone, &error), HL_OK);
    hl_clock_set_zone(zone);
    hl_calendar calendar;
    hl_calendar_init(&calendar);
    char text[40];
    /* Friday 8 March in PST, one working day: Monday 11 March in PDT. */
    hl_time due = hl_calendar_deadline(&calendar, local_time("2024-03-08T10:00:00-08:00"), 1);
    hl_clock_format_iso(due, text, sizeof text);
    assert_string_equal(text, "2024-03-11T23:59:59-07:00");
    assert_true(due == local_time("2024-03-12T06:59:59Z"));
    /* Saturday 23:30 PST is still Saturday: Monday is the first working day. */
    due = hl_calendar_deadline(&calendar, local_time("2024-03-10T07:30:00Z"), 1);
    hl_clock_format_iso(due, text, sizeof text);
    assert_string_equal(text, "2024-03-11T23:59:59-07:00");
    /* Zero days on the short day itself ends at its 23:59:59 PDT. */
    due = hl_calendar_deadline(&calendar, local_time("2024-03-10 12:00"), 0);
    assert_true(due == local_time("2024-03-11T06:59:59Z"));
    /* Friday 1 November in PDT, one working day: Monday 4 November in PST. */
    due = hl_calendar_deadline(&calendar, local_time("2024-11-01 10:00"), 1);
    hl_clock_format_iso(due, text, sizeof text);
    assert_string_equal(text, "2024-11-04T23:59:59-08:00");
    assert_true(due == local_time("2024-11-05T07:59:59Z"));
    /* Five working days from Wednesday 30 October, across the change. */
    assert_deadline(&calendar, "2024-10-30 16:00", 5, "2024-11-06 23:59:59");
    hl_calendar_free(&calendar);
    hl_clock_set_offset_minutes(480);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        REAL(test_real_calendar_loads_every_row),
        REAL(test_spring_festival_2024_is_off_from_10_to_17_february),
        REAL(test_listed_saturday_2024_02_10_is_not_a_working_day),
        REAL(test_sunday_2024_02_04_is_a_working_day),
        REAL(test_sunday_2024_02_18_is_a_working_day),
        REAL(test_unlisted_days_follow_the_weekday_rule),
        REAL(test_february_2024_has_18_working_days),
        REAL(test_deadline_skips_spring_festival),
        REAL(test_deadline_of_one_day_from_new_years_eve_is_the_working_sunday),
        REAL(test_deadline_of_one_day_before_new_years_eve_is_the_eve),
        REAL(test_deadline_counts_from_the_local_day_after_the_start),
        REAL(test_deadline_ends_one_second_before_the_next_local_day),
        REAL(test_deadline_of_zero_days_is_the_end_of_the_start_day),
        REAL(test_deadline_crosses_new_year_2025),
        REAL(test_deadline_crosses_new_year_2026_into_a_working_sunday),
        REAL(test_deadline_crosses_national_day_2024),
        REAL(test_add_zero_working_days_returns_the_same_day),
        REAL(test_add_working_days_agrees_with_a_day_by_day_count),
        REAL(test_negative_working_days_walk_backwards),
        REAL(test_working_days_between_counts_after_start_up_to_end),
        REAL(test_working_days_between_is_negative_backwards),
        REAL(test_working_days_between_agrees_with_a_day_by_day_count),
        REAL(test_working_days_between_inverts_add_working_days),
        cmocka_unit_test(test_empty_calendar_follows_the_weekday_rule),
        cmocka_unit_test(test_deadline_across_daylight_saving_in_los_angeles),
        cmocka_unit_test(test_set_keeps_entries_sorted_and_replaces_a_day),
        cmocka_unit_test(test_set_cuts_a_long_festival_at_a_character_boundary),
        cmocka_unit_test(test_parse_accepts_bom_crlf_and_empty_festival),
        cmocka_unit_test(test_parse_adds_to_a_calendar_and_replaces_the_same_day),
        cmocka_unit_test(test_bad_date_row_is_rejected_with_its_line),
        cmocka_unit_test(test_bad_kind_row_is_rejected_with_its_line),
        cmocka_unit_test(test_missing_column_row_is_rejected_with_its_line),
        cmocka_unit_test(test_missing_header_is_rejected),
        cmocka_unit_test(test_repeated_date_is_rejected),
        cmocka_unit_test(test_festival_over_63_bytes_is_rejected),
        cmocka_unit_test(test_festival_not_utf8_is_rejected),
        cmocka_unit_test(test_csv_syntax_error_is_rejected_with_its_line),
        cmocka_unit_test(test_parse_error_message_is_chinese_by_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
