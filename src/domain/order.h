/* order.h: the work order (工单) and its enumerations.
 *
 * A work order records what GB/T 33358 asks: number, channel, received time,
 * citizen, address and location, category, type, title, content, lead and
 * co-handling units, deadlines, reply, completion, and assessment flags.
 * Registration fields never change after intake; everything that changes is
 * driven by domain/workflow and recorded as an event. */
#ifndef HL_ORDER_H
#define HL_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/text.h"
#include "domain/limits.h"

typedef enum hl_channel {
    HL_CHANNEL_PHONE = 0,
    HL_CHANNEL_WEB,
    HL_CHANNEL_APP,
    HL_CHANNEL_WECHAT,
    HL_CHANNEL_OPEN311,
    HL_CHANNEL_OTHER,
    HL_CHANNEL_COUNT
} hl_channel;

typedef enum hl_order_type {
    HL_TYPE_INQUIRY = 0, /* 咨询 */
    HL_TYPE_HELP,        /* 求助 */
    HL_TYPE_COMPLAINT,   /* 投诉 */
    HL_TYPE_REPORT,      /* 举报 */
    HL_TYPE_SUGGESTION,  /* 建议 */
    HL_TYPE_PRAISE,      /* 表扬 */
    HL_TYPE_COUNT
} hl_order_type;

typedef enum hl_state {
    HL_STATE_NONE = 0,       /* before registration (the from-state of 受理) */
    HL_STATE_NEW,            /* 待派单 */
    HL_STATE_DISPATCHED,     /* 已派单 */
    HL_STATE_SIGNED,         /* 已签收 */
    HL_STATE_HANDLING,       /* 办理中 */
    HL_STATE_RETURN_PENDING, /* 退单待审 */
    HL_STATE_COMPLETED,      /* 已办结 */
    HL_STATE_SURVEYED,       /* 已回访 */
    HL_STATE_ARCHIVED,       /* 已归档 */
    HL_STATE_INVALID,        /* 无效 */
    HL_STATE_MERGED,         /* 已并单 */
    HL_STATE_COUNT
} hl_state;

/* The outcome of one callback-survey call attempt (回访). */
typedef enum hl_survey_outcome {
    HL_OUTCOME_NONE = 0,
    HL_OUTCOME_REACHED,      /* 成功: the citizen answered and was surveyed */
    HL_OUTCOME_NO_ANSWER,    /* 无人接听 */
    HL_OUTCOME_BUSY,         /* 占线 */
    HL_OUTCOME_REFUSED,      /* 拒访: ends the survey as failed */
    HL_OUTCOME_WRONG_NUMBER, /* 空号/停机: ends the survey as failed */
    HL_OUTCOME_OTHER,        /* 其他 */
    HL_OUTCOME_COUNT
} hl_survey_outcome;

/* The national five-level satisfaction scale. */
typedef enum hl_rating {
    HL_RATING_NONE = 0,
    HL_RATING_VERY_SATISFIED,    /* 非常满意 */
    HL_RATING_SATISFIED,         /* 满意 */
    HL_RATING_BASIC,             /* 基本满意 */
    HL_RATING_DISSATISFIED,      /* 不满意 */
    HL_RATING_VERY_DISSATISFIED, /* 非常不满意 */
    HL_RATING_COUNT
} hl_rating;

typedef enum hl_resolved {
    HL_RESOLVED_UNKNOWN = 0,
    HL_RESOLVED_YES, /* 解决 */
    HL_RESOLVED_NO,  /* 未解决 */
} hl_resolved;

typedef enum hl_survey_result {
    HL_SURVEY_NONE = 0,  /* not concluded yet */
    HL_SURVEY_SUCCEEDED, /* the citizen was reached and rated the handling */
    HL_SURVEY_FAILED,    /* refused, wrong number, or no answer after the allowed attempts */
} hl_survey_result;

typedef enum hl_appeal_state {
    HL_APPEAL_NONE = 0,
    HL_APPEAL_PENDING,  /* 申诉待审 */
    HL_APPEAL_UPHELD,   /* 申诉成立: the order leaves the unit's measures */
    HL_APPEAL_REJECTED, /* 申诉驳回 */
} hl_appeal_state;

/* What an order waits for a decision on (待审), derived from its columns:
 * at most one thing at a time, since an extension is asked only while a
 * unit handles the order (a return or a completion drops it) and an
 * appeal only after completion. */
typedef enum hl_pending {
    HL_PENDING_NONE = 0,
    HL_PENDING_EXTENSION, /* 延期待批: extension_pending_days > 0 */
    HL_PENDING_RETURN,    /* 退单待审: the state return_pending */
    HL_PENDING_APPEAL,    /* 申诉待审: appeal_state pending */
    HL_PENDING_COUNT
} hl_pending;

