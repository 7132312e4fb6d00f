"""Goal documents in the layouts municipalities write them in (issue 22): focus areas, goals and
the block each goal sentence came from. The documents are made up, after the patterns."""

from __future__ import annotations

from bibliotal.goals.documents.blocks import Block, Document
from bibliotal.goals.documents.layouts import ReadFocusArea, read_goals
from bibliotal.goals.importers import propose_targets


def doc(*blocks: Block, format: str = "docx") -> Document:
    for line, block in enumerate(blocks, start=1):
        block.line = block.line or line
    return Document(list(blocks), format)


def h(text: str, level: int = 1) -> Block:
    return Block("heading", text, level=level)


def p(text: str) -> Block:
    return Block("paragraph", text)


def item(text: str, marker: str = "•") -> Block:
    return Block("item", text, marker=marker)


def row(*cells: str, header: bool = False, table: int = 0) -> Block:
    return Block("row", " | ".join(cells), cells=list(cells), header=header, table=table)


def text_doc(text: str) -> Document:
    return doc(*(p(line) for line in text.split("\n")), format="txt")


def test_labelled_blocks_like_the_founding_document_are_read_by_the_founding_parse():
    document = text_doc(
        "## Mål for budget 2025\n"
        "<b>Serviceområde</b>\t14 Biblioteker\n"
        "<b>Fokusområde</b>\tBiblioteket som mødested\n"
        "<b>Mål</b>\tBesøget skal være mindst 300.000. Flere borgere skal føle sig velkomne.\n"
        "<b>Fokusområde</b>\tLæring\n"
        "<b>Mål</b>\tPersonalet skal vejlede mindst 40.000 gange."
    )
    [found] = read_goals(document, budget_year=None)
    assert found.year == 2025
    assert [a.title for a in found.focus_areas] == ["Biblioteket som mødested", "Læring"]
    first = found.focus_areas[0]
    assert isinstance(first, ReadFocusArea) and first.service_area == "14 Biblioteker"
    assert [s.text for s in first.sources] == [
        "Besøget skal være mindst 300.000.",
        "Flere borgere skal føle sig velkomne.",
    ]
    assert first.source_of("Besøget skal være mindst 300.000.").line == 4


def test_a_table_of_resultatmål_måltal_and_opfølgning_gives_a_goal_per_row():
    document = doc(
        h("Mål og Midler 2026 – Biblioteker"),
        h("Resultatmål", level=2),
        row("Resultatmål", "Måltal", "Opfølgning", header=True),
        row("Antallet af besøg på bibliotekerne", "250.000", "Tælleapparater"),
        row("Færre aflyste arrangementer", "12", "Kalenderen"),
        row("Borgerne oplever god service", "", "Brugerundersøgelse"),
        p("Teksten efter tabellen er ikke et mål."),
    )
    [found] = read_goals(document, budget_year=None)
    assert found.year == 2026
    [area] = found.focus_areas
    assert area.title == "Resultatmål"
    sentences = [s.text for s in area.sources]
    assert sentences == [
        "Antallet af besøg på bibliotekerne: mindst 250.000.",
        "Færre aflyste arrangementer: højst 12.",
        "Borgerne oplever god service.",
    ]
    assert [s.line for s in area.sources] == [4, 5, 6]
    targets = propose_targets(area.goal_text, budget_year=2026)
    assert (targets[0].indicator, targets[0].kind, targets[0].threshold) == (
        "visits",
        "at_least",
        250000,
    )
    assert targets[-1].is_qualitative  # kept as a goal that needs a target


def test_a_heading_per_goal_with_sentences_and_bullets_below():
    document = doc(
        h("Udviklingsmål for bibliotekerne 2025"),
        p("Bibliotekerne arbejder med to effektmål i budgetperioden."),
        h("Effektmål 1: Flere borgere bruger bibliotekerne", level=2),
        p("Antallet af besøg skal stige i forhold til 2024."),
        item("Mindst 2.000 nye lånere."),
        h("Effektmål 2: Børn læser mere", level=2),
        item("Udlånet af e-bøger til børn skal stige"),
        item("Bibliotekerne samarbejder med dagtilbuddene"),
    )
    [found] = read_goals(document, budget_year=2025)
    titles = [a.title for a in found.focus_areas]
    assert titles == [
        "Effektmål 1: Flere borgere bruger bibliotekerne",
        "Effektmål 2: Børn læser mere",
    ]
    first, second = found.focus_areas
    assert "Bibliotekerne arbejder" not in first.goal_text  # the introduction is no goal
    assert first.goal_text.endswith("Mindst 2.000 nye lånere.")
    assert [s.line for s in second.sources][-2:] == [7, 8]
    kinds = [(t.indicator, t.kind) for t in propose_targets(second.goal_text, budget_year=2025)]
    assert ("child_ebook_loans", "increase") in kinds and ("", "qualitative") in kinds


