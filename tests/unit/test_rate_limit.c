/* test_rate_limit.c: the per-key request budgets of the Open311 routes
 * (src/http/rate_limit.c): requests pass up to the limit and the next is
 * refused with the seconds left in the window; a new window passes again;
 * keys count apart; long keys are found again; a flood of distinct keys
 * does not refuse anyone wrongly; and threads racing on one key pass
 * exactly the limit. */
#include "test_support.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "http/rate_limit.h"

#define NOW ((hl_time)1709517600)

static void test_requests_pass_up_to_the_limit(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    for (int index = 0; index < 5; index++)
        assert_int_equal(hl_rate_limiter_take(limiter, "k:1:post", 5, NOW + index), 0);
    assert_int_equal(hl_rate_limiter_take(limiter, "k:1:post", 5, NOW + 10), 50);
    assert_int_equal(hl_rate_limiter_take(limiter, "k:1:post", 5, NOW + 59), 1);
    hl_rate_limiter_free(limiter);
}

static void test_a_new_window_passes_again(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    assert_int_equal(hl_rate_limiter_take(limiter, "a:10.0.0.1", 1, NOW), 0);
    assert_true(hl_rate_limiter_take(limiter, "a:10.0.0.1", 1, NOW + 30) > 0);
    assert_int_equal(hl_rate_limiter_take(limiter, "a:10.0.0.1", 1, NOW + HL_RATE_WINDOW_SECONDS),
                     0);
    assert_true(hl_rate_limiter_take(limiter, "a:10.0.0.1", 1, NOW + HL_RATE_WINDOW_SECONDS + 1) >
                0);
    hl_rate_limiter_free(limiter);
}

static void test_a_clock_set_back_does_not_block_longer(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    assert_int_equal(hl_rate_limiter_take(limiter, "key", 1, NOW), 0);
    int wait = hl_rate_limiter_take(limiter, "key", 1, NOW - 3600);
    assert_int_equal(wait, 0);
    hl_rate_limiter_free(limiter);
}

static void test_keys_count_apart(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    assert_int_equal(hl_rate_limiter_take(limiter, "k:1:post", 1, NOW), 0);
    assert_true(hl_rate_limiter_take(limiter, "k:1:post", 1, NOW) > 0);
    assert_int_equal(hl_rate_limiter_take(limiter, "k:1:get", 1, NOW), 0);
    assert_int_equal(hl_rate_limiter_take(limiter, "k:2:post", 1, NOW), 0);
    hl_rate_limiter_free(limiter);
}

static void test_zero_limit_refuses(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    assert_true(hl_rate_limiter_take(limiter, "k", 0, NOW) > 0);
    hl_rate_limiter_free(limiter);
}

static void test_long_keys_find_their_slot(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    char key[300];
    memset(key, 'x', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_int_equal(hl_rate_limiter_take(limiter, key, 2, NOW), 0);
    assert_int_equal(hl_rate_limiter_take(limiter, key, 2, NOW), 0);
    assert_true(hl_rate_limiter_take(limiter, key, 2, NOW) > 0);
    hl_rate_limiter_free(limiter);
}

static void test_a_flood_of_keys_refuses_no_newcomer(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    char key[32];
    /* Far more keys than slots, each within its budget: every first
     * request of a key passes, whatever the table had to forget. */
    for (int index = 0; index < HL_RATE_SLOTS * 4; index++) {
        snprintf(key, sizeof key, "a:10.%d.%d.%d", index >> 16, (index >> 8) & 255, index & 255);
        assert_int_equal(hl_rate_limiter_take(limiter, key, 1, NOW), 0);
    }
    /* A key just counted is still remembered. */
    assert_true(hl_rate_limiter_take(limiter, key, 1, NOW) > 0);
    hl_rate_limiter_free(limiter);
}

typedef struct racer {
    hl_rate_limiter *limiter;
    int passed;
} racer;

static void *race(void *context)
{
    racer *self = context;
    for (int index = 0; index < 1000; index++)
        if (hl_rate_limiter_take(self->limiter, "k:shared:get", 2500, NOW) == 0)
            self->passed++;
    return NULL;
}

static void test_threads_pass_exactly_the_limit(void **state)
{
    (void)state;
    hl_rate_limiter *limiter = hl_rate_limiter_new();
    pthread_t threads[8];
    racer racers[8];
    for (int index = 0; index < 8; index++) {
        racers[index].limiter = limiter;
        racers[index].passed = 0;
        assert_int_equal(pthread_create(&threads[index], NULL, race, &racers[index]), 0);
    }
    int passed = 0;
    for (int index = 0; index < 8; index++) {
        pthread_join(threads[index], NULL);
        passed += racers[index].passed;
    }
    assert_int_equal(passed, 2500);
    hl_rate_limiter_free(limiter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_pass_up_to_the_limit),
        cmocka_unit_test(test_a_new_window_passes_again),
        cmocka_unit_test(test_a_clock_set_back_does_not_block_longer),
        cmocka_unit_test(test_keys_count_apart),
        cmocka_unit_test(test_zero_limit_refuses),
        cmocka_unit_test(test_long_keys_find_their_slot),
        cmocka_unit_test(test_a_flood_of_keys_refuses_no_newcomer),
        cmocka_unit_test(test_threads_pass_exactly_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
