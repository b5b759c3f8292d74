/* static_files.c: the web pages from a directory (see static_files.h).
 *
 * Resolves a request path to a regular file under the root without ever
 * leaving it: the path is checked as text first (only plain segments of
 * printable bytes), then each segment is opened with openat relative to
 * the previous one and O_NOFOLLOW, so neither ".." nor a symbolic link can
 * lead outside. The file's descriptor goes to the response; the server
 * sends it with the HTTP library. It answers conditional requests from the
 * file's size and modification time. Only the pages' own files are
 * served: the folders of an allow-list (js/, css/, img/, fonts/, vendor/)
 * and files at the top whose extension a page uses (html, svg, ico, png,
 * webmanifest); so npm's package files and node_modules/, which sit in
 * the same folder, are 404 (issue 11). It does not list directories,
 * compress, or serve ranges, and it knows nothing of the API's routes
 * beyond the prefixes it leaves to them. */
#include "http/static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/array.h"
#include "base/i18n.h"

/* The longest path looked up; longer ones name no file of ours. */
#define MAX_PATH_BYTES 1024
/* 404.html is read into memory; a larger one is replaced by the built-in page. */
#define MAX_NOT_FOUND_BYTES (64 * 1024)

/* What the pages may load: only this server's scripts, styles, images and
 * API. ECharts and the pages set element styles from script, which the
 * style-src 'unsafe-inline' allows; no inline script runs. */
#define CONTENT_SECURITY_POLICY                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "     \
    "data: blob:; "                                                                                \
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action "        \
    "'self'; "                                                                                     \
    "frame-ancestors 'none'"

struct hl_static_files {
    int root; /* the directory, opened O_RDONLY | O_DIRECTORY */
    char *path;
};

static const struct {
    const char *extension;
    const char *content_type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"ico", "image/x-icon"},
    {"webp", "image/webp"},
    {"woff2", "font/woff2"},
    {"webmanifest", "application/manifest+json"},
};

int hl_static_files_open(const char *directory, hl_static_files **out, hl_error *error)
{
    *out = NULL;
    char *resolved = directory != NULL ? realpath(directory, NULL) : NULL;
    int root = resolved != NULL ? open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (root < 0) {
        free(resolved);
        return hl_error_set(
            error, HL_EINVAL, "web",
            HL_T("网页目录不存在或无法打开：%s", "not a directory of web pages: %s"),
            directory != NULL ? directory : HL_T("（无）", "(none)"));
    }
    hl_static_files *files = hl_xcalloc(1, sizeof *files);
    files->root = root;
    files->path = resolved;
    *out = files;
    return HL_OK;
}

void hl_static_files_free(hl_static_files *files)
{
    if (files == NULL)
        return;
    close(files->root);
    free(files->path);
    free(files);
}

const char *hl_static_files_root(const hl_static_files *files)
{
    return files->path;
}

/* True when path is prefix itself or lies under it ("/api" and "/api/x",
 * not "/apiary"). */
static bool under(const char *path, const char *prefix)
{
    size_t length = strlen(prefix);
    return strncmp(path, prefix, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

bool hl_static_files_claims(const char *path)
{
    return !(under(path, "/api") || under(path, "/open311") || under(path, "/healthz") ||
             under(path, "/metrics"));
}

/* ---- Paths ---- */

/* Checks a decoded request path and writes the relative file name into
 * out ("index.html" for "/"). Only non-empty segments of printable bytes
 * other than '\\' and '%' (a '%' left by the decoder stands for a NUL),
 * none of them "." or ".." or starting with a dot, are accepted; so a
 * trailing slash (a directory) is refused too. */
static bool relative_name(const char *path, char *out, size_t size)
{
    if (path[0] != '/')
        return false;
    if (strcmp(path, "/") == 0) {
        snprintf(out, size, "index.html");
        return true;
    }
    size_t length = strlen(path + 1);
    if (length == 0 || length >= size || length > MAX_PATH_BYTES)
        return false;
    const char *segment = path + 1;
    while (true) {
        size_t segment_length = strcspn(segment, "/");
        if (segment_length == 0 || segment[0] == '.')
            return false;
        for (size_t index = 0; index < segment_length; index++) {
            unsigned char byte = (unsigned char)segment[index];
            if (byte < 0x20 || byte == 0x7F || byte == '\\' || byte == '%')
                return false;
        }
        if (segment[segment_length] == '\0')
            break;
        segment += segment_length + 1;
    }
    memcpy(out, path + 1, length + 1);
    return true;
}

/* The folders whose files the pages load; scripts/web-assets.sh copies
 * the one library file they need (ECharts) into vendor/. */
static const char *const served_folders[] = {"js", "css", "img", "fonts", "vendor"};
/* The extensions served at the top of the root: the pages and their icons. */
static const char *const top_extensions[] = {"html", "svg", "ico", "png", "webmanifest"};

/* True when a relative name (checked by relative_name) is one of the
 * pages' files. An allow-list rather than a list of refusals, since the
 * web folder also holds what builds it (package.json, package-lock.json,
 * node_modules/) and whatever else a deployment drops there. */
static bool served_name(const char *name)
{
    const char *slash = strchr(name, '/');
    if (slash != NULL) {
        size_t length = (size_t)(slash - name);
        for (size_t index = 0; index < HL_COUNT_OF(served_folders); index++)
            if (strlen(served_folders[index]) == length &&
                memcmp(name, served_folders[index], length) == 0)
                return true;
        return false;
    }
    const char *dot = strrchr(name, '.');
    if (dot == NULL)
        return false;
    for (size_t index = 0; index < HL_COUNT_OF(top_extensions); index++)
        if (strcmp(dot + 1, top_extensions[index]) == 0)
            return true;
    return false;
}

/* Opens a relative name under the root one segment at a time, following
 * no symbolic link (O_NOFOLLOW fails on one with ELOOP). Returns the
 * descriptor of a regular file, with its status in *status, or -1. */
static int open_under_root(int root, char *name, struct stat *status)
{
    int directory = root;
    char *segment = name;
    int result = -1;
    while (true) {
        char *slash = strchr(segment, '/');
        if (slash != NULL)
            *slash = '\0';
        int flags =
            O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (slash != NULL ? O_DIRECTORY : 0);
        int next = openat(directory, segment, flags);
        if (slash != NULL)
            *slash = '/';
        if (directory != root)
            close(directory);
        if (next < 0)
            return -1;
        if (slash == NULL) {
            result = next;
            break;
        }
        directory = next;
        segment = slash + 1;
    }
    if (fstat(result, status) != 0 || !S_ISREG(status->st_mode)) {
        close(result);
        return -1;
    }
    /* O_NONBLOCK only kept a FIFO's open from blocking; regular files ignore it. */
    int flags = fcntl(result, F_GETFL);
    if (flags >= 0)
        fcntl(result, F_SETFL, flags & ~O_NONBLOCK);
    return result;
}

static const char *content_type_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash != NULL ? slash : name, '.');
    if (dot != NULL)
        for (size_t index = 0; index < HL_COUNT_OF(content_types); index++)
            if (strcmp(dot + 1, content_types[index].extension) == 0)
                return content_types[index].content_type;
    return "application/octet-stream";
}

