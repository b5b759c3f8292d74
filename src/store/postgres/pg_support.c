/* pg_support.c: what every file of the PostgreSQL backend shares: statement
 * parameters, running statements (prepared once per connection and cached,
 * built at run time, or walked through a cursor), readers of text-format
 * results, the enumerations stored as their stable English names, and the
 * server's errors mapped to HL_E* codes with messages in two languages. A
 * connection lost between transactions is reset here before the next
 * statement. It knows no table, and never prints the store's address (it
 * may hold a password). */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/contract.h"
#include "base/i18n.h"
#include "store/sealing.h"

void hl_pg_params_init(hl_pg_params *p)
{
    HL_REQUIRE(p != NULL);
    memset(p, 0, sizeof *p);
    hl_buf_init(&p->storage);
}

void hl_pg_params_free(hl_pg_params *p)
{
    if (p == NULL)
        return;
    hl_buf_free(&p->storage);
    memset(p, 0, sizeof *p);
}

void hl_pg_params_reset(hl_pg_params *p)
{
    HL_REQUIRE(p != NULL);
    p->count = 0;
    p->too_many = false;
    hl_buf_reset(&p->storage);
}

/* Appends one value to storage (NUL-terminated, so that a text value is a
 * C string) and points values[] back into the buffer, which may have moved. */
static void add_value(hl_pg_params *p, const void *bytes, size_t length, int format)
{
    HL_REQUIRE(p != NULL && length <= INT_MAX);
    if (p->count >= HL_PG_MAX_PARAMS) {
        p->too_many = true;
        return;
    }
    const char *before = p->storage.data;
    size_t offset = p->storage.len;
    hl_buf_append(&p->storage, bytes, length);
    hl_buf_append_char(&p->storage, '\0');
    int index = p->count++;
    p->offsets[index] = offset;
    p->lengths[index] = (int)length;
    p->formats[index] = format;
    p->values[index] = p->storage.data + offset;
    if (p->storage.data != before) {
        for (int other = 0; other < index; other++)
            if (p->values[other] != NULL)
                p->values[other] = p->storage.data + p->offsets[other];
    }
}

void hl_pg_param_text(hl_pg_params *p, const char *text)
{
    HL_REQUIRE(text != NULL);
    add_value(p, text, strlen(text), 0);
}

void hl_pg_param_field(hl_pg_params *p, const char *text, size_t capacity)
{
    HL_REQUIRE(text != NULL);
    add_value(p, text, strnlen(text, capacity), 0);
}

void hl_pg_param_int64(hl_pg_params *p, int64_t value)
{
    char text[24];
    int length = snprintf(text, sizeof text, "%" PRId64, value);
    add_value(p, text, (size_t)length, 0);
}

void hl_pg_param_double(hl_pg_params *p, double value)
{
    char text[32];
    int length = snprintf(text, sizeof text, "%.17g", value);
    add_value(p, text, (size_t)length, 0);
}

void hl_pg_param_bool(hl_pg_params *p, bool value)
{
    add_value(p, value ? "1" : "0", 1, 0);
}

void hl_pg_param_bytes(hl_pg_params *p, const void *bytes, size_t length)
{
    HL_REQUIRE(bytes != NULL || length == 0);
    add_value(p, length > 0 ? bytes : "", length, 1);
}

void hl_pg_param_null(hl_pg_params *p)
{
    HL_REQUIRE(p != NULL);
    if (p->count >= HL_PG_MAX_PARAMS) {
        p->too_many = true;
        return;
    }
    int index = p->count++;
    p->offsets[index] = 0;
    p->values[index] = NULL;
    p->lengths[index] = 0;
    p->formats[index] = 0;
}

/* The server's or the connection's message on one line (libpq ends it
 * with a newline and may add lines of context), for a message of our own;
 * cut at a character boundary when it does not fit (the server may speak
 * Chinese). */
void hl_pg_one_line(const char *text, char *out, size_t size)
{
    const char *c = text != NULL ? text : "";
    size_t length = 0;
    for (; *c != '\0' && length + 1 < size; c++)
        out[length++] = (*c == '\n' || *c == '\r' || *c == '\t') ? ' ' : *c;
    if (*c != '\0')
        while (length > 0 && ((unsigned char)*c & 0xC0) == 0x80)
            c--, length--;
    while (length > 0 && out[length - 1] == ' ')
        length--;
    out[length] = '\0';
}

