"""Setting up one's own library service: the organisation, its libraries, the defaults every app
needs and the first administrator, in one transaction.

``bibliotal setup`` and the setup page (``core/setup_views.py``, served while the database has no
organisation) both call ``set_up``; the checks of each value (``check_*``) are shared too, so the
page and the command refuse the same things in the same words.

Core imports no other app: an app that needs defaults for a new organisation (guidance topics,
event types, digital platforms) registers a step with ``register_setup_step`` from its
``AppConfig.ready()``; ``set_up`` runs the steps in order inside its transaction.

With the address of the library website (dpl-cms), its libraries are read from it before anything
is written (``core/website_libraries.py``). Each becomes a library with the website's names and
numbers mapped to it, and the opening hours are synced as the nightly sync does. A website that
cannot be read stops the setup before anything is written: the organisation is never created
half, without the website it was asked to read.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.models import (
    Branch,
    Membership,
    Organisation,
    Role,
    ServicePoint,
    Website,
    WebsiteBranch,
)
from bibliotal.core.website_libraries import (
    SiteLibrary,
    SiteReading,
    WebsiteUnreadable,
    read_website,
)

MUNICIPALITIES_FILE = Path(__file__).resolve().parent / "seeds" / "municipalities.csv"
DESK = "Skranken"  # the service point every new library gets, where staff tally guidance
SETUP_CODE_FILE = "setup-code"  # in the data directory, until an organisation exists


# -- the municipalities ----------------------------------------------------------------------------


@functools.cache
def municipalities() -> dict[str, str]:
    """Danmarks Statistik's three-digit code → the municipality's Danish name, all 98."""
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def _danish_order(name: str) -> str:
    return name.lower().replace("æ", "{0").replace("ø", "{1").replace("å", "{2")


def municipality_choices() -> list[tuple[str, str]]:
    """(code, name) of every municipality, in Danish alphabetical order."""
    return sorted(municipalities().items(), key=lambda pair: _danish_order(pair[1]))


# -- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupStep:
    order: int
    name: str
    run: Callable[[Organisation, list[Branch]], str | None]  # a line for the summary, or None


_steps: dict[str, SetupStep] = {}


def register_setup_step(
    name: str, func: Callable[[Organisation, list[Branch]], str | None], *, order: int = 100
) -> None:
    """Run ``func(organisation, branches)`` when an organisation is set up. It must be
    idempotent (an app may create the same defaults elsewhere) and may return a line, in the
    user's language, saying what it created."""
    _steps[name] = SetupStep(order, name, func)


def setup_steps() -> list[SetupStep]:
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))


# -- the checks ----------------------------------------------------------------------------------


class SetupError(Exception):
    """Nothing was set up; the message (one line) is for a person. ``errors`` names the fields."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}


def check_organisation(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the name of the library service."))
    if len(name) > 200:
        raise ValidationError(_("The name may be at most 200 characters."))
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError(_("An organisation called %(name)s exists already.") % {"name": name})
    return name


def check_municipality(value: str) -> str:
    """A code ("657") or a name ("Herning", "herning kommune") → the code."""
    text = " ".join((value or "").split())
    known = municipalities()
    if text in known:
        return text
    loose = re.sub(r"\s+kommune$", "", text.lower())
    for code, name in known.items():
        if name.lower() == loose:
            return code
    raise ValidationError(
        _(
            "%(value)s is not one of the 98 municipalities: give Danmarks Statistik's "
            "three-digit code, e.g. 657 for Herning."
        )
        % {"value": text or "–"}
    )


def check_libraries(names, *, website: str = "") -> list[str]:
    """The libraries' names, one each: blank lines dropped, no name twice. At least one, unless
    the website is to tell them."""
    found: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > 200:
            raise ValidationError(
                _("A library's name may be at most 200 characters: %(name)s")
                % {"name": name[:40] + "…"}
            )
        if name.lower() in seen:
            raise ValidationError(_("The library %(name)s is named twice.") % {"name": name})
        seen.add(name.lower())
        found.append(name)
    if not found and not website:
        raise ValidationError(
            _("Name at least one library, or give the library website to read them from.")
        )
    return found


def allow_local() -> bool:
    return bool(getattr(settings, "BIBLIOTAL_ALLOW_LOCAL_SOURCES", False))


def check_website(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not url:
        return ""
    schemes = ["https", "http"] if allow_local() else ["https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        if url.startswith("http://") and not allow_local():
            raise ValidationError(_("The address must start with https://.")) from None
        raise ValidationError(
            _("%(url)s is not a web address, e.g. https://herningbib.dk.") % {"url": url}
        ) from None
    return url


def check_username(username: str) -> str:
    username = (username or "").strip()
    User = get_user_model()
    field_ = User._meta.get_field(User.USERNAME_FIELD)
    if not username:
        raise ValidationError(_("Give the administrator's user name."))
    if len(username) > field_.max_length:
        raise ValidationError(
            _("A user name may be at most %(n)d characters.") % {"n": field_.max_length}
        )
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValidationError(
            _("A user name may hold only letters, digits and the characters @ . + - _")
        ) from None
    if User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise ValidationError(_("A user called %(name)s exists already.") % {"name": username})
    return username


def check_email(address: str) -> str:
    address = (address or "").strip()
    if not address:
        raise ValidationError(_("Give the administrator's e-mail address."))
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            _("%(address)s is not an e-mail address.") % {"address": address}
        ) from None
    return address


def check_password(password: str, *, username: str = "", email: str = "") -> str:
    """The project's password rules (``AUTH_PASSWORD_VALIDATORS``: 12 characters or more, not
    like the user name, not a common word); every rule broken in one error."""
    password_validation.validate_password(
        password, user=get_user_model()(username=username, email=email)
    )
    return password


@dataclass
class SetupRequest:
    organisation: str
    municipality_code: str
    libraries: list[str]
    username: str
    email: str
    password: str
    website: str = ""


def validate(request: SetupRequest) -> SetupRequest:
    """The request with every value checked and tidied, or SetupError naming each field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    checks = [
        ("organisation", lambda: check_organisation(request.organisation)),
        ("municipality_code", lambda: check_municipality(request.municipality_code)),
        ("website", lambda: check_website(request.website)),
        ("libraries", lambda: check_libraries(request.libraries, website=request.website)),
        ("username", lambda: check_username(request.username)),
        ("email", lambda: check_email(request.email)),
        (
            "password",
            lambda: check_password(
                request.password, username=request.username, email=request.email
            ),
        ),
    ]
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    if errors:
        first = next(iter(errors.values()))[0]
        raise SetupError(first, errors)
    return SetupRequest(**values)


