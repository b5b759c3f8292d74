/* postgres.h: the PostgreSQL backend's public entry points (libpq). Only
 * store/store_open.c includes it: the rest of hotline opens a store by its
 * address through hl_store_open and never names a backend. */
#ifndef HL_POSTGRES_H
#define HL_POSTGRES_H

#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

/* Whether address names a PostgreSQL database: it begins with
 * "postgresql://" or "postgres://" (libpq's connection URIs). */
bool hl_postgres_is_address(const char *address);

/* Connects to the database at address (a libpq connection URI, which may
 * carry a password: no message ever repeats the address), creates or
 * migrates the schema, and gives the store in *out, which the caller owns
 * and closes with hl_store_close. HL_EUNAVAILABLE when the server cannot be
 * reached. */
int hl_postgres_open(const char *address, hl_store **out, hl_error *error);

#endif
