"""Read a goal document (text, DOCX, PDF, a saved HTML page) into blocks.

``read(data, filename)`` finds the format from the content (a zip with ``word/document.xml``
is DOCX, ``%PDF`` is PDF, ``<html`` or ``<!doctype html`` is a web page, anything else text),
never only from the name, and gives a :class:`Document` of blocks in reading order. A PDF
loses its running headers and footers, its page numbers and its hyphenated line breaks, and
the lines of one paragraph are joined. ``find_sections`` finds a budget book's service areas by
their headings, so that the libraries' one can be read alone.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from bibliotal.core import imports
from bibliotal.goals import importers
from bibliotal.goals.documents.blocks import Block, Document, cut_paragraph

FORMATS = ("txt", "docx", "pdf", "html")
ZIP = b"PK\x03\x04"
BULLET = re.compile(r"^\s*(?P<marker>[•\-–*▪◦·]|\d{1,2}[.)]|[a-zæøå][.)])\s+(?P<text>\S.*)$")


def detect(data: bytes) -> str:
    """The format of the file's content: "docx", "pdf", "html", "txt" or "" (another kind of
    file: a picture, a workbook, an archive)."""
    if data.startswith(ZIP) or data.startswith(b"PK\x05\x06"):
        import zipfile

        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            return ""
        return "docx" if "word/document.xml" in names else ""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    head = head.replace(b"\x00", b"")  # UTF-16 with its mark
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:1024]:
        return "html"
    return "txt"


WHAT = {"docx": "a Word document (.docx)", "pdf": "a PDF document", "html": "a web page"}


def refused(filename: str, kind: str = "") -> imports.ImportRejected:
    """One sentence that names the file and the formats read, never the file's bytes."""
    formats = imports.format_names(FORMATS)
    if kind in WHAT:
        what = {
            "docx": _("a Word document (.docx)"),
            "pdf": _("a PDF document"),
            "html": _("a web page"),
        }[kind]
        message = _(
            "The file %(file)s is %(what)s that cannot be read: it is damaged or protected by "
            "a password. Save it again as %(formats)s and try again."
        ) % {"file": filename, "what": what, "formats": formats}
    else:
        message = _(
            "The file %(file)s is not a goal document that can be read: Bibliotal reads "
            "%(formats)s."
        ) % {"file": filename, "formats": formats}
    return imports.ImportRejected([imports.FileError(filename, 1, "", "", message)])


def read(data: bytes, filename: str) -> Document:
    """The file as blocks; ImportRejected (one sentence naming the file) when it is none of
    the formats read, or damaged."""
    kind = detect(data)
    try:
        if kind == "docx":
            document = read_docx(data)
        elif kind == "pdf":
            document = read_pdf(data)
        elif kind == "html":
            document = read_html(data)
        elif kind == "txt":
            if "\x00" in data[:4096].decode("latin-1") and not data.startswith(
                (b"\xff\xfe", b"\xfe\xff")
            ):
                raise refused(filename)
            document = read_text(data)
        else:
            raise refused(filename)
    except imports.ImportRejected:
        raise
    except Exception as exc:  # a damaged DOCX or PDF: its library's error names no line
        raise refused(filename, kind) from exc
    document.filename = filename
    for number, block in enumerate(document.blocks, start=1):
        block.line = number
    return document


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\u00a0", " ").replace("\u00ad", ""))
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


# -- text ----------------------------------------------------------------------------------------


def read_text(data: bytes) -> Document:
    from bibliotal.goals.importers import decode

    text, encoding = decode(data)
    blocks: list[Block] = []
    tables = -1
    for line in text.split("\n"):
        if not line.strip():
            continue
        cells = _text_cells(line)
        if cells is None:
            blocks.append(_text_block(line))
            continue
        if not cells:  # a ruler under a table's heading: |---|---|
            continue
        first = not blocks or blocks[-1].kind != "row"
        tables += first
        blocks.append(Block("row", " | ".join(cells), cells=cells, header=first, table=tables))
    return Document(blocks, "txt", encoding=encoding)


RULER = re.compile(r"^[\s|:+-]+$")


