"""What every router shares: the problem answer and a period of dates."""

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
