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

from bibliotal.core.formatting import date_text

# Where a message is read: on an upload page, on the command line, or in an answer of the API.
# A remedy differs between them (a form field and a page to go to; an option; a parameter).
PAGE, COMMAND, API = "page", "command", "api"


@dataclass
class RowError:
    """What is wrong with a file, and where. ``message`` is said as on an upload page;
    ``command`` and ``api`` say it on the command line and in the API where the remedy differs
    there (an option instead of a form field), and ``link`` is a page that helps, as
    (URL, text), shown after the message on a page."""

    filename: str
    line: int
    column: str
    value: str
    message: str
    command: str = ""
    api: str = ""
    link: tuple[str, str] | tuple[()] = ()

    def said(self, where: str = PAGE) -> str:
        """The message alone, as it fits ``where`` (PAGE, COMMAND or API)."""
        return {COMMAND: self.command, API: self.api}.get(where) or self.message

    def text(self, where: str = PAGE) -> str:
        """The whole line: file, line, column, the message as it fits ``where``, and the value."""
        place = _("%(file)s, line %(line)d, column %(column)s") % {
            "file": self.filename,
            "line": self.line,
            "column": self.column,
        }
        value = _("value")
        return f"{place}: {self.said(where)} ({value}: {self.value!r})"

    def __str__(self) -> str:
        return self.text(PAGE)


@dataclass
class FileError(RowError):
    """A refusal of the whole file, not of one of its lines (empty, a picture, an archive): one
    sentence that names the file itself, and never echoes the file's bytes."""

    def text(self, where: str = PAGE) -> str:
        return self.said(where)


class PageError(str):
    """An error line for an upload page: the text, with ``link`` (URL, text) to a page that
    helps, where the error has one."""

    link: tuple[str, str] | tuple[()] = ()


def for_page(errors) -> list[PageError]:
    """The errors of ``ImportRejected.errors`` as an upload page lists them."""
    lines = []
    for error in errors:
        line = PageError(said(error, PAGE))
        line.link = getattr(error, "link", ())
        lines.append(line)
    return lines


def said(error, where: str = PAGE) -> str:
    """An error of ``ImportRejected.errors`` (a RowError, or a plain message) as a line fitting
    ``where``: for the command line, the API and the worker's job page."""
    return error.text(where) if isinstance(error, RowError) else str(error)


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
    """The text of a file and its encoding: UTF-8 (a byte-order mark is dropped), UTF-16 with
    its byte-order mark, else Windows-1252. A byte-order mark before bytes that are not UTF-8
    (a file saved in one program and appended to in another) falls back like any other file."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return data[3:].decode("cp1252", errors="replace"), "windows-1252"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
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
        # A byte-order mark before bytes that are not UTF-8 falls back like any other file.
        encoding = "utf-8-sig" if utf8 else "cp1252"
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
    if encoding != "utf-8-sig" and source.read(3) != b"\xef\xbb\xbf":
        source.seek(0)  # the mark of a file that is not UTF-8 after all is no text
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
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise _csv_rejected(filename, last_line + 1, exc) from exc
                if len(values) > MAX_COLUMNS:
                    raise _too_many_columns(filename, last_line + 1, len(values))
                for column, value in enumerate(values, start=1):
                    if "\x00" in value:
                        raise nul_rejected(filename, last_line + 1, str(column), value)
                if any(v.strip() for v in values):
                    yield last_line + 1, values
                last_line = reader.line_num
        finally:
            text.detach()  # the caller owns the binary source; closing the text must not close it

    return StreamedTable(records(), delimiter, source.tell, size)


def _open_xlsx(source: BinaryIO, filename: str) -> StreamedTable:
    from openpyxl import load_workbook

    check_workbook(source, filename)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.max_row or 0
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable_workbook(filename, 1, exc) from exc
    if rows > MAX_ROWS or (sheet.max_column or 0) > MAX_COLUMNS:
        workbook.close()
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "–",
                    f"{rows} × {sheet.max_column}",
                    _(
                        "The sheet says it holds more rows or columns than Excel allows "
                        "(%(rows)s rows, %(columns)s columns)."
                    )
                    % {"rows": f"{MAX_ROWS:,}".replace(",", "."), "columns": MAX_COLUMNS},
                )
            ]
        )
    done = [0]

    def records():
        number = 0
        rows = sheet.iter_rows(values_only=True)
        try:
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except Exception as exc:  # a damaged sheet inside a sound archive
                    raise _unreadable_workbook(filename, number + 1, exc) from exc
                number += 1
                done[0] = number
                if number > MAX_ROWS:
                    raise _too_many_rows(filename, number)
                if len(values) > MAX_COLUMNS:
                    raise _too_many_columns(filename, number, len(values))
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


MAX_DIGITS = 18  # no figure a library reports has more digits (int64 holds 18 in full)
NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+(,\d+)?$|^-?\d+(\.\d+)?$")


def parse_number(raw: str) -> Decimal:
    """Danish numbers: "1.234", "1.234,5", "1234,5", "1234"; also "1234.5" from machines."""
    value = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not NUMBER.match(value):
        raise ValueError(raw)
    if sum(c.isdigit() for c in value) > MAX_DIGITS:
        raise OutOfRange(raw, DB_INTEGER_MAX)  # a 40-digit "count" is no count
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif re.match(r"^-?\d{1,3}(\.\d{3})+$", value):
        value = value.replace(".", "")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d.%m.%y")


FIRST_DAY = date(1900, 1, 1)  # no activity a library imports is dated before …
LAST_DAY = date(2199, 12, 31)  # … or after: a day's end, a week ahead, is still a date


class DateOutOfRange(ValueError):
    """A date no library activity has (year 1, 9999): ``rule`` says which dates are, in the
    user's language."""

    def __init__(self, value):
        self.value = value
        self.rule = _("A date must lie between %(first)s and %(last)s.") % {
            "first": date_text(FIRST_DAY, "SHORT_DATE_FORMAT"),
            "last": date_text(LAST_DAY, "SHORT_DATE_FORMAT"),
        }
        super().__init__(self.rule)


