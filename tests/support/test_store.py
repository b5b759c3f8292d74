"""test_store.py: the store a Python test harness runs on, on either backend.

The Python twin of tests/support/test_support.c's test_store_address: with
HOTLINE_TEST_BACKEND=postgres (set by CTest for the <name>_pg copies) a
fresh database made with createdb on the server HOTLINE_TEST_PG names
(scripts/pg-throwaway.sh prints such an address), else DIRECTORY/hotline.db.
And SQL beside the store for the harnesses that read it as their oracle:
Python's sqlite3 for a file, psycopg2 (Debian's python3-psycopg2) for a
PostgreSQL address, each statement on a connection of its own, its rows
as JSON.
"""

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import time

try:
    import psycopg2
except ImportError:  # only the PostgreSQL copies need it; scripts/bootstrap.sh installs it
    psycopg2 = None


class StoreError(RuntimeError):
    """No store to run on (the message says why)."""


# The schema version each backend's store is at after hotline init: the
# number of its migrations (store/sqlite/sqlite_schema.c,
# store/postgres/pg_schema.c). Written here, not asked of hotline, so that
# a migration added without its tests fails them.
SCHEMA_VERSIONS = {"sqlite": 17, "postgres": 11}


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
    return _created_database(server, f"hl_{os.getpid()}_{time.time_ns()}")


def _created_database(server, name, template=None):
    """Makes database NAME on server (a copy of template when given) and
    answers its address."""
    command = ["createdb", f"--maintenance-db={server}"] + (["--template", template] if template else []) + [name]
    run = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if run.returncode != 0:
        raise StoreError(f"createdb {name} on {server} failed: "
                         f"{run.stderr.decode('utf-8', 'replace').strip()}")
    return _database_address(server, name)


def _database_address(server, name):
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


