"""The follow-up report as PDF, typeset by Typst (the ``typst`` package) from a shipped template.

The template reads every text from JSON, so nothing typed into Bibliotal can act as Typst markup.
Only the fonts the typst package ships (Libertinus Serif) are used: the PDF looks the same on
every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import typst
from django.utils.translation import gettext as _

from bibliotal.reports import charts, content, document

TEMPLATE = Path(__file__).with_name("typst") / "maalopfoelgning.typ"
# The summary's type size by the number of targets: one page up to about 24 targets; more
# continue on the next page under the repeated column headings.
SUMMARY_SIZES = ((10, 9.5), (16, 9), (24, 8))
SUMMARY_SMALLEST = 8


def empty_text(report: content.Report) -> str:
    if report.budget_year is None:
        return _("There are no budget goals for %(year)s.") % {"year": report.year}
    return _("There are no measurable targets for %(year)s.") % {"year": report.year}


def summary_size(rows: int) -> float:
    for most, size in SUMMARY_SIZES:
        if rows <= most:
            return size
    return SUMMARY_SMALLEST


def comparison_intro() -> list[str]:
    return [
        _(
            "Danmarks Statistik's published figures for the libraries of the municipality, of "
            "comparable municipalities and of the whole country, per 1,000 inhabitants (the "
            "population on 1 January, FOLK1A). The municipalities report their figures "
            "themselves and may count differently, so small differences say little."
        )
    ]


def comparison_empty() -> str:
    return _(
        "There are no figures from Danmarks Statistik for the municipality yet: fetch them with "
        "“bibliotal sync dst” or upload them on the comparison page."
    )


def comparison_data(report: content.Report) -> dict | None:
    if report.comparison is None:
        return None
    sections = []
    for section in report.comparison:
        spec = section.chart.spec if section.chart else None
        sections.append(
            {
                "title": section.title,
                "sentence": section.sentence,
                "columns": section.columns,
                "rows": section.rows,
                "chart": charts.svg(spec) if spec else None,
                "chart_description": section.chart.description if section.chart else "",
                "notes": section.notes,
                "source": section.source,
            }
        )
    return {"intro": comparison_intro(), "empty": comparison_empty(), "sections": sections}


def document_data_intro() -> list[str]:
    return [
        _(
            "Bibliotal counts by the rules below. Every figure keeps its provenance: typed by "
            "staff, imported from a file (with the file's fingerprint) or estimated; estimates "
            "are marked, and the share of estimates is stated under each target. A closed day "
            "is recorded as closed, never as an open day with no visitors, so years with "
            "closures (such as COVID-19 in 2020 and 2021) can be compared per open day."
        )
    ]


def _target_data(entry: content.TargetEntry, notes: document.TargetNotes) -> dict:
    spec = content.document_chart(entry.chart)
    figures = content.figure_rows(entry, status=False, describe=False)
    return {
        "title": entry.title,
        "source_text": entry.target.source_text.strip(),
        "figures": [list(pair) for pair in figures],
        "status": entry.row["status"],
        "status_label": entry.status_label,
        "chart": charts.svg(spec) if spec else None,
        "chart_description": entry.chart.description if entry.chart else "",
        "comment": content.paragraphs(entry.comment),
        "notes": f"notes-{notes.number}",
    }


def _appendix_data(report: content.Report, appendix: document.Appendix) -> dict:
    return {
        "intro": document_data_intro(),
        "closure_columns": document.closure_columns(),
        "closures": [
            [row.period, row.libraries, row.scope, row.reason] for row in appendix.closures
        ],
        "definitions": appendix.definitions,
        "shared": [
            {"text": note.text, "targets": _("Holds for: %(targets)s.") % {"targets": note.targets}}
            for note in appendix.shared
        ],
        "targets": [
            {
                "title": notes.entry.title,
                "label": f"notes-{notes.number}",
                "rule": notes.rule,
                "lines": notes.lines,
            }
            for notes in appendix.targets
        ],
    }


def document_data(report: content.Report) -> dict:
    appendix = document.appendix(report)
    notes = {id(n.entry): n for n in appendix.targets}
    areas = []
    single_service_area = len(document.service_areas(report)) <= 1
    for area in report.areas:
        service_area = area.area.service_area.strip()
        areas.append(
            {
                "title": area.area.title,
                # Said once on the cover where every focus area has the same.
                "service_area": ""
                if single_service_area or not service_area
                else document.service_area_text(service_area),
                "sections": [
                    {"title": title, "paragraphs": paras}
                    for title, paras in content.area_sections(area.area)
                ],
                "targets": [_target_data(e, notes[id(e)]) for e in area.targets],
                "needs_target": [content.needs_target_text(t) for t in area.needs_target],
                "comment": content.paragraphs(area.area.comment),
            }
        )
    rows = document.summary_rows(report)
    areas_line = " · ".join(
        document.service_area_text(name) for name in document.service_areas(report)
    )
    return {
        "lang": report.language,
        "labels": document.labels(report),
        "title": report.title,
        "subtitle": report.subtitle,
        "organisation": str(report.organisation),
        "areas_line": areas_line,
        "front": [list(pair) for pair in document.cover_facts(report)],
        "targets_count": document.targets_count(report) if report.entries else "",
        "status_counts": [list(count) for count in document.status_counts(report)],
        "empty": empty_text(report),
        "summary": {
            "columns": document.summary_columns(report),
            "forecast": not report.final,
            "size": summary_size(len(rows)),
            "generated": any(row.generated for row in rows),
            "rows": [
                {
                    "title": row.title,
                    "actual": row.actual,
                    "actual_note": row.actual_note,
                    "target": row.target,
                    "forecast": row.forecast,
                    "status": row.status,
                    "status_label": row.status_label,
                    "comment": row.comment,
                    "generated": row.generated,
                }
                for row in rows
            ],
        },
        "areas": areas,
        "comparison": comparison_data(report),
        "appendix": _appendix_data(report, appendix) if report.entries else None,
    }


# Typst marks its tagged PDFs ``/MarkInfo<</Marked true/Suspects false>>``, which is valid PDF;
# poppler up to 25.11 reports "Syntax Error: Suspects object is wrong type (boolean)" for any
# ``Suspects`` that is not true (typst/typst#7140). False is the default, so the key is blanked
# out byte for byte (the cross-reference offsets stay right) and the tags are kept.
SUSPECTS = b"/Suspects false"


def _without_suspects(pdf: bytes) -> bytes:
    if pdf.count(SUSPECTS) != 1:
        return pdf  # not where it is expected (in a compressed object, say): leave it be
    return pdf.replace(SUSPECTS, b" " * len(SUSPECTS))


def render(report: content.Report) -> bytes:
    data = json.dumps(document_data(report), ensure_ascii=False)
    made = typst.compile(
        str(TEMPLATE),
        root=str(TEMPLATE.parent),
        ignore_system_fonts=True,
        sys_inputs={"data": data},
        format="pdf",
    )
    return _without_suspects(made)
