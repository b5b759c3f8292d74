/* test_store_sqlite_plans.c: the SQLite backend's query plans
 * (hl_sqlite_explain): a page of a list walks an index in its order and
 * never scans or sorts every order, and a filter on the running deadline
 * counts through orders_by_due, and a count by a lead unit reads the partial
 * orders_by_unit_state, and the approval queues read their partial
 * indexes. SQLite's own plans, so this program runs on
 * SQLite only; the lists' answers are test_store_queries.c's, on each
 * backend. Records are filled by hand; the workflow is not involved. */
#include "store_fixture.h"

static void test_list_pages_walk_an_index_in_order(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const hl_order_sort sorts[] = {HL_ORDER_SORT_RECEIVED_DESC, HL_ORDER_SORT_RECEIVED,
                                   HL_ORDER_SORT_DEADLINE, HL_ORDER_SORT_DEADLINE_DESC};
    hl_order_filter filters[] = {
        {.state_mask = 0},
        {.state_mask = HL_STATE_BIT(HL_STATE_NEW)},
        {.state_mask = HL_STATE_BIT(HL_STATE_COMPLETED) | HL_STATE_BIT(HL_STATE_SURVEYED) |
                       HL_STATE_BIT(HL_STATE_ARCHIVED)},
        {.scope_unit = "water"},
        {.scope_unit = "water", .state_mask = HL_STATES_OPEN, .unit = "gas", .co_unit = "power"},
        {.unit = "water"},
        {.co_unit = "water"},
        {.category = "noise"},
        {.category = "noise", .state_mask = HL_STATES_OPEN},
        {.received_from = 2000, .received_to = 4000},
        {.due_before = 3000},
        {.text = "停水"},
    };
    hl_error error;
    for (size_t sort = 0; sort < sizeof sorts / sizeof sorts[0]; sort++) {
        for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
            hl_order_filter filter = filters[index];
            filter.sort = sorts[sort];
            filter.limit = 50;
            filter.offset = 50;
            hl_buf plan;
            hl_buf_init(&plan);
            assert_int_equal(hl_sqlite_explain(context->store, &filter, &plan, &error), HL_OK);
            /* Only the page statements: the counts may read a whole index. */
            bool in_page = false, through_deadlines = false;
            for (char *line = plan.data; line != NULL && *line != '\0';) {
                char *end = strchr(line, '\n');
                size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
                char detail[512];
                snprintf(detail, sizeof detail, "%.*s", (int)length, line);
                if (line[0] != ' ') {
                    in_page = strncmp(line, "page:", 5) == 0;
                    through_deadlines = false;
                } else if (in_page) {
                    through_deadlines =
                        through_deadlines || strstr(detail, "orders_by_due") != NULL;
                    bool table_scan =
                        strstr(detail, "SCAN orders") != NULL && strstr(detail, "INDEX") == NULL;
                    bool sorted =
                        strstr(detail, "TEMP B-TREE FOR ORDER BY") != NULL && !through_deadlines;
                    if (table_scan || sorted)
                        fail_msg("sort %zu, filter %zu: %s\n%s", sort, index, detail, plan.data);
                }
                line = end != NULL ? end + 1 : NULL;
            }
            hl_buf_free(&plan);
        }
    }
}

/* A filter on the running deadline counts through orders_by_due (the open
 * orders), never through a unit's or a state's every order. */
static void test_deadline_filters_count_through_the_deadline_index(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filters[] = {
        {.scope_unit = "water", .due_before = 4000},
        {.unit = "water", .due_before = 4000},
        {.state_mask = HL_STATE_BIT(HL_STATE_COMPLETED) | HL_STATE_BIT(HL_STATE_SURVEYED),
         .due_before = 4000},
        {.scope_unit = "water",
         .due_from = 100,
         .due_before = 4000,
         .sort = HL_ORDER_SORT_RECEIVED_DESC},
    };
    hl_error error;
    for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
        hl_buf plan;
        hl_buf_init(&plan);
        assert_int_equal(hl_sqlite_explain(context->store, &filters[index], &plan, &error), HL_OK);
        for (char *line = strstr(plan.data, "\n  SEARCH orders"); line != NULL;
             line = strstr(line + 1, "\n  SEARCH orders")) {
            char detail[256];
            snprintf(detail, sizeof detail, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
            if (strstr(detail, "rowid=") == NULL && strstr(detail, "orders_by_due") == NULL)
                fail_msg("filter %zu: %s\n%s", index, detail, plan.data);
        }
        hl_buf_free(&plan);
        /* And the counts are right. */
        id_list rows = query(context->store, &filters[index]);
        int64_t total = 0;
        assert_int_equal(hl_store_order_count(context->store, &filters[index], &total, &error),
                         HL_OK);
        assert_int_equal(total, rows.count);
    }
}

