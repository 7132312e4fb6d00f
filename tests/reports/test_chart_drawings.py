"""A chart is drawn once per spec: the same report asked again does not draw its charts again,
and a new figure (a new spec) is drawn anew."""

import vl_convert

from bibliotal.reports import charts

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"month": "jan", "visits": 100}, {"month": "feb", "visits": 120}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "month", "type": "nominal"},
        "y": {"field": "visits", "type": "quantitative"},
    },
}


def test_the_same_spec_is_drawn_once_and_a_new_figure_anew(monkeypatch):
    drawn = []
    original_svg, original_png = vl_convert.vegalite_to_svg, vl_convert.vegalite_to_png

    def counting_svg(spec, **options):
        drawn.append("svg")
        return original_svg(spec, **options)

    def counting_png(spec, **options):
        drawn.append("png")
        return original_png(spec, **options)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting_svg)
    monkeypatch.setattr(vl_convert, "vegalite_to_png", counting_png)
    first = charts.svg(SPEC)
    assert first.startswith("<svg") and charts.svg(SPEC) == first
    assert drawn == ["svg"]
    changed = {**SPEC, "data": {"values": [{"month": "jan", "visits": 101}]}}
    assert charts.svg(changed) != first
    assert drawn == ["svg", "svg"]
    image = charts.png(SPEC)
    assert image.startswith(b"\x89PNG") and charts.png(SPEC) == image
    assert charts.png(SPEC, scale=1.0) != image  # another size is another drawing
    assert drawn == ["svg", "svg", "png", "png"]
