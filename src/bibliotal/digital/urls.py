from django.urls import path

from bibliotal.digital import views

app_name = "digital"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("import/", views.import_file, name="import"),
    path("review/", views.held, name="held"),
    path("month/", views.grid, name="grid"),
    path("platforms/", views.platforms, name="platforms"),
    path("quotas/", views.quotas, name="quotas"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_form, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_form, name="campaign_edit"),
]
