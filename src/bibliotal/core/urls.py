from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from bibliotal.core import completeness, importjobs, views
from bibliotal.core.mail import views as mail_views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("panels/<str:key>/", views.panel, name="panel"),
    path("healthz", views.healthz, name="healthz"),
    path("libraries/", views.branch_list, name="branch_list"),
    path("libraries/<int:pk>/", views.branch_detail, name="branch_detail"),
    path("closures/", views.closure_list, name="closure_list"),
    path("completeness/", completeness.completeness_page, name="completeness"),
    path("audit/", views.audit_list, name="audit_list"),
    path("imports/<int:pk>/", importjobs.job_page, name="import_job"),
    path("imports/<int:pk>/confirm/", importjobs.job_confirm, name="import_job_confirm"),
    path("imports/<int:pk>/cancel/", importjobs.job_cancel, name="import_job_cancel"),
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/libraries/", views.website_branches, name="website_branches"),
    path("integrations/opening-categories/", views.opening_categories, name="opening_categories"),
    path(
        "account/login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/status-email/", mail_views.status_mail, name="status_mail"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="core/password_change.html",
            success_url=reverse_lazy("core:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
]
