/* fuzz_routes.c: libFuzzer harness for the whole route handler
 * (src/http/routes.c, hl_routes_handle), against a real SQLite store.
 *
 * An input is a request written as lines: method, path, query string
 * ("a=1&b=2"), Accept-Language, Authorization, If-Match, Content-Type,
 * the session cookie, then everything after the eighth line break is the
 * body (no eighth line break: no body). An empty line is an absent header.
 * In the Authorization and cookie lines "$agent1", "$dispatcher1",
 * "$analyst1", "$admin" and "$h-taxation" stand for a live session token of
 * that demo user ("Bearer TOKEN" for Authorization), so that inputs reach
 * the routes behind the login; "$open311" stands for an Open311 API key
 * the store holds ("Bearer KEY"), for the Open311 routes. Query arguments
 * reach the routes both by name and in order (query_each), as
 * libmicrohttpd gives them.
 *
 * The store is made once, in a temporary directory: the demo directory
 * (units, categories, users, every password the demo's), five orders
 * registered and two dispatched through the routes themselves, the
 * sessions logged in through POST /api/v1/login. Its file is then kept as
 * a pristine copy: the store is put back to it whenever an input revoked
 * one of the sessions (logout, a password change) and every few thousand
 * inputs, so that the registrations the fuzzer makes do not pile up. After
 * the sessions exist, the harness fails enough logins to put the client's
 * address over the login guard's limit: every later login is refused
 * before any password is hashed (argon2id would take the fuzzer's time),
 * while its body is still parsed. The clock is fixed. With FUZZ_ROUTES_TRACE
 * set, each answer's status, method and path go to stderr (to check seeds).
 *
 * It checks what every answer must be, beyond the sanitizers' "no crash,
 * no leak, no undefined behaviour": a status from 200 to 499 (a 500 means
 * the server failed on a request, which no request should cause on a
 * healthy store), a JSON body that parses whenever the content type says
 * JSON, every error in the {"error":{"code","message","field"}} shape (on
 * /open311/ paths: Open311's errors list, [{"code":STATUS,"description"}],
 * unless the router refused the request first), an Allow header with a 405
 * and WWW-Authenticate with a 401. Open311's rate limits are left out
 * (count_budgets false: the fixed clock would never end a window). It does not
 * fuzz the transport (libmicrohttpd's parsing: tests/http/run_hostile_test.py
 * sends hostile bytes to the real server). */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/apikey.h"
#include "app/app.h"
#include "app/audit.h"
#include "app/auth.h"
#include "app/open311.h"
#include "app/transfer.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/file.h"
#include "base/i18n.h"
#include "base/text.h"
#include "demo/demo.h"
#include "http/arena.h"
#include "http/metrics.h"
#include "http/routes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CLIENT_ADDRESS "127.0.0.1"
#define FIELD_COUNT 8
#define MAX_QUERY_ARGUMENTS 16
#define RESET_EVERY 4000
#define ORDERS 5
#define MAX_STORE_BYTES ((size_t)64 * 1024 * 1024)

static const char *const session_users[] = {"agent1", "dispatcher1", "analyst1", "admin",
                                            "h-taxation"};
#define SESSION_COUNT (sizeof session_users / sizeof session_users[0])

static struct {
    char directory[256];
    char store_path[300];
    char pristine_path[300];
    hl_app *app;
    hl_auth_guard *guard;
    hl_audit_queue *audit; /* its own connection: stopped while the store is put back */
    hl_metrics metrics;
    hl_time now;
    char tokens[SESSION_COUNT][HL_AUTH_TOKEN_BYTES];
    char open311_key[HL_APIKEY_TEXT_BYTES]; /* "$open311" */
    unsigned long inputs_since_reset;
    bool trace; /* FUZZ_ROUTES_TRACE set: one line per answer on stderr */
} harness;

static void die(const char *what, const hl_error *error)
{
    fprintf(stderr, "fuzz_routes: %s: %s\n", what, error != NULL ? error->message : "");
    abort();
}

/* ---- Requests ---- */

