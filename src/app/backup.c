/* backup.c: hotline backup and hotline restore (see backup.h).
 *
 * Both are the copy (app/copy.c) with a file around it: a backup copies the
 * open store into a new SQLite file, a restore copies a backup into an
 * empty store after the backup passed its seal and the checks of hotline
 * verify. This
 * file decides where files go and what is left when something fails (never
 * a half-written backup or target); it reads no SQL and opens no phone.
 * Why the copy and not SQLite's own backup API or VACUUM INTO: one way for
 * both backends (a PostgreSQL store is backed up into the same kind of
 * file), a backup that is checked table by table against the snapshot it
 * was read from, and a file that restores into either backend. */
#include "app/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "app/audit.h"
#include "app/seal.h"
#include "app/secrets.h"
#include "base/clock.h"
#include "base/contract.h"
#include "base/file.h"
#include "base/i18n.h"

/* A key file is 64 hex digits and a newline; anything much longer is not one. */
#define KEY_FILE_MAX_BYTES 4096

static bool is_address(const char *store)
{
    return strstr(store, "://") != NULL;
}

/* The real directory a (possibly not yet existing) file would be in. */
static bool directory_of(const char *path, char out[PATH_MAX])
{
    char copy[PATH_MAX];
    int length = snprintf(copy, sizeof copy, "%s", path);
    if (length <= 0 || (size_t)length >= sizeof copy)
        return false;
    char *slash = strrchr(copy, '/');
    const char *directory = ".";
    if (slash == copy)
        directory = "/";
    else if (slash != NULL) {
        *slash = '\0';
        directory = copy;
    }
    return realpath(directory, out) != NULL;
}

static int check_key_copy(const char *path, const char *key_copy, hl_error *error)
{
    char backup_directory[PATH_MAX], key_directory[PATH_MAX];
    if (!directory_of(path, backup_directory) || !directory_of(key_copy, key_directory))
        return hl_error_set(error, HL_EINVAL, "key-copy",
                            HL_T("%s 或 %s 所在的目录不存在", "the directory of %s or of %s does "
                                                              "not exist"),
                            path, key_copy);
    if (strcmp(backup_directory, key_directory) == 0)
        return hl_error_set(error, HL_EINVAL, "key-copy", "%s",
                            HL_T("密钥副本不能与备份放在同一目录：两者在一起即可读出全部联系电话",
                                 "the key's copy may not be in the backup's directory: the two "
                                 "together reveal every phone number"));
    return HL_OK;
}

/* Writes the key file's bytes to a new 0600 file at key_copy, synced. */
static int write_key_copy(const char *key_path, const char *key_copy, hl_error *error)
{
    char *data = NULL;
    size_t length = 0;
    int result = hl_file_read_all(key_path, KEY_FILE_MAX_BYTES, &data, &length, error);
    if (result == HL_OK)
        result = hl_seal_create_file(key_copy, "key-copy", error);
    if (result != HL_OK) {
        free(data);
        return result;
    }
    int descriptor = open(key_copy, O_WRONLY | O_CLOEXEC);
    bool written = descriptor >= 0 && write(descriptor, data, length) == (ssize_t)length &&
                   fsync(descriptor) == 0;
    int saved = errno;
    if (descriptor >= 0 && close(descriptor) != 0)
        written = false;
    free(data);
    if (!written) {
        unlink(key_copy);
        return hl_error_set(error, HL_EIO, "key-copy",
                            HL_T("无法写入密钥副本 %s：%s", "cannot write the key's copy %s: %s"),
                            key_copy, strerror(saved));
    }
    return HL_OK;
}

/* ---- the seal ---- */

/* The seal of a digest from which the seal's own row was taken out. */
static void seal_of(const hl_app *app, const hl_copy_digest *digest, char out[HL_SEAL_HEX_BYTES])
{
    unsigned char bytes[HL_COPY_TABLE_COUNT * (8 + HL_COPY_HASH_BYTES)];
    size_t length = 0;
    for (int table = 0; table < HL_COPY_TABLE_COUNT; table++) {
        uint64_t rows = (uint64_t)digest->tables[table].rows;
        for (int index = 0; index < 8; index++)
            bytes[length++] = (unsigned char)(rows >> (8 * index));
        memcpy(bytes + length, digest->tables[table].hash, HL_COPY_HASH_BYTES);
        length += HL_COPY_HASH_BYTES;
    }
    hl_seal_hex(app, bytes, length, out);
}

