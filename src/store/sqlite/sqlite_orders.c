/* sqlite_orders.c: orders as rows: insert, optimistic update, get, and
 * the heads scan. It keeps the list tables (order_units, the per-state
 * counts) in step with every write, from the rows store/derive.c derives;
 * lists and counts over many orders are sqlite_queries.c's. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

/* The names of an order's enumerations, checked before anything is bound. */
typedef struct order_names {
    const char *state;
    const char *state_before_return;
    const char *channel;
    const char *type;
} order_names;

static int order_names_of(const hl_order *order, order_names *names, hl_error *error)
{
    names->state = hl_sqlite_encode_enum((int)order->state, hl_sqlite_state_name, HL_STATE_COUNT);
    if (names->state == NULL)
        return hl_sqlite_bad_enum("state", (int)order->state, error);
    names->state_before_return = hl_sqlite_encode_enum((int)order->state_before_return,
                                                       hl_sqlite_state_name, HL_STATE_COUNT);
    if (names->state_before_return == NULL)
        return hl_sqlite_bad_enum("state_before_return", (int)order->state_before_return, error);
    names->channel =
        hl_sqlite_encode_enum((int)order->channel, hl_sqlite_channel_name, HL_CHANNEL_COUNT);
    if (names->channel == NULL)
        return hl_sqlite_bad_enum("channel", (int)order->channel, error);
    names->type = hl_sqlite_encode_enum((int)order->type, hl_sqlite_type_name, HL_TYPE_COUNT);
    if (names->type == NULL)
        return hl_sqlite_bad_enum("type", (int)order->type, error);
    return HL_OK;
}

/* In the order of ORDER_MUTABLE_COLUMNS. */
static void bind_order_mutable(hl_sqlite_binder *binding, const hl_order *order,
                               const order_names *names)
{
    hl_sqlite_bind_int64(binding, order->version);
    hl_sqlite_bind_string(binding, names->state);
    hl_sqlite_bind_string(binding, names->state_before_return);
    BIND_FIELD(binding, order->lead_unit);
    BIND_FIELD(binding, order->co_units);
    hl_sqlite_bind_int64(binding, order->dispatched_at);
    hl_sqlite_bind_int64(binding, order->sign_deadline);
    hl_sqlite_bind_int64(binding, order->signed_at);
    hl_sqlite_bind_int64(binding, order->return_deadline);
    hl_sqlite_bind_int64(binding, order->handle_deadline);
    hl_sqlite_bind_int64(binding, order->due_at);
    BIND_FIELD(binding, order->reply);
    hl_sqlite_bind_int64(binding, order->completed_at);
    hl_sqlite_bind_int64(binding, order->extension_count);
    hl_sqlite_bind_int64(binding, order->extension_pending_days);
    hl_sqlite_bind_int64(binding, order->return_count);
    hl_sqlite_bind_int64(binding, order->reopen_count);
    hl_sqlite_bind_int64(binding, order->remind_count);
    hl_sqlite_bind_int64(binding, order->supervise_count);
    hl_sqlite_bind_int64(binding, order->duplicate_of);
    hl_sqlite_bind_int64(binding, order->excluded ? 1 : 0);
    BIND_FIELD(binding, order->excluded_reason);
    hl_sqlite_bind_int64(binding, order->assessed_month);
    hl_sqlite_bind_int64(binding, order->survey_attempts);
    hl_sqlite_bind_int64(binding, order->survey_result);
    hl_sqlite_bind_int64(binding, order->rating);
    hl_sqlite_bind_int64(binding, order->resolved);
    BIND_FIELD(binding, order->survey_comment);
    hl_sqlite_bind_int64(binding, order->surveyed_at);
    hl_sqlite_bind_int64(binding, order->appeal_state);
    BIND_FIELD(binding, order->appeal_reason);
}

