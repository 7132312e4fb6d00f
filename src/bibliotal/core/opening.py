"""Was branch B open on date D, and for how many staffed and self-service hours?

Later issues use this to compute rates per open day and open hour and to tell a closed day from
an open day with zero activity. The computation itself is pure (``compute_day``); the loader
(``opening_calendar``) reads schedules, closures and public holidays for many branches and days in
a fixed number of queries.

Rules:
- On a date the schedule with the latest ``valid_from`` among those valid that day applies.
- Self-service hours are the self-service periods outside the staffed periods.
- A closure of scope "all" removes its hours (or the whole day) from both kinds; a closure of
  scope "self_service" removes only self-service hours.
- A Danish public holiday closes the whole day when the organisation says so.
- Where the library website's day-level calendar covers a date (``CalendarCoverage``), its
  hours replace the weekly pattern and the public-holiday rule; a covered date without hours is
  closed. Closures still apply.
- Before a branch's ``active_from`` or after its ``active_to`` it is closed; an online branch has
  no premises and is never "open" in this sense.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from typing import NamedTuple

import holidays as holidays_lib
from django.db.models import Prefetch, Q
from django.utils import translation
from django.utils.translation import gettext as _

DAY_MINUTES = 24 * 60
STAFFED = "staffed"
SELF_SERVICE = "self_service"
SCOPE_ALL = "all"

Interval = tuple[int, int]


def minutes(value: time | None, default: int) -> int:
    if value is None:
        return default
    return value.hour * 60 + value.minute


def union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: Sequence[Interval], removed: Sequence[Interval]) -> list[Interval]:
    result = union(intervals)
    for cut_start, cut_end in union(removed):
        pieces: list[Interval] = []
        for start, end in result:
            if cut_end <= start or end <= cut_start:
                pieces.append((start, end))
                continue
            if start < cut_start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        result = pieces
    return result


def total(intervals: Iterable[Interval]) -> int:
    return sum(end - start for start, end in union(intervals))


# Named tuples, not frozen dataclasses: a calendar looks each day's hours and closures up in a
# cache (``_day_parts``) by their hash, which a tuple works out in C.
class HoursSpec(NamedTuple):
    kind: str
    opens: int
    closes: int


class ClosureSpec(NamedTuple):
    start_date: date
    end_date: date
    start: int | None
    end: int | None
    scope: str
    reason: str

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def interval(self) -> Interval:
        return (
            0 if self.start is None else self.start,
            DAY_MINUTES if self.end is None else self.end,
        )


@dataclass(frozen=True)
class OpenDay:
    """One branch on one date."""

    branch_id: int
    day: date
    staffed_periods: tuple[Interval, ...] = ()
    self_service_periods: tuple[Interval, ...] = ()
    scheduled_minutes: int = 0
    holiday: str = ""
    closures: tuple[str, ...] = field(default=())
    inactive: bool = False

    # Worked out once: asked of every day of every calendar, many times over.
    staffed_minutes: int = field(init=False, repr=False, compare=False)
    self_service_minutes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "staffed_minutes", _total_of(self.staffed_periods))
        object.__setattr__(self, "self_service_minutes", _total_of(self.self_service_periods))

    @property
    def is_open(self) -> bool:
        return self.staffed_minutes + self.self_service_minutes > 0

    @property
    def staffed_hours(self) -> float:
        return self.staffed_minutes / 60

    @property
    def self_service_hours(self) -> float:
        return self.self_service_minutes / 60

    @property
    def open_hours(self) -> float:
        return (self.staffed_minutes + self.self_service_minutes) / 60

    @property
    def partly_closed(self) -> bool:
        """Open, but for fewer hours than the schedule says."""
        return self.is_open and (
            self.staffed_minutes + self.self_service_minutes < self.scheduled_minutes
        )


@lru_cache(maxsize=4096)
def _total_of(periods: tuple[Interval, ...]) -> int:
    """``total`` of a day's periods: a year of days has only a handful of distinct ones."""
    return total(periods)


@lru_cache(maxsize=4096)
def _scheduled(hours: tuple[HoursSpec, ...]) -> tuple[tuple, tuple, int]:
    """(staffed periods, self-service periods outside them, scheduled minutes) of a weekday's
    hours: the same few weekdays recur all year, so each is worked out once."""
    staffed = union((h.opens, h.closes) for h in hours if h.kind == STAFFED)
    self_service = subtract([(h.opens, h.closes) for h in hours if h.kind == SELF_SERVICE], staffed)
    return tuple(staffed), tuple(self_service), total(staffed) + total(self_service)


