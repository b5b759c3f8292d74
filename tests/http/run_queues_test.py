#!/usr/bin/env python3
"""run_queues_test.py: the approval queues of GET /api/v1/orders?pending=
and GET /api/v1/orders/counts against a real `hotline serve` on 127.0.0.1.

Usage: /usr/bin/python3 run_queues_test.py PATH/TO/hotline

On a copy of the demo store (Taiyuan, February 2024; the clock fixed at
2024-03-01T10:00:00+08:00), with the store itself as the oracle
(tests/support/test_store.py: Python's sqlite3 read-only, or psql):

1. Each queue (pending=extension, return, appeal) in every sort holds
   exactly the orders the store says await that decision, for a supervisor
   and within a unit handler's scope, with the unit filter; each row's
   pending member carries the latest request event's reason, author, time
   and (for an extension) the days asked; the counts agree.
2. The life of a request: an extension asked by a handler is in the queue
   (and counted) until a supervisor approves it; a return until the
   dispatcher rejects it; an appeal until a supervisor upholds it. Another
   unit's handler never sees them.
3. A bad pending value is 400 naming pending; an order with nothing pending
   says "pending": null.
Prints "N passed, M failed"; exits 1 on any failure.
"""

import os
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_support import (Server, StoreSQL, check, check_error, login, request, request_json,  # noqa: E402
                          run_cli, summary, use_demo_store)

NOW_TEXT = "2024-03-01T10:00:00+08:00"
HANDLER_UNIT = "xiaodian"
OTHER_HANDLER = "h-yingze"
CO_UNIT = "(',' || co_units || ',') LIKE ('%,' || ? || ',%')"
CONDITIONS = {"extension": "extension_pending_days > 0", "return": "state = 'return_pending'",
              "appeal": "appeal_state = 1"}
REQUESTS = {"extension": "extend-request", "return": "return", "appeal": "appeal"}


class Context:
    def __init__(self, port, db_path):
        self.port = port
        self.db_path = db_path
        self.tokens = {}

    def token(self, username):
        if username not in self.tokens:
            self.tokens[username] = login(self.port, username)
        return self.tokens[username]

    def get(self, path, username="supervisor1"):
        return request_json(self.port, "GET", path, token=self.token(username))

    def rows(self, sql, parameters=()):
        return StoreSQL(self.db_path).rows(sql, parameters)

    def act(self, number, action, fields, username):
        status, _, order = self.get(f"/api/v1/orders/{number}", username)
        version = order["version"] if status == 200 else 1
        status, _, answer = request_json(self.port, "POST", f"/api/v1/orders/{number}/actions/{action}", fields,
                                         token=self.token(username), headers={"If-Match": f'"{version}"'})
        if status != 200:
            raise RuntimeError(f"{action} {number}: {status} {answer}")
        return answer


def number_of(order_id):
    return "%014d" % order_id


def fetch(context, username, filters):
    """Every page of a queue joined: the orders and the total."""
    orders, page = [], 1
    while True:
        query = dict(filters, page=str(page), page_size="200")
        status, _, answer = context.get("/api/v1/orders?" + urllib.parse.urlencode(query), username)
        if status != 200:
            return None, status
        orders += answer["orders"]
        if len(answer["orders"]) < 200:
            return orders, answer["total"]
        page += 1


def oracle(context, kind, scope_unit=None, unit=None, sort="-received"):
    conditions, values = [CONDITIONS[kind]], []
    if scope_unit:
        conditions.append(f"(lead_unit = ? OR {CO_UNIT})")
        values += [scope_unit, scope_unit]
    if unit:
        conditions.append("lead_unit = ?")
        values.append(unit)
    rows = context.rows("SELECT id, received_at, due_at FROM orders WHERE " + " AND ".join(conditions), values)
    if sort == "-received":
        rows.sort(key=lambda row: (-row[1], -row[0]))
    elif sort == "received":
        rows.sort(key=lambda row: (row[1], row[0]))
    else:
        running = sorted((row for row in rows if row[2] > 0), key=lambda row: (row[2], row[0]),
                         reverse=sort == "-deadline")
        rows = running + sorted((row for row in rows if row[2] <= 0), key=lambda row: (-row[1], -row[0]))
    return [number_of(row[0]) for row in rows]


