/* server.c: the HTTP server on libmicrohttpd (see server.h).
 *
 * This file owns the sockets, threads, limits, per-thread store
 * connections, per-request state (arena, timing), the request log and
 * shutdown; routes.c decides what each request gets. It collects a request
 * body into the request's arena (up to the limit: a larger one is counted,
 * dropped and answered 413) and hands it, with the headers the routes need
 * (Content-Type, Authorization, If-Match, the session cookie, the peer's address), to
 * routes.c; it does not parse bodies. It owns the process's login guard
 * (app/auth) and its queue of full phone-number reads (app/audit), shared
 * by every worker (the queue is written out after
 * the workers stop), and the directory of the web pages (static_files.c),
 * whose files it sends from their descriptors. Its housekeeping thread
 * checkpoints the WAL on a connection of its own and cuts connections that
 * take too long to send a request head, a whole request or its body
 * (deadline.c decides); a head whose body framing is ambiguous is refused
 * with 400 and a closed connection (framing.c decides). */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/audit.h"
#include "app/auth.h"
#include "base/array.h"
#include "base/i18n.h"
#include "http/arena.h"
#include "http/deadline.h"
#include "http/framing.h"
#include "http/metrics.h"
#include "http/route_support.h"
#include "http/routes.h"
#include "http/static_files.h"
#include "http/tls.h"

#define DEFAULT_CONNECTION_LIMIT 1000u
#define DEFAULT_TIMEOUT_SECONDS 30u
#define DEFAULT_CONNECTION_MEMORY ((size_t)32 * 1024)
#define DEFAULT_BODY_LIMIT ((size_t)1024 * 1024)
#define DEFAULT_GRACE_SECONDS 5u
/* Per address: a tenth of the default total, so one client (or one
 * address's clients) cannot take every connection; see docs/security.md. */
#define DEFAULT_PER_ADDRESS_LIMIT 100u
#define DEFAULT_REQUEST_TIMEOUT_SECONDS 60u
#define DEFAULT_MIN_BODY_RATE 1024u
#define MAX_THREADS 256u
/* The longest path a log line repeats: enough to recognise any real route. */
#define LOGGED_PATH_BYTES 512u
/* The checkpointer copies the WAL back into the database file every
 * CHECKPOINT_INTERVAL_MS, and sooner once CHECKPOINT_STEP_WRITES writes
 * have been answered since the last checkpoint (it looks every
 * CHECKPOINT_POLL_MS; see checkpoint_loop for why); it looks for slow
 * request heads every HEAD_CHECK_INTERVAL_MS. */
#define CHECKPOINT_INTERVAL_MS 100
#define CHECKPOINT_POLL_MS 10
#define CHECKPOINT_STEP_WRITES 32u
#define HEAD_CHECK_INTERVAL_MS 100

struct hl_server {
    struct MHD_Daemon *daemon;
    char *db_path;       /* owned */
    char *key_path;      /* owned; NULL: the default beside the store */
    char *metrics_token; /* owned; NULL: /metrics for loopback peers only */
    size_t body_limit;
    unsigned grace_seconds;
    hl_metrics metrics;
    hl_auth_guard *guard;  /* owned */
    hl_audit_queue *audit; /* owned: reads of full phone numbers, written by its own thread */
    hl_static_files *static_files; /* owned; NULL when serving no pages */
    hl_tls *tls;                   /* owned; NULL when serving plain HTTP */
    atomic_int in_flight;          /* requests whose handler has begun and not completed */
    atomic_uint writes_answered; /* POST, PUT, PATCH, DELETE answered 2xx: the checkpoint's pace */
    char url[128];
    sigset_t previous_mask;
    /* Every worker's hl_app, so that stop can close them after the
     * workers have ended. Guarded by apps_lock (taken once per thread). */
    pthread_mutex_t apps_lock;
    hl_app **apps;
    size_t app_count, app_capacity;
    /* The checkpointer: its own connection, a thread, and how it is told to
     * stop (stopping under checkpoint_lock, signalled on checkpoint_wake). */
    hl_app *checkpoint_app;
    pthread_t checkpoint_thread;
    bool checkpoint_running;
    bool stopping;
    pthread_mutex_t checkpoint_lock;
    pthread_cond_t checkpoint_wake;
    /* Every open connection, for the request deadlines (see
     * connection_watch); the list under watch_lock. */
    hl_deadline_limits deadlines;
    pthread_mutex_t watch_lock;
    struct connection_watch *watched;
};

/* One open connection, watched for the request-head deadline: a client has
 * head_seconds (the --timeout) from opening the connection, or from its
 * previous answer, to send a whole request line and headers. libmicrohttpd's
 * own timeout counts idle time only, so a client trickling one byte every
 * few seconds would hold a connection for ever; past the deadline the
 * housekeeping thread shuts the socket down (libmicrohttpd then sees it
 * closed and cleans up, and tells notify_connection, which unlinks it here
 * before the socket is closed, so a reused descriptor is never touched).
 * in_request and idle_since are atomics: the workers set them on every
 * request without taking watch_lock. */
