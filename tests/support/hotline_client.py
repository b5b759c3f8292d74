"""hotline_client.py: the HTTP helpers the multi-server scenarios share
(tests/scenario/two_servers.sh, balancer_kill.sh, failover.sh).
Standard library only. One HTTPConnection per Client, opened again after a
call failed on the socket: that call raised, and its caller decides whether
the request may have been done."""
import http.client
import json
import sys
import time

HOST = "127.0.0.1"


class Client:
    def __init__(self, port, timeout=15):
        self.port = port
        self.timeout = timeout
        self.connection = None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def call(self, method, path, token=None, body=None, if_match=None):
        """Returns (status, headers as a dict with lower-case names, body bytes);
        raises OSError or HTTPException when the server cannot be reached."""
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.close()  # the next call opens a fresh connection
            raise
        answer = {name.lower(): value for name, value in response.getheaders()}
        if answer.get("connection", "").lower() == "close":
            self.close()
        return response.status, answer, payload


def wait_healthy(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client = Client(port, timeout=2)
        try:
            status, _, _ = client.call("GET", "/healthz")
            if status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass
        finally:
            client.close()
        time.sleep(0.05)
    return False


def require_healthy(ports, seconds=30):
    """Waits for every port's /healthz (wait_healthy); ends the program,
    naming the first port that did not answer, when one did not."""
    for port in ports:
        if not wait_healthy(port, seconds):
            sys.exit(f"port {port} did not answer /healthz")


def login(port, users, password):
    tokens = {}
    client = Client(port, timeout=60)
    for user in users:
        status, _, body = client.call("POST", "/api/v1/login",
                                      body={"username": user, "password": password})
        if status != 200:
            raise SystemExit(f"login {user}: {status} {body[:200]!r}")
        tokens[user] = json.loads(body)["token"]
    client.close()
    return tokens
