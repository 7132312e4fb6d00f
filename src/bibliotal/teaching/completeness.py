"""Where teaching stands: one completeness source, month by month.

A class booked and accepted for a time that has passed, without a session registered, is a
session held without its pupils recorded. A month is counted when every such class has its
session, partly missing when some lack it (with how many), missing when none has, and "nothing
to count" when nothing was booked or registered. Three queries: the sessions per month, the
booked classes without a session per month, and the latest session.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bibliotal.core import sources
from bibliotal.core.sources import SourceMonth, SourceReport

KIND = "teaching"
KIND_NAME = gettext_lazy("Teaching")


def completeness_source(*, organisation, year: int, today: date) -> list[SourceReport]:
    from bibliotal.teaching.models import Booking, TeachingSession

    zone = timezone.get_current_timezone()
    sessions = {
        row["month"].month: row
        for row in TeachingSession.objects.filter(
            branch__organisation=organisation,
            day__gte=date(year, 1, 1),
            day__lte=date(year, 12, 31),
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(n=Count("pk"), pupils=Sum("pupils_present"))
    }
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=zone)
    end = datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=zone)
    now = datetime.combine(today, time.min, tzinfo=zone)
    waiting = {
        row["month"].month: row["n"]
        for row in Booking.objects.filter(
            course__organisation=organisation,
            status=Booking.Status.ACCEPTED,
            scheduled_at__gte=start,
            scheduled_at__lt=min(end, now),
            taught__isnull=True,
        )
        .annotate(month=TruncMonth("scheduled_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk", distinct=True))
    }
    latest = TeachingSession.objects.filter(branch__organisation=organisation).aggregate(
        at=Max("day")
    )["at"]
    months = []
    for month in range(1, 13):
        row = sessions.get(month)
        held = row["n"] if row else 0
        value = float(row["pupils"]) if row else None
        unregistered = waiting.get(month, 0)
        if not sources.month_is_due(year, month, today=today):
            detail = _("The month has not ended.") if date(year, month, 1) <= today else ""
            months.append(SourceMonth(month, sources.NOT_DUE, value=value, detail=detail))
        elif not held and not unregistered:
            months.append(SourceMonth(month, sources.NONE, detail=_("No class booked or taught.")))
        elif unregistered and not held:
            months.append(
                SourceMonth(
                    month,
                    sources.MISSING,
                    detail=ngettext(
                        "%(n)d booked class has no session registered.",
                        "%(n)d booked classes have no session registered.",
                        unregistered,
                    )
                    % {"n": unregistered},
                )
            )
        elif unregistered:
            months.append(
                SourceMonth(
                    month,
                    sources.PARTLY,
                    value=value,
                    detail=ngettext(
                        "%(n)d booked class has no session registered.",
                        "%(n)d booked classes have no session registered.",
                        unregistered,
                    )
                    % {"n": unregistered},
                )
            )
        else:
            months.append(
                SourceMonth(
                    month,
                    sources.COUNTED,
                    value=value,
                    detail=ngettext("%(n)d session registered.", "%(n)d sessions registered.", held)
                    % {"n": held},
                )
            )
    gaps = [m.month for m in months if m.state in sources.GAPS]
    fix_url = reverse("teaching:session_list")
    if gaps:
        fix_url += f"?month={year}-{gaps[0]:02d}"
    return [
        SourceReport(
            key="teaching.sessions",
            kind=KIND,
            kind_name=KIND_NAME,
            name=str(_("Sessions taught")),
            months=tuple(months),
            latest_figure=latest,
            last_import=None,
            fix_url=fix_url,
            fix_label=_("Register the sessions"),
            note=_(
                "Pupils present at the sessions registered; a class booked for a time that "
                "has passed needs its session."
            ),
        )
    ]
