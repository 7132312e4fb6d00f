"""Opening hours from the library website (dpl-cms): ``GET /api/v1/opening_hours``.

The instances become the day-level calendar (``CalendarHours``) for the dates the answer covers
(``CalendarCoverage``): there a date without hours is a closed day and the weekly pattern does
not apply. Category titles mean staffed, self-service or not open to visitors through the
editable ``OpeningCategory`` table; a title nobody has mapped yet is listed and its hours do not
count. Libraries are found by ISIL (``branch_isil_id``) or through ``WebsiteBranch`` ids.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import audit
from bibliotal.core.formatting import date_text
from bibliotal.core.imports import (
    DateOutOfRange,
    ImportRejected,
    RowError,
    limit_errors,
    plausible_date,
)
from bibliotal.core.integrations import recording, unexpected_failure
from bibliotal.core.models import (
    CalendarCoverage,
    CalendarHours,
    Integration,
    OpeningCategory,
    Website,
    WebsiteBranch,
)

logger = logging.getLogger(__name__)
CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(?::00)?$")


def website_of(organisation) -> Website | None:
    return Website.objects.filter(organisation=organisation).first()


def ensure_opening_categories(organisation) -> dict[str, str]:
    """The organisation's category table, with dpl-cms's usual titles filled in once."""
    for title, kind in OpeningCategory.DEFAULTS.items():
        OpeningCategory.objects.get_or_create(
            organisation=organisation, title=title, defaults={"kind": kind}
        )
    return {
        c.title.lower(): c.kind for c in OpeningCategory.objects.filter(organisation=organisation)
    }


def _clock(raw) -> time | None:
    match = CLOCK.match(str(raw or "").strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24:
        return time(0, 0) if minute == 0 else None  # 24:00 is midnight at the day's end
    return time(hour, minute)


@dataclass
class HoursResult:
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    days: int = 0
    libraries: list[str] = field(default_factory=list)
    unmapped_branches: list[str] = field(default_factory=list)
    run: object | None = field(default=None, repr=False)  # the IntegrationRun of a sync
    unmapped_categories: list[str] = field(default_factory=list)
    without_hours: list[str] = field(default_factory=list)
    note: str = ""  # why an answer with hours changed no library's calendar

    def summary(self) -> str:
        text = _(
            "Opening hours for %(libraries)s, %(days)d days: %(added)d new, %(removed)d "
            "removed, %(unchanged)d unchanged."
        ) % {
            "libraries": ", ".join(self.libraries) or _("no library"),
            "days": self.days,
            "added": self.added,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }
        if self.unmapped_branches:
            text += " " + _(
                "Libraries on the website without a library in Bibliotal: %(list)s."
            ) % {"list": ", ".join(self.unmapped_branches)}
        if self.without_hours:
            text += " " + _(
                "The website has no opening hours for %(list)s: their calendar is kept as it was."
            ) % {"list": ", ".join(self.without_hours)}
        if self.unmapped_categories:
            text += " " + _("Opening-hours categories not mapped yet: %(list)s.") % {
                "list": ", ".join(self.unmapped_categories)
            }
        if self.note:
            text += " " + self.note
        return text


@dataclass(frozen=True)
class Instance:
    branch_key: str
    isil: str
    day: date
    opens: time
    closes: time
    category: str
    source_id: str
    published: date  # the date the website gives: ``day`` too, but for hours past midnight


def parse_opening_hours(data: bytes, filename: str) -> list[Instance]:
    from bibliotal.events.dplcms import ItemLines, load_json

    text, payload = load_json(data, filename)
    if not isinstance(payload, list):
        raise ImportRejected(
            [
                RowError(
                    filename, 1, "–", text[:20], _("An opening-hours answer is a list of hours.")
                )
            ]
        )
    found, errors = [], []
    lines = ItemLines(text)
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            value, message = str(item)[:40], _("Not an object.")
            errors.append(RowError(filename, lines.line(number), f"[{number}]", value, message))
            continue
        source_id = str(item.get("id") if item.get("id") is not None else "")

        def error(column: str, value, message: str, number=number, source_id=source_id) -> None:
            own_id = re.compile(rf'"id"\s*:\s*"?{re.escape(source_id)}"?\s*[,}}\n]')
            line = lines.line(number, own_id if source_id else "")
            errors.append(RowError(filename, line, column, str(value)[:40], message))

        try:
            day = plausible_date(date.fromisoformat(str(item.get("date") or "")))
        except DateOutOfRange as exc:
            error("date", item.get("date"), exc.rule)
            continue
        except ValueError:
            error("date", item.get("date"), _("Not a date (YYYY-MM-DD)."))
            continue
        opens, closes = _clock(item.get("start_time")), _clock(item.get("end_time"))
        if opens is None:
            error("start_time", item.get("start_time"), _("Not a time (HH:MM)."))
            continue
        if closes is None:
            error("end_time", item.get("end_time"), _("Not a time (HH:MM)."))
            continue
        if closes == opens and closes != time(0, 0):  # 00:00–00:00 is the whole day
            error("end_time", item.get("end_time"), _("The hours must end after they start."))
            continue
        category = item.get("category") if isinstance(item.get("category"), dict) else {}
        title = str(category.get("title") or "").strip()
        if not title:
            error("category.title", "", _("Every instance needs its category's title."))
            continue
        branch_key = str(item.get("branch_id") if item.get("branch_id") is not None else "")
        isil = str(item.get("branch_isil_id") or "").strip()
        if not branch_key and not isil:
            error("branch_id", "", _("Every instance needs its branch_id or branch_isil_id."))
            continue
        pieces = [(day, opens, closes)]
        if closes != time(0, 0) and closes < opens:
            # Open past midnight (18:00–02:00): the hours of each day go to that day.
            pieces = [(day, opens, time(0, 0)), (day + timedelta(days=1), time(0, 0), closes)]
        found += [
            Instance(branch_key, isil, on, begins, ends, title[:100], source_id[:40], day)
            for on, begins, ends in pieces
        ]
    if errors:
        raise ImportRejected(limit_errors(errors, filename))
    return found


def import_opening_hours(
    *,
    organisation,
    data: bytes,
    filename: str,
    from_date: date | None = None,
    to_date: date | None = None,
    branch_ids=(),
) -> HoursResult:
    """Make the instances the calendar of ``from_date``…``to_date`` (default: the answer's first
    and last date) for every library they name. A library among ``branch_ids`` (those mapped)
    that the answer has no hours for at all keeps its calendar as it was and is named in the
    summary: an empty or partial answer never closes a library. Running it again with the same
    answer changes nothing."""
    from bibliotal.events.dplcms import Branches

    instances = parse_opening_hours(data, filename)
    days = [i.day for i in instances]
    start = from_date or (min(days) if days else None)
    end = to_date or (max(days) if days else None)
    result = HoursResult()
    if start is None or end is None:
        result.note = _("The answer holds no opening hours.")
        return result
    if end < start:
        raise ImportRejected(
            [RowError(filename, 1, "to_date", str(end), _("The last day comes before the first."))]
        )
    kinds = ensure_opening_categories(organisation)
    branches = Branches(organisation, kind=WebsiteBranch.Kind.ID)
    wanted: dict[int, tuple] = {}
    asked = {}
    for key in branch_ids:
        branch, _ignored = branches.resolve(str(key))
        if branch is not None:
            asked[branch.pk] = branch
    unmapped_titles: dict[str, None] = {}
    learned: dict[str, object] = {}
    for instance in instances:
        if not start <= instance.published <= end:
            continue
        key = instance.branch_key or instance.isil
        branch, _ignored = branches.resolve(key, isil=instance.isil)
        if branch is None:
            continue
        if instance.branch_key and instance.branch_key.lower() not in branches.mappings:
            learned.setdefault(instance.branch_key, branch)  # found by ISIL: remember the id
        wanted.setdefault(branch.pk, (branch, []))[1].append(instance)
        if not kinds.get(instance.category.lower()):
            unmapped_titles.setdefault(instance.category)
    ends = []
    with transaction.atomic():
        for branch, items in wanted.values():
            # The answer speaks for a library up to the last day it has hours for it: a website
            # publishes hours some weeks ahead, and the weeks after are not closed days (the
            # weekly pattern applies there, and the year's forecast counts them).
            last = max(i.published for i in items)
            items = [i for i in items if i.day <= last]  # not the hours after its last night
            ends.append(last)
            before = {
                (h.date, h.opens, h.closes, h.category, h.source_id)
                for h in CalendarHours.objects.filter(
                    branch=branch, date__gte=start, date__lte=last
                )
            }
            after = {(i.day, i.opens, i.closes, i.category, i.source_id) for i in items}
            result.added += len(after - before)
            result.removed += len(before - after)
            result.unchanged += len(after & before)
            if before != after:
                # One entry a library, not a row an hour: who or what changed its calendar.
                audit.record(
                    action="update",
                    instance=branch,
                    changes={
                        "calendar_hours": {
                            "added": _hours_list(after - before),
                            "removed": _hours_list(before - after),
                        }
                    },
                    note=_("Opening hours from the library website, %(start)s–%(end)s")
                    % {"start": start.isoformat(), "end": last.isoformat()},
                )
                CalendarHours.objects.filter(
                    branch=branch, date__gte=start, date__lte=last
                ).delete()
                CalendarHours.objects.bulk_create(
                    CalendarHours(
                        branch=branch,
                        date=day,
                        opens=opens,
                        closes=closes,
                        category=category,
                        source_id=source_id,
                    )
                    for day, opens, closes, category, source_id in sorted(after)
                )
            _cover(branch, start, last, filename)
            result.libraries.append(branch.name)
        for key, branch in learned.items():
            WebsiteBranch.objects.get_or_create(
                organisation=organisation,
                kind=WebsiteBranch.Kind.ID,
                value=key[:200],
                defaults={"branch": branch},
            )
        for title in unmapped_titles:
            OpeningCategory.objects.get_or_create(organisation=organisation, title=title)
        result.unmapped_branches = branches.remember_unmapped()
    result.unmapped_categories = list(unmapped_titles) + [
        c.title
        for c in OpeningCategory.objects.filter(organisation=organisation, kind="")
        if c.title not in unmapped_titles and any(i.category == c.title for i in instances)
    ]
    result.without_hours = sorted(b.name for pk, b in asked.items() if pk not in wanted)
    if instances and not wanted:
        result.note = _(
            "None of the answer's opening hours is for a library of yours within "
            "%(start)s – %(end)s, so no calendar changed."
        ) % {
            "start": date_text(start, "SHORT_DATE_FORMAT"),
            "end": date_text(end, "SHORT_DATE_FORMAT"),
        }
    result.days = ((max(ends) if ends else end) - start).days + 1
    result.libraries.sort()
    return result


def _hours_text(hours: tuple) -> str:
    day, opens, closes, category, _source_id = hours
    return f"{day.isoformat()} {opens:%H:%M}–{closes:%H:%M} {category}"


def _hours_list(hours: set, limit: int = 100) -> list[str]:
    listed = [_hours_text(h) for h in sorted(hours)[:limit]]
    if len(hours) > limit:
        listed.append(_("… and %(n)d more") % {"n": len(hours) - limit})
    return listed


def _cover(branch, start: date, end: date, source: str) -> None:
    """Extend the branch's covered dates by ``start``…``end``, merging touching ranges."""
    touching = CalendarCoverage.objects.filter(
        branch=branch,
        start_date__lte=end + timedelta(days=1),
        end_date__gte=start - timedelta(days=1),
    )
    spans = list(touching)
    if len(spans) == 1 and spans[0].start_date <= start and end <= spans[0].end_date:
        return  # already covered: nothing to write
    first = min([start, *(s.start_date for s in spans)])
    last = max([end, *(s.end_date for s in spans)])
    touching.delete()
    CalendarCoverage.objects.create(
        branch=branch, start_date=first, end_date=last, source=source[:500]
    )


