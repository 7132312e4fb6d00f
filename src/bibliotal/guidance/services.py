"""Registering guidance: taps, queued taps from a device that was offline, and typed totals."""

from __future__ import annotations

import contextlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import audit
from bibliotal.core.models import ServicePoint
from bibliotal.core.permissions import can_register_at, organisation_of
from bibliotal.guidance.models import (
    DEFAULT_TOPICS,
    GuidanceDayTotal,
    GuidanceRecord,
    GuidanceTopic,
    KioskDevice,
    UndoneKey,
)

UNDO_WINDOW = timedelta(minutes=2)
FUTURE_TOLERANCE = timedelta(minutes=5)  # device clocks drift
MAX_TAP_AGE_DAYS = 31  # a tablet offline for a month still delivers; older counts are typed
MAX_AGE_DAYS = 400  # a typed total may be back-dated this far
MAX_TAP_COUNT = 1
DEVICE_SEEN_RESOLUTION = timedelta(minutes=5)  # a desk tablet's "last used" is this exact
LARGE_TOTAL = 300  # a typed total above this for one day needs a confirmation


def ensure_default_topics(*, organisation) -> list[GuidanceTopic]:
    for position, (name, counts, dst) in enumerate(DEFAULT_TOPICS):
        GuidanceTopic.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "counts_toward_goal": counts,
                "dst_user_education": dst,
                "position": position,
            },
        )
    return list(GuidanceTopic.objects.filter(organisation=organisation, active=True))


@dataclass
class TapInput:
    key: str
    service_point_id: int
    topic_id: int
    channel: str = GuidanceRecord.Channel.IN_PERSON
    at: datetime | None = None
    count: int = 1
    child: bool | None = None
    duration: str = ""
    effort: int | None = None


@dataclass
class ItemError:
    key: str
    field: str
    message: str


