"""A small fixture world: one organisation with two libraries, a staff member of one of them,
a coordinator, a manager and an administrator; a second organisation with its own member; and an
outsider with an account but no membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest
from django.contrib.auth import get_user_model

from bibliotal.core.models import (
    Branch,
    Membership,
    OpeningHours,
    OpeningSchedule,
    Organisation,
    Role,
    ServicePoint,
)

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests render templates without running collectstatic first, and hash passwords fast.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with an empty cache: the kept calendars and start-page panels of one
    # test's database are no answer for the next one's, whose ids may be the same.
    from django.core.cache import cache

    cache.clear()


def make_user(username: str, *, role: str | None = None, organisation=None, branches=()):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if role is not None:
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        membership.branches.set(branches)
    return user


def make_branch(organisation, name: str, **fields) -> Branch:
    return Branch.objects.create(organisation=organisation, name=name, **fields)


def weekly_schedule(
    branch,
    *,
    staffed=(time(10), time(18)),
    self_service=None,
    weekdays=range(7),
    valid_from=date(2019, 1, 1),
    valid_to=None,
    name="Normal",
):
    schedule = OpeningSchedule.objects.create(
        branch=branch, name=name, valid_from=valid_from, valid_to=valid_to
    )
    for weekday in weekdays:
        if staffed:
            OpeningHours.objects.create(
                schedule=schedule,
                weekday=weekday,
                kind=OpeningHours.Kind.STAFFED,
                opens=staffed[0],
                closes=staffed[1],
            )
        if self_service:
            OpeningHours.objects.create(
                schedule=schedule,
                weekday=weekday,
                kind=OpeningHours.Kind.SELF_SERVICE,
                opens=self_service[0],
                closes=self_service[1],
            )
    return schedule


@dataclass
class World:
    organisation: Organisation
    north: Branch
    south: Branch
    other_organisation: Organisation
    other_branch: Branch
    staff: object
    coordinator: object
    manager: object
    administrator: object
    stranger: object
    outsider: object


@pytest.fixture
def world(db) -> World:
    organisation = Organisation.objects.create(
        name="Testrup Bibliotekerne", municipality_code="999"
    )
    north = make_branch(organisation, "Nord Bibliotek", city="Nordby")
    south = make_branch(
        organisation, "Syd Bibliotek", city="Sydby", area_type=Branch.AreaType.RURAL
    )
    ServicePoint.objects.create(branch=north, name="Skranken")
    other = Organisation.objects.create(name="Andetsted Bibliotekerne", municipality_code="998")
    other_branch = make_branch(other, "Andetsted Bibliotek")
    return World(
        organisation=organisation,
        north=north,
        south=south,
        other_organisation=other,
        other_branch=other_branch,
        staff=make_user("staff", role=Role.STAFF, organisation=organisation, branches=[north]),
        coordinator=make_user("coordinator", role=Role.COORDINATOR, organisation=organisation),
        manager=make_user("manager", role=Role.MANAGER, organisation=organisation),
        administrator=make_user(
            "administrator", role=Role.ADMINISTRATOR, organisation=organisation
        ),
        stranger=make_user("stranger", role=Role.MANAGER, organisation=other),
        outsider=make_user("outsider"),
    )


@pytest.fixture
def provide():
    """Attach a provider to an indicator for one test, as an activity app would."""
    from bibliotal.goals import indicators

    previous = {}

    def attach(key: str, provider) -> None:
        previous.setdefault(key, indicators.get(key).provider)
        indicators.attach_provider(key, provider)

    yield attach
    for key, provider in previous.items():  # restore the app's own provider, if it has one
        if provider is None:
            indicators.detach_provider(key)
        else:
            indicators.attach_provider(key, provider)
