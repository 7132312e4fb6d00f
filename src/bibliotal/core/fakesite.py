"""A stand-in for a library website (dpl-cms) on 127.0.0.1, for the demo and for trying the sync.

It answers ``GET /api/v1/events?from_date=`` and
``GET /api/v1/opening_hours?branch_id=&from_date=&to_date=`` in dpl-cms's shapes with a made-up
programme and opening hours around today, for Herning's libraries, and each library's page at
``/node/<branch_id>`` (its title is the library's name, as on a dpl-cms site).
``bibliotal fakesite`` serves it; the demo syncs from it once while loading.
"""

from __future__ import annotations

import html
import json
import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

PORT = 8001
ZONE = ZoneInfo("Europe/Copenhagen")
NAMESPACE = uuid.UUID("5b0a7c58-6d1e-4f55-9a43-0c1f7e1d2b10")

# id, name on the website, ISIL
LIBRARIES = [
    (1, "Herning Bibliotek", "DK-765700"),
    (2, "Aulum Bibliotek", "DK-765701"),
    (3, "Vildbjerg Bibliotek", "DK-765702"),
    (4, "Kibæk Bibliotek", "DK-765703"),
    (5, "Sunds Bibliotek", "DK-765704"),
    (6, "Hammerum-Gjellerup Bibliotek", "DK-765705"),
    (7, "Bogbussen", "DK-765706"),
]
SITE_NAME = "Herning Bibliotekerne"
# id → street, postcode, town: the address dpl-cms gives an event held at the library
ADDRESSES = {
    1: ("Østergade 8", "7400", "Herning"),
    2: ("", "7490", "Aulum"),
    3: ("", "7480", "Vildbjerg"),
    4: ("", "6933", "Kibæk"),
    5: ("", "7451", "Sunds"),
    6: ("", "7400", "Hammerum"),
}
# title, categories, weekday, hour, weeks between, library id, capacity, online
PROGRAMME = [
    ("Forfatteraften", ["Litteratur", "Voksne"], 2, 19, 2, 1, 120, False),
    ("Bogcafé", ["Bogcafé", "Voksne"], 1, 14, 2, 2, 30, False),
    ("Læseklub for børn", ["Læseklub", "Børn"], 3, 15, 2, 3, 15, False),
    ("Lørdagsbørneteater", ["Teater", "Børn"], 5, 11, 1, 1, 90, False),
    ("Tirsdagsforedrag", ["Foredrag", "Voksne"], 1, 19, 1, 1, 150, False),
    ("Koncert i biblioteket", ["Koncert"], 4, 16, 2, 1, 160, False),
    ("Digital borgerservice online", ["Digital hjælp"], 0, 17, 2, 1, None, True),
    ("Bogbussen fortæller", ["Børn"], 2, 10, 2, 7, 25, False),
]
# library id → weekday → [(opens, closes, category)]
STAFFED = "Med betjening"
SELF = "Selvbetjening"


def _hours(library: int, day: date) -> list[tuple[str, str, str]]:
    weekday = day.weekday()
    if (day.month, day.day) in {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}:
        return []  # closed: no instance
    if library == 1:
        rows = [("08:00", "22:00", SELF)]
        if weekday < 5:
            rows += [("10:00", "18:00", STAFFED), ("10:00", "15:00", "Borgerservice")]
            rows += [("09:00", "10:00", "Telefontid")]
        elif weekday == 5:
            rows += [("10:00", "14:00", STAFFED)]
        return rows
    if library == 7:
        return []
    rows = [("07:00", "22:00", SELF)]
    if weekday in (1, 3):
        rows.append(("13:00", "17:00", STAFFED))
    if library == 6 and weekday == 2:
        rows.append(("14:00", "17:00", "Åbent"))
    return rows


