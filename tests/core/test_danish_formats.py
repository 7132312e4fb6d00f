"""Danish dates, times and numbers: one set of named formats per language, one helper for
documents and messages, and the same words and separators in charts."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from bibliotal.core.formatting import chart_locale, date_text, number_text, time_text
from bibliotal.formats.da import formats as da_formats
from bibliotal.formats.en import formats as en_formats
from tests.danish_text import capitalised_months, decimal_points, english_leaks

WEDNESDAY = datetime(2021, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


def names(module) -> set[str]:
    return {name for name in vars(module) if name.endswith("_FORMAT")}


def test_every_named_format_is_there_in_both_languages():
    assert names(da_formats) == names(en_formats)
    assert {"ABBR_DATE_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT"} <= names(da_formats)


@pytest.mark.parametrize(
    ("name", "danish", "english"),
    [
        ("DATE_FORMAT", "1. december 2021", "1 December 2021"),
        ("ABBR_DATE_FORMAT", "1. dec. 2021", "1 Dec 2021"),
        ("ABBR_DATETIME_FORMAT", "1. dec. 2021 09.00", "1 Dec 2021 09:00"),
        ("ABBR_MONTH_DAY_FORMAT", "1. dec.", "1 Dec"),
        ("ABBR_YEAR_MONTH_FORMAT", "dec. 2021", "Dec 2021"),
        ("SHORT_DATE_FORMAT", "01.12.2021", "01.12.2021"),
        ("SHORT_DATETIME_FORMAT", "01.12.2021 09.00", "01.12.2021 09:00"),
        ("WEEKDAY_DATE_FORMAT", "onsdag 1. december 2021", "Wednesday 1 December 2021"),
        ("ABBR_WEEKDAY_MONTH_DAY_TIME_FORMAT", "ons. 1. dec. 09.00", "Wed 1 Dec 09:00"),
    ],
)
def test_a_named_format_writes_the_date_as_its_language_does(name, danish, english):
    with translation.override("da"):
        assert date_text(WEDNESDAY, name) == danish
        template = Template(f'{{{{ moment|date:"{name}" }}}}')
        assert template.render(Context({"moment": WEDNESDAY})) == danish
    with translation.override("en"):
        assert date_text(WEDNESDAY, name) == english


def test_danish_abbreviates_every_month_as_its_dictionaries_do():
    with translation.override("da"):
        months = [date_text(date(2021, m, 22), "ABBR_DATE_FORMAT") for m in range(1, 13)]
    assert months == [
        f"22. {name} 2021"
        for name in (
            "jan.",
            "feb.",
            "mar.",
            "apr.",
            "maj",
            "jun.",
            "jul.",
            "aug.",
            "sep.",
            "okt.",
            "nov.",
            "dec.",
        )
    ]


def test_times_are_written_with_a_point_in_danish_and_a_colon_in_english():
    with translation.override("da"):
        assert time_text(time(9)) == "09.00"
        assert Template("{{ t|time }}").render(Context({"t": time(16, 30)})) == "16.30"
        assert formats.get_format("TIME_INPUT_FORMATS")[:2] == ["%H:%M", "%H.%M"]
    with translation.override("en"):
        assert time_text(time(9)) == "09:00"


@pytest.mark.parametrize(
    ("value", "decimals", "danish", "english"),
    [
        (62.5, None, "62,5", "62.5"),
        (Decimal("99.0"), None, "99", "99"),
        (45000, None, "45.000", "45,000"),
        (578.46, None, "578", "578"),
        (1234.5, 1, "1.234,5", "1,234.5"),
        (None, None, "–", "–"),
    ],
)
def test_numbers_have_a_decimal_comma_and_a_thousands_point_in_danish(
    value, decimals, danish, english
):
    with translation.override("da"):
        assert number_text(value, decimals) == danish
    with translation.override("en"):
        assert number_text(value, decimals) == english


def test_the_chart_locale_is_danish_on_a_danish_page_and_vegas_own_in_english():
    with translation.override("da"):
        locale = chart_locale()
    assert locale["number"]["decimal"] == "," and locale["number"]["thousands"] == "."
    assert locale["time"]["shortMonths"][8] == "sep." and locale["time"]["months"][0] == "januar"
    assert locale["time"]["days"][0] == "søndag" and locale["time"]["shortDays"][2] == "tir."
    with translation.override("en"):
        assert chart_locale() is None


def test_a_chart_drawn_for_a_document_has_danish_months_and_numbers():
    from bibliotal.goals.charts import chart_config
    from bibliotal.reports import charts

    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"d": f"2021-{m:02d}-15", "v": 1000 + m * 0.5} for m in range(1, 13)]},
        "mark": "line",
        "encoding": {
            "x": {"field": "d", "type": "temporal", "axis": {"format": "%b"}},
            "y": {"field": "v", "type": "quantitative", "axis": {"format": ",.1f"}},
        },
    }
    with translation.override("da"):
        spec["config"] = chart_config()
    labels = re.findall(r">([^<>]+)</text>", charts.svg(spec))
    assert "sep." in labels and "Sep" not in labels
    assert any(re.fullmatch(r"1\.\d{3},\d", label) for label in labels), labels


def test_the_page_rules_catch_english_numbers_and_months_and_let_danish_through():
    assert decimal_points("99.0 / 62.5") == ["99.0", "62.5"]
    assert decimal_points("45.000 besøg kl. 09.00 den 1.12.2021, 62,5 pr. dag") == []
    assert decimal_points("WCAG 2.1 og CC BY 4.0") == []
    assert capitalised_months("tir 1. Dec") == ["1. Dec"]
    assert capitalised_months("22. Sept 2021") == ["22. Sept", "Sept 2021"]
    assert capitalised_months("Jan") == ["Jan"]
    assert capitalised_months("tir. 1. dec. og 22. sep. 2021") == []
    assert capitalised_months("Maj") == []  # the whole month, heading a row
    assert english_leaks("Hele landet (hele landet)") == ["(hele landet)"]
    assert english_leaks("Besøg · fremmøder · alle biblioteker") == []
