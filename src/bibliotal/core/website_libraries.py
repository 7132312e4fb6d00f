"""The libraries a library website (dpl-cms) names, read for setting up (``core/setup.py``).

dpl-cms has no list of its libraries, so they are gathered from what it publishes: the names in
its events feed (``branches``), with the address an event held at the library gives (dpl-cms
falls back to the library's own address), and the libraries its opening hours number
(``branch_id`` is the library's node on the website, so ``/node/<id>`` is its page, and the
page's title its name). A number whose page says nothing is left for an administrator to map.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.models import Website

EVENTS_DAYS_BACK = 90  # how far back the events feed is read for the libraries' names


@dataclass
class SiteLibrary:
    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    isil: str = ""
    ids: list[str] = field(default_factory=list)
    in_events: bool = False


@dataclass
class SiteReading:
    url: str
    libraries: list[SiteLibrary]
    unnamed: list[str]  # branch ids in the opening hours whose name could not be read


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_OG_TITLE = re.compile(
    r"<meta\s[^>]*property=[\"']og:title[\"'][^>]*content=[\"']([^\"']*)[\"']", re.I
)


def page_title(data: bytes) -> str:
    """A library's name from its page: the og:title, else the title before " | site name"."""
    text = data[:200_000].decode("utf-8", "replace")
    found = _OG_TITLE.search(text) or _TITLE.search(text)
    if not found:
        return ""
    title = " ".join(html.unescape(found.group(1)).split())
    return title.split(" | ")[0].strip()[:200]


class WebsiteUnreadable(Exception):
    """The website could not be read; the message (one line) is for a person."""


def _unreadable(url: str, reason: str) -> WebsiteUnreadable:
    return WebsiteUnreadable(
        _(
            "The library website %(url)s could not be read, so nothing was set up: %(reason)s "
            "Set up without the website and add it under Integrations later, or try again."
        )
        % {"url": url, "reason": reason}
    )


def read_website(url: str, *, fetch_options: dict | None = None) -> SiteReading:
    """The libraries the website names, read before anything is written."""
    from bibliotal.core.http import FetchError, fetch
    from bibliotal.core.imports import ImportRejected
    from bibliotal.core.website import parse_opening_hours

    site = Website(url=url)
    options = fetch_options or {}
    today = timezone.localdate()
    events_url = site.endpoint(
        "/api/v1/events", from_date=(today - timedelta(days=EVENTS_DAYS_BACK)).isoformat()
    )
    hours_url = site.endpoint(
        "/api/v1/opening_hours",
        from_date=today.isoformat(),
        to_date=(today + timedelta(days=site.hours_days_ahead or 90)).isoformat(),
    )
    try:
        events = fetch(events_url, allowed_host=site.host, **options).json()
        hours = parse_opening_hours(
            fetch(hours_url, allowed_host=site.host, **options).data, hours_url
        )
    except FetchError as exc:
        raise _unreadable(url, str(exc)) from exc
    except ImportRejected as exc:
        more = len(exc.errors) - 1
        reason = str(exc.errors[0]) + (
            " " + _("(and %(n)d more errors)") % {"n": more} if more else ""
        )
        raise _unreadable(url, reason) from exc
    if isinstance(events, dict):
        events = events.get("events")
    if not isinstance(events, list):
        raise _unreadable(url, _("the events feed is not a list of events."))

    libraries: dict[str, SiteLibrary] = {}
    addresses: dict[str, Counter] = {}
    for item in events:
        names = item.get("branches") if isinstance(item, dict) else None
        if not isinstance(names, list):
            continue
        names = [" ".join(str(n).split())[:200] for n in names if str(n or "").strip()]
        for name in names:
            libraries.setdefault(name.lower(), SiteLibrary(name=name, in_events=True))
        address = item.get("address") if isinstance(item.get("address"), dict) else {}
        physical = str(address.get("locationType") or "physical").lower() != "online"
        place = " ".join(str(address.get("location") or "").split())
        if len(names) == 1 and physical and place.lower() in ("", names[0].lower()):
            where = (
                " ".join(str(address.get("street") or "").split())[:200],
                str(address.get("zip_code") or "").strip()[:10],
                " ".join(str(address.get("city") or "").split())[:100],
            )
            if any(where):
                addresses.setdefault(names[0].lower(), Counter())[where] += 1
    for key, counts in addresses.items():
        library = libraries[key]
        library.street, library.postcode, library.city = counts.most_common(1)[0][0]

    isil_of: dict[str, str] = {}
    for instance in hours:
        if instance.branch_key:
            isil_of.setdefault(instance.branch_key, instance.isil)
    unnamed = []
    for key in sorted(isil_of, key=lambda k: (len(k), k)):
        try:
            page = fetch(
                site.endpoint(f"/node/{key}"),
                allowed_host=site.host,
                accept="text/html",
                **{"retries": 1, **options},
            )
        except FetchError:
            unnamed.append(key)
            continue
        name = page_title(page.data)
        if not name:
            unnamed.append(key)
            continue
        library = libraries.setdefault(name.lower(), SiteLibrary(name=name))
        library.ids.append(key)
        library.isil = library.isil or isil_of[key][:20]
    return SiteReading(url=url, libraries=list(libraries.values()), unnamed=unnamed)
