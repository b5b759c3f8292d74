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
 * The routes are one table (routes.c): a method, a path pattern whose
 * {name} segments match any one segment (and a final "*" the rest of the
 * path), whether a session is needed, and the handler. A path that matches
 * a pattern with another method is 405 with Allow. Every /api/v1 route but
 * login needs a session (a Bearer token or the hotline_session cookie):
 * without one, 401. What a user may read is app/auth's decision; the route
 * files only ask. A path that matches no route and is not the API's
 * (static_files.h) is a web page: GET and HEAD serve it, other methods are
 * 405. docs/api.md lists the routes; docs/openapi.json
 * describes them and a test checks the two agree with this table. */
#ifndef HL_ROUTES_H
#define HL_ROUTES_H

#include <stdint.h>

#include "app/app.h"
#include "app/audit.h"
#include "app/auth.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/text.h"
#include "http/arena.h"
#include "http/metrics.h"

/* Receives one query argument: its name and value with their lengths
 * (either may hold bytes the caller must check); value NULL when the
 * argument had no '='. */
typedef void (*hl_query_visitor)(void *context, const char *name, size_t name_length,
                                 const char *value, size_t value_length);

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
    const char *body; /* the request body (NUL-terminated), NULL when none was sent */
    size_t body_length;
    const char *content_type;   /* NULL when absent */
    const char *authorization;  /* the Authorization header, NULL when absent */
    const char *if_match;       /* the If-Match header, NULL when absent */
    const char *session_cookie; /* the hotline_session cookie's value, NULL when absent */
    const char *client_address; /* the peer's IP address as text ("" when unknown) */
    hl_auth_guard *guard;       /* the process's login guard (not NULL) */
    /* Calls visit for every query argument, in the order sent (Open311
     * checks them all: unknown names, repetitions, encodings). */
    void (*query_each)(void *context, hl_query_visitor visit, void *visit_context);
    /* Whether Open311's request budgets are counted (in the store, through
     * app/throttle: one budget for every server on it); false for a request
     * assembled without the server (a fuzzing harness). */
    bool count_budgets;
    const char *host;              /* the Host header, NULL when absent */
    const char *origin;            /* the Origin header, NULL when absent */
    hl_audit_queue *audit;         /* the process's record of full phone-number reads (not NULL) */
    const char *if_none_match;     /* the If-None-Match header, NULL when absent */
    const char *if_modified_since; /* the If-Modified-Since header, NULL when absent */
    const struct hl_static_files *static_files; /* the web pages; NULL when served without */
    /* The Bearer token /metrics asks for; NULL: /metrics answers only peers
     * on the loopback interface (issue 11). */
    const char *metrics_token;
} hl_route_request;

typedef struct hl_route_response {
    int status;
    const char *content_type;     /* a static string */
    const char *allow;            /* for 405: the Allow header (static), else NULL */
    const char *www_authenticate; /* for 401: the WWW-Authenticate header (static), else NULL */
    const char *set_cookie;       /* a Set-Cookie header (in the request's arena), else NULL */
    int retry_after;              /* for 429 and 503: seconds for the Retry-After header, else 0 */
    char etag[32];                /* an order's ETag header ("\"7\"", its version), "" for none */
    char location[64];            /* a created resource's Location header, "" for none */
    /* A Content-Disposition header (a download's file name), "" for none. */
    char content_disposition[96];
    hl_buf body; /* owned by the response; the caller frees it or hands it on */
    /* A static file's body instead of body: its descriptor (owned by the
     * response; the caller closes it or hands it on), -1 for none. */
    int file;
    uint64_t file_size;
    char last_modified[40];              /* a file's Last-Modified header, "" for none */
    const char *cache_control;           /* static; NULL: "no-store" */
    const char *content_security_policy; /* static; NULL: none */
} hl_route_response;

/* Prepares an empty response (status 500 until set, no file). */
void hl_route_response_init(hl_route_response *response);

/* Answers one request; sets the thread's language (hl_i18n_set) from
 * ?lang= or Accept-Language. Never fails: every problem is an answer. */
void hl_routes_handle(const hl_route_request *request, hl_route_response *response);

/* The parameters a route receives beside the request. */
typedef struct hl_route_context {
    const hl_user *user;    /* the session's user; NULL on open routes */
    const char *token;      /* the session's token; NULL on open routes */
    hl_slice parameters[4]; /* the {name} segments in order (then the "*" rest) */
    size_t parameter_count;
    /* The user's password is past password.max_age_days: only the
     * password, logout and /me routes run (hl_auth_password_expired). */
    bool password_expired;
} hl_route_context;

/* A route's handler. The routes_*.h headers declare their handlers with
 * this type (hl_route_fn hl_routes_me;), so the signature is written once. */
typedef void hl_route_fn(const hl_route_request *request, const hl_route_context *context,
                         hl_route_response *response);
typedef hl_route_fn *hl_route_handler;

typedef struct hl_route {
    const char *method;  /* "GET" (HEAD is answered as GET), "POST", "PUT", "DELETE" */
    const char *pattern; /* "/api/v1/orders/{number}/events" */
    bool open;           /* true: no session needed */
    hl_route_handler handle;
} hl_route;

/* Calls visit for every route of the table, in its order (for the test
 * that checks the OpenAPI document against the routes). */
void hl_routes_each(void (*visit)(void *context, const hl_route *route), void *context);

#endif
