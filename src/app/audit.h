/* audit.h: the record of every time a citizen's full phone number is given
 * out (the store's append-only table personal_data_reads).
 *
 * A full number leaves hotline in an order shown to a role that sees
 * personal data (app/auth: agents, dispatchers, supervisors, surveyors):
 * over HTTP (an order, a registration's or an action's answer, a caller's
 * earlier orders) and on the command line (show, export). Each such read
 * is one row: when, who (a username, or "cli:<os user>"), which order, by
 * which route or command. A masked number is not recorded.
 *
 * Two ways to write them:
 *   - hl_audit_record: now, in a transaction of its own (synchronous=FULL),
 *     before the number is printed; for the command line, where one
 *     process gives out a few numbers.
 *   - an hl_audit_queue: for the server, where a transaction per read
 *     would cost more than the read (measured: about 100 µs per commit
 *     even with synchronous=NORMAL, which would cap reads near 10,000/s).
 *     A request appends its reads to the process's queue (a mutex and a
 *     copy) before its answer leaves; one writer thread, with its own
 *     connection, commits what has gathered at most HL_AUDIT_FLUSH_MS
 *     later, in one transaction. When the queue is full (the store failing
 *     or too slow), adding fails and the request must not give the number
 *     out. A stop writes what is queued. What a crash (SIGKILL, power)
 *     loses is at most the reads of the last HL_AUDIT_FLUSH_MS.
 *
 * Listing them (hl_audit_list) is for administrators: the command `hotline
 * audit` and GET /api/v1/audit/phone-reads. */
#ifndef HL_AUDIT_H
#define HL_AUDIT_H

#include <stddef.h>

#include "app/app.h"

/* The longest a read waits in the queue before it is written. */
#define HL_AUDIT_FLUSH_MS 50
/* Reads the queue holds at most; beyond, hl_audit_queue_add refuses. */
#define HL_AUDIT_QUEUE_CAPACITY 65536

/* Fills a read: now, actor, order, route (texts cut to their fields). */
void hl_audit_read_of(hl_audit_read *read, hl_time at, const char *actor, int64_t order_id,
                      const char *route);

/* Writes reads in one durable transaction of their own. */
int hl_audit_record(hl_app *app, const hl_audit_read *reads, size_t count, hl_error *error);

/* Lists reads newest first (see hl_audit_filter), and counts them. */
int hl_audit_list(hl_app *app, const hl_audit_filter *filter, hl_audit_visitor visit, void *context,
                  hl_error *error);
int hl_audit_count(hl_app *app, const hl_audit_filter *filter, int64_t *count, hl_error *error);

typedef struct hl_audit_queue hl_audit_queue;

/* Opens a connection of its own to the store at db_path (which must exist
 * at schema 5 or later) and starts the writer thread. The caller owns *out
 * and ends it with hl_audit_queue_stop. Thread-safe once started. */
int hl_audit_queue_start(const char *db_path, hl_audit_queue **out, hl_error *error);

/* Queues reads for the writer. HL_EIO when the queue cannot take them
 * (full, or the writer has stopped): the caller must then not give the
 * numbers out. */
int hl_audit_queue_add(hl_audit_queue *queue, const hl_audit_read *reads, size_t count,
                       hl_error *error);

/* Waits until every read queued before the call is written; HL_EIO when
 * the writer could not write them (they stay queued). */
int hl_audit_queue_flush(hl_audit_queue *queue, hl_error *error);

/* Writes what is queued, stops the writer and frees the queue (may be
 * NULL). Reads it cannot write are lost, and said so on stderr. */
void hl_audit_queue_stop(hl_audit_queue *queue);

#endif
