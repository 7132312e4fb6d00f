"""Events in from iCalendar and CSV (validate first, one transaction, idempotent) and attendance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import icalendar
import recurring_ical_events
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.core.formatting import date_text
from bibliotal.core.imports import (
    DateOutOfRange,
    ImportRejected,
    OutOfRange,
    RowError,
    bounded,
    decode,
    find_column,
    fingerprint,
    missing_columns,
    nul_rejected,
    parse_date,
    parse_number,
    plausible_date,
    read_table,
)
from bibliotal.core.models import Branch, ImportBatch
from bibliotal.core.places import BranchMatcher
from bibliotal.events.models import (
    DEFAULT_EVENT_TYPES,
    Audience,
    CategoryMapping,
    EventOccurrence,
    EventSeries,
    EventType,
)
from bibliotal.events.series import known_series, same_series, title_key

AUDIENCE_WORDS = [
    ("familie", Audience.FAMILIES),
    ("børn", Audience.CHILDREN),
    ("boern", Audience.CHILDREN),
    ("unge", Audience.YOUNG),
    ("teen", Audience.YOUNG),
    ("voksne", Audience.ADULTS),
]
WINDOW_BACK = timedelta(days=400)
MAX_OCCURRENCES = 5000  # a calendar that expands to more has a broken rule (FREQ=MINUTELY)
WINDOW_AHEAD = timedelta(days=400)
# The places of one event, from any source: well within every database's integer (the same
# ceiling on SQLite and PostgreSQL), above any library hall or town festival.
MAX_CAPACITY = 1_000_000
MAX_UID = 250  # EventOccurrence.external_uid holds 300, with room for a source's prefix
MAX_CATEGORY = 200  # CategoryMapping.category
# What an iCalendar library raises for a value it cannot read (a date of month 13, a period
# where a date belongs, a broken parameter): each becomes an ImportRejected naming the event.
ICAL_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


def ensure_event_types(*, organisation) -> list[EventType]:
    for position, name in enumerate(DEFAULT_EVENT_TYPES):
        EventType.objects.get_or_create(
            organisation=organisation, name=name, defaults={"position": position}
        )
    return list(EventType.objects.filter(organisation=organisation, active=True))


@dataclass
class PlannedOccurrence:
    key: tuple[str, str]
    values: dict
    categories: list[str]
    series_uid: str = ""
    # Every library the source names for the event, where it names several (the event counts
    # at one): an event already at one of them stays there, whatever order the source uses.
    branch_ids: tuple[int, ...] = ()


@dataclass
class EventImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    missing: int = 0
    conflicts: int = 0
    already_imported: bool = False
    empty: bool = False  # the answer had no events, so nothing was marked as gone
    unmapped_categories: list[str] = field(default_factory=list)
    unmapped_branches: list[str] = field(default_factory=list)
    run: object | None = field(default=None, repr=False)  # the IntegrationRun of a sync
    note: str = ""  # why a file with events imported none of them

    def summary(self) -> str:
        if self.already_imported:
            return _("This file was imported before: nothing changed.")
        text = (
            _(
                "%(created)d new, %(updated)d changed, %(unchanged)d unchanged, %(cancelled)d "
                "cancelled, %(missing)d no longer in the calendar."
            )
            % self.__dict__
        )
        if self.empty:
            text += " " + _(
                "The answer holds no events, so no event is marked as gone from the calendar."
            )
        if self.conflicts:
            text += " " + _(
                "%(n)d events with attendance are cancelled in the source: check them."
            ) % {"n": self.conflicts}
        if self.unmapped_categories:
            text += " " + _("Categories without an event type: %(list)s.") % {
                "list": ", ".join(self.unmapped_categories)
            }
        if self.unmapped_branches:
            text += " " + _(
                "Libraries on the website without a library in Bibliotal: %(list)s."
            ) % {"list": ", ".join(self.unmapped_branches)}
        if self.note:
            text += " " + self.note
        return text


def outside_window(count: int, start: date, end: date) -> str:
    """The note of a calendar whose ``count`` events all fall outside the window."""
    return ngettext(
        "The file's %(count)d event falls outside the period %(start)s – %(end)s, so nothing "
        "was imported; give the period it falls in (--from and --to on the command line) to "
        "import it.",
        "All %(count)d events of the file fall outside the period %(start)s – %(end)s, so "
        "nothing was imported; give the period they fall in (--from and --to on the command "
        "line) to import them.",
        count,
    ) % {
        "count": count,
        "start": date_text(start, "SHORT_DATE_FORMAT"),
        "end": date_text(end, "SHORT_DATE_FORMAT"),
    }


def uid_too_long() -> str:
    return _("An event's id is at most %(n)d characters.") % {"n": MAX_UID}


def _audience(words: list[str]) -> str:
    joined = " ".join(words).lower()
    for word, audience in AUDIENCE_WORDS:
        if word in joined:
            return audience
    return Audience.ALL


class _Types:
    """Category → event type through the organisation's mapping table."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.by_name = {
            t.name.lower(): t for t in EventType.objects.filter(organisation=organisation)
        }
        self.mappings = {
            m.category.lower(): m
            for m in CategoryMapping.objects.filter(organisation=organisation).select_related(
                "event_type"
            )
        }
        self.unmapped: dict[str, None] = {}

    def resolve(self, categories: list[str]) -> tuple[EventType | None, bool]:
        event_type, outside = None, False
        for category in categories:
            category = category.strip()[:MAX_CATEGORY]
            lowered = category.lower()
            if not lowered or lowered in dict(AUDIENCE_WORDS):
                continue
            mapping = self.mappings.get(lowered)
            if mapping is not None and (mapping.event_type_id or mapping.outside_hirer):
                outside = outside or mapping.outside_hirer
                event_type = event_type or mapping.event_type
            elif lowered in self.by_name:
                event_type = event_type or self.by_name[lowered]
            elif mapping is not None:
                self.unmapped.setdefault(category.strip())  # listed until someone maps it
            else:
                self.unmapped.setdefault(category.strip())
        return event_type, outside

    def remember_unmapped(self) -> list[str]:
        for category in self.unmapped:
            CategoryMapping.objects.get_or_create(organisation=self.organisation, category=category)
        return list(self.unmapped)