/* ---- Validators ---- */

/* An HTTP date (IMF-fixdate), written without the C library's locale. */
static void http_date(time_t when, char *out, size_t size)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm parts;
    gmtime_r(&when, &parts);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[parts.tm_wday % 7],
             parts.tm_mday, months[parts.tm_mon % 12], parts.tm_year + 1900, parts.tm_hour,
             parts.tm_min, parts.tm_sec);
}

/* True when an If-None-Match list names the tag (weak comparison, as
 * RFC 9110 asks for GET: W/"x" matches "x") or is "*". */
static bool tag_listed(const char *list, const char *tag)
{
    size_t tag_length = strlen(tag);
    const char *cursor = list;
    while (*cursor != '\0') {
        while (*cursor == ' ' || *cursor == ',' || *cursor == '\t')
            cursor++;
        if (*cursor == '*')
            return true;
        if (strncmp(cursor, "W/", 2) == 0)
            cursor += 2;
        size_t length = strcspn(cursor, ",");
        while (length > 0 && (cursor[length - 1] == ' ' || cursor[length - 1] == '\t'))
            length--;
        if (length == tag_length && memcmp(cursor, tag, length) == 0)
            return true;
        cursor += strcspn(cursor, ",");
    }
    return false;
}

/* ---- Answers ---- */

static void not_found(const hl_static_files *files, hl_route_response *response)
{
    hl_buf_reset(&response->body);
    response->status = 404;
    response->content_type = "text/html; charset=utf-8";
    response->content_security_policy = CONTENT_SECURITY_POLICY;
    response->cache_control = "no-cache";
    struct stat status;
    char name[] = "404.html";
    int file = files != NULL ? open_under_root(files->root, name, &status) : -1;
    if (file >= 0 && status.st_size <= MAX_NOT_FOUND_BYTES) {
        char buffer[4096];
        ssize_t count;
        while ((count = read(file, buffer, sizeof buffer)) > 0)
            hl_buf_append(&response->body, buffer, (size_t)count);
        if (count == 0 && response->body.len > 0) {
            close(file);
            return;
        }
        hl_buf_reset(&response->body);
    }
    if (file >= 0)
        close(file);
    hl_buf_append_str(
        &response->body,
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<title>404 页面不存在 / Not found</title></head>\n<body><h1>404</h1>"
        "<p>页面不存在。 / This page does not exist.</p><p><a href=\"/\">返回首页 / Home</a></p>"
        "</body></html>\n");
}

void hl_static_files_answer(const hl_static_files *files, const hl_route_request *request,
                            hl_route_response *response)
{
    char name[MAX_PATH_BYTES + 16];
    if (files == NULL || !relative_name(request->path, name, sizeof name) || !served_name(name)) {
        not_found(files, response);
        return;
    }
    const char *content_type = content_type_of(name);
    struct stat status;
    int file = open_under_root(files->root, name, &status);
    if (file < 0) {
        not_found(files, response);
        return;
    }
    /* Size and nanosecond mtime: any rewrite of the file changes the tag. */
    snprintf(response->etag, sizeof response->etag, "\"%llx-%llx\"",
             (unsigned long long)status.st_size,
             (unsigned long long)status.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)status.st_mtim.tv_nsec);
    http_date(status.st_mtim.tv_sec, response->last_modified, sizeof response->last_modified);
    response->content_type = content_type;
    response->cache_control = "no-cache";
    response->content_security_policy = CONTENT_SECURITY_POLICY;
    /* If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2); the
     * date is compared as the text we sent, which is what browsers return. */
    bool unchanged = request->if_none_match != NULL
                         ? tag_listed(request->if_none_match, response->etag)
                         : request->if_modified_since != NULL &&
                               strcmp(request->if_modified_since, response->last_modified) == 0;
    if (unchanged) {
        close(file);
        response->status = 304;
        return;
    }
    response->status = 200;
    response->file = file;
    response->file_size = (uint64_t)status.st_size;
}
