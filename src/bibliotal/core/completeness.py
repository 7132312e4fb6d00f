"""The completeness page: for a year, every source of figures month by month, with the state of
each month, the last import and where a gap is fixed. The page, ``GET /api/v1/completeness`` and
``bibliotal completeness`` read the same registry (``core.sources``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import sources
from bibliotal.core.formatting import date_text
from bibliotal.core.permissions import Capability, organisation_of, require

FIRST_YEAR = 2000
YEARS_OFFERED = 8


class YearError(ValueError):
    """A year that is not a number, or outside the years Bibliotal knows."""


def parse_year(raw, *, today: date) -> int:
    """The year asked for, or ``YearError`` with a sentence that says what is wrong."""
    text = str(raw).strip()
    if not text.isdigit() or len(text) != 4:
        raise YearError(
            _("“%(value)s” is not a year: write it as four digits, e.g. 2021.") % {"value": text}
        )
    year = int(text)
    if not FIRST_YEAR <= year <= today.year + 1:
        raise YearError(
            _("%(year)d is outside the years Bibliotal shows (%(first)d–%(last)d).")
            % {"year": year, "first": FIRST_YEAR, "last": today.year + 1}
        )
    return year


@dataclass(frozen=True)
class Overview:
    year: int
    reports: list
    summary: sources.Summary
    sentence: str
    where_figures_end: str  # "No figures for 2026 – the latest figure is from 30.12.2021"


def overview(*, organisation, year: int | None, today: date) -> Overview:
    """One year's reports and the sentences above them; ``year=None`` opens on the latest year
    with figures (never on an empty current year)."""
    if year is None:
        year, reports = sources.default_year(organisation=organisation, today=today)
    else:
        reports = sources.completeness(organisation=organisation, year=year, today=today)
    summary = sources.summarise(reports, year=year)
    return Overview(
        year=year,
        reports=reports,
        summary=summary,
        sentence=sources.summary_sentence(summary),
        where_figures_end=where_figures_end(summary, today=today),
    )


def where_figures_end(summary: sources.Summary, *, today: date) -> str:
    latest = summary.latest_figure
    if summary.year > today.year:
        return _("%(year)d has not begun: no figure is due yet.") % {"year": summary.year}
    if summary.has_figures:
        if latest is not None and latest.year == summary.year:
            return _("The latest figure is from %(date)s.") % {
                "date": date_text(latest, "SHORT_DATE_FORMAT")
            }
        return ""
    if latest is None:
        return _("No figures for %(year)d: no source has reported anything yet.") % {
            "year": summary.year
        }
    return _("No figures for %(year)d – the latest figure is from %(date)s.") % {
        "year": summary.year,
        "date": date_text(latest, "SHORT_DATE_FORMAT"),
    }


@require(Capability.VIEW)
def completeness_page(request):
    organisation = organisation_of(request.user)
    if organisation is None:
        raise PermissionDenied
    today = timezone.localdate()
    year = None
    raw = request.GET.get("year", "").strip()
    if raw:
        try:
            year = parse_year(raw, today=today)
        except YearError as error:
            messages.warning(request, str(error))
    found = overview(organisation=organisation, year=year, today=today)
    months = [date(found.year, month, 1) for month in range(1, 13)]
    groups: dict[str, list] = {}
    for report in found.reports:
        cells = list(zip(months, report.months, strict=True))
        groups.setdefault(str(report.kind_name), []).append((report, cells))
    years = list(range(today.year, today.year - YEARS_OFFERED, -1))
    if found.year not in years:
        years.append(found.year)
    legend = [
        {
            "state": state,
            "symbol": sources.STATE_SYMBOLS[state],
            "label": sources.STATE_LABELS[state],
        }
        for state in sources.STATES
    ]
    return render(
        request,
        "core/completeness.html",
        {
            "overview": found,
            "year": found.year,
            "years": sorted(years, reverse=True),
            "months": months,
            "groups": groups,
            "legend": legend,
            "today": today,
        },
    )