/* Seals the backup just written: its digest is the source's snapshot's,
 * less a seal row the source may hold (a store restored from a backup),
 * which the new seal replaces. */
static int seal_backup(hl_app *app, hl_store *backup, const hl_copy_digest *written,
                       hl_error *error)
{
    hl_copy_digest *digest = hl_xcalloc(1, sizeof *digest);
    *digest = *written;
    char value[HL_SEAL_HEX_BYTES];
    int result = hl_seal_read(backup, HL_BACKUP_SEAL_CONFIG_KEY, value, error);
    if (result == HL_OK)
        hl_copy_digest_remove_config(digest, HL_BACKUP_SEAL_CONFIG_KEY, value);
    if (result == HL_OK || result == HL_ENOTFOUND) {
        seal_of(app, digest, value);
        result = hl_seal_write(backup, HL_BACKUP_SEAL_CONFIG_KEY, value, error);
    }
    free(digest);
    return result;
}

/* Recomputes the seal of the backup opened as app and compares. */
static int check_seal(hl_app *app, hl_error *error)
{
    char stored[HL_SEAL_HEX_BYTES], expected[HL_SEAL_HEX_BYTES];
    int result = hl_seal_read(app->store, HL_BACKUP_SEAL_CONFIG_KEY, stored, error);
    if (result == HL_ENOTFOUND)
        return hl_error_set(error, HL_EINVAL, "backup", "%s",
                            HL_T("它没有封印（不是 hotline backup 写出的备份）",
                                 "it carries no seal (it was not written by hotline backup)"));
    hl_copy_digest *digest = hl_xcalloc(1, sizeof *digest);
    if (result == HL_OK)
        result = hl_copy_digest_store(app->store, digest, error);
    if (result == HL_OK) {
        hl_copy_digest_remove_config(digest, HL_BACKUP_SEAL_CONFIG_KEY, stored);
        seal_of(app, digest, expected);
        if (sodium_memcmp(stored, expected, sizeof expected) != 0)
            result = hl_error_set(error, HL_EINVAL, "backup", "%s",
                                  HL_T("封印不符：备份写出后被改动过",
                                       "its seal does not match: it was changed after it was "
                                       "written"));
    }
    free(digest);
    return result;
}

/* Records a backup or restore (route) in the audit of reads, whose failure
 * fails the act, and then as a security event naming the file (path): the
 * act has happened by then, so a failure there is only told the operator
 * (app/audit hl_audit_security). */
static int audit_event(hl_app *app, const char *actor, const char *route, const char *path,
                       hl_error *error)
{
    hl_audit_read read;
    hl_audit_read_of(&read, hl_clock_now(), actor, 0, route);
    int result = hl_audit_record(app, &read, 1, error);
    if (result == HL_OK)
        (void)hl_audit_security(app, actor, NULL, route, path, HL_AUDIT_SUCCESS, NULL);
    return result;
}

int hl_backup(hl_app *app, const char *path, const hl_backup_options *options,
              hl_copy_digest *digest, hl_error *error)
{
    HL_REQUIRE(app != NULL && path != NULL && options != NULL);
    if (path[0] == '\0' || is_address(path))
        return hl_error_set(error, HL_EINVAL, "backup", "%s",
                            HL_T("备份须写入一个新文件（路径），不能写入数据库服务器",
                                 "a backup is written to a new file (a path), not to a "
                                 "database server"));
    int result = HL_OK;
    if (options->key_copy != NULL)
        result = check_key_copy(path, options->key_copy, error);
    if (result == HL_OK)
        result = hl_seal_create_file(path, "backup", error);
    if (result != HL_OK)
        return result;
    hl_store *backup = NULL;
    result = hl_store_open(path, &backup, error);
    hl_copy_digest *written = hl_xcalloc(1, sizeof *written);
    if (result == HL_OK)
        result = hl_copy_stores(app->store, backup, written, error);
    if (result == HL_OK)
        result = seal_backup(app, backup, written, error);
    if (result == HL_OK && digest != NULL)
        *digest = *written;
    free(written);
    hl_store_close(backup); /* checkpoints: the backup is one file after */
    if (result == HL_OK && options->key_copy != NULL) {
        result = options->key_path != NULL
                     ? write_key_copy(options->key_path, options->key_copy, error)
                     : hl_error_set(error, HL_EINVAL, "key-copy", "%s",
                                    HL_T("没有可复制的密钥文件", "there is no key file to copy"));
    }
    if (result == HL_OK) {
        result = audit_event(app, options->actor, HL_BACKUP_AUDIT_ROUTE, path, error);
        if (result != HL_OK && options->key_copy != NULL)
            unlink(options->key_copy);
    }
    if (result != HL_OK)
        hl_seal_remove_files(path);
    return result;
}

