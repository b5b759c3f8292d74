/* test_clock.c: days, instants, parsing and formatting in base/clock. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

static int reset_zone(void **state)
{
    (void)state;
    hl_clock_set_offset_minutes(480);
    return 0;
}

static hl_time parse_time(const char *text)
{
    hl_time instant = 0;
    if (hl_clock_parse_time(hl_slice_of(text), &instant) != HL_OK)
        fail_msg("\"%s\" was rejected", text);
    return instant;
}

static void test_epoch_is_day_zero_and_a_thursday(void **state)
{
    (void)state;
    assert_int_equal(hl_clock_day_from_civil(1970, 1, 1), 0);
    assert_int_equal(hl_clock_weekday(0), 3);
}

static void test_known_dates_have_known_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(hl_clock_day_from_civil(2000, 3, 1), 11017);
    assert_int_equal(hl_clock_day_from_civil(2024, 2, 29), 19782);
    assert_int_equal(hl_clock_day_from_civil(1900, 1, 1), -25567);
    assert_int_equal(hl_clock_day_from_civil(1600, 3, 1), -135080);
    assert_int_equal(hl_clock_day_from_civil(9999, 12, 31), 2932896);
}

static void test_civil_and_day_numbers_round_trip_from_1600_to_2500(void **state)
{
    (void)state;
    /* Walking day by day checks both directions and that every date follows
     * the one before it: day + 1, or the first of the next month or year. */
    int32_t first = hl_clock_day_from_civil(1600, 1, 1);
    int32_t last = hl_clock_day_from_civil(2500, 12, 31);
    int previous_year = 1599, previous_month = 12, previous_day = 31;
    for (int32_t day_number = first; day_number <= last; day_number++) {
        int year, month, day;
        hl_clock_civil_from_day(day_number, &year, &month, &day);
        assert_int_equal(hl_clock_day_from_civil(year, month, day), day_number);
        bool next_day = year == previous_year && month == previous_month && day == previous_day + 1;
        bool next_month = year == previous_year && month == previous_month + 1 && day == 1;
        bool next_year = year == previous_year + 1 && month == 1 && day == 1 &&
                         previous_month == 12 && previous_day == 31;
        if (!next_day && !next_month && !next_year)
            fail_msg("%04d-%02d-%02d follows %04d-%02d-%02d", year, month, day, previous_year,
                     previous_month, previous_day);
        previous_year = year;
        previous_month = month;
        previous_day = day;
    }
    assert_int_equal(previous_year, 2500);
}

static void test_leap_days_follow_the_gregorian_rule(void **state)
{
    (void)state;
    int32_t day;
    assert_int_equal(hl_clock_parse_day(hl_slice_of("2024-02-29"), &day), HL_OK);
    assert_int_equal(hl_clock_parse_day(hl_slice_of("2000-02-29"), &day), HL_OK);
    assert_int_equal(hl_clock_parse_day(hl_slice_of("2023-02-29"), &day), HL_EINVAL);
    assert_int_equal(hl_clock_parse_day(hl_slice_of("1900-02-29"), &day), HL_EINVAL);
    assert_int_equal(hl_clock_parse_day(hl_slice_of("2100-02-29"), &day), HL_EINVAL);
}

static void test_weekday_counts_from_monday(void **state)
{
    (void)state;
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(2024, 2, 5)), 0);
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(2024, 2, 9)), 4);
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(2024, 2, 10)), 5);
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(2024, 2, 4)), 6);
    /* Before the epoch the remainder is negative and must be folded back. */
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(1969, 12, 31)), 2);
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(1900, 1, 1)), 0);
    assert_int_equal(hl_clock_weekday(hl_clock_day_from_civil(1600, 3, 1)), 2);
}

