/* pg_chain.c: the hash chains in PostgreSQL (store/chain.h): each chain's
 * head through a transaction, the scan of a chain in its order, the
 * security events, and the links of the records stored before the chains
 * existed (schema 4).
 *
 * Servers write at once, so a chain needs one point where its appends
 * queue: the chain's row of chain_heads, taken FOR UPDATE by the first
 * append of a transaction and held to its commit, which writes the new
 * head. Two transactions that extend one chain therefore commit one after
 * the other (docs/ARCHITECTURE.md says why one global chain and what it
 * costs). A transaction that extends two chains takes them in their
 * order (events, reads, security) unless its appends come otherwise; the
 * writers of hotline extend one chain each, and a deadlock would be
 * retried (HL_ERETRY) like any. Appending the records themselves stays
 * with the files that own their tables (pg_events.c, pg_access.c). */
#include "store/postgres/pg_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"

/* Records linked per batch when linking a stored log. */
#define LINK_BATCH 1000

static int read_head(struct hl_pg_store *store, hl_chain_kind kind, bool lock, hl_chain_head *head,
                     hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_text(&params, hl_chain_name(kind));
    PGresult *rows = NULL;
    int result = hl_pg_lookup(store,
                              lock ? "SELECT seq, hash FROM chain_heads WHERE name = $1 FOR UPDATE"
                                   : "SELECT seq, hash FROM chain_heads WHERE name = $1",
                              &params, "chain_head", &rows, error);
    hl_pg_params_free(&params);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EIO, NULL,
                            HL_T("哈希链 %s 没有链头", "hash chain %s has no head"),
                            hl_chain_name(kind));
    if (result != HL_OK)
        return result;
    head->seq = hl_pg_int64(rows, 0, 0);
    hl_pg_text(rows, 0, 1, head->hash, sizeof head->hash);
    PQclear(rows);
    return HL_OK;
}

static int write_head(struct hl_pg_store *store, hl_chain_kind kind, const hl_chain_head *head,
                      hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, head->seq);
    hl_pg_param_text(&params, head->hash);
    hl_pg_param_text(&params, hl_chain_name(kind));
    int result = hl_pg_write(store, "UPDATE chain_heads SET seq = $1, hash = $2 WHERE name = $3",
                             &params, "chain_head", NULL, error);
    hl_pg_params_free(&params);
    return result;
}

int hl_pg_chain_next(struct hl_pg_store *store, hl_chain_kind kind, hl_chain_link *link,
                     hl_error *error)
{
    if (!store->chain_loaded[kind]) {
        int result = read_head(store, kind, true, &store->chain_heads[kind], error);
        if (result != HL_OK)
            return result;
        store->chain_loaded[kind] = true;
    }
    hl_chain_start_link(&store->chain_heads[kind], link);
    return HL_OK;
}

void hl_pg_chain_taken(struct hl_pg_store *store, hl_chain_kind kind, const hl_chain_link *link)
{
    hl_chain_advance(&store->chain_heads[kind], link);
}

int hl_pg_chain_flush(struct hl_pg_store *store, hl_error *error)
{
    for (int kind = 0; kind < HL_CHAIN_COUNT; kind++) {
        if (!store->chain_loaded[kind])
            continue;
        int result = write_head(store, (hl_chain_kind)kind, &store->chain_heads[kind], error);
        if (result != HL_OK)
            return result;
    }
    return HL_OK;
}

void hl_pg_chain_forget(struct hl_pg_store *store)
{
    memset(store->chain_loaded, 0, sizeof store->chain_loaded);
}

/* ---- Reading a chain ---- */

typedef struct chain_visit {
    hl_chain_visitor visit;
    void *context;
    hl_chain_record *record;
} chain_visit;

static void read_link(const PGresult *result, int row, int column, hl_chain_link *link)
{
    link->seq = hl_pg_is_null(result, row, column) ? 0 : hl_pg_int64(result, row, column);
    hl_pg_text(result, row, column + 1, link->prev, sizeof link->prev);
    hl_pg_text(result, row, column + 2, link->hash, sizeof link->hash);
}

static int visit_event_link(PGresult *result, int row, void *context, hl_error *error)
{
    chain_visit *visitor = context;
    int status = hl_pg_read_event(result, row, &visitor->record->as.event, error);
    if (status != HL_OK)
        return status;
    read_link(result, row, 17, &visitor->record->link);
    return visitor->visit(visitor->context, visitor->record);
}

