/* test_deadline.c: when a connection sending a request is cut off
 * (src/http/deadline.c, finding 1 of issue 11): the head's deadline, the
 * whole request's deadline, the body's minimum rate after its grace, and
 * no judgement once the body is in. */
#include "test_support.h"

#include "http/deadline.h"

static const hl_deadline_limits limits = {
    .head_ms = 30000, .request_ms = 60000, .min_body_rate = 1024};

static hl_deadline_state body_under_way(long long head_done_ms, uint64_t bytes)
{
    return (hl_deadline_state){
        .idle_since_ms = 0, .head_done = true, .head_done_ms = head_done_ms, .body_bytes = bytes};
}

static void test_head_deadline(void **unused)
{
    (void)unused;
    hl_deadline_state state = {.idle_since_ms = 1000};
    assert_int_equal(hl_deadline_judge(&limits, &state, 31000), HL_DEADLINE_KEEP);
    assert_int_equal(hl_deadline_judge(&limits, &state, 31001), HL_DEADLINE_HEAD_LATE);
}

static void test_request_deadline(void **unused)
{
    (void)unused;
    /* Fast enough (2 KiB/s) but endless: cut at the whole request's deadline. */
    hl_deadline_state state = body_under_way(1000, 2048 * 59);
    assert_int_equal(hl_deadline_judge(&limits, &state, 60000), HL_DEADLINE_KEEP);
    state.body_bytes = 2048 * 60;
    assert_int_equal(hl_deadline_judge(&limits, &state, 60001), HL_DEADLINE_REQUEST_LATE);
}

static void test_minimum_rate(void **unused)
{
    (void)unused;
    /* A byte a second: left alone during the grace, cut right after it. */
    hl_deadline_state state = body_under_way(1000, 4);
    assert_int_equal(hl_deadline_judge(&limits, &state, 1000 + HL_DEADLINE_RATE_GRACE_MS - 1),
                     HL_DEADLINE_KEEP);
    state.body_bytes = 5;
    assert_int_equal(hl_deadline_judge(&limits, &state, 1000 + HL_DEADLINE_RATE_GRACE_MS),
                     HL_DEADLINE_BODY_SLOW);
    /* Exactly the rate on average passes; one byte short does not. */
    state.body_bytes = 1024 * 10;
    assert_int_equal(hl_deadline_judge(&limits, &state, 11000), HL_DEADLINE_KEEP);
    state.body_bytes = 1024 * 10 - 1;
    assert_int_equal(hl_deadline_judge(&limits, &state, 11000), HL_DEADLINE_BODY_SLOW);
    /* No minimum: only the deadlines. */
    hl_deadline_limits no_rate = limits;
    no_rate.min_body_rate = 0;
    state.body_bytes = 0;
    assert_int_equal(hl_deadline_judge(&no_rate, &state, 50000), HL_DEADLINE_KEEP);
}

static void test_done_body_not_judged(void **unused)
{
    (void)unused;
    hl_deadline_state state = body_under_way(1000, 0);
    state.body_done = true;
    assert_int_equal(hl_deadline_judge(&limits, &state, 1000000), HL_DEADLINE_KEEP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_deadline),
        cmocka_unit_test(test_request_deadline),
        cmocka_unit_test(test_minimum_rate),
        cmocka_unit_test(test_done_body_not_judged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
