/* publish.c: a month's bulletin published, read back and checked (see
 * publish.h).
 *
 * The frozen inputs are a small CSV text (the document), every field
 * quoted, one record per line, first field the record's kind:
 *   "hotline-bulletin","1"              the format's version
 *   "month","202402"
 *   "policy",KEY,VALUE                  one per ranking policy item
 *   "text",KEY,VALUE                    title, hotline_name, group_order, generated_at
 *   "counters",NAME,...                 the rollup counters' stable names, in
 *                                       the order of the unit records' counts
 *   "unit",CODE,NAME,GROUP,HAS_PREVIOUS,COUNTS...,PREVIOUS COUNTS...
 *   "exclusion",ORDER,UNIT,REASON       an order an upheld appeal took out
 * Counters are named, not numbered, so that a later build with more
 * counters reads an old document. The digest is BLAKE2b-256 over the tag
 * "hotline-bulletin-1" and each field of the record (month, edition,
 * published_at, published_by, the chain head's seq and hash, surveyed,
 * reached, satisfied, note, document), integers as 8 bytes big-endian,
 * texts as an 8-byte big-endian length and their bytes. Nothing here is
 * secret: anyone holding the store can recompute it. This module renders
 * nothing; report/ lays the bulletin and its correction out. */
#include "app/publish.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "app/auth.h"
#include "base/array.h"
#include "base/csv.h"
#include "base/i18n.h"
#include "domain/bulletin.h"
#include "store/chain.h"

#define DOCUMENT_VERSION "1"
#define DIGEST_TAG "hotline-bulletin-1"
/* The longest note a new edition gives, in characters. */
#define NOTE_CHARS 80

static void month_text(int month, char *out, size_t size)
{
    snprintf(out, size, "%04d-%02d", month / 100, month % 100);
}

/* ---- The document ---- */

static void put_field(hl_buf *out, const char *text)
{
    if (out->len > 0 && out->data[out->len - 1] != '\n')
        hl_buf_append_char(out, ',');
    hl_buf_append_char(out, '"');
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor == '"')
            hl_buf_append_char(out, '"');
        hl_buf_append_char(out, *cursor);
    }
    hl_buf_append_char(out, '"');
}

static void put_number(hl_buf *out, long long value)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", value);
    put_field(out, text);
}

static void put_pair(hl_buf *out, const char *kind, const char *key, const char *value)
{
    put_field(out, kind);
    put_field(out, key);
    put_field(out, value);
    hl_buf_append_char(out, '\n');
}

static void put_policy(hl_buf *out, const char *key, long long value)
{
    put_field(out, "policy");
    put_field(out, key);
    put_number(out, value);
    hl_buf_append_char(out, '\n');
}

static void write_document(const hl_report_inputs *inputs, const hl_assessment_policy *policy,
                           hl_buf *out)
{
    put_field(out, "hotline-bulletin");
    put_field(out, DOCUMENT_VERSION);
    hl_buf_append_char(out, '\n');
    put_field(out, "month");
    put_number(out, inputs->month);
    hl_buf_append_char(out, '\n');
    put_policy(out, "basic_counts_satisfied", policy->basic_counts_satisfied ? 1 : 0);
    put_pair(out, "policy", "method", hl_bulletin_method_code(policy->method));
    put_policy(out, "min_reached", policy->min_reached);
    put_policy(out, "weight_response", policy->weight_response);
    put_policy(out, "weight_resolution", policy->weight_resolution);
    put_policy(out, "weight_satisfaction", policy->weight_satisfaction);
    put_policy(out, "list_size", policy->list_size);
    put_pair(out, "text", "title", inputs->meta.title);
    put_pair(out, "text", "hotline_name", inputs->meta.hotline_name);
    put_pair(out, "text", "group_order", inputs->group_order);
    put_pair(out, "text", "generated_at", inputs->meta.generated_at);
    put_field(out, "counters");
    for (int counter = 0; counter < HL_COUNTER_COUNT; counter++)
        put_field(out, hl_rollup_counter_name((hl_counter)counter));
    hl_buf_append_char(out, '\n');
    for (size_t index = 0; index < inputs->count; index++) {
        const hl_unit_counts *unit = &inputs->units[index];
        put_field(out, "unit");
        put_field(out, unit->unit);
        put_field(out, unit->name);
        put_field(out, unit->group);
        put_number(out, unit->has_previous ? 1 : 0);
        for (int counter = 0; counter < HL_COUNTER_COUNT; counter++)
            put_number(out, (long long)unit->counters[counter]);
        for (int counter = 0; counter < HL_COUNTER_COUNT; counter++)
            put_number(out, (long long)unit->previous[counter]);
        hl_buf_append_char(out, '\n');
    }
    for (size_t index = 0; index < inputs->exclusion_count; index++) {
        const hl_exclusion *item = &inputs->exclusions[index];
        put_field(out, "exclusion");
        put_number(out, (long long)item->order_id);
        put_field(out, item->unit);
        put_field(out, item->reason);
        hl_buf_append_char(out, '\n');
    }
}

