/* pg_copyin.c: the import's inserts through COPY. In a transaction begun
 * in bulk mode, the inserts of new orders, with their order_units rows,
 * phone-index entries and events, do not each make a round trip to the
 * server: pg_orders.c, pg_phones.c and pg_events.c hand their parameters
 * here, which writes them as rows of COPY's text format, and the rows go
 * to the server in one COPY per table when they pass a size bound, before
 * any other statement of the connection, and at commit. It also keeps what
 * lets an insert still answer HL_ECONFLICT at once, as the INSERT's ON
 * CONFLICT DO NOTHING does: the numbers stored in each day the transaction
 * inserts into (read once) and the numbers and events it claimed. It does
 * not decide which inserts go through COPY (the callers check
 * store->copy_in), and outside bulk mode nothing here runs. */
#include "store/postgres/pg_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/contract.h"
#include "base/i18n.h"

/* A table's waiting rows are sent when they pass this many bytes: COPY's
 * gain is won long before (a round trip per thousands of rows instead of
 * per row), and the import's memory stays bounded whatever its size. */
#define COPYIN_FLUSH_BYTES ((size_t)4 << 20)

/* Each table's COPY, with the columns its INSERT writes, in its order.
 * events is partitioned by month (pg_schema.c): its COPY goes to the
 * parent, which routes each row to its month's partition. */
static const char *const copy_sql[HL_PG_COPYIN_TABLES] = {
    "COPY orders(" HL_PG_ORDER_COLUMNS ") FROM STDIN",
    "COPY order_units(unit, received, order_id, lead) FROM STDIN",
    "COPY phone_index(phone_hash, received_at, order_id) FROM STDIN",
    "COPY events(" HL_PG_EVENT_INSERT_COLUMNS ") FROM STDIN",
};

static const char *const copy_operation[HL_PG_COPYIN_TABLES] = {"order_insert", "order_units put",
                                                                "phone_index", "event_append"};

/* ---- A set of pairs of integers ----
 * Open addressing with linear probing: an import of a million orders
 * claims a million numbers, each looked up once or twice. */

typedef struct key_slot {
    int64_t first, second;
    bool used;
} key_slot;

typedef struct key_set {
    key_slot *slots;
    size_t count, room; /* room is 0 or a power of two */
} key_set;

static size_t key_hash(int64_t first, int64_t second)
{
    uint64_t mixed = (uint64_t)first * 0x9E3779B97F4A7C15u ^ (uint64_t)second * 0xC2B2AE3D27D4EB4Fu;
    mixed ^= mixed >> 29;
    return (size_t)mixed;
}

static key_slot *key_find(const key_set *set, int64_t first, int64_t second)
{
    if (set->room == 0)
        return NULL;
    for (size_t index = key_hash(first, second) & (set->room - 1);;
         index = (index + 1) & (set->room - 1)) {
        key_slot *slot = &set->slots[index];
        if (!slot->used || (slot->first == first && slot->second == second))
            return slot;
    }
}

/* Adds the pair; false when it was there already. */
static bool key_add(key_set *set, int64_t first, int64_t second)
{
    /* Kept at most half full, so that a probe ends soon at a free slot. */
    if ((set->count + 1) * 2 > set->room) {
        key_set grown = {hl_xcalloc(set->room > 0 ? set->room * 2 : 1024, sizeof(key_slot)), 0,
                         set->room > 0 ? set->room * 2 : 1024};
        for (size_t index = 0; index < set->room; index++)
            if (set->slots[index].used)
                *key_find(&grown, set->slots[index].first, set->slots[index].second) =
                    set->slots[index];
        grown.count = set->count;
        free(set->slots);
        *set = grown;
    }
    key_slot *slot = key_find(set, first, second);
    if (slot->used)
        return false;
    *slot = (key_slot){first, second, true};
    set->count++;
    return true;
}

/* ---- The transaction's rows and claims ---- */

/* An order number's mark in orders: stored before the transaction's COPY
 * (read from the server), or claimed by it. */
enum { STORED = 0, CLAIMED = 1 };

struct hl_pg_copyin {
    hl_buf rows[HL_PG_COPYIN_TABLES];
    bool waiting; /* rows are waiting in some table */
    /* A COPY sent whose result has not been read (see send_table), or
     * HL_PG_COPYIN_TABLES for none. */
    hl_pg_copyin_table unread;
    key_set orders; /* (number, STORED or CLAIMED) */
    key_set events; /* (order number, seq) claimed */
    /* The first numbers of the days whose stored numbers were read. */
    int64_t *days;
    size_t day_count, day_room;
};

static struct hl_pg_copyin *copyin_of(struct hl_pg_store *store)
{
    if (store->copyin == NULL) {
        store->copyin = hl_xcalloc(1, sizeof *store->copyin);
        store->copyin->unread = HL_PG_COPYIN_TABLES;
        for (int table = 0; table < HL_PG_COPYIN_TABLES; table++)
            hl_buf_init(&store->copyin->rows[table]);
    }
    return store->copyin;
}

