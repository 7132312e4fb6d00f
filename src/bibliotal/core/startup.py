"""What a server process does once, before its first request.

Python's garbage collector now and then walks every object that could be part of a cycle. In a
worker that has imported Django and Bibliotal that is a few hundred thousand objects (modules,
classes, URL patterns, compiled templates) that live as long as the process, and a walk of the
oldest generation cost 100–150 ms: it fell inside some request or other, which is why a page's
slowest request took half as long again as its median (``bench/pages.py``). So the server
imports every view and compiles every template first, and then moves all that out of the
collector's sight with ``gc.freeze()`` (the objects stay; only the walk skips them). Objects made
by requests are collected as before. Done in gunicorn's master before it forks, the frozen
pages are also shared by the workers instead of copied by the collector's writes.
"""

from __future__ import annotations

import gc
from pathlib import Path


def prepare_process() -> int:
    """Import the URLconf's views, compile Bibliotal's own templates, then ``gc.freeze()``.
    Returns how many templates it compiled. Touches no database."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - importing every view is the point
    engine = engines["django"]
    compiled = 0
    for folder in settings.TEMPLATES[0]["DIRS"]:
        folder = Path(folder)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".txt"):
                engine.get_template(path.relative_to(folder).as_posix())
                compiled += 1
    gc.collect()
    gc.freeze()
    return compiled
