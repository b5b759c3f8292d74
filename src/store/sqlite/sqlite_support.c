/* sqlite_support.c: what every file of the SQLite backend shares: its
 * errors (SQLite's mapped to HL_E* codes, with messages in two languages),
 * the enumerations stored as their stable English names, and running
 * statements, cached or built at run time: a bound write, an insert whose
 * key exists, a keyed lookup, every row to a handler, one number. It
 * knows no table. */
#include "store/sqlite/sqlite_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/contract.h"
#include "base/i18n.h"
#include "base/text.h"
#include "store/sealing.h"

int hl_sqlite_storage_error(struct hl_sqlite_store *store, const char *operation, hl_error *error)
{
    const char *detail = store->db != NULL ? sqlite3_errmsg(store->db) : "no connection";
    /* A full disk is a state that passes, not a broken store: SQLite has
     * rolled the transaction back (nothing of it is written), reads go on,
     * and writes succeed again once space is freed. So it is "not now"
     * (the server's 503 with Retry-After, the command line's exit 3), as
     * with a PostgreSQL server out of disk (pg_support.c). */
    if (store->db != NULL && (sqlite3_extended_errcode(store->db) & 0xff) == SQLITE_FULL)
        return hl_error_set(error, HL_EUNAVAILABLE, NULL,
                            HL_T("%s：数据库所在磁盘已满，未写入任何内容；腾出空间后即可再写（%s）",
                                 "%s: the store's disk is full, nothing was written; writes "
                                 "resume once space is freed (%s)"),
                            operation, detail);
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("数据库操作 %s 失败：%s", "storage error in %s: %s"), operation,
                        detail);
}

int hl_sqlite_not_a_database(const char *path, const char *detail, hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("%s 不是 hotline 数据库：%s", "%s is not a hotline database: %s"),
                        path, detail);
}

int hl_sqlite_cannot_open(const char *path, const char *detail, hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("无法打开数据库 %s：%s", "cannot open database %s: %s"), path, detail);
}

int hl_sqlite_missing_argument(const char *operation, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, NULL,
                        HL_T("%s：缺少必需的参数", "%s: a required argument is missing"),
                        operation);
}

int hl_sqlite_bad_enum(const char *field, int value, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("%s：未知的取值 %d", "%s: unknown value %d"),
                        field, value);
}

/* A value the schema allows but this build cannot read: someone edited the
 * file by hand, or a newer hotline wrote a name this one does not know. */
int hl_sqlite_corrupt_value(sqlite3_stmt *statement, int column, hl_error *error)
{
    const char *name = sqlite3_column_name(statement, column);
    const unsigned char *text = sqlite3_column_text(statement, column);
    /* The two texts name the column and the value in their own order. */
    return hl_error_set(
        error, HL_EIO, NULL,
        HL_T("数据库中 %1$s 列的值 '%2$s' 无法识别", "unreadable value '%2$s' in column %1$s"),
        name != NULL ? name : "?", text != NULL ? (const char *)text : "");
}

const char *hl_sqlite_state_name(int value)
{
    return hl_order_state_name((hl_state)value);
}

const char *hl_sqlite_channel_name(int value)
{
    return hl_order_channel_name((hl_channel)value);
}

const char *hl_sqlite_type_name(int value)
{
    return hl_order_type_name((hl_order_type)value);
}

const char *hl_sqlite_action_name(int value)
{
    const hl_workflow_rule *rule = hl_workflow_rule_of((hl_action)value);
    return rule != NULL ? rule->name : NULL;
}

const char *hl_sqlite_role_name(int value)
{
    return hl_directory_role_name((hl_role)value);
}

const char *hl_sqlite_counter_name(int value)
{
    return hl_rollup_counter_name((hl_counter)value);
}

/* The exact inverse of the name we write. The domain parse functions are
 * made for people: they also accept Chinese labels and refuse values that
 * are not real choices (the state "none", the from-state of registration),
 * which the store must read back all the same. */
bool hl_sqlite_decode_enum(const unsigned char *text, int length, hl_sqlite_enum_namer namer,
                           int count, int *out)
{
    if (text == NULL)
        return false;
    for (int value = 0; value < count; value++) {
        const char *name = namer(value);
        if (name != NULL && strncmp(name, (const char *)text, (size_t)length) == 0 &&
            name[length] == '\0') {
            *out = value;
            return true;
        }
    }
    return false;
}

/* The name to store for a value, or NULL when the value is out of range. */
const char *hl_sqlite_encode_enum(int value, hl_sqlite_enum_namer namer, int count)
{
    HL_REQUIRE(namer != NULL);
    if (value < 0 || value >= count)
        return NULL;
    return namer(value);
}

