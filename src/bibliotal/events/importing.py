"""The events app's importer in core's registry: iCalendar, CSV or Excel, and dpl-cms JSON."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers


def _arguments(parser) -> None:
    parser.add_argument("--feed", help="Name of a configured event feed (instead of a file).")
    parser.add_argument("--branch", help="Library for events that name none.")
    parser.add_argument(
        "--from",
        dest="start",
        type=date.fromisoformat,
        help="First day to expand repeating events into (YYYY-MM-DD).",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=date.fromisoformat,
        help="Last day to expand repeating events into.",
    )


def _options(organisation, options: dict) -> dict:
    from bibliotal.core.places import BranchMatcher

    branch = None
    if options.get("branch"):
        # By its name, ISIL code or another name it goes by (``core.places``).
        branch = BranchMatcher(organisation).match(options["branch"])
        if branch is None:
            raise ValueError(f"No library is called {options['branch']!r}.")
    chosen = {"branch": branch, "start": options.get("start"), "end": options.get("end")}
    if options.get("feed"):
        chosen["feed"] = options["feed"]
    return chosen


def run(
    *,
    organisation,
    upload,
    user=None,
    dry_run,
    progress=None,
    branch=None,
    start=None,
    end=None,
    feed=None,
    format=None,
):
    """An events file, read by its name unless ``format`` ("dplcms", "table", "ical") says:
    ``.json`` is a dpl-cms answer, ``.csv`` and ``.xlsx`` a table, anything else iCalendar."""
    from bibliotal.events.dplcms import import_events_dplcms
    from bibliotal.events.services import import_events_csv, import_events_ical

    data, filename = upload.read(), upload.filename
    name = filename.lower()
    format = format or (
        "dplcms" if name.endswith(".json") else "table" if name.endswith((".csv", ".xlsx")) else ""
    )
    common = {"organisation": organisation, "data": data, "filename": filename, "user": user}
    if format == "dplcms":
        return import_events_dplcms(**common, from_date=start, to_date=end, dry_run=dry_run)
    if format == "table":
        return import_events_csv(**common, dry_run=dry_run)
    return import_events_ical(
        **common, default_branch=branch, window_start=start, window_end=end, dry_run=dry_run
    )


def _from_feed(*, organisation, dry_run, feed=None, **options):
    from bibliotal.events.feeds import FeedError, fetch_feed

    if not feed:
        raise ValueError("Give a file or --feed NAME.")
    try:
        return fetch_feed(organisation=organisation, name=feed, dry_run=dry_run)
    except FeedError as error:
        raise ValueError(str(error)) from error


def _detect(filename: str, head: bytes) -> bool:
    if filename.endswith(".ics") or b"BEGIN:VCALENDAR" in head[:1024]:
        return True
    text = head.decode("utf-8", "replace").lower()
    if filename.endswith(".json"):
        return '"date_time"' in text or '"event_id"' in text or '"ticket_categories"' in text
    return ("titel" in text or "title" in text) and ("dato" in text or "date" in text)


def register() -> None:
    importers.register(
        importers.Importer(
            kind="events",
            label=_("Events"),
            help="Import events from an .ics, .csv, .xlsx or dpl-cms .json file, or --feed NAME "
            "for a feed an administrator configured.",
            run=run,
            capability="coordinate",
            formats=("ics", "csv", "xlsx", "json"),
            detect=_detect,
            arguments=_arguments,
            options=_options,
            extra={"file_optional": True, "run_without_file": _from_feed},
        )
    )
