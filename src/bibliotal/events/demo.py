"""Demo events for Herning 2019–2021: clubs and programmes by season, for children and adults,
none during the closures, and the Børnefolkemøde with more than 2,000 children each August.

About 30,000–40,000 participants in a normal year (2019).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bibliotal.core.demo import MAIN, YEARS, DemoContext, demo_step
from bibliotal.core.opening import opening_calendar

# title, type, audience, weekday, hour, every n weeks, mean participants, branches
PROGRAMME = [
    ("Bogcafé", "Bogcafé", "adults", 1, 14, 2, 28, "local"),
    ("Læseklub for voksne", "Læseklub", "adults", 2, 19, 2, 14, "all"),
    ("Læseklub for børn", "Læseklub", "children", 3, 15, 2, 12, "all"),
    ("Forfatteraften", "Forfatterarrangement", "adults", 3, 19, 2, 95, "main"),
    ("Litterær skriveværksted", "Litterær workshop", "young", 2, 16, 4, 12, "main"),
    ("Debatklub", "Debatklub", "adults", 0, 19, 4, 25, "main"),
    ("Musiklytteklub", "Musiklytteklub", "adults", 3, 14, 4, 18, "main"),
    ("Demokratifremmende foredrag", "Demokratifremmende foredrag", "adults", 1, 19, 4, 55, "main"),
    ("Lørdagsbørneteater", "Børnearrangement", "families", 5, 11, 1, 85, "main"),
    ("Sprogcafé", "Andet", "adults", 0, 16, 1, 14, "main"),
    ("Rim, remser og babysalmesang", "Børnearrangement", "families", 4, 10, 1, 45, "all"),
    ("Tirsdagsforedrag", "Foredrag", "adults", 1, 19, 1, 115, "main"),
    ("Koncert i biblioteket", "Koncert", "all", 4, 16, 2, 150, "main"),
    ("Udstillingsåbning", "Udstillingsåbning", "all", 3, 17, 4, 45, "main"),
    ("Lego og læsning", "Børnearrangement", "children", 2, 15, 1, 60, "main"),
    ("Strikkecafé", "Andet", "adults", 0, 14, 2, 15, "local"),
]
# Once a year: Kulturnat in October (co-organised with the city).
YEARLY = [("Kulturnat på biblioteket", "Andet", "all", 10, 2000, "co_organised")]
SEASON = {
    1: 1.0,
    2: 1.05,
    3: 1.1,
    4: 1.0,
    5: 0.9,
    6: 0.6,
    7: 0.0,
    8: 0.7,
    9: 1.1,
    10: 1.15,
    11: 1.2,
    12: 0.9,
}


def _noise(rng, mean: float) -> int:
    return max(0, round(rng.gauss(mean, math.sqrt(mean) * 1.3)))


@demo_step(order=40, name="events")
def events_step(context: DemoContext) -> None:
    from bibliotal.events.models import EventOccurrence, EventSeries, EventType
    from bibliotal.events.services import ensure_event_types

    organisation = context.organisation
    if EventOccurrence.objects.filter(
        organisation=organisation, source=EventOccurrence.Source.DEMO
    ).exists():
        return
    ensure_event_types(organisation=organisation)
    types = {t.name: t for t in EventType.objects.filter(organisation=organisation)}
    rng = context.rng("events")
    branches = [b for b in context.branches() if b.has_premises]
    main = next(b for b in branches if b.name == MAIN)
    local = [b for b in branches if b is not main]
    start, end = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
    calendar = opening_calendar(branches=branches, start=start, end=end)
    rows = []

    def add(series, title, kind, audience, branch, when, participants, **extra):
        local_time = timezone.make_aware(datetime.combine(when, time(extra.pop("hour", 19))))
        rows.append(
            EventOccurrence(
                organisation=organisation,
                series=series,
                title=title,
                event_type=types[kind],
                audience=audience,
                starts_at=local_time,
                ends_at=local_time + timedelta(hours=2),
                branch=branch,
                status=EventOccurrence.Status.HELD,
                source=EventOccurrence.Source.DEMO,
                attendance_total=participants,
                attendance_children=(
                    participants
                    if audience == "children"
                    else round(participants * 0.6)
                    if audience == "families"
                    else 0
                ),
                attendance_first_time=round(participants * rng.uniform(0.05, 0.15)),
                external_uid=f"demo:{title}:{branch.pk}:{when.isoformat()}",
                **extra,
            )
        )

    for title, kind, audience, weekday, hour, every, mean, where in PROGRAMME:
        places = {"main": [main], "local": local, "all": [main, *local]}[where]
        for branch in places:
            series = None  # made with its first event: no empty series in the menu
            day = start + timedelta(days=(weekday - start.weekday()) % 7)
            week = 0
            while day <= end:
                info = calendar[branch.pk][day]
                if (
                    week % every == 0
                    and SEASON[day.month] > 0
                    and info.staffed_hours > 0
                    and (not any("COVID" in r for r in info.closures))
                ):
                    people = _noise(rng, mean * SEASON[day.month] * (1 if branch is main else 0.55))
                    if series is None:
                        series, _created = EventSeries.objects.get_or_create(
                            organisation=organisation,
                            title=f"{title}, {branch.name}",
                            defaults={"event_type": types[kind], "audience": audience},
                        )
                    add(series, title, kind, audience, branch, day, people, hour=hour)
                day += timedelta(days=7)
                week += 1
    # Børnefolkemøde: one very large occurrence each August (not in the closed summer of 2020).
    for year in YEARS:
        if year == 2020:
            continue
        add(
            None,
            "Børnefolkemøde",
            "Børnearrangement",
            "children",
            main,
            date(year, 8, 26),
            2100 + rng.randint(0, 400),
            hour=10,
        )
    for title, kind, audience, month, mean, organiser in YEARLY:
        for year in YEARS:
            day = date(year, month, 1) + timedelta(days=(4 - date(year, month, 1).weekday()) % 7)
            if calendar[main.pk][day].staffed_hours > 0:
                add(
                    None,
                    title,
                    kind,
                    audience,
                    main,
                    day,
                    _noise(rng, mean),
                    hour=17,
                    organiser=organiser,
                )
    # A hired room and a cancelled author evening: kept, never counted.
    add(
        None,
        "Generalforsamling i haveforeningen",
        "Andet",
        "adults",
        main,
        date(2019, 9, 18),
        40,
        organiser=EventOccurrence.Organiser.OUTSIDE_HIRER,
    )
    EventOccurrence.objects.bulk_create(rows, batch_size=1000)
    cancelled = EventOccurrence.objects.filter(
        organisation=organisation, title="Forfatteraften"
    ).order_by("starts_at")
    first = cancelled.first()
    if first is not None:
        first.status = EventOccurrence.Status.CANCELLED
        first.attendance_total = None
        first.attendance_children = None
        first.attendance_first_time = None
        first.save()
    per_year: dict[int, int] = {}
    for row in rows:
        if row.organiser != EventOccurrence.Organiser.OUTSIDE_HIRER:
            year = row.starts_at.year
            per_year[year] = per_year.get(year, 0) + (row.attendance_total or 0)
    context.log.append(
        "Event participants: "
        + ", ".join(f"{y}: {n:,}".replace(",", ".") for y, n in sorted(per_year.items()))
    )
