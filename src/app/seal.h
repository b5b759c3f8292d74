/* seal.h: what a backup (app/backup.c) and an audit archive (app/archive.c)
 * share: the new file each is written into, created 0600 and never over
 * an existing one, removed whole when writing fails, and the seal that
 * proves it unchanged since: a keyed BLAKE2b (hl_secrets_backup_seal,
 * app/secrets.h) of a digest of its rows, kept as hex in a config row of
 * the file itself. Only a holder of the store's key file can make or check
 * a seal. Each caller decides what its digest covers. */
#ifndef HL_APP_SEAL_H
#define HL_APP_SEAL_H

#include <stddef.h>

#include "app/app.h"
#include "app/secrets.h"
#include "store/store.h"

#define HL_SEAL_HEX_BYTES (HL_SECRETS_BACKUP_SEAL_BYTES * 2 + 1)

/* Creates path new and empty, readable by its owner only. An existing file
 * is HL_EINVAL naming field (it is never overwritten); another failure
 * HL_EIO. */
int hl_seal_create_file(const char *path, const char *field, hl_error *error);

/* Removes an SQLite store's file and the files SQLite keeps beside it. */
void hl_seal_remove_files(const char *path);

/* The seal of length bytes of digest under app's key, as hex. */
void hl_seal_hex(const hl_app *app, const void *digest, size_t length, char out[HL_SEAL_HEX_BYTES]);

/* Reads the seal kept in store's config row key: HL_OK with its value,
 * HL_ENOTFOUND (error untouched), or another failure. */
int hl_seal_read(hl_store *store, const char *key, char value[HL_SEAL_HEX_BYTES], hl_error *error);

/* Writes value into store's config row key, in a transaction of its own. */
int hl_seal_write(hl_store *store, const char *key, const char *value, hl_error *error);

#endif