def _text_cells(line: str) -> list[str] | None:
    """A table row of a text file, as written by hand ("| Resultatmål | Måltal |") or pasted
    from a spreadsheet (three or more cells between tabs): its cells; [] for a ruler line;
    None for a line that is no table row (one tab is a label and its text)."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        if RULER.match(stripped):
            return []
        return [_clean(cell) for cell in stripped[1:-1].split("|")]
    parts = stripped.split("\t")
    if len(parts) >= 3 and not stripped.startswith("<b>"):
        return [_clean(cell) for cell in parts]
    return None


def _text_block(line: str) -> Block:
    stripped = line.strip()
    if stripped.startswith("#"):
        level = len(stripped) - len(stripped.lstrip("#"))
        return Block("heading", _clean(stripped.lstrip("#")), level=min(level, 6))
    bullet = BULLET.match(stripped)
    if bullet:
        return Block("item", _clean(bullet.group("text")), marker=bullet.group("marker"))
    # Tabs separate a label from its text ("Fokusområde" TAB …): keep them for the layouts.
    return Block("paragraph", "\t".join(_clean(part) for part in stripped.split("\t")))


# -- Word ----------------------------------------------------------------------------------------

HEADING_STYLE = re.compile(r"(?:heading|overskrift)\s*(\d)", re.IGNORECASE)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    word = docx.Document(io.BytesIO(data))
    formats = _numbering_formats(word)
    counters: dict[tuple[str, str], int] = {}
    blocks: list[Block] = []
    tables = 0
    for element in word.element.body.iterchildren():
        if element.tag == f"{W}p":
            block = _docx_paragraph(Paragraph(element, word), formats, counters)
            if block is not None:
                blocks.append(block)
        elif element.tag == f"{W}tbl":
            for number, row in enumerate(Table(element, word).rows):
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell repeats
                    seen.add(id(cell._tc))
                    cells.append(_clean(" ".join(p.text for p in cell.paragraphs)))
                if any(cells):
                    blocks.append(
                        Block(
                            "row", " | ".join(cells), cells=cells, header=number == 0, table=tables
                        )
                    )
            tables += 1
    return Document(blocks, "docx")


def _numbering_formats(word) -> dict[tuple[str, str], str]:
    """(numId, ilvl) → the list's number format ("bullet", "decimal", "lowerLetter" …)."""
    try:
        numbering = word.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for node in numbering.findall(f"{W}abstractNum"):
        levels = {}
        for lvl in node.findall(f"{W}lvl"):
            fmt = lvl.find(f"{W}numFmt")
            levels[lvl.get(f"{W}ilvl")] = fmt.get(f"{W}val") if fmt is not None else "bullet"
        abstract[node.get(f"{W}abstractNumId")] = levels
    formats = {}
    for num in numbering.findall(f"{W}num"):
        ref = num.find(f"{W}abstractNumId")
        if ref is None:
            continue
        for ilvl, fmt in abstract.get(ref.get(f"{W}val"), {}).items():
            formats[(num.get(f"{W}numId"), ilvl)] = fmt
    return formats


def _docx_paragraph(paragraph, formats, counters) -> Block | None:
    text = paragraph.text.replace("\u00a0", " ")
    if not text.strip():
        return None
    style = paragraph.style.name if paragraph.style is not None else ""
    heading = HEADING_STYLE.search(style or "")
    if heading:
        return Block("heading", _clean(text), level=int(heading.group(1)))
    if style in ("Title", "Titel"):
        return Block("heading", _clean(text), level=1)
    num_pr = paragraph._p.find(f"{W}pPr/{W}numPr")
    if num_pr is not None or "list" in style.lower() or "liste" in style.lower():
        marker = "•"
        if num_pr is not None:
            num_id = num_pr.find(f"{W}numId")
            ilvl = num_pr.find(f"{W}ilvl")
            key = (
                num_id.get(f"{W}val") if num_id is not None else "",
                ilvl.get(f"{W}val") if ilvl is not None else "0",
            )
            fmt = formats.get(key, "bullet")
            if fmt != "bullet":
                counters[key] = counters.get(key, 0) + 1
                n = counters[key]
                marker = f"{chr(ord('a') + n - 1)})" if "letter" in fmt.lower() else f"{n}."
        elif "number" in style.lower() or "opstilling - num" in style.lower():
            counters[("style", style)] = counters.get(("style", style), 0) + 1
            marker = f"{counters[('style', style)]}."
        return Block("item", _clean(text), marker=marker)
    # Tabs separate a label from its text ("Fokusområde" TAB …): keep them for the layouts.
    return Block("paragraph", "\t".join(_clean(part) for part in text.split("\t")).strip("\t"))


# -- PDF -----------------------------------------------------------------------------------------

