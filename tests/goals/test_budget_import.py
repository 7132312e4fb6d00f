"""Budget goal documents in: the seed and its natural variations."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bibliotal.goals.importers import parse_document, propose_targets
from bibliotal.goals.models import BudgetDocument, FocusArea, Target
from bibliotal.goals.services import BudgetImportError, import_budget_document

DATA = Path(__file__).resolve().parents[1] / "data" / "goals"


def load(name: str, organisation, **options):
    return import_budget_document(
        organisation=organisation, data=(DATA / name).read_bytes(), filename=name, **options
    )


def targets_of(organisation, year):
    return [
        (t.indicator, t.kind, t.threshold, t.baseline_year, t.percent, t.measure)
        for t in Target.objects.filter(
            focus_area__budget_year__organisation=organisation, focus_area__budget_year__year=year
        )
        .exclude(kind="qualitative")
        .order_by("focus_area__position", "position")
    ]


def test_the_seed_yields_four_focus_areas_and_nine_targets(world):
    result = load("maal-budget-2021.txt", world.organisation)
    assert "4 fokusområder, 9 målbare måltal, 1 mål der mangler et måltal" in result.summary()
    areas = FocusArea.objects.filter(budget_year__year=2021).order_by("position")
    assert [a.title for a in areas] == [
        "Udgøre et forpligtende møde-, være- og oplevelsessted for borgerne i Herning Kommune.",
        "Borgernes mulighed for læring.",
        "Understøtte, synliggøre og formidle litterære og kulturelle tilbud i Herning Kommune.",
        "Udbrede kendskabet til og brugen af bibliotekstilbuddet.",
    ]
    assert areas[1].challenge.startswith("Borgerne efterspørger viden og vejledning")
    assert areas[1].ways.startswith("Borgerne modtager råd og vejledning")
    assert areas[0].service_area == "14 Biblioteker"
    assert targets_of(world.organisation, 2021) == [
        ("visits", "increase", None, 2020, None, "attendances"),
        ("new_users", "increase", None, 2020, None, "attendances"),
        ("guidance", "at_least", Decimal("45000.00"), None, None, "attendances"),
        ("pupils_taught", "at_least", Decimal("9000.00"), None, None, "attendances"),
        ("event_participants", "at_least", Decimal("30000.00"), None, None, "attendances"),
        ("digital_unique_users", "increase", None, 2020, None, "unique"),
        ("child_ebook_loans", "increase", None, 2020, None, "attendances"),
        ("ebook_loans", "increase", None, 2020, None, "attendances"),
        ("eaudiobook_loans", "increase", None, 2020, None, "attendances"),
    ]
    qualitative = Target.objects.get(kind="qualitative")
    assert qualitative.source_text.startswith("At skabe litterære og kulturelle aktiviteter")
    assert qualitative.focus_area == areas[2]
    assert BudgetDocument.objects.get().text.lstrip().startswith("## Mål for budget 2021")


def test_importing_the_same_document_again_changes_nothing(world):
    load("maal-budget-2021.txt", world.organisation)
    counts = (FocusArea.objects.count(), Target.objects.count(), BudgetDocument.objects.count())
    again = load("maal-budget-2021.txt", world.organisation)
    assert again.unchanged and "intet er ændret" in again.summary()
    assert (
        FocusArea.objects.count(),
        Target.objects.count(),
        BudgetDocument.objects.count(),
    ) == counts


def test_a_dry_run_saves_nothing(world):
    result = load("maal-budget-2021.txt", world.organisation, dry_run=True)
    assert result.documents[0].measurable == 9
    assert FocusArea.objects.count() == 0 and Target.objects.count() == 0


def test_a_re_import_keeps_what_a_manager_edited(world):
    load("maal-budget-2021.txt", world.organisation)
    guidance = Target.objects.get(indicator="guidance")
    guidance.threshold = Decimal("46000")
    guidance.comment = "Rettet efter byrådets beslutning"
    guidance.save()
    changed = (DATA / "maal-budget-2021.txt").read_bytes() + b"\n"
    import_budget_document(organisation=world.organisation, data=changed, filename="ny-version.txt")
    guidance.refresh_from_db()
    assert guidance.threshold == Decimal("46000") and guidance.comment
    assert Target.objects.filter(indicator="guidance").count() == 1


def test_windows_1252_crlf_strong_tags_and_labels_in_another_order(world):
    load("variant-2022-cp1252-crlf.txt", world.organisation)
    assert targets_of(world.organisation, 2022) == [
        ("guidance", "at_least", Decimal("50000.00"), None, None, "attendances"),
        ("visits", "increase_percent", None, 2021, Decimal("5.00"), "attendances"),
        ("events_held", "at_most", Decimal("400.00"), None, None, "attendances"),
        ("event_participants", "at_least", Decimal("32000.00"), None, None, "attendances"),
    ]
    area = FocusArea.objects.get(title="Borgernes mulighed for læring.")
    assert area.challenge == "Flere borgere har brug for hjælp til digital selvbetjening."
    assert area.service_area == "14 Biblioteker"


def test_utf8_with_bom_extra_spaces_and_a_wrapped_line(world):
    load("variant-2023-bom-spaces.txt", world.organisation)
    area = FocusArea.objects.get(budget_year__year=2023)
    assert area.service_area == "32 Kultur og fritid"
    assert area.goal_text == (
        "Flere børn skal låne e-bøger end i 2019. Antallet af e-lydbøger skal stige."
    )
    assert targets_of(world.organisation, 2023) == [
        ("child_ebook_loans", "increase", None, 2019, None, "attendances"),
        ("eaudiobook_loans", "increase", None, 2022, None, "attendances"),
    ]


def test_several_documents_in_one_file_and_choosing_a_year(world):
    load("variant-two-years.txt", world.organisation, year=2021)
    assert targets_of(world.organisation, 2020) == []
    assert targets_of(world.organisation, 2021) == [
        ("pupils_taught", "at_least", Decimal("9000.00"), None, None, "attendances"),
        ("pupils_taught", "increase", None, 2020, None, "unique"),
    ]
    load("variant-two-years.txt", world.organisation)
    assert targets_of(world.organisation, 2020) == [
        ("pupils_taught", "at_least", Decimal("8000.00"), None, None, "attendances")
    ]


def test_a_document_without_heading_takes_the_year_given(world):
    with pytest.raises(BudgetImportError) as error:
        load("variant-no-heading.txt", world.organisation)
    assert "variant-no-heading.txt, linje 1, kolonne 1: Intet budgetår" in error.value.problems[0]
    load("variant-no-heading.txt", world.organisation, year=2024)
    assert targets_of(world.organisation, 2024) == [
        ("visits", "increase", None, 2023, None, "attendances"),
        ("new_users", "at_least", Decimal("1200.00"), None, None, "attendances"),
    ]


def test_an_unknown_label_is_a_warning_with_line_and_column(world):
    result = load("variant-2025-unknown-label.txt", world.organisation)
    assert result.warnings == [
        "variant-2025-unknown-label.txt, linje 5, kolonne 4: Ukendt overskrift; forventede "
        "Serviceområde, Fokusområde, Udfordring, Mål eller Veje til målet. (værdi: 'Ansvarlig')"
    ]
    assert targets_of(world.organisation, 2025) == [
        ("guidance", "at_least", Decimal("47000.00"), None, None, "attendances")
    ]


def test_a_broken_document_is_refused_with_the_line_and_changes_nothing(world):
    with pytest.raises(BudgetImportError) as error:
        load("broken-no-focus-area.txt", world.organisation)
    assert error.value.problems == [
        "broken-no-focus-area.txt, linje 3, kolonne 1: Denne blok har intet Fokusområde. "
        "(værdi: '14 Biblioteker')",
        "broken-no-focus-area.txt, linje 1, kolonne 1: Ingen fokusområder fundet: linjerne "
        "skal se ud som '<b>Fokusområde</b>' TAB tekst. (værdi: '## Mål for budget 2021')",
    ]
    assert FocusArea.objects.count() == 0


def test_problems_are_in_english_for_an_english_user(world):
    from django.utils import translation

    with translation.override("en"), pytest.raises(BudgetImportError) as error:
        load("broken-no-focus-area.txt", world.organisation)
    assert error.value.problems[0] == (
        "broken-no-focus-area.txt, line 3, column 1: This block has no Fokusområde (focus "
        "area). (value: '14 Biblioteker')"
    )


def test_the_command_imports_and_reports_in_danish_words(world, capsys):
    call_command(
        "goals",
        "import",
        str(DATA / "maal-budget-2021.txt"),
        "--dry-run",
        "--organisation",
        world.organisation.name,
    )
    out = capsys.readouterr().out
    assert "mangler et måltal: At skabe litterære" in out and "Prøvekørsel" in out
    assert Target.objects.count() == 0
    with pytest.raises(CommandError, match="several organisations"):
        call_command("goals", "import", str(DATA / "maal-budget-2021.txt"))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Minimum 45.000 vejledninger i 2021.", ("guidance", "at_least", Decimal("45000"))),
        (
            "Mindst 9 000 elever modtager undervisning.",
            ("pupils_taught", "at_least", Decimal("9000")),
        ),
        ("Over 45000 borgere vejledes.", ("guidance", "at_least", Decimal("45000"))),
        (
            "Udlånet af e-bøger øges med 5 % i forhold til 2019.",
            ("ebook_loans", "increase_percent", 2019),
        ),
        ("Besøgstallet skal være flere end i 2019.", ("visits", "increase", 2019)),
        ("Maksimalt 300 besøg på lukkedage.", ("visits", "at_most", Decimal("300"))),
        (
            "Antallet af besøg må ikke falde under 300.000.",
            ("visits", "at_least", Decimal("300000")),
        ),
        ("Antallet af besøg skal stige med mindst 5 %.", ("visits", "increase_percent", 2020)),
        ("Besøget skal stige 5 % i forhold til 2019.", ("visits", "increase_percent", 2019)),
        ("Der skal være over 1,2 mio. besøg.", ("visits", "at_least", Decimal("1200000"))),
        (
            "Besøgstallet skal ligge over 2019-niveauet, dvs. mindst 350.000 besøg.",
            ("visits", "at_least", Decimal("350000")),
        ),
        (
            "Personalet vejleder borgerne i brug af e-bøger minimum 45.000 gange.",
            ("guidance", "at_least", Decimal("45000")),
        ),
        (
            "Personalet vejleder ift. Borgerservice minimum 45.000 gange.",
            ("guidance", "at_least", Decimal("45000")),
        ),
        ("Mindst 80 % af eleverne skal undervises i kildekritik.", ("", "qualitative", None)),
    ],
)
def test_goal_sentences_map_to_indicators_and_kinds(sentence, expected):
    proposal = propose_targets(sentence, budget_year=2021)[0]
    detail = (
        proposal.threshold
        if proposal.kind in {"at_least", "at_most", "qualitative"}
        else proposal.baseline_year
    )
    assert (proposal.indicator, proposal.kind, detail) == expected


def test_parsing_needs_no_database():
    result = parse_document((DATA / "maal-budget-2021.txt").read_bytes())
    assert result.ok and [len(d.focus_areas) for d in result.documents] == [4]


def test_two_targets_in_one_sentence_without_a_comma():
    proposals = propose_targets(
        "Der skal være mindst 300.000 besøg og mindst 500 nye lånere.", budget_year=2021
    )
    assert [(p.indicator, p.threshold) for p in proposals] == [
        ("visits", Decimal("300000")),
        ("new_users", Decimal("500")),
    ]


def test_a_re_import_keeps_a_managers_corrections_and_adds_no_duplicates(world):
    load("maal-budget-2021.txt", world.organisation)
    guidance = Target.objects.get(indicator="guidance")
    guidance.indicator = "visits"
    guidance.save()
    qualitative = Target.objects.get(kind="qualitative")
    qualitative.kind = "at_least"
    qualitative.indicator = "events_held"
    qualitative.threshold = Decimal("900")
    qualitative.save()
    count = Target.objects.count()
    changed = (DATA / "maal-budget-2021.txt").read_bytes() + b"\n"
    import_budget_document(organisation=world.organisation, data=changed, filename="ny.txt")
    assert Target.objects.count() == count
    assert not Target.objects.filter(indicator="guidance").exists()
