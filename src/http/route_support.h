/* route_support.h: what every group of routes shares.
 *
 * The error answers (one body shape), the order and event JSON, the
 * session check, strict JSON bodies and the refusals of writes. The route
 * files (routes_*.c, routes_open311.c) build on these so that an error or an
 * order reads the same on every route. */
#ifndef HL_ROUTE_SUPPORT_H
#define HL_ROUTE_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/json_body.h"
#include "http/json_out.h"
#include "http/routes.h"

#define HL_JSON_TYPE "application/json; charset=utf-8"
#define HL_SESSION_COOKIE "hotline_session"

/* Fills response with an error answer: status from the code (HL_ENOTFOUND
 * 404, HL_EINVAL 400, HL_EROLE 403, HL_ECONFLICT and HL_ESTATE 409,
 * HL_EUNAVAILABLE 503 with a Retry-After header, else 500) and the error
 * body. (Authentication failures are answered 401 by
 * hl_route_authenticate.) */
void hl_route_error(hl_route_response *response, const hl_error *error);

/* For an answer of an error with this code: when the store is not
 * reachable (HL_EUNAVAILABLE), sets the Retry-After seconds. Routes that
 * write their own error bodies (Open311's) call it too. */
void hl_route_retry_later(hl_route_response *response, int code);

/* The end of a call into app/: true when result is HL_OK; else fills
 * response from error as hl_route_error does and returns false, so that a
 * route reads `if (!hl_route_ok(response, hl_app_...(..., &error), &error))
 * return;`. */
bool hl_route_ok(hl_route_response *response, int result, const hl_error *error);

/* Fills response with an error answer of an explicit status and code name:
 * {"error":{"code":code,"message":message,"field":field or null}}. */
void hl_route_error_status(hl_route_response *response, int status, const char *code,
                           const char *field, const char *message);

/* A 400 "invalid" naming the field. */
void hl_route_field_invalid(hl_route_response *response, const char *field, const char *message);

/* A 403 "forbidden" (field null): the role may not use this route. */
void hl_route_forbidden(hl_route_response *response, const char *message);
/* Refuses (403, true) a user whose role reads no order at all (the
 * security and audit administrators): the order routes answer them so
 * before looking at any order, so that they learn nothing of one. */
bool hl_route_refuse_without_orders(const hl_user *user, hl_route_response *response);

/* The longest query parameter value a route reads (a code, a date, a
 * search text): anything longer is refused rather than passed on. */
#define HL_ROUTE_QUERY_MAX_BYTES 400

/* Reads a query parameter into *value (NULL when absent). False, with a
 * 400 naming the parameter, when it is not UTF-8, holds a control
 * character or is longer than HL_ROUTE_QUERY_MAX_BYTES. */
bool hl_route_query(const hl_route_request *request, const char *name, const char **value,
                    hl_route_response *response);

/* A 401 with WWW-Authenticate: Bearer. */
void hl_route_unauthorized(hl_route_response *response, const char *field, const char *message);

/* A 429 with Retry-After (at least one second). */
void hl_route_too_many_requests(hl_route_response *response, int retry_after, const char *message);

/* A refused write from app/: a stale version (HL_ECONFLICT from the
 * expected version) is 412, the rest as hl_route_error. */
void hl_route_write_refused(hl_route_response *response, const hl_error *error);

/* Writes a phone number masked as 138****1234 into out (keeps the first
 * three and last four characters of a number of seven or more ASCII
 * characters; anything shorter or not ASCII becomes "****"; "" stays ""). */
void hl_route_mask_phone(const char *phone, char *out, size_t size);

/* Writes a name masked to its first character and "**" ("张**"). */
void hl_route_mask_name(const char *name, char *out, size_t size);

/* Appends an order as one JSON object and a newline, with what it awaits
 * a decision on (pending, hl_app_pending_of). full: the reader
 * sees citizens' personal data (app/auth decides); else masked. The
 * working days left on the running deadline and whether it is due soon
 * are counted at now with the app's calendar and limits. */
void hl_route_order_json(const hl_app *app, const hl_order *order, const hl_app_pending *pending,
                         hl_time now, bool full, hl_buf *out);

/* An hl_event_visitor that appends each event as a JSON object, with
 * commas between them, to a writer's buffer. */
typedef struct hl_route_events_writer {
    hl_buf *out;
    size_t count;
} hl_route_events_writer;
int hl_route_event_json(void *context, const hl_event *event);

/* Parses a 14-digit order number; HL_EINVAL naming "number" otherwise. */
int hl_route_parse_order_number(hl_slice text, int64_t *id, hl_error *error);

/* Sets the ETag header to the order's version as a strong tag ("7"). */
void hl_route_set_etag(hl_route_response *response, const hl_order *order);

/* Finds the session's user (Bearer token first, else the cookie) into
 * *user, its token into *token, and whether the user's password is past
 * password.max_age_days into *password_expired; false, with a 401,
 * without a valid one. */
bool hl_route_authenticate(const hl_route_request *request, hl_user *user, const char **token,
                           bool *password_expired, hl_route_response *response);

/* A state-changing request (not GET or HEAD) whose session came from the
 * cookie rather than an Authorization header must be declared
 * application/json and, when it carries an Origin header, come from this
 * server's own origin (http:// or https:// and the Host header, compared
 * without regard to case); else false with a 403 (forbidden, field
 * "content-type" or "origin"). A browser sends the cookie with a form
 * posted from any site, but a cross-site request of another type or one
 * naming a foreign Origin is what the checks refuse (issue 11). True for
 * every other request. */
bool hl_route_cookie_write_allowed(const hl_route_request *request, hl_route_response *response);

/* Parses the body into fields (json_body.c: strict): false with a 415 when
 * the body is not declared application/json, with a 400 when it is not
 * one JSON object of exactly these fields. Values live in the request's
 * arena. */
bool hl_route_parse_body(const hl_route_request *request, hl_json_field *fields, size_t count,
                         hl_route_response *response);

#endif