static void copy_slice(char *out, size_t size, hl_slice text)
{
    size_t length = text.len < size - 1 ? text.len : size - 1;
    memcpy(out, text.ptr, length);
    out[length] = '\0';
}

typedef struct document_reader {
    hl_report_inputs *inputs;
    hl_assessment_policy *policy;
    int counters[HL_COUNTER_COUNT]; /* the counter of each count column */
    size_t counter_count;
    size_t unit_capacity, exclusion_capacity;
    bool versioned, has_month;
} document_reader;

static int read_number(hl_slice text, int64_t minimum, int64_t maximum, int64_t *out)
{
    return hl_text_parse_int(text, minimum, maximum, out);
}

/* Reads one record; false when it is malformed. */
static bool read_record(document_reader *reader, const hl_slice *fields, size_t count)
{
    hl_report_inputs *inputs = reader->inputs;
    char key[64], value[HL_REASON_BYTES];
    int64_t number = 0;
    if (hl_slice_equal(fields[0], "hotline-bulletin"))
        return reader->versioned = count == 2 && hl_slice_equal(fields[1], DOCUMENT_VERSION);
    if (!reader->versioned)
        return false;
    if (hl_slice_equal(fields[0], "month")) {
        if (count != 2 || read_number(fields[1], 100001, 999912, &number) != HL_OK)
            return false;
        inputs->month = (int)number;
        inputs->meta.month = (int)number;
        return reader->has_month = true;
    }
    if (count == 3 && hl_slice_equal(fields[0], "policy")) {
        copy_slice(key, sizeof key, fields[1]);
        copy_slice(value, sizeof value, fields[2]);
        hl_error ignored;
        return hl_assessment_policy_set(reader->policy, key, value, &ignored) == HL_OK;
    }
    if (count == 3 && hl_slice_equal(fields[0], "text")) {
        if (hl_slice_equal(fields[1], "title"))
            copy_slice(inputs->meta.title, sizeof inputs->meta.title, fields[2]);
        else if (hl_slice_equal(fields[1], "hotline_name"))
            copy_slice(inputs->meta.hotline_name, sizeof inputs->meta.hotline_name, fields[2]);
        else if (hl_slice_equal(fields[1], "group_order"))
            copy_slice(inputs->group_order, sizeof inputs->group_order, fields[2]);
        else if (hl_slice_equal(fields[1], "generated_at"))
            copy_slice(inputs->meta.generated_at, sizeof inputs->meta.generated_at, fields[2]);
        else
            return false;
        return true;
    }
    if (hl_slice_equal(fields[0], "counters")) {
        if (count - 1 > HL_COUNTER_COUNT)
            return false;
        reader->counter_count = count - 1;
        for (size_t index = 1; index < count; index++) {
            hl_counter counter;
            copy_slice(key, sizeof key, fields[index]);
            if (hl_rollup_counter_parse(key, &counter) != HL_OK)
                return false; /* a counter this build does not know */
            reader->counters[index - 1] = (int)counter;
        }
        return true;
    }
    if (hl_slice_equal(fields[0], "unit")) {
        size_t counts = reader->counter_count;
        if (counts == 0 || count != 5 + 2 * counts)
            return false;
        HL_ARRAY_GROW(inputs->units, inputs->count, reader->unit_capacity);
        hl_unit_counts *unit = &inputs->units[inputs->count++];
        memset(unit, 0, sizeof *unit);
        copy_slice(unit->unit, sizeof unit->unit, fields[1]);
        copy_slice(unit->name, sizeof unit->name, fields[2]);
        copy_slice(unit->group, sizeof unit->group, fields[3]);
        if (read_number(fields[4], 0, 1, &number) != HL_OK)
            return false;
        unit->has_previous = number == 1;
        for (size_t index = 0; index < 2 * counts; index++) {
            if (read_number(fields[5 + index], INT64_MIN / 2, INT64_MAX / 2, &number) != HL_OK)
                return false;
            int counter = reader->counters[index % counts];
            if (index < counts)
                unit->counters[counter] = number;
            else
                unit->previous[counter] = number;
        }
        return true;
    }
    if (count == 4 && hl_slice_equal(fields[0], "exclusion")) {
        if (read_number(fields[1], 0, INT64_MAX, &number) != HL_OK)
            return false;
        HL_ARRAY_GROW(inputs->exclusions, inputs->exclusion_count, reader->exclusion_capacity);
        hl_exclusion *item = &inputs->exclusions[inputs->exclusion_count++];
        memset(item, 0, sizeof *item);
        item->order_id = number;
        copy_slice(item->unit, sizeof item->unit, fields[2]);
        copy_slice(item->reason, sizeof item->reason, fields[3]);
        return true;
    }
    return false;
}

