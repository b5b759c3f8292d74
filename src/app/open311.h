/* open311.h: the use cases behind Open311 GeoReport v2 (docs/open311.md).
 *
 * Services are the active categories; a service's definition is its
 * category's attributes. A request posted through Open311 becomes an
 * order of channel open311 and type help (求助), registered by the
 * built-in intake account HL_OPEN311_ACCOUNT (an agent, created on first
 * use, without a password, so nobody can log in with it; disabling it
 * stops intake), in one transaction with what the order has no field
 * for (the key it came with, email, device and account ids, address id,
 * media URL) and the answers to the attributes, each checked against the
 * definition.
 *
 * What the public may read is decided here: which orders are published
 * (only those whose citizen consented to publication, which a post gives
 * by the API's terms; of them, those received through Open311, or every
 * one when the setting open311.publish is "all"), their status (open or closed: the closed
 * states are completed, surveyed, archived, invalid and merged), notes
 * (the unit's reply when closed), and which events of an order's log are
 * public notes (registration, intake answer, dispatch, signing, handling,
 * transfer, approved extension, completion, reopening, merge,
 * invalidation, archiving and survey calls; never the free text of
 * anything but the replies addressed to the citizen: the intake answer
 * and the unit's reply). Citizens' names, phones and emails never leave
 * through these reads. Texts are in the thread's language. */
#ifndef HL_OPEN311_H
#define HL_OPEN311_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

#define HL_OPEN311_ACCOUNT "open311"
/* GET requests: at most this many requests, within this many days. */
#define HL_OPEN311_LIST_MAX 1000
#define HL_OPEN311_DAYS_MAX 90
/* The first line of a description, cut to this many characters, is the
 * order's title. */
#define HL_OPEN311_TITLE_CHARS 30

/* Settings (the config table, keys "open311.<name>"; `hotline config`). */
typedef struct hl_open311_settings {
    char jurisdiction_id[HL_NAME_BYTES]; /* "": any jurisdiction_id is accepted */
    char contact[HL_REASON_BYTES];       /* discovery: whom to contact */
    char key_service[HL_REASON_BYTES];   /* discovery: how to get an API key */
    char service_notice[HL_REASON_BYTES];
    bool publish_all; /* every consented order, not only Open311's */
} hl_open311_settings;

/* Loads the settings; those not set take their defaults, in the thread's
 * language. */
int hl_open311_settings_load(hl_app *app, hl_open311_settings *out, hl_error *error);
/* Stores one setting: key is "open311.jurisdiction_id", "open311.contact",
 * "open311.key_service", "open311.service_notice" or "open311.publish"
 * (open311 or all). HL_EINVAL naming key for an unknown key or a bad value. */
int hl_open311_setting_set(hl_app *app, const char *key, const char *value, hl_error *error);

/* Whether a state counts as closed for Open311. */
bool hl_open311_state_closed(hl_state state);

/* ---- Services and their definitions ---- */

typedef struct hl_open311_service {
    const hl_category *category;
    const char *group;   /* the parent category's name, "" at the first level */
    int attribute_count; /* attributes of its definition (metadata when > 0) */
} hl_open311_service;

/* Visits the active categories in code order. */
int hl_open311_each_service(hl_app *app,
                            int (*visit)(void *context, const hl_open311_service *service),
                            void *context, hl_error *error);

typedef struct hl_open311_definition {
    hl_category category;
    hl_attribute *attributes; /* owned: hl_open311_definition_free */
    size_t count;             /* in (position, code) order */
} hl_open311_definition;

/* Loads an active category's definition; HL_ENOTFOUND naming
 * "service_code" for an unknown or retired one. */
int hl_open311_definition_load(hl_app *app, const char *service_code, hl_open311_definition *out,
                               hl_error *error);
void hl_open311_definition_free(hl_open311_definition *definition);

/* ---- Posting a request ---- */

/* One attribute parameter: attribute[code]=value, or attribute[code][]=
 * value (list) for one of a multivaluelist's values. */
typedef struct hl_open311_answer {
    const char *code;
    const char *value;
    bool list;
} hl_open311_answer;

