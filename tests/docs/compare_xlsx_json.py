#!/usr/bin/env python3
"""compare_xlsx_json.py: checks that a bulletin workbook holds the same
figures as the bulletin's JSON for the same month.

Usage: /usr/bin/python3 compare_xlsx_json.py BULLETIN.xlsx BULLETIN.json

For every unit of the JSON, the workbook's detail sheet (明细 or Details)
must have one row with the same unit code, rank, base, reached surveys,
satisfied count and the same rates (survey success, satisfaction, resolved)
to the hundredth. Prints "N passed, 0 failed" or each difference and exits 1.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_xlsx  # noqa: E402  (the standard-library reader beside this file)


def percent(ratio):
    return None if ratio["percent"] is None else float(ratio["percent"])


def main(arguments):
    if len(arguments) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sheets = read_xlsx.read_workbook(arguments[0])
    detail = sheets.get("明细") or sheets.get("Details")
    if not detail:
        print("no detail sheet in the workbook", file=sys.stderr)
        return 1
    with open(arguments[1], encoding="utf-8") as source:
        bulletin = json.load(source)
    rows = {row[2]: row for row in detail[1:] if len(row) > 8}
    failures, checked = [], 0
    for group in bulletin["groups"]:
        for unit in group["units"]:
            row = rows.get(unit["code"])
            if row is None:
                failures.append("%s: no row in the workbook" % unit["code"])
                continue
            rank = row[1] if row[1] not in ("", "-") else None
            expected = [
                ("rank", unit["rank"], None if rank is None else int(float(rank))),
                ("base", unit["base"], int(float(row[4]))),
                ("survey_succeeded", unit["survey_succeeded"], int(float(row[5]))),
                ("survey_success_rate", percent(unit["rates"]["survey_success"]), row[6]),
                ("satisfied", unit["satisfied"], int(float(row[7]))),
                ("satisfaction_rate", percent(unit["rates"]["satisfaction"]), row[8]),
                ("resolved_rate", percent(unit["rates"]["resolved"]), row[12]),
            ]
            for name, from_json, from_sheet in expected:
                if isinstance(from_json, float) or name.endswith("_rate"):
                    same = (from_json is None and from_sheet in ("", None)) or (
                        from_json is not None and from_sheet not in ("", None)
                        and abs(float(from_sheet) - from_json) < 0.0001)
                else:
                    same = from_json == from_sheet
                if not same:
                    failures.append("%s %s: json %r, workbook %r" % (unit["code"], name, from_json, from_sheet))
            checked += 1
    if len(rows) != checked:
        failures.append("the workbook has %d unit rows, the JSON %d units" % (len(rows), checked))
    for failure in failures:
        print(failure)
    print("%d passed, %d failed" % (checked - len({f.split(" ")[0] for f in failures}), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
