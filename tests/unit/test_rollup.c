/* test_rollup.c: the counter increments of each action and the rollup map. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/rollup.h"

static int reset_zone(void **state)
{
    (void)state;
    hl_clock_set_offset_minutes(480);
    return 0;
}

static hl_time instant(const char *text)
{
    hl_time value = 0;
    assert_int_equal(hl_clock_parse_time(hl_slice_of(text), &value), HL_OK);
    return value;
}

/* Events are large (notes of 4000 characters); one static scratch event
 * keeps them off the test's stack. */
static hl_event scratch_event;

static hl_event *make_event(hl_action action, const char *at, const char *unit)
{
    hl_event *event = &scratch_event;
    memset(event, 0, sizeof *event);
    event->order_id = 20240215000001;
    event->seq = 2;
    event->at = instant(at);
    event->action = action;
    snprintf(event->unit, sizeof event->unit, "%s", unit);
    return event;
}

static void assert_delta(const hl_rollup_delta *delta, int month, const char *unit,
                         hl_counter counter)
{
    assert_int_equal(delta->month, month);
    assert_string_equal(delta->unit, unit);
    assert_string_equal(hl_rollup_counter_name(delta->counter), hl_rollup_counter_name(counter));
    assert_int_equal(delta->amount, 1);
}

/* An action that adds exactly one to one counter of the event's unit. */
static void assert_single_counter(hl_action action, hl_counter counter)
{
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    const hl_event *event = make_event(action, "2024-02-15 10:00:00", "water");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_delta(&deltas[0], 202402, "water", counter);
}

static void test_counter_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"received",
                           "resolved_at_intake",
                           "dispatched",
                           "signed",
                           "signed_on_time",
                           "returned",
                           "return_rejected",
                           "reassigned_away",
                           "extension_requested",
                           "extension_approved",
                           "reminded",
                           "supervised",
                           "completed",
                           "completed_on_time",
                           "reopened",
                           "merged",
                           "invalidated",
                           "archived",
                           "survey_calls",
                           "surveyed",
                           "survey_succeeded",
                           "rated_very_satisfied",
                           "rated_satisfied",
                           "rated_basically_satisfied",
                           "rated_dissatisfied",
                           "rated_very_dissatisfied",
                           "survey_resolved",
                           "appealed",
                           "appeal_upheld",
                           "appeal_rejected"};
    assert_int_equal(sizeof names / sizeof names[0], HL_COUNTER_COUNT);
    for (int counter = 0; counter < HL_COUNTER_COUNT; counter++) {
        hl_counter parsed = HL_COUNTER_COUNT;
        assert_string_equal(hl_rollup_counter_name((hl_counter)counter), names[counter]);
        assert_int_equal(hl_rollup_counter_parse(names[counter], &parsed), HL_OK);
        assert_int_equal(parsed, counter);
    }
}

static void test_counter_parse_rejects_unknown(void **state)
{
    (void)state;
    hl_counter parsed = HL_COUNTER_RECEIVED;
    assert_int_equal(hl_rollup_counter_parse("RECEIVED", &parsed), HL_EINVAL);
    assert_int_equal(hl_rollup_counter_parse("", &parsed), HL_EINVAL);
    assert_int_equal(hl_rollup_counter_parse(NULL, &parsed), HL_EINVAL);
    assert_int_equal(parsed, HL_COUNTER_RECEIVED);
}

static void test_register_counts_received(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    const hl_event *event = make_event(HL_ACTION_REGISTER, "2024-02-15 10:00:00", "");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_delta(&deltas[0], 202402, "", HL_COUNTER_RECEIVED);
}

static void test_resolve_counts_resolved_at_intake(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_RESOLVE, HL_COUNTER_RESOLVED_AT_INTAKE);
}

static void test_dispatch_counts_dispatched(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_DISPATCH, HL_COUNTER_DISPATCHED);
}

static void test_sign_on_time_counts_signed_and_signed_on_time(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_SIGN, "2024-02-15 10:00:00", "water");
    event->deadline = instant("2024-02-16 23:59:59");
    assert_int_equal(hl_rollup_of_event(event, deltas), 2);
    assert_delta(&deltas[0], 202402, "water", HL_COUNTER_SIGNED);
    assert_delta(&deltas[1], 202402, "water", HL_COUNTER_SIGNED_ON_TIME);
}

static void test_sign_late_counts_only_signed(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_SIGN, "2024-02-17 00:00:00", "water");
    event->deadline = instant("2024-02-16 23:59:59");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_delta(&deltas[0], 202402, "water", HL_COUNTER_SIGNED);
}

