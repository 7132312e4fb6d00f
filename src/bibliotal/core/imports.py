"""The import contract shared by every importer (see CONTRIBUTING.md, "How to add an importer").

Decode UTF-8, UTF-8 with BOM or Windows-1252; sniff the delimiter; parse Danish numbers and
dates; validate every row first and collect errors that name file, line, column, value and rule;
then write everything in one transaction or nothing. ``ImportBatch`` records each file's hash,
who and when, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


@dataclass
class RowError:
    filename: str
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("%(file)s, line %(line)d, column %(column)s") % {
            "file": self.filename,
            "line": self.line,
            "column": self.column,
        }
        value = _("value")
        return f"{where}: {self.message} ({value}: {self.value!r})"


class ImportRejected(Exception):
    """Nothing was written; ``errors`` say why, row by row."""

    def __init__(self, errors: list):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def is_xlsx(data: bytes) -> bool:
    """An XLSX workbook is a ZIP archive; no CSV file starts with the ZIP signature."""
    return data.startswith(b"PK\x03\x04")


EXCEL_EPOCHS = {date(1899, 12, 30), date(1899, 12, 31), date(1900, 1, 1), date(1904, 1, 1)}


def _cell_text(value) -> str:
    """A spreadsheet cell as the text the CSV parsers read: ISO dates, Danish decimals."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.date() in EXCEL_EPOCHS:  # a time of day stored as a date-time on day zero
            return value.strftime("%H:%M")
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # A comma, so that 1.5 is never read as a thousands separator ("1.500").
        return repr(value).replace(".", ",")
    return str(value).strip()


def _read_xlsx(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of the first worksheet of an XLSX workbook."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        error = RowError(
            filename=filename,
            line=1,
            column="–",
            value=str(exc)[:120],
            message=_("The file looks like an Excel workbook (XLSX) but cannot be read."),
        )
        raise ImportRejected([error]) from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def read_table(
    data: bytes, *, filename: str = ""
) -> tuple[list[str], list[tuple[int, dict[str, str]]], str]:
    """(header, [(line number, row by lowercased header)], delimiter) of a CSV or XLSX file.

    An XLSX workbook is read from its first sheet; its "line numbers" are the sheet's row
    numbers, so an error message points at the row the user sees in Excel. Its delimiter is
    reported as "xlsx".
    """
    if is_xlsx(data):
        records = _read_xlsx(data, filename)
        while records and not any(records[0][1]):
            records.pop(0)  # blank rows above the header
        if not records:
            return [], [], "xlsx"
        header, body = _table(records)
        return header, body, "xlsx"
    text, _encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = "\n".join(text.split("\n")[:20])
    delimiter = ";"
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        if sample.count(",") > sample.count(";"):
            delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    # Each record with the physical line it starts on: a quoted value with a line break must
    # not shift the line numbers of the rows after it.
    records, last_line = [], 0
    for values in reader:
        records.append((last_line + 1, values))
        last_line = reader.line_num
    if not records:
        return [], [], delimiter
    header, body = _table(records)
    return header, body, delimiter


def _table(records):
    header = [h.strip().lower() for h in records[0][1]]
    body = []
    for number, values in records[1:]:
        if not any(v.strip() for v in values):
            continue
        body.append(
            (
                number,
                {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)},
            )
        )
    return header, body


def find_column(header: list[str], *names: str) -> str | None:
    for name in names:
        if name in header:
            return name
    return None


NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+(,\d+)?$|^-?\d+(\.\d+)?$")


def parse_number(raw: str) -> Decimal:
    """Danish numbers: "1.234", "1.234,5", "1234,5", "1234"; also "1234.5" from machines."""
    value = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not NUMBER.match(value):
        raise ValueError(raw)
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif re.match(r"^-?\d{1,3}(\.\d{3})+$", value):
        value = value.replace(".", "")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d.%m.%y")


def parse_date(raw: str) -> date:
    value = raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)
