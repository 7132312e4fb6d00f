"""Teaching: a teacher books, staff answer and record the session, the goal moves."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.imports import ImportRejected
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from bibliotal.teaching.indicators import PupilsTaughtProvider, dst_user_education
from bibliotal.teaching.models import Booking, Institution, TeachingSession
from bibliotal.teaching.services import import_institutions, purge_teacher_contacts
from tests.teaching.conftest import booking_data

DATA = Path(__file__).resolve().parents[1] / "data" / "teaching"


def test_a_teacher_books_on_the_public_page_without_an_account(client, world, course, school):
    page = client.get(reverse("teaching:course_public", args=[course.slug]))
    assert page.status_code == 200 and "Søg smart" in page.content.decode()
    response = client.post(
        reverse("teaching:course_public", args=[course.slug]), booking_data(school)
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.school_name, booking.expected_pupils, booking.status) == (
        "Nordby Skole",
        24,
        "requested",
    )
    assert [m.to for m in mail.outbox] == [["anne@skole.example"], ["team@example.org"]]


def test_the_booking_form_is_validated(client, world, course, school):
    url = reverse("teaching:course_public", args=[course.slug])
    content = client.post(
        url, booking_data(school, institution="", expected_pupils=40, grade="2")
    ).content.decode()
    assert "Vælg skolen eller skriv dens navn." in content
    assert "Forløbet tager højst 30 elever." in content
    assert Booking.objects.count() == 0


def test_robots_and_floods_are_kept_out(client, world, course, school):
    url = reverse("teaching:course_public", args=[course.slug])
    assert client.post(url, booking_data(school, website="http://spam")).status_code == 302
    assert Booking.objects.count() == 0 and mail.outbox == []
    for number in range(5):
        client.post(url, booking_data(school, teacher_email=f"laerer{number}@skole.example"))
    response = client.post(url, booking_data(school, teacher_email="ny@skole.example"))
    assert "For mange bookinger" in response.content.decode()
    assert Booking.objects.count() == 5


def test_one_address_cannot_be_sent_the_librarys_mail_again_and_again(
    client, world, course, school
):
    url = reverse("teaching:course_public", args=[course.slug])
    for _ in range(3):
        client.post(
            url,
            booking_data(school, teacher_email="offer@example.com"),
            REMOTE_ADDR=f"10.0.0.{_ + 1}",
        )
    response = client.post(
        url, booking_data(school, teacher_email="offer@example.com"), REMOTE_ADDR="10.0.0.9"
    )
    assert "For mange bookinger" in response.content.decode()
    assert Booking.objects.count() == 3


def test_the_confirmation_repeats_nothing_the_sender_typed(client, world, course, school):
    url = reverse("teaching:course_public", args=[course.slug])
    client.post(url, booking_data(school, wished_dates="Besøg http://spam.example nu"))
    assert "spam.example" not in mail.outbox[0].body


def test_ipv6_neighbours_share_one_limit(rf, settings):
    from bibliotal.teaching.views import client_address

    one = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    two = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert client_address(one) == client_address(two) == "2001:db8:1:2::/64"
    settings.TRUST_PROXY_HEADERS = True
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert client_address(behind) == "5.6.7.8"


def test_a_mail_server_that_is_down_loses_no_booking(client, world, course, school, settings):
    from bibliotal.core.mail.models import OutboxMessage

    settings.EMAIL_BACKEND = "tests.teaching.failing_mail.Backend"
    url = reverse("teaching:course_public", args=[course.slug])
    assert client.post(url, booking_data(school)).status_code == 302
    assert Booking.objects.count() == 1
    booking = Booking.objects.get()
    client.force_login(world.coordinator)
    client.cookies["django_language"] = "en"
    when = timezone.localtime() + timedelta(days=10)
    response = client.post(
        reverse("teaching:booking_detail", args=[booking.pk]),
        {"decision": "accepted", "scheduled_at": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "could not be sent yet: it waits in the outbox" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "accepted"
    # The confirmation, the team's notice and the answer wait for the worker's next attempt.
    waiting = OutboxMessage.objects.filter(state="waiting", about=f"teaching.booking:{booking.pk}")
    assert waiting.count() == 3


def test_unpublished_courses_are_not_bookable(client, world, course):
    course.published = False
    course.save()
    assert client.get(reverse("teaching:course_public", args=[course.slug])).status_code == 404


def test_staff_accept_and_the_teacher_is_told(client, world, course, school):
    booking = Booking.objects.create(
        course=course, **{**booking_data(school), "institution": school}
    )
    client.force_login(world.coordinator)
    when = timezone.localtime() + timedelta(days=10)
    response = client.post(
        reverse("teaching:booking_detail", args=[booking.pk]),
        {
            "decision": "accepted",
            "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"),
            "note": "Vi glæder os",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "accepted" and booking.handled_by == world.coordinator
    assert mail.outbox[-1].to == ["anne@skole.example"]
    assert "bekræftet" in mail.outbox[-1].body and "Vi glæder os" in mail.outbox[-1].body
    feed = client.get(reverse("teaching:calendar_feed"))
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
    assert b"Nordby Skole\\, 8.b" in feed.content  # iCalendar escapes the comma


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 403), ("coordinator", 200), ("manager", 200), ("outsider", 403)]
)
def test_only_coordinators_and_managers_see_the_team_pages(client, world, who, status):
    client.force_login(getattr(world, who))
    for name in (
        "teaching:home",
        "teaching:booking_list",
        "teaching:session_list",
        "teaching:course_list",
        "teaching:institution_list",
        "teaching:reach",
    ):
        assert client.get(reverse(name)).status_code == status, name


def test_another_organisations_booking_is_not_found(client, world, course, school):
    booking = Booking.objects.create(
        course=course, **{**booking_data(school), "institution": school}
    )
    client.force_login(world.stranger)
    assert client.get(reverse("teaching:booking_detail", args=[booking.pk])).status_code == 404


def session(course, school, day, pupils, class_name="8.b", **extra):
    return TeachingSession.objects.create(
        course=course,
        day=day,
        branch=course.branch,
        institution=school,
        class_name=class_name,
        grade="8",
        theme=course.theme,
        pupils_present=pupils,
        **extra,
    )


def test_unique_pupils_count_a_class_once_per_course_attendances_every_time(world, course, school):
    for day, pupils in ((date(2021, 3, 1), 22), (date(2021, 3, 8), 24), (date(2021, 3, 15), 23)):
        session(course, school, day, pupils)
    session(course, school, date(2021, 3, 1), 20, class_name="8.a")
    session(course, None, date(2021, 3, 2), 15, class_name="")  # cannot be matched: its own
    provider = PupilsTaughtProvider()

    def total(measure):
        return sum(
            v.value
            for v in provider.daily_values(
                organisation=world.organisation,
                start=date(2021, 1, 1),
                end=date(2021, 12, 31),
                branch_ids=None,
                measure=measure,
            )
        )

    assert total("attendances") == 22 + 24 + 23 + 20 + 15
    assert total("unique") == 24 + 20 + 15
    assert dst_user_education(
        organisation=world.organisation, start=date(2021, 1, 1), end=date(2021, 12, 31)
    ) == {"lessons": 5, "participants": 104}


def test_a_recorded_session_moves_the_goal(client, world, course, school):
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(
            organisation=world.organisation, year=timezone.localdate().year
        ),
        title="Læring",
    )
    Target.objects.create(
        focus_area=area, indicator="pupils_taught", kind="at_least", threshold=Decimal("9000")
    )
    booking = Booking.objects.create(
        course=course, status="accepted", **{**booking_data(school), "institution": school}
    )
    client.force_login(world.coordinator)
    form = client.get(reverse("teaching:session_new"), {"booking": booking.pk})
    assert form.context["form"].initial["pupils_present"] == 24
    response = client.post(
        reverse("teaching:session_new"),
        {
            "booking": booking.pk,
            "course": course.pk,
            "day": timezone.localdate().isoformat(),
            "start_time": "09:00",
            "branch": world.north.pk,
            "place": "library",
            "institution": school.pk,
            "class_name": "8.b",
            "grade": "8",
            "theme": "digital",
            "pupils_present": 23,
            "teachers_present": 2,
            "staff": [world.coordinator.pk],
        },
    )
    assert response.status_code == 302
    saved = TeachingSession.objects.get()
    assert saved.booking == booking and list(saved.staff.all()) == [world.coordinator]
    [row] = status_rows(organisation=world.organisation, year=timezone.localdate().year)
    assert row["actual"] == 23.0


def test_a_session_in_the_future_is_refused(client, world, course):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("teaching:session_new"),
        {
            "course": course.pk,
            "day": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "branch": world.north.pk,
            "place": "library",
            "grade": "8",
            "theme": "digital",
            "pupils_present": 20,
            "teachers_present": 1,
        },
    )
    assert "Registrér en undervisningsgang, når den er afholdt." in response.content.decode()


def test_contact_data_is_deleted_after_the_course_and_the_counts_remain(world, course, school):
    booking = Booking.objects.create(
        course=course, status="accepted", **{**booking_data(school), "institution": school}
    )
    session(course, school, date(2021, 3, 1), 22, booking=booking)
    recent = Booking.objects.create(
        course=course,
        status="accepted",
        scheduled_at=timezone.now() + timedelta(days=3),
        **{**booking_data(school), "institution": school},
    )
    unanswered = Booking.objects.create(
        course=course, status="requested", **{**booking_data(school), "institution": school}
    )
    Booking.objects.filter(pk=unanswered.pk).update(
        created_at=timezone.make_aware(datetime(2021, 1, 5))
    )
    deleted = purge_teacher_contacts(now=timezone.make_aware(datetime(2021, 4, 15)), days=30)
    assert deleted == 2
    unanswered.refresh_from_db()
    assert (unanswered.teacher_email, unanswered.wished_dates) == ("", "")
    from bibliotal.core.models import AuditEntry

    assert AuditEntry.objects.filter(note="teacher contact data deleted").count() == 2
    assert not AuditEntry.objects.filter(changes__icontains="anne@skole.example").exists()
    with pytest.raises(ValueError):
        purge_teacher_contacts(days=-5)
    booking.refresh_from_db()
    recent.refresh_from_db()
    assert (booking.teacher_name, booking.teacher_email) == ("", "")
    assert booking.contact_deleted_at is not None and recent.teacher_email
    assert booking.wished_dates == ""
    assert TeachingSession.objects.get().pupils_present == 22


def test_institutions_import_from_windows_1252_and_twice_changes_nothing(world):
    data = (DATA / "institutions-cp1252.csv").read_bytes()
    result = import_institutions(organisation=world.organisation, data=data, filename="skoler.csv")
    assert (result.created, result.updated) == (3, 0)
    assert Institution.objects.get(name="Brændgårdskolen").kind == "folkeskole"
    assert Institution.objects.get(name="Kibæk Skole").area_type == "centre_town"
    again = import_institutions(organisation=world.organisation, data=data, filename="skoler.csv")
    assert again.already_imported and Institution.objects.count() == 3


def test_a_bad_institutions_file_names_each_row_and_saves_nothing(world):
    with pytest.raises(ImportRejected) as error:
        import_institutions(
            organisation=world.organisation,
            data=(DATA / "institutions-broken.csv").read_bytes(),
            filename="skoler.csv",
        )
    assert [str(e) for e in error.value.errors] == [
        "skoler.csv, linje 3, kolonne navn: Navnet mangler. (værdi: '')",
        "skoler.csv, linje 4, kolonne type: Ukendt type; brug folkeskole, friskole, efterskole, "
        "gymnasium, HF, EUD, 10. klasse eller andet. (værdi: 'universitet')",
        "skoler.csv, linje 5, kolonne områdetype: Ukendt områdetype; brug by, centerby eller "
        "landområde. (værdi: 'bjerg')",
    ]
    assert Institution.objects.count() == 0


def test_the_reach_report_lists_schools_not_reached(client, world, course, school):
    other = Institution.objects.create(
        organisation=world.organisation, name="Sydby Skole", kind="folkeskole", area_type="rural"
    )
    session(course, school, date(2021, 3, 1), 22)
    client.force_login(world.coordinator)
    response = client.get(reverse("teaching:reach"), {"year": 2021})
    assert list(response.context["not_reached"]) == [other]
    assert response.context["attendances"] == 22.0


def test_the_api_registers_a_session_and_refuses_another_organisations_library(
    client, world, course
):
    client.force_login(world.coordinator)
    payload = {
        "course_id": course.pk,
        "day": "2021-03-01",
        "branch_id": world.north.pk,
        "grade": "8",
        "theme": "digital",
        "pupils_present": 25,
    }
    response = client.post("/api/v1/teaching/sessions", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["pupils_present"] == 25
    bad = client.post(
        "/api/v1/teaching/sessions",
        {**payload, "branch_id": world.other_branch.pk},
        content_type="application/json",
    )
    assert bad.status_code == 422
    client.force_login(world.staff)
    assert (
        client.get(
            "/api/v1/teaching/sessions", {"from": "2021-01-01", "to": "2021-12-31"}
        ).status_code
        == 403
    )


def test_a_start_time_with_a_time_zone_is_refused_with_422_and_nothing_stored(
    client, world, course
):
    """SQLite answered an HTML 500 and PostgreSQL cut "10:00+02:00" to 10:00 without a word."""
    client.force_login(world.coordinator)
    payload = {
        "course_id": course.pk,
        "day": "2021-03-01",
        "branch_id": world.north.pk,
        "grade": "8",
        "theme": "digital",
        "pupils_present": 25,
    }
    refused = client.post(
        "/api/v1/teaching/sessions",
        {**payload, "start_time": "10:00:00+02:00"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "time zone" in refused.content.decode()
    assert not TeachingSession.objects.exists()
    stored = client.post(
        "/api/v1/teaching/sessions",
        {**payload, "start_time": "10:00"},
        content_type="application/json",
    )
    assert stored.status_code == 201
    assert TeachingSession.objects.get().start_time.isoformat() == "10:00:00"


def test_the_demo_teaches_about_ten_thousand_in_a_normal_year(db):
    from django.db.models import Sum

    call_command("demo", "--no-serve")
    per_year = {
        y: TeachingSession.objects.filter(day__year=y).aggregate(n=Sum("pupils_present"))["n"]
        for y in (2019, 2020, 2021)
    }
    assert 9_000 <= per_year[2019] <= 11_000
    assert not TeachingSession.objects.filter(
        day__gte=date(2020, 12, 17), day__lte=date(2021, 4, 20)
    ).exists()
    count = TeachingSession.objects.count()
    call_command("demo", "--no-serve")
    assert TeachingSession.objects.count() == count


def test_a_class_booked_with_a_typed_school_counts_once(world, course):
    booking = Booking.objects.create(
        course=course,
        institution_name="Ny Friskole",
        class_name="8.b",
        grade="8",
        expected_pupils=20,
        wished_dates="x",
    )
    for day in (date(2021, 3, 1), date(2021, 3, 8), date(2021, 3, 15)):
        session(course, None, day, 20, booking=booking)
    assert unique_total(world, date(2021, 1, 1), date(2021, 12, 31)) == 20


def unique_total(world, start, end):
    return sum(
        v.value
        for v in PupilsTaughtProvider().daily_values(
            organisation=world.organisation, start=start, end=end, branch_ids=None, measure="unique"
        )
    )


def test_next_years_class_of_the_same_name_is_other_pupils(world, course, school):
    session(course, school, date(2021, 3, 1), 22)  # 8.b in the school year 2020/21
    session(course, school, date(2021, 10, 4), 25)  # the new 8.b, 2021/22
    assert unique_total(world, date(2021, 1, 1), date(2021, 12, 31)) == 47


def test_a_course_across_new_year_counts_in_the_year_it_began(world, course, school):
    session(course, school, date(2020, 12, 7), 22)
    session(course, school, date(2021, 1, 11), 22)
    assert unique_total(world, date(2020, 1, 1), date(2020, 12, 31)) == 22
    assert unique_total(world, date(2021, 1, 1), date(2021, 12, 31)) == 0


def test_a_session_with_no_pupils_reaches_no_school(client, world, course, school):
    session(course, school, date(2021, 3, 1), 0)
    client.force_login(world.coordinator)
    response = client.get(reverse("teaching:reach"), {"year": 2021})
    assert list(response.context["not_reached"]) == [school]


@pytest.mark.parametrize("query", [{"year": "0"}, {"year": "10000"}, {"year": "abc"}])
def test_odd_years_show_this_year_instead_of_failing(client, world, query):
    client.force_login(world.coordinator)
    assert client.get(reverse("teaching:reach"), query).status_code == 200


def test_odd_months_and_bookings_do_not_fail(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse("teaching:session_list"), {"month": "0001-01"}).status_code == 200
    assert client.get(reverse("teaching:session_list"), {"month": "9999-12"}).status_code == 200
    assert client.get(reverse("teaching:session_new"), {"booking": "abc"}).status_code == 404


def test_the_calendar_key_reads_the_feed_and_nothing_else(client, world):
    client.force_login(world.coordinator)
    key = client.get(reverse("teaching:home")).context["calendar_key"]
    client.logout()
    assert client.get(reverse("teaching:calendar_feed"), {"key": key}).status_code == 200
    assert (
        client.get(
            "/api/v1/teaching/bookings", headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 401
    )
    assert client.get(reverse("teaching:calendar_feed"), {"key": "bc_wrong"}).status_code == 401


def test_an_import_names_the_physical_line_after_a_quoted_line_break(world):
    data = (
        'navn;type;kommune;områdetype\n"Skole med\nlinjeskift";folkeskole;Herning;by\n'
        "Anden Skole;universitet;Herning;by\n"
    ).encode()
    with pytest.raises(ImportRejected) as error:
        import_institutions(organisation=world.organisation, data=data, filename="s.csv")
    assert str(error.value.errors[0]).startswith("s.csv, linje 4, kolonne type")


def test_an_overlong_name_is_named_not_crashed_on(world):
    data = ("navn;type\n" + "x" * 201 + ";folkeskole\n").encode()
    with pytest.raises(ImportRejected) as error:
        import_institutions(organisation=world.organisation, data=data, filename="s.csv")
    assert "Højst 200 tegn." in str(error.value.errors[0])