static void test_sign_exactly_at_deadline_is_on_time(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_SIGN, "2024-02-16 23:59:59", "water");
    event->deadline = event->at;
    assert_int_equal(hl_rollup_of_event(event, deltas), 2);
    assert_delta(&deltas[1], 202402, "water", HL_COUNTER_SIGNED_ON_TIME);
}

static void test_sign_without_deadline_is_on_time(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    const hl_event *event = make_event(HL_ACTION_SIGN, "2024-02-16 10:00:00", "water");
    assert_int_equal(hl_rollup_of_event(event, deltas), 2);
    assert_delta(&deltas[1], 202402, "water", HL_COUNTER_SIGNED_ON_TIME);
}

static void test_handle_counts_nothing(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    const hl_event *event = make_event(HL_ACTION_HANDLE, "2024-02-15 10:00:00", "water");
    assert_int_equal(hl_rollup_of_event(event, deltas), 0);
}

static void test_complete_on_time_counts_completed_and_completed_on_time(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_COMPLETE, "2024-02-20 10:00:00", "water");
    event->deadline = instant("2024-02-22 23:59:59");
    assert_int_equal(hl_rollup_of_event(event, deltas), 2);
    assert_delta(&deltas[0], 202402, "water", HL_COUNTER_COMPLETED);
    assert_delta(&deltas[1], 202402, "water", HL_COUNTER_COMPLETED_ON_TIME);
}

static void test_complete_late_counts_only_completed(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_COMPLETE, "2024-02-23 00:00:00", "water");
    event->deadline = instant("2024-02-22 23:59:59");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_delta(&deltas[0], 202402, "water", HL_COUNTER_COMPLETED);
}

static void test_complete_exactly_at_deadline_is_on_time(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_COMPLETE, "2024-02-22 23:59:59", "water");
    event->deadline = event->at;
    assert_int_equal(hl_rollup_of_event(event, deltas), 2);
    assert_delta(&deltas[1], 202402, "water", HL_COUNTER_COMPLETED_ON_TIME);
    event->at++;
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
}

static void test_return_counts_returned(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_RETURN, HL_COUNTER_RETURNED);
}

static void test_return_reject_counts_return_rejected(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_RETURN_REJECT, HL_COUNTER_RETURN_REJECTED);
}

static void test_reassign_counts_for_both_units(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    hl_event *event = make_event(HL_ACTION_REASSIGN, "2024-02-15 10:00:00", "power");
    snprintf(event->other_unit, sizeof event->other_unit, "%s", "water");
    assert_int_equal(hl_rollup_of_event(event, deltas), 2);
    assert_delta(&deltas[0], 202402, "power", HL_COUNTER_DISPATCHED);
    assert_delta(&deltas[1], 202402, "water", HL_COUNTER_REASSIGNED_AWAY);
}

static void test_reassign_without_previous_unit_counts_only_dispatch(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    const hl_event *event = make_event(HL_ACTION_REASSIGN, "2024-02-15 10:00:00", "power");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_delta(&deltas[0], 202402, "power", HL_COUNTER_DISPATCHED);
}

static void test_extend_request_counts_extension_requested(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_EXTEND_REQUEST, HL_COUNTER_EXTENSION_REQUESTED);
}

static void test_extend_approve_counts_extension_approved(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_EXTEND_APPROVE, HL_COUNTER_EXTENSION_APPROVED);
}

static void test_extend_refuse_counts_nothing(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    const hl_event *event = make_event(HL_ACTION_EXTEND_REFUSE, "2024-02-15 10:00:00", "water");
    assert_int_equal(hl_rollup_of_event(event, deltas), 0);
}

static void test_remind_counts_reminded(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_REMIND, HL_COUNTER_REMINDED);
}

static void test_supervise_counts_supervised(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_SUPERVISE, HL_COUNTER_SUPERVISED);
}

static void test_reopen_counts_reopened(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_REOPEN, HL_COUNTER_REOPENED);
}

static void test_merge_counts_merged(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_MERGE, HL_COUNTER_MERGED);
}

static void test_invalidate_counts_invalidated(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_INVALIDATE, HL_COUNTER_INVALIDATED);
}

static void test_archive_counts_archived(void **state)
{
    (void)state;
    assert_single_counter(HL_ACTION_ARCHIVE, HL_COUNTER_ARCHIVED);
}

