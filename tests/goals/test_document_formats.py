"""Every layout in every format (issue 22): made-up goal documents, each written as text, as a
Word file, as a PDF and as a saved web page, import to the same focus areas and targets.

A layout is written once as abstract blocks (the ones ``bench/budget_document.py`` typesets);
each writer below renders them the way a municipality's own file of that format would look:
labels in bold, Word's list styles and tables, a PDF with running headers and page numbers, a
web page with a menu and a footer around the goals.
"""

from __future__ import annotations

import html
import importlib.util
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bibliotal.goals.services import import_budget_document

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "budget_bench", ROOT / "bench" / "budget_document.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def h(text: str, level: int = 1) -> dict:
    return {"k": "h", "l": level, "t": text}


def p(text: str) -> dict:
    return {"k": "p", "t": text}


def label(name: str, text: str) -> dict:
    return {"k": "lp", "label": name, "t": text}


def bullets(*items: str) -> dict:
    return {"k": "i", "items": list(items)}


def table(*rows: list[str]) -> dict:
    return {"k": "tbl", "rows": [list(r) for r in rows]}


# -- the layouts ---------------------------------------------------------------------------------

LAYOUTS = {
    # The founding document's labelled blocks, with a written-out percentage and a school year.
    "labelled blocks": [
        h("Mål for budget 2025", 2),
        label("Serviceområde", "14 Biblioteker"),
        label("Fokusområde", "Biblioteket som mødested"),
        label(
            "Mål",
            "Besøget skal stige med tre procent i forhold til 2024. Borgerne skal opleve "
            "bibliotekerne som et trygt mødested.",
        ),
        label("Fokusområde", "Læring"),
        label(
            "Mål",
            "I skoleåret 2025/26 skal mindst 6.000 elever undervises i digitale kompetencer.",
        ),
    ],
    # A table of Resultatmål | Måltal | Opfølgning: "1,2 mio." and named libraries.
    "table": [
        h("Mål og Midler 2026 – Biblioteker"),
        h("Resultatmål", 2),
        table(
            ["Resultatmål", "Måltal", "Opfølgning"],
            ["Antallet af deltagere i arrangementer", "20.000", "Arrangementskalenderen"],
            ["Udlån af e-bøger skal øges med 10 pct. i forhold til 2025", "", "eReolen"],
            ["Besøg på Nord Bibliotek og Syd Bibliotek", "1,2 mio.", "Tælleapparater"],
            ["Borgerne oplever god service", "", "Brugerundersøgelse"],
        ),
        p("Opfølgningen sker kvartalsvis i kultur- og fritidsudvalget."),
    ],
    # A heading per goal with sentences and bullets below: two targets in one sentence, an
    # area type, "+3 %".
    "a heading per goal": [
        h("Udviklingsmål 2025 for bibliotekerne"),
        h("Effektmål 1: Flere borgere bruger bibliotekerne", 2),
        p(
            "Der skal afholdes mindst 400 arrangementer, og antallet af deltagere må ikke falde "
            "under 20.000."
        ),
        bullets(
            "Besøget i landområderne skal være mindst 50.000.",
            "Bibliotekerne skal være åbne for alle.",
        ),
        h("Effektmål 2: Digitale borgere", 2),
        p(
            "Antallet af unikke brugere af de digitale platforme skal stige med +3 % i forhold "
            "til 2024."
        ),
    ],
    # Numbered goals on one line under a focus area's label: named libraries, a period named
    # in the sentence.
    "numbered on one line": [
        h("Budget 2025 – bind 2"),
        h("Indsatsområde: Læring og læselyst", 2),
        p(
            "Mål: 1. Personalet skal vejlede mindst 12.000 gange på Nord Bibliotek og Syd "
            "Bibliotek. 2. I perioden 1. marts til 30. juni skal mindst 3.000 borgere deltage "
            "i arrangementer. 3. Flere familier skal låne bøger."
        ),
    ],
    # "Målsætning A:", "Målsætning B:" …: the main library, "en halv million", at most.
    "målsætning labels": [
        h("Servicemål 2025: Kultur og Fritid"),
        h("Biblioteker", 2),
        p("Målsætning A: Besøget på hovedbiblioteket skal være mindst 250.000."),
        p("Målsætning B: Udlånet af e-lydbøger skal være mindst en halv million."),
        p("Målsætning C: Bibliotekerne skal samarbejde med foreningerne."),
    ],
}

