"""The digital overview's chart: e-loans per month against the year before, with loan-quota
changes marked. A Vega-Lite spec like the goal charts; the page's table holds the figures."""

from __future__ import annotations

from datetime import date

import altair as alt
from django.utils.translation import gettext as _

from bibliotal.goals.charts import ACTUAL, ANNOTATION, BASELINE, Chart, chart_config


def loans_chart(months: list[dict], year: int, quota_changes) -> Chart | None:
    from bibliotal.digital.indicators import quota_label

    this_year = _("E-loans %(year)s") % {"year": year}
    last_year = _("E-loans %(year)s") % {"year": year - 1}
    values = []
    for number, month in enumerate(months, start=1):
        day = date(year, number, 15).isoformat()
        if month["total"]:
            values.append({"month": day, "loans": month["total"], "series": this_year})
        if month["last_year"]:
            values.append({"month": day, "loans": month["last_year"], "series": last_year})
    if not values:
        return None
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b", labelAngle=0, tickCount="month"))
    layers = [
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("loans:Q", title=_("loans")),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[this_year, last_year], range=[ACTUAL, BASELINE]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                legend=None,
                scale=alt.Scale(domain=[this_year, last_year], range=[[1, 0], [2, 2]]),
            ),
            tooltip=["series:N", "loans:Q"],
        )
    ]
    quotas = [{"date": q.day.isoformat(), "label": quota_label(q)} for q in quota_changes]
    if quotas:
        layers.append(
            alt.Chart(alt.Data(values=quotas))
            .mark_rule(color=ANNOTATION, strokeDash=[4, 3], strokeWidth=1.5)
            .encode(x="date:T", tooltip=alt.Tooltip("label:N", title=None))
        )
    description = _(
        "E-loans per month in %(year)s and %(last)s, all platforms and material types; dashed "
        "vertical lines mark changes of a loan quota."
    ) % {"year": year, "last": year - 1}
    chart = alt.layer(*layers).properties(width="container", height=260, description=description)
    spec = chart.to_dict()
    spec["config"] = chart_config()
    return Chart(spec, [], [], description)
