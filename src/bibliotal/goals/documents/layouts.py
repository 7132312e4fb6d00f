"""Find focus areas, goals and their sentences in a document's blocks, in any layout.

Layouts municipalities write their budget goals in (issue 22):

- labelled blocks like the founding document (``<b>Fokusområde</b>`` TAB text): read by
  ``importers.parse_document`` on the document's text form;
- tables with a heading row naming the columns (Resultatmål | Måltal | Opfølgning): each row a
  goal, the number column its number;
- a heading per goal ("Effektmål 1: Flere borgere bruger bibliotekerne") with sentences or
  bullets below;
- numbered lists on one line ("1. … 2. … 3. …");
- labels such as "Målsætning A:", "Målsætning B:".

``read_goals`` gives the same ``ParsedDocument``/``ParsedFocusArea`` shapes as
``parse_document`` (so the save path is the same), its focus areas ``ReadFocusArea`` with the
block every goal sentence came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bibliotal.goals import importers
from bibliotal.goals.documents.blocks import Block, Document, cut_paragraph
from bibliotal.goals.importers import ParsedDocument, ParsedFocusArea

# Words that name a goal, longest first so "resultatmål" is not read as "mål".
GOAL_WORDS = (
    "succeskriterier",
    "succeskriterium",
    "udviklingsmål",
    "resultatkrav",
    "resultatmål",
    "målsætninger",
    "målsætning",
    "effektmål",
    "servicemål",
    "delmål",
    "mål",
)
# Words that name a focus area or the service area above it.
AREA_WORDS = ("indsatsområde", "fokusområde", "temaområde", "tema")
SERVICE_AREA_WORDS = ("politikområde", "serviceområde", "bevillingsområde")

_ID = r"(?:\s+(?:nr\.\s*)?[0-9]{1,2}(?:\.[0-9]{1,2})?|\s+[A-ZÆØÅ](?![a-zæøå]))?"
GOAL_LABEL = re.compile(
    r"^\s*(?P<word>"
    + "|".join(GOAL_WORDS)
    + r")\b"
    + _ID
    + r"\s*(?::|\.(?=\s)|\)|–|-)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
AREA_LABEL = re.compile(
    r"^\s*(?P<word>" + "|".join(AREA_WORDS + SERVICE_AREA_WORDS) + r")\b" + _ID
    + r"\s*(?::|\.(?=\s)|\)|–|-)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)  # fmt: skip
OTHER_LABEL = re.compile(
    r"^\s*(?P<word>udfordring(?:er)?|veje? til målet|baggrund)\s*:\s*(?P<rest>.*)$", re.IGNORECASE
)
# A heading that announces goals below it: "Mål", "Vores mål for 2025", "Succeskriterier".
GOALS_HEADING = re.compile(r"\b(?:" + "|".join(GOAL_WORDS) + r")\b", re.IGNORECASE)
# A title that names the budget year: "Budget 2025", "Mål og Midler 2026", "Udviklingsmål 2025
# for bibliotekerne", "Servicemål for 2025".
YEAR_IN_TITLE = re.compile(
    r"\b(?:budget(?:år(?:et)?)?|mål og midler|mål for|udviklingsmål|servicemål|effektmål"
    r"|resultatmål|målsætninger|succeskriterier)\s*(?:for\s*)?(?:år\s*)?(20\d{2})\b",
    re.IGNORECASE,
)
# "1. " … "2. " on one line: a number with a point or parenthesis before a capital letter.
INLINE_NUMBER = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+(?=[A-ZÆØÅ])")
NUMBER_COLUMN = re.compile(r"måltal|mål\s*tal|succeskriteri|målepunkt|niveau|antal", re.IGNORECASE)
FALLING = re.compile(r"\b(?:færre|reducere|reduceres|falde|mindske|nedbringe)", re.IGNORECASE)
BARE_NUMBER = re.compile(r"^\s*[\d.,\s\u00a0]+(?:mio\.?)?\s*$")


@dataclass
class SentenceSource:
    """Where a goal sentence was read: its block's line in the text form and its page."""

    text: str
    line: int
    page: int | None = None


@dataclass
class ReadFocusArea(ParsedFocusArea):
    sources: list[SentenceSource] = field(default_factory=list)

    def add_goal(self, text: str, block: Block | None) -> None:
        text = importers._clean(text).strip(" -–•")
        if not text:
            return
        if text[-1] not in ".!?:":
            text += "."
        self.goal_text = f"{self.goal_text} {text}".strip()
        for sentence in importers.split_sentences(text):
            self.sources.append(
                SentenceSource(sentence, block.line if block else self.line, block and block.page)
            )

    def source_of(self, sentence: str) -> SentenceSource | None:
        """The block a sentence ``propose_targets`` returned was read from."""
        return next((s for s in self.sources if s.text == sentence), None) or next(
            (s for s in self.sources if sentence in s.text or s.text in sentence), None
        )