SCHOOL_YEAR = (date(2025, 8, 1), date(2026, 7, 31))
SPRING = (date(2025, 3, 1), date(2025, 6, 30))

# (year, focus areas, targets as (indicator, kind, threshold, percent, baseline year, period,
# libraries)), and how many goals need a target. "libraries" is the names of the libraries a
# target is for, "rural" for an area type, () for all.
EXPECTED = {
    "labelled blocks": (
        2025,
        ["Biblioteket som mødested", "Læring"],
        [
            ("visits", "increase_percent", None, 3, 2024, None, ()),
            ("pupils_taught", "at_least", 6000, None, None, SCHOOL_YEAR, ()),
        ],
        1,
    ),
    "table": (
        2026,
        ["Resultatmål"],
        [
            ("event_participants", "at_least", 20000, None, None, None, ()),
            ("ebook_loans", "increase_percent", None, 10, 2025, None, ()),
            ("visits", "at_least", 1200000, None, None, None, ("Nord Bibliotek", "Syd Bibliotek")),
        ],
        1,
    ),
    "a heading per goal": (
        2025,
        ["Effektmål 1: Flere borgere bruger bibliotekerne", "Effektmål 2: Digitale borgere"],
        [
            ("events_held", "at_least", 400, None, None, None, ()),
            ("event_participants", "at_least", 20000, None, None, None, ()),
            ("visits", "at_least", 50000, None, None, None, "rural"),
            ("digital_unique_users", "increase_percent", None, 3, 2024, None, ()),
        ],
        # The goal in the heading ("Flere borgere bruger bibliotekerne") and "åbne for alle".
        3,
    ),
    "numbered on one line": (
        2025,
        ["Læring og læselyst"],
        [
            ("guidance", "at_least", 12000, None, None, None, ("Nord Bibliotek", "Syd Bibliotek")),
            ("event_participants", "at_least", 3000, None, None, SPRING, ()),
        ],
        1,
    ),
    "målsætning labels": (
        2025,
        ["Biblioteker"],
        [
            ("visits", "at_least", 250000, None, None, None, ("Nord Bibliotek",)),
            ("eaudiobook_loans", "at_least", 500000, None, None, None, ()),
        ],
        1,
    ),
}


# -- the writers ---------------------------------------------------------------------------------


def as_text(blocks: list[dict]) -> bytes:
    """As a person types it: "#" headings, the founding document's "<b>label</b>" TAB text,
    bullets, a table between bars. Windows' encoding, as an old Word "save as text" gives."""
    lines = []
    for b in blocks:
        if b["k"] == "h" or (b["k"] == "lp" and b["label"] == "Fokusområde"):
            lines.append("")  # blank lines part the founding document's blocks
        if b["k"] == "h":
            lines.append("#" * b["l"] + " " + b["t"])
        elif b["k"] == "p":
            lines.append(b["t"])
        elif b["k"] == "lp":
            lines.append(f"<b>{b['label']}</b>\t{b['t']}")
        elif b["k"] == "i":
            lines.extend(f"• {item}" for item in b["items"])
        elif b["k"] == "tbl":
            lines.append("| " + " | ".join(b["rows"][0]) + " |")
            lines.append("|" + "---|" * len(b["rows"][0]))
            lines.extend("| " + " | ".join(row) + " |" for row in b["rows"][1:])
    return "\r\n".join(lines).encode("cp1252")


