/* test_store_access.c: what the store (on each backend) keeps for access: API
 * keys, what Open311 requests brought and their answers, the append-only
 * audit of full phone-number reads, and users' password hashes (with
 * when each was set and the history of the previous ones) and sessions. Records are filled by hand;
 * the workflow is not involved. */
#include "store_fixture.h"

static hl_apikey make_key(const char *hash, const char *name)
{
    hl_apikey key;
    memset(&key, 0, sizeof key);
    snprintf(key.key_hash, sizeof key.key_hash, "%s", hash);
    snprintf(key.key_prefix, sizeof key.key_prefix, "%.8s", hash);
    snprintf(key.name, sizeof key.name, "%s", name);
    snprintf(key.created_by, sizeof key.created_by, "admin");
    key.created_at = 1707962400;
    key.rate_per_minute = 60;
    return key;
}

static int collect_key(void *context, const hl_apikey *key)
{
    id_list *list = context;
    list->ids[list->count++] = key->id;
    return 0;
}

static void test_apikey_insert_find_each_and_revoke(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_apikey first = make_key("aaaaaaaaaaaa", "市民通 App"),
              second = make_key("bbbbbbbbbbbb", "FixMyStreet");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &first, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &second, &error), HL_OK);
    hl_apikey duplicate = make_key("aaaaaaaaaaaa", "again");
    assert_int_equal(hl_store_apikey_insert(context->store, &duplicate, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_true(first.id > 0 && second.id > first.id);

    hl_apikey found;
    assert_int_equal(hl_store_apikey_find(context->store, "bbbbbbbbbbbb", &found, &error), HL_OK);
    assert_int_equal(found.id, second.id);
    assert_string_equal(found.name, "FixMyStreet");
    assert_string_equal(found.key_prefix, "bbbbbbbb");
    assert_string_equal(found.created_by, "admin");
    assert_int_equal(found.rate_per_minute, 60);
    assert_false(found.revoked);
    assert_int_equal(hl_store_apikey_find(context->store, "cccc", &found, &error), HL_ENOTFOUND);
    assert_null(strstr(error.message, "cccc"));

    id_list list = {.count = 0};
    assert_int_equal(hl_store_apikey_each(context->store, collect_key, &list, &error), HL_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.ids[0], first.id);

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, first.id, 1707970000, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, first.id, 1707999999, &error), HL_OK);
    assert_int_equal(hl_store_apikey_revoke(context->store, 999, 1707970000, &error), HL_ENOTFOUND);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_get(context->store, first.id, &found, &error), HL_OK);
    assert_true(found.revoked);
    assert_int_equal(found.revoked_at, 1707970000);
    assert_int_equal(hl_store_apikey_get(context->store, 999, &found, &error), HL_ENOTFOUND);
}

typedef struct answer_list {
    char text[256];
} answer_list;

static int collect_answer(void *context, const char *code, int seq, const char *value)
{
    answer_list *list = context;
    size_t used = strlen(list->text);
    snprintf(list->text + used, sizeof list->text - used, "%s#%d=%s;", code, seq, value);
    return 0;
}

static void test_open311_record_and_answers_round_trip(void **state)
{
    fixture *context = *state;
    hl_error error;
    insert(context->store, make_order(1, HL_STATE_NEW, ""));
    hl_apikey key = make_key("dddddddddddd", "app");
    hl_open311_record record = {.order_id = ORDER_BASE + 1};
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_apikey_insert(context->store, &key, &error), HL_OK);
    record.api_key_id = key.id;
    snprintf(record.email, sizeof record.email, "citizen@example.org");
    snprintf(record.device_id, sizeof record.device_id, "device-1");
    snprintf(record.address_id, sizeof record.address_id, "A-17");
    snprintf(record.media_url, sizeof record.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    assert_int_equal(hl_store_open311_put(context->store, &record, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "KIND", 2, "b", &error),
                     HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "KIND", 1, "a", &error),
                     HL_OK);
    assert_int_equal(
        hl_store_answer_put(context->store, ORDER_BASE + 1, "AGE", 1, "' OR 1=1 --", &error),
        HL_OK);
    assert_int_equal(hl_store_answer_put(context->store, ORDER_BASE + 1, "AGE", 1, "again", &error),
                     HL_ECONFLICT);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    hl_open311_record read;
    assert_int_equal(hl_store_open311_get(context->store, ORDER_BASE + 1, &read, &error), HL_OK);
    assert_int_equal(read.api_key_id, key.id);
    assert_string_equal(read.email, "citizen@example.org");
    assert_string_equal(read.device_id, "device-1");
    assert_string_equal(read.account_id, "");
    assert_string_equal(read.address_id, "A-17");
    assert_string_equal(read.media_url, "https://example.org/p.jpg");
    assert_int_equal(hl_store_open311_get(context->store, ORDER_BASE + 2, &read, &error),
                     HL_ENOTFOUND);
    answer_list answers = {""};
    assert_int_equal(
        hl_store_answer_each(context->store, ORDER_BASE + 1, collect_answer, &answers, &error),
        HL_OK);
    assert_string_equal(answers.text, "AGE#1=' OR 1=1 --;KIND#1=a;KIND#2=b;");
    /* A record needs its order and its key. */
    record.order_id = ORDER_BASE + 9;
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_not_equal(hl_store_open311_put(context->store, &record, &error), HL_OK);
    hl_store_rollback(context->store);
}