static bool sqlstate_is(const char *state, const char *expected)
{
    return state != NULL && strcmp(state, expected) == 0;
}

/* The states in which the server cannot do the work now but may soon: the
 * connection is gone (class 08), the server is shutting down or starting
 * (57P01-57P03), or it is a standby that refuses writes (25006; but inside
 * begin_read's READ ONLY transaction a write is the caller's mistake). */
static bool unavailable_state(const struct hl_pg_store *store, const char *state)
{
    return state != NULL && (strncmp(state, "08", 2) == 0 || sqlstate_is(state, "57P01") ||
                             sqlstate_is(state, "57P02") || sqlstate_is(state, "57P03") ||
                             (sqlstate_is(state, "25006") && !store->read_only));
}

int hl_pg_error(struct hl_pg_store *store, const PGresult *result, const char *operation,
                hl_error *error)
{
    HL_REQUIRE(store != NULL && operation != NULL);
    const char *state = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
    const char *primary =
        result != NULL ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char detail[256];
    if (primary != NULL)
        hl_pg_one_line(primary, detail, sizeof detail);
    else if (store->connection != NULL)
        hl_pg_one_line(PQerrorMessage(store->connection), detail, sizeof detail);
    else
        hl_pg_one_line("no connection", detail, sizeof detail);
    /* A fatal error without an SQLSTATE is libpq's own (the server never
     * answered: "server closed the connection unexpectedly"), and class 08
     * is a connection exception: the server is out of reach, as with a
     * connection libpq already marked bad. libpq may keep the status OK
     * until its next read, so the status alone misses a server killed
     * mid-statement (seen at a failover: a 500 where a 503 was due). */
    bool client_side = result == NULL || (PQresultStatus(result) == PGRES_FATAL_ERROR &&
                                          (state == NULL || strncmp(state, "08", 2) == 0));
    bool lost =
        store->connection == NULL || PQstatus(store->connection) == CONNECTION_BAD || client_side;

    if (sqlstate_is(state, "23505"))
        return hl_error_set(error, HL_ECONFLICT, NULL,
                            HL_T("%s：记录已存在（%s）", "%s: the record exists (%s)"), operation,
                            detail);
    if (sqlstate_is(state, "40001") || sqlstate_is(state, "40P01"))
        return hl_error_set(error, HL_ERETRY, NULL,
                            HL_T("%s：与另一事务冲突，须重新执行（%s）",
                                 "%s: the transaction met another and must be run again (%s)"),
                            operation, detail);
    /* Class 53, insufficient resources: 53100 the server's disk is full
     * (it refuses to extend a table or its log; the transaction is rolled
     * back, reads go on), 53200 out of memory, 53300 too many connections.
     * Each passes once the operator acts: "not now", as for SQLite's full
     * disk (sqlite_support.c). */
    if (state != NULL && strncmp(state, "53", 2) == 0)
        return hl_error_set(
            error, HL_EUNAVAILABLE, NULL,
            sqlstate_is(state, "53100")
                ? HL_T("%s：数据库服务器磁盘已满，未写入任何内容；腾出空间后即可再写（%s）",
                       "%s: the store's disk is full, nothing was written; writes resume once "
                       "space is freed (%s)")
                : HL_T("%s：数据库服务器资源不足（%s）", "%s: the store's server is short of "
                                                         "resources (%s)"),
            operation, detail);
    if (lost || unavailable_state(store, state))
        return hl_error_set(
            error, HL_EUNAVAILABLE, NULL,
            HL_T("%s：数据库暂时无法访问（%s）", "%s: the store is not reachable now (%s)"),
            operation, detail);
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("数据库操作 %s 失败：%s", "storage error in %s: %s"), operation,
                        detail);
}

int hl_pg_not_found(const char *what_zh, const char *what_en, const char *key, hl_error *error)
{
    return hl_error_set(error, HL_ENOTFOUND, NULL, HL_T("%s %s 不存在", "%s %s not found"),
                        HL_T(what_zh, what_en), key);
}

int hl_pg_no_codec_error(hl_error *error)
{
    return hl_store_no_codec_error(error);
}

