"""Writes that touch several goal models, each in one transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.core.imports import ImportRejected
from bibliotal.goals.documents import reading
from bibliotal.goals.documents.layouts import document_year
from bibliotal.goals.importers import (
    ParsedDocument,
    ParseResult,
    Problem,
    ProposedTarget,
    parse_document,
    propose_targets,
    scope_branches,
)
from bibliotal.goals.models import BudgetDocument, BudgetYear, FocusArea, Target


class BudgetImportError(ImportRejected):
    """A goal document that cannot be imported: ``problems`` (also ``errors``) say why."""

    def __init__(self, problems: list[str], sections=()):
        super().__init__(problems)
        self.problems = problems
        # A budget book's sections, when it has several: a page offers to read another.
        self.sections = list(sections)


@dataclass
class PlannedFocusArea:
    texts: dict[str, str]
    targets: list[ProposedTarget]
    new: bool = True
    new_targets: int = 0
    # The sentences that already have targets here and keep them as they are.
    kept: set[str] = field(default_factory=set)
    # The sentences left out on the review page at an earlier import: left out again unless
    # the review takes them in.
    left_out: set[str] = field(default_factory=set)


@dataclass
class PlannedDocument:
    year: int
    focus_areas: list[PlannedFocusArea] = field(default_factory=list)
    unchanged: bool = False
    # Libraries a sentence named that no library here is known by (the target is then for all).
    unmatched_scopes: list[str] = field(default_factory=list)

    @property
    def measurable(self) -> int:
        return sum(not t.is_qualitative for fa in self.focus_areas for t in fa.targets)

    @property
    def qualitative(self) -> int:
        return sum(t.is_qualitative for fa in self.focus_areas for t in fa.targets)


@dataclass
class BudgetImportResult:
    filename: str
    documents: list[PlannedDocument]
    warnings: list[str]
    dry_run: bool
    # A budget book's service areas found by their headings (goals.documents.reading.Section),
    # and the one the goals were read from (the libraries'), for a page to offer the others.
    sections: list = field(default_factory=list)
    section: object | None = None

    @property
    def unchanged(self) -> bool:
        return all(d.unchanged for d in self.documents)

    def summary(self) -> str:
        lines = []
        for doc in self.documents:
            if doc.unchanged:
                lines.append(
                    _(
                        "%(file)s: the goals for %(year)s were already imported from "
                        "this document; nothing changed."
                    )
                    % {"file": self.filename, "year": doc.year}
                )
                continue
            lines.append(
                _("%(file)s: %(year)s, %(areas)s, %(targets)s, %(qualitative)s.")
                % {
                    "file": self.filename,
                    "year": doc.year,
                    "areas": ngettext("%(n)d focus area", "%(n)d focus areas", len(doc.focus_areas))
                    % {"n": len(doc.focus_areas)},
                    "targets": ngettext(
                        "%(n)d measurable target", "%(n)d measurable targets", doc.measurable
                    )
                    % {"n": doc.measurable},
                    "qualitative": ngettext(
                        "%(n)d goal that needs a target",
                        "%(n)d goals that need a target",
                        doc.qualitative,
                    )
                    % {"n": doc.qualitative},
                }
            )
            for words in doc.unmatched_scopes:
                lines.append(
                    _(
                        "No library here is known as “%(words)s”: that target is for all "
                        "libraries until you choose them on the target."
                    )
                    % {"words": words}
                )
        if self.dry_run:
            lines.append(_("Dry run: nothing was saved."))
        return "\n".join(lines)


class _DryRun(Exception):
    pass


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def import_budget_document(
    *,
    organisation,
    data: bytes,
    filename: str,
    user=None,
    year: int | None = None,
    dry_run: bool = False,
    section: str | None = None,
    reviewed: dict[int, dict] | None = None,
) -> BudgetImportResult:
    """Parse a goal document and save its focus areas and proposed targets.

    Validates everything first and writes in one transaction, or nothing. Importing the same
    document again changes nothing; a changed document adds what is new and keeps what managers
    have edited. ``year`` is the budget year of a document without a heading; when the file has
    documents for several years, only that year's is imported.

    A Word file, a PDF or a saved web page is read into blocks first (``goals.documents``); in
    a budget book of many service areas only the libraries' section is read, or the one named
    ``section``; ``sections`` of the result names all that were found.

    ``reviewed`` is what a manager confirmed or corrected on the review page, by the place of
    each proposed target among all the document's (0, 1, …, in the order of the result's
    targets): a dict of ``kind``, ``indicator``, ``threshold``, ``percent``, ``baseline_year``,
    ``period_start``, ``period_end`` and ``branches`` used instead of what was read, or
    ``{"leave_out": True}`` for a sentence not to save. Sentences that already have targets
    keep them as they are, reviewed or not.
    """
    sections, chosen = [], None
    if reading.detect(data) == "txt":
        parsed = parse_document(data, default_year=year)
        if not any(d.focus_areas for d in parsed.documents):
            # Not the founding document's labelled blocks: a heading per goal, a table or
            # numbered goals written as text.
            try:
                document = reading.read(data, filename)
            except ImportRejected:  # a NUL or the like: the parse's own problems name its line
                document = None
            if document is not None:
                parsed = _other_layouts(document, year) or parsed
    else:
        document = reading.read(data, filename)
        sections = reading.find_sections(document)
        chosen = reading.section_named(sections, section) if section else None
        if section and chosen is None:
            raise BudgetImportError([_no_section(filename, section, sections)], sections)
        chosen = chosen or reading.libraries_section(sections)
        default_year = year
        if chosen is not None:
            # A section names its year seldom: the book's title or running header does.
            default_year = year or document_year(document)
            document = reading.section_document(document, chosen)
        text = reading.labelled_text(document).encode()
        parsed = parse_document(text, default_year=default_year, whole_blocks=True)
        if not any(d.focus_areas for d in parsed.documents):
            parsed = _other_layouts(document, default_year) or parsed
    if chosen is not None:
        # Goals under the section's heading belong to its service area, where no label says.
        for parsed_document in parsed.documents:
            for area in parsed_document.focus_areas:
                area.service_area = area.service_area or chosen.name
    fatal = [p for p in parsed.problems if p.fatal]
    if fatal:
        raise BudgetImportError([p.render(filename) for p in fatal], sections)
    warnings = [p.render(filename) for p in parsed.problems if not p.fatal]
    documents = [d for d in parsed.documents if d.focus_areas]
    if year is not None and len({d.year for d in documents}) > 1:
        documents = [d for d in documents if d.year == year]
        if not documents:
            raise BudgetImportError(
                [_("%(file)s has no goals for %(year)s.") % {"file": filename, "year": year}],
                sections,
            )
    digest = fingerprint(parsed.text)
    planned: list[PlannedDocument] = []
    places = itertools.count()
    try:
        with transaction.atomic():
            for document in documents:
                planned.append(
                    _save(
                        organisation,
                        document,
                        digest,
                        filename,
                        parsed.text,
                        user,
                        reviewed=reviewed,
                        places=places,
                    )
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return BudgetImportResult(filename, planned, warnings, dry_run, sections, chosen)


def _no_section(filename: str, section: str, sections: list) -> str:
    if not sections:
        return _(
            "%(file)s has no section called “%(section)s”: it has no service areas under "
            "headings, so leave the section out to read the whole document."
        ) % {"file": filename, "section": section}
    return _("%(file)s has no section called “%(section)s”. The sections found are: %(found)s.") % {
        "file": filename,
        "section": section,
        "found": "; ".join(f"“{s.title}”" for s in sections[:40]),
    }


def _other_layouts(document, year: int | None):
    """The layouts other than the founding document's labelled blocks (a heading per goal,
    tables, numbered lists): ``goals.documents.layouts.read_goals``, as a ``ParseResult`` like
    ``parse_document``'s; None when it finds no focus areas or is not there."""
    try:
        from bibliotal.goals.documents import layouts
    except ImportError:
        return None
    read_goals = getattr(layouts, "read_goals", None)
    if read_goals is None:
        return None
    documents = read_goals(document, budget_year=year)
    if not any(d.focus_areas for d in documents):
        return None
    problems = [
        Problem(
            d.line, 1, "", _("No budget year: add a line '## Mål for budget ÅR' or give the year.")
        )
        for d in documents
        if d.year is None
    ]
    return ParseResult(documents, problems, document.text(), document.encoding)


