/* audit.c: recording and listing full phone-number reads (see audit.h).
 *
 * hl_audit_record writes at once, in a transaction of its own; the queue
 * gathers the server's reads and one writer thread commits them together.
 * This module decides nothing about who sees a full number (app/auth) and
 * does not format anything for people (the CLI and the routes do). */
#include "app/audit.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_internal.h"
#include "base/array.h"
#include "base/clock.h"
#include "base/contract.h"
#include "base/i18n.h"
#include "base/text.h"

/* Reads that make the writer commit at once rather than wait its time. */
#define BATCH_READS 4096
/* How long the writer waits before trying again after a failed write. */
#define RETRY_MS 1000

void hl_audit_read_of(hl_audit_read *read, hl_time at, const char *actor, int64_t order_id,
                      const char *route)
{
    memset(read, 0, sizeof *read);
    read->at = at;
    snprintf(read->actor, sizeof read->actor, "%s", actor != NULL ? actor : "");
    read->order_id = order_id;
    snprintf(read->route, sizeof read->route, "%s", route != NULL ? route : "");
}

static int write_reads(hl_app *app, const hl_audit_read *reads, size_t count, hl_error *error)
{
    if (count == 0)
        return HL_OK;
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        for (size_t index = 0; index < count && result == HL_OK; index++)
            result = hl_store_audit_append(app->store, &reads[index], error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

int hl_audit_record(hl_app *app, const hl_audit_read *reads, size_t count, hl_error *error)
{
    return write_reads(app, reads, count, error);
}

/* Copies text into a field of size bytes, cut at a character's boundary
 * (a stored text must stay UTF-8: PostgreSQL refuses it otherwise); a text
 * that is not UTF-8 (a failed login may name anything) is kept as a mark. */
static void copy_cut(char *out, size_t size, const char *text)
{
    size_t length = text != NULL ? strnlen(text, size - 1) : 0;
    while (length > 0 && text[length] != '\0' && ((unsigned char)text[length] & 0xC0) == 0x80)
        length--;
    if (length > 0 && !hl_text_is_utf8(text, length)) {
        snprintf(out, size, "%s", "(not UTF-8)");
        return;
    }
    if (length > 0)
        memcpy(out, text, length);
    out[length] = '\0';
}

void hl_audit_security_of(hl_security_event *event, const char *actor, const char *address,
                          const char *action, const char *target, const char *outcome,
                          const char *detail)
{
    memset(event, 0, sizeof *event);
    event->at = hl_clock_now();
    copy_cut(event->actor, sizeof event->actor, actor);
    copy_cut(event->address, sizeof event->address, address);
    copy_cut(event->action, sizeof event->action, action);
    copy_cut(event->target, sizeof event->target, target);
    copy_cut(event->outcome, sizeof event->outcome, outcome);
    copy_cut(event->detail, sizeof event->detail, detail);
}

int hl_audit_security(hl_app *app, const char *actor, const char *address, const char *action,
                      const char *target, const char *outcome, const char *detail)
{
    hl_security_event event;
    hl_audit_security_of(&event, actor, address, action, target, outcome, detail);
    hl_error error;
    hl_error_clear(&error);
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, &error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        result = hl_store_security_append(app->store, &event, &error);
        result = hl_app_finish(app, result, &error);
    } while (hl_app_again(app, &attempt, &result, &error));
    if (result != HL_OK)
        fprintf(stderr,
                HL_T("hotline: 安全事件 %s（%s）未能记录：%s\n",
                     "hotline: the security event %s (%s) could not be recorded: %s\n"),
                event.action, event.actor, error.message);
    return result;
}

int hl_audit_security_list(hl_app *app, int64_t limit, hl_security_visitor visit, void *context,
                           hl_error *error)
{
    return hl_store_security_each(app->store, limit, visit, context, error);
}

int hl_audit_list(hl_app *app, const hl_audit_filter *filter, hl_audit_visitor visit, void *context,
                  hl_error *error)
{
    return hl_store_audit_query(app->store, filter, visit, context, error);
}

int hl_audit_count(hl_app *app, const hl_audit_filter *filter, int64_t *count, hl_error *error)
{
    return hl_store_audit_count(app->store, filter, count, error);
}

/* ---- The server's queue ---- */

struct hl_audit_queue {
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* the writer: reads arrived, a flush was asked, or stop */
    pthread_cond_t written; /* flush waiters: a write ended, well or not */
    hl_audit_read *pending; /* reads waiting, oldest first */
    size_t count, room;
    size_t writing;         /* reads the writer has taken and not yet written */
    uint64_t added;         /* reads ever queued */
    uint64_t done;          /* reads ever written */
    uint64_t failures;      /* writes that failed */
    uint64_t flushes;       /* flushes asked for */
    hl_error last_error;    /* of the last failed write */
    struct timespec oldest; /* when the oldest pending read arrived */
    bool stopping;
    hl_app *writer; /* the writer's own connection (hl_app_of_store) */
    pthread_t thread;
};

static void deadline_after(struct timespec *deadline, const struct timespec *from,
                           long milliseconds)
{
    *deadline = *from;
    deadline->tv_sec += milliseconds / 1000;
    deadline->tv_nsec += (milliseconds % 1000) * 1000000L;
    if (deadline->tv_nsec >= 1000000000L) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000L;
    }
}

