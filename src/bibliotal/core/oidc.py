"""Sign-in with the municipality's accounts through OpenID Connect (mozilla-django-oidc).

Off unless ``BIBLIOTAL_OIDC_ISSUER`` is set (``settings.OPENID_CONNECT``, read by
``envconf.oidc``). The provider's discovery document is read once, at the first sign-in, not at
import. An account is found by its ``ExternalIdentity`` (issuer, subject), never by e-mail; the
first sign-in creates it, without a password, with a membership of the configured organisation.
At every sign-in the groups claim sets the membership's role (the highest of the groups that
match) and libraries (those of every group that matches); a person none of whose groups gives a
role is refused, and no account is made. What changes is in the audit log, done "through oidc".
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.checks import Warning
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from bibliotal import envconf
from bibliotal.core import audit
from bibliotal.core.models import (
    AuditEntry,
    Branch,
    ExternalIdentity,
    Membership,
    Organisation,
    Role,
)

logger = logging.getLogger(__name__)

SIGN_ALGORITHM = "RS256"  # what Entra ID, AD FS and Keycloak sign ID tokens with
TIMEOUT = 10  # seconds for each request to the provider
LEEWAY = 60  # seconds of clock difference allowed on the ID token's times
ROLE_ORDER = list(Role.values)  # staff < coordinator < manager < administrator


class ProviderError(Exception):
    """The provider cannot be reached or answers something that is not OpenID Connect."""


class Refused(Exception):
    """A sign-in the provider vouched for, but that Bibliotal does not let in; says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def current() -> envconf.OidcConfig | None:
    return getattr(settings, "OPENID_CONNECT", None)


_documents: dict[str, dict] = {}


def provider(config: envconf.OidcConfig) -> dict:
    """The provider's discovery document, fetched at the first need and kept for the process."""
    document = _documents.get(config.issuer)
    if document is not None:
        return document
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(f"{url}: {exc}") from exc
    if not isinstance(document, dict):
        raise ProviderError(f"{url} is not a discovery document")
    named = str(document.get("issuer", ""))
    if named.rstrip("/") != config.issuer.rstrip("/"):
        raise ProviderError(
            f"{url} names the issuer {named!r}: set BIBLIOTAL_OIDC_ISSUER to exactly that"
        )
    missing = [
        k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if k not in document
    ]
    if missing:
        raise ProviderError(f"{url} lacks {', '.join(missing)}")
    _documents[config.issuer] = document
    return document


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _setting(name: str, *default):
    """mozilla-django-oidc's settings, from Bibliotal's own configuration."""
    config = current()
    if config is not None:
        ours = {
            "OIDC_RP_CLIENT_ID": config.client_id,
            "OIDC_RP_CLIENT_SECRET": config.client_secret,
            "OIDC_RP_SCOPES": " ".join(config.scopes),
            "OIDC_RP_SIGN_ALGO": SIGN_ALGORITHM,
            "OIDC_AUTHENTICATION_CALLBACK_URL": "core:oidc_callback",
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": True,
            "OIDC_TIMEOUT": TIMEOUT,
            "OIDC_VERIFY_SSL": True,
            "OIDC_STORE_ID_TOKEN": config.provider_logout,  # the hint for the provider's logout
            "OIDC_STORE_ACCESS_TOKEN": False,
        }
        if name in ours:
            return ours[name]
    return import_from_settings(name, *default)


def _message_unreachable() -> str:
    return _(
        "Bibliotal cannot reach the municipality's sign-in service just now. Try again in a "
        "moment; if it goes on, tell the IT department."
    )


# ---------------------------------------------------------------------------- the backend


