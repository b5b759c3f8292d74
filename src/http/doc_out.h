/* doc_out.h: one document, written once, as XML or as JSON.
 *
 * Open311 answers every resource in both formats with the same shape: a
 * list of items (XML <services><service>...</service></services>, JSON
 * [{...}]), objects of named values, lists nested in objects. A handler
 * writes the document once through these calls and the writer produces
 * either format:
 *
 *   list "services" of "service"   XML <services><service>..  JSON [{..
 *   object inside a list           XML <service>...</service> JSON {...}
 *   object at the root or a member XML <name>...</name>       JSON {...} / "name":{...}
 *   string, number, boolean, null  XML <key>text</key>, <key/> JSON "key":value
 *   a list's scalar item           XML <format>text</format>  JSON "text"
 *
 * JSON strings are escaped as JSON; XML text through xml_out.c. Every
 * string must be UTF-8 (the XML writer replaces what is not). Nesting is
 * bounded (HL_DOC_DEPTH): the documents are the program's own, so deeper
 * nesting is a bug, and what lies beyond the bound is left out. */
#ifndef HL_DOC_OUT_H
#define HL_DOC_OUT_H

#include <stdbool.h>

#include "base/text.h"

typedef enum hl_doc_format { HL_DOC_XML = 0, HL_DOC_JSON } hl_doc_format;

#define HL_DOC_DEPTH 8

typedef struct hl_doc_level {
    bool list;        /* a list (JSON array), else an object */
    const char *name; /* the element that closes it in XML */
    const char *item; /* a list's item element */
    bool has_members; /* JSON: a comma goes before the next member */
} hl_doc_level;

typedef struct hl_doc {
    hl_buf *out; /* not owned */
    hl_doc_format format;
    int depth;
    int skipped; /* levels opened beyond HL_DOC_DEPTH (left out) */
    hl_doc_level levels[HL_DOC_DEPTH];
} hl_doc;

/* Starts a document in out (XML: the declaration). */
void hl_doc_begin(hl_doc *doc, hl_buf *out, hl_doc_format format);
/* Ends it: a final line feed. */
void hl_doc_end(hl_doc *doc);

/* A list whose items are elements named item. name is its element (XML)
 * and its key inside an object (JSON); at the root JSON writes the bare
 * array. */
void hl_doc_list_begin(hl_doc *doc, const char *name, const char *item);
void hl_doc_list_end(hl_doc *doc);

/* An object: inside a list, one item (name NULL: the list's item name);
 * inside an object, the member name; at the root, the element name (XML)
 * and a bare object (JSON). */
void hl_doc_object_begin(hl_doc *doc, const char *name);
void hl_doc_object_end(hl_doc *doc);

/* Members of the current object. A NULL string is null (<key/>). */
void hl_doc_string(hl_doc *doc, const char *key, const char *value);
void hl_doc_int(hl_doc *doc, const char *key, long long value);
/* A number with six decimals (degrees of latitude and longitude). */
void hl_doc_degrees(hl_doc *doc, const char *key, double value);
void hl_doc_bool(hl_doc *doc, const char *key, bool value);
void hl_doc_null(hl_doc *doc, const char *key);

/* One scalar item of the current list. */
void hl_doc_item_string(hl_doc *doc, const char *value);

#endif
