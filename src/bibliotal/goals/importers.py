"""Read a municipality's budget goal document ("Mål for budget ÅR") and propose targets.

The format (blocks of ``<b>Label</b>`` TAB value lines, a ``## Mål for budget ÅR`` heading) and
its natural variations are described in the domain notes: other years and service areas, CRLF,
Windows-1252 or UTF-8 with or without BOM, extra spaces, tags other than ``<b>``, labels in
another order, several documents in one file.

Parsing is pure (no database): ``parse_document`` returns the documents it found and the
problems, each naming the line, column and value. ``propose_targets`` reads the goal sentences.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core import imports

LABELS = {
    "serviceområde": "service_area",
    "serviceomraade": "service_area",
    "fokusområde": "title",
    "fokusomraade": "title",
    "udfordring": "challenge",
    "udfordringer": "challenge",
    "mål": "goal_text",
    "maal": "goal_text",
    "målsætning": "goal_text",
    "mål og målsætning": "goal_text",
    "veje til målet": "ways",
    "vej til målet": "ways",
    "veje til maalet": "ways",
}
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
LABELLED = re.compile(
    r"^\s*(?:<(?P<tag>[a-zA-Z]+)[^>]*>\s*(?P<tagged>[^<]+?)\s*:?\s*</(?P=tag)>"
    r"|(?P<plain>[A-ZÆØÅa-zæøå ]+?)\s*:)\s*(?P<value>.*)$"
)
PLAIN_TAB = re.compile(r"^\s*(?P<plain>[A-ZÆØÅa-zæøå ]+?)\s*\t\s*(?P<value>.*)$")
HEADING = re.compile(
    r"^\s*#*\s*(?:<[^>]+>\s*)*Mål\s+for\s+budget(?:året|år)?\s+(?:år\s+)?(?P<year>\d{4})",
    re.IGNORECASE,
)


@dataclass
class Problem:
    line: int
    column: int
    value: str
    message: str
    fatal: bool = True

    def render(self, filename: str) -> str:
        where = _("%(file)s, line %(line)d, column %(column)d") % {
            "file": filename,
            "line": self.line,
            "column": self.column,
        }
        value = _("value")  # outside the f-string, where xgettext can find it
        return f"{where}: {self.message} ({value}: {self.value!r})"


@dataclass
class ParsedFocusArea:
    line: int
    service_area: str = ""
    title: str = ""
    challenge: str = ""
    goal_text: str = ""
    ways: str = ""

    def texts(self) -> dict[str, str]:
        return {
            "service_area": self.service_area,
            "title": self.title,
            "challenge": self.challenge,
            "goal_text": self.goal_text,
            "ways": self.ways,
        }


@dataclass
class ParsedDocument:
    year: int | None
    line: int
    focus_areas: list[ParsedFocusArea] = field(default_factory=list)


@dataclass
class ParseResult:
    documents: list[ParsedDocument]
    problems: list[Problem]
    text: str
    encoding: str

    @property
    def ok(self) -> bool:
        return not any(p.fatal for p in self.problems)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, else Windows-1252 (also after a BOM
    before bytes that are not UTF-8), as every import reads; line ends made LF."""
    text, encoding = imports.decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), encoding


def _clean(value: str) -> str:
    value = TAG.sub("", value).replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", value).strip()


def _label_key(raw: str) -> str | None:
    return LABELS.get(_clean(raw).rstrip(":").strip().lower())


def _has_text_but_service_area(area: ParsedFocusArea) -> bool:
    return any(getattr(area, name) for name in ("title", "challenge", "goal_text", "ways"))