typedef struct connection_watch {
    MHD_socket socket;
    atomic_bool in_request;
    atomic_llong idle_since_ms; /* CLOCK_MONOTONIC: opened, or last answered */
    /* For the deadline on the whole request and the body's minimum rate
     * (http/deadline.h): set before in_request, read after it. */
    atomic_llong head_done_ms;
    atomic_bool body_done;
    atomic_ullong body_bytes;
    bool cut; /* shut down already */
    struct connection_watch *previous, *next;
} connection_watch;

/* The hl_app of the current worker thread, opened on its first request.
 * Worker threads belong to one daemon and end with it, so the pointer
 * never outlives the server that closes the app. */
static _Thread_local hl_app *thread_app;

typedef struct request_state {
    hl_arena arena;
    struct timespec started;
    hl_metrics_method method;
    const char *method_text; /* in the arena */
    const char *path;        /* in the arena, at most LOGGED_PATH_BYTES */
    uint64_t body_bytes;
    char *body;           /* in the arena; NUL-terminated; NULL until a byte arrives */
    size_t body_capacity; /* bytes the current body block can hold, not counting the NUL */
    bool body_too_large;
    bool answered;
    bool close_connection; /* answer with Connection: close (ambiguous framing) */
    hl_time now;           /* the request's clock (HOTLINE_NOW when set), sent as X-Server-Time */
    int status;
    size_t response_bytes;
} request_state;

/* ---- Listening address ---- */

int hl_server_parse_listen(const char *text, char *host, size_t host_size, unsigned *port,
                           hl_error *error)
{
    const char *colon = text != NULL ? strrchr(text, ':') : NULL;
    int64_t number = 0;
    if (colon == NULL || colon == text ||
        hl_text_parse_int(hl_slice_of(colon + 1), 1, 65535, &number) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "listen", "%s",
                            HL_T("--listen 须为 主机:端口，如 127.0.0.1:8080",
                                 "--listen takes HOST:PORT, e.g. 127.0.0.1:8080"));
    size_t host_length = (size_t)(colon - text);
    const char *host_start = text;
    if (text[0] == '[') {
        if (host_length < 3 || colon[-1] != ']')
            return hl_error_set(
                error, HL_EINVAL, "listen", "%s",
                HL_T("IPv6 地址须写在方括号内", "an IPv6 address goes in brackets"));
        host_start++;
        host_length -= 2;
    }
    if (host_length >= host_size)
        return hl_error_set(error, HL_EINVAL, "listen", "%s", HL_T("主机名过长", "host too long"));
    memcpy(host, host_start, host_length);
    host[host_length] = '\0';
    *port = (unsigned)number;
    return HL_OK;
}

/* ---- Per-thread store connections ---- */

static hl_app *worker_app(hl_server *server, hl_error *error)
{
    if (thread_app != NULL)
        return thread_app;
    hl_app *app = NULL;
    if (hl_app_open_keyed(server->db_path, server->key_path, &app, error) != HL_OK)
        return NULL;
    /* Writers never checkpoint in their commits: the checkpointer does. */
    hl_app_set_background_checkpoints(app, true);
    pthread_mutex_lock(&server->apps_lock);
    HL_ARRAY_GROW(server->apps, server->app_count, server->app_capacity);
    server->apps[server->app_count++] = app;
    pthread_mutex_unlock(&server->apps_lock);
    thread_app = app;
    return app;
}

/* ---- The request-head deadline ---- */

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void notify_connection(void *context, struct MHD_Connection *connection,
                              void **socket_context, enum MHD_ConnectionNotificationCode code)
{
    hl_server *server = context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        connection_watch *watch = hl_xcalloc(1, sizeof *watch);
        watch->socket = info != NULL ? info->connect_fd : MHD_INVALID_SOCKET;
        atomic_init(&watch->in_request, false);
        atomic_init(&watch->idle_since_ms, monotonic_ms());
        atomic_init(&watch->head_done_ms, 0);
        atomic_init(&watch->body_done, false);
        atomic_init(&watch->body_bytes, 0u);
        pthread_mutex_lock(&server->watch_lock);
        watch->next = server->watched;
        if (server->watched != NULL)
            server->watched->previous = watch;
        server->watched = watch;
        pthread_mutex_unlock(&server->watch_lock);
        *socket_context = watch;
        return;
    }
    connection_watch *watch = *socket_context;
    if (watch == NULL)
        return;
    pthread_mutex_lock(&server->watch_lock);
    if (watch->previous != NULL)
        watch->previous->next = watch->next;
    else
        server->watched = watch->next;
    if (watch->next != NULL)
        watch->next->previous = watch->previous;
    pthread_mutex_unlock(&server->watch_lock);
    free(watch);
    *socket_context = NULL;
}

static connection_watch *watch_of(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info != NULL ? info->socket_context : NULL;
}

/* Shuts down every connection past a deadline of its request: its head,
 * the whole request, or its body's minimum rate (http/deadline.h). */
