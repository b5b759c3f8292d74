/* sqlite_phones.c: citizens' phone numbers at rest in SQLite: sealing an
 * order's number with the codec app/secrets gives (the store holds no key),
 * opening it when read, the phone_index of search hashes (written in key
 * order, at commit or in bounded runs, in bulk mode), and sealing the
 * numbers older versions kept in clear. It does not decide who may read a
 * number (app/). */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/i18n.h"
#include "base/text.h"

#define HL_STRINGIFY_TEXT(value) #value
#define HL_STRINGIFY(value) HL_STRINGIFY_TEXT(value)

/* Entries of phone_index (store/derive.h) wait for their transaction's
 * commit in bulk mode. A bulk load (an import of a million orders) would
 * otherwise insert its search hashes in random order, each landing on its
 * own B-tree page: measured, 3.4 µs a row on the import's writing thread;
 * sorted first, the same entries cost 1.3 µs. */

/* Entries kept before they are written anyway (8 MiB), so that an import's
 * memory stays bounded whatever the size of its file: each flush writes a
 * sorted run, which costs about what one sorted write at commit does while
 * the index's pages stay in SQLite's cache. */
#define PENDING_PHONES_MAX ((size_t)1 << 18)

static int put_phone_index(struct hl_sqlite_store *store, const hl_derive_phone_entry *entry,
                           hl_error *error)
{
    sqlite3_stmt *statement = store->statements[STMT_PHONE_INDEX_PUT];
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    hl_sqlite_bind_blob(&binding, entry->hash, HL_PHONE_HASH_BYTES);
    hl_sqlite_bind_int64(&binding, entry->received_at);
    hl_sqlite_bind_int64(&binding, entry->order_id);
    if (binding.rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, "phone_index", error);
    return hl_sqlite_run_write(store, statement, "phone_index", error);
}

/* ---- the waiting entries as a table: hl_pending_phones ----
 *
 * A flush writes its sorted entries with one statement,
 * STMT_PHONE_INDEX_PUT_PENDING, which reads them from this read-only
 * virtual table over store->pending. Written one statement each, every
 * entry paid SQLite's start and end of a statement (opening and closing
 * its cursor, releasing its registers): measured with callgrind, about
 * half of the 6,500 instructions each sorted entry cost the import's
 * writing thread. */

typedef struct pending_table {
    sqlite3_vtab base; /* first: SQLite's part */
    struct hl_sqlite_store *store;
} pending_table;

typedef struct pending_cursor {
    sqlite3_vtab_cursor base; /* first: SQLite's part */
    size_t row;
} pending_cursor;

static int pending_connect(sqlite3 *db, void *store, int argc, const char *const *argv,
                           sqlite3_vtab **out, char **message)
{
    (void)argc;
    (void)argv;
    (void)message;
    int rc = sqlite3_declare_vtab(
        db, "CREATE TABLE x(phone_hash BLOB, received_at INTEGER, order_id INTEGER)");
    if (rc != SQLITE_OK)
        return rc;
    /* Only the store's own statements name it, never a trigger or view. */
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    pending_table *table = hl_xcalloc(1, sizeof *table);
    table->store = store;
    *out = &table->base;
    return SQLITE_OK;
}

static int pending_disconnect(sqlite3_vtab *table)
{
    free(table);
    return SQLITE_OK;
}

/* One way to read it: every entry, in the order they stand. */
static int pending_best_index(sqlite3_vtab *table, sqlite3_index_info *info)
{
    (void)table;
    info->estimatedCost = 1000000.0;
    info->estimatedRows = 1000000;
    return SQLITE_OK;
}

static int pending_open(sqlite3_vtab *table, sqlite3_vtab_cursor **out)
{
    (void)table;
    pending_cursor *cursor = hl_xcalloc(1, sizeof *cursor);
    *out = &cursor->base;
    return SQLITE_OK;
}

static int pending_close(sqlite3_vtab_cursor *cursor)
{
    free(cursor);
    return SQLITE_OK;
}

static int pending_filter(sqlite3_vtab_cursor *cursor, int plan, const char *plan_text, int argc,
                          sqlite3_value **argv)
{
    (void)plan;
    (void)plan_text;
    (void)argc;
    (void)argv;
    ((pending_cursor *)cursor)->row = 0;
    return SQLITE_OK;
}

static int pending_next(sqlite3_vtab_cursor *cursor)
{
    ((pending_cursor *)cursor)->row++;
    return SQLITE_OK;
}

static int pending_eof(sqlite3_vtab_cursor *cursor)
{
    const pending_table *table = (const pending_table *)cursor->pVtab;
    return ((pending_cursor *)cursor)->row >= table->store->pending_count;
}

