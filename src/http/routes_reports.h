/* routes_reports.h: the monthly bulletin and its figures (handlers of
 * routes.c's table).
 *
 * GET /api/v1/reports (the months that have one),
 * GET /api/v1/reports/{YYYY-MM}?format=json|csv|html|markdown|text|xlsx,
 * POST /api/v1/reports/{YYYY-MM}/publish (the analyst; body {"new_edition",
 * "note"}, both optional: 201, or 409 when published already),
 * GET /api/v1/reports/trend?from=YYYY-MM&to=YYYY-MM,
 * GET /api/v1/stats/categories?month=YYYY-MM. */
#ifndef HL_ROUTES_REPORTS_H
#define HL_ROUTES_REPORTS_H

#include "http/routes.h"

hl_route_fn hl_routes_reports_months;
hl_route_fn hl_routes_reports_trend;
hl_route_fn hl_routes_stats_categories;
hl_route_fn hl_routes_reports_get;
hl_route_fn hl_routes_reports_publish;

#endif
