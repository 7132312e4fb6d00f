"""The shape every reader gives and every layout reads: a document as blocks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """One piece of a document's text, in reading order.

    ``kind`` is "heading" (``level`` 1 is the top), "paragraph", "item" (a bullet or a numbered
    list item; ``marker`` is "1.", "a)", "•" …) or "row" (a table row: ``cells`` hold its
    cells' texts, ``text`` them joined by " | "; ``header`` marks a table's heading row).
    ``page`` is the page a PDF block is on (None elsewhere) and ``line`` the block's line in the
    document's text form, for messages that name where a sentence was read.
    """

    kind: str
    text: str
    level: int = 0
    marker: str = ""
    cells: list[str] = field(default_factory=list)
    header: bool = False
    table: int | None = None  # which table of the document a row belongs to
    page: int | None = None
    line: int = 0


@dataclass
class Document:
    """A read file: its blocks, the format it was read as, and its number of pages (PDF)."""

    blocks: list[Block]
    format: str  # "txt", "docx", "pdf", "html"
    filename: str = ""
    pages: int | None = None
    encoding: str = ""
    # A PDF's running headers and footers, dropped from the blocks ("Budget 2025 · Bind 2"):
    # they may name the budget year a section of the book does not.
    running: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The document as plain text, one block per line (a table row's cells TAB-separated),
        the form messages count lines in."""
        lines = []
        for block in self.blocks:
            lines.append("\t".join(block.cells) if block.kind == "row" else block.text)
        return "\n".join(lines)


def cut_paragraph(before: str, after: str) -> bool:
    """Whether ``after`` reads as the rest of a sentence a page break cut ``before`` from: the
    text before does not end a sentence and the one after starts in lower case."""
    return bool(before) and before.rstrip()[-1:] not in ".!?:;" and after[:1].islower()
