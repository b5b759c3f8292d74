/* Tests of src/app/auth.c on a real SQLite file: passwords hashed and
 * verified, wrong and unknown credentials, the rate limits per account and
 * per address (with their window, shared by every app on the store), the
 * life of a session token (expiry at an injected clock, forgery, logout),
 * the password change, that only a token's hash is stored, the role table
 * of reads, the administrator's writes to users, and the narrowing of a
 * list to what a user may read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "app/auth.h"
#include "app/policy.h"
#include "app/throttle.h"
#include "app/transfer.h"
#include "base/array.h"
#include "base/i18n.h"
#include "test_support.h"

typedef struct fixture {
    char directory[256];
    char path[512];
    hl_app *app;
    hl_auth_guard *guard;
} fixture;

static const char units_csv[] = "code,name,group,parent,active\n"
                                "u1,市住建局,市直单位,,1\n"
                                "u2,市城管局,市直单位,,1\n";
static const char categories_csv[] = "code,name,parent,default_unit,handle_days,active\n"
                                     "city,市容环境,,u2,,1\n";
static const char users_csv[] = "username,display_name,role,unit,active\n"
                                "agent,话务员,agent,,1\n"
                                "dispatcher,派单员,dispatcher,,1\n"
                                "surveyor,回访员,surveyor,,1\n"
                                "supervisor,督办员,supervisor,,1\n"
                                "analyst,分析员,analyst,,1\n"
                                "admin,安全管理员,secadmin,,1\n"
                                "h-u1,承办人1,handler,u1,1\n"
                                "h-u2,承办人2,handler,u2,1\n"
                                "gone,已停用,agent,,0\n";

#define NOW ((hl_time)1709517600) /* 2024-03-04T10:00:00+08:00 */
#define PASSWORD "correct horse battery"
/* The tests written before the idle limit set it to the absolute one
 * (session.idle_minutes 720), so that a session lives twelve hours. */
#define SESSION_SECONDS (12 * 3600)

static int setup(void **state)
{
    fixture *fix = hl_xcalloc(1, sizeof *fix);
    hl_i18n_set(HL_LANG_EN);
    fix->app = test_open_store(fix->directory, sizeof fix->directory, fix->path, sizeof fix->path,
                               units_csv, categories_csv, users_csv);
    hl_error error;
    assert_int_equal(hl_auth_guard_new(0, &fix->guard, &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", PASSWORD, NOW, &error), HL_OK);
    assert_int_equal(hl_policy_set(fix->app, "session.idle_minutes", "720", &error), HL_OK);
    *state = fix;
    return 0;
}

static int teardown(void **state)
{
    fixture *fix = *state;
    hl_auth_guard_free(fix->guard);
    hl_app_close(fix->app);
    test_remove_tree(fix->directory);
    free(fix);
    return 0;
}

static int login(fixture *fix, const char *username, const char *password, const char *address,
                 hl_time now, hl_auth_grant *grant, hl_error *error)
{
    hl_error_clear(error);
    return hl_auth_login(fix->app, fix->guard, username, password, address, now, grant, error);
}

static void test_hash_and_verify(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    assert_string_equal(grant.user.username, "agent");
    assert_int_equal(grant.user.role, HL_ROLE_AGENT);
    assert_int_equal(strlen(grant.token), 64);
    assert_int_equal(grant.session.expires_at, NOW + SESSION_SECONDS);

    /* The stored form is argon2id, never the password. */
    char hash[HL_AUTH_HASH_BYTES];
    assert_int_equal(
        hl_store_password_get(fix->app->store, "agent", hash, sizeof hash, NULL, &error), HL_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_null(strstr(hash, PASSWORD));

    /* Wrong password, unknown user, disabled user, user without a password:
     * the same refusal. */
    char message[HL_ERROR_MESSAGE_MAX];
    assert_int_equal(login(fix, "agent", "wrong password", "10.0.0.1", NOW, &grant, &error),
                     HL_EROLE);
    assert_false(grant.rate_limited);
    snprintf(message, sizeof message, "%s", error.message);
    assert_int_equal(login(fix, "nobody", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_EROLE);
    assert_string_equal(error.message, message);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "gone", PASSWORD, NOW, &error), HL_OK);
    assert_int_equal(login(fix, "gone", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_EROLE);
    assert_string_equal(error.message, message);
    assert_int_equal(login(fix, "analyst", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_EROLE);
    assert_string_equal(error.message, message);
    assert_int_equal(login(fix, "agent", "", "10.0.0.1", NOW, &grant, &error), HL_EROLE);

    /* New passwords: at least 8 characters (not bytes), valid UTF-8. */
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "short", NOW, &error),
                     HL_EINVAL);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "七个汉字的密码", NOW, &error),
                     HL_EINVAL);
    assert_int_equal(
        hl_auth_set_password(fix->app, NULL, "agent", "bad\xff utf-8 here", NOW, &error),
        HL_EINVAL);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "nobody", PASSWORD, NOW, &error),
                     HL_ENOTFOUND);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
}

/* The account's first failures cost nothing; the one after them starts a
 * wait, during which even the right password is refused, from anywhere. */
#define FIRST_WAIT_FAILURES (HL_AUTH_ACCOUNT_FREE_FAILURES + 1)

static void test_rate_limits(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    for (int attempt = 0; attempt < FIRST_WAIT_FAILURES; attempt++) {
        assert_int_equal(login(fix, "agent", "guess", "10.0.0.2", NOW + attempt, &grant, &error),
                         HL_EROLE);
        assert_false(grant.rate_limited);
    }
    hl_time last = NOW + FIRST_WAIT_FAILURES - 1;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.3", last + 10, &grant, &error),
                     HL_EROLE);
    assert_true(grant.rate_limited);
    assert_int_equal(grant.retry_after, HL_AUTH_DELAY_FIRST_SECONDS - 10);
    assert_non_null(strstr(error.message, "too many attempts"));
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.3", last + HL_AUTH_DELAY_FIRST_SECONDS,
                           &grant, &error),
                     HL_OK);

    /* One address trying many accounts is stopped too; another address is not. */
    hl_time later = NOW + 1000;
    for (int attempt = 0; attempt < HL_AUTH_ADDRESS_FAILURES; attempt++) {
        char username[32];
        snprintf(username, sizeof username, "user%d", attempt);
        assert_int_equal(login(fix, username, "guess", "192.0.2.9", later, &grant, &error),
                         HL_EROLE);
        assert_false(grant.rate_limited);
    }
    assert_int_equal(login(fix, "agent", PASSWORD, "192.0.2.9", later + 1, &grant, &error),
                     HL_EROLE);
    assert_true(grant.rate_limited);
    assert_int_equal(login(fix, "agent", PASSWORD, "192.0.2.10", later + 1, &grant, &error), HL_OK);
}

