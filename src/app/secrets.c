/* secrets.c: the key file, the keys derived from it, the codec the store
 * seals numbers, names and addresses with, and the binding of a store to
 * its key (see secrets.h).
 *
 * It reads and creates key files, derives keys with libsodium, seals,
 * opens and hashes phone numbers, seals and opens names and addresses,
 * and checks a store's key check value.
 * It decides nothing about who may read a number (app/auth) and keeps no
 * number itself: the store calls the codec as it writes and reads rows. */
#include "app/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "base/contract.h"
#include "base/i18n.h"
#include "domain/limits.h"
#include "domain/phone.h"

/* The key file: 64 hex digits, then a newline (which may be missing). */
#define KEY_HEX_CHARS (HL_SECRETS_KEY_BYTES * 2)
#define KDF_CONTEXT "hlphone1"
enum { SUBKEY_SEAL = 1, SUBKEY_HASH = 2, SUBKEY_CHECK = 3, SUBKEY_BACKUP = 4 };
#define CHECK_TEXT "hotline key check"
/* Names and addresses have keys of their own, from a context of their own. */
#define TEXT_KDF_CONTEXT "hltexts1"
_Static_assert(sizeof TEXT_KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "8 bytes");

/* A sealed number: a format byte, the nonce, then the secretbox of the
 * number padded with NULs to HL_PHONE_CHARS bytes. */
#define SEALED_FORMAT 1
/* A sealed name or address: a format byte of its own, the nonce, then the
 * secretbox of the text padded with NULs up to the next step of its field
 * (32 bytes for a name, 64 for an address; at most the longest the field
 * holds), so that the sealed length tells only the step: nearly every name
 * seals to one length, an address to one of a few. Padding every text to
 * the field's longest (256 and 800 bytes) told nothing at all, but made
 * the orders' table 2.3 times as large and an import a third slower
 * (docs/PERFORMANCE.md, "Names and addresses sealed"). */
#define SEALED_TEXT_FORMAT 2
#define SEALED_TEXT_OVERHEAD (1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
static const size_t text_padded_bytes[2] = {HL_NAME_BYTES - 1, HL_ADDRESS_BYTES - 1};
static const size_t text_padding_step[2] = {32, 64};

/* The padded length of a text of text_length bytes in field which. */
static size_t padded_length(int which, size_t text_length)
{
    size_t step = text_padding_step[which];
    size_t padded = text_length == 0 ? step : (text_length + step - 1) / step * step;
    return padded < text_padded_bytes[which] ? padded : text_padded_bytes[which];
}
_Static_assert(SEALED_TEXT_OVERHEAD + HL_ADDRESS_BYTES - 1 <= HL_SEALED_TEXT_MAX_BYTES,
               "a sealed address fits the store's room");
_Static_assert(HL_NAME_BYTES <= HL_ADDRESS_BYTES, "the address is the longer field");
#define SEALED_BYTES (1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + HL_PHONE_CHARS)

_Static_assert(SEALED_BYTES <= HL_PHONE_SEALED_MAX_BYTES, "a sealed number fits the store's room");
_Static_assert(HL_PHONE_HASH_BYTES >= crypto_generichash_BYTES_MIN, "BLAKE2b's shortest output");
_Static_assert(sizeof KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "the KDF context is 8 bytes");
_Static_assert(HL_SECRETS_KEY_BYTES == crypto_kdf_KEYBYTES, "the master key is a KDF key");

/* Nonces: a random prefix drawn when the secrets are made, then a counter.
 * XSalsa20 needs a nonce never used twice with one key; every process (and
 * every connection of the server) makes its own secrets, and two of them
 * drawing the same 128-bit prefix is as unlikely as two random nonces
 * meeting, while a counter costs nothing where a random nonce costs a
 * system call per number (measured: 0.65 µs, more than the sealing). */
#define NONCE_PREFIX_BYTES 16
_Static_assert(NONCE_PREFIX_BYTES + sizeof(uint64_t) == crypto_secretbox_NONCEBYTES,
               "prefix and counter");

