"""From targets to progress: read indicators through their providers, run the engine.

This is the only place that asks providers for data; it never reads another app's tables.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.core.dashboard import cached
from bibliotal.core.models import Branch
from bibliotal.core.opening import calendar_stamp, kept_scope_days, open_day_definition
from bibliotal.goals import (
    forecast,
    indicators,
    open_days,
    period_figures,
    period_names,
    progress,
)
from bibliotal.goals.models import BudgetYear, GoalSettings, Target

HISTORY_YEARS = 3

NOTE_TEXTS = {
    progress.NOTE_NO_SOURCE: lambda: _(
        "No data source yet: the app that records this indicator is not installed."
    ),
    progress.NOTE_NO_DATA: lambda: _("No figures recorded for the period yet."),
    progress.NOTE_NO_BASELINE: lambda: _("No figures for the baseline year."),
    progress.NOTE_NOT_STARTED: lambda: _("The period has not started."),
    progress.NOTE_SHORT_HISTORY: lambda: _(
        "Less than two years of history: the forecast range is wide."
    ),
    progress.NOTE_ESTIMATES: lambda: _("Part of the figures are estimates."),
    progress.NOTE_CLOSURES: lambda: _("Closures in this year are counted as closed days."),
    progress.NOTE_BASELINE_CLOSURES: lambda: _(
        "The baseline year had closures: compare the rates per open day too."
    ),
    progress.NOTE_PERIOD_FIGURE: lambda: _(
        "Reported per period and never summed; compared with the same period of the baseline year."
    ),
    progress.NOTE_NOT_COMPARABLE: lambda: _(
        "Only figures for shorter periods are reported: the year is not comparable yet."
    ),
    progress.NOTE_NO_POPULATION: lambda: _("The population for the year is missing."),
    progress.NOTE_NO_RATE: lambda: _(
        "Rates per open day need registered opening hours in both years; they are missing."
    ),
    progress.NOTE_NO_OPEN_DAYS: lambda: _("No library in scope has been open yet this period."),
    progress.NOTE_NO_ACTIVITY: lambda: _("Nothing recorded yet this period, so no forecast."),
    progress.NOTE_NO_FORECAST: lambda: _(
        "Too little to forecast the year from yet: no library in scope has been open long "
        "enough, or nothing has been counted on its open days. The status compares with the "
        "pace toward the target instead."
    ),
    progress.NOTE_NO_OPENING_HOURS: lambda: _(
        "No opening hours are registered for these libraries: every day counts as an open day."
    ),
    open_days.NOTE_NO_BASELINE_OPEN_DAYS: lambda: _(
        "No library in scope was open in the same period of the baseline year, so it has no "
        "figure per open day."
    ),
}


def note_text(code: str) -> str:
    return NOTE_TEXTS[code]() if code in NOTE_TEXTS else code


def default_reference_date(year: int) -> date:
    today = timezone.localdate()
    return today if today.year == year else date(year, 12, 31)


def reference_date(raw: str, year: int) -> date:
    """The "per" date a page was asked for (``?at=``), or the default for a missing, malformed
    or far-off date (outside 2000–2100 no baseline year can be shifted to)."""
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        return default_reference_date(year)
    return chosen if 2000 <= chosen.year <= 2100 else default_reference_date(year)


def scope_branches(target: Target) -> list[Branch]:
    organisation = target.focus_area.budget_year.organisation
    branches = Branch.objects.filter(organisation=organisation).select_related("organisation")
    if target.scope == Target.Scope.BRANCHES:
        branches = branches.filter(pk__in=target.branches.values("pk"))
    elif target.scope == Target.Scope.AREA_TYPE:
        branches = branches.filter(area_type=target.area_type)
    return list(branches)


def _calendar_open(
    branches, start: date, end: date, cache: dict | None = None
) -> tuple[dict[date, bool], tuple[str, ...], bool]:
    """Per day whether it was an open day (a library in scope was open, ``core.opening``),
    the closures' reasons, and whether any opening hours are registered at all. Targets of one
    page share the answers."""
    key = (tuple(sorted(b.pk for b in branches)), start, end)
    if cache is not None and key in cache:
        return cache[key]
    organisations = tuple(sorted({b.organisation_id for b in branches}))
    stamp_key = ("calendar_stamp", organisations)
    if cache is not None and stamp_key in cache:
        stamp = cache[stamp_key]
    else:
        stamp = calendar_stamp(organisations)
        if cache is not None:
            cache[stamp_key] = stamp
    days = kept_scope_days([b for b in branches if b.has_premises], start, end, stamp=stamp)
    answer = days.open, days.closures, days.hours_registered
    if cache is not None:
        cache[key] = answer
    return answer


def _series(
    indicator, target, branches, year_start: date, year_end: date, cache=None, prefetched=None
):
    return indicator_series(
        indicator,
        organisation=target.focus_area.budget_year.organisation,
        branches=branches,
        branch_ids=None if target.scope == Target.Scope.ALL else {b.pk for b in branches},
        measure=target.measure,
        start=year_start,
        end=year_end,
        cache=cache,
        prefetched=prefetched,
    )


def indicator_series(
    indicator,
    *,
    organisation,
    branches,
    branch_ids,
    measure,
    start: date,
    end: date,
    cache=None,
    prefetched=None,
) -> progress.Series:
    """An additive indicator's series from ``start`` to ``end`` for the libraries ``branches``
    (``branch_ids`` None: the whole organisation), with their open days; ``prefetched`` values
    from one wider question to the provider are filtered instead of asking again."""
    year_start, year_end = start, end
    values: dict[date, float] = defaultdict(float)
    estimated = 0.0
    if prefetched is not None:
        items = (item for item in prefetched if year_start <= item.day <= year_end)
    else:
        items = indicator.provider.daily_values(
            organisation=organisation,
            start=year_start,
            end=year_end,
            branch_ids=branch_ids,
            measure=measure,
        )
    for item in items:
        if (
            branch_ids is not None
            and item.branch_id is not None
            and (item.branch_id not in branch_ids)
        ):
            continue
        values[item.day] += item.value
        estimated += item.estimated
    open_days, reasons, missing = (None, (), False)
    if indicator.at_premises:
        open_days, reasons, registered = _calendar_open(branches, year_start, year_end, cache)
        if not registered:
            # No opening hours registered for these libraries: count every day rather than
            # pretend the year was closed. A year closed throughout has hours and stays closed.
            open_days, missing = None, True
    return progress.Series(dict(values), open_days, estimated, reasons, missing)


@dataclass
class TargetProgress:
    target: Target
    result: progress.Progress
    at: date
    current: progress.Series | None = None
    history: dict | None = None
    periods: list | None = None

    @property
    def status(self) -> str:
        return self.target.status_override or self.result.status

    @property
    def computed_status(self) -> str:
        return self.result.status

    def track_record(self) -> str | None:
        """One sentence on how the forecast did on this target's own past years: the method
        replayed from every month end of each complete history year (``goals/forecast.py``)."""
        if self.current is None or not self.history or self.result.final:
            return None
        start, end = self.target.period()
        past = {y: s for y, s in self.history.items() if y < start.year and s.values}
        record = forecast.backtest(start=start, end=end, series=past, with_history=True)
        made = record.forecasts
        if not made:
            return None
        return ngettext(
            "In the last year the year's result lay inside the 80 %% range "
            "%(inside)s of %(total)s times (forecasts made at every month end).",
            "In the last %(years)s years the year's result lay inside the 80 %% range "
            "%(inside)s of %(total)s times (forecasts made at every month end).",
            len(record.years),
        ) % {"years": len(record.years), "inside": record.inside, "total": len(made)}

    @property
    def notes(self) -> list[str]:
        texts = []
        comparison = self.result.comparison
        for code in self.result.notes:
            if code == progress.NOTE_DATA_THROUGH and self.result.data_through:
                texts.append(
                    _("Figures are recorded through %(date)s; later days are not counted yet.")
                    % {"date": formats.date_format(self.result.data_through, "DATE_FORMAT")}
                )
            elif code == period_figures.NOTE_PROVISIONAL and comparison is not None:
                texts.append(period_names.provisional_note(comparison))
            elif code == period_figures.NOTE_BASELINE_PERIODS_MISSING and comparison is not None:
                texts.append(period_names.missing_note(comparison))
            else:
                texts.append(note_text(code))
        return texts

    @property
    def actual_period(self) -> str:
        """The period a period figure's actual covers, in words, where it is only a part of the
        target's period ("juni 2021"); empty for a whole period or a running total."""
        comparison = self.result.comparison
        if comparison is None or not comparison.shown_is_part:
            return ""
        return period_names.span_words(comparison.shown.start, comparison.shown.end)

    @property
    def baseline_period(self) -> str:
        """The baseline's period in words, beside ``actual_period``."""
        comparison = self.result.comparison
        if comparison is None or not comparison.shown_is_part or not comparison.shown_baseline:
            return ""
        shown = comparison.shown_baseline
        return period_names.span_words(shown.start, shown.end)

    @property
    def per_open_day_asked(self) -> bool:
        """The notes ask to compare per open day too (the baseline year had closures)."""
        return progress.NOTE_BASELINE_CLOSURES in self.result.notes

    @property
    def open_day_definition(self) -> str:
        return open_day_definition()

    @property
    def open_days_through(self) -> date:
        """The last day the open days and the totals per open day count."""
        end = self.target.period()[1]
        return self.result.data_through or min(self.at, end)


