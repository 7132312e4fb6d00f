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

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import ngettext

from bibliotal.core.opening import opening_calendar
from bibliotal.visits.models import CounterReading, DailyVisits, Sensor

SPIKE_FACTOR = Decimal("1.5")
GRACE_MINUTES = 30  # staff before opening and after closing
PLACEABLE_SECONDS = 3600  # longer intervals cannot be placed within the day
SAME_WEEKDAYS = 4
SENSORS_AT_A_TIME = 20  # sensors whose readings are read back together
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


def _aggregate(spans, calendars, written=None) -> tuple[dict, dict]:
    """Per (sensor, day): [in, out, suspect, reset] of the readings, and [in, out] of the
    placeable readings outside the day's hours, give or take the staff's half hour (a closed
    day is judged whole, by its own rule). One query and whole columns for all the sensors."""
    import polars as pl  # here, not at start-up: every process imports this module

    from bibliotal.visits import frames

    first = min(start for _sensor, start, _end in spans)
    last = max(end for _sensor, _start, end in spans)
    found = frames.readings(
        [sensor.pk for sensor, _start, _end in spans],
        frames.midnight(first),
        frames.midnight(last + timedelta(days=1)),
        written,
    )
    if found.is_empty():
        return {}, {}
    wanted = pl.DataFrame(
        {
            "sensor_id": [sensor.pk for sensor, _start, _end in spans],
            "branch_id": [sensor.branch_id for sensor, _start, _end in spans],
            "first": [start for _sensor, start, _end in spans],
            "last": [end for _sensor, _start, end in spans],
        },
        schema={"sensor_id": pl.Int64, "branch_id": pl.Int64, "first": pl.Date, "last": pl.Date},
    )
    found = (
        frames.local(found)
        .join(wanted, on="sensor_id")
        .filter(pl.col("day").is_between(pl.col("first"), pl.col("last")))
        .with_row_index("row")
    )
    per_day = {
        (sensor_id, day): [count_in, count_out, suspect, reset]
        for sensor_id, day, count_in, count_out, suspect, reset in found.group_by(
            "sensor_id", "day"
        )
        .agg(
            pl.col("count_in").sum(),
            pl.col("count_out").sum(),
            pl.col("suspect").any(),
            pl.col("reset").any(),
        )
        .iter_rows()
    }
    open_days, periods = [], []
    for branch_id, days in calendars.items():
        for day, info in days.items():
            if info.is_open:
                open_days.append((branch_id, day))
                for begin, finish in (*info.staffed_periods, *info.self_service_periods):
                    periods.append((branch_id, day, begin - GRACE_MINUTES, finish + GRACE_MINUTES))
    keys = {"branch_id": pl.Int64, "day": pl.Date}
    open_frame = pl.DataFrame(open_days, schema=keys, orient="row")
    period_frame = pl.DataFrame(
        periods, schema={**keys, "low": pl.Int32, "high": pl.Int32}, orient="row"
    )
    placeable = found.filter(pl.col("end") - pl.col("start") <= PLACEABLE_SECONDS).join(
        open_frame, on=["branch_id", "day"]
    )
    inside = (
        placeable.join(period_frame, on=["branch_id", "day"])
        .filter((pl.col("minute") >= pl.col("low")) & (pl.col("minute") < pl.col("high")))
        .select("row")
        .unique()
    )
    outside = {
        (sensor_id, day): [count_in, count_out]
        for sensor_id, day, count_in, count_out in placeable.join(inside, on="row", how="anti")
        .group_by("sensor_id", "day")
        .agg(pl.col("count_in").sum(), pl.col("count_out").sum())
        .iter_rows()
    }
    return per_day, outside


def derive_days(*, sensor: Sensor, start: date | None = None, end: date | None = None) -> int:
    """(Re)compute a sensor's daily visits from its readings between two days; returns days."""
    return derive_many([(sensor, start, end)])[0]


