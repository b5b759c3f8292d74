/* routes_directory.h: the routes of the directory and the settings
 * (handlers of routes.c's table).
 *
 * GET /api/v1/me, GET /api/v1/workflow, GET|POST /api/v1/units,
 * GET|POST /api/v1/categories, GET|POST /api/v1/users,
 * PUT /api/v1/users/{username}, GET|POST /api/v1/calendar,
 * GET /api/v1/config, PUT /api/v1/config/{key}. */
#ifndef HL_ROUTES_DIRECTORY_H
#define HL_ROUTES_DIRECTORY_H

#include "http/routes.h"

hl_route_fn hl_routes_me;
hl_route_fn hl_routes_workflow;
hl_route_fn hl_routes_units_list;
hl_route_fn hl_routes_units_put;
hl_route_fn hl_routes_categories_list;
hl_route_fn hl_routes_categories_put;
hl_route_fn hl_routes_users_list;
hl_route_fn hl_routes_users_create;
hl_route_fn hl_routes_users_update;
hl_route_fn hl_routes_calendar_get;
hl_route_fn hl_routes_calendar_put;
hl_route_fn hl_routes_config_get;
hl_route_fn hl_routes_config_put;

#endif
