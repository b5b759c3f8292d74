/* pg_orders.c: orders as rows in PostgreSQL: the largest number of a day
 * (under a lock that makes a day's numbers gapless when registrations run
 * at once), insert, the optimistic update, get, and the heads scan. It
 * keeps order_units and the per-state counts in step with every write,
 * from the rows store/derive.c derives (pg_connection.c writes the counts
 * at commit). In bulk mode a new order and its rows go through COPY
 * (pg_copyin.c) instead of an INSERT each. Lists and counts over many
 * orders are pg_queries.c's; phones are sealed and indexed by pg_phones.c. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

/* The names of an order's enumerations, checked before anything is sent. */
typedef struct order_names {
    const char *state;
    const char *state_before_return;
    const char *channel;
    const char *type;
} order_names;

static int order_names_of(const hl_order *order, order_names *names, hl_error *error)
{
    names->state = hl_pg_encode_enum((int)order->state, hl_pg_state_name, HL_STATE_COUNT);
    if (names->state == NULL)
        return hl_pg_bad_enum("state", (int)order->state, error);
    names->state_before_return =
        hl_pg_encode_enum((int)order->state_before_return, hl_pg_state_name, HL_STATE_COUNT);
    if (names->state_before_return == NULL)
        return hl_pg_bad_enum("state_before_return", (int)order->state_before_return, error);
    names->channel = hl_pg_encode_enum((int)order->channel, hl_pg_channel_name, HL_CHANNEL_COUNT);
    if (names->channel == NULL)
        return hl_pg_bad_enum("channel", (int)order->channel, error);
    names->type = hl_pg_encode_enum((int)order->type, hl_pg_type_name, HL_TYPE_COUNT);
    if (names->type == NULL)
        return hl_pg_bad_enum("type", (int)order->type, error);
    return HL_OK;
}

/* The columns order_update writes, in the order of HL_PG_ORDER_COLUMNS
 * from version on. Booleans are 0/1 integers, as SQLite keeps them. */
static void param_order_mutable(hl_pg_params *params, const hl_order *order,
                                const order_names *names)
{
    hl_pg_param_int64(params, order->version);
    hl_pg_param_text(params, names->state);
    hl_pg_param_text(params, names->state_before_return);
    HL_PG_PARAM_FIELD(params, order->lead_unit);
    HL_PG_PARAM_FIELD(params, order->co_units);
    hl_pg_param_int64(params, order->dispatched_at);
    hl_pg_param_int64(params, order->sign_deadline);
    hl_pg_param_int64(params, order->signed_at);
    hl_pg_param_int64(params, order->return_deadline);
    hl_pg_param_int64(params, order->handle_deadline);
    hl_pg_param_int64(params, order->due_at);
    HL_PG_PARAM_FIELD(params, order->reply);
    hl_pg_param_int64(params, order->completed_at);
    hl_pg_param_int64(params, order->extension_count);
    hl_pg_param_int64(params, order->extension_pending_days);
    hl_pg_param_int64(params, order->return_count);
    hl_pg_param_int64(params, order->reopen_count);
    hl_pg_param_int64(params, order->remind_count);
    hl_pg_param_int64(params, order->supervise_count);
    hl_pg_param_int64(params, order->duplicate_of);
    hl_pg_param_int64(params, order->excluded ? 1 : 0);
    HL_PG_PARAM_FIELD(params, order->excluded_reason);
    hl_pg_param_int64(params, order->assessed_month);
    hl_pg_param_int64(params, order->survey_attempts);
    hl_pg_param_int64(params, order->survey_result);
    hl_pg_param_int64(params, order->rating);
    hl_pg_param_int64(params, order->resolved);
    HL_PG_PARAM_FIELD(params, order->survey_comment);
    hl_pg_param_int64(params, order->surveyed_at);
    hl_pg_param_int64(params, order->appeal_state);
    HL_PG_PARAM_FIELD(params, order->appeal_reason);
}

