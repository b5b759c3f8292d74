/* admin.h: the administrator's changes to the directory and the calendar,
 * one record at a time.
 *
 * What `hotline load units|categories|calendar` does for a whole CSV file,
 * these do for one record sent by the API: the same field checks
 * (domain/directory, hl_text_copy), the same references checked against the
 * store (a parent, a default unit), each write one transaction. A record
 * replaces the stored one with the same code, as a CSV row does. Fields are
 * given as text, as they arrive; errors name the API's field. Who may call
 * them is app/auth's rule (hl_auth_may_manage_directory), asked by the
 * caller. Users, whose passwords and sessions auth.c keeps, are written by
 * hl_auth_create_user and hl_auth_update_user. */
#ifndef HL_ADMIN_H
#define HL_ADMIN_H

#include <stdbool.h>

#include "app/app.h"

/* A unit as sent: code and name required; group and parent may be NULL
 * (none); active true unless said otherwise. */
typedef struct hl_admin_unit_fields {
    const char *code;
    const char *name;
    const char *group;
    const char *parent;
    bool active;
} hl_admin_unit_fields;

/* Creates or replaces a unit. *created tells which; *out receives it as
 * stored. HL_EINVAL naming the field: a malformed code or name, a parent
 * that does not exist or is the unit itself. */
int hl_admin_put_unit(hl_app *app, const hl_admin_unit_fields *fields, hl_unit *out, bool *created,
                      hl_error *error);

/* A category as sent: code and name required; parent and default_unit may
 * be NULL (none); handle_days 0 (the type's limit) to 60. */
typedef struct hl_admin_category_fields {
    const char *code;
    const char *name;
    const char *parent;
    const char *default_unit;
    long long handle_days;
    bool active;
} hl_admin_category_fields;

/* Creates or replaces a category, as hl_admin_put_unit: a parent category
 * and a default unit must exist. */
int hl_admin_put_category(hl_app *app, const hl_admin_category_fields *fields, hl_category *out,
                          bool *created, hl_error *error);

/* Sets one day of the calendar: date YYYY-MM-DD, kind "holiday" (a day off,
 * 放假) or "workday" (a weekend day worked, 调休上班), name the festival (may
 * be NULL; at most 63 bytes). Bumps the settings generation, so that every
 * server thread counts deadlines with it. *out receives the entry. */
int hl_admin_put_calendar_day(hl_app *app, const char *date, const char *kind, const char *name,
                              hl_calendar_entry *out, bool *created, hl_error *error);

/* Calls visit for each listed day of a year (the exceptions to the
 * weekday rule), in date order, from the calendar in force. */
int hl_admin_each_calendar_day(hl_app *app, int year,
                               int (*visit)(void *context, const hl_calendar_entry *entry),
                               void *context, hl_error *error);

/* The API's name of a day's kind: "holiday" or "workday". */
const char *hl_admin_day_kind_name(hl_day_kind kind);

#endif
