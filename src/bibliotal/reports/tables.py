"""The follow-up report's figures as tables: XLSX (openpyxl) and CSV.

The XLSX has a summary sheet (one row per target, numbers as numbers) and one sheet per
indicator with its monthly figures; the CSV is the summary sheet alone. Both hold the goals
engine's numbers unrounded, as ``bibliotal goals status --format json`` does.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bibliotal.core.exports import csv_bytes, safe_cell
from bibliotal.goals import progress
from bibliotal.reports import content

NUMBER = "#,##0"
DECIMAL = "#,##0.0"
PERCENT = "0%"
PER_CENT = {"progress", "change_ratio"}  # shares: formatted as % in the XLSX, ×100 in the CSV


def summary_columns() -> list[tuple[str, str]]:
    """(key, heading) of the summary: the keys are those of ``goals status --format json``."""
    return [
        ("focus_area", _("Focus area")),
        ("indicator", _("Indicator key")),
        ("indicator_name", _("Indicator")),
        ("target", _("Target")),
        ("scope", _("Libraries")),
        ("unit", _("Unit")),
        ("period_start", _("Period from")),
        ("period_end", _("Period to")),
        ("at", _("Figures per")),
        ("data_through", _("Figures through")),
        ("actual", _("Result")),
        ("actual_period", _("Result covers")),
        ("baseline_year", _("Baseline year")),
        ("baseline", _("Baseline, same period")),
        ("change", pgettext("report", "Change")),
        ("change_ratio", _("Change in per cent")),
        ("actual_open_days", _("Open days")),
        ("actual_per_open_day", _("Result per open day")),
        ("baseline_open_days", _("Baseline, open days")),
        ("baseline_per_open_day", _("Baseline per open day")),
        ("target_value", _("Target value")),
        ("progress", _("Share of the target reached (%)")),
        ("forecast", _("Forecast")),
        ("forecast_low", _("Forecast, low (80 %)")),
        ("forecast_high", _("Forecast, high (80 %)")),
        ("status_word", _("Status")),
        ("status", _("Status key")),
        ("comment", _("Comment")),
        ("notes", _("About the figures")),
    ]


def summary_record(entry: content.TargetEntry) -> dict:
    row = entry.row
    record = {key: row.get(key) for key, _heading in summary_columns()}
    record.update(
        {
            "target": entry.target.describe(),
            "scope": entry.scope,
            "unit": entry.unit,
            "period_start": date.fromisoformat(row["period_start"]),
            "period_end": date.fromisoformat(row["period_end"]),
            "at": date.fromisoformat(row["at"]),
            "data_through": date.fromisoformat(row["data_through"])
            if row["data_through"]
            else None,
            "change": round(entry.change, 4) if entry.change is not None else None,
            "change_ratio": round(entry.change_ratio, 4)
            if entry.change_ratio is not None
            else None,
            # The span a unique-users figure covers where it is only a part of the period.
            "actual_period": entry.computed.actual_period,
            "status_word": entry.status_label,
            "comment": entry.comment,
            "notes": " ".join(entry.provenance),
        }
    )
    return record


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Ark"
    base, number = title, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(title.lower())
    return title


def heading_row(sheet, row: int, headings: list[str]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=column, value=safe_cell(heading))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def column_widths(sheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _write(cell, value, number_format: str | None = None) -> None:
    cell.value = safe_cell(value) if not isinstance(value, date) else value
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif number_format and isinstance(value, int | float):
        cell.number_format = number_format


def _number_format(key: str, normalisation: str) -> str | None:
    if key in {"progress", "change_ratio"}:
        return PERCENT
    if key in {"actual_open_days", "baseline_open_days"}:
        return NUMBER
    if key in {"actual_per_open_day", "baseline_per_open_day"}:
        return DECIMAL
    if key in {
        "actual",
        "baseline",
        "change",
        "target_value",
        "forecast",
        "forecast_low",
        "forecast_high",
    }:
        return NUMBER if normalisation == progress.NONE else DECIMAL
    return None


def monthly(entry: content.TargetEntry) -> tuple[list[str], list[list]]:
    """The target's figures per month for its year and each earlier year the engine used."""
    computed = entry.computed
    if computed.periods is not None:
        rows = [
            [p.start, p.end, p.value, p.method]
            for p in sorted(computed.periods, key=lambda p: (p.start, p.end))
        ]
        return [_("From"), _("To"), entry.target.indicator_name, _("Method")], rows
    if computed.current is None:
        return [], []
    year = entry.target.year
    series = {year: computed.current, **(computed.history or {})}
    if not any(s.values for s in series.values()):
        return [], []
    years = sorted(series, reverse=True)
    totals: dict[int, dict[int, float]] = {y: defaultdict(float) for y in years}
    estimated: dict[int, float] = defaultdict(float)
    for y in years:
        for day, value in series[y].values.items():
            totals[y][day.month] += value
    # The estimated part is known per year only; the engine keeps no monthly split of it.
    headings = [_("Month"), *[str(y) for y in years]]
    rows = []
    for month in range(1, 13):
        rows.append(
            [
                formats.date_format(date(year, month, 1), "F"),
                *[round(totals[y][month], 4) if totals[y] else None for y in years],
            ]
        )
    rows.append([_("Total"), *[round(sum(totals[y].values()), 4) for y in years]])
    for y in years:
        estimated[y] = series[y].estimated
    rows.append([_("Of which estimated"), *[round(estimated[y], 4) for y in years]])
    return headings, rows