static void test_the_wait_doubles_up_to_its_cap(void **state)
{
    (void)state;
    for (int failures = 0; failures <= HL_AUTH_ACCOUNT_FREE_FAILURES; failures++)
        assert_int_equal(hl_auth_delay_after(failures), 0);
    assert_int_equal(hl_auth_delay_after(FIRST_WAIT_FAILURES), HL_AUTH_DELAY_FIRST_SECONDS);
    assert_int_equal(hl_auth_delay_after(FIRST_WAIT_FAILURES + 1), 2 * HL_AUTH_DELAY_FIRST_SECONDS);
    assert_int_equal(hl_auth_delay_after(FIRST_WAIT_FAILURES + 2), 4 * HL_AUTH_DELAY_FIRST_SECONDS);
    assert_int_equal(hl_auth_delay_after(1000), HL_AUTH_DELAY_MAX_SECONDS);
    assert_int_equal(hl_auth_delay_after(INT64_MAX), HL_AUTH_DELAY_MAX_SECONDS);
}

/* Finding 3 (issue 11): five wrong guesses used to lock any account,
 * administrators included, for five minutes, for everyone, and again at
 * every next guess. An attacker who keeps guessing, from many addresses,
 * now only makes the account wait: never longer than the current wait,
 * which is never longer than HL_AUTH_DELAY_MAX_SECONDS; attempts during a
 * wait are refused without counting, so they do not lengthen it; and once
 * the wait has passed, the real user's right password works at once. */
static void test_finding_3_an_attackers_failures_only_delay_the_real_user(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    hl_time now = NOW;
    int counted = 0, address = 0;
    char from[32];
    /* A burst: the free failures and the first that makes the account wait. */
    for (; counted < FIRST_WAIT_FAILURES; counted++) {
        snprintf(from, sizeof from, "198.51.100.%d", ++address);
        assert_int_equal(login(fix, "agent", "guess", from, now, &grant, &error), HL_EROLE);
    }
    /* Guesses during the wait change nothing. */
    for (int refused = 0; refused < 30; refused++) {
        snprintf(from, sizeof from, "198.51.100.%d", ++address);
        assert_int_equal(login(fix, "agent", "guess", from, now + 1, &grant, &error), HL_EROLE);
        assert_true(grant.rate_limited);
        assert_true(grant.retry_after <= HL_AUTH_DELAY_FIRST_SECONDS);
    }
    /* The real user, from its own desk, waits the current wait and no more. */
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.1", now + 30, &grant, &error), HL_EROLE);
    assert_true(grant.rate_limited);
    assert_int_equal(grant.retry_after, HL_AUTH_DELAY_FIRST_SECONDS - 30);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.1", now + HL_AUTH_DELAY_FIRST_SECONDS,
                           &grant, &error),
                     HL_OK);

    /* An attacker who guesses each time a wait ends: the waits double, up
     * to the cap, and the real user still gets in when the last one ends. */
    now += HL_AUTH_DELAY_FIRST_SECONDS + 1;
    int wait = 0;
    for (counted = 0; counted < FIRST_WAIT_FAILURES + 6; counted++) {
        snprintf(from, sizeof from, "203.0.113.%d", ++address % 250);
        assert_int_equal(login(fix, "agent", "guess", from, now, &grant, &error), HL_EROLE);
        assert_false(grant.rate_limited);
        wait = hl_auth_delay_after(counted + 1);
        assert_true(wait <= HL_AUTH_DELAY_MAX_SECONDS);
        if (wait > 0) {
            assert_int_equal(
                login(fix, "agent", PASSWORD, "10.1.1.1", now + wait - 1, &grant, &error),
                HL_EROLE);
            assert_true(grant.rate_limited);
            assert_int_equal(grant.retry_after, 1);
        }
        now += wait;
    }
    assert_int_equal(wait, HL_AUTH_DELAY_MAX_SECONDS);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.1", now, &grant, &error), HL_OK);
}

/* Counts the security events recording admin's unlock of agent. */
static int count_unlocks(void *context, const hl_security_event *event)
{
    if (strcmp(event->action, "user.unlock") == 0 && strcmp(event->actor, "admin") == 0 &&
        strcmp(event->target, "agent") == 0 && strcmp(event->outcome, HL_AUDIT_SUCCESS) == 0)
        (*(int64_t *)context)++;
    return HL_OK;
}

/* Finding 3 (issue 11): there was no way to lift a lockout but to wait.
 * A security administrator's unlock ends the wait at once, and is on
 * record in the audit. */
static void test_finding_3_the_security_administrators_unlock_clears_the_wait(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    for (int attempt = 0; attempt < FIRST_WAIT_FAILURES; attempt++)
        assert_int_equal(login(fix, "agent", "guess", "198.51.100.7", NOW, &grant, &error),
                         HL_EROLE);
    hl_time now = NOW + 1;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.1", now, &grant, &error), HL_EROLE);
    assert_true(grant.rate_limited);
    hl_error_clear(&error);
    assert_int_equal(hl_auth_unlock(fix->app, "admin", "agent", now + 1, &error), HL_OK);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.1", now + 2, &grant, &error), HL_OK);
    /* Its failures are forgotten too: the next free ones are free again. */
    for (int attempt = 0; attempt < HL_AUTH_ACCOUNT_FREE_FAILURES; attempt++)
        assert_int_equal(login(fix, "agent", "guess", "10.1.1.2", now + 3, &grant, &error),
                         HL_EROLE);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.2", now + 4, &grant, &error), HL_OK);
    /* On record, as a security event: who lifted whose wait, and when. */
    int64_t count = 0;
    assert_int_equal(hl_audit_security_list(fix->app, 0, count_unlocks, &count, &error), HL_OK);
    assert_int_equal(count, 1);
    /* An unknown account names the field. */
    hl_error_clear(&error);
    assert_int_equal(hl_auth_unlock(fix->app, "admin", "nobody", now, &error), HL_ENOTFOUND);
    assert_string_equal(error.field, "username");
    assert_int_equal(hl_auth_unlock(fix->app, "admin", "bad name", now, &error), HL_ENOTFOUND);
}

/* Finding 3 (issue 11): 1,000 failed logins of other names from 50
 * addresses evicted the target's entry from a 1,024-slot table, and the
 * right password then worked at once. The counts are the store's, one row
 * per key, and only the target's own failures touch its keys: thousands
 * of other accounts' failures (with the purges they set off) leave its
 * wait exactly as it was. */
static void test_finding_3_other_accounts_failures_cannot_reset_the_wait(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    for (int attempt = 0; attempt < FIRST_WAIT_FAILURES; attempt++)
        assert_int_equal(login(fix, "agent", "guess", "198.51.100.1", NOW, &grant, &error),
                         HL_EROLE);
    /* The failures other accounts' logins record, as login counts them. */
    for (int other = 0; other < 3000; other++) {
        char key[48];
        snprintf(key, sizeof key, "u:victim-%d", other);
        assert_int_equal(
            hl_throttle_fail(fix->app, key, HL_AUTH_ACCOUNT_MEMORY_SECONDS, NOW + 1, NULL, &error),
            HL_OK);
        snprintf(key, sizeof key, "a:10.9.%d.%d", other / 60, other % 60);
        assert_int_equal(
            hl_throttle_fail(fix->app, key, HL_AUTH_FAILURE_WINDOW_SECONDS, NOW + 1, NULL, &error),
            HL_OK);
    }
    /* Ten of those logins through the front door as well. */
    for (int other = 0; other < 10; other++) {
        char username[32], from[32];
        snprintf(username, sizeof username, "victim-%d", other);
        snprintf(from, sizeof from, "10.8.0.%d", other);
        assert_int_equal(login(fix, username, "guess", from, NOW + 2, &grant, &error), HL_EROLE);
    }
    assert_int_equal(login(fix, "agent", PASSWORD, "10.1.1.1", NOW + 20, &grant, &error), HL_EROLE);
    assert_true(grant.rate_limited);
    assert_int_equal(grant.retry_after, HL_AUTH_DELAY_FIRST_SECONDS - 20);
}

