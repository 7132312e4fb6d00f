"""Text helpers every app shares: addresses and file names in plain letters."""

from __future__ import annotations

import re
import unicodedata

# Danish letters as Danes write them without: æ → ae, ø → oe, å → aa (Django's slugify drops them).
DANISH_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "ß": "ss"}
)


def danish_slugify(text: str, *, fallback: str = "") -> str:
    """An address or file-name part in plain lower-case letters, digits and hyphens:
    "Informationssøgning på nettet" → "informationssoegning-paa-nettet", "Besøg 2021" →
    "besoeg-2021"; other accents lose their mark (é → e). ``fallback`` when nothing is left."""
    text = unicodedata.normalize("NFKD", str(text).translate(DANISH_LETTERS))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or fallback
