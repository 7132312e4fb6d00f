from django.contrib import admin

from bibliotal.core.admin import AdministratorAdmin, admin_site
from bibliotal.visits.models import Sensor


@admin.register(Sensor, site=admin_site)
class SensorAdmin(AdministratorAdmin):
    list_display = ["name", "branch", "entrance", "rule", "register", "active_from", "active_to"]
    list_filter = ["rule", "register"]