def compute_day(
    *,
    branch_id: int,
    day: date,
    hours: Sequence[HoursSpec],
    closures: Sequence[ClosureSpec] = (),
    holiday: str = "",
    active: bool = True,
) -> OpenDay:
    """The open hours of one branch on one day from the hours of its schedule for that weekday."""
    applying = tuple(c for c in closures if c.covers(day))
    return open_day(branch_id, day, _day_parts(tuple(hours), applying, holiday, active))


def open_day(branch_id: int, day: date, parts: tuple) -> OpenDay:
    """``OpenDay(branch_id, day, *parts)``, made ten times faster: a calendar makes thousands,
    from a few distinct ``parts``. The fields of each distinct ``parts`` (those worked out in
    ``__post_init__`` too) come once from a real ``OpenDay`` and are copied into the new one's
    ``__dict__``; the frozen dataclass's ``__init__`` would set each field through
    ``object.__setattr__``."""
    made = object.__new__(OpenDay)
    state = made.__dict__
    state.update(_fields_of(parts))
    state["branch_id"] = branch_id
    state["day"] = day
    return made


@lru_cache(maxsize=4096)
def _fields_of(parts: tuple) -> dict:
    """Every field of an ``OpenDay`` of these parts but its library and date (never changed:
    each new day copies it)."""
    fields = dict(vars(OpenDay(0, date.min, *parts)))
    del fields["branch_id"], fields["day"]
    return fields


@lru_cache(maxsize=4096)
def _day_parts(
    hours: tuple[HoursSpec, ...], applying: tuple[ClosureSpec, ...], holiday: str, active: bool
) -> tuple:
    """An ``OpenDay``'s fields after its library and date, from the weekday's hours and the
    closures that cover the day: a year of days repeats a few such combinations, so each is
    worked out once (``opening_calendar`` asks for thousands of days a page)."""
    staffed, self_service, scheduled = _scheduled(hours)
    if not active:
        return (), (), scheduled, "", (), True
    if holiday:
        return (), (), scheduled, holiday, (), False
    if applying:
        cut_all = [c.interval() for c in applying if c.scope == SCOPE_ALL]
        cut_self = cut_all + [c.interval() for c in applying if c.scope != SCOPE_ALL]
        staffed = tuple(subtract(staffed, cut_all))
        self_service = tuple(subtract(self_service, cut_self))
    reasons = tuple(dict.fromkeys(c.reason for c in applying))
    return staffed, self_service, scheduled, "", reasons, False


@dataclass(frozen=True)
class OpenSummary:
    days: int
    open_days: int
    staffed_hours: float
    self_service_hours: float

    @property
    def open_hours(self) -> float:
        return self.staffed_hours + self.self_service_hours

    @property
    def closed_days(self) -> int:
        return self.days - self.open_days


def format_periods(periods: Iterable[Interval]) -> str:
    """``[(600, 1080)]`` → ``"10.00–18.00"`` (Danish clock notation, understood in English)."""
    return ", ".join(
        f"{start // 60:02d}.{start % 60:02d}–{end // 60:02d}.{end % 60:02d}"
        for start, end in periods
    )


def summarise(days: Iterable[OpenDay]) -> OpenSummary:
    count = open_count = staffed = self_service = 0
    for item in days:
        count += 1
        open_count += item.is_open
        staffed += item.staffed_minutes
        self_service += item.self_service_minutes
    return OpenSummary(count, open_count, staffed / 60, self_service / 60)


@dataclass(frozen=True)
class ScopeDays:
    """A group of libraries (a target's scope, the libraries a page shows) date by date.

    The one definition every page uses: an **open day** of a scope is a date on which at least
    one of its libraries was open to the public, staffed or self-service. A **library-day** is
    one library open on one date, a different unit: six libraries open on one date make one
    open day and six library-days. ``hours_registered`` is False when no library of the scope
    has any opening hours on any of the dates, so "closed" would only mean "not known".
    """

    open: dict[date, bool]
    libraries_open: dict[date, int]
    closures: tuple[str, ...] = ()
    hours_registered: bool = True

    def open_days(self, start: date, end: date) -> int:
        return sum(1 for day, is_open in self.open.items() if is_open and start <= day <= end)

    def library_days(self, start: date, end: date) -> int:
        return sum(n for day, n in self.libraries_open.items() if start <= day <= end)