/* Reads a document back into inputs and policy; HL_EIO when it is not one
 * this build wrote (the caller frees inputs either way). */
static int read_document(const char *document, int month, int edition, hl_report_inputs *inputs,
                         hl_assessment_policy *policy, hl_error *error)
{
    memset(inputs, 0, sizeof *inputs);
    hl_assessment_policy_default(policy);
    document_reader reader;
    memset(&reader, 0, sizeof reader);
    reader.inputs = inputs;
    reader.policy = policy;
    hl_csv_reader csv;
    hl_csv_reader_init(&csv, document, strlen(document));
    hl_error ignored;
    int step;
    bool good = true;
    while (good && (step = hl_csv_reader_next(&csv, &ignored)) == 1)
        good = csv.field_count > 0 && read_record(&reader, csv.fields, csv.field_count);
    hl_csv_reader_free(&csv);
    good = good && step == 0 && reader.has_month && inputs->month == month &&
           hl_assessment_policy_check(policy, &ignored) == HL_OK;
    if (good)
        return HL_OK;
    char shown[16];
    month_text(month, shown, sizeof shown);
    return hl_error_set(error, HL_EIO, "document",
                        HL_T("%s 第 %d 版公布的通报无法读回（内容被改动或损坏）",
                             "the published bulletin %s edition %d cannot be read back (changed "
                             "or damaged)"),
                        shown, edition);
}

/* ---- The digest ---- */

static void feed_number(crypto_generichash_state *state, int64_t value)
{
    unsigned char bytes[8];
    for (int index = 0; index < 8; index++)
        bytes[index] = (unsigned char)((uint64_t)value >> (56 - 8 * index));
    crypto_generichash_update(state, bytes, sizeof bytes);
}

static void feed_text(crypto_generichash_state *state, const char *text)
{
    size_t length = strlen(text);
    feed_number(state, (int64_t)length);
    crypto_generichash_update(state, (const unsigned char *)text, length);
}

