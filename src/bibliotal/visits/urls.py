from django.urls import path

from bibliotal.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("flags/", views.flags, name="flags"),
    path("import/", views.import_file, name="import"),
    path("formats/", views.formats, name="formats"),
    path("manual/", views.manual, name="manual"),
    path("new-users/", views.new_users, name="new_users"),
    path("sensors/", views.sensors, name="sensors"),
]