static void test_parse_day_accepts_iso_dates(void **state)
{
    (void)state;
    int32_t day = 0;
    assert_int_equal(hl_clock_parse_day(hl_slice_of("2024-02-09"), &day), HL_OK);
    assert_int_equal(day, hl_clock_day_from_civil(2024, 2, 9));
    assert_int_equal(hl_clock_parse_day(hl_slice_of(" 2024-12-31\n"), &day), HL_OK);
    assert_int_equal(day, hl_clock_day_from_civil(2024, 12, 31));
    hl_slice unterminated = {"2024-01-01 and more", 10};
    assert_int_equal(hl_clock_parse_day(unterminated, &day), HL_OK);
    assert_int_equal(day, hl_clock_day_from_civil(2024, 1, 1));
}

static void test_parse_day_rejects_impossible_and_malformed_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2024-02-30", "2024-13-01", "2024-00-10",     "2024-04-31",  "2024-01-00",
        "2024-1-01",  "24-01-01",   "2024/01/01",     "2024-01-01x", "2024-01-01 10:00",
        "",           "1899-12-31", "２０２４-01-01", "-2024-01-01",
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        int32_t day = 12345;
        if (hl_clock_parse_day(hl_slice_of(bad[index]), &day) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", bad[index]);
        assert_int_equal(day, 12345);
    }
}

static void test_parse_time_reads_local_wall_clock(void **state)
{
    (void)state;
    hl_time midnight = hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, 1));
    assert_int_equal(parse_time("2024-02-01"), midnight);
    assert_int_equal(parse_time("2024-02-01 10:00"), midnight + 10 * 3600);
    assert_int_equal(parse_time("2024-02-01 10:00:30"), midnight + 10 * 3600 + 30);
    assert_int_equal(parse_time("2024-02-01T23:59:59"), midnight + 86399);
    /* Local midnight in Beijing is 16:00 UTC the day before. */
    assert_int_equal(midnight, parse_time("2024-01-31T16:00:00Z"));
}

static void test_parse_time_honours_zone_z_and_offsets(void **state)
{
    (void)state;
    hl_time expected = 1708617599; /* 2024-02-22T15:59:59Z */
    assert_int_equal(parse_time("2024-02-22T15:59:59Z"), expected);
    assert_int_equal(parse_time("2024-02-22T23:59:59+08:00"), expected);
    assert_int_equal(parse_time("2024-02-22T23:59:59+0800"), expected);
    assert_int_equal(parse_time("2024-02-22 23:59:59"), expected);
    assert_int_equal(parse_time("2024-02-22T10:59:59-05:00"), expected);
    assert_int_equal(parse_time("2024-02-22T21:29:59+05:30"), expected);
    assert_int_equal(parse_time("2024-02-22T15:59Z"), expected - 59);
}

static void test_parse_time_rejects_bad_times_and_zones(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2024-02-01 25:00",
        "2024-02-01 24:00",
        "2024-02-01 10:60",
        "2024-02-01 10:00:60",
        "2024-02-01 10",
        "2024-02-01 10:",
        "2024-02-01 10:00:",
        "2024-02-01X10:00",
        "2024-02-30 10:00",
        "2024-02-01T10:00+15:00",
        "2024-02-01T10:00:00+08",
        "2024-02-01T10:00:00+08:60",
        "2024-02-01T10:00:00 +08:00",
        "2024-02-01T10:00:00ZZ",
        "2024-02-01Z",
        "2024-02-01 1:00",
        "",
        "now",
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        hl_time instant = 42;
        if (hl_clock_parse_time(hl_slice_of(bad[index]), &instant) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", bad[index]);
        assert_int_equal(instant, 42);
    }
}

static hl_time parse_w3c(const char *text)
{
    hl_time instant = 0;
    if (hl_clock_parse_w3c(hl_slice_of(text), &instant) != HL_OK)
        fail_msg("\"%s\" was refused", text);
    return instant;
}

