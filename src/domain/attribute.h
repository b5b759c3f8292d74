/* attribute.h: the questions a category asks of a request (Open311's
 * service definitions).
 *
 * A category may define attributes: each has a code, a position (Open311's
 * "order"), a datatype (string, number, datetime, text, singlevaluelist,
 * multivaluelist), whether an answer is required, whether the citizen
 * answers it at all ("variable": false marks text only shown with the
 * form), the question, an optional description of the datatype and, for
 * the two list types, the values that may be chosen. The values are kept
 * as one text, "key=name|key=name", so that a definition is one plain
 * record (and one CSV row). This module validates definitions and the
 * answers to them; it reads and writes nothing. */
#ifndef HL_ATTRIBUTE_H
#define HL_ATTRIBUTE_H

#include <stdbool.h>

#include "base/error.h"
#include "base/text.h"
#include "domain/limits.h"

typedef enum hl_attribute_type {
    HL_ATTRIBUTE_STRING = 0,      /* one line */
    HL_ATTRIBUTE_NUMBER,          /* a decimal number */
    HL_ATTRIBUTE_DATETIME,        /* W3C ISO 8601, with its zone */
    HL_ATTRIBUTE_TEXT,            /* several lines */
    HL_ATTRIBUTE_SINGLEVALUELIST, /* one key of the values */
    HL_ATTRIBUTE_MULTIVALUELIST,  /* one or more keys of the values */
    HL_ATTRIBUTE_TYPE_COUNT
} hl_attribute_type;

/* Attributes one category may define. */
#define HL_ATTRIBUTES_MAX 32
/* Values one list may offer. */
#define HL_ATTRIBUTE_VALUES_MAX 64
#define HL_ATTRIBUTE_VALUES_BYTES 4096
/* The longest answers: a string is one line of this many characters, a
 * text as long as an order's content. */
#define HL_ATTRIBUTE_STRING_CHARS 500
#define HL_ATTRIBUTE_TEXT_CHARS HL_CONTENT_CHARS

typedef struct hl_attribute {
    char category[HL_CODE_BYTES];
    char code[HL_CODE_BYTES];
    int position; /* 1..1000: the order in which the form lists them */
    hl_attribute_type datatype;
    bool required;                              /* only meaningful when variable */
    bool variable;                              /* false: shown, never answered */
    char description[HL_REASON_BYTES];          /* the question */
    char datatype_description[HL_REASON_BYTES]; /* e.g. "a date, such as 2024-02-01" */
    char values[HL_ATTRIBUTE_VALUES_BYTES];     /* list types: "key=name|key=name"; else "" */
} hl_attribute;

/* Stable names ("string", "singlevaluelist"...), as Open311 spells them. */
const char *hl_attribute_type_name(hl_attribute_type type);
int hl_attribute_type_parse(hl_slice text, hl_attribute_type *out);
bool hl_attribute_is_list(hl_attribute_type type);

/* Checks a whole definition: codes, position, question, and the values
 * (present, well-formed, distinct keys, at most HL_ATTRIBUTE_VALUES_MAX)
 * exactly when the type is a list. HL_EINVAL naming the field. */
int hl_attribute_validate(const hl_attribute *attribute, hl_error *error);

/* Calls visit for each value of a list attribute, in order, with its key
 * and name (slices into attribute->values). Stops when visit returns
 * false. */
typedef bool (*hl_attribute_value_visitor)(void *context, hl_slice key, hl_slice name);
void hl_attribute_each_value(const hl_attribute *attribute, hl_attribute_value_visitor visit,
                             void *context);

/* Whether key is one of a list attribute's values. */
bool hl_attribute_has_value(const hl_attribute *attribute, hl_slice key);

/* Checks one non-empty answer (for a multivaluelist, one of the chosen
 * keys) against the attribute's datatype; HL_EINVAL naming field. */
int hl_attribute_check_answer(const hl_attribute *attribute, hl_slice answer, const char *field,
                              hl_error *error);

#endif