class Backend(OIDCAuthenticationBackend):
    """The code flow of mozilla-django-oidc, with Bibliotal's accounts, roles and libraries."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args, **kwargs):
        # Django makes a backend for every login and every request's user: no settings are
        # required and nothing is fetched here (the parent reads the endpoints from settings).
        self.UserModel = get_user_model()

    @property
    def config(self) -> envconf.OidcConfig:
        config = current()
        if config is None:
            raise ProviderError("OpenID Connect is off")
        return config

    @property
    def OIDC_RP_CLIENT_ID(self):  # the parent's attribute names
        return self.config.client_id

    @property
    def OIDC_RP_CLIENT_SECRET(self):
        return self.config.client_secret

    OIDC_RP_SIGN_ALGO = SIGN_ALGORITHM
    OIDC_RP_IDP_SIGN_KEY = None  # the keys come from the provider's JWKS

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):
        return provider(self.config)["token_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):
        return provider(self.config)["jwks_uri"]

    @property
    def OIDC_OP_USER_ENDPOINT(self):
        return provider(self.config).get("userinfo_endpoint")

    def authenticate(self, request, **kwargs):
        # Only the provider's callback, whose state the view has checked, carries a code here.
        if current() is None or request is None or request.path != reverse("core:oidc_callback"):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refusal:
            logger.info("OpenID Connect sign-in refused: %s", refusal.message)
            request.oidc_refusal = refusal.message
        except (ProviderError, requests.RequestException) as exc:
            logger.warning("OpenID Connect sign-in failed: %s", exc)
            request.oidc_refusal = _message_unreachable()
        except SuspiciousOperation as exc:  # a token that does not hold: the generic message
            logger.warning("OpenID Connect sign-in failed: %s", exc)
        return None

    def _verify_jws(self, payload, key):
        """The signature, and (unlike the parent) the issuer, audience and expiry too."""
        try:
            algorithm = jwt.get_unverified_header(payload).get("alg")
            if algorithm != SIGN_ALGORITHM:
                raise SuspiciousOperation(f"The ID token is signed with {algorithm!r}.")
            return jwt.decode(
                payload,
                key,
                algorithms=[SIGN_ALGORITHM],
                audience=self.config.client_id,
                issuer=provider(self.config)["issuer"],
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The ID token is not valid: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT:
            return {}
        return super().get_userinfo(access_token, id_token, payload)

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub", payload["sub"])) != str(payload["sub"]):
            raise SuspiciousOperation("The userinfo answer is about someone else.")
        # Entra ID puts the groups in the ID token only: its claims, then the userinfo answer's.
        claims = {**payload, **userinfo}
        return sign_in(config=self.config, issuer=payload["iss"], claims=claims)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class SuperuserPasswordBackend(ModelBackend):
    """Passwords with ``BIBLIOTAL_OIDC_LOCAL_PASSWORDS`` off: superusers only, a way in for
    when the provider is down; everyone else signs in at the provider."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.is_superuser


def not_a_password_attempt(request, credentials=None) -> bool:
    """django-axes: the provider's callback carries no password to guess, so it is neither
    counted nor locked (a refused group must not lock a whole library's address out)."""
    return request.path == reverse("core:oidc_callback")


# ---------------------------------------------------------------------------- the mapping


def claim_values(claims: dict, name: str) -> set[str]:
    """The values of a claim (a dotted name reaches into objects: realm_access.roles)."""
    value: object = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return set()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {str(v).casefold() for v in value}


def assignment(config: envconf.OidcConfig, claims: dict) -> tuple[str, set[str]] | None:
    """The role (the highest one) and library names the claims give, or None for no role."""
    values = claim_values(claims, config.groups_claim)
    matched = [rule for rule in config.groups if rule.value.casefold() in values]
    if not matched:
        return None
    role = max((rule.role for rule in matched), key=ROLE_ORDER.index)
    return role, {name for rule in matched for name in rule.libraries}


def configured_organisation(config: envconf.OidcConfig) -> Organisation | None:
    if config.organisation:
        return Organisation.objects.filter(name=config.organisation).first()
    organisations = list(Organisation.objects.all()[:2])
    return organisations[0] if len(organisations) == 1 else None


def _branches(organisation: Organisation, names: set[str]) -> list[Branch]:
    by_name = {b.name.casefold(): b for b in Branch.objects.filter(organisation=organisation)}
    found = [by_name[n.casefold()] for n in sorted(names) if n.casefold() in by_name]
    unknown = sorted(n for n in names if n.casefold() not in by_name)
    if unknown:
        logger.warning("BIBLIOTAL_OIDC_GROUPS names unknown libraries: %s", ", ".join(unknown))
    return found


