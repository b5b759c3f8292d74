/* routes_directory.c: the routes of the directory and the settings (see
 * routes_directory.h).
 *
 * Who the user is and what work is theirs (/me), the workflow's table and
 * the labelled values of the order's enumerations for the pages, the units,
 * categories and users, the working-day calendar and the limits: reading
 * them, and the administrators' writes: the system administrator's
 * (units, categories, calendar, limits) and the security administrator's
 * (users). Bodies and parameters are checked
 * here for shape; the records are checked, and written in one transaction,
 * by app/admin.c (units, categories, the calendar) and app/auth.c (users),
 * as the CSV loads check them. Who may read or write is app/auth's answer:
 * this file only asks. */
#include "http/routes_directory.h"

#include <stdio.h>
#include <string.h>

#include "app/admin.h"
#include "app/audit.h"
#include "app/policy.h"
#include "base/array.h"
#include "base/i18n.h"
#include "domain/setting_text.h"
#include "domain/workflow.h"
#include "http/route_support.h"

static bool refuse_unless_admin(const hl_user *user, hl_route_response *response)
{
    if (hl_auth_may_manage_directory(user))
        return false;
    hl_route_forbidden(response, HL_T("只有系统管理员可以管理目录和配置",
                                      "only a system administrator manages the directory and the "
                                      "settings"));
    return true;
}

static bool refuse_unless_security_admin(const hl_user *user, hl_route_response *response)
{
    if (hl_auth_may_manage_accounts(user))
        return false;
    hl_route_forbidden(response, HL_T("只有安全管理员可以管理用户与角色",
                                      "only a security administrator manages users and roles"));
    return true;
}

/* The text of a path parameter, in the request's arena. */
static const char *parameter_text(const hl_route_request *request, hl_slice parameter)
{
    return hl_arena_strndup(request->arena, parameter.ptr, parameter.len);
}

/* ---- Who am I, and the workflow ---- */