def plausible_date(value):
    """``value`` (a date or date-time) when it lies between FIRST_DAY and LAST_DAY; else
    DateOutOfRange. Far from them, adding a day or changing the time zone would overflow."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateOutOfRange(value)
    return value


def parse_date(raw: str) -> date:
    value = raw.strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return plausible_date(parsed)
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
    try:
        if len(parts) == 2 and parts[0] in MONTH_NAMES and parts[1].isdigit():
            return plausible_date(date(int(parts[1]), MONTH_NAMES[parts[0]], 1))
        pieces = value.split("-")
        if len(pieces) == 2 and all(p.isdigit() for p in pieces):
            first, second = (int(p) for p in pieces)
            year, month = (first, second) if len(pieces[0]) == 4 else (second, first)
            return plausible_date(date(year, month, 1))
    except OverflowError as exc:  # a year of ten digits
        raise ValueError(raw) from exc
    return parse_date(raw).replace(day=1)


# ---------------------------------------------------------------------------------------------
# The guards every file passes on its way in: its size, a workbook's archive, a CSV cell, a JSON
# document's depth, a number's ceiling. Each failure is an ImportRejected naming what and where.

MAX_COLUMNS = 16_384  # Excel's own limit (XFD)
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 128 * 1024  # the csv module's default field limit, said in words
MAX_JSON_DEPTH = 64
DB_INTEGER_MAX = 2_147_483_647  # an IntegerField on PostgreSQL; SQLite would store more


def max_upload_bytes() -> int:
    from django.conf import settings

    return settings.IMPORT_MAX_UPLOAD_BYTES


def max_unpacked_bytes() -> int:
    from django.conf import settings

    return settings.IMPORT_MAX_UNPACKED_BYTES


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


def too_large(filename: str, size: int, limit: int | None = None) -> ImportRejected:
    limit = max_upload_bytes() if limit is None else limit
    return ImportRejected(
        [
            RowError(
                filename,
                1,
                "–",
                megabytes(size),
                _("The file is larger than %(limit)s, the largest file an upload may be.")
                % {"limit": megabytes(limit)},
            )
        ]
    )


def check_size(source: BinaryIO | bytes, filename: str, limit: int | None = None) -> int:
    """The file's size in bytes; ImportRejected when it is over the upload limit."""
    if isinstance(source, bytes | bytearray):
        size = len(source)
    else:
        position = source.tell()
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(position)
    limit = max_upload_bytes() if limit is None else limit
    if limit and size > limit:
        raise too_large(filename, size, limit)
    return size


