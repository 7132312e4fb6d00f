"""The audit log: who created, changed or deleted which domain record, and when.

Models are registered once (``register``); their saves and deletes are then written to
``AuditEntry`` with the acting user, whatever path the change took (pages, admin, API, commands).
The acting user comes from a context variable that the middleware sets per request and that
commands set with ``acting(...)``. Bulk queryset operations bypass signals: services that use
them must call ``record`` themselves.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

SECRET = "••••"


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    source: str = "system"
    request: object | None = None
    name: str = ""

    def resolve_user(self):
        if self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and user.is_authenticated:
                return user
            return None
        return self.user


_current: ContextVar[Actor | None] = ContextVar("bibliotal_audit_actor", default=None)
SYSTEM = Actor()


@contextlib.contextmanager
def acting(*, user=None, source: str = "command", request=None, name: str = "") -> Iterator[None]:
    token = _current.set(Actor(user=user, source=source, request=request, name=name))
    try:
        yield
    finally:
        _current.reset(token)


@dataclass(frozen=True)
class Registration:
    exclude: frozenset[str]
    secret: frozenset[str]
    organisation: Callable[[object], int | None]


_registry: dict[type, Registration] = {}


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _fields(model, registration: Registration) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname not in registration.exclude and f.name not in registration.exclude
    ]


def _field_json(field, value):
    """A field's value as the log shows it: decimals with the field's places, so that the form's
    "46000" and the database's 46000.00 are the same value."""
    if isinstance(value, decimal.Decimal | int | float) and getattr(field, "decimal_places", None):
        return f"{decimal.Decimal(value):.{field.decimal_places}f}"
    return _jsonable(value)


def _snapshot(instance, registration: Registration) -> dict:
    return {
        f.name: _field_json(f, getattr(instance, f.attname))
        for f in _fields(type(instance), registration)
    }


def record(
    *,
    action: str,
    instance=None,
    model: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    organisation_id: int | None = None,
    note: str = "",
):
    """Write one audit entry. Services call this directly for actions signals do not see."""
    from bibliotal.core.models import AuditEntry

    actor = _current.get() or SYSTEM
    user = actor.resolve_user()
    if instance is not None:
        model = model or instance._meta.label
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:300]
        registration = _registry.get(type(instance))
        if organisation_id is None and registration is not None:
            organisation_id = _safe_organisation(registration, instance)
    if organisation_id is None and user is not None:
        # A record without an organisation of its own (an account before its membership
        # exists, or after it is gone) belongs to the log of the organisation acting on it.
        organisation_id = _user_organisation(user)
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor=user if user is not None and user.pk else None,
        actor_name=user.get_username() if user is not None else (actor.name or actor.source),
        source=actor.source,
        action=action,
        model=model,
        object_id=object_id,
        object_repr=object_repr[:300],
        changes=changes or {},
        note=note[:300],
    )


def _safe_organisation(registration: Registration, instance) -> int | None:
    try:
        return registration.organisation(instance)
    except ObjectDoesNotExist:  # a parent already deleted in the same cascade
        return None


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    registration = _registry[sender]
    names = [f.attname for f in _fields(sender, registration)]
    before = sender._base_manager.filter(pk=instance.pk).values(*names).first()
    instance._audit_before = before


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    registration = _registry[sender]
    after = _snapshot(instance, registration)
    before_raw = getattr(instance, "_audit_before", None)
    if created or before_raw is None:
        changes = {k: [None, SECRET if k in registration.secret else v] for k, v in after.items()}
        record(action="create", instance=instance, changes=changes)
        return
    by_attname = {f.attname: f for f in _fields(sender, registration)}
    before = {by_attname[k].name: _field_json(by_attname[k], v) for k, v in before_raw.items()}
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = [SECRET, SECRET] if name in registration.secret else [old, new]
    if changes:
        record(action="update", instance=instance, changes=changes)