static void publication_digest(const hl_publication *record, const char *document,
                               char out[HL_CHAIN_HEX_CHARS + 1])
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, HL_CHAIN_HASH_BYTES);
    feed_text(&state, DIGEST_TAG);
    feed_number(&state, record->month);
    feed_number(&state, record->edition);
    feed_number(&state, record->published_at);
    feed_text(&state, record->published_by);
    feed_number(&state, record->chain.seq);
    feed_text(&state, record->chain.hash);
    feed_number(&state, record->surveyed);
    feed_number(&state, record->reached);
    feed_number(&state, record->satisfied);
    feed_text(&state, record->note);
    feed_text(&state, document);
    unsigned char digest[HL_CHAIN_HASH_BYTES];
    crypto_generichash_final(&state, digest, sizeof digest);
    sodium_bin2hex(out, HL_CHAIN_HEX_CHARS + 1, digest, sizeof digest);
}

/* ---- Publishing ---- */

typedef struct editions {
    int count;
    hl_publication latest; /* document NULL */
    char *document;        /* the latest's, when asked for; owned */
    bool keep_document;
} editions;

static int visit_edition(void *context, const hl_publication *publication)
{
    editions *seen = context;
    seen->count++;
    seen->latest = *publication;
    seen->latest.document = NULL;
    if (seen->keep_document) {
        free(seen->document);
        seen->document = hl_xstrdup(publication->document);
    }
    return 0;
}

static int publish(hl_app *app, const char *actor, int month, bool new_edition, const char *note,
                   hl_publication *record, hl_error *error)
{
    char shown[16];
    month_text(month, shown, sizeof shown);
    hl_user user;
    int result = hl_app_load_actor(app, actor, &user, error);
    if (result != HL_OK)
        return result;
    if (!hl_auth_may_publish_reports(&user))
        return hl_error_set(
            error, HL_EROLE, "actor",
            HL_T("只有分析员可以公布通报", "only an analyst may publish a bulletin"));
    hl_slice given = hl_slice_trim(hl_slice_of(note != NULL ? note : ""));
    if (new_edition && given.len == 0)
        return hl_error_set(error, HL_EINVAL, "note",
                            HL_T("新版须说明原因（--note 文字）",
                                 "a new edition needs a note saying why (--note TEXT)"));
    result =
        hl_text_copy(record->note, sizeof record->note, given, NOTE_CHARS, false, "note", error);
    if (result != HL_OK)
        return result;

    hl_assessment_policy policy;
    result = hl_report_policy(app, &policy, error);
    hl_report_inputs inputs;
    if (result == HL_OK)
        result = hl_report_gather(app, month, &inputs, &record->chain, error);
    if (result != HL_OK)
        return result;
    hl_assessment assessment;
    result = hl_report_compute(&inputs, &policy, &assessment, error);
    if (result != HL_OK) {
        hl_report_inputs_free(&inputs);
        return result;
    }
    record->month = month;
    record->surveyed = assessment.base;
    record->reached = assessment.succeeded;
    record->satisfied = assessment.satisfied;
    hl_assessment_free(&assessment);
    snprintf(record->published_by, sizeof record->published_by, "%s", actor);
    hl_buf document;
    hl_buf_init(&document);
    /* The frozen heading says when the figures were read, as published. */
    write_document(&inputs, &policy, &document);
    hl_report_inputs_free(&inputs);
    hl_buf_append_char(&document, '\0');
    record->document = document.data;

    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        editions seen = {0};
        result = hl_store_publication_each(app->store, month, visit_edition, &seen, error);
        if (result == HL_OK && seen.count > 0 && !new_edition) {
            char when[40];
            hl_clock_format_local(seen.latest.published_at, when, sizeof when);
            result = hl_error_set(error, HL_ECONFLICT, "month",
                                  HL_T("%s 的通报已于 %s 由 %s 公布（第 %d 版）；更正须另出新版"
                                       "（--new-edition --note 原因）",
                                       "the bulletin of %s was published on %s by %s (edition "
                                       "%d); a correction is a new edition (--new-edition --note "
                                       "WHY)"),
                                  shown, when, seen.latest.published_by, seen.latest.edition);
        }
        if (result == HL_OK) {
            record->edition = seen.count > 0 ? seen.latest.edition + 1 : 1;
            record->published_at = hl_clock_now();
            publication_digest(record, record->document, record->digest);
            result = hl_store_publication_append(app->store, record, error);
            if (result == HL_ECONFLICT) /* another publication came first */
                result = hl_error_set(error, HL_ECONFLICT, "month",
                                      HL_T("%s 的通报刚由他人公布", "the bulletin of %s was "
                                                                    "just published by someone "
                                                                    "else"),
                                      shown);
        }
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    hl_buf_free(&document);
    record->document = NULL;
    return result;
}

