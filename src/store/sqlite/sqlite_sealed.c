/* sqlite_sealed.c: citizens' names and addresses at rest in SQLite, sealed
 * like phones with the codec app/secrets gives (the store holds no key):
 * sealing an order's two texts where the insert binds them, opening them
 * where a row is read, and sealing the ones older versions (schema 14 and
 * before) kept in clear, at the first open with the key. An empty name or
 * address is NULL. No query selects or sorts by either: nothing here
 * searches them. */
#include "store/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "store/sealing.h"

int hl_sqlite_seal_order_texts(struct hl_sqlite_store *store, const hl_order *order,
                               const hl_sealed_phone *given, hl_sqlite_sealed_phone *out,
                               hl_error *error)
{
    int result = hl_store_seal_text(&store->codec, HL_SEALED_NAME, order->citizen_name,
                                    sizeof order->citizen_name, given != NULL ? &given->name : NULL,
                                    store->sealed_name, &out->name, &out->name_length, error);
    if (result == HL_OK)
        result =
            hl_store_seal_text(&store->codec, HL_SEALED_ADDRESS, order->address,
                               sizeof order->address, given != NULL ? &given->address : NULL,
                               store->sealed_address, &out->address, &out->address_length, error);
    return result;
}

void hl_sqlite_bind_sealed_text(hl_sqlite_binder *binding, const unsigned char *bytes,
                                size_t length)
{
    if (bytes != NULL && length > 0)
        hl_sqlite_bind_blob(binding, bytes, length);
    else
        hl_sqlite_bind_null(binding);
}

int hl_sqlite_read_sealed_text(hl_sqlite_reader *row, const hl_phone_codec *codec,
                               hl_sealed_field field, int64_t id, char *out, size_t size,
                               hl_error *error)
{
    int column = row->column++;
    int type = sqlite3_column_type(row->statement, column);
    out[0] = '\0';
    if (type == SQLITE_NULL)
        return HL_OK;
    if (type != SQLITE_BLOB) {
        /* Kept in clear by an older version; sealed at the next open with the key. */
        hl_sqlite_copy_column_text(row->statement, column, out, size);
        return HL_OK;
    }
    if (codec == NULL || codec->open_text == NULL)
        return hl_sqlite_no_codec_error(error);
    const void *bytes = sqlite3_column_blob(row->statement, column);
    int length = sqlite3_column_bytes(row->statement, column);
    if (codec->open_text(codec->context, field, bytes, (size_t)(length > 0 ? length : 0), out, size,
                         error) == HL_OK)
        return HL_OK;
    out[0] = '\0';
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("工单 %s 的诉求人姓名或地址无法解密：密钥不符或数据已损坏",
                             "the citizen's name or address of order %s cannot be opened: "
                             "another key, or damaged data"),
                        number);
}

/* ---- Sealing what older versions kept in clear ---- */

#define SEAL_BATCH_ROWS 256

typedef struct clear_texts {
    int64_t id;
    char name[HL_NAME_BYTES];
    char address[HL_ADDRESS_BYTES];
    bool name_clear, address_clear; /* TEXT in the row (else sealed already, or NULL) */
} clear_texts;

static int next_clear_texts(struct hl_sqlite_store *store, sqlite3_stmt *select, int64_t after_id,
                            clear_texts *batch, size_t *count, hl_error *error)
{
    *count = 0;
    sqlite3_reset(select);
    if (sqlite3_bind_int64(select, 1, after_id) != SQLITE_OK)
        return hl_sqlite_storage_error(store, "seal_texts", error);
    int rc;
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        clear_texts *row = &batch[(*count)++];
        row->id = sqlite3_column_int64(select, 0);
        row->name_clear = sqlite3_column_type(select, 1) == SQLITE_TEXT;
        row->address_clear = sqlite3_column_type(select, 2) == SQLITE_TEXT;
        row->name[0] = row->address[0] = '\0';
        if (row->name_clear)
            hl_sqlite_copy_column_text(select, 1, row->name, sizeof row->name);
        if (row->address_clear)
            hl_sqlite_copy_column_text(select, 2, row->address, sizeof row->address);
    }
    sqlite3_reset(select);
    return rc == SQLITE_DONE ? HL_OK : hl_sqlite_storage_error(store, "seal_texts", error);
}

