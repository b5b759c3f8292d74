/* auth.c: passwords, sessions, login rate limits and the read rights of
 * each role (see auth.h).
 *
 * It hashes and verifies passwords (argon2id, bounded by the guard's
 * semaphore), refuses a new password among the account's last ones and
 * tells when one is past its age (password.history, password.max_age_days:
 * app/policy), makes and checks session tokens, counts failed logins in the
 * store (app/throttle.c, so that every server counts alike), and holds the
 * role table that
 * decides who may read which order and the reports, and who sees citizens'
 * personal data. It does not speak HTTP (cookies, headers and status codes
 * are the server's) and does not decide any write: the lifecycle's rules
 * stay in domain/workflow. Hashing never runs inside a store transaction,
 * so a slow hash holds no lock. */
#include "app/auth.h"

#include <errno.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "app/policy.h"
#include "app/throttle.h"
#include "base/array.h"
#include "base/i18n.h"
#include "base/text.h"

/* argon2id at libsodium's INTERACTIVE limits (2 passes, 64 MiB). Measured
 * on the project's 2-core machine: 78 ms per hash (19 MiB: 20 ms; 3 passes
 * of 64 MiB: 101 ms), inside the 50-100 ms a login can afford. With the
 * semaphore sized to the cores, hashing holds at most 64 MiB per core. */
#define PWHASH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

#define TOKEN_RANDOM_BYTES 32
#define FAILURE_KEY_BYTES HL_THROTTLE_BUDGET_BYTES

struct hl_auth_guard {
    sem_t hashing; /* one unit per hash allowed to run */
    /* A hash of a random password: an unknown user is verified against it,
     * so that a failed login takes as long whether the user exists or not. */
    char decoy_hash[HL_AUTH_HASH_BYTES];
};

_Static_assert(HL_AUTH_HASH_BYTES >= crypto_pwhash_STRBYTES, "room for an argon2id string");
_Static_assert(HL_SESSION_HASH_BYTES == crypto_generichash_BYTES * 2 + 1, "hex of a 32-byte hash");

static int sodium_failed(hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL, "%s",
                        HL_T("libsodium 无法初始化", "libsodium cannot start"));
}

/* ---- Hashing, bounded ---- */

static void acquire(hl_auth_guard *guard)
{
    if (guard == NULL)
        return;
    while (sem_wait(&guard->hashing) != 0 && errno == EINTR)
        continue;
}

static void release(hl_auth_guard *guard)
{
    if (guard != NULL)
        sem_post(&guard->hashing);
}

static int hash_password(hl_auth_guard *guard, const char *password, char *hash, hl_error *error)
{
    acquire(guard);
    int rc = crypto_pwhash_str(hash, password, strlen(password), PWHASH_OPSLIMIT, PWHASH_MEMLIMIT);
    release(guard);
    if (rc != 0)
        return hl_error_set(
            error, HL_EIO, NULL, "%s",
            HL_T("密码散列失败（内存不足）", "password hashing failed (out of memory)"));
    return HL_OK;
}

static bool verify_password(hl_auth_guard *guard, const char *hash, const char *password)
{
    acquire(guard);
    bool right = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    release(guard);
    return right;
}

int hl_auth_guard_new(unsigned concurrent_hashes, hl_auth_guard **out, hl_error *error)
{
    *out = NULL;
    if (sodium_init() < 0)
        return sodium_failed(error);
    if (concurrent_hashes == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        concurrent_hashes = cores < 1 ? 1 : cores > 64 ? 64 : (unsigned)cores;
    }
    hl_auth_guard *guard = hl_xcalloc(1, sizeof *guard);
    if (sem_init(&guard->hashing, 0, concurrent_hashes) != 0) {
        free(guard);
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            HL_T("无法创建信号量", "cannot create a semaphore"));
    }
    unsigned char random_password[16];
    char decoy[sizeof random_password * 2 + 1];
    randombytes_buf(random_password, sizeof random_password);
    sodium_bin2hex(decoy, sizeof decoy, random_password, sizeof random_password);
    int result = hash_password(guard, decoy, guard->decoy_hash, error);
    if (result != HL_OK) {
        hl_auth_guard_free(guard);
        return result;
    }
    *out = guard;
    return HL_OK;
}

void hl_auth_guard_free(hl_auth_guard *guard)
{
    if (guard == NULL)
        return;
    sem_destroy(&guard->hashing);
    free(guard);
}

/* ---- Failure counting ---- */

/* The failures are counted in the store (app/throttle.c), so that every
 * server on it refuses alike; the guard keeps none. */
static int too_many_attempts(int seconds, hl_error *error)
{
    int minutes = (seconds + 59) / 60;
    return hl_error_set(
        error, HL_EROLE, "password",
        HL_T("尝试次数过多，请 %d 分钟后再试", "too many attempts: try again in %d minute(s)"),
        minutes);
}

/* The failure counters of one attempt: its account's failures, its
 * account's wait, and its address's failures. */
typedef struct attempt_keys {
    char account[FAILURE_KEY_BYTES];
    char wait[FAILURE_KEY_BYTES];
    char address[FAILURE_KEY_BYTES];
} attempt_keys;

static void attempt_keys_of(const char *username, const char *address, attempt_keys *keys)
{
    snprintf(keys->account, sizeof keys->account, "u:%s", username != NULL ? username : "");
    snprintf(keys->wait, sizeof keys->wait, "d:%s", username != NULL ? username : "");
    snprintf(keys->address, sizeof keys->address, "a:%s", address != NULL ? address : "");
}