static int pending_column(sqlite3_vtab_cursor *cursor, sqlite3_context *context, int column)
{
    const pending_table *table = (const pending_table *)cursor->pVtab;
    const hl_derive_phone_entry *entry = &table->store->pending[((pending_cursor *)cursor)->row];
    if (column == 0)
        sqlite3_result_blob(context, entry->hash, HL_PHONE_HASH_BYTES, SQLITE_STATIC);
    else
        sqlite3_result_int64(context, column == 1 ? entry->received_at : entry->order_id);
    return SQLITE_OK;
}

static int pending_rowid(sqlite3_vtab_cursor *cursor, sqlite3_int64 *out)
{
    *out = (sqlite3_int64)((pending_cursor *)cursor)->row;
    return SQLITE_OK;
}

/* Eponymous only (no xCreate): the table exists on every connection
 * that registered the module, and no schema names it. */
static const sqlite3_module pending_module = {
    .iVersion = 0,
    .xConnect = pending_connect,
    .xBestIndex = pending_best_index,
    .xDisconnect = pending_disconnect,
    .xOpen = pending_open,
    .xClose = pending_close,
    .xFilter = pending_filter,
    .xNext = pending_next,
    .xEof = pending_eof,
    .xColumn = pending_column,
    .xRowid = pending_rowid,
};

int hl_sqlite_register_pending_phones(struct hl_sqlite_store *store, hl_error *error)
{
    if (sqlite3_create_module_v2(store->db, "hl_pending_phones", &pending_module, store, NULL) !=
        SQLITE_OK)
        return hl_sqlite_storage_error(store, "open", error);
    return HL_OK;
}

/* Writes the waiting entries in key order, so that each B-tree page is
 * visited once, with one statement. */
int hl_sqlite_flush_pending_phones(struct hl_sqlite_store *store, hl_error *error)
{
    if (store->pending_count == 0)
        return HL_OK;
    qsort(store->pending, store->pending_count, sizeof *store->pending,
          hl_derive_phone_entry_compare);
    int result = hl_sqlite_run_write(store, store->statements[STMT_PHONE_INDEX_PUT_PENDING],
                                     "phone_index", error);
    store->pending_count = 0;
    return result;
}

void hl_sqlite_drop_pending_phones(struct hl_sqlite_store *store)
{
    store->pending_count = 0;
}

/* Indexes an order's phone: at once, or in bulk mode at commit. */
int hl_sqlite_index_phone(struct hl_sqlite_store *store, const hl_derive_phone_entry *entry,
                          hl_error *error)
{
    if (!store->bulk)
        return put_phone_index(store, entry, error);
    HL_ARRAY_GROW(store->pending, store->pending_count, store->pending_room);
    store->pending[store->pending_count++] = *entry;
    return store->pending_count >= PENDING_PHONES_MAX ? hl_sqlite_flush_pending_phones(store, error)
                                                      : HL_OK;
}

/* Seals an order's phone into the store's scratch space, where it stays
 * until the insert has run. */
int hl_sqlite_seal_order_phone(struct hl_sqlite_store *store, const hl_order *order,
                               hl_sqlite_sealed_phone *out, hl_error *error)
{
    out->bytes = NULL;
    out->length = 0;
    out->hash = NULL;
    size_t length = strnlen(order->citizen_phone, sizeof order->citizen_phone);
    if (length == 0)
        return HL_OK;
    if (store->codec.seal == NULL)
        return hl_sqlite_no_codec_error(error);
    char phone[sizeof order->citizen_phone + 1];
    memcpy(phone, order->citizen_phone, length);
    phone[length] = '\0';
    size_t sealed_length = 0;
    int result = store->codec.seal(store->codec.context, phone, store->sealed, &sealed_length,
                                   store->sealed_hash, error);
    if (result != HL_OK)
        return result;
    out->bytes = store->sealed;
    out->length = sealed_length;
    out->hash = store->sealed_hash;
    return HL_OK;
}

/* Reads a phone column: NULL is no phone; a BLOB is sealed and opened with
 * the codec; TEXT is a number an older version wrote in clear that
 * seal_phones has not reached yet. */
