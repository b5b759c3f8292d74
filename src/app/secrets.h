/* secrets.h: the key that seals citizens' phone numbers, names and
 * addresses at rest.
 *
 * One master key of 32 random bytes lives in a key file OUTSIDE the
 * database: by default "<database path>.key" (demo/hotline.db.key), else
 * the file named by --key-file or HOTLINE_KEY_FILE. The file holds the key
 * as 64 hex digits and a newline, is created with mode 0600 (a temporary
 * file linked into place, so that a key that exists is never replaced),
 * and is refused when its length is wrong or when its group or others may
 * read or write it. Four keys are derived from it with libsodium's
 * crypto_kdf (context "hlphone1"):
 *
 *   1. the secretbox key that seals each phone number (XSalsa20-Poly1305;
 *      the nonce a random prefix drawn per hl_secrets and a counter; the
 *      number padded to HL_PHONE_CHARS bytes so that every sealed number
 *      has one length);
 *   2. the key of the search hash: BLAKE2b (crypto_generichash) keyed, of
 *      the number's normal form (domain/phone.h), 16 bytes;
 *   3. the key of the check value: a keyed hash of a fixed text, stored in
 *      the store's config ("secrets.key_check"), so that opening a store
 *      with another key fails at once instead of showing garbage;
 *   4. the key of backups' seals: a keyed BLAKE2b of a backup's digest
 *      (app/backup.h), so that only a holder of the key can seal one.
 *
 * Two more come from the context "hltexts1": the secretbox keys of the
 * citizen's name and of the address (one each, so that a sealed name never
 * opens as an address), each text padded with NULs to the longest its
 * field holds (256 and 800 bytes) so that the sealed length tells nothing.
 * They have no search hash: nothing searches by them (docs/security.md).
 *
 * A stolen database alone reveals no number: the sealed numbers need key
 * 1, and the hashes cannot be tried against every possible number without
 * key 2. The database and the key file together reveal everything: keep
 * the key file off the database's backups, or back it up apart.
 *
 * Keys live in memory allocated by sodium_malloc (locked, guarded, wiped
 * when freed). Once made, an hl_secrets changes only its nonce counter
 * (atomically), so several threads may use one at once. */
#ifndef HL_SECRETS_H
#define HL_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "base/error.h"
#include "store/store.h"

#define HL_SECRETS_KEY_BYTES 32
/* The config key of the check value, and its size as hex with NUL. */
#define HL_SECRETS_CHECK_CONFIG_KEY "secrets.key_check"
#define HL_SECRETS_CHECK_HEX_BYTES 65

typedef struct hl_secrets hl_secrets;

/* The default key file of a store: "<db_path>.key", malloc'd (the caller
 * frees it). */
char *hl_secrets_default_key_path(const char *db_path);

/* Reads the key file at path. When it is absent and create is true, makes
 * a new key there (and *created, when not NULL, becomes true). HL_EIO, one
 * line naming the file, when it is missing (create false), unreadable, of
 * the wrong length or form, or open to others. The caller owns *out
 * (hl_secrets_free). */
int hl_secrets_load(const char *path, bool create, hl_secrets **out, bool *created,
                    hl_error *error);

/* Makes secrets from a key given in memory (tests, tools). */
int hl_secrets_from_key(const unsigned char key[HL_SECRETS_KEY_BYTES], hl_secrets **out,
                        hl_error *error);

void hl_secrets_free(hl_secrets *secrets); /* secrets may be NULL */

/* The check value of the key, as hex (HL_SECRETS_CHECK_HEX_BYTES). */
void hl_secrets_check_value(const hl_secrets *secrets, char out[HL_SECRETS_CHECK_HEX_BYTES]);

/* A keyed BLAKE2b of data (32 bytes) under a fourth key derived from the
 * master key: what seals a backup's digest (app/backup.c), so that only a
 * holder of the key file can make a seal that a restore accepts. */
#define HL_SECRETS_BACKUP_SEAL_BYTES 32
void hl_secrets_backup_seal(const hl_secrets *secrets, const void *data, size_t length,
                            unsigned char out[HL_SECRETS_BACKUP_SEAL_BYTES]);

/* The codec of these secrets (phones, names and addresses), for
 * hl_store_set_phone_codec (its context is secrets: they must outlive the
 * store). */
hl_phone_codec hl_secrets_phone_codec(hl_secrets *secrets);

/* Seals a phone number ("" gives length 0) as the store's codec would, on
 * any thread. */
int hl_secrets_seal_phone(hl_secrets *secrets, const char *phone, hl_sealed_phone *out,
                          hl_error *error);

/* Seals an order's phone, name and address as the store's codec would (an
 * empty one gives length 0), on any thread: the import's reading thread. */
int hl_secrets_seal_order(hl_secrets *secrets, const char *phone, const char *name,
                          const char *address, hl_sealed_phone *out, hl_error *error);

/* Binds app's store to its key, right after it is opened: when the store has
 * a check value the key file must exist and match it (HL_EIO otherwise,
 * one line: "the key file ... is missing" / "is not this store's key");
 * when it has none (a new store, or one from before schema 5) the key
 * file is read, or made when absent, and its check value stored. Then the
 * store gets the codec and the phones an older version kept in clear are
 * sealed. The caller owns *out and frees it after closing the store. */
int hl_secrets_unlock_store(hl_app *app, const char *key_path, hl_secrets **out, hl_error *error);

#endif