/* Two servers on one store are two hl_app on one file, each with its own
 * guard: failures made on one count on the other, a lockout made on one
 * refuses on the other, and a login that succeeds on one clears the
 * account's failures for both. */
static void test_a_lockout_is_shared_by_every_app_on_the_store(void **state)
{
    fixture *fix = *state;
    hl_app *other = NULL;
    hl_auth_guard *other_guard = NULL;
    hl_error error;
    assert_int_equal(test_app_open(fix->directory, fix->path, &other, &error), HL_OK);
    assert_int_equal(hl_auth_guard_new(1, &other_guard, &error), HL_OK);
    hl_auth_grant grant;
    /* Failures alternate between the two: together they start the wait. */
    for (int attempt = 0; attempt < FIRST_WAIT_FAILURES; attempt++) {
        hl_app *app = attempt % 2 == 0 ? fix->app : other;
        hl_auth_guard *guard = attempt % 2 == 0 ? fix->guard : other_guard;
        hl_error_clear(&error);
        assert_int_equal(
            hl_auth_login(app, guard, "agent", "guess", "10.0.0.2", NOW + attempt, &grant, &error),
            HL_EROLE);
        assert_false(grant.rate_limited);
    }
    for (int side = 0; side < 2; side++) {
        hl_error_clear(&error);
        assert_int_equal(hl_auth_login(side == 0 ? fix->app : other,
                                       side == 0 ? fix->guard : other_guard, "agent", PASSWORD,
                                       "10.0.0.3", NOW + 10, &grant, &error),
                         HL_EROLE);
        assert_true(grant.rate_limited);
        assert_int_equal(grant.retry_after,
                         HL_AUTH_DELAY_FIRST_SECONDS - (10 - (FIRST_WAIT_FAILURES - 1)));
    }
    /* Once the failures are forgotten, a login on one clears the count on
     * both: the free failures on the other do not make the account wait. */
    hl_time later = NOW + HL_AUTH_ACCOUNT_MEMORY_SECONDS;
    assert_int_equal(login(fix, "agent", "guess", "10.0.0.4", later, &grant, &error), HL_EROLE);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.4", later + 1, &grant, &error), HL_OK);
    for (int attempt = 0; attempt < HL_AUTH_ACCOUNT_FREE_FAILURES; attempt++) {
        hl_error_clear(&error);
        assert_int_equal(hl_auth_login(other, other_guard, "agent", "guess", "10.0.0.5",
                                       later + 2 + attempt, &grant, &error),
                         HL_EROLE);
    }
    hl_error_clear(&error);
    assert_int_equal(hl_auth_login(other, other_guard, "agent", PASSWORD, "10.0.0.5", later + 10,
                                   &grant, &error),
                     HL_OK);
    hl_auth_guard_free(other_guard);
    hl_app_close(other);
}

/* The count a query answers beside the store (either backend), its one
 * placeholder ? (when text is not NULL) replaced by text as a literal:
 * hex digits only, so nothing in it needs quoting. */
static long long raw_count(const char *path, const char *sql, const char *text)
{
    char bound[512];
    if (text == NULL) {
        snprintf(bound, sizeof bound, "%s", sql);
    } else {
        assert_int_equal(strspn(text, "0123456789abcdef"), strlen(text));
        const char *mark = strchr(sql, '?');
        assert_non_null(mark);
        snprintf(bound, sizeof bound, "%.*s'%s'%s", (int)(mark - sql), sql, text, mark + 1);
    }
    return test_sql_integer(path, bound);
}

static void test_token_lifecycle(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    char token[HL_AUTH_TOKEN_BYTES];
    snprintf(token, sizeof token, "%s", grant.token);

    hl_user user;
    hl_session session;
    assert_int_equal(hl_auth_authenticate(fix->app, token, NOW + 60, &user, &session, &error),
                     HL_OK);
    assert_string_equal(user.username, "agent");
    assert_string_equal(session.username, "agent");
    /* Only the token's hash is stored. */
    assert_int_equal(
        raw_count(fix->path, "SELECT count(*) FROM sessions WHERE token_hash = ?", token), 0);
    assert_int_equal(raw_count(fix->path, "SELECT count(*) FROM sessions WHERE token_hash = ?",
                               session.token_hash),
                     1);

    /* Valid until the last second, not at expires_at. */
    assert_int_equal(
        hl_auth_authenticate(fix->app, token, NOW + SESSION_SECONDS - 1, &user, NULL, &error),
        HL_OK);
    assert_int_equal(
        hl_auth_authenticate(fix->app, token, NOW + SESSION_SECONDS, &user, NULL, &error),
        HL_EROLE);
    assert_string_equal(error.field, "token");

    /* Forged, malformed, empty. */
    char forged[HL_AUTH_TOKEN_BYTES];
    snprintf(forged, sizeof forged, "%s", token);
    forged[0] = forged[0] == 'a' ? 'b' : 'a';
    assert_int_equal(hl_auth_authenticate(fix->app, forged, NOW, &user, NULL, &error), HL_EROLE);
    assert_int_equal(hl_auth_authenticate(fix->app, "' OR 1=1 --", NOW, &user, NULL, &error),
                     HL_EROLE);
    assert_int_equal(hl_auth_authenticate(fix->app, "", NOW, &user, NULL, &error), HL_EROLE);
    assert_int_equal(hl_auth_authenticate(fix->app, NULL, NOW, &user, NULL, &error), HL_EROLE);

    /* Logout revokes; a second logout has nothing to revoke. */
    assert_int_equal(hl_auth_logout(fix->app, token, &error), HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, token, NOW + 60, &user, NULL, &error),
                     HL_EROLE);
    assert_int_equal(hl_auth_logout(fix->app, token, &error), HL_EROLE);

    /* A user disabled after login loses the session. */
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    hl_user disabled;
    assert_int_equal(hl_store_user_get(fix->app->store, "agent", &disabled, &error), HL_OK);
    disabled.active = false;
    assert_int_equal(hl_store_begin(fix->app->store, &error), HL_OK);
    assert_int_equal(hl_store_user_put(fix->app->store, &disabled, &error), HL_OK);
    assert_int_equal(hl_store_commit(fix->app->store, &error), HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW + 60, &user, NULL, &error),
                     HL_EROLE);
}

/* Expired sessions are deleted when a new one opens, so the table holds
 * about twelve hours of logins; live ones stay. */
