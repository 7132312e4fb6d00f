"""Reading an iCalendar feed that an administrator configured: only its host is contacted."""

from __future__ import annotations

import urllib.error
import urllib.request

from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.events.models import EventFeed
from bibliotal.events.services import import_events_ical

TIMEOUT_SECONDS = 20
MAX_BYTES = 10 * 1024 * 1024


class FeedError(Exception):
    pass


def fetch_feed(*, organisation, name: str, dry_run: bool = False):
    feed = EventFeed.objects.filter(organisation=organisation, name=name, active=True).first()
    if feed is None:
        raise FeedError(_("No active event feed is called %(name)s.") % {"name": name})
    if not feed.url.lower().startswith(("https://", "http://")):
        raise FeedError(_("The feed's address must start with https://."))
    request = urllib.request.Request(feed.url, headers={"User-Agent": "Bibliotal"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        feed.last_error = str(getattr(exc, "reason", exc))[:1000]
        feed.save(update_fields=["last_error"])
        raise FeedError(
            _("%(name)s could not be read: %(error)s") % {"name": name, "error": feed.last_error}
        ) from exc
    if len(data) > MAX_BYTES:
        raise FeedError(_("%(name)s is larger than 10 MB.") % {"name": name})
    result = import_events_ical(
        organisation=organisation,
        data=data,
        filename=feed.name,
        default_branch=feed.default_branch,
        dry_run=dry_run,
    )
    if not dry_run:
        feed.last_fetched_at = timezone.now()
        feed.last_error = ""
        feed.save(update_fields=["last_fetched_at", "last_error"])
    return result
