"""A year's figures as Danmarks Statistik asks for them each spring (ISO 2789 concepts).

Every figure that an indicator carries is read through the indicator registry, summed for the
whole organisation over the calendar year, so the export agrees with the goal pages. Figures no
indicator carries (user-education lessons, events without attendance) come from the apps through
the registry's statistics sources. Each row says how it was counted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bibliotal.core.exports import safe_cell
from bibliotal.goals import indicators
from bibliotal.reports import services, tables


@dataclass(frozen=True)
class Concept:
    key: str
    name: object
    iso: object  # ISO 2789's term, in the reader's language (translated when shown)
    indicator: str = ""  # read through this indicator; else from the statistics sources
    note: object = ""


CONCEPTS = [
    Concept(
        "visitors",
        gettext_lazy("Visitors"),
        gettext_lazy("Visits"),
        "visits",
        gettext_lazy(
            "Entries counted by the people counters at every entrance: (in + out) / 2 where a "
            "counter counts both ways, never in + out. Missing days are estimated from the four "
            "previous same weekdays; the estimated part is stated."
        ),
    ),
    Concept(
        "events",
        gettext_lazy("Events"),
        gettext_lazy("Number of events"),
        "events_held",
        gettext_lazy(
            "Each held session of the library's own events; series count per session; cancelled "
            "events and outside hirers' events are left out."
        ),
    ),
    Concept(
        "event_participants",
        gettext_lazy("Participants in events"),
        gettext_lazy("Attendances at events"),
        "event_participants",
        gettext_lazy(
            "Attendance registered per held session (in person plus online for a hybrid "
            "session); bookings are not attendance."
        ),
    ),
    Concept(
        "user_education_lessons",
        gettext_lazy("User education, lessons"),
        gettext_lazy("User training sessions"),
    ),
    Concept(
        "user_education_participants",
        gettext_lazy("User education, participants"),
        gettext_lazy("Attendances at user training"),
    ),
    Concept(
        "guidance",
        gettext_lazy("Guidance (reference questions)"),
        gettext_lazy("Reference questions"),
        "guidance",
        gettext_lazy(
            "Each time staff guided a citizen in a topic that counts; purely practical "
            "questions (where, when) are left out, as ISO 2789 asks."
        ),
    ),
    Concept(
        "ebook_loans",
        gettext_lazy("E-book loans"),
        gettext_lazy("Loans of e-books"),
        "ebook_loans",
        gettext_lazy("Monthly loan reports of every platform (eReolen, eReolen Go)."),
    ),
    Concept(
        "eaudiobook_loans",
        gettext_lazy("E-audiobook loans"),
        gettext_lazy("Loans of e-audiobooks"),
        "eaudiobook_loans",
        gettext_lazy("Monthly loan reports of every platform (eReolen, eReolen Go)."),
    ),
    Concept(
        "child_ebook_loans",
        gettext_lazy("Of which children's e-book loans"),
        gettext_lazy("Loans of e-books to children"),
        "child_ebook_loans",
        gettext_lazy("E-book loans on eReolen Go plus the 0–13 age band on other platforms."),
    ),
]


@dataclass(frozen=True)
class Figure:
    key: str
    name: str
    iso: str
    value: float | None
    estimated: float
    note: str
    source: str


def NO_SOURCE():
    return _("No data source: the app that records it is not installed.")


def _from_indicator(concept: Concept, organisation, start: date, end: date):
    indicator = indicators.get(concept.indicator)
    if indicator.provider is None:
        return None, 0.0, NO_SOURCE()
    total = estimated = 0.0
    found = False
    for item in indicator.provider.daily_values(
        organisation=organisation,
        start=start,
        end=end,
        branch_ids=None,
        measure=indicators.ATTENDANCES,
    ):
        found = True
        total += item.value
        estimated += item.estimated
    return (total if found else None), estimated, str(concept.note)


def year_figures(*, organisation, year: int) -> list[Figure]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    reported: dict[str, list[indicators.Statistic]] = {}
    for item in indicators.statistics(organisation=organisation, start=start, end=end):
        reported.setdefault(item.key, []).append(item)
    figures = []
    for concept in CONCEPTS:
        if concept.indicator:
            value, estimated, note = _from_indicator(concept, organisation, start, end)
            source = _("indicator %(key)s") % {"key": concept.indicator}
            if concept.key == "event_participants":
                missing = sum(s.value for s in reported.get("events_without_attendance", []))
                if missing:
                    note += " " + ngettext(
                        "%(count)d held event has no attendance registered yet and is missing "
                        "from the figure.",
                        "%(count)d held events have no attendance registered yet and are missing "
                        "from the figure.",
                        missing,
                    ) % {"count": missing}
        else:
            parts = reported.get(concept.key, [])
            value = sum(p.value for p in parts) if parts else None
            estimated = 0.0
            note = " ".join(dict.fromkeys(str(p.note) for p in parts if p.note)) or NO_SOURCE()
            source = _("teaching and IT cafés")
        if value is None and note != NO_SOURCE():
            note = _("No figures recorded for the year.") + " " + note
        figures.append(
            Figure(concept.key, str(concept.name), str(concept.iso), value, estimated, note, source)
        )
    return figures


def columns() -> list[str]:
    return [
        _("Key"),
        _("Danmarks Statistik"),
        _("ISO 2789"),
        _("Year"),
        _("Value"),
        _("Of which estimated"),
        _("How it was counted"),
        _("Source"),
    ]


def _cells(figure: Figure, year: int) -> list:
    return [
        figure.key,
        figure.name,
        figure.iso,
        year,
        round(figure.value, 2) if figure.value is not None else None,
        round(figure.estimated, 2),
        figure.note,
        figure.source,
    ]


def render_csv(figures: list[Figure], *, year: int, language: str) -> bytes:
    return tables.csv_bytes(
        columns(), [_cells(figure, year) for figure in figures], language=language
    )


def render_xlsx(figures: list[Figure], *, organisation, year: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    sheet["A1"] = safe_cell(
        _("Statistics for Danmarks Statistik %(year)s – %(organisation)s")
        % {"year": year, "organisation": organisation}
    )
    sheet["A1"].font = Font(bold=True, size=13)
    tables.heading_row(sheet, 3, columns())
    for offset, figure in enumerate(figures):
        for position, value in enumerate(_cells(figure, year), start=1):
            cell = sheet.cell(row=4 + offset, column=position, value=safe_cell(value))
            if isinstance(value, float):
                cell.number_format = "#,##0"
            if position == 7:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    tables.column_widths(sheet, [26, 34, 30, 8, 12, 12, 70, 22])
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_statistics(
    *, organisation, year: int, format: str, language: str = "da"
) -> services.ReportFile:
    if format not in ("csv", "xlsx"):
        raise ValueError(f"Unknown statistics format {format!r}.")
    with translation.override(language):
        figures = year_figures(organisation=organisation, year=year)
        if format == "csv":
            data = render_csv(figures, year=year, language=language)
        else:
            data = render_xlsx(figures, organisation=organisation, year=year)
    name = f"statistik-{services.slug(organisation.name)}-{year}.{format}"
    return services.ReportFile(name, services.FORMATS[format], data)
