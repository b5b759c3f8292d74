/* test_store_derive.c: what a store derives from an order, for every
 * backend (store/derive.c): the order_units rows an insert or an update
 * writes and deletes, the per-state count changes, and the phone-index
 * entries and their order. No database: the derivations alone. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/derive.h"

/* The rows as "code:L" (lead) or "code:C", space-separated, in order. */
static void describe(const hl_derive_unit_rows *rows, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t index = 0; index < rows->count; index++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%.*s:%c", index > 0 ? " " : "",
                 (int)rows->rows[index].length, rows->rows[index].code,
                 rows->rows[index].lead ? 'L' : 'C');
    }
}

static void assert_rows(const char *lead, const char *co_units, const char *expected)
{
    hl_derive_unit_rows rows;
    hl_derive_unit_rows_of(lead, co_units, &rows);
    char text[512];
    describe(&rows, text, sizeof text);
    assert_string_equal(text, expected);
}

static void test_unit_rows_lead_first_then_co_units(void **state)
{
    (void)state;
    assert_rows("water", "gas,power", "water:L gas:C power:C");
    assert_rows("water", "", "water:L");
    assert_rows("", "gas", "gas:C");
    assert_rows("", "", "");
}

static void test_unit_rows_skip_empty_and_repeated_codes(void **state)
{
    (void)state;
    /* The lead among the co-handling units keeps its lead row only. */
    assert_rows("water", "gas,water,gas", "water:L gas:C");
    assert_rows("water", ",gas,,power,", "water:L gas:C power:C");
    /* A code that is a prefix of another is another code. */
    assert_rows("gas", "gas_x,ga", "gas:L gas_x:C ga:C");
}

static void test_unit_rows_stop_at_a_full_field(void **state)
{
    (void)state;
    hl_order *order = calloc(1, sizeof *order);
    memset(order->co_units, 'a', sizeof order->co_units); /* no NUL anywhere */
    hl_derive_unit_rows rows;
    hl_derive_unit_rows_of("", order->co_units, &rows);
    assert_int_equal(rows.count, 1);
    assert_int_equal(rows.rows[0].length, sizeof order->co_units);
    free(order);
}

static hl_order *order_with(const char *lead, const char *co_units, hl_state state)
{
    hl_order *order = calloc(1, sizeof *order);
    order->id = 20240301000001;
    order->received_at = 1709251200;
    order->state = state;
    snprintf(order->lead_unit, sizeof order->lead_unit, "%s", lead);
    snprintf(order->co_units, sizeof order->co_units, "%s", co_units);
    return order;
}

static void assert_change(const char *before_lead, const char *before_co, const char *after_lead,
                          const char *after_co, const char *removed_text, const char *added_text)
{
    hl_derive_listing before = {.state = HL_STATE_DISPATCHED, .received_at = 1709251200};
    snprintf(before.lead_unit, sizeof before.lead_unit, "%s", before_lead);
    snprintf(before.co_units, sizeof before.co_units, "%s", before_co);
    hl_order *after = order_with(after_lead, after_co, HL_STATE_DISPATCHED);
    hl_derive_unit_rows removed, added;
    hl_derive_unit_change(&before, after, &removed, &added);
    char text[512];
    describe(&removed, text, sizeof text);
    assert_string_equal(text, removed_text);
    describe(&added, text, sizeof text);
    assert_string_equal(text, added_text);
    free(after);
}

static void test_unit_change_writes_only_what_changed(void **state)
{
    (void)state;
    /* Nothing changed: nothing to write. */
    assert_change("water", "gas", "water", "gas", "", "");
    /* A transfer: the old lead's row goes, the new one's comes. */
    assert_change("water", "gas", "power", "gas", "water:L", "power:L");
    /* A co-handling unit added and one removed. */
    assert_change("water", "gas,road", "water", "road,power", "gas:C", "power:C");
    /* A co-handling unit becomes the lead: its row is rewritten. */
    assert_change("water", "gas", "gas", "", "water:L gas:C", "gas:L");
    /* The same units written in another order change nothing. */
    assert_change("water", "gas,road", "water", "road,gas", "", "");
}

