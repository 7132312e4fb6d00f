from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.api.guidance import KIOSK_COOKIE, device_for_key
from bibliotal.core import datapages, exports
from bibliotal.core.models import ServicePoint
from bibliotal.core.permissions import (
    Capability,
    branches_for,
    can_register_at,
    has_capability,
    organisation_of,
    require,
)
from bibliotal.goals.charts import month_comparison_chart
from bibliotal.guidance.forms import SummaryForm, TypedDayForm, TypedGridForm
from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from bibliotal.guidance.services import (
    UNDO_WINDOW,
    GuidanceInputError,
    TapInput,
    UndoError,
    register_taps,
    save_typed_grid,
    today_counts,
    typed_day,
    undo_tap,
)

KIOSK_COOKIE_AGE = 400 * 24 * 3600


def _points_for(user):
    return (
        ServicePoint.objects.filter(branch__in=branches_for(user, Capability.REGISTER), active=True)
        .select_related("branch")
        .order_by("branch__name", "name")
    )


@require(Capability.REGISTER)
def index(request):
    return render(request, "guidance/index.html", {"points": _points_for(request.user)})


def _tally_actor(request, service_point):
    """(user, device) allowed to tally here, or PermissionDenied."""
    device = device_for_key(request.COOKIES.get(KIOSK_COOKIE))
    if device is not None and device.service_point_id == service_point.pk:
        return None, device
    if request.user.is_authenticated and can_register_at(request.user, service_point.branch):
        return request.user, None
    if not request.user.is_authenticated and device is None:
        return None, None
    raise PermissionDenied


def tally_description(*, topic: str, channel: str, child: bool | None, point: str) -> str:
    """What a tap registered, as the confirmation names it (the page's script says the same)."""
    parts = [topic, str(dict(GuidanceRecord.Channel.choices).get(channel, channel))]
    if child is not None:
        parts.append(_("Child or young person") if child else _("Adult"))
    return " · ".join([*parts, point])


def _last_tap(request, service_point) -> dict | None:
    """The tap this browser made here last by the page's form, while it can still be undone."""
    last = request.session.get("guidance_last")
    if not isinstance(last, dict) or last.get("point") != service_point.pk:
        return None
    if timezone.now().timestamp() - last.get("at", 0) > UNDO_WINDOW.total_seconds():
        return None
    return last


def _script_texts() -> dict:
    """The page's texts with a placeholder, for its script: ``%(what)s`` or ``%(n)s``, the
    counts in both plural forms (``one`` for n = 1, ``other`` for any other n, as Danish and
    English have it)."""

    # Both forms for the page's script (Danish and English have one singular); each call
    # is written out so that makemessages finds the msgid and its plural.
    return {
        "registered": _("Registered: %(what)s."),
        "undone": _("Undone: %(what)s."),
        "total": {
            "one": ngettext(
                "%(n)s guidance registered here today", "%(n)s guidances registered here today", 1
            ),
            "other": ngettext(
                "%(n)s guidance registered here today", "%(n)s guidances registered here today", 2
            ),
        },
        "sending": {
            "one": ngettext("Sending %(n)s tap…", "Sending %(n)s taps…", 1),
            "other": ngettext("Sending %(n)s tap…", "Sending %(n)s taps…", 2),
        },
        "offline": {
            "one": ngettext(
                "No network: %(n)s tap is kept on this device and sent when the network returns.",
                "No network: %(n)s taps are kept on this device and sent when the network returns.",
                1,
            ),
            "other": ngettext(
                "No network: %(n)s tap is kept on this device and sent when the network returns.",
                "No network: %(n)s taps are kept on this device and sent when the network returns.",
                2,
            ),
        },
    }


def tally(request, pk: int):
    service_point = get_object_or_404(
        ServicePoint.objects.select_related("branch"), pk=pk, active=True
    )
    user, device = _tally_actor(request, service_point)
    if user is None and device is None:
        return redirect(f"{reverse('core:login')}?next={request.path}")
    if request.method == "POST":  # the page without JavaScript
        return _tally_post(request, service_point, user, device)
    request.session["guidance_point"] = service_point.pk  # typed totals open on it
    topics = list(
        GuidanceTopic.objects.filter(
            organisation_id=service_point.branch.organisation_id, active=True
        )
    )
    counts = today_counts(service_point=service_point, day=timezone.localdate())
    total = sum(counts.values())
    last = _last_tap(request, service_point)
    texts = _script_texts()
    for topic in topics:
        topic.today = counts.get(topic.pk, 0)
    return render(
        request,
        "guidance/tally.html",
        {
            "service_point": service_point,
            "topics": topics,
            "counts": counts,
            "channels": GuidanceRecord.Channel.choices,
            "device": device,
            "total": total,
            "total_text": texts["total"]["one" if total == 1 else "other"] % {"n": total},
            "texts": texts,
            "form_key": f"form-{uuid.uuid4()}",
            "undo": last,
            "note": request.session.pop("guidance_note", ""),
            "may_unpair": device is not None and _may_unpair(request.user, device),
        },
    )


