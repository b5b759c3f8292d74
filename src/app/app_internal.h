/* app_internal.h: what the modules of app/ share and nothing outside app/
 * may use: the fields of hl_app, the one pair that begins and ends a write
 * transaction, and the steps of the use cases that run inside a caller's
 * transaction (an import, the demo month). White-box tests and benchmarks
 * include it too; the CLI and the server do not. */
#ifndef HL_APP_INTERNAL_H
#define HL_APP_INTERNAL_H

#include "app/app.h"
#include "store/store.h"

struct hl_secrets;

struct hl_app {
    hl_store *store;            /* owned */
    struct hl_secrets *secrets; /* owned: the key of citizens' phones (app/secrets.h) */
    hl_calendar calendar;       /* loaded from the store at open */
    hl_limits limits;           /* defaults overridden by the store's config */
    /* The store's time zone (config key time_zone; HL_ZONE_DEFAULT when
     * unset), also made the process's local zone (hl_clock_set_zone) when
     * the settings are loaded; shared, never freed (base/zone.h). */
    const hl_zone *zone;
    /* The last number given within the open transaction, so that an import
     * does not ask the store for each row; reset at every begin. */
    int64_t last_prefix;
    int64_t last_id;
    /* The store's settings generation when the calendar and the limits were
     * loaded (see hl_app_refresh). */
    int64_t settings_generation;
};

/* The one way app/ writes is hl_app_begin and hl_app_finish (app.h): begin
 * forgets the numbers cached by the last transaction; finish ends it
 * through hl_store_finish. Every begin is paired with one finish on every
 * path. No other module of app/ calls hl_store_begin, hl_store_commit or
 * hl_store_rollback. */

/* Running a use case again when the store asks for it. A backend with many
 * writers at once (PostgreSQL) answers HL_ERETRY when a transaction met
 * another one (a deadlock, a serialization failure) and was rolled back:
 * nothing of it remains, and running the whole use case again from its
 * beginning is right. Every use case of app/ that begins and finishes a
 * transaction (or calls a store write that is its own, like the throttles)
 * loops on hl_app_again:
 *
 *     int attempt = 0, result;
 *     do {
 *         result = hl_app_begin(app, error);
 *         ... the steps, from the use case's inputs (never from what the
 *             failed attempt left in its outputs) ...
 *         result = hl_app_finish(app, result, error);
 *     } while (hl_app_again(app, &attempt, &result, error));
 *
 * hl_app_again returns true after a short randomized pause when *result is
 * HL_ERETRY and fewer than HL_APP_ATTEMPTS attempts were made; else false,
 * and an HL_ERETRY still there becomes HL_EUNAVAILABLE ("too busy, try
 * again": the server's 503 with Retry-After), so that HL_ERETRY never
 * reaches a user. The pause grows with each attempt and is random, so that
 * two transactions that met do not meet again at once. */
#define HL_APP_ATTEMPTS 5
bool hl_app_again(hl_app *app, int *attempt, int *result, hl_error *error);

/* Wraps a bare store (ownership taken) in an hl_app with no key and the
 * default calendar and limits, for a writer that needs none of them (the
 * audit queue's own connection), so that it too writes through
 * hl_app_begin and hl_app_finish. Release with hl_app_close. */
hl_app *hl_app_of_store(hl_store *store);

/* For the other app/ modules: bumps the generation inside the caller's
 * transaction (the caller's own hl_app reloads at its next refresh). */
int hl_app_bump_settings(hl_app *app, hl_error *error);

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
int hl_app_store_sealed_registration(hl_app *app, hl_order *order, const hl_sealed_phone *sealed,
                                     hl_event *event, hl_rollup_map *batch, hl_error *error);
/* Seals an order's phone, name and address with the store's key; thread-safe (it reads only
 * the key), so it may run beside a transaction on another thread. */
int hl_app_seal_phone(hl_app *app, const hl_order *order, hl_sealed_phone *out, hl_error *error);
/* Checks that a category code ("" passes) names an active category. */
int hl_app_check_category(hl_app *app, const char *code, hl_error *error);
/* Writes every entry of a batch to the store's rollups (inside a transaction). */
int hl_app_flush_rollups(hl_app *app, const hl_rollup_map *batch, hl_error *error);
/* Lists of the directory's units and categories, for modules that look
 * them up many times: pass a collector and a zeroed list to
 * hl_store_unit_each or hl_store_category_each to append every row in the
 * store's order. The caller frees items. */
typedef struct hl_unit_list {
    hl_unit *items;
    size_t count, capacity;
} hl_unit_list;
typedef struct hl_category_list {
    hl_category *items;
    size_t count, capacity;
} hl_category_list;
int hl_app_collect_unit(void *list, const hl_unit *unit);
int hl_app_collect_category(void *list, const hl_category *category);

/* Parses a calendar notice (the CSV of hl_calendar_parse_csv), writes its
 * days in one transaction and, once committed, applies them to app's
 * calendar; *loaded (when not NULL) receives the number of days. */
int hl_app_load_calendar(hl_app *app, const char *text, size_t length, size_t *loaded,
                         hl_error *error);
/* Loads an actor by username and checks that the account is active. */
int hl_app_load_actor(hl_app *app, const char *username, hl_user *out, hl_error *error);

#endif