static void test_every_action_stays_within_max_deltas(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    for (int action = 0; action < HL_ACTION_COUNT; action++) {
        hl_event *event = make_event((hl_action)action, "2024-02-15 10:00:00", "water");
        snprintf(event->other_unit, sizeof event->other_unit, "%s", "power");
        assert_true(hl_rollup_of_event(event, deltas) <= HL_ROLLUP_MAX_DELTAS);
    }
}

static void test_month_is_local_month_of_event(void **state)
{
    (void)state;
    hl_rollup_delta deltas[HL_ROLLUP_MAX_DELTAS];
    /* 2024-01-31T16:00:00Z is midnight of 1 February in +08:00. */
    hl_event *event = make_event(HL_ACTION_DISPATCH, "2024-01-31T15:59:59Z", "water");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_int_equal(deltas[0].month, 202401);
    event->at = instant("2024-01-31T16:00:00Z");
    assert_int_equal(hl_rollup_of_event(event, deltas), 1);
    assert_int_equal(deltas[0].month, 202402);
}

static hl_rollup_delta delta_of(int month, const char *unit, hl_counter counter, int64_t amount)
{
    hl_rollup_delta delta;
    memset(&delta, 0, sizeof delta);
    delta.month = month;
    snprintf(delta.unit, sizeof delta.unit, "%s", unit);
    delta.counter = counter;
    delta.amount = amount;
    return delta;
}

static void add(hl_rollup_map *map, int month, const char *unit, hl_counter counter, int64_t amount)
{
    hl_rollup_delta delta = delta_of(month, unit, counter, amount);
    hl_rollup_map_add(map, &delta);
}

static void test_map_add_sums_amounts(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    add(map, 202402, "water", HL_COUNTER_SIGNED, 1);
    add(map, 202402, "water", HL_COUNTER_SIGNED, 2);
    add(map, 202402, "water", HL_COUNTER_SIGNED, 4);
    assert_int_equal(hl_rollup_map_get(map, 202402, "water", HL_COUNTER_SIGNED), 7);
    assert_int_equal(hl_rollup_map_size(map), 1);
    hl_rollup_map_free(map);
}

static void test_map_get_of_absent_key_is_zero(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    add(map, 202402, "water", HL_COUNTER_SIGNED, 1);
    assert_int_equal(hl_rollup_map_get(map, 202403, "water", HL_COUNTER_SIGNED), 0);
    assert_int_equal(hl_rollup_map_get(map, 202402, "wate", HL_COUNTER_SIGNED), 0);
    assert_int_equal(hl_rollup_map_get(map, 202402, "water", HL_COUNTER_COMPLETED), 0);
    assert_int_equal(hl_rollup_map_get(map, 202402, "", HL_COUNTER_SIGNED), 0);
    assert_int_equal(hl_rollup_map_get(map, 202402, "a-unit-code-longer-than-thirty-two-chars",
                                       HL_COUNTER_SIGNED),
                     0);
    hl_rollup_map_free(map);
}

static void test_map_keys_differ_by_month_unit_and_counter(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    add(map, 202402, "water", HL_COUNTER_SIGNED, 1);
    add(map, 202403, "water", HL_COUNTER_SIGNED, 10);
    add(map, 202402, "power", HL_COUNTER_SIGNED, 100);
    add(map, 202402, "water", HL_COUNTER_COMPLETED, 1000);
    add(map, 202402, "", HL_COUNTER_SIGNED, 10000);
    assert_int_equal(hl_rollup_map_size(map), 5);
    assert_int_equal(hl_rollup_map_get(map, 202402, "water", HL_COUNTER_SIGNED), 1);
    assert_int_equal(hl_rollup_map_get(map, 202403, "water", HL_COUNTER_SIGNED), 10);
    assert_int_equal(hl_rollup_map_get(map, 202402, "power", HL_COUNTER_SIGNED), 100);
    assert_int_equal(hl_rollup_map_get(map, 202402, "water", HL_COUNTER_COMPLETED), 1000);
    assert_int_equal(hl_rollup_map_get(map, 202402, "", HL_COUNTER_SIGNED), 10000);
    hl_rollup_map_free(map);
}

