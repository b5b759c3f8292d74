/* file.h: whole-file reads and durable whole-file writes. */
#ifndef HL_FILE_H
#define HL_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* Reads a whole file (or standard input for "-") into a malloc'd buffer
 * that the caller owns and frees; a NUL is added after the content. Files
 * larger than max_bytes are refused with HL_EINVAL. */
int hl_file_read_all(const char *path, size_t max_bytes, char **data, size_t *length,
                     hl_error *error);

#endif
