"""Charts for documents: the pages' Vega-Lite specs drawn by vl-convert, offline.

vl-convert bundles Vega and Vega-Lite, so nothing is fetched; the spec's own ``config.locale``
gives Danish month names and numbers.
"""

from __future__ import annotations

import vl_convert


def svg(spec: dict) -> str:
    return vl_convert.vegalite_to_svg(spec)


def png(spec: dict, *, scale: float = 2.0) -> bytes:
    return vl_convert.vegalite_to_png(spec, scale=scale)
