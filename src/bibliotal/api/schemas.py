"""What every router shares: the problem answer, a period of dates, and the answer to a
rejected file."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema
from ninja.errors import HttpError


class Problem(Schema):
    detail: str


class Period(Schema):
    from_: date = Field(..., alias="from", description="First date (YYYY-MM-DD).")
    to: date = Field(..., description="Last date (YYYY-MM-DD), inclusive.")

    def check(self, *, max_days: int) -> None:
        """Refuse a reversed period, or one of more than ``max_days`` days, with a 422."""
        if self.to < self.from_:
            raise HttpError(422, "'to' must not come before 'from'.")
        if (self.to - self.from_).days + 1 > max_days:
            raise HttpError(422, f"Ask for at most {max_days} days at a time.")


class RowProblem(Schema):
    line: int
    column: str
    value: str
    message: str


class Rejected(Schema):
    detail: str
    errors: list[RowProblem]


def rejected(error, *, limit: int = 500) -> dict:
    """The 422 answer to a rejected file: every faulty row, as the import page lists them."""
    return {
        "detail": "The file was not imported; nothing was saved.",
        "errors": [
            {
                "line": getattr(e, "line", 0),
                "column": getattr(e, "column", ""),
                "value": getattr(e, "value", ""),
                "message": getattr(e, "message", str(e)),
            }
            for e in error.errors[:limit]
        ],
    }
