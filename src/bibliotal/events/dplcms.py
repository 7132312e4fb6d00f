"""Events from the library website (dpl-cms): ``GET /api/v1/events``, from a saved file or the
configured site.

Each occurrence is keyed by its ``uuid`` and belongs to the series of its ``series.uuid``; the
website's ``state`` Cancelled becomes cancelled and Occurred held; ``branches`` and
``categories`` go through the organisation's mapping tables, and what is not mapped is listed
for an administrator, never dropped; ``address.locationType`` online makes an online event;
``ticket_capacity`` is the capacity. Attendance is Bibliotal's alone and never touched. An
occurrence that disappears from the website is marked, not deleted (see ``services._apply``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.core import imports
from bibliotal.core.imports import (
    DateOutOfRange,
    ImportRejected,
    RowError,
    fingerprint,
    limit_errors,
    plausible_date,
)
from bibliotal.core.integrations import recording
from bibliotal.core.models import Branch, ImportBatch, Integration, WebsiteBranch
from bibliotal.core.places import BranchMatcher
from bibliotal.events.models import EventOccurrence
from bibliotal.events.services import (
    MAX_CAPACITY,
    MAX_UID,
    EventImportResult,
    PlannedOccurrence,
    _apply,
    _audience,
    _Types,
    uid_too_long,
)

SOURCE_NAME = "dplcms"
STATES = {
    "cancelled": EventOccurrence.Status.CANCELLED,
    "occurred": EventOccurrence.Status.HELD,
    "ticketsalenotopen": EventOccurrence.Status.PLANNED,
    "active": EventOccurrence.Status.PLANNED,
    "soldout": EventOccurrence.Status.PLANNED,
}
OPEN_END = date(9999, 12, 31)
WHOLE = re.compile(r"[0-9]{1,12}")
LISTS = ("branches", "categories", "tags", "partners")


class Branches:
    """The website's library names → Bibliotal's libraries, through ``WebsiteBranch`` first; a
    name the library goes by (its name, ISIL code, another name or its address, see
    ``core.places``) needs no mapping."""

    def __init__(self, organisation, kind: str = WebsiteBranch.Kind.NAME):
        self.organisation = organisation
        self.kind = kind
        branches = list(Branch.objects.filter(organisation=organisation))
        self.places = BranchMatcher(organisation, branches=branches)
        self.by_isil = {b.isil.lower(): b for b in branches if b.isil}
        self.mappings = {
            m.value.lower(): m
            for m in WebsiteBranch.objects.filter(
                organisation=organisation, kind=kind
            ).select_related("branch")
        }
        self.unmapped: dict[str, None] = {}

    def resolve(self, value: str, *, isil: str = "") -> tuple[Branch | None, bool]:
        """(library, ignored): the library for ``value``, or whether it is not one of ours."""
        lowered = value.strip().lower()
        mapping = self.mappings.get(lowered)
        if mapping is not None and mapping.branch_id:
            return mapping.branch, False
        if mapping is not None and mapping.ignored:
            return None, True
        found = self.by_isil.get(isil.strip().lower()) if isil else None
        if found is None and self.kind == WebsiteBranch.Kind.NAME:
            found = self.places.match(value)
        if found is None and lowered:
            self.unmapped.setdefault(value.strip())
        return found, False

    def remember_unmapped(self) -> list[str]:
        for value in self.unmapped:
            WebsiteBranch.objects.get_or_create(
                organisation=self.organisation, kind=self.kind, value=value[:200]
            )
        return list(self.unmapped)


class ItemLines:
    """The line of an element of a JSON answer's top-level list (or of its "events" list), for
    error messages. Worked out on the first error only, in one pass with JSON's own scanner, so
    a large answer without errors is read once."""

    def __init__(self, text: str):
        self.text = text
        self._starts: list[int] | None = None

    def line(self, number: int, needle: str | re.Pattern = "") -> int:
        """The line of the ``number``th element (from 1), or of ``needle`` within it."""
        if self._starts is None:
            self._starts = self._scan()
        if number > len(self._starts):
            return 1
        start = self._starts[number - 1]
        if isinstance(needle, str):
            found = self.text.find(needle, start) if needle else -1
        else:
            match = needle.search(self.text, start)
            found = match.start() if match else -1
        return self.text.count("\n", 0, found if found >= 0 else start) + 1

    def _scan(self) -> list[int]:
        text, decoder = self.text, json.JSONDecoder()
        start = text.find("[")
        if text.lstrip().startswith("{"):
            key = re.search(r'"events"\s*:\s*\[', text)
            start = key.end() - 1 if key else -1
        starts: list[int] = []
        if start < 0:
            return starts
        position = start + 1
        while True:
            while position < len(text) and text[position] in " \t\r\n,":
                position += 1
            if position >= len(text) or text[position] == "]":
                return starts
            starts.append(position)
            try:
                _value, position = decoder.raw_decode(text, position)
            except json.JSONDecodeError:
                return starts


def _text_list(item: dict, key: str, error) -> list[str] | None:
    """A list of names (``branches``, ``categories``, ``tags``, ``partners``); None after an
    error. A single string is refused: read letter by letter it would make a name of each."""
    raw = item.get(key)
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str | int) for v in raw):
        error(key, raw, _('Must be a list of names, such as ["Hovedbiblioteket"].'))
        return None
    return [str(v).strip() for v in raw if str(v).strip()]


def _moment(raw) -> datetime:
    if not isinstance(raw, str):
        raise ValueError
    value = plausible_date(datetime.fromisoformat(raw.strip()))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def load_json(data: bytes, filename: str):
    """(text, document) of a JSON answer, read by the guarded reader every import uses: a
    syntax error, a document nested too deep or one in the wrong encoding is an
    ImportRejected naming the line and column."""
    document = imports.load_json(data, filename=filename)
    text, _encoding = imports.decode(data)
    return text, document


@dataclass
class Parsed:
    planned: list[PlannedOccurrence]
    types: _Types
    branches: Branches
    first_day: date | None
    last_day: date | None
    ignored: int = 0  # events held only at libraries marked "not ours"


def parse_events(*, organisation, data: bytes, filename: str) -> Parsed:
    """Validate a dpl-cms events answer; every error names the event's line and field."""
    text, payload = load_json(data, filename)
    if isinstance(payload, dict) and isinstance(payload.get("events"), list):
        payload = payload["events"]
    if not isinstance(payload, list):
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "–",
                    text[:20],
                    _("A dpl-cms events answer is a list of events."),
                )
            ]
        )
    types = _Types(organisation)
    branches = Branches(organisation)
    planned: list[PlannedOccurrence] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    first_day = last_day = None
    ignored_events = 0
    lines = ItemLines(text)

    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            errors.append(
                RowError(
                    filename,
                    lines.line(number),
                    f"[{number}]",
                    str(item)[:40],
                    _("An event is an object."),
                )
            )
            continue
        uuid = str(item.get("uuid") or "").strip()

        def error(field: str, value, message: str, number=number, uuid=uuid) -> None:
            line = lines.line(number, f'"{uuid}"' if uuid else "")
            shown = "" if value is None else str(value)[:80]
            errors.append(RowError(filename, line, field, shown, message))

        if not uuid:
            error("uuid", "", _("Event %(number)d in the list has no uuid.") % {"number": number})
            continue
        if len(uuid) > MAX_UID:
            error("uuid", uuid, uid_too_long())
            continue
        if uuid in seen:
            error("uuid", uuid, _("The same uuid appears twice."))
            continue
        seen[uuid] = number
        title = strip_tags(str(item.get("title") or "")).strip()
        if not title:
            error("title", "", _("Every event needs a title."))
        moments = item.get("date_time") if isinstance(item.get("date_time"), dict) else {}
        try:
            starts_at = _moment(moments.get("start"))
        except DateOutOfRange as exc:
            error("date_time.start", moments.get("start"), exc.rule)
            continue
        except (ValueError, TypeError):
            error("date_time.start", moments.get("start"), _("Not an ISO 8601 date and time."))
            continue
        ends_at = None
        if moments.get("end"):
            try:
                ends_at = _moment(moments.get("end"))
            except DateOutOfRange as exc:
                error("date_time.end", moments.get("end"), exc.rule)
                continue
            except (ValueError, TypeError):
                error("date_time.end", moments.get("end"), _("Not an ISO 8601 date and time."))
                continue
            if ends_at < starts_at:
                error("date_time.end", moments.get("end"), _("The end comes before the start."))
                continue
        state = str(item.get("state") or "").strip()
        if state.lower() not in STATES:
            error(
                "state",
                state,
                _("Unknown state; expected one of %(states)s.")
                % {"states": "TicketSaleNotOpen, Active, SoldOut, Cancelled, Occurred"},
            )
            continue
        raw = item.get("ticket_capacity")
        capacity = None if raw in ("", None) else str(raw).strip()
        if capacity is not None:
            if isinstance(raw, bool) or not WHOLE.fullmatch(capacity):
                error("ticket_capacity", raw, _("The capacity must be a whole number, 0 or more."))
                continue
            capacity = int(capacity)
            if capacity > MAX_CAPACITY:
                error(
                    "ticket_capacity",
                    raw,
                    _("The capacity must be at most %(max)s.")
                    % {"max": number_format(MAX_CAPACITY, force_grouping=True)},
                )
                continue
        lists = {key: _text_list(item, key, error) for key in LISTS}
        if any(value is None for value in lists.values()):
            continue
        names = lists["branches"]
        branch = None
        others, ignored, found_ids = [], 0, []
        for name in names:
            found, not_ours = branches.resolve(name)
            ignored += not_ours
            if found is not None:
                found_ids.append(found.pk)
            if found is not None and branch is None:
                branch = found
            elif found is None and not not_ours:
                others.append(name)
        if names and ignored == len(names):
            ignored_events += 1
            continue  # held only at libraries marked "not ours": not our event
        address = item.get("address") if isinstance(item.get("address"), dict) else {}
        online = str(address.get("locationType") or "").lower() == "online"
        place = ""
        if branch is None:
            town = " ".join(
                str(address.get(k) or "").strip() for k in ("zip_code", "city") if address.get(k)
            )
            parts = [str(address.get(k) or "").strip() for k in ("location", "street")] + [town]
            place = ", ".join(p for p in parts if p) or ", ".join(others)
            if not online:
                # An address a library goes by ("Hovedbiblioteket, Østergade 8") is that library.
                branch = branches.places.match(", ".join(p for p in parts if p))
            if not place:
                place = _("Online") if online else _("Not stated on the website")
        categories, tags = lists["categories"], lists["tags"]
        event_type, outside = types.resolve(categories)
        partners = ", ".join(lists["partners"])
        series = item.get("series") if isinstance(item.get("series"), dict) else {}
        series_uuid = str(series.get("uuid") or "").strip()
        if len(series_uuid) > MAX_UID:
            error("series.uuid", series_uuid, uid_too_long())
            continue
        day = timezone.localtime(starts_at).date()
        first_day = day if first_day is None else min(first_day, day)
        last_day = day if last_day is None else max(last_day, day)
        planned.append(
            PlannedOccurrence(
                key=(uuid, ""),
                categories=categories,
                series_uid=f"dplcms-series:{series_uuid}" if series_uuid else "",
                branch_ids=tuple(found_ids) if len(found_ids) > 1 else (),
                values={
                    "title": title[:300],
                    "description": strip_tags(str(item.get("description") or "")).strip(),
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "all_day": bool(item.get("all_day")),
                    "branch": branch,
                    "place": place[:200],
                    "event_type": event_type,
                    "audience": _audience(categories + tags),
                    "organiser": EventOccurrence.Organiser.OUTSIDE_HIRER
                    if outside
                    else EventOccurrence.Organiser.LIBRARY,
                    "status": STATES[state.lower()],
                    "capacity": capacity,
                    "mode": EventOccurrence.Mode.ONLINE if online else EventOccurrence.Mode.ON_SITE,
                    "partners": partners[:300],
                },
            )
        )
    if errors:
        raise ImportRejected(limit_errors(errors, filename))
    return Parsed(planned, types, branches, first_day, last_day, ignored_events)


