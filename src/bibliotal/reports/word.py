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


def _table(document, columns: list[str], rows: list[list[str]], *, numeric_from: int = 1):
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
            if numeric_from <= position < len(columns) - 1:
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


def render(report: content.Report) -> bytes:
    document = Document()
    _language(document, report.language)
    document.core_properties.title = f"{report.title} – {report.organisation}"
    document.core_properties.author = str(report.organisation)
    document.styles["Normal"].font.size = Pt(11)

    document.add_paragraph(str(report.organisation))
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for label, value in pdf.front_matter(report):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    document.add_page_break()

    document.add_heading(pdf.labels()["summary"], level=1)
    if report.entries:
        _table(
            document,
            content.summary_columns(report),
            [content.summary_row(report, entry) for entry in report.entries],
        )
    else:
        document.add_paragraph(pdf.empty_text(report))

    labels = pdf.labels()
    for area in report.areas:
        document.add_heading(area.area.title, level=1)
        if area.area.service_area:
            document.add_paragraph(area.area.service_area)
        for title, paragraphs in content.area_sections(area.area):
            document.add_heading(title, level=2)
            _paragraphs(document, paragraphs)
        for entry in area.targets:
            document.add_heading(entry.title, level=2)
            if entry.target.source_text.strip():
                document.add_paragraph(entry.target.source_text.strip(), style="Quote")
            rows = content.figure_rows(entry, status=False)
            table = _table(document, [_("Figure"), _("Value")], [list(r) for r in rows])
            table.style = "Light List"
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{labels['status']}: ").bold = True
            run = paragraph.add_run(entry.status_label)
            run.bold = True
            if entry.row["status"] in STATUS_COLOURS:
                run.font.color.rgb = STATUS_COLOURS[entry.row["status"]]
            spec = content.document_chart(entry.chart)
            if spec is not None:
                _picture(document, spec, entry.chart.description)
            document.add_heading(labels["comment"], level=3)
            comment = content.paragraphs(entry.comment)
            if comment:
                _paragraphs(document, comment)
            else:
                document.add_paragraph().add_run(labels["no_comment"]).italic = True
            document.add_heading(labels["provenance"], level=3)
            for line in entry.provenance:
                document.add_paragraph(line, style="List Bullet")
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

    document.add_heading(labels["appendix"], level=1)
    _paragraphs(document, pdf.document_data_intro())
    for name, rule in report.counting_rules():
        document.add_heading(name, level=2)
        document.add_paragraph(rule)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