static void cut_slow_heads(hl_server *server)
{
    long long now = monotonic_ms();
    pthread_mutex_lock(&server->watch_lock);
    for (connection_watch *watch = server->watched; watch != NULL; watch = watch->next) {
        if (watch->cut || watch->socket == MHD_INVALID_SOCKET)
            continue;
        hl_deadline_state standing = {.idle_since_ms = atomic_load(&watch->idle_since_ms),
                                      .head_done = atomic_load(&watch->in_request)};
        if (standing.head_done) {
            standing.head_done_ms = atomic_load(&watch->head_done_ms);
            standing.body_done = atomic_load(&watch->body_done);
            standing.body_bytes = atomic_load(&watch->body_bytes);
        }
        hl_deadline_verdict verdict = hl_deadline_judge(&server->deadlines, &standing, now);
        if (verdict == HL_DEADLINE_KEEP)
            continue;
        shutdown(watch->socket, SHUT_RDWR);
        watch->cut = true;
        hl_metrics_record_cut(&server->metrics, verdict == HL_DEADLINE_HEAD_LATE ? HL_CUT_HEAD_LATE
                                                : verdict == HL_DEADLINE_REQUEST_LATE
                                                    ? HL_CUT_REQUEST_LATE
                                                    : HL_CUT_BODY_SLOW);
    }
    pthread_mutex_unlock(&server->watch_lock);
}

/* ---- Checkpoints ---- */

/* The housekeeping thread. It copies the WAL back into the database file,
 * on its own connection, so that no request waits for a checkpoint and its
 * fsync (which made one durable write in a hundred take 100-300 ms when the
 * committing worker ran it): every CHECKPOINT_INTERVAL_MS, and as soon as
 * CHECKPOINT_STEP_WRITES writes have been answered since the last one. It
 * cuts the connections past their request-head deadline every
 * HEAD_CHECK_INTERVAL_MS, and checkpoints once more when the server stops.
 *
 * Why the step of writes: a PASSIVE checkpoint copies every frame the WAL
 * gained since the last one and then fsyncs the database file once, and
 * the writers' own WAL fsyncs queue behind that flush on the same disk. A
 * durable registration adds about eight 8 KiB frames; under a burst at the
 * highest rate a 100 ms step held a median of 250 frames and up to 1,500
 * (12 MiB to write and flush), 1 step in 10 took over 24 ms and 1 in 100
 * over 120 ms, and where the disk is fast enough for thousands of
 * registrations a second a checkpoint that falls behind holds an ever
 * longer step (the WAL cannot restart until one catches up): the durable
 * POSTs at a fixed 500/s right after such a burst met its flush (p99
 * 230 ms where a quiet store gave 2 ms). With the step, no checkpoint holds
 * more than about 32 writes' frames (some 2 MiB) however fast they come.
 * Checkpointing every 10 ms regardless was tried: the steps were as short
 * (a median of 33 frames), but at a low rate each write got a checkpoint
 * and a database fsync of its own, which on a busy disk that does a few
 * hundred fsyncs a second takes up to half of them from the writers (one
 * run at 100/s after a burst: p99 1.2 s against 0.1 s with the 100 ms
 * tick; the next, 0.22 s against 0.33 s: the shared disk's noise was as
 * large as the difference). A checkpoint with
 * nothing to copy costs about 10 microseconds. The WAL's length is
 * bounded otherwise: it restarts from its start when a writer begins on a
 * fully copied WAL, which happens every few hundred milliseconds under load
 * (10-15 MiB at most for 1,000 registrations as fast as they go; the
 * journal size limit cuts anything longer back after a restart).
 * tests/scenario/wal_bounded.sh checks both on the real files. */
static void *checkpoint_loop(void *context)
{
    hl_server *server = context;
    long long heads_checked_ms = monotonic_ms();
    long long checkpointed_ms = heads_checked_ms;
    unsigned writes_checkpointed = atomic_load(&server->writes_answered);
    pthread_mutex_lock(&server->checkpoint_lock);
    while (!server->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECKPOINT_POLL_MS * 1000L * 1000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec += 1;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&server->checkpoint_wake, &server->checkpoint_lock, &until);
        pthread_mutex_unlock(&server->checkpoint_lock);
        long long now = monotonic_ms();
        if (now - heads_checked_ms >= HEAD_CHECK_INTERVAL_MS) {
            heads_checked_ms = now;
            cut_slow_heads(server);
        }
        unsigned writes = atomic_load(&server->writes_answered);
        /* Unsigned: the difference stays right when the counter wraps. */
        if (now - checkpointed_ms >= CHECKPOINT_INTERVAL_MS ||
            writes - writes_checkpointed >= CHECKPOINT_STEP_WRITES) {
            checkpointed_ms = now;
            writes_checkpointed = writes;
            hl_error error;
            hl_error_clear(&error);
            if (hl_app_checkpoint(server->checkpoint_app, &error) != HL_OK) {
                char line[HL_ERROR_MESSAGE_MAX + 64];
                int length = snprintf(line, sizeof line, "{\"checkpoint_error\":\"storage\"} %s\n",
                                      error.message);
                ssize_t written =
                    write(STDERR_FILENO, line,
                          length > 0 && (size_t)length < sizeof line ? (size_t)length : 0);
                (void)written;
            }
        }
        pthread_mutex_lock(&server->checkpoint_lock);
    }
    pthread_mutex_unlock(&server->checkpoint_lock);
    return NULL;
}

