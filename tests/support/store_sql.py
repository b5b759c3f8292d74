#!/usr/bin/env python3
"""store_sql.py: runs SQL statements on the store HOTLINE_DB names, beside
hotline, for the command-line cases that change a store behind the log's
back (tests/cli/cases/verify.test).

Usage: python3 store_sql.py STATEMENT...

Each statement runs in order, on SQLite through Python's sqlite3 and on
PostgreSQL through psql (tests/support/test_store.py's StoreSQL); the
statements must mean the same on both. Prints nothing; on an error prints
one line and exits 1.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_store import StoreSQL  # noqa: E402


def main():
    address = os.environ.get("HOTLINE_DB", "")
    if not address or len(sys.argv) < 2:
        print("usage: HOTLINE_DB=ADDRESS store_sql.py STATEMENT...", file=sys.stderr)
        return 2
    store = StoreSQL(address)
    for statement in sys.argv[1:]:
        try:
            store.execute(statement)
        except Exception as problem:  # one line, whatever the driver raised
            print(f"store_sql.py: {problem}".replace("\n", " "), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