PAGE_NUMBER = re.compile(
    r"^(?:(?:side|page|s\.)\s*\d+(?:\s*(?:af|of|/)\s*\d+)?|\d+(?:\s*(?:af|of|/)\s*\d+)?"
    r"|[-–—]\s*\d+\s*[-–—])$",
    re.IGNORECASE,
)
HYPHENATED = re.compile(r"[A-Za-zÆØÅæøåÄÖÜäöüé]-$")


@dataclass
class _Line:
    top: float
    bottom: float
    size: float  # the largest font size on the line, in points
    segments: list[tuple[float, float, str]] = field(default_factory=list)
    textpage: object = None

    @property
    def height(self) -> float:
        return self.top - self.bottom

    def _text(self, left: float, right: float) -> str:
        text = self.textpage.get_text_bounded(left, self.bottom, right, self.top)
        return _clean(re.sub(r"\s*\x02\s*", "-", text))  # pdfium's mark of a hyphenation

    @cached_property
    def text(self) -> str:
        return self._text(min(s[0] for s in self.segments), max(s[1] for s in self.segments))

    @cached_property
    def parts(self) -> list[tuple[float, str]]:
        """The line's texts split where a gap wider than most of a letter lies between them
        (words keep their spaces inside one piece of text), each with its left edge."""
        spans: list[list[float]] = []
        for left, right, _text in sorted(self.segments):
            if spans and left - spans[-1][1] < 0.8 * self.size:
                spans[-1][1] = max(spans[-1][1], right)
            else:
                spans.append([left, right])
        if len(spans) < 2:
            return [(spans[0][0] if spans else 0.0, self.text)]
        return [(left, self._text(left, right)) for left, right in spans]

    @property
    def cells(self) -> list[str]:
        return [text for _left, text in self.parts]


def _page_lines(textpage) -> list[_Line]:
    import pypdfium2.raw as pdfium_c

    lines: list[_Line] = []
    for index in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(index)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if not text.strip():
            continue
        char = textpage.get_index((left + right) / 2, (top + bottom) / 2, 2, 2)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char) if char is not None else 0
        size = round(size or (top - bottom), 1)
        middle = (top + bottom) / 2
        for line in lines:
            if line.bottom <= middle <= line.top:
                line.segments.append((left, right, text))
                line.top, line.bottom = max(line.top, top), min(line.bottom, bottom)
                line.size = max(line.size, size)
                break
        else:
            lines.append(_Line(top, bottom, size, [(left, right, text)], textpage))
    lines.sort(key=lambda line: -line.top)
    return lines


def _broken_word(text: str) -> bool:
    """A line that ends in a word broken by hyphenation ("bibliote-"), not in a word with a
    hyphen of its own ("e-", "IT-", "A-"): a capital or one or two letters before it keep it."""
    if not HYPHENATED.search(text):
        return False
    fragment = re.split(r"[\s/(-]", text[:-1])[-1]
    return len(fragment) > 2 and not fragment.isupper()


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def read_pdf(data: bytes) -> Document:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages: list[list[_Line]] = []
        for number in range(len(pdf)):
            page = pdf[number]
            textpage = page.get_textpage()
            try:
                lines = _page_lines(textpage)
                for line in lines:
                    line.text, line.parts  # read the texts while the page is open  # noqa: B018
                    line.textpage = None
                pages.append(lines)
            finally:
                textpage.close()
                page.close()
    finally:
        pdf.close()
    # The body text's size is the one most of the text is set in (counted in letters, so that
    # headings, running headers and page numbers on every page do not outweigh it).
    heights = Counter()
    for page in pages:
        for line in page:
            heights[line.size] += len(line.text)
    body = heights.most_common(1)[0][0] if heights else 10.0
    running = _drop_running_lines(pages, body)
    sizes = sorted({h for h in heights if h > body * 1.15}, reverse=True)
    blocks: list[Block] = []
    columns: dict[int, list[float]] = {}
    for number, lines in enumerate(pages, start=1):
        _page_blocks(lines, number, body, sizes, blocks, columns)
    return Document(blocks, "pdf", pages=len(pages), running=running)