def render_xlsx(report: content.Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Summary"), set())
    taken = {sheet.title.lower()}
    sheet["A1"] = safe_cell(f"{report.title} – {report.organisation}")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = safe_cell(report.subtitle)
    columns = summary_columns()
    heading_row(sheet, 4, [heading for _key, heading in columns])
    for offset, entry in enumerate(report.entries):
        record = summary_record(entry)
        for position, (key, _heading) in enumerate(columns, start=1):
            _write(
                sheet.cell(row=5 + offset, column=position),
                record[key],
                _number_format(key, entry.target.normalisation),
            )
    if not report.entries:
        sheet.cell(row=5, column=1, value=_("No data"))
    sheet.freeze_panes = "A5"
    column_widths(sheet, [40, 18, 26, 22, 18, 16, *([13] * (len(columns) - 8)), 40, 60])

    seen = set()
    for entry in report.entries:
        key = (entry.target.indicator, entry.target.measure)
        if key in seen:
            continue
        seen.add(key)
        page = workbook.create_sheet(_sheet_title(entry.target.indicator_name, taken))
        page["A1"] = safe_cell(entry.target.indicator_name)
        page["A1"].font = Font(bold=True, size=13)
        page["A2"] = safe_cell(
            _("%(unit)s · libraries: %(scope)s · figures per %(date)s")
            % {
                "unit": str(entry.target.indicator_object.unit).capitalize(),
                "scope": entry.scope,
                "date": formats.date_format(report.at),
            }
        )
        headings, rows = monthly(entry)
        if not rows:
            page["A4"] = _("No data")
            continue
        heading_row(page, 4, headings)
        for offset, values in enumerate(rows):
            for position, value in enumerate(values, start=1):
                _write(page.cell(row=5 + offset, column=position), value, NUMBER)
            if values and values[0] in (_("Total"), _("Of which estimated")):
                page.cell(row=5 + offset, column=1).font = Font(bold=True)
        page.freeze_panes = "B5"
        column_widths(page, [20, *([14] * (len(headings) - 1))])
    workbook.properties.title = f"{report.title} – {report.organisation}"
    workbook.properties.creator = "Bibliotal"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_csv(report: content.Report) -> bytes:
    columns = summary_columns()
    rows = []
    for entry in report.entries:
        record = summary_record(entry)
        rows.append(
            [
                # A share as per cent, as the column says (the XLSX formats it as per cent).
                record[key] * 100 if key in PER_CENT and record[key] is not None else record[key]
                for key, _heading in columns
            ]
        )
    return csv_bytes([heading for _key, heading in columns], rows, language=report.language)
