"""The digital indicators: e-book, e-audiobook and children's e-book loans (additive), and
unique users of the digital platforms (reported per period, never summed).

Loans are reported per month (sometimes per quarter or year). A figure is spread evenly over its
days so that the goals engine can place it; the total of every reported period stays exact. When
a platform reports both a month and the year around it, the months count and the year only adds
what the months do not cover. When a period has a figure for all ages, that figure is the total;
otherwise the age bands are added up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from bibliotal.goals.indicators import Annotation, DailyValue, PeriodValue
from bibliotal.goals.progress import days_between

LOAN_INDICATORS = ("ebook_loans", "eaudiobook_loans", "child_ebook_loans")


class LoansProvider:
    """Loans per day; a figure held for review (``digital.plausibility``) is left out until a
    person accepts or corrects it."""

    review_url_name = "digital:held"

    def __init__(self, *, material: str, children: bool = False):
        self.material = material
        self.children = children

    def held_out(self, *, organisation, start, end, branch_ids, measure) -> int:
        from bibliotal.digital.models import AgeBand, DigitalFigure, Metric

        held = DigitalFigure.objects.filter(
            platform__organisation=organisation,
            metric=Metric.LOANS,
            material=self.material,
            start__lte=end,
            end__gte=start,
            plausibility="held",
        )
        if self.children:
            held = held.filter(Q(platform__for_children=True) | Q(age_band=AgeBand.CHILDREN))
        return held.count()

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        for day, (value, estimated) in sorted(self.by_day(organisation, start, end).items()):
            if start <= day <= end:
                yield DailyValue(None, day, value, estimated)

    def period_values(self, **kwargs):
        return []

    def by_day(
        self, organisation, start: date, end: date, platform=None
    ) -> dict[date, tuple[float, float]]:
        from bibliotal.digital.models import AgeBand, DigitalFigure, Metric

        # Whole years, so that a year figure is met with the months it contains even when
        # only one of them is asked for.
        rows = (
            DigitalFigure.objects.filter(
                platform__organisation=organisation,
                metric=Metric.LOANS,
                material=self.material,
                start__lte=date(end.year, 12, 31),
                end__gte=date(start.year, 1, 1),
                **({"platform": platform} if platform is not None else {}),
            )
            .exclude(plausibility="held")
            .values_list(
                "platform_id",
                "platform__for_children",
                "age_band",
                "start",
                "end",
                "value",
                "source",
            )
        )
        periods: dict[tuple, dict] = defaultdict(lambda: {"all": None, "bands": [], "child": None})
        for platform, for_children, band, first, last, value, source in rows:
            entry = periods[(platform, for_children, first, last)]
            figure = (value, value if source == DigitalFigure.Source.ESTIMATED else 0)
            if band == AgeBand.ALL:
                entry["all"] = figure
            else:
                entry["bands"].append(figure)
                if band == AgeBand.CHILDREN:
                    entry["child"] = figure
        per_platform: dict[int, list] = defaultdict(list)
        for (platform, for_children, first, last), entry in periods.items():
            if self.children and not for_children:
                chosen = entry["child"]
            elif entry["all"] is not None:
                chosen = entry["all"]
            else:
                bands = entry["bands"]
                chosen = (sum(v for v, _e in bands), sum(e for _v, e in bands)) if bands else None
            if chosen is not None:
                per_platform[platform].append((first, last, *chosen))
        total: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for figures in per_platform.values():
            for day, (value, estimated) in spread(figures).items():
                total[day][0] += value
                total[day][1] += estimated
        return {day: (v, e) for day, (v, e) in total.items()}


def spread(figures: list[tuple[date, date, int, int]]) -> dict[date, tuple[float, float]]:
    """Each figure spread evenly over its days, the shortest periods first; a longer period that
    contains shorter ones adds only its remainder to the days they leave uncovered (and nothing
    when its remainder is negative: the shorter, later figures win)."""
    assigned: dict[date, tuple[float, float]] = {}
    for first, last, value, estimated in sorted(figures, key=lambda f: ((f[1] - f[0]).days, f[0])):
        span = list(days_between(first, last))
        covered = [d for d in span if d in assigned]
        open_days = [d for d in span if d not in assigned]
        if not open_days:
            continue
        remainder = value - sum(assigned[d][0] for d in covered)
        if remainder < 0:
            continue
        share = estimated / value if value else 0.0
        per_day = remainder / len(open_days)
        for day in open_days:
            assigned[day] = (per_day, per_day * share)
    return assigned


def headline_platform(organisation):
    """The platform whose unique users the goal follows: the one marked so; else the only one
    for all platforms together; else the only platform that reports unique users. One query."""
    from django.db.models import Exists, OuterRef

    from bibliotal.digital.models import DigitalFigure, Metric, Platform

    users = DigitalFigure.objects.filter(platform=OuterRef("pk"), metric=Metric.UNIQUE_USERS)
    platforms = list(
        Platform.objects.filter(organisation=organisation).annotate(
            reports_users=Exists(users), reports_logins=Exists(users.filter(method="login"))
        )
    )
    marked = [p for p in platforms if p.headline]
    together = [p for p in platforms if p.kind == Platform.Kind.ALL]
    reporting = [p for p in platforms if p.reports_users]
    for candidates in (marked, together, reporting):
        if len(candidates) == 1:
            return candidates[0]
    return None


class UniqueUsersProvider:
    """One figure per reported period, from one platform, by one method: never a sum. A figure
    held for review is left out until a person accepts or corrects it."""

    review_url_name = "digital:held"

    def held_out(self, *, organisation, start, end, branch_ids, measure) -> int:
        from bibliotal.digital.models import DigitalFigure, Metric

        platform = headline_platform(organisation)
        if platform is None:
            return 0
        return DigitalFigure.objects.filter(
            platform=platform,
            metric=Metric.UNIQUE_USERS,
            start__gte=start,
            end__lte=end,
            plausibility="held",
        ).count()

    def daily_values(self, **kwargs):
        return []

    def period_values(self, *, organisation, start, end, branch_ids, measure):
        from bibliotal.digital.models import AgeBand, DigitalFigure, Metric

        platform = headline_platform(organisation)
        if platform is None:
            return []
        # One method for every year, so that a year is never compared with a baseline counted
        # another way: login-based (people) where the platform has any, else cookie-based.
        method = "login" if platform.reports_logins else "cookie"
        chosen = DigitalFigure.objects.filter(
            platform=platform,
            metric=Metric.UNIQUE_USERS,
            age_band=AgeBand.ALL,
            method=method,
            start__gte=start,
            end__lte=end,
        ).exclude(plausibility="held")
        return [
            PeriodValue(f.start, f.end, float(f.value), f.method, None, f.estimated)
            for f in chosen.order_by("start", "end")
        ]


def annotations(*, organisation, start: date, end: date, key: str):
    """Campaigns that chose the indicator, and loan-quota changes for the loan indicators."""
    from bibliotal.digital.models import Campaign, QuotaChange

    found = []
    for campaign in Campaign.objects.filter(
        organisation=organisation, start__lte=end, end__gte=start
    ):
        if key in campaign.indicators:
            found.append(
                Annotation(
                    start=campaign.start,
                    end=campaign.end,
                    label=_("Campaign: %(title)s") % {"title": campaign.title},
                    kind="campaign",
                )
            )
    if key in LOAN_INDICATORS:
        for change in QuotaChange.objects.filter(
            platform__organisation=organisation, day__gte=start, day__lte=end
        ).select_related("platform"):
            found.append(
                Annotation(
                    start=change.day,
                    end=None,
                    label=quota_label(change),
                    kind="quota",
                )
            )
    return found


def quota_label(change) -> str:
    if change.quota_before is not None and change.quota_after is not None:
        text = _("%(platform)s: loan quota %(before)d → %(after)d") % {
            "platform": change.platform.name,
            "before": change.quota_before,
            "after": change.quota_after,
        }
    else:
        text = _("%(platform)s: loan quota changed") % {"platform": change.platform.name}
    return f"{text} ({change.note})" if change.note else text
