/* auth.h: who is logged in, and what a user may read.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str) and
 * stored as the hash only. A login that succeeds opens a session: a token
 * of 32 random bytes, hex-encoded, handed to the client once; the store
 * keeps only its BLAKE2b hash, the user, when it was made, when it expires
 * and whether it was revoked (logout, password change, a login beyond
 * session.max_per_user). It expires session.idle_minutes after its last
 * use, and session.absolute_hours after login whatever its use (app/policy).
 *
 * An hl_auth_guard is shared by every thread of a process (it is
 * thread-safe): it bounds how many hashes run at once (a counting semaphore
 * sized to the cores, so that a burst of logins cannot exhaust the machine)
 * and counts failed logins per account and per client address in the
 * store (app/throttle, shared by every server, no table to evict from).
 * An account is never locked hard, so that nobody can lock the
 * administrators out (finding 3 of issue 11): its first
 * HL_AUTH_ACCOUNT_FREE_FAILURES failures cost nothing, each further one
 * makes the account wait hl_auth_delay_after(failures) seconds (doubling,
 * at most HL_AUTH_DELAY_MAX_SECONDS) during which its attempts are refused
 * (HL_EROLE, "too many attempts") without hashing or counting anything;
 * failures are forgotten HL_AUTH_ACCOUNT_MEMORY_SECONDS after the first,
 * at a successful login, and by a security administrator's unlock
 * (hl_auth_unlock). HL_AUTH_ADDRESS_FAILURES failures from one address
 * within HL_AUTH_FAILURE_WINDOW_SECONDS refuse that address's attempts
 * until the window has passed.
 *
 * Authorization for reads is decided here, from one table of roles
 * (hl_auth_may_read_order, hl_auth_may_read_reports,
 * hl_auth_sees_personal_data); the server only asks. An order a user may
 * not read is reported as absent (HL_ENOTFOUND), so that numbers cannot be
 * probed. Times are passed in (now), so that tests choose the clock. */
#ifndef HL_AUTH_H
#define HL_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"

#define HL_AUTH_TOKEN_BYTES 65 /* 64 hex digits and NUL */
#define HL_AUTH_HASH_BYTES 128 /* crypto_pwhash_STRBYTES */
#define HL_AUTH_PASSWORD_MAX_BYTES 1024
/* Failures of an account that impose no wait: a user who mistypes. */
#define HL_AUTH_ACCOUNT_FREE_FAILURES 4
/* The wait after the first failure beyond those, doubled by each next. */
#define HL_AUTH_DELAY_FIRST_SECONDS 60
#define HL_AUTH_DELAY_MAX_SECONDS (15 * 60)
/* How long an account's failures are remembered, from the first. */
#define HL_AUTH_ACCOUNT_MEMORY_SECONDS 3600
#define HL_AUTH_ADDRESS_FAILURES 20 /* an office behind one NAT shares an address */
#define HL_AUTH_FAILURE_WINDOW_SECONDS 300
/* The password `hotline demo` gives every demo account. */
#define HL_AUTH_DEMO_PASSWORD "hotline-demo"

typedef struct hl_auth_guard hl_auth_guard;

/* Makes a guard letting at most concurrent_hashes hashes run at once (0: the
 * number of online cores). The caller owns *out (hl_auth_guard_free).
 * HL_EIO when libsodium cannot start. */
int hl_auth_guard_new(unsigned concurrent_hashes, hl_auth_guard **out, hl_error *error);
void hl_auth_guard_free(hl_auth_guard *guard); /* guard may be NULL */

/* Checks a new password: valid UTF-8, at most HL_AUTH_PASSWORD_MAX_BYTES
 * bytes, and the policy in force (app/policy: password.min_length
 * characters, password.min_classes classes). HL_EINVAL naming field
 * otherwise. */
int hl_auth_check_new_password(hl_app *app, const char *password, const char *field,
                               hl_error *error);

/* Sets a user's password (checked as above, and against the account's
 * last password.history passwords: HL_EINVAL naming "password"), recording
 * now as when it was set, and revokes every session of the user. guard may
 * be NULL (no bound on hashing: the command line). HL_ENOTFOUND for an
 * unknown user. */
int hl_auth_set_password(hl_app *app, hl_auth_guard *guard, const char *username,
                         const char *password, hl_time now, hl_error *error);

/* Whether the user's password is older than password.max_age_days at now
 * (never when the setting is 0, nor for an account without a password).
 * The server lets such a user's session change the password, log out and
 * read /api/v1/me, and refuses every other route (403 password_expired). */
int hl_auth_password_expired(hl_app *app, const char *username, hl_time now, bool *expired,
                             hl_error *error);

