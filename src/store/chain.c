/* chain.c: the links of the hash chains (see chain.h): the canonical
 * encoding of each kind of record and its BLAKE2b-256 hash. It reads and
 * writes no database (the backends do) and judges no chain (app/verify). */
#include "store/chain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/contract.h"
#include "domain/order.h"

const char hl_chain_genesis[HL_CHAIN_HEX_BYTES] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static const char *const chain_names[HL_CHAIN_COUNT] = {"events", "reads", "security"};

const char *hl_chain_name(hl_chain_kind kind)
{
    HL_REQUIRE(kind >= 0 && kind < HL_CHAIN_COUNT);
    return chain_names[kind];
}

bool hl_chain_hex_valid(const char *text)
{
    size_t length = 0;
    for (; text[length] != '\0'; length++)
        if (!((text[length] >= '0' && text[length] <= '9') ||
              (text[length] >= 'a' && text[length] <= 'f')))
            return false;
    return length == HL_CHAIN_HEX_CHARS;
}

static void put_length(crypto_generichash_state *state, uint64_t length)
{
    unsigned char bytes[8];
    for (int index = 7; index >= 0; index--) {
        bytes[index] = (unsigned char)(length & 0xFF);
        length >>= 8;
    }
    crypto_generichash_update(state, bytes, sizeof bytes);
}

static void put_bytes(crypto_generichash_state *state, const void *bytes, size_t length)
{
    put_length(state, length);
    if (length > 0)
        crypto_generichash_update(state, bytes, length);
}

static void put_text(crypto_generichash_state *state, const char *text)
{
    put_bytes(state, text != NULL ? text : "", text != NULL ? strlen(text) : 0);
}

static void put_int(crypto_generichash_state *state, int64_t value)
{
    put_length(state, 8);
    put_length(state, (uint64_t)value);
}

/* The raw bytes of a hex hash; a hash that is not 64 hex digits (a damaged
 * row) is hashed as its text, so that it still changes the result. */
static void put_hash(crypto_generichash_state *state, const char *hex)
{
    unsigned char raw[HL_CHAIN_HASH_BYTES];
    size_t length = 0;
    if (hl_chain_hex_valid(hex) &&
        sodium_hex2bin(raw, sizeof raw, hex, HL_CHAIN_HEX_CHARS, NULL, &length, NULL) == 0 &&
        length == sizeof raw)
        put_bytes(state, raw, sizeof raw);
    else
        put_text(state, hex);
}

static void begin(crypto_generichash_state *state, hl_chain_kind kind, const hl_chain_link *link)
{
    static const char tag[] = "hotline-chain-1";
    crypto_generichash_init(state, NULL, 0, HL_CHAIN_HASH_BYTES);
    put_bytes(state, tag, sizeof tag - 1);
    put_text(state, hl_chain_name(kind));
    put_int(state, link->seq);
    put_hash(state, link->prev);
}

static void end(crypto_generichash_state *state, hl_chain_link *link)
{
    unsigned char raw[HL_CHAIN_HASH_BYTES];
    crypto_generichash_final(state, raw, sizeof raw);
    sodium_bin2hex(link->hash, sizeof link->hash, raw, sizeof raw);
}

static const char *action_name(hl_action action)
{
    const hl_workflow_rule *rule = hl_workflow_rule_of(action);
    return rule != NULL ? rule->name : "";
}

static const char *state_name(hl_state state)
{
    const char *name = hl_order_state_name(state);
    return name != NULL ? name : "";
}

void hl_chain_link_event(const hl_event *event, hl_chain_link *link)
{
    crypto_generichash_state state;
    begin(&state, HL_CHAIN_EVENTS, link);
    put_int(&state, event->order_id);
    put_int(&state, event->seq);
    put_int(&state, event->at);
    put_text(&state, event->actor);
    put_text(&state, action_name(event->action));
    put_text(&state, state_name(event->from_state));
    put_text(&state, state_name(event->to_state));
    put_text(&state, event->unit);
    put_text(&state, event->other_unit);
    put_int(&state, event->deadline);
    put_text(&state, event->note);
    put_text(&state, event->details);
    put_int(&state, event->period);
    put_int(&state, (int64_t)event->outcome);
    put_int(&state, (int64_t)event->rating);
    put_int(&state, (int64_t)event->resolved);
    put_int(&state, (int64_t)event->flags);
    end(&state, link);
}

/* A read's id is not covered: the store gives it at insert (after the
 * link is made), and seq already fixes the read's place. */
void hl_chain_link_read(const hl_audit_read *read, hl_chain_link *link)
{
    crypto_generichash_state state;
    begin(&state, HL_CHAIN_READS, link);
    put_int(&state, read->at);
    put_text(&state, read->actor);
    put_int(&state, read->order_id);
    put_text(&state, read->route);
    end(&state, link);
}

void hl_chain_link_security(const hl_security_event *event, hl_chain_link *link)
{
    crypto_generichash_state state;
    begin(&state, HL_CHAIN_SECURITY, link);
    put_int(&state, event->at);
    put_text(&state, event->actor);
    put_text(&state, event->address);
    put_text(&state, event->action);
    put_text(&state, event->target);
    put_text(&state, event->outcome);
    put_text(&state, event->detail);
    end(&state, link);
}

void hl_chain_link_record(const hl_chain_record *record, hl_chain_link *link)
{
    switch (record->kind) {
    case HL_CHAIN_EVENTS: hl_chain_link_event(&record->as.event, link); break;
    case HL_CHAIN_READS: hl_chain_link_read(&record->as.read, link); break;
    case HL_CHAIN_SECURITY: hl_chain_link_security(&record->as.security, link); break;
    default: HL_REQUIRE(false);
    }
}

void hl_chain_start_link(const hl_chain_head *head, hl_chain_link *link)
{
    link->seq = head->seq + 1;
    snprintf(link->prev, sizeof link->prev, "%s", head->hash);
    link->hash[0] = '\0';
}

void hl_chain_advance(hl_chain_head *head, const hl_chain_link *link)
{
    head->seq = link->seq;
    snprintf(head->hash, sizeof head->hash, "%s", link->hash);
}