static void stop_checkpoints(hl_server *server)
{
    if (!server->checkpoint_running)
        return;
    pthread_mutex_lock(&server->checkpoint_lock);
    server->stopping = true;
    pthread_cond_signal(&server->checkpoint_wake);
    pthread_mutex_unlock(&server->checkpoint_lock);
    pthread_join(server->checkpoint_thread, NULL);
    server->checkpoint_running = false;
    hl_error error;
    hl_app_checkpoint(server->checkpoint_app, &error);
}

/* ---- Requests ---- */

static uint64_t microseconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t elapsed =
        (int64_t)(now.tv_sec - start->tv_sec) * 1000000 + (now.tv_nsec - start->tv_nsec) / 1000;
    return elapsed > 0 ? (uint64_t)elapsed : 0;
}

static const char *query_value(void *context, const char *name)
{
    return MHD_lookup_connection_value(context, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct query_iteration {
    hl_query_visitor visit;
    void *context;
} query_iteration;

static enum MHD_Result visit_argument(void *context, enum MHD_ValueKind kind, const char *name,
                                      size_t name_length, const char *value, size_t value_length)
{
    (void)kind;
    query_iteration *iteration = context;
    iteration->visit(iteration->context, name, name_length, value, value_length);
    return MHD_YES;
}

/* Every query argument with its lengths, as libmicrohttpd decoded it (a
 * decoded %00 shows in the lengths, not as an early end). */
static void query_each(void *context, hl_query_visitor visit, void *visit_context)
{
    query_iteration iteration = {visit, visit_context};
    MHD_get_connection_values_n(context, MHD_GET_ARGUMENT_KIND, visit_argument, &iteration);
}

/* Queues the response and hands its body (or its file) to libmicrohttpd,
 * which frees (or closes) it. */
static enum MHD_Result send_response(struct MHD_Connection *connection, request_state *state,
                                     hl_route_response *response)
{
    size_t length = response->body.len;
    struct MHD_Response *reply;
    if (response->file >= 0) {
        length = (size_t)response->file_size;
        reply = MHD_create_response_from_fd64(response->file_size, response->file);
        if (reply == NULL)
            close(response->file);
        response->file = -1; /* libmicrohttpd's, or closed */
    } else if (response->body.data != NULL) {
        reply = MHD_create_response_from_buffer(length, response->body.data, MHD_RESPMEM_MUST_FREE);
        if (reply != NULL)
            response->body.data = NULL; /* now libmicrohttpd's */
    } else {
        reply = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    hl_buf_free(&response->body);
    if (reply == NULL)
        return MHD_NO;
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_TYPE, response->content_type);
    MHD_add_response_header(reply, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(reply, MHD_HTTP_HEADER_CACHE_CONTROL,
                            response->cache_control != NULL ? response->cache_control : "no-store");
    if (response->content_security_policy != NULL)
        MHD_add_response_header(reply, "Content-Security-Policy",
                                response->content_security_policy);
    if (response->last_modified[0] != '\0')
        MHD_add_response_header(reply, MHD_HTTP_HEADER_LAST_MODIFIED, response->last_modified);
    if (response->allow != NULL)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_ALLOW, response->allow);
    if (response->www_authenticate != NULL)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                response->www_authenticate);
    if (response->set_cookie != NULL)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_SET_COOKIE, response->set_cookie);
    if (response->etag[0] != '\0')
        MHD_add_response_header(reply, MHD_HTTP_HEADER_ETAG, response->etag);
    if (response->location[0] != '\0')
        MHD_add_response_header(reply, MHD_HTTP_HEADER_LOCATION, response->location);
    if (response->content_disposition[0] != '\0')
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                                response->content_disposition);
    if (state->now != 0) {
        /* The pages count working days left from the server's today,
         * which HOTLINE_NOW may set apart from the machine's clock. */
        char instant[40];
        hl_clock_format_iso(state->now, instant, sizeof instant);
        MHD_add_response_header(reply, "X-Server-Time", instant);
    }
    if (state->close_connection)
        MHD_add_response_header(reply, MHD_HTTP_HEADER_CONNECTION, "close");
    if (response->retry_after > 0) {
        char seconds[24];
        snprintf(seconds, sizeof seconds, "%d", response->retry_after);
        MHD_add_response_header(reply, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    hl_tls_secure_response(connection, reply); /* last: it marks the cookie set above */
    enum MHD_Result result = MHD_queue_response(connection, (unsigned)response->status, reply);
    MHD_destroy_response(reply);
    connection_watch *watch = watch_of(connection);
    if (watch != NULL)
        atomic_store(&watch->body_done, true); /* answered: no more body is waited for */
    state->answered = true;
    state->status = response->status;
    state->response_bytes = length;
    return result;
}

static enum MHD_Result send_too_large(struct MHD_Connection *connection, request_state *state,
                                      const hl_server *server)
{
    hl_route_response response;
    hl_route_response_init(&response);
    char message[128];
    snprintf(message, sizeof message, HL_T("请求体超过 %zu 字节", "the body exceeds %zu bytes"),
             server->body_limit);
    hl_route_error_status(&response, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "body", message);
    return send_response(connection, state, &response);
}

static enum MHD_Result send_bad_request(struct MHD_Connection *connection, request_state *state,
                                        const char *field, const char *message)
{
    hl_route_response response;
    hl_route_response_init(&response);
    hl_route_error_status(&response, MHD_HTTP_BAD_REQUEST, hl_error_code_name(HL_EINVAL), field,
                          message);
    return send_response(connection, state, &response);
}

/* Starts a request: its state, its arena, its clock. */
static request_state *begin_request(hl_server *server, const char *url, const char *method)
{
    request_state *state = hl_xcalloc(1, sizeof *state);
    hl_arena_init(&state->arena, 0);
    clock_gettime(CLOCK_MONOTONIC, &state->started);
    state->method = hl_metrics_method_of(method);
    state->method_text = hl_arena_strndup(&state->arena, method, 32);
    state->path = hl_arena_strndup(&state->arena, url, LOGGED_PATH_BYTES);
    atomic_fetch_add(&server->in_flight, 1);
    return state;
}

static bool declared_length_too_large(struct MHD_Connection *connection, size_t limit)
{
    const char *declared =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (declared == NULL)
        return false;
    int64_t length = 0;
    /* An unparsable length is libmicrohttpd's to refuse; a huge one is ours. */
    if (hl_text_parse_int(hl_slice_of(declared), 0, INT64_MAX, &length) != HL_OK)
        return strlen(declared) > 18;
    return (uint64_t)length > limit;
}

/* Appends a piece of the body to the request's arena. A block is sized to
 * the declared Content-Length when there is one, else doubled as needed
 * (the old block stays in the arena: at most twice the limit in all). */
static void collect_body(request_state *state, struct MHD_Connection *connection, const char *data,
                         size_t size, size_t limit)
{
    size_t have = state->body != NULL ? (size_t)state->body_bytes : 0;
    if (state->body == NULL || have + size > state->body_capacity) {
        size_t capacity = state->body_capacity > 0 ? state->body_capacity * 2 : 4096;
        if (state->body == NULL) {
            const char *declared = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
            int64_t length = 0;
            if (declared != NULL &&
                hl_text_parse_int(hl_slice_of(declared), 0, (int64_t)limit, &length) == HL_OK &&
                length > 0)
                capacity = (size_t)length;
        }
        while (capacity < have + size)
            capacity *= 2;
        if (capacity > limit)
            capacity = limit;
        char *grown = hl_arena_alloc(&state->arena, capacity + 1);
        if (have > 0)
            memcpy(grown, state->body, have);
        state->body = grown;
        state->body_capacity = capacity;
    }
    memcpy(state->body + have, data, size);
    state->body[have + size] = '\0';
}

/* The peer's address as text, in the arena ("" when unknown). */
static const char *client_address(struct MHD_Connection *connection, hl_arena *arena)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char text[INET6_ADDRSTRLEN] = "";
    if (info != NULL && info->client_addr != NULL) {
        const struct sockaddr *address = info->client_addr;
        if (address->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)address)->sin_addr, text,
                      sizeof text);
        else if (address->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)address)->sin6_addr,
                      text, sizeof text);
    }
    return hl_arena_strndup(arena, text, sizeof text);
}

