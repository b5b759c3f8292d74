/* throttle.h: how often a key may act, counted in the store.
 *
 * Two uses share one mechanism, the store's counters in fixed windows
 * (hl_store_throttle_*), so that every server on one store counts alike: a
 * key's request budget is one budget, and an account locked out after too
 * many failed logins is locked out on every server.
 *
 * Request budgets (the Open311 routes): a budget is any short text naming
 * who spends it ("k:7:post", "a:127.0.0.1"); each has a fixed window of
 * HL_THROTTLE_RATE_WINDOW_SECONDS starting at its first request: up to the
 * limit pass, the rest are refused until the window ends, with the seconds
 * left for a Retry-After header.
 *
 * Failures (logins, app/auth.c): count a failure of a key, hold a key for
 * some seconds, ask for how long a key is blocked (limit failures within
 * the window), forget a key.
 *
 * Each call is its own small transaction in the store (which may commit it
 * without waiting for the disk, and which SQLite keeps in a file of its
 * own, so that a check never waits for the writers of orders: see
 * hl_store_throttle_hit); call them with no transaction open. Every call
 * is retried on HL_ERETRY (hl_app_again). Windows that ended are purged now and then by the calls
 * themselves, so that the store holds only the keys of the last minutes. */
#ifndef HL_THROTTLE_H
#define HL_THROTTLE_H

#include "app/app.h"

#define HL_THROTTLE_RATE_WINDOW_SECONDS 60
/* Budget names longer than this are cut (the store's keys are bounded). */
#define HL_THROTTLE_BUDGET_BYTES 96

/* Counts one request of budget against limit requests per window at now.
 * *wait receives 0 when the request may pass (it was counted), else the
 * seconds until the budget's window ends (at least 1). A limit of 0 or
 * less refuses everything. Store failures: the code, *wait 0. */
int hl_throttle_take(hl_app *app, const char *budget, int limit, hl_time now, int *wait,
                     hl_error *error);

/* Counts one failure of key ("u:NAME", "a:ADDRESS") in a window of
 * window_seconds; *count (may be NULL) receives the failures of the
 * window so far, this one included. */
int hl_throttle_fail(hl_app *app, const char *key, int window_seconds, hl_time now, int64_t *count,
                     hl_error *error);
/* Holds key for seconds from now: a new window replaces any running one,
 * and hl_throttle_blocked_for(key, 1) answers the rest of it (a login's
 * progressive delay, app/auth.c). */
int hl_throttle_hold(hl_app *app, const char *key, int seconds, hl_time now, hl_error *error);
/* *seconds receives how long key is blocked at now: the rest of its window
 * when it holds limit failures or more, else 0. Writes nothing. */
int hl_throttle_blocked_for(hl_app *app, const char *key, int limit, hl_time now, int *seconds,
                            hl_error *error);
/* Forgets the failures of key (a login that succeeded). */
int hl_throttle_forget(hl_app *app, const char *key, hl_error *error);

#endif
