"""Where event attendance stands: one completeness source, month by month.

An event of the library (alone or co-organised, not cancelled) that has taken place needs its
attendance. A month is counted when every event held in it has attendance, partly missing when
some lack it (with how many), missing when all do, and "nothing to count" when no event was
held. Two queries: the year's events per month, and the last import of the programme.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bibliotal.core import sources
from bibliotal.core.sources import SourceMonth, SourceReport

KIND = "events"
KIND_NAME = gettext_lazy("Events")


def completeness_source(*, organisation, year: int, today: date) -> list[SourceReport]:
    from bibliotal.core.models import ImportBatch
    from bibliotal.events.models import EventOccurrence

    zone = timezone.get_current_timezone()
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=zone)
    end = datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=zone)
    now = datetime.combine(today, time.min, tzinfo=zone)
    counted = EventOccurrence.objects.counted().filter(organisation=organisation)
    rows = {
        row["month"].month: row
        for row in counted.filter(starts_at__gte=start, starts_at__lt=min(end, now))
        .annotate(month=TruncMonth("starts_at", tzinfo=zone))
        .values("month")
        .annotate(
            held=Count("pk"),
            without=Count("pk", filter=Q(attendance_total__isnull=True)),
            total=Sum("attendance_total"),
        )
    }
    latest = counted.filter(attendance_total__isnull=False).aggregate(at=Max("starts_at"))["at"]
    last_import = (
        ImportBatch.objects.filter(organisation=organisation, kind="events")
        .order_by("-imported_at")
        .values_list("imported_at", flat=True)
        .first()
    )
    months = []
    for month in range(1, 13):
        row = rows.get(month)
        held = row["held"] if row else 0
        without = row["without"] if row else 0
        value = float(row["total"]) if row and row["total"] is not None else None
        if not sources.month_is_due(year, month, today=today):
            detail = _("The month has not ended.") if date(year, month, 1) <= today else ""
            if without:
                detail = ngettext(
                    "The month has not ended; %(n)d event held so far lacks attendance.",
                    "The month has not ended; %(n)d events held so far lack attendance.",
                    without,
                ) % {"n": without}
            months.append(SourceMonth(month, sources.NOT_DUE, value=value, detail=detail))
        elif not held:
            months.append(SourceMonth(month, sources.NONE, detail=_("No event was held.")))
        elif without == held:
            months.append(
                SourceMonth(
                    month,
                    sources.MISSING,
                    detail=ngettext(
                        "The event held has no attendance.",
                        "None of the %(n)d events held has attendance.",
                        held,
                    )
                    % {"n": held},
                )
            )
        elif without:
            months.append(
                SourceMonth(
                    month,
                    sources.PARTLY,
                    value=value,
                    detail=ngettext(
                        "%(without)d of %(n)d event held has no attendance.",
                        "%(without)d of %(n)d events held have no attendance.",
                        held,
                    )
                    % {"without": without, "n": held},
                )
            )
        else:
            months.append(
                SourceMonth(
                    month,
                    sources.COUNTED,
                    value=value,
                    detail=ngettext(
                        "%(n)d event held, with attendance.",
                        "%(n)d events held, all with attendance.",
                        held,
                    )
                    % {"n": held},
                )
            )
    return [
        SourceReport(
            key="events.attendance",
            kind=KIND,
            kind_name=KIND_NAME,
            name=str(_("Attendance at events")),
            months=tuple(months),
            latest_figure=timezone.localtime(latest).date() if latest else None,
            last_import=last_import,
            fix_url=reverse("events:awaiting"),
            fix_label=_("Enter attendance"),
            note=_(
                "The library's own and co-organised events; cancelled events and outside "
                "hirers' events do not count."
            ),
        )
    ]