int hl_publish_month(hl_app *app, const char *actor, const char *address, int month,
                     bool new_edition, const char *note, hl_publication *out, hl_error *error)
{
    hl_publication record;
    memset(&record, 0, sizeof record);
    int result = publish(app, actor, month, new_edition, note, &record, error);
    char target[16], detail[HL_SECURITY_DETAIL_BYTES];
    month_text(month, target, sizeof target);
    if (result == HL_OK)
        snprintf(detail, sizeof detail, "edition %d; events %lld %s; digest %s", record.edition,
                 (long long)record.chain.seq, record.chain.hash, record.digest);
    /* The audit cuts a refusal's message to its field. */
    hl_audit_security(app, actor, address, "bulletin.publish", target,
                      result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE,
                      result == HL_OK ? detail : error->message);
    if (result == HL_OK && out != NULL)
        *out = record;
    return result;
}

/* ---- Reading a published month ---- */

void hl_publish_view_free(hl_publish_view *view)
{
    hl_report_inputs_free(&view->inputs);
    hl_assessment_free(&view->published);
    hl_assessment_free(&view->current);
    memset(view, 0, sizeof *view);
}

int hl_publish_view_open(hl_app *app, int month, hl_publish_view *out, hl_error *error)
{
    memset(out, 0, sizeof *out);
    editions seen = {0};
    seen.keep_document = true;
    int result = hl_store_publication_each(app->store, month, visit_edition, &seen, error);
    if (result == HL_OK && seen.count == 0) {
        char shown[16];
        month_text(month, shown, sizeof shown);
        result =
            hl_error_set(error, HL_ENOTFOUND, "month",
                         HL_T("%s 的通报尚未公布", "the bulletin of %s is not published"), shown);
    }
    hl_assessment_policy policy;
    if (result == HL_OK) {
        out->record = seen.latest;
        out->editions = seen.count;
        result =
            read_document(seen.document, month, seen.latest.edition, &out->inputs, &policy, error);
    }
    free(seen.document);
    if (result == HL_OK)
        result = hl_report_compute(&out->inputs, &policy, &out->published, error);
    hl_report_inputs current;
    if (result == HL_OK)
        result = hl_report_gather(app, month, &current, NULL, error);
    if (result == HL_OK) {
        hl_error none;
        /* Every survey of the month taken back: the current figures are zero. */
        if (hl_report_compute(&current, &policy, &out->current, &none) != HL_OK)
            memset(&out->current, 0, sizeof out->current);
        hl_report_inputs_free(&current);
    }
    return result;
}

static const hl_unit_result *unit_of(const hl_assessment *assessment, const char *code)
{
    for (size_t index = 0; index < assessment->unit_count; index++)
        if (strcmp(assessment->units[index].unit, code) == 0)
            return &assessment->units[index];
    return NULL;
}

