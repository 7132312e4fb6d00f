"""The golden files each importer is fuzzed from: small files that import cleanly into the fuzz
world (``conftest.fuzz_world``), read from ``tests/data`` and ``tests/fuzz/golden`` or built here.

A golden file is text (``data`` in its ``encoding``) or a workbook (``rows``, written as XLSX when
a case is made, so that its cells can be mutated first). ``options`` gives the importer's own
keyword arguments for the world (a library, a platform, a window).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"


def _no_options(world) -> dict:
    return {}


@dataclass(frozen=True)
class Golden:
    kind: str
    filename: str
    data: bytes = b""
    encoding: str = "utf-8"  # how the text is written: token mutations write it back so
    rows: list[list] | None = None  # a workbook's first sheet, instead of ``data``
    options: Callable[[object], dict] = field(default=_no_options)

    @property
    def shape(self) -> str:
        if self.rows is not None:
            return "xlsx"
        suffix = Path(self.filename).suffix.lower()
        if suffix == ".json":
            return "json"
        if suffix == ".ics":
            return "ics"
        return "text"

    def text(self) -> str:
        return self.data.decode(self.encoding)


STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def workbook(rows: list[list]) -> bytes:
    """Rows as the first sheet of an XLSX workbook (values of any type openpyxl writes), the
    same bytes for the same rows: Hypothesis replays a case and must get the same file."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)

    def timeless(name: str, content: bytes) -> bytes:
        return (
            STAMP.sub(b"2021-01-01T00:00:00Z", content) if name.startswith("docProps/") else content
        )

    return rewrite_zip(out.getvalue(), timeless)


def rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The archive with each entry's bytes passed through ``change`` (None leaves it out)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = change(entry.filename, source.read(entry.filename))
            if content is not None:
                target.writestr(
                    zipfile.ZipInfo(entry.filename, (2021, 1, 1, 0, 0, 0)),
                    content,
                    compress_type=zipfile.ZIP_DEFLATED,
                )
    return out.getvalue()


def _table(text: str, delimiter: str = ";") -> list[list]:
    return [line.split(delimiter) for line in text.splitlines() if line]


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _north(world) -> dict:
    return {"branch": world.north}


def _window_2021(world) -> dict:
    return {"branch": world.north, "start": date(2021, 1, 1), "end": date(2021, 12, 31)}


def _platform(name: str):
    def options(world) -> dict:
        from bibliotal.digital.models import Platform

        return {"platform": Platform.objects.get(organisation=world.organisation, name=name)}

    return options


def goldens() -> dict[str, list[Golden]]:
    generic = _read(GOLDEN / "counter-generic.csv")
    programme = _read(DATA / "events" / "programme.csv")
    institutions = _read(GOLDEN / "institutions.csv")
    new_users = _read(GOLDEN / "new-users.csv")
    trb1 = _read(DATA / "counter-r51" / "TRB1_sample_r51.tsv")
    return {
        "visits": [
            Golden("visits", "counter-generic.csv", generic, "cp1252", options=_north),
            Golden(
                "visits", "counter-wide.csv", _read(GOLDEN / "counter-wide.csv"), options=_north
            ),
            Golden(
                "visits", "counter-axis.csv", _read(GOLDEN / "counter-axis.csv"), options=_north
            ),
            Golden(
                "visits",
                "counter-hella.csv",
                _read(GOLDEN / "counter-hella.csv"),
                "utf-8-sig",
                options=_north,
            ),
            Golden("visits", "counter-register.csv", _read(GOLDEN / "counter-register.csv")),
            Golden(
                "visits",
                "counter-generic.xlsx",
                rows=_table(generic.decode("cp1252")),
                options=_north,
            ),
        ],
        "new-users": [
            Golden("new-users", "new-users.csv", new_users, "cp1252"),
            Golden("new-users", "new-users.xlsx", rows=_table(new_users.decode("cp1252"))),
        ],
        "institutions": [
            Golden("institutions", "institutions.csv", institutions),
            Golden(
                "institutions",
                "institutions-cp1252.csv",
                _read(DATA / "teaching" / "institutions-cp1252.csv"),
                "cp1252",
            ),
            Golden("institutions", "institutions.xlsx", rows=_table(institutions.decode())),
        ],
        "events": [
            Golden("events", "programme.csv", programme),
            Golden("events", "programme.xlsx", rows=_table(programme.decode())),
            Golden(
                "events",
                "herning-programme.ics",
                _read(DATA / "events" / "herning-programme.ics"),
                options=_window_2021,
            ),
            Golden("events", "events.json", _read(DATA / "dplcms" / "events.json")),
        ],
        "opening-hours": [
            Golden(
                "opening-hours", "opening_hours.json", _read(DATA / "dplcms" / "opening_hours.json")
            ),
        ],
        "digital": [
            Golden("digital", "digital-generic.csv", _read(GOLDEN / "digital-generic.csv")),
            Golden(
                "digital",
                "ereolen_udlaan_2021.csv",
                _read(DATA / "digital" / "ereolen_udlaan_2021.csv"),
                "cp1252",
                options=_platform("eReolen"),
            ),
            Golden(
                "digital",
                "matomo_visitssummary_2021.csv",
                _read(DATA / "digital" / "matomo_visitssummary_2021.csv"),
                "utf-16",
                options=_platform("Hjemmeside"),
            ),
            Golden(
                "digital",
                "infomedia_pr_2021q1.tsv",
                _read(DATA / "digital" / "infomedia_pr_2021q1.tsv"),
            ),
            Golden("digital", "TRB1_sample_r51.tsv", trb1, "utf-8-sig"),
            Golden(
                "digital",
                "TRB1_sample_r51.json",
                _read(DATA / "counter-r51" / "TRB1_sample_r51.json"),
            ),
            Golden(
                "digital",
                "ebookcentral_tr_b1_2021q1.json",
                _read(DATA / "digital" / "ebookcentral_tr_b1_2021q1.json"),
            ),
            Golden("digital", "TRB1_sample_r51.xlsx", rows=_table(trb1.decode("utf-8-sig"), "\t")),
        ],
        "dst": [
            Golden("dst", "BIB2B.csv", _read(DATA / "statbank" / "BIB2B.csv"), "utf-8-sig"),
            Golden("dst", "folk1a-api.csv", _read(DATA / "statbank" / "folk1a-api.csv")),
            Golden(
                "dst",
                "folk1a-website.csv",
                _read(DATA / "statbank" / "folk1a-website.csv"),
                "cp1252",
            ),
        ],
        "goals": [
            Golden("goals", "maal-budget-2021.txt", _read(DATA / "goals" / "maal-budget-2021.txt")),
            Golden(
                "goals",
                "variant-2022-cp1252-crlf.txt",
                _read(DATA / "goals" / "variant-2022-cp1252-crlf.txt"),
                "cp1252",
            ),
            Golden(
                "goals", "variant-two-years.txt", _read(DATA / "goals" / "variant-two-years.txt")
            ),
        ],
    }
