"""Charts for documents: the pages' Vega-Lite specs drawn by vl-convert, offline.

vl-convert bundles Vega and Vega-Lite, so nothing is fetched. The spec's own ``config.locale``
(``core.formatting.chart_locale``) is also handed to vl-convert as Vega's default locale, as
charts.js hands it to vega-embed in the browser: Danish month names and decimal commas in every
label, whichever part of Vega formats it.

A drawing is kept under a digest of its spec (which holds every figure the chart shows), so
the same report asked again, in another format or by another manager, does not draw its charts
again; a new figure makes a new spec and so a new drawing.
"""

from __future__ import annotations

import hashlib
import json

import vl_convert
from django.core.cache import cache

KEEP_SECONDS = 24 * 3600


def _locale(spec: dict) -> dict:
    locale = (spec.get("config") or {}).get("locale") or {}
    found = {}
    if locale.get("number"):
        found["format_locale"] = locale["number"]
    if locale.get("time"):
        found["time_format_locale"] = locale["time"]
    return found


def _kept(kind: str, spec: dict, draw, **options):
    text = json.dumps([kind, spec, options, vl_convert.__version__], sort_keys=True, default=str)
    key = "bibliotal:chart:" + hashlib.sha256(text.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = draw(spec, **options, **_locale(spec))
        cache.set(key, found, KEEP_SECONDS)
    return found


def svg(spec: dict) -> str:
    return _kept("svg", spec, vl_convert.vegalite_to_svg)


def png(spec: dict, *, scale: float = 2.0) -> bytes:
    return _kept("png", spec, vl_convert.vegalite_to_png, scale=scale)
