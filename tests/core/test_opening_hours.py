"""Was branch B open on date D, and for how many staffed and self-service hours?"""

from datetime import date, time

from bibliotal.core.models import Branch, CalendarCoverage, Closure
from bibliotal.core.opening import (
    ClosureSpec,
    HoursSpec,
    OpenDay,
    compute_day,
    format_periods,
    open_day,
    opening_calendar,
    opening_day,
    subtract,
    summarise,
    union,
)
from tests.conftest import weekly_schedule

MONDAY = date(2021, 3, 1)


def h(hour: int, minute: int = 0) -> int:
    return hour * 60 + minute


def test_intervals_merge_and_subtract():
    assert union([(h(12), h(14)), (h(10), h(13)), (h(16), h(17))]) == [
        (h(10), h(14)),
        (h(16), h(17)),
    ]
    assert subtract([(h(8), h(22))], [(h(10), h(18))]) == [(h(8), h(10)), (h(18), h(22))]
    assert subtract([(h(10), h(12))], [(h(9), h(13))]) == []


def test_self_service_hours_are_the_hours_without_staff():
    day = compute_day(
        branch_id=1,
        day=MONDAY,
        hours=[HoursSpec("staffed", h(10), h(18)), HoursSpec("self_service", h(8), h(22))],
    )
    assert day.is_open
    assert day.staffed_hours == 8
    assert day.self_service_hours == 6
    assert format_periods(day.self_service_periods) == "08.00–10.00, 18.00–22.00"


def test_a_partial_closure_shortens_the_day_and_says_so():
    closure = ClosureSpec(MONDAY, MONDAY, h(16), None, "all", "Lockdown from 16")
    day = compute_day(
        branch_id=1,
        day=MONDAY,
        hours=[HoursSpec("staffed", h(10), h(18)), HoursSpec("self_service", h(8), h(22))],
        closures=[closure],
    )
    assert day.staffed_hours == 6
    assert day.self_service_hours == 2  # 08–10 remains; 18–22 is inside the closure
    assert day.partly_closed
    assert day.closures == ("Lockdown from 16",)


def test_a_self_service_closure_leaves_the_staffed_hours():
    closure = ClosureSpec(MONDAY, MONDAY, None, None, "self_service", "No self-service")
    day = compute_day(
        branch_id=1,
        day=MONDAY,
        hours=[HoursSpec("staffed", h(10), h(18)), HoursSpec("self_service", h(8), h(22))],
        closures=[closure],
    )
    assert (day.staffed_hours, day.self_service_hours) == (8, 0)


def test_a_holiday_closes_the_whole_day():
    day = compute_day(
        branch_id=1, day=MONDAY, hours=[HoursSpec("staffed", h(10), h(18))], holiday="Juledag"
    )
    assert not day.is_open
    assert day.holiday == "Juledag"
    assert day.scheduled_minutes == 480


def test_public_holidays_close_every_library(world):
    weekly_schedule(world.north, staffed=(time(10), time(18)), self_service=(time(8), time(22)))
    christmas = opening_day(branch=world.north, day=date(2021, 12, 25))
    assert not christmas.is_open
    assert christmas.holiday in {"Juledag", "Christmas Day"}
    assert opening_day(branch=world.north, day=date(2021, 12, 27)).open_hours == 14


def test_holidays_count_as_open_when_the_organisation_says_so(world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north)
    assert opening_day(branch=world.north, day=date(2021, 12, 25)).staffed_hours == 8


def test_a_closure_of_months_closes_every_day_in_it(world):
    weekly_schedule(world.north, self_service=(time(7), time(22)))
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2020, 3, 13),
        end_date=date(2020, 5, 17),
        reason="COVID-19",
    )
    days = opening_calendar(branches=[world.north], start=date(2020, 3, 1), end=date(2020, 5, 31))[
        world.north.pk
    ]
    closed = [d.day for d in days.values() if not d.is_open]
    # 66 days of lockdown (13 March to 17 May), plus Kristi himmelfartsdag (21 May) and
    # Pinsedag (31 May); Easter and Store bededag fall inside the lockdown.
    assert len(closed) == 66 + 2
    assert days[date(2020, 4, 1)].closures == ("COVID-19",)
    assert days[date(2020, 5, 18)].open_hours == 15
    summary = summarise(days.values())
    assert (summary.days, summary.open_days, summary.closed_days) == (92, 24, 68)


def test_a_closure_for_one_branch_leaves_the_others_open(world):
    weekly_schedule(world.north)
    weekly_schedule(world.south)
    closure = Closure.objects.create(
        organisation=world.organisation, start_date=MONDAY, end_date=MONDAY, reason="Renovation"
    )
    closure.branches.set([world.south])
    assert opening_day(branch=world.north, day=MONDAY).is_open
    assert not opening_day(branch=world.south, day=MONDAY).is_open


def test_a_temporary_schedule_overrides_the_standing_one(world):
    weekly_schedule(world.north, staffed=(time(10), time(18)))
    weekly_schedule(
        world.north,
        staffed=(time(12), time(15)),
        valid_from=date(2021, 7, 1),
        valid_to=date(2021, 7, 31),
        name="Summer",
    )
    assert opening_day(branch=world.north, day=date(2021, 6, 30)).staffed_hours == 8
    assert opening_day(branch=world.north, day=date(2021, 7, 5)).staffed_hours == 3
    assert opening_day(branch=world.north, day=date(2021, 8, 2)).staffed_hours == 8


def test_days_without_hours_in_the_schedule_are_closed(world):
    weekly_schedule(world.north, weekdays=range(5))  # Monday to Friday
    assert not opening_day(branch=world.north, day=date(2021, 3, 6)).is_open  # a Saturday


