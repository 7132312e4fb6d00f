"""What every router shares: the one problem answer, ids and counts a database can hold, a period
of dates, and the answer to a rejected file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, SerializerFunctionWrapHandler, model_serializer

from bibliotal.core.imports import API, RowError

# The bounds of the database's columns, the same on SQLite and PostgreSQL: a number beyond them
# is a 422, never an OverflowError (SQLite) or "integer out of range" (PostgreSQL).
MAX_ID = 2**63 - 1  # BigAutoField
MAX_COUNT = 2**31 - 1  # IntegerField and PositiveIntegerField

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]

# Dates the API reads: wide enough for any library's history and plans, narrow enough that a day
# before or after them still exists (year 1 and 9999 overflow).
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST, le=LATEST)]


def _moment(value: datetime) -> datetime:
    if not EARLIEST <= value.date() <= LATEST:
        raise ValueError(f"a time between {EARLIEST} and {LATEST}")
    if timezone.is_naive(value):  # on the library's clock
        value = timezone.make_aware(value)
    return value


# A moment on one of those days, with its time zone or, without one, on the library's clock.
Moment = Annotated[datetime, AfterValidator(_moment)]


class ProblemError(Schema):
    """One thing wrong with the request. Every error has ``message``; the other fields say where,
    as far as the kind of error knows it, and are left out where they do not apply."""

    message: str
    location: list[str | int] | None = Field(
        None,
        description="Where in the request, for a parameter or field that does not validate: "
        "['query', 'from'], ['body', 'items', 0, 'topic'] …",
    )
    line: int | None = Field(None, description="For a file: the line (0: the file as a whole).")
    column: str | None = Field(None, description="For a file: the column.")
    value: str | None = Field(None, description="For a file: the value refused.")
    key: str | None = Field(None, description="For a batch of taps: the key of the item.")
    field: str | None = Field(None, description="For a batch of taps: the field of the item.")

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler):  # the fields' own schema
        return {name: value for name, value in handler(self).items() if value is not None}


class Problem(Schema):
    """Every answer of 400 and above: what is wrong, and, where there is more than one thing,
    each of them."""

    detail: str = Field(description="What is wrong, in a sentence.")
    errors: list[ProblemError] = Field(
        default_factory=list,
        description="Each fault: every field that does not validate, every faulty row of a file.",
    )


class Period(Schema):
    from_: Day = Field(
        ..., alias="from", description=f"First date (YYYY-MM-DD), {EARLIEST} to {LATEST}."
    )
    to: Day = Field(..., description="Last date (YYYY-MM-DD), inclusive.")

    def check(self, *, max_days: int) -> None:
        """Refuse a reversed period, or one of more than ``max_days`` days, with a 422."""
        if self.to < self.from_:
            raise HttpError(422, "'to' must not come before 'from'.")
        if (self.to - self.from_).days + 1 > max_days:
            raise HttpError(422, f"Ask for at most {max_days} days at a time.")


def rejected(error, *, limit: int = 500) -> dict:
    """The 422 answer to a rejected file: every faulty row, as the import page lists them."""
    return {
        "detail": _("The file was not imported; nothing was saved."),
        "errors": [
            {
                "line": getattr(e, "line", 0),
                "column": getattr(e, "column", ""),
                "value": str(getattr(e, "value", "")),
                "message": e.said(API) if isinstance(e, RowError) else str(e),
            }
            for e in error.errors[:limit]
        ],
    }