int hl_pg_order_error(int code, const char *what_zh, const char *what_en, int64_t id,
                      hl_error *error)
{
    char number[24];
    hl_order_format_number(id, number, sizeof number);
    return hl_error_set(error, code, NULL, HL_T("工单 %s %s", "order %s %s"), number,
                        HL_T(what_zh, what_en));
}

int hl_pg_missing_argument(const char *operation, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, NULL,
                        HL_T("%s：缺少必需的参数", "%s: a required argument is missing"),
                        operation);
}

int hl_pg_bad_enum(const char *field, int value, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("%s：未知的取值 %d", "%s: unknown value %d"),
                        field, value);
}

int hl_pg_corrupt_value(const PGresult *r, int row, int column, hl_error *error)
{
    const char *name = PQfname(r, column);
    const char *text = PQgetisnull(r, row, column) ? "" : PQgetvalue(r, row, column);
    /* The two texts name the column and the value in their own order. */
    return hl_error_set(
        error, HL_EIO, NULL,
        HL_T("数据库中 %1$s 列的值 '%2$s' 无法识别", "unreadable value '%2$s' in column %1$s"),
        name != NULL ? name : "?", text);
}

/* Before a statement: a connection lost between transactions is reset
 * (the server restarted, or a standby was promoted behind the same
 * address), and its prepared statements are forgotten with it. Inside a
 * transaction nothing is reset: the transaction is lost, the caller rolls
 * back and runs the use case again. */
static int ready(struct hl_pg_store *store, const char *operation, hl_error *error)
{
    if (store->connection == NULL)
        return hl_error_set(error, HL_EIO, NULL, "%s", HL_T("数据库已关闭", "the store is closed"));
    /* Rows waiting for their COPY (bulk mode) are sent before any other
     * statement: the rule is simpler than telling which statements could
     * read the tables they go to (a count of orders, a lookup of a phone,
     * the largest number of a day), and in an import the only statements
     * between the inserts are the few that number a new day. */
    if (PQstatus(store->connection) == CONNECTION_OK)
        return hl_pg_copyin_flush(store, error);
    if (store->in_transaction)
        return hl_pg_error(store, NULL, operation, error);
    PQreset(store->connection);
    store->prepared_count = 0;
    store->bulk_applied = false;
    if (PQstatus(store->connection) != CONNECTION_OK)
        return hl_pg_error(store, NULL, operation, error);
    return hl_pg_configure_session(store, error);
}

/* Checks a result: commands and queries that succeeded give HL_OK and keep
 * it in *out (when out is not NULL), anything else is mapped and cleared. */
static int finish(struct hl_pg_store *store, PGresult *result, const char *operation,
                  PGresult **out, hl_error *error)
{
    ExecStatusType status = result != NULL ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        int code = hl_pg_error(store, result, operation, error);
        PQclear(result);
        return code;
    }
    if (out != NULL)
        *out = result;
    else
        PQclear(result);
    return HL_OK;
}

int hl_pg_configure_session(struct hl_pg_store *store, hl_error *error)
{
    return finish(store,
                  PQexec(store->connection, "SET bytea_output = 'hex'; SET statement_timeout = 0"),
                  "open", NULL, error);
}

/* A statement whose parameters did not fit is refused before it runs. */
static int check_params(const hl_pg_params *params, const char *operation, hl_error *error)
{
    if (params == NULL || !params->too_many)
        return HL_OK;
    return hl_error_set(error, HL_EINVAL, NULL,
                        HL_T("%s：参数超过 %d 个", "%s: more than %d parameters"), operation,
                        HL_PG_MAX_PARAMS);
}

/* The first page of a walk: at most one row more than a batch, which
 * tells a short result from one to walk with a cursor. A subquery with an
 * ORDER BY is never flattened into the query around it, so its rows come
 * out in its own order. */
static void first_page_of(const char *sql, hl_buf *out)
{
    hl_buf_appendf(out, "SELECT * FROM (%s) AS hl_rows LIMIT %d", sql, HL_PG_VISIT_BATCH_ROWS + 1);
}

/* The name sql (or its first page) is prepared under on this connection,
 * preparing it the first time; NULL after a failure (error filled). */