static void append_role_names(hl_buf *out, unsigned roles)
{
    hl_buf_append_char(out, '[');
    for (int role = 0, written = 0; role < HL_ROLE_COUNT; role++) {
        if ((roles & HL_ROLE_BIT(role)) == 0)
            continue;
        if (written++ > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_json_string(out, hl_directory_role_name((hl_role)role));
    }
    hl_buf_append_char(out, ']');
}

void hl_routes_me(const hl_route_request *request, const hl_route_context *context,
                  hl_route_response *response)
{
    const hl_user *user = context->user;
    hl_unit unit;
    memset(&unit, 0, sizeof unit);
    bool has_unit = false;
    if (user->unit[0] != '\0') {
        hl_error error;
        hl_error_clear(&error);
        int result = hl_app_get_unit(request->app, user->unit, &unit, &error);
        if (result != HL_OK && result != HL_ENOTFOUND) {
            hl_route_error(response, &error);
            return;
        }
        has_unit = result == HL_OK;
    }
    hl_buf *out = &response->body;
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "username", user->username);
    hl_json_out_string(out, &first, "name", user->display_name);
    hl_json_out_string(out, &first, "role", hl_directory_role_name(user->role));
    hl_json_out_string(out, &first, "role_label", hl_directory_role_label(user->role));
    hl_json_out_name(out, &first, "unit", user->unit[0] != '\0', user->unit);
    hl_json_out_name(out, &first, "unit_name", has_unit, unit.name);
    hl_json_out_bool(out, &first, "must_change_password", context->password_expired);
    /* Every action of the workflow the role may take ("register" too: a
     * new order); whether an order's state allows it is for /workflow. */
    hl_json_out_key(out, &first, "actions");
    hl_buf_append_char(out, '[');
    for (int action = 0, written = 0; action < HL_ACTION_COUNT; action++) {
        const hl_workflow_rule *rule = hl_workflow_rule_of((hl_action)action);
        if ((rule->roles & HL_ROLE_BIT(user->role)) == 0)
            continue;
        if (written++ > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_json_string(out, rule->name);
    }
    hl_buf_append_char(out, ']');
    /* What the user's work is, for the pages' navigation: app/auth's
     * answer, in the order the pages list it. */
    hl_json_out_key(out, &first, "rights");
    hl_buf_append_char(out, '[');
    for (int right = 0, written = 0; right < HL_RIGHT_COUNT; right++) {
        if (!hl_auth_has_right(user, (hl_auth_right)right))
            continue;
        if (written++ > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_json_string(out, hl_auth_right_name((hl_auth_right)right));
    }
    hl_buf_append_str(out, "]}\n");
    response->status = 200;
}

/* The body fields an action requires (HL_NEED_*), by their API names. */
static void append_required_fields(hl_buf *out, const hl_workflow_rule *rule)
{
    static const struct {
        unsigned need;
        const char *field;
    } needs[] = {
        {HL_NEED_UNIT, "unit"}, {HL_NEED_NOTE, "note"},       {HL_NEED_DAYS, "days"},
        {HL_NEED_INTO, "into"}, {HL_NEED_OUTCOME, "outcome"},
    };
    hl_buf_append_char(out, '[');
    int written = 0;
    if (rule->action == HL_ACTION_REGISTER) {
        /* Registration's body is POST /api/v1/orders's: its required fields. */
        hl_buf_append_str(out, "\"type\",\"title\",\"content\"");
        written = 3;
    }
    for (size_t index = 0; index < HL_COUNT_OF(needs); index++) {
        if ((rule->required & needs[index].need) == 0)
            continue;
        if (written++ > 0)
            hl_buf_append_char(out, ',');
        hl_buf_append_json_string(out, needs[index].field);
    }
    hl_buf_append_char(out, ']');
}

/* One value of an enumeration: {"name","label"}, the label in the
 * request's language; a comma before every value but the first. */
static void append_value(hl_buf *out, int index, const char *name, const char *label)
{
    bool first = true;
    if (index > 0)
        hl_buf_append_char(out, ',');
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "name", name);
    hl_json_out_string(out, &first, "label", label);
    hl_buf_append_char(out, '}');
}

/* The values of the order's enumerations and the roles, with their labels
 * from the one place that names them (domain/order, domain/directory),
 * so that the pages keep no list of their own. "none" and "unknown" are
 * not values a page offers, and are left out. */
static void append_enumerations(hl_buf *out)
{
    hl_buf_append_str(out, ",\"channels\":[");
    for (int value = 0; value < HL_CHANNEL_COUNT; value++)
        append_value(out, value, hl_order_channel_name((hl_channel)value),
                     hl_order_channel_label((hl_channel)value));
    hl_buf_append_str(out, "],\"types\":[");
    for (int value = 0; value < HL_TYPE_COUNT; value++)
        append_value(out, value, hl_order_type_name((hl_order_type)value),
                     hl_order_type_label((hl_order_type)value));
    hl_buf_append_str(out, "],\"outcomes\":[");
    for (int value = HL_OUTCOME_NONE + 1; value < HL_OUTCOME_COUNT; value++)
        append_value(out, value - 1, hl_order_outcome_name((hl_survey_outcome)value),
                     hl_order_outcome_label((hl_survey_outcome)value));
    hl_buf_append_str(out, "],\"ratings\":[");
    for (int value = HL_RATING_NONE + 1; value < HL_RATING_COUNT; value++)
        append_value(out, value - 1, hl_order_rating_name((hl_rating)value),
                     hl_order_rating_label((hl_rating)value));
    hl_buf_append_str(out, "],\"resolved\":[");
    append_value(out, 0, hl_order_resolved_name(HL_RESOLVED_YES),
                 hl_order_resolved_label(HL_RESOLVED_YES));
    append_value(out, 1, hl_order_resolved_name(HL_RESOLVED_NO),
                 hl_order_resolved_label(HL_RESOLVED_NO));
    hl_buf_append_str(out, "],\"roles\":[");
    for (int value = 0; value < HL_ROLE_COUNT; value++)
        append_value(out, value, hl_directory_role_name((hl_role)value),
                     hl_directory_role_label((hl_role)value));
    hl_buf_append_char(out, ']');
}

void hl_routes_workflow(const hl_route_request *request, const hl_route_context *context,
                        hl_route_response *response)
{
    (void)request;
    (void)context;
    hl_buf *out = &response->body;
    hl_buf_append_str(out, "{\"actions\":[");
    for (int action = 0; action < HL_ACTION_COUNT; action++) {
        const hl_workflow_rule *rule = hl_workflow_rule_of((hl_action)action);
        if (action > 0)
            hl_buf_append_char(out, ',');
        bool first = true;
        hl_buf_append_char(out, '{');
        hl_json_out_string(out, &first, "name", rule->name);
        hl_json_out_string(out, &first, "label", hl_workflow_action_label(rule->action));
        hl_json_out_key(out, &first, "roles");
        append_role_names(out, rule->roles);
        /* Registration starts from no state: it has no from-state to list. */
        hl_json_out_key(out, &first, "from_states");
        hl_buf_append_char(out, '[');
        for (int state = HL_STATE_NONE + 1, written = 0; state < HL_STATE_COUNT; state++) {
            if ((rule->from_states & HL_STATE_BIT(state)) == 0)
                continue;
            if (written++ > 0)
                hl_buf_append_char(out, ',');
            hl_buf_append_json_string(out, hl_order_state_name((hl_state)state));
        }
        hl_buf_append_char(out, ']');
        hl_json_out_name(out, &first, "to_state", rule->to_state != HL_STATE_NONE,
                         hl_order_state_name(rule->to_state));
        hl_json_out_key(out, &first, "fields");
        append_required_fields(out, rule);
        hl_buf_append_char(out, '}');
    }
    hl_buf_append_str(out, "],\"states\":[");
    for (int state = HL_STATE_NONE + 1; state < HL_STATE_COUNT; state++)
        append_value(out, state - 1, hl_order_state_name((hl_state)state),
                     hl_order_state_label((hl_state)state));
    hl_buf_append_char(out, ']');
    append_enumerations(out);
    hl_buf_append_str(out, "}\n");
    response->status = 200;
}

/* ---- Lists of the directory ---- */

/* Defines name, an hl_app_each_* visitor that writes each record with
 * to_json into the hl_json_list *context. */
#define LIST_VISITOR(name, type, to_json)                                                          \
    static int name(void *context, const type *record)                                             \
    {                                                                                              \
        to_json(hl_json_list_next(context), record);                                               \
        return 0;                                                                                  \
    }

/* Starts a listing: {"key":[ in the body, and the writer of its records. */
static hl_json_list begin_list(hl_route_response *response, const char *key)
{
    hl_buf_appendf(&response->body, "{\"%s\":[", key);
    return (hl_json_list){&response->body, 0};
}

/* Ends a listing begun with {"key":[ : its close, or the error of the
 * visit that failed. */
static void end_list(hl_route_response *response, int result, const hl_error *error)
{
    if (!hl_route_ok(response, result, error))
        return;
    hl_buf_append_str(&response->body, "]}\n");
    response->status = 200;
}

/* Ends a write that answers with the record now stored, already in the
 * body: 201 when it was created. */
static void end_record(hl_route_response *response, bool created)
{
    hl_buf_append_char(&response->body, '\n');
    response->status = created ? 201 : 200;
}

static void unit_json(hl_buf *out, const hl_unit *unit)
{
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "code", unit->code);
    hl_json_out_string(out, &first, "name", unit->name);
    hl_json_out_string(out, &first, "group", unit->group);
    hl_json_out_name(out, &first, "parent", unit->parent[0] != '\0', unit->parent);
    hl_json_out_bool(out, &first, "active", unit->active);
    hl_buf_append_char(out, '}');
}

