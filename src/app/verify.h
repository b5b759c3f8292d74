/* verify.h: proof that the store agrees with its event log. */
#ifndef HL_VERIFY_H
#define HL_VERIFY_H

#include <stdint.h>

#include "app/app.h"
#include "store/store.h"

/* Rebuilds every rollup counter and every order's state and version from the
 * event log and compares them with the store, and the store's per-state
 * counts with the orders themselves, and checks the hash chains of the
 * logs (store/chain.h: one line per broken chain, naming its first broken
 * link, or a head that does not match the chain's last record), and each
 * published bulletin (app/publish: its digest, its figures, and its
 * recorded event chain head, which must be a link of the current chain).
 * Each difference is reported
 * as one line; returns HL_OK when there is none, HL_EMISMATCH otherwise.
 * *events_read receives the number of events scanned. */
typedef void (*hl_verify_difference_visitor)(void *context, const char *line);
int hl_verify_run(hl_app *app, hl_verify_difference_visitor report, void *context,
                  int64_t *events_read, hl_error *error);

typedef struct hl_verify_summary {
    int64_t events;                      /* events scanned */
    int64_t orders;                      /* orders checked against their logs */
    int months;                          /* months whose bulletin was recomputed from the log */
    hl_chain_head heads[HL_CHAIN_COUNT]; /* each chain's head as read */
    int publications;                    /* published bulletins checked (app/publish) */
} hl_verify_summary;

/* As hl_verify_run, and also recomputes every month's published bulletin
 * figures (each unit's base, reached surveys, satisfied citizens, rank) from
 * the counters rebuilt from the log, with the stored report policy, and
 * compares them with the figures from the stored counters: the published
 * numbers are then proved from the log itself. */
int hl_verify_run_full(hl_app *app, hl_verify_difference_visitor report, void *context,
                       hl_verify_summary *summary, hl_error *error);

/* Walks one chain of store from anchor (the first record must be the
 * anchor's seq + 1 and name its hash), recomputing every link: out
 * receives the records seen, the broken links (0: the chain is whole), the
 * first of them for people, and the last link reached. HL_OK unless the
 * store cannot be read. For an audit archive (app/archive.c). */
typedef struct hl_verify_chain_result {
    int64_t records, breaks;
    hl_chain_head last;
    char first_break[320];
} hl_verify_chain_result;
int hl_verify_chain_walk(hl_store *store, hl_chain_kind kind, const hl_chain_head *anchor,
                         hl_verify_chain_result *out, hl_error *error);

#endif