def check_workbook(source: BinaryIO | bytes, filename: str) -> None:
    """Read an Office file's zip directory before anything is unpacked: a damaged archive, or one
    that would unpack to more than the limit (a "zip bomb" of a few megabytes can unpack to
    gigabytes), is refused without reading a single sheet."""
    import zipfile

    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    position = stream.tell()
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable_workbook(filename, 1, exc) from exc
    finally:
        stream.seek(position)
    limit = max_unpacked_bytes()
    unpacked = sum(entry.file_size for entry in entries)
    strings = sum(e.file_size for e in entries if e.filename.lower().endswith("sharedstrings.xml"))
    # The shared strings are held in memory whole while the sheet is streamed: a quarter of the
    # limit at most.
    if len(entries) > 10_000 or unpacked > limit or strings > limit // 4:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "–",
                    megabytes(unpacked),
                    _(
                        "The workbook would unpack to more than %(limit)s; split it into "
                        "smaller files or save it as CSV."
                    )
                    % {"limit": megabytes(limit)},
                )
            ]
        )


# -- what a file is, before any importer reads it as text ------------------------------------

SNIFF_BYTES = 8192
# Bytes no text file holds (NUL and the control characters but tab, line feed, form feed,
# carriage return, Ctrl-Z at the end of old DOS files and escape): a file with more than a few
# of them in its head is a picture, an archive or a program, never a CSV or text file.
CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1a\x1b")
OFFICE_KINDS = ("xlsx", "docx", "ods", "odt", "ole")  # files the user can save as CSV or text


def format_names(formats) -> str:
    """The formats an importer reads, as people say them: "CSV or Excel (.xlsx)"."""
    names = {
        "csv": "CSV",
        "tsv": "TSV",
        "txt": _("text (.txt)"),
        "json": "JSON",
        "ics": "iCalendar (.ics)",
        "xlsx": "Excel (.xlsx)",
        "docx": "Word (.docx)",
        "pdf": "PDF",
        "html": _("a saved web page (.html)"),
    }
    shown = [str(names.get(f, f)) for f in formats]
    if len(shown) < 2:
        return "".join(shown)
    return _("%(some)s or %(last)s") % {"some": ", ".join(shown[:-1]), "last": shown[-1]}


def _signatures() -> list[tuple[bytes, str, str]]:
    """(first bytes, what the file is, its kind) of the files people upload by mistake."""
    return [
        (b"\x89PNG\r\n\x1a\n", _("a PNG image"), "image"),
        (b"\xff\xd8\xff", _("a JPEG image"), "image"),
        (b"GIF87a", _("a GIF image"), "image"),
        (b"GIF89a", _("a GIF image"), "image"),
        (b"%PDF-", _("a PDF document"), "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _("an old Excel or Word file (.xls or .doc)"), "ole"),
        (b"\x1f\x8b", _("a compressed file (gzip)"), "archive"),
        (b"7z\xbc\xaf\x27\x1c", _("a compressed file (7-Zip)"), "archive"),
        (b"Rar!\x1a\x07", _("a compressed file (RAR)"), "archive"),
        (b"SQLite format 3\x00", _("a database file (SQLite)"), "archive"),
    ]


def _zip_kind(source: BinaryIO) -> tuple[str, str]:
    """(kind, what the file is) of a ZIP archive: an Excel workbook, a Word document, an
    OpenDocument file, or another archive. Only its directory is read."""
    import zipfile

    position = source.tell()
    try:
        archive = zipfile.ZipFile(source)
        names = set(archive.namelist())
        mimetype = b""
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
            mimetype = archive.read("mimetype")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        return "damaged", _("a damaged ZIP archive")
    finally:
        source.seek(position)
    if "xl/workbook.xml" in names:
        return "xlsx", _("an Excel workbook (.xlsx)")
    if "word/document.xml" in names:
        return "docx", _("a Word document (.docx)")
    if mimetype.endswith(b"opendocument.spreadsheet"):
        return "ods", _("an OpenDocument spreadsheet (.ods)")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "odt", _("an OpenDocument document (.odt)")
    return "zip", _("a ZIP archive")


def _text_problem(head: bytes) -> str | None:
    """ "utf16" for UTF-16 text without a byte-order mark, "binary" for bytes that are no text,
    None for text (UTF-8, Windows-1252, UTF-16 with its mark). A stray NUL in a text file is
    left to the readers, which name its line and column."""
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if head.count(0) > 1:
        even, odd, half = head[0::2].count(0), head[1::2].count(0), len(head) // 2
        if (odd >= 0.4 * half and even <= 0.05 * half) or (
            even >= 0.4 * half and odd <= 0.05 * half
        ):
            return "utf16"
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if controls > 1 and controls > len(head) * 0.02:
        return "binary"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head.removeprefix(b"\xef\xbb\xbf"))
    except UnicodeDecodeError:
        # Windows-1252 text is mostly ASCII: Danish letters are a few in a hundred, never a third.
        high = sum(1 for byte in head if byte >= 0x80)
        visible = len(head.translate(None, b" \t\r\n"))
        if len(head) >= 8 and high > 0.3 * visible:
            return "binary"
    return None


