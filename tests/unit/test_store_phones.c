/* test_store_phones.c: citizens' phone numbers at rest in the store (on
 * each backend): no phone without a codec, orders found by a number however it is
 * written, and the phone index a bulk load writes at commit; citizens'
 * names and addresses sealed alike, and those an older schema kept in
 * clear sealed at the first open with the key. Records are filled by hand;
 * the workflow is not involved. */
#include "store_fixture.h"

/* ---- Phones at rest and the audit of reads (schema 5) ---- */

static void test_phone_needs_a_codec(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    hl_store_set_phone_codec(context->store, NULL);
    hl_error error;
    /* Without a codec, no phone is written in clear... */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, make_order(2, HL_STATE_NEW, ""), &error),
                     HL_EIO);
    hl_store_rollback(context->store);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders"), 1);
    /* ...an order without one (nor a name or an address, sealed alike) is, */
    hl_order *order = make_order(3, HL_STATE_NEW, "");
    order->citizen_phone[0] = '\0';
    order->citizen_name[0] = '\0';
    order->address[0] = '\0';
    insert(context->store, order);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM orders WHERE citizen_phone IS NULL"), 1);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"),
                     1); /* order 1's */
    /* ...and a sealed one cannot be read nor searched. */
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_EIO);
    hl_order_filter filter = {0};
    filter.phone = "13800000000";
    int64_t count = 0;
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_EIO);
    test_store_use_key(context->store);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.citizen_phone, "13800000000");
    assert_int_equal(hl_store_order_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
}

static int collect_ids(void *context, const hl_order *order)
{
    int64_t *ids = context;
    size_t index = 0;
    while (ids[index] != 0)
        index++;
    ids[index] = order->id;
    return 0;
}

static void test_query_by_phone_before_an_order_newest_first(void **state)
{
    fixture *context = *state;
    /* Orders 1..5 share a number; 2 and 3 were received at the same
     * instant; 6 has another number. */
    const hl_time received[] = {0, 100, 200, 200, 300, 400, 150};
    for (int64_t sequence = 1; sequence <= 6; sequence++) {
        hl_order *order = make_order(sequence, HL_STATE_NEW, "");
        order->received_at = 1707962400 + received[sequence];
        if (sequence == 6)
            snprintf(order->citizen_phone, sizeof order->citizen_phone, "13900000000");
        insert(context->store, order);
    }
    hl_order_filter filter = {0};
    filter.phone = "+86 138 0000 0000";
    filter.before_id = ORDER_BASE + 3;
    filter.sort = HL_ORDER_SORT_RECEIVED_DESC;
    int64_t ids[8] = {0};
    hl_error error;
    assert_int_equal(hl_store_order_query(context->store, &filter, collect_ids, ids, &error),
                     HL_OK);
    assert_int_equal(ids[0], ORDER_BASE + 2); /* the same instant, an earlier number */
    assert_int_equal(ids[1], ORDER_BASE + 1);
    assert_int_equal(ids[2], 0);
    /* The orders are found through phone_index, never by a walk of every
     * order newest first: SQLite's plan says so (PostgreSQL's planner has
     * no hl_sqlite_explain). */
    if (!test_store_is_postgres()) {
        hl_buf plan;
        hl_buf_init(&plan);
        assert_int_equal(hl_sqlite_explain(context->store, &filter, &plan, &error), HL_OK);
        if (strstr(plan.data, "phone_index") == NULL || strstr(plan.data, "SCAN orders") != NULL)
            fail_msg("%s", plan.data);
        hl_buf_free(&plan);
    }
    filter.before_id = 0; /* no bound: all five, newest first */
    memset(ids, 0, sizeof ids);
    assert_int_equal(hl_store_order_query(context->store, &filter, collect_ids, ids, &error),
                     HL_OK);
    assert_int_equal(ids[0], ORDER_BASE + 5);
    assert_int_equal(ids[1], ORDER_BASE + 4);
    assert_int_equal(ids[2], ORDER_BASE + 3);
    assert_int_equal(ids[3], ORDER_BASE + 2);
    assert_int_equal(ids[4], ORDER_BASE + 1);
    assert_int_equal(ids[5], 0);
}

static int64_t count_phone(hl_store *store, const char *phone)
{
    hl_order_filter filter = {0};
    filter.phone = phone;
    int64_t count = -1;
    hl_error error;
    assert_int_equal(hl_store_order_count(store, &filter, &count, &error), HL_OK);
    return count;
}

