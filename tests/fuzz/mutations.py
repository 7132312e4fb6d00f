"""Hypothesis strategies that spoil a golden file the ways real files are spoiled, and worse.

Bytes: truncation, flipped, inserted, deleted and repeated bytes. Text: a number, date or cell
replaced by a hostile one (40 digits, 2,147,483,648, negative, 1e400, NaN, year 0 and 99999),
a cell over the CSV module's 128 KiB field limit, lines dropped, repeated or swapped, a stray
quote, the file saved in the wrong encoding (a UTF-8 byte-order mark before Windows-1252 bytes,
UTF-16 with and without its mark). JSON: a value anywhere swapped for another type, a key
dropped, a document nested 1,000 deep. iCalendar: a property given a broken value or parameter.
Workbooks: a cell given a hostile value, then the archive truncated, its sheet's XML damaged,
an entry left out, or the sheet inflated past the unpacked-size limit.

``mutated(golden)`` draws one spoiled file: ``(data, filename, how)``, ``how`` naming the
mutation for the failure report.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path

from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from tests.fuzz.golden_files import Golden, rewrite_zip, workbook

HUGE_CELL = 128 * 1024 + 16  # past the csv module's default field limit
DEEP = 1000
INFLATED_LIMIT = 256_000  # IMPORT_MAX_UNPACKED_BYTES while fuzzing (conftest)

NUMBERS = [
    "2147483648",
    "2147483647",
    "4294967296",
    "9223372036854775808",
    "1" * 40,
    "-1",
    "-2147483649",
    "1e400",
    "-1e400",
    "1E10",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "-0",
    "0,0000000001",
    "1.000.000.000.000",
    "99999999999999999999",
    "123456789012345678",
    "1_000",
    "²",  # a digit to str.isdigit, not to int()
    "\u0661\u0662\u0663",  # Arabic-Indic digits: int() reads them
    "\uff11\uff12",  # full-width digits
    "0x10",
    "+5",
    "12.5",
    "12,5",
]
DATES = [
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2021-02-30",
    "2021-13-01",
    "00-00-0000",
    "31-12-9999",
    "01-01-0001",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "99999-01-01T00:00:00",
    "2021-09-07T25:00",
    "00000101T000000",
    "99991231T235959Z",
    "20211301T000000",
    "0000",
    "9999",
    "10000",
    "24:60",
    "23:59",
    "Q5 2021",
    "2021K9",
    "2021M13",
    "0000K1",
    "9999-Q4",
    "december 9999",
    "Dec-0000",
]
TEXTS = [
    "",
    " ",
    '"',
    "\x00",
    "\r",
    ";;;;",
    "\t",
    "æøå",
    "<b>",
    "\ufeff",
    "=1+1",
    "x" * 300,  # longer than most text columns
    "y" * 1200,
    "BEGIN:VEVENT",
    "END:VCALENDAR",
    "{",
    "[",
    "null",
]
ICS_VALUES = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;COUNT=100000",
    "FREQ=DAILY;UNTIL=99991231T000000Z",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=YEARLY;BYMONTH=13",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;COUNT=-1",
    "FREQ=NEVER",
    "P1D",
    "-P1D",
    "PT99999999H",
    "20210907",
    "20210907T190000/20210907T180000",
    "19700101T000000Z",
]
ICS_PARAMETERS = ["", ";TZID=Nowhere/Land", ";VALUE=DATE", ";VALUE=PERIOD", ";TZID=", ';X="a']
VALUES = NUMBERS + DATES + TEXTS
TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2}|Z)?)?"
    r"|\d{8}T\d{6}Z?|\d{2}[-./]\d{2}[-./]\d{4}|\d+(?:[.,]\d+)*"
)
SUFFIXES = [".csv", ".xlsx", ".json", ".ics", ".txt", ".tsv", ""]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(VALUES),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
cell_values = st.one_of(
    st.sampled_from(VALUES),
    st.sampled_from(
        [
            2**31,
            2**63,
            10**40,
            -1,
            -(2**31) - 1,
            float("inf"),
            float("-inf"),
            float("nan"),
            1e300,
            0.5,
            True,
            datetime(1900, 1, 1),
            datetime(9999, 12, 31, 23, 59),
            date(1900, 1, 1),
            date(9999, 12, 31),
            time(23, 59),
            "z" * HUGE_CELL,
        ]
    ),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.text(max_size=20),
)


# -- bytes ------------------------------------------------------------------------------------


def _position(draw, data: bytes) -> int:
    return draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))


def truncated(draw, data: bytes) -> bytes:
    return data[: _position(draw, data)]


def flipped(draw, data: bytes) -> bytes:
    spoiled = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        if spoiled:
            spoiled[_position(draw, spoiled)] ^= draw(st.integers(min_value=1, max_value=255))
    return bytes(spoiled)


def inserted(draw, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]


def deleted(draw, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + data[at + draw(st.integers(min_value=1, max_value=64)) :]


def repeated(draw, data: bytes) -> bytes:
    at = _position(draw, data)
    piece = data[at : at + draw(st.integers(min_value=1, max_value=200))]
    to = _position(draw, data)
    return data[:to] + piece * draw(st.integers(min_value=1, max_value=3)) + data[to:]


BYTE_MUTATIONS = [truncated, flipped, inserted, deleted, repeated]


# -- text -------------------------------------------------------------------------------------


def _encode(text: str, golden: Golden) -> bytes:
    return text.encode(golden.encoding, errors="replace")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _delimiter(line: str, shape: str) -> str:
    if shape == "ics":
        return ":"
    counts = {d: line.count(d) for d in (";", "\t", ",")}
    return max(counts, key=counts.get) if any(counts.values()) else ";"


def token(draw, golden: Golden) -> bytes:
    """A number or date of the file replaced by a hostile one."""
    text = golden.text()
    found = list(TOKEN.finditer(text))
    if not found:
        return _encode(text, golden)
    match = found[draw(st.integers(min_value=0, max_value=len(found) - 1))]
    value = draw(st.sampled_from(NUMBERS + DATES))
    return _encode(text[: match.start()] + value + text[match.end() :], golden)


def _field(draw, golden: Golden, value: str) -> bytes:
    lines = _lines(golden.text())
    number = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    delimiter = _delimiter(lines[number], golden.shape)
    if golden.shape == "ics":
        name, _colon, _rest = lines[number].partition(":")
        lines[number] = f"{name}:{value}"
    else:
        cells = lines[number].split(delimiter)
        cells[draw(st.integers(min_value=0, max_value=len(cells) - 1))] = value
        lines[number] = delimiter.join(cells)
    return _encode("\n".join(lines), golden)


def field(draw, golden: Golden) -> bytes:
    """One cell (an iCalendar property's value) replaced by a hostile value."""
    choices = VALUES + (ICS_VALUES if golden.shape == "ics" else [])
    return _field(draw, golden, draw(st.sampled_from(choices)))


def huge_cell(draw, golden: Golden) -> bytes:
    """A cell over the CSV module's field limit (in JSON a string value, in iCalendar a
    property's value)."""
    if golden.shape == "json":
        text = golden.text()
        at = [m.start() + 1 for m in re.finditer(r': "', text)] or [0]
        spot = at[draw(st.integers(min_value=0, max_value=len(at) - 1))] + 2
        return _encode(text[:spot] + "h" * HUGE_CELL + text[spot:], golden)
    return _field(draw, golden, draw(st.sampled_from(["h", "7", '"'])) * HUGE_CELL)


def lines_shuffled(draw, golden: Golden) -> bytes:
    """A line dropped, repeated, swapped with another, or a hostile one put in."""
    lines = _lines(golden.text())
    first = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    second = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    how = draw(st.sampled_from(["drop", "repeat", "swap", "insert"]))
    if how == "drop":
        del lines[first]
    elif how == "repeat":
        lines[first:first] = [lines[second]] * draw(st.integers(min_value=1, max_value=3))
    elif how == "swap":
        lines[first], lines[second] = lines[second], lines[first]
    else:
        lines.insert(first, draw(st.sampled_from(VALUES + ICS_VALUES)))
    return _encode("\n".join(lines), golden)


def quoted(draw, golden: Golden) -> bytes:
    """A stray double quote: a CSV reader then takes the rest of the file as one cell."""
    text = golden.text()
    at = draw(st.integers(min_value=0, max_value=len(text)))
    return _encode(text[:at] + '"' + text[at:], golden)


def wrong_encoding(draw, golden: Golden) -> bytes:
    text = golden.text().lstrip("\ufeff")
    how = draw(
        st.sampled_from(
            ["bom-cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "utf-8-sig"]
        )
    )
    if how == "bom-cp1252":
        # A byte-order mark, then bytes that are not UTF-8: saved in one program, added to in
        # another.
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + "Ørsted æble" + text[at:]
        return b"\xef\xbb\xbf" + text.encode("cp1252", errors="replace")
    return text.encode(how, errors="replace")


def renamed(draw, golden: Golden) -> tuple[bytes, str]:
    suffix = draw(st.sampled_from(SUFFIXES))
    return golden.data, Path(golden.filename).stem + suffix


TEXT_MUTATIONS = [token, field, huge_cell, lines_shuffled, quoted, wrong_encoding]


# -- JSON -------------------------------------------------------------------------------------


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _replace(document, path, value):
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def _pick_path(draw, document) -> tuple:
    paths = list(_paths(document))
    return paths[draw(st.integers(min_value=0, max_value=len(paths) - 1))]


def json_value(draw, golden: Golden) -> bytes:
    """A value anywhere in the document replaced by one of another type or a hostile one."""
    document = json.loads(golden.text())
    document = _replace(document, _pick_path(draw, document), draw(json_values))
    return _encode(json.dumps(document, ensure_ascii=False), golden)


def json_dropped(draw, golden: Golden) -> bytes:
    document = json.loads(golden.text())
    path = _pick_path(draw, document)
    if path:
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
    return _encode(json.dumps(document, ensure_ascii=False), golden)


def json_number(draw, golden: Golden) -> bytes:
    """A value written as a raw number token JSON may or may not accept (1e400, NaN, 40
    digits)."""
    document = json.loads(golden.text())
    document = _replace(document, _pick_path(draw, document), "\u0000number\u0000")
    raw = draw(st.sampled_from(NUMBERS))
    text = json.dumps(document, ensure_ascii=False).replace('"\\u0000number\\u0000"', raw or "0")
    return _encode(text, golden)


def json_deep(draw, golden: Golden) -> bytes:
    """The document, or a value in it, nested 1,000 levels deep."""
    document = json.loads(golden.text())
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    deep = opener * DEEP + "1" + closer * DEEP
    document = _replace(document, _pick_path(draw, document), "\u0000deep\u0000")
    text = json.dumps(document, ensure_ascii=False).replace('"\\u0000deep\\u0000"', deep)
    return _encode(text, golden)


JSON_MUTATIONS = [json_value, json_dropped, json_number, json_deep]


# -- iCalendar --------------------------------------------------------------------------------


def ics_property(draw, golden: Golden) -> bytes:
    """A property line given a broken parameter and value."""
    lines = _lines(golden.text())
    number = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    name = re.split(r"[;:]", lines[number], maxsplit=1)[0]
    name = draw(st.sampled_from([name, "DTSTART", "DTEND", "RRULE", "RDATE", "EXDATE", "DURATION"]))
    parameter = draw(st.sampled_from(ICS_PARAMETERS))
    value = draw(st.sampled_from(ICS_VALUES + DATES + NUMBERS))
    lines[number] = f"{name}{parameter}:{value}"
    return _encode("\n".join(lines), golden)


# -- workbooks --------------------------------------------------------------------------------


def _sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def cells_spoiled(draw, rows: list[list]) -> list[list]:
    rows = [list(row) for row in rows]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        how = draw(st.sampled_from(["cell", "cell", "cell", "drop", "repeat"]))
        at = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if how == "drop" and len(rows) > 1:
            del rows[at]
        elif how == "repeat":
            rows.insert(at, list(rows[at]))
        elif rows[at]:
            column = draw(st.integers(min_value=0, max_value=len(rows[at]) - 1))
            rows[at][column] = draw(cell_values)
    return rows


def archive_spoiled(draw, data: bytes) -> bytes:
    how = draw(
        st.sampled_from(
            ["none", "truncated", "sheet-truncated", "sheet-flipped", "sheet-left-out",
             "strings-broken", "inflated", "strings-inflated", "flipped"]
        )
    )  # fmt: skip
    if how == "none":
        return data
    if how == "truncated":
        return truncated(draw, data)
    if how == "flipped":
        return flipped(draw, data)
    cut = draw(st.integers(min_value=0, max_value=2000))
    padding = b" " * draw(st.integers(min_value=INFLATED_LIMIT, max_value=4 * INFLATED_LIMIT))

    def change(name: str, content: bytes) -> bytes | None:
        if how == "sheet-truncated" and _sheet(name):
            return content[: min(cut, len(content) - 1)]
        if how == "sheet-flipped" and _sheet(name):
            return content.replace(b"<row", b"<row <", 1).replace(b"</c>", b"</x>", 1)
        if how == "sheet-left-out" and _sheet(name):
            return None
        if how == "strings-broken" and name.endswith("sharedStrings.xml"):
            return content[: min(cut, len(content) - 1)]
        if how == "inflated" and _sheet(name):
            return content.replace(b"</worksheet>", padding + b"</worksheet>")
        if how == "strings-inflated" and name.endswith("sharedStrings.xml"):
            return content.replace(b"</sst>", padding[: INFLATED_LIMIT // 2] + b"</sst>")
        return content

    return rewrite_zip(data, change)


def spoiled_workbook(draw, golden: Golden) -> bytes:
    rows = cells_spoiled(draw, golden.rows)
    try:
        data = workbook(rows)
    except (IllegalCharacterError, ValueError, TypeError):  # a value openpyxl will not write
        data = workbook(golden.rows)
    return archive_spoiled(draw, data)


# -- one spoiled file -------------------------------------------------------------------------


@st.composite
def mutated(draw, golden: Golden) -> tuple[bytes, str, str]:
    """(data, filename, how) of one spoiled version of ``golden``."""
    filename = golden.filename
    if golden.shape == "xlsx":
        kinds = [spoiled_workbook] * 4 + BYTE_MUTATIONS
        mutation = draw(st.sampled_from(kinds))
        if mutation is spoiled_workbook:
            return spoiled_workbook(draw, golden), filename, mutation.__name__
        return mutation(draw, workbook(golden.rows)), filename, mutation.__name__
    kinds = [*TEXT_MUTATIONS, *BYTE_MUTATIONS, renamed]
    if golden.shape == "json":
        kinds += JSON_MUTATIONS * 2
    if golden.shape == "ics":
        kinds += [ics_property] * 3
    mutation = draw(st.sampled_from(kinds))
    if mutation is renamed:
        data, filename = renamed(draw, golden)
    elif mutation in BYTE_MUTATIONS:
        data = mutation(draw, golden.data)
    else:
        data = mutation(draw, golden)
    return data, filename, mutation.__name__
