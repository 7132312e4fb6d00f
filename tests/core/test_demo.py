"""The Herning demo: the organisation, its libraries, hours, closures and one user per role."""

from datetime import date

from django.core.management import call_command

from bibliotal.core.models import (
    Branch,
    Closure,
    Membership,
    OpeningHours,
    Organisation,
    Role,
)
from bibliotal.core.opening import opening_day


def counts():
    return [M.objects.count() for M in (Organisation, Branch, OpeningHours, Closure, Membership)]


def test_the_demo_loads_herning_and_twice_duplicates_nothing(db, capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out
    for username in ("admin", "leder", "koordinator", "personale"):
        assert username in out
    first = counts()
    call_command("demo", "--no-serve")
    assert counts() == first
    organisation = Organisation.objects.get()
    assert organisation.name == "Herning Bibliotekerne"
    assert organisation.municipality_code == "657"
    assert sorted(b.name for b in organisation.branches.all()) == [
        "Aulum Bibliotek",
        "Hammerum-Gjellerup Bibliotek",
        "Herning Bibliotek",
        "Herning Bibliotekerne online",
        "Kibæk Bibliotek",
        "Sunds Bibliotek",
        "Vildbjerg Bibliotek",
    ]
    assert {m.role for m in Membership.objects.all()} == set(Role.values)


def test_the_demo_knows_the_covid_closures(db):
    call_command("demo", "--no-serve")
    main = Branch.objects.select_related("organisation").get(name="Herning Bibliotek")
    hammerum = Branch.objects.select_related("organisation").get(
        name="Hammerum-Gjellerup Bibliotek"
    )
    assert not opening_day(branch=main, day=date(2020, 4, 15)).is_open
    reopened = opening_day(branch=main, day=date(2020, 5, 27))  # short hours, no self-service
    assert reopened.staffed_hours == 5 and reopened.self_service_hours == 0
    assert not opening_day(branch=hammerum, day=date(2020, 5, 27)).is_open
    december_16 = opening_day(branch=main, day=date(2020, 12, 16))  # closed from 16:00
    assert december_16.partly_closed and december_16.staffed_hours == 6
    assert not opening_day(branch=main, day=date(2021, 2, 1)).is_open
    corona_pass = opening_day(branch=main, day=date(2021, 5, 3))
    assert corona_pass.staffed_hours == 8 and corona_pass.self_service_hours == 0
    normal = opening_day(branch=main, day=date(2021, 9, 13))
    assert normal.staffed_hours == 8 and normal.self_service_hours == 6


def test_the_demo_serves_from_a_fresh_process_of_its_own(db, monkeypatch, capsys):
    """Loading the demo uses polars, whose thread pool does not survive gunicorn's fork: the
    server is started as a new process (a counter import in a forked worker hung), never in
    this one."""
    import subprocess
    import sys

    from bibliotal.core import fakesite

    started = []
    real_start = fakesite.start

    def start(port=0):  # the loading's own website runs; the one kept for the server does not
        if port == fakesite.PORT:
            raise OSError("taken")
        return real_start(port)

    monkeypatch.setattr(fakesite, "start", start)
    monkeypatch.setattr(
        subprocess,
        "run",
        lambda args, **kw: started.append(args) or subprocess.CompletedProcess(args, 0),
    )
    served_here = []
    from bibliotal.core.management.commands import serve

    monkeypatch.setattr(serve.Command, "handle", lambda *a, **kw: served_here.append(kw))
    call_command("demo", "--port", "8123")
    assert started == [
        [sys.executable, "-m", "bibliotal", "serve", "--host", "127.0.0.1", "--port", "8123"]
    ]
    assert served_here == []
