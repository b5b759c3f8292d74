/* routes_orders.h: the routes of work orders (handlers of routes.c's table).
 *
 * GET /api/v1/orders, GET /api/v1/orders/counts,
 * GET /api/v1/orders/{number}, GET /api/v1/orders/{number}/events,
 * POST /api/v1/orders (register), POST /api/v1/orders/{number}/actions/{action}. */
#ifndef HL_ROUTES_ORDERS_H
#define HL_ROUTES_ORDERS_H

#include "http/routes.h"

/* GET /api/v1/orders (the list, scoped by app/auth) and GET /api/v1/orders/counts. */
hl_route_fn hl_routes_orders_list;
hl_route_fn hl_routes_orders_counts;
hl_route_fn hl_routes_orders_get;
hl_route_fn hl_routes_orders_events;
hl_route_fn hl_routes_orders_register;
hl_route_fn hl_routes_orders_act;

#endif
