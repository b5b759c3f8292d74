/* sqlite_chain.c: the hash chains in SQLite (store/chain.h): each chain's
 * head through a transaction, the scan of a chain in its order, the
 * security events, and the links of the records stored before the chains
 * existed (schema 10). SQLite has one writer at a time, so a transaction
 * reads a head at its chain's first append and writes it at its commit
 * without any further lock. Appending the records themselves stays with
 * the files that own their tables (sqlite_events.c, sqlite_access.c). */
#include "store/sqlite/sqlite_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"

/* Records linked per statement batch when linking a stored log. */
#define LINK_BATCH 256

static int read_head(struct hl_sqlite_store *store, hl_chain_kind kind, hl_chain_head *head,
                     hl_error *error)
{
    hl_sqlite_parameter name = {.text = hl_chain_name(kind)};
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, "SELECT seq, hash FROM chain_heads WHERE name = ?", &name,
                                   1, "chain_head", &statement, error);
    if (result != HL_OK)
        return result;
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
        head->seq = sqlite3_column_int64(statement, 0);
        hl_sqlite_copy_column_text(statement, 1, head->hash, sizeof head->hash);
    } else {
        result = rc == SQLITE_DONE
                     ? hl_error_set(error, HL_EIO, NULL,
                                    HL_T("哈希链 %s 没有链头", "hash chain %s has no head"),
                                    hl_chain_name(kind))
                     : hl_sqlite_storage_error(store, "chain_head", error);
    }
    sqlite3_finalize(statement);
    return result;
}

static int write_head(struct hl_sqlite_store *store, hl_chain_kind kind, const hl_chain_head *head,
                      hl_error *error)
{
    hl_sqlite_parameter parameters[3] = {
        {.number = head->seq}, {.text = head->hash}, {.text = hl_chain_name(kind)}};
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, "UPDATE chain_heads SET seq = ?, hash = ? WHERE name = ?",
                                   parameters, 3, "chain_head", &statement, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_run_write(store, statement, "chain_head", error);
    sqlite3_finalize(statement);
    return result;
}

int hl_sqlite_chain_next(struct hl_sqlite_store *store, hl_chain_kind kind, hl_chain_link *link,
                         hl_error *error)
{
    if (!store->chain_loaded[kind]) {
        int result = read_head(store, kind, &store->chain_heads[kind], error);
        if (result != HL_OK)
            return result;
        store->chain_loaded[kind] = true;
    }
    hl_chain_start_link(&store->chain_heads[kind], link);
    return HL_OK;
}

void hl_sqlite_chain_taken(struct hl_sqlite_store *store, hl_chain_kind kind,
                           const hl_chain_link *link)
{
    hl_chain_advance(&store->chain_heads[kind], link);
}

/* A head is loaded only by an append, so every loaded head is written:
 * one statement per chain the transaction extended. */
int hl_sqlite_chain_flush(struct hl_sqlite_store *store, hl_error *error)
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

void hl_sqlite_chain_forget(struct hl_sqlite_store *store)
{
    memset(store->chain_loaded, 0, sizeof store->chain_loaded);
}

/* ---- Reading a chain ---- */

typedef struct chain_visit {
    hl_chain_visitor visit;
    void *context;
    hl_chain_record *record;
} chain_visit;

/* The three link columns that close every chain scan's row. */
static void read_link(sqlite3_stmt *statement, int column, hl_chain_link *link)
{
    link->seq = sqlite3_column_int64(statement, column);
    hl_sqlite_copy_column_text(statement, column + 1, link->prev, sizeof link->prev);
    hl_sqlite_copy_column_text(statement, column + 2, link->hash, sizeof link->hash);
}

static int visit_event_link(sqlite3_stmt *statement, void *context, hl_error *error)
{
    chain_visit *visitor = context;
    int result = hl_sqlite_read_event(statement, &visitor->record->as.event, error);
    if (result != HL_OK)
        return result;
    read_link(statement, 17, &visitor->record->link);
    return visitor->visit(visitor->context, visitor->record);
}

static void read_read(sqlite3_stmt *statement, hl_audit_read *read)
{
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    read->id = hl_sqlite_read_int64(&row);
    read->at = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, read->actor);
    read->order_id = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, read->route);
}

static int visit_read_link(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    chain_visit *visitor = context;
    read_read(statement, &visitor->record->as.read);
    read_link(statement, 5, &visitor->record->link);
    return visitor->visit(visitor->context, visitor->record);
}

