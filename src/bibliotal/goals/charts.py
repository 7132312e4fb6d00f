"""Vega-Lite specs for the goal pages (drawn in the browser by the vendored vega-embed, and by
vl-convert into SVG for documents). Every chart comes with its figures as a table for screen
readers and print."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

import altair as alt
from django.utils import formats
from django.utils.translation import gettext as _

from bibliotal.core.formatting import chart_locale
from bibliotal.goals import indicators, progress
from bibliotal.goals.series import running_total

ACTUAL = "#12355b"
BASELINE = "#6b7785"
PACE = "#a04a00"


@dataclass
class Chart:
    spec: dict
    columns: list[str]
    rows: list[list]
    description: str
    annotations: list = field(default_factory=list)


ANNOTATION = "#6a3d9a"


# Altair copies and checks every value of a chart's inline data in ``to_dict``: most of a
# chart's time (a progress chart's spec took about 190 ms, the full report's nine 0.8 s). The
# charts are built on named placeholders instead (``_data``), checked by Altair as before,
# and the values are put in their place afterwards (``_spec``): the same spec, in an eighth of
# the time.
_pending = threading.local()


def _data(values: list[dict]) -> alt.NamedData:
    """A placeholder for ``values`` in the chart being built, filled in by ``_spec``."""
    found = getattr(_pending, "values", None)
    if found is None:
        found = _pending.values = {}
    name = f"bibliotal-data-{len(found)}"
    found[name] = values
    return alt.NamedData(name=name)


def _spec(chart) -> dict:
    """The chart's Vega-Lite spec with its data inline, as ``chart.to_dict()`` gives it.
    Altair's check of the spec against Vega-Lite's schema is left to the tests (every chart
    of the demo's report, ``tests/reports/test_documents.py``, and the month chart): it took
    a quarter of each chart's time, on every page and document, for specs built by code."""
    values, _pending.values = getattr(_pending, "values", None) or {}, {}
    return _fill(chart.to_dict(validate=False), values)


def _fill(node, values: dict):
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and set(data) == {"name"} and data["name"] in values:
            node["data"] = {"values": values[data["name"]]}
        for value in node.values():
            _fill(value, values)
    elif isinstance(node, list):
        for value in node:
            _fill(value, values)
    return node


def chart_annotations(target, start: date, end: date) -> list[indicators.Annotation]:
    """What moved the indicator in the period (campaigns, loan-quota changes), as the apps that
    know report it through the registry."""
    return indicators.annotations(
        organisation=target.focus_area.budget_year.organisation,
        start=start,
        end=end,
        key=target.indicator,
    )


def _annotation_layers(found, start: date, end: date) -> list:
    """A shaded span for a campaign and a dashed rule for a change on a day, with tooltips."""
    if not found:
        return []
    spans = [
        {
            "start": max(a.start, start).isoformat(),
            "end": min(a.end, end).isoformat(),
            "label": a.label,
        }
        for a in found
        if a.end is not None
    ]
    days = [{"date": a.start.isoformat(), "label": a.label} for a in found if a.end is None]
    layers = []
    if spans:
        layers.append(
            alt.Chart(_data(spans))
            .mark_rect(opacity=0.12, color=ANNOTATION)
            .encode(
                x=alt.X("start:T"), x2=alt.X2("end:T"), tooltip=alt.Tooltip("label:N", title=None)
            )
        )
    if days:
        layers.append(
            alt.Chart(_data(days))
            .mark_rule(color=ANNOTATION, strokeDash=[4, 3], strokeWidth=1.5)
            .encode(x=alt.X("date:T"), tooltip=alt.Tooltip("label:N", title=None))
        )
    return layers


def _points(start: date, end: date) -> list[date]:
    days, day = [], start
    while day < end:
        days.append(day)
        day += timedelta(days=7)
    return [*days, end]


def _month_ends(start: date, end: date) -> list[date]:
    ends = []
    for year in range(start.year, end.year + 1):
        for month in range(1, 13):
            first_next = date(year + (month == 12), month % 12 + 1, 1)
            last = first_next - timedelta(days=1)
            if start <= last <= end:
                ends.append(last)
    if not ends or ends[-1] != end:
        ends.append(end)
    return ends


def progress_chart(computed) -> Chart | None:
    target, result = computed.target, computed.result
    if target.is_qualitative:
        return None
    if computed.periods is not None:
        return _period_chart(computed)
    if computed.current is None or result.actual is None:
        return None
    start, end = target.period()
    at = result.data_through or min(computed.at, end)
    current = computed.current
    base = computed.history.get(target.baseline_year) if target.baseline_year else None
    prior = {y: s for y, s in computed.history.items() if y < start.year}
    # The engine's own pace, so the line meets the page's "expected by now" on the same day.
    shares = progress.pace(current=current, start=start, end=end, history=prior, at=at)
    raw_target = _raw_target(target, result, current, start, end)

    cumulative_actual = running_total(current.values, start)
    if base is not None:
        offset = target.baseline_year - start.year
        baseline_total = running_total(base.values, progress.shift(start, offset))

    def cumulative_baseline(day):
        return baseline_total(progress.shift(day, offset))

    pace_share = running_total(shares, date.min)

    def pace(day):
        return raw_target * pace_share(day)

    actual_name = _("Actual %(year)s") % {"year": start.year}
    baseline_name = _("Baseline %(year)s") % {"year": target.baseline_year}
    pace_name = _("Pace to the target")
    forecast_name = _("Forecast")
    lines = []
    for day in _points(start, end):
        if day <= at:
            lines.append(
                {
                    "date": day.isoformat(),
                    "value": round(cumulative_actual(day), 1),
                    "series": actual_name,
                }
            )
        if base is not None:
            lines.append(
                {
                    "date": day.isoformat(),
                    "value": round(cumulative_baseline(day), 1),
                    "series": baseline_name,
                }
            )
        if raw_target is not None:
            lines.append(
                {"date": day.isoformat(), "value": round(pace(day), 1), "series": pace_name}
            )
    layers = []
    domain, colours, dashes = [actual_name], [ACTUAL], [[1, 0]]
    if base is not None:
        domain.append(baseline_name)
        colours.append(BASELINE)
        dashes.append([2, 2])
    if raw_target is not None:
        domain.append(pace_name)
        colours.append(PACE)
        dashes.append([6, 4])
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b", labelAngle=0, tickCount="month"))
    y = alt.Y("value:Q", title=str(target.indicator_object.unit if target.indicator_object else ""))
    layers.append(
        alt.Chart(_data(lines))
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", legend=None, scale=alt.Scale(domain=domain, range=dashes)
            ),
        )
    )
    forecast_raw = _raw_forecast(computed) if at < end else None
    # The wedge only where the method gave a range (low below high); never one it has not earned.
    ranged = forecast_raw is not None and _has_range(forecast_raw)
    if forecast_raw is not None:
        actual_now = cumulative_actual(at)
        band = [
            {
                "date": at.isoformat(),
                "low": actual_now,
                "high": actual_now,
                "mid": actual_now,
                "series": forecast_name,
            },
            {
                "date": end.isoformat(),
                "low": round(forecast_raw[1], 1) if ranged else None,
                "high": round(forecast_raw[2], 1) if ranged else None,
                "mid": round(forecast_raw[0], 1),
                "series": forecast_name,
            },
        ]
        if ranged:
            layers.append(
                alt.Chart(_data(band))
                .mark_area(opacity=0.18, color=ACTUAL)
                .encode(x=alt.X("date:T"), y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
            )
        layers.append(
            alt.Chart(_data(band))
            .mark_line(strokeDash=[3, 3], color=ACTUAL)
            .encode(x=alt.X("date:T"), y=alt.Y("mid:Q"))
        )
    found = chart_annotations(target, start, end)
    layers.extend(_annotation_layers(found, start, end))
    description = _progress_description(
        target, start.year, baseline=base is not None, pace=raw_target is not None
    )
    if ranged:
        description += (
            " "
            + _(
                "The dotted line is the forecast to the end of the period; the shaded wedge around "
                "it is the forecast's 80 %% range."
            )
            % {}
        )  # "%%": a python-format string ("% r" would read as a conversion)
    elif forecast_raw is not None:
        description += " " + _("The dotted line is the forecast to the end of the period.")
    if found:
        description += " " + _(
            "Campaigns are shaded and changes such as a new loan quota are dashed lines."
        )
    chart = alt.layer(*layers).properties(width="container", height=280, description=description)
    spec = _spec(chart)
    spec["config"] = chart_config()
    columns = [_("Month end"), actual_name]
    if base is not None:
        columns.append(baseline_name)
    if raw_target is not None:
        columns.append(pace_name)
    rows = []
    for day in _month_ends(start, end):
        row = [
            formats.date_format(day, "ABBR_MONTH_DAY_FORMAT"),
            _n(cumulative_actual(day)) if day <= at else "–",
        ]
        if base is not None:
            row.append(_n(cumulative_baseline(day)))
        if raw_target is not None:
            row.append(_n(pace(day)))
        rows.append(row)
    return Chart(spec, columns, rows, description, found)


def _progress_description(target, year: int, *, baseline: bool, pace: bool) -> str:
    """The chart's first sentence, naming only the lines that are drawn."""
    values = {"indicator": target.indicator_name.lower(), "year": year}
    if baseline and pace:
        text = _(
            "Cumulative %(indicator)s in %(year)s compared with the baseline year and the pace "
            "needed to reach the target."
        )
    elif baseline:
        text = _("Cumulative %(indicator)s in %(year)s compared with the baseline year.")
    elif pace:
        text = _(
            "Cumulative %(indicator)s in %(year)s compared with the pace needed to reach the "
            "target."
        )
    else:
        text = _("Cumulative %(indicator)s in %(year)s.")
    return text % values


def _has_range(forecast) -> bool:
    """A forecast (value, low, high) with a range of its own: both ends known and apart."""
    _value, low, high = forecast
    return low is not None and high is not None and round(high, 1) > round(low, 1)


def _raw_target(target, result, current, start, end):
    """The target in totals, for the pace line (rates are converted back over open days)."""
    if result.target_value is None:
        return None
    if target.normalisation == progress.PER_OPEN_DAY:
        return result.target_value * current.open_days(start, end)
    if target.normalisation == progress.PER_1000:
        return None
    return result.target_value


def _raw_forecast(computed):
    target, result = computed.target, computed.result
    if result.forecast is None:
        return None
    if target.normalisation == progress.NONE:
        return result.forecast, result.forecast_low, result.forecast_high
    start, end = target.period()
    _share, forecast, low, high, _used = progress.forecast_total(
        current=computed.current,
        start=start,
        end=end,
        at=result.data_through or min(computed.at, end),
        history={y: s for y, s in computed.history.items() if y < start.year},
    )
    return (forecast, low, high) if forecast is not None else None


def _period_chart(computed) -> Chart | None:
    periods = sorted(computed.periods or [], key=lambda p: (p.start, p.end))
    if not periods:
        return None
    label = _("Reported figure")
    values = [
        {
            "period": f"{formats.date_format(p.start, 'ABBR_MONTH_DAY_FORMAT')}–"
            f"{formats.date_format(p.end, 'ABBR_DATE_FORMAT')}",
            "value": p.value,
            "series": label,
        }
        for p in periods
    ]
    description = _("Each bar is a figure reported for its own period; they are never added up.")
    chart = (
        alt.Chart(_data(values))
        .mark_bar(color=ACTUAL)
        .encode(
            x=alt.X("period:N", title=None, sort=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("value:Q", title=str(computed.target.indicator_object.unit)),
        )
        .properties(width="container", height=260, description=description)
    )
    rows = [[v["period"], _n(v["value"])] for v in values]
    spec = _spec(chart)
    spec["config"] = chart_config()
    start, end = computed.target.period()
    found = chart_annotations(computed.target, start, end)
    return Chart(spec, [_("Period"), label], rows, description, found)


def month_comparison_chart(
    *,
    title: str,
    unit: str,
    this_year: list[float | None],
    last_year: list[float | None],
    year: int,
    annotations=(),
    description: str = "",
) -> Chart | None:
    """A data page's chart: a figure per month of ``year`` against the year before, drawn like
    the goal charts. ``None`` is a month without figures: a gap in the line, never a point at 0.
    ``annotations`` (``indicators.Annotation``: campaigns, loan-quota changes) in ``year`` are
    marked as on the goal charts. The table holds the same figures, "–" where there are none.
    None when neither year has a figure."""
    if all(v is None for v in [*this_year, *last_year]):
        return None
    now_name, last_name = str(year), str(year - 1)
    values = []
    for number in range(1, 13):
        day = date(year, number, 15).isoformat()
        for name, series in ((now_name, this_year), (last_name, last_year)):
            value = series[number - 1] if number <= len(series) else None
            values.append(
                {
                    "month": day,
                    "value": None if value is None else round(float(value), 1),
                    "series": name,
                }
            )
    domain = [now_name, last_name]
    layers = [
        alt.Chart(_data(values))
        # A month without figures breaks the line: it is never drawn as 0.
        .mark_line(point=True, strokeWidth=2.5, invalid="break-paths-filter-domains")
        .encode(
            x=alt.X(
                "month:T",
                title=None,
                axis=alt.Axis(format="%b", labelAngle=0, tickCount="month"),
                # The whole year, so January and December have their ticks; each month's
                # point sits in the middle of its month.
                scale=alt.Scale(
                    domain=[
                        alt.DateTime(year=year, month=1, date=1),
                        alt.DateTime(year=year, month=12, date=31),
                    ]
                ),
            ),
            y=alt.Y("value:Q", title=str(unit)),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[ACTUAL, BASELINE]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", legend=None, scale=alt.Scale(domain=domain, range=[[1, 0], [2, 2]])
            ),
            tooltip=[
                alt.Tooltip("month:T", title=_("Month"), format="%B"),
                alt.Tooltip("series:N", title=_("Year")),
                alt.Tooltip("value:Q", title=str(unit), format=",.0f"),
            ],
        )
    ]
    found = list(annotations)
    layers.extend(_annotation_layers(found, date(year, 1, 1), date(year, 12, 31)))
    if not description:
        description = _(
            "%(title)s per month in %(year)s against %(last)s; a month without figures is a gap "
            "in the line, not a zero."
        ) % {"title": title, "year": year, "last": year - 1}
    chart = alt.layer(*layers).properties(width="container", height=260, description=description)
    spec = _spec(chart)
    spec["config"] = chart_config()
    rows = [
        [
            formats.date_format(date(year, number, 1), "F"),
            *(
                _n(series[number - 1])
                if number <= len(series) and series[number - 1] is not None
                else "–"
                for series in (this_year, last_year)
            ),
        ]
        for number in range(1, 13)
    ]
    return Chart(spec, [_("Month"), now_name, last_name], rows, description, found)


def chart_config() -> dict:
    """Fonts, sizes and the active language's month names and number format (``locale``,
    which charts.js and reports.charts also hand to Vega as its default locale)."""
    config = {
        "font": "system-ui, sans-serif",
        "axis": {"labelFontSize": 12},
        "legend": {"labelFontSize": 13},
    }
    locale = chart_locale()
    if locale is not None:
        config["locale"] = locale
    return config


def _n(value: float) -> str:
    return formats.number_format(round(value), decimal_pos=0, force_grouping=True)