int hl_auth_delay_after(int64_t failures)
{
    if (failures <= HL_AUTH_ACCOUNT_FREE_FAILURES)
        return 0;
    int64_t delay = HL_AUTH_DELAY_FIRST_SECONDS;
    for (int64_t step = HL_AUTH_ACCOUNT_FREE_FAILURES + 1;
         step < failures && delay < HL_AUTH_DELAY_MAX_SECONDS; step++)
        delay *= 2;
    return delay > HL_AUTH_DELAY_MAX_SECONDS ? HL_AUTH_DELAY_MAX_SECONDS : (int)delay;
}

/* Counts a failure of the attempt's account and of its address, and
 * starts the account's wait when its failures call for one. Only the
 * account's own failures count toward its wait: other accounts' never
 * touch its keys. */
static int record_failure(hl_app *app, const attempt_keys *keys, hl_time now, hl_error *error)
{
    int64_t failures = 0;
    int result =
        hl_throttle_fail(app, keys->account, HL_AUTH_ACCOUNT_MEMORY_SECONDS, now, &failures, error);
    int delay = hl_auth_delay_after(failures);
    if (result == HL_OK && delay > 0)
        result = hl_throttle_hold(app, keys->wait, delay, now, error);
    if (result == HL_OK)
        result =
            hl_throttle_fail(app, keys->address, HL_AUTH_FAILURE_WINDOW_SECONDS, now, NULL, error);
    return result;
}

/* Forgets an account's failures and its wait. */
static int forget_account(hl_app *app, const attempt_keys *keys, hl_error *error)
{
    int result = hl_throttle_forget(app, keys->account, error);
    if (result == HL_OK)
        result = hl_throttle_forget(app, keys->wait, error);
    return result;
}

/* Fills keys for username trying from address, and refuses the attempt
 * (setting *rate_limited and *retry_after) while the account waits or the
 * address is blocked. A refused attempt counts nothing: an attacker's
 * tries during a wait do not lengthen it. */
static int attempt_begin(hl_app *app, const char *username, const char *address, hl_time now,
                         attempt_keys *keys, bool *rate_limited, int *retry_after, hl_error *error)
{
    attempt_keys_of(username, address, keys);
    int account = 0, from_address = 0;
    int result = hl_throttle_blocked_for(app, keys->wait, 1, now, &account, error);
    if (result == HL_OK)
        result = hl_throttle_blocked_for(app, keys->address, HL_AUTH_ADDRESS_FAILURES, now,
                                         &from_address, error);
    if (result != HL_OK)
        return result;
    int wait = account > from_address ? account : from_address;
    if (wait <= 0)
        return HL_OK;
    *rate_limited = true;
    *retry_after = wait;
    return too_many_attempts(wait, error);
}

int hl_auth_unlock(hl_app *app, const char *actor, const char *username, hl_time now,
                   hl_error *error)
{
    hl_user user;
    hl_error lookup;
    hl_error_clear(&lookup);
    int result = hl_directory_code_valid(hl_slice_of(username))
                     ? hl_store_user_get(app->store, username, &user, &lookup)
                     : HL_ENOTFOUND;
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_ENOTFOUND, "username",
                            HL_T("用户 %.64s 不存在", "no user %.64s"), username);
    if (result != HL_OK) {
        *error = lookup;
        return result;
    }
    attempt_keys keys;
    attempt_keys_of(username, NULL, &keys);
    result = forget_account(app, &keys, error);
    if (result != HL_OK)
        return result;
    /* The unlock is the security administrator's act: it stays on record,
     * as a security event (the account is already unlocked whatever the
     * audit answers: hl_audit_security tells the operator of a failure). */
    (void)now;
    (void)hl_audit_security(app, actor, NULL, "user.unlock", username, HL_AUDIT_SUCCESS, NULL);
    return HL_OK;
}

/* ---- Passwords ---- */

int hl_auth_check_new_password(hl_app *app, const char *password, const char *field,
                               hl_error *error)
{
    hl_policy policy;
    int loaded = hl_policy_load(app, &policy, error);
    if (loaded != HL_OK)
        return loaded;
    size_t length = password != NULL ? strlen(password) : 0;
    if (length > HL_AUTH_PASSWORD_MAX_BYTES)
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("密码超过 %d 字节", "the password exceeds %d bytes"),
                            HL_AUTH_PASSWORD_MAX_BYTES);
    if (!hl_text_is_utf8(password != NULL ? password : "", length))
        return hl_error_set(error, HL_EINVAL, field, "%s",
                            HL_T("密码不是有效的 UTF-8", "the password is not valid UTF-8"));
    if (hl_text_char_count(password != NULL ? password : "", length) <
        (size_t)policy.password_min_length)
        return hl_error_set(
            error, HL_EINVAL, field,
            HL_T("%s：密码至少 %d 个字符", "%s: the password needs at least %d characters"), field,
            policy.password_min_length);
    if (hl_policy_password_classes(password) < policy.password_min_classes)
        return hl_error_set(
            error, HL_EINVAL, field,
            HL_T("%s：密码须含小写字母、大写字母、数字、其他字符（含汉字）中至少 %d 类",
                 "%s: the password must mix at least %d of lower-case letters, "
                 "upper-case letters, digits and other characters (Chinese "
                 "characters count as other)"),
            field, policy.password_min_classes);
    return HL_OK;
}

/* ---- Password history and age ---- */

/* The hashes of an account's last passwords: the one in use, then the
 * history, newest first, as many as password.history asks. */
typedef struct recent_hashes {
    char (*items)[HL_AUTH_HASH_BYTES];
    size_t count, capacity, wanted;
} recent_hashes;

static void add_recent(recent_hashes *recent, const char *hash)
{
    if (hash[0] == '\0' || recent->count >= recent->wanted || strlen(hash) >= HL_AUTH_HASH_BYTES)
        return;
    HL_ARRAY_GROW(recent->items, recent->count, recent->capacity);
    snprintf(recent->items[recent->count++], HL_AUTH_HASH_BYTES, "%s", hash);
}

