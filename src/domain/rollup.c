/* rollup.c: the counter increments of one event, and a hash map that sums them.
 *
 * hl_rollup_of_event is the single definition of what each event counts:
 * the store applies it as events are appended and verify applies it again to
 * the whole log, so both agree by construction. The map is an in-memory
 * accumulator only; it neither reads nor writes the store. */
#include "domain/rollup.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const counter_names[HL_COUNTER_COUNT] = {
    [HL_COUNTER_RECEIVED] = "received",
    [HL_COUNTER_RESOLVED_AT_INTAKE] = "resolved_at_intake",
    [HL_COUNTER_DISPATCHED] = "dispatched",
    [HL_COUNTER_SIGNED] = "signed",
    [HL_COUNTER_SIGNED_ON_TIME] = "signed_on_time",
    [HL_COUNTER_RETURNED] = "returned",
    [HL_COUNTER_RETURN_REJECTED] = "return_rejected",
    [HL_COUNTER_REASSIGNED_AWAY] = "reassigned_away",
    [HL_COUNTER_EXTENSION_REQUESTED] = "extension_requested",
    [HL_COUNTER_EXTENSION_APPROVED] = "extension_approved",
    [HL_COUNTER_REMINDED] = "reminded",
    [HL_COUNTER_SUPERVISED] = "supervised",
    [HL_COUNTER_COMPLETED] = "completed",
    [HL_COUNTER_COMPLETED_ON_TIME] = "completed_on_time",
    [HL_COUNTER_REOPENED] = "reopened",
    [HL_COUNTER_MERGED] = "merged",
    [HL_COUNTER_INVALIDATED] = "invalidated",
    [HL_COUNTER_ARCHIVED] = "archived",
    [HL_COUNTER_SURVEY_CALLS] = "survey_calls",
    [HL_COUNTER_SURVEYED] = "surveyed",
    [HL_COUNTER_SURVEY_SUCCEEDED] = "survey_succeeded",
    [HL_COUNTER_RATED_VERY_SATISFIED] = "rated_very_satisfied",
    [HL_COUNTER_RATED_SATISFIED] = "rated_satisfied",
    [HL_COUNTER_RATED_BASIC] = "rated_basically_satisfied",
    [HL_COUNTER_RATED_DISSATISFIED] = "rated_dissatisfied",
    [HL_COUNTER_RATED_VERY_DISSATISFIED] = "rated_very_dissatisfied",
    [HL_COUNTER_SURVEY_RESOLVED] = "survey_resolved",
    [HL_COUNTER_APPEALED] = "appealed",
    [HL_COUNTER_APPEAL_UPHELD] = "appeal_upheld",
    [HL_COUNTER_APPEAL_REJECTED] = "appeal_rejected",
};

const char *hl_rollup_counter_name(hl_counter counter)
{
    return (int)counter >= 0 && counter < HL_COUNTER_COUNT ? counter_names[counter] : "unknown";
}

int hl_rollup_counter_parse(const char *name, hl_counter *out)
{
    if (name == NULL)
        return HL_EINVAL;
    for (int counter = 0; counter < HL_COUNTER_COUNT; counter++) {
        if (strcmp(name, counter_names[counter]) == 0) {
            *out = (hl_counter)counter;
            return HL_OK;
        }
    }
    return HL_EINVAL;
}

/* Unit codes are at most HL_CODE_CHARS; a longer or unterminated one can
 * only be corrupt input, and is cut rather than read past its field. */
static size_t unit_length(const char *unit)
{
    return strnlen(unit, HL_CODE_CHARS);
}

static void copy_unit(char destination[HL_CODE_BYTES], const char *unit)
{
    size_t length = unit_length(unit);
    memcpy(destination, unit, length);
    destination[length] = '\0';
}

static size_t add_amount(hl_rollup_delta out[HL_ROLLUP_MAX_DELTAS], size_t count, int month,
                         const char *unit, hl_counter counter, int64_t amount)
{
    out[count].month = month;
    copy_unit(out[count].unit, unit);
    out[count].counter = counter;
    out[count].amount = amount;
    return count + 1;
}

static size_t add_delta(hl_rollup_delta out[HL_ROLLUP_MAX_DELTAS], size_t count, int month,
                        const char *unit, hl_counter counter)
{
    return add_amount(out, count, month, unit, counter, 1);
}