def as_docx(blocks: list[dict]) -> bytes:
    import docx

    word = docx.Document()
    section = word.sections[0]
    section.header.paragraphs[0].text = "Herning Kommune · Budget"
    section.footer.paragraphs[0].text = "Side 1"
    for b in blocks:
        if b["k"] == "h":
            word.add_heading(b["t"], level=b["l"])
        elif b["k"] == "p":
            word.add_paragraph(b["t"])
        elif b["k"] == "lp":
            paragraph = word.add_paragraph()
            paragraph.add_run(b["label"]).bold = True
            paragraph.add_run("\t" + b["t"])
        elif b["k"] == "i":
            for item in b["items"]:
                word.add_paragraph(item, style="List Bullet")
        elif b["k"] == "tbl":
            rows = b["rows"]
            grid = word.add_table(rows=len(rows), cols=len(rows[0]))
            for row, cells in zip(grid.rows, rows, strict=True):
                for cell, text in zip(row.cells, cells, strict=True):
                    cell.text = text
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def as_pdf(blocks: list[dict]) -> bytes:
    """Typeset by Typst with running headers and "Side 1 af 2" footers, hyphenated and
    justified; a page break before the last block, so the goals run over two pages."""
    pages = [*blocks[:-1], {"k": "pb"}, blocks[-1]]
    return bench.typeset(pages, header="Herning Kommune", volume="Budget", pages=2)


def as_html(blocks: list[dict]) -> bytes:
    """A page saved from a municipality's website: a menu, a cookie banner and a footer
    around the goals, labels in <strong>, in ISO-8859-1 as older sites serve it."""
    body = []
    for b in blocks:
        if b["k"] == "h":
            body.append(f"<h{b['l'] + 1}>{html.escape(b['t'])}</h{b['l'] + 1}>")
        elif b["k"] == "p":
            body.append(f"<p>{html.escape(b['t'])}</p>")
        elif b["k"] == "lp":
            body.append(f"<p><strong>{html.escape(b['label'])}</strong>\t{html.escape(b['t'])}</p>")
        elif b["k"] == "i":
            items = "".join(f"<li>{html.escape(i)}</li>" for i in b["items"])
            body.append(f"<ul>{items}</ul>")
        elif b["k"] == "tbl":
            head = "".join(f"<th>{html.escape(c)}</th>" for c in b["rows"][0])
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                for row in b["rows"][1:]
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    page = (
        "<!DOCTYPE html><html lang='da'><head><meta charset='iso-8859-1'>"
        "<title>Mål for bibliotekerne</title><script>window.dataLayer = [];</script></head>"
        "<body><header><a href='/'>Kommunen</a></header>"
        "<nav><ul><li><a href='/borger'>Borger</a></li><li>Erhverv</li></ul></nav>"
        "<div class='cookie-banner'>Vi bruger cookies.</div>"
        f"<main><article>{''.join(body)}</article></main>"
        "<footer><p>Rådhuset, 7400 Herning</p></footer></body></html>"
    )
    return page.encode("iso-8859-1", "xmlcharrefreplace")  # "–" as &#8211;


FORMATS = {"txt": as_text, "docx": as_docx, "pdf": as_pdf, "html": as_html}


def read_targets(world, result):
    """The targets of a result as EXPECTED writes them, and the goals that need a target."""
    names = {b.pk: b.name for b in world.organisation.branches.all()}
    from bibliotal.goals.importers import scope_branches

    found, qualitative = [], 0
    [document] = result.documents
    for area in document.focus_areas:
        for t in area.targets:
            if t.is_qualitative:
                qualitative += 1
                continue
            if t.scope == "area_type":
                libraries = t.area_type
            elif t.scope == "branches":
                libraries = tuple(
                    sorted(names[b.pk] for b in scope_branches(world.organisation, t.scope_text))
                )
            else:
                libraries = ()
            period = (t.period_start, t.period_end) if t.period_start else None
            found.append(
                (
                    t.indicator,
                    t.kind,
                    int(t.threshold) if t.threshold is not None else None,
                    int(t.percent) if t.percent is not None else None,
                    t.baseline_year,
                    period,
                    libraries,
                )
            )
    return document.year, [a.texts["title"] for a in document.focus_areas], found, qualitative


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_in_every_format_imports_to_the_right_targets(world, layout, format):
    data = FORMATS[format](LAYOUTS[layout])
    result = import_budget_document(
        organisation=world.organisation, data=data, filename=f"mål.{format}", dry_run=True
    )
    got = read_targets(world, result)
    assert got == EXPECTED[layout]