static void read_security(sqlite3_stmt *statement, hl_security_event *event)
{
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    event->seq = hl_sqlite_read_int64(&row);
    event->at = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, event->actor);
    READ_FIELD(&row, event->address);
    READ_FIELD(&row, event->action);
    READ_FIELD(&row, event->target);
    READ_FIELD(&row, event->outcome);
    READ_FIELD(&row, event->detail);
}

#define SECURITY_COLUMNS "chain_seq, at, actor, address, action, target, outcome, detail"

static int visit_security_link(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    chain_visit *visitor = context;
    read_security(statement, &visitor->record->as.security);
    visitor->record->link.seq = visitor->record->as.security.seq;
    hl_sqlite_copy_column_text(statement, 8, visitor->record->link.prev,
                               sizeof visitor->record->link.prev);
    hl_sqlite_copy_column_text(statement, 9, visitor->record->link.hash,
                               sizeof visitor->record->link.hash);
    return visitor->visit(visitor->context, visitor->record);
}

/* Records without a link (chain_seq NULL: written behind the store's
 * back) come first, so that verify names them before the chain. */
static int sqlite_chain_scan(hl_store *base, hl_chain_kind kind, hl_chain_visitor visit,
                             void *context, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    chain_visit visitor = {visit, context, hl_xcalloc(1, sizeof(hl_chain_record))};
    visitor.record->kind = kind;
    int result;
    switch (kind) {
    case HL_CHAIN_EVENTS:
        result =
            hl_sqlite_visit_sql(store,
                                "SELECT " EVENT_COLUMNS ", chain_seq, prev_hash, hash "
                                "FROM events ORDER BY chain_seq NULLS FIRST, at, order_id, seq",
                                NULL, 0, "chain_scan", visit_event_link, &visitor, error);
        break;
    case HL_CHAIN_READS:
        result = hl_sqlite_visit_sql(store,
                                     "SELECT id, at, actor, order_id, route, chain_seq, prev_hash, "
                                     "hash FROM personal_data_reads ORDER BY chain_seq NULLS "
                                     "FIRST, id",
                                     NULL, 0, "chain_scan", visit_read_link, &visitor, error);
        break;
    default:
        result = hl_sqlite_visit_sql(store,
                                     "SELECT " SECURITY_COLUMNS ", prev_hash, hash "
                                     "FROM security_events ORDER BY chain_seq",
                                     NULL, 0, "chain_scan", visit_security_link, &visitor, error);
        break;
    }
    free(visitor.record);
    return result;
}

static int sqlite_chain_head(hl_store *base, hl_chain_kind kind, hl_chain_head *out,
                             hl_error *error)
{
    return read_head(hl_sqlite_store_of(base), kind, out, error);
}

/* ---- Security events ---- */

static int sqlite_security_append(hl_store *base, const hl_security_event *event, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_chain_link link;
    int result = hl_sqlite_chain_next(store, HL_CHAIN_SECURITY, &link, error);
    if (result != HL_OK)
        return result;
    hl_chain_link_security(event, &link);
    hl_sqlite_parameter parameters[10] = {{.number = link.seq},     {.number = event->at},
                                          {.text = event->actor},   {.text = event->address},
                                          {.text = event->action},  {.text = event->target},
                                          {.text = event->outcome}, {.text = event->detail},
                                          {.text = link.prev},      {.text = link.hash}};
    sqlite3_stmt *statement = NULL;
    result = hl_sqlite_prepare(store,
                               "INSERT INTO security_events(" SECURITY_COLUMNS
                               ", prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               parameters, 10, "security_append", &statement, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_run_write(store, statement, "security_append", error);
    sqlite3_finalize(statement);
    if (result == HL_OK)
        hl_sqlite_chain_taken(store, HL_CHAIN_SECURITY, &link);
    return result;
}

typedef struct security_visit {
    hl_security_visitor visit;
    void *context;
} security_visit;

static int visit_security_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    security_visit *visitor = context;
    hl_security_event event;
    read_security(statement, &event);
    return visitor->visit(visitor->context, &event);
}

static int sqlite_security_each(hl_store *base, int64_t limit, hl_security_visitor visit,
                                void *context, hl_error *error)
{
    security_visit visitor = {visit, context};
    hl_sqlite_parameter count = {.number = limit > 0 ? limit : -1};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT " SECURITY_COLUMNS " FROM security_events "
                               "ORDER BY chain_seq DESC LIMIT ?",
                               &count, 1, "security_each", visit_security_row, &visitor, error);
}

