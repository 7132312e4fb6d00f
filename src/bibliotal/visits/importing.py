"""The visits app's importers in core's registry: people-counter files and new users."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers


def _branch_named(organisation, name):
    from bibliotal.core.places import BranchMatcher

    if not name:
        return None
    # By its name, ISIL code or another name it goes by (``core.places``).
    branch = BranchMatcher(organisation).match(name)
    if branch is None:
        raise ValueError(f"No library is called {name!r}.")
    return branch


def _counter_arguments(parser) -> None:
    parser.add_argument("--branch", help="Create unknown sensors at this library.")
    parser.add_argument(
        "--rule",
        choices=["in", "half", "out"],
        default="half",
        help="The rule of sensors created now (default half: (in+out)/2).",
    )
    parser.add_argument(
        "--preset",
        help=(
            "The file's format: generic, axis, hella, or the name of a saved format "
            "(Visits → File formats). Recognised from the header when left out."
        ),
    )


def _counter_options(organisation, options: dict) -> dict:
    return {
        "branch": _branch_named(organisation, options.get("branch")),
        "rule": options.get("rule") or "half",
        "preset": options.get("preset") or None,
    }


def _run_counter(*, organisation, upload, user=None, dry_run, progress=None, **options):
    from bibliotal.visits.importers import import_counter_file

    return import_counter_file(
        organisation=organisation,
        data=upload.source,  # streamed: never held whole
        filename=upload.filename,
        user=user,
        dry_run=dry_run,
        progress=progress,
        **options,
    )


def _counter_report(result) -> list[str]:
    """What the page's preview says, as lines: for the command and for the job page of a file
    read on the worker."""
    from bibliotal.visits.cleaning import explain_flags
    from bibliotal.visits.plausibility import explain_short

    lines = []
    if result.new_sensors:
        lines.append(gettext("New sensors:") + " " + ", ".join(result.new_sensors))
    lines.append(result.summary())
    if result.held:
        count = len(result.held)
        lines.append(
            ngettext(
                "%(n)s hour far outside its normal",
                "%(n)s hours far outside their normal",
                count,
            )
            % {"n": count}
        )
    return [*lines, *explain_short(result.short_history), *explain_flags(result.flagged)]


COUNTER_WORDS = ("sensor", "tæller", "counter", "count_in", "ind;", "in;", "enter", "exit")


def _detect_counter(filename: str, head: bytes) -> bool:
    text = head[:2048].decode("utf-8", "replace").lower()
    return filename.endswith((".csv", ".xlsx", ".txt")) and any(w in text for w in COUNTER_WORDS)


def _run_new_users(*, organisation, upload, user=None, dry_run, progress=None):
    from bibliotal.visits.importers import import_new_users

    return import_new_users(
        organisation=organisation,
        data=upload.read(),
        filename=upload.filename,
        user=user,
        dry_run=dry_run,
    )


def _detect_new_users(filename: str, head: bytes) -> bool:
    text = head[:2048].decode("utf-8", "replace").lower()
    return any(w in text for w in ("nye lånere", "new registrations", "nye brugere", "new users"))


def register() -> None:
    importers.register(
        importers.Importer(
            kind="visits",
            label=_("People-counter file"),
            help="Import a people-counter file (CSV or Excel; generic, Axis, Hella, saved).",
            run=_run_counter,
            detect=_detect_counter,
            arguments=_counter_arguments,
            options=_counter_options,
            report=_counter_report,
        )
    )
    importers.register(
        importers.Importer(
            kind="new-users",
            label=_("New users"),
            help="Import new registered borrowers per month and library (library-system export).",
            run=_run_new_users,
            detect=_detect_new_users,
        )
    )
