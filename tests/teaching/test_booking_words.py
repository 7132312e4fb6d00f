"""What a teacher reads: the class as written, the confirmation e-mail with everything needed to
turn up, the thank-you page with the booking (theirs only), the library's name on the public
pages, and course addresses with æ, ø and å."""

from datetime import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from bibliotal.core.models import Branch
from bibliotal.core.text import danish_slugify
from bibliotal.teaching.models import Booking, Course, CourseAddress, TeachingSession, class_label
from bibliotal.teaching.services import decide_booking
from bibliotal.teaching.summary import answer_text

from .conftest import booking_data

transliterate = import_module(
    "bibliotal.teaching.migrations.0004_danish_course_addresses"
).transliterate


@pytest.fixture
def booking(course, school):
    return Booking.objects.create(course=course, **{**booking_data(school), "institution": school})


@pytest.fixture
def place(world, course):
    Branch.objects.filter(pk=world.north.pk).update(
        street="Østergade 8", postcode="7400", city="Herning"
    )
    course.branch.refresh_from_db()
    course.contact_phone = "96 28 82 00"
    course.duration_minutes = 90
    course.save()
    world.coordinator.first_name, world.coordinator.last_name = "Lise", "Holm"
    world.coordinator.email = "lise@bibliotek.example"
    world.coordinator.save()
    return course


# -- the class ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("school", "class_name", "grade", "shown"),
    [
        ("Aulum-Hodsager Skole", "8.a", "8", "Aulum-Hodsager Skole, 8.a"),
        ("Aulum-Hodsager Skole", "  udskoling 8.a ", "8", "Aulum-Hodsager Skole, udskoling 8.a"),
        ("Herning Gymnasium", "1.x", "youth", "Herning Gymnasium, 1.x"),
        (
            "Herning Gymnasium",
            "",
            "youth",
            "Herning Gymnasium, Youth education (gymnasium, HF, EUD …)",
        ),
        ("", "7.b", "7", "7.b"),
    ],
)
def test_a_class_reads_as_the_teacher_wrote_it_never_as_a_code(school, class_name, grade, shown):
    with translation.override("en"):
        assert class_label(school, class_name, grade) == shown


def test_bookings_and_sessions_show_school_and_class_everywhere(client, world, booking, school):
    assert str(booking) == "Søg smart: Nordby Skole, 8.b"
    session = TeachingSession.objects.create(
        day=timezone.localdate(),
        branch=world.north,
        institution=school,
        class_name="8.b",
        grade="8",
        theme="digital",
        pupils_present=20,
    )
    assert session.class_label == "Nordby Skole, 8.b"
    client.force_login(world.coordinator)
    listing = client.get(reverse("teaching:booking_list")).content.decode()
    assert "<td>Nordby Skole, 8.b</td>" in listing


def test_the_demo_writes_classes_as_teachers_do(db):
    from bibliotal.teaching.demo import _class_name

    assert _class_name("8", "a") == "8.a"
    assert _class_name("youth", "b") == "1.b"


# -- the e-mail that answers the teacher --------------------------------------------------------


def test_the_confirmation_says_where_when_who_and_how_to_change_it(world, booking, place):
    when = timezone.make_aware(datetime(2027, 1, 12, 10, 0))
    with translation.override("da"):
        decide_booking(
            booking=booking, user=world.coordinator, status="accepted", scheduled_at=when
        )
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == ["anne@skole.example"]
    for expected in (
        "Kære Anne Lærer",
        "Søg smart",
        "tirsdag 12. januar 2027",
        "10.00–11.30",  # the time from start to end
        "Nord Bibliotek, Østergade 8, 7400 Herning",  # the place with its address
        "Nordby Skole, 8.b",
        "24",  # pupils
        "Lise Holm",  # who answered
        "lise@bibliotek.example",
        "team@example.org",
        "96 28 82 00",
        "aflyse eller flytte",
        "Venlig hilsen",
        "Testrup Bibliotekerne",
    ):
        assert expected in body, expected


def test_the_confirmation_in_english_names_each_fact(world, booking, place):
    booking.status = Booking.Status.ACCEPTED
    booking.scheduled_at = timezone.make_aware(datetime(2027, 1, 12, 10, 0))
    booking.handled_by = world.coordinator
    with translation.override("en"):
        text = answer_text(booking)
    assert "Place: Nord Bibliotek, Østergade 8, 7400 Herning" in text
    assert "Class: Nordby Skole, 8.b" in text
    assert "Pupils: 24" in text
    assert "write to team@example.org" in text
    assert text.endswith("Kind regards\nLise Holm\nNord Bibliotek, Testrup Bibliotekerne")


def test_a_declined_booking_says_so_without_a_time(world, booking, place):
    with translation.override("en"):
        decide_booking(booking=booking, user=world.coordinator, status="declined", note="Fuldt")
    body = mail.outbox[-1].body
    assert "Unfortunately we cannot take your booking of Søg smart." in body
    assert "Fuldt" in body and "When:" not in body and "cancel or move" not in body


def test_a_course_of_several_sessions_says_the_time_is_the_first(world, booking, place):
    place.sessions = 3
    place.save()
    booking.status = Booking.Status.ACCEPTED
    booking.scheduled_at = timezone.make_aware(datetime(2027, 1, 12, 10, 0))
    with translation.override("en"):
        assert "3 sessions for the class; the time above is the first" in answer_text(booking)


