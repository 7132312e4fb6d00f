"""Administrators manage staff accounts and API tokens on Bibliotal's own pages: invite by
e-mail, the person chooses a password from the link and is signed in with the role; roles,
libraries, deactivation; tokens issued once and revoked; the organisation always keeps an
active administrator; and nobody else gets in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from bibliotal.core.accounts import InvitationTokenGenerator
from bibliotal.core.mail.models import OutboxMessage
from bibliotal.core.models import ApiToken, AuditEntry, ExternalIdentity, Membership, Role
from tests.conftest import PASSWORD, make_user

User = get_user_model()
GOOD_PASSWORD = "Blå-tekande-ved-skranken-7"
LINK = re.compile(r"https?://[^\s\"<]+/account/welcome/[^\s\"<]+/")


@pytest.fixture
def admin_client(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world.administrator)
    return client


def english() -> Client:
    fresh = Client()
    fresh.cookies["django_language"] = "en"
    return fresh


def logs_in(client, username: str) -> bool:
    response = client.post(reverse("core:login"), {"username": username, "password": PASSWORD})
    return response.status_code == 302


def invite(client, world, **fields):
    data = {
        "first_name": "Karen",
        "last_name": "Blixen",
        "email": "karen@testrup.example",
        "username": "",
        "role": Role.STAFF,
        "branches": [world.south.pk],
        **fields,
    }
    return client.post(reverse("core:staff_invite"), data)


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(0)


def choose_password(link: str, password: str = GOOD_PASSWORD, *, client=None):
    client = client or english()
    first = client.get(link)
    assert first.status_code == 302  # the token leaves the address before the form is shown
    form_url = first.url
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    return client, response


# -- invitations ---------------------------------------------------------------------------------


def test_an_invited_person_chooses_a_password_and_is_signed_in_with_the_role(admin_client, world):
    response = invite(admin_client, world)
    karen = User.objects.get(username="karen")
    assert response.status_code == 302 and response.url == reverse(
        "core:staff_detail", args=[karen.pk]
    )
    assert not karen.has_usable_password() and karen.is_active
    assert karen.membership.organisation == world.organisation
    assert karen.membership.role == Role.STAFF
    assert list(karen.membership.branches.all()) == [world.south]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["karen@testrup.example"]
    assert "karen" in message.body and world.organisation.name in message.subject
    link = link_in(message.body)

    person, response = choose_password(link)
    assert response.status_code == 302 and response.url == reverse("core:home")
    home = person.get(reverse("core:home"))
    assert home.status_code == 200
    assert home.wsgi_request.user.username == "karen"
    assert "Welcome to Bibliotal, Karen." in home.content.decode()
    karen.refresh_from_db()
    assert karen.check_password(GOOD_PASSWORD)
    # Signed in as staff of her library: she registers there and not at the other.
    from bibliotal.core.permissions import can_register_at

    assert can_register_at(karen, world.south) and not can_register_at(karen, world.north)
    # The e-mail with the spent link is gone from the outbox.
    assert not OutboxMessage.objects.filter(about=f"core.invitation:{karen.pk}").exists()


def test_the_link_works_once(admin_client, world):
    invite(admin_client, world)
    link = link_in(mail.outbox[0].body)
    choose_password(link)
    again = english().get(link)
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()


def test_the_password_must_pass_the_projects_rules(admin_client, world):
    invite(admin_client, world)
    _person, response = choose_password(link_in(mail.outbox[0].body), "Sommer2024!")
    assert response.status_code == 400
    content = response.content.decode()
    assert "too short" in content  # 11 characters; at least 12
    assert not User.objects.get(username="karen").has_usable_password()
    _person, response = choose_password(link_in(mail.outbox[0].body), "Herning2021!!")
    assert response.status_code == 400
    assert "common Danish word" in response.content.decode()


def test_the_link_runs_out_after_seven_days(admin_client, world, monkeypatch):
    invite(admin_client, world)
    link = link_in(mail.outbox[0].body)
    later = datetime.now() + timedelta(days=7, minutes=1)
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    response = english().get(link)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_a_password_reset_token_is_not_an_invitation(admin_client, world):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    invite(admin_client, world)
    karen = User.objects.get(username="karen")
    uid = urlsafe_base64_encode(force_bytes(karen.pk))
    forged = reverse("core:account_welcome", args=[uid, default_token_generator.make_token(karen)])
    assert english().get(forged).status_code == 200  # the page that says the link is dead


def test_sending_the_invitation_again_kills_the_earlier_link(admin_client, world):
    invite(admin_client, world)
    karen = User.objects.get(username="karen")
    first = link_in(mail.outbox[0].body)
    response = admin_client.post(
        reverse("core:staff_detail", args=[karen.pk]), {"action": "resend"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second = link_in(mail.outbox[1].body)
    assert first != second
    assert "This link no longer works" in english().get(first).content.decode()
    _person, done = choose_password(second)
    assert done.status_code == 302
    # Once she has chosen a password, a new invitation is the administrator's help with a
    # forgotten one (core.password_reset): her password stops working, a new link goes.
    response = admin_client.post(
        reverse("core:staff_detail", args=[karen.pk]), {"action": "resend"}
    )
    assert response.status_code == 302
    karen.refresh_from_db()
    assert not karen.has_usable_password()
    assert len(mail.outbox) == 3


def test_without_a_mail_server_the_administrator_is_shown_the_link_once(
    admin_client, world, settings
):
    settings.EMAIL_BACKEND = "bibliotal.core.mail.backends.NoServerBackend"
    response = invite(admin_client, world)
    waiting = OutboxMessage.objects.get(recipient="karen@testrup.example")
    assert waiting.state == OutboxMessage.State.WAITING and "No mail server" in waiting.last_error
    page = admin_client.get(response.url)
    content = page.content.decode()
    assert "could not be sent" in content and "Give the person this link yourself" in content
    assert "No mail server is set" in content
    link = link_in(content)
    assert link == link_in(waiting.body)
    # Shown once: the secret is not kept for the next visit.
    assert not LINK.search(admin_client.get(response.url).content.decode())
    _person, done = choose_password(link)
    assert done.status_code == 302
    assert not OutboxMessage.objects.filter(pk=waiting.pk).exists()  # never sent later


def test_a_deactivated_account_cannot_use_its_invitation(admin_client, world):
    invite(admin_client, world)
    karen = User.objects.get(username="karen")
    admin_client.post(reverse("core:staff_detail", args=[karen.pk]), {"action": "deactivate"})
    response = english().get(link_in(mail.outbox[0].body))
    assert "This link no longer works" in response.content.decode()


def test_the_user_name_comes_from_the_email_unless_typed(admin_client, world):
    invite(admin_client, world, username="kblixen", email="karen.b@testrup.example")
    assert User.objects.filter(username="kblixen").exists()
    invite(admin_client, world, email="Ole.Hansen@Testrup.example", first_name="Ole")
    assert User.objects.get(username="ole.hansen").email == "Ole.Hansen@testrup.example"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "STAFF@testrup.example"}, "An account with the e-mail address"),
        ({"username": "Manager"}, "The user name Manager is taken. Type another."),
        ({"email": "manager@elsewhere.example"}, "(from the e-mail address) is taken"),
        ({"username": "karen blixen"}, "letters, digits and the signs"),
        ({"branches": []}, "Choose at least one library"),
        ({"email": "not an address"}, "Enter a valid email address."),
    ],
)
def test_a_duplicate_or_bad_invitation_is_refused_with_a_clear_message(
    admin_client, world, fields, message
):
    world.staff.email = "staff@testrup.example"
    world.staff.save()
    response = invite(admin_client, world, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(first_name="Karen").exists()
    assert mail.outbox == []


def test_other_roles_need_no_library(admin_client, world):
    response = invite(admin_client, world, role=Role.MANAGER, branches=[])
    assert response.status_code == 302
    assert User.objects.get(username="karen").membership.role == Role.MANAGER


# -- the staff list and changes ------------------------------------------------------------------


def test_the_staff_list_says_who_signs_in_how(admin_client, world):
    invite(admin_client, world)
    ExternalIdentity.objects.create(
        user=world.manager, issuer="https://login.testrup.dk", subject="abc-123"
    )
    world.coordinator.set_unusable_password()
    world.coordinator.save()
    ExternalIdentity.objects.create(
        user=world.coordinator, issuer="https://login.testrup.dk", subject="def-456"
    )
    response = admin_client.get(reverse("core:staff_list"))
    assert response.status_code == 200
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(
            r"<tr>\s*<th scope=\"row\"><a [^>]*>([^<]+)</a>.*?</tr>",
            response.content.decode(),
            re.S,
        )
    }
    assert "Invited, has not chosen a password yet" in rows["Karen Blixen"]
    assert "Syd Bibliotek" in rows["Karen Blixen"]
    assert "Password" in rows["manager"] and "The municipality's login" in rows["manager"]
    assert "Password" not in rows["coordinator"]
    assert "The municipality's login" in rows["coordinator"]
    assert "Nord Bibliotek" in rows["staff"]
    assert "stranger" not in rows  # another organisation's


def test_the_staff_list_needs_few_queries(admin_client, world, django_assert_max_num_queries):
    for n in range(10):
        make_user(
            f"extra{n}", role=Role.STAFF, organisation=world.organisation, branches=[world.north]
        )
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("core:staff_list")).status_code == 200


def test_an_administrator_changes_role_and_libraries_and_it_is_audited(admin_client, world):
    url = reverse("core:staff_detail", args=[world.staff.pk])
    response = admin_client.post(
        url,
        {
            "action": "save",
            "first_name": "Sofie",
            "last_name": "Skranke",
            "email": "sofie@testrup.example",
            "role": Role.COORDINATOR,
            "branches": [world.north.pk, world.south.pk],
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.staff)
    assert membership.role == Role.COORDINATOR
    assert set(membership.branches.all()) == {world.north, world.south}
    entries = AuditEntry.objects.filter(organisation=world.organisation, actor=world.administrator)
    role_change = entries.get(model="core.Membership", action="update", changes__has_key="role")
    assert role_change.changes["role"] == [Role.STAFF, Role.COORDINATOR]
    assert entries.filter(model="core.Membership", changes__has_key="branches").exists()
    assert entries.filter(model="auth.User", object_id=str(world.staff.pk)).exists()


def test_a_member_of_another_organisation_is_not_found(admin_client, world):
    url = reverse("core:staff_detail", args=[world.stranger.pk])
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, {"action": "deactivate"}).status_code == 404
    assert User.objects.get(pk=world.stranger.pk).is_active


def test_an_administrator_does_not_change_a_superuser(admin_client, world):
    root = make_user("root", role=Role.ADMINISTRATOR, organisation=world.organisation)
    root.is_superuser = True
    root.save()
    url = reverse("core:staff_detail", args=[root.pk])
    page = admin_client.get(url).content.decode()
    assert "only a superuser changes it" in page and 'value="deactivate"' not in page
    assert admin_client.post(url, {"action": "deactivate"}).status_code == 403
    assert User.objects.get(pk=root.pk).is_active


# -- the last administrator ----------------------------------------------------------------------


def _save(client, user, **fields):
    data = {
        "action": "save",
        "first_name": user.first_name or user.username,
        "last_name": user.last_name,
        "email": user.email or f"{user.username}@testrup.example",
        "role": user.membership.role,
        "branches": [b.pk for b in user.membership.branches.all()],
        **fields,
    }
    return client.post(reverse("core:staff_detail", args=[user.pk]), data)


def test_the_last_administrator_cannot_demote_herself(admin_client, world):
    response = _save(admin_client, world.administrator, role=Role.MANAGER)
    assert response.status_code == 400
    assert "only active administrator" in response.content.decode()
    assert Membership.objects.get(user=world.administrator).role == Role.ADMINISTRATOR


def test_nobody_deactivates_their_own_account(admin_client, world):
    url = reverse("core:staff_detail", args=[world.administrator.pk])
    response = admin_client.post(url, {"action": "deactivate"}, follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    assert User.objects.get(pk=world.administrator.pk).is_active


def test_with_a_second_administrator_she_may_step_down(admin_client, world):
    second = make_user("second", role=Role.ADMINISTRATOR, organisation=world.organisation)
    response = _save(admin_client, world.administrator, role=Role.MANAGER)
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert Membership.objects.get(user=world.administrator).role == Role.MANAGER
    assert admin_client.get(reverse("core:staff_list")).status_code == 403
    # Now the second one is the last: demoting or deactivating her is refused, also by a
    # superuser.
    root = User.objects.create_superuser("root", password=PASSWORD)
    Membership.objects.create(user=root, organisation=world.organisation, role=Role.MANAGER)
    superuser = english()
    superuser.force_login(root)
    assert _save(superuser, second, role=Role.STAFF, branches=[world.north.pk]).status_code == 400
    superuser.post(reverse("core:staff_detail", args=[second.pk]), {"action": "deactivate"})
    second.refresh_from_db()
    assert second.is_active and second.membership.role == Role.ADMINISTRATOR


def test_a_deactivated_administrator_does_not_count(admin_client, world):
    second = make_user("second", role=Role.ADMINISTRATOR, organisation=world.organisation)
    second.is_active = False
    second.save()
    assert _save(admin_client, world.administrator, role=Role.MANAGER).status_code == 400


# -- deactivation --------------------------------------------------------------------------------


def test_deactivating_logs_out_revokes_tokens_and_reactivating_lets_in_again(admin_client, world):
    _token, key = ApiToken.issue(user=world.staff, name="script")
    headers = {"Authorization": f"Bearer {key}"}
    staff = english()
    assert logs_in(staff, "staff")
    assert staff.get(reverse("core:branch_list")).status_code == 200
    assert english().get("/api/v1/branches", headers=headers).status_code == 200

    url = reverse("core:staff_detail", args=[world.staff.pk])
    response = admin_client.post(url, {"action": "deactivate"}, follow=True)
    assert "can no longer log in. 1 API token was revoked." in response.content.decode()
    assert staff.get(reverse("core:branch_list")).status_code == 302  # to the login page
    assert english().get("/api/v1/branches", headers=headers).status_code == 401
    assert not logs_in(english(), "staff")
    notes = AuditEntry.objects.filter(model="auth.User", object_id=str(world.staff.pk))
    assert notes.filter(changes__is_active=[True, False]).exists()
    assert notes.filter(note="1 session(s) ended").exists()

    admin_client.post(url, {"action": "reactivate"})
    assert logs_in(english(), "staff")
    assert english().get("/api/v1/branches", headers=headers).status_code == 401  # stays revoked


# -- API tokens ----------------------------------------------------------------------------------

SECRET = re.compile(r"bt_[A-Za-z0-9_-]{20,}")


def test_a_token_is_shown_once_works_and_stops_when_revoked(admin_client, world):
    response = admin_client.post(
        reverse("core:token_list"), {"owner": world.manager.pk, "name": "Tællerscript"}
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    content = response.content.decode()
    assert "it is shown only this once" in content
    key = SECRET.search(content).group(0)
    token = ApiToken.objects.get(name="Tællerscript")
    assert token.user == world.manager and token.key_digest == ApiToken.digest(key)

    headers = {"Authorization": f"Bearer {key}"}
    assert english().get("/api/v1/branches", headers=headers).status_code == 200
    listing = admin_client.get(reverse("core:token_list")).content.decode()
    assert key not in listing and token.key_prefix in listing and "Tællerscript" in listing

    confirm = admin_client.get(reverse("core:token_revoke", args=[token.pk]))
    assert confirm.status_code == 200 and "Revoke the token" in confirm.content.decode()
    revoked = admin_client.post(reverse("core:token_revoke", args=[token.pk]), follow=True)
    assert "is revoked: it no longer works" in revoked.content.decode()
    assert english().get("/api/v1/branches", headers=headers).status_code == 401
    assert admin_client.post(reverse("core:token_revoke", args=[token.pk])).status_code == 404

    entries = AuditEntry.objects.filter(model="core.ApiToken", object_id=str(token.pk))
    assert {e.action for e in entries} == {"create", "update"}
    assert all(e.actor == world.administrator for e in entries)
    assert all(key not in str(e.changes) for e in entries)


def test_a_token_needs_a_name_and_an_account_of_the_organisation(admin_client, world):
    url = reverse("core:token_list")
    assert admin_client.post(url, {"owner": world.manager.pk, "name": ""}).status_code == 400
    assert admin_client.post(url, {"owner": world.stranger.pk, "name": "x"}).status_code == 400
    root = make_user("root", role=Role.ADMINISTRATOR, organisation=world.organisation)
    root.is_superuser = True
    root.save()
    assert admin_client.post(url, {"owner": root.pk, "name": "x"}).status_code == 400
    world.staff.is_active = False
    world.staff.save()
    assert admin_client.post(url, {"owner": world.staff.pk, "name": "x"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_another_organisations_tokens_are_neither_listed_nor_revoked(admin_client, world):
    token, _key = ApiToken.issue(user=world.stranger, name="Andetsted-script")
    assert "Andetsted-script" not in admin_client.get(reverse("core:token_list")).content.decode()
    response = admin_client.post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# -- who may ------------------------------------------------------------------------------------

PAGES = [
    ("core:staff_list", []),
    ("core:staff_invite", []),
    ("core:staff_detail", ["staff"]),
    ("core:token_list", []),
]


@pytest.mark.parametrize("who", ["staff", "coordinator", "manager", "stranger", "outsider"])
def test_only_administrators_manage_accounts_and_tokens(client, world, who):
    client.force_login(getattr(world, who))
    token, _key = ApiToken.issue(user=world.staff)
    for name, args in PAGES:
        args = [getattr(world, a).pk for a in args]
        assert client.get(reverse(name, args=args)).status_code == 403, name
        assert client.post(reverse(name, args=args), {"action": "deactivate"}).status_code == 403
    assert client.post(reverse("core:token_revoke", args=[token.pk])).status_code == 403
    assert User.objects.get(pk=world.staff.pk).is_active
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name, args in PAGES:
        args = [getattr(world, a).pk for a in args]
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response.url.startswith(reverse("core:login"))


def test_administrators_see_staff_members_and_only_superusers_the_django_admin(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world.administrator)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("core:staff_list")}"' in page and "Staff members" in page
    assert f'href="{reverse("admin:index")}"' not in page
    client.force_login(world.manager)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("core:staff_list")}"' not in page
    root = User.objects.create_superuser("root", password=PASSWORD)
    Membership.objects.create(user=root, organisation=world.organisation, role=Role.ADMINISTRATOR)
    client.force_login(root)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in page and "Staff members" in page


def test_the_invitation_is_audited(admin_client, world):
    invite(admin_client, world)
    karen = User.objects.get(username="karen")
    entries = AuditEntry.objects.filter(organisation=world.organisation)
    assert entries.filter(model="auth.User", object_id=str(karen.pk), action="create").exists()
    assert entries.filter(
        model="core.Membership", action="create", actor=world.administrator
    ).exists()
    assert entries.filter(object_id=str(karen.pk), note="invitation sent").exists()
    choose_password(link_in(mail.outbox[0].body))
    accepted = entries.get(object_id=str(karen.pk), note="invitation accepted, password chosen")
    assert accepted.actor == karen


def test_an_account_without_an_email_address_keeps_none(admin_client, world):
    response = _save(admin_client, world.coordinator, email="", role=Role.MANAGER)
    assert response.status_code == 302
    world.coordinator.refresh_from_db()
    assert world.coordinator.email == "" and world.coordinator.membership.role == Role.MANAGER
    # Without an address there is nothing to send an invitation to.
    world.coordinator.set_unusable_password()
    world.coordinator.save()
    url = reverse("core:staff_detail", args=[world.coordinator.pk])
    assert 'value="resend"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"action": "resend"}).status_code == 403
