/* tls.h: HTTPS for `hotline serve --tls-cert FILE --tls-key FILE`.
 *
 * The server speaks TLS through libmicrohttpd's GnuTLS support. This
 * module loads the certificate chain and its private key, hands them out
 * to every handshake through libmicrohttpd's certificate callback, and
 * swaps in newly loaded files on hl_tls_reload (the server calls it on
 * SIGHUP), so that a renewed certificate takes effect without a restart
 * and without dropping a connection: connections already open keep the
 * session they have, new handshakes get the new certificate. A reload
 * that fails (a file missing or malformed, a key that does not match the
 * certificate, a key file others may read) keeps the previous
 * credentials and logs one line on stderr.
 *
 * Policy (docs/security.md, "Transport (TLS)"): TLS 1.2 and 1.3 only;
 * AEAD ciphers with ECDHE key exchange only (forward secrecy), the
 * server's order first (HL_TLS_PRIORITIES); every answer over TLS carries
 * Strict-Transport-Security, and every cookie it sets is marked Secure.
 * The private key file must not be readable, writable or executable by
 * others (mode & 0007 == 0); group read is allowed, since Debian's
 * ssl-cert group (0640 root:ssl-cert) is the usual way to share a key.
 *
 * One TLS server per process: the GnuTLS callback has no context pointer,
 * so the credentials it hands out are this module's (hl_tls_open refuses a
 * second while one is open). */
#ifndef HL_TLS_H
#define HL_TLS_H

#include <microhttpd.h>
#include <stddef.h>

#include "base/error.h"

/* The GnuTLS priority string: TLS 1.3 and 1.2, AES-GCM and ChaCha20-Poly1305,
 * ECDHE only, no SHA-1 signatures, the server's preference. */
#define HL_TLS_PRIORITIES                                                                          \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:"      \
    "+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-GROUP-ALL:+GROUP-X25519:"        \
    "+GROUP-SECP256R1:+GROUP-SECP384R1:-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:-SIGN-DSA-SHA1:"            \
    "-SIGN-RSA-SHA224:-SIGN-ECDSA-SHA224:-SIGN-DSA-SHA224:%SERVER_PRECEDENCE"

/* The Strict-Transport-Security value: one year, as browsers' preload
 * lists ask; not includeSubDomains, since the hotline's host name may
 * share its domain with sites that are not ours. */
#define HL_TLS_HSTS "max-age=31536000"

/* How many libmicrohttpd options hl_tls_daemon_options writes, the end included. */
#define HL_TLS_DAEMON_OPTIONS 3

typedef struct hl_tls hl_tls;

/* Checks that this libmicrohttpd has TLS and the certificate callback,
 * loads the certificate chain (PEM, the server's certificate first) and
 * its private key (PEM, unencrypted) and checks that they belong together.
 * The caller owns *out and frees it with hl_tls_free (after the daemon
 * that uses it has stopped). HL_EINVAL (field "tls-cert" or "tls-key")
 * for a file that cannot be read or parsed, a key that does not match, a
 * key file open to others; HL_EIO when the library lacks TLS. */
int hl_tls_open(const char *cert_path, const char *key_path, hl_tls **out, hl_error *error);

/* Loads both files anew and, when they are good, makes them the
 * credentials of every later handshake; otherwise keeps the current ones.
 * Writes one line on stderr either way. Safe while handshakes run. */
int hl_tls_reload(hl_tls *tls, hl_error *error);

/* Frees the credentials, current and retired; tls may be NULL. */
void hl_tls_free(hl_tls *tls);

/* Fills options (HL_TLS_DAEMON_OPTIONS items) with what a daemon started
 * with MHD_USE_TLS needs: the priorities and the certificate callback,
 * then MHD_OPTION_END. With tls NULL, only MHD_OPTION_END. */
void hl_tls_daemon_options(const hl_tls *tls, struct MHD_OptionItem *options);

/* On a connection over TLS, adds Strict-Transport-Security to reply and
 * marks its Set-Cookie Secure; on a plain connection does nothing. */
void hl_tls_secure_response(struct MHD_Connection *connection, struct MHD_Response *reply);

#endif