static enum MHD_Result visit_header(void *context, enum MHD_ValueKind kind, const char *name,
                                    size_t name_length, const char *value, size_t value_length)
{
    (void)kind;
    hl_framing_add_in_place(context, name, name_length, value, value_length);
    return MHD_YES;
}

/* Refuses a head whose body framing is ambiguous (http/framing.h) with 400
 * and Connection: close, so that nothing after it on the connection is
 * read as another request; false when the framing is plain. Every header
 * line is seen, repeated ones too. */
static bool framing_refused(struct MHD_Connection *connection, hl_error *error)
{
    hl_framing framing;
    hl_framing_init(&framing);
    MHD_get_connection_values_n(connection, MHD_HEADER_KIND, visit_header, &framing);
    return hl_framing_verdict(&framing, error) != HL_OK;
}

static enum MHD_Result handle_request(void *context, struct MHD_Connection *connection,
                                      const char *url, const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **request_context)
{
    hl_server *server = context;
    request_state *state = *request_context;
    if (state == NULL) {
        connection_watch *watch = watch_of(connection);
        if (watch != NULL) {
            /* The head is in: from now on the whole request's deadline and
             * the body's rate apply, until the body is in. */
            atomic_store(&watch->head_done_ms, monotonic_ms());
            atomic_store(&watch->body_bytes, 0u);
            atomic_store(&watch->body_done, false);
            atomic_store(&watch->in_request, true);
        }
        state = begin_request(server, url, method);
        *request_context = state;
        hl_error framing_error;
        hl_error_clear(&framing_error);
        if (framing_refused(connection, &framing_error)) {
            state->close_connection = true;
            return send_bad_request(connection, state, framing_error.field, framing_error.message);
        }
        /* HTTP/1.1 requires Host (RFC 9112, section 3.2): a request without
         * one is malformed, and libmicrohttpd lets it through. */
        if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST) == NULL)
            return send_bad_request(
                connection, state, "host",
                HL_T("HTTP/1.1 请求须带 Host 头", "an HTTP/1.1 request needs a Host header"));
        /* A declared body over the limit is refused before it is read. */
        if (declared_length_too_large(connection, server->body_limit))
            return send_too_large(connection, state, server);
        return MHD_YES;
    }
    if (state->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* Kept up to the limit; beyond it counted and dropped, since a
         * chunked body can only be refused once it has ended. */
        if (!state->body_too_large && state->body_bytes + *upload_data_size <= server->body_limit)
            collect_body(state, connection, upload_data, *upload_data_size, server->body_limit);
        else
            state->body_too_large = true;
        state->body_bytes += *upload_data_size;
        connection_watch *watch = watch_of(connection);
        if (watch != NULL)
            atomic_store(&watch->body_bytes, state->body_bytes);
        *upload_data_size = 0;
        return MHD_YES;
    }
    connection_watch *watch = watch_of(connection);
    if (watch != NULL)
        atomic_store(&watch->body_done, true); /* the body is in: the handler's time is ours */
    if (state->body_too_large)
        return send_too_large(connection, state, server);

    hl_route_response response;
    hl_route_response_init(&response);
    hl_error error;
    hl_error_clear(&error);
    hl_i18n_set(HL_LANG_ZH);
    hl_app *app = worker_app(server, &error);
    if (app == NULL) {
        hl_route_error(&response, &error);
    } else {
        hl_route_request request = {
            .method = method,
            .path = url,
            .query = query_value,
            .query_context = connection,
            .accept_language = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                           MHD_HTTP_HEADER_ACCEPT_LANGUAGE),
            .app = app,
            .metrics = &server->metrics,
            .arena = &state->arena,
            .now = state->now = hl_clock_now(),
            .body = state->body,
            .body_length = state->body != NULL ? (size_t)state->body_bytes : 0,
            .content_type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                        MHD_HTTP_HEADER_CONTENT_TYPE),
            .authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_AUTHORIZATION),
            .if_match =
                MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH),
            .session_cookie =
                MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, "hotline_session"),
            .client_address = client_address(connection, &state->arena),
            .guard = server->guard,
            .query_each = query_each,
            .count_budgets = true,
            .host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
            .origin =
                MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN),
            .audit = server->audit,
            .if_none_match = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_IF_NONE_MATCH),
            .if_modified_since = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                             MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
            .static_files = server->static_files,
            .metrics_token = server->metrics_token,
        };
        hl_routes_handle(&request, &response);
    }
    return send_response(connection, state, &response);
}

