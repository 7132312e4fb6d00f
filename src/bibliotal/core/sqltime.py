"""Time arithmetic on timestamp columns, worked out in the database itself.

Django's SQLite backend works out ``F(b) - F(a)`` of two datetimes by calling a Python function
for each row (``django_timestamp_diff``); PostgreSQL does it natively. ``SecondsBetween`` is
native on both. (Local dates and hours of counter readings are worked out in polars from their
epoch seconds, ``visits.frames``.)
"""

from __future__ import annotations

from django.db.models import FloatField, Func


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