def parse_document(
    data: bytes, *, default_year: int | None = None, whole_blocks: bool = False
) -> ParseResult:
    """The labelled blocks of a text file. ``whole_blocks``: the text form of a Word, PDF or
    web document, whose text outside the labelled blocks (a page's menu, a cookie notice, the
    budget's prose) is no one's mistake and is passed over without a warning."""
    text, encoding = decode(data)
    problems: list[Problem] = []
    documents: list[ParsedDocument] = []
    current_doc: ParsedDocument | None = None
    area: ParsedFocusArea | None = None
    last_field: str | None = None
    # A Serviceområde on its own, above the focus areas that follow it.
    service_area = ""

    def close_area() -> None:
        nonlocal area, last_field, service_area
        if area is not None and area.service_area and not _has_text_but_service_area(area):
            service_area = area.service_area
            area, last_field = None, None
            return
        if area is not None:
            if not area.service_area and service_area:
                area.service_area = service_area
            if len(area.service_area) > MAX_SERVICE_AREA:
                problems.append(
                    Problem(
                        area.line,
                        1,
                        area.service_area[:40],
                        _("A Serviceområde (service area) is at most %(n)d characters.")
                        % {"n": MAX_SERVICE_AREA},
                    )
                )
            if not area.title:
                problems.append(
                    Problem(
                        area.line,
                        1,
                        area.service_area or area.goal_text[:40],
                        _("This block has no Fokusområde (focus area)."),
                    )
                )
            elif current_doc is not None:
                current_doc.focus_areas.append(area)
        area, last_field = None, None

    for number, line in enumerate(text.split("\n"), start=1):
        if "\x00" in line:
            problems.append(
                Problem(
                    number,
                    line.index("\x00") + 1,
                    _clean(line.replace("\x00", "\\0"))[:60],
                    _("The text holds a NUL character: the file is damaged or not a text file."),
                )
            )
            continue
        if not line.strip():
            close_area()
            continue
        heading = HEADING.match(line)
        if heading:
            close_area()
            current_doc = ParsedDocument(int(heading.group("year")), number)
            documents.append(current_doc)
            service_area = ""
            continue
        match = LABELLED.match(line) or PLAIN_TAB.match(line)
        key = None
        if match:
            raw_label = match.group("tagged") if "tagged" in match.groupdict() else None
            raw_label = raw_label or match.group("plain") or ""
            key = _label_key(raw_label)
            if key is None and (match.groupdict().get("tagged") or "\t" in line):
                column = line.find(raw_label.strip()) + 1
                problems.append(
                    Problem(
                        number,
                        max(column, 1),
                        _clean(raw_label),
                        _(
                            "Unknown label; expected Serviceområde, Fokusområde, "
                            "Udfordring, Mål or Veje til målet."
                        ),
                        fatal=False,
                    )
                )
                continue
        if key is not None:
            value = _clean(match.group("value")).lstrip(":").strip()
            if current_doc is None:
                current_doc = ParsedDocument(default_year, number)
                documents.append(current_doc)
            if area is None or (key in {"service_area", "title"} and getattr(area, key)):
                close_area()
                area = ParsedFocusArea(number)
            if getattr(area, key):
                setattr(area, key, f"{getattr(area, key)} {value}".strip())
            else:
                setattr(area, key, value)
            last_field = key
            continue
        if area is not None and last_field is not None:  # a wrapped line continues the field
            setattr(area, last_field, f"{getattr(area, last_field)} {_clean(line)}".strip())
            continue
        if current_doc is None and not whole_blocks and not line.lstrip().startswith("#"):
            problems.append(
                Problem(
                    number,
                    1,
                    _clean(line)[:60],
                    _("Text outside a labelled block is ignored."),
                    fatal=False,
                )
            )
    close_area()

    for document in documents:
        if document.year is None:
            problems.append(
                Problem(
                    document.line,
                    1,
                    "",
                    _("No budget year: add a line '## Mål for budget ÅR' or give the year."),
                )
            )
        elif document.year not in BUDGET_YEARS:
            problems.append(
                Problem(
                    document.line,
                    1,
                    str(document.year),
                    _("Not a budget year: a budget year lies between %(first)d and %(last)d.")
                    % {"first": BUDGET_YEARS[0], "last": BUDGET_YEARS[-1]},
                )
            )
    if not any(d.focus_areas for d in documents):
        first_line = next(
            ((n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()),
            (1, ""),
        )
        problems.append(
            Problem(
                first_line[0],
                1,
                _clean(first_line[1])[:60],
                _("No focus areas found: lines must look like '<b>Fokusområde</b>' TAB text."),
            )
        )
    return ParseResult(documents, problems, text, encoding)


# -- proposing targets from the goal sentences ---------------------------------------------------

# A count: "45.000", "9 000", "45000", "1,2 mio."; never a percentage ("80 % af eleverne").
NUMBER = (
    r"(\d{1,3}(?:[.\u00a0 ]\d{3})+|\d+(?:,\d+)?)(?![\d,])(\s*(?:mio\.?|millioner|million))?"
    r"(?!\s*(?:%|procent|-niveau))"
)
# A number starts where no digit is before it: tried from every digit of a long run of them,
# the search would take quadratic time.
PERCENT = re.compile(
    r"(?:med\s+|på\s+)?(?:mindst\s+|minimum\s+|min\.\s+)?(?<![\d,])(\d+(?:,\d+)?)\s*"
    r"(?:%|procent)"
)
AT_LEAST_NEGATED = re.compile(r"\bikke\s+(?:må\s+)?(?:falde|komme|gå|være)\s+under\s+" + NUMBER)
AT_MOST_NEGATED = re.compile(r"\bikke\s+(?:må\s+)?(?:overstige|stige\s+over)\s+" + NUMBER)
# "må højst være 500", "skal minimum nå 5.000", "skal mindst ligge på 30.000".
FILLER = r"(?:\s+(?:være|blive|ligge|nå|op|ned|på)){0,2}"
AT_LEAST = re.compile(
    r"\b(?:minimum|mindst|min\.|over|flere end|mere end)" + FILLER + r"\s+" + NUMBER
)
AT_MOST = re.compile(
    r"\b(?:højst|maksimalt|maks\.?|max\.|under|færre end|mindre end|lavere end|"
    r"(?:reduceres|reducere|nedbringes|nedbringe|sænkes|sænke)\s+til)" + FILLER + r"\s+" + NUMBER
)
VERSUS_YEAR = re.compile(
    r"(?:i forhold til|ift\.|sammenlignet med|end i|end|i forhold til året)\s+(?:i\s+)?(\d{4})"
)
INCREASE = re.compile(
    r"\b(?:stige|stiger|øges|øget|øge|forøges|flere|vokse|vokser|større|højere|mere)\b"
)
# A fall versus a baseline year: the goals engine judges no such kind (it knows at least, at
# most and rises), so such a sentence stays a goal that needs a target, with the reason.
DECREASE = re.compile(
    r"\b(?:færre|reducere|reduceres|reduceret|falde|falder|mindske|mindskes|nedbringe|"
    r"nedbringes|sænke|sænkes|lavere|mindre)\b"
)
# Percentage points are no percentage of a count: the engine has no kind for them.
PERCENTAGE_POINTS = re.compile(r"procentpoint|pct\.?[-\s]?point|%[-\s]?point")
YEAR = re.compile(r"\b(20\d{2}|19\d{2})\b")
BUDGET_YEARS = range(2000, 2101)
# No library target counts more than a billion (the database keeps twelve digits), nor rises by
# more than 1,000 %: a larger number in a sentence is no target, and the goal needs one typed.
MAX_THRESHOLD = 1_000_000_000
MAX_PERCENT = 1000
MAX_SERVICE_AREA = 200  # FocusArea.service_area
# Abbreviations after which a capital letter does not start a new sentence.
ABBREVIATIONS = {
    "ift",
    "f.eks",
    "bl.a",
    "mv",
    "m.v",
    "dvs",
    "ca",
    "inkl",
    "jf",
    "pga",
    "min",
    "maks",
    "nr",
    "evt",
    "mht",
    "vedr",
    "kl",
    "pct",
}


class Then:
    """``first.*then`` in linear time: ``first`` somewhere, and ``then`` after it. (The regular
    expression scans the rest of the text again from every ``first``: quadratic in a long
    clause that repeats the word.)"""

    def __init__(self, first: str, then: str):
        self.first, self.then = re.compile(first), re.compile(then)

    def search(self, text: str):
        found = self.first.search(text)
        return found and self.then.search(text, found.end())


class Either:
    """One of several patterns, each searched on its own."""

    def __init__(self, *patterns):
        self.patterns = patterns

    def search(self, text: str):
        return next((found for p in self.patterns if (found := p.search(text))), None)


# Ordered: the first rule that matches a clause decides its indicator(s).
INDICATOR_RULES: list[tuple[re.Pattern | Then | Either, tuple[str, ...]]] = [
    (re.compile(r"\bikke-brugere|\bikke brugere|\bnye brugere|\bnye lånere"), ("new_users",)),
    (re.compile(r"unikke (?:brugere|besøgende)"), ("digital_unique_users",)),
    # Staff who "vejleder" in e-books are guiding, not lending: guidance before e-loans.
    (re.compile(r"vejled"), ("guidance",)),
    (
        Either(
            Then(r"\b(?:børn|unge)\b", r"\be-?b[oø]g"), Then(r"\be-?b[oø]g", r"\b(?:børn|unge)\b")
        ),
        ("child_ebook_loans",),
    ),
    (
        re.compile(r"e-?bøger og [–-]?\s*(?:e-)?lydbøger|e-?bøger og e-?lydbøger"),
        ("ebook_loans", "eaudiobook_loans"),
    ),
    (re.compile(r"e-?lydbøger|e-?lydbog|netlydbøger"), ("eaudiobook_loans",)),
    (re.compile(r"e-?bøger|e-?bog\b|e-bogs|ebøger"), ("ebook_loans",)),
    (
        Either(
            Then(r"(?:elever|studerende|klasser)", r"undervis"),
            Then(r"undervis", r"(?:elever|studerende)"),
        ),
        ("pupils_taught",),
    ),
    (
        Either(Then(r"deltage", r"(?:arrangement|tilbud|aktivitet)"), re.compile(r"deltagere")),
        ("event_participants",),
    ),
    (
        Either(
            re.compile(r"antal(?:let)? (?:af )?arrangementer"), Then(r"afholde", r"arrangementer")
        ),
        ("events_held",),
    ),
    (re.compile(r"\d\s+(?:\w+\s+)?arrangementer|arrangementer afholdes"), ("events_held",)),
    (re.compile(r"besøg"), ("visits",)),
]


@dataclass
class ProposedTarget:
    source_text: str
    indicator: str = ""
    kind: str = "qualitative"
    threshold: Decimal | None = None
    baseline_year: int | None = None
    percent: Decimal | None = None
    measure: str = "attendances"
    # The period the sentence names (a school year: 1 August to 31 July); None: the budget year.
    period_start: date | None = None
    period_end: date | None = None
    # The libraries the sentence names: "all", "branches" (``scope_text`` names them: resolve
    # them with ``scope_branches``) or "area_type" (``area_type`` a Branch.AreaType value).
    scope: str = "all"
    area_type: str = ""
    scope_text: str = ""
    # Why a sentence stays a goal that needs a target (empty for a measurable one).
    reason: str = ""

    @property
    def is_qualitative(self) -> bool:
        return self.kind == "qualitative"

    @property
    def indicator_name(self) -> str:
        from bibliotal.goals import indicators

        try:
            return str(indicators.get(self.indicator).name)
        except KeyError:
            return self.indicator


def parse_number(raw: str, millions: str | None = None) -> Decimal:
    if millions:
        return Decimal(raw.replace(".", "").replace(",", ".")) * 1_000_000
    if re.fullmatch(r"\d+,\d+", raw):
        return Decimal(raw.replace(",", "."))
    return Decimal(re.sub(r"[.\u00a0 ]", "", raw))


# A list item's bullet, at the start of the text or after a space: each item is its own sentence,
# whether or not the one before it ends in a full stop.
BULLET = re.compile(r"(?:^|\s+)[•▪◦‣]\s+")


def split_sentences(text: str) -> list[str]:
    """A sentence ends at . ! ? before a capital letter, but not after "ift." or "f.eks.";
    a bullet ("• …") starts a new one."""
    if BULLET.search(text):
        return [s for item in BULLET.split(text) for s in split_sentences(item)]
    sentences, start = [], 0
    text = text.strip()
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", text):
        before = text[start : match.start()]
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
        if last_word in ABBREVIATIONS:
            continue
        sentences.append(before.strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def split_clauses(sentence: str) -> list[str]:
    """Clauses that can each hold a target: ", og ", "; " and "og mindst …"."""
    parts = re.split(
        r",\s+og\s+|;\s+|\s+og\s+(?=(?:minimum|mindst|min\.|højst|maks\.?|maksimalt)\b)",
        sentence,
    )
    return [c.strip() for c in parts if c.strip()]


def _first_count(pattern: re.Pattern, text: str) -> Decimal | None:
    """The first number after the pattern's words that is a count (not a year, not above
    ``MAX_THRESHOLD``)."""
    for match in pattern.finditer(text):
        if YEAR.fullmatch(match.group(1)) and not match.group(2):
            continue
        number = parse_number(match.group(1), match.group(2))
        if number <= MAX_THRESHOLD:
            return number
    return None


NUMBER_WORDS = {
    "en": 1, "én": 1, "et": 1, "ét": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6,
    "syv": 7, "otte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13,
    "fjorten": 14, "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19,
    "tyve": 20, "femogtyve": 25, "tredive": 30, "fyrre": 40, "halvtreds": 50,
}  # fmt: skip
_UNIT = r"(procent|pct\.?|procentpoint|mio\.?|millioner|million|tusind)"
WORD_NUMBER = re.compile(
    r"\b(halvanden|en halv|et halvt|"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")\s+"
    + _UNIT
    + r"(?=\W|$)"
)
THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3})\s+tusind\b")
SCHOOL_YEAR = re.compile(r"skoleår(?:et)?\s+(20\d{2})\s*[/-]\s*(20\d{2}|\d{2})\b")
AREA_WORDS = {
    "landområderne": "rural",
    "landdistrikterne": "rural",
    "landsbyerne": "rural",
    "centerbyerne": "centre_town",
}
BRANCH_WORDS = ("lokalbibliotekerne", "lokalbiblioteker", "filialerne", "hovedbiblioteket")
SCOPE_WORDS = re.compile(
    r"\b(?:i|på|for|blandt|ved)\s+(?:de\s+)?(?P<words>"
    + "|".join(list(AREA_WORDS) + list(BRANCH_WORDS))
    + r")\b",
    re.IGNORECASE,
)
_NAME = r"[A-ZÆØÅ][\w-]+"
_AND = r"(?:,\s*|\s+og\s+)"
_LIBRARY = r"\s+[Bb]ibliotek(?:er)?\b"
# Libraries by name: "på Nord Bibliotek og Syd Bibliotek", "i Lind og Gullestrup Biblioteker".
NAMED_LIBRARIES = re.compile(
    rf"\b(?i:i|på|ved)\s+(?P<names>{_NAME}{_LIBRARY}(?:{_AND}{_NAME}{_LIBRARY})+"
    rf"|(?:{_NAME}{_AND})*{_NAME}{_LIBRARY})"
)