int hl_sqlite_read_phone(hl_sqlite_reader *row, const hl_phone_codec *codec, int64_t id, char *out,
                         size_t size, hl_error *error)
{
    int column = row->column++;
    int type = sqlite3_column_type(row->statement, column);
    out[0] = '\0';
    if (type == SQLITE_NULL)
        return HL_OK;
    if (type != SQLITE_BLOB) {
        hl_sqlite_copy_column_text(row->statement, column, out, size);
        return HL_OK;
    }
    if (codec == NULL || codec->open == NULL)
        return hl_sqlite_no_codec_error(error);
    const void *bytes = sqlite3_column_blob(row->statement, column);
    int length = sqlite3_column_bytes(row->statement, column);
    if (codec->open(codec->context, bytes, (size_t)(length > 0 ? length : 0), out, size, error) ==
        HL_OK)
        return HL_OK;
    out[0] = '\0';
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(
        error, HL_EIO, NULL,
        HL_T("工单 %s 的联系电话无法解密：密钥不符或数据已损坏",
             "the phone number of order %s cannot be opened: another key, or damaged data"),
        number);
}

static void sqlite_set_phone_codec(hl_store *base, const hl_phone_codec *codec)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    if (codec != NULL)
        store->codec = *codec;
    else
        memset(&store->codec, 0, sizeof store->codec);
}

/* What meta says of phones (key 'phones_unsealed', set by migration 5) or
 * of names and addresses ('texts_unsealed', migration 15) written in
 * clear: none ('\0'), some to seal ('1'), or sealed with the file still to
 * be rewritten ('v'). */
