"""From readings to daily visits, and the cleaning rules, each stored with its result.

- Visits follow the sensor's rule: in, (in + out) / 2, or out; never in + out.
- Counts on a day the library was closed are set to 0; the original is kept and flagged.
- A day 50 % above the average of its previous four same weekdays is flagged (kept as counted).
- An open day without readings, within the sensor's period and before its last reading, is
  estimated from the average of its previous four same weekdays and marked as an estimate.
- Intervals the counter reported as faulty, and register resets, are flagged.
A manager can accept a flag or overrule it (``review_day``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from bibliotal.core.opening import opening_calendar
from bibliotal.visits.models import CounterReading, DailyVisits, Sensor

SPIKE_FACTOR = Decimal("1.5")
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
    readings = sensor.readings.filter(
        starts_at__date__gte=start - timedelta(days=1), starts_at__date__lte=end + timedelta(days=1)
    )
    for reading in readings.values_list("starts_at", "count_in", "count_out", "suspect", "reset"):
        day = reading[0].astimezone(tz).date()
        if start <= day <= end:
            entry = per_day[day]
            entry[0] += reading[1]
            entry[1] += reading[2]
            entry[2] = entry[2] or reading[3]
            entry[3] = entry[3] or reading[4]
    calendar = opening_calendar(branches=[sensor.branch], start=start, end=end)[sensor.branch_id]
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


def review_day(*, daily: DailyVisits, accept: bool) -> DailyVisits:
    """Accept what cleaning did, or overrule it: a closed day's count restored, an estimate
    withdrawn, a spike replaced by the usual level (marked as an estimate)."""
    from bibliotal.core import audit

    before = (str(daily.visits), daily.review)
    if accept:
        daily.review = DailyVisits.Review.ACCEPTED
    else:
        daily.review = DailyVisits.Review.OVERRULED
        if DailyVisits.Flag.CLOSED in daily.flags and daily.original_visits is not None:
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


__all__ = ["CounterReading", "derive_days", "review_day"]
