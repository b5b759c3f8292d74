/* metrics.c: request counters and the latency histogram (see metrics.h).
 *
 * Relaxed atomics suffice: each counter is independent and only ever
 * incremented. This file neither reads the store nor formats the store's
 * gauges; the /metrics route adds those. */
#include "http/metrics.h"

#include <string.h>

static const char *const method_names[HL_METHOD_COUNT] = {"GET",   "HEAD",   "POST",    "PUT",
                                                          "PATCH", "DELETE", "OPTIONS", "OTHER"};

/* Upper bounds in microseconds: from a cached read (well under 1 ms) to a
 * bulletin over a large store (seconds). */
static const uint64_t bucket_bounds_microseconds[HL_METRICS_BUCKET_COUNT] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000};

void hl_metrics_init(hl_metrics *metrics)
{
    for (size_t method = 0; method < HL_METHOD_COUNT; method++)
        for (size_t status = 0; status <= HL_METRICS_STATUS_MAX - HL_METRICS_STATUS_MIN; status++)
            atomic_init(&metrics->requests[method][status], 0);
    for (size_t bucket = 0; bucket < HL_METRICS_BUCKET_COUNT; bucket++)
        atomic_init(&metrics->latency_buckets[bucket], 0);
    atomic_init(&metrics->latency_count, 0);
    atomic_init(&metrics->latency_sum_microseconds, 0);
    for (size_t reason = 0; reason < HL_CUT_COUNT; reason++)
        atomic_init(&metrics->cuts[reason], 0);
}

hl_metrics_method hl_metrics_method_of(const char *method)
{
    if (method == NULL)
        return HL_METHOD_OTHER;
    for (size_t index = 0; index < HL_METHOD_OTHER; index++)
        if (strcmp(method, method_names[index]) == 0)
            return (hl_metrics_method)index;
    return HL_METHOD_OTHER;
}

void hl_metrics_record(hl_metrics *metrics, hl_metrics_method method, int status,
                       uint64_t microseconds)
{
    if ((unsigned)method >= HL_METHOD_COUNT)
        method = HL_METHOD_OTHER;
    if (status < HL_METRICS_STATUS_MIN || status > HL_METRICS_STATUS_MAX)
        status = 500;
    atomic_fetch_add_explicit(&metrics->requests[method][status - HL_METRICS_STATUS_MIN], 1,
                              memory_order_relaxed);
    for (size_t bucket = 0; bucket < HL_METRICS_BUCKET_COUNT; bucket++)
        if (microseconds <= bucket_bounds_microseconds[bucket]) {
            atomic_fetch_add_explicit(&metrics->latency_buckets[bucket], 1, memory_order_relaxed);
            break;
        }
    atomic_fetch_add_explicit(&metrics->latency_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&metrics->latency_sum_microseconds, microseconds,
                              memory_order_relaxed);
}

void hl_metrics_record_cut(hl_metrics *metrics, hl_metrics_cut reason)
{
    if (reason < HL_CUT_COUNT)
        atomic_fetch_add_explicit(&metrics->cuts[reason], 1, memory_order_relaxed);
}

/* The label of each reason, as an operator's alert names it. */
static const char *const cut_names[HL_CUT_COUNT] = {
    [HL_CUT_HEAD_LATE] = "head_deadline",
    [HL_CUT_REQUEST_LATE] = "request_deadline",
    [HL_CUT_BODY_SLOW] = "body_rate",
};

void hl_metrics_render(hl_metrics *metrics, hl_buf *out)
{
    hl_buf_append_str(
        out, "# HELP hotline_requests_total HTTP requests answered, by method and status.\n"
             "# TYPE hotline_requests_total counter\n");
    for (size_t method = 0; method < HL_METHOD_COUNT; method++)
        for (int status = HL_METRICS_STATUS_MIN; status <= HL_METRICS_STATUS_MAX; status++) {
            uint64_t count = atomic_load_explicit(
                &metrics->requests[method][status - HL_METRICS_STATUS_MIN], memory_order_relaxed);
            if (count > 0)
                hl_buf_appendf(out, "hotline_requests_total{method=\"%s\",status=\"%d\"} %llu\n",
                               method_names[method], status, (unsigned long long)count);
        }
    hl_buf_append_str(
        out, "# HELP hotline_request_duration_seconds Time from a request's headers to its "
             "completion.\n"
             "# TYPE hotline_request_duration_seconds histogram\n");
    /* Buckets are read before the count, and the count is raised to their
     * total if a request completed in between, so that the +Inf bucket is
     * never below a finite one. */
    uint64_t cumulative = 0;
    for (size_t bucket = 0; bucket < HL_METRICS_BUCKET_COUNT; bucket++) {
        cumulative += atomic_load_explicit(&metrics->latency_buckets[bucket], memory_order_relaxed);
        uint64_t bound = bucket_bounds_microseconds[bucket];
        hl_buf_appendf(out, "hotline_request_duration_seconds_bucket{le=\"%llu.%06llu\"} %llu\n",
                       (unsigned long long)(bound / 1000000), (unsigned long long)(bound % 1000000),
                       (unsigned long long)cumulative);
    }
    uint64_t count = atomic_load_explicit(&metrics->latency_count, memory_order_relaxed);
    if (count < cumulative)
        count = cumulative;
    uint64_t sum = atomic_load_explicit(&metrics->latency_sum_microseconds, memory_order_relaxed);
    hl_buf_appendf(out, "hotline_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                   (unsigned long long)count);
    hl_buf_appendf(out, "hotline_request_duration_seconds_sum %llu.%06llu\n",
                   (unsigned long long)(sum / 1000000), (unsigned long long)(sum % 1000000));
    hl_buf_appendf(out, "hotline_request_duration_seconds_count %llu\n", (unsigned long long)count);
    /* Every reason is written, zero included, so that a rate() over it
     * starts from the server's start rather than from the first cut. */
    hl_buf_append_str(out, "# HELP hotline_connections_cut_total Connections shut down while "
                           "still sending their request, by the deadline they missed.\n"
                           "# TYPE hotline_connections_cut_total counter\n");
    for (size_t reason = 0; reason < HL_CUT_COUNT; reason++)
        hl_buf_appendf(
            out, "hotline_connections_cut_total{reason=\"%s\"} %llu\n", cut_names[reason],
            (unsigned long long)atomic_load_explicit(&metrics->cuts[reason], memory_order_relaxed));
}
