/* test_tls.c: the server's certificate and its reload (src/http/tls.c), on
 * real files: key pairs made at test time with GnuTLS (self-signed ECDSA
 * P-256), written to a temporary directory. Loading a good pair, every
 * refusal at open (a key file open to others, a key of another
 * certificate, a file that is no certificate, a missing file), one TLS
 * server per process, a reload that swaps in a good pair and one that
 * keeps the current pair, and the daemon options handed to
 * libmicrohttpd. What a client sees (versions, ciphers, HSTS, cookies,
 * a reload under an open connection) is tests/http/run_tls_test.py's. */
#include "test_support.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/file.h"
#include "base/i18n.h"
#include "http/tls.h"

typedef struct fixture {
    char directory[512];
    char cert_a[600], key_a[600], cert_b[600], key_b[600];
    char served_cert[600], served_key[600];
} fixture;

static void write_datum(const char *path, const gnutls_datum_t *datum, mode_t mode)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(datum->data, 1, datum->size, file), datum->size);
    assert_int_equal(fclose(file), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* A self-signed ECDSA P-256 certificate and its key, as PEM files. */
static void make_pair(const char *cert_path, const char *key_path, const char *name)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t cert;
    assert_int_equal(gnutls_x509_privkey_init(&key), 0);
    assert_int_equal(gnutls_x509_privkey_generate(
                         key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                     0);
    assert_int_equal(gnutls_x509_crt_init(&cert), 0);
    assert_int_equal(gnutls_x509_crt_set_key(cert, key), 0);
    assert_int_equal(gnutls_x509_crt_set_version(cert, 3), 0);
    unsigned char serial[8] = {1, 2, 3, 4, 5, 6, 7, (unsigned char)name[0]};
    assert_int_equal(gnutls_x509_crt_set_serial(cert, serial, sizeof serial), 0);
    time_t now = time(NULL);
    assert_int_equal(gnutls_x509_crt_set_activation_time(cert, now - 60), 0);
    assert_int_equal(gnutls_x509_crt_set_expiration_time(cert, now + 86400), 0);
    assert_int_equal(gnutls_x509_crt_set_dn_by_oid(cert, GNUTLS_OID_X520_COMMON_NAME, 0, name,
                                                   (unsigned)strlen(name)),
                     0);
    assert_int_equal(gnutls_x509_crt_sign2(cert, cert, key, GNUTLS_DIG_SHA256, 0), 0);
    gnutls_datum_t out;
    assert_int_equal(gnutls_x509_crt_export2(cert, GNUTLS_X509_FMT_PEM, &out), 0);
    write_datum(cert_path, &out, 0644);
    gnutls_free(out.data);
    assert_int_equal(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, 0, &out), 0);
    write_datum(key_path, &out, 0600);
    gnutls_free(out.data);
    gnutls_x509_crt_deinit(cert);
    gnutls_x509_privkey_deinit(key);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    char *data = NULL;
    size_t length = 0;
    assert_int_equal(hl_file_read_all(from, 1 << 20, &data, &length, NULL), HL_OK);
    gnutls_datum_t datum = {(unsigned char *)data, (unsigned)length};
    write_datum(to, &datum, mode);
    free(data);
}

static int set_up(void **state)
{
    fixture *f = hl_xcalloc(1, sizeof *f);
    test_make_temp_dir(f->directory, sizeof f->directory);
    test_path(f->cert_a, sizeof f->cert_a, f->directory, "a.pem");
    test_path(f->key_a, sizeof f->key_a, f->directory, "a.key");
    test_path(f->cert_b, sizeof f->cert_b, f->directory, "b.pem");
    test_path(f->key_b, sizeof f->key_b, f->directory, "b.key");
    test_path(f->served_cert, sizeof f->served_cert, f->directory, "served.pem");
    test_path(f->served_key, sizeof f->served_key, f->directory, "served.key");
    make_pair(f->cert_a, f->key_a, "a.example");
    make_pair(f->cert_b, f->key_b, "b.example");
    copy_file(f->cert_a, f->served_cert, 0644);
    copy_file(f->key_a, f->served_key, 0600);
    *state = f;
    return 0;
}

static int tear_down(void **state)
{
    fixture *f = *state;
    test_remove_tree(f->directory);
    free(f);
    return 0;
}

static void opens_a_good_pair_and_hands_out_its_options(void **state)
{
    fixture *f = *state;
    hl_tls *tls = NULL;
    hl_error error;
    assert_int_equal(hl_tls_open(f->cert_a, f->key_a, &tls, &error), HL_OK);
    assert_non_null(tls);
    struct MHD_OptionItem options[HL_TLS_DAEMON_OPTIONS];
    hl_tls_daemon_options(tls, options);
    assert_int_equal(options[0].option, MHD_OPTION_HTTPS_PRIORITIES);
    assert_string_equal(options[0].ptr_value, HL_TLS_PRIORITIES);
    assert_int_equal(options[1].option, MHD_OPTION_HTTPS_CERT_CALLBACK);
    assert_non_null(options[1].ptr_value);
    assert_int_equal(options[2].option, MHD_OPTION_END);
    hl_tls_free(tls);
    hl_tls_daemon_options(NULL, options);
    assert_int_equal(options[0].option, MHD_OPTION_END);
    hl_tls_free(NULL);
}