static int collect_recent(void *context, const char *hash, hl_time set_at)
{
    (void)set_at;
    add_recent(context, hash);
    return 0;
}

/* Refuses (HL_EINVAL naming field) a new password that is one of the
 * account's last password.history ones. Each is an argon2id verify (the
 * salts differ), about 78 ms, so the check costs at most
 * HL_STORE_PASSWORD_HISTORY of them; it runs outside any transaction. */
static int check_history(hl_app *app, hl_auth_guard *guard, const char *username,
                         const char *password, const char *field, hl_error *error)
{
    hl_policy policy;
    int result = hl_policy_load(app, &policy, error);
    if (result != HL_OK || policy.password_history == 0)
        return result;
    recent_hashes recent = {NULL, 0, 0, (size_t)policy.password_history};
    char current[HL_AUTH_HASH_BYTES] = "";
    result = hl_store_password_get(app->store, username, current, sizeof current, NULL, error);
    if (result == HL_OK) {
        add_recent(&recent, current);
        result = hl_store_password_history(app->store, username, collect_recent, &recent, error);
    }
    bool reused = false;
    for (size_t index = 0; index < recent.count && result == HL_OK && !reused; index++)
        reused = verify_password(guard, recent.items[index], password);
    if (recent.items != NULL)
        sodium_memzero(recent.items, recent.capacity * sizeof recent.items[0]);
    free(recent.items);
    sodium_memzero(current, sizeof current);
    if (result == HL_OK && reused)
        result = hl_error_set(error, HL_EINVAL, field,
                              HL_T("%s：新密码不得与最近 %d 次用过的密码相同",
                                   "%s: the new password must differ from the last %d used"),
                              field, policy.password_history);
    return result;
}

/* Whether a password set at changed_at is past password.max_age_days at
 * now. A time ahead of now (a store loaded on another clock) is not. */
static bool password_too_old(const hl_policy *policy, hl_time changed_at, hl_time now)
{
    return policy->password_max_age_days > 0 &&
           now - changed_at >= (hl_time)policy->password_max_age_days * HL_SECONDS_PER_DAY;
}

/* Whether username's password is past the policy's age at now. */
static int expired_under(hl_app *app, const hl_policy *policy, const char *username, hl_time now,
                         bool *expired, hl_error *error)
{
    *expired = false;
    if (policy->password_max_age_days == 0)
        return HL_OK;
    char hash[HL_AUTH_HASH_BYTES] = "";
    hl_time changed_at = 0;
    int result = hl_store_password_get(app->store, username, hash, sizeof hash, &changed_at, error);
    if (result == HL_OK)
        *expired = hash[0] != '\0' && password_too_old(policy, changed_at, now);
    sodium_memzero(hash, sizeof hash);
    return result;
}

int hl_auth_password_expired(hl_app *app, const char *username, hl_time now, bool *expired,
                             hl_error *error)
{
    *expired = false;
    hl_policy policy;
    int result = hl_policy_load(app, &policy, error);
    return result != HL_OK ? result : expired_under(app, &policy, username, now, expired, error);
}

/* Writes a hash and revokes the user's other sessions, in one transaction. */
static int store_password(hl_app *app, const char *username, const char *hash,
                          const char *keep_hash, hl_time now, hl_error *error)
{
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        result = hl_store_password_set(app->store, username, hash, now, error);
        if (result == HL_OK)
            result = hl_store_session_revoke_user(app->store, username, keep_hash, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

int hl_auth_set_password(hl_app *app, hl_auth_guard *guard, const char *username,
                         const char *password, hl_time now, hl_error *error)
{
    if (sodium_init() < 0)
        return sodium_failed(error);
    hl_user user;
    int result = hl_store_user_get(app->store, username, &user, error);
    if (result != HL_OK)
        return result;
    result = hl_auth_check_new_password(app, password, "password", error);
    if (result == HL_OK)
        result = check_history(app, guard, username, password, "password", error);
    if (result != HL_OK)
        return result;
    char hash[HL_AUTH_HASH_BYTES];
    result = hash_password(guard, password, hash, error);
    if (result == HL_OK)
        result = store_password(app, username, hash, NULL, now, error);
    sodium_memzero(hash, sizeof hash);
    return result;
}

typedef struct name_list {
    char (*names)[HL_CODE_BYTES];
    size_t count, capacity;
} name_list;

static int collect_username(void *context, const hl_user *user)
{
    name_list *list = context;
    HL_ARRAY_GROW(list->names, list->count, list->capacity);
    snprintf(list->names[list->count++], HL_CODE_BYTES, "%s", user->username);
    return 0;
}

int hl_auth_set_all_passwords(hl_app *app, const char *password, hl_time now, int *count,
                              hl_error *error)
{
    *count = 0;
    if (sodium_init() < 0)
        return sodium_failed(error);
    int result = hl_auth_check_new_password(app, password, "password", error);
    if (result != HL_OK)
        return result;
    char hash[HL_AUTH_HASH_BYTES];
    result = hash_password(NULL, password, hash, error);
    if (result != HL_OK)
        return result;
    name_list list = {NULL, 0, 0};
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        /* Names first, then writes: no update while the listing steps. */
        list.count = 0;
        result = hl_store_user_each(app->store, collect_username, &list, error);
        for (size_t index = 0; index < list.count && result == HL_OK; index++) {
            result = hl_store_password_set(app->store, list.names[index], hash, now, error);
            if (result == HL_OK)
                result = hl_store_session_revoke_user(app->store, list.names[index], NULL, error);
        }
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK)
        *count = (int)list.count;
    free(list.names);
    return result;
}

/* ---- Users, as the administrator writes them ---- */

/* Applies the fields present to *user, checking each as a CSV row is. */
static int apply_user_fields(const hl_auth_user_fields *fields, bool role_changed, hl_user *user,
                             hl_error *error)
{
    int result = HL_OK;
    if (fields->name != NULL)
        result = hl_text_copy(user->display_name, sizeof user->display_name,
                              hl_slice_trim(hl_slice_of(fields->name)), HL_NAME_CHARS, false,
                              "name", error);
    if (result == HL_OK && fields->role != NULL &&
        hl_directory_role_parse(hl_slice_of(fields->role), &user->role) != HL_OK)
        result = hl_error_set(
            error, HL_EINVAL, "role", "%s",
            HL_T("角色须为 agent、dispatcher、handler、surveyor、supervisor、analyst、sysadmin、"
                 "secadmin 或 auditor",
                 "role takes agent, dispatcher, handler, surveyor, supervisor, analyst, sysadmin, "
                 "secadmin or auditor"));
    if (result == HL_OK && fields->unit != NULL) {
        user->unit[0] = '\0';
        if (hl_slice_trim(hl_slice_of(fields->unit)).len > 0)
            result = hl_directory_copy_code(user->unit, hl_slice_of(fields->unit), "unit", error);
    } else if (result == HL_OK && role_changed && user->role != HL_ROLE_HANDLER) {
        user->unit[0] = '\0'; /* only handlers belong to a unit */
    }
    if (fields->active >= 0)
        user->active = fields->active != 0;
    if (result == HL_OK)
        result = hl_directory_user_validate(user, error);
    /* The record calls it display_name; the API calls it name. */
    if (result != HL_OK && strcmp(error->field, "display_name") == 0)
        snprintf(error->field, sizeof error->field, "name");
    return result;
}

static int check_user_unit(hl_app *app, const hl_user *user, hl_error *error)
{
    if (user->unit[0] == '\0')
        return HL_OK;
    hl_unit unit;
    hl_error lookup;
    hl_error_clear(&lookup);
    int result = hl_store_unit_get(app->store, user->unit, &unit, &lookup);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EINVAL, "unit", HL_T("单位 %s 不存在", "no unit %s"),
                            user->unit);
    if (result != HL_OK)
        *error = lookup;
    return result;
}

