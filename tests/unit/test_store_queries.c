/* test_store_queries.c: lists and counts of orders in the store (on each
 * backend): each member of the order filter, SQL metacharacters taken as data,
 * the API's lists (scope, sorts, offset paging, counts), counts by
 * category. Records are filled by hand; the workflow is not involved.
 * SQLite's query plans are test_store_sqlite_plans.c's. */
#include "store_fixture.h"

static void test_query_by_state_mask(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.state_mask = HL_STATES_OPEN};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 3, 5}, 3);
    filter.state_mask = HL_STATE_BIT(HL_STATE_NEW) | HL_STATE_BIT(HL_STATE_COMPLETED);
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 4}, 2);
    filter.state_mask = 1u << 30; /* no real state: nothing */
    list = query(context->store, &filter);
    assert_int_equal(list.count, 0);
}

static void test_query_by_unit(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.unit = "water"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 2, 5}, 3);
    filter.state_mask = HL_STATES_OPEN;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 5}, 2);
}

static void test_query_by_co_unit(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    /* "water" matches the whole code only: not "water_x". */
    hl_order_filter filter = {.co_unit = "water"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){4}, 1);
    filter.co_unit = "gas";
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 5}, 2);
    filter.co_unit = "water_";
    list = query(context->store, &filter);
    assert_int_equal(list.count, 0);
}

static void test_query_by_category(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.category = "road"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 4}, 2);
}

static void test_query_by_received_range(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.received_from = 2000, .received_to = 4000};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 3}, 2);
    filter.received_to = 0;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 3, 4, 5}, 4);
}

static void test_query_by_due_before(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.due_before = 3001};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 5}, 2); /* due 0 means no deadline runs */
}

static void test_query_by_text(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.text = "停水"};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){2, 4}, 2); /* title of 2, content of 4 */
    filter.text = "噪音";
    filter.unit = "water";
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 5}, 2);
}

static void test_query_pages_with_after_id_and_limit(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.limit = 2};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){1, 2}, 2);
    filter.after_id = ORDER_BASE + 2;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 4}, 2);
    filter.after_id = ORDER_BASE + 4;
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){5}, 1);
}

static void test_query_order_by_due(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.sort = HL_ORDER_SORT_DEADLINE, .due_before = 1000000};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){5, 3, 2}, 3);
    /* The orders without a running deadline come after, newest first. */
    hl_order_filter all = {.sort = HL_ORDER_SORT_DEADLINE};
    list = query(context->store, &all);
    assert_ids(&list, (int64_t[]){5, 3, 2, 4, 1}, 5);
}

static void test_order_count_uses_the_filter(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    int64_t count = -1;
    assert_int_equal(hl_store_order_count(context->store, NULL, &count, &error), HL_OK);
    assert_int_equal(count, 5);
    hl_order_filter filter = {.unit = "water", .state_mask = HL_STATES_OPEN, .limit = 1};
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
}

/* The counts each state's row says, beside a count of the orders themselves. */

static void test_sql_metacharacters_in_filters_are_data(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const char *hostile[] = {"'; DROP TABLE orders; --", "%", "_", "' OR '1'='1", "\"", "\\"};
    for (size_t index = 0; index < sizeof hostile / sizeof hostile[0]; index++) {
        hl_order_filter filter = {.text = hostile[index]};
        id_list list = query(context->store, &filter);
        assert_int_equal(list.count, 0);
        hl_order_filter by_unit = {.unit = hostile[index]};
        assert_int_equal(query(context->store, &by_unit).count, 0);
        hl_order_filter by_co_unit = {.co_unit = hostile[index]};
        assert_int_equal(query(context->store, &by_co_unit).count, 0);
        hl_order_filter by_category = {.category = hostile[index]};
        assert_int_equal(query(context->store, &by_category).count, 0);
    }
    hl_error error;
    char value[64];
    assert_int_equal(
        hl_store_config_get(context->store, "x' OR '1'='1", value, sizeof value, &error),
        HL_ENOTFOUND);
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, NULL, &count, &error), HL_OK);
    assert_int_equal(count, 5);
}

/* ---- The API's lists: scope, sorts, offset paging, counts ---- */

static void test_query_by_scope_unit_reads_lead_and_co_handling_orders(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.scope_unit = "water"};
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){1, 2, 4, 5}, 4);
    filter.sort = HL_ORDER_SORT_RECEIVED_DESC;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 4, 2, 1}, 4);
    filter.state_mask = HL_STATES_OPEN;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 2}, 2);
    /* The scope intersects the other unit filters: never widens them. */
    hl_order_filter narrowed = {
        .scope_unit = "gas", .unit = "water", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &narrowed)}, (int64_t[]){5, 2}, 2);
    narrowed.unit = "power";
    assert_int_equal(query(context->store, &narrowed).count, 0);
    /* "water" is not "water_x". */
    hl_order_filter other = {.scope_unit = "water_x", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &other)}, (int64_t[]){3}, 1);
}