def use_demo_store(binary, environment, directory, name="hotline.db"):
    """use_store, with the demo loaded: a copy of one store `BINARY demo`
    made, made once per binary and backend and kept beside the binary
    (DIR-OF-BINARY/test-demo-cache; on PostgreSQL a template database on the
    test server). The HTTP harnesses all start from the demo, which takes
    most of a minute on PostgreSQL; the demo command itself is tested by
    cli_demo and test_demo. A copy is the store the command wrote, byte for
    byte (SQLite) or through CREATE DATABASE ... TEMPLATE (PostgreSQL), with
    its key file (on SQLite DIRECTORY/NAME and NAME.key; on PostgreSQL a new
    database, its key file DIRECTORY/NAME.key). Returns the address."""
    binary = os.path.realpath(binary)
    status = os.stat(binary)
    backend = "postgres" if is_postgres() else "sqlite"
    server = os.environ.get("HOTLINE_TEST_PG", "") if backend == "postgres" else ""
    identity = f"{binary}\0{status.st_size}\0{status.st_mtime_ns}\0{backend}\0{server}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    cache = os.path.join(os.path.dirname(binary), "test-demo-cache")
    os.makedirs(cache, exist_ok=True)
    cached_key_file = os.path.join(cache, f"demo-{key}.db.key")
    # One maker at a time; the others wait and copy what it made.
    with open(os.path.join(cache, f"demo-{key}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if backend == "sqlite":
            cached = os.path.join(cache, f"demo-{key}.db")
            if not (os.path.exists(cached) and os.path.exists(cached_key_file)):
                _make_demo(binary, environment, cached, None)
            address = os.path.join(directory, name)
            for suffix in ("", ".key"):
                shutil.copyfile(cached + suffix, address + suffix)
                os.chmod(address + suffix, 0o600)
            environment["HOTLINE_DB"] = address
            environment.pop("HOTLINE_KEY_FILE", None)
            return address
        if not server:
            raise StoreError("HOTLINE_TEST_BACKEND=postgres but HOTLINE_TEST_PG is not set")
        template = f"hl_demo_{key}"
        present = StoreSQL(server).rows("SELECT count(*) FROM pg_database WHERE datname = ?", (template,))[0][0]
        if not (present and os.path.exists(cached_key_file)):
            if present:
                StoreSQL(server).execute(f'DROP DATABASE "{template}"')
            _make_demo(binary, environment, _created_database(server, template), cached_key_file)
        address = _created_database(server, f"hl_{os.getpid()}_{time.time_ns()}", template)
    key_file = os.path.join(directory, f"{name}.key")
    shutil.copyfile(cached_key_file, key_file)
    os.chmod(key_file, 0o600)
    environment["HOTLINE_DB"] = address
    environment["HOTLINE_KEY_FILE"] = key_file
    return address


def _make_demo(binary, environment, address, key_file):
    """Runs `binary demo` into address (with key_file, or SQLite's default
    "<path>.key"); a SQLite store is made aside and renamed into place, so
    that a failed run leaves no half store in the cache."""
    demo_environment = {name: value for name, value in environment.items() if name != "HOTLINE_KEY_FILE"}
    target = address
    if key_file is None:
        target = f"{address}.making-{os.getpid()}"
        for suffix in ("", ".key", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.unlink(target + suffix)
    else:
        demo_environment["HOTLINE_KEY_FILE"] = key_file
    demo_environment["HOTLINE_DB"] = target
    run = subprocess.run([binary, "demo"], env=demo_environment, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, timeout=600)
    if run.returncode != 0:
        raise StoreError(f"hotline demo exited {run.returncode}: {run.stderr.decode('utf-8', 'replace').strip()}")
    if key_file is None:
        if os.path.exists(target + "-wal") and os.path.getsize(target + "-wal") > 0:
            raise StoreError(f"hotline demo left a write-ahead log behind: {target}-wal")
        for suffix in ("-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.unlink(target + suffix)
        os.replace(target + ".key", address + ".key")
        os.replace(target, address)


def _literal(value):
    """A Python value as a PostgreSQL literal (statements are sent with
    their parameters written in, as the text a person would type)."""
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

    def _postgres(self, sql):
        """Runs sql (parameters already bound) on a connection of its own,
        as psql would: autocommit, closed afterwards, so that the oracle
        never holds a session the store's own commands might wait for.
        Answers the first column of the first row when there is one."""
        if psycopg2 is None:
            raise StoreError("the PostgreSQL copies need python3-psycopg2 (scripts/bootstrap.sh)")
        connection = psycopg2.connect(self.address)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
                row = cursor.fetchone() if cursor.description is not None else None
                return row[0] if row is not None else None
        except psycopg2.Error as problem:
            raise RuntimeError(f"postgres: {str(problem).strip()}: {sql}") from None
        finally:
            connection.close()

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
        # psycopg2 decodes the json column with Python's json module.
        rows = self._postgres("SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM ("
                              + _bind(sql, parameters) + ") AS q")
        return [tuple(row.values()) for row in rows]

    def execute(self, sql, parameters=()):
        if not self.postgres:
            connection = sqlite3.connect(self.address, timeout=30)
            try:
                with connection:
                    connection.execute(sql, parameters)
            finally:
                connection.close()
            return
        self._postgres(_bind(sql, parameters))

    def table_digest(self, table):
        """A digest of every row of table, in a fixed order: computed where
        the rows are (PostgreSQL's md5 over their text, in the server;
        SHA-256 over Python's repr of SQLite's rows), so that a digest of a
        large table costs no transfer. Equal digests of one table on one
        backend mean equal contents."""
        if self.postgres:
            return self.rows("SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "
                             f'FROM "{table}" AS t')[0][0]
        digest = hashlib.sha256()
        for row in self.rows(f'SELECT * FROM "{table}" ORDER BY 1, 2'):
            digest.update(repr(row).encode())
        return digest.hexdigest()

    def tables(self):
        """The names of the store's tables, sorted."""
        if not self.postgres:
            return [row[0] for row in self.rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [row[0] for row in self.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
