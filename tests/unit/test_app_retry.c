/* Tests of running a use case again when the store asks for it
 * (hl_app_again, app.c), on a real store file: the store's own operations
 * answer HL_ERETRY a given number of times, as PostgreSQL does on a
 * deadlock or a serialization failure, and then run as usual. The fault
 * is put into the real store's operations table (the commit, or a
 * throttle hit, first rolls back or does nothing and answers HL_ERETRY);
 * app/ is not replaced by anything.
 *
 * Checked: a registration, an action and a request budget retried twice
 * succeed once, with nothing of the failed attempts left (one order, dense
 * numbers, one event, one count); a use case that keeps meeting others
 * gives up after HL_APP_ATTEMPTS with HL_EUNAVAILABLE and writes nothing;
 * HL_ERETRY never comes out of app/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/throttle.h"
#include "base/i18n.h"
#include "test_support.h"

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u1,,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "dispatcher,派单员,dispatcher,,1\n";

#define NOW ((hl_time)1709517600) /* 2024-03-04T10:00:00+08:00 */

/* The store's own operations, and the faults put in front of two of them.
 * One store per test program at a time: the hooks find it here. */
static struct {
    const hl_store_ops *real;
    hl_store_ops patched;
    int commit_faults; /* commits still to answer HL_ERETRY */
    int hit_faults;    /* throttle hits still to answer HL_ERETRY */
    int commits;       /* every commit asked for */
    int hits;
} flaky;

static int retry_error(hl_error *error)
{
    return hl_error_set(error, HL_ERETRY, NULL, "%s", "could not serialize access (injected)");
}

/* As PostgreSQL: the transaction is rolled back, and the commit says so. */
static int flaky_commit(hl_store *store, hl_error *error)
{
    flaky.commits++;
    if (flaky.commit_faults > 0) {
        flaky.commit_faults--;
        flaky.real->rollback(store);
        return retry_error(error);
    }
    return flaky.real->commit(store, error);
}

static int flaky_hit(hl_store *store, const char *key, hl_time now, int window_seconds,
                     int64_t limit, hl_throttle *out, hl_error *error)
{
    flaky.hits++;
    if (flaky.hit_faults > 0) {
        flaky.hit_faults--;
        return retry_error(error);
    }
    return flaky.real->throttle_hit(store, key, now, window_seconds, limit, out, error);
}

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
                               units_csv, categories_csv, users_csv);
    memset(&flaky, 0, sizeof flaky);
    flaky.real = fix->app->store->ops;
    flaky.patched = *flaky.real;
    flaky.patched.commit = flaky_commit;
    flaky.patched.throttle_hit = flaky_hit;
    fix->app->store->ops = &flaky.patched;
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    fix->app->store->ops = flaky.real;
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static hl_order registration(void)
{
    hl_order order;
    memset(&order, 0, sizeof order);
    order.channel = HL_CHANNEL_PHONE;
    order.type = HL_TYPE_COMPLAINT;
    order.received_at = NOW - 60;
    snprintf(order.citizen_name, sizeof order.citizen_name, "张三");
    snprintf(order.citizen_phone, sizeof order.citizen_phone, "13800000000");
    snprintf(order.category, sizeof order.category, "city");
    snprintf(order.title, sizeof order.title, "路灯不亮");
    snprintf(order.content, sizeof order.content, "小区门口路灯坏了");
    return order;
}

static int64_t order_count(fixture *fix)
{
    hl_order_filter filter = {0};
    int64_t count = -1;
    hl_error error;
    assert_int_equal(hl_store_order_count(fix->app->store, &filter, &count, &error), HL_OK);
    return count;
}

static void test_a_registration_retried_twice_is_written_once(void **state)
{
    fixture *fix = *state;
    hl_order order = registration();
    hl_error error;
    int64_t first = 0, second = 0;
    flaky.commit_faults = 2;
    assert_int_equal(hl_app_register(fix->app, "agent", &order, NOW, &first, &error), HL_OK);
    assert_int_equal(flaky.commits, 3);
    assert_int_equal(order_count(fix), 1);
    /* The failed attempts left no number behind: the next is the next. */
    assert_int_equal(hl_app_register(fix->app, "agent", &order, NOW, &second, &error), HL_OK);
    assert_int_equal(second, first + 1);
    hl_order stored;
    assert_int_equal(hl_app_get_order(fix->app, first, &stored, &error), HL_OK);
    assert_int_equal(stored.version, 1);
    assert_string_equal(stored.title, "路灯不亮");
}

static int count_event(void *context, const hl_event *event)
{
    (void)event;
    (*(int *)context)++;
    return 0;
}

static void test_an_action_retried_twice_is_applied_once(void **state)
{
    fixture *fix = *state;
    hl_order order = registration();
    hl_error error;
    int64_t id = 0;
    assert_int_equal(hl_app_register(fix->app, "agent", &order, NOW, &id, &error), HL_OK);
    flaky.commit_faults = 2;
    flaky.commits = 0;
    hl_app_request request = {.unit = "u1", .expected_version = 1};
    hl_order after;
    assert_int_equal(
        hl_app_act(fix->app, "dispatcher", id, HL_ACTION_DISPATCH, &request, NOW, &after, &error),
        HL_OK);
    assert_int_equal(flaky.commits, 3);
    assert_int_equal(after.version, 2);
    assert_int_equal(after.state, HL_STATE_DISPATCHED);
    int events = 0;
    assert_int_equal(hl_app_list_events(fix->app, id, count_event, &events, &error), HL_OK);
    assert_int_equal(events, 2); /* the registration and one dispatch */
}

static void test_a_use_case_that_keeps_meeting_others_gives_up(void **state)
{
    fixture *fix = *state;
    hl_order order = registration();
    hl_error error;
    int64_t id = 0;
    flaky.commit_faults = 1000;
    int result = hl_app_register(fix->app, "agent", &order, NOW, &id, &error);
    assert_int_equal(result, HL_EUNAVAILABLE);
    assert_int_equal(error.code, HL_EUNAVAILABLE);
    assert_string_equal(hl_error_code_name(error.code), "unavailable");
    assert_int_equal(flaky.commits, HL_APP_ATTEMPTS);
    flaky.commit_faults = 0;
    assert_int_equal(order_count(fix), 0);
}

static void test_a_budget_retried_twice_counts_once(void **state)
{
    fixture *fix = *state;
    hl_error error;
    int wait = -1;
    flaky.hit_faults = 2;
    assert_int_equal(hl_throttle_take(fix->app, "k:1:post", 1, NOW, &wait, &error), HL_OK);
    assert_int_equal(wait, 0);
    assert_int_equal(flaky.hits, 3);
    /* Counted once: the next request is over a limit of one. */
    assert_int_equal(hl_throttle_take(fix->app, "k:1:post", 1, NOW, &wait, &error), HL_OK);
    assert_true(wait > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_registration_retried_twice_is_written_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_action_retried_twice_is_applied_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_use_case_that_keeps_meeting_others_gives_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_budget_retried_twice_counts_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