/* ---- restore ---- */

static void count_difference(void *context, const char *line)
{
    (void)line;
    (*(int64_t *)context)++;
}

/* Opens the backup with the key and runs verify's checks on it. Every
 * refusal is one line naming the backup, HL_EINVAL: the backup, not the
 * store, is what is wrong. */
static int open_verified(const char *backup_path, const char *key_path, hl_app **out,
                         hl_verify_summary *summary, hl_error *error)
{
    if (access(backup_path, F_OK) != 0)
        return hl_error_set(error, HL_EINVAL, "backup",
                            HL_T("备份文件 %s 不存在", "the backup %s does not exist"),
                            backup_path);
    hl_app *app = NULL;
    hl_error inner;
    hl_error_clear(&inner);
    int result = hl_app_open_keyed(backup_path, key_path, &app, &inner);
    if (result == HL_OK)
        result = check_seal(app, &inner);
    int64_t differences = 0;
    if (result == HL_OK)
        result = hl_verify_run_full(app, count_difference, &differences, summary, &inner);
    if (result == HL_EMISMATCH)
        snprintf(inner.message, sizeof inner.message,
                 HL_T("与其事件日志有 %lld 处不符（hotline --db %s verify 逐条列出）",
                      "%lld difference(s) from its event log (hotline --db %s verify lists them)"),
                 (long long)differences, backup_path);
    if (result != HL_OK) {
        hl_app_close(app);
        return hl_error_set(error, HL_EINVAL, "backup",
                            HL_T("备份 %s 不可用，未作任何恢复：%s",
                                 "the backup %s cannot be used, nothing was restored: %s"),
                            backup_path, inner.message);
    }
    *out = app;
    return HL_OK;
}

int hl_restore(const char *backup_path, const char *target, const char *key_path, const char *actor,
               hl_restore_result *outcome, hl_error *error)
{
    HL_REQUIRE(backup_path != NULL && target != NULL && key_path != NULL && outcome != NULL);
    memset(outcome, 0, sizeof *outcome);
    if (is_address(backup_path))
        return hl_error_set(error, HL_EINVAL, "backup", "%s",
                            HL_T("备份须是 hotline backup 写出的文件",
                                 "a backup is a file written by hotline backup"));
    if (strcmp(backup_path, target) == 0)
        return hl_error_set(error, HL_EINVAL, "backup", "%s",
                            HL_T("备份与目标是同一个文件", "the backup and the target are the "
                                                           "same file"));
    hl_app *source = NULL;
    int result = open_verified(backup_path, key_path, &source, &outcome->verified, error);
    if (result != HL_OK)
        return result;
    /* A target file that does not exist is made here, 0600, and removed
     * again if the restore fails: a failed restore leaves no empty store. */
    bool created = false;
    if (!is_address(target) && access(target, F_OK) != 0) {
        result = hl_seal_create_file(target, "db", error);
        created = result == HL_OK;
    }
    hl_store *store = NULL;
    if (result == HL_OK)
        result = hl_store_open(target, &store, error);
    if (result == HL_OK)
        result = hl_copy_stores(source->store, store, &outcome->digest, error);
    if (result == HL_ECONFLICT) /* the copy's refusal, said as a restore's */
        hl_error_set(error, HL_ECONFLICT, "db",
                     HL_T("恢复只能写入空数据库，而 %s 不是空的：未作任何更改",
                          "a backup is restored only into an empty store, and %s is not: nothing "
                          "was changed"),
                     target);
    hl_store_close(store);
    hl_app_close(source);
    if (result != HL_OK) {
        if (created)
            hl_seal_remove_files(target);
        return result;
    }
    /* The restored store is opened as every command opens it, with the
     * key (whose check value it now holds), and the restore recorded. */
    hl_app *restored = NULL;
    result = hl_app_open_keyed(target, key_path, &restored, error);
    if (result == HL_OK)
        result = audit_event(restored, actor, HL_RESTORE_AUDIT_ROUTE, backup_path, error);
    hl_app_close(restored);
    return result;
}