static void test_bulk_load_indexes_phones_at_commit(void **state)
{
    fixture *context = *state;
    hl_error error;
    /* Rolled back: neither the orders nor their index entries stay. */
    hl_store_set_bulk(context->store, true);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (int64_t sequence = 1; sequence <= 3; sequence++)
        assert_int_equal(
            hl_store_order_insert(context->store, make_order(sequence, HL_STATE_NEW, ""), &error),
            HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 0);
    hl_store_rollback(context->store);
    /* Committed: every entry is written, in one go. */
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    for (int64_t sequence = 1; sequence <= 5; sequence++) {
        hl_order *order = make_order(sequence, HL_STATE_NEW, "");
        snprintf(order->citizen_phone, sizeof order->citizen_phone, "1380000000%lld",
                 (long long)(sequence % 2));
        assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_OK);
    }
    /* A search inside the load sees the load's orders. */
    assert_int_equal(count_phone(context->store, "13800000001"), 3);
    for (int64_t sequence = 6; sequence <= 7; sequence++)
        assert_int_equal(
            hl_store_order_insert(context->store, make_order(sequence, HL_STATE_NEW, ""), &error),
            HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    hl_store_set_bulk(context->store, false);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM phone_index"), 7);
    assert_int_equal(count_phone(context->store, "13800000001"), 3);
    assert_int_equal(count_phone(context->store, "13800000000"),
                     4); /* 2, 4 and the two of make_order */
}

/* ---- Names and addresses at rest (SQLite schema 15, PostgreSQL 9) ---- */

#define SEALED_NAME_BYTES "73"     /* 1 + 24 + 16 + 32: a name of up to 32 bytes */
#define SEALED_ADDRESS_BYTES "105" /* 1 + 24 + 16 + 64: an address of up to 64 bytes */

/* Orders whose name or address holds the text in clear, as the owner of
 * the database reads them with plain SQL. */
static int64_t clear_rows(const char *path, const char *name, const char *address)
{
    char sql[512];
    if (test_store_is_postgres())
        snprintf(
            sql, sizeof sql,
            "SELECT count(*) FROM orders WHERE position(convert_to('%s', 'UTF8') IN "
            "coalesce(citizen_name::bytea, ''::bytea)) > 0 OR position(convert_to('%s', 'UTF8') IN "
            "coalesce(address::bytea, ''::bytea)) > 0",
            name, address);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM orders WHERE instr(CAST(citizen_name AS BLOB), CAST('%s' "
                 "AS BLOB)) > 0 OR instr(CAST(address AS BLOB), CAST('%s' AS BLOB)) > 0",
                 name, address);
    return raw_integer(path, sql);
}

/* Orders whose name and address are sealed to their fixed lengths. */
static int64_t sealed_rows(const char *path)
{
    if (test_store_is_postgres())
        return raw_integer(
            path,
            "SELECT count(*) FROM orders WHERE octet_length(citizen_name) = " SEALED_NAME_BYTES
            " AND octet_length(address) = " SEALED_ADDRESS_BYTES);
    return raw_integer(path, "SELECT count(*) FROM orders WHERE typeof(citizen_name) = 'blob' AND "
                             "length(citizen_name) = " SEALED_NAME_BYTES " AND typeof(address) = "
                             "'blob' AND length(address) = " SEALED_ADDRESS_BYTES);
}

/* Issue 11: names and addresses were stored in clear; a raw read of the
 * table (a stolen file, a backup, the owner's SELECT) showed them. */
static void test_names_and_addresses_are_sealed_at_rest(void **state)
{
    fixture *context = *state;
    hl_order *order = make_order(1, HL_STATE_NEW, "");
    snprintf(order->address, sizeof order->address, "迎泽区并州路 88 号");
    insert(context->store, order);
    order = make_order(2, HL_STATE_NEW, "");
    snprintf(order->citizen_name, sizeof order->citizen_name, "欧阳");
    snprintf(order->address, sizeof order->address, "小店区");
    insert(context->store, order);
    order = make_order(3, HL_STATE_NEW, "");
    order->citizen_name[0] = order->address[0] = '\0';
    insert(context->store, order);
    assert_int_equal(clear_rows(context->path, "张三", "并州路"), 0);
    assert_int_equal(clear_rows(context->path, "欧阳", "小店区"), 0);
    /* Names and addresses of different lengths within one step: one length each. */
    assert_int_equal(sealed_rows(context->path), 2);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders WHERE citizen_name "
                                                "IS NULL AND address IS NULL"),
                     1); /* empty is NULL */
    hl_error error;
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.citizen_name, "张三");
    assert_string_equal(scratch_read.address, "迎泽区并州路 88 号");
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 3, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.citizen_name, "");
    assert_string_equal(scratch_read.address, "");
    /* A longer address takes the next steps (65 to 128 bytes: 1 + 24 + 16 +
     * 128), and the longest the field holds its whole room (800 bytes). */
    order = make_order(5, HL_STATE_NEW, "");
    memset(order->address, 'a', 70);
    order->address[70] = '\0';
    insert(context->store, order);
    order = make_order(6, HL_STATE_NEW, "");
    memset(order->address, 'b', sizeof order->address - 1);
    order->address[sizeof order->address - 1] = '\0';
    insert(context->store, order);
    const char *lengths = test_store_is_postgres()
                              ? "SELECT string_agg(octet_length(address)::text, ',' ORDER BY id) "
                                "FROM orders WHERE id > 20240215000004"
                              : "SELECT group_concat(length(address), ',') FROM (SELECT address "
                                "FROM orders WHERE id > 20240215000004 ORDER BY id)";
    char seen[64];
    raw_text(context->path, lengths, seen, sizeof seen);
    assert_string_equal(seen, "169,841");
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 6, &scratch_read, &error),
                     HL_OK);
    assert_int_equal(strlen(scratch_read.address), sizeof order->address - 1);
    /* Without the codec neither is written nor read. */
    hl_store_set_phone_codec(context->store, NULL);
    order = make_order(4, HL_STATE_NEW, "");
    order->citizen_phone[0] = '\0';
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_order_insert(context->store, order, &error), HL_EIO);
    hl_store_rollback(context->store);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 2, &scratch_read, &error),
                     HL_EIO);
    test_store_use_key(context->store);
}

