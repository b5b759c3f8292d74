#!/usr/bin/env python3
"""check_chinese_punctuation.py SOURCE_DIR

A Chinese sentence takes full-width punctuation (GB/T 15834): "第 2 行：",
"（date,kind,festival）", not "第 2 行: " or "(date,kind,festival)". Every
string literal of src/ and web/js/ that holds Chinese is read, and an ASCII
comma, semicolon, colon, parenthesis, exclamation or question mark next to
a Chinese character is reported with its file and line, unless it is one
of the literal syntaxes below (what a user types, or a name from the
data). Exits 1 when one is found, and says how to fix it."""
import pathlib
import re
import sys

# What is typed or named as it is, though Chinese stands beside it.
ALLOWED = (
    "主机:端口",        # --listen takes host:port
    "响应,解决,满意",    # --weights takes three comma-separated numbers
    "响应率,解决率,满意率",
    "cli:系统用户",     # the audit's name of the command line's user
    "县市区(开发区)",    # a unit group's name as the seed's data spells it
    "市直单位,",        # report.group_order: group names, comma-separated
)
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`((?:[^`\\]|\\.)*)`')
HAN = "\u3400-\u9fff"
BAD = re.compile(rf"(?<=[{HAN}])[,;:!?()]|[,;:!?()](?=[{HAN}])")


def code_lines(path):
    """The file's lines with comments blanked (C and JavaScript alike)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return [re.sub(r"^\s*//.*$", "", line) for line in text.split("\n")]


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    files = sorted(root.glob("src/**/*.[ch]")) + sorted(root.glob("web/js/**/*.js"))
    problems = []
    for path in files:
        for number, line in enumerate(code_lines(path), 1):
            for match in LITERAL.finditer(line):
                text = next(group for group in match.groups() if group is not None)
                # An English sentence may name a Chinese term: "Registers (受理)".
                if len(re.findall(f"[{HAN}]", text)) < len(re.findall("[A-Za-z]", text)):
                    continue
                for allowed in ALLOWED:
                    text = text.replace(allowed, "")
                for bad in BAD.finditer(text):
                    shown = text[max(0, bad.start() - 10):bad.end() + 10]
                    problems.append(f"{path.relative_to(root)}:{number}: half-width '{bad.group(0)}' in \"{shown}\"")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} half-width punctuation mark(s) in Chinese text: use ，；：！？（）")
        return 1
    print(f"checked {len(files)} files: Chinese text takes full-width punctuation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
