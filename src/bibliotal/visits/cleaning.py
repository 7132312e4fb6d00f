"""From readings to daily visits, and the cleaning rules, each stored with its result.

- Visits follow the sensor's rule: in, (in + out) / 2, or out; never in + out.
- Counts on a day the library was closed are set to 0; the original is kept and flagged.
- Counts of intervals (an hour or shorter) that start outside the day's staffed and
  self-service hours, more than half an hour from them (staff arriving and leaving), are taken
  out of the day's visits; the original is kept and flagged, and a manager may restore it (an
  evening event, say).
- A day 50 % above the average of its previous four same weekdays is flagged (kept as counted).
- An open day without readings, within the sensor's period and before its last reading, is
  estimated from the average of its previous four same weekdays and marked as an estimate.
- Intervals the counter reported as faulty, and register resets, are flagged.
A manager can accept a flag or overrule it (``review_day``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import ngettext

from bibliotal.core.opening import opening_calendar
from bibliotal.visits.models import CounterReading, DailyVisits, Sensor

SPIKE_FACTOR = Decimal("1.5")
GRACE_MINUTES = 30  # staff before opening and after closing
PLACEABLE = timedelta(hours=1)  # longer intervals cannot be placed within the day
SAME_WEEKDAYS = 4
ONE = Decimal("0.1")


def _round(value) -> Decimal:
    return Decimal(str(value)).quantize(ONE, rounding=ROUND_HALF_UP)


def _previous_weekdays(values: dict[date, Decimal], day: date) -> list[Decimal]:
    found = []
    probe = day - timedelta(days=7)
    for _ in range(SAME_WEEKDAYS * 3):  # look past closed weeks for four real days
        if probe in values:
            found.append(values[probe])
            if len(found) == SAME_WEEKDAYS:
                break
        probe -= timedelta(days=7)
    return found


def _midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _in_hours(local: datetime, info) -> bool:
    """Whether a time falls in the day's opening hours, give or take the staff's half hour."""
    if not info.is_open:
        return True  # a closed day is judged whole, by its own rule
    minute = local.hour * 60 + local.minute
    return any(
        begin - GRACE_MINUTES <= minute < finish + GRACE_MINUTES
        for begin, finish in (*info.staffed_periods, *info.self_service_periods)
    )


def derive_days(*, sensor: Sensor, start: date | None = None, end: date | None = None) -> int:
    """(Re)compute a sensor's daily visits from its readings between two days; returns days."""
    bounds = sensor.readings.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    if bounds["first"] is None:
        return 0
    first_day = timezone.localtime(bounds["first"]).date()
    last_day = timezone.localtime(bounds["last"]).date()
    start = max(start or first_day, sensor.active_from or first_day, first_day)
    end = min(end or last_day, sensor.active_to or last_day, last_day)
    if end < start:
        return 0
    lookback = start - timedelta(days=7 * SAME_WEEKDAYS * 3)
    tz = timezone.get_current_timezone()
    per_day: dict[date, list] = defaultdict(lambda: [0, 0, False, False])
    # A range on the indexed start, not ``starts_at__date``: SQLite would convert every row in
    # Python to compare dates.
    readings = sensor.readings.filter(
        starts_at__gte=_midnight(start, tz), starts_at__lt=_midnight(end + timedelta(days=1), tz)
    )
    calendar = opening_calendar(branches=[sensor.branch], start=start, end=end)[sensor.branch_id]
    outside: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    fields = ("starts_at", "ends_at", "count_in", "count_out", "suspect", "reset")
    for starts_at, ends_at, count_in, count_out, suspect, reset in readings.values_list(*fields):
        local = starts_at.astimezone(tz)
        day = local.date()
        if start <= day <= end:
            entry = per_day[day]
            entry[0] += count_in
            entry[1] += count_out
            entry[2] = entry[2] or suspect
            entry[3] = entry[3] or reset
            if ends_at - starts_at <= PLACEABLE and not _in_hours(local, calendar[day]):
                outside[day][0] += count_in
                outside[day][1] += count_out
    known = {
        d.day: d.visits
        for d in DailyVisits.objects.filter(
            sensor=sensor, day__gte=lookback, day__lt=start, estimated=False
        )
        if DailyVisits.Flag.CLOSED not in d.flags
    }
    existing = {
        d.day: d for d in DailyVisits.objects.filter(sensor=sensor, day__gte=start, day__lte=end)
    }
    rows = []
    day = start
    while day <= end:
        info = calendar[day]
        flags, note, estimated, original = [], "", False, None
        if day in per_day:
            count_in, count_out, suspect, reset = per_day[day]
            raw = Decimal(str(sensor.visits(count_in, count_out)))
            if info.is_open and sensor.staff_per_day:
                raw = max(Decimal(0), raw - sensor.staff_per_day)
            visits = _round(raw)
            if suspect:
                flags.append(DailyVisits.Flag.SUSPECT)
            if reset:
                flags.append(DailyVisits.Flag.RESET)
            if not info.is_open and visits > 0:
                flags.append(DailyVisits.Flag.CLOSED)
                original, visits = visits, Decimal(0)
                note = ", ".join(info.closures) or info.holiday
            else:
                late = _round(sensor.visits(*outside[day])) if day in outside else Decimal(0)
                if info.is_open and late > 0:
                    flags.append(DailyVisits.Flag.CLOSED_HOURS)
                    original, visits = visits, max(Decimal(0), visits - late)
                    note = f"{late}"
                usual = _previous_weekdays(known, day)
                if len(usual) == SAME_WEEKDAYS:
                    average = sum(usual) / len(usual)
                    if average > 0 and visits > average * SPIKE_FACTOR:
                        flags.append(DailyVisits.Flag.SPIKE)
                        note = f"{visits} / {_round(average)}"
                known[day] = visits
        else:
            count_in = count_out = 0
            if not info.is_open:
                day += timedelta(days=1)
                continue  # closed and nothing counted: no row, a closed day is not zero visits
            usual = _previous_weekdays(known, day)
            visits = _round(sum(usual) / len(usual)) if usual else Decimal(0)
            estimated = True
            flags.append(DailyVisits.Flag.ESTIMATED)
            note = f"{len(usual)}"
        previous = existing.get(day)
        review = ""
        if flags:
            review = DailyVisits.Review.OPEN
            if previous is not None and previous.flags == flags and previous.review:
                review = previous.review  # a decision made on the same finding stands
        rows.append(
            DailyVisits(
                sensor=sensor,
                branch_id=sensor.branch_id,
                day=day,
                count_in=count_in,
                count_out=count_out,
                visits=visits,
                original_visits=original,
                rule=sensor.rule,
                estimated=estimated,
                flags=flags,
                review=review,
                note=note[:300],
            )
        )
        if (
            previous is not None
            and previous.review == DailyVisits.Review.OVERRULED
            and (previous.flags == flags)
        ):
            rows[-1].visits = previous.visits  # an overruling is kept through a re-derivation
            rows[-1].estimated = previous.estimated
        day += timedelta(days=1)
    with transaction.atomic():
        DailyVisits.objects.filter(sensor=sensor, day__gte=start, day__lte=end).delete()
        DailyVisits.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def derive_again(*, organisation, branch_ids=None, start=None, end=None) -> int:
    """Work out the daily visits again after the opening calendar changed (a closure or opening
    hours entered after the counts): a day that became closed is no longer estimated and its
    counts are set aside, a day that became open is estimated. The weeks after ``end`` follow,
    since their estimates and spikes compare with the same weekdays before them. Returns days."""
    sensors = Sensor.objects.filter(organisation=organisation).select_related("branch")
    if branch_ids is not None:
        sensors = sensors.filter(branch_id__in=branch_ids)
    if end is not None:
        end = end + timedelta(days=7 * SAME_WEEKDAYS)
    return sum(derive_days(sensor=sensor, start=start, end=end) for sensor in sensors)


