"""Charts for documents: the pages' Vega-Lite specs drawn by vl-convert, offline.

vl-convert bundles Vega and Vega-Lite, so nothing is fetched. The spec's own ``config.locale``
(``core.formatting.chart_locale``) is also handed to vl-convert as Vega's default locale, as
charts.js hands it to vega-embed in the browser: Danish month names and decimal commas in every
label, whichever part of Vega formats it.
"""

from __future__ import annotations

import vl_convert


def _locale(spec: dict) -> dict:
    locale = (spec.get("config") or {}).get("locale") or {}
    found = {}
    if locale.get("number"):
        found["format_locale"] = locale["number"]
    if locale.get("time"):
        found["time_format_locale"] = locale["time"]
    return found


def svg(spec: dict) -> str:
    return vl_convert.vegalite_to_svg(spec, **_locale(spec))


def png(spec: dict, *, scale: float = 2.0) -> bytes:
    return vl_convert.vegalite_to_png(spec, scale=scale, **_locale(spec))