static void the_priorities_are_tls12_and_tls13_aead_only(void **state)
{
    (void)state;
    gnutls_priority_t priorities;
    assert_int_equal(gnutls_priority_init(&priorities, HL_TLS_PRIORITIES, NULL), 0);
    /* Every suite the string allows: AEAD ciphers, TLS 1.2 suites with ECDHE. */
    unsigned count = 0;
    for (unsigned index = 0;; index++) {
        unsigned suite = 0;
        int result = gnutls_priority_get_cipher_suite_index(priorities, index, &suite);
        if (result == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (result != 0)
            continue;
        unsigned char id[2];
        gnutls_kx_algorithm_t kx;
        gnutls_cipher_algorithm_t cipher;
        gnutls_mac_algorithm_t mac;
        gnutls_protocol_t minimum;
        const char *name = gnutls_cipher_suite_info(suite, id, &kx, &cipher, &mac, &minimum);
        assert_non_null(name);
        assert_true(cipher == GNUTLS_CIPHER_AES_128_GCM || cipher == GNUTLS_CIPHER_AES_256_GCM ||
                    cipher == GNUTLS_CIPHER_CHACHA20_POLY1305);
        /* TLS 1.3 suites name no key exchange (it is always (EC)DHE). */
        assert_true(kx == GNUTLS_KX_ECDHE_ECDSA || kx == GNUTLS_KX_ECDHE_RSA ||
                    kx == GNUTLS_KX_UNKNOWN);
        count++;
    }
    assert_true(count >= 3);
    const unsigned *versions = NULL;
    int version_count = gnutls_priority_protocol_list(priorities, &versions);
    assert_true(version_count >= 2);
    for (int index = 0; index < version_count; index++)
        assert_true(versions[index] == GNUTLS_TLS1_2 || versions[index] == GNUTLS_TLS1_3);
    gnutls_priority_deinit(priorities);
}

static void refuses_what_cannot_be_used(void **state)
{
    fixture *f = *state;
    hl_tls *tls = NULL;
    hl_error error;
    char loose[600], garbage[600], missing[600];
    test_path(loose, sizeof loose, f->directory, "loose.key");
    test_path(garbage, sizeof garbage, f->directory, "garbage.pem");
    test_path(missing, sizeof missing, f->directory, "missing.pem");
    copy_file(f->key_a, loose, 0644);
    test_write_file(garbage, "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n");

    assert_int_equal(hl_tls_open(f->cert_a, loose, &tls, &error), HL_EINVAL);
    assert_string_equal(error.field, "tls-key");
    assert_null(tls);
    /* Group read is allowed: Debian's ssl-cert convention (0640). */
    assert_int_equal(chmod(loose, 0640), 0);
    assert_int_equal(hl_tls_open(f->cert_a, loose, &tls, &error), HL_OK);
    hl_tls_free(tls);
    tls = NULL;
    assert_int_equal(hl_tls_open(f->cert_a, f->key_b, &tls, &error), HL_EINVAL);
    assert_string_equal(error.field, "tls-key");
    assert_int_equal(hl_tls_open(garbage, f->key_a, &tls, &error), HL_EINVAL);
    assert_string_equal(error.field, "tls-cert");
    assert_int_equal(hl_tls_open(missing, f->key_a, &tls, &error), HL_EINVAL);
    assert_string_equal(error.field, "tls-cert");
    assert_int_equal(hl_tls_open(f->cert_a, missing, &tls, &error), HL_EINVAL);
    assert_string_equal(error.field, "tls-key");
    /* The certificate where the key should be, and the reverse. */
    assert_int_equal(hl_tls_open(f->key_a, f->key_a, &tls, &error), HL_EINVAL);
    assert_null(tls);
}

static void one_tls_server_per_process(void **state)
{
    fixture *f = *state;
    hl_tls *first = NULL, *second = NULL;
    hl_error error;
    assert_int_equal(hl_tls_open(f->cert_a, f->key_a, &first, &error), HL_OK);
    assert_int_equal(hl_tls_open(f->cert_b, f->key_b, &second, &error), HL_EINVAL);
    assert_null(second);
    hl_tls_free(first);
    assert_int_equal(hl_tls_open(f->cert_b, f->key_b, &second, &error), HL_OK);
    hl_tls_free(second);
}

static void reload_swaps_a_good_pair_and_keeps_the_current_on_a_bad_one(void **state)
{
    fixture *f = *state;
    hl_tls *tls = NULL;
    hl_error error;
    assert_int_equal(hl_tls_open(f->served_cert, f->served_key, &tls, &error), HL_OK);
    /* The same files again, then a new pair, several times over: the
     * retired sets stay until the module is freed (ASan sees the frees). */
    assert_int_equal(hl_tls_reload(tls, &error), HL_OK);
    copy_file(f->cert_b, f->served_cert, 0644);
    copy_file(f->key_b, f->served_key, 0600);
    assert_int_equal(hl_tls_reload(tls, &error), HL_OK);
    /* Half a renewal (the new certificate, the old key): refused, kept. */
    copy_file(f->cert_a, f->served_cert, 0644);
    assert_int_equal(hl_tls_reload(tls, &error), HL_EINVAL);
    assert_string_equal(error.field, "tls-key");
    /* A key that became readable by others: refused, kept. */
    copy_file(f->key_a, f->served_key, 0604);
    assert_int_equal(hl_tls_reload(tls, &error), HL_EINVAL);
    assert_int_equal(chmod(f->served_key, 0600), 0);
    assert_int_equal(hl_tls_reload(tls, &error), HL_OK);
    hl_tls_free(tls);
}

int main(void)
{
    hl_i18n_set(HL_LANG_EN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(opens_a_good_pair_and_hands_out_its_options, set_up,
                                        tear_down),
        cmocka_unit_test(the_priorities_are_tls12_and_tls13_aead_only),
        cmocka_unit_test_setup_teardown(refuses_what_cannot_be_used, set_up, tear_down),
        cmocka_unit_test_setup_teardown(one_tls_server_per_process, set_up, tear_down),
        cmocka_unit_test_setup_teardown(reload_swaps_a_good_pair_and_keeps_the_current_on_a_bad_one,
                                        set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
