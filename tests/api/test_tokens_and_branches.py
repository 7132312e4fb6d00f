"""API tokens (created by command, stored hashed, listed, revocable) and GET /api/v1/branches."""

import pytest
from django.core.management import CommandError, call_command

from bibliotal.core.models import ApiToken


@pytest.fixture
def token(world, capsys):
    call_command("token", "create", "staff", "--name", "Tæller-script")
    return capsys.readouterr().out.strip()


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_token_create_prints_the_token_alone(world, token):
    assert token.startswith("bt_") and "\n" not in token and len(token) > 40
    stored = ApiToken.objects.get(user=world.staff)
    assert stored.key_digest == ApiToken.digest(token)
    assert token not in (stored.key_digest, stored.key_prefix)


def test_the_token_reads_the_organisations_branches(client, world, token):
    response = client.get("/api/v1/branches", headers=bearer(token))
    assert response.status_code == 200
    names = [b["name"] for b in response.json()]
    assert names == ["Nord Bibliotek", "Syd Bibliotek"]
    north = response.json()[0]
    assert north["service_points"] == [
        {"id": north["service_points"][0]["id"], "name": "Skranken", "kind": "desk", "active": True}
    ]
    assert ApiToken.objects.get(user=world.staff).last_used_at is not None


def test_no_token_or_a_wrong_token_is_refused(client, world, token):
    assert client.get("/api/v1/branches").status_code == 401
    assert client.get("/api/v1/branches", headers=bearer("bt_wrong")).status_code == 401


def test_a_revoked_token_is_refused(client, world, token, capsys):
    call_command("token", "revoke", token[:10])
    assert "Revoked" in capsys.readouterr().out
    assert client.get("/api/v1/branches", headers=bearer(token)).status_code == 401


def test_tokens_are_listed_without_their_secrets(world, token, capsys):
    call_command("token", "list")
    out = capsys.readouterr().out
    assert "Tæller-script" in out and "staff" in out and token not in out


def test_token_commands_explain_mistakes(world):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("token", "create", "nobody")
    with pytest.raises(CommandError, match="No active token matches"):
        call_command("token", "revoke", "bt_nothing")


def test_the_browser_session_also_works(client, world):
    client.force_login(world.manager)
    assert client.get("/api/v1/branches").status_code == 200


def test_an_outsider_is_refused_and_a_stranger_sees_only_their_own(client, world):
    client.force_login(world.outsider)
    assert client.get("/api/v1/branches").status_code == 403
    client.force_login(world.stranger)
    assert [b["name"] for b in client.get("/api/v1/branches").json()] == ["Andetsted Bibliotek"]
    assert client.get(f"/api/v1/branches/{world.north.pk}").status_code == 404


def test_opening_days_come_from_the_open_hours_function(client, world):
    from datetime import time

    from tests.conftest import weekly_schedule

    weekly_schedule(world.north, staffed=(time(10), time(18)), self_service=(time(8), time(22)))
    client.force_login(world.staff)
    response = client.get(
        f"/api/v1/branches/{world.north.pk}/opening", {"from": "2021-12-24", "to": "2021-12-26"}
    )
    assert response.status_code == 200
    days = response.json()
    assert [d["open"] for d in days] == [True, False, False]
    assert days[0]["staffed_hours"] == 8 and days[0]["self_service_hours"] == 6
    assert days[1]["holiday"]
    bad = client.get(
        f"/api/v1/branches/{world.north.pk}/opening", {"from": "2021-12-26", "to": "2021-12-24"}
    )
    assert bad.status_code == 422


def test_the_openapi_schema_describes_the_api(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Bibliotal API"
    assert "/api/v1/branches" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_a_token_is_revoked_by_a_short_start_of_its_key(client, world, token):
    call_command("token", "revoke", token[:7])
    assert client.get("/api/v1/branches", headers=bearer(token)).status_code == 401
