/* fields.c: settings that are int fields of a struct (see fields.h).
 *
 * It finds, reads, parses and writes the fields a table names; it knows
 * nothing of the structs nor of what their settings mean. */
#include "base/fields.h"

#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

const hl_int_field *hl_int_field_find(const hl_int_field *fields, size_t count, const char *name)
{
    for (size_t index = 0; name != NULL && index < count; index++)
        if (strcmp(fields[index].name, name) == 0)
            return &fields[index];
    return NULL;
}

int hl_int_field_get(const void *record, const hl_int_field *field)
{
    int value;
    memcpy(&value, (const char *)record + field->offset, sizeof value);
    return value;
}

int hl_int_field_refuse(const hl_int_field *field, hl_error *error)
{
    return hl_error_set(
        error, HL_EINVAL, field->name,
        HL_T("%s 应为 %d 到 %d 之间的整数", "%s must be a whole number from %d to %d"), field->name,
        field->minimum, field->maximum);
}

int hl_int_field_set(void *record, const hl_int_field *field, const char *value, hl_error *error)
{
    int64_t parsed = 0;
    if (value == NULL || hl_text_parse_int(hl_slice_trim(hl_slice_of(value)), field->minimum,
                                           field->maximum, &parsed) != HL_OK)
        return hl_int_field_refuse(field, error);
    int stored = (int)parsed;
    memcpy((char *)record + field->offset, &stored, sizeof stored);
    return HL_OK;
}
