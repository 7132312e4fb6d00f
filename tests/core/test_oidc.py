"""Sign-in with the municipality's accounts through OpenID Connect, against a real provider.

The provider is django-oauth-toolkit in a process of its own on 127.0.0.1 (``tests/oidc_provider``);
the browser is the Django test client at Bibliotal and a ``requests`` session at the provider.
Bibliotal's backend calls the provider's discovery, token, JWKS and userinfo endpoints over HTTP.
"""

from __future__ import annotations

import html
import json
import os
import re
import runpy
import selectors
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

import bibliotal.settings
from bibliotal import envconf
from bibliotal.core import oidc
from bibliotal.core.checks import openid_connect_names
from bibliotal.core.models import AuditEntry, ExternalIdentity, Membership, Role
from tests.conftest import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "bibliotal-test"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
PROVIDER_PASSWORD = "the-provider's-password"
PEOPLE = {
    "anna": ("Anna", "Ås", "anna@testrup.dk"),
    "bo": ("Bo", "Bøgh", "bo@testrup.dk"),
    "carl": ("Carl", "Carlsen", "carl@testrup.dk"),
}
GROUPS = (
    "bib-ledere=manager; bib-koordinatorer=coordinator;"
    " bib-nord=staff:Nord Bibliotek; bib-syd=staff:Syd Bibliotek"
)


