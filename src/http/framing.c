/* framing.c: refusing requests whose body framing is ambiguous (see
 * framing.h). It counts and checks the two framing fields and every field
 * name of one request head; it neither reads bodies nor answers requests
 * (the server does, with 400 and a closed connection). */
#include "http/framing.h"

#include <stdint.h>
#include <string.h>

#include "base/i18n.h"
#include "base/text.h"

/* RFC 9110's token characters: what a field name may hold. */
static bool is_token_byte(unsigned char byte)
{
    if (byte >= '0' && byte <= '9')
        return true;
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z'))
        return true;
    return byte != '\0' && strchr("!#$%&'*+-.^_`|~", byte) != NULL;
}

static bool name_is(const char *name, size_t length, const char *expected)
{
    size_t expected_length = strlen(expected);
    if (length != expected_length)
        return false;
    for (size_t index = 0; index < length; index++) {
        unsigned char a = (unsigned char)name[index], b = (unsigned char)expected[index];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* The value without the spaces and tabs around it. */
static hl_slice trimmed(const char *value, size_t length)
{
    while (length > 0 && (value[0] == ' ' || value[0] == '\t')) {
        value++;
        length--;
    }
    while (length > 0 && (value[length - 1] == ' ' || value[length - 1] == '\t'))
        length--;
    return (hl_slice){value, length};
}

void hl_framing_init(hl_framing *framing)
{
    memset(framing, 0, sizeof *framing);
}

void hl_framing_add(hl_framing *framing, const char *name, size_t name_length, const char *value,
                    size_t value_length)
{
    if (name_length == 0)
        framing->bad_name = true;
    for (size_t index = 0; index < name_length; index++)
        if (!is_token_byte((unsigned char)name[index]))
            framing->bad_name = true;
    hl_slice text = trimmed(value != NULL ? value : "", value != NULL ? value_length : 0);
    if (name_is(name, name_length, "Content-Length")) {
        framing->content_lengths++;
        /* 19 digits hold any length an int64 can; more is no real body. */
        bool digits = text.len > 0 && text.len <= 19;
        for (size_t index = 0; digits && index < text.len; index++)
            digits = text.ptr[index] >= '0' && text.ptr[index] <= '9';
        if (!digits)
            framing->bad_length = true;
    } else if (name_is(name, name_length, "Transfer-Encoding")) {
        framing->transfer_encodings++;
        /* Exactly "chunked", in lower case: what libmicrohttpd decodes. */
        if (text.len != 7 || memcmp(text.ptr, "chunked", 7) != 0)
            framing->bad_coding = true;
    }
}

/* Whether value follows name as in the line "name:  value": only a NUL
 * (the colon) and spaces or tabs between them. The gap is looked at only
 * when the value lies a little after the name, inside the line. */
static bool value_follows_name(const char *name, size_t name_length, const char *value)
{
    /* The longest run of spaces and tabs before a value taken as in place;
     * a head is at most 32 KiB, but no client pads a value this much. */
    const size_t max_padding = 1024;
    /* As integers: the two may be apart, and pointers into different
     * objects cannot be compared in C. */
    uintptr_t name_at = (uintptr_t)name, value_at = (uintptr_t)value;
    if (value == NULL || value_at <= name_at)
        return false;
    uintptr_t offset = value_at - name_at;
    if (offset < name_length + 1 || offset > name_length + 1 + max_padding)
        return false;
    if (name[name_length] != '\0')
        return false;
    for (size_t index = name_length + 1; index < offset; index++)
        if (name[index] != ' ' && name[index] != '\t')
            return false;
    return true;
}

void hl_framing_add_in_place(hl_framing *framing, const char *name, size_t name_length,
                             const char *value, size_t value_length)
{
    if (!value_follows_name(name, name_length, value))
        framing->folded = true;
    hl_framing_add(framing, name, name_length, value, value_length);
}

int hl_framing_verdict(const hl_framing *framing, hl_error *error)
{
    if (framing->folded)
        return hl_error_set(error, HL_EINVAL, "header", "%s",
                            HL_T("请求头不得折行（以空白开头的续行）",
                                 "a header line may not be folded onto the next (obs-fold)"));
    if (framing->bad_name)
        return hl_error_set(error, HL_EINVAL, "header", "%s",
                            HL_T("请求头字段名不合法（含空白或控制字符）",
                                 "a header field name holds whitespace or a control character"));
    if (framing->content_lengths > 0 && framing->transfer_encodings > 0)
        return hl_error_set(error, HL_EINVAL, "transfer-encoding", "%s",
                            HL_T("请求不得同时带 Content-Length 与 Transfer-Encoding",
                                 "a request may not carry both Content-Length and "
                                 "Transfer-Encoding"));
    if (framing->transfer_encodings > 1 || framing->bad_coding)
        return hl_error_set(error, HL_EINVAL, "transfer-encoding", "%s",
                            HL_T("Transfer-Encoding 只接受一次 chunked",
                                 "Transfer-Encoding may only be chunked, once"));
    if (framing->content_lengths > 1 || framing->bad_length)
        return hl_error_set(error, HL_EINVAL, "content-length", "%s",
                            HL_T("Content-Length 须只出现一次，且为十进制整数",
                                 "Content-Length must appear once, as a decimal number"));
    return HL_OK;
}
