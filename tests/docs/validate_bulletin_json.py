#!/usr/bin/python3
"""Validates bulletin JSON files (`hotline report --format json`) against
docs/bulletin.schema.json.

Usage: /usr/bin/python3 tests/docs/validate_bulletin_json.py SCHEMA FILE [FILE...]

Prints each failure (file, the path inside the document, the message) and
then "N passed, M failed"; exits 0 when all passed, 1 otherwise, 2 on bad
usage. Run it with /usr/bin/python3: it needs the `jsonschema` module
(Debian package python3-jsonschema), which a pyenv python3 may lack.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate_bulletin_json: the jsonschema module is missing; "
                     "install python3-jsonschema and run with /usr/bin/python3\n")
    sys.exit(2)


def reject_duplicates(pairs):
    """A duplicate key would silently keep the last value: treat it as invalid."""
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError("duplicate keys: " + ", ".join(duplicates))
    return dict(pairs)


def main(arguments):
    if len(arguments) < 2:
        sys.stderr.write(__doc__)
        return 2
    with open(arguments[0], encoding="utf-8") as handle:
        schema = json.load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    passed = failed = 0
    for path in arguments[1:]:
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle, object_pairs_hook=reject_duplicates)
        except (OSError, ValueError) as problem:
            print("%s: %s" % (path, problem))
            failed += 1
            continue
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        if errors:
            failed += 1
            for error in errors:
                where = "/".join(str(part) for part in error.absolute_path) or "(root)"
                print("%s: %s: %s" % (path, where, error.message))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
