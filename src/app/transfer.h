/* transfer.h: CSV in and out of the store: directory and calendar loads
 * (transfer_load.c), the import of work orders and survey calls
 * (transfer_import.c), and the export of work orders (transfer_export.c).
 * Columns are documented in docs/csv.md; every CSV is read through the
 * table of base/csv.h. Every load and import is one transaction: all rows
 * or none. */
#ifndef HL_TRANSFER_H
#define HL_TRANSFER_H

#include <stdint.h>
#include <stdio.h>

#include "app/app.h"

/* Directory and configuration loads from CSV text (see docs/csv.md). Each is
 * all-or-nothing: a bad row fails the whole load with its line number and
 * the store is unchanged. Existing records with the same code are replaced.
 * *loaded receives the number of rows. */
int hl_transfer_load_units(hl_app *app, const char *text, size_t length, int *loaded,
                           hl_error *error);
int hl_transfer_load_categories(hl_app *app, const char *text, size_t length, int *loaded,
                                hl_error *error);
int hl_transfer_load_users(hl_app *app, const char *text, size_t length, int *loaded,
                           hl_error *error);
int hl_transfer_load_calendar(hl_app *app, const char *text, size_t length, int *loaded,
                              hl_error *error);
/* Category attributes (Open311 service definitions): each category named
 * in the file has its attributes replaced by the file's rows (a row with
 * the category alone: none); categories not named keep theirs. */
int hl_transfer_load_attributes(hl_app *app, const char *text, size_t length, int *loaded,
                                hl_error *error);
/* One rejected row of an import. */
typedef void (*hl_transfer_row_error_visitor)(void *context, long line, const hl_error *error);

/* Imports work orders from CSV (docs/csv.md) as registrations by `actor`,
 * in one transaction: either every row is imported, or, when any row is
 * bad, none is; every bad row is reported with its line number (up to
 * max_reported of them) and the call returns HL_EINVAL. */
int hl_transfer_import_orders(hl_app *app, const char *actor, const char *text, size_t length,
                              hl_transfer_row_error_visitor report, void *context, int max_reported,
                              int64_t *imported, hl_error *error);
/* The same, reading the CSV from `in` (which the caller opened and
 * closes) through a bounded window: the memory an import holds does not
 * grow with the file. A file that cannot be read fails the import (HL_EIO
 * or HL_EINVAL for a malformed end), nothing imported. */
int hl_transfer_import_orders_file(hl_app *app, const char *actor, FILE *in,
                                   hl_transfer_row_error_visitor report, void *context,
                                   int max_reported, int64_t *imported, hl_error *error);

/* Imports callback-survey call attempts from CSV (docs/csv.md), one row per
 * call, applied in file order as `survey` actions by `actor` (or by the
 * row's surveyor), in one transaction: all rows or, when any is bad, none;
 * every bad row is reported with its line number (up to max_reported).
 * *applied receives the number of calls recorded. */
int hl_transfer_import_surveys(hl_app *app, const char *actor, const char *text, size_t length,
                               hl_transfer_row_error_visitor report, void *context,
                               int max_reported, int64_t *applied, hl_error *error);
/* The same, reading the CSV from `in` as hl_transfer_import_orders_file does. */
int hl_transfer_import_surveys_file(hl_app *app, const char *actor, FILE *in,
                                    hl_transfer_row_error_visitor report, void *context,
                                    int max_reported, int64_t *applied, hl_error *error);

/* Writes the orders the filter selects as CSV (docs/csv.md) to out. */
int hl_transfer_export_orders(hl_app *app, const hl_order_filter *filter, FILE *out,
                              int64_t *exported, hl_error *error);
/* The same, and records (app/audit) that the full phone number of every
 * exported order that has one was given out to actor by route. The reads
 * are recorded in one transaction once the CSV is written (the export
 * streams, so its rows are known only then); when that fails the call
 * fails (HL_EIO) and says so. The export itself is then recorded as the
 * security event "export" (target route, detail the counts of orders and
 * phone numbers, outcome success or failure). */
int hl_transfer_export_orders_audited(hl_app *app, const hl_order_filter *filter, FILE *out,
                                      const char *actor, const char *route, int64_t *exported,
                                      hl_error *error);

#endif
