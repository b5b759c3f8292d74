/* test_store_postgres_partitions.c: the PostgreSQL event log partitioned by
 * month (pg_schema.c, migration 3), on a real server: events of three
 * months land in their three partitions, made when the clock (HOTLINE_NOW)
 * reached each month; an event of a month without a partition still lands,
 * in the default one; the append-only triggers refuse UPDATE, DELETE and
 * TRUNCATE on a partition reached directly; an (order, seq) taken in
 * another month still conflicts; a database at schema 2 with events comes
 * to 3 with every row unchanged; and an order's events across months read
 * in sequence.
 *
 * Registered once, with HOTLINE_TEST_BACKEND=postgres: each test runs on a
 * fresh database of the server HOTLINE_TEST_PG names (store_fixture.h's
 * setup), which the throwaway server takes with it, and reads the tables
 * beside the store through raw_exec, raw_integer and raw_text (psql).
 * Without HOTLINE_TEST_PG every test fails, saying so, as every _pg test
 * does. */
#include "store_fixture.h"

/* Noon UTC on the 20th of January, February and March 2024, and on days
 * of May and September 2031. */
#define JANUARY 1705752000LL
#define FEBRUARY 1708430400LL
#define MARCH 1710936000LL
#define MAY_2031 1936180800LL
#define SEPTEMBER_2031 1946808000LL

/* The store's clock is the real one unless a test sets HOTLINE_NOW: each
 * test begins and ends without it. */
static int partitions_setup(void **state)
{
    unsetenv("HOTLINE_NOW");
    return setup(state);
}

static int partitions_teardown(void **state)
{
    unsetenv("HOTLINE_NOW");
    return teardown(state);
}

/* The partition that holds event (sequence, seq). */
static void partition_of(const fixture *context, int64_t sequence, int64_t seq, char *name,
                         size_t size)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT tableoid::regclass::text FROM events WHERE order_id = %lld AND seq = %lld",
             (long long)(ORDER_BASE + sequence), (long long)seq);
    raw_text(context->path, sql, name, size);
}

static void append_at(hl_store *store, int64_t sequence, int64_t seq, hl_time at)
{
    hl_event *event = make_event(sequence, seq, seq == 1 ? HL_ACTION_REGISTER : HL_ACTION_DISPATCH);
    event->at = at;
    append(store, event);
}

static void test_events_of_three_months_land_in_three_partitions(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    /* Each month's first write transaction makes its partition and the
     * next month's. */
    setenv("HOTLINE_NOW", "2024-01-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 1, JANUARY);
    setenv("HOTLINE_NOW", "2024-02-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 2, FEBRUARY);
    setenv("HOTLINE_NOW", "2024-03-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 3, MARCH);
    char name[64];
    partition_of(context, 1, 1, name, sizeof name);
    assert_string_equal(name, "events_202401");
    partition_of(context, 1, 2, name, sizeof name);
    assert_string_equal(name, "events_202402");
    partition_of(context, 1, 3, name, sizeof name);
    assert_string_equal(name, "events_202403");
    assert_int_equal(raw_integer(context->path, "SELECT count(DISTINCT tableoid) FROM events"), 3);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events_default"), 0);
    /* The partitions are the parent's children: January to April (made
     * ahead) and the default one, besides the months the clock's own
     * start made. */
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM pg_inherits WHERE inhparent = "
                                 "'events'::regclass AND inhrelid::regclass::text IN "
                                 "('events_202401', 'events_202402', 'events_202403', "
                                 "'events_202404', 'events_default')"),
                     5);
}

static void test_an_event_of_a_month_never_seen_lands_and_its_month_gets_a_partition(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    /* A month no clock has reached yet: the default partition takes it,
     * and the insert never fails for want of a partition. */
    append_at(context->store, 1, 1, SEPTEMBER_2031);
    char name[64];
    partition_of(context, 1, 1, name, sizeof name);
    assert_string_equal(name, "events_default");
    /* When the clock reaches a month never seen, its first write makes
     * the month's partition, and its events land there. */
    setenv("HOTLINE_NOW", "2031-05-10T12:00:00+00:00", 1);
    append_at(context->store, 1, 2, MAY_2031);
    partition_of(context, 1, 2, name, sizeof name);
    assert_string_equal(name, "events_203105");
    /* A month whose rows sit in the default partition keeps them there:
     * its partition is not made (that would need the rows moved). */
    setenv("HOTLINE_NOW", "2031-09-10T12:00:00+00:00", 1);
    append_at(context->store, 1, 3, SEPTEMBER_2031 + 60);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events_default"), 2);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events_203110"), 0);
    assert_int_equal(
        raw_integer(context->path, "SELECT (to_regclass('events_203109') IS NULL)::int"), 1);
}