static void test_parse_w3c_reads_dates_and_times_with_zones(void **state)
{
    (void)state;
    hl_time expected = 1708617599; /* 2024-02-22T15:59:59Z */
    assert_int_equal(parse_w3c("2024-02-22T15:59:59Z"), expected);
    assert_int_equal(parse_w3c("2024-02-22T23:59:59+08:00"), expected);
    assert_int_equal(parse_w3c("2024-02-22T10:59:59-05:00"), expected);
    assert_int_equal(parse_w3c("2024-02-22T23:59:59.987+08:00"), expected);
    assert_int_equal(parse_w3c("2024-02-22T15:59Z"), expected - 59);
    assert_int_equal(parse_w3c("2024-02-22"),
                     hl_clock_start_of_day(hl_clock_day_from_civil(2024, 2, 22)));
}

static void test_parse_w3c_refuses_what_the_profile_does_not_allow(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2024-02-22 23:59:59",      /* a space, not T */
        "2024-02-22T23:59:59",      /* no zone */
        "2024-02-22T23:59:59+0800", /* the zone without its colon */
        "2024-02-22T23:59:59+08",
        "2024-02-22T23:59:59 08:00",
        "2024-02-22T23:59:59.Z",
        "2024-02-22T24:00:00Z",
        "2024-02-30",
        "2024-02",
        " 2024-02-22",
        "2024-02-22T23:59:59Z ",
        "",
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        hl_time instant = 42;
        if (hl_clock_parse_w3c(hl_slice_of(bad[index]), &instant) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", bad[index]);
        assert_int_equal(instant, 42);
    }
}

static void test_parse_month_reads_year_and_month(void **state)
{
    (void)state;
    int month = 0;
    assert_int_equal(hl_clock_parse_month(hl_slice_of("2024-02"), &month), HL_OK);
    assert_int_equal(month, 202402);
    assert_int_equal(hl_clock_parse_month(hl_slice_of("1999-12"), &month), HL_OK);
    assert_int_equal(month, 199912);
    static const char *const bad[] = {"2024-13", "2024-00", "2024-2", "2024-02-01",
                                      "202402",  "1899-12", ""};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++)
        if (hl_clock_parse_month(hl_slice_of(bad[index]), &month) != HL_EINVAL)
            fail_msg("\"%s\" was accepted", bad[index]);
}

static void test_day_of_uses_the_local_zone(void **state)
{
    (void)state;
    int32_t february_8 = hl_clock_day_from_civil(2024, 2, 8);
    assert_int_equal(hl_clock_day_of(parse_time("2024-02-08T15:59:59Z")), february_8);
    assert_int_equal(hl_clock_day_of(parse_time("2024-02-08T16:00:00Z")), february_8 + 1);
    hl_clock_set_offset_minutes(0);
    assert_int_equal(hl_clock_day_of(parse_time("2024-02-08T16:00:00Z")), february_8);
    /* Before the epoch days must round down, not toward zero. */
    assert_int_equal(hl_clock_day_of(-1), -1);
    assert_int_equal(hl_clock_day_of(-86400), -1);
    assert_int_equal(hl_clock_day_of(-86401), -2);
}

static void test_start_of_day_is_local_midnight(void **state)
{
    (void)state;
    for (int32_t day = -30000; day < 30000; day += 97) {
        hl_time start = hl_clock_start_of_day(day);
        assert_int_equal(hl_clock_day_of(start), day);
        assert_int_equal(hl_clock_day_of(start - 1), day - 1);
    }
}

static void test_month_of_uses_the_local_day(void **state)
{
    (void)state;
    assert_int_equal(hl_clock_month_of(parse_time("2024-01-31T16:00:00Z")), 202402);
    assert_int_equal(hl_clock_month_of(parse_time("2024-01-31T15:59:59Z")), 202401);
    assert_int_equal(hl_clock_month_of(parse_time("2024-12-31 23:59:59")), 202412);
}

static void test_format_day_writes_iso_date(void **state)
{
    (void)state;
    char text[32];
    hl_clock_format_day(hl_clock_day_from_civil(2024, 2, 9), text, sizeof text);
    assert_string_equal(text, "2024-02-09");
    hl_clock_format_day(hl_clock_day_from_civil(1900, 1, 1), text, sizeof text);
    assert_string_equal(text, "1900-01-01");
}

