/* transfer_import.c: the import of work orders and of callback-survey
 * calls from CSV.
 *
 * Each import is one transaction: all rows or, when any row is bad, none;
 * every bad row is reported with its line number. Imported orders are
 * registrations: they enter the lifecycle at 待派单 through the same
 * workflow step as an order typed by an agent; survey calls are `survey`
 * actions. Rows are read through the CSV table of base/csv.h. This file
 * reads CSV; the rules it applies live in domain/. */
#include "app/transfer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/transfer_internal.h"
#include "base/array.h"
#include "base/csv.h"
#include "base/i18n.h"

/* Where an import reads its CSV: text in memory, or a stream read through
 * the CSV reader's bounded window (stream not NULL). */
typedef struct import_source {
    const char *text;
    size_t length;
    FILE *stream;
} import_source;

/* A failure that is no row's fault but the store's: the import stops. */
static bool store_fault(int code)
{
    return code == HL_EIO || code == HL_ERETRY || code == HL_EUNAVAILABLE;
}

/* An import is one transaction over a stream read once, so it is not run
 * again when it meets another writer (HL_ERETRY, PostgreSQL): it was
 * rolled back whole, and the user runs it again. */
static int run_again_later(int result, hl_error *error)
{
    if (result != HL_ERETRY)
        return result;
    return hl_error_set(
        error, HL_EUNAVAILABLE, NULL, "%s",
        HL_T("导入与其他写入冲突，已整体回滚，请重新导入",
             "the import met other writes and was rolled back whole: run it again"));
}

static int open_source(hl_csv_table *table, const import_source *source,
                       const hl_csv_schema *schema, hl_error *error)
{
    if (source->stream != NULL)
        return hl_csv_table_open_stream(table, source->stream, schema, error);
    return hl_csv_table_open(table, source->text, source->length, schema, error);
}

/* ---- work orders ---- */

enum {
    ORDER_NUMBER,
    ORDER_RECEIVED_AT,
    ORDER_CHANNEL,
    ORDER_TYPE,
    ORDER_CATEGORY,
    ORDER_CITIZEN_NAME,
    ORDER_CITIZEN_PHONE,
    ORDER_ADDRESS,
    ORDER_LATITUDE,
    ORDER_LONGITUDE,
    ORDER_TITLE,
    ORDER_CONTENT,
    ORDER_PUBLISH_CONSENT,
    ORDER_COLUMN_COUNT
};

static const hl_csv_column order_columns[ORDER_COLUMN_COUNT] = {
    {"number", false},
    {"received_at", true},
    {"channel", true},
    {"type", true},
    {"category", false},
    {"citizen_name", false},
    {"citizen_phone", false},
    {"address", false},
    {"latitude", false},
    {"longitude", false},
    {"title", true},
    {"content", true},
    /* Optional: a file written before consent was recorded imports as
     * without it. */
    {"publish_consent", false},
};

/* Columns that export writes and import leaves alone: an imported order
 * starts its lifecycle afresh at 待派单. */
static const char *const export_only_columns[] = {
    "state",           "version",         "lead_unit",
    "co_units",        "dispatched_at",   "sign_deadline",
    "signed_at",       "return_deadline", "handle_deadline",
    "completed_at",    "reply",           "extension_count",
    "return_count",    "reopen_count",    "remind_count",
    "supervise_count", "duplicate_of",    "excluded",
    "excluded_reason", "registered_by",   NULL};

static const hl_csv_schema order_schema = {order_columns, ORDER_COLUMN_COUNT, export_only_columns,
                                           false};

static int bad_field(const char *field, hl_error *error)
{
    return hl_error_set(error, HL_EINVAL, field, HL_T("%s 格式不正确", "%s is malformed"), field);
}

/* Fills an order's registration from one CSV row. The order is reused from
 * row to row; only what registration reads is reset, since clearing the
 * whole record (tens of kilobytes of text fields) would dominate an import. */