def import_events_dplcms(
    *,
    organisation,
    data: bytes,
    filename: str,
    user=None,
    from_date: date | None = None,
    to_date: date | None = None,
    dry_run: bool = False,
) -> EventImportResult:
    """Import a ``/api/v1/events`` answer. What the website had before from ``from_date`` (or
    the answer's first day) to ``to_date`` (open for a sync, whose answer runs to the website's
    last event; a saved file's last day otherwise) and no longer has is marked as gone."""
    parsed = parse_events(organisation=organisation, data=data, filename=filename)
    start = from_date or parsed.first_day or timezone.localdate()
    end = to_date or parsed.last_day or start
    # The mapping tables belong to what is imported: an answer read again after an
    # administrator mapped a library or a category is applied again.
    mappings = _mappings(organisation, parsed.branches.places)
    digest = fingerprint(data + f"|dplcms|{start}|{end}|{mappings}".encode())
    if ImportBatch.objects.filter(organisation=organisation, kind="events", sha256=digest).exists():
        result = EventImportResult(already_imported=True)
        result.unmapped_branches = list(parsed.branches.unmapped)
        result.unmapped_categories = list(parsed.types.unmapped)
        return result
    with transaction.atomic():
        result = _apply(
            organisation=organisation,
            planned=parsed.planned,
            types=parsed.types,
            digest=digest,
            filename=filename,
            user=user,
            dry_run=dry_run,
            source=EventOccurrence.Source.DPLCMS,
            # An answer without events (a website that answers [] by mistake, a file of
            # another library's events) says nothing about what is gone: nothing is marked.
            window=(start, end) if parsed.planned else None,
            source_name=SOURCE_NAME,
        )
        result.empty = not parsed.planned
        if parsed.ignored and not parsed.planned:
            result.empty = False  # the answer has events: none of them is ours
            result.note = ngettext(
                "The file's %(count)d event is at a library marked as not one of yours, so "
                "nothing was imported.",
                "All %(count)d events of the file are at libraries marked as not yours, so "
                "nothing was imported.",
                parsed.ignored,
            ) % {"count": parsed.ignored}
        result.unmapped_branches = (
            list(parsed.branches.unmapped) if dry_run else parsed.branches.remember_unmapped()
        )
    return result


