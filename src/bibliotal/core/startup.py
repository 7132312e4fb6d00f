"""What a server process does once, before its first request.

Python's garbage collector now and then walks every object that could be part of a cycle. In a
worker that has imported Django and Bibliotal that is a few hundred thousand objects (modules,
classes, URL patterns, compiled templates) that live as long as the process, and a walk of the
oldest generation cost 100–150 ms: it fell inside some request or other, which is why a page's
slowest request took half as long again as its median (``bench/pages.py``). So the server
imports every view and compiles every template first, and then moves all that out of the
collector's sight with ``gc.freeze()`` (the objects stay; only the walk skips them). Objects made
by requests are collected as before. ``bibliotal serve`` does it in gunicorn's master before it
forks, so the workers start with the templates compiled, and each worker again when it loads
``bibliotal.wsgi`` (what it made since is frozen too; the rest is already).

Not under ``BIBLIOTAL_DEBUG``: the development server reloads on every change, and templates
are read afresh there.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def prepare_process() -> int:
    """Import the URLconf's views, compile the templates of every Django template engine's
    own directories, then ``gc.freeze()``. Returns how many templates it compiled. Touches no
    database. A template that does not compile is logged and left to its page, which then
    fails as it would have: one broken page never keeps the whole server from starting."""
    from django.template import TemplateSyntaxError, engines
    from django.template.backends.django import DjangoTemplates
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - importing every view is the point
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for folder in map(Path, engine.engine.dirs):
            for path in sorted(folder.rglob("*")):
                if not (path.is_file() and path.suffix in (".html", ".txt")):
                    continue
                name = path.relative_to(folder).as_posix()
                try:
                    engine.get_template(name)
                except TemplateSyntaxError:
                    logger.exception("The template %s does not compile", name)
                    continue
                compiled += 1
    gc.collect()
    gc.freeze()
    return compiled
