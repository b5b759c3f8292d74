/* rollup.h: per-(month, unit) counters derived from the event log.
 *
 * Each event contributes a few counter increments, computed here by a pure
 * function of the event alone. The store keeps the running sums, updated in
 * the same transaction as the event; `hotline verify` recomputes the sums
 * from the whole log with the same function and compares. The month is the
 * event's period when it has one (survey and appeal events count toward the
 * month the order was completed), else the local month of the event; the
 * unit is the event's unit ("" = the centre). An upheld appeal takes back,
 * with negative amounts, exactly what the order's survey had added. */
#ifndef HL_ROLLUP_H
#define HL_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "domain/limits.h"
#include "domain/workflow.h"

typedef enum hl_counter {
    HL_COUNTER_RECEIVED = 0,       /* registered (unit "") */
    HL_COUNTER_RESOLVED_AT_INTAKE, /* answered by the agent (unit "") */
    HL_COUNTER_DISPATCHED,         /* dispatched or reassigned to the unit */
    HL_COUNTER_SIGNED,
    HL_COUNTER_SIGNED_ON_TIME,
    HL_COUNTER_RETURNED, /* returned by the unit */
    HL_COUNTER_RETURN_REJECTED,
    HL_COUNTER_REASSIGNED_AWAY, /* taken from the unit by a reassignment */
    HL_COUNTER_EXTENSION_REQUESTED,
    HL_COUNTER_EXTENSION_APPROVED,
    HL_COUNTER_REMINDED,
    HL_COUNTER_SUPERVISED,
    HL_COUNTER_COMPLETED,
    HL_COUNTER_COMPLETED_ON_TIME,
    HL_COUNTER_REOPENED,
    HL_COUNTER_MERGED,
    HL_COUNTER_INVALIDATED,
    HL_COUNTER_ARCHIVED,
    /* The callback survey, counted toward the month the order was completed
     * (the event's period): */
    HL_COUNTER_SURVEY_CALLS,     /* call attempts made */
    HL_COUNTER_SURVEYED,         /* 确定基数: surveys concluded, reached or failed */
    HL_COUNTER_SURVEY_SUCCEEDED, /* the citizen was reached */
    HL_COUNTER_RATED_VERY_SATISFIED,
    HL_COUNTER_RATED_SATISFIED,
    HL_COUNTER_RATED_BASIC,
    HL_COUNTER_RATED_DISSATISFIED,
    HL_COUNTER_RATED_VERY_DISSATISFIED,
    HL_COUNTER_SURVEY_RESOLVED, /* reached and the citizen said it was solved */
    HL_COUNTER_APPEALED,
    HL_COUNTER_APPEAL_UPHELD, /* orders removed from the unit's measures */
    HL_COUNTER_APPEAL_REJECTED,
    HL_COUNTER_COUNT
} hl_counter;

const char *hl_rollup_counter_name(hl_counter counter);
int hl_rollup_counter_parse(const char *name, hl_counter *out);

typedef struct hl_rollup_delta {
    int month; /* yyyymm */
    char unit[HL_CODE_BYTES];
    hl_counter counter;
    int64_t amount;
} hl_rollup_delta;

#define HL_ROLLUP_MAX_DELTAS 6

/* Fills out[] with the increments one event makes; returns how many. */
size_t hl_rollup_of_event(const hl_event *event, hl_rollup_delta out[HL_ROLLUP_MAX_DELTAS]);

/* An in-memory sum of deltas keyed by (month, unit, counter): used to batch
 * an import's rollup writes and to rebuild the rollups in verify. */
typedef struct hl_rollup_map hl_rollup_map;

/* Creates an empty map; the caller owns it and frees it with hl_rollup_map_free. */
hl_rollup_map *hl_rollup_map_new(void);
void hl_rollup_map_free(hl_rollup_map *map);
void hl_rollup_map_add(hl_rollup_map *map, const hl_rollup_delta *delta);
/* The amount stored for a key (0 when absent). */
int64_t hl_rollup_map_get(const hl_rollup_map *map, int month, const char *unit,
                          hl_counter counter);
size_t hl_rollup_map_size(const hl_rollup_map *map);
void hl_rollup_map_clear(hl_rollup_map *map);
/* Visits every non-zero entry in (month, unit, counter) order. */
void hl_rollup_map_each(const hl_rollup_map *map,
                        void (*visit)(void *context, const hl_rollup_delta *entry), void *context);

#endif
