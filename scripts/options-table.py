#!/usr/bin/env python3
"""Writes the options table of docs/options.md from the Estimators assembly's XML documentation.

Usage: python3 scripts/options-table.py [XML] [MARKDOWN]
(defaults: src/Estimators/bin/Release/net10.0/MLNet.BatchNorm.Estimators.xml, docs/options.md; build first).
Only the part between the options-table markers is replaced, so other sections of the page stay as written.
"""
import re
import sys
import xml.etree.ElementTree as ElementTree

XML = sys.argv[1] if len(sys.argv) > 1 else "src/Estimators/bin/Release/net10.0/MLNet.BatchNorm.Estimators.xml"
MARKDOWN = sys.argv[2] if len(sys.argv) > 2 else "docs/options.md"
BEGIN, END = "<!-- options-table:begin -->", "<!-- options-table:end -->"
BASE = "F:MLNet.BatchNorm.BnMlpOptionsBase."
TRAINER_OPTIONS = re.compile(r"^F:MLNet\.BatchNorm\.(\w+Trainer)\.Options\.(\w+)$")


def text(element):
    """The summary as one line of Markdown: cref and c elements become code, whitespace is collapsed."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "see":
            target = child.get("cref") or child.get("langword") or ""
            parts.append("`" + target.split(":", 1)[-1].replace("MLNet.BatchNorm.", "").replace("System.", "") + "`")
        elif child.tag == "c":
            parts.append("`" + (child.text or "") + "`")
        else:
            parts.append(text(child))
        parts.append(child.tail or "")
    return re.sub(r"\s+", " ", "".join(parts)).strip().replace("|", "\\|")


rows = []
for member in ElementTree.parse(XML).getroot().iter("member"):
    name = member.get("name")
    summary = member.find("summary")
    if summary is None:
        continue
    if name.startswith(BASE) and "." not in name[len(BASE):]:
        rows.append((name[len(BASE):], "all", text(summary)))
    elif match := TRAINER_OPTIONS.match(name):
        rows.append((match.group(2), f"`{match.group(1)}` only", text(summary)))

table = ["| option | trainers | meaning and default |", "|---|---|---|"]
table += [f"| `{option}` | {trainers} | {meaning} |" for option, trainers, meaning in rows]
generated = "\n".join([BEGIN, "", *table, "", END])

with open(MARKDOWN, encoding="utf-8") as page:
    content = page.read()
if BEGIN not in content or END not in content:
    sys.exit(f"{MARKDOWN} has no {BEGIN} ... {END} section to replace.")
start, stop = content.index(BEGIN), content.index(END) + len(END)
with open(MARKDOWN, "w", encoding="utf-8") as page:
    page.write(content[:start] + generated + content[stop:])
print(f"{MARKDOWN}: {len(rows)} options")
