"""The indicator registry: the one door between activity data and goals.

Each indicator has a stable key, a Danish and English name (through gettext), a unit, and an
additivity: DAILY figures may be summed over days and libraries; PERIOD figures (unique users)
are reported for a stated period by a stated method and are never summed.

The goals engine reads indicators only, never another app's tables. The app that owns the data
attaches a provider (``attach_provider``); an indicator without one shows "no data". A new
indicator is one ``register`` call (see CONTRIBUTING.md, "How to add an indicator").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DAILY = "daily"
PERIOD = "period"
ATTENDANCES = "attendances"
UNIQUE = "unique"


@dataclass(frozen=True)
class DailyValue:
    """A figure for one library (``branch_id``; None for the organisation as a whole) and day.

    ``estimated`` is the part of ``value`` that is an estimate rather than a count.
    """

    branch_id: int | None
    day: date
    value: float
    estimated: float = 0.0


@dataclass(frozen=True)
class PeriodValue:
    """A figure reported for a whole period by a stated method (e.g. unique users per month)."""

    start: date
    end: date
    value: float
    method: str
    branch_id: int | None = None
    estimated: bool = False


@dataclass(frozen=True)
class Annotation:
    """Something that moves an indicator, marked on its charts: a campaign (a span) or a change
    such as a new loan quota (a day, ``end`` None)."""

    start: date
    end: date | None
    label: str
    kind: str = ""


class Provider(Protocol):
    """Returns an indicator's values from the app that owns the data.

    ``branch_ids`` is the set of libraries in the target's scope, or None for all. DAILY
    indicators implement ``daily_values``; PERIOD indicators implement ``period_values``.
    """

    def daily_values(
        self, *, organisation, start: date, end: date, branch_ids: set[int] | None, measure: str
    ) -> Iterable[DailyValue]: ...

    def period_values(
        self, *, organisation, start: date, end: date, branch_ids: set[int] | None, measure: str
    ) -> Iterable[PeriodValue]: ...

    # Optional, for a provider with many rows a day: ``day_totals(*, organisation, start, end,
    # measure)`` yields (day, value, estimated part) for the whole organisation, the same sums
    # as its ``daily_values`` added up per day (``goals.indicators.day_totals``), one row a day.


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str | Promise
    unit: str | Promise
    additivity: str = DAILY
    at_premises: bool = True  # activity happens in the libraries, so closed days matter
    measures: tuple[str, ...] = (ATTENDANCES,)
    description: str | Promise = ""
    provider: Provider | None = field(default=None, compare=False)

    @property
    def additive(self) -> bool:
        return self.additivity == DAILY

    @property
    def has_data_source(self) -> bool:
        return self.provider is not None


_registry: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.key in _registry and _registry[indicator.key] != indicator:
        raise ValueError(f"Indicator {indicator.key!r} is already registered differently.")
    _registry.setdefault(indicator.key, indicator)
    return _registry[indicator.key]


def attach_provider(key: str, provider: Provider) -> None:
    """Called by the app that owns an indicator's data, from its ``AppConfig.ready``."""
    _registry[key] = replace(get(key), provider=provider)


class CombinedProvider:
    """Several apps' contributions to one additive indicator, added up (e.g. new users from
    registrations and first-time event participants)."""

    def __init__(self, providers):
        self.providers = list(providers)

    def daily_values(self, **kwargs):
        for provider in self.providers:
            yield from provider.daily_values(**kwargs)

    def period_values(self, **kwargs):
        for provider in self.providers:
            yield from provider.period_values(**kwargs)


def day_totals(
    indicator: Indicator, *, organisation, start: date, end: date, measure: str
) -> dict[date, tuple[float, float]]:
    """The whole organisation's figure per day, (value, estimated part), for the days that have
    one: from the provider's own ``day_totals`` where it has one (the database adds the
    libraries up), else its ``daily_values`` added up here. The key figures ask ten years."""
    window = {"organisation": organisation, "start": start, "end": end, "measure": measure}
    providers = (
        indicator.provider.providers
        if isinstance(indicator.provider, CombinedProvider)
        else [indicator.provider]
    )
    rows: list[Iterable[tuple[date, float, float]]] = []
    for provider in providers:
        if provider is None:
            continue
        if hasattr(provider, "day_totals"):
            rows.append(provider.day_totals(**window))
        else:
            added = added_up_daily_values(provider, **window)
            rows.append((day, value, estimated) for day, (value, estimated) in added.items())
    return _per_day(row for part in rows for row in part)


def added_up_daily_values(
    provider, *, organisation, start: date, end: date, measure: str
) -> dict[date, tuple[float, float]]:
    """A provider's ``daily_values`` for every library added up per day: what its
    ``day_totals``, where it has one, must answer."""
    return _per_day(
        (item.day, item.value, item.estimated)
        for item in provider.daily_values(
            organisation=organisation, start=start, end=end, branch_ids=None, measure=measure
        )
    )


def _per_day(rows) -> dict[date, tuple[float, float]]:
    totals: dict[date, tuple[float, float]] = {}
    for day, value, estimated in rows:
        before = totals.get(day)
        totals[day] = (
            (value, estimated) if before is None else (before[0] + value, before[1] + estimated)
        )
    return totals


