/* test_static_files.c: the web pages served from a directory
 * (src/http/static_files.c), on a real directory with real files and
 * symbolic links: the index, content types, validators and 304, the 404
 * page, and every way out of the root refused. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/routes.h"
#include "http/static_files.h"

typedef struct fixture {
    char directory[512]; /* holds web/ and a secret beside it */
    char web[600];
    hl_static_files *files;
} fixture;

static const char *no_query(void *context, const char *name)
{
    (void)context;
    (void)name;
    return NULL;
}

static int set_up(void **state)
{
    fixture *f = hl_xcalloc(1, sizeof *f);
    test_make_temp_dir(f->directory, sizeof f->directory);
    test_path(f->web, sizeof f->web, f->directory, "web");
    assert_int_equal(mkdir(f->web, 0700), 0);
    char path[800];
    snprintf(path, sizeof path, "%s/index.html", f->web);
    test_write_file(path, "<!doctype html><title>首页</title>\n");
    snprintf(path, sizeof path, "%s/js", f->web);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/js/app.js", f->web);
    test_write_file(path, "export const answer = 42;\n");
    snprintf(path, sizeof path, "%s/404.html", f->web);
    test_write_file(path, "<!doctype html><p>找不到</p>\n");
    snprintf(path, sizeof path, "%s/.env", f->web);
    test_write_file(path, "hidden\n");
    snprintf(path, sizeof path, "%s/secret.txt", f->directory);
    test_write_file(path, "secret\n");
    char link[800];
    snprintf(link, sizeof link, "%s/outside.txt", f->web);
    assert_int_equal(symlink(path, link), 0);
    snprintf(link, sizeof link, "%s/up", f->web);
    assert_int_equal(symlink(f->directory, link), 0);
    snprintf(path, sizeof path, "%s/js/app.js", f->web);
    snprintf(link, sizeof link, "%s/inside.js", f->web);
    assert_int_equal(symlink(path, link), 0);
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_static_files_open(f->web, &f->files, &error), HL_OK);
    *state = f;
    return 0;
}

static int tear_down(void **state)
{
    fixture *f = *state;
    hl_static_files_free(f->files);
    test_remove_tree(f->directory);
    free(f);
    return 0;
}

/* Answers a GET of path with the optional validators; the caller frees
 * the response with finish(). */
static void get(const fixture *f, const char *path, const char *if_none_match,
                const char *if_modified_since, hl_route_response *response)
{
    hl_route_request request = {
        .method = "GET",
        .path = path,
        .query = no_query,
        .if_none_match = if_none_match,
        .if_modified_since = if_modified_since,
        .static_files = f->files,
    };
    hl_route_response_init(response);
    hl_static_files_answer(f->files, &request, response);
}

/* The body a response would send: its file's content or its buffer. */
static void body_of(hl_route_response *response, char *out, size_t size)
{
    out[0] = '\0';
    if (response->file >= 0) {
        ssize_t count = read(response->file, out, size - 1);
        assert_true(count >= 0);
        out[count] = '\0';
    } else if (response->body.data != NULL) {
        snprintf(out, size, "%.*s", (int)response->body.len, response->body.data);
    }
}

static void finish(hl_route_response *response)
{
    if (response->file >= 0)
        close(response->file);
    hl_buf_free(&response->body);
}

static void test_root_serves_the_index_page(void **state)
{
    hl_route_response response;
    get(*state, "/", NULL, NULL, &response);
    assert_int_equal(response.status, 200);
    assert_string_equal(response.content_type, "text/html; charset=utf-8");
    assert_non_null(response.content_security_policy);
    assert_non_null(strstr(response.content_security_policy, "script-src 'self'"));
    char body[256];
    body_of(&response, body, sizeof body);
    assert_string_equal(body, "<!doctype html><title>首页</title>\n");
    assert_int_equal(response.file_size, strlen(body));
    finish(&response);
}

static void test_content_type_follows_the_extension(void **state)
{
    hl_route_response response;
    get(*state, "/js/app.js", NULL, NULL, &response);
    assert_int_equal(response.status, 200);
    assert_string_equal(response.content_type, "text/javascript; charset=utf-8");
    char body[256];
    body_of(&response, body, sizeof body);
    assert_string_equal(body, "export const answer = 42;\n");
    finish(&response);
}

static void test_matching_etag_answers_not_modified(void **state)
{
    hl_route_response first;
    get(*state, "/js/app.js", NULL, NULL, &first);
    assert_int_equal(first.status, 200);
    assert_true(first.etag[0] == '"');
    assert_true(strlen(first.last_modified) == 29); /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    char etag[40], weak[48], modified[40];
    snprintf(etag, sizeof etag, "%s", first.etag);
    snprintf(weak, sizeof weak, "\"other\", W/%s", first.etag);
    snprintf(modified, sizeof modified, "%s", first.last_modified);
    finish(&first);

    hl_route_response again;
    get(*state, "/js/app.js", etag, NULL, &again);
    assert_int_equal(again.status, 304);
    assert_int_equal(again.file, -1);
    finish(&again);
    get(*state, "/js/app.js", weak, NULL, &again);
    assert_int_equal(again.status, 304);
    finish(&again);
    get(*state, "/js/app.js", NULL, modified, &again);
    assert_int_equal(again.status, 304);
    finish(&again);
    get(*state, "/js/app.js", "\"stale\"", modified, &again); /* the tag decides */
    assert_int_equal(again.status, 200);
    finish(&again);
}