/* The id and ORDER_REGISTRATION_COLUMNS, in their order. */
static void bind_registration(hl_sqlite_binder *binding, const hl_order *order,
                              const order_names *names, const hl_sqlite_sealed_phone *phone)
{
    hl_sqlite_bind_int64(binding, order->id);
    hl_sqlite_bind_string(binding, names->channel);
    hl_sqlite_bind_string(binding, names->type);
    hl_sqlite_bind_int64(binding, order->received_at);
    hl_sqlite_bind_sealed_text(binding, phone->name, phone->name_length);
    if (phone->bytes != NULL)
        hl_sqlite_bind_blob(binding, phone->bytes, phone->length);
    else
        hl_sqlite_bind_null(binding);
    hl_sqlite_bind_sealed_text(binding, phone->address, phone->address_length);
    hl_sqlite_bind_int64(binding, order->has_location ? 1 : 0);
    hl_sqlite_bind_double(binding, order->latitude);
    hl_sqlite_bind_double(binding, order->longitude);
    BIND_FIELD(binding, order->category);
    BIND_FIELD(binding, order->title);
    BIND_FIELD(binding, order->content);
    BIND_FIELD(binding, order->registered_by);
    hl_sqlite_bind_int64(binding, order->publish_consent ? 1 : 0);
}

/* In the order of ORDER_COLUMNS. */
static void bind_order(hl_sqlite_binder *binding, const hl_order *order, const order_names *names,
                       const hl_sqlite_sealed_phone *phone)
{
    bind_registration(binding, order, names, phone);
    bind_order_mutable(binding, order, names);
}

/* Whether every mutable column but version, state and state_before_return
 * holds its zero or empty value, as after registration: such an order is
 * written by STMT_ORDER_INSERT_FRESH, which has them as literals. */
static bool order_is_fresh(const hl_order *order)
{
    return order->lead_unit[0] == '\0' && order->co_units[0] == '\0' && order->dispatched_at == 0 &&
           order->sign_deadline == 0 && order->signed_at == 0 && order->return_deadline == 0 &&
           order->handle_deadline == 0 && order->due_at == 0 && order->reply[0] == '\0' &&
           order->completed_at == 0 && order->extension_count == 0 &&
           order->extension_pending_days == 0 && order->return_count == 0 &&
           order->reopen_count == 0 && order->remind_count == 0 && order->supervise_count == 0 &&
           order->duplicate_of == 0 && !order->excluded && order->excluded_reason[0] == '\0' &&
           order->assessed_month == 0 && order->survey_attempts == 0 && order->survey_result == 0 &&
           order->rating == 0 && order->resolved == 0 && order->survey_comment[0] == '\0' &&
           order->surveyed_at == 0 && order->appeal_state == 0 && order->appeal_reason[0] == '\0';
}

/* In the order of STMT_ORDER_INSERT_FRESH's parameters. */
static void bind_fresh_order(hl_sqlite_binder *binding, const hl_order *order,
                             const order_names *names, const hl_sqlite_sealed_phone *phone)
{
    bind_registration(binding, order, names, phone);
    hl_sqlite_bind_int64(binding, order->version);
    hl_sqlite_bind_string(binding, names->state);
    hl_sqlite_bind_string(binding, names->state_before_return);
}

