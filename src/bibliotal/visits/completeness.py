"""Where the counters stand: one completeness source per sensor, and one per library without a
counter (its manual counts).

A day is due when the library was open (``core.opening``: the one open-day definition) and the
sensor was in use; a due day without a figure is missing, never zero. A day the cleaning estimated
counts, with its share of the month shown. Where a library has no opening hours registered,
closed days cannot be told from missing ones, so every day is due and the note says why.

Queries: the sensors, the shared open days, one read of the year's daily figures and one
of its manual counts, the latest day per sensor and per library, and the last counter import.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bibliotal.core import sources
from bibliotal.core.sources import SourceMonth, SourceReport

KIND = "visits"
KIND_NAME = gettext_lazy("Visits")


def completeness_source(*, organisation, year: int, today: date) -> list[SourceReport]:
    from bibliotal.core.models import Branch, ImportBatch
    from bibliotal.visits.models import DailyVisits, ManualCount, Sensor

    first, last = date(year, 1, 1), date(year, 12, 31)
    sensors = [
        s
        for s in Sensor.objects.filter(organisation=organisation).select_related("branch")
        if (s.active_from is None or s.active_from <= last)
        and (s.active_to is None or s.active_to >= first)
    ]
    branches = [
        b
        for b in Branch.objects.filter(organisation=organisation)
        if b.has_premises
        and (b.active_from is None or b.active_from <= last)
        and (b.active_to is None or b.active_to >= first)
    ]
    with_sensor = {s.branch_id for s in sensors}
    manual_branches = [b for b in branches if b.pk not in with_sensor]
    if not sensors and not manual_branches:
        return []
    opened = sources.open_days(organisation=organisation, year=year, today=today)

    days: dict[int, dict[date, tuple[float, bool]]] = defaultdict(dict)
    counted_branch_days: set[tuple[int, date]] = set()
    for sensor_id, branch_id, day, visits, estimated in DailyVisits.objects.filter(
        sensor__organisation=organisation, day__gte=first, day__lte=last
    ).values_list("sensor_id", "branch_id", "day", "visits", "estimated"):
        days[sensor_id][day] = (float(visits), estimated)
        counted_branch_days.add((branch_id, day))
    manual: dict[int, dict[date, float]] = defaultdict(dict)
    for branch_id, day, visits in ManualCount.objects.filter(
        branch__organisation=organisation, day__gte=first, day__lte=last
    ).values_list("branch_id", "day", "visits"):
        manual[branch_id][day] = float(visits)

    latest_sensor = dict(
        DailyVisits.objects.filter(sensor__organisation=organisation)
        .values("sensor_id")
        .annotate(latest=Max("day"))
        .values_list("sensor_id", "latest")
    )
    latest_manual = dict(
        ManualCount.objects.filter(branch__organisation=organisation)
        .values("branch_id")
        .annotate(latest=Max("day"))
        .values_list("branch_id", "latest")
    )
    last_import = (
        ImportBatch.objects.filter(organisation=organisation, kind="visits")
        .order_by("-imported_at")
        .values_list("imported_at", flat=True)
        .first()
    )
    import_url, flags_url = reverse("visits:import"), reverse("visits:flags")

    reports = []
    for sensor in sensors:
        branch_days = opened.of(sensor.branch_id)
        hours_known = opened.registered.get(sensor.branch_id, False)
        figures = days.get(sensor.pk, {})
        covered_by_hand = {
            day
            for day in manual.get(sensor.branch_id, {})
            if (sensor.branch_id, day) not in counted_branch_days
        }
        months = tuple(
            _month(
                year=year,
                month=month,
                today=today,
                due=lambda day, s=sensor, bd=branch_days, known=hours_known: (
                    _in_use(s, day) and (not known or day in bd)
                ),
                figures=figures,
                by_hand=covered_by_hand,
                in_use=lambda day, s=sensor: _in_use(s, day),
            )
            for month in range(1, 13)
        )
        gaps = any(m.state in sources.GAPS for m in months)
        estimated = any(m.state == sources.ESTIMATED for m in months)
        reports.append(
            SourceReport(
                key=f"visits.sensor.{sensor.pk}",
                kind=KIND,
                kind_name=KIND_NAME,
                name=sensor.name + (f" ({sensor.entrance})" if sensor.entrance else ""),
                library=sensor.branch.name,
                months=months,
                latest_figure=latest_sensor.get(sensor.pk),
                last_import=last_import,
                fix_url=flags_url if estimated and not gaps else import_url,
                fix_label=_("Review the flagged days")
                if estimated and not gaps
                else _("Import a counter file"),
                note=_note(hours_known, sensor.branch.name),
            )
        )
    for branch in manual_branches:
        branch_days = opened.of(branch.pk)
        hours_known = opened.registered.get(branch.pk, False)
        figures = {day: (value, False) for day, value in manual.get(branch.pk, {}).items()}
        months = tuple(
            _month(
                year=year,
                month=month,
                today=today,
                due=lambda day, bd=branch_days, known=hours_known: not known or day in bd,
                figures=figures,
                by_hand=set(),
                in_use=lambda day: True,
            )
            for month in range(1, 13)
        )
        note = _("No counter: the figures are the manual daily counts.")
        extra = _note(hours_known, branch.name)
        reports.append(
            SourceReport(
                key=f"visits.manual.{branch.pk}",
                kind=KIND,
                kind_name=KIND_NAME,
                name=_("Manual counts"),
                library=branch.name,
                months=months,
                latest_figure=latest_manual.get(branch.pk),
                last_import=None,
                fix_url=reverse("visits:manual"),
                fix_label=_("Type the day's visits"),
                note=f"{note} {extra}".strip(),
            )
        )
    return reports


def _note(hours_known: bool, library: str) -> str:
    if hours_known:
        return ""
    return _(
        "%(library)s has no opening hours registered for the year: closed days cannot be told "
        "from missing ones, so every day counts as due."
    ) % {"library": library}


def _in_use(sensor, day: date) -> bool:
    return (sensor.active_from is None or sensor.active_from <= day) and (
        sensor.active_to is None or day <= sensor.active_to
    )


def _month(*, year, month, today, due, figures, by_hand, in_use) -> SourceMonth:
    first = date(year, month, 1)
    last = sources.month_last_day(year, month)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    in_month = [(day, figures[day]) for day in dates if day in figures]
    total = sum(value for _day, (value, _estimated) in in_month)
    estimated = sum(value for _day, (value, is_estimated) in in_month if is_estimated)
    value = total if in_month else None
    if not sources.month_is_due(year, month, today=today):
        detail = _("The month has not ended.") if first <= today else ""
        return SourceMonth(month, sources.NOT_DUE, value=value, detail=detail)
    if not any(in_use(day) for day in dates):
        return SourceMonth(
            month, sources.NOT_DUE, value=value, detail=_("The sensor was not in use yet.")
        )
    due_days = [day for day in dates if due(day)]
    if not due_days:
        return SourceMonth(month, sources.NONE, value=value, detail=_("Closed all month."))
    missing = [day for day in due_days if day not in figures and day not in by_hand]
    if len(missing) == len(due_days):
        return SourceMonth(
            month,
            sources.MISSING,
            missing_days=len(missing),
            value=value,
            detail=ngettext(
                "No count on the %(n)d open day.",
                "No count on any of the %(n)d open days.",
                len(due_days),
            )
            % {"n": len(due_days)},
        )
    estimated_days = sum(1 for _day, (_value, is_estimated) in in_month if is_estimated)
    share = estimated / total if total and estimated else None
    parts = []
    if missing:
        parts.append(
            ngettext(
                "%(missing)d of %(n)d open day without a count.",
                "%(missing)d of %(n)d open days without a count.",
                len(due_days),
            )
            % {"missing": len(missing), "n": len(due_days)}
        )
    if estimated_days:
        parts.append(
            ngettext(
                "%(n)d day estimated (%(share)s of the month's visits).",
                "%(n)d days estimated (%(share)s of the month's visits).",
                estimated_days,
            )
            % {"n": estimated_days, "share": _percent(share or 0)}
        )
    hand = sum(1 for day in due_days if day not in figures and day in by_hand)
    if hand:
        parts.append(
            ngettext("%(n)d day from a manual count.", "%(n)d days from manual counts.", hand)
            % {"n": hand}
        )
    if missing:
        state = sources.PARTLY
    elif estimated_days:
        state = sources.ESTIMATED
    else:
        state = sources.COUNTED
    return SourceMonth(
        month,
        state,
        estimated_share=share,
        missing_days=len(missing) if missing else None,
        value=value,
        detail=" ".join(parts),
    )


def _percent(share: float) -> str:
    from django.utils.formats import number_format

    return f"{number_format(round(share * 100, 1), decimal_pos=1 if share < 0.1 else 0)} %"