/* Reads the results of the COPY sent last, if any; the first failure is
 * mapped (error may be NULL when the result no longer matters). */
static int read_unread(struct hl_pg_store *store, hl_error *error)
{
    struct hl_pg_copyin *copyin = store->copyin;
    if (copyin == NULL || copyin->unread == HL_PG_COPYIN_TABLES)
        return HL_OK;
    const char *operation = copy_operation[copyin->unread];
    copyin->unread = HL_PG_COPYIN_TABLES;
    int result = HL_OK;
    PGresult *answer;
    while (store->connection != NULL && (answer = PQgetResult(store->connection)) != NULL) {
        if (result == HL_OK && PQresultStatus(answer) != PGRES_COMMAND_OK)
            result = error != NULL ? hl_pg_error(store, answer, operation, error) : HL_EIO;
        PQclear(answer);
    }
    return result;
}

void hl_pg_copyin_drop(struct hl_pg_store *store)
{
    struct hl_pg_copyin *copyin = store->copyin;
    if (copyin == NULL)
        return;
    /* The connection is busy until the last COPY's result is read. */
    read_unread(store, NULL);
    for (int table = 0; table < HL_PG_COPYIN_TABLES; table++)
        hl_buf_free(&copyin->rows[table]);
    free(copyin->orders.slots);
    free(copyin->events.slots);
    free(copyin->days);
    free(copyin);
    store->copyin = NULL;
}

/* ---- Sending ---- */

/* One COPY of the table's waiting rows, which are forgotten whatever
 * happens: after a failure the transaction is lost, and sending them again
 * could only fail again. With wait false the COPY's result is left unread
 * (the server checks and indexes the rows while this connection builds
 * the next ones), to be read before the connection's next statement: the
 * import's own work then overlaps the server's, instead of adding to it.
 * The tables name one another's rows by number only (no foreign key
 * between them), so that one may be sent before the rows of another that
 * it names. */
static int send_table(struct hl_pg_store *store, hl_pg_copyin_table table, bool wait,
                      hl_error *error)
{
    struct hl_pg_copyin *copyin = store->copyin;
    hl_buf *rows = &copyin->rows[table];
    int result = read_unread(store, error);
    if (result != HL_OK || rows->len == 0) {
        hl_buf_reset(rows);
        return result;
    }
    PGresult *start = PQexec(store->connection, copy_sql[table]);
    if (PQresultStatus(start) != PGRES_COPY_IN) {
        result = hl_pg_error(store, start, copy_operation[table], error);
        PQclear(start);
        hl_buf_reset(rows);
        return result;
    }
    PQclear(start);
    /* In blocking mode libpq takes the rows whole, sending as the socket
     * accepts; the bound keeps them far below INT_MAX. */
    bool sent = PQputCopyData(store->connection, rows->data, (int)rows->len) == 1;
    hl_buf_reset(rows);
    if (PQputCopyEnd(store->connection, sent ? NULL : "the rows could not be sent") != 1)
        sent = false;
    copyin->unread = table;
    if (!sent) {
        result = hl_pg_error(store, NULL, copy_operation[table], error);
        read_unread(store, NULL);
        return result;
    }
    return wait ? read_unread(store, error) : HL_OK;
}

int hl_pg_copyin_flush(struct hl_pg_store *store, hl_error *error)
{
    struct hl_pg_copyin *copyin = store->copyin;
    if (copyin == NULL || (!copyin->waiting && copyin->unread == HL_PG_COPYIN_TABLES))
        return HL_OK;
    copyin->waiting = false;
    if (store->connection == NULL || PQstatus(store->connection) != CONNECTION_OK) {
        copyin->unread = HL_PG_COPYIN_TABLES;
        for (int table = 0; table < HL_PG_COPYIN_TABLES; table++)
            hl_buf_reset(&copyin->rows[table]);
        return hl_pg_error(store, NULL, copy_operation[HL_PG_COPYIN_ORDERS], error);
    }
    int result = HL_OK;
    for (int table = 0; table < HL_PG_COPYIN_TABLES; table++) {
        if (result != HL_OK) {
            hl_buf_reset(&copyin->rows[table]);
            continue;
        }
        result = send_table(store, (hl_pg_copyin_table)table, true, error);
    }
    /* With nothing waiting, the last COPY's result may still be unread. */
    int last = read_unread(store, result == HL_OK ? error : NULL);
    return result != HL_OK ? result : last;
}

/* ---- Rows in COPY's text format ---- */

/* Text as COPY reads it: a backslash, tab, line feed or carriage return
 * would end the field or the row, or start an escape, so each is written
 * as its escape; everything else (UTF-8 included) goes as it is. */
static void append_text(hl_buf *out, const char *text, size_t length)
{
    size_t start = 0;
    for (size_t index = 0; index < length; index++) {
        const char *escape = NULL;
        switch (text[index]) {
        case '\\': escape = "\\\\"; break;
        case '\t': escape = "\\t"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        default: continue;
        }
        hl_buf_append(out, text + start, index - start);
        hl_buf_append(out, escape, 2);
        start = index + 1;
    }
    hl_buf_append(out, text + start, length - start);
}

