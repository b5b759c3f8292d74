#!/usr/bin/env python3
"""run_case.py: runs one command-line protocol test of hotline.

Usage: python3 run_case.py PATH/TO/hotline CASE.test

A case file is a script of commands and what each must give. It runs in a
fresh temporary directory (the working directory of every command), with
HOTLINE_DB=case.db (whose key file is case.db.key), and HOTLINE_LANG,
HOTLINE_NOW and HOTLINE_KEY_FILE unset unless the case sets them. With
HOTLINE_TEST_BACKEND=postgres (CTest's cli_*_pg copies) HOTLINE_DB is a
fresh database on the server HOTLINE_TEST_PG names instead, and
HOTLINE_KEY_FILE=case.db.key; the database's address reads as case.db in
the output compared, and a command's own --db still names what it says. Lines,
in any order that makes sense:

  # text              a comment (also blank lines), outside file blocks
  @ demo              before the first command: the store starts as the
                      demo (a copy of one `hotline demo` made once per
                      binary and backend: tests/support/test_store.py's
                      use_demo_store); demo.test runs the command itself
  = NAME=VALUE        sets an environment variable for every later command
                      (`= NAME=` sets it empty; `= -NAME` returns it to
                      the case's start: unset, or what the harness set)
  < NAME              starts a file block: every following line, verbatim,
  ...                 up to a line `<<<`, is written (UTF-8, '\\n' after
  <<<                 each line) to NAME in the temp dir before the next
                      command runs
  <x NAME             as `< NAME`, but \\xNN escapes in the lines are
                      written as the raw byte NN (for invalid UTF-8)
  $ hotline ARGS...   a command; split like a POSIX shell (shlex), no
                      pipes or redirections; a leading word `hotline` is the
                      binary under test, a leading `python3` this harness's
                      own interpreter (CMake's HOTLINE_TEST_PYTHON). Two escapes, applied before the
                      split, carry what shlex cannot:
                        \\xNN        the raw byte NN (e.g. invalid UTF-8)
                        \\{TEXT*N}   TEXT repeated N times (long values)
                      and $HOTLINE_SOURCE_DIR stands for the source tree
                      (three directories above the case file), for the
                      project's helper scripts; every command also gets it
                      in its environment.
  ? N                 the exit code expected (default 0)
  > TEXT              a line expected on stdout (`>` alone: an empty line)
  ! TEXT              a line expected on stderr (`!` alone: an empty line)
  ~ REGEX             a stdout line matching REGEX (re.search)
  ~> REGEX            the same
  ~! REGEX            a stderr line matching REGEX
  .exact              stdout and stderr must be exactly the expected lines
                      of this block (none expected: the stream is empty)
  .sqlite             this command runs on SQLite only: it names SQLite
                      files by path (another store, the store's own file);
                      the PostgreSQL copy skips it and counts it skipped

In expected lines $SCHEMA stands for the schema version of the backend the
case runs on (tests/support/test_store.py's SCHEMA_VERSIONS).

Without .exact the expected lines must all appear, in order, each as a whole
line; other lines may come between and around them. Output that is not valid
UTF-8 is compared with each bad byte written as \\xNN. Every command is
checked; besides its expectations, a command that fails (exit code other
than 0) must print at most one line on stderr (the project's rule: one clear
line, exit 2), except `import`, `import-surveys` and `load`, which list every
bad row.

Prints a diff for each failure and "N passed, M failed"; exits 1 on any
failure, 2 when the case file itself is malformed.
"""

import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

# The store of the PostgreSQL copy (tests/support/test_store.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from test_store import StoreError, is_postgres, schema_version, test_store_address, use_demo_store  # noqa: E402

# A command may take this long; on PostgreSQL `hotline demo` alone takes
# 2 minutes on a loaded 2-core machine (a round trip per action), so the
# PostgreSQL copies wait longer.
TIMEOUT_SECONDS = 360 if is_postgres() else 120
# Commands allowed to report several bad rows on stderr.
MULTI_LINE_COMMANDS = {"import", "import-surveys", "load"}
# Private-use code points that stand for raw bytes through shlex.
RAW_BYTE_BASE = 0x10FF00


class CaseError(Exception):
    pass


class Command:
    def __init__(self, line_number, text):
        self.line_number = line_number
        self.text = text
        self.exit_code = 0
        self.stdout = []  # (kind, text): kind "line" or "regex"
        self.stderr = []
        self.exact = False
        self.sqlite_only = False
        self.files = []  # (name, bytes) written before it runs
        self.env = {}


def expand_escapes(text):
    """Applies \\{TEXT*N} and turns \\xNN into placeholders that survive shlex."""
    def repeat(match):
        return match.group(1) * int(match.group(2))

    text = re.sub(r"\\\{([^*{}]*)\*(\d+)\}", repeat, text)
    return re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(RAW_BYTE_BASE + int(m.group(1), 16)), text)


