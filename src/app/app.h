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

struct hl_secrets;

typedef struct hl_app {
    hl_store *store;       /* owned */
    struct hl_secrets *secrets; /* owned: the key of citizens' phones (app/secrets.h) */
    hl_calendar calendar;  /* loaded from the store at open */
    hl_limits limits;      /* defaults overridden by the store's config */
    /* The last number given within the open transaction, so that an import
     * does not ask the store for each row; reset at every begin. */
    int64_t last_prefix;
    int64_t last_id;
    /* The store's settings generation when the calendar and the limits were
     * loaded (see hl_app_refresh). */
    int64_t settings_generation;
} hl_app;

/* Opens the SQLite store at path (creating it when absent), binds it to
 * its key (hl_secrets_unlock_store: the key file at key_path, NULL for
 * the default "<path>.key", made for a store that has none) and loads the
 * calendar and the limits. The caller owns *out; release with
 * hl_app_close. */
int hl_app_open_keyed(const char *path, const char *key_path, hl_app **out, hl_error *error);
/* hl_app_open_keyed with the default key file. */
int hl_app_open(const char *path, hl_app **out, hl_error *error);
void hl_app_close(hl_app *app);

/* Seeds an empty store with the built-in working-day calendar. Running it
 * again changes nothing. */
int hl_app_init(hl_app *app, hl_error *error);

/* Sets one time limit (see hl_limits_set for the keys) and stores it. */
int hl_app_set_limit(hl_app *app, const char *key, const char *value, hl_error *error);

/* The calendar and the limits are loaded once per hl_app, and a server
 * holds one hl_app per worker thread: every write of either also bumps a
 * settings generation in the store (hl_app_bump_settings, inside the
 * write's transaction), and hl_app_refresh, called before each request,
 * reloads both when the store's generation is not the one loaded. One
 * primary-key read when nothing changed. */
int hl_app_refresh(hl_app *app, hl_error *error);
/* For the other app/ modules: bumps the generation inside the caller's
 * transaction (the caller's own hl_app reloads at its next refresh). */
int hl_app_bump_settings(hl_app *app, hl_error *error);

/* Registers a new order (受理) by `actor`. registration holds the
 * registration fields; its id may be 0 (the next number of its day is
 * given) or a number the caller chose (HL_ECONFLICT when taken).
 * On success *id receives the order's number. */
int hl_app_register(hl_app *app, const char *actor, const hl_order *registration, hl_time now,
                    int64_t *id, hl_error *error);