/* ---- Linking the records stored before the chains ---- */

typedef struct unlinked {
    hl_chain_record *records;
    size_t count, room;
} unlinked;

static int gather_event(sqlite3_stmt *statement, void *context, hl_error *error)
{
    unlinked *batch = context;
    HL_ARRAY_GROW(batch->records, batch->count, batch->room);
    hl_chain_record *record = &batch->records[batch->count];
    memset(record, 0, sizeof *record);
    record->kind = HL_CHAIN_EVENTS;
    int result = hl_sqlite_read_event(statement, &record->as.event, error);
    if (result == HL_OK)
        batch->count++;
    return result;
}

static int gather_read(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    unlinked *batch = context;
    HL_ARRAY_GROW(batch->records, batch->count, batch->room);
    hl_chain_record *record = &batch->records[batch->count++];
    memset(record, 0, sizeof *record);
    record->kind = HL_CHAIN_READS;
    read_read(statement, &record->as.read);
    return HL_OK;
}

/* Links one batch of a chain's unlinked records, oldest first, after
 * those of the batch before (batch->count 0: from the start); *linked
 * says how many it found (0: none left). */
static int link_batch(struct hl_sqlite_store *store, hl_chain_kind kind, hl_chain_head *head,
                      unlinked *batch, size_t *linked, hl_error *error)
{
    /* Each batch starts after the last record of the one before (not at
     * "hash IS NULL", which would scan the log again for every batch). */
    hl_sqlite_parameter after[4] = {
        {.number = INT64_MIN}, {.number = 0}, {.number = 0}, {.number = LINK_BATCH}};
    if (batch->count > 0) {
        const hl_chain_record *last = &batch->records[batch->count - 1];
        if (kind == HL_CHAIN_EVENTS) {
            after[0].number = last->as.event.at;
            after[1].number = last->as.event.order_id;
            after[2].number = last->as.event.seq;
        } else {
            after[0].number = last->as.read.id;
        }
    }
    batch->count = 0;
    int result =
        kind == HL_CHAIN_EVENTS
            ? hl_sqlite_visit_sql(store,
                                  "SELECT " EVENT_COLUMNS " FROM events "
                                  "WHERE (at, order_id, seq) > (?, ?, ?) AND hash IS NULL "
                                  "ORDER BY at, order_id, seq LIMIT ?",
                                  after, 4, "chain_link", gather_event, batch, error)
            : hl_sqlite_visit_sql(store,
                                  "SELECT id, at, actor, order_id, route FROM personal_data_reads "
                                  "WHERE id > ? AND hash IS NULL ORDER BY id LIMIT ?",
                                  (hl_sqlite_parameter[]){after[0], after[3]}, 2, "chain_link",
                                  gather_read, batch, error);
    *linked = batch->count;
    for (size_t index = 0; index < batch->count && result == HL_OK; index++) {
        hl_chain_record *record = &batch->records[index];
        hl_chain_start_link(head, &record->link);
        hl_chain_link_record(record, &record->link);
        hl_chain_advance(head, &record->link);
        hl_sqlite_parameter parameters[5] = {
            {.number = record->link.seq}, {.text = record->link.prev}, {.text = record->link.hash}};
        int count = 5;
        const char *sql;
        if (kind == HL_CHAIN_EVENTS) {
            sql = "UPDATE events SET chain_seq = ?, prev_hash = ?, hash = ? "
                  "WHERE order_id = ? AND seq = ?";
            parameters[3].number = record->as.event.order_id;
            parameters[4].number = record->as.event.seq;
        } else {
            sql = "UPDATE personal_data_reads SET chain_seq = ?, prev_hash = ?, hash = ? "
                  "WHERE id = ?";
            parameters[3].number = record->as.read.id;
            count = 4;
        }
        sqlite3_stmt *statement = NULL;
        result = hl_sqlite_prepare(store, sql, parameters, count, "chain_link", &statement, error);
        if (result == HL_OK)
            result = hl_sqlite_run_write(store, statement, "chain_link", error);
        sqlite3_finalize(statement);
    }
    return result;
}

static int link_chain(struct hl_sqlite_store *store, hl_chain_kind kind, hl_error *error)
{
    hl_chain_head head;
    int result = read_head(store, kind, &head, error);
    unlinked batch = {0};
    size_t linked = LINK_BATCH;
    while (result == HL_OK && linked > 0)
        result = link_batch(store, kind, &head, &batch, &linked, error);
    free(batch.records);
    if (result == HL_OK)
        result = write_head(store, kind, &head, error);
    return result;
}