static void test_query_sorts_by_received_either_way(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filter = {.sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 4, 3, 2, 1}, 5);
    filter.sort = HL_ORDER_SORT_RECEIVED;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){1, 2, 3, 4, 5}, 5);
    /* Through a unit's rows: its lead orders, its co-handled ones. */
    hl_order_filter lead = {.unit = "water", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &lead)}, (int64_t[]){5, 2, 1}, 3);
    hl_order_filter co = {.co_unit = "gas", .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_ids((id_list[]){query(context->store, &co)}, (int64_t[]){5, 2}, 2);
    hl_order_filter ranged = {.unit = "water",
                              .received_from = 2000,
                              .received_to = 5000,
                              .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &ranged)}, (int64_t[]){2}, 1);
}

static void test_query_sorts_by_deadline_with_the_orders_without_one_last(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    /* Due: 5 at 1000, 3 at 3000, 2 at 5000; 1 and 4 have none (newest first). */
    hl_order_filter filter = {.sort = HL_ORDER_SORT_DEADLINE};
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){5, 3, 2, 4, 1}, 5);
    filter.sort = HL_ORDER_SORT_DEADLINE_DESC;
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){2, 3, 5, 4, 1}, 5);
    filter.scope_unit = "water";
    assert_ids((id_list[]){query(context->store, &filter)}, (int64_t[]){2, 5, 4, 1}, 4);
}

/* Pages of every size, at every offset, in every order, add up to the
 * whole list: nothing is repeated or skipped, also across the two parts of
 * a deadline-sorted list. */
static void test_query_pages_by_offset_in_every_order(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    const hl_order_sort sorts[] = {HL_ORDER_SORT_ID, HL_ORDER_SORT_RECEIVED,
                                   HL_ORDER_SORT_RECEIVED_DESC, HL_ORDER_SORT_DEADLINE,
                                   HL_ORDER_SORT_DEADLINE_DESC};
    const char *scopes[] = {NULL, "water"};
    for (size_t sort = 0; sort < sizeof sorts / sizeof sorts[0]; sort++) {
        for (size_t scope = 0; scope < 2; scope++) {
            hl_order_filter whole = {.sort = sorts[sort], .scope_unit = scopes[scope]};
            id_list expected = query(context->store, &whole);
            for (int size = 1; size <= 3; size++) {
                id_list pages = {.count = 0};
                for (int offset = 0; offset < expected.count; offset += size) {
                    hl_order_filter page = whole;
                    page.limit = size;
                    page.offset = offset;
                    id_list got = query(context->store, &page);
                    assert_true(got.count <= size);
                    for (int index = 0; index < got.count; index++)
                        pages.ids[pages.count++] = got.ids[index];
                }
                assert_ids(&pages, expected.ids, expected.count);
            }
            hl_order_filter beyond = whole;
            beyond.limit = 2;
            beyond.offset = expected.count;
            assert_int_equal(query(context->store, &beyond).count, 0);
        }
    }
}

/* Every count agrees with the rows the query visits, by state and in all. */
static void test_counts_agree_with_the_query(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_order_filter filters[] = {
        {.state_mask = 0},
        {.state_mask = HL_STATES_OPEN},
        {.scope_unit = "water"},
        {.scope_unit = "gas", .state_mask = HL_STATES_OPEN},
        {.scope_unit = "water", .due_before = 4000},
        {.co_unit = "gas"},
        {.unit = "water", .category = "noise"},
        {.text = "停水"},
        {.received_from = 2000, .received_to = 5000, .state_mask = HL_STATE_BIT(HL_STATE_HANDLING)},
    };
    hl_error error;
    for (size_t index = 0; index < sizeof filters / sizeof filters[0]; index++) {
        id_list rows = query(context->store, &filters[index]);
        int64_t total = -1, by_state[HL_STATE_COUNT];
        assert_int_equal(hl_store_order_count(context->store, &filters[index], &total, &error),
                         HL_OK);
        assert_int_equal(total, rows.count);
        assert_int_equal(
            hl_store_order_count_by_state(context->store, &filters[index], by_state, &error),
            HL_OK);
        int64_t sum = 0;
        for (int state_index = 0; state_index < HL_STATE_COUNT; state_index++) {
            hl_order_filter one = filters[index];
            one.state_mask =
                (one.state_mask == 0 ? ~0u : one.state_mask) & HL_STATE_BIT(state_index);
            int64_t count = 0;
            if (one.state_mask != 0)
                assert_int_equal(hl_store_order_count(context->store, &one, &count, &error), HL_OK);
            assert_int_equal(by_state[state_index], count);
            sum += by_state[state_index];
        }
        assert_int_equal(sum, rows.count);
    }
}