typedef struct query_table {
    size_t count;
    const char *names[MAX_QUERY_ARGUMENTS];
    const char *values[MAX_QUERY_ARGUMENTS];
} query_table;

static const char *query_lookup(void *context, const char *name)
{
    const query_table *table = context;
    for (size_t index = 0; index < table->count; index++)
        if (strcmp(table->names[index], name) == 0)
            return table->values[index];
    return NULL;
}

/* Splits "a=1&b&c=3" in place (text is the arena's copy). A name without
 * "=" has the value "", as libmicrohttpd gives it. */
static void parse_query(char *text, query_table *table)
{
    table->count = 0;
    char *cursor = text;
    while (cursor != NULL && *cursor != '\0' && table->count < MAX_QUERY_ARGUMENTS) {
        char *next = strchr(cursor, '&');
        if (next != NULL)
            *next++ = '\0';
        char *equals = strchr(cursor, '=');
        if (equals != NULL)
            *equals++ = '\0';
        table->names[table->count] = cursor;
        table->values[table->count] = equals != NULL ? equals : "";
        table->count++;
        cursor = next;
    }
}

/* Every argument in order, as the server's query_each gives them. */
static void query_each_argument(void *context, hl_query_visitor visit, void *visit_context)
{
    const query_table *table = context;
    for (size_t index = 0; index < table->count; index++)
        visit(visit_context, table->names[index], strlen(table->names[index]), table->values[index],
              strlen(table->values[index]));
}

/* "$user" becomes that user's token (with "Bearer " when bearer). */
static const char *substitute_token(const char *value, bool bearer, hl_arena *arena)
{
    if (value == NULL || value[0] != '$')
        return value;
    if (strcmp(value, "$open311") == 0) {
        char header[HL_APIKEY_TEXT_BYTES + 16];
        snprintf(header, sizeof header, "%s%s", bearer ? "Bearer " : "", harness.open311_key);
        return hl_arena_strndup(arena, header, sizeof header);
    }
    for (size_t index = 0; index < SESSION_COUNT; index++) {
        if (strcmp(value + 1, session_users[index]) != 0)
            continue;
        char header[HL_AUTH_TOKEN_BYTES + 16];
        snprintf(header, sizeof header, "%s%s", bearer ? "Bearer " : "", harness.tokens[index]);
        return hl_arena_strndup(arena, header, sizeof header);
    }
    return value;
}

/* Answers one request into response (the caller frees its body). */
static void handle(const hl_route_request *request, hl_route_response *response)
{
    hl_route_response_init(response);
    hl_routes_handle(request, response);
}

static hl_route_request base_request(hl_arena *arena, query_table *query)
{
    hl_route_request request = {
        .method = "GET",
        .path = "/",
        .query = query_lookup,
        .query_context = query,
        .query_each = query_each_argument,
        .app = harness.app,
        .metrics = &harness.metrics,
        .arena = arena,
        .now = harness.now,
        .client_address = CLIENT_ADDRESS,
        .guard = harness.guard,
        .audit = harness.audit,
    };
    return request;
}

/* ---- Checks ---- */

