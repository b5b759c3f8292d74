/* fields.h: settings that are int fields of a struct, named and bounded.
 *
 * A module with settings of the form "key = whole number" (the time limits,
 * the assessment policy) lists them once in a table: each key's name, the
 * offset of its int in the module's struct and the bounds it accepts. The
 * functions here find a key, read and write its field, and parse a value
 * against its bounds, so that the tables are all each module writes. What
 * the settings mean, and the keys that are not plain numbers, stay with the
 * module. */
#ifndef HL_FIELDS_H
#define HL_FIELDS_H

#include <stddef.h>

#include "base/error.h"

typedef struct hl_int_field {
    const char *name;
    size_t offset; /* of the int in the struct the table describes */
    int minimum;
    int maximum;
} hl_int_field;

/* The field named name among count fields; NULL when name is NULL or none is. */
const hl_int_field *hl_int_field_find(const hl_int_field *fields, size_t count, const char *name);

/* The field's value in record, a struct the table describes. */
int hl_int_field_get(const void *record, const hl_int_field *field);

/* Parses value (white space around it allowed) as a whole number within the
 * field's bounds and stores it in record. A NULL or bad value is HL_EINVAL
 * with a message naming the field and its bounds; record is then unchanged. */
int hl_int_field_set(void *record, const hl_int_field *field, const char *value, hl_error *error);

/* HL_EINVAL with the message of hl_int_field_set for a value out of bounds. */
int hl_int_field_refuse(const hl_int_field *field, hl_error *error);

#endif
