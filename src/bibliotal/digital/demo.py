"""Demo digital statistics for Herning 2019–2021: monthly e-loans on eReolen and eReolen Go by
material type and age band, with the lockdown surges (spring 2020, winter 2020–21); unique users
per month and per year; web analytics for the website; loan-quota changes; and three campaigns
whose effect shows in the figures.

Levels follow the national picture (eReolen: about 5 M loans in 2019, about 0.86 per inhabitant,
so some 75,000 in a municipality of 89,000) and are illustrative, not Herning's real figures.
"""

from __future__ import annotations

import math
from datetime import date

from bibliotal.core import demo as core_demo
from bibliotal.core.demo import YEARS, DemoContext, demo_step
from bibliotal.digital.periods import month_end

core_demo.ASSUMPTIONS.append(
    "Digital figures (e-loans, unique users, web analytics), loan-quota changes and campaigns "
    "are illustrative, shaped by the national eReolen figures and the lockdowns."
)

SEASON = {
    1: 1.1,
    2: 1.0,
    3: 1.0,
    4: 0.95,
    5: 0.9,
    6: 0.95,
    7: 1.2,
    8: 1.05,
    9: 0.9,
    10: 0.95,
    11: 1.0,
    12: 1.0,
}
# Lockdowns pushed borrowing online: the months with libraries closed or restricted.
SURGE = {
    date(2020, 3, 1): 1.55,
    date(2020, 4, 1): 1.7,
    date(2020, 5, 1): 1.4,
    date(2020, 6, 1): 1.1,
    date(2020, 12, 1): 1.35,
    date(2021, 1, 1): 1.5,
    date(2021, 2, 1): 1.5,
    date(2021, 3, 1): 1.45,
    date(2021, 4, 1): 1.25,
}
GROWTH = {2019: 1.0, 2020: 1.1, 2021: 1.16}
# eReolen (adults): loans per month in a normal 2019 month, by material and age band.
EREOLEN = {
    "ebook": {"children": 120, "young": 90, "adults": 2150, "unknown": 40},
    "eaudiobook": {"children": 260, "young": 160, "adults": 3300, "unknown": 60},
    "podcast": {"children": 10, "young": 25, "adults": 280, "unknown": 5},
}
EREOLEN_GO = {
    "ebook": {"children": 520, "young": 110},
    "eaudiobook": {"children": 640, "young": 150},
}
# The campaigns lift what they promote while they run.
LIFTS = [
    # platform kind, material, months, factor
    ("ereolen_go", "ebook", (date(2021, 9, 1), date(2021, 10, 1)), 1.18),
    ("ereolen", "eaudiobook", (date(2021, 6, 1), date(2021, 7, 1), date(2021, 8, 1)), 1.1),
]


def _months():
    for year in YEARS:
        for month in range(1, 13):
            yield date(year, month, 1)


@demo_step(order=30, name="digital")
def digital_step(context: DemoContext) -> None:
    from bibliotal.digital.models import (
        Campaign,
        DigitalFigure,
        Platform,
        QuotaChange,
        ensure_platforms,
        period_kind,
    )

    organisation = context.organisation
    ensure_platforms(organisation)
    if DigitalFigure.objects.filter(platform__organisation=organisation).exists():
        return
    together, _created = Platform.objects.get_or_create(
        organisation=organisation,
        name="Alle digitale platforme",
        defaults={"kind": Platform.Kind.ALL, "headline": True},
    )
    platforms = {p.kind: p for p in Platform.objects.filter(organisation=organisation)}
    rng = context.rng("digital")
    figures = []

    def add(platform, metric, first, last, value, **fields):
        figures.append(
            DigitalFigure(
                platform=platform,
                metric=metric,
                start=first,
                end=last,
                period="",
                value=max(0, round(value)),
                source=DigitalFigure.Source.IMPORTED,
                **fields,
            )
        )

    for first in _months():
        last = month_end(first)
        level = GROWTH[first.year] * SEASON[first.month] * SURGE.get(first, 1.0)
        for kind, table in (("ereolen", EREOLEN), ("ereolen_go", EREOLEN_GO)):
            for material, bands in table.items():
                lift = next(
                    (
                        f
                        for k, m, months, f in LIFTS
                        if k == kind and m == material and first in months
                    ),
                    1.0,
                )
                for band, base in bands.items():
                    value = base * level * lift * rng.gauss(1.0, 0.04)
                    add(
                        platforms[kind],
                        "loans",
                        first,
                        last,
                        value,
                        material=material,
                        age_band=band,
                    )
        users = 9800 * GROWTH[first.year] * math.sqrt(SURGE.get(first, 1.0)) * rng.gauss(1, 0.03)
        if first.year == 2021 and first.month in (9, 10):
            users *= 1.06  # the school campaign brought children in
        add(together, "unique_users", first, last, users, method="login")
        web = 21000 * GROWTH[first.year] * SEASON[first.month] * rng.gauss(1, 0.05)
        add(platforms["website"], "unique_users", first, last, web, method="cookie")
        add(platforms["website"], "visits", first, last, web * 1.45)
        add(platforms["website"], "page_views", first, last, web * 4.2)
        add(
            platforms["app"], "visits", first, last, 6400 * GROWTH[first.year] * SEASON[first.month]
        )
    for year, users in ((2019, 21400), (2020, 24900), (2021, 26800)):
        add(together, "unique_users", date(year, 1, 1), date(year, 12, 31), users, method="login")
    for figure in figures:
        figure.period = period_kind(figure.start, figure.end)
    DigitalFigure.objects.bulk_create(figures, batch_size=1000)

    for platform, day, before, after, note in (
        ("ereolen", date(2020, 3, 19), 3, 5, "Nedlukning: kvoten blev hævet"),
        ("ereolen", date(2020, 7, 1), 5, 4, ""),
        ("ereolen_go", date(2021, 1, 4), 4, 6, "Nedlukning: kvoten blev hævet"),
    ):
        QuotaChange.objects.get_or_create(
            platform=platforms[platform],
            day=day,
            defaults={"quota_before": before, "quota_after": after, "note": note},
        )
    for title, offer, group, areas, channels, start, end, keys in (
        (
            "eReolen Go i skolerne",
            "ereolen_go",
            Campaign.TargetGroup.CHILDREN,
            ["rural", "centre_town"],
            "Skoleintra, besøg i 4.–6. klasse, plakater",
            date(2021, 9, 1),
            date(2021, 10, 31),
            ["child_ebook_loans", "digital_unique_users"],
        ),
        (
            "Sommerlyd: lydbøger til ferien",
            "ereolen",
            Campaign.TargetGroup.ADULTS,
            [],
            "Facebook, nyhedsbrev, bogmærker ved udlånet",
            date(2021, 6, 1),
            date(2021, 8, 31),
            ["eaudiobook_loans", "ebook_loans"],
        ),
    ):
        Campaign.objects.get_or_create(
            organisation=organisation,
            title=title,
            defaults={
                "offer": platforms[offer],
                "target_group": group,
                "areas": areas,
                "channels": channels,
                "start": start,
                "end": end,
                "indicators": keys,
            },
        )
    context.log.append(f"Digital: {len(figures)} figures, 2 campaigns, 3 loan-quota changes.")