def compute_target_progress(
    target: Target, *, at: date, at_risk_ratio: float | None = None, cache: dict | None = None
):
    """One target's progress. ``cache`` lets the targets of one page share opening calendars."""
    start, end = target.period()
    if at_risk_ratio is None:
        settings = GoalSettings.objects.filter(
            organisation_id=target.focus_area.budget_year.organisation_id
        ).first()
        at_risk_ratio = float(settings.at_risk_ratio) if settings else 0.95
    indicator = target.indicator_object
    spec = progress.TargetSpec(
        kind=target.kind,
        start=start,
        end=end,
        threshold=float(target.threshold) if target.threshold is not None else None,
        baseline_year=target.baseline_year,
        percent=float(target.percent) if target.percent is not None else None,
        normalisation=target.normalisation,
        additive=indicator.additive if indicator else True,
        has_source=bool(indicator and indicator.provider),
    )
    if target.is_qualitative or not spec.has_source:
        return TargetProgress(target, progress.compute(spec, at=at), at)
    branches = scope_branches(target)
    organisation = target.focus_area.budget_year.organisation

    def work():
        found = _target_progress(
            target, indicator, spec, branches, organisation, at, at_risk_ratio, cache
        )
        return (found.result, found.current, found.history, found.periods)

    # Kept per target under the data stamp of its own indicator, and under everything the
    # computation reads besides (the target as it stands, even unsaved, its libraries, the
    # provider): a tap leaves the visits forecast kept, an import or an edited target does not.
    memo = cache if cache is not None else {}
    # A figure can grow with the clock alone (an event counts as held once it has begun): a
    # status as of today is kept within the hour.
    now = timezone.localtime()
    hour = now.strftime("%Y-%m-%d %H") if at >= now.date() else ""
    kept = cached(
        "goals.target_progress",
        organisation=organisation,
        today=at,
        compute=work,
        extra=(
            target.pk,
            repr(spec),
            target.scope,
            target.measure,
            target.indicator,
            tuple(b.pk for b in branches),
            at_risk_ratio,
            id(indicator.provider),
            hour,
        ),
        topic=target.indicator,
        memo=memo,
    )
    result, current, history, periods = kept
    return TargetProgress(target, result, at, current=current, history=history, periods=periods)


