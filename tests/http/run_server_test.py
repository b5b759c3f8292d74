#!/usr/bin/env python3
"""run_server_test.py: integration test of `hotline serve` (issue 4, first three slices).

Usage: python3 run_server_test.py PATH/TO/hotline

Builds the demo store with `hotline demo` in a temporary directory, starts
`hotline serve --listen 127.0.0.1:<free port>` as a real process, waits for
/healthz, and checks every route of the slice against the command line's
own answers: /healthz, /metrics (format and the store's counts), one order
as JSON (phone masked), its events, the February 2024 bulletin as JSON and
CSV, the error answers (404, 400, 405, 413, an oversized header, path
traversal, invalid UTF-8) and a clean exit on SIGTERM. Then login and
authorization: login (token, cookie attributes), 401 without, with a forged
or a revoked token, the read rights of every demo role (orders, events,
reports; another unit's orders are 404 however their numbers are guessed),
full or masked phone numbers by role, hostile bodies (415, 400), password
change, `hotline passwd`, and 429 after too many failed logins. Then writes:
registration (201, Location, ETag; 403, 400 naming the field), actions with
If-Match (428 without, 412 stale, 404 for another unit, 409 in the wrong
state, 403 for the wrong role), hostile bodies that change nothing, two
clients racing on one version (one 200, one 412), /metrics' per-state
gauges equal to the store's counts after the writes, and `hotline verify`
clean on the store afterwards. The web pages: index, headers, 304, the
HTML 404 page, traversal refused. Then personal data: a caller's earlier
orders (newest first, masked per role, another unit's left out, 404 for an
order the user may not read), and the audit of full phone-number reads
(a full read by an agent recorded at once, a masked one by an analyst not,
administrators only, the stop writing the last reads). Uses only
the standard library. Prints "N passed, M failed"; exits 1 on any failure.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_support import HOST, check, free_port, results, run_cli, use_demo_store  # noqa: E402

ORDER = "20240201000001"
DEMO_PASSWORD = "hotline-demo"
# The token sent by default with /api/v1 requests (an analyst's: reads
# orders and reports, sees phone numbers masked); set once logged in.
session = {"token": None}
STARTUP_SECONDS = 20  # under ASan the first connection is slower


def request(port, method, path, body=None, headers=None, token="default"):
    """Returns (status, headers dict with lower-case names, body bytes).
    token: "default" sends session["token"] to /api/v1 routes; None sends none."""
    headers = dict(headers or {})
    if token == "default":
        token = session["token"] if path.startswith("/api/v1/") else None
    if token is not None and "Authorization" not in headers:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def raw_request(port, data):
    """Sends raw bytes; returns the response's status line (or '' if the
    server closed the connection without one)."""
    with socket.create_connection((HOST, port), timeout=30) as connection:
        try:
            connection.sendall(data)
        except OSError:
            pass
        received = b""
        try:
            while b"\r\n" not in received:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                received += chunk
        except OSError:
            pass
    return received.split(b"\r\n", 1)[0].decode(errors="replace")


def check_error_body(name, status, headers, body, expected_status, expected_code):
    check(f"{name}: status {expected_status}", status == expected_status, f"got {status}: {body[:200]!r}")
    check(f"{name}: JSON content type", headers.get("content-type", "").startswith("application/json"),
          headers.get("content-type"))
    try:
        document = json.loads(body)
    except ValueError:
        check(f"{name}: JSON body", False, repr(body[:200]))
        return
    error = document.get("error") if isinstance(document, dict) else None
    check(f"{name}: one error body shape",
          isinstance(error, dict) and set(error) == {"code", "message", "field"}
          and isinstance(error["message"], str) and error["message"] != "", repr(document))
    if isinstance(error, dict):
        check(f"{name}: code {expected_code}", error.get("code") == expected_code, repr(error))


def wait_for_health(port, process):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            status, _, _ = request(port, "GET", "/healthz")
            if status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def test_routes(binary, environment, port):
    # /healthz
    status, headers, body = request(port, "GET", "/healthz")
    check("healthz 200", status == 200, str(status))
    check("healthz body", json.loads(body) == {"status": "ok"}, repr(body))
    check("healthz content type", headers.get("content-type") == "application/json; charset=utf-8",
          headers.get("content-type"))

    # /metrics: the format, and the store's counts as the CLI gives them.
    status, headers, body = request(port, "GET", "/metrics")
    text = body.decode()
    check("metrics 200", status == 200, str(status))
    check("metrics content type", headers.get("content-type", "").startswith("text/plain"),
          headers.get("content-type"))
    check("metrics counts requests", re.search(r'^hotline_requests_total\{method="GET",status="200"\} [1-9]\d*$',
                                               text, re.M) is not None, text[:500])
    check("metrics TYPE lines", "# TYPE hotline_requests_total counter" in text
          and "# TYPE hotline_request_duration_seconds histogram" in text
          and "# TYPE hotline_orders gauge" in text, text[:500])
    check("metrics histogram +Inf", re.search(r'^hotline_request_duration_seconds_bucket\{le="\+Inf"\} \d+$',
                                              text, re.M) is not None)
    check("metrics histogram count", re.search(r"^hotline_request_duration_seconds_count \d+$", text, re.M)
          is not None)
    listing = run_cli(binary, environment, "list", "--state", "completed", "--limit", "1000000")
    completed_count = re.findall(r"(\d+)", listing.strip().splitlines()[-1])
    match = re.search(r'^hotline_orders\{state="completed"\} (\d+)$', text, re.M)
    check("metrics completed orders = CLI count",
          match is not None and completed_count and match.group(1) == completed_count[-1],
          f"metrics {match.group(1) if match else None}, CLI {completed_count}")
    overdue = run_cli(binary, environment, "list", "--overdue", "--limit", "1000000")
    overdue_count = re.findall(r"(\d+)", overdue.strip().splitlines()[-1])
    match = re.search(r"^hotline_orders_overdue (\d+)$", text, re.M)
    check("metrics overdue = CLI count", match is not None and overdue_count
          and match.group(1) == overdue_count[-1], f"metrics {match.group(1) if match else None}, "
                                                   f"CLI {overdue_count}")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            check(f"metrics line well formed: {line}",
                  re.fullmatch(r'[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.]+', line) is not None)

    # One order: its fields, the phone masked.
    shown = run_cli(binary, environment, "show", ORDER)
    phone = re.search(r"^联系电话\s+(\S+)$", shown, re.M).group(1)
    status, headers, body = request(port, "GET", f"/api/v1/orders/{ORDER}")
    check("order 200", status == 200, f"{status} {body[:200]!r}")
    order = json.loads(body)
    check("order number", order.get("number") == ORDER, repr(order.get("number")))
    check("order state", order.get("state") == "surveyed", repr(order.get("state")))
    check("order lead unit", order.get("lead_unit") == "xiaodian", repr(order.get("lead_unit")))
    check("order phone masked", order.get("citizen_phone") == phone[:3] + "****" + phone[-4:],
          repr(order.get("citizen_phone")))
    check("full phone nowhere in the answer", phone.encode() not in body)
    check("order times ISO 8601 with zone",
          re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", order.get("received_at", "")) is not None,
          repr(order.get("received_at")))
    check("order version", order.get("version") == 6, repr(order.get("version")))

    # Its events: as many as the CLI's history.
    history = [line for line in shown.split("处理记录：", 1)[1].splitlines()
               if re.match(r"^\s+\d+\s+\d{4}-\d\d-\d\d ", line)]
    status, headers, body = request(port, "GET", f"/api/v1/orders/{ORDER}/events")
    check("events 200", status == 200, str(status))
    events = json.loads(body).get("events", [])
    check("events = CLI history", len(events) == len(history) and len(events) > 0,
          f"{len(events)} vs {len(history)}")
    check("events in order", [event["seq"] for event in events] == list(range(1, len(events) + 1)))
    check("first event is the registration", events and events[0]["action"] == "register")

    # The bulletin.
    status, headers, body = request(port, "GET", "/api/v1/reports/2024-02?format=json")
    check("report json 200", status == 200, str(status))
    check("report json content type", headers.get("content-type") == "application/json; charset=utf-8")
    totals = json.loads(body).get("totals", {})
    check("report totals", totals.get("base") == 25301 and totals.get("survey_succeeded") == 20914
          and totals.get("satisfied") == 12803, repr(totals))
    check("report percents", totals.get("survey_success_rate", {}).get("percent") == "82.66"
          and totals.get("satisfaction_rate", {}).get("percent") == "61.22", repr(totals))
    status, headers, body = request(port, "GET", "/api/v1/reports/2024-02?format=csv")
    check("report csv 200", status == 200, str(status))
    check("report csv content type", headers.get("content-type") == "text/csv; charset=utf-8")
    check("report csv 43 lines", len(body.decode().splitlines()) == 43, str(len(body.decode().splitlines())))
    for format_name, content_type in (("html", "text/html; charset=utf-8"),
                                      ("markdown", "text/markdown; charset=utf-8"),
                                      ("text", "text/plain; charset=utf-8")):
        status, headers, body = request(port, "GET", f"/api/v1/reports/2024-02?format={format_name}")
        check(f"report {format_name}", status == 200 and headers.get("content-type") == content_type
              and b"25301" in body, f"{status} {headers.get('content-type')}")
    status, headers, body = request(port, "GET", "/api/v1/reports/2024-02")
    check("report defaults to JSON", status == 200 and json.loads(body)["totals"]["base"] == 25301)

    # Language: ?lang= and Accept-Language.
    status, headers, body = request(port, "GET", "/api/v1/reports/2024-02?format=text&lang=en")
    check("report in English by ?lang=en", status == 200 and b"February" in body, repr(body[:200]))
    status, headers, body = request(port, "GET", "/api/v1/orders/abc", headers={"Accept-Language": "en-US,en;q=0.9"})
    check("error in English by Accept-Language", b"not an order number" in body, repr(body))
    status, headers, body = request(port, "GET", "/api/v1/orders/abc")
    check("error in Chinese by default", "工单编号".encode() in body, repr(body))
    status, headers, body = request(port, "GET", "/healthz?lang=fr")
    check_error_body("unknown lang", status, headers, body, 400, "invalid")

    # Errors.
    status, headers, body = request(port, "GET", "/api/v1/orders/20240201999999")
    check_error_body("unknown order", status, headers, body, 404, "not_found")
    status, headers, body = request(port, "GET", "/api/v1/orders/abc")
    check_error_body("malformed number", status, headers, body, 400, "invalid")
    check("malformed number names the field", json.loads(body)["error"]["field"] == "number")
    status, headers, body = request(port, "GET", "/api/v1/orders/abc/events")
    check_error_body("malformed number (events)", status, headers, body, 400, "invalid")
    status, headers, body = request(port, "GET", "/api/v1/reports/2024-13")
    check_error_body("bad month", status, headers, body, 400, "invalid")
    status, headers, body = request(port, "GET", "/api/v1/reports/2024-02?format=pdf")
    check_error_body("bad format", status, headers, body, 400, "invalid")
    status, headers, body = request(port, "GET", "/api/v1/nowhere")
    check_error_body("unknown route", status, headers, body, 404, "not_found")
    status, headers, body = request(port, "GET", "/healthz/")
    check_error_body("trailing slash", status, headers, body, 404, "not_found")
    status, headers, body = request(port, "POST", "/healthz", body=b"{}",
                                    headers={"Content-Type": "application/json"})
    check_error_body("POST /healthz", status, headers, body, 405, "method_not_allowed")
    check("405 has Allow", headers.get("allow") == "GET, HEAD", repr(headers.get("allow")))
    status, headers, body = request(port, "DELETE", f"/api/v1/orders/{ORDER}")
    check_error_body("DELETE order", status, headers, body, 405, "method_not_allowed")
    status, headers, body = request(port, "HEAD", "/healthz")
    check("HEAD /healthz", status == 200 and body == b"", f"{status} {body!r}")

    # A 2 MB body: refused from its declared length, before it is read (the
    # body is not sent: the server answers and closes without reading it,
    # and a client still writing would only see the connection reset).
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.putrequest("POST", "/api/v1/orders")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(2 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    status, headers, body = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    check_error_body("2 MB body", status, headers, body, 413, "too_large")
    # ... and a chunked one, which can only be refused once it has ended.
    chunk = b"y" * 65536
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(32)) + b"0\r\n\r\n"
    status_line = raw_request(port, b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                    b"Connection: close\r\n\r\n" + chunked)
    check("2 MB chunked body: 413", " 413 " in status_line, status_line)

    # A 64 KiB header: refused by the connection's memory limit (or closed).
    status_line = raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 +
                              b"\r\nConnection: close\r\n\r\n")
    check("oversized header refused", status_line == "" or re.search(r" 4\d\d ", status_line) is not None,
          status_line)

    # Path traversal: no route, nothing from the file system.
    status_line = raw_request(port, b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check("path traversal 404 (raw)", " 404 " in status_line or " 400 " in status_line, status_line)
    status, headers, body = request(port, "GET", "/../../etc/passwd")
    check("path traversal 404", status == 404, str(status))
    check("no passwd content", b"root:" not in body)
    for path in ("/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2E%2E%5C%2E%2E%5Cetc%5Cpasswd",
                 "/index.html%00.js", "/js/%2e%2e/%2e%2e/%2e%2e/etc/passwd"):
        status, headers, body = request(port, "GET", path)
        check(f"encoded traversal {path}: 404 page", status == 404 and b"root:" not in body
              and headers.get("content-type") == "text/html; charset=utf-8", f"{status} {headers}")
    status, headers, body = request(port, "GET", "/api/v1/orders/..%2F..%2Fetc%2Fpasswd")
    check("encoded traversal refused", status in (400, 404) and b"root:" not in body, str(status))

    # Invalid UTF-8 in the path, raw and percent-encoded.
    status, headers, body = request(port, "GET", "/api/v1/orders/%FF%FE")
    check("invalid UTF-8 (encoded) 400/404", status in (400, 404), str(status))
    check("invalid UTF-8 (encoded) JSON", json.loads(body).get("error", {}).get("code") in ("invalid", "not_found"))
    status_line = raw_request(port, b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check("invalid UTF-8 (raw) 400/404", " 400 " in status_line or " 404 " in status_line, status_line)

    test_web_pages(port)

    # SQL metacharacters are just a malformed number.
    status, headers, body = request(port, "GET", "/api/v1/orders/1%27%20OR%201=1--")
    check_error_body("SQL metacharacters", status, headers, body, 400, "invalid")

    # The server still answers after all of the above.
    status, _, _ = request(port, "GET", "/healthz")
    check("still healthy", status == 200)
    status, _, body = request(port, "GET", "/metrics")
    text = body.decode()
    check("metrics count the errors", re.search(r'^hotline_requests_total\{method="GET",status="404"\} \d+$',
                                                text, re.M) is not None
          and re.search(r'^hotline_requests_total\{method="POST",status="405"\} \d+$', text, re.M) is not None)


def test_web_pages(port):
    """The web pages (static_files.c) from the source tree's web/: the index
    with its security headers, validators and 304, the HTML 404 page, no
    directory listing, and the API's paths still the API's."""
    source_index = os.path.join(os.path.dirname(__file__), "..", "..", "web", "index.html")
    status, headers, body = request(port, "GET", "/")
    check("GET / is web/index.html", status == 200 and body == open(source_index, "rb").read(), str(status))
    check("index is HTML", headers.get("content-type") == "text/html; charset=utf-8", headers.get("content-type"))
    check("index has a Content-Security-Policy",
          "script-src 'self'" in headers.get("content-security-policy", ""), repr(headers))
    check("index has nosniff", headers.get("x-content-type-options") == "nosniff")
    check("index is revalidated", headers.get("cache-control") == "no-cache", headers.get("cache-control"))
    etag = headers.get("etag", "")
    status, headers, body = request(port, "GET", "/", headers={"If-None-Match": etag})
    check("If-None-Match: 304", status == 304 and body == b"", f"{status} {etag}")
    status, headers, body = request(port, "HEAD", "/")
    check("HEAD /: no body", status == 200 and body == b"", str(status))
    status, headers, body = request(port, "GET", "/js/main.js")
    check("a module is JavaScript", status == 200 and
          headers.get("content-type") == "text/javascript; charset=utf-8", f"{status} {headers.get('content-type')}")
    for path in ("/nowhere", "/js/", "/js", "/.gitignore"):
        status, headers, body = request(port, "GET", path)
        check(f"{path}: HTML 404 page", status == 404 and headers.get("content-type") == "text/html; charset=utf-8"
              and b"<html" in body, f"{status} {headers.get('content-type')}")
    # issue 11: only the pages' own files; npm's files beside them are 404.
    web_root = os.path.join(os.path.dirname(__file__), "..", "..", "web")
    hidden = ["/package.json", "/package-lock.json", "/node_modules/echarts/package.json",
              "/node_modules/.package-lock.json", "/node_modules/echarts/dist/echarts.esm.min.mjs"]
    for path in hidden:
        if not os.path.isfile(os.path.join(web_root, path.lstrip("/"))):
            continue  # node_modules/ is there only once scripts/web-assets.sh ran
        status, headers, body = request(port, "GET", path)
        check(f"issue 11: {path} is 404", status == 404 and b"<html" in body, f"{status} {body[:80]!r}")
    status, _, _ = request(port, "GET", "/package.json")
    check("issue 11: package.json (in git) is 404", status == 404, str(status))
    for path in ("/favicon.svg", "/404.html", "/css/app.css"):
        status, _, _ = request(port, "GET", path)
        check(f"issue 11: {path} still served", status == 200, str(status))
    if os.path.isfile(os.path.join(web_root, "vendor", "echarts.esm.min.mjs")):
        status, headers, _ = request(port, "HEAD", "/vendor/echarts.esm.min.mjs")
        check("issue 11: the pages' ECharts copy is served", status == 200
              and headers.get("content-type") == "text/javascript; charset=utf-8", str(status))
    status, headers, body = request(port, "POST", "/index.html", body=b"{}",
                                    headers={"Content-Type": "application/json"})
    check_error_body("POST a page", status, headers, body, 405, "method_not_allowed")
    check("a page allows GET, HEAD", headers.get("allow") == "GET, HEAD", repr(headers.get("allow")))
    status, headers, body = request(port, "GET", "/api/v1")
    check_error_body("/api/v1 stays the API's", status, headers, body, 404, "not_found")
    status, headers, body = request(port, "GET", "/metrics/x")
    check_error_body("/metrics/x stays the API's", status, headers, body, 404, "not_found")


def login(port, username, password):
    status, headers, body = request(port, "POST", "/api/v1/login",
                                    body=json.dumps({"username": username, "password": password}).encode(),
                                    headers={"Content-Type": "application/json"}, token=None)
    return status, headers, body


def login_token(port, username, password=DEMO_PASSWORD):
    status, headers, body = login(port, username, password)
    check(f"login {username}", status == 200, f"{status} {body[:200]!r}")
    return json.loads(body)["token"] if status == 200 else "0" * 64


def post_json(port, path, raw, token=None, content_type="application/json"):
    headers = {"Content-Type": content_type} if content_type else {}
    return request(port, "POST", path, body=raw, headers=headers, token=token)


def check_unauthorized(name, status, headers, body):
    check_error_body(name, status, headers, body, 401, "unauthorized")
    check(f"{name}: WWW-Authenticate", headers.get("www-authenticate") == "Bearer", repr(headers))


def test_login(port):
    """Logs the analyst in (the default token of test_routes) and checks the answer."""
    status, headers, body = login(port, "analyst1", DEMO_PASSWORD)
    check("login 200", status == 200, f"{status} {body[:200]!r}")
    answer = json.loads(body)
    check("login answer", set(answer) == {"token", "username", "role", "unit", "expires_at", "must_change_password"}
          and answer["must_change_password"] is False
          and answer["username"] == "analyst1" and answer["role"] == "analyst" and answer["unit"] is None
          and re.fullmatch(r"[0-9a-f]{64}", answer["token"]) is not None, repr(answer))
    check("login expires_at ISO 8601", re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d",
                                                    answer.get("expires_at") or "") is not None)
    cookie = headers.get("set-cookie", "")
    parts = [part.strip() for part in cookie.split(";")]
    check("cookie carries the token", parts and parts[0] == f"hotline_session={answer['token']}", cookie)
    check("cookie attributes", {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(parts), cookie)
    session["token"] = answer["token"]


def test_authorization(binary, environment, port):
    # 401: no token, a forged one, a malformed header, a token in the wrong place.
    for path in (f"/api/v1/orders/{ORDER}", f"/api/v1/orders/{ORDER}/events", "/api/v1/reports/2024-02"):
        status, headers, body = request(port, "GET", path, token=None)
        check_unauthorized(f"no token {path}", status, headers, body)
    status, headers, body = request(port, "GET", f"/api/v1/orders/{ORDER}", token="f" * 64)
    check_unauthorized("forged token", status, headers, body)
    status, headers, body = request(port, "GET", f"/api/v1/orders/{ORDER}", token="' OR 1=1 --")
    check_unauthorized("SQL in token", status, headers, body)
    status, headers, body = request(port, "GET", f"/api/v1/orders/{ORDER}",
                                    headers={"Authorization": "Basic YWRtaW46aG90bGluZS1kZW1v"}, token=None)
    check_unauthorized("Basic auth", status, headers, body)
    status, headers, body = request(port, "GET", f"/api/v1/orders/{ORDER}?token={session['token']}", token=None)
    check_unauthorized("token in the query", status, headers, body)
    status, headers, body = request(port, "POST", "/api/v1/logout", token=None)
    check_unauthorized("logout without a session", status, headers, body)
    # /healthz and /metrics stay open.
    status, _, _ = request(port, "GET", "/healthz", token=None)
    check("healthz open", status == 200)
    status, _, _ = request(port, "GET", "/metrics", token=None)
    check("metrics open", status == 200)

    # A wrong password: 401, nothing learnt.
    status, headers, body = login(port, "agent1", "not the password")
    check_unauthorized("wrong password", status, headers, body)
    check("no cookie on failure", "set-cookie" not in headers)
    status, headers, body = login(port, "no-such-user", "not the password")
    check_unauthorized("unknown user", status, headers, body)

    tokens = {"analyst1": session["token"]}
    for username in ("agent1", "dispatcher1", "supervisor1", "admin", "auditor", "h-xiaodian", "h-yingze"):
        tokens[username] = login_token(port, username)
    # surveyor1's password is set with `hotline passwd` (read from standard input).
    completed = subprocess.run([binary, "passwd", "surveyor1"], env=environment, input=b"surveyor-secret-9\n",
                               capture_output=True, timeout=60)
    check("hotline passwd", completed.returncode == 0 and "surveyor1" in completed.stdout.decode(),
          completed.stderr.decode(errors="replace"))
    status, headers, body = login(port, "surveyor1", DEMO_PASSWORD)
    check("old password refused after passwd", status == 401, str(status))
    tokens["surveyor1"] = login_token(port, "surveyor1", "surveyor-secret-9")

    # An open order of xiaodian, co-handled by yingze, and a citizen's phone.
    phone = "13900001111"
    number = run_cli(binary, environment, "register", "--as", "agent1", "--type", "help", "--title", "路灯不亮",
                     "--content", "长治路路灯不亮", "--phone", phone, "--name", "张三").strip()
    run_cli(binary, environment, "dispatch", number, "--as", "dispatcher1", "--unit", "xiaodian", "--co", "yingze")

    def get(path, username):
        return request(port, "GET", path, token=tokens[username])

    everyone = ("agent1", "dispatcher1", "supervisor1", "surveyor1", "analyst1", "admin", "h-xiaodian", "h-yingze")
    # The surveyed order of xiaodian: everyone but another unit's handler.
    for username in everyone:
        expected = 404 if username == "h-yingze" else 200
        for suffix in ("", "/events"):
            status, headers, body = get(f"/api/v1/orders/{ORDER}{suffix}", username)
            check(f"{username} reads {ORDER}{suffix}: {expected}", status == expected, f"{status} {body[:120]!r}")
    # The surveyor dials the citizen back: the completed order's full number, as an agent sees it.
    _, _, agent_body = get(f"/api/v1/orders/{ORDER}", "agent1")
    _, _, surveyor_body = get(f"/api/v1/orders/{ORDER}", "surveyor1")
    _, _, analyst_body = get(f"/api/v1/orders/{ORDER}", "analyst1")
    agent_phone = json.loads(agent_body).get("citizen_phone", "")
    check("surveyor1 sees the full phone of a completed order",
          "*" not in agent_phone and json.loads(surveyor_body).get("citizen_phone") == agent_phone,
          repr(json.loads(surveyor_body).get("citizen_phone")))
    check("analyst1 sees it masked", "****" in json.loads(analyst_body).get("citizen_phone", ""),
          repr(json.loads(analyst_body).get("citizen_phone")))
    # The open order: not the surveyor; both units' handlers.
    for username in everyone:
        expected = 404 if username == "surveyor1" else 200
        for suffix in ("", "/events"):
            status, headers, body = get(f"/api/v1/orders/{number}{suffix}", username)
            check(f"{username} reads the open order{suffix}: {expected}", status == expected,
                  f"{status} {body[:120]!r}")
        if expected == 200:
            status, headers, body = get(f"/api/v1/orders/{number}", username)
            order = json.loads(body)
            full = username in ("agent1", "dispatcher1", "supervisor1")
            check(f"{username}: phone {'full' if full else 'masked'}",
                  order.get("citizen_phone") == (phone if full else "139****1111"), repr(order.get("citizen_phone")))
            check(f"{username}: name {'full' if full else 'masked'}",
                  order.get("citizen_name") == ("张三" if full else "张**"), repr(order.get("citizen_name")))
            if not full:
                check(f"{username}: full phone nowhere", phone.encode() not in body)
    # A forbidden order looks exactly like an absent one.
    status, _, forbidden = get(f"/api/v1/orders/{ORDER}", "h-yingze")
    status, _, absent = get("/api/v1/orders/20240201999999", "h-yingze")
    check("forbidden = absent", forbidden.replace(ORDER.encode(), b"N") == absent.replace(b"20240201999999", b"N"),
          f"{forbidden!r} vs {absent!r}")
    # Guessing numbers: a handler reads exactly its unit's orders (lead or co-handling).
    for sequence in range(1, 41):
        guess = f"20240201{sequence:06d}"
        status, _, body = get(f"/api/v1/orders/{guess}", "admin")
        if status != 200:
            continue
        order = json.loads(body)
        own = order["lead_unit"] == "yingze" or "yingze" in order["co_units"]
        for suffix in ("", "/events"):
            status, _, _ = get(f"/api/v1/orders/{guess}{suffix}", "h-yingze")
            check(f"h-yingze guesses {guess}{suffix}", status == (200 if own else 404), str(status))
    # Reports: analysts, supervisors, admins and dispatchers.
    for username in everyone:
        expected = 200 if username in ("analyst1", "supervisor1", "admin", "dispatcher1") else 403
        status, headers, body = get("/api/v1/reports/2024-02?format=csv", username)
        check(f"{username} reads the bulletin: {expected}", status == expected, f"{status} {body[:120]!r}")
        if expected == 403:
            check_error_body(f"{username} bulletin refused", status, headers, body, 403, "forbidden")
    # The cookie works as well as the Bearer header.
    status, _, _ = request(port, "GET", f"/api/v1/orders/{ORDER}", headers={"Cookie": f"hotline_session={tokens['admin']}"},
                           token=None)
    check("cookie authenticates", status == 200, str(status))
    status, _, body = request(port, "GET", "/metrics", token=None)
    check("metrics hold no phone", phone.encode() not in body)

    # Hostile bodies on login (none of them counts as a failed login).
    hostile = [
        ("wrong content type", b'{"username":"agent1","password":"x"}', "text/plain", 415),
        ("no content type", b'{"username":"agent1","password":"x"}', None, 415),
        ("form body", b"username=agent1&password=x", "application/x-www-form-urlencoded", 415),
        ("duplicate keys", b'{"username":"agent1","username":"admin","password":"x"}', "application/json", 400),
        ("deeply nested", b'{"username":' + b"[" * 100000 + b"]" * 100000 + b',"password":"x"}',
         "application/json", 400),
        ("nested array", b"[" * 5000 + b"]" * 5000, "application/json", 400),
        ("invalid UTF-8", b'{"username":"agent\xff","password":"x"}', "application/json", 400),
        ("NUL in a string", b'{"username":"agent1\\u0000","password":"x"}', "application/json", 400),
        ("wrong type", b'{"username":1,"password":"x"}', "application/json", 400),
        ("null value", b'{"username":"agent1","password":null}', "application/json", 400),
        ("missing field", b'{"username":"agent1"}', "application/json", 400),
        ("unknown field", b'{"username":"agent1","password":"x","role":"admin"}', "application/json", 400),
        ("not an object", b'"agent1"', "application/json", 400),
        ("trailing data", b'{"username":"agent1","password":"x"} {}', "application/json", 400),
        ("empty body", b"", "application/json", 400),
        ("truncated", b'{"username":"agent1","pass', "application/json", 400),
    ]
    for name, raw, content_type, expected in hostile:
        status, headers, body = post_json(port, "/api/v1/login", raw, content_type=content_type)
        check_error_body(f"login, {name}", status, headers, body, expected,
                         "unsupported_media_type" if expected == 415 else "invalid")
    status, headers, body = request(port, "GET", "/api/v1/login", token=None)
    check_error_body("GET login", status, headers, body, 405, "method_not_allowed")
    check("login Allow: POST", headers.get("allow") == "POST")

    # Password change: wrong old, short new, hostile body, then right.
    yingze = tokens["h-yingze"]
    status, headers, body = post_json(port, "/api/v1/password", b'{"old":"nope-nope","new":"brand-new-pass"}',
                                      token=yingze)
    check_error_body("password: wrong old", status, headers, body, 403, "forbidden")
    status, headers, body = post_json(port, "/api/v1/password",
                                      json.dumps({"old": DEMO_PASSWORD, "new": "short"}).encode(), token=yingze)
    check_error_body("password: short new", status, headers, body, 400, "invalid")
    status, headers, body = post_json(port, "/api/v1/password", b'{"old":"a","old":"b","new":"c"}', token=yingze)
    check_error_body("password: duplicate keys", status, headers, body, 400, "invalid")
    status, headers, body = post_json(port, "/api/v1/password", b'{"old":"a","new":"c"}', token=None)
    check_unauthorized("password without a session", status, headers, body)
    status, headers, body = post_json(port, "/api/v1/password",
                                      json.dumps({"old": DEMO_PASSWORD, "new": "brand-new-pass"}).encode(),
                                      token=yingze)
    check("password changed", status == 200 and json.loads(body) == {"status": "changed"}, f"{status} {body!r}")
    status, _, _ = get(f"/api/v1/orders/{number}", "h-yingze")
    check("the changing session stays", status == 200, str(status))
    status, _, _ = login(port, "h-yingze", DEMO_PASSWORD)
    check("old password refused after the change", status == 401, str(status))

    # Logout (by cookie) revokes the session; the token is then refused.
    token = login_token(port, "h-yingze", "brand-new-pass")
    test_cookie_writes(port, token)
    status, headers, body = request(port, "POST", "/api/v1/logout", headers={"Cookie": f"hotline_session={token}",
                                                                             "Content-Type": "application/json",
                                                                             "Origin": f"http://{HOST}:{port}"},
                                    token=None)
    check("logout 200", status == 200, f"{status} {body!r}")
    check("logout clears the cookie", "Max-Age=0" in headers.get("set-cookie", ""), repr(headers.get("set-cookie")))
    status, headers, body = request(port, "GET", f"/api/v1/orders/{number}", token=token)
    check_unauthorized("revoked token", status, headers, body)
    status, headers, body = request(port, "POST", "/api/v1/logout", token=token)
    check_unauthorized("logout twice", status, headers, body)

    # Too many failures for one account: 429, even with the right password.
    for attempt in range(5):
        status, _, _ = login(port, "agent2", f"guess-{attempt}")
        check(f"agent2 failure {attempt + 1}: 401", status == 401, str(status))
    status, headers, body = login(port, "agent2", DEMO_PASSWORD)
    check_error_body("too many attempts", status, headers, body, 429, "too_many_requests")
    check("429 has Retry-After", (headers.get("retry-after") or "").isdigit(), repr(headers.get("retry-after")))
    # ... while other accounts from the same address still log in.
    status, _, _ = get(f"/api/v1/orders/{ORDER}", "agent1")
    check("others unaffected", status == 200, str(status))
    return tokens


def test_cookie_writes(port, token):
    """issue 11: a write authenticated by the session cookie must be JSON and,
    with an Origin header, come from this server's origin; a Bearer token's
    writes are not concerned. Every refusal leaves the session alive."""
    cookie = {"Cookie": f"hotline_session={token}"}
    refused = (("a form POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1", "content-type"),
               ("a text/plain POST", {"Content-Type": "text/plain"}, b"{}", "content-type"),
               ("no Content-Type", {}, None, "content-type"),
               ("a foreign Origin", {"Content-Type": "application/json", "Origin": "http://evil.example"},
                b"{}", "origin"),
               ("another port", {"Content-Type": "application/json", "Origin": f"http://{HOST}:{port + 1}"},
                b"{}", "origin"),
               ("Origin null", {"Content-Type": "application/json", "Origin": "null"}, b"{}", "origin"))
    for name, headers, body, field in refused:
        status, headers_out, answer = request(port, "POST", "/api/v1/logout", body=body,
                                              headers={**cookie, **headers}, token=None)
        check_error_body(f"issue 11: cookie logout by {name}", status, headers_out, answer, 403, "forbidden")
        if status == 403:
            check(f"issue 11: cookie logout by {name}: field", json.loads(answer)["error"]["field"] == field,
                  answer[:200])
        status, _, _ = request(port, "GET", "/api/v1/me", token=token)
        check(f"issue 11: the session survives {name}", status == 200, str(status))
    # Another write than logout: a cross-site password change is refused too.
    status, headers_out, answer = request(port, "POST", "/api/v1/password",
                                          body=json.dumps({"old": "x", "new": "y" * 12}).encode(),
                                          headers={**cookie, "Content-Type": "application/json",
                                                   "Origin": "https://evil.example"}, token=None)
    check_error_body("issue 11: cross-site password change", status, headers_out, answer, 403, "forbidden")
    # Reads by cookie are not concerned, with any Origin.
    status, _, _ = request(port, "GET", "/api/v1/me", headers={**cookie, "Origin": "http://evil.example"},
                           token=None)
    check("issue 11: a cookie read with a foreign Origin", status == 200, str(status))
    # A Bearer token's write is not concerned: a program sends what it likes.
    other = login_token(port, "h-yingze", "brand-new-pass")
    status, _, answer = request(port, "POST", "/api/v1/logout", body=b"a=1",
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Origin": "http://evil.example"}, token=other)
    check("issue 11: a Bearer logout as a form from anywhere", status == 200, f"{status} {answer[:200]!r}")


def order_count(port):
    """The number of orders in the store, from /metrics' per-state gauges."""
    _, _, body = request(port, "GET", "/metrics", token=None)
    return sum(int(value) for value in re.findall(r'^hotline_orders\{state="[a-z_]+"\} (\d+)$', body.decode(), re.M))