static int collect_reads(void *context, const hl_audit_read *read)
{
    hl_audit_read *reads = context;
    size_t index = 0;
    while (reads[index].id != 0)
        index++;
    reads[index] = *read;
    return 0;
}

static void append_read(hl_store *store, hl_time at, const char *actor, int64_t order_id,
                        const char *route)
{
    hl_audit_read read = {0};
    read.at = at;
    snprintf(read.actor, sizeof read.actor, "%s", actor);
    read.order_id = order_id;
    snprintf(read.route, sizeof read.route, "%s", route);
    hl_error error;
    assert_int_equal(hl_store_begin(store, &error), HL_OK);
    assert_int_equal(hl_store_audit_append(store, &read, &error), HL_OK);
    assert_int_equal(hl_store_commit(store, &error), HL_OK);
}

static void test_audit_reads_are_listed_newest_first_and_filtered(void **state)
{
    fixture *context = *state;
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "GET /api/v1/orders/{number}");
    append_read(context->store, 2000, "agent2", ORDER_BASE + 1, "GET /api/v1/orders/{number}");
    append_read(context->store, 3000, "agent1", ORDER_BASE + 2, "hotline show");
    hl_audit_read reads[8];
    memset(reads, 0, sizeof reads);
    hl_error error;
    assert_int_equal(hl_store_audit_query(context->store, NULL, collect_reads, reads, &error),
                     HL_OK);
    assert_int_equal(reads[0].order_id, ORDER_BASE + 2);
    assert_string_equal(reads[0].route, "hotline show");
    assert_int_equal(reads[0].at, 3000);
    assert_int_equal(reads[2].at, 1000);
    assert_int_equal(reads[3].id, 0);

    hl_audit_filter filter = {0};
    filter.actor = "agent1";
    int64_t count = 0;
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
    filter.order_id = ORDER_BASE + 1;
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 1);
    filter = (hl_audit_filter){.since = 2000};
    assert_int_equal(hl_store_audit_count(context->store, &filter, &count, &error), HL_OK);
    assert_int_equal(count, 2);
    /* Pages: the limit and offset of the newest-first list. */
    filter = (hl_audit_filter){.limit = 1, .offset = 1};
    memset(reads, 0, sizeof reads);
    assert_int_equal(hl_store_audit_query(context->store, &filter, collect_reads, reads, &error),
                     HL_OK);
    assert_int_equal(reads[0].at, 2000);
    assert_int_equal(reads[1].id, 0);
    filter = (hl_audit_filter){.offset = 2};
    memset(reads, 0, sizeof reads);
    assert_int_equal(hl_store_audit_query(context->store, &filter, collect_reads, reads, &error),
                     HL_OK);
    assert_int_equal(reads[0].at, 1000);
    assert_int_equal(reads[1].id, 0);
}

static void test_audit_reads_are_append_only(void **state)
{
    fixture *context = *state;
    append_read(context->store, 1000, "agent1", ORDER_BASE + 1, "hotline show");
    assert_int_not_equal(raw_exec(context->path, "UPDATE personal_data_reads SET actor = 'nobody'"),
                         SQLITE_OK);
    assert_int_not_equal(raw_exec(context->path, "DELETE FROM personal_data_reads"), SQLITE_OK);
    assert_int_equal(raw_integer(context->path,
                                 "SELECT count(*) FROM personal_data_reads WHERE actor = 'agent1'"),
                     1);
}