static void test_a_login_purges_expired_sessions(void **state)
{
    fixture *fix = *state;
    hl_auth_grant grant;
    hl_error error;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW + 3600, &grant, &error), HL_OK);
    char live[HL_AUTH_TOKEN_BYTES];
    snprintf(live, sizeof live, "%s", grant.token);
    assert_int_equal(raw_count(fix->path, "SELECT count(*) FROM sessions", NULL), 2);

    /* Past the first session's end, before the second's. */
    assert_int_equal(
        login(fix, "agent", PASSWORD, "10.0.0.1", NOW + SESSION_SECONDS, &grant, &error), HL_OK);
    assert_int_equal(raw_count(fix->path, "SELECT count(*) FROM sessions", NULL), 2);
    hl_user user;
    assert_int_equal(
        hl_auth_authenticate(fix->app, live, NOW + SESSION_SECONDS, &user, NULL, &error), HL_OK);
}

/* Issue 11, item 4: a session unused for session.idle_minutes ends; use
 * slides the limit forward, written at most about once a minute. */
static void test_an_idle_session_expires(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_auth_grant grant;
    hl_user user;
    assert_int_equal(hl_policy_set(fix->app, "session.idle_minutes", "30", &error), HL_OK);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    assert_int_equal(grant.session.expires_at, NOW + 30 * 60);
    assert_int_equal(grant.session_seconds, 12 * 3600);

    /* Used within the limit: it slides to 30 minutes from that use. */
    hl_session stored;
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 29 * 60, &user, NULL, &error), HL_OK);
    assert_int_equal(
        hl_store_session_get(fix->app->store, grant.session.token_hash, &stored, &error), HL_OK);
    assert_int_equal(stored.expires_at, NOW + 59 * 60);
    /* A use within the minute writes nothing. */
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 29 * 60 + 30, &user, NULL, &error),
        HL_OK);
    assert_int_equal(
        hl_store_session_get(fix->app->store, grant.session.token_hash, &stored, &error), HL_OK);
    assert_int_equal(stored.expires_at, NOW + 59 * 60);

    /* Left alone for 30 minutes after the last written use: ended. */
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 59 * 60, &user, NULL, &error), HL_EROLE);
    assert_string_equal(error.field, "token");
}

/* Issue 11, item 4: session.absolute_hours ends a session in constant use. */
static void test_an_absolute_limit_ends_a_session_in_use(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_auth_grant grant;
    hl_user user;
    assert_int_equal(hl_policy_set(fix->app, "session.idle_minutes", "30", &error), HL_OK);
    assert_int_equal(hl_policy_set(fix->app, "session.absolute_hours", "1", &error), HL_OK);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    for (hl_time minute = 10; minute < 60; minute += 10)
        assert_int_equal(
            hl_auth_authenticate(fix->app, grant.token, NOW + minute * 60, &user, NULL, &error),
            HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW + 3600, &user, NULL, &error),
                     HL_EROLE);

    /* Shortening the limit ends the sessions already older than it. */
    assert_int_equal(hl_policy_set(fix->app, "session.absolute_hours", "12", &error), HL_OK);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 25 * 60, &user, NULL, &error), HL_OK);
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 50 * 60, &user, NULL, &error), HL_OK);
    assert_int_equal(hl_policy_set(fix->app, "session.absolute_hours", "1", &error), HL_OK);
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 61 * 60, &user, NULL, &error), HL_EROLE);
}

/* Issue 11, item 4: a login beyond session.max_per_user revokes the
 * account's oldest live session, and only that one. */
static void test_a_login_beyond_the_limit_revokes_the_oldest(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_user user;
    assert_int_equal(hl_policy_set(fix->app, "session.max_per_user", "2", &error), HL_OK);
    char tokens[3][HL_AUTH_TOKEN_BYTES];
    for (int i = 0; i < 3; i++) {
        hl_auth_grant grant;
        assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW + i, &grant, &error), HL_OK);
        snprintf(tokens[i], sizeof tokens[i], "%s", grant.token);
    }
    assert_int_equal(hl_auth_authenticate(fix->app, tokens[0], NOW + 3, &user, NULL, &error),
                     HL_EROLE);
    assert_int_equal(hl_auth_authenticate(fix->app, tokens[1], NOW + 3, &user, NULL, &error),
                     HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, tokens[2], NOW + 3, &user, NULL, &error),
                     HL_OK);
}

/* Issue 11, item 4: a policy value out of range is refused, naming the
 * field, and the store keeps the value in force. */
static void test_policy_values_are_checked(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_policy policy;
    const char *bad[][2] = {
        {"password.min_length", "7"},     {"password.min_length", "abc"},
        {"password.min_classes", "5"},    {"session.idle_minutes", "0"},
        {"session.absolute_hours", "-1"}, {"session.max_per_user", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hl_error_clear(&error);
        assert_int_equal(hl_policy_set(fix->app, bad[i][0], bad[i][1], &error), HL_EINVAL);
        assert_string_equal(error.field, "value");
        assert_non_null(strstr(error.message, bad[i][0]));
    }
    assert_int_equal(hl_policy_set(fix->app, "session.nonsense", "3", &error), HL_EINVAL);
    assert_string_equal(error.field, "key");
    assert_int_equal(hl_policy_load(fix->app, &policy, &error), HL_OK);
    assert_int_equal(policy.password_min_length, 8);
    assert_int_equal(policy.password_min_classes, 2);
    assert_int_equal(policy.absolute_hours, 12);
    assert_int_equal(policy.max_per_user, 3);
}

/* Issue 11, item 4: password.min_length and password.min_classes bind
 * every new password; Chinese characters count as "other". */
static void test_password_policy(void **state)
{
    fixture *fix = *state;
    hl_error error;
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "onlylowercase", NOW, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "password");
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "lower and space", NOW, &error),
                     HL_OK);
    assert_int_equal(hl_policy_set(fix->app, "password.min_classes", "3", &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "lower and space", NOW, &error),
                     HL_EINVAL);
    assert_non_null(strstr(error.message, "at least 3"));
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "Abcdefg1", NOW, &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "热线密码abc1", NOW, &error),
                     HL_OK);
    assert_int_equal(hl_policy_set(fix->app, "password.min_length", "10", &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "Abcdefg1", NOW, &error),
                     HL_EINVAL);
    assert_non_null(strstr(error.message, "10 characters"));
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "Abcdefg123", NOW, &error),
                     HL_OK);
}