static int visit_nothing(void *context, const hl_order *order, const hl_sealed_phone *phone)
{
    (void)context;
    (void)order;
    (void)phone;
    return HL_OK;
}

/* Issue 11: a store of the schema before (SQLite 14, PostgreSQL 8) holds
 * names and addresses in clear; the first open with the key seals them
 * all, and what a reader sees does not change. */
static void test_names_in_clear_are_sealed_at_the_first_open(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    insert(context->store, make_order(2, HL_STATE_NEW, ""));
    hl_store_close(context->store);
    context->store = NULL;
    if (test_store_is_postgres())
        assert_int_equal(
            raw_exec(context->path,
                     "UPDATE orders SET citizen_name = NULL, address = NULL;" PG_UNDO_SEALED_TEXTS
                     "UPDATE orders SET citizen_name = '王五', address = '小店区长风街 1 号';"
                     "UPDATE orders SET citizen_name = '' WHERE id = 20240215000002;"
                     "UPDATE meta SET value = '9' WHERE key = 'schema_version';"),
            0);
    else
        assert_int_equal(
            raw_exec(context->path,
                     "UPDATE orders SET citizen_name = '王五', address = '小店区长风街 1 号';"
                     "UPDATE orders SET citizen_name = '' WHERE id = 20240215000002;"
                     "UPDATE meta SET value = '15' WHERE key = 'schema_version';"),
            0);
    assert_int_equal(clear_rows(context->path, "王五", "长风街"), 2); /* the test means something */
    hl_error error;
    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM meta WHERE key = 'texts_unsealed'"), 1);
    /* Before the key the seal waits for it, and a copy (which moves sealed
     * bytes as they are) refuses texts still in clear. */
    assert_int_equal(hl_store_seal_phones(context->store, &error), HL_EIO);
    assert_int_equal(hl_store_order_scan_sealed(context->store, visit_nothing, NULL, &error),
                     HL_EIO);
    assert_non_null(strstr(error.message, "尚未加密")); /* "still in clear" */
    test_store_use_key(context->store);
    assert_int_equal(hl_store_seal_phones(context->store, &error), HL_OK);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM meta WHERE key = 'texts_unsealed'"), 0);
    assert_int_equal(clear_rows(context->path, "王五", "长风街"), 0);
    assert_int_equal(sealed_rows(context->path), 1);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM orders WHERE citizen_name "
                                                "IS NULL"),
                     1);
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 1, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.citizen_name, "王五");
    assert_string_equal(scratch_read.address, "小店区长风街 1 号");
    assert_string_equal(scratch_read.citizen_phone, "13800000000");
    assert_int_equal(hl_store_order_get(context->store, ORDER_BASE + 2, &scratch_read, &error),
                     HL_OK);
    assert_string_equal(scratch_read.citizen_name, "");
    assert_int_equal(hl_store_order_scan_sealed(context->store, visit_nothing, NULL, &error),
                     HL_OK);
    /* Done once: the next open finds nothing to seal. */
    reopen(context);
    assert_int_equal(hl_store_seal_phones(context->store, &error), HL_OK);
    assert_int_equal(sealed_rows(context->path), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_phone_needs_a_codec),
        STORE_TEST(test_query_by_phone_before_an_order_newest_first),
        STORE_TEST(test_bulk_load_indexes_phones_at_commit),
        STORE_TEST(test_names_and_addresses_are_sealed_at_rest),
        STORE_TEST(test_names_in_clear_are_sealed_at_the_first_open),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
