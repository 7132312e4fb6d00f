"""The follow-up report as PDF, typeset by Typst (the ``typst`` package) from a shipped template.

The template reads every text from JSON, so nothing typed into Bibliotal can act as Typst markup.
Only the fonts the typst package ships (Libertinus Serif) are used: the PDF looks the same on
every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import typst
from django.utils import formats
from django.utils.translation import gettext as _

from bibliotal import __version__
from bibliotal.reports import charts, content

TEMPLATE = Path(__file__).with_name("typst") / "maalopfoelgning.typ"
# Relative widths of the summary's columns: the target's words need the room.
SUMMARY_WIDTHS = {6: [3.2, 1.2, 1.5, 1.5, 1.2, 1.3], 7: [3.0, 1.1, 1.4, 1.4, 1.1, 1.1, 1.2]}


def front_matter(report: content.Report) -> list[tuple[str, str]]:
    return [
        (_("Organisation"), str(report.organisation)),
        (_("Budget year"), str(report.year)),
        (_("Figures per"), formats.date_format(report.at, "j. F Y")),
        (_("Made"), formats.date_format(report.generated, "j. F Y")),
        (_("Made with"), f"Bibliotal {__version__}"),
    ]


def empty_text(report: content.Report) -> str:
    if report.budget_year is None:
        return _("There are no budget goals for %(year)s.") % {"year": report.year}
    return _("There are no measurable targets for %(year)s.") % {"year": report.year}


def labels() -> dict[str, str]:
    return {
        "summary": _("Summary of the targets"),
        "status": _("Status"),
        "comment": _("Comment"),
        "no_comment": _("No comment has been written yet."),
        "provenance": _("About the figures"),
        "needs_target": _("Goals without a measurable target"),
        "area_comment": _("Comment on the focus area"),
        "appendix": _("Appendix: how the figures are counted"),
        "comparison": _("Comparison with other municipalities"),
    }


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


def document_data(report: content.Report) -> dict:
    columns = content.summary_columns(report)
    areas = []
    for area in report.areas:
        targets = []
        for entry in area.targets:
            spec = content.document_chart(entry.chart)
            targets.append(
                {
                    "title": entry.title,
                    "source_text": entry.target.source_text.strip(),
                    "figures": [list(pair) for pair in content.figure_rows(entry, status=False)],
                    "status": entry.row["status"],
                    "status_label": entry.status_label,
                    "chart": charts.svg(spec) if spec else None,
                    "chart_description": entry.chart.description if entry.chart else "",
                    "comment": content.paragraphs(entry.comment),
                    "provenance": entry.provenance,
                }
            )
        areas.append(
            {
                "title": area.area.title,
                "service_area": area.area.service_area,
                "sections": [
                    {"title": title, "paragraphs": paras}
                    for title, paras in content.area_sections(area.area)
                ],
                "targets": targets,
                "needs_target": [content.needs_target_text(t) for t in area.needs_target],
                "comment": content.paragraphs(area.area.comment),
            }
        )
    return {
        "lang": report.language,
        "labels": labels(),
        "title": report.title,
        "subtitle": report.subtitle,
        "organisation": str(report.organisation),
        "front": front_matter(report),
        "empty": empty_text(report),
        "summary": {
            "columns": columns,
            "widths": SUMMARY_WIDTHS.get(len(columns), [1] * len(columns)),
            "rows": [
                {"cells": content.summary_row(report, entry), "status": entry.row["status"]}
                for entry in report.entries
            ],
        },
        "areas": areas,
        "comparison": comparison_data(report),
        "appendix_intro": document_data_intro(),
        "rules": [list(rule) for rule in report.counting_rules()],
    }


def render(report: content.Report) -> bytes:
    data = json.dumps(document_data(report), ensure_ascii=False)
    return typst.compile(
        str(TEMPLATE),
        root=str(TEMPLATE.parent),
        ignore_system_fonts=True,
        sys_inputs={"data": data},
        format="pdf",
    )