/* orders_by_unit_state holds only orders with a lead unit (migration 9):
 * every count by a named lead unit still reads it, never a scan of the
 * orders, and still counts every order the unit leads. */
static void test_lead_unit_counts_read_the_partial_unit_index(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    insert(context->store, make_order(7, HL_STATE_NEW, "")); /* not dispatched yet */
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM sqlite_master WHERE name = "
                                 "'orders_by_unit_state' AND sql LIKE '%WHERE lead_unit <> ''''%'"),
                     1);
    hl_order_filter filters[] = {
        {.unit = "water"},
        {.unit = "water", .state_mask = HL_STATES_OPEN},
        {.scope_unit = "water"},
        {.scope_unit = "water", .state_mask = HL_STATES_OPEN},
    };
    hl_error error;
    for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
        hl_buf plan;
        hl_buf_init(&plan);
        assert_int_equal(hl_sqlite_explain(context->store, &filters[index], &plan, &error), HL_OK);
        /* Each count statement naming the lead unit, and the plan line after it. */
        int lead_counts = 0;
        for (const char *line = plan.data; line != NULL && *line != '\0';) {
            const char *end = strchr(line, '\n');
            char statement[512], detail[512];
            snprintf(statement, sizeof statement, "%.*s", (int)strcspn(line, "\n"), line);
            snprintf(detail, sizeof detail, "%.*s", end != NULL ? (int)strcspn(end + 1, "\n") : 0,
                     end != NULL ? end + 1 : "");
            if (strncmp(statement, "count", 5) == 0 && strstr(statement, "lead_unit = ?") != NULL) {
                lead_counts++;
                if (strstr(detail, "orders_by_unit_state") == NULL)
                    fail_msg("filter %zu: %s\n%s", index, statement, plan.data);
            }
            line = end != NULL ? end + 1 : NULL;
        }
        assert_true(lead_counts > 0);
        hl_buf_free(&plan);
        id_list rows = query(context->store, &filters[index]);
        int64_t total = 0;
        assert_int_equal(hl_store_order_count(context->store, &filters[index], &total, &error),
                         HL_OK);
        assert_int_equal(total, rows.count);
    }
}

/* The approval queues read the few orders that wait through their own
 * index (migration 17) in every sort, with a scope or a unit, for the page
 * and the counts alike: never a walk of a whole unit, state or time range. */
static void test_queues_read_their_partial_indexes(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const struct {
        hl_order_filter filter;
        const char *index;
    } cases[] = {
        {{.pending = HL_PENDING_EXTENSION}, "orders_extension_pending"},
        {{.pending = HL_PENDING_EXTENSION, .scope_unit = "water"}, "orders_extension_pending"},
        {{.pending = HL_PENDING_EXTENSION, .unit = "water", .state_mask = HL_STATES_OPEN},
         "orders_extension_pending"},
        {{.pending = HL_PENDING_APPEAL}, "orders_appeal_pending"},
        {{.pending = HL_PENDING_APPEAL, .scope_unit = "water", .received_from = 10},
         "orders_appeal_pending"},
        {{.pending = HL_PENDING_RETURN, .co_unit = "water"}, "orders_by_state"},
    };
    const hl_order_sort sorts[] = {HL_ORDER_SORT_ID, HL_ORDER_SORT_RECEIVED_DESC,
                                   HL_ORDER_SORT_RECEIVED, HL_ORDER_SORT_DEADLINE};
    hl_error error;
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        for (size_t sort = 0; sort < sizeof sorts / sizeof sorts[0]; sort++) {
            hl_order_filter filter = cases[index].filter;
            filter.sort = sorts[sort];
            filter.limit = 50;
            filter.offset = 50; /* a deadline-sorted page then counts its first part too */
            hl_buf plan;
            hl_buf_init(&plan);
            assert_int_equal(hl_sqlite_explain(context->store, &filter, &plan, &error), HL_OK);
            int reads = 0;
            for (const char *line = plan.data; line != NULL && *line != '\0';) {
                size_t length = strcspn(line, "\n");
                char detail[512];
                snprintf(detail, sizeof detail, "%.*s", (int)length, line);
                if (detail[0] == ' ' &&
                    (strstr(detail, "SCAN orders") != NULL || strstr(detail, "SEARCH orders"))) {
                    reads++;
                    if (strstr(detail, cases[index].index) == NULL)
                        fail_msg("case %zu, sort %zu: %s\n%s", index, sort, detail, plan.data);
                }
                line = line[length] != '\0' ? line + length + 1 : NULL;
            }
            assert_true(reads >= 3); /* the page, the count and the count by state */
            hl_buf_free(&plan);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_list_pages_walk_an_index_in_order),
        STORE_TEST(test_deadline_filters_count_through_the_deadline_index),
        STORE_TEST(test_lead_unit_counts_read_the_partial_unit_index),
        STORE_TEST(test_queues_read_their_partial_indexes),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