def _as_datetime(value) -> tuple[datetime, bool]:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value, False
    return timezone.make_aware(datetime.combine(value, time(0))), True


def _recurrence_id(value) -> str:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _vevent_lines(text: str) -> dict[str, int]:
    """The line of each VEVENT's BEGIN, by UID, for messages."""
    lines: dict[str, int] = {}
    begin = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped == "BEGIN:VEVENT":
            begin = number
        elif stripped.upper().startswith("UID:") and begin is not None:
            lines.setdefault(stripped[4:].strip(), begin)
    return lines


def parse_ical(
    *,
    organisation,
    data: bytes,
    filename: str,
    default_branch: Branch | None,
    window_start: date,
    window_end: date,
) -> tuple[list[PlannedOccurrence], _Types, int]:
    """The occurrences of the calendar inside the window, the category mapping, and how many
    events (UIDs) the calendar holds, inside the window or not."""
    text, _encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        raise nul_rejected(filename, line, "–", text[text.rfind("\n", 0, at) + 1 :][:60])
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ICAL_ERRORS as exc:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "VCALENDAR",
                    text[:40],
                    _("Not an iCalendar file: %(error)s") % {"error": exc},
                )
            ]
        ) from exc
    lines = _vevent_lines(text)
    errors: list[RowError] = []
    recurring = set()
    seen_components: dict[tuple[str, str], int] = {}
    uids: set[str] = set()
    for component in calendar.walk("VEVENT"):
        uid = str(component.get("UID", "")).strip()
        uids.add(uid)
        line = lines.get(uid, 1)
        if not uid:
            errors.append(RowError(filename, line, "UID", "", _("Every event needs a UID.")))
        elif len(uid) > MAX_UID:
            errors.append(RowError(filename, line, "UID", uid[:60], uid_too_long()))
        if component.get("DTSTART") is None:
            errors.append(RowError(filename, line, "DTSTART", uid, _("The event has no start.")))
        if not str(component.get("SUMMARY", "")).strip():
            errors.append(RowError(filename, line, "SUMMARY", uid, _("The event has no title.")))
        if component.get("RRULE") or component.get("RDATE"):
            recurring.add(uid)
        occurrence = (uid, str(component.get("RECURRENCE-ID", "")))
        if occurrence in seen_components:
            errors.append(
                RowError(
                    filename,
                    line,
                    "UID",
                    uid,
                    _("Two events have this UID (the other begins on line %(line)d).")
                    % {"line": seen_components[occurrence]},
                )
            )
        seen_components.setdefault(occurrence, line)
    if errors:
        raise ImportRejected(errors)
    places = BranchMatcher(organisation)  # name, ISIL, other names, address
    types = _Types(organisation)
    planned: list[PlannedOccurrence] = []
    try:
        # between() leaves out its last day; the window's last day is in.
        expanded = list(
            recurring_ical_events.of(calendar).between(window_start, window_end + timedelta(days=1))
        )
    except Exception as exc:  # the library raises various errors on broken rules
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "RRULE",
                    "",
                    _("The repetition rules cannot be read: %(error)s") % {"error": exc},
                )
            ]
        ) from exc
    if len(expanded) > MAX_OCCURRENCES:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "RRULE",
                    str(len(expanded)),
                    _(
                        "The calendar expands to more than %(n)d events in the window: check its "
                        "repetition rules."
                    )
                    % {"n": MAX_OCCURRENCES},
                )
            ]
        )
    for component in expanded:
        uid = str(component.get("UID")).strip()
        line = lines.get(uid, 1)
        try:
            start, all_day, end, recurrence, categories = _when_and_what(
                component, uid in recurring
            )
        except DateOutOfRange as exc:
            raise ImportRejected(
                [RowError(filename, line, "DTSTART", str(exc.value), exc.rule)]
            ) from exc
        except ICAL_ERRORS as exc:
            raise ImportRejected(
                [
                    RowError(
                        filename,
                        line,
                        "VEVENT",
                        uid,
                        _("The event's dates or categories cannot be read: %(error)s")
                        % {"error": f"{type(exc).__name__}: {exc}"[:120]},
                    )
                ]
            ) from exc
        event_type, outside = types.resolve(categories)
        location = str(component.get("LOCATION", "")).strip()
        branch = places.match(location) or default_branch
        if branch is None and not location:
            raise ImportRejected(
                [
                    RowError(
                        filename,
                        lines.get(uid, 1),
                        "LOCATION",
                        uid,
                        _("The event says nowhere where it is: choose a library for the file."),
                    )
                ]
            )
        status = (
            EventOccurrence.Status.CANCELLED
            if str(component.get("STATUS", "")).upper() == "CANCELLED"
            else EventOccurrence.Status.PLANNED
        )
        planned.append(
            PlannedOccurrence(
                key=(uid, recurrence),
                categories=categories,
                series_uid=uid if uid in recurring else "",
                values={
                    "title": str(component.get("SUMMARY")).strip()[:300],
                    "description": str(component.get("DESCRIPTION", "")).strip(),
                    "starts_at": start,
                    "ends_at": end,
                    "all_day": all_day,
                    "branch": branch,
                    "place": ""
                    if branch and branch.name.lower() in location.lower()
                    else location[:200],
                    "event_type": event_type,
                    "audience": _audience(categories),
                    "organiser": EventOccurrence.Organiser.OUTSIDE_HIRER
                    if outside
                    else EventOccurrence.Organiser.LIBRARY,
                    "status": status,
                },
            )
        )
    return planned, types, len(uids)


