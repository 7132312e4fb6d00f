"""Digital statistics files import to hand-checked figures, all or nothing, idempotent.

The COUNTER files in tests/data/digital are written by hand as the code of practice lays them
out; tests/data/counter-r51 holds five of COUNTER's own Release 5.1 samples (CC BY 4.0)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.db.models import Sum
from openpyxl import Workbook

from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import ImportBatch
from bibliotal.digital.importers import import_digital_file
from bibliotal.digital.models import DigitalFigure, Platform

DATA = Path(__file__).resolve().parent.parent / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "counter-r51"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def run(world, name, data=None, **options):
    return import_digital_file(
        organisation=world.organisation,
        data=data if data is not None else load(name),
        filename=Path(name).name,
        **options,
    )


def total(**filters) -> int:
    return DigitalFigure.objects.filter(**filters).aggregate(t=Sum("value"))["t"] or 0


@pytest.mark.django_db
def test_a_hand_written_tr_b1_imports_to_its_hand_checked_totals(world):
    result = run(world, "digital/ebookcentral_tr_b1_2021q1.tsv")
    assert (result.format, result.report, result.created) == ("counter", "TR_B1", 18)
    assert result.new_platforms == ["Ebook Central"]
    assert Platform.objects.get(name="Ebook Central").kind == "database"
    assert total(report="TR_B1", metric="Total_Item_Requests") == 60 + 14 + 41
    assert total(report="TR_B1", metric="Unique_Title_Requests") == 25 + 6 + 17
    january = {"start": date(2021, 1, 1), "end": date(2021, 1, 31)}
    assert total(metric="Total_Item_Requests", **january) == 10 + 0 + 7
    title = DigitalFigure.objects.filter(item="Klimaets historie", metric="Total_Item_Requests")
    assert [f.value for f in title.order_by("start")] == [0, 9, 5]
    assert title.first().attributes == "ID=EBC:1002; YOP=2020"
    assert {f.period for f in DigitalFigure.objects.all()} == {"month"}


@pytest.mark.django_db
def test_the_same_report_as_release_5_0_json_gives_the_same_figures(world):
    run(world, "digital/ebookcentral_tr_b1_2021q1.tsv")
    before = sorted(
        DigitalFigure.objects.values_list("item", "attributes", "metric", "start", "value")
    )
    again = run(world, "digital/ebookcentral_tr_b1_2021q1.json")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 18)
    after = sorted(
        DigitalFigure.objects.values_list("item", "attributes", "metric", "start", "value")
    )
    assert after == before


@pytest.mark.django_db
def test_a_hand_written_platform_report_imports_to_its_totals(world):
    result = run(world, "digital/infomedia_pr_2021q1.tsv")
    assert (result.report, result.created) == ("PR", 12)
    assert total(metric="Searches_Platform") == 1240
    assert total(metric="Total_Item_Requests") == 3010
    assert total(metric="Unique_Item_Requests") == 2205
    assert total(metric="Total_Item_Investigations", start=date(2021, 3, 1)) == 1500


@pytest.mark.django_db
def test_a_total_that_disagrees_with_its_months_is_named_and_nothing_is_saved(world):
    text = load("digital/infomedia_pr_2021q1.tsv").decode().replace("1240\t400", "1241\t400")
    with pytest.raises(ImportRejected) as caught:
        run(world, "infomedia.tsv", text.encode())
    assert [str(e) for e in caught.value.errors] == [
        "infomedia.tsv, linje 15, kolonne Reporting_Period_Total: Reporting_Period_Total skal "
        "være lig summen af månedskolonnerne (1240). (værdi: '1241')"
    ]
    assert not DigitalFigure.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_counter_header_block_is_checked(world):
    text = load("digital/infomedia_pr_2021q1.tsv").decode()
    broken = text.replace("Release\t5", "Release\t4").replace("Jan-2021", "Januar")
    with pytest.raises(ImportRejected) as caught:
        run(world, "pr.tsv", broken.encode())
    messages = [str(e) for e in caught.value.errors]
    assert messages[0] == (
        "pr.tsv, linje 3, kolonne Release: Kun COUNTER Release 5 og 5.1 kan importeres. "
        "(værdi: '4')"
    )
    unknown = text.replace("Total_Item_Requests", "Total_Requests")
    with pytest.raises(ImportRejected) as caught:
        run(world, "pr.tsv", unknown.encode())
    assert str(caught.value.errors[0]) == (
        "pr.tsv, linje 16, kolonne Metric_Type: Ikke en metrik fra COUNTER Release 5. "
        "(værdi: 'Total_Requests')"
    )


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(world):
    first = run(world, "digital/infomedia_pr_2021q1.tsv")
    again = run(world, "digital/infomedia_pr_2021q1.tsv")
    assert first.created == 12 and again.already_imported
    assert DigitalFigure.objects.count() == 12
    assert ImportBatch.objects.filter(kind="digital").count() == 1


@pytest.mark.django_db
def test_a_corrected_report_replaces_the_values_it_changes(world):
    run(world, "digital/infomedia_pr_2021q1.tsv")
    text = load("digital/infomedia_pr_2021q1.tsv").decode()
    corrected = text.replace("1240\t400\t380\t460", "1250\t400\t390\t460")
    result = run(world, "infomedia-rettet.tsv", corrected.encode())
    assert (result.created, result.updated, result.unchanged) == (0, 1, 11)
    assert total(metric="Searches_Platform") == 1250


@pytest.mark.django_db
def test_counter_samples_in_tsv_json_and_xlsx_import_to_the_same_figures(world):
    figures = {}
    for extension in ("tsv", "json", "xlsx"):
        DigitalFigure.objects.all().delete()
        ImportBatch.objects.all().delete()
        name = f"counter-r51/TRB1_sample_r51.{extension}"
        result = run(world, name)
        assert result.report == "TR_B1"
        figures[extension] = sorted(
            DigitalFigure.objects.values_list("item", "attributes", "metric", "start", "value")
        )
    assert figures["tsv"] == figures["json"] == figures["xlsx"]
    assert len(figures["tsv"]) == 48
    # The sample's own Reporting_Period_Total for Title 1's Total_Item_Requests.
    assert (
        sum(
            v
            for item, _a, m, _s, v in figures["tsv"]
            if item == "Title 1" and m == "Total_Item_Requests"
        )
        == 9825
    )


@pytest.mark.django_db
def test_the_platform_report_sample_agrees_with_its_own_totals(world):
    tsv = load("counter-r51/PR_sample_r51.tsv").decode("utf-8-sig").splitlines()
    header = tsv[14].split("\t")
    expected = {}
    for line in tsv[15:]:
        cells = line.split("\t")
        metric = cells[header.index("Metric_Type")]
        expected[metric] = expected.get(metric, 0) + int(
            cells[header.index("Reporting_Period_Total")]
        )
    run(world, "counter-r51/PR_sample_r51.json")
    for metric, value in expected.items():
        assert total(report="PR", metric=metric) == value


@pytest.mark.skipif(not SHARED.exists(), reason="the shared COUNTER samples are not beside us")
@pytest.mark.django_db
@pytest.mark.parametrize(
    "report",
    sorted({p.name.rsplit(".", 1)[0] for p in SHARED.glob("*_sample_r51.*")})
    if SHARED.exists()
    else [],
)
def test_every_official_sample_imports_alike_in_every_format(world, report):
    seen = []
    for extension in ("tsv", "json", "xlsx"):
        DigitalFigure.objects.all().delete()
        ImportBatch.objects.all().delete()
        path = SHARED / f"{report}.{extension}"
        import_digital_file(
            organisation=world.organisation, data=path.read_bytes(), filename=path.name
        )
        seen.append(
            sorted(
                DigitalFigure.objects.values_list("item", "attributes", "metric", "start", "value")
            )
        )
    assert seen[0] and seen[0] == seen[1] == seen[2]


@pytest.mark.django_db
def test_the_monthly_e_loan_report_imports_to_hand_checked_totals(world):
    ereolen = Platform.objects.create(
        organisation=world.organisation, name="eReolen", kind="ereolen"
    )
    result = run(world, "digital/ereolen_udlaan_2021.csv", platform=ereolen)
    assert (result.format, result.created) == ("eloans", 12)
    assert total(metric="loans", material="ebook") == 120 + 80 + 2000 + 110 + 75 + 1900
    assert total(metric="loans", material="eaudiobook") == 300 + 3100 + 280 + 2950
    assert total(metric="loans", material="podcast") == 490
    assert total(metric="loans", age_band="children", material="ebook") == 230


@pytest.mark.django_db
def test_a_file_without_its_platform_asks_for_one(world):
    with pytest.raises(ImportRejected) as caught:
        run(world, "digital/ereolen_udlaan_2021.csv")
    assert str(caught.value.errors[0]) == (
        "ereolen_udlaan_2021.csv, linje 2, kolonne platform: Filen siger ikke, hvilken platform "
        "den gælder: vælg platformen. (værdi: '')"
    )


@pytest.mark.django_db
def test_a_matomo_summary_in_utf_16_keeps_unique_visitors_per_period(world):
    website = Platform.objects.create(
        organisation=world.organisation, name="Hjemmeside", kind="website"
    )
    result = run(world, "digital/matomo_visitssummary_2021.csv", platform=website)
    assert result.format == "matomo"
    unique = DigitalFigure.objects.filter(metric="unique_users").order_by("start", "end")
    assert [(f.period, f.value, f.method) for f in unique] == [
        ("month", 18250, "cookie"),
        ("year", 151000, "cookie"),
        ("month", 17100, "cookie"),
    ]
    assert total(metric="visits", period="month") == 26400 + 24800 + 25900
    assert any("bounce_rate" in w for w in result.warnings)
    assert any("User ID" in w for w in result.warnings)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_generic_figures_from_excel_with_danish_words(world):
    Platform.objects.create(
        organisation=world.organisation, name="eReolen Go", kind="ereolen_go", for_children=True
    )
    data = _xlsx(
        [
            ["Platform", "Periode", "Måling", "Materialetype", "Aldersgruppe", "Metode", "Værdi"],
            ["eReolen Go", "marts 2021", "Udlån", "E-bog", "Børn", "", 640],
            ["eReolen Go", "2021-Q1", "Unikke brugere", "", "", "Login", 1830],
            ["ereolen go", "2021", "Unikke brugere", "", "", "login", 2900],
        ]
    )
    result = run(world, "tal.xlsx", data)
    assert (result.format, result.created) == ("generic", 3)
    quarter = DigitalFigure.objects.get(period="quarter")
    assert (quarter.start, quarter.end, quarter.value) == (
        date(2021, 1, 1),
        date(2021, 3, 31),
        1830,
    )


@pytest.mark.django_db
def test_every_faulty_row_of_a_generic_file_is_named(world):
    data = (
        "platform;periode;måling;aldersgruppe;værdi\n"
        "eReolen;2021-13;udlån;børn;10\n"
        "Ukendt;2021-02;udlån;;10\n"
        "eReolen;2021-02;unikke brugere;;12\n"
        "eReolen;2021-02;udlån;oldinge;-3\n"
    ).encode()
    Platform.objects.create(organisation=world.organisation, name="eReolen", kind="ereolen")
    with pytest.raises(ImportRejected) as caught:
        run(world, "tal.csv", data)
    assert [str(e) for e in caught.value.errors] == [
        "tal.csv, linje 2, kolonne periode: Ikke en periode: skriv en måned som 2021-03 eller "
        "marts 2021, et kvartal som 2021-Q1, et år som 2021 eller en dag som 05-03-2021. "
        "(værdi: '2021-13')",
        "tal.csv, linje 4, kolonne method: Unikke brugere skal have deres metode: cookie "
        "(webanalyse) eller login (lånere). (værdi: '')",
        "tal.csv, linje 5, kolonne værdi: Skal være et helt tal på 0 eller mere. (værdi: '-3')",
        "tal.csv, linje 5, kolonne aldersgruppe: Ikke en aldersgruppe: børn (0–13), unge "
        "(14–17), voksne (18+), ukendt, eller tom for alle. (værdi: 'oldinge')",
    ]
    assert not DigitalFigure.objects.exists()


@pytest.mark.django_db
def test_an_unknown_platform_is_named_not_created(world):
    data = b"platform;periode;maaling;vaerdi\nSkolePortal;2021-02;udlaan;10\n"
    data = "platform;periode;måling;værdi\nSkolePortal;2021-02;udlån;10\n".encode()
    with pytest.raises(ImportRejected) as caught:
        run(world, "tal.csv", data)
    assert "SkolePortal" in str(caught.value.errors[0])
    assert not Platform.objects.filter(name="SkolePortal").exists()


@pytest.mark.django_db
def test_the_same_figure_twice_with_other_values_is_an_error(world):
    data = "platform;periode;måling;værdi\neReolen;2021-02;udlån;10\neReolen;2021-02;udlån;11\n"
    with pytest.raises(ImportRejected) as caught:
        run(world, "tal.csv", data.encode())
    assert str(caught.value.errors[0]) == (
        "tal.csv, linje 3, kolonne værdi: Det samme tal står i linje 2 med værdien 10. "
        "(værdi: '11')"
    )


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_not_even_a_new_platform(world):
    result = run(world, "digital/ebookcentral_tr_b1_2021q1.tsv", dry_run=True)
    assert result.created == 18 and result.new_platforms == ["Ebook Central"]
    assert not DigitalFigure.objects.exists()
    assert not Platform.objects.filter(name="Ebook Central").exists()


@pytest.mark.django_db
def test_a_json_file_that_is_only_a_counter_exception_is_refused(world):
    data = json.dumps([{"Code": 3030, "Severity": "Error", "Message": "No Usage Available"}])
    with pytest.raises(ImportRejected) as caught:
        run(world, "pr.json", data.encode())
    assert "3030: No Usage Available" in str(caught.value.errors[0])


@pytest.mark.django_db
def test_undoing_an_import_removes_what_it_added_and_restores_what_it_replaced(world):
    from bibliotal.digital.importers import UndoRefused, undo_digital_import

    first = run(world, "digital/infomedia_pr_2021q1.tsv")
    text = load("digital/infomedia_pr_2021q1.tsv").decode()
    corrected = (
        text.replace("1240\t400\t380\t460", "1250\t400\t390\t460")
        .replace("End_Date=2021-03-31", "End_Date=2021-04-30")
        .replace("Mar-2021", "Mar-2021\tApr-2021")
    )
    corrected = "\n".join(
        line + "\t0" if line.startswith("Infomedia") else line for line in corrected.splitlines()
    )
    second = run(world, "rettet.tsv", corrected.encode())
    assert (second.created, second.updated) == (4, 1)
    with pytest.raises(UndoRefused):
        undo_digital_import(batch=ImportBatch.objects.get(pk=first.batch_id))
    assert undo_digital_import(batch=ImportBatch.objects.get(pk=second.batch_id)) == 5
    assert DigitalFigure.objects.count() == 12
    assert total(metric="Searches_Platform") == 1240
    assert set(DigitalFigure.objects.values_list("batch_id", flat=True)) == {first.batch_id}
    assert not ImportBatch.objects.filter(pk=second.batch_id).exists()
    assert run(world, "rettet.tsv", corrected.encode()).created == 4  # may come in again
