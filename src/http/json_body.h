/* json_body.h: strict parsing of small JSON request bodies.
 *
 * A body must be one JSON object holding only the named fields, each of its
 * declared kind (a string unless said otherwise; never null, an array or an
 * object), every field not marked optional present: no other key, no
 * duplicate key, valid UTF-8, no "\u0000", nothing after the object. Kept apart from routes.c so
 * that the parser can be tested (and later fuzzed) alone, and because jansson's names would clash
 * with the routes' JSON writers. */
#ifndef HL_JSON_BODY_H
#define HL_JSON_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "http/arena.h"

typedef enum hl_json_kind {
    HL_JSON_STRING = 0, /* the default, so that {name} declares a required string */
    HL_JSON_NUMBER,     /* any JSON number: out in number */
    HL_JSON_INTEGER,    /* a JSON integer (no fraction, no exponent): out in integer */
    HL_JSON_BOOLEAN,    /* true or false: out in boolean */
} hl_json_kind;

typedef struct hl_json_field {
    const char *name;  /* in: the key */
    hl_json_kind kind; /* in */
    bool optional;     /* in: may be absent (then present stays false) */
    bool present;      /* out: the key was in the body */
    const char *value; /* out: a string's value, NUL-terminated, owned by the arena; else NULL */
    double number;     /* out: HL_JSON_NUMBER */
    long long integer; /* out: HL_JSON_INTEGER */
    bool boolean;      /* out: HL_JSON_BOOLEAN */
} hl_json_field;

/* Parses body (length bytes; may be NULL when length is 0) into fields.
 * HL_EINVAL naming the field at fault ("body" for the whole) otherwise. */
int hl_json_body_parse(const char *body, size_t length, hl_arena *arena, hl_json_field *fields,
                       size_t count, hl_error *error);

#endif
