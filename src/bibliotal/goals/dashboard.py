"""The goals app's panels on the start page: where every target stands, and the key figures.

Both read the goals engine and the indicator registry only. Both are costly (the status of
every target is some half a second on the demo), so they are kept under the data stamp
(``core.dashboard.cached``): a new figure, target or closure gives a new stamp, so an import
is never followed by stale figures.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bibliotal.core.dashboard import Panel, cached, register_panel
from bibliotal.core.permissions import Capability
from bibliotal.goals import indicators, progress, reporting
from bibliotal.goals.models import Target
from bibliotal.goals.series import shift

KEY_FIGURE_YEARS = 10  # how far back the key figures look for the latest month with figures
STATUS_ORDER = (
    progress.OFF_TRACK,
    progress.NOT_ACHIEVED,
    progress.AT_RISK,
    progress.ON_TRACK,
    progress.ACHIEVED,
    progress.NO_DATA,
)


def _providers() -> tuple:
    """What the figures depend on beside the database: which provider feeds each indicator."""
    return tuple((i.key, id(i.provider)) for i in indicators.all_indicators())


def goals_year(*, organisation, today: date) -> tuple[int | None, list[int]]:
    """The year the start page shows: this year if it has targets, else the latest earlier year
    with targets, else the first later one. Also every year with targets."""
    years = sorted(
        set(
            Target.objects.filter(focus_area__budget_year__organisation=organisation)
            .order_by()
            .values_list("focus_area__budget_year__year", flat=True)
            .distinct()
        )
    )
    if not years:
        return None, []
    if today.year in years:
        return today.year, years
    earlier = [y for y in years if y < today.year]
    return (earlier[-1] if earlier else years[0]), years


def _target_rows(*, organisation, year: int, at: date) -> dict:
    _budget_year, pairs, _settings = reporting.year_progress(
        organisation=organisation, year=year, at=at
    )
    rows, needs_target = [], 0
    for target, computed in pairs:
        if computed is None:
            needs_target += 1
            continue
        result = computed.result
        rows.append(
            {
                "pk": target.pk,
                "url": reverse("goals:target_detail", args=[year, target.pk]),
                "name": target.indicator_name,
                "describe": target.describe(),
                "focus_area": target.focus_area.title,
                "status": computed.status,
                "set_by_hand": bool(target.status_override),
                "final": result.final,
                "actual": result.actual,
                "target_value": result.target_value,
                "progress": result.progress,
                "forecast": None if result.final else result.forecast,
                "forecast_low": None if result.final else result.forecast_low,
                "forecast_high": None if result.final else result.forecast_high,
                "data_through": result.data_through,
                "per_open_day": target.normalisation == Target.Normalisation.PER_OPEN_DAY,
                "period_part": computed.actual_period,
            }
        )
    counts = defaultdict(int)
    for row in rows:
        counts[row["status"]] += 1
    summary = [(status, counts[status]) for status in STATUS_ORDER if counts[status]]
    return {"rows": rows, "needs_target": needs_target, "summary": summary}


def targets_panel(request, organisation, today):
    year, years = goals_year(organisation=organisation, today=today)
    data = {"year": year, "this_year": today.year, "years": years, "rows": [], "summary": []}
    if year is None:
        data["budget_years"] = list(
            organisation.budget_years.values_list("year", flat=True).order_by("-year")
        )
        return data
    # This year per today; a past year per its last day (its final status); a later year per
    # today (not started).
    at = date(year, 12, 31) if year < today.year else today
    data["at"] = at
    data["over"] = at >= date(year, 12, 31)
    data.update(
        cached(
            "goals.targets",
            organisation=organisation,
            today=today,
            request=request,
            extra=(year, at, _providers()),
            compute=lambda: _target_rows(organisation=organisation, year=year, at=at),
        )
    )
    return data


# -- key figures ------------------------------------------------------------------------------


def _sum(days: dict, start: date, end: date) -> tuple[float | None, float]:
    """The total and its estimated part over the days with figures; None where no day has one."""
    found = [v for d, v in days.items() if start <= d <= end]
    if not found:
        return None, 0.0
    return sum(v[0] for v in found), sum(v[1] for v in found)


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before <= 0:
        return None
    return now / before - 1


def _key_figure(indicator, *, organisation, today: date) -> dict:
    days = indicators.day_totals(
        indicator,
        organisation=organisation,
        start=date(today.year - KEY_FIGURE_YEARS, 1, 1),
        end=today,
        measure=indicators.ATTENDANCES,
    )
    row = {"key": indicator.key, "name": str(indicator.name), "unit": str(indicator.unit)}
    if not days:
        return {**row, "latest": None}
    latest = max(days)
    month_start = latest.replace(day=1)
    year_start = date(latest.year, 1, 1)
    month, month_estimated = _sum(days, month_start, latest)
    month_before, _e = _sum(days, shift(month_start, -1), shift(latest, -1))
    ytd, ytd_estimated = _sum(days, year_start, latest)
    ytd_before, _e = _sum(days, shift(year_start, -1), shift(latest, -1))
    return {
        **row,
        "latest": latest,
        "month_start": month_start,
        "current_month": latest.year == today.year and latest.month == today.month,
        "this_year": latest.year == today.year,
        "month": month,
        "month_before": month_before,
        "month_change": _change(month, month_before),
        "month_estimated": month_estimated / month if month else 0.0,
        "ytd": ytd,
        "ytd_before": ytd_before,
        "ytd_change": _change(ytd, ytd_before),
        "ytd_estimated": ytd_estimated / ytd if ytd else 0.0,
        "year": latest.year,
        "year_before": latest.year - 1,
    }


def _key_figures(*, organisation, today: date) -> dict:
    rows = [
        _key_figure(indicator, organisation=organisation, today=today)
        for indicator in indicators.all_indicators()
        # Period figures (unique users) are never summed over months or a year.
        if indicator.additive and indicator.provider is not None
    ]
    with_figures = [r for r in rows if r["latest"] is not None]
    return {
        "rows": rows,
        "any": bool(with_figures),
        "none_this_year": bool(with_figures) and not any(r["this_year"] for r in with_figures),
        "latest": max((r["latest"] for r in with_figures), default=None),
    }


def key_figures_panel(request, organisation, today):
    data = cached(
        "goals.key_figures",
        organisation=organisation,
        today=today,
        request=request,
        extra=(_providers(),),
        compute=lambda: _key_figures(organisation=organisation, today=today),
    )
    return {**data, "today": today}


def register_panels() -> None:
    register_panel(
        Panel(
            key="goals.targets",
            order=10,
            capability=Capability.MANAGE,
            template="goals/panels/targets.html",
            context=targets_panel,
            deferrable=True,
            title=_("Where the targets stand"),
            wide=True,
        )
    )
    register_panel(
        Panel(
            key="goals.key_figures",
            order=30,
            capability=Capability.MANAGE,
            template="goals/panels/key_figures.html",
            context=key_figures_panel,
            deferrable=True,
            title=_("Key figures"),
            wide=True,
        )
    )