def normalise_numbers(text: str) -> str:
    """Numbers as digits: "tre procent" → "3 procent", "en halv million" → "0,5 mio.",
    "10 pct." → "10 %", "45 tusind" → "45.000"; narrow and no-break spaces as spaces."""
    text = text.replace("\u202f", " ").replace("\u00a0", " ")

    def word(match: re.Match) -> str:
        raw, unit = match.group(1), match.group(2)
        value = {"halvanden": "1,5", "en halv": "0,5", "et halvt": "0,5"}.get(raw)
        value = value or str(NUMBER_WORDS[raw])
        if unit == "tusind":
            return str(int(Decimal(value.replace(",", ".")) * 1000))
        return f"{value} {unit}"

    text = WORD_NUMBER.sub(word, text)
    text = THOUSANDS.sub(lambda m: f"{m.group(1)}.000", text)
    text = re.sub(r"(\d)\s*pct\.?(?![-\s]?point)", r"\1 %", text)
    return re.sub(r"(\d)\s*procent(?!point)", r"\1 %", text)


def school_year(sentence: str) -> tuple[date, date] | None:
    """ "skoleåret 2025/26": 1 August 2025 to 31 July 2026."""
    found = SCHOOL_YEAR.search(sentence.lower())
    if not found:
        return None
    first = int(found.group(1))
    second = found.group(2)
    last = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    if last != first + 1:
        return None
    return date(first, 8, 1), date(last, 7, 31)


