"""Where each source of figures stands, and what needs a person: two registries apps fill.

Core imports no other app. Each app that owns figures registers, from its ``AppConfig.ready``:

- a *completeness source* (``register_completeness``): ``source(organisation=, year=, today=)``
  returns one ``SourceReport`` per source it owns (each sensor, each e-loan or unique-users
  platform, event attendance, teaching, guidance per service point), with the state of every
  month of the year;
- an *attention source* (``register_attention``): ``source(organisation=, user=, today=)``
  returns ``AttentionItem``s, what a person should act on (flags to review, events without
  attendance, bookings waiting), each with a link to where it is done.

The completeness page, ``GET /api/v1/completeness``, ``bibliotal completeness`` and the start
page read these; nothing else decides what "missing" means. Missing is never zero.
"""

from __future__ import annotations

import calendar as month_calendar
import contextvars
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COUNTED = "counted"  # every due day or period of the month has its figure
ESTIMATED = "estimated"  # counted, with a share estimated (``estimated_share``)
PARTLY = "partly"  # some due days have figures, some none
MISSING = "missing"  # due, and nothing arrived
NOT_DUE = "not_due"  # the month has not ended (or the figure is not yet due), or nothing to count
NONE = "none"  # the month is over and there was nothing to count: closed all month, no event held

STATE_LABELS = {
    COUNTED: _("counted"),
    ESTIMATED: _("partly estimated"),
    PARTLY: _("partly missing"),
    MISSING: _("missing"),
    NOT_DUE: _("not yet due"),
    NONE: _("nothing to count"),
}
# A symbol per state, so that the table reads without colour (and in a terminal).
STATE_SYMBOLS = {
    COUNTED: "✓",
    ESTIMATED: "≈",
    PARTLY: "◐",
    MISSING: "✗",
    NOT_DUE: "·",
    NONE: "○",
}
STATES = (COUNTED, ESTIMATED, PARTLY, MISSING, NOT_DUE, NONE)
GAPS = (MISSING, PARTLY)  # the states a person should act on


@dataclass(frozen=True)
class SourceMonth:
    month: int  # 1–12
    state: str
    estimated_share: float | None = None  # ESTIMATED: the share of the month's figure estimated
    missing_days: int | None = None  # PARTLY / MISSING: due days without a figure, where known
    value: float | None = None  # the month's figure, None where nothing was counted
    detail: str | Promise = ""  # one sentence: "3 of 12 events without attendance"

    @property
    def label(self) -> str | Promise:
        return STATE_LABELS[self.state]

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]


@dataclass(frozen=True)
class SourceReport:
    key: str  # stable across requests, e.g. "visits.sensor.12"
    kind: str  # the app's label, e.g. "visits"
    kind_name: str | Promise  # "Visits" (translated)
    name: str  # the source's own name: a sensor, a platform, a service point
    months: tuple[SourceMonth, ...]
    latest_figure: date | None = None  # the last day with a figure, any year
    last_import: datetime | None = None
    fix_url: str = ""  # where a person fixes it (the import page, the review page)
    library: str = ""
    note: str | Promise = ""
    fix_label: str | Promise = ""  # the fix link's words: "Import a counter file"

    @property
    def missing_months(self) -> list[int]:
        return [m.month for m in self.months if m.state in GAPS]

    @property
    def estimated_months(self) -> list[int]:
        return [m.month for m in self.months if m.state == ESTIMATED]

    @property
    def has_figures(self) -> bool:
        return any(m.state in (COUNTED, ESTIMATED, PARTLY) for m in self.months)


@dataclass(frozen=True)
class AttentionItem:
    key: str  # stable, e.g. "visits.flags"
    label: str | Promise  # "86 days with flags to review", already with its count
    count: int
    url: str
    kind: str = ""  # the app's label
    details: tuple[str, ...] = field(default_factory=tuple)


CompletenessSource = Callable[..., Iterable[SourceReport]]
AttentionSource = Callable[..., Iterable[AttentionItem]]

_completeness: list[CompletenessSource] = []
_attention: list[AttentionSource] = []


def register_completeness(source: CompletenessSource) -> None:
    if source not in _completeness:
        _completeness.append(source)


def register_attention(source: AttentionSource) -> None:
    if source not in _attention:
        _attention.append(source)


def completeness(*, organisation, year: int, today: date) -> list[SourceReport]:
    found: list[SourceReport] = []
    token = _calendars.set({}) if _calendars.get() is None else None
    try:
        for source in _completeness:
            found.extend(source(organisation=organisation, year=year, today=today))
    finally:
        if token is not None:
            _calendars.reset(token)
    return sorted(found, key=lambda r: (str(r.kind_name), r.library, r.name))


def attention(*, organisation, user, today: date) -> list[AttentionItem]:
    found: list[AttentionItem] = []
    for source in _attention:
        found.extend(item for item in source(organisation=organisation, user=user, today=today))
    return [item for item in found if item.count > 0]