def _target_progress(target, indicator, spec, branches, organisation, at, at_risk_ratio, cache):
    """The work of ``compute_target_progress`` for a target with a source."""
    start, end = spec.start, spec.end
    if not indicator.additive:
        branch_ids = None if target.scope == Target.Scope.ALL else {b.pk for b in branches}

        def periods(year):
            return [
                progress.Period(p.start, p.end, p.value, p.method)
                for p in indicator.provider.period_values(
                    organisation=organisation,
                    start=date(year, 1, 1),
                    end=date(year, 12, 31),
                    branch_ids=branch_ids,
                    measure=target.measure,
                )
            ]

        current_periods = periods(start.year)
        baseline_periods = periods(target.baseline_year) if target.baseline_year else []
        result = progress.compute(
            spec,
            at=at,
            current_periods=current_periods,
            baseline_periods=baseline_periods,
            at_risk_ratio=at_risk_ratio,
        )
        # A figure for a period that ends after the reference date was not known on it.
        known = [p for p in current_periods if p.end <= at]
        return TargetProgress(target, result, at, periods=known)
    years = set(range(start.year - HISTORY_YEARS, start.year))
    if target.baseline_year:
        years.add(target.baseline_year)
    prefetched = None
    if target.measure != indicators.UNIQUE and (end - start).days < 366:
        # One question to the provider for the target's period and the same period in every
        # earlier year (they do not overlap); unique counts must be asked per period.
        earliest = progress.shift(start, min(years) - start.year) if years else start
        prefetched = list(
            indicator.provider.daily_values(
                organisation=organisation,
                start=earliest,
                end=end,
                branch_ids=None if target.scope == Target.Scope.ALL else {b.pk for b in branches},
                measure=target.measure,
            )
        )
    current = _series(indicator, target, branches, start, end, cache, prefetched)
    # Each history year holds the target's own period moved back, so a school year from August
    # to July compares with the school years before it.
    history = {
        year: _series(
            indicator,
            target,
            branches,
            progress.shift(start, year - start.year),
            progress.shift(end, year - start.year),
            cache,
            prefetched,
        )
        for year in sorted(years)
    }
    history = {y: s for y, s in history.items() if s.values or y == target.baseline_year}
    population = dict(organisation.population_figures.values_list("year", "population"))
    result = progress.compute(
        spec,
        at=at,
        current=current,
        history=history,
        population=population,
        at_risk_ratio=at_risk_ratio,
    )
    return TargetProgress(target, result, at, current=current, history=history)