def open_day_definition() -> str:
    """The definition in words, for every page and document that shows open days."""
    return _(
        "An open day is a date on which at least one of the libraries was open to the public, "
        "staffed or self-service; a library-day is one library open on one date."
    )


def scope_days(calendar: dict[int, dict[date, OpenDay]]) -> ScopeDays:
    """The open days and library-days of the libraries in an ``opening_calendar`` answer, with
    the reasons for the closures among them in the order first met."""
    open_by_day: dict[date, bool] = {}
    libraries: dict[date, int] = {}
    reasons: dict[str, None] = {}
    registered = False
    for days in calendar.values():
        for day, info in days.items():
            open_by_day[day] = open_by_day.get(day, False) or info.is_open
            libraries[day] = libraries.get(day, 0) + info.is_open
            registered = registered or info.scheduled_minutes > 0 or info.is_open
            for reason in info.closures:
                reasons.setdefault(reason)
    return ScopeDays(open_by_day, libraries, tuple(reasons), registered)


def holiday_names(start: date, end: date) -> dict[date, str]:
    """Danish public holidays between two dates, named in the active language."""
    language = "en_US" if (translation.get_language() or "da").startswith("en") else "da"
    years = range(start.year, end.year + 1)
    found = holidays_lib.country_holidays("DK", years=years, language=language)
    return {day: name for day, name in found.items() if start <= day <= end}