/* A bytea as its hex input form "\x...", whose backslash COPY needs
 * doubled. */
static void append_bytes(hl_buf *out, const unsigned char *bytes, size_t length)
{
    static const char digits[] = "0123456789abcdef";
    hl_buf_append(out, "\\\\x", 3);
    for (size_t index = 0; index < length; index++) {
        char pair[2] = {digits[bytes[index] >> 4], digits[bytes[index] & 15]};
        hl_buf_append(out, pair, 2);
    }
}

int hl_pg_copyin_add(struct hl_pg_store *store, hl_pg_copyin_table table, const hl_pg_params *row,
                     hl_error *error)
{
    HL_REQUIRE(store->copy_in && table < HL_PG_COPYIN_TABLES && row != NULL);
    if (row->too_many)
        return hl_error_set(error, HL_EINVAL, NULL,
                            HL_T("%s：参数超过 %d 个", "%s: more than %d parameters"),
                            copy_operation[table], HL_PG_MAX_PARAMS);
    struct hl_pg_copyin *copyin = copyin_of(store);
    hl_buf *out = &copyin->rows[table];
    for (int index = 0; index < row->count; index++) {
        if (index > 0)
            hl_buf_append_char(out, '\t');
        if (row->values[index] == NULL)
            hl_buf_append(out, "\\N", 2);
        else if (row->formats[index] == 1)
            append_bytes(out, (const unsigned char *)row->values[index],
                         (size_t)row->lengths[index]);
        else
            append_text(out, row->values[index], (size_t)row->lengths[index]);
    }
    hl_buf_append_char(out, '\n');
    copyin->waiting = true;
    if (out->len < COPYIN_FLUSH_BYTES)
        return HL_OK;
    return send_table(store, table, false, error);
}

/* ---- Claims ---- */

/* The first and last numbers of the day (a block of
 * HL_ORDER_SEQUENCE_LIMIT numbers, as order_max_id takes them) that holds
 * id; clamped at int64's ends, where no platform number lies. */
static void day_of(int64_t id, int64_t *first, int64_t *last)
{
    int64_t offset = id % HL_ORDER_SEQUENCE_LIMIT;
    if (offset < 0)
        offset += HL_ORDER_SEQUENCE_LIMIT;
    *first = id < INT64_MIN + HL_ORDER_SEQUENCE_LIMIT ? INT64_MIN : id - offset;
    *last = *first > INT64_MAX - HL_ORDER_SEQUENCE_LIMIT ? INT64_MAX
                                                         : *first + HL_ORDER_SEQUENCE_LIMIT - 1;
}

static int note_stored(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    key_add(context, hl_pg_int64(result, row, 0), STORED);
    return HL_OK;
}

/* Reads the numbers stored in id's day, once per transaction and before
 * its first claim in the day, so that what is read was stored before (the
 * SELECT sends the waiting rows first, as every statement does, but none
 * of them is of this day yet). A day holds at most a million numbers:
 * 16 MiB of claims at worst, read through a cursor. */
static int read_day(struct hl_pg_store *store, int64_t id, hl_error *error)
{
    struct hl_pg_copyin *copyin = copyin_of(store);
    int64_t first, last;
    day_of(id, &first, &last);
    for (size_t index = 0; index < copyin->day_count; index++)
        if (copyin->days[index] == first)
            return HL_OK;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, first);
    hl_pg_param_int64(&params, last);
    int result = hl_pg_visit(store, "SELECT id FROM orders WHERE id BETWEEN $1 AND $2", false,
                             &params, "order_insert", note_stored, &copyin->orders, error);
    hl_pg_params_free(&params);
    if (result == HL_OK) {
        HL_ARRAY_GROW(copyin->days, copyin->day_count, copyin->day_room);
        copyin->days[copyin->day_count++] = first;
    }
    return result;
}

int hl_pg_copyin_claim_order(struct hl_pg_store *store, int64_t id, bool *taken, hl_error *error)
{
    *taken = false;
    int result = read_day(store, id, error);
    if (result != HL_OK)
        return result;
    key_set *orders = &store->copyin->orders;
    key_slot *stored = key_find(orders, id, STORED);
    if (stored != NULL && stored->used) {
        *taken = true;
        return HL_OK;
    }
    *taken = !key_add(orders, id, CLAIMED);
    return HL_OK;
}

bool hl_pg_copyin_claimed_order(const struct hl_pg_store *store, int64_t id)
{
    if (store->copyin == NULL)
        return false;
    const key_slot *slot = key_find(&store->copyin->orders, id, CLAIMED);
    return slot != NULL && slot->used;
}

bool hl_pg_copyin_claim_event(struct hl_pg_store *store, int64_t order_id, int64_t seq)
{
    return key_add(&copyin_of(store)->events, order_id, seq);
}