static int parse_order_row(const hl_csv_table *table, hl_order *order, hl_error *error)
{
    order->id = 0;
    order->version = 0;
    order->state = HL_STATE_NONE;
    order->state_before_return = HL_STATE_NONE;
    order->has_location = false;
    order->latitude = order->longitude = 0;
    order->publish_consent = false;
    order->lead_unit[0] = order->co_units[0] = order->reply[0] = '\0';
    order->excluded_reason[0] = '\0';
    order->dispatched_at = order->sign_deadline = order->signed_at = 0;
    order->return_deadline = order->handle_deadline = order->due_at = order->completed_at = 0;
    order->extension_count = order->extension_pending_days = order->return_count = 0;
    order->reopen_count = order->remind_count = order->supervise_count = 0;
    order->duplicate_of = 0;
    order->excluded = false;

    hl_slice number = hl_csv_table_field(table, ORDER_NUMBER);
    if (number.len > 0 && hl_order_parse_number(number, &order->id) != HL_OK)
        return bad_field("number", error);
    if (hl_clock_parse_time(hl_csv_table_field(table, ORDER_RECEIVED_AT), &order->received_at) !=
        HL_OK)
        return bad_field("received_at", error);
    if (hl_order_channel_parse(hl_csv_table_field(table, ORDER_CHANNEL), &order->channel) != HL_OK)
        return bad_field("channel", error);
    if (hl_order_type_parse(hl_csv_table_field(table, ORDER_TYPE), &order->type) != HL_OK)
        return bad_field("type", error);
    int result = hl_transfer_copy_optional_code(
        order->category, hl_csv_table_field(table, ORDER_CATEGORY), "category", error);
    if (result == HL_OK)
        result = hl_text_copy(order->citizen_name, sizeof order->citizen_name,
                              hl_csv_table_field(table, ORDER_CITIZEN_NAME), HL_NAME_CHARS, false,
                              "citizen_name", error);
    if (result == HL_OK)
        result = hl_text_copy(order->citizen_phone, sizeof order->citizen_phone,
                              hl_csv_table_field(table, ORDER_CITIZEN_PHONE), HL_PHONE_CHARS, false,
                              "citizen_phone", error);
    if (result == HL_OK)
        result = hl_text_copy(order->address, sizeof order->address,
                              hl_csv_table_field(table, ORDER_ADDRESS), HL_ADDRESS_CHARS, false,
                              "address", error);
    if (result == HL_OK)
        result =
            hl_text_copy(order->title, sizeof order->title, hl_csv_table_field(table, ORDER_TITLE),
                         HL_TITLE_CHARS, false, "title", error);
    if (result == HL_OK)
        result = hl_text_copy(order->content, sizeof order->content,
                              hl_csv_table_field(table, ORDER_CONTENT), HL_CONTENT_CHARS, true,
                              "content", error);
    if (result != HL_OK)
        return result;
    hl_slice latitude = hl_csv_table_field(table, ORDER_LATITUDE);
    hl_slice longitude = hl_csv_table_field(table, ORDER_LONGITUDE);
    if (latitude.len > 0 || longitude.len > 0) {
        if (hl_text_parse_double(latitude, &order->latitude) != HL_OK)
            return bad_field("latitude", error);
        if (hl_text_parse_double(longitude, &order->longitude) != HL_OK)
            return bad_field("longitude", error);
        order->has_location = true;
    }
    hl_slice consent = hl_csv_table_field(table, ORDER_PUBLISH_CONSENT);
    if (consent.len == 1 && (consent.ptr[0] == '0' || consent.ptr[0] == '1'))
        order->publish_consent = consent.ptr[0] == '1';
    else if (consent.len != 0)
        return hl_error_set(error, HL_EINVAL, "publish_consent",
                            HL_T("publish_consent 须为 1（同意公开）或 0",
                                 "publish_consent takes 1 (consented) or 0"));
    return hl_order_validate_registration(order, error);
}

/* Category codes known to the store, sorted, so that each row is checked
 * without a query. */
typedef struct code_set {
    char (*codes)[HL_CODE_BYTES];
    size_t count;
    size_t capacity;
} code_set;

