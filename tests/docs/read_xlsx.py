#!/usr/bin/env python3
"""Prints the cells of an .xlsx workbook, using only Python's standard library.

Usage: read_xlsx.py [--json] FILE [SHEET]

Without --json each sheet is printed as TSV (tabs and line breaks inside a
cell shown as \\t and \\n); when no SHEET is named, every sheet is printed,
each after a line "# SHEET NAME". With --json the output is one JSON object
{sheet name: [[cell, ...], ...]} in workbook order. Row i of the list is the
sheet's row i + 1 (rows with no cells are empty lists) and cell j is column
j; empty cells are "". Numbers are JSON numbers, strings JSON strings,
booleans true/false, formula strings their cached value.

Reads shared strings (libxlsxwriter's default), inline strings and plain
values; it does not evaluate formulas or apply number formats. Used by the
tests to check what hotline writes, so it is strict: anything it does not
understand is an error, not a guess.
"""

import json
import posixpath
import re
import sys
import zipfile
import xml.etree.ElementTree as ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# OOXML writes characters XML cannot carry (controls) as _xHHHH_.
ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text):
    return ESCAPED_CHARACTER.sub(lambda match: chr(int(match.group(1), 16)), text)


def string_item_text(item):
    """The text of a shared-string <si> or an inline <is>: its <t>, or the
    <t> of each rich-text run <r>; phonetic runs (<rPh>) are not content."""
    parts = []
    for child in item:
        if child.tag == MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == MAIN + "r":
            for run_text in child.iter(MAIN + "t"):
                parts.append(run_text.text or "")
    return unescape("".join(parts))


def read_shared_strings(archive):
    try:
        data = archive.read("xl/sharedStrings.xml")
    except KeyError:
        return []
    root = ElementTree.fromstring(data)
    return [string_item_text(item) for item in root.findall(MAIN + "si")]


def sheet_paths(archive):
    """(name, path inside the archive) of each worksheet, in workbook order."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for relationship in relationships.findall(PACKAGE_RELATIONSHIP + "Relationship"):
        target = relationship.get("Target")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        targets[relationship.get("Id")] = path
    sheets = []
    for sheet in workbook.find(MAIN + "sheets").findall(MAIN + "sheet"):
        sheets.append((sheet.get("name"), targets[sheet.get(RELATIONSHIP + "id")]))
    return sheets


def column_index(reference):
    """0-based column of a cell reference such as "AB12"."""
    letters = re.match(r"([A-Z]+)[0-9]+$", reference)
    if letters is None:
        raise ValueError("bad cell reference: " + reference)
    index = 0
    for letter in letters.group(1):
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1


def number(text):
    """An integer when the stored value is integral, else a float."""
    value = float(text)
    if value.is_integer() and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return value


def cell_value(cell, shared_strings):
    kind = cell.get("t", "n")
    value = cell.find(MAIN + "v")
    if kind == "inlineStr":
        inline = cell.find(MAIN + "is")
        return string_item_text(inline) if inline is not None else ""
    if value is None or value.text is None:
        return ""
    if kind == "s":
        return shared_strings[int(value.text)]
    if kind in ("str", "e"):
        return unescape(value.text)
    if kind == "b":
        return value.text == "1"
    if kind == "n":
        return number(value.text)
    raise ValueError("unknown cell type: " + kind)


def read_sheet(archive, path, shared_strings):
    root = ElementTree.fromstring(archive.read(path))
    rows = []
    for row in root.find(MAIN + "sheetData").findall(MAIN + "row"):
        row_number = int(row.get("r", len(rows) + 1))
        while len(rows) < row_number:
            rows.append([])
        cells = rows[row_number - 1]
        for cell in row.findall(MAIN + "c"):
            reference = cell.get("r")
            column = column_index(reference) if reference else len(cells)
            while len(cells) <= column:
                cells.append("")
            cells[column] = cell_value(cell, shared_strings)
    return rows


def read_workbook(file_name):
    with zipfile.ZipFile(file_name) as archive:
        shared_strings = read_shared_strings(archive)
        return {name: read_sheet(archive, path, shared_strings)
                for name, path in sheet_paths(archive)}


def tsv_field(value):
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def main(arguments):
    as_json = "--json" in arguments
    positional = [argument for argument in arguments if argument != "--json"]
    if len(positional) not in (1, 2) or any(a.startswith("--") for a in positional):
        sys.stderr.write("usage: read_xlsx.py [--json] FILE [SHEET]\n")
        return 2
    sheets = read_workbook(positional[0])
    if len(positional) == 2:
        if positional[1] not in sheets:
            sys.stderr.write("no sheet named %s; sheets: %s\n"
                             % (positional[1], ", ".join(sheets)))
            return 1
        sheets = {positional[1]: sheets[positional[1]]}
    if as_json:
        json.dump(sheets, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for name, rows in sheets.items():
        if len(positional) == 1:
            sys.stdout.write("# %s\n" % name)
        for row in rows:
            sys.stdout.write("\t".join(tsv_field(value) for value in row) + "\n")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(main(sys.argv[1:]))