int hl_auth_create_user(hl_app *app, hl_auth_guard *guard, const hl_auth_user_fields *fields,
                        hl_time now, hl_user *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return sodium_failed(error);
    int result =
        hl_directory_copy_code(out->username, hl_slice_of(fields->username), "username", error);
    if (result != HL_OK)
        return result;
    if (fields->role == NULL)
        return hl_error_set(error, HL_EINVAL, "role", "%s",
                            HL_T("缺少角色", "the role is missing"));
    out->active = true;
    result = apply_user_fields(fields, true, out, error);
    if (result == HL_OK)
        result = hl_auth_check_new_password(app, fields->password, "password", error);
    if (result != HL_OK)
        return result;
    char hash[HL_AUTH_HASH_BYTES];
    result = hash_password(guard, fields->password, hash, error);
    if (result != HL_OK)
        return result;
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        hl_user existing;
        hl_error lookup;
        hl_error_clear(&lookup);
        int found = hl_store_user_get(app->store, out->username, &existing, &lookup);
        if (found == HL_OK)
            result = hl_error_set(error, HL_ECONFLICT, "username",
                                  HL_T("用户 %s 已存在", "user %s exists"), out->username);
        else if (found != HL_ENOTFOUND) {
            *error = lookup;
            result = found;
        }
        if (result == HL_OK)
            result = check_user_unit(app, out, error);
        if (result == HL_OK)
            result = hl_store_user_put(app->store, out, error);
        if (result == HL_OK)
            result = hl_store_password_set(app->store, out->username, hash, now, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    sodium_memzero(hash, sizeof hash);
    return result;
}

typedef struct admin_count {
    const char *except;
    int active_admins;
} admin_count;

static int count_other_admin(void *context, const hl_user *user)
{
    admin_count *count = context;
    if (user->role == HL_ROLE_SECADMIN && user->active &&
        strcmp(user->username, count->except) != 0)
        count->active_admins++;
    return 0;
}

/* The steps of hl_auth_update_user inside its transaction, from the stored
 * user each time (hash: the new password's, or ""). */
static int update_user_within(hl_app *app, const char *username, const hl_auth_user_fields *fields,
                              const char *hash, hl_time now, hl_user *out, hl_error *error)
{
    hl_user before;
    int result = hl_store_user_get(app->store, username, &before, error);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_ENOTFOUND, "username", HL_T("用户 %s 不存在", "no user %s"),
                            username);
    if (result != HL_OK)
        return result;
    *out = before;
    hl_role role_asked = before.role;
    bool role_changed = fields->role != NULL &&
                        hl_directory_role_parse(hl_slice_of(fields->role), &role_asked) == HL_OK &&
                        role_asked != before.role;
    result = apply_user_fields(fields, role_changed, out, error);
    if (result == HL_OK)
        result = check_user_unit(app, out, error);
    /* Someone must always be able to manage the accounts. */
    bool was_admin = before.role == HL_ROLE_SECADMIN && before.active;
    if (result == HL_OK && was_admin && (out->role != HL_ROLE_SECADMIN || !out->active)) {
        admin_count count = {out->username, 0};
        result = hl_store_user_each(app->store, count_other_admin, &count, error);
        if (result == HL_OK && count.active_admins == 0)
            result = hl_error_set(error, HL_ECONFLICT,
                                  out->role != HL_ROLE_SECADMIN ? "role" : "active", "%s",
                                  HL_T("不能停用最后一个在用的安全管理员或改变其角色",
                                       "the last active security administrator can be neither "
                                       "disabled nor given another role"));
    }
    if (result == HL_OK)
        result = hl_store_user_put(app->store, out, error);
    if (result == HL_OK && hash[0] != '\0')
        result = hl_store_password_set(app->store, out->username, hash, now, error);
    if (result == HL_OK && (hash[0] != '\0' || (before.active && !out->active)))
        result = hl_store_session_revoke_user(app->store, out->username, NULL, error);
    return result;
}

