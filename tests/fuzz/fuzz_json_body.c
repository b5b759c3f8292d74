/* fuzz_json_body.c: libFuzzer harness for the strict JSON body parser
 * (src/http/json_body.c, hl_json_body_parse).
 *
 * The first byte of an input picks one of the field sets the routes
 * declare (login, password, registration, an action), the rest is the
 * body. Besides "no crash, no leak, no undefined behaviour" (the
 * sanitizers' part) it checks what the parser promises: on success every
 * required field is present, every string value is valid UTF-8 without a
 * NUL inside, and an integer field holds an integer; on failure the error
 * is HL_EINVAL naming a field and carrying a message. It does not test the
 * routes that use the fields (fuzz_routes.c does). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text.h"
#include "http/arena.h"
#include "http/json_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 11

typedef struct field_set {
    size_t count;
    hl_json_field fields[MAX_FIELDS];
} field_set;

static const field_set field_sets[] = {
    {2, {{.name = "username"}, {.name = "password"}}},
    {2, {{.name = "old"}, {.name = "new"}}},
    {11,
     {{.name = "channel", .optional = true},
      {.name = "type"},
      {.name = "title"},
      {.name = "content"},
      {.name = "category", .optional = true},
      {.name = "citizen_name", .optional = true},
      {.name = "citizen_phone", .optional = true},
      {.name = "address", .optional = true},
      {.name = "latitude", .kind = HL_JSON_NUMBER, .optional = true},
      {.name = "longitude", .kind = HL_JSON_NUMBER, .optional = true},
      {.name = "received_at", .optional = true}}},
    {8,
     {{.name = "unit", .optional = true},
      {.name = "co_units", .optional = true},
      {.name = "note", .optional = true},
      {.name = "days", .kind = HL_JSON_INTEGER, .optional = true},
      {.name = "into", .optional = true},
      {.name = "outcome", .optional = true},
      {.name = "rating", .optional = true},
      {.name = "resolved", .optional = true}}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    field_set set = field_sets[data[0] % (sizeof field_sets / sizeof field_sets[0])];
    /* The body exactly as the server hands it over: its own allocation
     * (so that ASan sees any read past it), NUL-terminated after length. */
    size_t length = size - 1;
    char *body = malloc(length + 1);
    if (body == NULL)
        abort();
    memcpy(body, data + 1, length);
    body[length] = '\0';

    hl_arena arena;
    hl_arena_init(&arena, 0);
    hl_error error;
    hl_error_clear(&error);
    int result =
        hl_json_body_parse(length > 0 ? body : NULL, length, &arena, set.fields, set.count, &error);
    if (result == HL_OK) {
        for (size_t index = 0; index < set.count; index++) {
            const hl_json_field *field = &set.fields[index];
            if (!field->optional && !field->present)
                abort();
            if (field->kind == HL_JSON_STRING && field->present) {
                if (field->value == NULL || !hl_text_is_utf8(field->value, strlen(field->value)))
                    abort();
            }
            if (field->kind != HL_JSON_STRING && field->value != NULL)
                abort();
        }
    } else {
        if (result != HL_EINVAL || error.code != HL_EINVAL || error.field[0] == '\0' ||
            error.message[0] == '\0')
            abort();
    }
    hl_arena_free(&arena);
    free(body);
    return 0;
}
