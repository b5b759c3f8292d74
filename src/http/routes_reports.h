/* routes_reports.h: the monthly bulletin (a handler of routes.c's table).
 *
 * GET /api/v1/reports/{YYYY-MM}?format=json|csv|html|markdown|text. */
#ifndef HL_ROUTES_REPORTS_H
#define HL_ROUTES_REPORTS_H

#include "http/routes.h"

void hl_routes_reports_get(const hl_route_request *request, const hl_route_context *context,
                           hl_route_response *response);

#endif