class GuidanceInputError(ValueError):
    def __init__(self, errors: list[ItemError]):
        super().__init__("; ".join(f"{e.key}: {e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass
class RegisterResult:
    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    service_points: dict[int, ServicePoint] = field(default_factory=dict)


def _allowed(service_point: ServicePoint, *, device, scope) -> bool:
    """Whether the device, or the user of ``scope`` (``permissions.register_scope``), may
    register at the service point, told by ``_service_points``'s own query."""
    if device is not None:
        return device.is_active and device.service_point_id == service_point.pk
    if scope is None:
        return False
    kind, pk = scope
    if kind == "organisation":
        return service_point.branch.organisation_id == pk
    return bool(getattr(service_point, "may_register", False))


def _service_points(items: list[TapInput], *, user, device):
    """The items' service points with their libraries, whether the user may register at each
    (``may_register``, for a staff member's own libraries) and the organisation of each topic:
    one statement for a tap, two for a batch of several topics, written by hand because a tap's
    whole budget is a few statements (``core.fastsql``)."""
    from bibliotal.core import fastsql
    from bibliotal.core.models import Branch
    from bibliotal.core.permissions import register_scope

    scope = register_scope(user) if device is None else None
    point_ids = sorted({i.service_point_id for i in items})
    topic_ids = sorted({i.topic_id for i in items})
    if not point_ids:
        return {}, {}, scope
    points, branches = fastsql.columns(ServicePoint, "sp"), fastsql.columns(Branch, "b")
    one_topic = len(topic_ids) == 1
    staff = scope is not None and scope[0] == "membership"
    params = ([topic_ids[0]] if one_topic else []) + ([scope[1]] if staff else [])
    sql = fastsql.statement(
        ("service_points", one_topic, staff, len(point_ids)),
        lambda: _service_points_sql(points, branches, one_topic, staff, len(point_ids)),
    )
    found, topic_organisations = {}, set()
    with fastsql.cursor() as cursor:
        cursor.execute(sql, [*params, *point_ids])
        for row in cursor.fetchall():
            point, branch, *rest = fastsql.split(row, points, branches)
            point.branch = branch
            if one_topic:
                topic_organisations.add(rest.pop(0))
            point.may_register = bool(rest[0]) if rest else False
            found[point.pk] = point
    if one_topic:
        topic_organisations.discard(None)
        topics = {topic_ids[0]: topic_organisations.pop()} if topic_organisations else {}
    else:
        topics = dict(
            GuidanceTopic.objects.filter(pk__in=topic_ids).values_list("pk", "organisation_id")
        )
    return found, topics, scope


def _service_points_sql(points, branches, one_topic: bool, staff: bool, count: int) -> str:
    from bibliotal.core import fastsql
    from bibliotal.core.models import Branch, Membership

    col = fastsql.column
    extra = []
    if one_topic:
        extra.append(
            f"(SELECT t.{col(GuidanceTopic, 'organisation')} FROM {fastsql.table(GuidanceTopic)} t "
            f"WHERE t.{col(GuidanceTopic, 'id')} = %s)"
        )
    if staff:
        through = Membership.branches.through
        extra.append(
            f"EXISTS (SELECT 1 FROM {fastsql.table(through)} mb "
            f"WHERE mb.{col(through, 'membership')} = %s AND mb.{col(through, 'branch')} = "
            f"sp.{col(ServicePoint, 'branch')})"
        )
    return (
        f"SELECT {points.sql}, {branches.sql}{''.join(', ' + e for e in extra)} "
        f"FROM {fastsql.table(ServicePoint)} sp JOIN {fastsql.table(Branch)} b "
        f"ON b.{col(Branch, 'id')} = sp.{col(ServicePoint, 'branch')} "
        f"WHERE sp.{col(ServicePoint, 'id')} IN ({', '.join(['%s'] * count)})"
    )


def register_taps(
    *,
    items: list[TapInput],
    user=None,
    device: KioskDevice | None = None,
    source: str = GuidanceRecord.Source.TAP,
    now: datetime | None = None,
    max_count: int = MAX_TAP_COUNT,
    max_age_days: int = MAX_TAP_AGE_DAYS,
    clock_offset: timedelta | None = None,
) -> RegisterResult:
    """Validate every item, then store the new ones in one transaction; a key is stored once.

    ``clock_offset`` is how far the sending device's clock is behind the server's, so a tablet
    whose clock runs fast or slow still registers its taps at the right time.
    """
    now = now or timezone.now()
    errors: list[ItemError] = []
    service_points, topics, scope = _service_points(items, user=user, device=device)
    seen: set[str] = set()
    rows: list[GuidanceRecord] = []
    for item in items:

        def fail(field_name, message, key=item.key):
            errors.append(ItemError(key, field_name, message))

        if not item.key or len(item.key) > 80:
            fail("key", _("A key of 1 to 80 characters is required."))
            continue
        if item.key in seen:
            continue  # the same tap twice in one batch counts once
        seen.add(item.key)
        service_point = service_points.get(item.service_point_id)
        if service_point is None or not service_point.active:
            fail(
                "service_point",
                _("No active service point %(id)s.") % {"id": item.service_point_id},
            )
            continue
        if not _allowed(service_point, device=device, scope=scope):
            fail(
                "service_point", _("You may not register at %(place)s.") % {"place": service_point}
            )
            continue
        if topics.get(item.topic_id) != service_point.branch.organisation_id:
            fail("topic", _("No topic %(id)s in this organisation.") % {"id": item.topic_id})
            continue
        if item.channel not in GuidanceRecord.Channel.values:
            fail("channel", _("Unknown channel %(value)r.") % {"value": item.channel})
            continue
        if item.duration and item.duration not in GuidanceRecord.Duration.values:
            fail("duration", _("Unknown duration %(value)r.") % {"value": item.duration})
            continue
        if item.effort is not None and not 1 <= item.effort <= 6:
            fail("effort", _("The READ scale runs from 1 to 6."))
            continue
        if not 1 <= item.count <= max_count:
            fail("count", _("The count must be between 1 and %(max)d.") % {"max": max_count})
            continue
        at = item.at or now
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if clock_offset is not None and item.at is not None:
            at = at + clock_offset
        if at > now + FUTURE_TOLERANCE:
            fail("at", _("%(time)s lies in the future.") % {"time": at.isoformat()})
            continue
        if at < now - timedelta(days=max_age_days):
            fail(
                "at",
                _("%(time)s is more than %(days)d days ago: type older counts as a total.")
                % {"time": at.isoformat(), "days": max_age_days},
            )
            continue
        rows.append(
            GuidanceRecord(
                organisation_id=service_point.branch.organisation_id,
                branch_id=service_point.branch_id,
                service_point=service_point,
                topic_id=item.topic_id,
                channel=item.channel,
                occurred_at=at,
                day=timezone.localtime(at).date(),
                duration=item.duration,
                effort=item.effort,
                child=item.child,
                count=item.count,
                source=source,
                registered_by=user if device is None else None,
                device=device,
                idempotency_key=item.key,
                created_at=now,
            )
        )
    if errors:
        raise GuidanceInputError(errors)
    result = RegisterResult(service_points=service_points)
    if len(rows) == 1:
        stored = _insert_once(rows)  # one statement: atomic by itself
    else:
        with transaction.atomic():
            stored = _insert_once(rows)
    if device is not None and (
        device.last_seen_at is None or now - device.last_seen_at > DEVICE_SEEN_RESOLUTION
    ):
        # Only so often, as for API tokens: a busy desk would turn every tap into two writes.
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    result.stored = [row.idempotency_key for row in stored]
    taken = {id(row) for row in stored}
    result.duplicates = [row.idempotency_key for row in rows if id(row) not in taken]
    return result


# SQLite has one writer at a time. A worker's threads that tap at once wait here for each other
# instead of in SQLite's busy handler, which sleeps 1, 2, 5, 10 ms … between its tries: the
# tap's p99 fell from 32–38 ms to 19–25 ms (p50 5–7 ms) with 8 clients on 2 workers × 4 threads
# (bench/guidance_taps.py), at the same throughput.
_SQLITE_WRITER = threading.Lock()


def _insert_once(rows: list[GuidanceRecord]) -> list[GuidanceRecord]:
    """Insert each row unless its key is stored already, and return those this call stored.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` a row: the unique key decides, so of the
    same tap sent twice at once exactly one request says "stored", on SQLite and PostgreSQL
    alike. A key undone before its tap arrived (``UndoneKey``) is stored undone by the same
    statement. The database's triggers add the new counts to today's totals
    (``guidance.totals``)."""
    from bibliotal.core import fastsql

    if not rows:
        return []
    sql, fields = _insert_statement()
    stored = []
    # Not inside a transaction (a batch): it holds SQLite's write lock already, and a thread
    # waiting here for a tap that waits for that lock would wait out the busy timeout.
    queue = connection.vendor == "sqlite" and not connection.in_atomic_block
    one_writer = _SQLITE_WRITER if queue else contextlib.nullcontext()
    with fastsql.cursor() as cursor:
        for row in rows:
            params = [
                field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields
            ]
            with one_writer:
                cursor.execute(sql, [*params, row.organisation_id, row.idempotency_key])
                inserted = cursor.fetchone()
            if inserted is not None:
                row.pk = inserted[0]
                stored.append(row)
    return stored


def _insert_statement() -> tuple[str, list]:
    """The tap's INSERT for this database, and the record's fields in the order of its values
    (every concrete field but the id and ``undone_at``, which comes from ``UndoneKey``)."""
    from bibliotal.core import fastsql

    return fastsql.statement("guidance_insert", _build_insert_statement)


def _build_insert_statement() -> tuple[str, list]:
    quote = connection.ops.quote_name
    meta, undone = GuidanceRecord._meta, UndoneKey._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and f.name != "undone_at"]
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns}, {quote('undone_at')}) "
        f"VALUES ({values}, (SELECT u.{quote('undone_at')} FROM {quote(undone.db_table)} u "
        f"WHERE u.{quote('organisation_id')} = %s AND u.{quote('key')} = %s)) "
        f"ON CONFLICT ({quote('organisation_id')}, {quote('idempotency_key')}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}",
        fields,
    )