MONTH_NAMES = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
_MONTH = "(" + "|".join(MONTH_NAMES) + ")"
_YEAR = r"(?:\s+(20\d{2}))?"
_TO = r"\s*(?:til|–|-|og)\s*(?:den\s+|med\s+)?"
DAY_RANGE = re.compile(
    rf"\b(?:fra|perioden|mellem)\s+(?:den\s+)?(\d{{1,2}})\.\s*{_MONTH}{_YEAR}"
    rf"{_TO}(\d{{1,2}})\.\s*{_MONTH}{_YEAR}"
)
MONTH_RANGE = re.compile(
    rf"\b(?:fra|i|perioden|mellem|månederne)\s+{_MONTH}{_YEAR}{_TO}{_MONTH}{_YEAR}"
)
ORDINALS = {"første": 1, "1.": 1, "andet": 2, "anden": 2, "2.": 2, "tredje": 3, "3.": 3}
ORDINALS |= {"fjerde": 4, "4.": 4}
HALF_YEAR = re.compile(r"\b(første|1\.|andet|anden|2\.)\s*halvår(?:\s+(?:af\s+)?(20\d{2}))?")
QUARTER = re.compile(
    r"\b(første|1\.|andet|anden|2\.|tredje|3\.|fjerde|4\.)\s*kvartal(?:\s+(?:af\s+)?(20\d{2}))?"
)


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def named_period(sentence: str, budget_year: int) -> tuple[date, date] | None:
    """A period the sentence names: "i perioden 1. marts til 30. juni 2025", "fra marts til
    juni", "i første halvår 2025", "i 3. kvartal". A year left out is the budget year (the
    start's the year before where it runs over new year); None when there is none, or the
    dates do not exist."""
    text = sentence.lower()
    try:
        found = DAY_RANGE.search(text)
        if found:
            day1, month1, year1, day2, month2, year2 = found.groups()
            m1, m2 = MONTH_NAMES.index(month1) + 1, MONTH_NAMES.index(month2) + 1
            end_year = int(year2 or year1 or budget_year)
            start_year = int(year1) if year1 else end_year - (m1 > m2)
            start, end = date(start_year, m1, int(day1)), date(end_year, m2, int(day2))
            return (start, end) if start <= end else None
        found = MONTH_RANGE.search(text)
        if found:
            month1, year1, month2, year2 = found.groups()
            m1, m2 = MONTH_NAMES.index(month1) + 1, MONTH_NAMES.index(month2) + 1
            end_year = int(year2 or year1 or budget_year)
            start_year = int(year1) if year1 else end_year - (m1 > m2)
            start, end = date(start_year, m1, 1), _month_end(end_year, m2)
            return (start, end) if start <= end else None
    except ValueError:  # "31. juni"
        return None
    found = HALF_YEAR.search(text)
    if found:
        year = int(found.group(2) or budget_year)
        half = ORDINALS[found.group(1)]
        return (
            (date(year, 1, 1), date(year, 6, 30))
            if half == 1
            else (
                date(year, 7, 1),
                date(year, 12, 31),
            )
        )
    found = QUARTER.search(text)
    if found:
        year = int(found.group(2) or budget_year)
        quarter = ORDINALS[found.group(1)]
        return date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3)
    return None