# Helpers for the sources -------------------------------------------------------------------

_calendars: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "bibliotal_completeness_calendars", default=None
)


def month_last_day(year: int, month: int) -> date:
    return date(year, month, month_calendar.monthrange(year, month)[1])


def month_is_due(year: int, month: int, *, today: date, delay_days: int = 0) -> bool:
    """A month's figure is due once the month has ended, plus the source's reporting delay."""
    return month_last_day(year, month) + timedelta(days=delay_days) < today


@dataclass(frozen=True)
class OpenDays:
    """The open days of every library of an organisation in a year, to yesterday."""

    by_branch: dict[int, frozenset[date]]  # the dates each library was open
    registered: dict[int, bool]  # whether the library has any opening hours in the year
    any_library: frozenset[date]  # the dates at least one library was open

    def of(self, branch_id: int) -> frozenset[date]:
        return self.by_branch.get(branch_id, frozenset())


def open_days(*, organisation, year: int, today: date) -> OpenDays:
    """Every library's open days from 1 January to the year's last day that has passed, by
    ``core.opening`` (the one definition of an open day). Computed once per ``completeness``
    call and shared by the sources that need it (visits, guidance)."""
    from bibliotal.core.models import Branch
    from bibliotal.core.opening import opening_calendar

    key = (organisation.pk, year, today)
    cache = _calendars.get()
    if cache is not None and key in cache:
        return cache[key]
    end = min(date(year, 12, 31), today - timedelta(days=1))
    branches = Branch.objects.filter(organisation=organisation).select_related("organisation")
    calendar = opening_calendar(branches=branches, start=date(year, 1, 1), end=end)
    by_branch, registered = {}, {}
    for branch_id, days in calendar.items():
        opened = set()
        known = False
        for day, info in days.items():
            if info.is_open:
                opened.add(day)
                known = True
            elif info.scheduled_minutes > 0:
                known = True
        by_branch[branch_id] = frozenset(opened)
        registered[branch_id] = known
    found = OpenDays(
        by_branch=by_branch,
        registered=registered,
        any_library=frozenset().union(*by_branch.values()) if by_branch else frozenset(),
    )
    if cache is not None:
        cache[key] = found
    return found


@dataclass(frozen=True)
class Summary:
    year: int
    sources: int
    missing: int  # sources with a month missing or partly missing
    estimated: int  # sources with a month partly estimated
    latest_figure: date | None  # the last day with a figure, any source, any year
    has_figures: bool  # any source has a figure in the year


def summarise(reports: Iterable[SourceReport], *, year: int) -> Summary:
    reports = list(reports)
    latest = [r.latest_figure for r in reports if r.latest_figure is not None]
    return Summary(
        year=year,
        sources=len(reports),
        missing=sum(1 for r in reports if r.missing_months),
        estimated=sum(1 for r in reports if r.estimated_months),
        latest_figure=max(latest) if latest else None,
        has_figures=any(r.has_figures for r in reports),
    )


def summary_sentence(summary: Summary) -> str:
    """ "3 of 41 sources are missing figures for 2021", or what stands instead."""
    from django.utils.translation import gettext, ngettext

    if not summary.sources:
        return gettext("No source of figures is set up yet.")
    if not summary.missing:
        return ngettext(
            "The %(n)d source has every figure due for %(year)d.",
            "All %(n)d sources have every figure due for %(year)d.",
            summary.sources,
        ) % {"n": summary.sources, "year": summary.year}
    return ngettext(
        "%(missing)d of %(n)d source is missing figures for %(year)d.",
        "%(missing)d of %(n)d sources are missing figures for %(year)d.",
        summary.sources,
    ) % {"missing": summary.missing, "n": summary.sources, "year": summary.year}


def default_year(*, organisation, today: date) -> tuple[int, list[SourceReport]]:
    """The year a page opens on: the current year if it has any figure, else the year of the
    latest figure (never an empty current year), with that year's reports."""
    reports = completeness(organisation=organisation, year=today.year, today=today)
    summary = summarise(reports, year=today.year)
    latest = summary.latest_figure
    if summary.has_figures or latest is None or latest.year >= today.year:
        return today.year, reports
    return latest.year, completeness(organisation=organisation, year=latest.year, today=today)


def report_as_dict(report: SourceReport) -> dict:
    """One source as plain data, for the API and ``bibliotal completeness --format json``."""
    return {
        "key": report.key,
        "kind": report.kind,
        "kind_name": str(report.kind_name),
        "name": report.name,
        "library": report.library,
        "note": str(report.note),
        "latest_figure": report.latest_figure,
        "last_import": report.last_import,
        "fix_url": report.fix_url,
        "missing_months": report.missing_months,
        "months": [
            {
                "month": m.month,
                "state": m.state,
                "label": str(m.label),
                "estimated_share": m.estimated_share,
                "missing_days": m.missing_days,
                "value": m.value,
                "detail": str(m.detail),
            }
            for m in report.months
        ],
    }