/* A user as the administrator sends it, as text. NULL: absent. */
typedef struct hl_auth_user_fields {
    const char *username;
    const char *name;     /* the display name */
    const char *role;     /* a role name (hl_directory_role_parse) */
    const char *unit;     /* a unit code; "" for none */
    int active;           /* 1, 0, or -1: absent */
    const char *password; /* a new password (hl_auth_check_new_password) */
} hl_auth_user_fields;

/* Creates a user with a password: username, role and password required,
 * unit as the role needs (a handler one that exists, any other role none),
 * active unless 0. Checked as `hotline load users` checks a row, plus the
 * password; errors name the field ("username", "name", "role", "unit",
 * "password"). HL_ECONFLICT when the username is taken. The password is
 * hashed before the transaction, which writes the user and the hash.
 * *out receives the user. */
int hl_auth_create_user(hl_app *app, hl_auth_guard *guard, const hl_auth_user_fields *fields,
                        hl_time now, hl_user *out, hl_error *error);

/* Changes a user: each field present replaces the stored one (username is
 * not changed). Giving a role other than handler without a unit removes the
 * unit. A password resets it (set at now, refused when among the account's
 * last password.history); a password or active 0 revokes every session
 * of the user. The last active security administrator can be neither disabled nor
 * given another role (HL_ECONFLICT), so that someone can always manage the
 * accounts. HL_ENOTFOUND (field "username") for an unknown user. One
 * transaction; *out receives the user as stored. */
int hl_auth_update_user(hl_app *app, hl_auth_guard *guard, const char *username,
                        const hl_auth_user_fields *fields, hl_time now, hl_user *out,
                        hl_error *error);

/* Gives every user of the store the same password (the demo's), set at
 * now, without the history check; *count receives how many users. One
 * hash, one transaction. */
int hl_auth_set_all_passwords(hl_app *app, const char *password, hl_time now, int *count,
                              hl_error *error);

/* What a login grants (or why it was refused before any check). */
typedef struct hl_auth_grant {
    char token[HL_AUTH_TOKEN_BYTES]; /* the secret: give it to the client, keep it nowhere */
    hl_user user;
    hl_session session;
    int session_seconds; /* the longest the session can live: session.absolute_hours */
    bool rate_limited;   /* refused before checking: too many failures */
    /* The password is older than password.max_age_days: the session may
     * only change it (hl_auth_password_expired). */
    bool must_change_password;
    int retry_after; /* when rate_limited: seconds until attempts are allowed again */
} hl_auth_grant;

/* The seconds an account waits after its failures-th failure in a row: 0
 * up to HL_AUTH_ACCOUNT_FREE_FAILURES, then HL_AUTH_DELAY_FIRST_SECONDS
 * doubled by each further failure, at most HL_AUTH_DELAY_MAX_SECONDS. */
int hl_auth_delay_after(int64_t failures);

/* A security administrator's unlock: forgets the account's failures and
 * its wait, so that it logs in at once, and records it in the audit
 * (app/audit: actor, now, "unlock USERNAME"). HL_ENOTFOUND (field
 * "username") for an unknown user. The caller has checked the actor's
 * right (hl_auth_may_manage_accounts); the command line passes
 * "cli:<os user>". */
int hl_auth_unlock(hl_app *app, const char *actor, const char *username, hl_time now,
                   hl_error *error);

/* Logs a user in from a client address (any text naming the client; NULL
 * or "" counts as one unnamed address). On success fills *out and stores
 * the session. A wrong password, an unknown or disabled user or one without
 * a password: HL_EROLE (field "password"), the same message for each, and
 * a failure counted. Too many failures: HL_EROLE with out->rate_limited. */
int hl_auth_login(hl_app *app, hl_auth_guard *guard, const char *username, const char *password,
                  const char *address, hl_time now, hl_auth_grant *out, hl_error *error);

/* Finds the active user of a token. A malformed, unknown, expired or
 * revoked token, or a user since disabled: HL_EROLE (field "token").
 * session may be NULL. */
int hl_auth_authenticate(hl_app *app, const char *token, hl_time now, hl_user *user,
                         hl_session *session, hl_error *error);

/* hl_auth_authenticate, and whether the user's password is past
 * password.max_age_days at now (hl_auth_password_expired), with the
 * policy read once for both: what the server asks before every route. */
int hl_auth_authenticate_aged(hl_app *app, const char *token, hl_time now, hl_user *user,
                              bool *password_expired, hl_error *error);

/* Revokes the session of a token (HL_EROLE when there is none). */
int hl_auth_logout(hl_app *app, const char *token, hl_error *error);

/* Changes the password of a logged-in user: the old one must be right
 * (HL_EROLE, field "old", a failure counted; *rate_limited and
 * *retry_after as for login), the new one pass hl_auth_check_new_password
 * and be none of the account's last password.history (HL_EINVAL, field
 * "new"); it is recorded as set at now. Revokes every other session of the user; keep_token (may
 * be NULL) stays valid. */