int hl_auth_update_user(hl_app *app, hl_auth_guard *guard, const char *username,
                        const hl_auth_user_fields *fields, hl_time now, hl_user *out,
                        hl_error *error)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return sodium_failed(error);
    if (!hl_directory_code_valid(hl_slice_of(username)))
        return hl_error_set(error, HL_ENOTFOUND, "username",
                            HL_T("用户 %.64s 不存在", "no user %.64s"), username);
    int result = HL_OK;
    char hash[HL_AUTH_HASH_BYTES] = "";
    if (fields->password != NULL) {
        result = hl_auth_check_new_password(app, fields->password, "password", error);
        /* An unknown user is the transaction's to report, as without a
         * password. */
        if (result == HL_OK)
            result = check_history(app, guard, username, fields->password, "password", error);
        if (result == HL_ENOTFOUND)
            result = HL_OK;
        if (result == HL_OK)
            result = hash_password(guard, fields->password, hash, error);
        if (result != HL_OK)
            return result;
    }
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        result = update_user_within(app, username, fields, hash, now, out, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    sodium_memzero(hash, sizeof hash);
    return result;
}

/* ---- Sessions ---- */

/* How far a session's expiry must move before it is written (see
 * hl_auth_authenticate). */
#define SESSION_SLIDE_SECONDS 60

/* The stored form of a token: hex of its BLAKE2b hash. */
static void token_hash(const char *token, char out[HL_SESSION_HASH_BYTES])
{
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, HL_SESSION_HASH_BYTES, digest, sizeof digest);
}

static bool token_well_formed(const char *token)
{
    return hl_text_is_lower_hex(token, TOKEN_RANDOM_BYTES * 2);
}

static int wrong_credentials(hl_error *error)
{
    return hl_error_set(error, HL_EROLE, "password", "%s",
                        HL_T("用户名或密码错误", "wrong username or password"));
}

/* The sessions of one account still live at now, gathered from the
 * sessions table (which holds only the last hours' sessions: every login
 * purges the expired ones). */
typedef struct live_sessions {
    const char *username;
    hl_time now;
    hl_session *items;
    size_t count, capacity;
} live_sessions;

static int collect_live_session(void *context, const hl_session *session)
{
    live_sessions *live = context;
    if (session->revoked || session->expires_at <= live->now ||
        strcmp(session->username, live->username) != 0)
        return 0;
    HL_ARRAY_GROW(live->items, live->count, live->capacity);
    live->items[live->count++] = *session;
    return 0;
}

/* Revokes the oldest live sessions of the account beyond max_live, so that
 * a new login never leaves more than session.max_per_user open: the newest
 * login is the one the user is at, and an old session on a forgotten
 * machine is the one to close. Within the caller's transaction. */
static int revoke_beyond_limit(hl_app *app, const char *username, hl_time now, int max_live,
                               hl_error *error)
{
    live_sessions live = {username, now, NULL, 0, 0};
    int result = hl_store_session_each(app->store, collect_live_session, &live, error);
    while (result == HL_OK && live.count > (size_t)max_live) {
        size_t oldest = 0;
        for (size_t i = 1; i < live.count; i++)
            if (live.items[i].created_at < live.items[oldest].created_at ||
                (live.items[i].created_at == live.items[oldest].created_at &&
                 strcmp(live.items[i].token_hash, live.items[oldest].token_hash) < 0))
                oldest = i;
        result = hl_store_session_revoke(app->store, live.items[oldest].token_hash, error);
        live.items[oldest] = live.items[--live.count];
    }
    free(live.items);
    return result;
}

/* When a session used at now ends: its idle limit from now, never beyond
 * its absolute limit from login. */
static hl_time session_end(const hl_policy *policy, hl_time created_at, hl_time now)
{
    hl_time idle = now + (hl_time)policy->idle_minutes * 60;
    hl_time absolute = created_at + (hl_time)policy->absolute_hours * 3600;
    return idle < absolute ? idle : absolute;
}

/* Opens a session (one transaction), then forgets the account's failures
 * (a statement of its own, as every counter call is: app/throttle.h). */
static int open_session(hl_app *app, const hl_user *user, const attempt_keys *keys,
                        hl_time password_changed_at, hl_time now, hl_auth_grant *out,
                        hl_error *error)
{
    hl_policy policy;
    int loaded = hl_policy_load(app, &policy, error);
    if (loaded != HL_OK)
        return loaded;
    out->must_change_password = password_too_old(&policy, password_changed_at, now);
    unsigned char random[TOKEN_RANDOM_BYTES];
    randombytes_buf(random, sizeof random);
    sodium_bin2hex(out->token, sizeof out->token, random, sizeof random);
    sodium_memzero(random, sizeof random);
    memset(&out->session, 0, sizeof out->session);
    token_hash(out->token, out->session.token_hash);
    snprintf(out->session.username, sizeof out->session.username, "%s", user->username);
    out->session.created_at = now;
    out->session.expires_at = session_end(&policy, now, now);
    out->session_seconds = policy.absolute_hours * 3600;
    out->user = *user;
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        /* Each new session clears out the expired ones, so that the table
         * holds about twelve hours of logins whatever the server's uptime. */
        result = hl_store_session_purge(app->store, now, error);
        if (result == HL_OK)
            result = hl_store_session_put(app->store, &out->session, error);
        if (result == HL_OK)
            result = revoke_beyond_limit(app, user->username, now, policy.max_per_user, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK)
        result = forget_account(app, keys, error);
    return result;
}

