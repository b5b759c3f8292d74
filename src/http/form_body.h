/* form_body.h: strict parsing of application/x-www-form-urlencoded text.
 *
 * Open311 clients send POST bodies form-encoded ("name=value&name=value").
 * hl_form_parse decodes one such text into its parameters, in order and
 * with repetitions kept (the caller decides which names may repeat): "+" is
 * a space, "%XX" a byte. It refuses rather than guesses: a "%" not
 * followed by two hexadecimal digits, a parameter without "=", an empty
 * name, an empty parameter ("a=1&&b=2", a trailing "&"), a raw space or
 * control character, a decoded NUL byte, a name or value that is not
 * UTF-8 once decoded, and more parameters than the caller allows. Every
 * refusal is HL_EINVAL naming the parameter at fault ("body" when there is
 * none). Kept apart from the Open311 routes so that it can be tested (and
 * fuzzed) alone. */
#ifndef HL_FORM_BODY_H
#define HL_FORM_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/text.h"
#include "http/arena.h"

typedef struct hl_form_field {
    const char *name;  /* decoded, NUL-terminated, owned by the arena */
    const char *value; /* decoded, NUL-terminated, owned by the arena */
    size_t value_length;
} hl_form_field;

typedef struct hl_form {
    hl_form_field *fields; /* owned by the arena; in the order sent */
    size_t count;
} hl_form;

/* Parses length bytes of text (NULL allowed when length is 0: no
 * parameters) into out, at most max_fields parameters. Everything out
 * points to lives in the arena. */
int hl_form_parse(const char *text, size_t length, hl_arena *arena, size_t max_fields, hl_form *out,
                  hl_error *error);

/* Adds one already-decoded parameter (a query argument that the HTTP
 * library decoded) after the same checks as a parsed one: the name not
 * empty, neither holding a NUL (lengths given explicitly for that reason),
 * both UTF-8. value NULL counts as "". Fails when the form already holds
 * max_fields parameters. */
int hl_form_add(hl_form *form, hl_arena *arena, size_t max_fields, const char *name,
                size_t name_length, const char *value, size_t value_length, hl_error *error);

/* The first value of a name, or NULL when absent. */
const char *hl_form_get(const hl_form *form, const char *name);

/* How many times a name occurs. */
size_t hl_form_count(const hl_form *form, const char *name);

/* Recognises Open311's attribute parameters: "attribute[CODE]" (one value)
 * and "attribute[CODE][]" (one of several values of a multivaluelist).
 * On a match *code is the CODE part (a slice into name, possibly empty: the
 * caller checks it) and *list says whether "[]" followed. */
bool hl_form_attribute_name(const char *name, hl_slice *code, bool *list);

#endif
