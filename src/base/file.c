/* file.c: reading whole files. Used for imports and configuration, where
 * the input is validated as a whole before anything is written. */
#include "base/file.h"

#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hl_file_read_all(const char *path, size_t max_bytes, char **data, size_t *length,
                     hl_error *error)
{
    bool standard_input = strcmp(path, "-") == 0;
    FILE *file = standard_input ? stdin : fopen(path, "rb");
    /* A file that cannot be opened is the caller's mistake (a wrong name or
     * rights), not a storage failure. */
    if (file == NULL)
        return hl_error_set(error, HL_EINVAL, "file",
                            HL_T("无法打开文件 %s：%s", "cannot open %s: %s"), path,
                            strerror(errno));
    size_t capacity = 1 << 16, used = 0;
    char *buffer = hl_xmalloc(capacity + 1);
    for (;;) {
        if (used == capacity) {
            if (capacity >= max_bytes) {
                free(buffer);
                if (!standard_input)
                    fclose(file);
                return hl_error_set(error, HL_EINVAL, "file", "%s: larger than %zu bytes", path,
                                    max_bytes);
            }
            capacity *= 2;
            buffer = hl_xrealloc(buffer, capacity + 1);
        }
        size_t got = fread(buffer + used, 1, capacity - used, file);
        used += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(file) != 0;
    if (!standard_input)
        fclose(file);
    if (failed || used > max_bytes) {
        free(buffer);
        return hl_error_set(error, failed ? HL_EIO : HL_EINVAL, "file",
                            failed ? "%s: read error" : "%s: too large", path);
    }
    buffer[used] = '\0';
    *data = buffer;
    *length = used;
    return HL_OK;
}