def act(port, number, action, fields, token, version, content_type="application/json", raw=None):
    headers = {"Content-Type": content_type} if content_type else {}
    if version is not None:
        headers["If-Match"] = version if isinstance(version, str) else f'"{version}"'
    body = raw if raw is not None else json.dumps(fields).encode()
    return request(port, "POST", f"/api/v1/orders/{number}/actions/{action}", body=body, headers=headers,
                   token=token)


def register(port, fields, token, raw=None, content_type="application/json"):
    body = raw if raw is not None else json.dumps(fields).encode()
    return post_json(port, "/api/v1/orders", body, token=token, content_type=content_type)


def test_writes(binary, environment, port, tokens):
    """Registration and lifecycle actions: status codes, If-Match, refusals, hostile bodies."""
    # An hour ago, in the server's zone: the API takes a received time at
    # most 7 days back (issue 11, finding 7; run_api_test.py checks it).
    received = (datetime.now(timezone(timedelta(hours=8))) - timedelta(hours=1)).replace(microsecond=0).isoformat()
    new_order = {"channel": "web", "type": "complaint", "title": "噪音扰民", "content": "夜间施工噪音\n持续到凌晨",
                 "category": "", "citizen_name": "李四", "citizen_phone": "13800005678",
                 "address": "迎泽大街 1 号", "latitude": 37.86, "longitude": 112.55,
                 "received_at": received}
    before = order_count(port)
    status, headers, body = register(port, new_order, tokens["agent1"])
    check("register 201", status == 201, f"{status} {body[:300]!r}")
    created = json.loads(body) if status == 201 else {}
    number = created.get("number", "")
    check("register Location", headers.get("location") == f"/api/v1/orders/{number}", repr(headers.get("location")))
    check("register ETag", headers.get("etag") == '"1"' and created.get("version") == 1, repr(headers.get("etag")))
    check("registered fields", created.get("state") == "new" and created.get("channel") == "web"
          and created.get("registered_by") == "agent1" and created.get("citizen_phone") == "13800005678"
          and created.get("content") == new_order["content"] and created.get("location") is not None
          and created.get("received_at") == received, repr(created))
    check("one order more", order_count(port) == before + 1)
    status, headers, body = request(port, "GET", f"/api/v1/orders/{number}", token=tokens["agent1"])
    check("GET sends the ETag", status == 200 and headers.get("etag") == '"1"', repr(headers.get("etag")))
    status, headers, _ = request(port, "GET", f"/api/v1/orders/{ORDER}", token=tokens["agent1"])
    check("GET ETag is the version", headers.get("etag") == '"6"', repr(headers.get("etag")))

    status, headers, body = register(port, new_order, tokens["analyst1"])
    check_error_body("register as analyst", status, headers, body, 403, "forbidden")
    bad_fields = [
        ("missing title", {key: value for key, value in new_order.items() if key != "title"}, "title"),
        ("empty title", dict(new_order, title="  "), "title"),
        ("title too long", dict(new_order, title="长" * 101), "title"),
        ("title with a control character", dict(new_order, title="a\x07b"), "title"),
        ("unknown type", dict(new_order, type="bogus"), "type"),
        ("unknown channel", dict(new_order, channel="fax"), "channel"),
        ("latitude as a string", dict(new_order, latitude="37.8"), "latitude"),
        ("latitude out of range", dict(new_order, latitude=91.0), "latitude"),
        ("latitude alone", {key: value for key, value in new_order.items() if key != "longitude"}, "longitude"),
        ("bad received_at", dict(new_order, received_at="yesterday"), "received_at"),
        ("received_at in the future", dict(new_order, received_at="2999-01-01T00:00:00+08:00"), "received_at"),
        ("bad phone", dict(new_order, citizen_phone="call me"), "citizen_phone"),
        ("unknown category", dict(new_order, category="no-such-category"), "category"),
        ("title as a number", dict(new_order, title=5), "title"),
        ("null title", dict(new_order, title=None), "title"),
    ]
    for name, fields, field in bad_fields:
        status, headers, body = register(port, fields, tokens["agent1"])
        check_error_body(f"register, {name}", status, headers, body, 400, "invalid")
        if status == 400:
            check(f"register, {name}: field {field}", json.loads(body)["error"]["field"] == field, repr(body))
    status, headers, body = register(port, new_order, tokens["agent1"], content_type="text/plain")
    check_error_body("register, text/plain", status, headers, body, 415, "unsupported_media_type")
    status, headers, body = register(port, new_order, None)
    check_unauthorized("register without a session", status, headers, body)
    check("refused registrations add nothing", order_count(port) == before + 1)
    status, headers, body = request(port, "DELETE", "/api/v1/orders", token=tokens["agent1"])
    check_error_body("DELETE /api/v1/orders", status, headers, body, 405, "method_not_allowed")
    check("DELETE /api/v1/orders: Allow lists the list and the registration",
          headers.get("allow") == "GET, HEAD, POST", repr(headers.get("allow")))

    # Dispatch as the dispatcher, with the version read.
    status, headers, body = act(port, number, "dispatch", {"unit": "xiaodian", "co_units": "yingze",
                                                           "note": "请尽快处理"}, tokens["agent1"], 1)
    check_error_body("agent1 dispatches", status, headers, body, 403, "forbidden")
    status, headers, body = act(port, number, "dispatch", {"unit": "xiaodian"}, tokens["dispatcher1"], None)
    check_error_body("dispatch without If-Match", status, headers, body, 428, "precondition_required")
    for tag in ('W/"1"', "*", "1", '"1", "2"', '"abc"', '"0"'):
        status, headers, body = act(port, number, "dispatch", {"unit": "xiaodian"}, tokens["dispatcher1"], tag)
        check_error_body(f"If-Match {tag}", status, headers, body, 400, "invalid")
    status, headers, body = act(port, number, "dispatch", {"unit": "no-such-unit"}, tokens["dispatcher1"], 1)
    check_error_body("dispatch to an unknown unit", status, headers, body, 400, "invalid")
    status, headers, body = act(port, number, "dispatch", {"unit": "xiaodian"}, tokens["dispatcher1"], 1)
    check("dispatch 200", status == 200, f"{status} {body[:300]!r}")
    dispatched = json.loads(body) if status == 200 else {}
    check("dispatch ETag", headers.get("etag") == '"2"' and dispatched.get("version") == 2, repr(headers.get("etag")))
    check("dispatched to xiaodian", dispatched.get("state") == "dispatched"
          and dispatched.get("lead_unit") == "xiaodian", repr(dispatched)[:300])
    status, headers, body = act(port, number, "dispatch", {"unit": "yingze"}, tokens["dispatcher1"], 1)
    check_error_body("stale If-Match", status, headers, body, 412, "precondition_failed")
    status, _, body = request(port, "GET", f"/api/v1/orders/{number}", token=tokens["dispatcher1"])
    check("unchanged after 412", json.loads(body).get("version") == 2 and json.loads(body).get("lead_unit") == "xiaodian")
    status, headers, body = act(port, number, "dispatch", {"unit": "yingze"}, tokens["dispatcher1"], 2)
    check_error_body("dispatch twice", status, headers, body, 409, "wrong_state")

    # Another unit's handler: 404 whatever the version, as an absent order.
    for version in (2, 1):
        status, headers, body = act(port, number, "sign", {}, tokens["h-yingze"], version)
        check_error_body(f"h-yingze signs (If-Match {version})", status, headers, body, 404, "not_found")
        foreign = body
    _, _, absent = act(port, "20240201999999", "sign", {}, tokens["h-yingze"], 2)
    check("foreign = absent", foreign.replace(number.encode(), b"N") == absent.replace(b"20240201999999", b"N"),
          f"{foreign!r} vs {absent!r}")
    status, headers, body = act(port, number, "complete", {"note": "done"}, tokens["h-xiaodian"], 2)
    check_error_body("complete before signing", status, headers, body, 409, "wrong_state")
    status, headers, body = act(port, number, "frobnicate", {}, tokens["h-xiaodian"], 2)
    check_error_body("unknown action", status, headers, body, 404, "not_found")
    status, headers, body = act(port, number, "register", {}, tokens["h-xiaodian"], 2)
    check_error_body("register as an action", status, headers, body, 404, "not_found")
    status, headers, body = request(port, "GET", f"/api/v1/orders/{number}/actions/sign", token=tokens["h-xiaodian"])
    check_error_body("GET an action", status, headers, body, 405, "method_not_allowed")
    check("action Allow: POST", headers.get("allow") == "POST")
    status, headers, body = act(port, number, "sign", {}, tokens["h-xiaodian"], 2)
    check("sign 200", status == 200 and headers.get("etag") == '"3"' and json.loads(body)["state"] == "signed",
          f"{status} {body[:200]!r}")

    # Hostile bodies: 400 and the order unchanged.
    hostile = [
        ("duplicate keys", b'{"note":"a","note":"b"}'),
        ("nested object", b'{"note":{"text":"a"}}'),
        ("deeply nested", b'{"note":' + b"[" * 100000 + b"]" * 100000 + b"}"),
        ("array body", b'[{"note":"a"}]'),
        ("note as a number", b'{"note":5}'),
        ("days as a string", b'{"note":"a","days":"3"}'),
        ("days as a fraction", b'{"note":"a","days":1.5}'),
        ("days huge", b'{"note":"a","days":99999999999}'),
        ("null note", b'{"note":null}'),
        ("invalid UTF-8", b'{"note":"\xff\xfe"}'),
        ("NUL in a string", b'{"note":"a\\u0000b"}'),
        ("unknown field", b'{"note":"a","state":"completed"}'),
        ("trailing data", b'{"note":"a"} {}'),
        ("empty body", b""),
        ("bad rating", b'{"note":"a","rating":"ecstatic"}'),
        ("bad into", b'{"note":"a","into":"1 OR 1=1"}'),
    ]
    for name, raw in hostile:
        status, headers, body = act(port, number, "handle", None, tokens["h-xiaodian"], 3, raw=raw)
        check_error_body(f"action, {name}", status, headers, body, 400, "invalid")
    status, headers, body = act(port, number, "handle", {"note": "a"}, tokens["h-xiaodian"], 3, content_type=None)
    check_error_body("action without a content type", status, headers, body, 415, "unsupported_media_type")
    status, _, body = request(port, "GET", f"/api/v1/orders/{number}/events", token=tokens["h-xiaodian"])
    check("hostile bodies changed nothing", [event["action"] for event in json.loads(body)["events"]]
          == ["register", "dispatch", "sign"], repr(body[:300]))

    # SQL metacharacters are stored as written.
    reply = "'); DROP TABLE orders; -- \"x\" \\ %_ 已处理"
    status, headers, body = act(port, number, "complete", {"note": reply}, tokens["h-xiaodian"], 3)
    check("complete 200", status == 200 and headers.get("etag") == '"4"', f"{status} {body[:300]!r}")
    check("reply stored verbatim", status == 200 and json.loads(body).get("reply") == reply, repr(body[:400]))
    status, _, body = request(port, "GET", f"/api/v1/orders/{number}/events", token=tokens["agent1"])
    events = json.loads(body)["events"]
    check("the event keeps the note verbatim", events[-1]["note"] == reply and events[-1]["actor"] == "h-xiaodian",
          repr(events[-1]))

    # The survey, by the surveyor, read back.
    status, headers, body = act(port, number, "survey", {"outcome": "reached", "rating": "satisfied",
                                                         "resolved": "yes", "note": "满意"}, tokens["surveyor1"], 4)
    check("survey 200", status == 200 and headers.get("etag") == '"5"', f"{status} {body[:300]!r}")
    status, headers, body = request(port, "GET", f"/api/v1/orders/{number}", token=tokens["surveyor1"])
    surveyed = json.loads(body)
    check("surveyed, read back", surveyed.get("state") == "surveyed" and surveyed["survey"]["rating"] == "satisfied"
          and surveyed["survey"]["resolved"] == "yes" and headers.get("etag") == '"5"', repr(surveyed.get("survey")))

    # Two clients, one version: exactly one wins.
    status, headers, body = register(port, new_order, tokens["dispatcher1"])
    check("dispatcher registers", status == 201, str(status))
    contested = json.loads(body)["number"] if status == 201 else ""
    outcomes = []

    def dispatch_to(unit):
        try:
            outcomes.append(act(port, contested, "dispatch", {"unit": unit}, tokens["dispatcher1"], 1)[0])
        except OSError as failure:
            outcomes.append(repr(failure))

    threads = [threading.Thread(target=dispatch_to, args=(unit,)) for unit in ("xiaodian", "yingze")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check("concurrent actions: one 200, one 412", sorted(outcomes, key=str) == [200, 412], repr(outcomes))
    status, _, body = request(port, "GET", f"/api/v1/orders/{contested}/events", token=tokens["dispatcher1"])
    check("one dispatch in the log", [event["action"] for event in json.loads(body)["events"]]
          == ["register", "dispatch"], repr(body[:300]))


def test_gauges_after_writes(binary, environment, port):
    """/metrics' per-state gauges equal the store's real counts once writes have changed them."""
    _, _, body = request(port, "GET", "/metrics", token=None)
    gauges = dict(re.findall(r'^hotline_orders\{state="([a-z_]+)"\} (\d+)$', body.decode(), re.M))
    check("gauges after the writes: every state", len(gauges) >= 10, repr(gauges))
    for state, value in sorted(gauges.items()):
        listing = run_cli(binary, environment, "list", "--state", state, "--limit", "1000000")
        counted = re.findall(r"(\d+)", listing.strip().splitlines()[-1])
        check(f"gauge {state} after the writes = the store's count", counted and counted[-1] == value,
              f"gauge {value}, list {counted}")


def audit_reads(port, tokens, query=""):
    """The audit administrator's view of the audit: (status, document)."""
    status, _, body = request(port, "GET", f"/api/v1/audit/phone-reads{query}", token=tokens["auditor"])
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body[:300]}