struct hl_secrets {
    unsigned char seal_key[crypto_secretbox_KEYBYTES];
    /* The hash key already absorbed: each hash copies this state rather
     * than compressing the key block again (BLAKE2b's state holds no
     * pointer, so a copy is a state). */
    crypto_generichash_state hash_start;
    unsigned char check[32];
    unsigned char backup_key[crypto_generichash_KEYBYTES]; /* seals backups' digests */
    /* The sealing keys of names and addresses (context "hltexts1"): a key
     * each, so that a name's sealed bytes never open as an address. */
    unsigned char text_keys[2][crypto_secretbox_KEYBYTES];
    unsigned char nonce_prefix[NONCE_PREFIX_BYTES];
    atomic_uint_fast64_t nonce_counter;
};

static int sodium_failed(hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL, "%s",
                        HL_T("libsodium 无法初始化", "libsodium cannot start"));
}

char *hl_secrets_default_key_path(const char *db_path)
{
    size_t length = strlen(db_path);
    char *path = hl_xmalloc(length + sizeof ".key");
    memcpy(path, db_path, length);
    memcpy(path + length, ".key", sizeof ".key");
    return path;
}

/* ---- Keys ---- */

int hl_secrets_from_key(const unsigned char key[HL_SECRETS_KEY_BYTES], hl_secrets **out,
                        hl_error *error)
{
    *out = NULL;
    if (sodium_init() < 0)
        return sodium_failed(error);
    hl_secrets *secrets = sodium_malloc(sizeof *secrets);
    if (secrets == NULL)
        abort(); /* out of memory, or of lockable memory: the one failure that aborts */
    crypto_kdf_derive_from_key(secrets->seal_key, sizeof secrets->seal_key, SUBKEY_SEAL,
                               KDF_CONTEXT, key);
    unsigned char hash_key[crypto_generichash_KEYBYTES];
    crypto_kdf_derive_from_key(hash_key, sizeof hash_key, SUBKEY_HASH, KDF_CONTEXT, key);
    crypto_generichash_init(&secrets->hash_start, hash_key, sizeof hash_key, HL_PHONE_HASH_BYTES);
    sodium_memzero(hash_key, sizeof hash_key);
    randombytes_buf(secrets->nonce_prefix, sizeof secrets->nonce_prefix);
    atomic_init(&secrets->nonce_counter, 0);
    unsigned char check_key[crypto_generichash_KEYBYTES];
    crypto_kdf_derive_from_key(check_key, sizeof check_key, SUBKEY_CHECK, KDF_CONTEXT, key);
    crypto_generichash(secrets->check, sizeof secrets->check, (const unsigned char *)CHECK_TEXT,
                       sizeof CHECK_TEXT - 1, check_key, sizeof check_key);
    sodium_memzero(check_key, sizeof check_key);
    crypto_kdf_derive_from_key(secrets->backup_key, sizeof secrets->backup_key, SUBKEY_BACKUP,
                               KDF_CONTEXT, key);
    for (int field = 0; field < 2; field++)
        crypto_kdf_derive_from_key(secrets->text_keys[field], sizeof secrets->text_keys[field],
                                   (uint64_t)field + 1, TEXT_KDF_CONTEXT, key);
    *out = secrets;
    return HL_OK;
}

void hl_secrets_backup_seal(const hl_secrets *secrets, const void *data, size_t length,
                            unsigned char out[HL_SECRETS_BACKUP_SEAL_BYTES])
{
    crypto_generichash(out, HL_SECRETS_BACKUP_SEAL_BYTES, data, length, secrets->backup_key,
                       sizeof secrets->backup_key);
}

void hl_secrets_free(hl_secrets *secrets)
{
    if (secrets != NULL)
        sodium_free(secrets); /* wipes the keys */
}

void hl_secrets_check_value(const hl_secrets *secrets, char out[HL_SECRETS_CHECK_HEX_BYTES])
{
    sodium_bin2hex(out, HL_SECRETS_CHECK_HEX_BYTES, secrets->check, sizeof secrets->check);
}

/* ---- The key file ---- */

static int key_file_error(const char *path, const char *why_zh, const char *why_en, hl_error *error)
{
    return hl_error_set(error, HL_EIO, "key-file", HL_T("密钥文件 %s：%s", "key file %s: %s"), path,
                        HL_T(why_zh, why_en));
}

static int key_file_errno(const char *path, int number, hl_error *error)
{
    return hl_error_set(error, HL_EIO, "key-file",
                        HL_T("密钥文件 %s 无法使用：%s", "key file %s: %s"), path,
                        strerror(number));
}

