"""The pages anyone may read without logging in: a registry the apps fill.

Core imports no other app. Each app with a public page registers, from its
``AppConfig.ready``, a provider ``source(organisation)`` that returns the organisation's public
pages as ``PublicPage``s (the events programme, the course catalogue, each published goals
year). The public pages' shared header and the login page read them through ``public_pages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class PublicPage:
    key: str  # stable, e.g. "events.programme" or "goals.2021"
    label: str | Promise  # "Events at the library" (translated)
    url: str
    order: int = 50  # lower comes first


PublicSource = Callable[..., Iterable[PublicPage]]

_sources: list[PublicSource] = []


def register_public_pages(source: PublicSource) -> None:
    if source not in _sources:
        _sources.append(source)


def public_pages(organisation) -> list[PublicPage]:
    found: list[PublicPage] = []
    for source in _sources:
        found.extend(source(organisation=organisation))
    return sorted(found, key=lambda page: (page.order, page.key))