def latest_request(context, kind, order_id):
    """The latest event of the request's action: its note, actor and time."""
    rows = context.rows("SELECT note, actor, at FROM events WHERE order_id = ? AND action = ? ORDER BY seq DESC",
                        (order_id, REQUESTS[kind]))
    return rows[0] if rows else None


def test_queues_match_the_store(context):
    for kind in ("extension", "return", "appeal"):
        for username, scope in (("supervisor1", None), ("dispatcher1", None), (f"h-{HANDLER_UNIT}", HANDLER_UNIT)):
            for sort in ("-received", "received", "deadline", "-deadline"):
                orders, total = fetch(context, username, {"pending": kind, "sort": sort})
                expected = oracle(context, kind, scope_unit=scope, sort=sort)
                listed = [order["number"] for order in orders] if orders is not None else None
                check(f"{username} pending={kind} sort={sort}: the store's orders, in order",
                      listed == expected and total == len(expected), (total, len(expected), (listed or [])[:3]))
        orders, total = fetch(context, "supervisor1", {"pending": kind, "unit": HANDLER_UNIT})
        expected = oracle(context, kind, unit=HANDLER_UNIT)
        check(f"pending={kind}&unit={HANDLER_UNIT}: the unit's orders only",
              [order["number"] for order in orders] == expected and total == len(expected), (total, len(expected)))
        # Each row says what waits and why, as the order's log does.
        orders, _ = fetch(context, "supervisor1", {"pending": kind})
        wrong = []
        for order in orders[:60]:
            pending = order["pending"]
            note, actor, at = latest_request(context, kind, int(order["number"]))
            days = order["extension_pending_days"] if kind == "extension" else None
            if (pending is None or pending["kind"] != kind or pending["reason"] != note or pending["by"] != actor
                    or pending["days"] != days or not pending["at"] or not pending["label"]):
                wrong.append((order["number"], pending, note, actor))
        check(f"pending={kind}: every row carries the request's reason, author, time and days", not wrong, wrong[:2])
    # The counts, for each role that reads orders.
    for username, scope in (("supervisor1", None), (f"h-{HANDLER_UNIT}", HANDLER_UNIT), ("analyst1", None)):
        status, _, counts = context.get("/api/v1/orders/counts", username)
        expected = {kind: len(oracle(context, kind, scope_unit=scope)) for kind in CONDITIONS}
        check(f"{username} counts: pending per queue", status == 200 and counts.get("pending") == expected,
              (counts.get("pending"), expected))
    status, _, counts = context.get("/api/v1/orders/counts", "surveyor1")
    completed = context.rows("SELECT count(*) FROM orders WHERE appeal_state = 1 AND state IN "
                             "('completed', 'surveyed', 'archived')")[0][0]
    check("surveyor counts: its finished orders' appeals, no extension or return",
          counts["pending"] == {"extension": 0, "return": 0, "appeal": completed}, counts["pending"])


def register(context, title):
    body = {"type": "help", "title": title, "content": f"{title}：队列测试", "category": "community"}
    status, _, order = request_json(context.port, "POST", "/api/v1/orders", body, token=context.token("agent1"))
    if status != 201:
        raise RuntimeError(f"register: {status} {order}")
    return order["number"]


def in_queue(context, kind, number, username="supervisor1"):
    orders, _ = fetch(context, username, {"pending": kind, "q": "队列测试"})
    return next((order for order in orders if order["number"] == number), None)


def pending_count(context, kind, username="supervisor1"):
    return context.get("/api/v1/orders/counts", username)[2]["pending"][kind]


