"""A target read from a sentence keeps the libraries and the period the sentence names."""

from datetime import date

from django.utils import translation

from bibliotal.goals.models import Target
from bibliotal.goals.services import import_budget_document

DOCUMENT = (
    "## Mål for budget 2025\n\n"
    "<b>Fokusområde</b>\tLæsning i lokalsamfundet.\n"
    "<b>Mål</b>\tAntallet af besøg på Nord Bibliotek skal være mindst 120.000. "
    "I skoleåret 2025/26 skal mindst 900 elever undervises i litteratur. "
    "På Fjernby Bibliotek skal der være mindst 50 arrangementer.\n"
)


def _import(world):
    return import_budget_document(
        organisation=world.organisation,
        data=DOCUMENT.encode(),
        filename="maal-2025.txt",
        year=2025,
    )


def test_the_libraries_and_the_school_year_of_a_sentence_are_saved_on_its_target(world):
    result = _import(world)
    targets = {t.source_text.split(" skal")[0]: t for t in Target.objects.all()}
    on_north = targets["Antallet af besøg på Nord Bibliotek"]
    assert (on_north.kind, on_north.threshold) == ("at_least", 120000)
    assert on_north.scope == Target.Scope.BRANCHES
    assert list(on_north.branches.all()) == [world.north]
    pupils = targets["I skoleåret 2025/26"]
    assert (pupils.period_start, pupils.period_end) == (date(2025, 8, 1), date(2026, 7, 31))
    assert pupils.scope == Target.Scope.ALL
    # A library no one here is called: for all libraries, and the import says so.
    unknown = targets["På Fjernby Bibliotek"]
    assert unknown.scope == Target.Scope.ALL and not unknown.branches.exists()
    with translation.override("en"):
        assert "No library here is known as" in result.summary()


def test_a_second_import_of_the_same_sentences_keeps_a_managers_correction(world):
    _import(world)
    corrected = Target.objects.get(source_text__startswith="Antallet af besøg")
    corrected.branches.set([world.north, world.south])
    _import(world)  # the same file: unchanged
    again = DOCUMENT.replace("mindst 50 arrangementer", "mindst 60 arrangementer")
    import_budget_document(
        organisation=world.organisation, data=again.encode(), filename="m.txt", year=2025
    )
    corrected.refresh_from_db()
    assert set(corrected.branches.all()) == {world.north, world.south}