static int collect_category(void *context, const hl_category *category)
{
    code_set *set = context;
    if (!category->active)
        return 0;
    HL_ARRAY_GROW(set->codes, set->count, set->capacity);
    memcpy(set->codes[set->count++], category->code, HL_CODE_BYTES);
    return 0;
}

static int compare_codes(const void *left, const void *right)
{
    return strcmp(left, right);
}

static bool code_set_has(const code_set *set, const char *code)
{
    return set->count > 0 &&
           bsearch(code, set->codes, set->count, sizeof *set->codes, compare_codes) != NULL;
}

/* The import runs as a pipeline of two threads, since reading and checking
 * rows and writing them to SQLite take comparable time: a reader thread
 * parses and checks batches of rows (everything up to the workflow's
 * registration step, which is pure), while the calling thread, which holds
 * the transaction, numbers and stores them. Two batches alternate. */
#define IMPORT_BATCH_ROWS 128

typedef struct import_row {
    long line;
    int result; /* HL_OK: ready to store; else error says why */
    hl_error error;
    hl_order order;
    hl_sealed_phone phone; /* sealed here, on the reading thread */
    hl_event event;
} import_row;

typedef struct import_batch {
    import_row *rows; /* IMPORT_BATCH_ROWS of them, reused */
    size_t count;
    bool last;  /* no rows follow this batch */
    bool ready; /* filled by the reader, not yet stored */
} import_batch;

typedef struct import_pipeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    import_batch batches[2];
    bool stop; /* the writer failed: the reader ends early */
    hl_app *app;
    const hl_user *user;
    hl_csv_table *table;
    const code_set *categories;
    hl_time now;
    hl_lang language;
} import_pipeline;

/* Reads and checks one data row into `row`; returns false at the end of input. */
static bool read_import_row(import_pipeline *pipeline, import_row *row, bool *broken)
{
    hl_csv_table *table = pipeline->table;
    hl_error_clear(&row->error);
    int got = hl_csv_table_next(table, &row->error);
    if (got == 0)
        return false;
    row->line = hl_csv_table_line(table);
    if (got < 0 && hl_csv_table_broken(table)) {
        /* The CSV itself is broken (an unterminated quote...): what follows
         * cannot be read reliably, so this is the last row. */
        row->result = got;
        *broken = true;
        return true;
    }
    hl_order *order = &row->order;
    hl_error *error = &row->error;
    /* A row of the wrong width: its message already names the line. */
    int result = got < 0 ? got : HL_OK;
    if (result == HL_OK)
        result = parse_order_row(table, order, error);
    if (result == HL_OK && order->category[0] != '\0' &&
        !code_set_has(pipeline->categories, order->category))
        result = hl_error_set(error, HL_EINVAL, "category",
                              HL_T("诉求分类 %s 不存在", "no category %s"), order->category);
    if (result == HL_OK && order->received_at > pipeline->now + HL_FUTURE_TOLERANCE_SECONDS)
        result = hl_error_set(error, HL_EINVAL, "received_at",
                              HL_T("受理时间晚于当前时间", "received_at is in the future"));
    if (result == HL_OK)
        result = hl_app_prepare_registration(pipeline->app, pipeline->user, order,
                                             order->received_at, &row->event, error);
    /* Sealing costs about as much as the rest of a row's checks: here it
     * runs beside the writer instead of before each insert. */
    if (result == HL_OK)
        result = hl_app_seal_phone(pipeline->app, order, &row->phone, error);
    if (result != HL_OK && got > 0)
        hl_csv_at_line(error, row->line);
    row->result = result;
    return true;
}