def year_targets(*, organisation, year: int):
    budget_year = BudgetYear.objects.filter(organisation=organisation, year=year).first()
    if budget_year is None:
        return None, []
    targets = (
        Target.objects.filter(focus_area__budget_year=budget_year)
        .select_related("focus_area__budget_year__organisation")
        .prefetch_related("branches")
        .order_by("focus_area__position", "focus_area__pk", "position", "pk")
    )
    return budget_year, list(targets)


def year_progress(*, organisation, year: int, at: date):
    """The year's targets in order, each with its progress (None for a qualitative goal that
    still needs a target), computed with the organisation's settings and one shared cache of
    opening calendars. Returns the budget year (None if there is none), the pairs and the
    settings (None if the organisation has not set any)."""
    budget_year, targets = year_targets(organisation=organisation, year=year)
    settings = GoalSettings.objects.filter(organisation=organisation).first()
    ratio = float(settings.at_risk_ratio) if settings else 0.95
    cache: dict = {}
    pairs = [
        (
            target,
            None
            if target.is_qualitative
            else compute_target_progress(target, at=at, at_risk_ratio=ratio, cache=cache),
        )
        for target in targets
    ]
    return budget_year, pairs, settings


def status_rows(*, organisation, year: int, at: date | None = None) -> list[dict]:
    """One row per measurable target: the fields of ``goals status --format json`` and the API."""
    at = at or default_reference_date(year)
    _budget_year, pairs, _settings = year_progress(organisation=organisation, year=year, at=at)
    return [status_row(computed) for _target, computed in pairs if computed is not None]