LIST_VISITOR(write_unit, hl_unit, unit_json)

static void category_json(hl_buf *out, const hl_category *category)
{
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "code", category->code);
    hl_json_out_string(out, &first, "name", category->name);
    hl_json_out_name(out, &first, "parent", category->parent[0] != '\0', category->parent);
    hl_json_out_name(out, &first, "default_unit", category->default_unit[0] != '\0',
                     category->default_unit);
    hl_json_out_int(out, &first, "handle_days", category->handle_days);
    hl_json_out_bool(out, &first, "active", category->active);
    hl_buf_append_char(out, '}');
}

LIST_VISITOR(write_category, hl_category, category_json)

static void user_json(hl_buf *out, const hl_user *user)
{
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "username", user->username);
    hl_json_out_string(out, &first, "name", user->display_name);
    hl_json_out_string(out, &first, "role", hl_directory_role_name(user->role));
    hl_json_out_string(out, &first, "role_label", hl_directory_role_label(user->role));
    hl_json_out_name(out, &first, "unit", user->unit[0] != '\0', user->unit);
    hl_json_out_bool(out, &first, "active", user->active);
    hl_buf_append_char(out, '}');
}

LIST_VISITOR(write_user, hl_user, user_json)

void hl_routes_units_list(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    (void)context;
    hl_error error;
    hl_error_clear(&error);
    hl_json_list writer = begin_list(response, "units");
    end_list(response, hl_app_each_unit(request->app, write_unit, &writer, &error), &error);
}

void hl_routes_categories_list(const hl_route_request *request, const hl_route_context *context,
                               hl_route_response *response)
{
    (void)context;
    hl_error error;
    hl_error_clear(&error);
    hl_json_list writer = begin_list(response, "categories");
    end_list(response, hl_app_each_category(request->app, write_category, &writer, &error), &error);
}

