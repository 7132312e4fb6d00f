"""URL converters shared by the apps' URLs."""

from __future__ import annotations


class YearConverter:
    """A calendar year of four digits in a URL (``/reports/2021/``): ``/reports/0/`` or
    ``/reports/10000/`` is a page that does not exist (404), never a date that cannot be made."""

    regex = "[1-9][0-9]{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"