static void test_password_change(void **state)
{
    fixture *fix = *state;
    hl_auth_grant first, second;
    hl_error error;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &first, &error), HL_OK);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &second, &error), HL_OK);
    bool limited = false;
    int retry = 0;
    assert_int_equal(hl_auth_change_password(fix->app, fix->guard, "agent", first.token, "not it",
                                             "new password 1", "10.0.0.1", NOW, &limited, &retry,
                                             &error),
                     HL_EROLE);
    assert_string_equal(error.field, "old");
    assert_false(limited);
    assert_int_equal(hl_auth_change_password(fix->app, fix->guard, "agent", first.token, PASSWORD,
                                             "short", "10.0.0.1", NOW, &limited, &retry, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "new");
    assert_int_equal(hl_auth_change_password(fix->app, fix->guard, "agent", first.token, PASSWORD,
                                             "new password 1", "10.0.0.1", NOW, &limited, &retry,
                                             &error),
                     HL_OK);
    hl_user user;
    /* The session that changed it stays; every other one ends. */
    assert_int_equal(hl_auth_authenticate(fix->app, first.token, NOW + 1, &user, NULL, &error),
                     HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, second.token, NOW + 1, &user, NULL, &error),
                     HL_EROLE);
    hl_auth_grant grant;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW + 2, &grant, &error), HL_EROLE);
    assert_int_equal(login(fix, "agent", "new password 1", "10.0.0.1", NOW + 2, &grant, &error),
                     HL_OK);

    /* Setting a password (the command line) ends every session. */
    assert_int_equal(hl_auth_set_password(fix->app, NULL, "agent", "new password 2", NOW, &error),
                     HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, first.token, NOW + 3, &user, NULL, &error),
                     HL_EROLE);
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW + 3, &user, NULL, &error),
                     HL_EROLE);

    /* The demo's: one password for everyone. */
    int count = 0;
    assert_int_equal(
        hl_auth_set_all_passwords(fix->app, HL_AUTH_DEMO_PASSWORD, NOW, &count, &error), HL_OK);
    assert_int_equal(count, 9);
    assert_int_equal(login(fix, "h-u1", HL_AUTH_DEMO_PASSWORD, "10.0.0.1", NOW, &grant, &error),
                     HL_OK);
    assert_int_equal(grant.user.role, HL_ROLE_HANDLER);
    assert_string_equal(grant.user.unit, "u1");
}

/* Issue 11, item 4: password.history. Each of the account's last N
 * passwords (the one in use among them) is refused, whichever way the new
 * one comes (the user's change, the command line, the administrator's
 * reset), and the one before them is accepted again. */
static void test_password_history_refuses_each_of_the_last_n(void **state)
{
    fixture *fix = *state;
    hl_error error;
    static const char *const used[] = {PASSWORD,          "used password 1", "used password 2",
                                       "used password 3", "used password 4", "used password 5"};
    for (size_t index = 1; index < HL_COUNT_OF(used); index++)
        assert_int_equal(hl_auth_set_password(fix->app, fix->guard, "agent", used[index],
                                              NOW + (hl_time)index, &error),
                         HL_OK);
    /* In use: used password 5; the last five: 5, 4, 3, 2, 1. */
    hl_auth_grant grant;
    assert_int_equal(login(fix, "agent", used[5], "10.0.0.1", NOW + 10, &grant, &error), HL_OK);
    bool limited = false;
    int retry = 0;
    for (size_t index = 1; index < HL_COUNT_OF(used); index++) {
        hl_error_clear(&error);
        assert_int_equal(hl_auth_change_password(fix->app, fix->guard, "agent", grant.token,
                                                 used[5], used[index], "10.0.0.1", NOW + 11,
                                                 &limited, &retry, &error),
                         HL_EINVAL);
        assert_string_equal(error.field, "new");
        assert_non_null(strstr(error.message, "last 5"));
    }
    /* The administrator's two ways share the same check: tried with the
     * oldest one kept, the one that costs every verification (each is an
     * argon2id hash, a tenth of a second). */
    hl_error_clear(&error);
    assert_int_equal(hl_auth_set_password(fix->app, fix->guard, "agent", used[1], NOW + 11, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "password");
    hl_auth_user_fields reset = {.active = -1, .password = used[1]};
    hl_user user;
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "agent", &reset, NOW + 11, &user, &error),
        HL_EINVAL);
    assert_string_equal(error.field, "password");
    /* Nothing changed: the password in use is still the fifth. */
    assert_int_equal(login(fix, "agent", used[5], "10.0.0.1", NOW + 12, &grant, &error), HL_OK);
    /* The sixth back (N+1) is accepted. */
    assert_int_equal(hl_auth_change_password(fix->app, fix->guard, "agent", grant.token, used[5],
                                             used[0], "10.0.0.1", NOW + 13, &limited, &retry,
                                             &error),
                     HL_OK);
    assert_int_equal(login(fix, "agent", used[0], "10.0.0.1", NOW + 14, &grant, &error), HL_OK);
    /* A shorter history lets an older one back in: with 2, the third back. */
    assert_int_equal(hl_policy_set(fix->app, "password.history", "2", &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, fix->guard, "agent", used[5], NOW + 15, &error),
                     HL_EINVAL);
    assert_int_equal(hl_auth_set_password(fix->app, fix->guard, "agent", used[4], NOW + 15, &error),
                     HL_OK);
}

/* password.history 0 turns the check off: even the password in use may be
 * set again. */
static void test_password_history_0_turns_it_off(void **state)
{
    fixture *fix = *state;
    hl_error error;
    assert_int_equal(hl_auth_set_password(fix->app, fix->guard, "agent", PASSWORD, NOW, &error),
                     HL_EINVAL);
    assert_int_equal(hl_policy_set(fix->app, "password.history", "0", &error), HL_OK);
    assert_int_equal(hl_auth_set_password(fix->app, fix->guard, "agent", PASSWORD, NOW, &error),
                     HL_OK);
    hl_policy policy;
    assert_int_equal(hl_policy_load(fix->app, &policy, &error), HL_OK);
    assert_int_equal(policy.password_history, 0);
    assert_int_equal(hl_policy_set(fix->app, "password.history", "13", &error), HL_EINVAL);
    assert_int_equal(hl_policy_set(fix->app, "password.history", "-1", &error), HL_EINVAL);
    assert_int_equal(hl_policy_set(fix->app, "password.max_age_days", "3651", &error), HL_EINVAL);
}

/* Issue 11, item 4: password.max_age_days. A password that old still logs
 * in, but the grant says it must be changed, and hl_auth_password_expired
 * (what the server asks before every route) holds until it is. */