static int marked_unsealed(struct hl_sqlite_store *store, const char *key, char *out,
                           hl_error *error)
{
    sqlite3_stmt *statement = NULL;
    *out = '\0';
    if (sqlite3_prepare_v2(store->db, "SELECT value FROM meta WHERE key = ?", -1, &statement,
                           NULL) != SQLITE_OK ||
        sqlite3_bind_text(statement, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return hl_sqlite_storage_error(store, "seal_phones", error);
    }
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
        const unsigned char *value = sqlite3_column_text(statement, 0);
        *out = value != NULL && value[0] == 'v' ? 'v' : '1';
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return hl_sqlite_storage_error(store, "seal_phones", error);
    return HL_OK;
}

/* The connection's secure_delete setting (0 or 1). */
static int read_secure_delete(struct hl_sqlite_store *store)
{
    sqlite3_stmt *statement = NULL;
    int value = 0;
    if (sqlite3_prepare_v2(store->db, "PRAGMA secure_delete", -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

/* Rewrites the file once its phones are sealed, so that no copy in clear
 * survives: VACUUM leaves no free space holding old rows (whatever
 * SQLite's secure_delete default), and a truncating checkpoint removes the
 * WAL's old page images. A failure leaves the mark, to try at next open. */
static int rewrite_after_sealing(struct hl_sqlite_store *store, hl_error *error)
{
    int result = hl_sqlite_exec_sql(store, "VACUUM", "seal_phones", error);
    if (result == HL_OK)
        result = hl_sqlite_exec_sql(
            store, "DELETE FROM meta WHERE key IN ('phones_unsealed', 'texts_unsealed')",
            "seal_phones", error);
    if (result == HL_OK && sqlite3_wal_checkpoint_v2(store->db, "main", SQLITE_CHECKPOINT_TRUNCATE,
                                                     NULL, NULL) != SQLITE_OK)
        result = hl_sqlite_storage_error(store, "seal_phones", error);
    return result;
}

/* How many clear phones are read before they are sealed and written. */
#define SEAL_BATCH_ROWS 512

typedef struct clear_phone {
    int64_t id;
    int64_t received_at;
    char phone[HL_PHONE_BYTES];
} clear_phone;

/* Reads the next batch of phones kept in clear after order after_id. */
static int next_clear_phones(struct hl_sqlite_store *store, sqlite3_stmt *select, int64_t after_id,
                             clear_phone *batch, size_t *count, hl_error *error)
{
    *count = 0;
    sqlite3_reset(select);
    if (sqlite3_bind_int64(select, 1, after_id) != SQLITE_OK)
        return hl_sqlite_storage_error(store, "seal_phones", error);
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        batch[*count].id = sqlite3_column_int64(select, 0);
        batch[*count].received_at = sqlite3_column_int64(select, 1);
        hl_sqlite_copy_column_text(select, 2, batch[*count].phone, sizeof batch[*count].phone);
        (*count)++;
    }
    sqlite3_reset(select);
    return rc == SQLITE_DONE ? HL_OK : hl_sqlite_storage_error(store, "seal_phones", error);
}

static int seal_clear_phones(struct hl_sqlite_store *store, sqlite3_stmt *select,
                             sqlite3_stmt *update, hl_error *error)
{
    clear_phone *batch = hl_xmalloc(SEAL_BATCH_ROWS * sizeof *batch);
    int64_t after_id = 0;
    int result = HL_OK;
    for (;;) {
        size_t count = 0;
        result = next_clear_phones(store, select, after_id, batch, &count, error);
        if (result != HL_OK || count == 0)
            break;
        for (size_t index = 0; index < count && result == HL_OK; index++) {
            size_t length = 0;
            result = store->codec.seal(store->codec.context, batch[index].phone, store->sealed,
                                       &length, store->sealed_hash, error);
            if (result != HL_OK)
                break;
            hl_sqlite_binder binding = hl_sqlite_binder_of(update);
            hl_sqlite_bind_blob(&binding, store->sealed, length);
            hl_sqlite_bind_int64(&binding, batch[index].id);
            result = binding.rc == SQLITE_OK
                         ? hl_sqlite_run_write(store, update, "seal_phones", error)
                         : hl_sqlite_storage_error(store, "seal_phones", error);
            hl_derive_phone_entry entry = {.received_at = batch[index].received_at,
                                           .order_id = batch[index].id};
            memcpy(entry.hash, store->sealed_hash, HL_PHONE_HASH_BYTES);
            if (result == HL_OK)
                result = put_phone_index(store, &entry, error);
        }
        after_id = batch[count - 1].id;
    }
    memset(batch, 0, SEAL_BATCH_ROWS * sizeof *batch);
    free(batch);
    return result;
}

/* Both marks: of phones and of names and addresses. */
static int read_marks(struct hl_sqlite_store *store, char *phones, char *texts, hl_error *error)
{
    int result = marked_unsealed(store, "phones_unsealed", phones, error);
    if (result == HL_OK)
        result = marked_unsealed(store, "texts_unsealed", texts, error);
    return result;
}

/* Seals, in one transaction, every phone, name and address an older
 * version wrote in clear, a batch at a time in number order (the batch is
 * read, then written, so that no row changes under a running SELECT), and
 * marks them done; then rewrites the file and removes the marks. */
static int sqlite_seal_phones(hl_store *base, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    char phones = '\0', texts = '\0';
    int result = read_marks(store, &phones, &texts, error);
    if (result != HL_OK || (phones == '\0' && texts == '\0'))
        return result;
    if (phones != '1' && texts != '1')
        return rewrite_after_sealing(store, error);
    if (store->codec.seal == NULL || store->codec.seal_text == NULL)
        return hl_sqlite_no_codec_error(error);
    sqlite3_stmt *select = NULL, *update = NULL;
    if (sqlite3_prepare_v2(
            store->db,
            "SELECT id, received_at, citizen_phone FROM orders WHERE id > ? AND "
            "typeof(citizen_phone) = 'text' "
            "AND citizen_phone <> '' ORDER BY id LIMIT " HL_STRINGIFY(SEAL_BATCH_ROWS),
            -1, &select, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(store->db, "UPDATE orders SET citizen_phone = ? WHERE id = ?", -1,
                           &update, NULL) != SQLITE_OK) {
        result = hl_sqlite_storage_error(store, "seal_phones", error);
        sqlite3_finalize(select);
        sqlite3_finalize(update);
        return result;
    }
    /* Each text's clear bytes are overwritten where they stood; the
     * connection's own setting comes back afterwards. */
    int secure_delete = read_secure_delete(store);
    result =
        hl_sqlite_exec_sql(store, "PRAGMA secure_delete=ON; BEGIN IMMEDIATE", "seal_phones", error);
    if (result == HL_OK) {
        /* Another process may have sealed them while we waited for the lock. */
        result = read_marks(store, &phones, &texts, error);
        if (result == HL_OK && phones == '1')
            result = seal_clear_phones(store, select, update, error);
        if (result == HL_OK && texts == '1')
            result = hl_sqlite_seal_stored_texts(store, error);
        if (result == HL_OK && (phones == '1' || texts == '1'))
            result = hl_sqlite_exec_sql(
                store,
                "UPDATE meta SET value = 'v' WHERE key IN ('phones_unsealed', 'texts_unsealed')",
                "seal_phones", error);
        if (result == HL_OK)
            result = hl_sqlite_exec_sql(store, "COMMIT", "seal_phones", error);
        if (result != HL_OK)
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(select);
    sqlite3_finalize(update);
    if (result == HL_OK && (phones != '\0' || texts != '\0'))
        result = rewrite_after_sealing(store, error);
    sqlite3_exec(store->db, secure_delete ? "PRAGMA secure_delete=ON" : "PRAGMA secure_delete=OFF",
                 NULL, NULL, NULL);
    return result;
}

void hl_sqlite_phones_ops(hl_store_ops *ops)
{
    ops->set_phone_codec = sqlite_set_phone_codec;
    ops->seal_phones = sqlite_seal_phones;
}
