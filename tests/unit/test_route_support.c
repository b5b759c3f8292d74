/* Tests of how the routes answer app/'s errors (src/http/route_support.c):
 * each code's status and the one error body, and the store out of reach
 * (HL_EUNAVAILABLE) answered 503 with a Retry-After header, so that a
 * balancer or a client tries again while a standby is promoted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "http/route_support.h"
#include "http/routes.h"
#include "test_support.h"

static hl_route_response answer(int code, const char *message)
{
    hl_route_response response;
    hl_route_response_init(&response);
    hl_error error;
    hl_error_set(&error, code, NULL, "%s", message);
    hl_route_error(&response, &error);
    return response;
}

static void test_each_code_has_its_status(void **state)
{
    (void)state;
    static const struct {
        int code, status;
    } cases[] = {{HL_EINVAL, 400},    {HL_EROLE, 403},  {HL_ENOTFOUND, 404},
                 {HL_ECONFLICT, 409}, {HL_ESTATE, 409}, {HL_EIO, 500},
                 {HL_EMISMATCH, 500}, {HL_ERETRY, 500}, {HL_EUNAVAILABLE, 503}};
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        hl_route_response response = answer(cases[index].code, "x");
        assert_int_equal(response.status, cases[index].status);
        assert_int_equal(response.retry_after, cases[index].code == HL_EUNAVAILABLE ? 5 : 0);
        hl_buf_free(&response.body);
    }
}

static void test_an_unreachable_store_is_503_with_the_error_body(void **state)
{
    (void)state;
    hl_route_response response = answer(HL_EUNAVAILABLE, "the store is not reachable now");
    assert_int_equal(response.status, 503);
    assert_true(response.retry_after > 0);
    assert_string_equal(response.content_type, HL_JSON_TYPE);
    hl_buf_append(&response.body, "", 1);
    assert_non_null(strstr(response.body.data, "{\"error\":{\"code\":\"unavailable\","
                                               "\"message\":\"the store is not reachable now\","
                                               "\"field\":null}}"));
    hl_buf_free(&response.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_code_has_its_status),
        cmocka_unit_test(test_an_unreachable_store_is_503_with_the_error_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