static void check_response(const hl_route_request *request, const hl_route_response *response)
{
    if (response->status < 200 || response->status > 499) {
        fprintf(stderr, "fuzz_routes: status %d for %s %s: %.*s\n", response->status,
                request->method, request->path, (int)response->body.len,
                response->body.data != NULL ? response->body.data : "");
        abort();
    }
    if (response->content_type == NULL)
        abort();
    if (response->status == 405 && response->allow == NULL)
        abort();
    if (response->status == 401 && response->www_authenticate == NULL)
        abort();
    bool json = strncmp(response->content_type, "application/json", 16) == 0;
    if (!json)
        return;
    json_error_t parse_error;
    json_t *document = json_loadb(response->body.data != NULL ? response->body.data : "",
                                  response->body.len, 0, &parse_error);
    if (document == NULL) {
        fprintf(stderr, "fuzz_routes: invalid JSON (%s) for %s %s: %.*s\n", parse_error.text,
                request->method, request->path, (int)response->body.len, response->body.data);
        abort();
    }
    if (response->status >= 400 && strncmp(request->path, "/open311/", 9) == 0 &&
        json_is_array(document)) {
        /* Open311's errors list: one error, its code the status. */
        json_t *error = json_array_get(document, 0);
        if (json_array_size(document) != 1 || !json_is_object(error) ||
            json_object_size(error) != 2 ||
            json_integer_value(json_object_get(error, "code")) != response->status ||
            !json_is_string(json_object_get(error, "description"))) {
            fprintf(stderr, "fuzz_routes: Open311 error out of shape: %.*s\n",
                    (int)response->body.len, response->body.data);
            abort();
        }
    } else if (response->status >= 400) {
        json_t *error = json_object_get(document, "error");
        json_t *field = json_object_get(error, "field");
        if (!json_is_object(error) || !json_is_string(json_object_get(error, "code")) ||
            !json_is_string(json_object_get(error, "message")) || field == NULL ||
            !(json_is_string(field) || json_is_null(field)) || json_object_size(error) != 3 ||
            json_object_size(document) != 1) {
            fprintf(stderr, "fuzz_routes: error body out of shape: %.*s\n", (int)response->body.len,
                    response->body.data);
            abort();
        }
    }
    json_decref(document);
}

/* ---- The store ---- */

static void open_store(void)
{
    hl_error error;
    if (hl_app_open(harness.store_path, &harness.app, &error) != HL_OK)
        die("opening the store", &error);
    if (hl_audit_queue_start(harness.store_path, &harness.audit, &error) != HL_OK)
        die("starting the audit queue", &error);
}

static void close_store(void)
{
    hl_audit_queue_stop(harness.audit);
    harness.audit = NULL;
    hl_app_close(harness.app);
    harness.app = NULL;
}

/* Puts the store back to its pristine copy. */
static void reset_store(void)
{
    close_store();
    char wal[320], shm[320];
    snprintf(wal, sizeof wal, "%s-wal", harness.store_path);
    snprintf(shm, sizeof shm, "%s-shm", harness.store_path);
    unlink(wal);
    unlink(shm);
    char *bytes = NULL;
    size_t length = 0;
    hl_error error;
    if (hl_file_read_all(harness.pristine_path, MAX_STORE_BYTES, &bytes, &length, &error) != HL_OK)
        die("reading the pristine store", &error);
    FILE *out = fopen(harness.store_path, "wb");
    if (out == NULL || fwrite(bytes, 1, length, out) != length || fclose(out) != 0)
        die("writing the store", NULL);
    free(bytes);
    open_store();
    harness.inputs_since_reset = 0;
}

static bool sessions_alive(void)
{
    hl_user user;
    hl_error error;
    for (size_t index = 0; index < SESSION_COUNT; index++)
        if (hl_auth_authenticate(harness.app, harness.tokens[index], harness.now, &user, NULL,
                                 &error) != HL_OK)
            return false;
    return true;
}

/* One request through the routes during setup; aborts unless the status is expected. */
static void setup_request(const char *method, const char *path, const char *token,
                          const char *if_match, const char *body, int expected,
                          hl_route_response *response)
{
    hl_arena arena;
    hl_arena_init(&arena, 0);
    query_table query = {0};
    hl_route_request request = base_request(&arena, &query);
    request.method = method;
    request.path = path;
    char authorization[HL_AUTH_TOKEN_BYTES + 16];
    if (token != NULL) {
        snprintf(authorization, sizeof authorization, "Bearer %s", token);
        request.authorization = authorization;
    }
    request.if_match = if_match;
    if (body != NULL) {
        request.body = body;
        request.body_length = strlen(body);
        request.content_type = "application/json";
    }
    handle(&request, response);
    hl_arena_free(&arena);
    if (response->file >= 0) {
        close(response->file);
        response->file = -1;
    }
    if (response->status != expected) {
        fprintf(stderr, "fuzz_routes: setup %s %s answered %d, not %d: %s\n", method, path,
                response->status, expected, response->body.data != NULL ? response->body.data : "");
        abort();
    }
}

