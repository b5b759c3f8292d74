/* routes.h: the server's routes, apart from the HTTP library.
 *
 * hl_routes_handle takes a request already read (method, decoded path,
 * query lookup, Accept-Language) and fills a response (status, content
 * type, body). It knows nothing of libmicrohttpd, so the routing and the
 * JSON can be read (and later tested) without sockets. Every error answer
 * has one body shape: {"error":{"code":"...","message":"...","field":...}}
 * with code from hl_error_code_name (or "method_not_allowed",
 * "too_large"), message in the request's language, field a string or null.
 *
 * Routes: GET /healthz, GET /metrics (both open), POST /api/v1/login,
 * POST /api/v1/logout, POST /api/v1/password, GET /api/v1/orders/{number},
 * GET /api/v1/orders/{number}/events, GET /api/v1/reports/{YYYY-MM},
 * POST /api/v1/orders (register), POST /api/v1/orders/{number}/actions/{action}
 * (If-Match: "<version>" required: 428 without, 412 when stale). Every
 * /api/v1 route but login needs a session (a Bearer token or the
 * hotline_session cookie): without one, 401. What a user may read is
 * app/auth's decision; routes.c only asks. */
#ifndef HL_ROUTES_H
#define HL_ROUTES_H

#include "app/app.h"
#include "app/auth.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/text.h"
#include "http/arena.h"
#include "http/metrics.h"

typedef struct hl_route_request {
    const char *method;
    const char *path; /* percent-decoded; may hold any byte but NUL */
    /* Returns a query argument's value or NULL when absent. */
    const char *(*query)(void *context, const char *name);
    void *query_context;
    const char *accept_language; /* NULL when absent */
    hl_app *app;                 /* this thread's connection to the store (not NULL) */
    hl_metrics *metrics;
    hl_arena *arena; /* the request's: freed when the request completes */
    hl_time now;
    const char *body;            /* the request body (NUL-terminated), NULL when none was sent */
    size_t body_length;
    const char *content_type;    /* NULL when absent */
    const char *authorization;   /* the Authorization header, NULL when absent */
    const char *if_match;        /* the If-Match header, NULL when absent */
    const char *session_cookie;  /* the hotline_session cookie's value, NULL when absent */
    const char *client_address;  /* the peer's IP address as text ("" when unknown) */
    hl_auth_guard *guard;        /* the process's login guard (not NULL) */
} hl_route_request;

typedef struct hl_route_response {
    int status;
    const char *content_type; /* a static string */
    const char *allow;        /* for 405: the Allow header (static), else NULL */
    const char *www_authenticate; /* for 401: the WWW-Authenticate header (static), else NULL */
    const char *set_cookie;   /* a Set-Cookie header (in the request's arena), else NULL */
    int retry_after;          /* for 429: seconds for the Retry-After header, else 0 */
    char etag[32];            /* an order's ETag header ("\"7\"", its version), "" for none */
    char location[64];        /* a created order's Location header, "" for none */
    hl_buf body;              /* owned by the response; the caller frees it or hands it on */
} hl_route_response;

/* Prepares an empty response (status 500 until set). */
void hl_route_response_init(hl_route_response *response);

/* Answers one request; sets the thread's language (hl_i18n_set) from
 * ?lang= or Accept-Language. Never fails: every problem is an answer. */
void hl_routes_handle(const hl_route_request *request, hl_route_response *response);

/* Fills response with an error answer: status from the code (HL_ENOTFOUND
 * 404, HL_EINVAL 400, HL_EROLE 403, HL_ECONFLICT and HL_ESTATE 409, else
 * 500) and the error body. (Authentication failures are answered 401 by
 * the routes themselves.) */
void hl_routes_error(hl_route_response *response, const hl_error *error);

/* Fills response with an error answer of an explicit status and code name. */
void hl_routes_error_status(hl_route_response *response, int status, const char *code,
                            const char *field, const char *message);

/* Writes a phone number masked as 138****1234 into out (keeps the first
 * three and last four characters of a number of seven or more ASCII
 * characters; anything shorter or not ASCII becomes "****"; "" stays ""). */
void hl_routes_mask_phone(const char *phone, char *out, size_t size);

#endif
