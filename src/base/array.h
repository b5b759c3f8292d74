/* array.h: growing heap arrays, and the number of elements of a fixed one.
 *
 * An array that grows is three things side by side: a pointer, the number
 * of elements in use and the number allocated (both size_t):
 *
 *     HL_ARRAY_GROW(list->items, list->count, list->capacity);
 *     list->items[list->count++] = item;
 *
 * The capacity at least doubles, so that n appends cost O(n); a size that
 * would overflow size_t aborts as out-of-memory does (hl_xrealloc), the one
 * failure hotline aborts on. The caller owns the array and frees it with
 * free(). This header allocates through base/error.h and knows nothing of
 * what the elements are. */
#ifndef HL_ARRAY_H
#define HL_ARRAY_H

#include <stddef.h>

/* Returns pointer reallocated to hold at least needed elements of
 * element_size bytes and sets *capacity to what it now holds (at least
 * twice the old capacity, and at least 8). Aborts on overflow or
 * out-of-memory. Use the macros below. */
void *hl_array_reserve(void *pointer, size_t *capacity, size_t needed, size_t element_size);

/* Makes room for at least needed elements. */
#define HL_ARRAY_RESERVE(pointer, capacity, needed)                                                \
    do {                                                                                           \
        if ((needed) > (capacity))                                                                 \
            (pointer) = hl_array_reserve((pointer), &(capacity), (needed), sizeof *(pointer));     \
    } while (0)

/* Makes room for one more element after count. */
#define HL_ARRAY_GROW(pointer, count, capacity) HL_ARRAY_RESERVE(pointer, capacity, (count) + 1)

/* The number of elements of an array (a constant expression); a pointer in
 * its place does not compile. */
#define HL_COUNT_OF(array)                                                                         \
    (sizeof(array) / sizeof((array)[0]) +                                                          \
     0 * sizeof(struct {                                                                           \
         _Static_assert(!__builtin_types_compatible_p(__typeof__(array), __typeof__(&(array)[0])), \
                        "HL_COUNT_OF needs an array, not a pointer");                              \
         char ok;                                                                                  \
     }))

#endif