static bool before(const struct timespec *left, const struct timespec *right)
{
    return left->tv_sec < right->tv_sec ||
           (left->tv_sec == right->tv_sec && left->tv_nsec < right->tv_nsec);
}

/* Takes the pending reads (the caller holds the lock and owns *batch). */
static hl_audit_read *take_pending(hl_audit_queue *queue, size_t *count)
{
    hl_audit_read *batch = queue->pending;
    *count = queue->count;
    queue->writing = queue->count;
    queue->pending = NULL;
    queue->count = 0;
    queue->room = 0;
    return batch;
}

/* Puts back reads whose write failed, before those that came meanwhile,
 * so that the order of writing stays the order of reading. Caller holds
 * the lock. */
static void put_back(hl_audit_queue *queue, hl_audit_read *batch, size_t count)
{
    HL_ASSERT(queue->count <= SIZE_MAX - count);
    size_t total = count + queue->count;
    batch = hl_xrealloc(batch, (total > 0 ? total : 1) * sizeof *batch);
    if (queue->count > 0)
        memcpy(batch + count, queue->pending, queue->count * sizeof *batch);
    free(queue->pending);
    queue->pending = batch;
    queue->count = total;
    queue->room = total;
}

static void *writer_thread(void *argument)
{
    hl_audit_queue *queue = argument;
    pthread_mutex_lock(&queue->lock);
    uint64_t flushes_seen = queue->flushes;
    for (;;) {
        while (queue->count == 0 && !queue->stopping)
            pthread_cond_wait(&queue->wake, &queue->lock);
        if (queue->count == 0)
            break; /* stopping, nothing left */
        /* Let reads gather, up to the oldest one's deadline. */
        struct timespec deadline;
        deadline_after(&deadline, &queue->oldest, HL_AUDIT_FLUSH_MS);
        for (;;) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            if (queue->stopping || queue->flushes != flushes_seen || queue->count >= BATCH_READS ||
                !before(&now, &deadline))
                break;
            pthread_cond_timedwait(&queue->wake, &queue->lock, &deadline);
        }
        flushes_seen = queue->flushes;
        size_t count = 0;
        hl_audit_read *batch = take_pending(queue, &count);
        pthread_mutex_unlock(&queue->lock);

        hl_error error;
        hl_error_clear(&error);
        int result = write_reads(queue->writer, batch, count, &error);

        pthread_mutex_lock(&queue->lock);
        queue->writing = 0;
        if (result == HL_OK) {
            free(batch);
            queue->done += count;
        } else {
            put_back(queue, batch, count);
            queue->failures++;
            queue->last_error = error;
        }
        pthread_cond_broadcast(&queue->written);
        if (result != HL_OK) {
            if (queue->stopping)
                break; /* one last try has failed: stop reports what is lost */
            struct timespec now, retry;
            clock_gettime(CLOCK_REALTIME, &now);
            deadline_after(&retry, &now, RETRY_MS);
            while (!queue->stopping && queue->flushes == flushes_seen &&
                   pthread_cond_timedwait(&queue->wake, &queue->lock, &retry) != ETIMEDOUT)
                continue;
            clock_gettime(CLOCK_REALTIME, &queue->oldest); /* write at the next turn */
        }
    }
    pthread_mutex_unlock(&queue->lock);
    return NULL;
}

