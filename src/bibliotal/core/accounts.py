"""Staff accounts and API tokens on Bibliotal's own pages, for administrators.

An administrator invites a person by e-mail (an account without a password, and its
membership), changes role and libraries, deactivates and reactivates accounts, and issues and
revokes the organisation's API tokens. Django's admin stays for superusers.

- The invitation's link lets the person choose a password once: it dies when used, when the
  password changes (a new invitation gives the account a new unusable password), when the
  person has logged in, when the e-mail address changes, and after ``INVITATION_DAYS``. When
  the e-mail cannot be sent (no mail server: ``NoServerBackend``), it waits in the outbox and
  the administrator is shown the link, once, to pass on by hand.
- The organisation always keeps one active administrator: no change of role and no
  deactivation takes away the last one, and nobody deactivates their own account.
- Deactivating an account revokes its API tokens and ends its sessions.
- API tokens are managed by administrators only (every account's, none of a superuser's
  unless by a superuser): a token acts with its owner's role, and scripts are an
  administrator's matter. ``bibliotal token`` does the same on the command line.

Every change is written to the audit log: the account, its membership and its tokens are
registered models (``core.audit``); invitations and ended sessions are recorded here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from bibliotal.core import audit
from bibliotal.core.account_forms import AccountForm, InviteForm, TokenForm
from bibliotal.core.mail import outbox
from bibliotal.core.mail.tasks import schedule_delivery
from bibliotal.core.models import ApiToken, Membership, Organisation, Role
from bibliotal.core.permissions import Capability, has_capability, organisation_of, require

logger = logging.getLogger(__name__)
User = get_user_model()

INVITATION_DAYS = 7
LINK_SESSION_KEY = "bibliotal_invitation_link"  # the link shown once when no e-mail went


class AccountError(Exception):
    """A change refused, with the reason for a person."""


# -- invitations ---------------------------------------------------------------------------------


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token with its own salt and lifetime: a reset link is not an
    invitation, nor the other way round. The token hashes the password and the last login, so
    it works once, and not after a newer invitation."""

    key_salt = "bibliotal.core.accounts.InvitationTokenGenerator"
    lifetime = timedelta(days=INVITATION_DAYS)

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return 0 <= age <= self.lifetime.total_seconds()


invitation_tokens = InvitationTokenGenerator()


@dataclass(frozen=True)
class Invitation:
    link: str
    expires: datetime
    sent: bool
    problem: str = ""  # why it has not gone, in the outbox's words


def _about(user) -> str:
    return f"core.invitation:{user.pk}"


def is_pending(user) -> bool:
    """Invited and not yet in: no password of their own and no identity at the provider."""
    identities = getattr(user, "_prefetched_objects_cache", {}).get("external_identities")
    has_identity = bool(identities) if identities is not None else user.external_identities.exists()
    return not user.has_usable_password() and not has_identity


def _display(user) -> str:
    return user.get_full_name() or user.get_username()


def _invitation_text(*, user, organisation, link: str, expires: datetime, invited_by):
    role = user.membership.get_role_display()
    values = {
        "name": user.first_name or user.get_username(),
        "organisation": organisation.name,
        "inviter": _display(invited_by) if invited_by is not None else organisation.name,
        "username": user.get_username(),
        "role": role,
        "when": formats.date_format(timezone.localtime(expires), "DATETIME_FORMAT"),
    }
    subject = _("Your account in Bibliotal at %(organisation)s") % values
    paragraphs = [
        _("Hello %(name)s,") % values,
        _(
            "%(inviter)s has made you an account in Bibliotal at %(organisation)s, where the "
            "libraries register what they do and follow up on their goals."
        )
        % values,
        _("Your user name: %(username)s\nYour role: %(role)s") % values,
        _("Choose your password here:") + f"\n{link}",
        _(
            "The link works once, until %(when)s. If it has run out, ask an administrator to "
            "send you a new invitation."
        )
        % values,
        _("If you did not expect this e-mail, you can ignore it."),
        "Bibliotal",
    ]
    return subject, "\n\n".join(paragraphs) + "\n"


