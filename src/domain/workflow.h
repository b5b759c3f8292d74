/* workflow.h: the work-order lifecycle as a table-driven state machine.
 *
 * Each action has one row in a table (workflow.c): the states it is allowed
 * from, the roles allowed, the fields it requires, the state it leads to,
 * what it records and the deadline it starts or stops. hl_workflow_apply
 * checks a request against that row and, when allowed, changes the order and
 * produces the event to append to the order's log. It is pure: the caller
 * (app/) loads the order, looks up units and users, and stores the result in
 * one transaction. A refused action changes nothing and says why. */
#ifndef HL_WORKFLOW_H
#define HL_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/error.h"
#include "domain/calendar.h"
#include "domain/directory.h"
#include "domain/limits.h"
#include "domain/order.h"

typedef enum hl_action {
    HL_ACTION_REGISTER = 0,   /* 受理 */
    HL_ACTION_RESOLVE,        /* 直接办结: answered at intake */
    HL_ACTION_DISPATCH,       /* 派单 */
    HL_ACTION_SIGN,           /* 签收 */
    HL_ACTION_HANDLE,         /* 办理: a progress note */
    HL_ACTION_COMPLETE,       /* 办结 */
    HL_ACTION_RETURN,         /* 退单 */
    HL_ACTION_RETURN_REJECT,  /* 退单驳回 */
    HL_ACTION_REASSIGN,       /* 改派 (also accepts a pending return) */
    HL_ACTION_EXTEND_REQUEST, /* 延期申请 */
    HL_ACTION_EXTEND_APPROVE, /* 延期批准 */
    HL_ACTION_EXTEND_REFUSE,  /* 延期驳回 */
    HL_ACTION_REMIND,         /* 催办 */
    HL_ACTION_SUPERVISE,      /* 督办 */
    HL_ACTION_REOPEN,         /* 重办 */
    HL_ACTION_MERGE,          /* 并单 */
    HL_ACTION_INVALIDATE,     /* 无效 */
    HL_ACTION_ARCHIVE,        /* 归档 */
    HL_ACTION_SURVEY,         /* 回访: one call attempt of the callback survey */
    HL_ACTION_APPEAL,         /* 申诉: a unit contests a survey result or an order's inclusion */
    HL_ACTION_APPEAL_UPHOLD,  /* 申诉成立: the order leaves the unit's measures */
    HL_ACTION_APPEAL_REJECT,  /* 申诉驳回 */
    HL_ACTION_COUNT
} hl_action;

/* Fields an action may require. */
enum {
    HL_NEED_UNIT = 1u << 0,    /* a target unit */
    HL_NEED_NOTE = 1u << 1,    /* a reason, reply or progress note */
    HL_NEED_DAYS = 1u << 2,    /* a number of working days */
    HL_NEED_INTO = 1u << 3,    /* the order to merge into */
    HL_NEED_OUTCOME = 1u << 4, /* a survey call's outcome */
};

/* Flags an event carries for the counters it moves (hl_event.flags). */
enum {
    HL_EVENT_SURVEY_CONCLUDED = 1u << 0, /* the survey ended: the order enters the base */
    HL_EVENT_SURVEY_REACHED = 1u << 1,   /* ... and the citizen was reached */
    HL_EVENT_EXCLUDED = 1u << 2,         /* the order was already out of assessment */
};

/* Whose order a handler may act on. */
typedef enum hl_unit_scope {
    HL_SCOPE_ANY = 0,    /* no unit check (centre roles) */
    HL_SCOPE_LEAD,       /* a handler must belong to the lead unit */
    HL_SCOPE_LEAD_OR_CO, /* the lead or a co-handling unit */
} hl_unit_scope;

#define HL_ROLE_BIT(role) (1u << (role))

/* What an action does to an order beyond the table's columns (deadlines,
 * windows, limits, merge targets): one function per action, in
 * workflow.c. Its argument, the order, the actor, the input and the event
 * being filled, is private to workflow.c. */
struct hl_workflow_step_call;
typedef int (*hl_workflow_step)(const struct hl_workflow_step_call *call);