void hl_routes_users_list(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    if (refuse_unless_security_admin(context->user, response))
        return;
    hl_error error;
    hl_error_clear(&error);
    hl_json_list writer = begin_list(response, "users");
    end_list(response, hl_app_each_user(request->app, write_user, &writer, &error), &error);
}

/* ---- The administrator's writes ---- */

/* The start of every write: the right, then the content type, then the
 * body, so that a refusal says nothing about the records. */
static bool admin_body(const hl_route_request *request, const hl_route_context *context,
                       hl_json_field *fields, size_t count, hl_route_response *response)
{
    if (refuse_unless_admin(context->user, response))
        return false;
    return hl_route_parse_body(request, fields, count, response);
}

/* The same for the security administrator's writes (users). */
static bool account_body(const hl_route_request *request, const hl_route_context *context,
                         hl_json_field *fields, size_t count, hl_route_response *response)
{
    if (refuse_unless_security_admin(context->user, response))
        return false;
    return hl_route_parse_body(request, fields, count, response);
}

void hl_routes_units_put(const hl_route_request *request, const hl_route_context *context,
                         hl_route_response *response)
{
    hl_json_field fields[] = {
        {.name = "code"},
        {.name = "name"},
        {.name = "group", .optional = true},
        {.name = "parent", .optional = true},
        {.name = "active", .kind = HL_JSON_BOOLEAN, .optional = true},
    };
    if (!admin_body(request, context, fields, HL_COUNT_OF(fields), response))
        return;
    hl_admin_unit_fields unit_fields = {fields[0].value, fields[1].value, fields[2].value,
                                        fields[3].value,
                                        fields[4].present ? fields[4].boolean : true};
    hl_unit unit;
    bool created = false;
    hl_error error;
    hl_error_clear(&error);
    if (!hl_route_ok(response,
                     hl_admin_put_unit(request->app, &unit_fields, &unit, &created, &error),
                     &error))
        return;
    unit_json(&response->body, &unit);
    end_record(response, created);
}

void hl_routes_categories_put(const hl_route_request *request, const hl_route_context *context,
                              hl_route_response *response)
{
    hl_json_field fields[] = {
        {.name = "code"},
        {.name = "name"},
        {.name = "parent", .optional = true},
        {.name = "default_unit", .optional = true},
        {.name = "handle_days", .kind = HL_JSON_INTEGER, .optional = true},
        {.name = "active", .kind = HL_JSON_BOOLEAN, .optional = true},
    };
    if (!admin_body(request, context, fields, HL_COUNT_OF(fields), response))
        return;
    hl_admin_category_fields category_fields = {
        fields[0].value, fields[1].value,   fields[2].value,
        fields[3].value, fields[4].integer, fields[5].present ? fields[5].boolean : true};
    hl_category category;
    bool created = false;
    hl_error error;
    hl_error_clear(&error);
    if (!hl_route_ok(
            response,
            hl_admin_put_category(request->app, &category_fields, &category, &created, &error),
            &error))
        return;
    category_json(&response->body, &category);
    end_record(response, created);
}

enum {
    USER_USERNAME,
    USER_NAME,
    USER_ROLE,
    USER_UNIT,
    USER_ACTIVE,
    USER_PASSWORD,
    USER_FIELD_COUNT
};

static hl_auth_user_fields user_fields_of(const hl_json_field *fields)
{
    hl_auth_user_fields user = {
        .username = fields[USER_USERNAME].value,
        .name = fields[USER_NAME].value,
        .role = fields[USER_ROLE].value,
        .unit = fields[USER_UNIT].value,
        .active = fields[USER_ACTIVE].present ? (fields[USER_ACTIVE].boolean ? 1 : 0) : -1,
        .password = fields[USER_PASSWORD].value,
    };
    return user;
}

void hl_routes_users_create(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response)
{
    hl_json_field fields[USER_FIELD_COUNT] = {
        [USER_USERNAME] = {.name = "username"},
        [USER_NAME] = {.name = "name", .optional = true},
        [USER_ROLE] = {.name = "role"},
        [USER_UNIT] = {.name = "unit", .optional = true},
        [USER_ACTIVE] = {.name = "active", .kind = HL_JSON_BOOLEAN, .optional = true},
        [USER_PASSWORD] = {.name = "password"},
    };
    if (!account_body(request, context, fields, USER_FIELD_COUNT, response))
        return;
    hl_auth_user_fields user_fields = user_fields_of(fields);
    hl_user user;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_auth_create_user(request->app, request->guard, &user_fields, request->now,
                                     &user, &error);
    hl_audit_security(request->app, context->user->username, request->client_address, "user.create",
                      fields[USER_USERNAME].value,
                      result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE,
                      result == HL_OK ? hl_directory_role_name(user.role) : error.message);
    if (!hl_route_ok(response, result, &error))
        return;
    user_json(&response->body, &user);
    end_record(response, true);
}

