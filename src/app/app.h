/* app.h: the use cases of hotline, each one transaction.
 *
 * The CLI and the server call only this layer. Each use case opens a
 * transaction on the store, loads what it needs, asks domain/ whether the
 * step is allowed, writes the order, its event and its rollup counters, and
 * commits; or rolls back and returns the reason. app/ is the only place a
 * transaction begins. */
#ifndef HL_APP_H
#define HL_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "domain/calendar.h"
#include "domain/directory.h"
#include "domain/limits.h"
#include "domain/order.h"
#include "domain/rollup.h"
#include "domain/workflow.h"
#include "store/store.h"

/* How far in the future a registration's received time may lie: clocks of
 * intake systems drift a little, never by more. */
#define HL_FUTURE_TOLERANCE_SECONDS 300

/* How far in the past a received time may lie when an order is registered
 * through the API (hl_app_register_recent): a call taken earlier in the
 * week and recorded late (a front end that was down over a weekend or a
 * short holiday). Older orders are history, brought in by `hotline
 * import`, whose file is the record of where they came from; an API
 * client that could backdate orders by years could also place them in
 * months whose bulletin is out (docs/security.md). */
#define HL_RECEIVED_PAST_DAYS 7

/* The platform: the store, the key of citizens' phones, the calendar and
 * the limits. Opaque outside app/ (its fields are in app/app_internal.h);
 * the CLI and the server read the calendar and the limits through
 * hl_app_calendar and hl_app_limits. */
typedef struct hl_app hl_app;

/* Opens the SQLite store at path (creating it when absent), binds it to
 * its key (hl_secrets_unlock_store: the key file at key_path, NULL for
 * the default "<path>.key", made for a store that has none) and loads the
 * calendar and the limits. The caller owns *out; release with
 * hl_app_close. */
int hl_app_open_keyed(const char *path, const char *key_path, hl_app **out, hl_error *error);
/* hl_app_open_keyed with the default key file. */
int hl_app_open(const char *path, hl_app **out, hl_error *error);
void hl_app_close(hl_app *app);

/* The calendar and the limits in force (loaded at open, reloaded by
 * hl_app_refresh); they belong to app and change at its next refresh. */
const hl_calendar *hl_app_calendar(const hl_app *app);
const hl_limits *hl_app_limits(const hl_app *app);
/* The store's time zone (never NULL; shared, never freed: base/zone.h). */
const hl_zone *hl_app_zone(const hl_app *app);

/* Seeds an empty store with the built-in working-day calendar. Running it
 * again changes nothing. */
int hl_app_init(hl_app *app, hl_error *error);

/* Sets one time limit (see hl_limits_set for the keys) and stores it. */
int hl_app_set_limit(hl_app *app, const char *key, const char *value, hl_error *error);

/* Sets the store's time zone, an IANA name ("America/Los_Angeles"): checked
 * against the system's zone data (HL_EINVAL on the field "time_zone", and
 * the store unchanged, when unknown), stored, and made the local zone of
 * every time this process shows or reads from now on. */
int hl_app_set_time_zone(hl_app *app, const char *name, hl_error *error);

/* The calendar, the limits and the time zone are loaded once per hl_app, and a server
 * holds one hl_app per worker thread: every write of either also bumps a
 * settings generation in the store (hl_app_bump_settings, inside the
 * write's transaction), and hl_app_refresh, called before each request,
 * reloads both when the store's generation is not the one loaded. One
 * primary-key read when nothing changed. */
int hl_app_refresh(hl_app *app, hl_error *error);

/* Registers a new order (受理) by `actor`. registration holds the
 * registration fields; its id may be 0 (the next number of its day is
 * given) or a number the caller chose (HL_ECONFLICT when taken).
 * On success *id receives the order's number. */
int hl_app_register(hl_app *app, const char *actor, const hl_order *registration, hl_time now,
                    int64_t *id, hl_error *error);

/* hl_app_register for a client of the API: also refuses (HL_EINVAL naming
 * "received_at", nothing written) a received time more than
 * HL_RECEIVED_PAST_DAYS days before now. The command line's register and
 * import take any past time: their operator holds the store itself. */
int hl_app_register_recent(hl_app *app, const char *actor, const hl_order *registration,
                           hl_time now, int64_t *id, hl_error *error);