@dataclass
class Provider:
    issuer: str
    directory: Path

    def set_groups(self, **groups: list[str]) -> None:
        (self.directory / "groups.json").write_text(json.dumps(groups), encoding="utf-8")

    def requests_seen(self, after: int = 0) -> list[str]:
        """The paths the provider has answered (its request log), from line ``after`` on."""
        lines = (self.directory / "requests.log").read_text(encoding="utf-8").splitlines()
        return [line.split()[1] for line in lines[after:]]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    directory = tmp_path_factory.mktemp("oidc_provider")
    setup = {
        "people": [
            {
                "username": name,
                "password": PROVIDER_PASSWORD,
                "first_name": first,
                "last_name": last,
                "email": email,
            }
            for name, (first, last, email) in PEOPLE.items()
        ],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": ["http://testserver/account/oidc/callback/"],
        "post_logout_redirect_uris": ["http://testserver/account/login/"],
    }
    (directory / "setup.json").write_text(json.dumps(setup), encoding="utf-8")
    (directory / "groups.json").write_text("{}", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    stderr = (directory / "stderr.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(directory)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=60)
        port = process.stdout.readline().strip() if ready else ""
        if not port:
            process.kill()
            raise RuntimeError(
                "The test provider did not start: "
                + (directory / "stderr.log").read_text(encoding="utf-8")
            )
        issuer = f"http://127.0.0.1:{port}/o"
        requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).raise_for_status()
        yield Provider(issuer=issuer, directory=directory)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        stderr.close()


def bibliotal_settings(monkeypatch, tmp_path, **env: str) -> dict:
    """Bibliotal's settings.py, run afresh under these environment variables."""
    for name in list(os.environ):
        if name.startswith("BIBLIOTAL_OIDC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BIBLIOTAL_DATA_DIR", str(tmp_path / "data"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(envconf, "PROBLEMS", [])
    return runpy.run_path(bibliotal.settings.__file__)


@pytest.fixture
def configure(settings, monkeypatch, tmp_path, provider, world):
    """Turn sign-in through the provider on, from environment variables as in production."""

    def apply(**env: str) -> None:
        values = {
            "BIBLIOTAL_OIDC_ISSUER": provider.issuer,
            "BIBLIOTAL_OIDC_CLIENT_ID": CLIENT_ID,
            "BIBLIOTAL_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "BIBLIOTAL_OIDC_GROUPS": GROUPS,
            "BIBLIOTAL_OIDC_ORGANISATION": world.organisation.name,
            "BIBLIOTAL_OIDC_BUTTON_LABEL": "Log ind med Testrup Kommune",
            **env,
        }
        namespace = bibliotal_settings(monkeypatch, tmp_path, **values)
        assert namespace["SETTINGS_PROBLEMS"] == []
        for name in ("OPENID_CONNECT", "AUTHENTICATION_BACKENDS", "AXES_WHITELIST_CALLABLE"):
            setattr(settings, name, namespace[name])

    apply()
    return apply


def sign_in(client, browser: requests.Session, provider: Provider, username: str, next="/"):
    """Bibliotal's sign-in link, the provider's login (when the browser has no session there),
    and back to Bibliotal's callback with the code: Bibliotal's answer to the callback."""
    start = client.get(reverse("core:oidc_authenticate"), {"next": next})
    assert start.status_code == 302, start
    authorize = start["Location"]
    assert authorize.startswith(f"{provider.issuer}/authorize/?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid email profile"]
    answer = browser.get(authorize, allow_redirects=False)
    if answer.status_code == 302 and "/accounts/login/" in answer.headers["Location"]:
        login = urljoin(authorize, answer.headers["Location"])
        page = browser.get(login)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = browser.post(
            login,
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": PROVIDER_PASSWORD,
                "next": parse_qs(urlsplit(login).query)["next"][0],
            },
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text
        answer = browser.get(urljoin(login, answer.headers["Location"]), allow_redirects=False)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert (callback.scheme, callback.netloc, callback.path) == (
        "http",
        "testserver",
        reverse("core:oidc_callback"),
    )
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client):
    return client.get(reverse("core:home")).wsgi_request.user


# ---------------------------------------------------------------------------- the flow


def test_the_first_sign_in_makes_an_account_with_the_role_and_libraries_of_its_group(
    client, provider, configure, world
):
    provider.set_groups(anna=["bib-nord", "some-other-group"])
    seen = len(provider.requests_seen())
    response = sign_in(client, requests.Session(), provider, "anna", next="/libraries/")
    assert response.status_code == 302
    assert response["Location"] == "/libraries/"
    user = signed_in_user(client)
    assert user.is_authenticated
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "anna",
        "Anna",
        "Ås",
        "anna@testrup.dk",
    )
    assert not user.has_usable_password()
    assert user.membership.organisation == world.organisation
    assert user.membership.role == Role.STAFF
    assert list(user.membership.branches.all()) == [world.north]
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == provider.issuer
    assert identity.last_login_at is not None
    # Bibliotal's server, not the browser, fetched the code's tokens, keys and the userinfo.
    for _attempt in range(50):
        paths = provider.requests_seen(seen)
        if "/o/userinfo/" in paths:
            break
        time.sleep(0.02)
    assert {"/o/token/", "/o/.well-known/jwks.json", "/o/userinfo/"} <= set(paths)
    assert client.get("/libraries/").status_code == 200


def test_the_new_account_and_its_membership_are_in_the_organisations_audit_log(
    client, provider, configure, world
):
    provider.set_groups(anna=["bib-nord"])
    sign_in(client, requests.Session(), provider, "anna")
    entries = AuditEntry.objects.filter(source="oidc")
    assert {(e.model, e.action) for e in entries} == {
        ("auth.User", "create"),
        ("core.Membership", "create"),
        ("core.Membership", "update"),  # the library added
        ("core.ExternalIdentity", "create"),
    }
    assert {e.organisation_id for e in entries} == {world.organisation.pk}
    assert {e.actor_name for e in entries} == {"127.0.0.1"}
    branches = entries.get(model="core.Membership", action="update").changes
    assert branches == {"branches": {"added": ["Nord Bibliotek"]}}


def test_the_next_sign_in_follows_changed_groups_and_the_highest_role_wins(
    client, provider, configure, world
):
    browser = requests.Session()
    provider.set_groups(anna=["bib-nord"])
    sign_in(client, browser, provider, "anna")
    first = signed_in_user(client)
    client.post(reverse("core:logout"))
    AuditEntry.objects.all().delete()

    provider.set_groups(anna=["bib-syd", "bib-koordinatorer", "bib-ledere"])
    response = sign_in(client, browser, provider, "anna")  # still logged in at the provider
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.pk == first.pk
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.MANAGER
    assert list(membership.branches.all()) == [world.south]
    assert ExternalIdentity.objects.filter(user=user).count() == 1
    changes = [e.changes for e in AuditEntry.objects.filter(source="oidc", model="core.Membership")]
    assert {"role": ["staff", "manager"]} in changes
    assert {"branches": {"removed": ["Nord Bibliotek"]}} in changes
    assert {"branches": {"added": ["Syd Bibliotek"]}} in changes


def test_a_person_in_no_group_that_gives_access_is_refused_and_gets_no_account(
    client, provider, configure, world
):
    client.cookies["django_language"] = "en"
    provider.set_groups(bo=["kantinen"])
    response = sign_in(client, requests.Session(), provider, "bo")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login")
    page = client.get(response["Location"])
    assert "it is in none of the groups that do" in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated
    assert not get_user_model().objects.filter(username="bo").exists()
    assert not ExternalIdentity.objects.exists()
    assert not AccessAttempt.objects.exists()  # no password was guessed: nothing is locked


def test_a_closed_account_is_refused(client, provider, configure, world):
    client.cookies["django_language"] = "en"
    provider.set_groups(anna=["bib-ledere"])
    browser = requests.Session()
    sign_in(client, browser, provider, "anna")
    user = signed_in_user(client)
    client.post(reverse("core:logout"))
    user.is_active = False
    user.save()
    response = sign_in(client, browser, provider, "anna")
    page = client.get(response["Location"])
    assert "Your account in Bibliotal is closed." in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated


def test_an_existing_account_with_the_same_e_mail_and_name_is_not_taken_over(
    client, provider, configure, world
):
    local = make_user("anna", role=Role.ADMINISTRATOR, organisation=world.organisation)
    local.email = "anna@testrup.dk"
    local.save()
    provider.set_groups(anna=["bib-nord"])
    sign_in(client, requests.Session(), provider, "anna")
    user = signed_in_user(client)
    assert user.pk != local.pk
    assert user.username == "anna-2"
    assert user.membership.role == Role.STAFF
    local.refresh_from_db()
    assert local.membership.role == Role.ADMINISTRATOR
    assert local.check_password(PASSWORD)


def test_logging_out_ends_the_session_and_can_end_the_providers_too(
    client, provider, configure, world
):
    provider.set_groups(carl=["bib-ledere"])
    browser = requests.Session()
    sign_in(client, browser, provider, "carl")
    response = client.post(reverse("core:logout"))
    assert response["Location"] == reverse("core:login")
    assert not signed_in_user(client).is_authenticated

    configure(BIBLIOTAL_OIDC_PROVIDER_LOGOUT="on")
    client = Client()  # its pages' policy lets the logout form lead to the provider
    policy = client.get(reverse("core:login"))["Content-Security-Policy"]
    assert f"form-action 'self' {oidc.origin(provider.issuer)};" in policy
    sign_in(client, browser, provider, "carl")
    response = client.post(reverse("core:logout"))
    assert not signed_in_user(client).is_authenticated
    end = response["Location"]
    assert end.startswith(f"{provider.issuer}/logout/?")
    query = parse_qs(urlsplit(end).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/account/login/"]
    back = browser.get(end, allow_redirects=False)
    assert back.headers["Location"] == "http://testserver/account/login/"
    # Logged out at the provider too: the next sign-in asks for the password there again.
    start = client.get(reverse("core:oidc_authenticate"))
    answer = browser.get(start["Location"], allow_redirects=False)
    assert "/accounts/login/" in answer.headers["Location"]


# ---------------------------------------------------------------------------- the login page


def test_the_login_page_offers_the_provider_above_the_password_form(
    client, provider, configure, world
):
    page = client.get(reverse("core:login"), {"next": "/goals/"}).content.decode()
    link = f'href="{reverse("core:oidc_authenticate")}?next=/goals/"'
    assert link in page
    assert "Log ind med Testrup Kommune" in page
    assert page.index(link) < page.index('name="password"')
    assert "<details" not in page


def test_without_configuration_there_is_no_button_and_no_sign_in_pages(client, world):
    page = client.get(reverse("core:login")).content.decode()
    assert reverse("core:oidc_authenticate") not in page
    assert client.get(reverse("core:oidc_authenticate")).status_code == 404
    assert client.get(reverse("core:oidc_callback")).status_code == 404


def test_passwords_still_work_beside_the_provider_and_axes_still_counts_them(
    client, provider, configure, world
):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("core:login"), {"username": "staff", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert signed_in_user(client) == world.staff
    client.post(reverse("core:logout"))
    for _attempt in range(5):
        client.post(reverse("core:login"), {"username": "staff", "password": "wrong"})
    locked = client.post(reverse("core:login"), {"username": "staff", "password": PASSWORD})
    assert locked.status_code == 429
    assert not signed_in_user(client).is_authenticated


def test_with_passwords_turned_off_only_a_superuser_may_use_one(client, provider, configure, world):
    client.cookies["django_language"] = "en"
    configure(BIBLIOTAL_OIDC_LOCAL_PASSWORDS="off")
    page = client.get(reverse("core:login")).content.decode()
    assert "<summary>Administrators: log in with a password</summary>" in page
    refused = client.post(reverse("core:login"), {"username": "staff", "password": PASSWORD})
    assert refused.status_code == 200
    assert not refused.wsgi_request.user.is_authenticated
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    response = client.post(reverse("core:login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client).username == "root"


def test_a_provider_that_cannot_be_reached_is_said_so_on_the_login_page(
    client, provider, configure, world
):
    client.cookies["django_language"] = "en"
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    configure(BIBLIOTAL_OIDC_ISSUER=f"http://127.0.0.1:{port}/o")
    response = client.get(reverse("core:oidc_authenticate"))
    assert response["Location"] == reverse("core:login")
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "cannot reach the municipality's sign-in service just now" in page


# ---------------------------------------------------------------------------- configuration


def test_sign_in_through_the_provider_is_off_unless_configured(monkeypatch, tmp_path):
    namespace = bibliotal_settings(monkeypatch, tmp_path)
    assert namespace["OPENID_CONNECT"] is None
    assert namespace["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert namespace["SETTINGS_PROBLEMS"] == []


def test_the_settings_read_every_variable(monkeypatch, tmp_path):
    namespace = bibliotal_settings(
        monkeypatch,
        tmp_path,
        BIBLIOTAL_OIDC_ISSUER="https://login.microsoftonline.com/0000-tenant/v2.0",
        BIBLIOTAL_OIDC_CLIENT_ID="app-id",
        BIBLIOTAL_OIDC_CLIENT_SECRET="app-secret",
        BIBLIOTAL_OIDC_SCOPES="openid profile",
        BIBLIOTAL_OIDC_GROUPS_CLAIM="roles",
        BIBLIOTAL_OIDC_GROUPS=(
            "CN=Bibliotek ledere,OU=Grupper,DC=herning,DC=dk=manager\n"
            "8f1c-herning=staff:Herning Bibliotek, Sunds Bibliotek"
        ),
        BIBLIOTAL_OIDC_ORGANISATION="Herning Bibliotekerne",
        BIBLIOTAL_OIDC_BUTTON_LABEL="Log ind med Herning Kommune",
        BIBLIOTAL_OIDC_LOCAL_PASSWORDS="no",
        BIBLIOTAL_OIDC_PROVIDER_LOGOUT="yes",
    )
    assert namespace["SETTINGS_PROBLEMS"] == []
    assert namespace["OPENID_CONNECT"] == envconf.OidcConfig(
        issuer="https://login.microsoftonline.com/0000-tenant/v2.0",
        client_id="app-id",
        client_secret="app-secret",
        scopes=("openid", "profile"),
        groups_claim="roles",
        groups=(
            envconf.OidcGroup("CN=Bibliotek ledere,OU=Grupper,DC=herning,DC=dk", "manager"),
            envconf.OidcGroup("8f1c-herning", "staff", ("Herning Bibliotek", "Sunds Bibliotek")),
        ),
        organisation="Herning Bibliotekerne",
        button_label="Log ind med Herning Kommune",
        local_passwords=False,
        provider_logout=True,
    )
    assert namespace["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "bibliotal.core.oidc.Backend",
        "bibliotal.core.oidc.SuperuserPasswordBackend",
    ]


@pytest.mark.parametrize(
    ("env", "check_id", "variable", "words"),
    [
        ({"BIBLIOTAL_OIDC_CLIENT_ID": "app"}, "bibliotal.E020", "ISSUER", "is not"),
        ({"BIBLIOTAL_OIDC_CLIENT_SECRET": ""}, "bibliotal.E020", "CLIENT_SECRET", "is empty"),
        ({"BIBLIOTAL_OIDC_SCOPES": "email"}, "bibliotal.E020", "SCOPES", "lacks the scope"),
        (
            {"BIBLIOTAL_OIDC_ISSUER": "http://sso.herning.dk/"},
            "bibliotal.E021",
            "ISSUER",
            "not an https://",
        ),
        ({"BIBLIOTAL_OIDC_GROUPS": ""}, "bibliotal.E022", "GROUPS", "nobody could sign in"),
        ({"BIBLIOTAL_OIDC_GROUPS": "bib=boss"}, "bibliotal.E022", "GROUPS", "'bib=boss'"),
        ({"BIBLIOTAL_OIDC_GROUPS": "a=staff;A=manager"}, "bibliotal.E022", "GROUPS", "twice"),
    ],
)
def test_a_bad_configuration_is_a_problem_and_leaves_sign_in_off(
    monkeypatch, tmp_path, env, check_id, variable, words
):
    good = {
        "BIBLIOTAL_OIDC_ISSUER": "https://sso.herning.dk/realms/kommune",
        "BIBLIOTAL_OIDC_CLIENT_ID": "app",
        "BIBLIOTAL_OIDC_CLIENT_SECRET": "secret",
        "BIBLIOTAL_OIDC_GROUPS": "bib=staff",
    }
    if check_id == "bibliotal.E020" and variable == "ISSUER":
        good = {}
    namespace = bibliotal_settings(monkeypatch, tmp_path, **{**good, **env})
    assert namespace["OPENID_CONNECT"] is None
    [problem] = namespace["SETTINGS_PROBLEMS"]
    assert (problem.check_id, problem.variable) == (check_id, f"BIBLIOTAL_OIDC_{variable}")
    assert words in problem.message
    assert problem.hint


def test_names_the_database_does_not_know_are_warned_about(settings, world):
    settings.OPENID_CONNECT = envconf.OidcConfig(
        issuer="https://sso.example",
        client_id="app",
        client_secret="secret",
        scopes=("openid",),
        groups_claim="groups",
        groups=(envconf.OidcGroup("g", "staff", ("Nord Bibliotek", "Vest Bibliotek")),),
        organisation="Testrup Bibliotekerne",
        button_label="",
        local_passwords=True,
        provider_logout=False,
    )
    [warning] = openid_connect_names(None)
    assert warning.id == "bibliotal.W021"
    assert "Vest Bibliotek" in warning.msg
    assert "Nord Bibliotek" not in warning.msg
    settings.OPENID_CONNECT = envconf.OidcConfig(
        **{**settings.OPENID_CONNECT.__dict__, "organisation": "Ingensteds Bibliotekerne"}
    )
    assert [w.id for w in openid_connect_names(None)] == ["bibliotal.W020"]


def test_the_roles_of_the_settings_are_the_models_roles_in_rising_order():
    assert list(envconf.OIDC_ROLES) == list(Role.values) == oidc.ROLE_ORDER


def test_a_claim_can_be_a_single_value_or_inside_an_object():
    assert oidc.claim_values({"groups": "Bib"}, "groups") == {"bib"}
    assert oidc.claim_values({"realm_access": {"roles": ["a", "B"]}}, "realm_access.roles") == {
        "a",
        "b",
    }
    assert oidc.claim_values({"groups": 7}, "groups") == set()
    assert oidc.claim_values({}, "realm_access.roles") == set()


def test_an_id_token_for_another_client_or_from_another_issuer_is_not_accepted(provider, configure):
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.exceptions import SuspiciousOperation

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    good = {"iss": provider.issuer, "aud": CLIENT_ID, "sub": "1", "iat": now, "exp": now + 300}
    backend = oidc.Backend()
    assert backend._verify_jws(jwt.encode(good, key, "RS256"), key.public_key())["sub"] == "1"
    for wrong in ({"aud": "another-app"}, {"iss": "https://elsewhere.example"}, {"exp": now - 99}):
        token = jwt.encode({**good, **wrong}, key, "RS256")
        with pytest.raises(SuspiciousOperation):
            backend._verify_jws(token, key.public_key())
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(jwt.encode(good, "a-shared-secret-of-32-bytes-or-more!", "HS256"), key)