int hl_auth_login(hl_app *app, hl_auth_guard *guard, const char *username, const char *password,
                  const char *address, hl_time now, hl_auth_grant *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return sodium_failed(error);
    if (username == NULL || password == NULL || strlen(password) > HL_AUTH_PASSWORD_MAX_BYTES)
        return wrong_credentials(error);
    attempt_keys keys;
    int refused = attempt_begin(app, username, address, now, &keys, &out->rate_limited,
                                &out->retry_after, error);
    if (refused != HL_OK)
        return refused;
    hl_user user;
    memset(&user, 0, sizeof user);
    char hash[HL_AUTH_HASH_BYTES] = "";
    bool known = false;
    hl_error lookup;
    hl_error_clear(&lookup);
    hl_time changed_at = 0;
    if (hl_directory_code_valid(hl_slice_of(username))) {
        int result = hl_store_user_get(app->store, username, &user, &lookup);
        if (result == HL_OK)
            result = hl_store_password_get(app->store, username, hash, sizeof hash, &changed_at,
                                           &lookup);
        if (result != HL_OK && result != HL_ENOTFOUND) {
            *error = lookup;
            return result;
        }
        known = result == HL_OK && user.active && hash[0] != '\0';
    }
    /* The same work whether or not the account can log in. */
    bool right = verify_password(guard, known ? hash : guard->decoy_hash, password) && known;
    if (!right) {
        int counted = record_failure(app, &keys, now, error);
        return counted != HL_OK ? counted : wrong_credentials(error);
    }
    return open_session(app, &user, &keys, changed_at, now, out, error);
}

static int not_logged_in(hl_error *error)
{
    return hl_error_set(error, HL_EROLE, "token", "%s",
                        HL_T("未登录或会话已失效", "not logged in, or the session has ended"));
}

/* The stored form of a session token a client presents; a malformed token
 * is not logged in. */
static int session_key(const char *token, char hashed[HL_SESSION_HASH_BYTES], hl_error *error)
{
    if (!token_well_formed(token))
        return not_logged_in(error);
    if (sodium_init() < 0)
        return sodium_failed(error);
    token_hash(token, hashed);
    return HL_OK;
}

/* The steps of hl_auth_authenticate; with password_expired, also whether
 * the user's password is past password.max_age_days, from the policy
 * loaded once for both (on PostgreSQL each setting read is a round trip). */
static int authenticate(hl_app *app, const char *token, hl_time now, hl_user *user,
                        hl_session *session, bool *password_expired, hl_error *error)
{
    char hashed[HL_SESSION_HASH_BYTES];
    int result = session_key(token, hashed, error);
    if (result != HL_OK)
        return result;
    hl_session found;
    result = hl_store_session_get(app->store, hashed, &found, error);
    if (result == HL_ENOTFOUND)
        return not_logged_in(error);
    if (result != HL_OK)
        return result;
    hl_policy policy;
    result = hl_policy_load(app, &policy, error);
    if (result != HL_OK)
        return result;
    /* The absolute limit is checked against the policy in force too, so
     * that shortening session.absolute_hours ends the older sessions. */
    if (found.revoked || now >= found.expires_at ||
        now >= found.created_at + (hl_time)policy.absolute_hours * 3600)
        return not_logged_in(error);
    result = hl_store_user_get(app->store, found.username, user, error);
    if (result == HL_ENOTFOUND || (result == HL_OK && !user->active))
        return not_logged_in(error);
    /* The idle limit slides forward with use. Writing the new expiry on
     * every request would make each read a write (and, on PostgreSQL, a
     * dead row per request); it is written only when it moves by
     * SESSION_SLIDE_SECONDS or more, so a session ends at most that much
     * before its exact idle limit, never after it. A failed write leaves
     * the session valid to its stored expiry, which is what it was. */
    hl_time end = session_end(&policy, found.created_at, now);
    if (result == HL_OK && end - found.expires_at >= SESSION_SLIDE_SECONDS) {
        int attempt = 0, touched;
        hl_error ignored;
        hl_error_clear(&ignored);
        do {
            touched = hl_app_begin(app, &ignored);
            if (touched == HL_OK)
                touched = hl_app_finish(
                    app, hl_store_session_touch(app->store, hashed, end, &ignored), &ignored);
        } while (hl_app_again(app, &attempt, &touched, &ignored));
        if (touched == HL_OK)
            found.expires_at = end;
    }
    if (result == HL_OK && session != NULL)
        *session = found;
    if (result == HL_OK && password_expired != NULL)
        result = expired_under(app, &policy, found.username, now, password_expired, error);
    return result;
}

int hl_auth_authenticate(hl_app *app, const char *token, hl_time now, hl_user *user,
                         hl_session *session, hl_error *error)
{
    return authenticate(app, token, now, user, session, NULL, error);
}

int hl_auth_authenticate_aged(hl_app *app, const char *token, hl_time now, hl_user *user,
                              bool *password_expired, hl_error *error)
{
    *password_expired = false;
    return authenticate(app, token, now, user, NULL, password_expired, error);
}

int hl_auth_logout(hl_app *app, const char *token, hl_error *error)
{
    char hashed[HL_SESSION_HASH_BYTES];
    int result = session_key(token, hashed, error);
    if (result != HL_OK)
        return result;
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK)
            result = hl_app_finish(app, hl_store_session_revoke(app->store, hashed, error), error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result == HL_ENOTFOUND ? not_logged_in(error) : result;
}

