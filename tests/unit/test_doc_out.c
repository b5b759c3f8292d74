/* test_doc_out.c: the two-format document writer (src/http/doc_out.c):
 * one sequence of calls gives the XML and the JSON Open311 expects (root
 * lists, objects in lists, nested lists of objects and of scalars, nulls,
 * numbers, booleans), the JSON parses (jansson) with commas in the right
 * places, and nesting beyond the bound is left out without breaking the
 * rest. */
#include "test_support.h"

#include <jansson.h>
#include <string.h>

#include "http/doc_out.h"

/* A service definition with two attributes, one with values. */
static void write_definition(hl_doc *doc)
{
    hl_doc_object_begin(doc, "service_definition");
    hl_doc_string(doc, "service_code", "city");
    hl_doc_list_begin(doc, "attributes", "attribute");
    hl_doc_object_begin(doc, NULL);
    hl_doc_bool(doc, "variable", true);
    hl_doc_string(doc, "code", "KIND");
    hl_doc_int(doc, "order", 1);
    hl_doc_list_begin(doc, "values", "value");
    hl_doc_object_begin(doc, NULL);
    hl_doc_string(doc, "key", "a");
    hl_doc_string(doc, "name", "A & B");
    hl_doc_object_end(doc);
    hl_doc_object_begin(doc, NULL);
    hl_doc_string(doc, "key", "b");
    hl_doc_string(doc, "name", "\"quoted\"");
    hl_doc_object_end(doc);
    hl_doc_list_end(doc);
    hl_doc_object_end(doc);
    hl_doc_object_begin(doc, NULL);
    hl_doc_bool(doc, "variable", false);
    hl_doc_string(doc, "code", "NOTE");
    hl_doc_null(doc, "datatype_description");
    hl_doc_list_begin(doc, "values", "value");
    hl_doc_list_end(doc);
    hl_doc_object_end(doc);
    hl_doc_list_end(doc);
    hl_doc_object_end(doc);
}

static void test_object_with_nested_lists_as_xml(void **state)
{
    (void)state;
    hl_buf out;
    hl_buf_init(&out);
    hl_doc doc;
    hl_doc_begin(&doc, &out, HL_DOC_XML);
    write_definition(&doc);
    hl_doc_end(&doc);
    assert_string_equal(
        out.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<service_definition><service_code>city</service_code><attributes>"
                  "<attribute><variable>true</variable><code>KIND</code><order>1</order><values>"
                  "<value><key>a</key><name>A &amp; B</name></value>"
                  "<value><key>b</key><name>&quot;quoted&quot;</name></value></values></attribute>"
                  "<attribute><variable>false</variable><code>NOTE</code><datatype_description/>"
                  "<values></values></attribute>"
                  "</attributes></service_definition>\n");
    hl_buf_free(&out);
}

static void test_object_with_nested_lists_as_json(void **state)
{
    (void)state;
    hl_buf out;
    hl_buf_init(&out);
    hl_doc doc;
    hl_doc_begin(&doc, &out, HL_DOC_JSON);
    write_definition(&doc);
    hl_doc_end(&doc);
    assert_string_equal(
        out.data,
        "{\"service_code\":\"city\",\"attributes\":["
        "{\"variable\":true,\"code\":\"KIND\",\"order\":1,\"values\":["
        "{\"key\":\"a\",\"name\":\"A & B\"},{\"key\":\"b\",\"name\":\"\\\"quoted\\\"\"}]},"
        "{\"variable\":false,\"code\":\"NOTE\",\"datatype_description\":null,\"values\":[]}]}\n");
    json_error_t problem;
    json_t *parsed = json_loads(out.data, 0, &problem);
    assert_non_null(parsed);
    json_decref(parsed);
    hl_buf_free(&out);
}

/* The errors list of Open311 at the root, with a string list inside. */
static void write_errors(hl_doc *doc)
{
    hl_doc_list_begin(doc, "errors", "error");
    for (int index = 0; index < 2; index++) {
        hl_doc_object_begin(doc, NULL);
        hl_doc_int(doc, "code", 400 + index);
        hl_doc_string(doc, "description", index == 0 ? "bad <input>" : NULL);
        hl_doc_degrees(doc, "lat", 37.8123456);
        hl_doc_list_begin(doc, "formats", "format");
        hl_doc_item_string(doc, "text/xml");
        hl_doc_item_string(doc, "application/json");
        hl_doc_list_end(doc);
        hl_doc_object_end(doc);
    }
    hl_doc_list_end(doc);
}

static void test_root_list_as_xml_and_json(void **state)
{
    (void)state;
    hl_buf xml, json;
    hl_buf_init(&xml);
    hl_buf_init(&json);
    hl_doc doc;
    hl_doc_begin(&doc, &xml, HL_DOC_XML);
    write_errors(&doc);
    hl_doc_end(&doc);
    hl_doc_begin(&doc, &json, HL_DOC_JSON);
    write_errors(&doc);
    hl_doc_end(&doc);
    assert_string_equal(
        xml.data,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>"
        "<error><code>400</code><description>bad &lt;input&gt;</description><lat>37.812346</lat>"
        "<formats><format>text/xml</format><format>application/json</format></formats></error>"
        "<error><code>401</code><description/><lat>37.812346</lat>"
        "<formats><format>text/xml</format><format>application/json</format></formats></error>"
        "</errors>\n");
    assert_string_equal(json.data,
                        "[{\"code\":400,\"description\":\"bad <input>\",\"lat\":37.812346,"
                        "\"formats\":[\"text/xml\",\"application/json\"]},"
                        "{\"code\":401,\"description\":null,\"lat\":37.812346,"
                        "\"formats\":[\"text/xml\",\"application/json\"]}]\n");
    hl_buf_free(&xml);
    hl_buf_free(&json);
}

static void test_empty_root_list(void **state)
{
    (void)state;
    hl_buf json;
    hl_buf_init(&json);
    hl_doc doc;
    hl_doc_begin(&doc, &json, HL_DOC_JSON);
    hl_doc_list_begin(&doc, "service_requests", "request");
    hl_doc_list_end(&doc);
    hl_doc_end(&doc);
    assert_string_equal(json.data, "[]\n");
    hl_buf_free(&json);
}

static void test_nesting_beyond_the_bound_is_left_out(void **state)
{
    (void)state;
    hl_buf json;
    hl_buf_init(&json);
    hl_doc doc;
    hl_doc_begin(&doc, &json, HL_DOC_JSON);
    hl_doc_object_begin(&doc, "root");
    for (int level = 0; level < HL_DOC_DEPTH + 3; level++)
        hl_doc_object_begin(&doc, "deeper");
    hl_doc_string(&doc, "lost", "x");
    for (int level = 0; level < HL_DOC_DEPTH + 3; level++)
        hl_doc_object_end(&doc);
    hl_doc_string(&doc, "kept", "y");
    hl_doc_object_end(&doc);
    hl_doc_end(&doc);
    json_error_t problem;
    json_t *parsed = json_loads(json.data, 0, &problem);
    assert_non_null(parsed);
    assert_string_equal(json_string_value(json_object_get(parsed, "kept")), "y");
    assert_null(strstr(json.data, "lost"));
    json_decref(parsed);
    hl_buf_free(&json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_with_nested_lists_as_xml),
        cmocka_unit_test(test_object_with_nested_lists_as_json),
        cmocka_unit_test(test_root_list_as_xml_and_json),
        cmocka_unit_test(test_empty_root_list),
        cmocka_unit_test(test_nesting_beyond_the_bound_is_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