static void read_read(const PGresult *result, int row, hl_audit_read *read)
{
    read->id = hl_pg_int64(result, row, 0);
    read->at = hl_pg_int64(result, row, 1);
    hl_pg_text(result, row, 2, read->actor, sizeof read->actor);
    read->order_id = hl_pg_int64(result, row, 3);
    hl_pg_text(result, row, 4, read->route, sizeof read->route);
}

static int visit_read_link(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    chain_visit *visitor = context;
    read_read(result, row, &visitor->record->as.read);
    read_link(result, row, 5, &visitor->record->link);
    return visitor->visit(visitor->context, visitor->record);
}

#define SECURITY_COLUMNS "chain_seq, at, actor, address, action, target, outcome, detail"

static void read_security(const PGresult *result, int row, hl_security_event *event)
{
    event->seq = hl_pg_int64(result, row, 0);
    event->at = hl_pg_int64(result, row, 1);
    hl_pg_text(result, row, 2, event->actor, sizeof event->actor);
    hl_pg_text(result, row, 3, event->address, sizeof event->address);
    hl_pg_text(result, row, 4, event->action, sizeof event->action);
    hl_pg_text(result, row, 5, event->target, sizeof event->target);
    hl_pg_text(result, row, 6, event->outcome, sizeof event->outcome);
    hl_pg_text(result, row, 7, event->detail, sizeof event->detail);
}

static int visit_security_link(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    chain_visit *visitor = context;
    read_security(result, row, &visitor->record->as.security);
    visitor->record->link.seq = visitor->record->as.security.seq;
    hl_pg_text(result, row, 8, visitor->record->link.prev, sizeof visitor->record->link.prev);
    hl_pg_text(result, row, 9, visitor->record->link.hash, sizeof visitor->record->link.hash);
    return visitor->visit(visitor->context, visitor->record);
}

/* Records without a link (chain_seq NULL: written behind the store's
 * back) come first, so that verify names them before the chain. */
static int pg_chain_scan(hl_store *base, hl_chain_kind kind, hl_chain_visitor visit, void *context,
                         hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    chain_visit visitor = {visit, context, hl_xcalloc(1, sizeof(hl_chain_record))};
    visitor.record->kind = kind;
    int result;
    switch (kind) {
    case HL_CHAIN_EVENTS:
        result = hl_pg_visit(store,
                             "SELECT " HL_PG_EVENT_READ_COLUMNS ", chain_seq, prev_hash, hash "
                             "FROM events ORDER BY chain_seq NULLS FIRST, at, order_id, seq",
                             false, NULL, "chain_scan", visit_event_link, &visitor, error);
        break;
    case HL_CHAIN_READS:
        result = hl_pg_visit(store,
                             "SELECT id, at, actor, order_id, route, chain_seq, prev_hash, hash "
                             "FROM personal_data_reads ORDER BY chain_seq NULLS FIRST, id",
                             false, NULL, "chain_scan", visit_read_link, &visitor, error);
        break;
    default:
        result = hl_pg_visit(store,
                             "SELECT " SECURITY_COLUMNS ", prev_hash, hash FROM security_events "
                             "ORDER BY chain_seq",
                             false, NULL, "chain_scan", visit_security_link, &visitor, error);
        break;
    }
    free(visitor.record);
    return result;
}

static int pg_chain_head(hl_store *base, hl_chain_kind kind, hl_chain_head *out, hl_error *error)
{
    return read_head(hl_pg_store_of(base), kind, false, out, error);
}

/* ---- Security events ---- */

static int pg_security_append(hl_store *base, const hl_security_event *event, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    hl_chain_link link;
    int result = hl_pg_chain_next(store, HL_CHAIN_SECURITY, &link, error);
    if (result != HL_OK)
        return result;
    hl_chain_link_security(event, &link);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, link.seq);
    hl_pg_param_int64(&params, event->at);
    HL_PG_PARAM_FIELD(&params, event->actor);
    HL_PG_PARAM_FIELD(&params, event->address);
    HL_PG_PARAM_FIELD(&params, event->action);
    HL_PG_PARAM_FIELD(&params, event->target);
    HL_PG_PARAM_FIELD(&params, event->outcome);
    HL_PG_PARAM_FIELD(&params, event->detail);
    hl_pg_param_text(&params, link.prev);
    hl_pg_param_text(&params, link.hash);
    result = hl_pg_write(store,
                         "INSERT INTO security_events(" SECURITY_COLUMNS ", prev_hash, hash) "
                         "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                         &params, "security_append", NULL, error);
    hl_pg_params_free(&params);
    if (result == HL_OK)
        hl_pg_chain_taken(store, HL_CHAIN_SECURITY, &link);
    return result;
}

