/* test_query.c: the query model (domain/query.h): which filters a count
 * may answer from the per-state totals. */
#include "test_support.h"

#include "domain/query.h"

static void test_states_only_filters(void **state)
{
    (void)state;
    assert_true(hl_order_filter_is_states_only(NULL));
    hl_order_filter filter = {0};
    assert_true(hl_order_filter_is_states_only(&filter));
    /* The state mask, the sort and the page select nothing more. */
    filter = (hl_order_filter){.state_mask = HL_STATE_BIT(HL_STATE_NEW),
                               .sort = HL_ORDER_SORT_DEADLINE,
                               .limit = 20,
                               .offset = 40};
    assert_true(hl_order_filter_is_states_only(&filter));
    /* An empty text is no filter. */
    filter = (hl_order_filter){.unit = "", .text = ""};
    assert_true(hl_order_filter_is_states_only(&filter));
}

static void test_every_selecting_member_is_more_than_states(void **state)
{
    (void)state;
    const hl_order_filter selecting[] = {
        {.unit = "water"},        {.co_unit = "gas"},         {.category = "noise"},
        {.categories = "a,b"},    {.channel_mask = 1u},       {.received_from = 1},
        {.received_to = 1},       {.due_before = 1},          {.due_from = 1},
        {.text = "噪音"},         {.assessed_month = 202403}, {.appeal_upheld = true},
        {.phone = "13800138000"}, {.scope_unit = "water"},    {.after_id = 1},
        {.before_id = 1},
    };
    for (size_t index = 0; index < sizeof selecting / sizeof selecting[0]; index++)
        if (hl_order_filter_is_states_only(&selecting[index]))
            fail_msg("filter %zu selects more than states", index);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_only_filters),
        cmocka_unit_test(test_every_selecting_member_is_more_than_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
