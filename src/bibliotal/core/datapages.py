"""What every data page (visits, guidance, events, teaching, digital) does alike about years.

- It opens on the latest year with figures, not on an empty current year.
- It says where the figures end when the chosen year has none or stops early:
  "Ingen tællerdata for 2026 – seneste tal 30.12.2021."
- A month without figures is None (shown "–"), and sums over months skip it: a year without
  any figure sums to None, never to 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.utils import formats

FIRST_YEAR = 2000


def page_year(request, *, latest: date | None, today: date, default: int | None = None) -> int:
    """The year asked for, or ``default`` (a page's better first year, such as the budget year
    when it has figures), or the year of the latest figure (this year when there is none)."""
    if default is None:
        default = latest.year if latest is not None else today.year
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        return default
    return year if FIRST_YEAR <= year <= today.year + 5 else default


def year_options(*, today: date, with_figures: Iterable[int] = (), chosen: int | None = None):
    """The years of a page's year menu, newest first: the last eight and every year with
    figures, so the year a page opens on is always one of them."""
    years = set(range(today.year, today.year - 8, -1)) | set(with_figures)
    if chosen is not None:
        years.add(chosen)
    return sorted(years, reverse=True)


def short_date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def figures_end(
    *,
    year: int,
    last_in_year: date | None,
    latest: date | None,
    today: date,
    none: str,
    ends: str,
    never: str,
) -> str:
    """The sentence that says where the figures end, or "" when the year is counted through.

    ``none`` (with ``%(year)s`` and ``%(latest)s``) is said when the year has no figures and
    others have; ``never`` when there are none at all; ``ends`` (``%(year)s``, ``%(last)s``)
    when the year's figures stop before its end (or before yesterday in the current year)."""
    if latest is None:
        return never
    if last_in_year is None:
        return none % {"year": year, "latest": short_date(latest)}
    due = min(date(year, 12, 31), today - timedelta(days=1))
    if last_in_year < due:
        return ends % {"year": year, "last": short_date(last_in_year)}
    return ""


def total(values: Iterable[float | None]) -> float | None:
    """The sum of the figures there are; None when there are none (missing is not zero)."""
    found = [v for v in values if v is not None]
    return sum(found) if found else None


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    return first, date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def month_name(month: int) -> str:
    return formats.date_format(date(2000, month, 1), "F")


def month_table(*, title: str, year: int, this_year, last_year):
    """The figures of a month chart as a download table: numbers, None where there are none."""
    from django.utils.translation import gettext as _

    from bibliotal.core.exports import Table

    rows = [[month_name(m), this_year[m - 1], last_year[m - 1]] for m in range(1, 13)]
    rows.append([_("Year"), total(this_year), total(last_year)])
    return Table(title, [_("Month"), str(year), str(year - 1)], rows)