/* What an action request carries besides the action (see hl_action_input). */
typedef struct hl_app_request {
    const char *unit;
    const char *co_units;
    const char *note;
    int days;
    int64_t into;              /* merge: the earlier order's number */
    int64_t expected_version;  /* 0: any; else HL_ECONFLICT unless the order is at this version */
    hl_survey_outcome outcome; /* survey */
    hl_rating rating;          /* survey, when reached */
    hl_resolved resolved;      /* survey, when reached */
    /* When not NULL: an order for which it is false (given the acting user)
     * is answered HL_ENOTFOUND, exactly as an absent one, before anything
     * else is checked, within the action's transaction; the server passes
     * app/auth's read rule, so that no refusal reveals an order the user
     * may not see. */
    bool (*visible)(const hl_user *actor, const hl_order *order);
} hl_app_request;

/* Applies one lifecycle action to order `id` by `actor`, durably. On success
 * and when after is not NULL, *after receives the changed order. */
int hl_app_act(hl_app *app, const char *actor, int64_t id, hl_action action,
               const hl_app_request *request, hl_time now, hl_order *after, hl_error *error);

/* Reads one order (HL_ENOTFOUND when absent). */
int hl_app_get_order(hl_app *app, int64_t id, hl_order *out, hl_error *error);
int hl_app_list_events(hl_app *app, int64_t id, hl_event_visitor visit, void *context,
                       hl_error *error);
int hl_app_list_orders(hl_app *app, const hl_order_filter *filter, hl_order_visitor visit,
                       void *context, hl_error *error);
/* One unit of the directory (HL_ENOTFOUND when absent). */
int hl_app_get_unit(hl_app *app, const char *code, hl_unit *out, hl_error *error);
/* This caller's earlier orders: the orders with the same phone number as
 * order id (however it was written) received before it, newest first, at
 * most limit of them (0: all). When visible is not NULL, an order for
 * which it is false (given reader) is left out, and the order id itself
 * is answered HL_ENOTFOUND, as an absent one. An order without a phone
 * has no earlier orders. Runs in one read snapshot. */
int hl_app_earlier_orders(hl_app *app, int64_t id, const hl_user *reader,
                          bool (*visible)(const hl_user *reader, const hl_order *order), int limit,
                          hl_order_visitor visit, void *context, hl_error *error);
/* The display name (姓名) of the user called username into out (size
 * bytes), "" when there is no such user (an actor of the command line, the
 * system, or a user deleted from an imported store): history shows its
 * people by name, a disabled user's too. */
int hl_app_user_display_name(hl_app *app, const char *username, char *out, size_t size,
                             hl_error *error);
/* The directory, in code order, for listings. */
int hl_app_each_unit(hl_app *app, hl_unit_visitor visit, void *context, hl_error *error);
int hl_app_each_category(hl_app *app, hl_category_visitor visit, void *context, hl_error *error);
int hl_app_each_user(hl_app *app, hl_user_visitor visit, void *context, hl_error *error);
/* The schema version this build writes in the app's store (its backend's
 * numbering). */
int hl_app_schema_version(const hl_app *app);

/* For a server: this connection's commits no longer checkpoint the WAL;
 * the server calls hl_app_checkpoint from a thread of its own instead (see
 * hl_store_set_background_checkpoints). */
void hl_app_set_background_checkpoints(hl_app *app, bool on);
int hl_app_checkpoint(hl_app *app, hl_error *error);

/* Groups reads in one read transaction: one snapshot, and one round of
 * file locks instead of one per statement (the server's hot GET reads a
 * session, a user and an order). Only for reads that begin no transaction
 * of their own; hl_app_read_end ends it (harmless when none is open). */
int hl_app_read_begin(hl_app *app, hl_error *error);
void hl_app_read_end(hl_app *app);

/* Counts the orders a filter selects (its limit is ignored). */
int hl_app_count_orders(hl_app *app, const hl_order_filter *filter, int64_t *count,
                        hl_error *error);
/* One page of a list: the orders the filter selects (its limit and offset
 * apply) and *total, how many it selects without them, read from one
 * snapshot so that the two agree. */
int hl_app_list_page(hl_app *app, const hl_order_filter *filter, hl_order_visitor visit,
                     void *context, int64_t *total, hl_error *error);

/* A caller's orders at a glance, while the citizen is on the line. A
 * caller with HL_APP_REPEAT_CALLS orders or more received in the last
 * HL_APP_RECENT_DAYS days is a repeat caller (重复来电): the agent should
 * ask whether the call is about one of them before registering another. */