#define HL_STATE_BIT(state) (1u << (state))
/* States in which a unit is handling the order and a deadline runs. */
#define HL_STATES_OPEN                                                                             \
    (HL_STATE_BIT(HL_STATE_DISPATCHED) | HL_STATE_BIT(HL_STATE_SIGNED) |                           \
     HL_STATE_BIT(HL_STATE_HANDLING) | HL_STATE_BIT(HL_STATE_RETURN_PENDING))

typedef struct hl_order {
    int64_t id;      /* the order number: yyyymmdd * 1000000 + sequence of the day */
    int64_t version; /* number of events in its log; bumps with every action */
    hl_state state;
    hl_state state_before_return; /* where a rejected return sends the order back */

    /* Registration (never changes after intake). */
    hl_channel channel;
    hl_order_type type;
    hl_time received_at;
    char citizen_name[HL_NAME_BYTES];
    char citizen_phone[HL_PHONE_BYTES];
    char address[HL_ADDRESS_BYTES];
    bool has_location;
    double latitude, longitude; /* WGS-84 degrees */
    char category[HL_CODE_BYTES];
    char title[HL_TITLE_BYTES];
    char content[HL_CONTENT_BYTES];
    char registered_by[HL_CODE_BYTES];
    /* The citizen agreed at intake that the order (its content, address
     * and location, never who they are) may be published through the
     * Open311 reads. Open311 posts give it by the API's terms; every other
     * channel only when the agent asked (docs/security.md). */
    bool publish_consent;

    /* Handling. */
    char lead_unit[HL_CODE_BYTES];    /* 主办 */
    char co_units[HL_CO_UNITS_BYTES]; /* 协办, comma-separated codes */
    hl_time dispatched_at;
    hl_time sign_deadline;
    hl_time signed_at;
    hl_time return_deadline;
    hl_time handle_deadline;
    hl_time due_at; /* the deadline running now: sign while dispatched, handle while
                       signed or handling, 0 when none runs (indexed for overdue lists) */
    char reply[HL_CONTENT_BYTES];
    hl_time completed_at;
    int extension_count;
    int extension_pending_days; /* > 0 while a request awaits a decision */
    int return_count;
    int reopen_count;
    int remind_count;
    int supervise_count;

    /* Assessment flags. */
    int64_t duplicate_of; /* the earlier order this one was merged into, or 0 */
    bool excluded;        /* left out of unit assessment */
    char excluded_reason[HL_REASON_BYTES];

    /* Assessment: the callback survey of the latest completion, and appeals. */
    int assessed_month; /* yyyymm of the latest completion: where its survey counts */
    int survey_attempts;
    hl_survey_result survey_result;
    hl_rating rating;
    hl_resolved resolved;
    char survey_comment[HL_REASON_BYTES];
    hl_time surveyed_at; /* when the survey concluded */
    hl_appeal_state appeal_state;
    char appeal_reason[HL_REASON_BYTES];
} hl_order;

/* The order number as text ("20240201000123") into a buffer of 24 bytes. */
void hl_order_format_number(int64_t id, char *out, size_t size);
int hl_order_parse_number(hl_slice text, int64_t *out);
/* The number's first part: the local day it was received, as yyyymmdd * 1000000
 * (20240201000000); the number is this plus the sequence of the day. */
int64_t hl_order_number_prefix(hl_time received_at);
#define HL_ORDER_SEQUENCE_LIMIT 1000000

/* Stable names ("phone", "complaint", "dispatched") used in CSV, JSON and the
 * CLI, and labels in the current language (电话 / phone, 投诉 / complaint...).
 * HL_ORDER_NAMES(channel, hl_channel) declares hl_order_channel_name,
 * hl_order_channel_label and hl_order_channel_parse; parse accepts the
 * English name or the Chinese label. */
#define HL_ORDER_NAMES(what, type)                                                                 \
    const char *hl_order_##what##_name(type value);                                                \
    const char *hl_order_##what##_label(type value);                                               \
    int hl_order_##what##_parse(hl_slice text, type *out)

HL_ORDER_NAMES(channel, hl_channel);
HL_ORDER_NAMES(type, hl_order_type);
HL_ORDER_NAMES(state, hl_state);
HL_ORDER_NAMES(outcome, hl_survey_outcome);
HL_ORDER_NAMES(rating, hl_rating);
HL_ORDER_NAMES(resolved, hl_resolved);
HL_ORDER_NAMES(pending, hl_pending);
const char *hl_order_survey_result_name(hl_survey_result result);
const char *hl_order_appeal_state_name(hl_appeal_state state);

/* Checks a registration: required fields, phone characters, coordinates in range. */
int hl_order_validate_registration(const hl_order *order, hl_error *error);

/* What the order waits for a decision on, HL_PENDING_NONE for nothing. */
hl_pending hl_order_pending_of(const hl_order *order);

/* Whether the order is overdue at `now`: a deadline runs (due_at > 0) and now is past it. */
bool hl_order_is_overdue(const hl_order *order, hl_time now);

#endif