/* What a concluded survey adds to its month (sign +1), or what an upheld
 * appeal takes back (sign -1). */
static size_t add_survey_result(hl_rollup_delta out[HL_ROLLUP_MAX_DELTAS], size_t count, int month,
                                const hl_event *event, int64_t sign)
{
    if ((event->flags & HL_EVENT_SURVEY_CONCLUDED) == 0)
        return count;
    count = add_amount(out, count, month, event->unit, HL_COUNTER_SURVEYED, sign);
    if ((event->flags & HL_EVENT_SURVEY_REACHED) == 0)
        return count;
    count = add_amount(out, count, month, event->unit, HL_COUNTER_SURVEY_SUCCEEDED, sign);
    if (event->rating > HL_RATING_NONE && event->rating < HL_RATING_COUNT)
        count =
            add_amount(out, count, month, event->unit,
                       (hl_counter)(HL_COUNTER_RATED_VERY_SATISFIED + (event->rating - 1)), sign);
    if (event->resolved == HL_RESOLVED_YES)
        count = add_amount(out, count, month, event->unit, HL_COUNTER_SURVEY_RESOLVED, sign);
    return count;
}

/* The counter each action adds one to in its unit's month, and the one it
 * adds besides when on time. Actions that change no count (a progress
 * note, a refused extension) have none. */
typedef struct action_counts {
    bool counts;
    hl_counter counter;
    bool timed;
    hl_counter on_time;
} action_counts;

#define COUNTS(counter_name)                                                                       \
    {                                                                                              \
        true, counter_name, false, HL_COUNTER_RECEIVED                                             \
    }
#define COUNTS_TIMED(counter_name, on_time_name)                                                   \
    {                                                                                              \
        true, counter_name, true, on_time_name                                                     \
    }

static const action_counts counts_of_action[HL_ACTION_COUNT] = {
    [HL_ACTION_REGISTER] = COUNTS(HL_COUNTER_RECEIVED),
    [HL_ACTION_RESOLVE] = COUNTS(HL_COUNTER_RESOLVED_AT_INTAKE),
    [HL_ACTION_DISPATCH] = COUNTS(HL_COUNTER_DISPATCHED),
    [HL_ACTION_SIGN] = COUNTS_TIMED(HL_COUNTER_SIGNED, HL_COUNTER_SIGNED_ON_TIME),
    [HL_ACTION_COMPLETE] = COUNTS_TIMED(HL_COUNTER_COMPLETED, HL_COUNTER_COMPLETED_ON_TIME),
    [HL_ACTION_RETURN] = COUNTS(HL_COUNTER_RETURNED),
    [HL_ACTION_RETURN_REJECT] = COUNTS(HL_COUNTER_RETURN_REJECTED),
    /* The new unit gains a dispatch; the old one loses the order (below). */
    [HL_ACTION_REASSIGN] = COUNTS(HL_COUNTER_DISPATCHED),
    [HL_ACTION_EXTEND_REQUEST] = COUNTS(HL_COUNTER_EXTENSION_REQUESTED),
    [HL_ACTION_EXTEND_APPROVE] = COUNTS(HL_COUNTER_EXTENSION_APPROVED),
    [HL_ACTION_REMIND] = COUNTS(HL_COUNTER_REMINDED),
    [HL_ACTION_SUPERVISE] = COUNTS(HL_COUNTER_SUPERVISED),
    [HL_ACTION_REOPEN] = COUNTS(HL_COUNTER_REOPENED),
    [HL_ACTION_MERGE] = COUNTS(HL_COUNTER_MERGED),
    [HL_ACTION_INVALIDATE] = COUNTS(HL_COUNTER_INVALIDATED),
    [HL_ACTION_ARCHIVE] = COUNTS(HL_COUNTER_ARCHIVED),
    [HL_ACTION_SURVEY] = COUNTS(HL_COUNTER_SURVEY_CALLS),
    [HL_ACTION_APPEAL] = COUNTS(HL_COUNTER_APPEALED),
    [HL_ACTION_APPEAL_UPHOLD] = COUNTS(HL_COUNTER_APPEAL_UPHELD),
    [HL_ACTION_APPEAL_REJECT] = COUNTS(HL_COUNTER_APPEAL_REJECTED),
};

