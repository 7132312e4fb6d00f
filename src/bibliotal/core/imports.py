"""The import contract shared by every importer (see CONTRIBUTING.md, "How to add an importer").

Decode UTF-8, UTF-8 with BOM, UTF-16 with BOM or Windows-1252; sniff the delimiter; parse Danish
numbers and dates; validate every row first and collect errors that name file, line, column,
value and rule; then write everything in one transaction or nothing. ``ImportBatch`` records
each file's hash, who and when, so importing the same file again changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from typing import BinaryIO

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


MAX_ERRORS = 200  # reported in full; the rest are counted


def limit_errors(errors: list, filename: str, *, more: int = 0) -> list:
    """Errors in line order, the first ``MAX_ERRORS`` of them, then one line that counts the
    rest (``more`` are those a streaming importer counted without keeping)."""
    errors = sorted(errors, key=lambda e: e.line)
    more += max(0, len(errors) - MAX_ERRORS)
    errors = errors[:MAX_ERRORS]
    if more:
        errors.append(
            RowError(
                filename,
                errors[-1].line,
                "–",
                "",
                _("… and %(count)d more errors.") % {"count": more},
            )
        )
    return errors


def missing_columns(filename: str, header: list[str], missing: list[str]) -> ImportRejected:
    """The rejection of a file whose header lacks required columns, naming them."""
    error = RowError(
        filename, 1, ", ".join(missing), ";".join(header), _("The header lacks a required column.")
    )
    return ImportRejected([error])


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


@dataclass
class Scan:
    """What one pass over a file's bytes found: its hash, size and encoding ("xlsx" for Excel)."""

    sha256: str
    size: int
    encoding: str


SCAN_BLOCK = 1 << 20


def scan(source: BinaryIO, *, progress: Callable[[int, int], None] | None = None) -> Scan:
    """Hash a file and find its encoding in one streamed pass; memory stays at one block.

    UTF-8 (with or without a byte-order mark) when every byte decodes, UTF-16 with its
    byte-order mark, else Windows-1252.
    """
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    digest, decoder, utf8 = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True
    first, done = b"", 0
    while block := source.read(SCAN_BLOCK):
        if not done:
            first = block[:4]
        digest.update(block)
        if utf8:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                utf8 = False
        done += len(block)
        if progress:
            progress(done, size)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    source.seek(0)
    if is_xlsx(first):
        encoding = "xlsx"
    elif first.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif first.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # Matomo's and Excel's "Unicode text" exports
    else:
        encoding = "utf-8" if utf8 else "cp1252"
    return Scan(sha256=digest.hexdigest(), size=size, encoding=encoding)


@dataclass
class StreamedTable:
    """A file's records, read as they are needed: (line number, cell texts), blank rows skipped.

    The header is the first record; a caller looking for a header below a preamble takes records
    until it finds one. ``position()`` tells how many bytes (rows, for a workbook) are behind.
    """

    records: Iterator[tuple[int, list[str]]]
    delimiter: str
    position: Callable[[], int]
    size: int


def open_table(source: BinaryIO, *, filename: str, encoding: str, size: int = 0) -> StreamedTable:
    """Stream the rows of a CSV file (``encoding`` from ``scan``) or of an XLSX workbook's first
    sheet; only one block of the file is in memory at a time."""
    source.seek(0)
    if encoding == "xlsx":
        return _open_xlsx(source, filename)
    text = io.TextIOWrapper(
        source, encoding=encoding, errors="replace", newline="", write_through=True
    )
    head = list(islice(text, 20))
    sample = "".join(head)
    delimiter = ";"
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        if sample.count(",") > sample.count(";"):
            delimiter = ","

    def records():
        reader = csv.reader(chain(head, text), delimiter=delimiter)
        # Each record with the physical line it starts on: a quoted value with a line break must
        # not shift the line numbers of the rows after it.
        last_line = 0
        try:
            for values in reader:
                if any(v.strip() for v in values):
                    yield last_line + 1, values
                last_line = reader.line_num
        finally:
            text.detach()  # the caller owns the binary source; closing the text must not close it

    return StreamedTable(records(), delimiter, source.tell, size)


def _open_xlsx(source: BinaryIO, filename: str) -> StreamedTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.max_row or 0
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        error = RowError(
            filename=filename,
            line=1,
            column="–",
            value=str(exc)[:120],
            message=_("The file looks like an Excel workbook (XLSX) but cannot be read."),
        )
        raise ImportRejected([error]) from exc
    done = [0]

    def records():
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                done[0] = number
                cells = [_cell_text(value) for value in values]
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()

    return StreamedTable(records(), "xlsx", lambda: done[0], rows)


def read_table(
    data: bytes, *, filename: str = ""
) -> tuple[list[str], list[tuple[int, dict[str, str]]], str]:
    """(header, [(line number, row by lowercased header)], delimiter) of a CSV or XLSX file.

    An XLSX workbook is read from its first sheet; its "line numbers" are the sheet's row
    numbers, so an error message points at the row the user sees in Excel. Its delimiter is
    reported as "xlsx". For files too big to hold, stream them with ``scan`` and ``open_table``.
    """
    source = io.BytesIO(data)
    table = open_table(source, filename=filename, encoding=scan(source).encoding)
    records = list(table.records)
    if not records:
        return [], [], table.delimiter
    header, body = _table(records)
    return header, body, table.delimiter


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


MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "january", "jan"),
            ("februar", "february", "feb"),
            ("marts", "march", "mar"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def parse_month(raw: str) -> date:
    """ "2021-03", "03-2021", "3/2021", "marts 2021", "March 2021" or a date in the month."""
    value = raw.strip().lower().replace(".", "-").replace("/", "-")
    parts = value.split()
    if len(parts) == 2 and parts[0] in MONTH_NAMES and parts[1].isdigit():
        return date(int(parts[1]), MONTH_NAMES[parts[0]], 1)
    pieces = value.split("-")
    if len(pieces) == 2 and all(p.isdigit() for p in pieces):
        first, second = (int(p) for p in pieces)
        year, month = (first, second) if len(pieces[0]) == 4 else (second, first)
        return date(year, month, 1)
    return parse_date(raw).replace(day=1)
