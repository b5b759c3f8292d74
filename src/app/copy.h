/* copy.h: moving a whole store from one backend to another (hotline copy).
 *
 * A copy reads every table of the source in one read snapshot and writes
 * it into an empty destination in one transaction in bulk mode: all or
 * nothing. It goes through the store interface only (store/store.h), so
 * that it works between any two backends (SQLite to PostgreSQL, back, and
 * SQLite to SQLite). Citizens' phones move as their sealed bytes, never
 * opened: the copy needs no key, and the destination must be used with
 * the source's key file (the key's check value is part of the config it
 * copies, so another key is refused when the destination is opened).
 *
 * What is derived from the orders (order_units, the per-state counts, the
 * phone index) is rebuilt by the destination's inserts and checked: the
 * per-state counts against the source's before the commit, everything
 * against the source's digests after it. */
#ifndef HL_APP_COPY_H
#define HL_APP_COPY_H

#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

/* The tables a copy moves and digests, in the order it writes them. */
typedef enum hl_copy_table {
    HL_COPY_CONFIG = 0,
    HL_COPY_UNITS,
    HL_COPY_CATEGORIES,
    HL_COPY_USERS, /* with their password hashes */
    HL_COPY_CALENDAR,
    HL_COPY_API_KEYS,
    HL_COPY_ORDERS, /* with their sealed phones */
    HL_COPY_PHONE_INDEX,
    HL_COPY_STATE_COUNTS,
    HL_COPY_EVENTS,
    HL_COPY_ROLLUPS,
    HL_COPY_SESSIONS,
    HL_COPY_ATTRIBUTES,
    HL_COPY_OPEN311,
    HL_COPY_ANSWERS,
    HL_COPY_AUDIT,
    HL_COPY_SECURITY,  /* security_events, their chain rebuilt in order */
    HL_COPY_PUBLISHED, /* published_bulletins, after the events they name */
    HL_COPY_TABLE_COUNT
} hl_copy_table;

#define HL_COPY_HASH_BYTES 32

/* One table's rows and a BLAKE2b hash of every field of every row in a
 * fixed order (the same for every backend: read through the interface). */
typedef struct hl_copy_table_digest {
    int64_t rows;
    unsigned char hash[HL_COPY_HASH_BYTES];
} hl_copy_table_digest;

typedef struct hl_copy_digest {
    hl_copy_table_digest tables[HL_COPY_TABLE_COUNT];
} hl_copy_digest;

/* The table's name as the schema spells it ("orders", "personal_data_reads"). */
const char *hl_copy_table_name(hl_copy_table table);

/* Digests every table of store in one read snapshot of its own. */
int hl_copy_digest_store(hl_store *store, hl_copy_digest *out, hl_error *error);

/* Whether two digests agree; when not, *table (may be NULL) is the first
 * table that differs. */
bool hl_copy_digest_equal(const hl_copy_digest *a, const hl_copy_digest *b, hl_copy_table *table);

/* Takes one config row (key, value) out of a digest, as if the table had
 * not held it (a backup's own seal, app/backup.c). */
void hl_copy_digest_remove_config(hl_copy_digest *digest, const char *key, const char *value);

/* Copies every table of from into to, which must be empty (HL_ECONFLICT,
 * one line, and to unchanged otherwise), in one transaction of to in bulk
 * mode, from one read snapshot of from; then digests to and compares
 * (HL_EMISMATCH naming the table on a difference). On success *copied
 * (may be NULL) receives the source's digest. On any failure before the
 * commit, to is left as it was. */
int hl_copy_stores(hl_store *from, hl_store *to, hl_copy_digest *copied, hl_error *error);

/* Opens the stores at the addresses (hl_store_open) and copies. An SQLite
 * source must exist (a path that names no file is refused, HL_EINVAL,
 * rather than created empty), and the two addresses must differ. */
int hl_copy(const char *from, const char *to, hl_copy_digest *copied, hl_error *error);

#endif
