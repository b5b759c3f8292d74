#!/usr/bin/env python3
"""run_tls_test.py: `hotline serve --tls-cert --tls-key` on a real server.

Usage: python3 run_tls_test.py PATH/TO/hotline

Finding covered: issue 11, item 2 ("encrypted transport"): the server spoke
plain HTTP only, so sessions, passwords and citizens' data crossed the
network in clear (on main, `serve --tls-cert` is an unknown option and
every case below fails).

Makes a test CA and two server certificates with openssl, an empty store
with one user, and starts `hotline serve` with TLS on a free loopback port.
Checks, with the standard library's ssl module (OpenSSL) as the client:
TLS 1.3 and TLS 1.2 accepted with an AEAD cipher and ECDHE; TLS 1.1 and
1.0 refused, and a TLS 1.2 client offering only CBC or only non-ECDHE
ciphers refused; Strict-Transport-Security on answers (also on errors and
on the pages); the session cookie of a login and of a logout marked Secure
(and still HttpOnly, SameSite=Strict); plain HTTP sent to the TLS port gets
no HTTP answer; a client asking to renegotiate a TLS 1.2 session has its
connection ended at once (no second handshake on one connection, the
"client-initiated renegotiation" DoS); SIGHUP with new files: a keep-alive connection opened
before goes on working on its session (the old certificate) while a new
connection gets the new certificate; a bad file at a later SIGHUP keeps
the current certificate and logs one line; SIGTERM still stops the server
(exit 0). Startup refusals (exit 2, one line): a key file readable by
others, a key of another certificate, a file that is no certificate,
--tls-cert without --tls-key. TLS is store-independent (the store is only
where the login's user lives), so this test has no PostgreSQL copy.
Prints "N passed, M failed"; exits 1 on any failure.
"""

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_support import HOST, check, free_port, summary  # noqa: E402
from tls_support import (PASSWORD, USER, TlsServer, client_context, make_ca, make_server_cert,  # noqa: E402
                         prepare_store, renegotiation_ends_connection, tls_connect)

AEAD = ("GCM", "CHACHA20", "POLY1305")


