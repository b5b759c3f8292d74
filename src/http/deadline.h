/* deadline.h: when a connection that is sending a request is cut off.
 *
 * libmicrohttpd's own timeout counts idle time only, so a client that sends
 * a byte now and then holds a connection (and, many times over, all of
 * them) for as long as it likes. The server's housekeeping thread therefore
 * asks hl_deadline_judge, every tenth of a second, about each connection:
 * - the request head (line and headers) must be in within head_ms of the
 *   connection's opening or of its previous answer;
 * - the whole request, head and body, within request_ms of the same start;
 * - once the body has been under way for HL_DEADLINE_RATE_GRACE_MS, it must
 *   have come at min_body_rate bytes a second on average since the head
 *   ended (0: no minimum).
 * A request whose body is in (or that has been answered) is no longer
 * judged: the handler's own time is not the client's. Pure arithmetic on
 * times the caller keeps; it knows nothing of sockets. */
#ifndef HL_DEADLINE_H
#define HL_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

/* How long a body may take to get going before its rate is judged: long
 * enough for a slow start (TCP's, a phone's radio), short enough to cut a
 * trickle well before the whole-request deadline. */
#define HL_DEADLINE_RATE_GRACE_MS 5000LL

typedef struct hl_deadline_limits {
    long long head_ms;      /* > 0 */
    long long request_ms;   /* >= head_ms */
    uint64_t min_body_rate; /* bytes a second; 0: none */
} hl_deadline_limits;

/* Where one connection stands; times in milliseconds of one monotonic clock. */
typedef struct hl_deadline_state {
    long long idle_since_ms; /* opened, or its previous answer */
    bool head_done;          /* the request line and headers are in */
    long long head_done_ms;  /* when they were (when head_done) */
    bool body_done;          /* the body is in, or the request was answered */
    uint64_t body_bytes;     /* body bytes received so far */
} hl_deadline_state;

typedef enum hl_deadline_verdict {
    HL_DEADLINE_KEEP = 0,
    HL_DEADLINE_HEAD_LATE,    /* no whole head within head_ms */
    HL_DEADLINE_REQUEST_LATE, /* no whole request within request_ms */
    HL_DEADLINE_BODY_SLOW,    /* the body comes slower than min_body_rate */
} hl_deadline_verdict;

hl_deadline_verdict hl_deadline_judge(const hl_deadline_limits *limits,
                                      const hl_deadline_state *state, long long now_ms);

#endif
