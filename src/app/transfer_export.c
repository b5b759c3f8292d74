/* transfer_export.c: the export of work orders as CSV (docs/csv.md).
 *
 * Streams the orders a filter selects, one CSV row each, with the columns
 * an import takes and those of the order's lifecycle; the audited variant
 * also records that the full phone numbers were given out and the export
 * itself as the security event "export" (app/audit). It
 * writes CSV and reads the store; it changes no order. */
#include "app/transfer.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "base/array.h"
#include "base/i18n.h"

static const char *const export_header =
    "number,received_at,channel,type,category,citizen_name,citizen_phone,address,latitude,"
    "longitude,title,content,publish_consent,registered_by,state,version,lead_unit,co_units,"
    "dispatched_at,"
    "sign_deadline,signed_at,return_deadline,handle_deadline,completed_at,reply,extension_count,"
    "return_count,reopen_count,remind_count,supervise_count,duplicate_of,excluded,excluded_"
    "reason\n";

typedef struct export_context {
    FILE *out;
    hl_buf line;
    int64_t count;
    bool audited;
    int64_t *phone_orders; /* exported orders with a phone, when audited */
    size_t phone_count, phone_room;
} export_context;

static void append_time_field(hl_buf *line, hl_time instant)
{
    char text[40] = "";
    if (instant != 0)
        hl_clock_format_iso(instant, text, sizeof text);
    hl_buf_appendf(line, ",%s", text);
}

static int export_one(void *context, const hl_order *order)
{
    export_context *export = context;
    hl_buf *line = &export->line;
    char number[24];
    hl_buf_reset(line);
    hl_order_format_number(order->id, number, sizeof number);
    hl_buf_append_str(line, number);
    append_time_field(line, order->received_at);
    hl_buf_appendf(line, ",%s,%s,", hl_order_channel_name(order->channel),
                   hl_order_type_name(order->type));
    const char *texts[] = {order->category, order->citizen_name, order->citizen_phone,
                           order->address};
    for (size_t index = 0; index < 4; index++) {
        hl_buf_append_csv_field(line, texts[index]);
        hl_buf_append_char(line, ',');
    }
    if (order->has_location)
        hl_buf_appendf(line, "%.6f,%.6f,", order->latitude, order->longitude);
    else
        hl_buf_append_str(line, ",,");
    hl_buf_append_csv_field(line, order->title);
    hl_buf_append_char(line, ',');
    hl_buf_append_csv_field(line, order->content);
    hl_buf_appendf(line, ",%d,", order->publish_consent ? 1 : 0);
    hl_buf_append_csv_field(line, order->registered_by);
    hl_buf_appendf(line, ",%s,%lld,", hl_order_state_name(order->state), (long long)order->version);
    hl_buf_append_csv_field(line, order->lead_unit);
    hl_buf_append_char(line, ',');
    hl_buf_append_csv_field(line, order->co_units);
    append_time_field(line, order->dispatched_at);
    append_time_field(line, order->sign_deadline);
    append_time_field(line, order->signed_at);
    append_time_field(line, order->return_deadline);
    append_time_field(line, order->handle_deadline);
    append_time_field(line, order->completed_at);
    hl_buf_append_char(line, ',');
    hl_buf_append_csv_field(line, order->reply);
    hl_buf_appendf(line, ",%d,%d,%d,%d,%d,", order->extension_count, order->return_count,
                   order->reopen_count, order->remind_count, order->supervise_count);
    if (order->duplicate_of != 0) {
        hl_order_format_number(order->duplicate_of, number, sizeof number);
        hl_buf_append_str(line, number);
    }
    hl_buf_appendf(line, ",%d,", order->excluded ? 1 : 0);
    hl_buf_append_csv_field(line, order->excluded_reason);
    hl_buf_append_char(line, '\n');
    if (fwrite(line->data, 1, line->len, export->out) != line->len)
        return HL_EIO;
    export->count++;
    if (export->audited && order->citizen_phone[0] != '\0') {
        HL_ARRAY_GROW(export->phone_orders, export->phone_count, export->phone_room);
        export->phone_orders[export->phone_count++] = order->id;
    }
    return 0;
}

/* Records that the numbers of the exported orders were given out. */
static int record_export_reads(hl_app *app, const export_context *export, const char *actor,
                               const char *route, hl_error *error)
{
    if (export->phone_count == 0)
        return HL_OK;
    hl_time now = hl_clock_now();
    hl_audit_read *reads = hl_xmalloc(export->phone_count * sizeof *reads);
    for (size_t index = 0; index < export->phone_count; index++)
        hl_audit_read_of(&reads[index], now, actor, export->phone_orders[index], route);
    int result = hl_audit_record(app, reads, export->phone_count, error);
    free(reads);
    if (result == HL_OK)
        return HL_OK;
    char cause[HL_ERROR_MESSAGE_MAX];
    snprintf(cause, sizeof cause, "%s", error->message);
    return hl_error_set(error, HL_EIO, NULL,
                        HL_T("已导出，但联系电话的查阅未能记入审计：%.300s",
                             "the export was written but its reads of phone numbers "
                             "could not be recorded: %.300s"),
                        cause);
}

int hl_transfer_export_orders_audited(hl_app *app, const hl_order_filter *filter, FILE *out,
                                      const char *actor, const char *route, int64_t *exported,
                                      hl_error *error)
{
    export_context export = {out, {NULL, 0, 0}, 0, actor != NULL, NULL, 0, 0};
    if (fputs(export_header, out) == EOF)
        return hl_error_set(error, HL_EIO, "file", "write failed");
    int result = hl_store_order_query(app->store, filter, export_one, &export, error);
    if (result == HL_EIO && error->message[0] == '\0')
        hl_error_set(error, HL_EIO, "file", "write failed");
    if (result == HL_OK && fflush(out) != 0)
        result = hl_error_set(error, HL_EIO, "file", "write failed");
    /* Even a failed export may have written some numbers: record those,
     * and the export itself as a security event (whoever takes the citizens'
     * names and addresses out of the store in one file is what an auditor
     * asks about first), with its outcome and what it held. */
    if (export.audited) {
        hl_error audit_error;
        hl_error_clear(&audit_error);
        int recorded = record_export_reads(app, &export, actor, route, &audit_error);
        if (recorded != HL_OK && result == HL_OK) {
            *error = audit_error;
            result = recorded;
        }
        char detail[120];
        snprintf(detail, sizeof detail, "orders=%lld phones=%zu", (long long)export.count,
                 export.phone_count);
        hl_audit_security(app, actor, NULL, "export", route,
                          result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE, detail);
    }
    hl_buf_free(&export.line);
    free(export.phone_orders);
    if (result == HL_OK && exported != NULL)
        *exported = export.count;
    return result;
}

int hl_transfer_export_orders(hl_app *app, const hl_order_filter *filter, FILE *out,
                              int64_t *exported, hl_error *error)
{
    return hl_transfer_export_orders_audited(app, filter, out, NULL, NULL, exported, error);
}
