/* arena.c: the per-request bump allocator (see arena.h).
 *
 * Chunks are a singly linked list, newest first; allocation takes bytes
 * from the front chunk and opens a new chunk when they run out. It does
 * not free single allocations, does not grow chunks in place, and is not
 * thread-safe (a request runs on one thread). */
#include "http/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/contract.h"
#include "base/error.h"

#define DEFAULT_CHUNK_BYTES ((size_t)16 * 1024)

struct hl_arena_chunk {
    hl_arena_chunk *next;
    size_t capacity; /* bytes of data */
    size_t used;
    /* The data follows, aligned so that any object may start at its front. */
    _Alignas(HL_ARENA_ALIGNMENT) unsigned char data[];
};

void hl_arena_init(hl_arena *arena, size_t chunk_size)
{
    arena->chunks = NULL;
    arena->chunk_size = chunk_size > 0 ? chunk_size : DEFAULT_CHUNK_BYTES;
    arena->allocated = 0;
}

static size_t round_up(size_t size)
{
    return (size + (HL_ARENA_ALIGNMENT - 1)) & ~(size_t)(HL_ARENA_ALIGNMENT - 1);
}

static hl_arena_chunk *new_chunk(size_t capacity)
{
    if (capacity > SIZE_MAX - sizeof(hl_arena_chunk))
        hl_xmalloc(SIZE_MAX); /* aborts: no request can be that large */
    hl_arena_chunk *chunk = hl_xmalloc(sizeof *chunk + capacity);
    chunk->next = NULL;
    chunk->capacity = capacity;
    chunk->used = 0;
    return chunk;
}

void *hl_arena_alloc(hl_arena *arena, size_t size)
{
    HL_REQUIRE(arena != NULL);
    /* Zero-size requests still advance, so that each pointer is distinct. */
    size_t needed = round_up(size > 0 ? size : 1);
    if (needed < size) /* the rounding overflowed */
        hl_xmalloc(SIZE_MAX);
    hl_arena_chunk *chunk = arena->chunks;
    if (chunk == NULL || chunk->capacity - chunk->used < needed) {
        if (needed > arena->chunk_size && chunk != NULL) {
            /* An oversized block gets its own chunk, put behind the front
             * one so that the front chunk's free space is not wasted. */
            hl_arena_chunk *large = new_chunk(needed);
            large->next = chunk->next;
            chunk->next = large;
            large->used = needed;
            arena->allocated += needed;
            memset(large->data, 0, needed);
            return large->data;
        }
        chunk = new_chunk(needed > arena->chunk_size ? needed : arena->chunk_size);
        chunk->next = arena->chunks;
        arena->chunks = chunk;
    }
    void *pointer = chunk->data + chunk->used;
    chunk->used += needed;
    arena->allocated += needed;
    memset(pointer, 0, needed);
    return pointer;
}

char *hl_arena_strndup(hl_arena *arena, const char *text, size_t max_bytes)
{
    size_t length = text != NULL ? strnlen(text, max_bytes) : 0;
    char *copy = hl_arena_alloc(arena, length + 1);
    if (length > 0)
        memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

/* Frees chunk and every chunk after it. */
static void free_chunks(hl_arena_chunk *chunk)
{
    while (chunk != NULL) {
        hl_arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
}

void hl_arena_reset(hl_arena *arena)
{
    hl_arena_chunk *keep = arena->chunks;
    if (keep != NULL) {
        free_chunks(keep->next);
        keep->next = NULL;
        keep->used = 0;
    }
    arena->allocated = 0;
}

void hl_arena_free(hl_arena *arena)
{
    free_chunks(arena->chunks);
    arena->chunks = NULL;
    arena->allocated = 0;
}
