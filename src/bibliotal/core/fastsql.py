"""Hand-written SELECTs for the one path where building the ORM's query costs more than running
it: a guidance tap (``bench/guidance_taps.py``), whose token, user, role, service point and
permission are read in two statements. Everything else uses the ORM. On PostgreSQL they run
prepared (``cursor``).

The columns and their conversions come from the models' ``_meta`` and the database's own
converters, as the ORM's compiler does, so a field added to a model is read here too and a
value reads the same (a SQLite datetime as an aware datetime, its integer as a bool).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Columns:
    """One model's columns in a SELECT under ``alias``, and how to make its instance."""

    model: type
    alias: str
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list, object]]

    def instance(self, values: tuple | list):
        """The model instance of this model's values of one row (None when its LEFT JOIN
        found nothing: every value None)."""
        values = list(values)
        if all(v is None for v in values):
            return None
        for index, functions, expression in self.converters:
            for function in functions:
                values[index] = function(values[index], expression, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


_COLUMNS: dict[tuple, Columns] = {}


def columns(model, alias: str) -> Columns:
    key = (connection.vendor, model, alias)
    if key not in _COLUMNS:
        quote = connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        converters = []
        for index, field in enumerate(fields):
            expression = field.get_col(alias)
            functions = connection.ops.get_db_converters(expression)
            functions += field.get_db_converters(connection)
            if functions:
                converters.append((index, functions, expression))
        _COLUMNS[key] = Columns(
            model,
            alias,
            ", ".join(f"{alias}.{quote(f.column)}" for f in fields),
            [f.attname for f in fields],
            converters,
        )
    return _COLUMNS[key]


def split(row, *parts: Columns) -> list:
    """The instances of one row whose SELECT lists ``parts`` in this order, then the rest of
    its values (extra columns after them)."""
    found, start = [], 0
    for part in parts:
        end = start + len(part.attnames)
        found.append(part.instance(row[start:end]))
        start = end
    return [*found, *row[start:]]


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


_STATEMENTS: dict[tuple, object] = {}


def statement(key, build):
    """``build()``'s SQL, made once per database kind and ``key``: a hot path does not put
    its statement together again on every request."""
    full = (connection.vendor, key)
    if full not in _STATEMENTS:
        _STATEMENTS[full] = build()
    return _STATEMENTS[full]


def cursor():
    """A cursor for these statements, used like ``connection.cursor()``. On PostgreSQL each
    statement is prepared on the server the first time a connection runs it, then only
    executed: parsed and planned once per connection, its parameters sent apart from it. That
    halved a tap's time in the database (bench/guidance_taps.py). The ORM's cursors bind on the
    client and never prepare. With ``BIBLIOTAL_DB_PREPARED_STATEMENTS=false``, and on SQLite,
    this is the ORM's own cursor. Its statements are logged and its errors wrapped as the
    ORM's are."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        return connection.cursor()
    from django.db.backends import utils

    prepared_cursor, debug_wrapper = _prepared_classes()
    prepared = prepared_cursor(connection.connection)
    if connection.queries_logged:
        return debug_wrapper(prepared, connection)
    return utils.CursorWrapper(prepared, connection)


_PREPARED_CLASSES: list[tuple[type, type]] = []


def _prepared_classes() -> tuple[type, type]:
    """psycopg's server-side binding cursor with every execute prepared (psycopg keeps a
    connection's prepared statements, at most ``prepared_max``, deallocating the oldest, and
    forgets them all at a rollback), and Django's debug wrapper logging its statements with
    their values in place, as the ORM's are logged (a prepared run has no query text of its
    own to show)."""
    if not _PREPARED_CLASSES:
        import psycopg
        from django.db.backends import utils

        class PreparedCursor(psycopg.Cursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        class PreparedDebugWrapper(utils.CursorDebugWrapper):
            def execute(self, sql, params=None):
                try:
                    shown = self.db.ops.compose_sql(sql, params)
                except psycopg.DataError:
                    shown = sql
                with self.debug_sql(shown, params):
                    return utils.CursorWrapper.execute(self, sql, params)

        _PREPARED_CLASSES.append((PreparedCursor, PreparedDebugWrapper))
    return _PREPARED_CLASSES[0]