def _when_and_what(component, recurring: bool):
    """(start, all day, end, recurrence id, categories) of an expanded occurrence; raises what
    the iCalendar library raises for a value it cannot read, or DateOutOfRange."""
    start, all_day = _as_datetime(component.decoded("DTSTART"))
    plausible_date(start)
    end = None
    if component.get("DTEND") is not None:
        end, _day = _as_datetime(component.decoded("DTEND"))
        plausible_date(end)
    recurrence = ""
    if recurring:
        # One occurrence of a series: its original start, so a moved one keeps its key.
        recurrence = _recurrence_id(component.decoded("RECURRENCE-ID"))
    categories = []
    for value in (
        component.get("CATEGORIES", [])
        if isinstance(component.get("CATEGORIES"), list)
        else [component.get("CATEGORIES")]
    ):
        if value is not None:
            categories += [str(c) for c in value.cats]
    return start, all_day, end, recurrence, categories


def import_events_ical(
    *,
    organisation,
    data: bytes,
    filename: str,
    user=None,
    default_branch: Branch | None = None,
    window_start: date | None = None,
    window_end: date | None = None,
    dry_run: bool = False,
    source: str = EventOccurrence.Source.ICAL,
    source_name: str | None = None,
) -> EventImportResult:
    today = timezone.localdate()
    window_start = window_start or today - WINDOW_BACK
    window_end = window_end or today + WINDOW_AHEAD
    # The window belongs to what is imported: the same calendar read for a later window
    # brings the occurrences that have come into it.
    digest = fingerprint(data + f"|{window_start}|{window_end}".encode())
    if ImportBatch.objects.filter(organisation=organisation, kind="events", sha256=digest).exists():
        return EventImportResult(already_imported=True)
    planned, types, events = parse_ical(
        organisation=organisation,
        data=data,
        filename=filename,
        default_branch=default_branch,
        window_start=window_start,
        window_end=window_end,
    )
    result = _apply(
        organisation=organisation,
        planned=planned,
        types=types,
        digest=digest,
        filename=filename,
        user=user,
        dry_run=dry_run,
        source=source,
        window=(window_start, window_end),
        source_name=source_name,
    )
    if events and not planned:  # a file with events that imports none says why
        result.note = outside_window(events, window_start, window_end)
    return result


