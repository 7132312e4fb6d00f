"""Local dates, weekdays and hours of a timestamp column, worked out in the database itself.

Django's SQLite backend works out every time-zone-aware ``TruncDate``, ``ExtractHour`` and
``F(...) + timedelta`` by calling a Python function for each row (``django_datetime_extract``
and friends), which made the visits page's weekday × hour map cost 0.2 s for a year of one
library's counter intervals. PostgreSQL does the same natively (``AT TIME ZONE``).

These expressions give the same answers on both databases. On PostgreSQL they are Django's own;
on SQLite the local wall-clock time is ``datetime(column, shift)``, where ``shift`` is a
``CASE`` over the zone's UTC offsets in the dates asked for (two changes a year in Denmark),
found once in Python from ``zoneinfo``. So the database's own ``strftime`` does the rest, with
no Python per row. A row outside the dates given is shifted by the offset at the nearer end,
which is right until the zone next changes its offset; callers filter to those dates anyway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise

from django.db.models import DateField, F, FloatField, Func, IntegerField
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute, TruncDate
from django.utils import timezone


@lru_cache(maxsize=256)
def offset_changes(zone_key: str, start: date, end: date) -> tuple[tuple[datetime, int], ...]:
    """The zone's UTC offset in minutes from ``start`` to ``end`` (local dates, a day's margin
    either side) as ``(from this UTC instant, offset)``, the first entry from the beginning."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_key)

    def offset(instant: datetime) -> int:
        return int(instant.astimezone(zone).utcoffset().total_seconds() // 60)

    moment = datetime.combine(start - timedelta(days=1), time(), tzinfo=UTC)
    last = datetime.combine(end + timedelta(days=2), time(), tzinfo=UTC)
    changes = [(moment, offset(moment))]
    while moment < last:
        step = min(moment + timedelta(days=1), last)
        if offset(step) != changes[-1][1]:
            # The change lies in (moment, step]: halve down to the whole second.
            low, high = int(moment.timestamp()), int(step.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if offset(datetime.fromtimestamp(middle, UTC)) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            found = datetime.fromtimestamp(high, UTC)
            changes.append((found, offset(found)))
        moment = step
    return tuple(changes)


def _zone_key() -> str:
    zone = timezone.get_current_timezone()
    return getattr(zone, "key", None) or str(zone)


class _Local(Func):
    """Base of the local parts: compiled natively on each database (see the module)."""

    output_field = IntegerField()

    def __init__(self, expression, *, start: date, end: date):
        self.span = (start, end)
        super().__init__(F(expression) if isinstance(expression, str) else expression)

    def native(self, column, zone):  # pragma: no cover - each part has its own
        raise NotImplementedError

    def sqlite_part(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def as_sql(self, compiler, connection, **extra_context):
        column = self.get_source_expressions()[0]
        return self.native(column, timezone.get_current_timezone()).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.get_source_expressions()[0])
        changes = offset_changes(_zone_key(), *self.span)
        whens, params = [], []
        for (_first, minutes), (until, _next) in pairwise(changes):
            whens.append(f"WHEN {column} < %s THEN %s")
            params += [*column_params, connection.ops.adapt_datetimefield_value(until)]
            params.append(f"{minutes:+d} minutes")
        shift = f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s"
        params.append(f"{changes[-1][1]:+d} minutes")
        # The whole second (SQLite's own date functions round to the millisecond, which would
        # carry 00:59:59.9999 into the next hour).
        local = f"datetime(substr({column}, 1, 19), {shift})"
        sql = self.sqlite_part()
        # The local time's SQL (and so its parameters) occurs once per use in the part.
        uses = sql.count("{local}")
        return sql.format(local=local), [*column_params, *params] * uses


class LocalDate(_Local):
    """The local date of a timestamp (``TruncDate`` in the current time zone)."""

    output_field = DateField()

    def native(self, column, zone):
        return TruncDate(column, tzinfo=zone)

    def sqlite_part(self):
        return "date({local})"


class LocalHour(_Local):
    """The local hour, 0–23 (``ExtractHour`` in the current time zone)."""

    def native(self, column, zone):
        return ExtractHour(column, tzinfo=zone)

    def sqlite_part(self):
        return "CAST(strftime('%%H', {local}) AS INTEGER)"


class LocalIsoWeekday(_Local):
    """The local ISO weekday, Monday 1 to Sunday 7 (``ExtractIsoWeekDay``)."""

    def native(self, column, zone):
        return ExtractIsoWeekDay(column, tzinfo=zone)

    def sqlite_part(self):
        # strftime's %w counts from Sunday 0.
        return (
            "(CASE strftime('%%w', {local}) WHEN '0' THEN 7"
            " ELSE CAST(strftime('%%w', {local}) AS INTEGER) END)"
        )


class LocalMinuteOfDay(_Local):
    """Minutes since local midnight, 0–1439."""

    def native(self, column, zone):
        return ExtractHour(column, tzinfo=zone) * 60 + ExtractMinute(column, tzinfo=zone)

    def sqlite_part(self):
        return (
            "(CAST(strftime('%%H', {local}) AS INTEGER) * 60"
            " + CAST(strftime('%%M', {local}) AS INTEGER))"
        )


class SecondsBetween(Func):
    """Seconds from the first timestamp to the second, to the millisecond, natively on both
    databases (Django's ``F(b) - F(a)`` is a Python function per row on SQLite)."""

    output_field = FloatField()

    def __init__(self, first, second):
        super().__init__(first, second)

    def _parts(self, compiler):
        first, first_params = compiler.compile(self.get_source_expressions()[0])
        second, second_params = compiler.compile(self.get_source_expressions()[1])
        return first, second, [*second_params, *first_params]

    def as_sql(self, compiler, connection, **extra_context):
        first, second, params = self._parts(compiler)
        return f"EXTRACT(EPOCH FROM ({second} - {first}))", params

    def as_sqlite(self, compiler, connection, **extra_context):
        first, second, params = self._parts(compiler)
        # Rounded to the millisecond, SQLite's own precision: an hour is 3600, not 3600.0000001.
        return f"ROUND((julianday({second}) - julianday({first})) * 86400.0, 3)", params
