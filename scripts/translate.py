"""Fill the Danish catalogue from a dictionary module and compile it.

Usage: python scripts/translate.py scripts/da_core.py [more dictionaries...]
Existing translations are kept; entries not in any dictionary are listed as missing. A message
with a context (pgettext) is keyed "context|msgid".
"""

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src/bibliotal/locale/da/LC_MESSAGES/django.po"


def main(paths: list[str]) -> int:
    table: dict = {}
    for path in paths:
        table.update(runpy.run_path(path)["DA"])
    po = polib.pofile(str(PO))
    po.metadata.update(
        {
            "Language": "da",
            "Content-Type": "text/plain; charset=UTF-8",
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
        }
    )
    missing = []
    for entry in po:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = {0: "", 1: ""} if entry.msgid_plural else {}
        # A message with a context is looked up as "context|msgid".
        value = table.get(f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid)
        if entry.msgid_plural:
            if isinstance(value, list):
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            if not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        else:
            if isinstance(value, str):
                entry.msgstr = value
            if not entry.msgstr:
                missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for msgid in missing:
        print(f"missing: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
