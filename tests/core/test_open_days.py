"""One definition of an open day: a date on which at least one library of the group was open;
a library-day is one library open on one date."""

from datetime import date

from bibliotal.core.opening import opening_calendar, scope_days
from tests.conftest import weekly_schedule


def test_an_open_day_is_a_date_with_a_library_open_and_each_library_open_is_a_library_day(world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north, weekdays=range(5))  # Monday to Friday
    weekly_schedule(world.south, weekdays=range(7))
    week = scope_days(
        opening_calendar(
            branches=[world.north, world.south], start=date(2021, 3, 1), end=date(2021, 3, 7)
        )
    )
    # Seven dates with a library open; five with both: 5 × 2 + 2 = 12 library-days.
    assert week.open_days(date(2021, 3, 1), date(2021, 3, 7)) == 7
    assert week.library_days(date(2021, 3, 1), date(2021, 3, 7)) == 12
    assert week.hours_registered
