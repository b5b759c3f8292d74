/* server.h: `hotline serve`, the HTTP server (libmicrohttpd).
 *
 * One epoll thread pool sized to the cores; each worker thread opens its
 * own hl_app (its own SQLite connection) on its first request, since an
 * hl_app is not thread-safe; the server closes them all when it stops.
 * Limits: connections in total and per client address, an idle timeout
 * per connection and the same time for a whole request head (against
 * slowloris), a deadline on the whole request and a minimum rate for its
 * body (http/deadline.h), ambiguous body framing refused with 400 and a
 * closed connection (http/framing.h), the memory of
 * one connection (so the size of the request line and headers), the size
 * of a body (413), and a per-request arena released when the request
 * completes. One log line per request on stderr:
 * {"time","method","path","status","bytes","us"}. A housekeeping thread
 * checkpoints the WAL (workers never do in their commits) and cuts
 * connections past their request-head deadline. With a certificate and
 * key (tls_cert_path, tls_key_path) it serves HTTPS only (http/tls.h).
 *
 * Usage: hl_server_start, print where it listens, hl_server_wait (returns
 * on SIGTERM or SIGINT), hl_server_stop. */
#ifndef HL_SERVER_H
#define HL_SERVER_H

#include <stddef.h>

#include "base/error.h"

#define HL_SERVER_DEFAULT_LISTEN "127.0.0.1:8080"

typedef struct hl_server_options {
    const char *db_path;       /* the store each worker opens */
    const char *key_path;      /* its key file (app/secrets.h); NULL: "<db_path>.key" */
    const char *listen;        /* "HOST:PORT", "[IPv6]:PORT"; NULL: HL_SERVER_DEFAULT_LISTEN */
    unsigned threads;          /* 0: the number of online cores */
    unsigned connection_limit; /* 0: 1000 in total */
    unsigned
        timeout_seconds;      /* 0: 30; an idle connection is closed after it, and one that has not
                                 sent a whole request head within it of opening or of its last answer */
    size_t connection_memory; /* 0: 32 KiB; bounds the request line and headers */
    size_t body_limit;        /* 0: 1 MiB; a larger body gets 413 */
    /* Connections at once from one client address (libmicrohttpd closes
     * the ones beyond at once); 0: 100. */
    unsigned per_address_limit;
    /* The whole request, head and body, within this many seconds of the
     * connection's opening or its previous answer (at least
     * timeout_seconds); 0: 60. */
    unsigned request_timeout_seconds;
    /* The least average rate of a body, in bytes a second, once it has been
     * under way for 5 s (http/deadline.h); 0: 1024. */
    unsigned min_body_rate;
    unsigned shutdown_grace_seconds; /* 0: 5; how long a stop waits for requests in flight */
    const char *web_root; /* the directory of the web pages (static_files.h); NULL: none */
    /* The Bearer token /metrics asks for (copied); NULL: /metrics answers
     * loopback peers only (routes.h, hl_route_request.metrics_token). */
    const char *metrics_token;
    /* Serve HTTPS with this PEM certificate chain and key (http/tls.h);
     * both or neither. NULL: plain HTTP. */
    const char *tls_cert_path;
    const char *tls_key_path;
} hl_server_options;

typedef struct hl_server hl_server;

/* Parses "HOST:PORT" (HOST an IPv4 address, "localhost" or an IPv6 address
 * in brackets; PORT 1-65535). HL_EINVAL with field "listen" otherwise. */
int hl_server_parse_listen(const char *text, char *host, size_t host_size, unsigned *port,
                           hl_error *error);

/* Blocks SIGTERM and SIGINT (and SIGHUP with TLS) in the calling thread
 * (the workers inherit the mask, so only hl_server_wait receives them) and
 * starts listening. The caller owns *out and must call hl_server_stop.
 * HL_EINVAL for a bad listen address, a web_root that is not a directory
 * or a TLS certificate or key that cannot be used (hl_tls_open), HL_EIO
 * when the address cannot be bound. */
int hl_server_start(const hl_server_options *options, hl_server **out, hl_error *error);

/* Where the server listens, as "http://HOST:PORT/" ("https://" with TLS). */
const char *hl_server_url(const hl_server *server);

/* The web pages' directory as resolved, or NULL when serving none. */
const char *hl_server_web_root(const hl_server *server);

/* Waits for SIGTERM or SIGINT; returns the signal's number. With TLS, a
 * SIGHUP meanwhile reloads the certificate and key (hl_tls_reload). */
int hl_server_wait(hl_server *server);

/* Stops accepting, waits up to the grace period for requests in flight to
 * complete, stops the threads, closes every worker's hl_app, restores the
 * signal mask and frees the server. server may be NULL. */
void hl_server_stop(hl_server *server);

#endif
