"""Goal documents in every format read to blocks, and the founding document in each format
gives the same targets (issue 22)."""

import importlib.util
import io
from pathlib import Path

import pytest
from django.utils import translation

from bibliotal.core import importers
from bibliotal.core.importers import Upload
from bibliotal.core.imports import ImportRejected, said
from bibliotal.goals.documents import reading
from bibliotal.goals.services import import_budget_document

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = ROOT / "tests" / "data" / "goals" / "maal-budget-2021.txt"
_spec = importlib.util.spec_from_file_location(
    "budget_bench", ROOT / "bench" / "budget_document.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def kinds(document):
    return [(b.kind, b.text) for b in document.blocks]


def founding_docx() -> bytes:
    import docx

    word = docx.Document()
    for line in FOUNDING.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            word.add_heading(line.lstrip("# "), level=2)
            continue
        match = bench.LABEL.match(line)
        if match:
            paragraph = word.add_paragraph()
            paragraph.add_run(match["label"].strip()).bold = True
            paragraph.add_run("\t" + match["value"])
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def founding_pdf() -> bytes:
    text = FOUNDING.read_text(encoding="utf-8")
    return bench.typeset(bench.founding_blocks(text), header="Herning Kommune", pages=3)


def targets(result):
    return [
        (t.indicator, t.kind, t.threshold, t.baseline_year, t.percent, t.measure)
        for document in result.documents
        for area in document.focus_areas
        for t in area.targets
        if not t.is_qualitative
    ]


# -- each format to blocks ----------------------------------------------------------------------


def test_text_lines_become_headings_items_and_paragraphs():
    data = "# Budget 2025\n## Biblioteker\n• Flere besøg\n2. Færre udlån\nEn sætning.\n"
    document = reading.read(data.encode("cp1252"), "mål.txt")
    assert document.format == "txt"
    assert kinds(document) == [
        ("heading", "Budget 2025"),
        ("heading", "Biblioteker"),
        ("item", "Flere besøg"),
        ("item", "Færre udlån"),
        ("paragraph", "En sætning."),
    ]
    assert [b.level for b in document.blocks[:2]] == [1, 2]
    assert document.blocks[3].marker == "2."


def test_a_word_file_keeps_headings_lists_and_tables_in_their_place():
    import docx

    word = docx.Document()
    word.add_heading("Serviceområde 14 Biblioteker", level=1)
    word.add_paragraph("Effektmål 1: Flere borgere bruger bibliotekerne.")
    word.add_paragraph("Mindst 400 arrangementer.", style="List Number")
    word.add_paragraph("Flere besøg.", style="List Bullet")
    table = word.add_table(rows=2, cols=3)
    for cell, text in zip(
        table.rows[0].cells, ["Resultatmål", "Måltal", "Opfølgning"], strict=True
    ):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["Besøg", "450.000", "Årligt"], strict=True):
        cell.text = text
    word.add_paragraph("Efter tabellen.")
    out = io.BytesIO()
    word.save(out)
    document = reading.read(out.getvalue(), "goals.bin")  # the content decides, not the name
    assert document.format == "docx"
    assert [b.kind for b in document.blocks] == [
        "heading",
        "paragraph",
        "item",
        "item",
        "row",
        "row",
        "paragraph",
    ]
    assert document.blocks[0].level == 1
    assert document.blocks[2].marker == "1."
    assert document.blocks[3].marker == "•"
    assert document.blocks[4].cells == ["Resultatmål", "Måltal", "Opfølgning"]
    assert document.blocks[4].header and not document.blocks[5].header
    assert document.blocks[5].text == "Besøg | 450.000 | Årligt"


def test_a_saved_web_page_skips_its_menus_and_reads_its_charset():
    page = (
        "<!DOCTYPE html><html><head><meta charset='windows-1252'><title>Mål</title>"
        "<style>p{color:red}</style><script>var x = '<p>nej</p>';</script></head><body>"
        "<header>Kommunens logo</header><nav><ul><li>Forside</li></ul></nav>"
        "<h2>Biblioteker &amp; kultur</h2><p>Flere   besøg\n i 2025.</p>"
        "<ol><li>Mindst 400 arrangementer</li><li>Færre klager</li></ol>"
        "<table><tr><th>Resultatmål</th><th>Måltal</th></tr><tr><td>Besøg</td><td>45.000</td></tr>"
        "</table><footer>Kontakt</footer></body></html>"
    ).encode("cp1252")
    document = reading.read(page, "side.htm")
    assert document.format == "html"
    assert kinds(document) == [
        ("heading", "Biblioteker & kultur"),
        ("paragraph", "Flere besøg i 2025."),
        ("item", "Mindst 400 arrangementer"),
        ("item", "Færre klager"),
        ("row", "Resultatmål | Måltal"),
        ("row", "Besøg | 45.000"),
    ]
    assert [b.marker for b in document.blocks[2:4]] == ["1.", "2."]
    assert document.blocks[0].level == 2
    assert document.blocks[4].header and document.blocks[5].cells == ["Besøg", "45.000"]


