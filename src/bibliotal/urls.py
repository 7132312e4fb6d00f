from django.urls import include, path

from bibliotal.api.api import api
from bibliotal.core.admin import admin_site

urlpatterns = [
    path("", include("bibliotal.core.urls")),
    path("goals/", include("bibliotal.goals.urls")),
    path("guidance/", include("bibliotal.guidance.urls")),
    path("teaching/", include("bibliotal.teaching.urls")),
    path("events/", include("bibliotal.events.urls")),
    path("visits/", include("bibliotal.visits.urls")),
    path("digital/", include("bibliotal.digital.urls")),
    path("reports/", include("bibliotal.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
]