def exchange(connection, method, path, body=None, headers=None):
    """One request on an open (TLS) socket, kept alive; returns (status, headers, body)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    payload = body.encode() if isinstance(body, str) else (body or b"")
    if body is not None:
        lines.append(f"Content-Length: {len(payload)}")
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    response = http.client.HTTPResponse(connection, method=method)
    response.begin()
    data = response.read()
    return response.status, {name.lower(): value for name, value in response.getheaders()}, data


def set_cookies(headers_list):
    return [value for name, value in headers_list if name.lower() == "set-cookie"]


def https_request(port, ca_path, method, path, body=None, headers=None):
    """One request on a new connection; returns (status, header pairs, body)."""
    connection = http.client.HTTPSConnection(HOST, port, timeout=10, context=client_context(ca_path))
    # The certificate names localhost; the socket goes to 127.0.0.1 (also in its names).
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def test_versions(port, ca_path):
    for version, name in ((ssl.TLSVersion.TLSv1_3, "TLS 1.3"), (ssl.TLSVersion.TLSv1_2, "TLS 1.2")):
        try:
            with tls_connect(port, client_context(ca_path, version, version)) as connection:
                cipher, protocol, _ = connection.cipher()
                check(f"{name}: negotiated", protocol == name.replace(" ", "v"), protocol)
                check(f"{name}: an AEAD cipher", any(part in cipher for part in AEAD), cipher)
                if version == ssl.TLSVersion.TLSv1_2:
                    check(f"{name}: ECDHE key exchange", cipher.startswith("ECDHE-"), cipher)
                status, headers, _ = exchange(connection, "GET", "/healthz")
                check(f"{name}: /healthz 200", status == 200, status)
                check(f"{name}: Strict-Transport-Security",
                      headers.get("strict-transport-security", "").startswith("max-age=31536000"), headers)
        except (OSError, ssl.SSLError) as error:
            check(f"{name}: accepted", False, repr(error))
    for version, name in ((ssl.TLSVersion.TLSv1_1, "TLS 1.1"), (ssl.TLSVersion.TLSv1, "TLS 1.0")):
        context = client_context(ca_path, version, version)
        context.set_ciphers("ALL:@SECLEVEL=0")  # so that this client can offer the old versions at all
        try:
            with tls_connect(port, context) as connection:
                check(f"{name}: refused", False, f"negotiated {connection.version()}")
        except ssl.SSLError as error:
            # The server's alert or its closing of the connection after the
            # ClientHello (an EOF, or with Debian's OpenSSL 3.0 a zero
            # return), not this client declining to try.
            check(f"{name}: refused by the server", "NO_PROTOCOLS_AVAILABLE" not in str(error).upper()
                  and ("ALERT" in str(error).upper() or isinstance(error, (ssl.SSLEOFError, ssl.SSLZeroReturnError))),
                  repr(error))
        except OSError as error:
            check(f"{name}: refused", True, repr(error))
    for ciphers, what in (("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256",
                           "CBC ciphers only"),
                          ("AES128-GCM-SHA256:AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256", "no ECDHE")):
        context = client_context(ca_path, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)
        context.set_ciphers(ciphers + ":@SECLEVEL=0")
        try:
            with tls_connect(port, context) as connection:
                check(f"TLS 1.2 with {what}: refused", False, f"negotiated {connection.cipher()}")
        except (OSError, ssl.SSLError):
            check(f"TLS 1.2 with {what}: refused", True)


def test_headers_and_cookies(port, ca_path):
    body = f'{{"username":"{USER}","password":"{PASSWORD}"}}'
    status, headers, raw = https_request(port, ca_path, "POST", "/api/v1/login", body,
                                         {"Content-Type": "application/json"})
    check("login over TLS: 200", status == 200, raw[:300])
    cookies = set_cookies(headers)
    check("login: one session cookie", len(cookies) == 1, cookies)
    for cookie in cookies:
        attributes = [part.strip() for part in cookie.split(";")]
        check("login: the cookie is Secure", "Secure" in attributes, cookie)
        check("login: the cookie stays HttpOnly and SameSite=Strict",
              "HttpOnly" in attributes and "SameSite=Strict" in attributes, cookie)
    check("login: Strict-Transport-Security", any(name.lower() == "strict-transport-security"
                                                  for name, _ in headers), headers)
    token = None
    try:
        import json
        token = json.loads(raw)["token"]
    except (ValueError, KeyError, TypeError):
        pass
    if token is not None:
        cookie = cookies[0].split(";")[0] if cookies else ""
        status, headers, raw = https_request(port, ca_path, "POST", "/api/v1/logout", "",
                                             {"Authorization": f"Bearer {token}", "Cookie": cookie,
                                              "Content-Type": "application/json"})
        cleared = set_cookies(headers)
        check("logout: the clearing cookie is Secure",
              cleared != [] and all("Secure" in [p.strip() for p in c.split(";")] for c in cleared),
              (status, cleared))
    for path, what in (("/api/v1/orders/1", "an error answer (401)"), ("/", "a page")):
        status, headers, _ = https_request(port, ca_path, "GET", path)
        check(f"{what}: Strict-Transport-Security",
              any(name.lower() == "strict-transport-security" for name, _ in headers), (status, headers))


def test_plain_http_refused(port):
    with socket.create_connection((HOST, port), timeout=10) as plain:
        plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        received = b""
        try:
            while len(received) < 4096:
                piece = plain.recv(4096)
                if not piece:
                    break
                received += piece
        except OSError:
            pass  # a reset is a refusal too
    check("plain HTTP on the TLS port: no HTTP answer", not received.startswith(b"HTTP/") and b"200" not in received,
          received[:200])


def der_of(path):
    with open(path) as source:
        return ssl.PEM_cert_to_DER_cert(source.read())


def wait_for_log(server, text, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.log_text().count(text) > 0:
            return True
        time.sleep(0.05)
    return False


def replace_files(source, target):
    """Copies a certificate and key into place the way a renewal would:
    written aside, then renamed over the served names."""
    for origin, destination in zip(source, target):
        shutil.copyfile(origin, destination + ".new")
        os.chmod(destination + ".new", 0o600)
        os.replace(destination + ".new", destination)


def test_reload(server, ca_path, served, first, second, directory):
    old = tls_connect(server.port, client_context(ca_path))
    try:
        check("reload: the first connection has the first certificate",
              old.getpeercert(binary_form=True) == der_of(first[0]))
        status, _, _ = exchange(old, "GET", "/healthz")
        check("reload: the kept-alive connection answers before", status == 200, status)
        replace_files(second, served)
        server.process.send_signal(signal.SIGHUP)
        check("reload: logs that the certificate was reloaded", wait_for_log(server, "reloaded"),
              server.log_text()[-500:])
        check("reload: the server still runs after SIGHUP", server.process.poll() is None)
        with tls_connect(server.port, client_context(ca_path)) as fresh:
            check("reload: a new connection gets the new certificate",
                  fresh.getpeercert(binary_form=True) == der_of(second[0]))
            status, _, _ = exchange(fresh, "GET", "/healthz")
            check("reload: the new connection answers", status == 200, status)
        for round_number in range(3):
            status, headers, _ = exchange(old, "GET", "/healthz")
            check(f"reload: the connection opened before still answers ({round_number + 1})", status == 200, status)
        check("reload: the connection opened before kept its session",
              old.getpeercert(binary_form=True) == der_of(first[0]))
    except (OSError, ssl.SSLError, http.client.HTTPException) as error:
        check("reload: no connection error", False, repr(error))
    finally:
        old.close()

    # A bad certificate file at the next SIGHUP: the current one stays.
    with open(served[0], "w") as broken:
        broken.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    server.process.send_signal(signal.SIGHUP)
    check("bad reload: one line says the certificate was kept", wait_for_log(server, "keeping the previous"),
          server.log_text()[-500:])
    lines = [line for line in server.log_text().splitlines() if "keeping the previous" in line]
    check("bad reload: exactly one line", len(lines) == 1, lines)
    with tls_connect(server.port, client_context(ca_path)) as fresh:
        check("bad reload: new connections still get the current certificate",
              fresh.getpeercert(binary_form=True) == der_of(second[0]))
    # A key readable by others at the next SIGHUP: refused the same way.
    replace_files(first, served)
    os.chmod(served[1], 0o644)
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and server.log_text().count("keeping the previous") < 2:
        time.sleep(0.05)
    check("bad reload: a key open to others is refused", server.log_text().count("keeping the previous") == 2,
          server.log_text()[-500:])
    with tls_connect(server.port, client_context(ca_path)) as fresh:
        check("bad reload: the current certificate stays after the refused key",
              fresh.getpeercert(binary_form=True) == der_of(second[0]))
    os.chmod(served[1], 0o600)


def test_startup_refusals(binary, environment, directory, good, other):
    loose = os.path.join(directory, "loose.key")
    shutil.copyfile(good[1], loose)
    os.chmod(loose, 0o644)
    garbage = os.path.join(directory, "garbage.pem")
    with open(garbage, "w") as out:
        out.write("hello\n")
    cases = (("a key file readable by others", ["--tls-cert", good[0], "--tls-key", loose], "open to other users"),
             ("a key of another certificate", ["--tls-cert", good[0], "--tls-key", other[1]], "key"),
             ("a file that is no certificate", ["--tls-cert", garbage, "--tls-key", good[1]], "certificate"),
             ("--tls-cert without --tls-key", ["--tls-cert", good[0]], "--tls-key"))
    for what, options, word in cases:
        port = free_port()
        run = subprocess.run([binary, "--lang", "en", "serve", "--listen", f"{HOST}:{port}", *options],
                             env=environment, capture_output=True, timeout=30)
        error_lines = run.stderr.decode(errors="replace").strip().splitlines()
        check(f"refused at start: {what}: exit 2", run.returncode == 2, (run.returncode, error_lines))
        check(f"refused at start: {what}: a line that says why",
              len(error_lines) >= 1 and word in error_lines[0], error_lines)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hotline-tls-") as directory:
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("HOTLINE_LANG", "HOTLINE_NOW")}
        environment["HOTLINE_LANG"] = "en"
        prepare_store(binary, environment, directory)
        ca = make_ca(directory)
        first = make_server_cert(directory, "first", ca)
        second = make_server_cert(directory, "second", ca)
        served = (os.path.join(directory, "served.pem"), os.path.join(directory, "served.key"))
        replace_files(first, served)
        with TlsServer(binary, environment, directory, served[0], served[1], ca[0]) as server:
            test_versions(server.port, ca[0])
            test_headers_and_cookies(server.port, ca[0])
            test_plain_http_refused(server.port)
            ended, detail = renegotiation_ends_connection(server.port)
            check("a client-initiated TLS 1.2 renegotiation ends the connection", ended, detail)
            check("the server runs after plain HTTP", server.process.poll() is None)
            test_reload(server, ca[0], served, first, second, directory)
            server.process.send_signal(signal.SIGTERM)
            try:
                check("SIGTERM: exit 0", server.process.wait(timeout=10) == 0)
            except subprocess.TimeoutExpired:
                check("SIGTERM: exit 0", False, "still running")
        test_startup_refusals(binary, environment, directory, first, second)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
