from django.urls import path

from bibliotal.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="report_index"),
    path("settings/", views.settings_edit, name="settings_edit"),
    path("comparison/", views.comparison_page, name="comparison"),
    path("comparison/peers/", views.comparison_peers, name="comparison_peers"),
    path("comparison/upload/", views.comparison_upload, name="comparison_upload"),
    path("<int:year>/", views.report_detail, name="report_detail"),
    path("<int:year>/download/", views.report_download, name="report_download"),
    path("<int:year>/statistics/", views.statistics_download, name="statistics_download"),
    path("<int:year>/targets/<int:pk>/comment/", views.comment_edit, name="comment_edit"),
]
