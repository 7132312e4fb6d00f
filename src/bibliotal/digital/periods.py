"""Periods as statistics files write them: a day, a month, a quarter, a year or a range."""

from __future__ import annotations

import calendar
import re
from datetime import date

from bibliotal.core.imports import MONTH_NAMES, parse_date, parse_month, plausible_date


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_span(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, month_end(first)


QUARTER = re.compile(
    r"^(?:(?P<y1>\d{4})\s*[-/ ]?\s*(?:q|k|kvt\.?)\s*(?P<q1>[1-4])"
    r"|(?:q|k)\s*(?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>\d{4})"
    r"|(?P<q3>[1-4])\s*\.?\s*(?:kvt\.?|kvartal|quarter|q)\s*(?P<y3>\d{4}))$"
)
RANGE = re.compile(r"^(\S+)\s*(?:,|–|—|\.\.|\s-\s|\stil\s|\sto\s)\s*(\S+)$")


def parse_period(raw: str) -> tuple[date, date]:
    """The first and last day of a period written as:

    - a year: "2021";
    - a quarter: "2021-Q1", "Q1 2021", "1. kvt. 2021", "1. kvartal 2021";
    - a month: "2021-03", "03-2021", "marts 2021", "Mar-2021" (COUNTER), "mar. 2021";
    - a day: "2021-03-05", "05-03-2021", "05.03.2021";
    - a range of days: "2021-01-01,2021-12-31" (Matomo), "01-01-2021 - 31-12-2021".
    Raises ValueError for anything else.
    """
    value = " ".join(raw.strip().lower().split())
    if not value:
        raise ValueError(raw)
    if re.fullmatch(r"[0-9]{4}", value):
        year = int(value)
        return plausible_date(date(year, 1, 1)), date(year, 12, 31)
    quarter = QUARTER.match(value)
    if quarter:
        groups = quarter.groupdict()
        year = int(groups["y1"] or groups["y2"] or groups["y3"])
        number = int(groups["q1"] or groups["q2"] or groups["q3"])
        first = plausible_date(date(year, 3 * number - 2, 1))
        return first, month_end(first.replace(month=3 * number))
    span = RANGE.match(value)
    if span:
        start, end = parse_date(span.group(1)), parse_date(span.group(2))
        if end < start:
            raise ValueError(raw)
        return start, end
    words = value.replace(".", " ").replace("-", " ").split()
    if len(words) == 2 and words[0] in MONTH_NAMES and re.fullmatch(r"[0-9]{4}", words[1]):
        return month_span(plausible_date(date(int(words[1]), MONTH_NAMES[words[0]], 1)))
    try:
        day = parse_date(value)
    except ValueError:
        return month_span(parse_month(value))
    return day, day


def month_starts(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]
