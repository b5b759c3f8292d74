/* tls.c: the server's certificate, its reload, and the headers TLS asks
 * for (see tls.h).
 *
 * The certificate chain and key are loaded here with GnuTLS (not by
 * libmicrohttpd from memory), because libmicrohttpd reads those once at
 * start; its certificate callback instead asks this module at every
 * handshake, and this module answers with whatever credentials are
 * current. A reload builds a complete new set before it takes a lock for
 * the swap, so a handshake never sees half of one. The set it replaces is
 * not freed at once, since a handshake begun a moment earlier may still be
 * signing with its key: it is retired, and freed at a later reload once it
 * has been retired longer than any handshake may last (RETIRE_SECONDS, far
 * past the server's longest request-head deadline of an hour), or when
 * the module is freed. It does not verify the chain against a trust store
 * or check the certificate's dates: that is the issuing side's business,
 * and clients check both. */
#include "http/tls.h"

#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/i18n.h"

/* A chain longer than this is not a server's (the certificate and a few
 * intermediates). */
#define MAX_CHAIN 8u
/* Neither a certificate chain nor a key comes near this. */
#define MAX_PEM_BYTES ((size_t)256 * 1024)
#define RETIRE_SECONDS (24 * 60 * 60)

typedef struct credentials {
    gnutls_pcert_st chain[MAX_CHAIN];
    unsigned chain_length;
    gnutls_privkey_t key;
    time_t retired_at;
    struct credentials *next_retired;
} credentials;

struct hl_tls {
    char *cert_path; /* owned */
    char *key_path;  /* owned */
    credentials *current;
    credentials *retired; /* replaced sets, newest first */
};

/* The open hl_tls whose credentials handshakes get; guarded by lock (taken
 * once per handshake and for a swap). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static hl_tls *active;

static void free_credentials(credentials *set)
{
    if (set == NULL)
        return;
    for (unsigned index = 0; index < set->chain_length; index++)
        gnutls_pcert_deinit(&set->chain[index]);
    if (set->key != NULL)
        gnutls_privkey_deinit(set->key);
    free(set);
}

/* Refuses a key file that is not a regular file or that others may read,
 * write or execute. */
static int check_key_file(const char *path, hl_error *error)
{
    struct stat status;
    if (stat(path, &status) != 0 || !S_ISREG(status.st_mode))
        return hl_error_set(error, HL_EINVAL, "tls-key",
                            HL_T("无法读取私钥文件：%s", "cannot read the key file: %s"), path);
    if ((status.st_mode & S_IRWXO) != 0)
        return hl_error_set(error, HL_EINVAL, "tls-key",
                            HL_T("私钥文件 %s 对其他用户开放（权限 %04o）：请 chmod o-rwx",
                                 "the key file %s is open to other users (mode %04o): chmod o-rwx"),
                            path, (unsigned)(status.st_mode & 07777));
    return HL_OK;
}

/* True when the certificate's public key is the key's. */
static bool key_matches(const credentials *set)
{
    gnutls_pubkey_t public_key = NULL;
    unsigned char from_key[64], from_cert[64];
    size_t key_size = sizeof from_key, cert_size = sizeof from_cert;
    bool matches =
        gnutls_pubkey_init(&public_key) == 0 &&
        gnutls_pubkey_import_privkey(public_key, set->key, 0, 0) == 0 &&
        gnutls_pubkey_get_key_id(public_key, GNUTLS_KEYID_USE_SHA256, from_key, &key_size) == 0 &&
        gnutls_pubkey_get_key_id(set->chain[0].pubkey, GNUTLS_KEYID_USE_SHA256, from_cert,
                                 &cert_size) == 0 &&
        key_size == cert_size && memcmp(from_key, from_cert, key_size) == 0;
    if (public_key != NULL)
        gnutls_pubkey_deinit(public_key);
    return matches;
}

