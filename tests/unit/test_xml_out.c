/* test_xml_out.c: the XML writer (src/http/xml_out.c): the declaration,
 * the five escaped characters, carriage returns kept as references, the
 * characters XML 1.0 forbids dropped and bytes that are not UTF-8 replaced,
 * so that any input gives well-formed text; elements with text and empty
 * ones. */
#include "test_support.h"

#include <string.h>

#include "http/xml_out.h"

/* The escaped form of text (length bytes), in a buffer the caller frees. */
static void escaped(hl_buf *out, const char *text, size_t length)
{
    hl_buf_init(out);
    hl_xml_escape(out, text, length);
}

static void expect_escaped(const char *text, size_t length, const char *expected)
{
    hl_buf out;
    escaped(&out, text, length);
    assert_string_equal(out.data != NULL ? out.data : "", expected);
    hl_buf_free(&out);
}

static void test_declaration_names_utf8(void **state)
{
    (void)state;
    hl_buf out;
    hl_buf_init(&out);
    hl_xml_declaration(&out);
    assert_string_equal(out.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    hl_buf_free(&out);
}

static void test_markup_characters_are_escaped(void **state)
{
    (void)state;
    const char *text = "<a href=\"x\">Tom & Jerry's</a>";
    expect_escaped(text, strlen(text),
                   "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
}

static void test_plain_and_chinese_text_is_kept(void **state)
{
    (void)state;
    const char *text = "路灯不亮 street light\tout\nsecond line";
    expect_escaped(text, strlen(text), text);
}

static void test_carriage_return_is_a_reference(void **state)
{
    (void)state;
    expect_escaped("a\r\nb", 4, "a&#13;\nb");
}

static void test_forbidden_control_characters_are_dropped(void **state)
{
    (void)state;
    expect_escaped("a\x01"
                   "b\x08"
                   "c\x0b"
                   "d\x0c"
                   "e\x1f"
                   "f\x7f",
                   12,
                   "abcde"
                   "f\x7f");
    expect_escaped("nul\0after", 9, "nulafter");
}

static void test_noncharacters_fffe_and_ffff_are_dropped(void **state)
{
    (void)state;
    expect_escaped("x\xEF\xBF\xBEy\xEF\xBF\xBFz\xEF\xBF\xBD", 12, "xyz\xEF\xBF\xBD");
}

static void test_invalid_utf8_becomes_the_replacement_character(void **state)
{
    (void)state;
    expect_escaped("a\xFF"
                   "b",
                   3,
                   "a\xEF\xBF\xBD"
                   "b");
    expect_escaped("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");                 /* overlong */
    expect_escaped("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
    expect_escaped("end\xE8\xB7", 5, "end\xEF\xBF\xBD\xEF\xBF\xBD");           /* cut short */
    expect_escaped("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80"); /* an emoji is fine */
}

static void test_elements_with_text_and_empty(void **state)
{
    (void)state;
    hl_buf out;
    hl_buf_init(&out);
    hl_xml_open(&out, "request");
    hl_xml_element(&out, "description", "a < b");
    hl_xml_element(&out, "media_url", NULL);
    hl_xml_element(&out, "address", "");
    hl_xml_close(&out, "request");
    assert_string_equal(out.data, "<request><description>a &lt; b</description><media_url/>"
                                  "<address></address></request>");
    hl_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declaration_names_utf8),
        cmocka_unit_test(test_markup_characters_are_escaped),
        cmocka_unit_test(test_plain_and_chinese_text_is_kept),
        cmocka_unit_test(test_carriage_return_is_a_reference),
        cmocka_unit_test(test_forbidden_control_characters_are_dropped),
        cmocka_unit_test(test_noncharacters_fffe_and_ffff_are_dropped),
        cmocka_unit_test(test_invalid_utf8_becomes_the_replacement_character),
        cmocka_unit_test(test_elements_with_text_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
