"""Demo guidance for Herning 2019–2021, shaped by staffed hours, weekdays, seasons and closures.

About 50,000 guidances in the topics that count toward the goal in a normal year (2019): the
main library serves about 16 an open staffed hour, the local libraries about 9. Closed days
have none at the desks; during the COVID-19 lockdowns the main library's phone still helps.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time

from django.utils import timezone

from bibliotal.core.demo import MAIN, ONLINE, YEARS, DemoContext, demo_step
from bibliotal.core.models import ServicePoint
from bibliotal.core.opening import opening_calendar

SEASON = {
    1: 1.1,
    2: 1.1,
    3: 1.05,
    4: 1.0,
    5: 0.95,
    6: 0.85,
    7: 0.6,
    8: 0.9,
    9: 1.05,
    10: 1.1,
    11: 1.15,
    12: 0.9,
}
WEEKDAY = {0: 1.15, 1: 1.05, 2: 1.0, 3: 1.05, 4: 0.9, 5: 1.1, 6: 1.0}
TOPIC_SHARES = {
    "Litteratur og læsning": 0.28,
    "Digital selvbetjening": 0.27,
    "Samfundsoplysning": 0.10,
    "Medier": 0.08,
    "Verificering af viden": 0.05,
    "Praktisk spørgsmål": 0.17,
    "Andet": 0.05,
}
PER_STAFFED_HOUR = {MAIN: 16.0}
LOCAL_PER_STAFFED_HOUR = 9.0


def _poisson(rng, mean: float) -> int:
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


@demo_step(order=20, name="guidance")
def guidance_step(context: DemoContext) -> None:
    from bibliotal.guidance.models import GuidanceRecord
    from bibliotal.guidance.services import ensure_default_topics

    organisation = context.organisation
    topics = {t.name: t for t in ensure_default_topics(organisation=organisation)}
    rng = context.rng("guidance")
    branches = context.branches()
    premises = [b for b in branches if b.has_premises]
    start, end = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
    calendar = opening_calendar(branches=premises, start=start, end=end)
    points = {
        (sp.branch_id, sp.kind): sp
        for sp in ServicePoint.objects.filter(branch__organisation=organisation)
    }
    rows: list[GuidanceRecord] = []

    def add(branch, point, topic, day, count, channel="in_person", child=None, hour=11):
        if count <= 0:
            return
        at = timezone.make_aware(datetime.combine(day, time(hour)))
        rows.append(
            GuidanceRecord(
                organisation=organisation,
                branch=branch,
                service_point=point,
                topic=topic,
                channel=channel,
                occurred_at=at,
                day=day,
                count=count,
                child=child,
                source=GuidanceRecord.Source.DEMO,
                idempotency_key=f"demo:{point.pk}:{day.isoformat()}:{topic.pk}:{channel}",
                created_at=at,
            )
        )

    for branch in premises:
        rate = PER_STAFFED_HOUR.get(branch.name, LOCAL_PER_STAFFED_HOUR)
        desk = points[(branch.pk, ServicePoint.Kind.DESK)]
        it_cafe = points.get((branch.pk, ServicePoint.Kind.IT_CAFE))
        children = points.get((branch.pk, ServicePoint.Kind.CHILDREN_DESK))
        phone = points.get((branch.pk, ServicePoint.Kind.PHONE))
        for day, info in sorted(calendar[branch.pk].items()):
            if info.staffed_hours == 0:
                lockdown = any("COVID" in reason for reason in info.closures)
                if phone is not None and lockdown and day.weekday() < 5:
                    for name in ("Digital selvbetjening", "Litteratur og læsning", "Andet"):
                        add(branch, phone, topics[name], day, _poisson(rng, 4), "phone")
                continue
            mean = info.staffed_hours * rate * SEASON[day.month] * WEEKDAY[day.weekday()]
            total = _poisson(rng, mean)
            for name, share in TOPIC_SHARES.items():
                count = _poisson(rng, total * share)
                topic = topics[name]
                if name == "Digital selvbetjening" and it_cafe is not None:
                    in_cafe = round(count * 0.6)
                    add(branch, it_cafe, topic, day, in_cafe, hour=13)
                    count -= in_cafe
                if name == "Litteratur og læsning" and children is not None:
                    for_children = round(count * 0.35)
                    add(branch, children, topic, day, for_children, child=True, hour=15)
                    count -= for_children
                if phone is not None:
                    by_phone = round(count * 0.08)
                    add(branch, phone, topic, day, by_phone, "phone", hour=10)
                    count -= by_phone
                add(branch, desk, topic, day, count)
    online = next((b for b in branches if b.name == ONLINE), None)
    chat = points.get((online.pk, ServicePoint.Kind.CHAT)) if online else None
    if chat is not None:
        for offset in range((end - start).days + 1):
            day = date.fromordinal(start.toordinal() + offset)
            add(
                online,
                chat,
                topics["Litteratur og læsning"],
                day,
                _poisson(rng, 1.8),
                "chat",
                hour=20,
            )
            add(
                online,
                chat,
                topics["Digital selvbetjening"],
                day,
                _poisson(rng, 1.2),
                "chat",
                hour=20,
            )
    GuidanceRecord.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    by_year = {}
    for row in rows:
        if row.topic.counts_toward_goal:
            by_year[row.day.year] = by_year.get(row.day.year, 0) + row.count
    context.log.append(
        "Guidance toward the goal: "
        + ", ".join(
            f"{year}: {total:,}".replace(",", ".") for year, total in sorted(by_year.items())
        )
    )
