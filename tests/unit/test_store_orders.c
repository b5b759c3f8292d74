/* test_store_orders.c: orders in the store (on each backend): the round trip of
 * every field, conflicts (a duplicate number, a stale version), unknown
 * enumerations refused, the per-state counts and unit rows kept in step
 * with inserts and updates, the heads scan and the largest number. Records
 * are filled by hand; the workflow is not involved. */
#include "store_fixture.h"

static void test_order_round_trip_of_every_field(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(7, HL_STATE_RETURN_PENDING, "water-bureau");
    order->version = 9;
    order->state_before_return = HL_STATE_SIGNED;
    order->channel = HL_CHANNEL_WECHAT;
    order->type = HL_TYPE_SUGGESTION;
    order->received_at = 1707962461;
    snprintf(order->citizen_name, sizeof order->citizen_name, "欧阳娜娜");
    snprintf(order->citizen_phone, sizeof order->citizen_phone, "+86 138 0000 0000");
    snprintf(order->address, sizeof order->address, "浙江省杭州市西湖区文三路 90 号 3 幢 2 单元");
    order->has_location = true;
    order->latitude = 30.2741234567;
    order->longitude = 120.1551234567;
    snprintf(order->category, sizeof order->category, "water.supply");
    snprintf(order->title, sizeof order->title, "小区停水三天无人处理");
    /* Long UTF-8: 4000 three-byte characters fill content to its limit. */
    size_t length = 0;
    for (int index = 0; index < HL_CONTENT_CHARS; index++) {
        memcpy(order->content + length, index % 2 == 0 ? "水" : "电", 3);
        length += 3;
    }
    order->content[length] = '\0';
    snprintf(order->registered_by, sizeof order->registered_by, "agent_07");
    snprintf(order->co_units, sizeof order->co_units, "power,gas.co");
    order->dispatched_at = 1707963000;
    order->sign_deadline = 1708099199;
    order->signed_at = 1707964000;
    order->return_deadline = 1708185599;
    order->handle_deadline = 1708617599;
    order->due_at = 1708617599;
    snprintf(order->reply, sizeof order->reply, "已安排维修，预计明日恢复供水。\n谢谢。");
    order->completed_at = 1708000000;
    order->extension_count = 1;
    order->extension_pending_days = 3;
    order->return_count = 2;
    order->reopen_count = 4;
    order->remind_count = 5;
    order->supervise_count = 6;
    order->duplicate_of = ORDER_BASE + 1;
    order->excluded = true;
    snprintf(order->excluded_reason, sizeof order->excluded_reason, "不可抗力：台风");
    insert(context->store, order);
    reopen(context);

    hl_order *read = &scratch_read;
    memset(read, 0x5a, sizeof *read);
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, order->id, read, &error), HL_OK);
    assert_int_equal(read->id, order->id);
    assert_int_equal(read->version, 9);
    assert_int_equal(read->state, HL_STATE_RETURN_PENDING);
    assert_int_equal(read->state_before_return, HL_STATE_SIGNED);
    assert_int_equal(read->channel, HL_CHANNEL_WECHAT);
    assert_int_equal(read->type, HL_TYPE_SUGGESTION);
    assert_int_equal(read->received_at, order->received_at);
    assert_string_equal(read->citizen_name, order->citizen_name);
    assert_string_equal(read->citizen_phone, order->citizen_phone);
    assert_string_equal(read->address, order->address);
    assert_true(read->has_location);
    assert_true(read->latitude == order->latitude);
    assert_true(read->longitude == order->longitude);
    assert_string_equal(read->category, order->category);
    assert_string_equal(read->title, order->title);
    assert_int_equal(strlen(read->content), (size_t)HL_CONTENT_CHARS * 3);
    assert_string_equal(read->content, order->content);
    assert_string_equal(read->registered_by, order->registered_by);
    assert_string_equal(read->lead_unit, "water-bureau");
    assert_string_equal(read->co_units, order->co_units);
    assert_int_equal(read->dispatched_at, order->dispatched_at);
    assert_int_equal(read->sign_deadline, order->sign_deadline);
    assert_int_equal(read->signed_at, order->signed_at);
    assert_int_equal(read->return_deadline, order->return_deadline);
    assert_int_equal(read->handle_deadline, order->handle_deadline);
    assert_int_equal(read->due_at, order->due_at);
    assert_string_equal(read->reply, order->reply);
    assert_int_equal(read->completed_at, order->completed_at);
    assert_int_equal(read->extension_count, 1);
    assert_int_equal(read->extension_pending_days, 3);
    assert_int_equal(read->return_count, 2);
    assert_int_equal(read->reopen_count, 4);
    assert_int_equal(read->remind_count, 5);
    assert_int_equal(read->supervise_count, 6);
    assert_int_equal(read->duplicate_of, ORDER_BASE + 1);
    assert_true(read->excluded);
    assert_string_equal(read->excluded_reason, order->excluded_reason);
}