def to_bytes(text):
    out = bytearray()
    for character in text:
        code = ord(character)
        if RAW_BYTE_BASE <= code <= RAW_BYTE_BASE + 0xFF:
            out.append(code - RAW_BYTE_BASE)
        else:
            out.extend(character.encode("utf-8"))
    return bytes(out)


def parse_case(path):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    commands = []
    pending_files = []
    env = {}
    current = None
    from_demo = False
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        if line.startswith("<x ") or line.startswith("< "):
            raw = line.startswith("<x ")
            name = line[3:].strip() if raw else line[2:].strip()
            if not name or "/" in name:
                raise CaseError(f"line {number}: a file block needs a plain file name")
            body = []
            while True:
                if index >= len(lines):
                    raise CaseError(f"line {number}: file block {name} has no closing <<<")
                content = lines[index]
                index += 1
                if content == "<<<":
                    break
                body.append(content)
            text = "".join(part + "\n" for part in body)
            data = to_bytes(expand_escapes(text)) if raw else text.encode("utf-8")
            pending_files.append((name, data))
            current = None
            continue
        stripped = line.strip()
        if stripped == "" or stripped.startswith("#"):
            continue
        if stripped == "@ demo":
            if commands:
                raise CaseError(f"line {number}: @ demo comes before the first command")
            from_demo = True
            continue
        if line.startswith("$ "):
            current = Command(number, line[2:])
            current.files = pending_files
            current.env = dict(env)
            pending_files = []
            commands.append(current)
            continue
        if line.startswith("= "):
            setting = line[2:].strip()
            if setting.startswith("-"):
                env[setting[1:]] = None
            elif "=" in setting:
                name, value = setting.split("=", 1)
                env[name] = value
            else:
                raise CaseError(f"line {number}: expected = NAME=VALUE")
            current = None
            continue
        if current is None:
            raise CaseError(f"line {number}: expectation without a command before it: {line!r}")
        if line.startswith("? "):
            try:
                current.exit_code = int(line[2:].strip())
            except ValueError:
                raise CaseError(f"line {number}: ? takes an exit code")
        elif line == ">" or line.startswith("> "):
            current.stdout.append(("line", line[2:]))
        elif line == "!" or line.startswith("! "):
            current.stderr.append(("line", line[2:]))
        elif line.startswith("~> "):
            current.stdout.append(("regex", line[3:]))
        elif line.startswith("~! "):
            current.stderr.append(("regex", line[3:]))
        elif line.startswith("~ "):
            current.stdout.append(("regex", line[2:]))
        elif stripped == ".exact":
            current.exact = True
        elif stripped == ".sqlite":
            current.sqlite_only = True
        else:
            raise CaseError(f"line {number}: not understood: {line!r}")
    if pending_files:
        raise CaseError("file blocks after the last command")
    return commands, from_demo


def matches(expected, actual):
    kind, text = expected
    if kind == "line":
        return text == actual
    return re.search(text, actual) is not None


def show(expected):
    kind, text = expected
    return text if kind == "line" else f"~ {text}"


def check_stream(name, expected, actual, exact):
    """Returns a list of problem lines (empty when the stream is as expected)."""
    if exact:
        ok = len(expected) == len(actual) and all(matches(e, a) for e, a in zip(expected, actual))
        if ok:
            return []
        diff = difflib.unified_diff([show(e) for e in expected], actual,
                                    f"expected {name}", f"actual {name}", lineterm="", n=3)
        return [f"{name} is not exactly as expected:"] + ["    " + d for d in diff]
    position = 0
    for number, item in enumerate(expected):
        while position < len(actual) and not matches(item, actual[position]):
            position += 1
        if position == len(actual):
            problems = [f"{name}: expected line {number + 1} of {len(expected)} not found "
                        f"(in order, as a whole line):",
                        f"    missing: {show(item)}"]
            close = difflib.get_close_matches(item[1], actual, n=1, cutoff=0.6)
            if close:
                problems.append(f"    nearest: {close[0]}")
            problems.append(f"  expected {name} (in order):")
            problems += [f"    | {show(e)}" for e in expected]
            problems.append(f"  actual {name}:")
            problems += [f"    | {a}" for a in actual] or ["    (empty)"]
            return problems
        position += 1
    return []


def with_schema(expected):
    """The expected lines with $SCHEMA replaced by the schema version of the
    backend the case runs on."""
    version = str(schema_version())
    return [(kind, text.replace("$SCHEMA", version)) for kind, text in expected]


def command_word(argv):
    """The hotline command named in argv (after the global options)."""
    index = 1
    while index < len(argv):
        word = argv[index]
        if word in (b"--db", b"--lang"):
            index += 2
            continue
        if word.startswith(b"-"):
            index += 1
            continue
        return word.decode("utf-8", "replace")
    return ""


