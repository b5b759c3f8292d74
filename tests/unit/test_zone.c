/* test_zone.c: the TZif reader (base/zone) and the conversions of base/clock
 * through a zone with daylight saving.
 *
 * The zones come from the system's data (Debian's tzdata, which
 * scripts/bootstrap.sh installs): Asia/Shanghai, America/Los_Angeles across
 * the changes of 2024-03-10 (02:00 PST becomes 03:00 PDT, at 10:00Z) and
 * 2024-11-03 (02:00 PDT becomes 01:00 PST, at 09:00Z), and UTC. Damaged
 * files are made in a temporary TZDIR. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/file.h"
#include "base/zone.h"

static int reset_zone(void **state)
{
    (void)state;
    hl_clock_set_zone(NULL);
    return 0;
}

static const hl_zone *zone_named(const char *name)
{
    const hl_zone *zone = NULL;
    hl_error error;
    hl_error_clear(&error);
    if (hl_zone_get(name, &zone, &error) != HL_OK)
        fail_msg("zone %s: %s", name, error.message);
    return zone;
}

static hl_time instant(const char *text)
{
    hl_time out = 0;
    if (hl_clock_parse_time(hl_slice_of(text), &out) != HL_OK)
        fail_msg("\"%s\" was rejected", text);
    return out;
}

static void assert_iso(hl_time at, const char *expected)
{
    char text[40];
    hl_clock_format_iso(at, text, sizeof text);
    assert_string_equal(text, expected);
}

static void assert_local(hl_time at, const char *expected)
{
    char text[40];
    hl_clock_format_local(at, text, sizeof text);
    assert_string_equal(text, expected);
}

static void test_shanghai_is_plus_eight_without_daylight_saving(void **state)
{
    (void)state;
    const hl_zone *zone = zone_named("Asia/Shanghai");
    assert_string_equal(hl_zone_name(zone), "Asia/Shanghai");
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-01-15T00:00:00Z")), 8 * 3600);
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-07-15T00:00:00Z")), 8 * 3600);
    /* Beyond the file's transitions the rule at its end answers. */
    assert_int_equal(hl_zone_offset_at(zone, instant("2200-07-15T00:00:00Z")), 8 * 3600);
    /* China kept daylight saving from 1986 to 1991. */
    assert_int_equal(hl_zone_offset_at(zone, instant("1988-07-01T00:00:00Z")), 9 * 3600);
    hl_clock_set_zone(zone);
    assert_iso(instant("2024-02-09T02:00:00Z"), "2024-02-09T10:00:00+08:00");
    assert_int_equal(hl_clock_day_of(instant("2024-02-09T15:59:59Z")),
                     hl_clock_day_from_civil(2024, 2, 9));
    assert_int_equal(hl_clock_day_of(instant("2024-02-09T16:00:00Z")),
                     hl_clock_day_from_civil(2024, 2, 10));
}

static void test_the_same_as_the_builtin_default_since_1992(void **state)
{
    (void)state;
    const hl_zone *file = zone_named("Asia/Shanghai");
    const hl_zone *builtin = hl_zone_builtin_default();
    assert_string_equal(hl_zone_name(builtin), HL_ZONE_DEFAULT);
    for (hl_time at = instant("1992-01-01T00:00:00Z"); at < instant("2040-01-01T00:00:00Z");
         at += 86400 * 7 + 3601)
        assert_int_equal(hl_zone_offset_at(file, at), hl_zone_offset_at(builtin, at));
}

static void test_los_angeles_springs_forward_on_10_march_2024(void **state)
{
    (void)state;
    const hl_zone *zone = zone_named("America/Los_Angeles");
    hl_clock_set_zone(zone);
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-03-10T09:59:59Z")), -8 * 3600);
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-03-10T10:00:00Z")), -7 * 3600);
    assert_iso(instant("2024-03-10T09:59:59Z"), "2024-03-10T01:59:59-08:00");
    assert_iso(instant("2024-03-10T10:00:00Z"), "2024-03-10T03:00:00-07:00");
    /* Local times read back through the zone. */
    assert_true(instant("2024-03-10 01:59:59") == instant("2024-03-10T09:59:59Z"));
    assert_true(instant("2024-03-10 03:00") == instant("2024-03-10T10:00:00Z"));
    /* 02:30 does not exist that night: it is read as 03:30 PDT. */
    assert_true(instant("2024-03-10 02:30") == instant("2024-03-10T10:30:00Z"));
    /* That day has 23 hours. */
    int32_t day = hl_clock_day_from_civil(2024, 3, 10);
    assert_true(hl_clock_start_of_day(day) == instant("2024-03-10T08:00:00Z"));
    assert_true(hl_clock_start_of_day(day + 1) - hl_clock_start_of_day(day) == 23 * 3600);
    assert_int_equal(hl_clock_day_of(instant("2024-03-11T06:59:59Z")), day);
    assert_int_equal(hl_clock_day_of(instant("2024-03-11T07:00:00Z")), day + 1);
}