/* Writes text as the inside of a JSON string; bytes that are not UTF-8
 * are written as \u00XX of the byte, so a hostile path cannot break the line. */
static void append_log_string(hl_buf *line, const char *text)
{
    size_t length = strlen(text);
    bool utf8 = hl_text_is_utf8(text, length);
    hl_buf_append_char(line, '"');
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)text[index];
        if (byte == '"' || byte == '\\')
            hl_buf_appendf(line, "\\%c", byte);
        else if (byte < 0x20 || byte == 0x7F || (byte >= 0x80 && !utf8))
            hl_buf_appendf(line, "\\u%04x", byte);
        else
            hl_buf_append_char(line, (char)byte);
    }
    hl_buf_append_char(line, '"');
}

static void request_completed(void *context, struct MHD_Connection *connection,
                              void **request_context, enum MHD_RequestTerminationCode termination)
{
    hl_server *server = context;
    connection_watch *watch = watch_of(connection);
    if (watch != NULL) {
        /* The next request's head is due within the deadline from now. */
        atomic_store(&watch->idle_since_ms, monotonic_ms());
        atomic_store(&watch->in_request, false);
    }
    request_state *state = *request_context;
    if (state == NULL)
        return; /* refused by libmicrohttpd before our handler ran */
    uint64_t microseconds = microseconds_since(&state->started);
    if (state->answered)
        hl_metrics_record(&server->metrics, state->method, state->status, microseconds);
    if (state->answered && state->status >= 200 && state->status < 300 &&
        (state->method == HL_METHOD_POST || state->method == HL_METHOD_PUT ||
         state->method == HL_METHOD_PATCH || state->method == HL_METHOD_DELETE))
        atomic_fetch_add_explicit(&server->writes_answered, 1u, memory_order_relaxed);
    char instant[40];
    hl_clock_format_iso((hl_time)time(NULL), instant, sizeof instant);
    hl_buf line;
    hl_buf_init(&line);
    hl_buf_appendf(&line, "{\"time\":\"%s\",\"method\":", instant);
    append_log_string(&line, state->method_text);
    hl_buf_append_str(&line, ",\"path\":");
    append_log_string(&line, state->path);
    hl_buf_appendf(&line, ",\"status\":%d,\"bytes\":%zu,\"us\":%llu%s}\n",
                   state->answered ? state->status : 0, state->response_bytes,
                   (unsigned long long)microseconds,
                   termination == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
    /* One write(2) per line, not stdio: lines of threads never mix, and the
     * workers do not queue on stderr's lock. A failed log write is not the
     * request's failure. */
    ssize_t written = write(STDERR_FILENO, line.data, line.len);
    (void)written;
    hl_buf_free(&line);
    hl_arena_free(&state->arena);
    free(state);
    *request_context = NULL;
    atomic_fetch_sub(&server->in_flight, 1);
}

/* Percent-decodes a path or a query argument in place, as libmicrohttpd
 * would, except "%00", which stays as written: a decoded NUL would end the
 * C string early and silently shorten what the routes see ("/a.html%00.js"
 * would become "/a.html"). Routes refuse the '%' that remains. */
static size_t unescape_keeping_nul(void *context, struct MHD_Connection *connection, char *text)
{
    (void)context;
    (void)connection;
    static const char digits[] = "0123456789abcdef0123456789ABCDEF";
    char *write = text;
    for (const char *read = text; *read != '\0'; read++) {
        const char *high = read[0] == '%' && read[1] != '\0' ? strchr(digits, read[1]) : NULL;
        const char *low = high != NULL && read[2] != '\0' ? strchr(digits, read[2]) : NULL;
        int value = low != NULL ? (int)((high - digits) % 16) * 16 + (int)((low - digits) % 16) : 0;
        if (low != NULL && value != 0) {
            *write++ = (char)value;
            read += 2;
        } else {
            *write++ = *read;
        }
    }
    *write = '\0';
    return (size_t)(write - text);
}

/* ---- Start and stop ---- */

static unsigned thread_count(unsigned requested)
{
    if (requested > 0)
        return requested < MAX_THREADS ? requested : MAX_THREADS;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        return 1;
    return cores < (long)MAX_THREADS ? (unsigned)cores : MAX_THREADS;
}

static void free_server(hl_server *server)
{
    /* After the workers: every read they answered is queued, and now written. */
    hl_audit_queue_stop(server->audit);
    stop_checkpoints(server);
    hl_app_close(server->checkpoint_app);
    pthread_cond_destroy(&server->checkpoint_wake);
    pthread_mutex_destroy(&server->checkpoint_lock);
    pthread_mutex_destroy(&server->watch_lock);
    for (size_t index = 0; index < server->app_count; index++)
        hl_app_close(server->apps[index]);
    free(server->apps);
    hl_auth_guard_free(server->guard);
    hl_static_files_free(server->static_files);
    hl_tls_free(server->tls); /* after the daemon: no handshake runs any more */
    pthread_mutex_destroy(&server->apps_lock);
    free(server->db_path);
    free(server->key_path);
    free(server->metrics_token);
    free(server);
}

int hl_server_start(const hl_server_options *options, hl_server **out, hl_error *error)
{
    *out = NULL;
    char host[64];
    unsigned port = 0;
    const char *listen = options->listen != NULL ? options->listen : HL_SERVER_DEFAULT_LISTEN;
    int result = hl_server_parse_listen(listen, host, sizeof host, &port, error);
    if (result != HL_OK)
        return result;
    struct sockaddr_storage address;
    memset(&address, 0, sizeof address);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
    bool ipv6 = listen[0] == '[';
    if (ipv6) {
        struct sockaddr_in6 *inet6 = (struct sockaddr_in6 *)&address;
        inet6->sin6_family = AF_INET6;
        inet6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &inet6->sin6_addr) != 1)
            result = HL_EINVAL;
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *inet4 = (struct sockaddr_in *)&address;
        inet4->sin_family = AF_INET;
        inet4->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
                      &inet4->sin_addr) != 1)
            result = HL_EINVAL;
    }
    if (result != HL_OK)
        return hl_error_set(error, HL_EINVAL, "listen",
                            HL_T("不是 IP 地址：%s", "not an IP address: %s"), host);

    /* Only hl_server_wait takes the stop signals. The mask is set before
     * the first thread starts (the audit writer below, then the workers and
     * the checkpointer), since threads inherit it: a signal can then reach
     * no thread but the one waiting for it. */
    sigset_t stop_signals, previous_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    if (options->tls_cert_path != NULL)
        sigaddset(&stop_signals, SIGHUP); /* reloads the certificate (hl_server_wait) */
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous_mask);

    hl_auth_guard *guard = NULL;
    result = hl_auth_guard_new(0, &guard, error);
    if (result != HL_OK) {
        pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
        return result;
    }
    hl_audit_queue *audit = NULL;
    result = hl_audit_queue_start(options->db_path, &audit, error);
    if (result != HL_OK) {
        hl_auth_guard_free(guard);
        pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
        return result;
    }
    hl_static_files *static_files = NULL;
    if (options->web_root != NULL &&
        (result = hl_static_files_open(options->web_root, &static_files, error)) != HL_OK) {
        hl_audit_queue_stop(audit);
        hl_auth_guard_free(guard);
        pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
        return result;
    }
    hl_server *server = hl_xcalloc(1, sizeof *server);
    server->previous_mask = previous_mask;
    server->guard = guard;
    server->audit = audit;
    server->static_files = static_files;
    server->db_path = hl_xstrdup(options->db_path);
    server->key_path = options->key_path != NULL ? hl_xstrdup(options->key_path) : NULL;
    server->metrics_token =
        options->metrics_token != NULL ? hl_xstrdup(options->metrics_token) : NULL;
    server->body_limit = options->body_limit > 0 ? options->body_limit : DEFAULT_BODY_LIMIT;
    server->grace_seconds = options->shutdown_grace_seconds > 0 ? options->shutdown_grace_seconds
                                                                : DEFAULT_GRACE_SECONDS;
    hl_metrics_init(&server->metrics);
    atomic_init(&server->in_flight, 0);
    atomic_init(&server->writes_answered, 0u);
    pthread_mutex_init(&server->apps_lock, NULL);
    pthread_mutex_init(&server->checkpoint_lock, NULL);
    pthread_cond_init(&server->checkpoint_wake, NULL);
    pthread_mutex_init(&server->watch_lock, NULL);
    unsigned head_seconds =
        options->timeout_seconds > 0 ? options->timeout_seconds : DEFAULT_TIMEOUT_SECONDS;
    unsigned request_seconds = options->request_timeout_seconds > 0
                                   ? options->request_timeout_seconds
                                   : DEFAULT_REQUEST_TIMEOUT_SECONDS;
    server->deadlines = (hl_deadline_limits){
        .head_ms = (long long)head_seconds * 1000,
        /* The whole request has at least the head's time. */
        .request_ms =
            (long long)(request_seconds > head_seconds ? request_seconds : head_seconds) * 1000,
        .min_body_rate =
            options->min_body_rate > 0 ? options->min_body_rate : DEFAULT_MIN_BODY_RATE,
    };
    result = hl_app_open_keyed(server->db_path, server->key_path, &server->checkpoint_app, error);
    if (result != HL_OK) {
        free_server(server);
        pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
        return result;
    }
    if (options->tls_cert_path != NULL &&
        (result = hl_tls_open(options->tls_cert_path, options->tls_key_path, &server->tls,
                              error)) != HL_OK) {
        free_server(server);
        pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
        return result;
    }
    struct MHD_OptionItem tls_options[HL_TLS_DAEMON_OPTIONS];
    hl_tls_daemon_options(server->tls, tls_options);
    if (server->tls != NULL)
        flags |= MHD_USE_TLS;
    snprintf(server->url, sizeof server->url, "%s://%s%s%s:%u/",
             server->tls != NULL ? "https" : "http", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);

    unsigned threads = thread_count(options->threads);
    server->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, handle_request, server, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&address, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT,
        options->connection_limit > 0 ? options->connection_limit : DEFAULT_CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        options->per_address_limit > 0 ? options->per_address_limit : DEFAULT_PER_ADDRESS_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT,
        options->timeout_seconds > 0 ? options->timeout_seconds : DEFAULT_TIMEOUT_SECONDS,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        options->connection_memory > 0 ? options->connection_memory : DEFAULT_CONNECTION_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, server, MHD_OPTION_NOTIFY_CONNECTION,
        notify_connection, server, MHD_OPTION_UNESCAPE_CALLBACK, unescape_keeping_nul, NULL,
        MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    if (server->daemon == NULL) {
        free_server(server);
        pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
        return hl_error_set(error, HL_EIO, "listen",
                            HL_T("无法在 %s 上监听（端口已被占用或地址不属于本机）",
                                 "cannot listen on %s (in use, or not this machine's)"),
                            listen);
    }
    /* After the signal mask: the checkpointer does not take SIGTERM either. */
    if (pthread_create(&server->checkpoint_thread, NULL, checkpoint_loop, server) == 0)
        server->checkpoint_running = true;
    *out = server;
    return HL_OK;
}

