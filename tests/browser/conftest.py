"""Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser.

Missing Chromium skips these tests, except where BIBLIOTAL_REQUIRE_BROWSER=1 (as in .ci/run),
where it fails them.
"""

import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = Path(os.environ.get("BIBLIOTAL_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


class OneAtATimeServer(WSGIServer):
    """The live server answers one request at a time. On SQLite the test database lives in
    memory, and Django's live server shares its one connection with every request thread: two
    requests at once (the start page's placeholders fetching the targets and the key figures)
    then use it together, which Django's documentation forbids and which hung the suite. A
    server of its own process, as in production, has a connection per thread."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneAtATimeServer

# A page is settled when it has loaded, no placeholder panel is still fetching its figures, htmx
# has no request, swap or settle under way and every chart has been drawn (or said it failed).
SETTLED = """() => document.readyState === "complete"
  && !document.querySelector(
    ".panel-loading, .htmx-request, .htmx-swapping, .htmx-settling, [aria-busy=true]")
  && [...document.querySelectorAll("[data-vega-spec]")].every(
    (chart) => chart.dataset.drawn === "done" || chart.dataset.drawn === "failed")"""


def settle(page) -> None:
    """Wait until the page is settled (``SETTLED``), without the half second of silence on the
    network that Playwright's "networkidle" waits for after the last answer."""
    page.wait_for_function(SETTLED)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("BIBLIOTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests still use the ORM
    # between browser steps, which Django allows only when told so.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    """Keep a picture for people to look at (tests/artifacts is not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
