"""One series for one club: how an imported event finds the series it already has.

A calendar or the library website names a series by its own key (an iCalendar UID, dpl-cms's
``series.uuid``). The same reading club then arrives under a new key when the website re-creates
the series for a new season, when a feed is exported again, or when the club was typed by hand
before the website was read ("Bogcafé, Aulum Bibliotek" typed, "Bogcafé" from the website, at
Aulum). Keyed on the source's key alone each of those became a new series, and the series menu
filled with near-duplicates.

``title_key`` is what stays the same across those spellings: case, accents written alike
(NFKC), whitespace, punctuation, dates and times in the title ("Bogcafé 12. januar 2027",
"Bogcafé – kl. 10.00") and the library's name around it ("Bogcafé, Aulum Bibliotek",
"Aulum: Bogcafé"). Two series are the same when their keys are the same and they are at the same
library (or one has no library yet). The import and the migration that merged the
near-duplicates already in the database (``0003``) both use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MONTHS = (
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec|"
    "january|february|march|may|june|july|october"
)
WEEKDAYS = "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag"
_DATE_PATTERNS = [
    r"\b\d{4}-\d{1,2}-\d{1,2}\b",  # 2027-01-12
    r"\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b",  # 12.1, 12/1-2027, 12-01-27
    rf"\b(?:(?:{WEEKDAYS})(?:\s+d\.)?\s+)?\d{{1,2}}\.?\s*(?:{MONTHS})\.?(?:\s+\d{{4}})?\b",
    rf"\b(?:{MONTHS})\s+\d{{4}}\b",  # januar 2027
    r"\b(?:kl\.?\s*)?\d{1,2}[:.]\d{2}(?:\s*[-–]\s*\d{1,2}[:.]\d{2})?\b",  # kl. 10.00-12.00
    r"\bkl\.?\s*\d{1,2}\b",  # kl. 10
    r"\b(?:19|20)\d{2}(?:\s*[-/]\s*\d{2,4})?\b",  # 2027, 2026/27
]
_DATES = re.compile("|".join(f"(?:{p})" for p in _DATE_PATTERNS), re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")
_LIBRARY_WORDS = re.compile(r"\b(?:hovedbibliotek|bibliotekerne|bibliotek|filial)\b")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", text).replace("_", " ").split())


def library_names(branches: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each library's names as a title may carry them, longest first: "aulum bibliotek" and
    "aulum" for Aulum Bibliotek."""
    names = []
    for pk, name in branches:
        full = _plain(name)
        short = " ".join(_LIBRARY_WORDS.sub(" ", full).split())
        names += [(pk, variant) for variant in {full, short} if variant]
    return sorted(names, key=lambda item: -len(item[1]))


def title_key(title: str, libraries: list[tuple[int, str]] = ()) -> tuple[str, int | None]:
    """(the title as the same series always reads, the library its title names or None).

    ``libraries`` comes from ``library_names``. A title that is nothing but a date or a
    library's name keeps its words: its key is never empty."""
    raw = unicodedata.normalize("NFKC", title or "").casefold()
    text = _plain(_DATES.sub(" ", raw))
    named = None
    for pk, name in libraries:
        for pattern in (
            rf"^(.+?)(?: i| på| hos)? {re.escape(name)}$",
            rf"^{re.escape(name)} (.+)$",
        ):
            found = re.match(pattern, text)
            if found:
                text, named = found.group(1), pk
                break
        if named is not None:
            break
    return (text or _plain(raw) or raw.strip()), named


def same_series(
    key: str,
    branch_id: int | None,
    candidates: Iterable[tuple[object, str, int | None]],
):
    """The first candidate (series, key, its library) that is the series of an event with
    ``key`` at ``branch_id``: the same key, and the same library or none known on one side.
    A candidate at the event's own library comes before one without a library."""
    without = None
    for series, candidate_key, candidate_branch in candidates:
        if candidate_key != key:
            continue
        if candidate_branch == branch_id and branch_id is not None:
            return series
        if without is None and (candidate_branch is None or branch_id is None):
            without = series
    return without


def known_series(*, series_model, occurrence_model, branch_model, organisation_id):
    """The organisation's series as ``same_series`` candidates, fewest queries: each with its
    key and its library (where most of its events are; else the one its title names).
    Takes the model classes so the data migration can pass its historical ones."""
    from django.db.models import Count

    libraries = library_names(
        branch_model.objects.filter(organisation_id=organisation_id).values_list("pk", "name")
    )
    where: dict[int, tuple[int, int]] = {}
    rows = (
        occurrence_model.objects.filter(organisation_id=organisation_id, series__isnull=False)
        .exclude(branch=None)
        .values("series_id", "branch_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["n"] > where.get(row["series_id"], (0, 0))[0]:
            where[row["series_id"]] = (row["n"], row["branch_id"])
    found = []
    for series in series_model.objects.filter(organisation_id=organisation_id).order_by("pk"):
        key, named = title_key(series.title, libraries)
        found.append((series, key, where[series.pk][1] if series.pk in where else named))
    return found, libraries