@pytest.mark.parametrize("format", FORMATS)
def test_what_is_saved_is_what_was_read(world, format):
    """Saved, not only previewed: the named libraries, the school year and the written-out
    percentage reach the targets; the same file again changes nothing."""
    from bibliotal.goals.models import Target

    for layout in ("labelled blocks", "numbered on one line"):
        data = FORMATS[format](LAYOUTS[layout])
        import_budget_document(organisation=world.organisation, data=data, filename=f"x.{format}")
        again = import_budget_document(
            organisation=world.organisation, data=data, filename=f"x.{format}"
        )
        assert again.unchanged
    visits = Target.objects.get(indicator="visits")
    assert (visits.kind, visits.percent, visits.baseline_year) == (
        "increase_percent",
        Decimal("3"),
        2024,
    )
    pupils = Target.objects.get(indicator="pupils_taught")
    assert (pupils.period_start, pupils.period_end) == SCHOOL_YEAR
    guidance = Target.objects.get(indicator="guidance")
    assert guidance.scope == Target.Scope.BRANCHES
    assert sorted(b.name for b in guidance.branches.all()) == ["Nord Bibliotek", "Syd Bibliotek"]
    spring = Target.objects.get(indicator="event_participants")
    assert (spring.period_start, spring.period_end) == SPRING
    assert Target.objects.filter(kind="qualitative").count() == 2


def test_the_writers_write_what_a_municipality_would():
    """The test documents are what they claim: a Word file, a PDF of two pages with running
    lines, a web page in ISO-8859-1 with a menu, text in Windows' encoding."""
    blocks = LAYOUTS["table"]
    assert as_docx(blocks)[:2] == b"PK"
    pdf = as_pdf(blocks)
    assert pdf[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2
    page = as_html(blocks)
    assert b"<nav>" in page and "Måltal".encode("iso-8859-1") in page
    assert "Måltal".encode("cp1252") in as_text(blocks)


# -- what follows the goals ----------------------------------------------------------------------

AFTER_THE_GOALS = [
    h("Mål for budget 2025", 2),
    label("Serviceområde", "14 Biblioteker"),
    label("Fokusområde", "Læsning for alle"),
    label("Mål", "Mindst 9.000 elever skal undervises i litteratur i skoleåret 2025/26."),
    bullets("Udlånet af e-bøger til børn skal stige i forhold til 2024."),
    p(
        "Området har i de senere år mærket et stigende pres på økonomien, og der arbejdes "
        "derfor med nye måder at løse opgaverne på."
    ),
    bullets("Bedre kvalitet i betjeningen.", "Flere digitale selvbetjeningsløsninger."),
    table(
        ["Bevilling (1.000 kr.)", "Budget 2025", "Overslag 2026"],
        ["Lønninger", "12.400", "12.600"],
        ["Øvrig drift", "3.100", "3.150"],
    ),
]


@pytest.mark.parametrize("format", ["docx", "pdf", "html"])
def test_text_bullets_and_a_budget_table_after_the_goals_are_not_goals(world, format):
    """A Word, PDF or web document holds its paragraphs whole: the bullets right under "Mål"
    belong to it, while the paragraph, the bullets and the budget table after it do not."""
    data = FORMATS[format](AFTER_THE_GOALS)
    result = import_budget_document(
        organisation=world.organisation, data=data, filename=f"mål.{format}", dry_run=True
    )
    assert result.warnings == []  # the budget table's rows are no mistyped labels
    [document] = result.documents
    [area] = document.focus_areas
    goal = area.texts["goal_text"]
    assert "Mindst 9.000 elever" in goal and "e-bøger til børn" in goal
    for left_out in ("pres på økonomien", "Bedre kvalitet", "selvbetjening", "Bevilling", "12.400"):
        assert left_out not in goal
        assert all(left_out not in t.source_text for t in area.targets)
    indicators = sorted(t.indicator for t in area.targets if not t.is_qualitative)
    assert indicators == ["child_ebook_loans", "pupils_taught"]
    assert not [t for t in area.targets if t.is_qualitative]


def test_a_text_file_still_names_its_text_outside_the_labelled_blocks(world):
    data = "Kladde\n## Mål for budget 2025\n<b>Fokusområde</b>\tLæsning\n<b>Mål</b>\tFlere lån.\n"
    result = import_budget_document(
        organisation=world.organisation, data=data.encode(), filename="mål.txt", dry_run=True
    )
    [warning] = result.warnings
    assert "mål.txt" in warning and "1" in warning and "Kladde" in warning