/* Reads a row selected as ORDER_COLUMNS, opening its phone with codec. */
int hl_sqlite_read_order(sqlite3_stmt *statement, const hl_phone_codec *codec, hl_order *order,
                         hl_error *error)
{
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    order->id = hl_sqlite_read_int64(&row);
    order->channel =
        (hl_channel)hl_sqlite_read_enum(&row, hl_sqlite_channel_name, HL_CHANNEL_COUNT);
    order->type = (hl_order_type)hl_sqlite_read_enum(&row, hl_sqlite_type_name, HL_TYPE_COUNT);
    order->received_at = hl_sqlite_read_int64(&row);
    int name_result =
        hl_sqlite_read_sealed_text(&row, codec, HL_SEALED_NAME, order->id, order->citizen_name,
                                   sizeof order->citizen_name, error);
    int phone_result = hl_sqlite_read_phone(&row, codec, order->id, order->citizen_phone,
                                            sizeof order->citizen_phone, error);
    int address_result = hl_sqlite_read_sealed_text(&row, codec, HL_SEALED_ADDRESS, order->id,
                                                    order->address, sizeof order->address, error);
    order->has_location = hl_sqlite_read_int64(&row) != 0;
    order->latitude = hl_sqlite_read_double(&row);
    order->longitude = hl_sqlite_read_double(&row);
    READ_FIELD(&row, order->category);
    READ_FIELD(&row, order->title);
    READ_FIELD(&row, order->content);
    READ_FIELD(&row, order->registered_by);
    order->publish_consent = hl_sqlite_read_int64(&row) != 0;
    order->version = hl_sqlite_read_int64(&row);
    order->state = (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    order->state_before_return =
        (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    READ_FIELD(&row, order->lead_unit);
    READ_FIELD(&row, order->co_units);
    order->dispatched_at = hl_sqlite_read_int64(&row);
    order->sign_deadline = hl_sqlite_read_int64(&row);
    order->signed_at = hl_sqlite_read_int64(&row);
    order->return_deadline = hl_sqlite_read_int64(&row);
    order->handle_deadline = hl_sqlite_read_int64(&row);
    order->due_at = hl_sqlite_read_int64(&row);
    READ_FIELD(&row, order->reply);
    order->completed_at = hl_sqlite_read_int64(&row);
    order->extension_count = hl_sqlite_read_int(&row);
    order->extension_pending_days = hl_sqlite_read_int(&row);
    order->return_count = hl_sqlite_read_int(&row);
    order->reopen_count = hl_sqlite_read_int(&row);
    order->remind_count = hl_sqlite_read_int(&row);
    order->supervise_count = hl_sqlite_read_int(&row);
    order->duplicate_of = hl_sqlite_read_int64(&row);
    order->excluded = hl_sqlite_read_int64(&row) != 0;
    READ_FIELD(&row, order->excluded_reason);
    order->assessed_month = hl_sqlite_read_int(&row);
    order->survey_attempts = hl_sqlite_read_int(&row);
    order->survey_result = (hl_survey_result)hl_sqlite_read_small(&row, HL_SURVEY_FAILED + 1);
    order->rating = (hl_rating)hl_sqlite_read_small(&row, HL_RATING_COUNT);
    order->resolved = (hl_resolved)hl_sqlite_read_small(&row, HL_RESOLVED_NO + 1);
    READ_FIELD(&row, order->survey_comment);
    order->surveyed_at = hl_sqlite_read_int64(&row);
    order->appeal_state = (hl_appeal_state)hl_sqlite_read_small(&row, HL_APPEAL_REJECTED + 1);
    READ_FIELD(&row, order->appeal_reason);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    return name_result != HL_OK ? name_result
                                : (phone_result != HL_OK ? phone_result : address_result);
}

typedef struct order_copy {
    const hl_phone_codec *codec;
    hl_order *order;
} order_copy;

static int copy_order_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    order_copy *copy = context;
    return hl_sqlite_read_order(statement, copy->codec, copy->order, error);
}

/* Runs a statement with its parameters that yields one row or none: *first
 * is the row's first column, 0 without a row or when it is NULL (max() of
 * nothing). */
static int select_first(struct hl_sqlite_store *store, hl_sqlite_statement id,
                        const hl_sqlite_parameter *parameters, int count, const char *operation,
                        int64_t *first, hl_error *error)
{
    *first = 0;
    sqlite3_stmt *statement = store->statements[id];
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    hl_sqlite_bind_parameters(&binding, parameters, count);
    if (binding.rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, operation, error);
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc == SQLITE_ROW)
        *first = sqlite3_column_int64(statement, 0);
    else if (rc != SQLITE_DONE)
        result = hl_sqlite_storage_error(store, operation, error);
    sqlite3_reset(statement);
    return result;
}

static int sqlite_order_max_id(hl_store *base, int64_t from_id, int64_t to_id, int64_t *out,
                               hl_error *error)
{
    hl_sqlite_parameter range[2] = {{.number = from_id}, {.number = to_id}};
    return select_first(hl_sqlite_store_of(base), STMT_ORDER_MAX_ID, range, 2, "order_max_id", out,
                        error);
}

/* Writes (put) or deletes the order_units rows store/derive.c gave, all
 * keyed by the order's received time and number. */