/* Runs a statement that returns no rows, then resets it for reuse. */
int hl_sqlite_run_write(struct hl_sqlite_store *store, sqlite3_stmt *statement,
                        const char *operation, hl_error *error)
{
    int rc = sqlite3_step(statement);
    int result = HL_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = hl_sqlite_storage_error(store, operation, error);
    sqlite3_reset(statement);
    return result;
}

/* Binds a list of parameters in order, after those already bound. */
void hl_sqlite_bind_parameters(hl_sqlite_binder *binding, const hl_sqlite_parameter *parameters,
                               int count)
{
    HL_REQUIRE(count == 0 || parameters != NULL);
    for (int index = 0; index < count; index++) {
        if (parameters[index].text != NULL)
            hl_sqlite_bind_string(binding, parameters[index].text);
        else if (parameters[index].blob != NULL)
            hl_sqlite_bind_blob(binding, parameters[index].blob, parameters[index].blob_length);
        else
            hl_sqlite_bind_int64(binding, parameters[index].number);
    }
}

/* A cached statement for a visitor loop. A visitor may call back into the
 * store and run the same query again (listing an order's events while
 * listing events); then the cached statement is still stepping and the
 * nested call gets a private copy, finalized when it is done. */
sqlite3_stmt *hl_sqlite_borrow_statement(struct hl_sqlite_store *store, hl_sqlite_statement id,
                                         const char *operation, hl_error *error)
{
    HL_REQUIRE((int)id >= 0 && (int)id < STMT_COUNT);
    sqlite3_stmt *cached = store->statements[id];
    if (cached != NULL && !sqlite3_stmt_busy(cached))
        return cached;
    sqlite3_stmt *fresh = NULL;
    if (sqlite3_prepare_v2(store->db, hl_sqlite_statement_sql[id], -1, &fresh, NULL) != SQLITE_OK) {
        hl_sqlite_storage_error(store, operation, error);
        sqlite3_finalize(fresh);
        return NULL;
    }
    return fresh;
}

void hl_sqlite_return_statement(struct hl_sqlite_store *store, hl_sqlite_statement id,
                                sqlite3_stmt *statement)
{
    if (statement == store->statements[id])
        sqlite3_reset(statement);
    else
        sqlite3_finalize(statement);
}

/* Steps through every row, one at a time: nothing is collected, so a scan
 * of tens of millions of rows runs in constant memory. Stops at the first
 * non-zero answer of the handler and returns it. Does not reset. */
int hl_sqlite_visit_rows(struct hl_sqlite_store *store, sqlite3_stmt *statement,
                         const char *operation, hl_sqlite_row_handler handle, void *context,
                         hl_error *error)
{
    HL_REQUIRE(statement != NULL && handle != NULL);
    for (;;) {
        int rc = sqlite3_step(statement);
        if (rc == SQLITE_DONE)
            return HL_OK;
        if (rc != SQLITE_ROW)
            return hl_sqlite_storage_error(store, operation, error);
        int answer = handle(statement, context, error);
        if (answer != 0)
            return answer;
    }
}

/* Runs a cached query over every row, its parameters bound from the
 * list (count of them: none for a query without), and returns what
 * hl_sqlite_visit_rows returns. */
int hl_sqlite_visit(struct hl_sqlite_store *store, hl_sqlite_statement id,
                    const hl_sqlite_parameter *parameters, int count, const char *operation,
                    hl_sqlite_row_handler handle, void *context, hl_error *error)
{
    sqlite3_stmt *statement = hl_sqlite_borrow_statement(store, id, operation, error);
    if (statement == NULL)
        return HL_EIO;
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    hl_sqlite_bind_parameters(&binding, parameters, count);
    int result = binding.rc != SQLITE_OK
                     ? hl_sqlite_storage_error(store, operation, error)
                     : hl_sqlite_visit_rows(store, statement, operation, handle, context, error);
    hl_sqlite_return_statement(store, id, statement);
    return result;
}

/* Runs a cached query with no parameters over every row. */
int hl_sqlite_visit_all(struct hl_sqlite_store *store, hl_sqlite_statement id,
                        const char *operation, hl_sqlite_row_handler handle, void *context,
                        hl_error *error)
{
    return hl_sqlite_visit(store, id, NULL, 0, operation, handle, context, error);
}

/* Prepares a query written at run time and binds its parameters; the
 * statement is the caller's to finalize. */
int hl_sqlite_prepare(struct hl_sqlite_store *store, const char *sql,
                      const hl_sqlite_parameter *parameters, int count, const char *operation,
                      sqlite3_stmt **out, hl_error *error)
{
    *out = NULL;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return hl_sqlite_storage_error(store, operation, error);
    }
    hl_sqlite_binder binding = hl_sqlite_binder_of(statement);
    hl_sqlite_bind_parameters(&binding, parameters, count);
    if (binding.rc != SQLITE_OK) {
        int result = hl_sqlite_storage_error(store, operation, error);
        sqlite3_finalize(statement);
        return result;
    }
    *out = statement;
    return HL_OK;
}

