/* http_rate.c: an open-loop HTTP load generator at a fixed arrival rate,
 * with latency percentiles (wrk2 is not packaged in Debian and wrk has no
 * fixed rate).
 *
 * Request i is due at start + i / rate, whether or not earlier answers have
 * come back; it goes out on the first idle keep-alive connection, and its
 * latency is counted from the moment it was due, not from when it could be
 * sent, so that a slow server cannot hide its queue (no "coordinated
 * omission"). One thread, non-blocking sockets, epoll and a timerfd; each
 * connection carries one request at a time (no pipelining). The same
 * request bytes every time: method, path, the given headers, the body.
 * Answers must carry Content-Length (hotline's and nginx's do); a 2xx is a
 * success, anything else is counted apart. It prints one line of figures:
 * what was due, answered, 2xx, other statuses, errors, the rate achieved
 * and p50/p90/p99/p99.9/max in milliseconds. It is a benchmark tool, run by
 * bench/bench_http.sh, never by the tests. With --log FILE it also writes
 * one line per answer: when it was due (seconds from the start) and its
 * latency (ms), so that a stall can be placed in time; a first comment line
 * gives the start on CLOCK_MONOTONIC.
 *
 * Usage: http_rate --port N --rate PER_SECOND --duration SECONDS
 *                  [--host 127.0.0.1] [--path /] [--method GET]
 *                  [--connections 32] [--header "Name: value"]... [--body-file FILE]
 *                  [--log FILE] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 1024
#define MAX_HEADERS 16
#define RESPONSE_BYTES 65536
#define DRAIN_SECONDS 5.0

typedef struct connection {
    int fd;
    bool busy;
    double due; /* when the request in flight was due */
    size_t sent;
    size_t received;
    char response[RESPONSE_BYTES];
} connection;

typedef struct options {
    const char *host;
    int port;
    const char *path;
    const char *method;
    double rate;
    double duration;
    int connections;
    const char *headers[MAX_HEADERS];
    int header_count;
    const char *body_file;
    const char *log_file;
} options;

static struct {
    char *request;
    size_t request_length;
    connection *connections;
    int count;
    struct sockaddr_in address;
    double *latencies; /* milliseconds, one per answered request */
    double *dues;      /* when each answered request was due, in seconds from the start */
    double start;
    size_t answered, successes, other_statuses, errors, due;
} state;

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void die(const char *message)
{
    fprintf(stderr, "http_rate: %s\n", message);
    exit(1);
}

static void usage(void)
{
    fprintf(
        stderr,
        "usage: http_rate --port N --rate PER_SECOND --duration SECONDS [--host IP] [--path P]\n"
        "                 [--method M] [--connections N] [--header 'Name: value']... [--body-file "
        "F]\n"
        "                 [--log FILE]\n");
    exit(2);
}

static void parse_options(int argc, char **argv, options *out)
{
    *out = (options){.host = "127.0.0.1", .path = "/", .method = "GET", .connections = 32};
    for (int index = 1; index < argc; index++) {
        const char *name = argv[index];
        if (index + 1 >= argc)
            usage();
        const char *value = argv[++index];
        if (strcmp(name, "--host") == 0)
            out->host = value;
        else if (strcmp(name, "--port") == 0)
            out->port = (int)strtol(value, NULL, 10);
        else if (strcmp(name, "--path") == 0)
            out->path = value;
        else if (strcmp(name, "--method") == 0)
            out->method = value;
        else if (strcmp(name, "--rate") == 0)
            out->rate = atof(value);
        else if (strcmp(name, "--duration") == 0)
            out->duration = atof(value);
        else if (strcmp(name, "--connections") == 0)
            out->connections = (int)strtol(value, NULL, 10);
        else if (strcmp(name, "--header") == 0 && out->header_count < MAX_HEADERS)
            out->headers[out->header_count++] = value;
        else if (strcmp(name, "--body-file") == 0)
            out->body_file = value;
        else if (strcmp(name, "--log") == 0)
            out->log_file = value;
        else
            usage();
    }
    if (out->port <= 0 || out->port > 65535 || out->rate <= 0 || out->duration <= 0 ||
        out->connections < 1 || out->connections > MAX_CONNECTIONS)
        usage();
}

static char *read_body(const char *path, size_t *length)
{
    *length = 0;
    if (path == NULL)
        return NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        die("cannot open the body file");
    char *body = malloc(1 << 20);
    if (body == NULL)
        die("out of memory");
    *length = fread(body, 1, 1 << 20, file);
    fclose(file);
    return body;
}