def opening_hours(start: date, end: date, library: int | None = None) -> list[dict]:
    found = []
    for identifier, _name, isil in LIBRARIES:
        if library is not None and identifier != library:
            continue
        day = start
        while day <= end:
            for opens, closes, title in _hours(identifier, day):
                number = len(found) + 1
                found.append(
                    {
                        "id": int(f"{identifier}{day:%y%m%d}{number % 100:02d}"),
                        "category": {"title": title, "color": "#00a060"},
                        "date": day.isoformat(),
                        "start_time": opens,
                        "end_time": closes,
                        "branch_id": identifier,
                        "branch_isil_id": isil,
                        "repetition": {
                            "id": identifier * 100 + day.weekday(),
                            "type": "weekly",
                            "weekly_data": {"end_date": (end + timedelta(days=365)).isoformat()},
                        },
                    }
                )
            day += timedelta(days=1)
    return found


def events(start: date, *, today: date | None = None, days_ahead: int = 60) -> list[dict]:
    today = today or date.today()
    names = {identifier: name for identifier, name, _isil in LIBRARIES}
    found = []
    end = today + timedelta(days=days_ahead)
    for title, categories, weekday, hour, every, library, capacity, online in PROGRAMME:
        series = str(uuid.uuid5(NAMESPACE, title))
        day = start + timedelta(days=(weekday - start.weekday()) % 7)
        index = 0
        while day <= end:
            index += 1
            if (day.isocalendar().week % every) == 0:
                starts = datetime.combine(day, time(hour), ZONE)
                state = "Occurred" if day < today else "Active"
                if title == "Koncert i biblioteket" and index == 3:
                    state = "Cancelled"
                address = (
                    {"locationType": "online", "location": "Zoom"}
                    if online
                    else {
                        "locationType": "physical",
                        "location": names[library],
                        "street": ADDRESSES.get(library, ("", "", ""))[0],
                        "zip_code": ADDRESSES.get(library, ("", "", ""))[1],
                        "city": ADDRESSES.get(library, ("", "", ""))[2],
                        "country": "DK",
                    }
                )
                found.append(
                    {
                        "uuid": str(uuid.uuid5(NAMESPACE, f"{title}/{day}")),
                        "title": title,
                        "description": f"<p>{title} på {names[library]}.</p>",
                        "url": f"https://herningbib.example/arrangementer/{day}",
                        "created_at": "2026-01-05T09:00:00+00:00",
                        "updated_at": "2026-01-05T09:00:00+00:00",
                        "state": state,
                        "all_day": False,
                        "date_time": {
                            "start": starts.astimezone(UTC).isoformat(),
                            "end": (starts + timedelta(hours=2)).astimezone(UTC).isoformat(),
                        },
                        "branches": [names[library]],
                        "address": address,
                        "categories": categories,
                        "tags": [],
                        "partners": [],
                        "ticket_capacity": capacity,
                        "ticket_categories": [],
                        "series": {"uuid": series},
                    }
                )
            day += timedelta(days=7)
    return sorted(found, key=lambda e: e["date_time"]["start"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            start = date.fromisoformat(query.get("from_date") or date.today().isoformat())
            if parts.path == "/api/v1/events":
                body = events(start)
            elif parts.path == "/api/v1/opening_hours":
                end = date.fromisoformat(query.get("to_date") or start.isoformat())
                branch = int(query["branch_id"]) if query.get("branch_id") else None
                body = opening_hours(start, min(end, start + timedelta(days=400)), branch)
            elif parts.path.startswith("/node/"):
                self._page(parts.path.removeprefix("/node/"))
                return
            else:
                self.send_error(404)
                return
        except ValueError:
            self.send_error(400)
            return
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _page(self, identifier: str) -> None:
        """A library's page, as dpl-cms serves a branch at /node/<branch_id>."""
        names = {str(i): name for i, name, _isil in LIBRARIES}
        if identifier not in names:
            self.send_error(404)
            return
        name = html.escape(names[identifier])
        data = (
            f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
            f"<title>{name} | {SITE_NAME}</title></head><body><h1>{name}</h1></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def start(port: int = 0) -> ThreadingHTTPServer:
    """Serve in a background thread on 127.0.0.1; ``server.shutdown()`` stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="fakesite")
    thread.start()
    return server