def _jsonable(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


SOURCE_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "all_day",
    "branch",
    "place",
    "event_type",
    "audience",
    "organiser",
    "status",
    "capacity",
    "series",
    "mode",
    "partners",
)


CHUNK = 500  # values in one query's IN (…): well under every database's parameter limit


def _by_external_uid(model, organisation, uids):
    """The organisation's rows of ``model`` with one of ``uids``, a chunk of them a query: an
    import names thousands (a website gives every event a uid and a series)."""
    uids = sorted({uid for uid in uids if uid})
    for first in range(0, len(uids), CHUNK):
        yield from model.objects.filter(
            organisation=organisation, external_uid__in=uids[first : first + CHUNK]
        )


class _Existing:
    """The organisation's occurrences that an import may meet, read in a few queries and
    looked up in memory: a nightly sync of thousands of events asks once, not once an event."""

    def __init__(self, organisation, uids):
        self.by_key: dict[tuple[str, str], EventOccurrence] = {}
        for occurrence in _by_external_uid(EventOccurrence, organisation, uids):
            self.add(occurrence)

    def add(self, occurrence) -> None:
        self.by_key[(occurrence.external_uid, occurrence.external_recurrence)] = occurrence

    def rekey(self, occurrence, old_recurrence: str) -> None:
        if self.by_key.get((occurrence.external_uid, old_recurrence)) is occurrence:
            del self.by_key[(occurrence.external_uid, old_recurrence)]
        self.add(occurrence)

    def find(self, uid: str, recurrence: str, start):
        exact = self.by_key.get((uid, recurrence))
        if exact is not None:
            return exact
        # The same event under the other kind of key: a single event that became a series (or
        # the other way round) keeps its row and attendance instead of getting a twin.
        if recurrence:
            single = self.by_key.get((uid, ""))
            return single if single is not None and single.starts_at == start else None
        return self.by_key.get((uid, _recurrence_id(start)))


def _series_for(*, organisation, uid: str, values: dict, claimed: set[int], known: dict):
    """The series of a key the source names for the first time: the series the organisation
    already has under the same title at the same library (``events/series.py``: a season
    re-created on the website, a club typed before the website was read), unless another key
    of this import has it; otherwise a new one. A series without a key takes this one."""
    if "candidates" not in known:
        known["candidates"], known["libraries"] = known_series(
            series_model=EventSeries,
            occurrence_model=EventOccurrence,
            branch_model=Branch,
            organisation_id=organisation.pk,
        )
    title = " ".join(values["title"].split())
    key, _named = title_key(title, known["libraries"])
    branch = values.get("branch")
    series = same_series(
        key,
        branch.pk if branch else None,
        (c for c in known["candidates"] if c[0].pk not in claimed),
    )
    if series is None:
        series = EventSeries.objects.create(
            organisation=organisation,
            external_uid=uid,
            title=title,
            event_type=values["event_type"],
            audience=values["audience"],
        )
        known["candidates"].append((series, key, branch.pk if branch else None))
    elif not series.external_uid:
        series.external_uid = uid
        series.save(update_fields=["external_uid"])
    return series


