/* archive.h: hotline archive, the audits' old records moved out of the
 * store into a sealed file (docs/security.md, "Retention and archives").
 *
 * The two audit chains (reads: personal_data_reads; security:
 * security_events) are archived, never the event log. For each, the
 * archive takes the prefix of the chain, in chain order, whose records
 * are older than a cut-off, stopping at the first that is not, so that
 * what stays in the store is a whole tail of the chain, starting after
 * the chain's anchor (store.h, hl_store_chain_anchor). The cut-off may be
 * no later than now less audit.retention_days (app/policy.h).
 *
 * The file is a new SQLite store (0600, never over a file: app/seal.h)
 * holding the records verbatim with their links, each chain starting from
 * the anchor it had in the store, sealed with the backup's seal under the
 * store's key (config row HL_ARCHIVE_SEAL_CONFIG_KEY) over a digest of
 * each chain's anchor, last link and record count: the chain inside the
 * file proves every record against its last link, and the seal proves
 * the anchor and the last link.
 *
 * Moving, not deleting, in this order: (1) read the prefixes in one read
 * snapshot and write, seal and sync the file; (2) open it again and check
 * it (hl_archive_check); (3) in one write transaction, check that the
 * anchors have not moved since (1), move each anchor onto the last
 * archived record, delete the records at or below it (the database
 * allows nothing else: migration 15, PostgreSQL 9) and append the
 * security event "audit.archive" naming each chain's range and new anchor
 * and the file's seal: "reads A-B HASH; security C-D HASH; seal S", each
 * chain named even when nothing of it moved (then A is B + 1), so that
 * the newest such event names both anchors in force; it is never archived
 * itself (the audit of security events stops before it). A failure in (1)
 * or (2) leaves no file; one in (3)
 * leaves the store unchanged and the file a stray copy. */
#ifndef HL_APP_ARCHIVE_H
#define HL_APP_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "app/seal.h"
#include "store/store.h"

#define HL_ARCHIVE_SEAL_CONFIG_KEY "archive.seal"
#define HL_ARCHIVE_ACTION "audit.archive"

/* The audit chains an archive holds, in this order. */
#define HL_ARCHIVE_CHAINS 2
extern const hl_chain_kind hl_archive_chains[HL_ARCHIVE_CHAINS];

/* One chain's part of an archive: the anchor it starts after, its last
 * record (from when it holds none) and how many records it holds. */
typedef struct hl_archive_range {
    hl_chain_head from, to;
    int64_t records;
} hl_archive_range;

typedef struct hl_archive_summary {
    hl_archive_range ranges[HL_ARCHIVE_CHAINS];
    hl_time before; /* the cut-off: every record archived is older */
    char seal[HL_SEAL_HEX_BYTES];
} hl_archive_summary;

/* The latest cut-off allowed at now: now less audit.retention_days. */
int hl_archive_latest_cutoff(hl_app *app, hl_time now, hl_time *out, hl_error *error);

/* Archives into a new file at path the records of both audits older than
 * before (0: the latest cut-off), as above; actor is recorded in the
 * security event. A before later than the latest cut-off, a path that is
 * an address or an existing file: HL_EINVAL and nothing written. When no
 * record is old enough, no file is left and *out says 0 records. */
int hl_archive(hl_app *app, const char *path, hl_time before, const char *actor,
               hl_archive_summary *out, hl_error *error);

/* Checks the archive file at path with app's key: its seal, and each
 * chain inside it from its starting anchor to its last record. A missing
 * file is HL_EINVAL; a file that fails HL_EMISMATCH naming the first
 * problem (HL_EIO when it cannot be read); *out (may be NULL) receives
 * what it holds. */
int hl_archive_check(hl_app *app, const char *path, hl_archive_summary *out, hl_error *error);

/* The newest successful audit.archive event of store into *out (its seq
 * 0 when there is none): the one that names the anchors in force. */
int hl_archive_last_event(hl_store *store, hl_security_event *out, hl_error *error);

/* Whether an audit.archive event of store names a range of chain kind
 * ending at anchor (only the newest such event when newest_only). */
int hl_archive_event_names(hl_store *store, hl_chain_kind kind, const hl_chain_head *anchor,
                           bool newest_only, bool *named, hl_error *error);

/* Whether each chain the checked archive holds records of ends where the
 * store of app starts (its anchor) or where an audit.archive event of the
 * store says an archive ended: HL_EMISMATCH otherwise ("anchored
 * nowhere"). */
int hl_archive_anchored(hl_app *app, const hl_archive_summary *summary, hl_error *error);

#endif
