/* test_array.c: the growth macros and HL_COUNT_OF of base/array.h, and
 * the contracts of base/contract.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/array.h"
#include "base/contract.h"
#include "test_support.h"

static void grow_appends_keep_every_element(void **state)
{
    (void)state;
    int64_t *items = NULL;
    size_t count = 0, capacity = 0;
    for (int64_t value = 0; value < 10000; value++) {
        HL_ARRAY_GROW(items, count, capacity);
        assert_true(count < capacity);
        items[count++] = value * 3;
    }
    for (size_t index = 0; index < count; index++)
        assert_int_equal(items[index], (int64_t)index * 3);
    /* Doubling: 10,000 appends took a capacity of at most twice as many. */
    assert_true(capacity >= 10000 && capacity <= 2 * 10000);
    free(items);
}

static void reserve_makes_room_for_many_at_once(void **state)
{
    (void)state;
    char(*names)[16] = NULL;
    size_t capacity = 0;
    HL_ARRAY_RESERVE(names, capacity, 100);
    assert_true(capacity >= 100);
    size_t before = capacity;
    HL_ARRAY_RESERVE(names, capacity, 50); /* enough room: nothing changes */
    assert_int_equal(capacity, before);
    for (size_t index = 0; index < 100; index++)
        names[index][0] = 'a';
    free(names);
}

static const char *const colours[] = {"red", "green", "blue"};
/* A constant expression. */
_Static_assert(HL_COUNT_OF(colours) == 3, "three colours");

static void count_of_counts_the_elements_of_an_array(void **state)
{
    (void)state;
    int64_t numbers[7];
    assert_int_equal(HL_COUNT_OF(numbers), 7);
    assert_int_equal(HL_COUNT_OF(colours), 3);
    assert_string_equal(colours[HL_COUNT_OF(colours) - 1], "blue");
}

static int evaluations;

static bool counted(void)
{
    evaluations++;
    return true;
}

static void contracts_are_checked_only_in_the_checking_builds(void **state)
{
    (void)state;
    evaluations = 0;
    HL_REQUIRE(counted());
    HL_ASSERT(counted());
#if defined(HL_CONTRACTS) && HL_CONTRACTS
    assert_int_equal(evaluations, 2);
#else
    assert_int_equal(evaluations, 0);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grow_appends_keep_every_element),
        cmocka_unit_test(reserve_makes_room_for_many_at_once),
        cmocka_unit_test(count_of_counts_the_elements_of_an_array),
        cmocka_unit_test(contracts_are_checked_only_in_the_checking_builds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