def _apply(
    *,
    organisation,
    planned,
    types,
    digest,
    filename,
    user,
    dry_run,
    source,
    window,
    source_name=None,
):
    """Write planned occurrences. A field changed by hand keeps its value until the source
    changes that field; attendance is never touched; an event with attendance is never
    cancelled by its source (that is reported as a conflict)."""
    result = EventImportResult()
    source_name = source_name or filename
    with transaction.atomic():
        batch = None
        if not dry_run:
            batch = ImportBatch.objects.create(
                organisation=organisation,
                kind="events",
                filename=filename,
                sha256=digest,
                imported_by=user,
            )
        seen_ids: set[int] = set()
        named_series = (item.series_uid for item in planned)
        series_cache: dict[str, EventSeries] = {
            series.external_uid: series
            for series in _by_external_uid(EventSeries, organisation, named_series)
        }
        existing_rows = _Existing(organisation, (item.key[0] for item in planned))
        known: dict = {}  # the organisation's series by title, read when a new key needs them
        for item in planned:
            uid, recurrence = item.key
            values = dict(item.values)
            if item.series_uid:
                series = series_cache.get(item.series_uid)
                if series is None and not dry_run:
                    series = _series_for(
                        organisation=organisation,
                        uid=item.series_uid,
                        values=values,
                        claimed={s.pk for s in series_cache.values()},
                        known=known,
                    )
                    series_cache[item.series_uid] = series
                values["series"] = series
            existing = existing_rows.find(uid, recurrence, values["starts_at"])
            if existing is not None and existing.branch_id in item.branch_ids:
                values["branch"] = existing.branch
            imported = {k: _jsonable(v) for k, v in values.items() if k in SOURCE_FIELDS}
            if existing is None:
                result.created += 1
                if values["status"] == EventOccurrence.Status.CANCELLED:
                    result.cancelled += 1
                if not dry_run:
                    existing_rows.add(
                        EventOccurrence.objects.create(
                            organisation=organisation,
                            external_uid=uid,
                            external_recurrence=recurrence,
                            source=source,
                            import_batch=batch,
                            source_name=source_name,
                            imported_values=imported,
                            **values,
                        )
                    )
                continue
            seen_ids.add(existing.pk)
            before = existing.imported_values or {}
            changed = {}
            for key, value in values.items():
                if key not in SOURCE_FIELDS:
                    continue
                source_changed = before.get(key, _MISSING) != imported[key]
                if key == "event_type" and value is None:
                    continue  # keep a type chosen by hand
                if (not before or source_changed) and (
                    _jsonable(getattr(existing, key)) != imported[key]
                ):
                    changed[key] = value
            if existing.recurrence_key_differs(recurrence):
                changed["external_recurrence"] = recurrence
            if existing.missing_from_source:
                changed["missing_from_source"] = False
                if existing.attendance_total is None and existing.status != values["status"]:
                    changed["status"] = values["status"]  # back in the source: counted again
            # Whatever made the status change, these two rules hold:
            if changed.get("status") == EventOccurrence.Status.PLANNED and (
                existing.status == EventOccurrence.Status.HELD
            ):
                changed.pop("status")  # held stays held
            if changed.get("status") == EventOccurrence.Status.CANCELLED and (
                existing.attendance_total is not None
            ):
                changed.pop("status")  # people came: a later cancellation in the source is a
                result.conflicts += 1  # conflict for the coordinator, not a lost count
            if not changed and before == imported and existing.source_name == source_name:
                result.unchanged += 1
                continue
            if changed:
                result.updated += 1
                if changed.get("status") == EventOccurrence.Status.CANCELLED:
                    result.cancelled += 1
            else:
                result.unchanged += 1
            if not dry_run:
                old_recurrence = existing.external_recurrence
                for key, value in changed.items():
                    setattr(existing, key, value)
                existing.imported_values = imported
                existing.source_name = source_name
                existing.save()
                existing_rows.rekey(existing, old_recurrence)
        # What this source had before, inside the window, and no longer has is marked, not
        # deleted; without attendance it no longer counts either.
        if window is not None:
            start, end = window
            gone = EventOccurrence.objects.filter(
                organisation=organisation,
                source_name=source_name,
                missing_from_source=False,
                starts_at__date__gte=start,
                starts_at__date__lte=end,
            ).exclude(pk__in=seen_ids)
            if not dry_run:
                gone = gone.exclude(import_batch=batch)
            for occurrence in gone:
                result.missing += 1
                if dry_run:
                    continue
                occurrence.missing_from_source = True
                # A planned event gone from its source no longer counts; one held (the
                # website said it took place) stays held, marked, waiting for attendance.
                if (
                    occurrence.attendance_total is None
                    and occurrence.status == EventOccurrence.Status.PLANNED
                ):
                    occurrence.status = EventOccurrence.Status.CANCELLED
                occurrence.save()
        result.unmapped_categories = list(types.unmapped)
        if not dry_run:
            types.remember_unmapped()
            batch.summary = {
                k: v
                for k, v in result.__dict__.items()
                if isinstance(v, int) and not isinstance(v, bool)
            }
            batch.save()
    return result


