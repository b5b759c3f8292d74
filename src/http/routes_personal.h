/* routes_personal.h: citizens' personal data over HTTP: a caller's earlier
 * orders, the audit of full phone-number reads, and the one way every
 * route writes an order so that a full number is recorded before it
 * leaves.
 *
 * GET /api/v1/orders/{number}/earlier?limit=N: the orders with the same
 *     phone number received before this one, newest first (default 20, at
 *     most 100), those the user may not read left out; 404 for an order
 *     the user may not read.
 * GET /api/v1/callers?phone=&limit=N: a caller's orders while the citizen
 *     is on the line, open ones first (default 20, at most 100), with the
 *     counts (all, open, the last 30 days) and the repeat-caller flag; for
 *     the roles that may search by phone (app/auth), scoped as a list.
 * GET /api/v1/audit/phone-reads?order=&user=&page=: the reads, newest
 *     first, 50 a page; administrators only (403 for the others).
 * GET /api/v1/audit/security-events?limit=N: the security events (app/audit
 *     hl_audit_security), newest first (default 100, at most 1000); the
 *     audit administrator only, as above. */
#ifndef HL_ROUTES_PERSONAL_H
#define HL_ROUTES_PERSONAL_H

#include <stdbool.h>

#include "http/routes.h"

#define HL_ROUTES_EARLIER_DEFAULT 20
#define HL_ROUTES_EARLIER_MAX 100
#define HL_ROUTES_CALLER_DEFAULT 20
#define HL_ROUTES_CALLER_MAX 100
#define HL_ROUTES_AUDIT_PAGE 50
#define HL_ROUTES_SECURITY_DEFAULT 100
#define HL_ROUTES_SECURITY_MAX 1000

/* Appends order as JSON to the response's body, with the citizen's phone
 * and name in full for a user who sees personal data (app/auth) and masked
 * for the others. A full number's read is recorded first (app/audit, as
 * by route; not for a HEAD, whose body is never sent); when it cannot be, the number does not
 * leave: after a write (written true: the order was registered or changed, which the answer must
 * still say) the order is written masked; after a read, false is returned with a 500 answer and the
 * body is left alone. */
bool hl_routes_personal_order(const hl_route_request *request, const hl_user *user,
                              const hl_order *order, const char *route, bool written,
                              hl_route_response *response);

/* Writes the orders of a list, as hl_routes_personal_order does one: JSON
 * objects with commas between them, in full for a user who sees personal
 * data. Each full number's read is kept (room for max_orders, in the
 * request's arena) until hl_routes_personal_list_end records them all. */
typedef struct hl_routes_personal_list {
    const hl_route_request *request;
    const hl_user *user;
    const char *route;
    hl_buf *out;
    bool full;
    size_t count;
    hl_audit_read *reads;
    size_t read_count;
    hl_app_pending *pending; /* scratch: what the order being written awaits */
    int status;              /* HL_OK, or why the list stopped (in error) */
    hl_error error;
} hl_routes_personal_list;

/* Starts a list into out of at most max_orders orders read by user
 * through route (the route's name, as the audit records it). */
void hl_routes_personal_list_start(hl_routes_personal_list *list, const hl_route_request *request,
                                   const hl_user *user, const char *route, hl_buf *out,
                                   size_t max_orders);
/* An hl_order_visitor (context: an hl_routes_personal_list) that writes
 * one order. */
int hl_routes_personal_list_order(void *context, const hl_order *order);
/* The list's result: result, unless writing an order failed (its code,
 * with its message in *error). */
int hl_routes_personal_list_result(const hl_routes_personal_list *list, int result,
                                   hl_error *error);
/* Records the list's reads: false, with a 500 answer, when they cannot be,
 * and then the numbers must not leave. */
bool hl_routes_personal_list_end(const hl_routes_personal_list *list, hl_route_response *response);

/* Reads the query parameter phone into *phone (NULL when absent, else the
 * request's text): false, with a 400 naming "phone" for one that cannot be
 * a number (domain/phone.h hl_phone_valid) and a 403 for a user who
 * may not search by phone (app/auth hl_auth_may_search_by_phone). */
bool hl_routes_personal_phone(const hl_route_request *request, const hl_user *user,
                              const char **phone, hl_route_response *response);

hl_route_fn hl_routes_personal_earlier;
hl_route_fn hl_routes_personal_callers;
hl_route_fn hl_routes_personal_audit;
hl_route_fn hl_routes_personal_security_events;

#endif