static void test_passwords_and_sessions(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_user agent = {.role = HL_ROLE_AGENT, .active = true};
    snprintf(agent.username, sizeof agent.username, "agent1");
    hl_session first = {.created_at = 100, .expires_at = 200}, second = first, third = first;
    snprintf(first.token_hash, sizeof first.token_hash, "%064d", 1);
    snprintf(first.username, sizeof first.username, "agent1");
    second = first;
    snprintf(second.token_hash, sizeof second.token_hash, "%064d", 2);
    second.expires_at = 500;
    third = second;
    snprintf(third.token_hash, sizeof third.token_hash, "%064d", 3);
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &agent, &error), HL_OK);
    assert_int_equal(hl_store_password_set(context->store, "agent1", "$argon2id$x", 1000, &error),
                     HL_OK);
    assert_int_equal(hl_store_password_set(context->store, "nobody", "$argon2id$x", 1000, &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_store_session_put(context->store, &first, &error), HL_OK);
    assert_int_equal(hl_store_session_put(context->store, &first, &error), HL_ECONFLICT);
    assert_int_equal(hl_store_session_put(context->store, &second, &error), HL_OK);
    assert_int_equal(hl_store_session_put(context->store, &third, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);

    char hash[64];
    assert_int_equal(
        hl_store_password_get(context->store, "agent1", hash, sizeof hash, NULL, &error), HL_OK);
    assert_string_equal(hash, "$argon2id$x");
    char small[4];
    assert_int_equal(
        hl_store_password_get(context->store, "agent1", small, sizeof small, NULL, &error), HL_EIO);
    assert_int_equal(
        hl_store_password_get(context->store, "nobody", hash, sizeof hash, NULL, &error),
        HL_ENOTFOUND);

    hl_session read;
    assert_int_equal(hl_store_session_get(context->store, first.token_hash, &read, &error), HL_OK);
    assert_string_equal(read.username, "agent1");
    assert_int_equal(read.expires_at, 200);
    assert_false(read.revoked);
    assert_int_equal(hl_store_session_get(context->store, "ffff", &read, &error), HL_ENOTFOUND);
    assert_null(strstr(error.message, "ffff"));

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_revoke(context->store, first.token_hash, &error), HL_OK);
    assert_int_equal(hl_store_session_revoke(context->store, first.token_hash, &error),
                     HL_ENOTFOUND);
    assert_int_equal(
        hl_store_session_revoke_user(context->store, "agent1", second.token_hash, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_get(context->store, first.token_hash, &read, &error), HL_OK);
    assert_true(read.revoked);
    assert_int_equal(hl_store_session_get(context->store, second.token_hash, &read, &error), HL_OK);
    assert_false(read.revoked);
    assert_int_equal(hl_store_session_get(context->store, third.token_hash, &read, &error), HL_OK);
    assert_true(read.revoked);

    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_purge(context->store, 300, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    assert_int_equal(hl_store_session_get(context->store, first.token_hash, &read, &error),
                     HL_ENOTFOUND);
    assert_int_equal(hl_store_session_get(context->store, second.token_hash, &read, &error), HL_OK);
}

typedef struct past_list {
    char hashes[HL_STORE_PASSWORD_HISTORY + 2][32];
    hl_time set_at[HL_STORE_PASSWORD_HISTORY + 2];
    int count;
} past_list;

static int collect_past(void *context, const char *hash, hl_time set_at)
{
    past_list *list = context;
    if (list->count < HL_STORE_PASSWORD_HISTORY + 2) {
        snprintf(list->hashes[list->count], sizeof list->hashes[0], "%s", hash);
        list->set_at[list->count++] = set_at;
    }
    return 0;
}

/* Each new hash pushes the one in use into the history with the time it
 * was set; the history keeps the newest HL_STORE_PASSWORD_HISTORY. */
static void test_password_history_and_age(void **state)
{
    fixture *context = *state;
    hl_error error;
    hl_user agent = {.role = HL_ROLE_AGENT, .active = true};
    snprintf(agent.username, sizeof agent.username, "agent1");
    assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(context->store, &agent, &error), HL_OK);
    assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    char hash[64];
    hl_time changed_at = -1;
    assert_int_equal(
        hl_store_password_get(context->store, "agent1", hash, sizeof hash, &changed_at, &error),
        HL_OK);
    assert_string_equal(hash, "");
    assert_int_equal(changed_at, 0);

    int sets = HL_STORE_PASSWORD_HISTORY + 3;
    for (int index = 1; index <= sets; index++) {
        char next[32];
        snprintf(next, sizeof next, "$argon2id$%d", index);
        assert_int_equal(hl_store_begin(context->store, &error), HL_OK);
        assert_int_equal(
            hl_store_password_set(context->store, "agent1", next, 1000 + index, &error), HL_OK);
        assert_int_equal(hl_store_commit(context->store, &error), HL_OK);
    }
    assert_int_equal(
        hl_store_password_get(context->store, "agent1", hash, sizeof hash, &changed_at, &error),
        HL_OK);
    assert_int_equal(changed_at, 1000 + sets);
    past_list past = {.count = 0};
    assert_int_equal(
        hl_store_password_history(context->store, "agent1", collect_past, &past, &error), HL_OK);
    assert_int_equal(past.count, HL_STORE_PASSWORD_HISTORY);
    for (int index = 0; index < past.count; index++) {
        char expected[32];
        snprintf(expected, sizeof expected, "$argon2id$%d", sets - 1 - index);
        assert_string_equal(past.hashes[index], expected);
        assert_int_equal(past.set_at[index], 1000 + sets - 1 - index);
    }
    past.count = 0;
    assert_int_equal(
        hl_store_password_history(context->store, "nobody", collect_past, &past, &error), HL_OK);
    assert_int_equal(past.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define STORE_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        STORE_TEST(test_apikey_insert_find_each_and_revoke),
        STORE_TEST(test_open311_record_and_answers_round_trip),
        STORE_TEST(test_audit_reads_are_listed_newest_first_and_filtered),
        STORE_TEST(test_audit_reads_are_append_only),
        STORE_TEST(test_passwords_and_sessions),
        STORE_TEST(test_password_history_and_age),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