def test_a_numbered_list_on_one_line_gives_one_goal_per_number():
    document = doc(
        h("Kultur og Fritid"),
        h("Mål", level=2),
        p(
            "1. Mindst 25.000 deltagere i arrangementer i 2025. 2. Bibliotekerne skal være "
            "et sted for fællesskab. 3. Udlånet af e-lydbøger skal øges med 5 %."
        ),
    )
    [found] = read_goals(document, budget_year=2025)
    [area] = found.focus_areas
    assert area.title == "Kultur og Fritid"
    assert [s.text for s in area.sources] == [
        "Mindst 25.000 deltagere i arrangementer i 2025.",
        "Bibliotekerne skal være et sted for fællesskab.",
        "Udlånet af e-lydbøger skal øges med 5 %.",
    ]


def test_målsætning_a_and_b_labels_under_an_indsatsområde():
    document = doc(
        p("Politikområde: Kultur"),
        p("Indsatsområde 1: Litteratur og oplevelser"),
        p("Udfordring: Færre unge læser bøger."),
        p("Målsætning A: Mindst 400 arrangementer skal holdes for børn og voksne."),
        p("Målsætning B: Flere unge skal låne bøger."),
        p("Indsatsområde 2: Digitale tilbud"),
        p("Målsætning A: Antallet af unikke brugere af de digitale tilbud skal stige."),
        format="pdf",
    )
    [found] = read_goals(document, budget_year=2025)
    first, second = found.focus_areas
    assert (first.service_area, first.title) == ("Kultur", "Litteratur og oplevelser")
    assert first.challenge == "Færre unge læser bøger."
    assert "Færre unge" not in first.goal_text
    assert len(first.sources) == 2 and second.title == "Digitale tilbud"


def test_the_vocabulary_of_goals_resultatkrav_servicemål_delmål_succeskriterier():
    document = doc(
        h("Serviceområde 14: Biblioteker"),
        p("Servicemål: Bibliotekerne har åbent alle ugens dage."),
        p("Resultatkrav: Mindst 45.000 vejledninger."),
        p("Delmål 2.1: Flere besøg i lokalbibliotekerne."),
        h("Succeskriterier", level=2),
        item("Mindst 9.000 elever undervises"),
    )
    [found] = read_goals(document, budget_year=2025)
    [area] = found.focus_areas
    assert area.title == "Biblioteker" and area.service_area == "Biblioteker"
    assert len(area.sources) == 4


def test_a_document_without_goals_gives_nothing():
    assert read_goals(doc(h("Referat"), p("Mødet sluttede kl. 16.")), budget_year=2025) == []


def test_a_goal_paragraph_keeps_its_list_but_not_the_text_after_it():
    """ "Målsætning A: …" is a whole paragraph: the items right under it and its rest after a
    page break belong to it; the next plain paragraph and the bullets after that do not."""
    document = doc(
        p("Indsatsområde 1: Litteratur"),
        p("Målsætning A: Mindst 400 arrangementer skal holdes for børn og voksne,"),
        p("og antallet af deltagere må ikke falde under 20.000."),
        item("Udlånet af e-bøger til børn skal stige."),
        p("Økonomien er presset, og der arbejdes med nye måder at løse opgaverne på."),
        item("Bedre kvalitet i betjeningen."),
        format="pdf",
    )
    [found] = read_goals(document, budget_year=2025)
    [area] = found.focus_areas
    assert "deltagere må ikke falde under 20.000" in area.goal_text
    assert "e-bøger til børn" in area.goal_text
    assert "Økonomien" not in area.goal_text and "Bedre kvalitet" not in area.goal_text