static void build_store(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(harness.directory, sizeof harness.directory, "%s/hotline-fuzz-routes.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(harness.directory) == NULL)
        die("making a temporary directory", NULL);
    snprintf(harness.store_path, sizeof harness.store_path, "%s/hotline.db", harness.directory);
    snprintf(harness.pristine_path, sizeof harness.pristine_path, "%s/pristine.db",
             harness.directory);
    open_store();
    hl_error error;
    int loaded = 0;
    if (hl_app_init(harness.app, &error) != HL_OK ||
        hl_transfer_load_units(harness.app, hl_demo_units_csv, hl_demo_units_csv_size, &loaded,
                               &error) != HL_OK ||
        hl_transfer_load_categories(harness.app, hl_demo_categories_csv,
                                    hl_demo_categories_csv_size, &loaded, &error) != HL_OK ||
        hl_transfer_load_users(harness.app, hl_demo_users_csv, hl_demo_users_csv_size, &loaded,
                               &error) != HL_OK ||
        hl_auth_set_all_passwords(harness.app, HL_AUTH_DEMO_PASSWORD, harness.now, &loaded,
                                  &error) != HL_OK)
        die("loading the demo directory", &error);
    if (hl_transfer_load_attributes(harness.app, hl_demo_attributes_csv,
                                    hl_demo_attributes_csv_size, &loaded, &error) != HL_OK ||
        hl_apikey_create(harness.app, "fuzz", HL_APIKEY_RATE_MAX, "", harness.now,
                         harness.open311_key, NULL, &error) != HL_OK)
        die("the Open311 attributes and key", &error);

    hl_route_response response;
    for (size_t index = 0; index < SESSION_COUNT; index++) {
        char body[128];
        snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}",
                 session_users[index], HL_AUTH_DEMO_PASSWORD);
        setup_request("POST", "/api/v1/login", NULL, NULL, body, 200, &response);
        json_t *document = json_loadb(response.body.data, response.body.len, 0, NULL);
        const char *token = json_string_value(json_object_get(document, "token"));
        if (token == NULL)
            die("login gave no token", NULL);
        snprintf(harness.tokens[index], sizeof harness.tokens[index], "%s", token);
        json_decref(document);
        hl_buf_free(&response.body);
    }
    for (int index = 0; index < ORDERS; index++) {
        char body[256];
        snprintf(
            body, sizeof body,
            "{\"type\":\"complaint\",\"title\":\"路灯不亮 "
            "%d\",\"content\":\"小店区某路口路灯不亮\","
            "\"citizen_name\":\"张三\",\"citizen_phone\":\"13800001234\",\"category\":\"housing\"}",
            index);
        setup_request("POST", "/api/v1/orders", harness.tokens[0], NULL, body, 201, &response);
        char path[96];
        snprintf(path, sizeof path, "%s/actions/dispatch", response.location);
        hl_buf_free(&response.body);
        if (index < 2) {
            setup_request("POST", path, harness.tokens[1], "\"1\"", "{\"unit\":\"taxation\"}", 200,
                          &response);
            hl_buf_free(&response.body);
        }
    }
    /* One request posted through Open311 (20240205000006), so that the
     * public reads have something to show. */
    const hl_open311_answer kind[] = {{"KIND", "garbage", false}};
    hl_open311_submission submission = {.api_key_id = 1,
                                        .service_code = "city",
                                        .description = "长风街垃圾堆放",
                                        .lat = "37.8123",
                                        .lon = "112.5456",
                                        .answers = kind,
                                        .answer_count = 1};
    int64_t posted = 0;
    if (hl_open311_submit(harness.app, &submission, harness.now, &posted, &error) != HL_OK)
        die("posting through Open311", &error);
    /* Close (checkpointing the WAL into the file) and keep the pristine copy. */
    close_store();
    char *bytes = NULL;
    size_t length = 0;
    if (hl_file_read_all(harness.store_path, MAX_STORE_BYTES, &bytes, &length, &error) != HL_OK)
        die("reading the store", &error);
    FILE *out = fopen(harness.pristine_path, "wb");
    if (out == NULL || fwrite(bytes, 1, length, out) != length || fclose(out) != 0)
        die("writing the pristine copy", NULL);
    free(bytes);
    open_store();

    /* Over the guard's limit for this address: later logins hash nothing. */
    for (int attempt = 0; attempt <= HL_AUTH_ADDRESS_FAILURES; attempt++) {
        hl_auth_grant grant;
        char username[32];
        snprintf(username, sizeof username, "nobody%d", attempt);
        hl_auth_login(harness.app, harness.guard, username, "wrong password", CLIENT_ADDRESS,
                      harness.now, &grant, &error);
    }
}