static int write_unit_rows(struct hl_sqlite_store *store, bool put, const hl_derive_unit_rows *rows,
                           hl_time received_at, int64_t id, hl_error *error)
{
    const char *operation = put ? "order_units put" : "order_units delete";
    sqlite3_stmt *statement = store->statements[put ? STMT_UNIT_ROW_PUT : STMT_UNIT_ROW_DELETE];
    int result = HL_OK;
    for (size_t index = 0; index < rows->count && result == HL_OK; index++) {
        const hl_derive_unit_row *row = &rows->rows[index];
        hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
        binding.index++;
        binding.rc =
            sqlite3_bind_text(statement, binding.index, row->code, (int)row->length, SQLITE_STATIC);
        hl_sqlite_bind_int64(&binding, received_at);
        hl_sqlite_bind_int64(&binding, id);
        if (put)
            hl_sqlite_bind_int64(&binding, row->lead ? 1 : 0);
        result = binding.rc == SQLITE_OK ? hl_sqlite_run_write(store, statement, operation, error)
                                         : hl_sqlite_storage_error(store, operation, error);
    }
    return result;
}

/* Brings order_units from before (NULL: a registration) to after, and
 * counts the order's change of state. */
static int keep_list_tables(struct hl_sqlite_store *store, const hl_derive_listing *before,
                            const hl_order *after, hl_error *error)
{
    hl_derive_unit_rows removed, added;
    hl_derive_unit_change(before, after, &removed, &added);
    hl_time received_at = before != NULL ? before->received_at : after->received_at;
    int result = write_unit_rows(store, false, &removed, received_at, after->id, error);
    if (result == HL_OK)
        result = write_unit_rows(store, true, &added, received_at, after->id, error);
    if (result == HL_OK)
        result = hl_sqlite_count_state_change(store, before != NULL ? before->state : HL_STATE_NONE,
                                              after->state, error);
    return result;
}

static int sqlite_order_insert(hl_store *base, const hl_order *order, const hl_sealed_phone *sealed,
                               hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    order_names names;
    int result = order_names_of(order, &names, error);
    if (result != HL_OK)
        return result;
    /* A phone sealed by the caller is taken as it is; any other is sealed
     * here, so that no number can reach the table in clear. */
    hl_sqlite_sealed_phone phone = {0};
    if (sealed != NULL && sealed->length > 0 && sealed->length <= sizeof sealed->bytes)
        phone = (hl_sqlite_sealed_phone){
            .bytes = sealed->bytes, .length = sealed->length, .hash = sealed->hash};
    else
        result = hl_sqlite_seal_order_phone(store, order, &phone, error);
    if (result == HL_OK)
        result = hl_sqlite_seal_order_texts(store, order, sealed, &phone, error);
    if (result != HL_OK)
        return result;
    bool fresh = order_is_fresh(order);
    sqlite3_stmt *statement =
        store->statements[fresh ? STMT_ORDER_INSERT_FRESH : STMT_ORDER_INSERT];
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    if (fresh)
        bind_fresh_order(&binding, order, &names, &phone);
    else
        bind_order(&binding, order, &names, &phone);
    if (binding.rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, "order_insert", error);
    int rc = sqlite3_step(statement);
    result = HL_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        result = hl_sqlite_order_error(HL_ECONFLICT, "已存在", "already exists", order->id, error);
    else if (rc != SQLITE_DONE)
        result = hl_sqlite_storage_error(store, "order_insert", error);
    sqlite3_reset(statement);
    hl_derive_phone_entry entry;
    if (result == HL_OK && hl_derive_phone_entry_of(order, phone.hash, &entry))
        result = hl_sqlite_index_phone(store, &entry, error);
    if (result == HL_OK)
        result = keep_list_tables(store, NULL, order, error);
    return result;
}

/* What the list tables and the per-state counts hold of an order before
 * an update: a point lookup of the row the update is about to change. */
typedef struct listed_order {
    bool found; /* false: no row at that version (the update will change nothing) */
    hl_derive_listing listing;
} listed_order;

static int read_listed_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    listed_order *listed = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    READ_FIELD(&row, listed->listing.lead_unit);
    READ_FIELD(&row, listed->listing.co_units);
    listed->listing.state =
        (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    listed->listing.received_at = hl_sqlite_read_int64(&row);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    listed->found = true;
    return HL_OK;
}