def send_invitation(*, user, organisation, base_url: str, invited_by, again: bool = False):
    """Put the invitation in the outbox and try to send it now. ``again``: every earlier link
    dies (a new unusable password changes the token) and earlier e-mails are deleted."""
    if again:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    outbox.forget(about=_about(user))
    token = invitation_tokens.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = base_url.rstrip("/") + reverse("core:account_welcome", args=[uid, token])
    expires = timezone.now() + invitation_tokens.lifetime
    # Danish first: the person has no language of their own yet.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _invitation_text(
            user=user, organisation=organisation, link=link, expires=expires, invited_by=invited_by
        )
    message = outbox.enqueue(
        recipient=user.email,
        subject=subject,
        body=body,
        organisation=organisation,
        about=_about(user),
    )
    sent = outbox.deliver([message]).sent == 1
    problem = ""
    if not sent:
        logger.warning("An invitation waits in the outbox")  # nothing of it: no address, no link
        schedule_delivery()
        message.refresh_from_db(fields=["last_error"])
        problem = message.last_error
    audit.record(
        action="other",
        instance=user,
        note="invitation sent again" if again else "invitation sent",
    )
    return Invitation(link=link, expires=expires, sent=sent, problem=problem)


def invite(*, organisation, data: dict):
    """A new account without a password (the invitation's link sets one) and its membership."""
    with transaction.atomic():
        user = User(
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data.get("last_name", ""),
        )
        user.set_unusable_password()
        user.save()
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=data["role"]
        )
        membership.branches.set(data.get("branches") or [])
    return user


# -- changes -------------------------------------------------------------------------------------


def _other_active_administrators(organisation, *, besides) -> int:
    return (
        Membership.objects.filter(
            organisation=organisation, role=Role.ADMINISTRATOR, user__is_active=True
        )
        .exclude(user=besides)
        .count()
    )


def _lock(organisation) -> None:
    """Account changes in one organisation one at a time, so that two administrators who
    demote each other at the same moment cannot leave it without one."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _last_administrator_error(user) -> AccountError:
    return AccountError(
        _(
            "%(name)s is the organisation's only active administrator. Make someone else an "
            "administrator first: the organisation must keep one."
        )
        % {"name": _display(user)}
    )


def change_account(*, user, organisation, data: dict) -> None:
    with transaction.atomic():
        _lock(organisation)
        membership = Membership.objects.select_related("user").get(
            user=user, organisation=organisation
        )
        user = membership.user
        losing = membership.role == Role.ADMINISTRATOR and data["role"] != Role.ADMINISTRATOR
        if (
            losing
            and user.is_active
            and not _other_active_administrators(organisation, besides=user)
        ):
            raise _last_administrator_error(user)
        user.first_name = data["first_name"]
        user.last_name = data.get("last_name", "")
        user.email = data["email"]
        user.save(update_fields=["first_name", "last_name", "email"])
        membership.role = data["role"]
        membership.save(update_fields=["role"])
        membership.branches.set(data.get("branches") or [])


def end_sessions(user) -> int:
    """Log the account out everywhere (sessions in the database; other engines end at the next
    request, where an inactive account is no longer let in)."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def revoke(token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def deactivate(*, user, organisation, actor) -> int:
    """The account can no longer log in or use the API. Returns how many tokens were revoked."""
    if user.pk == actor.pk:
        raise AccountError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        _lock(organisation)
        user = User.objects.select_related("membership").get(pk=user.pk)
        if (
            user.membership.role == Role.ADMINISTRATOR
            and user.is_active
            and not _other_active_administrators(organisation, besides=user)
        ):
            raise _last_administrator_error(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens = list(user.api_tokens.active())
        for token in tokens:
            revoke(token)
    ended = end_sessions(user)
    if ended:
        audit.record(action="other", instance=user, note=f"{ended} session(s) ended")
    return len(tokens)


def reactivate(*, user) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])


# -- pages ---------------------------------------------------------------------------------------