/* The length snprintf wrote, which must have fit in room: a request that
 * does not fit its buffer ends the program rather than being cut. */
static size_t fitted(int written, size_t room)
{
    if (written < 0 || (size_t)written >= room)
        die("the request does not fit");
    return (size_t)written;
}

static void build_request(const options *opts)
{
    size_t body_length = 0;
    char *body = read_body(opts->body_file, &body_length);
    size_t capacity = 8192 + body_length;
    state.request = malloc(capacity);
    if (state.request == NULL)
        die("out of memory");
    size_t length = fitted(snprintf(state.request, capacity, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n",
                                    opts->method, opts->path, opts->host, opts->port),
                           capacity);
    for (int index = 0; index < opts->header_count; index++)
        length += fitted(
            snprintf(state.request + length, capacity - length, "%s\r\n", opts->headers[index]),
            capacity - length);
    if (body != NULL)
        length += fitted(snprintf(state.request + length, capacity - length,
                                  "Content-Length: %zu\r\n", body_length),
                         capacity - length);
    length +=
        fitted(snprintf(state.request + length, capacity - length, "\r\n"), capacity - length);
    if (length + body_length > capacity)
        die("the request does not fit");
    if (body != NULL)
        memcpy(state.request + length, body, body_length);
    state.request_length = length + body_length;
    free(body);
}

static void open_connection(int epoll, connection *conn)
{
    conn->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (conn->fd < 0)
        die("socket failed");
    int one = 1;
    setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(conn->fd, (struct sockaddr *)&state.address, sizeof state.address) != 0 &&
        errno != EINPROGRESS)
        die("connect failed");
    conn->busy = false;
    conn->sent = 0;
    conn->received = 0;
    struct epoll_event event = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = conn};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, conn->fd, &event) != 0)
        die("epoll_ctl failed");
}

static void reopen(int epoll, connection *conn)
{
    epoll_ctl(epoll, EPOLL_CTL_DEL, conn->fd, NULL);
    close(conn->fd);
    open_connection(epoll, conn);
}

static void push(connection *conn)
{
    while (conn->busy && conn->sent < state.request_length) {
        ssize_t count = send(conn->fd, state.request + conn->sent,
                             state.request_length - conn->sent, MSG_NOSIGNAL);
        if (count <= 0)
            return; /* EAGAIN (or not yet connected): EPOLLOUT brings us back */
        conn->sent += (size_t)count;
    }
}

/* A whole answer in the buffer: its status, or 0 while incomplete. */
static int complete_status(const connection *conn)
{
    const char *end = memmem(conn->response, conn->received, "\r\n\r\n", 4);
    if (end == NULL)
        return 0;
    size_t head = (size_t)(end - conn->response) + 4;
    size_t length = 0;
    const char *field = memmem(conn->response, head, "\r\nContent-Length:", 17);
    if (field == NULL)
        field = memmem(conn->response, head, "\r\ncontent-length:", 17);
    if (field != NULL)
        length = (size_t)strtoul(field + 17, NULL, 10);
    if (conn->received < head + length)
        return 0;
    int status = (int)strtol(conn->response + 9, NULL, 10);
    return status > 0 ? status : 999;
}

static void pull(int epoll, connection *conn, double now)
{
    for (;;) {
        if (conn->received == RESPONSE_BYTES) {
            state.errors++;
            reopen(epoll, conn);
            return;
        }
        ssize_t count =
            recv(conn->fd, conn->response + conn->received, RESPONSE_BYTES - conn->received, 0);
        if (count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            if (conn->busy)
                state.errors++;
            reopen(epoll, conn);
            return;
        }
        if (count < 0)
            return;
        conn->received += (size_t)count;
        if (!conn->busy)
            continue; /* nothing asked: ignore */
        int status = complete_status(conn);
        if (status == 0)
            continue;
        state.dues[state.answered] = conn->due - state.start;
        state.latencies[state.answered++] = (now - conn->due) * 1000.0;
        if (status >= 200 && status < 300)
            state.successes++;
        else
            state.other_statuses++;
        conn->busy = false;
        conn->received = 0;
        conn->sent = 0;
    }
}

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;
    return a < b ? -1 : a > b;
}

static double percentile(double fraction)
{
    if (state.answered == 0)
        return 0;
    size_t index = (size_t)(fraction * (double)(state.answered - 1) + 0.5);
    return state.latencies[index];
}

