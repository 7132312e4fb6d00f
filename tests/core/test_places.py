"""One matcher for every import that names a place: name, ISIL code, other names, address."""

import pytest

from bibliotal.core.models import Branch, BranchAlias
from bibliotal.core.places import BranchMatcher, normalise
from tests.conftest import make_branch


@pytest.fixture
def herning(world):
    """Herning Bibliotek at Østergade 8 (also called Hovedbiblioteket), Aulum Bibliotek at
    Torvet in Aulum, and a bookmobile."""
    Branch.objects.filter(pk=world.north.pk).update(
        name="Herning Bibliotek",
        street="Østergade 8",
        postcode="7400",
        city="Herning",
        isil="DK-765700",
    )
    Branch.objects.filter(pk=world.south.pk).update(
        name="Aulum Bibliotek", street="Torvet", postcode="7490", city="Aulum"
    )
    world.north.refresh_from_db()
    world.south.refresh_from_db()
    BranchAlias.objects.create(branch=world.north, text="Hovedbiblioteket")
    world.bus = make_branch(world.organisation, "Bogbussen", area_type=Branch.AreaType.MOBILE)
    return world


def match(world, text):
    return BranchMatcher(world.organisation).match(text)


def test_texts_compare_without_case_punctuation_spacing_postcodes_or_danish_letters():
    assert normalise("  Østergade 8,\t7400  HERNING ") == "oestergade 8 herning"
    assert normalise("Oestergade 8 Herning") == normalise("Østergade 8, Herning")
    assert normalise("Århus Hovedbibliotek") == normalise("Aarhus hovedbibliotek")
    assert normalise("Café Læsehjørnet") == "cafe laesehjoernet"
    assert normalise("—, .") == ""


@pytest.mark.parametrize(
    "text",
    [
        "Herning Bibliotek",
        "herning bibliotek",
        "Herning Bibliotek, mødelokale 2",
        "Hovedbiblioteket",
        "Hovedbiblioteket, Østergade 8, Herning",
        "Østergade 8",
        "Oestergade 8, 7400 Herning",
        "Salen, Østergade 8, 7400 Herning",
        "DK-765700",
        "dk 765700",
    ],
)
def test_the_name_the_isil_code_another_name_or_the_address_find_the_library(herning, text):
    assert match(herning, text) == herning.north


@pytest.mark.parametrize(
    "text",
    [
        "Messecenter Herning",  # the town alone is not the library
        "Herning",
        "Torvet",  # a street without a house number needs the town
        "Nordby Skole",
        "Bibliotek",
        "Skolen i Fjelstervang, Skolevej 2, 6933 Kibæk",
        "",
        "   ",
    ],
)
def test_a_town_a_street_without_number_or_a_stranger_place_is_no_library(herning, text):
    assert match(herning, text) is None


def test_a_street_without_a_house_number_counts_with_its_town(herning):
    assert match(herning, "Torvet, Aulum") == herning.south
    assert match(herning, "Torvet 1, 7490 Aulum") is None  # not the registered address


def test_the_longest_match_wins(herning):
    make_branch(herning.organisation, "Herning Bibliotek Børn")
    children = Branch.objects.get(name="Herning Bibliotek Børn")
    assert match(herning, "Herning Bibliotek Børn, 1. sal") == children
    assert match(herning, "Herning Bibliotek, 1. sal") == herning.north


def test_a_text_two_libraries_answer_equally_is_no_library(herning):
    """Two libraries at one address: the address alone cannot tell them apart."""
    make_branch(herning.organisation, "Musikbiblioteket", street="Østergade 8", city="Herning")
    assert match(herning, "Østergade 8, Herning") is None
    assert match(herning, "Hovedbiblioteket, Østergade 8, Herning") is None
    assert match(herning, "Hovedbiblioteket") == herning.north
    assert {b.name for b in BranchMatcher(herning.organisation).candidates("Østergade 8")} == {
        "Herning Bibliotek",
        "Musikbiblioteket",
    }


def test_a_weak_word_is_a_library_only_as_the_whole_text(herning):
    BranchAlias.objects.create(branch=herning.bus, text="Bussen")
    BranchAlias.objects.create(branch=herning.bus, text="B1")
    assert match(herning, "B1") == herning.bus
    assert match(herning, "Stoppested B1 ved skolen") is None
    assert match(herning, "Bussen ved Sinding Skole") == herning.bus  # a real word counts


def test_another_organisations_libraries_are_never_matched(herning):
    assert match(herning, "Andetsted Bibliotek") is None


def test_the_matcher_asks_the_database_twice_whatever_it_is_asked(
    herning, django_assert_num_queries
):
    with django_assert_num_queries(2):
        places = BranchMatcher(herning.organisation)
        for _ in range(100):
            places.match("Hovedbiblioteket, Østergade 8, Herning")
            places.match("Messecenter Herning")


def test_the_fingerprint_changes_with_an_alias(herning):
    before = BranchMatcher(herning.organisation).fingerprint()
    BranchAlias.objects.create(branch=herning.south, text="Aulum Kulturhus")
    assert BranchMatcher(herning.organisation).fingerprint() != before


def test_a_library_system_export_and_the_counter_command_know_the_other_names(herning):
    from bibliotal.visits.importers import import_new_users
    from bibliotal.visits.importing import _branch_named
    from bibliotal.visits.models import NewUserCount

    data = "måned;filial;nye lånere\n2021-03;HOVEDBIBLIOTEKET;12\n2021-03;Aulum Bibliotek;3\n"
    import_new_users(organisation=herning.organisation, data=data.encode(), filename="fbs.csv")
    counts = dict(NewUserCount.objects.values_list("branch__name", "registrations"))
    assert counts == {"Herning Bibliotek": 12, "Aulum Bibliotek": 3}
    assert _branch_named(herning.organisation, "Østergade 8") == herning.north
    with pytest.raises(ValueError, match="No library is called 'Herning'"):
        _branch_named(herning.organisation, "Herning")
