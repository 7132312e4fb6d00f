"""Danmarks Statistik's Statbank: reading its CSV files (the API's layout and the website's),
fetching from a local stand-in for its API, the figures per 1,000 inhabitants, the comparison
page, and the comparison section of the report."""

from __future__ import annotations

import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from bibliotal.core.http import FetchError
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import ImportBatch, Integration, IntegrationRun, PopulationFigure
from bibliotal.reports import comparison as comparing
from bibliotal.reports.models import ComparisonSettings, StatbankFigure
from bibliotal.reports.services import make_report
from bibliotal.reports.statbank import api as statbank_api
from bibliotal.reports.statbank import import_statbank_csv, parse_statbank, sync_statbank

DATA = Path(__file__).resolve().parent.parent / "data" / "statbank"
PEERS = ["756", "661", "740"]  # Ikast-Brande, Holstebro, Silkeborg


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in the source language (pages follow the request's, Danish)."""
    with translation.override("en"):
        yield


def danish(text: str) -> str:
    with translation.override("da"):
        return translation.gettext(text)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def herning(world):
    """The fixture organisation as Herning (657), comparing itself with three neighbours."""
    world.organisation.municipality_code = "657"
    world.organisation.save()
    ComparisonSettings.objects.create(organisation=world.organisation, peers=PEERS)
    return world.organisation


@pytest.fixture
def imported(herning):
    for name in ("BIB2B.csv", "folk1a-website.csv", "ibib2-2022.csv"):
        import_statbank_csv(organisation=herning, data=read(name), filename=name)
    return herning


def rates(result) -> dict[tuple[str, int], Decimal | None]:
    return {(c.area.code, c.year): c.per_1000_rounded for c in result.cells}


# --- reading files ----------------------------------------------------------------------------


def test_the_apis_layout_is_read_with_names_for_areas(db):
    parsed = parse_statbank(read("BIB2B.csv"), filename="BIB2B.csv")
    assert parsed.table == "BIB2B"
    assert len(parsed.figures) == 5 * 5 * 2  # areas × activities × years
    herning = next(
        f
        for f in parsed.figures
        if f.area_code == "657" and f.year == 2022 and f.measure == "Besøgende"
    )
    assert herning.value == Decimal("578500")
    assert herning.area_name == "Herning"
    country = {f.area_code for f in parsed.figures}
    assert country == {"657", "756", "661", "740", "000"}


def test_two_dots_are_kept_as_no_figure_never_as_zero(db):
    parsed = parse_statbank(read("BIB2B.csv"), filename="BIB2B.csv")
    silkeborg = next(
        f
        for f in parsed.figures
        if f.area_code == "740" and f.year == 2021 and f.measure == "Arrangementer"
    )
    assert silkeborg.value is None


def test_the_websites_layout_in_windows_1252_gives_the_first_quarter_as_1_january(db):
    parsed = parse_statbank(read("folk1a-website.csv"), filename="folk1a-website.csv")
    assert parsed.table == "FOLK1A"
    herning = {
        (f.year, f.measure): (f.value, f.period) for f in parsed.figures if f.area_code == "657"
    }
    assert herning[(2021, "I alt")] == (Decimal("88500"), "2021K1")
    assert herning[(2022, "I alt")] == (Decimal("89000"), "2022K1")
    assert herning[(2022, "Kvinder")] == (Decimal("44500"), "2022K1")  # carried-down area
    assert "Kilde" not in " ".join(f.area_name for f in parsed.figures)


def test_quarters_are_added_up_only_for_complete_years_and_never_for_persons(db):
    parsed = parse_statbank(read("ibib2-2022.csv"), filename="ibib2-2022.csv")
    loans = {(f.area_code, f.year, f.measure): f.value for f in parsed.figures if f.area_name}
    assert loans[("657", 2022, "Alder i alt | Udlån | eReolen")] == Decimal("120000")
    assert not any(f.year == 2023 for f in parsed.figures)
    assert not any("Lånere" in f.measure for f in parsed.figures)
    notes = " ".join(parsed.notes)
    assert "2023" in notes and "Herning" in notes
    assert "Lånere" in notes


def test_a_bad_figure_is_refused_naming_file_line_column_and_value(db):
    data = (
        "OMRÅDE;AKTIVITET;TID;INDHOLD\n"
        "Herning;Besøgende;2022;578500\n"
        "Herning;Arrangementer;2022;mange\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        parse_statbank(data.encode(), filename="BIB2B-fejl.csv")
    [error] = rejected.value.errors
    assert (error.filename, error.line, error.column, error.value) == (
        "BIB2B-fejl.csv",
        3,
        "INDHOLD",
        "mange",
    )
    assert "BIB2B-fejl.csv, line 3, column INDHOLD" in str(error)


def test_a_bad_period_is_refused(db):
    data = "OMRÅDE;TID;INDHOLD\n657;2022X;89000\n"
    with pytest.raises(ImportRejected) as rejected:
        parse_statbank(data.encode(), filename="FOLK1A.csv")
    [error] = rejected.value.errors
    assert (error.line, error.column, error.value) == (2, "TID", "2022X")


def test_a_file_that_names_no_table_is_refused(db):
    with pytest.raises(ImportRejected) as rejected:
        parse_statbank(read("BIB2B.csv"), filename="download.csv")
    assert "BIB2B, IBIB2, FOLK1A" in str(rejected.value)
    assert parse_statbank(read("BIB2B.csv"), filename="download.csv", table="BIB2B").figures


def test_areas_that_are_not_municipalities_are_left_out_and_named(db):
    data = "OMRÅDE;TID;INDHOLD\nHerning;2022K1;89000\nLandsdel Vestjylland;2022K1;290000\n"
    parsed = parse_statbank(data.encode("cp1252"), filename="FOLK1A.csv")
    assert [f.area_code for f in parsed.figures] == ["657"]
    assert parsed.unknown_areas == ["Landsdel Vestjylland"]


# --- importing ------------------------------------------------------------------------------


def test_importing_a_file_records_a_batch_and_an_integration_run(herning, world):
    result = import_statbank_csv(
        organisation=herning, data=read("BIB2B.csv"), filename="BIB2B.csv", user=world.manager
    )
    assert (result.created, result.updated, result.unchanged) == (50, 0, 0)
    assert result.not_published == 1
    assert StatbankFigure.objects.filter(table="BIB2B").count() == 50
    assert ImportBatch.objects.get(kind="statbank").imported_by == world.manager
    run = IntegrationRun.objects.get(integration=Integration.STATBANK)
    assert run.ok and run.trigger == "file"
    assert run.changes["created"] == 50
    assert "50" in run.summary


def test_reimporting_the_same_file_changes_nothing(herning):
    import_statbank_csv(organisation=herning, data=read("BIB2B.csv"), filename="BIB2B.csv")
    before = list(StatbankFigure.objects.values_list("pk", "value", "fetched_at"))
    again = import_statbank_csv(organisation=herning, data=read("BIB2B.csv"), filename="BIB2B.csv")
    assert again.already_imported
    assert list(StatbankFigure.objects.values_list("pk", "value", "fetched_at")) == before
    assert ImportBatch.objects.filter(kind="statbank").count() == 1


def test_a_rejected_file_writes_nothing_and_the_run_failed(herning):
    with pytest.raises(ImportRejected):
        import_statbank_csv(
            organisation=herning,
            data=b"OMR\xc3\x85DE;AKTIVITET;TID;INDHOLD\nHerning;Bes\xc3\xb8gende;2022;x1\n",
            filename="BIB2B.csv",
        )
    assert not StatbankFigure.objects.exists()
    run = IntegrationRun.objects.get(integration=Integration.STATBANK)
    assert not run.ok and "line 2" in run.error


def test_folk1a_sets_the_organisations_population_but_keeps_one_typed_by_hand(herning):
    PopulationFigure.objects.create(organisation=herning, year=2022, population=88000, source="")
    result = import_statbank_csv(
        organisation=herning, data=read("folk1a-website.csv"), filename="folk1a-website.csv"
    )
    figures = {p.year: p for p in PopulationFigure.objects.filter(organisation=herning)}
    assert figures[2021].population == 88500
    assert figures[2021].source == "Danmarks Statistik FOLK1A, 1. januar"
    assert figures[2022].population == 88000  # typed by hand, kept
    assert "88.000" in result.summary() and "89.000" in result.summary()


# --- per 1,000 inhabitants ------------------------------------------------------------------


def test_visitors_per_1000_inhabitants_for_several_municipalities_and_the_country(imported):
    result = comparing.comparison(imported, "visitors")
    assert result.years == [2021, 2022]
    assert [a.code for a in result.areas] == ["657", *PEERS, "000"]
    got = rates(result)
    assert got[("657", 2022)] == Decimal("6500.0")  # 578,500 / 89,000 × 1,000
    assert got[("657", 2021)] == Decimal("4000.0")  # 354,000 / 88,500 × 1,000
    assert got[("756", 2022)] == Decimal("5487.8")  # 225,000 / 41,000 × 1,000
    assert got[("661", 2022)] == Decimal("6779.7")  # 400,000 / 59,000 × 1,000
    assert got[("740", 2022)] == Decimal("5154.6")  # 500,000 / 97,000 × 1,000
    assert got[("000", 2022)] == Decimal("4869.4")  # 28,600,000 / 5,873,420 × 1,000
    herning = result.cell("657", 2022)
    assert (herning.value, herning.population) == (Decimal("578500"), 89000)
    assert herning.per_1000 == Decimal(578500) * 1000 / Decimal(89000)


def test_a_figure_not_published_is_missing_with_a_reason(imported):
    result = comparing.comparison(imported, "events")
    silkeborg = result.cell("740", 2021)
    assert silkeborg.per_1000 is None and silkeborg.value is None
    assert silkeborg.note == "not published by Danmarks Statistik"
    assert rates(result)[("657", 2022)] == Decimal("13.5")  # 1,200 / 89,000 × 1,000


def test_user_education_participants_per_1000(imported):
    got = rates(comparing.comparison(imported, "user_education_participants"))
    assert got[("657", 2022)] == Decimal("50.0")  # 4,450 / 89,000 × 1,000
    assert got[("000", 2021)] == Decimal("10.1")  # 58,800 / 5,840,045 × 1,000


def test_e_loans_are_the_ereolen_loans_and_childrens_the_bands_under_20(imported):
    result = comparing.comparison(imported, "eloans")
    got = rates(result)
    assert result.years == [2022]
    assert got[("657", 2022)] == Decimal("1348.3")  # 120,000 / 89,000 × 1,000
    assert got[("000", 2022)] == Decimal("1566.4")  # 9,200,000 / 5,873,420 × 1,000
    holstebro = result.cell("661", 2022)
    assert holstebro.per_1000 is None and holstebro.note == "no figure"
    children = rates(comparing.comparison(imported, "child_eloans"))
    assert children[("657", 2022)] == Decimal("224.7")  # (8,000 + 12,000) / 89,000 × 1,000
    assert children[("756", 2022)] == Decimal("243.9")  # (4,000 + 6,000) / 41,000 × 1,000


def test_without_a_population_there_is_no_rate(herning):
    import_statbank_csv(organisation=herning, data=read("BIB2B.csv"), filename="BIB2B.csv")
    cell = comparing.comparison(herning, "visitors").cell("657", 2022)
    assert cell.value == Decimal("578500")
    assert cell.per_1000 is None and cell.note == "no population figure"


# --- the API of Statbank, played by a local server -----------------------------------------


def table_info(table: str, variables: list[dict]) -> bytes:
    return json.dumps({"id": table, "variables": variables}).encode()


AREA = {
    "id": "OMRÅDE",
    "text": "område",
    "elimination": False,
    "time": False,
    "values": [{"id": c, "text": c} for c in ("000", "657", "756", "661", "740")],
}


def time_values(*periods):
    return {"id": "Tid", "text": "tid", "time": True, "values": [{"id": p} for p in periods]}


@pytest.fixture
def statbank_server(settings, monkeypatch):
    """A stand-in for api.statbank.dk on 127.0.0.1, answering from tests/data/statbank."""
    answers = {
        "/v1/tableinfo/BIB2B": (
            200,
            table_info(
                "BIB2B",
                [
                    AREA,
                    {"id": "AKTIVITET", "text": "aktivitet", "elimination": False, "values": []},
                    time_values("2021", "2022"),
                ],
            ),
        ),
        "/v1/data/BIB2B/CSV": (200, read("BIB2B.csv")),
        "/v1/tableinfo/FOLK1A": (
            200,
            table_info(
                "FOLK1A",
                [
                    AREA,
                    {"id": "KØN", "text": "køn", "elimination": True, "values": []},
                    time_values(*[f"{y}K{q}" for y in (2021, 2022) for q in range(1, 5)]),
                ],
            ),
        ),
        "/v1/data/FOLK1A/CSV": (200, read("folk1a-api.csv")),
        "/v1/tableinfo/IBIB2": (
            200,
            table_info(
                "IBIB2",
                [
                    AREA,
                    {"id": "ALDER", "text": "alder", "elimination": True, "values": []},
                    time_values("2022K1", "2022K2", "2022K3", "2022K4"),
                ],
            ),
        ),
        "/v1/data/IBIB2/CSV": (200, read("ibib2-2022.csv")),
    }
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(unquote(self.path))
            status, body = answers.get(self.path.split("?")[0], (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BIBLIOTAL_ALLOW_LOCAL_SOURCES = True
    monkeypatch.setattr(statbank_api, "API_BASE", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setattr(statbank_api, "API_HOST", "127.0.0.1")
    yield answers, asked
    server.shutdown()
    server.server_close()


def test_sync_fetches_the_three_tables_for_the_own_municipality_its_peers_and_the_country(
    herning, statbank_server
):
    _answers, asked = statbank_server
    result = sync_statbank(organisation=herning, trigger="task")
    assert result.tables == ["BIB2B", "IBIB2", "FOLK1A"]
    data = [a for a in asked if "/data/" in a]
    assert "OMRÅDE=657,756,661,740,000" in data[0]
    assert "AKTIVITET=*" in data[0] and "Tid=*" in data[0]
    assert "KØN" not in data[2]  # FOLK1A: sex left out, so Statbank sends the total
    got = rates(comparing.comparison(herning, "visitors"))
    assert got[("657", 2022)] == Decimal("6500.0")
    assert PopulationFigure.objects.get(organisation=herning, year=2022).population == 89000
    run = IntegrationRun.objects.get(integration=Integration.STATBANK)
    assert run.ok and run.trigger == "task" and run.changes["created"] > 0
    figure = StatbankFigure.objects.filter(table="BIB2B").first()
    assert figure.source.startswith(statbank_api.API_BASE + "/data/BIB2B/CSV?")


def test_sync_asks_only_for_the_years_wanted(herning, statbank_server):
    _answers, asked = statbank_server
    sync_statbank(
        organisation=herning, tables=["FOLK1A"], areas=["657"], first_year=2022, last_year=2022
    )
    [data] = [a for a in asked if "/data/" in a]
    assert "Tid=2022K1,2022K2,2022K3,2022K4" in data
    assert "OMRÅDE=657" in data


def test_a_failed_sync_keeps_the_last_good_figures_and_records_the_failure(
    herning, statbank_server
):
    answers, _asked = statbank_server
    sync_statbank(organisation=herning)
    before = list(StatbankFigure.objects.order_by("pk").values_list("pk", "value", "fetched_at"))
    answers["/v1/data/IBIB2/CSV"] = (404, b"gone")
    with pytest.raises(FetchError):
        sync_statbank(organisation=herning)
    after = list(StatbankFigure.objects.order_by("pk").values_list("pk", "value", "fetched_at"))
    assert after == before
    failed = IntegrationRun.objects.filter(integration=Integration.STATBANK).first()
    assert not failed.ok and "404" in failed.error


def test_sync_refuses_an_address_that_is_not_statbanks(herning, settings):
    settings.BIBLIOTAL_ALLOW_LOCAL_SOURCES = False
    with pytest.raises(FetchError):
        sync_statbank(organisation=herning, tables=["XYZ1"])
    assert not StatbankFigure.objects.exists()


def test_the_sync_command_prints_the_summary(herning, statbank_server):
    out = io.StringIO()
    call_command(
        "sync",
        "dst",
        "--tables",
        "BIB2B,FOLK1A",
        "--organisation",
        "Testrup Bibliotekerne",
        stdout=out,
    )
    assert "BIB2B" in out.getvalue() and "FOLK1A" in out.getvalue()


# --- the import command ---------------------------------------------------------------------


def test_the_import_command_reads_a_statbank_file(herning):
    out = io.StringIO()
    call_command(
        "import",
        "dst",
        str(DATA / "folk1a-website.csv"),
        "--organisation",
        "Testrup Bibliotekerne",
        stdout=out,
    )
    assert "FOLK1A" in out.getvalue()
    assert StatbankFigure.objects.filter(table="FOLK1A").count() == 14


def test_the_import_command_dry_run_saves_nothing(herning):
    out = io.StringIO()
    call_command(
        "import",
        "dst",
        str(DATA / "BIB2B.csv"),
        "--dry-run",
        "--organisation",
        "Testrup Bibliotekerne",
        stdout=out,
    )
    assert "50 new figures" in out.getvalue()
    assert "nothing was saved" in out.getvalue()
    assert not StatbankFigure.objects.exists() and not ImportBatch.objects.exists()


def test_the_import_command_names_the_bad_line(herning, tmp_path):
    bad = tmp_path / "BIB2B.csv"
    bad.write_text("OMRÅDE;AKTIVITET;TID;INDHOLD\nHerning;Besøgende;2022;?\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2, column INDHOLD"):
        call_command("import", "dst", str(bad), "--organisation", "Testrup Bibliotekerne")


# --- the page -------------------------------------------------------------------------------


def test_everyone_in_the_organisation_sees_the_comparison(client, world, imported):
    url = reverse("reports:comparison")
    for who in ("staff", "coordinator", "manager"):
        client.force_login(getattr(world, who))
        response = client.get(url, {"measure": "visitors"})
        assert response.status_code == 200, who
        text = response.content.decode()
        assert "6.500,0" in text and "5.487,8" in text and "4.869,4" in text
        assert "578.500" in text and "89.000" in text
        assert "comparison-spec" in text  # the chart, with the table beside it
        assert "CC BY 4.0" in text
        assert ('name="peers"' in text) == (who == "manager")
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_page_shows_a_missing_figure_as_missing(client, world, imported):
    client.force_login(world.staff)
    text = client.get(reverse("reports:comparison"), {"measure": "events"}).content.decode()
    assert danish("not published by Danmarks Statistik") in text


def test_the_empty_page_explains_how_to_get_the_figures(client, world, herning):
    client.force_login(world.staff)
    text = client.get(reverse("reports:comparison")).content.decode()
    assert "bibliotal sync dst" in text


def test_another_organisation_sees_its_own_peers(client, world, imported):
    # Figures fetched from the API are shared by every organisation.
    StatbankFigure.objects.update(organisation=None)
    world.other_organisation.municipality_code = "661"
    world.other_organisation.save()
    client.force_login(world.stranger)
    text = client.get(reverse("reports:comparison")).content.decode()
    assert "6.779,7" in text  # Holstebro's own rate
    assert "5.487,8" not in text  # Herning's peers (Ikast-Brande) are not theirs


def test_an_upload_changes_only_the_own_organisations_comparison(world, imported):
    from bibliotal.reports.comparison import comparison

    StatbankFigure.objects.update(organisation=None)  # as if fetched from the API
    world.other_organisation.municipality_code = "661"
    world.other_organisation.save()
    doctored = "OMRÅDE;AKTIVITET;TID;INDHOLD\nHolstebro;Besøgende;2022;1\n".encode()
    import_statbank_csv(organisation=world.other_organisation, data=doctored, filename="BIB2B.csv")
    theirs = rates(comparison(world.other_organisation, "visitors", [2022]))
    ours = rates(comparison(world.organisation, "visitors", [2022]))
    assert theirs[("661", 2022)] < 1  # their own upload wins for them …
    assert ours[("661", 2022)] == Decimal("6779.7")  # … and changes nothing for anyone else
    # The same figures with the columns in another order are the same figures.
    swapped = "AKTIVITET;OMRÅDE;TID;INDHOLD\nBesøgende;Holstebro;2022;2\n".encode()
    result = import_statbank_csv(
        organisation=world.other_organisation, data=swapped, filename="BIB2B-2.csv"
    )
    assert (result.created, result.updated) == (0, 1)


def test_a_manager_chooses_the_peers_and_staff_may_not(client, world, herning):
    url = reverse("reports:comparison_peers")
    client.force_login(world.staff)
    assert client.post(url, {"peers": ["751"]}).status_code == 403
    client.force_login(world.manager)
    response = client.post(url, {"peers": ["751", "461"]})
    assert response.status_code == 302
    assert ComparisonSettings.objects.get(organisation=herning).peers == ["751", "461"]
    too_many = ["101", "147", "151", "153", "155", "157", "159", "161", "163"]
    assert client.post(url, {"peers": too_many}).status_code == 400
    assert client.post(url, {"peers": ["999"]}).status_code == 400
    assert ComparisonSettings.objects.get(organisation=herning).peers == ["751", "461"]


def test_a_manager_uploads_a_statbank_file_and_staff_may_not(client, world, herning):
    url = reverse("reports:comparison_upload")
    client.force_login(world.staff)
    upload = SimpleUploadedFile("BIB2B.csv", read("BIB2B.csv"), content_type="text/csv")
    assert client.post(url, {"file": upload}).status_code == 403
    client.force_login(world.manager)
    upload = SimpleUploadedFile("BIB2B.csv", read("BIB2B.csv"), content_type="text/csv")
    response = client.post(url, {"file": upload}, follow=True)
    assert response.status_code == 200
    assert StatbankFigure.objects.filter(table="BIB2B").count() == 50
    assert IntegrationRun.objects.get(integration=Integration.STATBANK).trigger == "page"
    bad = SimpleUploadedFile("BIB2B-2.csv", b"OMRADE;TID;INDHOLD\n657;2022;abc\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    text = response.content.decode()
    assert "BIB2B-2.csv" in text and "INDHOLD" in text and "abc" in text


# --- the report -----------------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_report_with_comparison_has_the_section(imported):
    made = make_report(
        organisation=imported, year=2022, format="docx", language="en", comparison=True
    )
    text = docx_text(made.data)
    assert "Comparison with other municipalities" in text
    assert "Visitors per 1,000 inhabitants" in text
    assert "Herning | 4,000.0 | 6,500.0" in text
    assert "Whole country | 3,047.9 | 4,869.4" in text  # 17,800,000 / 5,840,045 × 1,000
    assert "In 2022 Herning had 6,500.0 visitors per 1,000 inhabitants" in text
    plain = make_report(organisation=imported, year=2022, format="docx", language="en")
    assert "Comparison with other municipalities" not in docx_text(plain.data)


def test_the_report_pdf_with_comparison_is_made(imported):
    made = make_report(organisation=imported, year=2022, format="pdf", comparison=True)
    assert made.data.startswith(b"%PDF")


def test_the_comparison_leaves_the_csv_and_xlsx_as_they_were(imported):
    for format in ("csv", "xlsx"):
        with_ = make_report(organisation=imported, year=2022, format=format, comparison=True)
        without = make_report(organisation=imported, year=2022, format=format)
        if format == "csv":
            assert with_.data == without.data
        else:
            books = [openpyxl.load_workbook(io.BytesIO(m.data)) for m in (with_, without)]
            assert books[0].sheetnames == books[1].sheetnames
            for name in books[0].sheetnames:
                assert list(books[0][name].values) == list(books[1][name].values)


def test_the_report_page_offers_the_comparison(client, world, imported):
    client.force_login(world.staff)
    text = client.get(reverse("reports:report_detail", args=[2022])).content.decode()
    assert 'name="comparison"' in text
    assert reverse("reports:comparison") in text
    response = client.get(
        reverse("reports:report_download", args=[2022]),
        {"format": "docx", "lang": "en", "comparison": "1"},
    )
    assert "Comparison with other municipalities" in docx_text(response.content)


def test_the_report_command_takes_comparison(imported, tmp_path):
    target = tmp_path / "report.docx"
    call_command(
        "report",
        "2022",
        "--format",
        "docx",
        "--lang",
        "en",
        "--comparison",
        "-o",
        str(target),
        "--organisation",
        "Testrup Bibliotekerne",
    )
    assert "Comparison with other municipalities" in docx_text(target.read_bytes())


def test_the_api_gives_the_comparison(client, world, imported):
    client.force_login(world.staff)
    response = client.get("/api/v1/comparison", {"measure": "visitors"})
    assert response.status_code == 200, response.content
    body = response.json()
    herning = next(r for r in body["rows"] if r["area_code"] == "657" and r["year"] == 2022)
    assert herning["per_1000"] == pytest.approx(6500.0)
    assert herning["role"] == "own"
    silkeborg = next(
        r
        for r in client.get("/api/v1/comparison", {"measure": "events"}).json()["rows"]
        if r["area_code"] == "740" and r["year"] == 2021
    )
    assert silkeborg["per_1000"] is None and silkeborg["note"]
    client.force_login(world.outsider)
    assert client.get("/api/v1/comparison").status_code == 403


# --- which rows make a figure ---------------------------------------------------------------

FOLK1A_2022 = "OMRÅDE;TID;INDHOLD\n657;2022K1;89000\n756;2022K1;41000\n000;2022K1;5873420\n"


def own_2022(organisation, *bib2b_rows: str) -> None:
    """The organisation's own upload of FOLK1A for 2022 and of the BIB2B rows given."""
    import_statbank_csv(organisation=organisation, data=FOLK1A_2022.encode(), filename="FOLK1A.csv")
    data = "\n".join(["OMRÅDE;AKTIVITET;TID;INDHOLD", *bib2b_rows])
    import_statbank_csv(organisation=organisation, data=data.encode(), filename="BIB2B.csv")


def shared(organisation, data: str, filename: str) -> None:
    """Import ``data`` as if fetched from the API: shared by every organisation."""
    import_statbank_csv(organisation=organisation, data=data.encode(), filename=filename)
    StatbankFigure.objects.filter(source=filename).update(organisation=None)


def test_an_own_upload_worded_otherwise_replaces_the_shared_figure_and_is_not_added_to_it(
    herning,
):
    import_statbank_csv(organisation=herning, data=FOLK1A_2022.encode(), filename="FOLK1A.csv")
    shared(herning, "OMRÅDE;AKTIVITET;TID;INDHOLD\nHerning;Besøgende;2022;578500\n", "BIB2B.csv")
    import_statbank_csv(
        organisation=herning,
        data=b"AREA;ACTIVITY;TIME;INDHOLD\nHerning;Visitors;2022;580000\n",
        filename="BIB2B-en.csv",
    )
    result = comparing.comparison(herning, "visitors", [2022])
    assert result.cell("657", 2022).value == Decimal("580000")
    assert result.sources == ["BIB2B-en.csv", "FOLK1A.csv"]


def test_an_own_population_split_by_sex_replaces_the_shared_total_and_is_not_added_to_it(
    herning,
):
    shared(herning, FOLK1A_2022, "FOLK1A.csv")
    data = "OMRÅDE;KØN;TID;INDHOLD\n657;Mænd;2022K1;44600\n657;Kvinder;2022K1;44600\n"
    import_statbank_csv(organisation=herning, data=data.encode(), filename="FOLK1A-2.csv")
    shared(herning, "OMRÅDE;AKTIVITET;TID;INDHOLD\nHerning;Besøgende;2022;578500\n", "BIB2B.csv")
    result = comparing.comparison(herning, "visitors", [2022])
    assert result.cell("657", 2022).population == 89200
    assert result.cell("000", 2022).population == 5873420  # no own rows: the shared ones


def test_several_rows_matching_a_measure_without_a_total_give_no_figure_and_say_why(herning):
    own_2022(
        herning,
        "Herning;Fysiske besøg;2022;500000",
        "Herning;Virtuelle besøg (hjemmeside);2022;300000",
    )
    cell = comparing.comparison(herning, "visitors", [2022]).cell("657", 2022)
    assert cell.value is None and cell.per_1000 is None
    assert cell.note == "several rows match: Fysiske besøg, Virtuelle besøg (hjemmeside)"


def ibib2(rows_per_quarter: list[str]) -> bytes:
    rows = ["OMRÅDE;UDLÅNSSTED;ALDER;ENHED;TID;INDHOLD"]
    for quarter in range(1, 5):
        rows += [row.format(period=f"2022K{quarter}") for row in rows_per_quarter]
    return "\n".join(rows).encode()


def test_e_loans_are_missing_where_the_table_has_ereolen_rows_only_for_other_areas(herning):
    import_statbank_csv(organisation=herning, data=FOLK1A_2022.encode(), filename="FOLK1A.csv")
    data = ibib2(
        [
            "657;eReolen;Alder i alt;Udlån;{period};30000",
            "657;Folkebiblioteker;Alder i alt;Udlån;{period};150000",
            "657;Udlån i alt;Alder i alt;Udlån;{period};180000",
            "756;Folkebiblioteker;Alder i alt;Udlån;{period};60000",  # no eReolen row
            "756;Udlån i alt;Alder i alt;Udlån;{period};70000",
        ]
    )
    import_statbank_csv(organisation=herning, data=data, filename="IBIB2.csv")
    result = comparing.comparison(herning, "eloans", [2022])
    assert result.cell("657", 2022).value == Decimal("120000")
    ikast = result.cell("756", 2022)
    assert ikast.value is None and ikast.per_1000 is None
    assert ikast.note == (
        "no row for e-loans, though the table has such rows for other areas or years"
    )


def test_e_loans_are_all_loans_only_where_the_table_never_splits_loans_by_where_they_were_made(
    herning,
):
    import_statbank_csv(organisation=herning, data=FOLK1A_2022.encode(), filename="FOLK1A.csv")
    data = ibib2(["756;Udlån i alt;Alder i alt;Udlån;{period};70000"])
    import_statbank_csv(organisation=herning, data=data, filename="IBIB2.csv")
    assert comparing.comparison(herning, "eloans", [2022]).cell("756", 2022).value == 280000


# --- reading files: rows without figures, nil ---------------------------------------------


def test_a_website_row_without_figures_is_not_published_and_the_rows_after_it_are_read(db):
    data = (
        '"BIB2B: Folkebibliotekernes aktiviteter"\n\n'
        ';;"2021";"2022"\n'
        '"Herning";"Besøgende";354000;578500\n'
        '"Christiansø";"Besøgende";;\n'
        '"Vestjylland";;;\n'
        '"Holstebro";"Besøgende";250000;400000\n'
        '"Kilde: Danmarks Statistik"\n'
        '"Hele landet";"Besøgende";17800000;28600000\n'
    )
    parsed = parse_statbank(data.encode("cp1252"), filename="x.csv")
    got = {(f.area_code, f.year): f.value for f in parsed.figures}
    assert got == {
        ("657", 2021): Decimal("354000"),
        ("657", 2022): Decimal("578500"),
        ("411", 2021): None,
        ("411", 2022): None,
        ("661", 2021): Decimal("250000"),
        ("661", 2022): Decimal("400000"),
        ("000", 2021): Decimal("17800000"),
        ("000", 2022): Decimal("28600000"),
    }
    assert {f.measure for f in parsed.figures} == {"Besøgende"}


def test_a_dash_is_nil_and_read_as_zero_while_dots_are_not_published(db):
    data = (
        "OMRÅDE;AKTIVITET;TID;INDHOLD\n"
        "Herning;Arrangementer;2022;-\n"
        "Herning;Besøgende;2022;–\n"
        "Herning;Brugerundervisning, lektioner;2022;..\n"
        "Herning;Brugerundervisning, deltagere;2022;.\n"
    )
    parsed = parse_statbank(data.encode(), filename="BIB2B.csv")
    got = {f.measure: f.value for f in parsed.figures}
    assert got == {
        "Arrangementer": Decimal(0),
        "Besøgende": Decimal(0),
        "Brugerundervisning, lektioner": None,
        "Brugerundervisning, deltagere": None,
    }


# --- the sentence and the report's years --------------------------------------------------


def test_a_rate_of_zero_is_a_figure_in_the_sentence(herning):
    own_2022(
        herning,
        "Herning;Brugerundervisning, lektioner;2022;0",
        "Hele landet;Brugerundervisning, lektioner;2022;5873",
    )
    result = comparing.comparison(herning, "user_education_lessons", [2022])
    assert comparing.sentence(result).startswith(
        "In 2022 Herning had 0.0 user-education lessons per 1,000 inhabitants, against 1.0"
    )


def test_the_comparison_until_a_year_ends_with_that_year(imported):
    assert comparing.comparison(imported, "visitors", until=2021).years == [2021]
    assert comparing.comparison(imported, "visitors", until=2030).years == [2021, 2022]
    assert comparing.comparison(imported, "visitors", until=2022, last=1).years == [2022]


def test_the_report_of_a_year_compares_that_year_and_those_before_it(imported):
    made = make_report(
        organisation=imported, year=2021, format="docx", language="en", comparison=True
    )
    text = docx_text(made.data)
    assert "In 2021 Herning had 4,000.0 visitors per 1,000 inhabitants" in text
    assert "Municipality | 2021\n" in text
    assert "2022" not in text.split("Comparison with other municipalities")[-1]


# --- provenance in the report and the API -------------------------------------------------


def test_the_reports_comparison_gives_the_notes_the_missing_figures_and_the_sources(herning):
    from bibliotal.reports import content, pdf

    PopulationFigure.objects.create(organisation=herning, year=2022, population=89000, source="")
    data = (
        "OMRÅDE;AKTIVITET;TID;INDHOLD\n"
        "Herning;Besøgende;2022;578500\n"
        "Ikast-Brande;Besøgende;2022;..\n"
    )
    import_statbank_csv(organisation=herning, data=data.encode(), filename="BIB2B-upload.csv")
    own_figure = "The population of Herning in 2022 is the organisation's own figure, not FOLK1A's."
    missing = "Ikast-Brande, 2022: not published by Danmarks Statistik"
    [section] = comparing.report_sections(herning, charts=False, until=2022)
    assert section.notes[:2] == [own_figure, missing]
    assert "BIB2B-upload.csv" in section.source
    text = docx_text(
        make_report(
            organisation=herning, year=2022, format="docx", language="en", comparison=True
        ).data
    )
    assert own_figure in text and missing in text and "BIB2B-upload.csv" in text
    report = content.build_report(
        organisation=herning, year=2022, language="en", charts=False, comparison=True
    )
    [typst_section] = pdf.comparison_data(report)["sections"]
    assert typst_section["notes"][:2] == [own_figure, missing]
    assert "BIB2B-upload.csv" in typst_section["source"]
    pdf_made = make_report(organisation=herning, year=2022, format="pdf", comparison=True)
    assert pdf_made.data.startswith(b"%PDF")


def test_the_api_gives_the_comparisons_notes_and_sources(client, world, herning):
    PopulationFigure.objects.create(organisation=herning, year=2022, population=89000, source="")
    data = "OMRÅDE;AKTIVITET;TID;INDHOLD\nHerning;Besøgende;2022;578500\n"
    import_statbank_csv(organisation=herning, data=data.encode(), filename="BIB2B-upload.csv")
    client.force_login(world.staff)
    body = client.get("/api/v1/comparison", {"measure": "visitors"}).json()
    [note] = body["notes"]  # in Danish, the API's language
    assert "Herning" in note and "2022" in note and "FOLK1A" in note
    assert body["sources"] == ["BIB2B-upload.csv"]
    ikast = next(r for r in body["rows"] if r["area_code"] == "756")
    assert ikast["note"] == danish("no figure")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Københavns Kommune", "101"),
        ("Bornholms Regionskommune", "400"),
        ("Høje Taastrup", "169"),
        ("Høje-Taastrup Kommune", "169"),
        ("Lyngby-Taarbæk", "173"),
        ("Aarhus", "751"),
        ("Århus", "751"),
        ("000 Hele landet", "000"),
        ("Landsdel Byen København", None),
    ],
)
def test_municipalities_are_known_however_a_file_writes_them(written, code):
    from bibliotal.reports import municipalities

    assert municipalities.area_code(written) == code


def test_the_sentence_names_the_measure_as_a_person_says_it(imported):
    with translation.override("da"):
        text = comparing.sentence(comparing.comparison(imported, "user_education_participants"))
    assert "deltagere i brugerundervisning pr. 1.000 indbyggere" in text


def test_a_file_without_a_whole_year_says_so_plainly(herning):
    rows = ["OMRÅDE;UDLÅNSSTED;ALDER;ENHED;TID;INDHOLD"]
    rows += [f"657;eReolen;Alder i alt;Udlån;2023K{q};30000" for q in (1, 2)]
    result = import_statbank_csv(
        organisation=herning, data="\n".join(rows).encode(), filename="IBIB2-halvaar.csv"
    )
    assert result.summary().startswith("Danmarks Statistik IBIB2: no figure for a whole year.")
    assert ", , " not in result.summary()