def derive_many(spans, *, written=None) -> tuple[int, dict[str, int]]:
    """(Re)compute the daily visits of several sensors, each between two days (``None``: from
    its first or to its last reading): (days written, days per cleaning flag). The readings
    are grouped on whole columns; each branch's calendar is opened once.
    ``written`` (``frames.Written``): an import's own readings, taken from memory."""
    bounds = {
        row["sensor_id"]: row
        for row in CounterReading.objects.filter(sensor__in=[s for s, _a, _b in spans])
        .order_by()
        .values("sensor_id")
        .annotate(first=Min("starts_at"), last=Max("starts_at"))
    }
    clamped = []
    for sensor, start, end in spans:
        found = bounds.get(sensor.pk)
        if found is None:
            continue
        first_day = timezone.localtime(found["first"]).date()
        last_day = timezone.localtime(found["last"]).date()
        start = max(start or first_day, sensor.active_from or first_day, first_day)
        end = min(end or last_day, sensor.active_to or last_day, last_day)
        if start <= end:
            clamped.append((sensor, start, end))
    if not clamped:
        return 0, {}
    reach: dict[int, tuple[date, date, object]] = {}
    for sensor, start, end in clamped:
        low, high, branch = reach.get(sensor.branch_id, (start, end, sensor.branch))
        reach[sensor.branch_id] = (min(low, start), max(high, end), branch)
    calendars = {}
    for _branch_id, (low, high, branch) in reach.items():
        calendars.update(opening_calendar(branches=[branch], start=low, end=high))
    days, flagged = 0, Counter()
    # Readings read back from the database come a few sensors at a time, so that memory is
    # bounded by the slice, not by the organisation; an import's own are in memory already.
    size = len(clamped) if written is not None else SENSORS_AT_A_TIME
    for at in range(0, len(clamped), size):
        part = clamped[at : at + size]
        rows = _derive_part(part, calendars, written)
        days += len(rows)
        flagged.update(flag for row in rows for flag in row.flags)
    return days, dict(flagged)


def _derive_part(clamped, calendars, written) -> list[DailyVisits]:
    per_day, outside = _aggregate(clamped, calendars, written)
    first = min(start for _s, start, _e in clamped)
    last = max(end for _s, _b, end in clamped)
    ids = [sensor.pk for sensor, _start, _end in clamped]
    lookback = first - timedelta(days=7 * SAME_WEEKDAYS * 3)
    known: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for sensor_id, day, visits, flags in DailyVisits.objects.filter(
        sensor_id__in=ids, day__gte=lookback, day__lt=last, estimated=False
    ).values_list("sensor_id", "day", "visits", "flags"):
        if DailyVisits.Flag.CLOSED not in flags:
            known[sensor_id][day] = visits
    existing: dict[int, dict[date, DailyVisits]] = defaultdict(dict)
    for daily in DailyVisits.objects.filter(sensor_id__in=ids, day__gte=first, day__lte=last):
        existing[daily.sensor_id][daily.day] = daily
    rows = []
    for sensor, start, end in clamped:
        rows += _days(
            sensor,
            start,
            end,
            calendar=calendars[sensor.branch_id],
            per_day=per_day,
            outside=outside,
            known={d: v for d, v in known[sensor.pk].items() if lookback <= d < start},
            existing={d: v for d, v in existing[sensor.pk].items() if start <= d <= end},
        )
    with transaction.atomic():
        for sensor, start, end in clamped:
            DailyVisits.objects.filter(sensor=sensor, day__gte=start, day__lte=end).delete()
        DailyVisits.objects.bulk_create(rows, batch_size=2000)
    return rows


def _days(sensor, start, end, *, calendar, per_day, outside, known, existing) -> list:
    """The sensor's days from start to end by the cleaning rules, as unsaved rows."""
    rows = []
    day = start
    while day <= end:
        info = calendar[day]
        flags, note, estimated, original = [], "", False, None
        if (sensor.pk, day) in per_day:
            count_in, count_out, suspect, reset = per_day[(sensor.pk, day)]
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
                late_counts = outside.get((sensor.pk, day))
                late = _round(sensor.visits(*late_counts)) if late_counts else Decimal(0)
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
    return rows


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
    return derive_many([(sensor, start, end) for sensor in sensors])[0]


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


__all__ = ["CounterReading", "derive_again", "derive_days", "derive_many", "review_day"]
