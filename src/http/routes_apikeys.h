/* routes_apikeys.h: the administrators' routes of Open311 API keys
 * (handlers of routes.c's table).
 *
 * GET /api/v1/apikeys lists every key (never a key itself: its first
 * eight characters); POST /api/v1/apikeys {"name", "rate_per_minute"}
 * creates one and answers it once, 201; DELETE /api/v1/apikeys/{id}
 * revokes one. Administrators only (app/auth): other roles get 403. */
#ifndef HL_ROUTES_APIKEYS_H
#define HL_ROUTES_APIKEYS_H

#include "http/routes.h"

hl_route_fn hl_routes_apikeys_list;
hl_route_fn hl_routes_apikeys_create;
hl_route_fn hl_routes_apikeys_revoke;

#endif
