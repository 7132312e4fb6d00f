"""The audit log reads as people speak: field names and values in the reader's language, names
instead of ids (also after the record named is deleted), Yes/No, local times to the minute, the
notes and sources translated; it filters by person and kind of record, and stacks on a phone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from bibliotal.core import audit
from bibliotal.core.auditlog import change_lines, describe, note_text
from bibliotal.core.models import AuditEntry, Closure
from bibliotal.visits.models import HeldHour, Sensor
from tests.conftest import make_user


@pytest.fixture
def held(world):
    sensor = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1"
    )
    return HeldHour.objects.create(
        sensor=sensor,
        branch=world.north,
        starts_at=datetime(2021, 9, 7, 8, tzinfo=UTC),
        day=datetime(2021, 9, 7).date(),
        count_in=5000,
        count_out=4000,
        visits=Decimal("4500.0"),
        reason=HeldHour.Reason.OUTLIER,
    )


def _decide(held, user):
    with audit.acting(user=user, source="web"):
        held.decision = HeldHour.Decision.ACCEPTED
        held.decided_by = user
        held.decided_at = datetime(2021, 9, 8, 10, 15, 30, 123456, tzinfo=UTC)
        held.save()
    return AuditEntry.objects.filter(model="visits.HeldHour", action="update").latest("id")


def test_choices_people_and_times_are_said_in_words(world, held):
    entry = _decide(held, world.manager)
    with translation.override("da"):
        lines = dict(change_lines(entry))
    assert lines["Afgørelse"] == "Holdt uden for målene → Godkendt som talt"
    assert lines["Afgjort af"] == "— → manager"
    # 10.15.30,123456 UTC is 12.15 in Copenhagen in September; no seconds' fractions.
    assert lines["Afgjort"] == "— → 08.09.2021 12.15"


def test_a_person_deleted_since_is_still_named(world, held):
    gone = make_user("vikar")
    entry = _decide(held, gone)
    with audit.acting(user=world.administrator, source="web"):
        gone.delete()
    with translation.override("en"):
        lines = dict(change_lines(entry))
    assert lines["Decided by"] == "— → vikar (deleted)"


def test_an_id_the_log_never_named_says_so(world, held):
    entry = _decide(held, world.manager)
    entry.changes["decided_by"] = [None, 987654]
    with translation.override("en"):
        assert dict(change_lines(entry))["Decided by"] == "— → #987654 (deleted)"


def test_yes_and_no_and_dates_in_the_readers_language(world):
    with audit.acting(user=world.administrator, source="web"):
        world.organisation.closed_on_public_holidays = False
        world.organisation.save()
        Closure.objects.create(
            organisation=world.organisation,
            start_date="2021-06-05",
            end_date="2021-06-05",
            reason="Grundlovsdag",
        )
    changed = AuditEntry.objects.filter(model="core.Organisation", action="update").latest("id")
    created = AuditEntry.objects.filter(model="core.Closure", action="create").latest("id")
    with translation.override("da"):
        [(_label, text)] = change_lines(changed)
        assert text == "Ja → Nej"
        created_lines = dict(change_lines(created))
    assert "05.06.2021" in created_lines.values()  # a creation shows the value, no arrow
    with translation.override("en"):
        [(_label, text)] = change_lines(changed)
        assert text == "Yes → No"


def test_notes_written_in_english_are_said_in_the_readers_language():
    with translation.override("en"):
        assert note_text("undo") == "undone"
        assert note_text("replaced by t.csv") == "replaced by t.csv"
        assert note_text("1 session(s) ended") == "1 session ended"
        assert note_text("3 session(s) ended") == "3 sessions ended"
        assert note_text("something else") == "something else"


def test_a_page_of_entries_looks_its_names_up_together(world, held):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _decide(held, world.manager)
    with CaptureQueriesContext(connection) as few:
        describe(list(AuditEntry.objects.all()))
    for user in (world.staff, world.coordinator, world.administrator, world.manager) * 3:
        _decide(held, user)
    with CaptureQueriesContext(connection) as many:
        describe(list(AuditEntry.objects.all()))
    assert len(many) == len(few)  # one query per kind of record named, not one per line


def test_the_page_filters_by_person_and_kind_and_stacks_on_a_phone(client, world, held):
    _decide(held, world.manager)
    with audit.acting(user=world.administrator, source="web"):
        Closure.objects.create(
            organisation=world.organisation,
            start_date="2021-06-05",
            end_date="2021-06-05",
            reason="Grundlovsdag",
        )
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("core:audit_list"), {"actor": "manager"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Grundlovsdag" not in content and "Nord-1" in content
    assert '<option value="administrator">administrator</option>' in content
    assert 'class="stack"' in content and 'data-label="Changes"' in content
    assert "(on the web)" in content
    assert ".123456" not in content and "+00:00" not in content
    response = client.get(reverse("core:audit_list"), {"model": "core.Closure"})
    content = response.content.decode()
    assert "Grundlovsdag" in content and "Nord-1" not in content


def test_the_page_shows_local_time_to_the_minute(client, world, held):
    entry = _decide(held, world.manager)
    entry.at = datetime(2021, 12, 1, 8, 5, 59, 999999, tzinfo=UTC)
    entry.save()
    client.force_login(world.manager)
    content = client.get(reverse("core:audit_list")).content.decode()
    assert "01.12.2021 09.05" in content


def test_a_json_field_of_field_values_is_said_field_by_field():
    from bibliotal.core.auditlog import value_text
    from bibliotal.events.models import EventOccurrence

    field = EventOccurrence._meta.get_field("imported_values")
    recorded = {"title": "Bogcafé", "starts_at": "2021-09-07T13:00:00+00:00", "all_day": False}
    with translation.override("da"):
        text = value_text(field, recorded)
    assert "Bogcafé" in text
    assert "07.09.2021 15.00" in text  # local time, Danish
    assert "Nej" in text
    assert "False" not in text and "{" not in text