void hl_routes_users_update(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response)
{
    /* The user's fields, and "unlock": the security administrator lifts
     * the account's login wait (app/auth hl_auth_unlock, audited). */
    hl_json_field fields[USER_FIELD_COUNT + 1] = {
        [USER_USERNAME] = {.name = "username", .optional = true},
        [USER_NAME] = {.name = "name", .optional = true},
        [USER_ROLE] = {.name = "role", .optional = true},
        [USER_UNIT] = {.name = "unit", .optional = true},
        [USER_ACTIVE] = {.name = "active", .kind = HL_JSON_BOOLEAN, .optional = true},
        [USER_PASSWORD] = {.name = "password", .optional = true},
        [USER_FIELD_COUNT] = {.name = "unlock", .kind = HL_JSON_BOOLEAN, .optional = true},
    };
    if (!account_body(request, context, fields, HL_COUNT_OF(fields), response))
        return;
    const char *username = parameter_text(request, context->parameters[0]);
    /* The username names the record; the body cannot rename it. */
    if (fields[USER_USERNAME].present && strcmp(fields[USER_USERNAME].value, username) != 0) {
        hl_route_field_invalid(response, "username",
                               HL_T("用户名不能修改", "a username cannot be changed"));
        return;
    }
    hl_auth_user_fields user_fields = user_fields_of(fields);
    hl_user user;
    hl_error error;
    hl_error_clear(&error);
    int result = hl_auth_update_user(request->app, request->guard, username, &user_fields,
                                     request->now, &user, &error);
    hl_audit_security(request->app, context->user->username, request->client_address, "user.update",
                      username, result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE,
                      result == HL_OK ? (fields[USER_PASSWORD].present ? "password" : NULL)
                                      : error.message);
    if (!hl_route_ok(response, result, &error))
        return;
    bool unlock = fields[USER_FIELD_COUNT].present && fields[USER_FIELD_COUNT].boolean;
    if (unlock && !hl_route_ok(response,
                               hl_auth_unlock(request->app, context->user->username, username,
                                              request->now, &error),
                               &error))
        return;
    user_json(&response->body, &user);
    end_record(response, false);
}

/* ---- The calendar ---- */

static void day_json(hl_buf *out, const hl_calendar_entry *entry)
{
    char date[32];
    hl_clock_format_day(entry->day, date, sizeof date);
    bool first = true;
    hl_buf_append_char(out, '{');
    hl_json_out_string(out, &first, "date", date);
    hl_json_out_string(out, &first, "kind", hl_admin_day_kind_name(entry->kind));
    hl_json_out_string(out, &first, "name", entry->festival);
    hl_buf_append_char(out, '}');
}

LIST_VISITOR(write_day, hl_calendar_entry, day_json)

void hl_routes_calendar_get(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response)
{
    (void)context;
    const char *year_text = NULL;
    if (!hl_route_query(request, "year", &year_text, response))
        return;
    int year = hl_clock_month_of(request->now) / 100;
    int64_t parsed = 0;
    if (year_text != NULL) {
        if (hl_text_parse_int(hl_slice_of(year_text), 1970, 9999, &parsed) != HL_OK) {
            hl_route_field_invalid(
                response, "year",
                HL_T("year 须为四位年份，如 2024", "year takes a year, e.g. 2024"));
            return;
        }
        year = (int)parsed;
    }
    hl_error error;
    hl_error_clear(&error);
    hl_json_list writer = {&response->body, 0};
    hl_buf_appendf(&response->body, "{\"year\":%d,\"days\":[", year);
    end_list(response, hl_admin_each_calendar_day(request->app, year, write_day, &writer, &error),
             &error);
}

