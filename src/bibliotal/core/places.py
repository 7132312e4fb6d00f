"""Which library a place text means: one matcher for every import that names a place.

An event feed writes "Hovedbiblioteket, Østergade 8, Herning", a counter export "herning bibl.",
a website "Herning Bibliotek". ``BranchMatcher(organisation).match(text)`` finds the library by
what an administrator registered for it: its name, its ISIL code, its other names and addresses
(``BranchAlias``) and its own address.

Rules:
- Texts are compared as words: case, punctuation and spacing do not matter, æ/ø/å equal ae/oe/aa
  (and ä/ö/ü, accents are dropped), and a four-digit postcode is left out, so "Østergade 8,
  7400 Herning" is "oestergade 8 herning" and contains the alias "Østergade 8, Herning".
- A key matches when its words stand together in the text: "Herning Bibliotek, mødelokale 2"
  is Herning Bibliotek, "Nordby Skole" is not Nord Bibliotek's "Nord".
- The street counts alone only with a house number ("Østergade 8"); a street without one
  ("Torvet") counts together with the town. The town alone never counts: "Messecenter Herning"
  is not Herning Bibliotek.
- A single word that says only "library" ("Bibliotek", "Biblioteket"), a number and a word of
  fewer than three letters count only when they are the whole text.
- The longest matching key wins. Where the longest match belongs to two libraries, the text is
  ambiguous and matches none: no library is better than the wrong one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

LETTERS = {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
WORD = re.compile(r"[^\W_]+")
POSTCODE = re.compile(r"\d{4}")
WEAK_WORDS = frozenset(
    {"bibliotek", "biblioteket", "bibliotekerne", "biblioteker", "library", "branch", "filial"}
)


def words(text: str) -> tuple[str, ...]:
    """The words of a place text as the matcher compares them."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    for letter, spelled in LETTERS.items():
        text = text.replace(letter, spelled)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return tuple(w for w in WORD.findall(text) if not POSTCODE.fullmatch(w))


def normalise(text: str) -> str:
    """``"Østergade 8, 7400 Herning"`` → ``"oestergade 8 herning"``."""
    return " ".join(words(text))


def _weak(key: tuple[str, ...]) -> bool:
    if len(key) != 1:
        return False
    word = key[0]
    return word in WEAK_WORDS or word.isdigit() or len(word) < 3


@dataclass(frozen=True)
class Key:
    text: str  # normalised words joined by single spaces
    branch_id: int
    kind: str  # name, isil, alias, address
    weak: bool  # matches only the whole text


def branch_keys(branch, aliases=()) -> list[tuple[str, str]]:
    """(kind, raw text) of everything a library is known by."""
    keys = [("name", branch.name)]
    if branch.isil:
        keys.append(("isil", branch.isil))
    keys += [("alias", text) for text in aliases]
    street = (branch.street or "").strip()
    if street:
        if any(c.isdigit() for c in street):
            keys.append(("address", street))
        if branch.city:
            keys.append(("address", f"{street} {branch.city}"))
    return keys


class BranchMatcher:
    """The libraries of one organisation by everything they are known by, in two queries.

    ``match(text)`` → the library, or None where nothing matches or the text is ambiguous.
    Answers are kept per text, so a feed that names the same place a thousand times asks once.
    """

    def __init__(self, organisation, *, branches=None):
        from bibliotal.core.models import Branch, BranchAlias

        if branches is None:
            branches = Branch.objects.filter(organisation=organisation)
        self.branches = {b.pk: b for b in branches}
        aliases: dict[int, list[str]] = {pk: [] for pk in self.branches}
        for branch_id, text in BranchAlias.objects.filter(
            branch_id__in=list(self.branches)
        ).values_list("branch_id", "text"):
            aliases[branch_id].append(text)
        self.keys: list[Key] = []
        seen: set[tuple[str, int]] = set()
        for branch in self.branches.values():
            for kind, raw in branch_keys(branch, sorted(aliases[branch.pk])):
                found = words(raw)
                if not found or (" ".join(found), branch.pk) in seen:
                    continue
                seen.add((" ".join(found), branch.pk))
                self.keys.append(Key(" ".join(found), branch.pk, kind, _weak(found)))
        # Longest first: the first length at which anything matches decides.
        self.keys.sort(key=lambda k: (-len(k.text), k.branch_id))
        self._answers: dict[str, int | None] = {}

    def match(self, text: str):
        """The library ``text`` names, or None."""
        branch_id = self.match_id(text)
        return None if branch_id is None else self.branches[branch_id]

    def match_id(self, text: str) -> int | None:
        normalised = normalise(text)
        if not normalised:
            return None
        if normalised in self._answers:
            return self._answers[normalised]
        padded = f" {normalised} "
        found: set[int] = set()
        length = None
        for key in self.keys:
            if length is not None and len(key.text) < length:
                break  # every longer key has been tried
            hit = key.text == normalised if key.weak else f" {key.text} " in padded
            if hit:
                length = len(key.text)
                found.add(key.branch_id)
        answer = next(iter(found)) if len(found) == 1 else None
        self._answers[normalised] = answer
        return answer

    def candidates(self, text: str) -> list:
        """Every library some key of which stands in ``text`` (for explaining an ambiguity)."""
        normalised = normalise(text)
        padded = f" {normalised} "
        ids = {
            k.branch_id
            for k in self.keys
            if (k.text == normalised if k.weak else f" {k.text} " in padded)
        }
        return [self.branches[pk] for pk in sorted(ids, key=lambda pk: self.branches[pk].name)]

    def fingerprint(self) -> str:
        """Changes when anything a match depends on changes (for an import's digest)."""
        raw = repr(sorted((k.text, k.branch_id, k.kind) for k in self.keys))
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]