int hl_auth_change_password(hl_app *app, hl_auth_guard *guard, const char *username,
                            const char *keep_token, const char *old_password,
                            const char *new_password, const char *address, hl_time now,
                            bool *rate_limited, int *retry_after, hl_error *error);

/* Authorization of reads, from the role table in auth.c. */
/* Whether the user's role reads any order (not the security and audit
 * administrators). */
bool hl_auth_may_read_orders(const hl_user *user);
bool hl_auth_may_read_order(const hl_user *user, const hl_order *order);
bool hl_auth_may_read_reports(const hl_user *user);
/* Whether the user may publish a month's bulletin (app/publish): the
 * analyst alone, whose work the bulletin is; the others who read it may
 * not make it the record. */
bool hl_auth_may_publish_reports(const hl_user *user);
/* Whether the user sees citizens' full phone numbers and names (else masked). */
bool hl_auth_sees_personal_data(const hl_user *user);
/* Whether the user may find orders by a citizen's phone number: a role
 * that reads orders and sees the numbers in full. A role that sees them
 * masked may not, or a search would confirm a number the mask hides. */
bool hl_auth_may_search_by_phone(const hl_user *user);
/* Narrows a list's filter to the orders the user may read (the same rule
 * as hl_auth_may_read_order): a unit handler's to its unit's orders (lead
 * or co-handling: filter->scope_unit, which points into user), a
 * surveyor's to the finished states (intersected with the states asked).
 * Returns false when the user may read none of what the filter selects
 * (then answer an empty list; the filter is not to be run). */
bool hl_auth_order_scope(const hl_user *user, hl_order_filter *filter);
/* Whether the user manages the directory (units, categories), the
 * calendar, the limits and the settings: the system administrator. */
bool hl_auth_may_manage_directory(const hl_user *user);
/* Whether the user manages the accounts: users and their roles, API keys,
 * passwords and login waits (hl_auth_unlock): the security administrator. */
bool hl_auth_may_manage_accounts(const hl_user *user);
/* Whether the user may read the settings in force: the limits, the zone
 * and the account and session policy (system and security administrators,
 * supervisor). */
bool hl_auth_may_read_config(const hl_user *user);
/* Whether the user may create, list and revoke Open311 API keys (the
 * security administrator: keys open the platform to outside applications). */
bool hl_auth_may_manage_api_keys(const hl_user *user);
/* Whether the user may read the audit trail (app/audit): the audit
 * administrator only. */
bool hl_auth_may_read_audit(const hl_user *user);

/* The work a user does, as the pages list it (GET /api/v1/me "rights"),
 * in the order of their navigation. Each is answered from the role table
 * in auth.c or from the workflow's rules (domain/workflow), never from a
 * copy of either. */
typedef enum hl_auth_right {
    HL_RIGHT_DISPATCH = 0,     /* dispatch new orders: the workflow's dispatch rule */
    HL_RIGHT_HANDLE,           /* sign for and handle its unit's orders: the sign rule */
    HL_RIGHT_SURVEY,           /* call citizens back: the survey rule */
    HL_RIGHT_SUPERVISE,        /* supervise overdue orders: the supervise rule */
    HL_RIGHT_MANAGE_DIRECTORY, /* hl_auth_may_manage_directory */
    HL_RIGHT_MANAGE_ACCOUNTS,  /* hl_auth_may_manage_accounts */
    HL_RIGHT_READ_AUDIT,       /* hl_auth_may_read_audit */
    HL_RIGHT_REGISTER,         /* register new orders: the register rule */
    HL_RIGHT_SEARCH_ORDERS,    /* search the orders it reads beyond one unit's */
    HL_RIGHT_READ_REPORTS,     /* hl_auth_may_read_reports */
    HL_RIGHT_PUBLISH_REPORTS,  /* hl_auth_may_publish_reports */
    HL_RIGHT_SEARCH_BY_PHONE,  /* hl_auth_may_search_by_phone */
    HL_RIGHT_COUNT
} hl_auth_right;

/* The right's stable name ("dispatch", "handle", "survey", "supervise",
 * "manage_directory", "manage_accounts", "read_audit", "register",
 * "search_orders", "read_reports", "publish_reports", "search_by_phone"). */
const char *hl_auth_right_name(hl_auth_right right);
/* Whether an active user has the right. */
bool hl_auth_has_right(const hl_user *user, hl_auth_right right);

/* Reads an order for a user: HL_ENOTFOUND, worded as for a missing order,
 * when it is absent or the user may not read it. */
int hl_auth_read_order(hl_app *app, const hl_user *user, int64_t id, hl_order *out,
                       hl_error *error);
/* Lists an order's events for a user, on the same rule; order is scratch
 * space (some 40 KB) the caller provides. */
int hl_auth_list_events(hl_app *app, const hl_user *user, int64_t id, hl_order *order,
                        hl_event_visitor visit, void *context, hl_error *error);

#endif
