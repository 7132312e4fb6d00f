"""An administrator invites a colleague on a phone without a mail server: the link is shown with
a Copy button that works, the colleague chooses a password from it and lands on the start page;
a new API token is copied the same way. The pages fit 390 px and axe finds nothing."""

import pytest

from bibliotal.core.models import ApiToken
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import violations
from tests.browser.test_login_and_libraries import log_in

pytestmark = pytest.mark.browser

PHONE = 390


def english(page, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_invitation_and_a_token_on_a_phone(live_server, world, page_factory, settings):
    settings.EMAIL_BACKEND = "bibliotal.core.mail.backends.NoServerBackend"
    base = live_server.url
    page = page_factory(width=PHONE, height=800)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    log_in(page, base, "administrator")
    english(page, base)
    page.goto(f"{base}/")
    page.get_by_role("button", name="Menu").click()  # on a phone the navigation is folded away
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff members").click()
    page.get_by_role("table", name="4 accounts").wait_for()
    assert fits(page) and violations(page) == [], "staff list"
    screenshot(page, "staff-list-phone")

    page.get_by_role("link", name="Invite a staff member").first.click()
    page.get_by_label("First name").wait_for()  # the form's page, not the list's unloading
    assert fits(page) and violations(page) == [], "invite"
    screenshot(page, "staff-invite-phone")
    page.get_by_label("First name").fill("Karen")
    page.get_by_label("Last name").fill("Blixen")
    page.get_by_label("E-mail address").fill("karen@testrup.example")
    page.get_by_role("group", name="Role").get_by_label("Staff –", exact=False).check()
    page.get_by_role("group", name="Libraries").get_by_label("Syd Bibliotek").check()
    page.get_by_role("button", name="Send the invitation").click()

    page.get_by_role("heading", name="Give the person this link yourself").wait_for()
    field = page.get_by_label("Link to choose a password")
    link = field.input_value()
    assert "/account/welcome/" in link
    page.get_by_role("button", name="Copy – Link to choose a password").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert fits(page) and violations(page) == [], "detail with link"
    screenshot(page, "staff-detail-link-phone")

    # The colleague, in a browser of her own.
    colleague = page_factory(width=PHONE, height=800)
    english(colleague, base)
    colleague.goto(link)
    colleague.get_by_label("New password", exact=True).fill("Blå-tekande-ved-skranken-7")
    colleague.get_by_label("New password confirmation").fill("Blå-tekande-ved-skranken-7")
    assert violations(colleague) == [], "welcome"
    colleague.get_by_role("button", name="Save the password and log in").click()
    colleague.get_by_text("Welcome to Bibliotal, Karen.").wait_for()
    assert colleague.url.rstrip("/") == base

    page.goto(f"{base}/api-tokens/")
    page.get_by_label("Account", exact=True).select_option(label="manager – Manager")
    page.get_by_label("What it is for").fill("Tællerscript")
    page.get_by_role("button", name="Issue the token").click()
    page.get_by_role("button", name="Copy – The token").click()
    page.get_by_text("Copied.").wait_for()
    key = page.evaluate("navigator.clipboard.readText()")
    assert ApiToken.objects.get(name="Tællerscript").key_digest == ApiToken.digest(key)
    assert fits(page) and violations(page) == [], "token shown"
    screenshot(page, "token-created-phone")
    page.get_by_role("link", name="Done: back to the API tokens").click()
    page.get_by_role("table", name="1 token in use").wait_for()
    assert key not in page.content()
    assert fits(page) and violations(page) == [], "token list"
    screenshot(page, "token-list-phone")
