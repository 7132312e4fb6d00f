"""Passwords a Danish library's staff would guess first are refused.

Django's own common-password list is English. ``DanishCommonPasswordValidator`` refuses a
password that is, apart from digits and signs at its ends (a year, "123", "!"), one or two
common Danish words or names: ``bibliotek``, ``Herning2021``, ``Sommer2024!``,
``sommer-vinter``. Letters written as digits (``S0mmer``) and æ, ø, å written as ae, oe, aa (or
a, o) count as the word. The organisations' and libraries' names and towns in the database are
common words here too. A passphrase of several words is not refused for containing one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

# A few hundred words and names people choose: work and the library, the calendar, places and
# clubs, the most common first names and surnames, and the words of love and home.
WORDS_FILE = "seeds/danish-common-passwords.txt"

_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits and signs before and after the word
_SEPARATORS = re.compile(r"[\W_]+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
_LEET_L = str.maketrans({"1": "l"})
MIN_PART = 3  # two words written together are split into parts at least this long


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _spellings(word: str) -> set[str]:
    """The word as people type it without Danish letters, too."""
    return {
        word,
        word.replace("æ", "ae").replace("ø", "oe").replace("å", "aa"),
        word.replace("æ", "a").replace("ø", "o").replace("å", "a"),
        word.replace("æ", "e").replace("ø", "o").replace("å", "a"),
    }


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    text = resources.files("bibliotal.core").joinpath(WORDS_FILE).read_text(encoding="utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        for word in line.partition("#")[0].split():
            words |= _spellings(_normal(word))
    return frozenset(words)


def local_names() -> set[str]:
    """The organisations', libraries' and towns' names, and each of their words."""
    from bibliotal.core.models import Branch, Organisation

    try:
        names = list(Organisation.objects.values_list("name", flat=True))
        for name, city in Branch.objects.values_list("name", "city"):
            names += [name, city]
    except DatabaseError:  # not migrated yet (createsuperuser on an empty database)
        return set()
    found: set[str] = set()
    for name in names:
        parts = [p for p in _SEPARATORS.split(_normal(name)) if len(p) >= MIN_PART + 1]
        for word in [*parts, "".join(parts)]:
            if word:
                found |= _spellings(word)
    return found


def _readings(password: str) -> set[str]:
    """The password without digits and signs at its ends, read as letters."""
    core = _EDGES.sub("", _normal(password))
    return {core, core.translate(_LEET), core.translate(_LEET_L).translate(_LEET)} - {""}


def _made_of(candidate: str, words: frozenset[str] | set[str]) -> bool:
    """One common word, or two, with or without something between them."""
    parts = [p for p in _SEPARATORS.split(candidate) if p]
    joined = "".join(parts)
    if joined in words:
        return True
    if len(parts) == 2 and all(p in words for p in parts):
        return True
    return any(
        joined[:cut] in words and joined[cut:] in words
        for cut in range(MIN_PART, len(joined) - MIN_PART + 1)
    )


class DanishCommonPasswordValidator:
    """Refuses a common Danish word or name, or two, with digits or signs added."""

    def validate(self, password, user=None):
        words = common_words() | local_names()
        if any(_made_of(reading, words) for reading in _readings(password)):
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is a common Danish word or name, "
                    "with at most digits or signs added."
                ),
                code="password_too_common",
            )

    def get_help_text(self):
        return _(
            "Your password cannot be a common Danish word or name (a month, a town, your "
            "library), not even with a year or other digits added."
        )