def _save(
    organisation,
    document: ParsedDocument,
    digest: str,
    filename: str,
    text: str,
    user,
    *,
    reviewed: dict[int, dict] | None = None,
    places=None,
) -> PlannedDocument:
    budget_year, _created = BudgetYear.objects.get_or_create(
        organisation=organisation, year=document.year
    )
    plan = PlannedDocument(document.year)
    for parsed_area in document.focus_areas:
        plan.focus_areas.append(
            PlannedFocusArea(
                parsed_area.texts(),
                propose_targets(parsed_area.goal_text, budget_year=document.year),
            )
        )
    places = places if places is not None else itertools.count()
    place_of = {id(p): next(places) for area in plan.focus_areas for p in area.targets}
    if BudgetDocument.objects.filter(budget_year=budget_year, sha256=digest).exists():
        plan.unchanged = True
        for area in plan.focus_areas:
            area.new = False
            area.kept = {p.source_text for p in area.targets}
        return plan
    BudgetDocument.objects.create(
        budget_year=budget_year, filename=filename, sha256=digest, text=text, imported_by=user
    )
    next_position = budget_year.focus_areas.count()
    for area in plan.focus_areas:
        focus_area = budget_year.focus_areas.filter(title=area.texts["title"]).first()
        if focus_area is None:
            focus_area = FocusArea.objects.create(
                budget_year=budget_year, position=next_position, **area.texts
            )
            next_position += 1
        else:
            area.new = False
            changed = {k: v for k, v in area.texts.items() if getattr(focus_area, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(focus_area, key, value)
                focus_area.save()
        position = focus_area.targets.count()
        # A sentence that already has targets keeps them as they are: a manager may have
        # corrected the indicator, the number or made a qualitative goal measurable.
        known_sentences = set(focus_area.targets.values_list("source_text", flat=True))
        left_before = set(focus_area.left_out)
        left_now = set(left_before)
        for proposal in area.targets:
            if proposal.source_text in known_sentences:
                area.kept.add(proposal.source_text)
                continue
            review = (reviewed or {}).get(place_of[id(proposal)])
            if proposal.source_text in left_before:
                area.left_out.add(proposal.source_text)
                if review is None:
                    continue
            if review is not None:
                if review.get("leave_out"):
                    left_now.add(proposal.source_text)
                    continue
                left_now.discard(proposal.source_text)
                proposal = _corrected(proposal, review)
            # The libraries a sentence names: chosen libraries only when they are found here;
            # otherwise the target stays the organisation's, and the import says so.
            scope, branches = proposal.scope, []
            if review is not None:
                branches = list(review.get("branches") or [])
                if branches:
                    scope = Target.Scope.BRANCHES
                elif scope == Target.Scope.BRANCHES:
                    scope = Target.Scope.ALL
            elif scope == Target.Scope.BRANCHES:
                branches = scope_branches(organisation, proposal.scope_text)
                if not branches:
                    scope = Target.Scope.ALL
                    plan.unmatched_scopes.append(proposal.scope_text)
            target = Target.objects.create(
                focus_area=focus_area,
                position=position,
                source_text=proposal.source_text,
                indicator=proposal.indicator,
                kind=proposal.kind,
                threshold=proposal.threshold,
                baseline_year=proposal.baseline_year,
                percent=proposal.percent,
                measure=proposal.measure,
                period_start=proposal.period_start,
                period_end=proposal.period_end,
                scope=scope,
                area_type=proposal.area_type if scope == Target.Scope.AREA_TYPE else "",
            )
            if branches:
                target.branches.set(branches)
            position += 1
            area.new_targets += 1
        if left_now != left_before:
            focus_area.left_out = sorted(left_now)
            focus_area.save(update_fields=["left_out"])
    return plan


def _corrected(proposal: ProposedTarget, review: dict) -> ProposedTarget:
    """The proposal with a manager's reviewed values in place of what was read."""
    fields = ("kind", "indicator", "threshold", "percent", "baseline_year")
    values = {key: review[key] for key in fields if key in review}
    values["indicator"] = values.get("indicator") or ""
    values.update(period_start=review.get("period_start"), period_end=review.get("period_end"))
    if values.get("kind") == Target.Kind.QUALITATIVE:
        values.update(indicator="", threshold=None, percent=None, baseline_year=None)
    return dataclasses.replace(proposal, **values)


__all__ = ["BudgetImportError", "BudgetImportResult", "Problem", "import_budget_document"]
