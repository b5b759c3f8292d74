/* array.c: the one function behind HL_ARRAY_GROW and HL_ARRAY_RESERVE
 * (array.h): the next capacity, checked against overflow. It does not
 * track the elements in use; the caller's count does. */
#include "base/array.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/contract.h"
#include "base/error.h"

#define FIRST_CAPACITY 8

void *hl_array_reserve(void *pointer, size_t *capacity, size_t needed, size_t element_size)
{
    HL_REQUIRE(capacity != NULL && element_size > 0);
    size_t grown = *capacity > 0 ? *capacity : FIRST_CAPACITY;
    while (grown < needed)
        grown = grown <= SIZE_MAX / 2 ? grown * 2 : needed;
    /* More elements than bytes can count: no allocation can have that size. */
    if (grown > SIZE_MAX / element_size) {
        fputs("hotline: an array grew beyond what memory can hold\n", stderr);
        abort();
    }
    void *result = hl_xrealloc(pointer, grown * element_size);
    *capacity = grown;
    return result;
}
