/* test_framing.c: the refusal of ambiguous request framing
 * (src/http/framing.c, finding 2 of issue 11): plain Content-Length and
 * chunked heads pass; both fields, a repeated or malformed Content-Length,
 * any coding but "chunked", a repeated Transfer-Encoding, a field name
 * with whitespace and a folded header line are refused, each naming its
 * field. */
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

/* Lines laid out as libmicrohttpd 0.9.75 leaves them: in place (the colon
 * a NUL), and a folded one whose name was built elsewhere. */
static void test_folded_lines_refused(void **unused)
{
    (void)unused;
    hl_i18n_set(HL_LANG_EN);
    static const char in_place[] = "Content-Length\0 \t 12";
    static const char empty_value[] = "X-Empty\0   ";
    hl_framing framing;
    hl_error error;
    hl_framing_init(&framing);
    hl_framing_add_in_place(&framing, in_place, 14, in_place + 18, 2);
    hl_framing_add_in_place(&framing, empty_value, 7, empty_value + 11, 0);
    assert_int_equal(hl_framing_verdict(&framing, &error), HL_OK);

    /* "Content-Length:" folded before " 2": a glued name, the value elsewhere. */
    static const char line[] = "Content-Length\0\0\0";
    static const char glued[] = "Content-Length2";
    hl_framing_init(&framing);
    hl_framing_add_in_place(&framing, glued, 15, line + 16, 0);
    hl_error_clear(&error);
    expect_refused(hl_framing_verdict(&framing, &error), &error, "header");
    /* A value before its name, or far after it, or after other bytes. */
    static const char buffer[] = "v\0X-A\0 x\0X-B\0 ;v";
    hl_framing_init(&framing);
    hl_framing_add_in_place(&framing, buffer + 2, 3, buffer, 1);
    expect_refused(hl_framing_verdict(&framing, &error), &error, "header");
    hl_framing_init(&framing);
    hl_framing_add_in_place(&framing, buffer + 9, 3, buffer + 15, 1);
    expect_refused(hl_framing_verdict(&framing, &error), &error, "header");
    hl_framing_init(&framing);
    hl_framing_add_in_place(&framing, buffer + 2, 3, NULL, 0);
    expect_refused(hl_framing_verdict(&framing, &error), &error, "header");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_heads_pass),
        cmocka_unit_test(test_both_fields_refused),
        cmocka_unit_test(test_content_length_refused),
        cmocka_unit_test(test_transfer_encoding_refused),
        cmocka_unit_test(test_bad_names_refused),
        cmocka_unit_test(test_folded_lines_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
