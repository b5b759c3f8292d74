/* deadline.c: when a connection that is sending a request is cut off (see
 * deadline.h). It decides; the server's housekeeping thread shuts the
 * socket down. */
#include "http/deadline.h"

hl_deadline_verdict hl_deadline_judge(const hl_deadline_limits *limits,
                                      const hl_deadline_state *state, long long now_ms)
{
    long long since_start = now_ms - state->idle_since_ms;
    if (!state->head_done)
        return since_start > limits->head_ms ? HL_DEADLINE_HEAD_LATE : HL_DEADLINE_KEEP;
    if (state->body_done)
        return HL_DEADLINE_KEEP;
    if (since_start > limits->request_ms)
        return HL_DEADLINE_REQUEST_LATE;
    long long body_ms = now_ms - state->head_done_ms;
    if (limits->min_body_rate > 0 && body_ms >= HL_DEADLINE_RATE_GRACE_MS) {
        /* bytes < rate * seconds, kept in integers: rate * ms / 1000. */
        uint64_t due = limits->min_body_rate * (uint64_t)body_ms / 1000u;
        if (state->body_bytes < due)
            return HL_DEADLINE_BODY_SLOW;
    }
    return HL_DEADLINE_KEEP;
}
