"""The follow-up report as DOCX (python-docx): real headings and tables, so its parts can be
pasted into the municipality's own template and keep their structure.

Word cannot take an SVG without a raster fallback, so charts go in as PNG drawn by vl-convert
from the same Vega-Lite spec, with the chart's description as alternative text.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.shared import OxmlElement
from docx.shared import Cm, Pt, RGBColor

from bibliotal.reports import charts, content, pdf
from bibliotal.reports import document as document_parts

STATUS_COLOURS = {
    "achieved": RGBColor(0x1B, 0x5E, 0x20),
    "on_track": RGBColor(0x1B, 0x5E, 0x20),
    "at_risk": RGBColor(0x7A, 0x4F, 0x00),
    "off_track": RGBColor(0xA1, 0x26, 0x0D),
    "not_achieved": RGBColor(0xA1, 0x26, 0x0D),
}


def _language(document, language: str) -> None:
    """Mark the text's language so spelling and screen readers use Danish (or English)."""
    tag = "da-DK" if language.startswith("da") else "en-GB"
    document.core_properties.language = tag
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _header_row(row) -> None:
    """Repeat the header row on every page, and let screen readers know it is one."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    for cell in row.cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


def _table(
    document,
    columns: list[str],
    rows: list[list[str]],
    *,
    numeric_from: int = 1,
    numeric_until: int | None = None,
):
    """A table with a repeated header row; the columns from ``numeric_from`` up to (not
    including) ``numeric_until`` (default: all but the last) are right-aligned."""
    until = len(columns) - 1 if numeric_until is None else numeric_until
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    _header_row(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for position, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if numeric_from <= position < until:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _paragraphs(document, texts: list[str]) -> None:
    for text in texts:
        document.add_paragraph(text)


def _picture(document, spec: dict, description: str) -> None:
    document.add_picture(io.BytesIO(charts.png(spec)), width=Cm(16))
    inline = document.inline_shapes[-1]._inline
    inline.docPr.set("descr", description)
    caption = document.add_paragraph(description, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _small(table, size: float) -> None:
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)


def _status_run(paragraph, status: str, word: str) -> None:
    run = paragraph.add_run(word)
    run.bold = True
    if status in STATUS_COLOURS:
        run.font.color.rgb = STATUS_COLOURS[status]


def _cover(document, report: content.Report) -> None:
    document.add_paragraph(str(report.organisation))
    areas = document_parts.service_areas(report)
    if areas:
        document.add_paragraph(" · ".join(document_parts.service_area_text(name) for name in areas))
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    if report.entries:
        paragraph = document.add_paragraph()
        paragraph.add_run(document_parts.targets_count(report)).bold = True
        for key, word, count in document_parts.status_counts(report):
            paragraph.add_run("   ")
            _status_run(paragraph, key, word)
            paragraph.add_run(f" {count}")
    for label, value in document_parts.cover_facts(report):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    document.add_page_break()


def _summary(document, report: content.Report, labels: dict[str, str]) -> None:
    document.add_heading(labels["summary"], level=1)
    document.add_paragraph(report.subtitle)
    if not report.entries:
        document.add_paragraph(pdf.empty_text(report))
        return
    rows = document_parts.summary_rows(report)
    columns = document_parts.summary_columns(report)
    table = _table(
        document,
        columns,
        [document_parts.summary_cells(report, row) for row in rows],
        numeric_until=len(columns) - 2,
    )
    numbers = len(columns) - 3
    _widths(table, [4.2, *[1.9] * numbers, 2.4, 17.0 - 4.2 - 1.9 * numbers - 2.4])
    for table_row, row in zip(table.rows[1:], rows, strict=True):
        status = table_row.cells[-2].paragraphs[0]
        status.runs[0].bold = True
        if row.status in STATUS_COLOURS:
            status.runs[0].font.color.rgb = STATUS_COLOURS[row.status]
        if row.generated:
            table_row.cells[-1].paragraphs[0].runs[0].italic = True
    _small(table, 9 if len(rows) <= 16 else 8)
    if any(row.generated for row in rows):
        document.add_paragraph().add_run(labels["generated"]).italic = True
    document.add_paragraph(labels["notes_ref_plain"])


def _target(document, entry: content.TargetEntry, labels: dict[str, str]) -> None:
    document.add_heading(entry.title, level=2)
    if entry.target.source_text.strip():
        document.add_paragraph(entry.target.source_text.strip(), style="Quote")
    rows = content.figure_rows(entry, status=False, describe=False)
    table = _table(document, [_("Figure"), _("Value")], [list(r) for r in rows])
    table.style = "Light List"
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{labels['status']}: ").bold = True
    _status_run(paragraph, entry.row["status"], entry.status_label)
    spec = content.document_chart(entry.chart)
    if spec is not None:
        _picture(document, spec, entry.chart.description)
    document.add_heading(labels["comment"], level=3)
    comment = content.paragraphs(entry.comment)
    if comment:
        _paragraphs(document, comment)
    else:
        document.add_paragraph().add_run(labels["no_comment"]).italic = True
    document.add_paragraph().add_run(labels["notes_ref_plain"]).italic = True


def _appendix(document, report: content.Report, labels: dict[str, str]) -> None:
    appendix = document_parts.appendix(report)
    document.add_heading(labels["notes"], level=1)
    _paragraphs(document, pdf.document_data_intro())
    document.add_heading(labels["closures"], level=2)
    document.add_paragraph(labels["closures_intro"])
    if appendix.closures:
        table = _table(
            document,
            document_parts.closure_columns(),
            [[r.period, r.libraries, r.scope, r.reason] for r in appendix.closures],
            numeric_until=0,
        )
        _widths(table, [4.4, 3.6, 3.2, 5.8])
        _small(table, 9)
    else:
        document.add_paragraph().add_run(labels["no_closures"]).italic = True
    _paragraphs(document, appendix.definitions)
    if appendix.shared:
        document.add_heading(labels["shared"], level=2)
        for note in appendix.shared:
            paragraph = document.add_paragraph(note.text + " ", style="List Bullet")
            holds = _("Holds for: %(targets)s.") % {"targets": note.targets}
            paragraph.add_run(holds).italic = True
    document.add_heading(labels["per_target"], level=2)
    for notes in appendix.targets:
        document.add_heading(notes.entry.title, level=3)
        if notes.rule:
            document.add_paragraph(notes.rule)
        for line in notes.lines:
            document.add_paragraph(line, style="List Bullet")


def render(report: content.Report) -> bytes:
    document = Document()
    _language(document, report.language)
    document.core_properties.title = f"{report.title} – {report.organisation}"
    document.core_properties.author = str(report.organisation)
    document.styles["Normal"].font.size = Pt(11)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as the PDF
    section.left_margin = section.right_margin = Cm(2)
    labels = document_parts.labels(report)

    _cover(document, report)
    _summary(document, report, labels)

    single_service_area = len(document_parts.service_areas(report)) <= 1
    for area in report.areas:
        document.add_heading(area.area.title, level=1)
        if area.area.service_area.strip() and not single_service_area:
            document.add_paragraph(document_parts.service_area_text(area.area.service_area))
        for title, paragraphs in content.area_sections(area.area):
            document.add_heading(title, level=2)
            _paragraphs(document, paragraphs)
        for entry in area.targets:
            _target(document, entry, labels)
        if area.needs_target:
            document.add_heading(labels["needs_target"], level=2)
            for target in area.needs_target:
                document.add_paragraph(content.needs_target_text(target), style="List Bullet")
        if area.area.comment.strip():
            document.add_heading(labels["area_comment"], level=2)
            _paragraphs(document, content.paragraphs(area.area.comment))

    if report.comparison is not None:
        document.add_heading(labels["comparison"], level=1)
        _paragraphs(document, pdf.comparison_intro())
        if not report.comparison:
            document.add_paragraph().add_run(pdf.comparison_empty()).italic = True
        for section in report.comparison:
            document.add_heading(section.title, level=2)
            document.add_paragraph(section.sentence)
            table = _table(document, section.columns, section.rows)
            for row in table.rows[1:]:
                row.cells[-1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if section.chart is not None:
                _picture(document, section.chart.spec, section.chart.description)
            for note in section.notes:
                document.add_paragraph(note, style="List Bullet")
            document.add_paragraph().add_run(section.source).italic = True

    if report.entries:
        _appendix(document, report, labels)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
