/* phone.h: the normal form of a citizen's phone number, for finding every
 * order of one caller however the number was written.
 *
 * Agents, web forms and imports write one number many ways: "+86 138-0013-
 * 8000", "0086 13800138000", "13800138000"; "0351-1234567" and "+86 351
 * 1234567". hl_phone_normalize reduces each to the digits a caller in
 * mainland China would dial, so that equal numbers have equal forms (the
 * store keeps a keyed hash of that form: see app/secrets.h). Rules:
 *
 *   1. Only the digits count; spaces, '-' and a leading '+' are dropped.
 *   2. A number written internationally ("+..." or "00...") loses that
 *      prefix. If its country code is 86 (China), the 86 goes too, and a
 *      landline gets back the trunk 0 that international dialling drops
 *      ("+86 351 1234567" is "03511234567"); a mobile number (11 digits
 *      starting with 1) stays as it is. Another country's number keeps its
 *      country code ("+1 415 555 0100" is "14155550100"): such numbers
 *      match each other only when written with it.
 *   3. Written without '+' or 00, "86" before a mobile number (13 digits,
 *      "861...") is the country code and goes; every other number stays as
 *      its digits.
 *
 * Pure: no I/O, no allocation. */
#ifndef HL_PHONE_H
#define HL_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/limits.h"

/* Room for a normal form: the digits of the longest number and a trunk 0. */
#define HL_PHONE_NORMAL_BYTES (HL_PHONE_CHARS + 2)

/* Writes the normal form of phone (NUL-terminated) into out, which holds
 * HL_PHONE_NORMAL_BYTES. Returns the number of digits written: 0 when the
 * text holds no digit (out is then ""). Digits beyond HL_PHONE_CHARS are
 * ignored: no valid number has them. */
size_t hl_phone_normalize(const char *phone, char out[HL_PHONE_NORMAL_BYTES]);

/* Whether the length bytes at phone are a phone number as citizens and
 * switchboards write it ("0571-12345", "+86 138 0000 0000"): 3 to
 * HL_PHONE_CHARS characters, only digits, spaces, '+' and '-', at least 3
 * digits. Anything else is probably a field mix-up. A registration's
 * number must be one (domain/order.c), and so must a number searched for:
 * a search that cannot match any order is refused rather than answered
 * empty, so that a typing mistake is seen. */
bool hl_phone_valid(const char *phone, size_t length);

#endif