def _tally_post(request, service_point, user, device):
    if "undo" in request.POST:
        last = request.session.get("guidance_last")
        what = last.get("what", "") if isinstance(last, dict) else ""
        try:
            undo_tap(key=request.POST["undo"], user=user, device=device)
            request.session.pop("guidance_last", None)
            request.session["guidance_note"] = (
                _("Undone: %(what)s.") % {"what": what} if what else _("The last tap is undone.")
            )
        except UndoError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(request.path)
    try:
        topic_id = int(request.POST.get("topic", ""))
    except ValueError:
        topic_id = 0
    if not 0 < topic_id < 2**63:
        messages.error(request, _("Choose a topic."))
        return HttpResponseRedirect(request.path)
    # The key comes with the page, so the same form sent twice (a double click, a reload that
    # resends) registers one guidance.
    key = request.POST.get("key", "")[:80] or f"form-{uuid.uuid4()}"
    child = {"1": True, "0": False}.get(request.POST.get("child", ""))
    channel = request.POST.get("channel", GuidanceRecord.Channel.IN_PERSON)
    try:
        register_taps(
            items=[
                TapInput(
                    key=key,
                    service_point_id=service_point.pk,
                    topic_id=topic_id,
                    channel=channel,
                    child=child,
                )
            ],
            user=user,
            device=device,
        )
    except GuidanceInputError as error:
        messages.error(request, "; ".join(e.message for e in error.errors))
        return HttpResponseRedirect(request.path)
    topic = GuidanceTopic.objects.get(pk=topic_id)  # exists: register_taps checked it
    what = tally_description(
        topic=topic.name, channel=channel, child=child, point=service_point.name
    )
    request.session["guidance_last"] = {
        "key": key,
        "what": what,
        "point": service_point.pk,
        "at": timezone.now().timestamp(),
    }
    return HttpResponseRedirect(request.path)