/* The unit rows and the state totals follow every insert and update. */

typedef struct category_tally {
    char codes[8][HL_CODE_BYTES];
    int64_t counts[8];
    int count;
} category_tally;

static int tally_category(void *context, const char *code, int64_t count)
{
    category_tally *tally = context;
    assert_true(tally->count < 8);
    snprintf(tally->codes[tally->count], HL_CODE_BYTES, "%s", code);
    tally->counts[tally->count++] = count;
    return 0;
}

static void test_count_by_category_in_a_received_range(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    const char *codes[] = {"noise", "road", "unused"};
    for (size_t index = 0; index < 3; index++) {
        hl_category category = {.active = true};
        snprintf(category.code, sizeof category.code, "%s", codes[index]);
        snprintf(category.name, sizeof category.name, "分类 %zu", index);
        assert_int_equal(hl_store_category_put(context->store, &category, &error), HL_OK);
    }
    hl_order *order = make_order(6, HL_STATE_NEW, "");
    order->category[0] = '\0';
    order->received_at = 2500;
    assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    /* Received 2000 to 4999: 2 (noise), 3 (road), 4 (road), 6 (none). */
    category_tally tally = {.count = 0};
    assert_int_equal(hl_store_order_count_by_category(context->store, 2000, 5000, tally_category,
                                                      &tally, &error),
                     HL_OK);
    assert_int_equal(tally.count, 3);
    assert_string_equal(tally.codes[0], "");
    assert_int_equal(tally.counts[0], 1);
    assert_string_equal(tally.codes[1], "noise");
    assert_int_equal(tally.counts[1], 1);
    assert_string_equal(tally.codes[2], "road");
    assert_int_equal(tally.counts[2], 2);
}

static void test_query_by_channel_categories_offset_and_newest_first(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    /* Order 3 came through Open311, the others by phone. */
    assert_int_equal(
        raw_exec(context->path, "UPDATE orders SET channel = 'open311' WHERE id = 20240215000003"),
        SQLITE_OK);
    hl_order_filter filter = {.channel_mask = 1u << HL_CHANNEL_OPEN311};
    id_list list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3}, 1);
    filter =
        (hl_order_filter){.channel_mask = (1u << HL_CHANNEL_OPEN311) | (1u << HL_CHANNEL_PHONE)};
    assert_int_equal(query(context->store, &filter).count, 5);
    filter = (hl_order_filter){.categories = "road,nothing"};
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){3, 4}, 2);
    filter = (hl_order_filter){.categories = "noise,road"};
    assert_int_equal(query(context->store, &filter).count, 5);
    filter = (hl_order_filter){.categories = "oad"}; /* whole codes only */
    assert_int_equal(query(context->store, &filter).count, 0);
    filter = (hl_order_filter){.sort = HL_ORDER_SORT_RECEIVED_DESC, .limit = 2, .offset = 1};
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){4, 3}, 2);
    filter = (hl_order_filter){.offset = 3};
    list = query(context->store, &filter);
    assert_ids(&list, (int64_t[]){4, 5}, 2);
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 5); /* the total behind the page */
}

/* ---- The approval queues (filter.pending) ---- */

/* Orders awaiting a decision and others that do not:
 * 11 water signed     extension asked (3 days)        due 2000
 * 12 gas   handling   extension asked, co "water"     due 1000
 * 13 water handling   extension decided (none asked)  due 500
 * 14 water return_pending
 * 15 power completed  appeal pending
 * 16 water completed  appeal rejected
 * 17 power signed     extension asked (5 days)        due 3000 */
static void insert_queue_orders(hl_store *store)
{
    struct {
        int64_t sequence;
        hl_state state;
        const char *unit;
        const char *co_units;
        int extension_days;
        hl_appeal_state appeal;
        hl_time due_at;
    } rows[] = {
        {11, HL_STATE_SIGNED, "water", "", 3, HL_APPEAL_NONE, 2000},
        {12, HL_STATE_HANDLING, "gas", "water", 2, HL_APPEAL_NONE, 1000},
        {13, HL_STATE_HANDLING, "water", "", 0, HL_APPEAL_NONE, 500},
        {14, HL_STATE_RETURN_PENDING, "water", "", 0, HL_APPEAL_NONE, 0},
        {15, HL_STATE_COMPLETED, "power", "", 0, HL_APPEAL_PENDING, 0},
        {16, HL_STATE_COMPLETED, "water", "", 0, HL_APPEAL_REJECTED, 0},
        {17, HL_STATE_SIGNED, "power", "", 5, HL_APPEAL_NONE, 3000},
    };
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        hl_order *order = make_order(rows[index].sequence, rows[index].state, rows[index].unit);
        snprintf(order->co_units, sizeof order->co_units, "%s", rows[index].co_units);
        order->extension_pending_days = rows[index].extension_days;
        order->extension_count = rows[index].sequence == 13 ? 1 : 0;
        order->appeal_state = rows[index].appeal;
        order->due_at = rows[index].due_at;
        order->received_at = 100 * rows[index].sequence;
        assert_int_equal(hl_store_order_insert(store, order, &error), HL_OK);
    }
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static void assert_queue(fixture *context, hl_order_filter filter, const int64_t *expected,
                         int count)
{
    id_list rows = query(context->store, &filter);
    assert_ids(&rows, expected, count);
    hl_error error;
    int64_t total = -1;
    filter.limit = 0;
    filter.offset = 0;
    assert_int_equal(hl_store_order_count(context->store, &filter, &total, &error), HL_OK);
    assert_int_equal(total, count);
}

