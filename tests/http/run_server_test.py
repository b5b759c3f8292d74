#!/usr/bin/env python3
"""run_server_test.py: integration test of `hotline serve` (issue 4, first slice).

Usage: python3 run_server_test.py PATH/TO/hotline

Builds the demo store with `hotline demo` in a temporary directory, starts
`hotline serve --listen 127.0.0.1:<free port>` as a real process, waits for
/healthz, and checks every route of the slice against the command line's
own answers: /healthz, /metrics (format and the store's counts), one order
as JSON (phone masked), its events, the February 2024 bulletin as JSON and
CSV, the error answers (404, 400, 405, 413, an oversized header, path
traversal, invalid UTF-8) and a clean exit on SIGTERM. Uses only the
standard library. Prints "N passed, M failed"; exits 1 on any failure.
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
import time

HOST = "127.0.0.1"
ORDER = "20240201000001"
STARTUP_SECONDS = 20  # under ASan the first connection is slower
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


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


def request(port, method, path, body=None, headers=None):
    """Returns (status, headers dict with lower-case names, body bytes)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
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
    status, headers, body = request(port, "GET", "/nowhere")
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
    check_error_body("path traversal", status, headers, body, 404, "not_found")
    check("no passwd content", b"root:" not in body)
    status, headers, body = request(port, "GET", "/api/v1/orders/..%2F..%2Fetc%2Fpasswd")
    check("encoded traversal refused", status in (400, 404) and b"root:" not in body, str(status))

    # Invalid UTF-8 in the path, raw and percent-encoded.
    status, headers, body = request(port, "GET", "/api/v1/orders/%FF%FE")
    check("invalid UTF-8 (encoded) 400/404", status in (400, 404), str(status))
    check("invalid UTF-8 (encoded) JSON", json.loads(body).get("error", {}).get("code") in ("invalid", "not_found"))
    status_line = raw_request(port, b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check("invalid UTF-8 (raw) 400/404", " 400 " in status_line or " 404 " in status_line, status_line)

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


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hotline-http-") as directory:
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("HOTLINE_LANG", "HOTLINE_NOW")}
        environment["HOTLINE_DB"] = os.path.join(directory, "demo.db")
        run_cli(binary, environment, "demo")
        port = free_port()
        log_path = os.path.join(directory, "server.log")
        out_path = os.path.join(directory, "server.out")
        with open(log_path, "wb") as log, open(out_path, "wb") as out:
            process = subprocess.Popen([binary, "serve", "--listen", f"{HOST}:{port}"], env=environment,
                                       stdout=out, stderr=log)
            try:
                if not wait_for_health(port, process):
                    check("server starts and answers /healthz", False,
                          open(log_path, errors="replace").read()[-2000:])
                else:
                    test_routes(binary, environment, port)
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