static void *import_reader_thread(void *argument)
{
    import_pipeline *pipeline = argument;
    hl_i18n_set(pipeline->language);
    bool broken = false, done = false;
    for (size_t turn = 0; !done; turn ^= 1) {
        import_batch *batch = &pipeline->batches[turn];
        pthread_mutex_lock(&pipeline->lock);
        while (batch->ready && !pipeline->stop)
            pthread_cond_wait(&pipeline->changed, &pipeline->lock);
        bool stop = pipeline->stop;
        pthread_mutex_unlock(&pipeline->lock);
        batch->count = 0;
        if (!stop)
            while (batch->count < IMPORT_BATCH_ROWS && !broken &&
                   read_import_row(pipeline, &batch->rows[batch->count], &broken))
                batch->count++;
        done = stop || broken || batch->count < IMPORT_BATCH_ROWS;
        pthread_mutex_lock(&pipeline->lock);
        batch->last = done;
        batch->ready = true;
        pthread_cond_broadcast(&pipeline->changed);
        pthread_mutex_unlock(&pipeline->lock);
    }
    return NULL;
}

static int import_orders(hl_app *app, const char *actor, const import_source *source,
                         hl_transfer_row_error_visitor report, void *context, int max_reported,
                         int64_t *imported, hl_error *error)
{
    hl_user user;
    int result = hl_app_load_actor(app, actor, &user, error);
    if (result != HL_OK)
        return result;
    code_set categories = {NULL, 0, 0};
    result = hl_store_category_each(app->store, collect_category, &categories, error);
    if (result != HL_OK)
        return result;
    if (categories.count > 0)
        qsort(categories.codes, categories.count, sizeof *categories.codes, compare_codes);

    hl_csv_table table;
    hl_rollup_map *batch_rollups = hl_rollup_map_new();
    int64_t count = 0, bad_rows = 0;
    import_pipeline pipeline = {.app = app,
                                .user = &user,
                                .table = &table,
                                .categories = &categories,
                                .now = hl_clock_now(),
                                .language = hl_i18n_get()};

    result = open_source(&table, source, &order_schema, error);
    if (result == HL_OK) {
        hl_store_set_bulk(app->store, true);
        result = hl_app_begin(app, error);
    }
    if (result == HL_OK) {
        pthread_mutex_init(&pipeline.lock, NULL);
        pthread_cond_init(&pipeline.changed, NULL);
        for (size_t index = 0; index < 2; index++)
            pipeline.batches[index].rows = hl_xcalloc(IMPORT_BATCH_ROWS, sizeof(import_row));
        pthread_t reader_thread;
        if (pthread_create(&reader_thread, NULL, import_reader_thread, &pipeline) != 0)
            abort(); /* only when out of memory or threads */
        bool last = false;
        for (size_t turn = 0; !last; turn ^= 1) {
            import_batch *batch = &pipeline.batches[turn];
            pthread_mutex_lock(&pipeline.lock);
            while (!batch->ready)
                pthread_cond_wait(&pipeline.changed, &pipeline.lock);
            pthread_mutex_unlock(&pipeline.lock);
            last = batch->last;
            for (size_t index = 0; index < batch->count && result == HL_OK; index++) {
                import_row *row = &batch->rows[index];
                /* Rows keep being stored after a bad one, inside the
                 * transaction that will be rolled back, so that one run also
                 * finds the rows that clash with earlier ones (a repeated number). */
                if (row->result == HL_OK) {
                    row->result = hl_app_store_sealed_registration(
                        app, &row->order, &row->phone, &row->event, batch_rollups, &row->error);
                    if (store_fault(row->result)) {
                        *error = row->error;
                        result = row->result;
                        break;
                    }
                    if (row->result != HL_OK)
                        hl_csv_at_line(&row->error, row->line);
                }
                if (row->result == HL_OK) {
                    count++;
                    continue;
                }
                if (store_fault(row->result)) {
                    /* No row's fault (the file could not be read): the import stops. */
                    *error = row->error;
                    result = row->result;
                    break;
                }
                if (bad_rows < max_reported && report != NULL)
                    report(context, row->line, &row->error);
                bad_rows++;
            }
            pthread_mutex_lock(&pipeline.lock);
            batch->ready = false;
            if (result != HL_OK)
                pipeline.stop = true;
            pthread_cond_broadcast(&pipeline.changed);
            pthread_mutex_unlock(&pipeline.lock);
            if (result != HL_OK)
                break;
        }
        pthread_join(reader_thread, NULL);
        for (size_t index = 0; index < 2; index++)
            free(pipeline.batches[index].rows);
        pthread_cond_destroy(&pipeline.changed);
        pthread_mutex_destroy(&pipeline.lock);

        if (result == HL_OK && bad_rows > 0)
            result = hl_error_set(
                error, HL_EINVAL, "file",
                HL_T("有 %lld 行错误，未导入任何工单", "%lld bad row(s): nothing was imported"),
                (long long)bad_rows);
        if (result == HL_OK)
            result = hl_app_flush_rollups(app, batch_rollups, error);
        result = run_again_later(hl_app_finish(app, result, error), error);
        hl_store_set_bulk(app->store, false);
    }
    if (result == HL_OK && imported != NULL)
        *imported = count;
    hl_rollup_map_free(batch_rollups);
    free(categories.codes);
    hl_csv_table_close(&table);
    return result;
}

