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
 * audit` and GET /api/v1/audit/phone-reads.
 *
 * Security events (logins, logouts, password changes, lockouts, user and
 * role changes, settings, API keys, exports, backups and restores) go to
 * the chained audit of security events through hl_audit_security: one
 * call at the place where the outcome is known, with who acted and from
 * where (docs/security.md, "Tamper-evident audit and event log"). */
#ifndef HL_AUDIT_H
#define HL_AUDIT_H

#include <stddef.h>

#include "app/app.h"
#include "store/store.h"

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

/* The outcomes of a security event. */
#define HL_AUDIT_SUCCESS "success"
#define HL_AUDIT_FAILURE "failure" /* refused: wrong credentials, no right, bad input */
#define HL_AUDIT_LOCKED "locked"   /* refused before any check: too many failures */

/* Records one security event, now, in a transaction of its own: actor (a
 * username, "cli:<os user>", or the name a failed login gave), address
 * (the client's; NULL or "" for the command line), action (a stable code:
 * "login", "logout", "password.change", "password.set", "user.create",
 * "user.update", "settings.set", "apikey.create", "apikey.revoke",
 * "export", "backup", "restore", ...), target (what was acted on; may be
 * NULL), outcome (HL_AUDIT_SUCCESS, _FAILURE, _LOCKED), detail (may be
 * NULL). Texts longer than their fields are cut. Must be called outside a
 * transaction of app. A failure to record is returned and also written
 * to stderr: the caller's act has already happened (or been refused), and
 * undoing a login because the audit is full would lock everyone out of a
 * store in trouble, so callers go on and the operator is told. */
int hl_audit_security(hl_app *app, const char *actor, const char *address, const char *action,
                      const char *target, const char *outcome, const char *detail);

/* Fills a security event as hl_audit_security records it (now, the texts
 * cut to their fields), for a caller that appends it inside a transaction
 * of its own (hl_store_security_append; app/archive.c). */
void hl_audit_security_of(hl_security_event *event, const char *actor, const char *address,
                          const char *action, const char *target, const char *outcome,
                          const char *detail);

/* Visits the newest limit security events (0: all), newest first. */
int hl_audit_security_list(hl_app *app, int64_t limit, hl_security_visitor visit, void *context,
                           hl_error *error);

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