def read_scope(clause: str, sentence: str) -> dict:
    """The libraries a clause (or else its sentence) names: an area type, named libraries or
    words for a group of them ("i lokalbibliotekerne", "på hovedbiblioteket")."""
    for text in (clause, sentence):
        found = SCOPE_WORDS.search(text)
        if found:
            words = found.group("words").lower()
            if words in AREA_WORDS:
                return {"scope": "area_type", "area_type": AREA_WORDS[words], "scope_text": words}
            return {"scope": "branches", "scope_text": words}
        named = NAMED_LIBRARIES.search(text)
        if named:
            return {"scope": "branches", "scope_text": named.group(0).split(None, 1)[1]}
    return {}


def scope_branches(organisation, scope_text: str) -> list:
    """The organisation's libraries a target's ``scope_text`` names: "hovedbiblioteket" (the
    library named so, else the only one in the city), "lokalbibliotekerne"/"filialerne" (all but
    that one), or libraries by name through the BranchMatcher. Empty: none could be matched."""
    from bibliotal.core.models import Branch
    from bibliotal.core.places import BranchMatcher

    branches = list(Branch.objects.filter(organisation=organisation).order_by("name"))
    lowered = scope_text.lower()
    main = [b for b in branches if "hovedbibliotek" in b.name.lower()]
    if not main:
        city = [b for b in branches if b.area_type == Branch.AreaType.CITY]
        main = city if len(city) == 1 else []
    if "hovedbibliotek" in lowered:
        return main
    if lowered in BRANCH_WORDS:
        return [b for b in branches if b not in main] if main else []
    matcher = BranchMatcher(organisation, branches=branches)
    names = [
        re.sub(r"\s+[Bb]ibliotek(?:er)?$", "", name)
        for name in re.split(r",\s*|\s+og\s+", scope_text)
    ]
    found = []
    for name in names:
        branch = matcher.match(name) or matcher.match(f"{name} Bibliotek")
        if branch is not None and branch not in found:
            found.append(branch)
    return found


