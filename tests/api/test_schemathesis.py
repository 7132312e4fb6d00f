"""Schemathesis against /api/v1/openapi.json, in process: every operation is called with
generated requests, valid and invalid, by an administrator of an organisation with figures, and
every answer must be no server error and exactly what the description promises (status code,
content type, headers, body).

Bounded for the suite: BIBLIOTAL_SCHEMATHESIS_EXAMPLES sets the examples per operation (15 by
default; 500 for a long run). Reproducible: the examples are derandomized.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bibliotal.core.models import ImportJob, ServicePoint
from bibliotal.guidance.models import GuidanceTopic
from bibliotal.teaching.models import Course, Institution
from tests.api.conftest import SCHEMATHESIS_EXAMPLES
from tests.conftest import weekly_schedule

DATA = Path(__file__).resolve().parents[1] / "data"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
COUNTER_FILE = (
    "Dato;Tid;Tæller;Ind;Ud\n07-09-2021;10:00;Nord-1;12;10\n07-09-2021;11:00;Nord-1;20;18\n"
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# The ids of the things the fixture made: generated ids mostly name nothing (a 404), so half
# the examples of an operation with ids in its path name these instead.
KNOWN: dict[str, object] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    real = {name: KNOWN[name] for name in path_parameters or () if name in KNOWN}
    if not real:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


@pytest.fixture
def connection_kept():
    """The WSGI handler closes the database connection after each request, as it should in
    production; in a test that would close the test's transaction (PostgreSQL) with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def figures(client, world, capsys):
    """An administrator's bearer header, in an organisation with a little of everything: opening
    hours, counted visits, digital figures, a campaign, an event, a session taught, a tap."""
    call_command("token", "create", "administrator", "--name", "Schemathesis")
    headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
    weekly_schedule(world.north, staffed=(time(10), time(18)))
    made = {}

    def post(url, payload, status=200):
        response = client.post(url, payload, content_type="application/json", headers=headers)
        assert response.status_code == status, response.content
        return response.json()

    visits = client.post(
        "/api/v1/visits/counter-files",
        {
            "file": SimpleUploadedFile("nord.csv", COUNTER_FILE.encode("cp1252")),
            "branch_id": world.north.pk,
        },
        headers=headers,
    )
    assert visits.status_code == 200, visits.content
    report = (DATA / "counter-r51" / "TRB1_sample_r51.json").read_bytes()
    digital = client.post(
        "/api/v1/digital/imports",
        {"file": SimpleUploadedFile("trb1.json", report)},
        headers=headers,
    )
    assert digital.status_code == 200, digital.content
    made["batch_id"] = digital.json()["batch_id"]
    made["campaign_id"] = post(
        "/api/v1/digital/campaigns",
        {"title": "Sommerlyd", "start": "2021-06-01", "end": "2021-08-31", "indicators": []},
        status=201,
    )["id"]
    made["occurrence_id"] = post(
        "/api/v1/events/occurrences",
        {"title": "Forfatteraften", "starts_at": "2021-09-07T19:00:00+02:00"}
        | {"branch_id": world.north.pk},
        status=201,
    )["id"]
    course = Course.objects.create(
        organisation=world.organisation, title="Søg smart", theme="digital", grade_levels=["8"]
    )
    school = Institution.objects.create(
        organisation=world.organisation, name="Nordby Skole", kind="folkeskole", area_type="city"
    )
    post(
        "/api/v1/teaching/sessions",
        {
            "course_id": course.pk,
            "institution_id": school.pk,
            "day": "2021-09-07",
            "branch_id": world.north.pk,
            "grade": "8",
            "theme": "digital",
            "pupils_present": 22,
        },
        status=201,
    )
    desk = ServicePoint.objects.get(branch=world.north)
    topic = GuidanceTopic.objects.filter(organisation=world.organisation).first()
    post("/api/v1/guidance", {"key": "schemathesis-1", "service_point": desk.pk, "topic": topic.pk})
    made |= {"branch_id": world.north.pk, "service_point": desk.pk, "key": "schemathesis-1"}
    made["job_id"] = ImportJob.objects.create(
        organisation=world.organisation,
        user=world.administrator,
        kind="visits",
        filename="stor.csv",
        status=ImportJob.Status.DONE,
        lines=["12 nye intervaller"],
    ).pk
    KNOWN.clear()
    KNOWN.update(made, year=2021)
    return headers, made


