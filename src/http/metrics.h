/* metrics.h: the server's request counters and latency histogram.
 *
 * Counters are atomics updated by every worker thread at the end of each
 * request, with no lock; /metrics reads them (each value is exact, the set
 * is not a snapshot taken at one instant, as Prometheus allows). The
 * store's figures (orders by state, overdue) are read by the /metrics route
 * itself, not kept here. */
#ifndef HL_METRICS_H
#define HL_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "base/text.h"

/* Methods counted apart; anything else is counted as "OTHER". */
typedef enum hl_metrics_method {
    HL_METHOD_GET = 0,
    HL_METHOD_HEAD,
    HL_METHOD_POST,
    HL_METHOD_PUT,
    HL_METHOD_PATCH,
    HL_METHOD_DELETE,
    HL_METHOD_OPTIONS,
    HL_METHOD_OTHER,
    HL_METHOD_COUNT
} hl_metrics_method;

/* Why the server cut a connection that was still sending its request (the
 * verdicts of http/deadline.h). A connection refused at once for its
 * address's limit never reaches the server's code (libmicrohttpd closes
 * it as it accepts), so it is not counted here. */
typedef enum hl_metrics_cut {
    HL_CUT_HEAD_LATE = 0, /* no whole head within the head deadline */
    HL_CUT_REQUEST_LATE,  /* no whole request within the request deadline */
    HL_CUT_BODY_SLOW,     /* a body below the minimum rate */
    HL_CUT_COUNT
} hl_metrics_cut;

#define HL_METRICS_STATUS_MIN 100
#define HL_METRICS_STATUS_MAX 599
#define HL_METRICS_BUCKET_COUNT 14 /* finite bounds; +Inf is the total count */

typedef struct hl_metrics {
    atomic_uint_fast64_t requests[HL_METHOD_COUNT]
                                 [HL_METRICS_STATUS_MAX - HL_METRICS_STATUS_MIN + 1];
    atomic_uint_fast64_t latency_buckets[HL_METRICS_BUCKET_COUNT]; /* not cumulative */
    atomic_uint_fast64_t latency_count;
    atomic_uint_fast64_t latency_sum_microseconds;
    atomic_uint_fast64_t cuts[HL_CUT_COUNT];
} hl_metrics;

/* Sets every counter to zero. */
void hl_metrics_init(hl_metrics *metrics);

/* The method's index (from its name as the request gave it; NULL: OTHER). */
hl_metrics_method hl_metrics_method_of(const char *method);

/* Counts one answered request; a status outside 100-599 is counted as 500. */
void hl_metrics_record(hl_metrics *metrics, hl_metrics_method method, int status,
                       uint64_t microseconds);

/* Counts one connection cut while it sent its request. */
void hl_metrics_record_cut(hl_metrics *metrics, hl_metrics_cut reason);

/* Appends hotline_requests_total, hotline_request_duration_seconds and
 * hotline_connections_cut_total in the Prometheus text format (version 0.0.4), HELP and TYPE lines
 * included. */
void hl_metrics_render(hl_metrics *metrics, hl_buf *out);

#endif