/* Binds one column of the update: its sealed form when it was in clear
 * (NULL when empty), else the column as it stands. */
static int bind_resealed(struct hl_sqlite_store *store, sqlite3_stmt *update, int parameter,
                         hl_sealed_field field, bool clear, const char *text,
                         unsigned char *scratch, hl_error *error)
{
    int rc;
    if (!clear)
        rc = sqlite3_bind_int(update, parameter, 0); /* 0: keep the column */
    else if (text[0] == '\0')
        rc = sqlite3_bind_null(update, parameter);
    else {
        size_t length = 0;
        int result =
            store->codec.seal_text(store->codec.context, field, text, scratch, &length, error);
        if (result != HL_OK)
            return result;
        rc = sqlite3_bind_blob(update, parameter, scratch, (int)length, SQLITE_STATIC);
    }
    return rc == SQLITE_OK ? HL_OK : hl_sqlite_storage_error(store, "seal_texts", error);
}

static int seal_batches(struct hl_sqlite_store *store, sqlite3_stmt *select, sqlite3_stmt *update,
                        hl_error *error)
{
    clear_texts *batch = hl_xmalloc(SEAL_BATCH_ROWS * sizeof *batch);
    int64_t after_id = 0;
    int result = HL_OK;
    for (;;) {
        size_t count = 0;
        result = next_clear_texts(store, select, after_id, batch, &count, error);
        if (result != HL_OK || count == 0)
            break;
        for (size_t index = 0; index < count && result == HL_OK; index++) {
            const clear_texts *row = &batch[index];
            result = bind_resealed(store, update, 1, HL_SEALED_NAME, row->name_clear, row->name,
                                   store->sealed_name, error);
            if (result == HL_OK)
                result = bind_resealed(store, update, 2, HL_SEALED_ADDRESS, row->address_clear,
                                       row->address, store->sealed_address, error);
            if (result == HL_OK && sqlite3_bind_int(update, 3, row->name_clear) == SQLITE_OK &&
                sqlite3_bind_int(update, 4, row->address_clear) == SQLITE_OK &&
                sqlite3_bind_int64(update, 5, row->id) == SQLITE_OK)
                result = hl_sqlite_run_write(store, update, "seal_texts", error);
            else if (result == HL_OK)
                result = hl_sqlite_storage_error(store, "seal_texts", error);
        }
        after_id = batch[count - 1].id;
    }
    memset(batch, 0, SEAL_BATCH_ROWS * sizeof *batch);
    free(batch);
    return result;
}

int hl_sqlite_seal_stored_texts(struct hl_sqlite_store *store, hl_error *error)
{
    if (store->codec.seal_text == NULL)
        return hl_sqlite_no_codec_error(error);
    sqlite3_stmt *select = NULL, *update = NULL;
    int result = HL_OK;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT id, citizen_name, address FROM orders WHERE id > ? AND "
                           "(typeof(citizen_name) = 'text' OR typeof(address) = 'text') "
                           "ORDER BY id LIMIT 256",
                           -1, &select, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(store->db,
                           "UPDATE orders SET citizen_name = CASE WHEN ?3 THEN ?1 ELSE "
                           "citizen_name END, address = CASE WHEN ?4 THEN ?2 ELSE address END "
                           "WHERE id = ?5",
                           -1, &update, NULL) != SQLITE_OK)
        result = hl_sqlite_storage_error(store, "seal_texts", error);
    if (result == HL_OK)
        result = seal_batches(store, select, update, error);
    sqlite3_finalize(select);
    sqlite3_finalize(update);
    return result;
}
