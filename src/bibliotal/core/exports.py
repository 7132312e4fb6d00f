"""One helper for every spreadsheet-bound export: guard against formula injection.

A cell that begins with = + - @ (or a tab or carriage return) is run as a formula by Excel and
LibreOffice. Text such cells are prefixed with an apostrophe; numbers pass unchanged.

Below the guard: CSV in the Danish way (``csv_bytes``), and a data page's download
(``Download`` of ``Table``s, as CSV or XLSX), which every data page offers through
``?format=csv|xlsx`` on its own view, so the file and the page cannot drift apart.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from bibliotal.core.text import danish_slugify

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


# --- CSV ---------------------------------------------------------------------------------------


def csv_cell(value, *, danish: bool):
    """A CSV cell: numbers without trailing zeros (decimal comma in Danish), dates in ISO form,
    text through the formula guard. Numbers are never formulas, so they skip the guard."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return safe_cell(value)
    if isinstance(value, int | float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if danish else text
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def csv_bytes(headings: list[str], rows, *, language: str) -> bytes:
    """Danish: semicolons and decimal commas, as Danish Excel opens them; English: commas. UTF-8
    with a BOM, so Excel reads æøå."""
    return _csv([([str(h) for h in headings], rows, None)], language=language)


def _csv(sections, *, language: str) -> bytes:
    danish = language.startswith("da")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if danish else ",", lineterminator="\r\n")
    for number, (headings, rows, title) in enumerate(sections):
        if number:
            writer.writerow([])
        if title is not None:
            writer.writerow([safe_cell(title)])
        writer.writerow([safe_cell(h) for h in headings])
        for row in rows:
            writer.writerow([csv_cell(value, danish=danish) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- A data page's download --------------------------------------------------------------------

PERCENT = "percent"  # a share 0–1: "0 %" in the XLSX, per cent (×100) in the CSV
DECIMAL = "decimal"  # a rate with one decimal (visits per open day)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Table:
    """One table of a page, as the page shows it: a missing figure is None (an empty cell),
    never 0. ``kinds`` names a column's number kind (PERCENT, DECIMAL) where it is not a
    plain count."""

    title: str
    headings: list[str]
    rows: list[list]
    kinds: dict[int, str] = field(default_factory=dict)


@dataclass
class Download:
    """What a data page shows, for its CSV and XLSX: the title, the period, where the figures
    come from (counted, estimated) and the page's tables, the first of them its main one."""

    name: str  # the file name without extension, e.g. "besoeg-2021"
    title: str
    period: str
    provenance: str
    tables: list[Table]


def file_part(text: str) -> str:
    """A file-name part in plain letters: "Besøg 2021" → "besoeg-2021"."""
    return danish_slugify(text, fallback="tal")


def requested_format(request) -> str | None:
    """ "csv" or "xlsx" when the page is asked for as a file (``?format=``), else None."""
    wanted = request.GET.get("format", "")
    return wanted if wanted in FORMATS else None


def download_links(request, **pinned) -> dict[str, str]:
    """The page's own address with ``format=csv|xlsx``: the same filters, and the values the
    page chose by itself (the year it opened on) pinned, so the file is what the page shows."""
    params = request.GET.copy()
    for key, value in pinned.items():
        if isinstance(value, list | tuple):
            params.setlist(key, [str(v) for v in value])
        else:
            params[key] = str(value)
    links = {}
    for kind in FORMATS:
        params["format"] = kind
        links[kind] = f"{request.path}?{params.urlencode()}"
    return links


def _csv_value(value, kind: str | None):
    if kind == PERCENT and isinstance(value, int | float) and not isinstance(value, bool):
        return round(value * 100, 1)
    if isinstance(value, float):
        return round(value, 2)
    return value


def render_csv(download: Download, *, language: str) -> bytes:
    """The page's tables; with more than one, each under its title with a blank line between."""
    many = len(download.tables) > 1
    sections = [
        (
            table.headings,
            [[_csv_value(v, table.kinds.get(i)) for i, v in enumerate(row)] for row in table.rows],
            table.title if many else None,
        )
        for table in download.tables
    ]
    return _csv(sections, language=language)


def sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:31] or "Ark"
    base, number = title, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(title.lower())
    return title


def render_xlsx(download: Download) -> bytes:
    """One sheet per table: the title, the period and the provenance above a heading row, then
    the rows with numbers as numbers (an empty cell where the page shows "–")."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    taken: set[str] = set()
    for number, table in enumerate(download.tables):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        sheet.title = sheet_title(table.title, taken)
        sheet["A1"] = safe_cell(download.title)
        sheet["A1"].font = Font(bold=True, size=13)
        sheet["A2"] = safe_cell(table.title)
        sheet["A2"].font = Font(bold=True)
        sheet["A3"] = safe_cell(download.period)
        sheet["A4"] = safe_cell(download.provenance)
        heading_row = 6
        for column, heading in enumerate(table.headings, start=1):
            cell = sheet.cell(row=heading_row, column=column, value=safe_cell(heading))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for offset, row in enumerate(table.rows, start=1):
            for column, value in enumerate(row, start=1):
                kind = table.kinds.get(column - 1)
                if isinstance(value, date):
                    cell = sheet.cell(row=heading_row + offset, column=column, value=value)
                    cell.number_format = "dd.mm.yyyy"
                    continue
                cell = sheet.cell(
                    row=heading_row + offset,
                    column=column,
                    value=None if value is None else safe_cell(value),
                )
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                if kind == PERCENT:
                    cell.number_format = "0%"
                elif kind == DECIMAL or (isinstance(value, float) and value != round(value)):
                    cell.number_format = "#,##0.0"
                else:
                    cell.number_format = "#,##0"
        for column in range(1, len(table.headings) + 1):
            width = max(
                [len(str(table.headings[column - 1]))]
                + [len(str(r[column - 1])) for r in table.rows if len(r) >= column]
            )
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 50)
        sheet.freeze_panes = sheet.cell(row=heading_row + 1, column=1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download_response(download: Download, kind: str):
    """The file as an HTTP answer (an attachment with a plain file name)."""
    from django.http import HttpResponse
    from django.utils import translation

    if kind == "csv":
        data = render_csv(download, language=translation.get_language() or "da")
    elif kind == "xlsx":
        data = render_xlsx(download)
    else:
        raise ValueError(f"Unknown download format {kind!r}.")
    response = HttpResponse(data, content_type=FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="{file_part(download.name)}.{kind}"'
    return response
