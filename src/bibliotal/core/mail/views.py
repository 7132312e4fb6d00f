"""The manager's own page for the monthly status e-mail: subscribe, change, send one now, stop."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bibliotal.core.mail import outbox, status
from bibliotal.core.mail.forms import StatusSubscriptionForm
from bibliotal.core.mail.models import OutboxMessage, StatusSubscription
from bibliotal.core.mail.tasks import next_status_run, schedule_delivery
from bibliotal.core.permissions import Capability, require


@require(Capability.MANAGE)
def status_mail(request):
    from bibliotal.core.views import _organisation_or_403

    organisation = _organisation_or_403(request)
    subscription = StatusSubscription.objects.filter(user=request.user).first()
    action = request.POST.get("action") if request.method == "POST" else None
    language = "en" if (translation.get_language() or "da").startswith("en") else "da"
    form = StatusSubscriptionForm(
        request.POST if action == "save" else None,
        instance=subscription
        or StatusSubscription(
            organisation=organisation,
            user=request.user,
            email=request.user.email,
            language=language,
        ),
    )
    if action == "save":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.organisation = organisation
            saved.site_url = request.build_absolute_uri("/").rstrip("/")
            # Saving confirms (or corrects) the address: one the server rejected is tried again.
            saved.bounced_at, saved.bounce_message = None, ""
            saved.save()
            messages.success(
                request,
                _("You get the status by e-mail at %(email)s.") % {"email": saved.email}
                if subscription is None
                else _("The subscription is saved."),
            )
            return redirect("core:status_mail")
    elif action == "unsubscribe" and subscription is not None:
        subscription.delete()
        messages.success(request, _("You no longer get the status by e-mail."))
        return redirect("core:status_mail")
    elif action == "send_now" and subscription is not None:
        status.queue(subscription=subscription, today=timezone.localdate())
        schedule_delivery()
        messages.success(
            request,
            _(
                "This month's status is in the outbox for %(email)s. The worker (bibliotal "
                "worker) sends it within a minute."
            )
            % {"email": subscription.email},
        )
        return redirect("core:status_mail")
    recent = (
        list(subscription.messages.defer("attachment", "body", "html").order_by("-created_at")[:6])
        if subscription
        else []
    )
    context = {
        "form": form,
        "subscription": subscription,
        "recent": recent,
        "next_run": timezone.localtime(next_status_run()),
        "server": outbox.server_description(),
        "states": OutboxMessage.State,
    }
    return render(request, "core/status_mail.html", context, status=400 if form.errors else 200)
