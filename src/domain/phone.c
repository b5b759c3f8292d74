/* phone.c: the normal form of a phone number (see phone.h for the rules).
 *
 * It rewrites digits and says whether a text is written as a number
 * (hl_phone_valid, for registrations and searches alike); it knows
 * nothing of hashing or storage. */
#include "domain/phone.h"

#include <stdbool.h>
#include <string.h>

#define CHINA_CODE "86"
#define MOBILE_DIGITS 11
/* The shortest number written: a three-digit service number (110, 120). */
#define PHONE_MIN_CHARS 3
#define PHONE_MIN_DIGITS 3

static bool is_mobile(const char *digits, size_t length)
{
    return length == MOBILE_DIGITS && digits[0] == '1';
}

size_t hl_phone_normalize(const char *phone, char out[HL_PHONE_NORMAL_BYTES])
{
    char digits[HL_PHONE_CHARS + 1];
    size_t length = 0;
    bool plus = false, seen_digit = false;
    for (const char *cursor = phone; *cursor != '\0'; cursor++) {
        if (*cursor >= '0' && *cursor <= '9') {
            seen_digit = true;
            if (length < HL_PHONE_CHARS)
                digits[length++] = *cursor;
        } else if (*cursor == '+' && !seen_digit) {
            plus = true;
        }
    }
    digits[length] = '\0';

    const char *start = digits;
    bool international = plus;
    if (!plus && length > 2 && strncmp(digits, "00", 2) == 0) {
        international = true;
        start += 2;
    }
    size_t rest = length - (size_t)(start - digits);
    bool trunk_zero = false;
    if (international && rest > 2 && strncmp(start, CHINA_CODE, 2) == 0) {
        start += 2;
        rest -= 2;
        /* International dialling drops a landline's trunk 0: put it back,
         * so that the number matches the way it is dialled at home. */
        trunk_zero = start[0] != '0' && !is_mobile(start, rest);
    } else if (!international && rest == MOBILE_DIGITS + 2 && strncmp(start, CHINA_CODE, 2) == 0 &&
               start[2] == '1') {
        start += 2;
        rest -= 2;
    }
    size_t written = 0;
    if (trunk_zero)
        out[written++] = '0';
    memcpy(out + written, start, rest);
    written += rest;
    out[written] = '\0';
    return written;
}

bool hl_phone_valid(const char *phone, size_t length)
{
    if (length < PHONE_MIN_CHARS || length > HL_PHONE_CHARS)
        return false;
    int digits = 0;
    for (size_t index = 0; index < length; index++) {
        char character = phone[index];
        if (character >= '0' && character <= '9')
            digits++;
        else if (character != ' ' && character != '+' && character != '-')
            return false;
    }
    return digits >= PHONE_MIN_DIGITS;
}
