from django.urls import path

from bibliotal.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="report_index"),
    path("settings/", views.settings_edit, name="settings_edit"),
    path("comparison/", views.comparison_page, name="comparison"),
    path("comparison/peers/", views.comparison_peers, name="comparison_peers"),
    path("comparison/upload/", views.comparison_upload, name="comparison_upload"),
    path("<year:year>/", views.report_detail, name="report_detail"),
    path("<year:year>/download/", views.report_download, name="report_download"),
    path("<year:year>/statistics/", views.statistics_download, name="statistics_download"),
    path("<year:year>/targets/<int:pk>/comment/", views.comment_edit, name="comment_edit"),
]
