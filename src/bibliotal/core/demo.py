"""The demo: Herning Bibliotekerne, 2019–2021.

Each app adds its part of the demo with ``@demo_step``; ``load_demo`` runs the steps in order
inside one transaction. Every step draws from its own ``random.Random`` seeded from one fixed seed
and the step's name, so the demo is the same on every machine and adding a step does not change
the numbers of the others. Running the demo twice duplicates nothing: steps use natural keys.

Facts come from ``shared/DOMAIN.md``. Where the demo had to assume something it says so in
``ASSUMPTIONS`` (shown by ``bibliotal demo``), so nobody mistakes it for Herning's real data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time

from django.contrib.auth import get_user_model
from django.db import transaction

from bibliotal.core.models import (
    Branch,
    Closure,
    Membership,
    OpeningHours,
    OpeningSchedule,
    Organisation,
    PopulationFigure,
    Role,
    ServicePoint,
)

SEED = 20210101
YEARS = (2019, 2020, 2021)
PASSWORD = "bibliotal-demo"
ORGANISATION_NAME = "Herning Bibliotekerne"

ASSUMPTIONS = [
    "Street addresses of the local libraries and all opening hours are illustrative.",
    "Population figures are rounded approximations, not Danmarks Statistik's FOLK1A.",
    "Self-service reopened on 1 August 2020 and Hammerum-Gjellerup on 8 June 2020.",
    "The Danmarks Statistik figures on the comparison page are illustrative, not DST's own; "
    "only the national visits (37.4, 21.7 and 17.8 million) are DST's published figures.",
]


@dataclass
class DemoContext:
    organisation: Organisation | None = None
    users: list[tuple[str, str, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{SEED}:{name}")

    def branches(self) -> list[Branch]:
        return list(Branch.objects.filter(organisation=self.organisation).order_by("pk"))


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[DemoContext], None]


_steps: dict[str, DemoStep] = {}


def demo_step(*, order: int, name: str):
    def decorator(func: Callable[[DemoContext], None]):
        _steps[name] = DemoStep(order, name, func)
        return func

    return decorator


def load_demo() -> DemoContext:
    context = DemoContext()
    with transaction.atomic():
        for step in sorted(_steps.values(), key=lambda s: (s.order, s.name)):
            step.run(context)
    return context


# -- the organisation ---------------------------------------------------------------------------

BRANCHES = [
    # name, street, postcode, town, area type
    ("Herning Bibliotek", "Østergade 8", "7400", "Herning", Branch.AreaType.CITY),
    ("Aulum Bibliotek", "", "7490", "Aulum", Branch.AreaType.CENTRE_TOWN),
    ("Vildbjerg Bibliotek", "", "7480", "Vildbjerg", Branch.AreaType.CENTRE_TOWN),
    ("Kibæk Bibliotek", "", "6933", "Kibæk", Branch.AreaType.CENTRE_TOWN),
    ("Sunds Bibliotek", "", "7451", "Sunds", Branch.AreaType.CENTRE_TOWN),
    ("Hammerum-Gjellerup Bibliotek", "", "7400", "Hammerum", Branch.AreaType.RURAL),
    ("Herning Bibliotekerne online", "", "", "", Branch.AreaType.ONLINE),
]
MAIN, HAMMERUM, ONLINE = BRANCHES[0][0], BRANCHES[5][0], BRANCHES[6][0]

SERVICE_POINTS = {
    MAIN: [
        ("Informationen", ServicePoint.Kind.DESK),
        ("IT-caféen", ServicePoint.Kind.IT_CAFE),
        ("Børnebiblioteket", ServicePoint.Kind.CHILDREN_DESK),
        ("Telefonen", ServicePoint.Kind.PHONE),
    ],
    ONLINE: [("Chat og e-mail", ServicePoint.Kind.CHAT)],
}

T = time
# Staffed hours per weekday (0 = Monday) for the standing schedules.
STAFFED = {
    MAIN: {
        0: [(T(10), T(18))],
        1: [(T(10), T(18))],
        2: [(T(10), T(18))],
        3: [(T(10), T(18))],
        4: [(T(10), T(17))],
        5: [(T(10), T(14))],
    },
    "Aulum Bibliotek": {
        0: [(T(13), T(17))],
        1: [(T(10), T(13))],
        3: [(T(13), T(18))],
        4: [(T(10), T(13))],
    },
    "Vildbjerg Bibliotek": {
        0: [(T(13), T(17))],
        2: [(T(10), T(13))],
        3: [(T(13), T(18))],
        4: [(T(10), T(13))],
    },
    "Kibæk Bibliotek": {1: [(T(13), T(17))], 2: [(T(10), T(13))], 3: [(T(13), T(18))]},
    "Sunds Bibliotek": {0: [(T(13), T(17))], 2: [(T(13), T(17))], 4: [(T(10), T(13))]},
    HAMMERUM: {1: [(T(14), T(17))]},
}
SELF_SERVICE_HOURS = {MAIN: (T(8), T(22))}  # the others: 07–22
REDUCED_2020 = {
    0: [(T(11), T(16))],
    1: [(T(11), T(16))],
    2: [(T(11), T(16))],
    3: [(T(11), T(16))],
    4: [(T(11), T(16))],
}

POPULATION = {2019: 88_100, 2020: 88_600, 2021: 89_000, 2022: 89_400}

COVID = "COVID-19"
CLOSURES = [
    # first day, last day, from, until, scope, reason, only these branches
    (
        date(2020, 3, 13),
        date(2020, 5, 17),
        None,
        None,
        Closure.Scope.ALL,
        f"{COVID}: alle biblioteker lukket",
        None,
    ),
    (
        date(2020, 5, 18),
        date(2020, 6, 7),
        None,
        None,
        Closure.Scope.ALL,
        f"{COVID}: Hammerum-Gjellerup fortsat lukket",
        [HAMMERUM],
    ),
    (
        date(2020, 5, 18),
        date(2020, 7, 31),
        None,
        None,
        Closure.Scope.SELF_SERVICE,
        f"{COVID}: ingen selvbetjening",
        None,
    ),
    (
        date(2020, 12, 16),
        date(2020, 12, 16),
        T(16),
        None,
        Closure.Scope.ALL,
        f"{COVID}: national nedlukning fra kl. 16",
        None,
    ),
    (
        date(2020, 12, 17),
        date(2021, 4, 20),
        None,
        None,
        Closure.Scope.ALL,
        f"{COVID}: national nedlukning",
        None,
    ),
    (
        date(2021, 4, 21),
        date(2021, 6, 13),
        None,
        None,
        Closure.Scope.SELF_SERVICE,
        f"{COVID}: genåbning med coronapas, selvbetjening lukket",
        None,
    ),
]
for _year in (2019, 2020, 2021, 2022):
    CLOSURES += [
        (
            date(_year, 6, 5),
            date(_year, 6, 5),
            T(12),
            None,
            Closure.Scope.ALL,
            "Grundlovsdag: lukket fra kl. 12",
            None,
        ),
        (
            date(_year, 12, 24),
            date(_year, 12, 24),
            None,
            None,
            Closure.Scope.ALL,
            "Juleaftensdag",
            None,
        ),
        (
            date(_year, 12, 31),
            date(_year, 12, 31),
            None,
            None,
            Closure.Scope.ALL,
            "Nytårsaftensdag",
            None,
        ),
    ]

USERS = [
    # user name, first name, role, branches (staff only)
    ("admin", "Administrator", Role.ADMINISTRATOR, []),
    ("leder", "Biblioteksleder", Role.MANAGER, []),
    ("koordinator", "Koordinator", Role.COORDINATOR, []),
    ("personale", "Personale", Role.STAFF, [MAIN, HAMMERUM]),
]


def _schedule(
    branch: Branch,
    name: str,
    valid_from: date,
    valid_to: date | None,
    staffed: dict,
    self_service: tuple[time, time] | None,
) -> None:
    schedule, created = OpeningSchedule.objects.get_or_create(
        branch=branch, valid_from=valid_from, defaults={"name": name, "valid_to": valid_to}
    )
    if not created:
        return
    rows = [
        OpeningHours(
            schedule=schedule,
            weekday=day,
            kind=OpeningHours.Kind.STAFFED,
            opens=opens,
            closes=closes,
        )
        for day, periods in staffed.items()
        for opens, closes in periods
    ]
    if self_service is not None:
        rows += [
            OpeningHours(
                schedule=schedule,
                weekday=day,
                kind=OpeningHours.Kind.SELF_SERVICE,
                opens=self_service[0],
                closes=self_service[1],
            )
            for day in range(7)
        ]
    for row in rows:  # one by one, so every row is audited like an administrator's edit
        row.save()


@demo_step(order=0, name="organisation")
def organisation_step(context: DemoContext) -> None:
    organisation, _created = Organisation.objects.get_or_create(
        name=ORGANISATION_NAME, defaults={"municipality_code": "657"}
    )
    context.organisation = organisation
    for year, population in POPULATION.items():
        PopulationFigure.objects.get_or_create(
            organisation=organisation,
            year=year,
            defaults={"population": population, "source": "Demo: afrundet skøn"},
        )
    branches = {}
    for name, street, postcode, town, area in BRANCHES:
        branches[name], _ = Branch.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={"street": street, "postcode": postcode, "city": town, "area_type": area},
        )
    for branch_name, points in SERVICE_POINTS.items():
        for point_name, kind in points:
            ServicePoint.objects.get_or_create(
                branch=branches[branch_name], name=point_name, defaults={"kind": kind}
            )
    for name, branch in branches.items():
        if name == ONLINE:
            continue
        if name not in SERVICE_POINTS:
            ServicePoint.objects.get_or_create(
                branch=branch, name="Skranken", defaults={"kind": ServicePoint.Kind.DESK}
            )
        self_service = SELF_SERVICE_HOURS.get(name, (T(7), T(22)))
        _schedule(branch, "Normal åbningstid", date(2019, 1, 1), None, STAFFED[name], self_service)
        if name == MAIN:
            _schedule(
                branch,
                "COVID-19: kortere åbningstid",
                date(2020, 5, 18),
                date(2020, 6, 7),
                REDUCED_2020,
                self_service,
            )
    for first, last, start, end, scope, reason, only in CLOSURES:
        closure, created = Closure.objects.get_or_create(
            organisation=organisation,
            start_date=first,
            end_date=last,
            reason=reason,
            defaults={"start_time": start, "end_time": end, "scope": scope},
        )
        if created and only:
            closure.branches.set([branches[name] for name in only])
    User = get_user_model()
    for username, first_name, role, own in USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        membership, _ = Membership.objects.get_or_create(
            user=user, defaults={"organisation": organisation, "role": role}
        )
        if own and not membership.branches.exists():
            membership.branches.set([branches[name] for name in own])
        context.users.append((username, role.label, PASSWORD))


# -- the library website ------------------------------------------------------------------------


@demo_step(order=60, name="website")
def website_step(context: DemoContext) -> None:
    """Herning's website as dpl-cms would serve it (``core.fakesite``): synced once while the
    demo loads, with one library and two categories left for an administrator to map."""
    from django.test.utils import override_settings

    from bibliotal.core import fakesite
    from bibliotal.core.models import Website, WebsiteBranch
    from bibliotal.core.website import sync_opening_hours
    from bibliotal.events.dplcms import sync_events
    from bibliotal.events.models import CategoryMapping, EventType

    organisation = context.organisation
    branches = {b.name: b for b in context.branches()}
    Branch.objects.filter(pk=branches[HAMMERUM].pk, isil="").update(isil="DK-765705")
    for identifier, name, _isil in fakesite.LIBRARIES[:5]:
        WebsiteBranch.objects.get_or_create(
            organisation=organisation,
            kind=WebsiteBranch.Kind.ID,
            value=str(identifier),
            defaults={"branch": branches[name]},
        )
    literature = EventType.objects.filter(
        organisation=organisation, name="Forfatterarrangement"
    ).first()
    CategoryMapping.objects.get_or_create(
        organisation=organisation, category="Litteratur", defaults={"event_type": literature}
    )
    server = fakesite.start()
    try:
        website, _created = Website.objects.get_or_create(
            organisation=organisation,
            defaults={"url": f"http://127.0.0.1:{server.server_address[1]}"},
        )
        Website.objects.filter(pk=website.pk).update(
            url=f"http://127.0.0.1:{server.server_address[1]}"
        )
        website.refresh_from_db()
        with override_settings(BIBLIOTAL_ALLOW_LOCAL_SOURCES=True):
            events = sync_events(website=website, trigger="command")
            hours = sync_opening_hours(website=website, trigger="command")
    finally:
        server.shutdown()
        server.server_close()
    # From now on `bibliotal demo` serves the fake website here while it serves Bibliotal.
    Website.objects.filter(pk=website.pk).update(url=f"http://127.0.0.1:{fakesite.PORT}")
    context.log.append(f"Library website (fake dpl-cms): {events.summary()} {hours.summary()}")


# -- Danmarks Statistik -------------------------------------------------------------------------

# code, name, population 2019–2021, visits, events, user-education participants (illustrative
# except the country's visits, which are DST's published 37.4, 21.7 and 17.8 million).
STATBANK_DEMO = [
    (
        "000",
        "Hele landet",
        (5_806_081, 5_822_763, 5_840_045),
        (37_400_000, 21_700_000, 17_800_000),
        (25_500, 14_600, 14_100),
        (88_000, 41_000, 58_800),
    ),
    (
        "657",
        "Herning",
        tuple(POPULATION[y] for y in YEARS),
        (561_000, 318_000, 286_000),
        (690, 310, 280),
        (1_450, 620, 880),
    ),
    (
        "756",
        "Ikast-Brande",
        (41_100, 41_300, 41_600),
        (214_000, 126_000, 104_000),
        (260, 120, 110),
        (520, 240, 330),
    ),
    (
        "661",
        "Holstebro",
        (58_500, 58_600, 58_700),
        (402_000, 231_000, 189_000),
        (410, 190, 170),
        (930, 410, 560),
    ),
    (
        "740",
        "Silkeborg",
        (94_300, 95_100, 95_900),
        (598_000, 352_000, 279_000),
        (720, 330, 300),
        (1_600, 700, 980),
    ),
]


@demo_step(order=65, name="statbank")
def statbank_step(context: DemoContext) -> None:
    """Illustrative BIB2B and FOLK1A tables in Statbank's API layout, imported as a manager
    would upload them, and three comparable municipalities."""
    from bibliotal.reports.models import ComparisonSettings
    from bibliotal.reports.statbank import import_statbank_csv

    bib2b = ["OMRÅDE;AKTIVITET;TID;INDHOLD"]
    folk1a = ["OMRÅDE;TID;INDHOLD"]
    for code, _name, population, visits, events, education in STATBANK_DEMO:
        for index, year in enumerate(YEARS):
            folk1a.append(f"{code};{year}K1;{population[index]}")
            bib2b.append(f"{code};Besøgende;{year};{visits[index]}")
            bib2b.append(f"{code};Arrangementer;{year};{events[index]}")
            bib2b.append(f"{code};Brugerundervisning, deltagere;{year};{education[index]}")
    for name, lines in (("BIB2B-demo.csv", bib2b), ("FOLK1A-demo.csv", folk1a)):
        result = import_statbank_csv(
            organisation=context.organisation,
            data=("\n".join(lines) + "\n").encode("utf-8-sig"),
            filename=name,
        )
        context.log.append(f"{name}: {result.summary()}")
    ComparisonSettings.objects.get_or_create(
        organisation=context.organisation, defaults={"peers": ["756", "661", "740"]}
    )
