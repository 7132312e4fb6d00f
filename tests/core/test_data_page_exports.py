"""The one download helper of the data pages: Danish CSV, XLSX with numbers as numbers, the
formula guard, and empty cells where a page shows "–"."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bibliotal.core import datapages, exports


def _download(*tables):
    return exports.Download(
        name="Besøg 2021",
        title="=Besøg 2021",
        period="Periode: 2021.",
        provenance="Talt af tællerne.",
        tables=list(tables),
    )


def test_the_csv_is_danish_with_empty_cells_for_missing_figures():
    table = exports.Table(
        "Besøg",
        ["Måned", "Besøg", "Andel"],
        [["januar", None, None], ["februar", 1234.5, 0.25]],
        {2: exports.PERCENT},
    )
    data = exports.render_csv(_download(table), language="da")
    assert data == "\ufeffMåned;Besøg;Andel\r\njanuar;;\r\nfebruar;1234,5;25\r\n".encode()
    assert (
        exports.csv_bytes(["a", "b"], [[1.5, "x"]], language="en")
        == b"\xef\xbb\xbfa,b\r\n1.5,x\r\n"
    )


def test_several_tables_come_each_under_its_title():
    one = exports.Table("Pr. måned", ["Måned", "Antal"], [["januar", 3]])
    two = exports.Table("Pr. type", ["Type", "Antal"], [["-2+3", 1]])
    text = exports.render_csv(_download(one, two), language="da").decode("utf-8-sig")
    assert (
        text == "Pr. måned\r\nMåned;Antal\r\njanuar;3\r\n\r\nPr. type\r\nType;Antal\r\n'-2+3;1\r\n"
    )


def test_the_xlsx_holds_numbers_as_numbers_and_guards_text():
    table = exports.Table(
        "Besøg",
        ["Måned", "Besøg", "Pr. dag", "Andel"],
        [["januar", None, None, None], ["=HYPERLINK()", 16675, 16675.0, 0.5]],
        {2: exports.DECIMAL, 3: exports.PERCENT},
    )
    sheet = load_workbook(io.BytesIO(exports.render_xlsx(_download(table)))).active
    assert sheet["A1"].value == "'=Besøg 2021"  # a title is text, never a formula
    assert [sheet.cell(3, 1).value, sheet.cell(4, 1).value] == [
        "Periode: 2021.",
        "Talt af tællerne.",
    ]
    assert [c.value for c in sheet[6]] == ["Måned", "Besøg", "Pr. dag", "Andel"]
    assert [c.value for c in sheet[7]] == ["januar", None, None, None]
    row = sheet[8]
    assert row[0].value == "'=HYPERLINK()"
    assert row[1].value == 16675 and row[1].number_format == "#,##0"
    assert row[2].number_format == "#,##0.0" and row[3].number_format == "0%"


def test_the_file_is_an_attachment_with_a_plain_name():
    response = exports.download_response(_download(exports.Table("T", ["a"], [])), "xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="besoeg-2021.xlsx"'


def test_a_sum_of_nothing_is_missing_not_zero():
    assert datapages.total([None, None]) is None
    assert datapages.total([None, 0, 2]) == 2


def test_the_figures_end_where_the_last_figure_is():
    from datetime import date

    words = {
        "none": "Ingen tællerdata for %(year)s – seneste tal %(latest)s.",
        "ends": "Tællerdata for %(year)s slutter %(last)s.",
        "never": "Ingen tal endnu.",
    }
    today = date(2026, 11, 15)
    assert (
        datapages.figures_end(
            year=2026, last_in_year=None, latest=date(2021, 12, 30), today=today, **words
        )
        == "Ingen tællerdata for 2026 – seneste tal 30.12.2021."
    )
    assert (
        datapages.figures_end(
            year=2021,
            last_in_year=date(2021, 12, 30),
            latest=date(2021, 12, 30),
            today=today,
            **words,
        )
        == "Tællerdata for 2021 slutter 30.12.2021."
    )
    assert (
        datapages.figures_end(
            year=2026,
            last_in_year=date(2026, 11, 14),
            latest=date(2026, 11, 14),
            today=today,
            **words,
        )
        == ""
    )
    assert datapages.figures_end(
        year=2026, last_in_year=None, latest=None, today=today, **words
    ) == ("Ingen tal endnu.")
