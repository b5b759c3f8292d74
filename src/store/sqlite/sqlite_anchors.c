/* sqlite_anchors.c: the anchors of the audit chains in SQLite (store.h,
 * hl_store_chain_anchor and the two after it; docs/security.md "Retention
 * and archives"). The rule that an anchor moves only forward onto a
 * record of its chain, and that only records at or below it may be
 * deleted, is the schema's (migration 15's triggers): this file asks, and
 * the database refuses what breaks it. It does not write archive files
 * (app/archive.c) nor walk chains (sqlite_chain.c). */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "base/i18n.h"
#include "store/chain.h"

static int read_anchor(hl_store *base, hl_chain_kind kind, hl_chain_head *out, hl_error *error)
{
    if (kind == HL_CHAIN_EVENTS) {
        /* The event log is never archived: its chain starts at the genesis. */
        out->seq = 0;
        memcpy(out->hash, hl_chain_genesis, sizeof out->hash);
        return HL_OK;
    }
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_parameter name = {.text = hl_chain_name(kind)};
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, "SELECT seq, hash FROM chain_anchors WHERE name = ?",
                                   &name, 1, "chain_anchor", &statement, error);
    if (result != HL_OK)
        return result;
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
        out->seq = sqlite3_column_int64(statement, 0);
        hl_sqlite_copy_column_text(statement, 1, out->hash, sizeof out->hash);
    } else {
        result = rc == SQLITE_DONE
                     ? hl_error_set(error, HL_EIO, NULL,
                                    HL_T("哈希链 %s 没有锚点", "hash chain %s has no anchor"),
                                    hl_chain_name(kind))
                     : hl_sqlite_storage_error(store, "chain_anchor", error);
    }
    sqlite3_finalize(statement);
    return result;
}

/* Runs one write of the anchors with (seq, hash, name) bound. */
static int write_link(struct hl_sqlite_store *store, const char *sql, hl_chain_kind kind,
                      const hl_chain_head *anchor, const char *operation, hl_error *error)
{
    hl_sqlite_parameter parameters[3] = {
        {.number = anchor->seq}, {.text = anchor->hash}, {.text = hl_chain_name(kind)}};
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, sql, parameters, 3, operation, &statement, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_run_write(store, statement, operation, error);
    sqlite3_finalize(statement);
    return result;
}

static const char MOVE_ANCHOR[] = "UPDATE chain_anchors SET seq = ?, hash = ? WHERE name = ?";

static int sqlite_chain_cut(hl_store *base, hl_chain_kind kind, const hl_chain_head *from,
                            const hl_chain_head *anchor, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_parameter parameters[5] = {{.number = anchor->seq},
                                         {.text = anchor->hash},
                                         {.text = hl_chain_name(kind)},
                                         {.number = from->seq},
                                         {.text = from->hash}};
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store,
                                   "UPDATE chain_anchors SET seq = ?, hash = ? "
                                   "WHERE name = ? AND seq = ? AND hash = ?",
                                   parameters, 5, "chain_cut", &statement, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_run_write(store, statement, "chain_cut", error);
    sqlite3_finalize(statement);
    if (result == HL_OK && sqlite3_changes(store->db) == 0)
        result =
            hl_error_set(error, HL_ECONFLICT, "anchor",
                         HL_T("哈希链 %s 的锚点已被移动", "the anchor of hash chain %s has moved"),
                         hl_chain_name(kind));
    if (result != HL_OK)
        return result;
    hl_sqlite_parameter seq = {.number = anchor->seq};
    statement = NULL;
    result = hl_sqlite_prepare(store,
                               kind == HL_CHAIN_READS
                                   ? "DELETE FROM personal_data_reads WHERE chain_seq <= ?"
                                   : "DELETE FROM security_events WHERE chain_seq <= ?",
                               &seq, 1, "chain_cut", &statement, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_run_write(store, statement, "chain_cut", error);
    sqlite3_finalize(statement);
    return result;
}

static int sqlite_chain_start(hl_store *base, hl_chain_kind kind, const hl_chain_head *anchor,
                              hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    if (anchor->seq == 0)
        return HL_OK; /* the genesis: where every chain starts anyway */
    int result = write_link(store, MOVE_ANCHOR, kind, anchor, "chain_start", error);
    if (result == HL_OK)
        result = write_link(store, "UPDATE chain_heads SET seq = ?, hash = ? WHERE name = ?", kind,
                            anchor, "chain_start", error);
    /* The next append reads the head just written. */
    store->chain_loaded[kind] = false;
    return result;
}

void hl_sqlite_anchor_ops(hl_store_ops *ops)
{
    ops->chain_anchor = read_anchor;
    ops->chain_cut = sqlite_chain_cut;
    ops->chain_start = sqlite_chain_start;
}
