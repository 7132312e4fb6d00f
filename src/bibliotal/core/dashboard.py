"""The start page: panels that apps register, and a cache that never serves stale figures.

Core imports no other app. Each app registers its panels from its ``AppConfig.ready``
(``register_panel``); the start page (``core.views.home``) shows the panels the user's role may
see, in order. A panel is a template and a context function
``context(request, organisation, today) -> dict | None``; None leaves the panel out.

Some panels are costly (the status of every target). ``cached`` keeps their result per
organisation under a *data stamp*: a short fingerprint that changes whenever figures or targets
change. It is read from the database on every request (so it holds across processes and for
imports made by a command), from the audit log, the import batches and the integration runs,
and from what apps add with ``register_data_stamp`` for the writes nobody audits (guidance taps,
the daily visits that cleaning works out).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Max, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bibliotal.core.permissions import Capability, capabilities_of

MISSING_BY_NAME = 3  # more sources missing than this are counted in one line
CACHE_SECONDS = 6 * 3600  # a stamp that stops changing (a quiet night) is kept this long


@dataclass(frozen=True)
class Panel:
    key: str  # stable, e.g. "goals.targets"
    order: int  # lower first
    capability: Capability  # the capability a user needs to see it
    template: str  # rendered with ``data`` (the context function's dict)
    context: Callable[..., dict | None]
    title: str | object = ""  # the panel's heading (its template may write its own)
    wide: bool = False  # spans the whole page width on a wide screen
    # A role with this capability sees its own panel instead (the manager gets events awaiting
    # attendance in the attention list, not in the coordinator's panel as well).
    hidden_from: Capability | None = None
    # A costly panel (the status of every target) that the page may leave to a placeholder
    # fetching it, when its cached result is not kept yet: the page answers at once.
    deferrable: bool = False

    @property
    def dom_id(self) -> str:
        """The panel's id on the page: ``panel-goals-targets`` for ``goals.targets``."""
        return "panel-" + self.key.replace(".", "-").replace("_", "-")


_panels: dict[str, Panel] = {}
_stamps: list[tuple[Callable[..., Hashable], frozenset | None]] = []


def register_panel(panel: Panel) -> Panel:
    """From an app's ``ready``; registering the same key again replaces the panel."""
    _panels[panel.key] = panel
    return panel


def unregister_panel(key: str) -> None:
    _panels.pop(key, None)


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def panels_for(user) -> list[Panel]:
    capabilities = capabilities_of(user)
    return [
        panel
        for panel in panels()
        if panel.capability in capabilities
        and (panel.hidden_from is None or panel.hidden_from not in capabilities)
    ]


class ColdCache(Exception):
    """A cached panel whose result is not kept yet, on a page that answers without waiting."""


def render_panels(request, organisation, today: date, *, defer: bool = False) -> list[dict]:
    """The panels of the start page for ``request.user``, each with its data.

    With ``defer`` a panel whose cached result is not kept yet (the first request after an
    import) is not worked out here: it is shown as a placeholder that fetches the panel itself
    (``core:panel``, by htmx), so the page answers at once and the targets follow."""
    shown = []
    for panel in panels_for(request.user):
        request._bibliotal_defer_cold = defer and panel.deferrable
        try:
            data = panel.context(request, organisation, today)
        except ColdCache:
            shown.append({"panel": panel, "deferred": True})
            continue
        finally:
            request._bibliotal_defer_cold = False
        if data is not None:
            shown.append({"panel": panel, "data": data, "template": panel.template})
    return shown


def render_panel(request, organisation, today: date, key: str) -> dict | None:
    """One panel the user may see, worked out now; None for a key that is not one of them."""
    for panel in panels_for(request.user):
        if panel.key == key:
            data = panel.context(request, organisation, today)
            if data is None:
                return {"panel": panel, "empty": True}
            return {"panel": panel, "data": data, "template": panel.template}
    return None


# -- the data stamp and the cache -------------------------------------------------------------