/* Runs a query written at run time over every row: hl_sqlite_prepare,
 * then hl_sqlite_visit_rows, then the statement is finalized. */
int hl_sqlite_visit_sql(struct hl_sqlite_store *store, const char *sql,
                        const hl_sqlite_parameter *parameters, int count, const char *operation,
                        hl_sqlite_row_handler handle, void *context, hl_error *error)
{
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, sql, parameters, count, operation, &statement, error);
    if (result != HL_OK)
        return result;
    result = hl_sqlite_visit_rows(store, statement, operation, handle, context, error);
    sqlite3_finalize(statement);
    return result;
}

/* Runs a query written at run time whose one row holds one number (a
 * count) into *out, which is 0 when the query fails. */
int hl_sqlite_select_number(struct hl_sqlite_store *store, const char *sql,
                            const hl_sqlite_parameter *parameters, int count, const char *operation,
                            int64_t *out, hl_error *error)
{
    *out = 0;
    sqlite3_stmt *statement = NULL;
    int result = hl_sqlite_prepare(store, sql, parameters, count, operation, &statement, error);
    if (result != HL_OK)
        return result;
    if (sqlite3_step(statement) == SQLITE_ROW)
        *out = sqlite3_column_int64(statement, 0);
    else
        result = hl_sqlite_storage_error(store, operation, error);
    sqlite3_finalize(statement);
    return result;
}

/* Runs a single-row lookup whose key is already bound: HL_ENOTFOUND (error
 * left for the caller to fill) when no row matches, else the handler's
 * answer for the row. Resets the statement. */
int hl_sqlite_lookup_row(struct hl_sqlite_store *store, sqlite3_stmt *statement,
                         const char *operation, hl_sqlite_row_handler handle, void *context,
                         hl_error *error)
{
    HL_REQUIRE(statement != NULL && handle != NULL);
    int rc = sqlite3_step(statement);
    int result;
    if (rc == SQLITE_ROW)
        result = handle(statement, context, error);
    else if (rc == SQLITE_DONE)
        result = HL_ENOTFOUND; /* the caller names what is missing */
    else
        result = hl_sqlite_storage_error(store, operation, error);
    sqlite3_reset(statement);
    return result;
}

/* hl_sqlite_lookup_row of a cached statement whose key the binder has
 * bound: a binding that failed is a storage error. */
int hl_sqlite_get(struct hl_sqlite_store *store, const hl_sqlite_binder *binding,
                  const char *operation, hl_sqlite_row_handler read, void *out, hl_error *error)
{
    if (binding->rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, operation, error);
    return hl_sqlite_lookup_row(store, binding->statement, operation, read, out, error);
}

/* Runs a cached statement that returns no rows and whose parameters the
 * binder has bound: a binding that failed is a storage error. */
int hl_sqlite_write(struct hl_sqlite_store *store, const hl_sqlite_binder *binding,
                    const char *operation, hl_error *error)
{
    if (binding->rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, operation, error);
    return hl_sqlite_run_write(store, binding->statement, operation, error);
}

/* hl_sqlite_write of an INSERT: HL_ECONFLICT (error left for the caller
 * to fill) when a row with the same key, primary or unique, exists. */
int hl_sqlite_insert(struct hl_sqlite_store *store, const hl_sqlite_binder *binding,
                     const char *operation, hl_error *error)
{
    if (binding->rc != SQLITE_OK)
        return hl_sqlite_storage_error(store, operation, error);
    int rc = sqlite3_step(binding->statement); /* an extended code: see hl_sqlite_open */
    int result = HL_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        result = HL_ECONFLICT; /* the caller names what exists */
    else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = hl_sqlite_storage_error(store, operation, error);
    sqlite3_reset(binding->statement);
    return result;
}

int hl_sqlite_exec_sql(struct hl_sqlite_store *store, const char *sql, const char *operation,
                       hl_error *error)
{
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return hl_sqlite_storage_error(store, operation, error);
    return HL_OK;
}

int hl_sqlite_not_found(const char *what_zh, const char *what_en, const char *key, hl_error *error)
{
    return hl_error_set(error, HL_ENOTFOUND, NULL, HL_T("%s %s 不存在", "%s %s not found"),
                        HL_T(what_zh, what_en), key);
}

int hl_sqlite_no_codec_error(hl_error *error)
{
    return hl_store_no_codec_error(error);
}

int hl_sqlite_order_error(int code, const char *what_zh, const char *what_en, int64_t id,
                          hl_error *error)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(error, code, NULL, HL_T("工单 %s %s", "order %s %s"), number,
                        HL_T(what_zh, what_en));
}
