"""Demo people-counter data for Herning 2019–2021, shaped by opening hours, weekdays, seasons
and the closures (about 550,000–600,000 visits in a normal year), with what cleaning must find:
a register reset at Aulum, a missing week at Vildbjerg, an outage at Kibæk and staff counted on
Christmas Eve at Sunds."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from bibliotal.core.demo import MAIN, YEARS, DemoContext, demo_step
from bibliotal.core.opening import opening_calendar

SEASON = {
    1: 1.05,
    2: 1.05,
    3: 1.05,
    4: 1.0,
    5: 0.95,
    6: 0.9,
    7: 0.75,
    8: 0.9,
    9: 1.0,
    10: 1.05,
    11: 1.1,
    12: 0.95,
}
WEEKDAY = {0: 1.15, 1: 1.05, 2: 1.0, 3: 1.05, 4: 0.95, 5: 1.1, 6: 0.8}
PER_HOUR = {MAIN: (135.0, 22.0)}  # staffed, self-service
LOCAL_PER_HOUR = (16.0, 7.0)
MISSING_WEEK = (date(2019, 10, 7), date(2019, 10, 13))
OUTAGE = (date(2021, 9, 20), date(2021, 9, 22))


def _poisson(rng, mean: float) -> int:
    return max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0


def _hours(periods):
    for start, end in periods:
        minute = start
        while minute < end:
            yield minute, min(minute + 60, end)
            minute += 60


@demo_step(order=25, name="visits")
def visits_step(context: DemoContext) -> None:
    from bibliotal.visits.cleaning import derive_days
    from bibliotal.visits.importers import write_readings
    from bibliotal.visits.models import NewUserCount, Sensor

    organisation = context.organisation
    branches = [b for b in context.branches() if b.has_premises]
    rng = context.rng("visits")
    for branch in branches:
        for month_start in (date(y, m, 1) for y in YEARS for m in range(1, 13)):
            closed_share = (
                0.5
                if month_start.year in (2020, 2021) and month_start.month in (4, 1, 2, 3)
                else 1.0
            )
            base = 60 if branch.name == MAIN else 9
            NewUserCount.objects.get_or_create(
                branch=branch,
                month=month_start,
                defaults={"registrations": _poisson(rng, base * closed_share), "source": "demo"},
            )
    if Sensor.objects.filter(organisation=organisation).exists():
        return
    sensors = []
    for branch in branches:
        if branch.name == MAIN:
            sensors += [
                Sensor.objects.create(
                    organisation=organisation,
                    branch=branch,
                    name=f"HB-{entrance}",
                    entrance=entrance,
                    rule=Sensor.Rule.HALF,
                )
                for entrance in ("Hovedindgang", "Indgang fra P-huset")
            ]
        else:
            short = branch.name.split()[0]
            sensors.append(
                Sensor.objects.create(
                    organisation=organisation,
                    branch=branch,
                    name=f"{short}-1",
                    entrance="Indgang",
                    rule=Sensor.Rule.IN,
                    register=Sensor.Register.CUMULATIVE
                    if short == "Aulum"
                    else Sensor.Register.INTERVAL,
                )
            )
    start, end = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
    calendar = opening_calendar(branches=branches, start=start, end=end)
    zone = timezone.get_current_timezone()
    database = connection.ops.adapt_datetimefield_value  # readings go in as the importers write

    def reading(sensor, starts, minutes, count_in, count_out, suspect=False):
        return (
            sensor.pk,
            database(starts.astimezone(UTC)),
            database((starts + timedelta(minutes=minutes)).astimezone(UTC)),
            count_in,
            count_out,
            None,
            None,
            False,
            suspect,
            None,
        )

    rows = []
    for sensor in sensors:
        staffed_rate, self_rate = PER_HOUR.get(sensor.branch.name, LOCAL_PER_HOUR)
        share = (
            0.7
            if sensor.entrance == "Hovedindgang"
            else (0.3 if sensor.branch.name == MAIN else 1.0)
        )
        for day, info in sorted(calendar[sensor.branch_id].items()):
            if sensor.name.startswith("Vildbjerg") and MISSING_WEEK[0] <= day <= MISSING_WEEK[1]:
                continue  # the counter's data for this week never arrived
            factor = SEASON[day.month] * WEEKDAY[day.weekday()] * share
            suspect = sensor.name.startswith("Kibæk") and OUTAGE[0] <= day <= OUTAGE[1]
            for rate, periods in (
                (staffed_rate, info.staffed_periods),
                (self_rate, info.self_service_periods),
            ):
                for first, last in _hours(periods):
                    visits = _poisson(rng, rate * factor * (last - first) / 60)
                    if suspect:
                        visits = visits // 5  # a blinded sensor undercounts
                    starts = datetime.combine(day, time(first // 60, first % 60), tzinfo=zone)
                    count_out = max(0, visits + rng.randint(-2, 2))
                    rows.append(reading(sensor, starts, last - first, visits, count_out, suspect))
        if sensor.name.startswith("Sunds"):
            christmas = datetime.combine(date(2019, 12, 24), time(10), tzinfo=zone)
            rows.append(reading(sensor, christmas, 60, 12, 12))
    write_readings(rows)
    aulum = next((s for s in sensors if s.name.startswith("Aulum")), None)
    if aulum is not None:
        reset = (
            aulum.readings.filter(starts_at__date=date(2019, 3, 12)).order_by("starts_at").first()
        )
        if reset is not None:
            reset.reset = True
            reset.save()
    for sensor in sensors:
        derive_days(sensor=sensor)
    from django.db.models import Sum

    from bibliotal.visits.models import DailyVisits

    per_year = {
        y: DailyVisits.objects.filter(branch__organisation=organisation, day__year=y).aggregate(
            n=Sum("visits")
        )["n"]
        for y in YEARS
    }
    context.log.append(
        "Visits: "
        + ", ".join(f"{y}: {int(n or 0):,}".replace(",", ".") for y, n in per_year.items())
    )