static const char *prepared_name(struct hl_pg_store *store, const char *sql, bool first_page,
                                 const char *operation, hl_error *error, int *code)
{
    for (size_t index = 0; index < store->prepared_count; index++)
        if (store->prepared[index].sql == sql && store->prepared[index].first_page == first_page)
            return store->prepared[index].name;
    HL_ARRAY_GROW(store->prepared, store->prepared_count, store->prepared_room);
    struct hl_pg_prepared *entry = &store->prepared[store->prepared_count];
    snprintf(entry->name, sizeof entry->name, "hl%zu", store->prepared_count);
    hl_buf text;
    hl_buf_init(&text);
    if (first_page)
        first_page_of(sql, &text);
    PGresult *result =
        PQprepare(store->connection, entry->name, first_page ? text.data : sql, 0, NULL);
    hl_buf_free(&text);
    *code = finish(store, result, operation, NULL, error);
    if (*code != HL_OK)
        return NULL;
    entry->sql = sql;
    entry->first_page = first_page;
    store->prepared_count++;
    return entry->name;
}

/* Runs a statement of the cache (sql itself, or its first page). */
static int exec_cached(struct hl_pg_store *store, const char *sql, bool first_page,
                       const hl_pg_params *params, const char *operation, PGresult **out,
                       hl_error *error)
{
    if (out != NULL)
        *out = NULL;
    int code = check_params(params, operation, error);
    if (code == HL_OK)
        code = ready(store, operation, error);
    if (code != HL_OK)
        return code;
    const char *name = prepared_name(store, sql, first_page, operation, error, &code);
    if (name == NULL)
        return code;
    PGresult *result = params != NULL
                           ? PQexecPrepared(store->connection, name, params->count, params->values,
                                            params->lengths, params->formats, 0)
                           : PQexecPrepared(store->connection, name, 0, NULL, NULL, NULL, 0);
    return finish(store, result, operation, out, error);
}

int hl_pg_exec(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
               const char *operation, PGresult **out, hl_error *error)
{
    HL_REQUIRE(store != NULL && sql != NULL && operation != NULL);
    return exec_cached(store, sql, false, params, operation, out, error);
}

int hl_pg_write(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                const char *operation, int64_t *affected, hl_error *error)
{
    if (affected != NULL)
        *affected = 0;
    PGresult *result = NULL;
    int code = hl_pg_exec(store, sql, params, operation, &result, error);
    if (code != HL_OK)
        return code;
    if (affected != NULL)
        *affected = strtoll(PQcmdTuples(result), NULL, 10);
    PQclear(result);
    return HL_OK;
}

int hl_pg_lookup(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                 const char *operation, PGresult **out, hl_error *error)
{
    HL_REQUIRE(out != NULL);
    int code = hl_pg_exec(store, sql, params, operation, out, error);
    if (code == HL_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return HL_ENOTFOUND;
    }
    return code;
}

int hl_pg_exec_dynamic(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                       const char *operation, PGresult **out, hl_error *error)
{
    HL_REQUIRE(store != NULL && sql != NULL && operation != NULL);
    if (out != NULL)
        *out = NULL;
    int code = check_params(params, operation, error);
    if (code == HL_OK)
        code = ready(store, operation, error);
    if (code != HL_OK)
        return code;
    PGresult *result = params != NULL
                           ? PQexecParams(store->connection, sql, params->count, NULL,
                                          params->values, params->lengths, params->formats, 0)
                           : PQexecParams(store->connection, sql, 0, NULL, NULL, NULL, NULL, 0);
    return finish(store, result, operation, out, error);
}

int hl_pg_command(struct hl_pg_store *store, const char *sql, const char *operation,
                  hl_error *error)
{
    HL_REQUIRE(store != NULL && sql != NULL && operation != NULL);
    int code = ready(store, operation, error);
    if (code != HL_OK)
        return code;
    return finish(store, PQexec(store->connection, sql), operation, NULL, error);
}

int hl_pg_begin_command(struct hl_pg_store *store, const char *sql, const char *operation,
                        hl_error *error)
{
    int code = hl_pg_command(store, sql, operation, error);
    /* The first statement after the server went away finds the connection
     * dead; nothing had begun, so trying once more (ready resets the
     * connection) is safe, where retrying a write would not be. */
    if (code == HL_EUNAVAILABLE && !store->in_transaction && store->connection != NULL &&
        PQstatus(store->connection) == CONNECTION_BAD)
        code = hl_pg_command(store, sql, operation, error);
    return code;
}

