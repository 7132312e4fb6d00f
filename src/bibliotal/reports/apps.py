from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "bibliotal.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from bibliotal.core.mail import status
        from bibliotal.reports.status_mail import build_status_mail

        status.register_status_mail(build_status_mail)

        from bibliotal.reports import importing

        importing.register()