/* Every column, in the order of HL_PG_ORDER_COLUMNS. */
static void param_order(hl_pg_params *params, const hl_order *order, const order_names *names,
                        const hl_pg_sealed_phone *phone)
{
    hl_pg_param_int64(params, order->id);
    hl_pg_param_text(params, names->channel);
    hl_pg_param_text(params, names->type);
    hl_pg_param_int64(params, order->received_at);
    hl_pg_param_sealed_text(params, phone->name, phone->name_length);
    if (phone->length > 0)
        hl_pg_param_bytes(params, phone->bytes, phone->length);
    else
        hl_pg_param_null(params);
    hl_pg_param_sealed_text(params, phone->address, phone->address_length);
    hl_pg_param_int64(params, order->has_location ? 1 : 0);
    hl_pg_param_double(params, order->latitude);
    hl_pg_param_double(params, order->longitude);
    HL_PG_PARAM_FIELD(params, order->category);
    HL_PG_PARAM_FIELD(params, order->title);
    HL_PG_PARAM_FIELD(params, order->content);
    HL_PG_PARAM_FIELD(params, order->registered_by);
    hl_pg_param_int64(params, order->publish_consent ? 1 : 0);
    param_order_mutable(params, order, names);
}

int hl_pg_read_order(const PGresult *result, int row, const hl_phone_codec *codec, hl_order *order,
                     hl_error *error)
{
    hl_pg_row reader = hl_pg_row_of(result, row);
    order->id = hl_pg_row_int64(&reader);
    order->channel = (hl_channel)hl_pg_row_enum(&reader, hl_pg_channel_name, HL_CHANNEL_COUNT);
    order->type = (hl_order_type)hl_pg_row_enum(&reader, hl_pg_type_name, HL_TYPE_COUNT);
    order->received_at = hl_pg_row_int64(&reader);
    int name_result =
        hl_pg_read_sealed_text(result, row, reader.column++, codec, HL_SEALED_NAME, order->id,
                               order->citizen_name, sizeof order->citizen_name, error);
    int phone_result = hl_pg_read_phone(result, row, reader.column++, codec, order->id,
                                        order->citizen_phone, sizeof order->citizen_phone, error);
    int address_result =
        hl_pg_read_sealed_text(result, row, reader.column++, codec, HL_SEALED_ADDRESS, order->id,
                               order->address, sizeof order->address, error);
    if (phone_result == HL_OK)
        phone_result = name_result != HL_OK ? name_result : address_result;
    order->has_location = hl_pg_row_int64(&reader) != 0;
    order->latitude = hl_pg_row_double(&reader);
    order->longitude = hl_pg_row_double(&reader);
    HL_PG_ROW_FIELD(&reader, order->category);
    HL_PG_ROW_FIELD(&reader, order->title);
    HL_PG_ROW_FIELD(&reader, order->content);
    HL_PG_ROW_FIELD(&reader, order->registered_by);
    order->publish_consent = hl_pg_row_int64(&reader) != 0;
    order->version = hl_pg_row_int64(&reader);
    order->state = (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
    order->state_before_return =
        (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
    HL_PG_ROW_FIELD(&reader, order->lead_unit);
    HL_PG_ROW_FIELD(&reader, order->co_units);
    order->dispatched_at = hl_pg_row_int64(&reader);
    order->sign_deadline = hl_pg_row_int64(&reader);
    order->signed_at = hl_pg_row_int64(&reader);
    order->return_deadline = hl_pg_row_int64(&reader);
    order->handle_deadline = hl_pg_row_int64(&reader);
    order->due_at = hl_pg_row_int64(&reader);
    HL_PG_ROW_FIELD(&reader, order->reply);
    order->completed_at = hl_pg_row_int64(&reader);
    order->extension_count = hl_pg_row_int(&reader);
    order->extension_pending_days = hl_pg_row_int(&reader);
    order->return_count = hl_pg_row_int(&reader);
    order->reopen_count = hl_pg_row_int(&reader);
    order->remind_count = hl_pg_row_int(&reader);
    order->supervise_count = hl_pg_row_int(&reader);
    order->duplicate_of = hl_pg_row_int64(&reader);
    order->excluded = hl_pg_row_int64(&reader) != 0;
    HL_PG_ROW_FIELD(&reader, order->excluded_reason);
    order->assessed_month = hl_pg_row_int(&reader);
    order->survey_attempts = hl_pg_row_int(&reader);
    order->survey_result = (hl_survey_result)hl_pg_row_small(&reader, HL_SURVEY_FAILED + 1);
    order->rating = (hl_rating)hl_pg_row_small(&reader, HL_RATING_COUNT);
    order->resolved = (hl_resolved)hl_pg_row_small(&reader, HL_RESOLVED_NO + 1);
    HL_PG_ROW_FIELD(&reader, order->survey_comment);
    order->surveyed_at = hl_pg_row_int64(&reader);
    order->appeal_state = (hl_appeal_state)hl_pg_row_small(&reader, HL_APPEAL_REJECTED + 1);
    HL_PG_ROW_FIELD(&reader, order->appeal_reason);
    int status = hl_pg_row_status(&reader, error);
    return status != HL_OK ? status : phone_result;
}

/* The largest number in [from_id, to_id], 0 when there is none. In READ
 * COMMITTED each statement reads a snapshot taken when it starts, so the
 * day's lock is taken by a statement of its own: the SELECT that follows
 * starts after the lock is granted and sees the number the previous holder
 * committed. Two registrations of one day thus queue on the lock (held to
 * the end of the transaction) and never read the same largest number: no
 * duplicates; and since the holder commits its number or rolls back
 * before the next one reads, no gaps either. */
static int pg_order_max_id(hl_store *base, int64_t from_id, int64_t to_id, int64_t *out,
                           hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    *out = 0;
    /* For the platform's numbers this is the day (yyyymmdd); any other
     * range folds into int4, where a collision only makes two ranges share
     * a queue. */
    int64_t day = from_id / HL_ORDER_SEQUENCE_LIMIT;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, (int32_t)(uint32_t)(uint64_t)day);
    int result =
        hl_pg_exec(store, "SELECT pg_advisory_xact_lock(" HL_PG_LOCK_ORDER_DAYS_TEXT ", $1::int4)",
                   &params, "order_max_id", NULL, error);
    hl_pg_params_free(&params);
    if (result != HL_OK)
        return result;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, from_id);
    hl_pg_param_int64(&params, to_id);
    PGresult *rows = NULL;
    result = hl_pg_exec(store, "SELECT max(id) FROM orders WHERE id BETWEEN $1 AND $2", &params,
                        "order_max_id", &rows, error);
    hl_pg_params_free(&params);
    if (result == HL_OK && PQntuples(rows) > 0 && !hl_pg_is_null(rows, 0, 0))
        *out = hl_pg_int64(rows, 0, 0);
    PQclear(rows);
    return result;
}