/* Fetches the open cursor batch by batch and hands each row to handler. */
static int walk_cursor(struct hl_pg_store *store, const char *cursor, const char *operation,
                       hl_pg_row_handler handler, void *context, hl_error *error)
{
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH %d FROM %s", HL_PG_VISIT_BATCH_ROWS, cursor);
    for (;;) {
        PGresult *batch = NULL;
        int code = hl_pg_exec_dynamic(store, fetch, NULL, operation, &batch, error);
        if (code != HL_OK)
            return code;
        int rows = PQntuples(batch);
        int answer = 0;
        for (int row = 0; row < rows && answer == 0; row++)
            answer = handler(batch, row, context, error);
        PQclear(batch);
        if (answer != 0 || rows < HL_PG_VISIT_BATCH_ROWS)
            return answer;
    }
}

/* The walk of a long result: the query again, through a cursor. */
static int visit_cursor(struct hl_pg_store *store, const char *sql, const hl_pg_params *params,
                        const char *operation, hl_pg_row_handler handler, void *context,
                        hl_error *error)
{
    bool own_transaction = !store->in_transaction;
    if (own_transaction) {
        int code = hl_pg_begin_command(store, "BEGIN", operation, error);
        if (code != HL_OK)
            return code;
        store->in_transaction = true;
    }
    char cursor[32];
    snprintf(cursor, sizeof cursor, "hl_cursor%u", store->cursors++);
    hl_buf declare;
    hl_buf_init(&declare);
    hl_buf_appendf(&declare, "DECLARE %s NO SCROLL CURSOR FOR ", cursor);
    hl_buf_append_str(&declare, sql);
    int result = hl_pg_exec_dynamic(store, declare.data, params, operation, NULL, error);
    hl_buf_free(&declare);
    if (result == HL_OK) {
        result = walk_cursor(store, cursor, operation, handler, context, error);
        /* A cursor lives until its transaction ends: close it now, so that
         * a long transaction of many walks does not keep them all open. */
        if (!own_transaction && PQtransactionStatus(store->connection) == PQTRANS_INTRANS) {
            char close_sql[64];
            snprintf(close_sql, sizeof close_sql, "CLOSE %s", cursor);
            hl_error ignored;
            hl_pg_command(store, close_sql, operation, &ignored);
        }
    }
    if (own_transaction) {
        /* The walk's own transaction only read, unless a handler wrote:
         * what it wrote is kept, as it would be outside a transaction. */
        hl_error ignored;
        const char *end = result == HL_OK || result > 0 ? "COMMIT" : "ROLLBACK";
        int code = hl_pg_command(store, end, operation, result == HL_OK ? error : &ignored);
        store->in_transaction = false;
        if (result == HL_OK)
            result = code;
    }
    return result;
}

int hl_pg_visit(struct hl_pg_store *store, const char *sql, bool dynamic,
                const hl_pg_params *params, const char *operation, hl_pg_row_handler handler,
                void *context, hl_error *error)
{
    HL_REQUIRE(store != NULL && sql != NULL && operation != NULL && handler != NULL);
    PGresult *page = NULL;
    int result = HL_OK;
    if (dynamic) {
        hl_buf text;
        hl_buf_init(&text);
        first_page_of(sql, &text);
        result = hl_pg_exec_dynamic(store, text.data, params, operation, &page, error);
        hl_buf_free(&text);
    } else {
        result = exec_cached(store, sql, true, params, operation, &page, error);
    }
    if (result != HL_OK)
        return result;
    int rows = PQntuples(page);
    if (rows <= HL_PG_VISIT_BATCH_ROWS) {
        int answer = 0;
        for (int row = 0; row < rows && answer == 0; row++)
            answer = handler(page, row, context, error);
        PQclear(page);
        return answer;
    }
    PQclear(page);
    return visit_cursor(store, sql, params, operation, handler, context, error);
}

bool hl_pg_is_null(const PGresult *r, int row, int column)
{
    return PQgetisnull(r, row, column) != 0;
}

int64_t hl_pg_int64(const PGresult *r, int row, int column)
{
    if (PQgetisnull(r, row, column))
        return 0;
    return strtoll(PQgetvalue(r, row, column), NULL, 10);
}

int hl_pg_int(const PGresult *r, int row, int column)
{
    int64_t value = hl_pg_int64(r, row, column);
    return value < INT_MIN ? INT_MIN : value > INT_MAX ? INT_MAX : (int)value;
}