int hl_transfer_import_orders(hl_app *app, const char *actor, const char *text, size_t length,
                              hl_transfer_row_error_visitor report, void *context, int max_reported,
                              int64_t *imported, hl_error *error)
{
    import_source source = {text, length, NULL};
    return import_orders(app, actor, &source, report, context, max_reported, imported, error);
}

int hl_transfer_import_orders_file(hl_app *app, const char *actor, FILE *in,
                                   hl_transfer_row_error_visitor report, void *context,
                                   int max_reported, int64_t *imported, hl_error *error)
{
    import_source source = {"", 0, in};
    return import_orders(app, actor, &source, report, context, max_reported, imported, error);
}

/* ---- callback surveys ---- */

enum {
    SURVEY_NUMBER,
    SURVEY_AT,
    SURVEY_OUTCOME,
    SURVEY_RATING,
    SURVEY_RESOLVED,
    SURVEY_COMMENT,
    SURVEY_SURVEYOR,
    SURVEY_COLUMN_COUNT
};

static const hl_csv_column survey_columns[SURVEY_COLUMN_COUNT] = {
    {"number", true},    {"at", true},       {"outcome", true},   {"rating", false},
    {"resolved", false}, {"comment", false}, {"surveyor", false},
};

static const hl_csv_schema survey_schema = {survey_columns, SURVEY_COLUMN_COUNT, NULL, false};

/* Fills a survey request from one row; the comment is copied into `comment`. */
static int parse_survey_row(const hl_csv_table *table, int64_t *id, hl_time *at, char *surveyor,
                            hl_app_request *request, char *comment, size_t comment_size,
                            hl_error *error)
{
    memset(request, 0, sizeof *request);
    if (hl_order_parse_number(hl_csv_table_field(table, SURVEY_NUMBER), id) != HL_OK)
        return bad_field("number", error);
    if (hl_clock_parse_time(hl_csv_table_field(table, SURVEY_AT), at) != HL_OK)
        return bad_field("at", error);
    if (hl_order_outcome_parse(hl_csv_table_field(table, SURVEY_OUTCOME), &request->outcome) !=
        HL_OK)
        return bad_field("outcome", error);
    hl_slice rating = hl_csv_table_field(table, SURVEY_RATING);
    if (rating.len > 0 && hl_order_rating_parse(rating, &request->rating) != HL_OK)
        return bad_field("rating", error);
    hl_slice resolved = hl_csv_table_field(table, SURVEY_RESOLVED);
    if (resolved.len > 0 && hl_order_resolved_parse(resolved, &request->resolved) != HL_OK)
        return bad_field("resolved", error);
    if (request->outcome != HL_OUTCOME_REACHED && (rating.len > 0 || resolved.len > 0))
        return hl_error_set(error, HL_EINVAL, "rating",
                            HL_T("只有回访成功才能有满意度评价", "a rating needs a reached call"));
    int result = hl_text_copy(comment, comment_size, hl_csv_table_field(table, SURVEY_COMMENT),
                              HL_REASON_CHARS, true, "comment", error);
    if (result == HL_OK)
        result = hl_transfer_copy_optional_code(
            surveyor, hl_csv_table_field(table, SURVEY_SURVEYOR), "surveyor", error);
    request->note = comment;
    return result;
}