def refuse_unreadable(source: BinaryIO, filename: str, formats) -> None:
    """Refuse, before any importer reads it, a file that is none of ``formats`` ("csv", "tsv",
    "txt", "json", "ics", "xlsx", "docx", "pdf", "html"): an empty file, a picture, a PDF
    where none is read, an archive, a workbook where only text is read, UTF-16 without its
    byte-order mark, or bytes that are no text. The
    sentence names the file and the formats it could be, and never the file's bytes."""
    position = source.tell()
    source.seek(0)
    head = source.read(SNIFF_BYTES)
    source.seek(position)
    formats = tuple(formats)
    accepted = format_names(formats)
    if not head:
        raise _refused(filename, _("The file %(file)s is empty.") % {"file": filename})
    kind, what = "", ""
    if is_xlsx(head) or head.startswith(b"PK\x05\x06"):
        kind, what = _zip_kind(source)
        if kind in ("xlsx", "damaged") and "xlsx" in formats:
            return  # a workbook for an importer of workbooks: ``check_workbook`` reads on
        if kind in ("docx", "damaged") and "docx" in formats:
            return  # a Word document for an importer of them: ``check_workbook`` reads on
    else:
        for signature, name, found in _signatures():
            if head.startswith(signature):
                kind, what = found, name
                break
    if kind == "pdf" and "pdf" in formats:
        return  # a PDF for an importer that reads them
    if not kind:
        problem = _text_problem(head)
        if problem == "utf16":
            raise _refused(
                filename,
                _(
                    "The file %(file)s is saved as UTF-16 text without the mark that says so, "
                    "so it cannot be read. Save it as UTF-8 (in Excel: “CSV UTF-8”) and try "
                    "again."
                )
                % {"file": filename},
            )
        if problem == "binary":
            raise _refused(
                filename,
                _(
                    "The file %(file)s holds no text, so it is not %(formats)s and cannot be "
                    "imported. Was it saved in another format, or is it damaged?"
                )
                % {"file": filename, "formats": accepted},
            )
        return
    message = _("The file %(file)s is %(what)s and not %(formats)s, so it cannot be imported.") % {
        "file": filename,
        "what": what,
        "formats": accepted,
    }
    if kind in OFFICE_KINDS:
        message += " " + _("Open it and save it as %(formats)s.") % {"formats": accepted}
    raise _refused(filename, message)


def _refused(filename: str, message: str) -> ImportRejected:
    return ImportRejected([FileError(filename, 1, "", "", message)])