static int read_listed(struct hl_sqlite_store *store, int64_t id, int64_t version,
                       listed_order *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    out->listing.state = HL_STATE_NONE;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_UNITS_OF];
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    hl_sqlite_bind_int64(&binding, id);
    hl_sqlite_bind_int64(&binding, version);
    if (binding.rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, "order_update", error);
    int result =
        hl_sqlite_lookup_row(store, statement, "order_update", read_listed_row, out, error);
    return result == HL_ENOTFOUND ? HL_OK : result; /* the update finds it absent or stale */
}

/* Whether an order exists; *exists is false also on error. */
static int order_exists(struct hl_sqlite_store *store, int64_t id, bool *exists, hl_error *error)
{
    hl_sqlite_parameter key = {.number = id};
    int64_t one = 0; /* the row's "SELECT 1" */
    int result = select_first(store, STMT_ORDER_EXISTS, &key, 1, "order_update", &one, error);
    *exists = one != 0;
    return result;
}

/* Optimistic concurrency: the row changes only if nobody has acted on the
 * order since the caller read it at expected_version. */
static int sqlite_order_update(hl_store *base, const hl_order *order, int64_t expected_version,
                               hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    order_names names;
    int result = order_names_of(order, &names, error);
    if (result != HL_OK)
        return result;
    listed_order before;
    result = read_listed(store, order->id, expected_version, &before, error);
    if (result != HL_OK)
        return result;
    sqlite3_stmt *statement = store->statements[STMT_ORDER_UPDATE];
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    bind_order_mutable(&binding, order, &names);
    hl_sqlite_bind_int64(&binding, order->id);
    hl_sqlite_bind_int64(&binding, expected_version);
    if (binding.rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, "order_update", error);
    result = hl_sqlite_run_write(store, statement, "order_update", error);
    if (result != HL_OK)
        return result;
    if (sqlite3_changes(store->db) > 0)
        return before.found ? keep_list_tables(store, &before.listing, order, error) : HL_OK;
    bool exists;
    result = order_exists(store, order->id, &exists, error);
    if (result != HL_OK)
        return result;
    if (!exists)
        return hl_sqlite_order_error(HL_ENOTFOUND, "不存在", "not found", order->id, error);
    return hl_sqlite_order_error(HL_ECONFLICT, "已被他人更改，请重新读取后再试",
                                 "was changed by someone else; reload it and try again", order->id,
                                 error);
}

static int sqlite_order_get(hl_store *base, int64_t id, hl_order *out, hl_error *error)
{
    struct hl_sqlite_store *store = hl_sqlite_store_of(base);
    sqlite3_stmt *statement = store->statements[STMT_ORDER_GET];
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    hl_sqlite_bind_int64(&binding, id);
    if (binding.rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, "order_get", error);
    order_copy copy = {&store->codec, out};
    int result = hl_sqlite_lookup_row(store, statement, "order_get", copy_order_row, &copy, error);
    if (result == HL_ENOTFOUND)
        return hl_sqlite_order_error(HL_ENOTFOUND, "不存在", "not found", id, error);
    return result;
}

typedef struct head_visit {
    hl_order_head_visitor visit;
    void *context;
} head_visit;

static int visit_head_row(sqlite3_stmt *statement, void *context, hl_error *error)
{
    head_visit *visitor = context;
    hl_sqlite_reader row = hl_sqlite_reader_of(statement);
    int64_t id = hl_sqlite_read_int64(&row);
    hl_state state = (hl_state)hl_sqlite_read_enum(&row, hl_sqlite_state_name, HL_STATE_COUNT);
    int64_t version = hl_sqlite_read_int64(&row);
    if (row.bad_column >= 0)
        return hl_sqlite_corrupt_value(statement, row.bad_column, error);
    return visitor->visit(visitor->context, id, state, version);
}

static int sqlite_order_heads(hl_store *base, hl_order_head_visitor visit, void *context,
                              hl_error *error)
{
    head_visit visitor = {visit, context};
    return hl_sqlite_visit_all(hl_sqlite_store_of(base), STMT_ORDER_HEADS, "order_heads",
                               visit_head_row, &visitor, error);
}

void hl_sqlite_orders_ops(hl_store_ops *ops)
{
    ops->order_max_id = sqlite_order_max_id;
    ops->order_insert = sqlite_order_insert;
    ops->order_update = sqlite_order_update;
    ops->order_get = sqlite_order_get;
    ops->order_heads = sqlite_order_heads;
}