static void test_order_get_of_absent_id_is_not_found(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 99, &scratch_read, &error),
                     HL_ENOTFOUND);
}

static void test_insert_of_duplicate_id_conflicts(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(1, HL_STATE_NEW, "power"), &error),
        HL_ECONFLICT);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.lead_unit, "water");
}

static void test_update_changes_mutable_fields(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    insert(context->store, order);
    order->version = 2;
    order->state = HL_STATE_DISPATCHED;
    snprintf(order->lead_unit, sizeof order->lead_unit, "water");
    order->due_at = 12345;
    snprintf(order->title, sizeof order->title, "registration never changes");
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, order->id, &scratch_read, &error), HL_OK);
    assert_int_equal(scratch_read.version, 2);
    assert_int_equal(scratch_read.state, HL_STATE_DISPATCHED);
    assert_string_equal(scratch_read.lead_unit, "water");
    assert_int_equal(scratch_read.due_at, 12345);
    assert_string_equal(scratch_read.title, "工单 1");
}

static void test_update_with_stale_version_conflicts_and_changes_nothing(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    order->version = 3;
    insert(context->store, order);
    order->version = 4;
    order->state = HL_STATE_INVALID;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 2, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_get(context->store, order->id, &scratch_read, &error), HL_OK);
    assert_int_equal(scratch_read.version, 3);
    assert_int_equal(scratch_read.state, HL_STATE_NEW);
}

static void test_update_of_unknown_id_is_not_found(void **state)
{
    fixture *context = *state;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_update(context->store, make_order(5, HL_STATE_NEW, ""), 1, &error),
        HL_ENOTFOUND);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_out_of_range_enum_is_refused(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    order->state = (hl_state)77;
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_EINVAL);
    hl_event *event = make_event(1, 1, HL_ACTION_REGISTER);
    event->action = HL_ACTION_COUNT;
    assert_int_equal(hl_store_event_append(context->store, event, &error), HL_EINVAL);
    assert_int_equal(hl_store_rollback(context->store), HL_OK);
}

static void test_state_counts_follow_inserts_and_state_changes(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    assert_state_counts_are_real(context);
    hl_error error;
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 1);
    assert_int_equal(counts[HL_STATE_DISPATCHED], 1);

    /* A state change moves one order from one count to the other; an
     * update that keeps the state moves nothing. */
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    scratch_read.version = 2;
    scratch_read.state = HL_STATE_DISPATCHED;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, &scratch_read, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    scratch_read.version = 3;
    snprintf(scratch_read.reply, sizeof scratch_read.reply, "same state");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, &scratch_read, 2, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 0);
    assert_int_equal(counts[HL_STATE_DISPATCHED], 2);
    assert_state_counts_are_real(context);
}

static void test_state_counts_roll_back_with_the_transaction(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    hl_error error;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(
        hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, "water"), &error), HL_OK);
    hl_store_rollback(context->store);
    int64_t counts[HL_STATE_COUNT];
    assert_int_equal(hl_store_order_state_counts(context->store, counts, &error), HL_OK);
    assert_int_equal(counts[HL_STATE_NEW], 1);
    assert_state_counts_are_real(context);
}

/* A store made before the counts existed gets them from its orders when it
 * is opened: version 5 is recreated by hand (the tables of version 6 and
 * later dropped, so that their migrations run again). */

typedef struct head_list {
    int count;
    int64_t last_id;
    hl_state last_state;
    int64_t last_version;
} head_list;

static int collect_head(void *context, int64_t id, hl_state state, int64_t version)
{
    head_list *heads = context;
    assert_true(id > heads->last_id);
    heads->count++;
    heads->last_id = id;
    heads->last_state = state;
    heads->last_version = version;
    return 0;
}