#undef COUNTS
#undef COUNTS_TIMED

size_t hl_rollup_of_event(const hl_event *event, hl_rollup_delta out[HL_ROLLUP_MAX_DELTAS])
{
    if ((int)event->action < 0 || event->action >= HL_ACTION_COUNT)
        return 0;
    int month = event->period != 0 ? event->period : hl_clock_month_of(event->at);
    const char *unit = event->unit;
    /* Exactly at the deadline still counts as on time: deadlines are the
     * last second allowed (23:59:59), not the first one late. */
    bool on_time = event->deadline == 0 || event->at <= event->deadline;
    const action_counts *counts = &counts_of_action[event->action];
    size_t count = 0;
    if (counts->counts)
        count = add_delta(out, count, month, unit, counts->counter);
    if (counts->timed && on_time)
        count = add_delta(out, count, month, unit, counts->on_time);
    /* A survey, or an appeal upheld, of an order already excluded by an
     * appeal counts nowhere. */
    bool excluded = (event->flags & HL_EVENT_EXCLUDED) != 0;
    if (event->action == HL_ACTION_REASSIGN && event->other_unit[0] != '\0')
        count = add_delta(out, count, month, event->other_unit, HL_COUNTER_REASSIGNED_AWAY);
    else if (event->action == HL_ACTION_SURVEY && !excluded)
        count = add_survey_result(out, count, month, event, 1);
    else if (event->action == HL_ACTION_APPEAL_UPHOLD && !excluded)
        count = add_survey_result(out, count, month, event, -1);
    return count;
}

/* The map: open addressing with linear probing over a power-of-two table.
 * Keys are never removed one by one (only all at once by clear), so no
 * tombstones are needed and a probe stops at the first empty slot. Each slot
 * holds a whole hl_rollup_delta so that each can hand it out unchanged. */
typedef struct map_slot {
    hl_rollup_delta entry;
    uint32_t hash; /* compared before the unit string to skip most strcmp work */
    bool used;
} map_slot;

struct hl_rollup_map {
    map_slot *slots;
    size_t capacity; /* a power of two */
    size_t used;     /* slots holding a key */
    size_t nonzero;  /* keys whose amount is not zero: what size and each count */
};

#define MAP_INITIAL_CAPACITY 64

static uint32_t key_hash(int month, const char *unit, size_t length, hl_counter counter)
{
    /* FNV-1a over the unit code, then the month and counter folded in and
     * the bits mixed (the splitmix64 finaliser) so that the low bits used as
     * the index depend on every input byte. */
    uint64_t hash = 14695981039346656037u;
    for (size_t index = 0; index < length; index++) {
        hash ^= (unsigned char)unit[index];
        hash *= 1099511628211u;
    }
    hash ^= ((uint64_t)(uint32_t)month << 8) ^ (uint64_t)(uint32_t)counter;
    hash ^= hash >> 30;
    hash *= 0xbf58476d1ce4e5b9u;
    hash ^= hash >> 27;
    hash *= 0x94d049bb133111ebu;
    hash ^= hash >> 31;
    return (uint32_t)hash;
}

/* The slot holding the key, or the empty slot where it belongs. The table is
 * never full (see hl_rollup_map_add), so the probe always ends. */
static map_slot *find_slot(const hl_rollup_map *map, int month, const char *unit, size_t length,
                           hl_counter counter, uint32_t hash)
{
    size_t mask = map->capacity - 1;
    for (size_t index = hash & mask;; index = (index + 1) & mask) {
        map_slot *slot = &map->slots[index];
        if (!slot->used)
            return slot;
        if (slot->hash == hash && slot->entry.month == month && slot->entry.counter == counter &&
            memcmp(slot->entry.unit, unit, length) == 0 && slot->entry.unit[length] == '\0')
            return slot;
    }
}

hl_rollup_map *hl_rollup_map_new(void)
{
    hl_rollup_map *map = hl_xmalloc(sizeof *map);
    map->capacity = MAP_INITIAL_CAPACITY;
    map->slots = hl_xcalloc(map->capacity, sizeof *map->slots);
    map->used = 0;
    map->nonzero = 0;
    return map;
}

void hl_rollup_map_free(hl_rollup_map *map)
{
    if (map == NULL)
        return;
    free(map->slots);
    free(map);
}

