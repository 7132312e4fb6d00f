"""The fuzz world: the test world made ready for every golden file, and how to run one case."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time

import pytest
from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, settings

from bibliotal.core import importers
from bibliotal.core.imports import ImportRejected
from tests.conftest import weekly_schedule
from tests.fuzz.mutations import INFLATED_LIMIT

EXAMPLES = int(os.environ.get("BIBLIOTAL_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run and every machine
    database=None,  # no example database written into the work tree
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,  # each example runs in its own savepoint
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# A rejected upload may leave its record of a failed sync behind (``core.integrations``):
# that is the point of it, not a write of the file's contents.
NOT_CONTENTS = {"core.IntegrationRun"}


@pytest.fixture
def fuzz_world(world, settings):
    """The test world with what the golden files name: the north library's ISIL, the website's
    names and ids for the south library, a cumulative sensor, the usual platforms and opening
    hours; a small unpacked-size limit, so that an inflated workbook is cheap to make."""
    return prepare_fuzz_world(world, settings)


def prepare_fuzz_world(world, settings):
    """What ``fuzz_world`` makes of the test world, for test modules outside this folder."""
    from bibliotal.core.models import WebsiteBranch
    from bibliotal.digital.models import ensure_platforms
    from bibliotal.visits.models import Sensor

    settings.IMPORT_MAX_UNPACKED_BYTES = INFLATED_LIMIT
    world.north.isil = "DK-700001"
    world.north.save()
    for kind, value in (("name", "Sydby Bibliotek"), ("id", "12")):
        WebsiteBranch.objects.create(
            organisation=world.organisation, kind=kind, value=value, branch=world.south
        )
    Sensor.objects.create(
        organisation=world.organisation,
        branch=world.north,
        name="Kumulativ",
        rule="half",
        register="cumulative",
    )
    weekly_schedule(world.north, staffed=(time(10), time(18)), weekdays=range(6))
    ensure_platforms(world.organisation)
    return world


def _tables() -> list[str]:
    return [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label not in NOT_CONTENTS
    ]


def snapshot() -> tuple:
    """The number of rows of every table, in one query."""
    quote = connection.ops.quote_name
    tables = _tables()
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(zip(tables, cursor.fetchone(), strict=True))


@dataclass
class Outcome:
    rejected: ImportRejected | None
    result: object | None


def run_case(kind: str, data: bytes, filename: str, options: dict, *, apply: bool) -> Outcome:
    """Preview or apply one file in a savepoint that is rolled back afterwards, and check the
    contract: a result or ``ImportRejected`` naming the file, never another exception; nothing
    written on rejection, nor by a preview."""
    importer = importers.get(kind)
    upload = importers.Upload.from_bytes(data, filename)
    with transaction.atomic():
        before = snapshot()
        step = importer.apply if apply else importer.preview
        try:
            result = step(upload=upload, organisation=options.pop("organisation"), **options)
        except ImportRejected as rejected:
            assert rejected.errors, "a rejection says why"
            for error in rejected.errors:
                assert filename in str(error), f"the error does not name the file: {error}"
            changed = [(a, b) for a, b in zip(before, snapshot(), strict=True) if a != b]
            assert not changed, f"a rejected file wrote rows: {changed}"
            transaction.set_rollback(True)
            return Outcome(rejected, None)
        assert all(str(line) for line in importer.report(result))
        if not apply:
            changed = [(a, b) for a, b in zip(before, snapshot(), strict=True) if a != b]
            assert not changed, f"a preview wrote rows: {changed}"
        transaction.set_rollback(True)
        return Outcome(None, result)
