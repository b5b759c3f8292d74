#!/usr/bin/env python3
"""run_api_test.py: integration test of the /api/v1 routes of issue 4 (the
lists, the directory, the settings, the reports' figures) against a real
`hotline serve` on 127.0.0.1.

Usage: /usr/bin/python3 run_api_test.py PATH/TO/hotline

Builds the demo store (Taiyuan, February 2024) in a temporary directory and
starts the server with the clock fixed at 2024-03-01T10:00:00+08:00
(HOTLINE_NOW), so that the demo's open orders are overdue or about to be.
The store itself is the oracle: the test reads it beside the server
(tests/support/test_store.py: Python's sqlite3, read-only, or psql in the
PostgreSQL copy) and computes what each answer must hold.

1. Shapes: every successful JSON answer of the authorization matrix below is
   validated against its schema in GET /api/v1/openapi.json.
2. The order list: every filter, each sort, paging (page 2 follows page 1,
   totals right), the language, against the store; the counts; the time
   left on each running deadline (working_days_left, counted here from the
   store's calendar; due_soon, as `hotline list --due-soon`); a unit
   handler's and a surveyor's scope, with guessed numbers and the filters.
3. The directory and the settings: units, categories, users (create,
   change, disable, reset a password, the last administrator), the
   calendar (a new holiday moves the deadlines every server thread
   computes), the limits; each refusal 400 naming the field, 404, 409.
4. The reports: the months, the workbook, the trend, orders by category.
5. The authorization matrix: every route of the OpenAPI document (a route
   without an entry here fails) for every role and without a session; full
   phone numbers given out by a list are in the audit of reads.
6. Hostile input on every route: tokens, paths, every query parameter,
   bodies; 4xx with the error body, and the store unchanged (a digest of
   every table but the sessions, before and after).
Prints "N passed, M failed"; exits 1 on any failure.
"""

import datetime
import hashlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_support import (DEMO_PASSWORD, Server, StoreSQL, check, check_error, error_body_ok, login, request,  # noqa: E402
                          request_declared_only, request_json, run_cli, summary, use_demo_store)

try:
    import jsonschema
except ImportError:  # Debian's python3-jsonschema; the brief's interpreter is /usr/bin/python3
    jsonschema = None

NOW_TEXT = "2024-03-01T10:00:00+08:00"
NOW = 1709258400  # NOW_TEXT as seconds since the epoch
# The three separated administrators (三员分立): the system administrator
# (the demo's "admin"), the security administrator and the audit one.
ROLES = ["agent", "dispatcher", "supervisor", "surveyor", "analyst", "sysadmin", "secadmin", "auditor", "handler"]
USERS = {"agent": "agent1", "dispatcher": "dispatcher1", "supervisor": "supervisor1", "surveyor": "surveyor1",
         "analyst": "analyst1", "sysadmin": "admin", "secadmin": "secadmin", "auditor": "auditor",
         "handler": "h-xiaodian"}
HANDLER_UNIT = "xiaodian"
OTHER_UNIT = "yingze"
FINISHED = ("completed", "surveyed", "archived")
STATES = ["new", "dispatched", "signed", "handling", "return_pending", "completed", "surveyed", "archived",
          "invalid", "merged"]


class Context:
    """What every section needs: the port, the store path, tokens by user."""

    def __init__(self, binary, environment, port, db_path):
        self.binary = binary
        self.environment = environment
        self.port = port
        self.db_path = db_path
        self.tokens = {}
        self.document = None

    def token(self, username):
        if username not in self.tokens:
            self.tokens[username] = login(self.port, username)
        return self.tokens[username]

    def get(self, path, username="supervisor1", headers=None):
        return request_json(self.port, "GET", path, token=self.token(username), headers=headers)

    def send(self, method, path, document, username, headers=None):
        return request_json(self.port, method, path, document, token=self.token(username), headers=headers)

    def db(self):
        """The oracle: SQL beside the server on either backend (read only on
        SQLite: query_only refuses any write it might attempt)."""
        return StoreSQL(self.db_path)

    def rows(self, sql, parameters=()):
        return self.db().rows(sql, parameters)


def number_of(order_id):
    return f"{order_id:014d}"


def day_start(text):
    """The instant a local day (YYYY-MM-DD, +08:00) begins."""
    zone = datetime.timezone(datetime.timedelta(hours=8))
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=zone).timestamp())


def instant(text):
    return int(datetime.datetime.fromisoformat(text).timestamp())


# ---------------------------------------------------------------------------
# The oracle: what a list holds, computed from the store with SQL.

def contains(text):
    """SQL true when the text expression holds the next parameter, on SQLite
    and PostgreSQL alike (neither instr nor position is common to both)."""
    return f"replace({text}, ?, '') <> {text}"


CO_UNIT = contains("(',' || co_units || ',')").replace("?", "(',' || ? || ',')")


def scope_condition(role):
    if role == "handler":
        return (f"(lead_unit = ? OR {CO_UNIT})",
                [HANDLER_UNIT, HANDLER_UNIT])
    if role == "surveyor":
        return "state IN ('completed', 'surveyed', 'archived')", []
    return "1 = 1", []


def oracle(context, role, filters, due_soon_ids=None):
    """The order numbers a list must hold, in order, for a role and filters
    (a dict of the query parameters)."""
    condition, parameters = scope_condition(role)
    conditions, values = [condition], list(parameters)
    if "state" in filters:
        names = filters["state"].split(",")
        conditions.append("state IN (%s)" % ",".join("?" * len(names)))
        values += names
    if "unit" in filters:
        conditions.append("lead_unit = ?")
        values.append(filters["unit"])
    if "co_unit" in filters:
        conditions.append(CO_UNIT)
        values.append(filters["co_unit"])
    if "category" in filters:
        conditions.append("category = ?")
        values.append(filters["category"])
    if "q" in filters:
        conditions.append(f"({contains('title')} OR {contains('content')})")
        values += [filters["q"].strip(), filters["q"].strip()]
    if filters.get("overdue") == "1":
        conditions.append("due_at > 0 AND due_at < ?")
        values.append(NOW)
    if "received_from" in filters:
        conditions.append("received_at >= ?")
        values.append(day_start(filters["received_from"]))
    if "received_to" in filters:
        conditions.append("received_at < ?")
        values.append(day_start(filters["received_to"]) + 86400)
    rows = context.rows("SELECT id, received_at, due_at FROM orders WHERE " + " AND ".join(conditions), values)
    if filters.get("due_soon") == "1":
        rows = [row for row in rows if row[0] in due_soon_ids]
    sort = filters.get("sort", "-received")
    if sort == "received":
        rows.sort(key=lambda row: (row[1], row[0]))
    elif sort == "-received":
        rows.sort(key=lambda row: (-row[1], -row[0]))
    else:
        running = [row for row in rows if row[2] > 0]
        rest = [row for row in rows if row[2] <= 0]
        running.sort(key=lambda row: (row[2], row[0]), reverse=sort == "-deadline")
        rest.sort(key=lambda row: (-row[1], -row[0]))
        rows = running + rest
    return [number_of(row[0]) for row in rows]


def cli_numbers(context, *args):
    """The order numbers `hotline list` prints (the command line's own filter)."""
    listing = run_cli(context.binary, context.environment, "list", "--limit", "1000000", *args)
    return {int(line.split()[0]) for line in listing.splitlines() if re.match(r"^\d{14}\s", line)}


def local_day(seconds):
    """The day number (days since 1970-01-01 at +08:00) an instant falls on."""
    return (seconds + 8 * 3600) // 86400


def working_days_left(exceptions, due_at):
    """The working days from NOW's day to due_at's day by the store's
    calendar (the order JSON's working_days_left), counted here in Python;
    exceptions: the calendar table's rows, day to kind."""
    today, due = local_day(NOW), local_day(due_at)

    def working(day):
        kind = exceptions.get(day)
        return kind == "work" or (kind != "off" and (day + 3) % 7 < 5)  # 1970-01-01 was a Thursday
    low, high = min(today, due), max(today, due)
    count = sum(1 for day in range(low + 1, high + 1) if working(day))
    return count if due >= today else -count


# ---------------------------------------------------------------------------
# Schemas from the OpenAPI document.

def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/components/responses/"):
        node = document["components"]["responses"][node["$ref"].rsplit("/", 1)[1]]
    return node


def response_schema(document, method, pattern, status):
    operation = document["paths"].get(pattern, {}).get(method.lower())
    if operation is None:
        return None
    response = resolve(document, operation["responses"].get(str(status)))
    if not isinstance(response, dict):
        return None
    return response.get("content", {}).get("application/json", {}).get("schema")


def validate(context, name, method, pattern, status, instance):
    """Validates an answer against the document's schema for its status."""
    if jsonschema is None:
        return
    schema = response_schema(context.document, method, pattern, status)
    if not check(f"{name}: the document describes a JSON answer {status}", schema is not None):
        return
    resolver = jsonschema.RefResolver.from_schema(context.document)
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.path))
    check(f"{name}: the answer matches the document's schema", not errors,
          "; ".join(f"{list(error.path)}: {error.message}" for error in errors[:3]))


# ---------------------------------------------------------------------------
# Setup: orders of the test's own, co-handled by the handler's unit.

def act(context, number, action, fields, username):
    status, headers, order = context.get(f"/api/v1/orders/{number}", username)
    version = order["version"] if status == 200 else 1
    return context.send("POST", f"/api/v1/orders/{number}/actions/{action}", fields, username,
                        headers={"If-Match": f'"{version}"'})


def register(context, title, username="agent1", **fields):
    body = {"type": "complaint", "title": title, "content": f"{title}：测试内容", "category": "community"}
    body.update(fields)
    status, headers, order = context.send("POST", "/api/v1/orders", body, username)
    if status != 201:
        raise RuntimeError(f"register: {status} {order}")
    return order["number"]


def prepare_orders(context):
    """Two orders led by another unit and co-handled by the handler's, one by
    neither; returns their numbers."""
    numbers = {}
    for key, unit, co_units in (("co_handled", "jinyuan", f"{HANDLER_UNIT},wanbailin"),
                                ("co_handled_2", "construction", HANDLER_UNIT),
                                ("other", OTHER_UNIT, "jinyuan")):
        number = register(context, f"协办测试 {key}")
        status, _, answer = act(context, number, "dispatch", {"unit": unit, "co_units": co_units}, "dispatcher1")
        if status != 200:
            raise RuntimeError(f"dispatch {number}: {status} {answer}")
        numbers[key] = number
    return numbers


# ---------------------------------------------------------------------------
# 2. The order list and the counts.

def fetch_all(context, username, filters, page_size=200):
    """Every page of a list joined, and its total (None and the status when
    a page fails); stops after the pages the total announces."""
    numbers, page, total = [], 1, None
    while True:
        query = dict(filters, page=str(page), page_size=str(page_size))
        status, _, answer = context.get("/api/v1/orders?" + urllib.parse.urlencode(query), username)
        if status != 200:
            return None, status
        total = answer["total"]
        numbers += [order["number"] for order in answer["orders"]]
        if len(answer["orders"]) < page_size or page * page_size >= total:
            return numbers, total
        page += 1


