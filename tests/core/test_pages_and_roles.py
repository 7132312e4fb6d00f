"""Who may see which page: staff, coordinator, manager, administrator, a member of another
organisation, an outsider with no membership, and the anonymous visitor."""

from datetime import date, time

import pytest
from django.urls import reverse

from bibliotal.core.models import Closure
from bibliotal.core.permissions import Capability, branches_for, can_register_at
from tests.conftest import weekly_schedule

MEMBERS = ["staff", "coordinator", "manager", "administrator"]


@pytest.mark.parametrize(
    "name", ["core:home", "core:branch_list", "core:closure_list", "core:audit_list"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


@pytest.mark.parametrize("who", MEMBERS)
def test_every_member_sees_the_overview_and_the_libraries(client, world, who):
    client.force_login(getattr(world, who))
    for name in ("core:home", "core:branch_list", "core:closure_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Nord Bibliotek" in response.content.decode() or name == "core:closure_list"
    detail = client.get(reverse("core:branch_detail", args=[world.north.pk]))
    assert detail.status_code == 200


def test_an_outsider_without_membership_is_refused_everywhere(client, world):
    client.force_login(world.outsider)
    for url in (
        reverse("core:home"),
        reverse("core:branch_list"),
        reverse("core:branch_detail", args=[world.north.pk]),
        reverse("core:audit_list"),
        "/admin/",
    ):
        assert client.get(url).status_code in {403, 302}, url
    assert client.get(reverse("core:home")).status_code == 403


def test_a_member_of_another_organisation_sees_only_their_own(client, world):
    client.force_login(world.stranger)
    assert client.get(reverse("core:branch_detail", args=[world.north.pk])).status_code == 404
    page = client.get(reverse("core:branch_list")).content.decode()
    assert "Andetsted Bibliotek" in page and "Nord Bibliotek" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("coordinator", 403), ("manager", 200), ("administrator", 200)],
)
def test_only_managers_and_administrators_read_the_audit_log(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("core:audit_list")).status_code == status


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("staff", False), ("coordinator", False), ("manager", False), ("administrator", True)],
)
def test_only_administrators_reach_the_administration(client, world, who, allowed):
    client.force_login(getattr(world, who))
    response = client.get("/admin/core/branch/")
    if allowed:
        assert response.status_code == 200
        content = response.content.decode()
        assert "Nord Bibliotek" in content and "Andetsted Bibliotek" not in content
    else:
        assert response.status_code == 302  # back to the login page


def test_an_administrator_sees_and_edits_only_her_own_organisation_in_the_admin(client, world):
    """The Organisation admin answered 500 to every administrator who was not a superuser: it
    filtered the organisations by "pk" with an organisation in place of its key."""
    client.force_login(world.administrator)
    response = client.get("/admin/core/organisation/")
    assert response.status_code == 200
    content = response.content.decode()
    assert world.organisation.name in content and world.other_organisation.name not in content
    own = f"/admin/core/organisation/{world.organisation.pk}/change/"
    assert client.get(own).status_code == 200
    other = f"/admin/core/organisation/{world.other_organisation.pk}/change/"
    assert client.get(other).status_code == 302  # "does not exist", as for a library


@pytest.mark.parametrize(
    "path",
    [
        "/reports/0/",
        "/reports/10000/",
        "/reports/0/download/",
        "/reports/99999/statistics/",
        "/reports/0/targets/1/comment/",
        "/goals/0/",
        "/goals/10000/targets/1/",
        "/goals/public/1/123456/",
    ],
)
def test_a_year_that_is_not_one_is_a_page_that_does_not_exist(client, world, path):
    client.force_login(world.manager)
    assert client.get(path).status_code == 404


def test_an_administrator_cannot_open_another_organisations_library(client, world):
    client.force_login(world.administrator)
    response = client.get(f"/admin/core/branch/{world.other_branch.pk}/change/")
    assert response.status_code == 302  # the admin answers "does not exist" with a redirect
    assert client.get(f"/admin/core/branch/{world.north.pk}/change/").status_code == 200


