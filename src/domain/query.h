/* query.h: what a query over orders, events and the audit asks for,
 * independent of any store: which records (the filters), in what order
 * (one sort), and which page of them (limit and offset). The store's
 * backends turn these into their own queries; app/, cli/ and http/ fill
 * them.
 *
 * One paging scheme: limit and offset. The API pages by page number and
 * shows the total (docs/api.md), Open311 and the audit page by position,
 * and a deadline-sorted list is made of two parts (the running deadlines,
 * then the rest) that a keyset cursor could only cross with a cursor per
 * part. A deep offset reads the rows it skips in an index: milliseconds at
 * page 100 of ten million orders. after_id is a selection, not a cursor
 * ("orders numbered after this one"); in number order, the command line's
 * and internal scans' order, it also reads the next page cheaply from
 * where the last one ended, and stays right when orders come in between. */
#ifndef HL_DOMAIN_QUERY_H
#define HL_DOMAIN_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/order.h"
#include "domain/workflow.h"

/* The order of a query's orders. */
typedef enum hl_order_sort {
    HL_ORDER_SORT_ID = 0,        /* by number, ascending */
    HL_ORDER_SORT_RECEIVED,      /* received_at, then number, ascending */
    HL_ORDER_SORT_RECEIVED_DESC, /* newest first */
    /* The running deadline (due_at) soonest first, then the orders without
     * one (due_at 0), newest first. */
    HL_ORDER_SORT_DEADLINE,
    /* The latest running deadline first, then the orders without one,
     * newest first. */
    HL_ORDER_SORT_DEADLINE_DESC,
} hl_order_sort;

/* Which orders a query returns, in what order, and which page. Zero/NULL
 * members do not select. A new member that selects must be named in
 * hl_order_filter_is_states_only (query.c). */
typedef struct hl_order_filter {
    /* Which orders. */
    unsigned state_mask; /* HL_STATE_BIT mask, 0 = any */
    const char *unit;    /* lead unit */
    const char *co_unit; /* orders where this unit is a co-handling unit */
    const char *category;
    const char *categories; /* comma-separated category codes: any of them */
    unsigned channel_mask;  /* bits (1u << hl_channel), 0 = any */
    bool consented;         /* only orders whose citizen agreed to publication */
    hl_time received_from;  /* received_at >= */
    hl_time received_to;    /* received_at < */
    hl_time due_before;     /* a deadline runs (due_at > 0) and due_at < this */
    hl_time due_from;       /* due_at >= this */
    const char *text;       /* substring of title or content */
    int assessed_month;     /* yyyymm of the completion being assessed */
    bool appeal_upheld;     /* only orders excluded by an upheld appeal */
    /* Only orders awaiting this decision (hl_order_pending_of); the
     * stores read them through an index of the few that wait. */
    hl_pending pending;
    /* The citizen's phone, written any way (domain/phone.h): found by its
     * search hash, so the store needs a phone codec. */
    const char *phone;
    /* Orders whose lead or co-handling unit this is: what a unit's handler
     * may read (app/auth sets it). */
    const char *scope_unit;
    int64_t after_id; /* only orders numbered after this one */
    /* Only orders received before this one: an earlier received time, or
     * the same and a smaller number. None when it does not exist. */
    int64_t before_id;
    /* In what order. */
    hl_order_sort sort;
    /* Which page: limit rows (0 = all) after skipping offset. */
    int limit;
    int64_t offset;
} hl_order_filter;

/* Whether a filter selects by state alone, or not at all (NULL): every
 * member but state_mask, sort, limit and offset is unset. A count of such
 * a filter needs no order: a store answers it from the per-state totals it
 * keeps (store.h, hl_store_order_state_counts). */
bool hl_order_filter_is_states_only(const hl_order_filter *filter);

/* Which events an event query returns: at_from <= at < at_to (at_to 0: no
 * end), of orders whose channel is in channel_mask (bits of hl_channel; 0:
 * any) and, when consented, whose citizen agreed to publication, whose action is in action_mask
 * (bits of hl_action; 0: any), in the order (at, order, seq), limit rows (0: all) after skipping
 * offset. */
typedef struct hl_event_filter {
    hl_time at_from;
    hl_time at_to;
    unsigned channel_mask;
    bool consented;
    uint32_t action_mask;
    int limit;
    int64_t offset;
} hl_event_filter;

/* Which full phone-number reads an audit query returns, newest first.
 * Zero/NULL members do not filter. */
typedef struct hl_audit_filter {
    int64_t order_id;
    const char *actor;
    hl_time since;  /* at >= since */
    int limit;      /* 0 = no limit */
    int64_t offset; /* skip this many (paging) */
} hl_audit_filter;

/* What a query hands back, one record at a time. Visitors return 0 to go
 * on, anything else to stop (that value is returned). */
typedef int (*hl_order_visitor)(void *context, const hl_order *order);
typedef int (*hl_event_visitor)(void *context, const hl_event *event);
/* Receives one category's count of orders ("" for orders without one). */
typedef int (*hl_category_count_visitor)(void *context, const char *category, int64_t count);

#endif
