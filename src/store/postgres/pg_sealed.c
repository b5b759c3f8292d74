/* pg_sealed.c: citizens' names and addresses at rest in PostgreSQL, sealed
 * like phones with the codec app/secrets gives (the store holds no key):
 * sealing an order's two texts where the insert binds them, opening them
 * where a row is read, and sealing those that schema 8 and before kept in
 * clear (migration 9 turned them into bytea holding the clear text and
 * marked meta.texts_unsealed) at the first open with the key, in one
 * transaction, followed by VACUUM FULL orders so that the old row versions
 * go. An empty name or address is NULL. No query selects or sorts by
 * either: nothing here searches them. */
#include "store/postgres/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "store/sealing.h"

int hl_pg_seal_order_texts(struct hl_pg_store *store, const hl_order *order,
                           const hl_sealed_phone *given, hl_sealed_phone *scratch,
                           hl_pg_sealed_phone *out, hl_error *error)
{
    int result = hl_store_seal_text(&store->codec, HL_SEALED_NAME, order->citizen_name,
                                    sizeof order->citizen_name, given != NULL ? &given->name : NULL,
                                    scratch->name.bytes, &out->name, &out->name_length, error);
    if (result == HL_OK)
        result =
            hl_store_seal_text(&store->codec, HL_SEALED_ADDRESS, order->address,
                               sizeof order->address, given != NULL ? &given->address : NULL,
                               scratch->address.bytes, &out->address, &out->address_length, error);
    return result;
}

void hl_pg_param_sealed_text(hl_pg_params *params, const unsigned char *bytes, size_t length)
{
    if (bytes != NULL && length > 0)
        hl_pg_param_bytes(params, bytes, length);
    else
        hl_pg_param_null(params);
}

int hl_pg_read_sealed_text(const PGresult *result, int row, int column, const hl_phone_codec *codec,
                           hl_sealed_field field, int64_t id, char *out, size_t size,
                           hl_error *error)
{
    out[0] = '\0';
    if (hl_pg_is_null(result, row, column))
        return HL_OK;
    if (codec == NULL || codec->open_text == NULL)
        return hl_pg_no_codec_error(error);
    unsigned char sealed[HL_SEALED_TEXT_MAX_BYTES];
    size_t length = 0;
    int status = hl_pg_bytes(result, row, column, sealed, sizeof sealed, &length, error);
    if (status == HL_OK &&
        codec->open_text(codec->context, field, sealed, length, out, size, error) == HL_OK)
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

/* ---- Sealing what schema 8 and before kept in clear ---- */

static const char MARK_SQL[] = "SELECT 1 FROM meta WHERE key = 'texts_unsealed'";
static const char CLEAR_BATCH_SQL[] =
    "SELECT id, citizen_name, address FROM orders WHERE id > $1 AND "
    "(citizen_name IS NOT NULL OR address IS NOT NULL) ORDER BY id LIMIT 256";
static const char RESEAL_SQL[] = "UPDATE orders SET citizen_name = $1, address = $2 WHERE id = $3";

static int marked(struct hl_pg_store *store, bool *out, hl_error *error)
{
    PGresult *result = NULL;
    int code = hl_pg_exec(store, MARK_SQL, NULL, "seal_texts", &result, error);
    *out = code == HL_OK && PQntuples(result) > 0;
    PQclear(result);
    return code;
}

/* Reads a bytea holding a text in clear, and seals it into out (length 0
 * when NULL or empty). */
static int reseal_column(struct hl_pg_store *store, const PGresult *rows, int row, int column,
                         hl_sealed_field field, hl_sealed_text *out, hl_error *error)
{
    out->length = 0;
    if (hl_pg_is_null(rows, row, column))
        return HL_OK;
    unsigned char clear[HL_ADDRESS_BYTES];
    size_t length = 0;
    int result = hl_pg_bytes(rows, row, column, clear, sizeof clear - 1, &length, error);
    if (result != HL_OK)
        return result;
    clear[length] = '\0';
    if (length > 0)
        result = store->codec.seal_text(store->codec.context, field, (const char *)clear,
                                        out->bytes, &out->length, error);
    memset(clear, 0, sizeof clear);
    return result;
}

static int seal_batches(struct hl_pg_store *store, hl_error *error)
{
    hl_sealed_phone *scratch = hl_xcalloc(1, sizeof *scratch);
    int64_t after_id = 0;
    int result = HL_OK;
    for (;;) {
        hl_pg_params params;
        hl_pg_params_init(&params);
        hl_pg_param_int64(&params, after_id);
        PGresult *rows = NULL;
        result = hl_pg_exec(store, CLEAR_BATCH_SQL, &params, "seal_texts", &rows, error);
        hl_pg_params_free(&params);
        int count = result == HL_OK ? PQntuples(rows) : 0;
        for (int row = 0; row < count && result == HL_OK; row++) {
            int64_t id = hl_pg_int64(rows, row, 0);
            result = reseal_column(store, rows, row, 1, HL_SEALED_NAME, &scratch->name, error);
            if (result == HL_OK)
                result =
                    reseal_column(store, rows, row, 2, HL_SEALED_ADDRESS, &scratch->address, error);
            hl_pg_params_init(&params);
            hl_pg_param_sealed_text(&params, scratch->name.bytes, scratch->name.length);
            hl_pg_param_sealed_text(&params, scratch->address.bytes, scratch->address.length);
            hl_pg_param_int64(&params, id);
            if (result == HL_OK)
                result = hl_pg_write(store, RESEAL_SQL, &params, "seal_texts", NULL, error);
            hl_pg_params_free(&params);
            after_id = id;
        }
        PQclear(rows);
        if (result != HL_OK || count == 0)
            break;
    }
    memset(scratch, 0, sizeof *scratch);
    free(scratch);
    return result;
}

int hl_pg_seal_stored_texts(struct hl_pg_store *store, hl_error *error)
{
    bool pending = false;
    int result = marked(store, &pending, error);
    if (result != HL_OK || !pending)
        return result;
    if (store->codec.seal_text == NULL)
        return hl_pg_no_codec_error(error);
    result = hl_pg_command(store, "BEGIN", "seal_texts", error);
    if (result != HL_OK)
        return result;
    store->in_transaction = true;
    /* Another process may be sealing them too: the second waits here, then
     * finds the mark gone. */
    result =
        hl_pg_command(store, "LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE", "seal_texts", error);
    if (result == HL_OK)
        result = marked(store, &pending, error);
    if (result == HL_OK && pending)
        result = seal_batches(store, error);
    if (result == HL_OK && pending)
        result = hl_pg_command(store, "DELETE FROM meta WHERE key = 'texts_unsealed'", "seal_texts",
                               error);
    hl_error ignored;
    if (result == HL_OK)
        result = hl_pg_command(store, "COMMIT", "seal_texts", error);
    else
        hl_pg_command(store, "ROLLBACK", "seal_texts", &ignored);
    store->in_transaction = false;
    /* The clear texts stay in the old row versions until the table is
     * rewritten. VACUUM FULL needs the table's owner: for another role
     * PostgreSQL skips it with a warning, and docs/security.md tells the
     * operator to run it as the owner after the upgrade. */
    if (result == HL_OK && pending)
        hl_pg_command(store, "VACUUM FULL orders", "seal_texts", &ignored);
    return result;
}