double hl_pg_double(const PGresult *r, int row, int column)
{
    if (PQgetisnull(r, row, column))
        return 0.0;
    return strtod(PQgetvalue(r, row, column), NULL);
}

bool hl_pg_bool(const PGresult *r, int row, int column)
{
    if (PQgetisnull(r, row, column))
        return false;
    const char *text = PQgetvalue(r, row, column);
    if (text[0] == 't')
        return true;
    if (text[0] == 'f')
        return false;
    return strtoll(text, NULL, 10) != 0;
}

void hl_pg_text(const PGresult *r, int row, int column, char *out, size_t size)
{
    HL_REQUIRE(out != NULL && size > 0);
    size_t length = 0;
    const char *text = "";
    if (!PQgetisnull(r, row, column)) {
        text = PQgetvalue(r, row, column);
        length = (size_t)PQgetlength(r, row, column);
    }
    if (length > size - 1) {
        length = size - 1;
        /* Back off over continuation bytes to the start of the character
         * that did not fit. */
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    if (length > 0)
        memcpy(out, text, length);
    out[length] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hl_pg_bytes(const PGresult *r, int row, int column, unsigned char *out, size_t size,
                size_t *length, hl_error *error)
{
    HL_REQUIRE(length != NULL && (out != NULL || size == 0));
    *length = 0;
    if (PQgetisnull(r, row, column))
        return HL_OK;
    const char *text = PQgetvalue(r, row, column);
    size_t digits = (size_t)PQgetlength(r, row, column);
    /* bytea_output = hex, which every server since 9.0 uses by default and
     * the connection sets (pg_connection.c). */
    if (digits < 2 || text[0] != '\\' || text[1] != 'x' || digits % 2 != 0)
        return hl_pg_corrupt_value(r, row, column, error);
    size_t count = (digits - 2) / 2;
    if (count > size)
        return hl_error_set(error, HL_EIO, NULL,
                            HL_T("数据库中 %s 列的值过长（%zu 字节）",
                                 "the value in column %s is too long (%zu bytes)"),
                            PQfname(r, column), count);
    for (size_t index = 0; index < count; index++) {
        int high = hex_digit(text[2 + 2 * index]);
        int low = hex_digit(text[3 + 2 * index]);
        if (high < 0 || low < 0)
            return hl_pg_corrupt_value(r, row, column, error);
        out[index] = (unsigned char)(high * 16 + low);
    }
    *length = count;
    return HL_OK;
}

const char *hl_pg_state_name(int value)
{
    return hl_order_state_name((hl_state)value);
}

const char *hl_pg_channel_name(int value)
{
    return hl_order_channel_name((hl_channel)value);
}

const char *hl_pg_type_name(int value)
{
    return hl_order_type_name((hl_order_type)value);
}

const char *hl_pg_action_name(int value)
{
    const hl_workflow_rule *rule = hl_workflow_rule_of((hl_action)value);
    return rule != NULL ? rule->name : NULL;
}

const char *hl_pg_role_name(int value)
{
    return hl_directory_role_name((hl_role)value);
}

const char *hl_pg_counter_name(int value)
{
    return hl_rollup_counter_name((hl_counter)value);
}

/* The exact inverse of the name we write. The domain parse functions are
 * made for people: they also accept Chinese labels and refuse values that
 * are not real choices (the state "none", the from-state of registration),
 * which the store must read back all the same. */
bool hl_pg_decode_enum(const char *text, hl_pg_enum_namer namer, int count, int *out)
{
    HL_REQUIRE(namer != NULL && out != NULL);
    if (text == NULL)
        return false;
    for (int value = 0; value < count; value++) {
        const char *name = namer(value);
        if (name != NULL && strcmp(name, text) == 0) {
            *out = value;
            return true;
        }
    }
    return false;
}

const char *hl_pg_encode_enum(int value, hl_pg_enum_namer namer, int count)
{
    HL_REQUIRE(namer != NULL);
    if (value < 0 || value >= count)
        return NULL;
    return namer(value);
}

bool hl_pg_read_enum(const PGresult *r, int row, int column, hl_pg_enum_namer namer, int count,
                     int *out)
{
    *out = 0;
    const char *text = PQgetisnull(r, row, column) ? NULL : PQgetvalue(r, row, column);
    return hl_pg_decode_enum(text, namer, count, out);
}