int hl_auth_change_password(hl_app *app, hl_auth_guard *guard, const char *username,
                            const char *keep_token, const char *old_password,
                            const char *new_password, const char *address, hl_time now,
                            bool *rate_limited, int *retry_after, hl_error *error)
{
    *rate_limited = false;
    *retry_after = 0;
    if (sodium_init() < 0)
        return sodium_failed(error);
    attempt_keys keys;
    int result =
        attempt_begin(app, username, address, now, &keys, rate_limited, retry_after, error);
    if (result != HL_OK)
        return result;
    result = hl_auth_check_new_password(app, new_password, "new", error);
    if (result != HL_OK)
        return result;
    char hash[HL_AUTH_HASH_BYTES] = "";
    result = hl_store_password_get(app->store, username, hash, sizeof hash, NULL, error);
    if (result != HL_OK)
        return result;
    if (old_password == NULL || strlen(old_password) > HL_AUTH_PASSWORD_MAX_BYTES ||
        hash[0] == '\0' || !verify_password(guard, hash, old_password)) {
        int counted = record_failure(app, &keys, now, error);
        if (counted != HL_OK)
            return counted;
        return hl_error_set(error, HL_EROLE, "old", "%s",
                            HL_T("原密码不正确", "the old password is wrong"));
    }
    /* The history is checked once the old password is known right, so
     * that it tells nothing to one who does not know it. */
    result = check_history(app, guard, username, new_password, "new", error);
    if (result == HL_OK)
        result = hash_password(guard, new_password, hash, error);
    char keep_hash[HL_SESSION_HASH_BYTES] = "";
    if (result == HL_OK && token_well_formed(keep_token))
        token_hash(keep_token, keep_hash);
    if (result == HL_OK)
        result = store_password(app, username, hash, keep_hash[0] != '\0' ? keep_hash : NULL, now,
                                error);
    sodium_memzero(hash, sizeof hash);
    return result;
}

/* ---- Who may read what ---- */

typedef enum order_scope {
    SCOPE_NONE = 0,
    SCOPE_ALL,      /* every order */
    SCOPE_OWN_UNIT, /* orders whose lead or co-handling unit is the user's */
    SCOPE_FINISHED, /* completed, surveyed or archived orders (the callback survey's) */
} order_scope;

/* The states a surveyor reads: the orders the callback survey concerns. */
#define FINISHED_STATES                                                                            \
    (HL_STATE_BIT(HL_STATE_COMPLETED) | HL_STATE_BIT(HL_STATE_SURVEYED) |                          \
     HL_STATE_BIT(HL_STATE_ARCHIVED))

/* The rights of each role: the one table authorization is decided from
 * (docs/api.md repeats it). Writes to orders are the workflow's rules
 * (domain/workflow.c), not this table's; no administrator is in them. The
 * three administrators divide what one held (三员分立): the system
 * administrator the directory and the settings, the security
 * administrator the accounts, the audit administrator the audit trail. */
static const struct {
    order_scope orders;
    bool reports;
    bool personal_data; /* full phone numbers and names */
    bool directory;     /* manage units, categories, the calendar and the limits */
    bool config;        /* read the settings in force (limits, zone, policy) */
    bool accounts;      /* manage users, roles, passwords, API keys, login waits */
    bool audit;         /* read the audit trail */
} role_rights[HL_ROLE_COUNT] = {
    [HL_ROLE_AGENT] = {SCOPE_ALL, false, true, false, false, false, false},
    [HL_ROLE_DISPATCHER] = {SCOPE_ALL, true, true, false, false, false, false},
    [HL_ROLE_HANDLER] = {SCOPE_OWN_UNIT, false, false, false, false, false, false},
    /* Surveyors call citizens back: they need the number they dial. */
    [HL_ROLE_SURVEYOR] = {SCOPE_FINISHED, false, true, false, false, false, false},
    /* Supervisors decide extensions and reopenings against the limits. */
    [HL_ROLE_SUPERVISOR] = {SCOPE_ALL, true, true, false, true, false, false},
    [HL_ROLE_ANALYST] = {SCOPE_ALL, true, false, false, false, false, false},
    /* The system administrator sets categories, units and limits against
     * the orders they shape: it reads them masked, and the reports. */
    [HL_ROLE_SYSADMIN] = {SCOPE_ALL, true, false, true, true, false, false},
    /* The security and audit administrators read no order at all: their
     * work is the accounts and the trail, not the citizens' requests. The
     * security administrator reads the settings, among them the account
     * and session policy it sets. */
    [HL_ROLE_SECADMIN] = {SCOPE_NONE, false, false, false, true, true, false},
    [HL_ROLE_AUDITOR] = {SCOPE_NONE, false, false, false, false, false, true},
};

static bool known_role(const hl_user *user)
{
    return user != NULL && (int)user->role >= 0 && user->role < HL_ROLE_COUNT && user->active;
}

/* Whether a comma-separated list of codes holds code. */
static bool list_has_code(const char *list, const char *code)
{
    size_t length = strlen(code);
    const char *cursor = list;
    while (*cursor != '\0') {
        size_t item = strcspn(cursor, ",");
        if (item == length && strncmp(cursor, code, length) == 0)
            return true;
        cursor += item;
        if (*cursor == ',')
            cursor++;
    }
    return false;
}

bool hl_auth_may_read_orders(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].orders != SCOPE_NONE;
}

bool hl_auth_may_read_order(const hl_user *user, const hl_order *order)
{
    if (!known_role(user))
        return false;
    switch (role_rights[user->role].orders) {
    case SCOPE_ALL: return true;
    case SCOPE_OWN_UNIT:
        return user->unit[0] != '\0' && (strcmp(order->lead_unit, user->unit) == 0 ||
                                         list_has_code(order->co_units, user->unit));
    case SCOPE_FINISHED: return (HL_STATE_BIT(order->state) & FINISHED_STATES) != 0;
    case SCOPE_NONE: return false;
    }
    return false;
}