#define HL_APP_RECENT_DAYS 30
#define HL_APP_REPEAT_CALLS 2
typedef struct hl_app_caller_summary {
    int64_t total;  /* the orders the filter selects */
    int64_t open;   /* of them, not finished: waiting for dispatch or with a unit */
    int64_t recent; /* of them, received in the HL_APP_RECENT_DAYS days before now */
    bool repeat;    /* recent >= HL_APP_REPEAT_CALLS */
} hl_app_caller_summary;
/* The orders filter selects (a phone and the reader's scope, usually),
 * counted into *out, and at most limit (at least 1) of them visited: the
 * open ones newest first, then the others newest first. The filter's
 * sort, limit and offset are not used. Runs in one read snapshot. */
int hl_app_caller_orders(hl_app *app, const hl_order_filter *filter, hl_time now, int limit,
                         hl_order_visitor visit, void *context, hl_app_caller_summary *out,
                         hl_error *error);

/* The counts of a work list's home page, from one snapshot. */
typedef struct hl_app_order_counts {
    int64_t by_state[HL_STATE_COUNT];
    int64_t overdue;                   /* a deadline runs and has passed */
    int64_t due_soon;                  /* a deadline runs and ends before hl_app_due_soon_limit */
    int64_t pending[HL_PENDING_COUNT]; /* awaiting each decision (the approval queues) */
} hl_app_order_counts;
/* Counts what filter selects (a scope, usually) by state, and those of it
 * overdue and about to be, at now. */
int hl_app_order_counts_of(hl_app *app, const hl_order_filter *filter, hl_time now,
                           hl_app_order_counts *out, hl_error *error);
/* What an order awaits a decision on and the request that asked for it
 * (the latest event of hl_workflow_pending_request's action). */
typedef struct hl_app_pending {
    hl_pending kind; /* HL_PENDING_NONE: nothing, and nothing else is set */
    hl_time at;      /* when it was asked */
    char by[HL_CODE_BYTES];
    int days; /* an extension: the working days asked */
    char reason[HL_CONTENT_BYTES];
} hl_app_pending;
/* Fills *out for order: reads its log only when something is pending. */
int hl_app_pending_of(hl_app *app, const hl_order *order, hl_app_pending *out, hl_error *error);
/* The orders received in [from, to) by category (see
 * hl_store_order_count_by_category). */
int hl_app_count_by_category(hl_app *app, hl_time from, hl_time to, hl_category_count_visitor visit,
                             void *context, hl_error *error);
/* The months (yyyymm, ascending) whose bulletin has survey results. */
int hl_app_survey_months(hl_app *app, hl_month_total_visitor visit, void *context, hl_error *error);
/* The number of orders in each state (indexed by hl_state), read from the
 * counts the store keeps: a few rows however many orders there are. */
int hl_app_count_orders_by_state(hl_app *app, int64_t counts[HL_STATE_COUNT], hl_error *error);
/* The instant before which an open order counts as about to be overdue. */
hl_time hl_app_due_soon_limit(const hl_app *app, hl_time now);

/* Batches, for a bulk driver above app/ (the demo's replay of a month):
 * hl_app_begin begins one write transaction and hl_app_finish ends it
 * (commits when status is HL_OK, else, and also when the commit fails,
 * rolls back; returns the first failure), so that the use cases called in
 * between (their *_within forms are app/'s own) share it. The CLI and the
 * server never call them: each of their use cases is one transaction.
 * hl_app_set_bulk: while on, the store does not wait for the disk at each
 * commit (hl_store_set_bulk), for loads that can be rebuilt at will. */
int hl_app_begin(hl_app *app, hl_error *error);
int hl_app_finish(hl_app *app, int status, hl_error *error);
void hl_app_set_bulk(hl_app *app, bool on);

/* Working memory for one action (orders are large): reuse it across a batch. */
typedef struct hl_app_scratch {
    hl_order *order; /* after an action: the order as it now stands */
    hl_order *other;
    hl_event *event;
} hl_app_scratch;

/* Allocates scratch space; the caller frees it with hl_app_scratch_free. */
hl_app_scratch *hl_app_scratch_new(void);
void hl_app_scratch_free(hl_app_scratch *scratch);

/* hl_app_act inside the caller's transaction (app/ modules and batches).
 * A survey that ends dissatisfied also reopens the order when the policy
 * (limits.reopen_dissatisfied) says so. */
int hl_app_act_within(hl_app *app, const char *actor, int64_t id, hl_action action,
                      const hl_app_request *request, hl_time now, hl_app_scratch *scratch,
                      hl_error *error);

#endif
