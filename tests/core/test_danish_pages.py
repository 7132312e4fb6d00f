"""Every page of the Herning demo that an administrator reaches from the start page, read in
Danish: no decimal point in a figure, no English month abbreviation, no known English leak.

The rules (tests/danish_text.py) read the visible text only: code, scripts, URLs and attribute
values are left alone. A page that fails names itself and the text node at fault.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.danish_text import crawl, problems


@pytest.fixture(scope="module")
def herning(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and removed after it."""
    with django_db_blocker.unblock():
        call_command("demo", "--no-serve", stdout=io.StringIO())
        yield
        call_command("flush", "--no-input", stdout=io.StringIO())


@pytest.fixture(scope="module")
def danish_pages(herning, django_db_blocker):
    from django.conf import settings
    from django.test import Client

    storages = settings.STORAGES
    settings.STORAGES = {
        **storages,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with django_db_blocker.unblock():
            client = Client()
            client.cookies["django_language"] = "da"
            client.force_login(get_user_model().objects.get(username="admin"))
            return crawl(client)
    finally:
        settings.STORAGES = storages


def test_the_crawl_reaches_every_section(danish_pages):
    sections = {url.split("/")[1] for url in danish_pages}
    assert {"goals", "guidance", "teaching", "events", "visits", "digital", "reports"} <= sections
    assert len(danish_pages) > 80


def test_every_page_answers(danish_pages):
    failed = {
        url: html
        for url, html in danish_pages.items()
        if html.startswith("<") and (not html.lstrip().startswith("<!"))
    }
    assert not failed


def test_every_page_writes_numbers_and_dates_in_danish_and_no_english(danish_pages):
    found: dict[str, list[str]] = {}  # each problem once, with the pages that have it
    for url, html in danish_pages.items():
        if html.lstrip().startswith("<!"):
            for problem in problems(html):
                found.setdefault(problem, []).append(url)
    report = [f"{problem}  ({', '.join(sorted(set(urls))[:3])})" for problem, urls in found.items()]
    assert not report, f"{len(report)} problems:\n" + "\n".join(report[:80])