static void test_queues_list_the_orders_awaiting_each_decision(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    insert_queue_orders(context->store);
    hl_order_filter extension = {.pending = HL_PENDING_EXTENSION, .sort = HL_ORDER_SORT_RECEIVED};
    assert_queue(context, extension, (int64_t[]){11, 12, 17}, 3);
    extension.sort = HL_ORDER_SORT_RECEIVED_DESC;
    assert_queue(context, extension, (int64_t[]){17, 12, 11}, 3);
    extension.sort = HL_ORDER_SORT_DEADLINE;
    assert_queue(context, extension, (int64_t[]){12, 11, 17}, 3);
    extension.sort = HL_ORDER_SORT_ID;
    assert_queue(context, extension, (int64_t[]){11, 12, 17}, 3);
    /* A page of a deadline-sorted queue. */
    hl_order_filter page = {
        .pending = HL_PENDING_EXTENSION, .sort = HL_ORDER_SORT_DEADLINE, .limit = 1, .offset = 1};
    assert_ids((id_list[]){query(context->store, &page)}, (int64_t[]){11}, 1);
    /* A scope holds its unit's orders, lead or co-handling; a unit filter its lead ones. */
    hl_order_filter scoped = {.pending = HL_PENDING_EXTENSION,
                              .scope_unit = "water",
                              .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_queue(context, scoped, (int64_t[]){12, 11}, 2);
    scoped.sort = HL_ORDER_SORT_DEADLINE;
    assert_queue(context, scoped, (int64_t[]){12, 11}, 2);
    hl_order_filter by_unit = {.pending = HL_PENDING_EXTENSION, .unit = "power"};
    assert_queue(context, by_unit, (int64_t[]){17}, 1);
    hl_order_filter handling = {.pending = HL_PENDING_EXTENSION,
                                .state_mask = HL_STATE_BIT(HL_STATE_HANDLING)};
    assert_queue(context, handling, (int64_t[]){12}, 1);
    /* The returns and the appeals awaiting a decision; a decided appeal is not. */
    hl_order_filter returns = {.pending = HL_PENDING_RETURN, .sort = HL_ORDER_SORT_RECEIVED_DESC};
    assert_queue(context, returns, (int64_t[]){14}, 1);
    hl_order_filter appeals = {.pending = HL_PENDING_APPEAL, .sort = HL_ORDER_SORT_DEADLINE};
    assert_queue(context, appeals, (int64_t[]){15}, 1);
    appeals.scope_unit = "water";
    assert_queue(context, appeals, NULL, 0);
    /* By state, as the home page counts. */
    hl_error error;
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_count_by_state(context->store, &extension, counts, &error),
                     HL_OK);
    assert_int_equal(counts[HL_STATE_SIGNED], 2);
    assert_int_equal(counts[HL_STATE_HANDLING], 1);
    assert_int_equal(counts[HL_STATE_COMPLETED], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_query_by_state_mask),
        STORE_TEST(test_query_by_unit),
        STORE_TEST(test_query_by_co_unit),
        STORE_TEST(test_query_by_category),
        STORE_TEST(test_query_by_received_range),
        STORE_TEST(test_query_by_due_before),
        STORE_TEST(test_query_by_text),
        STORE_TEST(test_query_pages_with_after_id_and_limit),
        STORE_TEST(test_query_order_by_due),
        STORE_TEST(test_order_count_uses_the_filter),
        STORE_TEST(test_query_by_scope_unit_reads_lead_and_co_handling_orders),
        STORE_TEST(test_query_sorts_by_received_either_way),
        STORE_TEST(test_query_sorts_by_deadline_with_the_orders_without_one_last),
        STORE_TEST(test_query_pages_by_offset_in_every_order),
        STORE_TEST(test_counts_agree_with_the_query),
        STORE_TEST(test_count_by_category_in_a_received_range),
        STORE_TEST(test_sql_metacharacters_in_filters_are_data),
        STORE_TEST(test_query_by_channel_categories_offset_and_newest_first),
        STORE_TEST(test_queues_list_the_orders_awaiting_each_decision),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
