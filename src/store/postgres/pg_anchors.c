/* pg_anchors.c: the anchors of the audit chains in PostgreSQL (store.h,
 * hl_store_chain_anchor and the two after it), as sqlite_anchors.c: the
 * rule that an anchor moves only forward onto a record of its chain, and
 * that only records at or below it may be deleted, is the schema's
 * (migration 9's triggers, for every client), and this file only asks. */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "base/i18n.h"
#include "store/chain.h"

static int pg_chain_anchor(hl_store *base, hl_chain_kind kind, hl_chain_head *out, hl_error *error)
{
    if (kind == HL_CHAIN_EVENTS) {
        /* The event log is never archived: its chain starts at the genesis. */
        out->seq = 0;
        memcpy(out->hash, hl_chain_genesis, sizeof out->hash);
        return HL_OK;
    }
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, hl_chain_name(kind));
    PGresult *rows = NULL;
    int result =
        hl_pg_lookup(hl_pg_store_of(base), "SELECT seq, hash FROM chain_anchors WHERE name = $1",
                     &params, "chain_anchor", &rows, error);
    hl_pg_params_free(&params);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EIO, NULL,
                            HL_T("哈希链 %s 没有锚点", "hash chain %s has no anchor"),
                            hl_chain_name(kind));
    if (result != HL_OK)
        return result;
    out->seq = hl_pg_int64(rows, 0, 0);
    hl_pg_text(rows, 0, 1, out->hash, sizeof out->hash);
    PQclear(rows);
    return HL_OK;
}

/* Runs one write with (seq, hash, name) bound. */
static int write_link(struct hl_pg_store *store, const char *sql, hl_chain_kind kind,
                      const hl_chain_head *anchor, const char *operation, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, anchor->seq);
    hl_pg_param_text(&params, anchor->hash);
    hl_pg_param_text(&params, hl_chain_name(kind));
    int result = hl_pg_write(store, sql, &params, operation, NULL, error);
    hl_pg_params_free(&params);
    return result;
}

static const char MOVE_ANCHOR[] = "UPDATE chain_anchors SET seq = $1, hash = $2 WHERE name = $3";
static const char MOVE_HEAD[] = "UPDATE chain_heads SET seq = $1, hash = $2 WHERE name = $3";
static const char CUT_READS[] = "DELETE FROM personal_data_reads WHERE chain_seq <= $1";
static const char CUT_SECURITY[] = "DELETE FROM security_events WHERE chain_seq <= $1";

static const char CUT_ANCHOR[] = "UPDATE chain_anchors SET seq = $1, hash = $2 "
                                 "WHERE name = $3 AND seq = $4 AND hash = $5";

static int pg_chain_cut(hl_store *base, hl_chain_kind kind, const hl_chain_head *from,
                        const hl_chain_head *anchor, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, anchor->seq);
    hl_pg_param_text(&params, anchor->hash);
    hl_pg_param_text(&params, hl_chain_name(kind));
    hl_pg_param_int64(&params, from->seq);
    hl_pg_param_text(&params, from->hash);
    int64_t moved = 0;
    /* The row lock it takes holds off a second archive to the commit;
     * that one then finds the anchor moved (READ COMMITTED re-reads it). */
    int result = hl_pg_write(store, CUT_ANCHOR, &params, "chain_cut", &moved, error);
    hl_pg_params_free(&params);
    if (result == HL_OK && moved == 0)
        result =
            hl_error_set(error, HL_ECONFLICT, "anchor",
                         HL_T("哈希链 %s 的锚点已被移动", "the anchor of hash chain %s has moved"),
                         hl_chain_name(kind));
    if (result != HL_OK)
        return result;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, anchor->seq);
    result = hl_pg_write(store, kind == HL_CHAIN_READS ? CUT_READS : CUT_SECURITY, &params,
                         "chain_cut", NULL, error);
    hl_pg_params_free(&params);
    return result;
}

static int pg_chain_start(hl_store *base, hl_chain_kind kind, const hl_chain_head *anchor,
                          hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    if (anchor->seq == 0)
        return HL_OK; /* the genesis: where every chain starts anyway */
    int result = write_link(store, MOVE_ANCHOR, kind, anchor, "chain_start", error);
    if (result == HL_OK)
        result = write_link(store, MOVE_HEAD, kind, anchor, "chain_start", error);
    /* The next append reads the head just written. */
    store->chain_loaded[kind] = false;
    return result;
}

void hl_pg_anchor_ops(hl_store_ops *ops)
{
    ops->chain_anchor = pg_chain_anchor;
    ops->chain_cut = pg_chain_cut;
    ops->chain_start = pg_chain_start;
}
