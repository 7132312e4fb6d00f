"""Roles and what they may do.

- staff: sees the organisation, registers activity at their own libraries;
- coordinator: also events and teaching, at every library;
- manager: also goals, reports and the audit log;
- administrator: also the organisation's settings, libraries and staff accounts.
A user without a membership is an outsider and sees nothing.
"""

from __future__ import annotations

import enum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from bibliotal.core.models import Branch, Membership, Organisation, Role


class Capability(enum.StrEnum):
    VIEW = "view"
    REGISTER = "register"
    COORDINATE = "coordinate"
    MANAGE = "manage"
    ADMINISTER = "administer"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.STAFF: frozenset({Capability.VIEW, Capability.REGISTER}),
    Role.COORDINATOR: frozenset({Capability.VIEW, Capability.REGISTER, Capability.COORDINATE}),
    Role.MANAGER: frozenset(
        {Capability.VIEW, Capability.REGISTER, Capability.COORDINATE, Capability.MANAGE}
    ),
    Role.ADMINISTRATOR: frozenset(Capability),
}


def membership_of(user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def organisation_of(user) -> Organisation | None:
    """The organisation a user works in. A superuser without membership gets the only one."""
    membership = membership_of(user)
    if membership is not None:
        return membership.organisation
    if user is not None and user.is_authenticated and user.is_superuser:
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) == 1:
            return organisations[0]
    return None


def capabilities_of(user) -> frozenset[Capability]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Capability)
    membership = membership_of(user)
    if membership is None:
        return frozenset()
    return ROLE_CAPABILITIES[membership.role]


def has_capability(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def branches_for(user, capability: Capability = Capability.VIEW):
    """The branches a user may act on with a capability."""
    organisation = organisation_of(user)
    if organisation is None or not has_capability(user, capability):
        return Branch.objects.none()
    branches = Branch.objects.filter(organisation=organisation)
    membership = membership_of(user)
    if (
        capability == Capability.REGISTER
        and membership is not None
        and membership.role == Role.STAFF
        and not user.is_superuser
    ):
        branches = branches.filter(members=membership)
    return branches


def register_scope(user) -> tuple[str, int] | None:
    """Where a user may register, as far as it can be told without a query: ("organisation",
    id) for every library of the organisation, ("membership", id) for a staff member's own
    libraries (the membership's branches), None for nowhere. The same rule as
    ``branches_for(user, Capability.REGISTER)``, for the taps' hot path."""
    organisation = organisation_of(user)
    if organisation is None or not has_capability(user, Capability.REGISTER):
        return None
    membership = membership_of(user)
    if membership is not None and membership.role == Role.STAFF and not user.is_superuser:
        return ("membership", membership.pk)
    return ("organisation", organisation.pk)


def can_register_at(user, branch: Branch) -> bool:
    """Asked once per service point of a request: the answer set is kept on the user object."""
    cache = getattr(user, "_bibliotal_register_branches", None)
    if cache is None:
        cache = set(branches_for(user, Capability.REGISTER).values_list("pk", flat=True))
        if user is not None and user.is_authenticated:
            user._bibliotal_register_branches = cache
    return branch.pk in cache


def require(capability: Capability):
    """View decorator: log in first, then the capability, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Read by may_open, so that a page links only to the pages its reader may open; the
        # decorators above it (functools.wraps) carry it along.
        wrapped.required_capability = capability
        return wrapped

    return decorator


def required_capability(url: str) -> Capability | None:
    """The capability the page at ``url`` requires: None for a page whose view declares none,
    or an address that is no page of ours."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return getattr(match.func, "required_capability", None)


def may_open(user, url: str) -> bool:
    """Whether ``user`` may open the page at ``url`` (as far as its capability goes)."""
    capability = required_capability(url)
    return capability is None or has_capability(user, capability)


def lowest_role_for(capability: Capability) -> Role:
    """The first role, from staff up, that has ``capability``."""
    return next(role for role in Role if capability in ROLE_CAPABILITIES[role])
