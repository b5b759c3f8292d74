/* chain.h: the hash chains that make the store's logs tamper-evident: the
 * work-order event log (events), the audit of full phone-number reads
 * (personal_data_reads) and the audit of security events
 * (security_events). Each record carries its place in its chain (seq,
 * 1, 2, ... with no gap), the hash of the record before it (prev) and its
 * own hash, which covers prev: changing, deleting or reordering a stored
 * record breaks the link after it, and only rewriting every later record
 * (and the head) hides that. A one-row head per chain (chain_heads)
 * holds the last seq and hash; `hotline verify` prints it, so that a head
 * written down elsewhere (a published bulletin, an operator's log) also
 * catches a rewrite of the tail.
 *
 * The hash is BLAKE2b-256 (libsodium's crypto_generichash) over a
 * canonical encoding, the same for both backends (docs/security.md):
 *   the tag "hotline-chain-1", then each field as an 8-byte big-endian
 *   length followed by its bytes, in this order: the chain's name
 *   ("events", "reads", "security"), seq (8 bytes big-endian), prev (the
 *   32 raw bytes; zeros before the first record), then the record's fields
 *   in the order of the hl_chain_*_fields functions below (integers as 8
 *   bytes big-endian two's complement, texts as their UTF-8 bytes,
 *   enumerations as the stable English names the stores keep).
 * Hashes are stored as 64 lowercase hex digits.
 *
 * Backends compute links here as they append (store/sqlite, store/postgres)
 * and app/verify recomputes them; nothing here touches a database, and
 * nothing here is secret: the hash is unkeyed, on purpose, so that anyone
 * holding a copy of the store can check it. */
#ifndef HL_STORE_CHAIN_H
#define HL_STORE_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/workflow.h"
#include "store/store.h"

#define HL_CHAIN_HASH_BYTES 32
#define HL_CHAIN_HEX_BYTES (2 * HL_CHAIN_HASH_BYTES + 1)

/* Fills link (whose seq and prev the caller has set) with the hash of an
 * event, a read or a security event as the next record of its chain. */
void hl_chain_link_event(const hl_event *event, hl_chain_link *link);
void hl_chain_link_read(const hl_audit_read *read, hl_chain_link *link);
void hl_chain_link_security(const hl_security_event *event, hl_chain_link *link);
void hl_chain_link_record(const hl_chain_record *record, hl_chain_link *link);

/* The chain's name as stored in chain_heads ("events", "reads",
 * "security"). */
const char *hl_chain_name(hl_chain_kind kind);

/* The prev of a chain's first record: 64 zeros. */
extern const char hl_chain_genesis[HL_CHAIN_HEX_BYTES];

/* Moves a chain's head one record on: head->seq + 1 and the record's hash,
 * after link was filled from head (seq = head->seq + 1, prev = head->hash). */
void hl_chain_start_link(const hl_chain_head *head, hl_chain_link *link);
void hl_chain_advance(hl_chain_head *head, const hl_chain_link *link);

/* Whether text is 64 lowercase hex digits. */
bool hl_chain_hex_valid(const char *text);

#endif