int hl_audit_queue_start(const char *db_path, hl_audit_queue **out, hl_error *error)
{
    *out = NULL;
    hl_audit_queue *queue = hl_xcalloc(1, sizeof *queue);
    hl_store *store = NULL;
    int result = hl_store_open(db_path, &store, error);
    if (result != HL_OK) {
        free(queue);
        return result;
    }
    queue->writer = hl_app_of_store(store);
    pthread_mutex_init(&queue->lock, NULL);
    pthread_cond_init(&queue->wake, NULL);
    pthread_cond_init(&queue->written, NULL);
    if (pthread_create(&queue->thread, NULL, writer_thread, queue) != 0)
        abort(); /* only when out of memory or threads */
    *out = queue;
    return HL_OK;
}

static int cannot_record(hl_error *error)
{
    return hl_error_set(
        error, HL_EIO, NULL, "%s",
        HL_T("无法记录此次联系电话的查阅，号码未予提供，请稍后再试",
             "this read of a phone number cannot be recorded, so the number is not given out; "
             "try again later"));
}

int hl_audit_queue_add(hl_audit_queue *queue, const hl_audit_read *reads, size_t count,
                       hl_error *error)
{
    HL_REQUIRE(queue != NULL && (reads != NULL || count == 0));
    if (count == 0)
        return HL_OK;
    pthread_mutex_lock(&queue->lock);
    if (queue->stopping || queue->count + queue->writing + count > HL_AUDIT_QUEUE_CAPACITY) {
        pthread_mutex_unlock(&queue->lock);
        return cannot_record(error);
    }
    HL_ARRAY_RESERVE(queue->pending, queue->room, queue->count + count);
    memcpy(queue->pending + queue->count, reads, count * sizeof *reads);
    bool was_empty = queue->count == 0;
    if (was_empty)
        clock_gettime(CLOCK_REALTIME, &queue->oldest);
    queue->count += count;
    queue->added += count;
    if (was_empty || queue->count >= BATCH_READS)
        pthread_cond_signal(&queue->wake);
    pthread_mutex_unlock(&queue->lock);
    return HL_OK;
}

int hl_audit_queue_flush(hl_audit_queue *queue, hl_error *error)
{
    pthread_mutex_lock(&queue->lock);
    uint64_t target = queue->added, failures = queue->failures;
    queue->flushes++;
    pthread_cond_signal(&queue->wake);
    while (queue->done < target && queue->failures == failures &&
           !(queue->stopping && queue->count == 0 && queue->writing == 0))
        pthread_cond_wait(&queue->written, &queue->lock);
    int result = HL_OK;
    if (queue->done < target) {
        if (error != NULL)
            *error = queue->last_error;
        result = HL_EIO;
    }
    pthread_mutex_unlock(&queue->lock);
    return result;
}

void hl_audit_queue_stop(hl_audit_queue *queue)
{
    if (queue == NULL)
        return;
    pthread_mutex_lock(&queue->lock);
    queue->stopping = true;
    pthread_cond_signal(&queue->wake);
    pthread_mutex_unlock(&queue->lock);
    pthread_join(queue->thread, NULL);
    if (queue->count > 0)
        fprintf(stderr,
                HL_T("hotline: %zu 次联系电话查阅未能记录：%s\n",
                     "hotline: %zu read(s) of phone numbers could not be recorded: %s\n"),
                queue->count, queue->last_error.message);
    hl_app_close(queue->writer);
    free(queue->pending);
    pthread_cond_destroy(&queue->written);
    pthread_cond_destroy(&queue->wake);
    pthread_mutex_destroy(&queue->lock);
    free(queue);
}