static void test_an_expired_password_must_be_changed(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_auth_grant grant;
    bool expired = true;
    hl_time day = HL_SECONDS_PER_DAY;
    /* The default: 90 days, counted from when the password was set (NOW). */
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW + 90 * day - 1, &grant, &error),
                     HL_OK);
    assert_false(grant.must_change_password);
    assert_int_equal(
        hl_auth_password_expired(fix->app, "agent", NOW + 90 * day - 1, &expired, &error), HL_OK);
    assert_false(expired);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW + 90 * day, &grant, &error),
                     HL_OK);
    assert_true(grant.must_change_password);
    assert_int_equal(hl_auth_password_expired(fix->app, "agent", NOW + 90 * day, &expired, &error),
                     HL_OK);
    assert_true(expired);
    /* A shorter age applies at once to the passwords set before it. */
    assert_int_equal(hl_policy_set(fix->app, "password.max_age_days", "30", &error), HL_OK);
    assert_int_equal(hl_auth_password_expired(fix->app, "agent", NOW + 30 * day, &expired, &error),
                     HL_OK);
    assert_true(expired);
    /* Changing it ends the constraint for the session that changed it. */
    bool limited = false;
    int retry = 0;
    assert_int_equal(hl_auth_change_password(fix->app, fix->guard, "agent", grant.token, PASSWORD,
                                             "a fresh password", "10.0.0.1", NOW + 90 * day,
                                             &limited, &retry, &error),
                     HL_OK);
    assert_int_equal(hl_auth_password_expired(fix->app, "agent", NOW + 90 * day, &expired, &error),
                     HL_OK);
    assert_false(expired);
    hl_user user;
    assert_int_equal(
        hl_auth_authenticate(fix->app, grant.token, NOW + 90 * day + 1, &user, NULL, &error),
        HL_OK);
    assert_int_equal(
        login(fix, "agent", "a fresh password", "10.0.0.1", NOW + 90 * day + 2, &grant, &error),
        HL_OK);
    assert_false(grant.must_change_password);
    /* 0: passwords never expire. */
    assert_int_equal(hl_policy_set(fix->app, "password.max_age_days", "0", &error), HL_OK);
    assert_int_equal(
        hl_auth_password_expired(fix->app, "agent", NOW + 3650 * day, &expired, &error), HL_OK);
    assert_false(expired);
    assert_int_equal(
        login(fix, "agent", "a fresh password", "10.0.0.1", NOW + 3650 * day, &grant, &error),
        HL_OK);
    assert_false(grant.must_change_password);
    /* An account without a password has nothing to change. */
    assert_int_equal(hl_policy_set(fix->app, "password.max_age_days", "90", &error), HL_OK);
    assert_int_equal(
        hl_auth_password_expired(fix->app, "surveyor", NOW + 3650 * day, &expired, &error), HL_OK);
    assert_false(expired);
}

static hl_user user_of(hl_role role, const char *unit)
{
    hl_user user;
    memset(&user, 0, sizeof user);
    snprintf(user.username, sizeof user.username, "%s", hl_directory_role_name(role));
    snprintf(user.unit, sizeof user.unit, "%s", unit);
    user.role = role;
    user.active = true;
    return user;
}

static void test_read_rights(void **state)
{
    (void)state;
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->state = HL_STATE_HANDLING;
    snprintf(order->lead_unit, sizeof order->lead_unit, "u1");
    snprintf(order->co_units, sizeof order->co_units, "u3,u4");
    hl_user agent = user_of(HL_ROLE_AGENT, ""), dispatcher = user_of(HL_ROLE_DISPATCHER, ""),
            supervisor = user_of(HL_ROLE_SUPERVISOR, ""), analyst = user_of(HL_ROLE_ANALYST, ""),
            admin = user_of(HL_ROLE_SYSADMIN, ""), surveyor = user_of(HL_ROLE_SURVEYOR, ""),
            security = user_of(HL_ROLE_SECADMIN, ""), auditor = user_of(HL_ROLE_AUDITOR, ""),
            lead = user_of(HL_ROLE_HANDLER, "u1"), co = user_of(HL_ROLE_HANDLER, "u4"),
            other = user_of(HL_ROLE_HANDLER, "u2"), prefix = user_of(HL_ROLE_HANDLER, "u"),
            unitless = user_of(HL_ROLE_HANDLER, "");
    assert_true(hl_auth_may_read_order(&agent, order));
    assert_true(hl_auth_may_read_order(&dispatcher, order));
    assert_true(hl_auth_may_read_order(&supervisor, order));
    assert_true(hl_auth_may_read_order(&analyst, order));
    assert_true(hl_auth_may_read_order(&admin, order));
    /* The security and audit administrators read no order (三员分立). */
    assert_false(hl_auth_may_read_order(&security, order));
    assert_false(hl_auth_may_read_order(&auditor, order));
    assert_true(hl_auth_may_read_order(&lead, order));
    assert_true(hl_auth_may_read_order(&co, order));
    assert_false(hl_auth_may_read_order(&other, order));
    assert_false(hl_auth_may_read_order(&prefix, order));
    assert_false(hl_auth_may_read_order(&unitless, order));
    /* Surveyors: finished orders only. */
    assert_false(hl_auth_may_read_order(&surveyor, order));
    order->state = HL_STATE_COMPLETED;
    assert_true(hl_auth_may_read_order(&surveyor, order));
    order->state = HL_STATE_SURVEYED;
    assert_true(hl_auth_may_read_order(&surveyor, order));
    order->state = HL_STATE_ARCHIVED;
    assert_true(hl_auth_may_read_order(&surveyor, order));
    order->state = HL_STATE_NEW;
    assert_false(hl_auth_may_read_order(&surveyor, order));
    /* A disabled user reads nothing. */
    agent.active = false;
    assert_false(hl_auth_may_read_order(&agent, order));
    assert_false(hl_auth_sees_personal_data(&agent));
    agent.active = true;

    assert_true(hl_auth_may_read_reports(&analyst));
    assert_true(hl_auth_may_read_reports(&supervisor));
    assert_true(hl_auth_may_read_reports(&admin));
    assert_false(hl_auth_may_read_reports(&security));
    assert_false(hl_auth_may_read_reports(&auditor));
    assert_true(hl_auth_may_read_reports(&dispatcher));
    assert_false(hl_auth_may_read_reports(&lead));
    assert_false(hl_auth_may_read_reports(&agent));
    assert_false(hl_auth_may_read_reports(&surveyor));

    assert_true(hl_auth_sees_personal_data(&agent));
    assert_true(hl_auth_sees_personal_data(&dispatcher));
    assert_true(hl_auth_sees_personal_data(&supervisor));
    assert_false(hl_auth_sees_personal_data(&analyst));
    assert_false(hl_auth_sees_personal_data(&admin));
    assert_false(hl_auth_sees_personal_data(&security));
    assert_false(hl_auth_sees_personal_data(&auditor));
    assert_true(hl_auth_sees_personal_data(&surveyor)); /* they call the citizen back */
    assert_false(hl_auth_sees_personal_data(&lead));
    free(order);
}

static void test_read_order_hides_what_may_not_be_read(void **state)
{
    fixture *fix = *state;
    hl_order *order = hl_xcalloc(1, sizeof *order);
    order->channel = HL_CHANNEL_PHONE;
    order->type = HL_TYPE_HELP;
    order->received_at = NOW;
    snprintf(order->category, sizeof order->category, "city");
    snprintf(order->title, sizeof order->title, "路灯不亮");
    snprintf(order->content, sizeof order->content, "并州路路灯连续三晚不亮。");
    int64_t id = 0;
    hl_error error;
    assert_int_equal(hl_app_register(fix->app, "agent", order, NOW, &id, &error), HL_OK);
    hl_app_request request = {0};
    request.unit = "u1";
    assert_int_equal(hl_app_act(fix->app, "dispatcher", id, HL_ACTION_DISPATCH, &request, NOW + 60,
                                NULL, &error),
                     HL_OK);
    hl_user lead = user_of(HL_ROLE_HANDLER, "u1"), other = user_of(HL_ROLE_HANDLER, "u2");
    assert_int_equal(hl_auth_read_order(fix->app, &lead, id, order, &error), HL_OK);
    assert_int_equal(order->id, id);
    char absent[HL_ERROR_MESSAGE_MAX];
    assert_int_equal(hl_auth_read_order(fix->app, &other, id + 1, order, &error), HL_ENOTFOUND);
    snprintf(absent, sizeof absent, "%s", error.message);
    assert_int_equal(hl_auth_read_order(fix->app, &other, id, order, &error), HL_ENOTFOUND);
    assert_int_equal(order->id, 0); /* nothing of it was left in the output */
    /* Worded as for an absent order (only the number differs). */
    assert_int_equal(strncmp(error.message, absent, strlen("no order ")), 0);
    free(order);
}