static void test_los_angeles_falls_back_on_3_november_2024(void **state)
{
    (void)state;
    const hl_zone *zone = zone_named("America/Los_Angeles");
    hl_clock_set_zone(zone);
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-11-03T08:59:59Z")), -7 * 3600);
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-11-03T09:00:00Z")), -8 * 3600);
    /* 01:30 comes twice; the text with its offset tells which. */
    assert_iso(instant("2024-11-03T08:30:00Z"), "2024-11-03T01:30:00-07:00");
    assert_iso(instant("2024-11-03T09:30:00Z"), "2024-11-03T01:30:00-08:00");
    assert_local(instant("2024-11-03T09:30:00Z"), "2024-11-03 01:30:00");
    /* Without an offset the first of the two is meant. */
    assert_true(instant("2024-11-03 01:30") == instant("2024-11-03T08:30:00Z"));
    /* That day has 25 hours. */
    int32_t day = hl_clock_day_from_civil(2024, 11, 3);
    assert_true(hl_clock_start_of_day(day) == instant("2024-11-03T07:00:00Z"));
    assert_true(hl_clock_start_of_day(day + 1) - hl_clock_start_of_day(day) == 25 * 3600);
    assert_int_equal(hl_clock_month_of(instant("2024-12-01T07:59:59Z")), 202411);
    assert_int_equal(hl_clock_month_of(instant("2024-12-01T08:00:00Z")), 202412);
}

static void test_los_angeles_rule_holds_past_the_file(void **state)
{
    (void)state;
    const hl_zone *zone = zone_named("America/Los_Angeles");
    /* 2100: second Sunday of March is the 14th, first of November the 7th. */
    assert_int_equal(hl_zone_offset_at(zone, instant("2100-03-14T09:59:59Z")), -8 * 3600);
    assert_int_equal(hl_zone_offset_at(zone, instant("2100-03-14T10:00:00Z")), -7 * 3600);
    assert_int_equal(hl_zone_offset_at(zone, instant("2100-11-07T08:59:59Z")), -7 * 3600);
    assert_int_equal(hl_zone_offset_at(zone, instant("2100-11-07T09:00:00Z")), -8 * 3600);
}

static void test_every_second_of_2024_round_trips_in_los_angeles(void **state)
{
    (void)state;
    hl_clock_set_zone(zone_named("America/Los_Angeles"));
    /* Every 7 minutes and 13 seconds of the year, and every second around
     * both changes: formatted with the offset and read back, the same instant. */
    for (hl_time at = instant("2024-01-01T00:00:00Z"); at < instant("2025-01-01T00:00:00Z");
         at += 433) {
        char text[40];
        hl_clock_format_iso(at, text, sizeof text);
        assert_true(instant(text) == at);
    }
    const char *changes[] = {"2024-03-10T10:00:00Z", "2024-11-03T09:00:00Z"};
    for (size_t index = 0; index < 2; index++)
        for (hl_time at = instant(changes[index]) - 7200; at < instant(changes[index]) + 7200;
             at++) {
            char text[40];
            hl_clock_format_iso(at, text, sizeof text);
            assert_true(instant(text) == at);
        }
}

static void test_utc_has_no_offset(void **state)
{
    (void)state;
    const hl_zone *zone = zone_named("UTC");
    hl_clock_set_zone(zone);
    assert_int_equal(hl_zone_offset_at(zone, instant("2024-07-01T00:00:00Z")), 0);
    assert_iso(instant("2024-07-01T12:34:56Z"), "2024-07-01T12:34:56+00:00");
    assert_true(instant("2024-07-01 12:34:56") == instant("2024-07-01T12:34:56Z"));
}

static void test_a_zone_is_shared_and_fixed_zones_are_named_by_offset(void **state)
{
    (void)state;
    assert_ptr_equal(zone_named("America/Los_Angeles"), zone_named("America/Los_Angeles"));
    assert_string_equal(hl_zone_name(hl_zone_fixed(-330 * 60)), "-05:30");
    assert_ptr_equal(hl_zone_fixed(480 * 60), hl_zone_fixed(480 * 60));
    assert_int_equal(hl_zone_offset_at(hl_zone_fixed(-330 * 60), 0), -330 * 60);
}