class UndoError(ValueError):
    pass


def undo_tap(
    *, key: str, user=None, device: KioskDevice | None = None, now: datetime | None = None
) -> GuidanceRecord | None:
    """Undo a tap within two minutes, by whoever made it. Audited.

    When the tap has not arrived yet (still queued, or its answer was lost), the undo is kept
    and the tap is stored as undone when it comes, whatever the order of arrival. Returns None
    then.
    """
    now = now or timezone.now()
    organisation_id = _organisation_of(key=key, user=user, device=device)
    if organisation_id is None:
        raise UndoError(_("Only whoever made a tap can undo it."))
    with transaction.atomic():
        # The organisation's own taps only: another's keys are neither undone nor revealed.
        mine = GuidanceRecord.objects.filter(organisation_id=organisation_id, idempotency_key=key)
        if not mine.exists():
            UndoneKey.objects.get_or_create(
                organisation_id=organisation_id,
                key=key,
                defaults={
                    "undone_at": now,
                    "user": user if device is None else None,
                    "device": device,
                },
            )
            return None
        record = mine.select_for_update().select_related("branch", "service_point", "topic").first()
        same_maker = (
            (record.device_id == device.pk)
            if device is not None
            else (user is not None and record.registered_by_id == user.pk)
        )
        if not same_maker:
            raise UndoError(_("Only whoever made a tap can undo it."))
        if record.undone_at is not None:
            return record
        if now - record.created_at > UNDO_WINDOW:
            raise UndoError(_("A tap can be undone for two minutes only."))
        record.undone_at = now
        record.save(update_fields=["undone_at"])
        audit.record(
            action="update",
            instance=record,
            organisation_id=record.branch.organisation_id,
            changes={"undone_at": [None, now.isoformat()]},
            note="undo",
        )
    return record