static void test_map_size_counts_only_non_zero_keys(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    add(map, 202402, "water", HL_COUNTER_SIGNED, 0);
    assert_int_equal(hl_rollup_map_size(map), 0);
    add(map, 202402, "water", HL_COUNTER_SIGNED, 3);
    add(map, 202402, "power", HL_COUNTER_SIGNED, 1);
    assert_int_equal(hl_rollup_map_size(map), 2);
    add(map, 202402, "water", HL_COUNTER_SIGNED, -3);
    assert_int_equal(hl_rollup_map_size(map), 1);
    add(map, 202402, "water", HL_COUNTER_SIGNED, 5);
    assert_int_equal(hl_rollup_map_size(map), 2);
    assert_int_equal(hl_rollup_map_get(map, 202402, "water", HL_COUNTER_SIGNED), 5);
    hl_rollup_map_free(map);
}

static void test_map_clear_empties_and_map_is_reusable(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    for (int index = 0; index < 1000; index++)
        add(map, 202401 + index % 12, "water", (hl_counter)(index % HL_COUNTER_COUNT), 1);
    hl_rollup_map_clear(map);
    assert_int_equal(hl_rollup_map_size(map), 0);
    assert_int_equal(hl_rollup_map_get(map, 202401, "water", HL_COUNTER_RECEIVED), 0);
    add(map, 202401, "water", HL_COUNTER_RECEIVED, 2);
    assert_int_equal(hl_rollup_map_get(map, 202401, "water", HL_COUNTER_RECEIVED), 2);
    assert_int_equal(hl_rollup_map_size(map), 1);
    hl_rollup_map_free(map);
}

typedef struct collected {
    hl_rollup_delta entries[16];
    size_t count;
} collected;

static void collect(void *context, const hl_rollup_delta *entry)
{
    collected *into = context;
    assert_true(into->count < sizeof into->entries / sizeof into->entries[0]);
    into->entries[into->count++] = *entry;
}

static void test_map_each_visits_in_month_unit_counter_order(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    add(map, 202403, "", HL_COUNTER_RECEIVED, 1);
    add(map, 202402, "water", HL_COUNTER_COMPLETED, 2);
    add(map, 202402, "Water", HL_COUNTER_RECEIVED, 3);
    add(map, 202402, "water", HL_COUNTER_DISPATCHED, 4);
    add(map, 202402, "", HL_COUNTER_RECEIVED, 5);
    add(map, 202312, "zoo", HL_COUNTER_ARCHIVED, 6);
    add(map, 202402, "power", HL_COUNTER_SIGNED, 7);
    collected seen = {.count = 0};
    hl_rollup_map_each(map, collect, &seen);
    assert_int_equal(seen.count, 7);
    /* strcmp order: "" < "Water" < "power" < "water". */
    const struct {
        int month;
        const char *unit;
        hl_counter counter;
        int64_t amount;
    } expected[] = {
        {202312, "zoo", HL_COUNTER_ARCHIVED, 6},     {202402, "", HL_COUNTER_RECEIVED, 5},
        {202402, "Water", HL_COUNTER_RECEIVED, 3},   {202402, "power", HL_COUNTER_SIGNED, 7},
        {202402, "water", HL_COUNTER_DISPATCHED, 4}, {202402, "water", HL_COUNTER_COMPLETED, 2},
        {202403, "", HL_COUNTER_RECEIVED, 1},
    };
    for (size_t index = 0; index < seen.count; index++) {
        assert_int_equal(seen.entries[index].month, expected[index].month);
        assert_string_equal(seen.entries[index].unit, expected[index].unit);
        assert_int_equal(seen.entries[index].counter, expected[index].counter);
        assert_int_equal(seen.entries[index].amount, expected[index].amount);
    }
    hl_rollup_map_free(map);
}

static void test_map_each_skips_entries_summing_to_zero(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    add(map, 202402, "water", HL_COUNTER_SIGNED, 2);
    add(map, 202402, "water", HL_COUNTER_SIGNED, -2);
    add(map, 202402, "power", HL_COUNTER_SIGNED, 1);
    collected seen = {.count = 0};
    hl_rollup_map_each(map, collect, &seen);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.entries[0].unit, "power");
    hl_rollup_map_free(map);
}

static void test_map_each_on_empty_map_visits_nothing(void **state)
{
    (void)state;
    hl_rollup_map *map = hl_rollup_map_new();
    collected seen = {.count = 0};
    hl_rollup_map_each(map, collect, &seen);
    assert_int_equal(seen.count, 0);
    hl_rollup_map_free(map);
}

#define MANY_UNITS 1000
#define MANY_MONTHS 10
#define MANY_COUNTERS 10
#define MANY_KEYS (MANY_UNITS * MANY_MONTHS * MANY_COUNTERS)

typedef struct order_check {
    hl_rollup_delta previous;
    size_t count;
    bool in_order;
} order_check;

