/* rate_limit.h: requests per minute, counted per key, shared by threads.
 *
 * The Open311 routes count each request against a budget: an API key's
 * (its rate per minute, from the store) or, for a request without a key,
 * the client address's. A key here is any short text naming the budget
 * ("k:7:post", "a:127.0.0.1"). Each key has a fixed window of
 * HL_RATE_WINDOW_SECONDS starting at its first request: up to the limit
 * pass, the rest are refused until the window ends, with the seconds left
 * for a Retry-After header.
 *
 * The counts live in memory, in a fixed table shared by every worker
 * thread of the process (guarded by a mutex): a restart forgets them, and
 * two processes serving one store count separately. The table holds
 * HL_RATE_SLOTS keys; when the slots a key may use are all taken by
 * windows still running, the window that began first is forgotten, so a
 * flood of distinct keys can make the table forget a window early, never
 * refuse a request it should pass. */
#ifndef HL_RATE_LIMIT_H
#define HL_RATE_LIMIT_H

#include "base/clock.h"

#define HL_RATE_WINDOW_SECONDS 60
#define HL_RATE_SLOTS 4096
#define HL_RATE_KEY_BYTES 96

typedef struct hl_rate_limiter hl_rate_limiter;

/* Makes an empty limiter; the caller owns it (hl_rate_limiter_free). */
hl_rate_limiter *hl_rate_limiter_new(void);
void hl_rate_limiter_free(hl_rate_limiter *limiter); /* limiter may be NULL */

/* Counts one request of key (longer keys are cut to HL_RATE_KEY_BYTES - 1
 * bytes) against limit requests per window, at now. Returns 0 when the
 * request may pass (and counts it), else the seconds until the key's
 * window ends (at least 1; the request is not counted). A limit of 0 or
 * less refuses everything. Thread-safe. */
int hl_rate_limiter_take(hl_rate_limiter *limiter, const char *key, int limit, hl_time now);

#endif
