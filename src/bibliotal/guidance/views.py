from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bibliotal.api.guidance import KIOSK_COOKIE, device_for_key
from bibliotal.core import datapages, exports
from bibliotal.core.models import ServicePoint
from bibliotal.core.permissions import (
    Capability,
    branches_for,
    can_register_at,
    organisation_of,
    require,
)
from bibliotal.goals.charts import month_comparison_chart
from bibliotal.guidance.forms import SummaryForm, TypedTotalForm
from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from bibliotal.guidance.services import (
    GuidanceInputError,
    TapInput,
    UndoError,
    register_taps,
    register_typed_total,
    today_counts,
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


def tally(request, pk: int):
    service_point = get_object_or_404(
        ServicePoint.objects.select_related("branch"), pk=pk, active=True
    )
    user, device = _tally_actor(request, service_point)
    if user is None and device is None:
        return redirect(f"{reverse('core:login')}?next={request.path}")
    if request.method == "POST":  # the page without JavaScript
        return _tally_post(request, service_point, user, device)
    topics = list(
        GuidanceTopic.objects.filter(
            organisation_id=service_point.branch.organisation_id, active=True
        )
    )
    counts = today_counts(service_point=service_point, day=timezone.localdate())
    return render(
        request,
        "guidance/tally.html",
        {
            "service_point": service_point,
            "topics": topics,
            "counts": counts,
            "channels": GuidanceRecord.Channel.choices,
            "device": device,
            "total": sum(counts.values()),
            "form_key": f"form-{uuid.uuid4()}",
            "undo": request.session.get("guidance_last") if user else None,
        },
    )


def _tally_post(request, service_point, user, device):
    if "undo" in request.POST:
        try:
            undo_tap(key=request.POST["undo"], user=user, device=device)
            request.session.pop("guidance_last", None)
            messages.success(request, _("The last tap is undone."))
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
    child = True if request.POST.get("child") else None
    try:
        register_taps(
            items=[
                TapInput(
                    key=key,
                    service_point_id=service_point.pk,
                    topic_id=topic_id,
                    channel=request.POST.get("channel", GuidanceRecord.Channel.IN_PERSON),
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
    messages.success(request, _("Registered: %(topic)s.") % {"topic": topic.name})
    if user is not None:
        request.session["guidance_last"] = key
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


@require_POST
def kiosk_unpair(request):
    response = redirect("guidance:kiosk_home")
    response.delete_cookie(KIOSK_COOKIE)
    return response


@require(Capability.REGISTER)
def typed(request):
    organisation = organisation_of(request.user)
    points = _points_for(request.user)
    form = TypedTotalForm(
        request.POST or None,
        service_points=points,
        organisation=organisation,
        initial={"day": timezone.localdate() - timedelta(days=1), "key": f"typed-{uuid.uuid4()}"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_typed_total(
                user=request.user,
                service_point=data["service_point"],
                topic=data["topic"],
                channel=data["channel"],
                day=data["day"],
                count=data["count"],
                key=data["key"],
            )
        except GuidanceInputError as error:
            form.add_error(None, "; ".join(e.message for e in error.errors))
        else:
            messages.success(
                request,
                _("%(count)d guidances on %(day)s are saved.")
                % {"count": data["count"], "day": data["day"].strftime("%d.%m.%Y")},
            )
            return redirect("guidance:typed")
    return render(request, "guidance/typed.html", {"form": form})


@require(Capability.MANAGE)
def summary(request):
    organisation = organisation_of(request.user)
    today = timezone.localdate()
    counted = GuidanceRecord.objects.counted().filter(branch__organisation=organisation)
    latest = counted.aggregate(m=Max("day"))["m"]
    # The page opens on the year of the latest figure, not on an empty current year.
    if latest is None or latest.year == today.year:
        initial = {"start": date(today.year, 1, 1), "end": today, "group_by": ["month"]}
    else:
        initial = {
            "start": date(latest.year, 1, 1),
            "end": date(latest.year, 12, 31),
            "group_by": ["month"],
        }
    query = request.GET.copy()
    query.pop("format", None)
    form = SummaryForm(query or None, initial=initial)
    rows, columns, total = [], [], None
    params = (
        form.cleaned_data
        if form.is_bound and form.is_valid()
        else (None if form.is_bound else initial)
    )
    context = {"form": form, "rows": rows, "columns": columns, "total": total}
    if params:
        records = counted.filter(day__gte=params["start"], day__lte=params["end"])
        if params.get("goal_only"):
            records = records.filter(topic__counts_toward_goal=True)
        fields = OrderedDict()
        for group in params["group_by"]:
            if group == "week":
                records = records.annotate(week=TruncWeek("day"))
                fields["week"] = _("Week beginning")
            elif group == "month":
                records = records.annotate(month=TruncMonth("day"))
                fields["month"] = _("Month")
            else:
                name = {
                    "day": "day",
                    "branch": "branch__name",
                    "service_point": "service_point__name",
                    "topic": "topic__name",
                    "channel": "channel",
                }[group]
                fields[name] = dict(SummaryForm.GROUPS)[group]
        values = records.values(*fields).annotate(total=Sum("count")).order_by(*fields)
        channels = dict(GuidanceRecord.Channel.choices)
        for row in values:
            cells = []
            for name in fields:
                value = row[name]
                if name == "channel":
                    value = channels.get(value, value)
                elif name == "month":
                    value = value.strftime("%m/%Y") if value else ""
                cells.append(value)
            rows.append({"cells": cells, "total": row["total"]})
        total = sum(r["total"] for r in rows) if rows else None
        columns = list(fields.values())
        context.update(
            _guidance_month_chart(counted, params, today=today, latest=latest),
            rows=rows,
            columns=columns,
            total=total,
            params=params,
            downloads=exports.download_links(
                request,
                start=params["start"].isoformat(),
                end=params["end"].isoformat(),
                group_by=params["group_by"],
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
    tables = [
        exports.Table(
            _("Guidance per period"),
            [*context["columns"], _("Guidances")],
            [[*r["cells"], r["total"]] for r in context["rows"]]
            + [[_("In all"), *[None] * (len(context["columns"]) - 1), context["total"]]],
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