def _organisation_of(*, key: str, user, device: KioskDevice | None) -> int | None:
    """The organisation whose taps the undo is about: the device's, or the user's (for a
    superuser of several organisations, that of the tap they made with this key)."""
    if device is not None:
        return device.service_point.branch.organisation_id
    organisation = organisation_of(user)
    if organisation is not None:
        return organisation.pk
    if user is None:
        return None
    return (
        GuidanceRecord.objects.filter(idempotency_key=key, registered_by=user)
        .values_list("organisation_id", flat=True)
        .first()
    )


def register_typed_total(
    *,
    user,
    service_point: ServicePoint,
    topic: GuidanceTopic,
    channel: str,
    day: date,
    count: int,
    key: str | None = None,
) -> GuidanceRecord | None:
    """Totals typed afterwards for a day (from paper on a busy day). Audited.

    ``key`` is issued with the form, so a form sent twice stores its total once (None then).
    """
    now = timezone.now()
    if day > timezone.localdate():
        raise GuidanceInputError([ItemError(key or "", "day", _("The date lies in the future."))])
    noon = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))
    result = register_taps(
        items=[
            TapInput(
                key=key or f"typed-{uuid.uuid4()}",
                service_point_id=service_point.pk,
                topic_id=topic.pk,
                channel=channel,
                at=min(noon, now),
                count=count,
            )
        ],
        user=user,
        source=GuidanceRecord.Source.TYPED,
        now=now,
        max_count=100_000,
        max_age_days=MAX_AGE_DAYS,
    )
    if not result.stored:
        return None
    record = GuidanceRecord.objects.get(
        organisation_id=service_point.branch.organisation_id, idempotency_key=result.stored[0]
    )
    audit.record(
        action="create",
        instance=record,
        organisation_id=service_point.branch.organisation_id,
        changes={
            "count": [None, count],
            "day": [None, day.isoformat()],
            "topic": [None, topic.name],
        },
    )
    return record


def today_counts(*, service_point: ServicePoint, day: date) -> dict[int, int]:
    """What counts per topic at a service point on a day: one row a topic from the totals the
    database keeps (``GuidanceDayTotal``), however many taps the day has had."""
    from bibliotal.core import fastsql

    col = fastsql.column
    sql = fastsql.statement(
        "today_counts",
        lambda: (
            f"SELECT {col(GuidanceDayTotal, 'topic')}, {col(GuidanceDayTotal, 'total')} "
            f"FROM {fastsql.table(GuidanceDayTotal)} "
            f"WHERE {col(GuidanceDayTotal, 'service_point')} = %s "
            f"AND {col(GuidanceDayTotal, 'day')} = %s AND {col(GuidanceDayTotal, 'total')} > 0"
        ),
    )
    with fastsql.cursor() as cursor:
        cursor.execute(sql, [service_point.pk, connection.ops.adapt_datefield_value(day)])
        return dict(cursor.fetchall())


def day_total(*, service_point: ServicePoint, topic: GuidanceTopic, day: date) -> int:
    """What is already registered at a service point for a topic on a day."""
    return (
        GuidanceRecord.objects.counted()
        .filter(service_point=service_point, topic=topic, day=day)
        .aggregate(total=Sum("count"))["total"]
        or 0
    )