typedef struct hl_workflow_rule {
    hl_action action;
    const char *name;     /* "dispatch": CLI verb, API name, event action */
    const char *name_zh;  /* 派单 */
    unsigned from_states; /* HL_STATE_BIT mask */
    unsigned roles;       /* HL_ROLE_BIT mask */
    unsigned required;    /* HL_NEED_* mask */
    hl_state to_state;    /* HL_STATE_NONE: the state does not change */
    hl_unit_scope scope;
    const char *records;   /* what the event and the order record, for docs */
    const char *deadline;  /* the deadline it starts or stops, for docs */
    hl_workflow_step step; /* the action's own step, after the table's checks */
} hl_workflow_rule;

/* The rule of an action (never NULL for a valid action). */
const hl_workflow_rule *hl_workflow_rule_of(hl_action action);
int hl_workflow_action_parse(hl_slice text, hl_action *out);
const char *hl_workflow_action_label(hl_action action); /* in the current language */

/* The action that asked for what an order awaits (延期申请 for a pending
 * extension, 退单 for a return, 申诉 for an appeal): its latest event
 * holds the reason and who asked. HL_ACTION_COUNT for HL_PENDING_NONE. */
hl_action hl_workflow_pending_request(hl_pending pending);

/* What a request brings besides the action and the actor. */
typedef struct hl_action_input {
    const char *unit;     /* dispatch, reassign: the lead unit (must be checked to exist) */
    const char *co_units; /* dispatch, reassign: comma-separated co-handling units, may be NULL */
    const char *note;     /* reason, reply or progress note */
    int days;             /* extension request and approval */
    const hl_order *into; /* merge: the earlier order (loaded by the caller) */
    hl_survey_outcome outcome; /* survey: the call's outcome */
    hl_rating rating;          /* survey, when reached */
    hl_resolved resolved;      /* survey, when reached: did the citizen say it was solved */
} hl_action_input;

/* What the rules need to know beyond the order. */
typedef struct hl_workflow_context {
    const hl_calendar *calendar;
    const hl_limits *limits;
    int category_handle_days; /* the order's category override, 0 for none */
} hl_workflow_context;

/* One entry of an order's log. The log is append-only: never updated, never
 * deleted. Together with the order's immutable registration it tells all. */
typedef struct hl_event {
    int64_t order_id;
    int64_t seq; /* 1 for registration, then +1 per action; equals the order's version */
    hl_time at;
    char actor[HL_CODE_BYTES];
    hl_action action;
    hl_state from_state;
    hl_state to_state;
    char unit[HL_CODE_BYTES];       /* the unit the event concerns ("" for the centre) */
    char other_unit[HL_CODE_BYTES]; /* reassign: the unit the order was taken from */
    hl_time deadline;               /* the deadline this event is judged against, 0 for none */
    char note[HL_CONTENT_BYTES];
    char details[HL_DETAILS_BYTES]; /* a JSON object: new deadlines, days, targets */
    int period;                /* yyyymm the event counts toward; 0: the month of `at`. A survey
                                  and an appeal count toward the month the order was completed. */
    hl_survey_outcome outcome; /* survey: the call's outcome */
    hl_rating rating;          /* survey and appeal decisions: the rating concerned */
    hl_resolved resolved;
    unsigned flags; /* HL_EVENT_* */
} hl_event;

/* Applies `action` by `actor` to `order` at `now`. On success changes the
 * order (state, fields, version + 1) and fills `event`. On refusal returns
 * HL_ESTATE, HL_EROLE or HL_EINVAL with a message that says why, and leaves
 * the order untouched (the event's contents are then unspecified). For HL_ACTION_REGISTER the order
 * holds the registration (id and received_at set by the caller) with version 0. */
int hl_workflow_apply(hl_order *order, hl_action action, const hl_user *actor,
                      const hl_action_input *input, const hl_workflow_context *context, hl_time now,
                      hl_event *event, hl_error *error);

/* Writes the transition table as Markdown (the body of docs/workflow.md). */
void hl_workflow_markdown(hl_buf *out);

#endif
