/* test_openapi.c: docs/openapi.json against the server's route table.
 *
 * The document the server embeds (and serves at /api/v1/openapi.json) is
 * checked both ways against hl_routes_each: every route of the table is a
 * path of the document with its method, and every path and method of the
 * document is a route. Patterns ending in "*" (a prefix handed to another
 * protocol: Open311's "/open311/v2/" and the rest) are described by their
 * own specification and left out. The document must also be valid JSON with
 * the keys OpenAPI requires, and declare every {name} of a path as a path
 * parameter of its operations. */
#include <ctype.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/routes.h"

extern const char hl_openapi_json[];
extern const size_t hl_openapi_json_size;

#define MAX_ROUTES 128

typedef struct route_list {
    char method[MAX_ROUTES][16];
    char pattern[MAX_ROUTES][128];
    size_t count;
} route_list;

static void collect_route(void *context, const hl_route *route)
{
    route_list *routes = context;
    size_t length = strlen(route->pattern);
    if (length > 0 && route->pattern[length - 1] == '*')
        return; /* another protocol's prefix */
    assert_true(routes->count < MAX_ROUTES);
    snprintf(routes->method[routes->count], sizeof routes->method[0], "%s", route->method);
    snprintf(routes->pattern[routes->count], sizeof routes->pattern[0], "%s", route->pattern);
    routes->count++;
}

static json_t *load_document(void)
{
    json_error_t error;
    json_t *document =
        json_loadb(hl_openapi_json, hl_openapi_json_size, JSON_REJECT_DUPLICATES, &error);
    if (document == NULL)
        fail_msg("docs/openapi.json is not JSON: line %d: %s", error.line, error.text);
    return document;
}

static void lower(const char *text, char *out, size_t size)
{
    size_t index = 0;
    for (; text[index] != '\0' && index + 1 < size; index++)
        out[index] = (char)tolower((unsigned char)text[index]);
    out[index] = '\0';
}

static bool is_operation(const char *key)
{
    static const char *const methods[] = {"get",   "put",  "post",    "delete",
                                          "patch", "head", "options", "trace"};
    for (size_t index = 0; index < sizeof methods / sizeof methods[0]; index++)
        if (strcmp(key, methods[index]) == 0)
            return true;
    return false;
}

static void test_document_has_the_required_openapi_keys(void **state)
{
    (void)state;
    json_t *document = load_document();
    const char *version = json_string_value(json_object_get(document, "openapi"));
    assert_non_null(version);
    assert_true(strncmp(version, "3.0.", 4) == 0 || strncmp(version, "3.1.", 4) == 0);
    json_t *info = json_object_get(document, "info");
    assert_true(json_is_string(json_object_get(info, "title")));
    assert_true(json_is_string(json_object_get(info, "version")));
    assert_true(json_is_object(json_object_get(document, "paths")));
    json_t *schemas = json_object_get(json_object_get(document, "components"), "schemas");
    assert_true(json_is_object(json_object_get(schemas, "Order")));
    assert_true(json_is_object(json_object_get(schemas, "Error")));
    assert_true(json_is_object(json_object_get(schemas, "OrderList")));
    json_decref(document);
}

static void test_every_route_is_documented_with_its_method(void **state)
{
    (void)state;
    route_list routes = {.count = 0};
    hl_routes_each(collect_route, &routes);
    assert_true(routes.count > 0);
    json_t *document = load_document();
    json_t *paths = json_object_get(document, "paths");
    for (size_t index = 0; index < routes.count; index++) {
        json_t *path = json_object_get(paths, routes.pattern[index]);
        char method[16];
        lower(routes.method[index], method, sizeof method);
        if (path == NULL || json_object_get(path, method) == NULL)
            fail_msg("route %s %s is not in docs/openapi.json", routes.method[index],
                     routes.pattern[index]);
        json_t *responses = json_object_get(json_object_get(path, method), "responses");
        if (!json_is_object(responses) || json_object_size(responses) == 0)
            fail_msg("%s %s documents no response", routes.method[index], routes.pattern[index]);
    }
    json_decref(document);
}

static void test_every_documented_operation_is_a_route(void **state)
{
    (void)state;
    route_list routes = {.count = 0};
    hl_routes_each(collect_route, &routes);
    json_t *document = load_document();
    json_t *paths = json_object_get(document, "paths");
    const char *path_name;
    json_t *path;
    json_object_foreach(paths, path_name, path)
    {
        const char *key;
        json_t *operation;
        json_object_foreach(path, key, operation)
        {
            if (!is_operation(key))
                continue;
            bool found = false;
            for (size_t index = 0; index < routes.count && !found; index++) {
                char method[16];
                lower(routes.method[index], method, sizeof method);
                found = strcmp(method, key) == 0 && strcmp(routes.pattern[index], path_name) == 0;
            }
            if (!found)
                fail_msg("docs/openapi.json documents %s %s, which is no route", key, path_name);
        }
    }
    json_decref(document);
}

/* Whether an operation (or its path item) declares a path parameter. */
static bool declares_path_parameter(json_t *path, json_t *operation, const char *name)
{
    json_t *lists[] = {json_object_get(operation, "parameters"),
                       json_object_get(path, "parameters")};
    for (size_t list = 0; list < 2; list++) {
        size_t index;
        json_t *parameter;
        json_array_foreach(lists[list], index, parameter)
        {
            const char *in = json_string_value(json_object_get(parameter, "in"));
            const char *declared = json_string_value(json_object_get(parameter, "name"));
            if (in != NULL && declared != NULL && strcmp(in, "path") == 0 &&
                strcmp(declared, name) == 0)
                return true;
        }
    }
    return false;
}

static void test_every_path_parameter_is_declared(void **state)
{
    (void)state;
    json_t *document = load_document();
    const char *path_name;
    json_t *path;
    json_object_foreach(json_object_get(document, "paths"), path_name, path)
    {
        const char *key;
        json_t *operation;
        json_object_foreach(path, key, operation)
        {
            if (!is_operation(key))
                continue;
            for (const char *open = strchr(path_name, '{'); open != NULL;
                 open = strchr(open + 1, '{')) {
                const char *close = strchr(open, '}');
                assert_non_null(close);
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
                if (!declares_path_parameter(path, operation, name))
                    fail_msg("%s %s does not declare the path parameter %s", key, path_name, name);
            }
        }
    }
    json_decref(document);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_has_the_required_openapi_keys),
        cmocka_unit_test(test_every_route_is_documented_with_its_method),
        cmocka_unit_test(test_every_documented_operation_is_a_route),
        cmocka_unit_test(test_every_path_parameter_is_declared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