def test_a_branch_is_closed_outside_its_active_period(world):
    world.north.active_from = date(2021, 3, 2)
    world.north.save()
    weekly_schedule(world.north)
    before = opening_day(branch=world.north, day=MONDAY)
    assert not before.is_open and before.inactive
    assert opening_day(branch=world.north, day=date(2021, 3, 2)).is_open


def test_an_online_branch_is_never_open(world):
    online = Branch.objects.create(
        organisation=world.organisation, name="Online", area_type=Branch.AreaType.ONLINE
    )
    weekly_schedule(online)
    assert not opening_day(branch=online, day=MONDAY).is_open


def test_a_year_for_many_branches_takes_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    for branch in (world.north, world.south):
        weekly_schedule(branch)
        Closure.objects.create(
            organisation=world.organisation, start_date=MONDAY, end_date=MONDAY, reason="x"
        ).branches.set([branch])
    # The website's day-level calendar for part of the year adds three queries, not one a day.
    CalendarCoverage.objects.create(
        branch=world.north, start_date=date(2021, 3, 1), end_date=date(2021, 5, 31)
    )
    branches = list(Branch.objects.select_related("organisation"))
    with django_assert_max_num_queries(7):
        calendar = opening_calendar(
            branches=branches, start=date(2021, 1, 1), end=date(2021, 12, 31)
        )
    assert len(calendar[world.north.pk]) == 365


def test_libraries_without_their_organisation_loaded_take_no_query_each(
    world, django_assert_max_num_queries
):
    for n in range(6):
        weekly_schedule(Branch.objects.create(organisation=world.organisation, name=f"Filial {n}"))
    # No select_related: the organisations are not loaded with the libraries.
    branches = list(Branch.objects.filter(organisation=world.organisation))
    assert len(branches) == 8
    with django_assert_max_num_queries(5):
        calendar = opening_calendar(branches=branches, start=MONDAY, end=MONDAY)
    assert all(calendar[b.pk][MONDAY] for b in branches)


def test_deleting_a_library_takes_its_own_closures_but_closes_no_other(world):
    weekly_schedule(world.north)
    own = Closure.objects.create(
        organisation=world.organisation, start_date=MONDAY, end_date=MONDAY, reason="Renovering Syd"
    )
    own.branches.set([world.south])
    shared = Closure.objects.create(
        organisation=world.organisation, start_date=MONDAY, end_date=MONDAY, reason="Strejke"
    )
    shared.branches.set([world.south, world.other_branch])
    world.south.delete()
    assert not Closure.objects.filter(pk=own.pk).exists()
    assert list(Closure.objects.get(pk=shared.pk).branches.all()) == [world.other_branch]
    assert opening_day(branch=world.north, day=MONDAY).is_open


def test_the_last_representable_date_does_not_overflow(world):
    weekly_schedule(world.north)
    assert opening_day(branch=world.north, day=date(9999, 12, 31)).is_open


def test_kept_calendars_are_worked_out_again_when_what_they_read_changes(
    world, django_assert_num_queries
):
    """The goals engine keeps a scope's calendar between requests under a fingerprint of the
    organisation's libraries, schedules, hours, closures and the audit log."""
    from bibliotal.core.opening import calendar_stamp, kept_scope_days

    weekly_schedule(world.north)
    stamp = calendar_stamp([world.organisation.pk])
    first = kept_scope_days([world.north], MONDAY, MONDAY, stamp=stamp)
    assert first.open[MONDAY]
    with django_assert_num_queries(0):
        assert kept_scope_days([world.north], MONDAY, MONDAY, stamp=stamp) == first
    assert calendar_stamp([world.organisation.pk]) == stamp  # nothing changed
    Closure.objects.create(
        organisation=world.organisation, start_date=MONDAY, end_date=MONDAY, reason="Renovation"
    )
    changed = calendar_stamp([world.organisation.pk])
    assert changed != stamp
    assert not kept_scope_days([world.north], MONDAY, MONDAY, stamp=changed).open[MONDAY]
    # A closure written in bulk, which the audit log does not see, changes it too.
    Closure.objects.bulk_create(
        [Closure(organisation=world.organisation, start_date=MONDAY, end_date=MONDAY)]
    )
    assert calendar_stamp([world.organisation.pk]) != changed


def test_the_stamp_of_no_organisation_is_one_all_the_same(db):
    """A scope without libraries (a target for an area type no library has) reads nothing."""
    from bibliotal.core.opening import calendar_stamp

    assert calendar_stamp([]) == calendar_stamp([])


def test_a_calendars_fast_day_is_the_dataclass_itself():
    """``open_day`` skips the frozen dataclass's ``__init__``: the day it makes has the same
    fields, derived minutes, equality, hash and pickle as ``OpenDay(...)``."""
    import pickle

    for parts in [
        (((h(10), h(18)),), ((h(8), h(10)), (h(18), h(22))), h(14), "", (), False),
        ((), (), h(8), "Juledag", (), False),
        (((h(10), h(12)),), (), h(8), "", ("Personalemøde",), False),
        ((), (), 0, "", (), True),
    ]:
        slow, fast = OpenDay(7, MONDAY, *parts), open_day(7, MONDAY, parts)
        assert vars(fast) == vars(slow)
        assert (fast, hash(fast), repr(fast)) == (slow, hash(slow), repr(slow))
        assert pickle.loads(pickle.dumps(fast)) == slow
        assert (fast.is_open, fast.open_hours) == (slow.is_open, slow.open_hours)
    assert open_day(7, MONDAY, parts) is not open_day(7, MONDAY, parts)