def _post_delete(sender, instance, **kwargs):
    registration = _registry[sender]
    changes = {
        k: [SECRET if k in registration.secret else v, None]
        for k, v in _snapshot(instance, registration).items()
    }
    record(action="delete", instance=instance, changes=changes)


def _m2m_changed(sender, instance, action, pk_set, model, reverse, **kwargs):
    """Record link changes on the record that owns the many-to-many field.

    ``reverse`` is set when the change was made from the other side (``branch.closures.add``):
    then each changed owner gets an entry naming ``instance``.
    """
    owner_model = model if reverse else type(instance)
    if owner_model not in _registry:
        return
    field = next(f for f in owner_model._meta.many_to_many if f.remote_field.through is sender)
    if action == "pre_clear":
        if reverse:
            owners = owner_model._base_manager.filter(**{field.name: instance})
            instance._audit_cleared = list(owners)
        else:
            instance._audit_cleared = sorted(str(o) for o in getattr(instance, field.name).all())
        return
    verbs = {"post_add": "added", "post_remove": "removed", "post_clear": "removed"}
    if action not in verbs:
        return
    verb = verbs[action]
    if reverse:
        owners = (
            getattr(instance, "_audit_cleared", [])
            if action == "post_clear"
            else owner_model._base_manager.filter(pk__in=pk_set or [])
        )
        for owner in owners:
            record(action="update", instance=owner, changes={field.name: {verb: [str(instance)]}})
        return
    if action == "post_clear":
        names = getattr(instance, "_audit_cleared", [])
    else:
        names = sorted(str(o) for o in model._base_manager.filter(pk__in=pk_set or []))
    if names:
        record(action="update", instance=instance, changes={field.name: {verb: names}})


def register(
    model,
    *,
    exclude: tuple[str, ...] = (),
    secret: tuple[str, ...] = (),
    organisation: Callable[[object], int | None] = lambda obj: getattr(
        obj, "organisation_id", None
    ),
) -> None:
    if model in _registry:
        return
    _registry[model] = Registration(frozenset(exclude), frozenset(secret), organisation)
    uid = model._meta.label
    pre_save.connect(_pre_save, sender=model, dispatch_uid=f"audit-pre-{uid}")
    post_save.connect(_post_save, sender=model, dispatch_uid=f"audit-post-{uid}")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=f"audit-del-{uid}")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            _m2m_changed,
            sender=field.remote_field.through,
            dispatch_uid=f"audit-m2m-{uid}-{field.name}",
        )


def is_registered(model) -> bool:
    return model in _registry


def _user_organisation(user) -> int | None:
    try:
        return user.membership.organisation_id
    except ObjectDoesNotExist:
        return None


def register_core_models() -> None:
    from django.contrib.auth import get_user_model

    from bibliotal.core import models as m

    register(m.Organisation, organisation=lambda o: o.pk)
    register(m.PopulationFigure)
    register(m.Branch)
    register(m.BranchAlias, organisation=lambda a: a.branch.organisation_id)
    register(m.ServicePoint, organisation=lambda sp: sp.branch.organisation_id)
    register(m.OpeningSchedule, organisation=lambda s: s.branch.organisation_id)
    register(m.OpeningHours, organisation=lambda h: h.schedule.branch.organisation_id)
    register(m.Closure)
    register(m.Website)
    register(m.WebsiteBranch)
    register(m.OpeningCategory)
    register(m.Membership, exclude=("calendar_key",))
    register(
        m.ExternalIdentity,
        exclude=("last_login_at",),
        organisation=lambda e: _user_organisation(e.user),
    )
    register(m.StatusSubscription)
    register(
        m.ApiToken,
        exclude=("key_digest", "last_used_at"),
        organisation=lambda t: _user_organisation(t.user),
    )
    register(
        get_user_model(),
        exclude=("last_login",),
        secret=("password",),
        organisation=_user_organisation,
    )