def test_personal_data(binary, environment, port, tokens):
    """A caller's earlier orders, and the audit of full phone-number reads."""
    # One caller, three ways of writing the number; another caller between.
    numbers = []
    for received, phone, unit in (("2024-03-01 09:00", "+86 137-0000-2222", "xiaodian"),
                                  ("2024-03-01 10:00", "13700001111", "xiaodian"),
                                  ("2024-03-02 09:00", "0086 137 0000 2222", "yingze"),
                                  ("2024-03-03 09:00", "13700002222", "xiaodian")):
        number = run_cli(binary, environment, "register", "--as", "agent1", "--type", "complaint", "--title", "噪音",
                         "--content", "夜间施工", "--phone", phone, "--received", received).strip()
        run_cli(binary, environment, "dispatch", number, "--as", "dispatcher1", "--unit", unit)
        numbers.append(number)
    first, other_caller, second, latest = numbers

    def earlier(number, username, query=""):
        status, headers, body = request(port, "GET", f"/api/v1/orders/{number}/earlier{query}",
                                        token=tokens[username])
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"raw": body[:300]}

    status, document = earlier(latest, "agent1")
    listed = [order.get("number") for order in document.get("orders", [])]
    check("earlier: 200, newest first, the same caller only", status == 200 and listed == [second, first]
          and document.get("number") == latest, f"{status} {listed} {document.get('raw')!r}")
    check("earlier: full numbers for an agent, as written",
          [order.get("citizen_phone") for order in document.get("orders", [])]
          == ["0086 137 0000 2222", "+86 137-0000-2222"], repr(document)[:300])
    status, document = earlier(latest, "agent1", "?limit=1")
    check("earlier: limit", status == 200 and [o.get("number") for o in document.get("orders", [])] == [second],
          repr(document)[:300])
    status, document = earlier(latest, "analyst1")
    phones = [order.get("citizen_phone") for order in document.get("orders", [])]
    check("earlier: masked for an analyst", status == 200 and len(phones) == 2
          and all("****" in phone for phone in phones), repr(phones))
    check("earlier: no full number for an analyst", b"0000 2222" not in json.dumps(document).encode())
    # A handler sees its unit's orders only: the other unit's is left out.
    status, document = earlier(latest, "h-xiaodian")
    check("earlier: another unit's order left out",
          status == 200 and [o.get("number") for o in document.get("orders", [])] == [first], repr(document)[:300])
    status, document = earlier(latest, "h-yingze")
    check("earlier: an order the user may not read is 404", status == 404, f"{status} {document!r}"[:300])
    status, document = earlier(first, "agent1")
    check("earlier: the first call has none", status == 200 and document.get("orders") == [], repr(document)[:200])
    for query, field in (("?limit=0", "limit"), ("?limit=101", "limit"), ("?limit=x", "limit")):
        status, headers, body = request(port, "GET", f"/api/v1/orders/{latest}/earlier{query}",
                                        token=tokens["agent1"])
        check_error_body(f"earlier {query}", status, headers, body, 400, "invalid")
        check(f"earlier {query}: field", json.loads(body)["error"]["field"] == field, body[:200])
    status, headers, body = request(port, "GET", "/api/v1/orders/2024/earlier", token=tokens["agent1"])
    check_error_body("earlier of a malformed number", status, headers, body, 400, "invalid")
    status, headers, body = request(port, "POST", f"/api/v1/orders/{latest}/earlier", token=tokens["agent1"])
    check("earlier: POST is 405", status == 405 and "GET" in headers.get("allow", ""), f"{status} {headers!r}")

    # The audit: the audit administrator only (not the system administrator).
    for username in ("agent1", "supervisor1", "analyst1", "admin"):
        status, headers, body = request(port, "GET", "/api/v1/audit/phone-reads", token=tokens[username])
        check_error_body(f"audit for {username}", status, headers, body, 403, "forbidden")
    status, headers, body = request(port, "GET", "/api/v1/audit/phone-reads", token=None)
    check_unauthorized("audit without a session", status, headers, body)

    # The agent's earlier list above gave out full numbers: recorded.
    status, document = audit_reads(port, tokens, f"?order={second}&user=agent1")
    routes = [read.get("route") for read in document.get("reads", [])]
    check("audit: the earlier list's full numbers are recorded",
          status == 200 and "GET /api/v1/orders/{number}/earlier" in routes, f"{status} {document!r}"[:300])

    # A masked read by an analyst is not recorded; a full read by an agent is.
    status, before = audit_reads(port, tokens, f"?order={latest}")
    check("audit answer", status == 200 and set(before) == {"page", "per_page", "total", "reads"}
          and before.get("page") == 1 and before.get("per_page") == 50, repr(before)[:300])
    total = before.get("total", -1)
    status, _, body = request(port, "GET", f"/api/v1/orders/{latest}", token=tokens["analyst1"])
    check("analyst reads the order masked", status == 200 and "****" in json.loads(body).get("citizen_phone", ""))
    status, after = audit_reads(port, tokens, f"?order={latest}")
    check("audit: a masked read is not recorded", after.get("total") == total, f"{total} -> {after.get('total')}")
    status, _, body = request(port, "GET", f"/api/v1/orders/{latest}", token=tokens["agent1"])
    check("agent reads the order in full", status == 200 and json.loads(body).get("citizen_phone") == "13700002222")
    status, after = audit_reads(port, tokens, f"?order={latest}")
    reads = after.get("reads", [])
    check("audit: a full read is recorded at once", after.get("total") == total + 1 and reads
          and reads[0].get("actor") == "agent1" and reads[0].get("order") == latest
          and reads[0].get("route") == "GET /api/v1/orders/{number}"
          and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", reads[0].get("at") or ""),
          repr(after)[:400])
    # issue 11: a HEAD of the order is answered without a body, so no number
    # left the server and no read is recorded; a GET after it still is.
    status, headers, body = request(port, "HEAD", f"/api/v1/orders/{latest}", token=tokens["agent1"])
    check("issue 11: HEAD of an order: 200, no body", status == 200 and body == b"", f"{status} {body[:80]!r}")
    status, head_after = audit_reads(port, tokens, f"?order={latest}")
    check("issue 11: a HEAD of an order is not audited as a read", head_after.get("total") == total + 1,
          f"{total + 1} -> {head_after.get('total')}")
    status, headers, body = request(port, "HEAD", "/api/v1/orders?limit=5", token=tokens["agent1"])
    status, _, _ = request(port, "GET", f"/api/v1/orders/{latest}", token=tokens["agent1"])
    status, head_after = audit_reads(port, tokens, f"?order={latest}")
    check("issue 11: a GET after the HEAD is still audited", head_after.get("total") == total + 2,
          f"{total + 1} -> {head_after.get('total')}")
    listed = run_cli(binary, environment, "audit", "--order", latest, "--user", "agent1")
    check("issue 11: hotline audit lists the GETs only",
          listed.count("GET /api/v1/orders/{number}") == 2 and "HEAD" not in listed, listed)
    # Registrations and actions answered in full are recorded too (test_writes).
    status, document = audit_reads(port, tokens, "?user=agent1")
    routes = {read.get("route") for read in document.get("reads", [])}
    check("audit: the registration's answer is recorded", "POST /api/v1/orders" in routes, repr(routes))
    # Paging and bad parameters.
    status, page = audit_reads(port, tokens, "?page=1000000")
    check("audit: a page past the end is empty", status == 200 and page.get("reads") == []
          and page.get("total", 0) > 0, repr(page)[:200])
    for query, field in (("?page=0", "page"), ("?page=x", "page"), ("?order=12", "order"), ("?user=", "user")):
        status, headers, body = request(port, "GET", f"/api/v1/audit/phone-reads{query}", token=tokens["auditor"])
        check_error_body(f"audit {query}", status, headers, body, 400, "invalid")
        check(f"audit {query}: field", json.loads(body)["error"]["field"] == field, body[:200])
    # The command line reads the same table.
    listed = run_cli(binary, environment, "audit", "--order", latest, "--user", "agent1")
    check("hotline audit lists the server's read", "GET /api/v1/orders/{number}" in listed, listed)
    return latest


