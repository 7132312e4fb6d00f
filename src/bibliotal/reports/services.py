"""Make a report file: one entry point for the page, the API and ``bibliotal report``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.utils import translation

from bibliotal.core.text import danish_slugify
from bibliotal.reports import content

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    data: bytes

    def download(self) -> HttpResponse:
        """The file as an attachment (the page's buttons and the API answer alike)."""
        response = HttpResponse(self.data, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


def slug(text: str) -> str:
    """A file-name part in plain letters: "Herning Bibliotekerne" → "herning-bibliotekerne"."""
    return danish_slugify(text, fallback="bibliotek")


def filename(*, prefix: str, organisation, year: int, at: date, extension: str) -> str:
    """``maalopfoelgning-<organisation>-<year>-<date>.<ext>``; the date is the figures' date."""
    return f"{prefix}-{slug(organisation.name)}-{year}-{at.isoformat()}.{extension}"


def render(report: content.Report, format: str) -> bytes:
    if format == "pdf":
        from bibliotal.reports import pdf

        return pdf.render(report)
    if format == "docx":
        from bibliotal.reports import word

        return word.render(report)
    if format == "xlsx":
        from bibliotal.reports import tables

        return tables.render_xlsx(report)
    if format == "csv":
        from bibliotal.reports import tables

        return tables.render_csv(report)
    raise ValueError(f"Unknown report format {format!r}.")


def make_report(
    *,
    organisation,
    year: int,
    format: str,
    at: date | None = None,
    language: str = "da",
    comparison: bool = False,
) -> ReportFile:
    """The report file; ``comparison`` adds the section on other municipalities (Danmarks
    Statistik's figures per 1,000 inhabitants) to the PDF and the DOCX."""
    if format not in FORMATS:
        raise ValueError(f"Unknown report format {format!r}.")
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}.")
    with translation.override(language):
        report = content.build_report(
            organisation=organisation,
            year=year,
            at=at,
            language=language,
            comparison=comparison and format in ("pdf", "docx"),
        )
        data = render(report, format)
    return ReportFile(
        filename(
            prefix="maalopfoelgning",
            organisation=organisation,
            year=year,
            at=report.at,
            extension=format,
        ),
        FORMATS[format],
        data,
    )
