/* pg_phones.c: citizens' phone numbers at rest in PostgreSQL: sealing an
 * order's number with the codec app/secrets gives (the store holds no key),
 * opening it when read, the phone_index of search hashes that a search by
 * phone reads (pg_queries.c), and seal_phones, which has nothing to do
 * here. It does not decide who may read a number (app/). */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

/* Written in the insert's transaction: unlike SQLite, whose bulk load
 * sorts the entries first to visit each B-tree page once, PostgreSQL
 * loads in bulk through COPY (pg_copyin.c, in bulk mode), and a server's
 * single registrations gain nothing from waiting. */
int hl_pg_index_phone(struct hl_pg_store *store, const hl_derive_phone_entry *entry,
                      hl_error *error)
{
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_bytes(&params, entry->hash, HL_PHONE_HASH_BYTES);
    hl_pg_param_int64(&params, entry->received_at);
    hl_pg_param_int64(&params, entry->order_id);
    /* The entry of an order inserted through COPY goes there too: its key
     * holds a number just claimed, which no stored entry can. */
    if (store->copy_in && hl_pg_copyin_claimed_order(store, entry->order_id)) {
        int result = hl_pg_copyin_add(store, HL_PG_COPYIN_PHONES, &params, error);
        hl_pg_params_free(&params);
        return result;
    }
    int result = hl_pg_write(store,
                             "INSERT INTO phone_index(phone_hash, received_at, order_id) "
                             "VALUES($1, $2, $3)",
                             &params, "phone_index", NULL, error);
    hl_pg_params_free(&params);
    return result;
}

/* Seals an order's phone into scratch (the caller's, which it clears after
 * use) and points out at it; out->length 0 when the order has none. */
int hl_pg_seal_order_phone(struct hl_pg_store *store, const hl_order *order,
                           hl_sealed_phone *scratch, hl_pg_sealed_phone *out, hl_error *error)
{
    out->bytes = NULL;
    out->length = 0;
    out->hash = NULL;
    size_t length = strnlen(order->citizen_phone, sizeof order->citizen_phone);
    if (length == 0)
        return HL_OK;
    if (store->codec.seal == NULL)
        return hl_pg_no_codec_error(error);
    char phone[sizeof order->citizen_phone + 1];
    memcpy(phone, order->citizen_phone, length);
    phone[length] = '\0';
    size_t sealed_length = 0;
    int result = store->codec.seal(store->codec.context, phone, scratch->bytes, &sealed_length,
                                   scratch->hash, error);
    memset(phone, 0, sizeof phone);
    if (result != HL_OK)
        return result;
    scratch->length = sealed_length;
    out->bytes = scratch->bytes;
    out->length = sealed_length;
    out->hash = scratch->hash;
    return HL_OK;
}

/* Reads a phone column: NULL is no phone; bytea is a sealed number, opened
 * with the codec. (No column holds a number in clear: see seal_phones.) */
int hl_pg_read_phone(const PGresult *result, int row, int column, const hl_phone_codec *codec,
                     int64_t id, char *out, size_t size, hl_error *error)
{
    out[0] = '\0';
    if (hl_pg_is_null(result, row, column))
        return HL_OK;
    if (codec == NULL || codec->open == NULL)
        return hl_pg_no_codec_error(error);
    unsigned char sealed[HL_PHONE_SEALED_MAX_BYTES];
    size_t length = 0;
    int status = hl_pg_bytes(result, row, column, sealed, sizeof sealed, &length, error);
    if (status == HL_OK && codec->open(codec->context, sealed, length, out, size, error) == HL_OK)
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

/* The search hash of a phone as a filter wrote it, which only the codec
 * can compute. */
int hl_pg_hash_phone(struct hl_pg_store *store, const char *phone,
                     unsigned char hash[HL_PHONE_HASH_BYTES], hl_error *error)
{
    if (store->codec.hash == NULL)
        return hl_pg_no_codec_error(error);
    return store->codec.hash(store->codec.context, phone, hash, error);
}

static void pg_set_phone_codec(hl_store *base, const hl_phone_codec *codec)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    if (codec != NULL)
        store->codec = *codec;
    else
        memset(&store->codec, 0, sizeof store->codec);
}

/* SQLite's seal_phones seals the numbers that its schemas 4 and older kept
 * in clear. A PostgreSQL store has no such past for phones: its first
 * schema already holds sealed numbers only (a bytea column written through
 * the codec; a copy from SQLite reads through the source's codec and
 * writes through this one). Names and addresses it kept in clear until
 * schema 9: those are sealed here, once (pg_sealed.c); without the mark
 * this is one lookup and needs no codec. */
static int pg_seal_phones(hl_store *base, hl_error *error)
{
    return hl_pg_seal_stored_texts(hl_pg_store_of(base), error);
}

void hl_pg_phones_ops(hl_store_ops *ops)
{
    ops->set_phone_codec = pg_set_phone_codec;
    ops->seal_phones = pg_seal_phones;
}
