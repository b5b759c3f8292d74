/* static_files.h: the web pages, served from a directory (web/).
 *
 * `hotline serve --web DIR` answers GET and HEAD of every path that is not
 * the API's (/api/, /open311/, /healthz, /metrics) with the file of that
 * name under DIR: "/" is index.html. Only the pages' files: anything under
 * js/, css/, img/, fonts/ and vendor/, and the .html, .svg, .ico, .png and
 * .webmanifest files at the top; every other name (package.json,
 * package-lock.json, node_modules/...) is the 404 page. Content types by extension; a strong
 * ETag and Last-Modified with 304 answers to If-None-Match and
 * If-Modified-Since; "Cache-Control: no-cache" (the browser revalidates
 * each time, so a new build shows at once); Content-Security-Policy on
 * every file. A path that names no regular file is a 404 with DIR/404.html
 * (or a built-in page), never a directory listing. Paths are checked
 * before the file system is touched ("..", ".", empty and hidden segments,
 * backslashes, control bytes and '%' are refused), then opened segment by
 * segment from the root's descriptor with O_NOFOLLOW: no symbolic link is
 * followed, so nothing outside DIR can be reached. */
#ifndef HL_STATIC_FILES_H
#define HL_STATIC_FILES_H

#include <stdbool.h>

#include "base/error.h"
#include "http/routes.h"

typedef struct hl_static_files hl_static_files;

/* Opens the directory of the pages. The caller owns *out and frees it with
 * hl_static_files_free. HL_EINVAL (field "web") when it is not a directory
 * that can be opened. */
int hl_static_files_open(const char *directory, hl_static_files **out, hl_error *error);

/* Closes the directory; files may be NULL. */
void hl_static_files_free(hl_static_files *files);

/* The directory's absolute path, as resolved when it was opened. */
const char *hl_static_files_root(const hl_static_files *files);

/* True for a path the pages own: every path but /api/..., /open311/...,
 * /healthz... and /metrics..., which stay the API's (JSON errors). */
bool hl_static_files_claims(const char *path);

/* Answers a GET or HEAD of a path the pages own. files may be NULL (the
 * server runs without pages): every path is then the 404 page. On a file,
 * the response carries its descriptor (response->file), which the server
 * hands to the HTTP library. */
void hl_static_files_answer(const hl_static_files *files, const hl_route_request *request,
                            hl_route_response *response);

#endif
