/* test_framing.c: the refusal of ambiguous request framing
 * (src/http/framing.c, finding 2 of issue 11): plain Content-Length and
 * chunked heads pass; both fields, a repeated or malformed Content-Length,
 * any coding but "chunked", a repeated Transfer-Encoding and a field name
 * with whitespace are refused, each naming its field. */
#include "test_support.h"

#include <string.h>

#include "base/i18n.h"
#include "http/framing.h"

/* Judges a head given as "Name: value" lines (split at the first colon,
 * the value's leading space kept for hl_framing_add to trim). */
static int judge(const char *const *lines, size_t count, hl_error *error)
{
    hl_i18n_set(HL_LANG_EN);
    hl_framing framing;
    hl_framing_init(&framing);
    for (size_t index = 0; index < count; index++) {
        const char *colon = strchr(lines[index], ':');
        assert_non_null(colon);
        hl_framing_add(&framing, lines[index], (size_t)(colon - lines[index]), colon + 1,
                       strlen(colon + 1));
    }
    hl_error_clear(error);
    return hl_framing_verdict(&framing, error);
}

#define JUDGE(error, ...)                                                                          \
    judge((const char *const[]){__VA_ARGS__},                                                      \
          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *), error)

static void expect_refused(int result, const hl_error *error, const char *field)
{
    assert_int_equal(result, HL_EINVAL);
    assert_string_equal(error->field, field);
    assert_true(error->message[0] != '\0');
}

static void test_plain_heads_pass(void **unused)
{
    (void)unused;
    hl_error error;
    assert_int_equal(JUDGE(&error, "Host: x"), HL_OK);
    assert_int_equal(JUDGE(&error, "Host: x", "Content-Length: 12"), HL_OK);
    assert_int_equal(JUDGE(&error, "Host: x", "content-length:0"), HL_OK);
    assert_int_equal(JUDGE(&error, "Host: x", "Transfer-Encoding: chunked"), HL_OK);
    assert_int_equal(JUDGE(&error, "Host: x", "transfer-encoding:  chunked \t"), HL_OK);
    assert_int_equal(JUDGE(&error, "X-Custom_Name.1: a b c", "Cookie: a=b; c=d"), HL_OK);
}

static void test_both_fields_refused(void **unused)
{
    (void)unused;
    hl_error error;
    expect_refused(JUDGE(&error, "Content-Length: 5", "Transfer-Encoding: chunked"), &error,
                   "transfer-encoding");
    expect_refused(JUDGE(&error, "TRANSFER-ENCODING: chunked", "content-length: 0"), &error,
                   "transfer-encoding");
}

static void test_content_length_refused(void **unused)
{
    (void)unused;
    hl_error error;
    expect_refused(JUDGE(&error, "Content-Length: 2", "Content-Length: 40"), &error,
                   "content-length");
    expect_refused(JUDGE(&error, "Content-Length: 2", "Content-Length: 2"), &error,
                   "content-length");
    expect_refused(JUDGE(&error, "Content-Length: 2, 2"), &error, "content-length");
    expect_refused(JUDGE(&error, "Content-Length: -1"), &error, "content-length");
    expect_refused(JUDGE(&error, "Content-Length: +5"), &error, "content-length");
    expect_refused(JUDGE(&error, "Content-Length: "), &error, "content-length");
    expect_refused(JUDGE(&error, "Content-Length: 99999999999999999999"), &error, "content-length");
}

static void test_transfer_encoding_refused(void **unused)
{
    (void)unused;
    hl_error error;
    expect_refused(JUDGE(&error, "Transfer-Encoding: gzip"), &error, "transfer-encoding");
    expect_refused(JUDGE(&error, "Transfer-Encoding: gzip, chunked"), &error, "transfer-encoding");
    expect_refused(JUDGE(&error, "Transfer-Encoding: chunked, chunked"), &error,
                   "transfer-encoding");
    expect_refused(JUDGE(&error, "Transfer-Encoding: Chunked"), &error, "transfer-encoding");
    expect_refused(JUDGE(&error, "Transfer-Encoding: identity"), &error, "transfer-encoding");
    expect_refused(JUDGE(&error, "Transfer-Encoding: "), &error, "transfer-encoding");
    expect_refused(JUDGE(&error, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
                   &error, "transfer-encoding");
}

static void test_bad_names_refused(void **unused)
{
    (void)unused;
    hl_error error;
    expect_refused(JUDGE(&error, "Transfer-Encoding : chunked"), &error, "header");
    expect_refused(JUDGE(&error, "Content-Length\t: 2"), &error, "header");
    expect_refused(JUDGE(&error, " Host: x"), &error, "header");
    expect_refused(JUDGE(&error, "X Y: z"), &error, "header");
    expect_refused(JUDGE(&error, ": empty name"), &error, "header");
    expect_refused(JUDGE(&error, "X-\x01: control"), &error, "header");
    expect_refused(JUDGE(&error, "X-\xc3\xa9: not ASCII"), &error, "header");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_heads_pass),
        cmocka_unit_test(test_both_fields_refused),
        cmocka_unit_test(test_content_length_refused),
        cmocka_unit_test(test_transfer_encoding_refused),
        cmocka_unit_test(test_bad_names_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
