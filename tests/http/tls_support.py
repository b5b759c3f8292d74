"""tls_support.py: what the TLS tests share (run_tls_test.py, run_testssl_test.py).

Throwaway certificates made with openssl at test time: a test CA and server
certificates it signs for localhost and 127.0.0.1 (ECDSA P-256; the key
files 0600), a store with one user who can log in, and a `hotline serve
--tls-cert --tls-key` on a free loopback port. Uses only the standard
library and the openssl command (scripts/bootstrap.sh installs it).
"""

import os
import socket
import ssl
import subprocess
import time

from http_support import HOST, free_port, use_store

USER = "agent1"
PASSWORD = "tls-test-password"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_ca(directory):
    """A test CA: returns (certificate path, key path)."""
    cert, key = os.path.join(directory, "ca.pem"), os.path.join(directory, "ca.key")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-days", "400", "-subj", "/CN=hotline test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return cert, key


def make_server_cert(directory, name, ca, common_name="localhost", days=30):
    """A server certificate signed by ca for localhost and 127.0.0.1, with a
    key of its own (mode 0600): returns (certificate path, key path)."""
    cert, key = os.path.join(directory, f"{name}.pem"), os.path.join(directory, f"{name}.key")
    request, extensions = os.path.join(directory, f"{name}.csr"), os.path.join(directory, f"{name}.cnf")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", request, "-subj", f"/CN={common_name}")
    os.chmod(key, 0o600)
    with open(extensions, "w") as out:
        out.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                  "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                  # testssl.sh counts a certificate without a revocation source as a finding:
                  # a real CA's carry these; the test CA names a CRL it never publishes.
                  "crlDistributionPoints=URI:http://crl.example.invalid/test.crl\n")
    openssl("x509", "-req", "-in", request, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial", "-days", str(days),
            "-sha256", "-extfile", extensions, "-out", cert)
    return cert, key


def prepare_store(binary, environment, directory):
    """An empty store with USER (an agent) whose password is PASSWORD."""
    use_store(environment, directory)
    subprocess.run([binary, "init"], env=environment, capture_output=True, check=True, timeout=120)
    users = os.path.join(directory, "users.csv")
    with open(users, "w", encoding="utf-8") as out:
        out.write(f"username,display_name,role,unit,active\n{USER},TLS test,agent,,1\n")
    subprocess.run([binary, "load", "users", users], env=environment, capture_output=True, check=True, timeout=60)
    subprocess.run([binary, "passwd", USER], env=environment, input=f"{PASSWORD}\n".encode(),
                   capture_output=True, check=True, timeout=60)


def client_context(ca_path, minimum=ssl.TLSVersion.TLSv1_2, maximum=ssl.TLSVersion.TLSv1_3):
    """A context that trusts only the test CA and checks the host name."""
    context = ssl.create_default_context(cafile=ca_path)
    context.minimum_version = minimum
    context.maximum_version = maximum
    return context


def tls_connect(port, context, server_hostname="localhost", timeout=10):
    raw = socket.create_connection((HOST, port), timeout=timeout)
    try:
        return context.wrap_socket(raw, server_hostname=server_hostname)
    except BaseException:
        raw.close()
        raise


def https_healthy(port, ca_path):
    try:
        with tls_connect(port, client_context(ca_path), timeout=2) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return connection.recv(64).startswith(b"HTTP/1.1 200")
    except (OSError, ssl.SSLError):
        return False


class TlsServer:
    """`hotline serve --tls-cert CERT --tls-key KEY` on a free port; a context
    manager. .port, .process, .log_path."""

    def __init__(self, binary, environment, directory, cert, key, ca_path, extra=()):
        self.command = [binary, "serve", "--listen", f"{HOST}:0", "--tls-cert", cert, "--tls-key", key, *extra]
        self.environment, self.ca_path = environment, ca_path
        self.port = free_port()
        self.command[3] = f"{HOST}:{self.port}"
        self.log_path = os.path.join(directory, "server.log")
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, env=self.environment, stdout=subprocess.DEVNULL,
                                        stderr=self.log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            if https_healthy(self.port, self.ca_path):
                return self
            time.sleep(0.05)
        raise RuntimeError("the TLS server did not start: " + self.log_text()[-2000:])

    def log_text(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def __exit__(self, *exception):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return False


def renegotiation_ends_connection(port, seconds=5):
    """Asks for a TLS 1.2 renegotiation (openssl s_client's "R") on an open
    connection; returns (True, detail) when the server ended the connection
    at once instead of renegotiating (no handshake can be repeated on it),
    else (False, detail)."""
    client = subprocess.Popen(["openssl", "s_client", "-tls1_2", "-connect", f"{HOST}:{port}",
                               "-servername", "localhost"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(1.5)  # the first handshake ends well within this, even under load
        if client.poll() is not None:
            return False, "the first handshake failed: " + client.stdout.read().decode(errors="replace")[-300:]
        client.stdin.write(b"R\n")
        client.stdin.flush()
        asked = time.monotonic()
        try:
            client.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            # Still open: send a request on the renegotiated connection, then give up.
            client.stdin.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            client.stdin.flush()
            time.sleep(1)
            client.kill()
            client.wait()
            return False, "the connection stayed open after a renegotiation request"
        waited = time.monotonic() - asked
        output = client.stdout.read().decode(errors="replace")
        ended = "RENEGOTIATING" in output and "HTTP/1.1" not in output and waited < seconds
        return ended, f"ended {waited:.2f} s after the request; {output[-200:]!r}"
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
