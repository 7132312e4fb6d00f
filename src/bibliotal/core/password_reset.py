"""Forgotten password: a link by e-mail to choose a new one (Django's reset views, our rules).

- The page never tells whether an address belongs to an account: the same answer follows every
  request. A link goes only to an active account with a password of its own. An account that
  signs in at the municipality (OpenID Connect: an ``ExternalIdentity``) gets none: its
  password, if any, is the municipality's to reset, and a local one would open a second way in
  that the municipality's offboarding does not close. With ``BIBLIOTAL_OIDC_LOCAL_PASSWORDS``
  off only superusers have passwords that work, so only they get a link.
- Requests are limited like the login (django-axes' limit and cool-off) per address, and to a
  few an hour per e-mail, counted in the database so every worker process shares the count;
  only keyed hashes are kept, for an hour.
- The link works once and for ``PASSWORD_RESET_TIMEOUT``; the new password meets the
  password validators. A used link's e-mail leaves the outbox, the account's failed logins are
  forgotten, and both the request and the reset are written to the audit log.
- Without a mail server (``NoServerBackend``) the page says so and that an administrator must
  help (send a new invitation, ``core.accounts``), instead of promising an e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from bibliotal.core import audit
from bibliotal.core.mail import outbox
from bibliotal.core.models import PasswordResetAttempt
from bibliotal.core.permissions import organisation_of
from bibliotal.core.proxy import client_ip

logger = logging.getLogger(__name__)

PER_EMAIL_PER_HOUR = 3


def _about(user) -> str:
    return f"core.password_reset:{user.pk}"


def can_send_mail() -> bool:
    return not settings.EMAIL_BACKEND.endswith("NoServerBackend")


def _keyed(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    return getattr(settings, "AXES_COOLOFF_TIME", None) or timedelta(minutes=15)


def too_many(request, email: str) -> tuple[bool, bool]:
    """(the address has asked too often, the e-mail has been asked for too often); a request
    within the limits is counted."""
    now = timezone.now()
    PasswordResetAttempt.objects.filter(at__lt=now - timedelta(hours=1)).delete()
    address, recipient = _keyed(client_ip(request)), _keyed(email.strip().casefold())
    by_address = PasswordResetAttempt.objects.filter(
        address_hash=address, at__gte=now - _window()
    ).count() >= getattr(settings, "AXES_FAILURE_LIMIT", 5)
    by_email = (
        PasswordResetAttempt.objects.filter(
            email_hash=recipient, at__gte=now - timedelta(hours=1)
        ).count()
        >= PER_EMAIL_PER_HOUR
    )
    if not by_address:
        PasswordResetAttempt.objects.create(address_hash=address, email_hash=recipient, at=now)
    return by_address, by_email


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        config = getattr(settings, "OPENID_CONNECT", None)
        superusers_only = config is not None and not config.local_passwords
        for user in super().get_users(email):
            if user.external_identities.exists():
                continue  # signs in at the municipality: reset there
            if superusers_only and not user.is_superuser:
                continue
            yield user

    def save(self, *, request, **kwargs):
        self.request = request
        super().save(request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox, like every e-mail: a mail server that is down gets it later."""
        user = context["user"]
        context = {
            **context,
            "link": self.request.build_absolute_uri(
                reverse("core:password_reset_confirm", args=[context["uid"], context["token"]])
            ),
            "organisation": organisation_of(user),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox.forget(about=_about(user))  # an earlier link's e-mail need not go any more
        message = outbox.enqueue(
            recipient=to_email,
            subject=subject,
            body=body,
            organisation=context["organisation"],
            about=_about(user),
        )
        if outbox.deliver([message]).sent != 1:
            from bibliotal.core.mail.tasks import schedule_delivery

            logger.warning("A password reset e-mail waits in the outbox")  # no address, no link
            schedule_delivery()
        audit.record(action="other", instance=user, note="password reset e-mail requested")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "core/password_reset_form.html"
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"
    form_class = PasswordResetForm
    success_url = reverse_lazy("core:password_reset_done")

    def dispatch(self, request, *args, **kwargs):
        if not can_send_mail():
            status = 503 if request.method == "POST" else 200
            return render(request, "core/password_reset_no_mail.html", status=status)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        by_address, by_email = too_many(self.request, form.cleaned_data["email"])
        if by_address:
            return render(self.request, "core/password_reset_limited.html", status=429)
        if by_email:
            # Said as for any other address: whether it has an account stays unknown.
            return auth_views.HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or not user.is_active or not user.has_usable_password():
            return None  # an invitation's account chooses its password through the invitation
        if user.external_identities.exists():
            return None
        return user

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        outbox.forget(about=_about(user))
        from axes.utils import reset as reset_failed_logins

        reset_failed_logins(username=user.get_username())
        audit.record(action="other", instance=user, note="password reset with an e-mail link")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"