static void check_order(void *context, const hl_rollup_delta *entry)
{
    order_check *check = context;
    if (check->count > 0) {
        const hl_rollup_delta *previous = &check->previous;
        int by_unit = strcmp(previous->unit, entry->unit);
        bool ascending = previous->month < entry->month ||
                         (previous->month == entry->month &&
                          (by_unit < 0 || (by_unit == 0 && previous->counter < entry->counter)));
        if (!ascending)
            check->in_order = false;
    }
    check->previous = *entry;
    check->count++;
}

static void test_map_holds_100000_distinct_keys(void **state)
{
    (void)state;
    assert_int_equal(MANY_KEYS, 100000);
    hl_rollup_map *map = hl_rollup_map_new();
    /* Each key twice, in two passes, so the second pass finds existing keys
     * in a table that has grown many times. */
    for (int pass = 0; pass < 2; pass++) {
        for (int unit = 0; unit < MANY_UNITS; unit++) {
            char code[HL_CODE_BYTES];
            snprintf(code, sizeof code, "unit-%04d", unit);
            for (int month = 0; month < MANY_MONTHS; month++)
                for (int counter = 0; counter < MANY_COUNTERS; counter++)
                    add(map, 202401 + month, code, (hl_counter)counter, unit + 1);
        }
    }
    assert_int_equal(hl_rollup_map_size(map), MANY_KEYS);
    assert_int_equal(hl_rollup_map_get(map, 202401, "unit-0000", HL_COUNTER_RECEIVED), 2);
    assert_int_equal(hl_rollup_map_get(map, 202410, "unit-0999", (hl_counter)(MANY_COUNTERS - 1)),
                     2000);
    assert_int_equal(hl_rollup_map_get(map, 202411, "unit-0999", HL_COUNTER_RECEIVED), 0);
    assert_int_equal(hl_rollup_map_get(map, 202405, "unit-1000", HL_COUNTER_RECEIVED), 0);
    assert_int_equal(hl_rollup_map_get(map, 202405, "unit-0001", (hl_counter)MANY_COUNTERS), 0);
    order_check check = {.count = 0, .in_order = true};
    hl_rollup_map_each(map, check_order, &check);
    assert_int_equal(check.count, MANY_KEYS);
    assert_true(check.in_order);
    hl_rollup_map_free(map);
}

#define TEST(function) cmocka_unit_test_setup_teardown(function, reset_zone, reset_zone)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_counter_names_round_trip),
        TEST(test_counter_parse_rejects_unknown),
        TEST(test_register_counts_received),
        TEST(test_resolve_counts_resolved_at_intake),
        TEST(test_dispatch_counts_dispatched),
        TEST(test_sign_on_time_counts_signed_and_signed_on_time),
        TEST(test_sign_late_counts_only_signed),
        TEST(test_sign_exactly_at_deadline_is_on_time),
        TEST(test_sign_without_deadline_is_on_time),
        TEST(test_handle_counts_nothing),
        TEST(test_complete_on_time_counts_completed_and_completed_on_time),
        TEST(test_complete_late_counts_only_completed),
        TEST(test_complete_exactly_at_deadline_is_on_time),
        TEST(test_return_counts_returned),
        TEST(test_return_reject_counts_return_rejected),
        TEST(test_reassign_counts_for_both_units),
        TEST(test_reassign_without_previous_unit_counts_only_dispatch),
        TEST(test_extend_request_counts_extension_requested),
        TEST(test_extend_approve_counts_extension_approved),
        TEST(test_extend_refuse_counts_nothing),
        TEST(test_remind_counts_reminded),
        TEST(test_supervise_counts_supervised),
        TEST(test_reopen_counts_reopened),
        TEST(test_merge_counts_merged),
        TEST(test_invalidate_counts_invalidated),
        TEST(test_archive_counts_archived),
        TEST(test_every_action_stays_within_max_deltas),
        TEST(test_month_is_local_month_of_event),
        TEST(test_map_add_sums_amounts),
        TEST(test_map_get_of_absent_key_is_zero),
        TEST(test_map_keys_differ_by_month_unit_and_counter),
        TEST(test_map_size_counts_only_non_zero_keys),
        TEST(test_map_clear_empties_and_map_is_reusable),
        TEST(test_map_each_visits_in_month_unit_counter_order),
        TEST(test_map_each_skips_entries_summing_to_zero),
        TEST(test_map_each_on_empty_map_visits_nothing),
        TEST(test_map_holds_100000_distinct_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
