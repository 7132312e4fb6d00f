from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.admin import AdministratorAdmin, admin_site
from bibliotal.core.models import ServicePoint
from bibliotal.core.permissions import organisation_of
from bibliotal.guidance.models import GuidanceTopic, KioskDevice


@admin.register(GuidanceTopic, site=admin_site)
class GuidanceTopicAdmin(AdministratorAdmin):
    list_display = ["name", "counts_toward_goal", "dst_user_education", "position", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # topics with records stay; deactivate instead


@admin.register(KioskDevice, site=admin_site)
class KioskDeviceAdmin(AdministratorAdmin):
    organisation_path = "service_point__branch__organisation"
    list_display = [
        "name",
        "service_point",
        "key_prefix",
        "created_at",
        "last_seen_at",
        "revoked_at",
    ]
    readonly_fields = ["key_prefix", "created_at", "created_by", "last_seen_at", "revoked_at"]
    actions = ["revoke"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service_point" and not request.user.is_superuser:
            kwargs["queryset"] = ServicePoint.objects.filter(
                branch__organisation=organisation_of(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_new_key()
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            link = request.build_absolute_uri(reverse("guidance:kiosk_pair") + f"?key={key}")
            self.message_user(
                request,
                _(
                    "Open this address once on the device to pair it "
                    "(it is shown only now): %(link)s"
                )
                % {"link": link},
                messages.WARNING,
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected devices"))
    def revoke(self, request, queryset):
        for device in queryset.filter(revoked_at__isnull=True):
            device.revoked_at = timezone.now()
            device.save(update_fields=["revoked_at"])