/* ---- The administrator's writes to users ---- */

static hl_auth_user_fields user_fields(const char *username, const char *role, const char *unit)
{
    hl_auth_user_fields fields = {.username = username,
                                  .name = "新用户",
                                  .role = role,
                                  .unit = unit,
                                  .active = -1,
                                  .password = "a-long-secret"};
    return fields;
}

static void test_create_user_with_a_password(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_user user;
    hl_auth_user_fields fields = user_fields("h-new", "handler", "u1");
    assert_int_equal(hl_auth_create_user(fix->app, fix->guard, &fields, NOW, &user, &error), HL_OK);
    assert_string_equal(user.username, "h-new");
    assert_string_equal(user.display_name, "新用户");
    assert_int_equal(user.role, HL_ROLE_HANDLER);
    assert_string_equal(user.unit, "u1");
    assert_true(user.active);
    hl_auth_grant grant;
    assert_int_equal(login(fix, "h-new", "a-long-secret", "10.0.0.9", NOW, &grant, &error), HL_OK);
    assert_string_equal(grant.user.unit, "u1");
    /* Taken: a conflict, and nothing changes. */
    fields.name = "别人";
    assert_int_equal(hl_auth_create_user(fix->app, fix->guard, &fields, NOW, &user, &error),
                     HL_ECONFLICT);
    assert_string_equal(error.field, "username");
    hl_user stored;
    assert_int_equal(hl_store_user_get(fix->app->store, "h-new", &stored, &error), HL_OK);
    assert_string_equal(stored.display_name, "新用户");
}

static void test_create_user_refuses_what_a_csv_row_would(void **state)
{
    fixture *fix = *state;
    struct {
        hl_auth_user_fields fields;
        const char *field;
    } cases[] = {
        {user_fields("bad name", "agent", NULL), "username"},
        {user_fields("x1", "king", NULL), "role"},
        {user_fields("x1", NULL, NULL), "role"},
        {user_fields("x1", "handler", NULL), "unit"},
        {user_fields("x1", "handler", "nowhere"), "unit"},
        {user_fields("x1", "agent", "u1"), "unit"},
    };
    cases[0].fields.username = "bad name";
    hl_auth_user_fields short_password = user_fields("x1", "agent", NULL);
    short_password.password = "short";
    hl_auth_user_fields long_name = user_fields("x1", "agent", NULL);
    long_name.name =
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
        "一二三四五六七八九十一二三四五六七八九十一二三四五";
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        hl_error error;
        hl_user user;
        hl_error_clear(&error);
        assert_int_equal(
            hl_auth_create_user(fix->app, fix->guard, &cases[index].fields, NOW, &user, &error),
            HL_EINVAL);
        assert_string_equal(error.field, cases[index].field);
    }
    hl_error error;
    hl_user user;
    assert_int_equal(hl_auth_create_user(fix->app, fix->guard, &short_password, NOW, &user, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "password");
    assert_int_equal(hl_auth_create_user(fix->app, fix->guard, &long_name, NOW, &user, &error),
                     HL_EINVAL);
    assert_string_equal(error.field, "name");
    assert_int_equal(hl_store_user_get(fix->app->store, "x1", &user, &error), HL_ENOTFOUND);
}

static void test_update_user_changes_only_what_is_given(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_user user;
    hl_auth_user_fields rename = {.name = "改了名", .active = -1};
    assert_int_equal(hl_auth_update_user(fix->app, fix->guard, "h-u1", &rename, NOW, &user, &error),
                     HL_OK);
    assert_string_equal(user.display_name, "改了名");
    assert_int_equal(user.role, HL_ROLE_HANDLER);
    assert_string_equal(user.unit, "u1");
    /* Another role without a unit: the unit goes. */
    hl_auth_user_fields promote = {.role = "analyst", .active = -1};
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "h-u1", &promote, NOW, &user, &error), HL_OK);
    assert_int_equal(user.role, HL_ROLE_ANALYST);
    assert_string_equal(user.unit, "");
    hl_auth_user_fields to_unknown = {.role = "handler", .unit = "nowhere", .active = -1};
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "h-u1", &to_unknown, NOW, &user, &error),
        HL_EINVAL);
    assert_string_equal(error.field, "unit");
    hl_auth_user_fields nobody = {.name = "x", .active = -1};
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "nobody", &nobody, NOW, &user, &error),
        HL_ENOTFOUND);
    assert_string_equal(error.field, "username");
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "x' OR '1'='1", &nobody, NOW, &user, &error),
        HL_ENOTFOUND);
}

static void test_password_reset_and_disabling_end_sessions(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_auth_grant grant;
    hl_user user;
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_OK);
    hl_auth_user_fields reset = {.password = "a-brand-new-one", .active = -1};
    assert_int_equal(hl_auth_update_user(fix->app, fix->guard, "agent", &reset, NOW, &user, &error),
                     HL_OK);
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW, &user, NULL, &error),
                     HL_EROLE);
    assert_int_equal(login(fix, "agent", PASSWORD, "10.0.0.1", NOW, &grant, &error), HL_EROLE);
    assert_int_equal(login(fix, "agent", "a-brand-new-one", "10.0.0.1", NOW, &grant, &error),
                     HL_OK);
    hl_auth_user_fields disable = {.active = 0};
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "agent", &disable, NOW, &user, &error), HL_OK);
    assert_false(user.active);
    assert_int_equal(hl_auth_authenticate(fix->app, grant.token, NOW, &user, NULL, &error),
                     HL_EROLE);
}

static void test_the_last_administrator_stays(void **state)
{
    fixture *fix = *state;
    hl_error error;
    hl_user user;
    hl_auth_user_fields demote = {.role = "agent", .active = -1};
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "admin", &demote, NOW, &user, &error),
        HL_ECONFLICT);
    assert_string_equal(error.field, "role");
    hl_auth_user_fields disable = {.active = 0};
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "admin", &disable, NOW, &user, &error),
        HL_ECONFLICT);
    assert_string_equal(error.field, "active");
    /* With a second administrator, the first may go. */
    hl_auth_user_fields second = user_fields("admin2", "secadmin", NULL);
    assert_int_equal(hl_auth_create_user(fix->app, fix->guard, &second, NOW, &user, &error), HL_OK);
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "admin", &disable, NOW, &user, &error), HL_OK);
    assert_int_equal(
        hl_auth_update_user(fix->app, fix->guard, "admin2", &demote, NOW, &user, &error),
        HL_ECONFLICT);
}

/* ---- The scope of lists ---- */