def test_requests_enter_and_leave_their_queues(context):
    handler = f"h-{HANDLER_UNIT}"
    extension, returned, appealed = (register(context, f"队列测试 {name}") for name in ("延期", "退单", "申诉"))
    for number in (extension, returned, appealed):
        context.act(number, "dispatch", {"unit": HANDLER_UNIT}, "dispatcher1")
    context.act(extension, "sign", {}, handler)
    context.act(appealed, "sign", {}, handler)

    status, _, order = context.get(f"/api/v1/orders/{extension}")
    check("an order with nothing pending: pending null", status == 200 and order["pending"] is None, order.get("pending"))

    before = pending_count(context, "extension")
    context.act(extension, "extend-request", {"days": 4, "note": "需协调燃气公司停气"}, handler)
    row = in_queue(context, "extension", extension)
    check("an extension asked: in the queue with the days and the reason",
          row is not None and row["pending"]["days"] == 4 and row["pending"]["reason"] == "需协调燃气公司停气"
          and row["pending"]["by"] == handler and row["pending"]["at"].startswith("2024-03-01T10:00"), row and row["pending"])
    check("an extension asked: counted", pending_count(context, "extension") == before + 1)
    check("an extension asked: in the handler's own queue", in_queue(context, "extension", extension, handler))
    check("an extension asked: not in another unit's queue",
          in_queue(context, "extension", extension, OTHER_HANDLER) is None)
    status, _, order = context.get(f"/api/v1/orders/{extension}")
    check("the order itself says what awaits a decision", order["pending"] == row["pending"], order["pending"])
    context.act(extension, "extend-approve", {}, "supervisor1")
    check("an extension approved: out of the queue", in_queue(context, "extension", extension) is None)
    check("an extension approved: no longer counted", pending_count(context, "extension") == before)

    before = pending_count(context, "return")
    context.act(returned, "return", {"note": "不属本单位职责"}, handler)
    row = in_queue(context, "return", returned, "dispatcher1")
    check("a return: in the dispatcher's queue with the unit's reason",
          row is not None and row["pending"]["reason"] == "不属本单位职责" and row["pending"]["days"] is None, row)
    check("a return: counted", pending_count(context, "return", "dispatcher1") == before + 1)
    context.act(returned, "return-reject", {"note": "属本单位职责"}, "dispatcher1")
    check("a return rejected: out of the queue", in_queue(context, "return", returned, "dispatcher1") is None)

    before = pending_count(context, "appeal")
    context.act(appealed, "complete", {"note": "已处理"}, handler)
    context.act(appealed, "appeal", {"note": "诉求人留错号码"}, handler)
    row = in_queue(context, "appeal", appealed)
    check("an appeal: in the queue with the unit's grounds",
          row is not None and row["pending"]["reason"] == "诉求人留错号码", row and row["pending"])
    check("an appeal: counted", pending_count(context, "appeal") == before + 1)
    check("an appeal: not in another unit's queue", in_queue(context, "appeal", appealed, OTHER_HANDLER) is None)
    context.act(appealed, "appeal-uphold", {"note": "经核实号码有误"}, "supervisor1")
    check("an appeal upheld: out of the queue", in_queue(context, "appeal", appealed) is None)
    check("an appeal upheld: no longer counted", pending_count(context, "appeal") == before)


def test_bad_values(context):
    for value in ("soon", "", "EXTENSION", "extension,appeal", "%E5%BB%B6"):
        status, headers, body = request(context.port, "GET", "/api/v1/orders?pending=" + value,
                                        token=context.token("supervisor1"))
        check_error(f"pending={value!r}: 400 naming pending", status, headers, body, 400, "invalid", "pending")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hotline-queues-") as directory:
        environment = {key: value for key, value in os.environ.items() if key not in ("HOTLINE_LANG", "HOTLINE_NOW")}
        db_path = use_demo_store(binary, environment, directory)
        run_cli(binary, environment, "config", "session.max_per_user", "20")
        environment["HOTLINE_NOW"] = NOW_TEXT
        with Server(binary, environment, directory) as server:
            context = Context(server.port, db_path)
            check("the demo has extension requests and returns awaiting a decision",
                  context.rows("SELECT count(*) FROM orders WHERE extension_pending_days > 0")[0][0] > 0
                  and context.rows("SELECT count(*) FROM orders WHERE state = 'return_pending'")[0][0] > 0)
            test_queues_match_the_store(context)
            test_requests_enter_and_leave_their_queues(context)
            test_queues_match_the_store(context)  # again, with the test's own requests decided
            test_bad_values(context)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
