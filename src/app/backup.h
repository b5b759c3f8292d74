/* backup.h: hotline backup and hotline restore, a whole store saved into a
 * new file and brought back into an empty store, on either backend.
 *
 * A backup is a store of its own: an SQLite file at the current schema,
 * written by the copy (app/copy.h) from ONE read snapshot of the source.
 * The snapshot is what makes it consistent while servers keep writing:
 * SQLite's WAL and PostgreSQL's MVCC both let a read transaction see the
 * store as it was at its start, without stopping a writer, and the copy's
 * digests prove the file holds exactly that snapshot, table by table.
 * The file is created new (never over an existing one) and 0600.
 *
 * What a backup does not hold: the key file of citizens' phones (the phones
 * are in it sealed, as in the store: the backup alone reveals no number),
 * and SQLite's "<store>.counters" side file (short-lived throttle counts,
 * made again empty at the first use; the copy never moves them on either
 * backend). The key is written only when asked, to a path of its own that
 * must not be in the backup's directory (hl_backup_options.key_copy).
 *
 * A restore opens the backup with the key it is given (the key's check
 * value in the backup must match: HL_EINVAL otherwise), checks its seal
 * (below), runs the checks of hotline verify on it, and only then copies
 * it into the target, which
 * must be empty (HL_ECONFLICT otherwise; the target is left as it was,
 * and an SQLite target file the restore created is removed on failure).
 *
 * Both are security events: each is recorded, with its actor, in the audit
 * trail (app/audit.h) of the store it read (backup) or wrote (restore),
 * as a read of order 0 ("every order") by the route "backup" or "restore";
 * a backup whose record cannot be written is removed. */
#ifndef HL_APP_BACKUP_H
#define HL_APP_BACKUP_H

#include "app/app.h"
#include "app/copy.h"
#include "app/verify.h"

/* The config row of a backup that holds its seal: a keyed hash (the key
 * file's fourth key, app/secrets.h) of the digest of every table but that
 * row. A restore recomputes it before anything else is read into the
 * target: a backup changed after it was written (a name edited in a row, a
 * row deleted, even one whose log still agrees) or never sealed is refused. */
#define HL_BACKUP_SEAL_CONFIG_KEY "backup.seal"

/* The routes under which backups and restores appear in the audit trail. */
#define HL_BACKUP_AUDIT_ROUTE "backup"
#define HL_RESTORE_AUDIT_ROUTE "restore"

typedef struct hl_backup_options {
    const char *actor;    /* who, for the audit ("cli:<os user>") */
    const char *key_path; /* the key file app was opened with */
    /* Where to write a copy of the key file (0600, never over a file), or
     * NULL: none. Refused when it is in the backup's directory: a backup
     * and its key stored together reveal every phone. */
    const char *key_copy;
} hl_backup_options;

/* Backs up the store of app (either backend) into a new SQLite file at
 * path (which must not exist: HL_EINVAL), from one read snapshot, while
 * others write. *digest (may be NULL) receives the digest of what was
 * saved. On any failure nothing is left at path (nor at key_copy). */
int hl_backup(hl_app *app, const char *path, const hl_backup_options *options,
              hl_copy_digest *digest, hl_error *error);

typedef struct hl_restore_result {
    hl_verify_summary verified; /* what the checks of the backup read */
    hl_copy_digest digest;      /* what was restored */
} hl_restore_result;

/* Restores the backup file at backup_path into the empty store at target
 * (a path or a postgresql:// address), opening the backup with the key
 * file key_path (which the restored store then uses). Refused, target
 * unchanged: a backup that is missing, not a database, of another key, or
 * that verify finds differences in (HL_EINVAL); a target that is not empty
 * (HL_ECONFLICT). actor is recorded in the target's audit trail. */
int hl_restore(const char *backup_path, const char *target, const char *key_path, const char *actor,
               hl_restore_result *result, hl_error *error);

#endif