static bool unit_differs(const hl_unit_result *left, const hl_unit_result *right)
{
    if (left == NULL || right == NULL)
        return left != right;
    return left->base != right->base || left->succeeded != right->succeeded ||
           left->satisfied != right->satisfied || left->resolved != right->resolved ||
           left->ranked != right->ranked || left->rank != right->rank;
}

bool hl_publish_view_corrected(const hl_publish_view *view)
{
    const hl_assessment *published = &view->published, *current = &view->current;
    if (published->base != current->base || published->succeeded != current->succeeded ||
        published->satisfied != current->satisfied || published->resolved != current->resolved ||
        published->appeal_upheld != current->appeal_upheld)
        return true;
    for (size_t index = 0; index < published->unit_count; index++)
        if (unit_differs(&published->units[index], unit_of(current, published->units[index].unit)))
            return true;
    for (size_t index = 0; index < current->unit_count; index++)
        if (unit_of(published, current->units[index].unit) == NULL)
            return true;
    return false;
}

void hl_publish_view_describe(const hl_publish_view *view, hl_render_publication *out, char *at)
{
    hl_clock_format_iso(view->record.published_at, at, 40);
    memset(out, 0, sizeof *out);
    out->month = view->record.month;
    out->edition = view->record.edition;
    out->editions = view->editions;
    out->published_at = at;
    out->published_by = view->record.published_by;
    out->note = view->record.note;
    out->chain_seq = view->record.chain.seq;
    out->chain_hash = view->record.chain.hash;
    out->digest = view->record.digest;
    out->published = &view->published;
    out->current = &view->current;
    out->corrected = hl_publish_view_corrected(view);
}

/* ---- Checking the records ---- */

typedef struct check_walk {
    hl_publish_problem_visitor report;
    void *context;
    hl_publish_mark *marks;
    size_t count, capacity;
} check_walk;

static void problem(check_walk *walk, const hl_publication *record, const char *zh, const char *en)
{
    char shown[16], line[320];
    month_text(record->month, shown, sizeof shown);
    snprintf(line, sizeof line,
             HL_T("已公布通报 %s 第 %d 版：%s", "published bulletin %s edition %d: %s"), shown,
             record->edition, HL_T(zh, en));
    walk->report(walk->context, line);
}

static int check_record(void *context, const hl_publication *record)
{
    check_walk *walk = context;
    HL_ARRAY_GROW(walk->marks, walk->count, walk->capacity);
    hl_publish_mark *mark = &walk->marks[walk->count++];
    mark->month = record->month;
    mark->edition = record->edition;
    mark->chain = record->chain;
    char digest[HL_CHAIN_HEX_CHARS + 1];
    publication_digest(record, record->document, digest);
    if (strcmp(digest, record->digest) != 0)
        problem(walk, record, "记录与其摘要不符（被改动）",
                "the record does not match its digest (changed)");
    hl_report_inputs inputs;
    hl_assessment_policy policy;
    hl_assessment assessment;
    hl_error ignored;
    int result =
        read_document(record->document, record->month, record->edition, &inputs, &policy, &ignored);
    if (result == HL_OK)
        result = hl_report_compute(&inputs, &policy, &assessment, &ignored);
    hl_report_inputs_free(&inputs);
    if (result != HL_OK) {
        problem(walk, record, "冻结的通报无法读回", "its frozen bulletin cannot be read back");
        return 0;
    }
    if (assessment.base != record->surveyed || assessment.succeeded != record->reached ||
        assessment.satisfied != record->satisfied)
        problem(walk, record, "所记数字与冻结的通报不符",
                "its recorded figures are not those of its frozen bulletin");
    hl_assessment_free(&assessment);
    return 0;
}

int hl_publish_check(hl_app *app, hl_publish_problem_visitor report, void *context,
                     hl_publish_mark **marks, size_t *count, hl_error *error)
{
    check_walk walk = {report, context, NULL, 0, 0};
    int result = hl_store_publication_each(app->store, 0, check_record, &walk, error);
    *marks = walk.marks;
    *count = walk.count;
    return result;
}
