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
        found = (
            ApiToken.objects.active()
            # The user's role and organisation come along: permission checks need them.
            .select_related("user__membership__organisation")
            .filter(key_digest=ApiToken.digest(token))
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            # Only so often, so that a busy script does not turn every read into a write.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


def require(request, capability: Capability) -> None:
    if not has_capability(request.user, capability):
        raise HttpError(403, "Your role does not allow this.")


api_auth = [TokenAuth(), SessionAuth()]
