from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from bibliotal.core import (
    accessibility,
    accounts,
    completeness,
    importjobs,
    library_admin,
    oidc,
    password_reset,
    views,
)
from bibliotal.core.mail import views as mail_views
from bibliotal.core.setup_views import setup_page

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("panels/<str:key>/", views.panel, name="panel"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
    path("setup/", setup_page, name="setup"),
    path("libraries/", views.branch_list, name="branch_list"),
    path("libraries/<int:pk>/", views.branch_detail, name="branch_detail"),
    path("libraries/new/", library_admin.branch_create, name="branch_create"),
    path("libraries/<int:pk>/edit/", library_admin.branch_edit, name="branch_edit"),
    path("libraries/<int:pk>/delete/", library_admin.branch_delete, name="branch_delete"),
    path(
        "libraries/<int:pk>/service-points/",
        library_admin.service_point_list,
        name="service_point_list",
    ),
    path(
        "libraries/<int:pk>/service-points/<int:point_pk>/",
        library_admin.service_point_edit,
        name="service_point_edit",
    ),
    path("libraries/<int:pk>/hours/new/", library_admin.schedule_create, name="schedule_create"),
    path(
        "libraries/<int:pk>/hours/<int:schedule_pk>/",
        library_admin.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "libraries/<int:pk>/hours/<int:schedule_pk>/delete/",
        library_admin.schedule_delete,
        name="schedule_delete",
    ),
    path("closures/", views.closure_list, name="closure_list"),
    path("closures/new/", library_admin.closure_create, name="closure_create"),
    path("closures/<int:pk>/", library_admin.closure_edit, name="closure_edit"),
    path("closures/<int:pk>/delete/", library_admin.closure_delete, name="closure_delete"),
    path("completeness/", completeness.completeness_page, name="completeness"),
    path("audit/", views.audit_list, name="audit_list"),
    path("imports/<int:pk>/", importjobs.job_page, name="import_job"),
    path("imports/<int:pk>/confirm/", importjobs.job_confirm, name="import_job_confirm"),
    path("imports/<int:pk>/cancel/", importjobs.job_cancel, name="import_job_cancel"),
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/libraries/", views.website_branches, name="website_branches"),
    path("integrations/opening-categories/", views.opening_categories, name="opening_categories"),
    path("staff/", accounts.staff_list, name="staff_list"),
    path("staff/invite/", accounts.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", accounts.staff_detail, name="staff_detail"),
    path("api-tokens/", accounts.token_list, name="token_list"),
    path("api-tokens/<int:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("account/welcome/<uidb64>/<token>/", accounts.welcome, name="account_welcome"),
    path("account/login/", oidc.LoginView.as_view(), name="login"),
    path("account/logout/", oidc.LogoutView.as_view(), name="logout"),
    # Sign-in at the municipality's OpenID provider (404 unless BIBLIOTAL_OIDC_ISSUER is set).
    path("account/oidc/authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authenticate"),
    path("account/oidc/callback/", oidc.CallbackView.as_view(), name="oidc_callback"),
    path("account/status-email/", mail_views.status_mail, name="status_mail"),
    path("account/reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/reset/sent/",
        password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accessibility/", accessibility.statement, name="accessibility"),
    path(
        "accessibility/<int:organisation_id>/",
        accessibility.statement_of,
        name="accessibility_of",
    ),
    path(
        "accessibility/settings/",
        accessibility.statement_settings,
        name="accessibility_settings",
    ),
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
