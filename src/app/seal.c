/* seal.c: the new file and the seal of a backup or an archive (seal.h).
 * It knows nothing of what a digest covers (app/copy.c's tables for a
 * backup, the audit chains for an archive). */
#include "app/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "base/i18n.h"

void hl_seal_remove_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t index = 0; index < sizeof suffixes / sizeof suffixes[0]; index++) {
        char name[PATH_MAX];
        int length = snprintf(name, sizeof name, "%s%s", path, suffixes[index]);
        if (length > 0 && (size_t)length < sizeof name)
            unlink(name);
    }
}

int hl_seal_create_file(const char *path, const char *field, hl_error *error)
{
    int descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (descriptor >= 0) {
        close(descriptor);
        return HL_OK;
    }
    if (errno == EEXIST)
        return hl_error_set(error, HL_EINVAL, field,
                            HL_T("%s 已存在：不覆盖已有文件", "%s already exists: it is never "
                                                              "overwritten"),
                            path);
    return hl_error_set(error, HL_EIO, field, HL_T("无法创建 %s：%s", "cannot create %s: %s"), path,
                        strerror(errno));
}

void hl_seal_hex(const hl_app *app, const void *digest, size_t length, char out[HL_SEAL_HEX_BYTES])
{
    unsigned char seal[HL_SECRETS_BACKUP_SEAL_BYTES];
    hl_secrets_backup_seal(app->secrets, digest, length, seal);
    sodium_bin2hex(out, HL_SEAL_HEX_BYTES, seal, sizeof seal);
}

int hl_seal_read(hl_store *store, const char *key, char value[HL_SEAL_HEX_BYTES], hl_error *error)
{
    hl_error inner;
    hl_error_clear(&inner);
    int result = hl_store_config_get(store, key, value, HL_SEAL_HEX_BYTES, &inner);
    if (result != HL_OK && result != HL_ENOTFOUND)
        *error = inner;
    return result;
}

int hl_seal_write(hl_store *store, const char *key, const char *value, hl_error *error)
{
    int result = hl_store_begin(store, error);
    if (result == HL_OK)
        result = hl_store_finish(store, hl_store_config_set(store, key, value, error), error);
    return result;
}