_MISSING = object()


CSV_COLUMNS = {
    "id": ("id", "uid", "nøgle"),
    "title": ("titel", "title", "arrangement"),
    "date": ("dato", "date"),
    "start": ("start", "starttid", "fra", "tid"),
    "end": ("slut", "sluttid", "til", "end"),
    "branch": ("bibliotek", "library", "branch", "afdeling"),
    "place": ("sted", "place", "lokation"),
    "type": ("type", "kategori", "category"),
    "audience": ("målgruppe", "maalgruppe", "audience"),
    "organiser": ("arrangør", "arrangoer", "organiser"),
    "capacity": ("kapacitet", "pladser", "capacity"),
    "status": ("status",),
}
ORGANISER_WORDS = {
    "biblioteket": "library",
    "library": "library",
    "samarbejde": "co_organised",
    "co-organised": "co_organised",
    "medarrangør": "co_organised",
    "udlejning": "outside_hirer",
    "ekstern": "outside_hirer",
    "outside hirer": "outside_hirer",
}
AUDIENCE_CSV = {
    "børn": "children",
    "unge": "young",
    "voksne": "adults",
    "familier": "families",
    "familie": "families",
    "alle": "all",
    "children": "children",
    "young": "young",
    "adults": "adults",
    "families": "families",
    "all": "all",
}


def _time(raw: str) -> time:
    return datetime.strptime(raw.strip().replace(".", ":"), "%H:%M").time()