def _organisation_or_403(request):
    organisation = organisation_of(request.user)
    if organisation is None:
        raise PermissionDenied
    return organisation


def _accounts(organisation):
    return (
        User.objects.filter(membership__organisation=organisation)
        .select_related("membership")
        .prefetch_related("membership__branches", "external_identities")
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _after_invitation(request, user, invitation: Invitation) -> None:
    """Say what happened; when the e-mail did not go, keep the link to show once."""
    values = {
        "email": user.email,
        "when": formats.date_format(timezone.localtime(invitation.expires), "DATETIME_FORMAT"),
    }
    if invitation.sent:
        messages.success(
            request,
            _("The invitation is sent to %(email)s. Its link works until %(when)s.") % values,
        )
        return
    request.session[LINK_SESSION_KEY] = {
        "user": user.pk,
        "link": invitation.link,
        "problem": invitation.problem,
        "expires": invitation.expires.isoformat(),
    }
    messages.warning(
        request,
        _(
            "The invitation to %(email)s could not be sent: it waits in the outbox. Give the "
            "person the link below yourself."
        )
        % values,
    )


@require(Capability.ADMINISTER)
def staff_list(request):
    organisation = _organisation_or_403(request)
    accounts = _accounts(organisation).order_by("-is_active", "first_name", "last_name", "username")
    rows = [
        {
            "user": user,
            "branches": list(user.membership.branches.all()),
            "password": user.has_usable_password(),
            "identities": list(user.external_identities.all()),
            "pending": is_pending(user),
        }
        for user in accounts
    ]
    return render(request, "core/accounts/staff_list.html", {"rows": rows})


@require(Capability.ADMINISTER)
def staff_invite(request):
    organisation = _organisation_or_403(request)
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        user = invite(organisation=organisation, data=form.cleaned_data)
        invitation = send_invitation(
            user=user,
            organisation=organisation,
            base_url=_base_url(request),
            invited_by=request.user,
        )
        _after_invitation(request, user, invitation)
        return redirect("core:staff_detail", pk=user.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "invitation_days": INVITATION_DAYS}
    return render(request, "core/accounts/staff_invite.html", context, status=status)


def _initial(user) -> dict:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.membership.role,
        "branches": list(user.membership.branches.all()),
    }


def _can_reinvite(user) -> bool:
    """A forgotten password, by an administrator: a new invitation for an active account that
    logs in with a password of its own (not at the municipality's provider)."""
    return user.is_active and user.has_usable_password() and not user.external_identities.exists()


@require(Capability.ADMINISTER)
def staff_detail(request, pk: int):
    organisation = _organisation_or_403(request)
    user = get_object_or_404(_accounts(organisation), pk=pk)
    # An administrator does not change an account with every right (nor did the admin let her).
    editable = request.user.is_superuser or not user.is_superuser
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not editable:
        raise PermissionDenied
    form = AccountForm(
        request.POST if action == "save" else None,
        organisation=organisation,
        account=user,
        initial=_initial(user),
    )
    name = _display(user)
    try:
        if action == "save" and form.is_valid():
            change_account(user=user, organisation=organisation, data=form.cleaned_data)
            messages.success(request, _("The account of %(name)s is saved.") % {"name": name})
            if not has_capability(User.objects.get(pk=request.user.pk), Capability.ADMINISTER):
                return redirect("core:home")  # she gave up her own administrator role
            return redirect("core:staff_detail", pk=user.pk)
        if action == "deactivate":
            revoked = deactivate(user=user, organisation=organisation, actor=request.user)
            text = _("%(name)s is deactivated and can no longer log in.") % {"name": name}
            if revoked:
                text += " " + ngettext(
                    "%(count)d API token was revoked.",
                    "%(count)d API tokens were revoked.",
                    revoked,
                ) % {"count": revoked}
            messages.success(request, text)
            return redirect("core:staff_detail", pk=user.pk)
        if action == "reactivate":
            reactivate(user=user)
            messages.success(
                request,
                _(
                    "%(name)s can log in again. Revoked API tokens stay revoked: issue new ones "
                    "if they are needed."
                )
                % {"name": name},
            )
            return redirect("core:staff_detail", pk=user.pk)
        if action == "resend":
            if not (user.is_active and user.email and (is_pending(user) or _can_reinvite(user))):
                raise PermissionDenied
            if user.pk == request.user.pk:
                raise PermissionDenied  # her own password she changes on the password page
            invitation = send_invitation(
                user=user,
                organisation=organisation,
                base_url=_base_url(request),
                invited_by=request.user,
                again=True,
            )
            _after_invitation(request, user, invitation)
            return redirect("core:staff_detail", pk=user.pk)
    except AccountError as error:
        messages.error(request, str(error))
        if action != "save":
            return redirect("core:staff_detail", pk=user.pk)
        form.add_error(None, str(error))
    shown = request.session.get(LINK_SESSION_KEY)
    link = None
    if shown and shown.get("user") == user.pk:
        link = {**shown, "expires": datetime.fromisoformat(shown["expires"])}
        del request.session[LINK_SESSION_KEY]  # shown once
    context = {
        "account": user,
        "form": form,
        "editable": editable,
        "pending": is_pending(user),
        "identities": list(user.external_identities.all()),
        "branches": list(user.membership.branches.all()),
        "tokens": list(user.api_tokens.all()),
        "link": link,
        "is_self": user.pk == request.user.pk,
        "can_reinvite": user.pk != request.user.pk and user.email and _can_reinvite(user),
    }
    status = 400 if form.errors else 200
    return render(request, "core/accounts/staff_detail.html", context, status=status)