def register_data_stamp(source: Callable[..., Hashable], *, topics=None) -> None:
    """``source(organisation=)`` returns something that changes when the app's figures change
    in a way neither the audit log nor an import batch records (one cheap aggregate query).

    ``topics`` names what those figures feed (the keys of the indicators the app provides, say):
    a result kept for one topic (``cached(..., topic=)``) is not worked out again when only a
    source of other topics changed, so a tap at the desk leaves the visits target's forecast
    kept. None: every topic."""
    entry = (source, None if topics is None else frozenset(topics))
    if all(kept[0] is not source for kept in _stamps):
        _stamps.append(entry)


def _stamp_parts(organisation) -> tuple:
    """What every stamp is made of: the audit log, the organisation's import batches and
    integration runs (one value for all topics), and each registered source's value."""
    from bibliotal.core.models import AuditEntry, ImportBatch, IntegrationRun, Organisation

    def newest(**where):
        entries = AuditEntry.objects.filter(**where).order_by("-pk")
        return Subquery(entries.values("pk")[:1]), Subquery(entries.values("at")[:1])

    own, shared = newest(organisation=organisation.pk), newest(organisation__isnull=True)
    common = (
        # Every audited create, change and delete: targets, closures, opening hours, attendance,
        # sessions, reviews of flagged days, decisions on held values. The organisation's own
        # newest entry and the newest of none (accounts, counter formats), in one statement:
        # another municipality's work leaves this one's kept results kept.
        tuple(
            Organisation.objects.filter(pk=organisation.pk)
            .annotate(a=own[0], b=own[1], c=shared[0], d=shared[1])
            .values_list("a", "b", "c", "d")
            .first()
            or ()
        ),
        tuple(
            ImportBatch.objects.filter(organisation=organisation)
            .aggregate(c=Count("pk"), n=Max("pk"), at=Max("imported_at"))
            .values()
        ),
        tuple(
            IntegrationRun.objects.filter(organisation=organisation)
            .aggregate(c=Count("pk"), n=Max("pk"), at=Max("finished_at"))
            .values()
        ),
    )
    return common, tuple(source(organisation=organisation) for source, _topics in _stamps)


def data_stamp(organisation, request=None, *, topic: str | None = None, memo=None) -> str:
    """A fingerprint of the organisation's figures and targets (of those ``topic`` reads, when
    given). Its parts are read once per ``memo`` (a dict the caller keeps for one page) or per
    request, so the panels and targets of one page ask once."""
    if memo is None and request is not None:
        memo = request.__dict__.setdefault("_bibliotal_data_stamps", {})
    key = ("data_stamp", organisation.pk, topic)
    if memo is not None and key in memo:
        return memo[key]
    parts_key = ("data_stamp_parts", organisation.pk)
    parts = memo.get(parts_key) if memo is not None else None
    if parts is None:
        parts = _stamp_parts(organisation)
        if memo is not None:
            memo[parts_key] = parts
    common, values = parts
    chosen = [common] + [
        value
        for (_source, topics), value in zip(_stamps, values, strict=True)
        if topic is None or topics is None or topic in topics
    ]
    stamp = hashlib.sha1(repr(chosen).encode(), usedforsecurity=False).hexdigest()[:16]
    if memo is not None:
        memo[key] = stamp
    return stamp


def cached(
    name: str,
    *,
    organisation,
    today: date,
    compute,
    request=None,
    extra=(),
    topic: str | None = None,
    memo=None,
):
    """``compute()``'s result, kept per organisation, day, language and data stamp (of
    ``topic`` only, when given). ``extra`` adds what else the result depends on (a year, the
    indicators' providers)."""
    stamp = data_stamp(organisation, request, topic=topic, memo=memo)
    raw = repr((name, organisation.pk, today.isoformat(), get_language(), stamp, tuple(extra)))
    key = "bibliotal:start:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    if request is not None and getattr(request, "_bibliotal_defer_cold", False):
        raise ColdCache(name)
    value = compute()
    cache.set(key, value, CACHE_SECONDS)
    return value


# -- core's own panels ------------------------------------------------------------------------


