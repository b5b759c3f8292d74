/* framing.h: refusing requests whose body framing is ambiguous.
 *
 * Where a request's body ends is told by Content-Length or by
 * Transfer-Encoding: chunked. A request that says it twice, or in a way two
 * readers may read differently, lets a proxy in front and this server cut
 * the same bytes into different requests (request smuggling). libmicrohttpd
 * 0.9.75 (Debian 12) reads such requests its own way: with both fields it
 * follows the chunked coding; of two Content-Lengths it takes the first;
 * "Transfer-Encoding : chunked" (a space before the colon) is not
 * recognised at all; an unknown coding leaves the connection waiting.
 *
 * The server therefore hands every header field of a request head to an
 * hl_framing (once, before the body is read) and refuses the request with
 * 400, closing the connection, when hl_framing_verdict says so:
 * - a field name that is empty or holds whitespace or a control character
 *   (RFC 9112, section 5.1: no whitespace between the name and the colon);
 * - Content-Length and Transfer-Encoding both present;
 * - Content-Length more than once (even with the same value), or not a
 *   plain decimal number;
 * - Transfer-Encoding more than once, or other than exactly "chunked"
 *   (no other coding is implemented; a list such as "gzip, chunked" too);
 * - a header line folded onto the next (obs-fold, RFC 9112 section 5.2:
 *   a server must refuse it or unfold it, and libmicrohttpd 0.9.75 does
 *   neither: it glues the next line onto the field's name, so that
 *   "Content-Length:" folded before "2" is read as a field named
 *   "Content-Length2" and the body as the next request).
 * It only judges; it does not parse bodies and knows nothing of the server
 * library. */
#ifndef HL_FRAMING_H
#define HL_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

typedef struct hl_framing {
    unsigned content_lengths;    /* Content-Length fields seen */
    unsigned transfer_encodings; /* Transfer-Encoding fields seen */
    bool bad_name;               /* a field name with whitespace, a control byte, or empty */
    bool bad_length;             /* a Content-Length that is not 1 to 19 decimal digits */
    bool bad_coding;             /* a Transfer-Encoding other than "chunked" */
    bool folded;                 /* a header line folded onto the next */
} hl_framing;

void hl_framing_init(hl_framing *framing);

/* One header field of the head, as the client sent its name and value (the
 * value without its surrounding spaces or tabs, which are ignored here). */
void hl_framing_add(hl_framing *framing, const char *name, size_t name_length, const char *value,
                    size_t value_length);

/* hl_framing_add for a field as libmicrohttpd 0.9.75 hands it over, which
 * also tells a folded line: that library parses a header line in place
 * (the name, its colon overwritten by a NUL, spaces or tabs, the value),
 * except a folded one, whose glued name it builds elsewhere in the
 * connection's memory, so that the value no longer follows its name. That
 * is the only sign of a fold it leaves; so name and value must point into
 * the one buffer the line was read into. */
void hl_framing_add_in_place(hl_framing *framing, const char *name, size_t name_length,
                             const char *value, size_t value_length);

/* HL_OK when the body's end is told once and plainly; HL_EINVAL otherwise,
 * with field "transfer-encoding", "content-length" or "header" and a
 * message in the current language. */
int hl_framing_verdict(const hl_framing *framing, hl_error *error);

#endif