def explain_flags(flagged: dict[str, int]) -> list[str]:
    """What cleaning did to an import's days, in sentences a newcomer understands."""
    sentences = {
        DailyVisits.Flag.ESTIMATED: lambda n: ngettext(
            "%(count)d day without counts is estimated from the average of its previous four "
            "same weekdays, and marked as an estimate.",
            "%(count)d days without counts are estimated from the average of their previous "
            "four same weekdays, and marked as estimates.",
            n,
        ),
        DailyVisits.Flag.CLOSED: lambda n: ngettext(
            "%(count)d day with counts on a closed day: set to 0 visits, the count is kept.",
            "%(count)d days with counts on closed days: set to 0 visits, the counts are kept.",
            n,
        ),
        DailyVisits.Flag.CLOSED_HOURS: lambda n: ngettext(
            "%(count)d day with counts outside opening hours: taken out of the day's visits, "
            "the count is kept; restore it if people really came (an evening event).",
            "%(count)d days with counts outside opening hours: taken out of the days' visits, "
            "the counts are kept; restore them if people really came (an evening event).",
            n,
        ),
        DailyVisits.Flag.SPIKE: lambda n: ngettext(
            "%(count)d day is 50 %% above the average of its previous four same weekdays: kept "
            "as counted, for you to check.",
            "%(count)d days are 50 %% above the average of their previous four same weekdays: "
            "kept as counted, for you to check.",
            n,
        ),
        DailyVisits.Flag.SUSPECT: lambda n: ngettext(
            "%(count)d day has intervals the counter reported as faulty.",
            "%(count)d days have intervals the counter reported as faulty.",
            n,
        ),
        DailyVisits.Flag.RESET: lambda n: ngettext(
            "%(count)d day has a register reset: counted from the reset, not as negative visits.",
            "%(count)d days have a register reset: counted from the reset, not as negative visits.",
            n,
        ),
    }
    return [
        sentences[flag](flagged[flag]) % {"count": flagged[flag]}
        for flag in DailyVisits.Flag
        if flagged.get(flag)
    ]


def review_day(*, daily: DailyVisits, accept: bool) -> DailyVisits:
    """Accept what cleaning did, or overrule it: a closed day's count restored, an estimate
    withdrawn, a spike replaced by the usual level (marked as an estimate)."""
    from bibliotal.core import audit

    before = (str(daily.visits), daily.review)
    if accept:
        daily.review = DailyVisits.Review.ACCEPTED
    else:
        daily.review = DailyVisits.Review.OVERRULED
        set_aside = {DailyVisits.Flag.CLOSED, DailyVisits.Flag.CLOSED_HOURS} & set(daily.flags)
        if set_aside and daily.original_visits is not None:
            daily.visits = daily.original_visits
        elif DailyVisits.Flag.ESTIMATED in daily.flags:
            daily.visits, daily.estimated = Decimal(0), False
        elif DailyVisits.Flag.SPIKE in daily.flags:
            known = {
                d.day: d.visits
                for d in DailyVisits.objects.filter(
                    sensor=daily.sensor, day__lt=daily.day, estimated=False
                )
            }
            usual = _previous_weekdays(known, daily.day)
            if usual:
                daily.original_visits = daily.visits
                daily.visits = _round(sum(usual) / len(usual))
                daily.estimated = True
    daily.save()
    audit.record(
        action="update",
        instance=daily,
        organisation_id=daily.branch.organisation_id,
        changes={"visits": [before[0], str(daily.visits)], "review": [before[1], daily.review]},
    )
    return daily


__all__ = ["CounterReading", "derive_again", "derive_days", "review_day"]