def test_lists(context, numbers):
    due_soon_ids = cli_numbers(context, "--due-soon")
    check("the demo has orders about to be overdue at the fixed time", len(due_soon_ids) > 0, len(due_soon_ids))
    one_category = context.rows("SELECT category FROM orders WHERE category <> '' GROUP BY category "
                                "ORDER BY count(*) DESC LIMIT 1")[0][0]
    a_title = context.rows("SELECT title FROM orders WHERE lead_unit = ? LIMIT 1", (HANDLER_UNIT,))[0][0]
    cases = [
        {},
        {"state": "dispatched"},
        {"state": "signed,handling,return_pending"},
        {"unit": HANDLER_UNIT},
        {"unit": OTHER_UNIT, "state": "surveyed"},
        {"co_unit": HANDLER_UNIT},
        {"category": one_category},
        {"q": "噪音"},
        {"q": a_title[:4]},
        {"overdue": "1"},
        {"due_soon": "1"},
        {"received_from": "2024-02-10", "received_to": "2024-02-12"},
        {"received_from": "2024-02-28"},
        {"sort": "deadline", "state": "dispatched,signed,handling"},
        {"sort": "-deadline"},
        {"sort": "received", "unit": HANDLER_UNIT},
        {"sort": "deadline", "unit": HANDLER_UNIT},
        {"overdue": "1", "unit": HANDLER_UNIT, "sort": "deadline"},
        {"category": one_category, "state": "surveyed", "sort": "-received"},
    ]
    for role in ("supervisor", "handler", "surveyor"):
        username = USERS[role]
        for filters in cases:
            name = f"{role} list {urllib.parse.urlencode(filters) or '(no filter)'}"
            expected = oracle(context, role, filters, due_soon_ids)
            # Page 1 and page 2 of seven, then a page past the end.
            first = dict(filters, page_size="7")
            status, _, page1 = context.get("/api/v1/orders?" + urllib.parse.urlencode(first), username)
            if not check(f"{name}: 200", status == 200, page1):
                continue
            check(f"{name}: total", page1["total"] == len(expected), f"{page1['total']} != {len(expected)}")
            check(f"{name}: page 1", [o["number"] for o in page1["orders"]] == expected[:7],
                  f"{[o['number'] for o in page1['orders']]} != {expected[:7]}")
            check(f"{name}: page and page_size echoed", page1["page"] == 1 and page1["page_size"] == 7)
            second = dict(filters, page_size="7", page="2")
            status, _, page2 = context.get("/api/v1/orders?" + urllib.parse.urlencode(second), username)
            check(f"{name}: page 2 follows page 1", status == 200
                  and [o["number"] for o in page2["orders"]] == expected[7:14]
                  and page2["total"] == len(expected), page2)
            if len(expected) > 7:
                check(f"{name}: page 2 differs from page 1",
                      not set(o["number"] for o in page1["orders"]) & set(o["number"] for o in page2["orders"]))
            beyond = dict(filters, page_size="200", page=str(len(expected) // 200 + 2))
            status, _, past = context.get("/api/v1/orders?" + urllib.parse.urlencode(beyond), username)
            check(f"{name}: past the end, empty with the total", status == 200 and past["orders"] == []
                  and past["total"] == len(expected), past)
        # Every page of one list, joined, is the list.
        joined, total = fetch_all(context, username, {"sort": "deadline"})
        expected = oracle(context, role, {"sort": "deadline"}, due_soon_ids)
        check(f"{role}: every page of the deadline list joined is the list", joined == expected and total == len(expected),
              f"{len(joined or [])} of {len(expected)}")

    # The deadline sorts: running deadlines in order, then the rest.
    status, _, answer = context.get("/api/v1/orders?sort=deadline&page_size=200&state=dispatched,signed,handling")
    dues = [instant(order["due_at"]) for order in answer["orders"] if order["due_at"] is not None]
    check("sort=deadline: soonest first", dues == sorted(dues) and len(dues) > 1, dues[:5])
    check("overdue exactly when the running deadline has passed",
          all(order["overdue"] == (order["due_at"] is not None and instant(order["due_at"]) < NOW)
              for order in answer["orders"]))

    # The time left on the running deadline is counted by the server with
    # its calendar: the pages show it as it comes.
    status, _, overdue = context.get("/api/v1/orders?overdue=1&sort=-deadline&page_size=100")
    status_soon, _, soon = context.get("/api/v1/orders?due_soon=1&page_size=100")
    running = answer["orders"] + overdue["orders"] + soon["orders"]
    calendar = dict(context.rows("SELECT day, kind FROM calendar"))
    wrong = [(order["number"], order["due_at"], order["working_days_left"]) for order in running
             if order["working_days_left"] != working_days_left(calendar, instant(order["due_at"]))]
    check("working_days_left: the calendar's working days from today to the deadline's day",
          status == 200 and status_soon == 200 and len(running) > 100 and not wrong, wrong[:5])
    check("working_days_left: negative once overdue, by the working days since",
          all(order["working_days_left"] <= 0 for order in overdue["orders"])
          and any(order["working_days_left"] < -1 for order in overdue["orders"]),
          [order["working_days_left"] for order in overdue["orders"][:10]])
    wrong = [order["number"] for order in running if order["due_soon"] != (int(order["number"]) in due_soon_ids)]
    check("due_soon: exactly the orders `hotline list --due-soon` prints", not wrong and soon["orders"]
          and all(order["due_soon"] and not order["overdue"] for order in soon["orders"]), wrong[:5])
    status, _, finished = context.get("/api/v1/orders?state=surveyed,archived,new&page_size=50")
    check("no running deadline: working_days_left null, not due soon", status == 200 and finished["orders"]
          and all(order["working_days_left"] is None and order["due_soon"] is False
                  for order in finished["orders"] if order["due_at"] is None)
          and any(order["due_at"] is None for order in finished["orders"]))

    # Language: labels change, stable names do not.
    status, _, chinese = context.get("/api/v1/orders?state=surveyed&page_size=1")
    status_en, _, english = context.get("/api/v1/orders?state=surveyed&page_size=1&lang=en")
    check("lang=en: English labels", status_en == 200 and english["orders"][0]["state_label"] == "surveyed"
          and chinese["orders"][0]["state_label"] == "已回访", (chinese["orders"][0]["state_label"],
                                                            english["orders"][0]["state_label"]))
    status, _, header_english = context.get("/api/v1/orders?state=surveyed&page_size=1",
                                            headers={"Accept-Language": "en-US,en;q=0.9"})
    check("Accept-Language: English labels", header_english["orders"][0]["state_label"] == "surveyed")
    status, headers, body = request(context.port, "GET", "/api/v1/orders?lang=fr", token=context.token("agent1"))
    check_error("lang=fr", status, headers, body, 400, "invalid", "lang")

    # Personal data: masked for the roles that do not see it, as for one order.
    status, _, masked = context.get("/api/v1/orders?page_size=5", "analyst1")
    status, _, full = context.get("/api/v1/orders?page_size=5", "agent1")
    check("analyst: phones masked in lists", all(re.fullmatch(r"\d{3}\*{4}\d{4}|\*{4}|", o["citizen_phone"])
                                                 for o in masked["orders"]), masked["orders"][0]["citizen_phone"])
    check("agent: phones in full in lists", any(re.fullmatch(r"\d{11}", o["citizen_phone"]) for o in full["orders"]))
    # Every full number a list gives out is in the audit of reads; masked ones are not.
    status, _, audit = context.get("/api/v1/audit/phone-reads?user=agent1", "auditor")
    listed_reads = {read["order"] for read in audit.get("reads", []) if read["route"] == "GET /api/v1/orders"}
    with_phone = {order["number"] for order in full["orders"] if order["citizen_phone"]}
    check("a list's full phone numbers are in the audit", with_phone and with_phone <= listed_reads,
          (with_phone, listed_reads))
    status, _, audit = context.get("/api/v1/audit/phone-reads?user=analyst1", "auditor")
    check("a list of masked numbers records no read", status == 200 and audit["total"] == 0, audit)

    # Each list item is the object of GET /api/v1/orders/{number}.
    status, _, listed = context.get(f"/api/v1/orders?q={urllib.parse.quote('协办测试 other')}", "supervisor1")
    status, _, single = context.get(f"/api/v1/orders/{numbers['other']}", "supervisor1")
    check("a listed order is the single order's object", listed["orders"] == [single], listed)

    # Bad parameters: 400 naming each.
    for query, field in (("state=open", "state"), ("state=dispatched,", "state"), ("unit=a%20b", "unit"),
                         ("co_unit=" + "x" * 40, "co_unit"), ("category=%27", "category"),
                         ("overdue=yes", "overdue"), ("due_soon=2", "due_soon"),
                         ("received_from=2024-02-30", "received_from"), ("received_to=yesterday", "received_to"),
                         ("sort=title", "sort"), ("page=0", "page"), ("page=-1", "page"),
                         ("page_size=201", "page_size"), ("page_size=0", "page_size"),
                         ("page=99999999999999999999", "page"), ("q=" + urllib.parse.quote("长" * 101), "q")):
        status, headers, body = request(context.port, "GET", "/api/v1/orders?" + query,
                                        token=context.token("agent1"))
        check_error(f"list ?{query[:40]}", status, headers, body, 400, "invalid", field)

    # The counts of the home page, by role; the security and audit
    # administrators read no order, not even a count (三员分立).
    for role in ROLES:
        username = USERS[role]
        status, _, counts = context.get("/api/v1/orders/counts", username)
        if role in ("secadmin", "auditor"):
            check(f"{role} counts: 403", status == 403, counts)
            continue
        if not check(f"{role} counts: 200", status == 200, counts):
            continue
        condition, parameters = scope_condition(role)
        by_state = dict(context.rows(f"SELECT state, count(*) FROM orders WHERE {condition} GROUP BY state",
                                     parameters))
        check(f"{role} counts by state", counts["by_state"] == {state: by_state.get(state, 0) for state in STATES},
              (counts["by_state"], by_state))
        overdue = context.rows(f"SELECT count(*) FROM orders WHERE {condition} AND due_at > 0 AND due_at < ?",
                               parameters + [NOW])[0][0]
        check(f"{role} counts overdue", counts["overdue"] == overdue, (counts["overdue"], overdue))
        scoped = {row[0] for row in context.rows(f"SELECT id FROM orders WHERE {condition}", parameters)}
        check(f"{role} counts due soon", counts["due_soon"] == len(due_soon_ids & scoped),
              (counts["due_soon"], len(due_soon_ids & scoped)))


def test_scopes(context, numbers):
    """A unit handler reads its unit's orders (lead or co-handling) and no
    other, by any route; a surveyor the finished ones."""
    other_handler = "h-" + OTHER_UNIT
    mine = numbers["co_handled"]
    theirs = numbers["other"]
    for number, expected in ((mine, 200), (theirs, 404)):
        status, headers, body = request(context.port, "GET", f"/api/v1/orders/{number}",
                                        token=context.token("h-xiaodian"))
        check(f"handler reads {number}: {expected}", status == expected, status)
        status, headers, body = request(context.port, "GET", f"/api/v1/orders/{number}/events",
                                        token=context.token("h-xiaodian"))
        check(f"handler reads the events of {number}: {expected}", status == expected, status)
    # Guessed numbers: 300 of February, each 200 exactly when the unit is on it.
    rows = context.rows("SELECT id, lead_unit, co_units, state FROM orders ORDER BY id LIMIT 300 OFFSET 5000")
    wrong = []
    for order_id, lead, co_units, state in rows:
        readable = lead == HANDLER_UNIT or HANDLER_UNIT in co_units.split(",")
        status, _, _ = request(context.port, "GET", f"/api/v1/orders/{number_of(order_id)}",
                               token=context.token("h-xiaodian"))
        if status != (200 if readable else 404):
            wrong.append((order_id, status))
    check("guessed numbers: a handler reads exactly its unit's orders", not wrong and rows, wrong[:5])
    # Acting on another unit's order: 404 as if absent, before any other check.
    status, headers, body = request_json(context.port, "POST", f"/api/v1/orders/{theirs}/actions/sign", {},
                                         token=context.token("h-xiaodian"), headers={"If-Match": '"1"'})
    check("handler acts on another unit's order: 404", status == 404, (status, body))
    status, _, answer = act(context, mine, "sign", {}, "h-xiaodian")
    check("a co-handling unit may not sign (the lead unit signs): 403", status == 403, (status, answer))
    status, _, answer = act(context, mine, "sign", {}, "h-jinyuan")
    check("the lead unit signs: 200", status == 200, (status, answer))
    status, _, answer = act(context, mine, "handle", {"note": "协办单位已到场"}, "h-xiaodian")
    check("a co-handling unit records progress: 200", status == 200, (status, answer))
    # Lists: other units' orders never appear, whatever the filters say.
    for filters in ({"unit": OTHER_UNIT}, {"q": "协办测试 other"}, {"co_unit": "jinyuan"},
                    {"unit": "jinyuan"}, {"state": "dispatched"}):
        listed, total = fetch_all(context, "h-xiaodian", filters)
        allowed = set(oracle(context, "handler", filters))
        check(f"handler list {filters}: only its unit's orders", listed is not None and set(listed) <= allowed
              and theirs not in listed and total == len(allowed), (total, len(allowed)))
    listed, _ = fetch_all(context, "h-xiaodian", {"unit": "jinyuan"})
    check("handler list unit=jinyuan: the orders its unit co-handles there", listed == [mine], listed)
    listed, total = fetch_all(context, other_handler, {"co_unit": HANDLER_UNIT})
    check("another handler asking for this unit's co-handled orders: none of them",
          mine not in listed and numbers["co_handled_2"] not in listed, listed)
    # A surveyor: finished orders only.
    listed, total = fetch_all(context, "surveyor1", {"state": "dispatched"})
    check("surveyor list state=dispatched: empty", listed == [] and total == 0, (listed, total))
    status, _, _ = context.get(f"/api/v1/orders/{mine}", "surveyor1")
    check("surveyor reads an open order: 404", status == 404, status)


# ---------------------------------------------------------------------------
# 3. The directory and the settings.

def test_directory(context):
    admin = "admin"
    # Units: create 201, replace 200, refusals naming the field.
    unit = {"code": "api-test-unit", "name": "接口测试单位", "group": "市直单位", "active": True}
    status, _, answer = context.send("POST", "/api/v1/units", unit, admin)
    check("unit created: 201", status == 201 and answer == dict(unit, parent=None), (status, answer))
    status, _, answer = context.send("POST", "/api/v1/units", dict(unit, name="接口测试单位（改）"), admin)
    check("unit replaced: 200", status == 200 and answer["name"] == "接口测试单位（改）", (status, answer))
    status, _, listed = context.get("/api/v1/units", "agent1")
    check("the unit is listed", any(u["code"] == "api-test-unit" and u["name"] == "接口测试单位（改）"
                                    for u in listed["units"]))
    for body, field in (({"code": "bad code", "name": "x"}, "code"), ({"code": "u1", "name": ""}, "name"),
                        ({"code": "u1", "name": "x" * 65}, "name"), ({"code": "u1", "name": "x", "parent": "nowhere"}, "parent"),
                        ({"code": "u1", "name": "x", "parent": "u1"}, "parent"), ({"code": "u1"}, "name"),
                        ({"code": "u1", "name": "x", "active": "yes"}, "active"), ({"code": 7, "name": "x"}, "code"),
                        ({"code": "u1", "name": "x\ny"}, "name")):
        status, headers, raw = request(context.port, "POST", "/api/v1/units", json.dumps(body),
                                       {"Content-Type": "application/json"}, context.token(admin))
        check_error(f"unit {body}", status, headers, raw, 400, "invalid", field)
    # Categories.
    category = {"code": "api-test-cat", "name": "接口测试分类", "parent": "community", "default_unit": "api-test-unit",
                "handle_days": 7, "active": True}
    status, _, answer = context.send("POST", "/api/v1/categories", category, admin)
    check("category created: 201", status == 201 and answer == category, (status, answer))
    status, _, answer = context.send("POST", "/api/v1/categories", dict(category, handle_days=0), admin)
    check("category replaced: 200", status == 200 and answer["handle_days"] == 0, (status, answer))
    for body, field in (({"code": "c1", "name": "x", "default_unit": "nowhere"}, "default_unit"),
                        ({"code": "c1", "name": "x", "parent": "nowhere"}, "parent"),
                        ({"code": "c1", "name": "x", "handle_days": 61}, "handle_days"),
                        ({"code": "c1", "name": "x", "handle_days": -1}, "handle_days"),
                        ({"code": "c1", "name": "x", "handle_days": 2 ** 40}, "handle_days"),
                        ({"code": "c1", "name": "x", "handle_days": 1.5}, "handle_days")):
        status, headers, raw = request(context.port, "POST", "/api/v1/categories", json.dumps(body),
                                       {"Content-Type": "application/json"}, context.token(admin))
        check_error(f"category {body}", status, headers, raw, 400, "invalid", field)
    # Users: create, log in, duplicate, change, disable, reset, the last
    # security administrator (who alone manages accounts).
    security = "secadmin"
    user = {"username": "api-handler", "name": "接口测试", "role": "handler", "unit": "api-test-unit",
            "password": "a-long-secret"}
    status, _, answer = context.send("POST", "/api/v1/users", user, security)
    check("user created: 201", status == 201 and answer == {"username": "api-handler", "name": "接口测试",
                                                          "role": "handler", "role_label": "承办人",
                                                          "unit": "api-test-unit", "active": True}, (status, answer))
    status, _, _ = context.send("POST", "/api/v1/users", user, security)
    check("user created twice: 409", status == 409, status)
    new_token = login(context.port, "api-handler", "a-long-secret")
    status, _, me = request_json(context.port, "GET", "/api/v1/me", token=new_token)
    check("the new user's /me", status == 200 and me["unit"] == "api-test-unit" and me["unit_name"] == "接口测试单位（改）"
          and "sign" in me["actions"] and "dispatch" not in me["actions"], me)
    for body, field in ((dict(user, username="u2", unit="nowhere"), "unit"),
                        (dict(user, username="u2", unit=""), "unit"),
                        (dict(user, username="u2", role="agent"), "unit"),
                        (dict(user, username="u2", role="king"), "role"),
                        (dict(user, username="u2", password="short"), "password"),
                        (dict(user, username="u 2"), "username"),
                        ({"username": "u2", "role": "agent"}, "password")):
        status, headers, raw = request(context.port, "POST", "/api/v1/users", json.dumps(body),
                                       {"Content-Type": "application/json"}, context.token(security))
        check_error(f"user {field} refused", status, headers, raw, 400, "invalid", field)
    status, _, answer = context.send("PUT", "/api/v1/users/api-handler", {"name": "改名", "role": "analyst"}, security)
    check("user changed to analyst: the unit goes", status == 200 and answer["name"] == "改名"
          and answer["role"] == "analyst" and answer["unit"] is None, (status, answer))
    status, _, me = request_json(context.port, "GET", "/api/v1/me", token=new_token)
    check("a role change holds at once", me["role"] == "analyst", me)
    status, headers, raw = request(context.port, "PUT", "/api/v1/users/nobody-here",
                                   json.dumps({"name": "x"}), {"Content-Type": "application/json"},
                                   context.token(security))
    check_error("PUT an unknown user", status, headers, raw, 404, "not_found", "username")
    status, headers, raw = request(context.port, "PUT", "/api/v1/users/api-handler",
                                   json.dumps({"username": "renamed"}), {"Content-Type": "application/json"},
                                   context.token(security))
    check_error("PUT renaming a user", status, headers, raw, 400, "invalid", "username")
    status, _, answer = context.send("PUT", "/api/v1/users/api-handler", {"password": "another-secret"}, security)
    check("password reset: 200", status == 200, (status, answer))
    status, _, _ = request_json(context.port, "GET", "/api/v1/me", token=new_token)
    check("password reset ends the user's sessions", status == 401, status)
    status, _, _ = request_json(context.port, "POST", "/api/v1/login",
                                {"username": "api-handler", "password": "a-long-secret"})
    check("the old password no longer logs in", status == 401, status)
    newer_token = login(context.port, "api-handler", "another-secret")
    status, _, answer = context.send("PUT", "/api/v1/users/api-handler", {"active": False}, security)
    check("user disabled", status == 200 and answer["active"] is False, (status, answer))
    status, _, _ = request_json(context.port, "GET", "/api/v1/me", token=newer_token)
    check("a disabled user's session ends", status == 401, status)
    status, headers, raw = request(context.port, "PUT", "/api/v1/users/secadmin", json.dumps({"role": "agent"}),
                                   {"Content-Type": "application/json"}, context.token(security))
    check_error("the last security administrator keeps the role", status, headers, raw, 409, "conflict", "role")
    status, headers, raw = request(context.port, "PUT", "/api/v1/users/secadmin", json.dumps({"active": False}),
                                   {"Content-Type": "application/json"}, context.token(security))
    check_error("the last security administrator stays active", status, headers, raw, 409, "conflict", "active")
    status, _, users = context.get("/api/v1/users", security)
    check("users listed with the new one", any(u["username"] == "api-handler" and not u["active"]
                                               for u in users["users"]), users)

    # Finding 3 (issue 11): failed logins make an account wait, never lock it
    # for good, and the security administrator alone lifts the wait
    # (PUT {"unlock": true}), on record in the audit. Fails on the code
    # before: the body's "unlock" was an unknown field (400).
    for attempt in range(5):
        status, _, _ = request_json(context.port, "POST", "/api/v1/login",
                                    {"username": "agent2", "password": f"guess-{attempt}"})
        check(f"agent2 failure {attempt + 1}: 401", status == 401, status)
    status, headers, raw = request(context.port, "POST", "/api/v1/login",
                                   json.dumps({"username": "agent2", "password": DEMO_PASSWORD}),
                                   {"Content-Type": "application/json"})
    check_error("agent2 waits after five failures", status, headers, raw, 429, "too_many_requests")
    check("the wait is the first one, not a lockout", headers.get("retry-after", "").isdigit()
          and 1 <= int(headers["retry-after"]) <= 60, headers.get("retry-after"))
    for role in ("sysadmin", "auditor", "supervisor"):
        status, headers, raw = request(context.port, "PUT", "/api/v1/users/agent2", json.dumps({"unlock": True}),
                                       {"Content-Type": "application/json"}, context.token(USERS[role]))
        check_error(f"finding 3: {role} may not unlock", status, headers, raw, 403, "forbidden")
    status, _, answer = context.send("PUT", "/api/v1/users/agent2", {"unlock": True}, security)
    check("finding 3: the security administrator unlocks", status == 200 and answer["username"] == "agent2",
          (status, answer))
    status, _, _ = request_json(context.port, "POST", "/api/v1/login",
                                {"username": "agent2", "password": DEMO_PASSWORD})
    check("finding 3: after the unlock the right password works at once", status == 200, status)
    status, _, audit = context.get("/api/v1/audit/security-events?limit=50", "auditor")
    events = audit.get("events", []) if status == 200 else []
    check("finding 3: the unlock is in the audit", any(
        event["action"] == "user.unlock" and event["actor"] == security and event["target"] == "agent2"
        and event["outcome"] == "success" for event in events), audit)
    # The audit administrator reads the security events (issue 11): a failed
    # login is there, with the name it gave, its address and its outcome.
    check("security events: a failed login is listed as a failure", any(
        event["action"] == "login" and event["actor"] == "agent2" and event["outcome"] == "failure"
        and event["address"] == "127.0.0.1" for event in events), events[:10])
    check("security events: newest first", [event["seq"] for event in events]
          == sorted((event["seq"] for event in events), reverse=True), [event["seq"] for event in events])
    status, headers, raw = request(context.port, "GET", "/api/v1/audit/security-events?limit=0", None, {},
                                   context.token("auditor"))
    check_error("security events: a bad limit", status, headers, raw, 400, "invalid", "limit")
    status, headers, raw = request(context.port, "PUT", "/api/v1/users/nobody-here", json.dumps({"unlock": True}),
                                   {"Content-Type": "application/json"}, context.token(security))
    check_error("unlock of an unknown user", status, headers, raw, 404, "not_found", "username")

    # The calendar: a new holiday moves the deadlines every thread computes.
    # Dispatching on Friday 2024-03-01 with one day to sign: due Monday 03-04
    # end of day; with 03-04 a holiday, Tuesday 03-05.
    number = register(context, "日历测试 before")
    status, _, order = act(context, number, "dispatch", {"unit": HANDLER_UNIT}, "dispatcher1")
    check("sign deadline before the holiday: Monday", order["sign_deadline"] == "2024-03-04T23:59:59+08:00",
          order.get("sign_deadline"))
    check("one working day left on Friday to Monday", order["working_days_left"] == 1, order.get("working_days_left"))
    before = number
    status, _, day = context.send("POST", "/api/v1/calendar", {"date": "2024-03-04", "kind": "holiday",
                                                               "name": "接口测试假日"}, admin)
    check("calendar day added: 201", status == 201 and day == {"date": "2024-03-04", "kind": "holiday",
                                                              "name": "接口测试假日"}, (status, day))
    deadlines = set()
    for index in range(8):  # enough requests to meet every worker thread
        number = register(context, f"日历测试 after {index}")
        status, _, order = act(context, number, "dispatch", {"unit": HANDLER_UNIT}, "dispatcher1")
        deadlines.add(order.get("sign_deadline"))
    check("every thread counts with the new holiday", deadlines == {"2024-03-05T23:59:59+08:00"}, deadlines)
    lefts = set()
    for index in range(8):
        status, _, order = context.get(f"/api/v1/orders/{before}", "dispatcher1")
        lefts.add(order.get("working_days_left"))
    check("every thread counts the time left with the new holiday: none before Monday's deadline",
          lefts == {0}, lefts)
    status, _, year = context.get("/api/v1/calendar?year=2024", "h-xiaodian")
    check("the holiday is listed", {"date": "2024-03-04", "kind": "holiday", "name": "接口测试假日"} in year["days"]
          and year["year"] == 2024, year)
    status, _, day = context.send("POST", "/api/v1/calendar", {"date": "2024-03-04", "kind": "workday"}, admin)
    check("calendar day replaced: 200", status == 200 and day["kind"] == "workday" and day["name"] == "", day)
    status, _, year = context.get("/api/v1/calendar")
    check("calendar without year: this year's (2024 at the fixed time)", year.get("year") == 2024, year.get("year"))
    for body, field in (({"date": "2024-02-30", "kind": "holiday"}, "date"), ({"date": "2024-03-04", "kind": "off"}, "kind"),
                        ({"date": "2024-03-04", "kind": "holiday", "name": "长" * 30}, "name"), ({"kind": "holiday"}, "date")):
        status, headers, raw = request(context.port, "POST", "/api/v1/calendar", json.dumps(body),
                                       {"Content-Type": "application/json"}, context.token(admin))
        check_error(f"calendar {field} refused", status, headers, raw, 400, "invalid", field)
    status, headers, raw = request(context.port, "GET", "/api/v1/calendar?year=20x4", token=context.token("agent1"))
    check_error("calendar ?year=20x4", status, headers, raw, 400, "invalid", "year")

    # The limits: set, read back by every thread, refusals.
    status, _, limits = context.send("PUT", "/api/v1/config/due_soon_days", {"value": "3"}, admin)
    check("limit set", status == 200 and limits["limits"]["due_soon_days"] == 3, (status, limits))
    # Issue 9 (found in review): a thread's first read of an order after a
    # settings change reloaded the settings inside the order's read
    # snapshot, which SQLite refuses (a transaction inside a transaction):
    # 500, and the thread's connection was left holding its snapshot. Every
    # thread's first request after the change is an order read here.
    statuses = set()
    for _ in range(8):
        status, _, _ = context.get(f"/api/v1/orders/{before}", "dispatcher1")
        statuses.add(status)
        status, _, _ = context.get(f"/api/v1/orders/{before}/events", "dispatcher1")
        statuses.add(status)
    check("reading an order just after a settings change: 200 on every thread (issue 9)", statuses == {200}, statuses)
    seen = set()
    for _ in range(8):
        status, _, limits = context.get("/api/v1/config", "supervisor1")
        seen.add(limits["limits"]["due_soon_days"])
    check("every thread reads the new limit", seen == {3}, seen)
    wider = len(cli_numbers(context, "--due-soon"))
    status, _, counts = context.get("/api/v1/orders/counts", "supervisor1")
    check("due_soon follows the limit", counts["due_soon"] == wider, (counts["due_soon"], wider))
    status, _, limits = context.send("PUT", "/api/v1/config/due_soon_days", {"value": "1"}, admin)
    status, headers, raw = request(context.port, "PUT", "/api/v1/config/no_such_limit", json.dumps({"value": "1"}),
                                   {"Content-Type": "application/json"}, context.token(admin))
    check_error("unknown limit", status, headers, raw, 404, "not_found", "key")
    for value in ("61", "-1", "one", ""):
        status, headers, raw = request(context.port, "PUT", "/api/v1/config/sign_days", json.dumps({"value": value}),
                                       {"Content-Type": "application/json"}, context.token(admin))
        check_error(f"limit value {value!r}", status, headers, raw, 400, "invalid", "value")
    status, headers, raw = request(context.port, "PUT", "/api/v1/config/sign_days", json.dumps({"value": 2}),
                                   {"Content-Type": "application/json"}, context.token(admin))
    check_error("limit value as a number", status, headers, raw, 400, "invalid", "value")

    # Issue 15 (item 7): the pages show each setting by its label and
    # explanation, not its key; the words come with the settings, in the
    # request's language, for every key the settings list.
    status, _, limits = context.get("/api/v1/config", "supervisor1")
    keys = set(limits["limits"]) | {"time_zone"} | set(limits["policy"])
    labels = limits.get("labels", {})
    check("every setting has its words", status == 200 and set(labels) == keys
          and all(labels[key]["label"] and labels[key]["help"] for key in keys), sorted(keys ^ set(labels)))
    check("a setting's label in Chinese by default",
          labels.get("handle_days.complaint", {}).get("label") == "投诉类办理时限", labels.get("handle_days.complaint"))
    status, headers, raw = request(context.port, "GET", "/api/v1/config", None, {"Accept-Language": "en"},
                                   context.token("supervisor1"))
    english = json.loads(raw)["labels"]["handle_days.complaint"] if status == 200 else {}
    check("a setting's label in English when asked", english.get("label") == "Time limit: complaints", (status, english))

    # The time zone: shown with the limits, set, read back by every thread
    # (times are then written with its offset), refused when unknown.
    status, _, limits = context.get("/api/v1/config", "supervisor1")
    check("time zone by default", limits.get("time_zone") == "Asia/Shanghai", limits)
    status, _, limits = context.send("PUT", "/api/v1/config/time_zone", {"value": "America/Los_Angeles"}, admin)
    check("time zone set", status == 200 and limits["time_zone"] == "America/Los_Angeles", (status, limits))
    seen = set()
    for _ in range(8):
        status, _, limits = context.get("/api/v1/config", "supervisor1")
        seen.add(limits["time_zone"])
    check("every thread reads the new time zone", seen == {"America/Los_Angeles"}, seen)
    status, _, page = context.get("/api/v1/orders?page_size=1", "supervisor1")
    received = page["orders"][0]["received_at"] if status == 200 and page.get("orders") else ""
    check("times with the zone's offset", re.search(r"-0[78]:00$", received) is not None, received)
    for value in ("Mars/Olympus_Mons", "../../etc/passwd", ""):
        status, headers, raw = request(context.port, "PUT", "/api/v1/config/time_zone", json.dumps({"value": value}),
                                       {"Content-Type": "application/json"}, context.token(admin))
        check_error(f"time zone {value!r}", status, headers, raw, 400, "invalid", "value")
    status, _, limits = context.send("PUT", "/api/v1/config/time_zone", {"value": "Asia/Shanghai"}, admin)
    check("time zone set back", status == 200 and limits["time_zone"] == "Asia/Shanghai", (status, limits))

    # The account and session policy (issue 11, item 4) is the security
    # administrator's setting: the system administrator is refused, a value
    # out of range is a 400 naming the value.
    status, _, _ = context.send("PUT", "/api/v1/config/session.max_per_user", {"value": "20"}, "secadmin")
    check("policy set by the security administrator", status == 200, status)
    status, headers, raw = request(context.port, "PUT", "/api/v1/config/session.max_per_user", json.dumps({"value": "5"}),
                                   {"Content-Type": "application/json"}, context.token(admin))
    check("policy refused to the system administrator", status == 403, (status, raw))
    for value in ("7", "65", "many", ""):
        status, headers, raw = request(context.port, "PUT", "/api/v1/config/password.min_length",
                                       json.dumps({"value": value}),
                                       {"Content-Type": "application/json"}, context.token("secadmin"))
        check_error(f"policy value {value!r}", status, headers, raw, 400, "invalid", "value")

    # /me and /workflow agree with the workflow's table.
    status, _, workflow = context.get("/api/v1/workflow", "agent1")
    actions = {action["name"]: action for action in workflow["actions"]}
    check("workflow: dispatch by dispatchers from new, needs a unit",
          actions["dispatch"]["roles"] == ["dispatcher"] and actions["dispatch"]["from_states"] == ["new"]
          and actions["dispatch"]["fields"] == ["unit"] and actions["dispatch"]["to_state"] == "dispatched",
          actions.get("dispatch"))
    check("workflow: every state, labelled", [state["name"] for state in workflow["states"]] == STATES)
    for role in ROLES:
        status, _, me = context.get("/api/v1/me", USERS[role])
        expected = [name for name, action in actions.items() if role in action["roles"]]
        check(f"/me of {role}: role and actions", me["role"] == role and me["actions"] == expected
              and me["username"] == USERS[role], me)
    status, _, me_en = context.get("/api/v1/me?lang=en", "h-xiaodian")
    check("/me in English", me_en["role_label"] == "unit handler" and me_en["unit"] == HANDLER_UNIT, me_en)

    # /me's rights: app/auth's role table and the workflow's rules, in the
    # order of the pages' navigation; each agrees with what the routes allow.
    rights = {
        "agent": ["register", "search_orders", "search_by_phone"],
        "dispatcher": ["dispatch", "register", "search_orders", "read_reports", "search_by_phone"],
        "handler": ["handle"],
        "surveyor": ["survey", "search_orders", "search_by_phone"],
        "supervisor": ["supervise", "search_orders", "read_reports", "search_by_phone"],
        "analyst": ["search_orders", "read_reports", "publish_reports"],
        "sysadmin": ["manage_directory", "search_orders", "read_reports"],
        "secadmin": ["manage_accounts"],
        "auditor": ["read_audit"],
    }
    for role in ROLES:
        status, _, me = context.get("/api/v1/me", USERS[role])
        check(f"/me of {role}: rights", status == 200 and me["rights"] == rights[role], me.get("rights"))
        by_rule = {"dispatch": "dispatch", "handle": "sign", "survey": "survey", "supervise": "supervise",
                   "register": "register"}
        check(f"/me of {role}: the workflow's rights follow its rules",
              all((right in me["rights"]) == (role in actions[rule]["roles"]) for right, rule in by_rule.items()))
        status, _, _ = context.get("/api/v1/reports", USERS[role])
        check(f"/me of {role}: read_reports as GET /api/v1/reports answers",
              ("read_reports" in me["rights"]) == (status == 200), status)
        status, _, _ = context.get("/api/v1/users", USERS[role])
        check(f"/me of {role}: manage_accounts as GET /api/v1/users answers",
              ("manage_accounts" in me["rights"]) == (status == 200), status)
        status, _, _ = context.send("PUT", "/api/v1/config/due_soon_days", {"value": "1"}, USERS[role])
        check(f"/me of {role}: manage_directory as PUT /api/v1/config answers",
              ("manage_directory" in me["rights"]) == (status == 200), status)
        status, _, _ = context.get("/api/v1/audit/phone-reads", USERS[role])
        check(f"/me of {role}: read_audit as GET /api/v1/audit/phone-reads answers",
              ("read_audit" in me["rights"]) == (status == 200), status)

    # /workflow's enumerations: every value of the order's schema, labelled
    # in the request's language by the C side.
    schema = context.document["components"]["schemas"]["Order"]["properties"]
    expected_names = {"channels": schema["channel"]["enum"], "types": schema["type"]["enum"],
                      "outcomes": ["reached", "no_answer", "busy", "refused", "wrong_number", "other"],
                      "ratings": ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                                  "very_dissatisfied"],
                      "resolved": ["yes", "no"],
                      "roles": ["agent", "dispatcher", "handler", "surveyor", "supervisor", "analyst", "sysadmin",
                                "secadmin", "auditor"]}
    status, _, english_flow = context.get("/api/v1/workflow?lang=en", "agent1")
    for kind, names in expected_names.items():
        check(f"workflow: {kind}, every value in order", [entry["name"] for entry in workflow[kind]] == names
              and [entry["name"] for entry in english_flow[kind]] == names, workflow.get(kind))
    label = {kind: {entry["name"]: entry["label"] for entry in workflow[kind]} for kind in expected_names}
    label_en = {kind: {entry["name"]: entry["label"] for entry in english_flow[kind]} for kind in expected_names}
    check("workflow: Chinese labels", label["types"]["complaint"] == "投诉" and label["channels"]["wechat"] == "微信"
          and label["ratings"]["basically_satisfied"] == "基本满意" and label["resolved"]["no"] == "未解决"
          and label["roles"]["handler"] == "承办人" and label["outcomes"]["wrong_number"] == "空号停机", label)
    check("workflow: English labels", label_en["types"]["complaint"] == "complaint"
          and label_en["channels"]["wechat"] == "WeChat" and label_en["resolved"]["no"] == "unresolved"
          and label_en["roles"]["handler"] == "unit handler" and label_en["outcomes"]["no_answer"] == "no answer",
          label_en)
    status, _, order = context.get("/api/v1/orders?state=surveyed&page_size=1&lang=en")
    check("workflow: the order's state label is the one /workflow lists",
          order["orders"][0]["state_label"] == {entry["name"]: entry["label"]
                                                for entry in english_flow["states"]}["surveyed"])


# ---------------------------------------------------------------------------
# 4. The reports.

def test_reports(context):
    status, _, months = context.get("/api/v1/reports", "analyst1")
    check("months with a bulletin", status == 200 and months["months"] == ["2024-02"], months)
    for month in ("2024-01", "2024-03"):
        status, _, _ = context.get(f"/api/v1/reports/{month}", "analyst1")
        check(f"a month not listed has no bulletin: {month} 404", status == 404, status)
    status, headers, body = request(context.port, "GET", "/api/v1/reports/2024-02?format=xlsx",
                                    token=context.token("dispatcher1"))
    check("xlsx: 200", status == 200, status)
    check("xlsx: content type", headers.get("content-type") ==
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers.get("content-type"))
    check("xlsx: an attachment with a file name",
          headers.get("content-disposition") == 'attachment; filename="bulletin-2024-02.xlsx"',
          headers.get("content-disposition"))
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            names = set(workbook.namelist())
            check("xlsx: a workbook of three sheets", "xl/workbook.xml" in names
                  and {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"} <= names,
                  sorted(names)[:10])
    except zipfile.BadZipFile:
        check("xlsx: a zip file", False, body[:40])
    status, headers, body = request(context.port, "GET", "/api/v1/reports/2024-01?format=xlsx",
                                    token=context.token("dispatcher1"))
    check_error("xlsx of a month without surveys", status, headers, body, 404, "not_found", "month")

    status, _, bulletin = context.get("/api/v1/reports/2024-02", "analyst1")
    status, _, trend = context.get("/api/v1/reports/trend?from=2024-01&to=2024-03", "analyst1")
    check("trend: one entry per month", status == 200 and [m["month"] for m in trend] == ["2024-01", "2024-02", "2024-03"],
          trend)
    february = trend[1]
    totals = bulletin["totals"]
    check("trend: February is the bulletin's figures",
          february["surveyed"] == totals["base"] and february["reached"] == totals["survey_succeeded"]
          and february["satisfied"] == totals["satisfied"]
          and february["success_rate"] == totals["survey_success_rate"]["percent"]
          and february["satisfaction_rate"] == totals["satisfaction_rate"]["percent"], (february, totals))
    check("trend: a month without surveys has zeros and null rates",
          trend[0] == {"month": "2024-01", "surveyed": 0, "reached": 0, "satisfied": 0, "success_rate": None,
                       "satisfaction_rate": None}, trend[0])
    status, _, default = context.get("/api/v1/reports/trend", "analyst1")
    check("trend by default: the twelve months to this one", status == 200 and len(default) == 12
          and default[-1]["month"] == "2024-03" and default[0]["month"] == "2023-04", [m["month"] for m in default])
    for query, field in (("from=2024-03&to=2024-01", "from"), ("from=2010-01&to=2024-01", "from"),
                         ("from=2024-13", "from"), ("to=24-01", "to")):
        status, headers, body = request(context.port, "GET", "/api/v1/reports/trend?" + query,
                                        token=context.token("analyst1"))
        check_error(f"trend ?{query}", status, headers, body, 400, "invalid", field)

    status, _, stats = context.get("/api/v1/stats/categories?month=2024-02", "supervisor1")
    start, end = day_start("2024-02-01"), day_start("2024-03-01")
    expected = context.rows("SELECT category, count(*) FROM orders WHERE received_at >= ? AND received_at < ? "
                            "GROUP BY category ORDER BY count(*) DESC, category", (start, end))
    names = dict(context.rows("SELECT code, name FROM categories"))
    check("orders by category: the store's counts, most first",
          [(c["code"] or "", c["orders"]) for c in stats["categories"]] == [tuple(row) for row in expected],
          (stats["categories"][:3], expected[:3]))
    check("orders by category: names", all(c["name"] == names.get(c["code"], "未分类") for c in stats["categories"]))
    check("orders by category: the month's orders", sum(c["orders"] for c in stats["categories"]) ==
          context.rows("SELECT count(*) FROM orders WHERE received_at >= ? AND received_at < ?", (start, end))[0][0])
    status, _, empty = context.get("/api/v1/stats/categories?month=2023-02", "supervisor1")
    check("orders by category: a month without orders", empty == {"month": "2023-02", "categories": []}, empty)


# ---------------------------------------------------------------------------
# 5. The authorization matrix.

POLICY_KEYS = {"session.idle_minutes", "session.absolute_hours", "session.max_per_user", "password.min_length",
               "password.min_classes", "password.history", "password.max_age_days",
               "audit.retention_days"}


def test_password_policy(context):
    """Issue 11, item 4: password history and expiry as the security
    administrator's settings, over the API. GET /api/v1/config lists every
    policy setting; a password older than password.max_age_days still logs
    in, but its session may only change it (403 password_expired
    elsewhere); a password among the last password.history is refused."""
    for username in ("secadmin", "admin", "supervisor1"):
        status, _, settings = context.get("/api/v1/config", username)
        check(f"GET /api/v1/config by {username}: 200", status == 200, status)
        if status != 200:
            continue
        validate(context, f"GET /api/v1/config by {username}", "GET", "/api/v1/config", 200, settings)
        check(f"GET /api/v1/config by {username}: every policy setting listed",
              set(settings.get("policy", {})) == POLICY_KEYS, settings.get("policy"))
        check(f"GET /api/v1/config by {username}: history 5 and expiry 90 days by default",
              settings["policy"].get("password.history") == 5 and settings["policy"].get("password.max_age_days") == 90,
              settings["policy"])

    status, _, created = context.send("POST", "/api/v1/users", {"username": "aged1", "name": "老密码", "role": "agent",
                                                              "password": "aged password 1"}, "secadmin")
    check("a user for the password tests", status == 201, (status, created))
    status, _, grant = request_json(context.port, "POST", "/api/v1/login",
                                    {"username": "aged1", "password": "aged password 1"})
    check("a fresh password: no change asked", status == 200 and grant.get("must_change_password") is False, grant)
    validate(context, "login", "POST", "/api/v1/login", 200, grant)
    # The password set 91 days before the server's fixed now.
    context.db().execute("UPDATE users SET password_changed_at = ? WHERE username = 'aged1'", (NOW - 91 * 86400,))
    status, _, grant = request_json(context.port, "POST", "/api/v1/login",
                                    {"username": "aged1", "password": "aged password 1"})
    check("an expired password logs in, and the login says it must be changed",
          status == 200 and grant.get("must_change_password") is True, (status, grant))
    token = grant.get("token")
    for method, path in (("GET", "/api/v1/orders"), ("GET", "/api/v1/config"), ("GET", "/api/v1/units"),
                         ("GET", "/api/v1/orders/counts")):
        status, headers, raw = request(context.port, method, path, token=token)
        check_error(f"expired password: {method} {path}", status, headers, raw, 403, "password_expired", "password")
    status, _, me = request_json(context.port, "GET", "/api/v1/me", token=token)
    check("expired password: /me answers and says so", status == 200 and me.get("must_change_password") is True,
          (status, me))
    validate(context, "/me of an expired password", "GET", "/api/v1/me", 200, me)
    status, headers, raw = request(context.port, "POST", "/api/v1/password",
                                   json.dumps({"old": "aged password 1", "new": "aged password 1"}),
                                   {"Content-Type": "application/json"}, token)
    check_error("the password in use again", status, headers, raw, 400, "invalid", "new")
    status, _, changed = request_json(context.port, "POST", "/api/v1/password",
                                      {"old": "aged password 1", "new": "aged password 2"}, token=token)
    check("expired password: the change is allowed", status == 200, (status, changed))
    status, _, _ = request_json(context.port, "GET", "/api/v1/orders", token=token)
    check("changed: the same session reads orders again", status == 200, status)
    status, _, me = request_json(context.port, "GET", "/api/v1/me", token=token)
    check("changed: /me says no change is asked", status == 200 and me.get("must_change_password") is False, me)
    status, headers, raw = request(context.port, "PUT", "/api/v1/users/aged1", json.dumps({"password": "aged password 1"}),
                                   {"Content-Type": "application/json"}, context.token("secadmin"))
    check_error("a reset to one of the last passwords", status, headers, raw, 400, "invalid", "password")

    # 0 turns each off.
    for key in ("password.max_age_days", "password.history"):
        status, _, settings = context.send("PUT", f"/api/v1/config/{key}", {"value": "0"}, "secadmin")
        check(f"{key} 0 set", status == 200 and settings["policy"][key] == 0, (status, settings))
    context.db().execute("UPDATE users SET password_changed_at = ? WHERE username = 'aged1'", (NOW - 3650 * 86400,))
    status, _, grant = request_json(context.port, "POST", "/api/v1/login",
                                    {"username": "aged1", "password": "aged password 2"})
    check("max_age_days 0: no password expires", status == 200 and grant.get("must_change_password") is False, grant)
    status, _, _ = context.send("PUT", "/api/v1/users/aged1", {"password": "aged password 2"}, "secadmin")
    check("history 0: the password in use may be set again", status == 200, status)
    for key, value in (("password.max_age_days", "90"), ("password.history", "5")):
        status, _, _ = context.send("PUT", f"/api/v1/config/{key}", {"value": value}, "secadmin")
        check(f"{key} back to {value}", status == 200, status)
    for value in ("-1", "3651", "ninety"):
        status, headers, raw = request(context.port, "PUT", "/api/v1/config/password.max_age_days",
                                       json.dumps({"value": value}), {"Content-Type": "application/json"},
                                       context.token("secadmin"))
        check_error(f"password.max_age_days {value!r}", status, headers, raw, 400, "invalid", "value")

    # The audit's retention (issue 11, item 3): 180 days by default, the
    # security administrator's, 180 to 3650; out of range 400, kept.
    status, _, settings = context.get("/api/v1/config", "secadmin")
    check("audit.retention_days 180 by default", settings.get("policy", {}).get("audit.retention_days") == 180,
          settings.get("policy"))
    for value in ("179", "3651", "half a year", "-180"):
        status, headers, raw = request(context.port, "PUT", "/api/v1/config/audit.retention_days",
                                       json.dumps({"value": value}), {"Content-Type": "application/json"},
                                       context.token("secadmin"))
        check_error(f"audit.retention_days {value!r}", status, headers, raw, 400, "invalid", "value")
    status, _, _ = context.send("PUT", "/api/v1/config/audit.retention_days", {"value": "400"}, "admin")
    check("audit.retention_days: the system administrator's is refused", status == 403, status)
    status, _, settings = context.send("PUT", "/api/v1/config/audit.retention_days", {"value": "400"}, "secadmin")
    check("audit.retention_days 400 set", status == 200 and settings["policy"]["audit.retention_days"] == 400,
          (status, settings))
    status, _, settings = context.send("PUT", "/api/v1/config/audit.retention_days", {"value": "180"}, "secadmin")
    check("audit.retention_days back to 180", status == 200, status)


def expect(allowed, code=200, refused=403, none=401, **special):
    """Expected statuses: code (or a set) for the allowed roles, refused for
    the others, none without a session; special overrides by role."""
    table = {role: (code if role in allowed else refused) for role in ROLES}
    table["none"] = none
    table.update(special)
    return table


ALL = ROLES
# Every role but the security and audit administrators reads orders.
READERS = [role for role in ROLES if role not in ("secadmin", "auditor")]
REPORTERS = ["dispatcher", "supervisor", "analyst", "sysadmin"]
OPEN = {role: 200 for role in ROLES + ["none"]}
MATRIX = {
    "GET /healthz": OPEN,
    "GET /metrics": OPEN,
    "GET /api/v1/openapi.json": OPEN,
    "POST /api/v1/login": OPEN,
    "POST /api/v1/logout": expect(ALL),
    "POST /api/v1/password": expect(ALL),
    "GET /api/v1/me": expect(ALL),
    "GET /api/v1/workflow": expect(ALL),
    "GET /api/v1/orders": expect(READERS),
    "POST /api/v1/orders": expect(["agent", "dispatcher"], 201),
    "GET /api/v1/orders/counts": expect(READERS),
    "GET /api/v1/orders/{number}": expect(READERS),
    "GET /api/v1/orders/{number}/events": expect(READERS),
    "GET /api/v1/orders/{number}/earlier": expect(READERS),
    # Issue 15: finding a caller by phone, the roles that see numbers in full.
    "GET /api/v1/callers": expect(["agent", "dispatcher", "supervisor", "surveyor"]),
    "GET /api/v1/audit/phone-reads": expect(["auditor"]),
    "GET /api/v1/audit/security-events": expect(["auditor"]),
    # remind on a dispatched order: the workflow's roles; a surveyor may not
    # read an open order at all.
    "POST /api/v1/orders/{number}/actions/{action}": expect(["dispatcher", "supervisor"], surveyor=404),
    "GET /api/v1/units": expect(ALL),
    "POST /api/v1/units": expect(["sysadmin"]),
    "GET /api/v1/categories": expect(ALL),
    "POST /api/v1/categories": expect(["sysadmin"]),
    "GET /api/v1/users": expect(["secadmin"]),
    "POST /api/v1/users": expect(["secadmin"], 201),
    "PUT /api/v1/users/{username}": expect(["secadmin"]),
    "GET /api/v1/calendar": expect(ALL),
    "POST /api/v1/calendar": expect(["sysadmin"], {200, 201}),
    "GET /api/v1/config": expect(["supervisor", "sysadmin", "secadmin"]),
    "PUT /api/v1/config/{key}": expect(["sysadmin"]),
    "GET /api/v1/reports": expect(REPORTERS),
    "GET /api/v1/reports/trend": expect(REPORTERS),
    "GET /api/v1/reports/{month}": expect(REPORTERS),
    # Publishing a month is the analyst's act alone (docs/security.md,
    # "Published bulletins"); the matrix publishes February once.
    "POST /api/v1/reports/{month}/publish": expect(["analyst"], 201),
    "GET /api/v1/stats/categories": expect(REPORTERS),
    "GET /api/v1/apikeys": expect(["secadmin"]),
    "POST /api/v1/apikeys": expect(["secadmin"], 201),
    "DELETE /api/v1/apikeys/{id}": expect(["secadmin"]),
}
# Routes whose refusals depend on the order and the workflow, not on the
# role alone: their x-roles name every role that may try.
DATA_DEPENDENT = {"POST /api/v1/orders/{number}/actions/{action}"}


def operations(document):
    """(METHOD, pattern) of every operation of the document, in its order."""
    found = []
    for pattern, item in document["paths"].items():
        if pattern.endswith("*"):
            continue
        for method in item:
            if method in ("get", "post", "put", "delete", "patch"):
                found.append((method.upper(), pattern))
    return found


class Samples:
    """A request per route that a permitted role's call would get right."""

    def __init__(self, context, readable, open_order):
        self.context = context
        self.readable = readable
        self.open_order = open_order
        self.sequence = 0

    def build(self, method, pattern, role):
        """Returns (path, body or None, extra headers, username or None, token override)."""
        self.sequence += 1
        username = USERS.get(role)
        path = pattern.replace("{number}", self.readable).replace("{month}", "2024-02")
        body, headers, token = None, {}, None
        key = f"{method} {pattern}"
        if key == "POST /api/v1/login":
            body = {"username": username or "agent1", "password": DEMO_PASSWORD}
            username = None
        elif key == "POST /api/v1/logout":
            token = login(self.context.port, username) if username else None
        elif key == "POST /api/v1/password":
            body = {"old": DEMO_PASSWORD, "new": DEMO_PASSWORD}
        elif key == "POST /api/v1/orders":
            body = {"type": "inquiry", "title": f"矩阵测试 {self.sequence}", "content": "矩阵测试"}
        elif key == "POST /api/v1/orders/{number}/actions/{action}":
            path = f"/api/v1/orders/{self.open_order}/actions/remind"
            status, _, order = self.context.get(f"/api/v1/orders/{self.open_order}", "supervisor1")
            headers = {"If-Match": f'"{order["version"]}"'}
            body = {"note": "矩阵催办"}
        elif key == "POST /api/v1/units":
            current = [u for u in self.context.get("/api/v1/units")[2]["units"] if u["code"] == "xiaodian"][0]
            body = {"code": "xiaodian", "name": current["name"], "group": current["group"], "active": True}
        elif key == "POST /api/v1/categories":
            current = [c for c in self.context.get("/api/v1/categories")[2]["categories"]
                       if c["code"] == "community"][0]
            body = {k: v for k, v in current.items() if v is not None}
        elif key == "POST /api/v1/users":
            body = {"username": f"matrix-{role}-{self.sequence}", "role": "agent", "password": "matrix-secret"}
        elif key == "PUT /api/v1/users/{username}":
            path = "/api/v1/users/agent2"
            body = {"name": "李静"}
        elif key == "POST /api/v1/calendar":
            body = {"date": "2024-03-02", "kind": "holiday", "name": "周末"}
        elif key == "PUT /api/v1/config/{key}":
            path = "/api/v1/config/due_soon_days"
            body = {"value": "1"}
        elif key == "POST /api/v1/apikeys":
            body = {"name": f"矩阵测试 {role} {self.sequence}", "rate_per_minute": 10}
        elif key == "DELETE /api/v1/apikeys/{id}":
            # A key of its own to revoke, made by the security administrator.
            status, _, created = self.context.send("POST", "/api/v1/apikeys", {"name": f"待撤销 {self.sequence}"},
                                                   "secadmin")
            path = f"/api/v1/apikeys/{created['id']}"
        elif key == "POST /api/v1/reports/{month}/publish":
            body = {}
        elif key == "GET /api/v1/reports/trend":
            path += "?from=2024-01&to=2024-02"
        elif key == "GET /api/v1/stats/categories":
            path += "?month=2024-02"
        elif key == "GET /api/v1/callers":
            path += "?phone=13800138000"
        if token is None and username is not None:
            token = self.context.token(username)
        return path, body, headers, token


def test_matrix(context, readable, open_order):
    document = context.document
    samples = Samples(context, readable, open_order)
    seen = set()
    # Each role changes its password to itself (the demo's, which the later
    # sections log in with): password.history would refuse that, so it is
    # off for the matrix and back after it.
    status, _, _ = context.send("PUT", "/api/v1/config/password.history", {"value": "0"}, "secadmin")
    check("matrix: password.history off", status == 200, status)
    for method, pattern in operations(document):
        key = f"{method} {pattern}"
        seen.add(key)
        if not check(f"{key}: has an entry in the authorization matrix", key in MATRIX):
            continue
        expected = MATRIX[key]
        operation = document["paths"][pattern][method.lower()]
        # The document says the same as the matrix.
        x_roles = operation.get("x-roles")
        allowed = sorted(role for role in ROLES if expected[role] not in (401, 403, 404))
        if x_roles == "open":
            check(f"{key}: open in the document and here", all(code == 200 for code in expected.values()))
        elif key not in DATA_DEPENDENT:
            check(f"{key}: x-roles agrees with the matrix", sorted(x_roles or []) == allowed, (x_roles, allowed))
        for role in ROLES + ["none"]:
            path, body, headers, token = samples.build(method, pattern, role if role != "none" else None)
            if role == "none":
                token = None
                headers = dict(headers)
            raw = json.dumps(body, ensure_ascii=False) if body is not None else None
            if raw is not None:
                headers["Content-Type"] = "application/json"
            status, answer_headers, answer = request(context.port, method, path, raw, headers, token)
            wanted = expected[role]
            wanted_set = wanted if isinstance(wanted, set) else {wanted}
            check(f"{key} as {role}: {sorted(wanted_set)}", status in wanted_set, f"{status}: {answer[:200]!r}")
            if status >= 400:
                check(f"{key} as {role}: the error body", error_body_ok(answer_headers, answer), answer[:200])
                if status == 401:
                    check(f"{key} without a session: WWW-Authenticate", answer_headers.get("www-authenticate") == "Bearer")
            elif answer_headers.get("content-type", "").startswith("application/json"):
                validate(context, f"{key} as {role}", method, pattern, status, json.loads(answer))
    for key in MATRIX:
        check(f"matrix entry {key} is a route of the document", key in seen)
    status, _, _ = context.send("PUT", "/api/v1/config/password.history", {"value": "5"}, "secadmin")
    check("matrix: password.history back to 5", status == 200, status)
    # Issue 11, "Publishing a bulletin becomes an act": the matrix published
    # February as the analyst; the month's bulletin now carries its record
    # (docs/bulletin.schema.json), and publishing it again is refused.
    status, _, bulletin = context.get("/api/v1/reports/2024-02", "analyst1")
    publication = bulletin.get("publication") if status == 200 else None
    check("published bulletin: the record", publication is not None and publication["edition"] == 1
          and publication["published_by"] == "analyst1"
          and publication["published"]["surveyed"] == bulletin["totals"]["base"], repr(publication)[:200])
    if jsonschema is not None and status == 200:
        schema_path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "bulletin.schema.json")
        errors = list(jsonschema.Draft202012Validator(json.load(open(schema_path, encoding="utf-8")))
                      .iter_errors(bulletin))
        check("published bulletin: valid against docs/bulletin.schema.json", not errors,
              errors[0].message[:200] if errors else None)
    status, headers, body = request(context.port, "POST", "/api/v1/reports/2024-02/publish", "{}",
                                    {"Content-Type": "application/json"}, context.token("analyst1"))
    check_error("published bulletin: a second publication", status, headers, body, 409, "conflict", "month")


# ---------------------------------------------------------------------------
# 6. Hostile input on every route, and the store unchanged.

def fingerprint(context):
    """A digest of every table a request could change, sessions aside."""
    digest = hashlib.sha256()
    store = context.db()
    tables = [table for table in store.tables() if table != "sessions"]
    for table in tables:
        digest.update(store.table_digest(table).encode())
    counts = {table: store.rows(f"SELECT count(*) FROM \"{table}\"")[0][0]
              for table in ("orders", "events", "users")}
    return digest.hexdigest(), counts


HOSTILE_VALUES = ["' OR '1'='1", "1; DROP TABLE orders; --", "\" OR \"\"=\"", "%", "\\", "x' UNION SELECT "
                  "password_hash FROM users --"]


def body_token(context, key):
    """A token that passes every check before the body is read."""
    if key == "POST /api/v1/orders":
        return context.token("agent1")
    if key.startswith("POST /api/v1/orders/"):
        return context.token("dispatcher1")
    if key == "POST /api/v1/login":
        return None
    if "/users" in key or "/apikeys" in key:
        return context.token("secadmin")
    if "/audit/" in key:
        return context.token("auditor")
    if key.endswith("/publish"):
        return context.token("analyst1")
    return context.token("admin")


def expired_token(context):
    """A session that expired an hour before the fixed now, written straight
    into the store (the server keeps only a token's BLAKE2b-256 hash)."""
    token = secrets.token_hex(32)
    token_hash = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
    context.db().execute("INSERT INTO sessions(token_hash, username, created_at, expires_at, revoked) "
                         "VALUES(?, 'admin', ?, ?, 0)", (token_hash, NOW - 13 * 3600, NOW - 3600))
    return token


def test_hostile(context, readable):
    document = context.document
    expired = expired_token(context)
    revoked = login(context.port, "admin")
    request_json(context.port, "POST", "/api/v1/logout", token=revoked)
    before, counts_before = fingerprint(context)
    for method, pattern in operations(document):
        key = f"{method} {pattern}"
        operation = document["paths"][pattern][method.lower()]
        path = (pattern.replace("{number}", readable).replace("{month}", "2024-02").replace("{action}", "remind")
                .replace("{username}", "agent2").replace("{key}", "sign_days").replace("{id}", "1"))
        token = body_token(context, key)
        is_open = operation.get("x-roles") == "open"
        # Sessions: none, forged, malformed, expired, revoked, not Bearer.
        if not is_open:
            for name, headers in (("no token", {}), ("forged", {"Authorization": "Bearer " + "a" * 64}),
                                  ("SQL in the token", {"Authorization": "Bearer ' OR '1'='1"}),
                                  ("expired", {"Authorization": f"Bearer {expired}"}),
                                  ("revoked", {"Authorization": f"Bearer {revoked}"}),
                                  ("Basic", {"Authorization": "Basic YWRtaW46aG90bGluZS1kZW1v"}),
                                  ("forged cookie", {"Cookie": "hotline_session=" + "b" * 64})):
                status, headers_out, body = request(context.port, method, path, None, headers)
                check_error(f"{key}, {name}", status, headers_out, body, 401, "unauthorized")
        # The path: invalid UTF-8 in its last segment.
        status, headers_out, body = request(context.port, method, path + "%FF%FE", None, {}, token)
        check_error(f"{key}, invalid UTF-8 in the path", status, headers_out, body, 400, "invalid", "path")
        # Every query parameter the document names, lang included.
        names = [parameter.get("name") for parameter in operation.get("parameters", [])
                 if parameter.get("in") == "query" or "$ref" in parameter]
        names = ["lang" if name is None else name for name in names]
        query_token = token if not key.startswith("POST /api/v1/orders/") else context.token("dispatcher1")
        for name in names:
            for value in HOSTILE_VALUES + ["\udcff", "A" * 10000]:
                encoded = "%FF%FE" if value == "\udcff" else urllib.parse.quote(value, safe="")
                status, headers_out, body = request(context.port, method, f"{path}?{name}={encoded}", None,
                                                    {"Content-Type": "application/json"}, query_token)
                label = f"{key} ?{name}={value[:24]!r}"
                if name == "q" and value in HOSTILE_VALUES:
                    # A search text is data: the orders holding it, none here.
                    answer = json.loads(body) if status == 200 else {}
                    check(f"{label}: a search for the text itself", status == 200
                          and answer.get("total") == len(oracle(context, "supervisor", {"q": value})), (status, body[:200]))
                elif name == "user" and value in HOSTILE_VALUES:
                    # A reader's name is data too: nobody is called that.
                    answer = json.loads(body) if status == 200 else {}
                    check(f"{label}: the reads of a reader of that name, none", status == 200
                          and answer.get("total") == 0, (status, body[:200]))
                elif method != "GET":
                    # Writes take no query parameters but lang; the body decides.
                    check(f"{label}: 4xx", 400 <= status < 500, status)
                    check(f"{label}: the error body", error_body_ok(headers_out, body), body[:200])
                else:
                    check_error(label, status, headers_out, body, 400, "invalid", name)
        # Bodies of the routes that take one.
        if "requestBody" not in operation:
            continue
        headers = {"If-Match": '"1"'} if "{action}" in pattern else {}
        bodies = [
            ("malformed JSON", b'{"title": ', "application/json", 400),
            ("deeply nested arrays", b"[" * 50000 + b"]" * 50000, "application/json", 400),
            ("deeply nested objects", b'{"a":' * 5000 + b"1" + b"}" * 5000, "application/json", 400),
            ("duplicate keys", b'{"name": "a", "name": "b", "code": "c"}', "application/json", 400),
            ("invalid UTF-8", b'{"name": "\xff\xfe", "code": "c"}', "application/json", 400),
            ("a NUL escape", b'{"name": "a\\u0000b", "code": "c"}', "application/json", 400),
            ("an array", b"[]", "application/json", 400),
            ("null", b"null", "application/json", 400),
            ("an unknown key", b'{"' + b"x" * 40 + b'": "y"}', "application/json", 400),
            ("empty", b"", "application/json", 400),
            ("trailing data", b"{} {}", "application/json", 400),
            ("text/plain", b"{}", "text/plain", 415),
            ("form data", b"a=b", "application/x-www-form-urlencoded", 415),
        ]
        for name, raw, content_type, expected in bodies:
            status, headers_out, body = request(context.port, method, path, raw,
                                                dict(headers, **{"Content-Type": content_type}), token)
            check_error(f"{key}, {name}", status, headers_out, body, expected)
        status, headers_out, body = request_declared_only(context.port, method, path, 2 * 1024 * 1024,
                                                          dict(headers, **{"Content-Type": "application/json"}), token)
        check_error(f"{key}, a 2 MiB body", status, headers_out, body, 413, "too_large")
    after, counts_after = fingerprint(context)
    check("hostile input changed nothing in the store", before == after and counts_before == counts_after,
          (counts_before, counts_after))
    # Logins with hostile bodies are refused without counting as failures.
    status, _, _ = request_json(context.port, "POST", "/api/v1/login", {"username": "admin", "password": DEMO_PASSWORD})
    check("the administrator still logs in", status == 200, status)
    status, headers, body = request(context.port, "GET", "/healthz")
    check("the server still answers", status == 200)


# ---------------------------------------------------------------------------
# Intake: the citizen's consent to publication and the received time.

def test_intake(context):
    base = {"type": "help", "title": "同意公开", "content": "intake 测试", "channel": "open311"}
    # Issue 11, finding 4: consent is recorded only when asked, whatever the
    # channel, and the order shows it.
    status, _, order = context.send("POST", "/api/v1/orders", base, "agent1")
    check("finding 4: /api/v1 under the channel open311: 201", status == 201, status)
    check("finding 4: no consent unless asked", order is not None and order.get("publish_consent") is False,
          repr(order)[:200])
    status, _, order = context.send("POST", "/api/v1/orders", dict(base, publish_consent=True), "agent1")
    check("finding 4: consent asked and given: shown in the order",
          status == 201 and order.get("publish_consent") is True, repr(order)[:200])
    if status == 201:
        validate(context, "finding 4: the order with consent", "POST", "/api/v1/orders", 201, order)
        status, _, again = context.get(f"/api/v1/orders/{order['number']}", "analyst1")
        check("finding 4: GET shows the consent", status == 200 and again.get("publish_consent") is True)
    status, headers, body = request(context.port, "POST", "/api/v1/orders",
                                    json.dumps(dict(base, publish_consent="true")), {"Content-Type": "application/json"},
                                    context.token("agent1"))
    check_error("finding 4: publish_consent must be a boolean", status, headers, body, 400, "invalid",
                "publish_consent")

    # Issue 11, finding 7: a received time years in the past was accepted.
    # The API takes at most HL_RECEIVED_PAST_DAYS (7) days back and 5
    # minutes ahead; older history comes in through `hotline import`.
    before, counts_before = fingerprint(context)
    for label, when in (("years in the past", "2019-03-01T10:00:00+08:00"),
                        ("8 days in the past", "2024-02-22T09:59:00+08:00"),
                        ("a day ahead", "2024-03-02T10:00:00+08:00")):
        for language, marker in (("zh-CN", "受理时间"), ("en", "received time")):
            status, headers, body = request(context.port, "POST", "/api/v1/orders",
                                            json.dumps(dict(base, received_at=when)),
                                            {"Content-Type": "application/json", "Accept-Language": language},
                                            context.token("agent1"))
            check_error(f"finding 7: a received time {label} ({language})", status, headers, body, 400,
                        "invalid", "received_at")
            message = json.loads(body)["error"]["message"] if status == 400 else ""
            check(f"finding 7: {label}: the message in {language}", marker in message, message)
    after, counts_after = fingerprint(context)
    check("finding 7: the refused registrations wrote nothing", before == after and counts_before == counts_after,
          (counts_before, counts_after))
    status, _, order = context.send("POST", "/api/v1/orders", dict(base, received_at="2024-02-23T10:00:00+08:00"),
                                    "agent1")
    check("finding 7: a call of 7 days ago is still taken", status == 201, f"{status} {repr(order)[:200]}")


# ---------------------------------------------------------------------------
# Issue 15, item 1: the caller's history on the call. Three orders of one
# number written three ways (a foreign number, which no demo order has):
# one left new, one dispatched to the handler's unit, one resolved.

CALLER = ("+44 20 7946 0415", "0044 20 7946 0415", "+44-20-7946-0415")
NO_CALLER = "+44 20 7946 0999"


def caller_query(phone, **more):
    return urllib.parse.urlencode(dict(more, phone=phone))


def audited_routes(context, number):
    status, _, reads = context.get(f"/api/v1/audit/phone-reads?order={number}", "auditor")
    return [read["route"] for read in reads["reads"]] if status == 200 else []


def test_callers(context):
    numbers = [register(context, f"来电历史 {index}", citizen_phone=phone) for index, phone in enumerate(CALLER)]
    new, dispatched, resolved = numbers
    status, _, answer = act(context, dispatched, "dispatch", {"unit": HANDLER_UNIT}, "dispatcher1")
    check("callers: dispatched to the handler's unit", status == 200, status)
    status, _, answer = act(context, resolved, "resolve", {"note": "已当场答复"}, "agent1")
    check("callers: resolved at intake", status == 200 and answer["state"] == "completed", answer)

    # The list's phone filter: found however the number is written.
    for phone in CALLER + ("442079460415",):
        status, _, answer = context.get("/api/v1/orders?" + caller_query(phone), "agent1")
        check(f"list phone={phone!r}: the caller's three orders", status == 200 and answer["total"] == 3
              and sorted(order["number"] for order in answer["orders"]) == sorted(numbers), answer)
    status, _, answer = context.get("/api/v1/orders?" + caller_query(CALLER[0], state="completed"), "supervisor1")
    check("list phone= with state=: the filters intersect", status == 200
          and [order["number"] for order in answer["orders"]] == [resolved], answer)
    status, _, answer = context.get("/api/v1/orders?" + caller_query(NO_CALLER), "dispatcher1")
    check("list phone=: a number without orders is an empty list", status == 200 and answer["total"] == 0
          and answer["orders"] == [], answer)
    # Every full number the search gave out is in the audit, by its route.
    check("list phone=: each full number given out is audited",
          all("GET /api/v1/orders" in audited_routes(context, number) for number in numbers))
    for label, phone in (("letters", "138abc"), ("no digit", "+ - "), ("empty", ""), ("two digits", "12"),
                         ("SQL", "1' OR '1'='1"), ("25 characters", "1" * 25)):
        for route in ("/api/v1/orders?", "/api/v1/callers?"):
            status, headers, body = request(context.port, "GET", route + caller_query(phone), None, {},
                                            context.token("agent1"))
            check_error(f"{route[:-1]} phone= {label}: 400", status, headers, body, 400, "invalid", "phone")
    # Issue 15, item 1: a role that sees numbers masked may not search by
    # them, or the search would confirm a number its mask hides (a unit's
    # handler among them: its list stays its unit's, without a phone search).
    for username in ("analyst1", "admin", "h-xiaodian"):
        for route in ("/api/v1/orders?", "/api/v1/callers?"):
            status, headers, body = request(context.port, "GET", route + caller_query(CALLER[0]), None, {},
                                            context.token(username))
            check_error(f"issue 15: {username} searching {route[:-1]} by phone: 403", status, headers, body, 403,
                        "forbidden", "phone")
    status, _, answer = context.get("/api/v1/orders?" + caller_query(CALLER[0]), "surveyor1")
    check("list phone=: a surveyor's search stays in its scope (finished orders)", status == 200
          and [order["number"] for order in answer["orders"]] == [resolved], answer)

    # The caller's orders at intake: open ones first, the counts, the flag.
    status, _, answer = context.get("/api/v1/callers?" + caller_query(CALLER[1]), "agent1")
    if check("callers: 200", status == 200, (status, answer)):
        validate(context, "callers", "GET", "/api/v1/callers", 200, answer)
        check("callers: the open orders first, newest first, then the others",
              [order["number"] for order in answer["orders"]] == [dispatched, new, resolved], answer["orders"])
        check("callers: the counts and the repeat flag", (answer["total"], answer["open"], answer["recent"],
              answer["recent_days"], answer["repeat"]) == (3, 2, 3, 30, True), answer)
        check("callers: the full number for an agent",
              all(order["citizen_phone"] in CALLER for order in answer["orders"]), answer["orders"])
        check("callers: each full number given out is audited",
              all("GET /api/v1/callers" in audited_routes(context, number) for number in numbers))
    status, _, answer = context.get("/api/v1/callers?" + caller_query(CALLER[0], limit="1"), "supervisor1")
    check("callers: limit=1 keeps the newest open order, the counts whole", status == 200
          and [order["number"] for order in answer["orders"]] == [dispatched] and answer["total"] == 3, answer)
    status, _, answer = context.get("/api/v1/callers?" + caller_query(CALLER[0]), "surveyor1")
    check("callers: a surveyor's scope: finished orders only, none open", status == 200
          and [order["number"] for order in answer["orders"]] == [resolved]
          and (answer["total"], answer["open"], answer["repeat"]) == (1, 0, False), answer)
    status, _, answer = context.get("/api/v1/callers?" + caller_query(NO_CALLER), "agent1")
    check("callers: a new caller", status == 200 and answer["orders"] == []
          and (answer["total"], answer["open"], answer["recent"], answer["repeat"]) == (0, 0, 0, False), answer)
    status, headers, body = request(context.port, "GET", "/api/v1/callers", None, {}, context.token("agent1"))
    check_error("callers without phone: 400", status, headers, body, 400, "invalid", "phone")
    status, headers, body = request(context.port, "GET", "/api/v1/callers?" + caller_query(CALLER[0], limit="101"),
                                    None, {}, context.token("agent1"))
    check_error("callers limit=101: 400", status, headers, body, 400, "invalid", "limit")

    # Issue 15, item 5: the timeline names people by their display name.
    status, _, answer = context.get(f"/api/v1/orders/{dispatched}/events", "h-xiaodian")
    if check("events: 200", status == 200, status):
        validate(context, "events", "GET", "/api/v1/orders/{number}/events", 200, answer)
        names = dict(context.rows("SELECT username, display_name FROM users"))
        check("events: each actor_name is the actor's display name",
              all(event["actor_name"] == (names.get(event["actor"]) or None) for event in answer["events"]),
              answer["events"])
        check("events: agent1 and dispatcher1 by name", [event["actor_name"] for event in answer["events"]]
              == [names["agent1"], names["dispatcher1"]] and all(answer["events"][i]["actor_name"] for i in (0, 1)),
              answer["events"])


# ---------------------------------------------------------------------------

def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hotline-api-") as directory:
        environment = {key: value for key, value in os.environ.items() if key not in ("HOTLINE_LANG", "HOTLINE_NOW")}
        db_path = use_demo_store(binary, environment, directory)  # a copy of the demo store (test_store.py)
        # The test keeps one session per user open while it logs the same
        # users in again and again; session.max_per_user (3 by default)
        # would revoke the sessions it holds.
        run_cli(binary, environment, "config", "session.max_per_user", "20")
        environment["HOTLINE_NOW"] = NOW_TEXT
        with Server(binary, environment, directory) as server:
            context = Context(binary, environment, server.port, db_path)
            status, headers, body = request(server.port, "GET", "/api/v1/openapi.json")
            check("openapi.json: 200 without a session", status == 200, status)
            context.document = json.loads(body)
            check("openapi.json: the document in docs/", context.document ==
                  json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.json"),
                                 encoding="utf-8")))
            check("jsonschema is available (Debian's python3-jsonschema)", jsonschema is not None)
            readable = number_of(context.rows("SELECT id FROM orders WHERE lead_unit = ? AND state = 'surveyed' "
                                              "ORDER BY id LIMIT 1", (HANDLER_UNIT,))[0][0])
            open_order = number_of(context.rows("SELECT id FROM orders WHERE lead_unit = ? AND state = 'dispatched' "
                                                "ORDER BY id LIMIT 1", (HANDLER_UNIT,))[0][0])
            numbers = prepare_orders(context)
            sections = (("lists", lambda: test_lists(context, numbers)),
                        ("scopes", lambda: test_scopes(context, numbers)),
                        ("directory", lambda: test_directory(context)),
                        ("reports", lambda: test_reports(context)),
                        ("intake", lambda: test_intake(context)),
                        ("callers", lambda: test_callers(context)),
                        ("password policy", lambda: test_password_policy(context)),
                        ("matrix", lambda: test_matrix(context, readable, open_order)),
                        ("hostile", lambda: test_hostile(context, readable)))
            for name, section in sections:
                started = time.monotonic()
                section()
                print(f"{name}: {time.monotonic() - started:.1f} s")
        verified = subprocess.run([binary, "verify"], env=environment, capture_output=True, timeout=300)
        check("hotline verify after every write: exit 0", verified.returncode == 0,
              (verified.stdout + verified.stderr).decode(errors="replace")[-500:])
    return summary()


if __name__ == "__main__":
    sys.exit(main())
