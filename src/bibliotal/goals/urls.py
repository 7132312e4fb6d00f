from django.urls import path

from bibliotal.goals import views

app_name = "goals"

urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("import/", views.document_import, name="document_import"),
    path("<year:year>/", views.year_detail, name="year_detail"),
    path("<year:year>/publish/", views.year_publish, name="year_publish"),
    path("public/<int:organisation_id>/", views.public_index, name="public_index"),
    path("public/<int:organisation_id>/<year:year>/", views.public_year, name="public_year"),
    path("<year:year>/targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("<year:year>/targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("<year:year>/focus-areas/<int:pk>/edit/", views.focusarea_edit, name="focusarea_edit"),
]
