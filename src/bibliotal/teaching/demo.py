"""Demo teaching for Herning 2019–2021: schools, a course catalogue, bookings and sessions.

About 9,000–11,000 pupil attendances in a normal year (2019), none while the libraries or the
schools were closed, none in the summer holiday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bibliotal.core.demo import MAIN, YEARS, DemoContext, demo_step
from bibliotal.core.models import Branch
from bibliotal.core.opening import opening_calendar

SCHOOLS = [
    # name, type, area type
    ("Brændgårdskolen", "folkeskole", "city"),
    ("Lindbjergskolen", "folkeskole", "city"),
    ("Tjørring Skole", "folkeskole", "city"),
    ("Vestervangsskolen", "folkeskole", "city"),
    ("Holtbjerg Skole", "folkeskole", "city"),
    ("Lind Skole", "folkeskole", "city"),
    ("Aulum-Hodsager Skole", "folkeskole", "centre_town"),
    ("Vildbjerg Skole", "folkeskole", "centre_town"),
    ("Kibæk Skole", "folkeskole", "centre_town"),
    ("Sunds Skole", "folkeskole", "centre_town"),
    ("Hammerum Skole", "folkeskole", "rural"),
    ("Gjellerup Skole", "folkeskole", "rural"),
    ("Sinding-Ørre Midtpunkt", "folkeskole", "rural"),
    ("Herning Friskole", "friskole", "city"),
    ("Ikast-Brande Efterskole", "efterskole", "rural"),
    ("Herning Gymnasium", "gymnasium", "city"),
    ("Herning HF og VUC", "hf", "city"),
    ("Herningsholm Erhvervsskole", "eud", "city"),
    ("10. klasse Herning", "10_klasse", "city"),
]
COURSES = [
    # title, theme, grades, sessions per class, pupils at most
    ("Søg smart og kildekritik", "digital", ["7", "8", "9", "10"], 1, 30),
    ("Digital dannelse på mellemtrinnet", "digital", ["4", "5", "6"], 2, 28),
    ("Informationssøgning til SRP og SOP", "digital", ["youth"], 1, 35),
    ("Læselyst i indskolingen", "literature", ["0", "1", "2", "3"], 1, 28),
    ("Bogsnak og læseklub", "literature", ["4", "5", "6", "7"], 3, 28),
    ("Litteratur og film", "literature", ["8", "9", "10", "youth"], 1, 30),
    ("Bibliotekets rum og tilbud", "other", ["0", "1", "2", "3", "4", "5", "6"], 1, 28),
]
GRADES_BY_KIND = {
    "folkeskole": [str(g) for g in range(0, 10)],
    "friskole": [str(g) for g in range(0, 10)],
    "efterskole": ["8", "9", "10"],
    "gymnasium": ["youth"],
    "hf": ["youth"],
    "eud": ["youth"],
    "10_klasse": ["10"],
}
SEASON = {1: 1.1, 2: 1.0, 3: 1.2, 4: 1.0, 5: 1.0, 6: 0.6, 8: 0.7, 9: 1.3, 10: 1.1, 11: 1.3, 12: 0.8}
SESSIONS_PER_SCHOOL_DAY = 1.9


@demo_step(order=30, name="teaching")
def teaching_step(context: DemoContext) -> None:
    from bibliotal.teaching.models import Booking, Course, Institution, TeachingSession

    organisation = context.organisation
    rng = context.rng("teaching")
    institutions = []
    for name, kind, area in SCHOOLS:
        institution, _ = Institution.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={"kind": kind, "area_type": area, "municipality": "Herning"},
        )
        institutions.append(institution)
    main = Branch.objects.select_related("organisation").get(organisation=organisation, name=MAIN)
    courses = []
    for title, theme, grades, sessions, capacity in COURSES:
        course, _ = Course.objects.get_or_create(
            organisation=organisation,
            title=title,
            defaults={
                "theme": theme,
                "grade_levels": grades,
                "sessions": sessions,
                "capacity": capacity,
                "branch": main,
                "published": True,
                "duration_minutes": 90,
                "description": "Et forløb fra Herning Bibliotekernes læringsteam.",
                "learning_goals": "Eleverne kan søge, vurdere og bruge kilder og "
                "litteratur alderssvarende.",
                "contact_email": "undervisning@example.org",
            },
        )
        courses.append(course)
    if TeachingSession.objects.filter(branch__organisation=organisation).exists():
        return  # the sessions are generated once
    start, end = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
    calendar = opening_calendar(branches=[main], start=start, end=end)[main.pk]
    staff = list(
        organisation.memberships.filter(role__in=["coordinator", "staff"]).values_list(
            "user_id", flat=True
        )
    )
    sessions = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        info = calendar[day]
        if day.weekday() >= 5 or day.month == 7 or not info.is_open or info.holiday:
            continue
        if any("COVID" in reason for reason in info.closures):
            continue  # no classes came while the libraries or the schools were closed
        if day < date(2020, 8, 10) and day >= date(2020, 3, 11):
            continue  # the schools sent no classes before the new school year in 2020
        count = max(0, round(rng.gauss(SESSIONS_PER_SCHOOL_DAY * SEASON.get(day.month, 1), 0.8)))
        for number in range(count):
            course = rng.choice(courses)
            candidates = [
                i for i in institutions if set(GRADES_BY_KIND[i.kind]) & set(course.grade_levels)
            ]
            institution = rng.choice(candidates)
            grade = rng.choice(
                sorted(set(GRADES_BY_KIND[institution.kind]) & set(course.grade_levels))
            )
            class_name = _class_name(grade, rng.choice("abcd"))
            pupils = max(8, min(course.capacity, round(rng.gauss(23, 3))))
            sessions.append(
                TeachingSession(
                    course=course,
                    day=day,
                    start_time=time(8 + 2 * number % 6, 15),
                    branch=main,
                    place=course.place,
                    institution=institution,
                    class_name=class_name,
                    grade=grade,
                    theme=course.theme,
                    pupils_present=pupils,
                    teachers_present=1 + (rng.random() < 0.3),
                )
            )
    TeachingSession.objects.bulk_create(sessions, batch_size=1000)
    if staff:
        through = TeachingSession.staff.through
        saved = TeachingSession.objects.filter(branch=main).values_list("pk", flat=True)
        through.objects.bulk_create(
            [through(teachingsession_id=pk, user_id=rng.choice(staff)) for pk in saved],
            batch_size=2000,
        )
    # A few open requests and accepted bookings after the demo years, for the inbox.
    for index, course in enumerate(courses[:4]):
        institution = next(  # a school whose classes the course is for
            (
                i
                for i in institutions[index * 3 :] + institutions
                if set(GRADES_BY_KIND[i.kind]) & set(course.grade_levels)
            ),
            institutions[index * 3],
        )
        grade = sorted(
            set(GRADES_BY_KIND[institution.kind]) & set(course.grade_levels) or course.grade_levels
        )[0]
        Booking.objects.get_or_create(
            course=course,
            institution=institution,
            class_name=_class_name(grade, "a"),
            grade=grade,
            defaults={
                "expected_pupils": 24,
                "teacher_name": "Lærer Jensen",
                "teacher_email": "laerer@example.org",
                "wished_dates": "En tirsdag eller torsdag formiddag",
                "status": Booking.Status.ACCEPTED if index % 2 else Booking.Status.REQUESTED,
                "scheduled_at": timezone.make_aware(
                    datetime.combine(timezone.localdate() + timedelta(days=7 + index), time(9))
                )
                if index % 2
                else None,
            },
        )
    per_year = {}
    for session in sessions:
        per_year[session.day.year] = per_year.get(session.day.year, 0) + session.pupils_present
    context.log.append(
        "Pupils taught (attendances): "
        + ", ".join(f"{y}: {n:,}".replace(",", ".") for y, n in sorted(per_year.items()))
    )


def _class_name(grade: str, letter: str) -> str:
    """A class as a teacher writes it: "8.a"; a first-year class in youth education "1.a"."""
    return f"1.{letter}" if grade == "youth" else f"{grade}.{letter}"