/* Reads an open key file: a regular file that only its owner may use,
 * holding 64 hex digits and at most a newline. */
static int read_key_file(int descriptor, const char *path, unsigned char key[HL_SECRETS_KEY_BYTES],
                         hl_error *error)
{
    struct stat status;
    if (fstat(descriptor, &status) != 0)
        return key_file_errno(path, errno, error);
    if (!S_ISREG(status.st_mode))
        return key_file_error(path, "不是普通文件", "not a regular file", error);
    if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        snprintf(mode, sizeof mode, "%03o", (unsigned)(status.st_mode & 0777));
        return hl_error_set(error, HL_EIO, "key-file",
                            HL_T("密钥文件 %s 的权限过宽（%s），他人可读写：请执行 chmod 600",
                                 "key file %s may be used by others (mode %s): chmod 600 it"),
                            path, mode);
    }
    char text[KEY_HEX_CHARS + 2];
    ssize_t got = 0;
    size_t total = 0;
    while (total < sizeof text && (got = read(descriptor, text + total, sizeof text - total)) > 0)
        total += (size_t)got;
    if (got < 0)
        return key_file_errno(path, errno, error);
    bool newline_ok =
        total == KEY_HEX_CHARS || (total == KEY_HEX_CHARS + 1 && text[KEY_HEX_CHARS] == '\n');
    size_t decoded = 0;
    int result = HL_OK;
    if (!newline_ok)
        result = key_file_error(path, "长度不对（应为 64 位十六进制数字）",
                                "wrong length (64 hex digits expected)", error);
    else if (sodium_hex2bin(key, HL_SECRETS_KEY_BYTES, text, KEY_HEX_CHARS, NULL, &decoded, NULL) !=
                 0 ||
             decoded != HL_SECRETS_KEY_BYTES)
        result = key_file_error(path, "不是 64 位十六进制数字", "not 64 hex digits", error);
    sodium_memzero(text, sizeof text);
    return result;
}

/* Makes the directory entry of a new file durable. */
static void sync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *directory = hl_xstrdup(slash == NULL ? "." : path);
    if (slash != NULL)
        directory[slash == path ? 1 : slash - path] = '\0';
    int descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor >= 0) {
        fsync(descriptor);
        close(descriptor);
    }
    free(directory);
}

/* Writes a new key into a temporary file beside path and links it into
 * place: link, unlike rename, never replaces a key that appeared in the
 * meantime (another process opening the same new store). *raced is true
 * when that happened; the caller then reads the key that won. */
static int create_key_file(const char *path, unsigned char key[HL_SECRETS_KEY_BYTES], bool *raced,
                           hl_error *error)
{
    *raced = false;
    size_t length = strlen(path);
    char *temporary = hl_xmalloc(length + sizeof ".XXXXXX");
    memcpy(temporary, path, length);
    memcpy(temporary + length, ".XXXXXX", sizeof ".XXXXXX");
    int descriptor = mkstemp(temporary); /* mode 0600 */
    if (descriptor < 0) {
        int number = errno;
        free(temporary);
        return key_file_errno(path, number, error);
    }
    randombytes_buf(key, HL_SECRETS_KEY_BYTES);
    char text[KEY_HEX_CHARS + 2];
    sodium_bin2hex(text, KEY_HEX_CHARS + 1, key, HL_SECRETS_KEY_BYTES);
    text[KEY_HEX_CHARS] = '\n';
    int result = HL_OK;
    if (fchmod(descriptor, S_IRUSR | S_IWUSR) != 0 ||
        write(descriptor, text, KEY_HEX_CHARS + 1) != KEY_HEX_CHARS + 1 || fsync(descriptor) != 0)
        result = key_file_errno(path, errno, error);
    sodium_memzero(text, sizeof text);
    if (close(descriptor) != 0 && result == HL_OK)
        result = key_file_errno(path, errno, error);
    if (result == HL_OK && link(temporary, path) != 0) {
        if (errno == EEXIST)
            *raced = true;
        else
            result = key_file_errno(path, errno, error);
    }
    unlink(temporary);
    free(temporary);
    if (result == HL_OK && !*raced)
        sync_directory_of(path);
    if (result != HL_OK || *raced)
        sodium_memzero(key, HL_SECRETS_KEY_BYTES);
    return result;
}