static void test_order_scope_narrows_a_filter(void **state)
{
    (void)state;
    hl_user handler = {.username = "h-u1", .role = HL_ROLE_HANDLER, .unit = "u1", .active = true};
    hl_order_filter filter = {.unit = "u2"};
    assert_true(hl_auth_order_scope(&handler, &filter));
    assert_string_equal(filter.scope_unit, "u1");
    assert_string_equal(filter.unit, "u2"); /* kept: the two intersect */
    hl_user surveyor = {.username = "s", .role = HL_ROLE_SURVEYOR, .active = true};
    hl_order_filter any = {0};
    assert_true(hl_auth_order_scope(&surveyor, &any));
    assert_int_equal(any.state_mask, HL_STATE_BIT(HL_STATE_COMPLETED) |
                                         HL_STATE_BIT(HL_STATE_SURVEYED) |
                                         HL_STATE_BIT(HL_STATE_ARCHIVED));
    hl_order_filter mixed = {.state_mask =
                                 HL_STATE_BIT(HL_STATE_NEW) | HL_STATE_BIT(HL_STATE_SURVEYED)};
    assert_true(hl_auth_order_scope(&surveyor, &mixed));
    assert_int_equal(mixed.state_mask, HL_STATE_BIT(HL_STATE_SURVEYED));
    hl_order_filter open = {.state_mask = HL_STATES_OPEN};
    assert_false(hl_auth_order_scope(&surveyor, &open));
    hl_user supervisor = {.username = "v", .role = HL_ROLE_SUPERVISOR, .active = true};
    hl_order_filter untouched = {.state_mask = HL_STATES_OPEN};
    assert_true(hl_auth_order_scope(&supervisor, &untouched));
    assert_null(untouched.scope_unit);
    assert_int_equal(untouched.state_mask, HL_STATES_OPEN);
    hl_user unitless = {.username = "h", .role = HL_ROLE_HANDLER, .active = true};
    assert_false(hl_auth_order_scope(&unitless, &filter));
    hl_user disabled = supervisor;
    disabled.active = false;
    assert_false(hl_auth_order_scope(&disabled, &untouched));
}

static void test_directory_and_config_rights(void **state)
{
    (void)state;
    for (int role = 0; role < HL_ROLE_COUNT; role++) {
        hl_user user = {.username = "u", .role = (hl_role)role, .active = true};
        assert_int_equal(hl_auth_may_manage_directory(&user), role == HL_ROLE_SYSADMIN);
        assert_int_equal(hl_auth_may_read_config(&user), role == HL_ROLE_SYSADMIN ||
                                                             role == HL_ROLE_SUPERVISOR ||
                                                             role == HL_ROLE_SECADMIN);
        assert_int_equal(hl_auth_may_manage_accounts(&user), role == HL_ROLE_SECADMIN);
        assert_int_equal(hl_auth_may_read_audit(&user), role == HL_ROLE_AUDITOR);
        user.active = false;
        assert_false(hl_auth_may_manage_directory(&user));
        assert_false(hl_auth_may_read_config(&user));
        assert_false(hl_auth_may_manage_accounts(&user));
        assert_false(hl_auth_may_read_audit(&user));
    }
}

/* The rights the pages list: each role's work, and nothing for a disabled
 * account or a value out of range. */
static void test_rights_of_each_role(void **state)
{
    (void)state;
    static const struct {
        hl_role role;
        const char *rights; /* the names of its rights, in order */
    } expected[] = {
        {HL_ROLE_AGENT, "register search_orders search_by_phone"},
        {HL_ROLE_DISPATCHER, "dispatch register search_orders read_reports search_by_phone"},
        {HL_ROLE_HANDLER, "handle"},
        {HL_ROLE_SURVEYOR, "survey search_orders search_by_phone"},
        {HL_ROLE_SUPERVISOR, "supervise search_orders read_reports search_by_phone"},
        {HL_ROLE_ANALYST, "search_orders read_reports publish_reports"},
        {HL_ROLE_SYSADMIN, "manage_directory search_orders read_reports"},
        {HL_ROLE_SECADMIN, "manage_accounts"},
        {HL_ROLE_AUDITOR, "read_audit"},
    };
    for (size_t index = 0; index < sizeof expected / sizeof expected[0]; index++) {
        hl_user user = {
            .username = "u", .role = expected[index].role, .unit = "u1", .active = true};
        hl_buf names;
        hl_buf_init(&names);
        hl_buf_append_str(&names, "");
        for (int right = 0; right < HL_RIGHT_COUNT; right++) {
            if (!hl_auth_has_right(&user, (hl_auth_right)right))
                continue;
            if (names.len > 0)
                hl_buf_append_str(&names, " ");
            hl_buf_append_str(&names, hl_auth_right_name((hl_auth_right)right));
        }
        assert_string_equal(names.data, expected[index].rights);
        hl_buf_free(&names);
        /* The rights agree with the read rights they stand for. */
        assert_int_equal(hl_auth_has_right(&user, HL_RIGHT_READ_REPORTS),
                         hl_auth_may_read_reports(&user));
        assert_int_equal(hl_auth_has_right(&user, HL_RIGHT_MANAGE_DIRECTORY),
                         hl_auth_may_manage_directory(&user));
        assert_int_equal(hl_auth_has_right(&user, HL_RIGHT_PUBLISH_REPORTS),
                         hl_auth_may_publish_reports(&user));
        /* Finding orders by phone: the roles that see numbers in full. */
        assert_int_equal(hl_auth_has_right(&user, HL_RIGHT_SEARCH_BY_PHONE),
                         hl_auth_may_read_orders(&user) && hl_auth_sees_personal_data(&user));
        user.active = false;
        for (int right = 0; right < HL_RIGHT_COUNT; right++)
            assert_false(hl_auth_has_right(&user, (hl_auth_right)right));
    }
    assert_string_equal(hl_auth_right_name(HL_RIGHT_COUNT), "unknown");
    hl_user agent = {.username = "a", .role = HL_ROLE_AGENT, .active = true};
    assert_false(hl_auth_has_right(&agent, HL_RIGHT_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hash_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_lockout_is_shared_by_every_app_on_the_store, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_token_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_login_purges_expired_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_idle_session_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_absolute_limit_ends_a_session_in_use, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_login_beyond_the_limit_revokes_the_oldest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_policy_values_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_history_refuses_each_of_the_last_n, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_password_history_0_turns_it_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_expired_password_must_be_changed, setup, teardown),
        cmocka_unit_test(test_read_rights),
        cmocka_unit_test_setup_teardown(test_read_order_hides_what_may_not_be_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_create_user_with_a_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_user_refuses_what_a_csv_row_would, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_update_user_changes_only_what_is_given, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_password_reset_and_disabling_end_sessions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_last_administrator_stays, setup, teardown),
        cmocka_unit_test(test_the_wait_doubles_up_to_its_cap),
        cmocka_unit_test_setup_teardown(
            test_finding_3_an_attackers_failures_only_delay_the_real_user, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_finding_3_the_security_administrators_unlock_clears_the_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_finding_3_other_accounts_failures_cannot_reset_the_wait, setup, teardown),
        cmocka_unit_test(test_order_scope_narrows_a_filter),
        cmocka_unit_test(test_directory_and_config_rights),
        cmocka_unit_test(test_rights_of_each_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
