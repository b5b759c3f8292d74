/* derive.h: what a store keeps beside an order, derived from the order
 * alone, the same for every backend: the order_units rows of the lists by
 * unit, the per-state counts, and the phone index. A backend computes
 * here which of them an insert or an update changes, and writes them in
 * its own way (store/sqlite/ today, PostgreSQL later); nothing here
 * touches a database. */
#ifndef HL_STORE_DERIVE_H
#define HL_STORE_DERIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/order.h"
#include "store/store.h"

/* One row of order_units: a unit an order concerns now, as the lead unit
 * (lead) or a co-handling unit. code points into the order's own text
 * (lead_unit or co_units) and holds length bytes, not NUL-terminated; it
 * is valid as long as that order is. The key is (unit, received, order). */
typedef struct hl_derive_unit_row {
    const char *code;
    size_t length;
    bool lead;
} hl_derive_unit_row;

/* Every unit of an order: its lead unit and its co-handling units, each
 * code at most once (two codes take at least two bytes with the comma). */
#define HL_DERIVE_UNIT_ROWS_MAX (1 + HL_CO_UNITS_BYTES / 2)
typedef struct hl_derive_unit_rows {
    hl_derive_unit_row rows[HL_DERIVE_UNIT_ROWS_MAX];
    size_t count;
} hl_derive_unit_rows;

/* What the derived tables hold of an order before an update: the columns
 * they derive from. */
typedef struct hl_derive_listing {
    char lead_unit[HL_CODE_BYTES];
    char co_units[HL_CO_UNITS_BYTES];
    hl_state state;
    hl_time received_at;
} hl_derive_listing;

/* The order_units rows of an order: the lead unit first (lead = true),
 * then each co-handling unit of the comma-separated list in its order,
 * empty codes skipped and a code already listed (the lead among the
 * co-handling units, or a repeated one) left out, so that the lead row
 * wins. */
void hl_derive_unit_rows_of(const char *lead_unit, const char *co_units, hl_derive_unit_rows *out);

/* The order_units rows an update changes: the rows of before that after
 * no longer has, into removed, and the rows of after that before did not
 * have, into added (a unit that changes between lead and co-handling is
 * in both: its row is rewritten). Delete removed, then insert added. The
 * received time never changes, so that both share before->received_at. A
 * registration (before NULL) adds every row of after. */
void hl_derive_unit_change(const hl_derive_listing *before, const hl_order *after,
                           hl_derive_unit_rows *removed, hl_derive_unit_rows *added);

/* Adds an order's move from one state to another to counts (indexed by
 * hl_state): -1 for from, +1 for to; HL_STATE_NONE (a registration's
 * from) and states out of range count nothing. Returns whether counts
 * changed. */
bool hl_derive_state_change(hl_state from, hl_state to, int64_t counts[HL_STATE_COUNT]);

/* One entry of the phone index: the search hash of an order's phone, then
 * its received time and number (the key, in that order). */
typedef struct hl_derive_phone_entry {
    unsigned char hash[HL_PHONE_HASH_BYTES];
    int64_t received_at;
    int64_t order_id;
} hl_derive_phone_entry;

/* The phone-index entry of an order being inserted, whose phone has the
 * search hash hash (NULL: the order has no phone). Returns false when
 * there is no entry to write. An update writes none: a phone is part of
 * the registration, which never changes. */
bool hl_derive_phone_entry_of(const hl_order *order, const unsigned char *hash,
                              hl_derive_phone_entry *out);

/* Orders entries by their key, for qsort: writing them in key order visits
 * each page of the index once. */
int hl_derive_phone_entry_compare(const void *left, const void *right);

#endif
