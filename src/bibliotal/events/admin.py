from django.contrib import admin

from bibliotal.core.admin import AdministratorAdmin, admin_site
from bibliotal.events.models import EventFeed, EventType


@admin.register(EventType, site=admin_site)
class EventTypeAdmin(AdministratorAdmin):
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # types with events stay; deactivate instead


@admin.register(EventFeed, site=admin_site)
class EventFeedAdmin(AdministratorAdmin):
    list_display = ["name", "url", "active", "last_fetched_at", "last_error"]
    readonly_fields = ["last_fetched_at", "last_error"]
