"""How long does the nightly sync of a large library website take?

Builds a website answer of the size of a big municipality: ``--libraries`` libraries (default
20), each with about two events a day for 30 days back and 180 ahead, and opening hours (three
instances a day) for 90 days. Serves it from 127.0.0.1 (nothing leaves the machine), then times,
in a fresh data directory:

- the first sync of events and of opening hours (everything new);
- the same answers again (the nightly case: nothing changed);
- the same events with one in ten changed.

    .venv/bin/python bench/website_sync.py [--libraries 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def build(libraries: int, today):
    names = [f"Bibliotek {n}" for n in range(1, libraries + 1)]
    events, hours = [], []
    for index, name in enumerate(names):
        for offset in range(-30, 180):
            day = today + timedelta(days=offset)
            for slot, hour in enumerate((10, 17)):
                start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                events.append(
                    {
                        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{day}/{slot}")),
                        "title": f"Arrangement {slot} på {name}",
                        "description": "<p>Beskrivelse</p>",
                        "state": "Occurred" if offset < 0 else "Active",
                        "all_day": False,
                        "date_time": {
                            "start": start.isoformat(),
                            "end": (start + timedelta(hours=2)).isoformat(),
                        },
                        "branches": [name],
                        "address": {"locationType": "physical", "location": name},
                        "categories": ["Foredrag" if slot else "Børn"],
                        "tags": [],
                        "partners": [],
                        "ticket_capacity": 50,
                        "series": {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{slot}"))},
                    }
                )
        for offset in range(0, 91):
            day = today + timedelta(days=offset)
            for opens, closes, title in (
                ("08:00", "22:00", "Selvbetjening"),
                ("10:00", "18:00", "Med betjening"),
                ("09:00", "10:00", "Telefontid"),
            ):
                hours.append(
                    {
                        "id": len(hours) + 1,
                        "category": {"title": title, "color": "#000"},
                        "date": day.isoformat(),
                        "start_time": opens,
                        "end_time": closes,
                        "branch_id": index + 1,
                        "branch_isil_id": f"DK-7{index:05d}",
                    }
                )
    return names, events, hours


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libraries", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["BIBLIOTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bibliotal-bench-")
    os.environ["BIBLIOTAL_ALLOW_LOCAL_SOURCES"] = "true"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from bibliotal.core.models import Branch, Organisation, Website
    from bibliotal.core.website import sync_opening_hours
    from bibliotal.events.dplcms import sync_events

    names, events, hours = build(args.libraries, timezone.localdate())
    answers = {"/api/v1/events": json.dumps(events).encode(), "/api/v1/opening_hours": b""}
    answers["/api/v1/opening_hours"] = json.dumps(hours).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = answers[self.path.split("?")[0]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def fresh(run: int):
        # A new organisation each run: the first sync then finds nothing, as on a new install.
        organisation = Organisation.objects.create(name=f"Bench {run}", municipality_code="657")
        for index, name in enumerate(names):
            Branch.objects.create(organisation=organisation, name=name, isil=f"DK-7{index:05d}")
        return Website.objects.create(
            organisation=organisation, url=f"http://127.0.0.1:{server.server_address[1]}"
        )

    def timed(function) -> float:
        start = time.perf_counter()
        function()
        return time.perf_counter() - start

    rows = {"events, first sync": [], "events, nothing changed": [], "events, 10 % changed": []}
    rows |= {"hours, first sync": [], "hours, nothing changed": []}
    original = answers["/api/v1/events"]
    for run in range(args.runs):
        website = fresh(run)
        answers["/api/v1/events"] = original
        rows["events, first sync"].append(timed(lambda w=website: sync_events(website=w)))
        # The nightly case: the same answer, read again for another day's window.
        website.events_days_back = 31
        rows["events, nothing changed"].append(timed(lambda w=website: sync_events(website=w)))
        changed = json.loads(original)
        for event in changed[::10]:
            event["title"] += " (ændret)"
        answers["/api/v1/events"] = json.dumps(changed).encode()
        rows["events, 10 % changed"].append(timed(lambda w=website: sync_events(website=w)))
        rows["hours, first sync"].append(timed(lambda w=website: sync_opening_hours(website=w)))
        rows["hours, nothing changed"].append(
            timed(lambda w=website: sync_opening_hours(website=w))
        )
    server.shutdown()
    print(
        f"{args.libraries} libraries: {len(events):,} events "
        f"({len(original) / 1e6:.1f} MB), {len(hours):,} opening-hours instances"
    )
    for name, times in rows.items():
        print(f"{name:<26} {statistics.median(times) * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
