from django.contrib import admin

from bibliotal.core.admin import AdministratorAdmin, admin_site
from bibliotal.goals.models import GoalSettings


@admin.register(GoalSettings, site=admin_site)
class GoalSettingsAdmin(AdministratorAdmin):
    list_display = ["organisation", "at_risk_ratio"]
