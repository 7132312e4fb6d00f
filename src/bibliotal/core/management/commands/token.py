from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone

from bibliotal.core.commands import AuditedCommand
from bibliotal.core.models import ApiToken


class Command(AuditedCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it alone on stdout.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("username", nargs="?")
        listing.add_argument("--all", action="store_true", help="Include revoked tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id or the start of its key.")
        revoke.add_argument("token")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user is called {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"The user {username!r} is deactivated.")
        _token, key = ApiToken.issue(user=user, name=name)
        self.stdout.write(key)

    def _list(self, *, username=None, all=False, **options):
        tokens = ApiToken.objects.select_related("user").order_by("created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        if not all:
            tokens = tokens.active()
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.key_prefix}…\t{token.user.username}\t{token.name or '-'}\t"
                f"created {token.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
            )

    def _revoke(self, *, token, **options):
        query = Q()
        if token.startswith(ApiToken.PREFIX) and len(token) > len(ApiToken.PREFIX):
            # The stored prefix is the key's first 10 characters; a shorter start also matches.
            query = Q(key_prefix__startswith=token[:10])
        if token.isdigit():
            query |= Q(pk=int(token))
        if not query:
            raise CommandError(f"{token!r} is neither a token id nor the start of a key.")
        matches = list(ApiToken.objects.active().filter(query))
        if not matches:
            raise CommandError(f"No active token matches {token!r}.")
        if len(matches) > 1:
            raise CommandError(f"{token!r} matches {len(matches)} tokens: give the id.")
        found = matches[0]
        found.revoked_at = timezone.now()
        found.save(update_fields=["revoked_at"])
        self.stdout.write(f"Revoked token {found.pk} ({found.key_prefix}…) of {found.user}.")