def kiosk_pair(request):
    """Pair this device (a desk tablet) with a service point: no login per tap afterwards."""
    key = request.POST.get("key") or request.GET.get("key", "")
    device = device_for_key(key)
    if device is None:
        return render(request, "guidance/kiosk_pair.html", {"invalid": True}, status=404)
    if request.method == "POST":
        # The pairing address works once: the device gets a fresh key that only its cookie
        # holds, so the address (in a history, a log, a message) pairs nothing more.
        fresh = device.set_new_key()
        device.save(update_fields=["key_prefix", "key_digest"])
        response = redirect("guidance:tally", pk=device.service_point_id)
        response.set_cookie(
            KIOSK_COOKIE,
            fresh,
            max_age=KIOSK_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    return render(request, "guidance/kiosk_pair.html", {"device": device, "key": key})


def kiosk_home(request):
    device = device_for_key(request.COOKIES.get(KIOSK_COOKIE))
    if device is not None:
        return redirect("guidance:tally", pk=device.service_point_id)
    return render(request, "guidance/kiosk_pair.html", {"invalid": True, "home": True})


def _may_unpair(user, device) -> bool:
    """Only an administrator of the device's own organisation unpairs a desk tablet."""
    return (
        user.is_authenticated
        and has_capability(user, Capability.ADMINISTER)
        and (
            user.is_superuser
            or getattr(organisation_of(user), "pk", None) == device.organisation_id
        )
    )


def kiosk_unpair(request):
    """Unpair this desk tablet: an administrator confirms, and the device is revoked (audited),
    so its key pairs nothing any more. Anyone else at the tablet is refused."""
    device = device_for_key(request.COOKIES.get(KIOSK_COOKIE))
    if device is None:
        return redirect("guidance:kiosk_home")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _may_unpair(request.user, device):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("confirm") == "unpair":
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        response = redirect("guidance:kiosk_home")
        response.delete_cookie(KIOSK_COOKIE)
        messages.success(
            request,
            _("%(name)s is unpaired from %(point)s.")
            % {"name": device.name, "point": device.service_point.name},
        )
        return response
    return render(request, "guidance/kiosk_unpair.html", {"device": device})


def _typed_url(point, day) -> str:
    return f"{reverse('guidance:typed')}?service_point={point.pk}&day={day.isoformat()}"


@require(Capability.REGISTER)
def typed(request):
    """A day's paper sheet at a service point: topics × channels, saved at once."""
    organisation = organisation_of(request.user)
    points = _points_for(request.user)
    chosen = request.GET.get("service_point") or request.session.get("guidance_point")
    if not points.filter(pk=chosen if str(chosen or "").isdigit() else 0).exists():
        chosen = points.values_list("pk", flat=True).first()
    initial = {"service_point": chosen, "day": timezone.localdate() - timedelta(days=1)}
    bound = "day" in request.GET or "service_point" in request.GET
    chooser = TypedDayForm(
        {**initial, **request.GET.dict()} if bound else None,
        service_points=points,
        initial=initial,
    )
    context = {"chooser": chooser, "points": points}
    if bound and not chooser.is_valid():
        return render(request, "guidance/typed.html", context)
    if chosen is None:
        return render(request, "guidance/typed.html", context)
    if bound:
        point, day = chooser.cleaned_data["service_point"], chooser.cleaned_data["day"]
    else:
        point, day = points.get(pk=chosen), initial["day"]
    topics = list(GuidanceTopic.objects.filter(organisation=organisation, active=True))
    sheet = typed_day(service_point=point, day=day)
    grid = TypedGridForm(
        request.POST if request.method == "POST" else None,
        service_point=point,
        day=day,
        topics=topics,
        typed=sheet,
    )
    if request.method == "POST" and grid.is_valid():
        try:
            result = save_typed_grid(
                user=request.user,
                service_point=point,
                day=day,
                values=grid.values(),
                shown=grid.shown(),
                names=grid.names,
            )
        except GuidanceInputError as error:
            for problem in error.errors:
                grid.add_error(None, problem.message)
        else:
            place = {"point": point.name, "day": datapages.short_date(day)}
            if result.changed:
                messages.success(
                    request,
                    ngettext(
                        "Saved for %(point)s on %(day)s: %(n)d number changed.",
                        "Saved for %(point)s on %(day)s: %(n)d numbers changed.",
                        len(result.changed),
                    )
                    % {**place, "n": len(result.changed)},
                )
            else:
                messages.info(
                    request,
                    _("Nothing to change for %(point)s on %(day)s: the sheet was saved already.")
                    % place,
                )
            return redirect(_typed_url(point, day))
    totals = _sheet_totals(sheet, topics, grid.channels)
    rows = grid.cell_fields()
    for row in rows:
        row["total"] = totals["topics"][row["topic"].pk]
    context.update(
        grid=grid,
        point=point,
        day=day,
        rows=rows,
        channels=grid.channels,
        totals=totals,
        action=_typed_url(point, day),
    )
    return render(request, "guidance/typed.html", context)


def _sheet_totals(sheet, topics, channels) -> dict:
    """The day so far (typed and tapped) per topic, per channel and in all."""
    return {
        "topics": {t.pk: sum(sheet.total((t.pk, c)) for c, _label in channels) for t in topics},
        "channels": [sum(sheet.total((t.pk, c)) for t in topics) for c, _label in channels],
        "day": sheet.day_total,
        "typed": sheet.typed_total,
    }


ROW_FIELDS = {
    "topic": ("topic__position", "topic__name"),
    "service_point": ("service_point__branch__name", "service_point__name"),
    "branch": ("branch__name",),
    "channel": ("channel",),
}


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _summary_table(records, *, start: date, end: date, by: str) -> dict:
    """Guidance per row (topic, service point, library or channel) and month of the period, with
    the totals of each row and each month; a month without guidance is None ("–"), not 0."""
    fields = ROW_FIELDS[by]
    months = _months(start, end)
    found: dict[tuple, dict[date, int]] = {}
    values = (
        records.annotate(month=TruncMonth("day"))
        .values(*fields, "month")
        .annotate(total=Sum("count"))
        .order_by(*fields, "month")
    )
    for row in values:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        found.setdefault(tuple(row[f] for f in fields), {})[month] = row["total"]
    channels = dict(GuidanceRecord.Channel.choices)

    def label(key):
        if by == "topic":
            return key[1]
        if by == "service_point":
            return f"{key[1]} ({key[0]})"
        if by == "channel":
            return str(channels.get(key[0], key[0]))
        return key[0]

    rows = []
    for key, per_month in found.items():
        cells = [per_month.get(m) for m in months]
        rows.append({"label": label(key), "cells": cells, "total": datapages.total(cells)})
    columns = [datapages.total(r["cells"][n] for r in rows) for n in range(len(months))]
    return {
        "by": dict(SummaryForm.ROWS)[by],
        "months": months,
        "month_labels": [formats.date_format(m, "ABBR_YEAR_MONTH_FORMAT") for m in months],
        "rows": rows,
        "columns": columns,
        "total": datapages.total(r["total"] for r in rows),
    }


@require(Capability.MANAGE)
def summary(request):
    organisation = organisation_of(request.user)
    today = timezone.localdate()
    counted = GuidanceRecord.objects.counted().filter(branch__organisation=organisation)
    latest = counted.aggregate(m=Max("day"))["m"]
    # The page opens on the year of the latest figure, not on an empty current year.
    if latest is None or latest.year == today.year:
        initial = {"start": date(today.year, 1, 1), "end": today, "rows": "topic"}
    else:
        initial = {
            "start": date(latest.year, 1, 1),
            "end": date(latest.year, 12, 31),
            "rows": "topic",
        }
    query = request.GET.copy()
    query.pop("format", None)
    if query and "rows" not in query:
        query["rows"] = "topic"
    form = SummaryForm(query or None, initial=initial)
    params = (
        form.cleaned_data
        if form.is_bound and form.is_valid()
        else (None if form.is_bound else initial)
    )
    context = {"form": form, "table": None}
    if params:
        records = counted.filter(day__gte=params["start"], day__lte=params["end"])
        if params.get("goal_only"):
            records = records.filter(topic__counts_toward_goal=True)
        table = _summary_table(records, start=params["start"], end=params["end"], by=params["rows"])
        context.update(
            _guidance_month_chart(counted, params, today=today, latest=latest),
            table=table,
            total=table["total"],
            params=params,
            downloads=exports.download_links(
                request,
                start=params["start"].isoformat(),
                end=params["end"].isoformat(),
                rows=params["rows"],
            ),
        )
        kind = exports.requested_format(request)
        if kind:
            return exports.download_response(_guidance_download(context, organisation), kind)
    return render(request, "guidance/summary.html", context)


def _guidance_month_chart(counted, params, *, today, latest) -> dict:
    """Guidance per month in the year the period ends, against the year before (the same
    topics), and where the figures end; a month without guidance is "–", never 0."""
    year = params["end"].year
    records = counted.filter(day__year__in=[year, year - 1])
    if params.get("goal_only"):
        records = records.filter(topic__counts_toward_goal=True)
    found = {
        (r["day__year"], r["day__month"]): r["total"]
        for r in records.values("day__year", "day__month").annotate(total=Sum("count"))
    }
    in_period = counted.filter(day__gte=params["start"], day__lte=params["end"])
    last = in_period.aggregate(m=Max("day"))["m"]
    if latest is not None and last is None:
        coverage = _(
            "No guidance counted from %(start)s to %(end)s – latest figure %(latest)s."
        ) % {
            "start": datapages.short_date(params["start"]),
            "end": datapages.short_date(params["end"]),
            "latest": datapages.short_date(latest),
        }
    else:
        coverage = datapages.figures_end(
            year=year,
            last_in_year=last,
            latest=latest,
            today=min(today, params["end"] + timedelta(days=1)),
            none="",
            ends=_("The guidance figures for the period end on %(last)s."),
            never=_("No guidance is counted yet: tap at a service point or type a total."),
        )
    this_year = [found.get((year, m)) for m in range(1, 13)]
    last_year = [found.get((year - 1, m)) for m in range(1, 13)]
    chart = month_comparison_chart(
        title=_("Guidance"),
        unit=_("guidances"),
        this_year=this_year,
        last_year=last_year,
        year=year,
    )
    return {
        "chart": chart,
        "chart_year": year,
        "coverage": coverage,
        "this_year": this_year,
        "last_year": last_year,
    }


def _guidance_download(context, organisation) -> exports.Download:
    params = context["params"]
    table = context["table"]
    tables = [
        exports.Table(
            _("Guidance per %(rows)s and month") % {"rows": table["by"].lower()},
            [table["by"], *table["month_labels"], _("In all")],
            [[r["label"], *r["cells"], r["total"]] for r in table["rows"]]
            + [[_("In all"), *table["columns"], table["total"]]],
        )
    ]
    if context["chart"] is not None:
        year = context["chart_year"]
        tables.append(
            datapages.month_table(
                title=_("Guidance per month, %(year)s against %(last)s")
                % {"year": year, "last": year - 1},
                year=year,
                this_year=context["this_year"],
                last_year=context["last_year"],
            )
        )
    return exports.Download(
        name=f"vejledning-{params['start'].isoformat()}-{params['end'].isoformat()}",
        title=_("Guidance – %(organisation)s") % {"organisation": organisation.name},
        period=_("Period: %(start)s to %(end)s.")
        % {
            "start": datapages.short_date(params["start"]),
            "end": datapages.short_date(params["end"]),
        }
        + (" " + context["coverage"] if context["coverage"] else ""),
        provenance=_(
            "Counted at the service points: one tap per guidance, typed totals and imports; "
            "undone taps are left out."
        )
        + (" " + _("Only topics that count toward the goal.") if params.get("goal_only") else ""),
        tables=tables,
    )