int hl_secrets_load(const char *path, bool create, hl_secrets **out, bool *created, hl_error *error)
{
    *out = NULL;
    if (created != NULL)
        *created = false;
    if (path == NULL || path[0] == '\0')
        return hl_error_set(error, HL_EINVAL, "key-file", "%s",
                            HL_T("未给出密钥文件", "no key file named"));
    if (sodium_init() < 0)
        return sodium_failed(error);
    unsigned char key[HL_SECRETS_KEY_BYTES];
    int result = HL_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        int descriptor = open(path, O_RDONLY | O_CLOEXEC);
        if (descriptor >= 0) {
            result = read_key_file(descriptor, path, key, error);
            close(descriptor);
            break;
        }
        if (errno != ENOENT)
            return key_file_errno(path, errno, error);
        if (!create)
            return key_file_error(path, "不存在", "does not exist", error);
        bool raced = false;
        result = create_key_file(path, key, &raced, error);
        if (result != HL_OK)
            return result;
        if (!raced) {
            if (created != NULL)
                *created = true;
            break;
        }
        /* Another process made the key first: read theirs. */
    }
    if (result == HL_OK)
        result = hl_secrets_from_key(key, out, error);
    sodium_memzero(key, sizeof key);
    return result;
}

/* ---- The phone codec ---- */

static void search_hash(const hl_secrets *secrets, const char *normal, size_t length,
                        unsigned char hash[HL_PHONE_HASH_BYTES])
{
    crypto_generichash_state state = secrets->hash_start;
    crypto_generichash_update(&state, (const unsigned char *)normal, length);
    crypto_generichash_final(&state, hash, HL_PHONE_HASH_BYTES);
}

static int seal_phone(void *context, const char *phone, unsigned char *sealed, size_t *length,
                      unsigned char hash[HL_PHONE_HASH_BYTES], hl_error *error)
{
    hl_secrets *secrets = context;
    size_t phone_length = strlen(phone);
    if (phone_length > HL_PHONE_CHARS)
        return hl_error_set(
            error, HL_EINVAL, "citizen_phone",
            HL_T("联系电话超过 %d 个字符", "the phone number exceeds %d characters"),
            HL_PHONE_CHARS);
    /* Padded, so that the sealed length does not tell a mobile number from
     * a landline. */
    unsigned char padded[HL_PHONE_CHARS] = {0};
    memcpy(padded, phone, phone_length);
    sealed[0] = SEALED_FORMAT;
    unsigned char *nonce = sealed + 1;
    uint64_t counter = atomic_fetch_add(&secrets->nonce_counter, 1);
    memcpy(nonce, secrets->nonce_prefix, NONCE_PREFIX_BYTES);
    memcpy(nonce + NONCE_PREFIX_BYTES, &counter, sizeof counter);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, padded, sizeof padded, nonce,
                          secrets->seal_key);
    sodium_memzero(padded, sizeof padded);
    *length = SEALED_BYTES;
    char normal[HL_PHONE_NORMAL_BYTES];
    size_t digits = hl_phone_normalize(phone, normal);
    search_hash(secrets, normal, digits, hash);
    return HL_OK;
}

static int open_phone(void *context, const unsigned char *sealed, size_t length, char *phone,
                      size_t size, hl_error *error)
{
    const hl_secrets *secrets = context;
    unsigned char padded[HL_PHONE_CHARS];
    if (length != SEALED_BYTES || sealed[0] != SEALED_FORMAT || size == 0 ||
        crypto_secretbox_open_easy(padded, sealed + 1 + crypto_secretbox_NONCEBYTES,
                                   length - 1 - crypto_secretbox_NONCEBYTES, sealed + 1,
                                   secrets->seal_key) != 0)
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            HL_T("联系电话无法解密", "a phone number cannot be opened"));
    size_t phone_length = strnlen((const char *)padded, sizeof padded);
    if (phone_length >= size)
        phone_length = size - 1;
    memcpy(phone, padded, phone_length);
    phone[phone_length] = '\0';
    sodium_memzero(padded, sizeof padded);
    return HL_OK;
}