static void remove_store(void)
{
    close_store();
    const char *names[] = {"hotline.db", "hotline.db-wal", "hotline.db-shm", "hotline.db.key",
                           "pristine.db"};
    for (size_t index = 0; index < sizeof names / sizeof names[0]; index++) {
        char path[320];
        snprintf(path, sizeof path, "%s/%s", harness.directory, names[index]);
        unlink(path);
    }
    rmdir(harness.directory);
    hl_auth_guard_free(harness.guard);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hl_error error;
    if (hl_clock_parse_time(hl_slice_of("2024-02-05T10:00:00+08:00"), &harness.now) != HL_OK)
        die("the fixed clock", NULL);
    if (hl_auth_guard_new(1, &harness.guard, &error) != HL_OK)
        die("the login guard", &error);
    hl_metrics_init(&harness.metrics);
    harness.trace = getenv("FUZZ_ROUTES_TRACE") != NULL;
    build_store();
    atexit(remove_store);
    return 0;
}

/* ---- One input ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hl_arena arena;
    hl_arena_init(&arena, 0);
    /* Lines as NUL-terminated copies in the arena; a NUL inside a line
     * ends it, as a C string would (the server never sees one: see
     * run_hostile_test.py). */
    const char *fields[FIELD_COUNT] = {0};
    size_t offset = 0;
    size_t field = 0;
    while (field < FIELD_COUNT && offset <= size) {
        const uint8_t *newline = offset < size ? memchr(data + offset, '\n', size - offset) : NULL;
        size_t length = newline != NULL ? (size_t)(newline - (data + offset)) : size - offset;
        fields[field++] = hl_arena_strndup(&arena, (const char *)data + offset, length);
        offset += length + 1;
        if (newline == NULL)
            break;
    }
    bool has_body = field == FIELD_COUNT && offset <= size;
    char *body = NULL;
    size_t body_length = 0;
    if (has_body && offset < size) {
        body_length = size - offset;
        body = hl_arena_alloc(&arena, body_length + 1);
        memcpy(body, data + offset, body_length);
    }
    for (size_t index = 3; index < FIELD_COUNT; index++)
        if (fields[index] != NULL && fields[index][0] == '\0')
            fields[index] = NULL;

    query_table query;
    parse_query(fields[2] != NULL ? (char *)fields[2] : NULL, &query);
    hl_route_request request = base_request(&arena, &query);
    request.method = fields[0] != NULL ? fields[0] : "";
    request.path = fields[1] != NULL ? fields[1] : "";
    request.accept_language = fields[3];
    request.authorization = substitute_token(fields[4], true, &arena);
    request.if_match = fields[5];
    request.content_type = fields[6];
    request.session_cookie = substitute_token(fields[7], false, &arena);
    request.body = body;
    request.body_length = body_length;

    hl_route_response response;
    handle(&request, &response);
    check_response(&request, &response);
    if (response.file >= 0)
        close(response.file);
    if (harness.trace)
        fprintf(stderr, "fuzz_routes: %d %s %s\n", response.status, request.method, request.path);
    hl_buf_free(&response.body);
    hl_arena_free(&arena);

    if (++harness.inputs_since_reset >= RESET_EVERY || !sessions_alive())
        reset_store();
    return 0;
}