def _drop_running_lines(pages: list[list[_Line]], body: float) -> list[str]:
    """Remove running headers and footers, the top or bottom line of a page whose text (digits
    aside) is the top or bottom line of many pages and no larger than the body text, and page
    numbers at the top or bottom ("12", "Side 12", "12 af 300", "- 12 -"). The texts of the
    running lines removed, each once."""
    removed: dict[str, None] = {}
    # One page has no running lines, only its page number.
    least = float("inf") if len(pages) < 2 else max(2, len(pages) * 0.4)
    tops = Counter(_shape(lines[0].text) for lines in pages if lines)
    bottoms = Counter(_shape(lines[-1].text) for lines in pages if lines)

    def running(line: _Line, counts: Counter) -> bool:
        return counts[_shape(line.text)] >= least and line.size <= body * 1.05

    for lines in pages:
        if lines and running(lines[0], tops):
            removed.setdefault(lines.pop(0).text)
        if lines and running(lines[-1], bottoms):
            removed.setdefault(lines.pop().text)
        while lines and PAGE_NUMBER.match(lines[0].text):
            lines.pop(0)
        while lines and PAGE_NUMBER.match(lines[-1].text):
            lines.pop()
    return list(removed)


def _aligned(parts: list[tuple[float, str]], columns: list[float], size: float) -> list[str]:
    """A table row's texts in the columns of its table's heading row (``columns`` their left
    edges): an empty cell keeps its place, so the number stays in the number column."""
    if len(parts) == len(columns) or not columns:
        return [text for _left, text in parts]
    cells = [""] * len(columns)
    for left, text in parts:
        column = max((i for i, edge in enumerate(columns) if edge <= left + size), default=0)
        cells[column] = f"{cells[column]} {text}".strip()
    return cells


def _page_blocks(lines, page, body, sizes, blocks, columns=None) -> None:
    """The page's lines as blocks. ``columns`` holds the left edges of each table's heading
    row's cells, across pages."""
    paragraph: list[_Line] = []
    columns = columns if columns is not None else {}

    def flush() -> None:
        if not paragraph:
            return
        text = paragraph[0].text
        for line in paragraph[1:]:
            following = line.text
            if HYPHENATED.search(text) and following[:1].islower():
                # "bibliote-" "kerne" is one word; "e-" "bøger" keeps its own hyphen
                text = (text[:-1] if _broken_word(text) else text) + following
            else:
                text = f"{text} {following}"
        bullet = BULLET.match(text)
        if bullet:
            blocks.append(
                Block("item", bullet.group("text"), marker=bullet.group("marker"), page=page)
            )
        else:
            blocks.append(Block("paragraph", text, page=page))
        paragraph.clear()

    previous = None
    for line in lines:
        height = line.size
        cells = line.cells
        if height > body * 1.15:
            flush()
            level = sizes.index(height) + 1 if height in sizes else 1
            if (
                blocks
                and blocks[-1].kind == "heading"
                and blocks[-1].page == page
                and (
                    blocks[-1].level == level
                    and previous is not None
                    and previous.bottom - line.top < line.height
                )
            ):
                blocks[-1].text = f"{blocks[-1].text} {line.text}"  # a heading on two lines
            else:
                blocks.append(Block("heading", line.text, level=level, page=page))
        elif len(cells) >= 2:
            flush()
            table = blocks[-1].table if blocks and blocks[-1].kind == "row" else None
            if table is None:
                table = 1 + max((b.table for b in blocks if b.table is not None), default=-1)
            header = not (blocks and blocks[-1].kind == "row")
            if header:
                columns[table] = [left for left, _text in line.parts]
            else:
                cells = _aligned(line.parts, columns.get(table, []), line.size)
            blocks.append(
                Block("row", " | ".join(cells), cells=cells, header=header, table=table, page=page)
            )
        else:
            gap = previous.bottom - line.top if previous is not None else 0
            starts_item = BULLET.match(line.text) is not None
            if paragraph and (gap > 0.6 * line.size or starts_item):
                flush()
            paragraph.append(line)
        previous = line
    flush()


# -- HTML ----------------------------------------------------------------------------------------

SKIPPED = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "form",
    "title",
}
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


LABEL_END = "\x1f"  # where a paragraph's opening bold ends, while it is read