void hl_routes_calendar_put(const hl_route_request *request, const hl_route_context *context,
                            hl_route_response *response)
{
    hl_json_field fields[] = {
        {.name = "date"}, {.name = "kind"}, {.name = "name", .optional = true}};
    if (!admin_body(request, context, fields, HL_COUNT_OF(fields), response))
        return;
    hl_calendar_entry entry;
    bool created = false;
    hl_error error;
    hl_error_clear(&error);
    if (!hl_route_ok(response,
                     hl_admin_put_calendar_day(request->app, fields[0].value, fields[1].value,
                                               fields[2].value, &entry, &created, &error),
                     &error))
        return;
    day_json(&response->body, &entry);
    end_record(response, created);
}

/* ---- The limits ---- */

typedef struct limits_writer {
    hl_buf *out;
    bool first;
} limits_writer;

static void write_limit(void *context, const char *key, int value)
{
    limits_writer *writer = context;
    hl_json_out_int(writer->out, &writer->first, key, value);
}

/* A setting's words (domain/setting_text.h) under its key, for pages that
 * show a label and an explanation rather than the key. */
static void write_label(void *context, const char *key, int value)
{
    (void)value;
    limits_writer *writer = context;
    hl_json_out_key(writer->out, &writer->first, key);
    bool first = true;
    hl_buf_append_str(writer->out, "{");
    const char *label = hl_setting_label(key), *help = hl_setting_help(key);
    hl_json_out_name(writer->out, &first, "label", label != NULL, label);
    hl_json_out_name(writer->out, &first, "help", help != NULL, help);
    hl_buf_append_str(writer->out, "}");
}

/* The limits, the zone and the account and session policy: every
 * setting PUT /api/v1/config/{key} takes, and under "labels" the words for
 * each. */
static int limits_json(hl_buf *out, hl_app *app, hl_error *error)
{
    hl_policy policy;
    int result = hl_policy_load(app, &policy, error);
    if (result != HL_OK)
        return result;
    limits_writer writer = {out, true};
    hl_buf_append_str(out, "{\"limits\":{");
    hl_limits_each(hl_app_limits(app), write_limit, &writer);
    hl_buf_append_str(out, "}");
    bool first = false;
    hl_json_out_string(out, &first, "time_zone", hl_zone_name(hl_app_zone(app)));
    writer.first = true;
    hl_buf_append_str(out, ",\"policy\":{");
    hl_policy_each(&policy, write_limit, &writer);
    writer.first = true;
    hl_buf_append_str(out, "},\"labels\":{");
    hl_limits_each(hl_app_limits(app), write_label, &writer);
    write_label(&writer, "time_zone", 0);
    hl_policy_each(&policy, write_label, &writer);
    hl_buf_append_str(out, "}}\n");
    return HL_OK;
}

void hl_routes_config_get(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    if (!hl_auth_may_read_config(context->user)) {
        hl_route_forbidden(response,
                           HL_T("您的角色无权查看时限配置", "your role may not read the limits"));
        return;
    }
    hl_error error;
    hl_error_clear(&error);
    if (!hl_route_ok(response, limits_json(&response->body, request->app, &error), &error))
        return;
    response->status = 200;
}

void hl_routes_config_put(const hl_route_request *request, const hl_route_context *context,
                          hl_route_response *response)
{
    hl_json_field fields[] = {{.name = "value"}};
    const char *key = parameter_text(request, context->parameters[0]);
    /* The account and session policy is the security administrator's. */
    bool policy = hl_policy_is_key(key);
    if (policy ? !account_body(request, context, fields, HL_COUNT_OF(fields), response)
               : !admin_body(request, context, fields, HL_COUNT_OF(fields), response))
        return;
    hl_error error;
    hl_error_clear(&error);
    int result = policy ? hl_policy_set(request->app, key, fields[0].value, &error)
                 : strcmp(key, "time_zone") == 0
                     ? hl_app_set_time_zone(request->app, fields[0].value, &error)
                     : hl_app_set_limit(request->app, key, fields[0].value, &error);
    hl_audit_security(request->app, context->user->username, request->client_address,
                      "settings.set", key, result == HL_OK ? HL_AUDIT_SUCCESS : HL_AUDIT_FAILURE,
                      result == HL_OK ? fields[0].value : error.message);
    if (result != HL_OK) {
        /* An unknown key names no setting: 404; a bad value is the body's. */
        if (strcmp(error.field, "key") == 0)
            hl_route_error_status(response, 404, hl_error_code_name(HL_ENOTFOUND), "key",
                                  error.message);
        else if (error.code == HL_EINVAL)
            hl_route_field_invalid(response, "value", error.message);
        else
            hl_route_error(response, &error);
        return;
    }
    if (!hl_route_ok(response, limits_json(&response->body, request->app, &error), &error))
        return;
    response->status = 200;
}
