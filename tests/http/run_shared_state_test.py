#!/usr/bin/env python3
"""run_shared_state_test.py: two `hotline serve` processes on one store behave as one.

Usage: run_shared_state_test.py HOTLINE_BINARY

Builds the demo store (a file in a temporary directory, or a fresh
PostgreSQL database in the _pg copy: tests/support/test_store.py), makes two Open311 keys
(`hotline apikey create`), starts two servers on the same store file (as
two servers behind a balancer share one database) and checks that what
must be shared is: failed logins made on either server count together and
lock the account out on both (429 with Retry-After, even with the right
password), and a login that succeeds on one clears the count for both; an
Open311 key's POST budget and read budget are one budget across the two
(its third POST a minute is refused on whichever server it reaches); a
session opened on one server is valid on the other, and a setting changed
through one (a limit) is in force on the other. The store verifies clean
afterwards.
"""

import json
import os
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_support import (DEMO_PASSWORD, Server, check, check_error, request, request_json,  # noqa: E402
                          run_cli, summary, use_demo_store)

ACCOUNT_FAILURES = 5  # HL_AUTH_ACCOUNT_FAILURES


def login(port, username, password):
    return request_json(port, "POST", "/api/v1/login", {"username": username, "password": password})


def test_lockout_is_shared(one, two):
    # Failures alternate between the servers; together they reach the limit.
    for attempt in range(ACCOUNT_FAILURES):
        port = (one, two)[attempt % 2]
        status, _, _ = login(port, "agent2", f"guess-{attempt}")
        check(f"agent2 failure {attempt + 1} on server {attempt % 2 + 1}: 401", status == 401, str(status))
    for name, port in (("one", one), ("two", two)):
        status, headers, body = request(port, "POST", "/api/v1/login",
                                        json.dumps({"username": "agent2", "password": DEMO_PASSWORD}),
                                        {"Content-Type": "application/json"})
        check_error(f"locked out on server {name}", status, headers, body, 429, "too_many_requests")
        retry = headers.get("retry-after", "")
        check(f"server {name}: Retry-After within the window", retry.isdigit() and 1 <= int(retry) <= 300,
              repr(retry))

    # Another account: four failures on server one, a login on server two
    # clears them, four more on server one do not lock it.
    for attempt in range(ACCOUNT_FAILURES - 1):
        check("agent1 failure on server one: 401", login(one, "agent1", f"guess-{attempt}")[0] == 401)
    status, _, answer = login(two, "agent1", DEMO_PASSWORD)
    check("agent1 logs in on server two", status == 200, f"{status} {answer}")
    for attempt in range(ACCOUNT_FAILURES - 1):
        check("agent1 failure on server one again: 401", login(one, "agent1", f"again-{attempt}")[0] == 401)
    status, _, answer = login(one, "agent1", DEMO_PASSWORD)
    check("agent1 not locked: the success cleared the count for both", status == 200, f"{status} {answer}")


def open311_post(port, key):
    pairs = [("service_code", "city"), ("description", "东风路与长风街口垃圾堆放三天无人清理"),
             ("lat", "37.8123"), ("long", "112.5456"), ("attribute[KIND]", "garbage"), ("api_key", key)]
    return request(port, "POST", "/open311/v2/requests.json", urllib.parse.urlencode(pairs),
                   {"Content-Type": "application/x-www-form-urlencoded"})


def test_budget_is_shared(one, two, keys):
    # The low key: two POSTs a minute, whichever server they reach.
    outcomes = [open311_post(port, keys["low"])[0] for port in (one, two, one, two)]
    check("low key: one POST on each server, then 429 on both", outcomes == [201, 201, 429, 429], repr(outcomes))
    status, headers, _ = open311_post(two, keys["low"])
    retry = headers.get("retry-after", "")
    check("the shared 429 has Retry-After", status == 429 and retry.isdigit() and 1 <= int(retry) <= 60,
          f"{status} {retry!r}")
    # The read key: rate 1, so ten reads a minute in all.
    statuses = [request((one, two)[index % 2], "GET", "/open311/v2/services.json",
                        headers={"Authorization": f"Bearer {keys['read']}"})[0] for index in range(11)]
    check("read key: ten reads across both servers, then 429", statuses == [200] * 10 + [429], repr(statuses))


def test_sessions_and_settings_are_shared(one, two):
    status, _, answer = login(one, "admin", DEMO_PASSWORD)
    check("admin logs in on server one", status == 200, f"{status} {answer}")
    token = answer["token"] if status == 200 else ""
    status, _, me = request_json(two, "GET", "/api/v1/me", token=token)
    check("the session is valid on server two", status == 200 and me and me.get("username") == "admin",
          f"{status} {me}")
    status, _, before = request_json(two, "GET", "/api/v1/config", token=token)
    days = before["limits"]["sign_days"] % 7 + 2 if status == 200 else 3  # another value, in 1..60
    status, _, answer = request_json(one, "PUT", "/api/v1/config/sign_days", {"value": str(days)}, token=token)
    check("a limit set through server one", status == 200, f"{status} {answer}")
    status, _, config = request_json(two, "GET", "/api/v1/config", token=token)
    check("server two has it in force", status == 200 and config["limits"]["sign_days"] == days,
          f"{status} {str(config)[:300]}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hotline-shared-") as directory:
        environment = {key: value for key, value in os.environ.items() if key not in ("HOTLINE_LANG", "HOTLINE_NOW")}
        use_demo_store(binary, environment, directory)  # a copy of the demo store (test_store.py)
        keys = {}
        for name, rate in (("low", "2"), ("read", "1")):
            keys[name] = run_cli(binary, environment, "apikey", "create", f"test {name}",
                                 "--rate", rate).splitlines()[-1]
        for name in ("one", "two"):
            os.mkdir(os.path.join(directory, name))
        with Server(binary, environment, os.path.join(directory, "one")) as one, \
                Server(binary, environment, os.path.join(directory, "two")) as two:
            test_lockout_is_shared(one.port, two.port)
            test_budget_is_shared(one.port, two.port, keys)
            test_sessions_and_settings_are_shared(one.port, two.port)
        verified = run_cli(binary, environment, "verify")
        check("hotline verify afterwards", verified is not None)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