def contribute_provider(key: str, provider: Provider) -> None:
    """Add a provider to an additive indicator that another app may also feed."""
    indicator = get(key)
    if not indicator.additive:
        raise ValueError(f"{key} is reported per period; its figures cannot be added up.")
    current = indicator.provider
    if current is None:
        combined = CombinedProvider([provider])
    elif isinstance(current, CombinedProvider):
        combined = CombinedProvider([*current.providers, provider])
    else:
        combined = CombinedProvider([current, provider])
    _registry[key] = replace(indicator, provider=combined)


def detach_provider(key: str) -> None:
    _registry[key] = replace(get(key), provider=None)


_annotation_sources: list = []


def add_annotation_source(source) -> None:
    """``source(organisation=, start=, end=, key=)`` returns the Annotations for an indicator;
    apps that know what moves an indicator (campaigns, quota changes) add one from ``ready``."""
    if source not in _annotation_sources:
        _annotation_sources.append(source)


def annotations(*, organisation, start: date, end: date, key: str) -> list[Annotation]:
    found = []
    for source in _annotation_sources:
        found.extend(source(organisation=organisation, start=start, end=end, key=key))
    return sorted(found, key=lambda a: a.start)


@dataclass(frozen=True)
class Statistic:
    """A yearly figure an app reports for the statistics to Danmarks Statistik that no indicator
    carries (user-education lessons, events without attendance), with how it was counted."""

    key: str
    value: float
    note: str | Promise = ""


_statistics_sources: list = []


def add_statistics_source(source) -> None:
    """``source(organisation=, start=, end=)`` returns Statistics; apps add one from ``ready``."""
    if source not in _statistics_sources:
        _statistics_sources.append(source)


def statistics(*, organisation, start: date, end: date) -> list[Statistic]:
    found = []
    for source in _statistics_sources:
        found.extend(source(organisation=organisation, start=start, end=end))
    return found


@dataclass(frozen=True)
class HeldOut:
    """Values of an indicator's period held out of its figures until a person accepts or
    corrects them (an implausible import), and the URL name of the page where that is done."""

    count: int
    review_url_name: str = ""


def held_out(
    indicator: Indicator, *, organisation, start: date, end: date, branch_ids, measure: str
) -> list[HeldOut]:
    """What the indicator's providers hold out for the period: an optional provider method
    ``held_out(organisation=, start=, end=, branch_ids=, measure=) -> int``, with the review
    page's URL name in the provider's ``review_url_name``. Goals read only this, never the
    apps' tables."""
    provider = indicator.provider
    if provider is None:
        return []
    providers = provider.providers if isinstance(provider, CombinedProvider) else [provider]
    found = []
    for one in providers:
        method = getattr(one, "held_out", None)
        if method is None:
            continue
        count = method(
            organisation=organisation,
            start=start,
            end=end,
            branch_ids=branch_ids,
            measure=measure,
        )
        if count:
            found.append(HeldOut(int(count), getattr(one, "review_url_name", "")))
    return found


def get(key: str) -> Indicator:
    try:
        return _registry[key]
    except KeyError:
        raise KeyError(f"No indicator is registered as {key!r}.") from None


def all_indicators() -> list[Indicator]:
    return list(_registry.values())


def choices() -> list[tuple[str, str]]:
    return [(i.key, str(i.name)) for i in _registry.values()]


# The standard catalogue: the keys the budget goals of Danish libraries are measured by.
for _indicator in (
    Indicator(
        "visits",
        _("Visits"),
        _("visits"),
        description=_("People entering the libraries, counted at every entry."),
    ),
    Indicator(
        "new_users",
        _("New users"),
        _("new users"),
        description=_("New registered borrowers and first-time participants."),
    ),
    Indicator(
        "guidance",
        _("Guidance"),
        _("guidances"),
        description=_("Times staff guided a citizen, in the categories that count."),
    ),
    Indicator(
        "pupils_taught",
        _("Pupils taught"),
        _("pupils"),
        measures=(ATTENDANCES, UNIQUE),
        description=_("Pupils and students taught; attendances unless unique is asked."),
    ),
    Indicator(
        "event_participants",
        _("Event participants"),
        _("participants"),
        description=_("People taking part in the library's events."),
    ),
    Indicator(
        "events_held",
        _("Events held"),
        _("events"),
        description=_("Event occurrences held by the library."),
    ),
    Indicator(
        "digital_unique_users",
        _("Unique users of digital platforms"),
        _("users"),
        additivity=PERIOD,
        at_premises=False,
        measures=(UNIQUE,),
        description=_("Unique users within a stated period by a stated method."),
    ),
    Indicator("ebook_loans", _("E-book loans"), _("loans"), at_premises=False),
    Indicator("eaudiobook_loans", _("E-audiobook loans"), _("loans"), at_premises=False),
    Indicator("child_ebook_loans", _("Children's e-book loans"), _("loans"), at_premises=False),
):
    register(_indicator)