static int import_surveys(hl_app *app, const char *actor, const import_source *source,
                          hl_transfer_row_error_visitor report, void *context, int max_reported,
                          int64_t *applied, hl_error *error)
{
    hl_user user;
    int result = hl_app_load_actor(app, actor, &user, error);
    if (result != HL_OK)
        return result;
    hl_csv_table table;
    int64_t count = 0, bad_rows = 0;
    char *comment = hl_xmalloc(HL_REASON_BYTES);
    hl_app_scratch *scratch = hl_app_scratch_new();
    hl_time now = hl_clock_now();
    result = open_source(&table, source, &survey_schema, error);
    if (result == HL_OK) {
        hl_store_set_bulk(app->store, true);
        result = hl_app_begin(app, error);
    }
    while (result == HL_OK) {
        hl_error row_error;
        hl_error_clear(&row_error);
        int got = hl_csv_table_next(&table, &row_error);
        if (got == 0)
            break;
        long line = hl_csv_table_line(&table);
        /* A malformed record, or a row of the wrong width: either message
         * already names the line. */
        int row_result = got < 0 ? got : HL_OK;
        int64_t id = 0;
        hl_time at = 0;
        char surveyor[HL_CODE_BYTES] = "";
        hl_app_request request;
        if (row_result == HL_OK)
            row_result = parse_survey_row(&table, &id, &at, surveyor, &request, comment,
                                          HL_REASON_BYTES, &row_error);
        if (row_result == HL_OK && at > now + HL_FUTURE_TOLERANCE_SECONDS)
            row_result = hl_error_set(&row_error, HL_EINVAL, "at",
                                      HL_T("回访时间晚于当前时间", "the call is in the future"));
        /* Rows keep being applied after a bad one, inside the transaction
         * that will be rolled back, so that later rows are checked against
         * the state earlier rows leave. */
        if (row_result == HL_OK)
            row_result = hl_app_act_within(app, surveyor[0] != '\0' ? surveyor : actor, id,
                                           HL_ACTION_SURVEY, &request, at, scratch, &row_error);
        if (store_fault(row_result)) {
            *error = row_error;
            result = row_result;
            break;
        }
        if (row_result != HL_OK) {
            if (got > 0)
                hl_csv_at_line(&row_error, line);
            if (bad_rows < max_reported && report != NULL)
                report(context, line, &row_error);
            bad_rows++;
            if (hl_csv_table_broken(&table))
                break; /* the CSV itself is broken: the rest cannot be read reliably */
            continue;
        }
        count++;
    }
    if (result == HL_OK && bad_rows > 0)
        result = hl_error_set(
            error, HL_EINVAL, "file",
            HL_T("有 %lld 行错误，未导入任何回访记录", "%lld bad row(s): nothing was imported"),
            (long long)bad_rows);
    result = run_again_later(hl_app_finish(app, result, error), error);
    hl_store_set_bulk(app->store, false);
    if (result == HL_OK && applied != NULL)
        *applied = count;
    (void)user;
    free(comment);
    hl_app_scratch_free(scratch);
    hl_csv_table_close(&table);
    return result;
}

int hl_transfer_import_surveys(hl_app *app, const char *actor, const char *text, size_t length,
                               hl_transfer_row_error_visitor report, void *context,
                               int max_reported, int64_t *applied, hl_error *error)
{
    import_source source = {text, length, NULL};
    return import_surveys(app, actor, &source, report, context, max_reported, applied, error);
}

int hl_transfer_import_surveys_file(hl_app *app, const char *actor, FILE *in,
                                    hl_transfer_row_error_visitor report, void *context,
                                    int max_reported, int64_t *applied, hl_error *error)
{
    import_source source = {"", 0, in};
    return import_surveys(app, actor, &source, report, context, max_reported, applied, error);
}