def metrics_from(host, port, headers=None):
    """GET /metrics at host:port: (status, headers, body)."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", "/metrics", headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def outside_address():
    """An IPv4 address of this machine that is not loopback, or None."""
    try:
        listed = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return next((address for address in listed if "." in address and not address.startswith("127.")), None)


def serve_briefly(binary, environment, directory, arguments, checks):
    """Starts `hotline serve` on 0.0.0.0 with extra arguments, calls
    checks(port), then stops it."""
    port = free_port()
    with open(os.path.join(directory, "metrics-server.log"), "wb") as log:
        process = subprocess.Popen([binary, "serve", "--listen", f"0.0.0.0:{port}"] + arguments,
                                   env=environment, stdout=subprocess.DEVNULL, stderr=log)
        try:
            if not wait_for_health(port, process):
                check(f"serve {' '.join(arguments)} starts", False,
                      open(os.path.join(directory, "metrics-server.log"), errors="replace").read()[-1000:])
                return
            checks(port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_metrics_access(binary, environment, directory):
    """issue 11: /metrics needs a login of its own. Without a metrics token
    only the loopback interface is answered; with --metrics-token-file the
    token is asked for as a Bearer token, from anywhere."""
    outside = outside_address()

    def without_token(port):
        status, _, body = metrics_from(HOST, port)
        check("issue 11: /metrics from loopback without a token configured", status == 200
              and b"hotline_orders" in body, str(status))
        if outside is None:
            print("no address but loopback: the refusal from outside is not checked")
            return
        status, headers, body = metrics_from(outside, port)
        check_error_body("issue 11: /metrics from outside without a token configured", status, headers, body,
                         403, "forbidden")
        check("issue 11: no figures given out", b"hotline_orders" not in body)

    serve_briefly(binary, environment, directory, [], without_token)

    token = "m" * 20 + "0123456789abcdef"
    token_file = os.path.join(directory, "metrics.token")
    with open(token_file, "w") as handle:
        handle.write(token + "\n")
    admin_token = []

    def with_token(port):
        for name, headers in (("no token", {}), ("a wrong token", {"Authorization": f"Bearer {token}x"}),
                              ("a prefix of it", {"Authorization": f"Bearer {token[:-1]}"}),
                              ("Basic", {"Authorization": f"Basic {token}"})):
            status, headers_out, body = metrics_from(HOST, port, headers)
            check_unauthorized(f"issue 11: /metrics with {name}", status, headers_out, body)
        status, _, body = metrics_from(HOST, port, {"Authorization": f"Bearer {token}"})
        check("issue 11: /metrics with the token", status == 200 and b"hotline_orders" in body, str(status))
        # An administrator's session is not the metrics token.
        status, _, body = request(port, "POST", "/api/v1/login",
                                  body=json.dumps({"username": "admin", "password": DEMO_PASSWORD}).encode(),
                                  headers={"Content-Type": "application/json"}, token=None)
        if status == 200:
            status, headers_out, body = metrics_from(HOST, port,
                                                     {"Authorization": f"Bearer {json.loads(body)['token']}"})
            check_unauthorized("issue 11: /metrics with a session token", status, headers_out, body)
        if outside is not None:
            status, _, body = metrics_from(outside, port, {"Authorization": f"Bearer {token}"})
            check("issue 11: /metrics from outside with the token", status == 200, str(status))

    serve_briefly(binary, environment, directory, ["--metrics-token-file", token_file], with_token)
    # A token file that holds too short a token is refused at the start.
    with open(token_file, "w") as handle:
        handle.write("short\n")
    refused = subprocess.run([binary, "serve", "--listen", f"{HOST}:{free_port()}", "--metrics-token-file",
                              token_file], env=environment, capture_output=True, timeout=60)
    check("issue 11: a short metrics token is refused", refused.returncode != 0
          and b"metrics" in refused.stderr, refused.stderr.decode(errors="replace")[-300:])


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hotline-http-") as directory:
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("HOTLINE_LANG", "HOTLINE_NOW", "HOTLINE_KEY_FILE")}
        use_demo_store(binary, environment, directory)  # a copy of the demo store (test_store.py)
        port = free_port()
        log_path = os.path.join(directory, "server.log")
        read_before_stop = None
        out_path = os.path.join(directory, "server.out")
        with open(log_path, "wb") as log, open(out_path, "wb") as out:
            process = subprocess.Popen([binary, "serve", "--listen", f"{HOST}:{port}"], env=environment,
                                       stdout=out, stderr=log)
            try:
                if not wait_for_health(port, process):
                    check("server starts and answers /healthz", False,
                          open(log_path, errors="replace").read()[-2000:])
                else:
                    test_login(port)
                    test_routes(binary, environment, port)
                    started_auth = time.monotonic()
                    tokens = test_authorization(binary, environment, port)
                    print(f"authorization checks took {time.monotonic() - started_auth:.1f} s")
                    started_writes = time.monotonic()
                    test_writes(binary, environment, port, tokens)
                    test_gauges_after_writes(binary, environment, port)
                    print(f"write checks took {time.monotonic() - started_writes:.1f} s")
                    read_before_stop = test_personal_data(binary, environment, port, tokens)
                    # A read just before the stop: the stop writes it.
                    status, _, _ = request(port, "GET", f"/api/v1/orders/{read_before_stop}",
                                           token=tokens["dispatcher1"])
                    check("a last full read before SIGTERM", status == 200)
                    process.send_signal(signal.SIGTERM)
                    try:
                        code = process.wait(timeout=5)
                        check("SIGTERM: exit 0 within 5 s", code == 0, f"exit {code}")
                    except subprocess.TimeoutExpired:
                        check("SIGTERM: exit 0 within 5 s", False, "still running")
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        # The read answered just before SIGTERM was recorded by the stop.
        if read_before_stop is not None:
            listed = run_cli(binary, environment, "audit", "--order", read_before_stop, "--user", "dispatcher1")
            check("the stop writes the queued reads", "GET /api/v1/orders/{number}" in listed, listed)
        test_metrics_access(binary, environment, directory)
        # Every acknowledged write is in the store and the log agrees with it.
        verified = subprocess.run([binary, "verify"], env=environment, capture_output=True, timeout=300)
        check("hotline verify after the writes: exit 0", verified.returncode == 0,
              (verified.stdout + verified.stderr).decode(errors="replace")[-500:])
        started = open(out_path, encoding="utf-8").read()
        check("start line", f"hotline 已启动：http://{HOST}:{port}/" in started, repr(started))
        log_lines = [line for line in open(log_path, encoding="utf-8", errors="replace").read().splitlines()
                     if line.strip()]
        parsed = []
        for line in log_lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                check("log line is JSON", False, line[:300])
        check("one log line per request", len(parsed) >= 30, str(len(parsed)))
        check("log lines have their fields",
              all({"method", "path", "status", "bytes", "us"} <= set(entry) for entry in parsed))
        check("log records a 404", any(entry.get("status") == 404 for entry in parsed))
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
