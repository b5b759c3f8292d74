#!/usr/bin/env python3
"""store_sql.py: runs SQL statements on the store HOTLINE_DB names, beside
hotline, for the command-line cases that change a store behind the log's
back (tests/cli/cases/verify.test).

Usage: python3 store_sql.py [--past-append-only] STATEMENT...

With --past-append-only the statements may change and delete rows of the
append-only logs (events, personal_data_reads, security_events) and the
published bulletins (published_bulletins), as someone
with the database's own rights could: on SQLite the logs' triggers are
dropped first, on PostgreSQL each statement runs with
session_replication_role = replica, which fires no trigger. The hash-chain
cases of tests/cli/cases/verify.test tamper this way.

A statement written "sqlite:STATEMENT" or "postgres:STATEMENT" runs on
that backend only (for the tables whose layout differs, such as the sharded
counts of PostgreSQL). Each statement runs in order, on SQLite through Python's sqlite3 and on
PostgreSQL through psql (tests/support/test_store.py's StoreSQL); the
statements must mean the same on both. Prints nothing; on an error prints
one line and exits 1.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_store import StoreSQL  # noqa: E402


# SQLite's triggers that keep the logs append-only (sqlite_schema.c).
APPEND_ONLY_TRIGGERS = ["events_no_update", "events_no_delete", "personal_data_reads_no_update",
                        "personal_data_reads_no_delete", "security_events_no_update",
                        "security_events_no_delete", "published_bulletins_no_update",
                        "published_bulletins_no_delete"]


def main():
    address = os.environ.get("HOTLINE_DB", "")
    arguments = sys.argv[1:]
    past = bool(arguments) and arguments[0] == "--past-append-only"
    if past:
        arguments = arguments[1:]
    if not address or not arguments:
        print("usage: HOTLINE_DB=ADDRESS store_sql.py [--past-append-only] STATEMENT...",
              file=sys.stderr)
        return 2
    store = StoreSQL(address)
    backend = "postgres:" if store.postgres else "sqlite:"
    arguments = [a[len(backend):] if a.startswith(backend) else a for a in arguments
                 if not a.startswith("sqlite:" if store.postgres else "postgres:")]
    statements = arguments
    if past and store.postgres:
        statements = ["SET session_replication_role = replica; " + s for s in arguments]
    elif past:
        statements = ["DROP TRIGGER IF EXISTS " + name for name in APPEND_ONLY_TRIGGERS] + arguments
    for statement in statements:
        try:
            store.execute(statement)
        except Exception as problem:  # one line, whatever the driver raised
            print(f"store_sql.py: {problem}".replace("\n", " "), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