def import_events_csv(
    *, organisation, data: bytes, filename: str, user=None, dry_run: bool = False
) -> EventImportResult:
    """CSV: titel; dato; start; slut; bibliotek or sted; type; målgruppe; arrangør; kapacitet."""
    digest = fingerprint(data)
    if ImportBatch.objects.filter(organisation=organisation, kind="events", sha256=digest).exists():
        return EventImportResult(already_imported=True)
    header, rows, _delimiter = read_table(data, filename=filename)
    columns = {key: find_column(header, *names) for key, names in CSV_COLUMNS.items()}
    missing = [key for key in ("title", "date", "start") if columns[key] is None]
    if missing:
        raise missing_columns(filename, header, [CSV_COLUMNS[m][0] for m in missing])
    places = BranchMatcher(organisation)  # name, ISIL, other names, address
    types = _Types(organisation)
    errors: list[RowError] = []
    planned: list[PlannedOccurrence] = []
    for line, row in rows:

        def col(key, row=row):
            return row.get(columns[key], "").strip() if columns[key] else ""

        def fail(key, message, line=line, col=col):
            errors.append(RowError(filename, line, columns[key] or key, col(key), message))

        title = col("title")
        if not title:
            fail("title", _("A title is required."))
            continue
        try:
            day = parse_date(col("date"))
        except ValueError:
            fail("date", _("Write the date as dd-mm-åååå."))
            continue
        try:
            start = _time(col("start"))
        except ValueError:
            fail("start", _("Write the time as tt:mm."))
            continue
        try:
            end = _time(col("end")) if col("end") else None
        except ValueError:
            fail("end", _("Write the time as tt:mm."))
            continue
        branch = places.match(col("branch")) if col("branch") else None
        if col("branch") and branch is None:
            fail("branch", _("No library has this name."))
            continue
        if branch is None and col("place"):
            branch = places.match(col("place"))  # "Hovedbiblioteket, Østergade 8" is ours
        if branch is None and not col("place"):
            fail("branch", _("Give a library or a place."))
            continue
        audience = AUDIENCE_CSV.get(col("audience").lower()) if col("audience") else "all"
        if audience is None:
            fail("audience", _("Use børn, unge, voksne, familier or alle."))
            continue
        organiser = (
            ORGANISER_WORDS.get(col("organiser").lower()) if col("organiser") else ("library")
        )
        if organiser is None:
            fail("organiser", _("Use biblioteket, samarbejde or udlejning."))
            continue
        capacity = None
        if col("capacity"):
            try:
                number = parse_number(col("capacity"))
            except OutOfRange:
                number = Decimal(MAX_CAPACITY + 1)  # above the ceiling, said below
            except ValueError:
                number = None
            if number is None or number < 0 or number != int(number):
                fail("capacity", _("Not a whole number of zero or more."))
                continue
            try:
                capacity = bounded(int(number), MAX_CAPACITY)
            except OutOfRange:
                fail(
                    "capacity",
                    _("The capacity must be at most %(max)s.")
                    % {"max": number_format(MAX_CAPACITY, force_grouping=True)},
                )
                continue
        event_type, outside = types.resolve([col("type")]) if col("type") else (None, False)
        starts_at = timezone.make_aware(datetime.combine(day, start))
        ends_at = timezone.make_aware(datetime.combine(day, end)) if end else None
        if ends_at is not None and ends_at <= starts_at:
            ends_at += timedelta(days=1)  # 22:00–01:00 ends the next day
        if len(col("id")) > MAX_UID:
            fail("id", uid_too_long())
            continue
        # The event's own id, or its date, time and place: a corrected title updates the event.
        key = (
            col("id")
            or hashlib.sha1(f"{day}|{start}|{col('branch') or col('place')}".encode()).hexdigest()[
                :20
            ]
        )
        status = (
            EventOccurrence.Status.CANCELLED
            if col("status").lower() in {"aflyst", "cancelled"}
            else EventOccurrence.Status.PLANNED
        )
        planned.append(
            PlannedOccurrence(
                key=("csv:" + key, ""),
                categories=[col("type")],
                values={
                    "title": title[:300],
                    "description": "",
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "all_day": False,
                    "branch": branch,
                    "place": col("place")[:200],
                    "event_type": event_type,
                    "audience": audience,
                    "organiser": "outside_hirer" if outside else organiser,
                    "status": status,
                    "capacity": capacity,
                },
            )
        )
    if errors:
        raise ImportRejected(errors)
    result = _apply(
        organisation=organisation,
        planned=planned,
        types=types,
        digest=digest,
        filename=filename,
        user=user,
        dry_run=dry_run,
        source=EventOccurrence.Source.CSV,
        window=None,
    )
    if not rows:
        result.note = _("The file has no events below its header.")
    return result


def enter_attendance(
    *, occurrence: EventOccurrence, user, total: int, children=None, online=None, first_time=None
) -> EventOccurrence:
    """Attendance after the event (validated by the model): the event is then held."""
    if occurrence.starts_at > timezone.now():
        raise ValidationError(
            {"attendance_total": _("Attendance is entered after the event has begun.")}
        )
    occurrence.attendance_total = total
    occurrence.attendance_children = children
    occurrence.attendance_online = online
    occurrence.attendance_first_time = first_time
    occurrence.attendance_by = user
    occurrence.attendance_at = timezone.now()
    occurrence.status = EventOccurrence.Status.HELD
    occurrence.full_clean()
    occurrence.save()
    return occurrence
