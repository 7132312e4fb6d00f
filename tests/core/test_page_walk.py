"""Every page is walked (tests/pages.py), and on every page, also with a form's errors showing,
what an attribute points at is there: a hint linked by aria-describedby is read with its field
only if an element has that id (Django 5.2 names ``id_<field>_helptext`` and ``_error``)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client

from tests.pages import EXCLUDED, named_patterns, view_name, walk

# Attributes that name other elements by id, and whether they may name several.
REFERENCES = {
    "aria-describedby": True,
    "aria-labelledby": True,
    "aria-controls": True,
    "aria-errormessage": False,
    "for": False,
    "list": False,
    "form": False,
}
# Empty POSTs would change what the walk shows next (delete, pair a device, log out).
NO_EMPTY_POST = ("/delete/", "/kiosk/", "/logout/")


class References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, id)
        self.post_forms: list[str | None] = []  # their action, None for the page itself

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"])
        for name, several in REFERENCES.items():
            if values.get(name) and not (tag == "output" and name == "for"):
                for ref in values[name].split() if several else [values[name]]:
                    self.refs.append((tag, name, ref))
        href = values.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.refs.append((tag, "href", href[1:]))
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.post_forms.append(values.get("action") or None)


def problems(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    ids = set(parser.ids)
    found = [
        f'<{tag} {name}="{ref}">: no element has this id'
        for tag, name, ref in parser.refs
        if ref not in ids
    ]
    doubles = sorted({i for i in parser.ids if parser.ids.count(i) > 1})
    found += [f'id="{i}" is used more than once' for i in doubles]
    return found


def post_forms(html: str) -> list[str | None]:
    parser = References()
    parser.feed(html)
    return parser.post_forms


def test_every_named_page_is_walked_or_excluded_with_a_reason(world):
    walked = {view_name(stop.path) for stop in walk(world)}
    names = named_patterns()
    missing = sorted(names - walked - set(EXCLUDED))
    assert missing == [], (
        "pages no walk visits: add them to tests/pages.py (walk, or EXCLUDED with the reason)"
    )
    assert sorted(set(EXCLUDED) - names) == [], "excluded names that no longer exist"
    assert sorted(set(EXCLUDED) & walked) == [], "walked and excluded at once"


def test_what_every_page_points_at_is_on_the_page_also_with_errors(world):
    stops = walk(world)
    clients: dict[str, Client] = {}
    failures: dict[str, list[str]] = {}
    for stop in stops:
        client = clients.get(stop.who)
        if client is None:
            client = clients[stop.who] = Client()
            if stop.who != "anonymous":
                client.force_login(getattr(world, stop.who))
        response = client.get(stop.path, follow=True)
        if response.status_code != 200:
            failures[f"GET {stop.path} ({stop.who})"] = [f"answered {response.status_code}"]
            continue
        html = response.content.decode()
        if found := problems(html):
            failures[f"GET {stop.path} ({stop.who})"] = found
        if any(part in stop.path for part in NO_EMPTY_POST):
            continue
        page = response.redirect_chain[-1][0] if response.redirect_chain else stop.path
        if None in post_forms(html):  # a form that posts to the page itself: show its errors
            answer = client.post(page, {})
            shown = answer.status_code in (200, 400) and "html" in answer["Content-Type"]
            if shown and (found := problems(answer.content.decode())):
                failures[f"POST {page} ({stop.who})"] = found
    assert not failures, "\n".join(
        f"{where}: {'; '.join(found)}" for where, found in failures.items()
    )
