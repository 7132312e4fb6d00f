from django.urls import path

from bibliotal.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="report_index"),
    path("settings/", views.settings_edit, name="settings_edit"),
    path("<int:year>/", views.report_detail, name="report_detail"),
    path("<int:year>/download/", views.report_download, name="report_download"),
    path("<int:year>/statistics/", views.statistics_download, name="statistics_download"),
    path("<int:year>/targets/<int:pk>/comment/", views.comment_edit, name="comment_edit"),
]