static int hash_phone(void *context, const char *phone, unsigned char hash[HL_PHONE_HASH_BYTES],
                      hl_error *error)
{
    const hl_secrets *secrets = context;
    char normal[HL_PHONE_NORMAL_BYTES];
    size_t digits = hl_phone_normalize(phone, normal);
    if (digits == 0)
        return hl_error_set(error, HL_EINVAL, "phone", "%s",
                            HL_T("电话号码中没有数字", "the phone number holds no digit"));
    search_hash(secrets, normal, digits, hash);
    return HL_OK;
}

/* ---- Names and addresses ---- */

static void next_nonce(hl_secrets *secrets, unsigned char *nonce)
{
    uint64_t counter = atomic_fetch_add(&secrets->nonce_counter, 1);
    memcpy(nonce, secrets->nonce_prefix, NONCE_PREFIX_BYTES);
    memcpy(nonce + NONCE_PREFIX_BYTES, &counter, sizeof counter);
}

static int seal_text(void *context, hl_sealed_field field, const char *text, unsigned char *sealed,
                     size_t *length, hl_error *error)
{
    hl_secrets *secrets = context;
    int which = field == HL_SEALED_ADDRESS ? 1 : 0;
    size_t text_length = strlen(text);
    if (text_length > text_padded_bytes[which])
        return hl_error_set(error, HL_EINVAL, which ? "address" : "citizen_name",
                            HL_T("%s过长", "the %s is too long"),
                            which ? HL_T("地址", "address") : HL_T("诉求人姓名", "citizen's name"));
    size_t padded_bytes = padded_length(which, text_length);
    unsigned char padded[HL_ADDRESS_BYTES - 1] = {0};
    memcpy(padded, text, text_length);
    sealed[0] = SEALED_TEXT_FORMAT;
    unsigned char *nonce = sealed + 1;
    next_nonce(secrets, nonce);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, padded, padded_bytes, nonce,
                          secrets->text_keys[which]);
    sodium_memzero(padded, padded_bytes);
    *length = SEALED_TEXT_OVERHEAD + padded_bytes;
    return HL_OK;
}

static int open_text(void *context, hl_sealed_field field, const unsigned char *sealed,
                     size_t length, char *text, size_t size, hl_error *error)
{
    const hl_secrets *secrets = context;
    int which = field == HL_SEALED_ADDRESS ? 1 : 0;
    size_t padded_bytes = length > SEALED_TEXT_OVERHEAD ? length - SEALED_TEXT_OVERHEAD : 0;
    unsigned char padded[HL_ADDRESS_BYTES - 1];
    /* A length the sealing never makes (not a whole step, beyond the
     * field's longest) is refused before anything is opened. */
    bool whole_step =
        padded_bytes > 0 && padded_bytes <= text_padded_bytes[which] &&
        (padded_bytes % text_padding_step[which] == 0 || padded_bytes == text_padded_bytes[which]);
    if (!whole_step || sealed[0] != SEALED_TEXT_FORMAT || size == 0 ||
        crypto_secretbox_open_easy(padded, sealed + 1 + crypto_secretbox_NONCEBYTES,
                                   length - 1 - crypto_secretbox_NONCEBYTES, sealed + 1,
                                   secrets->text_keys[which]) != 0)
        return hl_error_set(error, HL_EIO, NULL, "%s",
                            which
                                ? HL_T("地址无法解密", "an address cannot be opened")
                                : HL_T("诉求人姓名无法解密", "a citizen's name cannot be opened"));
    size_t text_length = strnlen((const char *)padded, padded_bytes);
    if (text_length >= size)
        text_length = size - 1;
    memcpy(text, padded, text_length);
    text[text_length] = '\0';
    sodium_memzero(padded, padded_bytes);
    return HL_OK;
}

/* Seals text into out, or leaves it empty when text is "". */
static int seal_text_into(hl_secrets *secrets, hl_sealed_field field, const char *text,
                          hl_sealed_text *out, hl_error *error)
{
    out->length = 0;
    if (text[0] == '\0')
        return HL_OK;
    return seal_text(secrets, field, text, out->bytes, &out->length, error);
}

int hl_secrets_seal_order(hl_secrets *secrets, const char *phone, const char *name,
                          const char *address, hl_sealed_phone *out, hl_error *error)
{
    HL_REQUIRE(name != NULL && address != NULL);
    int result = hl_secrets_seal_phone(secrets, phone, out, error);
    if (result == HL_OK)
        result = seal_text_into(secrets, HL_SEALED_NAME, name, &out->name, error);
    if (result == HL_OK)
        result = seal_text_into(secrets, HL_SEALED_ADDRESS, address, &out->address, error);
    return result;
}

