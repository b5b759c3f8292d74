/* routes_orders.h: the routes of work orders (handlers of routes.c's table).
 *
 * GET /api/v1/orders, GET /api/v1/orders/counts,
 * GET /api/v1/orders/{number}, GET /api/v1/orders/{number}/events,
 * POST /api/v1/orders (register), POST /api/v1/orders/{number}/actions/{action}. */
#ifndef HL_ROUTES_ORDERS_H
#define HL_ROUTES_ORDERS_H

#include "http/routes.h"

/* GET /api/v1/orders (the list, scoped by app/auth) and GET /api/v1/orders/counts. */
void hl_routes_orders_list(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response);
void hl_routes_orders_counts(const hl_route_request *request, const hl_route_context *context,
                             hl_route_response *response);
void hl_routes_orders_get(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response);
void hl_routes_orders_events(const hl_route_request *request, const hl_route_context *context,
                             hl_route_response *response);
void hl_routes_orders_register(const hl_route_request *request, const hl_route_context *context,
                               hl_route_response *response);
void hl_routes_orders_act(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response);

#endif