def split_lines(data):
    text = data.decode("utf-8", "backslashreplace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def main():
    if len(sys.argv) != 3:
        print("usage: run_case.py HOTLINE CASE.test", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    case_path = sys.argv[2]
    try:
        commands, from_demo = parse_case(case_path)
    except (CaseError, OSError, UnicodeDecodeError) as problem:
        print(f"{case_path}: {problem}", file=sys.stderr)
        return 2
    if not commands:
        print(f"{case_path}: no commands", file=sys.stderr)
        return 2

    base_env = {k: v for k, v in os.environ.items()
                if k not in ("HOTLINE_LANG", "HOTLINE_NOW", "HOTLINE_DB", "HOTLINE_KEY_FILE")}
    base_env["HOTLINE_DB"] = "case.db"
    # Cases live in <source>/tests/cli/cases/.
    source_dir = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(case_path)), "..", "..", ".."))
    base_env["HOTLINE_SOURCE_DIR"] = source_dir
    directory = tempfile.mkdtemp(prefix="hotline-case-")
    address = "case.db"
    if from_demo or is_postgres():
        # The PostgreSQL copy: HOTLINE_DB is a fresh database, its key file
        # still case.db.key in the case's directory.
        try:
            if from_demo:
                address = use_demo_store(binary, dict(base_env), directory, "case.db")
                if not is_postgres():
                    address = "case.db"
            else:
                address = test_store_address(directory)
        except StoreError as problem:
            shutil.rmtree(directory, ignore_errors=True)
            print(f"{case_path}: {problem}", file=sys.stderr)
            return 1
        base_env["HOTLINE_DB"] = address
        if is_postgres():
            base_env["HOTLINE_KEY_FILE"] = "case.db.key"
    passed = failed = skipped = 0
    try:
        for command in commands:
            for name, data in command.files:
                with open(os.path.join(directory, name), "wb") as handle:
                    handle.write(data)
            if command.sqlite_only and address != "case.db":
                skipped += 1
                continue
            env = dict(base_env)
            for name, value in command.env.items():
                if value is None and name in base_env:
                    env[name] = base_env[name]
                elif value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
            try:
                words = shlex.split(expand_escapes(
                    command.text.replace("$HOTLINE_SOURCE_DIR", shlex.quote(source_dir))))
            except ValueError as problem:
                print(f"{case_path}:{command.line_number}: cannot split the command: {problem}",
                      file=sys.stderr)
                return 2
            argv = [to_bytes(word) for word in words]
            if argv and argv[0] == b"hotline":
                argv[0] = binary.encode()
            elif argv and argv[0] == b"python3":
                argv[0] = sys.executable.encode()
            problems = []
            try:
                run = subprocess.run(argv, cwd=directory, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     timeout=TIMEOUT_SECONDS)
                code, out, err = run.returncode, split_lines(run.stdout), split_lines(run.stderr)
                if address != "case.db":
                    # The cases name the store case.db wherever a command prints it.
                    out = [line.replace(address, "case.db") for line in out]
                    err = [line.replace(address, "case.db") for line in err]
            except subprocess.TimeoutExpired as timeout:
                code = None
                out = split_lines(timeout.stdout or b"")
                err = split_lines(timeout.stderr or b"")
                problems.append(f"timed out after {TIMEOUT_SECONDS} s")
            except OSError as problem:
                code, out, err = None, [], []
                problems.append(f"cannot run: {problem}")
            if code is not None and code != command.exit_code:
                problems.append(f"exit code {code}, expected {command.exit_code}")
            if code is not None and code < 0:
                problems.append(f"killed by signal {-code}")
            problems += check_stream("stdout", with_schema(command.stdout), out, command.exact)
            problems += check_stream("stderr", with_schema(command.stderr), err,
                                     command.exact)
            if (code is not None and code != 0 and len(err) > 1 and
                    command_word(argv) not in MULTI_LINE_COMMANDS):
                problems.append(f"a failing command must print one line on stderr, "
                                f"not {len(err)}")
            if problems:
                failed += 1
                print(f"FAIL {case_path}:{command.line_number}: $ {command.text}"
                      if len(command.text) <= 200 else
                      f"FAIL {case_path}:{command.line_number}: $ {command.text[:200]}...")
                for problem in problems:
                    print(f"  {problem}")
                if not any(p.startswith("stdout") for p in problems):
                    print("  stdout:" if out else "  stdout: (empty)")
                    for line in out[:60]:
                        print(f"    | {line}")
                    if len(out) > 60:
                        print(f"    | ... {len(out) - 60} more lines")
                if not any(p.startswith("stderr") for p in problems):
                    print("  stderr:" if err else "  stderr: (empty)")
                    for line in err[:20]:
                        print(f"    | {line}")
            else:
                passed += 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"{passed} passed, {failed} failed" +
          (f", {skipped} skipped (SQLite only)" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