def test_a_pdf_loses_headers_footers_page_numbers_and_hyphenation():
    long = (
        "Bibliotekerne udvikler bibliotekstilbuddene, e-bøgerne og IT-caféen i samarbejde med "
        "foreningerne og lokalbibliotekernes brugerråd i hele kommunen. "
    ) * 6
    blocks = []
    for page in range(4):
        blocks += [
            {"k": "h", "l": 1, "t": f"Serviceområde {page + 1} Biblioteker"},
            {"k": "p", "t": long},
            {"k": "i", "items": ["Flere besøgende"]},
            {"k": "tbl", "rows": [["Resultatmål", "Måltal"], ["Besøg", "450.000"]]},
            {"k": "pb"},
        ]
    pdf = bench.typeset(blocks[:-1], header="Budget 2025", volume="Bind 2", pages=4)
    document = reading.read(pdf, "budget.pdf")
    assert document.format == "pdf" and document.pages == 4
    texts = [b.text for b in document.blocks]
    assert not any("Budget 2025" in t or "Side" in t or "Bind 2" in t for t in texts)
    headings = [b for b in document.blocks if b.kind == "heading"]
    assert [h.text for h in headings] == [f"Serviceområde {n} Biblioteker" for n in range(1, 5)]
    assert [h.page for h in headings] == [1, 2, 3, 4]
    paragraphs = [b.text for b in document.blocks if b.kind == "paragraph"]
    assert paragraphs == [long.strip()] * 4  # lines joined, broken words whole, hyphens kept
    assert [b.text for b in document.blocks if b.kind == "item"] == ["Flere besøgende"] * 4
    rows = [b.cells for b in document.blocks if b.kind == "row"][:2]
    assert rows == [["Resultatmål", "Måltal"], ["Besøg", "450.000"]]


def test_hyphenation_is_joined_only_where_a_word_was_broken():
    assert reading._broken_word("bibliote-")
    assert not reading._broken_word("udlån af e-")
    assert not reading._broken_word("bibliotekets IT-")
    assert not reading._broken_word("1.200 -")


# -- the founding document in every format -------------------------------------------------------


@pytest.mark.parametrize("make", [founding_docx, founding_pdf], ids=["docx", "pdf"])
def test_the_founding_document_as_word_and_pdf_gives_the_same_nine_targets(world, make):
    text = import_budget_document(
        organisation=world.organisation,
        data=FOUNDING.read_bytes(),
        filename="maal.txt",
        dry_run=True,
    )
    other = import_budget_document(
        organisation=world.organisation, data=make(), filename="maal", dry_run=True
    )
    assert len(targets(text)) == 9
    assert targets(other) == targets(text)
    assert [a.texts for a in other.documents[0].focus_areas] == [
        a.texts for a in text.documents[0].focus_areas
    ]


def test_the_import_guard_lets_word_and_pdf_through_for_goals_only(world):
    goals = importers.get("goals")
    result = goals.preview(
        upload=Upload.from_bytes(founding_docx(), "maal.docx"), organisation=world.organisation
    )
    assert result.documents[0].year == 2021
    with pytest.raises(ImportRejected):
        importers.get("dst").guard(Upload.from_bytes(founding_pdf(), "maal.pdf"))


def test_a_file_that_is_no_document_is_refused_in_a_sentence(world):
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("billede.txt", "\x00\x01binary")
    for data, name in [(archive.getvalue(), "mål.zip"), (b"\x89PNG\r\n\x1a\n\x00\x00", "x.png")]:
        with translation.override("en"), pytest.raises(ImportRejected) as caught:
            importers.get("goals").preview(
                upload=Upload.from_bytes(data, name), organisation=world.organisation
            )
        message = " ".join(said(e) for e in caught.value.errors)
        assert name in message and "\\x" not in message and "PK" not in message
    with translation.override("en"), pytest.raises(ImportRejected) as caught:
        reading.read(archive.getvalue(), "mål.zip")
    assert said(caught.value.errors[0]).startswith("The file mål.zip is not a goal document")


# -- a budget book ------------------------------------------------------------------------------


def test_a_budget_book_reads_the_libraries_section_alone(world):
    pdf = bench.budget_book(30, libraries_at=12, founding=FOUNDING.read_text(encoding="utf-8"))
    document = reading.read(pdf, "budget.pdf")
    sections = reading.find_sections(document)
    chosen = reading.libraries_section(sections)
    assert chosen.title == "Serviceområde 14 Biblioteker"
    assert (chosen.first_page, chosen.last_page) == (12, 15)
    titles = [s.title for s in sections]
    assert "Politikområde: Kultur og Fritid" in titles and "Serviceområde 1 Museer" in titles
    result = import_budget_document(
        organisation=world.organisation, data=pdf, filename="budget.pdf", dry_run=True
    )
    assert result.section.title == chosen.title
    assert len(targets(result)) == 9
    areas = [a.texts["service_area"] for a in result.documents[0].focus_areas]
    assert areas == ["14 Biblioteker"] * 4


def test_the_culture_section_when_there_is_no_libraries_one():
    sections = [
        reading.Section("Politikområde: Børn og Unge", 1, 0, 5),
        reading.Section("Politikområde: Kultur og Fritid", 1, 5, 9),
    ]
    assert reading.libraries_section(sections).title.endswith("Kultur og Fritid")
