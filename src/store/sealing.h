/* sealing.h: what both store backends do alike when they seal a citizen's
 * name or address where an insert binds it (store/sqlite/sqlite_sealed.c,
 * store/postgres/pg_sealed.c): take the bytes a caller sealed ahead, or
 * seal the text with the codec the store was given, and say the same thing
 * when the store was given none. The SQL that binds and reads the bytes
 * stays in each backend. */
#ifndef HL_STORE_SEALING_H
#define HL_STORE_SEALING_H

#include <stddef.h>

#include "base/error.h"
#include "store/store.h"

/* Sets *bytes and *length to the sealed form of text (at most size bytes
 * read): given's bytes when the caller sealed it ahead (an import's reading
 * thread, or a copy, whose order holds "" in its place), else text sealed
 * through codec into scratch (HL_SEALED_TEXT_MAX_BYTES), else NULL and 0
 * for an empty text. *bytes points into given or scratch, which keep
 * owning them. HL_EIO when there is a text to seal and no codec. */
int hl_store_seal_text(const hl_phone_codec *codec, hl_sealed_field field, const char *text,
                       size_t size, const hl_sealed_text *given, unsigned char *scratch,
                       const unsigned char **bytes, size_t *length, hl_error *error);

/* The error of a store asked to seal or open without a codec (HL_EIO). */
int hl_store_no_codec_error(hl_error *error);

#endif