/* Links the events and reads stored before schema 10, when the migration
 * marked that there are some: all in one transaction, with the mark's
 * removal, so that a crash leaves either no link or all of them. */
int hl_sqlite_chain_link_stored(struct hl_sqlite_store *store, hl_error *error)
{
    int64_t marked = 0;
    int result =
        hl_sqlite_select_number(store, "SELECT count(*) FROM meta WHERE key = 'chain_unlinked'",
                                NULL, 0, "chain_link", &marked, error);
    if (result != HL_OK || marked == 0)
        return result;
    result = hl_sqlite_exec_sql(store, "BEGIN IMMEDIATE", "chain_link", error);
    if (result != HL_OK)
        return result;
    result = link_chain(store, HL_CHAIN_EVENTS, error);
    if (result == HL_OK)
        result = link_chain(store, HL_CHAIN_READS, error);
    if (result == HL_OK)
        result = hl_sqlite_exec_sql(store, "DELETE FROM meta WHERE key = 'chain_unlinked'",
                                    "chain_link", error);
    if (result == HL_OK)
        return hl_sqlite_exec_sql(store, "COMMIT", "chain_link", error);
    sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return result;
}

/* ---- Published bulletins ---- */

#define PUBLICATION_COLUMNS                                                                        \
    "month, edition, published_at, published_by, chain_seq, chain_hash, surveyed, reached, "       \
    "satisfied, note, document, digest"

static int sqlite_publication_append(hl_store *base, const hl_publication *publication,
                                     hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    hl_sqlite_parameter parameters[12] = {
        {.number = publication->month},        {.number = publication->edition},
        {.number = publication->published_at}, {.text = publication->published_by},
        {.number = publication->chain.seq},    {.text = publication->chain.hash},
        {.number = publication->surveyed},     {.number = publication->reached},
        {.number = publication->satisfied},    {.text = publication->note},
        {.text = publication->document},       {.text = publication->digest}};
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store,
                                   "INSERT INTO published_bulletins(" PUBLICATION_COLUMNS
                                   ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   parameters, 12, "publication_append", &statement, error);
    if (result != HL_OK)
        return result;
    int rc = sqlite3_step(statement); /* an extended code: see hl_sqlite_open */
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        result = HL_ECONFLICT; /* the caller names what exists */
    else if (rc != SQLITE_DONE)
        result = hl_sqlite_storage_error(store, "publication_append", error);
    sqlite3_finalize(statement);
    return result;
}

typedef struct publication_visit {
    hl_publication_visitor visit;
    void *context;
} publication_visit;

static int visit_publication_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    (void)error;
    publication_visit *visitor = context;
    hl_publication publication;
    memset(&publication, 0, sizeof publication);
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    publication.month = (int)hl_sqlite_read_int64(&row);
    publication.edition = (int)hl_sqlite_read_int64(&row);
    publication.published_at = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, publication.published_by);
    publication.chain.seq = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, publication.chain.hash);
    publication.surveyed = hl_sqlite_read_int64(&row);
    publication.reached = hl_sqlite_read_int64(&row);
    publication.satisfied = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, publication.note);
    const unsigned char *document = sqlite3_column_text(statement, 10);
    publication.document = document != NULL ? (const char *)document : "";
    hl_sqlite_copy_column_text(statement, 11, publication.digest, sizeof publication.digest);
    return visitor->visit(visitor->context, &publication);
}

static int sqlite_publication_each(hl_store *base, int month, hl_publication_visitor visit,
                                   void *context, hl_error *error)
{
    publication_visit visitor = {visit, context};
    hl_sqlite_parameter parameters[2] = {{.number = month}, {.number = month}};
    return hl_sqlite_visit_sql(hl_sqlite_store_of(base),
                               "SELECT " PUBLICATION_COLUMNS " FROM published_bulletins "
                               "WHERE ? = 0 OR month = ? ORDER BY month, edition",
                               parameters, 2, "publication_each", visit_publication_row, &visitor,
                               error);
}

void hl_sqlite_chain_ops(hl_store_ops *ops)
{
    ops->chain_scan = sqlite_chain_scan;
    ops->chain_head = sqlite_chain_head;
    ops->security_append = sqlite_security_append;
    ops->security_each = sqlite_security_each;
    ops->publication_append = sqlite_publication_append;
    ops->publication_each = sqlite_publication_each;
}
