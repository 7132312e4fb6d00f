"""Every page of Bibliotal, as the person who uses it: the walk the accessibility tests take.

``walk(world)`` makes a little of everything (goals, events, teaching, visits, digital figures,
an import job, links for an invitation and a password reset …) and returns the pages to visit,
each with who visits it. ``EXCLUDED`` names the URL patterns that are not pages (files, feeds,
fragments, redirects, form targets), each with the reason. ``tests/core/test_page_walk.py``
fails when a named URL pattern is neither walked nor excluded, so a new page is never
forgotten: add it to ``walk`` (or, if it is no page, to ``EXCLUDED`` with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

# Namespaces that are not Bibliotal's pages: Django's admin for superusers (Django's own
# templates, left out of the accessibility statement) and the HTTP API (JSON).
OTHER_NAMESPACES = ("admin", "api")

EXCLUDED: dict[str, str] = {
    "core:panel": "a fragment the start page loads into itself: walked with the start page",
    "core:healthz": "plain text for the load balancer",
    "core:liveness": "JSON for a container's liveness probe, no page",
    "core:setup": "gone (404) once an organisation exists: walked by test_setup_page_is_clean",
    "core:import_job_confirm": "a form's target (POST): answers with a redirect",
    "core:import_job_cancel": "a form's target (POST): answers with a redirect",
    "core:token_revoke": "a form's target (POST): answers with a redirect",
    "core:logout": "a form's target (POST): answers with a redirect",
    "core:oidc_authenticate": "a redirect to the municipality's sign-in (404 when it is off)",
    "core:oidc_callback": "the sign-in's way back: a redirect (404 when it is off)",
    "goals:year_publish": "a form's target (POST): answers with a redirect",
    "guidance:kiosk_home": "a redirect to the paired tally page or to the login",
    "teaching:calendar_feed": "an iCalendar feed, not a page",
    "events:programme_ics": "an iCalendar feed, not a page",
    "reports:comparison_peers": "a form's target (POST): answers with a redirect",
    "reports:comparison_upload": "a form's target (POST): answers with a redirect",
    "reports:report_download": "a PDF or Word file, not a page",
    "reports:statistics_download": "a spreadsheet, not a page",
    "set_language": "a form's target (POST): answers with a redirect",
}


@dataclass(frozen=True)
class Stop:
    path: str
    who: str  # "anonymous", or the World's attribute of the person (staff, manager …)


def named_patterns() -> set[str]:
    """Every named URL pattern of Bibliotal's pages ("core:home"), besides admin and API."""
    found: set[str] = set()

    def visit(resolver, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                if inner in OTHER_NAMESPACES:
                    continue
                name = ":".join(n for n in (namespace, inner) if n) if inner else namespace
                visit(pattern, name)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    visit(get_resolver(), None)
    return found


def view_name(path: str) -> str:
    return resolve(path.split("?", 1)[0]).view_name


def walk(world) -> list[Stop]:
    """Make the data the pages show and return the stops, grouped by who visits them."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from bibliotal.core.accounts import invitation_tokens
    from bibliotal.core.models import (
        ApiToken,
        Closure,
        ImportJob,
        OpeningSchedule,
        ServicePoint,
    )
    from bibliotal.digital.models import Campaign, DigitalFigure, Platform, QuotaChange
    from bibliotal.digital.periods import month_end
    from bibliotal.events.models import EventOccurrence
    from bibliotal.goals.models import BudgetYear, FocusArea, Target
    from bibliotal.goals.services import import_budget_document
    from bibliotal.guidance.models import KioskDevice
    from bibliotal.teaching.models import Booking, Course, Institution, TeachingSession
    from bibliotal.visits.models import CounterReading, Sensor
    from tests.conftest import make_user, weekly_schedule
    from tests.goals.test_goal_pages import SEED

    org = world.organisation
    north = world.north
    schedule = weekly_schedule(
        north, staffed=(time(10), time(18)), self_service=(time(8), time(22))
    )
    closure = Closure.objects.create(
        organisation=org,
        start_date=date(2021, 3, 1),
        end_date=date(2021, 3, 5),
        reason="Renovering",
    )
    desk = ServicePoint.objects.get(branch=north, name="Skranken")
    kiosk = KioskDevice(service_point=desk, name="Skranke-tablet", created_by=world.administrator)
    kiosk_key = kiosk.set_new_key()
    kiosk.save()

    import_budget_document(organisation=org, data=SEED, filename="seed.txt")
    target = Target.objects.get(indicator="guidance")
    area = FocusArea.objects.filter(budget_year__organisation=org).first()
    BudgetYear.objects.filter(organisation=org, year=2021).update(published_at=timezone.now())

    course = Course.objects.create(
        organisation=org,
        title="Søg smart",
        theme="digital",
        grade_levels=["8"],
        branch=north,
        published=True,
    )
    school = Institution.objects.create(organisation=org, name="Nordby Skole", kind="school")
    booking = Booking.objects.create(
        course=course,
        institution=school,
        class_name="8.a",
        grade="8",
        expected_pupils=24,
        teacher_name="Lærer Jensen",
        teacher_email="jensen@nordby-skole.example",
        wished_dates="En tirsdag i marts",
    )
    session = TeachingSession.objects.create(
        course=course,
        booking=booking,
        day=date(2021, 3, 9),
        branch=north,
        institution=school,
        class_name="8.a",
        grade="8",
        theme="digital",
        pupils_present=23,
    )
    event = EventOccurrence.objects.create(
        organisation=org, title="Bogcafé", branch=north, starts_at=timezone.now()
    )

    gate = Sensor.objects.create(organisation=org, branch=north, name="N-1")
    for hour, count in enumerate([2, 9, 17, 26, 34, 40]):  # every step of the heat map's scale
        starts = timezone.make_aware(datetime.combine(timezone.localdate(), time(10 + hour)))
        CounterReading.objects.create(
            sensor=gate,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            count_in=count,
            count_out=count,
        )
    go = Platform.objects.create(
        organisation=org, name="eReolen Go", kind="ereolen_go", for_children=True
    )
    for month in range(1, 13):
        start = date(2021, month, 1)
        for band, value in (("children", 500 + month), ("young", 100 + month)):
            DigitalFigure.objects.create(
                platform=go,
                metric="loans",
                material="ebook",
                age_band=band,
                start=start,
                end=month_end(start),
                value=value,
            )
        DigitalFigure.objects.create(
            platform=go,
            metric="unique_users",
            method="login",
            start=start,
            end=month_end(start),
            value=900 + month,
        )
    QuotaChange.objects.create(platform=go, day=date(2021, 3, 1), quota_before=3, quota_after=5)
    campaign = Campaign.objects.create(
        organisation=org,
        title="eReolen Go i skolerne",
        offer=go,
        start=date(2021, 9, 1),
        end=date(2021, 9, 30),
        indicators=["child_ebook_loans", "digital_unique_users"],
    )
    job = ImportJob.objects.create(
        organisation=org,
        user=world.manager,
        kind="visits",
        filename="taeller.csv",
        status=ImportJob.Status.DONE,
        lines=["12 rækker læst"],
    )
    ApiToken.issue(user=world.administrator, name="Statistik-script")

    invited = make_user("invited")
    invited.set_unusable_password()
    invited.email = "ny@testrup.example"
    invited.save()
    from bibliotal.core.models import Membership

    Membership.objects.create(user=invited, organisation=org, role="staff")
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    welcome = f"/account/welcome/{uid}/{invitation_tokens.make_token(invited)}/"
    staff_uid = urlsafe_base64_encode(force_bytes(world.staff.pk))
    reset = f"/account/reset/{staff_uid}/{default_token_generator.make_token(world.staff)}/"

    anonymous = [
        "/account/login/",
        "/account/reset/",
        "/account/reset/sent/",
        reset,  # Django sends it on to the same address with the token kept in the session
        "/account/reset/done/",
        welcome,
        "/accessibility/",
        f"/accessibility/{org.pk}/",
        f"/goals/public/{org.pk}/",
        f"/goals/public/{org.pk}/2021/",
        "/teaching/courses/",
        f"/teaching/courses/of/{org.pk}/",
        f"/teaching/courses/{course.slug}/",
        f"/teaching/courses/{course.slug}/thanks/",
        "/events/programme/",
        f"/events/programme/{org.pk}/",
        f"/guidance/kiosk/pair/?key={kiosk_key}",
    ]
    staff = [
        "/",
        f"/guidance/tally/{desk.pk}/",
        "/guidance/",
        "/guidance/typed/",
        "/guidance/kiosk/unpair/",
        "/libraries/",
        f"/libraries/{north.pk}/?year=2021",
        "/closures/?year=2021",
        "/completeness/",
        "/visits/",
        "/digital/?year=2021",
        "/goals/",
        "/goals/2021/",
        f"/goals/2021/targets/{target.pk}/",
        "/reports/",
        "/account/password/",
        "/account/password/done/",
    ]
    coordinator = [
        "/events/",
        "/events/awaiting/",
        "/events/new/",
        f"/events/{event.pk}/",
        f"/events/{event.pk}/attendance/",
        "/events/import/",
        "/events/categories/",
        "/events/report/",
        "/teaching/",
        "/teaching/bookings/",
        f"/teaching/bookings/{booking.pk}/",
        "/teaching/sessions/",
        "/teaching/sessions/new/",
        f"/teaching/sessions/{session.pk}/",
        "/teaching/manage/",
        "/teaching/manage/new/",
        f"/teaching/manage/{course.pk}/",
        "/teaching/institutions/",
        "/teaching/reach/",
    ]
    manager = [
        "/guidance/summary/",
        "/account/status-email/",
        "/visits/flags/",
        "/visits/import/",
        "/visits/formats/",
        "/visits/sensors/",
        "/visits/manual/",
        "/visits/new-users/",
        "/digital/import/",
        "/digital/review/",
        f"/digital/month/?platform={go.pk}&month=2021-03",
        "/digital/platforms/",
        "/digital/quotas/",
        "/digital/campaigns/",
        "/digital/campaigns/new/",
        f"/digital/campaigns/{campaign.pk}/",
        f"/digital/campaigns/{campaign.pk}/edit/",
        f"/goals/2021/targets/{target.pk}/edit/",
        f"/goals/2021/focus-areas/{area.pk}/edit/",
        "/goals/import/",
        "/reports/2021/",
        "/reports/2021/?at=2021-06-30",
        f"/reports/2021/targets/{target.pk}/comment/",
        "/reports/settings/",
        "/reports/comparison/",
        "/audit/",
        f"/imports/{job.pk}/",
    ]
    administrator = [
        "/libraries/new/",
        f"/libraries/{north.pk}/edit/",
        f"/libraries/{world.south.pk}/delete/",
        f"/libraries/{north.pk}/service-points/",
        f"/libraries/{north.pk}/service-points/{desk.pk}/",
        f"/libraries/{north.pk}/hours/new/",
        f"/libraries/{north.pk}/hours/{schedule.pk}/",
        f"/libraries/{north.pk}/hours/{schedule.pk}/delete/",
        "/closures/new/",
        f"/closures/{closure.pk}/",
        f"/closures/{closure.pk}/delete/",
        "/integrations/",
        "/integrations/libraries/",
        "/integrations/opening-categories/",
        "/staff/",
        "/staff/invite/",
        f"/staff/{world.staff.pk}/",
        f"/staff/{invited.pk}/",
        "/api-tokens/",
        "/accessibility/settings/",
    ]
    assert OpeningSchedule.objects.filter(pk=schedule.pk).exists()
    return [
        *(Stop(path, "anonymous") for path in anonymous),
        *(Stop(path, "staff") for path in staff),
        *(Stop(path, "coordinator") for path in coordinator),
        *(Stop(path, "manager") for path in manager),
        *(Stop(path, "administrator") for path in administrator),
    ]
