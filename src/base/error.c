/* error.c: the error record and the allocation helpers.
 *
 * It formats messages and aborts on out-of-memory; it does not log or print:
 * the CLI and the server decide how an error reaches a person. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hl_error_clear(hl_error *error)
{
    if (error == NULL)
        return;
    error->code = HL_OK;
    error->field[0] = '\0';
    error->message[0] = '\0';
}

int hl_error_set(hl_error *error, int code, const char *field, const char *format, ...)
{
    if (error == NULL)
        return code;
    error->code = code;
    snprintf(error->field, sizeof error->field, "%s", field != NULL ? field : "");
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
    return code;
}

const char *hl_error_code_name(int code)
{
    switch (code) {
    case HL_OK: return "ok";
    case HL_EINVAL: return "invalid";
    case HL_ENOTFOUND: return "not_found";
    case HL_ESTATE: return "wrong_state";
    case HL_EROLE: return "forbidden";
    case HL_ECONFLICT: return "conflict";
    case HL_EIO: return "storage";
    case HL_EMISMATCH: return "mismatch";
    case HL_ERETRY: return "retry";
    case HL_EUNAVAILABLE: return "unavailable";
    default: return "unknown";
    }
}

static void *abort_out_of_memory(void)
{
    fputs("hotline: out of memory\n", stderr);
    abort();
}

void *hl_xmalloc(size_t size)
{
    void *pointer = malloc(size == 0 ? 1 : size);
    return pointer != NULL ? pointer : abort_out_of_memory();
}

void *hl_xcalloc(size_t count, size_t size)
{
    void *pointer = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
    return pointer != NULL ? pointer : abort_out_of_memory();
}

void *hl_xrealloc(void *pointer, size_t size)
{
    void *grown = realloc(pointer, size == 0 ? 1 : size);
    return grown != NULL ? grown : abort_out_of_memory();
}

char *hl_xstrdup(const char *text)
{
    size_t length = strlen(text);
    char *copy = hl_xmalloc(length + 1);
    memcpy(copy, text, length + 1);
    return copy;
}
