"""Read a data page's CSV and XLSX back into tables, for the download tests of every app."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

HEADING_ROW = 6  # title, table title, period and provenance above it


def number(text: str):
    """A Danish CSV cell back to a number ("" is a missing figure: None)."""
    if text == "":
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def read_csv(response) -> list[dict]:
    """The tables of a CSV download: one section, or several each under its title line, as
    {title, headings, rows} with the cells after the first column read as numbers."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    raw, current = [], []
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if row:
            current.append(row)
        else:
            raw.append(current)
            current = []
    raw.append(current)
    sections = []
    for rows in raw:
        title = rows[0][0] if len(raw) > 1 else None
        body = rows[1:] if len(raw) > 1 else rows
        sections.append(
            {
                "title": title,
                "headings": body[0],
                "rows": [[r[0], *(number(c) for c in r[1:])] for r in body[1:]],
            }
        )
    return sections


def read_xlsx(response) -> list[dict]:
    """The sheets of an XLSX download: title lines, headings and rows (numbers as numbers)."""
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheets = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        sheets.append(
            {
                "title": values[0][0],
                "table": values[1][0],
                "period": values[2][0],
                "provenance": values[3][0],
                "headings": list(values[HEADING_ROW - 1]),
                "rows": [list(r) for r in values[HEADING_ROW:]],
            }
        )
    return sheets


def filename(response) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')
