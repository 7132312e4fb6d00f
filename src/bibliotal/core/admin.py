"""Administration in the browser: organisation, libraries, service points, opening hours,
closures and staff accounts. Open to administrators only, each within their own organisation."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bibliotal.core.models import (
    ApiToken,
    AuditEntry,
    Branch,
    Closure,
    Membership,
    OpeningHours,
    OpeningSchedule,
    Organisation,
    PopulationFigure,
    ServicePoint,
)
from bibliotal.core.permissions import Capability, has_capability, organisation_of

User = get_user_model()


class BibliotalAdminSite(admin.AdminSite):
    site_header = _("Bibliotal administration")
    site_title = _("Bibliotal")
    index_title = _("Organisation, libraries and staff")
    site_url = "/"

    def has_permission(self, request) -> bool:
        return request.user.is_active and has_capability(request.user, Capability.ADMINISTER)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Logged in without the right: say so instead of bouncing between login pages.
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin_site = BibliotalAdminSite(name="admin")


class AdministratorAdmin(admin.ModelAdmin):
    """Administrators may do everything, but only within their own organisation.

    ``organisation_path`` is the lookup from the model to its organisation.
    """

    organisation_path = "organisation"

    def _allowed(self, request) -> bool:
        return has_capability(request.user, Capability.ADMINISTER)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organisation = organisation_of(request.user)
        if self.organisation_path in ("pk", "id"):  # the Organisation itself: its key, not it
            return queryset.filter(pk=organisation.pk if organisation is not None else None)
        return queryset.filter(**{self.organisation_path: organisation})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        organisation = organisation_of(request.user)
        if not request.user.is_superuser and organisation is not None:
            if db_field.related_model is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk=organisation.pk)
            elif db_field.related_model is Branch:
                kwargs["queryset"] = Branch.objects.filter(organisation=organisation)
            elif db_field.related_model is OpeningSchedule:
                kwargs["queryset"] = OpeningSchedule.objects.filter(
                    branch__organisation=organisation
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        organisation = organisation_of(request.user)
        if (
            db_field.related_model is Branch
            and not request.user.is_superuser
            and organisation is not None
        ):
            kwargs["queryset"] = Branch.objects.filter(organisation=organisation)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AdministratorInline:
    def has_view_permission(self, request, obj=None):
        return has_capability(request.user, Capability.ADMINISTER)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class PopulationInline(AdministratorInline, admin.TabularInline):
    model = PopulationFigure
    extra = 0


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(AdministratorAdmin):
    organisation_path = "pk"
    list_display = ["name", "municipality_code", "closed_on_public_holidays"]
    inlines = [PopulationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ServicePointInline(AdministratorInline, admin.TabularInline):
    model = ServicePoint
    extra = 0


@admin.register(Branch, site=admin_site)
class BranchAdmin(AdministratorAdmin):
    list_display = ["name", "address", "area_type", "active_from", "active_to"]
    list_filter = ["area_type"]
    search_fields = ["name", "city"]
    inlines = [ServicePointInline]


class OpeningHoursInline(AdministratorInline, admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(OpeningSchedule, site=admin_site)
class OpeningScheduleAdmin(AdministratorAdmin):
    organisation_path = "branch__organisation"
    list_display = ["name", "branch", "valid_from", "valid_to"]
    list_filter = [("branch", admin.RelatedOnlyFieldListFilter)]
    inlines = [OpeningHoursInline]


@admin.register(Closure, site=admin_site)
class ClosureAdmin(AdministratorAdmin):
    list_display = [
        "reason",
        "start_date",
        "end_date",
        "start_time",
        "end_time",
        "scope",
        "libraries",
    ]
    list_filter = ["scope"]
    date_hierarchy = "start_date"
    filter_horizontal = ["branches"]

    @admin.display(description=_("libraries"))
    def libraries(self, obj):
        names = [b.name for b in obj.branches.all()]
        return ", ".join(names) if names else _("All libraries")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("branches")


class MembershipInline(AdministratorInline, admin.StackedInline):
    model = Membership
    can_delete = False
    filter_horizontal = ["branches"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        organisation = organisation_of(request.user)
        if db_field.related_model is Organisation and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=getattr(organisation, "pk", None))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        organisation = organisation_of(request.user)
        if db_field.related_model is Branch and not request.user.is_superuser:
            kwargs["queryset"] = Branch.objects.filter(organisation=organisation)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User, site=admin_site)
class StaffAccountAdmin(AdministratorAdmin, UserAdmin):
    organisation_path = "membership__organisation"
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["membership__role", "is_active"]
    list_select_related = ["membership"]

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.get_role_display() if membership else "—"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Administrators manage people and roles; Django's own permission flags stay hidden.
        hidden = {"is_staff", "is_superuser", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # An administrator must not reset, rename or deactivate an account with every right.
            queryset = queryset.exclude(is_superuser=True)
        return queryset

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        organisation = organisation_of(request.user)
        if not hasattr(user, "membership") and organisation is not None:
            Membership.objects.create(user=user, organisation=organisation)


@admin.register(ApiToken, site=admin_site)
class ApiTokenAdmin(AdministratorAdmin):
    organisation_path = "user__membership__organisation"
    list_display = ["key_prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False  # a token's secret must be shown once: use `bibliotal token create`

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # revoke instead, so the record stays
        return actions

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AuditEntry, site=admin_site)
class AuditEntryAdmin(AdministratorAdmin):
    list_display = ["at", "actor_name", "source", "action", "model", "object_repr"]
    list_filter = ["action", "model", "source"]
    search_fields = ["actor_name", "object_repr"]
    date_hierarchy = "at"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
