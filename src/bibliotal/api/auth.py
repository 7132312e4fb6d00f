"""API authentication: bearer tokens for scripts, the session for the browser."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from bibliotal.core.models import ApiToken
from bibliotal.core.permissions import Capability, has_capability

LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token.startswith(ApiToken.PREFIX):
            return None
        found = token_with_user(ApiToken.digest(token))
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            # Only so often, so that a busy script does not turn every read into a write.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


def token_with_user(digest: str) -> ApiToken | None:
    """The active token of this digest with its user, the user's membership (role, libraries'
    key) and organisation, which the permission checks read: one statement, written by hand
    because a tap's whole budget is a few of them (``core.fastsql``). The same as
    ``ApiToken.objects.active().select_related("user__membership__organisation")``."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bibliotal.core import fastsql
    from bibliotal.core.models import Membership, Organisation

    user_model = get_user_model()
    parts = (
        fastsql.columns(ApiToken, "t"),
        fastsql.columns(user_model, "u"),
        fastsql.columns(Membership, "m"),
        fastsql.columns(Organisation, "o"),
    )
    q, col = connection.ops.quote_name, fastsql.column
    sql = fastsql.statement(
        "token_with_user",
        lambda: (
            f"SELECT {', '.join(p.sql for p in parts)} FROM {fastsql.table(ApiToken)} t "
            f"JOIN {fastsql.table(user_model)} u ON u.{q(user_model._meta.pk.column)} = "
            f"t.{col(ApiToken, 'user')} "
            f"LEFT JOIN {fastsql.table(Membership)} m ON m.{col(Membership, 'user')} = "
            f"u.{q(user_model._meta.pk.column)} "
            f"LEFT JOIN {fastsql.table(Organisation)} o ON o.{q(Organisation._meta.pk.column)} = "
            f"m.{col(Membership, 'organisation')} "
            f"WHERE t.{col(ApiToken, 'key_digest')} = %s "
            f"AND t.{col(ApiToken, 'revoked_at')} IS NULL"
        ),
    )
    with fastsql.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    token, user, membership, organisation = fastsql.split(row, *parts)
    token.user = user
    user_field = Membership._meta.get_field("user")
    if membership is not None:
        membership.organisation = organisation
        user_field.set_cached_value(membership, user)
    user_field.remote_field.set_cached_value(user, membership)  # None: no membership
    return token


def require(request, capability: Capability) -> None:
    if not has_capability(request.user, capability):
        raise HttpError(403, "Your role does not allow this.")


api_auth = [TokenAuth(), SessionAuth()]
