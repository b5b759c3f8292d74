/* policy.h: the account and session policy, as settings the security
 * administrator changes (`hotline config KEY VALUE`, PUT
 * /api/v1/config/KEY), kept in the store's config table like every other
 * setting.
 *
 * session.idle_minutes    a session unused this long ends (default 30)
 * session.absolute_hours  a session ends this long after login, used or
 *                         not (default 12)
 * session.max_per_user    live sessions of one account; a login beyond it
 *                         revokes the account's oldest (default 3)
 * password.min_length     characters of a new password, never below 8
 *                         (default 8)
 * password.min_classes    of lower-case letters, upper-case letters,
 *                         digits and other characters (Chinese characters
 *                         count as other), how many a new password mixes
 *                         (default 2)
 * password.history        a new password may be none of the account's last
 *                         N, the one in use among them (default 5, at most
 *                         HL_STORE_PASSWORD_HISTORY; 0: any)
 * password.max_age_days   a password this old must be changed: the login
 *                         succeeds, but its session may only change the
 *                         password, log out and read /api/v1/me until it
 *                         is (default 90; 0: never)
 * audit.retention_days    an audit record younger than this many days is
 *                         never archived (`hotline archive`; default and
 *                         least 180, at most 3650)
 *
 * This module reads and validates the values; app/auth applies them. */
#ifndef HL_POLICY_H
#define HL_POLICY_H

#include "app/app.h"

typedef struct hl_policy {
    int idle_minutes;
    int absolute_hours;
    int max_per_user;
    int password_min_length;
    int password_min_classes;
    int password_history;
    int password_max_age_days;
    int audit_retention_days;
} hl_policy;

/* The least audit.retention_days, and its default: six months. */
#define HL_POLICY_RETENTION_MIN 180

/* Whether key names a policy setting ("session.", "password." or "audit."
 * prefix). */
bool hl_policy_is_key(const char *key);

/* Reads the policy in force: each setting stored, else its default. A
 * stored value that no longer parses falls back to the default. */
int hl_policy_load(hl_app *app, hl_policy *out, hl_error *error);

/* Checks and stores one setting (one transaction). An unknown key:
 * HL_EINVAL, field "key"; a value out of range: HL_EINVAL, field "value",
 * the range named; the store unchanged either way. */
int hl_policy_set(hl_app *app, const char *key, const char *value, hl_error *error);

/* Calls visit with each setting's key and its value in policy, in the
 * order of the table above (for the listings: `hotline config`, GET
 * /api/v1/config). */
void hl_policy_each(const hl_policy *policy,
                    void (*visit)(void *context, const char *key, int value), void *context);

/* How many of the four classes the UTF-8 text mixes. */
int hl_policy_password_classes(const char *password);

#endif
