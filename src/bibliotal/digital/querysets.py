"""Reads for the digital pages: figures per month, never a sum of unique users."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q, Sum

from bibliotal.digital.models import AgeBand, DigitalFigure, Material, Metric, PeriodKind
from bibliotal.digital.periods import month_starts

LOAN_MATERIALS = [Material.EBOOK, Material.EAUDIOBOOK, Material.PODCAST, Material.FILM]
COUNTS = [Metric.VISITS, Metric.PAGE_VIEWS, Metric.ACTIONS, Metric.SEARCHES]


def figures(organisation, year: int, platform=None):
    found = DigitalFigure.objects.filter(
        platform__organisation=organisation, start__year=year, end__year=year
    )
    if platform is not None:
        found = found.filter(platform=platform)
    return found


def monthly_loans(organisation, year: int, platform=None) -> dict:
    """Loans per month and material, all ages: the all-ages figure where one is reported,
    otherwise the age bands added up (per platform and month, so nothing counts twice)."""
    rows = (
        figures(organisation, year, platform)
        .filter(metric=Metric.LOANS, period=PeriodKind.MONTH)
        .values("platform_id", "start", "material", "age_band")
        .annotate(total=Sum("value"), estimated=Count("pk", filter=Q(source="estimated")))
    )
    per_key: dict[tuple, dict] = defaultdict(lambda: {"all": None, "bands": 0, "est": 0})
    for row in rows:
        entry = per_key[(row["platform_id"], row["start"], row["material"])]
        if row["age_band"] == AgeBand.ALL:
            entry["all"] = row["total"]
        else:
            entry["bands"] += row["total"]
        entry["est"] += row["estimated"]
    table: dict[date, dict] = {m: defaultdict(int) for m in month_starts(year)}
    estimated: set[date] = set()
    for (_platform, month, material), entry in per_key.items():
        value = entry["all"] if entry["all"] is not None else entry["bands"]
        table[month][material] += value
        if entry["est"]:
            estimated.add(month)
    return {"months": table, "estimated": estimated}


def age_split(organisation, year: int, platform=None) -> dict:
    """Loans in the year by material and age band (bands as reported; all ages where not split)."""
    rows = (
        figures(organisation, year, platform)
        .filter(metric=Metric.LOANS, period=PeriodKind.MONTH)
        .values("material", "age_band")
        .annotate(total=Sum("value"))
    )
    split: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        split[row["material"]][row["age_band"]] = row["total"]
    return split


def unique_users(organisation, year: int, platform=None) -> list[dict]:
    """Per platform, method and age band: each month as reported and the year's own figure.
    Months are never added up: without a year figure the year says "not comparable"."""
    rows = figures(organisation, year, platform).filter(metric=Metric.UNIQUE_USERS)
    lines: dict[tuple, dict] = {}
    for figure in rows.select_related("platform").order_by("platform__name", "start"):
        key = (figure.platform.name, figure.method, figure.age_band)
        line = lines.setdefault(
            key,
            {
                "platform": figure.platform,
                "method": figure.get_method_display(),
                "age_band": figure.get_age_band_display(),
                "months": dict.fromkeys(month_starts(year)),
                "year": None,
                "other": [],
                "estimated": False,
            },
        )
        line["estimated"] = line["estimated"] or figure.estimated
        if figure.period == PeriodKind.MONTH:
            line["months"][figure.start] = figure.value
        elif figure.period == PeriodKind.YEAR:
            line["year"] = figure.value
        else:
            line["other"].append(figure)
    return list(lines.values())


def monthly_counts(organisation, year: int, platform=None) -> list[dict]:
    """Visits, page views, actions and searches per platform and month (all ages)."""
    rows = (
        figures(organisation, year, platform)
        .filter(metric__in=COUNTS, age_band=AgeBand.ALL, period=PeriodKind.MONTH)
        .select_related("platform")
        .order_by("platform__name", "metric", "start")
    )
    lines: dict[tuple, dict] = {}
    for figure in rows:
        key = (figure.platform.name, figure.metric)
        line = lines.setdefault(
            key,
            {
                "platform": figure.platform,
                "metric": figure.get_metric_display(),
                "months": dict.fromkeys(month_starts(year)),
            },
        )
        line["months"][figure.start] = (line["months"][figure.start] or 0) + figure.value
    for line in lines.values():
        line["total"] = sum(v for v in line["months"].values() if v is not None)
    return list(lines.values())


def counter_totals(organisation, year: int, platform=None) -> list[dict]:
    """COUNTER usage per platform, report and metric: the items added up per month."""
    rows = (
        figures(organisation, year, platform)
        .exclude(report="")
        .values("platform__name", "report", "metric", "start", "period")
        .annotate(total=Sum("value"))
        .order_by("platform__name", "report", "metric", "start")
    )
    lines: dict[tuple, dict] = {}
    for row in rows:
        key = (row["platform__name"], row["report"], row["metric"])
        line = lines.setdefault(
            key,
            {
                "platform": row["platform__name"],
                "report": row["report"],
                "metric": row["metric"],
                "months": dict.fromkeys(month_starts(year)),
                "total": 0,
            },
        )
        if row["period"] == PeriodKind.MONTH:
            line["months"][row["start"]] = row["total"]
        line["total"] += row["total"]
    return list(lines.values())


def monthly_children(organisation, year: int, platform=None) -> dict[date, float]:
    """Children's e-book loans per month, counted as the goal's indicator counts them."""
    from bibliotal.digital.indicators import LoansProvider

    provider = LoansProvider(material=Material.EBOOK, children=True)
    by_day = provider.by_day(organisation, date(year, 1, 1), date(year, 12, 31), platform=platform)
    months: dict[date, float] = defaultdict(float)
    for day, (value, _estimated) in by_day.items():
        if day.year == year:
            months[day.replace(day=1)] += value
    return {month: round(value) for month, value in months.items()}