# A service point's day: one guidance a minute for fourteen hours at each of three desks is
# about 2,500; no Danish library desk comes near it, so more is a mistyped figure, refused.
TYPED_DAY_CEILING = 2000
TYPED_MIN_EXCESS = 20  # a day must be this many above its normal, at least, to be questioned
TYPED_HISTORY_WEEKS = 12


@dataclass(frozen=True)
class TypedCheck:
    """What a typed total would make of the service point's day, judged against its normal
    for the weekday (``core.plausibility``): ``verdict.kind`` is ok, short (too little
    history: only the ceiling and ``LARGE_TOTAL`` apply), outlier or ceiling."""

    day_total: int
    verdict: object


def check_typed_total(
    *, service_point: ServicePoint, day: date, count: int, replacing: int = 0
) -> TypedCheck:
    """The service point's total for the day with ``count`` added (in place of ``replacing``,
    the typed totals a grid replaces), against the same weekday's totals over the twelve weeks
    before (days with guidance only; a closed day is no normal)."""
    from bibliotal.core import plausibility

    counted = GuidanceRecord.objects.counted().filter(service_point=service_point)
    already = (counted.filter(day=day).aggregate(total=Sum("count"))["total"] or 0) - replacing
    weekdays = [day - timedelta(weeks=w) for w in range(1, TYPED_HISTORY_WEEKS + 1)]
    history = [
        row["total"]
        for row in counted.filter(day__in=weekdays).values("day").annotate(total=Sum("count"))
        if row["total"]
    ]
    total = already + count
    verdict = plausibility.judge(
        total, history, ceiling=TYPED_DAY_CEILING, min_excess=TYPED_MIN_EXCESS
    )
    return TypedCheck(total, verdict)


# --- A day's typed totals as one grid (topics × channels) ---------------------------------------

Cell = tuple[int, str]  # (topic id, channel)


@dataclass
class TypedDay:
    """A service point's day per cell: the typed totals (which a grid replaces) and all other
    guidance counted there (taps, imports, the API), which a grid leaves alone."""

    typed: dict[Cell, int] = field(default_factory=dict)
    other: dict[Cell, int] = field(default_factory=dict)

    def total(self, cell: Cell) -> int:
        return self.typed.get(cell, 0) + self.other.get(cell, 0)

    @property
    def typed_total(self) -> int:
        return sum(self.typed.values())

    @property
    def day_total(self) -> int:
        return sum(self.typed.values()) + sum(self.other.values())