# -- setting up ----------------------------------------------------------------------------------


@dataclass
class SetupResult:
    organisation: Organisation
    user: object
    branches: list[Branch]
    lines: list[str] = field(default_factory=list)

    def next_steps(self) -> list[str]:
        year = timezone.localdate().year
        return [
            _(
                "Next: import your budget goals document (Mål for budget %(year)d) under Goals, "
                "or with: bibliotal goals import FILE --year %(year)d"
            )
            % {"year": year},
            _(
                "Then check the libraries' opening hours, invite the staff, and add the library "
                "website under Integrations if it was not given here."
            ),
        ]


def _lock_organisations() -> None:
    """Two setups at once make one organisation: the second waits for the first and then sees
    it. SQLite's transactions already take the write lock at BEGIN (``transaction_mode``
    IMMEDIATE); PostgreSQL needs the table locked against other writers."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Organisation._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def set_up(
    request: SetupRequest,
    *,
    first_only: bool = False,
    trigger: str = "command",
    fetch_options: dict | None = None,
) -> SetupResult:
    """Check the request, read the website if one is given, and create everything in one
    transaction. ``first_only`` (the setup page) refuses once any organisation exists."""
    request = validate(request)
    reading = None
    if request.website:
        try:
            reading = read_website(request.website, fetch_options=fetch_options)
        except WebsiteUnreadable as exc:
            raise SetupError(str(exc)) from exc
        if not reading.libraries and not request.libraries:
            raise SetupError(
                _(
                    "The library website %(url)s names no library, so nothing was set up: name "
                    "the libraries."
                )
                % {"url": request.website}
            )
    with transaction.atomic():
        _lock_organisations()
        if first_only and Organisation.objects.exists():
            raise SetupError(_("Bibliotal has been set up already: log in."))
        # Checked again under the lock: another setup may have come first.
        request = validate(request)
        return _create(request, reading, trigger=trigger, fetch_options=fetch_options)


def _create(request: SetupRequest, reading: SiteReading | None, *, trigger, fetch_options):
    from bibliotal.core.website import ensure_opening_categories, sync_opening_hours

    organisation = Organisation.objects.create(
        name=request.organisation, municipality_code=request.municipality_code
    )
    result = SetupResult(organisation=organisation, user=None, branches=[])
    result.lines.append(
        _("Created %(name)s (municipality %(municipality)s, code %(code)s).")
        % {
            "name": organisation.name,
            "municipality": municipalities()[organisation.municipality_code],
            "code": organisation.municipality_code,
        }
    )
    wanted = [SiteLibrary(name=name) for name in request.libraries]
    given = {library.name.lower(): library for library in wanted}
    for found in reading.libraries if reading else []:
        same = given.get(found.name.lower())
        if same is None:
            wanted.append(found)
        else:  # named by hand and on the website: one library, the website's address
            same.street, same.postcode, same.city = found.street, found.postcode, found.city
            same.isil, same.ids, same.in_events = found.isil, found.ids, found.in_events
    for library in wanted:
        branch = Branch.objects.create(
            organisation=organisation,
            name=library.name,
            street=library.street,
            postcode=library.postcode,
            city=library.city,
            isil=library.isil,
        )
        ServicePoint.objects.create(branch=branch, name=DESK, kind=ServicePoint.Kind.DESK)
        result.branches.append(branch)
    result.lines.append(
        _("Libraries: %(names)s, each with the service point %(desk)s.")
        % {"names": ", ".join(b.name for b in result.branches), "desk": DESK}
    )
    ensure_opening_categories(organisation)
    for step in setup_steps():
        line = step.run(organisation, list(result.branches))
        if line:
            result.lines.append(line)

    User = get_user_model()
    user = User.objects.create_user(
        username=request.username, email=request.email, password=request.password
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMINISTRATOR)
    result.user = user
    result.lines.append(
        _("Administrator: %(name)s (%(email)s).")
        % {"name": user.get_username(), "email": user.email}
    )

    if reading is not None:
        website = _connect_website(organisation, reading, wanted, result)
        hours = sync_opening_hours(website=website, trigger=trigger, fetch_options=fetch_options)
        result.lines.append(hours.summary())
        result.lines.append(
            _(
                "The website's events come with the nightly sync (bibliotal worker), or at once "
                "with: bibliotal sync dplcms --events-only"
            )
        )
    return result


def _connect_website(organisation, reading: SiteReading, wanted, result: SetupResult) -> Website:
    website = Website.objects.create(organisation=organisation, url=reading.url)
    branches = {b.name.lower(): b for b in result.branches}
    for library in wanted:
        branch = branches[library.name.lower()]
        if library.in_events:
            WebsiteBranch.objects.create(
                organisation=organisation,
                kind=WebsiteBranch.Kind.NAME,
                value=library.name,
                branch=branch,
            )
        for key in library.ids:
            WebsiteBranch.objects.create(
                organisation=organisation, kind=WebsiteBranch.Kind.ID, value=key, branch=branch
            )
    found = [lib.name for lib in reading.libraries]
    result.lines.append(
        _("From the library website %(url)s: %(names)s.")
        % {"url": reading.url, "names": ", ".join(found) or _("no library")}
    )
    if reading.unnamed:
        result.lines.append(
            _(
                "The website's opening hours number libraries whose names could not be read "
                "(%(ids)s): map them under Integrations → Libraries."
            )
            % {"ids": ", ".join(reading.unnamed)}
        )
    return website


# -- the setup code --------------------------------------------------------------------------------


def setup_code() -> str:
    """The code the setup page asks for: ``BIBLIOTAL_SETUP_CODE``, else one made once and kept in
    the data directory (``setup-code``, readable by the server's account only) until Bibliotal
    is set up. Whoever reads it has the server's console or files, not only its address."""
    configured = getattr(settings, "BIBLIOTAL_SETUP_CODE", "")
    if configured:
        return configured.strip()
    path = Path(settings.DATA_DIR) / SETUP_CODE_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    code = "-".join(secrets.token_hex(3) for _part in range(3))
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(code + "\n")
    return code


def forget_setup_code() -> None:
    (Path(settings.DATA_DIR) / SETUP_CODE_FILE).unlink(missing_ok=True)


def code_matches(given: str) -> bool:
    return secrets.compare_digest(
        " ".join((given or "").split()).lower().encode(), setup_code().lower().encode()
    )


def needs_setup() -> bool:
    """No organisation yet: the setup page is there (and ``bibliotal serve`` says so)."""
    return not Organisation.objects.exists()


def is_fresh() -> bool:
    """No organisation and no account either: every page leads to the setup page. A database
    with an account (``createsuperuser``, tests) keeps its login page; /setup/ stays open."""
    return needs_setup() and not get_user_model().objects.exists()


def announcement(address: str) -> str:
    """What ``bibliotal serve`` prints on a database without an organisation: where to set up,
    and the code the page asks for. Empty once set up (or before ``migrate``)."""
    from django.db import DatabaseError

    try:
        if not needs_setup():
            return ""
        code = setup_code()
    except (DatabaseError, OSError):
        return ""
    return _(
        "Bibliotal is not set up yet: open %(address)s/setup/ and give the setup code %(code)s "
        "(or run bibliotal setup)."
    ) % {"address": address, "code": code}
