"""http_support.py: what the tests of `hotline serve` share.

A real server process on 127.0.0.1 (a demo store built in a temporary
directory, a free port, /healthz awaited), plain HTTP requests with the
standard library, the pass/fail tally, and the checks of the one error body
shape. Nothing here knows a route; the test files do.
"""

import http.client
import json
import os
import socket
import subprocess
import time
import sys

# The store each harness runs on, on either backend (tests/support/test_store.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from test_store import StoreError, StoreSQL, test_store_address, use_demo_store, use_store  # noqa: E402,F401

HOST = "127.0.0.1"
DEMO_PASSWORD = "hotline-demo"
STARTUP_SECONDS = 20  # under ASan the first connection is slower

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAIL {name}" + (f": {str(detail)[:600]}" if detail != "" else ""))
    return bool(condition)


def summary():
    """Prints the tally; returns the exit status."""
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def run_cli(binary, environment, *args):
    completed = subprocess.run([binary, *args], env=environment, capture_output=True, timeout=300)
    if completed.returncode != 0:
        raise RuntimeError(f"hotline {' '.join(args)} exited {completed.returncode}: "
                           f"{completed.stderr.decode(errors='replace')}")
    return completed.stdout.decode()


def request(port, method, path, body=None, headers=None, token=None):
    """Returns (status, headers dict with lower-case names, body bytes).
    path is sent as it is (percent-encode it beforehand); body may be str or bytes."""
    headers = dict(headers or {})
    if token is not None and "Authorization" not in headers:
        headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, str):
        body = body.encode()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def request_declared_only(port, method, path, length, headers=None, token=None):
    """Declares a body of length bytes and sends none: what a too large body
    is refused from (a client still writing would only see the connection
    reset). Returns (status, headers, body) as request does."""
    headers = dict(headers or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def request_json(port, method, path, document=None, token=None, headers=None):
    """Sends document (any JSON value, or None for no body) as application/json;
    returns (status, headers, parsed body or None when it is not JSON)."""
    headers = dict(headers or {})
    body = None
    if document is not None:
        body = json.dumps(document, ensure_ascii=False)
        headers.setdefault("Content-Type", "application/json")
    status, answer_headers, raw = request(port, method, path, body, headers, token)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, answer_headers, parsed


def error_body_ok(headers, body):
    """Whether an answer is the one error shape: {"error":{"code","message","field"}}."""
    if not headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        document = json.loads(body)
    except ValueError:
        return False
    error = document.get("error") if isinstance(document, dict) else None
    return (isinstance(error, dict) and set(error) == {"code", "message", "field"}
            and isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"] != ""
            and (error["field"] is None or isinstance(error["field"], str)))


def check_error(name, status, headers, body, expected_status, expected_code=None, expected_field=None):
    check(f"{name}: status {expected_status}", status == expected_status, f"got {status}: {body[:300]!r}")
    check(f"{name}: the error body", error_body_ok(headers, body), repr(body[:300]))
    if expected_code is not None or expected_field is not None:
        try:
            error = json.loads(body)["error"]
        except (ValueError, KeyError, TypeError):
            return
        if expected_code is not None:
            check(f"{name}: code {expected_code}", error.get("code") == expected_code, repr(error))
        if expected_field is not None:
            check(f"{name}: field {expected_field}", error.get("field") == expected_field, repr(error))


def login(port, username, password=DEMO_PASSWORD):
    """Returns a session token (raises when the login fails)."""
    status, _, document = request_json(port, "POST", "/api/v1/login",
                                       {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"login {username}: {status} {document}")
    return document["token"]


class Server:
    """A `hotline serve` on a free loopback port over a store at db_path,
    with environment (HOTLINE_DB set by the caller). Use as a context
    manager; .port, .log_path."""

    def __init__(self, binary, environment, directory):
        self.binary = binary
        self.environment = environment
        self.port = free_port()
        self.log_path = os.path.join(directory, "server.log")
        self.out_path = os.path.join(directory, "server.out")
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.out = open(self.out_path, "wb")
        self.process = subprocess.Popen([self.binary, "serve", "--listen", f"{HOST}:{self.port}"],
                                        env=self.environment, stdout=self.out, stderr=self.log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _, _ = request(self.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not start: " + open(self.log_path, errors="replace").read()[-2000:])

    def __exit__(self, *exception):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.out.close()
        return False
