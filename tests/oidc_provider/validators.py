import json

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


def groups_of(username: str) -> list[str]:
    groups = json.loads((settings.DIRECTORY / "groups.json").read_text(encoding="utf-8"))
    return groups.get(username, [])


class Validator(OAuth2Validator):
    """Names and the groups claim; like Entra ID, the groups are in the ID token only."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "groups": groups_of(user.username),
        }

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        claims.pop("groups", None)
        return claims
