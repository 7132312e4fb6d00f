"""pupils_taught: attendances (every session) or unique pupils (a class once per course)."""

from __future__ import annotations

from django.db.models import Count, Sum

from bibliotal.goals.indicators import UNIQUE, DailyValue


def _sessions(organisation, start, end, branch_ids):
    from bibliotal.teaching.models import TeachingSession

    sessions = TeachingSession.objects.filter(
        branch__organisation=organisation, day__gte=start, day__lte=end
    )
    if branch_ids is not None:
        sessions = sessions.filter(branch_id__in=branch_ids)
    return sessions


def school_year(day) -> int:
    """The school year a day belongs to, by its first calendar year (August to July)."""
    return day.year if day.month >= 8 else day.year - 1


def class_key(row: dict) -> tuple:
    """Who "the same class" is: the booking when there is one; else course (or theme), school,
    class name, grade and school year. A session without school or class name stands alone."""
    if row["booking_id"] is not None:
        return ("booking", row["booking_id"])
    name = row["class_name"].strip().lower()
    if row["institution_id"] is None or not name:
        return ("session", row["pk"])
    what = row["course_id"] if row["course_id"] is not None else row["theme"]
    return (what, row["institution_id"], name, row["grade"], school_year(row["day"]))


class PupilsTaughtProvider:
    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        sessions = _sessions(organisation, start, end, branch_ids)
        if measure != UNIQUE:
            for row in sessions.values("branch_id", "day").annotate(total=Sum("pupils_present")):
                yield DailyValue(row["branch_id"], row["day"], float(row["total"]))
            return
        # Unique pupils: each class once, in the period of its first session, on that day,
        # with the most pupils it brought. Earlier sessions of the same school year are read
        # too, so a course that began before the period is not counted again.
        from datetime import date

        lookback = date(school_year(start), 8, 1)
        earlier_start = min(start, lookback)
        rows = (
            _sessions(organisation, earlier_start, end, branch_ids)
            .order_by("day", "pk")
            .values(
                "pk",
                "booking_id",
                "course_id",
                "theme",
                "institution_id",
                "class_name",
                "grade",
                "branch_id",
                "day",
                "pupils_present",
            )
        )
        first: dict[tuple, list] = {}
        for row in rows:
            key = class_key(row)
            if key not in first:
                first[key] = [row["branch_id"], row["day"], row["pupils_present"]]
            else:
                first[key][2] = max(first[key][2], row["pupils_present"])
        for branch_id, day, pupils in first.values():
            if start <= day <= end:
                yield DailyValue(branch_id, day, float(pupils))

    def period_values(self, **kwargs):
        return []


def statistics(*, organisation, start, end):
    """Teaching's part of Danmarks Statistik's user education (brugerundervisning)."""
    from django.utils.translation import gettext_lazy as _

    from bibliotal.goals.indicators import Statistic

    totals = dst_user_education(organisation=organisation, start=start, end=end)
    note = _("Taught sessions for school classes and groups with pupils present.")
    return [
        Statistic("user_education_lessons", totals["lessons"], note),
        Statistic("user_education_participants", totals["participants"], note),
    ]


def dst_user_education(*, organisation, start, end) -> dict:
    """Danmarks Statistik's user education from teaching: lessons and participants."""
    totals = (
        _sessions(organisation, start, end, None)
        .filter(pupils_present__gt=0)
        .aggregate(lessons=Count("pk"), participants=Sum("pupils_present"))
    )
    return {"lessons": totals["lessons"], "participants": totals["participants"] or 0}