def test_an_administrator_creates_a_staff_account_in_the_browser(client, world):
    client.force_login(world.administrator)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "nyansat",
            "password1": "Blå-tekande-ved-skranken-7",
            "password2": "Blå-tekande-ved-skranken-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="nyansat")
    assert user.membership.organisation == world.organisation
    assert user.membership.role == "staff"
    assert not user.is_staff and not user.is_superuser


def test_staff_register_only_at_their_own_libraries(world):
    assert can_register_at(world.staff, world.north)
    assert not can_register_at(world.staff, world.south)
    assert set(branches_for(world.coordinator, Capability.REGISTER)) == {world.north, world.south}
    assert not can_register_at(world.stranger, world.north)
    assert not branches_for(world.outsider).exists()


def test_the_library_page_shows_open_days_and_closures_for_the_chosen_year(client, world):
    weekly_schedule(world.north, staffed=(time(10), time(18)), self_service=(time(8), time(22)))
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2020, 3, 13),
        end_date=date(2020, 5, 17),
        reason="COVID-19: lukket",
    )
    client.force_login(world.staff)
    response = client.get(reverse("core:branch_detail", args=[world.north.pk]), {"year": 2020})
    content = response.content.decode()
    assert "COVID-19: lukket" in content
    april = next(m for m in response.context["months"] if m["month"] == 4)
    assert (april["open_days"], april["closed_days"]) == (0, 30)
    assert response.context["total"]["days"] == 366


def test_the_overview_takes_few_queries(client, world, django_assert_max_num_queries):
    weekly_schedule(world.north)
    weekly_schedule(world.south)
    client.force_login(world.manager)
    # The manager's start page has panels; the first request fills their cache under the data
    # stamp (tests/core/test_start_page.py holds the cold page too).
    client.get(reverse("core:home"))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("core:home")).status_code == 200


def test_login_logout_and_password_change(client, world):
    response = client.post(
        reverse("core:login"), {"username": "staff", "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and response.url == reverse("core:home")
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": "a-long-test-password",
            "new_password1": "Et-nyt-og-langt-kodeord-42",
            "new_password2": "Et-nyt-og-langt-kodeord-42",
        },
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.check_password("Et-nyt-og-langt-kodeord-42")
    assert client.get(reverse("core:logout")).status_code == 405  # logging out takes a POST
    assert client.post(reverse("core:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_guessing_passwords_locks_the_account_for_that_address(client, world):
    url = reverse("core:login")
    for _ in range(5):
        response = client.post(url, {"username": "staff", "password": "wrong"})
    assert response.status_code == 429
    assert "15" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(url, {"username": "staff", "password": "a-long-test-password"})
    assert response.status_code == 429
    # Another user from the same address is not locked out.
    response = client.post(url, {"username": "manager", "password": "a-long-test-password"})
    assert response.status_code == 302


def test_an_administrator_cannot_touch_an_account_with_every_right(client, world):
    from django.contrib.auth import get_user_model

    from bibliotal.core.models import Membership

    root = get_user_model().objects.create_superuser("root", password="Root-password-2021")
    Membership.objects.create(user=root, organisation=world.organisation, role="staff")
    client.force_login(world.administrator)
    response = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {
            "password1": "Taken-over-2021!",
            "password2": "Taken-over-2021!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 404  # to this administrator, the account does not exist
    root.refresh_from_db()
    assert root.check_password("Root-password-2021")
    assert "root" not in client.get("/admin/auth/user/").content.decode()


def test_the_admin_filters_never_name_another_organisations_libraries(client, world):
    weekly_schedule(world.north)
    weekly_schedule(world.other_branch)
    client.force_login(world.administrator)
    content = client.get("/admin/core/openingschedule/").content.decode()
    assert "Nord Bibliotek" in content and "Andetsted Bibliotek" not in content


@pytest.mark.parametrize("who", ["staff", "manager", "outsider"])
def test_the_administration_refuses_other_logged_in_users_without_a_loop(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2


def test_an_administrator_deletes_an_account_that_has_api_tokens(client, world):
    from django.contrib.auth import get_user_model

    from bibliotal.core.models import ApiToken

    ApiToken.issue(user=world.staff, name="old script")
    client.force_login(world.administrator)
    response = client.post(f"/admin/auth/user/{world.staff.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="staff").exists()
