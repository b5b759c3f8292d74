/* Tests of the request budgets and failure counts of src/app/throttle.c,
 * kept in a real store file (they were an in-memory table of the HTTP
 * server, src/http/rate_limit.c, whose assertions are kept here):
 * requests pass up to the limit and the next is refused with the seconds
 * left in the window; a new window passes again; keys count apart; long
 * keys are found again; a flood of distinct keys refuses no newcomer;
 * threads racing on one key pass exactly the limit.
 * New with the store: two hl_app on one file (two servers) spend one
 * budget, and see each other's failures. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/throttle.h"
#include "base/i18n.h"
#include "test_support.h"

#define NOW ((hl_time)1709517600)

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
} fixture;

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               NULL, NULL, NULL);
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

/* hl_throttle_take's wait, the test failing on a store error. */
static int take(hl_app *app, const char *budget, int limit, hl_time now)
{
    int wait = -1;
    hl_error error;
    assert_int_equal(hl_throttle_take(app, budget, limit, now, &wait, &error), HL_OK);
    return wait;
}

static hl_app *open_second(fixture *fix)
{
    hl_app *app = NULL;
    hl_error error;
    assert_int_equal(test_app_open(fix->directory, fix->path, &app, &error), HL_OK);
    return app;
}

static void test_requests_pass_up_to_the_limit(void **state)
{
    fixture *fix = *state;
    for (int index = 0; index < 5; index++)
        assert_int_equal(take(fix->app, "k:1:post", 5, NOW + index), 0);
    assert_int_equal(take(fix->app, "k:1:post", 5, NOW + 10), 50);
    assert_int_equal(take(fix->app, "k:1:post", 5, NOW + 59), 1);
}

static void test_a_new_window_passes_again(void **state)
{
    fixture *fix = *state;
    assert_int_equal(take(fix->app, "a:10.0.0.1", 1, NOW), 0);
    assert_true(take(fix->app, "a:10.0.0.1", 1, NOW + 30) > 0);
    assert_int_equal(take(fix->app, "a:10.0.0.1", 1, NOW + HL_THROTTLE_RATE_WINDOW_SECONDS), 0);
    assert_true(take(fix->app, "a:10.0.0.1", 1, NOW + HL_THROTTLE_RATE_WINDOW_SECONDS + 1) > 0);
}

static void test_a_clock_set_back_does_not_block_longer(void **state)
{
    fixture *fix = *state;
    assert_int_equal(take(fix->app, "key", 1, NOW), 0);
    assert_int_equal(take(fix->app, "key", 1, NOW - 3600), 0);
}

static void test_keys_count_apart(void **state)
{
    fixture *fix = *state;
    assert_int_equal(take(fix->app, "k:1:post", 1, NOW), 0);
    assert_true(take(fix->app, "k:1:post", 1, NOW) > 0);
    assert_int_equal(take(fix->app, "k:1:get", 1, NOW), 0);
    assert_int_equal(take(fix->app, "k:2:post", 1, NOW), 0);
}

static void test_zero_limit_refuses(void **state)
{
    fixture *fix = *state;
    assert_true(take(fix->app, "k", 0, NOW) > 0);
}

static void test_long_keys_find_their_slot(void **state)
{
    fixture *fix = *state;
    char key[300];
    memset(key, 'x', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_int_equal(take(fix->app, key, 2, NOW), 0);
    assert_int_equal(take(fix->app, key, 2, NOW), 0);
    assert_true(take(fix->app, key, 2, NOW) > 0);
}

static void test_a_flood_of_keys_refuses_no_newcomer(void **state)
{
    fixture *fix = *state;
    char key[32];
    /* Far more keys than the in-memory table had slots (4,096), each within
     * its budget: every first request of a key passes. */
    for (int index = 0; index < 4096 * 4; index++) {
        snprintf(key, sizeof key, "a:10.%d.%d.%d", index >> 16, (index >> 8) & 255, index & 255);
        assert_int_equal(take(fix->app, key, 1, NOW), 0);
    }
    /* A key just counted is still remembered. */
    assert_true(take(fix->app, key, 1, NOW) > 0);
}

typedef struct racer {
    const char *directory;
    const char *path;
    int passed;
} racer;

/* Each thread its own connection, as each of a server's workers has, or
 * each of several servers. */
static void *race(void *context)
{
    racer *self = context;
    hl_app *app = NULL;
    hl_error error;
    if (test_app_open(self->directory, self->path, &app, &error) != HL_OK)
        return NULL;
    for (int index = 0; index < 1000; index++) {
        int wait = -1;
        if (hl_throttle_take(app, "k:shared:get", 2500, NOW, &wait, &error) == HL_OK && wait == 0)
            self->passed++;
    }
    hl_app_close(app);
    return NULL;
}

static void test_threads_pass_exactly_the_limit(void **state)
{
    fixture *fix = *state;
    pthread_t threads[8];
    racer racers[8];
    for (int index = 0; index < 8; index++) {
        racers[index].directory = fix->directory;
        racers[index].path = fix->path;
        racers[index].passed = 0;
        assert_int_equal(pthread_create(&threads[index], NULL, race, &racers[index]), 0);
    }
    int passed = 0;
    for (int index = 0; index < 8; index++) {
        pthread_join(threads[index], NULL);
        passed += racers[index].passed;
    }
    assert_int_equal(passed, 2500);
}

static void test_two_apps_on_one_store_spend_one_budget(void **state)
{
    fixture *fix = *state;
    hl_app *other = open_second(fix);
    assert_int_equal(take(fix->app, "k:7:post", 3, NOW), 0);
    assert_int_equal(take(other, "k:7:post", 3, NOW + 1), 0);
    assert_int_equal(take(fix->app, "k:7:post", 3, NOW + 2), 0);
    assert_int_equal(take(other, "k:7:post", 3, NOW + 3), 57);
    assert_int_equal(take(fix->app, "k:7:post", 3, NOW + 4), 56);
    hl_app_close(other);
}

static void test_two_apps_see_each_others_failures(void **state)
{
    fixture *fix = *state;
    hl_app *other = open_second(fix);
    hl_error error;
    int seconds = -1;
    for (int index = 0; index < 3; index++) {
        assert_int_equal(hl_throttle_fail(fix->app, "u:agent", 300, NOW, NULL, &error), HL_OK);
        assert_int_equal(hl_throttle_fail(other, "u:agent", 300, NOW + 10, NULL, &error), HL_OK);
    }
    assert_int_equal(hl_throttle_blocked_for(other, "u:agent", 7, NOW + 20, &seconds, &error),
                     HL_OK);
    assert_int_equal(seconds, 0); /* six failures: not yet seven */
    assert_int_equal(hl_throttle_blocked_for(fix->app, "u:agent", 6, NOW + 20, &seconds, &error),
                     HL_OK);
    assert_int_equal(seconds, 280);
    assert_int_equal(hl_throttle_forget(other, "u:agent", &error), HL_OK);
    assert_int_equal(hl_throttle_blocked_for(fix->app, "u:agent", 6, NOW + 20, &seconds, &error),
                     HL_OK);
    assert_int_equal(seconds, 0);
    hl_app_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests_pass_up_to_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_new_window_passes_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_clock_set_back_does_not_block_longer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_keys_count_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_limit_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_keys_find_their_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_flood_of_keys_refuses_no_newcomer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_pass_exactly_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_apps_on_one_store_spend_one_budget, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_apps_see_each_others_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
