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


class PupilsTaughtProvider:
    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        sessions = _sessions(organisation, start, end, branch_ids)
        if measure != UNIQUE:
            for row in sessions.values("branch_id", "day").annotate(total=Sum("pupils_present")):
                yield DailyValue(row["branch_id"], row["day"], float(row["total"]))
            return
        # Unique pupils in the asked period: each class (course, school, class, grade) once, on
        # the day of its first session, with the most pupils it brought. A session without a
        # school or class name cannot be matched to others and counts on its own.
        first: dict[tuple, list] = {}
        rows = sessions.order_by("day", "pk").values(
            "pk",
            "course_id",
            "institution_id",
            "class_name",
            "grade",
            "branch_id",
            "day",
            "pupils_present",
        )
        for row in rows:
            name = row["class_name"].strip().lower()
            if row["institution_id"] is None or not name:
                key = ("session", row["pk"])
            else:
                key = (row["course_id"], row["institution_id"], name, row["grade"])
            if key not in first:
                first[key] = [row["branch_id"], row["day"], row["pupils_present"]]
            else:
                first[key][2] = max(first[key][2], row["pupils_present"])
        for branch_id, day, pupils in first.values():
            yield DailyValue(branch_id, day, float(pupils))

    def period_values(self, **kwargs):
        return []


def dst_user_education(*, organisation, start, end) -> dict:
    """Danmarks Statistik's user education from teaching: lessons and participants."""
    totals = _sessions(organisation, start, end, None).aggregate(
        lessons=Count("pk"), participants=Sum("pupils_present")
    )
    return {"lessons": totals["lessons"], "participants": totals["participants"] or 0}
