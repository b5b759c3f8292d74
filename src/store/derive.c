/* derive.c: the rows a store keeps beside an order (order_units, the
 * per-state counts, the phone index), derived from the order's old and
 * new columns alone, so that every backend keeps them alike. It computes
 * and writes nothing to a database: the backends do, each in its own way. */
#include "store/derive.h"

#include <string.h>

static bool listed_already(const hl_derive_unit_rows *rows, const char *code, size_t length)
{
    for (size_t index = 0; index < rows->count; index++)
        if (rows->rows[index].length == length && memcmp(rows->rows[index].code, code, length) == 0)
            return true;
    return false;
}

static void add_row(hl_derive_unit_rows *rows, const char *code, size_t length, bool lead)
{
    if (length == 0 || rows->count >= HL_DERIVE_UNIT_ROWS_MAX || listed_already(rows, code, length))
        return;
    rows->rows[rows->count++] = (hl_derive_unit_row){code, length, lead};
}

void hl_derive_unit_rows_of(const char *lead_unit, const char *co_units, hl_derive_unit_rows *out)
{
    out->count = 0;
    add_row(out, lead_unit, strnlen(lead_unit, HL_CODE_BYTES), true);
    /* The fields are fixed-size arrays: never read past one that is full. */
    size_t end = strnlen(co_units, HL_CO_UNITS_BYTES);
    for (size_t start = 0; start < end;) {
        const char *comma = memchr(co_units + start, ',', end - start);
        size_t length = comma != NULL ? (size_t)(comma - (co_units + start)) : end - start;
        add_row(out, co_units + start, length, false);
        start += length + 1;
    }
}

/* Whether rows holds the same row (code and role). */
static bool holds_row(const hl_derive_unit_rows *rows, const hl_derive_unit_row *row)
{
    for (size_t index = 0; index < rows->count; index++) {
        const hl_derive_unit_row *other = &rows->rows[index];
        if (other->lead == row->lead && other->length == row->length &&
            memcmp(other->code, row->code, row->length) == 0)
            return true;
    }
    return false;
}

void hl_derive_unit_change(const hl_derive_listing *before, const hl_order *after,
                           hl_derive_unit_rows *removed, hl_derive_unit_rows *added)
{
    hl_derive_unit_rows old_rows, new_rows;
    old_rows.count = 0;
    if (before != NULL)
        hl_derive_unit_rows_of(before->lead_unit, before->co_units, &old_rows);
    hl_derive_unit_rows_of(after->lead_unit, after->co_units, &new_rows);
    removed->count = 0;
    added->count = 0;
    for (size_t index = 0; index < old_rows.count; index++)
        if (!holds_row(&new_rows, &old_rows.rows[index]))
            removed->rows[removed->count++] = old_rows.rows[index];
    for (size_t index = 0; index < new_rows.count; index++)
        if (!holds_row(&old_rows, &new_rows.rows[index]))
            added->rows[added->count++] = new_rows.rows[index];
}

bool hl_derive_state_change(hl_state from, hl_state to, int64_t counts[HL_STATE_COUNT])
{
    if (from == to)
        return false;
    bool changed = false;
    if ((int)from > HL_STATE_NONE && from < HL_STATE_COUNT) {
        counts[from]--;
        changed = true;
    }
    if ((int)to > HL_STATE_NONE && to < HL_STATE_COUNT) {
        counts[to]++;
        changed = true;
    }
    return changed;
}

bool hl_derive_phone_entry_of(const hl_order *order, const unsigned char *hash,
                              hl_derive_phone_entry *out)
{
    if (hash == NULL)
        return false;
    memcpy(out->hash, hash, HL_PHONE_HASH_BYTES);
    out->received_at = order->received_at;
    out->order_id = order->id;
    return true;
}

int hl_derive_phone_entry_compare(const void *left, const void *right)
{
    const hl_derive_phone_entry *a = left, *b = right;
    int order = memcmp(a->hash, b->hash, HL_PHONE_HASH_BYTES);
    if (order != 0)
        return order;
    if (a->received_at != b->received_at)
        return a->received_at < b->received_at ? -1 : 1;
    return a->order_id < b->order_id ? -1 : a->order_id > b->order_id ? 1 : 0;
}