def _unreadable_workbook(filename: str, line: int, exc: Exception) -> ImportRejected:
    """A damaged Office file: named as what its name says it is (a zip archive inside)."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in {"xlsx", "xlsm"}:
        message = _("The file looks like an Excel workbook (XLSX) but cannot be read.")
    elif suffix == "docx":
        message = _("The file looks like a Word document (DOCX) but cannot be read.")
    else:
        message = _(
            "The file is packed like an Office file (Word or Excel) or a zip archive, but it is "
            "damaged and cannot be read."
        )
    return ImportRejected(
        [RowError(filename, line, "–", f"{type(exc).__name__}: {exc}"[:120], message)]
    )


def csv_rejected(filename: str, line: int, exc: csv.Error) -> ImportRejected:
    """The rejection of a line the csv module cannot read (for importers with their own
    reader)."""
    return _csv_rejected(filename, line, exc)


def _csv_rejected(filename: str, line: int, exc: csv.Error) -> ImportRejected:
    if "field larger than field limit" in str(exc):
        message = _("A cell holds more than %(limit)s characters.") % {"limit": MAX_CELL_CHARS}
    else:
        message = _("The line cannot be read as CSV.")
    return ImportRejected([RowError(filename, line, "–", str(exc)[:120], message)])


def _too_many_columns(filename: str, line: int, count: int) -> ImportRejected:
    return ImportRejected(
        [
            RowError(
                filename,
                line,
                "–",
                str(count),
                _("The row has more than %(limit)s columns.") % {"limit": MAX_COLUMNS},
            )
        ]
    )


def _too_many_rows(filename: str, line: int) -> ImportRejected:
    return ImportRejected(
        [
            RowError(
                filename,
                line,
                "–",
                str(line),
                _("The sheet has more than %(limit)s rows.")
                % {"limit": f"{MAX_ROWS:,}".replace(",", ".")},
            )
        ]
    )


def load_json(data: bytes, *, filename: str, max_depth: int = MAX_JSON_DEPTH):
    """A JSON document, decoded like every other file; a syntax error, a document nested deeper
    than ``max_depth`` or one Python cannot hold is an ImportRejected with line and column."""
    import json

    text, _encoding = decode(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    exc.lineno,
                    str(exc.colno),
                    text[max(0, exc.pos - 20) : exc.pos + 20],
                    _("The file is not valid JSON: %(error)s.") % {"error": exc.msg},
                )
            ]
        ) from exc
    except (RecursionError, ValueError, MemoryError) as exc:
        raise _too_deep(filename, max_depth) from exc
    # Breadth first, without recursion: how deep does the document go?
    level, depth = [document], 0
    while level:
        depth += 1
        if depth > max_depth:
            raise _too_deep(filename, max_depth)
        children = []
        for node in level:
            values = [*node, *node.values()] if isinstance(node, dict) else node
            for value in values if isinstance(values, list) else ():
                if isinstance(value, dict | list):
                    children.append(value)
                elif isinstance(value, str) and "\x00" in value:  # "\u0000": no database keeps it
                    at = max(text.find("\\u0000"), 0)
                    raise nul_rejected(filename, text.count("\n", 0, at) + 1, "–", value)
        level = children
    return document


def nul_rejected(filename: str, line: int, column: str, value: str) -> ImportRejected:
    """The rejection of text holding a NUL character: no text has one (PostgreSQL refuses it,
    SQLite would keep it), so the file is damaged or not a text file."""
    return ImportRejected(
        [
            RowError(
                filename,
                line,
                column,
                value.replace("\x00", "\\0")[:60],
                _("The text holds a NUL character: the file is damaged or not a text file."),
            )
        ]
    )


def _too_deep(filename: str, max_depth: int) -> ImportRejected:
    return ImportRejected(
        [
            RowError(
                filename,
                1,
                "–",
                "",
                _("The JSON document is nested more than %(depth)s levels deep.")
                % {"depth": max_depth},
            )
        ]
    )


class OutOfRange(ValueError):
    """A number above the ceiling of its kind: ``rule`` says which, in the user's language."""

    def __init__(self, value, ceiling: int, rule: str = ""):
        self.value, self.ceiling = value, ceiling
        self.rule = rule or _("at most %(ceiling)s") % {"ceiling": f"{ceiling:,}".replace(",", ".")}
        super().__init__(self.rule)


def bounded(value, ceiling: int, *, floor: int = 0, what: str = ""):
    """``value`` when ``floor <= value <= ceiling``; else OutOfRange, whose message names the
    ceiling of its kind (``what``: "visits in one hour"). The same rule on SQLite and
    PostgreSQL: no count reaches the database that one of them would refuse."""
    ceiling = min(ceiling, DB_INTEGER_MAX)
    if value < floor or value > ceiling:
        shown = f"{ceiling:,}".replace(",", ".")
        if what:
            rule = _("%(what)s can be at most %(ceiling)s") % {"what": what, "ceiling": shown}
        else:
            rule = _("at most %(ceiling)s") % {"ceiling": shown}
        raise OutOfRange(value, ceiling, rule)
    return value
