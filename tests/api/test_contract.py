"""The OpenAPI description is the contract: one name per schema, every error a Problem, and the
answers to bad requests the ones documented (422, 404, 400, 413, 401, never 500)."""

from __future__ import annotations

import enum
import typing
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import translation
from pydantic import BaseModel

from bibliotal.api.api import api
from bibliotal.api.schemas import MAX_ID

ERROR_CODES = {"400", "401", "403", "404", "409", "413", "422"}


@pytest.fixture
def openapi():
    return api.get_openapi_schema()


@pytest.fixture
def manager(world, capsys):
    call_command("token", "create", "manager", "--name", "Kontrakt")
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}


def operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def models_in(annotation, found: set) -> None:
    """Every model and enumeration an annotation uses, however deeply nested."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        if annotation in found:
            return
        found.add(annotation)
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        models_in(argument, found)


def test_no_two_schemas_share_a_name():
    found: set = set()
    for _path, operation in operations():
        for model in operation.models:
            models_in(model, found)
        for response in operation.response_models.values():
            if isinstance(response, type) and issubclass(response, BaseModel):
                models_in(response.model_fields["response"].annotation, found)
    by_name = defaultdict(set)
    for model in found:
        if model.__name__ not in {"NinjaResponseSchema"}:  # ninja's wrapper, never a component
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert {name: places for name, places in by_name.items() if len(places) > 1} == {}
    assert "CampaignComparisonOut" in by_name and "ComparisonOut" in by_name


def resolve(openapi, schema):
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_the_campaign_comparison_documents_its_own_fields(openapi):
    answer = openapi["paths"]["/api/v1/digital/campaigns/{campaign_id}"]["get"]["responses"]
    detail = resolve(openapi, answer[200]["content"]["application/json"]["schema"])
    row = resolve(openapi, detail["properties"]["comparison"]["items"])
    assert {"indicator", "during", "before", "last_year", "change_before", "windows"} <= set(
        row["properties"]
    )
    comparison = openapi["paths"]["/api/v1/comparison"]["get"]["responses"][200]
    municipal = resolve(openapi, comparison["content"]["application/json"]["schema"])
    assert {"measure", "rows", "years"} <= set(municipal["properties"])


def test_every_error_answer_is_documented_as_the_one_problem(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            responses = {str(code): answer for code, answer in operation["responses"].items()}
            assert {"401", "403"} <= set(responses), (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if operation.get("requestBody"):
                assert {"400", "413"} <= set(responses), (method, path)
            for code in set(responses) & ERROR_CODES:
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, code)


def test_the_problem_names_each_fault(openapi):
    problem = openapi["components"]["schemas"]["Problem"]
    assert problem["required"] == ["detail"]
    item = resolve(openapi, problem["properties"]["errors"]["items"])
    assert item["required"] == ["message"]
    assert {"location", "line", "column", "value", "key", "field"} <= set(item["properties"])


def test_a_request_that_does_not_validate_answers_a_problem_with_each_field(client, manager):
    response = client.get("/api/v1/visits/days", {"to": "2021-13-01"}, headers=manager)
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert [e["location"] for e in body["errors"]] == [["query", "from"], ["query", "to"]]
    assert all(set(e) == {"location", "message"} for e in body["errors"])


def test_a_batch_item_that_is_no_tap_is_named_by_its_place(client, world, manager):
    from bibliotal.core.models import ServicePoint
    from bibliotal.guidance.models import GuidanceTopic

    desk = ServicePoint.objects.get(branch=world.north)
    topic = GuidanceTopic.objects.filter(organisation=world.organisation).first()
    good = {"key": "a", "service_point": desk.pk, "topic": topic.pk}
    response = client.post(
        "/api/v1/guidance",
        {"items": [good, {**good, "key": "b", "topic": "x"}]},
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 422
    locations = [e["location"] for e in response.json()["errors"]]
    assert ["body", "payload", "items", 1, "topic"] in locations


def test_an_item_the_service_refuses_is_named_by_its_key(client, world, manager):
    from bibliotal.core.models import ServicePoint
    from bibliotal.guidance.models import GuidanceTopic

    desk = ServicePoint.objects.get(branch=world.north)
    topic = GuidanceTopic.objects.filter(organisation=world.other_organisation).first()
    client.cookies["django_language"] = "en"  # Danish whatever the browser asks for, else
    with translation.override("en"):
        response = client.post(
            "/api/v1/guidance",
            {"key": "k", "service_point": desk.pk, "topic": topic.pk},
            content_type="application/json",
            headers=manager | {"Accept-Language": "en"},
        )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Nothing was stored: every item is validated first."
    [error] = body["errors"]
    assert (error["key"], error["field"]) == ("k", "topic") and error["message"]


def test_without_a_token_the_answer_is_a_problem_that_says_how(client, db):
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/branches", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "API token" in response.json()["detail"]


def test_a_role_that_may_not_is_a_problem(client, world):
    client.force_login(world.outsider)
    response = client.get("/api/v1/branches")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this.", "errors": []}


def test_a_missing_thing_is_a_problem(client, world, manager):
    response = client.get(f"/api/v1/branches/{world.other_branch.pk}", headers=manager)
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_a_body_that_is_no_json_is_a_400_problem(client, manager):
    response = client.post(
        "/api/v1/digital/campaigns", "{not json", content_type="application/json", headers=manager
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_a_body_over_the_limit_is_a_413_problem(client, manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/digital/campaigns",
        {"title": "x" * 2000, "start": "2021-01-01", "end": "2021-01-02"},
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 413
    assert set(response.json()) == {"detail", "errors"}


TOO_BIG = str(MAX_ID + 1)


@pytest.mark.parametrize(
    "url",
    [
        # OverflowError on SQLite before: the ids went to the database unchecked.
        f"/api/v1/visits/days?from=2021-01-01&to=2021-01-02&branch_id={TOO_BIG}",
        f"/api/v1/digital/figures?from=2021-01-01&to=2021-01-02&platform_id={TOO_BIG}",
        f"/api/v1/branches/{TOO_BIG}",
        f"/api/v1/guidance/today?service_point={TOO_BIG}",
        "/api/v1/branches/0",
        # Years the calendar cannot step past.
        "/api/v1/events/occurrences?from=9999-12-30&to=9999-12-31",
        "/api/v1/guidance/summary?from=0001-01-01&to=0001-01-02",
        "/api/v1/goals/2021/status?at=9999-12-31",
    ],
)
def test_numbers_and_dates_beyond_the_databases_are_422(client, manager, url):
    response = client.get(url, headers=manager)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


CAMPAIGN = {"title": "x", "start": "2021-01-01", "end": "2021-01-02"}
EVENT = {"title": "x", "starts_at": "2021-01-01T10:00:00+01:00"}
SESSION = {"day": "2021-01-01", "grade": "1", "theme": "other", "pupils_present": 1}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        # "value too long for type character varying(200)" on PostgreSQL before.
        ("/api/v1/digital/campaigns", CAMPAIGN | {"title": "x" * 201}),
        ("/api/v1/digital/campaigns", CAMPAIGN | {"offer_id": TOO_BIG}),
        ("/api/v1/events/occurrences", EVENT | {"starts_at": "9999-12-31T23:00:00-05:00"}),
        ("/api/v1/events/occurrences", EVENT | {"capacity": 2**31}),
        ("/api/v1/teaching/sessions", SESSION | {"branch_id": TOO_BIG}),
        # "value too long for type character varying(80)" on PostgreSQL before.
        ("/api/v1/guidance/" + "k" * 81 + "/undo", None),
    ],
)
def test_bodies_beyond_the_databases_are_422(client, manager, url, body):
    response = client.post(url, body, content_type="application/json", headers=manager)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        # "PostgreSQL text fields cannot contain NUL (0x00) bytes" before, on PostgreSQL only.
        ("get", "/api/v1/teaching/bookings?status=a%00b", None),
        ("get", "/api/v1/digital/figures?from=2021-01-01&to=2021-01-02&metric=%00", None),
        ("post", "/api/v1/digital/campaigns", CAMPAIGN | {"title": "a\x00"}),
        ("post", "/api/v1/guidance/a%00b/undo", None),
    ],
)
def test_a_text_with_a_nul_character_is_422_on_both_databases(client, manager, method, url, body):
    response = getattr(client, method)(url, body, content_type="application/json", headers=manager)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["location"]


def test_an_address_the_api_does_not_have_is_a_404_problem(client, manager):
    for url in ["/api/v1/nothing", "/api/v1/guidance/a%2Fb/undo", "/api/v1/branches/1/2"]:
        response = client.post(url, headers=manager)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert set(response.json()) == {"detail", "errors"}
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_an_event_time_without_a_zone_is_on_the_librarys_clock(client, manager):
    response = client.post(
        "/api/v1/events/occurrences",
        EVENT | {"starts_at": "2021-07-01T19:00:00", "place": "Byparken"},
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 201, response.content
    assert response.json()["starts_at"] == "2021-07-01T19:00:00+02:00"