/* What an action request carries besides the action (see hl_action_input). */
typedef struct hl_app_request {
    const char *unit;
    const char *co_units;
    const char *note;
    int days;
    int64_t into;             /* merge: the earlier order's number */
    int64_t expected_version; /* 0: any; else HL_ECONFLICT unless the order is at this version */
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

/* Working memory for one action (orders are large): reuse it across a batch. */
typedef struct hl_app_scratch {
    hl_order *order; /* after an action: the order as it now stands */
    hl_order *other;
    hl_event *event;
} hl_app_scratch;

/* Allocates scratch space; the caller frees it with hl_app_scratch_free. */
hl_app_scratch *hl_app_scratch_new(void);
void hl_app_scratch_free(hl_app_scratch *scratch);

/* For the other app/ modules: hl_app_act inside the caller's transaction.
 * A survey that ends dissatisfied also reopens the order when the policy
 * (limits.reopen_dissatisfied) says so. */
int hl_app_act_within(hl_app *app, const char *actor, int64_t id, hl_action action,
                      const hl_app_request *request, hl_time now, hl_app_scratch *scratch, hl_error *error);

/* Reads one order (HL_ENOTFOUND when absent). */
int hl_app_get_order(hl_app *app, int64_t id, hl_order *out, hl_error *error);
int hl_app_list_events(hl_app *app, int64_t id, hl_event_visitor visit, void *context, hl_error *error);
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
/* The directory, in code order, for listings. */
int hl_app_each_unit(hl_app *app, hl_unit_visitor visit, void *context, hl_error *error);
int hl_app_each_category(hl_app *app, hl_category_visitor visit, void *context, hl_error *error);
int hl_app_each_user(hl_app *app, hl_user_visitor visit, void *context, hl_error *error);
/* The store's schema version this build writes. */
int hl_app_schema_version(void);

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
int hl_app_count_orders(hl_app *app, const hl_order_filter *filter, int64_t *count, hl_error *error);
/* One page of a list: the orders the filter selects (its limit and offset
 * apply) and *total, how many it selects without them, read from one
 * snapshot so that the two agree. */
int hl_app_list_page(hl_app *app, const hl_order_filter *filter, hl_order_visitor visit, void *context,
                     int64_t *total, hl_error *error);

/* The counts of a work list's home page, from one snapshot. */
typedef struct hl_app_order_counts {
    int64_t by_state[HL_STATE_COUNT];
    int64_t overdue;  /* a deadline runs and has passed */
    int64_t due_soon; /* a deadline runs and ends before hl_app_due_soon_limit */
} hl_app_order_counts;
/* Counts what filter selects (a scope, usually) by state, and those of it
 * overdue and about to be, at now. */
int hl_app_order_counts_of(hl_app *app, const hl_order_filter *filter, hl_time now, hl_app_order_counts *out,
                           hl_error *error);
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

/* For the other app/ modules: registration inside the caller's transaction.
 * `actor` must have been loaded; `order` holds the registration and receives
 * its id and state; `event` is scratch space. The category is not checked
 * here (see hl_app_check_category), so that an import can check it once. When batch is not NULL the
 * rollup increments are added to it (the caller writes them before commit)
 * instead of to the store. */
int hl_app_register_within(hl_app *app, const hl_user *actor, hl_order *order, hl_time now,
                           hl_event *event, hl_rollup_map *batch, hl_error *error);
/* The two halves of hl_app_register_within, so that an import can check
 * rows on one thread while another writes them. prepare is pure (it reads
 * only the calendar and the limits, so it may run on any thread while no
 * one changes them); store must run inside the transaction. */
int hl_app_prepare_registration(hl_app *app, const hl_user *actor, hl_order *order, hl_time now,
                                hl_event *event, hl_error *error);
int hl_app_store_registration(hl_app *app, hl_order *order, hl_event *event, hl_rollup_map *batch,
                              hl_error *error);
/* The same, with the order's phone already sealed by hl_app_seal_phone
 * (NULL: sealed here), so that an import seals on its reading thread. */
int hl_app_store_sealed_registration(hl_app *app, hl_order *order, const hl_sealed_phone *sealed, hl_event *event,
                                     hl_rollup_map *batch, hl_error *error);
/* Seals an order's phone with the store's key; thread-safe (it reads only
 * the key), so it may run beside a transaction on another thread. */
int hl_app_seal_phone(hl_app *app, const hl_order *order, hl_sealed_phone *out, hl_error *error);
/* Checks that a category code ("" passes) names an active category. */
int hl_app_check_category(hl_app *app, const char *code, hl_error *error);
/* Writes every entry of a batch to the store's rollups (inside a transaction). */
int hl_app_flush_rollups(hl_app *app, const hl_rollup_map *batch, hl_error *error);
/* Loads an actor by username and checks that the account is active. */
int hl_app_load_actor(hl_app *app, const char *username, hl_user *out, hl_error *error);

/* For the other app/ modules: begins a write transaction (and forgets the
 * numbers cached by the last one), and ends it: commits when result is
 * HL_OK, else (or when the commit fails) rolls back; returns the first
 * failure. */
int hl_app_begin(hl_app *app, hl_error *error);
int hl_app_finish(hl_app *app, int result, hl_error *error);
/* For loads that can be rebuilt at will (the demo's month): while on, the
 * store does not wait for the disk at each commit (hl_store_set_bulk). */
void hl_app_set_bulk(hl_app *app, bool on);

#endif
