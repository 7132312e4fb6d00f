"""Typed totals as a paper sheet: topics × channels for one service point and day, saved at once.
A number replaces the typed total of its cell; taps stay; the same sheet twice changes nothing."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bibliotal.core.models import AuditEntry
from bibliotal.guidance.models import GuidanceRecord
from bibliotal.guidance.services import typed_day

YESTERDAY = timezone.localdate() - timedelta(days=1)


def sheet_url(point, day=YESTERDAY):
    return f"{reverse('guidance:typed')}?service_point={point.pk}&day={day.isoformat()}"


def cell(topic, channel="in_person"):
    return f"cell-{topic.pk}-{channel}"


def shown(page):
    """The hidden "what the page showed" fields, as the browser sends them back."""
    grid = page.context["grid"]
    return {
        f"shown-{c['name']}": c["shown"] for row in grid.rows for c in row["cells"] if c["shown"]
    }


def typed(desk):
    return {(t, c): n for (t, c), n in typed_day(service_point=desk, day=YESTERDAY).typed.items()}


def test_a_whole_sheet_is_saved_at_once_and_audited(client, world, desk, topics):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    page = client.get(sheet_url(desk))
    assert len(page.context["rows"]) == 7 and len(page.context["channels"]) == 3
    sheet = {
        cell(topics["Medier"]): "4",
        cell(topics["Medier"], "phone"): "2",
        cell(topics["Andet"], "chat"): "1",
        cell(topics["Samfundsoplysning"]): "",
    }
    response = client.post(sheet_url(desk), sheet, follow=True)
    assert response.redirect_chain[-1][0] == sheet_url(desk)
    assert "3 numbers changed" in response.content.decode()
    assert typed(desk) == {
        (topics["Medier"].pk, "in_person"): 4,
        (topics["Medier"].pk, "phone"): 2,
        (topics["Andet"].pk, "chat"): 1,
    }
    assert set(GuidanceRecord.objects.values_list("source", "day", "registered_by")) == {
        ("typed", YESTERDAY, world.staff.pk)
    }
    assert AuditEntry.objects.filter(model="guidance.GuidanceRecord", action="create").count() == 3
    # The page after saving: the same service point and day, with the day's totals so far.
    assert response.context["point"] == desk and response.context["day"] == YESTERDAY
    assert response.context["totals"]["day"] == 7
    assert response.context["totals"]["channels"] == [4, 2, 1]
    html = response.content.decode()
    assert f'name="{cell(topics["Medier"])}" value="4"' in html
    assert f'name="day" value="{YESTERDAY.isoformat()}"' in html
    assert "Key" not in html


def test_saving_the_same_sheet_twice_changes_nothing(client, world, desk, topics):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    sheet = {cell(topics["Medier"]): "4", cell(topics["Andet"], "phone"): "3"}
    client.post(sheet_url(desk), sheet)
    before = (GuidanceRecord.objects.count(), AuditEntry.objects.count())
    again = client.post(sheet_url(desk), sheet, follow=True)  # a double click, a resend
    assert "the sheet was saved already" in again.content.decode()
    # And as the page sends it after saving: the numbers it now shows, left as they are.
    page = client.get(sheet_url(desk))
    client.post(sheet_url(desk), {**sheet, **shown(page)})
    assert (GuidanceRecord.objects.count(), AuditEntry.objects.count()) == before
    assert typed(desk) == {(topics["Medier"].pk, "in_person"): 4, (topics["Andet"].pk, "phone"): 3}


def test_a_number_replaces_the_typed_total_and_leaves_the_taps(client, world, desk, topics):
    client.force_login(world.staff)
    medier = topics["Medier"]
    GuidanceRecord.objects.create(
        branch=world.north,
        service_point=desk,
        topic=medier,
        occurred_at=timezone.now() - timedelta(days=1),
        day=YESTERDAY,
        source="tap",
        idempotency_key="a-tap",
    )
    client.post(sheet_url(desk), {cell(medier): "5"})
    page = client.get(sheet_url(desk))
    assert page.context["totals"]["day"] == 6  # five typed and one tapped
    assert "+ 1" in page.content.decode()
    client.post(sheet_url(desk), {cell(medier): "8", **shown(page)})
    assert typed(desk) == {(medier.pk, "in_person"): 8}
    record = GuidanceRecord.objects.get(source="typed")
    assert record.count == 8
    entry = AuditEntry.objects.filter(model="guidance.GuidanceRecord", action="update").get()
    assert entry.changes == {"count": [5, 8]}
    # An emptied field takes the typed total away; the tap stays.
    client.post(sheet_url(desk), {cell(medier): "", **shown(client.get(sheet_url(desk)))})
    assert typed(desk) == {}
    assert GuidanceRecord.objects.counted().get().idempotency_key == "a-tap"


def test_a_bad_number_is_named_by_its_cell_and_nothing_is_saved(client, world, desk, topics):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    response = client.post(
        sheet_url(desk),
        {cell(topics["Medier"]): "4", cell(topics["Andet"], "phone"): "tre"},
    )
    assert response.status_code == 200 and not GuidanceRecord.objects.exists()
    assert "Andet, Phone: Enter a whole number." in response.content.decode()
    negative = client.post(sheet_url(desk), {cell(topics["Medier"], "chat"): "-2"})
    assert "Medier, Chat or e-mail: Ensure this value is greater than or equal to 0." in (
        negative.content.decode()
    )


def test_a_cell_changed_meanwhile_by_someone_else_is_not_overwritten(client, world, desk, topics):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    medier = topics["Medier"]
    opened = client.get(sheet_url(desk))  # the page shows nothing typed yet
    client.post(sheet_url(desk), {cell(medier): "6"})  # another librarian saves first
    response = client.post(sheet_url(desk), {cell(medier): "4", **shown(opened)})
    assert response.status_code == 200
    assert "Medier, In person was changed to 6 by someone else" in response.content.decode()
    assert typed(desk) == {(medier.pk, "in_person"): 6}


def test_the_sheet_opens_on_the_service_point_tallied_at_and_yesterday(client, world, desk, topics):
    client.force_login(world.manager)
    other = desk.branch.service_points.create(name="IT-caféen")
    client.get(reverse("guidance:tally", args=[other.pk]))
    page = client.get(reverse("guidance:typed"))
    assert page.context["point"] == other and page.context["day"] == YESTERDAY
    html = page.content.decode()
    assert f'name="day" value="{YESTERDAY.isoformat()}"' in html  # ISO: the browser shows it
    assert f'<option value="{other.pk}" selected>' in html
    future = client.get(sheet_url(desk, timezone.localdate() + timedelta(days=1)))
    assert future.context.get("grid") is None


def test_staff_type_only_where_they_may_register(client, world, desk, south_desk, topics):
    client.force_login(world.staff)
    response = client.post(sheet_url(south_desk), {cell(topics["Medier"]): "3"})
    assert response.status_code == 200 and not GuidanceRecord.objects.exists()
    client.force_login(world.outsider)
    assert client.get(reverse("guidance:typed")).status_code == 403