/* The parameters of a POST, as sent (NULL: absent). */
typedef struct hl_open311_submission {
    int64_t api_key_id;
    const char *service_code;
    const char *description;
    const char *lat, *lon;
    const char *address_string, *address_id;
    const char *email, *device_id, *account_id;
    const char *first_name, *last_name, *phone;
    const char *media_url;
    const hl_open311_answer *answers;
    size_t answer_count;
} hl_open311_submission;

/* Registers the request at now; *id receives the order's number.
 * HL_EINVAL naming the parameter at fault (Open311's names: service_code,
 * lat, address_string, description, phone, attribute[CODE]...), HL_EROLE
 * when the intake account is disabled. Nothing is written on failure. */
int hl_open311_submit(hl_app *app, const hl_open311_submission *submission, hl_time now,
                      int64_t *id, hl_error *error);

/* ---- Reading requests ---- */

/* What the public sees of one order. */
typedef struct hl_open311_view {
    const hl_order *order;
    bool closed;
    const char *status_notes;        /* NULL: none */
    const char *service_name;        /* NULL: the order has no category */
    const char *agency;              /* the lead unit's name; NULL before dispatch */
    hl_time updated_at;              /* closing time when closed, else the last event's */
    hl_time expected_at;             /* the handling deadline while open; 0: none */
    const hl_open311_record *record; /* NULL: not received through Open311 */
} hl_open311_view;
typedef int (*hl_open311_view_visitor)(void *context, const hl_open311_view *view);

/* A public note: one public event of an order's log. */
typedef struct hl_open311_note {
    int64_t order_id;
    int64_t seq;
    hl_time at;
    const char *type;        /* the action's name: "dispatch", "complete"... */
    const char *summary;     /* one line in the thread's language */
    const char *description; /* the reply to the citizen; NULL for other events */
    const char *agency;      /* the unit concerned; NULL for the centre */
    bool closed;             /* the status after the event */
} hl_open311_note;
typedef int (*hl_open311_note_visitor)(void *context, const hl_open311_note *note);

/* A reader holds what every read of one request needs: the settings, the
 * names of categories and units, scratch records. Open it once per HTTP
 * request; it reads inside one snapshot of the store. */
typedef struct hl_open311_reader hl_open311_reader;

/* The caller owns *out (hl_open311_reader_close). */
int hl_open311_reader_open(hl_app *app, hl_open311_reader **out, hl_error *error);
void hl_open311_reader_close(hl_open311_reader *reader); /* reader may be NULL */
const hl_open311_settings *hl_open311_reader_settings(const hl_open311_reader *reader);

/* One published request (HL_ENOTFOUND naming "service_request_id" for an
 * absent or unpublished one). */
int hl_open311_read_request(hl_open311_reader *reader, int64_t id, hl_open311_view_visitor visit,
                            void *context, hl_error *error);

/* Which requests a list returns. ids, when given, override every other
 * member (each published one is visited once, in the order given).
 * Otherwise: service_codes (comma-separated, NULL: any), status (open,
 * closed, both false: any), requested from <= received < to (0: no bound),
 * newest first, limit after offset. */
typedef struct hl_open311_query {
    const int64_t *ids;
    size_t id_count;
    const char *service_codes;
    bool open, closed;
    hl_time from, to;
    int64_t offset;
    int limit;
} hl_open311_query;

/* Visits the requests of a query; *total receives how many the query
 * selects without limit and offset. */
int hl_open311_list_requests(hl_open311_reader *reader, const hl_open311_query *query,
                             hl_open311_view_visitor visit, void *context, int64_t *total,
                             hl_error *error);

/* The public notes of one published request, in order. */
int hl_open311_each_note(hl_open311_reader *reader, int64_t id, hl_open311_note_visitor visit,
                         void *context, hl_error *error);

/* The answers to its category's attributes (code, seq, value). */
int hl_open311_each_answer(hl_open311_reader *reader, int64_t id, hl_answer_visitor visit,
                           void *context, hl_error *error);

/* Public notes of every published request, from <= at < to (to 0: no
 * end), in time order, limit after offset; *total without them. */
int hl_open311_list_updates(hl_open311_reader *reader, hl_time from, hl_time to, int64_t offset,
                            int limit, hl_open311_note_visitor visit, void *context, int64_t *total,
                            hl_error *error);

#endif