static void test_order_heads_in_id_order(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    head_list heads = {0, 0, HL_STATE_NONE, 0};
    hl_error error;
    assert_int_equal(hl_store_order_heads(context->store, collect_head, &heads, &error), HL_OK);
    assert_int_equal(heads.count, 5);
    assert_int_equal(heads.last_id, ORDER_BASE + 5);
    assert_int_equal(heads.last_state, HL_STATE_SIGNED);
    assert_int_equal(heads.last_version, 1);
}

static void test_order_max_id(void **state)
{
    fixture *context = *state;
    hl_error error;
    int64_t max_id = -1;
    assert_int_equal(
        hl_store_order_max_id(context->store, ORDER_BASE, ORDER_BASE + 999999, &max_id, &error),
        HL_OK);
    assert_int_equal(max_id, 0);
    insert_filter_orders(context->store);
    insert(context->store, make_order(1000000 + 3, HL_STATE_NEW, "")); /* the next day */
    assert_int_equal(
        hl_store_order_max_id(context->store, ORDER_BASE, ORDER_BASE + 999999, &max_id, &error),
        HL_OK);
    assert_int_equal(max_id, ORDER_BASE + 5);
    assert_int_equal(hl_store_order_max_id(context->store, ORDER_BASE + 1000000,
                                           ORDER_BASE + 1999999, &max_id, &error),
                     HL_OK);
    assert_int_equal(max_id, ORDER_BASE + 1000003);
}

static void test_unit_rows_and_state_totals_follow_updates(void **state)
{
    fixture *context = *state;
    insert_filter_orders(context->store);
    hl_error error;
    hl_order *order = &scratch_read;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 2, order, &error), HL_OK);
    /* Reassigned from water (co: power, gas) to road (co: water). */
    snprintf(order->lead_unit, sizeof order->lead_unit, "road");
    snprintf(order->co_units, sizeof order->co_units, "water");
    order->state = HL_STATE_HANDLING;
    order->version = 2;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_update(context->store, order, 1, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_order_filter power = {.scope_unit = "power", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &power)}, (int64_t[]){3}, 1);
    hl_order_filter road = {.scope_unit = "road", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &road)}, (int64_t[]){2}, 1);
    hl_order_filter water_lead = {.unit = "water", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &water_lead)}, (int64_t[]){1, 5}, 2);
    hl_order_filter water_co = {.co_unit = "water", .sort = HL_ORDER_SORT_RECEIVED};
    assert_ids((id_list[]){query(context->store, &water_co)}, (int64_t[]){2, 4}, 2);
    /* 1 water; 2 road, water; 3 power, water_x; 4 gas, water; 5 water, gas. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM order_units"), 9);
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM order_units u LEFT JOIN orders o "
                                 "ON o.id = u.order_id WHERE o.received_at <> u.received"),
                     0);
    /* The totals by state are the orders' own. */
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM order_state_counts t WHERE orders <> "
                                 "(SELECT count(*) FROM orders o WHERE o.state = t.state)"),
                     0);
    assert_int_equal(raw_integer(context->path,
                                 "SELECT orders FROM order_state_counts WHERE state = 'handling'"),
                     2);
    assert_int_equal(
        raw_integer(context->path,
                    "SELECT orders FROM order_state_counts WHERE state = 'dispatched'"),
        0);
}

/* Migration 8 builds the unit rows from the orders a store already holds:
 * undo it on a store at version 8, then reopen. */

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_order_round_trip_of_every_field),
        STORE_TEST(test_order_get_of_absent_id_is_not_found),
        STORE_TEST(test_insert_of_duplicate_id_conflicts),
        STORE_TEST(test_update_changes_mutable_fields),
        STORE_TEST(test_update_with_stale_version_conflicts_and_changes_nothing),
        STORE_TEST(test_update_of_unknown_id_is_not_found),
        STORE_TEST(test_out_of_range_enum_is_refused),
        STORE_TEST(test_unit_rows_and_state_totals_follow_updates),
        STORE_TEST(test_state_counts_follow_inserts_and_state_changes),
        STORE_TEST(test_state_counts_roll_back_with_the_transaction),
        STORE_TEST(test_order_heads_in_id_order),
        STORE_TEST(test_order_max_id),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
