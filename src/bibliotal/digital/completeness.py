"""Where the digital figures stand: one completeness source per e-loan platform and one per
unique-users platform, month by month.

A platform reports per month, quarter or year (its cadence: the shortest period among its
figures of the year, a month where it has none). A month is due once its period has ended plus
the platform's reporting delay; none is known for any platform yet, so the delay is zero. A
platform that never reported is listed, with every due month missing. Unique users are never
added up: the month's value is the platform's own figure for the month, all ages.

Queries: the platforms, one aggregate of the year's figures, the latest period per platform and
metric, and the last import per platform.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core import sources
from bibliotal.core.sources import SourceMonth, SourceReport

KIND = "digital"
KIND_NAME = gettext_lazy("Digital offers")

# Days after a period's end before its figure is due, by platform kind. None is known: eReolen's
# statistics tool and Matomo show a month once it has ended.
REPORTING_DELAY_DAYS: dict[str, int] = {}

CADENCE_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def completeness_source(*, organisation, year: int, today: date) -> list[SourceReport]:
    from bibliotal.digital.models import DigitalFigure, Metric, Platform

    first, last = date(year, 1, 1), date(year, 12, 31)
    platforms = list(Platform.objects.filter(organisation=organisation))
    if not platforms:
        return []
    metrics = (Metric.LOANS, Metric.UNIQUE_USERS)
    # (platform, metric) -> [(start, end, period, source, age_band, method, value)]
    figures: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for row in (
        DigitalFigure.objects.filter(
            platform__organisation=organisation,
            metric__in=metrics,
            start__lte=last,
            end__gte=first,
        )
        .values("platform_id", "metric", "start", "end", "period", "source", "age_band", "method")
        .annotate(total=Sum("value"))
        .values_list(
            "platform_id",
            "metric",
            "start",
            "end",
            "period",
            "source",
            "age_band",
            "method",
            "total",
        )
    ):
        figures[(row[0], row[1])].append(row[2:])
    latest = {
        (platform_id, metric): end
        for platform_id, metric, end in DigitalFigure.objects.filter(
            platform__organisation=organisation, metric__in=metrics
        )
        .values("platform_id", "metric")
        .annotate(latest=Max("end"))
        .values_list("platform_id", "metric", "latest")
    }
    imported = dict(
        DigitalFigure.objects.filter(
            platform__organisation=organisation, metric__in=metrics, batch__isnull=False
        )
        .values("platform_id")
        .annotate(at=Max("batch__imported_at"))
        .values_list("platform_id", "at")
    )
    eloan_kinds = {Platform.Kind.EREOLEN, Platform.Kind.EREOLEN_GO}
    reports = []
    for platform in platforms:
        wanted = []
        if platform.kind in eloan_kinds or (platform.pk, Metric.LOANS) in latest:
            wanted.append(Metric.LOANS)
        if platform.headline or (platform.pk, Metric.UNIQUE_USERS) in latest:
            wanted.append(Metric.UNIQUE_USERS)
        for metric in wanted:
            rows = figures.get((platform.pk, metric), [])
            if not platform.active and not rows:
                continue  # out of use and nothing reported for the year
            delay = REPORTING_DELAY_DAYS.get(platform.kind, 0)
            months, cadence = _months(
                rows, year=year, today=today, delay=delay, unique=metric == Metric.UNIQUE_USERS
            )
            gaps = [m.month for m in months if m.state in sources.GAPS]
            fix_url = reverse("digital:import")
            if gaps:
                fix_url = (
                    reverse("digital:grid") + f"?platform={platform.pk}&month={year}-{gaps[0]:02d}"
                )
            if metric == Metric.LOANS:
                kind_name = gettext_lazy("E-loans")
            else:
                kind_name = gettext_lazy("Unique users")
            note = ""
            if cadence != "month":
                note = {
                    "quarter": _("Reported per quarter: a month is due when its quarter ends."),
                    "year": _("Reported per year: the months are due when the year ends."),
                }[cadence]
            elif metric == Metric.UNIQUE_USERS:
                note = _("Unique users are never added up: each month has its own figure.")
            reports.append(
                SourceReport(
                    key=f"digital.{metric}.{platform.pk}",
                    kind=KIND,
                    kind_name=kind_name,
                    name=platform.name,
                    months=tuple(months),
                    latest_figure=latest.get((platform.pk, metric)),
                    last_import=imported.get(platform.pk),
                    fix_url=fix_url,
                    fix_label=_("Type or import the figures"),
                    note=note,
                )
            )
    return reports


def _cadence(rows) -> str:
    kinds = {row[2] for row in rows}
    for kind in ("month", "quarter", "year"):
        if kind in kinds:
            return kind
    return "month"


def _months(rows, *, year: int, today: date, delay: int, unique: bool):
    cadence = _cadence(rows)
    length = CADENCE_MONTHS[cadence]
    by_month: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        start, end, period = row[0], row[1], row[2]
        if CADENCE_MONTHS.get(period, 0) > length or period not in CADENCE_MONTHS:
            continue  # a year figure beside monthly ones adds nothing to the months
        for month in range(1, 13):
            if start <= sources.month_last_day(year, month) and end >= date(year, month, 1):
                by_month[month].append(row)
    months = []
    for month in range(1, 13):
        period_end_month = ((month - 1) // length + 1) * length
        due = sources.month_is_due(year, period_end_month, today=today, delay_days=delay)
        found = by_month.get(month, [])
        value = _month_value(found, unique=unique) if cadence == "month" else None
        if found:
            total = sum(r[6] for r in found if r[4] == "all") or sum(r[6] for r in found)
            estimated = sum(r[6] for r in found if r[3] == "estimated" and r[4] == "all") or sum(
                r[6] for r in found if r[3] == "estimated"
            )
            detail = ""
            if cadence != "month":
                detail = (
                    _("Reported for the quarter.")
                    if cadence == "quarter"
                    else _("Reported for the year.")
                )
            if estimated and total:
                share = min(1.0, estimated / total)
                months.append(
                    SourceMonth(
                        month,
                        sources.ESTIMATED,
                        estimated_share=share,
                        value=value,
                        detail=(detail + " " + _("The figure is estimated.")).strip(),
                    )
                )
            else:
                months.append(SourceMonth(month, sources.COUNTED, value=value, detail=detail))
        elif not due:
            detail = ""
            if date(year, month, 1) <= today:
                detail = (
                    _("The month has not ended.")
                    if length == 1
                    else _("Due when the quarter has ended.")
                    if cadence == "quarter"
                    else _("Due when the year has ended.")
                )
            months.append(SourceMonth(month, sources.NOT_DUE, detail=detail))
        else:
            months.append(
                SourceMonth(month, sources.MISSING, detail=_("No figure reported for the month."))
            )
    return months, cadence


def _month_value(rows, *, unique: bool) -> float | None:
    """The month's own figure: for loans the materials added up (all ages where given, else the
    age bands); for unique users the one figure for all ages (login-based before cookie-based)."""
    exact = [r for r in rows if r[2] == "month"]
    if not exact:
        return None
    if unique:
        everyone = sorted((r for r in exact if r[4] == "all"), key=lambda r: r[5] != "login")
        return float(everyone[0][6]) if everyone else None
    if any(r[4] == "all" for r in exact):
        return float(sum(r[6] for r in exact if r[4] == "all"))
    return float(sum(r[6] for r in exact))