def read_goals(document: Document, *, budget_year: int | None) -> list[ParsedDocument]:
    """The documents of focus areas and goals in ``document``, whatever its layout.

    ``budget_year`` is the year of a document whose title names none. Focus areas without a
    goal sentence are left out; a goal without a number is kept (its target is proposed as
    qualitative). Empty: no goals were found.
    """
    labelled = _labelled(document, budget_year)
    if labelled:
        return labelled
    return _blocks(document, budget_year)


def _labelled(document: Document, budget_year: int | None) -> list[ParsedDocument]:
    text = document.text()
    if not any(
        (m := importers.LABELLED.match(line) or importers.PLAIN_TAB.match(line))
        and importers._label_key(
            (m.groupdict().get("tagged") or "") or (m.groupdict().get("plain") or "")
        )
        == "title"
        for line in text.split("\n")
    ):
        return []
    parsed = importers.parse_document(text.encode("utf-8"), default_year=budget_year)
    found = []
    for parsed_document in parsed.documents:
        areas = []
        for area in parsed_document.focus_areas:
            read = ReadFocusArea(**vars(area))
            block = _block_at(document, area.line)
            for sentence in importers.split_sentences(area.goal_text):
                at = _block_containing(document, sentence) or block
                read.sources.append(
                    SentenceSource(sentence, at.line if at else area.line, at and at.page)
                )
            areas.append(read)
        if areas:
            found.append(ParsedDocument(parsed_document.year, parsed_document.line, areas))
    return found


def _block_at(document: Document, line: int) -> Block | None:
    blocks = [b for b in document.blocks if b.line]
    if blocks:
        return next((b for b in blocks if b.line >= line), blocks[-1])
    return document.blocks[line - 1] if 0 < line <= len(document.blocks) else None


def _block_containing(document: Document, sentence: str) -> Block | None:
    start = sentence[:40]
    return next((b for b in document.blocks if start in importers._clean(b.text)), None)


def _year(document: Document, budget_year: int | None) -> int | None:
    for block in document.blocks[:40]:
        if block.kind in {"heading", "paragraph"}:
            found = importers.HEADING.match(block.text) or YEAR_IN_TITLE.search(block.text)
            if found:
                return int(found.group(1))
    return budget_year


def document_year(document: Document) -> int | None:
    """The budget year a whole document names: in its title ("Budget 2025 – bind 2") or first
    lines, else in its running headers and footers; None when it names none."""
    found = _year(document, None)
    if found is None:
        for text in document.running:
            match = YEAR_IN_TITLE.search(text)
            if match:
                return int(match.group(1))
    return found


ITEMS_ONLY = "items"  # _Reader.collecting: only a list's items (or a cut paragraph) continue


