/* transfer_internal.h: what the transfer files (transfer_load.c,
 * transfer_import.c) share, and no one else includes. */
#ifndef HL_TRANSFER_INTERNAL_H
#define HL_TRANSFER_INTERNAL_H

#include "base/error.h"
#include "base/text.h"

/* Copies an optional unit, category or user code: empty stays empty, else
 * it must be a well-formed code (HL_EINVAL naming field). */
int hl_transfer_copy_optional_code(char *destination, hl_slice text, const char *field,
                                   hl_error *error);

#endif
