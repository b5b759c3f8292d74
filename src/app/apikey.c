/* apikey.c: creating, listing, revoking and checking API keys (see
 * apikey.h).
 *
 * Keys are made and hashed here, each write one transaction. It does not
 * count requests (the server's rate limiter does, with the rate stored
 * here) and does not decide who may manage keys (app/auth). */
#include "app/apikey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/i18n.h"
#include "base/text.h"

#define KEY_RANDOM_BYTES 32

static int sodium_failed(hl_error *error)
{
    return hl_error_set(error, HL_EIO, NULL, "%s",
                        HL_T("libsodium 无法初始化", "libsodium cannot start"));
}

/* The stored form of a key: hex of its BLAKE2b hash. */
static void key_hash(const char *key_text, char out[HL_APIKEY_HASH_BYTES])
{
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)key_text, strlen(key_text),
                       NULL, 0);
    sodium_bin2hex(out, HL_APIKEY_HASH_BYTES, digest, sizeof digest);
}

_Static_assert(HL_APIKEY_HASH_BYTES == crypto_generichash_BYTES * 2 + 1, "hex of a 32-byte hash");
_Static_assert(HL_APIKEY_TEXT_BYTES == KEY_RANDOM_BYTES * 2 + 1, "hex of the key's random bytes");

static bool key_well_formed(const char *key_text)
{
    return hl_text_is_lower_hex(key_text, KEY_RANDOM_BYTES * 2);
}

static int check_rate(int rate, hl_error *error)
{
    if (rate >= 1 && rate <= HL_APIKEY_RATE_MAX)
        return HL_OK;
    return hl_error_set(
        error, HL_EINVAL, "rate_per_minute",
        HL_T("频率须为每分钟 1 至 %d 次", "the rate is 1 to %d requests per minute"),
        HL_APIKEY_RATE_MAX);
}

int hl_apikey_parse_rate(const char *text, int *out, hl_error *error)
{
    int64_t value = 0;
    if (text == NULL ||
        hl_text_parse_int(hl_slice_of(text), 1, HL_APIKEY_RATE_MAX, &value) != HL_OK)
        return check_rate(0, error);
    *out = (int)value;
    return HL_OK;
}

int hl_apikey_create(hl_app *app, const char *name, int rate, const char *created_by, hl_time now,
                     char key_text[HL_APIKEY_TEXT_BYTES], hl_apikey *out, hl_error *error)
{
    key_text[0] = '\0';
    if (sodium_init() < 0)
        return sodium_failed(error);
    hl_apikey key;
    memset(&key, 0, sizeof key);
    hl_slice trimmed = hl_slice_trim(hl_slice_of(name));
    if (trimmed.len == 0)
        return hl_error_set(
            error, HL_EINVAL, "name",
            HL_T("请为密钥命名（所给的应用）", "a key needs a name (the application it is for)"));
    int result =
        hl_text_copy(key.name, sizeof key.name, trimmed, HL_NAME_CHARS, false, "name", error);
    if (result != HL_OK)
        return result;
    if (rate == 0)
        rate = HL_APIKEY_DEFAULT_RATE;
    result = check_rate(rate, error);
    if (result != HL_OK)
        return result;
    snprintf(key.created_by, sizeof key.created_by, "%s", created_by != NULL ? created_by : "");
    key.created_at = now;
    key.rate_per_minute = rate;
    unsigned char random[KEY_RANDOM_BYTES];
    randombytes_buf(random, sizeof random);
    char text[HL_APIKEY_TEXT_BYTES];
    sodium_bin2hex(text, sizeof text, random, sizeof random);
    sodium_memzero(random, sizeof random);
    key_hash(text, key.key_hash);
    memcpy(key.key_prefix, text, HL_APIKEY_PREFIX_BYTES - 1);
    key.key_prefix[HL_APIKEY_PREFIX_BYTES - 1] = '\0';
    int attempt = 0;
    do {
        result = hl_app_begin(app, error);
        if (result == HL_OK)
            result = hl_app_finish(app, hl_store_apikey_insert(app->store, &key, error), error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK) {
        memcpy(key_text, text, sizeof text);
        if (out != NULL)
            *out = key;
    }
    sodium_memzero(text, sizeof text);
    return result;
}

int hl_apikey_each(hl_app *app, hl_apikey_visitor visit, void *context, hl_error *error)
{
    return hl_store_apikey_each(app->store, visit, context, error);
}

int hl_apikey_revoke(hl_app *app, int64_t id, hl_time now, hl_apikey *out, hl_error *error)
{
    hl_apikey key;
    int attempt = 0, result;
    do {
        result = hl_app_begin(app, error);
        if (result != HL_OK)
            continue; /* to hl_app_again */
        result = hl_store_apikey_revoke(app->store, id, now, error);
        if (result == HL_OK)
            result = hl_store_apikey_get(app->store, id, &key, error);
        result = hl_app_finish(app, result, error);
    } while (hl_app_again(app, &attempt, &result, error));
    if (result == HL_OK && out != NULL)
        *out = key;
    return result;
}

static int key_refused(hl_error *error)
{
    return hl_error_set(
        error, HL_EROLE, "api_key", "%s",
        HL_T("api_key 无效或已被吊销", "the api_key is invalid or has been revoked"));
}

int hl_apikey_check(hl_app *app, const char *key_text, hl_apikey *out, hl_error *error)
{
    if (!key_well_formed(key_text))
        return key_refused(error);
    if (sodium_init() < 0)
        return sodium_failed(error);
    char hashed[HL_APIKEY_HASH_BYTES];
    key_hash(key_text, hashed);
    int result = hl_store_apikey_find(app->store, hashed, out, error);
    if (result == HL_ENOTFOUND || (result == HL_OK && out->revoked))
        return key_refused(error);
    return result;
}
