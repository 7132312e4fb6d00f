"""Hand-written SELECTs for the one path where building the ORM's query costs more than running
it: a guidance tap (``bench/guidance_taps.py``), whose token, user, role, service point and
permission are read in two statements. Everything else uses the ORM.

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