/* Reads both files into a new set of credentials, owned by the caller. */
static int load_credentials(const char *cert_path, const char *key_path, credentials **out,
                            hl_error *error)
{
    *out = NULL;
    int result = check_key_file(key_path, error);
    if (result != HL_OK)
        return result;
    char *cert_text = NULL, *key_text = NULL;
    size_t cert_length = 0, key_length = 0;
    if (hl_file_read_all(cert_path, MAX_PEM_BYTES, &cert_text, &cert_length, NULL) != HL_OK)
        return hl_error_set(error, HL_EINVAL, "tls-cert",
                            HL_T("无法读取证书文件：%s", "cannot read the certificate file: %s"),
                            cert_path);
    if (hl_file_read_all(key_path, MAX_PEM_BYTES, &key_text, &key_length, NULL) != HL_OK) {
        free(cert_text);
        return hl_error_set(error, HL_EINVAL, "tls-key",
                            HL_T("无法读取私钥文件：%s", "cannot read the key file: %s"), key_path);
    }
    credentials *set = hl_xcalloc(1, sizeof *set);
    gnutls_datum_t cert_data = {(unsigned char *)cert_text, (unsigned)cert_length};
    gnutls_datum_t key_data = {(unsigned char *)key_text, (unsigned)key_length};
    unsigned chain_length = MAX_CHAIN;
    if (gnutls_pcert_list_import_x509_raw(set->chain, &chain_length, &cert_data,
                                          GNUTLS_X509_FMT_PEM,
                                          GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED) != 0 ||
        chain_length == 0) {
        result = hl_error_set(
            error, HL_EINVAL, "tls-cert",
            HL_T("%s 不是 PEM 证书链（服务器证书在前，至多 %u 张）",
                 "%s is not a PEM certificate chain (the server's certificate first, at most %u)"),
            cert_path, MAX_CHAIN);
    } else {
        set->chain_length = chain_length;
        if (gnutls_privkey_init(&set->key) != 0 ||
            gnutls_privkey_import_x509_raw(set->key, &key_data, GNUTLS_X509_FMT_PEM, NULL, 0) != 0)
            result = hl_error_set(
                error, HL_EINVAL, "tls-key",
                HL_T("%s 不是未加密的 PEM 私钥", "%s is not an unencrypted PEM key"), key_path);
        else if (!key_matches(set))
            result = hl_error_set(error, HL_EINVAL, "tls-key",
                                  HL_T("私钥 %s 与证书 %s 不配对",
                                       "the key %s does not belong to the certificate %s"),
                                  key_path, cert_path);
    }
    /* The key's bytes do not outlive the load. */
    gnutls_memset(key_text, 0, key_length);
    free(key_text);
    free(cert_text);
    if (result != HL_OK) {
        free_credentials(set);
        return result;
    }
    *out = set;
    return HL_OK;
}

/* libmicrohttpd's certificate callback (a gnutls_certificate_retrieve_function2):
 * every handshake gets the current chain and key. GnuTLS does not free
 * them; this module does, after they are retired (see the top). */
static int retrieve_certificate(gnutls_session_t session, const gnutls_datum_t *requested_cas,
                                int requested_count, const gnutls_pk_algorithm_t *algorithms,
                                int algorithm_count, gnutls_pcert_st **chain,
                                unsigned int *chain_length, gnutls_privkey_t *key)
{
    (void)session;
    (void)requested_cas;
    (void)requested_count;
    (void)algorithms;
    (void)algorithm_count;
    pthread_mutex_lock(&lock);
    const credentials *set = active != NULL ? active->current : NULL;
    if (set != NULL) {
        *chain = (gnutls_pcert_st *)set->chain;
        *chain_length = set->chain_length;
        *key = set->key;
    }
    pthread_mutex_unlock(&lock);
    return set != NULL ? 0 : -1;
}

int hl_tls_open(const char *cert_path, const char *key_path, hl_tls **out, hl_error *error)
{
    *out = NULL;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES ||
        MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES)
        return hl_error_set(error, HL_EIO, "tls-cert", "%s",
                            HL_T("此 libmicrohttpd 未带 TLS（GnuTLS）支持",
                                 "this libmicrohttpd was built without TLS (GnuTLS) support"));
    gnutls_priority_t priorities = NULL;
    if (gnutls_priority_init(&priorities, HL_TLS_PRIORITIES, NULL) != 0)
        return hl_error_set(error, HL_EIO, "tls-cert", "%s",
                            HL_T("此 GnuTLS 不接受所需的加密套件设置",
                                 "this GnuTLS does not accept the required cipher settings"));
    gnutls_priority_deinit(priorities);
    credentials *set = NULL;
    int result = load_credentials(cert_path, key_path, &set, error);
    if (result != HL_OK)
        return result;
    hl_tls *tls = hl_xcalloc(1, sizeof *tls);
    tls->cert_path = hl_xstrdup(cert_path);
    tls->key_path = hl_xstrdup(key_path);
    tls->current = set;
    pthread_mutex_lock(&lock);
    bool taken = active != NULL;
    if (!taken)
        active = tls;
    pthread_mutex_unlock(&lock);
    if (taken) {
        hl_tls_free(tls);
        return hl_error_set(error, HL_EINVAL, "tls-cert", "%s",
                            HL_T("每个进程只能有一个 TLS 服务", "one TLS server per process"));
    }
    *out = tls;
    return HL_OK;
}

