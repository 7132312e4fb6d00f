"""The digital overview's chart: e-loans per month against the year before, with loan-quota
changes marked. The shared month chart of the data pages; the page's table holds the figures."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bibliotal.goals.charts import Chart, month_comparison_chart
from bibliotal.goals.indicators import Annotation


def loans_chart(months: list[dict], year: int, quota_changes) -> Chart | None:
    from bibliotal.digital.indicators import quota_label

    return month_comparison_chart(
        title=_("E-loans"),
        unit=_("loans"),
        this_year=[m["total"] for m in months],
        last_year=[m["last_year"] for m in months],
        year=year,
        annotations=[Annotation(q.day, None, quota_label(q), "quota") for q in quota_changes],
        description=_(
            "E-loans per month in %(year)s and %(last)s, all platforms and material types; dashed "
            "vertical lines mark changes of a loan quota. A month without figures is a gap in "
            "the line, not a zero."
        )
        % {"year": year, "last": year - 1},
    )
