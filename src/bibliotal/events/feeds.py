"""Reading an iCalendar feed that an administrator configured: only its host is contacted."""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.events.models import EventFeed
from bibliotal.events.services import import_events_ical

TIMEOUT_SECONDS = 20
MAX_BYTES = 10 * 1024 * 1024


class FeedError(Exception):
    pass


# Tests serve feeds from 127.0.0.1; production never reads a private or local address.
ALLOW_PRIVATE_HOSTS = False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a feed that moves must be configured anew: no other host is contacted


def _check_host(url: str) -> None:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" and not ALLOW_PRIVATE_HOSTS:
        raise FeedError(_("The feed's address must start with https://."))
    if ALLOW_PRIVATE_HOSTS:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443)}
    except OSError as exc:
        raise FeedError(_("The feed's host cannot be found.")) from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise FeedError(_("The feed's address points into a private network."))


def fetch_feed(*, organisation, name: str, dry_run: bool = False):
    feed = EventFeed.objects.filter(organisation=organisation, name=name, active=True).first()
    if feed is None:
        raise FeedError(_("No active event feed is called %(name)s.") % {"name": name})
    _check_host(feed.url)
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(feed.url, headers={"User-Agent": "Bibliotal"})
    deadline = time.monotonic() + TIMEOUT_SECONDS
    chunks, size = [], 0
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError("the feed took too long")
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FeedError(_("%(name)s is larger than 10 MB.") % {"name": name})
                chunks.append(chunk)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        feed.last_error = _("the feed could not be read")
        feed.save(update_fields=["last_error"])
        raise FeedError(
            _("%(name)s could not be read: %(error)s") % {"name": name, "error": feed.last_error}
        ) from exc
    data = b"".join(chunks)
    result = import_events_ical(
        organisation=organisation,
        data=data,
        filename=feed.name,
        default_branch=feed.default_branch,
        dry_run=dry_run,
        source_name=f"feed:{feed.name}",
    )
    if not dry_run:
        feed.last_fetched_at = timezone.now()
        feed.last_error = ""
        feed.save(update_fields=["last_fetched_at", "last_error"])
    return result