def sync_opening_hours(*, website, trigger: str = "command", fetch_options=None) -> HoursResult:
    """Fetch today … ``hours_days_ahead`` for all the website's libraries and make it the
    calendar of every library it names or an administrator mapped. A failure writes nothing."""
    from bibliotal.core.http import fetch

    organisation = website.organisation
    start = timezone.localdate()
    end = start + timedelta(days=website.hours_days_ahead)
    ids = WebsiteBranch.objects.filter(
        organisation=organisation, kind=WebsiteBranch.Kind.ID, branch__isnull=False
    ).values_list("value", flat=True)
    url = website.endpoint(
        "/api/v1/opening_hours", from_date=start.isoformat(), to_date=end.isoformat()
    )
    with recording(organisation, Integration.WEBSITE_HOURS, source=url, trigger=trigger) as run:
        answer = fetch(url, allowed_host=website.host, **(fetch_options or {}))
        result = import_opening_hours(
            organisation=organisation,
            data=answer.data,
            filename=url,
            from_date=start,
            to_date=end,
            branch_ids=list(ids),
        )
        run.summary = result.summary()
        run.changes = {
            "added": result.added,
            "removed": result.removed,
            "unchanged": result.unchanged,
        }
        run.unmapped = [
            *(_("library: %(name)s") % {"name": n} for n in result.unmapped_branches),
            *(_("category: %(name)s") % {"name": n} for n in result.unmapped_categories),
        ]
    result.run = run
    return result


@dataclass(frozen=True)
class SyncOutcome:
    ok: bool
    message: str  # the run's summary, or what failed, for a person


def sync_website(
    *, website, trigger: str, events: bool = True, hours: bool = True
) -> list[SyncOutcome]:
    """The website's events, then its opening hours, for the page's "Sync now", the command and
    the nightly task alike. One failing never stops the other; each run is recorded, with its
    error, and an error no check foresaw goes to the log with its traceback."""
    from bibliotal.core.http import FetchError
    from bibliotal.events.dplcms import sync_events

    outcomes = []
    for wanted, sync in ((events, sync_events), (hours, sync_opening_hours)):
        if not wanted:
            continue
        try:
            result = sync(website=website, trigger=trigger)
        except (FetchError, ImportRejected) as exc:
            logger.warning("%s: %s", website.url, exc)
            outcomes.append(SyncOutcome(False, str(exc)))
        except Exception as exc:
            logger.exception("%s: the sync failed", website.url)
            outcomes.append(SyncOutcome(False, f"{unexpected_failure()} ({type(exc).__name__})"))
        else:
            outcomes.append(SyncOutcome(True, result.run.summary))
    return outcomes
