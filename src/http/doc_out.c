/* doc_out.c: the two-format document writer (see doc_out.h).
 *
 * Keeps a small stack of the lists and objects open, so that JSON gets its
 * commas and XML its closing tags. It does not decide what a document
 * holds; the Open311 routes do. */
#include "http/doc_out.h"

#include <stdio.h>
#include <string.h>

#include "base/contract.h"
#include "http/xml_out.h"

static bool json(const hl_doc *doc)
{
    return doc->format == HL_DOC_JSON;
}

static hl_doc_level *current(hl_doc *doc)
{
    return doc->depth > 0 ? &doc->levels[doc->depth - 1] : NULL;
}

/* JSON: the comma before a member or item, and the key inside an object. */
static void json_member(hl_doc *doc, const char *key)
{
    hl_doc_level *level = current(doc);
    if (level == NULL)
        return;
    if (level->has_members)
        hl_buf_append_char(doc->out, ',');
    level->has_members = true;
    if (!level->list && key != NULL) {
        hl_buf_append_json_string(doc->out, key);
        hl_buf_append_char(doc->out, ':');
    }
}

void hl_doc_begin(hl_doc *doc, hl_buf *out, hl_doc_format format)
{
    HL_REQUIRE(doc != NULL && out != NULL);
    memset(doc, 0, sizeof *doc);
    doc->out = out;
    doc->format = format;
    if (format == HL_DOC_XML)
        hl_xml_declaration(out);
}

void hl_doc_end(hl_doc *doc)
{
    hl_buf_append_char(doc->out, '\n');
}

/* Pushes a level; false (and the level counted as skipped) beyond the bound. */
static bool push(hl_doc *doc, bool list, const char *name, const char *item)
{
    if (doc->skipped > 0 || doc->depth >= HL_DOC_DEPTH) {
        doc->skipped++;
        return false;
    }
    hl_doc_level *level = &doc->levels[doc->depth++];
    level->list = list;
    level->name = name;
    level->item = item;
    level->has_members = false;
    return true;
}

/* Pops a level; false when the level was a skipped one. */
static bool pop(hl_doc *doc, hl_doc_level *out)
{
    if (doc->skipped > 0) {
        doc->skipped--;
        return false;
    }
    if (doc->depth == 0)
        return false;
    *out = doc->levels[--doc->depth];
    return true;
}

/* Opens a list or an object: in JSON its bracket after the member's name,
 * in XML the element; beyond the bound, nothing but the count of levels
 * skipped. */
static void open_level(hl_doc *doc, bool list, const char *name, const char *element,
                       const char *item)
{
    if (doc->skipped > 0 || doc->depth >= HL_DOC_DEPTH) {
        doc->skipped++;
        return;
    }
    if (json(doc)) {
        json_member(doc, name);
        hl_buf_append_char(doc->out, list ? '[' : '{');
    } else {
        hl_xml_open(doc->out, element);
    }
    push(doc, list, element, item);
}

/* Closes the level open_level opened last. */
static void close_level(hl_doc *doc)
{
    hl_doc_level level;
    if (!pop(doc, &level))
        return;
    if (json(doc))
        hl_buf_append_char(doc->out, level.list ? ']' : '}');
    else
        hl_xml_close(doc->out, level.name);
}

void hl_doc_list_begin(hl_doc *doc, const char *name, const char *item)
{
    open_level(doc, true, name, name, item);
}

void hl_doc_list_end(hl_doc *doc)
{
    close_level(doc);
}

void hl_doc_object_begin(hl_doc *doc, const char *name)
{
    /* An object inside a list is named by the list's item in XML. */
    hl_doc_level *parent = current(doc);
    const char *element = parent != NULL && parent->list ? parent->item : name;
    open_level(doc, false, name, element, NULL);
}

void hl_doc_object_end(hl_doc *doc)
{
    close_level(doc);
}

/* Writes one member whose JSON form is raw (a number, true, null) or a
 * string, and whose XML form is text (NULL: an empty element). */
static void member(hl_doc *doc, const char *key, const char *json_raw, const char *text)
{
    if (doc->skipped > 0)
        return;
    if (json(doc)) {
        json_member(doc, key);
        if (json_raw != NULL)
            hl_buf_append_str(doc->out, json_raw);
        else
            hl_buf_append_json_string(doc->out, text);
    } else {
        hl_xml_element(doc->out, key, text);
    }
}

void hl_doc_string(hl_doc *doc, const char *key, const char *value)
{
    member(doc, key, value == NULL ? "null" : NULL, value);
}

void hl_doc_int(hl_doc *doc, const char *key, long long value)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", value);
    member(doc, key, text, text);
}

void hl_doc_degrees(hl_doc *doc, const char *key, double value)
{
    char text[48];
    snprintf(text, sizeof text, "%.6f", value);
    member(doc, key, text, text);
}

void hl_doc_bool(hl_doc *doc, const char *key, bool value)
{
    member(doc, key, value ? "true" : "false", value ? "true" : "false");
}

void hl_doc_null(hl_doc *doc, const char *key)
{
    member(doc, key, "null", NULL);
}

void hl_doc_item_string(hl_doc *doc, const char *value)
{
    hl_doc_level *level = current(doc);
    if (doc->skipped > 0 || level == NULL || !level->list)
        return;
    if (json(doc)) {
        json_member(doc, NULL);
        hl_buf_append_json_string(doc->out, value != NULL ? value : "");
    } else {
        hl_xml_element(doc->out, level->item, value != NULL ? value : "");
    }
}
