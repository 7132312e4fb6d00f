from django.urls import path

from bibliotal.events import views

app_name = "events"

urlpatterns = [
    path("", views.occurrence_list, name="occurrence_list"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("new/", views.occurrence_edit, name="occurrence_new"),
    path("<int:pk>/", views.occurrence_edit, name="occurrence_edit"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("import/", views.import_file, name="import"),
    path("categories/", views.categories, name="categories"),
    path("report/", views.report, name="report"),
    path("programme/", views.programme, name="programme"),
    path("programme/<int:organisation_id>/", views.programme, name="programme_of"),
    path("programme/<int:organisation_id>.ics", views.programme_ics, name="programme_ics"),
]