int main(int argc, char **argv)
{
    options opts;
    parse_options(argc, argv, &opts);
    build_request(&opts);
    state.address.sin_family = AF_INET;
    state.address.sin_port = htons((uint16_t)opts.port);
    if (inet_pton(AF_INET, opts.host, &state.address.sin_addr) != 1)
        die("--host takes an IPv4 address");
    size_t total = (size_t)(opts.rate * opts.duration + 0.5);
    state.latencies = calloc(total + 1, sizeof *state.latencies);
    state.dues = calloc(total + 1, sizeof *state.dues);
    state.connections = calloc((size_t)opts.connections, sizeof *state.connections);
    if (state.latencies == NULL || state.dues == NULL || state.connections == NULL)
        die("out of memory");
    state.count = opts.connections;
    int epoll = epoll_create1(0);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (epoll < 0 || timer < 0)
        die("epoll or timerfd failed");
    struct epoll_event timer_event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &timer_event);
    for (int index = 0; index < state.count; index++)
        open_connection(epoll, &state.connections[index]);
    usleep(100 * 1000); /* let the connections finish their handshakes */

    double interval = 1.0 / opts.rate;
    double start = now_seconds();
    state.start = start;
    size_t next = 0;   /* the next request to become due */
    size_t queued = 0; /* due but not yet sent (every connection busy) */
    double first_queued_due = 0;
    struct epoll_event events[256];
    for (;;) {
        double now = now_seconds();
        while (next < total && start + (double)next * interval <= now) {
            if (queued == 0)
                first_queued_due = start + (double)next * interval;
            queued++;
            next++;
        }
        /* Send what is due on idle connections, oldest first. */
        for (int index = 0; index < state.count && queued > 0; index++) {
            connection *conn = &state.connections[index];
            if (conn->busy)
                continue;
            conn->busy = true;
            conn->due = first_queued_due;
            conn->sent = 0;
            conn->received = 0;
            queued--;
            first_queued_due += interval;
            push(conn);
        }
        bool sending_done = next >= total && queued == 0;
        bool in_flight = false;
        for (int index = 0; index < state.count; index++)
            in_flight = in_flight || state.connections[index].busy;
        if (sending_done && (!in_flight || now > start + opts.duration + DRAIN_SECONDS))
            break;
        /* Wake at the next due time (or soon, while draining). */
        double wake = next < total ? start + (double)next * interval : now + 0.01;
        double wait = wake - now;
        if (wait < 0.0001)
            wait = 0.0001;
        struct itimerspec when = {
            .it_value = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)}};
        timerfd_settime(timer, 0, &when, NULL);
        int count = epoll_wait(epoll, events, 256, -1);
        now = now_seconds();
        for (int index = 0; index < count; index++) {
            connection *conn = events[index].data.ptr;
            if (conn == NULL) {
                uint64_t expirations;
                while (read(timer, &expirations, sizeof expirations) > 0)
                    continue;
                continue;
            }
            if (events[index].events & (EPOLLERR | EPOLLHUP)) {
                if (conn->busy)
                    state.errors++;
                reopen(epoll, conn);
                continue;
            }
            if (events[index].events & EPOLLOUT)
                push(conn);
            if (events[index].events & EPOLLIN)
                pull(epoll, conn, now);
        }
    }
    double elapsed = now_seconds() - start;
    if (opts.log_file != NULL) {
        FILE *log = fopen(opts.log_file, "w");
        if (log == NULL)
            die("cannot write the log file");
        /* The start on CLOCK_MONOTONIC, to line the log up with a server's. */
        fprintf(log, "# start %.4f\n", state.start);
        for (size_t index = 0; index < state.answered; index++)
            fprintf(log, "%.4f %.3f\n", state.dues[index], state.latencies[index]);
        fclose(log);
    }
    qsort(state.latencies, state.answered, sizeof *state.latencies, compare_doubles);
    printf(
        "due %zu answered %zu 2xx %zu other %zu errors %zu rate %.1f/s p50 %.2f p90 %.2f p99 %.2f "
        "p99.9 %.2f max %.2f ms\n",
        total, state.answered, state.successes, state.other_statuses, state.errors,
        (double)state.answered / (elapsed > opts.duration ? opts.duration : elapsed),
        percentile(0.50), percentile(0.90), percentile(0.99), percentile(0.999),
        state.answered > 0 ? state.latencies[state.answered - 1] : 0);
    for (int index = 0; index < state.count; index++)
        close(state.connections[index].fd);
    close(timer);
    close(epoll);
    free(state.latencies);
    free(state.dues);
    free(state.connections);
    free(state.request);
    return state.errors > 0 ? 1 : 0;
}
