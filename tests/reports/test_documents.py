"""The follow-up report (målopfølgning) and the statistics export, opened and read on the Herning
demo: the numbers in every format are those of ``bibliotal goals status 2021 --format json``."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import formats, translation
from django.utils.translation import gettext
from docx import Document

from bibliotal.core.models import Closure, Organisation
from bibliotal.core.opening import open_day_definition
from bibliotal.goals import charts as goal_charts
from bibliotal.goals.models import BudgetYear, FocusArea, GoalSettings, Target
from bibliotal.reports import content, pdf, services, statistics
from bibliotal.reports import document as document_parts

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "reports"


@pytest.fixture(scope="module")
def herning(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and removed after it."""
    with django_db_blocker.unblock():
        call_command("demo", "--no-serve", stdout=io.StringIO())
        yield Organisation.objects.get(name="Herning Bibliotekerne")
        call_command("flush", "--no-input", stdout=io.StringIO())


@pytest.fixture(scope="module")
def status_2021(herning, django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("goals", "status", "2021", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def files_2021(herning, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            format: services.make_report(organisation=herning, year=2021, format=format)
            for format in services.FORMATS
        }


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_pages(data: bytes, tmp_path: Path, *, layout: bool = False) -> list[str]:
    """The text of each page (pdftotext page by page)."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    count = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
    options = ["-layout"] if layout else []
    return [
        subprocess.run(
            ["pdftotext", *options, "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for page in range(1, count + 1)
    ]


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (table cells wrap)."""
    return " ".join(text.split())


def danish_text(msgid: str) -> str:
    with translation.override("da"):
        return gettext(msgid)


def danish(value: float) -> str:
    with translation.override("da"):
        return formats.number_format(round(value), decimal_pos=0, force_grouping=True)


requires_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed (.ci/run installs it)"
)


def test_every_format_is_named_by_organisation_year_and_date(files_2021):
    assert {made.filename for made in files_2021.values()} == {
        f"maalopfoelgning-herning-bibliotekerne-2021-2021-12-31.{ext}"
        for ext in ("pdf", "docx", "xlsx", "csv")
    }
    assert files_2021["pdf"].data.startswith(b"%PDF-")
    assert files_2021["docx"].data[:2] == files_2021["xlsx"].data[:2] == b"PK"


@requires_poppler
def test_the_pdf_holds_every_target_with_the_numbers_of_goals_status(
    files_2021, status_2021, tmp_path
):
    text = pdf_text(files_2021["pdf"].data, tmp_path)
    assert "Målopfølgning 2021" in text
    assert "Herning Bibliotekerne" in text
    assert "Sammendrag af måltallene" in text
    assert danish_text("Appendix: about the figures") in text
    # The founding document's own words for the focus areas.
    assert "Udgøre et forpligtende møde-, være- og oplevelsessted" in text
    assert len(status_2021) == 9
    for row in status_2021:
        assert row["indicator_name"] in text
        assert danish(row["actual"]) in text, row["indicator"]
        if row["baseline"] is not None:
            assert danish(row["baseline"]) in text, row["indicator"]
    # The year is over: each target is achieved or not, never "off track", and has no forecast.
    assert "Ikke opfyldt" in text and "Opfyldt" in text
    assert "Ikke på rette vej" not in text and "Prognose" not in text
    # Provenance: the closures of both years, in the appendix.
    plain = flat(" ".join(pdf_pages(files_2021["pdf"].data, tmp_path)))
    assert "COVID-19: national nedlukning" in plain
    assert "13. marts 2020 – 17. maj 2020" in plain


@requires_poppler
def test_the_pdf_pages_are_turned_into_pictures_for_a_person_to_look_at(files_2021, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "maalopfoelgning-2021.pdf"
    source.write_bytes(files_2021["pdf"].data)
    for old in ARTIFACTS.glob("maalopfoelgning-2021-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(source), str(ARTIFACTS / "maalopfoelgning-2021")],
        check=True,
    )
    pages = sorted(ARTIFACTS.glob("maalopfoelgning-2021-*.png"))
    # Front page, summary, one page or more per focus area, the appendix.
    assert len(pages) >= 8
    assert all(page.read_bytes().startswith(b"\x89PNG") for page in pages)
    fonts = subprocess.run(
        ["pdffonts", str(source)], check=True, capture_output=True, text=True
    ).stdout
    assert "LibertinusSerif" in fonts  # the typst package's own font, embedded


def test_the_docx_has_real_headings_and_tables_with_the_numbers(files_2021, status_2021):
    document = Document(io.BytesIO(files_2021["docx"].data))
    headings = [(p.style.name, p.text) for p in document.paragraphs if "Heading" in p.style.name]
    assert ("Heading 1", "Sammendrag af måltallene") in headings
    assert ("Heading 1", danish_text("Appendix: about the figures")) in headings
    level_two = [text for style, text in headings if style == "Heading 2"]
    assert "Udfordring" in level_two and "Veje til målet" in level_two
    assert "Vejledning: mindst 45.000" in level_two
    summary = document.tables[0]
    header = [cell.text for cell in summary.rows[0].cells]
    assert header == ["Måltal", "Resultat", "Målværdi", "Status", "Kommentar"]
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in summary.rows[1:]}
    assert len(rows) == len(status_2021)
    guidance = next(r for r in status_2021 if r["indicator"] == "guidance")
    assert rows["Vejledning: mindst 45.000"][1:4] == ["36.387", "45.000", "Ikke opfyldt"]
    assert rows["Vejledning: mindst 45.000"][1] == danish(guidance["actual"])
    visits = next(r for r in status_2021 if r["indicator"] == "visits")
    assert rows["Besøg: flere end i 2020"][2] == danish(visits["target_value"])
    # No comment is written in the demo: each row has the engine's verdict in one sentence.
    assert all(0 < len(row[-1]) <= document_parts.COMMENT_CHARACTERS for row in rows.values())
    comment_runs = [row.cells[-1].paragraphs[0].runs[0] for row in summary.rows[1:]]
    assert all(run.italic for run in comment_runs)  # marked as Bibliotal's, not a person's
    # A chart per target, with its description as alternative text.
    assert len(document.inline_shapes) == len(status_2021)
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert all(descriptions)
    assert document.core_properties.language == "da-DK"
    # The closures once, as the appendix's table; no list of them under each target.
    closures = document.tables[-1]
    assert closures.rows[0].cells[0].text == danish_text("When")
    assert any("COVID-19: national nedlukning" in row.cells[-1].text for row in closures.rows)
    texts = [p.text for p in document.paragraphs]
    assert not any("COVID-19:" in text for text in texts)
    reference = danish_text(
        "How the figures are counted, estimates and closures: see the appendix “About the figures”."
    )
    assert texts.count(reference) == len(status_2021) + 1  # each target and the summary


def test_the_xlsx_holds_the_engine_numbers_and_a_sheet_per_indicator(files_2021, status_2021):
    workbook = openpyxl.load_workbook(io.BytesIO(files_2021["xlsx"].data))
    summary = workbook["Sammendrag"]
    header = [cell.value for cell in summary[4]]
    key_column = header.index("Indikatornøgle")
    rows = {row[key_column]: row for row in summary.iter_rows(min_row=5, values_only=True)}
    for expected in status_2021:
        row = rows[expected["indicator"]]
        for key, heading in (
            ("actual", "Resultat"),
            ("baseline", "Basis, samme periode"),
            ("target_value", "Målværdi"),
            ("progress", "Andel af målet nået (%)"),
            ("forecast", "Prognose"),
        ):
            assert row[header.index(heading)] == expected[key], (expected["indicator"], key)
        assert row[header.index("Statusnøgle")] == expected["status"]
    assert len(workbook.sheetnames) == 1 + len(status_2021)
    visits = workbook["Besøg"]
    assert [c.value for c in visits[4]][:3] == ["Måned", "2021", "2020"]
    months = list(visits.iter_rows(min_row=5, max_row=16, values_only=True))
    assert months[0][0] == "januar" and months[11][0] == "december"
    visits_row = next(r for r in status_2021 if r["indicator"] == "visits")
    assert sum(row[1] for row in months) == pytest.approx(visits_row["actual"])
    assert sum(row[2] for row in months) == pytest.approx(visits_row["baseline"])
    unique = workbook["Unikke brugere af digitale plat"]
    assert [c.value for c in unique[4]] == [
        "Fra",
        "Til",
        "Unikke brugere af digitale platforme",
        "Metode",
    ]


def test_the_csv_holds_the_engine_numbers(files_2021, status_2021):
    text = files_2021["csv"].data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == len(status_2021)
    for row, expected in zip(rows, status_2021, strict=True):
        assert row["Indikatornøgle"] == expected["indicator"]
        assert Decimal(row["Resultat"].replace(",", ".")) == Decimal(str(expected["actual"]))
        assert row["Statusnøgle"] == expected["status"]
        if expected["progress"] is not None:  # a share, written as per cent
            share = Decimal(row["Andel af målet nået (%)"].replace(",", "."))
            assert share == (Decimal(str(expected["progress"])) * 100).normalize()


@requires_poppler
def test_a_mid_year_report_gives_the_forecasts_for_the_year(herning, tmp_path):
    made = services.make_report(organisation=herning, year=2021, format="pdf", at=date(2021, 6, 30))
    assert made.filename == "maalopfoelgning-herning-bibliotekerne-2021-2021-06-30.pdf"
    text = pdf_text(made.data, tmp_path)
    assert "Status pr. 30. juni 2021, med prognoser for året" in text
    assert "Prognose for året" in text
    assert "80 %-interval" in text


@requires_poppler
def test_the_report_comes_in_english_on_request(herning, tmp_path):
    made = services.make_report(organisation=herning, year=2021, format="pdf", language="en")
    text = pdf_text(made.data, tmp_path)
    assert "Goal follow-up 2021" in text
    assert "Summary of the targets" in text
    assert "Appendix: about the figures" in text
    assert "357,587" in text  # English number format


@pytest.fixture
def empty_year(herning):
    """A budget year whose targets have no figures at all."""
    budget_year = BudgetYear.objects.create(organisation=herning, year=2030)
    area = FocusArea.objects.create(
        budget_year=budget_year, title="Et år uden tal", goal_text="Flere besøg."
    )
    Target.objects.create(
        focus_area=area, indicator="visits", kind=Target.Kind.INCREASE, baseline_year=2029
    )
    Target.objects.create(
        focus_area=area, indicator="guidance", kind=Target.Kind.AT_LEAST, threshold=45000
    )
    Target.objects.create(focus_area=area, kind=Target.Kind.QUALITATIVE, source_text="Mere liv.")
    return budget_year


@requires_poppler
def test_a_year_without_figures_says_no_data_in_every_format(herning, empty_year, tmp_path):
    made = {
        format: services.make_report(organisation=herning, year=2030, format=format)
        for format in services.FORMATS
    }
    text = pdf_text(made["pdf"].data, tmp_path)
    assert "Et år uden tal" in text
    assert text.count("Ingen data") >= 2
    assert "Der er endnu ingen tal for 2030." not in text  # a fact for the comment page only
    assert "Mere liv." in text  # the goal that still needs a target
    document = Document(io.BytesIO(made["docx"].data))
    assert [c.text for c in document.tables[0].rows[1].cells][-2] == "Ingen data"
    workbook = openpyxl.load_workbook(io.BytesIO(made["xlsx"].data))
    assert workbook["Besøg"]["A4"].value == "Ingen data"
    assert "no_data" in made["csv"].data.decode("utf-8-sig")


@requires_poppler
def test_a_year_without_budget_goals_gives_a_report_that_says_so(herning, tmp_path):
    made = services.make_report(organisation=herning, year=2019, format="pdf")
    assert "Der er ingen budgetmål for 2019." in pdf_text(made.data, tmp_path)


@requires_poppler
def test_the_report_uses_the_organisations_status_words(herning, tmp_path):
    # This module's demo is shared by its tests and kept between them: the words go again
    # after the report, or a later test's report (on the same worker) says them too.
    had = GoalSettings.objects.filter(organisation=herning).first()
    GoalSettings.objects.update_or_create(
        organisation=herning,
        defaults={
            "word_achieved": "Målet er opfyldt",
            "word_not_achieved": "Målet er ikke opfyldt",
        },
    )
    try:
        made = services.make_report(organisation=herning, year=2021, format="pdf")
    finally:
        if had is None:
            GoalSettings.objects.filter(organisation=herning).delete()
        else:
            had.save()
    text = pdf_text(made.data, tmp_path)
    assert "Målet er opfyldt" in text and "Målet er ikke opfyldt" in text
    assert "Ikke opfyldt" not in text


def test_a_comment_goes_into_the_report(herning):
    target = Target.objects.get(focus_area__budget_year__year=2021, indicator="guidance")
    had = target.comment
    target.comment = "Vejledningen faldt under nedlukningen.\n\nTelefonvejledning hjalp."
    target.save()
    try:
        made = services.make_report(organisation=herning, year=2021, format="docx")
    finally:  # the module's demo is shared by its tests
        target.comment = had
        target.save()
    paragraphs = [p.text for p in Document(io.BytesIO(made.data)).paragraphs]
    start = paragraphs.index("Vejledning: mindst 45.000")
    after = paragraphs[start:]
    assert "Vejledningen faldt under nedlukningen." in after
    assert "Telefonvejledning hjalp." in after
    # The summary gives the comment's first paragraph, as written (not in italics).
    summary = Document(io.BytesIO(made.data)).tables[0]
    row = next(row for row in summary.rows if row.cells[0].text == "Vejledning: mindst 45.000")
    assert row.cells[-1].text == "Vejledningen faldt under nedlukningen."
    assert not row.cells[-1].paragraphs[0].runs[0].italic


def test_the_statistics_agree_with_the_indicators(herning, status_2021):
    figures = {f.key: f for f in statistics.year_figures(organisation=herning, year=2021)}
    by_indicator = {row["indicator"]: row for row in status_2021}
    # Whole-year targets for all libraries: the goal's actual is the year's figure.
    for key, indicator in (
        ("visitors", "visits"),
        ("guidance", "guidance"),
        ("event_participants", "event_participants"),
        ("ebook_loans", "ebook_loans"),
        ("eaudiobook_loans", "eaudiobook_loans"),
        ("child_ebook_loans", "child_ebook_loans"),
    ):
        assert figures[key].value == pytest.approx(by_indicator[indicator]["actual"]), key
    assert figures["events"].value > 0
    assert figures["user_education_lessons"].value > 0
    assert figures["user_education_participants"].value >= figures["user_education_lessons"].value
    assert all(f.note for f in figures.values())


def test_the_statistics_export_as_csv_and_xlsx(herning):
    made = statistics.make_statistics(organisation=herning, year=2021, format="csv")
    assert made.filename == "statistik-herning-bibliotekerne-2021.csv"
    rows = list(csv.reader(io.StringIO(made.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Nøgle", "Danmarks Statistik", "ISO 2789", "År", "Værdi"]
    visitors = next(r for r in rows if r[0] == "visitors")
    assert visitors[1] == "Besøgende" and visitors[3] == "2021"
    workbook = openpyxl.load_workbook(
        io.BytesIO(statistics.make_statistics(organisation=herning, year=2021, format="xlsx").data)
    )
    sheet = workbook["2021"]
    values = {row[0]: row[4] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert values["visitors"] == pytest.approx(float(visitors[4].replace(",", ".")))


def test_the_command_writes_the_report_and_the_statistics(herning, tmp_path):
    target = tmp_path / "rapport.xlsx"
    call_command("report", "2021", "--format", "xlsx", "-o", str(target), stderr=io.StringIO())
    assert openpyxl.load_workbook(target)["Sammendrag"]["A1"].value.startswith("Målopfølgning")
    stats = tmp_path / "dst.csv"
    call_command(
        "report", "2021", "--statistics", "--format", "csv", "-o", str(stats), stderr=io.StringIO()
    )
    assert "visitors" in stats.read_text(encoding="utf-8-sig")


# The committee's document: cover, one-page summary, appendix once, no orphan pages.


@pytest.fixture(scope="module")
def mid_year_pdf(herning, django_db_blocker):
    with django_db_blocker.unblock():
        return services.make_report(
            organisation=herning, year=2021, format="pdf", at=date(2021, 6, 30)
        ).data


def summary_page(pages: list[str]) -> int:
    [index] = [i for i, text in enumerate(pages) if text.lstrip().startswith("Sammendrag af")]
    return index


@requires_poppler
def test_the_cover_names_municipality_service_area_year_and_date(files_2021, tmp_path):
    cover = pdf_pages(files_2021["pdf"].data, tmp_path, layout=True)[0]
    assert re.search(r"Kommune\s+Herning\n", cover)
    cover = flat(cover)
    assert "Målopfølgning 2021" in cover and "Herning Bibliotekerne" in cover
    assert danish_text("Service area %(name)s") % {"name": "14 Biblioteker"} in cover
    assert "Budgetår 2021" in cover and "Tal pr. 31. december 2021" in cover
    assert "Sammendrag af måltallene" in cover  # the contents
    assert "Opfyldt 4" in cover and "Ikke opfyldt 5" in cover  # how the targets stand


@requires_poppler
def test_the_summary_is_one_page_with_every_target_its_status_and_a_comment(
    files_2021, status_2021, tmp_path
):
    pages = pdf_pages(files_2021["pdf"].data, tmp_path)
    index = summary_page(pages)
    assert index == 1  # directly after the cover
    summary = flat(pages[index])
    for row in status_2021:
        assert row["indicator_name"] in summary
        assert danish(row["actual"]) in summary
        assert danish(row["target_value"]) in summary
    statuses = [row["status"] for row in status_2021]
    assert summary.count("Ikke opfyldt") == statuses.count("not_achieved")
    assert summary.count("Opfyldt") == statuses.count("achieved")
    assert "af målværdien" in summary or "of the target value" in summary  # the verdicts
    # The next page is a focus area, not the rest of the table.
    assert "Måltal" not in pages[index + 1][:300]


@requires_poppler
def test_the_mid_year_summary_keeps_status_words_and_headings_apart(mid_year_pdf, tmp_path):
    pages = pdf_pages(mid_year_pdf, tmp_path, layout=True)
    summary = pages[summary_page(pages)]
    # Every status word on one line, never broken into a word a line.
    for word in ("Ikke på rette vej", "På rette vej", "I fare"):
        assert word in summary, word
    assert re.search(
        r"Måltal\s{2,}Resultat\s{2,}Målværdi\s{2,}Prognose\s{2,}Status\s{2,}Kommentar", summary
    ), summary[:600]
    assert summary.count("I fare") == 2 and summary.count("Ikke på rette vej") == 4


@requires_poppler
@pytest.mark.parametrize("which", ["year", "mid_year"])
def test_poppler_reads_the_pdf_without_a_syntax_error(which, files_2021, mid_year_pdf, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(files_2021["pdf"].data if which == "year" else mid_year_pdf)
    out = str(tmp_path / "out")
    for tool in (
        ["pdfinfo", str(path)],
        ["pdffonts", str(path)],
        ["pdftotext", str(path), out],
        ["pdftoppm", "-r", "10", "-png", str(path), out],
    ):
        made = subprocess.run(tool, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        assert "Error" not in made.stderr, (tool, made.stderr)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)  # still a tagged PDF


@requires_poppler
def test_the_closures_and_notes_are_said_once_in_the_appendix(herning, files_2021, tmp_path):
    pages = pdf_pages(files_2021["pdf"].data, tmp_path)
    text = flat(" ".join(pages))
    appendix = danish_text("Appendix: about the figures")
    [start] = [i for i, page in enumerate(pages) if appendix in page[:200]]
    closures = Closure.objects.filter(
        organisation=herning, start_date__lte=date(2021, 12, 31), end_date__gte=date(2020, 1, 1)
    )

    def bare(words: str) -> str:  # pdftotext drops the hyphen of a word broken at its hyphen
        return re.sub(r"[\s-]", "", words)

    reasons = [bare(closure.reason) for closure in closures]
    assert reasons
    for reason in set(reasons):
        # A row each, nowhere else ("… national nedlukning" is also in "… nedlukning fra kl. 16").
        rows = sum(other.count(reason) for other in reasons)
        assert bare(text).count(reason) == rows, reason
    assert "Lukninger i 2021:" not in text and "Lukninger i 2020:" not in text
    with translation.override("da"):
        definition = flat(open_day_definition())
    assert text.count(definition) == 1
    # Each target points to its notes in the appendix, by page.
    reference = danish_text(
        "How the figures are counted, estimates and closures: see the appendix, page %(page)s."
    ).split("%(page)s")[0]
    found = [int(page) for page in re.findall(re.escape(flat(reference)) + r"\s*(\d+)", text)]
    assert len(found) == 9
    assert all(start < page <= len(pages) for page in found), found  # a page of the appendix


@requires_poppler
@pytest.mark.parametrize("which", ["year", "mid_year"])
def test_no_page_holds_only_a_heading_or_a_bullet(which, files_2021, mid_year_pdf, tmp_path):
    pages = pdf_pages(files_2021["pdf"].data if which == "year" else mid_year_pdf, tmp_path)
    lines = [len([line for line in page.splitlines() if line.strip()]) for page in pages]
    # The footer is two lines; a page of a heading and a bullet has five or six.
    assert all(count >= 15 for count in lines[:-1]), lines
    assert len(pages) <= 14, lines  # 9 targets: no page wasted


def test_a_chart_caption_promises_the_80_range_only_where_it_is_drawn(herning):
    with translation.override("en"):
        mid = content.build_report(
            organisation=herning, year=2021, at=date(2021, 6, 30), language="en"
        )
        final = content.build_report(organisation=herning, year=2021, language="en")
        mid_data, final_data = pdf.document_data(mid), pdf.document_data(final)
    mid_targets = [t for area in mid_data["areas"] for t in area["targets"]]
    final_targets = [t for area in final_data["areas"] for t in area["targets"]]
    wedges = 0
    for target in mid_targets + final_targets:
        if target["chart"] is None:
            continue
        promised = "80 % range" in target["chart_description"]
        drawn = "mark-area" in target["chart"]
        assert promised == drawn, target["title"]
        wedges += drawn
    assert wedges >= 5  # mid-year: the cumulative targets have their wedge
    assert not any("mark-area" in (t["chart"] or "") for t in final_targets)
    # A target without a baseline year does not get one in its caption.
    pupils = next(t for t in final_targets if t["title"].startswith("Pupils taught"))
    assert "baseline" not in pupils["chart_description"]


def test_every_chart_of_the_report_is_valid_vega_lite(herning):
    """Specs are built without Altair's own check (it cost a tenth of a cold report), so the
    check is here: every goal chart of the demo's 2021, in the year and at its end."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    schema = load_schema()
    specs = [
        entry.chart.spec
        for at in (date(2021, 3, 31), date(2021, 6, 30), date(2021, 12, 31))
        for entry in content.build_report(
            organisation=herning, year=2021, at=at, language="da"
        ).entries
        if entry.chart is not None
    ]
    assert len(specs) >= 20
    for spec in specs:
        assert validate_jsonschema(spec, schema, raise_error=False) is None
    broken = {**specs[0], "layer": [{**specs[0]["layer"][0], "mark": "lines"}]}
    assert validate_jsonschema(broken, schema, raise_error=False) is not None


def test_a_forecast_without_a_range_gets_no_wedge_and_no_promise(herning, monkeypatch):
    target = Target.objects.get(focus_area__budget_year__year=2021, indicator="guidance")
    with translation.override("en"):
        entry = content.target_entry(target, at=date(2021, 6, 30))
        assert "80 % range" in entry.forecast_text
        with_range = goal_charts.progress_chart(entry.computed)
        monkeypatch.setattr(
            goal_charts, "_raw_forecast", lambda computed: (40000.0, 40000.0, 40000.0)
        )
        without = goal_charts.progress_chart(entry.computed)
    assert "80 % range" in with_range.description
    assert "80 %" not in without.description and "forecast" in without.description
    layers = [layer.get("mark") for layer in without.spec["layer"]]
    assert not any(
        mark == "area" or (isinstance(mark, dict) and mark.get("type") == "area") for mark in layers
    )


@pytest.fixture
def many_targets(herning):
    """The 2021 budget year with ``count`` measurable targets in all: guidance targets are added
    (and removed again: this module's demo is shared by its tests)."""
    added = []

    def add(count: int) -> None:
        area = FocusArea.objects.filter(budget_year__year=2021).order_by("position").last()
        existing = Target.objects.filter(focus_area__budget_year__year=2021).exclude(
            kind=Target.Kind.QUALITATIVE
        )
        for number in range(count - existing.count()):
            added.append(
                Target.objects.create(
                    focus_area=area,
                    indicator="guidance",
                    kind=Target.Kind.AT_LEAST,
                    threshold=1000 * (number + 1),
                )
            )

    yield add
    Target.objects.filter(pk__in=[target.pk for target in added]).delete()


@requires_poppler
def test_twenty_targets_still_fit_the_summary_on_one_page(herning, many_targets, tmp_path):
    many_targets(20)
    made = services.make_report(organisation=herning, year=2021, format="pdf")
    pages = pdf_pages(made.data, tmp_path)
    index = summary_page(pages)
    summary = flat(pages[index])
    for number in range(1, 12):
        assert f"Vejledning: mindst {danish(number * 1000)}" in summary, number
    assert "Besøg: flere end i 2020" in summary
    assert "Måltal Resultat" not in flat(pages[index + 1])  # no second summary page


@requires_poppler
def test_forty_targets_continue_the_summary_under_its_headings(herning, many_targets, tmp_path):
    many_targets(40)
    made = services.make_report(organisation=herning, year=2021, format="pdf")
    pages = pdf_pages(made.data, tmp_path, layout=True)
    index = summary_page(pages)
    first, second = pages[index], pages[index + 1]
    assert re.search(r"Måltal\s+Resultat\s+Målværdi\s+Status\s+Kommentar", second)
    both = flat(first + second)
    missing = [n for n in range(1, 32) if f"Vejledning: mindst {danish(n * 1000)}" not in both]
    assert not missing, both