bool hl_auth_order_scope(const hl_user *user, hl_order_filter *filter)
{
    if (!known_role(user))
        return false;
    switch (role_rights[user->role].orders) {
    case SCOPE_ALL: return true;
    case SCOPE_OWN_UNIT:
        if (user->unit[0] == '\0')
            return false;
        /* Narrowing only: the user's own filters (a lead unit, a
         * co-handling unit) stay, and can only select fewer orders. */
        filter->scope_unit = user->unit;
        return true;
    case SCOPE_FINISHED:
        filter->state_mask =
            filter->state_mask == 0 ? FINISHED_STATES : filter->state_mask & FINISHED_STATES;
        return filter->state_mask != 0;
    case SCOPE_NONE: return false;
    }
    return false;
}

bool hl_auth_may_manage_directory(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].directory;
}

bool hl_auth_may_read_config(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].config;
}

bool hl_auth_may_read_reports(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].reports;
}

bool hl_auth_may_publish_reports(const hl_user *user)
{
    return known_role(user) && user->role == HL_ROLE_ANALYST;
}

bool hl_auth_sees_personal_data(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].personal_data;
}

bool hl_auth_may_search_by_phone(const hl_user *user)
{
    return hl_auth_may_read_orders(user) && hl_auth_sees_personal_data(user);
}

bool hl_auth_may_manage_accounts(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].accounts;
}

bool hl_auth_may_manage_api_keys(const hl_user *user)
{
    return hl_auth_may_manage_accounts(user);
}

/* Those who see the numbers are audited; the audit administrator, who
 * sees no order, audits them. */
bool hl_auth_may_read_audit(const hl_user *user)
{
    return known_role(user) && role_rights[user->role].audit;
}

/* Whether the workflow lets the user's role take an action at all. */
static bool role_may_take(const hl_user *user, hl_action action)
{
    return (hl_workflow_rule_of(action)->roles & HL_ROLE_BIT(user->role)) != 0;
}

const char *hl_auth_right_name(hl_auth_right right)
{
    static const char *const names[HL_RIGHT_COUNT] = {
        [HL_RIGHT_DISPATCH] = "dispatch",
        [HL_RIGHT_HANDLE] = "handle",
        [HL_RIGHT_SURVEY] = "survey",
        [HL_RIGHT_SUPERVISE] = "supervise",
        [HL_RIGHT_MANAGE_DIRECTORY] = "manage_directory",
        [HL_RIGHT_MANAGE_ACCOUNTS] = "manage_accounts",
        [HL_RIGHT_READ_AUDIT] = "read_audit",
        [HL_RIGHT_REGISTER] = "register",
        [HL_RIGHT_SEARCH_ORDERS] = "search_orders",
        [HL_RIGHT_READ_REPORTS] = "read_reports",
        [HL_RIGHT_PUBLISH_REPORTS] = "publish_reports",
        [HL_RIGHT_SEARCH_BY_PHONE] = "search_by_phone",
    };
    return (int)right >= 0 && right < HL_RIGHT_COUNT ? names[right] : "unknown";
}

bool hl_auth_has_right(const hl_user *user, hl_auth_right right)
{
    if (!known_role(user))
        return false;
    switch (right) {
    case HL_RIGHT_DISPATCH: return role_may_take(user, HL_ACTION_DISPATCH);
    case HL_RIGHT_HANDLE: return role_may_take(user, HL_ACTION_SIGN);
    case HL_RIGHT_SURVEY: return role_may_take(user, HL_ACTION_SURVEY);
    case HL_RIGHT_SUPERVISE: return role_may_take(user, HL_ACTION_SUPERVISE);
    case HL_RIGHT_MANAGE_DIRECTORY: return role_rights[user->role].directory;
    case HL_RIGHT_MANAGE_ACCOUNTS: return role_rights[user->role].accounts;
    case HL_RIGHT_READ_AUDIT: return role_rights[user->role].audit;
    case HL_RIGHT_REGISTER: return role_may_take(user, HL_ACTION_REGISTER);
    /* A unit handler reads its unit's orders only, and its inbox is that
     * list: searching is for the roles that read beyond one unit. */
    case HL_RIGHT_SEARCH_ORDERS:
        return role_rights[user->role].orders == SCOPE_ALL ||
               role_rights[user->role].orders == SCOPE_FINISHED;
    case HL_RIGHT_READ_REPORTS: return role_rights[user->role].reports;
    case HL_RIGHT_PUBLISH_REPORTS: return hl_auth_may_publish_reports(user);
    case HL_RIGHT_SEARCH_BY_PHONE: return hl_auth_may_search_by_phone(user);
    case HL_RIGHT_COUNT: break;
    }
    return false;
}

static int order_not_found(int64_t id, hl_error *error)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(error, HL_ENOTFOUND, "order", HL_T("工单 %s 不存在", "no order %s"),
                        number);
}

int hl_auth_read_order(hl_app *app, const hl_user *user, int64_t id, hl_order *out, hl_error *error)
{
    int result = hl_app_get_order(app, id, out, error);
    if (result == HL_OK && !hl_auth_may_read_order(user, out)) {
        memset(out, 0, sizeof *out); /* nothing of it leaves */
        return order_not_found(id, error);
    }
    return result;
}

int hl_auth_list_events(hl_app *app, const hl_user *user, int64_t id, hl_order *order,
                        hl_event_visitor visit, void *context, hl_error *error)
{
    int result = hl_auth_read_order(app, user, id, order, error);
    if (result != HL_OK)
        return result;
    return hl_app_list_events(app, id, visit, context, error);
}
