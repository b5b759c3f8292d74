/* routes_open311.h: Open311 GeoReport v2 under /open311/v2/ (docs/open311.md).
 *
 * Two entries of the route table, open (no session): GET (and HEAD) and
 * POST of /open311/v2/<rest>. They dispatch on the rest of the path: the
 * resource (discovery, services, services/{code}, requests,
 * requests/{id}, tokens/{token}, servicerequestupdates) and the format
 * named by its suffix, .xml or .json; anything else is 404, answered in
 * XML, the format the specification requires. Every answer is a document
 * of the specification in that format (UTF-8; XML declared), errors
 * included: the errors list with the status's code (400, 403, 404; and
 * 405, 429, 500 outside the specification's list). Parameters are checked
 * strictly: an unknown one, one given twice (but a multivaluelist's
 * attribute[CODE][]), a bad encoding or a bad value is 400.
 *
 * Keys: a POST needs an API key (the api_key parameter or "Authorization:
 * Bearer <key>"): none, an unknown or a revoked one is 403. A GET needs
 * none, but one given must be valid. Rate limits (rate_limit.h): a key's
 * POSTs at its rate per minute, its GETs at ten times that, GETs without
 * a key at HL_OPEN311_ANONYMOUS_RATE per client address; over the budget,
 * 429 with Retry-After. What the public may read is app/open311's rule. */
#ifndef HL_ROUTES_OPEN311_H
#define HL_ROUTES_OPEN311_H

#include "http/routes.h"

/* GET requests per minute from one client address without a key. */
#define HL_OPEN311_ANONYMOUS_RATE 600
/* Parameters one request may carry. */
#define HL_OPEN311_MAX_PARAMETERS 256

hl_route_fn hl_http_open311_get;
hl_route_fn hl_http_open311_post;

#endif
