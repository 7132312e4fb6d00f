"""Every create, change and delete of a domain record is in the audit log, with who and when."""

from django.core.management import call_command
from django.urls import reverse

from bibliotal.core import audit
from bibliotal.core.models import AuditEntry, Branch, Closure


def entries_for(instance):
    return AuditEntry.objects.filter(model=instance._meta.label, object_id=str(instance.pk))


def test_a_change_through_the_admin_is_audited_with_its_author(client, world):
    client.force_login(world.administrator)
    response = client.post(
        f"/admin/core/branch/{world.south.pk}/change/",
        {
            "organisation": world.organisation.pk,
            "name": "Syd Bibliotek",
            "street": "Torvet 1",
            "postcode": "",
            "city": "Sydby",
            "area_type": "rural",
            "isil": "",
            "active_from": "",
            "active_to": "",
            "service_points-TOTAL_FORMS": "0",
            "service_points-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = entries_for(world.south).get(action="update")
    assert entry.actor == world.administrator
    assert entry.source == "web"
    assert entry.changes == {"street": ["", "Torvet 1"]}
    assert entry.organisation == world.organisation


def test_create_and_delete_are_audited_with_the_values(world):
    with audit.acting(user=world.administrator, source="web"):
        closure = Closure.objects.create(
            organisation=world.organisation,
            start_date="2021-06-05",
            end_date="2021-06-05",
            reason="Grundlovsdag",
        )
        pk = closure.pk
        closure.delete()
    created = AuditEntry.objects.get(model="core.Closure", object_id=str(pk), action="create")
    assert created.changes["reason"] == [None, "Grundlovsdag"]
    deleted = AuditEntry.objects.get(model="core.Closure", object_id=str(pk), action="delete")
    assert deleted.changes["start_date"] == ["2021-06-05", None]
    assert deleted.actor_name == "administrator"


def test_saving_without_changes_writes_nothing(world):
    before = AuditEntry.objects.count()
    world.north.save()
    assert AuditEntry.objects.count() == before


def test_a_staff_members_libraries_are_audited_when_changed(world):
    membership = world.staff.membership
    membership.branches.add(world.south)
    entry = entries_for(membership).filter(action="update").latest("id")
    assert entry.changes == {"branches": {"added": ["Syd Bibliotek"]}}


def test_passwords_are_audited_as_changed_but_never_shown(world):
    world.staff.set_password("Et-helt-andet-kodeord")
    world.staff.save()
    entry = entries_for(world.staff).filter(action="update").latest("id")
    assert entry.changes["password"] == [audit.SECRET, audit.SECRET]


def test_a_command_is_audited_as_the_operator(world, capsys):
    call_command("token", "create", "manager")
    entry = AuditEntry.objects.filter(model="core.ApiToken").latest("id")
    assert entry.source == "command"
    assert "bibliotal token" in entry.actor_name
    assert "key_digest" not in entry.changes


def test_managers_read_and_filter_the_audit_log(client, world):
    with audit.acting(user=world.administrator, source="web"):
        Branch.objects.create(organisation=world.organisation, name="Øst Bibliotek")
    with audit.acting(user=world.stranger, source="web"):
        Branch.objects.create(organisation=world.other_organisation, name="Fremmed Bibliotek")
    client.force_login(world.manager)
    response = client.get(reverse("core:audit_list"), {"model": "core.Branch", "action": "create"})
    content = response.content.decode()
    assert "Bibliotek: Øst Bibliotek" in content  # the record type in words, not core.Branch
    assert "Fremmed Bibliotek" not in content  # another organisation's log is not ours


def test_deleting_an_organisation_or_ones_own_account_keeps_its_audit_entries(world):
    organisation_pk = world.other_organisation.pk
    with audit.acting(user=world.stranger, source="web"):
        world.stranger.delete()  # the stranger deletes their own account
    assert AuditEntry.objects.filter(
        model="auth.User", action="delete", actor_name="stranger"
    ).exists()
    world.other_branch.delete()
    world.other_organisation.delete()
    assert AuditEntry.objects.filter(
        model="core.Organisation", object_id=str(organisation_pk), action="delete"
    ).exists()


def test_links_changed_from_the_library_side_are_audited_on_their_owner(world):
    closure = Closure.objects.create(
        organisation=world.organisation,
        start_date="2021-03-01",
        end_date="2021-03-01",
        reason="Renovering",
    )
    world.south.closures.add(closure)
    entry = entries_for(closure).filter(action="update").latest("id")
    assert entry.changes == {"branches": {"added": ["Syd Bibliotek"]}}
    world.north.members.add(world.coordinator.membership)
    world.north.members.clear()
    cleared = entries_for(world.staff.membership).filter(action="update").latest("id")
    assert cleared.changes == {"branches": {"removed": ["Nord Bibliotek"]}}


def test_clearing_links_records_what_was_removed(world):
    membership = world.staff.membership
    membership.branches.clear()
    entry = entries_for(membership).filter(action="update").latest("id")
    assert entry.changes == {"branches": {"removed": ["Nord Bibliotek"]}}


def test_accounts_created_and_deleted_in_the_admin_are_in_the_organisations_log(client, world):
    from django.contrib.auth import get_user_model

    client.force_login(world.administrator)
    client.post(
        "/admin/auth/user/add/",
        {
            "username": "vikar",
            "password1": "Vikar-kode-2021!",
            "password2": "Vikar-kode-2021!",
            "usable_password": "true",
        },
    )
    user = get_user_model().objects.get(username="vikar")
    client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    entries = AuditEntry.objects.filter(model="auth.User", object_id=str(user.pk))
    assert {e.action for e in entries} == {"create", "delete"}
    assert {e.organisation_id for e in entries} == {world.organisation.pk}
