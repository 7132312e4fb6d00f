"""The data pages' shared chart: this year against last year by month, with gaps for months
without figures and the goal charts' colours and annotations."""

from __future__ import annotations

from datetime import date

from bibliotal.goals import charts
from bibliotal.goals.indicators import Annotation


def _line(spec):
    return next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")


def test_a_month_without_figures_is_a_gap_never_a_point_at_zero():
    chart = charts.month_comparison_chart(
        title="Besøg",
        unit="besøg",
        this_year=[10, 20, None, 0, *[None] * 8],
        last_year=[5] * 12,
        year=2021,
    )
    line = _line(chart.spec)
    assert line["mark"]["invalid"] == "break-paths-filter-domains"
    data = line.get("data") or chart.spec["data"]  # altair lifts a lone layer's data up
    values = {(v["month"], v["series"]): v["value"] for v in data["values"]}
    assert values[("2021-03-15", "2021")] is None  # missing: null, which breaks the line
    assert values[("2021-04-15", "2021")] == 0  # a counted zero stays a zero
    assert values[("2021-03-15", "2020")] == 5  # last year on this year's months
    assert chart.columns == ["Måned", "2021", "2020"]
    assert chart.rows[2] == ["marts", "–", "5"] and chart.rows[3] == ["april", "0", "5"]
    colours = line["encoding"]["color"]["scale"]
    assert colours == {"domain": ["2021", "2020"], "range": [charts.ACTUAL, charts.BASELINE]}
    assert chart.spec["config"]["locale"]["number"]["decimal"] == ","


def test_no_chart_when_neither_year_has_a_figure():
    empty = [None] * 12
    assert (
        charts.month_comparison_chart(
            title="Besøg", unit="besøg", this_year=empty, last_year=empty, year=2026
        )
        is None
    )


def test_annotations_are_marked_as_on_the_goal_charts():
    change = Annotation(date(2021, 2, 1), None, "eReolen: lånekvote 3 → 5")
    chart = charts.month_comparison_chart(
        title="E-lån",
        unit="lån",
        this_year=[1] * 12,
        last_year=[None] * 12,
        year=2021,
        annotations=[change],
        description="E-lån pr. måned.",
    )
    assert chart.annotations == [change] and chart.description == "E-lån pr. måned."
    rule = next(layer for layer in chart.spec["layer"] if layer["mark"]["type"] == "rule")
    assert rule["data"]["values"] == [{"date": "2021-02-01", "label": "eReolen: lånekvote 3 → 5"}]


def test_the_month_chart_is_valid_vega_lite():
    """Built without Altair's own check (``charts._spec``), so it is checked here."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    chart = charts.month_comparison_chart(
        title="E-lån",
        unit="lån",
        this_year=[1, None, *[2] * 10],
        last_year=[None] * 12,
        year=2021,
        annotations=[Annotation(date(2021, 2, 1), date(2021, 3, 1), "Kampagne")],
    )
    assert validate_jsonschema(chart.spec, load_schema(), raise_error=False) is None
