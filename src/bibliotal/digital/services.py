"""Writes and reads that span several models: the typed month, and campaign comparisons.

A campaign's comparison reads the indicators through the registry, like the goals engine does:
the campaign period against the same length of time just before it, and against the same period
a year earlier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.formatting import date_text
from bibliotal.core.models import Branch
from bibliotal.digital.models import DigitalFigure, period_kind
from bibliotal.digital.periods import month_end
from bibliotal.goals import indicators as registry
from bibliotal.goals.progress import shift


@dataclass
class TypedEntry:
    metric: str
    material: str
    age_band: str
    method: str
    value: int | None


@transaction.atomic
def save_typed_figures(
    *, platform, start: date, end: date, entries: list[TypedEntry], user, estimated: bool = False
) -> dict[str, int]:
    """Save a typed grid: a value creates or replaces its figure, an emptied cell removes it.
    Every change is audited (the model is registered with the audit log)."""
    counts = {"created": 0, "updated": 0, "deleted": 0}
    source = DigitalFigure.Source.ESTIMATED if estimated else DigitalFigure.Source.TYPED
    month = {"platform": platform, "start": start, "end": end, "key": ""}
    existing = {
        (f.metric, f.material, f.age_band, f.method): f
        for f in DigitalFigure.objects.filter(**month)
    }
    for entry in entries:
        identity = {
            **month,
            "metric": entry.metric,
            "material": entry.material,
            "age_band": entry.age_band,
            "method": entry.method,
        }
        current = existing.get((entry.metric, entry.material, entry.age_band, entry.method))
        if entry.value is None:
            if current is not None:
                current.delete()
                counts["deleted"] += 1
            continue
        if current is None:
            DigitalFigure.objects.create(
                **identity, value=entry.value, source=source, entered_by=user
            )
            counts["created"] += 1
        elif current.value != entry.value or (
            # The estimate box changes typed figures only; an imported figure left as it was
            # stays imported.
            current.source != DigitalFigure.Source.IMPORTED and current.source != source
        ):
            current.value, current.source, current.entered_by = entry.value, source, user
            current.batch = None
            current.updated_at = timezone.now()
            current.save()
            counts["updated"] += 1
    return counts


def _months_between(start: date, end: date) -> int | None:
    """The number of whole calendar months from ``start`` to ``end``, or None."""
    if start.day != 1 or end != month_end(end):
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def windows(start: date, end: date) -> dict[str, tuple[date, date]]:
    """The campaign, the same length of time just before it (whole months when the campaign is
    whole months), and the same period a year earlier."""
    months = _months_between(start, end)
    if months:
        before_start = _months_back(start, months)
        before = (before_start, start - timedelta(days=1))
    else:
        length = (end - start).days + 1
        before = (start - timedelta(days=length), start - timedelta(days=1))
    last_year_end = shift(end, -1)
    if end == month_end(end):
        last_year_end = month_end(last_year_end)
    return {
        "during": (start, end),
        "before": before,
        "last_year": (shift(start, -1), last_year_end),
    }


@dataclass
class Comparison:
    key: str
    name: str
    unit: str
    during: float | None = None
    before: float | None = None
    last_year: float | None = None
    windows: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def _change(now, then):
        if now is None or then is None or then == 0:
            return None
        return (now - then) / then

    @property
    def change_before(self):
        return self._change(self.during, self.before)

    @property
    def change_last_year(self):
        return self._change(self.during, self.last_year)


def compare_campaign(campaign, *, today: date | None = None) -> list[Comparison]:
    today = today or timezone.localdate()
    organisation = campaign.organisation
    branch_ids = None
    if campaign.areas:
        branch_ids = set(
            Branch.objects.filter(
                organisation=organisation, area_type__in=campaign.areas
            ).values_list("pk", flat=True)
        )
    results = []
    for key in campaign.indicators:
        try:
            indicator = registry.get(key)
        except KeyError:
            continue
        comparison = Comparison(key, str(indicator.name), str(indicator.unit))
        results.append(comparison)
        if indicator.provider is None:
            comparison.notes.append(_("No data source for this figure yet."))
            continue
        if indicator.additive:
            _compare_additive(comparison, indicator, campaign, organisation, branch_ids, today)
        else:
            _compare_periods(comparison, indicator, campaign, organisation, branch_ids)
    return results


def _sum(indicator, organisation, span, branch_ids):
    values = [
        v
        for v in indicator.provider.daily_values(
            organisation=organisation,
            start=span[0],
            end=span[1],
            branch_ids=branch_ids,
            measure=registry.ATTENDANCES,
        )
        if span[0] <= v.day <= span[1]
        and (branch_ids is None or v.branch_id is None or v.branch_id in branch_ids)
    ]
    if not values:
        return None, None
    # Monthly figures are spread over their days as fractions: round away the float dust.
    return round(sum(v.value for v in values), 6), max(v.day for v in values)


def _compare_additive(comparison, indicator, campaign, organisation, branch_ids, today):
    spans = windows(campaign.start, campaign.end)
    during, through = _sum(indicator, organisation, spans["during"], branch_ids)
    if during is not None and through < campaign.end:
        # Figures run only to ``through``: compare the same stretch of each window.
        elapsed = (through - campaign.start).days
        spans = {
            "during": (campaign.start, through),
            "before": (spans["before"][0], spans["before"][0] + timedelta(days=elapsed)),
            "last_year": (spans["last_year"][0], shift(through, -1)),
        }
        comparison.notes.append(
            _("Figures run to %(date)s, so every period is compared over its first %(days)d days.")
            % {"date": date_text(through, "SHORT_DATE_FORMAT"), "days": elapsed + 1}
        )
    comparison.windows = spans
    comparison.during = during
    comparison.before = _sum(indicator, organisation, spans["before"], branch_ids)[0]
    comparison.last_year = _sum(indicator, organisation, spans["last_year"], branch_ids)[0]
    if not indicator.at_premises and campaign.areas:
        comparison.notes.append(
            _("The platforms do not report by area: this figure covers the whole municipality.")
        )
    if period_kind(campaign.start, campaign.end) == "other" and not indicator.at_premises:
        comparison.notes.append(
            _("Monthly figures are spread evenly over their days to fit the campaign's dates.")
        )


def _compare_periods(comparison, indicator, campaign, organisation, branch_ids):
    spans = windows(campaign.start, campaign.end)
    comparison.windows = spans
    found = {}
    for name, (first, last) in spans.items():
        values = indicator.provider.period_values(
            organisation=organisation,
            start=first,
            end=last,
            branch_ids=branch_ids,
            measure=registry.UNIQUE,
        )
        match = next((v for v in values if (v.start, v.end) == (first, last)), None)
        found[name] = match.value if match else None
    comparison.during, comparison.before, comparison.last_year = (
        found["during"],
        found["before"],
        found["last_year"],
    )
    comparison.notes.append(
        _(
            "Unique users are reported per period and never added up: each is compared only "
            "where a figure covers exactly that period."
        )
    )