class _Html(HTMLParser):
    BLOCKS = {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "br",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "table",
        "dt",
        "dd",
        "blockquote",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.skip = 0
        self.text: list[str] = []
        self.kind = "paragraph"
        self.level = 0
        self.lists: list[list] = []  # [tag, count]
        self.marker = ""
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.tables = -1
        self.row_header = False
        self.table_rows = 0
        self.bold = False  # in a <b> or <strong> that opens a paragraph

    def flush(self) -> None:
        raw = "".join(self.text)
        text = _clean(raw.replace(LABEL_END, ""))
        if LABEL_END in raw:
            # A paragraph that opens with a label in bold ("<strong>Mål</strong> Flere …"):
            # the label TAB the text, as the founding document writes it. A web page's spaces
            # and tabs collapse, so the bold is what parts the label from its text.
            label, rest = raw.split(LABEL_END, 1)
            label, rest = _clean(label), _clean(rest.replace(LABEL_END, ""))
            if rest and importers._label_key(label) is not None:
                text = f"{label}\t{rest}"
        self.text = []
        self.bold = False
        if text:
            self.blocks.append(Block(self.kind, text, level=self.level, marker=self.marker))
        self.kind, self.level, self.marker = "paragraph", 0, ""

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row_header = self.row_header or tag == "th"
            return
        if tag == "tr":
            self.flush()
            self.row, self.row_header = [], False
            return
        if self.cell is not None:
            if tag == "br":
                self.cell.append(" ")
            return
        if tag in self.BLOCKS:
            self.flush()
        if tag in ("b", "strong") and not _clean("".join(self.text)):
            self.bold = True
        if tag == "table":
            self.tables += 1
            self.table_rows = 0
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self.kind = "item"
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.marker = f"{self.lists[-1][1]}."
            else:
                self.marker = "•"
        elif re.fullmatch(r"h[1-6]", tag):
            self.kind, self.level = "heading", int(tag[1])

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_clean("".join(self.cell)))
            self.cell = None
            return
        if tag == "tr" and self.row is not None:
            if any(self.row):
                self.blocks.append(
                    Block(
                        "row",
                        " | ".join(self.row),
                        cells=self.row,
                        header=self.row_header or self.table_rows == 0,
                        table=max(self.tables, 0),
                    )
                )
                self.table_rows += 1
            self.row, self.cell = None, None
            return
        if tag in ("ul", "ol") and self.lists:
            self.flush()
            self.lists.pop()
            return
        if tag in ("b", "strong") and self.bold:
            self.text.append(LABEL_END)
            self.bold = False
            return
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.row is None:
            self.text.append(data)


def read_html(data: bytes) -> Document:
    encoding = ""
    found = CHARSET.search(data[:4096])
    if found and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        name = found.group(1).decode("ascii").lower()
        try:
            text = data.decode(name)
            encoding = name
        except (LookupError, UnicodeDecodeError):
            text = ""
    if not encoding:
        text, encoding = imports.decode(data)
    parser = _Html()
    parser.feed(text)
    parser.close()
    parser.flush()
    return Document(parser.blocks, "html", encoding=encoding)


# -- the text form the labelled-block layout reads ----------------------------------------------


def _labelled(line: str) -> bool:
    """Whether a line opens one of the founding document's fields ("Mål:", "Fokusområde" TAB …)."""
    match = importers.LABELLED.match(line) or importers.PLAIN_TAB.match(line)
    if not match:
        return False
    raw = match.groupdict().get("tagged") or match.group("plain") or ""
    return importers._label_key(raw) is not None


def labelled_text(document: Document) -> str:
    """The blocks as the founding document's text: headings as "## …", a table row's cells
    TAB-separated (a two-column table of labels and texts reads as labelled lines), items with
    their markers; a blank line before each heading.

    In a text file a line without a label continues the field above it, as a wrapped line does.
    A Word, PDF or web document has its paragraphs already whole, so there only what plainly
    belongs to a field continues it: the items of a list right under it, and a paragraph a
    page break cut in two (the field does not end a sentence and the paragraph starts in lower
    case). Every other block ends the labelled block with a blank line before it, so that the
    text, bullets and budget tables after a service area's "Mål:" never become its goals."""
    lines: list[str] = []
    open_field = ""  # the text of the labelled block's last line, "" outside a block

    def end_block() -> None:
        if lines and lines[-1]:
            lines.append("")

    # The tables whose rows are fields ("Fokusområde" | text): only their cells are TAB-separated
    # for the labelled parse (a mistyped label in them is named); any other table, such as the
    # budget's accounts, reads as plain lines that no one is warned about.
    field_tables = {
        b.table for b in document.blocks if b.kind == "row" and _labelled("\t".join(b.cells))
    }
    for block in document.blocks:
        if block.kind == "heading":
            if lines:
                lines.append("")
            lines.append(f"{'#' * max(block.level, 1)} {block.text}")
            open_field = ""
            continue
        if block.kind == "row":
            line = ("\t" if block.table in field_tables else " | ").join(block.cells)
        elif block.kind == "item":
            line = f"{block.marker} {block.text}".strip()
        else:
            line = block.text
        if _labelled(line):
            open_field = line
        elif not open_field:
            end_block()
        elif block.kind == "item" or (
            block.kind == "paragraph" and cut_paragraph(open_field, line)
        ):
            open_field = line
        else:
            end_block()
            open_field = ""
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- a budget book's sections --------------------------------------------------------------------

