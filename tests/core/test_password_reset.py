"""A forgotten password: a link by e-mail to choose a new one. The page never tells whether an
address has an account, sends no link to an account that signs in at the municipality, limits
requests like the login, writes the audit log, and, without a mail server, says that an
administrator must help."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from bibliotal.core.mail.models import OutboxMessage
from bibliotal.core.models import AuditEntry, ExternalIdentity, PasswordResetAttempt
from tests.conftest import PASSWORD

User = get_user_model()
NEW_PASSWORD = "Blå-tekande-ved-skranken-7"
LINK = re.compile(r"https?://[^\s]+/account/reset/[^\s]+/[^\s]+/")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff(world):
    world.staff.email = "staff@testrup.example"
    world.staff.first_name = "Sofie"
    world.staff.save()
    return world.staff


def ask(client, email: str):
    return client.post(reverse("core:password_reset"), {"email": email})


def test_the_login_page_names_the_library_and_offers_a_reset(english, world):
    page = english.get(reverse("core:login")).content.decode()
    assert reverse("core:password_reset") in page
    assert "public-org-name" not in page  # two organisations: neither is the one
    world.stranger.delete()
    world.other_branch.delete()
    world.other_organisation.delete()
    page = english.get(reverse("core:login")).content.decode()
    assert '<p class="public-org-name">Testrup Bibliotekerne</p>' in page
    assert "<title>Log in · Testrup Bibliotekerne" in page


def test_a_known_address_gets_a_link_that_sets_a_new_password(english, staff):
    response = ask(english, "STAFF@testrup.example")
    assert response.status_code == 302
    assert response.url == reverse("core:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff@testrup.example"]
    assert "Testrup Bibliotekerne" in message.subject
    assert "staff" in message.body and "60 minutes" in message.body
    link = LINK.search(message.body).group(0)

    form = english.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    page = form.content.decode()
    # Every hint the widgets point at is on the page (Django 5.2's id_…_helptext).
    assert 'aria-describedby="id_new_password1_helptext"' in page
    assert 'id="id_new_password1_helptext"' in page
    done = english.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.url == reverse("core:password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert not OutboxMessage.objects.filter(about=f"core.password_reset:{staff.pk}").exists()
    notes = set(
        AuditEntry.objects.filter(object_id=str(staff.pk), model="auth.User").values_list(
            "note", flat=True
        )
    )
    assert {"password reset e-mail requested", "password reset with an e-mail link"} <= notes
    # The link works once.
    again = english.get(link, follow=True)
    assert not again.context["validlink"]


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(english, staff):
    known = ask(english, "staff@testrup.example")
    unknown = ask(english, "nobody@testrup.example")
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert len(mail.outbox) == 1


def test_the_new_password_meets_the_password_rules(english, staff):
    ask(english, staff.email)
    form = english.get(LINK.search(mail.outbox[0].body).group(0), follow=True)
    response = english.post(
        form.redirect_chain[-1][0], {"new_password1": "sommer2024", "new_password2": "sommer2024"}
    )
    assert response.status_code == 400
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_an_account_of_the_municipality_s_login_gets_no_link(english, staff):
    ExternalIdentity.objects.create(user=staff, issuer="https://login.example", subject="s-1")
    response = ask(english, staff.email)
    assert response.status_code == 302  # the same answer as for anyone
    assert mail.outbox == []


def test_an_invited_account_without_a_password_gets_no_link(english, staff):
    staff.set_unusable_password()
    staff.save()
    ask(english, staff.email)
    assert mail.outbox == []


def test_too_many_requests_from_one_address_are_refused(english, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert ask(english, "nobody@testrup.example").status_code == 302
    refused = ask(english, staff.email)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert mail.outbox == []


def test_a_person_s_address_gets_a_few_e_mails_an_hour_at_most(staff):
    for n in range(5):
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert ask(client, staff.email).status_code == 302
    assert len(mail.outbox) == 3
    # Only keyed hashes are kept, never the address or the e-mail.
    kept = PasswordResetAttempt.objects.values_list("address_hash", "email_hash")
    assert all("@" not in e and "192.0.2." not in a for a, e in kept)  # a hex hash has no dots


def test_without_a_mail_server_the_page_says_an_administrator_must_help(english, staff, settings):
    settings.EMAIL_BACKEND = "bibliotal.core.mail.backends.NoServerBackend"
    page = english.get(reverse("core:password_reset"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "cannot send e-mail" in text and "administrator" in text
    assert '<form method="post"' not in text.split("<main", 1)[1]
    assert ask(english, staff.email).status_code == 503
    assert not OutboxMessage.objects.exists()


def test_an_administrator_lets_a_person_with_a_password_choose_a_new_one(
    english, world, staff, settings
):
    settings.EMAIL_BACKEND = "bibliotal.core.mail.backends.NoServerBackend"
    english.force_login(world.administrator)
    detail = reverse("core:staff_detail", args=[staff.pk])
    assert "Let the person choose a new password" in english.get(detail).content.decode()
    response = english.post(detail, {"action": "resend"}, follow=True)
    page = response.content.decode()
    assert "Give the person this link yourself" in page
    staff.refresh_from_db()
    assert not staff.has_usable_password()
    # Not for her own account, nor for one of the municipality's login.
    own = reverse("core:staff_detail", args=[world.administrator.pk])
    world.administrator.email = "admin@testrup.example"
    world.administrator.save()
    assert english.post(own, {"action": "resend"}).status_code == 403


def test_with_passwords_for_superusers_only_a_staff_member_gets_no_link(english, staff, settings):
    from bibliotal import envconf

    settings.OPENID_CONNECT = envconf.OidcConfig(
        issuer="https://login.testrup.example",
        client_id="bibliotal",
        client_secret="secret",
        scopes=("openid",),
        groups_claim="groups",
        groups=(),
        organisation="Testrup Bibliotekerne",
        button_label="",
        local_passwords=False,
        provider_logout=False,
    )
    ask(english, staff.email)
    assert mail.outbox == []
    staff.is_superuser = True
    staff.save()
    ask(english, staff.email)
    assert len(mail.outbox) == 1