static void test_format_local_writes_wall_clock_time(void **state)
{
    (void)state;
    char text[32];
    hl_clock_format_local(1708617599, text, sizeof text);
    assert_string_equal(text, "2024-02-22 23:59:59");
    hl_clock_format_local(0, text, sizeof text);
    assert_string_equal(text, "1970-01-01 08:00:00");
    hl_clock_format_local(-28801, text, sizeof text);
    assert_string_equal(text, "1969-12-31 23:59:59");
}

static void test_format_iso_writes_the_zone(void **state)
{
    (void)state;
    char text[32];
    hl_clock_format_iso(1708617599, text, sizeof text);
    assert_string_equal(text, "2024-02-22T23:59:59+08:00");
    hl_clock_set_offset_minutes(-330);
    hl_clock_format_iso(1708617599, text, sizeof text);
    assert_string_equal(text, "2024-02-22T10:29:59-05:30");
    hl_clock_set_offset_minutes(0);
    hl_clock_format_iso(1708617599, text, sizeof text);
    assert_string_equal(text, "2024-02-22T15:59:59+00:00");
    /* Too small a buffer is cut, never overrun. */
    char small[11];
    hl_clock_format_iso(1708617599, small, sizeof small);
    assert_string_equal(small, "2024-02-22");
}

static void test_formatted_times_parse_back_to_the_same_instant(void **state)
{
    (void)state;
    for (hl_time instant = -2000000000; instant < 4000000000; instant += 7654321) {
        char local[32], iso[32];
        hl_clock_format_local(instant, local, sizeof local);
        hl_clock_format_iso(instant, iso, sizeof iso);
        assert_int_equal(parse_time(local), instant);
        assert_int_equal(parse_time(iso), instant);
    }
}

static void test_now_honours_hotline_now(void **state)
{
    (void)state;
    assert_int_equal(setenv("HOTLINE_NOW", "2024-02-09T10:00:00+08:00", 1), 0);
    assert_int_equal(hl_clock_now(), parse_time("2024-02-09 10:00"));
    /* An unparseable value falls back to the system clock. */
    assert_int_equal(setenv("HOTLINE_NOW", "yesterday", 1), 0);
    assert_true(hl_clock_now() > parse_time("2024-01-01"));
    assert_int_equal(unsetenv("HOTLINE_NOW"), 0);
    assert_true(hl_clock_now() > parse_time("2024-01-01"));
}

#define TEST(test) cmocka_unit_test_setup_teardown(test, reset_zone, reset_zone)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_epoch_is_day_zero_and_a_thursday),
        TEST(test_known_dates_have_known_day_numbers),
        TEST(test_civil_and_day_numbers_round_trip_from_1600_to_2500),
        TEST(test_leap_days_follow_the_gregorian_rule),
        TEST(test_weekday_counts_from_monday),
        TEST(test_parse_day_accepts_iso_dates),
        TEST(test_parse_day_rejects_impossible_and_malformed_dates),
        TEST(test_parse_time_reads_local_wall_clock),
        TEST(test_parse_time_honours_zone_z_and_offsets),
        TEST(test_parse_time_rejects_bad_times_and_zones),
        TEST(test_parse_w3c_reads_dates_and_times_with_zones),
        TEST(test_parse_w3c_refuses_what_the_profile_does_not_allow),
        TEST(test_parse_month_reads_year_and_month),
        TEST(test_day_of_uses_the_local_zone),
        TEST(test_start_of_day_is_local_midnight),
        TEST(test_month_of_uses_the_local_day),
        TEST(test_format_day_writes_iso_date),
        TEST(test_format_local_writes_wall_clock_time),
        TEST(test_format_iso_writes_the_zone),
        TEST(test_formatted_times_parse_back_to_the_same_instant),
        TEST(test_now_honours_hotline_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