static void grow(hl_rollup_map *map)
{
    map_slot *old_slots = map->slots;
    size_t old_capacity = map->capacity;
    map->capacity = old_capacity * 2;
    map->slots = hl_xcalloc(map->capacity, sizeof *map->slots);
    size_t mask = map->capacity - 1;
    for (size_t old_index = 0; old_index < old_capacity; old_index++) {
        if (!old_slots[old_index].used)
            continue;
        /* Keys are distinct, so each goes to the first empty slot of its probe. */
        size_t index = old_slots[old_index].hash & mask;
        while (map->slots[index].used)
            index = (index + 1) & mask;
        map->slots[index] = old_slots[old_index];
    }
    free(old_slots);
}

void hl_rollup_map_add(hl_rollup_map *map, const hl_rollup_delta *delta)
{
    size_t length = unit_length(delta->unit);
    uint32_t hash = key_hash(delta->month, delta->unit, length, delta->counter);
    map_slot *slot = find_slot(map, delta->month, delta->unit, length, delta->counter, hash);
    if (!slot->used) {
        if (delta->amount == 0)
            return; /* nothing to remember */
        /* Keep the load at most 3/4, where linear probes stay short. */
        if ((map->used + 1) * 4 > map->capacity * 3) {
            grow(map);
            slot = find_slot(map, delta->month, delta->unit, length, delta->counter, hash);
        }
        slot->used = true;
        slot->hash = hash;
        slot->entry.month = delta->month;
        memcpy(slot->entry.unit, delta->unit, length);
        slot->entry.unit[length] = '\0';
        slot->entry.counter = delta->counter;
        slot->entry.amount = 0;
        map->used++;
    }
    bool was_zero = slot->entry.amount == 0;
    slot->entry.amount += delta->amount;
    bool is_zero = slot->entry.amount == 0;
    if (was_zero && !is_zero)
        map->nonzero++;
    else if (!was_zero && is_zero)
        map->nonzero--;
}

int64_t hl_rollup_map_get(const hl_rollup_map *map, int month, const char *unit, hl_counter counter)
{
    if (unit == NULL)
        unit = "";
    size_t length = strnlen(unit, HL_CODE_CHARS + 1);
    if (length > HL_CODE_CHARS)
        return 0; /* no stored unit is that long */
    uint32_t hash = key_hash(month, unit, length, counter);
    const map_slot *slot = find_slot(map, month, unit, length, counter, hash);
    return slot->used ? slot->entry.amount : 0;
}

size_t hl_rollup_map_size(const hl_rollup_map *map)
{
    return map->nonzero;
}

void hl_rollup_map_clear(hl_rollup_map *map)
{
    /* Keep the capacity: a map is cleared to be filled again much the same. */
    memset(map->slots, 0, map->capacity * sizeof *map->slots);
    map->used = 0;
    map->nonzero = 0;
}

static int compare_entries(const void *left_pointer, const void *right_pointer)
{
    const hl_rollup_delta *left = *(const hl_rollup_delta *const *)left_pointer;
    const hl_rollup_delta *right = *(const hl_rollup_delta *const *)right_pointer;
    if (left->month != right->month)
        return left->month < right->month ? -1 : 1;
    int by_unit = strcmp(left->unit, right->unit);
    if (by_unit != 0)
        return by_unit;
    if (left->counter != right->counter)
        return left->counter < right->counter ? -1 : 1;
    return 0;
}

/* Sorting only pointers keeps the table itself in hash order; the visitor
 * must not change the map while it runs, since the pointers point into it. */
void hl_rollup_map_each(const hl_rollup_map *map,
                        void (*visit)(void *context, const hl_rollup_delta *entry), void *context)
{
    if (map->nonzero == 0)
        return;
    const hl_rollup_delta **entries = hl_xmalloc(map->nonzero * sizeof *entries);
    size_t count = 0;
    for (size_t index = 0; index < map->capacity; index++)
        if (map->slots[index].used && map->slots[index].entry.amount != 0)
            entries[count++] = &map->slots[index].entry;
    qsort(entries, count, sizeof *entries, compare_entries);
    for (size_t index = 0; index < count; index++)
        visit(context, entries[index]);
    free(entries);
}