static void test_unit_change_of_a_registration_adds_every_row(void **state)
{
    (void)state;
    hl_order *order = order_with("water", "gas", HL_STATE_DISPATCHED);
    hl_derive_unit_rows removed, added;
    hl_derive_unit_change(NULL, order, &removed, &added);
    assert_int_equal(removed.count, 0);
    assert_int_equal(added.count, 2);
    free(order);
    /* A registration without units writes no row. */
    order = order_with("", "", HL_STATE_NEW);
    hl_derive_unit_change(NULL, order, &removed, &added);
    assert_int_equal(removed.count + added.count, 0);
    free(order);
}

static void test_state_change_counts(void **state)
{
    (void)state;
    int64_t counts[HL_STATE_COUNT] = {0};
    /* A registration counts into its state only. */
    assert_true(hl_derive_state_change(HL_STATE_NONE, HL_STATE_NEW, counts));
    assert_int_equal(counts[HL_STATE_NEW], 1);
    assert_int_equal(counts[HL_STATE_NONE], 0);
    /* A move counts out of one state and into the other. */
    assert_true(hl_derive_state_change(HL_STATE_NEW, HL_STATE_DISPATCHED, counts));
    assert_int_equal(counts[HL_STATE_NEW], 0);
    assert_int_equal(counts[HL_STATE_DISPATCHED], 1);
    /* No move, no change; a state out of range counts nothing. */
    assert_false(hl_derive_state_change(HL_STATE_DISPATCHED, HL_STATE_DISPATCHED, counts));
    assert_false(hl_derive_state_change(HL_STATE_NONE, (hl_state)HL_STATE_COUNT, counts));
    int64_t total = 0;
    for (int index = 0; index < HL_STATE_COUNT; index++)
        total += counts[index];
    assert_int_equal(total, 1);
}

static void test_phone_entry_of_an_insert(void **state)
{
    (void)state;
    hl_order *order = order_with("", "", HL_STATE_NEW);
    unsigned char hash[HL_PHONE_HASH_BYTES];
    memset(hash, 0x5a, sizeof hash);
    hl_derive_phone_entry entry;
    assert_true(hl_derive_phone_entry_of(order, hash, &entry));
    assert_memory_equal(entry.hash, hash, sizeof hash);
    assert_int_equal(entry.received_at, order->received_at);
    assert_int_equal(entry.order_id, order->id);
    /* No phone, no entry. */
    assert_false(hl_derive_phone_entry_of(order, NULL, &entry));
    free(order);
}

static void test_phone_entries_sort_by_hash_time_then_number(void **state)
{
    (void)state;
    hl_derive_phone_entry entries[4];
    memset(entries, 0, sizeof entries);
    entries[0].hash[0] = 2;
    entries[0].received_at = 1;
    entries[0].order_id = 1;
    entries[1].hash[0] = 1;
    entries[1].received_at = 9;
    entries[1].order_id = 2;
    entries[2].hash[0] = 1;
    entries[2].received_at = 5;
    entries[2].order_id = 7;
    entries[3].hash[0] = 1;
    entries[3].received_at = 5;
    entries[3].order_id = 3;
    qsort(entries, 4, sizeof entries[0], hl_derive_phone_entry_compare);
    assert_int_equal(entries[0].order_id, 3);
    assert_int_equal(entries[1].order_id, 7);
    assert_int_equal(entries[2].order_id, 2);
    assert_int_equal(entries[3].order_id, 1);
    assert_int_equal(hl_derive_phone_entry_compare(&entries[0], &entries[0]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_rows_lead_first_then_co_units),
        cmocka_unit_test(test_unit_rows_skip_empty_and_repeated_codes),
        cmocka_unit_test(test_unit_rows_stop_at_a_full_field),
        cmocka_unit_test(test_unit_change_writes_only_what_changed),
        cmocka_unit_test(test_unit_change_of_a_registration_adds_every_row),
        cmocka_unit_test(test_state_change_counts),
        cmocka_unit_test(test_phone_entry_of_an_insert),
        cmocka_unit_test(test_phone_entries_sort_by_hash_time_then_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