class WelcomeView(PasswordResetConfirmView):
    """The invitation's link: choose a password, and be logged in on the start page."""

    template_name = "core/accounts/welcome.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("core:home")
    title = ""

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or not user.is_active:
            return None
        return user

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        outbox.forget(about=_about(user))  # the e-mail with the spent link goes
        audit.record(action="other", instance=user, note="invitation accepted, password chosen")
        messages.success(
            self.request,
            _("Welcome to Bibliotal, %(name)s. Your password is saved.")
            % {"name": user.first_name or user.get_username()},
        )
        return response


welcome = WelcomeView.as_view()


# -- API tokens ----------------------------------------------------------------------------------


def _token_owners(request, organisation):
    owners = (
        _accounts(organisation)
        .filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )
    if not request.user.is_superuser:
        owners = owners.exclude(is_superuser=True)  # no token with more rights than her own
    return owners


@never_cache
@require(Capability.ADMINISTER)
def token_list(request):
    """The organisation's tokens; issuing one shows its secret on the answer, once."""
    organisation = _organisation_or_403(request)
    owners = _token_owners(request, organisation)
    initial = {}
    if request.GET.get("user", "").isdigit():
        initial["owner"] = owners.filter(pk=request.GET["user"]).first()
    form = TokenForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        token, key = ApiToken.issue(user=form.cleaned_data["owner"], name=form.cleaned_data["name"])
        return render(request, "core/accounts/token_created.html", {"token": token, "key": key})
    tokens = ApiToken.objects.filter(user__membership__organisation=organisation).select_related(
        "user"
    )
    context = {
        "form": form,
        "active": list(tokens.active().order_by("-created_at")),
        "revoked": list(tokens.filter(revoked_at__isnull=False).order_by("-revoked_at")[:50]),
    }
    status = 400 if form.errors else 200
    return render(request, "core/accounts/token_list.html", context, status=status)


@require(Capability.ADMINISTER)
def token_revoke(request, pk: int):
    organisation = _organisation_or_403(request)
    token = get_object_or_404(
        ApiToken.objects.active().select_related("user"),
        pk=pk,
        user__membership__organisation=organisation,
    )
    if request.method == "POST":
        revoke(token)
        messages.success(
            request,
            _("The token %(prefix)s… of %(owner)s is revoked: it no longer works.")
            % {"prefix": token.key_prefix, "owner": _display(token.user)},
        )
        return redirect("core:token_list")
    return render(request, "core/accounts/token_revoke.html", {"token": token})
