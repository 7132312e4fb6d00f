"""COUNTER Release 5 reports (5.0 and 5.1): PR, DR, TR, IR and their standard views.

Tabular reports (TSV, CSV or the first sheet of an XLSX workbook) open with a header block of
name–value rows (Report_Name, Report_ID, Release, …, Exceptions, Reporting_Period …), then a
blank row, then one row per item and metric: the item's columns, Metric_Type,
Reporting_Period_Total and one column per month. The total must equal the sum of the months.
JSON reports carry the same figures as ``Report_Header`` and ``Report_Items``; Release 5.1 nests
them as ``Attribute_Performance`` → ``Performance`` → metric → month, Release 5.0 as
``Performance`` → ``Period`` and ``Instance``.

Both shapes give the same ``CounterRow`` values, so the TSV, JSON and XLSX of one report import
to the same figures: the item's name, one identifier, and the attributes that split its usage.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from bibliotal.core.imports import (
    MAX_DIGITS,
    ImportRejected,
    RowError,
    load_json,
    parse_date,
    plausible_date,
)
from bibliotal.digital.models import COUNTER_METRICS
from bibliotal.digital.periods import month_span

HEADER_NAMES = {
    "Report_Name",
    "Report_ID",
    "Release",
    "Institution_Name",
    "Institution_ID",
    "Metric_Types",
    "Report_Filters",
    "Report_Attributes",
    "Exceptions",
    "Reporting_Period",
    "Created",
    "Created_By",
    "Registry_Record",
}
REPORT_IDS = {
    "PR",
    "PR_P1",
    "DR",
    "DR_D1",
    "DR_D2",
    "TR",
    "TR_B1",
    "TR_B2",
    "TR_B3",
    "TR_J1",
    "TR_J2",
    "TR_J3",
    "TR_J4",
    "IR",
    "IR_A1",
    "IR_M1",
}
ITEM_COLUMNS = ("Title", "Database", "Item", "Platform")
ID_COLUMNS = (
    ("Proprietary_ID", "Proprietary"),
    ("DOI", "DOI"),
    ("ISBN", "ISBN"),
    ("Print_ISSN", "Print_ISSN"),
    ("Online_ISSN", "Online_ISSN"),
    ("URI", "URI"),
)
ATTRIBUTE_COLUMNS = ("Data_Type", "Section_Type", "YOP", "Access_Type", "Access_Method")
MONTH_ABBREVIATIONS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


@dataclass
class CounterRow:
    line: int
    column: str
    platform: str
    metric: str
    start: date
    end: date
    value: int
    report: str
    item: str
    attributes: str


@dataclass
class CounterReport:
    report_id: str = ""
    release: str = ""
    begin: date | None = None
    end: date | None = None
    exceptions: list[str] = field(default_factory=list)
    rows: list[CounterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def looks_like_counter(first_cells: list[str]) -> bool:
    return bool(first_cells) and first_cells[0].lstrip("\ufeff").strip() in {
        "Report_Name",
        "Report_ID",
    }


def attributes_text(identifier: str, parent: str, attributes: dict[str, str]) -> str:
    parts = []
    if identifier:
        parts.append(f"ID={identifier}")
    if parent:
        parts.append(f"Parent={parent}")
    parts.extend(f"{name}={attributes[name]}" for name in ATTRIBUTE_COLUMNS if attributes.get(name))
    return "; ".join(parts)


def parse_month_header(text: str) -> tuple[date, date] | None:
    """ "Jan-2022" as the code of practice writes it; a date cell from a workbook; "2022-01"."""
    value = text.strip()
    try:
        match = re.fullmatch(r"([A-Za-z]{3})-([0-9]{4})", value)
        if match and match.group(1).lower() in MONTH_ABBREVIATIONS:
            month = MONTH_ABBREVIATIONS[match.group(1).lower()]
            return month_span(plausible_date(date(int(match.group(2)), month, 1)))
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})(?:-01)?", value)
        if match and 1 <= int(match.group(2)) <= 12:
            return month_span(plausible_date(date(int(match.group(1)), int(match.group(2)), 1)))
    except ValueError:  # year 0, or one no activity has
        return None
    return None


def _reporting_period(text: str) -> tuple[date, date]:
    found = dict(re.findall(r"(Begin_Date|End_Date)\s*=\s*([0-9-]+)", text))
    begin, end = parse_date(found["Begin_Date"]), parse_date(found["End_Date"])
    if len(found["End_Date"]) == 7:  # "2022-12" means the whole month
        end = month_span(end)[1]
    return begin, end


def _date_or_month(text: str) -> date:
    text = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        return plausible_date(date(int(text[:4]), int(text[5:]), 1))
    return parse_date(text)


def parse_table(records, *, filename: str) -> CounterReport:
    """A tabular report from ``open_table`` records (line number, cells)."""
    report = CounterReport()
    header: dict[str, tuple[int, str]] = {}
    columns: list[str] | None = None
    header_line = 0
    for line, cells in records:
        cells = [c.strip() for c in cells]
        name = cells[0].lstrip("\ufeff") if cells else ""
        if columns is None:
            if name in HEADER_NAMES:
                header[name] = (line, cells[1] if len(cells) > 1 else "")
                continue
            columns, header_line = cells, line
            _check_header(report, header, columns, filename, line)
            if report.errors:
                return report
            continue
        _read_row(report, columns, cells, line, filename)
    if columns is None:
        _check_header(report, header, [], filename, header_line or 1)
    return report


def _check_header(report, header, columns, filename, line) -> None:
    def fail(at, column, value, message):
        report.errors.append(RowError(filename, at, column, value, message))

    for required in ("Report_ID", "Release", "Reporting_Period"):
        if required not in header:
            fail(
                1,
                required,
                "",
                _("A COUNTER report's header block must name %(name)s.") % {"name": required},
            )
    if report.errors:
        return
    at, report.report_id = header["Report_ID"]
    if report.report_id not in REPORT_IDS:
        fail(
            at,
            "Report_ID",
            report.report_id,
            _("Not a COUNTER Release 5 report or standard view (PR, DR, TR, IR, PR_P1, TR_B1 …)."),
        )
    at, report.release = header["Release"]
    if not report.release.startswith("5"):
        fail(at, "Release", report.release, _("Only COUNTER Release 5 and 5.1 can be imported."))
    at, text = header["Reporting_Period"]
    try:
        report.begin, report.end = _reporting_period(text)
    except (KeyError, ValueError):
        fail(
            at,
            "Reporting_Period",
            text,
            _("The reporting period must read Begin_Date=YYYY-MM-DD; End_Date=YYYY-MM-DD."),
        )
    exceptions = header.get("Exceptions", (0, ""))[1]
    report.exceptions = [e.strip() for e in exceptions.split(";") if e.strip()]
    if not columns:
        if not report.errors:
            fail(line, "–", "", _("The report has no column header after its header block."))
        return
    for required in ("Metric_Type", "Reporting_Period_Total"):
        if required not in columns:
            fail(
                line,
                required,
                "\t".join(columns)[:200],
                _("The column header lacks %(name)s.") % {"name": required},
            )
    if not any(c in columns for c in ITEM_COLUMNS):
        fail(line, "Platform", "\t".join(columns)[:200], _("The column header lacks Platform."))
    if report.errors:
        return
    for column in columns[columns.index("Reporting_Period_Total") + 1 :]:
        if not column:
            continue
        span = parse_month_header(column)
        if span is None:
            fail(line, column, column, _("A month column must be named like Jan-2022."))
        elif report.begin and not (report.begin <= span[0] and span[1] <= report.end):
            fail(line, column, column, _("The month lies outside the reporting period."))


def _number(report, cell, line, column, filename) -> int | None:
    text = cell.replace(" ", "").replace("\u00a0", "")
    if text == "":
        return 0
    if text.isascii() and text.isdigit() and len(text) > MAX_DIGITS:
        report.errors.append(
            RowError(
                filename,
                line,
                column,
                cell[:40],
                _("A figure has at most %(n)d digits.") % {"n": MAX_DIGITS},
            )
        )
        return None
    if not (text.isascii() and text.isdigit()):
        report.errors.append(
            RowError(filename, line, column, cell, _("Must be a whole number of 0 or more."))
        )
        return None
    return int(text)


def _read_row(report, columns, cells, line, filename) -> None:
    row = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c}
    metric = row.get("Metric_Type", "")
    if metric not in COUNTER_METRICS:
        report.errors.append(
            RowError(
                filename, line, "Metric_Type", metric, _("Not a COUNTER Release 5 metric type.")
            )
        )
        return
    item_column = next(c for c in ITEM_COLUMNS if c in row)
    identifier = next((row[c] for c, _key in ID_COLUMNS if row.get(c)), "")
    parent = next((row[f"Parent_{c}"] for c, _key in ID_COLUMNS if row.get(f"Parent_{c}")), "")
    attributes = attributes_text(identifier, parent, row)
    total = _number(report, row["Reporting_Period_Total"], line, "Reporting_Period_Total", filename)
    months = []
    for column in columns[columns.index("Reporting_Period_Total") + 1 :]:
        if not column:
            continue
        value = _number(report, row.get(column, ""), line, column, filename)
        if value is not None:
            months.append((column, parse_month_header(column), value))
    month_columns = [c for c in columns[columns.index("Reporting_Period_Total") + 1 :] if c]
    if total is None or len(months) != len(month_columns):
        return
    base = {
        "line": line,
        "platform": row.get("Platform", ""),
        "metric": metric,
        "report": report.report_id,
        "item": row[item_column],
        "attributes": attributes,
    }
    if not months:  # a report made with Exclude_Monthly_Details: the period's total only
        report.rows.append(
            CounterRow(
                column="Reporting_Period_Total",
                start=report.begin,
                end=report.end,
                value=total,
                **base,
            )
        )
        return
    summed = sum(value for _column, _span, value in months)
    if summed != total:
        report.errors.append(
            RowError(
                filename,
                line,
                "Reporting_Period_Total",
                row["Reporting_Period_Total"],
                _("Reporting_Period_Total must equal the sum of the monthly columns (%(sum)d).")
                % {"sum": summed},
            )
        )
        return
    for column, (start, end), value in months:
        report.rows.append(CounterRow(column=column, start=start, end=end, value=value, **base))


# --- JSON ---------------------------------------------------------------------------------


class _Shapes:
    """Each part of a JSON report in the shape the code of practice gives it: a part of
    another shape (a list where an object belongs, a number for a name) is an error naming
    where it is, and is read as empty."""

    def __init__(self, report: CounterReport, filename: str):
        self.report, self.filename = report, filename

    def _wrong(self, line: int, where: str, value, message: str):
        self.report.errors.append(
            RowError(self.filename, line, where, json.dumps(value, default=str)[:200], message)
        )

    def object(self, value, where: str, line: int = 1) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(line, where, value, _("Must be an object ({…})."))
            return {}
        return value

    def list(self, value, where: str, line: int = 1) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self._wrong(line, where, value, _("Must be a list ([…])."))
            return []
        return value

    def text(self, value, where: str, line: int = 1) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self._wrong(line, where, value, _("Must be a text."))
            return ""
        return str(value)


def parse_json(data: bytes, *, filename: str) -> CounterReport:
    report = CounterReport()
    shapes = _Shapes(report, filename)

    def fail(column, value, message):
        report.errors.append(RowError(filename, 1, column, str(value)[:200], message))
        return report

    try:
        document = load_json(data, filename=filename)
    except ImportRejected as rejected:
        report.errors.extend(rejected.errors)
        return report
    first = document[0] if isinstance(document, list) and document else None
    if isinstance(first, dict) and "Code" in first:
        return fail(
            "Exceptions",
            f"{first.get('Code')}: {first.get('Message')}",
            _("The file holds only a COUNTER exception, no report."),
        )
    if not isinstance(document, dict) or "Report_Header" not in document:
        return fail("Report_Header", "", _("A COUNTER JSON report must have a Report_Header."))
    head = shapes.object(document["Report_Header"], "Report_Header")
    report.report_id = shapes.text(head.get("Report_ID"), "Report_ID")
    report.release = shapes.text(head.get("Release"), "Release")
    if report.report_id not in REPORT_IDS:
        fail(
            "Report_ID",
            report.report_id,
            _("Not a COUNTER Release 5 report or standard view (PR, DR, TR, IR, PR_P1, TR_B1 …)."),
        )
    if not report.release.startswith("5"):
        fail("Release", report.release, _("Only COUNTER Release 5 and 5.1 can be imported."))
    filters = head.get("Report_Filters", {})
    if isinstance(filters, list):  # Release 5.0: [{"Name": …, "Value": …}]
        pairs = [shapes.object(f, "Report_Filters") for f in filters]
        filters = {shapes.text(f.get("Name"), "Report_Filters"): f.get("Value") for f in pairs if f}
    filters = shapes.object(filters, "Report_Filters")
    try:
        report.begin = _date_or_month(str(filters["Begin_Date"]))
        report.end = _date_or_month(str(filters["End_Date"]))
        if len(str(filters["End_Date"])) == 7:
            report.end = month_span(report.end)[1]
    except (KeyError, ValueError):
        fail("Reporting_Period", filters, _("The report header lacks Begin_Date and End_Date."))
    for exception in shapes.list(head.get("Exceptions"), "Exceptions"):
        exception = shapes.object(exception, "Exceptions")
        if exception:
            report.exceptions.append(f"{exception.get('Code')}: {exception.get('Message')}")
    if report.errors:
        return report
    items = shapes.list(document.get("Report_Items"), "Report_Items")
    for number, item in enumerate(items, start=1):
        where = _("item %(n)d") % {"n": number}
        item = shapes.object(item, where, number)
        if isinstance(item.get("Items"), list):  # IR 5.1: a parent with its items
            parent = _identifier(shapes, item.get("Item_ID"), where, number)
            for child in item["Items"]:
                _json_item(report, shapes, shapes.object(child, where, number), number, parent)
        else:
            _json_item(report, shapes, item, number, "")
    return report


def _identifier(shapes: _Shapes, item_id, where: str, line: int) -> str:
    if isinstance(item_id, list):  # 5.0: [{"Type": "DOI", "Value": …}]
        entries = [shapes.object(entry, where, line) for entry in item_id]
        item_id = {
            shapes.text(entry.get("Type"), where, line): entry.get("Value") for entry in entries
        }
    item_id = shapes.object(item_id, where, line)
    for _column, key in ID_COLUMNS:
        value = item_id.get(key)
        if value:
            return str(value)
    return ""


def _json_item(report, shapes: _Shapes, item: dict, number: int, parent: str) -> None:
    filename = shapes.filename
    where = _("item %(n)d") % {"n": number}
    name = next((str(item[c]) for c in ITEM_COLUMNS if item.get(c)), "")
    identifier = _identifier(shapes, item.get("Item_ID"), where, number)
    if parent == "" and isinstance(item.get("Item_Parent"), dict):  # 5.0 IR
        parent = _identifier(shapes, item["Item_Parent"].get("Item_ID"), where, number)
    platform = shapes.text(item.get("Platform"), where, number)
    base = {"platform": platform, "report": report.report_id, "item": name}

    def add(metric, start, end, count, attributes):
        if not isinstance(metric, str) or metric not in COUNTER_METRICS:
            report.errors.append(
                RowError(
                    filename, number, where, str(metric), _("Not a COUNTER Release 5 metric type.")
                )
            )
            return
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            report.errors.append(
                RowError(
                    filename, number, where, str(count), _("Must be a whole number of 0 or more.")
                )
            )
            return
        report.rows.append(
            CounterRow(
                line=number,
                column=where,
                metric=metric,
                start=start,
                end=end,
                value=count,
                attributes=attributes_text(identifier, parent, attributes),
                **base,
            )
        )

    if "Attribute_Performance" in item:  # 5.1
        for performance in shapes.list(item["Attribute_Performance"], where, number):
            performance = shapes.object(performance, where, number)
            attributes = {k: str(v) for k, v in performance.items() if k in ATTRIBUTE_COLUMNS}
            metrics = shapes.object(performance.get("Performance"), where, number)
            for metric, months in metrics.items():
                for month, count in shapes.object(months, where, number).items():
                    try:
                        start, end = month_span(_date_or_month(month))
                    except ValueError:
                        report.errors.append(
                            RowError(
                                filename, number, where, month, _("A month must read YYYY-MM.")
                            )
                        )
                        continue
                    add(metric, start, end, count, attributes)
        return
    attributes = {k: str(v) for k, v in item.items() if k in ATTRIBUTE_COLUMNS}  # 5.0
    for performance in shapes.list(item.get("Performance"), where, number):
        performance = shapes.object(performance, where, number)
        period = shapes.object(performance.get("Period"), where, number)
        try:
            start = parse_date(str(period["Begin_Date"]))
            end = parse_date(str(period["End_Date"]))
        except (KeyError, ValueError):
            report.errors.append(
                RowError(
                    filename,
                    number,
                    where,
                    str(period),
                    _("A period needs Begin_Date and End_Date."),
                )
            )
            continue
        for instance in shapes.list(performance.get("Instance"), where, number):
            instance = shapes.object(instance, where, number)
            add(instance.get("Metric_Type", ""), start, end, instance.get("Count"), attributes)


def is_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
