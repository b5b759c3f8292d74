/* xml_out.c: escaping and elements of XML 1.0 text (see xml_out.h).
 *
 * It walks text one UTF-8 sequence at a time, so that it can replace
 * malformed bytes and drop the code points XML forbids; it neither parses
 * XML nor checks element names. */
#include "http/xml_out.h"

#include <string.h>

/* The replacement character, for bytes that are not UTF-8. */
static const char replacement[] = "\xEF\xBF\xBD";

/* The length of the UTF-8 sequence a lead byte announces (0: not a lead). */
static size_t sequence_length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

void hl_xml_declaration(hl_buf *out)
{
    hl_buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void hl_xml_escape(hl_buf *out, const char *text, size_t length)
{
    size_t index = 0;
    while (index < length) {
        unsigned char byte = (unsigned char)text[index];
        size_t span = sequence_length(byte);
        if (span == 0 || span > length - index || !hl_text_is_utf8(text + index, span)) {
            hl_buf_append(out, replacement, sizeof replacement - 1);
            index++;
            continue;
        }
        if (span == 1) {
            switch (byte) {
            case '&': hl_buf_append_str(out, "&amp;"); break;
            case '<': hl_buf_append_str(out, "&lt;"); break;
            case '>': hl_buf_append_str(out, "&gt;"); break;
            case '"': hl_buf_append_str(out, "&quot;"); break;
            case '\'': hl_buf_append_str(out, "&apos;"); break;
            case '\r': hl_buf_append_str(out, "&#13;"); break;
            case '\t':
            case '\n': hl_buf_append_char(out, (char)byte); break;
            default:
                /* The other C0 controls are not XML 1.0 characters at
                 * all, not even as references: dropped. DEL is allowed. */
                if (byte >= 0x20)
                    hl_buf_append_char(out, (char)byte);
            }
        } else if (span == 3 && memcmp(text + index, "\xEF\xBF", 2) == 0 &&
                   ((unsigned char)text[index + 2] == 0xBE ||
                    (unsigned char)text[index + 2] == 0xBF)) {
            /* U+FFFE and U+FFFF are not characters in XML 1.0: dropped. */
        } else {
            hl_buf_append(out, text + index, span);
        }
        index += span;
    }
}

void hl_xml_open(hl_buf *out, const char *name)
{
    hl_buf_append_char(out, '<');
    hl_buf_append_str(out, name);
    hl_buf_append_char(out, '>');
}

void hl_xml_close(hl_buf *out, const char *name)
{
    hl_buf_append_str(out, "</");
    hl_buf_append_str(out, name);
    hl_buf_append_char(out, '>');
}

void hl_xml_element(hl_buf *out, const char *name, const char *text)
{
    if (text == NULL) {
        hl_buf_append_char(out, '<');
        hl_buf_append_str(out, name);
        hl_buf_append_str(out, "/>");
        return;
    }
    hl_xml_open(out, name);
    hl_xml_escape(out, text, strlen(text));
    hl_xml_close(out, name);
}
