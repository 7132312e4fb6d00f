import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bibliotal.core import setup
from bibliotal.core.commands import AuditedCommand

PASSWORD_VARIABLE = "BIBLIOTAL_ADMIN_PASSWORD"


class Command(AuditedCommand):
    help = (
        "Set up your own library service: the organisation, its libraries (or those the library "
        "website names, with their opening hours), the defaults and the first administrator. "
        "Asks for what is not given; the password comes from a prompt or from "
        f"{PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Name, e.g. 'Herning Bibliotekerne'.")
        parser.add_argument(
            "--municipality", help="Danmarks Statistik's three-digit code, e.g. 657 (Herning)."
        )
        parser.add_argument(
            "--library",
            action="append",
            default=[],
            dest="libraries",
            help="A library's name; repeat for each library.",
        )
        parser.add_argument(
            "--website",
            help="The library website (dpl-cms), to read the libraries and opening hours from.",
        )
        parser.add_argument("--admin", help="User name of the first administrator.")
        parser.add_argument("--admin-email", help="The administrator's e-mail address.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing: fail when a value is missing (the password: {PASSWORD_VARIABLE}).",
        )

    def handle(self, *args, interactive, **options):
        given = {
            "municipality": options["municipality"],
            "organisation": options["organisation"],
            "website": options["website"],
            "admin": options["admin"],
            "admin_email": options["admin_email"],
        }
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not interactive:
            missing = [
                f"--{name.replace('_', '-')}"
                for name in ("organisation", "municipality", "admin", "admin_email")
                if not given[name]
            ]
            if not options["libraries"] and not given["website"]:
                missing.append("--library")
            if not password:
                missing.append(PASSWORD_VARIABLE)
            if missing:
                raise CommandError(
                    _("Without questions (--no-input) these are needed too: %(missing)s")
                    % {"missing": ", ".join(missing)}
                )
        if interactive:
            request = self._ask(given, options["libraries"], password)
        else:  # every value checked at once, every error said at once
            request = setup.SetupRequest(
                organisation=given["organisation"],
                municipality_code=given["municipality"],
                libraries=options["libraries"],
                website=given["website"] or "",
                username=given["admin"],
                email=given["admin_email"],
                password=password,
            )
        try:
            result = setup.set_up(request, trigger="command")
        except setup.SetupError as exc:
            raise CommandError(self._explain(exc)) from exc
        setup.forget_setup_code()
        for line in result.lines:
            self.stdout.write(line)
        self.stdout.write("")
        for line in result.next_steps():
            self.stdout.write(line)

    def _explain(self, exc: setup.SetupError) -> str:
        if not exc.errors:
            return str(exc)
        return "\n".join(message for messages in exc.errors.values() for message in messages)

    # -- asking ------------------------------------------------------------------------------

    def _value(self, label: str, given, check, *, default: str = ""):
        """``given`` (checked already), or asked for until the answer passes ``check``."""
        if given:
            return check(given)
        while True:
            prompt = f"{label} [{default}]: " if default else f"{label}: "
            answer = input(prompt).strip() or default
            try:
                return check(answer)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))

    def _check_given(self, given: dict, libraries: list[str]) -> None:
        """What the command line gave is refused at once, every error together, before any
        question: a prompt would not correct an option."""
        checks = [
            ("municipality", setup.check_municipality),
            ("organisation", setup.check_organisation),
            ("website", setup.check_website),
            ("admin", setup.check_username),
            ("admin_email", setup.check_email),
        ]
        errors = []
        for name, check in checks:
            if given[name]:
                try:
                    check(given[name])
                except ValidationError as exc:
                    errors += exc.messages
        if libraries:
            try:
                setup.check_libraries(libraries, website=given["website"] or "")
            except ValidationError as exc:
                errors += exc.messages
        if errors:
            raise CommandError("\n".join(errors))

    def _ask(self, given: dict, libraries: list[str], password: str) -> setup.SetupRequest:
        self._check_given(given, libraries)
        code = self._value(
            _("Municipality (code or name)"), given["municipality"], setup.check_municipality
        )
        municipality = setup.municipalities()[code]
        organisation = self._value(
            _("Name of the library service"),
            given["organisation"],
            setup.check_organisation,
            default=f"{municipality} Bibliotekerne",
        )
        website = ""
        if given["website"] or not libraries:
            website = self._value(
                _("Library website (dpl-cms), empty for none"),
                given["website"] or "",
                setup.check_website,
            )
        if libraries:
            libraries = setup.check_libraries(libraries, website=website)
        else:
            libraries = self._libraries(website=website, municipality=municipality)
        username = self._value(
            _("Administrator's user name"), given["admin"], setup.check_username, default="admin"
        )
        email = self._value(_("Administrator's e-mail"), given["admin_email"], setup.check_email)
        password = self._password(password, username=username, email=email)
        return setup.SetupRequest(
            organisation=organisation,
            municipality_code=code,
            libraries=libraries,
            website=website,
            username=username,
            email=email,
            password=password,
        )

    def _libraries(self, *, website: str, municipality: str) -> list[str]:
        self.stdout.write(
            _("The libraries, one at a time; an empty answer ends the list.")
            + (" " + _("Those on the website are added too.") if website else "")
        )
        names: list[str] = []
        while True:
            default = "" if names or website else f"{municipality} Bibliotek"
            label = _("Library %(n)d") % {"n": len(names) + 1}
            answer = input(f"{label} [{default}]: " if default else f"{label}: ").strip()
            answer = answer or default
            try:
                if not answer:
                    return setup.check_libraries(names, website=website)
                setup.check_libraries([*names, answer], website=website)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            names.append(answer)

    def _password(self, password: str, *, username: str, email: str) -> str:
        if password:  # from the environment: no prompt to answer again, so a weak one stops
            try:
                return setup.check_password(password, username=username, email=email)
            except ValidationError as exc:
                message = f"{PASSWORD_VARIABLE}: " + " ".join(exc.messages)
                raise CommandError(message) from exc
        while True:
            first = getpass.getpass(_("Password: "))
            try:
                setup.check_password(first, username=username, email=email)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            if getpass.getpass(_("The password again: ")) != first:
                self.stderr.write(_("The two passwords differ. Try again."))
                continue
            return first
