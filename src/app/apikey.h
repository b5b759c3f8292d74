/* apikey.h: the API keys of Open311 clients, managed by administrators.
 *
 * A key is 32 random bytes (libsodium randombytes), hex-encoded: 64
 * characters, handed out once, when it is created. The store keeps only
 * its BLAKE2b hash (as sessions in auth.c), its first eight characters
 * (so that an administrator can tell keys apart), a name (the application
 * it was given to), who created it and when, a rate (POST requests per
 * minute; reads get HL_APIKEY_READ_FACTOR times as many) and whether it
 * was revoked. A revoked key stays listed and is refused. Who may manage
 * keys is app/auth's rule (administrators); the command line is the
 * machine's administrator and is recorded as an empty creator. */
#ifndef HL_APIKEY_H
#define HL_APIKEY_H

#include <stdbool.h>

#include "app/app.h"

#define HL_APIKEY_TEXT_BYTES 65 /* 64 hex digits and NUL */
#define HL_APIKEY_DEFAULT_RATE 60
#define HL_APIKEY_RATE_MAX 6000
#define HL_APIKEY_READ_FACTOR 10

/* Creates a key named name (1 to 64 characters, one line) allowing rate
 * POST requests per minute (0: HL_APIKEY_DEFAULT_RATE; else 1 to
 * HL_APIKEY_RATE_MAX), by created_by (a username, or "" for the command
 * line), at now. key_text receives the key, the only time it exists
 * outside the client; out (may be NULL) the stored record. HL_EINVAL
 * naming "name" or "rate_per_minute". */
int hl_apikey_create(hl_app *app, const char *name, int rate, const char *created_by, hl_time now,
                     char key_text[HL_APIKEY_TEXT_BYTES], hl_apikey *out, hl_error *error);

/* Every key, revoked ones included, in the order they were created. */
int hl_apikey_each(hl_app *app, hl_apikey_visitor visit, void *context, hl_error *error);

/* Revokes key id at now (HL_ENOTFOUND naming "id" when there is none;
 * revoking twice changes nothing). out (may be NULL) receives the record. */
int hl_apikey_revoke(hl_app *app, int64_t id, hl_time now, hl_apikey *out, hl_error *error);

/* Finds the key of key_text: HL_EROLE naming "api_key" when it is
 * malformed, unknown or revoked (one message for all three, so that a
 * guess learns nothing). */
int hl_apikey_check(hl_app *app, const char *key_text, hl_apikey *out, hl_error *error);

/* Parses a rate given as text (the command line's --rate). */
int hl_apikey_parse_rate(const char *text, int *out, hl_error *error);

#endif
