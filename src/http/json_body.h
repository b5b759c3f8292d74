/* json_body.h: strict parsing of small JSON request bodies.
 *
 * A body must be one JSON object holding exactly the named fields, each a
 * string: no other key, no duplicate key, no other type, valid UTF-8, no
 * "\u0000", nothing after the object. Kept apart from routes.c so that the
 * parser can be tested (and later fuzzed) alone, and because jansson's
 * names would clash with the routes' JSON writers. */
#ifndef HL_JSON_BODY_H
#define HL_JSON_BODY_H

#include <stddef.h>

#include "base/error.h"
#include "http/arena.h"

typedef struct hl_json_field {
    const char *name;  /* in: the key */
    const char *value; /* out: its string, NUL-terminated, owned by the arena */
} hl_json_field;

/* Parses body (length bytes; may be NULL when length is 0) into fields.
 * HL_EINVAL naming the field at fault ("body" for the whole) otherwise. */
int hl_json_body_parse(const char *body, size_t length, hl_arena *arena, hl_json_field *fields, size_t count,
                       hl_error *error);

#endif
