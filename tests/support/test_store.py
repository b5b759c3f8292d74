"""test_store.py: the store a Python test harness runs on, on either backend.

The Python twin of tests/support/test_support.c's test_store_address: with
HOTLINE_TEST_BACKEND=postgres (set by CTest for the <name>_pg copies) a
fresh database made with createdb on the server HOTLINE_TEST_PG names
(scripts/pg-throwaway.sh prints such an address), else DIRECTORY/hotline.db.
And SQL beside the store for the harnesses that read it as their oracle:
Python's sqlite3 for a file, the psql program for a PostgreSQL address (no
driver to install; each statement is one psql run, its rows as JSON).
"""

import json
import os
import sqlite3
import subprocess
import time


class StoreError(RuntimeError):
    """No store to run on (the message says why)."""


# The schema version each backend's store is at after hotline init: the
# number of its migrations (store/sqlite/sqlite_schema.c,
# store/postgres/pg_schema.c). Written here, not asked of hotline, so that
# a migration added without its tests fails them.
SCHEMA_VERSIONS = {"sqlite": 13, "postgres": 7}


def schema_version():
    return SCHEMA_VERSIONS["postgres" if is_postgres() else "sqlite"]


def is_postgres():
    return os.environ.get("HOTLINE_TEST_BACKEND") == "postgres"


def is_postgres_address(address):
    return address.startswith("postgresql://") or address.startswith("postgres://")


def test_store_address(directory):
    """The address of a fresh, empty store for one test (see the module's text)."""
    if not is_postgres():
        return os.path.join(directory, "hotline.db")
    server = os.environ.get("HOTLINE_TEST_PG", "")
    if not server:
        raise StoreError("HOTLINE_TEST_BACKEND=postgres but HOTLINE_TEST_PG is not set: run "
                         "scripts/test.sh, or start a server (scripts/pg-throwaway.sh start DIR) "
                         "and export HOTLINE_TEST_PG=<the address it prints>")
    if not is_postgres_address(server):
        raise StoreError(f"HOTLINE_TEST_PG is not a postgresql:// address: {server}")
    name = f"hl_{os.getpid()}_{time.time_ns()}"
    run = subprocess.run(["createdb", f"--maintenance-db={server}", name],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if run.returncode != 0:
        raise StoreError(f"createdb {name} on {server} failed: "
                         f"{run.stderr.decode('utf-8', 'replace').strip()}")
    # postgresql://user@host/OLD?query becomes postgresql://user@host/NAME?query.
    base, mark, query = server.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}{mark}{query}"


def use_store(environment, directory):
    """Puts a fresh store's address into environment["HOTLINE_DB"] and, on
    PostgreSQL, its key file DIRECTORY/hotline.db.key into HOTLINE_KEY_FILE
    (SQLite's default key file, "<path>.key", is that same file). Returns
    the address."""
    address = test_store_address(directory)
    environment["HOTLINE_DB"] = address
    if is_postgres_address(address):
        environment["HOTLINE_KEY_FILE"] = os.path.join(directory, "hotline.db.key")
    return address


def _literal(value):
    """A Python value as a PostgreSQL literal (the psql path binds no
    parameters: they are written into the statement)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _bind(sql, parameters):
    """sql with each ? outside quotes replaced by the next parameter."""
    out, index, quoted = [], 0, False
    for character in sql:
        if character == "'":
            quoted = not quoted
        if character == "?" and not quoted:
            out.append(_literal(parameters[index]))
            index += 1
        else:
            out.append(character)
    if index != len(parameters):
        raise ValueError(f"{len(parameters)} parameters for {index} placeholders: {sql}")
    return "".join(out)


class StoreSQL:
    """SQL beside a running store, through a connection of its own. rows()
    answers a query's rows as tuples (integers as int, text as str);
    execute() runs a write. Statements must mean the same on both backends;
    parameters are ? placeholders."""

    def __init__(self, address):
        self.address = address
        self.postgres = is_postgres_address(address)

    def _psql(self, sql):
        run = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-d", self.address, "-c", sql],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if run.returncode != 0:
            raise RuntimeError(f"psql: {run.stderr.decode('utf-8', 'replace').strip()}: {sql}")
        return run.stdout.decode("utf-8")

    def rows(self, sql, parameters=()):
        if not self.postgres:
            # Not mode=ro: a read-only connection cannot create the WAL index
            # (-shm) when no other connection holds it, and fails to open in
            # the moments between two connections of the server or the CLI.
            # The oracle only reads: query_only refuses any write it might
            # attempt.
            connection = sqlite3.connect(self.address, timeout=30)
            try:
                connection.execute("PRAGMA query_only = 1")
                return connection.execute(sql, parameters).fetchall()
            finally:
                connection.close()
        # One JSON array of the rows, in the query's order, each an object
        # whose keys keep the columns' order.
        text = self._psql("SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM ("
                          + _bind(sql, parameters) + ") AS q")
        return [tuple(row.values()) for row in json.loads(text, object_pairs_hook=dict)]

    def execute(self, sql, parameters=()):
        if not self.postgres:
            connection = sqlite3.connect(self.address, timeout=30)
            try:
                with connection:
                    connection.execute(sql, parameters)
            finally:
                connection.close()
            return
        self._psql(_bind(sql, parameters))

    def tables(self):
        """The names of the store's tables, sorted."""
        if not self.postgres:
            return [row[0] for row in self.rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [row[0] for row in self.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
