/* zone.h: time zones read from the system's time-zone data (TZif files).
 *
 * A zone maps an instant (seconds since 1970-01-01T00:00:00Z) to its offset
 * from UTC, daylight saving included, and a local wall time back to an
 * instant. Zones are named as in the IANA database ("Asia/Shanghai",
 * "America/Los_Angeles", "UTC") and read from $TZDIR or /usr/share/zoneinfo
 * (Debian's tzdata package). A loaded zone is immutable, so any number of
 * threads may use it at once without a lock. */
#ifndef HL_ZONE_H
#define HL_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* The longest zone name accepted (the longest in tzdata is 32 bytes). */
#define HL_ZONE_NAME_MAX 64
/* The zone a store has when none is set. */
#define HL_ZONE_DEFAULT "Asia/Shanghai"

typedef struct hl_zone hl_zone;

/* Parses the bytes of a TZif file (RFC 8536, versions 1 to 4) into a zone
 * named `name`. Every count and index is checked against the data, so any
 * bytes give either a zone or HL_EINVAL with a message naming the fault.
 * Zones with leap seconds ("right/...") are refused. On success the caller
 * owns *out and frees it with hl_zone_free. */
int hl_zone_parse(const char *name, const unsigned char *data, size_t size, hl_zone **out,
                  hl_error *error);
void hl_zone_free(hl_zone *zone);

/* Checks that name could name a zone file: 1 to HL_ZONE_NAME_MAX bytes of
 * letters, digits and "/_+-.", in components that are neither empty nor
 * "." or "..", so that it stays inside the zone directory. */
int hl_zone_check_name(const char *name, hl_error *error);

/* The shared zone of that name: read from the zone directory on first use
 * and kept, immutable, until the process ends (a process meets a handful
 * of zones). Thread-safe. An unknown or unreadable zone is HL_EINVAL on the
 * field "time_zone" with one line naming it. */
int hl_zone_get(const char *name, const hl_zone **out, hl_error *error);

/* The shared zone with a fixed offset and no daylight saving, named like
 * "+08:00" (for tests and for a store on a machine without tzdata). */
const hl_zone *hl_zone_fixed(int32_t offset_seconds);

/* The built-in stand-in for HL_ZONE_DEFAULT when no zone was loaded: China
 * Standard Time, +08:00, which Asia/Shanghai has been since 1991. */
const hl_zone *hl_zone_builtin_default(void);

const char *hl_zone_name(const hl_zone *zone);

/* The zone's offset from UTC at an instant, in seconds east (-25200 for
 * 2024-07-01 in America/Los_Angeles). */
int32_t hl_zone_offset_at(const hl_zone *zone, int64_t instant);

/* The instant a local wall time (seconds since 1970-01-01T00:00:00 as if
 * the zone were UTC) names. A wall time that occurs twice (when clocks go
 * back) is its first occurrence; one that the zone skips (when clocks go
 * forward) is moved forward by the length of the gap, as a clock on the
 * wall would show it (02:30 on 2024-03-10 in Los Angeles is 03:30 PDT). */
int64_t hl_zone_instant_of(const hl_zone *zone, int64_t local);

#endif