const char *hl_server_url(const hl_server *server)
{
    return server->url;
}

const char *hl_server_web_root(const hl_server *server)
{
    return server->static_files != NULL ? hl_static_files_root(server->static_files) : NULL;
}

int hl_server_wait(hl_server *server)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    if (server->tls != NULL)
        sigaddset(&stop_signals, SIGHUP);
    int received = 0;
    while (sigwait(&stop_signals, &received) != 0 || received == SIGHUP) {
        if (received == SIGHUP) {
            hl_error error;
            hl_tls_reload(server->tls, &error); /* logs its outcome; a failure keeps the old */
            received = 0;
        }
    }
    return received;
}

void hl_server_stop(hl_server *server)
{
    if (server == NULL)
        return;
    /* Stop accepting first, so that no new request begins while the
     * requests in flight finish; idle keep-alive connections do not count. */
    MHD_socket listener = MHD_quiesce_daemon(server->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (unsigned waited = 0;
         atomic_load(&server->in_flight) > 0 && waited < server->grace_seconds * 100; waited++)
        nanosleep(&pause, NULL);
    /* Joins the workers: afterwards no thread uses an hl_app. */
    MHD_stop_daemon(server->daemon);
    pthread_sigmask(SIG_SETMASK, &server->previous_mask, NULL);
    free_server(server);
}
