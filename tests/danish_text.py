"""Reading a page as a Danish reader does: its visible text, and what in it is not Danish.

Used by the Danish page crawl (tests/core/test_danish_pages.py); the rules are functions of
text so that their own tests show what they catch and what they let through.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

# Text in these elements is code, data or a program, not prose for a reader.
HIDDEN = {"script", "style", "code", "pre", "kbd", "samp", "template", "textarea", "svg"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not HIDDEN.intersection(self.stack) and data.strip():
            self.texts.append(" ".join(data.split()))


def read(html: str) -> tuple[list[str], list[str]]:
    """The page's visible text nodes and its links (href values)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.texts, reader.links


# A number with one point and digits either side, standing alone (a date 1.12.2021 or a version
# 1.9.0 has two points and is not one).
_POINTED = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d]|\.\d)")
_VERSIONED = re.compile(r"(\b[A-Z]{2,}\)?|\b[Vv]ersion|\bv)\s?$")


def decimal_points(text: str) -> list[str]:
    """Numbers written with a decimal point: "62.5", "99.0". Thousands grouped with a point
    ("45.000") and times of day in the Danish style ("09.00", "16.30") are Danish."""
    found = []
    for match in _POINTED.finditer(text):
        before, after = match.groups()
        if _VERSIONED.search(text[: match.start()]):
            continue  # WCAG 2.1, CC BY 4.0, version 1.2: a name's number, not a figure
        if len(after) == 3 and len(before) <= 3:
            continue  # 45.000 and 1.234.567 (the first group)
        if len(after) == 2 and len(before) <= 2 and int(before) <= 24 and int(after) <= 59:
            continue  # 09.00, 24.00
        found.append(match.group())
    return found


_ENGLISH_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_CAPITAL_MONTHS = rf"{_ENGLISH_MONTHS}|Okt"  # "Maj" is also the whole month, as a heading
_MONTH_AFTER_DAY = re.compile(rf"\b\d{{1,2}}\.\s+({_CAPITAL_MONTHS}|Maj)\b")
_MONTH_BEFORE_YEAR = re.compile(rf"\b({_CAPITAL_MONTHS})\.?\s+\d{{4}}\b")
_MONTH_ALONE = re.compile(
    rf"^(({_CAPITAL_MONTHS})\.?|(jan|feb|mar|apr|jun|jul|aug|sep|okt|nov|dec)|sept\.?)$"
)
_SEPT = re.compile(r"\bsept\.")
_ENGLISH_DAYS = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b\.?\s+\d")


def capitalised_months(text: str) -> list[str]:
    """Month abbreviations written English-style in a Danish text: "1. Dec", "Sept 2021",
    "Tue 1", or a column head "Jan" (Danish writes "1. dec.", "sep. 2021", "jan.")."""
    found = [m.group() for m in _MONTH_AFTER_DAY.finditer(text)]
    found += [m.group() for m in _MONTH_BEFORE_YEAR.finditer(text)]
    found += [m.group() for m in _ENGLISH_DAYS.finditer(text)]
    found += [m.group() for m in _SEPT.finditer(text)]  # Danish abbreviates it sep.
    if _MONTH_ALONE.match(text.strip()) and not _SEPT.match(text.strip()):
        found.append(text.strip())
    return found


# English that once showed on Danish pages, and English words that have no business there.
# Whole words, case-sensitive where the word is a Danish word in lower case.
ENGLISH_LEAKS = [
    r"\bVisits\b",
    r"\bNumber of\b",
    r"\bnumber of\b",
    r"\bEvents\b",
    r"\bLoans\b",
    r"\bthe\b",
    r"\bThe\b",
    r"\band\b",
    r"\bwith\b",
    r"\bper open day\b",
    r"\bNone\b",
    r"\bTrue\b",
    r"\bFalse\b",
    r"\bnan\b",
    r"\bToday\b",
    r"\bNever\b",
    r"\bEdit\b",
    r"\bDelete\b",
    r"\bDownload\b",
    r"\bSave\b",
    r"\bCancel\b",
    r"\bSearch\b",
    r"\bMonday\b|\bTuesday\b|\bWednesday\b|\bThursday\b|\bFriday\b|\bSaturday\b|\bSunday\b",
    r"\bJanuary\b|\bFebruary\b|\bMarch\b|\bJune\b|\bJuly\b|\bOctober\b",
    r"\(hele landet\)",
    r"Ingen \(totaler\)",
    r"\b1 dages\b",
    r"Sammenlignet: ",
]
_LEAKS = [re.compile(pattern) for pattern in ENGLISH_LEAKS]


def english_leaks(text: str) -> list[str]:
    return [m.group() for pattern in _LEAKS for m in pattern.finditer(text)]


def problems(html: str) -> list[str]:
    """Every Danish-text problem of a page, each with the text node it is in."""
    texts, _ = read(html)
    found = []
    for text in texts:
        for kind, hits in (
            ("decimal point", decimal_points(text)),
            ("English month", capitalised_months(text)),
            ("English", english_leaks(text)),
        ):
            if hits:
                found.append(
                    f"{kind} {', '.join(map(repr, dict.fromkeys(hits)))} in {text[:160]!r}"
                )
    return found


# Links a crawl does not follow: they change state, leave the site, or are files.
SKIP = re.compile(
    r"^/(logout|accounts/logout|i18n|admin|api|static|media)\b"
    r"|\.(csv|xlsx|docx|pdf|ics|json|zip|png|svg|txt)(\?|$)"
    r"|[?&](format|download)="
    r"|/(download|export|delete|revoke|undo|logout)\b"
)


def internal_links(html: str, *, page: str) -> list[str]:
    """The page's links to other pages of this site, as paths with their query."""
    _, links = read(html)
    found = []
    for href in links:
        href = urldefrag(href).url
        if not href or href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        path = parts.path if parts.path.startswith("/") else None
        if path is None:
            if parts.path:
                continue  # relative paths: none in this site
            path = urlsplit(page).path  # "?month=…" on the same page
        url = path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(url):
            found.append(url)
    return found


def _shape(url: str) -> str:
    """Pages of one kind (every event's attendance page) share a shape: ids become #."""
    path, _, query = url.partition("?")
    return re.sub(r"/\d+(?=/|$)", "/#", path) + ("?" if query else "")


def crawl(client, start: str = "/", *, per_shape: int = 3, limit: int = 600) -> dict[str, str]:
    """Every HTML page reachable from ``start`` by links (and redirects), at most ``per_shape``
    of each kind: {url: html}. Pages answering 4xx or 5xx are kept as "<status>" for the test to
    name, and pages that raised as "<Error: message>"."""
    pages: dict[str, str] = {}
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = [start]
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if shapes.get(shape, 0) >= per_shape:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        try:
            response = client.get(url)
        except Exception as error:  # the test names the page; a crawl goes on
            pages[url] = f"<{type(error).__name__}: {error}>"
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            location = urlsplit(response["Location"])
            if not location.netloc:
                target = location.path + (f"?{location.query}" if location.query else "")
                if not SKIP.search(target):
                    queue.append(target)
            continue
        if response.status_code >= 400:
            pages[url] = f"<{response.status_code}>"
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        queue.extend(link for link in internal_links(html, page=url) if link not in seen)
    return pages
