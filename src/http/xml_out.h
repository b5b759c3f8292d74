/* xml_out.h: a small writer of XML 1.0 text into an hl_buf.
 *
 * Enough for the documents hotline answers (Open311's): the declaration,
 * elements with text, and escaping. Text is escaped (& < > " ' as
 * entities, a carriage return as &#13; so that it survives parsing) and
 * whatever XML 1.0 cannot carry is dropped rather than written: control
 * characters other than tab, line feed and carriage return, U+FFFE and
 * U+FFFF. Bytes that are not UTF-8 become U+FFFD, so that the output is
 * always well-formed whatever the input. Element names are the caller's
 * constants and are written as given. No library needed. */
#ifndef HL_XML_OUT_H
#define HL_XML_OUT_H

#include <stddef.h>

#include "base/text.h"

/* <?xml version="1.0" encoding="UTF-8"?> and a line feed. */
void hl_xml_declaration(hl_buf *out);

/* Appends length bytes of text, escaped as above. */
void hl_xml_escape(hl_buf *out, const char *text, size_t length);

/* <name> and </name>. */
void hl_xml_open(hl_buf *out, const char *name);
void hl_xml_close(hl_buf *out, const char *name);

/* <name>text</name> (text escaped); an empty element <name/> when text is
 * NULL. */
void hl_xml_element(hl_buf *out, const char *name, const char *text);

#endif
