"""Danmarks Statistik's area codes: the whole country, the five regions and the 98 municipalities
(with Christiansø, which DST lists beside them), so that a Statbank file that names its areas
("Herning", "Hele landet") and one that codes them ("657", "000") are read alike.

The names are those of the municipal reform of 2007, as Statbank writes them in Danish; English
downloads write "All Denmark" and "Copenhagen", which are accepted too.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

from bibliotal.core import setup as core_setup

COUNTRY = "000"

# The 98 municipalities are core's bundled list (``core/seeds/municipalities.csv``, also what
# ``bibliotal setup`` offers); Statbank lists Christiansø beside them.
MUNICIPALITIES: dict[str, str] = dict(
    sorted({**core_setup.municipalities(), "411": "Christiansø"}.items())
)

REGIONS: dict[str, str] = {
    "081": "Region Nordjylland",
    "082": "Region Midtjylland",
    "083": "Region Syddanmark",
    "084": "Region Hovedstaden",
    "085": "Region Sjælland",
}

AREAS: dict[str, str] = {COUNTRY: "Hele landet", **REGIONS, **MUNICIPALITIES}

ALIASES = {
    "hele landet": COUNTRY,
    "all denmark": COUNTRY,
    "denmark": COUNTRY,
    "danmark": COUNTRY,
    "landet i alt": COUNTRY,
    "copenhagen": "101",
    "københavn": "101",
    "københavns": "101",  # "Københavns Kommune"
    "bornholms": "400",  # "Bornholms Regionskommune"
    "århus": "751",
    "north denmark region": "081",
    "central denmark region": "082",
    "region of southern denmark": "083",
    "capital region of denmark": "084",
    "region zealand": "085",
}


def _loose(name: str) -> str:
    """A name without the difference between "Høje-Taastrup" and "Høje Taastrup"."""
    return " ".join(name.lower().replace("-", " ").split())


_BY_NAME = {_loose(name): code for code, name in AREAS.items()} | {
    _loose(alias): code for alias, code in ALIASES.items()
}
_CODE_AND_NAME = re.compile(r"^(\d{3})(?:\s+(.*))?$")
_SUFFIX = re.compile(
    r"\s+(kommune|kommunes?|regionskommune|municipality|regional municipality)$", re.IGNORECASE
)


def area_code(text: str) -> str | None:
    """The area code of a Statbank area as a file writes it: "657", "657 Herning", "Herning",
    "Herning Kommune", "Hele landet"; None for an area that is not the country, a region or a
    municipality (a "landsdel", say)."""
    value = " ".join(text.split())
    found = _CODE_AND_NAME.match(value)
    if found:
        code = found.group(1)
        return code if code in AREAS else None
    return _BY_NAME.get(_loose(_SUFFIX.sub("", value)))


def area_name(code: str) -> str:
    """An area's name for people: the municipalities' and regions' own names, and the whole
    country in the reader's language ("Hele landet", "Whole country")."""
    if code == COUNTRY:
        return gettext("Whole country")
    return AREAS.get(code, code)


def is_municipality(code: str) -> bool:
    return code in MUNICIPALITIES


def municipality_choices(*, leave_out: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(code, "Name (code)") of every municipality, by name."""
    return sorted(
        (
            (code, f"{name} ({code})")
            for code, name in MUNICIPALITIES.items()
            if code not in leave_out
        ),
        key=lambda pair: pair[1],
    )