def _opening_hours(request, organisation, today):
    from bibliotal.core.models import Branch
    from bibliotal.core.opening import opening_calendar
    from bibliotal.core.permissions import branches_for

    def compute():
        # Opening hours, closures and the website's calendar are audited or come by an
        # integration run, so the data stamp tells a change.
        branches = list(
            Branch.objects.filter(organisation=organisation).select_related("organisation")
        )
        days = opening_calendar(branches=branches, start=today, end=today) if branches else {}
        return [{"branch": b, "today": days[b.pk][today]} for b in branches]

    rows = cached(
        "opening_hours", organisation=organisation, today=today, compute=compute, request=request
    )
    if not rows:
        return {"rows": [], "today": today}
    own = set(branches_for(request.user, Capability.REGISTER).values_list("pk", flat=True))
    own = own if len(own) < len(rows) else set()  # "your library" only where it tells apart
    rows = [{**row, "own": row["branch"].pk in own} for row in rows]
    rows.sort(key=lambda r: (not r["own"], r["branch"].name))
    return {"rows": rows, "today": today}


def _completeness(request, organisation, today):
    """The sources' state this year (and last year in January, when this year has barely
    begun), kept under the data stamp."""
    from bibliotal.core import sources

    def compute():
        reports = sources.completeness(organisation=organisation, year=today.year, today=today)
        return [
            {
                "key": r.key,
                "kind_name": str(r.kind_name),
                "name": r.name,
                "library": r.library,
                "latest_figure": r.latest_figure,
                "last_import": r.last_import,
                "fix_url": r.fix_url,
                "missing_months": r.missing_months,
                "late": _late(r, today),
            }
            for r in reports
        ]

    return cached(
        "completeness", organisation=organisation, today=today, compute=compute, request=request
    )


def _late(report, today: date) -> bool:
    """The last month that has ended is missing (or partly) in this source."""
    from bibliotal.core import sources

    last_month = today.month - 1
    if last_month < 1:
        return False
    for month in report.months:
        if month.month == last_month:
            return month.state in (sources.MISSING, sources.PARTLY)
    return False


def _attention(request, organisation, today):
    from bibliotal.core import sources

    items = sources.attention(organisation=organisation, user=request.user, today=today)
    reports = _completeness(request, organisation, today)
    missing = [r for r in reports if r["missing_months"]]
    latest = [r["latest_figure"] for r in missing if r["latest_figure"]]
    return {
        "items": items,
        # A few sources by name; many as one line that leads to the list of sources.
        "missing": missing if len(missing) <= MISSING_BY_NAME else [],
        "missing_count": len(missing),
        "late_count": sum(1 for r in missing if r["late"]),
        "missing_latest": max(latest) if latest else None,
        "sources_url": _completeness_url(today.year),
        "today": today,
        "has_sources": bool(reports),
    }


def _completeness_url(year: int) -> str:
    """The completeness page where it is installed, else the start page's own list."""
    from django.urls import NoReverseMatch, reverse

    try:
        return f"{reverse('core:completeness')}?year={year}"
    except NoReverseMatch:
        return "#panel-core-sources"


def _sources(request, organisation, today):
    """The sources by kind (visits, e-loans, guidance …): the latest figure of each kind, how
    many of its sources miss months or are late, and each source behind a disclosure."""
    reports = _completeness(request, organisation, today)
    kinds: dict[str, dict] = {}
    for report in reports:
        kind = kinds.setdefault(
            report["kind_name"],
            {"name": report["kind_name"], "reports": [], "missing": 0, "late": 0, "latest": None},
        )
        kind["reports"].append(report)
        kind["missing"] += bool(report["missing_months"])
        kind["late"] += report["late"]
        if report["latest_figure"] and (
            kind["latest"] is None or report["latest_figure"] > kind["latest"]
        ):
            kind["latest"] = report["latest_figure"]
    return {"kinds": list(kinds.values()), "reports": reports, "today": today}


def register_core_panels() -> None:
    register_panel(
        Panel(
            key="core.attention",
            order=20,
            capability=Capability.MANAGE,
            template="core/panels/attention.html",
            context=_attention,
            title=_("Needs attention"),
        )
    )
    register_panel(
        Panel(
            key="core.sources",
            order=25,  # beside the attention list on a wide screen
            capability=Capability.MANAGE,
            template="core/panels/sources.html",
            context=_sources,
            title=_("Latest figure per source"),
        )
    )
    register_panel(
        Panel(
            key="core.opening_hours",
            order=90,
            capability=Capability.VIEW,
            template="core/panels/opening_hours.html",
            context=_opening_hours,
            title=_("The libraries today"),
        )
    )
