/* policy.c: the account and session policy settings (see policy.h): their
 * names, defaults and ranges in one table, read from and written to the
 * store's config table. It does not apply them: app/auth does. */
#include "app/policy.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/i18n.h"
#include "base/text.h"
#include "store/store.h"

typedef struct policy_setting {
    const char *key;
    int minimum;
    int maximum;
    int fallback;
    size_t offset;
} policy_setting;

/* The ranges keep a setting from disabling its control: an idle limit of a
 * week or a password of four characters is refused, not stored. */
static const policy_setting SETTINGS[] = {
    {"session.idle_minutes", 5, 24 * 60, 30, offsetof(hl_policy, idle_minutes)},
    {"session.absolute_hours", 1, 72, 12, offsetof(hl_policy, absolute_hours)},
    {"session.max_per_user", 1, 20, 3, offsetof(hl_policy, max_per_user)},
    {"password.min_length", 8, 64, 8, offsetof(hl_policy, password_min_length)},
    {"password.min_classes", 1, 4, 2, offsetof(hl_policy, password_min_classes)},
    /* 0 turns these two off: a site that enforces them elsewhere (a
     * directory behind single sign-on) must be able to say so. */
    {"password.history", 0, HL_STORE_PASSWORD_HISTORY, 5, offsetof(hl_policy, password_history)},
    {"password.max_age_days", 0, 3650, 90, offsetof(hl_policy, password_max_age_days)},
    /* 等保 asks that the audit be kept at least six months: no value lets
     * `hotline archive` move a record younger than that out of the store. */
    {"audit.retention_days", HL_POLICY_RETENTION_MIN, 3650, HL_POLICY_RETENTION_MIN,
     offsetof(hl_policy, audit_retention_days)},
};

#define SETTING_COUNT (sizeof SETTINGS / sizeof SETTINGS[0])

static const policy_setting *setting_of(const char *key)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(SETTINGS[i].key, key) == 0)
            return &SETTINGS[i];
    return NULL;
}

static int *field_of(hl_policy *policy, const policy_setting *entry)
{
    return (int *)(void *)((char *)policy + entry->offset);
}

void hl_policy_each(const hl_policy *policy,
                    void (*visit)(void *context, const char *key, int value), void *context)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        visit(context, SETTINGS[i].key,
              *(const int *)(const void *)((const char *)policy + SETTINGS[i].offset));
}

bool hl_policy_is_key(const char *key)
{
    return key != NULL && (strncmp(key, "session.", 8) == 0 || strncmp(key, "password.", 9) == 0 ||
                           strncmp(key, "audit.", 6) == 0);
}

int hl_policy_load(hl_app *app, hl_policy *out, hl_error *error)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const policy_setting *entry = &SETTINGS[i];
        *field_of(out, entry) = entry->fallback;
        char value[32];
        hl_error lookup;
        hl_error_clear(&lookup);
        int result = hl_store_config_get(app->store, entry->key, value, sizeof value, &lookup);
        if (result == HL_ENOTFOUND)
            continue;
        if (result != HL_OK) {
            *error = lookup;
            return result;
        }
        int64_t parsed;
        if (hl_text_parse_int(hl_slice_of(value), entry->minimum, entry->maximum, &parsed) == HL_OK)
            *field_of(out, entry) = (int)parsed;
    }
    return HL_OK;
}

int hl_policy_set(hl_app *app, const char *key, const char *value, hl_error *error)
{
    const policy_setting *entry = setting_of(key);
    if (entry == NULL) {
        /* The keys named from the table, so that the message never lags it. */
        char keys[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < SETTING_COUNT && used < sizeof keys; i++)
            used += (size_t)snprintf(keys + used, sizeof keys - used, "%s%s", i > 0 ? ", " : "",
                                     SETTINGS[i].key);
        return hl_error_set(error, HL_EINVAL, "key",
                            HL_T("未知的设置项 %s（%s）", "unknown setting %s (%s)"), key, keys);
    }
    int64_t parsed;
    if (hl_text_parse_int(hl_slice_trim(hl_slice_of(value != NULL ? value : "")), entry->minimum,
                          entry->maximum, &parsed) != HL_OK)
        return hl_error_set(
            error, HL_EINVAL, "value",
            HL_T("%s 须为 %d 到 %d 之间的整数", "%s must be a whole number from %d to %d"), key,
            entry->minimum, entry->maximum);
    char text[32];
    snprintf(text, sizeof text, "%d", (int)parsed);
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK)
            result = hl_app_finish(app, hl_store_config_set(app->store, key, text, error), error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

/* The class of one code point: Chinese and every other non-ASCII character
 * count as "other". */
int hl_policy_password_classes(const char *password)
{
    bool lower = false, upper = false, digit = false, other = false;
    for (const unsigned char *p = (const unsigned char *)password; p != NULL && *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'z')
            lower = true;
        else if (*p >= 'A' && *p <= 'Z')
            upper = true;
        else if (*p >= '0' && *p <= '9')
            digit = true;
        else
            other = true;
    }
    return (int)lower + (int)upper + (int)digit + (int)other;
}