def typed_day(*, service_point: ServicePoint, day: date) -> TypedDay:
    result = TypedDay()
    rows = (
        GuidanceRecord.objects.counted()
        .filter(service_point=service_point, day=day)
        .values("topic_id", "channel", "source")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        cell = (row["topic_id"], row["channel"])
        into = result.typed if row["source"] == GuidanceRecord.Source.TYPED else result.other
        into[cell] = into.get(cell, 0) + row["total"]
    return result


@dataclass
class GridResult:
    changed: list[Cell] = field(default_factory=list)
    typed_total: int = 0


def save_typed_grid(
    *,
    user,
    service_point: ServicePoint,
    day: date,
    values: dict[Cell, int],
    shown: dict[Cell, int] | None = None,
    names: dict[Cell, str] | None = None,
) -> GridResult:
    """Save a paper sheet of a day: each cell's number replaces the typed total of that topic
    and channel at the service point on the day (0 or empty: no typed total). Taps and imports
    of the day stay as they are. One transaction, each changed cell audited; saving the same
    grid again changes nothing.

    ``shown`` holds the typed totals the page showed when it was opened: a cell that someone
    else changed since then, and that this grid would change again, is refused (named by
    ``names``), so two people typing the same sheet never overwrite each other unseen.
    """
    if day > timezone.localdate():
        raise GuidanceInputError([ItemError("", "day", _("The date lies in the future."))])
    if not can_register_at(user, service_point.branch):
        raise GuidanceInputError(
            [
                ItemError(
                    "",
                    "service_point",
                    _("You may not register at %(place)s.") % {"place": service_point},
                )
            ]
        )
    organisation_id = service_point.branch.organisation_id
    topics = {
        t.pk: t
        for t in GuidanceTopic.objects.filter(
            organisation_id=organisation_id, pk__in={topic for topic, _c in values}
        )
    }
    errors = []
    for (topic_id, channel), value in values.items():
        key = f"{topic_id}:{channel}"
        if topic_id not in topics:
            errors.append(
                ItemError(
                    key, "topic", _("No topic %(id)s in this organisation.") % {"id": topic_id}
                )
            )
        elif channel not in GuidanceRecord.Channel.values:
            errors.append(
                ItemError(key, "channel", _("Unknown channel %(value)r.") % {"value": channel})
            )
        elif not 0 <= value <= TYPED_DAY_CEILING:
            errors.append(
                ItemError(
                    key,
                    "count",
                    _("The count must be between 0 and %(max)d.") % {"max": TYPED_DAY_CEILING},
                )
            )
    if errors:
        raise GuidanceInputError(errors)
    now = timezone.now()
    noon = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))
    result = GridResult()
    with transaction.atomic():
        typed = GuidanceRecord.objects.filter(
            service_point=service_point, day=day, source=GuidanceRecord.Source.TYPED
        )
        live: dict[Cell, list[GuidanceRecord]] = {}
        made: dict[Cell, int] = {}
        for record in typed.select_for_update().order_by("created_at", "pk"):
            cell = (record.topic_id, record.channel)
            made[cell] = made.get(cell, 0) + 1
            if record.undone_at is None:
                live.setdefault(cell, []).append(record)
        current = {cell: sum(r.count for r in records) for cell, records in live.items()}
        if shown is not None:
            # A cell left as the page showed it is not this grid's business: whatever it holds
            # now stays. A cell changed here and meanwhile elsewhere, to another number, is a
            # conflict.
            values = {cell: v for cell, v in values.items() if v != shown.get(cell, 0)}
            moved = [
                cell
                for cell, value in values.items()
                if shown.get(cell, 0) != current.get(cell, 0) and value != current.get(cell, 0)
            ]
            if moved:
                raise GuidanceInputError(
                    [
                        ItemError(
                            f"{topic_id}:{channel}",
                            "count",
                            _(
                                "%(cell)s was changed to %(now)d by someone else since you "
                                "opened the page: look at the number again."
                            )
                            % {
                                "cell": (names or {}).get(
                                    (topic_id, channel), f"{topic_id}:{channel}"
                                ),
                                "now": current.get((topic_id, channel), 0),
                            },
                        )
                        for topic_id, channel in moved
                    ]
                )
        for cell, value in values.items():
            old = current.get(cell, 0)
            if value == old:
                continue
            result.changed.append(cell)
            records = live.get(cell, [])
            keep = records[0] if records and value else None
            for record in records:
                if record is keep:
                    continue
                record.undone_at = now
                record.save(update_fields=["undone_at"])
                audit.record(
                    action="update",
                    instance=record,
                    organisation_id=organisation_id,
                    changes={"undone_at": [None, now.isoformat()]},
                    note="typed total replaced",
                )
            if keep is not None:
                previous = keep.count
                keep.count = value
                keep.registered_by = user
                keep.save(update_fields=["count", "registered_by"])
                audit.record(
                    action="update",
                    instance=keep,
                    organisation_id=organisation_id,
                    changes={"count": [previous, value]},
                    note="typed total replaced",
                )
            elif value:
                topic_id, channel = cell
                # One key per cell and version: the same new cell saved twice at once stores once.
                version = made.get(cell, 0)
                key = f"typed:{service_point.pk}:{day.isoformat()}:{topic_id}:{channel}:{version}"
                record = GuidanceRecord(
                    organisation_id=organisation_id,
                    branch_id=service_point.branch_id,
                    service_point=service_point,
                    topic=topics[topic_id],
                    channel=channel,
                    occurred_at=min(noon, now),
                    day=day,
                    count=value,
                    source=GuidanceRecord.Source.TYPED,
                    registered_by=user,
                    idempotency_key=key,
                    created_at=now,
                )
                if not _insert_once([record]):
                    continue  # the same grid, saved at the same moment by a double click
                audit.record(
                    action="create",
                    instance=record,
                    organisation_id=organisation_id,
                    changes={
                        "count": [None, value],
                        "day": [None, day.isoformat()],
                        "topic": [None, topics[topic_id].name],
                        "channel": [None, channel],
                    },
                )
        result.typed_total = sum({**current, **values}.values())
    return result
