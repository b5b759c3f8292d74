/* rate_limit.c: fixed windows of requests per key (see rate_limit.h).
 *
 * An open-addressing table: a key hashes (FNV-1a) to a slot and may live
 * in any of the PROBE_SLOTS slots from there, so that a lookup costs a
 * few comparisons under the mutex whatever the table holds. It decides
 * budgets of nobody: the callers pass each key's limit. */
#include "http/rate_limit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define PROBE_SLOTS 16

typedef struct rate_slot {
    char key[HL_RATE_KEY_BYTES]; /* "" = free */
    hl_time window_start;
    int count;
} rate_slot;

struct hl_rate_limiter {
    pthread_mutex_t lock;
    rate_slot slots[HL_RATE_SLOTS];
};

_Static_assert((HL_RATE_SLOTS & (HL_RATE_SLOTS - 1)) == 0, "the slot count is a power of two");

hl_rate_limiter *hl_rate_limiter_new(void)
{
    hl_rate_limiter *limiter = hl_xcalloc(1, sizeof *limiter);
    pthread_mutex_init(&limiter->lock, NULL);
    return limiter;
}

void hl_rate_limiter_free(hl_rate_limiter *limiter)
{
    if (limiter == NULL)
        return;
    pthread_mutex_destroy(&limiter->lock);
    free(limiter);
}

static uint32_t hash_of(const char *key)
{
    uint32_t hash = 2166136261u;
    for (const unsigned char *cursor = (const unsigned char *)key; *cursor != '\0'; cursor++) {
        hash ^= *cursor;
        hash *= 16777619u;
    }
    return hash;
}

/* A window has ended; one that begins after now (the clock was set
 * back) counts as ended too, so that it cannot block for longer than a
 * window. */
static bool expired(const rate_slot *slot, hl_time now)
{
    return now >= slot->window_start + HL_RATE_WINDOW_SECONDS || now < slot->window_start;
}

/* The slot of key: its own, else a free or expired one among its probe
 * slots, else the one whose window began first. Caller holds the lock. */
static rate_slot *slot_of(hl_rate_limiter *limiter, const char *key, hl_time now)
{
    uint32_t start = hash_of(key) & (HL_RATE_SLOTS - 1);
    rate_slot *reusable = NULL, *oldest = NULL;
    for (uint32_t probe = 0; probe < PROBE_SLOTS; probe++) {
        rate_slot *slot = &limiter->slots[(start + probe) & (HL_RATE_SLOTS - 1)];
        if (slot->key[0] != '\0' && strcmp(slot->key, key) == 0)
            return slot;
        if (reusable == NULL && (slot->key[0] == '\0' || expired(slot, now)))
            reusable = slot;
        if (oldest == NULL || slot->window_start < oldest->window_start)
            oldest = slot;
    }
    rate_slot *slot = reusable != NULL ? reusable : oldest;
    snprintf(slot->key, sizeof slot->key, "%s", key);
    slot->window_start = now;
    slot->count = 0;
    return slot;
}

int hl_rate_limiter_take(hl_rate_limiter *limiter, const char *key, int limit, hl_time now)
{
    /* Cut first, so that a long key finds the slot it was stored in. */
    char cut[HL_RATE_KEY_BYTES];
    snprintf(cut, sizeof cut, "%s", key != NULL ? key : "");
    pthread_mutex_lock(&limiter->lock);
    rate_slot *slot = slot_of(limiter, cut, now);
    if (expired(slot, now)) {
        slot->window_start = now;
        slot->count = 0;
    }
    int wait = 0;
    if (slot->count >= limit) {
        hl_time left = slot->window_start + HL_RATE_WINDOW_SECONDS - now;
        wait = left < 1 ? 1 : (int)left;
    } else {
        slot->count++;
    }
    pthread_mutex_unlock(&limiter->lock);
    return wait;
}