SECTION = re.compile(
    r"^(?:(?:serviceområde|politikområde|bevillingsområde|udvalg|sektor|område|bind\s+\d+)"
    r"\s*[:.–-]?\s*(?:\d{1,3}\.?\s*)?[:.–-]?\s*(?P<named>\S.{1,80})"
    r"|(?P<number>\d{1,3})\.?\s+(?P<numbered>[A-ZÆØÅ][^.:]{2,60}))$",
    re.IGNORECASE,
)
SECTION_WORD = re.compile(
    r"^(?:serviceområde|politikområde|bevillingsområde|udvalg|sektor|område)\s*[:.–-]?\s*",
    re.IGNORECASE,
)
LIBRARIES = re.compile(r"bibliotek", re.IGNORECASE)
CULTURE = re.compile(r"kultur\s*(?:og|&)\s*fritid", re.IGNORECASE)


@dataclass
class Section:
    """A part of a budget book under one service area's heading: blocks ``start`` to ``end``
    (exclusive) of the document, on pages ``first_page`` to ``last_page`` (PDF)."""

    title: str
    level: int
    start: int
    end: int
    first_page: int | None = None
    last_page: int | None = None

    @property
    def name(self) -> str:
        """The service area the heading names, without the word before it: "14 Biblioteker"
        for "Serviceområde 14 Biblioteker", "Kultur og Fritid" for "Politikområde: Kultur og
        Fritid"."""
        name = SECTION_WORD.sub("", self.title).strip()
        return re.sub(r"^(\d{1,3})\s*[:.–-]\s*", r"\1 ", name) or self.title

    @property
    def is_libraries(self) -> bool:
        return bool(LIBRARIES.search(self.title))

    def blocks(self, document: Document) -> list[Block]:
        return document.blocks[self.start : self.end]


def find_sections(document: Document) -> list[Section]:
    """The service areas (politikområder, bind …) of a budget book by their headings, each up
    to the next heading of the same or a higher level that names one."""
    found: list[tuple[int, Block]] = []
    for index, block in enumerate(document.blocks):
        if block.kind == "heading" and len(block.text) <= 100 and SECTION.match(block.text):
            found.append((index, block))
    sections: list[Section] = []
    for position, (index, block) in enumerate(found):
        end = len(document.blocks)
        for later, other in found[position + 1 :]:
            if other.level <= block.level:
                end = later
                break
        pages = [b.page for b in document.blocks[index:end] if b.page is not None]
        sections.append(
            Section(
                block.text,
                block.level,
                index,
                end,
                min(pages) if pages else None,
                max(pages) if pages else None,
            )
        )
    return sections


def libraries_section(sections: list[Section]) -> Section | None:
    """The libraries' section: the innermost one whose name holds "bibliotek", else the one
    for "Kultur og Fritid"; None when there is neither."""
    libraries = [s for s in sections if s.is_libraries]
    if libraries:
        return max(libraries, key=lambda s: (s.level, -(s.end - s.start)))
    culture = [s for s in sections if CULTURE.search(s.title)]
    return culture[0] if culture else None


def section_named(sections: list[Section], name: str) -> Section | None:
    """The section a person named: its exact title, else the one title that is the same in
    other case and spacing, else the one title that holds the name ("Biblioteker" for
    "Serviceområde 14 Biblioteker"); None when no section or more than one fits."""
    for section in sections:
        if section.title == name:
            return section
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    for fits in (
        lambda title: title == wanted,
        lambda title: wanted in title,
    ):
        found = [s for s in sections if fits(" ".join(s.title.split()).casefold())]
        if len({s.title for s in found}) == 1:
            return found[0]
        if found:
            return None
    return None


def section_document(document: Document, section: Section) -> Document:
    """The document cut to one section: its blocks only."""
    return Document(
        section.blocks(document),
        document.format,
        filename=document.filename,
        pages=document.pages,
        encoding=document.encoding,
        running=document.running,
    )