REASON_POINTS = gettext_lazy(
    "A change in percentage points: Bibliotal measures counts, so type the target by hand."
)
REASON_FALL = gettext_lazy(
    "A fall without a number to stay under: Bibliotal judges at least, at most and rises, "
    "so give an at-most number."
)
REASON_SHARE = gettext_lazy("A share (per cent of a group) is not a count Bibliotal can measure.")
REASON_TOO_LARGE = gettext_lazy("The number is too large to be a library's target.")
REASON_NO_NUMBER = gettext_lazy("No number or direction to measure by.")
REASON_NO_INDICATOR = gettext_lazy("No indicator recognised in the sentence.")


def _kind(clause: str, sentence_year: int | None, budget_year: int) -> dict | None:
    found, _reason = _kind_and_reason(clause, sentence_year, budget_year)
    return found


def _kind_and_reason(
    clause: str, sentence_year: int | None, budget_year: int
) -> tuple[dict | None, str]:
    lowered = normalise_numbers(clause.lower())
    if PERCENTAGE_POINTS.search(lowered):
        return None, str(REASON_POINTS)  # never silently a percentage
    percent = PERCENT.search(lowered)
    if percent and Decimal(percent.group(1).replace(",", ".")) > MAX_PERCENT:
        return None, str(REASON_TOO_LARGE)  # no library grows by more than 1,000 %
    versus = VERSUS_YEAR.search(lowered)
    if versus and not YEAR.fullmatch(versus.group(1)):
        versus = None  # "i forhold til 0000" names no year
    default_baseline = (
        sentence_year if sentence_year and sentence_year < budget_year else (budget_year - 1)
    )
    rising = bool(INCREASE.search(lowered) or re.search(r"\+\s?\d", lowered))
    negated = AT_LEAST_NEGATED.search(lowered)
    falling = bool(DECREASE.search(lowered)) and not negated
    if percent and falling and not rising:
        return None, str(REASON_FALL)
    if percent and rising:
        return {
            "kind": "increase_percent",
            "percent": Decimal(percent.group(1).replace(",", ".")),
            "baseline_year": int(versus.group(1)) if versus else default_baseline,
        }, ""
    for pattern, kind in (
        (AT_LEAST_NEGATED, "at_least"),
        (AT_MOST_NEGATED, "at_most"),
        (AT_LEAST, "at_least"),
        (AT_MOST, "at_most"),
    ):
        threshold = _first_count(pattern, lowered)
        if threshold is not None:
            return {"kind": kind, "threshold": threshold}, ""
    if percent:
        return None, str(REASON_SHARE)  # "80 % af eleverne" is not a count
    if falling:
        return None, str(REASON_FALL)
    if versus and int(versus.group(1)) < budget_year:
        return {"kind": "increase", "baseline_year": int(versus.group(1))}, ""
    if rising:
        return {"kind": "increase", "baseline_year": default_baseline}, ""
    return None, str(REASON_NO_NUMBER)


