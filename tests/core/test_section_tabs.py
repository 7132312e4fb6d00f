"""Section tabs mark the page they are on with aria-current, through one template tag."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

TABS = Template(
    '{% load navigation %}{% tabs %}<ul><li>{% tab "visits:overview" _("Visits per month") %}</li>'
    '{% if show %}<li>{% tab "visits:flags" _("Review flags") %}</li>{% endif %}</ul>{% endtabs %}'
)


def render(path: str, *, show: bool = True) -> str:
    with translation.override("en"):
        return TABS.render(Context({"request": RequestFactory().get(path), "show": show}))


def test_the_tab_of_the_page_is_current():
    assert render("/visits/") == (
        '<ul><li><a href="/visits/" aria-current="page">Visits per month</a></li>'
        '<li><a href="/visits/flags/">Review flags</a></li></ul>'
    )


def test_a_page_below_a_tab_belongs_to_the_tab_with_the_longest_address():
    page = render("/visits/flags/2021-09-07/")
    assert '<a href="/visits/flags/" aria-current="page">' in page
    assert '<a href="/visits/">' in page


def test_no_tab_is_current_on_a_page_outside_them_all():
    assert "aria-current" not in render("/goals/")


def test_a_tab_the_user_may_not_see_is_left_out_but_never_marks_another():
    assert render("/visits/flags/", show=False) == (
        '<ul><li><a href="/visits/">Visits per month</a></li></ul>'
    )


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("visits:flags", "Review flags"),
        ("digital:campaign_list", "Campaigns"),
        ("events:categories", "Categories"),
        ("teaching:reach", "Reach"),
        ("core:token_list", "API tokens"),
    ],
)
def test_every_section_marks_its_current_tab(client, world, url, current):
    client.cookies["django_language"] = "en"
    client.force_login(world.administrator)
    page = client.get(reverse(url)).content.decode()
    tabs = page.split('<nav class="subnav"', 1)[1].split("</nav>", 1)[0]
    assert tabs.count('aria-current="page"') == 1
    assert f'<a href="{reverse(url)}" aria-current="page">{current}</a>' in tabs