int hl_secrets_seal_phone(hl_secrets *secrets, const char *phone, hl_sealed_phone *out,
                          hl_error *error)
{
    HL_REQUIRE(secrets != NULL && phone != NULL && out != NULL);
    out->length = 0;
    if (phone[0] == '\0')
        return HL_OK;
    return seal_phone(secrets, phone, out->bytes, &out->length, out->hash, error);
}

hl_phone_codec hl_secrets_phone_codec(hl_secrets *secrets)
{
    hl_phone_codec codec = {secrets, seal_phone, open_phone, hash_phone, seal_text, open_text};
    return codec;
}

/* ---- A store and its key ---- */

static int wrong_key(const char *path, hl_error *error)
{
    return hl_error_set(
        error, HL_EIO, "key-file",
        HL_T("密钥文件 %s 不是此数据库的密钥，无法读取其中的联系电话",
             "key file %s is not this store's key: its phone numbers cannot be read with it"),
        path);
}

static bool check_values_equal(const char *stored, const char *check)
{
    return strlen(stored) == HL_SECRETS_CHECK_HEX_BYTES - 1 &&
           sodium_memcmp(stored, check, HL_SECRETS_CHECK_HEX_BYTES - 1) == 0;
}

/* Stores the check value of a new key, unless another process stored one
 * first: then the two must agree. */
static int store_check_value(hl_app *app, const char *path, const char *check, hl_error *error)
{
    hl_store *store = app->store;
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        char stored[HL_SECRETS_CHECK_HEX_BYTES + 1];
        hl_error lookup;
        hl_error_clear(&lookup);
        result =
            hl_store_config_get(store, HL_SECRETS_CHECK_CONFIG_KEY, stored, sizeof stored, &lookup);
        if (result == HL_ENOTFOUND)
            result = hl_store_config_set(store, HL_SECRETS_CHECK_CONFIG_KEY, check, error);
        else if (result == HL_OK && !check_values_equal(stored, check))
            result = wrong_key(path, error);
        else if (result != HL_OK)
            *error = lookup;
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    return result;
}

int hl_secrets_unlock_store(hl_app *app, const char *key_path, hl_secrets **out, hl_error *error)
{
    hl_store *store = app->store;
    *out = NULL;
    char stored[HL_SECRETS_CHECK_HEX_BYTES + 1];
    hl_error lookup;
    hl_error_clear(&lookup);
    int result =
        hl_store_config_get(store, HL_SECRETS_CHECK_CONFIG_KEY, stored, sizeof stored, &lookup);
    if (result != HL_OK && result != HL_ENOTFOUND) {
        *error = lookup;
        return result;
    }
    bool has_check = result == HL_OK;
    /* A store with a key never gets a new one: that would seal new numbers
     * with a key its old ones do not open with. Say why the file matters. */
    if (has_check && key_path != NULL && access(key_path, F_OK) != 0 && errno == ENOENT)
        return hl_error_set(
            error, HL_EIO, "key-file",
            HL_T("缺少密钥文件 %s：没有它无法读取此数据库中的联系电话",
                 "key file %s is missing: this store's phone numbers cannot be read without it"),
            key_path);
    hl_secrets *secrets = NULL;
    result = hl_secrets_load(key_path, !has_check, &secrets, NULL, error);
    if (result != HL_OK)
        return result;
    char check[HL_SECRETS_CHECK_HEX_BYTES];
    hl_secrets_check_value(secrets, check);
    if (has_check)
        result = check_values_equal(stored, check) ? HL_OK : wrong_key(key_path, error);
    else
        result = store_check_value(app, key_path, check, error);
    if (result == HL_OK) {
        hl_phone_codec codec = hl_secrets_phone_codec(secrets);
        hl_store_set_phone_codec(store, &codec);
        result = hl_store_seal_phones(store, error);
        if (result != HL_OK)
            hl_store_set_phone_codec(store, NULL);
    }
    if (result != HL_OK) {
        hl_secrets_free(secrets);
        return result;
    }
    *out = secrets;
    return HL_OK;
}