static void test_the_triggers_refuse_rewrites_on_every_partition(void **state)
{
    fixture *context = *state;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    setenv("HOTLINE_NOW", "2024-01-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 1, JANUARY);
    append_at(context->store, 1, 2, SEPTEMBER_2031);
    const char *const refused[] = {
        "UPDATE events_202401 SET note = 'changed'",
        "DELETE FROM events_202401",
        "TRUNCATE events_202401",
        "UPDATE events_default SET note = 'changed'",
        "DELETE FROM events_default",
        "TRUNCATE events_default",
        "UPDATE events SET note = 'changed'",
        "DELETE FROM events",
        "TRUNCATE events",
        /* A partition made after the triggers. */
        "TRUNCATE events_202402",
    };
    for (size_t index = 0; index < sizeof refused / sizeof refused[0]; index++) {
        if (raw_exec(context->path, refused[index]) == 0)
            fail_msg("%s was not refused", refused[index]);
    }
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM events WHERE note = 'changed'"), 0);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 2);
    /* hotline_app goes through the parent only. */
    char privilege[8];
    raw_text(context->path, "SELECT has_table_privilege('hotline_app', 'events', 'INSERT')",
             privilege, sizeof privilege);
    assert_string_equal(privilege, "t");
    raw_text(context->path, "SELECT has_table_privilege('hotline_app', 'events', 'DELETE')",
             privilege, sizeof privilege);
    assert_string_equal(privilege, "f");
}

static void test_a_seq_taken_in_another_month_conflicts(void **state)
{
    fixture *context = *state;
    hl_error error;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    setenv("HOTLINE_NOW", "2024-01-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 1, JANUARY);
    hl_event *event = make_event(1, 1, HL_ACTION_REGISTER);
    event->at = MARCH;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_event_append(context->store, event, &error), HL_ECONFLICT);
    /* The transaction goes on. */
    event = make_event(1, 2, HL_ACTION_DISPATCH);
    event->at = MARCH;
    assert_int_equal(hl_store_event_append(context->store, event, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 2);
}

/* Events across months, read back in sequence. */
static int collect(void *context, const hl_event *event)
{
    id_list *list = context;
    if (list->count < 64) {
        list->ids[list->count] = event->at;
        list->seqs[list->count] = event->seq;
    }
    list->count++;
    return 0;
}

static void test_an_orders_events_read_in_sequence_across_months(void **state)
{
    fixture *context = *state;
    hl_error error;
    insert(context->store, make_order(1, HL_STATE_NEW, "water"));
    insert(context->store, make_order(2, HL_STATE_NEW, "water"));
    setenv("HOTLINE_NOW", "2024-01-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 1, JANUARY);
    append_at(context->store, 2, 1, JANUARY + 5);
    setenv("HOTLINE_NOW", "2024-03-20T12:00:00+00:00", 1);
    append_at(context->store, 1, 2, FEBRUARY);
    append_at(context->store, 1, 3, MARCH);
    append_at(context->store, 1, 4, SEPTEMBER_2031);
    id_list list = {0};
    assert_int_equal(hl_store_event_list(context->store, ORDER_BASE + 1, collect, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 4);
    const hl_time times[] = {JANUARY, FEBRUARY, MARCH, SEPTEMBER_2031};
    for (int index = 0; index < 4; index++) {
        assert_int_equal(list.seqs[index], index + 1);
        assert_int_equal(list.ids[index], times[index]);
    }
    hl_event *read = &scratch_event;
    assert_int_equal(hl_store_event_get(context->store, ORDER_BASE + 1, 3, read, &error), HL_OK);
    assert_int_equal(read->at, MARCH);
}

/* The events table as schema 2 had it (pg_schema.c, migration 1), and
 * the orders without what migration 4 adds, and without the hash chains
 * of migration 6. */
static const char *const schema_2_events =
    "ALTER TABLE orders DROP COLUMN publish_consent;" PG_UNDO_CHAINS_BUT_EVENTS "DROP TABLE events;"
    "DROP FUNCTION hotline_event_partitions(bigint, integer);"
    "CREATE TABLE events(order_id bigint, seq bigint, at bigint, actor text COLLATE \"C\","
    " action text COLLATE \"C\", from_state text COLLATE \"C\", to_state text COLLATE \"C\","
    " unit text COLLATE \"C\", other_unit text COLLATE \"C\", deadline bigint,"
    " note text COLLATE \"C\", details text COLLATE \"C\","
    " period integer NOT NULL DEFAULT 0, outcome integer NOT NULL DEFAULT 0,"
    " rating integer NOT NULL DEFAULT 0, resolved integer NOT NULL DEFAULT 0,"
    " flags integer NOT NULL DEFAULT 0, PRIMARY KEY(order_id, seq));"
    "CREATE INDEX events_by_at ON events(at);"
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events"
    " FOR EACH ROW EXECUTE FUNCTION hotline_append_only('events are append-only');"
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events"
    " FOR EACH STATEMENT EXECUTE FUNCTION hotline_append_only('events are append-only');"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';";

/* A digest of every row of events, every column, in key order. */
#define EVENTS_DIGEST                                                                              \
    "SELECT md5(string_agg((order_id, seq, at, actor, action, from_state, to_state, unit, "        \
    "other_unit, deadline, note, details, period, outcome, rating, resolved, flags)::text, "       \
    "E'\\n' ORDER BY order_id, seq)) || count(*) FROM events e"

static void test_a_schema_2_database_with_events_comes_to_3_with_every_row(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_store_close(context->store);
    context->store = NULL;
    assert_int_equal(raw_exec(context->path, schema_2_events), 0);
    assert_int_equal(
        raw_exec(context->path,
                 "INSERT INTO events SELECT 20240215000000 + n / 4, n % 4 + 1,"
                 " 1705752000 + n * 86400, 'agent' || n, 'register', 'none', 'new',"
                 " 'u' || n, NULL, n, E'第 ' || n || E' 步\\t\\\\', '{}', n % 3, n % 2, 0,"
                 " 0, n FROM generate_series(0, 399) AS n"),
        0);
    char before[64], after[64];
    raw_text(context->path, EVENTS_DIGEST, before, sizeof before);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events"), 400);

    assert_int_equal(hl_store_open(context->path, &context->store, &error), HL_OK);
    assert_int_equal(hl_store_schema_version(context->store), 11);
    assert_int_equal(
        raw_integer(context->path, "SELECT value FROM meta WHERE key = 'schema_version'"), 11);
    /* Schema 6 linked every stored event into the chain, in time order. */
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events WHERE hash IS NULL"),
                     0);
    assert_int_equal(
        raw_integer(context->path, "SELECT seq FROM chain_heads WHERE name = 'events'"), 400);
    assert_int_equal(
        raw_integer(context->path, "SELECT count(*) FROM meta WHERE key = 'chain_unlinked'"), 0);
    raw_text(context->path, EVENTS_DIGEST, after, sizeof after);
    assert_string_equal(before, after);
    /* 400 days from January 2024: 14 months, each in its partition. */
    assert_int_equal(raw_integer(context->path, "SELECT count(DISTINCT tableoid) FROM events"), 14);
    assert_int_equal(raw_integer(context->path, "SELECT count(*) FROM events_default"), 0);
    assert_int_equal(raw_integer(context->path, "SELECT (to_regclass('events_v2') IS NULL)::int"),
                     1);
    /* The moved rows keep the rules: refused rewrites, an order's events. */
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM events_202402"), 0);
    id_list list = {0};
    assert_int_equal(hl_store_event_list(context->store, ORDER_BASE + 7, collect, &list, &error),
                     HL_OK);
    assert_int_equal(list.count, 4);
    for (int index = 0; index < 4; index++)
        assert_int_equal(list.seqs[index], index + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_events_of_three_months_land_in_three_partitions,
                                        partitions_setup, partitions_teardown),
        cmocka_unit_test_setup_teardown(
            test_an_event_of_a_month_never_seen_lands_and_its_month_gets_a_partition,
            partitions_setup, partitions_teardown),
        cmocka_unit_test_setup_teardown(test_the_triggers_refuse_rewrites_on_every_partition,
                                        partitions_setup, partitions_teardown),
        cmocka_unit_test_setup_teardown(test_a_seq_taken_in_another_month_conflicts,
                                        partitions_setup, partitions_teardown),
        cmocka_unit_test_setup_teardown(test_an_orders_events_read_in_sequence_across_months,
                                        partitions_setup, partitions_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_schema_2_database_with_events_comes_to_3_with_every_row, partitions_setup,
            partitions_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