@schema.parametrize()
@settings(
    max_examples=SCHEMATHESIS_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # The organisation and its figures are made once per operation, not once per example: the
    # examples add to them, which is what a client's requests would do too.
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_description_says(case, figures, connection_kept):
    headers, _made = figures
    case.call_and_validate(headers=headers, checks=CHECKS)


# Requests that name things that exist, so that every 200 body is checked against its schema too
# (generated ids mostly name nothing).
PERIOD = {"from": "2021-01-01", "to": "2021-12-31"}
REAL_REQUESTS = [
    ("GET", "/api/v1/branches", {}, {}),
    ("GET", "/api/v1/branches/{branch_id}", {"branch_id"}, {}),
    ("GET", "/api/v1/branches/{branch_id}/opening", {"branch_id"}, PERIOD),
    ("GET", "/api/v1/goals/{year}/status", set(), {}),
    ("GET", "/api/v1/guidance/today", set(), {"service_point": None}),
    ("GET", "/api/v1/guidance/summary", set(), PERIOD | {"group_by": "day,topic"}),
    ("POST", "/api/v1/guidance/{key}/undo", {"key"}, {}),
    ("GET", "/api/v1/teaching/courses", set(), {}),
    ("GET", "/api/v1/teaching/bookings", set(), {}),
    ("GET", "/api/v1/teaching/sessions", set(), PERIOD),
    ("GET", "/api/v1/events/occurrences", set(), PERIOD),
    ("GET", "/api/v1/events/occurrences/{occurrence_id}", {"occurrence_id"}, {}),
    ("GET", "/api/v1/visits/days", set(), PERIOD),
    ("GET", "/api/v1/digital/platforms", set(), {}),
    ("GET", "/api/v1/digital/figures", set(), {"from": "2022-01-01", "to": "2022-12-31"}),
    ("GET", "/api/v1/digital/campaigns", set(), {}),
    ("GET", "/api/v1/digital/campaigns/{campaign_id}", {"campaign_id"}, {}),
    ("DELETE", "/api/v1/digital/imports/{batch_id}", {"batch_id"}, {}),
    ("GET", "/api/v1/reports/{year}/statistics", set(), {"format": "csv"}),
    ("GET", "/api/v1/comparison", set(), {}),
    ("GET", "/api/v1/completeness", set(), {"year": "2021"}),
    ("GET", "/api/v1/imports/{job_id}", {"job_id"}, {}),
]


@pytest.mark.parametrize(("method", "path", "names", "query"), REAL_REQUESTS)
def test_answers_about_real_things_match_their_schema(
    figures, connection_kept, method, path, names, query
):
    headers, made = figures
    parameters = {name: made[name] for name in names}
    if "{year}" in path:
        parameters["year"] = 2021
    query = {name: made[name] if value is None else value for name, value in query.items()}
    case = schema[path][method].Case(path_parameters=parameters, query=query)
    response = case.call_and_validate(headers=headers, checks=CHECKS[:-1])
    assert response.status_code == 200, response.text


def test_every_operation_is_tried():
    """A new endpoint is fuzzed without anyone adding it here, and one documented wrongly fails
    to load rather than being skipped."""
    operations = [result.ok() for result in schema.get_all_operations()]
    tried = {(method, path) for method, path, _names, _query in REAL_REQUESTS}
    assert len(operations) >= 29
    gets = {(o.method.upper(), o.path) for o in operations if o.method.upper() == "GET"}
    untried = gets - tried - {("GET", "/api/v1/reports/{year}")}  # a PDF takes seconds
    assert not untried