/* ---- order_units and the per-state counts ---- */

/* Whether the unit of rows[index] is also that of an earlier row. */
static bool listed_before(const hl_derive_unit_rows *rows, size_t index)
{
    for (size_t other = 0; other < index; other++)
        if (rows->rows[other].length == rows->rows[index].length &&
            memcmp(rows->rows[other].code, rows->rows[index].code, rows->rows[index].length) == 0)
            return true;
    return false;
}

/* Writes (put) or deletes the order_units rows store/derive.c gave, all
 * keyed by the order's received time and number. ON CONFLICT DO NOTHING:
 * a co-handling unit that is also the lead keeps its lead row. */
static int write_unit_rows(struct hl_pg_store *store, bool put, const hl_derive_unit_rows *rows,
                           hl_time received_at, int64_t id, hl_error *error)
{
    const char *operation = put ? "order_units put" : "order_units delete";
    /* The rows of an order inserted through COPY follow it there: no
     * stored row can name a number just claimed, and a unit listed twice
     * keeps its first row, as DO NOTHING would. */
    bool copy = put && store->copy_in && hl_pg_copyin_claimed_order(store, id);
    int result = HL_OK;
    for (size_t index = 0; index < rows->count && result == HL_OK; index++) {
        const hl_derive_unit_row *row = &rows->rows[index];
        if (copy && listed_before(rows, index))
            continue;
        hl_pg_params params;
        hl_pg_params_init(&params);
        hl_pg_param_field(&params, row->code, row->length);
        hl_pg_param_int64(&params, received_at);
        hl_pg_param_int64(&params, id);
        if (copy) {
            hl_pg_param_int64(&params, row->lead ? 1 : 0);
            result = hl_pg_copyin_add(store, HL_PG_COPYIN_UNITS, &params, error);
        } else if (put) {
            hl_pg_param_int64(&params, row->lead ? 1 : 0);
            result = hl_pg_write(store,
                                 "INSERT INTO order_units(unit, received, order_id, lead) "
                                 "VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                 &params, operation, NULL, error);
        } else {
            result = hl_pg_write(store,
                                 "DELETE FROM order_units "
                                 "WHERE unit = $1 AND received = $2 AND order_id = $3",
                                 &params, operation, NULL, error);
        }
        hl_pg_params_free(&params);
    }
    return result;
}

/* Brings order_units from before (NULL: a registration) to after, and
 * counts the order's change of state. */
static int keep_list_tables(struct hl_pg_store *store, const hl_derive_listing *before,
                            const hl_order *after, hl_error *error)
{
    hl_derive_unit_rows removed, added;
    hl_derive_unit_change(before, after, &removed, &added);
    hl_time received_at = before != NULL ? before->received_at : after->received_at;
    int result = write_unit_rows(store, false, &removed, received_at, after->id, error);
    if (result == HL_OK)
        result = write_unit_rows(store, true, &added, received_at, after->id, error);
    if (result == HL_OK)
        result = hl_pg_count_state_change(store, before != NULL ? before->state : HL_STATE_NONE,
                                          after->state, error);
    return result;
}

/* ---- Insert, update, get, heads ---- */

/* ON CONFLICT DO NOTHING rather than a unique violation: an existing number
 * answers HL_ECONFLICT and leaves the transaction usable, as in SQLite,
 * where a failed statement does not abort its transaction. */
static const char ORDER_INSERT[] =
    "INSERT INTO orders(" HL_PG_ORDER_COLUMNS ") VALUES("
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
    "$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, "
    "$39, $40, $41, $42, $43, $44, $45, $46) ON CONFLICT (id) DO NOTHING";

static int pg_order_insert(hl_store *base, const hl_order *order, const hl_sealed_phone *sealed,
                           hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    order_names names;
    int result = order_names_of(order, &names, error);
    if (result != HL_OK)
        return result;
    /* A phone sealed by the caller is taken as it is; any other is sealed
     * here, so that no number can reach the table in clear. */
    hl_sealed_phone scratch;
    hl_pg_sealed_phone phone = {0};
    if (sealed != NULL && sealed->length > 0 && sealed->length <= sizeof sealed->bytes)
        phone = (hl_pg_sealed_phone){
            .bytes = sealed->bytes, .length = sealed->length, .hash = sealed->hash};
    else
        result = hl_pg_seal_order_phone(store, order, &scratch, &phone, error);
    if (result == HL_OK)
        result = hl_pg_seal_order_texts(store, order, sealed, &scratch, &phone, error);
    if (result != HL_OK)
        return result;
    hl_pg_params params;
    hl_pg_params_init(&params);
    param_order(&params, order, &names, &phone);
    int64_t inserted = 0;
    if (store->copy_in) {
        /* Through COPY (bulk mode): the number is checked against the day's
         * stored numbers and the transaction's claims here, so that a
         * number taken answers HL_ECONFLICT at once, as the INSERT does. */
        bool taken = false;
        result = hl_pg_copyin_claim_order(store, order->id, &taken, error);
        if (result == HL_OK && !taken) {
            inserted = 1;
            result = hl_pg_copyin_add(store, HL_PG_COPYIN_ORDERS, &params, error);
        }
    } else {
        result = hl_pg_write(store, ORDER_INSERT, &params, "order_insert", &inserted, error);
    }
    hl_pg_params_free(&params);
    if (result == HL_OK && inserted == 0)
        result = hl_pg_order_error(HL_ECONFLICT, "已存在", "already exists", order->id, error);
    hl_derive_phone_entry entry;
    if (result == HL_OK && hl_derive_phone_entry_of(order, phone.hash, &entry))
        result = hl_pg_index_phone(store, &entry, error);
    if (result == HL_OK)
        result = keep_list_tables(store, NULL, order, error);
    memset(&scratch, 0, sizeof scratch);
    return result;
}

/* Optimistic concurrency in one statement: the row changes only if it is
 * still at expected_version, and RETURNING gives what the list tables
 * derived from it before (the subquery's row, locked FOR UPDATE, so that
 * it is the very version the update replaces). A concurrent update of the
 * same order makes this one wait for its commit; PostgreSQL then checks
 * the condition again on the new row, whose version no longer matches:
 * no row, and exactly one of the two wins. */
static const char ORDER_UPDATE[] =
    "UPDATE orders SET version = $1, state = $2, state_before_return = $3, lead_unit = $4, "
    "co_units = $5, dispatched_at = $6, sign_deadline = $7, signed_at = $8, "
    "return_deadline = $9, handle_deadline = $10, due_at = $11, reply = $12, "
    "completed_at = $13, extension_count = $14, extension_pending_days = $15, "
    "return_count = $16, reopen_count = $17, remind_count = $18, supervise_count = $19, "
    "duplicate_of = $20, excluded = $21, excluded_reason = $22, assessed_month = $23, "
    "survey_attempts = $24, survey_result = $25, rating = $26, resolved = $27, "
    "survey_comment = $28, surveyed_at = $29, appeal_state = $30, appeal_reason = $31 "
    "FROM (SELECT id, lead_unit, co_units, state, received_at FROM orders "
    "      WHERE id = $32 FOR UPDATE) AS prior "
    "WHERE orders.id = prior.id AND orders.version = $33 "
    "RETURNING prior.lead_unit, prior.co_units, prior.state, prior.received_at";

static int read_listing(const PGresult *rows, hl_derive_listing *listing, hl_error *error)
{
    hl_pg_row reader = hl_pg_row_of(rows, 0);
    HL_PG_ROW_FIELD(&reader, listing->lead_unit);
    HL_PG_ROW_FIELD(&reader, listing->co_units);
    listing->state = (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
    listing->received_at = hl_pg_row_int64(&reader);
    return hl_pg_row_status(&reader, error);
}

/* Whether an order exists; *exists is false also on error. */
static int order_exists(struct hl_pg_store *store, int64_t id, bool *exists, hl_error *error)
{
    *exists = false;
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, id);
    PGresult *rows = NULL;
    int result = hl_pg_exec(store, "SELECT 1 FROM orders WHERE id = $1", &params, "order_update",
                            &rows, error);
    hl_pg_params_free(&params);
    if (result == HL_OK)
        *exists = PQntuples(rows) > 0;
    PQclear(rows);
    return result;
}

static int pg_order_update(hl_store *base, const hl_order *order, int64_t expected_version,
                           hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    order_names names;
    int result = order_names_of(order, &names, error);
    if (result != HL_OK)
        return result;
    hl_pg_params params;
    hl_pg_params_init(&params);
    param_order_mutable(&params, order, &names);
    hl_pg_param_int64(&params, order->id);
    hl_pg_param_int64(&params, expected_version);
    PGresult *rows = NULL;
    result = hl_pg_exec(store, ORDER_UPDATE, &params, "order_update", &rows, error);
    hl_pg_params_free(&params);
    if (result != HL_OK)
        return result;
    if (PQntuples(rows) > 0) {
        hl_derive_listing before;
        result = read_listing(rows, &before, error);
        PQclear(rows);
        return result == HL_OK ? keep_list_tables(store, &before, order, error) : result;
    }
    PQclear(rows);
    bool exists;
    result = order_exists(store, order->id, &exists, error);
    if (result != HL_OK)
        return result;
    if (!exists)
        return hl_pg_order_error(HL_ENOTFOUND, "不存在", "not found", order->id, error);
    return hl_pg_order_error(HL_ECONFLICT, "已被他人更改，请重新读取后再试",
                             "was changed by someone else; reload it and try again", order->id,
                             error);
}

static int pg_order_get(hl_store *base, int64_t id, hl_order *out, hl_error *error)
{
    struct hl_pg_store *store = hl_pg_store_of(base);
    hl_pg_params params;
    hl_pg_params_init(&params);
    hl_pg_param_int64(&params, id);
    PGresult *rows = NULL;
    int result = hl_pg_exec(store, "SELECT " HL_PG_ORDER_COLUMNS " FROM orders WHERE id = $1",
                            &params, "order_get", &rows, error);
    hl_pg_params_free(&params);
    if (result == HL_OK && PQntuples(rows) == 0)
        result = hl_pg_order_error(HL_ENOTFOUND, "不存在", "not found", id, error);
    else if (result == HL_OK)
        result = hl_pg_read_order(rows, 0, &store->codec, out, error);
    PQclear(rows);
    return result;
}

typedef struct head_visit {
    hl_order_head_visitor visit;
    void *context;
} head_visit;

static int visit_head_row(PGresult *result, int row, void *context, hl_error *error)
{
    head_visit *visitor = context;
    hl_pg_row reader = hl_pg_row_of(result, row);
    int64_t id = hl_pg_row_int64(&reader);
    hl_state state = (hl_state)hl_pg_row_enum(&reader, hl_pg_state_name, HL_STATE_COUNT);
    int64_t version = hl_pg_row_int64(&reader);
    int status = hl_pg_row_status(&reader, error);
    return status != HL_OK ? status : visitor->visit(visitor->context, id, state, version);
}

/* Every order's number, state and version, streamed in number order. */
static int pg_order_heads(hl_store *base, hl_order_head_visitor visit, void *context,
                          hl_error *error)
{
    head_visit visitor = {visit, context};
    return hl_pg_visit(hl_pg_store_of(base), "SELECT id, state, version FROM orders ORDER BY id",
                       false, NULL, "order_heads", visit_head_row, &visitor, error);
}

void hl_pg_orders_ops(hl_store_ops *ops)
{
    ops->order_max_id = pg_order_max_id;
    ops->order_insert = pg_order_insert;
    ops->order_update = pg_order_update;
    ops->order_get = pg_order_get;
    ops->order_heads = pg_order_heads;
}