def opening_calendar(*, branches, start: date, end: date) -> dict[int, dict[date, OpenDay]]:
    """Every given branch's ``OpenDay`` for every date from ``start`` to ``end`` inclusive."""
    from bibliotal.core.models import Closure, OpeningHours, OpeningSchedule

    branches = list(branches)
    if end < start or not branches:
        return {b.pk: {} for b in branches}
    schedules = (
        OpeningSchedule.objects.filter(branch__in=branches, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("valid_from")
        .prefetch_related(Prefetch("hours", queryset=OpeningHours.objects.order_by("opens")))
    )
    by_branch: dict[int, list] = defaultdict(list)
    for schedule in schedules:
        by_branch[schedule.branch_id].append(schedule)

    org_ids = {b.organisation_id for b in branches}
    closures_by_branch: dict[int, list[ClosureSpec]] = defaultdict(list)
    org_closures: dict[int, list[ClosureSpec]] = defaultdict(list)
    for closure in Closure.objects.filter(
        organisation_id__in=org_ids, start_date__lte=end, end_date__gte=start
    ).prefetch_related("branches"):
        spec = ClosureSpec(
            closure.start_date,
            closure.end_date,
            None if closure.start_time is None else minutes(closure.start_time, 0),
            None if closure.end_time is None else minutes(closure.end_time, DAY_MINUTES),
            closure.scope,
            closure.reason,
        )
        targets = list(closure.branches.all())
        if targets:
            for branch in targets:
                closures_by_branch[branch.pk].append(spec)
        else:
            org_closures[closure.organisation_id].append(spec)

    calendar = _website_calendar(branches, start, end)

    holidays_close = _holidays_close(branches, org_ids)
    needs_holidays = any(holidays_close.values())
    public_holidays = holiday_names(start, end) if needs_holidays else {}

    dates = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    weekdays = [day.weekday() for day in dates]
    result: dict[int, dict[date, OpenDay]] = {}
    for branch in branches:
        # Everything about the library looked up once, not once a day: a page asks for
        # thousands of library-days.
        pk, premises = branch.pk, branch.has_premises
        closures = org_closures[branch.organisation_id] + closures_by_branch[pk]
        covering = _closures_by_day(closures, start, end)
        covered_days = calendar.covered_days(pk)
        # Where the website's calendar covers the day, it already knows the holidays.
        holidays_here = public_holidays if holidays_close[branch.organisation_id] else {}
        own_schedules = by_branch[pk]
        week_hours = {schedule.pk: _week_hours(schedule) for schedule in own_schedules}
        days: dict[date, OpenDay] = {}
        for day, weekday in zip(dates, weekdays, strict=True):
            covered = day in covered_days
            if covered and premises:
                hours = calendar.hours(pk, day)
            elif not premises or (schedule := _schedule_on(own_schedules, day)) is None:
                hours = ()
            else:
                hours = week_hours[schedule.pk][weekday]
            holiday = "" if covered else holidays_here.get(day, "")
            parts = _day_parts(hours, covering.get(day, ()), holiday, branch.is_active_on(day))
            days[day] = open_day(pk, day, parts)
        result[pk] = days
    return result


def _week_hours(schedule) -> tuple[tuple[HoursSpec, ...], ...]:
    """A schedule's hours for each weekday, Monday first, in the order they open."""
    return tuple(
        tuple(
            HoursSpec(h.kind, minutes(h.opens, 0), minutes(h.closes, DAY_MINUTES))
            for h in schedule.hours.all()
            if h.weekday == weekday
        )
        for weekday in range(7)
    )


def _closures_by_day(
    closures: Sequence[ClosureSpec], start: date, end: date
) -> dict[date, tuple[ClosureSpec, ...]]:
    """The closures that cover each date from ``start`` to ``end``, in the order given (that of
    ``compute_day``'s ``closures``); dates no closure covers are left out."""
    found: dict[date, list[ClosureSpec]] = defaultdict(list)
    for closure in closures:
        first, last = max(closure.start_date, start), min(closure.end_date, end)
        for offset in range((last - first).days + 1):
            found[first + timedelta(days=offset)].append(closure)
    return {day: tuple(items) for day, items in found.items()}


def _holidays_close(branches, org_ids) -> dict[int, bool]:
    """Per organisation, whether a public holiday closes its libraries: from the branches'
    organisations where they came with them, else in one query (never one per library)."""
    from bibliotal.core.models import Branch, Organisation

    if all(Branch.organisation.is_cached(b) for b in branches):
        return {b.organisation_id: b.organisation.closed_on_public_holidays for b in branches}
    return dict(
        Organisation.objects.filter(pk__in=org_ids).values_list("pk", "closed_on_public_holidays")
    )


class _WebsiteCalendar:
    """The day-level calendar from the library website, where it covers a date."""

    def __init__(self):
        self.spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
        self.by_day: dict[tuple[int, date], list[HoursSpec]] = defaultdict(list)

    def covered_days(self, branch_id: int) -> set[date]:
        """Every date the calendar covers for this library (its spans are clipped to the
        calendar's dates when read)."""
        return {
            first + timedelta(days=offset)
            for first, last in self.spans.get(branch_id, ())
            for offset in range((last - first).days + 1)
        }

    def hours(self, branch_id: int, day: date) -> tuple[HoursSpec, ...]:
        return tuple(self.by_day.get((branch_id, day), ()))


def _website_calendar(branches, start: date, end: date) -> _WebsiteCalendar:
    """Covered dates and their staffed and self-service hours, in two queries; hours of a
    category that is not open to visitors, or not mapped yet, do not count."""
    from bibliotal.core.models import CalendarCoverage, CalendarHours, OpeningCategory

    calendar = _WebsiteCalendar()
    for span in CalendarCoverage.objects.filter(
        branch__in=branches, start_date__lte=end, end_date__gte=start
    ):
        first, last = max(span.start_date, start), min(span.end_date, end)
        calendar.spans[span.branch_id].append((first, last))
    if not calendar.spans:
        return calendar
    kinds = {
        (c.organisation_id, c.title.lower()): c.kind
        for c in OpeningCategory.objects.filter(
            organisation_id__in={b.organisation_id for b in branches}
        )
    }
    organisation_of = {b.pk: b.organisation_id for b in branches}
    for row in CalendarHours.objects.filter(
        branch_id__in=list(calendar.spans), date__gte=start, date__lte=end
    ).values_list("branch_id", "date", "opens", "closes", "category"):
        branch_id, day, opens, closes, category = row
        kind = kinds.get((organisation_of[branch_id], category.lower()), "")
        if kind not in (STAFFED, SELF_SERVICE):
            continue
        closing = DAY_MINUTES if closes == time(0, 0) else minutes(closes, DAY_MINUTES)
        calendar.by_day[(branch_id, day)].append(HoursSpec(kind, minutes(opens, 0), closing))
    return calendar


def _schedule_on(schedules: Sequence, day: date):
    """The schedule that applies on ``day``: the latest-starting one valid that day."""
    chosen = None
    for schedule in schedules:  # ordered by valid_from
        if schedule.valid_from > day:
            break
        if schedule.valid_to is None or day <= schedule.valid_to:
            chosen = schedule
    return chosen


def opening_day(*, branch, day: date) -> OpenDay:
    """Was ``branch`` open on ``day``, and for how many staffed and self-service hours?"""
    return opening_calendar(branches=[branch], start=day, end=day)[branch.pk][day]


# -- after a change of hours or closures --------------------------------------------------------

_calendar_listeners: list = []


def on_calendar_change(listener) -> None:
    """From an app's ``AppConfig.ready``: ``listener(organisation=, branch_ids=, start=, end=)``
    works out again what the app keeps worked out from the calendar (the visits app's daily
    visits, which leave a closed day out). Pages read everything else from the calendar as it
    is, and the start page's cache goes by the audit log, so they need no listener."""
    if listener not in _calendar_listeners:
        _calendar_listeners.append(listener)


def calendar_changed(
    *, organisation, branch_ids=None, start: date | None = None, end: date | None = None
) -> None:
    """Opening hours, closures or a library's years in operation changed for ``branch_ids``
    (None: every library of the organisation) from ``start`` to ``end`` (None: open-ended)."""
    if branch_ids is not None:
        branch_ids = set(branch_ids)
        if not branch_ids:
            return
    for listener in list(_calendar_listeners):
        listener(organisation=organisation, branch_ids=branch_ids, start=start, end=end)


# -- the calendars of a page, kept between requests ----------------------------------------------

CALENDAR_CACHE_SECONDS = 6 * 3600


def calendar_stamp(organisation_ids: Iterable[int]) -> str:
    """A fingerprint of everything the opening calendars of these organisations read: the
    audit log's newest entry (every audited change to libraries, schedules, hours, closures,
    categories and websites) and the count and newest id of each table the calendar reads (for
    rows written or deleted in bulk, which the audit does not see)."""
    import hashlib

    from django.db import connection
    from django.db.models import F

    from bibliotal.core.models import (
        AuditEntry,
        Branch,
        CalendarCoverage,
        CalendarHours,
        Closure,
        OpeningHours,
        OpeningSchedule,
    )

    ids = sorted(set(organisation_ids))
    # One statement: a count and a newest id of each table as scalar subqueries of the ORM's
    # own SELECTs, so that the page asks once, not seven times.
    columns, params = [], []
    newest = AuditEntry.objects.order_by().values(k=F("pk"), t=F("at"))
    sql, found = newest.query.sql_with_params()
    columns += [f"(SELECT MAX(x.k) FROM ({sql}) x)", f"(SELECT MAX(x.t) FROM ({sql}) x)"]
    params += [*found, *found]
    for model, path in (
        (Branch, "organisation_id__in"),
        (OpeningSchedule, "branch__organisation_id__in"),
        (OpeningHours, "schedule__branch__organisation_id__in"),
        (Closure, "organisation_id__in"),
        (CalendarHours, "branch__organisation_id__in"),
        (CalendarCoverage, "branch__organisation_id__in"),
    ):
        if not ids:  # no library in scope: nothing of theirs to read
            break
        rows = model.objects.filter(**{path: ids}).order_by().values(k=F("pk"))
        sql, found = rows.query.sql_with_params()
        columns += [f"(SELECT COUNT(*) FROM ({sql}) x)", f"(SELECT MAX(x.k) FROM ({sql}) x)"]
        params += [*found, *found]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        parts = cursor.fetchone()
    return hashlib.sha1(repr((ids, parts)).encode(), usedforsecurity=False).hexdigest()[:16]


def kept(name: str, key: tuple, compute, *, stamp: str):
    """``compute()``'s answer, kept in the cache under ``name``, ``key``, the active language
    and a stamp (``calendar_stamp`` or one that includes it) for ``CALENDAR_CACHE_SECONDS``."""
    import hashlib

    from django.core.cache import cache

    raw = repr((name, key, translation.get_language(), stamp))
    cache_key = "bibliotal:kept:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, CALENDAR_CACHE_SECONDS)
    return found


def kept_calendar(branches, start: date, end: date, *, stamp: str):
    """``opening_calendar`` of these libraries, kept under the organisations' stamp."""
    branches = list(branches)
    return kept(
        "opening_calendar",
        (tuple(sorted(b.pk for b in branches)), start.isoformat(), end.isoformat()),
        lambda: opening_calendar(branches=branches, start=start, end=end),
        stamp=stamp,
    )


def kept_scope_days(branches, start: date, end: date, *, stamp: str) -> ScopeDays:
    """``scope_days(opening_calendar(…))`` of these libraries, kept in the cache under the
    ``calendar_stamp`` of their organisations: the goals engine asks for the same scopes and
    years on every page, and a year of seven libraries costs some 100 ms to work out
    (``bench/opening_calendar.py``)."""
    branches = list(branches)
    return kept(
        "scope_days",
        (tuple(sorted(b.pk for b in branches)), start.isoformat(), end.isoformat()),
        lambda: scope_days(opening_calendar(branches=branches, start=start, end=end)),
        stamp=stamp,
    )
