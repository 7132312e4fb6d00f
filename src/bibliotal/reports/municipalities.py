"""Danmarks Statistik's area codes: the whole country, the five regions and the 98 municipalities
(with Christiansø, which DST lists beside them), so that a Statbank file that names its areas
("Herning", "Hele landet") and one that codes them ("657", "000") are read alike.

The names are those of the municipal reform of 2007, as Statbank writes them in Danish; English
downloads write "All Denmark" and "Copenhagen", which are accepted too.
"""

from __future__ import annotations

import re

COUNTRY = "000"

MUNICIPALITIES: dict[str, str] = {
    "101": "København",
    "147": "Frederiksberg",
    "151": "Ballerup",
    "153": "Brøndby",
    "155": "Dragør",
    "157": "Gentofte",
    "159": "Gladsaxe",
    "161": "Glostrup",
    "163": "Herlev",
    "165": "Albertslund",
    "167": "Hvidovre",
    "169": "Høje-Taastrup",
    "173": "Lyngby-Taarbæk",
    "175": "Rødovre",
    "183": "Ishøj",
    "185": "Tårnby",
    "187": "Vallensbæk",
    "190": "Furesø",
    "201": "Allerød",
    "210": "Fredensborg",
    "217": "Helsingør",
    "219": "Hillerød",
    "223": "Hørsholm",
    "230": "Rudersdal",
    "240": "Egedal",
    "250": "Frederikssund",
    "253": "Greve",
    "259": "Køge",
    "260": "Halsnæs",
    "265": "Roskilde",
    "269": "Solrød",
    "270": "Gribskov",
    "306": "Odsherred",
    "316": "Holbæk",
    "320": "Faxe",
    "326": "Kalundborg",
    "329": "Ringsted",
    "330": "Slagelse",
    "336": "Stevns",
    "340": "Sorø",
    "350": "Lejre",
    "360": "Lolland",
    "370": "Næstved",
    "376": "Guldborgsund",
    "390": "Vordingborg",
    "400": "Bornholm",
    "410": "Middelfart",
    "411": "Christiansø",
    "420": "Assens",
    "430": "Faaborg-Midtfyn",
    "440": "Kerteminde",
    "450": "Nyborg",
    "461": "Odense",
    "479": "Svendborg",
    "480": "Nordfyns",
    "482": "Langeland",
    "492": "Ærø",
    "510": "Haderslev",
    "530": "Billund",
    "540": "Sønderborg",
    "550": "Tønder",
    "561": "Esbjerg",
    "563": "Fanø",
    "573": "Varde",
    "575": "Vejen",
    "580": "Aabenraa",
    "607": "Fredericia",
    "615": "Horsens",
    "621": "Kolding",
    "630": "Vejle",
    "657": "Herning",
    "661": "Holstebro",
    "665": "Lemvig",
    "671": "Struer",
    "706": "Syddjurs",
    "707": "Norddjurs",
    "710": "Favrskov",
    "727": "Odder",
    "730": "Randers",
    "740": "Silkeborg",
    "741": "Samsø",
    "746": "Skanderborg",
    "751": "Aarhus",
    "756": "Ikast-Brande",
    "760": "Ringkøbing-Skjern",
    "766": "Hedensted",
    "773": "Morsø",
    "779": "Skive",
    "787": "Thisted",
    "791": "Viborg",
    "810": "Brønderslev",
    "813": "Frederikshavn",
    "820": "Vesthimmerlands",
    "825": "Læsø",
    "840": "Rebild",
    "846": "Mariagerfjord",
    "849": "Jammerbugt",
    "851": "Aalborg",
    "860": "Hjørring",
}

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