class _Reader:
    def __init__(self, document: Document, budget_year: int | None):
        self.document = document
        self.areas: list[ReadFocusArea] = []
        self.area: ReadFocusArea | None = None
        self.service_area = ""
        self.heading = ""  # the last heading that is no goal's
        # sentences below belong to the current goal (ITEMS_ONLY: only a list's items)
        self.collecting: bool | str = False
        self.explicit_area = False  # the area was named by a word such as "Indsatsområde"
        self.area_level = 0  # its heading's level (0: named in a paragraph)
        self.tables_done: set[int] = set()
        self.last_field = "goal_text"
        self.last_text = ""  # the text of the last block read into the goal

    def new_area(self, title: str, block: Block, *, explicit: bool) -> ReadFocusArea:
        self.area = ReadFocusArea(block.line, service_area=self.service_area, title=title)
        self.areas.append(self.area)
        self.explicit_area = explicit
        self.area_level = block.level if block.kind == "heading" else 0
        return self.area

    def ensure_area(self, block: Block, title: str) -> ReadFocusArea:
        return self.area or self.new_area(self.heading or title, block, explicit=False)

    def read(self) -> list[ReadFocusArea]:
        blocks = self.document.blocks
        for index, block in enumerate(blocks):
            text = importers._clean(block.text)
            if block.kind == "row":
                if block.table not in self.tables_done:
                    self.tables_done.add(block.table)
                    self.table(
                        [b for b in blocks[index:] if b.kind == "row" and b.table == block.table]
                    )
                    self.collecting = False  # text after a table is no goal of it
                continue
            if not text:
                continue
            if self.labelled(block, text):
                continue
            if block.kind == "heading":
                # The document's title ("Udviklingsmål 2025") announces no goals below it.
                title = (
                    YEAR_IN_TITLE.search(text)
                    or importers.HEADING.match(text)
                    or not any(b.kind == "heading" for b in blocks[:index])
                )
                self.collecting = not title and GOALS_HEADING.search(text) is not None
                ends_area = not self.explicit_area or (
                    self.area_level and block.level <= self.area_level
                )
                if not self.collecting and ends_area:
                    named_year = YEAR_IN_TITLE.search(text) or importers.HEADING.match(text)
                    self.heading = "" if named_year else text
                    self.area = None  # a new section: its goals make a new focus area
                    self.explicit_area = False
                continue
            items = _inline_numbered(text)
            if len(items) >= 2:
                area = self.ensure_area(block, text[:80])
                for item in items:
                    area.add_goal(item, block)
                continue
            if self.collecting == ITEMS_ONLY and not (
                block.kind == "item"
                or (block.kind == "paragraph" and cut_paragraph(self.last_text, text))
            ):
                # A labelled goal paragraph ("Målsætning A: …") is whole: the list right under
                # it belongs to it, the text after it does not.
                self.collecting = False
            if self.collecting:
                self.last_text = text
                self.ensure_area(block, text[:80])
                if self.last_field == "goal_text":
                    self.area.add_goal(text, block)
                else:
                    field_name = self.last_field
                    setattr(
                        self.area, field_name, f"{getattr(self.area, field_name)} {text}".strip()
                    )
        return [a for a in self.areas if a.goal_text]

    def labelled(self, block: Block, text: str) -> bool:
        area_label = AREA_LABEL.match(text)
        if area_label and (area_label.group("rest") or block.kind == "heading"):
            word = area_label.group("word").lower()
            rest = area_label.group("rest").strip() or text
            if word in SERVICE_AREA_WORDS:
                self.service_area = rest
                self.area = None
                self.heading = rest
                self.collecting = False
            else:
                self.new_area(rest, block, explicit=True)
                self.collecting = True
            self.last_field = "goal_text"
            return True
        other = OTHER_LABEL.match(text)
        if other and self.area is not None:
            word = other.group("word").lower()
            self.last_field = "challenge" if word.startswith(("udfordring", "baggrund")) else "ways"
            setattr(self.area, self.last_field, other.group("rest").strip())
            return True
        goal = GOAL_LABEL.match(text)
        if goal:
            rest = goal.group("rest").strip()
            if block.kind == "heading" and not self.explicit_area:
                # A heading per goal: the goal is a focus area of its own, its sentences below.
                self.new_area(text, block, explicit=False)
                self.area.add_goal(rest, block)
            else:
                self.ensure_area(block, text[:80]).add_goal(rest, block)
            items = _inline_numbered(rest)
            if len(items) >= 2:
                self.area.goal_text = ""
                self.area.sources = []
                for item in items:
                    self.area.add_goal(item, block)
            # A goal heading, or a label alone on its line, has its sentences below; a goal
            # paragraph only the items of a list under it (and its rest after a page break).
            self.collecting = True if block.kind == "heading" or not rest else ITEMS_ONLY
            self.last_text = text
            self.last_field = "goal_text"
            return True
        return False

    def table(self, rows: list[Block]) -> None:
        header = next((r for r in rows if r.header), rows[0])
        names = [importers._clean(c).lower() for c in header.cells]
        goal_column = next(
            (
                i
                for i, n in enumerate(names)
                if GOALS_HEADING.search(n) and not NUMBER_COLUMN.search(n)
            ),
            None,
        )
        if goal_column is None:
            return
        number_column = next(
            (i for i, n in enumerate(names) if i != goal_column and NUMBER_COLUMN.search(n)), None
        )
        area = self.ensure_area(header, importers._clean(header.cells[goal_column]))
        for row in rows:
            if row is header or len(row.cells) <= goal_column:
                continue
            goal = importers._clean(row.cells[goal_column]).rstrip(".")
            if not goal:
                continue
            number = ""
            if number_column is not None and number_column < len(row.cells):
                number = importers._clean(row.cells[number_column])
            if number and BARE_NUMBER.match(number):
                # The number column holds the number alone: a target to reach, or to stay
                # under where the goal asks for fewer.
                number = ("højst " if FALLING.search(goal) else "mindst ") + number.strip()
            area.add_goal(f"{goal}: {number}" if number else goal, row)


def _inline_numbered(text: str) -> list[str]:
    """ "1. Flere besøg 2. Flere lån 3. …" → the items, when the numbers run 1, 2, 3 …"""
    marks = []
    expected = 1
    for match in INLINE_NUMBER.finditer(text):
        if int(match.group(1)) == expected:
            marks.append(match)
            expected += 1
    if len(marks) < 2:
        return []
    items = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        items.append(text[mark.end() : end].strip())
    return [i for i in items if i]


def _blocks(document: Document, budget_year: int | None) -> list[ParsedDocument]:
    areas = _Reader(document, budget_year).read()
    if not areas:
        return []
    first_line = document.blocks[0].line if document.blocks else 1
    return [ParsedDocument(_year(document, budget_year), first_line, areas)]


__all__ = ["ReadFocusArea", "SentenceSource", "document_year", "read_goals"]