def _mappings(organisation, places: BranchMatcher) -> str:
    """The organisation's library and category mappings, as text for the import's digest."""
    from bibliotal.events.models import CategoryMapping

    # Only what an administrator decided: the rows an import adds for names nobody has
    # mapped yet do not make the same answer new.
    branches = (
        WebsiteBranch.objects.filter(organisation=organisation, kind=WebsiteBranch.Kind.NAME)
        .filter(Q(branch__isnull=False) | Q(ignored=True))
        .order_by("kind", "value")
    )
    categories = (
        CategoryMapping.objects.filter(organisation=organisation)
        .filter(Q(event_type__isnull=False) | Q(outside_hirer=True))
        .order_by("category")
    )
    return repr(
        (
            list(branches.values_list("kind", "value", "branch_id", "ignored")),
            list(categories.values_list("category", "event_type_id", "outside_hirer")),
            # The names and addresses the libraries go by: a new alias places events anew.
            places.fingerprint(),
        )
    )


def sync_events(*, website, trigger: str = "command", fetch_options=None) -> EventImportResult:
    """Fetch the configured website's events from ``events_days_back`` days ago and import them.
    A failure (network, malformed answer) writes nothing and is recorded."""
    from bibliotal.core.http import fetch

    organisation = website.organisation
    from_date = timezone.localdate() - timedelta(days=website.events_days_back)
    url = website.endpoint("/api/v1/events", from_date=from_date.isoformat())
    with recording(organisation, Integration.WEBSITE_EVENTS, source=url, trigger=trigger) as run:
        answer = fetch(url, allowed_host=website.host, **(fetch_options or {}))
        result = import_events_dplcms(
            organisation=organisation,
            data=answer.data,
            filename=url,
            # The website may read from_date in another time zone and leave out that day's
            # early events: only from the day after does an absent event count as gone.
            from_date=from_date + timedelta(days=1),
            to_date=OPEN_END,
        )
        run.summary = (
            _("Nothing has changed on the website since the last sync.")
            if result.already_imported
            else result.summary()
        )
        run.changes = {
            key: getattr(result, key)
            for key in ("created", "updated", "unchanged", "cancelled", "missing", "conflicts")
        }
        run.unmapped = [
            *(_("library: %(name)s") % {"name": n} for n in result.unmapped_branches),
            *(_("category: %(name)s") % {"name": n} for n in result.unmapped_categories),
        ]
    result.run = run
    return result