def _username(claims: dict) -> str:
    subject = str(claims["sub"])
    wanted = claims.get("preferred_username") or claims.get("email") or f"oidc-{subject}"
    base = re.sub(r"[^\w.@+-]", "", str(wanted))[:140] or f"oidc-{subject[:100]}"
    users = get_user_model().objects
    candidate, n = base, 2
    while users.filter(username__iexact=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _profile(claims: dict) -> dict[str, str]:
    given, family = claims.get("given_name") or "", claims.get("family_name") or ""
    if not given and not family:
        given = claims.get("name") or ""
    profile = {"first_name": str(given)[:150], "last_name": str(family)[:150]}
    if claims.get("email"):
        profile["email"] = str(claims["email"])[:254]
    return profile


def sign_in(*, config: envconf.OidcConfig, issuer: str, claims: dict):
    """The account for a person the provider vouched for, with the role and libraries their
    claims give; raises ``Refused`` when Bibliotal does not let them in."""
    given = assignment(config, claims)
    if given is None:
        raise Refused(
            _(
                "Your account at the municipality gives no access to Bibliotal: it is in none "
                "of the groups that do. Ask your manager or the IT department to add you to "
                "the right group."
            )
        )
    role, library_names = given
    organisation = configured_organisation(config)
    if organisation is None:
        raise Refused(
            _(
                "Sign-in with the municipality's account is not set up completely in Bibliotal "
                "(it does not know which organisation to add you to). Tell Bibliotal's "
                "administrator."
            )
        )
    branches = _branches(organisation, library_names)
    host = urlsplit(issuer).hostname or issuer
    with audit.acting(source="oidc", name=host[:150]):
        try:
            return _apply(issuer, claims, organisation, role, branches)
        except IntegrityError:  # the same person's first sign-in twice at once: the other won
            return _apply(issuer, claims, organisation, role, branches)


@transaction.atomic
def _apply(issuer, claims, organisation, role, branches):
    users = get_user_model().objects
    subject = str(claims["sub"])
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    profile = _profile(claims)
    if identity is None:
        user = users.create_user(_username(claims), password=None, **profile)
        Membership.objects.create(user=user, organisation=organisation, role=role)
        # The account's own entry belongs to the organisation it has joined.
        AuditEntry.objects.filter(
            model=user._meta.label, object_id=str(user.pk), organisation__isnull=True
        ).update(organisation=organisation)
        identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    else:
        user = identity.user
        if not user.is_active:
            raise Refused(_("Your account in Bibliotal is closed. Ask Bibliotal's administrator."))
        changed = [field for field, value in profile.items() if getattr(user, field) != value]
        if changed:
            for field in changed:
                setattr(user, field, profile[field])
            user.save(update_fields=changed)
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    elif membership.organisation_id != organisation.pk:
        raise Refused(
            _(
                "Your account in Bibliotal belongs to another organisation. Ask Bibliotal's "
                "administrator."
            )
        )
    elif membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    if {b.pk for b in membership.branches.all()} != {b.pk for b in branches}:
        membership.branches.set(branches)
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    return user


def configuration_warnings() -> list[Warning]:
    """For the system checks: the organisation and libraries the configuration names exist."""
    config = current()
    if config is None:
        return []
    try:
        organisation = configured_organisation(config)
        if organisation is None:
            which = (
                f"BIBLIOTAL_OIDC_ORGANISATION={config.organisation!r} names no organisation"
                if config.organisation
                else "BIBLIOTAL_OIDC_ORGANISATION is empty while there are several organisations"
            )
            return [
                Warning(
                    f"{which}, so no one can sign in through OpenID Connect.",
                    hint="Set BIBLIOTAL_OIDC_ORGANISATION to the organisation's name as "
                    "Bibliotal shows it.",
                    id="bibliotal.W020",
                )
            ]
        have = {b.casefold() for b in organisation.branches.values_list("name", flat=True)}
    except DatabaseError:  # not migrated yet
        return []
    unknown = sorted(
        {n for rule in config.groups for n in rule.libraries if n.casefold() not in have}
    )
    if not unknown:
        return []
    return [
        Warning(
            f"BIBLIOTAL_OIDC_GROUPS names libraries that {organisation} does not have: "
            f"{', '.join(unknown)}.",
            hint="Write each library's name as Bibliotal shows it; staff of an unknown library "
            "sign in without it.",
            id="bibliotal.W021",
        )
    ]


# ---------------------------------------------------------------------------- the pages


class LoginView(auth_views.LoginView):
    """The login page: the provider's button above the password form when it is set up."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisations = list(Organisation.objects.order_by("name")[:2])
        # The library service one logs in to; an installation of several names none.
        context["login_organisation"] = organisations[0] if len(organisations) == 1 else None
        config = current()
        if config is not None:
            context["oidc_login"] = {
                "label": config.button_label or _("Log in with your municipal account"),
                "passwords": config.local_passwords,
            }
        return context


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's login, with state, nonce and PKCE."""

    get_settings = staticmethod(_setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the parent reads the endpoints from settings here

    def get(self, request):
        config = current()
        if config is None:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider(config)["authorization_endpoint"]
        except ProviderError as exc:
            logger.warning("OpenID Connect sign-in cannot start: %s", exc)
            messages.error(request, _message_unreachable())
            return redirect("core:login")
        self.OIDC_RP_CLIENT_ID = config.client_id
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; the backend turns it into a user."""

    get_settings = staticmethod(_setting)

    def get(self, request):
        if current() is None:
            raise Http404
        return super().get(request)

    def login_failure(self):
        message = getattr(self.request, "oidc_refusal", None)
        if message is None:
            message = _(
                "The sign-in at the municipality was cancelled or did not succeed. Try again."
            )
        messages.error(self.request, message)
        return redirect("core:login")


class LogoutView(auth_views.LogoutView):
    """Logs out of Bibliotal and, with ``BIBLIOTAL_OIDC_PROVIDER_LOGOUT``, of the provider."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        config = current()
        if config is None or not config.provider_logout or not id_token:
            return response
        try:
            end = provider(config).get("end_session_endpoint")
        except ProviderError:
            end = None
        if not end:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": config.client_id,
                "post_logout_redirect_uri": request.build_absolute_uri(
                    resolve_url(settings.LOGOUT_REDIRECT_URL)
                ),
            }
        )
        return HttpResponseRedirect(f"{end}{'&' if '?' in end else '?'}{query}")