static void test_unknown_and_bad_names_are_one_clear_error(void **state)
{
    (void)state;
    const char *names[] = {"Mars/Olympus_Mons",
                           "",
                           "../../etc/passwd",
                           "/etc/passwd",
                           "Asia//Shanghai",
                           "Asia/Shanghai/",
                           "Asia/./Shanghai",
                           "Asia/Shang hai",
                           "Asia",
                           "zone.tab"};
    for (size_t index = 0; index < sizeof names / sizeof names[0]; index++) {
        const hl_zone *zone = NULL;
        hl_error error;
        hl_error_clear(&error);
        assert_int_equal(hl_zone_get(names[index], &zone, &error), HL_EINVAL);
        assert_string_equal(error.field, "time_zone");
        assert_true(strlen(error.message) > 0);
        assert_null(strchr(error.message, '\n'));
    }
}

/* Reads a zone file's bytes from the system's data. */
static unsigned char *zone_bytes(const char *name, size_t *size)
{
    char path[256], *data = NULL;
    hl_error error;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    assert_int_equal(hl_file_read_all(path, 1 << 20, &data, size, &error), HL_OK);
    return (unsigned char *)data;
}

static void test_every_cut_and_flipped_byte_is_a_zone_or_an_error(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *data = zone_bytes("America/Los_Angeles", &size);
    hl_zone *zone = NULL;
    hl_error error;
    assert_int_equal(hl_zone_parse("whole", data, size, &zone, &error), HL_OK);
    hl_zone_free(zone);
    /* Every prefix but the whole file is refused (the footer is last). */
    for (size_t length = 0; length < size; length++) {
        zone = NULL;
        assert_int_equal(hl_zone_parse("cut", data, length, &zone, &error), HL_EINVAL);
        assert_null(zone);
    }
    /* Every byte changed: a zone (then usable) or an error, never a crash
     * (run under the sanitizers, an overread would show). */
    for (size_t position = 0; position < size; position++) {
        unsigned char saved = data[position];
        data[position] = (unsigned char)(saved ^ 0xA5);
        zone = NULL;
        if (hl_zone_parse("flipped", data, size, &zone, &error) == HL_OK) {
            (void)hl_zone_offset_at(zone, 1710064800);
            (void)hl_zone_instant_of(zone, 1710064800);
            hl_zone_free(zone);
        }
        data[position] = saved;
    }
    free(data);
}

static void test_a_damaged_file_in_the_zone_directory_names_the_fault(void **state)
{
    (void)state;
    char directory[256], path[300];
    test_make_temp_dir(directory, sizeof directory);
    test_path(path, sizeof path, directory, "Broken_Zone");
    test_write_file(path, "TZif2 but not really a zone file at all, too short");
    setenv("TZDIR", directory, 1);
    const hl_zone *zone = NULL;
    hl_error error;
    assert_int_equal(hl_zone_get("Broken_Zone", &zone, &error), HL_EINVAL);
    assert_non_null(strstr(error.message, "Broken_Zone"));
    assert_non_null(strstr(error.message, "TZif"));
    unsetenv("TZDIR");
    test_remove_tree(directory);
}

static void test_posix_rules_of_other_hemispheres_and_forms(void **state)
{
    (void)state;
    /* Australia/Sydney: daylight saving across the new year (AEDT +11 from
     * the first Sunday of October to the first Sunday of April). */
    const hl_zone *sydney = zone_named("Australia/Sydney");
    assert_int_equal(hl_zone_offset_at(sydney, instant("2100-01-15T00:00:00Z")), 11 * 3600);
    assert_int_equal(hl_zone_offset_at(sydney, instant("2100-07-15T00:00:00Z")), 10 * 3600);
    /* Asia/Kolkata: a half-hour offset. */
    hl_clock_set_zone(zone_named("Asia/Kolkata"));
    assert_iso(instant("2024-07-01T00:00:00Z"), "2024-07-01T05:30:00+05:30");
}

#define TEST(test) cmocka_unit_test_setup_teardown(test, reset_zone, reset_zone)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_shanghai_is_plus_eight_without_daylight_saving),
        TEST(test_the_same_as_the_builtin_default_since_1992),
        TEST(test_los_angeles_springs_forward_on_10_march_2024),
        TEST(test_los_angeles_falls_back_on_3_november_2024),
        TEST(test_los_angeles_rule_holds_past_the_file),
        TEST(test_every_second_of_2024_round_trips_in_los_angeles),
        TEST(test_utc_has_no_offset),
        TEST(test_a_zone_is_shared_and_fixed_zones_are_named_by_offset),
        TEST(test_unknown_and_bad_names_are_one_clear_error),
        TEST(test_every_cut_and_flipped_byte_is_a_zone_or_an_error),
        TEST(test_a_damaged_file_in_the_zone_directory_names_the_fault),
        TEST(test_posix_rules_of_other_hemispheres_and_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
