/* throttle.c: request budgets and failure counts over the store's
 * counters (see throttle.h). It names the store's keys ("rate:" and
 * "fail:" before the caller's) and turns a counter into an answer (pass,
 * or wait so long); the counting itself, atomic across servers, is the
 * store's. It knows nothing of HTTP or of passwords. */
#include "app/throttle.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "app/app_internal.h"

/* One call in this many (of every thread of the process) also deletes the
 * windows that ended: a flood of distinct addresses leaves at most a few
 * thousand rows behind, and no request pays for a purge but that one. */
#define PURGE_EVERY 1024

/* A failure is counted whatever the count: there is no budget to refuse. */
#define NO_LIMIT INT32_MAX

static atomic_uint calls;

static void store_key(char *out, const char *kind, const char *name)
{
    /* Cut to the budget's bound: a long name finds its counter again. */
    snprintf(out, HL_THROTTLE_KEY_BYTES, "%s%.*s", kind, HL_THROTTLE_BUDGET_BYTES - 1,
             name != NULL ? name : "");
}

/* Purges now and then; a purge that fails is left to the next one, and
 * the caller's answer stands. */
static void purge_sometimes(hl_app *app, hl_time now)
{
    if (atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed) % PURGE_EVERY != PURGE_EVERY - 1)
        return;
    hl_error ignored;
    int attempt = 0, result;
    do
        result = hl_store_throttle_purge(app->store, now, &ignored);
    while (hl_app_again(app, &attempt, &result, &ignored));
}

/* One hit, retried as a use case is. */
static int hit(hl_app *app, const char *key, int window_seconds, int64_t limit, hl_time now,
               hl_throttle *out, hl_error *error)
{
    int attempt = 0, result;
    do
        result = hl_store_throttle_hit(app->store, key, now, window_seconds, limit, out, error);
    while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK)
        purge_sometimes(app, now);
    return result;
}

/* Seconds until a window ends, at least 1. */
static int seconds_left(const hl_throttle *window, hl_time now)
{
    hl_time left = window->window_end - now;
    return left < 1 ? 1 : left > INT32_MAX ? INT32_MAX : (int)left;
}

int hl_throttle_take(hl_app *app, const char *budget, int limit, hl_time now, int *wait,
                     hl_error *error)
{
    *wait = 0;
    char key[HL_THROTTLE_KEY_BYTES];
    store_key(key, "rate:", budget);
    hl_throttle window;
    int result = hit(app, key, HL_THROTTLE_RATE_WINDOW_SECONDS, limit, now, &window, error);
    if (result == HL_OK && window.count > limit)
        *wait = seconds_left(&window, now);
    return result;
}

int hl_throttle_fail(hl_app *app, const char *key, int window_seconds, hl_time now, int64_t *count,
                     hl_error *error)
{
    char stored[HL_THROTTLE_KEY_BYTES];
    store_key(stored, "fail:", key);
    hl_throttle window;
    int result = hit(app, stored, window_seconds, NO_LIMIT, now, &window, error);
    if (count != NULL)
        *count = result == HL_OK ? window.count : 0;
    return result;
}

int hl_throttle_hold(hl_app *app, const char *key, int seconds, hl_time now, hl_error *error)
{
    /* A fresh window starts now: forget the running one first. Two holds
     * racing each leave a window from about now, which is what both ask. */
    int result = hl_throttle_forget(app, key, error);
    if (result != HL_OK || seconds <= 0)
        return result;
    char stored[HL_THROTTLE_KEY_BYTES];
    store_key(stored, "fail:", key);
    hl_throttle window;
    return hit(app, stored, seconds, NO_LIMIT, now, &window, error);
}

int hl_throttle_blocked_for(hl_app *app, const char *key, int limit, hl_time now, int *seconds,
                            hl_error *error)
{
    *seconds = 0;
    char stored[HL_THROTTLE_KEY_BYTES];
    store_key(stored, "fail:", key);
    hl_throttle window;
    int attempt = 0, result;
    do
        result = hl_store_throttle_get(app->store, stored, now, &window, error);
    while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK && window.count >= limit && window.window_end > now)
        *seconds = seconds_left(&window, now);
    return result;
}

int hl_throttle_forget(hl_app *app, const char *key, hl_error *error)
{
    char stored[HL_THROTTLE_KEY_BYTES];
    store_key(stored, "fail:", key);
    int attempt = 0, result;
    do
        result = hl_store_throttle_reset(app->store, stored, error);
    while (hl_app_again(app, &attempt, &result, error));
    return result;
}