typedef struct security_visit {
    hl_security_visitor visit;
    void *context;
} security_visit;

static int visit_security_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    security_visit *visitor = context;
    hl_security_event event;
    read_security(result, row, &event);
    return visitor->visit(visitor->context, &event);
}

static int pg_security_each(hl_store *base, int64_t limit, hl_security_visitor visit, void *context,
                            hl_error *error)
{
    security_visit visitor = {visit, context};
    hl_pg_params params;
    hl_pg_params_init(&params);
    if (limit > 0)
        hl_pg_param_int64(&params, limit);
    else
        hl_pg_param_null(&params);
    int result = hl_pg_visit(hl_pg_store_of(base),
                             "SELECT " SECURITY_COLUMNS " FROM security_events "
                             "ORDER BY chain_seq DESC LIMIT $1",
                             false, &params, "security_each", visit_security_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

/* ---- Linking the records stored before the chains ---- */

/* Links a chain's unlinked records, oldest first, in batches that each
 * start after the last record of the one before. Runs inside the
 * migration's transaction (pg_schema.c), as the schema's owner: the
 * servers' role may not update a log. */
static int link_chain(struct hl_pg_store *store, hl_chain_kind kind, hl_error *error)
{
    hl_chain_head head;
    int result = read_head(store, kind, true, &head, error);
    hl_chain_record *record = hl_xcalloc(1, sizeof *record);
    record->kind = kind;
    int64_t after[3] = {INT64_MIN, 0, 0};
    for (int rows = LINK_BATCH; result == HL_OK && rows == LINK_BATCH;) {
        hl_pg_params params;
        hl_pg_params_init(&params);
        for (int index = 0; index < (kind == HL_CHAIN_EVENTS ? 3 : 1); index++)
            hl_pg_param_int64(&params, after[index]);
        PGresult *batch = NULL;
        result = hl_pg_exec_dynamic(
            store,
            kind == HL_CHAIN_EVENTS
                ? "SELECT " HL_PG_EVENT_READ_COLUMNS " FROM events WHERE (at, order_id, seq) > "
                  "($1, $2, $3) AND hash IS NULL ORDER BY at, order_id, seq LIMIT 1000"
                : "SELECT id, at, actor, order_id, route FROM personal_data_reads "
                  "WHERE id > $1 AND hash IS NULL ORDER BY id LIMIT 1000",
            &params, "chain_link", &batch, error);
        hl_pg_params_free(&params);
        if (result != HL_OK)
            break;
        rows = PQntuples(batch);
        for (int row = 0; row < rows && result == HL_OK; row++) {
            hl_pg_params update;
            hl_pg_params_init(&update);
            const char *sql;
            if (kind == HL_CHAIN_EVENTS) {
                result = hl_pg_read_event(batch, row, &record->as.event, error);
                after[0] = record->as.event.at;
                after[1] = record->as.event.order_id;
                after[2] = record->as.event.seq;
                sql = "UPDATE events SET chain_seq = $1, prev_hash = $2, hash = $3 "
                      "WHERE order_id = $4 AND seq = $5 AND at = $6";
            } else {
                read_read(batch, row, &record->as.read);
                after[0] = record->as.read.id;
                sql = "UPDATE personal_data_reads SET chain_seq = $1, prev_hash = $2, hash = $3 "
                      "WHERE id = $4";
            }
            hl_chain_start_link(&head, &record->link);
            hl_chain_link_record(record, &record->link);
            hl_chain_advance(&head, &record->link);
            hl_pg_param_int64(&update, record->link.seq);
            hl_pg_param_text(&update, record->link.prev);
            hl_pg_param_text(&update, record->link.hash);
            if (kind == HL_CHAIN_EVENTS) {
                hl_pg_param_int64(&update, record->as.event.order_id);
                hl_pg_param_int64(&update, record->as.event.seq);
                hl_pg_param_int64(&update, record->as.event.at);
            } else {
                hl_pg_param_int64(&update, record->as.read.id);
            }
            if (result == HL_OK)
                result = hl_pg_write(store, sql, &update, "chain_link", NULL, error);
            hl_pg_params_free(&update);
        }
        PQclear(batch);
    }
    free(record);
    if (result == HL_OK)
        result = write_head(store, kind, &head, error);
    return result;
}

int hl_pg_chain_link_stored(struct hl_pg_store *store, hl_error *error)
{
    PGresult *rows = NULL;
    int result = hl_pg_exec_dynamic(store, "SELECT 1 FROM meta WHERE key = 'chain_unlinked'", NULL,
                                    "chain_link", &rows, error);
    if (result != HL_OK)
        return result;
    bool marked = PQntuples(rows) > 0;
    PQclear(rows);
    if (!marked)
        return HL_OK;
    result = link_chain(store, HL_CHAIN_EVENTS, error);
    if (result == HL_OK)
        result = link_chain(store, HL_CHAIN_READS, error);
    if (result == HL_OK)
        result = hl_pg_command(store, "DELETE FROM meta WHERE key = 'chain_unlinked'", "chain_link",
                               error);
    return result;
}

/* ---- Published bulletins ---- */

#define PUBLICATION_COLUMNS                                                                        \
    "month, edition, published_at, published_by, chain_seq, chain_hash, surveyed, reached, "       \
    "satisfied, note, document, digest"

static int pg_publication_append(hl_store *base, const hl_publication *publication, hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, publication->month);
    hl_pg_param_int64(&params, publication->edition);
    hl_pg_param_int64(&params, publication->published_at);
    HL_PG_PARAM_FIELD(&params, publication->published_by);
    hl_pg_param_int64(&params, publication->chain.seq);
    hl_pg_param_text(&params, publication->chain.hash);
    hl_pg_param_int64(&params, publication->surveyed);
    hl_pg_param_int64(&params, publication->reached);
    hl_pg_param_int64(&params, publication->satisfied);
    HL_PG_PARAM_FIELD(&params, publication->note);
    hl_pg_param_text(&params, publication->document);
    hl_pg_param_text(&params, publication->digest);
    int result = hl_pg_write(hl_pg_store_of(base),
                             "INSERT INTO published_bulletins(" PUBLICATION_COLUMNS ") VALUES($1, "
                             "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                             &params, "publication_append", NULL, error);
    hl_pg_params_free(&params);
    return result;
}

typedef struct publication_visit {
    hl_publication_visitor visit;
    void *context;
} publication_visit;

static int visit_publication_row(PGresult *result, int row, void *context, hl_error *error)
{
    (void)error;
    publication_visit *visitor = context;
    hl_publication publication;
    memset(&publication, 0, sizeof publication);
    publication.month = hl_pg_int(result, row, 0);
    publication.edition = hl_pg_int(result, row, 1);
    publication.published_at = hl_pg_int64(result, row, 2);
    HL_PG_TEXT(result, row, 3, publication.published_by);
    publication.chain.seq = hl_pg_int64(result, row, 4);
    HL_PG_TEXT(result, row, 5, publication.chain.hash);
    publication.surveyed = hl_pg_int64(result, row, 6);
    publication.reached = hl_pg_int64(result, row, 7);
    publication.satisfied = hl_pg_int64(result, row, 8);
    HL_PG_TEXT(result, row, 9, publication.note);
    publication.document = PQgetvalue(result, row, 10);
    HL_PG_TEXT(result, row, 11, publication.digest);
    return visitor->visit(visitor->context, &publication);
}

static int pg_publication_each(hl_store *base, int month, hl_publication_visitor visit,
                               void *context, hl_error *error)
{
    publication_visit visitor = {visit, context};
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, month);
    int result =
        hl_pg_visit(hl_pg_store_of(base),
                    "SELECT " PUBLICATION_COLUMNS " FROM published_bulletins "
                    "WHERE $1::integer = 0 OR month = $1 ORDER BY month, edition",
                    false, &params, "publication_each", visit_publication_row, &visitor, error);
    hl_pg_params_free(&params);
    return result;
}

void hl_pg_chain_ops(hl_store_ops *ops)
{
    ops->chain_scan = pg_chain_scan;
    ops->chain_head = pg_chain_head;
    ops->security_append = pg_security_append;
    ops->security_each = pg_security_each;
    ops->publication_append = pg_publication_append;
    ops->publication_each = pg_publication_each;
}
