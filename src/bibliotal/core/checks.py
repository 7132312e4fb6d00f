"""System checks: misconfiguration is reported with a stable id and a hint."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def settings_problems(app_configs, **kwargs):
    return [
        Error(problem.message, hint=problem.hint, id=problem.check_id)
        for problem in getattr(settings, "SETTINGS_PROBLEMS", [])
    ]


@register(Tags.security)
def allowed_hosts(app_configs, **kwargs):
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [
            Error(
                "BIBLIOTAL_ALLOWED_HOSTS is empty, so the server would refuse every request.",
                hint="Set BIBLIOTAL_ALLOWED_HOSTS to the host names people use, "
                "separated by commas, e.g. bibliotek.herning.dk.",
                id="bibliotal.E006",
            )
        ]
    if settings.DEBUG and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return [
            Warning(
                "BIBLIOTAL_DEBUG is on while the database is PostgreSQL.",
                hint="Debug pages show settings and data: turn BIBLIOTAL_DEBUG off in production.",
                id="bibliotal.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def email_goes_somewhere(app_configs, **kwargs):
    """`bibliotal check --deploy`: without a mail server e-mail reaches nobody; on the console
    it also leaves addresses in the server's log."""
    hint = (
        "Set BIBLIOTAL_EMAIL_HOST (and BIBLIOTAL_EMAIL_PORT, _HOST_USER, _HOST_PASSWORD, "
        "_USE_TLS or _USE_SSL) for your mail server."
    )
    backend = settings.EMAIL_BACKEND
    if settings.DEBUG:
        return []
    if backend.endswith("NoServerBackend"):
        return [
            Warning(
                "No mail server is set: teachers get no answers and managers no status e-mail "
                "(the e-mails wait in the outbox).",
                hint=hint,
                id="bibliotal.W002",
            )
        ]
    if backend.endswith("console.EmailBackend"):
        return [
            Warning(
                "E-mail is written to the console: teachers get no answers, managers no status "
                "e-mail, and their addresses end up in the server's log.",
                hint=hint,
                id="bibliotal.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def no_demo_accounts(app_configs, **kwargs):
    """`bibliotal check --deploy`: the demo's accounts have a password printed in the README."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    from bibliotal.core.demo import PASSWORD, USERS

    try:
        users = list(get_user_model().objects.filter(username__in=[u[0] for u in USERS]))
    except DatabaseError:  # not migrated yet: nothing to warn about
        return []
    open_to_all = sorted(u.username for u in users if u.check_password(PASSWORD))
    if not open_to_all:
        return []
    return [
        Warning(
            f"The demo's accounts ({', '.join(open_to_all)}) exist with the demo's published "
            "password: anyone who has read the README can log in.",
            hint="Use a database without the demo, or delete those accounts (or give them "
            "passwords of their own) before the installation is reachable.",
            id="bibliotal.W003",
        )
    ]


@register(Tags.security)
def openid_connect_names(app_configs, **kwargs):
    """Sign-in through OpenID Connect: the organisation and libraries it names exist."""
    if getattr(settings, "OPENID_CONNECT", None) is None:
        return []
    from bibliotal.core.oidc import configuration_warnings

    return configuration_warnings()


@register(Tags.database)
def database_migrated(app_configs, databases=None, **kwargs):
    """`bibliotal check`: the database is there and migrated to this version. Left out where
    the checks run for named databases: `migrate` runs them just before it migrates, and the
    test runner on the databases it has just migrated."""
    if databases is not None:
        return []
    from bibliotal.core import dbstate

    state = dbstate.inspect()
    refusal = dbstate.refusal(state)
    if refusal is None:
        return []
    return [
        Warning(
            refusal.message,
            hint=refusal.hint,
            id="bibliotal.W011" if state.migrated and not state.error else "bibliotal.W010",
        )
    ]