/* One line on stderr, in one write(2) as the request log's lines are. */
static void log_line(const char *text)
{
    ssize_t written = write(STDERR_FILENO, text, strlen(text));
    (void)written;
}

int hl_tls_reload(hl_tls *tls, hl_error *error)
{
    char line[HL_ERROR_MESSAGE_MAX + 128];
    credentials *set = NULL;
    int result = load_credentials(tls->cert_path, tls->key_path, &set, error);
    if (result != HL_OK) {
        snprintf(line, sizeof line,
                 HL_T("hotline: 证书未重新加载，继续使用原证书：%s\n",
                      "hotline: certificate not reloaded, keeping the previous one: %s\n"),
                 error != NULL ? error->message : "");
        log_line(line);
        return result;
    }
    time_t now = time(NULL);
    pthread_mutex_lock(&lock);
    credentials *old = tls->current;
    tls->current = set;
    pthread_mutex_unlock(&lock);
    /* Only this thread touches the retired list; handshakes never do. */
    old->retired_at = now;
    old->next_retired = tls->retired;
    tls->retired = old;
    for (credentials **link = &tls->retired; *link != NULL;) {
        credentials *retired = *link;
        if (now - retired->retired_at > RETIRE_SECONDS) {
            *link = retired->next_retired;
            free_credentials(retired);
        } else {
            link = &retired->next_retired;
        }
    }
    snprintf(line, sizeof line,
             HL_T("hotline: 已重新加载证书 %s\n", "hotline: certificate reloaded from %s\n"),
             tls->cert_path);
    log_line(line);
    return HL_OK;
}

void hl_tls_free(hl_tls *tls)
{
    if (tls == NULL)
        return;
    pthread_mutex_lock(&lock);
    if (active == tls)
        active = NULL;
    pthread_mutex_unlock(&lock);
    free_credentials(tls->current);
    while (tls->retired != NULL) {
        credentials *next = tls->retired->next_retired;
        free_credentials(tls->retired);
        tls->retired = next;
    }
    free(tls->cert_path);
    free(tls->key_path);
    free(tls);
}

void hl_tls_daemon_options(const hl_tls *tls, struct MHD_OptionItem *options)
{
    size_t count = 0;
    if (tls != NULL) {
        options[count++] =
            (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)HL_TLS_PRIORITIES};
        /* libmicrohttpd takes the function as the option's pointer. */
        gnutls_certificate_retrieve_function2 *callback = retrieve_certificate;
        void *pointer = NULL;
        memcpy(&pointer, &callback, sizeof pointer);
        options[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, pointer};
    }
    options[count] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
}

void hl_tls_secure_response(struct MHD_Connection *connection, struct MHD_Response *reply)
{
    const union MHD_ConnectionInfo *connection_info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_DAEMON);
    const union MHD_DaemonInfo *daemon_info =
        connection_info != NULL
            ? MHD_get_daemon_info(connection_info->daemon, MHD_DAEMON_INFO_FLAGS)
            : NULL;
    if (daemon_info == NULL || (daemon_info->flags & MHD_USE_TLS) == 0)
        return;
    MHD_add_response_header(reply, "Strict-Transport-Security", HL_TLS_HSTS);
    const char *cookie = MHD_get_response_header(reply, MHD_HTTP_HEADER_SET_COOKIE);
    if (cookie == NULL || strstr(cookie, "; Secure") != NULL)
        return;
    size_t length = strlen(cookie);
    char *secure = hl_xmalloc(length + sizeof "; Secure");
    memcpy(secure, cookie, length);
    memcpy(secure + length, "; Secure", sizeof "; Secure");
    /* Removing frees cookie: the marked copy is made first. */
    MHD_del_response_header(reply, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    MHD_add_response_header(reply, MHD_HTTP_HEADER_SET_COOKIE, secure);
    free(secure);
}
