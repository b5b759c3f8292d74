/* arena.h: a bump allocator for the memory of one HTTP request.
 *
 * A request allocates what it needs (its path, parsed parameters, an order
 * record of some 40 KB) from its arena and never frees piece by piece; the
 * server releases the whole arena when the request completes, so a handler
 * cannot leak and cannot double-free. Not thread-safe: one arena belongs to
 * one request, which runs on one thread. Out of memory aborts, as with
 * hl_xmalloc everywhere in hotline. */
#ifndef HL_ARENA_H
#define HL_ARENA_H

#include <stddef.h>

typedef struct hl_arena_chunk hl_arena_chunk;

typedef struct hl_arena {
    hl_arena_chunk *chunks; /* newest first; owned */
    size_t chunk_size;      /* size of an ordinary chunk's data */
    size_t allocated;       /* bytes handed out since init or the last reset */
} hl_arena;

/* Every allocation is aligned for any object type. */
#define HL_ARENA_ALIGNMENT 16

/* Prepares an empty arena whose chunks hold chunk_size bytes (0: 16 KiB).
 * Allocates nothing until the first hl_arena_alloc. */
void hl_arena_init(hl_arena *arena, size_t chunk_size);

/* Returns size bytes (zeroed, aligned to HL_ARENA_ALIGNMENT) owned by the
 * arena: valid until hl_arena_reset or hl_arena_free. A request larger than
 * a chunk gets a chunk of its own. size 0 returns a valid unique pointer. */
void *hl_arena_alloc(hl_arena *arena, size_t size);

/* Copies at most max_bytes bytes of text into the arena, NUL-terminated
 * (owned by the arena). text NULL gives "". */
char *hl_arena_strndup(hl_arena *arena, const char *text, size_t max_bytes);

/* Forgets every allocation but keeps the newest chunk for reuse. */
void hl_arena_reset(hl_arena *arena);

/* Releases every chunk; the arena may be initialised again. */
void hl_arena_free(hl_arena *arena);

#endif
