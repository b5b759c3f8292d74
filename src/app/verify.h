/* verify.h: proof that the store agrees with its event log. */
#ifndef HL_VERIFY_H
#define HL_VERIFY_H

#include <stdint.h>

#include "app/app.h"

/* Rebuilds every rollup counter and every order's state and version from the
 * event log and compares them with the store. Each difference is reported
 * as one line; returns HL_OK when there is none, HL_EMISMATCH otherwise.
 * *events_read receives the number of events scanned. */
typedef void (*hl_verify_difference_visitor)(void *context, const char *line);
int hl_verify_run(hl_app *app, hl_verify_difference_visitor report, void *context,
                  int64_t *events_read, hl_error *error);

#endif
