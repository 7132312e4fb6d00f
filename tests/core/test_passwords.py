"""Passwords: at least twelve characters, and no common Danish word or name with a year added."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bibliotal.core.demo import PASSWORD as DEMO_PASSWORD
from bibliotal.core.passwords import DanishCommonPasswordValidator
from tests.conftest import PASSWORD


def refusals(password, user=None) -> set[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    "password",
    [
        "bibliotek",
        "Herning2021",
        "Sommer2024",
        "Sommer2024!",
        "Bibliotekaren2024",
        "København1234!",
        "Koebenhavn1234!",
        "S0mmer-2024-!!",
        "Kodeord123456",
        "sommer-vinter-2024",
        "Jegelskerdig2024",
        "FCKobenhavn1992",
    ],
)
def test_a_common_danish_word_with_digits_or_signs_is_refused(db, password):
    assert "password_too_common" in refusals(password)


def test_an_eleven_character_random_password_is_too_short(db):
    assert refusals("x7#Kp2!qZr9") == {"password_too_short"}


@pytest.mark.parametrize(
    "password",
    [
        "grøn cykel under æbletræet",
        "Kaffe-og-regnvejr-i-Ikast",
        "Et-nyt-og-langt-kodeord-42",
        "tQ8#vLm2!pZr9x",
        DEMO_PASSWORD,  # the demo's accounts' password (it is set, not validated)
    ],
)
def test_a_long_passphrase_is_accepted(db, password):
    assert refusals(password) == set()


def test_the_libraries_and_organisations_names_count_as_common_words(world):
    assert "password_too_common" in refusals("Testrup2024!!")  # the organisation
    assert "password_too_common" in refusals("Nordby-2024!!")  # a library's town
    DanishCommonPasswordValidator().validate("Andeby-2024-!!")  # not a name here


def test_the_refusal_says_why(db):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        DanishCommonPasswordValidator().validate("Herning2021")
    with translation.override("en"):
        assert "common Danish word" in refused.value.messages[0]


def test_changing_to_a_common_word_with_a_year_is_refused_on_the_page(client, world):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Sommer2024!!",
            "new_password2": "Sommer2024!!",
        },
    )
    assert response.status_code == 200
    assert "common Danish word or name" in response.content.decode()
    world.staff.refresh_from_db()
    assert world.staff.check_password(PASSWORD)


def test_accounts_made_in_code_keep_their_password_unchecked(db):
    user = get_user_model().objects.create_user(username="kort", password="kort")
    assert user.check_password("kort")