def propose_targets(goal_text: str, *, budget_year: int) -> list[ProposedTarget]:
    proposals: list[ProposedTarget] = []
    for sentence in split_sentences(goal_text):
        period = school_year(sentence) or named_period(sentence, budget_year)
        without_school_year = SCHOOL_YEAR.sub("", sentence.lower())
        years = [int(y) for y in YEAR.findall(without_school_year) if int(y) < budget_year]
        sentence_year = years[0] if years else None
        found: list[ProposedTarget] = []
        reasons: list[str] = []
        for clause in split_clauses(sentence):
            lowered = normalise_numbers(clause.lower())
            keys: tuple[str, ...] = ()
            for pattern, mapped in INDICATOR_RULES:
                if pattern.search(lowered):
                    keys = mapped
                    break
            if not keys:
                reasons.append(str(REASON_NO_INDICATOR))
                continue
            kind, reason = _kind_and_reason(clause, sentence_year, budget_year)
            if kind is None:
                reasons.append(reason)
                continue
            measure = "unique" if re.search(r"\bunikke\b", lowered) else "attendances"
            if keys == ("digital_unique_users",):
                measure = "unique"
            extra: dict = read_scope(clause, sentence)
            if period and kind["kind"] in {"at_least", "at_most"}:
                extra["period_start"], extra["period_end"] = period
            for key in keys:
                found.append(
                    ProposedTarget(
                        source_text=sentence, indicator=key, measure=measure, **kind, **extra
                    )
                )
        if not found:
            # Prefer the reason of a clause that named an indicator.
            named = [r for r in reasons if r != str(REASON_NO_INDICATOR)]
            reason = (named or reasons or [str(REASON_NO_NUMBER)])[0]
            scope = read_scope("", sentence)
            found = [ProposedTarget(source_text=sentence, reason=reason, **scope)]
        proposals.extend(found)
    return proposals
