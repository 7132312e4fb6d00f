"""Behind the TLS proxy the client's address is the proxy's word for it: five wrong passwords
lock one user name for one client, never for everyone, and nobody can aim the lock at another
client's address by writing X-Forwarded-For themselves."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from bibliotal.core.proxy import client_ip

PROXY = "10.0.0.2"  # every request reaches Bibliotal from the proxy
ATTACKER = "203.0.113.66"
LEADER = "198.51.100.7"
PASSWORD = "en-lang-og-god-adgangssaetning"


@pytest.fixture
def leader(db):
    return get_user_model().objects.create_user(username="leder", password=PASSWORD)


def log_in(client, password, *, forwarded_for):
    return client.post(
        reverse("core:login"),
        {"username": "leder", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@override_settings(TRUST_PROXY_HEADERS=True, BIBLIOTAL_PROXY_COUNT=1)
def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, leader):
    for _ in range(5):
        response = log_in(client, "forkert", forwarded_for=ATTACKER)
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    assert log_in(client, PASSWORD, forwarded_for=ATTACKER).status_code == 429
    assert log_in(client, PASSWORD, forwarded_for=LEADER).status_code == 302


@override_settings(TRUST_PROXY_HEADERS=True, BIBLIOTAL_PROXY_COUNT=1)
def test_a_forged_forwarded_for_cannot_aim_the_lock_at_someone_else(client, leader):
    # The attacker writes the leader's address; the proxy appends the attacker's own.
    for _ in range(6):
        response = log_in(client, "forkert", forwarded_for=f"{LEADER}, {ATTACKER}")
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    assert log_in(client, PASSWORD, forwarded_for=LEADER).status_code == 302


def test_without_the_proxy_a_forwarded_for_header_is_ignored(rf, settings):
    settings.TRUST_PROXY_HEADERS = False
    request = rf.get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=LEADER)
    assert client_ip(request) == ATTACKER


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "1.2.3.4, 5.6.7.8", "5.6.7.8"),
        (2, "6.6.6.6, 1.2.3.4, 5.6.7.8", "1.2.3.4"),  # a CDN before the load balancer
        (2, "5.6.7.8", "5.6.7.8"),  # came in past the outer proxy: all entries are trusted
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "1.2.3.4:5678", "1.2.3.4"),
        (1, "nonsense", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_is_counted_from_the_right(rf, settings, count, forwarded, expected):
    settings.TRUST_PROXY_HEADERS = True
    settings.BIBLIOTAL_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