static void test_changed_file_gets_a_new_etag(void **state)
{
    fixture *f = *state;
    hl_route_response response;
    get(f, "/js/app.js", NULL, NULL, &response);
    char etag[40];
    snprintf(etag, sizeof etag, "%s", response.etag);
    finish(&response);
    char path[800];
    snprintf(path, sizeof path, "%s/js/app.js", f->web);
    test_write_file(path, "export const answer = 43; // changed\n");
    get(f, "/js/app.js", etag, NULL, &response);
    assert_int_equal(response.status, 200);
    assert_string_not_equal(response.etag, etag);
    finish(&response);
}

static void test_unknown_path_is_the_not_found_page(void **state)
{
    hl_route_response response;
    get(*state, "/nowhere.html", NULL, NULL, &response);
    assert_int_equal(response.status, 404);
    assert_string_equal(response.content_type, "text/html; charset=utf-8");
    char body[256];
    body_of(&response, body, sizeof body);
    assert_string_equal(body, "<!doctype html><p>找不到</p>\n");
    finish(&response);
}

static void test_directory_is_not_listed(void **state)
{
    const char *paths[] = {"/js", "/js/", "//", "/js//app.js"};
    for (size_t index = 0; index < sizeof paths / sizeof paths[0]; index++) {
        hl_route_response response;
        get(*state, paths[index], NULL, NULL, &response);
        assert_int_equal(response.status, 404);
        assert_int_equal(response.file, -1);
        finish(&response);
    }
}

static void test_paths_leaving_the_root_are_refused(void **state)
{
    /* As the server hands them over: percent-decoded, except %00. */
    const char *paths[] = {"/../secret.txt",
                           "/js/../../secret.txt",
                           "/./index.html",
                           "/..",
                           "/js/..",
                           "/outside.txt",
                           "/up/secret.txt",
                           "/up/web/index.html",
                           "/js\\..\\..\\secret.txt",
                           "/index.html%00.js",
                           "/.env",
                           "/js/app.js\n",
                           "index.html"};
    for (size_t index = 0; index < sizeof paths / sizeof paths[0]; index++) {
        hl_route_response response;
        get(*state, paths[index], NULL, NULL, &response);
        if (response.status != 404)
            fail_msg("%s answered %d", paths[index], response.status);
        char body[256];
        body_of(&response, body, sizeof body);
        assert_null(strstr(body, "secret"));
        assert_null(strstr(body, "hidden"));
        finish(&response);
    }
}

static void test_symbolic_link_inside_the_root_is_not_followed_either(void **state)
{
    hl_route_response response;
    get(*state, "/inside.js", NULL, NULL, &response);
    assert_int_equal(response.status, 404);
    finish(&response);
}

static void test_without_pages_every_path_is_not_found(void **state)
{
    (void)state;
    hl_route_request request = {.method = "GET", .path = "/", .query = no_query};
    hl_route_response response;
    hl_route_response_init(&response);
    hl_static_files_answer(NULL, &request, &response);
    assert_int_equal(response.status, 404);
    assert_string_equal(response.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(response.body.data, "404"));
    finish(&response);
}

static void test_api_paths_are_not_claimed(void **state)
{
    (void)state;
    assert_false(hl_static_files_claims("/api"));
    assert_false(hl_static_files_claims("/api/v1/nowhere"));
    assert_false(hl_static_files_claims("/open311/v2/services.json"));
    assert_false(hl_static_files_claims("/healthz"));
    assert_false(hl_static_files_claims("/healthz/"));
    assert_false(hl_static_files_claims("/metrics"));
    assert_true(hl_static_files_claims("/"));
    assert_true(hl_static_files_claims("/apiary.html"));
    assert_true(hl_static_files_claims("/js/app.js"));
}

static void test_opening_a_missing_directory_names_the_option(void **state)
{
    fixture *f = *state;
    char path[800];
    snprintf(path, sizeof path, "%s/missing", f->directory);
    hl_static_files *files = NULL;
    hl_error error;
    hl_error_clear(&error);
    assert_int_equal(hl_static_files_open(path, &files, &error), HL_EINVAL);
    assert_null(files);
    assert_string_equal(error.field, "web");
    snprintf(path, sizeof path, "%s/index.html", f->web);
    assert_int_equal(hl_static_files_open(path, &files, &error),
                     HL_EINVAL); /* a file, not a directory */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_root_serves_the_index_page, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_content_type_follows_the_extension, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_matching_etag_answers_not_modified, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_changed_file_gets_a_new_etag, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_unknown_path_is_the_not_found_page, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_directory_is_not_listed, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_paths_leaving_the_root_are_refused, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_symbolic_link_inside_the_root_is_not_followed_either,
                                        set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_without_pages_every_path_is_not_found, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(test_api_paths_are_not_claimed, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_opening_a_missing_directory_names_the_option, set_up,
                                        tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