# -- the thank-you page -------------------------------------------------------------------------


def test_the_thank_you_page_repeats_the_booking_and_what_happens_next(client, course, school):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("teaching:course_public", args=[course.slug]), booking_data(school), follow=True
    )
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("teaching:booking_thanks", args=[course.slug])
    for expected in (
        "Your booking",
        "Søg smart",
        "Nord Bibliotek",
        "Nordby Skole, 8.b",
        "<dd>24</dd>",
        "Tirsdag 9. marts kl. 9",
        "What happens next",
        "anne@skole.example",
    ):
        assert expected in text, expected


def test_the_thank_you_page_shows_no_one_elses_booking(client, course, school):
    Booking.objects.create(course=course, **{**booking_data(school), "institution": school})
    client.cookies["django_language"] = "en"
    text = client.get(reverse("teaching:booking_thanks", args=[course.slug])).content.decode()
    assert "Thank you for your booking" in text
    assert "Nordby Skole" not in text and "anne@skole.example" not in text
    assert "Your booking" not in text


# -- the library's name on the public pages -----------------------------------------------------


@pytest.mark.parametrize("page", ["catalogue", "course", "thanks", "programme"])
def test_the_public_pages_carry_the_librarys_name_not_bibliotal(client, world, course, page):
    url = {
        "catalogue": reverse("teaching:catalogue_of", args=[world.organisation.pk]),
        "course": reverse("teaching:course_public", args=[course.slug]),
        "thanks": reverse("teaching:booking_thanks", args=[course.slug]),
        "programme": reverse("events:programme_of", args=[world.organisation.pk]),
    }[page]
    text = client.get(url).content.decode()
    title = text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.endswith("· Testrup Bibliotekerne") and "Bibliotal" not in title
    assert ">Testrup Bibliotekerne</a>" in text.split("</header>", 1)[0]
    assert 'class="brand" href="/' in text


def test_the_staffs_pages_still_say_bibliotal(client, world):
    client.force_login(world.coordinator)
    text = client.get(reverse("teaching:home")).content.decode()
    assert "· Bibliotal</title>" in text


# -- course addresses ---------------------------------------------------------------------------


def test_addresses_write_ae_oe_and_aa(world):
    course = Course.objects.create(
        organisation=world.organisation,
        title="Informationssøgning på nettet – for ældste",
        theme="digital",
        grade_levels=["9"],
        branch=world.north,
    )
    assert course.slug == "informationssoegning-paa-nettet-for-aeldste"
    assert danish_slugify("Æbler, Øl & Åer") == "aebler-oel-aaer"
    assert danish_slugify("Café Ünïcode") == "cafe-unicode"
    assert danish_slugify("!!!", fallback="tal") == "tal"


def test_reports_and_downloads_use_the_same_letters():
    from bibliotal.core.exports import file_part
    from bibliotal.reports.services import slug

    assert file_part("Besøg 2021") == "besoeg-2021"
    assert slug("Herning Bibliotekerne – Ærø") == "herning-bibliotekerne-aeroe"


def make_old_course(world, title, published=True):
    """A course saved with the address Django's slugify made before."""
    course = Course.objects.create(
        organisation=world.organisation,
        title=title,
        theme="digital",
        grade_levels=["9"],
        branch=world.north,
        published=published,
        slug=slugify(title)[:70],
    )
    return course


def test_the_migration_gives_old_addresses_the_letters_and_keeps_them_working(client, world):
    old = make_old_course(world, "Informationssøgning på nettet")
    plain = make_old_course(world, "Kildekritik")
    assert old.slug == "informationssgning-pa-nettet"
    transliterate(apps, None)
    old.refresh_from_db()
    plain.refresh_from_db()
    assert old.slug == "informationssoegning-paa-nettet"
    assert plain.slug == "kildekritik"  # nothing to change
    assert list(CourseAddress.objects.values_list("slug", flat=True)) == [
        "informationssgning-pa-nettet"
    ]
    moved = client.get("/teaching/courses/informationssgning-pa-nettet/?utm=mail")
    assert moved.status_code == 301
    assert moved["Location"] == "/teaching/courses/informationssoegning-paa-nettet/?utm=mail"
    thanks = client.get("/teaching/courses/informationssgning-pa-nettet/thanks/")
    assert thanks.status_code == 301
    assert thanks["Location"] == "/teaching/courses/informationssoegning-paa-nettet/thanks/"
    assert client.get(moved["Location"]).status_code == 200


def test_an_old_address_of_an_unpublished_course_is_not_found(client, world):
    make_old_course(world, "Læselyst", published=False)
    transliterate(apps, None)
    assert client.get("/teaching/courses/laeselyst/").status_code == 404
    assert client.get("/teaching/courses/lselyst/").status_code == 404
    assert client.get("/teaching/courses/aldrig-set/").status_code == 404


def test_a_new_course_never_takes_an_address_that_leads_elsewhere(world):
    old = make_old_course(world, "Læselyst")
    transliterate(apps, None)
    old.refresh_from_db()
    CourseAddress.objects.create(course=old, slug="kildekritik")
    new = Course.objects.create(
        organisation=world.organisation,
        title="Kildekritik",
        theme="digital",
        grade_levels=["9"],
        branch=world.north,
    )
    assert new.slug == "kildekritik-2"
