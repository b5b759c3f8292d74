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

void hl_routes_me(const hl_route_request *request, const hl_route_context *context,
                  hl_route_response *response);
void hl_routes_workflow(const hl_route_request *request, const hl_route_context *context,
                        hl_route_response *response);
void hl_routes_units_list(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response);
void hl_routes_units_put(const hl_route_request *request, const hl_route_context *context,
                         hl_route_response *response);
void hl_routes_categories_list(const hl_route_request *request, const hl_route_context *context,
                               hl_route_response *response);
void hl_routes_categories_put(const hl_route_request *request, const hl_route_context *context,
                              hl_route_response *response);
void hl_routes_users_list(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response);
void hl_routes_users_create(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response);
void hl_routes_users_update(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response);
void hl_routes_calendar_get(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response);
void hl_routes_calendar_put(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response);
void hl_routes_config_get(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response);
void hl_routes_config_put(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response);

#endif