def _number(value):
    if value is None:
        return None
    return round(value, 4) if isinstance(value, float) else value


def _shown_period(result: progress.Progress) -> dict:
    """The span a period figure's actual covers where it is a part of the target's period."""
    comparison = result.comparison
    shown = comparison.shown if comparison is not None and comparison.shown_is_part else None
    return {
        "actual_period_start": shown.start.isoformat() if shown else None,
        "actual_period_end": shown.end.isoformat() if shown else None,
    }


def status_row(computed: TargetProgress) -> dict:
    target, result = computed.target, computed.result
    return {
        "id": target.pk,
        "focus_area": target.focus_area.title,
        "indicator": target.indicator,
        "indicator_name": target.indicator_name,
        "kind": target.kind,
        "threshold": float(target.threshold) if target.threshold is not None else None,
        "percent": float(target.percent) if target.percent is not None else None,
        "baseline_year": target.baseline_year,
        "normalisation": target.normalisation,
        "measure": target.measure,
        "period_start": target.period()[0].isoformat(),
        "period_end": target.period()[1].isoformat(),
        "at": computed.at.isoformat(),
        "data_through": result.data_through.isoformat() if result.data_through else None,
        "actual": _number(result.actual),
        "baseline": _number(result.baseline),
        "baseline_full": _number(result.baseline_full),
        **_shown_period(result),
        "actual_open_days": result.actual_open_days,
        "baseline_open_days": result.baseline_open_days,
        "actual_per_open_day": _number(result.actual_per_open_day),
        "baseline_per_open_day": _number(result.baseline_per_open_day),
        "target_value": _number(result.target_value),
        "progress": _number(result.progress),
        "expected": _number(result.expected),
        "forecast": _number(result.forecast),
        "forecast_low": _number(result.forecast_low),
        "forecast_high": _number(result.forecast_high),
        "status": computed.status,
        "computed_status": result.status,
        "status_override_reason": target.override_reason if target.status_override else "",
        "notes": computed.notes,
    }


COLUMNS = [
    "focus_area",
    "indicator",
    "kind",
    "threshold",
    "baseline_year",
    "actual",
    "baseline",
    "target_value",
    "progress",
    "forecast",
    "forecast_low",
    "forecast_high",
    "status",
]


def write_status(rows: list[dict], *, format: str, stream) -> None:
    if format == "json":
        stream.write(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if format == "csv":
        from bibliotal.core.exports import safe_cell

        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow([*COLUMNS, "notes"])
        for row in rows:
            writer.writerow(
                [safe_cell(row[c]) for c in COLUMNS] + [safe_cell(" ".join(row["notes"]))]
            )
        return
    from bibliotal.core.formatting import number_text, percent_text

    widths = {"focus_area": 28, "indicator": 22}
    header = "  ".join(c[: widths.get(c, 12)].ljust(widths.get(c, 12)) for c in COLUMNS)
    stream.write(header)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if isinstance(value, float):  # in the active language: 357.587, 88 %
                value = percent_text(value) if column == "progress" else number_text(value)
            text = "–" if value is None else str(value)
            width = widths.get(column, 12)
            cells.append(text[:width].ljust(width))
        stream.write("  ".join(cells))


def held_out(target: Target) -> list[dict]:
    """Values of the target's indicator and period held out of its figures until a person
    reviews them (implausible imports), each with a link to where that is done."""
    from django.urls import NoReverseMatch, reverse

    indicator = target.indicator_object
    if indicator is None or target.is_qualitative:
        return []
    branches = scope_branches(target)
    start, end = target.period()
    found = []
    for item in indicators.held_out(
        indicator,
        organisation=target.focus_area.budget_year.organisation,
        start=start,
        end=end,
        branch_ids=None if target.scope == Target.Scope.ALL else {b.pk for b in branches},
        measure=target.measure,
    ):
        try:
            url = reverse(item.review_url_name) if item.review_url_name else ""
        except NoReverseMatch:
            url = ""
        found.append({"count": item.count, "url": url})
    return found
