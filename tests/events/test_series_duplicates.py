"""One club, one series: an import finds the series the organisation already has under another
spelling, and the migration merges the near-duplicates made before."""

from datetime import date, datetime
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from bibliotal.core.models import Branch
from bibliotal.events.models import EventOccurrence, EventSeries
from bibliotal.events.series import library_names, title_key
from bibliotal.events.services import import_events_ical

ICS = (
    Path(__file__).resolve().parents[1] / "data" / "events" / "herning-programme.ics"
).read_bytes()
UID = "laeseklub-2021@herning.example"
merge = import_module("bibliotal.events.migrations.0003_merge_near_duplicate_series").merge


@pytest.fixture
def herning(world):
    Branch.objects.filter(pk=world.north.pk).update(name="Herning Bibliotek")
    Branch.objects.filter(pk=world.south.pk).update(name="Aulum Bibliotek")
    world.north.refresh_from_db()
    world.south.refresh_from_db()
    return world


def load(world, data=ICS):
    return import_events_ical(
        organisation=world.organisation,
        data=data,
        filename="p.ics",
        default_branch=world.north,
        window_start=date(2021, 1, 1),
        window_end=date(2021, 12, 31),
    )


def series(world, title, *, branch=None, uid="", events=1):
    made = EventSeries.objects.create(
        organisation=world.organisation, title=title, external_uid=uid
    )
    for day in range(1, events + 1):
        EventOccurrence.objects.create(
            organisation=world.organisation,
            series=made,
            title=title,
            starts_at=timezone.make_aware(datetime(2020, 5, day, 19)),
            branch=branch,
            place="" if branch else "Et sted",
        )
    return made


LIBRARIES = [(1, "Aulum Bibliotek"), (2, "Herning Bibliotek"), (3, "Hammerum-Gjellerup Bibliotek")]


@pytest.mark.parametrize(
    ("title", "key", "library"),
    [
        ("Bogcafé", "bogcafé", None),
        ("  BOGCAFÉ  ", "bogcafé", None),
        ("Bogcafé, Aulum Bibliotek", "bogcafé", 1),
        ("Bogcafé – Aulum", "bogcafé", 1),
        ("Aulum: Bogcafé", "bogcafé", 1),
        ("Bogcafé i Aulum", "bogcafé", 1),
        ("Bogcafé 12. januar 2027", "bogcafé", None),
        ("Bogcafé (tirsdag 12. jan.)", "bogcafé", None),
        ("Bogcafé, 2027-01-12 kl. 10.00-12.00", "bogcafé", None),
        ("Bogcafé 12/1", "bogcafé", None),
        ("Bogcafé – forår 2027", "bogcafé forår", None),
        (
            "Rim, remser og babysalmesang, Hammerum-Gjellerup Bibliotek",
            "rim remser og babysalmesang",
            3,
        ),
        ("Læseklub for børn", "læseklub for børn", None),
        ("Læseklub for voksne", "læseklub for voksne", None),
        ("Tirsdagsforedrag", "tirsdagsforedrag", None),
        ("Sommer i juli", "sommer i juli", None),
        ("2027", "2027", None),
        ("Aulum", "aulum", None),
    ],
)
def test_a_title_key_keeps_the_words_and_drops_case_dates_punctuation_and_the_library(
    title, key, library
):
    assert title_key(title, library_names(LIBRARIES)) == (key, library)


def test_an_import_joins_the_series_typed_before_at_the_same_library(herning):
    typed = series(herning, "Læseklub for voksne, Herning Bibliotek", branch=herning.north)
    elsewhere = series(herning, "Læseklub for voksne, Aulum Bibliotek", branch=herning.south)
    load(herning)
    club = EventOccurrence.objects.filter(external_uid=UID)
    assert {o.series_id for o in club} == {typed.pk}
    typed.refresh_from_db()
    assert typed.external_uid == UID  # found by its key from now on
    assert elsewhere.occurrences.count() == 1
    load(herning, ICS.replace(b"Vi taler", b"Vi snakker"))  # the feed again, changed
    assert EventSeries.objects.filter(organisation=herning.organisation).count() == 2


def test_a_new_key_for_the_same_club_keeps_its_series(herning):
    load(herning)
    first = EventSeries.objects.get(external_uid=UID)
    # The website made the series again for a new season: a new UID, the same club.
    load(herning, ICS.replace(UID.encode(), b"laeseklub-2022@herning.example"))
    assert EventSeries.objects.filter(organisation=herning.organisation).count() == 1
    assert EventOccurrence.objects.filter(
        external_uid="laeseklub-2022@herning.example", series=first
    ).exists()


def test_a_club_of_the_same_name_at_another_library_is_its_own_series(herning):
    other = series(herning, "Læseklub for voksne", branch=herning.south, uid="aulum-club")
    load(herning)
    club = EventSeries.objects.get(external_uid=UID)
    assert club != other and club.title == "Læseklub for voksne"


def test_two_keys_in_one_import_stay_two_series(herning):
    second = (
        ICS.split(b"BEGIN:VEVENT", 1)[1]
        .split(b"END:VEVENT", 1)[0]
        .replace(UID.encode(), b"laeseklub-b@herning.example")
        .replace(b"20210907T", b"20210908T")
        .replace(b"EXDATE;TZID=Europe/Copenhagen:20211019T190000\r\n", b"")
        .replace(b"EXDATE;TZID=Europe/Copenhagen:20211019T190000\n", b"")
    )
    data = ICS.replace(b"END:VCALENDAR", b"BEGIN:VEVENT" + second + b"END:VEVENT\nEND:VCALENDAR")
    load(herning, data)
    assert EventSeries.objects.filter(organisation=herning.organisation).count() == 2


def test_the_migration_merges_near_duplicates_and_keeps_the_rest(herning):
    kept = series(herning, "Bogcafé, Aulum Bibliotek", branch=herning.south, events=3)
    website = series(herning, "Bogcafé", branch=herning.south, uid="dplcms-series:1", events=2)
    again = series(herning, " bogcafé (12. jan.)", branch=herning.south, events=1)
    herning_cafe = series(herning, "Bogcafé, Herning Bibliotek", branch=herning.north, events=2)
    other_club = series(herning, "Læseklub for børn, Aulum Bibliotek", branch=herning.south)
    other = EventSeries.objects.create(organisation=herning.other_organisation, title="Bogcafé")
    merge(apps, None)
    left = set(EventSeries.objects.values_list("pk", flat=True))
    assert left == {kept.pk, herning_cafe.pk, other_club.pk, other.pk}
    assert website.pk not in left and again.pk not in left
    kept.refresh_from_db()
    assert kept.occurrences.count() == 6
    assert kept.external_uid == "dplcms-series:1"  # the website finds it by its key
    assert kept.title == "Bogcafé, Aulum Bibliotek"


def test_the_migration_joins_a_series_without_a_library_to_its_one_namesake(herning):
    placed = series(herning, "Forfatteraften, Herning Bibliotek", branch=herning.north, events=2)
    series(herning, "Forfatteraften", events=1)  # at "Et sted": no library
    merge(apps, None)
    assert list(EventSeries.objects.values_list("pk", flat=True)) == [placed.pk]
